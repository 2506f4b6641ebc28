"""The native CUTEst registry: derivatives against finite differences, starting points,
known optimal values reached, the pycutest adapter, bad input."""
import sys

import numpy as np
import pytest
import scipy.sparse as sp

import problems
import solvers
from problems import cutest

REQUIRED = """ROSENBR EXTROSNB GENROSE FREUROTH BEALE JENSMP HELIX BARD GAUSSIAN MEYER3 GULF BOX3
POWELLSG WOODS KOWOSB BROWNDEN OSBORNEA BIGGS6 OSBORNEB WATSON PENALTY1 PENALTY2 VARDIM BROWNAL
ARWHEAD BDQRTIC CHAINWOO NONDIA QUARTC SROSENBR TRIDIA ENGVAL1 FLETCHCR DIXMAANA CUBE DENSCHNA
DENSCHNB DENSCHNC DENSCHND DENSCHNE DENSCHNF HIMMELBB SINEVAL""".split()


def small(name):
    """The problem at a small admissible size (the SIF default for fixed-size problems)."""
    params = cutest.parameters(name)
    if "n" not in params:
        return cutest.load(name)
    for n in (12, 8, 9, 10, 6, 4, 16, 24):
        try:
            return cutest.load(name, n=n)
        except ValueError:
            continue
    raise AssertionError(f"no small n accepted by {name}")


def fd_grad(f, x, h=1e-6):
    e = np.eye(x.size)
    return np.array([(f.value(x + h * s * e[i]) - f.value(x - h * s * e[i])) / (2 * h * s)
                     for i in range(x.size) for s in [max(1.0, abs(x[i]))]])


def fd_hess(f, x, h=1e-6):
    e = np.eye(x.size)
    cols = [(f.grad(x + h * s * e[i]) - f.grad(x - h * s * e[i])) / (2 * h * s)
            for i in range(x.size) for s in [max(1.0, abs(x[i]))]]
    return np.array(cols).T


def dense(H):
    return H.toarray() if sp.issparse(H) else np.asarray(H)


def test_registry_has_the_required_problems():
    assert set(REQUIRED) <= set(cutest.names())
    assert set(cutest.names(kind="unconstrained")) | set(cutest.names(kind="equality")) == set(cutest.names())


@pytest.mark.parametrize("name", REQUIRED)
def test_derivatives_against_finite_differences(name):
    f = small(name)
    rng = np.random.default_rng(0)
    x0 = f.x0
    if name == "HELIX":  # x0 lies on the atan2 branch cut of the SIF formulation
        x0 = x0 + np.array([0.0, 1e-3, 0.0])
    for x in (x0, x0 + 0.1 * rng.standard_normal(f.n) * np.maximum(1.0, np.abs(x0))):
        g = f.grad(x)
        ref = fd_grad(f, x)
        assert np.linalg.norm(g - ref) <= 1e-5 * max(1.0, np.linalg.norm(ref)), name
        H = dense(f.hess(x))
        Href = fd_hess(f, x)
        assert np.allclose(H, H.T, rtol=1e-12, atol=1e-12 * max(1.0, abs(H).max()))
        assert np.linalg.norm(H - Href) <= 1e-5 * max(1.0, np.linalg.norm(Href)), name
        v = rng.standard_normal(f.n)
        np.testing.assert_allclose(f.hvp(x, v), H @ v, rtol=1e-10,
                                   atol=1e-10 * max(1.0, np.abs(H @ v).max()))
        fv, gv = f.value_and_grad(x)
        assert fv == pytest.approx(f.value(x)) and np.allclose(gv, g)


@pytest.mark.parametrize("name", REQUIRED)
def test_metadata_and_copies(name):
    f = small(name)
    assert f.name == name and f.x0.shape == (f.n,) == f.shape
    x0 = f.x0
    x0[:] = 123.0
    assert not np.all(f.x0 == 123.0)  # x0 is a fresh copy each time
    assert np.isfinite(f.value(f.x0))
    assert sp.issparse(f.hess(f.x0)) == bool(f.sparse_hessian)


# Problems whose established value the damped Newton method reaches from the SIF start.
@pytest.mark.parametrize("name", REQUIRED)
def test_known_optimum_reached(name):
    f = small(name)
    if f.f_star is None:
        pytest.skip(f"{name}: no established optimal value at n={f.n}")
    res = solvers.damped_newton(f, stepsize="universal", tol=1e-7, max_iter=1000)
    if abs(res.fun - f.f_star) > 1e-6 * max(1.0, abs(f.f_star)):
        # a stationary point other than the tabulated minimum: confirm the tabulated value
        # with a tight scipy trust-region solve instead (documented per problem)
        import scipy.optimize as so
        ref = so.minimize(f.value, f.x0, jac=f.grad, hess=lambda x: dense(f.hess(x)),
                          method="trust-exact", options={"gtol": 1e-10, "maxiter": 5000})
        assert abs(ref.fun - f.f_star) <= 1e-6 * max(1.0, abs(f.f_star)), (name, ref.fun)
        pytest.xfail(f"{name}: damped Newton (universal) stops at f = {res.fun:.6g}, "
                     f"f* = {f.f_star:.6g} confirmed by trust-exact")
    assert res.fun == pytest.approx(f.f_star, abs=1e-6 * max(1.0, abs(f.f_star)))


