"""Finite-sum monotone operators (problems.operators): protocol consistency, constants,
equilibria against scipy's LP solver, projections against brute force, bad input."""
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog, minimize

import problems
from problems.operators import (BilinearQuadratic, DROLogistic, GradientSum, MatrixGame,
                                QuadraticSum, project_ball, project_box, project_simplex,
                                residual)


# ---------------------------------------------------------------------------------------------
# small instances of every built-in
# ---------------------------------------------------------------------------------------------
def _logistic_data(n=30, d=6, seed=0, sparse=False):
    r = np.random.default_rng(seed)
    X = r.standard_normal((n, d))
    if sparse:
        X[r.random((n, d)) < 0.5] = 0.0
        X = sp.csr_matrix(X)
    y = np.where(r.random(n) < 0.5, -1.0, 1.0)
    return X, y


def _make(name):
    r = np.random.default_rng(3)
    if name == "bilinear":
        return BilinearQuadratic.hard_instance(n_components=12, size=8, heterogeneity=0.8,
                                               random_state=0)
    if name == "bilinear_general":
        n, m, k = 7, 4, 5
        B = r.standard_normal((n, k, k))
        return BilinearQuadratic(r.standard_normal((n, m, k)), B @ B.transpose(0, 2, 1),
                                 r.standard_normal((n, m)), r.standard_normal((n, k)))
    if name == "game_rowcol":
        return MatrixGame.random(5, 8, random_state=1)
    if name == "game_row":
        return MatrixGame.random(6, 4, random_state=2, split="row")
    if name == "policeman":
        return MatrixGame.policeman_burglar(9, theta=0.5, random_state=0)
    if name == "dro":
        X, y = _logistic_data(15, 4)
        return DROLogistic(X, y, lam=0.5, alpha=0.1)
    if name == "dro_sparse_ball":
        X, y = _logistic_data(12, 5, sparse=True)
        return DROLogistic(X, y, lam=2.0, radius=1.5)
    if name == "lsq":
        X, y = _logistic_data(20, 5)
        return GradientSum.least_squares(X, r.standard_normal(20), alpha=0.2)
    if name == "logistic_sparse":
        X, y = _logistic_data(25, 6, sparse=True)
        return GradientSum.logistic(X, y, alpha=0.05)
    if name == "quadratic":
        return QuadraticSum.random(10, 6, similarity=0.5, random_state=0)
    if name == "quadratic_lowrank_box":
        return QuadraticSum.random(8, 7, similarity=0.9, rank=3, lower=-0.5, upper=0.5,
                                   random_state=1)
    raise KeyError(name)


ALL = ["bilinear", "bilinear_general", "game_rowcol", "game_row", "policeman", "dro",
       "dro_sparse_ball", "lsq", "logistic_sparse", "quadratic", "quadratic_lowrank_box"]
COCOERCIVE = ["lsq", "logistic_sparse", "quadratic", "quadratic_lowrank_box"]


def _point(op, r, scale=1.0):
    """A random point, in ``C`` for constrained operators."""
    x = scale * r.standard_normal(op.dim)
    return x if op.project is None else op.project(x)


