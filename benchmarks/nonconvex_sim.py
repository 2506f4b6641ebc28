"""The simulation of Yang, Asgharian and Bhatnagar (Statistics and Computing 2024), section 4:
SCAD / MCP penalized linear and logistic regression on Toeplitz-correlated designs.

* :func:`simulate` -- one replication: ``p = 2050`` standardized features with
  ``corr(X_j, X_k) = tau^|j - k|``, 50 true signals in five blocks of ten (features 0-9,
  510-519, 1020-1029, 1530-1539, 2040-2049), noise at a given SNR.
* :func:`run_methods` -- nonconvex AG (optimal damping and the Ghadimi-Lan setting), proximal
  gradient, monotone FISTA and skglm on one replication; iterations and time to the paper's
  target and to a gradient mapping of 1e-8, final objective, support recovery, estimation
  error.
* :func:`simulation_extra` -- the suite section: every setting, replications, a table of
  medians and a plot.
"""
from __future__ import annotations

import json
import math
import os
import time

import numpy as np

from .harness import Extra, library_version
from .time_limit import TimeLimitExceeded, call_with_time_limit

P = 2050
SIGNAL_BLOCKS = (0, 510, 1020, 1530, 2040)
#: (mean, sd) of the normal laws of the five signal blocks (the authors' simulation code).
LINEAR_LAWS = ((0.5, 1.0), (5.0, 2.0), (10.0, 3.0), (20.0, 4.0), (50.0, 5.0))
LOGISTIC_LAWS = ((0.5, 1.0), (0.5, 1.0), (-0.5, 1.0), (-0.5, 1.0), (1.0, 1.0))
#: The paper's targets on F - F_min for counting iterations (linear: e^3, logistic: e^-4).
PAPER_TARGET = {"linear": math.exp(3.0), "logistic": math.exp(-4.0)}
#: Penalty strengths of the paper (linear 0.2, logistic 0.02), a = 3.7, gamma = 3.
LAMBDA = {"linear": 0.2, "logistic": 0.02}
SCAD_A, MCP_GAMMA = 3.7, 3.0
#: The methods of the paper's comparison, whose best objective defines its F_min.
PAPER_METHODS = ("AG optimal", "AG Ghadimi-Lan", "prox_grad")
#: The paper's median iterations to its target, linear model, SCAD, tau = 0.9, by N (prox_grad
#: did not reach it at N = 3000), drawn beside ours by the plot.
PAPER_ITERATIONS = {
    ("linear", "SCAD", 0.9): {"AG optimal": {200: 37, 500: 72, 1000: 172, 3000: 432},
                              "AG Ghadimi-Lan": {200: 60, 500: 111, 1000: 260, 3000: 657},
                              "prox_grad": {200: 104, 500: 362, 1000: 2012}},
}


def simulate(n, tau, model, snr=5.0, p=P, seed=0):
    """One replication of the paper's design.

    Rows are AR(1) sequences ``x_j = tau x_{j-1} + sqrt(1 - tau^2) z_j`` (exactly the
    Toeplitz correlation ``tau^|j-k|``); columns are then centered and scaled to unit
    population variance. The noise level is ``sigma = sqrt(beta^T Sigma beta / snr)``.

    Parameters
    ----------
    n : int
    tau : float
    model : {"linear", "logistic"}
    snr : float, default 5
    p : int, default 2050
    seed : int

    Returns
    -------
    X : ndarray of shape (n, p)
    y : ndarray of shape (n,)
        Responses (linear) or labels -1/+1 (logistic).
    beta : ndarray of shape (p,)
    """
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, p))
    X = np.empty((n, p))
    X[:, 0] = Z[:, 0]
    c = math.sqrt(1.0 - tau * tau)
    for j in range(1, p):
        X[:, j] = tau * X[:, j - 1] + c * Z[:, j]
    X -= X.mean(axis=0)
    X /= X.std(axis=0)
    beta = np.zeros(p)
    laws = LINEAR_LAWS if model == "linear" else LOGISTIC_LAWS
    idx = support_indices(p)
    for b, (mu, sd) in zip(SIGNAL_BLOCKS, laws):
        if b + 10 <= p:
            beta[b:b + 10] = rng.normal(mu, sd, 10)
    nz = idx[beta[idx] != 0]
    cov = tau ** np.abs(nz[:, None] - nz[None, :])
    sigma = math.sqrt(float(beta[nz] @ cov @ beta[nz]) / snr)
    eta = X @ beta + sigma * rng.standard_normal(n)
    if model == "linear":
        return X, eta, beta
    prob = 1.0 / (1.0 + np.exp(-eta))
    return X, np.where(rng.random(n) < prob, 1.0, -1.0), beta


