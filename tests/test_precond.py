"""Polynomial preconditioning (solvers.poly_precond, Doikov and Rodomanov 2023): the
symmetric-polynomial identities, trace estimates, rates on quadratics, agreement with direct
solves and scipy, and bad input."""
import itertools
import math
import warnings

import numpy as np
import pytest
import scipy.optimize
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator

import problems
import solvers
from solvers.precond import (
    apply_polynomial, effective_condition_number, elementary_symmetric,
    elementary_symmetric_from_traces, exact_traces_sparse, hutchinson_traces,
    leave_one_out_symmetric, preconditioner_coefficients, predicted_rate,
)
from tests.helpers import make_regression


def psd_with_spectrum(lam, seed=0):
    r = np.random.default_rng(seed)
    V, _ = np.linalg.qr(r.standard_normal((len(lam), len(lam))))
    B = (V * lam) @ V.T
    return (B + B.T) / 2, V


def brute_sigma(lam, k):
    return sum(math.prod(c) for c in itertools.combinations(lam, k)) if k else 1.0


def preconditioner_matrix(B, tau):
    lam = np.linalg.eigvalsh(B)
    c = preconditioner_coefficients(elementary_symmetric(np.clip(lam, 0, None), tau), tau)
    return apply_polynomial(c, lambda v: B @ v, np.eye(B.shape[0]))


SEPARATED = np.r_[100.0, 30.0, 10.0, 3.0, 0.05, np.linspace(0.2, 0.4, 25)]


# -- symmetric polynomials -----------------------------------------------------------------

def test_elementary_symmetric_matches_brute_force_and_newton_identities():
    lam = np.random.default_rng(1).uniform(0, 3, 7)
    sig = elementary_symmetric(lam, 7)
    assert np.allclose(sig, [brute_sigma(lam, k) for k in range(8)], rtol=1e-12)
    traces = [float((lam ** i).sum()) for i in range(1, 8)]
    assert np.allclose(elementary_symmetric_from_traces(traces), sig, rtol=1e-9)
    assert elementary_symmetric(lam, 9)[8:].tolist() == [0.0, 0.0]


def test_leave_one_out_is_sigma_of_the_spectrum_without_each_eigenvalue():
    lam = np.random.default_rng(2).uniform(0, 2, 6)
    for k in range(6):
        expect = [brute_sigma(np.delete(lam, j), k) for j in range(6)]
        assert np.allclose(leave_one_out_symmetric(lam, k), expect, rtol=1e-12)


@pytest.mark.parametrize("tau", [0, 1, 2, 3, 5])
def test_preconditioner_eigenvalues_and_the_step_bound(tau):
    lam = np.random.default_rng(3).uniform(0.01, 5, 8)
    B, V = psd_with_spectrum(lam)
    P = preconditioner_matrix(B, tau)
    assert np.allclose(P, P.T, atol=1e-9 * np.abs(P).max())
    eig_on_v = np.einsum("ij,ij->j", V, P @ V)  # Rayleigh quotients on the eigenvectors of B
    assert np.allclose(P @ V, V * eig_on_v, atol=1e-8 * np.abs(P).max())
    assert np.allclose(eig_on_v, leave_one_out_symmetric(lam, tau), rtol=1e-8)
    sigma_next = elementary_symmetric(lam, tau + 1)[tau + 1]
    assert np.all(lam * eig_on_v <= sigma_next * (1 + 1e-10))
    assert np.isclose(np.max(lam * eig_on_v), sigma_next - brute_sigma(np.sort(lam)[:-1], tau + 1),
                      rtol=1e-8)


