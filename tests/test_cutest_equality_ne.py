"""Native NE / equality-constrained CUTEst problems of ``problems/cutest/_equality_ne.py``:
derivatives against central finite differences, consistency of the equations (a root is
reachable from the SIF start), known solutions, scipy cross-checks, shapes, fresh copies and
bad input."""
import numpy as np
import pytest
import scipy.optimize as so
import scipy.sparse as sp

from problems import cutest

# name -> small SIF parameters used by the derivative tests
PROBLEMS = {
    "SINVALNE": {}, "BOOTH": {}, "WAYSEA1NE": {}, "RSNBRNE": {}, "CUBENE": {},
    "ZANGWIL3": {}, "TRIGON1NE": {"n": 6}, "BA-L1SP": {}, "HELIXNE": {}, "ORTHREGB": {},
    "GOTTFR": {}, "HIMMELBE": {}, "MOREBVNE": {"n": 6}, "WAYSEA2NE": {}, "DENSCHNCNE": {},
    "DENSCHNFNE": {}, "HIMMELBC": {}, "PRICE4NE": {}, "INTEQNE": {"n": 6}, "BA-L1": {},
    "MANCINONE": {"n": 6},
}
NAMES = list(PROBLEMS)
SCALABLE = {"TRIGON1NE": 10, "MOREBVNE": 10, "INTEQNE": 50, "MANCINONE": 100}

# (n, m) at the SIF defaults
SIZES = {
    "SINVALNE": (2, 2), "BOOTH": (2, 2), "WAYSEA1NE": (2, 2), "RSNBRNE": (2, 2),
    "CUBENE": (2, 2), "ZANGWIL3": (3, 3), "TRIGON1NE": (10, 10), "BA-L1SP": (57, 12),
    "HELIXNE": (3, 3), "ORTHREGB": (27, 6), "GOTTFR": (2, 2), "HIMMELBE": (3, 3),
    "MOREBVNE": (10, 10), "WAYSEA2NE": (2, 2), "DENSCHNCNE": (2, 2), "DENSCHNFNE": (2, 2),
    "HIMMELBC": (2, 2), "PRICE4NE": (2, 2), "INTEQNE": (52, 52), "BA-L1": (57, 12),
    "MANCINONE": (100, 100),
}

# exact roots (NE problems) from the SIF files / the literature
ROOTS = {
    "SINVALNE": [0.0, 0.0], "BOOTH": [1.0, 3.0], "WAYSEA1NE": [1.0, 2.0],
    "RSNBRNE": [1.0, 1.0], "CUBENE": [1.0, 1.0], "ZANGWIL3": [0.0, 0.0, 0.0],
    "HELIXNE": [1.0, 0.0, 0.0], "GOTTFR": [0.0, 0.0], "HIMMELBE": [1.0, 1.0, 1.0],
    "WAYSEA2NE": [0.424861025, 1.0], "DENSCHNCNE": [1.0, 1.0], "DENSCHNFNE": [1.0, 1.0],
    "HIMMELBC": [3.0, 2.0], "PRICE4NE": [0.0, 0.0],
}


def load(name):
    return cutest.load(name, **PROBLEMS[name])


def dense(A):
    return A.toarray() if sp.issparse(A) else np.asarray(A)


def steps(x, h=1e-6):
    return h * np.maximum(1.0, np.abs(x))


def fd_jac(fun, x):
    """Central-difference Jacobian of a vector (or scalar) function."""
    hs = steps(x)
    cols = []
    for i, h in enumerate(hs):
        e = np.zeros_like(x)
        e[i] = h
        cols.append((np.atleast_1d(fun(x + e)) - np.atleast_1d(fun(x - e))) / (2 * h))
    return np.array(cols).T


def close(A, B, rtol=1e-5):
    return np.linalg.norm(A - B) <= rtol * max(1.0, np.linalg.norm(B))


def points(name, p, rng):
    x0 = p.x0
    if name == "HELIXNE":   # x0 lies on the atan2 branch cut of the SIF formulation
        x0 = x0 + np.array([0.0, 1e-3, 0.0])
    scale = 1e-2 if name.startswith("BA-") else 0.1
    return [x0, x0 + scale * rng.standard_normal(p.n) * np.maximum(1.0, np.abs(x0))]


