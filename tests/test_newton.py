"""Damped Newton and lazy-Hessian Newton: agreement with scipy, the rates of the theorems,
oracle counts and bad input."""
import math

import numpy as np
import pytest
import scipy.optimize as so
import scipy.sparse as sp

import problems
import solvers
from solvers.core import fit_convergence_order, fit_sublinear_rate

STEPSIZES = ["root", "aicn", "universal", "greedy", "grls", "armijo", "full"]


def ridge_logistic(n=200, p=10, alpha=1e-2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = np.sign(X @ rng.standard_normal(p) + 0.5 * rng.standard_normal(n))
    return problems.Ridge(problems.Logistic(X, y), alpha), rng


def scipy_reference(f, x0):
    res = so.minimize(f.value, x0, jac=f.grad, hess=f.hess, method="trust-exact",
                      options={"gtol": 1e-12})
    assert res.success
    return res.x


@pytest.mark.parametrize("stepsize", STEPSIZES)
def test_stepsizes_agree_with_scipy_on_ridge_logistic(stepsize):
    f, _ = ridge_logistic()
    x0 = np.zeros(10)
    res = solvers.damped_newton(f, x0, stepsize=stepsize, tol=1e-10, max_iter=200)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, scipy_reference(f, x0), atol=1e-8)
    assert np.linalg.norm(f.grad(res.x)) <= 1e-10
    assert res.history.grad_norm[-1] == pytest.approx(np.linalg.norm(f.grad(res.x)))


def test_full_newton_solves_a_quadratic_in_one_step():
    rng = np.random.default_rng(1)
    B = rng.standard_normal((8, 8))
    Q = B @ B.T + np.eye(8)
    b = rng.standard_normal(8)
    f = problems.Quadratic(Q, b)
    res = solvers.damped_newton(f, np.ones(8), stepsize="full", tol=1e-10)
    assert res.success and res.nit == 1 and res.nhev == 1
    np.testing.assert_allclose(res.x, np.linalg.solve(Q, b), atol=1e-9)  # f = x'Qx/2 - b'x


def test_input_never_modified_and_default_start_is_the_problem_x0():
    f = problems.cutest.load("ROSENBR")
    x0 = np.array([-1.2, 1.0])
    keep = x0.copy()
    a = solvers.damped_newton(f, x0, tol=1e-10)
    b = solvers.damped_newton(f, tol=1e-10)
    np.testing.assert_array_equal(x0, keep)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_allclose(a.x, [1.0, 1.0], atol=1e-9)


# ---- rates --------------------------------------------------------------------------------
def _far_start_runs(stepsize, L, q):
    f, rng = ridge_logistic()
    x0 = 10 * rng.standard_normal(10)
    ref = solvers.damped_newton(f, x0, stepsize="universal", tol=1e-14, max_iter=200)
    res = solvers.damped_newton(f, x0, stepsize=stepsize, L=L, q=q, tol=1e-12, max_iter=3000)
    assert res.success, res.message
    return res, ref.fun


@pytest.mark.parametrize("q", [2, 3, 4])
def test_root_schedule_global_sublinear_rate(q):
    """The fixed root schedule's global rate is O(k^-(q-1)) (Hanzely et al. 2024): the fitted
    exponent of f(x_k) - f* over the damped phase (decrement above 0.1) is at least that."""
    res, fstar = _far_start_runs("root", 1.0, q)
    lam = res.history.newton_decrement
    stop = int(np.flatnonzero(lam > 0.1)[-1]) + 1
    fit = fit_sublinear_rate(res.history.objective - fstar, stop=stop, min_value=1e-13)
    assert fit.rate <= -0.9 * (q - 1), fit


def test_aicn_global_rate_at_least_k_minus_2():
    res, fstar = _far_start_runs("aicn", 1.0, 4)
    lam = res.history.newton_decrement
    stop = int(np.flatnonzero(lam > 0.1)[-1]) + 1
    fit = fit_sublinear_rate(res.history.objective - fstar, stop=max(stop, 4), min_value=1e-13)
    assert fit.rate <= -2.0, fit


