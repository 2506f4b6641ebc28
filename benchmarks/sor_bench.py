"""SOR suite: learning the relaxation parameter across sequences of linear systems
(``solvers.OmegaTuner`` and its bandit learners; Khodak, Chow, Balcan, Talwalkar, "Learning to
Relax", ICLR 2024), SSOR-preconditioned CG against SciPy's CG on the heat-equation sequence,
and the compiled SOR sweep against pyamg's.

Conventions (as in the other suites, see :mod:`benchmarks.harness`):

* **Same process, same data.** Every method runs in this process on the very same systems
  (the sequences are seeded; each heat-equation method steps its own copy of the same
  sequence, so every method solves the systems its own previous solutions define).
* **The measure is the iteration count** to the relative residual ``||b - A x|| / ||b|| <=
  1e-8`` (``x0 = 0`` on the shifted Laplacians, the previous time step's solution on the
  heat equation). SOR, SSOR-PCG and SciPy's CG (``rtol = 1e-8``, ``atol = 0``) stop on this
  same test (CG and SSOR-PCG on their recursively updated residual); a solve that does not
  converge within 10000 iterations costs 10001, as in :class:`solvers.OmegaTuner`.
* **Costs are tabulated.** On the shifted Laplacians the cost of every omega of the grid on
  every system is computed once with the compiled whole-loop kernel
  :func:`solvers.linear._kernels.sor_iterations` (the iterates :func:`solvers.sor` records),
  and the learners are driven from the table: a learner only ever sees the cost of the arm it
  chose, so feeding it ``cost[t, arm]`` is the same as running it through the solver. An
  end-to-end check runs :class:`solvers.OmegaTuner` through ``solve`` on the first systems and
  compares its costs with the table-driven learner's (same ``random_state``).
* **Wall times** (heat equation, kernel speed) are :func:`time.perf_counter` around each call
  with the garbage collector off; the kernel speeds are medians of interleaved repeats after
  a warm-up.
"""
from __future__ import annotations

import gc
import math
import time
from functools import partial

import numpy as np

from solvers.linear.omega import golden_section_min
from solvers.linear.tuner import CONTEXTUAL

from .harness import _timed, library_version
from .newton_bench import _g, _plt, md_table

#: The omega grid of the paper (and the default of ``OmegaTuner``).
GRID = np.linspace(1.0, 1.95, 20)
#: Relative residual target of every solve.
TOL = 1e-8
#: Iteration cap of every solve (a miss costs MAX_ITER + 1).
MAX_ITER = 10_000
#: Golden-section tolerance on omega of the instance-optimal comparator.
GOLDEN_XTOL = 1e-3
#: Time step of the heat-equation sequence (the paper's).
HEAT_DT = 1e-3

#: Learners driven from the cost tables: (row label, OmegaTuner learner, learner_options).
LEARNERS = (
    ("unimodal-ucb (default)", "unimodal-ucb", {}),
    ("tsallis-inf (scale mean, paper)", "tsallis-inf", {"scale": "mean"}),
    ("tsallis-inf (scale max)", "tsallis-inf", {"scale": "max"}),
    ("tsallis-inf-cb (5 bins)", "tsallis-inf-cb", {"n_bins": 5}),
    ("chebcb (default)", "chebcb", {}),
    ("chebcb (paper: fit cost, shrinkage 0)", "chebcb", {"fit": "cost", "shrinkage": 0.0}),
)
#: Comparator rows (computed from the tables).
COMPARATORS = ("best fixed omega (hindsight)", "omega = 1 (Gauss-Seidel)", "Young's omega",
               "instance-optimal (grid)", "instance-optimal (golden section)")
#: Grid size of the shifted Laplacians (``laplacian_2d(10)``, n = 100, the paper's).
SHIFTED_NX = 10
#: Learners checked end to end through ``OmegaTuner.solve``.
END_TO_END = (("unimodal-ucb", {}), ("chebcb", {}))


def versions():
    """Versions of the libraries involved (recorded in the JSON and the tables)."""
    out = {d: library_version(d) for d in ("numpy", "scipy", "numba", "pyamg", "optsuite")}
    cupy = library_version("cupy")
    if cupy == "unknown":
        for dist in ("cupy-cuda12x", "cupy-cuda11x", "cupy-cuda13x"):
            if library_version(dist) != "unknown":
                cupy = library_version(dist)
                break
    out["cupy"] = cupy
    return out


# =========================================================================== part 1
def kernel_cost(A, diag, b, omega, tol=TOL, max_iter=MAX_ITER):
    """Forward-SOR iterations from ``x0 = 0`` to ``tol`` (``max_iter + 1`` when missed), by
    the compiled whole loop :func:`solvers.linear._kernels.sor_iterations`."""
    from solvers.linear._kernels import sor_iterations

    x = np.zeros(A.shape[0])
    return int(sor_iterations(A.indptr, A.indices, A.data, diag, b, x, float(omega), True,
                              False, float(tol), int(max_iter)))


