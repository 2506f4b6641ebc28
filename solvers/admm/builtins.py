"""Built-in ADMM problems in the consensus form ``x - z = 0``: lasso / elastic net, group
lasso and L1-regularized logistic regression.

All of them run the engine of :mod:`solvers.admm.admm` (same scaled iteration, stopping rule,
adaptive penalty and history) with specialized updates: the x-update of the least-squares
problems solves ``(X^T X / n + rho I) x = X^T y / n + rho v`` through a factorization cached
until ``rho`` changes; the z-update is the prox of the penalty.

References
----------
S. Boyd et al., "Distributed optimization and statistical learning via the alternating
direction method of multipliers", Found. Trends Mach. Learn. 3(1), 2011: sections 6.4
(lasso, with the matrix-inversion-lemma x-update for wide data), 6.4.2 (group lasso), 4.2
(caching factorizations), 4.3 (inexact minimization) and 7.1 (L1 logistic regression).
"""
from __future__ import annotations

import math

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..backend import get_backend, is_gpu_array, resolve_backend
from ..core.monitor import Monitor
from ..core.validation import check_matrix, check_option, check_scalar, check_vector, check_x0
from ._common import check_admm_options
from .admm import LinearMap, _norm, admm_loop

__all__ = ["admm_lasso", "admm_group_lasso", "admm_logistic_l1"]

#: Largest min(n_samples, n_features) for which sparse X gets a dense Gram / kernel
#: matrix (at most 4000^2 doubles = 128 MB); above it ``factorization="auto"`` goes sparse.
DENSE_LIMIT = 4000
FACTORIZATIONS = ("auto", "gram", "kernel", "splu", "cg")
_EPS = float(np.finfo(np.float64).eps)


# --------------------------------------------------------------------------------------
# shared option handling and the run


def admm_options(rho, relaxation, adaptive_rho, rho_interval, abstol, reltol, tol, max_iter):
    """Validate the options the built-ins share (``relaxation`` is the engine's ``alpha``)."""
    rho, relaxation, abstol, reltol, adaptive_rho, rho_interval, max_iter = check_admm_options(
        rho, relaxation, abstol, reltol, adaptive_rho, rho_interval, tol, max_iter,
        alpha_name="relaxation")
    return dict(rho=rho, alpha=relaxation, rule=adaptive_rho, interval=rho_interval,
                abstol=abstol, reltol=reltol, max_iter=max_iter)


def run_builtin(name, x_update, z_update, Aop, z, u, opts, *, objective, solution, xp,
                x_shape, z_shape, n_c, callback, verbose, to_host, x=None):
    """Run :func:`~solvers.admm.admm.admm_loop` with a Monitor; return
    ``(mon, x, z, u, rho, fun, nit)``."""
    mon = Monitor(name, tol=1.0, max_iter=opts["max_iter"], measure_name="residual_ratio",
                  callback=callback, verbose=verbose, to_host=to_host)
    out = admm_loop(x_update, z_update, Aop, LinearMap.identity(-1.0, xp), None, z, u,
                    objective=objective, mon=mon, xp=xp, n_x=int(np.prod(x_shape)), n_c=n_c,
                    x_shape=x_shape, z_shape=z_shape, solution=solution, x=x, **opts)
    return (mon,) + out


def _placement(backend, *arrays):
    bk = resolve_backend(backend, *arrays)
    on_gpu = any(is_gpu_array(a) for a in arrays if a is not None)
    back = (lambda a: a) if (on_gpu or bk.name == "cpu") else get_backend("cpu").to_device
    return bk, back


def _design(X, y, bk):
    X = check_matrix(X, "X", backend=bk)
    if X.dtype != np.float64:
        X = X.astype(np.float64)
    y = check_vector(y, "y", size=X.shape[0], dtype=np.float64, backend=bk)
    return X, y


def soft_thresholder(bk):
    """``soft(v, t) = sign(v) max(|v| - t, 0)`` for scalar ``t``: the backend's kernel, but
    on the CPU two numpy passes below 20,000 entries, where the kernel's call overhead
    (about 20 us) would dominate an ADMM iteration."""
    kernel = bk.kernels.soft_threshold
    if bk.name != "cpu":
        return kernel

    def soft(v, t):
        if v.size >= 20_000:
            return kernel(v, t)
        return np.maximum(v - t, 0.0) + np.minimum(v + t, 0.0)
    return soft