@pytest.mark.parametrize("stepsize,q,order", [
    ("aicn", 4, 2.0),           # 1 - alpha = O(L g): quadratic
    ("root", 4, 1 + 2 / 3),     # 1 - alpha = O(g^{2/3}): order 5/3
    ("root", 3, 1.5),           # 1 - alpha = O(g^{1/2}): order 3/2
])
def test_local_convergence_order(stepsize, q, order):
    """Near the solution x+ - x* = (1 - alpha) (x - x*) + O(|x - x*|^2), so the order is
    2 for AICN and 1 + (q - 2)/(q - 1) for the root schedule."""
    res, _ = _far_start_runs(stepsize, 1.0, q)
    g = res.history.grad_norm
    fit = fit_convergence_order(g, start=len(g) - 5, min_value=1e-14)
    assert abs(fit.rate - order) < 0.15, fit


def test_full_newton_fails_where_the_damped_steps_converge():
    f, rng = ridge_logistic()
    x0 = 10 * rng.standard_normal(10)
    full = solvers.damped_newton(f, x0, stepsize="full", tol=1e-10, max_iter=200)
    assert not full.success
    for s in ("root", "aicn", "universal", "greedy", "grls", "armijo"):
        assert solvers.damped_newton(f, x0, stepsize=s, tol=1e-10, max_iter=200).success, s


def test_universal_backtracking_estimate_relaxes():
    f, rng = ridge_logistic()
    res = solvers.damped_newton(f, 10 * rng.standard_normal(10), stepsize="universal",
                                L=1e6, rho=2.0, tol=1e-10)
    assert res.success
    M = res.history.M
    assert M[-1] < 1e-2 * M[0]  # a far too large first estimate is relaxed step by step


# ---- linear systems -----------------------------------------------------------------------
@pytest.mark.parametrize("linsolve", ["cholesky", "sparse", "cg"])
def test_linear_solvers_agree(linsolve):
    f = problems.cutest.load("GENROSE", n=50)
    ref = so.minimize(f.value, f.x0, jac=f.grad, hess=lambda x: f.hess(x).toarray(),
                      method="trust-exact", options={"gtol": 1e-11})
    res = solvers.damped_newton(f, stepsize="armijo", linsolve=linsolve, tol=1e-9,
                                max_iter=500)
    assert res.success, res.message
    assert res.linsolve == linsolve
    assert res.fun == pytest.approx(ref.fun, abs=1e-9)


def test_sparse_hessian_is_factored_sparse_and_hvp_only_uses_cg():
    f = problems.cutest.load("GENROSE", n=300)
    res = solvers.damped_newton(f, stepsize="armijo", tol=1e-8, max_iter=500)
    assert res.linsolve == "sparse" and res.success

    class HvpOnly:
        shape = (300,)
        value, grad, hvp = f.value, f.grad, f.hvp

    res = solvers.damped_newton(HvpOnly(), f.x0, stepsize="armijo", tol=1e-8, max_iter=500)
    assert res.linsolve == "cg" and res.success and res.nhev > res.nit


def test_nonconvex_hessian_is_regularized():
    f = problems.cutest.load("ROSENBR")
    x0 = np.array([0.5, 1.0])  # H_11 = 1200 x1^2 - 400 x2 + 2 = -98
    assert np.linalg.eigvalsh(f.hess(x0)).min() < 0
    res = solvers.damped_newton(f, x0, stepsize="armijo", tol=1e-10)
    assert res.success and res.history.reg[0] > 0
    np.testing.assert_allclose(res.x, [1, 1], atol=1e-8)


# ---- lazy Newton --------------------------------------------------------------------------
@pytest.mark.parametrize("variant", ["regularized", "cubic"])
@pytest.mark.parametrize("m", [1, 3, 10])
def test_lazy_newton_counts_one_hessian_per_m_steps(variant, m):
    f, _ = ridge_logistic()
    res = solvers.lazy_newton(f, np.zeros(10), m=m, variant=variant, tol=1e-10, max_iter=500)
    assert res.success, res.message
    assert res.nhev == math.ceil(res.nit / m) == res.nfact
    assert int(res.history.snapshot.sum()) == res.nhev
    np.testing.assert_allclose(res.x, scipy_reference(f, np.zeros(10)), atol=1e-8)


