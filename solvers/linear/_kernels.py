"""Compiled SOR sweeps over CSR index arrays (one pass over the rows, in place)."""
import numba

_JIT = dict(cache=True)


@numba.njit(**_JIT)
def sor_sweep(indptr, indices, data, diag, b, x, omega, start, stop, step):
    """One SOR pass over rows ``start, start + step, ...`` (stopping before ``stop``):
    ``x_i <- (1 - omega) x_i + omega (b_i - sum_{j != i} a_ij x_j) / a_ii``, using the newest
    values of ``x`` (Gauss-Seidel order)."""
    for i in range(start, stop, step):
        s = 0.0
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            if j != i:
                s += data[p] * x[j]
        x[i] = (1.0 - omega) * x[i] + omega * (b[i] - s) / diag[i]


def sweep(A, diag, b, x, omega, direction):
    """One forward (``+1``) or backward (``-1``) sweep of a CSR ``A`` on ``x`` in place."""
    n = A.shape[0]
    if direction > 0:
        sor_sweep(A.indptr, A.indices, A.data, diag, b, x, omega, 0, n, 1)
    else:
        sor_sweep(A.indptr, A.indices, A.data, diag, b, x, omega, n - 1, -1, -1)




@numba.njit(**_JIT)
def residual_norm(indptr, indices, data, b, x):
    """``||b - A x||_2`` for a CSR ``A``."""
    s = 0.0
    for i in range(b.shape[0]):
        r = b[i]
        for p in range(indptr[i], indptr[i + 1]):
            r -= data[p] * x[indices[p]]
        s += r * r
    return s ** 0.5


@numba.njit(**_JIT)
def sweeps_and_residual(indptr, indices, data, diag, b, x, omega, forward, backward):
    """One SOR iteration (a forward and/or a backward pass) in place, then ``||b - A x||``."""
    n = b.shape[0]
    if forward:
        sor_sweep(indptr, indices, data, diag, b, x, omega, 0, n, 1)
    if backward:
        sor_sweep(indptr, indices, data, diag, b, x, omega, n - 1, -1, -1)
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
    for k in range(1, max_iter + 1):
        r = sweeps_and_residual(indptr, indices, data, diag, b, x, omega, forward, backward)
        r /= bnorm
        if r <= tol:
            return k
        if not (r <= 1e12 * max(r0, 1e-300)):
            return max_iter + 1
    return max_iter + 1
