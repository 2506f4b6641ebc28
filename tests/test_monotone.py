"""Monotone-inclusion solvers (Halpern, VR-Halpern, extragradient, EAG, VR-EG): known
solutions, convergence rates, oracle counts, reproducibility and bad input.

The finite-sum operators are small classes defined here (the solvers see them only through
the duck-typed protocol of DESIGN section 3).
"""
import numpy as np
import pytest

import solvers
from solvers.core import fit_linear_rate, fit_sublinear_rate

ALL = [solvers.halpern, solvers.vr_halpern, solvers.extragradient, solvers.eag, solvers.vr_eg]
STOCHASTIC = [solvers.vr_halpern, solvers.vr_eg]


# --------------------------------------------------------------------------------------
# operators
# --------------------------------------------------------------------------------------
class LinearOp:
    """F_i(x) = M_i x + q_i. ``lipschitz`` = sqrt(mean ||M_i||^2) bounds the mean-square
    Lipschitz constant; with symmetric PSD M_i, ||M_i d||^2 <= ||M_i|| d^T M_i d gives the
    mean-square cocoercivity constant max ||M_i||."""

    def __init__(self, M, q, *, cocoercive=False, project=None, xp=np):
        self.xp = xp
        self.M, self.q = xp.asarray(M), xp.asarray(q)
        self.n_components, self.dim = M.shape[0], M.shape[1]
        self.Mbar, self.qbar = self.M.mean(0), self.q.mean(0)
        norms = np.linalg.norm(np.asarray(M), 2, axis=(1, 2))
        self.lipschitz = float(np.sqrt(np.mean(norms ** 2)))
        self.cocoercivity = float(norms.max()) if cocoercive else None
        self.project = project

    def full(self, x):
        return self.Mbar @ x + self.qbar

    def component(self, i, x):
        return self.M[i] @ x + self.q[i]

    def batch(self, idx, x):
        return self.xp.einsum("kij,j->i", self.M[idx], x) / len(idx) + self.q[idx].mean(0)


class LeastSquaresOp:
    """F_i(x) = a_i (a_i^T x - b_i), the gradients of a least-squares finite sum: cocoercive
    on average with L_c = max ||a_i||^2."""

    def __init__(self, A, b):
        self.A, self.b = A, b
        self.n_components, self.dim = A.shape
        self.cocoercivity = float(np.max(np.sum(A ** 2, axis=1)))
        self.lipschitz = self.cocoercivity
        self.x0 = np.zeros(self.dim)

    def full(self, x):
        return self.A.T @ (self.A @ x - self.b) / self.n_components

    def component(self, i, x):
        return self.A[i] * (self.A[i] @ x - self.b[i])

    def batch(self, idx, x):
        Ai = self.A[idx]
        return Ai.T @ (Ai @ x - self.b[idx]) / len(idx)


def project_simplex(v):
    """Euclidean projection onto the probability simplex (sorting algorithm of Held, Wolfe
    and Crowder / Duchi et al.)."""
    u = np.sort(v)[::-1]
    css = np.cumsum(u) - 1.0
    k = np.arange(1, v.size + 1)
    rho = np.nonzero(u - css / k > 0)[0][-1]
    return np.maximum(v - css[rho] / (rho + 1), 0.0)


class MatrixGameOp:
    """min_{x in simplex} max_{y in simplex} x^T A y, F(x, y) = (A y, -A^T x), written as the
    mean of m components F_i(x, y) = m (A[:, i] y_i, -A[i, :] x_i) (A square)."""

    def __init__(self, A):
        self.A = A
        self.m = A.shape[0]
        self.n_components, self.dim = self.m, 2 * self.m
        col = np.sum(A ** 2, axis=0)
        row = np.sum(A ** 2, axis=1)
        # (1/m) sum_i ||F_i z - F_i z'||^2 = m sum_i (col_i dy_i^2 + row_i dx_i^2)
        self.lipschitz = float(np.sqrt(self.m * max(col.max(), row.max())))
        self.cocoercivity = None
        self.x0 = np.concatenate([np.eye(self.m)[0], np.eye(self.m)[-1]])

    def full(self, z):
        x, y = z[: self.m], z[self.m:]
        return np.concatenate([self.A @ y, -self.A.T @ x])

    def batch(self, idx, z):
        x, y = z[: self.m], z[self.m:]
        idx = np.asarray(idx)
        gx = self.A[:, idx] @ y[idx]
        gy = -self.A[idx, :].T @ x[idx]
        return self.m * np.concatenate([gx, gy]) / len(idx)

    def project(self, z):
        return np.concatenate([project_simplex(z[: self.m]), project_simplex(z[self.m:])])


