"""Tests for problems.constrained: ConstrainedLogistic and PoissonControl."""
import os
import pathlib

import numpy as np
import pytest
import scipy.optimize as sopt
import scipy.sparse as sp

import problems
from problems.constrained import ConstrainedLogistic, PoissonControl


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def _fd_grad(fun, x, eps=1e-6):
    out = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = eps
        out.append((np.asarray(fun(x + e)) - np.asarray(fun(x - e))) / (2 * eps))
    return np.array(out)  # row i: derivative along x_i


def _dense(M):
    return M.toarray() if sp.issparse(M) else np.asarray(M)


def _logistic_data(seed=0, n_samples=40, d=7):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, d))
    X[rng.random((n_samples, d)) < 0.5] = 0.0
    y = np.where(rng.random(n_samples) < 0.5, -1.0, 1.0)
    return X, y


def _check_derivatives(p, x, lam, rtol=1e-6, atol=1e-7):
    rng = np.random.default_rng(1)
    g = p.grad(x)
    np.testing.assert_allclose(g, _fd_grad(p.value, x), rtol=rtol, atol=atol)
    val, g2 = p.value_and_grad(x)
    assert val == pytest.approx(p.value(x)) and np.allclose(g2, g)
    J = _dense(p.jac(x))
    assert J.shape == (p.m, p.n)
    np.testing.assert_allclose(J, _fd_grad(p.c, x).T, rtol=rtol, atol=atol)
    grad_L = lambda z: p.grad(z) + _dense(p.jac(z)).T @ lam  # noqa: E731
    H = _dense(p.hess_lagrangian(x, lam))
    np.testing.assert_allclose(H, _fd_grad(grad_L, x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(H, H.T, atol=1e-12)
    np.testing.assert_allclose(_dense(p.hess(x)), _fd_grad(p.grad, x), rtol=1e-5, atol=1e-6)
    v = rng.standard_normal(p.n)
    np.testing.assert_allclose(p.hvp_lagrangian(x, lam, v), H @ v, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(p.hvp(x, v), _dense(p.hess(x)) @ v, rtol=1e-10, atol=1e-12)


# --------------------------------------------------------------------------------------------
# ConstrainedLogistic
# --------------------------------------------------------------------------------------------
def test_logistic_shapes_and_starts():
    X, y = _logistic_data()
    p = ConstrainedLogistic(X, y, n_linear=3, random_state=0)
    assert (p.n, p.m) == (7, 4) and p.f is p and p.f_star is None
    assert p.A.shape == (3, 7) and p.b.shape == (3,)
    np.testing.assert_array_equal(p.x0, np.ones(7))
    np.testing.assert_array_equal(p.lam0, np.ones(4))
    x0 = p.x0
    x0[0] = 5.0
    assert p.x0[0] == 1.0  # a fresh copy
    # the planted point is feasible; the constraint layout is (A w - b, ||w||^2 - 1)
    np.testing.assert_allclose(p.c(p.w_planted), 0.0, atol=1e-12)
    w = np.arange(7.0)
    np.testing.assert_allclose(p.c(w), np.r_[p.A @ w - p.b, w @ w - 1])
    # the value is the mean logistic loss
    z = y * (X @ w)
    assert p.value(w) == pytest.approx(np.mean(np.logaddexp(0.0, -z)), rel=1e-12)
    # deterministic for a given seed, different for another
    q = ConstrainedLogistic(X, y, n_linear=3, random_state=0)
    np.testing.assert_array_equal(p.A, q.A)
    np.testing.assert_array_equal(p.b, q.b)
    assert not np.allclose(ConstrainedLogistic(X, y, n_linear=3, random_state=1).A, p.A)


@pytest.mark.parametrize("sparse", [False, True])
def test_logistic_derivatives(sparse):
    X, y = _logistic_data()
    Xin = sp.csr_matrix(X) if sparse else X
    p = ConstrainedLogistic(Xin, y, n_linear=3, random_state=0)
    rng = np.random.default_rng(2)
    x = 0.5 * rng.standard_normal(p.n)
    lam = rng.standard_normal(p.m)
    _check_derivatives(p, x, lam)
    H = p.hess_lagrangian(x, lam)
    np.testing.assert_allclose(H, _dense(p.hess(x)) + 2 * lam[-1] * np.eye(p.n), atol=1e-14)


def test_logistic_sparse_matches_dense_without_densifying():
    X, y = _logistic_data(seed=3, n_samples=60, d=9)
    for fmt in ("csr", "csc"):
        Xs = sp.csr_matrix(X).asformat(fmt)
        ps = ConstrainedLogistic(Xs, y, n_linear=4, random_state=5)
        pd = ConstrainedLogistic(X, y, n_linear=4, random_state=5)
        assert sp.issparse(ps.X) and ps.X.format == "csr"
        assert sp.issparse(ps.loss.X)
        rng = np.random.default_rng(0)
        x, lam, v = rng.standard_normal(9), rng.standard_normal(5), rng.standard_normal(9)
        assert ps.value(x) == pytest.approx(pd.value(x), rel=1e-13)
        np.testing.assert_allclose(ps.grad(x), pd.grad(x), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(_dense(ps.hess(x)), pd.hess(x), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(ps.hvp_lagrangian(x, lam, v), pd.hvp_lagrangian(x, lam, v),
                                   rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(ps.c(x), pd.c(x))
        assert sp.issparse(ps.X)  # still sparse after every evaluation


def test_logistic_caller_arrays_unmodified():
    X, y = _logistic_data()
    Xs = sp.csr_matrix(X)
    X_c, y_c, data_c = X.copy(), y.copy(), Xs.data.copy()
    p = ConstrainedLogistic(X, y, n_linear=3, random_state=0)
    ps = ConstrainedLogistic(Xs, y, n_linear=3, random_state=0)
    x = np.linspace(-1, 1, 7)
    lam = np.linspace(0, 1, 4)
    v = np.ones(7)
    x_c, lam_c, v_c = x.copy(), lam.copy(), v.copy()
    for q in (p, ps):
        q.value(x), q.grad(x), q.hess(x), q.c(x), q.jac(x)
        q.hess_lagrangian(x, lam), q.hvp_lagrangian(x, lam, v), q.hvp(x, v)
    for a, b in ((X, X_c), (y, y_c), (Xs.data, data_c), (x, x_c), (lam, lam_c), (v, v_c)):
        np.testing.assert_array_equal(a, b)


def test_logistic_slsqp_reaches_feasibility():
    X, y = _logistic_data(seed=4, n_samples=30, d=6)
    p = ConstrainedLogistic(X, y, n_linear=2, random_state=1)
    cons = {"type": "eq", "fun": p.c, "jac": p.jac}
    res = sopt.minimize(p.value, p.x0, jac=p.grad, constraints=[cons], method="SLSQP",
                        options={"ftol": 1e-12, "maxiter": 500})
    assert res.success, res.message
    np.testing.assert_allclose(p.c(res.x), 0.0, atol=1e-8)
    # KKT: the multipliers from a least-squares fit make grad L vanish
    J = p.jac(res.x)
    lam = np.linalg.lstsq(J.T, -p.grad(res.x), rcond=None)[0]
    assert np.linalg.norm(p.grad(res.x) + J.T @ lam) < 1e-5


def test_logistic_gaussian_rhs():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 60))
    y = np.where(rng.random(30) < 0.5, -1.0, 1.0)
    p = ConstrainedLogistic(X, y, n_linear=3, rhs="gaussian", random_state=0)
    assert p.w_planted is None
    # A first, then b, both standard normal (the paper's draw)
    g = np.random.default_rng(0)
    np.testing.assert_array_equal(p.A, g.standard_normal((3, 60)))
    np.testing.assert_array_equal(p.b, g.standard_normal(3))
    # few features: the Gaussian right-hand side misses the sphere
    with pytest.raises(ValueError, match="rhs='gaussian'.*infeasible"):
        ConstrainedLogistic(X[:, :4], y, n_linear=3, rhs="gaussian", random_state=0)


def test_logistic_bad_input():
    X, y = _logistic_data()
    with pytest.raises(ValueError, match="y must hold labels -1 and \\+1"):
        ConstrainedLogistic(X, (y > 0).astype(float))
    with pytest.raises(ValueError, match="y has length 39 but X has 40 rows"):
        ConstrainedLogistic(X, y[:-1])
    with pytest.raises(ValueError, match="n_linear must satisfy 0 <= n_linear < d = 7"):
        ConstrainedLogistic(X, y, n_linear=7)
    with pytest.raises(ValueError, match="n_linear"):
        ConstrainedLogistic(X, y, n_linear=-1)
    with pytest.raises(TypeError, match="n_linear must be an integer"):
        ConstrainedLogistic(X, y, n_linear=2.5)
    with pytest.raises(ValueError, match="rhs"):
        ConstrainedLogistic(X, y, n_linear=2, rhs="uniform")
    with pytest.raises(TypeError, match="random_state"):
        ConstrainedLogistic(X, y, n_linear=2, random_state="seed")
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        ConstrainedLogistic(Xn, y, n_linear=2)
    p = ConstrainedLogistic(X, y, n_linear=2, random_state=0)
    with pytest.raises(ValueError, match="x has shape \\(6,\\), expected \\(7,\\)"):
        p.c(np.zeros(6))
    with pytest.raises(ValueError, match="x has shape"):
        p.value(np.zeros(8))
    with pytest.raises(ValueError, match="lam has shape \\(2,\\), expected \\(3,\\)"):
        p.hess_lagrangian(np.zeros(7), np.zeros(2))
    with pytest.raises(ValueError, match="v has shape"):
        p.hvp_lagrangian(np.zeros(7), np.zeros(3), np.zeros(3))


def _shared_libsvm():
    home = os.environ.get("OPTSUITE_DATA")
    if home and (pathlib.Path(home) / "mushrooms").is_file():
        return pathlib.Path(home)
    return None


@pytest.mark.data
@pytest.mark.skipif(_shared_libsvm() is None,
                    reason="OPTSUITE_DATA does not point at the LIBSVM files (mushrooms)")
def test_from_libsvm_mushrooms():
    p = ConstrainedLogistic.from_libsvm("mushrooms", data_home=_shared_libsvm(), download=False)
    assert sp.issparse(p.X) and p.X.shape == (8124, 112)
    assert (p.n, p.m) == (112, 11)
    assert set(np.unique(p.y)) == {-1.0, 1.0}
    x = p.x0
    assert p.value(np.zeros(p.n)) == pytest.approx(np.log(2.0))
    H = p.hess_lagrangian(x, p.lam0)
    assert H.shape == (112, 112) and np.allclose(H, H.T)
    np.testing.assert_allclose(p.c(p.w_planted), 0.0, atol=1e-10)
    q = ConstrainedLogistic.from_libsvm("mushrooms", data_home=_shared_libsvm(), download=False)
    np.testing.assert_array_equal(p.A, q.A)  # random_state=0 by default


# --------------------------------------------------------------------------------------------
# PoissonControl
# --------------------------------------------------------------------------------------------
def test_poisson_structure():
    p = PoissonControl(4)
    assert (p.n, p.m, p.N) == (32, 16, 4) and p.f is p
    assert p.h == pytest.approx(1 / 5) and p.weight == pytest.approx(1 / 25)
    J = p.jac(p.x0)
    assert sp.isspmatrix_csr(J) and J.shape == (16, 32)
    np.testing.assert_array_equal(J[:, 16:].toarray(), -np.eye(16))
    np.testing.assert_allclose(J[:, :16].toarray(),
                               problems.linear_systems.laplacian_2d(4).toarray() * 25)
    assert sp.issparse(p.hess_lagrangian(p.x0, p.lam0))
    np.testing.assert_array_equal(p.x0, 0.0)
    np.testing.assert_array_equal(p.lam0, 0.0)
    # the jacobian handed out is a copy
    J.data[:] = 0.0
    assert p.jac(p.x0).nnz and abs(p.jac(p.x0)).sum() > 0
    x1, x2 = p.grid()
    np.testing.assert_allclose(p.y_target, np.sin(np.pi * x1) * np.sin(np.pi * x2))


@pytest.mark.parametrize("kwargs", [
    {}, {"cubic": 2.0}, {"weighted": False, "alpha": 0.3, "side": 2.0, "cubic": 0.5},
])
def test_poisson_derivatives(kwargs):
    p = PoissonControl(4, **kwargs)
    rng = np.random.default_rng(0)
    x, lam = rng.standard_normal(p.n), rng.standard_normal(p.m)
    _check_derivatives(p, x, lam, rtol=1e-6, atol=1e-6)


def test_poisson_solution_kkt_and_closed_form():
    for N, alpha in ((4, 1e-2), (9, 1e-3)):
        p = PoissonControl(N, alpha=alpha)
        x, lam = p.solution()
        kkt = p.grad(x) + p.jac(x).T @ lam
        assert np.abs(kkt).max() < 1e-10 and np.abs(p.c(x)).max() < 1e-10
        # "sine" target: an eigenvector of L_h, so y* = y_d / (1 + alpha mu^2)
        mu = 8 * np.sin(np.pi * p.h / 2) ** 2 / p.h ** 2
        np.testing.assert_allclose(x[:p.m], p.y_target / (1 + alpha * mu ** 2), rtol=1e-10)
        assert p.f_star == pytest.approx(p.value(x))
        # the cached solution is not exposed
        x[:] = 0.0
        assert np.abs(p.solution()[0]).max() > 0


def _trust_constr(p):
    nl = sopt.NonlinearConstraint(p.c, 0.0, 0.0, jac=p.jac,
                                  hess=lambda z, v: p.hess_lagrangian(z, v) - p.hess(z))
    return sopt.minimize(p.value, p.x0, jac=p.grad, hess=p.hess, constraints=[nl],
                         method="trust-constr",
                         options={"gtol": 1e-12, "xtol": 1e-14, "maxiter": 2000})


def test_poisson_solution_matches_scipy():
    p = PoissonControl(4, alpha=0.05, target=lambda a, b: a * (1 - b) + 0.3)
    x, lam = p.solution()
    res = _trust_constr(p)
    assert res.status in (1, 2), res.message
    np.testing.assert_allclose(res.x, x, atol=1e-7)
    assert res.fun == pytest.approx(p.f_star, rel=1e-8)
    # the same through a LinearConstraint on the (constant) Jacobian
    lin = sopt.LinearConstraint(p.jac(p.x0), 0.0, 0.0)
    res2 = sopt.minimize(p.value, p.x0, jac=p.grad, hess=p.hess, constraints=[lin],
                         method="trust-constr", options={"gtol": 1e-12, "xtol": 1e-14,
                                                         "maxiter": 2000})
    np.testing.assert_allclose(res2.x, x, atol=1e-7)


def test_poisson_cubic_solved_by_scipy():
    p = PoissonControl(4, alpha=0.05, cubic=50.0, target=lambda a, b: 3 * np.sin(np.pi * a))
    res = _trust_constr(p)
    assert res.status in (1, 2), res.message
    assert np.abs(p.c(res.x)).max() < 1e-8
    J = p.jac(res.x).toarray()
    lam = np.linalg.lstsq(J.T, -p.grad(res.x), rcond=None)[0]
    assert np.abs(p.grad(res.x) + J.T @ lam).max() < 1e-8
    # the cubic term matters: the linear problem has another solution
    assert np.abs(res.x - PoissonControl(4, alpha=0.05, target=lambda a, b: 3 * np.sin(
        np.pi * a)).solution()[0]).max() > 1e-3


def test_poisson_hong2023_instance():
    p = PoissonControl.hong2023()
    assert (p.n, p.m) == (18, 9) and p.h == pytest.approx(0.5) and p.weight == 1.0
    np.testing.assert_array_equal(p.x0, 1.0)
    np.testing.assert_array_equal(p.lam0, -1.0)
    s = 0.1 / np.sqrt(15)
    # entry (i, j) (1-based, i fastest) of the paper's target
    i, j = 3, 2
    assert p.y_target[(i - 1) + 3 * (j - 1)] == pytest.approx(np.sin(4 + s * (i - 2))
                                                              + np.cos(3 + s * (j - 2)))
    # the paper's constraint at its start x = 1: (Delta_h y + u) at the centre point = 1
    assert p.c(np.ones(18))[4] == pytest.approx(-1.0)
    # its objective 1/2 (||y - y_d||^2 + 0.1 ||u||^2)
    x = np.linspace(0, 1, 18)
    assert p.value(x) == pytest.approx(0.5 * (np.sum((x[:9] - p.y_target) ** 2)
                                              + 0.1 * np.sum(x[9:] ** 2)))
    xs, lam = p.solution()
    assert np.abs(p.grad(xs) + p.jac(xs).T @ lam).max() < 1e-10


def test_poisson_scales_to_large_grids():
    p = PoissonControl(64)
    assert (p.n, p.m) == (8192, 4096)
    J = p.jac(p.x0)
    assert J.nnz == 5 * 64 * 64 - 4 * 64 + 4096
    x, lam = p.solution()
    assert np.abs(p.c(x)).max() < 1e-8
    res = p.grad(x) + J.T @ lam
    assert np.abs(res).max() < 1e-12
    pc = PoissonControl(64, cubic=1.0)
    v = np.ones(p.n)
    assert pc.hvp_lagrangian(x, lam, v).shape == (8192,) and pc.f_star is None


def test_poisson_target_forms_and_caller_arrays():
    N = 3
    t = np.arange(9.0)
    t_c = t.copy()
    p1 = PoissonControl(N, target=t)
    p2 = PoissonControl(N, target=t.reshape(3, 3))
    np.testing.assert_array_equal(p1.y_target, p2.y_target)
    t[0] = 100.0
    assert p1.y_target[0] == 0.0  # copied
    t[0] = 0.0
    np.testing.assert_array_equal(t, t_c)
    assert np.all(PoissonControl(N, target=lambda a, b: 2.0).y_target == 2.0)
    x = np.linspace(-1, 1, 18)
    lam = np.linspace(0, 2, 9)
    x_c, lam_c = x.copy(), lam.copy()
    p = PoissonControl(N, cubic=1.5)
    p.value(x), p.grad(x), p.c(x), p.jac(x), p.hess(x), p.hvp(x, x)
    p.hess_lagrangian(x, lam), p.hvp_lagrangian(x, lam, x)
    np.testing.assert_array_equal(x, x_c)
    np.testing.assert_array_equal(lam, lam_c)


def test_poisson_bad_input():
    with pytest.raises(ValueError, match="N must be >= 2"):
        PoissonControl(1)
    with pytest.raises(TypeError, match="N must be"):
        PoissonControl(4.0)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        PoissonControl(4, alpha=0.0)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        PoissonControl(4, alpha=-1.0)
    with pytest.raises(ValueError, match="side must be > 0"):
        PoissonControl(4, side=0.0)
    with pytest.raises(ValueError, match="cubic must be >= 0"):
        PoissonControl(4, cubic=-1.0)
    with pytest.raises(ValueError, match="target"):
        PoissonControl(4, target="cosine")
    with pytest.raises(ValueError, match="target has shape \\(5,\\)"):
        PoissonControl(4, target=np.zeros(5))
    with pytest.raises(ValueError, match="target contains NaN"):
        PoissonControl(2, target=[0.0, np.nan, 1.0, 2.0])
    with pytest.raises(TypeError, match="target must be"):
        PoissonControl(4, target=3.0)
    with pytest.raises(TypeError, match="weighted"):
        PoissonControl(4, weighted="yes")
    p = PoissonControl(4)
    with pytest.raises(ValueError, match="x has shape \\(31,\\), expected \\(32,\\)"):
        p.c(np.zeros(31))
    with pytest.raises(ValueError, match="x has shape"):
        p.grad(np.zeros((32, 1)))
    with pytest.raises(ValueError, match="lam has shape \\(15,\\), expected \\(16,\\)"):
        p.hess_lagrangian(np.zeros(32), np.zeros(15))
    with pytest.raises(ValueError, match="v has shape"):
        p.hvp_lagrangian(np.zeros(32), np.zeros(16), np.zeros(16))
    with pytest.raises(NotImplementedError, match="cubic = 0"):
        PoissonControl(4, cubic=1.0).solution()
