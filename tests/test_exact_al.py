"""exact_al: sketch solvers against the direct solve, reference agreement with scipy SLSQP,
the accuracy condition and the descent test, the superlinear tail, bad input."""
import numpy as np
import pytest
import scipy.optimize as so
import scipy.sparse as sp

import solvers
from solvers.constrained import _sketch
from solvers.core import SINGULAR, fit_convergence_order


class Small:
    """``min f(x) s.t. c(x) = 0`` from closures (the protocol, no subclassing)."""

    def __init__(self, x0, f, g, h, c, j, ch, f_star=None, lam0=None):
        self._x0 = np.asarray(x0, dtype=float)
        self.n = self._x0.size
        self._f, self._g, self._h, self._c, self._j, self._ch = f, g, h, c, j, ch
        self.m = np.size(c(self._x0))
        self.f_star = f_star
        self.lam0 = lam0

    @property
    def x0(self):
        return self._x0.copy()

    @property
    def f(self):
        return self

    def value(self, x):
        return float(self._f(x))

    def grad(self, x):
        return np.asarray(self._g(x), dtype=float)

    def c(self, x):
        return np.atleast_1d(np.asarray(self._c(x), dtype=float))

    def jac(self, x):
        return np.atleast_2d(np.asarray(self._j(x), dtype=float))

    def hess_lagrangian(self, x, lam):
        return np.asarray(self._h(x), dtype=float) + self._ch(x, lam)


def hs28():
    return Small([-4.0, 1.0, 1.0], lambda x: (x[0] + x[1]) ** 2 + (x[1] + x[2]) ** 2,
                 lambda x: [2 * (x[0] + x[1]), 2 * (x[0] + 2 * x[1] + x[2]), 2 * (x[1] + x[2])],
                 lambda x: [[2, 2, 0], [2, 4, 2], [0, 2, 2]],
                 lambda x: x[0] + 2 * x[1] + 3 * x[2] - 1, lambda x: [[1, 2, 3]],
                 lambda x, lam: np.zeros((3, 3)), f_star=0.0)


def hs6():
    return Small([-1.2, 1.0], lambda x: (1 - x[0]) ** 2, lambda x: [-2 * (1 - x[0]), 0.0],
                 lambda x: [[2.0, 0], [0, 0]], lambda x: 10 * (x[1] - x[0] ** 2),
                 lambda x: [[-20 * x[0], 10.0]],
                 lambda x, lam: lam[0] * np.array([[-20.0, 0], [0, 0]]), f_star=0.0)


def hs7():
    return Small([2.0, 2.0], lambda x: np.log1p(x[0] ** 2) - x[1],
                 lambda x: [2 * x[0] / (1 + x[0] ** 2), -1.0],
                 lambda x: [[2 * (1 - x[0] ** 2) / (1 + x[0] ** 2) ** 2, 0], [0, 0.0]],
                 lambda x: (1 + x[0] ** 2) ** 2 + x[1] ** 2 - 4,
                 lambda x: [[4 * x[0] * (1 + x[0] ** 2), 2 * x[1]]],
                 lambda x, lam: lam[0] * np.array([[4 * (1 + 3 * x[0] ** 2), 0], [0, 2.0]]),
                 f_star=-np.sqrt(3.0))


def sphere(n=6):
    """``min sum(x) s.t. ||x||^2 = 1``: nonconvex constraint, ``x* = -1/sqrt(n)``."""
    return Small(np.linspace(1.0, 2.0, n), lambda x: x.sum(), lambda x: np.ones(n),
                 lambda x: np.zeros((n, n)), lambda x: x @ x - 1, lambda x: 2 * x[None, :],
                 lambda x, lam: 2 * lam[0] * np.eye(n), f_star=-np.sqrt(n))


PROBLEMS = {"hs28": hs28, "hs6": hs6, "hs7": hs7, "sphere": sphere}


def slsqp(p):
    res = so.minimize(p.value, p.x0, jac=p.grad, method="SLSQP", tol=1e-12,
                      constraints=[{"type": "eq", "fun": p.c, "jac": p.jac}])
    return res.fun


@pytest.mark.parametrize("sketch", ["direct", "kaczmarz", "gaussian", "block"])
@pytest.mark.parametrize("name", list(PROBLEMS))
def test_reaches_the_kkt_point_and_agrees_with_slsqp(sketch, name):
    p = PROBLEMS[name]()
    res = solvers.exact_al(p, sketch=sketch, tol=1e-8, random_state=0)
    assert res.success, res.message
    kkt = np.hypot(np.linalg.norm(p.grad(res.x) + p.jac(res.x).T @ res.lam),
                   np.linalg.norm(p.c(res.x)))
    assert kkt <= 1e-8 and res.kkt == pytest.approx(kkt, rel=1e-6, abs=1e-14)
    assert res.fun == pytest.approx(p.f_star, abs=1e-7)
    assert res.fun == pytest.approx(slsqp(p), abs=1e-6)


