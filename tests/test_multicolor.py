"""Multicolor SOR (solvers.linear.multicolor): valid colorings, agreement with sequential SOR
on the color-permuted system, the convergence factor against the spectral radius (Young's
theory for red-black), bad input, the GPU path against the numpy path."""
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

import solvers
from helpers import observed_contraction, random_spd
from problems.linear_systems import laplacian_2d, laplacian_3d
from solvers.backend._select import gpu_available
from solvers.linear.multicolor import MulticolorSplitting, coloring, multicolor_sor

SWEEPS = ["forward", "backward", "symmetric"]


def random_pattern(n, seed, density):
    """A random symmetric pattern with a unit diagonal (values do not matter for coloring)."""
    M = sp.random(n, n, density=density, random_state=seed, format="csr")
    return (M + M.T + sp.identity(n)).tocsr()


def assert_valid(A, colors):
    C = sp.coo_matrix(A)
    off = (C.row != C.col) & (C.data != 0)
    assert not np.any(colors[C.row[off]] == colors[C.col[off]])
    k = colors.max() + 1
    assert colors.min() == 0 and np.unique(colors).size == k  # labels 0..k-1, all used


# ---------------------------------------------------------------- coloring

@pytest.mark.parametrize("method", ["auto", "red-black"])
def test_laplacians_get_two_colors(method):
    for A in (laplacian_2d(7), laplacian_2d(5, 8), laplacian_3d(4)):
        c = coloring(A, method)
        assert c.dtype == np.int64 and c.shape == (A.shape[0],)
        assert c.max() == 1
        assert_valid(A, c)
    i, j = np.divmod(np.arange(49), 7)  # natural order: the checkerboard (i + j) mod 2
    assert np.array_equal(coloring(laplacian_2d(7)), (i + j) % 2)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("method", ["greedy", "largest-first", "auto"])
def test_greedy_colorings_are_valid_within_max_degree_plus_one(seed, method):
    A = random_pattern(150, seed, 0.04)
    c = coloring(A, method)
    assert_valid(A, c)
    degree = np.diff((A != 0).astype(np.int8).tocsr().indptr) - 1
    assert 2 < c.max() + 1 <= degree.max() + 1
    # a pattern stored on one side only (a_ij != 0, a_ji = 0) couples the rows all the same
    U = sp.triu(A).tocsr()
    cu = coloring(U, method)
    assert_valid(A, cu)
    assert np.array_equal(cu, c)


def test_red_black_refuses_graphs_that_are_not_bipartite():
    triangle = sp.csr_matrix(np.array([[4.0, 1, 0], [0, 4, 1], [1, 0, 4]]))  # a cycle 0-1-2-0
    with pytest.raises(ValueError, match="not bipartite .*rows \\d and \\d.*odd length"):
        coloring(triangle, "red-black")
    c = coloring(triangle)  # auto: falls back to greedy
    assert sorted(c.tolist()) == [0, 1, 2]
    nine = (laplacian_2d(6) + sp.kron(sp.diags([1.0, 1.0], [-1, 1], shape=(6, 6)),
                                      sp.diags([1.0, 1.0], [-1, 1], shape=(6, 6)))).tocsr()
    with pytest.raises(ValueError, match="not bipartite"):
        coloring(nine, "red-black")
    c9 = coloring(nine)
    assert c9.max() + 1 == 4
    assert_valid(nine, c9)
    with pytest.raises(ValueError, match="method must be one of"):
        coloring(triangle, "rainbow")


def test_stored_zeros_and_the_diagonal_do_not_couple_rows():
    A = sp.csr_matrix((np.array([2.0, 0.0, 0.0, 3.0]), np.array([0, 1, 0, 1]),
                       np.array([0, 2, 4])), shape=(2, 2))
    assert coloring(A).tolist() == [0, 0]
    assert coloring(sp.identity(5)).tolist() == [0] * 5
    res = multicolor_sor(sp.diags([2.0, 4.0, 8.0]).tocsr(), np.ones(3), omega=1.0)
    assert res.n_colors == 1 and res.nit == 1 and np.allclose(res.x, [0.5, 0.25, 0.125])


