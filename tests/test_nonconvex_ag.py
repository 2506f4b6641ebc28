"""nonconvex_ag, and prox_grad / FISTA / paths with SCAD and MCP: stationarity, the
accelerated rate in the convex case, agreement with skglm, paths, bad input."""
import numpy as np
import pytest
import scipy.sparse as sp

import problems
import solvers
from solvers.core import duality_gap, fit_sublinear_rate


def _regression(n=200, p=60, seed=0, sparse=False):
    r = np.random.default_rng(seed)
    X = r.standard_normal((n, p))
    w = np.zeros(p)
    w[:5] = [3.0, -2.0, 1.5, 4.0, -1.0]
    y = X @ w + 0.5 * r.standard_normal(n)
    return (sp.csr_matrix(X) if sparse else X), y


def _logistic(n=300, p=40, seed=1):
    r = np.random.default_rng(seed)
    X = r.standard_normal((n, p))
    w = np.zeros(p)
    w[:4] = [2.0, -2.0, 1.5, 1.0]
    y = np.where(X @ w + 2.0 * r.standard_normal(n) > 0, 1.0, -1.0)  # far from separable
    return X, y


PENALTIES = [problems.SCAD(0.2, a=3.7), problems.MCP(0.2, gamma=3.0)]


@pytest.mark.parametrize("pen", PENALTIES, ids=repr)
@pytest.mark.parametrize("damping", ["optimal", "ghadimi-lan"])
@pytest.mark.parametrize("kind", ["ls", "ls-sparse", "logistic"])
def test_drives_the_gradient_mapping_to_zero(pen, damping, kind):
    if kind == "logistic":
        X, y = _logistic()
        f = problems.Logistic(X, y)
        pen = pen.with_alpha(0.02)
    else:
        X, y = _regression(sparse=kind == "ls-sparse")
        f = problems.LeastSquares(X, y)
    res = solvers.nonconvex_ag(f, pen, damping=damping, tol=1e-9, max_iter=20_000)
    assert res.success, res.message
    # stationarity at the returned point: the Clarke KKT distance is small
    assert pen.subdiff_distance(res.x, f.grad(res.x)).max() < 1e-7
    assert res.fun == pytest.approx(f.value(res.x) + pen.value(res.x))


def test_optimal_damping_needs_fewer_iterations_than_ghadimi_lan_and_prox_grad():
    X, y = _regression(n=100, p=300, seed=3)
    X = X + 0.9 * X[:, [0]]  # correlated features: ill-conditioned
    f, g = problems.LeastSquares(X, y), problems.SCAD(0.2)
    its = {d: solvers.nonconvex_ag(f, g, damping=d, tol=1e-8, max_iter=50_000).nit
           for d in ("optimal", "ghadimi-lan")}
    pg = solvers.prox_grad(f, g, tol=1e-8, max_iter=50_000)
    assert its["optimal"] < its["ghadimi-lan"] and its["optimal"] < pg.nit


def test_convex_penalty_attains_the_accelerated_rate():
    # worst-case quadratic (spectrum i/n): gradient methods decay like 1/k, accelerated 1/k^2
    n = 400
    lam = np.arange(1, n + 1) / n
    xs = 1 / np.sqrt(lam)
    f = problems.Quadratic(sp.diags(lam, format="csr"), lam * xs)
    res = solvers.nonconvex_ag(f, None, tol=0, max_iter=400)
    err = res.history.objective[1:] - f.value(xs)  # F(x_md^k), k >= 1
    fit = fit_sublinear_rate(err, np.arange(1, err.size + 1), start=10)
    assert fit.rate < -1.8
    pg = solvers.prox_grad(f, None, tol=0, max_iter=400)
    assert err[-1] < 0.05 * (pg.history.objective[-1] - f.value(xs))


