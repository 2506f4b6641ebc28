"""prox_grad and FISTA: reference agreement, convergence rates, bad input, data safety."""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import problems
import solvers
from solvers.core import fit_linear_rate, fit_sublinear_rate

from helpers import make_regression

SOLVERS = [solvers.prox_grad, solvers.fista]
sklm = pytest.importorskip("sklearn.linear_model")


def _rel_tol(f, g, rel=1e-8):
    """Absolute gap target equal to ``rel`` times the objective at zero."""
    x0 = np.zeros(f.shape)
    return rel * (f.value(x0) + g.value(x0))


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("step", ["auto", "backtracking"])
def test_lasso_agrees_with_sklearn(solver, sparse, step):
    X, y = make_regression(80, 50, seed=1, sparse=sparse)
    f = problems.LeastSquares(X, y)
    alpha = 0.1 * np.abs(X.T @ y).max() / 80
    g = problems.L1(alpha)
    tol = _rel_tol(f, g)
    res = solver(f, g, tol=tol, max_iter=50_000, step=step)
    assert res.success and res.status == 0, res.message
    gap = problems.duality_gap(f, g, res.x)
    assert gap <= tol and res.measure == pytest.approx(gap, rel=1e-6, abs=1e-15)
    ref = sklm.Lasso(alpha=alpha, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y)
    P_ref = f.value(ref.coef_) + g.value(ref.coef_)
    assert abs(res.fun - P_ref) <= tol
    assert np.array_equal(res.x != 0, ref.coef_ != 0) or np.abs(res.x - ref.coef_).max() < 1e-4
    assert res.nfev >= res.nit and res.njev >= res.nit
    assert len(res.history) == res.nit + 1


@pytest.mark.parametrize("solver", SOLVERS)
def test_elastic_net_and_logistic_agree_with_sklearn(solver):
    X, y = make_regression(60, 30, seed=2)
    f, g = problems.LeastSquares(X, y), problems.ElasticNet(0.05, 0.5)
    res = solver(f, g, tol=_rel_tol(f, g), max_iter=50_000)
    ref = sklm.ElasticNet(alpha=0.05, l1_ratio=0.5, fit_intercept=False, tol=1e-14,
                          max_iter=100_000).fit(X, y)
    mu = 0.05 * 0.5  # strong convexity from the ridge part: ||x - x*||^2 <= 2 gap / mu
    assert res.success and np.sum((res.x - ref.coef_) ** 2) <= 2 * _rel_tol(f, g) / mu

    yl = np.where(y > np.median(y), 1.0, -1.0)
    alpha = 0.01
    fl, gl = problems.Logistic(X, yl), problems.L1(alpha)
    res = solver(fl, gl, tol=_rel_tol(fl, gl), max_iter=100_000)
    clf = sklm.LogisticRegression(C=1 / (alpha * 60), l1_ratio=1.0, solver="liblinear",
                                  fit_intercept=False, tol=1e-12, max_iter=100_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, yl)
    assert res.success
    P_ref = fl.value(clf.coef_.ravel()) + gl.value(clf.coef_.ravel())
    assert res.fun <= P_ref + _rel_tol(fl, gl)


@pytest.mark.parametrize("solver", SOLVERS)
def test_smooth_only_and_box_constrained(solver):
    rng = np.random.default_rng(3)
    A = rng.standard_normal((12, 12))
    Q = A @ A.T + np.eye(12)
    b = rng.standard_normal(12)
    f = problems.Quadratic(Q, b)
    res = solver(f, None, tol=1e-10, max_iter=100_000)
    assert res.success and res.history.measure_name == "prox_grad_norm"
    np.testing.assert_allclose(res.x, np.linalg.solve(Q, b), atol=1e-8)
    from scipy.optimize import Bounds, minimize

    box = problems.Box(-0.1, 0.1)
    res = solver(f, box, tol=1e-10, max_iter=100_000)
    ref = minimize(f.value, np.zeros(12), jac=f.grad, bounds=Bounds(-0.1, 0.1), method="L-BFGS-B",
                   options=dict(ftol=1e-15, gtol=1e-12, maxiter=10_000))
    assert res.success and res.fun <= ref.fun + 1e-10
    assert np.all(np.abs(res.x) <= 0.1 + 1e-15)


def _worst_case_quadratic(n=20_000):
    # spectrum i/n with x* components 1/sqrt(lambda): F_k - F* of gradient descent ~ n/(4k)
    lam = np.arange(1, n + 1) / n
    xs = 1 / np.sqrt(lam)
    f = problems.Quadratic(sp.diags(lam, format="csr"), lam * xs)
    return f, xs


def test_prox_grad_rate_is_one_over_k():
    f, xs = _worst_case_quadratic()
    res = solvers.prox_grad(f, None, tol=0, max_iter=400)
    err = res.history.objective - f.value(xs)
    fit = fit_sublinear_rate(err, start=10)
    assert -1.1 < fit.rate < -0.9 and fit.r2 > 0.99
    k = np.arange(1, err.size)
    assert np.all(err[1:] <= f.lipschitz * xs @ xs / (2 * k))  # Beck-Teboulle Thm 3.1