class CountingOp:
    """Wraps an operator and counts component evaluations (full = n, batch = len(idx))."""

    def __init__(self, op):
        self._op = op
        self.count = 0
        for name in ("n_components", "dim", "lipschitz", "cocoercivity", "project"):
            setattr(self, name, getattr(op, name, None))
        if hasattr(op, "x0"):
            self.x0 = op.x0

    def full(self, x):
        self.count += self.n_components
        return self._op.full(x)

    def batch(self, idx, x):
        self.count += len(idx)
        return self._op.batch(idx, x)

    def component(self, i, x):
        self.count += 1
        return self._op.component(i, x)


def saddle(n=8, m=3, mu=0.5, seed=0, xp=np):
    """min_x max_y (1/n) sum_i [mu/2 |x|^2 + x^T A_i y - mu/2 |y|^2 + c_i^T x - e_i^T y]:
    F_i = [[mu I, A_i], [-A_i^T, mu I]] z + q_i, mu-strongly monotone (merely monotone for
    mu = 0); the solution solves the mean linear system."""
    r = np.random.default_rng(seed)
    d = 2 * m
    M = np.zeros((n, d, d))
    for i in range(n):
        A = r.standard_normal((m, m))
        M[i, :m, :m] = M[i, m:, m:] = mu * np.eye(m)
        M[i, :m, m:], M[i, m:, :m] = A, -A.T
    q = r.standard_normal((n, d))
    xstar = np.linalg.solve(M.mean(0), -q.mean(0))
    return LinearOp(M, q, xp=xp), xstar


def least_squares(n=50, d=4, seed=0, spread=0.3):
    """A least-squares finite sum with rows of similar norm; solution from lstsq."""
    r = np.random.default_rng(seed)
    A = r.standard_normal((n, d))
    A /= np.linalg.norm(A, axis=1, keepdims=True)
    A *= 1.0 + spread * r.random((n, 1))
    b = A @ r.standard_normal(d) + 0.1 * r.standard_normal(n)
    return LeastSquaresOp(A, b), np.linalg.lstsq(A, b, rcond=None)[0]


def rock_paper_scissors():
    A = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])
    return MatrixGameOp(A), np.full(6, 1.0 / 3.0)


def r0(op, x0=None):
    x0 = np.zeros(op.dim) if x0 is None else x0
    F = op.full(x0)
    proj = getattr(op, "project", None)
    return float(np.linalg.norm(F if proj is None else x0 - proj(x0 - F)))


# --------------------------------------------------------------------------------------
# known solutions
# --------------------------------------------------------------------------------------
KW = {"vr_halpern": dict(random_state=0), "vr_eg": dict(random_state=0)}


@pytest.mark.parametrize("solver", ALL, ids=lambda f: f.__name__)
def test_strongly_monotone_saddle_reaches_closed_form(solver):
    op, xstar = saddle(mu=0.5)
    mu = 0.5
    kw = dict(KW.get(solver.__name__, {}))
    if solver in (solvers.halpern, solvers.vr_halpern):
        kw["restart"] = "adaptive"
    tol = 1e-8 * r0(op) if solver is not solvers.eag else 1e-3 * r0(op)
    res = solver(op, tol=tol, max_iter=200_000, **kw)
    assert res.success and res.status == 0, res.message
    assert res.measure <= tol and res.history.measure[-1] == res.measure
    # mu-strong monotonicity: ||F(x)|| >= mu ||x - x*||
    assert np.linalg.norm(res.x - xstar) <= res.measure / mu * (1 + 1e-9)
    assert np.linalg.norm(op.full(res.x)) == pytest.approx(res.measure, rel=1e-12)


@pytest.mark.parametrize("solver", ALL, ids=lambda f: f.__name__)
def test_least_squares_agrees_with_lstsq(solver):
    op, xstar = least_squares(n=60)
    lam_min = np.linalg.eigvalsh(op.A.T @ op.A / op.n_components)[0]
    tol = 1e-3 * r0(op)
    res = solver(op, tol=tol, max_iter=200_000, **KW.get(solver.__name__, {}))
    assert res.success, res.message
    # ||F(x)|| = ||H (x - x*)|| >= lam_min ||x - x*||
    assert np.linalg.norm(res.x - xstar) <= res.measure / lam_min * (1 + 1e-9)
    assert res.variant == "cocoercive" if solver in (solvers.halpern, solvers.vr_halpern) else True


