"""Block coordinate descent: reference agreement, the paper's theory, message passing, active
sets, bad input, GPU."""
import numpy as np
import pytest
import scipy.sparse as sp

import problems
import solvers
from solvers.core import duality_gap, fit_convergence_order, fit_linear_rate
from tests.helpers import make_regression, sparse_signal_design

sklearn = pytest.importorskip("sklearn")
from sklearn.linear_model import Lasso, LogisticRegression  # noqa: E402

GREEDY = ["gs", "gsl", "gsd", "gsq", "gs-s", "gs-r", "gs-q"]
RANDOM = ["cyclic", "random", "lipschitz"]


def _lasso_problem(sparse=False, n=40, p=30, seed=0):
    X, y = make_regression(n=n, p=p, seed=seed, sparse=sparse)
    f = problems.LeastSquares(X, y)
    alpha = np.abs(f.grad(np.zeros(p))).max() / 10
    return X, y, f, alpha


def _logistic_problem(n=60, p=20, seed=1, sparse=False):
    r = np.random.default_rng(seed)
    X = r.standard_normal((n, p))
    if sparse:
        X = sp.csr_matrix(X * (r.random((n, p)) < 0.4))
    y = np.where(r.standard_normal(n) + X[:, :3].sum(1) > 0 if not sparse
                 else r.standard_normal(n) + np.asarray(X[:, :3].sum(1)).ravel() > 0, 1.0, -1.0)
    f = problems.Logistic(X, y)
    alpha = np.abs(f.grad(np.zeros(p))).max() / 8
    return X, y, f, alpha


def _rel_gap(f, g, x):
    p = x.size
    return duality_gap(f, g, x) / duality_gap(f, g, np.zeros(p))


# ---------------------------------------------------------------- reference agreement
@pytest.mark.parametrize("rule", RANDOM + GREEDY)
@pytest.mark.parametrize("update", ["gradient", "matrix", "newton", "exact"])
def test_lasso_every_rule_and_update_matches_sklearn(rule, update):
    X, y, f, alpha = _lasso_problem()
    g = problems.L1(alpha)
    ref = Lasso(alpha=alpha, fit_intercept=False, tol=1e-14, max_iter=100000).fit(X, y).coef_
    for ws in ((False, "auto") if rule in GREEDY else ("auto",)):
        res = solvers.bcd(f, g, rule=rule, update=update, working_set=ws, tol=1e-12,
                          max_iter=200000, random_state=0)
        assert res.success, res.message
        assert _rel_gap(f, g, res.x) < 1e-8
        np.testing.assert_allclose(res.x, ref, atol=1e-6)


@pytest.mark.parametrize("rule", ["cyclic", "random", "gsl", "gsd", "gsq", "gs-r", "gs-q"])
@pytest.mark.parametrize("blocks,block_size,partition",
                         [("fixed", 3, "contiguous"), ("fixed", 4, "sorted"), ("fixed", 3, "average"),
                          ("fixed", 3, "random"), ("fixed", 3, "sorted_hess"),
                          ("variable", 4, "sorted")])
@pytest.mark.parametrize("update", ["gradient", "matrix", "newton"])
def test_blocks_partitions_on_l1_logistic_match_sklearn(rule, blocks, block_size, partition, update):
    if blocks == "variable" and rule in RANDOM:
        pytest.skip("variable blocks need a greedy rule (checked in the bad-input tests)")
    X, y, f, alpha = _logistic_problem()
    g = problems.L1(alpha)
    res = solvers.bcd(f, g, rule=rule, blocks=blocks, block_size=block_size,
                      partition=partition, update=update, tol=1e-11, max_iter=50000,
                      random_state=1)
    assert res.success, res.message
    assert _rel_gap(f, g, res.x) < 1e-8
    n = X.shape[0]
    ref = LogisticRegression(C=1 / (n * alpha), l1_ratio=1.0, solver="liblinear",
                             fit_intercept=False, tol=1e-12, max_iter=100000).fit(X, y).coef_.ravel()
    np.testing.assert_allclose(res.x, ref, atol=2e-4)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("rule", ["gs-q", "gsl", "cyclic"])
