"""Test instances for SOR / SSOR-PCG and for tuning the relaxation parameter across sequences.

Everything here builds sparse symmetric linear systems ``A x = b`` from finite differences
on uniform grids, as scipy.sparse CSR float64 matrices with sorted indices (no dense
``n x n`` matrix is ever formed, and no Python loop runs over grid points):

- :func:`laplacian_2d` / :func:`laplacian_3d`: the unscaled 5- and 7-point Laplacians
  (diagonal 4 or 6, off-diagonals -1) with Dirichlet boundary, the Kronecker sums
  ``I (x) T + T (x) I`` of 1-D tridiagonals ``T = tridiag(-1, 2, -1)``. The 2-D matrix is
  MATLAB's ``delsq(numgrid('S', nx + 2))`` up to the ordering of the unknowns.
- :func:`poisson_2d` / :func:`poisson_3d`: ``-Laplace(u) = f`` on the unit square / cube with
  zero Dirichlet data, ``h = 1/(nx + 1)``; :func:`sine_solution` is the exact solution
  ``prod_k sin(pi x_k)`` of the default right-hand side on the grid (the discrete solution
  approaches it at the rate O(h^2)).
- :class:`ShiftedLaplacianSequence` and :class:`HeatEquationSequence`: the two sequences of
  linear systems on which Khodak, Chow, Balcan and Talwalkar tune the relaxation parameter
  ``omega`` of SOR and SSOR-preconditioned CG online, from one system to the next
  ("Learning to Relax: Setting Solver Parameters Across a Sequence of Linear System
  Instances", ICLR 2024, arXiv:2310.02246, section 6 and appendix):

  * i.i.d. diagonal shifts ``A_t = L + c_t I`` of the 10 x 10 Laplacian with
    ``c_t = -0.15 + 0.6 Beta(1/2, 3/2)`` (high variance) or ``-0.15 + 0.6 Beta(2, 6)``
    (low variance) and radially truncated Gaussian right-hand sides; the context (the side
    information a contextual bandit sees) is ``c_t``;
  * the Crank-Nicolson steps of the 2-D heat equation ``u_t = kappa(t) Laplace(u) + f(t, x)``
    with a time-varying diffusion coefficient and a moving heat source; the right-hand side
    of each system depends on the previous solution, so the sequence is stateful
    (``current()`` / ``advance(u)``) and the context is ``kappa(t)``.

  Both yield :class:`LinearSystemInstance` records ``(A, b, context, x0, index)``.

Unknowns are numbered in the natural ordering: the grid point with indices ``(i, j)``
(``i`` along x, ``j`` along y, from 0) is unknown ``i + nx * j``, i.e. x varies fastest and
``u.reshape(ny, nx)[j, i]`` is its value; in 3-D ``(i, j, k)`` is ``i + nx * (j + ny * k)``.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import scipy.sparse as sp

from solvers.core.validation import check_callback_and_seed, check_option, check_scalar

__all__ = [
    "HeatEquationSequence", "LinearSystemInstance", "ShiftedLaplacianSequence", "bump",
    "grid_points", "laplacian_2d", "laplacian_3d", "poisson_2d", "poisson_3d",
    "sine_solution",
]


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def _check_size(value, name, lower=1):
    return check_scalar(value, name, lower=lower, integer=True)


def _check_callable(func, name):
    if func is not None and not callable(func):
        raise TypeError(f"{name} must be callable or None, got {type(func).__name__} {func!r}")
    return func


def _canonical(A):
    """``A`` as CSR float64 with sorted indices and no duplicate entries."""
    A = sp.csr_matrix(A, dtype=np.float64)
    A.sum_duplicates()
    A.sort_indices()
    return A


def _tridiag(m, diag=2.0, off=-1.0):
    """The ``m x m`` tridiagonal ``tridiag(off, diag, off)`` in CSR."""
    if m == 1:
        return sp.csr_matrix(np.array([[diag]]))
    return sp.diags([np.full(m - 1, off), np.full(m, diag), np.full(m - 1, off)], [-1, 0, 1],
                    shape=(m, m), format="csr", dtype=np.float64)


def _diagonal_positions(A):
    """Positions in ``A.data`` of the diagonal entries of the canonical CSR matrix ``A``
    (every diagonal entry must be stored)."""
    n = A.shape[0]
    rows = np.repeat(np.arange(n), np.diff(A.indptr))
    pos = np.flatnonzero(A.indices == rows)
    if pos.size != n:  # pragma: no cover - the Laplacians store every diagonal entry
        raise ValueError("every diagonal entry must be stored")
    return pos


def _evaluate(func, args, n, name):
    """``func(*args)`` broadcast to a finite float64 vector of length ``n``."""
    value = np.asarray(func(*args), dtype=np.float64)
    try:
        value = np.broadcast_to(value, (n,))
    except ValueError:
        raise ValueError(f"{name} must return a scalar or an array of shape ({n},), got shape "
                         f"{value.shape}") from None
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{name} returned NaN or inf values")
    return np.array(value, dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# Laplacians and Poisson problems
# ---------------------------------------------------------------------------------------------
def laplacian_2d(nx, ny=None):
    """The unscaled 5-point Laplacian on an ``nx``-by-``ny`` interior grid.

    Diagonal 4, -1 for each of the (up to) four grid neighbours, zero Dirichlet boundary,
    natural ordering (point ``(i, j)`` is unknown ``i + nx * j``). Built as the Kronecker sum
    ``I_ny (x) T_nx + T_ny (x) I_nx`` of the 1-D tridiagonals ``T_m = tridiag(-1, 2, -1)``;
    it equals MATLAB's ``delsq(numgrid('S', nx + 2))`` up to the ordering of the unknowns.

    Parameters
    ----------
    nx : int >= 1
        Interior points along x.
    ny : int >= 1, optional
        Interior points along y (default ``nx``).

    Returns
    -------
    scipy.sparse.csr_matrix of shape (nx * ny, nx * ny), float64
        Symmetric positive definite with sorted indices; every diagonal entry is stored. Its
        eigenvalues are ``4 - 2 cos(pi p / (nx + 1)) - 2 cos(pi q / (ny + 1))``,
        ``1 <= p <= nx``, ``1 <= q <= ny``.

    References
    ----------
    Y. Saad, *Iterative Methods for Sparse Linear Systems*, 2nd ed., SIAM 2003, section 2.2.
    Used as ``L`` in :class:`ShiftedLaplacianSequence` (Khodak et al., ICLR 2024).

    Examples
    --------
    >>> from problems.linear_systems import laplacian_2d
    >>> laplacian_2d(2).toarray()
    array([[ 4., -1., -1.,  0.],
           [-1.,  4.,  0., -1.],
           [-1.,  0.,  4., -1.],
           [ 0., -1., -1.,  4.]])
    """
    nx = _check_size(nx, "nx")
    ny = nx if ny is None else _check_size(ny, "ny")
    Tx, Ty = _tridiag(nx), _tridiag(ny)
    L = (sp.kron(sp.identity(ny, format="csr"), Tx, format="csr")
         + sp.kron(Ty, sp.identity(nx, format="csr"), format="csr"))
    return _canonical(L)


def laplacian_3d(nx, ny=None, nz=None):
    """The unscaled 7-point Laplacian on an ``nx``-by-``ny``-by-``nz`` interior grid.

    Diagonal 6, -1 for each of the (up to) six grid neighbours, zero Dirichlet boundary,
    natural ordering (point ``(i, j, k)`` is unknown ``i + nx * (j + ny * k)``), built as the
    Kronecker sum of the 1-D tridiagonals ``tridiag(-1, 2, -1)``.

    Parameters
    ----------
    nx : int >= 1
    ny, nz : int >= 1, optional
        Default ``nx``.

    Returns
    -------
    scipy.sparse.csr_matrix of shape (nx * ny * nz,) * 2, float64
        Symmetric positive definite with sorted indices and every diagonal entry stored.
    """
    nx = _check_size(nx, "nx")
    ny = nx if ny is None else _check_size(ny, "ny")
    nz = nx if nz is None else _check_size(nz, "nz")
    Ixy = sp.identity(nx * ny, format="csr")
    L = (sp.kron(sp.identity(nz, format="csr"), laplacian_2d(nx, ny), format="csr")
         + sp.kron(_tridiag(nz), Ixy, format="csr"))
    return _canonical(L)


def grid_points(nx, dim=2):
    """Coordinates of the interior points of the uniform grid on the unit square / cube.

    The spacing is ``h = 1/(nx + 1)`` and the points are ``(i h, j h[, k h])``,
    ``1 <= i, j, k <= nx``, in the natural ordering of :func:`laplacian_2d` /
    :func:`laplacian_3d` (x fastest).

    Parameters
    ----------
    nx : int >= 1
        Interior points per dimension.
    dim : {2, 3}

    Returns
    -------
    tuple of ``dim`` arrays of shape (nx**dim,)
        ``(x, y)`` or ``(x, y, z)``.
    """
    nx = _check_size(nx, "nx")
    check_option(dim, "dim", (2, 3))
    t = np.arange(1, nx + 1) / (nx + 1)
    # meshgrid with 'ij' on reversed axes makes the first coordinate vary fastest
    grids = np.meshgrid(*([t] * dim), indexing="ij")
    return tuple(g.ravel() for g in reversed(grids))


def sine_solution(nx, dim=2):
    """``u(x) = prod_k sin(pi x_k)`` at the interior grid points (see :func:`grid_points`).

    The exact solution of the default Poisson problems :func:`poisson_2d` (``dim=2``) and
    :func:`poisson_3d` (``dim=3``); the discrete solutions differ from it by O(h^2).

    Returns
    -------
    ndarray of shape (nx**dim,)
    """
    return np.prod(np.sin(np.pi * np.vstack(grid_points(nx, dim))), axis=0)


def _poisson(nx, f, dim):
    nx = _check_size(nx, "nx")
    _check_callable(f, "f")
    h = 1.0 / (nx + 1)
    # a scalar multiple keeps the canonical CSR form of the Laplacians
    A = (laplacian_2d(nx) if dim == 2 else laplacian_3d(nx)) * (1.0 / h**2)
    if f is None:
        b = dim * np.pi**2 * sine_solution(nx, dim)
    else:
        b = _evaluate(f, grid_points(nx, dim), A.shape[0], "f")
    return A, b


def poisson_2d(nx, f=None):
    """The Poisson problem ``-Laplace(u) = f`` on the unit square, zero Dirichlet data.

    Five-point differences on the ``nx``-by-``nx`` interior grid with ``h = 1/(nx + 1)``.

    Parameters
    ----------
    nx : int >= 1
        Interior points per dimension (``n = nx**2`` unknowns).
    f : callable, optional
        ``f(x, y)`` on coordinate arrays of shape (n,) (see :func:`grid_points`), returning a
        scalar or an array of shape (n,). Default ``2 pi^2 sin(pi x) sin(pi y)``, whose exact
        solution is ``sin(pi x) sin(pi y)`` (:func:`sine_solution`).

    Returns
    -------
    A : scipy.sparse.csr_matrix of shape (n, n)
        ``laplacian_2d(nx) / h^2``, symmetric positive definite.
    b : ndarray of shape (n,)
        ``f`` at the interior grid points.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.sparse.linalg import spsolve
    >>> from problems.linear_systems import poisson_2d, sine_solution
    >>> A, b = poisson_2d(31)
    >>> bool(np.max(np.abs(spsolve(A.tocsc(), b) - sine_solution(31))) < 1e-3)
    True
    """
    return _poisson(nx, f, 2)


def poisson_3d(nx, f=None):
    """The Poisson problem ``-Laplace(u) = f`` on the unit cube, zero Dirichlet data.

    Seven-point differences on the ``nx**3`` interior grid with ``h = 1/(nx + 1)``; ``f`` is
    called as ``f(x, y, z)`` and defaults to ``3 pi^2 sin(pi x) sin(pi y) sin(pi z)`` (exact
    solution :func:`sine_solution` with ``dim=3``). Returns ``(A, b)`` with
    ``A = laplacian_3d(nx) / h^2``; see :func:`poisson_2d`.
    """
    return _poisson(nx, f, 3)


# ---------------------------------------------------------------------------------------------
# sequences of linear systems (Khodak et al., ICLR 2024)
# ---------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class LinearSystemInstance:
    """One system ``A x = b`` of a sequence, with its context.

    Attributes
    ----------
    A : scipy.sparse.csr_matrix of shape (n, n)
        A fresh matrix (callers may keep or modify it).
    b : ndarray of shape (n,)
    context : float
        The scalar side information of a contextual bandit (the shift ``c_t`` or the
        diffusion coefficient ``kappa(t)``).
    x0 : ndarray of shape (n,) or None
        The suggested starting point (None: zeros).
    index : int
        The position ``t`` in the sequence, from 0.
    """

    A: sp.csr_matrix
    b: np.ndarray
    context: float
    x0: np.ndarray | None
    index: int


def _csr_like(pattern, data):
    """A fresh CSR matrix with ``pattern``'s sparsity (copied index arrays) and ``data``."""
    A = sp.csr_matrix((data, pattern.indices.copy(), pattern.indptr.copy()),
                      shape=pattern.shape)
    A.has_sorted_indices = True
    return A