# --------------------------------------------------------------------------------------
# dense Cholesky and CG, on numpy (scipy.linalg) or cupy


def cho_factor(M, xp):
    """Cholesky factor of an SPD matrix (overwrites ``M``)."""
    if xp is np:
        return sla.cho_factor(M, lower=True, overwrite_a=True, check_finite=False)
    return xp.linalg.cholesky(M)


def cho_solve(F, b, xp):
    """Solve with a factor from :func:`cho_factor`."""
    if xp is np:
        return sla.cho_solve(F, b, check_finite=False)
    from cupyx.scipy.linalg import solve_triangular  # pragma: no cover - GPU only

    t = solve_triangular(F, b, lower=True)
    return solve_triangular(F, t, lower=True, trans="T")


def spd_solve(M, b, xp):
    """Solve ``M x = b`` for SPD ``M`` by Cholesky (overwrites ``M``), calling LAPACK
    directly on the CPU (the scipy wrappers cost more than a small solve)."""
    if xp is np:
        c, info = sla.lapack.dpotrf(M, lower=1, clean=0, overwrite_a=1)
        if info != 0:
            raise np.linalg.LinAlgError(f"matrix not positive definite (dpotrf info={info})")
        x, info = sla.lapack.dpotrs(c, b, lower=1)
        return x
    return cho_solve(cho_factor(M, xp), b, xp)


def spd_inverse(M, xp):
    """Inverse of an SPD matrix through its Cholesky factor (overwrites ``M``).

    The x-updates apply it as one matrix-vector product: for the small and medium systems
    ADMM solves thousands of times this beats two triangular solves (a parallel GEMV
    instead of two sequential TRSVs, and no LAPACK call overhead), at the price of one
    extra O(p^3) pass per factorization, which only happens when ``rho`` changes.
    """
    if xp is np:
        c, info = sla.lapack.dpotrf(M, lower=1, clean=1, overwrite_a=1)
        if info != 0:
            raise np.linalg.LinAlgError(f"matrix not positive definite (dpotrf info={info})")
        # (dpotrs on the identity: OpenBLAS's dpotri can be orders of magnitude slower)
        inv, info = sla.lapack.dpotrs(c, np.eye(M.shape[0]), lower=1)
        return inv
    F = xp.linalg.cholesky(M)
    return cho_solve(F, xp.eye(M.shape[0]), xp)


def _add_diag(M, value, xp):
    idx = xp.arange(M.shape[0])
    M[idx, idx] += value
    return M


def conjugate_gradient(matvec, b, x, xp, *, rtol=1e-10, max_iter=1000):
    """Conjugate gradients for an SPD operator, warm-started at ``x``; stops when
    ``||b - M x|| <= rtol ||b||``. Returns ``(x, iterations)``."""
    r = b - matvec(x)
    bn = _norm(b, xp)
    target = rtol * bn
    rr = float(xp.vdot(r, r))
    if math.sqrt(rr) <= target or bn == 0.0:
        return x, 0
    d = r.copy()
    for it in range(1, max_iter + 1):
        Md = matvec(d)
        step = rr / float(xp.vdot(d, Md))
        x = x + step * d
        r = r - step * Md
        rr_new = float(xp.vdot(r, r))
        if math.sqrt(rr_new) <= target:
            return x, it
        d = r + (rr_new / rr) * d
        rr = rr_new
    return x, max_iter


# --------------------------------------------------------------------------------------
# least-squares x-update with a cached factorization