def young_closed_form(shift, nx):
    """Young's omega of ``laplacian_2d(nx) + shift I``: the Jacobi matrix is
    ``(4 I - L) / (4 + shift)``, whose spectral radius is ``rho_J = 4 cos(pi / (nx + 1)) /
    (4 + shift)``; ``omega = 2 / (1 + sqrt(1 - rho_J^2))``."""
    rho = 4.0 * math.cos(math.pi / (nx + 1)) / (4.0 + float(shift))
    return 2.0 / (1.0 + math.sqrt(1.0 - rho * rho))


def tabulate(seq, grid=GRID, say=None):
    """Costs of every system of the shifted-Laplacian sequence ``seq``.

    Returns
    -------
    dict
        ``cost`` (T x K int32: iterations of omega ``grid[k]`` on system t), ``golden_omega``,
        ``golden_cost`` and ``golden_evals`` (the golden-section instance optimum on
        [grid[0], grid[-1]]: :func:`solvers.linear.omega.golden_section_min`, the search of
        ``instance_optimal_omega``, over :func:`kernel_cost`), ``young_omega`` and
        ``young_cost`` (closed form), ``contexts`` (the shifts c_t) and ``seconds``.
    """
    T, K = len(seq), len(grid)
    cost = np.zeros((T, K), dtype=np.int32)
    g_omega, g_cost, g_evals = np.zeros(T), np.zeros(T, dtype=np.int32), np.zeros(T, np.int32)
    y_omega, y_cost = np.zeros(T), np.zeros(T, dtype=np.int32)
    contexts = seq.contexts
    t0 = time.perf_counter()
    lo, hi = float(grid[0]), float(grid[-1])
    for t in range(T):
        inst = seq[t]
        f = partial(kernel_cost, inst.A, inst.A.diagonal(), inst.b)
        for k, w in enumerate(grid):
            cost[t, k] = f(w)
        g_omega[t], g_cost[t], g_evals[t] = golden_section_min(f, lo, hi, GOLDEN_XTOL)
        y_omega[t] = young_closed_form(inst.context, seq.nx)
        y_cost[t] = f(y_omega[t])
        if say is not None and (t + 1) % 1000 == 0:
            say(f"      {t + 1}/{T} systems tabulated ({time.perf_counter() - t0:.0f} s)")
    return {"cost": cost, "golden_omega": g_omega, "golden_cost": g_cost,
            "golden_evals": g_evals, "young_omega": y_omega, "young_cost": y_cost,
            "contexts": contexts, "seconds": time.perf_counter() - t0}


def make_tuner(kind, context_bounds, **kwargs):
    """``OmegaTuner(learner=kind, **kwargs)``, given ``context_bounds`` only when the learner
    is contextual."""
    from solvers import OmegaTuner

    return OmegaTuner(learner=kind, context_bounds=context_bounds if kind in CONTEXTUAL
                      else None, **kwargs)


def make_learner(kind, options, random_state, context_bounds, grid=GRID):
    """The learner ``OmegaTuner(learner=kind, ...)`` would build (taken from one, so that the
    construction, and the random stream, are exactly the tuner's)."""
    return make_tuner(kind, context_bounds, omegas=grid, learner_options=dict(options),
                      random_state=random_state).learner_


def drive(learner, cost, contexts):
    """Run ``learner`` over the rows of the cost table; returns ``(arms, costs)`` (int arrays):
    round t selects an arm given the context ``contexts[t]`` (which the non-contextual
    learners ignore) and is fed back ``cost[t, arm]``, the only cost it observes."""
    T = cost.shape[0]
    arms = np.zeros(T, dtype=np.int16)
    paid = np.zeros(T, dtype=np.int64)
    for t in range(T):
        arm = learner.select(float(contexts[t]))
        c = int(cost[t, arm])
        learner.update(c)
        arms[t], paid[t] = arm, c
    return arms, paid


def end_to_end(seq, kind, options, random_state, n, grid=GRID):
    """``OmegaTuner(learner=kind, random_state=random_state)`` through ``solve`` on the first
    ``n`` systems of ``seq`` from ``x0 = 0`` (``warm_start=False``: the systems are
    independent and the table starts every solve at zero, as the sequence's ``x0 = None``
    says). Returns ``(costs, arms, seconds)``."""
    contextual = kind in CONTEXTUAL
    tuner = make_tuner(kind, seq.context_bounds, omegas=grid, learner_options=dict(options),
                       random_state=random_state, warm_start=False, tol=TOL,
                       max_iter=MAX_ITER, sweep="forward")
    t0 = time.perf_counter()
    for t in range(min(n, len(seq))):
        inst = seq[t]
        tuner.solve(inst.A, inst.b, context=inst.context if contextual else None)
    return (np.asarray(tuner.costs_, dtype=np.int64), np.asarray(tuner.arms_),
            time.perf_counter() - t0)


