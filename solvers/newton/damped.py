"""Damped (stepsized) Newton method with near-optimal global rates.

S. Hanzely, F. Abdukhakimov, M. Takac, "Newton Method Revisited: Global Convergence Rates up
to O(k^-3) for Stepsize Schedules and Linesearch Procedures" (arXiv:2405.18926, 2024);
S. Hanzely, D. Kamzolov, D. Pasechnyuk, A. Gasnikov, P. Richtarik, M. Takac, "A Damped
Newton Method Achieves Global O(1/k^2) and Local Quadratic Convergence Rate" (AICN,
NeurIPS 2022, arXiv:2211.00140).
"""
from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar

from ..core.linesearch import armijo
from ..core.monitor import Monitor
from ..core.result import LINESEARCH_FAILED, NUMERICAL_ERROR, STALLED
from ..core.validation import check_option, check_scalar
from ._common import Oracle, choose_linsolve, initial_point
from ._linsys import DenseCholesky, HessianFreeCG, SparseLDL, check_hessian
from ._stepsizes import accept_universal, schedule

STEPSIZES = ("root", "aicn", "universal", "greedy", "grls", "armijo", "full")
LINSOLVES = ("auto", "cholesky", "sparse", "cg")
MEASURES = ("grad_norm", "newton_decrement")
_MAX_BACKTRACKS = 40


class _Newton:
    """One Newton system per iterate: the Hessian (or hvp) at ``x``, its factorization, the
    direction and the decrement, plus dual local norms at trial points."""

    def __init__(self, oracle, linsolve, xp, n, max_cg):
        self.oracle = oracle
        self.linsolve = linsolve
        self.xp = xp
        self.n = n
        if linsolve == "cholesky":
            self.system = DenseCholesky(xp)
        elif linsolve == "sparse":
            self.system = SparseLDL()
        else:
            self.system = HessianFreeCG(xp, max_cg)
        self.n_solve = 0

    def build(self, x, H=None):
        if self.linsolve == "cg":
            self.system.factor(lambda v: self.oracle.hvp(x, v))
            return
        if H is None:
            H = self.oracle.hess(x)
        H = check_hessian(H, self.n, self.xp)
        if sp.issparse(H):
            if self.linsolve == "cholesky":
                H = H.toarray()
        elif self.linsolve == "sparse":
            H = sp.csc_matrix(np.asarray(H))
        if not sp.issparse(H) and not bool(self.xp.isfinite(H).all()):
            raise FloatingPointError("non-finite Hessian entries")
        self.system.factor(H)

    def solve(self, g, rtol=None):
        self.n_solve += 1
        if self.linsolve == "cg":
            return self.system.solve(g, rtol)
        return self.system.solve(g)

    @property
    def reg(self):
        return self.system.reg


def _dot(a, b):
    return float(a @ b)


