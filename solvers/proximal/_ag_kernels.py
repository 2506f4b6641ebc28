"""The nonconvex accelerated gradient loop compiled whole, for the small restricted problems
of working sets.

A working-set run solves hundreds of problems on a few hundred columns; each inner iteration
then costs a few microseconds of arithmetic but tens of microseconds of Python (the
generator, the split penalty, the monitor). This module runs the loop of
:func:`solvers.proximal.nonconvex_ag._solve` -- the same damping sequences, the same speed
restart, the same measure and stopping tests, the same evaluation counts -- in one numba
call, for the fits the working sets produce on the CPU: least squares in Gram form
(``x^T G x / 2 - b^T x``), least squares and logistic regression over a dense design or a
sparse one (CSC arrays, O(nnz) per gradient), each with the folded concave split of SCAD or
MCP (``alpha ||x||_1`` by soft-thresholding, the concave rest in the smooth part).
"""
from __future__ import annotations

import math

import numba
import numpy as np

#: ``form``: how the gradient of the fit is computed.
GRAM, LEAST_SQUARES, LOGISTIC, SPARSE_LEAST_SQUARES, SPARSE_LOGISTIC = 0, 1, 2, 3, 4
#: ``penalty``: the concave part's derivative.
SCAD, MCP = 1, 2
#: ``damping``.
OPTIMAL, GHADIMI_LAN = 0, 1
#: Returned status codes (mapped to :mod:`solvers.core.result`'s by the caller).
CONVERGED, MAX_ITER, NUMERICAL_ERROR = 0, 1, 2


@numba.njit(cache=True)
def _fit_grad(form, A, csc, c, offset, n_samples, x, out):
    """``grad f(x)`` into ``out``: Gram ``A x - c``; least squares ``X^T (X x - c) / n``;
    logistic ``-X^T (c * sigma(-c (X x + offset))) / n`` (``c`` the labels +-1), with ``X``
    the dense ``A`` or, for the sparse forms, the CSC arrays ``csc = (indptr, indices,
    data)``."""
    if form == GRAM:
        out[:] = np.dot(A, x) - c
        return
    sparse = form >= SPARSE_LEAST_SQUARES
    indptr, indices, data = csc
    if sparse:
        z = np.zeros(c.shape[0])
        for j in range(x.shape[0]):
            xj = x[j]
            if xj != 0.0:
                for q in range(indptr[j], indptr[j + 1]):
                    z[indices[q]] += data[q] * xj
    else:
        z = np.dot(A, x)
    if form == LEAST_SQUARES or form == SPARSE_LEAST_SQUARES:
        r = z - c
    else:
        r = np.empty_like(z)
        for i in range(z.shape[0]):
            m = c[i] * (z[i] + offset[i])
            # -y sigma(-m), sigma(-m) = 1 / (1 + e^m), evaluated without overflow
            if m > 0:
                e = math.exp(-m)
                r[i] = -c[i] * e / (1.0 + e)
            else:
                r[i] = -c[i] / (1.0 + math.exp(m))
    if sparse:
        for j in range(x.shape[0]):
            s = 0.0
            for q in range(indptr[j], indptr[j + 1]):
                s += data[q] * r[indices[q]]
            out[j] = s / n_samples
    else:
        out[:] = np.dot(A.T, r) / n_samples


@numba.njit(inline="always", cache=True)
def folded_concave_slope(t, penalty, lam, shape):
    """``p'(t)`` for ``t >= 0`` of SCAD (``shape = a``) or MCP (``shape = gamma``), with
    ``p'(0) = lam``; shared with the coordinate kernels of :mod:`solvers.bcd`."""
    if penalty == SCAD:
        return lam if t <= lam else max(shape * lam - t, 0.0) / (shape - 1.0)
    return max(lam - t / shape, 0.0)


@numba.njit(cache=True)
def _add_concave_grad(penalty, lam, shape, x, out, n_pen):
    """``out += grad h(x) = (p'(|x|) - lam) sign(x)`` of SCAD (``shape = a``) or MCP
    (``shape = gamma``) on the penalized coordinates ``0 .. n_pen - 1``."""
    for j in range(n_pen):
        v = x[j]
        if v == 0.0:
            continue
        dp = folded_concave_slope(abs(v), penalty, lam, shape)
        out[j] += (dp - lam) if v > 0 else (lam - dp)


