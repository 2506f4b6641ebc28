"""scikit-learn estimators of solvers.interfaces: the estimator API (sklearn's own checks),
agreement with scikit-learn's solvers on dense and sparse data, exact intercepts (KKT of the
joint problem), bad input, and that ``import solvers`` stays free of scikit-learn."""
import subprocess
import sys
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

pytest.importorskip("sklearn")

from scipy.special import expit  # noqa: E402
from sklearn import linear_model as sklm  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import problems  # noqa: E402
import solvers  # noqa: E402
from solvers.interfaces import ElasticNet, Lasso, SparseLogisticRegression  # noqa: E402


# --------------------------------------------------------------------------------------------
# scikit-learn's estimator checks
# --------------------------------------------------------------------------------------------

def _expected_failed_checks(estimator):
    if isinstance(estimator, SparseLogisticRegression) and estimator.alpha >= 0.51:
        return {
            "check_classifiers_train": (
                "the default alpha=1.0 exceeds alpha_max = 0.51 of the check's standardized "
                "two-blob data, so every coefficient is 0 and the accuracy is at chance (0.5 < "
                "0.83); SparseLogisticRegression(alpha=0.01) passes this check below"),
        }
    return {}


@parametrize_with_checks(
    [Lasso(), ElasticNet(), SparseLogisticRegression(), SparseLogisticRegression(alpha=0.01)],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# --------------------------------------------------------------------------------------------
# data and references
# --------------------------------------------------------------------------------------------

def _regression_data(seed=0, n=60, p=25, sparse=None):
    rng = np.random.default_rng(seed)
    if sparse is None:
        X = rng.standard_normal((n, p)) + 1.5              # uncentered on purpose
    else:
        # non-negative entries: nonzero column means couple the intercept to w
        X = sp.random(n, p, density=0.3, format=sparse, random_state=seed,
                      data_rvs=lambda k: rng.random(k) + 0.5)
    w = np.zeros(p)
    w[:5] = [3.0, -2.0, 1.5, 1.0, -1.0]
    y = X @ w + 0.3 * rng.standard_normal(n) + 4.0
    return X, y


def _classification_data(seed=0, n=120, p=12, sparse=None):
    rng = np.random.default_rng(seed)
    if sparse is None:
        X = rng.standard_normal((n, p)) + 1.0
    else:
        X = sp.random(n, p, density=0.4, format=sparse, random_state=seed,
                      data_rvs=lambda k: rng.random(k) + 0.5)
    w = np.zeros(p)
    w[:4] = [2.0, -1.5, 1.0, 0.5]
    score = X @ w + 0.5 * rng.standard_normal(n)
    y = np.where(score > np.median(score) + 0.3, "pos", "neg")
    return X, y


def _sk_l1_logistic(alpha, n, fit_intercept=True):
    """sklearn's L1 logistic regression for our alpha: C = 1 / (n alpha)."""
    kw = dict(C=1.0 / (n * alpha), tol=1e-12, max_iter=100_000, fit_intercept=fit_intercept,
              random_state=0)
    import inspect
    penalty_default = inspect.signature(sklm.LogisticRegression).parameters["penalty"].default
    if penalty_default == "deprecated":     # scikit-learn >= 1.8
        kw["l1_ratio"] = 1.0
    else:
        kw["penalty"] = "l1"
    # saga leaves the intercept unpenalized; liblinear is exact when there is no intercept
    kw["solver"] = "saga" if fit_intercept else "liblinear"
    return sklm.LogisticRegression(**kw)


def _logistic_kkt(X, ypm, w, b, alpha, fit_intercept=True):
    """Largest violation of the optimality conditions of the joint problem in (w, b)."""
    theta = ypm * expit(-ypm * (X @ w + b))
    g = -(X.T @ theta) / len(ypm)
    viol = np.where(w != 0, np.abs(g + alpha * np.sign(w)), np.maximum(np.abs(g) - alpha, 0.0))
    out = float(viol.max())
    if fit_intercept:
        out = max(out, abs(float(theta.mean())))         # d/db of the loss
    return out


def _lasso_kkt(X, y, w, b, alpha):
    r = y - X @ w - b
    g = -(X.T @ r) / len(y)
    viol = np.where(w != 0, np.abs(g + alpha * np.sign(w)), np.maximum(np.abs(g) - alpha, 0.0))
    return max(float(viol.max()), abs(float(r.mean())))


# --------------------------------------------------------------------------------------------
# agreement with scikit-learn
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sparse", [None, "csr", "csc"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("positive", [False, True])
def test_lasso_matches_sklearn(sparse, fit_intercept, positive):
    X, y = _regression_data(sparse=sparse)
    for alpha in (0.3, 0.02):
        ours = Lasso(alpha=alpha, fit_intercept=fit_intercept, positive=positive,
                     tol=1e-12).fit(X, y)
        ref = sklm.Lasso(alpha=alpha, fit_intercept=fit_intercept, positive=positive,
                         tol=1e-14, max_iter=1_000_000).fit(X, y)
        np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-6)
        assert abs(ours.intercept_ - ref.intercept_) <= 1e-6
        scale = np.var(y) if fit_intercept else np.mean(y * y)   # tol is relative to this
        assert ours.dual_gap_ <= 1e-12 * scale
        if positive:
            assert np.all(ours.coef_ >= 0)
        np.testing.assert_allclose(ours.predict(X), ref.predict(X), atol=1e-5)