def test_working_set_path_sparse_and_elastic_net(sparse, rule):
    from sklearn.linear_model import ElasticNet
    X, y, f, alpha = _lasso_problem(sparse=sparse, n=80, p=60)
    g = problems.ElasticNet(alpha, l1_ratio=0.7)
    res = solvers.bcd(f, g, rule=rule, tol=1e-12, random_state=0)
    assert res.success, res.message
    ref = ElasticNet(alpha=alpha, l1_ratio=0.7, fit_intercept=False, tol=1e-14,
                     max_iter=100000).fit(X, y).coef_
    np.testing.assert_allclose(res.x, ref, atol=1e-6)


@pytest.mark.parametrize("kind", ["ls", "logistic"])
@pytest.mark.parametrize("rule", ["gsl", "gsq", "random"])
@pytest.mark.parametrize("update", ["gradient", "newton"])
def test_smooth_problems_reach_the_minimizer(kind, rule, update):
    r = np.random.default_rng(3)
    X = r.standard_normal((50, 12)) * r.uniform(0.2, 3.0, 12)
    if kind == "ls":
        y = r.standard_normal(50)
        f = problems.LeastSquares(X, y)
        xstar = np.linalg.lstsq(X, y, rcond=None)[0]
    else:
        y = np.where(r.random(50) < 0.5, 1.0, -1.0)
        f = problems.Logistic(X, y)
        from scipy.optimize import minimize
        xstar = minimize(f.value, np.zeros(12), jac=f.grad, method="BFGS",
                         options=dict(gtol=1e-12)).x
    g = problems.L2(0.1) if kind == "logistic" else None
    if g is not None:
        # strongly convex (mu >= 0.1): gap <= 1e-13 puts x within sqrt(2e-12) of x*
        from scipy.optimize import minimize
        xstar = minimize(lambda v: f.value(v) + g.value(v), np.zeros(12),
                         jac=lambda v: f.grad(v) + 0.1 * v, method="BFGS",
                         options=dict(gtol=1e-14)).x
    res = solvers.bcd(f, g, rule=rule, update=update, block_size=3, tol=1e-13,
                      max_iter=100000, random_state=0)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, xstar, atol=1e-5)


def test_nonnegative_lasso_matches_sklearn_positive():
    X, y, f, alpha = _lasso_problem(n=50, p=40)
    g = problems.L1(alpha / 3, positive=True)
    ref = Lasso(alpha=alpha / 3, positive=True, fit_intercept=False, tol=1e-14,
                max_iter=100000).fit(X, y).coef_
    for kw in (dict(), dict(working_set=False, block_size=5, update="matrix")):
        res = solvers.bcd(f, g, rule="gs-q", tol=1e-12, **kw)
        assert res.success and res.x.min() >= 0
        np.testing.assert_allclose(res.x, ref, atol=1e-6)


def test_multinomial_general_engine():
    r = np.random.default_rng(0)
    X = r.standard_normal((60, 5))
    y = r.integers(0, 3, 60)
    f = problems.Multinomial(X, y)
    g = problems.L1(0.01)
    res = solvers.bcd(f, g, rule="gsl", block_size=3, tol=1e-9, max_iter=20000)
    assert res.success, res.message
    assert res.x.shape == f.shape
    fista = solvers.fista(f, g, tol=1e-12, max_iter=20000)
    np.testing.assert_allclose(res.x, fista.x, atol=1e-5)


# ---------------------------------------------------------------- the paper's theory
def _varied_lipschitz_ls(seed=0, n=200, p=60):
    r = np.random.default_rng(seed)
    X = r.standard_normal((n, p)) * np.exp(r.uniform(-2, 2, p))
    y = r.standard_normal(n)
    return problems.LeastSquares(X, y)


