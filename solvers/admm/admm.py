"""General two-block ADMM in scaled form, with over-relaxation and adaptive penalty.

Solves ``min f(x) + g(z)  s.t.  A x + B z = c`` by the iteration of Boyd et al. (2011),
section 3.1.1, with the over-relaxation of section 3.4.3:

    x^{k+1} = argmin_x f(x) + (rho/2) ||A x + B z^k - c + u^k||^2
    h^{k+1} = alpha A x^{k+1} + (1 - alpha) (c - B z^k)
    z^{k+1} = argmin_z g(z) + (rho/2) ||h^{k+1} + B z - c + u^k||^2
    u^{k+1} = u^k + h^{k+1} + B z^{k+1} - c

with ``u = y / rho`` the scaled dual variable. It stops on the primal residual
``r = A x + B z - c`` and the dual residual ``s = rho A^T B (z^{k+1} - z^k)`` against the
tolerances of Boyd's eq. (3.12) (:func:`solvers.admm._common.boyd_tolerances`).

References
----------
S. Boyd, N. Parikh, E. Chu, B. Peleato, J. Eckstein, "Distributed optimization and statistical
learning via the alternating direction method of multipliers", Foundations and Trends in
Machine Learning 3(1), 2011: sections 3.1 (scaled form), 3.3 (stopping), 3.4.1 (residual
balancing), 3.4.3 (over-relaxation).
B. He, X. Yuan, "On the O(1/n) convergence rate of the Douglas-Rachford alternating direction
method", SIAM J. Numer. Anal. 50(2), 2012 (ergodic O(1/k) rate).
W. Deng, W. Yin, "On the global and linear convergence of the generalized alternating
direction method of multipliers", J. Sci. Comput. 66, 2016 (linear rate under strong
convexity).
B. Stellato et al., "OSQP: an operator splitting solver for quadratic programs", Math. Prog.
Comp. 12, 2020, section 5.2 (square-root penalty update).
"""
from __future__ import annotations

import math
import sys

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..backend import get_backend, is_gpu_array, resolve_backend
from ..core.monitor import Monitor
from ..core.validation import check_matrix, check_scalar, check_x0
from ._common import boyd_tolerances, check_admm_options, updated_rho

__all__ = ["admm"]

_BIG = sys.float_info.max
_SHORTCUTS = {"identity": 1.0, "i": 1.0, "eye": 1.0,
              "-identity": -1.0, "-i": -1.0, "-eye": -1.0}


class LinearMap:
    """One block's linear map in ``A x + B z = c``: a matrix, a LinearOperator, a pair of
    functions, or the identity / minus-identity shortcut (applied without any product).

    Internal; the engine calls :meth:`mv` (the product) and :meth:`rnorms` (the norms of the
    adjoint applied to two vectors, which is all the stopping rule needs).
    """

    __slots__ = ("sign", "M", "MT", "dense", "xp", "_mv", "_rmv", "_shape")

    def __init__(self, M=None, sign=None, xp=np, *, mv=None, rmv=None, shape=None):
        self.sign = sign
        self.M = M
        self.MT = None if M is None else M.T
        # a dense matrix applies its adjoint to two vectors in one pass (GEMM); sparse
        # matrices and operators gain nothing from stacking
        self.dense = M is not None and hasattr(M, "__array_function__") and not sp.issparse(M)
        self.xp = xp
        if M is not None:
            mv, rmv, shape = M.__matmul__, self.MT.__matmul__, M.shape
        self._mv, self._rmv, self._shape = mv, rmv, shape

    @classmethod
    def identity(cls, sign=1.0, xp=np):
        return cls(None, float(sign), xp)

    @classmethod
    def from_functions(cls, mv, rmv, shape, xp=np):
        """A map given by its product ``mv(x)`` and adjoint product ``rmv(v)``."""
        return cls(None, None, xp, mv=mv, rmv=rmv, shape=tuple(shape))

    @property
    def is_shortcut(self):
        return self._mv is None

    @property
    def shape(self):
        return self._shape

    def mv(self, x):
        if self._mv is None:
            return x if self.sign > 0 else -x
        return self._mv(x)

    def rmv(self, v):
        if self._rmv is None:
            return v if self.sign > 0 else -v
        return self._rmv(v)

    def rnorms(self, a, b):
        """``(||M^T a||, ||M^T b||)``."""
        if self._rmv is None:
            return _norm(a, self.xp), _norm(b, self.xp)
        if self.dense:
            R = self.MT @ self.xp.stack((a, b), axis=1)
            sq = (R * R).sum(axis=0)
            return math.sqrt(float(sq[0])), math.sqrt(float(sq[1]))
        return _norm(self._rmv(a), self.xp), _norm(self._rmv(b), self.xp)