def test_coloring_a_large_grid_is_valid():
    A = laplacian_2d(150)
    c = coloring(A)
    assert c.max() == 1
    assert_valid(A, c)


# ---------------------------------------------------------------- the solver

def systems():
    A, b = random_spd(40, seed=3, density=0.1)
    L = laplacian_2d(8)
    return {"laplacian": (L, np.random.default_rng(4).standard_normal(64)),
            "random_spd": (A, b)}


@pytest.mark.parametrize("sweep", SWEEPS)
@pytest.mark.parametrize("system", ["laplacian", "random_spd"])
def test_converges_to_the_solution_of_sequential_sor_and_spsolve(sweep, system):
    A, b = systems()[system]
    ref = spsolve(A.tocsc(), b)
    mc = multicolor_sor(A, b, omega=1.3, sweep=sweep, tol=1e-12)
    seq = solvers.sor(A, b, omega=1.3, sweep=sweep, tol=1e-12)
    assert mc.success and seq.success
    assert mc.n_colors == 2 if system == "laplacian" else mc.n_colors > 2
    for x in (mc.x, seq.x):
        assert np.linalg.norm(x - ref) <= 1e-8 * np.linalg.norm(ref)
    assert np.linalg.norm(b - A @ mc.x) / np.linalg.norm(b) <= 1e-12
    assert mc.measure == pytest.approx(mc.history.rel_residual[-1])
    assert mc.history.rel_residual.shape[0] == mc.nit + 1


@pytest.mark.parametrize("sweep", SWEEPS)
@pytest.mark.parametrize("system", ["laplacian", "random_spd"])
def test_each_sweep_is_a_sequential_sweep_on_the_color_permuted_system(sweep, system):
    A, b = systems()[system]
    n = A.shape[0]
    colors = coloring(A, "greedy")
    p = np.argsort(colors, kind="stable")
    x0 = np.random.default_rng(5).standard_normal(n)
    ours, seq = [], []
    multicolor_sor(A, b, omega=1.4, x0=x0, sweep=sweep, colors=colors, tol=0.0, max_iter=5,
                   callback=lambda r: ours.append(r.x.copy()))
    Ap = A[p][:, p].tocsr()
    solvers.sor(Ap, b[p], omega=1.4, x0=x0[p], sweep=sweep, tol=0.0, max_iter=5,
                callback=lambda r: seq.append(r.x.copy()))
    assert len(ours) == len(seq) == 5
    for got, want in zip(ours, seq):
        np.testing.assert_allclose(got[p], want, rtol=1e-12, atol=1e-12)
    assert np.array_equal(MulticolorSplitting(A, colors).permutation, p)


def sor_spectral_radius(Ad, omega):
    D = np.diag(np.diag(Ad))
    L, U = np.tril(Ad, -1), np.triu(Ad, 1)
    G = np.linalg.solve(D + omega * L, -(omega * U + (omega - 1) * D))
    return max(abs(np.linalg.eigvals(G)))


def test_convergence_factor_is_the_spectral_radius_of_the_permuted_iteration():
    A = laplacian_2d(6)
    b = np.random.default_rng(6).standard_normal(36)
    c = coloring(A, "red-black")
    p = np.argsort(c, kind="stable")
    omega = 1.2
    rho = sor_spectral_radius(A.toarray()[p][:, p], omega)
    x_star = np.linalg.solve(A.toarray(), b)
    errors = []
    multicolor_sor(A, b, omega=omega, tol=0.0, max_iter=300,
                   callback=lambda r: errors.append(np.linalg.norm(r.x - x_star)))
    observed = observed_contraction(errors)
    assert rho < 1
    assert observed == pytest.approx(rho, rel=0.02)


