"""Suite ``newton``: damped Newton (near-optimal global rates) and lazy-Hessian Newton against
SciPy's second-order and quasi-Newton methods (:mod:`benchmarks.newton_bench`).

Shared optimality measure everywhere: the Euclidean gradient norm ``||grad f(x)||`` of the
returned ``x``, recomputed by :func:`benchmarks.newton_bench.grad_norm`.

1. **logistic** (extra ``logistic``): ridge-regularized logistic regression with
   ``alpha = 1 / n_samples`` on LIBSVM a9a, w6a, mushrooms, german.numer_scale from
   ``x0 = 0``; ``damped_newton`` with stepsizes root (universal backtracking, ``q = 4``),
   aicn (``L = None``: backtracking), greedy, armijo, full; ``lazy_newton`` (regularized,
   ``m = d``); SciPy Newton-CG (hessp), trust-exact (dense hess), trust-krylov (hessp),
   L-BFGS-B (``maxcor = 10``). Target ``||grad|| <= 1e-10``; medians of interleaved repeats.
   Plot: ``||grad||`` against time on a9a.
2. **cutest** (extra ``cutest``): every native CUTEst problem at its default parameters with
   ``n`` capped at 1000, from the SIF ``x0``; solved = ``||grad|| <= 1e-6`` within 1000
   iterations; the methods above plus SciPy BFGS (``n <= 200``; trust-exact for
   ``n <= 1000``). Each (method, problem) timed once after a warm-up of every method on
   ROSENBR, with a wall-time guard per run. Dolan-More performance profiles of time and of
   function evaluations.
3. **lazy** (extra ``lazy``): lazy Newton (regularized: ``m = d``, ``d/10``, ``1``; cubic:
   ``m = d``, ``d/10``, ``d/25``, ``1``) against damped Newton
   (full, root) on generated dense ridge-logistic problems (5000 x 500, 50000 x 500,
   10000 x 1000, 40000 x 1000,
   ``alpha = 1e-3``) to ``||grad|| <= 1e-8``. Target: lazy at least 2x less time than full
   Newton at equal accuracy.

``--quick``: a9a only, the CUTEst problems with ``n <= 12``, lazy at 2000 x 500 (about two
minutes).
"""
from __future__ import annotations

import math

from . import data_home

DESCRIPTION = ("Newton: damped Newton (root/AICN/greedy/Armijo/full) and lazy Newton vs SciPy "
               "Newton-CG, trust-exact, trust-krylov, L-BFGS-B, BFGS on ridge logistic, CUTEst "
               "and dense lazy-Hessian problems")

DATASETS = ("a9a", "w6a", "mushrooms", "german.numer_scale")
LOGISTIC_TARGET = 1e-10
CUTEST_TOL = 1e-6
CUTEST_MAX_ITER = 1000
LAZY_TARGET = 1e-8


def _f(v, spec=".2e"):
    return "-" if v is None or (isinstance(v, float) and not math.isfinite(v)) else format(v, spec)


def _n(v):
    return "-" if v is None else str(int(v))