def test_effective_condition_number_decreases_to_one_at_degree_n_minus_1():
    lam = np.random.default_rng(4).uniform(0.05, 10, 9)
    kappas = [effective_condition_number(lam, t) for t in range(9)]
    assert all(b <= a * (1 + 1e-12) for a, b in zip(kappas, kappas[1:]))
    assert kappas[0] == pytest.approx(lam.sum() / lam.min())
    assert kappas[-1] == pytest.approx(1.0)
    B, _ = psd_with_spectrum(lam)
    P = preconditioner_matrix(B, 8)
    assert np.allclose(P @ B, np.prod(lam) * np.eye(9), atol=1e-8 * np.prod(lam))
    # the rate formula: 1 - 1/kappa = sigma_{tau+1}(without lambda_min) / sigma_{tau+1}
    for t in range(8):
        rest = np.sort(lam)[1:]
        assert predicted_rate(lam, t) == pytest.approx(
            elementary_symmetric(rest, t + 1)[t + 1] / elementary_symmetric(lam, t + 1)[t + 1])


# -- traces ---------------------------------------------------------------------------------

def test_exact_sparse_traces_match_dense_powers():
    A = sp.random(40, 40, density=0.1, random_state=0, format="csr")
    B = (A @ A.T).tocsr()
    dense = B.toarray()
    expect = [np.trace(np.linalg.matrix_power(dense, i)) for i in range(1, 6)]
    assert np.allclose(exact_traces_sparse(B, 5), expect, rtol=1e-12)


def test_hutchinson_traces_within_stated_error_at_default_probe_count():
    r = np.random.default_rng(5)
    lam = np.r_[50.0, 20.0, 8.0, 3.0, r.uniform(0.0, 0.5, 396)]
    B, _ = psd_with_spectrum(lam, seed=6)
    t, info = hutchinson_traces(lambda V: B @ V, 400, 5, rng=np.random.default_rng(0))
    Q = info["Q"]
    Pperp = np.eye(400) - Q @ Q.T
    m = 60 - 60 // 3
    for i in range(1, 6):
        exact = float((lam ** i).sum())
        bound = 3 * math.sqrt(2 / m) * np.linalg.norm(Pperp @ np.linalg.matrix_power(B, i) @ Pperp)
        assert abs(t[i - 1] - exact) <= bound
        assert abs(t[i - 1] - exact) <= 4 * info["stderr"][i - 1] + 1e-12 * exact
    assert abs(t[0] - lam.sum()) <= 0.02 * lam.sum()  # deflation: small relative error
    # a dimension below the sketch size gives exact traces
    t_small, _ = hutchinson_traces(lambda V: B[:10, :10] @ V, 10, 3, n_probes=60,
                                   rng=np.random.default_rng(0))
    small = np.linalg.eigvalsh(B[:10, :10])
    assert np.allclose(t_small, [(small ** i).sum() for i in (1, 2, 3)], rtol=1e-10)


# -- curvature bounds of the problems ------------------------------------------------------

@pytest.mark.parametrize("sparse", [False, True])
def test_curvature_bounds_dominate_the_hessians(sparse):
    X, y = make_regression(80, 12, seed=7, sparse=sparse)
    labels = np.where(y > 0, 1.0, -1.0)
    ls = problems.LeastSquares(X, y)
    lg = problems.Logistic(X, labels)
    dense = X.toarray() if sparse else X
    for f, scale in ((ls, 1 / 80), (lg, 1 / 320)):
        B = f.curvature_bound
        assert np.allclose(B @ np.eye(12), scale * dense.T @ dense)
        assert np.allclose(B.eigenvalues(), np.linalg.eigvalsh(scale * dense.T @ dense), atol=1e-12)
        assert B.trace() == pytest.approx(np.trace(scale * dense.T @ dense))
        assert sp.issparse(f.X) == sparse
    x = np.random.default_rng(8).standard_normal(12)
    H = lg.hess(x)
    assert np.linalg.eigvalsh(lg.curvature_bound @ np.eye(12) - H).min() >= -1e-12
    ridge = problems.Ridge(lg, 0.3).curvature_bound
    assert np.allclose(ridge @ np.eye(12), lg.curvature_bound @ np.eye(12) + 0.3 * np.eye(12))
    assert np.allclose(ridge.eigenvalues(), lg.curvature_bound.eigenvalues() + 0.3)
    lin = ls.curvature_bound.aslinearoperator()
    assert np.allclose(lin.matvec(x), ls.hvp(None, x))
    Q = np.diag([2.0, 1.0])
    assert problems.Quadratic(Q).curvature_bound is not None
    assert np.allclose(problems.Ridge(problems.Quadratic(sp.csr_matrix(Q)), 1.0).curvature_bound.toarray(),
                       Q + np.eye(2))


