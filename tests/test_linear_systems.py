"""Test instances for SOR / SSOR-PCG (problems.linear_systems): Laplacians against dense
constructions and known spectra, the O(h^2) Poisson error, the shifted-Laplacian sequence's
laws and reproducibility, the heat-equation Crank-Nicolson steps and their protocol."""
import math

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

import problems
from problems.linear_systems import (
    HeatEquationSequence, LinearSystemInstance, ShiftedLaplacianSequence, bump, grid_points,
    laplacian_2d, laplacian_3d, poisson_2d, poisson_3d, sine_solution,
)


def dense_laplacian(shape, diag_sign=1.0):
    """Brute force: ``2 d`` on the diagonal, -1 for each grid neighbour (x fastest)."""
    dims = len(shape)
    n = int(np.prod(shape))
    A = np.zeros((n, n))

    def index(p):
        k = 0
        for axis in reversed(range(dims)):
            k = k * shape[axis] + p[axis]
        return k

    for p in np.ndindex(*shape):
        i = index(p)
        A[i, i] = 2.0 * dims
        for axis in range(dims):
            for step in (-1, 1):
                q = list(p)
                q[axis] += step
                if 0 <= q[axis] < shape[axis]:
                    A[i, index(q)] = -1.0
    return diag_sign * A


def assert_canonical_csr(A):
    assert sp.isspmatrix_csr(A)
    assert A.dtype == np.float64
    assert A.has_sorted_indices
    B = A.copy()
    B.sum_duplicates()
    assert B.nnz == A.nnz


# --------------------------------------------------------------------------- Laplacians
@pytest.mark.parametrize("nx, ny", [(3, 4), (4, 3), (1, 5), (1, 1)])
def test_laplacian_2d_matches_dense(nx, ny):
    L = laplacian_2d(nx, ny)
    assert_canonical_csr(L)
    np.testing.assert_array_equal(L.toarray(), dense_laplacian((nx, ny)))
    assert (L != L.T).nnz == 0


def test_laplacian_3d_matches_dense():
    L = laplacian_3d(2, 3, 4)
    assert_canonical_csr(L)
    np.testing.assert_array_equal(L.toarray(), dense_laplacian((2, 3, 4)))
    assert (L != L.T).nnz == 0
    assert laplacian_3d(3).shape == (27, 27)


def test_natural_ordering_matches_grid_points():
    # neighbours along x are consecutive unknowns and share y
    x, y = grid_points(4)
    L = laplacian_2d(4).tocoo()
    off = L.row != L.col
    dx, dy = np.abs(x[L.row[off]] - x[L.col[off]]), np.abs(y[L.row[off]] - y[L.col[off]])
    consecutive = np.abs(L.row[off] - L.col[off]) == 1
    np.testing.assert_allclose(dy[consecutive], 0.0)
    np.testing.assert_allclose(dx[consecutive], 0.2)
    np.testing.assert_allclose(dx[~consecutive], 0.0)
    np.testing.assert_allclose(x[:4], [0.2, 0.4, 0.6, 0.8])


@pytest.mark.parametrize("nx", [3, 6])
def test_laplacian_extreme_eigenvalues(nx):
    c = math.cos(math.pi / (nx + 1))
    ev2 = np.linalg.eigvalsh(laplacian_2d(nx).toarray())
    np.testing.assert_allclose([ev2[0], ev2[-1]], [4 - 4 * c, 4 + 4 * c], rtol=1e-12)
    ev3 = np.linalg.eigvalsh(laplacian_3d(nx).toarray())
    np.testing.assert_allclose([ev3[0], ev3[-1]], [6 - 6 * c, 6 + 6 * c], rtol=1e-12)


def test_laplacian_rectangular_spectrum():
    nx, ny = 3, 5
    p, q = np.meshgrid(np.arange(1, nx + 1), np.arange(1, ny + 1))
    expected = np.sort((4 - 2 * np.cos(np.pi * p / (nx + 1))
                        - 2 * np.cos(np.pi * q / (ny + 1))).ravel())
    np.testing.assert_allclose(np.linalg.eigvalsh(laplacian_2d(nx, ny).toarray()), expected,
                               atol=1e-12)


