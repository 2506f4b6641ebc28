"""Variance-reduced Halpern iteration for finite-sum monotone inclusions.

X. Cai, A. Alacaoglu, J. Diakonikolas, "Variance Reduced Halpern Iteration for Finite-Sum
Monotone Inclusions", ICLR 2024 (arXiv:2310.02987). Algorithm 1 (F cocoercive on average):
a one-step constrained Halpern iteration driven by a PAGE-type recursive estimator of F.
Algorithm 2 (F monotone and Lipschitz on average): inexact Halpern iteration on the
resolvent J_{eta(F+G)}, each resolvent approximated by the variance-reduced
forward-reflected-backward method (VR-FoRB). Both need O~(n + sqrt(n) L / eps) component
evaluations for a natural residual eps at the last iterate.
"""
from __future__ import annotations

import math

import numpy as np

from ..core.monitor import Monitor
from ..core.validation import check_scalar
from ._common import (
    MEASURE_NAME, Checkpoints, Oracle, Restarter, check_batch_size, check_max_epochs,
    check_restart, check_step, cocoercivity_or_raise, finish, make_rng, natural_residual,
    operator_constant, record, resolve_variant, setup,
)
from ._vr_forb import vr_forb_resolvent


def _page_probability(k, floor):
    """Alg. 1 full-evaluation probability: 1 for k <= 1, then 4/(k+4) until it reaches
    ``floor``, which it keeps."""
    if k <= 1:
        return 1.0
    return min(1.0, max(4.0 / (k + 4), floor))


