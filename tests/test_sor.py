"""SOR sweeps (solvers.sor): Gauss-Seidel at omega = 1, the matrix form of the iteration,
agreement with pyamg, the convergence factor against the spectral radius, bad input."""
import numpy as np
import pytest
import scipy.linalg
import scipy.sparse as sp

import solvers
from helpers import observed_contraction, random_spd
from solvers.backend import GPUUnavailableError
from solvers.backend._select import gpu_available


def sor_matrix_step(A, b, x, omega, backward=False):
    """x+ = (D + omega L)^{-1}(omega b - (omega U + (omega - 1) D) x) (L, U swapped backward)."""
    Ad = A.toarray()
    D = np.diag(np.diag(Ad))
    L, U = np.tril(Ad, -1), np.triu(Ad, 1)
    if backward:
        L, U = U, L
    rhs = omega * b - (omega * U + (omega - 1) * D) @ x
    return scipy.linalg.solve(D + omega * L, rhs)


@pytest.mark.parametrize("omega", [1.0, 0.6, 1.5])
@pytest.mark.parametrize("sweep", ["forward", "backward", "symmetric"])
def test_iterates_follow_the_matrix_form(omega, sweep):
    A, b = random_spd(seed=1)
    x0 = np.random.default_rng(2).standard_normal(30)
    iterates = []
    solvers.sor(A, b, omega=omega, x0=x0, sweep=sweep, tol=0.0, max_iter=5,
                callback=lambda r: iterates.append(r.x.copy()))
    x = x0.copy()
    for got in iterates:
        if sweep in ("forward", "symmetric"):
            x = sor_matrix_step(A, b, x, omega)
        if sweep in ("backward", "symmetric"):
            x = sor_matrix_step(A, b, x, omega, backward=True)
        assert np.allclose(got, x, rtol=1e-12, atol=1e-12)


def test_omega_one_is_gauss_seidel():
    A, b = random_spd(seed=3)
    x = np.zeros(30)
    Ad = A.toarray()
    res = solvers.sor(A, b, omega=1.0, tol=0.0, max_iter=3)
    for _ in range(3):  # (D + L) x+ = b - U x
        x = scipy.linalg.solve_triangular(np.tril(Ad), b - np.triu(Ad, 1) @ x, lower=True)
    assert np.allclose(res.x, x, rtol=1e-12)


def test_forward_sweeps_match_pyamg_iterate_by_iterate():
    relaxation = pytest.importorskip("pyamg.relaxation.relaxation")
    A, b = random_spd(40, seed=4)
    x_ref = np.zeros(40)
    ours = []
    solvers.sor(A, b, omega=1.3, tol=0.0, max_iter=6, callback=lambda r: ours.append(r.x.copy()))
    for got in ours:
        relaxation.sor(A, x_ref, b, omega=1.3, iterations=1, sweep="forward")
        assert np.allclose(got, x_ref, rtol=1e-12, atol=1e-13)


def test_convergence_factor_is_the_spectral_radius():
    A, b = random_spd(25, seed=5)
    Ad = A.toarray()
    D, L, U = np.diag(np.diag(Ad)), np.tril(Ad, -1), np.triu(Ad, 1)
    omega = 1.2
    G = np.linalg.solve(D + omega * L, -(omega * U + (omega - 1) * D))
    rho = max(abs(np.linalg.eigvals(G)))
    x_star = np.linalg.solve(Ad, b)
    errors = []
    solvers.sor(A, b, omega=omega, tol=0.0, max_iter=400,
                callback=lambda r: errors.append(np.linalg.norm(r.x - x_star)))
    observed = observed_contraction(errors)
    assert rho < 1
    assert observed == pytest.approx(rho, rel=0.02)


def test_solves_a_poisson_system_and_reports_the_residual():
    n = 15
    T = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(n, n))
    A = (sp.kron(sp.identity(n), T) + sp.kron(T, sp.identity(n))).tocsr()
    b = np.ones(n * n)
    A0, b0 = A.copy(), b.copy()
    rho_j = np.cos(np.pi / (n + 1))
    omega_young = 2 / (1 + np.sqrt(1 - rho_j ** 2))
    fast = solvers.sor(A, b, omega=omega_young, tol=1e-10)
    slow = solvers.sor(A, b, omega=1.0, tol=1e-10)
    assert fast.success and slow.success and fast.nit < slow.nit / 4
    assert np.linalg.norm(b - A @ fast.x) / np.linalg.norm(b) <= 1e-10
    assert fast.history.rel_residual[-1] == pytest.approx(fast.measure)
    assert (A != A0).nnz == 0 and np.array_equal(b, b0)
    sym = solvers.sor(A, b, omega=1.5, sweep="symmetric", tol=1e-10)
    assert sym.success