def test_gram_operator_wide_matrix_uses_the_small_side():
    X, _ = make_regression(10, 40, seed=9)
    B = problems.LeastSquares(X, np.zeros(10)).curvature_bound
    lam = B.eigenvalues()
    assert lam.shape == (40,)
    assert np.allclose(lam, np.linalg.eigvalsh(X.T @ X / 10), atol=1e-12)


# -- rates on quadratics ------------------------------------------------------------------

def _quadratic(lam, seed=10):
    B, _ = psd_with_spectrum(lam, seed)
    b = np.random.default_rng(seed).standard_normal(len(lam))
    return problems.Quadratic(B, b), np.linalg.solve(B, b)


@pytest.mark.parametrize("tau", [0, 1, 2, 3])
def test_gradient_method_rate_matches_the_prediction(tau):
    f, x_star = _quadratic(SEPARATED)
    errors = []
    solvers.poly_precond(f, tau=tau, tol=0.0, max_iter=4000,
                         callback=lambda r: errors.append(np.linalg.norm(r.x - x_star)))
    e = np.array(errors)
    k = np.arange(1, len(e) + 1)
    sel = (e > 1e-10 * e[0]) & (k > 50)
    observed = np.polyfit(k[sel][-300:], np.log(e[sel][-300:]), 1)[0]
    predicted = math.log(predicted_rate(SEPARATED, tau))
    assert observed == pytest.approx(predicted, rel=0.10)


def test_fast_gradient_method_has_the_square_root_dependence():
    its_gm, its_fgm, kappas = [], [], []
    for low in (0.3, 0.1, 0.03, 0.01):
        lam = np.r_[100.0, 30.0, np.geomspace(low, 1.0, 38)]
        f, _ = _quadratic(lam)
        kappas.append(effective_condition_number(lam, 2))
        its_gm.append(solvers.poly_precond(f, tau=2, tol=1e-7, max_iter=100000).nit)
        res = solvers.poly_precond(f, tau=2, accelerated=True, tol=1e-7, max_iter=100000)
        assert res.success
        its_fgm.append(res.nit)
    slope_gm = np.polyfit(np.log(kappas), np.log(its_gm), 1)[0]
    slope_fgm = np.polyfit(np.log(kappas), np.log(its_fgm), 1)[0]
    assert 0.85 <= slope_gm <= 1.15
    assert 0.35 <= slope_fgm <= 0.65


def test_krylov_step_never_worse_than_a_fixed_degree_from_the_same_point():
    f, _ = _quadratic(SEPARATED)
    r = np.random.default_rng(11)
    for _ in range(5):
        x0 = r.standard_normal(len(SEPARATED)) * 10
        krylov = solvers.poly_precond(f, x0, tau=3, krylov=True, backtracking=False, max_iter=1,
                                      tol=0.0)
        for tau in range(4):
            fixed = solvers.poly_precond(f, x0, tau=tau, max_iter=1, tol=0.0)
            assert krylov.fun <= fixed.fun + 1e-10 * abs(fixed.fun)
            assert fixed.history.L[-1] == 1.0
    runs = {tau: solvers.poly_precond(f, tau=tau, tol=1e-8, max_iter=20000).nit for tau in range(4)}
    kry = solvers.poly_precond(f, tau=3, krylov=True, tol=1e-8, max_iter=20000)
    assert kry.success and kry.nit <= min(runs.values())
    assert kry.n_bprod <= 4 * (kry.nit + 1)


# -- agreement with references on data ---------------------------------------------------

