"""Min-max problems as finite-sum monotone operators: matrix games on simplices and
bilinear-quadratic saddle points (the two test problems of Cai, Alacaoglu & Diakonikolas,
ICLR 2024, section 5)."""
from __future__ import annotations

import functools

import numpy as np

from solvers.backend import resolve_backend
from solvers.core.validation import check_callback_and_seed, check_option, check_scalar

from .._linalg import spectral_norm_sq
from ._base import FiniteSumOperator, check_array, check_count
from .projections import _simplex_unchecked

__all__ = ["BilinearQuadratic", "MatrixGame"]


class MatrixGame(FiniteSumOperator):
    """The matrix game ``min_{x in simplex} max_{y in simplex} y^T A x`` as a finite-sum
    monotone inclusion.

    ``A`` has shape (m, k): the *row* player ``y`` (m pure strategies) maximizes the payoff
    ``y^T A x``, the *column* player ``x`` (k pure strategies) minimizes it. The variable is
    ``z = (x, y)`` of length ``dim = k + m``, the operator is the saddle gradient

        ``F(z) = (A^T y, -A x)``,

    and ``G`` is the normal cone of the product of the two probability simplices, so
    ``project`` projects each block onto its simplex. Solutions are the Nash equilibria.

    Parameters
    ----------
    A : array of shape (m, k)
        The payoff matrix (dense; m rows = maximizer's strategies, k columns = minimizer's).
    split : {"row_col", "row"}, default "row_col"
        How ``F`` is written as a mean of components (both are exact: the mean is ``F``).

        * ``"row"``: ``n = m`` components, ``F_i(z) = m (a_i y_i, -(a_i^T x) e_i)`` with
          ``a_i`` row ``i`` of ``A`` (as a column) and ``e_i`` the i-th unit vector of the
          y-block: component ``i`` reads row ``i`` only. Mean-square Lipschitz constant
          ``sqrt(m) ||A||_2``, a factor ``sqrt(m)`` above the Lipschitz constant of ``F``:
          the y-block of each component sits on a single coordinate.
        * ``"row_col"``: ``n = K = max(m, k)`` components, component ``i`` reads row ``i``
          (if ``i < m``) and column ``i`` (if ``i < k``):
          ``F_i(z) = K ([i < m] a_i y_i, -[i < k] x_i A[:, i])``. Mean-square constant
          ``sqrt(K max(max_i ||a_i||^2, max_j ||A[:, j]||^2))``, which for dense games is
          within a small factor of ``||A||_2`` (in the spirit of the row/column sampling of
          Alacaoglu & Malitsky, COLT 2022, here uniform and with one shared index); use it
          for variance-reduced methods.
    value : float, optional
        The value of the game, when it is known.
    solution : array of shape (k + m,), optional
        A known equilibrium ``(x*, y*)``.
    backend : {"auto", "cpu", "gpu"}

    Attributes
    ----------
    n_components, dim, dim_x (= k), dim_y (= m) : int
    lipschitz : float
        The mean-square Lipschitz constant of the chosen split (exact, see ``split``).
    full_lipschitz : float
        ``||A||_2``, the Lipschitz constant of ``F`` itself (for deterministic methods).
    cocoercivity : None
        ``F`` is skew (monotone, not cocoercive).
    value, solution : float / array or None

    Notes
    -----
    The duality gap :meth:`gap` is ``max_i (A x)_i - min_j (A^T y)_j`` (nonnegative on the
    simplices, zero exactly at equilibria). The policeman-and-burglar game
    (:meth:`policeman_burglar`) is from Nemirovski's lectures (Juditsky & Nemirovski,
    "First-order methods for nonsmooth convex large-scale optimization II", 2011) and is the
    second test problem of Cai et al. (2024).

    Examples
    --------
    >>> import numpy as np
    >>> from problems.operators import MatrixGame, residual
    >>> g = MatrixGame(np.array([[1.0, -1.0], [-1.0, 1.0]]))   # matching pennies
    >>> z = np.full(4, 0.5)
    >>> g.gap(z), residual(g, z)
    (0.0, 0.0)
    """

    _constrained = True
    cocoercivity = None

    def __init__(self, A, *, split="row_col", value=None, solution=None, backend="auto"):
        bk = resolve_backend(backend, A)
        self.backend = bk
        self.A = check_array(A, "A", ndim=2, backend=bk)
        self._AT = bk.xp.ascontiguousarray(self.A.T)
        m, k = self.A.shape
        self.dim_y, self.dim_x = m, k
        self.dim = k + m
        self.split = check_option(split, "split", ("row", "row_col"))
        self.n_components = m if self.split == "row" else max(m, k)
        self._dtype = self.A.dtype
        self.value = None if value is None else check_scalar(value, "value")
        if solution is not None:
            solution = check_array(solution, "solution", ndim=1, shape=(self.dim,), backend=bk,
                                   dtype=self._dtype)
        self.solution = solution

    # ----- constructors -----------------------------------------------------------------------
    @classmethod
    def policeman_burglar(cls, n=500, theta=0.8, *, wealth=None, random_state=None, **kwargs):
        """Nemirovski's policeman-and-burglar game on ``n`` houses.

        The burglar (row player ``y``, maximizer) picks house ``i``, the policeman (column
        player ``x``, minimizer) picks house ``j``; the burglar's expected loot is
        ``A[i, j] = w_i (1 - exp(-theta |i - j|))``, where ``w_i >= 0`` is the wealth of house
        ``i``: the farther the policeman, the likelier the burglary succeeds.

        Parameters
        ----------
        n : int >= 2, default 500
        theta : float > 0, default 0.8
        wealth : array of shape (n,), optional
            Nonnegative wealths; default ``|N(0, 1)|`` draws from ``random_state`` (as in the
            published experiments that use this game).
        random_state : None, int or numpy Generator
        **kwargs
            Passed to the constructor (``split``, ``backend``).
        """
        n = check_count(n, "n", lower=2)
        theta = check_scalar(theta, "theta", lower=0.0, lower_inclusive=False)
        check_callback_and_seed(None, random_state)
        if wealth is None:
            w = np.abs(np.random.default_rng(random_state).standard_normal(n))
        else:
            w = np.asarray(check_array(wealth, "wealth", ndim=1, shape=(n,),
                                       backend=resolve_backend("cpu")), dtype=np.float64)
            if (w < 0).any():
                raise ValueError("wealth must be nonnegative")
        h = np.arange(n)
        A = w[:, None] * (1.0 - np.exp(-theta * np.abs(h[:, None] - h[None, :])))
        out = cls(A, **kwargs)
        out.theta, out.wealth = theta, w
        return out

    @classmethod
    def random(cls, m, n, random_state=None, **kwargs):
        """A random ``m x n`` game with payoffs uniform on ``[-1, 1]`` (m row strategies for
        the maximizer ``y``, n column strategies for the minimizer ``x``)."""
        m, n = check_count(m, "m"), check_count(n, "n")
        check_callback_and_seed(None, random_state)
        A = np.random.default_rng(random_state).uniform(-1.0, 1.0, (m, n))
        return cls(A, **kwargs)

    # ----- operator ---------------------------------------------------------------------------
    def _split(self, z):
        return z[:self.dim_x], z[self.dim_x:]

    def _full(self, z):
        xp = self.backend.xp
        x, y = self._split(z)
        return xp.concatenate([self._AT @ y, -(self.A @ x)])

    def _batch_sum(self, idx, z):
        xp = self.backend.xp
        x, y = self._split(z)
        m, k = self.dim_y, self.dim_x
        if self.split == "row":
            rows = self.A[idx]                                   # (b, k)
            gx = m * (rows.T @ y[idx])
            gy = -m * xp.bincount(idx, weights=rows @ x, minlength=m).astype(self._dtype)
            return xp.concatenate([gx, gy])
        K = self.n_components
        r = idx if m == K else idx[idx < m]
        c = idx if k == K else idx[idx < k]
        gx = K * (self.A[r].T @ y[r]) if r.shape[0] else xp.zeros(k, dtype=self._dtype)
        gy = -K * (self._AT[c].T @ x[c]) if c.shape[0] else xp.zeros(m, dtype=self._dtype)
        return xp.concatenate([gx, gy])

    def _project(self, z):
        xp = self.backend.xp
        x, y = self._split(z)
        return xp.concatenate([_simplex_unchecked(x), _simplex_unchecked(y)])

    def _x0(self):
        """Both players uniform."""
        xp = self.backend.xp
        return xp.concatenate([xp.full(self.dim_x, 1.0 / self.dim_x, dtype=self._dtype),
                               xp.full(self.dim_y, 1.0 / self.dim_y, dtype=self._dtype)])

    def gap(self, z):
        """Duality gap ``max_i (A x)_i - min_j (A^T y)_j`` at ``z = (x, y)`` (meaningful for
        ``x``, ``y`` in their simplices; 0 exactly at an equilibrium)."""
        x, y = self._split(self._check_point(z))
        return float((self.A @ x).max()) - float((self._AT @ y).min())

    # ----- constants --------------------------------------------------------------------------
    @functools.cached_property
    def full_lipschitz(self):
        """``||A||_2``, the Lipschitz constant of ``F``."""
        return float(np.sqrt(spectral_norm_sq(self.A, self.backend)))

    @functools.cached_property
    def lipschitz(self):
        """Mean-square Lipschitz constant of the split (exact; see the class notes)."""
        xp = self.backend.xp
        if self.split == "row":
            return float(np.sqrt(self.dim_y)) * self.full_lipschitz
        rows = float(xp.max((self.A * self.A).sum(axis=1)))
        cols = float(xp.max((self.A * self.A).sum(axis=0)))
        return float(np.sqrt(self.n_components * max(rows, cols)))