@pytest.mark.parametrize("sparse", [None, "csr"])
@pytest.mark.parametrize("l1_ratio", [0.0, 0.3, 1.0])
def test_elastic_net_matches_sklearn(sparse, l1_ratio):
    X, y = _regression_data(seed=1, sparse=sparse)
    ours = ElasticNet(alpha=0.1, l1_ratio=l1_ratio, tol=1e-12).fit(X, y)
    ref = sklm.ElasticNet(alpha=0.1, l1_ratio=l1_ratio, tol=1e-14, max_iter=1_000_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)   # sklearn at l1_ratio=0
        ref.fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-6)
    assert abs(ours.intercept_ - ref.intercept_) <= 1e-6


def test_sparse_intercept_is_exact_and_matches_dense():
    """Sparse X is never centered: the profiled intercept must satisfy the joint KKT
    conditions (mean residual 0) and agree with the dense (centered) fit."""
    X, y = _regression_data(seed=3, sparse="csr")
    dense = Lasso(alpha=0.05, tol=1e-13).fit(X.toarray(), y)
    sparse = Lasso(alpha=0.05, tol=1e-13).fit(X, y)
    assert sp.issparse(X)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-7)
    assert abs(sparse.intercept_ - dense.intercept_) <= 1e-7
    assert _lasso_kkt(X, y, sparse.coef_, sparse.intercept_, 0.05) <= 1e-7


@pytest.mark.parametrize("sparse", [None, "csr"])
def test_sparse_logistic_matches_sklearn_and_kkt(sparse):
    X, y = _classification_data(sparse=sparse)
    n = X.shape[0]
    alpha = 0.02
    ours = SparseLogisticRegression(alpha=alpha, tol=1e-13).fit(X, y)
    ref = _sk_l1_logistic(alpha, n).fit(X, y)
    np.testing.assert_array_equal(ours.classes_, ["neg", "pos"])
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-4)
    ypm = np.where(y == "pos", 1.0, -1.0)
    assert _logistic_kkt(X, ypm, ours.coef_[0], ours.intercept_[0], alpha) <= 1e-6
    assert 0 < np.count_nonzero(ours.coef_) < X.shape[1]              # sparse, not trivial
    assert ours.dual_gap_ <= 1e-13


def test_sparse_logistic_without_intercept_matches_liblinear():
    X, y = _classification_data(seed=2)
    X = X - X.mean(axis=0)
    alpha = 0.01
    ours = SparseLogisticRegression(alpha=alpha, fit_intercept=False, tol=1e-13).fit(X, y)
    ref = _sk_l1_logistic(alpha, X.shape[0], fit_intercept=False).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    assert ours.intercept_[0] == 0.0
    ypm = np.where(y == "pos", 1.0, -1.0)
    assert _logistic_kkt(X, ypm, ours.coef_[0], 0.0, alpha, fit_intercept=False) <= 1e-6


def test_sparse_logistic_predictions_are_consistent():
    X, y = _classification_data(seed=4, sparse="csc")
    clf = SparseLogisticRegression(alpha=0.01).fit(X, y)
    d = clf.decision_function(X)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(proba[:, 1], expit(d))
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba)
    np.testing.assert_array_equal(clf.predict(X), np.where(d > 0, "pos", "neg"))
    assert clf.score(X, y) > 0.8
    # dense input gives the same model up to the solver tolerance
    dense = SparseLogisticRegression(alpha=0.01).fit(X.toarray(), y)
    np.testing.assert_allclose(dense.coef_, clf.coef_, atol=1e-3)


def test_alpha_above_alpha_max_gives_the_null_model():
    X, y = _regression_data(seed=5)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    alpha_max = np.abs(Xc.T @ yc).max() / len(y)
    reg = Lasso(alpha=1.01 * alpha_max).fit(X, y)
    np.testing.assert_array_equal(reg.coef_, 0.0)
    assert reg.intercept_ == pytest.approx(y.mean(), abs=1e-12)
    assert reg.n_iter_ >= 1

    Xb, yb = _classification_data(seed=5, sparse="csr")
    pos = (yb == "pos")
    alpha_max = np.abs(Xb.T @ (pos - pos.mean())).max() / len(yb)
    clf = SparseLogisticRegression(alpha=1.01 * alpha_max).fit(Xb, yb)
    np.testing.assert_array_equal(clf.coef_, 0.0)
    assert clf.intercept_[0] == pytest.approx(np.log(pos.mean() / (1 - pos.mean())), abs=1e-10)