_BETA_LAWS = {"high": (0.5, 1.5), "low": (2.0, 6.0)}


class ShiftedLaplacianSequence:
    """The i.i.d. sequence of diagonally shifted Laplacians of Khodak et al. (ICLR 2024).

    ``A_t = L + c_t I`` with ``L = laplacian_2d(nx)`` and ``c_t = -0.15 + 0.6 B_t``, where
    ``B_t ~ Beta(1/2, 3/2)`` (``law="high"``, high variance) or ``Beta(2, 6)`` (``law="low"``);
    both laws have mean 1/4, so ``E c_t = 0``, and ``c_t`` lies in ``(-0.15, 0.45)``. The
    right-hand side ``b_t`` is standard normal in ``R^n`` truncated radially to the ball
    ``||b|| <= sqrt(n)`` (resampled until it falls inside), and ``x0`` is None (start at
    zero). The context is ``c_t``.

    The smallest eigenvalue of ``L`` is ``4 - 4 cos(pi / (nx + 1))``, about 0.162 for the
    paper's ``nx = 10``, so every ``A_t`` is symmetric positive definite for ``nx <= 10``; for
    larger grids ``A_t`` can be indefinite (SOR's convergence guarantee is then lost).

    Parameters
    ----------
    nx : int >= 1, default 10
        Interior grid points per dimension (``n = nx**2``).
    T : int >= 1, default 5000
        Number of systems.
    law : {"high", "low"}, default "high"
        Variance of the shift distribution.
    random_state : None, int or numpy Generator
        Seeds the sequence. All shifts are drawn at construction and each ``b_t`` comes from
        its own stream (derived from one seed drawn at construction), so iterating twice, or
        indexing ``seq[t]``, gives the same systems.

    Attributes
    ----------
    n : int
        Size of the systems.
    T : int
    contexts : ndarray of shape (T,)
        The shifts ``c_t`` (a copy).
    context_bounds : tuple of float
        ``(-0.15, 0.45)``, the support of ``c_t``.
    laplacian : scipy.sparse.csr_matrix
        ``L`` (a copy).

    Examples
    --------
    >>> from problems.linear_systems import ShiftedLaplacianSequence
    >>> seq = ShiftedLaplacianSequence(T=3, random_state=0)
    >>> [inst.A.shape for inst in seq]
    [(100, 100), (100, 100), (100, 100)]

    References
    ----------
    Khodak, Chow, Balcan, Talwalkar, ICLR 2024 (arXiv:2310.02246), section 6 (the diagonally
    shifted Laplacians of the SOR and SSOR-PCG experiments).
    """

    context_bounds = (-0.15, 0.45)

    def __init__(self, nx=10, T=5000, law="high", random_state=None):
        self.nx = _check_size(nx, "nx")
        self.T = _check_size(T, "T")
        self.law = check_option(law, "law", tuple(_BETA_LAWS))
        check_callback_and_seed(None, random_state)
        rng = np.random.default_rng(random_state)
        a, b = _BETA_LAWS[law]
        lo, hi = self.context_bounds
        self._contexts = lo + (hi - lo) * rng.beta(a, b, size=self.T)
        self._seed = int(rng.integers(0, 2**63 - 1))
        self._L = laplacian_2d(self.nx)
        self._diag = _diagonal_positions(self._L)
        self.n = self._L.shape[0]

    @property
    def contexts(self):
        return self._contexts.copy()

    @property
    def laplacian(self):
        return self._L.copy()

    def __len__(self):
        return self.T

    def _rhs(self, t):
        """``b_t``: standard normal, resampled until ``||b_t|| <= sqrt(n)``."""
        rng = np.random.default_rng([self._seed, t])
        while True:
            b = rng.standard_normal(self.n)
            if b @ b <= self.n:
                return b

    def __getitem__(self, t):
        """The system ``t`` (``0 <= t < T``; negative indices count from the end)."""
        t = check_scalar(t, "t", integer=True)
        if not -self.T <= t < self.T:
            raise IndexError(f"index {t} out of range for a sequence of {self.T} systems")
        t %= self.T
        c = float(self._contexts[t])
        data = self._L.data.copy()
        data[self._diag] += c
        return LinearSystemInstance(A=_csr_like(self._L, data), b=self._rhs(t), context=c,
                                    x0=None, index=t)

    def __iter__(self):
        for t in range(self.T):
            yield self[t]

    def __repr__(self):
        return f"{type(self).__name__}(nx={self.nx}, T={self.T}, law={self.law!r})"


