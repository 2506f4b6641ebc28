"""ADMM: the general engine and its built-in problems.

Agreement with independent references (scikit-learn, a closed-form projection, FISTA with a
duality-gap certificate, the TV dual solved exactly by BVLS), convergence rates (ergodic
O(1/k), linear under strong convexity), adaptive penalties, warm starts, bad input and data
safety.
"""
import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.optimize import lsq_linear

import problems
import solvers
from solvers.admm import (
    admm, admm_group_lasso, admm_lasso, admm_logistic_l1, admm_tv1d, admm_tv2d,
)
from solvers.admm.tv import difference_matrix
from solvers.core import fit_linear_rate, fit_sublinear_rate

from helpers import make_regression

sklm = pytest.importorskip("sklearn.linear_model")

TIGHT = dict(abstol=1e-11, reltol=1e-11, max_iter=20_000)


def _soft(v, t):
    return np.sign(v) * np.maximum(np.abs(v) - t, 0.0)


def _lasso_updates(X, y, lam, log=None):
    """x- and z-updates of (1/2)||Xw - y||^2 + lam ||w||_1 in the x - z = 0 form, with a
    factorization cached per rho (and the iterates appended to ``log`` when given)."""
    p = X.shape[1]
    cache = {}

    def x_update(v, rho):
        if cache.get("rho") != rho:
            cache.update(rho=rho, M=np.linalg.inv(X.T @ X + rho * np.eye(p)))
        x = cache["M"] @ (X.T @ y + rho * v)
        if log is not None:
            log["x"].append(x)
        return x

    def z_update(w, rho):
        z = _soft(-w, lam / rho)
        if log is not None:
            log["z"].append(z)
        return z

    return x_update, z_update


# ---------------------------------------------------------------------------------------
# built-ins against references


def _design(kind, seed=1):
    if kind == "tall":
        return make_regression(80, 30, seed=seed)
    if kind == "wide":
        return make_regression(30, 70, seed=seed)
    if kind == "sparse_tall":
        return make_regression(90, 40, seed=seed, sparse=True, density=0.3)
    return make_regression(40, 90, seed=seed, sparse=True, density=0.3)


