import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import problems

SIZES = st.tuples(st.integers(2, 12), st.integers(1, 8), st.booleans(), st.integers(0, 10_000))


def _data(n, p, sparse, seed):
    r = np.random.default_rng(seed)
    if sparse:
        X = sp.random(n, p, density=0.5, format="csr", random_state=seed, data_rvs=r.standard_normal)
    else:
        X = r.standard_normal((n, p))
    return X, r


def _build(kind, n, p, sparse, seed):
    X, r = _data(n, p, sparse, seed)
    if kind == "lsq":
        f = problems.LeastSquares(X, r.standard_normal(n))
    elif kind == "logistic":
        f = problems.Logistic(X, np.where(r.random(n) < 0.5, -1.0, 1.0))
    elif kind == "multinomial":
        f = problems.Multinomial(X, r.integers(0, 3, n), n_classes=3)
    else:
        A = r.standard_normal((p, p))
        Q = A @ A.T + 0.1 * np.eye(p)
        f = problems.Quadratic(sp.csr_matrix(Q) if sparse else Q, r.standard_normal(p))
    d = f.shape[0]
    return f, r.standard_normal(d), r.standard_normal(d)


def _fd_grad(f, x, h=1e-6):
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f.value(x + e) - f.value(x - e)) / (2 * h)
    return g


@pytest.mark.parametrize("kind", ["lsq", "logistic", "multinomial", "quadratic"])
@settings(max_examples=15, deadline=None)
@given(SIZES)
def test_grad_and_hvp_match_finite_differences(kind, sizes):
    f, x, v = _build(kind, *sizes)
    g = f.grad(x)
    np.testing.assert_allclose(g, _fd_grad(f, x), rtol=1e-5, atol=1e-7)
    val, g2 = f.value_and_grad(x)
    assert val == pytest.approx(f.value(x)) and np.allclose(g2, g)
    h = 1e-6
    fd_hvp = (f.grad(x + h * v) - f.grad(x - h * v)) / (2 * h)
    np.testing.assert_allclose(f.hvp(x, v), fd_hvp, rtol=1e-5, atol=1e-6)
    H = f.hess(x)
    H = H.toarray() if sp.issparse(H) else np.asarray(H)
    np.testing.assert_allclose(H @ v, f.hvp(x, v), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("kind", ["lsq", "logistic", "multinomial", "quadratic"])
@pytest.mark.parametrize("sparse", [False, True])
def test_lipschitz_constants_bound_the_hessian(kind, sparse):
    f, x, _ = _build(kind, 15, 6, sparse, 3)
    for _ in range(3):
        H = f.hess(x)
        H = H.toarray() if sp.issparse(H) else np.asarray(H)
        assert np.linalg.eigvalsh(H)[-1] <= f.lipschitz * (1 + 1e-9)
        assert np.all(np.diag(H) <= np.asarray(f.coordinate_lipschitz) * (1 + 1e-9) + 1e-15)
        x = 3 * np.random.default_rng(1).standard_normal(x.size)
    if kind in ("lsq", "quadratic"):  # tight for quadratics
        H = f.hess(x)
        H = H.toarray() if sp.issparse(H) else np.asarray(H)
        assert f.lipschitz == pytest.approx(np.linalg.eigvalsh(H)[-1], rel=1e-8)


def test_large_sparse_lipschitz_uses_iterative_solver():
    X = sp.random(3000, 1500, density=0.01, format="csr", random_state=0)
    f = problems.LeastSquares(X, np.ones(3000))
    ref = np.linalg.norm(X.toarray(), 2) ** 2 / 3000
    assert f.lipschitz == pytest.approx(ref, rel=1e-8)


def test_dense_and_sparse_agree():
    X, r = _data(20, 7, True, 5)
    y = r.standard_normal(20)
    x = r.standard_normal(7)
    fs, fd = problems.LeastSquares(X, y), problems.LeastSquares(X.toarray(), y)
    assert fs.value(x) == pytest.approx(fd.value(x))
    np.testing.assert_allclose(fs.grad(x), fd.grad(x))
    np.testing.assert_allclose(fs.coordinate_lipschitz, fd.coordinate_lipschitz)


def test_logistic_is_stable_for_large_margins():
    f = problems.Logistic(np.array([[1.0], [-1.0]]), np.array([1.0, 1.0]))
    assert np.isfinite(f.value(np.array([1e4]))) and f.value(np.array([1e4])) == pytest.approx(5e3)
    assert np.all(np.isfinite(f.grad(np.array([-1e4]))))


def test_bad_input_messages():
    X = np.ones((3, 2))
    with pytest.raises(ValueError, match="y must hold labels -1 and \\+1"):
        problems.Logistic(X, np.array([0.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="integer class labels"):
        problems.Multinomial(X, np.array([0.0, 1.5, 1.0]))
    with pytest.raises(ValueError, match="n_classes=2 must be"):
        problems.Multinomial(X, np.array([0, 1, 2]), n_classes=2)
    with pytest.raises(ValueError, match="y has length 2 but 3"):
        problems.LeastSquares(X, np.ones(2))
    with pytest.raises(ValueError, match="X contains NaN"):
        problems.LeastSquares(np.array([[np.nan, 1.0]]), np.ones(1))
    with pytest.raises(ValueError, match="y contains NaN"):
        problems.LeastSquares(X, np.array([1.0, np.inf, 0.0]))
    with pytest.raises(ValueError, match="Q must be symmetric"):
        problems.Quadratic(np.array([[1.0, 2.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="Q must be square"):
        problems.Quadratic(np.ones((2, 3)))


def test_problem_does_not_modify_or_alias_caller_data():
    X = np.arange(6, dtype=np.int64).reshape(3, 2)
    y = np.array([1, 2, 3])
    f = problems.LeastSquares(X, y)
    f.grad(np.ones(2))
    assert X.dtype == np.int64 and f.X.dtype == np.float64
    np.testing.assert_array_equal(y, [1, 2, 3])


@pytest.mark.parametrize("kind", ["lsq", "logistic", "multinomial"])
def test_value_grad_dual_matches_separate_oracles(kind):
    f, x, _ = _build(kind, 12, 5, False, 7)
    val, grad, theta = f.value_grad_dual(x)
    assert val == pytest.approx(f.value(x), rel=1e-14)
    np.testing.assert_allclose(grad, f.grad(x), rtol=1e-13)
    np.testing.assert_allclose(theta, f.dual_point(x), rtol=1e-13)
    np.testing.assert_allclose(-f.design_rmatvec(theta), grad, rtol=1e-12, atol=1e-15)