# ---------------------------------------------------------------------------------------------
def _ouyang_xu_matrix(m):
    """The ``m x m`` matrix of the lower-bound instance of Ouyang & Xu (2021), scaled by 1/4
    as in Yoon & Ryu (2021): row ``r < m - 1`` has ``-1`` in column ``m - 2 - r`` and ``+1``
    in column ``m - 1 - r``; the last row has ``+1`` in column 0. It is invertible
    (``|det| = 4^{-m}``) with ``||A||_2 <= 1/2``."""
    A = np.zeros((m, m))
    r = np.arange(m - 1)
    A[r, m - 2 - r] = -1.0
    A[r, m - 1 - r] = 1.0
    A[m - 1, 0] = 1.0
    return A / 4.0


class BilinearQuadratic(FiniteSumOperator):
    """A finite-sum bilinear-quadratic saddle point ``min_x max_y (1/n) sum_i f_i(x, y)``,

        ``f_i(x, y) = x^T H_i x / 2 - h_i^T x - <A_i x - b_i, y>``,

    as the monotone operator ``F = (1/n) sum_i F_i`` on ``z = (x, y)`` (unconstrained,
    ``project`` is None):

        ``F_i(x, y) = (H_i x - h_i - A_i^T y,  A_i x - b_i)``.

    Each ``H_i`` is symmetric PSD, so every ``F_i`` (and ``F``) is monotone; ``F`` is not
    cocoercive (its bilinear part is skew). :meth:`hard_instance` builds a finite-sum version
    of the hard bilinear-quadratic test problem (Ouyang & Xu 2021) used in the experiments of
    Cai, Alacaoglu & Diakonikolas (2024, section 5).

    Parameters
    ----------
    A : array of shape (n, m, k)
        Coupling matrices ``A_i`` (m = dim of ``y``, k = dim of ``x``).
    H : array of shape (n, k, k) or (k, k)
        Symmetric PSD matrices ``H_i``; a single (k, k) matrix is shared by all components
        (stored once).
    b : array of shape (n, m)
    h : array of shape (n, k)
    backend : {"auto", "cpu", "gpu"}
    check_psd : bool, default True
        Check that each ``H_i`` is symmetric PSD (up to rounding; O(n k^3)).

    Attributes
    ----------
    n_components, dim (= k + m), dim_x (= k), dim_y (= m) : int
    lipschitz : float
        Exact mean-square Lipschitz constant ``sqrt(lambda_max((1/n) sum_i M_i^T M_i))``
        with ``M_i = [[H_i, -A_i^T], [A_i, 0]]`` the (constant) Jacobian of ``F_i``.
    full_lipschitz : float
        ``||M||_2`` with ``M = (1/n) sum_i M_i``, the Lipschitz constant of ``F``.
    cocoercivity : None
    solution : array or None
        The unique zero of ``F`` when ``M`` is nonsingular (solved once, lazily), else None.
    """

    cocoercivity = None

    def __init__(self, A, H, b, h, *, backend="auto", check_psd=True):
        bk = resolve_backend(backend, A, H, b, h)
        self.backend = bk
        xp = bk.xp
        self.A = check_array(A, "A", ndim=3, backend=bk)
        n, m, k = self.A.shape
        dt = self.A.dtype
        shared = getattr(H, "ndim", np.ndim(H)) == 2
        H = check_array(H, "H", ndim=2 if shared else 3,
                        shape=(k, k) if shared else (n, k, k), backend=bk, dtype=dt)
        self.b = check_array(b, "b", ndim=2, shape=(n, m), backend=bk, dtype=dt)
        self.h = check_array(h, "h", ndim=2, shape=(n, k), backend=bk, dtype=dt)
        Ht = H.T if shared else H.transpose(0, 2, 1)
        scale = max(float(xp.abs(H).max()), 1.0)
        if float(xp.abs(H - Ht).max()) > 1e-10 * scale:
            raise ValueError("H must hold symmetric matrices H_i (H[i] == H[i].T)")
        self.H = (H + Ht) / 2
        self._shared_H = shared
        if check_psd:
            lam_min = float(xp.linalg.eigvalsh(self.H).min())
            if lam_min < -1e-10 * scale * k:
                raise ValueError(f"H must hold positive semidefinite matrices; the smallest "
                                 f"eigenvalue is {lam_min:.3g}")
        self.n_components, self.dim_y, self.dim_x = n, m, k
        self.dim = k + m
        self._dtype = dt
        self._Abar = self.A.mean(axis=0)
        self._Hbar = self.H if shared else self.H.mean(axis=0)
        self._bbar, self._hbar = self.b.mean(axis=0), self.h.mean(axis=0)

    @classmethod
    def hard_instance(cls, n_components=200, size=100, heterogeneity=0.5, *,
                      random_state=None, backend="auto"):
        """The hard bilinear-quadratic instance, written as a sum of ``n_components`` similar
        components.

        The deterministic problem is the lower-bound instance of Ouyang & Xu (Math. Program.
        2021, section 3), in the scaling of Yoon & Ryu (ICML 2021, section 7):
        ``min_x max_y x^T H x / 2 - h^T x - <A x - b, y>`` on ``R^size x R^size`` with
        ``A`` from :func:`_ouyang_xu_matrix`, ``H = 2 A^T A``, ``b = (1/4) 1`` and
        ``h = (1/4) e_size``. The components perturb its data with centered noise,

            ``A_i = A + (s/4) (E_i - mean_j E_j)``,  ``H_i = H = 2 A^T A`` (shared),
            ``b_i = b + (s/4) (u_i - mean_j u_j)``,  ``h_i = h + (s/4) (v_i - mean_j v_j)``,

        with ``s = heterogeneity``, ``E_i`` entries iid ``N(0, 1/size)`` (so
        ``||E_i||_2 ~ 2``), ``u_i`` iid ``N(0, 1)`` and ``v_i`` iid ``N(0, 1/size)``. The
        means are exactly ``A``, ``b``, ``h`` and ``H``, so ``F`` is the deterministic hard
        operator for every ``s`` and only the spread of the components (the variance a
        stochastic method sees, and ``lipschitz``) grows with ``s``; ``s = 0`` gives ``n``
        identical components. The finite-sum splitting is this library's (documented)
        construction; Cai et al. (2024) run their section 5 experiment on a hard
        bilinear-quadratic instance of this family with ``n = 200``.

        The solution has the closed form ``x* = A^{-1} b``, ``y* = A^{-T} (H x* - h)``
        (``solution``, computed by a dense solve), and ``x0 = 0``.

        Parameters
        ----------
        n_components : int >= 1, default 200
        size : int >= 2, default 100
            Dimension of ``x`` and of ``y`` (``dim = 2 size``).
        heterogeneity : float >= 0, default 0.5
        random_state : None, int or numpy Generator
        backend : {"auto", "cpu", "gpu"}
        """
        n = check_count(n_components, "n_components")
        m = check_count(size, "size", lower=2)
        s = check_scalar(heterogeneity, "heterogeneity", lower=0.0)
        check_callback_and_seed(None, random_state)
        rng = np.random.default_rng(random_state)
        A0 = _ouyang_xu_matrix(m)
        b0 = np.full(m, 0.25)
        h0 = np.zeros(m)
        h0[-1] = 0.25

        def centered(a):
            return a - a.mean(axis=0)

        E = centered(rng.standard_normal((n, m, m)) / np.sqrt(m))
        u = centered(rng.standard_normal((n, m)))
        v = centered(rng.standard_normal((n, m)) / np.sqrt(m))
        A = A0 + (s / 4.0) * E
        out = cls(A, 2.0 * A0.T @ A0, b0 + (s / 4.0) * u, h0 + (s / 4.0) * v,
                  backend=backend, check_psd=False)
        out.heterogeneity = s
        return out

    def _split(self, z):
        return z[:self.dim_x], z[self.dim_x:]

    def _full(self, z):
        xp = self.backend.xp
        x, y = self._split(z)
        return xp.concatenate([self._Hbar @ x - self._hbar - self._Abar.T @ y,
                               self._Abar @ x - self._bbar])

    def _batch_sum(self, idx, z):
        xp = self.backend.xp
        x, y = self._split(z)
        Ai = self.A[idx]                                         # (b, m, k)
        Hx = idx.shape[0] * (self.H @ x) if self._shared_H else (self.H[idx] @ x).sum(axis=0)
        gx = Hx - self.h[idx].sum(axis=0) - (Ai.transpose(0, 2, 1) @ y).sum(axis=0)
        gy = (Ai @ x).sum(axis=0) - self.b[idx].sum(axis=0)
        return xp.concatenate([gx, gy])

    def _x0(self):
        return self.backend.xp.zeros(self.dim, dtype=self._dtype)

    def _jacobian(self):
        """The mean Jacobian ``M = [[Hbar, -Abar^T], [Abar, 0]]`` (host float64)."""
        host = self.backend.to_host
        Hb, Ab = np.asarray(host(self._Hbar), float), np.asarray(host(self._Abar), float)
        m = self.dim_y
        return np.block([[Hb, -Ab.T], [Ab, np.zeros((m, m))]])

    @functools.cached_property
    def full_lipschitz(self):
        """``||M||_2`` for the mean Jacobian ``M``: the Lipschitz constant of ``F``."""
        return float(np.linalg.norm(self._jacobian(), 2))

    @functools.cached_property
    def lipschitz(self):
        """Exact mean-square Lipschitz constant, from the Gram matrix
        ``(1/n) sum_i M_i^T M_i`` (formed blockwise, O(n (k + m)^3))."""
        xp = self.backend.xp
        A, H, n = self.A, self.H, self.n_components
        At = A.transpose(0, 2, 1)
        if self._shared_H:
            S11 = H @ H + (At @ A).sum(axis=0) / n
            S12 = -(H @ self._Abar.T)
        else:
            S11 = ((H @ H).sum(axis=0) + (At @ A).sum(axis=0)) / n
            S12 = -(H @ At).sum(axis=0) / n
        S22 = (A @ At).sum(axis=0) / n
        S = xp.concatenate([xp.concatenate([S11, S12], axis=1),
                            xp.concatenate([S12.T, S22], axis=1)], axis=0)
        S = np.asarray(self.backend.to_host(S), dtype=np.float64)
        return float(np.sqrt(max(np.linalg.eigvalsh((S + S.T) / 2)[-1], 0.0)))

    @functools.cached_property
    def solution(self):
        """The unique zero of ``F`` (when the mean Jacobian is nonsingular), else None."""
        M = self._jacobian()
        rhs = np.concatenate([np.asarray(self.backend.to_host(self._hbar), float),
                              np.asarray(self.backend.to_host(self._bbar), float)])
        if np.linalg.cond(M) > 1e12:
            return None
        z = np.linalg.solve(M, rhs)
        return self.backend.to_device(z.astype(self._dtype))
