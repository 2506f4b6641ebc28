"""Adaptive inexact Newton (SQP) method on the exact augmented Lagrangian, with randomized
iterative sketching for the Newton system (Hong, Na, Mahoney and Kolar, ICML 2023).

For ``min f(x)`` subject to ``c(x) = 0`` with Lagrangian ``L(x, lam) = f(x) + lam^T c(x)``,
each iteration

1. evaluates the KKT residual ``R = ||(grad_x L, c)||`` and stops when ``R <= tol``;
2. takes ``B = hess_x L`` when the reduced Hessian ``Z^T B Z`` (``Z`` an orthonormal
   null-space basis of the Jacobian ``G``) is positive definite, else ``B = hess_x L + delta
   I`` with the ``delta`` that raises its smallest eigenvalue to ``gamma min(1, R)``, so that the Newton system

       [ B  G^T ] [dx  ]     [ grad_x L ]
       [ G   0  ] [dlam] = - [    c     ]

   has a unique solution of the right inertia;
3. solves that system inexactly by sketch-and-project (:mod:`._sketch`), to the adaptive
   accuracy ``||K d + r|| <= theta_k ||r||`` with ``theta_k = accuracy * min(1, R)^sharpen``
   (``sharpen > 0`` makes ``theta_k -> 0`` and the local rate superlinear, of order
   ``1 + sharpen``);
4. checks that ``d`` is a descent direction of the exact augmented Lagrangian merit

       L_{mu,nu}(x, lam) = L(x, lam) + mu/2 ||c(x)||^2 + nu/2 ||grad_x L(x, lam)||^2,

   ``grad L_{mu,nu}^T d <= -eta (nu ||grad_x L||^2 + mu ||c||^2)``; the left side is affine in
   ``mu``, so the smallest admissible ``mu`` is computed in closed form and ``mu`` is raised
   to at least ``rho`` times its value when needed; when no ``mu`` helps (the inexactness
   dominates) the sketch solve continues to a tenfold tighter accuracy;
5. backtracks (Armijo) on the merit from the unit step.
"""
from __future__ import annotations

import math

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from ..core.monitor import Monitor
from ..core.result import LINESEARCH_FAILED, SINGULAR
from ..core.validation import check_option, check_scalar, check_x0, require
from . import _sketch

SKETCHES = ("kaczmarz", "gaussian", "block", "direct")
_KIND = {"kaczmarz": _sketch.KACZMARZ, "gaussian": _sketch.GAUSSIAN, "block": _sketch.BLOCK}
#: Problems with more unknowns than this use the conservative Hessian shift
#: ``delta = max(0, gamma - lambda_min(H))`` instead of the reduced-Hessian eigenvalues.
DENSE_REDUCED_LIMIT = 2000


class _Evaluator:
    """The problem's functions at a point, with the Lagrangian gradient."""

    def __init__(self, problem):
        self.p = problem
        self.f = getattr(problem, "f", None) or problem
        require(self.f, "value", "objective f")
        require(self.f, "grad", "objective f")
        require(problem, "c", "constrained problem")
        require(problem, "jac", "constrained problem")
        if getattr(problem, "hess_lagrangian", None) is None:
            require(problem, "hvp_lagrangian", "constrained problem (or hess_lagrangian)")

    def point(self, x, lam):
        f = self.f
        vg = getattr(f, "value_and_grad", None)
        fx, g = vg(x) if vg is not None else (f.value(x), f.grad(x))
        c = np.asarray(self.p.c(x), dtype=np.float64).ravel()
        G = self.p.jac(x)
        G = sp.csr_matrix(G) if sp.issparse(G) else np.asarray(G, dtype=np.float64)
        if G.shape != (c.size, x.size):
            raise ValueError(f"jac(x) has shape {G.shape}, expected (m, n) = "
                             f"{(c.size, x.size)}: c(x) has m = {c.size} entries")
        gl = np.asarray(g, dtype=np.float64).ravel() + G.T @ lam
        return float(fx), c, G, np.asarray(gl).ravel()

    def hessian(self, x, lam, n):
        H = getattr(self.p, "hess_lagrangian", None)
        if H is not None:
            H = H(x, lam)
            return sp.csr_matrix(H) if sp.issparse(H) else np.asarray(H, dtype=np.float64)
        eye = np.eye(n)
        cols = [np.asarray(self.p.hvp_lagrangian(x, lam, eye[:, j])) for j in range(n)]
        return np.column_stack(cols)