@pytest.mark.parametrize("kind", ["tall", "wide", "sparse_tall", "sparse_wide"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_lasso_and_enet_equal_sklearn(kind, l1_ratio):
    X, y = _design(kind)
    n = X.shape[0]
    alpha = 0.1 * np.abs(X.T @ y).max() / n
    Est = sklm.Lasso if l1_ratio == 1.0 else sklm.ElasticNet
    kw = {} if l1_ratio == 1.0 else {"l1_ratio": l1_ratio}
    ref = Est(alpha=alpha, fit_intercept=False, tol=1e-12, max_iter=200_000, **kw).fit(X, y)
    res = admm_lasso(X, y, alpha, l1_ratio=l1_ratio, **TIGHT)
    assert res.success and res.status == 0, res.message
    assert res.factorization == ("gram" if "tall" in kind else "kernel")
    np.testing.assert_allclose(res.x, ref.coef_, atol=1e-6)
    w = ref.coef_
    F_ref = (np.sum((y - X @ w) ** 2) / (2 * n) + alpha * l1_ratio * np.abs(w).sum()
             + 0.5 * alpha * (1 - l1_ratio) * w @ w)
    assert res.fun <= F_ref + 1e-10
    assert res.history.objective[-1] == pytest.approx(res.fun, rel=1e-9, abs=1e-12)
    assert sp.issparse(X) == ("sparse" in kind)  # the input was not densified in place


@pytest.mark.parametrize("factorization", ["splu", "cg"])
def test_lasso_sparse_factorizations(factorization):
    X, y = _design("sparse_wide", seed=2)
    alpha = 0.1 * np.abs(X.T @ y).max() / X.shape[0]
    ref = admm_lasso(X, y, alpha, **TIGHT)
    res = admm_lasso(X, y, alpha, factorization=factorization, **TIGHT)
    assert res.success and res.factorization == factorization
    np.testing.assert_allclose(res.x, ref.x, atol=1e-8)


def test_group_lasso_matches_fista_with_gap_certificate():
    X, y = make_regression(70, 24, seed=3)
    labels = np.repeat(np.arange(8), 3)
    f = problems.LeastSquares(X, y)
    alpha = 0.3 * problems.GroupL1(1.0, labels).alpha_max(f.grad(np.zeros(24)))
    g = problems.GroupL1(alpha, labels)
    ref = solvers.fista(f, g, tol=1e-14, max_iter=100_000)
    assert ref.success
    res = admm_group_lasso(X, y, alpha, labels, **TIGHT)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, ref.x, atol=1e-7)
    assert problems.duality_gap(f, g, res.x) < 1e-10
    assert 0 < np.count_nonzero(g.group_norms(res.x)) < 8  # some groups zeroed, not all
    # the same partition as index arrays (shuffled group order) gives the same solution
    parts = [np.flatnonzero(labels == k) for k in (3, 0, 7, 1, 2, 6, 5, 4)]
    res2 = admm_group_lasso(X, y, alpha, parts, **TIGHT)
    np.testing.assert_allclose(res2.x, res.x, atol=1e-9)


def test_group_lasso_weights():
    X, y = make_regression(50, 12, seed=4)
    labels = np.repeat(np.arange(4), 3)
    weights = np.array([0.5, 1.0, 2.0, 1.5])
    f = problems.LeastSquares(X, y)
    g = problems.GroupL1(0.05, labels, weights=weights)
    ref = solvers.fista(f, g, tol=1e-14, max_iter=100_000)
    res = admm_group_lasso(X, y, 0.05, 3, weights=weights, **TIGHT)
    np.testing.assert_allclose(res.x, ref.x, atol=1e-7)


def _tv_reference(y, lam, shape):
    """TV denoising through its dual box-constrained least squares, solved exactly by
    BVLS: min ||D^T p - y||^2 s.t. |p| <= lam, then x = y - D^T p."""
    Dt = difference_matrix(shape).T.toarray()
    dual = lsq_linear(Dt, y.ravel(), bounds=(-lam, lam), method="bvls", tol=1e-14)
    return (y.ravel() - Dt @ dual.x).reshape(shape)


def test_tv1d_matches_exact_dual_solution(rng):
    y = np.cumsum(rng.standard_normal(80)) * 0.3 + 0.5 * rng.standard_normal(80)
    lam = 0.8
    ref = _tv_reference(y, lam, (80,))
    res = admm_tv1d(y, lam, **TIGHT)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, ref, atol=1e-7)
    F = lambda x: 0.5 * np.sum((x - y) ** 2) + lam * np.abs(np.diff(x)).sum()  # noqa: E731
    assert res.fun == pytest.approx(F(res.x)) and res.fun <= F(ref) + 1e-9
    assert np.abs(res.y).max() <= lam * (1 + 1e-6)  # dual feasibility |y| <= lam
    assert len(np.unique(np.round(res.x, 6))) < 40  # piecewise constant


def test_tv2d_matches_exact_dual_solution(rng):
    Y = rng.standard_normal((9, 7))
    Y[:4, :3] += 3.0
    lam = 0.4
    ref = _tv_reference(Y, lam, (9, 7))
    res = admm_tv2d(Y, lam, **TIGHT)
    assert res.success, res.message
    assert res.x.shape == (9, 7)
    np.testing.assert_allclose(res.x, ref, atol=1e-7)
    D = difference_matrix((9, 7))
    F = 0.5 * np.sum((res.x - Y) ** 2) + lam * np.abs(D @ res.x.ravel()).sum()
    assert res.fun == pytest.approx(F)


def _sk_l1_logistic(X, y, alpha):
    import sklearn
    from packaging.version import Version

    kw = dict(solver="liblinear", C=1.0 / (X.shape[0] * alpha), fit_intercept=False,
              tol=1e-12, max_iter=100_000)
    if Version(sklearn.__version__) >= Version("1.8"):
        kw["l1_ratio"] = 1.0
    else:
        kw["penalty"] = "l1"
    return sklm.LogisticRegression(**kw).fit(X, y).coef_.ravel()