def test_l1_penalty_attains_the_accelerated_rate():
    # the worst-case quadratic plus an L1 term: separable, so the minimizer is closed form,
    # x*_i = soft(b_i, alpha) / lambda_i
    n, alpha = 400, 0.02
    lam = np.arange(1, n + 1) / n
    b = np.sqrt(lam)
    f = problems.Quadratic(sp.diags(lam, format="csr"), b)
    xs = np.sign(b) * np.maximum(np.abs(b) - alpha, 0.0) / lam
    F_star = f.value(xs) + alpha * np.abs(xs).sum()
    g = problems.L1(alpha)
    res = solvers.nonconvex_ag(f, g, tol=0, max_iter=400)
    err = res.history.objective[1:] - F_star
    assert err.min() > -1e-12
    fit = fit_sublinear_rate(err, np.arange(1, err.size + 1), start=10)
    assert fit.rate < -1.8
    pg = solvers.prox_grad(f, g, tol=0, max_iter=400)
    assert err[-1] < 0.05 * (pg.history.objective[-1] - F_star)


@pytest.mark.parametrize("pen", PENALTIES, ids=repr)
@pytest.mark.parametrize("rule", ["gs", "gs-q", "cyclic", "random"])
def test_bcd_with_folded_concave_penalties_and_small_columns(pen, rule):
    # a column with ||X_j||^2 / n below the weak-convexity modulus: its coordinate step
    # 1 / L_j would exceed the prox's max_step; bcd takes the curvature floor instead
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 12))
    X[:, 3] *= 0.1
    y = X @ np.r_[1.0, -2.0, 0.0, 0.5, np.zeros(8)] + 0.1 * rng.standard_normal(40)
    f = problems.LeastSquares(X, y)
    g = type(pen)(0.1)
    res = solvers.bcd(f, g, rule=rule, tol=1e-10, max_iter=20_000, random_state=0)
    assert res.success, res.message
    assert float(g.subdiff_distance(res.x, f.grad(res.x)).max()) < 1e-9
    ref = solvers.prox_grad(f, g, x0=res.x, tol=1e-12, max_iter=10_000)
    np.testing.assert_allclose(ref.x, res.x, atol=1e-8)  # a stationary point of prox_grad too


def test_working_sets_covering_every_column_keep_tightening():
    # p = 8 < ws_start: the first sets are all columns; a repeated full set is a stall only
    # when its last solve could not move (it used to stop at the second round, kkt 0.15)
    rng = np.random.default_rng(1)
    X = rng.uniform(size=(40, 8))
    f = problems.LeastSquares(X, X @ rng.standard_normal(8))
    res = solvers.nonconvex_ag(f, problems.SCAD(0.0162), working_set=True, tol=1e-8)
    assert res.success, res.message
    assert list(res.history.ws_size[1:3]) == [8, 8] and len(res.history) > 3
    assert float(problems.SCAD(0.0162).subdiff_distance(res.x, f.grad(res.x)).max()) <= 1e-8


def test_path_default_solver_handles_small_columns_and_group_penalties():
    rng = np.random.default_rng(1)
    X = rng.uniform(size=(40, 12))  # ||X_j||^2 / n about 1/3 < 1/(a - 1)
    f = problems.LeastSquares(X, X @ rng.standard_normal(12))
    p = solvers.path(f, problems.SCAD(1.0), n_alphas=4, solver="bcd")
    assert p.success.all()
    assert all(type(r).__name__ == "Result" and "bcd" in r.message for r in p.results)
    # the default for SCAD / MCP on a design fit: working sets, stationary at every alpha
    a = solvers.path(f, problems.SCAD(1.0), n_alphas=4)
    assert a.success.all() and all(r.history.measure_name == "kkt" for r in a.results)
    for alpha, x in zip(a.alphas, a.coefs):
        g = problems.SCAD(alpha)
        assert float(g.subdiff_distance(x, f.grad(x)).max()) <= 1e-8
    q = problems.Quadratic(X.T @ X / 40, -X.T @ f.y / 40)  # no `restrict`: bcd
    assert "bcd" in solvers.path(q, problems.MCP(1.0), n_alphas=3).results[0].message
    groups = problems.GroupL1(1.0, 3, n_features=12)
    q = solvers.path(f, groups, n_alphas=4, eps=0.05, tol=1e-8, max_iter=20_000)
    assert q.success.all() and "fista" in q.results[0].message  # not separable: fista
    for alpha, x in zip(q.alphas, q.coefs):
        assert duality_gap(f, groups.with_alpha(alpha), x) < 1e-6


