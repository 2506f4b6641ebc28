"""ADMM for convex quadratic programs in OSQP's form.

    minimize    1/2 x^T P x + q^T x
    subject to  l <= A x <= u

Algorithm 1 of B. Stellato, G. Banjac, P. Goulart, A. Bemporad, S. Boyd, "OSQP: an operator
splitting solver for quadratic programs", Mathematical Programming Computation 12, 2020:
with ``z = A x`` split off, each iteration solves one linear system with the quasi-definite
matrix ``[[P + sigma I, A^T], [A, -diag(1/rho)]]`` (factored once, refactored only when
``rho`` changes), relaxes with ``alpha`` and projects onto ``[l, u]``. Ruiz equilibration
(:mod:`.qp_scaling`), the sparse LDL^T with its ordering (:mod:`.qp_linsys`) and solution
polishing (:mod:`.qp_polish`) live in their own modules; the iterations between two
termination checks run in one compiled loop. With ``linsys="indirect"`` (the default on the
GPU) the linear system is instead reduced to ``P + sigma I + A^T diag(rho) A`` and solved by
preconditioned conjugate gradients in array code that runs on numpy or cupy
(:mod:`.qp_indirect`); both modes are driven by the same loop in :func:`admm_qp`.
"""
from __future__ import annotations

import math

import numba
import numpy as np
import scipy.sparse as sp

from ..backend import is_gpu_array, resolve_backend
from ..core.monitor import Monitor
from ..core.result import DUAL_INFEASIBLE, NUMERICAL_ERROR, PRIMAL_INFEASIBLE
from ..core.validation import check_matrix, check_option, check_scalar
from ._common import osqp_rho
from .qp_linsys import (
    LDLFactor, build_kkt, csc_matvec, csc_rmatvec, csc_transpose, ldl_solve_permuted,
    sym_upper_matvec,
)
from .qp_polish import polish_solution
from .qp_scaling import ruiz_equilibrate

_JIT = dict(cache=True)

#: Bounds at or beyond this magnitude are infinite (OSQP's ``OSQP_INFTY``).
INFTY = 1e30
RHO_MIN = 1e-6
RHO_MAX = 1e6
#: Equality rows (``l == u``) get this multiple of ``rho`` (OSQP's ``RHO_EQ_OVER_RHO_INEQ``).
RHO_EQ_FACTOR = 1e3
#: First early polishing attempt when the residual ratio falls to this value.
EARLY_POLISH_START = 100.0
_RHO_TOL_EQ = 1e-4
#: Values of ``linsys``: LDL^T of the KKT matrix, PCG on the reduced system, or by backend.
LINSYS_MODES = ("direct", "indirect", "auto")
_DIV_TOL = 1e-30


# --------------------------------------------------------------------------------------------
# compiled iteration
# --------------------------------------------------------------------------------------------
@numba.njit(**_JIT)
def _admm_steps(steps, n, m, t, perm, Lp, Li, Lx, Dinv, Dx, Dxdinv, W, Dz, Dzdinv, ix, iz,
                sigma, alpha, q, l, u, rho, rho_inv, x, z, y, x_prev, y_prev, work, bx, bz):
    """``steps`` OSQP iterations in place on ``(x, z, y)``; ``x_prev, y_prev`` hold the
    iterate before the last one (for the infeasibility tests)."""
    N = n + m
    for it in range(steps):
        if it == steps - 1:
            for j in range(n):
                x_prev[j] = x[j]
            for i in range(m):
                y_prev[i] = y[i]
        for k in range(N):
            r = perm[k]
            if r < n:
                work[k] = sigma * x[r] - q[r]
            else:
                i = r - n
                work[k] = z[i] - rho_inv[i] * y[i]
        ldl_solve_permuted(N, t, Lp, Li, Lx, Dinv, Dx, Dxdinv, W, Dz, Dzdinv, ix, iz, work, bx,
                           bz)
        for k in range(N):
            r = perm[k]
            v = work[k]
            if r < n:
                x[r] = alpha * v + (1.0 - alpha) * x[r]
            else:
                i = r - n
                zi = z[i]
                yi = y[i]
                zt = zi + rho_inv[i] * (v - yi)
                zr = alpha * zt + (1.0 - alpha) * zi
                zn = zr + rho_inv[i] * yi
                if zn < l[i]:
                    zn = l[i]
                elif zn > u[i]:
                    zn = u[i]
                y[i] = yi + rho[i] * (zr - zn)
                z[i] = zn


@numba.njit(**_JIT)
def _evaluate(n, m, Pp, Pi, Px, Ap, Ai, Ax, q, x, z, y, D, E, c, Axv, Pxv, Atyv):
    """Residuals of the scaled iterate, unscaled (``out[0:7]``) and scaled (``out[7:14]``),
    and the objective (``out[14]``): r_prim, ||Ax||, ||z||, r_dual, ||Px||, ||A^T y||, ||q||
    (all infinity norms)."""
    sym_upper_matvec(n, Pp, Pi, Px, x, Pxv)
    csc_matvec(m, n, Ap, Ai, Ax, x, Axv)
    csc_rmatvec(n, Ap, Ai, Ax, y, Atyv)
    out = np.zeros(15)
    cinv = 1.0 / c
    obj = 0.0
    for j in range(n):
        obj += x[j] * (0.5 * Pxv[j] + q[j])
        dinv = cinv / D[j]
        px = Pxv[j]
        aty = Atyv[j]
        qj = q[j]
        rd = px + qj + aty
        out[3] = max(out[3], abs(rd * dinv))
        out[4] = max(out[4], abs(px * dinv))
        out[5] = max(out[5], abs(aty * dinv))
        out[6] = max(out[6], abs(qj * dinv))
        out[10] = max(out[10], abs(rd))
        out[11] = max(out[11], abs(px))
        out[12] = max(out[12], abs(aty))
        out[13] = max(out[13], abs(qj))
    for i in range(m):
        einv = 1.0 / E[i]
        ax = Axv[i]
        zi = z[i]
        rp = ax - zi
        out[0] = max(out[0], abs(rp * einv))
        out[1] = max(out[1], abs(ax * einv))
        out[2] = max(out[2], abs(zi * einv))
        out[7] = max(out[7], abs(rp))
        out[8] = max(out[8], abs(ax))
        out[9] = max(out[9], abs(zi))
    out[14] = obj * cinv
    return out