@pytest.mark.parametrize("sparse", [False, True])
def test_logistic_l1_matches_sklearn(sparse):
    r = np.random.default_rng(5)
    n, p = 120, 15
    X = r.standard_normal((n, p))
    if sparse:
        X = sp.csr_matrix(X * (r.random((n, p)) < 0.4))
    w = np.zeros(p)
    w[:4] = 2.0
    y = np.sign(X @ w + 0.5 * r.standard_normal(n))
    alpha = 0.02
    ref = _sk_l1_logistic(X, y, alpha)
    res = admm_logistic_l1(X, y, alpha, rho=0.5, **TIGHT)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, ref, atol=2e-6)
    F = lambda v: np.mean(np.logaddexp(0, -y * (X @ v))) + alpha * np.abs(v).sum()  # noqa: E731
    assert res.fun == pytest.approx(F(res.x), rel=1e-12)
    assert res.fun <= F(ref) + 1e-10
    assert res.nhev >= 1 and res.njev >= res.nhev


# ---------------------------------------------------------------------------------------
# the general engine


def _projection_problem(rng, kind, p=6, n=5, m=4):
    """min (1/2)||x - a||^2 + (1/2)||z - b||^2 s.t. A x + B z = c: the projection of (a, b)
    onto an affine set, in closed form."""
    A = rng.standard_normal((p, n))
    Bm = rng.standard_normal((p, m))
    c = rng.standard_normal(p)
    a, b = rng.standard_normal(n), rng.standard_normal(m)
    M = np.hstack([A, Bm])
    w0 = np.concatenate([a, b])
    w = w0 - M.T @ np.linalg.solve(M @ M.T, M @ w0 - c)
    As = {"dense": A, "sparse": sp.csr_matrix(A), "linop": spla.aslinearoperator(A)}[kind]

    def x_update(v, rho):
        return np.linalg.solve(np.eye(n) + rho * A.T @ A, a + rho * A.T @ v)

    def z_update(v, rho):
        return np.linalg.solve(np.eye(m) + rho * Bm.T @ Bm, b + rho * Bm.T @ v)

    def objective(x, z):
        return 0.5 * np.sum((x - a) ** 2) + 0.5 * np.sum((z - b) ** 2)

    return x_update, z_update, As, Bm, c, w[:n], w[n:], objective


@pytest.mark.parametrize("kind", ["dense", "sparse", "linop"])
@pytest.mark.parametrize("alpha", [1.0, 1.6])
def test_general_admm_matches_closed_form(rng, kind, alpha):
    xu, zu, A, B, c, x_star, z_star, obj = _projection_problem(rng, kind)
    res = admm(xu, zu, A, B, c, alpha=alpha, objective=obj, **TIGHT)
    assert res.success and res.status == 0, res.message
    np.testing.assert_allclose(res.x, x_star, atol=1e-8)
    np.testing.assert_allclose(res.z, z_star, atol=1e-8)
    np.testing.assert_allclose(res.y, res.rho * res.u)
    assert res.fun == pytest.approx(obj(x_star, z_star), rel=1e-8)
    h = res.history
    assert {"r_norm", "s_norm", "eps_pri", "eps_dual", "rho"} <= set(h.columns)
    assert h.r_norm[-1] <= h.eps_pri[-1] and h.s_norm[-1] <= h.eps_dual[-1]
    np.testing.assert_allclose(h.measure, np.maximum(h.r_norm / h.eps_pri, h.s_norm / h.eps_dual))
    assert h.nit[0] == 1 and len(h) == res.nit


def test_success_means_both_residuals_below_tolerance(rng):
    xu, zu, A, B, c, *_ = _projection_problem(rng, "dense")
    res = admm(xu, zu, A, B, c, max_iter=3, abstol=1e-12, reltol=1e-12)
    assert not res.success and res.status == 1 and res.nit == 3
    assert "max_iter=3" in res.message and "residual_ratio" in res.message
    assert np.isnan(res.fun) and np.all(np.isnan(res.history.objective))
    # tol sets abstol = reltol
    r1 = admm(xu, zu, A, B, c, tol=1e-7)
    r2 = admm(xu, zu, A, B, c, abstol=1e-7, reltol=1e-7)
    assert r1.nit == r2.nit and np.array_equal(r1.x, r2.x)