@pytest.mark.parametrize("Pen, key, shape", [("MCPenalty", "gamma", 3.0), ("SCAD", "a", 3.7)])
@pytest.mark.parametrize("loss", ["ls", "logistic"])
def test_agrees_with_skglm(Pen, key, shape, loss):
    skglm = pytest.importorskip("skglm")
    from skglm.datafits import Logistic as SkLogistic
    from skglm.datafits import Quadratic
    from skglm.solvers import AndersonCD

    if loss == "ls":
        X, y = _regression(seed=4)
        f, alpha, datafit = problems.LeastSquares(X, y), 0.2, Quadratic()
    else:
        # logistic curvature is at most 1/4 < 1/gamma, 1/(a - 1) for the default shapes, so
        # the problem has many stationary points and two methods may stop at different ones;
        # shape 10 keeps the concavity below the loss curvature (a unique solution)
        X, y = _logistic(seed=5)
        f, alpha, datafit, shape = problems.Logistic(X, y), 0.03, SkLogistic(), 10.0
    pen = problems.MCP(alpha, shape) if key == "gamma" else problems.SCAD(alpha, shape)
    ref = skglm.GeneralizedLinearEstimator(
        datafit, getattr(skglm.penalties, Pen)(alpha, shape),
        AndersonCD(tol=1e-12, fit_intercept=False)).fit(X, y).coef_.ravel()
    res = solvers.nonconvex_ag(f, pen, tol=1e-10, max_iter=20_000)
    assert set(np.flatnonzero(res.x)) == set(np.flatnonzero(ref))
    F_ref = f.value(ref) + pen.value(ref)
    assert res.fun == pytest.approx(F_ref, rel=1e-6)


@pytest.mark.parametrize("pen", PENALTIES, ids=repr)
def test_prox_grad_and_monotone_fista_with_folded_concave_penalties(pen):
    X, y = _regression(seed=6)
    f = problems.LeastSquares(X, y)
    ref = solvers.nonconvex_ag(f, pen, tol=1e-10, max_iter=20_000)
    for res in (solvers.prox_grad(f, pen, tol=1e-10, max_iter=20_000),
                solvers.fista(f, pen, tol=1e-10, max_iter=20_000, monotone=True,
                              restart="function"),
                solvers.fista(f, pen, tol=1e-10, max_iter=20_000, step="backtracking")):
        assert res.success, res.message
        assert res.fun == pytest.approx(ref.fun, rel=1e-9)
        np.testing.assert_allclose(res.x, ref.x, atol=1e-6)
    mono = solvers.fista(f, pen, tol=1e-10, max_iter=20_000, monotone=True)
    assert np.all(np.diff(mono.history.objective) <= 1e-12 * abs(mono.history.objective[0]))


def test_speed_restart_and_callable_damping():
    X, y = _regression(seed=7)
    f, g = problems.LeastSquares(X, y), problems.MCP(0.2)
    base = solvers.nonconvex_ag(f, g, tol=1e-10)
    rs = solvers.nonconvex_ag(f, g, tol=1e-10, restart="speed")
    assert rs.success and rs.n_restarts > 0
    np.testing.assert_allclose(rs.x, base.x, atol=1e-7)
    seen = []

    def gl(k, L):
        seen.append(k)
        return 2.0 / (k + 1), 0.5 / L, k * 0.25 / L

    custom = solvers.nonconvex_ag(f, g, damping=gl, tol=1e-10, max_iter=20_000)
    ghadimi = solvers.nonconvex_ag(f, g, damping="ghadimi-lan", tol=1e-10, max_iter=20_000)
    assert custom.nit == ghadimi.nit and seen[:3] == [1, 2, 3]
    np.testing.assert_array_equal(custom.x, ghadimi.x)


