import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import problems

PENALTIES = [
    problems.L1(0.7),
    problems.L2(1.3),
    problems.ElasticNet(0.9, 0.3),
    problems.ElasticNet(0.5, 1.0),
    problems.Box(-0.5, 2.0),
]
GRID = np.linspace(-6, 6, 240_001)  # spacing 5e-5


def _brute_prox(g, v, step):
    vals = np.array([g.value(np.array([u])) for u in GRID[::400]])  # coarse pass
    u0 = GRID[::400][np.argmin(vals + (GRID[::400] - v) ** 2 / (2 * step))]
    fine = GRID[(GRID > u0 - 0.03) & (GRID < u0 + 0.03)]
    vals = np.array([g.value(np.array([u])) for u in fine]) + (fine - v) ** 2 / (2 * step)
    return fine[np.argmin(vals)]


@pytest.mark.parametrize("g", PENALTIES, ids=repr)
@settings(max_examples=25, deadline=None)
@given(v=st.floats(-4, 4), step=st.floats(0.05, 3.0))
def test_prox_matches_brute_force_minimization(g, v, step):
    p = g.prox(np.array([v]), step)[0]
    assert p == pytest.approx(_brute_prox(g, v, step), abs=2e-4)
    assert g.prox_1d(v, step, 0) == pytest.approx(p, abs=1e-14)


@pytest.mark.parametrize("g", PENALTIES, ids=repr)
def test_subdiff_distance_vanishes_at_prox_fixed_points(g):
    # x = prox(x - s*grad) <=> -grad in dg(x); build such pairs and check the distance is 0
    rng = np.random.default_rng(0)
    z = 2 * rng.standard_normal(50)
    s = 0.7
    x = g.prox(z, s)
    grad = -(z - x) / s  # -grad = (z - x)/s lies in dg(x)
    np.testing.assert_allclose(g.subdiff_distance(x, grad), 0.0, atol=1e-12)
    assert np.all(g.subdiff_distance(x, grad + 0.1) >= 0)
    assert g.subdiff_distance(x, grad + 10.0).max() > 1.0


@pytest.mark.parametrize("g", [p for p in PENALTIES if hasattr(p, "conjugate")], ids=repr)
def test_fenchel_young_inequality(g):
    rng = np.random.default_rng(1)
    for _ in range(20):
        x, v = rng.standard_normal(10), rng.standard_normal(10)
        c = g.dual_scale(v)
        assert 0 < c <= 1
        assert g.value(x) + g.conjugate(c * v) >= float(x @ (c * v)) - 1e-12


def test_penalty_parameter_errors():
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        problems.L1(-1.0)
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        problems.L2(-0.1)
    with pytest.raises(ValueError, match="l1_ratio must be <= 1"):
        problems.ElasticNet(1.0, 1.5)
    with pytest.raises(TypeError, match="alpha must be a real number"):
        problems.L1("big")
    with pytest.raises(ValueError, match="lower must be <= upper"):
        problems.Box(1.0, 0.0)


def test_alpha_max_is_the_threshold_for_zero():
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((30, 8)), rng.standard_normal(30)
    f = problems.LeastSquares(X, y)
    amax = problems.L1(1.0).alpha_max(f.grad(np.zeros(8)))
    assert amax == pytest.approx(np.abs(X.T @ y).max() / 30)
    assert problems.duality_gap(f, problems.L1(amax), np.zeros(8)) == pytest.approx(0, abs=1e-14)
    assert problems.duality_gap(f, problems.L1(0.9 * amax), np.zeros(8)) > 1e-6


# --- duality gap -------------------------------------------------------------------------

def test_gap_zero_at_sklearn_lasso_and_positive_elsewhere():
    sklm = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((40, 60)), rng.standard_normal(40)
    f = problems.LeastSquares(X, y)
    alpha = 0.05
    g = problems.L1(alpha)
    w = sklm.Lasso(alpha=alpha, fit_intercept=False, tol=1e-15, max_iter=100_000).fit(X, y).coef_
    P = f.value(w) + g.value(w)
    assert problems.duality_gap(f, g, w) <= 1e-12 * max(P, 1)
    for scale in (0.9, 1.1):
        assert problems.duality_gap(f, g, scale * w) > 1e-8
    pert = w + 1e-3 * rng.standard_normal(60)
    gap = problems.duality_gap(f, g, pert)
    assert gap >= f.value(pert) + g.value(pert) - P - 1e-12  # gap bounds suboptimality


def test_gap_zero_at_sklearn_elastic_net():
    sklm = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((50, 20)), rng.standard_normal(50)
    f, g = problems.LeastSquares(X, y), problems.ElasticNet(0.1, 0.4)
    w = sklm.ElasticNet(alpha=0.1, l1_ratio=0.4, fit_intercept=False, tol=1e-15,
                        max_iter=100_000).fit(X, y).coef_
    assert problems.duality_gap(f, g, w) <= 1e-12
    assert problems.duality_gap(f, g, 1.05 * w) > 1e-8


def test_gap_of_l1_logistic_at_liblinear_solution():
    sklm = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(5)
    X = rng.standard_normal((80, 10))
    y = np.sign(X @ rng.standard_normal(10) + 0.5 * rng.standard_normal(80))
    alpha = 0.02
    f, g = problems.Logistic(X, y), problems.L1(alpha)
    clf = sklm.LogisticRegression(C=1 / (alpha * 80), l1_ratio=1.0, solver="liblinear",
                                  fit_intercept=False, tol=1e-12, max_iter=10_000)
    with _nowarn():  # liblinear's deprecation chatter is not under test
        clf.fit(X, y)
    w = clf.coef_.ravel()
    assert problems.duality_gap(f, g, w) <= 1e-8
    assert problems.duality_gap(f, g, 1.2 * w) > 1e-6


def _nowarn():
    import contextlib
    import warnings

    @contextlib.contextmanager
    def ctx():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield

    return ctx()


def test_gap_unsupported_pair_raises():
    f = problems.Quadratic(np.eye(2))
    with pytest.raises(TypeError, match="no duality gap for Quadratic"):
        problems.duality_gap(f, problems.L1(1.0), np.zeros(2))
