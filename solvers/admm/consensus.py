"""Global consensus ADMM over data shards, in this process or on a Dask cluster.

    min_{x_1..x_M, z}  sum_i f_i(x_i) + g(z)   s.t.  x_i = z,  i = 1..M

with ``f_i`` the data fit of shard ``i`` and ``g`` a penalty (Boyd et al. 2011, sections 7.1
and 8.2). In scaled form, with over-relaxation ``alpha`` (section 3.4.3):

    x_i^{k+1} = argmin_x f_i(x) + (rho/2) ||x - z^k + u_i^k||^2          (on the shards)
    h_i^{k+1} = alpha x_i^{k+1} + (1 - alpha) z^k
    z^{k+1}   = prox_{g / (M rho)}( mean_i (h_i^{k+1} + u_i^k) )
    u_i^{k+1} = u_i^k + h_i^{k+1} - z^{k+1}

References
----------
S. Boyd, N. Parikh, E. Chu, B. Peleato, J. Eckstein, "Distributed optimization and statistical
learning via the alternating direction method of multipliers", Foundations and Trends in
Machine Learning 3(1), 2011: sections 3.3 (stopping, eq. 3.12), 3.4 (penalty updates and
over-relaxation), 7.1 (global consensus), 8.2 (splitting across examples).
"""
from __future__ import annotations

import math
import sys
import warnings

import numpy as np

from ..backend import get_backend, is_gpu_array
from ..core.monitor import Monitor
from ..core.validation import check_callback_and_seed, check_option, check_scalar, check_x0
from ._common import boyd_tolerances, check_admm_options, check_data_parts, updated_rho
from ._shards import (
    LOSSES, DaskShards, InProcessShards, LogisticLoss, ShardLostError, resolve_local_solver,
)

__all__ = ["consensus_admm", "ShardLostError"]

_BIG = sys.float_info.max
LOCAL_SOLVERS = ("auto", "direct", "cg", "newton", "lbfgs")
_LOCAL_MAX_ITER = {"direct": 1, "cg": 1000, "newton": 50, "lbfgs": 1000}


# ----------------------------------------------------------------------------------------
# penalties g(z), given by name
# ----------------------------------------------------------------------------------------

def _soft(v, t):
    return np.sign(v) * np.maximum(np.abs(v) - t, 0.0)


class _ElasticNetPenalty:
    """``l1 ||z||_1 + (l2 / 2) ||z||^2`` (L1, L2 and elastic net by name)."""

    def __init__(self, l1, l2):
        self.l1, self.l2 = l1, l2

    def value(self, z):
        return self.l1 * float(np.abs(z).sum()) + 0.5 * self.l2 * float(z @ z)

    def prox(self, v, step):
        w = _soft(v, self.l1 * step) if self.l1 > 0 else v
        return w / (1.0 + self.l2 * step) if self.l2 > 0 else w


def _resolve_penalty(penalty):
    """``g`` as an object with ``prox(v, step)`` and ``value(z)``, or None for g = 0."""
    if penalty is None:
        return None
    if isinstance(penalty, (tuple, list)):
        if not penalty or not isinstance(penalty[0], str):
            raise TypeError("penalty must be None, ('l1', lam), ('l2', lam), ('elasticnet', "
                            f"lam, l1_ratio) or an object with prox and value; got {penalty!r}")
        name = penalty[0].lower().replace("_", "").replace("-", "")
        sizes = {"l1": 2, "l2": 2, "elasticnet": 3}
        if name not in sizes:
            raise ValueError(f"penalty name must be 'l1', 'l2' or 'elasticnet', got "
                             f"{penalty[0]!r}")
        if len(penalty) != sizes[name]:
            form = "('elasticnet', lam, l1_ratio)" if name == "elasticnet" else f"('{name}', lam)"
            raise ValueError(f"penalty {penalty!r} must have the form {form}")
        lam = check_scalar(penalty[1], "penalty strength lam", lower=0.0)
        if name == "l1":
            return _ElasticNetPenalty(lam, 0.0)
        if name == "l2":
            return _ElasticNetPenalty(0.0, lam)
        ratio = check_scalar(penalty[2], "penalty l1_ratio", lower=0.0, upper=1.0)
        return _ElasticNetPenalty(lam * ratio, lam * (1.0 - ratio))
    for member in ("prox", "value"):
        if not callable(getattr(penalty, member, None)):
            raise TypeError(f"penalty of type {type(penalty).__name__} has no `{member}`, which "
                            "consensus_admm needs (prox(v, step) and value(z)); or give it by "
                            "name: ('l1', lam), ('l2', lam), ('elasticnet', lam, l1_ratio)")
    return penalty


