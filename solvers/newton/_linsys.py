"""Newton systems ``H n = g``: dense Cholesky, sparse LDL^T, Hessian-free CG.

Each system is built once per Hessian (``factor``) and then solves any number of right-hand
sides with that Hessian (``solve``): the stepsize rules need ``H(x)^{-1} grad f(y)`` at trial
points ``y`` (the dual local norm) with the factorization of ``H(x)``.

When a small dense ``H`` (dimension up to 200) is not positive definite it is replaced by
``|H| = V |Lambda| V^T`` (eigenvalues floored at ``1e-8 max |lambda|``), which respects the
scaling of the variables (Nocedal & Wright, section 3.4; Greenstadt 1967). Otherwise the
factorization is retried on ``H + tau D`` with ``D = diag(max(|H_ii|, 1e-8 max |H_jj|))``
and ``tau = 1e-3, 4e-3, 1.6e-2, ...`` until it succeeds: the shift of Nocedal & Wright's
Algorithm 3.3 ("Cholesky with added multiple of the identity") made relative to the
diagonal, as in Levenberg-Marquardt with More's scaling, so that badly scaled variables are
not frozen by a shift sized for the largest curvature. The largest diagonal shift is
reported as ``reg`` in the solvers' histories.
"""
from __future__ import annotations

import math

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from ..admm.qp_linsys import LDLFactor

_MAX_SHIFTS = 80


def _shifted(attempt, diag):
    """Retry a factorization on ``H + tau D``, ``D = diag(max(|H_ii|, 1e-8 max |H_jj|))``,
    for ``tau = 1e-3, 4e-3, 1.6e-2, ...``: ``attempt(shift)`` factors ``H + diag(shift)`` and
    returns None on failure. Returns ``(attempt's result, largest shift, attempts)``."""
    a = abs(diag)
    top = float(a.max()) if a.size else 1.0
    scale = a.clip(max(1e-8 * top, 1e-300))
    tau = 1e-3
    for k in range(1, _MAX_SHIFTS + 1):
        out = attempt(tau * scale)
        if out is not None:
            return out, tau * float(scale.max()), k
        tau *= 4.0
    raise np.linalg.LinAlgError("no shift made the Hessian positive definite")


class DenseCholesky:
    """Cholesky factorization of a dense Hessian (numpy/scipy or cupy). An indefinite
    Hessian of dimension up to ``EIG_MAX_DIM`` is replaced by ``|H|`` (eigenvalues by their
    absolute values, floored at ``1e-8 max |lambda|``), a larger one by ``H + tau D``."""

    kind = "cholesky"
    EIG_MAX_DIM = 200

    def __init__(self, xp):
        self.xp = xp
        self.reg = 0.0
        self.n_factor = 0

    def _chol(self, H):
        xp = self.xp
        if xp is np:
            try:
                return sla.cho_factor(H, lower=True, check_finite=False)
            except np.linalg.LinAlgError:
                return None
        L = xp.linalg.cholesky(H)  # cupy returns NaNs instead of raising
        return None if not bool(xp.isfinite(L).all()) else (L, True)

    def factor(self, H):
        xp = self.xp
        self.reg = 0.0
        self._eig = None
        c = self._chol(H)
        self.n_factor += 1
        if c is None:
            if H.shape[0] <= self.EIG_MAX_DIM:
                return self._factor_eig(H)
            c, self.reg, tries = _shifted(lambda shift: self._chol(H + xp.diag(shift)),
                                          xp.diagonal(H))
            self.n_factor += tries
        self._c = c
        return self

    def _factor_eig(self, H):
        """``|H|``: the eigenvalues replaced by their absolute values, floored at
        ``1e-8 max |lambda|`` (scale-aware, unlike a multiple of the identity)."""
        xp = self.xp
        w, V = xp.linalg.eigh(0.5 * (H + H.T))
        top = float(abs(w).max()) if w.size else 1.0
        floor = 1e-8 * max(top, 1e-300)
        wm = xp.maximum(abs(w), floor)
        self.reg = float(xp.maximum(wm - w, 0.0).max())
        self._eig = (V, wm)
        return self

    def solve(self, g):
        if self._eig is not None:
            V, wm = self._eig
            return V @ ((V.T @ g) / wm)
        if self.xp is np:
            return sla.cho_solve(self._c, g, check_finite=False)
        from cupyx.scipy.linalg import solve_triangular
        L = self._c[0]
        w = solve_triangular(L, g, lower=True)
        return solve_triangular(L.T, w, lower=False)