def support_indices(p=P):
    """Indices of the 50 true signals."""
    return np.concatenate([np.arange(b, b + 10) for b in SIGNAL_BLOCKS if b + 10 <= p])


def recovery(x, beta):
    """``(PPV, F1, ||x - beta||_2)`` of an estimate against the truth."""
    sel, true = x != 0, beta != 0
    tp = int(np.sum(sel & true))
    ppv = tp / max(int(sel.sum()), 1)
    tpr = tp / max(int(true.sum()), 1)
    f1 = 0.0 if tp == 0 else 2 * ppv * tpr / (ppv + tpr)
    return ppv, f1, float(np.linalg.norm(x - beta))


def _penalty(kind, model):
    import problems

    lam = LAMBDA[model]
    return problems.SCAD(lam, a=SCAD_A) if kind == "SCAD" else problems.MCP(lam, gamma=MCP_GAMMA)


def data_fit(model, X, y):
    """The smooth part of the ``model`` ("linear" or "logistic") on the data."""
    import problems

    return problems.LeastSquares(X, y) if model == "linear" else problems.Logistic(X, y)


def skglm_fit(f, g, tol, max_iter=200):
    """skglm's ``GeneralizedLinearEstimator`` (``AndersonCD``, no intercept) fitted to the
    same ``f + g`` (SCAD or MCP on least squares or logistic regression); the fitted
    estimator has ``coef_`` and ``stop_crit_``. ImportError without skglm."""
    from skglm import GeneralizedLinearEstimator
    from skglm.datafits import Logistic, Quadratic
    from skglm.penalties import SCAD, MCPenalty
    from skglm.solvers import AndersonCD

    import problems

    datafit = Quadratic() if isinstance(f, problems.LeastSquares) else Logistic()
    pen = SCAD(g.alpha, g.a) if isinstance(g, problems.SCAD) else MCPenalty(g.alpha, g.gamma)
    return GeneralizedLinearEstimator(datafit, pen, AndersonCD(
        tol=tol, max_iter=max_iter, fit_intercept=False)).fit(f.X, f.y)


_SKGLM_WARM = set()


def _warm_up_skglm(f, g):
    """One skglm fit on a 20 x 10 slice of the same data (same types and memory layout), so
    that numba compiles skglm's loops for this data-fit / penalty pair in this process."""
    import problems

    model = "linear" if isinstance(f, problems.LeastSquares) else "logistic"
    key = (model, type(g).__name__, f.X.flags.f_contiguous)
    if key in _SKGLM_WARM:
        return
    X = np.array(f.X[:20, :10], order="F" if f.X.flags.f_contiguous else "C")
    skglm_fit(data_fit(model, X, np.array(f.y[:20])), g, 1e-4)
    _SKGLM_WARM.add(key)


def _ours(name, run):
    def go(f, g, tol, max_iter):
        t0 = time.perf_counter()
        res = run(f, g, tol, max_iter)
        total = time.perf_counter() - t0
        h = res.history
        return {"x": np.asarray(res.x), "objective": np.asarray(h.objective, dtype=float),
                "time": np.asarray(h.time, dtype=float), "nits": np.asarray(h.nit),
                "total_time": total,
                "nit": int(res.nit), "converged": bool(res.success)}
    return name, go