def _resolve_loss(loss):
    if isinstance(loss, str):
        key = loss.lower()
        if key not in LOSSES:
            raise ValueError(f"loss must be 'squared', 'logistic' or a loss object, got {loss!r}")
        return LOSSES[key]()
    for member in ("value", "derivative"):
        if not callable(getattr(loss, member, None)):
            raise TypeError(f"loss of type {type(loss).__name__} has no `{member}`, which "
                            "consensus_admm needs: value(m, y) (summed over samples) and "
                            "derivative(m, y) (per sample), optionally second_derivative(m, y)")
    return loss


def _check_shards(shards, loss):
    """Validated ``[(X_i, y_i)]`` (float64; sparse stays sparse), ``d`` and ``N``."""
    out, d, n_total = [], None, 0
    for i, X, y, _ in check_data_parts(shards, "shards", "consensus_admm"):
        d = X.shape[1]
        if isinstance(loss, LogisticLoss):
            labels = np.unique(y)
            if np.all(np.isin(labels, (-1.0, 1.0))):
                pass
            elif np.all(np.isin(labels, (0.0, 1.0))):
                y = 2.0 * y - 1.0
            else:
                raise ValueError(f"shards[{i}][1] (y) must hold binary labels in {{-1, +1}} (or "
                                 f"{{0, 1}}) for loss='logistic', got values {labels[:5]}")
        out.append((X, y))
        n_total += X.shape[0]
    return out, d, n_total


def _resolve_mode(distributed, client, scheduler_address, n_workers):
    """'in-process', 'client', 'address' or 'local-cluster'."""
    if distributed is not None and not isinstance(distributed, (bool, np.bool_)) \
            and distributed != "auto":
        raise ValueError(f"distributed must be 'auto', None, True or False, got {distributed!r}")
    if client is not None and scheduler_address is not None:
        raise ValueError("give client or scheduler_address, not both")
    if n_workers is not None:
        n_workers = check_scalar(n_workers, "n_workers", lower=1, integer=True)
        if client is not None or scheduler_address is not None:
            raise ValueError("n_workers sizes the LocalCluster consensus_admm starts itself; it "
                             "cannot apply to a given client or scheduler_address")
    if distributed is False:
        if client is not None or scheduler_address is not None:
            raise ValueError("distributed=False runs in this process; drop client / "
                             "scheduler_address, or set distributed='auto'")
        if n_workers is not None:
            raise ValueError("n_workers needs a Dask run; drop it or set distributed='auto'")
        return "in-process", n_workers
    if client is not None:
        return "client", n_workers
    if scheduler_address is not None:
        if not isinstance(scheduler_address, str):
            raise TypeError(f"scheduler_address must be a string such as 'tcp://host:8786', "
                            f"got {type(scheduler_address).__name__}")
        return "address", n_workers
    try:
        import distributed as _  # noqa: F401
    except ImportError:
        if distributed is True:
            raise ImportError("distributed=True needs dask.distributed: pip install "
                              "'dask[distributed]'") from None
        warnings.warn("dask.distributed is not installed; consensus_admm runs the shards in "
                      "this process (pass distributed=False to silence this warning)",
                      RuntimeWarning, stacklevel=3)
        return "in-process", None
    return "local-cluster", n_workers