class LeastSquaresUpdate:
    """The x-update ``argmin_x ||y - X x||^2 / (2n) + (rho/2) ||x - v||^2``, i.e. the solve
    ``(X^T X / n + rho I) x = X^T y / n + rho v``, refactored only when ``rho`` changes.

    Modes (``factorization``):

    - ``"gram"`` (tall, ``n >= p``): Cholesky of ``X^T X / n + rho I`` (p x p); the Gram
      matrix is formed once.
    - ``"kernel"`` (wide, ``p > n``): matrix inversion lemma,
      ``x = (q - X^T (X X^T + n rho I)^{-1} X q) / rho`` with a Cholesky of the n x n matrix.
    - ``"splu"`` (sparse, CPU): sparse LU of the quasi-definite system
      ``[[rho I, X^T], [X, -n I]] [x; t] = [q; 0]`` (the elimination OSQP does with QDLDL);
      X is never densified.
    - ``"cg"``: conjugate gradients on ``X^T X / n + rho I`` warm-started at the previous
      solution, to relative residual 1e-12 (matrix-free; the sparse choice on the GPU).

    ``"auto"``: gram or kernel (whichever matrix is smaller) for dense X and for sparse X
    with ``min(n, p) <= DENSE_LIMIT``; beyond that splu on the CPU, cg on the GPU.
    """

    def __init__(self, X, y, factorization, bk):
        check_option(factorization, "factorization", FACTORIZATIONS)
        xp = bk.xp
        self.xp, self.X, self.y = xp, X, y
        self.n, self.p = n, p = X.shape
        self.sparse = bk.issparse(X)
        if factorization == "auto":
            if not self.sparse or min(n, p) <= DENSE_LIMIT:
                factorization = "gram" if n >= p else "kernel"
            else:
                factorization = "splu" if bk.name == "cpu" else "cg"
        if factorization == "splu" and bk.name != "cpu":
            raise ValueError("factorization='splu' runs on the CPU only; use 'cg', 'gram' or "
                             "'kernel' on the GPU")
        self.mode = factorization
        self.Xty_n = (X.T @ y) / n
        self.yy = float(xp.vdot(y, y))
        self.G = self.K = None
        if factorization == "gram":
            G = X.T @ X
            self.G = G.toarray() if self.sparse else G
        elif factorization == "kernel":
            K = X @ X.T
            self.K = K.toarray() if self.sparse else K
        self._rho = None
        self._F = None
        self._x_prev = xp.zeros(p)
        self.n_factorizations = 0
        self.n_cg = 0

    def _factor(self, rho):
        xp, n, p = self.xp, self.n, self.p
        if self.mode == "gram":
            self._F = spd_inverse(_add_diag(self.G / n, rho, xp), xp)
        elif self.mode == "kernel":
            self._F = spd_inverse(_add_diag(self.K.copy(), n * rho, xp), xp)
        elif self.mode == "splu":
            X = sp.csr_matrix(self.X)
            KKT = sp.bmat([[rho * sp.eye(p), X.T], [X, -float(n) * sp.eye(n)]], format="csc")
            self._F = spla.splu(KKT, permc_spec="MMD_AT_PLUS_A")
        self._rho = rho
        self.n_factorizations += self.mode != "cg"

    def __call__(self, v, rho):
        if rho != self._rho:
            self._factor(rho)
        xp = self.xp
        q = self.Xty_n + rho * v
        if self.mode == "gram":
            return self._F @ q
        if self.mode == "kernel":
            return (q - self.X.T @ (self._F @ (self.X @ q))) / rho
        if self.mode == "splu":
            return self._F.solve(np.concatenate([q, np.zeros(self.n)]))[: self.p]
        X, n = self.X, self.n
        x, it = conjugate_gradient(lambda d: X.T @ (X @ d) / n + rho * d, q, self._x_prev, xp,
                                   rtol=1e-12, max_iter=10 * self.p)
        self.n_cg += it
        self._x_prev = x
        return x

    def sq_residual(self, z):
        """``||y - X z||^2``: from the Gram matrix in gram mode (restricted to the support of
        ``z`` when that is small: ``|S|^2`` work), else one product with X (with the support's
        columns only, for dense X and a small support)."""
        xp = self.xp
        if self.p <= 500:
            if self.mode == "gram":
                quad = float(z @ (self.G @ z))
                return max(self.yy - 2.0 * self.n * float(z @ self.Xty_n) + quad, 0.0)
            r = self.y - self.X @ z
            return float(r @ r)
        S = xp.flatnonzero(z)
        k = int(S.shape[0])
        if k == 0:
            return self.yy
        zS = z[S]
        if self.mode == "gram":
            if k <= self.p // 3:
                quad = float(zS @ (self.G[xp.ix_(S, S)] @ zS))
            else:
                quad = float(z @ (self.G @ z))
            lin = float(zS @ self.Xty_n[S]) * self.n
            return max(self.yy - 2.0 * lin + quad, 0.0)
        if k <= self.p // 8 and not self.sparse:
            r = self.y - self.X[:, S] @ zS
        else:
            r = self.y - self.X @ z
        return float(xp.vdot(r, r))

    def exact_sq_residual(self, z):
        r = self.y - self.X @ z
        return float(self.xp.vdot(r, r))