@pytest.mark.parametrize("solver", ALL, ids=lambda f: f.__name__)
def test_rock_paper_scissors_equilibrium(solver):
    op, zstar = rock_paper_scissors()
    kw = dict(KW.get(solver.__name__, {}))
    if solver in (solvers.halpern, solvers.vr_halpern):
        kw["restart"] = "adaptive"
    tol = 1e-6
    if solver is solvers.eag:  # O(1/k) with the small EAG-C step: a looser target
        tol, kw["step"] = 1e-3, 0.5 / op.lipschitz
    res = solver(op, tol=tol, max_iter=200_000, **kw)
    assert res.success, res.message
    z = res.x
    assert np.allclose([z[:3].sum(), z[3:].sum()], 1.0) and z.min() >= 0
    assert np.abs(z - zstar).max() <= 50 * tol
    # the value of the game is 0; best responses against the found strategies are near it
    x, y = z[:3], z[3:]
    assert (op.A.T @ x).min() >= -50 * tol and (op.A @ y).max() <= 50 * tol


def test_vr_halpern_lipschitz_variant_on_merely_monotone_bilinear():
    op, xstar = saddle(n=40, m=3, mu=0.0, seed=3)
    tol = 1e-6 * r0(op)
    res = solvers.vr_halpern(op, variant="lipschitz", restart="adaptive", tol=tol,
                             random_state=1)
    assert res.success and res.variant == "lipschitz", res.message
    assert np.linalg.norm(res.x - xstar) <= 1e-4 * np.linalg.norm(xstar)
    # L / ||mean A_i|| is large here: per epoch, VR-Halpern beats deterministic extragradient
    plain = solvers.vr_halpern(op, tol=0.0, max_epochs=60, random_state=1)
    assert plain.variant == "lipschitz" and not plain.success and "max_epochs" in plain.message
    eg = solvers.extragradient(op, tol=0.0, max_iter=30)
    assert eg.epochs == 60 and plain.measure < 0.85 * eg.measure


# --------------------------------------------------------------------------------------
# convergence rates
# --------------------------------------------------------------------------------------
def rotation(n=4, m=3, seed=0):
    """Bilinear (skew) finite sum whose mean coupling is an orthogonal matrix Q: F is a
    monotone, non-cocoercive rotation field; the components add zero-mean noise to Q."""
    r = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(r.standard_normal((m, m)))
    noise = 0.3 * r.standard_normal((n, m, m))
    noise -= noise.mean(0)
    M = np.zeros((n, 2 * m, 2 * m))
    for i in range(n):
        M[i, :m, m:], M[i, m:, :m] = Q + noise[i], -(Q + noise[i]).T
    q = r.standard_normal((n, 2 * m))
    return LinearOp(M, q), np.linalg.solve(M.mean(0), -q.mean(0))


def test_halpern_residual_is_order_one_over_k_on_rotation():
    op, xstar = rotation()
    res = solvers.halpern(op, tol=0.0, max_iter=1500)
    assert res.variant == "lipschitz" and res.nit == 1500 and not res.success
    fit = fit_sublinear_rate(res.history.measure, start=30)
    assert -1.1 <= fit.rate <= -0.9 and fit.r2 > 0.99, fit
    assert np.linalg.norm(res.x - xstar) < 0.05 * np.linalg.norm(xstar)


def test_halpern_cocoercive_obeys_lieder_bound():
    op, xstar = least_squares(n=30, d=4, seed=2)
    res = solvers.halpern(op, tol=0.0, max_iter=400)
    k = np.arange(len(res.history))
    eta = 1.0 / op.cocoercivity
    # ||x_k - T x_k|| = eta ||F(x_k)|| <= 2 ||x_0 - x*|| / (k + 1)  (Lieder 2021)
    bound = 2 * np.linalg.norm(xstar) / (eta * (k + 1))
    assert np.all(res.history.measure <= bound * (1 + 1e-9))
    assert res.history.measure[-1] < 1e-2 * res.history.measure[0]


