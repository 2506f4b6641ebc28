"""bcd with SCAD and MCP on the compiled design-matrix engine: agreement with the nonconvex
accelerated gradient on strongly convex instances, stationarity on p > n instances, the
compiled kernels against the penalties' own formulas, linear rate, bad input."""
import numpy as np
import pytest
import scipy.sparse as sp

import problems
import solvers
from solvers.bcd import _kernels as K
from solvers.bcd import glm_engine
from solvers.core import fit_linear_rate
from tests.helpers import sparse_signal_design

PENALTIES = [problems.SCAD(0.1), problems.MCP(0.1)]
RULES = ["gs-q", "gsl", "gsd", "gs-r", "cyclic", "random"]


def _kkt(f, g, x):
    return float(np.max(g.subdiff_distance(x, f.grad(x))))


def _strongly_convex_lsq(sparse=False, n=300, p=25, seed=0):
    """Least squares whose Hessian's smallest eigenvalue exceeds the weak-convexity modulus
    of SCAD (1 / 2.7) and MCP (1 / 3): F is strongly convex, its minimizer unique."""
    r = np.random.default_rng(seed)
    X = r.standard_normal((n, p))
    if sparse:
        X = X * (r.random((n, p)) < 0.7)
    X /= np.sqrt((X ** 2).mean(axis=0))
    assert np.linalg.eigvalsh(X.T @ X / n)[0] > 1 / 2.7
    w = np.zeros(p)
    w[:min(p, 6)] = [2.0, -1.5, 0.3, 0.15, -0.25, 1.0][:min(p, 6)]
    y = X @ w + 0.3 * r.standard_normal(n)
    return problems.LeastSquares(sp.csr_matrix(X) if sparse else X, y)


@pytest.fixture
def compiled_only(monkeypatch):
    """Fail if a run leaves the compiled engine for the generic one."""
    def refuse(*args, **kwargs):
        raise AssertionError("bcd took the generic path")
    import importlib
    monkeypatch.setattr(importlib.import_module("solvers.bcd.solver"), "solve_generic", refuse)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("g", PENALTIES, ids=repr)
def test_compiled_bcd_matches_nonconvex_ag_on_a_strongly_convex_instance(g, rule, sparse,
                                                                         compiled_only):
    f = _strongly_convex_lsq(sparse)
    ref = solvers.nonconvex_ag(f, g, tol=1e-12, max_iter=20000)
    assert ref.success
    res = solvers.bcd(f, g, rule=rule, tol=1e-10, random_state=0)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, ref.x, atol=1e-8)
    np.testing.assert_array_equal(res.x != 0, ref.x != 0)
    assert abs(res.fun - ref.fun) <= 1e-10 * abs(ref.fun)
    assert _kkt(f, g, res.x) <= 1e-9


def _logistic(n=600, p=10, seed=2):
    r = np.random.default_rng(seed)
    X = r.standard_normal((n, p))
    X /= np.sqrt((X ** 2).mean(axis=0))
    y = np.where(X[:, 0] - X[:, 1] + 1.5 * r.standard_normal(n) > 0, 1.0, -1.0)
    return problems.Logistic(X, y)


