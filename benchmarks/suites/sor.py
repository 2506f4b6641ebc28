"""Suite ``sor``: learning the SOR relaxation parameter across a sequence of linear systems
(``solvers.OmegaTuner`` and the learners of ``solvers.linear.bandits``), reproducing Khodak,
Chow, Balcan, Talwalkar, "Learning to Relax: Setting Solver Parameters Across a Sequence of
Linear System Instances" (ICLR 2024), plus SSOR-PCG against SciPy's CG on the heat equation
and the compiled SOR sweep against pyamg's (:mod:`benchmarks.sor_bench`).

Measure: **iteration counts** to the relative residual ``||b - A x|| / ||b|| <= 1e-8``
(cap 10000; a miss costs 10001, as in ``OmegaTuner``). SOR, SSOR-PCG and SciPy's CG
(``rtol = 1e-8``, ``atol = 0``) stop on this same test; CG and SSOR-PCG evaluate it on their
recursively updated residual. Wall times where methods of different cost per iteration meet.

1. **Shifted Laplacians** (extra ``shifted``, the paper's experiment):
   ``ShiftedLaplacianSequence(nx=10, T=5000, law, random_state=seed)``, ``A_t = L + c_t I``
   with ``c_t = -0.15 + 0.6 Beta(1/2, 3/2)`` (``law="high"``) or ``Beta(2, 6)`` (``"low"``),
   Gaussian right-hand sides in the ball of radius ``sqrt(n)``; seeds 0-4. Forward SOR from
   ``x0 = 0``. The cost ``cost[t, k]`` of every omega of the grid ``linspace(1, 1.95, 20)`` on
   every system is tabulated with the compiled whole-loop kernel
   ``solvers.linear._kernels.sor_iterations`` (the iterates ``solvers.sor`` records), and so
   are the cost of Young's omega (closed form ``rho_J = 4 cos(pi / 11) / (4 + c_t)``, checked
   against ``young_omega``) and the golden-section instance optimum on [1, 1.95] (``xtol =
   1e-3``; the search of ``instance_optimal_omega`` run over the kernel, checked against
   ``instance_optimal_omega`` itself on the first systems). The learners are driven from the
   table (a learner only sees the cost of the arm it chose, so this is the same as running it
   through the solver); an end-to-end check runs ``OmegaTuner(learner, random_state=0,
   warm_start=False).solve`` on the first 300 systems of seed 0 for unimodal-ucb and chebcb
   and compares its costs with the table-driven learner's.
   Learners (random_state 0, 1, 2, averaged): unimodal-ucb (OSUB, the ``OmegaTuner``
   default), Tsallis-INF with ``scale="mean"`` (the paper's code) and ``"max"``,
   Tsallis-INF-CB (context ``c_t``, 5 bins), ChebCB with its defaults (log fit, shrinkage 20)
   and with the paper's setting (``fit="cost", shrinkage=0``). Comparators: the best fixed
   omega in hindsight (the grid column with the lowest total), omega = 1 (Gauss-Seidel),
   Young's omega, the instance-optimal cost on the grid (row minimum) and by golden section.
   Table per law: total iterations (mean over seeds and learner seeds, [min-max]), ratios to
   the best fixed omega and to both instance optima (per run, then averaged). Plot
   ``sor_cumulative_cost.png``: cumulative cost relative to the best fixed omega, seed 0.
   ``sor_costs.npz`` holds every cost table and every learner's arms.
2. **Heat equation** (extra ``heat``): ``HeatEquationSequence(nx, T, stoptime=T * 1e-3)``
   (the paper's ``dt = 1e-3``; Crank-Nicolson, time-varying diffusion ``kappa(t) = max(0.1
   sin 2 pi t, -10 sin 2 pi t)``, moving source), warm start from the previous step's
   solution. **Truncated**: ``T = 5000`` at ``nx = 50``, 2000 at 100, 500 at 200 and 200 at
   400, where the paper ran 5000 steps at every size (too long for a benchmark on two cores);
   at ``nx = 200`` and 400 the sequence therefore stops at ``t = 0.5`` and 0.2, inside the
   first, weak-diffusion half period (``kappa <= 0.1``, well-conditioned systems), while
   ``nx = 50`` and 100 reach the strong-diffusion half periods (``kappa`` up to 10). Methods,
   each stepping its own copy of the sequence, interleaved step by step: SciPy ``cg``
   (``rtol = 1e-8``, ``atol = 0``, ``x0`` the warm start, iterations counted by its
   callback), ``ssor_pcg`` at omega 1, 1.5, 1.75, and ``OmegaTuner(solver="ssor_pcg")`` with
   unimodal-ucb, tsallis-inf and chebcb (context ``kappa(t)``, the sequence's
   ``context_bounds``), random_state 0. Total iterations and wall time (sum over the solve
   calls) and their ratios to CG, and the largest difference between each method's final
   state and CG's (relative to ``max |u_CG|``), to show that all solve the same sequence.
3. **Kernel speed** (extra ``kernel``): forward SOR sweeps per second, omega = 1.5, of
   ``solvers.linear._kernels.sor_sweep`` on the CSR arrays against pyamg's
   ``pyamg.relaxation.relaxation.sor(A, x, b, omega, iterations=1, sweep="forward")`` (and
   its compiled ``amg_core.sor_gauss_seidel`` called directly) on ``laplacian_2d(m)``, m =
   100, 300, 1000 (n = 10^6) and a random sparse symmetric diagonally dominant matrix (n =
   10^5, about 10 nonzeros per row); median of 7 interleaved timed runs of 10 sweeps (5 at
   n = 10^6) after a warm-up; one sweep of each from the same ``x`` must agree to 1e-12
   (relative). Also ``MulticolorSplitting(A).sweep`` (numpy, red-black) at n = 10^6 for
   orientation, and its cupy version when ``solvers.backend._select.gpu_available()`` (else
   recorded as "not run: no GPU"). Versions of numpy, scipy, numba, pyamg are recorded.

Targets (from the issue): the default learner (unimodal-ucb) within 5% of the best fixed
omega at T = 5000; ChebCB within 10% of the instance-optimal cost (grid and golden section);
our sweep at least as fast as pyamg's (ratio >= 1).

Forms. Full: as above (about 30 minutes on two cores, most of it tabulating). ``--quick``:
one seed, ``T = 1000``, both laws; heat nx = 50 and 100 with ``T = 200``; the same kernel
matrices with fewer repeats. Tiny (tests, ``build(tiny=True)``): law "high", one seed,
``T = 100``, learner seed 0, the end-to-end check on all 100 systems; heat nx = 20, T = 20;
kernels on ``laplacian_2d(30)`` and a random n = 2000 matrix, multicolor at n = 10^4.
"""
from __future__ import annotations

