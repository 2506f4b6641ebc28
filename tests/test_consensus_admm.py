"""consensus_admm (in-process and on Dask) and federated_wls: agreement with scikit-learn and
the centralized solution, Dask vs in-process iterates, worker loss, cluster cleanup,
noise robustness, reproducibility and bad input."""
import os
import time

import numpy as np
import pytest
import scipy.sparse as sp

from solvers.admm import ShardLostError, consensus_admm, federated_wls


# ----------------------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------------------

def _split(X, y, m):
    return [(X[i::m], y[i::m]) for i in range(m)]


def _stack(shards):
    Xs = [s[0] for s in shards]
    X = sp.vstack(Xs).tocsr() if sp.issparse(Xs[0]) else np.vstack(Xs)
    return X, np.concatenate([s[1] for s in shards])


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((240, 15))
    w = rng.standard_normal(15) * (rng.random(15) < 0.4)
    y = X @ w + 0.1 * rng.standard_normal(240)
    return X, y


@pytest.fixture(scope="module")
def classification():
    rng = np.random.default_rng(1)
    X = sp.random(300, 12, density=0.4, random_state=2, format="csr")
    w = rng.standard_normal(12)
    y = np.where(X @ w + 0.3 * rng.standard_normal(300) > 0, 1.0, -1.0)
    return X, y


# ----------------------------------------------------------------------------------------
# agreement with the centralized solution (in-process)
# ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("sparse", [False, True])
def test_lasso_equals_sklearn(regression, sparse):
    from sklearn.linear_model import Lasso
    X, y = regression
    shards = _split(sp.csr_matrix(X) if sparse else X, y, 4)
    Xc, yc = _stack(shards)
    ref = Lasso(alpha=0.05, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(Xc, yc)
    res = consensus_admm(shards, loss="squared", penalty=("l1", 0.05), tol=1e-10,
                         max_iter=3000, distributed=False)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, ref.coef_, atol=1e-5)
    assert res.execution == "in-process" and res.n_shards == 4 and res.n_samples == 240
    # objective: (1/2N)||Xz - y||^2 + alpha ||z||_1
    fun = 0.5 * np.mean((Xc @ res.x - yc) ** 2) + 0.05 * np.abs(res.x).sum()
    assert res.fun == pytest.approx(fun, rel=1e-12)
    assert np.abs(res.x_local - res.x).max() < 1e-6


def test_logistic_l2_equals_sklearn(classification):
    from sklearn.linear_model import LogisticRegression
    X, y = classification
    shards = _split(X, y, 4)
    Xc, yc = _stack(shards)
    lam = 0.01
    ref = LogisticRegression(C=1.0 / (lam * Xc.shape[0]), fit_intercept=False, tol=1e-12,
                             max_iter=10_000).fit(Xc, yc)
    res = consensus_admm(shards, loss="logistic", penalty=("l2", lam), tol=1e-10, max_iter=2000,
                         adaptive_rho="balance", distributed=False)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, ref.coef_.ravel(), atol=1e-5)
    # labels in {0, 1} give the same fit
    res01 = consensus_admm([(Xi, (yi + 1) / 2) for Xi, yi in shards], loss="logistic",
                           penalty=("l2", lam), tol=1e-10, max_iter=2000,
                           adaptive_rho="balance", distributed=False)
    np.testing.assert_allclose(res01.x, res.x, atol=1e-12)


def test_elasticnet_wide_shards_and_solvers(regression):
    from sklearn.linear_model import ElasticNet
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 60))      # every shard is wide: inversion lemma path
    y = rng.standard_normal(40)
    shards = _split(X, y, 2)
    Xc, yc = _stack(shards)
    ref = ElasticNet(alpha=0.05, l1_ratio=0.7, fit_intercept=False, tol=1e-14,
                     max_iter=100_000).fit(Xc, yc).coef_
    kw = dict(penalty=("elasticnet", 0.05, 0.7), tol=1e-11, max_iter=5000, distributed=False)
    for solver in ("direct", "cg"):
        res = consensus_admm(shards, local_solver=solver, **kw)
        assert res.success, res.message
        np.testing.assert_allclose(res.x, ref, atol=1e-5)