def test_ergodic_rate_is_one_over_k():
    """Wide least squares + L1 (convex, not strongly convex): the running averages
    (x_bar, z_bar) have primal residual and objective error O(1/k) (He and Yuan 2012)."""
    X, y = make_regression(20, 50, seed=3)
    lam = 0.1 * np.abs(X.T @ y).max()
    log = {"x": [], "z": []}
    xu, zu = _lasso_updates(X, y, lam, log)
    obj = lambda x, z: 0.5 * np.sum((X @ z - y) ** 2) + lam * np.abs(z).sum()  # noqa: E731
    res = admm(xu, zu, "identity", "-identity", 0, z0=np.zeros(50), rho=1.0, max_iter=1000,
               abstol=1e-15, reltol=1e-15, objective=obj)
    k = np.arange(1, len(log["x"]) + 1)
    xbar = np.cumsum(log["x"], axis=0) / k[:, None]
    zbar = np.cumsum(log["z"], axis=0) / k[:, None]
    resid = np.linalg.norm(xbar - zbar, axis=1)
    fit = fit_sublinear_rate(resid, k, start=10)
    assert -1.1 <= fit.rate <= -0.9 and fit.r2 > 0.99
    assert np.max(k[10:] * resid[10:]) <= 2.0 * np.max(k[10:50] * resid[10:50])  # k e_k bounded
    F_star = res.fun
    gap = np.abs(np.array([obj(None, z) for z in zbar]) - F_star)
    assert fit_sublinear_rate(gap, k, start=10, min_value=1e-12).rate <= -0.9


def test_linear_rate_under_strong_convexity():
    """Tall least squares (X^T X > 0) + L1: linear convergence of the residuals."""
    X, y = make_regression(80, 20, seed=5)
    lam = 0.1 * np.abs(X.T @ y).max()
    xu, zu = _lasso_updates(X, y, lam)
    res = admm(xu, zu, "identity", "-identity", 0, z0=np.zeros(20), rho=5.0, max_iter=3000,
               abstol=1e-13, reltol=1e-13)
    assert res.success
    fit = fit_linear_rate(res.history.r_norm, start=5, min_value=1e-11)
    assert fit.rate < 0.97 and fit.r2 > 0.98
    fit_s = fit_linear_rate(res.history.measure, start=5, min_value=1e-11)
    assert fit_s.rate < 0.97 and fit_s.r2 > 0.98


@pytest.mark.parametrize("rule", ["balance", "osqp"])
def test_adaptive_rho_converges_and_is_deterministic(rule):
    X, y = _design("tall", seed=6)
    n = X.shape[0]
    alpha = 0.05 * np.abs(X.T @ y).max() / n
    kw = dict(rho=1e3, adaptive_rho=rule, rho_interval=5, **TIGHT)
    res = admm_lasso(X, y, alpha, **kw)
    again = admm_lasso(X, y, alpha, **kw)
    assert res.success, res.message
    assert np.array_equal(res.x, again.x) and np.array_equal(res.history.rho, again.history.rho)
    assert res.nit == again.nit
    rho = res.history.rho
    changed = np.flatnonzero(np.diff(rho) != 0) + 1  # rows whose rho differs from the last
    assert changed.size >= 1 and np.all(changed % 5 == 0)  # only right after k = 5, 10, ...
    assert res.rho != 1e3 and res.rho == rho[-1]
    ref = sklm.Lasso(alpha=alpha, fit_intercept=False, tol=1e-12, max_iter=200_000).fit(X, y)
    np.testing.assert_allclose(res.x, ref.coef_, atol=1e-6)
    # y = rho u stays the true multiplier across rescalings: grad f(x) + y = 0
    grad = X.T @ (X @ res.x_split - y) / n
    np.testing.assert_allclose(grad, -res.y, atol=1e-8)
    fixed = admm_lasso(X, y, alpha, rho=1e3, abstol=1e-11, reltol=1e-11, max_iter=5 * res.nit)
    assert not fixed.success  # the badly scaled fixed penalty is far slower


def test_adaptive_rho_general_engine_refactors(rng):
    xu, zu, A, B, c, x_star, z_star, _ = _projection_problem(rng, "dense")
    seen = []

    def x_update(v, rho):
        seen.append(rho)
        return xu(v, rho)

    res = admm(x_update, zu, A, B, c, rho=50.0, adaptive_rho="osqp", rho_interval=3, **TIGHT)
    assert res.success
    assert len(set(seen)) > 1  # the x-update was handed the new rho
    np.testing.assert_allclose(res.x, x_star, atol=1e-8)