DESCRIPTION = ("SOR omega tuning (Learning to Relax, ICLR 2024): OmegaTuner learners vs best "
               "fixed / instance-optimal omega on shifted Laplacians; SSOR-PCG vs SciPy CG on "
               "the heat equation; SOR sweep vs pyamg")

#: Settings of the full, quick and tiny (tests) forms.
FORMS = {
    "full": dict(laws=("high", "low"), seeds=(0, 1, 2, 3, 4), T=5000, learner_seeds=(0, 1, 2),
                 e2e_n=300, check_n=5,
                 heat=((50, 5000), (100, 2000), (200, 500), (400, 200)),
                 lap_sizes=(100, 300, 1000), random_n=100_000, repeats=7, sweeps=10,
                 big_repeats=5, multicolor_nx=1000),
    "quick": dict(laws=("high", "low"), seeds=(0,), T=1000, learner_seeds=(0, 1, 2),
                  e2e_n=300, check_n=3, heat=((50, 200), (100, 200)),
                  lap_sizes=(100, 300, 1000), random_n=100_000, repeats=5, sweeps=10,
                  big_repeats=3, multicolor_nx=1000),
    "tiny": dict(laws=("high",), seeds=(0,), T=100, learner_seeds=(0,), e2e_n=100, check_n=3,
                 heat=((20, 20),), lap_sizes=(30,), random_n=2000, repeats=3, sweeps=5,
                 big_repeats=3, multicolor_nx=100),
}


