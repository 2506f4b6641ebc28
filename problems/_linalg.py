"""Small linear-algebra helpers shared by the problem classes (backend-generic)."""
from __future__ import annotations

import numpy as np


def spectral_norm_sq(X, backend):
    """Largest eigenvalue of ``X^T X`` (squared spectral norm of ``X``), to ~1e-10 relative.

    Dense matrices with a side of at most 200 use an exact SVD; otherwise ARPACK/Lanczos
    (``svds``, a few dozen products with X and X^T instead of an O(n p min(n, p)) SVD) on the
    CPU, and a long power iteration on the GPU, inflated by 1e-6 so that a step of 1/L stays
    safe.
    """
    xp = backend.xp
    n, p = X.shape
    if not backend.issparse(X) and (min(n, p) <= 200 or backend.name != "cpu" and min(n, p) <= 1000):
        s = xp.linalg.svd(X, compute_uv=False)
        return float(s[0]) ** 2
    if backend.name == "cpu":
        from scipy.sparse.linalg import svds

        if min(n, p) == 1:
            return float((X.T @ X).toarray().max()) if backend.issparse(X) else float((X * X).sum())
        v0 = np.random.default_rng(0).standard_normal(min(n, p))
        s = svds(X.astype(np.float64), k=1, tol=1e-10, v0=v0, return_singular_vectors=False)
        return float(s[0]) ** 2
    rs = xp.random.RandomState(0)
    v = rs.standard_normal(p)
    v /= xp.linalg.norm(v)
    lam = 0.0
    for _ in range(500):
        w = X.T @ (X @ v)
        lam_new = float(xp.linalg.norm(w))
        v = w / lam_new
        if abs(lam_new - lam) <= 1e-10 * lam_new:
            break
        lam = lam_new
    return lam_new * (1 + 1e-6)


def largest_eigenvalue(Q, backend):
    """Largest eigenvalue of a symmetric PSD matrix (dense or sparse)."""
    xp = backend.xp
    if not backend.issparse(Q) and Q.shape[0] <= 1500:
        return float(xp.linalg.eigvalsh(Q)[-1])
    if backend.name == "cpu":
        from scipy.sparse.linalg import eigsh

        v0 = np.random.default_rng(0).standard_normal(Q.shape[0])
        return float(eigsh(Q, k=1, which="LA", tol=1e-10, v0=v0, return_eigenvectors=False)[0])
    from cupyx.scipy.sparse.linalg import eigsh

    return float(eigsh(Q, k=1, which="LA", return_eigenvectors=False)[0]) * (1 + 1e-6)