def test_penalty_and_loss_objects_match_names(regression):
    X, y = regression
    shards = _split(X, y, 3)

    class L1:
        def __init__(self, a):
            self.a = a

        def value(self, z):
            return self.a * np.abs(z).sum()

        def prox(self, v, step):
            return np.sign(v) * np.maximum(np.abs(v) - self.a * step, 0.0)

    class Squared:   # no second derivative: the local solver falls back to L-BFGS
        def value(self, m, y):
            return 0.5 * float(((m - y) ** 2).sum())

        def derivative(self, m, y):
            return m - y

    kw = dict(tol=1e-10, max_iter=3000, distributed=False)
    ref = consensus_admm(shards, penalty=("l1", 0.05), **kw)
    obj = consensus_admm(shards, penalty=L1(0.05), **kw)
    np.testing.assert_allclose(obj.x, ref.x, atol=1e-13)
    lb = consensus_admm(shards, loss=Squared(), penalty=("l1", 0.05), tol=1e-8, max_iter=500,
                        distributed=False)
    assert lb.success and lb.history.local_iter.max() > 1       # L-BFGS did the local solves
    np.testing.assert_allclose(lb.x, ref.x, atol=1e-5)


def test_adaptive_rho_overrelaxation_and_history(regression):
    X, y = regression
    shards = _split(X, y, 4)
    res = consensus_admm(shards, penalty=("l1", 0.05), rho=50.0, alpha=1.6,
                         adaptive_rho="balance", rho_interval=5, abstol=1e-9, reltol=1e-9,
                         max_iter=3000, distributed=False)
    assert res.success
    h = res.history
    for col in ("objective", "measure", "r_norm", "s_norm", "eps_pri", "eps_dual", "rho",
                "local_iter"):
        assert len(getattr(h, col)) == res.nit
    assert h.residual_ratio[-1] <= 1.0 < h.residual_ratio[0]
    assert len(np.unique(h.rho)) > 1 and res.nhev > 4      # rho changed, shards refactored
    np.testing.assert_allclose(h.measure, np.maximum(h.r_norm / h.eps_pri,
                                                     h.s_norm / h.eps_dual))
    short = consensus_admm(shards, penalty=("l1", 0.05), max_iter=3, distributed=False)
    assert not short.success and short.status == 1 and "max_iter=3" in short.message


# ----------------------------------------------------------------------------------------
# Dask
# ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    client = distributed.Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()


# short runs: the Dask and in-process iterates are compared row by row, not at convergence
_DASK_KW = dict(loss="logistic", penalty=("l2", 0.01), adaptive_rho="balance", rho_interval=5,
                tol=1e-7, max_iter=40)