# --------------------------------------------------------------------------- Poisson
def test_poisson_2d_error_is_second_order():
    errors = []
    for nx in (15, 31):
        A, b = poisson_2d(nx)
        assert_canonical_csr(A)
        u = spsolve(A.tocsc(), b)
        errors.append(np.max(np.abs(u - sine_solution(nx))))
    assert errors[1] < 1e-3
    assert 3.6 < errors[0] / errors[1] < 4.4


def test_poisson_3d_error_is_second_order():
    errors = []
    for nx in (7, 15):
        A, b = poisson_3d(nx)
        u = spsolve(A.tocsc(), b)
        errors.append(np.max(np.abs(u - sine_solution(nx, dim=3))))
    assert 3.3 < errors[0] / errors[1] < 4.7


def test_poisson_custom_f_and_scaling():
    nx = 5
    A, b = poisson_2d(nx, f=lambda x, y: x + 2 * y)
    x, y = grid_points(nx)
    np.testing.assert_allclose(b, x + 2 * y)
    np.testing.assert_allclose(A.toarray(), laplacian_2d(nx).toarray() * (nx + 1) ** 2)
    _, b = poisson_2d(nx, f=lambda x, y: 1.0)      # scalars broadcast
    np.testing.assert_array_equal(b, np.ones(nx * nx))
    _, b3 = poisson_3d(3, f=lambda x, y, z: z)
    assert b3.shape == (27,) and b3[0] == 0.25 and b3[-1] == 0.75
    with pytest.raises(ValueError, match="shape"):
        poisson_2d(nx, f=lambda x, y: np.ones(3))
    with pytest.raises(ValueError, match="NaN or inf"):
        poisson_2d(nx, f=lambda x, y: np.full_like(x, np.nan))


def test_poisson_scales_to_400():
    A, b = poisson_2d(400)
    assert A.shape == (160_000, 160_000) and b.shape == (160_000,)
    assert A.nnz == 5 * 160_000 - 4 * 400


# --------------------------------------------------------------------------- shifted Laplacians
def test_shifted_sequence_instances():
    seq = ShiftedLaplacianSequence(T=20, random_state=0)
    L = laplacian_2d(10)
    assert len(seq) == 20 and seq.n == 100 and seq.context_bounds == (-0.15, 0.45)
    items = list(seq)
    assert [inst.index for inst in items] == list(range(20))
    for inst in items:
        assert isinstance(inst, LinearSystemInstance)
        assert_canonical_csr(inst.A)
        assert inst.x0 is None
        assert -0.15 < inst.context < 0.45
        assert np.linalg.norm(inst.b) <= 10.0
        D = inst.A - L
        np.testing.assert_allclose(D.toarray(), inst.context * np.eye(100), atol=1e-15)
        # SPD on the 10 x 10 grid: 4 - 4 cos(pi/11) > 0.15
        assert np.linalg.eigvalsh(inst.A.toarray())[0] > 0.0
    # fresh matrices: modifying one leaves the sequence alone
    items[0].A.data[:] = 0.0
    assert seq[0].A.nnz == L.nnz and seq[0].A.data.max() > 0
    np.testing.assert_array_equal(seq.contexts, [inst.context for inst in items])


def test_shifted_sequence_reproducible():
    def draws(seed):
        return [(inst.context, inst.b) for inst in ShiftedLaplacianSequence(T=5,
                                                                            random_state=seed)]
    a, b, c = draws(3), draws(3), draws(4)
    for (ca, ba), (cb, bb) in zip(a, b):
        assert ca == cb and np.array_equal(ba, bb)
    assert not np.allclose([x[0] for x in a], [x[0] for x in c])
    seq = ShiftedLaplacianSequence(T=4)             # unseeded: still fixed once built
    first, second = list(seq), list(seq)
    for x, y in zip(first, second):
        assert x.context == y.context and np.array_equal(x.b, y.b)
    np.testing.assert_array_equal(seq[-1].b, first[-1].b)
    gen = ShiftedLaplacianSequence(T=3, random_state=np.random.default_rng(7))
    assert len(list(gen)) == 3


