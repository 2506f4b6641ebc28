"""Equality-constrained test problems ``min f(x)`` subject to ``c(x) = 0``.

Both classes follow the equality-constrained protocol of DESIGN section 3 and are written for
:func:`solvers.exact_al`: the object is its own smooth part (``f`` returns ``self``, with
``value``, ``grad``, ``value_and_grad``, ``hvp`` and ``hess``) and adds ``c``, ``jac``,
``hess_lagrangian``, ``hvp_lagrangian``, ``n``, ``m``, ``x0``, ``lam0`` and ``f_star``. The
Lagrangian is ``L(x, lam) = f(x) + lam^T c(x)``.

:class:`ConstrainedLogistic`
    Logistic regression on a LIBSVM-type data set with ``n_linear`` random Gaussian linear
    constraints and the unit-sphere constraint ``||w||^2 = 1``.
:class:`PoissonControl`
    Distributed control of the 2-D Poisson equation with homogeneous Dirichlet data,
    discretized by the 5-point stencil (optionally with a cubic reaction term); sparse
    Jacobian and Lagrangian Hessian, scalable to large grids.

Both are the test problems of section 5 of

    I. Hong, S. Na, M. W. Mahoney and M. Kolar, "Constrained optimization via exact augmented
    Lagrangian and randomized iterative sketching", ICML 2023, arXiv:2305.18379,

whose exact settings (taken from the authors' Julia code, github.com/IlgeeHong/AdaSketch-Newton)
are recorded in each class's Notes. Everything here runs on the CPU (numpy / scipy.sparse);
the caller's arrays are never modified and a sparse design is never densified.
"""
from __future__ import annotations

import math
import numbers

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from solvers.core.validation import (check_callback_and_seed, check_matrix, check_option,
                                     check_scalar, check_vector)

from .linear_systems import laplacian_2d
from .smooth import Logistic

__all__ = ["ConstrainedLogistic", "PoissonControl"]


class _EqualityProblem:
    """Shared members: point / multiplier checks, ``f`` (the problem itself), start copies."""

    n: int
    m: int
    f_star = None

    @property
    def f(self):
        """The smooth part: the problem itself."""
        return self

    @property
    def x0(self):
        """The starting point (a fresh copy on each access)."""
        return self._x0.copy()

    @property
    def lam0(self):
        """The starting multipliers (a fresh copy on each access)."""
        return self._lam0.copy()

    def _check(self, x, name="x"):
        x = np.asarray(x, dtype=np.float64)
        if x.shape != (self.n,):
            raise ValueError(f"{type(self).__name__}: {name} has shape {x.shape}, expected "
                             f"({self.n},) (the problem has n = {self.n} variables)")
        return x

    def _check_lam(self, lam):
        lam = np.asarray(lam, dtype=np.float64)
        if lam.shape != (self.m,):
            raise ValueError(f"{type(self).__name__}: lam has shape {lam.shape}, expected "
                             f"({self.m},) (the problem has m = {self.m} constraints)")
        return lam


def _rng(random_state):
    check_callback_and_seed(None, random_state)
    return np.random.default_rng(random_state)