def methods(peer_time_limit=None):
    """``[(name, run(f, g, tol, max_iter) -> dict)]`` of the compared solvers (skglm last,
    when installed).

    ``peer_time_limit`` (seconds, or None for no limit): skglm's fit runs in a forked child
    that is killed after that long (its compiled loop cannot be interrupted otherwise); the
    record of a killed fit has ``timed_out`` set and no final point."""
    import solvers

    # (with working sets the history has one row per working set, its ``nit`` the inner
    # iterations so far: iteration counts to the target are then at round ends)
    out = [
        _ours("AG optimal", lambda f, g, tol, it: solvers.nonconvex_ag(
            f, g, tol=tol, max_iter=it)),
        _ours("AG optimal + WS", lambda f, g, tol, it: solvers.nonconvex_ag(
            f, g, tol=tol, max_iter=it, working_set=True)),
        _ours("AG Ghadimi-Lan", lambda f, g, tol, it: solvers.nonconvex_ag(
            f, g, damping="ghadimi-lan", tol=tol, max_iter=it)),
        _ours("prox_grad", lambda f, g, tol, it: solvers.prox_grad(
            f, g, tol=tol, max_iter=it)),
        _ours("FISTA monotone", lambda f, g, tol, it: solvers.fista(
            f, g, tol=tol, max_iter=it, monotone=True, restart="function")),
    ]
    try:
        import skglm  # noqa: F401
    except ImportError:
        return out

    def timed_fit(f, g, tol):
        t0 = time.perf_counter()
        est = skglm_fit(f, g, tol)
        return time.perf_counter() - t0, est.coef_.ravel(), float(est.stop_crit_)

    def skglm_run(f, g, tol, max_iter):
        _warm_up_skglm(f, g)  # compiled here, untimed (and not again in a child)
        try:
            total, x, crit = call_with_time_limit(timed_fit, peer_time_limit, f, g, tol)
        except TimeLimitExceeded:
            return {"x": None, "objective": np.array([np.inf]), "time": np.array([np.inf]),
                    "total_time": float(peer_time_limit), "nit": None, "converged": False,
                    "timed_out": True}
        F = float(f.value(x) + g.value(x))
        # skglm's stopping criterion is its largest KKT violation (the subdifferential
        # distance, the working sets' measure); it stops at max_iter without reaching tol
        return {"x": x, "objective": np.array([F]), "time": np.array([total]),
                "total_time": total, "nit": None,
                "converged": bool(crit <= tol)}

    out.append(("skglm", skglm_run))
    return out


def run_methods(X, y, beta, model, kind, tol=1e-8, max_iter=5000, peer_time_limit=None):
    """All methods on one replication. Returns ``{method: record}`` with ``F_final``,
    ``it_paper`` / ``t_paper`` (first iteration / time with ``F - F_min <= PAPER_TARGET``,
    None when not reached), ``it_tol`` / ``t_tol`` (iterations / time to the gradient mapping
    ``tol``, None when not reached), ``t_total``, ``ppv``, ``f1``, ``error``. A peer fit
    killed at ``peer_time_limit`` seconds (see :func:`methods`) has ``timed_out: True``,
    ``t_total`` the limit, and None for everything measured at its final point."""
    f = data_fit(model, X, y)
    g = _penalty(kind, model)
    runs = {}
    for name, go in methods(peer_time_limit):
        runs[name] = go(f, g, tol, max_iter)
    # the paper's F_min: the best objective of the three methods it compares (its iteration
    # counts are relative to that, not to other algorithms' stationary points)
    F_min = min(float(np.min(runs[m]["objective"])) for m in PAPER_METHODS if m in runs)
    target = PAPER_TARGET[model]
    out = {}
    for name, r in runs.items():
        if r.get("timed_out"):
            out[name] = {"F_final": None, "it_paper": None, "t_paper": None, "it_tol": None,
                         "t_tol": None, "t_total": r["total_time"], "ppv": None, "f1": None,
                         "error": None, "timed_out": True}
            continue
        obj = r["objective"]
        hit = np.flatnonzero(obj - F_min <= target)
        ours = r["nit"] is not None
        ppv, f1, err = recovery(r["x"], beta)
        out[name] = {
            "F_final": float(f.value(r["x"]) + g.value(r["x"])),
            "it_paper": int(r["nits"][hit[0]]) if ours and hit.size else None,
            "t_paper": float(r["time"][hit[0]]) if ours and hit.size else None,
            "it_tol": r["nit"] if ours and r["converged"] else None,
            "t_tol": r["total_time"] if r["converged"] else None,
            "t_total": r["total_time"],
            "ppv": ppv, "f1": f1, "error": err,
        }
    return out


