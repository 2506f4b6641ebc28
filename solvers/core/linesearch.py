"""Backtracking line searches.

``prox_backtracking`` is the Beck-Teboulle search for proximal gradient steps: it increases the
curvature estimate L until the quadratic upper model holds at the prox step,

    f(x+) <= f(y) + <grad f(y), x+ - y> + L/2 ||x+ - y||^2,   x+ = prox_{g/L}(y - grad f(y)/L)

(A. Beck and M. Teboulle, SIAM J. Imaging Sci. 2(1), 2009, section 3). ``armijo`` is the
classical sufficient-decrease search along a descent direction (Nocedal & Wright, Alg. 3.1).
"""
from __future__ import annotations

import math

from ..backend import array_namespace


def _vdot(a, b):
    xp = array_namespace(a)
    return float(xp.vdot(a, b).real) if a.ndim > 1 else float(xp.dot(a, b))


def prox_backtracking(f, g, y, fy, grad_y, L, *, eta=2.0, max_backtracks=60, rtol=1e-12):
    """Find L with the sufficient-decrease property at the prox-gradient step from ``y``.

    Parameters
    ----------
    f : smooth part (``value``)
    g : penalty (``prox``) or None
    y : array
        Point the step starts from.
    fy : float
        ``f(y)``.
    grad_y : array
        ``grad f(y)``.
    L : float
        Initial curvature estimate (> 0).
    eta : float, default 2.0
        Factor by which L grows on each rejection.
    max_backtracks : int
        Give up (return ``ok=False``) after this many rejections.
    rtol : float
        Relative slack on the inequality that absorbs rounding errors near convergence.

    Returns
    -------
    x_new, f_new, L, n_evals, ok
        The accepted point, ``f`` there, the accepted L, the number of ``f.value`` calls,
        and whether the condition was met.
    """
    n_evals = 0
    for _ in range(max_backtracks + 1):
        z = y - grad_y / L
        x_new = g.prox(z, 1.0 / L) if g is not None else z
        d = x_new - y
        f_new = float(f.value(x_new))
        n_evals += 1
        model = fy + _vdot(grad_y, d) + 0.5 * L * _vdot(d, d)
        if math.isfinite(f_new) and f_new <= model + rtol * max(abs(fy), 1.0):
            return x_new, f_new, L, n_evals, True
        L *= eta
    return x_new, f_new, L, n_evals, False


def armijo(phi, phi0, dphi0, *, t0=1.0, c1=1e-4, shrink=0.5, max_backtracks=60):
    """Backtracking Armijo search for ``phi(t) <= phi0 + c1 t dphi0``.

    Parameters
    ----------
    phi : callable
        ``phi(t) = F(x + t d)``.
    phi0, dphi0 : float
        ``phi(0)`` and the directional derivative ``phi'(0)`` (must be < 0).
    t0 : float
        First trial step.
    c1 : float
        Sufficient-decrease constant in (0, 1).
    shrink : float
        Step reduction factor in (0, 1).

    Returns
    -------
    t, phi_t, n_evals, ok
    """
    if not dphi0 < 0:
        raise ValueError(f"armijo needs a descent direction (phi'(0) < 0), got {dphi0}")
    t = t0
    for k in range(max_backtracks + 1):
        val = float(phi(t))
        if math.isfinite(val) and val <= phi0 + c1 * t * dphi0:
            return t, val, k + 1, True
        t *= shrink
    return t, val, max_backtracks + 1, False