# ---------------------------------------------------------------------------------------------
# the protocol
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_full_is_mean_of_components_and_batches(name):
    op = _make(name)
    r = np.random.default_rng(0)
    x = _point(op, r)
    x_copy = x.copy()
    n = op.n_components
    Fx = op.full(x)
    assert Fx.shape == (op.dim,) and Fx.dtype == op.dtype
    comps = np.array([op.component(i, x) for i in range(n)])
    np.testing.assert_allclose(comps.mean(axis=0), Fx, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(op.batch(np.arange(n), x), Fx, rtol=1e-10, atol=1e-10)
    # duplicates count as often as they appear
    idx = np.array([0, n - 1, 0, 0, n // 2])
    idx_copy = idx.copy()
    expected = comps[idx].mean(axis=0)
    np.testing.assert_allclose(op.batch(idx, x), expected, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(op.batch(list(idx), x), expected, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(op.batch([n - 1], x), comps[n - 1], rtol=1e-10, atol=1e-12)
    assert np.array_equal(x, x_copy) and np.array_equal(idx, idx_copy)


@pytest.mark.parametrize("name", ALL)
def test_constants_hold_and_operator_is_monotone(name):
    op = _make(name)
    r = np.random.default_rng(1)
    n = op.n_components
    L, Lc, Lf = op.lipschitz, op.cocoercivity, op.full_lipschitz
    assert np.isfinite(L) and L > 0 and Lf <= L * (1 + 1e-10)
    assert (Lc is not None) == (name in COCOERCIVE)
    for trial in range(25):
        x, y = _point(op, r, 3.0 ** (trial % 3)), _point(op, r)
        if trial % 5 == 0:                     # nearby pairs probe the local behaviour
            y = _point(op, r, 1e-3) + x if op.project is None else op.project(x + 1e-3 * (y - x))
        dx = x - y
        dF_i = np.array([op.component(i, x) - op.component(i, y) for i in range(n)])
        dF = op.full(x) - op.full(y)
        ms = (dF_i ** 2).sum(axis=1).mean()
        inner = dF @ dx
        assert inner >= -1e-10 * (1 + np.abs(dF).max() * np.abs(dx).max())
        assert ms <= L ** 2 * (dx @ dx) * (1 + 1e-9) + 1e-14
        assert dF @ dF <= Lf ** 2 * (dx @ dx) * (1 + 1e-9) + 1e-14
        if Lc is not None:
            assert ms <= Lc * inner * (1 + 1e-9) + 1e-12


@pytest.mark.parametrize("name", ALL)
def test_x0_is_fresh_and_feasible(name):
    op = _make(name)
    a, b = op.x0, op.x0
    assert a is not b and a.shape == (op.dim,)
    a += 1.0
    assert not np.array_equal(a, op.x0)
    if op.project is not None:
        np.testing.assert_allclose(op.project(op.x0), op.x0, atol=1e-15)
    assert op.to("cpu") is op
    assert isinstance(op.n_components, int) and isinstance(op.dim, int)


def test_residual_is_natural_residual():
    op = _make("quadratic")
    x = np.random.default_rng(0).standard_normal(op.dim)
    assert residual(op, x) == pytest.approx(np.linalg.norm(op.full(x)))
    g = _make("game_rowcol")
    z = np.random.default_rng(1).random(g.dim)
    expected = np.linalg.norm(z - g.project(z - g.full(z)))
    assert residual(g, z) == pytest.approx(expected)
    assert residual(g, z) > 0

    class Minimal:                      # any object with `full` works, `project` optional
        def full(self, x):
            return 2 * x

    assert residual(Minimal(), np.array([3.0, 4.0])) == pytest.approx(10.0)


# ---------------------------------------------------------------------------------------------
# known solutions
# ---------------------------------------------------------------------------------------------
def test_hard_bilinear_instance_matches_the_deterministic_problem():
    m = 6
    A = np.zeros((m, m))
    for row in range(m - 1):
        A[row, m - 2 - row], A[row, m - 1 - row] = -1.0, 1.0
    A[m - 1, 0] = 1.0
    A /= 4
    b, h, H = np.full(m, 0.25), np.eye(m)[-1] / 4, 2 * A.T @ A
    for s in (0.0, 0.7):
        op = BilinearQuadratic.hard_instance(n_components=5, size=m, heterogeneity=s,
                                             random_state=2)
        z = np.random.default_rng(0).standard_normal(2 * m)
        x, y = z[:m], z[m:]
        np.testing.assert_allclose(op.full(z), np.concatenate([H @ x - h - A.T @ y, A @ x - b]),
                                   atol=1e-13)
        x_star = np.linalg.solve(A, b)
        y_star = np.linalg.solve(A.T, H @ x_star - h)
        np.testing.assert_allclose(op.solution, np.concatenate([x_star, y_star]), rtol=1e-10)
        assert residual(op, op.solution) < 1e-10
        comps_differ = np.abs(op.component(0, z) - op.component(1, z)).max()
        assert (comps_differ > 1e-3) == (s > 0)
    assert op.project is None and op.cocoercivity is None
    assert BilinearQuadratic.hard_instance(n_components=3, size=4).n_components == 3


def test_bilinear_lipschitz_is_exact():
    op = _make("bilinear_general")
    n, m, k = op.A.shape
    M = [np.block([[op.H[i], -op.A[i].T], [op.A[i], np.zeros((m, m))]]) for i in range(n)]
    stacked = np.vstack(M) / np.sqrt(n)
    assert op.lipschitz == pytest.approx(np.linalg.norm(stacked, 2), rel=1e-10)
    assert op.full_lipschitz == pytest.approx(np.linalg.norm(np.mean(M, axis=0), 2), rel=1e-10)
    assert residual(op, op.solution) < 1e-9


def test_quadratic_solution_constants_are_tight():
    for rank in (None, 3):
        op = QuadraticSum.random(9, 6, similarity=0.4, rank=rank, random_state=5)
        assert residual(op, op.solution) < 1e-12
        Q = op.Q
        stacked = np.vstack(Q) / np.sqrt(len(Q))
        assert op.lipschitz == pytest.approx(np.linalg.norm(stacked, 2), rel=1e-10)
        Qbar, S = Q.mean(axis=0), (Q @ Q).mean(axis=0)
        if rank is None:              # positive definite: the generalized eigenproblem
            from scipy.linalg import eigh
            assert op.cocoercivity == pytest.approx(eigh(S, Qbar, eigvals_only=True)[-1],
                                                    rel=1e-8)
            assert op.strong_monotonicity > 0
        else:
            assert op.strong_monotonicity == 0.0
            # the solution is the minimum-norm one: orthogonal to the null space of Qbar
            lam, U = np.linalg.eigh(Qbar)
            assert np.abs(U[:, lam < 1e-10].T @ op.solution).max() < 1e-10
        # the cocoercivity bound is attained along some direction (tight)
        lam, U = np.linalg.eigh(Qbar)
        keep = lam > 1e-10
        T = U[:, keep] / np.sqrt(lam[keep])
        w, V = np.linalg.eigh(T.T @ S @ T)
        v = T @ V[:, -1]
        ratio = np.mean([np.sum((Qi @ v) ** 2) for Qi in Q]) / (v @ Qbar @ v)
        assert ratio == pytest.approx(op.cocoercivity, rel=1e-8)
        assert op.cocoercivity <= max(np.linalg.eigvalsh(Qi)[-1] for Qi in Q) * (1 + 1e-12)


def test_quadratic_box_projection_and_solution():
    inside = QuadraticSum.random(6, 4, random_state=0, lower=-100.0, upper=100.0)
    assert inside.solution is not None and residual(inside, inside.solution) < 1e-12
    tight = QuadraticSum.random(6, 4, random_state=0, lower=0.0, upper=1e-3)
    assert tight.solution is None
    np.testing.assert_array_equal(tight.project(np.array([-1.0, 0.5, 2e-4, 3.0])),
                                  [0.0, 1e-3, 2e-4, 1e-3])
    one_sided = QuadraticSum(np.eye(2)[None], np.array([[1.0, -1.0]]), lower=0.0)
    # F(x) = x + (1, -1) on x >= 0: solution (0, 1), natural residual 0 there
    assert residual(one_sided, np.array([0.0, 1.0])) == 0.0
    assert residual(one_sided, np.array([0.5, 1.0])) > 0


def test_gradient_sum_matches_smooth_parts_and_least_squares_solution():
    r = np.random.default_rng(0)
    X = r.standard_normal((40, 7))
    b = r.standard_normal(40)
    x = r.standard_normal(7)
    gl = GradientSum.least_squares(X, b)
    np.testing.assert_allclose(gl.full(x), problems.LeastSquares(X, b).grad(x), rtol=1e-12)
    y = np.sign(b)
    gg = GradientSum.logistic(X, y)
    np.testing.assert_allclose(gg.full(x), problems.Logistic(X, y).grad(x), rtol=1e-10)
    # sparse input stays sparse and gives the same operator
    Xs = sp.csc_matrix(np.where(np.abs(X) > 0.7, X, 0.0))
    dense, sparse = (GradientSum.logistic(M, y, alpha=0.3) for M in (Xs.toarray(), Xs))
    assert sp.issparse(sparse.X)
    idx = np.array([3, 3, 17, 0])
    np.testing.assert_allclose(sparse.batch(idx, x), dense.batch(idx, x), rtol=1e-12)
    assert sparse.lipschitz == pytest.approx(dense.lipschitz, rel=1e-6)
    # least squares: exact mean-square constant, cocoercivity, minimum-norm solution
    ga = GradientSum.least_squares(X, b, alpha=0.5)
    J = [np.outer(a, a) + 0.5 * np.eye(7) for a in X]
    assert ga.lipschitz == pytest.approx(np.linalg.norm(np.vstack(J) / np.sqrt(40), 2),
                                         rel=1e-9)
    assert ga.cocoercivity == pytest.approx((X ** 2).sum(axis=1).max() + 0.5)
    for op in (ga, GradientSum.least_squares(sp.csr_matrix(X), b, alpha=0.5)):
        assert residual(op, op.solution) < 1e-10
    wide = GradientSum.least_squares(X[:5], b[:5])          # d > n: min-norm solution
    assert residual(wide, wide.solution) < 1e-12
    np.testing.assert_allclose(wide.solution, np.linalg.pinv(X[:5]) @ b[:5], atol=1e-12)
    assert gg.solution is None


def test_dro_operator_is_the_saddle_gradient():
    op = _make("dro")
    r = np.random.default_rng(0)
    z = _point(op, r)
    F = op.full(z)
    d = op.dim_w
    h = 1e-6
    for j in list(range(d)) + [d, d + 3, op.dim - 1]:
        e = np.zeros(op.dim)
        e[j] = h
        fd = (op.value(z + e) - op.value(z - e)) / (2 * h)
        sign = 1.0 if j < d else -1.0       # F = (grad_w, -grad_p)
        assert F[j] == pytest.approx(sign * fd, rel=1e-5, abs=1e-7)
    p = op.project(z)[d:]
    assert p.min() >= 0 and p.sum() == pytest.approx(1.0)
    ball = _make("dro_sparse_ball")
    w = ball.project(np.concatenate([np.full(ball.dim_w, 10.0), np.zeros(ball.n_components)]))
    assert np.linalg.norm(w[:ball.dim_w]) == pytest.approx(1.5)


# ---------------------------------------------------------------------------------------------
# matrix games
# ---------------------------------------------------------------------------------------------
def test_known_small_games_have_zero_gap_at_equilibrium():
    pennies = MatrixGame(np.array([[1.0, -1.0], [-1.0, 1.0]]), value=0.0,
                         solution=np.full(4, 0.5))
    rps = MatrixGame(np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]]))
    for g in (pennies, rps):
        z = g.x0                                 # uniform strategies are the equilibrium
        assert abs(g.gap(z)) < 1e-15 and residual(g, z) < 1e-15
        pure = np.zeros(g.dim)
        pure[0] = pure[g.dim_x] = 1.0
        assert g.gap(pure) > 0.5 and residual(g, pure) > 0.1
    assert pennies.value == 0.0 and residual(pennies, pennies.solution) == 0.0


def _lp_value(A):
    """Value and optimal strategies of min_x max_y y^T A x via two independent LPs."""
    m, k = A.shape
    # minimizer: min v s.t. A x <= v 1, x in simplex
    c = np.r_[np.zeros(k), 1.0]
    res_x = linprog(c, A_ub=np.c_[A, -np.ones(m)], b_ub=np.zeros(m),
                    A_eq=np.r_[np.ones(k), 0.0][None], b_eq=[1.0],
                    bounds=[(0, None)] * k + [(None, None)], method="highs")
    # maximizer: max u s.t. A^T y >= u 1, y in simplex
    res_y = linprog(-np.r_[np.zeros(m), 1.0], A_ub=np.c_[-A.T, np.ones(k)], b_ub=np.zeros(k),
                    A_eq=np.r_[np.ones(m), 0.0][None], b_eq=[1.0],
                    bounds=[(0, None)] * m + [(None, None)], method="highs")
    assert res_x.status == 0 and res_y.status == 0
    return res_x.x[:k], res_y.x[:m], res_x.fun, -res_y.fun


@pytest.mark.parametrize("shape", [(4, 7), (6, 3), (5, 5)])
def test_random_game_value_and_equilibrium_agree_with_linprog(shape):
    g = MatrixGame.random(*shape, random_state=sum(shape))
    x, y, v_min, v_max = _lp_value(g.A)
    assert v_min == pytest.approx(v_max, abs=1e-9)          # minimax theorem
    z = np.concatenate([x, y])
    assert abs(g.gap(z)) < 1e-8 and residual(g, z) < 1e-8
    assert (g.A @ x).max() == pytest.approx(v_min, abs=1e-9)
    # the gap bounds the value from both sides at any feasible point
    r = np.random.default_rng(0)
    for _ in range(5):
        w = g.project(r.standard_normal(g.dim))
        xw, yw = w[:g.dim_x], w[g.dim_x:]
        assert (g.A @ xw).max() >= v_min - 1e-9 >= (g.A.T @ yw).min() - 2e-9
        assert g.gap(w) >= -1e-12


def test_policeman_burglar_matrix_and_splits():
    w = np.array([1.0, 2.0, 0.5, 3.0])
    g = MatrixGame.policeman_burglar(4, theta=0.3, wealth=w)
    i = np.arange(4)
    expected = w[:, None] * (1 - np.exp(-0.3 * np.abs(i[:, None] - i[None, :])))
    np.testing.assert_allclose(g.A, expected)
    assert np.all(np.diag(g.A) == 0) and g.n_components == 4 and g.dim == 8
    a = MatrixGame.policeman_burglar(30, random_state=7)
    b = MatrixGame.policeman_burglar(30, random_state=7, split="row")
    np.testing.assert_array_equal(a.A, b.A)
    assert a.lipschitz < b.lipschitz
    assert b.lipschitz == pytest.approx(np.sqrt(30) * np.linalg.norm(a.A, 2))
    assert a.full_lipschitz == pytest.approx(np.linalg.norm(a.A, 2))
    # component i of the row split reads row i only
    z = a.project(np.random.default_rng(0).standard_normal(60))
    Fi = b.component(3, z)
    assert np.count_nonzero(Fi[30:]) == 1 and Fi[30 + 3] != 0


# ---------------------------------------------------------------------------------------------
# projections
# ---------------------------------------------------------------------------------------------
def _simplex_brute(v, radius):
    cons = [{"type": "eq", "fun": lambda x: x.sum() - radius, "jac": lambda x: np.ones_like(x)}]
    res = minimize(lambda x: 0.5 * np.sum((x - v) ** 2), np.full(v.size, radius / v.size),
                   jac=lambda x: x - v, bounds=[(0, None)] * v.size, constraints=cons,
                   method="SLSQP", options={"ftol": 1e-14, "maxiter": 500})
    return res.x


@pytest.mark.parametrize("radius", [1.0, 0.3, 4.0])
def test_simplex_projection_matches_brute_force_and_kkt(radius):
    r = np.random.default_rng(int(radius * 10))
    V = r.standard_normal((6, 7)) * 2
    V[0] = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]     # ties
    V_copy = V.copy()
    P = project_simplex(V, radius)
    assert np.array_equal(V, V_copy)
    for v, p in zip(V, P):
        np.testing.assert_allclose(p, _simplex_brute(v, radius), atol=1e-6)
        np.testing.assert_allclose(project_simplex(v, radius), p, atol=0)
        # KKT: p = max(v - tau, 0) with one tau; v - p = tau on the support, <= tau off it
        assert p.min() >= 0 and p.sum() == pytest.approx(radius)
        tau = (v - p)[p > 0]
        assert np.ptp(tau) < 1e-12 and np.all((v - p)[p == 0] <= tau[0] + 1e-12)
    inside = project_simplex(np.array([0.2, 0.5, 0.3]))
    np.testing.assert_allclose(inside, [0.2, 0.5, 0.3], atol=1e-15)
    assert project_simplex(np.array([5.0]), radius)[0] == pytest.approx(radius, rel=1e-14)


def test_box_and_ball_projections():
    v = np.array([[-3.0, 0.5, 9.0], [0.0, 2.0, -1.0]])
    np.testing.assert_array_equal(project_box(v, -1.0, 1.0), [[-1, 0.5, 1], [0, 1, -1]])
    lo, hi = np.array([0.0, -np.inf, 1.0]), np.array([0.0, 1.0, np.inf])
    np.testing.assert_array_equal(project_box(v[0], lo, hi), [0.0, 0.5, 9.0])
    np.testing.assert_array_equal(project_box(v[0], None, 0.0), [-3.0, 0.0, 0.0])
    c = np.array([1.0, 1.0, 1.0])
    p = project_ball(v, 2.0, center=c)
    for row, q in zip(v, p):
        dist = np.linalg.norm(row - c)
        expected = row if dist <= 2 else c + 2 * (row - c) / dist
        np.testing.assert_allclose(q, expected)
    np.testing.assert_array_equal(project_ball(np.array([0.1, 0.0]), 1.0), [0.1, 0.0])
    np.testing.assert_array_equal(project_ball(np.array([3.0, 4.0]), 0.0), [0.0, 0.0])
    np.testing.assert_array_equal(v, [[-3.0, 0.5, 9.0], [0.0, 2.0, -1.0]])


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------
def test_bad_points_and_indices():
    op = _make("quadratic")
    x = np.zeros(op.dim)
    with pytest.raises(ValueError, match=r"x has shape \(5,\)"):
        op.full(np.zeros(5))
    with pytest.raises(ValueError, match="x has shape"):
        op.batch([0], np.zeros((op.dim, 1)))
    with pytest.raises(ValueError, match="out of range"):
        op.batch(np.array([0, op.n_components]), x)
    with pytest.raises(ValueError, match="out of range"):
        op.batch(np.array([-1]), x)
    with pytest.raises(ValueError, match="out of range"):
        op.component(op.n_components, x)
    with pytest.raises(TypeError, match="integer"):
        op.component(1.5, x)
    with pytest.raises(TypeError, match="integers"):
        op.batch(np.array([0.0, 1.0]), x)
    with pytest.raises(ValueError, match="empty"):
        op.batch(np.array([], dtype=int), x)
    with pytest.raises(ValueError, match="1-dimensional"):
        op.batch(np.zeros((2, 2), dtype=int), x)
    assert op.component(np.int64(2), x).shape == (op.dim,)


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="theta must be > 0"):
        MatrixGame.policeman_burglar(5, theta=-1.0)
    with pytest.raises(ValueError, match="n must be >= 2"):
        MatrixGame.policeman_burglar(1)
    with pytest.raises(ValueError, match="wealth must be nonnegative"):
        MatrixGame.policeman_burglar(3, wealth=[1.0, -1.0, 2.0])
    with pytest.raises(ValueError, match="A contains NaN"):
        MatrixGame(np.array([[1.0, np.nan], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="A must be 2-dimensional"):
        MatrixGame(np.ones(3))
    with pytest.raises(ValueError, match="split must be one of"):
        MatrixGame(np.ones((2, 2)), split="cols")
    with pytest.raises(TypeError, match="m must be an integer"):
        MatrixGame.random(2.5, 3)
    with pytest.raises(ValueError, match="solution has shape"):
        MatrixGame(np.ones((2, 2)), solution=np.ones(3))
    with pytest.raises(ValueError, match="heterogeneity must be >= 0"):
        BilinearQuadratic.hard_instance(heterogeneity=-0.1)
    r = np.random.default_rng(0)
    with pytest.raises(ValueError, match="H has shape"):
        BilinearQuadratic(r.random((3, 2, 4)), np.zeros((3, 2, 2)), r.random((3, 2)),
                          r.random((3, 4)))
    with pytest.raises(ValueError, match="positive semidefinite"):
        BilinearQuadratic(r.random((3, 2, 2)), -np.eye(2), r.random((3, 2)), r.random((3, 2)))
    with pytest.raises(ValueError, match="symmetric"):
        QuadraticSum(np.array([[[1.0, 2.0], [0.0, 1.0]]]), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="positive semidefinite"):
        QuadraticSum(np.array([[[1.0, 0.0], [0.0, -1.0]]]), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="q has shape"):
        QuadraticSum(np.eye(2)[None], np.zeros((2, 2)))
    with pytest.raises(ValueError, match="q contains NaN"):
        QuadraticSum(np.eye(2)[None], np.array([[np.inf, 0.0]]))
    with pytest.raises(ValueError, match="lower must be <= upper"):
        QuadraticSum(np.eye(2)[None], np.zeros((1, 2)), lower=1.0, upper=0.0)
    with pytest.raises(ValueError, match="similarity must be <= 1"):
        QuadraticSum.random(3, 2, similarity=2.0)
    with pytest.raises(ValueError, match="rank must be <= d"):
        QuadraticSum.random(3, 2, rank=3)
    X, y = _logistic_data(10, 3)
    with pytest.raises(ValueError, match="labels -1 and \\+1"):
        GradientSum.logistic(X, np.arange(10.0))
    with pytest.raises(ValueError, match="loss must be one of"):
        GradientSum(X, y, loss="hinge")
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        GradientSum(X, y, alpha=-1.0)
    with pytest.raises(ValueError, match="y has length 9"):
        GradientSum(X, y[:9])
    Xn = X.copy()
    Xn[0, 0] = np.inf
    with pytest.raises(ValueError, match="X contains NaN or inf"):
        DROLogistic(Xn, y)
    with pytest.raises(ValueError, match="lam must be > 0"):
        DROLogistic(X, y, lam=0.0)
    with pytest.raises(ValueError, match="radius must be > 0"):
        DROLogistic(X, y, radius=-2.0)
    with pytest.raises(TypeError, match="random_state"):
        MatrixGame.random(2, 2, random_state="seed")


def test_bad_projection_arguments():
    with pytest.raises(ValueError, match="radius must be > 0"):
        project_simplex(np.ones(3), radius=-1.0)
    with pytest.raises(ValueError, match="radius must be >= 0"):
        project_ball(np.ones(3), -1.0)
    with pytest.raises(ValueError, match="v contains NaN"):
        project_simplex(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="1-dimensional or 2-dimensional"):
        project_simplex(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="lo must be <= hi"):
        project_box(np.ones(2), 1.0, 0.0)
    with pytest.raises(ValueError, match="does not broadcast"):
        project_box(np.ones(3), np.zeros(2), 1.0)
    with pytest.raises(ValueError, match="center has length 2"):
        project_ball(np.ones(3), 1.0, center=np.zeros(2))
    with pytest.raises(TypeError, match="real numbers"):
        project_simplex(np.array(["a", "b"]))


def test_data_is_not_modified():
    r = np.random.default_rng(0)
    A = r.standard_normal((4, 5))
    A_copy = A.copy()
    g = MatrixGame(A)
    g.full(g.x0), g.batch([0, 1], g.x0), g.project(r.standard_normal(9)), g.gap(g.x0)
    assert np.array_equal(A, A_copy)
    Q = r.standard_normal((3, 4, 4))
    Q = Q @ Q.transpose(0, 2, 1)
    Q[0, 0, 1] += 1e-14                        # symmetrized internally, not in place
    Qc = Q.copy()
    op = QuadraticSum(Q, np.zeros((3, 4)))
    op.lipschitz, op.cocoercivity
    assert np.array_equal(Q, Qc)
    X, y = _logistic_data(8, 3)
    Xc, yc = X.copy(), y.copy()
    d = DROLogistic(X, y)
    z = d.x0
    zc = z.copy()
    d.full(z), d.batch([1, 1], z), d.project(z), d.lipschitz
    assert np.array_equal(X, Xc) and np.array_equal(y, yc) and np.array_equal(z, zc)


def test_float32_data_stays_float32():
    A = np.random.default_rng(0).random((3, 4)).astype(np.float32)
    g = MatrixGame(A)
    assert g.dtype == np.float32 and g.x0.dtype == np.float32
    assert g.full(g.x0).dtype == np.float32 and g.batch([0, 2], g.x0).dtype == np.float32
    assert g.project(g.x0).dtype == np.float32


# ---------------------------------------------------------------------------------------------
# GPU (skipped without cupy and a device)
# ---------------------------------------------------------------------------------------------
@pytest.mark.gpu
@pytest.mark.parametrize("name", ALL)
def test_gpu_matches_cpu(name):
    import cupy as cp

    op = _make(name)
    gop = op.to("gpu")
    assert gop.backend.name == "gpu" and op.backend.name == "cpu"
    x = _point(op, np.random.default_rng(0))
    xg = cp.asarray(x)
    idx = np.array([0, 1, 1, op.n_components - 1])
    np.testing.assert_allclose(gop.full(xg).get(), op.full(x), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gop.batch(cp.asarray(idx), xg).get(), op.batch(idx, x),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gop.component(2, xg).get(), op.component(2, x), rtol=1e-10,
                               atol=1e-12)
    if op.project is not None:
        v = np.random.default_rng(1).standard_normal(op.dim) * 3
        np.testing.assert_allclose(gop.project(cp.asarray(v)).get(), op.project(v), atol=1e-12)
    assert residual(gop, xg) == pytest.approx(residual(op, x), rel=1e-9, abs=1e-12)
    assert gop.lipschitz == pytest.approx(op.lipschitz, rel=1e-5)
    assert isinstance(gop.x0, cp.ndarray)
    V = cp.asarray(np.random.default_rng(2).standard_normal((5, 7)))
    np.testing.assert_allclose(project_simplex(V).get(), project_simplex(V.get()), atol=1e-12)
