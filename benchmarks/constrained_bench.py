"""Constrained suite: ``solvers.exact_al`` (exact augmented Lagrangian with randomized
sketching) against SciPy's ``trust-constr`` and ``SLSQP``.

Conventions (as in the other suites, see :mod:`benchmarks.harness`):

* **Same process, same data**: every method runs here on the same problem object.
* **One shared optimality measure**, :func:`kkt_residual`: at the returned ``x``, the
  least-squares multipliers ``lam = argmin ||grad f + J^T lam||`` and
  ``||(grad f + J^T lam, c(x))||_2`` -- never a solver's own claim, and independent of the
  multipliers a method returns (SLSQP returns none). Solved: residual ``<= 1e-6`` (and a
  finite objective).
* **Warm-up first**, then the median of ``repeat`` timed runs (``time.perf_counter``).
* **SciPy's settings**: ``trust-constr`` with exact derivatives (objective gradient and
  Hessian, constraint Jacobian and the constraint part of the Lagrangian Hessian through
  ``NonlinearConstraint(..., hess=...)``), ``gtol = xtol = 1e-10``, ``maxiter = 3000``;
  ``SLSQP`` with the gradient and Jacobian, ``ftol = 1e-12``, ``maxiter = 1000``. Both from the
  SIF starting point.
"""
from __future__ import annotations

import gc
import math
import time
import warnings

import numpy as np
import scipy
import scipy.sparse as sp

from .harness import library_version
from .newton_bench import md_table, performance_profile, plot_performance_profiles

#: KKT residual at which a problem counts as solved.
SOLVED_KKT = 1e-6


def kkt_residual(problem, x):
    """The shared measure: ``||(grad f(x) + J(x)^T lam, c(x))||_2`` with least-squares
    multipliers ``lam``.

    Parameters
    ----------
    problem : equality-constrained problem (``f``, ``c``, ``jac``)
    x : ndarray

    Returns
    -------
    float
    """
    f = getattr(problem, "f", problem)
    g = np.asarray(f.grad(x), dtype=np.float64)
    c = np.asarray(problem.c(x), dtype=np.float64)
    J = problem.jac(x)
    if sp.issparse(J):
        from scipy.sparse.linalg import lsqr

        lam = lsqr(J.T, -g, atol=1e-14, btol=1e-14, iter_lim=10 * (J.shape[0] + 10))[0]
        r = g + J.T @ lam
    else:
        J = np.asarray(J, dtype=np.float64)
        lam = np.linalg.lstsq(J.T, -g, rcond=None)[0] if J.size else np.zeros(0)
        r = g + J.T @ lam
    return float(math.hypot(np.linalg.norm(r), np.linalg.norm(c)))


def versions():
    """Versions of the libraries compared (recorded in the JSON)."""
    return {"scipy": scipy.__version__, "numpy": np.__version__, "numba": _numba(),
            "optsuite": library_version("optsuite")}


def _numba():
    try:
        import numba
    except ImportError:
        return None
    return numba.__version__


# --------------------------------------------------------------------------- methods
def _ours(sketch, **opts):
    def run(p):
        import solvers

        r = solvers.exact_al(p, sketch=sketch, random_state=0, **opts)
        return r.x, r.nit, {"inner": int(r.n_inner)}
    return run


def _trust_constr(p):
    from scipy.optimize import NonlinearConstraint, minimize

    f = getattr(p, "f", p)

    def chess(x, v):
        H = p.hess_lagrangian(x, v)
        Hf = f.hess(x)
        out = H - Hf
        return sp.csr_matrix(out) if sp.issparse(out) else np.asarray(out)

    con = NonlinearConstraint(p.c, 0.0, 0.0, jac=p.jac, hess=chess)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = minimize(f.value, p.x0, jac=f.grad, hess=f.hess, method="trust-constr",
                     constraints=[con], options={"gtol": 1e-10, "xtol": 1e-10,
                                                 "maxiter": 3000})
    return r.x, int(r.nit), {}