def _shifted_extra(form):
    from ..harness import Extra

    def run(ctx):
        from ..sor_bench import (GOLDEN_XTOL, GRID, MAX_ITER, TOL, shifted_section,
                                 shifted_table, shifted_verdicts, versions)

        cfg = FORMS[form]
        out = shifted_section(cfg["laws"], cfg["seeds"], cfg["T"], cfg["learner_seeds"],
                              cfg["e2e_n"], cfg["check_n"], ctx["out_dir"],
                              plots=ctx.get("plots", True), say=ctx["say"])
        rows, T = out["rows"], cfg["T"]
        verdicts = shifted_verdicts(rows, T)
        vers = versions()
        md = (f"`ShiftedLaplacianSequence(nx=10, T={T}, law, random_state=seed)`, seeds "
              f"{', '.join(map(str, cfg['seeds']))}; forward SOR from x0 = 0 to relative "
              f"residual {TOL:g} (cap {MAX_ITER}); omega grid `linspace(1, 1.95, 20)`. Costs "
              "tabulated with the compiled `sor_iterations` kernel; the learners (random_state "
              f"{', '.join(map(str, cfg['learner_seeds']))}) are driven from the table. "
              "Totals: mean over seeds (and learner seeds) [min-max]; ratios: per run "
              "against the same seed's comparator, then averaged [min-max]. `inst.-opt. "
              "(grid)`: the best grid omega per system; `(golden)`: golden section on "
              f"[1, 1.95], xtol {GOLDEN_XTOL:g}. `most played omega`: the grid omega a "
              "learner chose most often over all its runs. Versions: "
              + ", ".join(f"{k} {v}" for k, v in vers.items() if k != "cupy") + ".\n")
        for law in cfg["laws"]:
            ps = [p for p in out["per_seed"] if p["law"] == law]
            md += f"\n### law {law!r}\n\n" + shifted_table(rows, law)
            best = ", ".join(f"{p['best_omega']:.2f}" for p in ps)
            r1 = ", ".join(f"{p['omega1'] / p['best_fixed']:.3f}" for p in ps)
            md += (f"\nBest fixed omega per seed: {best}. omega = 1 / best fixed per seed: "
                   f"{r1}. Golden section below / above the grid optimum on "
                   f"{sum(p['golden_beats_grid'] for p in ps)} / "
                   f"{sum(p['golden_worse_than_grid'] for p in ps)} of {len(ps) * T} "
                   "systems. Tabulation: "
                   + ", ".join(f"{p['tabulate_seconds']:.0f} s" for p in ps) + ".\n")
        md += "\n**Checks**\n\n"
        for e in out["end_to_end"]:
            md += (f"- end to end, law {e['law']!r}, seed {e['seed']}: `OmegaTuner("
                   f"learner={e['learner']!r}, random_state={e['random_state']}, "
                   f"warm_start=False).solve` on the first {e['n']} systems: costs "
                   + ("**equal** to" if e["equal"] else
                      f"**differ** ({e['mismatches']} systems) from")
                   + f" the table-driven learner's (total {e['total_solver']} vs "
                   f"{e['total_table']}; {e['seconds']:.1f} s through the solver)\n")
        for law, cs in out["checks"].items():
            n_eq = sum(c["golden_equal"] for c in cs)
            ydiff = max((c["young_rel_diff"] for c in cs), default=0.0)
            md += (f"- law {law!r}, first {len(cs)} systems of seed {cfg['seeds'][0]}: golden "
                   "section over the kernel = `instance_optimal_omega(A, b, lo=1, hi=1.95)` "
                   f"(same omega and cost) on {n_eq}/{len(cs)}; closed-form Young omega vs "
                   f"`young_omega(A)`: max relative difference {ydiff:.1e}\n")
        md += (f"\n**Targets** (stated at T = 5000; this run T = {T}): unimodal-ucb within 5% "
               "of the best fixed omega; ChebCB within 10% of the instance-optimal cost "
               "(judged on the mean ratio; worst run in parentheses).\n\n")
        for v in verdicts:
            md += (f"- law {v['law']!r}, {v['method']}: / {v['against']} = {v['ratio']:.3f} "
                   f"(worst {v['worst']:.3f}); <= {v['target']:.2f}: "
                   + ("**met**" if v["met"] else "**not met**") + "\n")
        notes = []
        for e in out["end_to_end"]:
            if not e["equal"]:
                notes.append(f"sor/shifted: end-to-end OmegaTuner({e['learner']!r}) costs "
                             f"differ from the table-driven learner's on law {e['law']!r}")
        for law, cs in out["checks"].items():
            if not all(c["golden_equal"] for c in cs):
                notes.append(f"sor/shifted: golden section over the kernel differs from "
                             f"instance_optimal_omega on law {law!r}")
        data = {k: out[k] for k in ("rows", "per_seed", "checks", "end_to_end", "settings",
                                    "tabulate_seconds")}
        data.update(verdicts=verdicts, versions=vers, grid=GRID)
        return {"markdown": md, "data": data, "files": out["files"], "notes": notes}

    return Extra(name="shifted", title="Shifted Laplacians: learned omega vs best fixed and "
                 "instance-optimal omega (total SOR iterations)", run=run)


