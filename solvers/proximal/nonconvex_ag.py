"""Accelerated gradient for nonconvex composite problems (Ghadimi and Lan), with the damping
sequence of Yang, Asgharian and Bhatnagar.

For ``min f(x) + g(x)`` with ``f`` L-smooth (possibly nonconvex) and ``g`` convex with a prox,
the method keeps three sequences (Ghadimi and Lan 2016, Algorithm 1 with the composite
steps of their section 3):

    x_md  = (1 - alpha_k) x_ag + alpha_k x
    x     = prox_{lambda_k g}(x - lambda_k grad f(x_md))
    x_ag  = prox_{beta_k g}(x_md - beta_k grad f(x_md)).

SCAD and MCP are handled by the splitting of Yang et al.: ``g = alpha ||.||_1 + h`` with ``h``
smooth and concave (``grad h`` is ``1/(a - 1)``- resp. ``1/gamma``-Lipschitz), ``h`` moved into
the smooth part, so the prox is soft-thresholding and the smooth part is
``max(L_f, 1/(a - 1))``- (resp. ``max(L_f, 1/gamma)``-) smooth: its Hessian lies between
``-1/(a - 1)`` and ``L_f``.
"""
from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from ..backend import array_namespace
from ..core.monitor import Monitor
from ..core.optimality import prox_grad_mapping_norm
from ..core.validation import check_callback_and_seed, check_option, check_scalar, require
from ._common import finish_x, place_on_backend, initial_point

DAMPINGS = ("optimal", "ghadimi-lan")
RESTARTS = (None, "speed")


class _Split:
    """The smooth part ``f + h`` and the prox of the convex rest, for a penalty ``g``."""

    def __init__(self, f, g):
        self.f, self.g = f, g
        self.concave = g is not None and getattr(g, "concave_part_grad", None) is not None
        if g is not None and not self.concave:
            require(g, "prox", "penalty g")
            if getattr(g, "max_step", None) is not None:
                raise TypeError(f"{type(g).__name__} is weakly convex but has no splitting "
                                "(`concave_part_grad`, `split_prox`); nonconvex_ag needs one")
        self.l1 = float(g.l1_part) if self.concave else 0.0

    def value_and_grad(self, x):
        vg = getattr(self.f, "value_and_grad", None)
        fx, gx = vg(x) if vg is not None else (self.f.value(x), self.f.grad(x))
        if self.concave:
            gx = gx + self.g.concave_part_grad(x)
        return float(fx), gx

    def prox(self, v, step):
        if self.g is None:
            return v
        if self.concave:
            return self.g.split_prox(v, step)
        return self.g.prox(v, step)

    def penalty(self, x):
        return 0.0 if self.g is None else float(self.g.value(x))

    def lipschitz(self, L_f):
        return max(L_f, float(self.g.concave_part_lipschitz)) if self.concave else L_f


def damping_sequence(kind, L):
    """Generator of ``(alpha_k, beta_k, lambda_k)``, k = 1, 2, ...

    ``"optimal"`` (Yang, Asgharian and Bhatnagar): ``beta_k = 1/L``, ``alpha_1 = 1``,
    ``alpha_k^2 = (1 - alpha_k) alpha_{k-1}^2`` (i.e. ``alpha_k = 2 / (1 + sqrt(1 + 4 /
    alpha_{k-1}^2))``, Nesterov's sequence, below ``2/(k+1)``) and ``lambda_k = beta_k /
    alpha_k``, so that ``alpha_k lambda_k = beta_k``. ``"ghadimi-lan"`` (their Corollary 2):
    ``alpha_k = 2/(k+1)``, ``beta_k = 1/(2L)``, ``lambda_k = k beta_k / 2``.
    """
    if kind == "ghadimi-lan":
        beta = 0.5 / L
        k = 1
        while True:
            yield 2.0 / (k + 1), beta, k * beta / 2.0
            k += 1
    beta = 1.0 / L
    alpha = 1.0
    while True:
        yield alpha, beta, beta / alpha
        alpha = 2.0 / (1.0 + math.sqrt(1.0 + 4.0 / (alpha * alpha)))