def _assert_same_run(a, b):
    assert a.nit == b.nit
    for col in ("objective", "r_norm", "s_norm", "rho"):
        np.testing.assert_allclose(getattr(b.history, col), getattr(a.history, col),
                                   rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(b.x, a.x, rtol=0, atol=1e-12)
    np.testing.assert_allclose(b.x_local, a.x_local, rtol=0, atol=1e-12)


def test_dask_client_and_address_equal_in_process(dask_client, classification):
    X, y = classification
    shards = _split(X, y, 4)
    local = consensus_admm(shards, distributed=False, **_DASK_KW)
    on_dask = consensus_admm(shards, client=dask_client, **_DASK_KW)
    assert on_dask.execution == "dask"
    assert len(set(on_dask.workers)) == 2          # 4 shards pinned round-robin to 2 workers
    _assert_same_run(local, on_dask)
    by_address = consensus_admm(shards, scheduler_address=dask_client.scheduler.address,
                                **_DASK_KW)
    _assert_same_run(local, by_address)
    assert dask_client.status == "running"         # a given client is left open


def _children():
    import psutil
    return {p.pid for p in psutil.Process().children(recursive=True) if p.is_running()}


def _wait_no_new_children(before, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        new = _children() - before
        if not new:
            return new
        time.sleep(0.2)
    return _children() - before


def test_embedded_cluster_is_started_and_shut_down(classification):
    pytest.importorskip("distributed")
    from distributed import Client
    X, y = classification
    shards = _split(X, y, 4)
    before = _children()
    res = consensus_admm(shards, n_workers=2, **_DASK_KW)     # distributed="auto": embedded
    assert res.execution == "dask" and len(set(res.workers)) == 2
    _assert_same_run(consensus_admm(shards, distributed=False, **_DASK_KW), res)
    assert not _wait_no_new_children(before)        # the worker processes are gone
    with pytest.raises((OSError, TimeoutError)):
        Client(res.scheduler_address, timeout="1s", set_as_default=False)

    # also when the run fails
    def boom(info):
        raise ValueError("callback failed")

    with pytest.raises(ValueError, match="callback failed"):
        consensus_admm(shards, n_workers=1, callback=boom, **_DASK_KW)
    assert not _wait_no_new_children(before)


def test_killed_worker_raises_clear_error(dask_client, classification):
    import dask
    X, y = classification
    shards = _split(X, y, 4)
    victim = sorted(dask_client.nthreads())[1]      # holds shards 1 and 3

    def kill(info):
        if info.nit == 3:
            try:
                dask_client.run(os._exit, 1, workers=[victim])
            except Exception:   # the connection drops with the worker
                pass

    try:
        with dask.config.set({"distributed.comm.timeouts.connect": "5s"}):
            with pytest.raises(RuntimeError, match=r"shard [13] was lost") as err:
                consensus_admm(shards, client=dask_client, callback=kill, **_DASK_KW)
        assert isinstance(err.value, ShardLostError)
        assert victim in str(err.value)
    finally:
        dask_client.wait_for_workers(2, timeout=60)   # the nanny restarts the worker


# ----------------------------------------------------------------------------------------
# federated WLS
# ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def wls_clients():
    rng = np.random.default_rng(4)
    w0 = rng.standard_normal(6)
    clients = []
    for _ in range(15):
        X = rng.standard_normal((25, 6))
        wt = rng.uniform(0.5, 2.0, 25)
        clients.append((X, X @ w0 + rng.standard_normal(25) / np.sqrt(wt), wt))
    return clients


def _centralized(clients):
    H = sum(X.T @ (w[:, None] * X) for X, _, w in clients)
    b = sum(X.T @ (w * y) for X, y, w in clients)
    return np.linalg.solve(H, b)


@pytest.mark.parametrize("variant", ["robust", "standard"])
def test_federated_without_noise_reaches_wls(wls_clients, variant):
    res = federated_wls(wls_clients, variant=variant, rho=10.0, tol=1e-12, max_iter=1000,
                        random_state=0)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, _centralized(wls_clients), atol=1e-9)
    np.testing.assert_allclose(res.w_star, _centralized(wls_clients), atol=1e-12)
    assert res.mse < 1e-18 and res.history.mse[-1] == res.mse


def test_federated_robust_under_scheduling_without_noise(wls_clients):
    res = federated_wls(wls_clients, rho=10.0, participation=0.3, tol=1e-12, max_iter=2000,
                        random_state=0)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, _centralized(wls_clients), atol=1e-9)
    assert res.n_uplinks < 0.5 * 15 * (res.nit + 1)     # fewer transmissions than full
    assert res.history.n_scheduled[1:].mean() < 15


@pytest.mark.parametrize("schedule", [dict(), dict(n_scheduled=5)])
def test_federated_robust_beats_standard_under_noise(wls_clients, schedule):
    kw = dict(rho=10.0, noise_std=0.1, max_iter=400, random_state=7, **schedule)
    robust = federated_wls(wls_clients, variant="robust", **kw)
    standard = federated_wls(wls_clients, variant="standard", **kw)
    tail = slice(-100, None)
    assert robust.history.mse[tail].mean() < 0.5 * standard.history.mse[tail].mean()
    assert not robust.success                       # a noise floor, not convergence
    assert robust.n_uplinks == standard.n_uplinks   # same schedule for the same seed


def test_federated_reproducible(wls_clients):
    kw = dict(rho=5.0, participation=0.5, noise_std=(0.05, 0.02), max_iter=50)
    a = federated_wls(wls_clients, random_state=3, **kw)
    b = federated_wls(wls_clients, random_state=3, **kw)
    c = federated_wls(wls_clients, random_state=4, **kw)
    np.testing.assert_array_equal(a.history.mse, b.history.mse)
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, c.x)