def _slsqp(p):
    from scipy.optimize import minimize

    f = getattr(p, "f", p)

    def jac(x):
        J = p.jac(x)
        return J.toarray() if sp.issparse(J) else J

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = minimize(f.value, p.x0, jac=f.grad, method="SLSQP",
                     constraints=[{"type": "eq", "fun": p.c, "jac": jac}],
                     options={"ftol": 1e-12, "maxiter": 1000})
    return r.x, int(r.nit), {}


def methods(quick=False):
    """``{name: run(problem) -> (x, outer iterations, extra)}``."""
    out = {
        "exact_al (kaczmarz)": _ours("kaczmarz"),
        "exact_al (gaussian)": _ours("gaussian"),
        "exact_al (block)": _ours("block"),
        "exact_al (direct)": _ours("direct"),
        "scipy trust-constr": _trust_constr,
        "scipy SLSQP": _slsqp,
    }
    return out


def _timed(run, p, repeat):
    times, out = [], None
    gc.disable()
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            out = run(p)
            times.append(time.perf_counter() - t0)
    finally:
        gc.enable()
    return out, float(np.median(times))


def run_problem_set(names, load, repeat=3, say=print, only=None):
    """Every method (or those named in ``only``) on every problem: ``{method: {problem:
    record}}`` with ``kkt`` (shared measure), ``fun``, ``f_star``, ``nit``, ``time``
    (median), ``solved``."""
    meths = methods()
    if only is not None:
        meths = {m: meths[m] for m in only}
    rec = {m: {} for m in meths}
    for m, run in meths.items():  # warm-up (compilation) on the first problem
        try:
            run(load(names[0]))
        except Exception:  # noqa: BLE001 - reported per problem below
            pass
    for name in names:
        p = load(name)
        line = []
        for m, run in meths.items():
            try:
                (x, nit, extra), t = _timed(run, p, repeat)
                kkt = kkt_residual(p, x)
                fun = float(getattr(p, "f", p).value(x))
                ok = bool(kkt <= SOLVED_KKT and math.isfinite(fun))
            except Exception as exc:  # noqa: BLE001 - a failure is a result
                x, nit, extra, t, kkt, fun, ok = None, None, {"error": repr(exc)[:200]}, \
                    None, math.inf, math.nan, False
            rec[m][name] = {"kkt": kkt, "fun": fun, "f_star": getattr(p, "f_star", None), "nit": nit,
                            "time": t, "solved": ok, "n": p.n, "m": p.m, **extra}
            line.append(f"{m.split(' ')[-1]}:{'ok' if ok else 'NO'}/{nit}")
        say(f"    {name:10s} n={p.n:<5d} m={p.m:<5d} " + " ".join(line))
    return rec


def summary_rows(rec):
    """Per method: solved count, mean outer iterations over solved problems, median time,
    problems whose objective differs from ``f_star`` by more than 1e-5 (relative)."""
    rows = []
    for m, per in rec.items():
        solved = [p for p, r in per.items() if r["solved"]]
        its = [per[p]["nit"] for p in solved]
        times = [per[p]["time"] for p in solved]
        off = [p for p in solved if per[p]["f_star"] is not None
               and abs(per[p]["fun"] - per[p]["f_star"]) > 1e-5 * max(1.0, abs(per[p]["f_star"]))]
        rows.append({"method": m, "solved": len(solved), "total": len(per),
                     "mean_nit": float(np.mean(its)) if its else None,
                     "median_time": float(np.median(times)) if times else None,
                     "other_local_min": off})
    return rows


