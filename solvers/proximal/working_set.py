"""Working sets for first-order methods on design-matrix fits with separable penalties.

Each round computes the full gradient at ``x``, the Clarke KKT distance of every coordinate
(``g.subdiff_distance``), and takes as working set ``W`` the support plus the worst
violators (at least ``ws_start``, at least twice the support), plus the coordinates the fit
lists in ``f.working_set_keep`` when it has one (e.g. an unpenalized intercept); the problem
restricted to ``W`` (``f.restrict(W)``: the columns of X in W) is solved by the inner method
warm-started at ``x_W`` to a fraction of the current violation. Coordinates outside ``W``
are zero (the support is always in ``W``), so the restricted problem is exact there. The
strategy of
celer / skglm (Massias et al. 2018, 2020; Bertrand et al. 2022) around any first-order
method.
"""
from __future__ import annotations

import numpy as np

from ..backend import array_namespace, get_backend
from ..backend.threads import single_thread_blas
from ..core.monitor import Monitor
from ..core.result import STALLED
from ..core.validation import require
from ._common import finish_x, initial_point, make_evaluators, place_on_backend

#: Inner problems are solved to this fraction of the round's largest KKT distance.
INNER_FRACTION = 0.3


def solve_working_sets(inner, f, g, x0, *, tol, max_iter, callback, verbose, backend,
                       options, ws_start=10, ws_growth=2):
    """Run ``inner(f_W, g, x0=x_W, tol=..., max_iter=..., **options)`` on working sets until
    ``max_j KKT_j(x) <= tol``; ``max_iter`` bounds the inner iterations over all rounds.
    Returns a :class:`solvers.Result` whose history has one row per round (objective,
    largest KKT distance, ``ws_size``, ``inner_nit``)."""
    require(f, "restrict", "smooth part f (working sets restrict it to columns)")
    if g is not None:
        require(g, "subdiff_distance", "penalty g")
        if getattr(g, "prox_1d", None) is None and getattr(g, "cd_params", None) is None \
                and not getattr(g, "separable", False):
            raise TypeError(f"working sets need a separable penalty (with `prox_1d`), got "
                            f"{type(g).__name__}")
    bk, f, on_gpu = place_on_backend(f, backend, x0)
    x = initial_point(f, x0, bk)
    if x.ndim != 1:
        raise ValueError("working sets need a vector variable")
    xp = array_namespace(x)
    p = x.shape[0]
    mon = Monitor("nonconvex_ag", tol=tol, max_iter=max_iter, measure_name="kkt",
                  callback=callback, verbose=verbose, to_host=bk.to_host)
    vg, _ = make_evaluators(f, "kkt")
    gram = _GramCache.create(f) if bk.name == "cpu" else None
    keep = getattr(f, "working_set_keep", None)
    keep = xp.asarray([], dtype=xp.int64) if keep is None else xp.asarray(keep)
    with _blas_context(bk):
        x, F, nfev, njev = _rounds(inner, f, g, x, gram, mon, vg, bk, xp, p, tol, max_iter,
                                   options, ws_start, ws_growth, keep)
    return mon.result(finish_x(x, bk, on_gpu), F, nfev=nfev, njev=njev)


#: Limit BLAS to one thread during the rounds (CPU): their products are matrix-vector
#: products, memory-bound, which a multithreaded BLAS does not speed up but slows down
#: many times over when the machine's cores are busy (oversubscription).
SINGLE_THREAD_BLAS = True
def _blas_context(bk):
    import contextlib

    if not SINGLE_THREAD_BLAS or bk.name != "cpu":
        return contextlib.nullcontext()
    return single_thread_blas()


