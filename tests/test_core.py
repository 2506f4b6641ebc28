import numpy as np
import pytest
import scipy.optimize
import scipy.sparse as sp

import problems
import solvers
from solvers.core import (
    CALLBACK_STOP, CONVERGED, MAX_ITER, NUMERICAL_ERROR, History, Monitor, Result, armijo,
    check_matrix, check_scalar, check_vector, check_x0, fit_linear_rate, fit_sublinear_rate,
    prox_backtracking, require,
)


def test_result_is_optimize_result():
    assert issubclass(Result, scipy.optimize.OptimizeResult)
    assert solvers.Result is Result


def test_history_columns_and_measure_alias():
    h = History("gap")
    h.append(objective=3.0, measure=1.0, time=0.0)
    h.append(objective=2.0, measure=0.5, time=0.1, restart=1)
    assert len(h) == 2
    np.testing.assert_array_equal(h.objective, [3.0, 2.0])
    np.testing.assert_array_equal(h.gap, [1.0, 0.5])
    assert np.isnan(h.restart[0]) and h.restart[1] == 1
    assert h["measure"].dtype == float
    assert set(h.as_dict()) == {"objective", "measure", "time", "restart"}
    with pytest.raises(AttributeError, match="no column 'missing'"):
        h.missing


def _run(mon, values):
    for k, m in enumerate(values):
        if mon.record(k, np.zeros(2), 1.0, m):
            break
    return mon.result(np.zeros(2), 1.0, nfev=3)


def test_monitor_statuses():
    res = _run(Monitor("s", tol=1e-3, max_iter=3, measure_name="gap"), [1, 0.1, 1e-4, 1])
    assert res.success and res.status == CONVERGED and res.nit == 2 and res.nfev == 3
    assert "gap 1.000e-04 <= tol" in res.message
    res = _run(Monitor("s", tol=1e-9, max_iter=3, measure_name="gap"), [1, 0.5, 0.25, 0.2])
    assert not res.success and res.status == MAX_ITER and "max_iter=3" in res.message
    res = _run(Monitor("s", tol=1e-9, max_iter=3, measure_name="gap"), [1, np.nan])
    assert not res.success and res.status == NUMERICAL_ERROR and "non-finite" in res.message
    assert len(res.history) == 2 and np.all(np.diff(res.history.time) >= 0)


def test_callback_receives_intermediate_result_and_stopiteration_stops():
    seen = []

    def cb(info):
        seen.append((info.nit, info.fun, info.measure, info.x.copy()))
        if info.nit == 3:
            raise StopIteration

    X, y = np.random.default_rng(0).standard_normal((20, 5)), np.ones(20)
    res = solvers.fista(problems.LeastSquares(X, y), problems.L1(0.01), tol=0.0,
                        max_iter=100, callback=cb)
    assert res.status == CALLBACK_STOP and not res.success and res.nit == 3
    assert [s[0] for s in seen] == [1, 2, 3]
    np.testing.assert_allclose(seen[-1][3], res.x)
    assert "stopped by callback" in res.message


def test_verbose_prints_progress(capsys):
    X, y = np.random.default_rng(0).standard_normal((20, 5)), np.ones(20)
    solvers.prox_grad(problems.LeastSquares(X, y), problems.L1(0.01), verbose=True, max_iter=5, tol=0)
    out = capsys.readouterr()
    assert "prox_grad stopped at max_iter=5" in out.out + out.err


def test_fit_rates_recover_known_sequences():
    k = np.arange(200)
    fit = fit_linear_rate(3.0 * 0.9 ** k)
    assert fit.rate == pytest.approx(0.9, rel=1e-10) and fit.constant == pytest.approx(3.0)
    fit = fit_sublinear_rate(5.0 / np.maximum(k, 1) ** 2)
    assert fit.rate == pytest.approx(-2.0, abs=1e-10) and fit.r2 > 0.999
    with pytest.raises(ValueError, match="at least 3"):
        fit_linear_rate([1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="iterations has"):
        fit_linear_rate([1.0, 0.5, 0.25], iterations=[0, 1])


def test_prox_backtracking_finds_sufficient_decrease():
    X = np.diag([10.0, 1.0])
    f = problems.LeastSquares(X, np.zeros(2))  # L = 100 / 2 = 50
    x = np.array([1.0, 1.0])
    fx, gx = f.value_and_grad(x)
    x_new, f_new, L, n, ok = prox_backtracking(f, None, x, fx, gx, 1.0)
    assert ok and L >= 50 * 0.999 and L <= 2 * 50 and f_new < fx and n >= 2


def test_armijo_sufficient_decrease_and_bad_direction():
    phi = lambda t: (1 - t) ** 2  # noqa: E731
    t, val, n, ok = armijo(phi, 1.0, -2.0, t0=4.0)
    assert ok and val <= 1 - 1e-4 * t * 2 and t == 1.0
    with pytest.raises(ValueError, match="descent direction"):
        armijo(phi, 1.0, 0.5)


def test_validation_messages():
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        check_scalar(-1.0, "alpha", lower=0.0)
    with pytest.raises(TypeError, match="tol must be a real number"):
        check_scalar("a", "tol")
    with pytest.raises(TypeError, match="max_iter must be an integer"):
        check_scalar(1.5, "max_iter", integer=True)
    with pytest.raises(ValueError, match="X contains NaN"):
        check_matrix(np.array([[1.0, np.nan]]), "X")
    with pytest.raises(ValueError, match="X contains NaN"):
        check_matrix(sp.csr_matrix(np.array([[1.0, np.inf]])), "X")
    with pytest.raises(ValueError, match="2-dimensional"):
        check_matrix(np.ones(3), "X")
    with pytest.raises(ValueError, match="y has length 2 but 3"):
        check_vector(np.ones(2), "y", size=3)
    with pytest.raises(ValueError, match="x0 has shape"):
        check_x0(np.ones(4), (3,), backend="cpu")
    with pytest.raises(ValueError, match="x0 contains NaN"):
        check_x0(np.array([np.nan, 1, 2]), (3,), backend="cpu")
    with pytest.raises(TypeError, match="has no `grad`"):
        require(object(), "grad", "smooth part f")


def test_check_matrix_keeps_sparse_and_does_not_copy_needlessly():
    A = sp.random(5, 4, density=0.5, format="coo", random_state=0)
    out = check_matrix(A)
    assert sp.issparse(out) and out.format == "csr"
    D = np.ones((3, 2))
    assert check_matrix(D) is D
    x0 = np.ones(3)
    assert check_x0(x0, (3,), backend="cpu") is not x0