def test_warm_start_reduces_iterations():
    X, y = _design("wide", seed=7)
    n = X.shape[0]
    alpha = 0.1 * np.abs(X.T @ y).max() / n
    first = admm_lasso(X, y, alpha, **TIGHT)
    cold = admm_lasso(X, y, 0.95 * alpha, **TIGHT)
    warm = admm_lasso(X, y, 0.95 * alpha, x0=first.x, u0=first.u, rho=first.rho, **TIGHT)
    assert cold.success and warm.success
    assert warm.nit < cold.nit
    np.testing.assert_allclose(warm.x, cold.x, atol=1e-7)
    # the general engine restarted at its own solution stops at once
    xu, zu = _lasso_updates(X, y, 2.0)
    sol = admm(xu, zu, "identity", "-identity", 0, z0=np.zeros(70), **TIGHT)
    again = admm(xu, zu, "identity", "-identity", 0, z0=sol.z, u0=sol.u, **TIGHT)
    assert again.success and again.nit <= 2
    from_x = admm(xu, zu, "identity", "-identity", 0, x0=sol.x, u0=sol.u, **TIGHT)
    assert from_x.success and from_x.nit <= 3  # z0 = z_update(-A x0 - u0) from x0 alone


def test_tv_warm_start_and_relaxation(rng):
    y = np.repeat([0.0, 2.0, -1.0], 30) + 0.3 * rng.standard_normal(90)
    cold = admm_tv1d(y, 1.0, **TIGHT)
    relaxed = admm_tv1d(y, 1.0, relaxation=1.7, **TIGHT)
    assert relaxed.success and relaxed.nit < cold.nit
    np.testing.assert_allclose(relaxed.x, cold.x, atol=1e-7)
    warm = admm_tv1d(y, 1.0, x0=cold.x, u0=cold.u, **TIGHT)
    assert warm.nit <= 2


def test_callback_and_numerical_error(rng):
    xu, zu, A, B, c, *_ = _projection_problem(rng, "dense")
    seen = []

    def cb(info):
        seen.append(info.nit)
        if info.nit == 4:
            raise StopIteration

    res = admm(xu, zu, A, B, c, callback=cb, **TIGHT)
    assert seen == [1, 2, 3, 4] and res.status == solvers.core.CALLBACK_STOP and not res.success
    bad = admm(lambda v, rho: np.full(5, np.nan), zu, A, B, c)
    assert bad.status == solvers.core.NUMERICAL_ERROR and not bad.success and bad.nit == 1


# ---------------------------------------------------------------------------------------
# bad input


def _dummy():
    return (lambda v, rho: v), (lambda w, rho: -w)


@pytest.mark.parametrize("args, match", [
    ((np.ones((3, 4)), np.ones((2, 4)), np.zeros(3)), "B has 2 rows but A has 3"),
    ((np.ones((3, 4)), "-identity", np.zeros(5)), "c has shape"),
    (("identity", np.ones((3, 2)), np.zeros(4)), "c has shape"),
    (("identity", "-identity", 0), "fix the dimension"),
    (("identity", "minus", np.zeros(3)), "B must be"),
    ((np.ones(3), "-identity", np.zeros(3)), "A must be 2-dimensional"),
])
def test_dimension_mismatch_names_argument(args, match):
    xu, zu = _dummy()
    with pytest.raises(ValueError, match=match):
        admm(xu, zu, *args)


@pytest.mark.parametrize("kw, match", [
    ({"x0": np.zeros(5)}, "x0 has shape"),
    ({"z0": np.zeros(2)}, "z0 has shape"),
    ({"u0": np.zeros(4)}, "u0 has shape"),
    ({"rho": 0.0}, "rho must be > 0"),
    ({"rho": -1.0}, "rho must be > 0"),
    ({"alpha": 0.0}, "alpha must be > 0"),
    ({"alpha": 2.0}, "alpha must be < 2"),
    ({"adaptive_rho": "fast"}, "adaptive_rho must be one of"),
    ({"rho_interval": 0}, "rho_interval must be >= 1"),
    ({"abstol": 0.0, "reltol": 0.0}, "cannot both be 0"),
    ({"tol": -1.0}, "tol must be > 0"),
    ({"x0": np.array([0.0, np.nan, 0, 0])}, "x0 contains NaN"),
])
def test_bad_options(kw, match):
    xu, zu = _dummy()
    with pytest.raises(ValueError, match=match):
        admm(xu, zu, np.eye(3, 4), "-identity", np.zeros(3), **kw)