def test_lazy_newton_default_m_is_the_dimension_and_cubic_handles_nonconvexity():
    f = problems.cutest.load("ROSENBR")
    res = solvers.lazy_newton(f, variant="cubic", tol=1e-9, max_iter=500)
    assert res.success
    np.testing.assert_allclose(res.x, [1, 1], atol=1e-7)
    assert res.nhev == math.ceil(res.nit / 2)


# ---- bad input ----------------------------------------------------------------------------
def test_bad_input():
    f = problems.cutest.load("ROSENBR")
    with pytest.raises(ValueError, match="x0 contains NaN or inf"):
        solvers.damped_newton(f, np.array([np.nan, 1.0]))
    with pytest.raises(ValueError, match="x0 contains NaN or inf"):
        solvers.lazy_newton(f, np.array([np.inf, 1.0]))
    with pytest.raises(ValueError, match="q must be <= 4"):
        solvers.damped_newton(f, q=5)
    with pytest.raises(ValueError, match="q must be >= 2"):
        solvers.damped_newton(f, q=1.5)
    with pytest.raises(ValueError, match="stepsize must be one of"):
        solvers.damped_newton(f, stepsize="cubic")
    with pytest.raises(ValueError, match="L must be > 0"):
        solvers.damped_newton(f, stepsize="aicn", L=-1.0)
    with pytest.raises(ValueError, match="m must be >= 1"):
        solvers.lazy_newton(f, m=0)
    with pytest.raises(ValueError, match="x0 has shape"):
        solvers.damped_newton(f, np.zeros(3))

    class WrongHessian:
        shape = (2,)
        value, grad = f.value, f.grad

        def hess(self, x):
            return np.eye(3)

    with pytest.raises(ValueError, match=r"f.hess returned shape \(3, 3\), expected \(2, 2\)"):
        solvers.damped_newton(WrongHessian(), np.zeros(2))
    with pytest.raises(ValueError, match=r"f.hess returned shape"):
        solvers.lazy_newton(WrongHessian(), np.zeros(2))

    class NoSecondOrder:
        shape = (2,)
        value, grad = f.value, f.grad

    with pytest.raises(TypeError, match="neither `hess` nor `hvp`"):
        solvers.damped_newton(NoSecondOrder(), np.zeros(2))
    with pytest.raises(TypeError, match="has no `hess`"):
        solvers.lazy_newton(NoSecondOrder(), np.zeros(2))


def test_nonfinite_values_end_with_a_status():
    class Blowup:
        shape = (1,)

        def value(self, x):
            return float(np.exp(1e3 * x[0] ** 2)) if abs(x[0]) < 1 else math.inf

        def grad(self, x):
            return np.array([2e3 * x[0] * np.exp(1e3 * x[0] ** 2)])

        def hess(self, x):
            return np.array([[np.nan]])

    res = solvers.damped_newton(Blowup(), np.array([0.5]))
    assert not res.success and res.status == solvers.core.NUMERICAL_ERROR


def test_polytope_feasibility_reaches_zero():
    f = problems.PolytopeFeasibility.random(120, 30, p=3, random_state=0)
    assert f.value(f.x0) > 1.0
    res = solvers.damped_newton(f, stepsize="aicn", tol=1e-9, max_iter=500)
    assert res.success and res.fun < 1e-10
    assert np.all(f.A @ res.x - f.b <= 1e-3)


def test_sparse_path_handles_a_zero_hessian_diagonal():
    """QUARTC's Hessian 12 (x_i - i)^2 has a zero at x0 = 2 (i = 2), which scipy's sparse
    sums drop from the pattern; the sparse factorization must still see that diagonal."""
    from solvers.newton._linsys import _upper_with_diagonal

    f = problems.cutest.load("QUARTC", n=300)
    H = f.hess(f.x0)
    assert H.diagonal().min() == 0.0
    U = _upper_with_diagonal(H)
    assert (U.indices[U.indptr[1:] - 1] == np.arange(300)).all()
    assert abs(sp.triu(H) - U).max() == 0.0
    res = solvers.damped_newton(f, stepsize="armijo", tol=1e-6)
    assert res.success and res.linsolve == "sparse" and res.fun < 1e-7