def _median(values):
    v = [x for x in values if x is not None]
    return (float(np.median(v)), len(v)) if v else (None, 0)


#: ``peer_time_limit`` of a ReplicationCache that reuses records whatever limit killed a fit.
ANY_LIMIT = object()
#: File (in the run's output directory) of finished replications; see ReplicationCache.
CACHE_NAME = "simulation_replications.json"


class ReplicationCache:
    """Finished replications of the simulation, kept in a JSON file so that an interrupted
    run resumes: a rerun with the same ``--out`` reuses every replication already done
    (keyed by model, penalty, tau, N and replication index; the seed is a function of these)
    and only computes the missing ones. The file is written after each replication. Records
    made with another ``tol`` or ``max_iter`` are not reused; nor, when ``peer_time_limit`` is
    given (seconds or None), is a replication whose peer fit was killed at another limit.
    Each replication's times are
    measured in one process for all methods, so the per-replication comparisons stay
    like-for-like when a study is spread over several runs."""

    def __init__(self, path, *, tol, max_iter, peer_time_limit=ANY_LIMIT):
        self.path = path
        self.peer_time_limit = peer_time_limit
        self.params = {"tol": tol, "max_iter": max_iter}
        self.records = {}
        if path.exists():
            saved = json.loads(path.read_text())
            if saved.get("params") == self.params:
                self.records = saved.get("records", {})

    @staticmethod
    def _key(key):
        model, kind, tau, n, r = key
        return f"{model}|{kind}|{float(tau):g}|{int(n)}|{int(r)}"

    def get(self, key):
        """The stored record of replication ``key`` or None."""
        rec = self.records.get(self._key(key))
        if rec is None or self.peer_time_limit is ANY_LIMIT:
            return rec
        # (a killed fit's t_total is the limit it was killed at)
        killed_at = [r["t_total"] for r in rec.values() if r.get("timed_out")]
        return None if any(t != self.peer_time_limit for t in killed_at) else rec

    def put(self, key, record):
        """Store ``record`` and rewrite the file (atomically)."""
        self.records[self._key(key)] = record
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({"params": self.params, "records": self.records}))
        os.replace(tmp, self.path)


def setting_rows(setting, recs):
    """Medians over the replications ``recs`` (records of :func:`run_methods`) of one
    ``setting = (model, penalty, tau, N)``: one row per method, with iterations and time to
    the paper's target and to the tolerance (and how many replications reached them), the
    median relative excess of the final objective over the best method of each replication,
    PPV, F1 and estimation error."""
    model, kind, tau, n = setting
    # (a peer fit killed at the time limit has no final point: it counts in t(all) with the
    # limit, and is left out of the medians of everything measured at the final point)
    F_best = [min(rec[m]["F_final"] for m in rec if rec[m]["F_final"] is not None)
              for rec in recs]
    rows = []
    for m in recs[0]:
        it_p, k_p = _median([rec[m]["it_paper"] for rec in recs])
        t_p, _ = _median([rec[m]["t_paper"] for rec in recs])
        it_t, k_t = _median([rec[m]["it_tol"] for rec in recs])
        t_t, k_time = _median([rec[m]["t_tol"] for rec in recs])
        # (records before 2026-12-01 have no t_total)
        t_all, _ = _median([rec[m].get("t_total") for rec in recs])
        rel = [(rec[m]["F_final"] - Fb) / max(abs(Fb), 1e-300)
               for rec, Fb in zip(recs, F_best) if rec[m]["F_final"] is not None]
        rows.append({
            "model": model, "penalty": kind, "tau": tau, "n": n, "method": m,
            "it_paper": it_p, "reached_paper": k_p, "t_paper": t_p,
            "it_tol": it_t, "reached_tol": max(k_t, k_time), "t_tol": t_t, "t_total": t_all,
            "F_rel_median": float(np.median(rel)) if rel else None,
            "ppv": _median([rec[m]["ppv"] for rec in recs])[0],
            "f1": _median([rec[m]["f1"] for rec in recs])[0],
            "error": _median([rec[m]["error"] for rec in recs])[0],
            "timed_out": sum(bool(rec[m].get("timed_out")) for rec in recs),
        })
    return rows


