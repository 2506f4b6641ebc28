"""Korpelevich's extragradient method for monotone inclusions 0 in F(x) + N_C(x).

    y_k     = Proj_C(x_k - eta F(x_k))
    x_{k+1} = Proj_C(x_k - eta F(y_k))

converges for monotone L-Lipschitz F and eta < 1/L (G. M. Korpelevich, "The extragradient
method for finding saddle points and other problems", Ekonomika i Matematicheskie Metody
12:747-756, 1976); the last iterate's residual decays as O(1/sqrt(k)) (E. Gorbunov,
N. Loizou, G. Gidel, "Extragradient method: O(1/K) last-iterate convergence for monotone
variational inequalities and connections with cocoercivity", AISTATS 2022).
"""
from __future__ import annotations

import numpy as np

from ..core.monitor import Monitor
from ._common import (
    MEASURE_NAME, Oracle, check_step, finish, natural_residual, operator_constant, record,
    setup,
)


def extragradient(op, x0=None, *, step=None, tol=1e-6, max_iter=1000, callback=None,
                  verbose=False, backend="auto"):
    """Solve ``0 in F(x) + N_C(x)`` by the (projected) extragradient method.

    Parameters
    ----------
    op : finite-sum operator
        Needs ``n_components``, ``dim``, ``full``; ``lipschitz`` for the default step;
        optional ``project`` (Proj_C) and ``x0``.
    x0 : array, optional
        Starting point (default ``op.x0``, else zeros). Never modified.
    step : float, optional
        ``eta``; default ``1 / (2 op.lipschitz)`` (the theory needs ``eta < 1/L``).
    tol : float, default 1e-6
        Stop when the natural residual at the current iterate is <= tol.
    max_iter : int, default 1000
    callback : callable, optional
    verbose : bool, default False
    backend : {"auto", "cpu", "gpu"}, default "auto"

    Returns
    -------
    Result
        ``x`` is the last iterate ``x_k`` and ``measure`` its natural residual
        ``||x_k - Proj_C(x_k - F(x_k))||``. Two full evaluations per iteration
        (``nfev = 2 n k``); the measure reuses F(x_k), which the next step needs, so only
        the returned iterate's evaluation is extra (``n_measure_evals``). History columns:
        measure, nfev, epochs, time.

    References
    ----------
    G. M. Korpelevich, 1976.
    """
    step = check_step(step)
    prob, x, tol, max_iter = setup(op, x0, backend=backend, tol=tol, max_iter=max_iter,
                                   callback=callback)
    eta = step if step is not None else 0.5 / operator_constant(op, "lipschitz")
    oracle = Oracle(prob)
    mon = Monitor("extragradient", tol=tol, max_iter=max_iter, measure_name=MEASURE_NAME,
                  callback=callback, verbose=verbose, to_host=prob.bk.to_host)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(max_iter + 1):
            Fx = oracle.peek_full(x)
            stop = record(mon, oracle, k, x, natural_residual(prob, x, Fx))
            if stop or k == max_iter:
                oracle.charge_measure()
                break
            oracle.charge()
            y = prob.project(x - eta * Fx)
            x = prob.project(x - eta * oracle.full(y))
    return finish(mon, prob, oracle, x, step=eta)