def test_divergence_is_reported():
    A = sp.csr_matrix(np.array([[1.0, 3.0], [3.0, 1.0]]))  # indefinite: SOR diverges
    res = solvers.sor(A, np.ones(2), omega=1.0, max_iter=1000)
    assert not res.success and res.status == 4


def test_bad_input():
    A, b = random_spd(10, seed=6)
    for omega in (0.0, 2.0, -0.5, 2.5):
        with pytest.raises(ValueError, match="omega must be"):
            solvers.sor(A, b, omega=omega)
    Z = A.tolil()
    Z[3, 3] = 0.0
    with pytest.raises(ValueError, match=r"zero on the diagonal \(row 3\)"):
        solvers.sor(Z.tocsr(), b, omega=1.0)
    with pytest.raises(ValueError, match="must be square"):
        solvers.sor(sp.random(4, 5, density=0.5, format="csr"), np.ones(4), omega=1.0)
    with pytest.raises(ValueError, match="b"):
        solvers.sor(A, np.ones(9), omega=1.0)
    bad = A.copy()
    bad.data[0] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        solvers.sor(bad, b, omega=1.0)
    with pytest.raises(ValueError, match="NaN or inf|finite"):
        solvers.sor(A, np.r_[np.inf, b[1:]], omega=1.0)
    with pytest.raises(ValueError, match="sweep must be one of"):
        solvers.sor(A, b, omega=1.0, sweep="diagonal")
    dense = solvers.sor(A.toarray(), b, omega=1.0, tol=1e-10)
    assert dense.success


def test_backend_errors_are_clear():
    A, b = random_spd(10, seed=7)
    with pytest.raises(NotImplementedError, match="ssor_pcg runs the sequential SOR sweep"):
        solvers.ssor_pcg(A, b, omega=1.0, backend="gpu")
    if not gpu_available():
        with pytest.raises(GPUUnavailableError):
            solvers.sor(A, b, omega=1.0, backend="gpu")
    with pytest.raises(ValueError, match="backend must be one of"):
        solvers.sor(A, b, omega=1.0, backend="tpu")


def ssor_inverse(A, omega):
    """M^{-1} = omega (2 - omega) (D + omega U)^{-1} D (D + omega L)^{-1}, explicitly."""
    Ad = A.toarray()
    D = np.diag(np.diag(Ad))
    L, U = np.tril(Ad, -1), np.triu(Ad, 1)
    return omega * (2 - omega) * np.linalg.solve(D + omega * U, D @ np.linalg.inv(D + omega * L))


@pytest.mark.parametrize("omega", [1.0, 1.6])
def test_ssor_pcg_matches_scipy_cg_with_the_explicit_preconditioner(omega):
    from scipy.sparse.linalg import cg

    A, b = random_spd(40, seed=8)
    Minv = ssor_inverse(A, omega)
    r = np.random.default_rng(9).standard_normal(40)
    z = np.zeros(40)  # the sweep from zero is M^{-1} r
    res_one = solvers.sor(A, r, omega=omega, x0=z, sweep="symmetric", tol=0.0, max_iter=1)
    assert np.allclose(res_one.x, Minv @ r, rtol=1e-10, atol=1e-12)
    ref = []
    cg(A, b, M=Minv, rtol=1e-14, maxiter=8, callback=lambda xk: ref.append(xk.copy()))
    ours = []
    res = solvers.ssor_pcg(A, b, omega=omega, tol=0.0, max_iter=8,
                           callback=lambda rr: ours.append(rr.x.copy()))
    for a, c in zip(ours, ref):
        assert np.allclose(a, c, rtol=1e-9, atol=1e-11 * np.linalg.norm(ref[-1]))
    # from a starting point (Eisenstat's form maps it to y0 = (D/omega + U) x0)
    x0 = np.random.default_rng(10).standard_normal(40)
    ref = []
    cg(A, b, x0=x0, M=Minv, rtol=1e-14, maxiter=6, callback=lambda xk: ref.append(xk.copy()))
    ours = []
    solvers.ssor_pcg(A, b, omega=omega, x0=x0, tol=0.0, max_iter=6,
                     callback=lambda rr: ours.append(rr.x.copy()))
    assert len(ours) == len(ref) == 6
    for a, c in zip(ours, ref):
        assert np.allclose(a, c, rtol=1e-9, atol=1e-11 * np.linalg.norm(ref[-1]))
    full = solvers.ssor_pcg(A, b, omega=omega, tol=1e-12)
    assert full.success and np.linalg.norm(b - A @ full.x) <= 1e-12 * np.linalg.norm(b) * 1.01
    assert res.nit == 8