def _logistic_extra(quick):
    from ..harness import Extra

    def run(ctx):
        from ..newton_bench import logistic_section, md_table, versions

        datasets = ("a9a",) if quick else DATASETS
        out = logistic_section(datasets, data_home(), ctx["out_dir"],
                               repeat=int(ctx["results"]["repeat"]),
                               plots=ctx.get("plots", True), say=ctx["say"],
                               target=LOGISTIC_TARGET)
        rows = out["rows"]

        def ratio(r):
            if r.get("ratio") is None or not math.isfinite(r["median_time"]):
                return "-"
            s = f"{r['ratio']:.2f}"
            return s + ("*" if not r["reached"] or not r["reference_reached"] else "")

        def status(r):
            if r["error"]:
                return f"**error**: {r['error'][:100]}"
            return (r["message"] or "").replace("|", "/")[:110]

        md = (f"Ridge logistic regression `Ridge(Logistic(X, y), alpha)` with **alpha = "
              f"1/n_samples**, x0 = 0. Target: shared `||grad f(x)|| <= {LOGISTIC_TARGET:g}` "
              "(Euclidean, recomputed on the returned x). Median of "
              f"{ctx['results']['repeat']} interleaved timed runs after a warm-up. "
              "Hessians = full Hessian evaluations (`nhev`); Hv = Hessian-vector products "
              "(`hessp` calls of Newton-CG and trust-krylov), counted separately. nfev = "
              "objective evaluations (SciPy: one value-and-gradient call each; optsuite: "
              "value or value-and-gradient calls). Ratio = median time / median time of "
              "the fastest SciPy method that reached the target (`*`: this row or every "
              "SciPy method missed it).\n\n")
        for name, info in out["problems"].items():
            md += (f"- **{name}**: X {info['shape'][0]} x {info['shape'][1]}, nnz "
                   f"{info['nnz']}, alpha = {info['alpha']:.3e}, ||grad f(0)|| = "
                   f"{info['grad_norm_x0']:.3e}\n")
        md += "\n" + md_table(rows, [
            ("data set", lambda r: r["dataset"]), ("method", lambda r: r["method"]),
            (f"reached {LOGISTIC_TARGET:g}", lambda r: "yes" if r["reached"] else "**no**"),
            ("final ||grad||", lambda r: _f(r["grad_norm"])),
            ("iterations", lambda r: _n(r["nit"])),
            ("Hessians", lambda r: _n(r["nhev"])),
            ("Hv products", lambda r: _n(r["nhvp"]) if r["nhvp"] else "-"),
            ("nfev", lambda r: _n(r["nfev"])),
            ("median time [s]", lambda r: _f(r["median_time"], ".4f")),
            ("ratio vs best scipy", ratio),
            ("status", status)])
        notes = list(out["notes"])
        for r in rows:
            for w in r["warnings"]:
                notes.append(f"logistic {r['dataset']} / {r['method']}: {w}")
        md += "\n" + "\n".join(f"- {n}" for n in notes) + "\n" if notes else ""
        data = {"rows": rows, "problems": out["problems"], "curves": out["curves"],
                "methods": out["methods"], "target": out["target"],
                "versions": versions()}
        return {"markdown": md, "data": data, "files": out["files"], "notes": out["notes"]}

    return Extra(name="logistic", title="Ridge logistic regression (alpha = 1/n): time to "
                 f"||grad|| <= {LOGISTIC_TARGET:g}", run=run)