@numba.njit(**_JIT)
def _primal_infeasible(n, m, Ap, Ai, Ax, l, u, D, E, y, y_prev, eps, dy, work):
    """OSQP's primal infeasibility test (section 3.4) on ``dy = y - y_prev`` projected onto
    the polar of the recession cone of [l, u]; fills ``dy`` with the unscaled certificate
    ``E dy`` normalized to unit infinity norm when the test passes."""
    nrm = 0.0
    for i in range(m):
        d = y[i] - y_prev[i]
        ui = u[i]
        li = l[i]
        if ui == np.inf:
            if li == -np.inf:
                d = 0.0
            elif d > 0.0:
                d = 0.0
        elif li == -np.inf and d < 0.0:
            d = 0.0
        dy[i] = d
        v = abs(E[i] * d)
        if v > nrm:
            nrm = v
    if nrm <= _DIV_TOL:
        return False
    lhs = 0.0
    for i in range(m):
        d = dy[i]
        if d > 0.0:
            lhs += u[i] * d
        elif d < 0.0:
            lhs += l[i] * d
    if not lhs < -eps * nrm:
        return False
    csc_rmatvec(n, Ap, Ai, Ax, dy, work)
    for j in range(n):
        if abs(work[j] / D[j]) >= eps * nrm:
            return False
    for i in range(m):
        dy[i] = E[i] * dy[i] / nrm
    return True


@numba.njit(**_JIT)
def _dual_infeasible(n, m, Pp, Pi, Px, Ap, Ai, Ax, q, l, u, D, E, c, x, x_prev, eps, dx,
                     work_n, work_m):
    """OSQP's dual infeasibility test (section 3.4) on ``dx = x - x_prev``; fills ``dx`` with
    the unscaled certificate ``D dx`` normalized to unit infinity norm when it passes."""
    nrm = 0.0
    qdx = 0.0
    for j in range(n):
        d = x[j] - x_prev[j]
        dx[j] = d
        v = abs(D[j] * d)
        if v > nrm:
            nrm = v
        qdx += q[j] * d
    if nrm <= _DIV_TOL:
        return False
    if not qdx < -c * eps * nrm:
        return False
    sym_upper_matvec(n, Pp, Pi, Px, dx, work_n)
    for j in range(n):
        if abs(work_n[j] / D[j]) >= c * eps * nrm:
            return False
    csc_matvec(m, n, Ap, Ai, Ax, dx, work_m)
    tol = eps * nrm
    for i in range(m):
        v = work_m[i] / E[i]
        if u[i] < np.inf and v > tol:
            return False
        if l[i] > -np.inf and v < -tol:
            return False
    for j in range(n):
        dx[j] = D[j] * dx[j] / nrm
    return True


@numba.njit(**_JIT)
def _run_chunk(steps, n, m, t, perm, Lp, Li, Lx, Dinv, Dx, Dxdinv, W, Dz, Dzdinv, ix, iz,
               sigma, alpha, Pp, Pi, Px, Ap, Ai, Ax, q, l, u, D, E, c, rho, rho_inv, x, z, y,
               x_prev, y_prev, work, bx, bz, Axv, Pxv, Atyv, eps_abs, eps_rel, eps_pinf,
               eps_dinf, cert_y, cert_x, work_n, work_m):
    """``steps`` iterations, then the residuals (``out[:15]`` as in :func:`_evaluate`),
    ``out[15:18] = (measure, eps_prim, eps_dual)`` and ``out[18]``: 1 when the primal
    infeasibility certificate holds, 2 the dual one, 0 otherwise (tested only when the
    stopping rule does not hold, as OSQP does)."""
    if steps > 0:
        _admm_steps(steps, n, m, t, perm, Lp, Li, Lx, Dinv, Dx, Dxdinv, W, Dz, Dzdinv, ix,
                    iz, sigma, alpha, q, l, u, rho, rho_inv, x, z, y, x_prev, y_prev, work, bx,
                    bz)
    st = _evaluate(n, m, Pp, Pi, Px, Ap, Ai, Ax, q, x, z, y, D, E, c, Axv, Pxv, Atyv)
    out = np.zeros(19)
    out[:15] = st
    eps_p = eps_abs + eps_rel * max(st[1], st[2])
    eps_d = eps_abs + eps_rel * max(st[4], max(st[5], st[6]))
    meas = st[3] / eps_d
    if m > 0 and st[0] / eps_p > meas:
        meas = st[0] / eps_p
    out[15] = meas
    out[16] = eps_p
    out[17] = eps_d
    if steps > 0 and meas > 1.0 and np.isfinite(meas):
        if m > 0 and _primal_infeasible(n, m, Ap, Ai, Ax, l, u, D, E, y, y_prev, eps_pinf,
                                        cert_y, work_n):
            out[18] = 1.0
        elif _dual_infeasible(n, m, Pp, Pi, Px, Ap, Ai, Ax, q, l, u, D, E, c, x, x_prev,
                              eps_dinf, cert_x, work_n, work_m):
            out[18] = 2.0
    return out