def _norm(a, xp):
    if a.ndim == 1:
        return math.sqrt(float(a @ a))
    return math.sqrt(float(xp.vdot(a, a)))


def _ratio(a, b):
    if b > 0:
        return a / b
    if math.isnan(a) or math.isnan(b):
        return math.nan
    return 0.0 if a == 0 else _BIG


def _checked_update(out, name, shape, matrix):
    """``out`` when it is an array of ``shape``, else a ValueError naming the update."""
    if getattr(out, "shape", None) != shape:
        raise ValueError(f"{name} returned {type(out).__name__} of shape "
                         f"{getattr(out, 'shape', None)}; expected an array of shape {shape} "
                         f"(the columns of {matrix})")
    return out


def admm_loop(x_update, z_update, Aop, Bop, c, z, u, *, rho, alpha, rule, interval, abstol,
              reltol, max_iter, objective, mon, xp, n_x, n_c, x_shape, z_shape,
              solution=None, x=None):
    """The ADMM iteration shared by :func:`admm` and the built-in problems.

    ``z`` and ``u`` are the starting points; ``u`` must be owned by the caller of this
    function (it is updated in place). ``c`` is None for ``c = 0``. ``solution(x, z)``
    selects what the callback sees (default ``x``). Returns ``(x, z, u, rho, fun, nit)``.
    """
    norm = (lambda a: _norm(a, xp))
    c_norm = 0.0 if c is None else norm(c)
    solution = solution or (lambda x_, z_: x_)
    Bz = Bop.mv(z)
    fun = math.nan
    k = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(1, max_iter + 1):
            v = -(Bz + u) if c is None else (c - Bz) - u
            x = _checked_update(x_update(v, rho), "x_update", x_shape, "A")
            Ax = Aop.mv(x)
            if alpha == 1.0:
                h = Ax
            else:
                h = alpha * Ax - (1.0 - alpha) * Bz
                if c is not None:
                    h = h + (1.0 - alpha) * c
            w = -(h + u) if c is None else (c - h) - u
            z_new = _checked_update(z_update(w, rho), "z_update", z_shape, "B")
            Bz_new = Bop.mv(z_new)
            r_vec = Ax + Bz_new
            if c is not None:
                r_vec = r_vec - c
            if alpha == 1.0:
                u += r_vec
            else:
                u += h + Bz_new
                if c is not None:
                    u -= c
            ax_n, bz_n, r_n = norm(Ax), norm(Bz_new), norm(r_vec)
            d_n, atu_n = Aop.rnorms(Bz_new - Bz, u)
            s_n, aty_n = rho * d_n, rho * atu_n
            eps_pri, eps_dual = boyd_tolerances(n_c, n_x, abstol, reltol, ax_n, bz_n, c_norm,
                                                aty_n)
            measure = max(_ratio(r_n, eps_pri), _ratio(s_n, eps_dual))
            z, Bz = z_new, Bz_new
            fun = float(objective(x, z)) if objective is not None else None
            if mon.record(k, solution(x, z), fun, measure, r_norm=r_n, s_norm=s_n,
                          eps_pri=eps_pri, eps_dual=eps_dual, rho=rho):
                break
            if rule is not None and k % interval == 0:
                new = updated_rho(rule, rho, r_n, s_n, max(ax_n, bz_n, c_norm), aty_n)
                if new != rho:
                    u *= rho / new
                    rho = new
    return x, z, u, rho, (fun if objective is not None else math.nan), k


def _parse_map(M, name, bk):
    """A :class:`LinearMap` from a matrix, LinearOperator or an identity shortcut."""
    if isinstance(M, str):
        key = M.strip().lower()
        if key not in _SHORTCUTS:
            raise ValueError(f"{name} must be a matrix, a LinearOperator, 'identity' or "
                             f"'-identity', got the string {M!r}")
        return LinearMap.identity(_SHORTCUTS[key], bk.xp)
    if isinstance(M, spla.LinearOperator):
        if len(M.shape) != 2 or 0 in M.shape:
            raise ValueError(f"{name} has shape {M.shape}; a 2-D nonempty operator is needed")
        return LinearMap(M, None, bk.xp)
    if M is None or isinstance(M, (bool, int, float, complex)):
        raise TypeError(f"{name} must be a matrix, a LinearOperator, 'identity' or "
                        f"'-identity', got {M!r}")
    return LinearMap(check_matrix(M, name, backend=bk), None, bk.xp)


