"""Coordinate descent with SCAD / MCP against the working-set accelerated gradient and skglm,
on the design of the simulation of Yang, Asgharian and Bhatnagar.

Per setting ``(model, penalty, tau, N)`` and replication: the data of
:func:`benchmarks.nonconvex_sim.simulate` (``p = 2050``, no intercept) with the study's
``lambda``, ``a = 3.7`` / ``gamma = 3`` and ``tol = 1e-8`` for every method. Methods:
``solvers.bcd`` with the GS-q and GSL rules (compiled working-set engine), ``solvers.nonconvex_ag``
with working sets (the default of ``path`` and of the estimators; :data:`WS_MAX_ITER` inner
iterations), and skglm's
``GeneralizedLinearEstimator`` with ``AndersonCD``. Every method is warmed up (compiled) on a
small instance first, then timed once per replication in the same process on the same
arrays; medians over the replications are reported. All final points are scored by the one
objective ``f + g`` and the one stationarity measure :func:`kkt` (the largest distance of
``-grad f`` to the Clarke subdifferential of ``g``).
"""
from __future__ import annotations

import warnings

import numpy as np

from .harness import Extra, _timed, library_version
from .nonconvex_sim import _penalty, data_fit, simulate, skglm_fit

TOL = 1e-8
METHODS = ("bcd gs-q", "bcd gsl", "nonconvex_ag WS", "skglm")
#: Inner iterations of the working-set nonconvex_ag over all its rounds (each on the working
#: set's columns only). The simulation's 5000 stop short of 1e-8 on separable logistic fits
#: (N <= 500 < p): there the infimum is not attained and the KKT distance only falls as the
#: coefficients grow along a separating direction, which takes tens of thousands of
#: iterations; skglm's own budget (200 outer rounds of up to 50,000 epochs) is larger still.
WS_MAX_ITER = 50_000
#: Title of the suite's section on separable logistic fits (working sets and skglm only).
SEPARABLE_TITLE = ("Separable logistic fits (N < p): working-set nonconvex_ag vs skglm to a "
                   "KKT distance of 1e-8")


def kkt(f, g, x):
    """Largest distance of ``-grad f(x)`` to the subdifferential of ``g`` at ``x``."""
    return float(np.max(g.subdiff_distance(x, f.grad(x))))


def _methods(names=METHODS):
    """``{name: run(f, g) -> x}`` of the ``names`` among :data:`METHODS` (skglm only when
    installed)."""
    import solvers

    out = {
        "bcd gs-q": lambda f, g: solvers.bcd(f, g, rule="gs-q", tol=TOL).x,
        "bcd gsl": lambda f, g: solvers.bcd(f, g, rule="gsl", tol=TOL).x,
        "nonconvex_ag WS": lambda f, g: solvers.nonconvex_ag(f, g, tol=TOL,
                                                             max_iter=WS_MAX_ITER,
                                                             working_set=True).x,
    }
    try:
        import skglm  # noqa: F401
        out["skglm"] = lambda f, g: np.ravel(skglm_fit(f, g, TOL).coef_)
    except ImportError:
        pass
    return {name: run for name, run in out.items() if name in names}


def _problem(model, kind, tau, n, seed, p=2050):
    X, y, _ = simulate(n, tau, model, p=p, seed=seed)
    return data_fit(model, X, y), _penalty(kind, model)


def compare(model, kind, tau, n, seed, p=2050, methods=METHODS):
    """One replication: ``{method: {time, F, kkt, nnz}}`` (methods already warmed up)."""
    f, g = _problem(model, kind, tau, n, seed, p)
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a run that misses tol is recorded, not raised
        for name, run in _methods(methods).items():
            x, seconds = _timed(lambda: run(f, g))
            out[name] = {"time": seconds, "F": float(f.value(x) + g.value(x)),
                         "kkt": kkt(f, g, x), "nnz": int(np.count_nonzero(x))}
    return out


def _warm_up(models, methods=METHODS):
    """Compile every method's kernels on small instances of the models."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for model in models:
            for kind in ("SCAD", "MCP"):
                f, g = _problem(model, kind, 0.5, 60, seed=1, p=300)
                for run in _methods(methods).values():
                    run(f, g)


def bcd_extra(settings, reps=3, p=2050, methods=METHODS, name="coordinate descent",
              title="Coordinate descent (bcd) with SCAD / MCP vs working-set nonconvex_ag and "
                    "skglm"):
    """The suite section: ``settings = [(model, penalty, tau, N)]``, ``reps`` replications
    (seeds as in the simulation), the ``methods`` among :data:`METHODS`."""

    def run(ctx):
        say = ctx["say"]
        _warm_up(sorted({s[0] for s in settings}), methods)
        rows = []
        for model, kind, tau, n in settings:
            recs = [compare(model, kind, tau, n, seed=1000 * r + n, p=p, methods=methods)
                    for r in range(reps)]
            row = {"model": model, "penalty": kind, "tau": tau, "n": n, "reps": reps}
            best = [min(v["F"] for v in rec.values()) for rec in recs]
            for name in METHODS:
                if not all(name in rec for rec in recs):
                    continue
                row[name] = {
                    "time": float(np.median([rec[name]["time"] for rec in recs])),
                    "F_rel": float(np.median([(rec[name]["F"] - b) / abs(b)
                                              for rec, b in zip(recs, best)])),
                    "kkt": float(np.median([rec[name]["kkt"] for rec in recs])),
                    "reached": sum(rec[name]["kkt"] <= TOL for rec in recs),
                    "nnz": float(np.median([rec[name]["nnz"] for rec in recs])),
                }
            rows.append(row)
            say(f"    {model:8s} {kind:4s} tau={tau:<4g} N={n:<5d} " + "  ".join(
                f"{m} {row[m]['time']:.3f} s F{_rel(row[m]['F_rel'])}"
                for m in METHODS if m in row))
        return {"markdown": _markdown(rows), "data": {"rows": rows, "tol": TOL,
                                                      "skglm": library_version("skglm")}}

    return Extra(name=name, title=title, run=run)


def _rel(v):
    return " best" if v <= 0 else f" +{100 * v:.2g}%"


def _markdown(rows):
    methods = [m for m in METHODS if any(m in r for r in rows)]
    lines = ["Medians over replications (one timed run each after a warm-up on a small "
             "instance): time, [k] the runs whose largest KKT distance is <= 1e-8, F the "
             "final objective relative to the best method of each replication.", "",
             "| model | penalty | tau | N | " + " | ".join(methods) + " |",
             "|---|---|---:|---:|" + "---:|" * len(methods)]
    for row in rows:
        cells = []
        for m in methods:
            r = row.get(m)
            cells.append("-" if r is None else
                         f"{r['time']:.3f} s [{r['reached']}], F{_rel(r['F_rel'])}")
        lines.append(f"| {row['model']} | {row['penalty']} | {row['tau']:g} | {row['n']} | "
                     + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