def test_gsl_progress_is_at_least_gs_progress():
    f = _varied_lipschitz_ls()
    r = np.random.default_rng(1)
    for _ in range(20):
        x0 = r.standard_normal(f.shape[0])
        out = {}
        for rule in ("gs", "gsl"):
            res = solvers.bcd(f, None, x0, rule=rule, tol=0.0, max_iter=1, working_set=False)
            out[rule] = f.value(x0) - res.fun
        assert out["gsl"] >= out["gs"] - 1e-12


def test_greedy_beats_random_and_cyclic_in_iterations():
    f = _varied_lipschitz_ls(n=300, p=100)
    xstar = np.linalg.lstsq(f.X, f.y, rcond=None)[0]
    fstar = f.value(xstar)
    final = {}
    for rule in ("cyclic", "random", "lipschitz", "gs", "gsl", "gsq"):
        res = solvers.bcd(f, None, rule=rule, block_size=5, partition="sorted", tol=0.0,
                          max_iter=300, working_set=False, random_state=0)
        final[rule] = res.fun - fstar
    assert max(final["gsl"], final["gsq"]) < min(final["cyclic"], final["random"], final["lipschitz"])
    assert final["gsl"] <= final["gs"]


def test_matrix_update_beats_gradient_update():
    f = _varied_lipschitz_ls(n=300, p=100)
    fstar = f.value(np.linalg.lstsq(f.X, f.y, rcond=None)[0])
    runs = {u: solvers.bcd(f, None, rule="gsl", block_size=5, update=u, tol=0.0, max_iter=200,
                           working_set=False).fun - fstar for u in ("gradient", "matrix")}
    assert runs["matrix"] < runs["gradient"]


def test_linear_rate_under_strong_convexity_matches_theory():
    f = _varied_lipschitz_ls(n=200, p=30)
    H = f.hess()
    mu = np.linalg.eigvalsh(H)[0]
    Lmax = f.coordinate_lipschitz.max()
    fstar = f.value(np.linalg.lstsq(f.X, f.y, rcond=None)[0])
    res = solvers.bcd(f, None, rule="gs", tol=0.0, max_iter=400, working_set=False)
    e = res.history.objective - fstar
    fit = fit_linear_rate(e, min_value=1e-12 * e[0])
    # GS with 1/L_i steps: f(x_k+1) - f* <= (1 - mu / (n Lmax)) (f(x_k) - f*) (Nutini et al. 2015)
    assert fit.rate < 1 - mu / (f.shape[0] * Lmax) + 1e-3
    assert fit.r2 > 0.9


# ---------------------------------------------------------------- graphs and message passing
@pytest.mark.parametrize("partition", ["red_black", "two_forest", "forest"])
def test_message_passing_on_lattice_partitions_reaches_solution(partition):
    f = problems.lattice_quadratic(8, random_state=0, weight=10.0, n_labeled=6)
    xstar = f.solution()
    res = solvers.bcd(f, None, rule="gs", partition=partition, update="exact", tol=1e-9,
                      max_iter=20000)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, xstar, atol=1e-6 * max(1, np.abs(xstar).max()))


def test_forest_blocks_are_exact_block_minimizations():
    f = problems.lattice_quadratic(6, random_state=1, weight=5.0, n_labeled=4)
    x0 = np.random.default_rng(0).standard_normal(f.n)
    Q = f.Q.toarray()
    from solvers.bcd import is_forest
    iterates = [x0]
    solvers.bcd(f, None, x0, rule="gs", blocks="forest", block_size=None, update="exact",
                tol=0.0, max_iter=6, callback=lambda info: iterates.append(info.x.copy()))
    assert len(iterates) == 7
    for prev, new in zip(iterates[:-1], iterates[1:]):
        b = np.flatnonzero(new != prev)
        assert b.size > 1 and is_forest(f.adjacency, b)
        # the block was minimized exactly: same result as a dense solve of Q_bb
        rhs = f.b[b] - Q[b] @ prev + Q[np.ix_(b, b)] @ prev[b]
        np.testing.assert_allclose(new[b], np.linalg.solve(Q[np.ix_(b, b)], rhs), rtol=1e-9,
                                   atol=1e-9)


