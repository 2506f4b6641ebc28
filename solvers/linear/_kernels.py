"""Compiled SOR sweeps over CSR index arrays (one pass over the rows, in place)."""
import numba
import numpy as np

# error_model="numpy": a zero pivot gives inf/NaN (caught by the callers' finiteness checks)
# instead of a ZeroDivisionError test on every row
_JIT = dict(cache=True, error_model="numpy")


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
        if not (r <= 1e12 * max(r0, 1e-300)):
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


@numba.njit(**_JIT)
def ssor_apply(indptr, indices, data, w, r, z, omega):
    """``z = M^{-1} r`` for the SSOR preconditioner: one forward and one backward sweep on
    ``A z = r`` from ``z = 0`` (``w = omega / diag(A)``)."""
    n = r.shape[0]
    for i in range(n):
        z[i] = 0.0
    sor_sweep(indptr, indices, data, w, r, z, omega, 0, n, 1)
    sor_sweep(indptr, indices, data, w, r, z, omega, n - 1, -1, -1)


@numba.njit(**_JIT)
def pcg_iteration(indptr, indices, data, w, omega, x, r, z, p, Ap, rz):
    """One SSOR-preconditioned CG iteration in place on ``x, r, z, p`` (``Ap`` is workspace,
    ``w = omega / diag(A)``).

    Returns ``(||r||, r.z, p.Ap)``; when ``p.Ap <= 0`` nothing is updated (A is not positive
    definite along ``p``) and the curvature is returned for the caller to stop.
    """
    n = x.shape[0]
    one = np.uint64(1)
    curvature = 0.0
    for i in range(np.uint64(n)):
        s = 0.0
        for q in range(np.uint64(indptr[i]), np.uint64(indptr[i + one])):
            s += data[q] * p[np.uint64(indices[q])]
        Ap[i] = s
        curvature += p[i] * s
    if not curvature > 0.0:
        return 0.0, rz, curvature
    alpha = rz / curvature
    rr = 0.0
    for i in range(n):
        x[i] += alpha * p[i]
        r[i] -= alpha * Ap[i]
        rr += r[i] * r[i]
    ssor_apply(indptr, indices, data, w, r, z, omega)
    rz_new = 0.0
    for i in range(n):
        rz_new += r[i] * z[i]
    beta = rz_new / rz
    for i in range(n):
        p[i] = z[i] + beta * p[i]
    return rr ** 0.5, rz_new, curvature