def test_bad_input():
    X, y = _regression(n=30, p=10)
    f = problems.LeastSquares(X, y)
    with pytest.raises(ValueError, match="damping"):
        solvers.nonconvex_ag(f, problems.MCP(0.1), damping="nesterov")
    with pytest.raises(ValueError, match="restart"):
        solvers.nonconvex_ag(f, problems.MCP(0.1), restart="always")
    with pytest.raises(ValueError, match="L"):
        solvers.nonconvex_ag(f, problems.MCP(0.1), L=-1.0)
    with pytest.raises(ValueError, match="alpha <= 1"):
        solvers.nonconvex_ag(f, problems.MCP(0.1), damping=lambda k, L: (2.0, 1 / L, 1 / L))
    with pytest.raises(ValueError, match="alpha_1 = 1"):
        solvers.nonconvex_ag(f, problems.MCP(0.1), damping=lambda k, L: (0.5, 1 / L, 2 / L))
    with pytest.raises(TypeError, match="must return"):
        solvers.nonconvex_ag(f, problems.MCP(0.1), damping=lambda k, L: (1.0, 1 / L))
    for bad_L in ("abc", True, np.ones(2)):
        with pytest.raises(TypeError, match="L must be"):
            solvers.nonconvex_ag(f, problems.MCP(0.1), L=bad_L)
    with pytest.raises(TypeError, match="callback"):
        solvers.nonconvex_ag(f, problems.MCP(0.1), callback=3)

    class NoLip:
        shape = (10,)
        value, grad = f.value, f.grad

    with pytest.raises(TypeError, match="lipschitz"):
        solvers.nonconvex_ag(NoLip(), problems.L1(0.1))
    with pytest.raises(ValueError, match="step <"):
        solvers.prox_grad(f, problems.SCAD(0.1), step=5.0)  # a user step beyond a - 1


def test_path_warm_equals_cold_and_matches_the_grid():
    X, y = _regression(seed=8)
    f = problems.LeastSquares(X, y)
    amax = np.abs(X.T @ y).max() / X.shape[0]
    for pen, solver in ((problems.L1(1.0), "bcd"), (problems.MCP(1.0), "nonconvex_ag"),
                        (problems.SCAD(1.0), "fista"), (problems.MCP(1.0), "bcd")):
        warm = solvers.path(f, pen, n_alphas=8, eps=1e-2, solver=solver, tol=1e-10,
                            max_iter=50_000)
        cold = solvers.path(f, pen, n_alphas=8, eps=1e-2, solver=solver, tol=1e-10,
                            max_iter=50_000, warm_start=False)
        assert warm.alpha_max == pytest.approx(amax)
        np.testing.assert_allclose(warm.alphas, np.geomspace(amax, amax / 100, 8))
        assert warm.success.all() and cold.success.all()
        np.testing.assert_allclose(warm.coefs, cold.coefs, atol=1e-6)
        assert not warm.coefs[0].any() and np.count_nonzero(warm.coefs[-1]) >= 5
        assert warm.nit.sum() < cold.nit.sum()


def test_path_bad_input():
    X, y = _regression(n=30, p=10)
    f = problems.LeastSquares(X, y)
    with pytest.raises(ValueError, match="solver"):
        solvers.path(f, problems.L1(1.0), solver="newton")
    with pytest.raises(ValueError, match="alphas"):
        solvers.path(f, problems.L1(1.0), alphas=[1.0, -1.0])
    with pytest.raises(ValueError, match="eps"):
        solvers.path(f, problems.L1(1.0), eps=2.0)
    with pytest.raises(TypeError, match="with_alpha"):
        solvers.path(f, object())
    # "auto" picks nonconvex_ag for MCP: a bcd option is named as such, before any solve
    with pytest.raises(TypeError, match="chose solvers.nonconvex_ag, which does not take"):
        solvers.path(f, problems.MCP(1.0), rule="gs-q")
    with pytest.raises(TypeError, match="solvers.fista does not take 'rule'"):
        solvers.path(f, problems.MCP(1.0), solver="fista", rule="gs-q")
    assert solvers.path(f, problems.MCP(1.0), n_alphas=3, solver="bcd", rule="gs-q").success.all()


@pytest.mark.gpu
def test_gpu_matches_cpu():
    pytest.importorskip("cupy")
    X, y = _regression(seed=9)
    f, g = problems.LeastSquares(X, y), problems.SCAD(0.2)
    cpu = solvers.nonconvex_ag(f, g, tol=1e-10)
    gpu = solvers.nonconvex_ag(f, g, tol=1e-10, backend="gpu")
    assert isinstance(gpu.x, np.ndarray)
    np.testing.assert_allclose(gpu.x, cpu.x, atol=1e-8)


