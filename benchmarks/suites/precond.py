"""Suite ``precond``: polynomial preconditioning (``solvers.poly_precond``, Doikov and
Rodomanov, ICML 2023) against the plain gradient and fast gradient methods, SciPy L-BFGS-B
and SciPy CG (:mod:`benchmarks.precond_bench`).

Shared optimality measure: the Euclidean gradient norm ``||grad f(x)||`` of the returned
``x``, recomputed by :func:`benchmarks.newton_bench.grad_norm`. Target ``||grad|| <= 1e-8``.

Problems: ``Ridge(LeastSquares(X, y), 1e-4)`` (the +-1 labels as targets) and
``Ridge(Logistic(X, y), 1e-4)`` on

* LIBSVM a9a, w6a, mushrooms, dna.scale. Labels through
  ``problems.datasets.normalize_labels(y, "binary")``; dna.scale has three classes (1, 2, 3),
  which binary normalization refuses, so it is **class 3 (its most frequent class) vs rest**.
* generated dense ``X = U diag(s) V^T`` (n = 2000, d = 500, seeded; labels
  ``sign(X w + noise)``): **separated**, eigenvalues of ``X^T X / n`` 1000, 300, 100, 30 and
  496 values log-spaced in [1e-2, 1e-1] (a tail in [1e-3, 1e-1] makes ``lambda_max /
  lambda_min`` about 1e6: plain FGM then needs more than the 20000-iteration cap and L-BFGS-B
  stalls above the target, so no ratio could be formed); **flat**, eigenvalues uniform in
  [0.1, 1], the negative control where preconditioning cannot pay.

Methods: GM (``prox_grad``, step ``1 / f.lipschitz``), FGM (``fista``, same step, gradient
restart), FGM adaptive (tau=0) (``poly_precond(tau=0, accelerated=True, backtracking=True)``:
plain FGM with the adaptive ``L`` of the preconditioned rows), GM-P_tau
(``poly_precond(tau)``, ``L = 1``), FGM-P_tau (``accelerated=True, backtracking=True``),
Krylov tau (``krylov=True``) and Krylov+mem tau (``krylov=True, memory=1``: the previous step
joins the subspace) for tau = 1..4, SciPy L-BFGS-B (``maxcor = 10``, ``ftol = 0``,
``gtol`` calibrated from the target) and, on the least-squares problems, SciPy CG on the
normal equations ``B w = X^T y / n`` (``B = f.curvature_bound``, the exact Hessian).
Iterations, products with ``B``, gradients and time to the target; ratios to plain FGM's
iterations and to L-BFGS-B's time; medians of interleaved repeats after a warm-up; a cap of
20000 iterations and a wall-time guard per run. Also the exact spectra of ``B`` and the
effective condition numbers ``kappa_tau`` (tau = 0..4). Plot ``precond_grad_norm.png``:
``||grad||`` per iteration on the separated logistic problem and on a9a logistic.

Targets (from the issue): where the top of the spectrum is separated, the best polynomial
variant needs at most a third of plain FGM's iterations, and its time is at or below
L-BFGS-B's.

``--quick``: mushrooms and the separated problem at n = 500, d = 100, one timed run, a
1-second guard (about a minute; methods that need longer show as not reached).
"""
from __future__ import annotations

from . import data_home

DESCRIPTION = ("Polynomial preconditioning: GM/FGM with P_tau (tau 1-4) and the Krylov variant "
               "vs GM, FGM, SciPy L-BFGS-B and CG on ridge LS / logistic (LIBSVM, generated "
               "spectra)")

#: Settings of the full, quick and tiny (tests) forms.
FORMS = {
    "full": dict(datasets=("a9a", "w6a", "mushrooms", "dna.scale"), gen_size=(2000, 500),
                 kinds=("separated", "flat"), repeat=3, guard_s=8.0, time_budget=15.0,
                 max_iter=20_000, plot_guard_s=5.0,
                 plot_problems=("gen-separated logistic", "a9a logistic")),
    "quick": dict(datasets=("mushrooms",), gen_size=(500, 100), kinds=("separated",),
                  repeat=1, guard_s=1.0, time_budget=3.0, max_iter=20_000, plot_guard_s=0.5,
                  plot_problems=("gen-separated logistic",)),
    "tiny": dict(datasets=(), gen_size=(200, 40), kinds=("separated",), repeat=1,
                 guard_s=1.0, time_budget=2.0, max_iter=2000, plot_guard_s=0.5,
                 plot_problems=("gen-separated logistic",), taus=(4,)),
}


def _problems(form, say, cache):
    """Load / generate the problems once per run (shared by both sections)."""
    if "problems" not in cache:
        from ..precond_bench import build_problems

        cfg = FORMS[form]
        cache["problems"], cache["notes"] = build_problems(
            cfg["datasets"], cfg["gen_size"], data_home(), say=say, kinds=cfg["kinds"])
    return cache["problems"], cache["notes"]


def _spectra_extra(form, cache):
    from ..harness import Extra

    def run(ctx):
        from ..precond_bench import ALPHA, spectra_table, spectrum_row

        probs, notes = _problems(form, ctx["say"], cache)
        specs = [spectrum_row(p) for p in probs]
        cache["spectra"] = specs
        md = ("Exact eigenvalues of the curvature bound `B = f.curvature_bound` "
              "(`GramOperator.eigenvalues()`: `X^T X / n + alpha I` for least squares, the "
              "Hessian itself; `X^T X / (4 n) + alpha I` for logistic regression, an upper "
              f"bound of the Hessian), alpha = {ALPHA:g}. `kappa_tau` = "
              "`solvers.precond.effective_condition_number(eigenvalues, tau)`, the condition "
              "number the P_tau-preconditioned gradient method sees (`kappa_0 = tr B / "
              "lambda_min`: P_0 is the step 1 / tr B). FGM needs about sqrt(condition number) "
              "times more iterations per digit, so `sqrt(kappa_4 / (lambda_max / lambda_min))`"
              " is the iteration ratio FGM-P4 / plain FGM predicted on a quadratic whose "
              "Hessian is B.\n\n")
        md += spectra_table(specs)
        if notes:
            md += "\n" + "\n".join(f"- {n}" for n in notes) + "\n"
        return {"markdown": md, "data": {"spectra": specs}, "notes": list(notes)}

    return Extra(name="spectra", title="Spectra of B and effective condition numbers kappa_tau",
                 run=run)


