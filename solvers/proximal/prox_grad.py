"""Proximal gradient method (ISTA / forward-backward splitting) with backtracking.

x_{k+1} = prox_{g/L}(x_k - grad f(x_k) / L), with L fixed at the Lipschitz constant of
grad f or found by the Beck-Teboulle backtracking search. Rate: F(x_k) - F* <= L ||x_0 - x*||^2
/ (2k) for convex f and g, linear under strong convexity (A. Beck and M. Teboulle, "A fast
iterative shrinkage-thresholding algorithm for linear inverse problems", SIAM J. Imaging Sci.
2(1):183-202, 2009, Theorem 3.1).
"""
from __future__ import annotations

import numpy as np

from ..core.linesearch import prox_backtracking
from ..core.monitor import Monitor
from ..core.result import LINESEARCH_FAILED
from ..core.validation import check_scalar
from ._common import (
    finish_x, initial_lipschitz, make_evaluators, make_measure, penalty_value, setup,
)


def prox_grad(f, g=None, x0=None, *, step="auto", L0=None, eta=2.0, measure="auto",
              tol=1e-6, max_iter=1000, callback=None, verbose=False, backend="auto"):
    """Minimize ``f(x) + g(x)`` by the proximal gradient method.

    Parameters
    ----------
    f : smooth part
        Needs ``value`` and ``grad`` (``value_and_grad`` is used when present); ``lipschitz``
        is used by ``step="auto"``.
    g : penalty, optional
        Needs ``prox`` and ``value``; None means plain gradient descent.
    x0 : array, optional
        Starting point (default zeros of ``f.shape``). Never modified.
    step : "auto", "backtracking" or float, default "auto"
        ``"auto"``: fixed step ``1 / f.lipschitz`` when ``f`` has it, else backtracking.
        ``"backtracking"``: Beck-Teboulle backtracking on L (non-decreasing).
        A float: a fixed step size.
    L0 : float, optional
        First curvature estimate for backtracking (default: a secant estimate at ``x0``).
    eta : float, default 2.0
        Factor by which backtracking increases L (> 1).
    measure : {"auto", "gap", "prox_grad_norm"}, default "auto"
        Optimality measure that ``tol`` applies to: the Fenchel duality gap when ``f`` and
        ``g`` provide one ("auto" picks it then), else the norm of the prox-gradient mapping
        ``L ||x - prox_{g/L}(x - grad f(x)/L)||``.
    tol : float, default 1e-6
        Stop when the measure is <= tol.
    max_iter : int, default 1000
        Iteration budget.
    callback : callable, optional
        ``callback(intermediate_result)`` after each iteration; raise StopIteration to stop.
    verbose : bool, default False
        Show a progress bar with the measure.
    backend : {"auto", "cpu", "gpu"}, default "auto"
        Where to compute; "auto" follows the data.

    Returns
    -------
    Result
        With ``history`` columns objective, measure, time, nfev, njev, L.

    References
    ----------
    A. Beck, M. Teboulle, SIAM J. Imaging Sciences 2(1), 2009.

    Examples
    --------
    >>> import numpy as np, problems, solvers
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.standard_normal((50, 10)), rng.standard_normal(50)
    >>> res = solvers.prox_grad(problems.LeastSquares(X, y), problems.L1(0.1), tol=1e-10)
    >>> res.success
    True
    """
    tol = check_scalar(tol, "tol", lower=0.0)
    max_iter = check_scalar(max_iter, "max_iter", lower=0, integer=True)
    eta = check_scalar(eta, "eta", lower=1.0, lower_inclusive=False)
    bk, f, x, measure, on_gpu = setup(f, g, x0, backend, measure)
    _, evaluate = make_evaluators(f, measure)

    fx, gx, theta = evaluate(x)
    nfev = njev = 1
    L, backtrack = initial_lipschitz(f, x, gx, step, L0, g)
    meas = make_measure(measure, f, g)
    F = fx + penalty_value(g, x)
    mon = Monitor("prox_grad", tol=tol, max_iter=max_iter, measure_name=measure,
                  callback=callback, verbose=verbose, to_host=bk.to_host)
    stop = mon.record(0, x, F, meas(x, F, gx, L, theta), nfev=nfev, njev=njev, L=L)

    with np.errstate(over="ignore", invalid="ignore"):  # divergence ends with a status
        for k in range(1, max_iter + 1):
            if stop:
                break
            if backtrack:
                x_new, _, L, n_ev, ok = prox_backtracking(f, g, x, fx, gx, L, eta=eta)
                nfev += n_ev
                if not ok:
                    mon.stop_with(LINESEARCH_FAILED)
                    break
            else:
                z = x - gx / L
                x_new = g.prox(z, 1.0 / L) if g is not None else z
            x = x_new
            fx, gx, theta = evaluate(x)
            nfev += 1
            njev += 1
            F = fx + penalty_value(g, x)
            stop = mon.record(k, x, F, meas(x, F, gx, L, theta), nfev=nfev, njev=njev, L=L)

    return mon.result(finish_x(x, bk, on_gpu), F, nfev=nfev, njev=njev)
