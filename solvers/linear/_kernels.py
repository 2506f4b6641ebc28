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