def simulation_extra(settings, tol=1e-8, max_iter=5000, peer_time_limit=None):
    """The suite section: ``settings`` = [(model, kind, tau, n)]; the replications are the
    run's ``repeat`` (``python -m benchmarks run nonconvex --repeat R``); a skglm fit still
    running after ``peer_time_limit`` seconds is killed and recorded as timed out (None: no
    limit)."""

    def run(ctx):
        say, out_dir = ctx["say"], ctx["out_dir"]
        reps = int(ctx["results"]["repeat"])
        cache = ReplicationCache(out_dir / CACHE_NAME, tol=tol, max_iter=max_iter,
                                 peer_time_limit=peer_time_limit)
        rows, data = [], []
        for model, kind, tau, n in settings:
            recs = []
            t0 = time.perf_counter()
            for r in range(reps):
                key = (model, kind, tau, n, r)
                rec = cache.get(key)
                if rec is None:
                    X, y, beta = simulate(n, tau, model, seed=1000 * r + n)
                    rec = run_methods(X, y, beta, model, kind, tol=tol, max_iter=max_iter,
                                      peer_time_limit=peer_time_limit)
                    cache.put(key, rec)
                recs.append(rec)
            say(f"    {model:8s} {kind:4s} tau={tau:<4g} N={n:<5d} {reps} reps "
                f"({time.perf_counter() - t0:.0f} s)")
            for row in setting_rows((model, kind, tau, n), recs):
                data.append(row)
                say(f"      {row['method']:16s} it(paper) {_fmt(row['it_paper'])} "
                    f"[{row['reached_paper']}/{reps}]  t(paper) {_fmt(row['t_paper'], 's')}  "
                    f"it(tol) {_fmt(row['it_tol'])} [{row['reached_tol']}/{reps}]  t(tol) "
                    f"{_fmt(row['t_tol'], 's')}  F-Fbest {_rel(row)}  F1 {_f1(row)}"
                    + (f"  timed out {row['timed_out']}" if row["timed_out"] else ""))
                rows.append(row)
        md = _markdown(rows, reps, tol, max_iter)
        files = []
        if ctx.get("plots"):
            path = _plot(rows, out_dir)
            if path:
                files.append(path)
        return {"markdown": md, "data": {"rows": data, "reps": reps, "tol": tol,
                                         "max_iter": max_iter,
                                         "skglm": library_version("skglm")},
                "files": files}

    return Extra(name="simulation", title="Simulation of Yang, Asgharian and Bhatnagar (2024)",
                 run=run)