def test_shifted_sequence_laws():
    hi = ShiftedLaplacianSequence(T=4000, law="high", random_state=1).contexts
    lo = ShiftedLaplacianSequence(T=4000, law="low", random_state=1).contexts
    for c in (hi, lo):
        assert c.min() > -0.15 and c.max() < 0.45
        # E c = -0.15 + 0.6 * 1/4 = 0
        assert abs(c.mean()) < 0.01
    # Var = 0.36 * ab/((a+b)^2 (a+b+1)): 0.0225 (high), 0.0075 (low)
    assert abs(hi.var() - 0.0225) < 0.002
    assert abs(lo.var() - 0.0075) < 0.001
    assert hi.var() > 2.5 * lo.var()


def test_shifted_sequence_bad_input():
    with pytest.raises(ValueError, match="nx"):
        ShiftedLaplacianSequence(nx=0)
    with pytest.raises(ValueError, match="T"):
        ShiftedLaplacianSequence(T=0)
    with pytest.raises(ValueError, match="law"):
        ShiftedLaplacianSequence(law="medium")
    with pytest.raises(TypeError, match="nx"):
        ShiftedLaplacianSequence(nx=2.5)
    with pytest.raises(TypeError, match="random_state"):
        ShiftedLaplacianSequence(random_state="seed")
    with pytest.raises(IndexError):
        ShiftedLaplacianSequence(T=3)[3]


# --------------------------------------------------------------------------- heat equation
def dense_cn_system(nx, t, dt, u, kappa, forcing):
    """Crank-Nicolson step written out densely: (I - C) v = (I + C) u + dt f(s)."""
    m = nx - 1
    h = 1.0 / nx
    L = np.zeros((m * m, m * m))
    xs, ys = np.zeros(m * m), np.zeros(m * m)
    for j in range(m):
        for i in range(m):
            k = i + m * j
            xs[k], ys[k] = (i + 1) * h, (j + 1) * h
            L[k, k] = -4.0
            for ii, jj in ((i - 1, j), (i + 1, j), (i, j - 1), (i, j + 1)):
                if 0 <= ii < m and 0 <= jj < m:
                    L[k, ii + m * jj] = 1.0
    L /= h * h
    s = t + dt / 2
    C = 0.5 * kappa(s) * dt * L
    eye = np.eye(m * m)
    return eye - C, (eye + C) @ u + dt * forcing(s, xs, ys), (xs, ys)


def default_kappa(t):
    return max(0.1 * math.sin(2 * math.pi * t), -10 * math.sin(2 * math.pi * t))


def default_forcing(t, x, y):
    cx, cy = 0.5 + math.cos(16 * math.pi * t) / 4, 0.5 + math.sin(16 * math.pi * t) / 4
    r2 = ((x - cx) ** 2 + (y - cy) ** 2) / 0.125 ** 2
    return 32 * np.array([math.exp(1 - 1 / (1 - r)) if r < 1 else 0.0 for r in r2])