def _merit(fx, c, lam, gl, mu, nu):
    return fx + float(lam @ c) + 0.5 * mu * float(c @ c) + 0.5 * nu * float(gl @ gl)


def _shift(H, G, gamma, n, m):
    """``delta`` making ``Z^T (H + delta I) Z >= gamma I``; None when ``G`` is rank deficient
    (dense case)."""
    if n <= DENSE_REDUCED_LIMIT and not sp.issparse(H) and not sp.issparse(G):
        if m:
            U, s, Vt = sla.svd(G, full_matrices=True)
            if s.size < m or s[-1] <= 1e-12 * max(s[0], 1e-300) or s[-1] <= 1e-300:
                return None
            Z = Vt[m:].T
        else:
            Z = np.eye(n)
        if Z.shape[1] == 0:
            return 0.0
        lo = float(sla.eigvalsh(Z.T @ H @ Z)[0])
        return _shift_from(lo, gamma, H)
    from scipy.sparse.linalg import eigsh

    try:
        lo = float(eigsh(sp.csr_matrix(H), k=1, which="SA", tol=1e-6,
                         return_eigenvectors=False)[0])
    except Exception:  # noqa: BLE001 - ARPACK failure: fall back to a Gershgorin bound
        Hs = sp.csr_matrix(H)
        d = Hs.diagonal()
        off = np.asarray(abs(Hs).sum(axis=1)).ravel() - np.abs(d)
        lo = float(np.min(d - off))
    return _shift_from(lo, gamma, H)


def _shift_from(lo, gamma, H):
    """No shift when the smallest (reduced) eigenvalue ``lo`` is safely positive; else the
    shift that raises it to ``gamma`` (a level, not a sliver above zero: the null-space step
    then stays of the size of the gradient over ``gamma``)."""
    scale = float(abs(H).max()) if H.shape[0] else 0.0
    if lo > 1e-8 * max(1.0, scale):
        return 0.0
    return gamma - lo


def _kkt(B, G, n, m):
    if sp.issparse(B) or sp.issparse(G):
        return sp.bmat([[sp.csr_matrix(B), sp.csr_matrix(G).T],
                        [sp.csr_matrix(G), None]], format="csr")
    K = np.zeros((n + m, n + m))
    K[:n, :n] = B
    K[:n, n:] = G.T
    K[n:, :n] = G
    return K


class _Solver:
    """The inner linear solver: sketch-and-project (warm-started) or a direct solve."""

    def __init__(self, sketch, K, rhs, block, max_steps, check_every, rng, device=None):
        self.sketch, self.K, self.rhs = sketch, K, rhs
        self.device = device
        if device is not None:  # moved once, not at every tightening of the accuracy
            self.K_device = (device.sparse.csr_matrix(K) if sp.issparse(K)
                             else device.to_device(K))
            self.rhs_device = device.to_device(rhs)
        self.z = np.zeros_like(rhs)
        self.block, self.max_steps, self.check_every, self.rng = block, max_steps, \
            check_every, rng
        self.steps = 0
        self.res = float(np.linalg.norm(rhs))
        if sp.issparse(K):
            K.sort_indices()
        self.exact = False

    def solve_to(self, target):
        if self.sketch == "direct" or self.exact:
            return self.direct()
        budget = self.max_steps - self.steps
        if budget <= 0 or self.res <= target:
            return self.res <= target
        seed = int(self.rng.integers(2 ** 31 - 1))
        K = self.K
        if self.device is not None:
            bk = self.device
            z = bk.to_device(self.z)
            steps, res = _sketch.sketch_xp(_KIND[self.sketch], self.K_device, self.rhs_device,
                                           z, target, budget, self.check_every, self.block,
                                           self.rng)
            self.z = np.asarray(bk.to_host(z), dtype=np.float64)
        elif sp.issparse(K):
            steps, res = _sketch.sketch_csr(_KIND[self.sketch], K.indptr, K.indices, K.data,
                                            self.rhs, self.z, target, budget,
                                            self.check_every, self.block, seed)
        else:
            steps, res = _sketch.sketch_dense(_KIND[self.sketch], K, self.rhs, self.z, target,
                                              budget, self.check_every, self.block, seed)
        self.steps += int(steps)
        self.res = float(res)
        return self.res <= target

    def direct(self):
        K = self.K
        try:
            if sp.issparse(K):
                from scipy.sparse.linalg import spsolve

                z = spsolve(sp.csc_matrix(K), self.rhs)
            else:
                z = sla.solve(K, self.rhs, assume_a="sym")
        except (np.linalg.LinAlgError, RuntimeError):
            return False
        if not np.all(np.isfinite(z)):
            return False
        self.z = np.asarray(z, dtype=np.float64)
        self.res = float(np.linalg.norm(K @ self.z - self.rhs))
        self.exact = True
        return True