def test_warm_start_reuses_the_solution():
    X, y = _regression_data(seed=6, sparse="csr")
    reg = Lasso(alpha=0.05, warm_start=True, tol=1e-12).fit(X, y)
    coef, first = reg.coef_.copy(), reg.n_iter_
    reg.fit(X, y)
    np.testing.assert_allclose(reg.coef_, coef, atol=1e-8)
    assert reg.n_iter_ < first


def test_not_converged_warns():
    X, y = _regression_data(seed=7)
    with pytest.warns(ConvergenceWarning, match="Lasso did not converge: duality gap"):
        reg = Lasso(alpha=1e-3, max_iter=2).fit(X, y)
    assert reg.dual_gap_ > 0
    Xb, yb = _classification_data(seed=7, sparse="csr")
    with pytest.warns(ConvergenceWarning, match="SparseLogisticRegression did not converge"):
        SparseLogisticRegression(alpha=1e-3, max_iter=2).fit(Xb, yb)


# --------------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("Est", [Lasso, ElasticNet, SparseLogisticRegression])
def test_negative_alpha_raises(Est):
    X, y = _classification_data()
    y = (y == "pos").astype(float)
    with pytest.raises(ValueError, match=rf"^{Est.__name__}: alpha must be >= 0, got -1$"):
        Est(alpha=-1.0).fit(X, y)


@pytest.mark.parametrize("Est", [Lasso, ElasticNet, SparseLogisticRegression])
def test_nan_in_X_raises(Est):
    X, y = _classification_data()
    y = (y == "pos").astype(float)
    X[3, 2] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        Est(alpha=0.1).fit(X, y)
    Xs = sp.csr_matrix(np.where(np.isnan(X), np.inf, X))
    with pytest.raises(ValueError, match="Input X contains infinity"):
        Est(alpha=0.1).fit(Xs, y)


def test_other_bad_parameters_raise():
    X, y = _regression_data()
    with pytest.raises(ValueError, match=r"^ElasticNet: l1_ratio must be <= 1, got 1.5$"):
        ElasticNet(l1_ratio=1.5).fit(X, y)
    with pytest.raises(ValueError, match=r"^Lasso: max_iter must be >= 1"):
        Lasso(max_iter=0).fit(X, y)
    with pytest.raises(TypeError, match=r"^Lasso: positive must be True or False"):
        Lasso(positive="yes").fit(X, y)
    with pytest.raises(ValueError, match="rule must be one of"):
        Lasso(rule="best").fit(X, y)
    Xb, yb = _classification_data()
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        SparseLogisticRegression().fit(Xb, np.arange(len(yb)) % 3)
    with pytest.raises(ValueError, match="Unknown label type"):
        SparseLogisticRegression().fit(Xb, np.linspace(0, 1, len(yb)))


# --------------------------------------------------------------------------------------------
# plumbing: the offset of the data fits, and no eager scikit-learn import
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sparse", [None, "csr"])
def test_offset_of_data_fits(sparse):
    X, y = _classification_data(seed=8, sparse=sparse)
    ypm = np.where(y == "pos", 1.0, -1.0)
    rng = np.random.default_rng(8)
    w = 0.1 * rng.standard_normal(X.shape[1])
    off = 0.7
    f = problems.Logistic(X, ypm, offset=off)
    z = X @ w + off
    assert f.value(w) == pytest.approx(np.mean(np.logaddexp(0, -ypm * z)), rel=1e-13)
    np.testing.assert_allclose(f.grad(w), -(X.T @ (ypm * expit(-ypm * z))) / len(ypm))
    np.testing.assert_allclose(f.state(w), z)
    # an offset in least squares is the same as shifting y
    g = problems.L1(0.05)
    ls_off = problems.LeastSquares(X, ypm, offset=off)
    ls_shift = problems.LeastSquares(X, ypm - off)
    assert ls_off.value(w) == pytest.approx(ls_shift.value(w), rel=1e-13)
    assert problems.duality_gap(ls_off, g, w) == pytest.approx(
        problems.duality_gap(ls_shift, g, w), rel=1e-10)
    # the duality gap with an offset vanishes at the bcd solution
    res = solvers.bcd(f, g, rule="gs-q", update="newton", tol=1e-12)
    assert res.success
    assert problems.duality_gap(f, g, res.x) <= 1e-12
    with pytest.raises(ValueError, match="offset has length"):
        problems.Logistic(X, ypm, offset=np.zeros(3))


def test_import_solvers_does_not_import_sklearn():
    code = ("import sys, solvers, solvers.interfaces; "
            "assert 'sklearn' not in sys.modules, 'sklearn imported eagerly'; "
            "solvers.interfaces.Lasso; assert 'sklearn' in sys.modules")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