def _cutest_extra(quick):
    from ..harness import Extra

    def run(ctx):
        import problems as P

        from ..newton_bench import cutest_section, md_table, versions

        names = P.cutest.names(kind="unconstrained")
        if quick:
            small = []
            for name in names:
                n = P.cutest.parameters(name).get("n")
                f = P.cutest.load(name) if n is None or n <= 12 else None
                if f is not None and f.n <= 12:
                    small.append(name)
            names = small
        out = cutest_section(names, ctx["out_dir"], plots=ctx.get("plots", True),
                             say=ctx["say"], tol=CUTEST_TOL, max_iter=CUTEST_MAX_ITER,
                             time_budget=10.0 if quick else 30.0)
        rows = out["rows"]
        methods = list(out["methods"])
        probs = []
        for r in rows:
            if (r["problem"], r["n"]) not in probs:
                probs.append((r["problem"], r["n"]))
        summary = []
        for m in methods:
            rs = [r for r in rows if r["method"] == m]
            app = [r for r in rs if r["applies"]]
            sol = [r for r in app if r["solved"]]
            summary.append({
                "method": m, "solved": len(sol), "applicable": len(app),
                "errors": sum(1 for r in app if r.get("error")),
                "time_budget": sum(1 for r in app if r.get("timed_out")),
                "total_time": sum(r["time"] for r in app),
                "time_solved": sum(r["time"] for r in sol),
                "nfev_solved": sum(r["nfev"] or 0 for r in sol)})
        md = (f"Every native CUTEst problem ({len(probs)}) at its default SIF parameters with "
              "n capped at 1000 (the largest allowed n <= 1000), from the SIF x0. **Solved** "
              f"= shared `||grad f(x)|| <= {CUTEST_TOL:g}` at the returned x within "
              f"{CUTEST_MAX_ITER} iterations (and no error, and within the wall-time guard "
              f"of {out['time_budget']:g} s per run). Each (method, problem) is timed once, "
              "after one warm-up of every method on ROSENBR. BFGS only for n <= 200, "
              "trust-exact for n <= 1000 (dense Hessian via toarray).\n\n")
        md += md_table(summary, [
            ("method", lambda r: r["method"]),
            ("solved", lambda r: f"{r['solved']} / {r['applicable']}"),
            ("errors", lambda r: str(r["errors"])),
            ("time guard hit", lambda r: str(r["time_budget"])),
            ("time on solved [s]", lambda r: f"{r['time_solved']:.3f}"),
            ("nfev on solved", lambda r: str(r["nfev_solved"])),
            ("total time [s]", lambda r: f"{r['total_time']:.2f}")])
        by = {(r["problem"], r["method"]): r for r in rows}

        def cell(p, m):
            r = by.get((p, m))
            if r is None or not r["applies"]:
                return "n/a"
            if r.get("error"):
                return "**ERR**"
            s = f"{_n(r['nit'])}/{_n(r['nfev'])}"
            if r["solved"]:
                return s
            why = "t" if r.get("timed_out") else ""
            return f"~~{s}~~ {why}{_f(r['grad_norm'], '.0e')}"

        md += ("\nPer problem: `iterations/nfev` of each method when solved; unsolved: "
               "struck out, followed by the final ||grad|| (`t`: stopped by the time guard); "
               "`ERR`: the method raised.\n\n")
        head = "| problem | n | " + " | ".join(m.replace("damped_newton ", "dn ")
                                               .replace("scipy ", "")
                                               for m in methods) + " |"
        md += head + "\n|" + "---|" * (len(methods) + 2) + "\n"
        for p, n in probs:
            md += f"| {p} | {n} | " + " | ".join(cell(p, m) for m in methods) + " |\n"
        fails = [r for r in rows if r["applies"] and not r["solved"]
                 and (r["ours"] or r.get("error"))]
        if fails:
            md += "\nUnsolved runs of optsuite's methods (and errors of any method):\n\n"
            md += md_table(fails, [
                ("problem", lambda r: f"{r['problem']} (n={r['n']})"),
                ("method", lambda r: r["method"]),
                ("final ||grad||", lambda r: _f(r["grad_norm"])),
                ("f(x) / f*", lambda r: f"{_f(r['fun'], '.6g')} / "
                                        f"{_f(r['f_star'], '.6g')}"),
                ("iterations", lambda r: _n(r["nit"])),
                ("status", lambda r: (f"error: {r['error']}" if r.get("error") else
                                      ("time guard; " if r.get("timed_out") else "")
                                      + (r.get("message") or ""))[:140].replace("|", "/"))])
        data = {"rows": rows, "summary": summary, "profiles": out["profiles"],
                "methods": out["methods"], "tol": CUTEST_TOL, "max_iter": CUTEST_MAX_ITER,
                "versions": versions()}
        return {"markdown": md, "data": data, "files": out["files"], "notes": out["notes"]}

    return Extra(name="cutest", title="CUTEst (native problems, n <= 1000): solved counts and "
                 "performance profiles", run=run)