def nonconvex_ag(f, g=None, x0=None, *, damping="optimal", L=None, restart=None,
                 measure="mapping", working_set=False, tol=1e-8, max_iter=1000, callback=None,
                 verbose=False, backend="auto"):
    """Minimize ``f(x) + g(x)`` with ``f`` smooth and ``g`` a convex or folded concave
    (SCAD, MCP) penalty by the accelerated gradient method of Ghadimi and Lan.

    Parameters
    ----------
    f : smooth part
        Needs ``value`` and ``grad`` (``value_and_grad`` is used when present) and, unless
        ``L`` is given, ``lipschitz``.
    g : penalty, optional
        A convex penalty with ``prox`` (L1, elastic net, group L1, ...), or SCAD / MCP, which
        are split as ``alpha ||x||_1 + h(x)`` with the smooth concave ``h`` moved into the
        smooth part (Yang et al.), so that every prox is soft-thresholding.
    x0 : array, optional
        Starting point (default zeros). Never modified.
    damping : {"optimal", "ghadimi-lan"} or callable, default "optimal"
        The parameters ``(alpha_k, beta_k, lambda_k)``: ``"optimal"`` is the setting of
        Yang, Asgharian and Bhatnagar (``beta_k = 1/L``, ``alpha_k`` from
        ``alpha_k^2 = (1 - alpha_k) alpha_{k-1}^2`` with ``alpha_1 = 1``,
        ``lambda_k = beta_k / alpha_k``); ``"ghadimi-lan"`` is the original setting
        (``alpha_k = 2/(k+1)``, ``beta_k = 1/(2L)``, ``lambda_k = k beta_k / 2``, Ghadimi and
        Lan 2016, Corollary 2). A callable ``damping(k, L) -> (alpha_k, beta_k, lambda_k)``
        gives any other sequence (``0 < alpha_k <= 1``, ``alpha_1 = 1``).
    L : float, optional
        Lipschitz constant of ``grad f`` (default ``f.lipschitz``); with SCAD / MCP the
        solver uses ``max(L, 1/(a - 1))`` resp. ``max(L, 1/gamma)``.
    restart : {None, "speed"}, default None
        ``"speed"``: reset ``alpha`` to 1 when ``||x_md^k - x_md^{k-1}||`` falls below its
        previous value, at most every 3 iterations (the restart of the authors' package).
    measure : {"mapping", "prox_grad_norm"}, default "mapping"
        ``"mapping"``: the gradient mapping at ``x_md``, ``||x_md - x_ag|| / beta_k`` (the
        stationarity measure of Ghadimi and Lan's Theorem 2, free); ``"prox_grad_norm"``: the
        prox-gradient mapping at the returned point ``x_ag`` (one more gradient per
        iteration).
    working_set : bool, default False
        Solve a sequence of problems restricted to working sets (the support plus the
        coordinates that violate stationarity most, at least 10 and twice the support), each
        by this method warm-started, until the largest Clarke KKT distance
        ``max_j dist(-grad_j f(x), partial g_j(x_j))`` over all coordinates is ``<= tol``
        (then the measure, and the history has one row per working set). Needs ``f.restrict``
        (:class:`problems.LeastSquares`, :class:`problems.Logistic`) and a separable penalty.
        On problems with more features than samples the method then stops at sparse
        stationary points with much lower objective, as coordinate descent does, instead of
        the dense ones full-gradient methods reach from zero.
    tol : float, default 1e-8
        Stop when the measure is <= tol.
    max_iter : int, default 1000
    callback : callable, optional
        ``callback(intermediate_result)``; raise StopIteration to stop.
    verbose : bool, default False
    backend : {"auto", "cpu", "gpu"}, default "auto"

    Returns
    -------
    Result
        ``x`` is ``x_ag`` (a prox output, hence sparse with L1-type penalties) and ``fun`` is
        ``F(x_ag)``; the history records per iteration ``F(x_md)`` (free from the gradient
        evaluation), the measure, ``alpha`` and ``restart``.

    Notes
    -----
    With ``f`` convex and ``g`` convex the method is an accelerated method with the rate
    ``O(L ||x0 - x*||^2 / k^2)`` on ``F(x_ag^k) - F*``; for nonconvex smooth parts the
    squared gradient mapping decays like ``O(L (F(x0) - F*) / k)`` in the best iterate
    (Ghadimi and Lan 2016, Theorem 2 and Corollary 2).

    References
    ----------
    S. Ghadimi and G. Lan, "Accelerated gradient methods for nonconvex nonlinear and stochastic
    programming", Mathematical Programming 156, 2016.
    K. Yang, M. Asgharian, S. Bhatnagar, "Accelerated gradient methods for sparse statistical
    learning with nonconvex penalties", Statistics and Computing 34, 2024 (arXiv:2009.10629).

    Examples
    --------
    >>> import numpy as np, problems, solvers
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 30)); y = X[:, 0] * 3 + 0.1 * rng.standard_normal(100)
    >>> res = solvers.nonconvex_ag(problems.LeastSquares(X, y), problems.SCAD(0.1))
    >>> res.success, int(np.count_nonzero(res.x))
    (True, 1)
    """
    if not callable(damping):
        check_option(damping, "damping", DAMPINGS)
    check_option(restart, "restart", RESTARTS)
    check_option(measure, "measure", ("mapping", "prox_grad_norm"))
    tol = check_scalar(tol, "tol", lower=0.0)
    max_iter = check_scalar(max_iter, "max_iter", lower=0, integer=True)
    if L is not None:
        L = check_scalar(L, "L", lower=0.0, lower_inclusive=False)
    check_callback_and_seed(callback, None)
    if not isinstance(working_set, (bool, np.bool_)):
        raise TypeError(f"working_set must be True or False, got {working_set!r}")
    if working_set:
        from .working_set import solve_working_sets

        return solve_working_sets(
            _working_set_inner, f, g, x0, tol=tol, max_iter=max_iter, callback=callback,
            verbose=verbose, backend=backend,
            options=dict(damping=damping, L=L, restart=restart, measure=measure))
    return _solve(f, g, x0, damping=damping, L=L, restart=restart, measure=measure, tol=tol,
                  max_iter=max_iter, callback=callback, verbose=verbose, backend=backend)


