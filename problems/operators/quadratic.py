"""Cocoercive finite sums: affine operators ``Q_i x + q_i`` and gradients of smooth convex
data fits (least squares and logistic rows)."""
from __future__ import annotations

import functools

import numpy as np

from solvers.backend import resolve_backend
from solvers.core.validation import (check_callback_and_seed, check_matrix, check_option,
                                     check_scalar, check_vector)

from .._linalg import spectral_norm_sq
from ._base import FiniteSumOperator, check_array, check_count
from .projections import _box_unchecked

__all__ = ["GradientSum", "QuadraticSum"]


def _bound_vector(val, name, d, bk, dt, default):
    """A box bound as a length-``d`` vector on ``bk`` (scalars broadcast, ``None`` = open)."""
    xp = bk.xp
    if val is None:
        return xp.full(d, default, dtype=dt)
    if np.ndim(val) == 0:
        v = float(val)
        if np.isnan(v):
            raise ValueError(f"{name} must not be NaN")
        return xp.full(d, v, dtype=dt)
    v = xp.asarray(val).astype(dt)
    if v.shape != (d,):
        raise ValueError(f"{name} has shape {v.shape} but ({d},) was expected")
    if bool(xp.isnan(v).any()):
        raise ValueError(f"{name} contains NaN entries")
    return bk.to_device(v)