@pytest.mark.parametrize("omega", [1.0, 1.5])
def test_red_black_has_the_natural_order_rate_young(omega):
    """The 5-point Laplacian is consistently ordered both in natural and red-black order, so
    the SOR iteration matrices have the same spectral radius for every omega."""
    A = laplacian_2d(6).toarray()
    p = np.argsort(coloring(laplacian_2d(6), "red-black"), kind="stable")
    natural, red_black = sor_spectral_radius(A, omega), sor_spectral_radius(A[p][:, p], omega)
    assert red_black == pytest.approx(natural, rel=1e-6)
    mu = np.cos(np.pi / 7)  # Jacobi spectral radius
    if omega == 1.0:
        assert natural == pytest.approx(mu ** 2, rel=1e-8)  # Gauss-Seidel: rho_J^2
    else:  # omega above Young's optimum: every eigenvalue has modulus omega - 1
        assert natural == pytest.approx(omega - 1, rel=1e-6)


def test_splitting_pieces_and_sweep():
    A, b = random_spd(30, seed=7, density=0.1)
    s = MulticolorSplitting(A, "largest-first")
    assert "n_colors" in repr(s)
    Ad = A.toarray()
    for c in range(s.n_colors):
        r = s.rows[c]
        assert np.all(np.diff(r) > 0) and np.all(s.colors[r] == c)
        expect = Ad[r].copy()
        expect[np.arange(r.size), r] = 0.0
        assert np.array_equal(s.blocks[c].toarray(), expect)
        assert np.array_equal(s.diag[c], np.diag(Ad)[r])
    x = np.zeros(30)
    s.sweep(x, b, 1.1, "symmetric")
    res = multicolor_sor(A, b, omega=1.1, sweep="symmetric", colors=s.colors, tol=0.0,
                         max_iter=1)
    assert np.array_equal(x, res.x)
    with pytest.raises(ValueError, match="direction must be one of"):
        s.sweep(x, b, 1.1, "sideways")


def test_divergence_and_callback_stop():
    A = sp.csr_matrix(np.array([[1.0, 3.0], [3.0, 1.0]]))  # indefinite
    res = multicolor_sor(A, np.ones(2), omega=1.0, max_iter=1000)
    assert not res.success and res.status == 4

    def stop(r):
        raise StopIteration

    L = laplacian_2d(5)
    res = multicolor_sor(L, np.ones(25), omega=1.0, callback=stop)
    assert res.status == 99 and res.nit == 1


def test_bad_input():
    A, b = random_spd(10, seed=8, density=0.1)
    for omega in (0.0, 2.0, -0.5, 2.5):
        with pytest.raises(ValueError, match="omega must be"):
            multicolor_sor(A, b, omega=omega)
    Z = A.tolil()
    Z[3, 3] = 0.0
    with pytest.raises(ValueError, match=r"zero on the diagonal \(row 3\)"):
        multicolor_sor(Z.tocsr(), b, omega=1.0)
    with pytest.raises(ValueError, match="must be square"):
        multicolor_sor(sp.random(4, 5, density=0.5, format="csr"), np.ones(4), omega=1.0)
    with pytest.raises(ValueError, match="b has length 9"):
        multicolor_sor(A, np.ones(9), omega=1.0)
    with pytest.raises(ValueError, match="x0 has length"):
        multicolor_sor(A, b, omega=1.0, x0=np.ones(3))
    with pytest.raises(ValueError, match="sweep must be one of"):
        multicolor_sor(A, b, omega=1.0, sweep="diagonal")
    with pytest.raises(ValueError, match="backend must be one of"):
        multicolor_sor(A, b, omega=1.0, backend="tpu")
    L = laplacian_2d(4)
    good = coloring(L)
    with pytest.raises(ValueError, match="length n = 16"):
        multicolor_sor(L, np.ones(16), omega=1.0, colors=good[:-1])
    with pytest.raises(TypeError, match="colors must hold integers"):
        multicolor_sor(L, np.ones(16), omega=1.0, colors=good.astype(float))
    bad = good.copy()
    bad[1] = bad[0]
    with pytest.raises(ValueError, match=r"not a valid coloring: rows 0 and 1 both have color"):
        multicolor_sor(L, np.ones(16), omega=1.0, colors=bad)
    with pytest.raises(ValueError, match="not a valid coloring"):
        multicolor_sor(L, np.ones(16), omega=1.0, colors=np.zeros(16, dtype=int))
    with pytest.raises(ValueError, match="colors must be one of"):
        multicolor_sor(L, np.ones(16), omega=1.0, colors="rainbow")
    # any integer labels are accepted and swept in increasing order
    shifted = multicolor_sor(L, np.ones(16), omega=1.0, colors=10 * good + 3, tol=1e-10)
    plain = multicolor_sor(L, np.ones(16), omega=1.0, colors=good, tol=1e-10)
    assert np.array_equal(shifted.x, plain.x) and shifted.n_colors == 2
    dense = multicolor_sor(A.toarray(), b, omega=1.0, tol=1e-10)
    assert dense.success


