"""Block selection rules, vectorized over all blocks (Nutini, Laradji, Schmidt, JMLR 2022).

Coordinate quantities are computed with ``xp`` for every coordinate, then summed per block
of a :class:`~solvers.bcd.partitions.Partition` (a padded index matrix), so one selection
costs O(n) array work with no Python loop over blocks. With a nonsmooth penalty the smooth
rules use the distance of ``-grad_i`` to the subdifferential (the GS-s generalization).
"""
from __future__ import annotations

import numpy as np

GREEDY = ("gs", "gsl", "gsd", "gsq", "gs-s", "gs-r", "gs-q")
RANDOMIZED = ("cyclic", "random", "lipschitz")
RULES = RANDOMIZED + GREEDY


def subdiff_dist(g, x, grad, xp):
    """Per-coordinate distance of ``-grad`` to the subdifferential of ``g`` (|grad| if None)."""
    if g is None:
        return xp.abs(grad)
    return xp.asarray(g.subdiff_distance(x, grad))


def _padded(vec, index, xp, fill=0.0):
    idx = xp.asarray(index)
    safe = xp.where(idx >= 0, idx, 0)
    out = vec[safe]
    return xp.where(idx >= 0, out, fill)


def prox_step_vec(g, v, step, xp):
    """``prox_{step g}(v)`` for a sub-vector of a separable penalty (``step`` scalar or array)."""
    if g is None:
        return v
    params = getattr(g, "cd_params", None)
    if params is not None:
        l1, l2, pos = params
        t = step * l1
        r = xp.sign(v) * xp.maximum(xp.abs(v) - t, 0.0)
        if pos:
            r = xp.maximum(r, 0.0)
        return r / (1.0 + step * l2)
    exact = getattr(g, "prox_global", None)
    if exact is not None:
        # SCAD / MCP: the global minimizer for any step, also above max_step, where the
        # coordinate problem is nonconvex (a curvature below the penalty's concavity)
        return exact(v, step)
    if np.ndim(step) == 0:
        return g.prox(v, step)
    return xp.asarray([g.prox_1d(float(vi), float(si)) for vi, si in zip(v, step)])


def quad_model_decrease(g, x, grad, L, xp):
    """Per-coordinate decrease of ``grad d + L d^2 / 2 + g(x + d) - g(x)`` at the prox step."""
    Ls = xp.where(L > 0, L, 1.0)
    t = prox_step_vec(g, x - grad / Ls, 1.0 / Ls, xp)
    d = t - x
    pen = 0.0 if g is None else _sep_value(g, t, xp) - _sep_value(g, x, xp)
    dec = xp.maximum(-(grad * d + 0.5 * L * d * d + pen), 0.0)
    params = (0.0, 0.0, False) if g is None else getattr(g, "cd_params", None)
    same = (t != 0) & ((x == 0) | ((x > 0) == (t > 0)))
    if params is not None:
        # same orthant (t != 0): the model is quadratic with curvature L + l2 and the decrease
        # is (L + l2) d^2 / 2 exactly, free of the cancellation in the direct formula
        dec = xp.where(same, 0.5 * (L + params[1]) * d * d, dec)
    elif getattr(g, "piece_curvature", None) is not None:
        # SCAD / MCP: the same within one quadratic piece of the penalty, with curvature
        # L + p'' (as the compiled kernels score it)
        px, cx = g.piece_curvature(xp.abs(x))
        pt, _ = g.piece_curvature(xp.abs(t))
        exact = same & (px == pt) & (L + cx > 0)
        dec = xp.where(exact, 0.5 * (L + cx) * d * d, dec)
    return xp.where(L > 0, dec, 0.0), xp.abs(d)



def _sep_value(g, v, xp):
    params = getattr(g, "cd_params", None)
    if params is not None:
        l1, l2, _ = params
        return l1 * xp.abs(v) + 0.5 * l2 * v * v
    elementwise = getattr(g, "elementwise_value", None)
    if elementwise is not None:
        return elementwise(v)
    return xp.asarray([g.value(xp.asarray([vi])) for vi in v])


def coordinate_scores(rule, g, x, grad, L, d, xp):
    """Score of every coordinate under a greedy rule (for variable blocks: top-k of these)."""
    dist = subdiff_dist(g, x, grad, xp)
    if rule in ("gs", "gs-s"):
        return dist
    if rule == "gsl":
        return xp.where(L > 0, dist * dist / xp.where(L > 0, L, 1.0), 0.0)
    if rule == "gsd":
        return xp.where(d > 0, dist * dist / xp.where(d > 0, d, 1.0), 0.0)
    if rule == "gs-r":
        return quad_model_decrease(g, x, grad, L, xp)[1]
    # gsq / gs-q on single coordinates: decrease of the coordinate model
    return quad_model_decrease(g, x, grad, L, xp)[0]


def block_scores(rule, part, g, x, grad, L, d, Lb, Mb_inv, xp):
    """Score of every block of a fixed partition.

    GS: ``||s_b||^2`` with ``s`` the subdifferential distances; GSL: ``||s_b||^2 / L_b``; GSD:
    ``sum_b s_i^2 / d_i``; GSQ (smooth): ``grad_b^T M_b^{-1} grad_b``, and with a penalty the
    separable bound ``sum_b`` of coordinate model decreases under ``d_i``; GS-s:
    ``||s_b||^2``; GS-r: ``||x_b - prox(x_b - grad_b / L_b)||^2``; GS-q: the decrease of the
    block's gradient-step model with ``L_b``.
    """
    index = part.index
    dist = subdiff_dist(g, x, grad, xp)
    if rule in ("gs", "gs-s", "gsl"):
        s = (_padded(dist, index, xp) ** 2).sum(axis=1)
        return s / Lb if rule == "gsl" else s
    if rule == "gsd":
        dd = xp.where(d > 0, dist * dist / xp.where(d > 0, d, 1.0), 0.0)
        return _padded(dd, index, xp).sum(axis=1)
    if rule == "gsq" and g is None and Mb_inv is not None:
        G = _padded(grad, index, xp)
        return xp.einsum("bi,bij,bj->b", G, Mb_inv, G)
    Lc = Lb[xp.asarray(part.block_of)]
    if rule == "gsq":
        # single coordinates: M_b = L_i; larger blocks with a penalty: the separable bound d
        dec, _ = quad_model_decrease(g, x, grad, Lc if index.shape[1] == 1 else d, xp)
        return _padded(dec, index, xp).sum(axis=1)
    dec, step = quad_model_decrease(g, x, grad, Lc, xp)
    if rule == "gs-r":
        return (_padded(step, index, xp) ** 2).sum(axis=1)
    return _padded(dec, index, xp).sum(axis=1)
