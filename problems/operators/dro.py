"""Distributionally robust logistic regression as a finite-sum monotone inclusion."""
from __future__ import annotations

import functools

import numpy as np

from solvers.backend import resolve_backend
from solvers.core.validation import check_matrix, check_scalar, check_vector

from .._linalg import spectral_norm_sq
from ._base import FiniteSumOperator
from .projections import _ball_unchecked, _simplex_unchecked

__all__ = ["DROLogistic"]


class DROLogistic(FiniteSumOperator):
    """Logistic regression that is robust to reweighting of the samples (a chi-square
    distributionally robust objective), as the saddle point problem

        ``min_w max_{p in simplex}  sum_i p_i l_i(w) - (lam/2) ||p - 1/N||^2
        + (alpha/2) ||w||^2``,

    with ``l_i(w) = log(1 + exp(-y_i x_i^T w))`` the logistic loss of sample ``i`` (of
    ``N``). The penalty is ``lam / N`` times the chi-square divergence
    ``(1/(2N)) sum_i (N p_i - 1)^2`` of the weights ``p`` from the uniform ones, the
    penalized form of the chi-square ball of Namkoong & Duchi (NeurIPS 2016). ``lam -> inf``
    gives ordinary regularized logistic regression; small ``lam`` lets the adversary put its
    weight on the hardest samples (the optimal ``p`` is ``Proj_simplex(1/N + l(w)/lam)``).
    The variable is ``z = (w, p)`` of length ``d + N``, ``G`` is the normal cone of
    ``C = R^d x simplex`` (or ``ball(radius) x simplex``), and

        ``F(w, p) = (sum_i p_i grad l_i(w) + alpha w,  -(l_i(w))_i + lam (p - 1/N))``,

    which is monotone on ``C`` (the objective is convex in ``w`` for ``p >= 0`` and
    ``lam``-strongly concave in ``p``). Written as the mean of one component per sample,

        ``F_i(w, p) = (N p_i grad l_i(w) + alpha w,  -N l_i(w) e_i + lam (p - 1/N))``,

    so component ``i`` reads sample ``i`` only (cost O(d + N), the shared ``lam (p - 1/N)``
    term included in every component).

    Parameters
    ----------
    X : array or sparse matrix of shape (N, d)
    y : array of shape (N,)
        Labels in {-1, +1}.
    lam : float > 0, default 1
        Weight of the penalty ``(lam/2) ||p - 1/N||^2``.
    alpha : float >= 0, default 1e-2
        Ridge weight on ``w``.
    radius : float > 0, optional
        Constrain ``||w||_2 <= radius`` (default: ``w`` free).
    backend : {"auto", "cpu", "gpu"}

    Attributes
    ----------
    n_components (= N), dim (= d + N), dim_w (= d) : int
    lipschitz : float
        A mean-square Lipschitz constant valid on ``C``:
        ``sqrt(max(3 N R^4/16 + 3 alpha^2 + 2 N ||X||_2^2,  3 N R^2 + 2 lam^2))`` with
        ``R = max_i ||x_i||`` (derived from ``|l_i'| <= 1``, ``l_i'' <= 1/4`` and
        ``sum_i p_i^2 <= 1``; an upper bound, not tight).
    full_lipschitz : float
        ``||[[R^2/4 + alpha, ||X||_2], [||X||_2, lam]]||_2``, a Lipschitz constant of ``F``
        on ``C``.
    cocoercivity : None
    solution : None
    """

    _constrained = True
    cocoercivity = None

    def __init__(self, X, y, *, lam=1.0, alpha=1e-2, radius=None, backend="auto"):
        bk = resolve_backend(backend, X, y)
        self.backend = bk
        X = check_matrix(X, "X", backend=bk)
        if bk.issparse(X) and X.format != "csr":
            X = X.tocsr()
        self.X = X
        N, d = X.shape
        self.y = check_vector(y, "y", size=N, dtype=X.dtype, backend=bk)
        if bool((bk.xp.abs(self.y) != 1).any()):
            found = np.unique(bk.to_host(self.y))[:5]
            raise ValueError(f"y must hold labels -1 and +1, found {found.tolist()}")
        self.lam = check_scalar(lam, "lam", lower=0.0, lower_inclusive=False)
        self.alpha = check_scalar(alpha, "alpha", lower=0.0)
        self.radius = None if radius is None else check_scalar(radius, "radius", lower=0.0,
                                                                lower_inclusive=False)
        self.n_components, self.dim_w, self.dim = N, d, d + N
        self._dtype = X.dtype
        sq = X.multiply(X).sum(axis=1) if bk.issparse(X) else (X * X).sum(axis=1)
        self._row_sq = bk.xp.asarray(sq).ravel()

    # ----- pieces -----------------------------------------------------------------------------
    def _losses_and_slopes(self, margins_t):
        """``l(t) = log(1 + exp(-t))`` and ``-sigma(-t)`` at the margins ``t = y x^T w``."""
        xp = self.backend.xp
        e = xp.exp(-xp.abs(margins_t))
        loss = xp.log1p(e) + xp.maximum(-margins_t, 0)
        sig = xp.where(margins_t >= 0, e / (1 + e), 1 / (1 + e))    # sigma(-t)
        return loss, -sig

    def losses(self, w):
        """The per-sample losses ``l_i(w)`` (length N)."""
        xp = self.backend.xp
        w = xp.asarray(w)
        if w.shape != (self.dim_w,):
            raise ValueError(f"w has shape {w.shape} but ({self.dim_w},) was expected")
        return self._losses_and_slopes(self.y * (self.X @ w))[0]

    def value(self, z):
        """The saddle function ``sum_i p_i l_i(w) - (lam/2)||p - 1/N||^2 + (alpha/2)||w||^2``."""
        z = self._check_point(z)
        w, p = z[:self.dim_w], z[self.dim_w:]
        r = p - 1.0 / self.n_components
        return (float(p @ self.losses(w)) - 0.5 * self.lam * float(r @ r)
                + 0.5 * self.alpha * float(w @ w))

    def _split(self, z):
        return z[:self.dim_w], z[self.dim_w:]

    def _full(self, z):
        xp = self.backend.xp
        w, p = self._split(z)
        N = self.n_components
        yv = self.y
        loss, slope = self._losses_and_slopes(yv * (self.X @ w))
        gw = xp.asarray(self.X.T @ (p * slope * yv)).ravel() + self.alpha * w
        gp = -loss + self.lam * (p - 1.0 / N)
        return xp.concatenate([gw, gp])

    def _batch_sum(self, idx, z):
        xp = self.backend.xp
        w, p = self._split(z)
        N, b = self.n_components, idx.shape[0]
        Xb, yb = self.X[idx], self.y[idx]
        loss, slope = self._losses_and_slopes(yb * (Xb @ w))
        gw = N * xp.asarray(Xb.T @ (p[idx] * slope * yb)).ravel() + (b * self.alpha) * w
        gp = -N * xp.bincount(idx, weights=loss, minlength=N).astype(self._dtype) \
            + (b * self.lam) * (p - 1.0 / N)
        return xp.concatenate([gw, gp])

    def _project(self, z):
        xp = self.backend.xp
        w, p = self._split(z)
        if self.radius is not None:
            w = _ball_unchecked(w, self.radius)
        return xp.concatenate([w, _simplex_unchecked(p)])

    def _x0(self):
        """``w = 0`` and uniform weights ``p = 1/N``."""
        xp = self.backend.xp
        N = self.n_components
        return xp.concatenate([xp.zeros(self.dim_w, dtype=self._dtype),
                               xp.full(N, 1.0 / N, dtype=self._dtype)])

    # ----- constants --------------------------------------------------------------------------
    @functools.cached_property
    def _norms(self):
        """``(R^2, ||X||_2^2)``."""
        return float(self._row_sq.max()), spectral_norm_sq(self.X, self.backend)

    @functools.cached_property
    def lipschitz(self):
        R2, S2 = self._norms
        N, a, lam = self.n_components, self.alpha, self.lam
        cw = 3 * N * R2 * R2 / 16 + 3 * a * a + 2 * N * S2
        cp = 3 * N * R2 + 2 * lam * lam
        return float(np.sqrt(max(cw, cp)))

    @functools.cached_property
    def full_lipschitz(self):
        R2, S2 = self._norms
        M = np.array([[R2 / 4 + self.alpha, np.sqrt(S2)],
                      [np.sqrt(S2), self.lam]])
        return float(np.linalg.norm(M, 2))