def damped_newton(f, x0=None, *, stepsize="root", q=4, L=None, rho=2.0, linsolve="auto",
                  max_cg=None, measure="grad_norm", c1=1e-4, tol=1e-8, max_iter=1000,
                  callback=None, verbose=False, backend="auto"):
    """Minimize a smooth convex ``f`` by Newton's method with a damping stepsize.

    Each iteration computes the Newton direction ``n = H(x)^{-1} grad f(x)``, the Newton
    decrement (local gradient norm) ``g = sqrt(grad f(x)^T n)`` and steps
    ``x+ = x - alpha n`` with ``alpha`` from the chosen rule. With the root schedule for
    ``q = 4`` the global rate on convex functions with Lipschitz third derivative is
    ``O(k^-3)`` (Hanzely, Abdukhakimov, Takac 2024, Theorem 3 for the schedule
    ``theta_k = (9 M_q)^{1/(q-1)} g_k^{(q-2)/(q-1)}``), AICN's is ``O(k^-2)`` (Hanzely et al.
    2022, Theorem 2); both converge quadratically near the solution.

    Parameters
    ----------
    f : smooth part
        Needs ``value`` and ``grad`` (``value_and_grad`` when present), and ``hess`` (dense
        or scipy sparse) or ``hvp``. ``f.x0`` is the default starting point when present
        (the CUTEst problems carry theirs).
    x0 : array, optional
        Starting point; default ``f.x0``, else zeros. Never modified.
    stepsize : {"root", "aicn", "universal", "greedy", "grls", "armijo", "full"}
        * ``"root"``: ``alpha = 1/(1 + theta)``, ``theta = (9 L)^{1/(q-1)} g^{(q-2)/(q-1)}``
          with ``L`` the Holder constant of order ``q`` (of the Hessian for ``q = 3``, of the
          third derivative for ``q = 4``, ``q = 2``: bounded Hessian variation);
        * ``"aicn"``: ``alpha = (-1 + sqrt(1 + 2 L g)) / (L g)`` with ``L`` the semi-strong
          self-concordance constant;
        * ``"universal"``: the root schedule with the constant found by backtracking: it is
          multiplied by ``rho`` until ``<grad f(y), n> >= ||grad f(y)||*_x^2 /
          (2 alpha theta)`` at the trial point ``y``, and divided by ``rho`` after each
          accepted step (``L``, if given, is the first estimate; default ``1e-2``, small
          enough that the first trial is close to the full Newton step). ``"root"`` and ``"aicn"``
          with ``L=None`` estimate their constant the same way;
        * ``"greedy"``: exact line search ``min_alpha f(x - alpha n)`` (Brent);
          once ``g^2 <= 1e-10 max(1, |f|)`` (the decrease along the ray is at the rounding
          level of ``f``), the full step, which the exact minimizer approaches, is taken;
        * ``"grls"``: gradient-regulated line search, ``alpha`` in (0, 1] minimizing
          ``(f(y) - f(x)) / ||grad f(y)||*_x^2`` (full step in the same regime as greedy);
        * ``"armijo"``: backtracking from 1 until ``f(y) <= f(x) - c1 alpha g^2``;
        * ``"full"``: ``alpha = 1`` (classical Newton).
    q : float in [2, 4], default 4
        Holder order of smoothness used by the root schedule and ``"universal"``.
    L : float, optional
        Smoothness constant of the schedule (``"root"``, ``"aicn"``), or the first estimate
        for ``"universal"`` (default ``1e-2``).
    rho : float > 1, default 2
        Backtracking factor of the universal procedure.
    linsolve : {"auto", "cholesky", "sparse", "cg"}, default "auto"
        How the Newton system is solved: dense Cholesky, sparse ``LDL^T`` with an
        approximate-minimum-degree ordering, or truncated CG on ``f.hvp`` (Hessian-free;
        relative residual ``min(0.5, sqrt(||grad||))``, or ``1e-8`` for the schedules and
        ``"grls"``, whose tests need exact directions and dual norms). ``"auto"``: ``"sparse"`` when
        ``f.hess`` returns a sparse matrix of dimension above 200 with at most 10% nonzeros,
        ``"cholesky"`` otherwise (the computed Hessian is then converted to dense), ``"cg"`` when
        ``f`` has only ``hvp``. A Hessian that is not positive definite (nonconvex ``f``) is
        replaced by ``|H|`` (eigenvalues by their absolute values, floored at ``1e-8 max
        |lambda|``) up to dimension 200, and by ``H + tau D``, ``D`` its diagonal's
        magnitudes, with the smallest ``tau`` of a geometric sequence that makes the
        factorization succeed (Nocedal & Wright, Algorithm 3.3, scaled) above; the shift is
        recorded as ``reg``; CG stops at the first direction of non-positive curvature.
    max_cg : int, optional
        CG iteration cap for ``linsolve="cg"`` (default ``min(dim, 500)``, ``2 dim`` below
        dimension 10).
    measure : {"grad_norm", "newton_decrement"}, default "grad_norm"
        Which measure ``tol`` applies to; both are recorded in the history.
    c1 : float, default 1e-4
        Armijo sufficient-decrease constant.
    tol : float, default 1e-8
        Stop when the measure is <= tol.
    max_iter : int, default 1000
        Iteration budget.
    callback : callable, optional
        ``callback(intermediate_result)`` after each iteration; raise StopIteration to stop.
    verbose : bool, default False
        Show a progress bar with the measure.
    backend : {"auto", "cpu", "gpu"}, default "auto"
        Where to compute (dense Hessians and CG run on the GPU with cupy; the sparse
        factorization is CPU only).

    Returns
    -------
    Result
        ``history`` columns: objective, measure, grad_norm, newton_decrement, step (alpha),
        reg (Hessian shift), M (the backtracking estimate), nfev, njev, nhev. Also
        ``nfact`` (factorizations) and ``nsolve`` (solves with them).

    References
    ----------
    S. Hanzely, F. Abdukhakimov, M. Takac, arXiv:2405.18926 (2024); S. Hanzely et al.,
    NeurIPS 2022 (AICN); J. Nocedal, S. J. Wright, Numerical Optimization (2006), ch. 3, 7.

    Examples
    --------
    >>> import problems, solvers
    >>> f = problems.cutest.load("ROSENBR")
    >>> res = solvers.damped_newton(f, stepsize="universal", tol=1e-10)
    >>> res.success, round(res.fun, 12)
    (True, 0.0)
    """
    check_option(stepsize, "stepsize", STEPSIZES)
    check_option(linsolve, "linsolve", LINSOLVES)
    check_option(measure, "measure", MEASURES)
    q = check_scalar(q, "q", lower=2.0, upper=4.0)
    rho = check_scalar(rho, "rho", lower=1.0, lower_inclusive=False)
    c1 = check_scalar(c1, "c1", lower=0.0, upper=1.0, lower_inclusive=False,
                      upper_inclusive=False)
    tol = check_scalar(tol, "tol", lower=0.0)
    max_iter = check_scalar(max_iter, "max_iter", lower=0, integer=True)
    if L is not None:
        L = check_scalar(L, "L", lower=0.0, lower_inclusive=False)
    bk, x, on_gpu = initial_point(f, x0, backend)
    xp = bk.xp
    dim = x.shape[0]
    if max_cg is None:
        max_cg = min(dim, 500) if dim > 10 else dim * 2
    max_cg = check_scalar(max_cg, "max_cg", lower=1, integer=True)

    oracle = Oracle(f)
    want = linsolve
    if getattr(f, "hess", None) is None and getattr(f, "hvp", None) is None:
        raise TypeError(f"smooth part f of type {type(f).__name__} has neither `hess` nor "
                        "`hvp`, one of which a Newton method needs")
    if want != "auto":
        choose_linsolve(want, f, dim)  # the members the requested solve needs
    newton = None  # built at the first iterate that needs a direction ("auto" looks at H)

    backtrack = stepsize == "universal" or (stepsize in ("root", "aicn") and L is None)
    # the schedules' theory (and the universal test) assume exact Newton directions: CG is
    # run to a tight residual for them, with the usual forcing sequence for the others
    cg_rtol = 1e-8 if stepsize in ("root", "aicn", "universal", "grls") else None
    kind = "aicn" if stepsize == "aicn" else "root"
    M = L if L is not None else 1e-2

    mon = Monitor("damped_newton", tol=tol, max_iter=max_iter, measure_name=measure,
                  callback=callback, verbose=verbose, to_host=bk.to_host)
    fx, gx = oracle.value_and_grad(x)
    alpha = math.nan
    n_back = n_fallback = 0
    failure = None

    def counts():
        return dict(nfev=oracle.nfev, njev=oracle.njev, nhev=oracle.nhev)

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(max_iter + 1):
            gnorm = float(xp.linalg.norm(gx))
            if not (math.isfinite(fx) and math.isfinite(gnorm)):
                mon.record(k, x, fx, math.nan, grad_norm=gnorm, step=alpha, **counts())
                break
            if measure == "grad_norm" and gnorm <= tol:
                mon.record(k, x, fx, gnorm, grad_norm=gnorm, newton_decrement=math.nan,
                           step=alpha, M=M, **counts())
                break
            if k == max_iter:  # no Hessian for a direction that will not be taken
                mon.record(k, x, fx, gnorm if measure == "grad_norm" else math.nan,
                           grad_norm=gnorm, newton_decrement=math.nan, step=alpha, **counts())
                break
            try:
                H0 = None
                if newton is None:
                    if want in ("auto", "cholesky", "sparse") and getattr(f, "hess", None) is not None:
                        H0 = check_hessian(oracle.hess(x), dim, xp)
                    linsolve = choose_linsolve(want, f, dim, H0)
                    newton = _Newton(oracle, linsolve, xp, dim, max_cg)
                newton.build(x, H0)
            except (np.linalg.LinAlgError, FloatingPointError) as exc:
                mon.record(k, x, fx, gnorm, grad_norm=gnorm, step=alpha, **counts())
                mon.stop_with(NUMERICAL_ERROR)
                failure = (f"damped_newton stopped at iteration {k}: the Newton system could "
                           f"not be factored ({exc}); grad_norm {gnorm:.3e}")
                break
            d = newton.solve(gx, rtol=cg_rtol)
            dec2 = _dot(gx, d)
            if not dec2 > 0:  # CG ended on a bad direction: fall back to the gradient
                d, dec2 = gx.copy(), gnorm ** 2
            lam = math.sqrt(dec2)
            meas = gnorm if measure == "grad_norm" else lam
            if mon.record(k, x, fx, meas, grad_norm=gnorm, newton_decrement=lam, step=alpha,
                          reg=newton.reg, M=M if backtrack else L, backtracks=n_back,
                          **counts()):
                break

            n_back = 0
            if stepsize == "full":
                alpha = 1.0
                y = x - d
                fy, gy = oracle.value_and_grad(y)
            elif backtrack and not getattr(newton.system, "neg_curv", False):
                if k > 0:
                    M /= rho
                for n_back in range(_MAX_BACKTRACKS + 1):
                    alpha, theta = schedule(kind, M, lam, q)
                    y = x - alpha * d
                    fy, gy = oracle.value_and_grad(y)
                    if math.isfinite(fy):
                        w = newton.solve(gy, rtol=cg_rtol)
                        if accept_universal(_dot(gy, d), _dot(gy, w), alpha, theta):
                            break
                    M *= rho
                else:  # the test keeps failing (nonconvex region): safeguard by Armijo
                    M /= rho ** _MAX_BACKTRACKS
                    n_fallback += 1
                    alpha, y, fy, gy, ok = _armijo_step(oracle, x, d, fx, dec2, c1)
                    if not ok:
                        mon.stop_with(LINESEARCH_FAILED)
                        break
            elif backtrack or stepsize == "armijo":
                n_fallback += stepsize != "armijo"
                alpha, y, fy, gy, ok = _armijo_step(oracle, x, d, fx, dec2, c1)
                if not ok:
                    mon.stop_with(LINESEARCH_FAILED)
                    break
            elif stepsize in ("root", "aicn"):
                alpha, _ = schedule(kind, L, lam, q)
                y = x - alpha * d
                fy, gy = oracle.value_and_grad(y)
            elif stepsize in ("greedy", "grls") and dec2 <= 1e-10 * max(1.0, abs(fx)):
                # f(x - alpha n) varies by ~dec2/2 along the ray: below 1e-10 relative, a
                # search on function values sees rounding noise, while the exact minimizer
                # along the ray is 1 + O(decrement) (quadratic regime): take the full step
                alpha = 1.0
                y = x - d
                fy, gy = oracle.value_and_grad(y)
            else:  # greedy, grls
                search = _exact_line_search if stepsize == "greedy" else _grls
                alpha, y, fy, gy, ok = search(oracle, newton, x, d, fx, dec2, c1)
                if not ok:
                    mon.stop_with(LINESEARCH_FAILED)
                    break
            if not math.isfinite(fy):
                mon.stop_with(NUMERICAL_ERROR)  # x stays the last (finite) iterate
                failure = (f"damped_newton stopped at iteration {k}: the step with alpha = "
                           f"{alpha:.3g} reached a point where f is not finite; try a damped "
                           "stepsize or a smaller L")
                break
            if not bool(xp.any(y != x)):
                mon.stop_with(STALLED)  # x stays the last recorded iterate
                break
            x, fx, gx = y, fy, gy

    if newton is None:
        linsolve = choose_linsolve(want, f, dim) if want != "auto" else "none"
    nfact = newton.system.n_factor if newton is not None and linsolve != "cg" else 0
    nsolve = newton.n_solve if newton is not None else 0
    to_out = (lambda a: a) if on_gpu else bk.to_host
    out = mon.result(to_out(x), fx, **counts(), nfact=nfact, nsolve=nsolve,
                     linsolve=linsolve, n_fallback=n_fallback, jac=to_out(gx))
    if failure is not None:
        out["message"] = failure
    return out


