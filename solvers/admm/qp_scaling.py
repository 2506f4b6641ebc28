"""Modified Ruiz equilibration of an OSQP-form QP (Stellato et al. 2020, section 5.1).

The problem data are replaced by ``P <- c D P D``, ``q <- c D q``, ``A <- E A D``,
``l <- E l``, ``u <- E u`` with positive diagonal ``D`` (n) and ``E`` (m) and a cost scale
``c > 0``. Each Ruiz pass divides every column of the KKT matrix ``[[P, A^T], [A, 0]]`` by
the square root of its infinity norm (norms below 1e-4 count as 1, norms above 1e4 as 1e4),
then normalizes the cost by ``1 / max(mean of the column norms of P, ||q||_inf)`` with the
same limits. In the scaled variables ``x = D x_bar``, ``y = E y_bar / c``, ``z = E^-1 z_bar``.

D. Ruiz, "A scaling algorithm to equilibrate both rows and columns norms in matrices",
Technical Report RAL-TR-2001-034, Rutherford Appleton Laboratory, 2001.
"""
from __future__ import annotations

import math

import numba
import numpy as np

_JIT = dict(cache=True)

MIN_SCALING = 1e-4
MAX_SCALING = 1e4


@numba.njit(**_JIT)
def _limit(v):
    if v < MIN_SCALING:
        return 1.0
    if v > MAX_SCALING:
        return MAX_SCALING
    return v


@numba.njit(**_JIT)
def _p_column_max(n, Pp, Pi, Px, out):
    """``out[j] = max_i |P_ij|`` of the symmetric P stored by its upper triangle (CSC)."""
    for j in range(n):
        out[j] = 0.0
    for j in range(n):
        for p in range(Pp[j], Pp[j + 1]):
            v = abs(Px[p])
            out[j] = max(out[j], v)
            out[Pi[p]] = max(out[Pi[p]], v)


@numba.njit(**_JIT)
def ruiz_equilibrate(n, m, Pp, Pi, Px, Ap, Ai, Ax, q, iters, D, E):
    """Scale ``Px`` (upper triangle of P, CSC), ``Ax`` (A, CSC) and ``q`` in place by
    ``iters`` modified Ruiz passes; fill ``D`` and ``E`` and return the cost scale ``c``."""
    for j in range(n):
        D[j] = 1.0
    for i in range(m):
        E[i] = 1.0
    c = 1.0
    Dt = np.empty(n)
    Et = np.empty(m)
    for _ in range(iters):
        for i in range(m):
            Et[i] = 0.0
        _p_column_max(n, Pp, Pi, Px, Dt)
        for j in range(n):
            for p in range(Ap[j], Ap[j + 1]):
                v = abs(Ax[p])
                Dt[j] = max(Dt[j], v)
                Et[Ai[p]] = max(Et[Ai[p]], v)
        for j in range(n):
            Dt[j] = 1.0 / math.sqrt(_limit(Dt[j]))
        for i in range(m):
            Et[i] = 1.0 / math.sqrt(_limit(Et[i]))
        for j in range(n):
            dj = Dt[j]
            for p in range(Pp[j], Pp[j + 1]):
                Px[p] *= Dt[Pi[p]] * dj
            for p in range(Ap[j], Ap[j + 1]):
                Ax[p] *= Et[Ai[p]] * dj
            q[j] *= dj
            D[j] *= dj
        for i in range(m):
            E[i] *= Et[i]
        # cost scaling
        _p_column_max(n, Pp, Pi, Px, Dt)
        mean = 0.0
        qn = 0.0
        for j in range(n):
            mean += Dt[j]
            if abs(q[j]) > qn:
                qn = abs(q[j])
        mean = mean / n if n > 0 else 0.0
        ct = mean
        qn = _limit(qn)
        if qn > ct:
            ct = qn
        ct = 1.0 / _limit(ct)
        for p in range(Pp[n]):
            Px[p] *= ct
        for j in range(n):
            q[j] *= ct
        c *= ct
    return c