def vr_halpern(op, x0=None, *, variant="auto", step=None, batch_size=None, inner_step=None,
               inner_factor=0.05, snapshot_prob=None, restart=None, restart_factor=0.2,
               check_every=1.0, max_epochs=None, tol=1e-6, max_iter=100_000,
               random_state=None, callback=None, verbose=False, backend="auto"):
    """Solve ``0 in F(x) + G(x)``, ``F = (1/n) sum_i F_i``, by variance-reduced Halpern.

    ``variant="cocoercive"`` (Algorithm 1 of Cai, Alacaoglu & Diakonikolas 2024), for
    ``(1/n) sum ||F_i x - F_i y||^2 <= L_c <F x - F y, x - y>``::

        x_{k+1} = Proj_C(lambda_k x_a + (1 - lambda_k) x_k - eta Ft_k),  lambda_k = 2/(k+4)
        Ft_k = F(x_k)                                          with probability p_k
        Ft_k = Ft_{k-1} + mean_{i in S_k} (F_i(x_k) - F_i(x_{k-1}))      otherwise

    (PAGE-type recursive estimator), ``S_k`` a uniform batch of ``b`` distinct indices,
    ``b = floor(sqrt(n))``, ``x_a = x_0`` the anchor; ``p_k = 1`` for ``k <= 1``, then
    ``p_k = max(4/(k+4), p)``: the decreasing schedule of the authors' experiments
    (Section 5) down to the floor ``p = snapshot_prob``, by default ``b/(n+b)``, PAGE's
    choice (Li et al. 2021), which balances the expected cost of the full evaluations
    (``p n``) against that of the batches (``2 (1 - p) b``), about ``3 sqrt(n)`` per
    iteration in all. (The authors' floor ``4/(sqrt(n)+5)`` spends twice the
    evaluations per iteration for little less variance; on the finite-sum QPs of the
    ``halpern`` benchmark suite it needs 1.7 to 2 times the epochs.) Default
    ``eta = 1/L_c``, the deterministic forward-backward step of :func:`solvers.halpern`
    (the authors tune eta per problem).

    ``variant="lipschitz"`` (Algorithm 2), for F monotone with
    ``(1/n) sum ||F_i x - F_i y||^2 <= L^2 ||x - y||^2``::

        x_{k+1} = lambda_k x_a + (1 - lambda_k) v_k,   lambda_k = 1/(k+2),
        v_k ~ J_{eta(F+G)}(x_k)  by  M_k = ceil(inner_factor * n * log(k+2))  VR-FoRB steps

    (see :mod:`solvers.monotone._vr_forb`) from ``v = w = x_k`` with snapshot probability
    ``p = 1/n``, ``alpha = 1 - p``, i.i.d. uniform batches of ``batch_size`` (default 1) and
    step ``gamma = sqrt(p (1 - p)) / (1 + eta L)`` (``1 + eta L`` bounds the Lipschitz
    constant of the inner operator; ``gamma = 1/(2 (1 + eta L))``, deterministic FoRB,
    when ``p = 1``). Defaults: resolvent step
    ``eta = sqrt(n) / L``, ``inner_factor = 0.05`` and ``p = 1/n``, as in the authors'
    experiments. The default ``gamma`` is the one the VR-FoRB theorem covers; larger steps
    are often faster but unguarded: 3 times it was faster on each problem it was tried on
    (the paper's two experiments, random games with n = 100 and 300, a smaller
    bilinear-quadratic saddle, the row-split policeman game), 5 times it (the authors'
    choice on their matrix game) was slower than the default on the random games. Pass
    ``inner_step`` to use them.

    Parameters
    ----------
    op : finite-sum operator
        Needs ``n_components``, ``dim``, ``full``, ``batch``; ``cocoercivity`` (Algorithm 1)
        or ``lipschitz`` (Algorithm 2) for the default steps; optional ``project`` and ``x0``.
    x0 : array, optional
        Starting point and first anchor (default ``op.x0``, else zeros). Never modified.
    variant : {"auto", "cocoercive", "lipschitz"}, default "auto"
        ``"auto"``: cocoercive when ``op.cocoercivity`` is not None, else Lipschitz.
        ``"cocoercive"`` with ``op.cocoercivity`` None (and no ``step``) is a ValueError.
    step : float, optional
        ``eta``: the Halpern step (Algorithm 1) or the resolvent step (Algorithm 2).
    batch_size : int, optional
        ``b`` in [1, n]: PAGE batch (default ``floor(sqrt(n))``) or VR-FoRB batch
        (default 1).
    inner_step : float, optional
        VR-FoRB step ``gamma`` (Algorithm 2).
    inner_factor : float, default 0.05
        VR-FoRB steps per resolvent: ``M_k = max(1, ceil(inner_factor n log(k+2)))``.
    snapshot_prob : float in (0, 1], optional
        Probability of a full evaluation: the floor ``p`` of the PAGE schedule (Algorithm
        1, default ``b/(n+b)``) or the VR-FoRB snapshot probability (Algorithm 2, default
        ``1/n``).
    restart : {None, "adaptive"}, default None
        Adaptive anchor restarts, checked where the measure is evaluated: when the residual
        has fallen to ``restart_factor`` times its value at the anchor, the anchor moves to
        the current iterate and the schedules (lambda_k, p_k, M_k) start again from k = 0.
        See :func:`solvers.halpern` for the guarantees.
    restart_factor : float in (0, 1), default 0.2
    check_every : float, default 1.0
        The natural residual is evaluated (and ``tol``, the callback and restarts checked)
        each time the oracle count has grown by another ``check_every * n`` evaluations
        since the last check, and at the last iterate.
    max_epochs : float, optional
        Stop once ``nfev >= max_epochs * n``.
    tol : float, default 1e-6
        Stop when the natural residual at the current iterate is <= tol.
    max_iter : int, default 100000
        Budget of (outer) iterations.
    random_state : None, int or numpy.random.Generator
        Seed of the sampling; runs are reproducible for a given seed.
    callback : callable, optional
        ``callback(intermediate_result)`` at each measure evaluation.
    verbose : bool, default False
    backend : {"auto", "cpu", "gpu"}, default "auto"

    Returns
    -------
    Result
        ``x`` is the current (last) iterate; ``measure`` its natural residual
        ``||x - Proj_C(x - F(x))||``. ``nfev`` counts component evaluations the method used
        (full evaluation = n, a batch of b = b); full evaluations made only for the measure
        are not oracle calls and are reported in ``n_measure_evals`` (Algorithm 2 measures
        with the F(x_k) it needs anyway, so only its final measure is extra). History rows
        at each measure evaluation: measure, nfev, epochs (nfev / n), time, restart. Extra
        fields: ``epochs``, ``restarts``, ``step``, ``variant``, ``batch_size``.

    References
    ----------
    X. Cai, A. Alacaoglu, J. Diakonikolas, ICLR 2024, arXiv:2310.02987, Algorithms 1 and 2.
    Z. Li, H. Bao, X. Zhang, P. Richtarik, "PAGE: a simple and optimal probabilistic gradient
    estimator for nonconvex optimization", ICML 2021.
    A. Alacaoglu, Y. Malitsky, V. Cevher, "Forward-reflected-backward method with variance
    reduction", Comput. Optim. Appl. 80:321-346, 2021.

    Examples
    --------
    >>> import numpy as np, solvers
    >>> rng = np.random.default_rng(0)
    >>> A, b = rng.standard_normal((400, 5)), rng.standard_normal(400)
    >>> class LeastSquaresOp:  # F_i(x) = a_i (a_i^T x - b_i): cocoercive on average
    ...     n_components, dim = 400, 5
    ...     cocoercivity = float(np.max(np.sum(A**2, axis=1)))
    ...     lipschitz = cocoercivity
    ...     def full(self, x): return A.T @ (A @ x - b) / 400
    ...     def batch(self, idx, x): return A[idx].T @ (A[idx] @ x - b[idx]) / len(idx)
    >>> res = solvers.vr_halpern(LeastSquaresOp(), tol=1e-3, random_state=0)
    >>> res.success
    True
    """
    restart, restart_factor = check_restart(restart, restart_factor)
    variant = resolve_variant(variant, op)
    step = check_step(step)
    inner_step = check_step(inner_step, "inner_step")
    inner_factor = check_scalar(inner_factor, "inner_factor", lower=0.0, lower_inclusive=False)
    max_nfev_epochs = check_max_epochs(max_epochs)
    prob, x, tol, max_iter = setup(op, x0, backend=backend, tol=tol, max_iter=max_iter,
                                   callback=callback, random_state=random_state,
                                   members=("batch",))
    n = prob.n
    checks = Checkpoints(check_every, n)
    rng = make_rng(random_state)
    oracle = Oracle(prob)
    restarter = Restarter(restart, restart_factor)
    mon = Monitor("vr_halpern", tol=tol, max_iter=max_iter, measure_name=MEASURE_NAME,
                  callback=callback, verbose=verbose, to_host=prob.bk.to_host)

    if variant == "cocoercive":
        Lc = cocoercivity_or_raise(op, step, "vr_halpern")
        eta = step if step is not None else 1.0 / Lc
        b = check_batch_size(batch_size, n, int(math.isqrt(n)))
        if inner_step is not None:
            raise ValueError("inner_step belongs to variant='lipschitz' (the VR-FoRB inner "
                             "loop); Algorithm 1 has no inner loop")
        p = _snapshot_prob(snapshot_prob, b / (n + b))
        x, hit = _algorithm1(prob, oracle, mon, checks, restarter, rng, x, eta=eta, b=b,
                             p_floor=p, max_iter=max_iter, max_nfev=max_nfev_epochs * n)
    else:
        L = operator_constant(op, "lipschitz", required=step is None or inner_step is None)
        eta = step if step is not None else math.sqrt(n) / L
        b = check_batch_size(batch_size, n, 1)
        p = _snapshot_prob(snapshot_prob, 1.0 / n)
        gamma = default_inner_step(p, eta, L) if inner_step is None else inner_step
        x, hit = _algorithm2(prob, oracle, mon, checks, restarter, rng, x, eta=eta, b=b,
                             gamma=gamma, p=p, inner_factor=inner_factor, max_iter=max_iter,
                             max_nfev=max_nfev_epochs * n)

    return finish(mon, prob, oracle, x, max_epochs_hit=hit, max_epochs=max_epochs,
                  restarts=restarter.count, step=eta, variant=variant, batch_size=b)