def _heat_extra(form):
    from ..harness import Extra

    def run(ctx):
        from ..sor_bench import HEAT_DT, TOL, heat_section, heat_table, versions

        cfg = FORMS[form]
        out = heat_section(cfg["heat"], say=ctx["say"])
        rows = out["rows"]
        vers = versions()
        md = (f"`HeatEquationSequence(nx, T, stoptime=T * {HEAT_DT:g})` (dt = {HEAT_DT:g}, "
              f"the paper's), n = (nx - 1)^2 unknowns; sizes and steps: "
              + ", ".join(f"nx = {nx}: {T} steps (t <= {T * HEAT_DT:g})"
                          for nx, T in cfg["heat"])
              + ". The paper ran 5000 steps at every size; here the larger grids are "
              "truncated (a sequence stopping before t = 0.5 stays in the weak-diffusion "
              "half period, kappa <= 0.1). Each method steps its own copy of the sequence "
              "(warm start: the previous solution), the methods interleaved step by step; "
              f"every solve stops at ||r|| / ||b|| <= {TOL:g} (SciPy: rtol, atol = 0; "
              "both on the recursively updated residual). Wall time: the sum of the solve "
              "calls (ssor_pcg's includes its per-call symmetry check of A and validation; "
              "OmegaTuner's its learner). One SSOR-PCG iteration (Eisenstat's form) costs two "
              "triangular solves with the halves of A, which are sequential in the rows, "
              "against one product with A for CG. `max abs(u - u_CG) / max "
              "abs(u_CG)`: the final states against CG's. Versions: scipy "
              f"{vers['scipy']}, numpy {vers['numpy']}, numba {vers['numba']}.\n\n")
        md += heat_table(rows)
        lines = []
        for r in rows:
            if r["kind"] == "tuner" and r["omega_counts"]:
                top = sorted(r["omega_counts"].items(), key=lambda kv: -kv[1])[:3]
                lines.append(f"- nx = {r['nx']}, {r['method']}: most chosen omegas "
                             + ", ".join(f"{w} ({c}x)" for w, c in top))
        lines.append(f"- a symmetry check by {out['symmetry_check']} (as ssor_pcg makes on "
                     "every call) takes "
                     + ", ".join(f"{1e3 * s:.2f} ms at nx = {nx}"
                                 for nx, s in out["symmetry_check_s"].items())
                     + " (included in ssor_pcg's wall time)")
        md += "\n" + "\n".join(lines) + "\n"
        notes = [f"sor/heat: nx = {r['nx']}, {r['method']}: {r['missed']} solve(s) did not "
                 "converge" for r in rows if r["missed"]]
        data = {k: out[k] for k in ("rows", "context_bounds", "symmetry_check_s",
                                    "symmetry_check")}
        data.update(versions=vers, sizes=[list(s) for s in cfg["heat"]])
        return {"markdown": md, "data": data, "notes": notes}

    return Extra(name="heat", title="Heat equation: SSOR-PCG (fixed and tuned omega) vs "
                 "SciPy CG", run=run)


