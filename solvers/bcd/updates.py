"""Block update rules (Nutini, Laradji, Schmidt, JMLR 2022, §4): gradient step ``1/L_b``,
matrix step with a fixed curvature bound ``M_b``, Newton step with the block Hessian and an
Armijo line search, and exact block minimization of quadratics (by message passing when the
block is a forest of the dependency graph).
"""
from __future__ import annotations

import numpy as np

from ..backend._select import to_host as _to_host
from . import _kernels as K
from .rules import prox_step_vec

UPDATES = ("gradient", "matrix", "newton", "exact")




def model_solve(M, grad_b, x_b, g, xp, *, tol=0.0):
    """Minimize ``grad_b^T d + d^T M d / 2 + g(x_b + d)`` over ``d``; return ``d``.

    Smooth case: one linear solve. Separable penalties with ``cd_params``: greedy coordinate
    descent on the (small) block model until no coordinate step changes it (or its
    subdifferential distances are <= ``tol``); other penalties: proximal gradient on the model.
    """
    if g is None:
        return xp.linalg.solve(M, -grad_b)
    params = getattr(g, "cd_params", None)
    Mh = np.ascontiguousarray(_to_host(M), dtype=np.float64)
    gh = np.array(_to_host(grad_b), dtype=np.float64)
    xh = np.array(_to_host(x_b), dtype=np.float64)
    if params is not None:
        l1, l2, pos = params
        scale = max(float(np.abs(gh).max()), 1.0)
        xw = xh.copy()
        K.gram_greedy_cd(Mh, gh, xw, np.abs(Mh).sum(axis=1), K.convex_penalty(l1, l2, pos),
                         K.RULE_CODES["gs-q"], tol * scale, 1000 * xh.size + 1000)
        return xp.asarray(xw - xh)
    step = 1.0 / max(float(np.linalg.eigvalsh(Mh)[-1]), np.finfo(float).tiny)
    if xh.size == 1:  # one coordinate: a single prox step minimizes the model exactly
        return prox_step_vec(g, xp.asarray(xh - step * gh), step, xp) - xp.asarray(xh)
    u = xh.copy()
    for _ in range(500):
        u = np.asarray(_to_host(prox_step_vec(g, xp.asarray(u - step * (gh + Mh @ (u - xh))),
                                              step, xp)))
    return xp.asarray(u - xh)


def gradient_step(g, x_b, grad_b, Lb, xp):
    """``prox_{g / L_b}(x_b - grad_b / L_b) - x_b``."""
    return prox_step_vec(g, x_b - grad_b / Lb, 1.0 / Lb, xp) - x_b


def penalty_change(g, x_b, delta, xp):
    if g is None:
        return 0.0
    params = getattr(g, "cd_params", None)
    if params is not None:
        l1, l2, _ = params
        new, old = x_b + delta, x_b
        return float(l1 * (xp.abs(new).sum() - xp.abs(old).sum())
                     + 0.5 * l2 * ((new * new).sum() - (old * old).sum()))
    return float(g.value(x_b + delta)) - float(g.value(x_b))


def armijo_block(oracle, g, b, x_b, grad_b, delta, f0, xp, *, sigma=1e-4, beta=0.5,
                 max_halvings=40):
    """Backtracking on ``F`` along ``delta`` for block ``b`` with the proximal-Newton
    decrease ``grad_b^T delta + g(x_b + delta) - g(x_b)``. Returns ``(t, n_evals)``."""
    dec = float(grad_b @ delta) + penalty_change(g, x_b, delta, xp)
    t = 1.0
    for k in range(max_halvings):
        ft = oracle.value_at(b, t * delta) + penalty_change(g, x_b, t * delta, xp)
        if ft <= f0 + sigma * t * min(dec, 0.0):
            return t, k + 1
        t *= beta
    return 0.0, max_halvings