def _constraint_shape(Aop, Bop, c, starts):
    """The shape of ``c`` (and of ``u``): from A, B, c, or from a starting point when both
    maps are shortcuts. Raises on disagreement, naming the argument."""
    rows = {}
    for name, op in (("A", Aop), ("B", Bop)):
        if not op.is_shortcut:
            rows[name] = op.shape[0]
    if "A" in rows and "B" in rows and rows["A"] != rows["B"]:
        raise ValueError(f"B has {rows['B']} rows but A has {rows['A']}: A x + B z = c needs "
                         "the same number of constraint rows in A, B and c")
    if rows:
        p = next(iter(rows.values()))
        if c is not None and c.shape != (p,):
            raise ValueError(f"c has shape {c.shape} but A and B have {p} rows; give c as a "
                             f"vector of length {p} (or 0)")
        return (p,)
    if c is not None:
        return c.shape
    for name, arr in starts:
        if arr is not None:
            return tuple(np.shape(arr))
    raise ValueError("A and B are both identity shortcuts and c is 0: give c as an array, or "
                     "x0 / z0 / u0, to fix the dimension")


def _check_c(c, bk):
    """None for ``c = 0``, else a validated float array (scalars are kept for broadcasting)."""
    if c is None:
        return None
    if np.ndim(c) == 0 and not is_gpu_array(c):
        val = check_scalar(c, "c")
        return None if val == 0.0 else val
    xp = bk.xp
    arr = bk.to_device(c if is_gpu_array(c) else np.asarray(c))
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"c must hold real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=True)
    if arr.size == 0:
        raise ValueError("c is empty")
    if not bool(xp.isfinite(arr).all()):
        raise ValueError("c contains NaN or inf entries")
    return arr