def _working_set_inner(f, g, x0, *, tol, max_iter, backend, damping, L, restart, measure):
    """The solver of one working set: its history is not kept, so the objective of each
    iteration (one penalty evaluation) is not computed; the returned ``fun`` is. On the CPU,
    SCAD / MCP fits in Gram form or over a dense or sparse design run the compiled loop
    (:func:`_compiled_solve`, the same iterates)."""
    if backend == "cpu" and x0 is not None:
        res = _compiled_solve(f, g, x0, damping=damping, L=L, restart=restart,
                              measure=measure, tol=tol, max_iter=max_iter)
        if res is not None:
            return res
    return _solve(f, g, x0, damping=damping, L=L, restart=restart, measure=measure, tol=tol,
                  max_iter=max_iter, callback=None, verbose=False, backend=backend,
                  track_objective=False)


def _solve(f, g, x0, *, damping, L, restart, measure, tol, max_iter, callback, verbose,
           backend, track_objective=True):
    require(f, "value", "smooth part f")
    require(f, "grad", "smooth part f")
    if g is not None:
        require(g, "value", "penalty g")
    split = _Split(f, g)
    bk, f, on_gpu = place_on_backend(f, backend, x0)
    split.f = f
    x = initial_point(f, x0, bk)
    if L is None:
        lip = getattr(f, "lipschitz", None)
        if lip is None:
            raise TypeError(f"nonconvex_ag needs L or `lipschitz` from {type(f).__name__}")
        L = lip
    L = split.lipschitz(check_scalar(float(L), "L", lower=0.0, lower_inclusive=False))
    xp = array_namespace(x)

    def fresh_sequence():
        return params() if callable(damping) else damping_sequence(damping, L)

    if callable(damping):
        def params():
            k = 1
            while True:
                out = damping(k, L)
                if not isinstance(out, (tuple, list)) or len(out) != 3:
                    raise TypeError(f"damping(k, L) must return (alpha_k, beta_k, lambda_k), "
                                    f"got {out!r}")
                a, b, lam = out
                if not (0 < a <= 1 and b > 0 and lam > 0):
                    raise ValueError(f"damping({k}, L) must give 0 < alpha <= 1, beta > 0, "
                                     f"lambda > 0; got {(a, b, lam)}")
                if k == 1 and a != 1:
                    raise ValueError(f"damping(1, L) must give alpha_1 = 1 (the method starts "
                                     f"with x_md = x_0), got {a!r}")
                yield float(a), float(b), float(lam)
                k += 1
    seq = fresh_sequence()

    mon = Monitor("nonconvex_ag", tol=tol, max_iter=max_iter, measure_name=measure,
                  callback=callback, verbose=verbose, to_host=bk.to_host)
    x_ag = x
    nfev = njev = 0
    fx, gx = split.value_and_grad(x)
    nfev += 1
    njev += 1
    F = fx + split.penalty(x) if track_objective else None
    m0 = prox_grad_mapping_norm(split, x, gx, 1.0 / L)
    stop = mon.record(0, x, F, m0, nfev=nfev, njev=njev, alpha=1.0, restart=0)
    x_md_prev = None
    speed_prev = math.inf
    last_restart = 0
    restarted = False
    k = 0
    with np.errstate(over="ignore", invalid="ignore"):  # divergence ends with a status
        while not stop and k < max_iter:
            k += 1
            if restarted:
                seq = fresh_sequence()  # alpha back to 1: x_md = x, lambda = beta
            alpha, beta, lam = next(seq)
            x_md = x if alpha == 1.0 else (1.0 - alpha) * x_ag + alpha * x
            if k > 1 or x_md is not x:
                fx, gx = split.value_and_grad(x_md)
                nfev += 1
                njev += 1
            x = split.prox(x - lam * gx, lam)
            x_ag = split.prox(x_md - beta * gx, beta)
            F_md = fx + split.penalty(x_md) if track_objective else None
            if measure == "mapping":
                m = float(xp.linalg.norm((x_md - x_ag).ravel())) / beta
            else:
                _, g_ag = split.value_and_grad(x_ag)
                njev += 1
                m = prox_grad_mapping_norm(split, x_ag, g_ag, 1.0 / L)
            restarted = False
            if restart == "speed" and x_md_prev is not None:
                speed = float(xp.linalg.norm((x_md - x_md_prev).ravel()))
                if speed < speed_prev and k - last_restart >= 3:
                    restarted, last_restart = True, k
                speed_prev = speed
            x_md_prev = x_md
            stop = mon.record(k, x_ag, F_md, m, nfev=nfev, njev=njev, alpha=alpha,
                              restart=int(restarted))
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged run: fun is inf / nan
        fun = float(f.value(x_ag)) + (0.0 if g is None else float(g.value(x_ag)))
    n_restarts = int(np.sum(mon.history.restart)) if len(mon.history) else 0
    return mon.result(finish_x(x_ag, bk, on_gpu), fun, nfev=nfev + 1, njev=njev,
                      n_restarts=n_restarts, L=L)