@pytest.mark.gpu
@pytest.mark.parametrize("pen", PENALTIES, ids=repr)
def test_gpu_prox_grad_and_fista_match_cpu_with_folded_concave_penalties(pen):
    pytest.importorskip("cupy")
    X, y = _regression(seed=10)
    f = problems.LeastSquares(X, y)
    for run in (lambda b: solvers.prox_grad(f, pen, tol=1e-10, max_iter=20_000, backend=b),
                lambda b: solvers.fista(f, pen, monotone=True, restart="function", tol=1e-10,
                                        max_iter=20_000, backend=b),
                lambda b: solvers.nonconvex_ag(f, pen, tol=1e-10, max_iter=20_000, backend=b)):
        cpu, gpu = run("cpu"), run("gpu")
        assert gpu.success and isinstance(gpu.x, np.ndarray)
        np.testing.assert_allclose(gpu.x, cpu.x, atol=1e-7)


@pytest.mark.parametrize("pen", PENALTIES, ids=repr)
def test_working_sets_reach_sparser_lower_stationary_points_when_p_exceeds_n(pen):
    r = np.random.default_rng(11)
    n, p = 60, 400
    X = r.standard_normal((n, p))
    w = np.zeros(p)
    w[:5] = [5.0, -4.0, 3.0, 6.0, -5.0]
    y = X @ w + 0.5 * r.standard_normal(n)
    f = problems.LeastSquares(X, y)
    full = solvers.nonconvex_ag(f, pen, tol=1e-8, max_iter=50_000)
    ws = solvers.nonconvex_ag(f, pen, tol=1e-8, max_iter=50_000, working_set=True)
    assert ws.success, ws.message
    assert ws.history.measure_name == "kkt" and ws.history.measure[-1] <= 1e-8
    assert pen.subdiff_distance(ws.x, f.grad(ws.x)).max() <= 1e-8
    assert ws.fun <= full.fun + 1e-10
    assert np.count_nonzero(ws.x) <= np.count_nonzero(full.x)
    assert "ws_size" in ws.history.columns


def test_working_sets_need_a_restrictable_fit_and_a_separable_penalty():
    X, y = _regression(n=30, p=10)
    with pytest.raises(TypeError, match="separable"):
        solvers.nonconvex_ag(problems.LeastSquares(X, y), problems.GroupL1(0.1, 2, n_features=10),
                             working_set=True)
    f = problems.Quadratic(np.eye(3), np.ones(3))
    with pytest.raises(TypeError, match="restrict"):
        solvers.nonconvex_ag(f, problems.L1(0.1), working_set=True)
    with pytest.raises(TypeError, match="working_set"):
        solvers.nonconvex_ag(problems.LeastSquares(X, y), None, working_set="yes")


@pytest.mark.parametrize("sparse", [False, True])
def test_gram_cache_with_an_intercept_column_matches_the_joint_fit(sparse):
    # the estimators' joint fit over [w, b]: the Gram blocks of [X, 1], built piecewise in the
    # order the sets reach columns (the intercept among them), then all at once
    from solvers.interfaces.sklearn_nonconvex import _JointFit
    from solvers.proximal import working_set as wsmod

    r = np.random.default_rng(11)
    X = r.standard_normal((50, 30)) * (r.random((50, 30)) < (0.3 if sparse else 1.0))
    y = r.standard_normal(50) + 4.0
    f = _JointFit(sp.csc_matrix(X) if sparse else X, y, "squared", True)
    cache = wsmod._GramCache.create(f)
    assert cache is not None and cache.p == 31
    for W in (np.array([2, 5, 30]), np.array([1, 2, 5, 9]), np.array([0, 1, 2, 9, 12, 30]),
              np.arange(31)):  # the last one covers more than half: all at once
        fg, fd = cache.restrict(W), f.restrict(W)
        for v in r.standard_normal((3, W.size)):
            vg, gg = fg.value_and_grad(v)
            vd, gd = fd.value_and_grad(v)
            assert vg == pytest.approx(vd, rel=1e-12)
            np.testing.assert_allclose(gg, gd, rtol=1e-10, atol=1e-12)
    assert wsmod._GramCache.create(_JointFit(X, np.sign(y - 4.0), "logistic", True)) is None


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("offset", [None, 0.3])
def test_working_set_gram_path_matches_the_plain_path(monkeypatch, sparse, offset):
    # tall restricted designs use G = X^T X / n: same iterates as the products with X_W
    from solvers.proximal import working_set as wsmod

    r = np.random.default_rng(5)
    n, p = 300, 120
    X = r.standard_normal((n, p))
    X[:, 1:] += 0.8 * X[:, :-1]
    w = np.zeros(p)
    w[:6] = [3.0, -2.0, 1.5, 4.0, -1.0, 0.5]
    y = X @ w + 0.5 * r.standard_normal(n)
    Xd = sp.csr_matrix(X) if sparse else X
    X_copy, y_copy = X.copy(), y.copy()
    f, g = problems.LeastSquares(Xd, y, offset=offset), problems.SCAD(0.1)
    gram = solvers.nonconvex_ag(f, g, tol=1e-10, max_iter=20_000, working_set=True)
    monkeypatch.setattr(wsmod, "GRAM_RATIO", 0.0)
    plain = solvers.nonconvex_ag(f, g, tol=1e-10, max_iter=20_000, working_set=True)
    assert gram.success and plain.success
    assert gram.nit == plain.nit
    np.testing.assert_allclose(gram.x, plain.x, atol=1e-10)
    assert gram.fun == pytest.approx(plain.fun, rel=1e-12)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)
    if sparse:
        np.testing.assert_array_equal(Xd.toarray(), X_copy)


