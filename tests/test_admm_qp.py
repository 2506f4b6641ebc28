"""admm_qp: OSQP-form QPs (agreement with OSQP, certificates, scaling, polishing, warm start,
bad input) and its sparse LDL^T / AMD linear algebra."""
import numpy as np
import pytest
import scipy.sparse as sp

from solvers.admm import admm_qp
from solvers.admm.qp_linsys import LDLFactor, amd_order
from solvers.core.result import (
    CALLBACK_STOP, CONVERGED, DUAL_INFEASIBLE, MAX_ITER, PRIMAL_INFEASIBLE, STATUS_NAMES,
)


def feasible_qp(n, m, seed=0, density=0.3, dense=False, eq_frac=0.2, inf_frac=0.15):
    """A random feasible QP with equality rows, one-sided rows and free rows."""
    rng = np.random.default_rng(seed)
    M = sp.random(n, n, density=density, random_state=rng, data_rvs=rng.standard_normal)
    P = (M @ M.T + 1e-2 * sp.eye(n)).tocsc()
    q = rng.standard_normal(n)
    A = sp.random(m, n, density=density, random_state=rng, data_rvs=rng.standard_normal).tocsc()
    x_feas = rng.standard_normal(n)
    Ax = A @ x_feas
    l = Ax - rng.random(m)
    u = Ax + rng.random(m)
    kind = rng.random(m)
    eq = kind < eq_frac
    l[eq] = u[eq] = Ax[eq]
    up = (kind >= eq_frac) & (kind < eq_frac + inf_frac)
    u[up] = np.inf
    lo = (kind >= eq_frac + inf_frac) & (kind < eq_frac + 2 * inf_frac)
    l[lo] = -np.inf
    free = (kind >= eq_frac + 2 * inf_frac) & (kind < eq_frac + 2 * inf_frac + 0.05)
    l[free], u[free] = -np.inf, np.inf
    if dense:
        return P.toarray(), q, A.toarray(), l, u
    return P, q, A, l, u


def osqp_reference(P, q, A, l, u):
    osqp = pytest.importorskip("osqp")
    prob = osqp.OSQP()
    prob.setup(sp.triu(sp.csc_matrix(P), format="csc"), q, sp.csc_matrix(A), l, u,
               eps_abs=1e-9, eps_rel=1e-9, polishing=True, max_iter=200000, verbose=False)
    res = prob.solve(raise_error=False)
    assert res.info.status == "solved"
    return res


def objective(P, q, x):
    P = sp.csc_matrix(P)
    return 0.5 * x @ (P @ x) + q @ x


def kkt_residuals(P, q, A, l, u, x, y):
    P, A = sp.csc_matrix(P), sp.csc_matrix(A)
    Ax = A @ x
    r_prim = np.max(np.maximum(l - Ax, 0) + np.maximum(Ax - u, 0))
    r_dual = np.abs(P @ x + q + A.T @ y).max()
    return r_prim, r_dual


# ------------------------------------------------------------------------------------------
# agreement with OSQP
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dense", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_matches_osqp(dense, seed):
    P, q, A, l, u = feasible_qp(30, 45, seed=seed, dense=dense)
    ref = osqp_reference(P, q, A, l, u)
    res = admm_qp(P, q, A, l, u, eps_abs=1e-9, eps_rel=1e-9, max_iter=50000)
    assert res.success and res.status == CONVERGED
    assert res.measure <= 1.0
    np.testing.assert_allclose(res.x, ref.x, atol=1e-6)
    assert abs(res.fun - ref.info.obj_val) <= 1e-6 * max(1.0, abs(ref.info.obj_val))
    np.testing.assert_allclose(res.y, ref.y, atol=1e-5)
    np.testing.assert_allclose(res.z, sp.csc_matrix(A) @ res.x, atol=1e-6)
    r_prim, r_dual = kkt_residuals(P, q, A, l, u, res.x, res.y)
    assert r_prim <= 1e-7 and r_dual <= 1e-7


def test_matches_osqp_larger_sparse_with_dense_block():
    # n + m = 450 with AMD ending in a dense root block: exercises the dense Schur block
    P, q, A, l, u = feasible_qp(150, 300, seed=3, density=0.05)
    ref = osqp_reference(P, q, A, l, u)
    res = admm_qp(P, q, A, l, u, eps_abs=1e-9, eps_rel=1e-9, max_iter=50000)
    assert res.success
    np.testing.assert_allclose(res.x, ref.x, atol=1e-6)
    assert abs(res.fun - ref.info.obj_val) <= 1e-6 * max(1.0, abs(ref.info.obj_val))