def _race_extra(form, cache):
    from ..harness import Extra

    def run(ctx):
        from ..newton_bench import versions
        from ..precond_bench import (ALPHA, TARGET, TAUS, race_section, race_table,
                                     verdict_lines)

        cfg = FORMS[form]
        probs, _ = _problems(form, ctx["say"], cache)
        repeat = int(ctx["results"]["repeat"])
        out = race_section(probs, ctx["out_dir"], repeat=repeat,
                           plots=ctx.get("plots", True), say=ctx["say"],
                           max_iter=cfg["max_iter"], guard_s=cfg["guard_s"],
                           time_budget=cfg["time_budget"], plot_problems=cfg["plot_problems"],
                           plot_guard_s=cfg["plot_guard_s"], taus=cfg.get("taus", TAUS))
        rows = out["rows"]
        vers = versions()
        md = (f"Time and iterations to the shared `||grad f(x)|| <= {TARGET:g}` (Euclidean, "
              "recomputed on the returned x by `benchmarks.newton_bench.grad_norm`), alpha = "
              f"{ALPHA:g}, x0 = 0. Median of {repeat} interleaved timed run(s) after a "
              f"warm-up (`runs`: timed runs made); cap {cfg['max_iter']} iterations and a "
              f"{cfg['guard_s']:g} s wall-time guard per run. A method whose warm-up missed "
              "the target is not timed again: its time is the warm-up's, a lower bound "
              "(`>=`; `t`: time guard, `c`: iteration cap, `s`: stopped on its own). "
              "Iterations are each method's own (FGM-P_tau: `tau` B products, one gradient "
              "and one value per backtracking trial; Krylov tau: `tau + 1` B products, "
              "Krylov+mem tau one more for the previous step); "
              "`B products` are `n_bprod` (products with the curvature bound), `gradients` "
              "the gradient evaluations (`njev`). `it / FGM`: iterations / plain FGM's "
              "(`<`: FGM missed the target, so the ratio is an upper bound); `it / FGM-ad`: "
              "/ those of FGM adaptive (tau=0), the same adaptive L as FGM-P_tau; "
              "`time / L-BFGS-B`: median time / L-BFGS-B's (`*`: L-BFGS-B missed the "
              "target). `peer tol`: the tolerance SciPy got (L-BFGS-B `gtol`, max-norm of "
              "the projected gradient; CG `rtol * ||b||`), calibrated from the target "
              "during the warm-up.\n\n")
        md += (f"Versions: optsuite {vers['optsuite']}, scipy {vers['scipy']}, numpy "
               f"{vers['numpy']}.\n\n")
        md += race_table(rows)
        md += ("\n**Targets** (where the top of the spectrum is separated): the best "
               "polynomial variant (fewest iterations among GM-P, FGM-P, Krylov and Krylov+mem rows that "
               "reached the target) needs at most a third of plain FGM's iterations, and its "
               "time is at or below L-BFGS-B's.\n\n")
        md += "\n".join(verdict_lines(out["verdicts"], cache.get("spectra", []))) + "\n"
        notes = []
        for r in rows:
            for w in r["warnings"]:
                notes.append(f"{r['problem']} / {r['method']}: {w}")
        if notes:
            md += "\nNotes:\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"
        data = {k: out[k] for k in ("rows", "verdicts", "curves", "methods", "target",
                                    "max_iter", "guard_s", "time_budget")}
        data["versions"] = vers
        return {"markdown": md, "data": data, "files": out["files"]}

    return Extra(name="race", title="Iterations and time to ||grad|| <= 1e-8", run=run)


def build(quick=False, tiny=False):
    """Build the suite (both sections are extras).

    Parameters
    ----------
    quick : bool, default False
        mushrooms and the separated problem at 500 x 100, one timed run, 1 s guard.
    tiny : bool, default False
        For tests: the separated problem at 200 x 40 only (no data files), tau = 4 only,
        a 2000-iteration cap.

    Returns
    -------
    benchmarks.harness.Suite
    """
    # Load every library that does BLAS work now, so that run_suite's thread limit covers it
    # (see benchmarks.suites.newton).
    import scipy.linalg  # noqa: F401
    import scipy.optimize  # noqa: F401
    import scipy.sparse.linalg  # noqa: F401

    import problems  # noqa: F401
    import solvers  # noqa: F401

    from ..harness import Suite

    form = "tiny" if tiny else "quick" if quick else "full"
    cache = {}
    notes = ["shared measure: Euclidean ||grad f(x)|| of the returned x, recomputed by "
             "benchmarks.newton_bench.grad_norm",
             "timed runs after a warm-up; medians of interleaved repeats; each run builds f "
             "from the same arrays inside its timed region",
             "BLAS limited to one thread (shared machine; both sides use the same BLAS)"]
    return Suite(name="precond", description=DESCRIPTION, problems=[], solvers=[],
                 repeat=FORMS[form]["repeat"], notes=notes, curves=False, threads=1,
                 extras=[_spectra_extra(form, cache), _race_extra(form, cache)])

