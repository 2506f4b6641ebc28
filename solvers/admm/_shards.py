"""The data shards of consensus ADMM: local losses, the per-shard state with its local solver,
and the two ways of running the shards (in this process, or as Dask actors on workers).

A :class:`ShardState` owns one shard ``(X_i, y_i)`` and everything that depends on it (the
cached factorization, the warm start ``x_i``). The driver in :mod:`.consensus` keeps the
small vectors (``z``, the scaled duals ``u_i``) and asks each shard, once per iteration,
for ``f_i(z)`` and the local update ``x_i = argmin f_i(x) + rho/2 ||x - (z - u_i)||^2``.
The same ``ShardState`` code runs in-process and on the Dask workers, so both paths do the
same arithmetic. Dask is imported only by :class:`DaskShards`.
"""
from __future__ import annotations

import asyncio
import contextlib
import math
import uuid

import numba
import numpy as np
import scipy.linalg as sla
import scipy.optimize as sopt
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.special import expit

from ..backend.cpu_kernels import csr_weighted_gram
from ..backend.threads import single_thread_blas

#: Largest ``min(n_i, d)`` for which the local solvers build and factor a dense matrix.
DIRECT_MAX_DIM = 4000

_EPS = float(np.finfo(float).eps)


# ----------------------------------------------------------------------------------------
# losses of the margin ``m = X x`` (per-sample, summed)
# ----------------------------------------------------------------------------------------

class SquaredLoss:
    """``l(m, y) = (m - y)^2 / 2``."""

    name = "squared"

    def value(self, m, y):
        r = m - y
        return 0.5 * float(r @ r)

    def derivative(self, m, y):
        return m - y

    def second_derivative(self, m, y):
        return np.ones_like(m)


class LogisticLoss:
    """``l(m, y) = log(1 + exp(-y m))`` for labels ``y`` in {-1, +1}."""

    name = "logistic"

    def value(self, m, y):
        return float(np.logaddexp(0.0, -y * m).sum())

    def derivative(self, m, y):
        return -y * expit(-y * m)

    def second_derivative(self, m, y):
        # sigma(-y m) (1 - sigma(-y m)) = sigma(m) sigma(-m) for y = +-1
        return expit(m) * expit(-m)


LOSSES = {"squared": SquaredLoss, "logistic": LogisticLoss}


@numba.njit(cache=True)
def _csr_matvec(indptr, indices, data, x):
    n = indptr.shape[0] - 1
    out = np.zeros(n)
    for i in range(n):
        acc = 0.0
        for a in range(indptr[i], indptr[i + 1]):
            acc += data[a] * x[indices[a]]
        out[i] = acc
    return out


@numba.njit(cache=True)
def _csr_rmatvec(indptr, indices, data, r, d):
    out = np.zeros(d)
    for i in range(indptr.shape[0] - 1):
        ri = r[i]
        if ri != 0.0:
            for a in range(indptr[i], indptr[i + 1]):
                out[indices[a]] += data[a] * ri
    return out


def _aligned(a):
    """``a`` itself when C-contiguous and aligned, else an aligned copy. Arrays that Dask
    deserializes on a worker can sit at unaligned addresses in the received buffer, where
    numpy's matmul skips BLAS and runs 10-30 times slower."""
    return np.require(a, requirements=("C", "A"))


class Design:
    """A shard's design matrix with the products the local solvers need: ``X v``,
    ``X^T r`` and ``X^T diag(D) X``. Dense arrays use BLAS; sparse ones are kept in CSR and
    use numba loops over the index arrays (never densified)."""

    def __init__(self, X):
        self.sparse = sp.issparse(X)
        self.shape = X.shape
        if self.sparse:
            X = X.tocsr()
            self.indptr, self.indices, self.data = (_aligned(X.indptr), _aligned(X.indices),
                                                    _aligned(X.data))
        else:
            X = _aligned(X)
        self.X = X

    def mv(self, v):
        if self.sparse:
            return _csr_matvec(self.indptr, self.indices, self.data, v)
        return self.X @ v

    def rmv(self, r):
        if self.sparse:
            return _csr_rmatvec(self.indptr, self.indices, self.data, r, self.shape[1])
        return self.X.T @ r

    def weighted_gram(self, D):
        """``X^T diag(D) X`` (dense, d x d)."""
        if self.sparse:
            return csr_weighted_gram(self.indptr, self.indices, self.data, D, self.shape[1])
        return self.X.T @ (D[:, None] * self.X)

    def row_scaled_outer(self, S):
        """``(S X) (S X)^T`` (dense, n x n) for ``S`` a vector of row scales."""
        if self.sparse:
            B = sp.diags(S) @ self.X
            return (B @ B.T).toarray()
        B = S[:, None] * self.X
        return B @ B.T