def test_bad_types_and_update_outputs():
    xu, zu = _dummy()
    with pytest.raises(TypeError, match="x_update must be callable"):
        admm(None, zu, "identity", "-identity", np.zeros(3))
    with pytest.raises(TypeError, match="A must be"):
        admm(xu, zu, 3.0, "-identity", np.zeros(3))
    with pytest.raises(ValueError, match="x_update returned"):
        admm(lambda v, rho: np.zeros(2), zu, np.eye(3), "-identity", np.zeros(3))
    with pytest.raises(ValueError, match="z_update returned"):
        admm(xu, lambda w, rho: np.zeros(2), "identity", "-identity", np.zeros(3))
    with pytest.raises(ValueError, match="c contains NaN"):
        admm(xu, zu, "identity", "-identity", np.array([0.0, np.inf]))
    with pytest.raises(ValueError, match="A contains NaN"):
        admm(xu, zu, np.array([[1.0, np.nan]]), "-identity", np.zeros(1))


def test_builtins_bad_input():
    X, y = make_regression(20, 5)
    with pytest.raises(ValueError, match="X contains NaN"):
        admm_lasso(np.where(X > 1, np.nan, X), y, 0.1)
    with pytest.raises(ValueError, match="y has length"):
        admm_lasso(X, y[:-1], 0.1)
    with pytest.raises(ValueError, match="y contains NaN"):
        admm_lasso(X, np.where(y > 0, np.inf, y), 0.1)
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        admm_lasso(X, y, -0.1)
    with pytest.raises(ValueError, match="l1_ratio must be <= 1"):
        admm_lasso(X, y, 0.1, l1_ratio=1.5)
    with pytest.raises(ValueError, match="relaxation must be < 2"):
        admm_lasso(X, y, 0.1, relaxation=2.0)
    with pytest.raises(ValueError, match="rho must be > 0"):
        admm_lasso(X, y, 0.1, rho=0)
    with pytest.raises(ValueError, match="factorization must be one of"):
        admm_lasso(X, y, 0.1, factorization="qr")
    with pytest.raises(ValueError, match="x0 has shape"):
        admm_lasso(X, y, 0.1, x0=np.zeros(4))
    with pytest.raises(ValueError, match="disjoint"):
        admm_group_lasso(X, y, 0.1, [[0, 1], [1, 2, 3, 4]])
    with pytest.raises(ValueError, match="cover every feature"):
        admm_group_lasso(X, y, 0.1, [[0, 1], [2, 3]])
    with pytest.raises(ValueError, match="groups\\[1\\] is empty"):
        admm_group_lasso(X, y, 0.1, [[0, 1, 2, 3, 4], []])
    with pytest.raises(ValueError, match="one entry per feature"):
        admm_group_lasso(X, y, 0.1, np.array([0, 0, 1]))
    with pytest.raises(ValueError, match="one entry per group"):
        admm_group_lasso(X, y, 0.1, 2, weights=[1.0, 1.0])
    with pytest.raises(ValueError, match="labels -1 and \\+1"):
        admm_logistic_l1(X, (y > 0).astype(float), 0.1)
    with pytest.raises(ValueError, match="at least 2 entries"):
        admm_tv1d(np.ones(1), 0.1)
    with pytest.raises(ValueError, match="lam must be >= 0"):
        admm_tv1d(np.ones(5), -1.0)
    with pytest.raises(ValueError, match="at least 2 x 2"):
        admm_tv2d(np.ones((1, 5)), 0.1)
    with pytest.raises(ValueError, match="Y contains NaN"):
        admm_tv2d(np.full((3, 3), np.nan), 0.1)


