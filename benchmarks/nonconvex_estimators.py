"""The scikit-learn estimators with SCAD / MCP against skglm's, on the design of the
simulation of Yang, Asgharian and Bhatnagar with an intercept.

Per setting ``(penalty, tau, N)`` and replication: the data of
:func:`benchmarks.nonconvex_sim.simulate` (linear model, ``p = 2050``) with 2 added to the
response (so the unpenalized intercept matters), ``alpha = 0.2``, ``a = 3.7`` / ``gamma = 3``,
``tol = 1e-8`` for both libraries (ours: largest KKT distance; skglm: its own KKT criterion).
Ours: :class:`solvers.interfaces.MCPRegression` / ``SCADRegression`` (working sets, the
default). skglm: ``MCPRegression`` resp. ``GeneralizedLinearEstimator(Quadratic(), SCAD,
AndersonCD)`` with ``fit_intercept=True``. Each fit is timed ``runs`` times after one
warm-up (compilation) in the same process on the same arrays; the median is kept. Both
final points are scored by one function, :func:`objective`.
"""
from __future__ import annotations

import warnings

import numpy as np

from .harness import Extra, _timed, library_version
from .nonconvex_sim import LAMBDA, MCP_GAMMA, SCAD_A, simulate

#: Added to the simulated response: the intercept the estimators fit.
INTERCEPT = 2.0
TOL = 1e-8


def objective(X, y, w, b, penalty):
    """``||y - X w - b||^2 / (2 n) + penalty(w)``: the one objective both fits are scored by."""
    r = y - X @ w - b
    return float(r @ r) / (2 * len(y)) + float(penalty.value(w))


def _ours(kind):
    from solvers.interfaces import MCPRegression, SCADRegression

    lam = LAMBDA["linear"]
    if kind == "MCP":
        return lambda: MCPRegression(alpha=lam, gamma=MCP_GAMMA, tol=TOL, max_iter=20_000)
    return lambda: SCADRegression(alpha=lam, a=SCAD_A, tol=TOL, max_iter=20_000)


def _skglm(kind):
    import skglm
    from skglm.datafits import Quadratic
    from skglm.penalties import SCAD
    from skglm.solvers import AndersonCD

    lam = LAMBDA["linear"]
    if kind == "MCP":
        return lambda: skglm.MCPRegression(alpha=lam, gamma=MCP_GAMMA, tol=TOL, max_iter=200,
                                           fit_intercept=True)
    return lambda: skglm.GeneralizedLinearEstimator(
        Quadratic(), SCAD(lam, SCAD_A), AndersonCD(tol=TOL, max_iter=200, fit_intercept=True))