def check_cpu_backend(backend, why):
    """Accept ``"auto"`` / ``"cpu"`` (or a CPU backend); raise ValueError for the GPU."""
    if isinstance(backend, str) and backend.lower() in ("auto", "cpu", "numpy"):
        return
    if (isinstance(backend, str) and backend.lower() in ("gpu", "cupy", "cuda")) \
            or is_gpu_array(backend) or getattr(backend, "name", "cpu") != "cpu":
        raise ValueError(f"{why}; use backend='auto' or 'cpu', got {backend!r}")
    get_backend(backend)   # anything else: its own ValueError


def _ratio(a, b):
    if b > 0:
        return a / b
    return 0.0 if a == 0 else _BIG


def consensus_admm(shards, *, loss="squared", penalty=None, x0=None, rho=1.0, alpha=1.0,
                   adaptive_rho="osqp", rho_interval=10, abstol=1e-6, reltol=1e-4, tol=None,
                   max_iter=500, local_solver="auto", local_tol=1e-10, local_max_iter=None,
                   distributed="auto", client=None, scheduler_address=None, n_workers=None,
                   callback=None, verbose=False, backend="auto", random_state=None):
    """Fit a penalized model over data shards by global consensus ADMM, on Dask or in-process.

    Solves ``min_z  f(z) + g(z)`` with ``f(z) = (1/N) sum_{all samples j} l(x_j^T z, y_j)``,
    the mean loss over the ``N`` samples of all shards, split as ``f = sum_i f_i`` where
    ``f_i(x) = (1/N) sum_{j in shard i} l(x_j^T x, y_j)``. This is scikit-learn's scaling:
    ``loss="squared", penalty=("l1", a)`` is ``Lasso(alpha=a, fit_intercept=False)``
    (``(1/2N) ||X z - y||^2 + a ||z||_1``); ``loss="logistic", penalty=("l2", lam)`` is
    ``LogisticRegression(C=1 / (lam N), fit_intercept=False)``.

    Parameters
    ----------
    shards : list of (X_i, y_i)
        The data, one pair per shard: ``X_i`` an ``(n_i, d)`` array or scipy.sparse matrix
        (never densified), ``y_i`` of length ``n_i``. Same ``d`` in every shard. Computed
        in float64 (float32 or integer data are converted); the caller's arrays are never
        modified.
    loss : {"squared", "logistic"} or object, default "squared"
        ``"squared"``: ``l(m, y) = (m - y)^2 / 2``. ``"logistic"``:
        ``log(1 + exp(-y m))`` with labels in {-1, +1} ({0, 1} is mapped to it). An object
        gives ``value(m, y)`` (the loss summed over the samples of margins ``m = X_i x``),
        ``derivative(m, y)`` (per sample, d l / d m) and optionally
        ``second_derivative(m, y)`` (per sample, enables Newton); it must be picklable to
        run on Dask.
    penalty : None, tuple or object, default None
        ``g``. ``("l1", lam)``: ``lam ||z||_1``. ``("l2", lam)``: ``(lam/2) ||z||^2``.
        ``("elasticnet", lam, l1_ratio)``: ``lam (l1_ratio ||z||_1 + (1 - l1_ratio)/2
        ||z||^2)`` (scikit-learn's ElasticNet). Or an object with ``prox(v, step)`` (the
        prox of ``step * g``) and ``value(z)``, e.g. ``problems.L1``.
    x0 : array of shape (d,), optional
        Starting ``z`` (and warm start of every local ``x_i``); default zeros. Never modified.
    rho : float, default 1.0
        Penalty parameter (> 0).
    alpha : float, default 1.0
        Over-relaxation, in (0, 2); 1.5 to 1.8 often speeds things up.
    adaptive_rho : {"osqp", "balance", None}, default "osqp"
        Penalty update every ``rho_interval`` iterations: OSQP's square-root rule (applied
        when it moves rho by more than 5x), residual balancing (Boyd 3.4.1, mu = 10,
        tau = 2), or None for a fixed rho. The scaled duals are rescaled so
        ``y_i = rho u_i`` is unchanged; shards refactor their matrices when rho changes.
        The default adapts because a good fixed rho depends on the loss's scale: L2-logistic
        regression on a9a needs 260 iterations from rho = 1 with the OSQP rule, 853 with
        balancing, and more than 1500 with rho fixed at 1.
    rho_interval : int, default 10
    abstol, reltol : float, default 1e-6, 1e-4
        Boyd's tolerances (eq. 3.12) for the stacked constraint ``x_i - z = 0`` (``p = n =
        M d``): ``eps_pri = sqrt(M d) abstol + reltol max(sqrt(sum ||x_i||^2),
        sqrt(M) ||z||)``, ``eps_dual = sqrt(M d) abstol + reltol rho sqrt(sum ||u_i||^2)``.
    tol : float, optional
        Shorthand setting ``abstol = reltol = tol`` (as in :func:`solvers.admm`).
    max_iter : int, default 500
    local_solver : {"auto", "direct", "cg", "newton", "lbfgs"}, default "auto"
        How each shard solves ``min_x f_i(x) + (rho/2) ||x - v||^2``. ``"direct"`` (squared
        loss): exact, with a cached Cholesky factor of ``X_i^T X_i / N + rho I`` (``n_i >=
        d``) or of ``N rho I + X_i X_i^T`` through the inversion lemma (``n_i < d``),
        refactored when rho changes. ``"cg"`` (squared): conjugate gradients, warm started.
        ``"newton"``: Newton's method warm started from the previous ``x_i``, with Armijo
        backtracking and the Hessian factored (inversion lemma for wide shards).
        ``"lbfgs"``: scipy's L-BFGS-B. ``"auto"``: direct / Newton while ``min(n_i, d) <=
        4000``, else CG / L-BFGS.
    local_tol : float, default 1e-10
        Local solves stop when the gradient norm of the local subproblem is <= local_tol
        (2-norm; infinity norm for L-BFGS; residual norm for CG). Inexact local solves limit
        the accuracy ADMM can reach; keep it well below ``abstol``.
    local_max_iter : int, optional
        Local iteration cap: default 50 (Newton), 1000 (CG, L-BFGS).
    distributed : {"auto", None, True, False}, default "auto"
        Where the shards live. ``"auto"`` (or None): on Dask, through ``client`` or
        ``scheduler_address`` when given, else on a ``LocalCluster(n_workers or 2,
        threads_per_worker=1, processes=True)`` that this call starts and shuts down (also
        on errors); if dask.distributed is missing it warns and runs in-process. ``True``:
        the same, but a missing dask.distributed raises ImportError. ``False``: in this
        process, no Dask (cheapest for small problems and tests). Starting a LocalCluster
        takes seconds; scripts doing so need the ``if __name__ == "__main__":`` guard.
    client : distributed.Client, optional
        Run on this client's cluster; it is left open.
    scheduler_address : str, optional
        Connect to this scheduler (e.g. ``"tcp://10.0.0.1:8786"``); the client made for it is
        closed at the end, the cluster is left running. Workers need optsuite installed.
    n_workers : int, optional
        Workers of the LocalCluster started when neither client nor scheduler_address is
        given (default 2).
    callback : callable, optional
        ``callback(intermediate_result)`` after each iteration with ``x`` (= ``z``), ``fun``,
        ``nit``, ``measure``; raise StopIteration to stop.
    verbose : bool, default False
    backend : {"auto", "cpu"}, default "auto"
        Consensus ADMM computes on the CPU (the shards live in worker processes); "gpu"
        raises ValueError.
    random_state : None, int or numpy Generator
        Unused: the method is deterministic (shards are pinned to workers round-robin in
        sorted address order). Accepted for a uniform signature.

    Returns
    -------
    Result
        ``x`` (= ``z``) the consensus solution, ``fun = f(z) + g(z)``, ``x_local`` the
        ``(M, d)`` local iterates, ``u`` the scaled duals and ``y = rho u``, ``rho`` the final
        penalty, ``r_norm`` / ``s_norm``, ``execution`` ("in-process" or "dask"),
        ``workers`` (the worker address of each shard, None in-process),
        ``scheduler_address``. The optimality measure ``residual_ratio`` is
        ``max(r / eps_pri, s / eps_dual)`` with ``r = sqrt(sum_i ||x_i - z||^2)`` and
        ``s = rho sqrt(M) ||z - z_old||``; ``success`` means it reached 1 (both residuals
        within Boyd's tolerances). ``history`` has one row per iteration (from 1) with
        objective (at ``z``), measure, time, r_norm, s_norm, eps_pri, eps_dual, rho and
        local_iter (the most local iterations of a shard). ``nfev`` counts evaluations of
        ``f`` (one pass over all shards per iteration), ``njev`` local solver iterations
        summed over shards, ``nhev`` matrix factorizations summed over shards.

    Raises
    ------
    ValueError
        Empty shard list, shards with different feature counts, X/y length mismatch, NaN or
        inf in the data or x0, bad labels for the logistic loss, rho <= 0, alpha outside
        (0, 2), conflicting Dask options.
    TypeError
        Shards not given as (X, y) pairs, loss or penalty objects missing a member.
    ShardLostError
        (a RuntimeError) a Dask worker holding a shard died during the run: the message names
        the shard and the worker. The run never continues from a partial state.

    Notes
    -----
    The Dask run scatters each shard once to its worker and builds a
    :class:`~solvers.admm._shards.ShardState` actor there (data, factorization and warm
    start stay on the worker); an iteration sends ``z``, ``u_i``, ``rho`` and gets back
    ``f_i(z)`` and ``x_i`` (O(d) floats per shard). The driver does the z-update, the dual
    update and the stopping test in the same code for both paths, so the Dask and in-process
    iterates agree to rounding (BLAS threading may differ between processes).

    Examples
    --------
    >>> import numpy as np
    >>> from solvers.admm import consensus_admm
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.standard_normal((200, 10)), rng.standard_normal(200)
    >>> shards = [(X[:100], y[:100]), (X[100:], y[100:])]
    >>> res = consensus_admm(shards, penalty=("l1", 0.05), tol=1e-8, distributed=False)
    >>> res.success
    True
    """
    rho, alpha, abstol, reltol, adaptive_rho, rho_interval, max_iter = check_admm_options(
        rho, alpha, abstol, reltol, adaptive_rho, rho_interval, tol, max_iter)
    check_option(local_solver, "local_solver", LOCAL_SOLVERS)
    local_tol = check_scalar(local_tol, "local_tol", lower=0.0, lower_inclusive=False)
    if local_max_iter is not None:
        local_max_iter = check_scalar(local_max_iter, "local_max_iter", lower=1, integer=True)
    check_cpu_backend(backend, "consensus_admm computes on the CPU (its shards live in "
                               "worker processes)")
    check_callback_and_seed(callback, random_state)
    loss_obj = _resolve_loss(loss)
    pen = _resolve_penalty(penalty)
    data, d, n_total = _check_shards(shards, loss_obj)
    z = check_x0(x0, (d,), backend="cpu")
    mode, n_workers = _resolve_mode(distributed, client, scheduler_address, n_workers)

    kwargs = []
    for X, _ in data:
        solver = resolve_local_solver(local_solver, loss_obj, X.shape[0], d)
        kwargs.append(dict(loss=loss_obj, n_total=n_total, x0=z, local_solver=solver,
                           local_tol=local_tol,
                           local_max_iter=local_max_iter or _LOCAL_MAX_ITER[solver]))

    mon = Monitor("consensus_admm", tol=1.0, max_iter=max_iter, measure_name="residual_ratio",
                  callback=callback, verbose=verbose)
    own_client = own_cluster = executor = None
    try:
        if mode == "in-process":
            executor = InProcessShards(data, kwargs)
        else:
            from distributed import Client
            if mode == "client":
                dask_client = client
            elif mode == "address":
                own_client = dask_client = Client(scheduler_address, set_as_default=False,
                                                  direct_to_workers=True)
            else:
                from distributed import LocalCluster
                own_cluster = LocalCluster(n_workers=n_workers or 2, threads_per_worker=1,
                                           processes=True, dashboard_address=":0")
                own_client = dask_client = Client(own_cluster, set_as_default=False,
                                                  direct_to_workers=True)
            executor = DaskShards(dask_client, data, kwargs)
        with executor.context():
            out = _iterate(executor, z, pen, len(data), d, rho=rho, alpha=alpha,
                           rule=adaptive_rho, interval=rho_interval, abstol=abstol,
                           reltol=reltol, max_iter=max_iter, mon=mon)
        res = mon.result(out["z"], out["fun"], nfev=out["nfev"], njev=out["njev"],
                         nhev=out["nhev"])
        res.update(z=out["z"].copy(), x_local=out["x_local"], u=out["u"], y=out["rho"] * out["u"],
                   rho=out["rho"], r_norm=out["r_norm"], s_norm=out["s_norm"],
                   execution=executor.execution, workers=executor.workers,
                   scheduler_address=executor.scheduler_address, n_shards=len(data),
                   n_samples=n_total)
        return res
    finally:
        try:
            if executor is not None:
                executor.close()
        finally:
            try:
                if own_client is not None:
                    own_client.close()
            finally:
                if own_cluster is not None:
                    own_cluster.close()


