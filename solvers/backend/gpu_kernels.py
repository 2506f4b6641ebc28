"""GPU kernels written with cupy; same names and meaning as ``cpu_kernels``.

Imported only by the GPU backend, so importing optsuite never needs cupy.
"""
import cupy as cp
import cupyx.scipy.sparse as cusparse

_soft_threshold = cp.ElementwiseKernel(
    "T x, T t", "T out",
    "out = x > t ? x - t : (x < -t ? x + t : (T)0)",
    "optsuite_soft_threshold",
)
_log1pexp = cp.ElementwiseKernel(
    "T z", "T out",
    "out = z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))",
    "optsuite_log1pexp",
)
_expit = cp.ElementwiseKernel(
    "T z", "T out",
    "if (z >= 0) { out = 1 / (1 + exp(-z)); } else { T e = exp(z); out = e / (1 + e); }",
    "optsuite_expit",
)

_neg_entropy = cp.ElementwiseKernel(
    "T t", "T out",
    "T p = t < 0 ? (T)0 : (t > 1 ? (T)1 : t); "
    "out = (p > 0 ? p * log(p) : (T)0) + (p < 1 ? (1 - p) * log1p(-p) : (T)0)",
    "optsuite_neg_entropy",
)

def soft_threshold(x, t):
    """Return ``sign(x) * max(|x| - t, 0)`` elementwise (``t`` scalar or array, >= 0)."""
    return _soft_threshold(x, cp.asarray(t, dtype=x.dtype))


def log1pexp(z):
    """Return ``log(1 + exp(z))`` elementwise without overflow."""
    return _log1pexp(z)


def expit(z):
    """Return the logistic sigmoid elementwise without overflow."""
    return _expit(z)


def neg_entropy_sum(t):
    """Return ``sum_i p_i log p_i + (1 - p_i) log(1 - p_i)`` for ``p = clip(t, 0, 1)``."""
    return float(_neg_entropy(t).sum())


def col_sq_norms(X):
    """Squared Euclidean norm of each column of a dense or sparse matrix."""
    if cusparse.issparse(X):
        sq = X.multiply(X)
        return cp.asarray(sq.sum(axis=0)).ravel()
    return cp.einsum("ij,ij->j", X, X)


def weighted_gram(X, w):
    """``X^T diag(w) X`` as a dense cupy array."""
    if cusparse.issparse(X):
        return (X.T @ cusparse.diags(w) @ X).toarray()
    return X.T @ (w[:, None] * X)