def _lazy_extra(quick):
    from ..harness import Extra

    def run(ctx):
        from ..newton_bench import lazy_section, md_table, versions

        # N >> d is where lazy Hessians pay (a Hessian costs N d^2, a step N d, the
        # decomposition d^3); 5000 x 500 and 10000 x 1000 show where they do not
        sizes = [(2000, 500)] if quick else [(5000, 500), (50000, 500), (10000, 1000),
                                              (40000, 1000)]
        out = lazy_section(sizes, ctx["out_dir"], repeat=int(ctx["results"]["repeat"]),
                           plots=ctx.get("plots", True), say=ctx["say"], target=LAZY_TARGET)
        rows = out["rows"]
        md = (f"Generated dense ridge-logistic problems: X Gaussian (n x d), labels "
              f"sign(X w + 0.5 e) with w ~ N(0, I/d), alpha = {out['alpha']:g}, x0 = 0. "
              f"Time and Hessians to the shared `||grad|| <= {LAZY_TARGET:g}`; median of "
              f"{ctx['results']['repeat']} interleaved runs after a warm-up. Ratio = median "
              "time / median time of `damped_newton full`.\n\n")
        md += md_table(rows, [
            ("problem", lambda r: r["problem"]), ("method", lambda r: r["method"]),
            ("median time [s]", lambda r: _f(r["median_time"], ".3f")),
            ("time / full Newton", lambda r: _f(r["ratio_vs_full"], ".2f")),
            ("Hessians", lambda r: _n(r["nhev"])),
            ("iterations", lambda r: _n(r["nit"])),
            ("nfev", lambda r: _n(r["nfev"])),
            ("final ||grad||", lambda r: _f(r["grad_norm"])),
            ("reached", lambda r: "yes" if r["reached"] else "**no**")])
        md += (f"\n**Target: lazy Newton at least 2x less time than full Newton at equal "
               f"accuracy (`||grad|| <= {LAZY_TARGET:g}`).**\n\n")
        verdict = []
        for pname in dict.fromkeys(r["problem"] for r in rows):
            rs = [r for r in rows if r["problem"] == pname]
            lz = [r for r in rs if r["method"].startswith("lazy") and r["reached"]]
            full = next(r for r in rs if r["method"] == "damped_newton full")
            if not lz or not full["reached"]:
                md += f"- {pname}: not comparable (a method missed the target)\n"
                verdict.append({"problem": pname, "met": None})
                continue
            lz = [r for r in lz if not r["method"].endswith(" m=1")]
            best = min(lz, key=lambda r: r["median_time"])
            met = best["median_time"] * 2 <= full["median_time"]
            md += (f"- {pname}: best lazy ({best['method']}) {best['median_time']:.3f} s vs "
                   f"full Newton {full['median_time']:.3f} s: speed-up "
                   f"{full['median_time'] / best['median_time']:.2f}x (needed >= 2) -- target "
                   f"**{'met' if met else 'not met'}**")
            same = {}
            for variant, prefix in (("regularized", "lazy_newton"), ("cubic", "lazy cubic")):
                one = next((r for r in rs if r["method"] == f"{prefix} m=1" and r["reached"]),
                           None)
                lzv = [r for r in lz if r["method"].startswith(prefix)]
                if one is not None and lzv:
                    b = min(lzv, key=lambda r: r["median_time"])
                    same[variant] = one["median_time"] / b["median_time"]
            if same:
                md += "; against the same method with a Hessian every step (m = 1): " + \
                    ", ".join(f"{v} {x:.2f}x" for v, x in same.items())
            md += "\n"
            verdict.append({"problem": pname, "met": met, "best": best["method"],
                            "speedup": full["median_time"] / best["median_time"],
                            "speedup_vs_m1": same})
        notes = [f"lazy {r['problem']} / {r['method']}: {w}" for r in rows for w in r["warnings"]]
        if notes:
            md += "\n" + "\n".join(f"- {n}" for n in notes) + "\n"
        data = {"rows": rows, "verdict": verdict, "histories": out["histories"],
                "target": LAZY_TARGET, "versions": versions()}
        return {"markdown": md, "data": data, "files": out["files"]}

    return Extra(name="lazy", title="Lazy vs full Newton on dense ridge logistic (d >= 500)",
                 run=run)


def build(quick=False):
    """Build the suite (every section is an extra).

    Parameters
    ----------
    quick : bool, default False

    Returns
    -------
    benchmarks.harness.Suite
    """
    # Load every library that does BLAS work now: run_suite applies its thread limit
    # (threadpoolctl) to the BLAS libraries loaded when it starts, and scipy ships its own
    # OpenBLAS, which would otherwise stay at its default thread count when first loaded
    # inside a section (measured: dense Newton 3-5x slower from oversubscription).
    import scipy.linalg  # noqa: F401
    import scipy.optimize  # noqa: F401
    import scipy.sparse.linalg  # noqa: F401

    import problems  # noqa: F401
    import solvers  # noqa: F401

    from ..harness import Suite

    notes = ["shared measure: Euclidean ||grad f(x)|| of the returned x, recomputed by "
             "benchmarks.newton_bench.grad_norm",
             "timed runs after a warm-up; logistic and lazy: medians of interleaved repeats; "
             "cutest: one timed run per (method, problem)",
             "BLAS limited to one thread (shared machine; both sides use the same BLAS)"]
    return Suite(name="newton", description=DESCRIPTION, problems=[], solvers=[],
                 repeat=3, notes=notes, curves=False, threads=1,
                 extras=[_logistic_extra(quick), _cutest_extra(quick), _lazy_extra(quick)])