def _kernel_extra(form):
    from ..harness import Extra

    def run(ctx):
        from ..sor_bench import kernel_section, kernel_table

        cfg = FORMS[form]
        out = kernel_section(cfg["lap_sizes"], cfg["random_n"], int(ctx["results"]["repeat"]),
                             cfg["sweeps"], cfg["big_repeats"], cfg["multicolor_nx"],
                             say=ctx["say"])
        v = out["versions"]
        md = ("Forward SOR sweeps per second at omega = 1.5: optsuite's compiled "
              "`solvers.linear._kernels.sor_sweep` on the CSR arrays (numba "
              f"{v['numba']}) against pyamg {v['pyamg']}'s public "
              "`pyamg.relaxation.relaxation.sor(A, x, b, omega, iterations=1, "
              "sweep=\"forward\")` and its compiled `amg_core.sor_gauss_seidel` called "
              "directly (no Python-level checks). Median of interleaved timed runs "
              "(`runs`: repeats x sweeps) after a warm-up; `ours / pyamg` > 1: ours "
              "faster (target >= 1). One sweep of each from the same random x must give "
              f"the same x (relative difference <= 1e-12). numpy {v['numpy']}, scipy "
              f"{v['scipy']}.\n\n")
        md += ("`sor_sweep` takes `w = omega / diag(A)`, precomputed once outside the timed "
               "region (as `sor` does once per solve).\n\n")
        md += kernel_table(out["rows"])
        mc = out["multicolor"]
        md += (f"\nMulticolor sweep (`MulticolorSplitting(A).sweep`, numpy, {mc['n_colors']} "
               f"colors) on {mc['matrix']} (n = {mc['n']}): {mc['cpu_sweeps_per_s']:.1f} "
               f"sweeps/s on the CPU (splitting built in {mc['build_s']:.1f} s); GPU (cupy): "
               + (f"{mc['gpu_sweeps_per_s']:.1f} sweeps/s" if mc.get("gpu") == "run"
                  else mc["gpu"]) + ".\n")
        notes = [f"sor/kernel: one sweep differs from pyamg's on {r['matrix']} "
                 f"({r['one_sweep_rel_diff']:.1e})" for r in out["rows"]
                 if r.get("same_x") is False]
        return {"markdown": md, "data": out, "notes": notes}

    return Extra(name="kernel", title="SOR sweep speed: optsuite vs pyamg", run=run)


def build(quick=False, tiny=False):
    """Build the suite (three extras: ``shifted``, ``heat``, ``kernel``).

    Parameters
    ----------
    quick : bool, default False
        One seed, T = 1000; heat nx = 50, 100 with 200 steps; fewer kernel repeats.
    tiny : bool, default False
        For tests: law "high", T = 100, one seed; heat nx = 20, T = 20; small kernels.

    Returns
    -------
    benchmarks.harness.Suite
    """
    # Load the libraries doing BLAS work now, so that run_suite's thread limit covers them.
    import scipy.linalg  # noqa: F401
    import scipy.sparse.linalg  # noqa: F401

    import problems  # noqa: F401
    import solvers  # noqa: F401

    from ..harness import Suite

    form = "tiny" if tiny else "quick" if quick else "full"
    notes = ["measure: iteration counts to ||b - A x|| / ||b|| <= 1e-8 (cap 10000, a miss "
             "costs 10001); SOR, SSOR-PCG and SciPy CG share the relative residual test",
             "shifted-Laplacian costs tabulated with the compiled sor_iterations kernel; the "
             "learners are driven from the tables (bandit feedback: only the chosen omega's "
             "cost), checked end to end against OmegaTuner.solve",
             "BLAS limited to one thread (shared machine)"]
    return Suite(name="sor", description=DESCRIPTION, problems=[], solvers=[],
                 repeat=FORMS[form]["repeats"], notes=notes, curves=False, threads=1,
                 extras=[_shifted_extra(form), _heat_extra(form), _kernel_extra(form)])
