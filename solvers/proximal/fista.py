"""FISTA: accelerated proximal gradient, with backtracking and adaptive restart.

x_{k+1} = prox_{g/L}(y_k - grad f(y_k) / L),  t_{k+1} = (1 + sqrt(1 + 4 t_k^2)) / 2,
y_{k+1} = x_{k+1} + (t_k - 1) / t_{k+1} (x_{k+1} - x_k).
Rate: F(x_k) - F* <= 2 L ||x_0 - x*||^2 / (k + 1)^2 (A. Beck and M. Teboulle, SIAM J.
Imaging Sci. 2(1), 2009, Theorem 4.4). Adaptive restart resets the momentum (t = 1, y = x)
when the objective increases ("function") or when the momentum points against the
prox-gradient step, (y_k - x_{k+1})^T (x_{k+1} - x_k) > 0 ("gradient"), which recovers linear
convergence under strong convexity without knowing its modulus (B. O'Donoghue and
E. Candès, "Adaptive restart for accelerated gradient schemes", Found. Comput. Math. 15, 2015).
"""
from __future__ import annotations

import math

import numpy as np

from ..core.linesearch import prox_backtracking
from ..core.monitor import Monitor
from ..core.result import LINESEARCH_FAILED
from ..core.validation import check_option, check_scalar
from ._common import (
    finish_x, initial_lipschitz, make_evaluators, make_measure, penalty_value, setup,
)


_EPS = float(np.finfo(float).eps)


def _dot(a, b):
    return float((a * b).sum())