def summarize(dirs, settings, reps, *, tol=1e-8, max_iter=5000, partial=False):
    """Summary of a study from its replication caches, without computing anything.

    ``dirs``: output directories (of one run spread over several sessions, or of workers run
    side by side) whose ``simulation_replications.json`` are read and merged (a replication
    found in several is taken from the first); records made with another ``tol`` /
    ``max_iter`` are ignored. Settings with all ``reps`` replications finished get one line of
    :func:`compact_markdown`; the others are listed with their count, and with ``partial``
    also summarized over the replications done (one table each, with their indices).

    Returns
    -------
    markdown : str
    rows : list of dict
        :func:`setting_rows` of the finished settings.
    missing : list of ((model, penalty, tau, N), int)
        Unfinished settings with their number of finished replications.
    """
    from pathlib import Path

    caches = [ReplicationCache(Path(d) / CACHE_NAME, tol=tol, max_iter=max_iter)
              for d in dirs]
    rows, missing, partial_md = [], [], ""
    for setting in settings:
        recs, done = [], []
        for r in range(reps):
            found = (c.get((*setting, r)) for c in caches)
            rec = next((x for x in found if x is not None), None)
            if rec is not None:
                recs.append(rec)
                done.append(r)
        if len(recs) == reps:
            rows.extend(setting_rows(setting, recs))
            continue
        missing.append((tuple(setting), len(recs)))
        if partial and recs:
            partial_md += (f"\nUnfinished: {' '.join(map(str, setting))}, over the {len(recs)} "
                           f"replications done (indices {_ranges(done)}).\n\n"
                           + compact_markdown(setting_rows(setting, recs), len(recs)))
    md = compact_markdown(rows, reps)
    if missing:
        md += "\nNot finished (replications done): " + ", ".join(
            f"{m} {k} tau={t:g} N={n} ({c})" for (m, k, t, n), c in missing) + "\n"
    return md + partial_md, rows, missing


def _ranges(indices):
    """``[0, 1, 2, 7, 9, 10]`` -> ``"0-2, 7, 9-10"``."""
    out, start = [], None
    for i, r in enumerate(indices):
        if start is None:
            start = r
        if i + 1 == len(indices) or indices[i + 1] != r + 1:
            out.append(str(start) if start == r else f"{start}-{r}")
            start = None
    return ", ".join(out)


