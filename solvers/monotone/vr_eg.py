"""Variance-reduced extragradient (loopless), Alacaoglu & Malitsky (COLT 2022).

    xbar_k    = alpha x_k + (1 - alpha) w_k
    x_{k+1/2} = Proj_C(xbar_k - tau F(w_k))
    x_{k+1}   = Proj_C(xbar_k - tau [F(w_k) + mean_{i in S_k}(F_i(x_{k+1/2}) - F_i(w_k))])
    w_{k+1}   = x_{k+1} with probability p, else w_k

with alpha = 1 - p and tau = gamma sqrt(p) / L, gamma in (0, 1) (A. Alacaoglu and
Y. Malitsky, "Stochastic variance reduction for variational inequality methods", COLT 2022,
Algorithm 1), for F monotone and Lipschitz on average with constant L.
"""
from __future__ import annotations

import math

import numpy as np

from ..core.monitor import Monitor
from ..core.validation import check_scalar
from ._common import (
    MEASURE_NAME, Checkpoints, Oracle, check_batch_size, check_max_epochs, check_step,
    finish, make_rng, natural_residual, operator_constant, record, setup,
)


def vr_eg(op, x0=None, *, step=None, batch_size=1, p=None, check_every=1.0, max_epochs=None,
          tol=1e-6, max_iter=100_000, random_state=None, callback=None, verbose=False,
          backend="auto"):
    """Solve ``0 in F(x) + N_C(x)`` by the loopless variance-reduced extragradient method.

    Parameters
    ----------
    op : finite-sum operator
        Needs ``n_components``, ``dim``, ``full``, ``batch``; ``lipschitz`` (average
        Lipschitz constant) for the default step; optional ``project`` and ``x0``.
    x0 : array, optional
        Starting point and first snapshot (default ``op.x0``, else zeros). Never modified.
    step : float, optional
        ``tau``; default ``0.99 sqrt(p) / op.lipschitz``.
    batch_size : int, default 1
        Size ``b`` of the i.i.d. uniform batch ``S_k`` (duplicates possible), in [1, n].
    p : float in (0, 1], optional
        Snapshot probability; default ``min(1, 2 b / n)``, so the expected snapshot cost
        ``p n`` equals the ``2 b`` evaluations of the correction term.
    check_every : float, default 1.0
        Measure every ``check_every * n`` component evaluations (and at the last iterate).
    max_epochs : float, optional
        Stop once ``nfev >= max_epochs * n``.
    tol : float, default 1e-6
        Stop when the natural residual at the current iterate is <= tol.
    max_iter : int, default 100000
    random_state : None, int or numpy.random.Generator
    callback : callable, optional
        Called at each measure evaluation.
    verbose : bool, default False
    backend : {"auto", "cpu", "gpu"}, default "auto"

    Returns
    -------
    Result
        ``x`` is the current iterate ``x_k``; ``measure`` its natural residual. ``nfev``
        counts component evaluations (snapshots n each, the correction 2b); full
        evaluations made only for the measure go to ``n_measure_evals``. History rows at
        each measure: measure, nfev, epochs, time.

    References
    ----------
    A. Alacaoglu, Y. Malitsky, COLT 2022, Algorithm 1 and Theorem 2.5.
    """
    step = check_step(step)
    max_nfev = check_max_epochs(max_epochs)
    prob, x, tol, max_iter = setup(op, x0, backend=backend, tol=tol, max_iter=max_iter,
                                   callback=callback, random_state=random_state,
                                   members=("batch",))
    n = prob.n
    b = check_batch_size(batch_size, n, 1)
    p = (min(1.0, 2.0 * b / n) if p is None else
         check_scalar(p, "p", lower=0.0, upper=1.0, lower_inclusive=False))
    tau = step if step is not None else 0.99 * math.sqrt(p) / operator_constant(op, "lipschitz")
    alpha = 1.0 - p
    max_nfev *= n
    checks = Checkpoints(check_every, n)
    rng = make_rng(random_state)
    oracle = Oracle(prob)
    mon = Monitor("vr_eg", tol=tol, max_iter=max_iter, measure_name=MEASURE_NAME,
                  callback=callback, verbose=verbose, to_host=prob.bk.to_host)

    w, Fw = x, oracle.peek_full(x)
    snapshot_is_x = True  # F(x_k) is known (= Fw), so the measure is free
    hit = False
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(max_iter + 1):
            hit = oracle.nfev >= max_nfev
            final = hit or k == max_iter
            if final or checks.due(oracle.nfev):
                Fx = Fw if snapshot_is_x else oracle.peek_full(x)
                stop = record(mon, oracle, k, x, natural_residual(prob, x, Fx))
                checks.done(oracle.nfev)
                if not snapshot_is_x:
                    oracle.charge_measure()
                if stop or final:
                    if k == 0:
                        oracle.charge_measure()
                    break
            if k == 0:
                oracle.charge()  # the first snapshot F(w_0) = F(x_0)
            idx = rng.integers(0, n, size=b)
            xbar = alpha * x + p * w if alpha > 0 else w
            half = prob.project(xbar - tau * Fw)
            x = prob.project(xbar - tau * (Fw + oracle.batch_diff(idx, half, w)))
            snapshot_is_x = False
            if rng.random() < p:
                w, Fw = x, oracle.full(x)
                snapshot_is_x = True
    return finish(mon, prob, oracle, x, max_epochs_hit=hit and mon.status == 1,
                  max_epochs=max_epochs, step=tau, batch_size=b, p=p)
