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
from ._common import finish_x, initial_point, place_on_backend

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
    vg = getattr(f, "value_and_grad", None) or (lambda z: (f.value(z), f.grad(z)))
    ws = min(p, ws_start)
    used = nfev = njev = 0
    prev_W = None
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
        res = inner(f.restrict(W), g, x0=x[W], tol=max(INNER_FRACTION * m, tol),
                    max_iter=max_iter - used, backend=bk.name, **options)
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