def _ls_start(x0, u0, p, bk):
    x = check_x0(x0, (p,), backend=bk, name="x0")
    u = check_x0(u0, (p,), backend=bk, name="u0")
    return x, u


def _finish(mon, x, z, u, rho, fun, nit, back, extra):
    """The Result of a consensus-form built-in: the solution is the z block."""
    return mon.result(back(z), fun, z=back(z), x_split=back(x), u=back(u), y=back(rho * u),
                      rho=rho, nfev=2 * nit, **extra)


# --------------------------------------------------------------------------------------
# lasso and elastic net


def _run_least_squares_split(name, ls, z_update, penalty, x0, u0, opts, bk, back, callback,
                             verbose, **extra):
    """ADMM on ``(1/2n) ||X x - y||^2 + penalty(z)`` s.t. ``x - z = 0`` (the lasso and group
    lasso): the x-update is ``ls``, the result is the exactly sparse ``z``."""
    xp, n, p = bk.xp, ls.n, ls.p

    def objective(x_, z):
        return ls.sq_residual(z) / (2 * n) + penalty(z)

    x, u = _ls_start(x0, u0, p, bk)
    mon, x, z, u, rho_f, fun, nit = run_builtin(
        name, ls, z_update, LinearMap.identity(1.0, xp), x.copy(), u, opts,
        objective=objective, solution=lambda x_, z_: z_, xp=xp, x_shape=(p,), z_shape=(p,),
        n_c=p, callback=callback, verbose=verbose, to_host=bk.to_host, x=x)
    fun = ls.exact_sq_residual(z) / (2 * n) + penalty(z)
    return _finish(mon, x, z, u, rho_f, fun, nit, back,
                   dict(factorization=ls.mode, n_factorizations=ls.n_factorizations, **extra))