#: Placeholders for the design the compiled loop's form does not read (dense or CSC);
#: read-only, shared by every call.
_NO_CSC = (np.zeros(1, dtype=np.int32), np.zeros(1, dtype=np.int32), np.zeros(1))
_NO_DENSE = np.zeros((1, 1))


def _compiled_form(f):
    """``(form, A, csc, c, offset, n)`` of a fit the compiled loop evaluates, or None: ``A``
    a dense design or Gram matrix, ``csc = (indptr, indices, data)`` a sparse design (a CSC
    view of the fit's matrix, converted when it is CSR; never densified)."""
    from . import _ag_kernels as K
    from .working_set import _GramFit

    if isinstance(f, _GramFit):
        if f.G.dtype != np.float64:
            return None
        return K.GRAM, f.G, _NO_CSC, np.asarray(f.b, dtype=np.float64), np.zeros(1), 1.0
    loss = getattr(f, "glm_loss", None)
    X, y = getattr(f, "X", None), getattr(f, "y", None)
    sparse = sp.issparse(X) and X.format in ("csc", "csr")
    if loss not in ("squared", "logistic") or not (isinstance(X, np.ndarray) or sparse) \
            or not isinstance(y, np.ndarray) or X.dtype != np.float64 or X.ndim != 2:
        return None
    offset = getattr(f, "offset", None)
    if offset is not None and not isinstance(offset, np.ndarray):
        return None
    n = X.shape[0]
    if sparse:
        Xc = X.tocsc() if X.format == "csr" else X
        csc = (Xc.indptr, Xc.indices, Xc.data)
        A = _NO_DENSE
        code = K.SPARSE_LEAST_SQUARES if loss == "squared" else K.SPARSE_LOGISTIC
    else:
        A, csc = np.ascontiguousarray(X), _NO_CSC
        code = K.LEAST_SQUARES if loss == "squared" else K.LOGISTIC
    if loss == "squared":
        c = y if offset is None else y - offset
        return code, A, csc, np.ascontiguousarray(c, dtype=np.float64), np.zeros(1), float(n)
    off = np.zeros(n) if offset is None else np.ascontiguousarray(offset, dtype=np.float64)
    return code, A, csc, np.ascontiguousarray(y, dtype=np.float64), off, float(n)