def _armijo_step(oracle, x, d, fx, dec2, c1):
    """Armijo backtracking from the full step; returns ``(alpha, y, f(y), grad f(y), ok)``."""
    alpha, _, _, ok = armijo(lambda t: oracle.value(x - t * d), fx, -dec2, c1=c1)
    y = x - alpha * d
    fy, gy = oracle.value_and_grad(y)
    return alpha, y, fy, gy, ok


def _exact_line_search(oracle, newton, x, d, fx, dec2, c1):
    """``argmin_alpha f(x - alpha d)`` by Brent's method on a bracket found from (0, 1);
    Armijo backtracking when no bracket exists (unbounded ray). Returns
    ``(alpha, y, f(y), grad f(y), ok)``."""
    def phi(t):
        v = oracle.value(x - t * d)
        return v if math.isfinite(v) else math.inf

    try:
        res = minimize_scalar(phi, bracket=(0.0, 1.0), method="brent",
                              options={"xtol": 1e-8, "maxiter": 100})
        t = float(res.x)
        if t > 0 and math.isfinite(res.fun) and res.fun <= fx:
            y = x - t * d
            fy, gy = oracle.value_and_grad(y)
            return t, y, fy, gy, True
    except (RuntimeError, ValueError, FloatingPointError):
        pass
    return _armijo_step(oracle, x, d, fx, dec2, c1)