# ---------------------------------------------------------------------------------------------
# Constrained logistic regression
# ---------------------------------------------------------------------------------------------
class ConstrainedLogistic(_EqualityProblem):
    r"""Logistic regression with random linear constraints and a unit-norm constraint.

    .. math::

        \min_{w \in \mathbb{R}^d} \; \frac1N \sum_{i=1}^N \log(1 + e^{-y_i x_i^T w})
        \quad \text{s.t.} \quad A w = b, \quad \|w\|^2 = 1,

    with ``A`` an ``(n_linear, d)`` matrix of independent standard normal entries; the
    constraint vector is ``c(w) = (A w - b, ||w||^2 - 1)``, so ``m = n_linear + 1`` and the
    multiplier of the sphere constraint is ``lam[-1]``.

    Parameters
    ----------
    X : ndarray or scipy sparse matrix of shape (N, d)
        The design. A sparse matrix stays sparse (CSC/COO/... are converted to CSR once, a
        float32 one to float64; it is never densified); all products are ``X @ v`` and
        ``X.T @ v``.
    y : array of shape (N,)
        Labels in {-1, +1}; other values raise (map them first with
        :func:`problems.datasets.normalize_labels`).
    n_linear : int, default 10
        Number of Gaussian linear constraints, ``0 <= n_linear < d`` (10 in the paper).
    rhs : {"sphere", "gaussian"}, default "sphere"
        How ``b`` is drawn. ``"sphere"``: ``b = A w_planted`` with ``w_planted`` uniform on the
        unit sphere, so the feasible set always contains ``w_planted``. ``"gaussian"``:
        ``b ~ N(0, I)`` independent of ``A``, as in the paper's code; then the feasible set is
        nonempty only when the minimum-norm solution of ``A w = b`` has norm below 1 (usual
        when ``d`` is much larger than ``n_linear``), which is checked.
    random_state : None, int or numpy.random.Generator
        Seed for ``A`` and ``b`` (``A`` is drawn first, then ``b`` or ``w_planted``).

    Attributes
    ----------
    n, m : int
        ``d`` and ``n_linear + 1``.
    X : ndarray or scipy.sparse.csr_matrix
        The validated design (the caller's dense float64 array itself when no conversion was
        needed; it is only read).
    y : ndarray
        The labels.
    A : ndarray of shape (n_linear, d)
    b : ndarray of shape (n_linear,)
    w_planted : ndarray of shape (d,) or None
        The planted feasible point for ``rhs="sphere"``, else None.
    loss : problems.Logistic
        The objective as a :class:`problems.Logistic` smooth part.
    x0 : ndarray
        ``ones(d)``, the starting point of the paper's code (infeasible: ``||x0||^2 = d``).
    lam0 : ndarray
        ``ones(m)``, the starting multipliers of the paper's code.
    f_star : None
        No established optimal value (the problem is nonconvex).

    Raises
    ------
    ValueError
        If ``X`` is not a finite 2-D matrix, ``y`` does not have ``N`` entries in {-1, +1},
        ``n_linear`` is not in ``[0, d)``, ``rhs`` is unknown, or ``rhs="gaussian"`` gives
        constraints that miss the unit sphere.
    TypeError
        If ``X`` is not an array or a sparse matrix, ``n_linear`` is not an integer, or
        ``random_state`` is not None, an int or a Generator.

    Notes
    -----
    The Hessian of ``f`` is ``X^T D X / N`` with ``D = diag(sigma(z)(1 - sigma(z)))``,
    ``z = X w``; :meth:`hess` returns it dense (for a sparse ``X`` with up to
    :attr:`problems.Logistic.DENSE_HESSIAN_MAX_FEATURES` columns it is accumulated row by row
    from the CSR arrays, never through a dense copy of ``X``; above that it is sparse). The
    Hessian of the Lagrangian adds ``2 lam[-1] I`` (the linear constraints have no curvature).

    In the paper's experiments (section 5.2; authors' code) the data sets are
    ionosphere_scale, mushrooms, phishing, sonar_scale, splice_scale, a9a and w8a, with
    ``n_linear = 10``, ``A`` and ``b`` standard normal, and the start ``w = 1``, ``lam = 1``.
    ``rhs="gaussian"`` reproduces that draw; the default ``"sphere"`` guarantees a feasible
    problem for every ``d > n_linear``.

    References
    ----------
    I. Hong, S. Na, M. W. Mahoney and M. Kolar, "Constrained optimization via exact augmented
    Lagrangian and randomized iterative sketching", ICML 2023, arXiv:2305.18379, section 5.

    Examples
    --------
    >>> import numpy as np
    >>> from problems.constrained import ConstrainedLogistic
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 8)); y = np.sign(rng.standard_normal(50))
    >>> p = ConstrainedLogistic(X, y, n_linear=3, random_state=0)
    >>> p.n, p.m, p.c(p.w_planted).round(12).tolist()
    (8, 4, [0.0, 0.0, 0.0, 0.0])
    """

    RHS = ("sphere", "gaussian")

    def __init__(self, X, y, *, n_linear=10, rhs="sphere", random_state=None):
        X = check_matrix(X, "X", backend="cpu")
        if sp.issparse(X):
            if X.format != "csr":
                X = X.tocsr()
            if X.dtype != np.float64:
                X = X.astype(np.float64)
        elif X.dtype != np.float64:
            X = np.ascontiguousarray(X, dtype=np.float64)
        n_samples, d = X.shape
        y = check_vector(y, "y", backend="cpu")
        if y.shape[0] != n_samples:
            raise ValueError(f"y has length {y.shape[0]} but X has {n_samples} rows; they must "
                             "describe the same samples")
        y = y.astype(np.float64, copy=False)
        if not np.all(np.abs(y) == 1):
            found = np.unique(y)[:5].tolist()
            raise ValueError(f"y must hold labels -1 and +1 for ConstrainedLogistic, found "
                             f"{found}; map them with "
                             "problems.datasets.normalize_labels(y, 'binary')")
        if isinstance(n_linear, bool) or not isinstance(n_linear, numbers.Integral):
            raise TypeError(f"n_linear must be an integer, got {n_linear!r}")
        n_linear = int(n_linear)
        if not 0 <= n_linear < d:
            raise ValueError(f"n_linear must satisfy 0 <= n_linear < d = {d} (the number of "
                             f"features), got {n_linear}")
        self.rhs = check_option(rhs, "rhs", self.RHS)
        rng = _rng(random_state)

        self.X, self.y = X, y
        self.n_samples = n_samples
        self.n_linear = n_linear
        self.n, self.m = d, n_linear + 1
        self.loss = Logistic(X, y, backend="cpu")

        self.A = rng.standard_normal((n_linear, d))
        if self.rhs == "sphere":
            w = rng.standard_normal(d)
            self.w_planted = w / np.linalg.norm(w)
            self.b = self.A @ self.w_planted
        else:
            self.w_planted = None
            self.b = rng.standard_normal(n_linear)
            if n_linear:
                w_mn = np.linalg.lstsq(self.A, self.b, rcond=None)[0]
                norm = float(np.linalg.norm(w_mn))
                if not norm < 1.0:
                    raise ValueError(
                        f"rhs='gaussian': the constraints A w = b miss the unit sphere (the "
                        f"minimum-norm solution has norm {norm:.3g} >= 1), so the problem is "
                        "infeasible; use rhs='sphere', a smaller n_linear or another "
                        "random_state")
        self._x0 = np.ones(d)
        self._lam0 = np.ones(self.m)

    @classmethod
    def from_libsvm(cls, name, *, data_home=None, n_linear=10, rhs="sphere", random_state=0,
                    download=True):
        """The problem on a binary LIBSVM data set loaded by :func:`problems.datasets.load_libsvm`.

        Parameters
        ----------
        name : str or path-like
            A registered binary data set (e.g. ``"a9a"``, ``"mushrooms"``, ``"w8a"``), or a
            file path.
        data_home : str or path-like, optional
            Where the data sets live (default: ``OPTSUITE_DATA``, then ``~/optsuite_data``).
        n_linear, rhs, random_state
            As for the constructor (``random_state`` defaults to 0 here, so the instance is
            reproducible).
        download : bool, default True
            Passed to :func:`~problems.datasets.load_libsvm`.

        Returns
        -------
        ConstrainedLogistic
            With ``X`` the CSR design and ``y`` the labels mapped to -1/+1.
        """
        from .datasets import load_libsvm
        X, y = load_libsvm(name, data_home=data_home, task="binary", download=download)
        return cls(X, y, n_linear=n_linear, rhs=rhs, random_state=random_state)

    # smooth part ------------------------------------------------------------------------
    def value(self, x):
        """``f(x) = (1/N) sum_i log(1 + exp(-y_i x_i^T x))``."""
        return self.loss.value(self._check(x))

    def grad(self, x):
        """``grad f(x) = -(1/N) X^T (y * sigma(-y * X x))`` (a new array)."""
        return np.asarray(self.loss.grad(self._check(x)))

    def value_and_grad(self, x):
        """``(f(x), grad f(x))`` from one product with ``X`` and one with ``X^T``."""
        val, g = self.loss.value_and_grad(self._check(x))
        return val, np.asarray(g)

    def hvp(self, x, v):
        """``hess f(x) @ v = X^T D X v / N``."""
        return np.asarray(self.loss.hvp(self._check(x), self._check(v, "v")))

    def hess(self, x):
        """``hess f(x) = X^T D X / N``, dense ``(d, d)`` (sparse above
        ``Logistic.DENSE_HESSIAN_MAX_FEATURES`` features of a sparse ``X``)."""
        return self.loss.hess(self._check(x))

    # constraints ------------------------------------------------------------------------
    def c(self, x):
        """``c(x) = (A x - b, ||x||^2 - 1)``, length ``m``."""
        x = self._check(x)
        return np.concatenate([self.A @ x - self.b, [x @ x - 1.0]])

    def jac(self, x):
        """The dense ``(m, d)`` Jacobian ``[A; 2 x^T]``."""
        x = self._check(x)
        return np.vstack([self.A, 2.0 * x[None, :]])

    def hess_lagrangian(self, x, lam):
        """``hess f(x) + 2 lam[-1] I`` (dense, or sparse where :meth:`hess` is)."""
        x, lam = self._check(x), self._check_lam(lam)
        H = self.hess(x)
        if sp.issparse(H):
            return sp.csr_matrix(H + 2.0 * lam[-1] * sp.identity(self.n, format="csr"))
        H = np.array(H, dtype=np.float64)
        H[np.diag_indices(self.n)] += 2.0 * lam[-1]
        return H

    def hvp_lagrangian(self, x, lam, v):
        """``hess_lagrangian(x, lam) @ v`` without forming the Hessian."""
        x, lam, v = self._check(x), self._check_lam(lam), self._check(v, "v")
        return np.asarray(self.loss.hvp(x, v)) + 2.0 * lam[-1] * v

    def __repr__(self):
        kind = "sparse" if sp.issparse(self.X) else "dense"
        return (f"ConstrainedLogistic({kind} X of shape {self.X.shape}, n_linear="
                f"{self.n_linear}, rhs={self.rhs!r})  # n={self.n}, m={self.m}")