@pytest.mark.parametrize("options", [
    {"tau": 2}, {"tau": 3, "accelerated": True}, {"tau": 2, "krylov": True},
    {"tau": 1, "accelerated": True, "backtracking": True},
    {"tau": 2, "accelerated": True, "mu": 1e-2},
    {"tau": 2, "traces": "hutchinson", "random_state": 0},
])
@pytest.mark.parametrize("sparse", [False, True])
def test_ridge_least_squares_matches_the_direct_solve(options, sparse):
    X, y = make_regression(120, 20, seed=12, sparse=sparse)
    f = problems.Ridge(problems.LeastSquares(X, y), 1e-2)
    Xd = X.toarray() if sparse else X
    w = np.linalg.solve(Xd.T @ Xd / 120 + 1e-2 * np.eye(20), Xd.T @ y / 120)
    res = solvers.poly_precond(f, tol=1e-10, max_iter=20000, **options)
    assert res.success, res.message
    assert np.allclose(res.x, w, atol=1e-8)
    assert np.linalg.norm(f.grad(res.x)) <= 1e-10
    assert res.history.grad_norm[-1] == pytest.approx(res.measure)


@pytest.mark.parametrize("options", [{"tau": 2}, {"tau": 3, "accelerated": True, "backtracking": True},
                                     {"tau": 3, "krylov": True}])
def test_ridge_logistic_matches_scipy(options):
    X, y = make_regression(150, 15, seed=13)
    labels = np.where(y > np.median(y), 1.0, -1.0)
    f = problems.Ridge(problems.Logistic(X, labels), 1e-2)
    ref = scipy.optimize.minimize(f.value_and_grad, np.zeros(15), jac=True, method="L-BFGS-B",
                                  options={"gtol": 1e-12, "ftol": 0, "maxiter": 10000})
    res = solvers.poly_precond(f, tol=1e-9, max_iter=20000, **options)
    assert res.success, res.message
    assert np.allclose(res.x, ref.x, atol=1e-6)
    assert res.fun == pytest.approx(ref.fun, rel=1e-10)


def test_operator_forms_of_b_give_the_same_run():
    X, y = make_regression(100, 12, seed=14)
    f = problems.Ridge(problems.LeastSquares(X, y), 1e-2)
    dense = f.curvature_bound @ np.eye(12)
    base = solvers.poly_precond(f, tau=2, tol=1e-9, max_iter=5000)
    for B in (dense, sp.csr_matrix(dense), f.curvature_bound.aslinearoperator()):
        res = solvers.poly_precond(f, B=B, tau=2, tol=1e-9, max_iter=5000)
        assert res.nit == base.nit
        assert np.allclose(res.x, base.x, atol=1e-10)
        assert np.allclose(res.sigma, base.sigma, rtol=1e-9)
    assert base.sigma_method == "eigenvalues"
    assert solvers.poly_precond(f, B=sp.csr_matrix(dense), tau=2, max_iter=1).sigma_method == \
        "sparse traces"


def test_hutchinson_run_is_reproducible_and_counts_products():
    X, y = make_regression(200, 30, seed=15)
    f = problems.Ridge(problems.LeastSquares(X, y), 1e-2)
    a = solvers.poly_precond(f, tau=2, traces="hutchinson", random_state=3, tol=1e-9, max_iter=5000)
    b = solvers.poly_precond(f, tau=2, traces="hutchinson", random_state=3, tol=1e-9, max_iter=5000)
    assert a.success and np.array_equal(a.x, b.x) and a.nit == b.nit
    assert a.sigma_method == "hutchinson"
    # the GM spends tau products per iteration after the trace estimation
    hist = a.history.n_bprod
    assert np.all(np.diff(hist) == 2)


def test_caller_arrays_untouched():
    X, y = make_regression(60, 8, seed=16)
    f = problems.Ridge(problems.LeastSquares(X, y), 1e-1)
    B = f.curvature_bound @ np.eye(8)
    B0, x0 = B.copy(), np.ones(8)
    solvers.poly_precond(f, x0, B=B, tau=2, accelerated=True, max_iter=50)
    assert np.array_equal(B, B0) and np.array_equal(x0, np.ones(8))