def _grls(oracle, newton, x, d, fx, dec2, c1):
    """Gradient-regulated line search: ``alpha`` in (0, 1] minimizing
    ``(f(y) - f(x)) / ||grad f(y)||*_x^2`` with ``y = x - alpha d`` (bounded Brent, with
    the full step compared explicitly); Armijo when no trial point has a finite value.
    Returns ``(alpha, y, f(y), grad f(y), ok)``."""
    cache = {}

    def psi(t):
        y = x - t * d
        fy, gy = oracle.value_and_grad(y)
        if not math.isfinite(fy):
            return math.inf
        dual = _dot(gy, newton.solve(gy, rtol=1e-8))
        cache[t] = (y, fy, gy)
        return (fy - fx) / max(dual, 1e-300)

    p1 = psi(1.0)
    res = minimize_scalar(psi, bounds=(1e-6, 1.0), method="bounded",
                          options={"xatol": 1e-4, "maxiter": 40})
    if not cache:
        return _armijo_step(oracle, x, d, fx, dec2, c1)
    t = 1.0 if p1 <= res.fun else float(res.x)
    if t not in cache:
        psi(t)
    if t not in cache:  # the chosen trial is not finite: the best finite one
        t = min(cache, key=lambda s: cache[s][1])
    y, fy, gy = cache[t]
    return t, y, fy, gy, True