def admm_lasso(X, y, alpha, *, l1_ratio=1.0, x0=None, u0=None, rho=1.0, relaxation=1.0,
               adaptive_rho=None, rho_interval=10, abstol=1e-6, reltol=1e-4, tol=None,
               max_iter=1000, factorization="auto", callback=None, verbose=False,
               backend="auto"):
    r"""Lasso and elastic net by ADMM with a cached factorization.

    Minimizes scikit-learn's ElasticNet objective (``fit_intercept=False``)

    .. math:: \frac{1}{2n}\|y - Xw\|^2 + \alpha\,\rho_1 \|w\|_1
              + \frac{\alpha (1 - \rho_1)}{2}\|w\|^2,\qquad \rho_1 = \text{l1\_ratio},

    split as ``f(x) = ||y - Xx||^2 / (2n)``, ``g(z)`` = the penalty, ``x - z = 0``. The
    x-update is a linear solve with ``X^T X / n + rho I`` (see ``factorization``), the
    z-update the elastic-net prox ``soft(h + u, alpha l1_ratio / rho) / (1 + alpha (1 -
    l1_ratio) / rho)``. ``X^T y`` is computed once.

    Parameters
    ----------
    X : array or sparse matrix of shape (n_samples, n_features)
        Sparse input stays sparse (CSR/CSC). Computed in float64.
    y : array of shape (n_samples,)
    alpha : float
        Regularization strength, >= 0 (scikit-learn's ``alpha``).
    l1_ratio : float in [0, 1], default 1.0
        1 is the lasso, 0 ridge regression.
    x0 : array of shape (n_features,), optional
        Warm start for the coefficients (both blocks start there).
    u0 : array of shape (n_features,), optional
        Warm start for the scaled dual (pass a previous run's ``u`` with its ``rho``).
    rho : float, default 1.0
        Penalty parameter (> 0).
    relaxation : float in (0, 2), default 1.0
        Over-relaxation parameter (the ``alpha`` of :func:`solvers.admm.admm`, renamed here
        because ``alpha`` is the regularization strength).
    adaptive_rho : {None, "balance", "osqp"}, default None
        Penalty adaptation every ``rho_interval`` iterations; each change of ``rho`` costs
        one refactorization.
    rho_interval : int, default 10
    abstol, reltol, tol : float
        Boyd's stopping tolerances; ``tol`` sets both (see :func:`solvers.admm.admm`).
    max_iter : int, default 1000
    factorization : {"auto", "gram", "kernel", "splu", "cg"}, default "auto"
        How the x-update is solved. "gram": Cholesky of the p x p matrix
        ``X^T X / n + rho I`` (tall data). "kernel": matrix inversion lemma with a Cholesky
        of ``X X^T + n rho I`` (n x n; wide data). "splu": sparse LU of the quasi-definite
        system ``[[rho I, X^T], [X, -n I]]`` (sparse X, never densified; CPU). "cg":
        warm-started conjugate gradients to relative residual 1e-12 (matrix-free). "auto"
        picks gram/kernel by shape for dense X and for sparse X with ``min(n, p) <= 4000``
        (forming only a small dense Gram/kernel matrix), else splu (CPU) or cg (GPU).
    callback, verbose, backend
        As in :func:`solvers.admm.admm`. Dense data on the GPU factorizes with cupy.

    Returns
    -------
    Result
        ``x`` the coefficients (the z block: exactly sparse), ``fun`` the objective at
        ``x``; ``x_split`` the x block, ``u``, ``y = rho u``, ``rho`` as in
        :func:`solvers.admm.admm`; ``factorization`` the mode used and
        ``n_factorizations``. The history's objective column is the objective at the z
        block; its measure is Boyd's ``max(||r|| / eps_pri, ||s|| / eps_dual)``.

    References
    ----------
    S. Boyd et al., Found. Trends Mach. Learn. 3(1), 2011, sections 4.2 and 6.4.
    H. Zou, T. Hastie, "Regularization and variable selection via the elastic net",
    J. R. Stat. Soc. B 67(2), 2005.

    Examples
    --------
    >>> import numpy as np
    >>> from solvers.admm import admm_lasso
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.standard_normal((50, 20)), rng.standard_normal(50)
    >>> res = admm_lasso(X, y, 0.1, tol=1e-10, max_iter=5000)
    >>> res.success
    True
    """
    opts = admm_options(rho, relaxation, adaptive_rho, rho_interval, abstol, reltol, tol,
                        max_iter)
    bk, back = _placement(backend, X, y, x0, u0)
    X, y = _design(X, y, bk)
    alpha = check_scalar(alpha, "alpha", lower=0.0)
    l1_ratio = check_scalar(l1_ratio, "l1_ratio", lower=0.0, upper=1.0)
    xp = bk.xp
    n, p = X.shape
    ls = LeastSquaresUpdate(X, y, factorization, bk)
    a1, a2 = alpha * l1_ratio, alpha * (1.0 - l1_ratio)
    soft = soft_thresholder(bk)

    def z_update(w, rho_):
        z = soft(-w, a1 / rho_) if a1 > 0 else -w
        return z / (1.0 + a2 / rho_) if a2 > 0 else z

    def penalty(z):
        val = 0.0
        if a1 > 0:
            val += a1 * float(xp.abs(z).sum())
        if a2 > 0:
            val += 0.5 * a2 * float(xp.vdot(z, z))
        return val

    return _run_least_squares_split("admm_lasso", ls, z_update, penalty, x0, u0, opts, bk,
                                    back, callback, verbose)


# --------------------------------------------------------------------------------------
# group lasso