def _compiled_solve(f, g, x0, *, damping, L, restart, measure, tol, max_iter):
    """:func:`_solve` without history in one numba call, for SCAD / MCP
    (``folded_concave_params``) on a least-squares or logistic fit on the CPU; None when the
    case is not covered (then the Python loop runs)."""
    from ..core.result import CONVERGED, MAX_ITER, NUMERICAL_ERROR
    from . import _ag_kernels as K

    params = getattr(g, "folded_concave_params", None) if g is not None else None
    if params is None or callable(damping) or measure != "mapping":
        return None
    form = _compiled_form(f)
    if form is None or not isinstance(x0, np.ndarray) or x0.dtype != np.float64:
        return None
    kind, lam, shape = params
    split = _Split(f, g)
    if L is None:
        L = f.lipschitz
    L = split.lipschitz(check_scalar(float(L), "L", lower=0.0, lower_inclusive=False))
    code, A, csc, c, offset, n = form
    x_ag, nit, status, nfev, m, n_restarts = K.split_ag(
        code, A, csc, c, offset, n, K.SCAD if kind == "scad" else K.MCP, float(lam), float(shape),
        np.array(x0, dtype=np.float64), float(L),
        K.OPTIMAL if damping == "optimal" else K.GHADIMI_LAN, restart == "speed", float(tol),
        int(max_iter), bool(getattr(g, "unpenalized_last", False)))
    mon = Monitor("nonconvex_ag", tol=tol, max_iter=max_iter, measure_name=measure)
    mon.record(int(nit), x_ag, None, m, nfev=nfev, njev=nfev)
    mon.stop_with({K.CONVERGED: CONVERGED, K.MAX_ITER: MAX_ITER,
                   K.NUMERICAL_ERROR: NUMERICAL_ERROR}[status])
    fun = float(f.value(x_ag)) + float(g.value(x_ag))
    return mon.result(x_ag, fun, nfev=nfev + 1, njev=nfev, n_restarts=int(n_restarts), L=L)