def test_gram_fit_agrees_with_the_restricted_least_squares():
    from solvers.proximal.working_set import _GramCache, _warm_lipschitz

    r = np.random.default_rng(6)
    X, y = r.standard_normal((80, 30)), r.standard_normal(80)
    f = problems.LeastSquares(X, y, offset=0.5)
    cache = _GramCache.create(f)
    for W in (np.array([1, 4, 7]), np.array([0, 1, 4, 9, 20, 29]), np.arange(2, 28)):
        fW, ref = cache.restrict(W), f.restrict(W)
        x = r.standard_normal(W.size)
        val, grad = fW.value_and_grad(x)
        assert val == pytest.approx(ref.value(x), rel=1e-12)
        np.testing.assert_allclose(grad, ref.grad(x), rtol=1e-12, atol=1e-12)
        assert _warm_lipschitz(fW, W, None)[0] == pytest.approx(ref.lipschitz, rel=1e-9)
    assert _GramCache.create(problems.Logistic(X, np.sign(y))) is None


def _inner_fits():
    from solvers.proximal.working_set import _GramFit

    r = np.random.default_rng(8)
    X = r.standard_normal((60, 40))
    y = X[:, :3] @ np.array([3.0, -2.0, 1.5]) + 0.1 * r.standard_normal(60)
    labels = np.sign(y + 0.5 * r.standard_normal(60))
    Xs = X * (r.random(X.shape) < 0.3)
    return {
        "gram": _GramFit(X.T @ X / 60, X.T @ y / 60, y @ y / 120),
        "least-squares": problems.LeastSquares(X, y, offset=0.2),
        "logistic": problems.Logistic(X, labels, offset=0.3),
        "sparse least-squares": problems.LeastSquares(sp.csr_matrix(Xs), y, offset=0.2),
        "sparse logistic": problems.Logistic(sp.csc_matrix(Xs), labels, offset=0.3),
    }


@pytest.mark.parametrize("form", ["gram", "least-squares", "logistic", "sparse least-squares",
                                  "sparse logistic"])
@pytest.mark.parametrize("pen", PENALTIES + [problems.MCP(0.05, gamma=1.5)], ids=repr)
@pytest.mark.parametrize("damping, restart", [("optimal", None), ("optimal", "speed"),
                                              ("ghadimi-lan", "speed")])