def cutest_extra(names_fn, repeat=3):
    """The suite section: the native equality-constrained CUTEst problems."""
    from .harness import Extra

    def run(ctx):
        import problems as P

        names = names_fn()
        rec = run_problem_set(names, P.cutest.load, repeat=repeat, say=ctx["say"])
        rows = summary_rows(rec)
        md = [f"{len(names)} problems, SIF starting points; solved: shared KKT residual "
              f"<= {SOLVED_KKT:g}; median of {repeat} timed runs after a warm-up.", "",
              md_table(rows, [
                  ("method", lambda r: r["method"]),
                  ("solved", lambda r: f"{r['solved']}/{r['total']}"),
                  ("mean outer iterations (solved)",
                   lambda r: "-" if r["mean_nit"] is None else f"{r['mean_nit']:.2f}"),
                  ("median time [s] (solved)",
                   lambda r: "-" if r["median_time"] is None else f"{r['median_time']:.4f}"),
                  ("other local minimum", lambda r: ", ".join(r["other_local_min"]) or "-"),
              ])]
        per = []
        for name in names:
            row = {"problem": name, "n": rec[next(iter(rec))][name]["n"],
                   "m": rec[next(iter(rec))][name]["m"]}
            for m in rec:
                r = rec[m][name]
                row[m] = (f"{r['nit']} / {r['kkt']:.0e}" if r["solved"] else
                          f"**no** ({r['kkt']:.0e})")
            per.append(row)
        md += ["", "Per problem: outer iterations / shared KKT residual.", "",
               md_table(per, [("problem", lambda r: r["problem"]),
                              ("n", lambda r: str(r["n"])), ("m", lambda r: str(r["m"]))]
                        + [(m, (lambda mm: lambda r: r[mm])(m)) for m in rec])]
        files = []
        if ctx.get("plots"):
            solved = {m: {p: r["solved"] for p, r in per_m.items()} for m, per_m in rec.items()}
            tmetric = {m: {p: r["time"] for p, r in per_m.items()} for m, per_m in rec.items()}
            imetric = {m: {p: r["nit"] for p, r in per_m.items()} for m, per_m in rec.items()}
            path = plot_performance_profiles(
                {"time": performance_profile(tmetric, solved),
                 "outer iterations": performance_profile(imetric, solved)},
                ctx["out_dir"] / "constrained_profiles.png",
                "Equality-constrained CUTEst problems: exact_al vs SciPy")
            if path:
                files.append(str(path))
        return {"markdown": "\n".join(md), "data": {"records": rec, "summary": rows,
                                                    "versions": versions()},
                "files": files}

    return Extra(name="cutest", title="Equality-constrained CUTEst problems", run=run)


def named_extra(name, title, builders, only, repeat=3, intro=""):
    """A section over ``builders = {label: () -> problem}`` with the methods ``only``: per
    problem, outer iterations, sketch steps, shared KKT residual and median time, and the
    time ratio of each method to SciPy's trust-constr."""
    from .harness import Extra

    def run(ctx):
        cache = {}

        def load(label):
            if label not in cache:
                cache[label] = builders[label]()
            return cache[label]

        labels = list(builders)
        rec = run_problem_set(labels, load, repeat=repeat, say=ctx["say"], only=only)
        rows = []
        for label in labels:
            base = rec.get("scipy trust-constr", {}).get(label, {}).get("time")
            for m in rec:
                r = rec[m][label]
                rows.append({"problem": label, "method": m, **r,
                             "ratio": (r["time"] / base if base and r["time"] else None)})
        md = [intro, "", md_table(rows, [
            ("problem", lambda r: r["problem"]),
            ("n / m", lambda r: f"{r['n']} / {r['m']}"),
            ("method", lambda r: r["method"]),
            ("solved", lambda r: "yes" if r["solved"] else "**no**"),
            ("outer it.", lambda r: "-" if r["nit"] is None else str(r["nit"])),
            ("sketch steps", lambda r: str(r.get("inner", "-"))),
            ("KKT", lambda r: f"{r['kkt']:.1e}"),
            ("objective", lambda r: f"{r['fun']:.8g}"),
            ("time [s]", lambda r: "-" if r["time"] is None else f"{r['time']:.4f}"),
            ("time / trust-constr", lambda r: "-" if r["ratio"] is None else f"{r['ratio']:.2f}"),
        ])]
        return {"markdown": "\n".join(md), "data": {"records": rec, "versions": versions()}}

    return Extra(name=name, title=title, run=run)