@pytest.mark.parametrize("name", NAMES)
def test_derivatives_against_finite_differences(name):
    p = load(name)
    rng = np.random.default_rng(1)
    for x in points(name, p, rng):
        lam = rng.standard_normal(p.m)
        g = p.grad(x)
        assert close(g, fd_jac(p.value, x).ravel()), name
        H = dense(p.hess(x))
        assert close(H, fd_jac(p.grad, x)), name
        J = dense(p.jac(x))
        assert close(J, fd_jac(p.c, x)), name
        C = dense(p.hess_lagrangian(x, lam)) - H
        Cref = fd_jac(lambda y: dense(p.jac(y)).T @ lam, x)
        assert np.allclose(C, C.T, rtol=1e-12, atol=1e-12 * max(1.0, np.abs(C).max())), name
        assert close(C, Cref), name
        v = rng.standard_normal(p.n)
        np.testing.assert_allclose(p.hvp_lagrangian(x, lam, v), (H + C) @ v, rtol=1e-10,
                                   atol=1e-10 * max(1.0, np.abs((H + C) @ v).max()))


@pytest.mark.parametrize("name", NAMES)
def test_shapes_metadata_and_copies(name):
    p = load(name)
    assert p.name == name and p.kind == "equality" and p.source == "native"
    assert p.x0.shape == (p.n,) and p.lam0.shape == (p.m,)
    assert np.all(p.lam0 == 0.0)                       # no SIF file sets multipliers
    x0, lam0 = p.x0, p.lam0
    x0[:] = 123.0
    lam0[:] = 7.0
    assert not np.all(p.x0 == 123.0) and np.all(p.lam0 == 0.0)
    assert p.c(p.x0).shape == (p.m,)
    J = p.jac(p.x0)
    assert sp.issparse(J) == bool(p.sparse_jacobian) and J.shape == (p.m, p.n)
    if sp.issparse(J):
        assert isinstance(J, sp.csr_matrix)
    assert p.hess_lagrangian(p.x0, p.lam0).shape == (p.n, p.n)
    assert np.isfinite(p.value(p.x0)) and np.all(np.isfinite(p.c(p.x0)))
    assert p.f is p
    if name != "ORTHREGB":        # nonlinear-equation problems: f = 0
        assert p.value(p.x0) == 0.0 and p.f_star == 0.0
        assert not np.any(p.grad(p.x0)) and not np.any(dense(p.hess(p.x0)))


@pytest.mark.parametrize("name", NAMES)
def test_default_sizes(name):
    p = cutest.load(name)
    assert (p.n, p.m) == SIZES[name]
    assert p.f_star == 0.0
    if name in SCALABLE:
        assert cutest.parameters(name) == {"n": SCALABLE[name]}
        assert p.params == {"n": SCALABLE[name]}
    else:
        assert cutest.parameters(name) == {}


@pytest.mark.parametrize("name", [n for n in NAMES if n != "ORTHREGB"])
def test_equations_are_consistent(name):
    """A root is reachable from the SIF start, so f_star = 0 is attained."""
    p = load(name) if name in SCALABLE else cutest.load(name)
    res = so.least_squares(p.c, p.x0, jac=lambda x: dense(p.jac(x)), xtol=1e-15,
                           ftol=1e-15, gtol=1e-15, max_nfev=500)
    assert np.abs(p.c(res.x)).max() <= 1e-8 * max(1.0, np.abs(p.c(p.x0)).max()), name


@pytest.mark.parametrize("name", sorted(ROOTS))
def test_known_roots(name):
    p = cutest.load(name)
    np.testing.assert_allclose(p.c(np.array(ROOTS[name])), 0.0, atol=1e-8)


def test_orthregb_against_scipy():
    p = cutest.load("ORTHREGB")
    assert p.value(p.x0) == 0.0 and np.abs(p.c(p.x0)).max() > 1.0     # x0 is infeasible
    cons = {"type": "eq", "fun": p.c, "jac": p.jac}
    res = so.minimize(p.value, p.x0, jac=p.grad, method="SLSQP", constraints=[cons],
                      options={"ftol": 1e-14, "maxiter": 500})
    assert res.success
    assert abs(res.fun - p.f_star) <= 1e-8 and np.abs(p.c(res.x)).max() <= 1e-8
    # KKT at the solution: grad f + J^T lam = 0 for the least-squares multipliers
    J = p.jac(res.x)
    lam = np.linalg.lstsq(J.T, -p.grad(res.x), rcond=None)[0]
    assert np.linalg.norm(p.grad(res.x) + J.T @ lam) <= 1e-6


def test_orthregb_trust_constr_from_x0():
    p = cutest.load("ORTHREGB")
    nlc = so.NonlinearConstraint(p.c, 0.0, 0.0, jac=p.jac,
                                 hess=lambda x, v: p.hess_lagrangian(x, v) - p.hess(x))
    res = so.minimize(p.value, p.x0, jac=p.grad, hess=p.hess, method="trust-constr",
                      constraints=[nlc], options={"maxiter": 3000, "gtol": 1e-10,
                                                  "xtol": 1e-14})
    assert np.abs(p.c(res.x)).max() <= 1e-6 and res.fun <= 1e-6