def test_callers_arrays_are_not_modified():
    A, b = random_spd(30, seed=9, density=0.1)
    x0 = np.random.default_rng(10).standard_normal(30)
    colors = coloring(A)
    A0, b0, x00, c0 = A.copy(), b.copy(), x0.copy(), colors.copy()
    res = multicolor_sor(A, b, omega=1.2, x0=x0, colors=colors, sweep="symmetric", tol=1e-10)
    assert res.success and res.x is not x0
    assert (A != A0).nnz == 0 and np.array_equal(A.indices, A0.indices)
    assert np.array_equal(b, b0) and np.array_equal(x0, x00) and np.array_equal(colors, c0)


@pytest.mark.skipif(gpu_available(), reason="a GPU is present")
def test_gpu_request_without_gpu():
    from solvers.backend import GPUUnavailableError

    A, b = random_spd(10, seed=11, density=0.1)
    with pytest.raises(GPUUnavailableError):
        multicolor_sor(A, b, omega=1.0, backend="gpu")
    with pytest.raises(GPUUnavailableError):
        solvers.sor(A, b, omega=1.0, backend="gpu")
    with pytest.raises(NotImplementedError, match="ssor_pcg.*backend='cpu'"):
        solvers.ssor_pcg(A, b, omega=1.0, backend="gpu")


@pytest.mark.gpu
@pytest.mark.parametrize("sweep", SWEEPS)
def test_gpu_matches_numpy(sweep):
    import cupy as cp
    import cupyx.scipy.sparse as cusparse

    for A, b in systems().values():
        colors = coloring(A)
        cpu = multicolor_sor(A, b, omega=1.3, sweep=sweep, colors=colors, tol=1e-11)
        Ag, bg = cusparse.csr_matrix(A), cp.asarray(b)
        gpu = multicolor_sor(Ag, bg, omega=1.3, sweep=sweep, colors=cp.asarray(colors),
                             tol=1e-11)
        assert gpu.success and isinstance(gpu.x, cp.ndarray)
        assert gpu.nit == cpu.nit
        np.testing.assert_allclose(cp.asnumpy(gpu.x), cpu.x, rtol=1e-9, atol=1e-12)
        via_sor = solvers.sor(Ag, bg, omega=1.3, sweep=sweep, tol=1e-11)  # auto: cupy data
        assert isinstance(via_sor.x, cp.ndarray) and via_sor.n_colors == cpu.n_colors
        np.testing.assert_allclose(cp.asnumpy(via_sor.x), cpu.x, rtol=1e-9, atol=1e-12)
        host_in = solvers.sor(A, b, omega=1.3, sweep=sweep, tol=1e-11, backend="gpu")
        assert isinstance(host_in.x, np.ndarray)
        np.testing.assert_allclose(host_in.x, cpu.x, rtol=1e-9, atol=1e-12)
        ours = []
        multicolor_sor(Ag, bg, omega=1.3, sweep=sweep, colors=colors, tol=0.0, max_iter=3,
                       callback=lambda r: ours.append(r.x.copy()))
        assert all(isinstance(v, np.ndarray) for v in ours)
    assert cp.all(bg == cp.asarray(b))
