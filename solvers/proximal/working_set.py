"""Working sets for first-order methods on design-matrix fits with separable penalties.

Each round computes the full gradient at ``x``, the Clarke KKT distance of every coordinate
(``g.subdiff_distance``), and takes as working set ``W`` the support plus the worst
violators (at least ``ws_start``, at least twice the support); the problem restricted to
``W`` (``f.restrict(W)``: the columns of X in W) is solved by the inner method warm-started
at ``x_W`` to a fraction of the current violation. Coordinates outside ``W`` are zero (the
support is always in ``W``), so the restricted problem is exact there. The strategy of
celer / skglm (Massias et al. 2018, 2020; Bertrand et al. 2022) around any first-order
method.
"""
from __future__ import annotations

import numpy as np

from ..backend import array_namespace
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
        if getattr(g, "prox_1d", None) is None and getattr(g, "cd_params", None) is None:
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
    ws = min(p, ws_start)
    used = nfev = njev = 0
    prev_W = None
    lead = None  # (columns, leading eigenvector of X_W^T X_W) of the previous round
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
        W = xp.union1d(top[score[top] > 0], supp)
        if prev_W is not None and W.size == prev_W.size and bool((W == prev_W).all()) \
                and W.size == p:
            mon.stop_with(STALLED)
            break
        fW = f.restrict(W)
        opts = dict(options)
        if opts.get("L") is None and bk.name == "cpu":
            opts["L"], lead = _warm_lipschitz(fW, W, lead)
        res = inner(fW, g, x0=x[W], tol=max(INNER_FRACTION * m, tol),
                    max_iter=max_iter - used, backend=bk.name, **opts)
        used += int(res.nit)
        nfev += int(getattr(res, "nfev", 0))
        njev += int(getattr(res, "njev", 0))
        x_new = xp.zeros_like(x)
        x_new[W] = xp.asarray(res.x)
        if prev_W is not None and W.size == prev_W.size and bool((W == prev_W).all()) \
                and int(res.nit) == 0:
            ws = min(p, 2 * ws)  # no progress on this set: look wider
        x = x_new
        prev_W = W
    return mon.result(finish_x(x, bk, on_gpu), F, nfev=nfev, njev=njev)


def _warm_lipschitz(fW, W, lead):
    """Lipschitz constant of the restricted fit, ``sup loss'' lambda_max(X_W^T X_W) / n``, by
    Lanczos warm-started at the previous round's leading eigenvector (working sets change
    little between rounds, so a few products with X_W suffice instead of an SVD per round).
    Returns ``(L, (W, eigenvector))``."""
    from scipy.sparse.linalg import LinearOperator, eigsh

    X = fW.X
    m = W.size
    factor = float(getattr(fW, "loss_curvature_bound", 1.0))
    if m <= 64:
        XW = X.toarray() if hasattr(X, "toarray") else np.asarray(X)
        w, V = np.linalg.eigh(XW.T @ XW)
        return factor * float(w[-1]) / fW.n_samples, (W, V[:, -1])
    v0 = np.random.default_rng(0).standard_normal(m) * 1e-3
    if lead is not None:
        prev_W, prev_v = lead
        pos = np.searchsorted(W, prev_W)
        keep = (pos < m) & (W[np.minimum(pos, m - 1)] == prev_W)
        v0[pos[keep]] += prev_v[keep]
    op = LinearOperator((m, m), dtype=np.float64, matvec=lambda v: X.T @ (X @ v))
    w, V = eigsh(op, k=1, which="LA", tol=1e-10, v0=v0)
    return factor * float(w[0]) / fW.n_samples, (W, V[:, 0])