@numba.njit(**_JIT)
def _schur_density(n, Ap, Ai, Rp, Rj):
    """Fraction of nonzeros of the pattern of ``A^T A`` (the x-block left after eliminating
    every constraint row), at most 1."""
    mark = np.full(n, -1, np.int64)
    total = 0
    for j in range(n):
        mark[j] = j
        total += 1
        for p in range(Ap[j], Ap[j + 1]):
            r = Ai[p]
            for q in range(Rp[r], Rp[r + 1]):
                c = Rj[q]
                if mark[c] != j:
                    mark[c] = j
                    total += 1
    return total / (n * n)


def _kkt_ordering(n, m, Pp, Pi, Ap, Ai, Rp, Rj):
    """A cheap ordering of the KKT matrix when minimum degree is known in advance, else None
    (then approximate minimum degree runs).

    When the constraint rows have (nearly all) fewer entries than the columns of the KKT
    matrix in the x-block, minimum degree eliminates the constraint rows first (eliminating
    one never raises the degree of another), leaving ``P + A^T R A`` on x. If that block is
    more than half full it ends up in the dense trailing block anyway, so the rows followed
    by x in natural order fill like minimum degree (within a few percent), without its cost
    (which is large when A has many long rows)."""
    if m == 0:
        return None
    row_deg = np.diff(Rp)
    x_deg = np.diff(Ap) + np.bincount(Pi, minlength=n) + np.diff(Pp)
    if np.percentile(row_deg, 90) > np.percentile(x_deg, 10):
        return None
    if float(np.square(row_deg, dtype=np.float64).sum()) < 0.5 * n * n:
        return None  # A^T A cannot be half full
    if _schur_density(n, Ap, Ai, Rp, Rj) < 0.5:
        return None
    return np.concatenate([np.arange(n, n + m, dtype=np.int64), np.arange(n, dtype=np.int64)])


@numba.njit(**_JIT)
def _rho_vector(rho, l, u, rho_vec, rho_inv):
    for i in range(l.shape[0]):
        if l[i] == -np.inf and u[i] == np.inf:
            r = RHO_MIN
        elif u[i] - l[i] < _RHO_TOL_EQ:
            r = RHO_EQ_FACTOR * rho
        else:
            r = rho
        rho_vec[i] = r
        rho_inv[i] = 1.0 / r


# --------------------------------------------------------------------------------------------
# direct linear system: the KKT factorization and the compiled loop
# --------------------------------------------------------------------------------------------
class _DirectADMM:
    """OSQP's ADMM on the scaled problem with the quasi-definite KKT matrix factored by the
    sparse LDL^T (``linsys="direct"``). Same interface as
    :class:`~solvers.admm.qp_indirect.IndirectADMM`: :meth:`run`, :meth:`state`,
    :meth:`set_rho`, :meth:`x_unscaled`, ``cert_y`` / ``cert_x``, ``perm``."""

    def __init__(self, n, m, Pp, Pi, Px, Ap, Ai, Ax, Rp, Rj, Rx, q, l, u, D, E, c, rho_vec,
                 sigma, alpha, x_start, y_start, eps_prim_inf, eps_dual_inf):
        self.n, self.m = n, m
        self.sigma, self.alpha, self.c = sigma, alpha, c
        self.eps_prim_inf, self.eps_dual_inf = eps_prim_inf, eps_dual_inf
        self.P = (Pp, Pi, Px)
        self.A = (Ap, Ai, Ax)
        self.q, self.l, self.u, self.D, self.E = q, l, u, D, E
        self.rho_vec = rho_vec.copy()
        self.rho_inv = 1.0 / rho_vec
        Kp, Ki, self.Kx, self.dpos = build_kkt(n, Pp, Pi, Px, sigma,
                                               np.arange(m, dtype=np.int64), Rp, Rj, Rx,
                                               self.rho_inv)
        N = n + m
        positive = np.zeros(N, dtype=bool)
        positive[:n] = True
        self.F = F = LDLFactor(N, Kp, Ki, positive,
                               perm=_kkt_ordering(n, m, Pp, Pi, Ap, Ai, Rp, Rj))
        npos = F.factor(self.Kx)
        if npos != n:
            raise ValueError(
                "P must be positive semidefinite: the KKT matrix [[P + sigma I, A^T], [A, "
                "-diag(1/rho)]] is not quasi-definite (its LDL^T factorization "
                + ("hit a zero pivot" if npos == -1 else "has the wrong inertia") + ")")
        self.perm = F.perm
        self.x = np.zeros(n)
        self.z = np.zeros(m)
        self.y = np.zeros(m)
        if x_start is not None:
            self.x[:] = x_start
            csc_matvec(m, n, Ap, Ai, Ax, self.x, self.z)
        if y_start is not None:
            self.y[:] = y_start
        self.x_prev = self.x.copy()
        self.y_prev = self.y.copy()
        self.work = np.empty(N)
        self.Axv = np.empty(m)
        self.Pxv = np.empty(n)
        self.Atyv = np.empty(n)
        self.cert_y = np.empty(m)
        self.cert_x = np.empty(n)
        self.work_n = np.empty(n)
        self.work_m = np.empty(m)

    def run(self, steps, eps_abs, eps_rel):
        """``steps`` iterations and the statistics of :func:`_run_chunk`."""
        F = self.F
        return _run_chunk(steps, self.n, self.m, F.t, F.perm, F.Lp, F.Li32, F.Lx, F.Dinv,
                          *F.dense, self.sigma, self.alpha, *self.P, *self.A, self.q, self.l,
                          self.u, self.D, self.E, self.c, self.rho_vec, self.rho_inv, self.x,
                          self.z, self.y, self.x_prev, self.y_prev, self.work, F._bx, F._bz,
                          self.Axv, self.Pxv, self.Atyv, eps_abs, eps_rel, self.eps_prim_inf,
                          self.eps_dual_inf, self.cert_y, self.cert_x, self.work_n,
                          self.work_m)

    def state(self):
        return self.x, self.z, self.y

    def x_unscaled(self):
        return self.x * self.D

    def set_rho(self, rho_vec):
        """New row penalties: numeric refactorization; False when it loses quasi-definiteness."""
        self.rho_vec[:] = rho_vec
        self.rho_inv[:] = 1.0 / rho_vec
        self.Kx[self.dpos] = -self.rho_inv
        return self.F.factor(self.Kx) == self.n


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------
def _as_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _canonical_csc(M):
    """A private canonical CSC copy of a validated sparse or dense matrix (int64 indices).

    Returns ``(indptr, indices, data, matrix)``; ``matrix`` is None on the fast path (the
    input already canonical CSC: only its arrays are copied)."""
    if sp.issparse(M) and M.format == "csc" and M.has_canonical_format:
        return (M.indptr.astype(np.int64), M.indices.astype(np.int64),
                np.array(M.data, dtype=np.float64, copy=True), None)
    if sp.issparse(M):
        M = sp.csc_matrix(M, dtype=np.float64, copy=True)
    else:
        M = sp.csc_matrix(np.asarray(M, dtype=np.float64))
    M.sum_duplicates()
    return (M.indptr.astype(np.int64), M.indices.astype(np.int64),
            np.ascontiguousarray(M.data, dtype=np.float64), M)