def default_inner_step(p, eta, L):
    """The VR-FoRB step of Algorithm 2's inner loop: ``sqrt(p (1 - p)) / (1 + eta L)``
    (``1 + eta L`` bounds the mean-square Lipschitz constant of the inner operator
    ``eta F + I``), or ``1 / (2 (1 + eta L))`` (deterministic FoRB) when ``p = 1``."""
    LB = 1.0 + eta * L
    return math.sqrt(p * (1.0 - p)) / LB if p < 1.0 else 0.5 / LB


def _snapshot_prob(value, default):
    """The probability of a full evaluation: ``value`` checked to lie in (0, 1], or the
    default."""
    if value is None:
        return default
    return check_scalar(value, "snapshot_prob", lower=0.0, upper=1.0, lower_inclusive=False)


def _measure_row(prob, oracle, mon, checks, restarter, k, x, Fx, *, final, tol):
    """Evaluate the measure from ``Fx = F(x)`` and record a row.

    Returns ``(stop, moved)``: whether the run ends here and whether the anchor moves.
    """
    meas = natural_residual(prob, x, Fx)
    moved = not final and k > 0 and meas > tol and restarter.should_restart(meas)
    stop = record(mon, oracle, k, x, meas, restart=int(moved))
    checks.done(oracle.nfev)
    if k == 0:
        restarter.set_anchor(meas)
    return stop, moved