def bump(x, y, center, radius):
    """The smooth bump ``exp(1 - 1/(1 - min(1, ||p - center||^2 / radius^2)))`` at ``p = (x, y)``.

    Equal to 1 at the center and to 0 outside the open ball (evaluated without dividing by
    zero there). Used for the initial condition and the heat source of
    :class:`HeatEquationSequence`.

    Parameters
    ----------
    x, y : array_like of the same shape
    center : pair of float
    radius : float > 0

    Returns
    -------
    ndarray of the shape of ``x``
    """
    radius = check_scalar(radius, "radius", lower=0.0, lower_inclusive=False)
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    r2 = ((x - center[0]) ** 2 + (y - center[1]) ** 2) / radius**2
    out = np.zeros(np.broadcast(x, y).shape)
    inside = r2 < 1.0
    out[inside] = np.exp(1.0 - 1.0 / (1.0 - r2[inside]))
    return out


def _default_kappa(t):
    s = math.sin(2.0 * math.pi * t)
    return max(0.1 * s, -10.0 * s)


def _default_forcing(t, x, y):
    center = (0.5 + math.cos(16.0 * math.pi * t) / 4.0, 0.5 + math.sin(16.0 * math.pi * t) / 4.0)
    return 32.0 * bump(x, y, center, 0.125)