def test_ssor_pcg_bad_input_and_indefinite_systems():
    A, b = random_spd(10, seed=10)
    with pytest.raises(ValueError, match="A must be symmetric"):
        solvers.ssor_pcg(sp.triu(A).tocsr(), b, omega=1.0)
    with pytest.raises(ValueError, match="omega must be"):
        solvers.ssor_pcg(A, b, omega=2.0)
    with pytest.raises(NotImplementedError):
        solvers.ssor_pcg(A, b, omega=1.0, backend="gpu")
    indefinite = sp.csr_matrix(np.array([[1.0, 3.0], [3.0, 1.0]]))
    res = solvers.ssor_pcg(indefinite, np.array([1.0, -1.0]), omega=1.0)
    assert not res.success and "not positive definite" in res.message


def laplacian_2d(n):
    T = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(n, n))
    return (sp.kron(sp.identity(n), T) + sp.kron(T, sp.identity(n))).tocsr()


def test_young_omega_is_the_closed_form_on_the_laplacian():
    from solvers.linear import young_omega

    for n in (5, 12, 30):
        assert young_omega(laplacian_2d(n)) == pytest.approx(2 / (1 + np.sin(np.pi / (n + 1))),
                                                             rel=1e-10)
    with pytest.raises(ValueError, match="spectral radius .* >= 1"):
        young_omega(sp.csr_matrix(np.array([[1.0, 2.0], [2.0, 1.0]])))


def test_instance_optimal_omega_beats_a_grid_and_young():
    from solvers.linear import instance_optimal_omega, young_omega

    A, b = laplacian_2d(12), np.ones(144)
    w, nit, evals = instance_optimal_omega(A, b, tol=1e-8)
    grid = [solvers.sor(A, b, omega=o, tol=1e-8).nit for o in np.linspace(1.0, 1.98, 50)]
    assert nit <= min(grid) + 1
    assert nit <= solvers.sor(A, b, omega=young_omega(A), tol=1e-8).nit
    assert evals <= 20 and 1.0 <= w <= 1.99
    w2, nit2, _ = instance_optimal_omega(A, b, solver="ssor_pcg", tol=1e-8)
    assert nit2 <= solvers.ssor_pcg(A, b, omega=1.0, tol=1e-8).nit
    with pytest.raises(ValueError, match="solver must be one of"):
        instance_optimal_omega(A, b, solver="jacobi")


def test_symmetry_check_handles_unsorted_and_duplicate_entries():
    from solvers.linear._kernels import max_asymmetry

    A, b = random_spd(30, seed=4)
    coo = A.tocoo()
    # split every entry into two halves, shuffled: same matrix, non-canonical CSR
    rng = np.random.default_rng(0)
    order = rng.permutation(2 * coo.nnz)
    rows = np.concatenate([coo.row, coo.row])[order]
    cols = np.concatenate([coo.col, coo.col])[order]
    vals = np.concatenate([coo.data / 2, coo.data / 2])[order]
    messy = sp.csr_matrix((vals, (rows, cols)), shape=A.shape)
    messy.has_canonical_format = False
    assert solvers.ssor_pcg(messy, b, omega=1.2).success
    canon = A.copy()
    canon.sum_duplicates()
    assert max_asymmetry(canon.indptr, canon.indices, canon.data) == 0.0
    bent = A.tolil()
    bent[3, 7] += 1e-3
    bent = bent.tocsr()
    assert max_asymmetry(bent.indptr, bent.indices, bent.data) == pytest.approx(1e-3)
    with pytest.raises(ValueError, match="symmetric"):
        solvers.ssor_pcg(bent, b, omega=1.2)