def test_load_errors():
    with pytest.raises(ValueError, match="unknown CUTEst problem 'NOPE'"):
        cutest.load("NOPE")
    with pytest.raises(TypeError, match="ROSENBR has no parameter 'n'"):
        cutest.load("ROSENBR", n=10)
    with pytest.raises(ValueError, match="source must be"):
        cutest.load("ROSENBR", source="ampl")
    with pytest.raises(ValueError, match="n"):
        cutest.load("GENROSE", n=1)
    f = cutest.load("rosenbr")  # case-insensitive
    with pytest.raises(ValueError, match="x has shape"):
        f.value(np.zeros(3))


def test_scalable_hessians_are_sparse():
    f = cutest.load("GENROSE", n=1000)
    H = f.hess(f.x0)
    assert sp.issparse(H) and H.nnz <= 3 * 1000


def test_pycutest_adapter():
    pycutest = pytest.importorskip("pycutest")
    try:
        f = cutest.load("ROSENBR", source="pycutest")
    except Exception as exc:  # pycutest installed without a working CUTEst
        pytest.skip(f"pycutest cannot build ROSENBR here: {exc}")
    native = cutest.load("ROSENBR")
    x = np.array([0.3, -0.2])
    assert f.value(x) == pytest.approx(native.value(x))
    np.testing.assert_allclose(f.grad(x), native.grad(x))
    np.testing.assert_allclose(dense(f.hess(x)), native.hess(x))
    assert pycutest is not None


def test_pycutest_missing_is_a_clear_error(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "pycutest", None)
    with pytest.raises(ImportError, match="needs pycutest"):
        cutest.load("ROSENBR", source="pycutest")


def test_problems_namespace_exports_cutest():
    assert problems.cutest is cutest


def test_pycutest_f_star_matches_the_native_problem_of_the_same_size(monkeypatch):
    """With a stand-in pycutest module: f_star comes from the native problem with the same n
    (FREUROTH's optimal value depends on n), whatever was loaded before."""
    import sys
    import types

    class FakeProblem:
        def __init__(self, name, n):
            native = cutest.load(name, n=n)
            self.n, self.m, self.x0 = native.n, 0, native.x0
            self._native = native

        def obj(self, x, gradient=False):
            return self._native.value_and_grad(x) if gradient else self._native.value(x)

        def hess(self, x):
            return self._native.hess(x).toarray()

    fake = types.ModuleType("pycutest")
    fake.import_problem = lambda name, sifParams=None: FakeProblem(name, sifParams["N"])
    monkeypatch.setitem(sys.modules, "pycutest", fake)
    f8 = cutest.load("FREUROTH", source="pycutest", n=8)
    assert f8.n == 8 and f8.f_star == cutest.load("FREUROTH", n=8).f_star
    assert f8.f_star != cutest.load("FREUROTH").f_star
    x = f8.x0 + 0.1
    assert f8.value(x) == pytest.approx(cutest.load("FREUROTH", n=8).value(x))


def test_pycutest_equality_adapter_with_a_stand_in(monkeypatch):
    # a stand-in for pycutest's problem object (HS28), to check the wrapping without CUTEst
    import types

    class FakeHS28:
        n, m = 3, 1
        x0 = np.array([-4.0, 1.0, 1.0])
        v0 = np.zeros(1)
        is_eq_cons = np.array([True])
        bl = np.full(3, -1e20 * np.inf)
        bu = np.full(3, np.inf)

        def obj(self, x, gradient=False):
            native = cutest.load("HS28")
            return (native.value(x), native.grad(x)) if gradient else native.value(x)

        def cons(self, x, gradient=False):
            native = cutest.load("HS28")
            return (native.c(x), native.jac(x)) if gradient else native.c(x)

        def hess(self, x, v=None):
            native = cutest.load("HS28")
            return native.hess(x) if v is None else native.hess_lagrangian(x, v)

    fake = types.SimpleNamespace(import_problem=lambda name, sifParams=None: FakeHS28())
    monkeypatch.setitem(sys.modules, "pycutest", fake)
    p = cutest.load("HS28", source="pycutest")
    assert p.kind == "equality" and p.m == 1
    res = solvers.exact_al(p, sketch="direct", tol=1e-10)
    assert res.success and res.fun == pytest.approx(0.0, abs=1e-12)