def test_restarted_halpern_is_linear_where_plain_is_one_over_k():
    op, _ = saddle(mu=0.3, seed=1)
    plain = solvers.halpern(op, tol=0.0, max_iter=1500)
    fit = fit_sublinear_rate(plain.history.measure, start=30)
    assert -1.1 <= fit.rate <= -0.9, fit
    tol = 1e-11 * r0(op)
    rest = solvers.halpern(op, restart="adaptive", tol=tol, max_iter=5000)
    assert rest.success and rest.restarts >= 5 and rest.history.restart.sum() == rest.restarts
    lin = fit_linear_rate(rest.history.measure)
    assert lin.rate < 0.99 and lin.r2 > 0.9, lin
    assert rest.nit < plain.nit
    assert plain.history.measure[rest.nit] > 1e4 * rest.measure


def test_vr_halpern_needs_fewer_component_calls_than_halpern():
    op, _ = least_squares(n=2000, d=5, seed=4, spread=0.1)
    tol = 2e-3 * r0(op)
    det = solvers.halpern(op, tol=tol, max_iter=100_000)
    vr = solvers.vr_halpern(op, tol=tol, random_state=0)
    assert det.success and vr.success, (det.message, vr.message)
    assert vr.nfev < det.nfev / 4, (vr.epochs, det.epochs)  # measured 0.13


def test_vr_halpern_alg1_with_snapshot_prob_one_is_the_deterministic_anchored_step():
    op, _ = least_squares(n=30, d=4, seed=2)
    eta = 1.0 / op.cocoercivity
    res = solvers.vr_halpern(op, variant="cocoercive", snapshot_prob=1.0, tol=0.0,
                             max_iter=40, random_state=0)
    x = x0 = np.zeros(op.dim)
    for k in range(40):  # x_{k+1} = lam_k x0 + (1 - lam_k) x_k - eta F(x_k), lam_k = 2/(k+4)
        lam = 2.0 / (k + 4)
        x = lam * x0 + (1.0 - lam) * x - eta * op.full(x)
    assert np.allclose(res.x, x, rtol=1e-12, atol=1e-14)
    assert res.nfev == 40 * op.n_components


def test_vr_halpern_alg1_default_floor_is_page_probability():
    # p_k = 1 for k <= 1, then max(4/(k+4), b/(n+b)); expected cost of iteration k:
    # p_k n + 2 (1 - p_k) b
    base, _ = least_squares(n=400, d=3, seed=1)
    op = CountingOp(base)
    n, b = 400, 20
    iters = 20_000
    res = solvers.vr_halpern(op, variant="cocoercive", tol=0.0, max_iter=iters,
                             check_every=1e9, random_state=0)
    p = b / (n + b)
    assert res.batch_size == b
    early = sum(1.0 if k <= 1 else max(4.0 / (k + 4), p) for k in range(iters))
    expected = early * n + (iters - early) * 2 * b
    assert res.nfev == pytest.approx(expected, rel=0.03)


# --------------------------------------------------------------------------------------
# oracle counts, history, reproducibility
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("solver,per_iter", [
    (solvers.extragradient, 2), (solvers.eag, 2),
    (lambda op, **kw: solvers.halpern(op, variant="cocoercive", **kw), 1),
    (lambda op, **kw: solvers.halpern(op, variant="lipschitz", inner_iter=3, **kw), 3),
])
def test_deterministic_oracle_counts_are_exact(solver, per_iter):
    base, _ = least_squares(n=7, d=3)
    op = CountingOp(base)
    res = solver(op, tol=0.0, max_iter=25)
    n = op.n_components
    assert res.nit == 25 and res.nfev == per_iter * 25 * n
    assert res.n_measure_evals == n  # only the returned iterate's F is measure-only
    assert op.count == res.nfev + res.n_measure_evals
    assert np.array_equal(res.history.nfev, per_iter * n * np.arange(26))
    assert np.allclose(res.history.epochs, res.history.nfev / n)
    assert {"measure", "nfev", "epochs", "time"} <= set(res.history.columns)


def test_halpern_default_inner_schedule_count():
    base, _ = saddle(mu=0.0)
    op = CountingOp(base)
    res = solvers.halpern(op, tol=0.0, max_iter=10)
    # eta L = 1/2: M_k = ceil(2 log(k+2) / log 2)
    m = [max(1, int(np.ceil(2 * np.log(k + 2) / np.log(2.0) - 1e-12))) for k in range(10)]
    assert res.nfev == sum(m) * op.n_components
    assert op.count == res.nfev + res.n_measure_evals