def test_ba_l1sp_is_the_linear_model_of_ba_l1_at_x0():
    """The BA-L1SP data (constants, linear coefficients) are BA-L1's residuals and Jacobian
    at its SIF start -- as CUTEst evaluates BA-L1, including the file's rotated y formula."""
    full, sparse = cutest.load("BA-L1"), cutest.load("BA-L1SP")
    np.testing.assert_allclose(sparse.c(sparse.x0), full.c(full.x0), rtol=2e-6, atol=2e-6)
    J_sp = sparse.jac(sparse.x0).toarray()
    J = full.jac(full.x0)
    assert np.abs(J_sp - J).max() <= 1e-7 * np.abs(J).max()
    assert full.c(full.x0)[7] == pytest.approx(-220.0023, abs=1e-3)


def test_morebvne_last_equation_as_decoded():
    p = cutest.load("MOREBVNE", n=6)
    x = np.random.default_rng(3).standard_normal(6)
    h = 1.0 / 7.0
    e = (x + h * np.arange(1, 7) + 1.0) ** 3
    c = p.c(x)
    assert c[0] == pytest.approx(2 * x[0] - x[1] + 0.5 * h * h * e[0])
    assert c[2] == pytest.approx(-x[1] + 2 * x[2] - x[3] + 0.5 * h * h * e[2])
    assert c[5] == pytest.approx(x[4] + 0.5 * h * h * e[5])      # SIF index I left at N-1
    q = cutest.load("MOREBVNE", n=2)                               # I left at N by VARIABLES
    h = 1.0 / 3.0
    y = np.array([0.3, -0.2])
    assert q.c(y)[1] == pytest.approx(-y[0] + 2 * y[1] + 0.5 * h * h * (y[1] + 2 * h + 1) ** 3)


def test_mancinone_start_point_follows_the_sif_loops():
    n = 6
    p = cutest.load("MANCINONE", n=n)
    a_, b_, g_ = 5, 14.0, 3
    A = -(b_ * n) / ((b_ * n) ** 2 - (a_ + 1.0) ** 2 * (n - 1.0) ** 2)
    ref = []
    for i in range(1, n + 1):       # literal transcription of the SIF START POINT loops
        h = 0.0
        for j in range(1, n + 1):
            if j != i:
                v = np.sqrt(i / j)
                h += v * (np.sin(np.log(v)) ** a_ + np.cos(np.log(v)) ** a_)
        ref.append(A * (h + (i - n / 2.0) ** g_))
    np.testing.assert_allclose(p.x0, ref, rtol=1e-14)


def test_inteqne_layout():
    p = cutest.load("INTEQNE", n=5)
    assert (p.n, p.m) == (7, 7) and p.params == {"n": 5}
    t = np.arange(1, 6) / 6.0
    np.testing.assert_allclose(p.x0, np.concatenate([[0.0], t * (t - 1.0), [0.0]]))
    x = np.random.default_rng(2).standard_normal(7)
    c = p.c(x)
    assert c[0] == x[0] and c[-1] == x[-1]


def test_scalable_problems_are_sparse_and_fast():
    p = cutest.load("MOREBVNE", n=20000)
    J = p.jac(p.x0)
    assert isinstance(J, sp.csr_matrix) and J.nnz <= 3 * p.n
    H = p.hess_lagrangian(p.x0, np.ones(p.m))
    assert sp.issparse(H) and H.nnz <= p.n
    q = cutest.load("TRIGON1NE", n=500)
    assert sp.issparse(q.hess_lagrangian(q.x0, np.ones(q.m)))


@pytest.mark.parametrize("name", NAMES)
def test_bad_input(name):
    p = load(name)
    with pytest.raises(ValueError, match="x has shape"):
        p.c(np.zeros(p.n + 1))
    with pytest.raises(ValueError, match="x has shape"):
        p.jac(np.zeros(p.n - 1))
    with pytest.raises(ValueError, match="lam has shape"):
        p.hess_lagrangian(p.x0, np.zeros(p.m + 1))
    with pytest.raises(ValueError):
        p.hvp_lagrangian(p.x0, np.zeros(p.m - 1), np.zeros(p.n))


@pytest.mark.parametrize("name", sorted(SCALABLE))
@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "10", None])
def test_invalid_n(name, bad):
    with pytest.raises(ValueError, match="n"):
        cutest.load(name, n=bad)


def test_invalid_n_minimum():
    with pytest.raises(ValueError, match="n >= 2"):
        cutest.load("MOREBVNE", n=1)
    with pytest.raises(ValueError, match="n >= 2"):
        cutest.load("MANCINONE", n=1)
    with pytest.raises(TypeError, match="BOOTH has no parameter 'n'"):
        cutest.load("BOOTH", n=3)


def test_registry_and_names():
    assert set(NAMES) <= set(cutest.names(kind="equality"))
    assert cutest.load("ba-l1").name == "BA-L1"