@pytest.mark.parametrize("model", ["least squares", "logistic"])
@pytest.mark.parametrize("g", PENALTIES, ids=repr)
def test_compiled_and_generic_engines_agree(g, model, monkeypatch):
    """The generic engine (array steps through the penalty's ``prox_global``) is the
    independent implementation: cyclic passes in the same order end at the same point. For
    the logistic loss every coordinate bound ``||X_j||^2 / 4n = 0.25`` is below the
    penalty's concavity: both engines minimize the nonconvex coordinate model exactly, so
    they take the same steps."""
    if model == "logistic":
        f = _logistic(n=300, p=8)
        assert np.all(f.coordinate_lipschitz < 1 / (0.99 * g.max_step))
    else:
        f = _strongly_convex_lsq(n=200, p=12, seed=5)
    opts = dict(rule="cyclic", partition="contiguous", tol=1e-10, max_iter=20000)
    # and after the same five passes (the same steps) the iterates agree to rounding
    passes = dict(opts, tol=0.0, max_iter=5 * f.X.shape[1])
    fast, fast5 = solvers.bcd(f, g, **opts), solvers.bcd(f, g, **passes)
    monkeypatch.setattr(glm_engine, "compiled_penalty", lambda g: None)
    slow, slow5 = solvers.bcd(f, g, **opts), solvers.bcd(f, g, **passes)
    assert "n_epochs" in fast and "n_epochs" not in slow  # (one run per engine)
    assert fast.success and slow.success
    np.testing.assert_allclose(fast.x, slow.x, atol=1e-8)
    assert fast5.nit == slow5.nit == passes["max_iter"]
    np.testing.assert_allclose(fast5.x, slow5.x, rtol=0, atol=1e-12)


@pytest.mark.parametrize("rule", ["gs-q", "gsl", "cyclic"])
@pytest.mark.parametrize("g", PENALTIES, ids=repr)
def test_generic_engine_takes_exact_nonconvex_coordinate_steps(g, rule, monkeypatch):
    """The generic engine on the small-column problem of the compiled test below: exact
    coordinate steps converge in a few dozen updates there too (raising the curvature to
    ``1 / (0.99 max_step)``, as it did before, took thousands)."""
    f0 = _strongly_convex_lsq()
    f = problems.LeastSquares(0.1 * f0.X, f0.y)
    g = g.with_alpha(0.1 * g.alpha)
    monkeypatch.setattr(glm_engine, "compiled_penalty", lambda g: None)
    res = solvers.bcd(f, g, rule=rule, tol=1e-10)
    assert res.success, res.message
    assert res.nit <= 300
    assert _kkt(f, g, res.x) <= 1e-9


@pytest.mark.parametrize("opts", [dict(rule="cyclic"), dict(rule="gsl"),
                                  dict(rule="random", random_state=0),
                                  dict(rule="cyclic", block_size=2, partition="contiguous"),
                                  dict(rule="gsl", block_size=2, partition="contiguous")],
                         ids=lambda o: "-".join(map(str, o.values())))
@pytest.mark.parametrize("g", PENALTIES + [problems.L1(0.1)], ids=repr)
def test_generic_engine_with_zero_curvature_coordinates(g, opts):
    """Coordinates with ``L_j = 0`` (a zero row and column of ``Q``; an all-zero block of two
    columns): f is linear along them and the engine takes a positive majorizing curvature
    instead of dividing by zero (which crashed SCAD / MCP once the curvature floor was
    dropped, and L1 always)."""
    r = np.random.default_rng(0)
    A = r.standard_normal((30, 6))
    A[:, 2:4] = 0.0
    f = problems.Quadratic(A.T @ A / 30, r.standard_normal(6) * (A.any(axis=0)))
    res = solvers.bcd(f, g, tol=1e-9, max_iter=3000, **opts)
    assert res.success, res.message
    assert res.x[2] == res.x[3] == 0.0
    assert _kkt(f, g, res.x) <= 1e-8


@pytest.mark.parametrize("g", [problems.SCAD(0.7, a=3.2), problems.MCP(0.7, gamma=2.5)], ids=repr)
def test_generic_gsq_scores_equal_the_compiled_ones(g):
    """The generic engine's GS-q scores (vectorized) and the compiled kernels' agree to
    rounding, including the exact ``(L + p'') d^2 / 2`` form within one piece of the
    penalty, for curvatures below and above the concavity."""
    from solvers.bcd.rules import quad_model_decrease

    r = np.random.default_rng(5)
    n = 4000
    x = np.where(r.random(n) < 0.3, 0.0, r.uniform(-4, 4, n))
    grad = r.uniform(-2, 2, n) * 10.0 ** r.uniform(-12, 0, n)
    L = 10.0 ** r.uniform(-2, 1, n)
    dec, _ = quad_model_decrease(g, x, grad, L, np)
    pen = glm_engine.compiled_penalty(g)
    ref = np.array([K.model_decrease(xi, K.prox_pen(xi - gi / Li, 1.0 / Li, pen), gi, Li, pen)
                    for xi, gi, Li in zip(x, grad, L)])
    np.testing.assert_allclose(dec, ref, rtol=1e-9, atol=1e-300)
    tiny = (ref > 0) & (ref < 1e-20)
    assert tiny.sum() > 10 and np.all(dec[tiny] > 0)  # tiny moves keep a positive score


