"""Deterministic Halpern iteration for monotone inclusions 0 in F(x) + G(x).

Halpern's anchored fixed-point iteration x_{k+1} = lambda_k x_0 + (1 - lambda_k) T(x_k),
lambda_k = 1/(k+2), applied to a nonexpansive T whose fixed points are the solutions:

* cocoercive F: T(x) = Proj_C(x - eta F(x)) (forward-backward operator), nonexpansive for
  eta <= 2/L_c; default eta = 1/L_c.
* monotone Lipschitz F: T = J_{eta(F+G)}, the resolvent, computed inexactly (Diakonikolas
  2020, inexact Halpern on the resolvent) by the fixed-point iteration
  v <- Proj_C(u - eta F(v)), a contraction with factor eta L < 1 whose fixed point is
  J_{eta(F+G)}(u).

Rate: ||x_k - T(x_k)|| <= 2 ||x_0 - x*|| / (k+1) for exact T (F. Lieder, "On the
convergence rate of the Halpern-iteration", Optim. Lett. 15:405-418, 2021, Thm 2.1), hence an
O(1/k) natural residual.
"""
from __future__ import annotations

import math

import numpy as np

from ..core.monitor import Monitor
from ..core.validation import check_scalar
from ._common import (
    MEASURE_NAME, Oracle, Restarter, check_restart, check_step, cocoercivity_or_raise,
    finish, natural_residual, operator_constant, record, resolve_variant, setup,
)


def _inner_count(k, contraction, inner_iter):
    """Fixed-point steps for the k-th resolvent: enough for the error to shrink by
    (k+2)^-2 relative to ||u - J(u)||, i.e. ceil(2 log(k+2) / log(1/(eta L)))."""
    if inner_iter is not None:
        return inner_iter
    return max(1, math.ceil(2.0 * math.log(k + 2) / -math.log(contraction)))


