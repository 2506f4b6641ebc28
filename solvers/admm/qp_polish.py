"""Solution polishing for :func:`solvers.admm.admm_qp` (Stellato et al. 2020, section 4.2).

From an ADMM solution ``(x, z, y)`` of the scaled problem, guess the active constraints
(lower-active where ``z_i - l_i < -y_i``, upper-active where ``u_i - z_i < y_i``), solve the
equality-constrained QP on them through the regularized KKT system

    [[P + delta I, A_act^T], [A_act, -delta I]] [x; y_act] = [-q; b_act]

(``b_act`` the active bounds), correct the regularization by a few steps of iterative
refinement against the unregularized matrix, and keep the result only when it lowers the
residuals. When the guess is right this returns the solution to the accuracy of the linear
algebra instead of the ADMM tolerance.
"""
from __future__ import annotations

import numba
import numpy as np

from .qp_linsys import LDLFactor, build_kkt, csc_matvec, sym_upper_matvec

_JIT = dict(cache=True)

DELTA = 1e-6
REFINE_ITERS = 3


@numba.njit(**_JIT)
def _reduced_kkt_residual(n, Pp, Pi, Px, rows, Rp, Rj, Rx, b, s, r):
    """``r = b - [[P, A_r^T], [A_r, 0]] s`` (P by its upper triangle, A_r the rows ``rows``
    of A in CSR)."""
    N = b.shape[0]
    Ps = np.empty(n)
    sym_upper_matvec(n, Pp, Pi, Px, s, Ps)
    for k in range(N):
        r[k] = b[k]
    for j in range(n):
        r[j] -= Ps[j]
    for t in range(rows.shape[0]):
        i = rows[t]
        yt = s[n + t]
        acc = 0.0
        for p in range(Rp[i], Rp[i + 1]):
            j = Rj[p]
            acc += Rx[p] * s[j]
            r[j] -= Rx[p] * yt
        r[n + t] -= acc


def polish_solution(n, m, Pp, Pi, Px, Ap, Ai, Ax, Rp, Rj, Rx, q, l, u, x, z, y, stats, evaluate,
                    perm=None, delta=DELTA, refine=REFINE_ITERS):
    """Polish the scaled ADMM solution ``(x, z, y)``.

    ``stats`` are the residuals of ``(x, z, y)`` as returned by ``evaluate(x, z, y)``.
    ``perm``, the ordering of the full KKT matrix (x first, then the m rows), is restricted
    to the active rows and reused: the reduced matrix's graph is an induced subgraph of the
    full one, so the induced ordering fills no more than the original.
    Returns ``(x, z, y, stats)`` of the polished point when it improves on the residuals,
    else None.
    """
    low = z - l < -y
    upp = (~low) & (u - z < y)
    rows_low = np.flatnonzero(low)
    rows_upp = np.flatnonzero(upp)
    rows = np.concatenate([rows_low, rows_upp]).astype(np.int64)
    mr = rows.shape[0]
    Kp, Ki, Kx, _ = build_kkt(n, Pp, Pi, Px, delta, rows, Rp, Rj, Rx, np.full(mr, delta))
    N = n + mr
    positive = np.zeros(N, dtype=bool)
    positive[:n] = True
    red = None
    if perm is not None:
        newidx = np.full(n + m, -1, np.int64)
        newidx[:n] = np.arange(n)
        newidx[n + rows] = n + np.arange(mr)
        red = newidx[perm]
        red = red[red >= 0]
    F = LDLFactor(N, Kp, Ki, positive, perm=red)
    if F.factor(Kx) != n:
        return None
    b = np.concatenate([-q, l[rows_low], u[rows_upp]])
    sol = F.solve(b)
    r = np.empty(N)
    dsol = np.empty(N)
    for _ in range(refine):
        _reduced_kkt_residual(n, Pp, Pi, Px, rows, Rp, Rj, Rx, b, sol, r)
        F.solve(r, dsol)
        sol += dsol
    if not np.isfinite(sol).all():
        return None
    xp = sol[:n].copy()
    zp = np.empty(m)
    csc_matvec(m, n, Ap, Ai, Ax, xp, zp)
    yp = np.zeros(m)
    yp[rows] = sol[n:]
    w = zp + yp  # project (z, y) onto the normal cone of [l, u]
    zp = np.minimum(np.maximum(w, l), u)
    yp = w - zp
    st = evaluate(xp, zp, yp)
    rp0, rd0 = stats[0], stats[3]
    rp, rd = st[0], st[3]
    ok = ((rp < rp0 and rd < rd0) or (rp < rp0 and rd0 < 1e-10)
          or (rd < rd0 and rp0 < 1e-10))
    if not ok:
        return None
    return xp, zp, yp, st
