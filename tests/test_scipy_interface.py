"""The Newton methods as scipy.optimize.minimize methods."""
import numpy as np
import pytest
from scipy.optimize import OptimizeResult, OptimizeWarning, minimize, rosen, rosen_der
from scipy.optimize import rosen_hess, rosen_hess_prod

from solvers.interfaces.scipy import damped_newton, lazy_newton

X0 = np.array([1.3, 0.7, 0.8, 1.9, 1.2])  # the scipy tutorial start


@pytest.mark.parametrize("method", [damped_newton, lazy_newton])
def test_minimize_with_jac_and_hess(method):
    res = minimize(rosen, X0, jac=rosen_der, hess=rosen_hess, method=method,
                   options={"gtol": 1e-10, "maxiter": 2000})
    assert isinstance(res, OptimizeResult) and res.success, res.message
    np.testing.assert_allclose(res.x, 1.0, atol=1e-8)
    np.testing.assert_allclose(res.jac, rosen_der(res.x))
    assert res.nfev >= res.nit and res.njev >= res.nit and res.nhev >= 1


def test_jac_true_and_hessp_only_and_args():
    calls = {"f": 0}

    def fun(x, scale):
        calls["f"] += 1
        return scale * rosen(x), scale * rosen_der(x)

    res = minimize(fun, X0, args=(2.0,), jac=True,
                   hessp=lambda x, p, scale: scale * rosen_hess_prod(x, p),
                   method=damped_newton, tol=1e-9)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, 1.0, atol=1e-7)
    assert res.linsolve == "cg" and res.nhev > res.nit  # Hessian-vector products counted
    assert 0 < calls["f"] <= res.nfev  # scipy memoizes jac=True per point


@pytest.mark.parametrize("method", [damped_newton, lazy_newton])
def test_callback_forms_and_stopiteration(method):
    seen = []

    def cb(intermediate_result):
        seen.append(intermediate_result.fun)
        if len(seen) == 3:
            raise StopIteration

    res = minimize(rosen, X0, jac=rosen_der, hess=rosen_hess, method=method, callback=cb)
    assert res.status == 99 and not res.success and res.nit == 3 and len(seen) == 3
    assert "StopIteration" in res.message

    xs = []
    res = minimize(rosen, X0, jac=rosen_der, hess=rosen_hess, method=method,
                   callback=lambda xk: xs.append(xk), options={"maxiter": 5})
    assert len(xs) == 5 and all(isinstance(x, np.ndarray) and x.shape == (5,) for x in xs)
    assert res.status == 1


def test_direct_call_and_options():
    res = damped_newton(rosen, X0, jac=rosen_der, hess=rosen_hess, stepsize="aicn",
                        maxiter=3)
    assert res.nit == 3 and res.status == 1
    with pytest.warns(OptimizeWarning, match="Unknown solver options: bogus"):
        minimize(rosen, X0, jac=rosen_der, hess=rosen_hess, method=damped_newton,
                 options={"bogus": 1})


def test_bad_input():
    with pytest.raises(ValueError, match="need the gradient"):
        minimize(rosen, X0, hess=rosen_hess, method=damped_newton)
    with pytest.raises(ValueError, match="bounds are not supported"):
        minimize(rosen, X0, jac=rosen_der, hess=rosen_hess, method=damped_newton,
                 bounds=[(0, 1)] * 5)
    with pytest.raises(ValueError, match="lazy_newton needs hess"):
        minimize(rosen, X0, jac=rosen_der, hessp=rosen_hess_prod, method=lazy_newton)
    with pytest.raises(ValueError, match="stepsize must be one of"):
        minimize(rosen, X0, jac=rosen_der, hess=rosen_hess, method=damped_newton,
                 options={"stepsize": "nope"})


def test_scalar_x0_and_final_gradient_counted():
    calls = {"jac": 0}

    def jac(x):
        calls["jac"] += 1
        return 2 * (x - 3.0)

    res = damped_newton(lambda x: float((x - 3.0) @ (x - 3.0)), 1.0, jac=jac,
                        hess=lambda x: 2 * np.eye(1))
    assert res.success and res.x.shape == (1,) and res.x[0] == pytest.approx(3.0)
    assert calls["jac"] == res.njev
    with pytest.raises(TypeError, match="x0 must be real"):
        damped_newton(rosen, X0 + 1j, jac=rosen_der, hess=rosen_hess)