def test_label_propagation_two_moons():
    W, labels = problems.two_moons_graph(200, n_neighbors=5, n_labeled=20, random_state=0)
    f = problems.LabelPropagation(W, labels, lam=1e-3)
    res = solvers.bcd(f, None, rule="gsl", blocks="forest", block_size=None, update="exact",
                      tol=1e-9, max_iter=5000)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, f.solution(), atol=1e-6)


# ---------------------------------------------------------------- active sets
def test_support_is_identified_in_finitely_many_iterations():
    X, y, f, alpha = _lasso_problem(n=60, p=40)
    g = problems.L1(alpha)
    res = solvers.bcd(f, g, rule="gs-q", tol=1e-13, working_set=False, max_iter=50000)
    assert res.success
    ref = Lasso(alpha=alpha, fit_intercept=False, tol=1e-14, max_iter=100000).fit(X, y).coef_
    assert res.identified_at is not None and res.identified_at < res.nit
    assert res.history.support[-1] == np.count_nonzero(ref)


def test_active_set_newton_tail_is_superlinear():
    X, y, f, alpha = _logistic_problem(n=80, p=25, seed=4)
    g = problems.L1(alpha / 2)
    res = solvers.bcd(f, g, rule="gs-q", working_set=False, active_set_newton=True,
                      tol=1e-14, max_iter=5000)
    plain = solvers.bcd(f, g, rule="gs-q", working_set=False, tol=1e-14, max_iter=5000)
    assert res.success
    assert res.nit < plain.nit
    gap = res.history.gap
    tail = gap[int(res.identified_at or 0):]
    tail = tail[tail > 1e-15]
    fit = fit_convergence_order(tail[-6:])
    assert fit.rate > 1.2  # superlinear: order > 1


def test_active_set_newton_terminates_finitely_on_lasso():
    X, y, f, alpha = _lasso_problem(n=60, p=40)
    g = problems.L1(alpha)
    res = solvers.bcd(f, g, rule="gs-q", working_set=False, active_set_newton=True, tol=1e-14,
                      max_iter=5000)
    plain = solvers.bcd(f, g, rule="gs-q", working_set=False, tol=1e-14, max_iter=5000)
    assert res.success and res.nit < plain.nit


# ---------------------------------------------------------------- bad input and API
def test_bad_input_errors():
    X, y, f, alpha = _lasso_problem()
    g = problems.L1(alpha)
    with pytest.raises(ValueError, match="rule"):
        solvers.bcd(f, g, rule="fastest")
    with pytest.raises(ValueError, match="block_size"):
        solvers.bcd(f, g, block_size=0)
    with pytest.raises(ValueError, match="block_size"):
        solvers.bcd(f, g, block_size=31)
    with pytest.raises(TypeError, match="block_size"):
        solvers.bcd(f, g, block_size=2.5)
    with pytest.raises(ValueError, match="greedy rule"):
        solvers.bcd(f, g, blocks="variable", rule="cyclic", block_size=3)
    with pytest.raises(ValueError, match="update"):
        solvers.bcd(f, g, update="magic")
    with pytest.raises(ValueError, match="partition"):
        solvers.bcd(f, g, block_size=2, partition="diagonal")
    with pytest.raises(ValueError, match="working_set"):
        solvers.bcd(f, g, rule="cyclic", working_set=True)
    with pytest.raises(TypeError, match="adjacency"):
        solvers.bcd(f, g, blocks="forest")
    with pytest.raises(ValueError, match="measure='gap'"):
        solvers.bcd(f, None, measure="gap")
    with pytest.raises(ValueError, match="x0"):
        solvers.bcd(f, g, np.full(30, np.nan))
    _, _, flog, a2 = _logistic_problem()
    with pytest.raises(ValueError, match="exact"):
        solvers.bcd(flog, problems.L1(a2), update="exact")

    class NotSeparable:
        def value(self, x):
            return 0.0

        def prox(self, x, step):
            return x

    with pytest.raises(TypeError, match="subdiff_distance"):
        solvers.bcd(f, NotSeparable())