def halpern(op, x0=None, *, variant="auto", step=None, inner_iter=None, restart=None,
            restart_factor=0.2, tol=1e-6, max_iter=1000, callback=None, verbose=False,
            backend="auto"):
    """Solve ``0 in F(x) + G(x)`` by Halpern's anchored iteration (deterministic).

    The iteration is ``x_{k+1} = lambda_k x_a + (1 - lambda_k) T(x_k)`` with anchor
    ``x_a = x_0`` (moved by restarts) and ``lambda_k = 1/(k+2)``, ``k`` counted from the
    last restart. ``T`` depends on ``variant``:

    ``"cocoercive"``
        ``T(x) = Proj_C(x - eta F(x))``, nonexpansive when F is (1/L_c)-cocoercive and
        ``eta <= 2/L_c``. Default ``eta = 1 / op.cocoercivity``. One full evaluation of F
        per iteration.
    ``"lipschitz"``
        ``T = J_{eta(F+G)}`` (the resolvent; firmly nonexpansive for any monotone F),
        approximated at ``u = x_k`` by ``M_k`` steps of ``v <- Proj_C(u - eta F(v))`` from
        ``v = u``. That map is a contraction with factor ``eta L`` (``L = op.lipschitz``)
        whose fixed point is ``J_{eta(F+G)}(u)``; the default
        ``M_k = ceil(2 log(k+2) / log(1/(eta L)))`` makes the error at most
        ``(k+2)^-2 ||u - J(u)||``, so the errors are summable in Halpern's analysis (inexact
        Halpern on the resolvent: J. Diakonikolas, COLT 2020). Default ``eta = 1/(2L)``
        (contraction 1/2); ``eta`` must be ``< 1/L``. ``M_k`` full evaluations per
        iteration.

    Parameters
    ----------
    op : finite-sum operator
        Needs ``n_components``, ``dim``, ``full``; ``cocoercivity`` (cocoercive variant) or
        ``lipschitz`` (Lipschitz variant) for the default step; optional ``project`` (Proj_C;
        None or absent: unconstrained) and ``x0``.
    x0 : array, optional
        Starting point and first anchor (default ``op.x0``, else zeros). Never modified.
    variant : {"auto", "cocoercive", "lipschitz"}, default "auto"
        ``"auto"``: cocoercive when ``op.cocoercivity`` is not None, else Lipschitz.
    step : float, optional
        ``eta`` above (default from the operator's constants).
    inner_iter : int, optional
        Fixed number of resolvent steps per iteration (Lipschitz variant); default the
        ``M_k`` schedule above.
    restart : {None, "adaptive"}, default None
        ``"adaptive"``: when the natural residual at ``x_k`` has fallen to
        ``restart_factor`` times its value at the current anchor, the anchor moves to
        ``x_k`` and ``lambda`` restarts at 1/2. With an exact nonexpansive T, Halpern
        iterates never leave the ball ``B(x*, ||x_a - x*||)`` around any solution ``x*``,
        so every new anchor is at least as close to ``x*`` as ``x_0`` and, after the last
        restart at iteration t, ``||x_k - T x_k|| <= 2 ||x_0 - x*|| / (k - t + 1)``: the
        worst-case O(1/k) bound is kept (with twice the constant once k >= 2t), and
        restarts happen only after a fixed-factor decrease of the residual. On sharp
        problems (strongly monotone F, or a residual
        error bound such as polyhedral / LP-type problems), ``||x_a - x*|| <= c r(x_a)``
        makes the residual fall by ``restart_factor`` within a bounded number of
        iterations, so the restarted method converges linearly.
    restart_factor : float in (0, 1), default 0.2
        Sufficient-decay factor of the adaptive restart.
    tol : float, default 1e-6
        Stop when the natural residual at the current iterate is <= tol.
    max_iter : int, default 1000
        Iteration budget.
    callback : callable, optional
        ``callback(intermediate_result)`` after each recorded iteration.
    verbose : bool, default False
        Show a progress bar.
    backend : {"auto", "cpu", "gpu"}, default "auto"
        Where to compute; "auto" follows ``x0`` and the operator.

    Returns
    -------
    Result
        ``x`` is the last iterate ``x_k``; ``measure`` its natural residual
        ``||x_k - Proj_C(x_k - F(x_k))||`` (``||F(x_k)||`` unconstrained), the quantity
        ``tol`` applies to. ``nfev`` counts component evaluations the method used (one full
        evaluation = n); the F(x_k) that the measure needs is the one the next step uses,
        so the measure costs nothing except at the returned iterate, whose evaluation is
        reported in ``n_measure_evals`` instead. ``fun`` is NaN (no objective). History
        columns: measure, nfev, epochs (nfev / n), time, restart (1 where the anchor
        moved). Extra fields: ``epochs``, ``restarts``, ``step``, ``variant``.

    References
    ----------
    B. Halpern, "Fixed points of nonexpanding maps", Bull. AMS 73:957-961, 1967.
    F. Lieder, Optim. Lett. 15:405-418, 2021.
    J. Diakonikolas, "Halpern iteration for near-optimal and parameter-free monotone
    inclusion and strong solutions to variational inequalities", COLT 2020.

    Examples
    --------
    >>> import numpy as np, solvers
    >>> class Rotation:  # F(x) = A x with A skew: monotone, 1-Lipschitz, not cocoercive
    ...     n_components, dim, lipschitz, cocoercivity = 1, 2, 1.0, None
    ...     A = np.array([[0.0, 1.0], [-1.0, 0.0]])
    ...     def full(self, x): return self.A @ x
    ...     def batch(self, idx, x): return self.A @ x
    >>> res = solvers.halpern(Rotation(), np.ones(2), tol=1e-3, max_iter=10_000)
    >>> res.success
    True
    """
    restart, restart_factor = check_restart(restart, restart_factor)
    variant = resolve_variant(variant, op)
    step = check_step(step)
    prob, x, tol, max_iter = setup(op, x0, backend=backend, tol=tol, max_iter=max_iter,
                                   callback=callback)
    if inner_iter is not None:
        inner_iter = check_scalar(inner_iter, "inner_iter", lower=1, integer=True)

    if variant == "cocoercive":
        Lc = cocoercivity_or_raise(op, step, "halpern")
        eta = step if step is not None else 1.0 / Lc
        if Lc is not None and eta > 2.0 / Lc * (1 + 1e-12):
            raise ValueError(f"step must be <= 2 / op.cocoercivity = {2.0 / Lc:.6g} for "
                             f"x - step F(x) to be nonexpansive; got {eta:.6g}")
        contraction = None
    else:
        L = operator_constant(op, "lipschitz", required=step is None or inner_iter is None)
        eta = step if step is not None else 0.5 / L
        contraction = None if L is None else eta * L
        if contraction is not None and contraction >= 1.0 - 1e-9:
            raise ValueError(
                f"step must be < 1 / op.lipschitz = {1.0 / L:.6g} in the Lipschitz variant "
                f"(the resolvent's fixed-point iteration contracts by step * lipschitz); "
                f"got {eta:.6g}"
            )

    oracle = Oracle(prob)
    restarter = Restarter(restart, restart_factor)
    mon = Monitor("halpern", tol=tol, max_iter=max_iter, measure_name=MEASURE_NAME,
                  callback=callback, verbose=verbose, to_host=prob.bk.to_host)
    anchor = x.copy()
    j = 0  # iterations since the last restart
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(max_iter + 1):
            Fx = oracle.peek_full(x)
            meas = natural_residual(prob, x, Fx)
            moved = (0 < k < max_iter and meas > tol and restarter.should_restart(meas))
            stop = record(mon, oracle, k, x, meas, restart=int(moved))
            if k == 0:
                restarter.set_anchor(meas)
            if stop or k == max_iter:
                oracle.charge_measure()
                break
            oracle.charge()
            if moved:
                anchor = x.copy()
                j = 0
            lam = 1.0 / (j + 2)
            if variant == "cocoercive":
                Tx = prob.project(x - eta * Fx)
            else:
                v = prob.project(x - eta * Fx)
                for _ in range(_inner_count(j, contraction, inner_iter) - 1):
                    v = prob.project(x - eta * oracle.full(v))
                Tx = v
            x = lam * anchor + (1.0 - lam) * Tx
            j += 1

    return finish(mon, prob, oracle, x, restarts=restarter.count, step=eta, variant=variant)