def test_failed_factorization_is_reported_as_such():
    class NanHessian:
        shape = (2,)

        def value(self, x):
            return float(x @ x)

        def grad(self, x):
            return 2 * x

        def hess(self, x):
            return np.full((2, 2), np.nan)

    res = solvers.damped_newton(NanHessian(), np.ones(2))
    assert not res.success and res.status == solvers.core.NUMERICAL_ERROR
    assert "could not be factored" in res.message


def test_lazy_regularized_steps_never_increase_f():
    f = problems.cutest.load("MEYER3")  # badly scaled: Hessian eigenvalues up to 1e12
    res = solvers.lazy_newton(f, tol=1e-6, max_iter=300)
    obj = res.history.objective
    assert np.all(np.diff(obj) <= 1e-12 * np.abs(obj[:-1]))
    assert obj[-1] < 1e-3 * obj[0]


def test_greedy_takes_the_full_step_at_the_rounding_level():
    f, _ = ridge_logistic(n=400, p=20, alpha=1e-3)
    res = solvers.damped_newton(f, np.zeros(20), stepsize="greedy", tol=1e-13, max_iter=100)
    assert res.success, res.message
    assert res.history.step[-1] == 1.0


@pytest.mark.gpu
@pytest.mark.parametrize("linsolve", ["cholesky", "cg"])
def test_gpu_matches_cpu(linsolve):
    cp = pytest.importorskip("cupy")
    rng = np.random.default_rng(3)
    X = rng.standard_normal((300, 40))
    y = np.sign(X @ rng.standard_normal(40) + 0.3 * rng.standard_normal(300))
    cpu = solvers.damped_newton(problems.Ridge(problems.Logistic(X, y), 1e-2),
                                stepsize="aicn", linsolve=linsolve, tol=1e-10)
    fg = problems.Ridge(problems.Logistic(cp.asarray(X), cp.asarray(y)), 1e-2)
    gpu = solvers.damped_newton(fg, stepsize="aicn", linsolve=linsolve, tol=1e-10)
    assert isinstance(gpu.x, cp.ndarray) and gpu.success and cpu.success
    np.testing.assert_allclose(cp.asnumpy(gpu.x), cpu.x, atol=1e-8)
    lazy = solvers.lazy_newton(fg, m=5, tol=1e-10)
    assert isinstance(lazy.x, cp.ndarray) and lazy.success
    np.testing.assert_allclose(cp.asnumpy(lazy.x), cpu.x, atol=1e-8)


class _Saddle:
    """f = x^2/2 - y^2/2 + y^4/4: a saddle at 0, minima (0, +-1) with f = -1/4."""
    shape = (2,)

    def value(self, z):
        return 0.5 * z[0] ** 2 - 0.5 * z[1] ** 2 + 0.25 * z[1] ** 4

    def grad(self, z):
        return np.array([z[0], -z[1] + z[1] ** 3])

    def hess(self, z):
        return np.diag([1.0, -1.0 + 3 * z[1] ** 2])


def test_lazy_cubic_leaves_a_saddle_in_the_hard_case():
    res = solvers.lazy_newton(_Saddle(), np.array([1.0, 0.0]), m=1, variant="cubic", tol=1e-10)
    assert res.success and res.fun == pytest.approx(-0.25)
    np.testing.assert_allclose(abs(res.x), [0.0, 1.0], atol=1e-8)