@pytest.mark.parametrize("solver,kw", [
    (solvers.vr_halpern, dict(variant="cocoercive")),
    (solvers.vr_halpern, dict(variant="lipschitz")),
    (solvers.vr_eg, dict(batch_size=3)),
])
def test_stochastic_oracle_counts_and_epoch_checks(solver, kw):
    base, _ = least_squares(n=100, d=4, seed=5)
    op = CountingOp(base)
    res = solver(op, tol=0.0, max_epochs=12, random_state=3, **kw)
    n = op.n_components
    assert op.count == res.nfev + res.n_measure_evals
    assert res.epochs == pytest.approx(res.nfev / n) and res.epochs >= 12
    assert "max_epochs" in res.message and not res.success
    h = res.history
    # the measure is evaluated about once per epoch, not every iteration
    assert np.all(np.diff(h.nfev)[:-1] >= n) and 8 <= len(h) <= 15
    assert res.n_measure_evals <= len(h) * n
    assert h.nit[-1] == res.nit and np.all(np.diff(h.nit) > 0)


def test_check_every_controls_measure_frequency():
    op, _ = least_squares(n=100, d=4, seed=5)
    a = solvers.vr_eg(op, tol=0.0, max_epochs=10, random_state=0)
    b = solvers.vr_eg(op, tol=0.0, max_epochs=10, random_state=0, check_every=0.25)
    assert np.array_equal(a.x, b.x)  # measuring does not change the run
    assert len(b.history) > 1.8 * len(a.history)
    assert np.all(np.diff(b.history.nfev)[:-1] >= 25)
    for solver in STOCHASTIC:
        with pytest.raises(ValueError, match="check_every"):
            solver(op, check_every=0)


@pytest.mark.parametrize("solver,kw", [
    (solvers.vr_halpern, dict(variant="cocoercive")),
    (solvers.vr_halpern, dict(variant="lipschitz")),
    (solvers.vr_eg, {}),
])
def test_reproducible_for_a_random_state(solver, kw):
    op, _ = least_squares(n=80, d=4, seed=6)
    a = solver(op, tol=0.0, max_epochs=8, random_state=11, **kw)
    b = solver(op, tol=0.0, max_epochs=8, random_state=np.random.default_rng(11), **kw)
    c = solver(op, tol=0.0, max_epochs=8, random_state=12, **kw)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.history.measure, b.history.measure)
    assert a.nfev == b.nfev and not np.array_equal(a.x, c.x)


def test_x0_is_not_modified_and_op_x0_is_the_default():
    op, _ = rock_paper_scissors()
    x0 = np.full(6, 1.0 / 6)
    x0_copy = x0.copy()
    for solver in ALL:
        res = solver(op, x0, tol=1e-3, max_iter=50, **KW.get(solver.__name__, {}))
        assert np.array_equal(x0, x0_copy)
        assert np.allclose(res.history.measure[0], r0(op, x0))
        res = solver(op, tol=1e-3, max_iter=5, **KW.get(solver.__name__, {}))
        assert np.allclose(res.history.measure[0], r0(op, op.x0))
        assert np.isnan(res.fun) and res.njev == 0


def test_callback_can_stop_the_run():
    op, _ = saddle()
    seen = []

    def cb(info):
        seen.append(info.measure)
        if len(seen) == 3:
            raise StopIteration

    res = solvers.halpern(op, tol=0.0, max_iter=100, callback=cb)
    assert res.status == 99 and res.nit == 3 and not res.success


# --------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ALL, ids=lambda f: f.__name__)
def test_bad_steps_and_starting_points(solver):
    op, _ = saddle()
    kw = KW.get(solver.__name__, {})
    for step in (0.0, -1.0):
        with pytest.raises(ValueError, match="step"):
            solver(op, step=step, **kw)
    with pytest.raises(ValueError, match="x0 has shape"):
        solver(op, np.zeros(op.dim + 1), **kw)
    bad = np.zeros(op.dim)
    bad[1] = np.nan
    with pytest.raises(ValueError, match="x0 contains NaN"):
        solver(op, bad, **kw)
    with pytest.raises(ValueError, match="tol"):
        solver(op, tol=-1.0, **kw)