def comparator_costs(tab):
    """``(best, totals, costs)``: the best fixed arm, the total cost of every arm (column
    totals) and the per-system costs of the comparators, from one table."""
    cost = tab["cost"]
    totals = cost.sum(axis=0, dtype=np.int64)
    best = int(np.argmin(totals))
    return best, totals, {
        "best fixed omega (hindsight)": cost[:, best].astype(np.int64),
        "omega = 1 (Gauss-Seidel)": cost[:, 0].astype(np.int64),
        "Young's omega": tab["young_cost"].astype(np.int64),
        "instance-optimal (grid)": cost.min(axis=1).astype(np.int64),
        "instance-optimal (golden section)": tab["golden_cost"].astype(np.int64),
    }


def _checks(seq, n, tab):
    """The golden section over the kernel against ``instance_optimal_omega`` (public solver)
    and the closed-form Young omega against ``young_omega`` on the first ``n`` systems."""
    from solvers.linear import instance_optimal_omega, young_omega

    rows = []
    for t in range(min(n, len(seq))):
        inst = seq[t]
        w, c, e = instance_optimal_omega(inst.A, inst.b, lo=float(GRID[0]), hi=float(GRID[-1]),
                                         xtol=GOLDEN_XTOL, tol=TOL, max_iter=MAX_ITER)
        yw = young_omega(inst.A)
        rows.append({"t": t, "golden_omega": float(tab["golden_omega"][t]),
                     "golden_cost": int(tab["golden_cost"][t]),
                     "golden_evals": int(tab["golden_evals"][t]),
                     "public_omega": float(w), "public_cost": int(c), "public_evals": int(e),
                     "golden_equal": bool(w == tab["golden_omega"][t]
                                          and c == tab["golden_cost"][t]),
                     "young_closed_form": float(tab["young_omega"][t]),
                     "young_omega": float(yw),
                     "young_rel_diff": abs(float(yw) - float(tab["young_omega"][t])) / yw})
    return rows


def _stats(values):
    v = np.asarray(values, dtype=float)
    return {"mean": float(v.mean()), "min": float(v.min()), "max": float(v.max()),
            "n": int(v.size)}


def _run_record(seed, learner_seed, total, ref):
    """One run's entry of a row's ``all``: its total and its ratios to the comparators."""
    return {"seed": seed, "learner_seed": learner_seed, "total": int(total),
            **{f"vs_{k}": total / v for k, v in ref.items()}}


