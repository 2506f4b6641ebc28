"""Newton's method with lazy Hessians (Doikov, Chayti, Jaggi, ICML 2023).

One Hessian ``H(z)`` at a snapshot ``z`` serves ``m`` consecutive steps; its spectral
decomposition ``H(z) = Q diag(w) Q^T`` (computed once per snapshot) makes every regularized
or cubic step an ``O(d^2)`` operation, so with ``m = d`` the arithmetic per step drops by a
factor ``sqrt(d)`` against recomputing and factoring the Hessian each step.
"""
from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from ..core.monitor import Monitor
from ..core.result import LINESEARCH_FAILED, NUMERICAL_ERROR, STALLED
from ..core.validation import check_option, check_scalar, require
from ._common import Oracle, initial_point
from ._linsys import check_hessian

VARIANTS = ("regularized", "cubic")
MAX_DENSE_DIM = 8000
_MAX_BACKTRACKS = 60


def _cubic_step(w, c, M):
    """Global minimizer of ``c.h + sum_i w_i h_i^2 / 2 + M ||h||^3 / 6`` in the eigenbasis.

    ``h_i = -c_i / (w_i + M r / 2)`` with ``r = ||h||`` and ``w_i + M r / 2 >= 0``
    (Nesterov & Polyak 2006, section 5): ``r`` solves the secular equation
    ``||c / (w + M r / 2)|| = r`` on ``r > r_min = 2 max(0, -min w) / M`` (bisection; the
    left side decreases in ``r``). In the hard case (``c`` orthogonal to the bottom
    eigenvectors and the secular function already below ``r`` at ``r_min``) ``r = r_min`` and
    the step adds the bottom eigenvector to reach that length. Returns ``(h, ||h||)``.
    """
    scale = max(1.0, float(np.abs(w).max()))
    lam_min = max(0.0, -float(w.min()))
    r_min = 2.0 * lam_min / M
    if not np.any(c):
        h = np.zeros_like(c)
        if lam_min > 0.0:  # at a saddle or maximum: move along the bottom eigenvector
            h[int(np.argmin(w))] = r_min
        return h, float(np.linalg.norm(h))
    if lam_min > 0.0:
        bottom = w + lam_min <= 1e-12 * scale
        if np.all(np.abs(c[bottom]) <= 1e-14 * float(np.abs(c).max())):
            h = np.zeros_like(c)
            h[~bottom] = -c[~bottom] / (w[~bottom] + lam_min)
            hn = float(np.linalg.norm(h))
            if hn <= r_min:  # the hard case
                h[int(np.flatnonzero(bottom)[0])] = math.sqrt(r_min ** 2 - hn ** 2)
                return h, r_min

    def phi(r):
        s = w + 0.5 * M * r
        with np.errstate(divide="ignore"):
            return math.sqrt(float(((c / s) ** 2).sum())) - r

    lo = r_min
    hi = max(2.0 * r_min, 1e-12)
    while phi(hi) > 0.0:
        lo, hi = hi, 2.0 * hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if phi(mid) > 0.0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-14 * hi:
            break
    h = -c / (w + 0.5 * M * hi)
    return h, float(np.linalg.norm(h))