def exact_al(problem, x0=None, lam0=None, *, sketch="kaczmarz", tol=1e-6, max_iter=200,
             accuracy=0.1, sharpen=1.0, block_size=None, max_inner=None, mu=1.0, nu=0.1,
             rho=2.0, eta=0.25, armijo=1e-4, backtrack=0.5, gamma=1.0, random_state=None,
             callback=None, verbose=False, backend="auto"):
    """Solve ``min f(x)`` subject to ``c(x) = 0`` by the adaptive inexact Newton method on the
    exact augmented Lagrangian, with a randomized sketching solver for the Newton system.

    Parameters
    ----------
    problem : equality-constrained problem
        Needs ``f`` (a smooth part with ``value`` and ``grad``; the problem itself when it has
        no ``f``), ``c(x)``, ``jac(x)`` (dense or scipy sparse, ``(m, n)``) and
        ``hess_lagrangian(x, lam)`` (or ``hvp_lagrangian(x, lam, v)``, then the Hessian is
        assembled column by column), ``n``, ``m``; ``x0`` / ``lam0`` are used as defaults.
        The Lagrangian is ``f + lam^T c``.
    x0, lam0 : array, optional
        Starting point and multipliers (default ``problem.x0`` and ``problem.lam0``, else
        zeros). Never modified.
    sketch : {"kaczmarz", "gaussian", "block", "direct"}, default "kaczmarz"
        The solver of the Newton system: randomized Kaczmarz (rows sampled by squared norm),
        Gaussian sketch-and-project, randomized block Kaczmarz (``block_size`` rows), or a
        direct factorization (exact Newton).
    tol : float, default 1e-6
        Stop when the KKT residual ``||(grad_x L, c)||_2 <= tol``.
    max_iter : int, default 200
        Outer (Newton) iterations.
    accuracy : float in (0, 1), default 0.1
        ``theta``: the sketch solver runs until ``||K d + r|| <= theta_k ||r||``.
    sharpen : float >= 0, default 1
        ``theta_k = accuracy * min(1, R_k)^sharpen``: 0 keeps the accuracy fixed (a linear
        local rate, about ``accuracy``); ``p > 0`` sharpens the condition as the KKT residual
        ``R_k`` falls, for a superlinear local rate of order ``1 + p`` (``p = 1``: quadratic,
        as exact Newton).
    block_size : int, optional
        Rows per block sketch (default ``max(2, ceil(sqrt(n + m)))``).
    max_inner : int, optional
        Sketch steps per outer iteration before falling back to a direct solve (default
        ``200 (n + m)``).
    mu, nu : float, default 1.0, 0.1
        Initial penalty parameters of the merit (``mu`` is raised adaptively; ``nu`` is
        lowered only when even an exact direction fails the descent test).
    rho : float > 1, default 2
        Factor of the ``mu`` increases (and ``nu`` decreases).
    eta : float in (0, 1), default 0.25
        Descent test ``grad L_{mu,nu}^T d <= -eta (nu ||grad_x L||^2 + mu ||c||^2)``.
    armijo, backtrack : float, default 1e-4, 0.5
        Armijo constant and step reduction of the line search on the merit.
    gamma : float > 0, default 1
        When the reduced Hessian is not positive definite, its smallest eigenvalue is raised to
        ``gamma * min(1, R_k)`` (a level, so that the null-space part of the step stays
        bounded); a positive definite reduced Hessian is never modified, which keeps Newton's
        local rate.
    random_state : None, int or numpy Generator
    callback : callable, optional
        ``callback(intermediate_result)``; raise StopIteration to stop.
    verbose : bool, default False
    backend : {"auto", "cpu", "gpu"}, default "auto"
        Where the sketch iterations run: ``"cpu"`` / ``"auto"``, the numba kernels;
        ``"gpu"``, the array-operation version (:func:`._sketch.sketch_xp`, cupy) on the KKT
        matrix moved to the device (the problem's functions are evaluated on the host; use
        ``sketch="block"`` there, whose steps are matrix operations).

    Returns
    -------
    Result
        ``x``, ``lam`` (multipliers), ``fun``, ``kkt`` (final KKT residual), ``nit`` (outer
        iterations), ``n_inner`` (sketch steps in total), ``mu``, ``nu``. The history records
        per outer iteration the objective, the KKT residual (``measure``), ``feasibility``
        (``||c||``), ``stationarity`` (``||grad_x L||``), and for the step that led to it
        ``mu``, ``nu``, ``theta`` (the accuracy used), ``inner`` (sketch steps),
        ``linsys_residual`` (``||K d + r||`` reached), ``slope`` (``grad L_{mu,nu}^T d``),
        ``delta`` (Hessian shift) and ``step`` (accepted step length). ``status`` is ``SINGULAR`` when the Jacobian is rank deficient (the KKT
        matrix is singular), ``LINESEARCH_FAILED`` when no step decreases the merit.

    References
    ----------
    I. Hong, S. Na, M. W. Mahoney, M. Kolar, "Constrained optimization via exact augmented
    Lagrangian and randomized iterative sketching", ICML 2023 (arXiv:2305.18379).
    R. M. Gower, P. Richtarik, "Randomized iterative methods for linear systems", SIAM J.
    Matrix Anal. Appl. 36(4), 2015 (sketch-and-project).
    G. Di Pillo, L. Grippo, "A new class of augmented Lagrangians in nonlinear programming",
    SIAM J. Control Optim. 17(5), 1979 (the exact augmented Lagrangian).

    Examples
    --------
    >>> import problems, solvers
    >>> res = solvers.exact_al(problems.cutest.load("HS28"), sketch="direct")
    >>> res.success, round(res.fun, 8)
    (True, 0.0)
    """
    check_option(sketch, "sketch", SKETCHES)
    check_option(backend, "backend", ("auto", "cpu", "gpu"))
    device = None
    if backend == "gpu":
        from ..backend import get_backend

        device = get_backend("gpu")  # raises a clear error without cupy or a device
    tol = check_scalar(tol, "tol", lower=0.0)
    max_iter = check_scalar(max_iter, "max_iter", lower=0, integer=True)
    accuracy = check_scalar(accuracy, "accuracy", lower=0.0, upper=1.0, lower_inclusive=False,
                            upper_inclusive=False)
    sharpen = check_scalar(sharpen, "sharpen", lower=0.0)
    mu = check_scalar(mu, "mu", lower=0.0, lower_inclusive=False)
    nu = check_scalar(nu, "nu", lower=0.0, lower_inclusive=False)
    rho = check_scalar(rho, "rho", lower=1.0, lower_inclusive=False)
    eta = check_scalar(eta, "eta", lower=0.0, upper=1.0, lower_inclusive=False,
                       upper_inclusive=False)
    armijo = check_scalar(armijo, "armijo", lower=0.0, upper=1.0, lower_inclusive=False,
                          upper_inclusive=False)
    backtrack = check_scalar(backtrack, "backtrack", lower=0.0, upper=1.0,
                             lower_inclusive=False, upper_inclusive=False)
    gamma = check_scalar(gamma, "gamma", lower=0.0, lower_inclusive=False)
    ev = _Evaluator(problem)
    n = int(getattr(problem, "n", None) or np.size(getattr(problem, "x0")))
    x = check_x0(x0 if x0 is not None else getattr(problem, "x0", None), (n,), backend="cpu")
    if x0 is None and getattr(problem, "x0", None) is None:
        raise TypeError("x0 is required: the problem has no `x0`")
    c0 = np.asarray(problem.c(x), dtype=np.float64).ravel()
    m = c0.size
    if getattr(problem, "m", m) != m:
        raise ValueError(f"problem.m = {problem.m} but c(x0) has {m} entries")
    lam_default = getattr(problem, "lam0", None)
    lam = check_x0(lam0 if lam0 is not None else lam_default, (m,), backend="cpu",
                   name="lam0")
    N = n + m
    if block_size is None:
        block_size = max(2, int(math.ceil(math.sqrt(N))))
    block_size = check_scalar(block_size, "block_size", lower=1, integer=True)
    if block_size > N:
        raise ValueError(f"block_size = {block_size} exceeds the KKT size n + m = {N}")
    max_inner = 200 * N if max_inner is None else check_scalar(max_inner, "max_inner",
                                                                lower=1, integer=True)
    rng = np.random.default_rng(random_state)

    mon = Monitor("exact_al", tol=tol, max_iter=max_iter, measure_name="kkt",
                  callback=callback, verbose=verbose)
    fx, c, G, gl = ev.point(x, lam)
    R = math.hypot(float(np.linalg.norm(gl)), float(np.linalg.norm(c)))
    nfev = njev = 1
    nhev = n_inner = 0
    stop = mon.record(0, x, fx, R, feasibility=float(np.linalg.norm(c)),
                      stationarity=float(np.linalg.norm(gl)), mu=mu, nu=nu, theta=np.nan,
                      inner=0, delta=np.nan, step=np.nan, slope=np.nan,
                      linsys_residual=np.nan, nfev=nfev, njev=njev)
    k = 0
    while not stop and k < max_iter:
        k += 1
        H = ev.hessian(x, lam, n)
        nhev += 1
        delta = _shift(H, G, gamma * min(1.0, R), n, m)
        if delta is None:
            mon.stop_with(SINGULAR)
            break
        B = H + delta * (sp.identity(n, format="csr") if sp.issparse(H) else np.eye(n))
        K = _kkt(B, G, n, m)
        r = np.concatenate([gl, c])
        solver = _Solver(sketch, K, -r, block_size, max_inner, max(1, N), rng, device)
        theta = accuracy * min(1.0, R) ** sharpen
        a, b = float(gl @ gl), float(c @ c)
        HG = H @ gl
        GG = np.asarray(G @ gl).ravel()
        while True:
            if not solver.solve_to(theta * R):
                if not solver.direct():
                    mon.stop_with(SINGULAR)
                    break
            d = solver.z
            dx, dl = d[:n], d[n:]
            # grad L_{mu,nu}^T d = p0 + nu p1 + mu s: affine in both penalty parameters
            p0 = float(gl @ dx) + float(c @ dl)
            p1 = float(HG @ dx) + float(GG @ dl)
            s = float(c @ np.asarray(G @ dx).ravel())

            def descends(mu, nu):
                return p0 + nu * p1 + mu * s <= -eta * (nu * a + mu * b)

            if descends(mu, nu):
                break
            if s + eta * b < 0:
                need = (eta * nu * a + p0 + nu * p1) / -(s + eta * b)
                if math.isfinite(need) and need > mu:
                    mu = max(rho * mu, need * (1 + 1e-12))
                    if descends(mu, nu):
                        break
            if solver.exact:
                nu /= rho  # an exact Newton direction and no admissible mu: lower nu
                if descends(mu, nu) or nu < 1e-12:
                    break
                continue
            theta = theta / 10.0
            if theta * R <= 1e-13 * max(1.0, R):
                solver.exact = True
        if mon.status == SINGULAR:
            break
        n_inner += solver.steps
        D = p0 + nu * p1 + mu * s
        phi0 = _merit(fx, c, lam, gl, mu, nu)
        step = 1.0
        accepted = False
        for _ in range(60):
            xt, lt = x + step * dx, lam + step * dl
            try:
                ft, ct, Gt, glt = ev.point(xt, lt)
            except (ValueError, FloatingPointError, OverflowError):
                ft = math.nan
            nfev += 1
            njev += 1
            if math.isfinite(ft):
                phit = _merit(ft, ct, lt, glt, mu, nu)
                if math.isfinite(phit) and phit <= phi0 + armijo * step * D:
                    accepted = True
                    break
            step *= backtrack
        if not accepted:
            mon.stop_with(LINESEARCH_FAILED)
            break
        x, lam, fx, c, G, gl = xt, lt, ft, ct, Gt, glt
        R = math.hypot(float(np.linalg.norm(gl)), float(np.linalg.norm(c)))
        stop = mon.record(k, x, fx, R, feasibility=float(np.linalg.norm(c)),
                          stationarity=float(np.linalg.norm(gl)), mu=mu, nu=nu, theta=theta,
                          inner=solver.steps, delta=delta, step=step, slope=D,
                          linsys_residual=solver.res, nfev=nfev, njev=njev)
    res = mon.result(x, fx, nfev=nfev, njev=njev, nhev=nhev)
    res.update(lam=lam, kkt=R, n_inner=n_inner, mu=mu, nu=nu)
    if mon.status == SINGULAR:
        res.message = (f"exact_al stopped at iteration {k}: the KKT matrix is singular (the "
                       f"constraint Jacobian is rank deficient at x, or the Newton system has "
                       f"no solution); KKT residual {R:.3e}")
    elif mon.status == LINESEARCH_FAILED:
        res.message = (f"exact_al stopped at iteration {k}: no step along the Newton direction "
                       f"decreases the exact augmented Lagrangian; KKT residual {R:.3e}")
    return res