def test_compiled_inner_loop_reproduces_the_python_loop(form, pen, damping, restart):
    # the working sets' compiled loop: same iterates, iteration and evaluation counts,
    # restarts and status as the Python loop it replaces
    import importlib

    ag = importlib.import_module("solvers.proximal.nonconvex_ag")
    f = _inner_fits()[form]
    x0 = np.random.default_rng(9).standard_normal(40) * (np.arange(40) % 3 == 0)
    x0_copy = x0.copy()
    opts = dict(damping=damping, L=None, restart=restart, measure="mapping", tol=1e-9,
                max_iter=800)
    ref = ag._solve(f, pen, x0, callback=None, verbose=False, backend="cpu",
                    track_objective=False, **opts)
    fast = ag._compiled_solve(f, pen, x0, **opts)
    assert fast is not None
    assert (fast.nit, fast.status, fast.nfev, fast.njev, fast.n_restarts) == \
        (ref.nit, ref.status, ref.nfev, ref.njev, ref.n_restarts)
    np.testing.assert_allclose(fast.x, ref.x, rtol=0, atol=1e-12)
    assert fast.measure == pytest.approx(ref.measure, rel=1e-8, abs=1e-14)
    np.testing.assert_array_equal(x0, x0_copy)


@pytest.mark.parametrize("form", ["least-squares", "logistic", "sparse logistic"])
@pytest.mark.parametrize("pen", PENALTIES, ids=repr)
def test_compiled_inner_loop_leaves_an_intercept_unpenalized(form, pen):
    # the estimators' restricted fits: the last column is ones, the penalty skips it
    import importlib

    from solvers.interfaces.sklearn_nonconvex import _AllButLast

    ag = importlib.import_module("solvers.proximal.nonconvex_ag")
    base = _inner_fits()[form]
    ones = np.ones((base.X.shape[0], 1))
    X = sp.hstack([base.X, sp.csc_matrix(ones)], format="csc") if sp.issparse(base.X) \
        else np.hstack([base.X, ones])
    y = base.y + 3.0 if form == "least-squares" else base.y.copy()
    if form == "sparse logistic":
        y[:12] = 1.0  # unbalanced labels: a nonzero intercept even where every w_j is 0
    f = type(base)(X, y)
    g = _AllButLast(pen)
    x0 = np.zeros(41)
    opts = dict(damping="optimal", L=None, restart=None, measure="mapping", tol=1e-10,
                max_iter=3000)
    ref = ag._solve(f, g, x0, callback=None, verbose=False, backend="cpu",
                    track_objective=False, **opts)
    fast = ag._compiled_solve(f, g, x0, **opts)
    assert (fast.nit, fast.status, fast.nfev) == (ref.nit, ref.status, ref.nfev)
    np.testing.assert_allclose(fast.x, ref.x, rtol=0, atol=1e-12)
    assert fast.x[-1] != 0.0
    if fast.success:  # (logistic with MCP(0.2) needs more than 3000 iterations)
        assert abs(f.grad(fast.x)[-1]) <= 1e-9  # the intercept is optimal


def test_compiled_inner_loop_declines_what_it_does_not_cover():
    import importlib

    ag = importlib.import_module("solvers.proximal.nonconvex_ag")
    f = _inner_fits()["least-squares"]
    x0 = np.zeros(40)
    opts = dict(damping="optimal", L=None, restart=None, tol=1e-8, max_iter=10)
    assert ag._compiled_solve(f, problems.L1(0.1), x0, measure="mapping", **opts) is None
    assert ag._compiled_solve(f, PENALTIES[0], x0, measure="prox_grad_norm", **opts) is None
    assert ag._compiled_solve(problems.LeastSquares(f.X.astype(np.float32), f.y),
                              PENALTIES[0], x0, measure="mapping", **opts) is None


@pytest.mark.parametrize("shape", [(80, 30), (40, 200), (500, 70)])
def test_compiled_lanczos_finds_the_largest_eigenpair(shape):
    from solvers.proximal._lanczos import DESIGN, GRAM, largest_eigenpair

    r = np.random.default_rng(10)
    X = r.standard_normal(shape)
    X[:, 1:] += 0.9 * X[:, :-1]
    G = X.T @ X
    ref = np.linalg.eigvalsh(G)[-1]
    v0 = r.standard_normal(shape[1])
    for form, A in ((DESIGN, X), (GRAM, G)):
        theta, v = largest_eigenpair(form, A, v0, 1e-10, 300)
        assert theta == pytest.approx(ref, rel=1e-12)
        assert np.linalg.norm(G @ v - theta * v) <= 1e-8 * theta