def _default_initial(x, y):
    return bump(x, y, (0.5, 0.5), 0.25)


class HeatEquationSequence:
    """Crank-Nicolson steps of the 2-D heat equation, the time-dependent sequence of
    Khodak et al. (ICLR 2024).

    ``u_t = kappa(t) Laplace(u) + f(t, x)`` on the unit square, zero Dirichlet boundary,
    ``u(0, x) = u0(x)``. The grid has ``nx`` intervals per dimension, ``dx = 1/nx``, so the
    ``n = (nx - 1)^2`` unknowns sit at ``(i/nx, j/nx)``, ``1 <= i, j <= nx - 1``, in natural
    ordering (x fastest); ``L`` is the 5-point Laplacian scaled by ``1/dx^2`` (-4 on the
    diagonal, +1 off it: negative definite). With ``dt = stoptime / T``, the step from time
    ``t`` with ``s = t + dt/2`` and ``C = kappa(s) dt L / 2`` solves

        (I - C) u_next = (I + C) u + dt f(s, x),

    so system ``k`` is ``A = I - C``, ``b = (I + C) u_k + dt f(s, x)`` at ``t = k dt``. ``A`` is
    symmetric positive definite whenever ``kappa(s) >= 0``. The context is ``kappa(t)`` at the
    step's start (as in the paper), and ``x0`` is the current ``u`` (a warm start).

    Each right-hand side depends on the previous solution, so the sequence is stateful:
    :meth:`current` returns system ``k`` and :meth:`advance` takes its solution and moves to
    ``k + 1``. Iterating follows the same protocol and raises RuntimeError if an item is
    requested before :meth:`advance` was called::

        for inst in seq:
            res = solvers.sor(inst.A, inst.b, omega=1.5, x0=inst.x0)
            seq.advance(res.x)

    Iteration continues from the current step; :meth:`reset` starts over.

    Parameters
    ----------
    nx : int >= 3, default 100
        Grid intervals per dimension (``n = (nx - 1)^2`` unknowns).
    T : int >= 1, default 5000
        Number of time steps (systems).
    stoptime : float > 0, default 5.0
    kappa : callable, optional
        ``kappa(t) -> float``, the diffusion coefficient. Default
        ``max(0.1 sin(2 pi t), -10 sin(2 pi t))`` (nonnegative: weak diffusion during half a
        period, strong during the other half).
    forcing : callable, optional
        ``forcing(t, x, y)`` on coordinate arrays of shape (n,), returning a scalar or an array
        of shape (n,). Default ``32 bump(x, y; c(t), 1/8)`` with the center
        ``c(t) = (1/2 + cos(16 pi t)/4, 1/2 + sin(16 pi t)/4)`` circling the middle (see
        :func:`bump`).
    initial : callable, optional
        ``initial(x, y)``, the initial condition. Default ``bump(x, y; (1/2, 1/2), 1/4)``.

    Attributes
    ----------
    n, T, nx : int
    dt, dx : float
    step : int
        The index of the current system.
    t : float
        The current time ``step * dt``.
    u : ndarray of shape (n,)
        A copy of the current solution.
    points : tuple of two ndarray
        The coordinates ``(x, y)`` of the unknowns.
    context_bounds : tuple of float
        Min and max of ``kappa`` over the ``T`` step start times ``k dt``.
    contexts : ndarray of shape (T,)
        ``kappa(k dt)``, the context of every step (evaluated once, at construction).

    References
    ----------
    Khodak, Chow, Balcan, Talwalkar, ICLR 2024 (arXiv:2310.02246), section 6 and appendix
    (the heat-equation sequence). J. Crank, P. Nicolson, Proc. Camb. Phil. Soc. 43, 1947.
    """

    def __init__(self, nx=100, T=5000, stoptime=5.0, kappa=None, forcing=None, initial=None):
        self.nx = _check_size(nx, "nx", lower=3)
        self.T = _check_size(T, "T")
        self.stoptime = check_scalar(stoptime, "stoptime", lower=0.0, lower_inclusive=False)
        self.kappa = _check_callable(kappa, "kappa") or _default_kappa
        self.forcing = _check_callable(forcing, "forcing") or _default_forcing
        self.initial = _check_callable(initial, "initial") or _default_initial
        self.dt = self.stoptime / self.T
        self.dx = 1.0 / self.nx
        self._L = laplacian_2d(self.nx - 1) * (-1.0 / self.dx**2)
        self.n = self._L.shape[0]
        self._I_data = np.zeros_like(self._L.data)
        self._I_data[_diagonal_positions(self._L)] = 1.0
        self.points = grid_points(self.nx - 1, 2)
        self._u0 = _evaluate(self.initial, self.points, self.n, "initial")
        # kappa at every step's start: the contexts, evaluated (and checked) once
        self._contexts = np.array([self._kappa_at(k * self.dt) for k in range(self.T)])
        self.context_bounds = (float(self._contexts.min()), float(self._contexts.max()))
        self._version = 0
        self.reset()

    def _kappa_at(self, t):
        value = self.kappa(t)
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"kappa must return a real number, got {value!r}") from None
        if not math.isfinite(value):
            raise ValueError(f"kappa({t}) = {value} is not finite")
        return value

    def reset(self):
        """Go back to the first system (``t = 0``, ``u = u0``)."""
        self._step = 0
        self._u = self._u0.copy()
        self._version += 1

    @property
    def step(self):
        return self._step

    @property
    def t(self):
        return self._step * self.dt

    @property
    def contexts(self):
        """``kappa(t)`` at the start of every step, the contextual learners' feature (a copy)."""
        return self._contexts.copy()

    @property
    def u(self):
        return self._u.copy()

    @property
    def laplacian(self):
        """The scaled (negative definite) Laplacian ``L`` (a copy)."""
        return self._L.copy()

    def __len__(self):
        return self.T

    def current(self):
        """The system of the current step.

        Returns
        -------
        LinearSystemInstance
            ``A = I - C``, ``b = (I + C) u + dt f(s, x)`` with ``C = kappa(s) dt L / 2`` and
            ``s = t + dt/2``; ``context = kappa(t)``, ``x0`` a copy of ``u``, ``index`` the
            step.

        Raises
        ------
        RuntimeError
            After all ``T`` systems (call :meth:`reset`).
        """
        if self._step >= self.T:
            raise RuntimeError(f"all {self.T} systems of the sequence have been produced; "
                               "call reset() to start over")
        t = self.t
        s = t + 0.5 * self.dt
        coef = 0.5 * self._kappa_at(s) * self.dt
        A = _csr_like(self._L, self._I_data - coef * self._L.data)
        f = _evaluate(self.forcing, (s,) + self.points, self.n, "forcing")
        b = self._u + coef * (self._L @ self._u) + self.dt * f
        return LinearSystemInstance(A=A, b=b, context=float(self._contexts[self._step]),
                                    x0=self._u.copy(), index=self._step)

    def advance(self, u):
        """Accept ``u`` as the solution of the current system and move to the next one.

        Parameters
        ----------
        u : array_like of shape (n,)
            Finite; copied.

        Raises
        ------
        ValueError
            Wrong shape or NaN / inf entries.
        RuntimeError
            After all ``T`` systems.
        """
        u = np.asarray(u)
        if u.shape != (self.n,):
            raise ValueError(f"u must have shape ({self.n},), got {u.shape}")
        if not (np.issubdtype(u.dtype, np.number) and not np.iscomplexobj(u)):
            raise TypeError(f"u must hold real numbers, got dtype {u.dtype}")
        if not np.all(np.isfinite(u)):
            raise ValueError("u contains NaN or inf (did the solver diverge?)")
        if self._step >= self.T:
            raise RuntimeError(f"all {self.T} systems of the sequence have been solved; "
                               "call reset() to start over")
        self._u = np.array(u, dtype=np.float64)
        self._step += 1
        self._version += 1

    def __iter__(self):
        while self._step < self.T:
            version = self._version
            yield self.current()
            if self._version == version:
                raise RuntimeError("call advance(x) with the solution of the current system "
                                   "before requesting the next one: for inst in seq: "
                                   "x = solve(inst.A, inst.b, x0=inst.x0); seq.advance(x)")

    def __repr__(self):
        return (f"{type(self).__name__}(nx={self.nx}, T={self.T}, stoptime={self.stoptime}, "
                f"step={self._step})")
