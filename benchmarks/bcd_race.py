"""Pieces of the ``bcd`` suite's race and memory measurements.

* :func:`make_sparse_text_like` -- a generated sparse problem with the structure of text data
  (power-law feature frequencies, tf-idf values, unit-norm rows), since
  :func:`problems.datasets.make_sparse_regression` gives dense designs (10,000 x 50,000
  dense would be 4 GB and nothing like the sparse data L1 solvers meet in practice).
* :func:`bcd_spec` -- ``solvers.bcd`` as a :class:`~benchmarks.harness.SolverSpec`, with
  per-loss options (e.g. ``update="newton"`` for the logistic loss), stopped on the shared
  duality gap (``measure="gap"``: the very function the harness judges with).
* :func:`memory_extra` -- peak memory traced by :mod:`tracemalloc` around one solve, against
  the size of ``X``.
"""
from __future__ import annotations

import gc
import time
import tracemalloc

import numpy as np
import scipy.sparse as sp

from .harness import Extra, SolverSpec

__all__ = ["bcd_spec", "make_sparse_text_like", "matrix_bytes", "memory_extra"]


# --------------------------------------------------------------------------- data
def make_sparse_text_like(n_samples=10_000, n_features=50_000, nnz_per_row=100, power=1.0,
                          n_informative=100, snr=3.0, random_state=0):
    """A sparse design shaped like bag-of-words data, with regression and binary targets.

    Feature ``j`` (after a random permutation) occurs in about ``c / rank_j**power``
    documents (Zipf's law; capped at half of them), ``c`` set so that rows hold
    ``nnz_per_row`` nonzeros on average; values are tf-idf weights ``(1 + log tf) * idf_j``
    with ``tf = 1 + Poisson(0.5)`` and ``idf_j = 1 + log(n / (1 + df_j))``; rows are scaled to
    unit Euclidean norm (like LIBSVM's rcv1 / news20). The truth ``w`` has ``n_informative``
    nonzeros ``+-(1 + |N(0, 1)|)`` on features occurring in at least 20 rows;
    ``y_reg = X w + noise`` with ``||X w|| / ||noise|| = snr`` and ``y_cls = sign(y_reg)``.

    Parameters
    ----------
    n_samples, n_features, nnz_per_row, n_informative : int
    power : float
        Exponent of the power law of feature frequencies.
    snr : float
    random_state : int

    Returns
    -------
    X : scipy.sparse.csr_matrix of shape (n_samples, n_features), float64
    y_reg : ndarray of shape (n_samples,)
    y_cls : ndarray of shape (n_samples,), values -1.0 / +1.0
    w : ndarray of shape (n_features,)
    """
    rng = np.random.default_rng(random_state)
    n, p = int(n_samples), int(n_features)
    freq = np.arange(1, p + 1, dtype=float) ** -float(power)
    freq *= nnz_per_row * n / freq.sum()
    counts = np.minimum(rng.poisson(np.minimum(freq, n / 2)), n)
    perm = rng.permutation(p)
    cols = np.repeat(perm, counts)
    rows = rng.integers(0, n, size=cols.size)
    tf = 1.0 + rng.poisson(0.5, size=cols.size)
    df = np.zeros(p)
    df[perm] = counts
    idf = 1.0 + np.log(n / (1.0 + df))
    vals = (1.0 + np.log(tf)) * idf[cols]
    X = sp.csr_matrix((vals, (rows, cols)), shape=(n, p))
    X.sum_duplicates()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X = sp.csr_matrix(sp.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ X)
    X.sort_indices()
    pool = np.flatnonzero(df >= 20)
    if pool.size < n_informative:
        pool = np.argsort(-df)[: max(n_informative, 1)]
    support = rng.choice(pool, size=min(n_informative, pool.size), replace=False)
    w = np.zeros(p)
    w[support] = rng.choice([-1.0, 1.0], size=support.size) * (1 + np.abs(
        rng.standard_normal(support.size)))
    signal = np.asarray(X @ w).ravel()
    noise = rng.standard_normal(n)
    noise *= np.linalg.norm(signal) / (snr * np.linalg.norm(noise))
    y_reg = signal + noise
    y_cls = np.where(y_reg >= 0, 1.0, -1.0)
    return X, y_reg, y_cls, w


def matrix_bytes(X):
    """Bytes held by ``X``'s arrays (data, indices and indptr for a sparse matrix)."""
    if sp.issparse(X):
        return int(sum(a.nbytes for a in (X.data, X.indices, X.indptr)))
    return int(np.asarray(X).nbytes)