@pytest.mark.parametrize("solver", ALL, ids=lambda f: f.__name__)
def test_missing_protocol_members_raise_type_error(solver):
    op, _ = saddle()

    class NoFull:
        n_components, dim, lipschitz, cocoercivity = op.n_components, op.dim, 1.0, None
        batch = op.batch

    with pytest.raises(TypeError, match="`full`"):
        solver(NoFull(), **KW.get(solver.__name__, {}))

    class NoLipschitz:
        n_components, dim = op.n_components, op.dim
        full, batch = op.full, op.batch

    with pytest.raises(TypeError, match="`lipschitz`"):
        solver(NoLipschitz(), **KW.get(solver.__name__, {}))


@pytest.mark.parametrize("solver", STOCHASTIC, ids=lambda f: f.__name__)
def test_stochastic_solvers_check_batch_and_seed(solver):
    op, _ = least_squares(n=20)
    for b in (0, 21):
        with pytest.raises(ValueError, match="batch_size"):
            solver(op, batch_size=b)

    class NoBatch:
        n_components, dim, lipschitz, cocoercivity = 20, 4, 1.0, 1.0
        full = op.full

    with pytest.raises(TypeError, match="`batch`"):
        solver(NoBatch())
    with pytest.raises(TypeError, match="random_state"):
        solver(op, random_state="seed")
    with pytest.raises(ValueError, match="max_epochs"):
        solver(op, max_epochs=0)


def test_variant_and_restart_options_are_checked():
    op, _ = saddle()  # monotone only: cocoercivity is None
    for solver in (solvers.halpern, solvers.vr_halpern):
        with pytest.raises(ValueError, match="cocoercivity"):
            solver(op, variant="cocoercive")
        with pytest.raises(ValueError, match="variant"):
            solver(op, variant="strong")
        with pytest.raises(ValueError, match="restart"):
            solver(op, restart="always")
        with pytest.raises(ValueError, match="restart_factor"):
            solver(op, restart="adaptive", restart_factor=1.5)
    with pytest.raises(ValueError, match="step must be < 1 / op.lipschitz"):
        solvers.halpern(op, step=1.0 / op.lipschitz)
    with pytest.raises(ValueError, match="inner_iter"):
        solvers.halpern(op, inner_iter=0)
    ls, _ = least_squares()
    with pytest.raises(ValueError, match="step must be <= 2 / op.cocoercivity"):
        solvers.halpern(ls, step=3.0 / ls.cocoercivity)
    with pytest.raises(ValueError, match="inner_step"):
        solvers.vr_halpern(ls, variant="cocoercive", inner_step=0.5)
    with pytest.raises(ValueError, match="snapshot_prob"):
        solvers.vr_halpern(ls, variant="cocoercive", snapshot_prob=0.0)
    with pytest.raises(ValueError, match="snapshot_prob"):
        solvers.vr_halpern(op, variant="lipschitz", snapshot_prob=1.5)


def test_divergence_is_reported_not_hidden():
    op, _ = saddle(mu=0.0)
    res = solvers.extragradient(op, step=50.0 / op.lipschitz, tol=1e-8, max_iter=2000)
    assert not res.success and res.status == 2 and "non-finite" in res.message


# --------------------------------------------------------------------------------------
# GPU (skipped without cupy and a CUDA device)
# --------------------------------------------------------------------------------------
@pytest.mark.gpu
@pytest.mark.parametrize("solver,kw", [
    (solvers.halpern, dict(max_iter=200)),
    (solvers.extragradient, dict(max_iter=200)),
    (solvers.eag, dict(max_iter=200)),
    (solvers.vr_halpern, dict(max_epochs=20, random_state=0)),
    (solvers.vr_eg, dict(max_epochs=20, random_state=0)),
])
def test_gpu_matches_cpu(solver, kw):
    cp = pytest.importorskip("cupy")
    op_cpu, _ = saddle(mu=0.3)
    op_gpu, _ = saddle(mu=0.3, xp=cp)
    a = solver(op_cpu, tol=0.0, **kw)
    b = solver(op_gpu, cp.zeros(op_gpu.dim), tol=0.0, **kw)
    assert isinstance(b.x, cp.ndarray)
    assert a.nfev == b.nfev
    np.testing.assert_allclose(cp.asnumpy(b.x), a.x, rtol=1e-8, atol=1e-10)