class QuadraticSum(FiniteSumOperator):
    """The affine finite sum ``F_i(x) = Q_i x + q_i`` with symmetric PSD ``Q_i``: the
    gradients of the convex quadratics ``x^T Q_i x / 2 + q_i^T x``, optionally over a box.

    Parameters
    ----------
    Q : array of shape (n, d, d)
        Symmetric positive semidefinite matrices.
    q : array of shape (n, d)
    lower, upper : float or array of shape (d,), optional
        Box constraint ``lower <= x <= upper`` (``G`` = its normal cone, ``project`` = clip);
        both None (default): unconstrained, ``project`` is None. Infinite entries allowed.
    check_psd : bool, default True
        Check symmetry and positive semidefiniteness of every ``Q_i`` (O(n d^3)).
    backend : {"auto", "cpu", "gpu"}

    Attributes
    ----------
    n_components, dim : int
    lipschitz : float
        ``sqrt(lambda_max((1/n) sum_i Q_i^2))``, the exact mean-square Lipschitz constant.
    cocoercivity : float
        The smallest ``L_c`` with ``(1/n) sum_i ||Q_i v||^2 <= L_c <Qbar v, v>`` for all ``v``
        (``Qbar = (1/n) sum_i Q_i``): the top eigenvalue of the pencil
        ``((1/n) sum_i Q_i^2, Qbar)`` on the range of ``Qbar``, computed exactly. It never
        exceeds ``max_i ||Q_i||_2`` (each ``Q_i`` is ``1/||Q_i||``-cocoercive).
    full_lipschitz : float
        ``lambda_max(Qbar)``, the Lipschitz (and cocoercivity) constant of ``F`` itself.
    strong_monotonicity : float
        ``lambda_min(Qbar)`` (0 when ``F`` is strongly monotone only on the range of ``Qbar``).
    solution : array or None
        Known for :meth:`random` instances (the minimum-norm zero of ``F``).

    Notes
    -----
    Expected cocoercivity is the assumption of Algorithm 1 of Cai, Alacaoglu & Diakonikolas
    (ICLR 2024); :meth:`random` builds "similar" components as in the finite-sum literature
    (``||Q_i - Qbar|| <= delta ||Qbar||``).
    """

    def __init__(self, Q, q, *, lower=None, upper=None, check_psd=True, backend="auto"):
        bk = resolve_backend(backend, Q, q)
        self.backend = bk
        xp = bk.xp
        Q = check_array(Q, "Q", ndim=3, backend=bk)
        n, d, d2 = Q.shape
        if d != d2:
            raise ValueError(f"Q must hold square matrices, got shape {Q.shape}")
        dt = Q.dtype
        self.q = check_array(q, "q", ndim=2, shape=(n, d), backend=bk, dtype=dt)
        scale = max(float(xp.abs(Q).max()), 1e-300)
        if float(xp.abs(Q - Q.transpose(0, 2, 1)).max()) > 1e-10 * scale:
            raise ValueError("Q must hold symmetric matrices Q_i (Q[i] == Q[i].T)")
        self.Q = (Q + Q.transpose(0, 2, 1)) / 2
        if check_psd:
            lam_min = float(xp.linalg.eigvalsh(self.Q).min())
            if lam_min < -1e-10 * scale * d:
                raise ValueError(f"Q must hold positive semidefinite matrices; the smallest "
                                 f"eigenvalue is {lam_min:.3g}")
        self.n_components, self.dim, self._dtype = n, d, dt
        self._Qbar, self._qbar = self.Q.mean(axis=0), self.q.mean(axis=0)
        self._constrained = lower is not None or upper is not None
        self.lower = self.upper = None
        if self._constrained:
            self.lower = _bound_vector(lower, "lower", d, bk, dt, -np.inf)
            self.upper = _bound_vector(upper, "upper", d, bk, dt, np.inf)
            if bool((self.lower > self.upper).any()):
                raise ValueError("lower must be <= upper everywhere (the box is empty otherwise)")
        self.solution = None

    @classmethod
    def random(cls, n, d, similarity=0.1, *, rank=None, cond=100.0, lower=None, upper=None,
               random_state=None, backend="auto"):
        """A random instance with ``delta``-similar components and a known solution.

        ``Qbar = R R^T`` with ``R = V diag(sqrt(lam))``, ``V`` a random ``d x rank``
        orthonormal basis and eigenvalues ``lam`` geometrically spaced from 1 down to
        ``1/cond``; ``Q_i = R (I + delta W_i) R^T`` with symmetric ``W_i``, centered
        (``sum_i W_i = 0``) and scaled to ``max_i ||W_i||_2 = 1``. So the mean is exactly
        ``Qbar``, ``(1 - delta) Qbar <= Q_i <= (1 + delta) Qbar`` and
        ``||Q_i - Qbar||_2 <= delta``. With a random ``x*`` in the range of ``V`` and centered
        ``c_i`` in that range, ``q_i = -Q_i x* + delta c_i``, so ``F(x*) = 0``; ``x*`` is the
        minimum-norm zero (``solution``). ``rank < d`` gives an ``F`` that is strongly
        monotone only on the range of ``Qbar``, like a least-squares sum with more unknowns
        than equations.

        Parameters
        ----------
        n : int >= 1
            Number of components.
        d : int >= 1
            Dimension.
        similarity : float in [0, 1], default 0.1
            ``delta``: 0 gives identical components.
        rank : int in [1, d], optional
            Rank of ``Qbar`` (default ``d``).
        cond : float >= 1, default 100
            Condition number of ``Qbar`` on its range.
        lower, upper : optional box (see the class); ``solution`` is kept only when ``x*``
            lies in the box.
        random_state : None, int or numpy Generator
        """
        n, d = check_count(n, "n"), check_count(d, "d")
        delta = check_scalar(similarity, "similarity", lower=0.0, upper=1.0)
        k = d if rank is None else check_count(rank, "rank")
        if k > d:
            raise ValueError(f"rank must be <= d = {d}, got {k}")
        cond = check_scalar(cond, "cond", lower=1.0)
        check_callback_and_seed(None, random_state)
        rng = np.random.default_rng(random_state)
        V, _ = np.linalg.qr(rng.standard_normal((d, k)))
        lam = np.geomspace(1.0, 1.0 / cond, k)
        R = V * np.sqrt(lam)
        G = rng.standard_normal((n, k, k))
        W = (G + G.transpose(0, 2, 1)) / 2
        W -= W.mean(axis=0)
        wmax = np.abs(np.linalg.eigvalsh(W)).max() if n > 1 else 0.0
        W = W / wmax if wmax > 0 else np.zeros_like(W)
        Q = R @ (np.eye(k) + delta * W) @ R.T
        x_star = V @ rng.standard_normal(k)
        C = rng.standard_normal((n, k))
        C = (C - C.mean(axis=0)) @ V.T
        q = -(Q @ x_star) + delta * C
        out = cls(Q, q, lower=lower, upper=upper, check_psd=False, backend=backend)
        out.similarity = delta
        inside = True
        if out._constrained:
            lo, hi = (np.asarray(out.backend.to_host(t)) for t in (out.lower, out.upper))
            inside = bool(np.all((lo <= x_star) & (x_star <= hi)))
        out.solution = out.backend.to_device(x_star.astype(out._dtype)) if inside else None
        return out

    # ----- operator ---------------------------------------------------------------------------
    def _full(self, x):
        return self._Qbar @ x + self._qbar

    def _batch_sum(self, idx, x):
        return (self.Q[idx] @ x).sum(axis=0) + self.q[idx].sum(axis=0)

    def _component(self, i, x):
        return self.Q[i] @ x + self.q[i]

    def _project(self, x):
        return _box_unchecked(x, self.lower, self.upper)

    def _x0(self):
        """The origin, projected onto the box when there is one."""
        x = self.backend.xp.zeros(self.dim, dtype=self._dtype)
        return self._project(x) if self._constrained else x

    # ----- constants --------------------------------------------------------------------------
    @functools.cached_property
    def _spectra(self):
        """Host float64 ``(Qbar, S = (1/n) sum_i Q_i^2)``."""
        Q = self.Q
        S = (Q @ Q).sum(axis=0) / self.n_components
        host = self.backend.to_host
        Qb = np.asarray(host(self._Qbar), dtype=np.float64)
        S = np.asarray(host(S), dtype=np.float64)
        return (Qb + Qb.T) / 2, (S + S.T) / 2

    @functools.cached_property
    def lipschitz(self):
        """Exact mean-square Lipschitz constant ``sqrt(lambda_max((1/n) sum_i Q_i^2))``."""
        return float(np.sqrt(max(np.linalg.eigvalsh(self._spectra[1])[-1], 0.0)))

    @functools.cached_property
    def full_lipschitz(self):
        """``lambda_max(Qbar)``."""
        return float(max(np.linalg.eigvalsh(self._spectra[0])[-1], 0.0))

    @functools.cached_property
    def strong_monotonicity(self):
        """``lambda_min(Qbar)`` (clipped at 0)."""
        return float(max(np.linalg.eigvalsh(self._spectra[0])[0], 0.0))

    @functools.cached_property
    def cocoercivity(self):
        """Exact expected-cocoercivity constant (see the class attributes)."""
        Qb, S = self._spectra
        lam, U = np.linalg.eigh(Qb)
        top = lam[-1]
        if top <= 0:
            return 0.0
        keep = lam > 1e-12 * top * max(self.dim, 1)
        T = U[:, keep] / np.sqrt(lam[keep])
        Lc = float(np.linalg.eigvalsh(T.T @ S @ T)[-1])
        Lmax = float(np.linalg.eigvalsh(np.asarray(self.backend.to_host(self.Q),
                                                   dtype=np.float64))[:, -1].max())
        return min(max(Lc, top), Lmax)