def group_labels(groups, n_features):
    """One label per feature in ``0..n_groups-1`` from an int group size, a label array, or
    a sequence of index arrays that must partition ``0..n_features-1``."""
    if isinstance(groups, (int, np.integer)) and not isinstance(groups, bool):
        if groups < 1:
            raise ValueError(f"groups as a group size must be >= 1, got {groups}")
        return np.arange(n_features) // int(groups)
    if isinstance(groups, np.ndarray) and groups.ndim == 1 and groups.dtype.kind in "iu":
        if groups.size != n_features:
            raise ValueError(f"groups as a label array must have one entry per feature "
                             f"({n_features}), got {groups.size}")
        return np.unique(groups, return_inverse=True)[1].astype(np.int64).ravel()
    if isinstance(groups, (str, bytes)) or not hasattr(groups, "__iter__"):
        raise TypeError("groups must be an int, an integer label array or a sequence of "
                        f"index arrays, got {type(groups).__name__}")
    try:
        parts = [np.asarray(g).ravel() for g in groups]
    except (TypeError, ValueError) as exc:
        raise TypeError("groups must be an int, an integer label array or a sequence of "
                        "index arrays") from exc
    if not parts:
        raise ValueError("groups must not be empty")
    for k, part in enumerate(parts):
        if part.size == 0:
            raise ValueError(f"groups[{k}] is empty; every group needs at least one feature")
        if part.dtype.kind not in "iu":
            raise TypeError(f"groups[{k}] must hold integer feature indices, got dtype "
                            f"{part.dtype}")
    allidx = np.concatenate(parts).astype(np.int64)
    if allidx.min() < 0 or allidx.max() >= n_features:
        raise ValueError(f"groups hold indices outside 0..{n_features - 1}")
    counts = np.bincount(allidx, minlength=n_features)
    if np.any(counts > 1):
        raise ValueError(f"groups must be disjoint: feature(s) "
                         f"{np.flatnonzero(counts > 1)[:5].tolist()} are in more than one group")
    if np.any(counts == 0):
        raise ValueError(f"groups must cover every feature: feature(s) "
                         f"{np.flatnonzero(counts == 0)[:5].tolist()} are in no group")
    labels = np.empty(n_features, dtype=np.int64)
    for k, part in enumerate(parts):
        labels[part] = k
    return labels


def admm_group_lasso(X, y, alpha, groups, *, weights=None, x0=None, u0=None, rho=1.0,
                     relaxation=1.0, adaptive_rho=None, rho_interval=10, abstol=1e-6,
                     reltol=1e-4, tol=None, max_iter=1000, factorization="auto",
                     callback=None, verbose=False, backend="auto"):
    r"""Group lasso by ADMM with a cached factorization and block soft-thresholding.

    Minimizes

    .. math:: \frac{1}{2n}\|y - Xw\|^2 + \alpha \sum_g \omega_g \|w_g\|_2

    over a partition of the features into groups (Yuan and Lin 2006; the same scaling as
    :func:`admm_lasso` and :class:`problems.GroupL1`). The x-update is the least-squares
    solve of :func:`admm_lasso`; the z-update is block soft-thresholding
    ``z_g = v_g max(0, 1 - alpha omega_g / (rho ||v_g||))``, vectorized over all groups.

    Parameters
    ----------
    X, y, alpha
        As in :func:`admm_lasso`.
    groups : int, integer label array of shape (n_features,), or sequence of index arrays
        An int ``k``: contiguous groups of ``k`` features (the last may be shorter). A label
        array: features with the same label form a group. Index arrays: must be nonempty,
        disjoint and cover every feature (checked).
    weights : array of shape (n_groups,), optional
        ``omega_g >= 0`` per group (default 1; ``sqrt(|g|)`` is the other common choice);
        groups are ordered by label (or as listed).
    x0, u0, rho, relaxation, adaptive_rho, rho_interval, abstol, reltol, tol, max_iter, factorization, callback, verbose, backend
        As in :func:`admm_lasso`.

    Returns
    -------
    Result
        As :func:`admm_lasso`; ``x`` is group-sparse, ``labels`` the group label of each
        feature.

    References
    ----------
    S. Boyd et al., Found. Trends Mach. Learn. 3(1), 2011, section 6.4.2.
    M. Yuan, Y. Lin, "Model selection and estimation in regression with grouped variables",
    J. R. Stat. Soc. B 68(1), 2006.
    """
    opts = admm_options(rho, relaxation, adaptive_rho, rho_interval, abstol, reltol, tol,
                        max_iter)
    bk, back = _placement(backend, X, y, x0, u0)
    X, y = _design(X, y, bk)
    alpha = check_scalar(alpha, "alpha", lower=0.0)
    xp = bk.xp
    n, p = X.shape
    labels_h = group_labels(groups, p)
    n_groups = int(labels_h.max()) + 1
    if weights is None:
        w_h = np.ones(n_groups)
    else:
        w_h = np.asarray(bk.to_host(weights), dtype=np.float64).ravel()
        if w_h.shape != (n_groups,):
            raise ValueError(f"weights must have one entry per group ({n_groups}), got shape "
                             f"{w_h.shape}")
        if not np.all(np.isfinite(w_h)) or np.any(w_h < 0):
            raise ValueError("weights must be finite and >= 0")
    labels, wts = bk.to_device(labels_h), bk.to_device(w_h)
    ls = LeastSquaresUpdate(X, y, factorization, bk)

    def group_norms(v):
        return xp.sqrt(xp.bincount(labels, weights=v * v, minlength=n_groups))

    def z_update(w, rho_):
        v = -w
        norms = group_norms(v)
        scale = xp.maximum(norms - (alpha / rho_) * wts, 0.0) / xp.where(norms > 0, norms, 1.0)
        return v * scale[labels]

    def penalty(z):
        return alpha * float(wts @ group_norms(z))

    return _run_least_squares_split("admm_group_lasso", ls, z_update, penalty, x0, u0, opts,
                                    bk, back, callback, verbose, labels=labels_h)


