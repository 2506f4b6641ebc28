"""The indirect linear-system mode of :func:`solvers.admm.admm_qp` (``linsys="indirect"``).

Instead of factoring the quasi-definite KKT matrix, each ADMM iteration solves the reduced
symmetric positive definite system (the Schur complement of the ``-diag(1/rho)`` block)

    (P + sigma I + A^T diag(rho) A) x~ = sigma x - q + A^T (rho z - y),    z~ = A x~

by preconditioned conjugate gradients, as cuOSQP does (M. Schubiger, G. Banjac, J. Lygeros,
"GPU acceleration of ADMM for large-scale quadratic programming", J. Parallel Distrib.
Comput. 144, 2020; the CUDA backend of OSQP 1.x):

* Jacobi (diagonal) preconditioner ``diag(P) + sigma + (A o A)^T rho``, rebuilt when ``rho``
  changes (nothing is refactored);
* warm start from the previous ``x~``;
* at most :data:`PCG_MAX_ITER` iterations per solve; stop when ``||r||_inf <= eps_k`` with the
  residual ``r`` of the reduced system;
* the tolerance follows the ADMM residuals, with cuOSQP's mechanics:
  ``eps_1 = f ||rhs||_inf`` at the first iteration (1 when the right-hand side vanishes),
  then ``eps_k = max(min(f g_k, eps_{k-1}), eps_min)`` (never increasing), ``f`` starting at
  :data:`PCG_TOL_FRACTION` and halved each time :data:`PCG_REDUCTION_THRESHOLD` solves have
  needed no PCG iteration at all (the solve has stalled the ADMM iteration). Here ``g_k =
  min(r_prim, r_dual)``, the smaller scaled residual ``||A x - z||_inf``,
  ``||P x + q + A^T y||_inf`` of the current iterate, where cuOSQP takes their geometric
  mean with ``f = 0.15`` and at most 20 PCG iterations. The PCG residual enters the dual
  residual of the next iterate almost unchanged, so a tolerance above ``r_dual`` (which the
  geometric mean allows while ``r_prim >> r_dual``) lets the solve error dominate the dual
  residual: the adaptive ``rho`` rule then sees a dual residual that is too large and keeps
  ``rho`` too small. On random sparse QPs (n = 30 to 3000) cuOSQP's constants left ``rho``
  at its start on most problems and took 2 to 6 times the ADMM iterations of the direct
  mode; ``f = 0.5`` on ``min(r_prim, r_dual)`` with at most 50 PCG iterations took about
  as many as the direct mode (0.5 to 2.5 times), and less PCG work in all on most. The
  residuals are those of every iteration (OSQP 1.x refreshes them only at its termination
  checks, which took three to four times more ADMM iterations here). They cost one extra
  product ``A^T y`` per iteration: ``P x`` and ``A x`` follow ``x`` by the relaxation
  ``x <- alpha x~ + (1 - alpha) x`` from ``P x~`` and ``A x~``, which PCG keeps alongside
  ``x~`` (so ``z~ = A x~`` needs no product either); the recurrences contract
  (``|1 - alpha| < 1``) and are recomputed exactly at every termination check;
* the floor is ``eps_min = min(PCG_TOL_MIN, PCG_FLOOR_FRACTION * min(positive eps_abs,
  eps_rel))``: cuOSQP's 1e-7 at the default tolerances, lower when a tighter solution is
  asked for (an inexact x-update perturbs the dual residual by about the PCG residual, so a
  floor above the requested accuracy would stall the iteration).

The ADMM iteration, the adaptive ``rho`` rule, the termination checks and the infeasibility
certificates are those of the direct mode (:mod:`solvers.admm.qp`, which drives this engine
through the same interface); only the x-update differs, so the iterates agree with the
direct mode's up to the PCG tolerance, and the inexact solves usually cost some extra ADMM
iterations.

Every operation is an ``xp`` (numpy or cupy) array operation or a sparse matrix-vector product
(``scipy.sparse`` on the CPU, ``cupyx.scipy.sparse`` on the GPU), so the same code runs on
both backends. The scalars that steer the run (PCG residual norms, termination statistics,
infeasibility tests) are gathered into one small array per decision and copied to the host
once. The matrices ``P`` (full symmetric), ``A``, ``A^T`` and ``(A o A)^T`` are assembled on
the host from the Ruiz-scaled data and moved to the device once.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

#: PCG iterations per ADMM iteration at most (cuOSQP: 20).
PCG_MAX_ITER = 50
#: Initial fraction of the tolerance rule (OSQP's ``cg_tol_fraction`` is 0.15, on the
#: geometric mean of the residuals; here it multiplies the smaller residual).
PCG_TOL_FRACTION = 0.5
#: The fraction is halved after this many solves that needed no PCG iteration
#: (OSQP's ``cg_tol_reduction``).
PCG_REDUCTION_THRESHOLD = 10
#: Floor of the PCG tolerance at the default ADMM tolerances (``OSQP_CG_TOL_MIN``).
PCG_TOL_MIN = 1e-7
#: The floor never exceeds this fraction of the requested accuracy.
PCG_FLOOR_FRACTION = 1e-2
_DIV_TOL = 1e-30

_NOT_PSD = ("P must be positive semidefinite: the reduced matrix P + sigma I + A^T diag(rho) A "
            "of linsys='indirect' ")


class _SpMV:
    """``v -> M v`` for a host sparse matrix moved to the backend; a structurally empty
    matrix (no rows, no columns or no stored entries) gives zeros without a device call."""

    def __init__(self, bk, M):
        self.xp = bk.xp
        self.rows = M.shape[0]
        M = sp.csr_matrix(M)
        M.eliminate_zeros()
        self.M = bk.to_device(M) if (M.shape[0] and M.shape[1] and M.nnz) else None

    def __call__(self, v):
        if self.M is None:
            return self.xp.zeros(self.rows, dtype=v.dtype)
        return self.M @ v


def _amax(xp, v):
    """``max |v|`` as a 0-d array of the backend (0 for an empty ``v``)."""
    if v.shape[0] == 0:
        return xp.zeros(())
    return xp.max(xp.abs(v))


class IndirectADMM:
    """OSQP's ADMM iteration on the scaled problem with the x-update by PCG.

    The interface is the one :func:`solvers.admm.admm_qp` drives (shared with its direct
    engine): :meth:`run` takes ``steps`` iterations and returns the 19 statistics of
    ``qp._run_chunk``; :meth:`state` gives host copies of ``(x, z, y)``; :meth:`set_rho`
    installs new penalties; after a positive infeasibility test ``cert_y`` / ``cert_x`` hold
    the unscaled certificate (host arrays).

    Parameters are the host arrays of the scaled problem as :func:`admm_qp` holds them:
    ``P`` by its upper triangle ``(Pp, Pi, Px)`` in CSC, ``A`` as ``(Ap, Ai, Ax)`` in CSC,
    ``q, l, u``, the Ruiz factors ``D, E, c``, the row penalties ``rho_vec`` and the scaled
    starting point (``x_start, y_start`` already scaled, or None).

    Raises
    ------
    ValueError
        When ``P`` has a negative diagonal entry, or PCG meets a direction of non-positive
        curvature (``P`` is then not positive semidefinite). Unlike the inertia test of the
        direct mode this is not a proof of convexity: an indefinite ``P`` whose negative
        curvature PCG never explores goes undetected, and the iteration may then stop at a
        stationary point that is not a minimum.
    """

    perm = None  # no KKT ordering for polishing to reuse

    def __init__(self, bk, n, m, Pp, Pi, Px, Ap, Ai, Ax, q, l, u, D, E, c, rho_vec, sigma,
                 alpha, x_start, y_start, eps_abs, eps_rel, eps_prim_inf, eps_dual_inf):
        xp = bk.xp
        self.bk, self.xp = bk, xp
        self.n, self.m = n, m
        self.sigma, self.alpha, self.c = float(sigma), float(alpha), float(c)
        self.eps_prim_inf, self.eps_dual_inf = eps_prim_inf, eps_dual_inf
        dev = bk.to_device

        Pu = sp.csc_matrix((Px, Pi, Pp), shape=(n, n))
        diagP = Pu.diagonal()
        if n and diagP.min() < 0.0:
            j = int(np.argmin(diagP))
            raise ValueError(_NOT_PSD + f"has a negative diagonal entry (P[{j}, {j}] < 0)")
        self.Pmv = _SpMV(bk, Pu + sp.triu(Pu, k=1).T)
        self.diagP = dev(np.asarray(diagP, dtype=np.float64))
        if m:
            Ah = sp.csc_matrix((Ax, Ai, Ap), shape=(m, n))
            self.Amv = _SpMV(bk, Ah)
            self.ATmv = _SpMV(bk, Ah.T)
            self.A2Tmv = _SpMV(bk, Ah.multiply(Ah).T)

        self.q = dev(np.asarray(q, dtype=np.float64))
        self.D = dev(np.asarray(D, dtype=np.float64))
        self.dinv = dev(1.0 / (c * np.asarray(D, dtype=np.float64)))
        self.E = dev(np.asarray(E, dtype=np.float64))
        self.einv = dev(1.0 / np.asarray(E, dtype=np.float64))
        self.l = dev(np.asarray(l, dtype=np.float64))
        self.u = dev(np.asarray(u, dtype=np.float64))
        self.u_inf = dev(np.isposinf(u))
        self.l_inf = dev(np.isneginf(l))
        self.u_fin = dev(np.where(np.isfinite(u), u, 0.0))
        self.l_fin = dev(np.where(np.isfinite(l), l, 0.0))
        self.set_rho(rho_vec)

        self.x = xp.zeros(n) if x_start is None else dev(np.asarray(x_start, np.float64))
        self.z = self.Amv(self.x) if (m and x_start is not None) else xp.zeros(m)
        self.y = xp.zeros(m) if y_start is None else dev(np.asarray(y_start, np.float64))
        self.x_prev = self.x.copy()
        self.y_prev = self.y.copy()
        self.xt = self.x.copy()  # the PCG warm start: the previous x~
        self.cert_y = None
        self.cert_x = None

        # PCG tolerance state (see the module docstring)
        positive = [e for e in (eps_abs, eps_rel) if e > 0.0]
        self.tol_floor = min(PCG_TOL_MIN, PCG_FLOOR_FRACTION * min(positive))
        self.tol_fraction = PCG_TOL_FRACTION
        self.tol_prev = 1.0
        self.zero_solves = 0
        self.Px = self.Pmv(self.x)
        self.Ax = self.Amv(self.x) if m else None
        self.iter = 0
        self.pcg_iter = 0  # PCG iterations over the run

    # ----------------------------------------------------------------------------------------
    def _host(self, *vals):
        """Copy a few backend scalars to the host in one transfer, as a float64 numpy array."""
        if self.xp is np:
            return np.array(vals, dtype=np.float64)
        return np.asarray(self.bk.to_host(self.xp.stack(vals)), dtype=np.float64)

    def set_rho(self, rho_vec):
        """Install the row penalties (host array) and rebuild the Jacobi preconditioner;
        always succeeds (there is nothing to refactor)."""
        rho_vec = np.array(rho_vec, dtype=np.float64)  # a copy: the caller reuses its array
        self.rho = self.bk.to_device(rho_vec)
        self.rho_inv = self.bk.to_device(1.0 / rho_vec)
        diag = self.diagP + self.sigma
        if self.m:
            diag = diag + self.A2Tmv(self.rho)
        self.Minv = 1.0 / diag
        return True

    def _tolerance(self, rhs_norm, res_prim, res_dual):
        """The PCG tolerance of this ADMM iteration (see the module docstring)."""
        if self.iter == 1:
            self.tol_fraction = PCG_TOL_FRACTION
            self.tol_prev = 1.0 if rhs_norm < PCG_TOL_MIN else rhs_norm * self.tol_fraction
            return self.tol_prev
        if self.zero_solves >= PCG_REDUCTION_THRESHOLD:
            self.tol_fraction /= 2.0
            self.zero_solves = 0
        eps = self.tol_fraction * min(res_prim, res_dual)
        eps = max(min(eps, self.tol_prev), self.tol_floor)
        self.tol_prev = eps
        return eps

    def _pcg(self, b):
        """Jacobi-preconditioned CG on the reduced system from ``self.xt``, in place, keeping
        ``Pxt = P xt`` and ``Axt = A xt`` up to date alongside (they are recomputed at the
        start of every solve, so their recurrences never drift far). Returns the number of
        iterations. Host transfers: one at the start (the initial residual and the ADMM
        residuals that set the tolerance), then one per iteration (the residual norm and the
        curvature ``p^T K p``)."""
        xp, m, sigma = self.xp, self.m, self.sigma
        x = self.xt
        self.Pxt = Pxt = self.Pmv(x)
        Kx = Pxt + sigma * x
        if m:
            self.Axt = Axt = self.Amv(x)
            Kx += self.ATmv(self.rho * Axt)
        r = b - Kx
        self.iter += 1
        if self.iter == 1:
            h = self._host(_amax(xp, r), _amax(xp, b))
            eps = self._tolerance(h[1], 0.0, 0.0)
        else:
            # scaled residuals of the current iterate: ||A x - z||, ||P x + q + A^T y||
            rd = self.Px + self.q
            if m:
                rd = rd + self.ATmv(self.y)
                h = self._host(_amax(xp, r), _amax(xp, self.Ax - self.z), _amax(xp, rd))
            else:
                h = self._host(_amax(xp, r), xp.zeros(()), _amax(xp, rd))
            eps = self._tolerance(0.0, h[1], h[2])
        if not (h[0] > eps):
            self.zero_solves += 1
            return 0
        zv = self.Minv * r
        p = zv
        rz = xp.dot(r, zv)
        k = 0
        while k < PCG_MAX_ITER:
            Pp = self.Pmv(p)
            Kp = Pp + sigma * p
            if m:
                Ap = self.Amv(p)
                Kp += self.ATmv(self.rho * Ap)
            pKp = xp.dot(p, Kp)
            a = rz / pKp
            x += a * p
            Pxt += a * Pp
            if m:
                Axt += a * Ap
            r -= a * Kp
            k += 1
            rn, curv = self._host(_amax(xp, r), pKp)
            if curv <= 0.0:
                raise ValueError(_NOT_PSD + f"is not positive definite (PCG met the "
                                 f"curvature p^T K p = {curv:.3e} at ADMM iteration "
                                 f"{self.iter})")
            if not (rn > eps):  # converged, or NaN (the termination check reports it)
                break
            zv = self.Minv * r
            rz_new = xp.dot(r, zv)
            p = zv + (rz_new / rz) * p
            rz = rz_new
        return k

    def _step(self):
        """One ADMM iteration (Algorithm 1 of Stellato et al.) with the PCG x-update; keeps
        ``Px = P x`` and ``Ax = A x`` by the same relaxation as ``x`` (exact again at every
        evaluation)."""
        alpha, beta = self.alpha, 1.0 - self.alpha
        rhs = self.sigma * self.x - self.q
        if self.m:
            rhs += self.ATmv(self.rho * self.z - self.y)
        self.pcg_iter += self._pcg(rhs)
        self.x = alpha * self.xt + beta * self.x
        self.Px = alpha * self.Pxt + beta * self.Px
        if self.m:
            zt = self.Axt
            self.Ax = alpha * zt + beta * self.Ax
            zr = alpha * zt + beta * self.z
            zn = self.xp.minimum(self.xp.maximum(zr + self.rho_inv * self.y, self.l), self.u)
            self.y = self.y + self.rho * (zr - zn)
            self.z = zn

    # ----------------------------------------------------------------------------------------
    def _evaluate(self):
        """The 15 statistics of ``qp._evaluate`` (host numpy array) for the current iterate."""
        xp = self.xp
        x, z, y, q = self.x, self.z, self.y, self.q
        self.Px = Pxv = self.Pmv(x)
        Atyv = self.ATmv(y) if self.m else xp.zeros_like(x)
        rd = Pxv + q + Atyv
        dinv = self.dinv
        idx = [3, 4, 5, 6, 10, 11, 12, 13, 14]
        vals = [_amax(xp, rd * dinv), _amax(xp, Pxv * dinv), _amax(xp, Atyv * dinv),
                _amax(xp, q * dinv), _amax(xp, rd), _amax(xp, Pxv), _amax(xp, Atyv),
                _amax(xp, q), xp.dot(x, 0.5 * Pxv + q) / self.c]
        if self.m:
            self.Ax = Axv = self.Amv(x)
            rp = Axv - z
            einv = self.einv
            idx += [0, 1, 2, 7, 8, 9]
            vals += [_amax(xp, rp * einv), _amax(xp, Axv * einv), _amax(xp, z * einv),
                     _amax(xp, rp), _amax(xp, Axv), _amax(xp, z)]
        out = np.zeros(15)
        out[idx] = self._host(*vals)
        return out

    def _primal_infeasible(self):
        """OSQP's primal infeasibility test on ``y - y_prev`` (as ``qp._primal_infeasible``)."""
        xp = self.xp
        d = self.y - self.y_prev
        d = xp.where((self.u_inf & (d > 0)) | (self.l_inf & (d < 0)), 0.0, d)
        lhs = xp.sum(self.u_fin * xp.maximum(d, 0.0)) + xp.sum(self.l_fin * xp.minimum(d, 0.0))
        nrm, lhs, atd = self._host(_amax(xp, self.E * d), lhs,
                                   _amax(xp, self.ATmv(d) / self.D))
        eps = self.eps_prim_inf
        if not (nrm > _DIV_TOL and lhs < -eps * nrm and atd < eps * nrm):
            return False
        self.cert_y = np.asarray(self.bk.to_host(self.E * d / nrm), dtype=np.float64)
        return True

    def _dual_infeasible(self):
        """OSQP's dual infeasibility test on ``x - x_prev`` (as ``qp._dual_infeasible``)."""
        xp = self.xp
        dx = self.x - self.x_prev
        vals = [_amax(xp, self.D * dx), xp.dot(self.q, dx), _amax(xp, self.Pmv(dx) / self.D)]
        if self.m:
            v = self.Amv(dx) * self.einv
            vals += [xp.max(xp.where(self.u_inf, -xp.inf, v)),
                     xp.max(xp.where(self.l_inf, -xp.inf, -v))]
        h = self._host(*vals)
        nrm, qdx, pdx = h[0], h[1], h[2]
        c, eps = self.c, self.eps_dual_inf
        if not (nrm > _DIV_TOL and qdx < -c * eps * nrm and pdx < c * eps * nrm):
            return False
        if self.m and not (h[3] <= eps * nrm and h[4] <= eps * nrm):
            return False
        self.cert_x = np.asarray(self.bk.to_host(self.D * dx / nrm), dtype=np.float64)
        return True

    # ----------------------------------------------------------------------------------------
    def run(self, steps, eps_abs, eps_rel):
        """``steps`` iterations, then the statistics of ``qp._run_chunk``: ``out[:15]`` the
        residuals and objective, ``out[15:18] = (measure, eps_prim, eps_dual)``, ``out[18]``
        1 / 2 when the primal / dual infeasibility certificate holds (tested only when the
        stopping rule does not)."""
        for it in range(steps):
            if it == steps - 1:
                self.x_prev = self.x.copy()
                self.y_prev = self.y.copy()
            self._step()
        st = self._evaluate()
        out = np.zeros(19)
        out[:15] = st
        eps_p = eps_abs + eps_rel * max(st[1], st[2])
        eps_d = eps_abs + eps_rel * max(st[4], st[5], st[6])
        meas = st[3] / eps_d
        if self.m and st[0] / eps_p > meas:
            meas = st[0] / eps_p
        out[15:18] = meas, eps_p, eps_d
        if steps > 0 and meas > 1.0 and np.isfinite(meas):
            if self.m and self._primal_infeasible():
                out[18] = 1.0
            elif self._dual_infeasible():
                out[18] = 2.0
        return out

    def state(self):
        """Host copies of the scaled iterate ``(x, z, y)``."""
        to_host = self.bk.to_host
        return tuple(np.array(to_host(v), dtype=np.float64) for v in (self.x, self.z, self.y))

    def x_unscaled(self):
        """The unscaled primal iterate on the backend (for the callback)."""
        return self.x * self.D