def _check_P(P, n):
    """Upper triangle of P (CSC arrays). P may be upper triangular or full symmetric."""
    if P is None:
        return np.zeros(n + 1, np.int64), np.zeros(0, np.int64), np.zeros(0)
    P = check_matrix(P, "P")
    if P.shape != (n, n):
        raise ValueError(f"P must be square of order n = len(q) = {n}, got shape {P.shape}")
    Pp, Pi, Px, M = _canonical_csc(P)
    cols = np.repeat(np.arange(n, dtype=np.int64), np.diff(Pp))
    if ((Pi > cols) & (Px != 0.0)).any():
        if M is None:
            M = sp.csc_matrix((Px, Pi, Pp), shape=(n, n))
        asym = abs(M - M.T)
        scale = abs(M).max()
        if asym.nnz and asym.max() > 1e-8 * max(scale, 1e-300):
            raise ValueError(
                "P must be symmetric (full) or upper triangular (its upper triangle is used, "
                "as in OSQP); got a matrix with entries below the diagonal that is not "
                "symmetric: pass sp.triu(P) or (P + P.T) / 2")
        M = sp.triu(M, format="csc")
        M.sum_duplicates()
        Pp, Pi, Px = (M.indptr.astype(np.int64), M.indices.astype(np.int64),
                      np.ascontiguousarray(M.data, dtype=np.float64))
    return Pp, Pi, Px


def _check_bound(b, name, m, sign):
    if b is None:
        return np.full(m, sign * np.inf)
    if is_gpu_array(b):
        b = b.get()
    arr = np.array(b, dtype=np.float64, copy=True)  # private copy
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got shape {arr.shape}")
    if arr.shape[0] != m:
        raise ValueError(f"{name} has length {arr.shape[0]} but A has {m} rows")
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN; use -inf / inf (or +-1e30) for absent bounds")
    arr[arr >= INFTY] = np.inf
    arr[arr <= -INFTY] = -np.inf
    return arr


def _check_start(v, name, size):
    if v is None:
        return None
    if is_gpu_array(v):
        v = v.get()
    arr = np.asarray(v)
    if arr.ndim != 1 or arr.shape[0] != size:
        raise ValueError(f"{name} has shape {arr.shape} but the problem expects ({size},)")
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or inf entries")
    return arr