def test_heat_step_matches_dense_crank_nicolson():
    nx, T, stop = 6, 10, 2.0
    seq = HeatEquationSequence(nx=nx, T=T, stoptime=stop)
    assert seq.n == 25 and seq.dt == 0.2 and seq.dx == 1 / 6
    x, y = seq.points
    u0 = np.array([math.exp(1 - 1 / (1 - r)) if r < 1 else 0.0
                   for r in ((x - 0.5) ** 2 + (y - 0.5) ** 2) / 0.25 ** 2])
    np.testing.assert_allclose(seq.u, u0, rtol=1e-14)
    rng = np.random.default_rng(0)
    for k in range(4):  # t = 0, 0.2, 0.4, 0.6: kappa(s) weak, then strong
        inst = seq.current()
        A, b, (xs, ys) = dense_cn_system(nx, k * seq.dt, seq.dt, seq.u, default_kappa,
                                         default_forcing)
        np.testing.assert_allclose(xs, x)
        np.testing.assert_allclose(ys, y)
        assert inst.index == k and seq.t == pytest.approx(k * 0.2)
        assert_canonical_csr(inst.A)
        np.testing.assert_allclose(inst.A.toarray(), A, rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(inst.b, b, rtol=1e-12, atol=1e-12)
        assert inst.context == pytest.approx(default_kappa(k * seq.dt))
        np.testing.assert_array_equal(inst.x0, seq.u)
        seq.advance(rng.standard_normal(seq.n))


def test_heat_matrix_spd_and_kappa_nonnegative():
    seq = HeatEquationSequence(nx=8, T=40, stoptime=1.0)
    lo, hi = seq.context_bounds
    assert lo >= 0.0 and hi == pytest.approx(10.0, rel=1e-3)
    for inst in seq:
        assert inst.context >= 0.0
        A = inst.A.toarray()
        np.testing.assert_array_equal(A, A.T)
        assert np.linalg.eigvalsh(A)[0] >= 1.0 - 1e-12    # A = I - C with C <= 0
        seq.advance(spsolve(inst.A.tocsc(), inst.b))
    assert seq.step == 40 and seq.t == pytest.approx(1.0)
    with pytest.raises(RuntimeError, match="reset"):
        seq.current()
    seq.reset()
    assert seq.step == 0 and seq.current().index == 0


def test_heat_energy_decays_without_forcing():
    seq = HeatEquationSequence(nx=10, T=30, stoptime=0.3, kappa=lambda t: 1.0,
                               forcing=lambda t, x, y: 0.0)
    assert seq.context_bounds == (1.0, 1.0)
    energies = [np.linalg.norm(seq.u)]
    for inst in seq:
        u = spsolve(inst.A.tocsc(), inst.b)
        seq.advance(u)
        energies.append(np.linalg.norm(u))
    assert np.all(np.diff(energies) < 0)
    # the slowest mode decays like exp(-2 pi^2 t)
    assert energies[-1] < energies[0] * 0.5


def test_heat_protocol_errors():
    seq = HeatEquationSequence(nx=5, T=3)
    it = iter(seq)
    inst = next(it)
    with pytest.raises(RuntimeError, match="advance"):
        next(it)
    with pytest.raises(ValueError, match="shape"):
        seq.advance(np.zeros(seq.n + 1))
    with pytest.raises(ValueError, match="NaN"):
        seq.advance(np.full(seq.n, np.nan))
    assert seq.step == 0
    u = np.ones(seq.n)
    seq.advance(u)
    u[:] = 5.0                      # a copy was stored
    np.testing.assert_array_equal(seq.u, 1.0)
    # iteration resumes from the current step; the instance's x0 is a copy
    items = []
    for inst in seq:
        items.append(inst.index)
        inst.x0[:] = -1.0
        seq.advance(np.zeros(seq.n))
    assert items == [1, 2]
    assert list(seq) == []
    with pytest.raises(RuntimeError):
        seq.advance(np.zeros(seq.n))
    seq.reset()
    np.testing.assert_array_equal(seq.current().b, HeatEquationSequence(nx=5, T=3).current().b)


def test_heat_scales_to_400():
    seq = HeatEquationSequence(nx=400, T=10)
    inst = seq.current()
    assert inst.A.shape == (159_201, 159_201) and inst.b.shape == (159_201,)
    assert inst.A.nnz == 5 * 159_201 - 4 * 399
    assert np.all(np.isfinite(inst.b))


def test_heat_bad_input():
    with pytest.raises(ValueError, match="nx"):
        HeatEquationSequence(nx=2)
    with pytest.raises(ValueError, match="nx"):
        HeatEquationSequence(nx=0)
    with pytest.raises(ValueError, match="T"):
        HeatEquationSequence(nx=5, T=0)
    with pytest.raises(ValueError, match="stoptime"):
        HeatEquationSequence(nx=5, stoptime=0.0)
    with pytest.raises(TypeError, match="kappa"):
        HeatEquationSequence(nx=5, kappa=2.0)
    with pytest.raises(TypeError, match="forcing"):
        HeatEquationSequence(nx=5, forcing="f")
    with pytest.raises(TypeError, match="initial"):
        HeatEquationSequence(nx=5, initial=np.zeros(16))
    with pytest.raises(ValueError, match="finite"):
        HeatEquationSequence(nx=5, T=4, kappa=lambda t: math.inf)


def test_bump_no_warning_and_values():
    x = np.array([0.5, 0.75, 1.0, 0.6])
    y = np.array([0.5, 0.5, 0.5, 0.5])
    v = bump(x, y, (0.5, 0.5), 0.25)       # exactly on the boundary at x = 0.75
    assert v[0] == 1.0 and v[1] == 0.0 and v[2] == 0.0
    assert v[3] == pytest.approx(math.exp(1 - 1 / (1 - 0.16)))


def test_exported_from_problems():
    assert problems.linear_systems.laplacian_2d is laplacian_2d
    assert "linear_systems" in problems.__all__