# -- bad input ------------------------------------------------------------------------------

@pytest.fixture
def small():
    X, y = make_regression(40, 6, seed=17)
    return problems.Ridge(problems.LeastSquares(X, y), 1e-1)


def test_bad_degree(small):
    with pytest.raises(ValueError, match="tau must be >= 0"):
        solvers.poly_precond(small, tau=-1)
    with pytest.raises(ValueError, match="tau must be <= n - 1 = 5"):
        solvers.poly_precond(small, tau=6)
    with pytest.raises(TypeError, match="tau must be an integer"):
        solvers.poly_precond(small, tau=1.5)


def test_bad_b(small):
    B = small.curvature_bound @ np.eye(6)
    with pytest.raises(ValueError, match=r"B has shape \(5, 5\).*must be \(6, 6\)"):
        solvers.poly_precond(small, B=B[:5, :5])
    asym = B.copy()
    asym[0, 1] += 1.0
    with pytest.raises(ValueError, match="B must be symmetric"):
        solvers.poly_precond(small, B=asym)
    with pytest.raises(ValueError, match="negative diagonal"):
        solvers.poly_precond(small, B=-B)
    indefinite = np.eye(6)
    indefinite[0, 1] = indefinite[1, 0] = 2.0
    with pytest.raises(ValueError, match="smallest eigenvalue"):
        solvers.poly_precond(small, B=indefinite)
    nan = B.copy()
    nan[2, 2] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        solvers.poly_precond(small, B=nan)
    skew = LinearOperator((6, 6), matvec=lambda v: asym @ v, matmat=lambda V: asym @ V)
    with pytest.raises(ValueError, match="B must be symmetric"):
        solvers.poly_precond(small, B=skew)
    neg = LinearOperator((6, 6), matvec=lambda v: -v, matmat=lambda V: -V)
    with pytest.raises(ValueError, match="positive semidefinite"):
        solvers.poly_precond(small, B=neg)
    with pytest.raises(ValueError, match="rank < 3"):
        solvers.poly_precond(small, B=np.diag([1.0, 1.0, 0, 0, 0, 0]), tau=2)
    with pytest.raises(TypeError, match="B must be a square matrix"):
        solvers.poly_precond(small, B=[1.0, 2.0])


def test_bad_options(small):
    with pytest.raises(ValueError, match="krylov=True is the adaptive gradient method"):
        solvers.poly_precond(small, accelerated=True, krylov=True)
    with pytest.raises(ValueError, match="mu sets the momentum"):
        solvers.poly_precond(small, mu=0.1)
    with pytest.raises(ValueError, match="traces must be one of"):
        solvers.poly_precond(small, traces="random")
    with pytest.raises(ValueError, match="n_probes must be >= 3"):
        solvers.poly_precond(small, traces="hutchinson", n_probes=1)
    with pytest.raises(TypeError, match="accelerated must be True or False"):
        solvers.poly_precond(small, accelerated="yes")
    with pytest.raises(ValueError, match="x0"):
        solvers.poly_precond(small, np.full(6, np.nan))


def test_missing_curvature_bound_names_the_member():
    class Plain:
        shape = (3,)

        def value(self, x):
            return float(x @ x)

        def grad(self, x):
            return 2 * x

    with pytest.raises(TypeError, match="no `curvature_bound`.*B="):
        solvers.poly_precond(Plain())
    res = solvers.poly_precond(Plain(), np.ones(3), B=2 * np.eye(3), tau=1, tol=1e-12)
    assert res.success and np.allclose(res.x, 0)