# ---------------------------------------------------------------------------------------------
# Poisson control
# ---------------------------------------------------------------------------------------------
def _hong2023_target(N):
    """The paper's target ``sin(4 + s (i - (N+1)/2)) + cos(3 + s (j - (N+1)/2))``,
    ``s = 0.1 / sqrt(15)``, ``i, j = 1..N`` (``i`` along x, the fastest index)."""
    s = 0.1 / math.sqrt(15.0)
    k = np.arange(1, N + 1) - (N + 1) / 2.0
    return (np.sin(4.0 + s * k)[None, :] + np.cos(3.0 + s * k)[:, None]).ravel()


class PoissonControl(_EqualityProblem):
    r"""Distributed control of the 2-D Poisson equation, discretized by finite differences.

    On the square :math:`\Omega = (0, \ell)^2` with an ``N x N`` interior grid,
    ``h = ell / (N + 1)``, the unknowns are the state ``y`` and the control ``u`` at the
    grid points, ``x = (y, u)`` of length ``n = 2 N^2``, and the problem is

    .. math::

        \min_{y, u} \; \frac{w}{2} \left( \|y - y_d\|^2 + \alpha \|u\|^2 \right)
        \quad \text{s.t.} \quad c(y, u) = L_h y + \kappa\, y^3 - u = 0,

    where ``L_h = laplacian_2d(N) / h^2`` is the 5-point discretization of ``-Laplace`` with
    homogeneous Dirichlet boundary (:func:`problems.linear_systems.laplacian_2d`, natural
    ordering: point ``(i, j)``, ``i`` along x, is unknown ``i + N j``), ``y^3`` is elementwise,
    and ``w = h^2`` (the midpoint quadrature of the L2 norms, so the values approximate
    ``1/2 ||y - y_d||_{L2}^2 + alpha/2 ||u||_{L2}^2`` on every grid) or ``w = 1``
    (``weighted=False``). There are ``m = N^2`` constraints. ``kappa = 0`` (default) is the
    linear-quadratic "mother problem" of PDE-constrained optimization; ``kappa > 0`` makes
    the state equation semilinear, ``-Laplace(y) + kappa y^3 = u``.

    Parameters
    ----------
    N : int >= 2, default 32
        Interior grid points per side.
    alpha : float > 0, default 1e-2
        Weight of the control cost.
    target : {"sine", "hong2023"}, callable or array, default "sine"
        The desired state ``y_d``. ``"sine"``: ``sin(pi x1 / ell) sin(pi x2 / ell)``;
        ``"hong2023"``: the paper's target (see Notes); a callable ``g(x1, x2)`` evaluated
        on the grid coordinate arrays; or an array of ``N^2`` values in the natural ordering
        (shape ``(N^2,)``, or ``(N, N)`` indexed ``[j, i]``).
    side : float > 0, default 1.0
        The side length ``ell`` of the square.
    weighted : bool, default True
        Scale the objective by ``w = h^2`` (True) or not (``w = 1``).
    cubic : float >= 0, default 0.0
        The reaction coefficient ``kappa``.

    Attributes
    ----------
    N, n, m : int
        ``N``, ``2 N^2``, ``N^2``.
    h, alpha, side, weight, cubic : float
        Mesh width, control weight, side length, objective scale ``w`` and ``kappa``.
    laplacian : scipy.sparse.csr_matrix of shape (N^2, N^2)
        ``L_h`` (symmetric positive definite).
    y_target : ndarray of shape (N^2,)
        ``y_d``.
    x0, lam0 : ndarray
        Zeros (``n`` and ``m``), except for :meth:`hong2023`.
    f_star : float or None
        The optimal value when ``cubic == 0`` (from :meth:`solution`, computed on first
        access), else None.

    Raises
    ------
    ValueError
        If ``N < 2``, ``alpha <= 0``, ``side <= 0``, ``cubic < 0``, the target is unknown,
        has the wrong size or is not finite.
    TypeError
        If ``N`` is not an integer, a number is not real, ``weighted`` is not a bool, or
        ``target`` is of an unsupported type.

    Notes
    -----
    :meth:`jac` returns the CSR matrix ``[L_h + 3 kappa diag(y^2), -I]`` (constant when
    ``kappa = 0``) and :meth:`hess_lagrangian` the diagonal CSR matrix
    ``diag(w + 6 kappa lam * y, w alpha)``; every operation is a vectorized array or sparse
    operation (no loop over grid points), so ``N = 64`` (``n = 8192``) and far beyond are
    cheap.

    For ``kappa = 0`` the KKT conditions ``w (y - y_d) + L_h lam = 0``, ``w alpha u - lam = 0``,
    ``L_h y = u`` reduce to the sparse symmetric positive definite system
    ``(I + alpha L_h^2) y = y_d``; :meth:`solution` solves it by one sparse LU factorization
    and returns ``x* = (y, L_h y)`` and ``lam* = w alpha u``. For the ``"sine"`` target the
    solution is also known in closed form: ``y_d`` is an eigenvector of ``L_h`` with eigenvalue
    ``mu = 8 sin^2(pi h / (2 ell)) / h^2``, so ``y* = y_d / (1 + alpha mu^2)``.

    The paper's instance (section 5.3; authors' Julia code ``PDE/*/Eval.jl``) is
    :meth:`hong2023`: ``N = 3`` (``n = 18``, ``m = 9``), ``h = 2 / (N + 1)`` (``side = 2``),
    objective ``1/2 (||y - y_d||^2 + 0.1 ||u||^2)`` without quadrature weights (``alpha =
    0.1``, ``weighted=False``), the linear state equation, target
    ``y_d[i, j] = sin(4 + s (i - (N+1)/2)) + cos(3 + s (j - (N+1)/2))`` with
    ``s = 0.1/sqrt(15)``, ``i, j = 1..N`` (``i`` the fastest index), and start ``x = 1``,
    ``lam = 1``. The paper writes the constraint as ``Delta_h y + u = -c(y, u)``, so its
    multipliers are the negatives of ours and its start ``lam = 1`` is our ``lam0 = -1``.

    References
    ----------
    I. Hong, S. Na, M. W. Mahoney and M. Kolar, "Constrained optimization via exact augmented
    Lagrangian and randomized iterative sketching", ICML 2023, arXiv:2305.18379, section 5.

    F. Tröltzsch, *Optimal Control of Partial Differential Equations*, AMS 2010, section 2.
    (the linear-quadratic elliptic control problem).

    Examples
    --------
    >>> from problems.constrained import PoissonControl
    >>> p = PoissonControl(N=8, alpha=1e-2)
    >>> x, lam = p.solution()
    >>> float(abs(p.c(x)).max()) < 1e-10
    True
    """

    TARGETS = ("sine", "hong2023")

    def __init__(self, N=32, *, alpha=1e-2, target="sine", side=1.0, weighted=True,
                 cubic=0.0):
        N = check_scalar(N, "N", integer=True)
        if N < 2:
            raise ValueError(f"N must be >= 2 (interior grid points per side), got {N}")
        self.alpha = check_scalar(alpha, "alpha", lower=0.0, lower_inclusive=False)
        self.side = check_scalar(side, "side", lower=0.0, lower_inclusive=False)
        self.cubic = check_scalar(cubic, "cubic", lower=0.0)
        if not isinstance(weighted, (bool, np.bool_)):
            raise TypeError(f"weighted must be True or False, got {weighted!r}")
        self.weighted = bool(weighted)
        self.N = N
        self.m = N * N
        self.n = 2 * self.m
        self.h = self.side / (N + 1)
        self.weight = self.h ** 2 if self.weighted else 1.0
        self.laplacian = laplacian_2d(N) / self.h ** 2
        self.laplacian.sort_indices()
        self._target_name = target if isinstance(target, str) else "custom"
        self.y_target = self._make_target(target)
        self.y_target.setflags(write=False)
        eye = sp.identity(self.m, format="csr")
        self._jac0 = sp.hstack([self.laplacian, -eye], format="csr")
        self._jac0.sort_indices()
        # positions in _jac0.data of the diagonal entries of the state block
        rows = np.repeat(np.arange(self.m), np.diff(self._jac0.indptr))
        self._diag_pos = np.flatnonzero(rows == self._jac0.indices)
        self._x0 = np.zeros(self.n)
        self._lam0 = np.zeros(self.m)
        self._solution = None

    @classmethod
    def hong2023(cls, N=3):
        """The PDE-constrained instance of Hong, Na, Mahoney and Kolar (ICML 2023).

        ``side=2`` (``h = 2/(N+1)``), ``alpha=0.1``, ``weighted=False``,
        ``target="hong2023"``, linear state equation, and the paper's start: ``x0 = ones(n)``
        and ``lam0 = -ones(m)`` (the paper's ``lam = 1`` under its opposite sign of ``c``).

        Parameters
        ----------
        N : int >= 2, default 3
            Interior grid points per side (3 in the paper).

        Returns
        -------
        PoissonControl
        """
        p = cls(N, alpha=0.1, target="hong2023", side=2.0, weighted=False)
        p._x0 = np.ones(p.n)
        p._lam0 = -np.ones(p.m)
        return p

    def _make_target(self, target):
        N = self.N
        if isinstance(target, str):
            check_option(target, "target", self.TARGETS)
            if target == "hong2023":
                return _hong2023_target(N)
            x1, x2 = self.grid()
            return np.sin(np.pi * x1 / self.side) * np.sin(np.pi * x2 / self.side)
        if callable(target):
            x1, x2 = self.grid()
            vals = np.array(target(x1, x2), dtype=np.float64)
            if vals.ndim == 0:
                vals = np.full(self.m, float(vals))
            if vals.shape != (self.m,):
                raise ValueError(f"target(x1, x2) returned shape {vals.shape}, expected "
                                 f"({self.m},) (one value per grid point)")
        elif isinstance(target, (np.ndarray, list, tuple)):
            vals = np.array(target, dtype=np.float64)  # a copy: the caller's array is kept
            if vals.shape == (N, N):
                vals = vals.ravel()
            if vals.shape != (self.m,):
                raise ValueError(f"target has shape {vals.shape}, expected ({self.m},) or "
                                 f"({N}, {N}) for N = {N}")
        else:
            raise TypeError(f"target must be 'sine', 'hong2023', a callable or an array, got "
                            f"{type(target).__name__}")
        if not np.all(np.isfinite(vals)):
            raise ValueError("target contains NaN or inf values")
        return vals

    def grid(self):
        """The coordinates ``(x1, x2)`` of the grid points, each of shape ``(N^2,)``, in the
        natural ordering (``x1`` varies fastest)."""
        t = self.h * np.arange(1, self.N + 1)
        return np.tile(t, self.N), np.repeat(t, self.N)

    def split(self, x):
        """``(y, u)``: views of the state and control parts of ``x``."""
        x = self._check(x)
        return x[:self.m], x[self.m:]

    # smooth part ------------------------------------------------------------------------
    def value(self, x):
        """``w/2 (||y - y_d||^2 + alpha ||u||^2)``."""
        y, u = self.split(x)
        r = y - self.y_target
        return 0.5 * self.weight * float(r @ r + self.alpha * (u @ u))

    def grad(self, x):
        """``w (y - y_d, alpha u)`` (a new array)."""
        y, u = self.split(x)
        return self.weight * np.concatenate([y - self.y_target, self.alpha * u])

    def value_and_grad(self, x):
        """``(value(x), grad(x))``."""
        return self.value(x), self.grad(x)

    def hvp(self, x, v):
        """``hess f @ v = w (v_y, alpha v_u)``."""
        self._check(x)
        v = self._check(v, "v")
        out = self.weight * v
        out[self.m:] *= self.alpha
        return out

    def hess(self, x):
        """``hess f = diag(w I, w alpha I)`` (constant), CSR."""
        self._check(x)
        d = np.full(self.n, self.weight)
        d[self.m:] *= self.alpha
        return sp.diags(d, format="csr")

    @property
    def lipschitz(self):
        """``w max(1, alpha)``, the largest eigenvalue of ``hess f``."""
        return self.weight * max(1.0, self.alpha)

    # constraints ------------------------------------------------------------------------
    def c(self, x):
        """``L_h y + kappa y^3 - u``, length ``m``."""
        y, u = self.split(x)
        out = self.laplacian @ y - u
        if self.cubic:
            out += self.cubic * y ** 3
        return out

    def jac(self, x):
        """The ``(m, n)`` CSR Jacobian ``[L_h + 3 kappa diag(y^2), -I]`` (a new matrix)."""
        y, _ = self.split(x)
        J = self._jac0.copy()
        if self.cubic:
            J.data[self._diag_pos] += 3.0 * self.cubic * y ** 2
        return J

    def hess_lagrangian(self, x, lam):
        """``diag(w + 6 kappa lam * y, w alpha)`` as an ``(n, n)`` CSR matrix."""
        y, _ = self.split(x)
        lam = self._check_lam(lam)
        d = np.full(self.n, self.weight)
        d[self.m:] *= self.alpha
        if self.cubic:
            d[:self.m] += 6.0 * self.cubic * lam * y
        return sp.diags(d, format="csr")

    def hvp_lagrangian(self, x, lam, v):
        """``hess_lagrangian(x, lam) @ v``."""
        y, _ = self.split(x)
        lam = self._check_lam(lam)
        v = self._check(v, "v")
        out = self.weight * v
        out[self.m:] *= self.alpha
        if self.cubic:
            out[:self.m] += 6.0 * self.cubic * lam * y * v[:self.m]
        return out

    # exact solution ---------------------------------------------------------------------
    def solution(self):
        """The exact KKT point ``(x*, lam*)`` of the discretized problem (``cubic == 0``).

        One sparse LU solve of the reduced SPD system ``(I + alpha L_h^2) y = y_d``, then
        ``u = L_h y`` and ``lam = w alpha u`` (see Notes of the class). The result is cached;
        fresh copies are returned.

        Returns
        -------
        x : ndarray of shape (n,)
        lam : ndarray of shape (m,)

        Raises
        ------
        NotImplementedError
            If ``cubic > 0`` (the state equation is nonlinear; use a solver).
        """
        if self.cubic:
            raise NotImplementedError("PoissonControl.solution() needs a linear state equation "
                                      f"(cubic = 0, got {self.cubic}); solve it with "
                                      "solvers.exact_al instead")
        if self._solution is None:
            L = self.laplacian
            M = sp.identity(self.m, format="csc") + self.alpha * (L @ L).tocsc()
            y = spla.spsolve(M, self.y_target)
            u = L @ y
            lam = self.weight * self.alpha * u
            self._solution = (np.concatenate([y, u]), lam)
        x, lam = self._solution
        return x.copy(), lam.copy()

    @property
    def f_star(self):
        """The optimal value (``cubic == 0``; computed once), else None."""
        if self.cubic:
            return None
        return self.value(self.solution()[0])

    def __repr__(self):
        return (f"PoissonControl(N={self.N}, alpha={self.alpha}, target="
                f"{self._target_name!r}, side={self.side}, weighted={self.weighted}, "
                f"cubic={self.cubic})  # n={self.n}, m={self.m}")