# --------------------------------------------------------------------------------------------
# solver
# --------------------------------------------------------------------------------------------
def admm_qp(P, q, A=None, l=None, u=None, *, x0=None, y0=None, rho=0.1, sigma=1e-6,
            alpha=1.6, adaptive_rho=True, rho_interval=25, scaling=10, polish=True,
            early_polish=True, eps_abs=1e-3, eps_rel=1e-3, eps_prim_inf=1e-4,
            eps_dual_inf=1e-4, tol=None, max_iter=4000, check_interval=25, callback=None,
            verbose=False, backend="auto", linsys="auto"):
    r"""Solve the convex QP ``min 1/2 x^T P x + q^T x`` subject to ``l <= A x <= u`` by OSQP's ADMM.

    The iteration is Algorithm 1 of Stellato et al. (2020) on the splitting ``z = A x``:

    .. math::
        \begin{bmatrix} P + \sigma I & A^T \\ A & -\mathrm{diag}(\rho)^{-1} \end{bmatrix}
        \begin{bmatrix} \tilde x \\ \nu \end{bmatrix} =
        \begin{bmatrix} \sigma x^k - q \\ z^k - \mathrm{diag}(\rho)^{-1} y^k \end{bmatrix},
        \quad \tilde z = z^k + \mathrm{diag}(\rho)^{-1}(\nu - y^k),

    ``x+ = alpha x~ + (1 - alpha) x``, ``z+ = Pi_[l,u](alpha z~ + (1 - alpha) z + y / rho)``,
    ``y+ = y + rho (alpha z~ + (1 - alpha) z - z+)``. The quasi-definite KKT matrix is
    factored once as ``L D L^T`` after an approximate minimum degree ordering and refactored
    (numerically only) when ``rho`` changes; see :mod:`solvers.admm.qp_linsys`.

    Parameters
    ----------
    P : (n, n) array or sparse matrix, or None
        Positive semidefinite cost matrix, either full symmetric or upper triangular (OSQP's
        convention; only the upper triangle is read). A matrix with entries below the diagonal
        must be symmetric (to 1e-8 relative). None is the zero matrix (a linear program).
        Sparse input is never densified.
    q : (n,) array
        Linear cost.
    A : (m, n) array or sparse matrix, optional
        Constraint matrix; None means no constraints.
    l, u : (m,) arrays, optional
        Bounds, ``l <= u``. ``-inf`` / ``inf`` (or any value beyond +-1e30, OSQP's infinity)
        mean no bound; None means all infinite. Equality rows have ``l == u``.
    x0, y0 : (n,) and (m,) arrays, optional
        Warm start for the primal and dual variables (``z`` starts at ``A x0``). Never
        modified.
    rho : float, default 0.1
        Initial ADMM penalty (> 0). Rows get their own penalty: ``1e3 rho`` for equality
        rows, ``1e-6`` for rows with both bounds infinite (section 5.2).
    sigma : float, default 1e-6
        Regularization of the x-update (> 0).
    alpha : float, default 1.6
        Over-relaxation, in (0, 2).
    adaptive_rho : bool, default True
        Update ``rho`` by OSQP's rule ``rho sqrt((||r_prim|| / max(||Ax||, ||z||)) /
        (||r_dual|| / max(||Px||, ||A^T y||, ||q||)))`` (scaled residuals, clipped to
        [1e-6, 1e6]) every ``rho_interval`` iterations, and refactor when it moves by more
        than a factor 5. The fixed interval (OSQP can also time it by the factorization cost)
        keeps runs deterministic.
    rho_interval : int, default 25
        Iterations between ``rho`` updates (>= 1).
    scaling : int, default 10
        Modified Ruiz equilibration passes (section 5.1); 0 turns scaling off. Residuals and
        tolerances always refer to the unscaled problem.
    polish : bool, default True
        After convergence, guess the active constraints from the dual signs, solve the
        equality-constrained QP on them (regularized KKT, delta = 1e-6, with 3 steps of
        iterative refinement) and keep the result when it lowers the residuals
        (section 4.2). ``Result.polished`` says whether it was kept.
    early_polish : bool, default True
        Also try polishing before the stopping rule holds: at the first check where
        ``measure <= 100``, and again each time it has dropped 10 times further. The run stops
        there when the polished point satisfies the stopping rule (``measure <= 1``); else
        ADMM goes on from its own iterate. Once the active set is identified the polished
        point is exact to rounding, so this removes the slow tail of the iteration at the
        price of at most a few extra factorizations of the reduced KKT matrix. Needs
        ``polish=True``.
    eps_abs, eps_rel : float, default 1e-3
        Stopping rule (section 3.3): ``||A x - z||_inf <= eps_abs + eps_rel max(||Ax||_inf,
        ||z||_inf)`` and ``||P x + q + A^T y||_inf <= eps_abs + eps_rel max(||Px||_inf,
        ||A^T y||_inf, ||q||_inf)``.
    eps_prim_inf, eps_dual_inf : float, default 1e-4
        Tolerances of the infeasibility certificates (section 3.4).
    tol : float, optional
        Shorthand that sets ``eps_abs = eps_rel = tol``.
    max_iter : int, default 4000
        Iteration budget.
    check_interval : int, default 25
        The residuals, the stopping rule, the infeasibility tests and the callback are
        evaluated every ``check_interval`` iterations (and at every ``rho`` update), like
        OSQP's ``check_termination``; the iterations in between run in one compiled loop.
    callback : callable, optional
        ``callback(intermediate_result)`` at every check, with the unscaled ``x``;
        raise StopIteration to stop.
    verbose : bool, default False
        Show progress.
    backend : {"auto", "cpu", "gpu"}, default "auto"
        Where the iteration runs: ``"auto"`` follows the data (GPU input, dense cupy arrays or
        cupyx sparse matrices, means the GPU). Results come back on the device the input was
        on (``backend="gpu"`` returns cupy arrays).
    linsys : {"auto", "direct", "indirect"}, default "auto"
        How the linear system of each iteration is solved. ``"direct"``: sparse LDL^T of the
        KKT matrix on the CPU (with GPU input the data are copied to the host, the results
        back). ``"indirect"``: the reduced positive definite system ``(P + sigma I + A^T
        diag(rho) A) x~ = sigma x - q + A^T (rho z - y)`` by Jacobi-preconditioned conjugate
        gradients, warm started from the previous ``x~``, to a tolerance that decreases with
        the ADMM residuals (cuOSQP's rule on the smaller residual, floored at
        ``min(1e-7, 0.01 min(eps_abs, eps_rel))``, the minimum over the positive ones; see
        :mod:`solvers.admm.qp_indirect`); it needs only sparse matrix-vector products and
        runs on the backend's arrays (numpy / scipy.sparse or cupy / cupyx.scipy.sparse),
        without a factorization, and ``rho`` updates cost nothing.
        The Ruiz scaling is computed on the host once and the scaled data moved to the
        device; polishing (``polish``, ``early_polish``) still factors the reduced KKT matrix
        on the host, from host copies of the iterate (a one-off per attempt: pass
        ``polish=False`` when that factorization is too costly). ``"auto"``: ``"indirect"`` on
        the GPU, ``"direct"`` on the CPU. The inexact solves change the iterates and the
        iteration count; the stopping rule and the certificates are the same in both modes.

    Returns
    -------
    Result
        ``x`` (primal), ``y`` (dual, ``P x + q + A^T y = 0``; ``y_i > 0`` at an active upper
        bound, ``< 0`` at a lower one), ``z = A x``, ``fun`` (objective; ``+inf`` when
        primal infeasible, ``-inf`` when dual infeasible), ``status`` (0 converged,
        1 max_iter, 2 non-finite value, 6 primal infeasible, 7 dual infeasible, 99 stopped by
        the callback), ``measure = max(r_prim / eps_prim, r_dual / eps_dual)`` (converged when
        <= 1), ``r_prim``, ``r_dual``, ``polished``, ``rho`` (final scalar penalty),
        ``rho_updates``, ``prim_inf_cert`` (``dy`` with ``A^T dy ~ 0`` and
        ``u^T max(dy, 0) + l^T min(dy, 0) < 0``, unit infinity norm; None unless primal
        infeasible), ``dual_inf_cert`` (``dx`` with ``P dx ~ 0``, ``q^T dx < 0`` and ``A dx``
        in the recession cone of [l, u]; None unless dual infeasible). ``history`` has one
        row per check: objective, measure, r_prim, r_dual, eps_prim, eps_dual, rho, time,
        nit (the iteration number) and polished (1 on the extra row of a successful early
        polish, which has the nit of the check it started from). ``linsys`` is the mode that ran
        (``"direct"`` or ``"indirect"``), ``pcg_iter`` the PCG iterations in all (0 in the
        direct mode).

    Raises
    ------
    ValueError
        Inconsistent shapes, ``l > u``, NaN in the data, P not symmetric or not positive
        semidefinite (found by the inertia of the KKT factorization; in the indirect mode by a
        negative diagonal entry or by negative curvature met in PCG, which need not find
        every indefinite P), parameters out of range, ``linsys`` not one of its values.
    TypeError
        Non-numeric input.

    Notes
    -----
    Computation is in float64. Rows with both bounds infinite are allowed (they get
    ``rho = 1e-6``). The KKT ordering is approximate minimum degree, except when the
    constraint rows are (nearly all) shorter than the columns and ``A^T A`` is more than half
    full: then rows first and x last is what minimum degree would find, and it is taken
    without running it. The factorization handles the trailing part of the elimination order
    as a dense block when that part of ``L`` is at least half full (see
    :class:`~solvers.admm.qp_linsys.LDLFactor`). The stopping rule is the one of section 3.3;
    OSQP 1.x by default also requires a small duality gap (``check_dualgap``), which this
    solver does not. Infeasibility is tested, after the stopping rule, at the same checks, on
    the last iterate difference, as in OSQP.

    References
    ----------
    B. Stellato, G. Banjac, P. Goulart, A. Bemporad, S. Boyd, "OSQP: an operator splitting
    solver for quadratic programs", Math. Program. Comput. 12, 637-672, 2020.
    G. Banjac, P. Goulart, B. Stellato, S. Boyd, "Infeasibility detection in the alternating
    direction method of multipliers for convex optimization", J. Optim. Theory Appl. 183, 2019.
    M. Schubiger, G. Banjac, J. Lygeros, "GPU acceleration of ADMM for large-scale quadratic
    programming", J. Parallel Distrib. Comput. 144, 2020 (the indirect mode).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from solvers.admm import admm_qp
    >>> P = sp.csc_matrix([[4.0, 1.0], [1.0, 2.0]])
    >>> A = sp.csc_matrix([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    >>> res = admm_qp(P, np.array([1.0, 1.0]), A, np.array([1.0, 0.0, 0.0]),
    ...               np.array([1.0, 0.7, 0.7]), tol=1e-8)
    >>> res.success, np.round(res.x, 4)
    (True, array([0.3, 0.7]))
    """
    # ---------------- options ----------------
    rho = check_scalar(rho, "rho", lower=0.0, lower_inclusive=False)
    sigma = check_scalar(sigma, "sigma", lower=0.0, lower_inclusive=False)
    alpha = check_scalar(alpha, "alpha", lower=0.0, upper=2.0, lower_inclusive=False,
                         upper_inclusive=False)
    adaptive_rho = _as_bool(adaptive_rho, "adaptive_rho")
    polish = _as_bool(polish, "polish")
    early_polish = _as_bool(early_polish, "early_polish") and polish
    rho_interval = check_scalar(rho_interval, "rho_interval", lower=1, integer=True)
    check_interval = check_scalar(check_interval, "check_interval", lower=1, integer=True)
    scaling = check_scalar(scaling, "scaling", lower=0, integer=True)
    max_iter = check_scalar(max_iter, "max_iter", lower=0, integer=True)
    if tol is not None:
        tol = check_scalar(tol, "tol", lower=0.0, lower_inclusive=False)
        eps_abs = eps_rel = tol
    eps_abs = check_scalar(eps_abs, "eps_abs", lower=0.0)
    eps_rel = check_scalar(eps_rel, "eps_rel", lower=0.0)
    if eps_abs == 0.0 and eps_rel == 0.0:
        raise ValueError("eps_abs and eps_rel cannot both be 0: the stopping rule would never "
                         "hold; give a positive eps_abs or eps_rel")
    eps_prim_inf = check_scalar(eps_prim_inf, "eps_prim_inf", lower=0.0, lower_inclusive=False)
    eps_dual_inf = check_scalar(eps_dual_inf, "eps_dual_inf", lower=0.0, lower_inclusive=False)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, got {type(callback).__name__}")
    check_option(linsys, "linsys", LINSYS_MODES)

    # ---------------- data ----------------
    bk = resolve_backend(backend, P, q, A)
    on_gpu = bk.name == "gpu"
    if linsys == "auto":
        linsys = "indirect" if on_gpu else "direct"
    P, q, A = (bk.to_host(v) if is_gpu_array(v) else v for v in (P, q, A))
    if q is None:
        raise TypeError("q must be an array of length n, got None")
    q_in = np.asarray(q)
    if q_in.ndim != 1:
        raise ValueError(f"q must be 1-dimensional, got shape {q_in.shape}")
    if not np.issubdtype(q_in.dtype, np.number) or np.issubdtype(q_in.dtype, np.complexfloating):
        raise TypeError(f"q must hold real numbers, got dtype {q_in.dtype}")
    n = q_in.shape[0]
    if n == 0:
        raise ValueError("q is empty: the problem has no variables")
    qv = np.array(q_in, dtype=np.float64, copy=True)
    if not np.isfinite(qv).all():
        raise ValueError("q contains NaN or inf entries")
    Pp, Pi, Px = _check_P(P, n)
    if A is None:
        if l is not None or u is not None:
            raise ValueError("l and u were given without A; give A (m x n) with them")
        Ap, Ai, Ax = np.zeros(n + 1, np.int64), np.zeros(0, np.int64), np.zeros(0)
        m = 0
    else:
        A = check_matrix(A, "A")
        if A.shape[1] != n:
            raise ValueError(f"A must have n = len(q) = {n} columns, got shape {A.shape}")
        m = A.shape[0]
        Ap, Ai, Ax, _ = _canonical_csc(A)
    lv = _check_bound(l, "l", m, -1.0)
    uv = _check_bound(u, "u", m, 1.0)
    bad = lv > uv
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"l must be <= u elementwise: l[{i}] = {lv[i]} > u[{i}] = {uv[i]} "
                         f"({int(bad.sum())} rows); swap or fix the bounds")
    if (lv == np.inf).any() or (uv == -np.inf).any():
        raise ValueError("l cannot be +inf and u cannot be -inf (the constraint would be "
                         "infeasible); use finite bounds")
    x_start = _check_start(x0, "x0", n)
    y_start = _check_start(y0, "y0", m)

    # ---------------- scaling ----------------
    D = np.ones(n)
    E = np.ones(m)
    c = 1.0
    if scaling > 0:
        c = ruiz_equilibrate(n, m, Pp, Pi, Px, Ap, Ai, Ax, qv, scaling, D, E)
    ls = lv * E
    us = uv * E

    # ---------------- linear system ----------------
    rho_vec = np.empty(m)
    rho_inv = np.empty(m)
    rho = min(max(rho, RHO_MIN), RHO_MAX)
    _rho_vector(rho, ls, us, rho_vec, rho_inv)
    Rp, Rj, Rx = csc_transpose(m, n, Ap, Ai, Ax)
    xs0 = None if x_start is None else x_start / D
    ys0 = None if y_start is None else c * y_start / E
    if linsys == "direct":
        eng = _DirectADMM(n, m, Pp, Pi, Px, Ap, Ai, Ax, Rp, Rj, Rx, qv, ls, us, D, E, c,
                          rho_vec, sigma, alpha, xs0, ys0, eps_prim_inf, eps_dual_inf)
    else:
        from .qp_indirect import IndirectADMM

        eng = IndirectADMM(bk, n, m, Pp, Pi, Px, Ap, Ai, Ax, qv, ls, us, D, E, c, rho_vec,
                           sigma, alpha, xs0, ys0, eps_abs, eps_rel, eps_prim_inf,
                           eps_dual_inf)

    # ---------------- iteration ----------------
    Axv = np.empty(m)
    Pxv = np.empty(n)
    Atyv = np.empty(n)
    mon = Monitor("admm_qp", tol=1.0, max_iter=max_iter, measure_name="residual_ratio",
                  callback=callback, verbose=verbose, to_host=bk.to_host)
    rho_updates = 0

    def chunk(steps, k):
        out = eng.run(steps, eps_abs, eps_rel)
        stop = mon.record(k, eng.x_unscaled() if callback is not None else None, out[14],
                          out[15], r_prim=out[0], r_dual=out[3], eps_prim=out[16],
                          eps_dual=out[17], rho=rho, polished=0)
        return out, stop

    def evaluate(xp, zp, yp):
        return _evaluate(n, m, Pp, Pi, Px, Ap, Ai, Ax, qv, xp, zp, yp, D, E, c, Axv, Pxv, Atyv)

    def measure_of(stp):
        eps_p = eps_abs + eps_rel * max(stp[1], stp[2])
        eps_d = eps_abs + eps_rel * max(stp[4], stp[5], stp[6])
        return max(stp[0] / eps_p, stp[3] / eps_d), eps_p, eps_d

    def try_polish(stats):
        xh, zh, yh = eng.state()  # host arrays (copies in the indirect mode)
        return polish_solution(n, m, Pp, Pi, Px, Ap, Ai, Ax, Rp, Rj, Rx, qv, ls, us, xh, zh,
                               yh, stats, evaluate, perm=eng.perm)

    # no stop before the first iteration: z = A x0 is not yet projected onto [l, u] and a
    # warm-started y0 need not be complementary, so zero residuals there prove nothing
    # (x0 = 0, q = 0 would pass the test on any problem)
    st, stop = eng.run(0, eps_abs, eps_rel), False
    k = 0
    cert_p = cert_d = None
    polished = False
    pol_xzy = None
    polish_at = EARLY_POLISH_START
    while not stop and k < max_iter:
        nxt = min(max_iter, (k // check_interval + 1) * check_interval)
        if adaptive_rho:
            nxt = min(nxt, (k // rho_interval + 1) * rho_interval)
        st, stop = chunk(nxt - k, nxt)
        k = nxt
        if stop:
            break
        if st[18] == 1.0:
            cert_p = eng.cert_y.copy()
            mon.stop_with(PRIMAL_INFEASIBLE)
            break
        if st[18] == 2.0:
            cert_d = eng.cert_x.copy()
            mon.stop_with(DUAL_INFEASIBLE)
            break
        if early_polish and m and st[15] <= polish_at:
            polish_at = st[15] / 10.0
            pol = try_polish(st)
            if pol is not None:
                meas_p, eps_p, eps_d = measure_of(pol[3])
                if meas_p <= 1.0:
                    pol_xzy, st = pol[:3], pol[3]
                    polished = True
                    stop = mon.record(k, pol_xzy[0] * D if callback is not None else None,
                                      st[14], meas_p, r_prim=st[0], r_dual=st[3],
                                      eps_prim=eps_p, eps_dual=eps_d, rho=rho, polished=1)
                    break
        if adaptive_rho and k % rho_interval == 0 and m:
            new = osqp_rho(rho, st[7], st[10], max(st[8], st[9]),
                           max(st[11], st[12], st[13]), bounds=(RHO_MIN, RHO_MAX))
            if new != rho:  # osqp_rho moves rho only by more than its 5x tolerance
                rho = new
                _rho_vector(rho, ls, us, rho_vec, rho_inv)
                if not eng.set_rho(rho_vec):
                    mon.stop_with(NUMERICAL_ERROR)
                    break
                rho_updates += 1

    status = mon.status
    r_prim, r_dual, meas = st[0], st[3], mon.last_measure
    if status == 0 and polish and m and not polished:
        pol = try_polish(st)
        if pol is not None:
            pol_xzy, st = pol[:3], pol[3]
            polished = True
            r_prim, r_dual = st[0], st[3]
            meas = measure_of(st)[0]
            mon.last_measure = meas
    x, z, y = eng.state() if pol_xzy is None else pol_xzy
    x_out = x * D
    y_out = y * E / c
    z_out = z / E
    fun = st[14]
    if status == PRIMAL_INFEASIBLE:
        fun = math.inf
    elif status == DUAL_INFEASIBLE:
        fun = -math.inf
    to_dev = bk.to_device if on_gpu else (lambda a: a)
    res = mon.result(to_dev(x_out), fun, y=to_dev(y_out), z=to_dev(z_out), polished=polished,
                     rho=rho, rho_updates=rho_updates, r_prim=float(r_prim),
                     r_dual=float(r_dual),
                     prim_inf_cert=None if cert_p is None else to_dev(cert_p),
                     dual_inf_cert=None if cert_d is None else to_dev(cert_d),
                     linsys=linsys, pcg_iter=getattr(eng, "pcg_iter", 0))
    res.measure = float(meas)
    if status == PRIMAL_INFEASIBLE:
        res.message = (f"admm_qp: problem is primal infeasible (certificate dy with "
                       f"||A^T dy||_inf < {eps_prim_inf:.1e} ||dy||_inf and u^T max(dy, 0) + "
                       f"l^T min(dy, 0) < 0 found at iteration {mon.nit}); see prim_inf_cert")
    elif status == DUAL_INFEASIBLE:
        res.message = (f"admm_qp: problem is dual infeasible / unbounded (direction dx with "
                       f"P dx ~ 0, q^T dx < 0 and A dx in the recession cone found at "
                       f"iteration {mon.nit}); see dual_inf_cert")
    elif status == 0:
        res.message = (f"admm_qp converged after {mon.nit} iterations: r_prim {r_prim:.2e}, "
                       f"r_dual {r_dual:.2e} (residual_ratio {meas:.2e} <= 1)"
                       + (", polished" if polished else ""))
    return res
