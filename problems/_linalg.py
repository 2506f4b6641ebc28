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


class GramOperator:
    """The symmetric PSD operator ``B = scale * X^T X + shift * I`` without forming it.

    The curvature bound of a data fit over a design ``X`` (least squares ``X^T X / n``,
    logistic ``X^T X / (4 n)``, plus a ridge shift). ``B @ v`` works on vectors and on blocks of
    vectors (shape ``(d, k)``) of the data's device, and costs one product with ``X`` and one
    with ``X^T``, or one with the dense ``d x d`` Gram matrix ``X^T X`` when that is cheaper
    (``d^2 <= nnz(X)``; formed once, on first use); a sparse ``X`` stays sparse. On the CPU :meth:`aslinearoperator` gives the
    scipy ``LinearOperator`` for use with ``scipy.sparse.linalg``.

    Parameters
    ----------
    X : array or sparse matrix of shape (n, d)
        Already validated and on ``backend``; kept by reference, never modified.
    scale : float > 0
    shift : float >= 0
    backend : Backend
    """

    #: largest ``min(n, d)`` for which :meth:`eigenvalues` forms the small Gram matrix
    exact_max_dim = 5000

    def __init__(self, X, scale, shift, backend):
        self.X = X
        self.scale = float(scale)
        self.shift = float(shift)
        self.backend = backend
        self.shape = (X.shape[1], X.shape[1])
        self.dtype = X.dtype
        self._gram = None  # dense X^T X once formed (False: not worth forming)

    def __matmul__(self, v):
        G = self._small_gram()
        out = G @ v if G is not None else self.X.T @ (self.X @ v)
        out = out * self.scale
        return out + self.shift * v if self.shift else out

    def _small_gram(self):
        """The dense ``X^T X`` when ``d^2 <= nnz(X)`` (a product with it is then cheaper than
        one with ``X`` and one with ``X^T``), formed once; None otherwise. It is derived data,
        the caller's ``X`` stays as it is."""
        if self._gram is None:
            X, bk = self.X, self.backend
            d = X.shape[1]
            nnz = X.nnz if bk.issparse(X) else X.size
            if d * d > nnz or d > self.exact_max_dim:
                self._gram = False
            else:
                G = X.T @ X
                self._gram = G.toarray() if bk.issparse(G) else bk.xp.ascontiguousarray(G)
        return self._gram if self._gram is not False else None

    dot = matvec = __matmul__

    @property
    def T(self):
        return self

    def shifted(self, alpha):
        """``B + alpha I`` as a new operator over the same ``X``."""
        out = GramOperator(self.X, self.scale, self.shift + float(alpha), self.backend)
        out._gram = self._gram
        return out

    def trace(self):
        """``tr B``, exactly (from the squared entries of ``X``)."""
        X = self.X
        sq = float((X.multiply(X)).sum()) if self.backend.issparse(X) else float((X * X).sum())
        return self.scale * sq + self.shift * self.shape[0]

    def eigenvalues(self):
        """All ``d`` eigenvalues of ``B`` in ascending order (host float64), exactly.

        Forms the smaller of ``X^T X`` (d x d) and ``X X^T`` (n x n) as a dense matrix, whose
        nonzero spectrum is the same; the other ``|d - n|`` eigenvalues of ``X^T X`` are zero.

        Raises
        ------
        ValueError
            When ``min(n, d) > exact_max_dim`` (use Hutchinson trace estimates instead).
        """
        X, bk = self.X, self.backend
        n, d = X.shape
        m = min(n, d)
        if m > self.exact_max_dim:
            raise ValueError(
                f"exact eigenvalues need the {m} x {m} Gram matrix of X (min(n, d) = {m} > "
                f"{self.exact_max_dim}); use traces='hutchinson'"
            )
        G = self._small_gram() if d <= n else None
        if G is None:
            G = X.T @ X if d <= n else X @ X.T
            G = G.toarray() if bk.issparse(G) else G
        lam = np.linalg.eigvalsh(np.asarray(bk.to_host(G), dtype=np.float64))
        lam = np.concatenate([np.zeros(d - m), np.clip(lam, 0.0, None)])
        return np.sort(lam) * self.scale + self.shift

    def aslinearoperator(self):
        """A ``scipy.sparse.linalg.LinearOperator`` for ``B`` (CPU data only)."""
        from scipy.sparse.linalg import LinearOperator

        return LinearOperator(self.shape, matvec=self.__matmul__, matmat=self.__matmul__,
                              rmatvec=self.__matmul__, dtype=self.dtype)

    def __repr__(self):
        return (f"GramOperator(d={self.shape[0]}, scale={self.scale:g}, shift={self.shift:g}, "
                f"backend={self.backend.name!r})")


def shifted_operator(B, alpha):
    """``B + alpha I`` for a matrix, a sparse matrix, a :class:`GramOperator` or a scipy
    ``LinearOperator`` (never densifying a sparse ``B``, never modifying it)."""
    alpha = float(alpha)
    if alpha == 0.0:
        return B
    if hasattr(B, "shifted"):
        return B.shifted(alpha)
    n = B.shape[0]
    if hasattr(B, "tocsr"):
        mod = type(B).__module__
        if mod.startswith("cupyx"):
            import cupyx.scipy.sparse as csp
            return (B + alpha * csp.identity(n, dtype=B.dtype, format="csr")).tocsr()
        import scipy.sparse as sp
        return (B + alpha * sp.identity(n, dtype=B.dtype, format="csr")).tocsr()
    from scipy.sparse.linalg import LinearOperator, aslinearoperator
    if isinstance(B, LinearOperator):
        import scipy.sparse as sp
        return B + alpha * aslinearoperator(sp.identity(n, dtype=B.dtype, format="csr"))
    from solvers.backend import array_namespace
    xp = array_namespace(B)
    return B + alpha * xp.eye(n, dtype=B.dtype)
