"""Compiled SOR sweeps over CSR index arrays (one pass over the rows, in place)."""
import numba
import numpy as np

# error_model="numpy": a zero pivot gives inf/NaN (caught by the callers' finiteness checks)
# instead of a ZeroDivisionError test on every row
_JIT = dict(cache=True, error_model="numpy")

#: A relative residual above this factor times its start ends an SOR run as diverged.
DIVERGENCE_FACTOR = 1e12


@numba.njit(**_JIT)
def sor_sweep(indptr, indices, data, w, b, x, omega, start, stop, step):
    """One SOR pass over rows ``start, start + step, ...`` (stopping before ``stop``):
    ``x_i <- (1 - omega) x_i + w_i (b_i - sum_{j != i} a_ij x_j)`` with ``w = omega / diag(A)``
    precomputed (a product instead of a division on the row-to-row dependency chain), using
    the newest values of ``x`` (Gauss-Seidel order)."""
    if step > 0:
        count = max(0, (stop - start + step - 1) // step)
    else:
        count = max(0, (start - stop - step - 1) // (-step))
    one = np.uint64(1)
    keep = 1.0 - omega
    for k in range(count):
        # unsigned indices: no negative-index wraparound test on every access (about 1.5x
        # faster on random sparsity, where the gathers dominate)
        i = np.uint64(start + k * step)
        s = b[i]
        for p in range(np.uint64(indptr[i]), np.uint64(indptr[i + one])):
            j = np.uint64(indices[p])
            if j != i:
                s -= data[p] * x[j]
        x[i] = keep * x[i] + w[i] * s


@numba.njit(**_JIT)
def residual_norm(indptr, indices, data, b, x):
    """``||b - A x||_2`` for a CSR ``A``."""
    s = 0.0
    one = np.uint64(1)
    for i in range(np.uint64(b.shape[0])):
        r = b[i]
        for p in range(np.uint64(indptr[i]), np.uint64(indptr[i + one])):
            r -= data[p] * x[np.uint64(indices[p])]
        s += r * r
    return s ** 0.5


@numba.njit(**_JIT)
def sweeps_and_residual(indptr, indices, data, w, b, x, omega, forward, backward):
    """One SOR iteration (a forward and/or a backward pass) in place, then ``||b - A x||``
    (``w = omega / diag(A)``)."""
    n = b.shape[0]
    if forward:
        sor_sweep(indptr, indices, data, w, b, x, omega, 0, n, 1)
    if backward:
        sor_sweep(indptr, indices, data, w, b, x, omega, n - 1, -1, -1)
    return residual_norm(indptr, indices, data, b, x)


@numba.njit(**_JIT)
def sor_iterations(indptr, indices, data, diag, b, x, omega, forward, backward, tol, max_iter):
    """The whole SOR loop of :func:`solvers.sor` without bookkeeping: returns the number of
    iterations until ``||b - A x|| <= tol ||b||`` (``max_iter + 1`` when not reached or on
    divergence) and leaves the last iterate in ``x``. Used to tabulate costs over a grid of
    omegas; the public solver records the same iterates."""
    bnorm = 0.0
    for i in range(b.shape[0]):
        bnorm += b[i] * b[i]
    bnorm = bnorm ** 0.5
    if bnorm == 0.0:
        bnorm = 1.0
    r0 = residual_norm(indptr, indices, data, b, x) / bnorm
    if r0 <= tol:
        return 0
    w = omega / diag
    for k in range(1, max_iter + 1):
        r = sweeps_and_residual(indptr, indices, data, w, b, x, omega, forward, backward)
        r /= bnorm
        if r <= tol:
            return k
        if not (r <= DIVERGENCE_FACTOR * max(r0, 1e-300)):
            return max_iter + 1
    return max_iter + 1


@numba.njit(**_JIT)
def max_asymmetry(indptr, indices, data):
    """``max |a_ij - a_ji|`` of a CSR matrix with sorted, distinct column indices per row
    (canonical format), by binary search for each entry's mirror."""
    worst = 0.0
    one = np.uint64(1)
    for i in range(np.uint64(indptr.shape[0] - 1)):
        for p in range(np.uint64(indptr[i]), np.uint64(indptr[i + one])):
            j = np.uint64(indices[p])
            lo, hi = np.uint64(indptr[j]), np.uint64(indptr[j + one])
            while lo < hi:
                mid = (lo + hi) // np.uint64(2)
                if np.uint64(indices[mid]) < i:
                    lo = mid + one
                else:
                    hi = mid
            mirror = 0.0
            if lo < np.uint64(indptr[j + one]) and np.uint64(indices[lo]) == i:
                mirror = data[lo]
            d = abs(data[p] - mirror)
            if d > worst:
                worst = d
    return worst


# --------------------------------------------------------------------------- Eisenstat's trick
@numba.njit(**_JIT)
def split_triangles(indptr, indices, data):
    """The strictly lower and strictly upper parts of a CSR matrix as two CSR triples."""
    n = indptr.shape[0] - 1
    lp = np.zeros(n + 1, dtype=np.int64)
    up = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        nl = 0
        nu = 0
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            if j < i:
                nl += 1
            elif j > i:
                nu += 1
        lp[i + 1] = lp[i] + nl
        up[i + 1] = up[i] + nu
    li = np.empty(lp[n], dtype=np.int64)
    lv = np.empty(lp[n])
    ui = np.empty(up[n], dtype=np.int64)
    uv = np.empty(up[n])
    for i in range(n):
        a = lp[i]
        c = up[i]
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            if j < i:
                li[a] = j
                lv[a] = data[p]
                a += 1
            elif j > i:
                ui[c] = j
                uv[c] = data[p]
                c += 1
    return lp, li, lv, up, ui, uv


@numba.njit(**_JIT)
def triangular_solve(ptr, idx, val, w, v, out, forward):
    """``out = (D/omega + T)^{-1} v`` for a strictly triangular CSR part ``T`` (lower with
    ``forward``, upper otherwise), ``w = omega / diag``."""
    n = v.shape[0]
    for k in range(n):
        i = np.uint64(k if forward else n - 1 - k)
        s = v[i]
        for p in range(np.uint64(ptr[i]), np.uint64(ptr[i + np.uint64(1)])):
            s -= val[p] * out[np.uint64(idx[p])]
        out[i] = s * w[i]


@numba.njit(**_JIT)
def triangular_multiply(ptr, idx, val, dw, v, out):
    """``out = (D/omega + T) v`` for a strictly triangular CSR part ``T``, ``dw = D/omega``."""
    n = v.shape[0]
    for i in range(np.uint64(n)):
        s = dw[i] * v[i]
        for p in range(np.uint64(ptr[i]), np.uint64(ptr[i + np.uint64(1)])):
            s += val[p] * v[np.uint64(idx[p])]
        out[i] = s


@numba.njit(**_JIT)
def eisenstat_iteration(lp, li, lv, up, ui, uv, w, dw, kdiag, y, rb, p, q, t, u, rz):
    """One CG iteration on ``B = E^{-1} A F^{-1}`` (``E = D/omega + L``, ``F = D/omega + U``)
    preconditioned by ``D/omega``: SSOR-PCG on ``A`` in Eisenstat's form, ``x = F^{-1} y``.

    ``B p = t + E^{-1} (p + K t)`` with ``t = F^{-1} p`` and ``K = D - 2 D/omega`` costs two
    triangular solves, no product with ``A`` (``w = omega / D``, ``dw = D / omega``). Updates
    ``y``, ``rb`` (the residual of the B
    system) and ``p`` in place (``q, t, u`` are workspace). Returns ``(||E rb||, rz, p.Bp)``:
    ``E rb = b - A x`` is the residual of the original system.
    """
    n = y.shape[0]
    triangular_solve(up, ui, uv, w, p, t, False)
    for i in range(n):
        u[i] = p[i] + kdiag[i] * t[i]
    triangular_solve(lp, li, lv, w, u, q, True)
    curvature = 0.0
    for i in range(n):
        q[i] += t[i]
        curvature += p[i] * q[i]
    if not curvature > 0.0:
        return 0.0, rz, curvature
    alpha = rz / curvature
    rz_new = 0.0
    for i in range(n):
        y[i] += alpha * p[i]
        rb[i] -= alpha * q[i]
        rz_new += rb[i] * dw[i] * rb[i]  # z = (D/omega) rb
    triangular_multiply(lp, li, lv, dw, rb, u)
    rr = 0.0
    for i in range(n):
        rr += u[i] * u[i]
    beta = rz_new / rz
    for i in range(n):
        p[i] = dw[i] * rb[i] + beta * p[i]
    return rr ** 0.5, rz_new, curvature