def test_matches_osqp_with_amd_ordering(monkeypatch):
    # few long columns, many short rows: the KKT ordering comes from approximate minimum
    # degree; forcing it on a problem that would take the rows-first ordering changes nothing
    import importlib

    qp_mod = importlib.import_module("solvers.admm.qp")
    P, q, A, l, u = feasible_qp(120, 60, seed=4, density=0.03)
    ref = osqp_reference(P, q, A, l, u)
    res = admm_qp(P, q, A, l, u, eps_abs=1e-9, eps_rel=1e-9, max_iter=50000)
    assert res.success
    np.testing.assert_allclose(res.x, ref.x, atol=1e-6)
    P, q, A, l, u = feasible_qp(30, 45, seed=0)
    default = admm_qp(P, q, A, l, u, tol=1e-8)
    monkeypatch.setattr(qp_mod, "_kkt_ordering", lambda *args: None)
    forced = admm_qp(P, q, A, l, u, tol=1e-8)
    assert default.nit == forced.nit
    np.testing.assert_allclose(default.x, forced.x, atol=1e-9)


def test_same_iterates_as_osqp_at_default_settings():
    # same algorithm, same scaling and rho rule: OSQP and admm_qp stop at the same check
    osqp = pytest.importorskip("osqp")
    P, q, A, l, u = feasible_qp(40, 60, seed=5, inf_frac=0.0, eq_frac=0.1)
    prob = osqp.OSQP()
    prob.setup(sp.triu(P, format="csc"), q, A, l, u, eps_abs=1e-5, eps_rel=1e-5,
               polishing=False, verbose=False, check_dualgap=False, adaptive_rho_interval=25)
    ref = prob.solve(raise_error=False)
    res = admm_qp(P, q, A, l, u, eps_abs=1e-5, eps_rel=1e-5, polish=False)
    assert res.success and not res.polished
    assert abs(res.nit - ref.info.iter) <= 25
    np.testing.assert_allclose(res.x, ref.x, atol=1e-4)


def test_full_symmetric_and_upper_triangular_P_agree():
    P, q, A, l, u = feasible_qp(20, 30, seed=2)
    r_full = admm_qp(P, q, A, l, u, tol=1e-8)
    r_triu = admm_qp(sp.triu(P, format="csr"), q, A, l, u, tol=1e-8)
    np.testing.assert_allclose(r_full.x, r_triu.x, atol=1e-10)


def test_osqp_infinity_convention_and_free_rows():
    P, q, A, l, u = feasible_qp(20, 30, seed=4)
    l2 = np.where(np.isinf(l), -1e30, l)
    u2 = np.where(np.isinf(u), 1e30, u)
    r1 = admm_qp(P, q, A, l, u, tol=1e-8)
    r2 = admm_qp(P, q, A, l2, u2, tol=1e-8)
    assert r1.success and r2.success
    np.testing.assert_allclose(r1.x, r2.x, atol=1e-10)


def test_unconstrained_qp():
    rng = np.random.default_rng(0)
    M = rng.standard_normal((8, 8))
    P = M @ M.T + np.eye(8)
    q = rng.standard_normal(8)
    res = admm_qp(P, q, tol=1e-9)
    assert res.success
    np.testing.assert_allclose(res.x, np.linalg.solve(P, -q), atol=1e-7)