# --------------------------------------------------------------------------------------
# L1 logistic regression


class LogisticUpdate:
    """Inexact x-update ``argmin_x (1/n) sum_i log(1 + exp(-y_i x_i^T x)) + (rho/2)||x - v||^2``
    by damped Newton steps (Armijo backtracking) warm-started at the previous solution.

    Stops when the subproblem gradient norm is below ``inner_tol`` (or at its rounding
    floor) or after ``inner_max_iter`` steps. The Newton system uses the dense Hessian
    ``X^T D X / n + rho I`` with a Cholesky when ``p <= 2000``, else conjugate gradients
    on Hessian-vector products (truncated Newton, relative residual ``min(0.1, sqrt(||g||))``).
    """

    def __init__(self, X, y, x, bk, inner_tol, inner_max_iter):
        self.X, self.y, self.xp, self.bk = X, y, bk.xp, bk
        self.n, self.p = X.shape
        self.sparse = bk.issparse(X)
        self.x = x
        self.Xx = X @ x
        self.inner_tol, self.inner_max_iter = inner_tol, inner_max_iter
        self.dense_hessian = self.p <= 2000
        self.n_newton = 0
        self.n_grad = 0
        self.n_cg = 0

    def _phi(self, m, x, v, rho):
        xp = self.xp
        d = x - v
        return float(self.bk.kernels.log1pexp(-m).sum()) / self.n + 0.5 * rho * float(xp.vdot(d, d))

    def __call__(self, v, rho):
        xp, X, y, n, k = self.xp, self.X, self.y, self.n, self.bk.kernels
        x, Xx = self.x, self.Xx
        for _ in range(self.inner_max_iter):
            m = y * Xx
            sig = k.expit(-m)
            gl = -(X.T @ (y * sig)) / n
            g = gl + rho * (x - v)
            self.n_grad += 1
            gn = _norm(g, xp)
            floor = 64 * _EPS * (_norm(gl, xp) + rho * (_norm(x, xp) + _norm(v, xp)))
            if gn <= max(self.inner_tol, floor):
                break
            dw = sig * (1.0 - sig) / n
            if self.dense_hessian:
                if self.sparse:
                    H = (X.T @ X.multiply(dw[:, None])).toarray()
                else:
                    H = (X.T * dw) @ X
                d = -spd_solve(_add_diag(H, rho, xp), g, xp)
            else:
                d, it = conjugate_gradient(lambda s: X.T @ (dw * (X @ s)) + rho * s, -g,
                                           xp.zeros(self.p), xp, rtol=min(0.1, math.sqrt(gn)),
                                           max_iter=200)
                self.n_cg += it
            self.n_newton += 1
            Xd = X @ d
            slope = float(xp.vdot(g, d))  # -(Newton decrement)^2
            t = 1.0
            x_t = x + d
            if -slope > 1e-10:
                # far from the subproblem's minimizer: Armijo backtracking (near it the
                # decrease is below rounding and the full Newton step is taken)
                yXd = y * Xd
                phi0 = self._phi(m, x, v, rho)
                while self._phi(m + t * yXd, x_t, v, rho) > phi0 + 1e-4 * t * slope:
                    t *= 0.5
                    if t < 1e-10:
                        break
                    x_t = x + t * d
                if t < 1e-10:  # no decrease possible at this precision
                    break
            x, Xx = x_t, Xx + t * Xd
        self.x, self.Xx = x, Xx
        return x