def shifted_section(laws, seeds, T, learner_seeds, e2e_n, check_n, out_dir, plots=True,
                    say=print):
    """Part 1: tabulate, drive the learners, compare; write ``sor_costs.npz`` and (with
    ``plots``) ``sor_cumulative_cost.png``. Returns a dict with ``rows`` (one per law and
    method), ``per_seed``, ``checks``, ``end_to_end``, ``traces`` (seed 0, learner seed 0;
    not for JSON), ``files``."""
    from problems.linear_systems import ShiftedLaplacianSequence

    nx = SHIFTED_NX
    rows, per_seed, checks, e2e, traces, timings = [], [], {}, [], {}, {}
    arrays = {}
    for law in laws:
        runs = {name: [] for name in COMPARATORS + tuple(lbl for lbl, _, _ in LEARNERS)}
        arm_counts = {lbl: np.zeros(len(GRID), dtype=np.int64) for lbl, _, _ in LEARNERS}
        for seed in seeds:
            first = seed == seeds[0]
            seq = ShiftedLaplacianSequence(nx=nx, T=T, law=law, random_state=seed)
            say(f"    [{law}, seed {seed}] tabulating {T} systems x {len(GRID)} omegas "
                "+ golden section + Young")
            tab = tabulate(seq, say=say)
            timings[f"{law}/{seed}"] = tab["seconds"]
            say(f"      done in {tab['seconds']:.1f} s")
            best, col_totals, comp = comparator_costs(tab)
            totals = {name: int(c.sum()) for name, c in comp.items()}
            ref = {"best": totals["best fixed omega (hindsight)"],
                   "grid": totals["instance-optimal (grid)"],
                   "golden": totals["instance-optimal (golden section)"]}
            grid_opt = comp["instance-optimal (grid)"]
            per_seed.append({"law": law, "seed": seed, "best_arm": best,
                             "best_omega": float(GRID[best]), "totals_per_omega": col_totals,
                             "best_fixed": ref["best"], "io_grid": ref["grid"],
                             "io_golden": ref["golden"],
                             "omega1": totals["omega = 1 (Gauss-Seidel)"],
                             "young": totals["Young's omega"],
                             "golden_beats_grid": int(np.sum(tab["golden_cost"] < grid_opt)),
                             "golden_worse_than_grid": int(np.sum(tab["golden_cost"]
                                                                  > grid_opt)),
                             "tabulate_seconds": tab["seconds"]})
            key = f"{law}/seed{seed}"
            for name in ("cost", "golden_omega", "golden_cost", "young_omega", "young_cost",
                         "contexts"):
                arrays[f"{key}/{name}"] = tab[name]
            for name, c in comp.items():
                runs[name].append(_run_record(seed, None, totals[name], ref))
                if first:
                    traces[(law, name)] = c
            if first:
                checks[law] = _checks(seq, check_n, tab)
            for lbl, kind, opts in LEARNERS:
                for r in learner_seeds:
                    learner = make_learner(kind, opts, r, seq.context_bounds)
                    arms, paid = drive(learner, tab["cost"], tab["contexts"])
                    arrays[f"{key}/{lbl}/r{r}/arms"] = arms
                    arm_counts[lbl] += np.bincount(arms, minlength=len(GRID))
                    runs[lbl].append(_run_record(seed, r, int(paid.sum()), ref))
                    if r == learner_seeds[0]:
                        arms0, paid0 = arms, paid
                if first:
                    traces[(law, lbl)] = paid0
                if first and e2e_n and (kind, opts) in END_TO_END:
                    r, n = learner_seeds[0], min(e2e_n, T)
                    costs, e_arms, secs = end_to_end(seq, kind, opts, r, n)
                    equal = bool(np.array_equal(costs, paid0[:n])
                                 and np.array_equal(e_arms, arms0[:n]))
                    e2e.append({"law": law, "seed": seed, "learner": kind,
                                "random_state": r, "n": n, "equal": equal,
                                "mismatches": int(np.sum(costs != paid0[:n])),
                                "total_solver": int(costs.sum()),
                                "total_table": int(paid0[:n].sum()), "seconds": secs})
                    say(f"      end-to-end OmegaTuner({kind!r}, random_state={r}) on "
                        f"{n} systems: costs {'EQUAL' if equal else 'DIFFER'} to the "
                        f"table-driven learner's ({secs:.1f} s)")
            say("      / best fixed (last learner seed): " + "; ".join(
                f"{name} {runs[name][-1]['vs_best']:.3f}" for name in runs if runs[name]))
        for name, rs in runs.items():
            row = {"law": law, "method": name, "T": T, "runs": len(rs),
                   "total": _stats([r["total"] for r in rs]),
                   "vs_best": _stats([r["vs_best"] for r in rs]),
                   "vs_grid": _stats([r["vs_grid"] for r in rs]),
                   "vs_golden": _stats([r["vs_golden"] for r in rs]), "all": rs,
                   "kind": "learner" if name in arm_counts else "comparator"}
            if name in arm_counts:
                row["most_played_omega"] = float(GRID[int(np.argmax(arm_counts[name]))])
                row["arm_counts"] = arm_counts[name]
            rows.append(row)
    files = []
    path = out_dir / "sor_costs.npz"
    np.savez_compressed(path, grid=GRID, **arrays)
    files.append(str(path))
    if plots:
        p = plot_cumulative(traces, laws, out_dir / "sor_cumulative_cost.png", T)
        if p is not None:
            files.append(str(p))
    return {"rows": rows, "per_seed": per_seed, "checks": checks, "end_to_end": e2e,
            "traces": traces, "files": files, "tabulate_seconds": timings,
            "settings": {"nx": nx, "T": T, "laws": list(laws), "seeds": list(seeds),
                         "learner_seeds": list(learner_seeds), "grid": GRID, "tol": TOL,
                         "max_iter": MAX_ITER, "golden_xtol": GOLDEN_XTOL,
                         "end_to_end_n": e2e_n, "sweep": "forward", "x0": "zeros"}}


_PLOT_STYLE = {"omega = 1 (Gauss-Seidel)": ("0.5", ":"), "Young's omega": ("tab:brown", ":"),
               "instance-optimal (grid)": ("black", "--"),
               "instance-optimal (golden section)": ("black", ":"),
               "best fixed omega (hindsight)": ("black", "-")}