def test_cubic_step_is_the_global_model_minimizer():
    from solvers.newton.lazy import _cubic_step

    rng = np.random.default_rng(0)

    def model(h, w, c, M):
        return c @ h + 0.5 * (w * h) @ h + M / 6 * np.linalg.norm(h) ** 3

    for trial in range(40):
        w, c, M = 3 * rng.standard_normal(3), rng.standard_normal(3), 10 ** rng.uniform(-2, 2)
        if trial % 2:
            c[np.argmin(w)] = 0.0  # hard case candidates
        h, r = _cubic_step(w, c, M)
        assert r == pytest.approx(np.linalg.norm(h))
        best = min(so.minimize(model, s * rng.standard_normal(3), args=(w, c, M),
                               method="BFGS", options={"gtol": 1e-12}).fun
                   for s in (0.1, 1.0, 10.0) for _ in range(2))
        assert model(h, w, c, M) <= best + 1e-9 * max(1.0, abs(best))


def test_stall_test_is_relative_to_the_step_not_absolute():
    class Stiff:  # f = ||1e18 x - 1||^2 / 2: solution 1e-18, gradient 1e18 at x0 = 0
        shape = (3,)

        def value(self, x):
            r = 1e18 * x - 1
            return 0.5 * float(r @ r)

        def grad(self, x):
            return 1e18 * (1e18 * x - 1)

        def hess(self, x):
            return 1e36 * np.eye(3)

    for stepsize in ("full", "armijo", "universal"):
        res = solvers.damped_newton(Stiff(), np.zeros(3), stepsize=stepsize, tol=1e-3)
        assert res.success, (stepsize, res.message)
        np.testing.assert_allclose(res.x, 1e-18, rtol=1e-12)


def test_cg_curvature_test_is_scale_free():
    a = 1e-15

    class TinyCurvature:
        shape = (4,)

        def value(self, x):
            return 0.5 * a * float(x @ x)

        def grad(self, x):
            return a * x

        def hvp(self, x, v):
            return a * v

    res = solvers.damped_newton(TinyCurvature(), np.full(4, 1e8), stepsize="armijo",
                                tol=1e-20, max_iter=50)
    assert res.success and res.nit <= 2


def test_line_searches_survive_a_restricted_domain():
    class Domain:  # f = x^2/2 on x > 0.4, +inf elsewhere: every Newton trial from 0.5 is out
        shape = (1,)

        def value(self, x):
            return 0.5 * float(x[0]) ** 2 if x[0] > 0.4 else math.inf

        def grad(self, x):
            return np.array([x[0]])

        def hess(self, x):
            return np.eye(1)

    for stepsize in ("grls", "greedy", "armijo"):
        res = solvers.damped_newton(Domain(), np.array([0.5]), stepsize=stepsize, max_iter=50)
        assert np.isfinite(res.fun) and res.x[0] > 0.4, stepsize
    res = solvers.damped_newton(Domain(), np.array([0.5]), stepsize="full", max_iter=5)
    assert not res.success and res.x[0] == 0.5 and "not finite" in res.message


def test_no_hessian_is_spent_on_a_step_not_taken():
    f = problems.cutest.load("ROSENBR")
    for max_iter in (0, 1, 3):
        res = solvers.damped_newton(f, stepsize="armijo", max_iter=max_iter)
        assert res.nit == max_iter and res.nhev == max_iter == res.nfact
    res = solvers.damped_newton(f, np.ones(2))  # already optimal
    assert res.success and res.nit == 0 and res.nhev == 0
    np.testing.assert_allclose(res.jac, f.grad(res.x))


def test_sparse_and_dense_shifts_agree_on_an_indefinite_hessian():
    """Both factorizations shift H by tau diag(|H_ii|) with the same tau sequence; the
    sparse one must also solve after its first factorization failed in the dense trailing
    block (it used to be left without its compiled index array)."""
    from solvers.newton._linsys import DenseCholesky, SparseLDL

    rng = np.random.default_rng(0)
    B = rng.standard_normal((300, 300))
    H = B + B.T
    g = rng.standard_normal(300)
    dense = DenseCholesky(np).factor(H)
    sparse = SparseLDL().factor(sp.csr_matrix(H))
    assert dense.reg == sparse.reg > 0 and dense.n_factor == sparse.n_factor > 1
    np.testing.assert_allclose(sparse.solve(g), dense.solve(g), rtol=1e-8, atol=1e-10)