def test_callers_arrays_not_modified(rng):
    xu, zu, A, B, c, *_ = _projection_problem(rng, "dense")
    x0, z0, u0 = rng.standard_normal(5), rng.standard_normal(4), rng.standard_normal(6)
    saved = [a.copy() for a in (A, B, c, x0, z0, u0)]
    admm(xu, zu, A, B, c, x0=x0, z0=z0, u0=u0, alpha=1.5, adaptive_rho="balance",
         rho_interval=2, max_iter=50)
    for before, after in zip(saved, (A, B, c, x0, z0, u0)):
        assert np.array_equal(before, after)
    X, y = make_regression(30, 10, seed=8)
    Xs = sp.csr_matrix(X)
    w0, v0 = rng.standard_normal(10), rng.standard_normal(10)
    saved = [X.copy(), Xs.copy(), y.copy(), w0.copy(), v0.copy()]
    admm_lasso(X, y, 0.1, x0=w0, u0=v0, l1_ratio=0.5, max_iter=30)
    admm_lasso(Xs, y, 0.1, x0=w0, u0=v0, factorization="splu", max_iter=30)
    admm_group_lasso(X, y, 0.1, 2, x0=w0, u0=v0, max_iter=30)
    admm_logistic_l1(X, np.sign(y), 0.01, x0=w0, u0=v0, max_iter=30)
    assert np.array_equal(saved[0], X) and (saved[1] != Xs).nnz == 0
    assert all(np.array_equal(a, b) for a, b in zip(saved[2:], (y, w0, v0)))
    Y = rng.standard_normal((5, 6))
    Yc = Y.copy()
    admm_tv2d(Y, 0.1, x0=Y, max_iter=30)
    admm_tv1d(Y[0], 0.1, x0=Y[0], max_iter=30)
    assert np.array_equal(Y, Yc)


# ---------------------------------------------------------------------------------------
# GPU


@pytest.mark.gpu
@pytest.mark.parametrize("shape, sparse, factorization", [
    ((80, 30), False, "auto"), ((30, 80), False, "auto"), ((80, 30), True, "auto"),
    ((30, 80), True, "cg"),
])
def test_lasso_gpu_matches_cpu(shape, sparse, factorization):
    cp = pytest.importorskip("cupy")
    import cupyx.scipy.sparse as cusp

    X, y = make_regression(*shape, seed=9, sparse=sparse)
    alpha = 0.1 * abs(X.T @ y).max() / shape[0]
    cpu = admm_lasso(X, y, alpha, l1_ratio=0.7, **TIGHT)
    Xg = cusp.csr_matrix(X) if sparse else cp.asarray(X)
    gpu = admm_lasso(Xg, cp.asarray(y), alpha, l1_ratio=0.7, factorization=factorization,
                     **TIGHT)
    assert isinstance(gpu.x, cp.ndarray) and gpu.success
    assert gpu.nit == pytest.approx(cpu.nit, abs=2)
    np.testing.assert_allclose(cp.asnumpy(gpu.x), cpu.x, atol=1e-8)
    assert gpu.fun == pytest.approx(cpu.fun, rel=1e-10)


@pytest.mark.gpu
def test_group_lasso_and_logistic_gpu_match_cpu():
    cp = pytest.importorskip("cupy")
    X, y = make_regression(60, 12, seed=10)
    cpu = admm_group_lasso(X, y, 0.05, 3, **TIGHT)
    gpu = admm_group_lasso(cp.asarray(X), cp.asarray(y), 0.05, 3, **TIGHT)
    assert isinstance(gpu.x, cp.ndarray) and gpu.success
    np.testing.assert_allclose(cp.asnumpy(gpu.x), cpu.x, atol=1e-8)
    yl = np.sign(y)
    cpu = admm_logistic_l1(X, yl, 0.01, **TIGHT)
    gpu = admm_logistic_l1(cp.asarray(X), cp.asarray(yl), 0.01, **TIGHT)
    assert isinstance(gpu.x, cp.ndarray) and gpu.success
    np.testing.assert_allclose(cp.asnumpy(gpu.x), cpu.x, atol=1e-7)


@pytest.mark.gpu
def test_general_admm_gpu_arrays(rng):
    cp = pytest.importorskip("cupy")
    xu, zu, A, B, c, x_star, z_star, _ = _projection_problem(rng, "dense")
    Ag, Bg = cp.asarray(A), cp.asarray(B)

    def xu_g(v, rho):
        return cp.asarray(xu(cp.asnumpy(v), rho))

    def zu_g(w, rho):
        return cp.asarray(zu(cp.asnumpy(w), rho))

    res = admm(xu_g, zu_g, Ag, Bg, cp.asarray(c), alpha=1.5, **TIGHT)
    assert res.success and isinstance(res.x, cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(res.x), x_star, atol=1e-8)
    np.testing.assert_allclose(cp.asnumpy(res.z), z_star, atol=1e-8)