# ----------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------

@pytest.fixture
def small_shards():
    rng = np.random.default_rng(5)
    return [(rng.standard_normal((10, 3)), rng.standard_normal(10)) for _ in range(2)]


class _Huber:
    def value(self, m, y):
        r = np.abs(m - y)
        return float(np.where(r < 1, 0.5 * r * r, r - 0.5).sum())

    def derivative(self, m, y):
        return np.clip(m - y, -1.0, 1.0)


@pytest.mark.parametrize("kw, exc, msg", [
    (dict(rho=0.0), ValueError, "rho must be > 0"),
    (dict(rho=-1.0), ValueError, "rho must be > 0"),
    (dict(alpha=0.0), ValueError, "alpha must be > 0"),
    (dict(alpha=2.0), ValueError, "alpha must be < 2"),
    (dict(penalty=("l3", 1.0)), ValueError, "penalty name"),
    (dict(penalty=("l1", -1.0)), ValueError, "penalty strength"),
    (dict(penalty=object()), TypeError, "prox"),
    (dict(loss="hinge"), ValueError, "loss must be"),
    (dict(loss="logistic"), ValueError, r"binary labels"),
    (dict(local_solver="direct", loss=_Huber()), ValueError, "squared loss only"),
    (dict(local_solver="newton", loss=_Huber()), TypeError, "second_derivative"),
    (dict(backend="gpu"), ValueError, "CPU"),
    (dict(distributed=False, client=object()), ValueError, "distributed=False"),
    (dict(distributed=False, n_workers=2), ValueError, "n_workers"),
    (dict(distributed="yes"), ValueError, "distributed must be"),
    (dict(x0=np.zeros(4)), ValueError, "x0 has shape"),
    (dict(x0=np.array([0.0, np.nan, 0.0])), ValueError, "x0 contains NaN"),
])
def test_consensus_bad_options(small_shards, kw, exc, msg):
    kw.setdefault("distributed", False)
    with pytest.raises(exc, match=msg):
        consensus_admm(small_shards, **kw)


def test_consensus_bad_shards(small_shards):
    (X0, y0), (X1, y1) = small_shards
    cases = [
        ([], ValueError, "shards is empty"),
        ([(X0, y0), (X1[:, :2], y1)], ValueError, r"shards\[1\]\[0\] \(X\) has 2 features"),
        ([(X0, y0[:-1])], ValueError, r"shards\[0\]\[1\] \(y\) has length 9"),
        ([(np.where(X0 > 1, np.nan, X0), y0)], ValueError, r"shards\[0\]\[0\].*NaN"),
        ([(X0, np.where(y0 > 0, np.inf, y0))], ValueError, r"shards\[0\]\[1\].*NaN or inf"),
        ([(X0,)], TypeError, r"shards\[0\] must be a pair"),
        (X0, TypeError, "list of"),
    ]
    for shards, exc, msg in cases:
        with pytest.raises(exc, match=msg):
            consensus_admm(shards, distributed=False)


def test_federated_bad_input(wls_clients):
    X, y, w = wls_clients[0]
    cases = [
        (dict(clients=[]), ValueError, "clients is empty"),
        (dict(rho=0.0), ValueError, "rho must be > 0"),
        (dict(participation=0.0), ValueError, "participation must be > 0"),
        (dict(n_scheduled=100), ValueError, "n_scheduled must be <= 15"),
        (dict(variant="fast"), ValueError, "variant must be"),
        (dict(noise_std=-0.1), ValueError, "noise_std must be >= 0"),
        (dict(clients=[(X, y), (X[:, :3], y)]), ValueError, "has 3 features"),
        (dict(clients=[(X, y[:-1])]), ValueError, "has length 24"),
        (dict(clients=[(X, y, -w)]), ValueError, "negative weights"),
        (dict(clients=[(np.where(X > 1, np.nan, X), y)]), ValueError, "NaN"),
        (dict(clients=[(X[:2], y[:2])]), ValueError, "singular"),
    ]
    for kw, exc, msg in cases:
        kw.setdefault("clients", wls_clients)
        with pytest.raises(exc, match=msg):
            federated_wls(kw.pop("clients"), **kw)