def fista(f, g=None, x0=None, *, step="auto", L0=None, eta=2.0, restart="gradient",
          monotone=False, measure="auto", tol=1e-6, max_iter=1000, callback=None,
          verbose=False, backend="auto"):
    """Minimize ``f(x) + g(x)`` by FISTA with optional adaptive restart.

    Parameters
    ----------
    f : smooth part
        Needs ``value`` and ``grad``; ``lipschitz`` is used by ``step="auto"``.
    g : penalty, optional
        Needs ``prox`` and ``value``; None gives Nesterov's accelerated gradient.
    x0 : array, optional
        Starting point (default zeros). Never modified.
    step : "auto", "backtracking" or float, default "auto"
        As in :func:`solvers.prox_grad`.
    L0 : float, optional
        First curvature estimate for backtracking.
    eta : float, default 2.0
        Backtracking increase factor (> 1).
    restart : {"gradient", "function", None}, default "gradient"
        Adaptive restart scheme of O'Donoghue and Candès; None is plain FISTA with the
        O(1/k^2) guarantee. With a weakly convex penalty (SCAD, MCP) "function" restart or
        ``monotone=True`` keep the objective from oscillating.
    monotone : bool, default False
        Monotone FISTA (MFISTA, Beck and Teboulle 2009, section V): the new iterate is the
        prox point only when it does not increase ``F``, otherwise the previous iterate is
        kept, and the momentum is built from both (same O(1/k^2) rate in the convex case;
        ``F(x_k)`` is non-increasing, which suits nonconvex penalties). Steps for SCAD and
        MCP are kept below their prox bound ``g.max_step``.
    measure : {"auto", "gap", "prox_grad_norm"}, default "auto"
        The duality gap at ``x_k`` when available; otherwise the norm of the prox-gradient
        mapping at the extrapolated point, ``L ||y_k - x_{k+1}||`` (the usual FISTA test,
        computed without extra gradients).
    tol : float, default 1e-6
        Stop when the measure is <= tol.
    max_iter : int, default 1000
    callback : callable, optional
        ``callback(intermediate_result)``; raise StopIteration to stop.
    verbose : bool, default False
    backend : {"auto", "cpu", "gpu"}, default "auto"

    Returns
    -------
    Result
        ``history`` has columns objective, measure, time, nfev, njev, L and restart
        (1 where the momentum was reset); ``n_restarts`` counts the resets.

    References
    ----------
    A. Beck, M. Teboulle, SIAM J. Imaging Sciences 2(1), 2009.
    B. O'Donoghue, E. Candès, Foundations of Computational Mathematics 15, 2015.

    Examples
    --------
    >>> import numpy as np, problems, solvers
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.standard_normal((50, 10)), rng.standard_normal(50)
    >>> res = solvers.fista(problems.LeastSquares(X, y), problems.L1(0.1), tol=1e-10)
    >>> res.success
    True
    """
    tol = check_scalar(tol, "tol", lower=0.0)
    max_iter = check_scalar(max_iter, "max_iter", lower=0, integer=True)
    eta = check_scalar(eta, "eta", lower=1.0, lower_inclusive=False)
    check_option(restart, "restart", ("gradient", "function", None))
    if not isinstance(monotone, (bool, np.bool_)):
        raise TypeError(f"monotone must be True or False, got {monotone!r}")
    bk, f, x, measure, on_gpu = setup(f, g, x0, backend, measure)
    value_and_grad, evaluate = make_evaluators(f, measure)
    meas = make_measure(measure, f, g)
    gap = measure == "gap"

    fy, gy, theta = evaluate(x)
    nfev = njev = 1
    L, backtrack = initial_lipschitz(f, x, gy, step, L0, g)
    F = fy + penalty_value(g, x)
    mon = Monitor("fista", tol=tol, max_iter=max_iter, measure_name=measure,
                  callback=callback, verbose=verbose, to_host=bk.to_host)
    m = meas(x, F, gy, L, theta)
    stop = mon.record(0, x, F, m, nfev=nfev, njev=njev, L=L, restart=0)
    y, t, n_restarts = x, 1.0, 0

    with np.errstate(over="ignore", invalid="ignore"):  # divergence ends with a status
        for k in range(1, max_iter + 1):
            if stop:
                break
            if backtrack:
                x_new, fx_new, L, n_ev, ok = prox_backtracking(f, g, y, fy, gy, L, eta=eta)
                nfev += n_ev
                if not ok:
                    mon.stop_with(LINESEARCH_FAILED)
                    break
            else:
                z = y - gy / L
                x_new = g.prox(z, 1.0 / L) if g is not None else z
                fx_new = None
            step_vec = x_new - x
            gx_new = None
            if gap:  # the gap needs grad f(x_{k+1})
                fx_new, gx_new, theta = evaluate(x_new)
                nfev += 1
                njev += 1
            elif fx_new is None:
                fx_new = float(f.value(x_new))
                nfev += 1
            F_new = fx_new + penalty_value(g, x_new)
            # (an increase within rounding of F is no increase: rejecting it would freeze x)
            rejected = monotone and F_new > F + 8 * _EPS * abs(F)
            did_restart = (
                (restart == "gradient" and _dot(y - x_new, step_vec) > 0)
                or (restart == "function" and F_new > F)
            )
            if not gap:  # the prox-gradient mapping at y, also when z is rejected
                m = L * math.sqrt(_dot(y - x_new, y - x_new))
            elif not rejected:  # (a rejected z leaves x, hence its gap, unchanged)
                m = meas(x_new, F_new, gx_new, L, theta)
            if not rejected:
                x, F = x_new, F_new
            if did_restart:
                n_restarts += 1
                t, y = 1.0, x
            else:
                t_new = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t * t))
                if rejected:  # MFISTA: y = x_k + (t_k / t_{k+1}) (z_{k+1} - x_k)
                    y = x + (t / t_new) * step_vec
                else:
                    y = x + ((t - 1.0) / t_new) * step_vec
                t = t_new
            stop = mon.record(k, x, F, m, nfev=nfev, njev=njev, L=L, restart=int(did_restart))
            if stop:
                break
            if did_restart and gx_new is not None and not rejected:
                fy, gy = fx_new, gx_new
            else:
                fy, gy = value_and_grad(y)
                nfev += 1
                njev += 1

    return mon.result(finish_x(x, bk, on_gpu), F, nfev=nfev, njev=njev, n_restarts=n_restarts)