def admm_logistic_l1(X, y, alpha, *, x0=None, u0=None, rho=1.0, relaxation=1.0,
                     adaptive_rho=None, rho_interval=10, abstol=1e-6, reltol=1e-4, tol=None,
                     max_iter=1000, inner_tol=1e-10, inner_max_iter=20, callback=None,
                     verbose=False, backend="auto"):
    r"""L1-regularized logistic regression by ADMM with inexact Newton x-updates.

    Minimizes

    .. math:: \frac{1}{n}\sum_{i=1}^n \log\bigl(1 + e^{-y_i x_i^T w}\bigr) + \alpha\|w\|_1,
              \qquad y_i \in \{-1, +1\},

    (scikit-learn's ``LogisticRegression(penalty="l1", C=1/(n alpha), fit_intercept=False)``)
    split as ``x - z = 0``. The x-update
    ``argmin_x loss(x) + (rho/2)||x - v||^2`` has no closed form: it is solved inexactly by
    damped Newton steps with Armijo backtracking, warm-started at the previous x (usually
    one or two steps per ADMM iteration), until the subproblem gradient norm is below
    ``inner_tol`` or ``inner_max_iter`` steps were taken (Boyd et al. 2011, section 4.3:
    ADMM converges with inexact updates whose errors are summable; a loose ``inner_tol``
    limits the attainable accuracy to about ``inner_tol / rho``). The z-update is
    soft-thresholding.

    Parameters
    ----------
    X : array or sparse matrix of shape (n_samples, n_features)
    y : array of shape (n_samples,)
        Labels in {-1, +1}.
    alpha : float
        Regularization strength, >= 0.
    inner_tol : float, default 1e-10
        Gradient-norm tolerance of the Newton solves (also stopped at their rounding
        floor).
    inner_max_iter : int, default 20
        Newton steps per x-update at most. The Hessian ``X^T D X / n + rho I`` is formed
        and factorized when ``n_features <= 2000``; above, each step is truncated Newton
        with conjugate gradients on Hessian-vector products.
    x0, u0, rho, relaxation, adaptive_rho, rho_interval, abstol, reltol, tol, max_iter, callback, verbose, backend
        As in :func:`admm_lasso`.

    Returns
    -------
    Result
        As :func:`admm_lasso` (``x`` is the sparse z block); ``njev`` counts subproblem
        gradients, ``nhev`` Newton steps (Hessians formed or CG solves).

    References
    ----------
    S. Boyd et al., Found. Trends Mach. Learn. 3(1), 2011, sections 4.3 and 7.1.
    """
    opts = admm_options(rho, relaxation, adaptive_rho, rho_interval, abstol, reltol, tol,
                        max_iter)
    inner_tol = check_scalar(inner_tol, "inner_tol", lower=0.0)
    inner_max_iter = check_scalar(inner_max_iter, "inner_max_iter", lower=1, integer=True)
    bk, back = _placement(backend, X, y, x0, u0)
    X, y = _design(X, y, bk)
    xp = bk.xp
    if bool((xp.abs(y) != 1).any()):
        found = np.unique(bk.to_host(y))[:5].tolist()
        raise ValueError(f"y must hold labels -1 and +1, found {found}; map {{0, 1}} labels "
                         "with 2 * y - 1")
    alpha = check_scalar(alpha, "alpha", lower=0.0)
    n, p = X.shape
    x, u = _ls_start(x0, u0, p, bk)
    upd = LogisticUpdate(X, y, x, bk, inner_tol, inner_max_iter)
    soft, log1pexp = soft_thresholder(bk), bk.kernels.log1pexp

    def z_update(w, rho_):
        return soft(-w, alpha / rho_)

    def objective(x_, z):
        return float(log1pexp(-(y * (X @ z))).sum()) / n + alpha * float(xp.abs(z).sum())

    mon, x, z, u, rho_f, fun, nit = run_builtin(
        "admm_logistic_l1", upd, z_update, LinearMap.identity(1.0, xp), x.copy(), u, opts,
        objective=objective, solution=lambda x_, z_: z_, xp=xp, x_shape=(p,), z_shape=(p,),
        n_c=p, callback=callback, verbose=verbose, to_host=bk.to_host, x=x)
    fun = objective(x, z)
    res = _finish(mon, x, z, u, rho_f, fun, nit, back,
                  dict(n_newton=upd.n_newton, n_cg=upd.n_cg))
    res.njev, res.nhev = upd.n_grad, upd.n_newton
    return res