def _kkt_system(n=25, m=8, seed=0, sparse=False):
    r = np.random.default_rng(seed)
    A = r.standard_normal((n, n))
    H = A @ A.T / n + 0.5 * np.eye(n) - 0.3 * np.diag(r.random(n) < 0.2)
    G = r.standard_normal((m, n))
    K = np.block([[H, G.T], [G, np.zeros((m, m))]])
    if sparse:
        K[np.abs(K) < 0.8] = 0.0
        K = (K + K.T) / 2
        K[np.arange(n), np.arange(n)] += 3.0
    return K, r.standard_normal(n + m)


@pytest.mark.parametrize("kind", [_sketch.KACZMARZ, _sketch.GAUSSIAN, _sketch.BLOCK])
@pytest.mark.parametrize("sparse", [False, True])
def test_sketch_solvers_converge_to_the_direct_solve(kind, sparse):
    K, b = _kkt_system(sparse=sparse)
    z_star = np.linalg.solve(K, b)
    target = 1e-10 * np.linalg.norm(b)
    z = np.zeros_like(b)
    steps, res = _sketch.sketch_dense(kind, K, b, z, target, 10 ** 7, 50, 6, 3)
    assert res <= target and np.linalg.norm(K @ z - b) == pytest.approx(res, rel=1e-6)
    np.testing.assert_allclose(z, z_star, atol=1e-7 * np.abs(z_star).max())
    Ks = sp.csr_matrix(K)
    z2 = np.zeros_like(b)
    steps2, res2 = _sketch.sketch_csr(kind, Ks.indptr, Ks.indices, Ks.data, b, z2, target,
                                      10 ** 7, 50, 6, 3)
    assert steps2 == steps    # same random stream, same steps
    np.testing.assert_allclose(z2, z, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("sketch", ["kaczmarz", "gaussian", "block"])
def test_accuracy_condition_and_descent_test_hold_at_every_step(sketch):
    p = hs7()
    eta = 0.25
    res = solvers.exact_al(p, sketch=sketch, accuracy=0.3, sharpen=0.0, eta=eta, tol=1e-8,
                           random_state=1)
    assert res.success
    h = res.history
    for k in range(1, len(h)):
        R = h.measure[k - 1]
        # the inner solve stopped at the adaptive accuracy (theta may have been tightened)
        assert h.linsys_residual[k] <= h.theta[k] * R * (1 + 1e-9)
        assert h.theta[k] <= 0.3 + 1e-15
        # the direction is a descent direction of the merit with the final penalties
        bound = -eta * (h.nu[k] * h.stationarity[k - 1] ** 2 + h.mu[k] * h.feasibility[k - 1] ** 2)
        assert h.slope[k] <= bound * (1 - 1e-9)
        assert 0 < h.step[k] <= 1
    assert np.all(np.diff(h.mu[1:]) >= 0)           # mu only grows


def test_sharpened_accuracy_gives_a_superlinear_tail():
    p = sphere(8)
    fixed = solvers.exact_al(p, sketch="gaussian", accuracy=0.5, sharpen=0.0, tol=1e-10,
                             random_state=0)
    sharp = solvers.exact_al(p, sketch="gaussian", accuracy=0.5, sharpen=1.0, tol=1e-10,
                             random_state=0)
    assert fixed.success and sharp.success
    assert sharp.nit < fixed.nit
    R_sharp = sharp.history.measure
    tail = R_sharp[R_sharp < 1e-1]
    assert fit_convergence_order(tail).rate > 1.4
    R_fixed = fixed.history.measure
    tail = R_fixed[(R_fixed < 1e-2) & (R_fixed > 1e-9)]
    ratios = tail[1:] / tail[:-1]
    assert np.median(ratios) > 0.05          # linear: the error shrinks by a bounded factor


def test_rank_deficient_jacobian_ends_with_a_clear_status():
    # two copies of the same constraint: the KKT matrix is singular everywhere
    p = Small([0.3, 0.2], lambda x: x @ x, lambda x: 2 * x, lambda x: 2 * np.eye(2),
              lambda x: np.array([x[0] + x[1] - 1, 2 * x[0] + 2 * x[1] - 2]),
              lambda x: np.array([[1.0, 1.0], [2.0, 2.0]]), lambda x, lam: np.zeros((2, 2)))
    for sketch in ("direct", "kaczmarz"):
        res = solvers.exact_al(p, sketch=sketch)
        assert not res.success and res.status == SINGULAR
        assert "rank deficient" in res.message


def test_bad_input():
    p = hs28()
    with pytest.raises(ValueError, match="x0"):
        solvers.exact_al(p, x0=np.ones(4))
    with pytest.raises(ValueError, match="NaN"):
        solvers.exact_al(p, x0=np.array([np.nan, 0, 0]))
    with pytest.raises(ValueError, match="lam0"):
        solvers.exact_al(p, lam0=np.ones(2))
    with pytest.raises(ValueError, match="sketch"):
        solvers.exact_al(p, sketch="qr")
    with pytest.raises(ValueError, match="accuracy"):
        solvers.exact_al(p, accuracy=1.5)
    with pytest.raises(ValueError, match="block_size"):
        solvers.exact_al(p, sketch="block", block_size=10)
    with pytest.raises(ValueError, match="backend"):
        solvers.exact_al(p, backend="tpu")
    bad = hs28()
    bad._j = lambda x: np.ones((2, 3))
    with pytest.raises(ValueError, match="jac"):
        solvers.exact_al(bad)
    with pytest.raises(TypeError, match="c"):
        solvers.exact_al(object(), x0=np.zeros(2))
    x0 = p.x0
    solvers.exact_al(p, x0=x0)
    np.testing.assert_array_equal(x0, [-4.0, 1.0, 1.0])


def test_reproducible_with_random_state():
    a = solvers.exact_al(hs7(), sketch="kaczmarz", random_state=5)
    b = solvers.exact_al(hs7(), sketch="kaczmarz", random_state=5)
    assert a.nit == b.nit and a.n_inner == b.n_inner
    np.testing.assert_array_equal(a.x, b.x)


def test_constrained_benchmark_measure_and_problem_set():
    import problems
    from benchmarks.constrained_bench import kkt_residual, run_problem_set, summary_rows

    p = problems.cutest.load("HS28")
    assert kkt_residual(p, np.array([0.5, -0.5, 0.5])) < 1e-12     # the solution
    assert kkt_residual(p, p.x0) > 1.0
    rec = run_problem_set(["HS28", "HS7"], problems.cutest.load, repeat=1, say=lambda s: None,
                          only=["exact_al (direct)", "scipy SLSQP"])
    rows = {r["method"]: r for r in summary_rows(rec)}
    assert rows["exact_al (direct)"]["solved"] == 2
    assert rec["exact_al (direct)"]["HS7"]["fun"] == pytest.approx(-np.sqrt(3), abs=1e-7)


@pytest.mark.parametrize("kind", [_sketch.KACZMARZ, _sketch.GAUSSIAN, _sketch.BLOCK])
@pytest.mark.parametrize("sparse", [False, True])
def test_array_sketch_for_the_gpu_converges_with_numpy(kind, sparse):
    # the cupy path's code, run with numpy / scipy arrays
    K, b = _kkt_system(sparse=sparse)
    z_star = np.linalg.solve(K, b)
    Km = sp.csr_matrix(K) if sparse else K
    z = np.zeros_like(b)
    target = 1e-9 * np.linalg.norm(b)
    steps, res = _sketch.sketch_xp(kind, Km, b, z, target, 200_000, 50, 6,
                                   np.random.default_rng(0))
    assert res <= target
    np.testing.assert_allclose(z, z_star, atol=1e-6 * np.abs(z_star).max())


@pytest.mark.gpu
@pytest.mark.parametrize("sketch", ["block", "gaussian"])
def test_gpu_sketch_solves_the_problems(sketch):
    for make in (hs7, sphere):
        cpu = solvers.exact_al(make(), sketch=sketch, tol=1e-8, random_state=0)
        gpu = solvers.exact_al(make(), sketch=sketch, tol=1e-8, random_state=0, backend="gpu")
        assert gpu.success and isinstance(gpu.x, np.ndarray)
        assert gpu.fun == pytest.approx(cpu.fun, abs=1e-7)


@pytest.mark.parametrize("sketch", ["direct", "kaczmarz", "block"])
def test_solves_every_native_equality_constrained_cutest_problem(sketch):
    import problems
    from benchmarks.constrained_bench import kkt_residual

    names = problems.cutest.names(kind="equality")
    assert len(names) == 47
    iterations = []
    for name in names:
        p = problems.cutest.load(name)
        res = solvers.exact_al(p, sketch=sketch, tol=1e-6, random_state=0)
        assert res.success, (name, res.message)
        assert kkt_residual(p, res.x) <= 1e-6, name
        # MWRIGHT is nonconvex with several local minima; the block sketch ends at another one
        if p.f_star is not None and name != "MWRIGHT":
            assert res.fun == pytest.approx(p.f_star, abs=1e-6 * max(1.0, abs(p.f_star))), name
        iterations.append(res.nit)
    assert np.mean(iterations) <= 7.0