def _rounds(inner, f, g, x, gram, mon, vg, bk, xp, p, tol, max_iter, options, ws_start,
            ws_growth, keep):
    ws = min(p, ws_start)
    used = nfev = njev = 0
    prev_W = None
    last_nit = None
    lead = None  # (columns, leading eigenvector of X_W^T X_W) of the previous round
    lip_cache = None  # (W, L) of the previous round: the same set has the same constant
    while True:
        fx, grad = vg(x)
        nfev += 1
        njev += 1
        F = float(fx) + (0.0 if g is None else float(g.value(x)))
        kkt = xp.abs(grad) if g is None else g.subdiff_distance(x, grad)
        m = float(kkt.max()) if p else 0.0
        stop = mon.record(used, x, F, m, nfev=nfev, njev=njev,
                          ws_size=0 if prev_W is None else int(prev_W.size), inner_nit=used)
        if stop or used >= max_iter:
            break
        supp = xp.flatnonzero(x)
        ws = min(p, max(ws, ws_growth * int(supp.size)))
        score = kkt.copy()
        score[supp] = np.inf
        k = min(ws, p)
        top = xp.argpartition(-score, k - 1)[:k] if k < p else xp.arange(p)
        W = xp.union1d(xp.union1d(top[score[top] > 0], supp), keep)
        if prev_W is not None and W.size == p and _same(W, prev_W) and last_nit == 0:
            # the whole problem again, and the last solve of it could not move: the
            # violation is at the inner method's rounding floor
            mon.stop_with(STALLED)
            break
        fW = gram.restrict(W) if gram is not None else None
        if fW is None:
            fW = f.restrict(W)
        opts = dict(options)
        if opts.get("L") is None and bk.name == "cpu" and _design_fit(fW):
            if lip_cache is not None and _same(W, lip_cache[0]):
                opts["L"] = lip_cache[1]
            else:
                opts["L"], lead = _warm_lipschitz(fW, W, lead)
                lip_cache = (W, opts["L"])
        res = inner(fW, g, x0=x[W], tol=max(INNER_FRACTION * m, tol),
                    max_iter=max_iter - used, backend=bk.name, **opts)
        used += int(res.nit)
        nfev += int(getattr(res, "nfev", 0))
        njev += int(getattr(res, "njev", 0))
        x_new = xp.zeros_like(x)
        x_new[W] = xp.asarray(res.x)
        if prev_W is not None and int(res.nit) == 0 and _same(W, prev_W):
            ws = min(p, 2 * ws)  # no progress on this set: look wider
        x = x_new
        prev_W = W
        last_nit = int(res.nit)
    return x, F, nfev, njev


def _design_fit(fW):
    """Whether the warm-started Lanczos estimate of the Lipschitz constant applies (a Gram
    form, or a fit over a design ``X`` with ``n_samples``); other fits give their own
    ``lipschitz``."""
    return isinstance(fW, _GramFit) or (getattr(fW, "X", None) is not None
                                        and getattr(fW, "n_samples", None) is not None)


def _same(a, b):
    return a.size == b.size and bool((a == b).all())


def _warm_lipschitz(fW, W, lead):
    """Lipschitz constant of the restricted fit, ``sup loss'' lambda_max(X_W^T X_W) / n``, by
    Lanczos warm-started at the previous round's leading eigenvector (working sets change
    little between rounds, so a few products with X_W suffice instead of an SVD per round).
    Returns ``(L, (W, eigenvector))``."""
    from scipy.sparse.linalg import LinearOperator, eigsh

    m = W.size
    if isinstance(fW, _GramFit):  # lambda_max(G_W), G = X^T X / n
        if m <= 64:
            w, V = np.linalg.eigh(fW.G)
            return float(w[-1]), (W, V[:, -1])
        scale, matvec, dense, form = 1.0, fW.matvec, fW.G, "gram"
    else:
        X = fW.X
        factor = float(getattr(fW, "loss_curvature_bound", 1.0))
        if m <= 64:
            XW = X.toarray() if hasattr(X, "toarray") else np.asarray(X)
            w, V = np.linalg.eigh(XW.T @ XW)
            return factor * float(w[-1]) / fW.n_samples, (W, V[:, -1])
        scale, dense, form = factor / fW.n_samples, X, "design"

        def matvec(v):
            return X.T @ (X @ v)
    v0 = np.random.default_rng(0).standard_normal(m) * 1e-3
    if lead is not None:
        prev_W, prev_v = lead
        pos = np.searchsorted(W, prev_W)
        keep = (pos < m) & (W[np.minimum(pos, m - 1)] == prev_W)
        v0[pos[keep]] += prev_v[keep]
    if isinstance(dense, np.ndarray) and dense.dtype == np.float64:
        from ._lanczos import DESIGN, GRAM, largest_eigenpair

        theta, v = largest_eigenpair(GRAM if form == "gram" else DESIGN,
                                     np.ascontiguousarray(dense), v0, 1e-10, 300)
        return scale * float(theta), (W, v)
    op = LinearOperator((m, m), dtype=np.float64, matvec=lambda v: matvec(np.ravel(v)))
    w, V = eigsh(op, k=1, which="LA", tol=1e-10, v0=v0)
    return scale * float(w[0]), (W, V[:, 0])