def test_result_history_and_callers_arrays():
    X, y, f, alpha = _lasso_problem()
    Xc, yc = X.copy(), y.copy()
    x0 = np.ones(30)
    x0c = x0.copy()
    res = solvers.bcd(f, problems.L1(alpha), x0, rule="gsl", working_set=False, tol=1e-10)
    np.testing.assert_array_equal(X, Xc)
    np.testing.assert_array_equal(y, yc)
    np.testing.assert_array_equal(x0, x0c)
    h = res.history
    for col in ("objective", "gap", "time", "support", "block", "nit"):
        assert len(getattr(h, col)) == len(h)
    assert isinstance(res, solvers.Result) and res.success and res.status == 0
    res2 = solvers.bcd(f, problems.L1(alpha), rule="gs-q", tol=1e-10)
    assert {"ws_size", "updates", "support"} <= set(res2.history.columns)


def test_random_rules_are_deterministic_for_a_seed():
    X, y, f, alpha = _lasso_problem()
    g = problems.L1(alpha)
    a = solvers.bcd(f, g, rule="random", random_state=3, max_iter=500, tol=0.0)
    b = solvers.bcd(f, g, rule="random", random_state=3, max_iter=500, tol=0.0)
    np.testing.assert_array_equal(a.x, b.x)


def test_max_iter_reports_failure():
    X, y, f, alpha = _lasso_problem()
    res = solvers.bcd(f, problems.L1(alpha), rule="cyclic", max_iter=30, tol=1e-15)
    assert not res.success and "max_iter" in res.message


def test_callback_stops():
    X, y, f, alpha = _lasso_problem()

    def cb(info):
        if info.nit >= 3:
            raise StopIteration

    res = solvers.bcd(f, problems.L1(alpha), rule="gsl", working_set=False, callback=cb, tol=0.0)
    assert res.status == 99 and res.nit == 3


# ---------------------------------------------------------------- GPU
@pytest.mark.gpu
@pytest.mark.parametrize("update", ["gradient", "newton"])
def test_gpu_variable_blocks_match_cpu(update):
    import cupy as cp
    X, y, f, alpha = _lasso_problem(n=80, p=50)
    g = problems.L1(alpha)
    cpu = solvers.bcd(f, g, rule="gs-q", blocks="variable", block_size=8, update=update,
                      tol=1e-10, max_iter=20000)
    fg = problems.LeastSquares(cp.asarray(X), cp.asarray(y))
    gpu = solvers.bcd(fg, g, rule="gs-q", blocks="variable", block_size=8, update=update,
                      tol=1e-10, max_iter=20000)
    assert gpu.success
    np.testing.assert_allclose(cp.asnumpy(gpu.x), cpu.x, atol=1e-7)


@pytest.mark.parametrize("density", [0.01, 0.08])   # heap-selected steps / greedy variable blocks
@pytest.mark.parametrize("rule", ["gsl", "gsd", "gs-q", "gs-r"])
@pytest.mark.parametrize("kind", ["ls", "logistic"])
def test_sparse_working_set_kernels(monkeypatch, density, rule, kind):
    from solvers.bcd import glm_engine
    monkeypatch.setattr(glm_engine, "DENSE_GRAM_MAX", 4)
    n, p = 300, 200
    X, w, r = sparse_signal_design(n, p, density)
    if kind == "ls":
        y = X @ w + 0.05 * r.standard_normal(n)
        f = problems.LeastSquares(X, y)
    else:
        y = np.where(X @ w + 0.1 * r.standard_normal(n) > 0, 1.0, -1.0)
        f = problems.Logistic(X, y)
    alpha = np.abs(f.grad(np.zeros(p))).max() / 20
    g = problems.L1(alpha)
    for asn in (False, True):
        res = solvers.bcd(f, g, rule=rule, update="newton", tol=1e-12, active_set_newton=asn)
        assert res.success, res.message
        assert _rel_gap(f, g, res.x) < 1e-8
        assert res.history.ws_size.max() > 4  # the sparse kernels ran


