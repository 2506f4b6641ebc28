"""Gradient and fast gradient methods with polynomial preconditioning, and the adaptive
Krylov variant (Doikov and Rodomanov, ICML 2023)."""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..core.monitor import Monitor
from ..core.result import LINESEARCH_FAILED
from ..core.validation import check_callback_and_seed, check_option, check_scalar, require
from ..proximal._common import finish_x, initial_point, place_on_backend
from ._krylov import krylov_model_step
from ._operator import TRACES, CurvatureBound, usable_degree
from .symmetric import apply_polynomial, leave_one_out_symmetric, preconditioner_coefficients

_MAX_BACKTRACKS = 60
_L_MIN = 1e-12
#: below this relative size the decrease of f is checked through gradients
_ROUNDING = 1e-11
#: relative slack of both tests, so that the exact equality on a quadratic at L = 1 passes
#: whatever the rounding
_TEST_SLACK = 1e-2


def poly_precond(f, x0=None, *, B=None, tau=2, accelerated=False, krylov=False,
                 memory=0, traces="exact", n_probes=None, mu=None, restart=True,
                 backtracking=None, tol=1e-6, max_iter=1000, callback=None, verbose=False, random_state=None,
                 backend="auto"):
    """Minimize a smooth convex ``f`` by the gradient or fast gradient method preconditioned
    by the symmetric polynomial ``P_tau`` of its curvature bound ``B``.

    With ``sigma_k`` the elementary symmetric polynomials of the eigenvalues of ``B``
    (``hess f(x) <= B`` for all x), ``P_tau = sum_{i=0..tau} (-1)^i sigma_{tau-i} B^i`` has the
    eigenvalue ``sigma_tau(lambda without lambda_j)`` on eigenvector j, so
    ``B <= sigma_{tau+1} P_tau^{-1}`` and ``f`` is 1-smooth in the metric
    ``sigma_{tau+1} P_tau^{-1}``. The gradient method in that metric is

        x+ = x - P_tau grad f(x) / sigma_{tau+1},

    whose rate on a quadratic with Hessian ``B`` is ``1 - 1 / kappa_tau`` with
    ``kappa_tau = sigma_{tau+1} / (lambda_min sigma_tau(lambda without lambda_min))``
    (:func:`solvers.precond.effective_condition_number`): ``tau = 0`` is the gradient method
    with step ``1 / tr B``, and each degree removes the gap to one more top eigenvalue, so the
    method pays when a few top eigenvalues are separated and the tail sums to much less than
    ``lambda_max`` (paper, Theorems 4.1 and 5.1, in our normalization). Applying ``P_tau``
    costs ``tau`` products with ``B`` (Horner's scheme).

    Parameters
    ----------
    f : smooth convex part
        Needs ``value`` and ``grad`` (``value_and_grad`` used when present), and
        ``curvature_bound`` unless ``B`` is given.
    x0 : array, optional
        Starting point (default zeros). Never modified.
    B : array, sparse matrix or linear operator of shape (n, n), optional
        Symmetric PSD curvature bound (default ``f.curvature_bound``: ``X^T X / n`` for least
        squares, ``X^T X / (4 n)`` for logistic regression, plus ``alpha I`` under a ridge,
        ``Q`` for a quadratic). Anything with ``shape`` and ``B @ v`` (also for blocks
        ``B @ V``) works. Symmetry and positive semidefiniteness are checked cheaply (the
        diagonal of a matrix, two random probes of an operator; an exact spectrum fully).
    tau : int, 0 <= tau <= n - 1, default 2
        Degree of the preconditioner (for ``krylov=True`` the Krylov space has dimension
        ``tau + 1``).
    accelerated : bool, default False
        Nesterov's fast gradient method in the preconditioned metric instead of the gradient
        method.
    krylov : bool, default False
        The adaptive variant: each step minimizes ``<g, h> + (L / 2) <B h, h>`` over
        ``span{g, B g, ..., B^tau g}`` (``tau + 1`` products with ``B``, an orthonormal Lanczos
        basis, a ``(tau + 1)``-dimensional solve), with backtracking on ``L``; at equal ``L``
        it decreases the model at least as much as any preconditioner of degree ``<= tau``.
        Needs no ``sigma_k``.
    memory : int >= 0, default 0
        For ``krylov=True``: the number of previous steps added to the Krylov space (one more
        product with ``B`` each). 0 is the paper's method; 1 makes it a sequential subspace
        optimization (SESOP, Narkiss and Zibulevsky 2005) that keeps the never-worse property
        and removes the zigzag of memoryless steps (on a quadratic whose Hessian is ``B`` it
        behaves like a block conjugate gradient method).
    traces : {"exact", "hutchinson"}, default "exact"
        How ``sigma_1..sigma_{tau+1}`` are obtained. ``"exact"``: from the eigenvalues of a
        dense ``B`` or of an operator with ``eigenvalues()`` (the curvature bounds of the data
        fits form the smaller Gram matrix, ``min(n_samples, n_features) <= 5000``), by the
        subtraction-free product recurrence; for a sparse ``B`` from exact traces of sparse
        powers by Newton's identities. ``"hutchinson"``: Newton's identities on Hutch++
        estimates of ``tr(B^i)`` (:func:`solvers.precond.hutchinson_traces`); the step is then
        safeguarded by the sufficient-decrease test, and a nonpositive estimated ``sigma``
        lowers the degree with a warning.
    n_probes : int, optional
        Probe vectors for ``traces="hutchinson"`` (default 60).
    mu : float >= 0, optional
        Strong convexity of ``f`` in the Euclidean norm (e.g. the ridge ``alpha``), for
        ``accelerated=True``: the constant momentum ``(1 - sqrt q) / (1 + sqrt q)`` with
        ``q = mu lambda_min(P_tau) / sigma_{tau+1}``, the strong convexity in the
        preconditioned metric. Default None: the convex momentum sequence.
    restart : bool, default True
        For ``accelerated=True``: restart the momentum when ``<grad f(y_k), x_{k+1} - x_k> >
        0`` (O'Donoghue and Candes, 2015), which recovers the linear rate without knowing
        ``mu``.
    backtracking : bool, optional
        ``True``: a step first lowers ``L`` (unless the previous step needed a backtrack), by
        a factor 2 for the gradient and Krylov steps but not below the curvature measured
        along the previous step (so that a quadratic whose Hessian is ``B`` keeps ``L = 1``),
        by a factor 1.25 for the fast gradient method, and doubles it until the sufficient-decrease test ``f(x+) <= f(x) + <g, h> + (L / 2)
        ||h||^2`` (in the preconditioned metric) holds, adapting to local curvature below
        ``B``; once that decrease is below 1e-11 relative to ``f``, where rounding would decide
        it, the equivalent curvature test ``<grad f(x+) - grad f(x), h> <= L ||h||^2`` is used
        instead. ``False``: ``L = 1``, the theory's
        step, only ever doubled if the test fails (it cannot when ``B`` bounds the Hessian and
        the ``sigma_k`` are exact). Default: True for ``krylov=True``, else False.
    tol : float, default 1e-6
        Stop when ``||grad f(x)||_2 <= tol`` (the measure ``grad_norm``).
    max_iter : int, default 1000
    callback : callable, optional
        ``callback(intermediate_result)`` after each iteration; raise StopIteration to stop.
    verbose : bool, default False
    random_state : None, int or numpy Generator
        Seeds the Hutchinson probes and the operator checks.
    backend : {"auto", "cpu", "gpu"}, default "auto"

    Returns
    -------
    Result
        ``x`` (for the fast gradient method the extrapolated point whose gradient met the
        measure), ``fun``, ``nit``, ``nfev``, ``njev``, ``n_bprod`` (products with ``B``,
        trace estimation included), ``tau`` (the degree used), ``sigma``
        (``sigma_0..sigma_{tau+1}`` of ``B``; None for ``krylov=True``), ``sigma_method``,
        ``L``; history columns objective, grad_norm, time, nfev, njev, n_bprod, L,
        backtracks and, for the fast gradient method, restart.

    Raises
    ------
    ValueError
        ``tau < 0`` or ``tau > n - 1``; ``B`` of the wrong shape, not symmetric, not PSD, not
        finite, or of rank ``<= tau``; ``accelerated`` together with ``krylov``; ``mu``
        without ``accelerated``.
    TypeError
        ``f`` without ``value``/``grad``, or without ``curvature_bound`` when ``B`` is None.

    References
    ----------
    N. Doikov, A. Rodomanov, "Polynomial preconditioning for gradient methods", ICML 2023,
    arXiv:2301.13194. B. O'Donoghue, E. Candes, "Adaptive restart for accelerated gradient
    schemes", Found. Comput. Math. 15, 2015. G. Narkiss, M. Zibulevsky, "Sequential subspace
    optimization method for large-scale unconstrained problems", Technion CCIT report 559, 2005.

    Examples
    --------
    >>> import numpy as np, problems, solvers
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 30)) * np.r_[30.0, 10.0, np.ones(28)]
    >>> f = problems.Ridge(problems.LeastSquares(X, rng.standard_normal(200)), 1e-3)
    >>> res = solvers.poly_precond(f, tau=2, tol=1e-8)
    >>> res.success, res.tau
    (True, 2)
    """
    tau = check_scalar(tau, "tau", lower=0, integer=True)
    check_option(traces, "traces", TRACES)
    tol = check_scalar(tol, "tol", lower=0.0)
    max_iter = check_scalar(max_iter, "max_iter", lower=0, integer=True)
    memory = check_scalar(memory, "memory", lower=0, integer=True)
    if memory and not krylov:
        raise ValueError("memory applies to the Krylov variant only (krylov=True)")
    if n_probes is not None:
        n_probes = check_scalar(n_probes, "n_probes", lower=3, integer=True)
    for name, flag in (("accelerated", accelerated), ("krylov", krylov), ("restart", restart)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    if backtracking is not None and not isinstance(backtracking, (bool, np.bool_)):
        raise TypeError(f"backtracking must be None, True or False, got {backtracking!r}")
    if accelerated and krylov:
        raise ValueError("krylov=True is the adaptive gradient method; it has no accelerated "
                         "version here (use accelerated=True with a fixed tau instead)")
    if mu is not None:
        mu = check_scalar(mu, "mu", lower=0.0)
        if not accelerated:
            raise ValueError("mu sets the momentum of accelerated=True; the gradient method "
                             "does not use it")
    check_callback_and_seed(callback, random_state)
    require(f, "value", "smooth part f")
    require(f, "grad", "smooth part f")
    bk, f, on_gpu = place_on_backend(f, backend, x0)
    x = initial_point(f, x0, bk)
    if x.ndim != 1:
        raise ValueError(f"poly_precond needs a vector variable, got shape {x.shape}")
    n = x.shape[0]
    if tau > n - 1:
        raise ValueError(f"tau must be <= n - 1 = {n - 1} for a variable of size {n}, got {tau}")
    if B is None:
        B = getattr(f, "curvature_bound", None)
        if B is None:
            raise TypeError(f"smooth part f ({type(f).__name__}) has no `curvature_bound`; "
                            "pass the matrix B with hess f(x) <= B as B=")
    rng = np.random.default_rng(random_state)
    curv = CurvatureBound(B, n, bk, rng)
    backtracking = krylov if backtracking is None else bool(backtracking)

    method = "poly_precond[" + ("krylov" if krylov else "fgm" if accelerated else "gm") + "]"
    sigma = sigma_method = None
    degree = tau
    if not krylov:
        sig_hat, s, info = curv.sigmas(tau + 1, traces, n_probes)
        sigma_method = info["method"]
        degree = usable_degree(sig_hat, tau, sigma_method)
        sigma = sig_hat[:degree + 2] * s ** np.arange(degree + 2)
        coeffs = preconditioner_coefficients(sig_hat, degree)
        base_step = 1.0 / float(s * sig_hat[degree + 1])
        fallback_step = 1.0 / float(s * sig_hat[1])
        momentum = None
        if accelerated and mu is not None:
            momentum = _constant_momentum(mu, curv, coeffs, sig_hat[degree + 1], s, degree)

        # P_tau(B / s) = sum_i (c_i / s^i) B^i: the scale goes into the coefficients, not
        # into every product
        scaled = coeffs / s ** np.arange(degree + 1)

        def precondition(v):
            return apply_polynomial(scaled, curv.matvec, v)

    vg = getattr(f, "value_and_grad", None) or (lambda z: (f.value(z), f.grad(z)))
    xp = bk.xp
    mon = Monitor(method, tol=tol, max_iter=max_iter, measure_name="grad_norm",
                  callback=callback, verbose=verbose, to_host=bk.to_host)
    fx, gx = vg(x)
    fx = float(fx)
    nfev = njev = 1
    L = 1.0
    n_fallback = 0
    stop = mon.record(0, x, fx, float(xp.linalg.norm(gx)), nfev=nfev, njev=njev,
                      n_bprod=curv.n_products, L=L, backtracks=0,
                      **({"restart": False} if accelerated else {}))
    bt = 0
    L_local = 0.0
    warned = False
    # the FGM has no curvature along its step to bound the trial by, so it lowers L gently
    shrink = 1.25 if accelerated else 2.0
    steps = []  # previous Krylov steps, newest first
    x_prev, t = x, 1.0  # fast gradient method state; x, fx, gx are at the point y there

    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, max_iter + 1):
            if stop:
                break
            if krylov:
                h1, decrease = krylov_model_step(gx, curv.matvec, degree, xp, steps[:memory])
                if h1 is None:
                    mon.stop_with(LINESEARCH_FAILED)
                    break
                direction = h1
            else:
                d = precondition(gx)
                decrease = float(gx @ d)
                step = base_step
                if not decrease > 0:  # an estimated P_tau that is not positive along g
                    d, decrease, step = gx, float(gx @ gx), fallback_step
                    n_fallback += 1
                direction, decrease = -d * step, decrease * step
            # the model at L: f(x) - decrease / (2 L) at the point x + direction / L
            if backtracking and bt == 0:  # try a smaller L after a step accepted at once
                L = max(L / shrink, L_local, _L_MIN)
            for bt in range(_MAX_BACKTRACKS):
                x_new = x + direction / L
                if accelerated:
                    f_new, g_new = float(f.value(x_new)), None
                    nfev += 1
                else:
                    f_new, g_new = vg(x_new)
                    f_new = float(f_new)
                    nfev += 1
                    njev += 1
                model_gain = decrease / (2 * L)
                if model_gain > _ROUNDING * max(abs(fx), 1.0):
                    accepted = f_new <= fx - (1 - _TEST_SLACK) * model_gain
                else:
                    # f differences this small are rounding noise: test the curvature along
                    # h instead, <grad f(x + h) - grad f(x), h> <= L ||h||^2 (exact for
                    # quadratics, as in TFOCS)
                    if g_new is None:
                        g_new = f.grad(x_new)
                        njev += 1
                    curvature = float((g_new - gx) @ direction) / L
                    accepted = curvature <= (1 + _TEST_SLACK) * decrease / L
                if accepted:
                    break
                if not (backtracking or warned or sigma_method == "hutchinson"):
                    warnings.warn(
                        f"{method}: the sufficient-decrease test failed at L = {L:g}, so B does "
                        "not bound the Hessian of f along the step (or f is not convex); L is "
                        "doubled until it holds", RuntimeWarning, stacklevel=2)
                    warned = True
                L *= 2
            else:
                mon.stop_with(LINESEARCH_FAILED)
                break
            extra = {}
            if accelerated:
                restarted = bool(restart and float(gx @ (x_new - x_prev)) > 0)
                if momentum is not None:
                    beta = momentum(L)
                else:
                    t_new = (1 + math.sqrt(1 + 4 * t * t)) / 2
                    beta, t = (t - 1) / t_new, t_new
                if restarted:
                    beta, t = 0.0, 1.0
                x = x_new + beta * (x_new - x_prev)
                x_prev = x_new
                fx, gx = vg(x)
                fx = float(fx)
                nfev += 1
                njev += 1
                extra["restart"] = restarted
            else:
                if backtracking:
                    # curvature along the accepted step in the step's metric (1 on a
                    # quadratic whose Hessian is B): the next trial L need not go below it
                    L_local = L * float((g_new - gx) @ direction) / decrease
                if memory:
                    steps = [direction / L] + steps[:memory - 1]
                x, fx, gx = x_new, f_new, g_new
            stop = mon.record(k, x, fx, float(xp.linalg.norm(gx)), nfev=nfev, njev=njev,
                              n_bprod=curv.n_products, L=L, backtracks=bt, **extra)

    return mon.result(finish_x(x, bk, on_gpu), fx, nfev=nfev, njev=njev,
                      n_bprod=curv.n_products, tau=degree, sigma=sigma,
                      sigma_method=sigma_method, L=L, n_fallback=n_fallback)


def _constant_momentum(mu, curv, coeffs, sig_next, s, degree):
    """``L -> (1 - sqrt(q / L)) / (1 + sqrt(q / L))`` with ``q = mu lambda_min(P) /
    sigma_{tau+1}``, the strong convexity of ``f`` in the metric ``sigma_{tau+1} P^{-1}``.

    ``lambda_min(P_tau) = sigma_tau(lambda without lambda_max)`` comes from the exact spectrum
    when it is known, else from the polynomial at a power-iteration estimate of
    ``lambda_max``."""
    if curv.eigenvalues is not None:
        low = float(leave_one_out_symmetric(curv.eigenvalues / s, degree).min())
    else:
        lam_max = curv.largest_eigenvalue() / s
        low = float(np.polyval(coeffs[::-1], lam_max))
    q = max(mu * low / (s * sig_next), 0.0)

    def momentum(L):
        r = math.sqrt(min(q / L, 1.0))
        return (1 - r) / (1 + r)

    return momentum