class ShardState:
    """One shard's data, local solver state and warm start.

    Parameters
    ----------
    X : (n_i, d) array or scipy.sparse matrix (kept in CSR)
    y : (n_i,) array
    loss : SquaredLoss, LogisticLoss or a user loss object
        ``value(m, y)`` (the sum over the shard), ``derivative(m, y)`` (per sample),
        optional ``second_derivative(m, y)``.
    n_total : int
        ``N``, the number of samples over all shards: ``f_i = loss / N``.
    x0 : (d,) array
        Warm start of the first local solve.
    local_solver : {"direct", "cg", "newton", "lbfgs"}
        Already resolved by :func:`resolve_local_solver`.
    local_tol : float
        Stop a local solve when ``||grad h(x)||_2 <= local_tol`` (``h`` the local subproblem;
        for L-BFGS the infinity norm of the gradient, scipy's ``gtol``; for CG the residual
        norm of the linear system).
    local_max_iter : int
    """

    def __init__(self, X, y, loss, n_total, x0, local_solver, local_tol, local_max_iter):
        self.A = Design(X)
        self.y = _aligned(y)
        self.loss = loss
        self.scale = 1.0 / float(n_total)
        self.n, self.d = X.shape
        self.x = np.array(x0, dtype=np.float64, copy=True)
        self.solver = local_solver
        self.local_tol = float(local_tol)
        self.local_max_iter = int(local_max_iter)
        self.tall = self.n >= self.d
        self._rho = None
        self._chol = None
        self._H0 = None
        self._m = None
        self.n_factorizations = 0
        if self.solver == "direct":
            if self.tall:
                self._G = self.A.weighted_gram(np.full(self.n, self.scale))
            else:
                self._K = self.A.row_scaled_outer(np.ones(self.n))
        if self.solver in ("direct", "cg"):
            self._Xty = self.A.rmv(y) * self.scale

    # -- objective --------------------------------------------------------------------
    def value(self, x):
        """``f_i(x) = (1/N) sum_j l(x_j^T x, y_j)``."""
        return self.scale * float(self.loss.value(self.A.mv(x), self.y))

    # -- one ADMM round ---------------------------------------------------------------
    def step(self, z, u, rho, solve=True):
        """Return ``(f_i(z), x_i, local_iterations, n_factorizations)``; the local update
        ``x_i = argmin f_i(x) + rho/2 ||x - (z - u)||^2`` is skipped (None) when
        ``solve`` is False."""
        fz = self.value(z)
        if not solve:
            return fz, None, 0, self.n_factorizations
        v = z - u
        if self.solver == "direct":
            x, nit = self._solve_direct(v, rho), 1
        elif self.solver == "cg":
            x, nit = self._solve_cg(v, rho)
        elif self.solver == "newton":
            x, nit = self._solve_newton(v, rho)
        else:
            x, nit = self._solve_lbfgs(v, rho)
        self.x = x
        return fz, x, nit, self.n_factorizations

    # -- squared loss: exact solves ---------------------------------------------------
    def _factor(self, rho):
        if self._rho == rho:
            return
        if self.tall:   # (X^T X / N + rho I) = L L^T
            M = self._G.copy()
            M.flat[:: self.d + 1] += rho
        else:           # inversion lemma: (N rho I + X X^T)
            M = self._K.copy()
            M.flat[:: self.n + 1] += rho / self.scale
        self._chol = sla.cho_factor(M, lower=True, check_finite=False)
        self._rho = rho
        self.n_factorizations += 1

    def _solve_direct(self, v, rho):
        self._factor(rho)
        q = self._Xty + rho * v
        if self.tall:
            return sla.cho_solve(self._chol, q, check_finite=False)
        # (rho I + X^T X / N)^{-1} q = (q - X^T (N rho I + X X^T)^{-1} X q) / rho
        t = sla.cho_solve(self._chol, self.A.mv(q), check_finite=False)
        return (q - self.A.rmv(t)) / rho

    def _solve_cg(self, v, rho):
        A, s = self.A, self.scale

        def mv(p):
            return s * A.rmv(A.mv(p)) + rho * p

        op = spla.LinearOperator((self.d, self.d), matvec=mv, dtype=np.float64)
        count = [0]

        def cb(_):
            count[0] += 1

        x, _ = spla.cg(op, self._Xty + rho * v, x0=self.x, rtol=0.0, atol=self.local_tol,
                       maxiter=self.local_max_iter, callback=cb)
        return np.asarray(x, dtype=np.float64), count[0]

    # -- smooth losses: Newton and L-BFGS ---------------------------------------------
    def _local_value(self, x, m, v, rho):
        dx = x - v
        return self.scale * float(self.loss.value(m, self.y)) + 0.5 * rho * float(dx @ dx)

    def _grad(self, x, m, v, rho):
        dl = np.asarray(self.loss.derivative(m, self.y), dtype=np.float64)
        return self.scale * self.A.rmv(dl) + rho * (x - v)

    def _build_curvature(self, m):
        """Loss curvature at margins ``m``: ``H0 = X^T D X / N`` (tall) or, for the
        inversion lemma, ``S = sqrt(D / N)`` and ``H0 = (S X)(S X)^T`` (wide)."""
        D = self.scale * np.asarray(self.loss.second_derivative(m, self.y), dtype=np.float64)
        D = np.maximum(D, 0.0)
        if self.tall:
            self._H0 = self.A.weighted_gram(D)
        else:
            self._S = np.sqrt(D)
            self._H0 = self.A.row_scaled_outer(self._S)
        self._fac_rho = None
        self.n_factorizations += 1

    def _curvature_solve(self, g, rho):
        """Solve ``(H0 + rho I) p = g`` (through the inversion lemma for wide shards)."""
        if self._fac_rho != rho:
            M = self._H0.copy()
            M.flat[:: M.shape[0] + 1] += rho
            self._fac = sla.cho_factor(M, lower=True, check_finite=False)
            self._fac_rho = rho
        if self.tall:
            return sla.cho_solve(self._fac, g, check_finite=False)
        # (rho I + B^T B)^{-1} g = (g - B^T (rho I + B B^T)^{-1} B g) / rho with B = S X
        t = sla.cho_solve(self._fac, self._S * self.A.mv(g), check_finite=False)
        return (g - self.A.rmv(self._S * t)) / rho

    def _solve_newton(self, v, rho):
        """Newton's method on ``h(x) = f_i(x) + rho/2 ||x - v||^2`` from the previous
        ``x_i``, with Armijo backtracking. The curvature ``X^T D X / N`` is kept between
        steps and between ADMM iterations (consecutive local problems differ little) and
        rebuilt at the current point whenever a step reduces the gradient norm by less
        than a factor 4: a chord method that turns into Newton's method when needed."""
        x = self.x
        m = self._m if self._m is not None else self.A.mv(x)
        h = self._local_value(x, m, v, rho)
        if self._H0 is None:
            self._build_curvature(m)
        g = self._grad(x, m, v, rho)
        gn = math.sqrt(float(g @ g))
        steps, fresh = 0, False
        while gn > self.local_tol and steps < self.local_max_iter:
            p = self._curvature_solve(g, rho)
            Xp = self.A.mv(p)
            gp = float(g @ p)
            t = 1.0
            while True:   # Armijo backtracking; a rounding-level increase counts as none
                x_new = x - t * p
                m_new = m - t * Xp
                h_new = self._local_value(x_new, m_new, v, rho)
                if h_new <= h - 1e-4 * t * gp + 8 * _EPS * abs(h):
                    break
                t *= 0.5
                if t < 1e-12:
                    break
            if t < 1e-12:     # no decrease along p at this precision
                if fresh:
                    break
                self._build_curvature(m)
                fresh = True
                continue
            x, m, h = x_new, m_new, h_new
            steps += 1
            g = self._grad(x, m, v, rho)
            gn_new = math.sqrt(float(g @ g))
            fresh = gn_new > 0.25 * gn
            if fresh:
                self._build_curvature(m)
            gn = gn_new
        self._m = m
        return x, steps

    def _solve_lbfgs(self, v, rho):
        def fg(x):
            m = self.A.mv(x)
            return self._local_value(x, m, v, rho), self._grad(x, m, v, rho)

        res = sopt.minimize(fg, self.x, jac=True, method="L-BFGS-B",
                            options={"maxiter": self.local_max_iter, "gtol": self.local_tol,
                                     "ftol": 0.0})
        return np.asarray(res.x, dtype=np.float64), int(res.nit)