@pytest.mark.parametrize("g", PENALTIES, ids=repr)
def test_generic_newton_below_the_concavity(g):
    """Newton coordinate steps on a quadratic whose curvature is below the penalty's
    concavity: the one-coordinate model is nonconvex and is minimized with global prox steps
    (the closed-form prox refused a step above ``max_step`` with a ValueError); the run
    ends stationary."""
    r = np.random.default_rng(3)
    A = r.standard_normal((40, 12))
    Q = 0.02 * (A.T @ A / 40) + 0.01 * np.eye(12)
    f = problems.Quadratic(Q, -0.05 * r.standard_normal(12))
    res = solvers.bcd(f, g.with_alpha(0.01), rule="cyclic", update="newton", tol=1e-9,
                      max_iter=5000)
    assert res.success, res.message
    assert _kkt(f, g.with_alpha(0.01), res.x) <= 1e-8


@pytest.mark.parametrize("update", ["gradient", "newton"])
@pytest.mark.parametrize("g", [problems.SCAD(0.02), problems.MCP(0.02)], ids=repr)
def test_logistic_reaches_a_stationary_point(g, update, compiled_only):
    """The logistic loss with MCP / SCAD is not convex here (its curvature is at most 1/4,
    below the penalties' concavity), so stationary points need not be unique: each run must
    end at one, at an objective no worse than the accelerated gradient's by more than 1%."""
    f = _logistic()
    ref = solvers.nonconvex_ag(f, g, tol=1e-10, max_iter=50000)
    res = solvers.bcd(f, g, rule="gs-q", update=update, tol=1e-10)
    assert res.success, res.message
    assert _kkt(f, g, res.x) <= 1e-9
    assert res.fun <= ref.fun * 1.01


@pytest.mark.parametrize("rule", ["gs-q", "gsl", "cyclic"])
@pytest.mark.parametrize("g", [problems.SCAD(0.2), problems.MCP(0.2)], ids=repr)
def test_more_features_than_samples_reaches_a_stationary_point(g, rule, compiled_only):
    """p > n: F is not convex and different methods may stop at different stationary points;
    each must be one. (Greedy rules with MCP once stalled here: near the solution every
    model-decrease score rounded to 0 and the tie went to a coordinate that could not move.)"""
    r = np.random.default_rng(0)
    n, p = 100, 300
    X = r.standard_normal((n, p))
    X /= np.sqrt((X ** 2).mean(axis=0))
    beta = np.zeros(p)
    beta[:10] = 2.0
    f = problems.LeastSquares(X, X @ beta + 0.5 * r.standard_normal(n))
    res = solvers.bcd(f, g, rule=rule, tol=1e-10)
    assert res.success, res.message
    assert _kkt(f, g, res.x) <= 1e-9
    assert np.count_nonzero(res.x) < n


@pytest.mark.parametrize("g", PENALTIES, ids=repr)
def test_cyclic_passes_converge_linearly_on_a_strongly_convex_instance(g):
    f = _strongly_convex_lsq(n=300, p=25, seed=3)
    res = solvers.bcd(f, g, rule="cyclic", tol=1e-12)
    assert res.success
    m = np.asarray(res.history.measure)
    fit = fit_linear_rate(m, min_value=1e-11)
    assert fit.rate < 0.5 and fit.r2 > 0.9