@pytest.mark.gpu
def test_gpu_matches_cpu():
    import cupy as cp

    X, y = make_regression(300, 40, seed=18)
    labels = np.where(y > 0, 1.0, -1.0)
    for options in ({"tau": 2}, {"tau": 3, "accelerated": True, "backtracking": True},
                    {"tau": 2, "krylov": True}, {"tau": 2, "traces": "hutchinson",
                                                  "random_state": 0}):
        cpu = solvers.poly_precond(problems.Ridge(problems.Logistic(X, labels), 1e-2), tol=1e-9,
                                   max_iter=5000, **options)
        gpu = solvers.poly_precond(problems.Ridge(problems.Logistic(cp.asarray(X),
                                                                    cp.asarray(labels)), 1e-2),
                                   tol=1e-9, max_iter=5000, **options)
        assert gpu.success and isinstance(gpu.x, cp.ndarray)
        assert np.allclose(cp.asnumpy(gpu.x), cpu.x, atol=1e-7)


def test_noisy_sigma_estimates_lower_the_degree_with_a_warning():
    from solvers.precond._operator import usable_degree

    sigma = np.array([1.0, 10.0, 3.0, -0.5, 0.1])
    with pytest.warns(RuntimeWarning, match="using tau = 1 instead of 3"):
        assert usable_degree(sigma, 3, "hutchinson") == 1
    with pytest.raises(ValueError, match="rank < 4"):
        usable_degree(sigma, 3, "eigenvalues")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert usable_degree(sigma, 1, "hutchinson") == 1


def test_krylov_with_one_memory_step_of_degree_zero_is_conjugate_gradients():
    """min over x_k + span{g_k, x_k - x_(k-1)} on a quadratic whose Hessian is B is CG."""
    from scipy.sparse.linalg import cg

    f, _ = _quadratic(SEPARATED)
    cg_iterates = []
    # six steps: beyond, both recurrences amplify their own rounding differently (the
    # isolated top eigenvalues are resolved after about five steps)
    cg(f.Q, f.b, x0=np.zeros(len(SEPARATED)), rtol=1e-14, maxiter=6,
       callback=lambda xk: cg_iterates.append(xk.copy()))
    ours = []
    solvers.poly_precond(f, tau=0, krylov=True, memory=1, backtracking=False, tol=0.0,
                         max_iter=6, callback=lambda r: ours.append(r.x))
    assert len(ours) == len(cg_iterates) == 6
    for a, b in zip(ours, cg_iterates):
        assert np.linalg.norm(a - b) <= 1e-10 * np.linalg.norm(b)


def test_krylov_memory_converges_faster_on_least_squares():
    X, y = make_regression(300, 60, seed=19)
    X = X * np.r_[20.0, 8.0, 3.0, np.ones(57)]
    f = problems.Ridge(problems.LeastSquares(X, y), 1e-3)
    plain = solvers.poly_precond(f, tau=2, krylov=True, tol=1e-9, max_iter=20000)
    sesop = solvers.poly_precond(f, tau=2, krylov=True, memory=1, tol=1e-9, max_iter=20000)
    assert plain.success and sesop.success
    assert sesop.nit < plain.nit / 2
    assert np.allclose(sesop.x, plain.x, atol=1e-7)
    with pytest.raises(ValueError, match="memory applies to the Krylov variant only"):
        solvers.poly_precond(f, memory=1)
    with pytest.raises(ValueError, match="memory must be >= 0"):
        solvers.poly_precond(f, krylov=True, memory=-1)


def test_a_b_that_does_not_bound_the_hessian_is_reported_and_survived():
    X, y = make_regression(100, 10, seed=20)
    f = problems.Ridge(problems.LeastSquares(X, y), 1e-2)
    with pytest.warns(RuntimeWarning, match="B does not bound the Hessian"):
        res = solvers.poly_precond(f, B=1e-3 * np.eye(10), tau=2, tol=1e-9, max_iter=5000)
    assert res.success and res.L > 1
    w = np.linalg.solve(X.T @ X / 100 + 1e-2 * np.eye(10), X.T @ y / 100)
    assert np.allclose(res.x, w, atol=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        solvers.poly_precond(f, tau=2, tol=1e-9, max_iter=5000)  # a valid B: no warning