def _upper_with_diagonal(H):
    """The upper triangle of ``H`` in CSC with sorted rows and every diagonal entry stored
    (a zero diagonal entry as an explicit zero, which scipy's sparse sums would drop)."""
    n = H.shape[0]
    T = sp.triu(H, format="coo")
    off = T.row != T.col
    rows = np.concatenate([T.row[off], np.arange(n)])
    cols = np.concatenate([T.col[off], np.arange(n)])
    diag = np.zeros(n)
    on = ~off
    np.add.at(diag, T.row[on], T.data[on])
    vals = np.concatenate([T.data[off], diag])
    order = np.lexsort((rows, cols))  # column-major, rows ascending: diagonal last
    rows, cols, vals = rows[order], cols[order], vals[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, cols + 1, 1)
    np.cumsum(indptr, out=indptr)
    U = sp.csc_matrix((vals, rows.astype(np.int64), indptr), shape=(n, n))
    return U


class SparseLDL:
    """Sparse ``L D L^T`` with an approximate-minimum-degree ordering (the compiled
    factorization of :mod:`solvers.admm.qp_linsys`); the symbolic analysis is reused while
    the Hessian's sparsity pattern stays the same. Positive definite iff all pivots are
    positive."""

    kind = "sparse"

    def __init__(self):
        self.reg = 0.0
        self.n_factor = 0
        self._pattern = None
        self._ldl = None

    def _setup(self, U):
        key = (U.indptr.tobytes(), U.indices.tobytes())
        if self._pattern != key:
            n = U.shape[0]
            self._ldl = LDLFactor(n, U.indptr.astype(np.int64), U.indices.astype(np.int64),
                                  np.ones(n, dtype=bool))
            self._pattern = key

    def factor(self, H):
        n = H.shape[0]
        U = _upper_with_diagonal(H)
        self._setup(U)
        diag_pos = U.indptr[1:] - 1  # last entry of each sorted column is the diagonal
        d = U.data[diag_pos]
        self.reg = 0.0
        vals = U.data.copy()
        ok = self._ldl.factor(vals) == n
        self.n_factor += 1
        if not ok:
            def attempt(shift):
                vals = U.data.copy()
                vals[diag_pos] += shift
                return True if self._ldl.factor(vals) == n else None

            _, self.reg, tries = _shifted(attempt, d)
            self.n_factor += tries
        return self

    def solve(self, g):
        return self._ldl.solve(np.asarray(g, dtype=np.float64))


class HessianFreeCG:
    """Truncated conjugate gradient on Hessian-vector products (Hessian-free Newton).

    Stops at the relative residual ``eta = min(0.5, sqrt(||g||))`` (the forcing sequence of
    Nocedal & Wright, Algorithm 7.1, which keeps the local convergence superlinear) or at
    ``max_cg`` iterations; on a direction of non-positive curvature it returns the iterate so
    far (the gradient itself on the first CG step), which is a descent direction.
    """

    kind = "cg"

    def __init__(self, xp, max_cg):
        self.xp = xp
        self.max_cg = max_cg
        self.reg = 0.0
        self.n_factor = 0
        self.n_hvp = 0
        #: whether the last solve stopped on a direction of non-positive curvature
        self.neg_curv = False

    def factor(self, hvp):
        self._hvp = hvp
        return self

    def solve(self, g, rtol=None):
        xp = self.xp
        gnorm = float(xp.linalg.norm(g))
        if rtol is None:
            rtol = min(0.5, math.sqrt(gnorm))
        z = xp.zeros_like(g)
        r = g.copy()
        p = r.copy()
        rr = float(r @ r)
        target = (rtol * gnorm) ** 2
        self.neg_curv = False
        for k in range(self.max_cg):
            if rr <= target:
                break
            Hp = self._hvp(p)
            self.n_hvp += 1
            curv = float(p @ Hp)
            if not curv > 1e-14 * float(xp.linalg.norm(p)) * float(xp.linalg.norm(Hp)):
                self.neg_curv = True
                return g.copy() if k == 0 else z
            a = rr / curv
            z = z + a * p
            r = r - a * Hp
            rr_new = float(r @ r)
            p = r + (rr_new / rr) * p
            rr = rr_new
        return z


def check_hessian(H, n, xp):
    """Validate what ``f.hess`` returned: an (n, n) dense array or a sparse matrix."""
    shape = getattr(H, "shape", None)
    if shape is None or tuple(shape) != (n, n):
        raise ValueError(f"f.hess returned shape {shape}, expected ({n}, {n}) for x of size {n}; "
                         "the Hessian must be a square matrix matching x")
    if sp.issparse(H):
        if not np.isfinite(H.data).all():
            raise FloatingPointError("non-finite Hessian entries")
        return H
    H = xp.asarray(H)
    return H