@numba.njit(cache=True)
def _soft(v, t, out, n_pen):
    """Soft-thresholding of ``v[:n_pen]`` at ``t`` into ``out``; the rest copied."""
    for j in range(n_pen, v.shape[0]):
        out[j] = v[j]
    for j in range(n_pen):
        if v[j] > t:
            out[j] = v[j] - t
        elif v[j] < -t:
            out[j] = v[j] + t
        else:
            out[j] = 0.0


@numba.njit(cache=True)
def _norm_diff(a, b):
    s = 0.0
    for j in range(a.shape[0]):
        d = a[j] - b[j]
        s += d * d
    return math.sqrt(s)


@numba.njit(cache=True)
def split_ag(form, A, csc, c, offset, n_samples, penalty, lam, shape, x0, L, damping, restart,
             tol, max_iter, free_last):
    """Run the nonconvex accelerated gradient on ``f + g`` with ``g`` = SCAD / MCP split;
    with ``free_last`` the last coordinate (an intercept) is not penalized. ``A`` / ``csc``:
    see :func:`_fit_grad` (the one not used by ``form`` is a placeholder).

    Returns ``(x_ag, nit, status, nfev, measure, n_restarts)``; ``nfev`` counts gradient
    evaluations as the Python loop does (one at ``x0``, one per iteration after the first).
    """
    p = x0.shape[0]
    n_pen = p - 1 if free_last else p
    x = x0.copy()
    x_ag = x0.copy()
    x_md = x0.copy()
    x_md_prev = np.empty(p)
    tmp = np.empty(p)
    gx = np.empty(p)
    _fit_grad(form, A, csc, c, offset, n_samples, x, gx)
    _add_concave_grad(penalty, lam, shape, x, gx, n_pen)
    nfev = 1
    # the measure at x0: the prox-gradient mapping with step 1/L
    step = 1.0 / L
    for j in range(p):
        tmp[j] = x[j] - step * gx[j]
    _soft(tmp, lam * step, tmp, n_pen)
    m = _norm_diff(x, tmp) / step
    if not math.isfinite(m):
        return x_ag, 0, NUMERICAL_ERROR, nfev, m, 0
    if m <= tol:
        return x_ag, 0, CONVERGED, nfev, m, 0
    alpha = 1.0
    j_seq = 1  # position in the damping sequence (1 after a restart)
    speed_prev = np.inf
    have_prev = False
    last_restart = 0
    restarted = False
    n_restarts = 0
    k = 0
    while k < max_iter:
        k += 1
        if restarted:
            alpha = 1.0
            j_seq = 1
        if damping == OPTIMAL:
            a_k, beta = alpha, 1.0 / L
            lam_k = beta / a_k
        else:
            a_k, beta = 2.0 / (j_seq + 1), 0.5 / L
            lam_k = j_seq * beta / 2.0
        if a_k == 1.0:
            x_md[:] = x
        else:
            for j in range(p):
                x_md[j] = (1.0 - a_k) * x_ag[j] + a_k * x[j]
        if k > 1:
            _fit_grad(form, A, csc, c, offset, n_samples, x_md, gx)
            _add_concave_grad(penalty, lam, shape, x_md, gx, n_pen)
            nfev += 1
        for j in range(p):
            tmp[j] = x[j] - lam_k * gx[j]
        _soft(tmp, lam * lam_k, x, n_pen)
        for j in range(p):
            tmp[j] = x_md[j] - beta * gx[j]
        _soft(tmp, lam * beta, x_ag, n_pen)
        m = _norm_diff(x_md, x_ag) / beta
        restarted = False
        if restart and have_prev:
            speed = _norm_diff(x_md, x_md_prev)
            if speed < speed_prev and k - last_restart >= 3:
                restarted = True
                last_restart = k
                n_restarts += 1
            speed_prev = speed
        x_md_prev[:] = x_md
        have_prev = True
        # the next sequence values
        if damping == OPTIMAL:
            alpha = 2.0 / (1.0 + math.sqrt(1.0 + 4.0 / (alpha * alpha)))
        j_seq += 1
        if not math.isfinite(m):
            return x_ag, k, NUMERICAL_ERROR, nfev, m, n_restarts
        if m <= tol:
            return x_ag, k, CONVERGED, nfev, m, n_restarts
    return x_ag, k, MAX_ITER, nfev, m, n_restarts
