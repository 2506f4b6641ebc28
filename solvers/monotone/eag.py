"""Extra-anchored gradient (EAG) method with constant step (EAG-C).

    z_{k+1/2} = Proj_C(z_k + beta_k (z_0 - z_k) - alpha F(z_k))
    z_{k+1}   = Proj_C(z_k + beta_k (z_0 - z_k) - alpha F(z_{k+1/2})),   beta_k = 1/(k+2)

T. Yoon and E. K. Ryu, "Accelerated algorithms for smooth convex-concave minimax problems
with O(1/k^2) rate on squared gradient norm", ICML 2021: for monotone L-Lipschitz F and
alpha in (0, 1/(8L)], ||F(z_k)||^2 <= 4 (1 + alpha L + alpha^2 L^2) ||z_0 - z*||^2 /
(alpha^2 (k+1)^2) (unconstrained; the projected form is the one used as a baseline by
Cai, Alacaoglu & Diakonikolas, ICLR 2024).
"""
from __future__ import annotations

import numpy as np

from ..core.monitor import Monitor
from ._common import (
    MEASURE_NAME, Oracle, check_step, finish, natural_residual, operator_constant, record,
    setup,
)


def eag(op, x0=None, *, step=None, tol=1e-6, max_iter=1000, callback=None, verbose=False,
        backend="auto"):
    """Solve ``0 in F(x) + N_C(x)`` by the extra-anchored gradient method (EAG-C).

    Parameters
    ----------
    op : finite-sum operator
        Needs ``n_components``, ``dim``, ``full``; ``lipschitz`` for the default step;
        optional ``project`` (Proj_C) and ``x0``.
    x0 : array, optional
        Starting point and anchor ``z_0`` (default ``op.x0``, else zeros). Never modified.
    step : float, optional
        ``alpha``; default ``1 / (8 op.lipschitz)``, the EAG-C step of Yoon & Ryu (2021).
    tol : float, default 1e-6
        Stop when the natural residual at the current iterate is <= tol.
    max_iter : int, default 1000
    callback : callable, optional
    verbose : bool, default False
    backend : {"auto", "cpu", "gpu"}, default "auto"

    Returns
    -------
    Result
        ``x`` is the last iterate ``z_k``; ``measure`` its natural residual
        ``||z_k - Proj_C(z_k - F(z_k))||`` (``||F(z_k)||`` unconstrained, O(1/k)). Two full
        evaluations per iteration; the measure reuses F(z_k), so only the returned
        iterate's evaluation is extra (``n_measure_evals``). History columns: measure,
        nfev, epochs, time.

    References
    ----------
    T. Yoon, E. K. Ryu, ICML 2021, Theorem 1 (EAG-C).
    """
    step = check_step(step)
    prob, x, tol, max_iter = setup(op, x0, backend=backend, tol=tol, max_iter=max_iter,
                                   callback=callback)
    alpha = step if step is not None else 1.0 / (8.0 * operator_constant(op, "lipschitz"))
    oracle = Oracle(prob)
    mon = Monitor("eag", tol=tol, max_iter=max_iter, measure_name=MEASURE_NAME,
                  callback=callback, verbose=verbose, to_host=prob.bk.to_host)
    anchor = x.copy()
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(max_iter + 1):
            Fx = oracle.peek_full(x)
            stop = record(mon, oracle, k, x, natural_residual(prob, x, Fx))
            if stop or k == max_iter:
                oracle.charge_measure()
                break
            oracle.charge()
            base = x + (anchor - x) / (k + 2)
            half = prob.project(base - alpha * Fx)
            x = prob.project(base - alpha * oracle.full(half))
    return finish(mon, prob, oracle, x, step=alpha)