@pytest.mark.parametrize("loss", [0, 1])
def test_loss_change_is_accurate_below_the_rounding_of_the_loss(loss):
    from solvers.bcd import _kernels as K
    r = np.random.default_rng(0)
    n = 500
    z = 3 * r.standard_normal(n)
    y = np.where(r.random(n) < 0.5, -1.0, 1.0) if loss else r.standard_normal(n)
    import mpmath
    for scale in (1e-12, 1e-6, 1.0, 40.0):
        dz = scale * r.standard_normal(n)
        with mpmath.workdps(60):
            def term(zi, dzi, yi):
                zi, dzi, yi = mpmath.mpf(zi), mpmath.mpf(dzi), mpmath.mpf(yi)
                if loss:
                    return mpmath.log1p(mpmath.exp(-yi * (zi + dzi))) - \
                        mpmath.log1p(mpmath.exp(-yi * zi))
                return ((zi + dzi - yi) ** 2 - (zi - yi) ** 2) / 2
            exact = float(mpmath.fsum(term(*t) for t in zip(z, dz, y)))
        got = K.loss_change(loss, z, dz, 1.0, y)
        assert got == pytest.approx(exact, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("first_new", [0, 3])
def test_gram_blocks_from_csc_columns_match_dense(first_new):
    from solvers.bcd import _kernels as K
    X = sp.random(300, 40, density=0.15, format="csc", random_state=2)
    w = np.random.default_rng(1).random(300)
    C = np.array([30, 2, 17, 5, 39, 11, 0])
    rp, pos, val = K.rows_of_columns(X.indptr, X.indices, X.data, C, 300)
    Bt = K.gram_block_from_rows(rp, pos, val, w, C.size, first_new)
    XC = X[:, C].toarray()
    np.testing.assert_allclose(Bt.T, XC.T @ (w[:, None] * XC[:, first_new:]), atol=1e-14)


def test_kept_gram_equals_a_fresh_one_as_the_working_set_changes():
    from solvers.bcd import glm_engine
    X = sp.random(200, 60, density=0.2, format="csc", random_state=3)
    y = np.random.default_rng(3).standard_normal(200)
    f = problems.LeastSquares(X, y)
    st = glm_engine.GLMState(f, problems.L1(0.01), np.zeros(60),
                               glm_engine.compiled_penalty(problems.L1(0.01)), "gap")
    for W in (np.array([1, 5, 9]), np.array([1, 4, 5, 9, 30]), np.array([4, 30]),
              np.arange(0, 60, 7)):
        XW = X[:, W].toarray()
        np.testing.assert_allclose(st.gram(W, 1.0), XW.T @ XW / 200, atol=1e-14)


def test_first_working_set_is_small_for_dense_columns_and_large_for_rare_ones():
    from solvers.bcd import glm_engine
    r = np.random.default_rng(4)
    # density 0.5 in 400 columns: sqrt(nnz / n) = sqrt(200) = 14.1 = sum of 29 densities
    for density, expect in ((0.5, (27, 31)), (0.002, (50, 50))):
        X = sp.random(2000, 400, density=density, format="csc", random_state=4)
        f = problems.LeastSquares(X, r.standard_normal(2000))
        st = glm_engine.GLMState(f, None, np.zeros(400), glm_engine.compiled_penalty(None),
                                   "prox_grad_norm")
        k = glm_engine._balanced_ws_size(st, r.random(400))
        assert expect[0] <= k <= expect[1]