def test_fista_rate_is_one_over_k_squared():
    f, xs = _worst_case_quadratic()
    res = solvers.fista(f, None, tol=0, max_iter=400, restart=None)
    err = res.history.objective - f.value(xs)
    fit = fit_sublinear_rate(err, start=10)
    assert fit.rate < -1.8
    k = np.arange(1, err.size)
    assert np.all(err[1:] <= 2 * f.lipschitz * xs @ xs / (k + 1) ** 2)  # Thm 4.4


def test_linear_rate_under_strong_convexity():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((200, 20)) * np.linspace(1, 5, 20)
    y = rng.standard_normal(200)
    f, g = problems.LeastSquares(X, y), problems.L1(0.01)
    eig = np.linalg.eigvalsh(X.T @ X / 200)
    mu, L = eig[0], eig[-1]
    ref = solvers.fista(f, g, tol=1e-14, max_iter=100_000)
    Fs = ref.fun
    pg = solvers.prox_grad(f, g, tol=0, max_iter=300)
    fit = fit_linear_rate(pg.history.objective - Fs, min_value=1e-13)
    assert fit.rate <= 1 - mu / L + 1e-3  # contraction 1 - mu/L of the proximal gradient
    fr = solvers.fista(f, g, tol=0, max_iter=300, restart="gradient")
    fit_r = fit_linear_rate(fr.history.objective - Fs, min_value=1e-13)
    assert fit_r.rate < fit.rate and fr.n_restarts > 0


def test_function_restart_is_monotone_after_restarts():
    X, y = make_regression(60, 20, seed=5)
    f, g = problems.LeastSquares(X, y), problems.L1(0.01)
    res = solvers.fista(f, g, tol=1e-12, max_iter=10_000, restart="function")
    assert res.success
    res_plain = solvers.fista(f, g, tol=1e-12, max_iter=10_000, restart=None)
    assert res_plain.success and np.abs(res.x - res_plain.x).max() < 1e-5


@pytest.mark.parametrize("solver", SOLVERS)
def test_bad_input_is_rejected_with_named_argument(solver):
    X, y = make_regression(10, 4)
    f, g = problems.LeastSquares(X, y), problems.L1(0.1)
    with pytest.raises(ValueError, match="x0 contains NaN"):
        solver(f, g, x0=np.array([np.nan, 0, 0, 0]))
    with pytest.raises(ValueError, match="x0 has shape \\(3,\\)"):
        solver(f, g, x0=np.zeros(3))
    with pytest.raises(ValueError, match="tol must be >= 0"):
        solver(f, g, tol=-1)
    with pytest.raises(TypeError, match="max_iter must be an integer"):
        solver(f, g, max_iter=2.5)
    with pytest.raises(ValueError, match="step must be > 0"):
        solver(f, g, step=-0.1)
    with pytest.raises(ValueError, match="measure must be one of"):
        solver(f, g, measure="kkt")
    with pytest.raises(ValueError, match="measure='gap' needs a duality gap"):
        solver(f, problems.Box(0, 1), measure="gap")
    class ValueOnly:
        def value(self, x):
            return 0.0

    with pytest.raises(TypeError, match="ValueOnly has no `grad`"):
        solver(ValueOnly(), g, x0=np.zeros(4))
    if solver is solvers.fista:
        with pytest.raises(ValueError, match="restart must be one of"):
            solver(f, g, restart="always")


@pytest.mark.parametrize("solver", SOLVERS)
def test_divergent_fixed_step_ends_with_status_not_garbage(solver):
    X, y = make_regression(30, 10)
    f = problems.LeastSquares(X, y)
    res = solver(f, problems.L1(0.01), step=50.0 / f.lipschitz, max_iter=5000, tol=1e-10)
    assert not res.success and res.status == 2 and "non-finite" in res.message


@pytest.mark.parametrize("solver", SOLVERS)
def test_callers_arrays_are_unchanged(solver):
    X, y = make_regression(30, 10, sparse=True)
    Xc, yc = X.copy(), y.copy()
    x0 = np.full(10, 0.5)
    x0c = x0.copy()
    res = solver(problems.LeastSquares(X, y), problems.L1(0.01), x0=x0, max_iter=50)
    assert (X != Xc).nnz == 0 and np.array_equal(y, yc) and np.array_equal(x0, x0c)
    assert res.x is not x0


@pytest.mark.gpu
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("sparse", [False, True])
def test_gpu_matches_cpu(solver, sparse):
    import cupy as cp

    X, y = make_regression(200, 80, seed=6, sparse=sparse)
    f, g = problems.LeastSquares(X, y), problems.L1(0.05)
    cpu = solver(f, g, tol=1e-10, max_iter=20_000)
    on_gpu = solver(f, g, tol=1e-10, max_iter=20_000, backend="gpu")
    assert isinstance(on_gpu.x, np.ndarray)  # input was on the CPU: result comes back there
    np.testing.assert_allclose(on_gpu.x, cpu.x, atol=1e-7)
    from solvers.backend import get_backend

    bk = get_backend("gpu")
    fg = problems.Logistic(bk.to_device(X), bk.to_device(np.sign(y)))
    res = solver(fg, problems.L1(0.01), tol=1e-9, max_iter=20_000)
    assert isinstance(res.x, cp.ndarray) and res.success
    ref = solver(problems.Logistic(X, np.sign(y)), problems.L1(0.01), tol=1e-9, max_iter=20_000)
    np.testing.assert_allclose(cp.asnumpy(res.x), ref.x, atol=1e-6)