#: Least squares: the Gram path is used for working sets of at most ``GRAM_RATIO *
#: n_samples`` columns (a gradient then reads one triangle of G_W, |W|^2 / 2 numbers,
#: instead of X_W twice, 2 n |W| numbers; measured faster up to about |W| = 1.5 n, beyond
#: which G_W no longer stays in cache) ...
GRAM_RATIO = 1.5
#: ... and while the Gram matrix of all columns seen so far has at most this many rows
#: (128 MiB in float64) ...
GRAM_MAX_COLUMNS = 4096
#: ... it is extended by the new columns of each set, or computed for all columns at once
#: when the sets have covered more than this fraction of them.
GRAM_FULL_FRACTION = 0.5


class _GramCache:
    """``G = X^T X / n`` over the columns that working sets have used so far, ``b = X^T (y -
    offset) / n`` and ``c = ||y - offset||^2 / (2 n)`` of a least-squares fit, so that the
    restricted fit is ``x^T G_W x / 2 - b_W^T x + c`` (:class:`_GramFit`).

    Columns are added as working sets first contain them (``n |W_new| |U|`` flops for a
    union ``U``), so a run whose sets stay small never forms the whole Gram matrix. For a
    sparse ``X`` (only with at most ``GRAM_MAX_COLUMNS`` features) the blocks of ``X^T X``
    are kept dense: that product is not the caller's matrix, which is never densified, and
    it has at most ``GRAM_MAX_COLUMNS`` squared entries.
    """

    def __init__(self, X, r, n, intercept=False):
        self.X, self.n = X, n
        self.intercept = intercept  # a column of ones after X's (index X.shape[1])
        self.p = X.shape[1] + int(intercept)
        self.b = np.asarray(X.T @ r).ravel() / n
        if intercept:
            self.b = np.append(self.b, float(r.sum()) / n)
            self.mean = np.asarray(X.sum(axis=0)).ravel() / n  # 1^T X / n
        self.c = float(r @ r) / (2 * n)
        self.dtype = np.result_type(X.dtype, np.float32)
        self.pos = np.full(self.p, -1, dtype=np.intp)
        self.cols = np.empty(0, dtype=np.intp)
        self.G = np.empty((0, 0), dtype=self.dtype)
        self._last = None  # (W, fit) of the last restriction: rounds often repeat a set

    @classmethod
    def create(cls, f):
        """A cache for a least-squares fit on a dense or sparse numpy design, else None. A fit
        with an intercept as its last coordinate describes itself by ``gram_design() -> (X,
        y, n, intercept)`` (the scikit-learn estimators' joint fit)."""
        parts = getattr(f, "gram_design", None)
        if parts is not None:
            parts = parts()
            if parts is None:
                return None
            X, y, n, intercept = parts
            offset = None
        elif getattr(f, "glm_loss", None) != "squared":
            return None
        else:
            X, y = getattr(f, "X", None), getattr(f, "y", None)
            n = getattr(f, "n_samples", None)
            intercept = False
            offset = getattr(f, "offset", None)
        return cls._checked(X, y, n, offset, intercept)

    @classmethod
    def _checked(cls, X, y, n, offset, intercept):
        if X is None or y is None or n is None or getattr(X, "ndim", 0) != 2:
            return None
        sparse = hasattr(X, "tocsc")
        if not (isinstance(X, np.ndarray) or sparse) or not isinstance(y, np.ndarray) \
                or X.dtype not in (np.float32, np.float64):
            return None
        if sparse and X.shape[1] > GRAM_MAX_COLUMNS:
            return None
        if offset is not None and not isinstance(offset, np.ndarray):
            return None
        r = y if offset is None else y - offset  # a new array: y is never modified
        return cls(X, r, int(n), intercept)

    def restrict(self, W):
        """The restricted fit on the columns ``W`` (sorted), or None when the Gram path does
        not pay (``|W| > GRAM_RATIO n``) or the cache would grow too large."""
        if W.size > GRAM_RATIO * self.n or W.size == 0:
            return None
        if self._last is not None and _same(W, self._last[0]):
            return self._last[1]
        new = W[self.pos[W] < 0]
        if new.size:
            m0 = self.cols.size
            m1 = m0 + new.size
            if m1 > GRAM_MAX_COLUMNS:
                return None
            if m1 > GRAM_FULL_FRACTION * self.p and self.p <= GRAM_MAX_COLUMNS:
                self._full()
            else:
                self._extend(new)
        idx = self.pos[W]
        fit = _GramFit(self.G[np.ix_(idx, idx)], self.b[W], self.c)
        self._last = (W, fit)
        return fit

    def _extend(self, new):
        m0, m1 = self.cols.size, self.cols.size + new.size
        G = np.empty((m1, m1), dtype=self.dtype)
        G[:m0, :m0] = self.G
        G[m0:, m0:] = self._block(new, new)
        if m0:
            cross = self._block(self.cols, new)
            G[:m0, m0:] = cross
            G[m0:, :m0] = cross.T
        self.G = G
        self.pos[new] = np.arange(m0, m1)
        self.cols = np.concatenate([self.cols, new])

    def _full(self):
        """All columns at once (one ``X^T X``, which BLAS computes as a symmetric rank-k
        update) once the sets cover a large part of them."""
        X = self.X
        G = X.T @ X
        G = np.asarray(G.toarray() if hasattr(G, "toarray") else G, dtype=self.dtype) / self.n
        if self.intercept:  # [[X^T X, X^T 1], [1^T X, n]] / n
            m = self.mean.astype(self.dtype)
            G = np.block([[G, m[:, None]], [m[None, :], np.ones((1, 1), self.dtype)]])
        self.G = G
        self.pos = np.arange(self.p)
        self.cols = np.arange(self.p)

    def _block(self, I, J):
        """``[X, 1]_I^T [X, 1]_J / n`` for index arrays ``I``, ``J`` in any order (the
        intercept's column of ones, index ``p - 1`` with an intercept, from the column means)."""
        if not self.intercept:
            return self._product(self.X[:, I], self.X[:, J])
        one = self.p - 1
        rI, rJ = I != one, J != one
        B = np.empty((I.size, J.size), dtype=self.dtype)
        B[np.ix_(rI, rJ)] = self._product(self.X[:, I[rI]], self.X[:, J[rJ]])
        B[np.ix_(~rI, rJ)] = self.mean[J[rJ]][None, :]
        B[np.ix_(rI, ~rJ)] = self.mean[I[rI]][:, None]
        B[np.ix_(~rI, ~rJ)] = 1.0
        return B

    def _product(self, A, B):
        P = A.T @ B
        return np.asarray(P.toarray() if hasattr(P, "toarray") else P) / self.n