def test_small_known_solution():
    P = sp.csc_matrix([[4.0, 1.0], [1.0, 2.0]])
    A = sp.csc_matrix([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    res = admm_qp(P, np.array([1.0, 1.0]), A, np.array([1.0, 0.0, 0.0]),
                  np.array([1.0, 0.7, 0.7]), tol=1e-8)
    assert res.success
    np.testing.assert_allclose(res.x, [0.3, 0.7], atol=1e-8)
    assert res.fun == pytest.approx(1.88, abs=1e-8)


# ------------------------------------------------------------------------------------------
# infeasibility certificates
# ------------------------------------------------------------------------------------------
def _support(l, u, dy):
    """u^T max(dy, 0) + l^T min(dy, 0), +inf when dy points at an infinite bound."""
    pos, neg = dy > 0, dy < 0
    if np.any(np.isinf(u[pos])) or np.any(np.isinf(l[neg])):
        return np.inf
    return float(u[pos] @ dy[pos] + l[neg] @ dy[neg])


@pytest.mark.parametrize("linsys", ["direct", "indirect"])
@pytest.mark.parametrize("seed", [0, 1])
def test_primal_infeasible_certificate(seed, linsys):
    rng = np.random.default_rng(seed)
    n, m = 15, 20
    P, q, A, l, u = feasible_qp(n, m, seed=seed, inf_frac=0.0, eq_frac=0.0)
    A = A.tolil()
    a = rng.standard_normal(n)
    A[m - 2, :] = a  # a^T x >= 1 and a^T x <= -1: infeasible
    A[m - 1, :] = a
    A = A.tocsc()
    l[m - 2], u[m - 2] = 1.0, np.inf
    l[m - 1], u[m - 1] = -np.inf, -1.0
    res = admm_qp(P, q, A, l, u, tol=1e-6, linsys=linsys)
    assert res.status == PRIMAL_INFEASIBLE and not res.success
    assert "infeasible" in res.message
    assert res.fun == np.inf
    dy = res.prim_inf_cert
    assert dy is not None and res.dual_inf_cert is None
    assert np.abs(dy).max() == pytest.approx(1.0)
    assert np.abs(A.T @ dy).max() <= 1e-3
    assert _support(l, u, dy) < -1e-3


@pytest.mark.parametrize("linsys", ["direct", "indirect"])
def test_dual_infeasible_certificate(linsys):
    # min -x0 - x1 s.t. x0 >= 0, x1 >= 0, x0 - x1 in [-1, 1], no quadratic term: unbounded
    q = np.array([-1.0, -1.0, 0.0])
    A = sp.csc_matrix([[1.0, 0, 0], [0, 1.0, 0], [1.0, -1.0, 0], [0, 0, 1.0]])
    l = np.array([0.0, 0.0, -1.0, -1.0])
    u = np.array([np.inf, np.inf, 1.0, 1.0])
    P = sp.csc_matrix(np.diag([0.0, 0.0, 1.0]))
    res = admm_qp(P, q, A, l, u, tol=1e-6, linsys=linsys)
    assert res.status == DUAL_INFEASIBLE and not res.success
    assert res.fun == -np.inf
    dx = res.dual_inf_cert
    assert dx is not None and res.prim_inf_cert is None
    eps = 1e-3
    assert np.abs(P @ dx).max() <= eps
    assert q @ dx < -eps
    Adx = A @ dx
    assert np.all(Adx[np.isfinite(u)] <= eps)
    assert np.all(Adx[np.isfinite(l)] >= -eps)


def test_status_names_for_new_codes():
    assert PRIMAL_INFEASIBLE not in (CONVERGED, MAX_ITER, CALLBACK_STOP)
    assert DUAL_INFEASIBLE != PRIMAL_INFEASIBLE
    assert "infeasible" in STATUS_NAMES[PRIMAL_INFEASIBLE]
    assert "unbounded" in STATUS_NAMES[DUAL_INFEASIBLE]


# ------------------------------------------------------------------------------------------
# scaling, polishing, warm start, adaptive rho, history
# ------------------------------------------------------------------------------------------
def test_scaling_does_not_change_solution():
    P, q, A, l, u = feasible_qp(25, 35, seed=6)
    D = np.geomspace(1e-2, 1e2, 25)  # a badly scaled version of the same problem
    Ps, qs, As = sp.diags(D) @ P @ sp.diags(D), D * q, A @ sp.diags(D)
    r0 = admm_qp(Ps, qs, As, l, u, tol=1e-9, scaling=0, max_iter=100000)
    r10 = admm_qp(Ps, qs, As, l, u, tol=1e-9, scaling=10, max_iter=100000)
    assert r0.success and r10.success
    np.testing.assert_allclose(r0.x, r10.x, atol=1e-6)
    assert r10.fun == pytest.approx(r0.fun, abs=1e-6)


def test_polishing_improves_accuracy():
    P, q, A, l, u = feasible_qp(30, 45, seed=7)
    ref = admm_qp(P, q, A, l, u, tol=1e-10, max_iter=100000)
    rough = admm_qp(P, q, A, l, u, tol=1e-3, polish=False)
    pol = admm_qp(P, q, A, l, u, tol=1e-3, polish=True)
    assert rough.success and pol.success and pol.polished and not rough.polished
    err_rough = np.abs(rough.x - ref.x).max()
    err_pol = np.abs(pol.x - ref.x).max()
    assert err_pol < 1e-3 * err_rough
    assert err_pol < 1e-7
    assert pol.r_prim <= rough.r_prim and pol.r_dual <= rough.r_dual


def test_warm_start_from_solution():
    P, q, A, l, u = feasible_qp(30, 45, seed=8)
    cold = admm_qp(P, q, A, l, u, tol=1e-7, polish=False)
    assert cold.success and cold.nit >= 50
    x0, y0 = cold.x.copy(), cold.y.copy()
    warm = admm_qp(P, q, A, l, u, tol=1e-7, x0=x0, y0=y0, polish=False)
    assert warm.success
    assert warm.nit <= 25
    np.testing.assert_allclose(warm.x, cold.x, atol=1e-5)


def test_adaptive_rho_and_history():
    P, q, A, l, u = feasible_qp(30, 45, seed=9)
    res = admm_qp(P, q, A, l, u, rho=1e-4, tol=1e-7, check_interval=10, rho_interval=20,
                  early_polish=False)
    fixed = admm_qp(P, q, A, l, u, rho=1e-4, tol=1e-7, adaptive_rho=False, max_iter=20000,
                    early_polish=False)
    assert res.success
    assert res.rho_updates >= 1 and res.rho != 1e-4
    assert fixed.rho == 1e-4 and fixed.rho_updates == 0
    assert res.nit < fixed.nit
    h = res.history
    for col in ("objective", "measure", "r_prim", "r_dual", "eps_prim", "eps_dual", "rho",
                "nit", "time", "polished"):
        assert col in h.columns
    assert h.measure_name == "residual_ratio"
    assert np.all(np.diff(h.nit) > 0) and np.all(np.diff(h.nit) <= 10)
    ratio = np.maximum(h.r_prim / h.eps_prim, h.r_dual / h.eps_dual)
    np.testing.assert_allclose(h.measure, ratio)
    assert h.measure[-1] <= 1.0 and np.all(h.measure[:-1] > 1.0)


def test_early_polish_stops_sooner_at_the_same_solution():
    P, q, A, l, u = feasible_qp(40, 80, seed=14)
    late = admm_qp(P, q, A, l, u, tol=1e-7, early_polish=False)
    early = admm_qp(P, q, A, l, u, tol=1e-7)
    assert late.success and early.success and early.polished
    assert early.nit < late.nit
    np.testing.assert_allclose(early.x, late.x, atol=1e-6)
    h = early.history
    assert h.polished[-1] == 1 and np.all(h.polished[:-1] == 0)
    assert h.nit[-1] == h.nit[-2] and h.measure[-2] > 1.0 >= h.measure[-1]
    assert early.measure == pytest.approx(h.measure[-1])
    r_prim, r_dual = kkt_residuals(P, q, A, l, u, early.x, early.y)
    assert r_prim <= 1e-7 and r_dual <= 1e-7
    # without polishing there is no early polishing either
    plain = admm_qp(P, q, A, l, u, tol=1e-7, polish=False)
    assert not plain.polished and plain.nit == late.nit


def test_max_iter_and_callback():
    P, q, A, l, u = feasible_qp(20, 30, seed=10)
    res = admm_qp(P, q, A, l, u, tol=1e-12, max_iter=30)
    assert res.status == MAX_ITER and not res.success and res.nit == 30
    assert "max_iter" in res.message

    seen = []

    def cb(info):
        seen.append(info.nit)
        if info.nit >= 50:
            raise StopIteration

    res = admm_qp(P, q, A, l, u, tol=1e-12, callback=cb)
    assert res.status == CALLBACK_STOP and seen[-1] == 50


def test_deterministic():
    P, q, A, l, u = feasible_qp(20, 30, seed=11)
    r1 = admm_qp(P, q, A, l, u, tol=1e-6)
    r2 = admm_qp(P, q, A, l, u, tol=1e-6)
    assert r1.nit == r2.nit
    np.testing.assert_array_equal(r1.x, r2.x)


# ------------------------------------------------------------------------------------------
# bad input and data safety
# ------------------------------------------------------------------------------------------
def _data():
    return feasible_qp(6, 8, seed=12, inf_frac=0.0, eq_frac=0.0)


def test_l_greater_than_u():
    P, q, A, l, u = _data()
    l = l.copy()
    l[3] = u[3] + 1.0
    with pytest.raises(ValueError, match=r"l must be <= u.*l\[3\]"):
        admm_qp(P, q, A, l, u)


@pytest.mark.parametrize("what, pattern", [
    ("P_rect", "P must be square"),
    ("q_len", "P must be square of order n"),
    ("A_cols", "A must have n"),
    ("l_len", "l has length"),
    ("u_len", "u has length"),
    ("q_2d", "q must be 1-dimensional"),
    ("x0_len", "x0 has shape"),
    ("y0_len", "y0 has shape"),
])
def test_shape_mismatch(what, pattern):
    P, q, A, l, u = _data()
    kw = {}
    if what == "P_rect":
        P = sp.random(6, 5, density=0.5, random_state=0)
    elif what == "q_len":
        q = q[:5]
    elif what == "A_cols":
        A = A[:, :5]
    elif what == "l_len":
        l = l[:7]
    elif what == "u_len":
        u = np.append(u, 1.0)
    elif what == "q_2d":
        q = q[:, None]
    elif what == "x0_len":
        kw["x0"] = np.zeros(5)
    elif what == "y0_len":
        kw["y0"] = np.zeros(9)
    with pytest.raises(ValueError, match=pattern):
        admm_qp(P, q, A, l, u, **kw)


def test_P_not_symmetric():
    P, q, A, l, u = _data()
    P = P.toarray()
    P[4, 1] += 1.0
    with pytest.raises(ValueError, match="P must be symmetric"):
        admm_qp(P, q, A, l, u)


def test_P_not_psd():
    P, q, A, l, u = _data()
    with pytest.raises(ValueError, match="P must be positive semidefinite"):
        admm_qp(-sp.eye(6) * 10, q, A, l, u)


@pytest.mark.parametrize("kw, name", [
    (dict(rho=0.0), "rho"), (dict(rho=-1.0), "rho"), (dict(sigma=0.0), "sigma"),
    (dict(sigma=-1e-6), "sigma"), (dict(alpha=0.0), "alpha"), (dict(alpha=2.0), "alpha"),
    (dict(eps_abs=-1.0), "eps_abs"), (dict(eps_abs=0.0, eps_rel=0.0), "eps_abs and eps_rel"),
    (dict(max_iter=-1), "max_iter"), (dict(scaling=-1), "scaling"),
    (dict(check_interval=0), "check_interval"), (dict(rho_interval=0), "rho_interval"),
    (dict(tol=0.0), "tol"),
])
def test_bad_parameters(kw, name):
    P, q, A, l, u = _data()
    with pytest.raises(ValueError, match=name):
        admm_qp(P, q, A, l, u, **kw)


def test_bad_types():
    P, q, A, l, u = _data()
    with pytest.raises(TypeError, match="polish"):
        admm_qp(P, q, A, l, u, polish="yes")
    with pytest.raises(TypeError, match="adaptive_rho"):
        admm_qp(P, q, A, l, u, adaptive_rho=1)
    with pytest.raises(TypeError, match="early_polish"):
        admm_qp(P, q, A, l, u, early_polish=None)
    with pytest.raises(TypeError, match="max_iter"):
        admm_qp(P, q, A, l, u, max_iter=10.5)


@pytest.mark.parametrize("where", ["P", "q", "A", "l", "u", "x0"])
def test_nan_in_data(where):
    P, q, A, l, u = _data()
    P, A = P.toarray(), A.toarray()
    kw = {}
    if where == "P":
        P[0, 0] = np.nan
    elif where == "q":
        q = q.copy()
        q[1] = np.nan
    elif where == "A":
        A[2, 3] = np.nan
    elif where == "l":
        l = l.copy()
        l[0] = np.nan
    elif where == "u":
        u = u.copy()
        u[0] = np.nan
    else:
        kw["x0"] = np.full(6, np.nan)
    with pytest.raises(ValueError, match=f"{where} contains NaN"):
        admm_qp(P, q, A, l, u, **kw)


def test_infinite_bound_on_wrong_side():
    P, q, A, l, u = _data()
    l = l.copy()
    l[0] = np.inf
    u = u.copy()
    u[0] = np.inf
    with pytest.raises(ValueError, match="l cannot be"):
        admm_qp(P, q, A, l, u)


def test_l_u_without_A():
    with pytest.raises(ValueError, match="without A"):
        admm_qp(np.eye(2), np.ones(2), None, np.zeros(2), np.ones(2))


@pytest.mark.parametrize("dense", [False, True])
def test_caller_arrays_not_modified(dense):
    P, q, A, l, u = feasible_qp(12, 16, seed=13, dense=dense)
    if not dense:  # unsorted, duplicated CSC entries must not be canonicalized in place
        A = sp.csc_matrix((np.r_[A.data, 0.5], np.r_[A.indices, A.indices[0]],
                           np.r_[A.indptr[:-1], A.indptr[-1] + 1]), shape=A.shape)
        A.has_canonical_format = False
    x0, y0 = np.ones(12), np.ones(16)
    snap = [(v.data.copy(), v.indices.copy(), v.indptr.copy()) if sp.issparse(v) else v.copy()
            for v in (P, q, A, l, u, x0, y0)]
    admm_qp(P, q, A, l, u, x0=x0, y0=y0, tol=1e-6)
    for before, after in zip(snap, (P, q, A, l, u, x0, y0)):
        if sp.issparse(after):
            np.testing.assert_array_equal(before[0], after.data)
            np.testing.assert_array_equal(before[1], after.indices)
            np.testing.assert_array_equal(before[2], after.indptr)
        else:
            np.testing.assert_array_equal(before, after)


# ------------------------------------------------------------------------------------------
# linear algebra
# ------------------------------------------------------------------------------------------
def _random_kkt(n, m, seed, density):
    rng = np.random.default_rng(seed)
    M = sp.random(n, n, density=density, random_state=rng)
    P = M @ M.T + 1e-3 * sp.eye(n)
    A = sp.random(m, n, density=density, random_state=rng)
    rho = rng.uniform(1e-3, 1e3, m)
    K = sp.bmat([[P, A.T], [A, -sp.diags(1.0 / rho)]], format="csc")
    U = sp.triu(K, format="csc")
    U.sort_indices()
    return K, U


@pytest.mark.parametrize("n, m, density", [(40, 30, 0.1), (150, 250, 0.05), (60, 10, 0.3)])
def test_ldl_solves_quasidefinite_systems(n, m, density):
    K, U = _random_kkt(n, m, 0, density)
    N = n + m
    Up, Ui = U.indptr.astype(np.int64), U.indices.astype(np.int64)
    perm = amd_order(N, Up, Ui)
    assert np.array_equal(np.sort(perm), np.arange(N))
    pos = np.arange(N) < n
    b = np.random.default_rng(1).standard_normal(N)
    for dense in (False, True):
        F = LDLFactor(N, Up, Ui, pos, perm=perm, dense=dense)
        assert F.factor(U.data) == n  # inertia (n, m)
        x = F.solve(b)
        assert np.abs(K @ x - b).max() <= 1e-9 * np.abs(b).max() * max(1, abs(K).max())
    # AMD fills (much) less than the natural order on these random patterns
    natural = LDLFactor(N, Up, Ui, pos, perm=np.arange(N), dense=False)
    sparse_amd = LDLFactor(N, Up, Ui, pos, perm=perm, dense=False)
    assert sparse_amd.nnz <= natural.nnz


def test_ldl_reports_wrong_inertia():
    K, U = _random_kkt(30, 20, 2, 0.2)
    N = 50
    F = LDLFactor(N, U.indptr.astype(np.int64), U.indices.astype(np.int64),
                  np.arange(N) < 30)
    values = U.data.copy()
    diag = U.indices == np.repeat(np.arange(N), np.diff(U.indptr))
    values[diag & (np.repeat(np.arange(N), np.diff(U.indptr)) < 30)] *= -1  # P -> -P
    assert F.factor(values) != 30


# ------------------------------------------------------------------------------------------
# linsys="indirect": PCG on the reduced system (xp-generic; numpy here, cupy on the GPU)
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dense, seed", [(False, 2), (True, 0)])
def test_indirect_matches_direct(dense, seed):
    # equality rows, one-sided rows, free rows; no polishing, so the ADMM iterates themselves
    # must reach the tight tolerance with inexact PCG solves
    P, q, A, l, u = feasible_qp(30, 45, seed=seed, dense=dense)
    kw = dict(tol=1e-9, max_iter=20000, polish=False)
    d = admm_qp(P, q, A, l, u, linsys="direct", **kw)
    r = admm_qp(P, q, A, l, u, linsys="indirect", **kw)
    assert d.success and r.success and not r.polished
    assert r.linsys == "indirect" and d.linsys == "direct"
    assert r.pcg_iter > 0 and d.pcg_iter == 0
    np.testing.assert_allclose(r.x, d.x, atol=1e-6)
    np.testing.assert_allclose(r.y, d.y, atol=1e-6)
    np.testing.assert_allclose(r.z, d.z, atol=1e-6)
    assert r.fun == pytest.approx(d.fun, abs=1e-6)
    r_prim, r_dual = kkt_residuals(P, q, A, l, u, r.x, r.y)
    assert r_prim <= 1e-7 and r_dual <= 1e-7


def test_indirect_with_polishing_and_auto():
    P, q, A, l, u = feasible_qp(30, 45, seed=2)
    d = admm_qp(P, q, A, l, u, tol=1e-7)
    auto = admm_qp(P, q, A, l, u, tol=1e-7, linsys="auto")
    assert auto.linsys == "direct" and auto.nit == d.nit  # auto is direct on the CPU
    r = admm_qp(P, q, A, l, u, tol=1e-7, linsys="indirect")
    assert r.success and r.polished and d.polished
    np.testing.assert_allclose(r.x, d.x, atol=1e-8)
    np.testing.assert_allclose(r.y, d.y, atol=1e-8)


def test_indirect_larger_sparse():
    P, q, A, l, u = feasible_qp(150, 300, seed=3, density=0.05)
    d = admm_qp(P, q, A, l, u, tol=1e-8, max_iter=20000)
    r = admm_qp(P, q, A, l, u, tol=1e-8, max_iter=20000, linsys="indirect")
    assert d.success and r.success
    np.testing.assert_allclose(r.x, d.x, atol=1e-6)
    assert r.fun == pytest.approx(d.fun, abs=1e-6)


def test_indirect_unconstrained_lp_and_warm_start():
    rng = np.random.default_rng(0)
    M = rng.standard_normal((8, 8))
    P = M @ M.T + np.eye(8)
    q = rng.standard_normal(8)
    res = admm_qp(P, q, tol=1e-9, linsys="indirect")
    assert res.success
    np.testing.assert_allclose(res.x, np.linalg.solve(P, -q), atol=1e-7)
    # LP (P = None): min x0 + x1 on the unit box
    res = admm_qp(None, np.ones(2), np.eye(2), np.zeros(2), np.ones(2), tol=1e-9,
                  linsys="indirect")
    assert res.success
    np.testing.assert_allclose(res.x, [0.0, 0.0], atol=1e-8)
    P, q, A, l, u = feasible_qp(30, 45, seed=8)
    cold = admm_qp(P, q, A, l, u, tol=1e-7, polish=False, linsys="indirect")
    warm = admm_qp(P, q, A, l, u, tol=1e-7, x0=cold.x, y0=cold.y, polish=False,
                   linsys="indirect")
    assert cold.success and warm.success and warm.nit < cold.nit
    np.testing.assert_allclose(warm.x, cold.x, atol=1e-5)


@pytest.mark.parametrize("bad", ["cg", "Direct", None, 1])
def test_indirect_bad_linsys(bad):
    P, q, A, l, u = _data()
    with pytest.raises(ValueError, match="linsys"):
        admm_qp(P, q, A, l, u, linsys=bad)


def test_indirect_not_psd():
    P, q, A, l, u = _data()
    with pytest.raises(ValueError, match="P must be positive semidefinite"):
        admm_qp(-sp.eye(6) * 10, q, A, l, u, linsys="indirect")
    # positive diagonal, negative curvature along the start direction
    with pytest.raises(ValueError, match="P must be positive semidefinite"):
        admm_qp(np.array([[1.0, 3.0], [3.0, 1.0]]), np.array([1.0, -1.0]), np.eye(2),
                -np.ones(2), np.ones(2), linsys="indirect")


def test_indirect_callback_and_max_iter():
    P, q, A, l, u = feasible_qp(20, 30, seed=10)
    res = admm_qp(P, q, A, l, u, tol=1e-12, max_iter=30, linsys="indirect")
    assert res.status == MAX_ITER and res.nit == 30
    seen = []

    def cb(info):
        assert isinstance(info.x, np.ndarray) and info.x.shape == (20,)
        seen.append(info.nit)
        if info.nit >= 50:
            raise StopIteration

    res = admm_qp(P, q, A, l, u, tol=1e-12, callback=cb, linsys="indirect")
    assert res.status == CALLBACK_STOP and seen[-1] == 50


# ---------------- GPU (cupy / cupyx.scipy.sparse), compared with the CPU ----------------
@pytest.mark.gpu
@pytest.mark.parametrize("fmt", ["dense", "csr", "csc"])
def test_indirect_gpu_matches_cpu(fmt):
    cp = pytest.importorskip("cupy")
    import cupyx.scipy.sparse as cusp

    P, q, A, l, u = feasible_qp(60, 90, seed=2, density=0.1)
    cpu = admm_qp(P, q, A, l, u, tol=1e-9, max_iter=20000, polish=False)
    if fmt == "dense":
        Pg, Ag = cp.asarray(P.toarray()), cp.asarray(A.toarray())
    else:
        conv = cusp.csr_matrix if fmt == "csr" else cusp.csc_matrix
        Pg, Ag = conv(sp.csr_matrix(P)), conv(sp.csr_matrix(A))
    gpu = admm_qp(Pg, cp.asarray(q), Ag, cp.asarray(l), cp.asarray(u), tol=1e-9,
                  max_iter=20000, polish=False)
    assert gpu.linsys == "indirect" and gpu.success and gpu.pcg_iter > 0
    for v in (gpu.x, gpu.y, gpu.z):
        assert isinstance(v, cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(gpu.x), cpu.x, atol=1e-6)
    np.testing.assert_allclose(cp.asnumpy(gpu.y), cpu.y, atol=1e-6)
    np.testing.assert_allclose(cp.asnumpy(gpu.z), cpu.z, atol=1e-6)
    assert gpu.fun == pytest.approx(cpu.fun, abs=1e-6)
    # the same PCG iteration on numpy: the GPU run follows it up to rounding (which can move
    # a PCG stop or a rho update, hence the slack)
    ind = admm_qp(P, q, A, l, u, tol=1e-9, max_iter=20000, polish=False, linsys="indirect")
    assert gpu.nit <= 2 * ind.nit + 100


@pytest.mark.gpu
def test_indirect_gpu_polish_warm_start_and_direct():
    cp = pytest.importorskip("cupy")
    import cupyx.scipy.sparse as cusp

    P, q, A, l, u = feasible_qp(30, 45, seed=2)
    cpu = admm_qp(P, q, A, l, u, tol=1e-7)
    Pg, Ag = cusp.csr_matrix(P), cusp.csr_matrix(A)
    qg, lg, ug = cp.asarray(q), cp.asarray(l), cp.asarray(u)
    gpu = admm_qp(Pg, qg, Ag, lg, ug, tol=1e-7)  # polished on the host, returned on the GPU
    assert gpu.success and gpu.polished and isinstance(gpu.x, cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(gpu.x), cpu.x, atol=1e-8)
    warm = admm_qp(Pg, qg, Ag, lg, ug, tol=1e-7, x0=gpu.x, y0=gpu.y, polish=False)
    assert warm.success and warm.nit <= 25 and isinstance(warm.x, cp.ndarray)
    direct = admm_qp(Pg, qg, Ag, lg, ug, tol=1e-7, linsys="direct")
    assert direct.linsys == "direct" and isinstance(direct.x, cp.ndarray)
    assert direct.nit == cpu.nit
    np.testing.assert_allclose(cp.asnumpy(direct.x), cpu.x, atol=1e-12)
    # numpy data with backend="gpu" also runs the indirect mode on the device
    onb = admm_qp(P, q, A, l, u, tol=1e-7, backend="gpu")
    assert onb.linsys == "indirect" and isinstance(onb.x, cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(onb.x), cpu.x, atol=1e-8)


@pytest.mark.gpu
def test_indirect_gpu_infeasibility_certificates():
    cp = pytest.importorskip("cupy")
    import cupyx.scipy.sparse as cusp

    rng = np.random.default_rng(0)
    n, m = 15, 20
    P, q, A, l, u = feasible_qp(n, m, seed=0, inf_frac=0.0, eq_frac=0.0)
    A = A.tolil()
    a = rng.standard_normal(n)
    A[m - 2, :] = a
    A[m - 1, :] = a
    A = A.tocsc()
    l[m - 2], u[m - 2] = 1.0, np.inf
    l[m - 1], u[m - 1] = -np.inf, -1.0
    res = admm_qp(cusp.csr_matrix(P), cp.asarray(q), cusp.csr_matrix(A), cp.asarray(l),
                  cp.asarray(u), tol=1e-6)
    assert res.status == PRIMAL_INFEASIBLE and isinstance(res.prim_inf_cert, cp.ndarray)
    dy = cp.asnumpy(res.prim_inf_cert)
    assert np.abs(A.T @ dy).max() <= 1e-3 and _support(l, u, dy) < -1e-3

    q = np.array([-1.0, -1.0, 0.0])
    A = sp.csc_matrix([[1.0, 0, 0], [0, 1.0, 0], [1.0, -1.0, 0], [0, 0, 1.0]])
    l = np.array([0.0, 0.0, -1.0, -1.0])
    u = np.array([np.inf, np.inf, 1.0, 1.0])
    P = sp.csc_matrix(np.diag([0.0, 0.0, 1.0]))
    res = admm_qp(cusp.csr_matrix(P), cp.asarray(q), cusp.csr_matrix(A), cp.asarray(l),
                  cp.asarray(u), tol=1e-6)
    assert res.status == DUAL_INFEASIBLE and isinstance(res.dual_inf_cert, cp.ndarray)
    dx = cp.asnumpy(res.dual_inf_cert)
    assert np.abs(P @ dx).max() <= 1e-3 and q @ dx < -1e-3


@pytest.mark.parametrize("linsys", ["direct", "indirect"])
def test_zero_start_with_zero_cost_is_not_taken_for_optimal(linsys):
    # x = 0, y = 0 has zero residuals before the first projection when q = 0; the solver must
    # iterate anyway (regression: it used to report convergence at iteration 0)
    P, q = np.eye(2), np.zeros(2)
    res = admm_qp(P, q, np.array([[1.0, 1.0]]), np.array([3.0]), np.array([np.inf]),
                  eps_abs=1e-8, eps_rel=1e-8, linsys=linsys)
    assert res.status == 0 and res.nit > 0
    np.testing.assert_allclose(res.x, [1.5, 1.5], atol=1e-6)
    res = admm_qp(P, q, np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([1.0, 1.0]),
                  np.array([np.inf, np.inf]), linsys=linsys)
    assert res.status == PRIMAL_INFEASIBLE and res.prim_inf_cert is not None