def _iterate(executor, z, pen, M, d, *, rho, alpha, rule, interval, abstol, reltol, max_iter,
             mon):
    """The consensus ADMM loop (driver side); the shards run in ``executor``."""
    U = np.zeros((M, d))
    prox = (lambda v, step: v) if pen is None else pen.prox
    gval = (lambda v: 0.0) if pen is None else (lambda v: float(pen.value(v)))
    sqrt_m = math.sqrt(M)
    n_stack = M * d

    def gather(results):
        fz = math.fsum(r[0] for r in results)
        xs = None if results[0][1] is None else np.stack([r[1] for r in results])
        return (fz, xs, max(r[2] for r in results), sum(r[2] for r in results),
                sum(r[3] for r in results))

    fz, Xl_next, loc, loc_sum, nfact = gather(executor.round(z, U, rho, max_iter > 0))
    fun = fz + gval(z)
    nfev, njev = 1, loc_sum
    Xl = np.tile(z, (M, 1))
    r_n = s_n = math.nan
    for k in range(1, max_iter + 1):
        Xl = Xl_next
        H = Xl if alpha == 1.0 else alpha * Xl + (1.0 - alpha) * z
        W = H + U
        wbar = W.sum(axis=0) / M
        z_old = z
        z = np.asarray(prox(wbar, 1.0 / (M * rho)), dtype=np.float64)
        if z.shape != (d,):
            raise ValueError(f"penalty.prox returned shape {z.shape}; expected ({d},)")
        U = U + H - z
        R = Xl - z
        r_n = math.sqrt(float(np.einsum("ij,ij->", R, R)))
        dz = z - z_old
        s_n = rho * sqrt_m * math.sqrt(float(dz @ dz))
        ax_n = math.sqrt(float(np.einsum("ij,ij->", Xl, Xl)))
        bz_n = sqrt_m * math.sqrt(float(z @ z))
        aty_n = rho * math.sqrt(float(np.einsum("ij,ij->", U, U)))
        eps_pri, eps_dual = boyd_tolerances(n_stack, n_stack, abstol, reltol, ax_n, bz_n, 0.0,
                                            aty_n)
        measure = max(_ratio(r_n, eps_pri), _ratio(s_n, eps_dual))
        rho_k = rho
        if rule is not None and k % interval == 0:
            new = updated_rho(rule, rho, r_n, s_n, max(ax_n, bz_n), aty_n)
            if new != rho:
                U = U * (rho / new)
                rho = new
        last = measure <= 1.0 or k == max_iter or not math.isfinite(measure)
        fz, Xl_next, loc_next, loc_sum, nfact = gather(executor.round(z, U, rho, not last))
        fun = fz + gval(z)
        nfev += 1
        njev += loc_sum
        if mon.record(k, z, fun, measure, r_norm=r_n, s_norm=s_n, eps_pri=eps_pri,
                      eps_dual=eps_dual, rho=rho_k, local_iter=loc, nfev=nfev):
            break
        loc = loc_next
    return dict(z=z, fun=fun, x_local=Xl, u=U, rho=rho, r_norm=r_n, s_norm=s_n, nfev=nfev,
                njev=njev, nhev=nfact)