# --------------------------------------------------------------------------- optsuite
def bcd_spec(name, *, lasso=None, logistic=None, description=""):
    """``solvers.bcd`` with options per loss, stopped on the shared duality gap.

    Parameters
    ----------
    name : str
        Row label.
    lasso, logistic : dict, optional
        ``bcd`` options for Lasso and for L1-logistic problems (``problem.info["loss"]``);
        a loss with None is not run.
    description : str
        Shown in the settings.

    Returns
    -------
    SolverSpec
    """
    import solvers

    per_loss = {"lasso": lasso, "logistic": logistic}

    def options(problem):
        return per_loss[problem.info.get("loss", "lasso")] or {}

    def solve(problem, tol, max_iter):
        f, g = problem.fresh()
        return solvers.bcd(f, g, tol=tol, max_iter=max_iter, measure="gap",
                           **options(problem))

    def history(problem, tol, max_iter):
        t0 = time.perf_counter()
        f, g = problem.fresh()
        setup = time.perf_counter() - t0
        res = solvers.bcd(f, g, tol=tol, max_iter=max_iter, measure="gap", **options(problem))
        h = res.history
        return {"time": h.time, "gap": h.measure, "iteration": np.asarray(h.nit),
                "setup_time": setup}

    settings = {"lasso": lasso, "logistic": logistic, "measure": "gap (the shared function)",
                "tol": "target (no calibration needed: same measure)",
                "max_iter": "1e9 coordinate updates (no cap in practice)",
                "set-up in timing": "yes: fresh smooth part (on a CSC copy of X) per run"}
    if description:
        settings["what"] = description
    return SolverSpec(name=name, library="optsuite", run=solve, settings=settings, ours=True,
                      max_iter=10**9, history=history, iter_unit="coordinate updates",
                      calibrate=True,
                      applies_to=lambda p: per_loss.get(p.info.get("loss", "lasso")) is not None)


# --------------------------------------------------------------------------- memory
def _traced_peak(fn):
    gc.collect()
    tracemalloc.start()
    try:
        t0 = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, elapsed


def memory_extra(peers=True):
    """Peak traced memory of one solve per solver on the problems flagged
    ``info["memory"] = True``, against the bytes of ``X``.

    Each solver runs once more, after the race (so warm), at the tolerance the race used,
    inside ``tracemalloc.start()`` / ``get_traced_memory()``. tracemalloc sees allocations
    through Python's allocators -- numpy arrays included -- but not memory that compiled code
    allocates itself (numba's runtime, Cython/C ``malloc`` in liblinear, celer, skglm), so peer
    numbers are lower bounds; optsuite's ``bcd`` allocates its work arrays (and its copies of
    ``X``) with numpy, so they are counted. The CSC copy of ``X`` that optsuite's smooth part
    is built on (and the peers' layout copies) are made before the measurement and not
    counted.

    Parameters
    ----------
    peers : bool, default True
        Also measure the peers.

    Returns
    -------
    benchmarks.harness.Extra
    """

    def run(ctx):
        suite, results, say = ctx["suite"], ctx["results"], ctx["say"]
        rows, data = [], []
        for prob in suite.problems:
            if not prob.info.get("memory"):
                continue
            xb = matrix_bytes(prob.data["X"])
            race = results["problems"].get(prob.name, {}).get("solvers", {})
            for spec in suite.solvers:
                if not spec.applies(prob) or (not spec.ours and not peers):
                    continue
                tol = race.get(spec.name, {}).get("tol", spec.solver_tol(
                    prob, suite.target_rel * prob.gap_at_zero()))
                peak, elapsed = _traced_peak(lambda: spec.run(prob, tol, spec.max_iter))
                say(f"    {prob.name:<28s} {spec.name:<22s} peak {peak / 2**20:8.2f} MiB "
                    f"= {peak / xb:6.2f} x size(X)")
                data.append({"problem": prob.name, "solver": spec.name, "peak_bytes": peak,
                             "X_bytes": xb, "ratio": peak / xb, "tol": tol,
                             "seconds_traced": elapsed, "ours": spec.ours})
                seen = "numpy (all its work arrays)" if spec.ours else "Python/numpy only"
                rows.append(f"| {prob.name} | {spec.name} | {xb / 2**20:.2f} | "
                            f"{peak / 2**20:.2f} | {peak / xb:.2f} | {seen} |")
        md = ["Peak memory traced by `tracemalloc` during one solve (after the race, at the "
              "race's tolerance) against the bytes of X (CSR data + indices + indptr). "
              "tracemalloc does not see memory allocated by compiled code itself (numba "
              "runtime, C/Cython `malloc`), so peer figures are lower bounds.", "",
              "| problem | solver | size(X) [MiB] | peak traced [MiB] | peak / size(X) | "
              "what is traced |", "|---|---|---:|---:|---:|---|"] + rows
        return {"markdown": "\n".join(md) + "\n", "data": data}

    return Extra(name="memory", title="Memory: peak traced memory of one solve vs size of X",
                 run=run)