@pytest.mark.parametrize("rule", ["gs-q", "gsl", "cyclic"])
@pytest.mark.parametrize("g", PENALTIES, ids=repr)
def test_small_columns_take_exact_nonconvex_coordinate_steps(g, rule, compiled_only):
    """Columns scaled by 0.1 (``L_j = 0.01``, far below the concavity): exact minimization of
    each nonconvex coordinate problem converges in a few dozen updates (raising the
    curvature to the weak-convexity bound instead took 7390 GS-q updates)."""
    f0 = _strongly_convex_lsq()
    f = problems.LeastSquares(0.1 * f0.X, f0.y)
    g = g.with_alpha(0.1 * g.alpha)
    res = solvers.bcd(f, g, rule=rule, tol=1e-10)
    assert res.success, res.message
    assert res.nit <= 300
    assert _kkt(f, g, res.x) <= 1e-9


# ------------------------------------------------------------------ kernels
@pytest.mark.parametrize("g", [problems.SCAD(0.7, a=3.2), problems.MCP(0.7, gamma=2.5)], ids=repr)
def test_kernel_prox_beyond_the_convex_range_is_the_global_minimizer(g):
    """Steps at or above ``max_step``: the coordinate problem is nonconvex; the kernel's
    answer must attain the minimum over a fine grid (to the grid's resolution)."""
    pen = glm_engine.compiled_penalty(g)
    grid = np.linspace(-8, 8, 320_001)
    pgrid = g.elementwise_value(grid)
    r = np.random.default_rng(4)
    for step in (g.max_step, 1.5 * g.max_step, 10.0):
        for v in np.concatenate([r.uniform(-6, 6, 60), [0.0, 0.7, -1.9, 2.24]]):
            t = K.prox_pen(v, step, pen)
            q_t = (t - v) ** 2 / (2 * step) + float(g.elementwise_value(np.array([t]))[0])
            q_grid = np.min((grid - v) ** 2 / (2 * step) + pgrid)
            assert q_t <= q_grid + 1e-9
            assert t == 0.0 or np.sign(t) == np.sign(v)