def lazy_newton(f, x0=None, *, m=None, variant="regularized", M=None, rho=2.0, tol=1e-8,
                max_iter=1000, callback=None, verbose=False, backend="auto"):
    """Minimize a smooth ``f`` by Newton steps that reuse one Hessian for ``m`` iterations.

    Every ``m`` iterations the snapshot ``z = x_k`` is taken, ``H(z)`` is computed and
    decomposed ``H(z) = Q diag(w) Q^T``; each step then costs ``O(d^2)``:

    * ``variant="regularized"``: ``x+ = x - (H(z) + lam I)^{-1} grad f(x)`` with
      ``lam = sqrt(M ||grad f(x)||)`` (Doikov, Chayti, Jaggi 2023, Algorithm 2; negative
      eigenvalues of ``H(z)`` are clipped at 0, so the step is always a descent direction);
      ``M`` is multiplied by ``rho`` until ``f(x+) <= f(x)`` and ``<grad f(x+), x - x+> >=
      ||grad f(x+)||^2 / (4 lam)``.
    * ``variant="cubic"``: ``x+ = x + h`` with ``h`` the global minimizer of the cubic model
      ``<grad f(x), h> + <H(z) h, h>/2 + M ||h||^3 / 6`` (Algorithm 1; found from the
      secular equation in the eigenbasis, so nonconvex ``f`` is handled); ``M`` is raised
      by ``rho`` until ``f(x+)`` is at most the model value.

    In both variants ``M`` is divided by ``rho`` after a step accepted at the first trial
    (so that the estimate can relax without a rejection at every step).

    The paper shows ``m = d`` minimizes the total arithmetic, giving a ``sqrt(d)`` saving
    over the full-Hessian methods.

    Parameters
    ----------
    f : smooth part
        Needs ``value``, ``grad`` and ``hess`` (dense, or sparse up to dimension 8000: the
        spectral decomposition is dense by nature). ``f.x0`` is the default start.
    x0 : array, optional
        Starting point; default ``f.x0``, else zeros. Never modified.
    m : int, optional
        Steps per Hessian (default: the dimension ``d``). ``m = 1`` recomputes the Hessian
        at every step (the full regularized or cubic Newton method).
    variant : {"regularized", "cubic"}, default "regularized"
    M : float, optional
        First estimate of the regularization constant (default 1).
    rho : float > 1, default 2
        Factor by which ``M`` is raised on rejection and relaxed after acceptance.
    tol : float, default 1e-8
        Stop when ``||grad f(x)|| <= tol``.
    max_iter : int, default 1000
    callback : callable, optional
        ``callback(intermediate_result)`` after each iteration; raise StopIteration to stop.
    verbose : bool, default False
    backend : {"auto", "cpu", "gpu"}, default "auto"
        cupy's ``eigh`` on the GPU for dense Hessians.

    Returns
    -------
    Result
        ``nhev`` counts Hessians and ``nfact`` their decompositions; ``history`` columns
        objective, measure (gradient norm), M, lam (regularized), snapshot (1 where a new
        Hessian was taken), nfev, njev, nhev.

    References
    ----------
    N. Doikov, E. M. Chayti, M. Jaggi, "Second-order optimization with lazy Hessians",
    ICML 2023 (arXiv:2212.00781).

    Examples
    --------
    >>> import problems, solvers
    >>> f = problems.cutest.load("ROSENBR")
    >>> res = solvers.lazy_newton(f, m=2, variant="cubic", tol=1e-9)
    >>> res.success, res.nhev < res.nit
    (True, True)
    """
    check_option(variant, "variant", VARIANTS)
    rho = check_scalar(rho, "rho", lower=1.0, lower_inclusive=False)
    tol = check_scalar(tol, "tol", lower=0.0)
    max_iter = check_scalar(max_iter, "max_iter", lower=0, integer=True)
    M = 1.0 if M is None else check_scalar(M, "M", lower=0.0, lower_inclusive=False)
    require(f, "hess", "smooth part f")
    bk, x, on_gpu = initial_point(f, x0, backend)
    xp = bk.xp
    d = x.shape[0]
    m = d if m is None else check_scalar(m, "m", lower=1, integer=True)

    oracle = Oracle(f)
    mon = Monitor("lazy_newton", tol=tol, max_iter=max_iter, measure_name="grad_norm",
                  callback=callback, verbose=verbose, to_host=bk.to_host)
    fx, gx = oracle.value_and_grad(x)
    nfact = 0
    Q = w = None
    snap = 0
    lam = math.nan
    failure = None

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(max_iter + 1):
            gnorm = float(xp.linalg.norm(gx))
            if mon.record(k, x, fx, gnorm, M=M, lam=lam, snapshot=snap, nfev=oracle.nfev,
                          njev=oracle.njev, nhev=oracle.nhev) or k == max_iter:
                break
            snap = 0
            if k % m == 0:
                H = check_hessian(oracle.hess(x), d, xp)
                if sp.issparse(H):
                    if d > MAX_DENSE_DIM:
                        raise ValueError(
                            f"lazy_newton decomposes the Hessian densely; dimension {d} > "
                            f"{MAX_DENSE_DIM} is too large: use damped_newton(linsolve='sparse')")
                    H = H.toarray()
                if not bool(xp.isfinite(H).all()):
                    mon.stop_with(NUMERICAL_ERROR)
                    failure = (f"lazy_newton stopped at iteration {k}: the Hessian has "
                               "non-finite entries")
                    break
                w, Q = xp.linalg.eigh(0.5 * (H + H.T))
                nfact += 1
                snap = 1
                if variant == "regularized":
                    w = xp.maximum(w, 0.0)
                wh = bk.to_host(w)
            c = Q.T @ gx
            ch = bk.to_host(c)
            for n_back in range(_MAX_BACKTRACKS + 1):
                if variant == "regularized":
                    lam = math.sqrt(M * gnorm)
                    h = -(Q @ (c / (w + lam)))
                    y = x + h
                    fy, gy = oracle.value_and_grad(y)
                    ok = math.isfinite(fy) and fy <= fx and (
                        -float(gy @ h) >= float(gy @ gy) / (4.0 * lam))
                else:
                    hc, r = _cubic_step(wh, ch, M)
                    h = Q @ xp.asarray(hc)
                    model = fx + float(ch @ hc) + 0.5 * float((wh * hc) @ hc) + M * r ** 3 / 6.0
                    y = x + h
                    fy, gy = oracle.value_and_grad(y)
                    ok = math.isfinite(fy) and fy <= model + 1e-14 * abs(fx)
                if ok:
                    break
                M *= rho
            else:
                mon.stop_with(LINESEARCH_FAILED)
                break
            if n_back == 0:  # relax only after a first-trial success (fewer rejections)
                M = max(M / rho, 1e-300)
            if not bool(xp.any(y != x)):
                mon.stop_with(STALLED)
                break
            x, fx, gx = y, fy, gy

    to_out = (lambda a: a) if on_gpu else bk.to_host
    out = mon.result(to_out(x), fx, nfev=oracle.nfev, njev=oracle.njev, nhev=oracle.nhev,
                     nfact=nfact, jac=to_out(gx))
    if failure is not None:
        out["message"] = failure
    return out