def compact_markdown(rows, reps):
    """One line per setting: the paper's iteration counts (AG optimal, AG Ghadimi-Lan,
    prox_grad; median iterations to its target), then time to the tolerance of the
    working-set variant against skglm (their ratio; ``[k]``: replications of the working
    sets that reached it, the median is over those) and both final objectives relative to
    the best of all methods (median), and their F1."""
    by = {}
    for r in rows:
        by.setdefault((r["model"], r["penalty"], r["tau"], r["n"]), {})[r["method"]] = r
    lines = [
        f"Medians over {reps} replications. Iterations to the paper's target; time to the "
        "tolerance ([k]: replications that reached it, the median is over those); F: final "
        "objective relative to the best method of each replication.",
        "",
        "| model | penalty | tau | N | AG optimal | AG Ghadimi-Lan | prox_grad | "
        "working sets: time [k] | skglm: time [k] | time ratio | F working sets | F skglm | "
        "F1 working sets / skglm |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def it(m):
        return _fmt(m["it_paper"]) if m and m["reached_paper"] == reps else (
            "n.r." if m and m["reached_paper"] == 0 else
            f"{_fmt(m['it_paper'])} ({m['reached_paper']})" if m else "-")

    for (model, kind, tau, n), ms in by.items():
        ws, sk = ms.get("AG optimal + WS"), ms.get("skglm")
        t_ws = ws["t_tol"] if ws else None
        t_sk = sk["t_tol"] if sk else None
        ratio = f"{t_ws / t_sk:.2f}" if t_ws and t_sk else "-"
        lines.append(
            f"| {model} | {kind} | {tau:g} | {n} | {it(ms.get('AG optimal'))} | "
            f"{it(ms.get('AG Ghadimi-Lan'))} | {it(ms.get('prox_grad'))} | "
            f"{_fmt(t_ws, ' s')} [{ws['reached_tol'] if ws else 0}] | {_fmt(t_sk, ' s')} "
            f"[{sk['reached_tol'] if sk else 0}]{_timeouts(sk)} | "
            f"{ratio} | {_rel(ws)} | {_rel(sk)} | "
            f"{_f1(ws)} / {_f1(sk)} |")
    return "\n".join(lines) + "\n"


def _rel(row):
    v = None if row is None else row["F_rel_median"]
    if v is None:
        return "-"
    if v == 0:
        return "best"
    return "+<1e-6%" if v < 1e-8 else f"+{100 * v:.2g}%"  # (below: rounding of F)


def _f1(row):
    return "-" if row is None or row["f1"] is None else f"{row['f1']:.2f}"


def _num(v, spec):
    return "-" if v is None else format(v, spec)


def _timeouts(row):
    """`` (k timed out)`` when ``k`` of the row's fits were killed at the time limit."""
    k = 0 if row is None else row.get("timed_out", 0)
    return f" ({k} timed out)" if k else ""


def _fmt(v, unit=""):
    if v is None:
        return "-"
    return f"{v:.3f}{unit}" if unit else f"{v:g}"


def _markdown(rows, reps, tol, max_iter):
    lines = [
        f"Medians over {reps} replications. it(paper) / t(paper): iterations and seconds until "
        "F - F_min <= e^3 (linear) or e^-4 (logistic), F_min the best objective of the "
        "paper's three methods (AG optimal, AG Ghadimi-Lan, prox_grad) on that replication "
        "(the paper's count; the working-set variant and skglm reach other, lower stationary "
        "points and count from the same F_min); it(tol) / t(tol): to a gradient "
        f"mapping <= {tol:g} (skglm: its own KKT tolerance within its 200 outer iterations, "
        f"time only); [k/{reps}]: replications that reached it within {max_iter} iterations "
        "(the medians are over those); t(all): median time of all replications, reached or "
        "not; a fit killed at the time limit counts there with the limit and is left out "
        "of the other columns. F rel: median of "
        "(F_final - best F_final) / |best F_final|. PPV, F1: support recovery; error: "
        "||beta_hat - beta||_2.",
        "",
        "| model | penalty | tau | N | method | it(paper) | t(paper) [s] | it(tol) | "
        "t(tol) [s] | t(all) [s] | F rel | PPV | F1 | error |",
        "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['penalty']} | {r['tau']:g} | {r['n']} | {r['method']} | "
            f"{_fmt(r['it_paper'])} [{r['reached_paper']}/{reps}] | {_fmt(r['t_paper'], '')} | "
            f"{_fmt(r['it_tol'])} [{r['reached_tol']}/{reps}] | {_fmt(r['t_tol'], '')} | "
            f"{_fmt(r.get('t_total'), '')}{_timeouts(r)} | {_num(r['F_rel_median'], '.1e')} | "
            f"{_num(r['ppv'], '.2f')} | {_num(r['f1'], '.2f')} | {_num(r['error'], '.3g')} |")
    return "\n".join(lines) + "\n"


def _plot(rows, out_dir):
    """Median iterations to the paper's target against N, one panel per (model, penalty,
    tau), with the paper's own counts (hollow markers) where it reports them; None without
    matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker
    except ImportError:
        return None
    keys = sorted({(r["model"], r["penalty"], r["tau"]) for r in rows})
    fig, axes = plt.subplots(1, len(keys), figsize=(5.0 * len(keys), 4.0), squeeze=False)
    for ax, key in zip(axes[0], keys):
        sub = [r for r in rows if (r["model"], r["penalty"], r["tau"]) == key]
        paper = PAPER_ITERATIONS.get(key, {})
        for m in dict.fromkeys(r["method"] for r in sub):
            pts = [(r["n"], r["it_paper"]) for r in sub if r["method"] == m
                   and r["it_paper"] is not None]
            if not pts:
                continue
            (line,) = ax.plot(*zip(*pts), marker="o", label=m)
            if m in paper:
                ax.plot(*zip(*sorted(paper[m].items())), marker="s", linestyle="none",
                        markerfacecolor="none", color=line.get_color(),
                        label=f"{m} (paper)")
        model, kind, tau = key
        ns = sorted({r["n"] for r in sub} | {n for v in paper.values() for n in v})
        ax.set(xscale="log", yscale="log", xlabel="N", title=f"{model} {kind}, tau={tau:g}",
               ylabel="median iterations to the paper's target")
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        ax.set_xticks(ns, [str(n) for n in ns])
        ax.legend(fontsize=6, loc="upper left")
    fig.tight_layout()
    path = out_dir / "nonconvex_iterations.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return str(path)