class _GramFit:
    """The least-squares fit restricted to a working set in Gram form, ``f(x) = x^T G x / 2 -
    b^T x + c`` (``G`` symmetric): the smooth-part protocol that the inner solver needs
    (``value``, ``grad``, ``value_and_grad``, ``lipschitz``). A gradient is one symmetric
    matrix-vector product (BLAS ``symv``, which reads one triangle of ``G``)."""

    glm_loss = "squared"
    loss_curvature_bound = 1.0

    def __init__(self, G, b, c):
        from scipy.linalg.blas import get_blas_funcs

        self.G = np.ascontiguousarray(G)
        self._GF = self.G.T  # Fortran-ordered view of the same (symmetric) matrix
        self.b, self.c = b, c
        self._symv = get_blas_funcs("symv", (self.G,))
        self.backend = get_backend("cpu")

    @property
    def shape(self):
        return (self.G.shape[0],)

    @property
    def dtype(self):
        return self.G.dtype

    def matvec(self, v):
        """``G v``."""
        return self._symv(1.0, self._GF, v)

    def grad(self, x):
        return self._symv(1.0, self._GF, x, beta=-1.0, y=self.b)

    def value_and_grad(self, x):
        gx = self.grad(x)
        # f = x^T G x / 2 - b^T x + c = x^T (G x - b) / 2 - b^T x / 2 + c
        return 0.5 * (float(x @ gx) - float(x @ self.b)) + self.c, gx

    def value(self, x):
        return self.value_and_grad(x)[0]

    @property
    def lipschitz(self):
        """``lambda_max(G)``."""
        return _warm_lipschitz(self, np.arange(self.G.shape[0]), None)[0]