@pytest.mark.parametrize("g", [problems.SCAD(0.7, a=3.2), problems.MCP(0.7, gamma=2.5)], ids=repr)
def test_kernel_prox_value_and_subdifferential_match_the_penalty(g):
    pen = glm_engine.compiled_penalty(g)
    r = np.random.default_rng(1)
    v = np.concatenate([r.uniform(-4, 4, 400), [0.0, 0.7, -0.7, 2.24, -1.75]])
    for step in (0.05, 0.5, 1.0, 0.95 * g.max_step):
        np.testing.assert_allclose([K.prox_pen(t, step, pen) for t in v], g.prox(v, step),
                                   rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose([K.pen_value(t, pen) for t in v], g.elementwise_value(v),
                               rtol=1e-13, atol=1e-15)
    grad = r.uniform(-2, 2, v.size)
    np.testing.assert_allclose([K.subdiff_dist(a, b, pen) for a, b in zip(v, grad)],
                               g.subdiff_distance(v, grad), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("g", [problems.SCAD(0.2), problems.MCP(0.2)], ids=repr)
def test_model_decrease_is_exact_and_keeps_tiny_moves_positive(g):
    pen = glm_engine.compiled_penalty(g)
    r = np.random.default_rng(2)
    L = 1.3
    for _ in range(300):
        x, grad = r.uniform(-1.5, 1.5), r.uniform(-1, 1)
        t = K.prox_pen(x - grad / L, 1 / L, pen)
        d = t - x
        direct = -(grad * d + 0.5 * L * d * d + (K.pen_value(t, pen) - K.pen_value(x, pen)))
        assert K.model_decrease(x, t, grad, L, pen) == pytest.approx(max(direct, 0.0),
                                                                      rel=1e-9, abs=1e-14)
    # a coordinate in the flat zone, a tiny gradient: the decrease is grad^2 / 2L, which a
    # sum of the model's terms with the penalty values (about 0.06) would round to 0
    x, grad = 2.0, -2e-9
    t = K.prox_pen(x - grad / L, 1 / L, pen)
    assert K.model_decrease(x, t, grad, L, pen) == pytest.approx(grad ** 2 / (2 * L), rel=1e-6)


def test_compiled_penalty_kinds():
    assert glm_engine.compiled_penalty(None)[0] == 0
    assert glm_engine.compiled_penalty(problems.ElasticNet(0.3, 0.5))[:4] == (0, 0.15, 0.15,
                                                                                False)
    assert glm_engine.compiled_penalty(problems.SCAD(0.4, a=3.0)) == (1, 0.4, 0.0, False, 3.0)
    assert glm_engine.compiled_penalty(problems.MCP(0.4, gamma=2.0)) == (2, 0.4, 0.0, False, 2.0)
    assert glm_engine.compiled_penalty(problems.GroupL1(1.0, [[0, 1], [2]])) is None

    class Intercept:  # a penalty that leaves the last coordinate free is not uniform
        unpenalized_last = True
        folded_concave_params = ("mcp", 0.1, 3.0)
    assert glm_engine.compiled_penalty(Intercept()) is None


def test_newton_rounds_fall_back_to_the_majorizing_model(monkeypatch, compiled_only):
    """When no Newton step passes the line search (possible with SCAD / MCP, whose
    concavity can exceed the loss curvature), the round takes the curvature-bound model's
    minimizer instead, which always descends."""
    f = _logistic(n=300, p=8)
    g = problems.MCP(0.02, gamma=1.5)
    monkeypatch.setattr(glm_engine, "_line_search", lambda *a, **k: (0.0, 1))
    res = solvers.bcd(f, g, rule="gs-q", update="newton", tol=1e-9)
    assert res.success, res.message
    assert np.all(np.diff(np.asarray(res.history.objective)) <= 1e-12)
    assert _kkt(f, g, res.x) <= 1e-8


def test_all_zero_columns():
    f = problems.LeastSquares(np.zeros((10, 4)), np.arange(10.0))
    for g in PENALTIES:
        res = solvers.bcd(f, g, rule="gs-q")
        assert res.success and not res.x.any()


# ------------------------------------------------------------------ bad input
def test_active_set_newton_is_refused_for_folded_concave_penalties():
    f = _strongly_convex_lsq(n=60, p=5)
    with pytest.raises(ValueError, match="active_set_newton"):
        solvers.bcd(f, problems.MCP(0.1), rule="gs-q", active_set_newton=True)


def test_the_caller_arrays_are_left_alone():
    f = _strongly_convex_lsq(sparse=True, n=80, p=8)
    X0 = f.X.copy()
    x0 = np.full(8, 0.3)
    solvers.bcd(f, problems.SCAD(0.1), x0=x0, rule="gs-q", tol=1e-8)
    np.testing.assert_array_equal(x0, 0.3)
    assert (f.X != X0).nnz == 0



@pytest.mark.parametrize("density", [0.01, 0.08])   # heap-selected steps / greedy variable blocks
@pytest.mark.parametrize("rule", ["gsl", "gs-q"])
@pytest.mark.parametrize("kind", [problems.SCAD, problems.MCP], ids=["SCAD", "MCP"])
def test_sparse_working_set_kernels(monkeypatch, density, rule, kind, compiled_only):
    """Working sets larger than DENSE_GRAM_MAX run the implicit sparse kernels (a heap of
    scores, or greedy variable blocks when the columns share many rows); they must reach the
    same kind of point as the dense-Gram kernel."""
    monkeypatch.setattr(glm_engine, "DENSE_GRAM_MAX", 4)
    n, p = 300, 200
    X, w, r = sparse_signal_design(n, p, density, signal_scale=3.0)
    f = problems.LeastSquares(X, X @ w + 0.05 * r.standard_normal(n))
    g = kind(np.abs(f.grad(np.zeros(p))).max() / 20)
    res = solvers.bcd(f, g, rule=rule, tol=1e-10)
    assert res.success, res.message
    assert _kkt(f, g, res.x) <= 1e-9
    assert res.history.ws_size.max() > 4  # the sparse kernels ran