def resolve_local_solver(local_solver, loss, n_i, d):
    """The local solver a shard of shape ``(n_i, d)`` uses under ``local_solver``.

    ``"auto"``: exact Cholesky solves (``"direct"``) for the squared loss, Newton's method
    for a loss with a second derivative, when ``min(n_i, d) <= DIRECT_MAX_DIM``; otherwise
    conjugate gradients (squared) or L-BFGS.
    """
    small = min(n_i, d) <= DIRECT_MAX_DIM
    squared = isinstance(loss, SquaredLoss)
    has_second = callable(getattr(loss, "second_derivative", None))
    if local_solver == "auto":
        if squared:
            return "direct" if small else "cg"
        return "newton" if (has_second and small) else "lbfgs"
    if local_solver in ("direct", "cg") and not squared:
        raise ValueError(f"local_solver={local_solver!r} solves the squared loss only; use "
                         "'newton', 'lbfgs' or 'auto' for this loss")
    if local_solver == "newton" and not has_second:
        raise TypeError(f"local_solver='newton' needs loss.second_derivative, which "
                        f"{type(loss).__name__} lacks; use 'lbfgs'")
    return local_solver


# ----------------------------------------------------------------------------------------
# executors
# ----------------------------------------------------------------------------------------

class InProcessShards:
    """All shards in this process, called one after the other (with single-threaded BLAS,
    as on the workers)."""

    execution = "in-process"

    def __init__(self, shards, state_kwargs):
        with single_thread_blas():
            self.states = [ShardState(X, y, **kw) for (X, y), kw in zip(shards, state_kwargs)]
        self.workers = None
        self.scheduler_address = None

    def context(self):
        """Entered once around the whole run (limiting threads per round costs too much)."""
        return single_thread_blas()

    def round(self, z, U, rho, solve):
        return [st.step(z, U[i], rho, solve) for i, st in enumerate(self.states)]

    def close(self):
        self.states = []