# ---------------------------------------------------------------------------------------------
class GradientSum(FiniteSumOperator):
    """The gradient operator of a smooth convex finite sum over the rows of a design matrix,

        ``F_i(x) = grad f_i(x)``,  ``f_i(x) = loss(a_i^T x; y_i) + (alpha/2) ||x||^2``,

    with ``loss = "squared"``: ``(a_i^T x - y_i)^2 / 2``, or ``"logistic"``:
    ``log(1 + exp(-y_i a_i^T x))`` (labels ``y_i`` in {-1, +1}). ``F`` is the gradient of
    ``(1/n) sum_i f_i``, unconstrained (``project`` is None) and cocoercive.

    Parameters
    ----------
    X : array or sparse matrix of shape (n, d)
        The rows ``a_i``. Sparse input stays sparse (kept as CSR for row access).
    y : array of shape (n,)
        Targets (squared) or labels in {-1, +1} (logistic).
    loss : {"squared", "logistic"}, default "squared"
    alpha : float >= 0, default 0
        Ridge weight added to every component.
    backend : {"auto", "cpu", "gpu"}

    Attributes
    ----------
    n_components (= n), dim (= d) : int
    cocoercivity : float
        ``beta max_i ||a_i||^2 + alpha`` with ``beta = sup loss''`` (1 squared, 1/4
        logistic): each ``f_i`` is convex and ``L_i``-smooth, so ``grad f_i`` is
        ``1/L_i``-cocoercive and ``(1/n) sum_i ||F_i(x) - F_i(y)||^2 <=
        max_i L_i <F(x) - F(y), x - y>``.
    lipschitz : float
        ``sqrt(lambda_max((1/n) X^T diag(beta^2 ||a_i||^2 + 2 alpha beta) X) + alpha^2)``,
        the exact mean-square constant for squared loss and an upper bound for logistic.
    full_lipschitz : float
        ``beta ||X||_2^2 / n + alpha``, the Lipschitz constant of ``F``.
    solution : array or None
        For squared loss the minimum-norm minimizer (least squares, computed lazily on the
        host: dense ``lstsq`` or sparse ``lsqr``); None for logistic.
    """

    cocoercivity = None  # replaced in __init__

    def __init__(self, X, y, *, loss="squared", alpha=0.0, backend="auto"):
        bk = resolve_backend(backend, X, y)
        self.backend = bk
        self.loss = check_option(loss, "loss", ("squared", "logistic"))
        X = check_matrix(X, "X", backend=bk)
        if bk.issparse(X) and X.format != "csr":
            X = X.tocsr()
        self.X = X
        n, d = X.shape
        self.y = check_vector(y, "y", size=n, dtype=X.dtype, backend=bk)
        if self.loss == "logistic" and bool((bk.xp.abs(self.y) != 1).any()):
            found = np.unique(bk.to_host(self.y))[:5]
            raise ValueError(f"y must hold labels -1 and +1 for the logistic loss, found "
                             f"{found.tolist()}")
        self.alpha = check_scalar(alpha, "alpha", lower=0.0)
        self.n_components, self.dim, self._dtype = n, d, X.dtype
        self._beta = 1.0 if self.loss == "squared" else 0.25
        xp = bk.xp
        sq = X.multiply(X).sum(axis=1) if bk.issparse(X) else (X * X).sum(axis=1)
        self._row_sq = xp.asarray(sq).ravel()
        self.cocoercivity = self._beta * float(self._row_sq.max()) + self.alpha

    @classmethod
    def least_squares(cls, X, b, *, alpha=0.0, backend="auto"):
        """Rows ``f_i(x) = (a_i^T x - b_i)^2 / 2 (+ alpha ||x||^2 / 2)``."""
        return cls(X, b, loss="squared", alpha=alpha, backend=backend)

    @classmethod
    def logistic(cls, X, y, *, alpha=0.0, backend="auto"):
        """Rows ``f_i(x) = log(1 + exp(-y_i a_i^T x)) (+ alpha ||x||^2 / 2)``."""
        return cls(X, y, loss="logistic", alpha=alpha, backend=backend)

    def _dloss(self, z, y):
        """``loss'(z; y)`` elementwise."""
        xp = self.backend.xp
        if self.loss == "squared":
            return z - y
        # -y sigma(-y z), computed stably as -y / (1 + exp(y z))
        t = y * z
        e = xp.exp(-xp.abs(t))
        sig = xp.where(t >= 0, e / (1 + e), 1 / (1 + e))     # sigma(-t)
        return -y * sig

    def _full(self, x):
        g = self.X.T @ self._dloss(self.X @ x, self.y) / self.n_components
        g = self.backend.xp.asarray(g).ravel()
        return g + self.alpha * x if self.alpha else g

    def _batch_sum(self, idx, x):
        Xb = self.X[idx]
        g = self.backend.xp.asarray(Xb.T @ self._dloss(Xb @ x, self.y[idx])).ravel()
        return g + (idx.shape[0] * self.alpha) * x if self.alpha else g

    def _x0(self):
        return self.backend.xp.zeros(self.dim, dtype=self._dtype)

    @functools.cached_property
    def full_lipschitz(self):
        return self._beta * spectral_norm_sq(self.X, self.backend) / self.n_components \
            + self.alpha

    @functools.cached_property
    def lipschitz(self):
        """Mean-square Lipschitz constant (exact for squared loss, a bound for logistic)."""
        bk, xp = self.backend, self.backend.xp
        b, a = self._beta, self.alpha
        w = xp.sqrt((b * b * self._row_sq + 2 * a * b) / self.n_components)
        if bk.issparse(self.X):
            D = bk.sparse.diags(w.astype(self._dtype))
            WX = (D @ self.X).tocsr()
        else:
            WX = w[:, None].astype(self._dtype) * self.X
        return float(np.sqrt(spectral_norm_sq(WX, bk) + a * a))

    @functools.cached_property
    def solution(self):
        """Minimum-norm minimizer for squared loss (host solve); None for logistic."""
        if self.loss != "squared":
            return None
        bk = self.backend
        X, y = bk.to_host(self.X), np.asarray(bk.to_host(self.y), dtype=np.float64)
        n, d = X.shape
        if bk.issparse(X) or hasattr(X, "tocsr"):
            from scipy.sparse.linalg import lsqr

            x = lsqr(X.astype(np.float64), y, damp=np.sqrt(n * self.alpha), atol=1e-14,
                     btol=1e-14, iter_lim=20 * (n + d))[0]
        elif self.alpha > 0:
            Xa = np.vstack([X, np.sqrt(n * self.alpha) * np.eye(d)])
            x = np.linalg.lstsq(Xa, np.concatenate([y, np.zeros(d)]), rcond=None)[0]
        else:
            x = np.linalg.lstsq(np.asarray(X, dtype=np.float64), y, rcond=None)[0]
        return bk.to_device(x.astype(self._dtype))