def plot_cumulative(traces, laws, path, T):
    """One panel per law (seed 0, learner seed 0): cumulative cost of each method divided by
    the cumulative cost of the best fixed omega, against the number of systems solved."""
    plt = _plt()
    if plt is None:
        return None
    fig, axes = plt.subplots(1, len(laws), figsize=(7.0 * len(laws), 5.0), squeeze=False)
    t = np.arange(1, T + 1)
    for ax, law in zip(axes[0], laws):
        ref = np.cumsum(traces[(law, "best fixed omega (hindsight)")]).astype(float)
        lo, hi = 1.0, 1.0
        k = 0
        for (lw, name), c in traces.items():
            if lw != law:
                continue
            ratio = np.cumsum(c) / ref
            if name in _PLOT_STYLE:
                color, ls = _PLOT_STYLE[name]
            else:
                color, ls = f"C{k}", "-"
                k += 1
            ax.plot(t, ratio, color=color, ls=ls, lw=1.4, label=name)
            tail = ratio[min(len(ratio) - 1, max(10, len(ratio) // 10)):]
            if tail.size:
                lo, hi = min(lo, float(np.min(tail))), max(hi, float(np.max(tail)))
        ax.set(xscale="log", xlabel="systems solved t",
               ylabel="cumulative iterations / those of the best fixed omega",
               title=f"shifted Laplacians, law {law!r} (seed 0, learner seed 0)")
        ax.set_ylim(max(0.9 * lo, 0.2), min(hi * 1.05, 2.5))
        ax.axhline(1.0, color="0.3", lw=0.6)
        ax.grid(True, alpha=0.3)
    axes[0][-1].legend(fontsize=7, loc="best", framealpha=0.8)
    fig.suptitle(f"SOR, omega grid linspace(1, 1.95, 20), tol {TOL:g}, T = {T}:\ncumulative "
                 "cost relative to the best fixed omega in hindsight (omega = 1 may be off "
                 "the top)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _rng_text(s, spec):
    if s["n"] == 1 or s["min"] == s["max"]:
        return format(s["mean"], spec)
    return f"{format(s['mean'], spec)} [{format(s['min'], spec)}-{format(s['max'], spec)}]"


def shifted_table(rows, law):
    """Markdown table of one law's rows."""
    def omega_cell(r):
        return "-" if "most_played_omega" not in r else f"{r['most_played_omega']:.2f}"

    return md_table([r for r in rows if r["law"] == law], [
        ("method", lambda r: r["method"]),
        ("runs", lambda r: str(r["runs"])),
        ("total iterations, mean [min-max]", lambda r: _rng_text(r["total"], ".0f")),
        ("/ best fixed", lambda r: _rng_text(r["vs_best"], ".3f")),
        ("/ inst.-opt. (grid)", lambda r: _rng_text(r["vs_grid"], ".3f")),
        ("/ inst.-opt. (golden)", lambda r: _rng_text(r["vs_golden"], ".3f")),
        ("most played omega", omega_cell)])


def shifted_verdicts(rows, T):
    """The issue's targets: unimodal-ucb within 5% of the best fixed omega, ChebCB within 10%
    of the instance-optimal cost (grid and golden section). Judged on the mean ratio."""
    out = []
    for r in rows:
        if r["method"] == "unimodal-ucb (default)":
            out.append({"law": r["law"], "method": r["method"], "against": "best fixed",
                        "ratio": r["vs_best"]["mean"], "worst": r["vs_best"]["max"],
                        "target": 1.05, "met": r["vs_best"]["mean"] <= 1.05, "T": T})
        if r["method"].startswith("chebcb"):
            for key, lbl in (("vs_grid", "inst.-opt. (grid)"),
                             ("vs_golden", "inst.-opt. (golden)")):
                out.append({"law": r["law"], "method": r["method"], "against": lbl,
                            "ratio": r[key]["mean"], "worst": r[key]["max"], "target": 1.10,
                            "met": r[key]["mean"] <= 1.10, "T": T})
    return out


# =========================================================================== part 2
def _heat_methods(context_bounds):
    """``[(label, kind, step)]``, fresh: ``step(inst) -> (x, nit, converged, omega)`` holds
    the method's state (the tuner)."""
    from scipy.sparse.linalg import cg

    from solvers import ssor_pcg

    def cg_step(inst):
        nit = [0]

        def cb(xk):
            nit[0] += 1

        x, info = cg(inst.A, inst.b, x0=inst.x0, rtol=TOL, atol=0.0, maxiter=MAX_ITER,
                     callback=cb)
        return x, nit[0], info == 0, None

    def ssor_step(w):
        def step(inst):
            res = ssor_pcg(inst.A, inst.b, omega=w, x0=inst.x0, tol=TOL, max_iter=MAX_ITER)
            return res.x, int(res.nit), bool(res.success), w
        return step

    def tuner_step(kind):
        contextual = kind in CONTEXTUAL
        tuner = make_tuner(kind, context_bounds, solver="ssor_pcg", tol=TOL,
                           max_iter=MAX_ITER, random_state=0)

        def step(inst):
            res = tuner.solve(inst.A, inst.b, x0=inst.x0,
                              context=inst.context if contextual else None)
            return res.x, int(res.nit), bool(res.success), float(res.omega)
        return step

    out = [("scipy cg", "cg", cg_step)]
    out += [(f"ssor_pcg omega={w:g}", "ssor", ssor_step(w)) for w in (1.0, 1.5, 1.75)]
    out += [(f"OmegaTuner(ssor_pcg, {k})", "tuner", tuner_step(k))
            for k in ("unimodal-ucb", "tsallis-inf", "chebcb")]
    return out


def heat_run(nx, T, say=print):
    """Every method on its own copy of ``HeatEquationSequence(nx, T, stoptime=T * 1e-3)``,
    interleaved step by step (each step: every method solves its own current system, timed).
    Returns ``(rows, context_bounds, symmetry_check_s)``: one row per method, the sequence's
    context bounds and the time of one compiled symmetry check of A (for orientation)."""
    from problems.linear_systems import HeatEquationSequence

    def new_seq():
        return HeatEquationSequence(nx=nx, T=T, stoptime=T * HEAT_DT)

    ref_seq = new_seq()
    meths = _heat_methods(ref_seq.context_bounds)
    say(f"    [heat nx={nx}, n={ref_seq.n}, T={T}, dt={HEAT_DT:g}] {len(meths)} methods, "
        "interleaved per step")
    state = []
    for label, kind, step in meths:
        state.append({"label": label, "kind": kind, "seq": new_seq(), "step": step,
                      "nit": [], "time": 0.0, "missed": 0, "omegas": []})
    # the symmetry check ssor_pcg (not CG) pays on every call, for orientation
    from solvers.linear._kernels import max_asymmetry

    A0 = ref_seq.current().A
    max_asymmetry(A0.indptr, A0.indices, A0.data)  # compiled / loaded
    _, t_sym = _timed(lambda: max_asymmetry(A0.indptr, A0.indices, A0.data))
    t0 = time.perf_counter()
    for k in range(T):
        for st in state:
            inst = st["seq"].current()
            (x, nit, ok, omega), secs = _timed(lambda: st["step"](inst))
            st["time"] += secs
            st["nit"].append(nit)
            st["missed"] += 0 if ok else 1
            if omega is not None:
                st["omegas"].append(omega)
            st["seq"].advance(x)
        if say is not None and (k + 1) % max(1, T // 5) == 0 and k + 1 < T:
            say(f"      step {k + 1}/{T} ({time.perf_counter() - t0:.0f} s)")
    u_ref = state[0]["seq"].u
    scale = float(np.max(np.abs(u_ref))) or 1.0
    rows = []
    for st in state:
        nit = np.asarray(st["nit"])
        u = st["seq"].u
        om = np.asarray(st["omegas"], dtype=float)
        rows.append({"nx": nx, "n": ref_seq.n, "T": T, "stoptime": T * HEAT_DT,
                     "method": st["label"], "kind": st["kind"], "iterations": int(nit.sum()),
                     "max_iterations_step": int(nit.max()), "time": st["time"],
                     "missed": st["missed"],
                     "final_diff": float(np.max(np.abs(u - u_ref))) / scale,
                     "mean_omega": float(om.mean()) if om.size else None,
                     "omega_counts": ({f"{w:.2f}": int(c) for w, c in
                                       zip(*np.unique(np.round(om, 2), return_counts=True))}
                                      if om.size and st["kind"] == "tuner" else None)})
    cg_row = rows[0]
    for r in rows:
        r["it_vs_cg"] = r["iterations"] / cg_row["iterations"] if cg_row["iterations"] else None
        r["time_vs_cg"] = r["time"] / cg_row["time"] if cg_row["time"] > 0 else None
        r["ms_per_it"] = 1e3 * r["time"] / r["iterations"] if r["iterations"] else None
    return rows, ref_seq.context_bounds, t_sym


#: How :func:`heat_run` times the symmetry check (reported with its times).
SYMMETRY_CHECK = "compiled `max_asymmetry`"


def heat_section(sizes, say=print):
    """Part 2 on every ``(nx, T)`` of ``sizes``: ``rows`` (one per size and method),
    ``context_bounds`` and ``symmetry_check_s`` (keyed by ``str(nx)``) and
    ``symmetry_check`` (how it was timed)."""
    rows, bounds, sym = [], {}, {}
    for nx, T in sizes:
        t0 = time.perf_counter()
        rs, cb, sym[str(nx)] = heat_run(nx, T, say=say)
        bounds[str(nx)] = cb
        for r in rs:
            say(f"      {r['method']:34s} it {r['iterations']:8d}  time {r['time']:8.2f} s  "
                f"it/CG {r['it_vs_cg']:.3f}  time/CG {r['time_vs_cg']:.3f}  "
                f"diff {r['final_diff']:.1e}  missed {r['missed']}")
        say(f"      ({time.perf_counter() - t0:.0f} s)")
        rows += rs
    return {"rows": rows, "context_bounds": bounds, "symmetry_check_s": sym,
            "symmetry_check": SYMMETRY_CHECK}


def heat_table(rows):
    """Markdown table of part 2."""
    return md_table(rows, [
        ("nx", lambda r: str(r["nx"])), ("n", lambda r: str(r["n"])),
        ("steps", lambda r: str(r["T"])), ("method", lambda r: r["method"]),
        ("total iterations", lambda r: str(r["iterations"])),
        ("it / CG", lambda r: _g(r["it_vs_cg"], ".3f")),
        ("wall time [s]", lambda r: f"{r['time']:.2f}"),
        ("time / CG", lambda r: _g(r["time_vs_cg"], ".2f")),
        ("ms / iteration", lambda r: _g(r["ms_per_it"], ".3f")),
        ("not converged", lambda r: str(r["missed"])),
        ("max abs(u - u_CG) / max abs(u_CG)", lambda r: f"{r['final_diff']:.1e}"),
        ("mean omega", lambda r: _g(r["mean_omega"], ".3f"))])


# =========================================================================== part 3
def random_spd(n, per_row=10, seed=0):
    """A random sparse symmetric, strictly diagonally dominant (so SPD) CSR matrix with about
    ``per_row`` nonzeros per row: ``S = B + B^T`` with B sparse uniform(-1, 1), diagonal
    ``sum_j |s_ij| + 1``."""
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    off = (per_row - 1) / 2.0
    m = int(round(off * n))
    rows = rng.integers(0, n, m)
    cols = rng.integers(0, n, m)
    keep = rows != cols
    B = sp.coo_matrix((rng.uniform(-1.0, 1.0, keep.sum()), (rows[keep], cols[keep])),
                      shape=(n, n))
    S = (B + B.T).tocsr()
    d = np.asarray(abs(S).sum(axis=1)).ravel() + 1.0
    return (S + sp.diags(d)).tocsr()


def _median_rate(fns, x0, sweeps, repeats):
    """Sweeps per second of each function of ``fns`` (``{name: f(x)}``, one sweep in place on
    ``x``): a warm-up, then ``repeats`` rounds, each timing ``sweeps`` sweeps of every
    function from a copy of ``x0`` (the order alternates between rounds)."""
    names = list(fns)
    for name in names:
        fns[name](x0.copy())
    times = {name: [] for name in names}
    gc.collect()
    for k in range(repeats):
        order = names if k % 2 == 0 else names[::-1]
        for name in order:
            x = x0.copy()
            f = fns[name]

            def run():
                for _ in range(sweeps):
                    f(x)
            _, secs = _timed(run)
            times[name].append(secs)
    return {name: sweeps / float(np.median(ts)) for name, ts in times.items()}, times


def forward_sweep(A, omega):
    """``f(b, x)``: one forward SOR sweep of this project's compiled kernel
    :func:`solvers.linear._kernels.sor_sweep` on the CSR arrays of ``A`` (in place on ``x``),
    with ``w = omega / diag(A)`` prepared here, outside any timed region."""
    from solvers.linear._kernels import sor_sweep

    n = A.shape[0]
    w = omega / A.diagonal()
    indptr, indices, data = A.indptr, A.indices, A.data

    def f(b, x):
        sor_sweep(indptr, indices, data, w, b, x, omega, 0, n, 1)
    return f


def kernel_section(lap_sizes, random_n, repeats, sweeps, big_repeats, multicolor_nx,
                   omega=1.5, say=print):
    """Part 3: forward-sweep throughput of ``sor_sweep`` vs pyamg's ``sor`` (and its
    ``amg_core`` kernel), one-sweep agreement, and the multicolor sweep."""
    from problems.linear_systems import laplacian_2d
    try:
        from pyamg import amg_core
        from pyamg.relaxation.relaxation import sor as pyamg_sor
    except ImportError:  # pragma: no cover - pyamg is in the bench extra
        pyamg_sor = amg_core = None
    mats = [(f"laplacian_2d({m}) ({m}x{m} grid)", lambda m=m: laplacian_2d(m))
            for m in lap_sizes]
    mats.append((f"random sparse SPD (n={random_n}, ~10 nnz/row, diag. dominant)",
                 lambda: random_spd(random_n)))
    rows = []
    rng = np.random.default_rng(1)
    for name, build in mats:
        A = build()
        n = A.shape[0]
        b = rng.standard_normal(n)
        x0 = rng.standard_normal(n)
        reps = big_repeats if n >= 500_000 else repeats
        sweep = forward_sweep(A, omega)
        row = {"matrix": name, "n": n, "nnz": int(A.nnz), "omega": omega, "sweeps": sweeps,
               "repeats": reps}

        def ours(x):
            sweep(b, x)

        fns = {"ours": ours}
        if pyamg_sor is not None:
            def peer(x):
                pyamg_sor(A, x, b, omega, iterations=1, sweep="forward")

            def core(x):
                amg_core.sor_gauss_seidel(A.indptr, A.indices, A.data, x, b, 0, n, 1, omega)
            fns.update(pyamg=peer, core=core)
            x1, x2 = x0.copy(), x0.copy()
            ours(x1)
            peer(x2)
            row["one_sweep_rel_diff"] = float(np.max(np.abs(x1 - x2)) / np.max(np.abs(x2)))
            row["same_x"] = row["one_sweep_rel_diff"] <= 1e-12
        rates, times = _median_rate(fns, x0, sweeps, reps)
        row.update({f"{k}_sweeps_per_s": v for k, v in rates.items()})
        row["times"] = times
        if "pyamg" in rates:
            row["ours_vs_pyamg"] = rates["ours"] / rates["pyamg"]
            row["ours_vs_core"] = rates["ours"] / rates["core"]
        say(f"    {name}: ours {rates['ours']:.1f}/s"
            + (f", pyamg {rates['pyamg']:.1f}/s (ratio {row['ours_vs_pyamg']:.2f}), amg_core "
               f"{rates['core']:.1f}/s, one-sweep rel. diff {row['one_sweep_rel_diff']:.1e}"
               if "pyamg" in rates else ", pyamg not installed"))
        rows.append(row)
    multicolor = multicolor_section(multicolor_nx, omega, sweeps, big_repeats, say)
    return {"rows": rows, "multicolor": multicolor, "versions": versions(),
            "pyamg": pyamg_sor is not None}


def multicolor_section(nx, omega, sweeps, repeats, say=print):
    """Sweeps per second of ``MulticolorSplitting(A).sweep`` (numpy) on ``laplacian_2d(nx)``,
    and of the cupy version when a GPU is available."""
    from problems.linear_systems import laplacian_2d
    from solvers.backend._select import gpu_available
    from solvers.linear import MulticolorSplitting

    A = laplacian_2d(nx)
    n = A.shape[0]
    rng = np.random.default_rng(2)
    b, x0 = rng.standard_normal(n), rng.standard_normal(n)
    out = {"matrix": f"laplacian_2d({nx})", "n": n}
    (ms, t_build) = _timed(lambda: MulticolorSplitting(A, backend="cpu"))
    parts = ms.split(b)
    rates, _ = _median_rate({"cpu": lambda x: ms.sweep(x, parts, omega)}, x0, sweeps,
                            repeats)
    out.update(n_colors=ms.n_colors, build_s=t_build, cpu_sweeps_per_s=rates["cpu"])
    say(f"    multicolor (numpy) on {out['matrix']}: {rates['cpu']:.1f} sweeps/s "
        f"({ms.n_colors} colors, built in {t_build:.1f} s)")
    if gpu_available():
        try:
            import cupy as cp

            g = MulticolorSplitting(A, backend="gpu")
            gparts = g.split(cp.asarray(b))

            def gsweep(x):
                g.sweep(x, gparts, omega)
                cp.cuda.Device().synchronize()

            xg = cp.asarray(x0)
            cp.cuda.Device().synchronize()
            grates, _ = _median_rate({"gpu": gsweep}, xg, sweeps, repeats)
            out["gpu_sweeps_per_s"] = grates["gpu"]
            out["gpu"] = "run"
            say(f"    multicolor (cupy): {out['gpu_sweeps_per_s']:.1f} sweeps/s")
        except Exception as exc:  # noqa: BLE001 - reported
            out["gpu"] = f"failed: {type(exc).__name__}: {exc}"
    else:
        out["gpu"] = "not run: no GPU"
    return out


def kernel_table(rows):
    """Markdown table of part 3."""
    def f(r, k, spec):
        return _g(r.get(k), spec)

    return md_table(rows, [
        ("matrix", lambda r: r["matrix"]), ("n", lambda r: str(r["n"])),
        ("nnz", lambda r: str(r["nnz"])),
        ("ours (sor_sweep) sweeps/s", lambda r: f(r, "ours_sweeps_per_s", ".1f")),
        ("pyamg sor sweeps/s", lambda r: f(r, "pyamg_sweeps_per_s", ".1f")),
        ("ours / pyamg", lambda r: f(r, "ours_vs_pyamg", ".2f")),
        ("pyamg amg_core kernel sweeps/s", lambda r: f(r, "core_sweeps_per_s", ".1f")),
        ("ours / amg_core", lambda r: f(r, "ours_vs_core", ".2f")),
        ("one sweep: max rel. diff of x", lambda r: f(r, "one_sweep_rel_diff", ".1e")),
        ("runs", lambda r: f"{r['repeats']} x {r['sweeps']}")])