def _timed_fit(make, X, y, runs):
    """Median seconds of ``runs`` fits after a warm-up, and the last fitted estimator."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a non-converged fit is recorded, not raised
        make().fit(X, y)
        times = []
        for _ in range(runs):
            est, seconds = _timed(lambda: make().fit(X, y))
            times.append(seconds)
    return float(np.median(times)), est


def compare(kind, tau, n, seed, runs=3):
    """One replication: ``{library: {time, F, nnz, converged}}``."""
    import problems

    X, y, _ = simulate(n, tau, "linear", seed=seed)
    y = y + INTERCEPT
    pen = problems.MCP(LAMBDA["linear"], gamma=MCP_GAMMA) if kind == "MCP" else \
        problems.SCAD(LAMBDA["linear"], a=SCAD_A)
    out = {}
    t, est = _timed_fit(_ours(kind), X, y, runs)
    w = np.ravel(est.coef_)
    out["optsuite"] = {"time": t, "F": objective(X, y, w, float(est.intercept_), pen),
                       "nnz": int(np.count_nonzero(w)),
                       "converged": bool(est.stationarity_ <= TOL)}
    try:
        make = _skglm(kind)
    except ImportError:
        return out
    t, est = _timed_fit(make, X, y, runs)
    w = np.ravel(est.coef_)
    b = float(np.ravel(est.intercept_)[0]) if np.ndim(est.intercept_) else float(est.intercept_)
    out["skglm"] = {"time": t, "F": objective(X, y, w, b, pen), "nnz": int(np.count_nonzero(w)),
                    "converged": bool(float(est.stop_crit_) <= TOL)}
    return out


def estimator_extra(settings, reps=3, runs=3):
    """The suite section: ``settings = [(penalty, tau, N)]``, ``reps`` replications each."""

    def run(ctx):
        say = ctx["say"]
        rows = []
        for kind, tau, n in settings:
            recs = [compare(kind, tau, n, seed=1000 * r + n + 7, runs=runs) for r in range(reps)]
            row = {"penalty": kind, "tau": tau, "n": n, "reps": reps}
            for lib in ("optsuite", "skglm"):
                if all(lib in rec for rec in recs):
                    row[lib] = {
                        "time": float(np.median([rec[lib]["time"] for rec in recs])),
                        "nnz": float(np.median([rec[lib]["nnz"] for rec in recs])),
                        "converged": sum(rec[lib]["converged"] for rec in recs),
                    }
            if "skglm" in row:
                row["time_ratio"] = row["optsuite"]["time"] / row["skglm"]["time"]
                rel = [(rec["optsuite"]["F"] - rec["skglm"]["F"]) / abs(rec["skglm"]["F"])
                       for rec in recs]
                row["F_rel_median"] = float(np.median(rel))
                row["F_lower"] = sum(v <= 1e-9 for v in rel)
            rows.append(row)
            say(f"    {kind:4s} tau={tau:<4g} N={n:<5d} " + _line(row))
        return {"markdown": _markdown(rows), "data": {"rows": rows, "skglm":
                                                      library_version("skglm")}}

    return Extra(name="estimators", title="Estimators: MCPRegression / SCADRegression vs skglm "
                 "(with intercept)", run=run)


def _line(row):
    o = row["optsuite"]
    if "skglm" not in row:
        return f"optsuite {o['time']:.3f} s (skglm not installed)"
    s = row["skglm"]
    return (f"optsuite {o['time']:.3f} s [{o['converged']}/{row['reps']}]  skglm "
            f"{s['time']:.3f} s [{s['converged']}/{row['reps']}]  ratio {row['time_ratio']:.2f}  "
            f"F ours vs skglm {100 * row['F_rel_median']:+.2f}% (lower or equal in "
            f"{row['F_lower']}/{row['reps']})  nnz {o['nnz']:.0f} / {s['nnz']:.0f}")


def _markdown(rows):
    lines = ["Medians over replications (each fit timed 3 times after a warm-up, median); "
             "[k]: fits that reached tol = 1e-8; F: our final objective relative to "
             "skglm's, and in how many replications ours is lower or equal.", "",
             "| penalty | tau | N | optsuite time [k] | skglm time [k] | time ratio | "
             "F ours vs skglm | ours lower or equal | nonzeros ours / skglm |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        o = row["optsuite"]
        if "skglm" not in row:
            lines.append(f"| {row['penalty']} | {row['tau']:g} | {row['n']} | "
                         f"{o['time']:.3f} s [{o['converged']}] | - | - | - | - | "
                         f"{o['nnz']:.0f} / - |")
            continue
        s = row["skglm"]
        lines.append(
            f"| {row['penalty']} | {row['tau']:g} | {row['n']} | {o['time']:.3f} s "
            f"[{o['converged']}] | {s['time']:.3f} s [{s['converged']}] | "
            f"{row['time_ratio']:.2f} | {100 * row['F_rel_median']:+.2f}% | "
            f"{row['F_lower']}/{row['reps']} | {o['nnz']:.0f} / {s['nnz']:.0f} |")
    return "\n".join(lines) + "\n"