def admm(x_update, z_update, A, B, c, *, x0=None, z0=None, u0=None, rho=1.0, alpha=1.0,
         adaptive_rho=None, rho_interval=10, abstol=1e-6, reltol=1e-4, tol=None,
         max_iter=1000, objective=None, callback=None, verbose=False, backend="auto"):
    r"""Minimize ``f(x) + g(z)`` subject to ``A x + B z = c`` by ADMM (scaled form).

    The two subproblems are supplied by the caller as functions of a target vector and the
    current penalty; everything else (dual update, over-relaxation, penalty adaptation,
    stopping, history) is done here.

    Parameters
    ----------
    x_update : callable
        ``x_update(v, rho) -> x`` returns

        .. math:: \operatorname{argmin}_x\ f(x) + \tfrac{\rho}{2}\|A x - v\|^2,
                  \qquad v = c - B z^k - u^k.

        ``rho`` is passed on every call and changes when ``adaptive_rho`` is set: an update
        that caches a factorization (of ``P + rho A^T A``, say) must refactor when it sees a
        new ``rho``. It must return a new array (the engine keeps references to it) of the
        shape of ``x``, and must not modify ``v``.
    z_update : callable
        ``z_update(w, rho) -> z`` returns

        .. math:: \operatorname{argmin}_z\ g(z) + \tfrac{\rho}{2}\|B z - w\|^2,
                  \qquad w = c - h^{k+1} - u^k,\quad
                  h^{k+1} = \alpha A x^{k+1} + (1 - \alpha)(c - B z^k).

        With ``B = "-identity"`` this is ``prox_{g/rho}(-w)``; for the common consensus form
        ``x - z = 0`` (``A="identity", B="-identity", c=0``) the two updates are
        ``x = prox_{f/rho}(z - u)`` (``v = z - u``) and ``z = prox_{g/rho}(h + u)``
        (``-w = h + u``). Same rules as ``x_update`` for the returned array.
    A, B : array, sparse matrix, LinearOperator, "identity" or "-identity"
        The constraint maps, of shapes ``(p, n)`` and ``(p, m)``. The string shortcuts
        apply ``+I`` / ``-I`` without products; when both are shortcuts the variables may
        have any shape (e.g. images). Dense and sparse matrices are checked for NaN/inf.
    c : array, scalar or None
        Right-hand side, a vector of length ``p``; ``0`` or None means zero (and is skipped
        in the arithmetic).
    x0 : array, optional
        Starting ``x``. The iteration does not need an ``x`` to start, so ``x0`` only matters
        when ``z0`` is not given: then ``z0 = z_update(c - A x0 - u0, rho)`` (one z-step from
        ``x0``), which warm-starts the x - z = 0 form from a single point.
    z0 : array, optional
        Starting ``z`` (default: from ``x0`` as above, else zeros).
    u0 : array, optional
        Starting scaled dual ``u = y / rho`` (default zeros). For a warm start pass the
        previous run's ``u`` together with its final ``rho``.
    rho : float, default 1.0
        Penalty parameter (> 0); the initial one when ``adaptive_rho`` is set.
    alpha : float, default 1.0
        Over-relaxation parameter in (0, 2); values in [1.5, 1.8] often speed things up.
    adaptive_rho : {None, "balance", "osqp"}, default None
        ``"balance"``: residual balancing (Boyd et al. 2011, eq. 3.13: ``rho * 2`` when
        ``||r|| > 10 ||s||``, ``rho / 2`` when ``||s|| > 10 ||r||``). ``"osqp"``: the
        square-root rule ``rho sqrt((||r|| / max(||Ax||, ||Bz||, ||c||)) / (||s|| /
        ||A^T y||))`` (Stellato et al. 2020). Applied every ``rho_interval`` iterations, so
        runs are deterministic; ``u`` is rescaled by ``rho_old / rho_new`` so that
        ``y = rho u`` is unchanged.
    rho_interval : int, default 10
        Iterations between penalty updates.
    abstol, reltol : float, default 1e-6, 1e-4
        Absolute and relative tolerances of Boyd's stopping rule (eq. 3.12):
        ``eps_pri = sqrt(p) abstol + reltol max(||Ax||, ||Bz||, ||c||)``,
        ``eps_dual = sqrt(n) abstol + reltol ||A^T y||``.
    tol : float, optional
        Shorthand that sets ``abstol = reltol = tol`` (OSQP's ``eps_abs = eps_rel``);
        overrides both when given.
    max_iter : int, default 1000
    objective : callable, optional
        ``objective(x, z) -> float``, the value ``f(x) + g(z)`` (or any objective of
        interest) recorded in the history and returned as ``fun``. Without it the objective
        column and ``fun`` are NaN (and a callback sees ``fun = 0``).
    callback : callable, optional
        ``callback(intermediate_result)`` after each iteration with ``x``, ``fun``, ``nit``
        and ``measure``; raise StopIteration to stop.
    verbose : bool, default False
    backend : {"auto", "cpu", "gpu"}, default "auto"
        Where the vectors live; "auto" follows the arrays given (A, B, c, starting points).
        The update functions must work on that device's arrays.

    Returns
    -------
    Result
        ``x`` and ``z`` the final blocks, ``u`` the scaled dual, ``y = rho u`` the dual
        variable of the constraint, ``rho`` the final penalty, ``fun`` the objective (NaN
        without ``objective``). The optimality measure is
        ``max(||r|| / eps_pri, ||s|| / eps_dual)`` (named ``residual_ratio``); ``success``
        means it reached 1, i.e. both residuals are below their tolerances. ``history`` has
        one row per iteration (starting at iteration 1: there is no dual residual before the
        first step) with columns objective, measure, time, r_norm, s_norm, eps_pri,
        eps_dual and rho. ``nfev`` counts x- and z-updates (one each per iteration).

    Raises
    ------
    ValueError
        Dimension mismatches between ``A``, ``B``, ``c`` and the starting points (the message
        names the argument), ``rho <= 0``, ``alpha`` outside (0, 2), negative tolerances,
        NaN or inf in the data or starting points.
    TypeError
        Non-callable updates or unsupported types for ``A`` / ``B``.

    Notes
    -----
    Convergence: for closed proper convex ``f``, ``g`` and a solvable problem, residuals go
    to zero and the objective to its optimum (Boyd et al. 2011, section 3.2); the ergodic
    averages converge at rate O(1/k) (He and Yuan 2012), and the rate is linear when ``f``
    is strongly convex with a Lipschitz gradient and ``A`` has full column rank (Deng and
    Yin 2016). Inexact updates are allowed as long as their errors are summable.

    References
    ----------
    S. Boyd et al., Found. Trends Mach. Learn. 3(1), 2011, sections 3.1-3.4.
    B. He, X. Yuan, SIAM J. Numer. Anal. 50(2), 2012.
    W. Deng, W. Yin, J. Sci. Comput. 66, 2016.
    B. Stellato et al., Math. Prog. Comp. 12, 2020.

    Examples
    --------
    Lasso ``min ||Xw - y||^2 / 2 + lam ||w||_1`` in the x - z = 0 form:

    >>> import numpy as np, scipy.linalg as sla, solvers.admm as sa
    >>> rng = np.random.default_rng(0)
    >>> X, y, lam = rng.standard_normal((30, 10)), rng.standard_normal(30), 1.0
    >>> cache = {}
    >>> def x_update(v, rho):  # (X^T X + rho I) x = X^T y + rho v, refactored on new rho
    ...     if cache.get("rho") != rho:
    ...         cache.update(rho=rho, F=sla.cho_factor(X.T @ X + rho * np.eye(10)))
    ...     return sla.cho_solve(cache["F"], X.T @ y + rho * v)
    >>> def z_update(w, rho):  # prox of lam ||.||_1 at -w
    ...     return np.sign(-w) * np.maximum(np.abs(w) - lam / rho, 0.0)
    >>> res = sa.admm(x_update, z_update, "identity", "-identity", 0, x0=np.zeros(10),
    ...               abstol=1e-8, reltol=1e-8)
    >>> res.success, np.allclose(res.x, res.z, atol=1e-6)
    (True, True)
    """
    if not callable(x_update):
        raise TypeError(f"x_update must be callable as x_update(v, rho), got {type(x_update).__name__}")
    if not callable(z_update):
        raise TypeError(f"z_update must be callable as z_update(w, rho), got {type(z_update).__name__}")
    if objective is not None and not callable(objective):
        raise TypeError(f"objective must be callable as objective(x, z), got {type(objective).__name__}")
    rho, alpha, abstol, reltol, adaptive_rho, rho_interval, max_iter = check_admm_options(
        rho, alpha, abstol, reltol, adaptive_rho, rho_interval, tol, max_iter)

    arrays = [a for a in (A, B, c, x0, z0, u0) if not isinstance(a, str)]
    bk = resolve_backend(backend, *arrays)
    on_gpu = any(is_gpu_array(a) for a in arrays)
    xp = bk.xp
    Aop = _parse_map(A, "A", bk)
    Bop = _parse_map(B, "B", bk)
    c_arr = _check_c(c, bk)
    c_scalar = isinstance(c_arr, float)
    cs = _constraint_shape(Aop, Bop, None if c_scalar else c_arr,
                           [("x0", x0), ("z0", z0), ("u0", u0)])
    if c_scalar:
        c_arr = xp.full(cs, c_arr, dtype=np.float64)
    x_shape = cs if Aop.is_shortcut else (Aop.shape[1],)
    z_shape = cs if Bop.is_shortcut else (Bop.shape[1],)
    u = check_x0(u0, cs, backend=bk, name="u0")
    x_start = None if x0 is None else check_x0(x0, x_shape, backend=bk, name="x0")
    if z0 is not None:
        z = check_x0(z0, z_shape, backend=bk, name="z0")
    elif x_start is not None:
        w = -(Aop.mv(x_start) + u) if c_arr is None else (c_arr - Aop.mv(x_start)) - u
        z = z_update(w, rho)
        if getattr(z, "shape", None) != z_shape:
            raise ValueError(f"z_update returned shape {getattr(z, 'shape', None)}; expected "
                             f"{z_shape} (the columns of B)")
    else:
        z = xp.zeros(z_shape)

    mon = Monitor("admm", tol=1.0, max_iter=max_iter, measure_name="residual_ratio",
                  callback=callback, verbose=verbose, to_host=bk.to_host)
    x, z, u, rho, fun, nit = admm_loop(
        x_update, z_update, Aop, Bop, c_arr, z, u, rho=rho, alpha=alpha, rule=adaptive_rho,
        interval=rho_interval, abstol=abstol, reltol=reltol, max_iter=max_iter,
        objective=objective, mon=mon, xp=xp, n_x=int(np.prod(x_shape)),
        n_c=int(np.prod(cs)), x_shape=x_shape, z_shape=z_shape, x=x_start)
    if x is None:
        x = xp.zeros(x_shape)
    back = (lambda a: a) if (on_gpu or bk.name == "cpu") else get_backend("cpu").to_device
    res = mon.result(back(x), fun, z=back(z), u=back(u), y=back(rho * u), rho=rho,
                     nfev=2 * nit)
    return res

