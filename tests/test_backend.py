import numpy as np
import pytest
import scipy.sparse as sp

import solvers
from solvers.backend import GPUUnavailableError, array_namespace, get_backend, resolve_backend
from solvers.backend._select import gpu_available


def test_cpu_backend_members():
    bk = get_backend("cpu")
    assert bk.name == "cpu" and bk.xp is np and bk.sparse is sp
    assert get_backend("auto") == bk
    assert get_backend(np.zeros(3)) == bk
    assert get_backend(sp.eye(3, format="csr")) == bk
    assert get_backend(bk) is bk
    assert solvers.get_backend is get_backend


def test_unknown_backend_name():
    with pytest.raises(ValueError, match="backend must be 'cpu', 'gpu', 'auto'"):
        get_backend("tpu")
    with pytest.raises(TypeError, match="cannot infer a backend"):
        get_backend(object())


@pytest.mark.skipif(gpu_available(), reason="a GPU is present")
def test_gpu_request_without_gpu_says_how_to_install():
    with pytest.raises(GPUUnavailableError, match="pip install optsuite\\[gpu\\]"):
        get_backend("gpu")
    with pytest.raises(GPUUnavailableError):
        solvers.prox_grad(_lsq(), None, backend="gpu")


def _lsq():
    import problems

    return problems.LeastSquares(np.eye(3), np.ones(3))


def test_auto_follows_problem_and_arrays():
    assert resolve_backend("auto", np.zeros(2), None).name == "cpu"
    assert resolve_backend("auto", _lsq()).name == "cpu"
    assert array_namespace(np.zeros(2), None) is np


def test_cpu_kernels_match_numpy(rng):
    k = get_backend("cpu").kernels
    x = rng.standard_normal(50)
    t = np.abs(rng.standard_normal(50))
    np.testing.assert_allclose(k.soft_threshold(x, 0.3), np.sign(x) * np.maximum(np.abs(x) - 0.3, 0))
    np.testing.assert_allclose(k.soft_threshold(x, t), np.sign(x) * np.maximum(np.abs(x) - t, 0))
    z = np.array([-1000.0, -30.0, -1.0, 0.0, 1.0, 30.0, 1000.0])
    np.testing.assert_allclose(k.log1pexp(z), np.logaddexp(0, z), rtol=1e-14)
    from scipy.special import expit

    np.testing.assert_allclose(k.expit(z), expit(z), rtol=1e-14)
    X = sp.random(30, 20, density=0.2, random_state=1, format="csr")
    ref = np.asarray(X.multiply(X).sum(axis=0)).ravel()
    np.testing.assert_allclose(k.col_sq_norms(X), ref)
    np.testing.assert_allclose(k.col_sq_norms(X.tocsc()), ref)
    np.testing.assert_allclose(k.col_sq_norms(X.toarray()), ref)


@pytest.mark.gpu
def test_gpu_kernels_match_cpu(rng):
    gk = get_backend("gpu")
    ck = get_backend("cpu").kernels
    x = rng.standard_normal(100)
    xg = gk.to_device(x)
    np.testing.assert_allclose(gk.to_host(gk.kernels.soft_threshold(xg, 0.2)), ck.soft_threshold(x, 0.2))
    np.testing.assert_allclose(gk.to_host(gk.kernels.log1pexp(xg * 100)), ck.log1pexp(x * 100))
    np.testing.assert_allclose(gk.to_host(gk.kernels.expit(xg)), ck.expit(x))
    X = sp.random(30, 20, density=0.2, random_state=1, format="csr")
    np.testing.assert_allclose(gk.to_host(gk.kernels.col_sq_norms(gk.to_device(X))), ck.col_sq_norms(X))
