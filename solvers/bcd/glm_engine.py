"""Coordinate engines for data fits over a design matrix (least squares, logistic).

Two compiled paths, both for single-coordinate blocks and separable penalties: the convex
ones with ``penalty.cd_params`` (L1, L2, elastic net) and the folded concave SCAD and MCP
(``penalty.folded_concave_params``; see :func:`compiled_penalty`):

* :func:`solve_greedy_ws` -- greedy rules with working sets. Each outer iteration computes
  the full gradient from the kept linear predictor ``z = X x``, scores every coordinate with
  the selection rule, and takes as working set the current support plus the best-scoring
  coordinates (a *variable block* chosen by the rule itself). On the working set the
  quadratic model (exact for least squares; the Newton model, or the fixed curvature bound
  ``X_W^T X_W / 4n`` for logistic) is minimized by greedy coordinate descent whose gradient is
  kept up to date through the working-set Gram matrix, so a greedy step costs O(|W|) instead
  of a full gradient. With ``active_set_newton`` a Newton step on the identified support
  finishes the model solve (superlinear / finite convergence, Nutini et al. 2022, section 6).
* :func:`solve_epochs` -- cyclic, uniform random and Lipschitz-sampling rules: compiled passes
  of coordinate steps ``x_j <- prox(x_j - grad_j / L_j)`` keeping ``z`` up to date, O(nnz of
  column j) per step.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..core.optimality import duality_gap, prox_grad_mapping_norm
from ..core.result import STALLED
from ..proximal._common import weak_convexity_floor
from . import _kernels as K


#: Working sets up to this size keep a dense model Hessian (Gram) and run single-coordinate
#: greedy steps at O(|W|) each; larger sparse ones use the implicit sparse kernels (and so do
#: sparse ones whose dense Gram would take more than half the memory of X).
DENSE_GRAM_MAX = 1000

#: A round's model is solved until the largest subdifferential distance on W is below this
#: fraction of the largest one over all coordinates at the start of the round: tightly with a
#: dense Gram, where a step costs O(|W|) against the round's O(nnz(X)) gradient, loosely
#: with the sparse kernels, whose steps cost a pass over the rows of a column.
INNER_RATIO_GRAM = 1e-3
INNER_RATIO_SPARSE = 0.1


def design_arrays(X):
    """``X`` as the compiled kernels read it: CSC with sorted indices, or Fortran-ordered."""
    if sp.issparse(X):
        Xc = X.tocsc() if X.format != "csc" else X
        if not Xc.has_sorted_indices:
            Xc = Xc.sorted_indices()
        return Xc
    return np.asfortranarray(X)


def compiled_penalty(g):
    """``g`` as the compiled kernels read it, ``(kind, l1, l2, pos, shape)`` (see
    :mod:`solvers.bcd._kernels`), or None when they cannot run it.

    Convex separable penalties come through ``cd_params``; SCAD and MCP through
    ``folded_concave_params`` (they also need ``value`` and ``elementwise_value``). A
    penalty that leaves some coordinate unpenalized (an intercept, ``unpenalized_last``) is
    not uniform over the coordinates: None."""
    if g is None:
        return K.convex_penalty()
    if getattr(g, "unpenalized_last", False):
        return None
    params = getattr(g, "cd_params", None)
    if params is not None:
        return K.convex_penalty(*params)
    fc = getattr(g, "folded_concave_params", None)
    if fc is not None and getattr(g, "value", None) is not None \
            and getattr(g, "elementwise_value", None) is not None:
        kind, alpha, shape = fc
        return (K.PENALTY_CODES[kind], float(alpha), 0.0, False, float(shape))
    return None


class GLMState:
    """The iterate, the linear predictor ``z = X x`` and what the measure needs."""

    def __init__(self, f, g, x, pen, measure):
        self.f, self.g, self.x = f, g, x
        self.pen = pen
        self.convex = pen[0] == 0
        self.l1, self.l2 = pen[1], pen[2]
        if sp.issparse(f.X) and f.X.format in ("csr", "csc"):
            # kept in the caller's format: working sets slice it, no full copy is made
            self.Xs = f.X if f.X.has_sorted_indices else f.X.sorted_indices()
            self._csc = self.Xs if self.Xs.format == "csc" else None
        else:
            self.Xs = None
            self._csc = design_arrays(f.X)
        X = f.X
        self.X_nbytes = (X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
                         if sp.issparse(X) else X.nbytes)
        self.n = f.n_samples
        self.y = np.ascontiguousarray(f.y, dtype=np.float64)
        self.loss = K.LOSS_CODES[f.glm_loss]
        self.measure_name = measure
        self.z = np.asarray(f.state(x), dtype=np.float64).ravel()
        self.Lcoord = np.ascontiguousarray(f.coordinate_lipschitz, dtype=np.float64)
        # the measure's prox step stays below SCAD / MCP's weak-convexity bound
        self.measure_floor = float(weak_convexity_floor(g)) if g is not None else 0.0
        self._gram_cache = None

    def penalty(self, x=None):
        x = self.x if x is None else x
        if not self.convex:
            return float(self.g.value(x))
        return self.l1 * float(np.abs(x).sum()) + 0.5 * self.l2 * float(x @ x)

    def evaluate(self):
        """``(F(x), grad f(x), measure)`` from the kept ``z`` (one pass over the samples for
        the loss and its derivative)."""
        dl = np.empty(self.n)
        F = K.loss_sum_and_derivative(self.loss, self.z, self.y, dl) / self.n + self.penalty()
        if self._csc is not None and self.Xs is not None:
            X = self._csc
            grad = K.csc_rmatvec(X.indptr, X.indices, X.data, dl) / self.n
        else:
            grad = np.asarray(self.f.X.T @ dl).ravel() / self.n
        if self.measure_name == "gap":
            m = duality_gap(self.f, self.g, self.x, grad=grad, primal=F, theta=-dl)
        else:
            step = 1.0 / max(float(self.Lcoord.max()), self.measure_floor,
                             np.finfo(float).tiny)
            m = prox_grad_mapping_norm(self.g, self.x, grad, step)
        return F, grad, m

    def checkpoint(self, monitor, nit, round_, **extra):
        """End of a round: recompute ``z`` every 10 rounds (drift), evaluate, record a
        history row with the support size. Returns ``(F, grad, stop)``."""
        if round_ % 10 == 0:
            self.refresh()
        F, grad, m = self.evaluate()
        stop = monitor.record(nit, self.x, F, m, support=int(np.count_nonzero(self.x)), **extra)
        return F, grad, stop

    def refresh(self):
        """Recompute ``z = X x`` from scratch (removes drift from incremental updates)."""
        self.z = np.asarray(self.f.state(self.x), dtype=np.float64).ravel()

    @property
    def Xk(self):
        """``X`` as a CSC matrix or a Fortran-ordered array (built on first use)."""
        if self._csc is None:
            self._csc = design_arrays(self.Xs)
        return self._csc

    def columns(self, W):
        """The columns ``X[:, W]`` (in the stored sparse format, or dense)."""
        return (self.Xs if self.Xs is not None else self.Xk)[:, W]

    def cols_matvec(self, W, d):
        """``X[:, W] @ d`` without slicing a sparse ``X``."""
        if self.Xs is None:
            return self.Xk[:, W] @ d
        if self._csc is not None:
            X = self._csc
            return K.cols_matvec_csc(X.indptr, X.indices, X.data, W, d, self.n)
        full = np.zeros(self.Xs.shape[1])
        full[W] = d
        return np.asarray(self.Xs @ full).ravel()

    def gram(self, W, w):
        """Model Hessian ``X_W^T diag(w) X_W / n`` (``w`` a scalar bound or per-sample
        Newton weights) as a dense array.

        For a scalar ``w`` the Gram of every column met so far is kept (up to
        ``DENSE_GRAM_MAX`` columns and half the memory of X), so a round computes only the
        products with the columns new to the working set."""
        if not np.isscalar(w):
            return self._gram_block(W, 0, w / self.n)
        cache = self._gram_cache
        if cache is None or cache[0] != w:
            cache = self._gram_cache = (w, np.empty(0, dtype=np.int64), np.empty((0, 0)),
                                        np.full(self.x.shape[0], -1, dtype=np.int64))
        _, cols, H, pos = cache
        new = W[pos[W] < 0]
        if new.size:
            c = cols.size
            if c + new.size > DENSE_GRAM_MAX or 8 * (c + new.size) ** 2 > 0.5 * self.X_nbytes:
                pos[cols] = -1
                cols, H, c, new = np.empty(0, dtype=np.int64), np.empty((0, 0)), 0, W
            allc = np.concatenate([cols, new])
            B = self._gram_block(allc, c, np.full(self.n, w / self.n))
            H2 = np.empty((allc.size, allc.size))
            H2[:c, :c] = H
            H2[:, c:] = B
            H2[c:, :c] = B[:c].T
            pos[new] = np.arange(c, allc.size)
            cols, H = allc, H2
            self._gram_cache = (w, cols, H, pos)
        idx = pos[W]
        return H[np.ix_(idx, idx)]

    def _gram_block(self, C, first_new, wrow):
        """``X_C^T diag(wrow) X_N`` for the columns ``N = C[first_new:]``."""
        if self.Xs is None:
            XC = self.Xk[:, C]
            return XC.T @ (wrow[:, None] * XC[:, first_new:])
        if self._csc is not None:
            X, cols = self._csc, C
        else:  # CSR from the caller: slice the columns instead of copying all of X
            X = self.Xs[:, C].tocsc()
            cols = np.arange(C.size)
        rptr, rpos, rval = K.rows_of_columns(X.indptr, X.indices, X.data, cols, self.n)
        return K.gram_block_from_rows(rptr, rpos, rval, wrow, C.size, first_new).T


def _diag_bound(st):
    """``d_j >= sum_k |H_jk|`` for the GSD rule, from ``|X|^T |X| 1``."""
    factor = float(getattr(st.f, "loss_curvature_bound", 1.0))
    if st.Xs is not None:
        Xc = st.Xk
        r = K.weighted_abs_gram_rowsum_csc(Xc.indptr, Xc.indices, Xc.data.astype(np.float64),
                                           np.ones(Xc.shape[0]), Xc.shape[0])
    else:
        r = K.abs_gram_rowsum_dense(st.Xk)
    return factor * r / st.n


def solve_greedy_ws(st, monitor, *, rule, update, max_iter, ws_start, ws_growth,
                    active_set_newton):
    """Greedy rule + working sets (see the module docstring). Returns ``(F, counts)``."""
    rule_code = K.RULE_CODES[rule]
    p = st.x.shape[0]
    dfull = _diag_bound(st) if rule_code == 2 else np.ones(p)
    score = np.empty(p)
    dist = np.empty(p)
    nit = 0
    outer = 0
    nfev = njev = nhev = 0
    ws_size = None if ws_start is None else min(p, max(int(ws_start), 1))
    F, grad, m = st.evaluate()
    nfev += 1
    njev += 1
    support = int(np.count_nonzero(st.x))
    if monitor.record(0, st.x, F, m, support=support, ws_size=0, updates=0):
        return F, dict(nfev=nfev, njev=njev, nhev=nhev, n_outer=outer)
    use_newton = update == "newton" and st.loss != 0
    prev_supp = None
    while True:
        outer += 1
        max_dist = K.all_scores(rule_code, st.x, grad, st.Lcoord, dfull, st.pen, score, dist)
        supp = np.flatnonzero(st.x)
        if ws_size is None:
            ws_size = _balanced_ws_size(st, score)
        ws_size = min(p, max(ws_size, ws_growth * supp.size))
        # working set: the support plus the best-scoring violators (score > 0)
        cand = score.copy()
        cand[supp] = np.inf
        k = min(ws_size, p)
        W = np.argpartition(-cand, k - 1)[:k] if k < p else np.arange(p)
        W = W[(cand[W] > 0) | (dist[W] > 0)]
        W = np.union1d(W, supp)
        if W.size == 0:
            W = np.array([int(np.argmax(dist))])
        bound = float(getattr(st.f, "loss_curvature_bound", 1.0))
        newton_round = use_newton
        supp_now = W[st.x[W] != 0]
        try_newton = active_set_newton and prev_supp is not None and \
            np.array_equal(supp_now, prev_supp)
        prev_supp = supp_now
        if newton_round:
            nhev += 1
            w = np.asarray(st.f.curvature_weights(st.z), dtype=np.float64)
            steps, xw0, xw, Xw = _model_round(st, W, grad, w, rule_code, max_dist, try_newton)
            if steps == 0:
                # the Newton model is flat (saturated loss): fall back to the curvature bound,
                # whose minimizer decreases F without a line search
                newton_round = False
        if not newton_round:
            steps, xw0, xw, Xw = _model_round(st, W, grad, bound, rule_code, max_dist,
                                              try_newton)
        d = xw - xw0
        if np.any(d):
            Xd = _image(st, W, Xw, d)
            t = 1.0
            if newton_round:
                t, ev = _line_search(st, W, xw0, d, Xd, grad[W])
                nfev += ev
                if t == 0.0:
                    # SCAD / MCP: the Newton model's minimizer need not be a descent
                    # direction where the loss curvature is below the penalty's concavity;
                    # the curvature-bound model majorizes F, so its minimizer descends
                    steps, xw0, xw, Xw = _model_round(st, W, grad, bound, rule_code, max_dist,
                                                      False)
                    d = xw - xw0
                    Xd = _image(st, W, Xw, d)
                    t = 1.0
            st.x[W] = xw0 + t * d
            st.z += t * Xd
        nit += steps
        F, grad, stop = st.checkpoint(monitor, nit, outer, ws_size=int(W.size),
                                      updates=int(steps))
        nfev += 1
        njev += 1
        if stop or nit >= max_iter or outer >= max_iter:
            break
        if steps == 0 and W.size == p:
            monitor.stop_with(STALLED)
            break
        if steps == 0:
            ws_size = min(p, 2 * max(ws_size, W.size))
    return F, dict(nfev=nfev, njev=njev, nhev=nhev, n_outer=outer)


def _image(st, W, Xw, d):
    """``X[:, W] @ d``, from the sliced columns ``Xw`` when a round made them."""
    return np.asarray(Xw @ d).ravel() if Xw is not None else st.cols_matvec(W, d)


def _balanced_ws_size(st, score, lo=10, hi=50):
    """First working-set size: the number of best-scoring coordinates whose columns would
    make the working-set Gram cost about one pass over ``X`` (the round's full gradient).

    With ``d_j`` the fraction of samples in which column ``j`` is nonzero, the Gram of ``W``
    costs about ``n (sum_W d_j)^2`` products, which equals ``nnz(X)`` when
    ``sum_W d_j = sqrt(nnz(X) / n)``; clipped to ``[lo, hi]``. Dense columns (short text
    features that occur in half of the samples, one-hot census data) give small working
    sets, rare ones large."""
    p = score.shape[0]
    if st.Xs is None:
        k = int(np.sqrt(p))
    else:
        X = st.Xs
        counts = np.diff(st._csc.indptr) if st._csc is not None else \
            np.bincount(X.indices, minlength=p)
        top = np.argsort(-score)[:hi]
        dens = counts[top] / st.n
        k = int(np.searchsorted(np.cumsum(dens), np.sqrt(X.nnz / st.n))) + 1
    return int(min(p, max(lo, min(hi, k))))


def _model_round(st, W, grad, w, rule_code, max_dist, try_newton):
    """Minimize the working-set model with curvature weights ``w`` (scalar bound or per-sample
    Newton weights) by the greedy kernels; returns ``(steps, xw0, xw, Xw)`` with ``Xw`` the
    sliced columns when the sparse kernels needed them, else None."""
    xw0 = st.x[W].copy()
    xw = xw0.copy()
    gq = grad[W].copy()
    max_steps = 200 * W.size + 1000
    if st.Xs is not None and (W.size > DENSE_GRAM_MAX or 8 * W.size ** 2 > 0.5 * st.X_nbytes):
        eps = max(INNER_RATIO_SPARSE * max_dist, 1e-300)
        # implicit model Hessian through the sparse rows/columns of X_W
        # (only one extra copy of X_W is alive at a time: CSC, plus CSR for the heap kernel)
        wrow = np.full(st.n, w / st.n) if np.isscalar(w) else w / st.n
        Xw = st.columns(W)
        Xw = Xw.tocsc() if Xw.format != "csc" else Xw
        Xw = Xw if Xw.has_sorted_indices else Xw.sorted_indices()
        row_nnz = np.bincount(Xw.indices, minlength=st.n).astype(np.float64)
        touch = float(row_nnz @ row_nnz) / W.size  # mean neighbours touched per step
        if touch > 0.25 * W.size:
            dH = K.weighted_abs_gram_rowsum_csc(Xw.indptr, Xw.indices, Xw.data, wrow, st.n)

            def run(gq, xw, cap):
                return K.sparse_block_greedy_cd(Xw.indptr, Xw.indices, Xw.data, wrow, gq, xw,
                                                st.pen, rule_code, eps, cap,
                                                0.2, dH)
        else:
            Xr = Xw.tocsr()

            def run(gq, xw, cap):
                return K.sparse_greedy_cd(Xw.indptr, Xw.indices, Xw.data, Xr.indptr,
                                          Xr.indices, Xr.data, wrow, gq, xw, st.pen, rule_code,
                                          eps, cap)
        steps = run(gq, xw, max_steps)
        if try_newton:
            steps += _support_newton_sparse(Xw, wrow, gq, xw, st, run)
        return steps, xw0, xw, Xw
    eps = max(INNER_RATIO_GRAM * max_dist, 1e-300)
    H = st.gram(W, w)
    dH = np.abs(H).sum(axis=1)
    steps = K.gram_greedy_cd(H, gq, xw, dH, st.pen, rule_code, eps, max_steps)
    if try_newton:
        steps += _support_newton(H, gq, xw, st.pen, rule_code, eps, dH)
    return steps, xw0, xw, None


def _line_search(st, W, xw0, d, Xd, gW, beta=0.5, sigma=1e-4, max_halvings=30):
    """Armijo backtracking for the proximal Newton direction ``d`` on the working set.

    The change of the objective is summed term by term (:func:`~._kernels.loss_change` and
    the penalty's per-coordinate changes), not as a difference of two objective values, so
    the test stays meaningful when the decrease is below the rounding error of ``F``.
    Returns ``(t, evaluations)``; ``t = 0`` when no step passes for a folded concave
    penalty."""
    decrease = float(gW @ d) + _penalty_change(st, xw0, d)
    for k in range(max_halvings):
        t = beta ** k
        change = K.loss_change(st.loss, st.z, Xd, t, st.y) / st.n + \
            _penalty_change(st, xw0, t * d)
        if change <= sigma * t * min(decrease, 0.0):
            return t, k + 1
    if not st.convex:
        return 0.0, max_halvings  # no step: the caller falls back to a majorizing model
    return beta ** max_halvings, max_halvings


def _penalty_change(st, x0, d):
    """``g(x0 + d) - g(x0)`` summed coordinate by coordinate."""
    x1 = x0 + d
    if not st.convex:
        return float((st.g.elementwise_value(x1) - st.g.elementwise_value(x0)).sum())
    return st.l1 * float((np.abs(x1) - np.abs(x0)).sum()) + \
        st.l2 * float((d * (x0 + 0.5 * d)).sum())


def _support_newton(H, gq, xw, pen, rule_code, eps, dH):
    """Newton step of the working-set model restricted to its support with signs fixed.

    Accepted only when it keeps every sign (then it is the exact model minimizer on that
    support); the greedy solver then checks the remaining coordinates. Returns the number of
    coordinate updates it stands for (the support size) or 0 when rejected.
    """
    S = np.flatnonzero(xw)
    if S.size == 0:
        return 0
    l1, l2 = pen[1], pen[2]
    sgn = np.sign(xw[S])
    rhs = -(gq[S] + l1 * sgn + l2 * xw[S])
    HS = H[np.ix_(S, S)] + l2 * np.eye(S.size)
    try:
        dS = np.linalg.solve(HS, rhs)
    except np.linalg.LinAlgError:
        return 0
    new = xw[S] + dS
    if not np.all(np.sign(new) == sgn) or not np.all(np.isfinite(new)):
        return 0
    xw[S] = new
    gq += H[:, S] @ dS
    K.gram_greedy_cd(H, gq, xw, dH, pen, rule_code, eps, 10 * xw.size + 100)
    return int(S.size)


def _support_newton_sparse(Xw, wrow, gq, xw, st, run):
    """Sparse counterpart of :func:`_support_newton`: the support block of the model Hessian
    is formed from the support's columns only; ``run(gq, xw, max_steps)`` is the greedy
    kernel that checks the other coordinates afterwards."""
    S = np.flatnonzero(xw)
    if S.size == 0:
        return 0
    XS = Xw[:, S]
    sgn = np.sign(xw[S])
    rhs = -(gq[S] + st.l1 * sgn + st.l2 * xw[S])
    if S.size <= DENSE_GRAM_MAX:
        HS = np.asarray((XS.T @ sp.diags(wrow) @ XS).toarray()) + st.l2 * np.eye(S.size)
        try:
            dS = np.linalg.solve(HS, rhs)
        except np.linalg.LinAlgError:
            return 0
    else:
        # conjugate gradients with products by X_S and X_S^T only (Jacobi-preconditioned);
        # given up for the rest of the solve after one failure, as the support Hessian is
        # then too ill-conditioned for it to pay
        if getattr(st, "cg_failed", False):
            return 0
        from scipy.sparse.linalg import LinearOperator, cg
        XS = XS.tocsc() if XS.format != "csc" else XS
        diag = K.weighted_col_sq_norms_csc(XS.indptr, XS.indices, XS.data, wrow) + st.l2
        diag = np.where(diag > 0, diag, 1.0)
        op = LinearOperator((S.size, S.size), dtype=np.float64,
                            matvec=lambda v: XS.T @ (wrow * (XS @ v)) + st.l2 * v)
        pre = LinearOperator((S.size, S.size), dtype=np.float64, matvec=lambda v: v / diag)
        dS, info = cg(op, rhs, rtol=1e-10, atol=0.0, maxiter=min(S.size, 200), M=pre)
        if info != 0:
            st.cg_failed = True
            return 0
    new = xw[S] + dS
    if not np.all(np.sign(new) == sgn) or not np.all(np.isfinite(new)):
        return 0
    xw[S] = new
    gq += np.asarray(Xw.T @ (wrow * np.asarray(XS @ dS).ravel())).ravel()
    run(gq, xw, 10 * xw.size + 100)
    return int(S.size)


def solve_epochs(st, monitor, *, rule, max_iter, rng):
    """Cyclic / uniform random / Lipschitz sampling coordinate passes; one history row per
    pass of ``p`` coordinate steps. Returns ``(F, counts)``."""
    p = st.x.shape[0]
    nit = 0
    F, grad, m = st.evaluate()
    nfev = njev = 1
    if monitor.record(0, st.x, F, m, support=int(np.count_nonzero(st.x))):
        return F, dict(nfev=nfev, njev=njev, nhev=0)
    L = st.Lcoord
    probs = L / L.sum() if rule == "lipschitz" and L.sum() > 0 else None
    epoch = 0
    while nit < max_iter:
        epoch += 1
        if rule == "cyclic":
            order = np.arange(p)
        elif rule == "random":
            order = rng.integers(0, p, size=p)
        else:
            order = rng.choice(p, size=p, p=probs)
        order = np.ascontiguousarray(order, dtype=np.int64)
        if st.Xs is not None:
            big = K.cd_epoch_csc(st.Xk.indptr, st.Xk.indices, st.Xk.data, st.y, st.z, st.x, L,
                                 order, st.loss, float(st.n), st.pen)
        else:
            big = K.cd_epoch_dense(st.Xk, st.y, st.z, st.x, L, order, st.loss, float(st.n),
                                   st.pen)
        nit += p
        F, grad, stop = st.checkpoint(monitor, nit, epoch)
        nfev += 1
        njev += 1
        if stop:
            break
        if big == 0.0 and rule == "cyclic":
            monitor.stop_with(STALLED)
            break
    return F, dict(nfev=nfev, njev=njev, nhev=0, n_epochs=epoch)