def _algorithm1(prob, oracle, mon, checks, restarter, rng, x, *, eta, b, p_floor, max_iter,
                max_nfev):
    """Algorithm 1: one-step constrained Halpern with the PAGE estimator."""
    n = prob.n
    anchor = x.copy()
    x_prev = None
    Ft = None
    j = 0  # iterations since the last restart (drives lambda_k and p_k)
    hit = False
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(max_iter + 1):
            hit = oracle.nfev >= max_nfev
            final = hit or k == max_iter
            full_step = j <= 1 or rng.random() < _page_probability(j, p_floor)
            if final or checks.due(oracle.nfev):
                Fx = oracle.peek_full(x)
                stop, moved = _measure_row(prob, oracle, mon, checks, restarter, k, x, Fx,
                                           final=final, tol=mon.tol)
                if stop or final:
                    oracle.charge_measure()
                    break
                if moved:
                    anchor = x.copy()
                    j = 0
                    full_step = True
                if full_step:
                    oracle.charge()
                    Ft = Fx
                else:
                    oracle.charge_measure()
            elif full_step:
                Ft = oracle.full(x)
            if not full_step:
                idx = rng.choice(n, size=b, replace=False)
                Ft = Ft + oracle.batch_diff(idx, x, x_prev)
            lam = 2.0 / (j + 4)
            x_prev = x
            x = prob.project(lam * anchor + (1.0 - lam) * x - eta * Ft)
            j += 1
    return x, hit and mon.status == 1


def _algorithm2(prob, oracle, mon, checks, restarter, rng, x, *, eta, b, gamma, p,
                inner_factor, max_iter, max_nfev):
    """Algorithm 2: inexact Halpern on the resolvent with the VR-FoRB inner loop."""
    n = prob.n
    anchor = x.copy()
    j = 0
    hit = False
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(max_iter + 1):
            hit = oracle.nfev >= max_nfev
            final = hit or k == max_iter
            Fx = oracle.peek_full(x)  # the measure's F(x_k) is the inner loop's first snapshot
            if final or checks.due(oracle.nfev):
                stop, moved = _measure_row(prob, oracle, mon, checks, restarter, k, x, Fx,
                                           final=final, tol=mon.tol)
                if stop or final:
                    oracle.charge_measure()
                    break
                if moved:
                    anchor = x.copy()
                    j = 0
            oracle.charge()
            m = max(1, math.ceil(inner_factor * n * math.log(j + 2)))
            v = vr_forb_resolvent(prob, oracle, x, Fx, eta=eta, gamma=gamma, p=p,
                                  batch_size=b, n_steps=m, rng=rng)
            lam = 1.0 / (j + 2)
            x = lam * anchor + (1.0 - lam) * v
            j += 1
    return x, hit and mon.status == 1