class ShardLostError(RuntimeError):
    """A shard's Dask worker died (or its actor was lost) during a consensus ADMM run."""


class DaskShards:
    """Shards held by Dask actors, one per shard, pinned round-robin to the workers.

    Each shard's ``(X_i, y_i)`` is scattered once to its worker, where a :class:`ShardState`
    actor is built next to it; an iteration sends ``z``, ``u_i`` and ``rho`` (vectors of
    length ``d``) and receives ``f_i(z)`` and ``x_i``. A lost worker raises
    :class:`ShardLostError` naming the shard and the worker.

    Parameters
    ----------
    client : distributed.Client
    shards : list of (X, y)
    state_kwargs : list of dict
        Per shard, the keyword arguments of :class:`ShardState` besides ``X, y``.

    The caller closes the client or cluster it started; :meth:`close` releases what this
    object put on the cluster (actors and scattered data).
    """

    execution = "dask"

    def __init__(self, client, shards, state_kwargs):
        self.client = client
        self._futures = []
        self._data = []
        self.actors = []
        if getattr(client, "asynchronous", False):
            raise ValueError("client is asynchronous; consensus_admm needs a synchronous "
                             "distributed.Client (Client(..., asynchronous=False))")
        self.scheduler_address = client.scheduler.address
        workers = sorted(client.nthreads())
        if not workers:
            client.wait_for_workers(1, timeout=60)
            workers = sorted(client.nthreads())
        self.workers = [workers[i % len(workers)] for i in range(len(shards))]
        try:
            self._place(shards, state_kwargs)
        except BaseException:
            self.close()
            raise

    def _place(self, shards, state_kwargs):
        client = self.client
        token = uuid.uuid4().hex[:12]
        for i, (X, y) in enumerate(shards):
            w = self.workers[i]
            fX, fy = client.scatter([X, y], workers=[w], broadcast=False, hash=False)
            self._data += [fX, fy]
            self._futures.append(client.submit(
                ShardState, fX, fy, **state_kwargs[i], actor=True, workers=[w],
                allow_other_workers=False, pure=False,
                key=f"optsuite-consensus-shard-{i}-{token}"))
        for i, fut in enumerate(self._futures):
            try:
                fut.result()   # raises what ShardState raised on the worker
            except Exception as exc:
                if self._is_lost(i, exc):
                    raise self._lost(i, exc) from exc
                raise
        # An Actor handle talks through the client current when it is made (the default
        # client otherwise, which may be another cluster's or absent): make the handles here,
        # with this run's client current, so every call goes through ``client``.
        from distributed.actor import Actor
        with client.as_current():
            self.actors = [Actor(ShardState, self.workers[i], fut.key)
                           for i, fut in enumerate(self._futures)]
        if any(getattr(a, "_client", client) is not client for a in self.actors):
            raise RuntimeError("consensus_admm could not bind its Dask actors to the given "
                               "client; pass a synchronous distributed.Client")

    def _is_lost(self, i, exc):
        status = getattr(self._futures[i], "status", "finished")
        if status not in ("finished", "pending"):
            return True
        if isinstance(exc, (OSError, asyncio.TimeoutError)):
            return True
        name = type(exc).__name__
        return (isinstance(exc, RuntimeError) and "lost" in str(exc).lower()) or name in (
            "KilledWorker", "FutureCancelledError", "CancelledError")

    def _lost(self, i, exc):
        return ShardLostError(
            f"consensus_admm: shard {i} was lost with its Dask worker {self.workers[i]} "
            f"({type(exc).__name__}: {exc}). Its data and local state (factorization, x_{i}) "
            "lived only on that worker, so the run stops instead of continuing from a "
            "different state; rerun it (the cluster replaces dead workers), or pass x0=res.x "
            "from a previous run to warm start")

    async def _round(self, z, U, rho, solve):
        calls = []
        for i, actor in enumerate(self.actors):
            try:
                calls.append(asyncio.ensure_future(_await(actor.step(z, U[i], rho, solve))))
            except Exception as exc:
                for c in calls:
                    c.cancel()
                raise self._lost(i, exc) from exc
        pending = set(calls)
        try:
            while pending:
                _, pending = await asyncio.wait(pending, timeout=1.0)
                if pending:   # a worker that vanished without closing its connection
                    for i, fut in enumerate(self._futures):
                        if fut.status not in ("finished",):
                            raise self._lost(i, RuntimeError(
                                f"its actor's status is {fut.status!r}"))
            out = []
            for i, c in enumerate(calls):
                exc = c.exception()
                if exc is not None:
                    if self._is_lost(i, exc):
                        raise self._lost(i, exc) from exc
                    raise exc
                out.append(c.result())
            return out
        finally:
            for c in calls:
                if not c.done():
                    c.cancel()

    def context(self):
        return contextlib.nullcontext()

    def round(self, z, U, rho, solve):
        U = np.ascontiguousarray(U)
        return self.client.sync(self._round, z, U, rho, solve)

    def close(self):
        """Release the actors and the scattered data (the workers free them)."""
        futs = self._futures + self._data
        self.actors = []
        self._futures, self._data = [], []
        if futs and self.client.status == "running":
            try:
                self.client.cancel(futs)
            except Exception:   # the cluster may already be gone
                pass


async def _await(fut):
    return await fut
