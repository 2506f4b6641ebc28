"""CPU kernels: numba-compiled loops over plain arrays.

Each public function here has a counterpart of the same name in ``gpu_kernels``; solvers call
them through ``backend.kernels`` so the two paths share one code.
"""
import numba
import numpy as np
import scipy.sparse as sp

_JIT = dict(cache=True)


@numba.njit(**_JIT)
def _soft_threshold_scalar(x, t, out):
    for i in range(x.shape[0]):
        v = x[i]
        if v > t:
            out[i] = v - t
        elif v < -t:
            out[i] = v + t
        else:
            out[i] = 0.0


@numba.njit(**_JIT)
def _soft_threshold_vector(x, t, out):
    for i in range(x.shape[0]):
        v = x[i]
        ti = t[i]
        if v > ti:
            out[i] = v - ti
        elif v < -ti:
            out[i] = v + ti
        else:
            out[i] = 0.0


def soft_threshold(x, t):
    """Return ``sign(x) * max(|x| - t, 0)`` elementwise (``t`` scalar or array, >= 0)."""
    x = np.asarray(x)
    flat = np.ascontiguousarray(x).reshape(-1)
    out = np.empty_like(flat)
    if np.ndim(t) == 0:
        _soft_threshold_scalar(flat, flat.dtype.type(t), out)
    else:
        tt = np.ascontiguousarray(np.broadcast_to(np.asarray(t, dtype=flat.dtype), x.shape)).reshape(-1)
        _soft_threshold_vector(flat, tt, out)
    return out.reshape(x.shape)


@numba.njit(**_JIT)
def _log1pexp(z, out):
    for i in range(z.shape[0]):
        v = z[i]
        if v > 0.0:
            out[i] = v + np.log1p(np.exp(-v))
        else:
            out[i] = np.log1p(np.exp(v))


def log1pexp(z):
    """Return ``log(1 + exp(z))`` elementwise without overflow."""
    z = np.ascontiguousarray(z)
    out = np.empty_like(z)
    _log1pexp(z.reshape(-1), out.reshape(-1))
    return out


@numba.njit(**_JIT)
def _expit(z, out):
    for i in range(z.shape[0]):
        v = z[i]
        if v >= 0.0:
            out[i] = 1.0 / (1.0 + np.exp(-v))
        else:
            e = np.exp(v)
            out[i] = e / (1.0 + e)


def expit(z):
    """Return the logistic sigmoid ``1 / (1 + exp(-z))`` elementwise without overflow."""
    z = np.ascontiguousarray(z)
    out = np.empty_like(z)
    _expit(z.reshape(-1), out.reshape(-1))
    return out


@numba.njit(**_JIT)
def _neg_entropy_sum(t):
    s = 0.0
    for i in range(t.shape[0]):
        p = min(max(t[i], 0.0), 1.0)
        if p > 0.0:
            s += p * np.log(p)
        if p < 1.0:
            s += (1.0 - p) * np.log1p(-p)
    return s


def neg_entropy_sum(t):
    """Return ``sum_i p_i log p_i + (1 - p_i) log(1 - p_i)`` for ``p = clip(t, 0, 1)``
    (``0 log 0 = 0``): the conjugate of the logistic loss, summed."""
    return float(_neg_entropy_sum(np.ascontiguousarray(t, dtype=np.float64).reshape(-1)))


@numba.njit(**_JIT)
def _compressed_sq_norms(indptr, data, out):
    # squared norm of each compressed slice (columns of CSC, rows of CSR)
    for j in range(indptr.shape[0] - 1):
        s = 0.0
        for k in range(indptr[j], indptr[j + 1]):
            s += data[k] * data[k]
        out[j] = s


@numba.njit(**_JIT)
def _csr_col_sq_norms(indices, data, out):
    for k in range(indices.shape[0]):
        out[indices[k]] += data[k] * data[k]


def col_sq_norms(X):
    """Squared Euclidean norm of each column of a dense or sparse (CSR/CSC) matrix."""
    if sp.issparse(X):
        out = np.zeros(X.shape[1], dtype=np.float64)
        if X.format == "csc":
            _compressed_sq_norms(X.indptr, X.data.astype(np.float64, copy=False), out)
        else:
            Xr = X.tocsr()
            _csr_col_sq_norms(Xr.indices, Xr.data.astype(np.float64, copy=False), out)
        return out
    X = np.asarray(X)
    return np.einsum("ij,ij->j", X, X)


@numba.njit(**_JIT)
def csr_weighted_gram(indptr, indices, data, w, d):
    """``X^T diag(w) X`` of a CSR ``X`` (``d`` columns) as a dense array, row by row over
    the pairs of a row's nonzeros (each unordered pair once, ``O(sum_i nnz_i^2 / 2)``, no
    sparse-sparse product), then mirrored."""
    H = np.zeros((d, d))
    for i in range(indptr.shape[0] - 1):
        wi = w[i]
        if wi == 0.0:
            continue
        for a in range(indptr[i], indptr[i + 1]):
            ja = indices[a]
            va = wi * data[a]
            H[ja, ja] += va * data[a]
            for b in range(a + 1, indptr[i + 1]):
                jb = indices[b]
                t = va * data[b]
                if ja < jb:
                    H[ja, jb] += t
                elif jb < ja:
                    H[jb, ja] += t
                else:           # a repeated column index in the row
                    H[ja, ja] += 2.0 * t
    for j in range(d):
        for k in range(j + 1, d):
            H[k, j] = H[j, k]
    return H


def weighted_gram(X, w):
    """``X^T diag(w) X`` as a dense array; for a sparse ``X`` by :func:`csr_weighted_gram`,
    for a dense ``X`` by BLAS."""
    w = np.asarray(w, dtype=np.float64)
    if sp.issparse(X):
        X = sp.csr_matrix(X)
        return csr_weighted_gram(X.indptr, X.indices,
                                 X.data.astype(np.float64, copy=False), w, X.shape[1])
    return X.T @ (w[:, None] * X)
