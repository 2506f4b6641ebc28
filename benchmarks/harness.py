"""A small, generic harness for comparing solvers on the same problems.

Methodology
-----------
Every comparison in ``benchmarks`` follows the same rules (DESIGN section 7):

* **Same process, same data.** All solvers of a suite run one after the other in one Python
  process, on the very same arrays. Layout conversions a peer prefers (e.g. a
  Fortran-ordered copy of ``X`` for scikit-learn) are prepared once, outside the timed region.
* **One shared optimality measure.** Each solver is asked to reach the same target on the
  Fenchel duality gap, and whether it did is judged by :func:`problems.duality_gap` evaluated
  on the returned ``x`` *after* the timed region -- never by a solver's own claim. A target
  counts as reached when the shared gap is ``<= target * 1.0001`` (the slack absorbs
  rounding only). Each solver gets the tolerance that its own stopping rule needs to land
  there (:attr:`SolverSpec.tol_for`); when a rule is not a duality gap on the same scale
  (skglm stops on a KKT violation, celer on a gap at an extrapolated dual point), the harness
  *calibrates* it during warm-up: the tolerance is divided by 10 until the shared gap reaches
  the target (at most :data:`MAX_CALIBRATION` times). The tolerance finally used is reported.
* **Warm-up first.** One untimed run precedes the timed ones, so that just-in-time
  compilation (numba in optsuite and skglm), caches and lazy imports are excluded.
* **Median of interleaved repeats.** ``repeat`` timed runs with :func:`time.perf_counter`
  (garbage collection off during each run), taken round-robin over the solvers of a problem
  (one run of each per round, :func:`time_interleaved`), so that a slow phase of a shared
  machine slows every solver alike instead of one; the median is reported, all times are
  kept. A suite may
  set a time budget per solver and problem (:attr:`Suite.solver_time_budget`): a solver whose
  first timed run shows that ``repeat`` runs would exceed it gets fewer (at least one), and
  the table's notes say so. Calibration also stops when a run used its whole iteration
  budget (a tighter tolerance cannot help then).
* **Ratios.** For each problem, the fastest peer that reached the target is the reference:
  a row's ratio is its median time divided by that peer's (so > 1 means slower than the best
  peer, and the best peer shows 1.00). When no peer reached the target, the fastest peer is
  used and the table says so.
* **Convergence curves** (for the plots, not for the table). Peers are run benchopt-style:
  ``max_iter`` on a geometric grid (1, 2, 4, ...) with the tolerance switched off, one timed
  run per grid point, the shared gap computed after each run. optsuite's solvers record the
  gap at every iteration themselves (``Result.history``), so one run gives the whole curve;
  its time axis is shifted by the run's set-up time (e.g. the Lipschitz constant), so both
  kinds of curve measure the same thing: wall time from the call to the iterate.

Pieces
------
:class:`Problem`, :class:`SolverSpec` and :class:`Suite` describe what runs (a spec's
``applies_to`` restricts it to some problems, e.g. Lasso peers to Lasso problems);
:func:`time_to_target`, :func:`time_interleaved` and :func:`convergence_curve` measure; :func:`run_suite` runs a whole
suite, then the suite's :class:`Extra` measurements (e.g. convergence per iteration, memory),
and calls the writers :func:`write_json`, :func:`write_table` and :func:`write_plots`.
"""
from __future__ import annotations

import datetime as _dt
import gc
import importlib.metadata
import json
import math
import os
import platform
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

#: Relative slack when judging whether the shared gap reached the target.
REACHED_SLACK = 1.0001
#: Largest number of times a peer's tolerance is divided by 10 to reach the target.
MAX_CALIBRATION = 6


# --------------------------------------------------------------------------- records
@dataclass
class Problem:
    """One optimization problem of a suite.

    Parameters
    ----------
    name : str
        Short identifier (used in tables and file names).
    description : str
        One line saying what the problem is.
    f, g : objects
        Smooth part and penalty (the protocols of DESIGN section 3), built once; they define
        the shared measure.
    data : dict
        The raw data peers need, e.g. ``{"X": X, "y": y, "alpha": alpha}``.
    factory : callable, optional
        ``factory() -> (f, g)`` building a fresh pair from ``data``; optsuite's solver specs
        use it so that set-up costs (e.g. the Lipschitz constant) are inside the timed region,
        as a peer's ``fit`` includes its own set-up.
    info : dict
        Extra metadata shown in the outputs (alpha, alpha_max, generator parameters, ...).

    Attributes
    ----------
    shape : tuple
        Shape of the design matrix ``data["X"]`` (or of ``x`` when there is no design).
    nnz : int
        Nonzeros of the design matrix.
    """

    name: str
    description: str
    f: Any
    g: Any
    data: dict = field(default_factory=dict)
    factory: Callable[[], tuple] | None = None
    info: dict = field(default_factory=dict)
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def shape(self):
        X = self.data.get("X")
        if X is not None:
            return tuple(int(s) for s in X.shape)
        return tuple(int(s) for s in getattr(self.f, "shape", ()))

    @property
    def nnz(self):
        X = self.data.get("X")
        if X is None:
            return None
        return int(X.nnz) if hasattr(X, "nnz") else int(np.count_nonzero(X))

    @property
    def n_features(self):
        """Size of the variable ``x``."""
        shape = getattr(self.f, "shape", None)
        return int(np.prod(shape)) if shape is not None else self.shape[1]

    def measure(self, x):
        """The shared optimality measure: ``problems.duality_gap(f, g, x)``.

        Parameters
        ----------
        x : array
            A primal point.

        Returns
        -------
        float
        """
        import problems

        return float(problems.duality_gap(self.f, self.g, np.asarray(x, dtype=float).ravel()))

    def gap_at_zero(self):
        """The shared gap at ``x = 0`` (the scale of relative targets)."""
        if "gap0" not in self._cache:
            self._cache["gap0"] = self.measure(np.zeros(self.n_features))
        return self._cache["gap0"]

    def fresh(self):
        """A freshly built ``(f, g)`` (from :attr:`factory`), or the stored pair."""
        return self.factory() if self.factory is not None else (self.f, self.g)

    def cached(self, key, make):
        """Return ``make()`` computed once per problem (e.g. a Fortran-ordered copy of X).

        Solver specs call this in their run function; the first call happens during the
        warm-up, so the conversion stays outside the timed region.
        """
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]


@dataclass
class SolverSpec:
    """A solver as the harness sees it.

    Parameters
    ----------
    name : str
        Row label, e.g. ``"fista"`` or ``"sklearn Lasso"``.
    library : str
        Distribution name, used for the version (:func:`importlib.metadata.version`).
    run : callable
        ``run(problem, tol, max_iter)`` solving ``problem``; returns ``x`` (an array) or an
        object with attributes ``x`` and ``nit`` (e.g. a :class:`scipy.optimize.OptimizeResult`).
    settings : dict
        Everything that defines the run (shown in the table and the JSON).
    ours : bool, default False
        True for optsuite's own solvers; the others are peers.
    tol_for : callable, optional
        ``tol_for(problem, target) -> tol``: the tolerance that the solver's own stopping
        rule needs so that the shared gap reaches ``target`` (default: ``target``).
    calibrate : bool, default False
        Divide the tolerance by 10 during warm-up until the shared gap reaches the target.
    max_iter : int, default 10_000
        Iteration budget of timed runs (in the solver's own unit).
    curve_tol : float or callable, default 0.0
        Tolerance for the benchopt-style curve runs: a number (0 switches the stopping test
        off), or ``curve_tol(problem, target) -> tol`` for solvers whose inner loops stall
        at ``tol=0`` (a tiny tolerance far below the target).
    history : callable, optional
        ``history(problem, tol, max_iter) -> dict(time=, gap=, iteration=[, setup_time=])``:
        a curve from one run's own record (optsuite's solvers), where ``time`` is the solver's
        clock and ``setup_time`` the seconds spent before it started (building the smooth
        part, the Lipschitz constant); without ``history`` the geometric ``max_iter`` grid
        is used.
    iter_unit : str, default "iterations"
        What one iteration of this solver is (an epoch of coordinate descent, an outer
        working-set iteration, a proximal gradient step).
    version : str, optional
        Overrides the installed version lookup.
    applies_to : callable, optional
        ``applies_to(problem) -> bool``: whether this solver runs on ``problem`` (default:
        on every problem). Suites mixing problem kinds (e.g. Lasso and L1-logistic) use it
        to give each problem its own peers.
    """

    name: str
    library: str
    run: Callable
    settings: dict = field(default_factory=dict)
    ours: bool = False
    tol_for: Callable | None = None
    calibrate: bool = False
    max_iter: int = 10_000
    curve_tol: float | Callable = 0.0
    history: Callable | None = None
    iter_unit: str = "iterations"
    version: str | None = None
    applies_to: Callable | None = None

    def __post_init__(self):
        if self.version is None:
            self.version = library_version(self.library)

    def applies(self, problem):
        """Whether this solver runs on ``problem`` (see ``applies_to``)."""
        return self.applies_to is None or bool(self.applies_to(problem))

    def solver_tol(self, problem, target):
        """The tolerance passed to the solver for a shared-gap ``target``."""
        return float(target if self.tol_for is None else self.tol_for(problem, target))

    def curve_tolerance(self, problem, target):
        """The tolerance of the benchopt-style curve runs for a shared-gap ``target``."""
        c = self.curve_tol
        return float(c(problem, target) if callable(c) else c)

    def describe(self):
        """A JSON-ready description (library, version, settings)."""
        return {"library": self.library, "version": self.version, "ours": self.ours,
                "iter_unit": self.iter_unit, "settings": dict(self.settings)}


@dataclass
class Suite:
    """What a suite runs.

    Parameters
    ----------
    name : str
    description : str
    problems : list of Problem
    solvers : list of SolverSpec
    target_rel : float, default 1e-6
        The target gap of each problem is ``target_rel * gap(0)``.
    repeat : int, default 5
        Timed runs per solver and problem (median reported).
    notes : list of str
        Printed and stored (e.g. peers skipped because they are not installed).
    curves : bool, default True
        Whether to measure convergence curves (for the plots).
    curve_time_budget : float, default 20.0
        Seconds of wall time one peer's curve may take before its grid is cut short.
    threads : int, optional
        Default limit on the BLAS/OpenMP threads for the run (see :func:`run_suite`);
        None leaves the libraries' defaults.
    solver_time_budget : float, optional
        Seconds the timed runs of one solver on one problem may take together; a solver
        slower than ``solver_time_budget / repeat`` per run gets fewer timed runs (at least
        one; see :func:`time_to_target`). None: always ``repeat``.
    extras : list of Extra
        Further measurements that are not a time-to-target race (e.g. convergence per
        iteration, peak memory), run after the problems; each adds a section to the table
        and an entry under ``"extras"`` in the JSON.
    """

    name: str
    description: str
    problems: list
    solvers: list
    target_rel: float = 1e-6
    repeat: int = 5
    notes: list = field(default_factory=list)
    curves: bool = True
    curve_time_budget: float = 20.0
    threads: int | None = None
    solver_time_budget: float | None = None
    extras: list = field(default_factory=list)


@dataclass
class Extra:
    """A measurement of a suite that is not a time-to-target race.

    Parameters
    ----------
    name : str
        Key under ``results["extras"]``.
    title : str
        Heading of its section in the table.
    run : callable
        ``run(context) -> dict`` with ``context`` a dict holding ``out_dir`` (Path),
        ``quick``, ``plots``, ``say`` (print function), ``suite`` and ``results`` (the
        race results so far). The returned dict may hold ``markdown`` (the section's body),
        ``data`` (JSON-ready), ``files`` (paths written) and ``notes`` (list of str).
        An exception is caught and reported in the notes; the rest of the suite still runs.
    """

    name: str
    title: str
    run: Callable


def library_version(dist):
    """Installed version of distribution ``dist`` ("unknown" when it cannot be found).

    Parameters
    ----------
    dist : str
        Distribution name, e.g. ``"scikit-learn"``.

    Returns
    -------
    str
    """
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        if dist == "optsuite":
            try:
                import solvers

                return getattr(solvers, "__version__", "unknown")
            except ImportError:  # pragma: no cover
                pass
        return "unknown"


# --------------------------------------------------------------------------- measuring
def _unpack(out):
    """``(x, nit)`` from a run's return value (an array or an object with ``x``/``nit``)."""
    if hasattr(out, "x"):
        x, nit = out.x, getattr(out, "nit", None)
    elif isinstance(out, dict) and "x" in out:
        x, nit = out["x"], out.get("nit")
    else:
        x, nit = out, None
    x = np.asarray(x, dtype=float).ravel()
    return x, (None if nit is None else int(nit))


def _timed(fn):
    """Run ``fn()`` with garbage collection off; return ``(output, seconds)``."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter()
        out = fn()
        elapsed = time.perf_counter() - t0
    finally:
        if was_enabled:
            gc.enable()
    return out, elapsed


class _WarningLog:
    """Context manager recording warnings (deduplicated by category and message)."""

    def __init__(self, sink):
        self.sink = sink
        self._ctx = warnings.catch_warnings(record=True)

    def __enter__(self):
        self._records = self._ctx.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        for w in self._records:
            msg = f"{w.category.__name__}: {str(w.message).splitlines()[0][:200]}"
            if msg not in self.sink:
                self.sink.append(msg)
        return self._ctx.__exit__(*exc)


def reached(gap, target):
    """Whether a shared gap counts as reaching ``target`` (``gap <= target * 1.0001``)."""
    return bool(np.isfinite(gap) and gap <= target * REACHED_SLACK)


def time_to_target(spec, problem, target, repeat=5, max_iter=None, time_budget=None):
    """Time ``spec`` to reach a shared duality-gap ``target`` on ``problem``.

    One warm-up run (untimed; also calibrates the tolerance when ``spec.calibrate``), then
    ``repeat`` timed runs. The shared gap of each run's ``x`` is computed after its timed
    region. :func:`time_interleaved` does the same for several solvers at once, alternating
    their timed runs.

    Parameters
    ----------
    spec : SolverSpec
    problem : Problem
    target : float
        Target on the shared gap :meth:`Problem.measure`.
    repeat : int, default 5
        Number of timed runs (>= 1).
    max_iter : int, optional
        Iteration budget (default ``spec.max_iter``).
    time_budget : float, optional
        Seconds the timed runs may take together: when the first timed run took ``t``
        seconds, only ``max(1, min(repeat, time_budget // t))`` timed runs are made (so a
        solver that needs a minute per run is timed once). None: always ``repeat``.

    Returns
    -------
    dict
        ``median_time``, ``times``, ``final_gap`` (shared gap of the last run), ``gaps``
        (one per timed run), ``nit``, ``reached`` (every timed run reached the target),
        ``target``, ``tol`` (passed to the solver), ``calibration_steps``, ``warnings``,
        and ``x`` (the last solution; not written to JSON).
    """
    return time_interleaved([spec], problem, target, repeat=repeat, max_iter=max_iter,
                            time_budget=time_budget)[spec.name]


def _calibrate(spec, problem, target, max_iter, log):
    """Warm-up run, then (``spec.calibrate``) tolerance / 10 until the shared gap reaches
    ``target``. Returns ``(tol, calibration steps)``."""
    tol = spec.solver_tol(problem, target)
    steps = 0
    x, nit = _unpack(spec.run(problem, tol, max_iter))
    gap = problem.measure(x)
    stopped = None
    while spec.calibrate and not reached(gap, target) and steps < MAX_CALIBRATION:
        if nit is not None and nit >= max_iter:
            # the run used its whole budget: a tighter tolerance cannot help
            stopped = f"iteration budget ({max_iter}) used up at tol {tol:.1e}"
            break
        tol /= 10.0
        steps += 1
        x, nit = _unpack(spec.run(problem, tol, max_iter))
        gap = problem.measure(x)
    if stopped:
        log.append(f"calibration stopped: {stopped}")
    return tol, steps


def time_interleaved(specs, problem, target, repeat=5, max_iter=None, time_budget=None):
    """Time several solvers to the shared ``target`` with their timed runs interleaved.

    Each solver is warmed up and calibrated first (as in :func:`time_to_target`); then the
    timed runs go round-robin -- one run of every solver per round, ``repeat`` rounds -- so
    that slow phases of a shared or throttled machine hit all solvers alike and the ratios
    between their medians stay meaningful. A solver whose first timed run shows that its
    ``repeat`` runs would exceed ``time_budget`` seconds leaves the rotation early (after at
    least one run).

    Parameters
    ----------
    specs : sequence of SolverSpec
    problem : Problem
    target : float
    repeat : int, default 5
    max_iter : int, optional
        Iteration budget for every solver (default: each ``spec.max_iter``).
    time_budget : float, optional
        Seconds each solver's timed runs may take together.

    Returns
    -------
    dict
        ``{spec.name: result}`` with the result dictionaries of :func:`time_to_target`.
    """
    repeat = int(repeat)
    if repeat < 1:
        raise ValueError(f"repeat must be >= 1, got {repeat}")
    state = {}
    for spec in specs:
        budget = int(spec.max_iter if max_iter is None else max_iter)
        log = []
        with _WarningLog(log):
            tol, steps = _calibrate(spec, problem, target, budget, log)
        state[spec.name] = dict(spec=spec, max_iter=budget, tol=tol, steps=steps, log=log,
                                times=[], gaps=[], nit=None, x=None, repeat=repeat)
    gc.collect()  # once: the timed runs themselves run with the collector off
    for k in range(repeat):
        for st in state.values():
            if k >= st["repeat"]:
                continue
            spec = st["spec"]
            with _WarningLog(st["log"]):
                out, elapsed = _timed(lambda: spec.run(problem, st["tol"], st["max_iter"]))
                x, st["nit"] = _unpack(out)
                st["x"] = x
                st["times"].append(elapsed)
                st["gaps"].append(problem.measure(x))  # outside the timed region
            if k == 0 and time_budget is not None and elapsed * repeat > time_budget:
                st["repeat"] = max(1, min(repeat, int(time_budget // max(elapsed, 1e-9))))
                st["log"].append(f"{st['repeat']} timed run(s) only: one run takes "
                                 f"{elapsed:.1f} s (time budget {time_budget:g} s)")
    out = {}
    for name, st in state.items():
        out[name] = {
            "median_time": float(np.median(st["times"])),
            "times": [float(t) for t in st["times"]],
            "final_gap": float(st["gaps"][-1]),
            "gaps": [float(g) for g in st["gaps"]],
            "nit": st["nit"],
            "reached": all(reached(g, target) for g in st["gaps"]),
            "target": float(target),
            "tol": float(st["tol"]),
            "max_iter": st["max_iter"],
            "calibration_steps": st["steps"],
            "warnings": st["log"],
            "x": st["x"],
        }
    return out


def geometric_budgets(max_iter):
    """``[1, 2, 4, ...]`` up to ``max_iter`` (``max_iter`` itself included).

    Parameters
    ----------
    max_iter : int

    Returns
    -------
    list of int
    """
    budgets, b = [], 1
    while b < max_iter:
        budgets.append(b)
        b *= 2
    budgets.append(int(max_iter))
    return budgets


def thin_indices(n, max_points=400):
    """At most about ``max_points`` indices of ``range(n)``, log-spaced, first and last kept.

    Parameters
    ----------
    n : int
    max_points : int

    Returns
    -------
    ndarray of int
    """
    if n <= max_points:
        return np.arange(n)
    idx = np.unique(np.geomspace(1, n, max_points).astype(int) - 1)
    return np.unique(np.concatenate([[0], idx, [n - 1]]))


def convergence_curve(spec, problem, target, budgets=None, time_budget=20.0, max_points=400,
                      point_repeat=3, short_run=0.05):
    """Shared gap against time and iterations for ``spec`` on ``problem``.

    For a spec with ``history`` (optsuite's solvers): one run with ``tol=target`` and its own
    record, i.e. the history's ``measure`` column (the duality gap) against its ``time``
    column shifted by the reported ``setup_time`` (when absent, by the run's wall time outside
    the solver's clock). Long histories are thinned to about ``max_points`` log-spaced rows.

    Otherwise benchopt-style: one run per ``max_iter`` in ``budgets`` with the tolerance
    :meth:`SolverSpec.curve_tolerance` (0 or tiny), each timed, the shared gap computed after
    each; the grid stops once the target is reached or ``time_budget`` seconds are spent.
    Short runs are repeated and their median time kept.

    Parameters
    ----------
    spec : SolverSpec
    problem : Problem
    target : float
        Shared-gap target (where curves may stop).
    budgets : sequence of int, optional
        ``max_iter`` grid (default :func:`geometric_budgets` of ``spec.max_iter``).
    time_budget : float, default 20.0
        Wall-time cap in seconds for the grid.
    max_points : int, default 400
        Largest number of history rows kept (log-spaced; first and last always kept).
    point_repeat : int, default 3
        Grid points whose run takes less than ``short_run`` seconds are timed this many times
        and the median is kept (millisecond runs are noisy).
    short_run : float, default 0.05
        See ``point_repeat``.

    Returns
    -------
    dict
        ``time``, ``gap`` and ``iteration`` lists (first point: ``x = 0`` at time 0), and
        ``kind`` ("history" or "grid").
    """
    gap0 = problem.gap_at_zero()
    log = []
    with _WarningLog(log):
        if spec.history is not None:
            gc.collect()
            (h, wall) = _timed(lambda: spec.history(problem, target, spec.max_iter))
            t = np.asarray(h["time"], dtype=float)
            offset = h.get("setup_time")
            if offset is None:  # everything outside the solver's own clock
                offset = max(wall - float(t[-1]), 0.0) if t.size else 0.0
            t = np.concatenate([[0.0], t[1:] + offset])
            keep = thin_indices(t.size, max_points)
            curve = {"time": t[keep].tolist(),
                     "gap": np.asarray(h["gap"], dtype=float)[keep].tolist(),
                     "iteration": np.asarray(h["iteration"], dtype=int)[keep].tolist(),
                     "kind": "history", "setup_time": offset, "n_points": int(t.size)}
        else:
            budgets = geometric_budgets(spec.max_iter) if budgets is None else list(budgets)
            tol = spec.curve_tolerance(problem, target)
            spec.run(problem, tol, budgets[0])  # warm-up
            curve = {"time": [0.0], "gap": [gap0], "iteration": [0], "kind": "grid"}
            spent = 0.0
            gc.collect()
            for b in budgets:
                out, elapsed = _timed(lambda: spec.run(problem, tol, b))
                if elapsed < short_run and point_repeat > 1:
                    more = [_timed(lambda: spec.run(problem, tol, b))[1]
                            for _ in range(point_repeat - 1)]
                    spent += sum(more)
                    elapsed = float(np.median([elapsed] + more))
                x, _ = _unpack(out)
                gap = problem.measure(x)
                curve["time"].append(float(elapsed))
                curve["gap"].append(float(gap))
                curve["iteration"].append(int(b))
                spent += elapsed
                # stop at the target, past the budget, or when the next point (about twice
                # this one) would take the total past twice the budget
                if reached(gap, target) or spent > time_budget \
                        or spent + 2 * elapsed > 2 * time_budget:
                    break
    curve["warnings"] = log
    return curve


# --------------------------------------------------------------------------- running
def machine_info():
    """Platform, CPU count and library versions of the running process.

    Returns
    -------
    dict
    """
    info = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or "unknown",
        "python": sys.version.split()[0],
        "cpu_count": os.cpu_count(),
    }
    try:
        info["cpus_available"] = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        pass
    for dist in ("numpy", "scipy", "numba", "scikit-learn"):
        info[dist] = library_version(dist)
    try:
        from threadpoolctl import threadpool_info

        info["threadpools"] = [
            {k: p.get(k) for k in ("user_api", "internal_api", "num_threads", "version")}
            for p in threadpool_info()
        ]
    except Exception:  # noqa: BLE001 - optional information only
        pass
    return info


def _ratios(solver_results, specs):
    """Fill ``ratio`` (median time / best peer's median time) in each solver's record."""
    peers = [s.name for s in specs if not s.ours and s.name in solver_results]
    good = [p for p in peers if solver_results[p]["reached"]]
    pool = good or peers
    if not pool:
        for r in solver_results.values():
            r["ratio"], r["reference"] = None, None
        return
    best = min(pool, key=lambda p: solver_results[p]["median_time"])
    t_best = solver_results[best]["median_time"]
    for r in solver_results.values():
        r["ratio"] = r["median_time"] / t_best if t_best > 0 else None
        r["reference"] = best
        r["reference_reached"] = bool(good)


def run_suite(suite, out_dir, *, repeat=None, quick=False, plots=True, verbose=True,
              threads=None):
    """Run every solver of ``suite`` on every problem, write the outputs, print the table.

    Parameters
    ----------
    suite : Suite
    out_dir : str or Path
        Where ``results.json``, ``table.md``, ``solutions.npz`` and the PNGs go (created).
    repeat : int, optional
        Overrides ``suite.repeat``.
    quick : bool, default False
        Recorded in the results (the suite was built in its quick form).
    plots : bool, default True
        Write PNG plots (skipped with a note when matplotlib is missing).
    verbose : bool, default True
        Print progress and the final table.
    threads : int, optional
        Limit the BLAS and OpenMP thread pools of the process to this many threads for the
        whole run (with threadpoolctl); recorded in the results. None: the suite's
        ``threads``; 0: no limit (the libraries' defaults, usually one thread per core).

    Returns
    -------
    dict
        The results, as written to ``results.json``.
    """
    threads = suite.threads if threads is None else (int(threads) or None)
    if threads is not None:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            if verbose:
                print(f"note: threadpoolctl is not installed; the limit of {threads} "
                      "thread(s) is not applied")
            return _run_suite(suite, out_dir, repeat, quick, plots, verbose, None)
        # threadpoolctl limits only the libraries loaded so far: load numpy's and scipy's
        # BLAS (scipy wheels bundle their own) before limiting, or a section that first
        # imports scipy.linalg would run it with every core
        import scipy.linalg  # noqa: F401
        import scipy.optimize  # noqa: F401
        import scipy.sparse.linalg  # noqa: F401
        with threadpool_limits(limits=int(threads)):
            return _run_suite(suite, out_dir, repeat, quick, plots, verbose, int(threads))
    return _run_suite(suite, out_dir, repeat, quick, plots, verbose, None)


def _run_suite(suite, out_dir, repeat, quick, plots, verbose, threads):
    say = print if verbose else (lambda *a, **k: None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    repeat = int(suite.repeat if repeat is None else repeat)
    t_start = time.perf_counter()
    results = {
        "suite": suite.name,
        "description": suite.description,
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "quick": bool(quick),
        "repeat": repeat,
        "thread_limit": threads,
        "target_rel": suite.target_rel,
        "reached_slack": REACHED_SLACK,
        "machine": machine_info(),
        "notes": list(suite.notes),
        "solvers": {s.name: s.describe() for s in suite.solvers},
        "problems": {},
    }
    for note in suite.notes:
        say(f"note: {note}")
    solutions = {}
    for prob in suite.problems:
        gap0 = prob.gap_at_zero()
        target = suite.target_rel * gap0
        say(f"[{prob.name}] {prob.description}; gap(0) = {gap0:.3e}, target = {target:.3e}")
        per_solver = {}
        specs = [spec for spec in suite.solvers if spec.applies(prob)]
        t_row = time.perf_counter()
        timed = time_interleaved(specs, prob, target, repeat=repeat,
                                 time_budget=suite.solver_time_budget)
        t_timed = (time.perf_counter() - t_row) / max(len(specs), 1)
        for spec in specs:
            t_row = time.perf_counter()
            res = timed[spec.name]
            solutions[f"{prob.name}/{spec.name}"] = res.pop("x")
            if suite.curves:
                res["curve"] = convergence_curve(spec, prob, target,
                                                 time_budget=suite.curve_time_budget)
            res.update(library=spec.library, version=spec.version,
                       settings=dict(spec.settings), iter_unit=spec.iter_unit, ours=spec.ours)
            per_solver[spec.name] = res
            res["wall_time"] = time.perf_counter() - t_row + t_timed
            flag = "ok" if res["reached"] else "MISSED"
            say(f"    {spec.name:<16s} median {res['median_time']:.4f} s   gap "
                f"{res['final_gap']:.2e} [{flag}]   nit {res['nit']}   tol {res['tol']:.2e}"
                f"   (about {res['wall_time']:.1f} s with warm-up and curve)")
        _ratios(per_solver, suite.solvers)
        results["problems"][prob.name] = {
            "description": prob.description,
            "shape": list(prob.shape),
            "nnz": prob.nnz,
            "info": prob.info,
            "gap0": gap0,
            "target": target,
            "solvers": per_solver,
        }
    if suite.extras:
        results["extras"] = {}
    for extra in suite.extras:
        say(f"[{extra.name}] {extra.title}")
        t_extra = time.perf_counter()
        try:
            out = extra.run({"out_dir": out_dir, "quick": bool(quick), "plots": plots,
                             "say": say, "suite": suite, "results": results}) or {}
        except Exception as exc:  # noqa: BLE001 - report and go on with the suite
            import traceback

            tb = traceback.format_exc(limit=6)
            say(f"    FAILED: {type(exc).__name__}: {exc}")
            out = {"markdown": f"**failed**: `{type(exc).__name__}: {exc}`\n\n```\n{tb}```",
                   "notes": [f"extra {extra.name} failed: {type(exc).__name__}: {exc}"]}
        results["extras"][extra.name] = {
            "title": extra.title,
            "markdown": out.get("markdown", ""),
            "data": out.get("data", {}),
            "files": [str(f) for f in out.get("files", [])],
            "wall_time": time.perf_counter() - t_extra,
        }
        results["notes"].extend(out.get("notes", []))
    results["total_time"] = time.perf_counter() - t_start
    write_json(results, out_dir / "results.json")
    np.savez_compressed(out_dir / "solutions.npz", **solutions)
    table = markdown_table(results)
    (out_dir / "table.md").write_text(table)
    if plots:
        written = write_plots(results, out_dir)
        if written is None:
            say("note: matplotlib is not installed; plots skipped")
    say("")
    say(table)
    say(f"total time: {results['total_time']:.1f} s; outputs in {out_dir}")
    return results


# --------------------------------------------------------------------------- writers
def _jsonable(obj):
    """Convert numpy scalars/arrays and non-finite floats (-> None) for strict JSON."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return v if math.isfinite(v) else None
    if obj is None or isinstance(obj, (int, str)):
        return obj
    return str(obj)


def write_json(results, path):
    """Write ``results`` as strict JSON (non-finite numbers become null).

    Parameters
    ----------
    results : dict
    path : str or Path
    """
    with open(path, "w") as fh:
        json.dump(_jsonable(results), fh, indent=1, allow_nan=False)


def _thread_text(results):
    if results.get("thread_limit"):
        return f"BLAS/OpenMP limited to {results['thread_limit']} thread(s)"
    blas = [p for p in results["machine"].get("threadpools", []) if p.get("user_api") == "blas"]
    if blas:
        return f"BLAS {blas[0].get('internal_api')} with {blas[0].get('num_threads')} threads"
    return "default threads"


_UNITS = {"epochs": "ep", "outer iterations": "outer", "iterations": "it",
          "coordinate updates": "cu"}


def markdown_table(results):
    """The results as a markdown document: the table, then problems, settings and notes.

    Columns: problem | solver | library (version) | solver tol | median time [s] |
    gap reached | iterations | ratio vs. best peer.

    Parameters
    ----------
    results : dict
        As returned by :func:`run_suite`.

    Returns
    -------
    str
    """
    m = results["machine"]
    lines = [
        f"# Benchmark suite `{results['suite']}`",
        "",
        f"{results['description']}",
        "",
        f"{results['date']} -- {m.get('platform')}, {m.get('cpus_available', m.get('cpu_count'))} "
        f"CPUs; numpy {m.get('numpy')}, scipy {m.get('scipy')}, numba {m.get('numba')}; "
        f"{_thread_text(results)}. Median of {results['repeat']} timed runs after a warm-up.",
    ]
    has_gap_table = bool(results["problems"])
    if has_gap_table:  # suites made of extras only (e.g. newton) have their own tables
        lines[-1] += (f" Target: shared duality gap <= {results['target_rel']:g} x gap(0). "
                      "Ratio = median time / median time of the fastest peer that reached the "
                      "target (> 1: slower).")
        lines += [
            "",
            "| problem | solver | library (version) | solver tol | median time [s] | gap "
            "reached | iterations | ratio vs. best peer |",
            "|---|---|---|---:|---:|---:|---:|---:|",
        ]
    for pname, prob in results["problems"].items():
        for sname, r in prob["solvers"].items():
            gap = f"{r['final_gap']:.2e}" if r["reached"] else f"**{r['final_gap']:.2e} (missed)**"
            unit = _UNITS.get(r.get("iter_unit"), r.get("iter_unit", ""))
            nit = "-" if r["nit"] is None else f"{r['nit']} {unit}".strip()
            if r.get("ratio") is None:
                ratio = "-"
            else:
                ratio = f"{r['ratio']:.2f}"
                if not r["reached"] or not r.get("reference_reached", True):
                    ratio += "*"
            tol = f"{r['tol']:.1e}" + (f" (cal. {r['calibration_steps']})"
                                         if r.get("calibration_steps") else "")
            lines.append(
                f"| {pname} | {sname} | {r['library']} ({r['version']}) | {tol} | "
                f"{r['median_time']:.4f} | {gap} | {nit} | {ratio} |"
            )
    if has_gap_table:
        lines += [
            "",
            "`*`: not comparable (this solver, or every peer, missed the target). `cal. k`: the "
            "tolerance was divided by 10 k times during warm-up so that the shared gap reaches "
            "the target. Iterations: `it` proximal-gradient steps, `ep` coordinate-descent "
            "epochs, `outer` working-set iterations, `cu` coordinate updates.",
            "",
            "## Problems",
            "",
        ]
    for pname, prob in results["problems"].items():
        shape = "x".join(str(s) for s in prob["shape"])
        lines.append(f"- **{pname}**: {prob['description']} (X {shape}, nnz {prob['nnz']}; "
                     f"gap(0) = {prob['gap0']:.3e}, target = {prob['target']:.3e})")
    if results["solvers"]:
        lines += ["", "## Solvers", ""]
    for sname, s in results["solvers"].items():
        settings = ", ".join(f"{k}={v}" for k, v in s["settings"].items())
        lines.append(f"- **{sname}** ({s['library']} {s['version']}): {settings}")
    notes = list(results.get("notes", []))
    for pname, prob in results["problems"].items():
        for sname, r in prob["solvers"].items():
            setup = r.get("curve", {}).get("setup_time")
            if r.get("ours") and setup is not None and r["median_time"] > 0:
                notes.append(f"{pname} / {sname}: set-up (building the smooth part and its "
                             f"Lipschitz constant) took {setup:.4f} s in the "
                             f"curve run, {100 * min(setup / r['median_time'], 1):.0f}% of "
                             "the median time")
    for pname, prob in results["problems"].items():
        for sname, r in prob["solvers"].items():
            for w in r.get("warnings", []):
                notes.append(f"{pname} / {sname} (timed runs): {w}")
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    for name, extra in results.get("extras", {}).items():
        lines += ["", f"## {extra['title']}", "", extra["markdown"].rstrip()]
    return "\n".join(lines) + "\n"


def write_table(results, path):
    """Write :func:`markdown_table` of ``results`` to ``path``.

    Parameters
    ----------
    results : dict
    path : str or Path
    """
    Path(path).write_text(markdown_table(results))


def _safe_name(name):
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def write_plots(results, out_dir):
    """One PNG per problem: relative shared gap against time and against iterations.

    Parameters
    ----------
    results : dict
        As returned by :func:`run_suite` (with curves).
    out_dir : str or Path

    Returns
    -------
    list of Path or None
        The files written, or None when matplotlib is not installed.
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None
    out_dir = Path(out_dir)
    written = []
    for pname, prob in results["problems"].items():
        curves = {s: r["curve"] for s, r in prob["solvers"].items() if "curve" in r}
        if not curves:
            continue
        gap0 = prob["gap0"] or 1.0
        floor = 1e-17
        fig = Figure(figsize=(11, 4.2), layout="constrained")
        FigureCanvasAgg(fig)
        ax_t, ax_i = fig.subplots(1, 2)
        for k, (sname, c) in enumerate(curves.items()):
            r = prob["solvers"][sname]
            rel = np.maximum(np.array([np.nan if g is None else g for g in c["gap"]],
                                      dtype=float) / gap0, floor)
            style = dict(marker="o" if c["kind"] == "grid" else None, markersize=3,
                         linestyle="-" if r["ours"] else "--", lw=1.6, color=f"C{k}")
            label = f"{sname} ({r['library']} {r['version']})"
            t = np.asarray(c["time"], dtype=float)
            ax_t.plot(t[t > 0], rel[t > 0], label=label, **style)
            ax_i.plot(np.maximum(c["iteration"], 0), rel,
                      label=f"{sname} [{r['iter_unit']}]", **style)
        for ax in (ax_t, ax_i):
            ax.set_yscale("log")
            ax.axhline(results["target_rel"], color="0.3", lw=0.8, ls=":", label="target")
            ax.set_ylabel("duality gap / gap at x=0")
            ax.grid(True, which="major", alpha=0.3)
        ax_i.set_xscale("symlog", linthresh=1)
        ax_i.set_xlim(left=0)
        ax_t.set_xscale("log")  # the starting point (time 0) is on the iteration panel only
        ax_t.set_xlabel("wall time [s]")
        ax_i.set_xlabel("iterations (each solver's own unit)")
        ax_t.legend(fontsize=8, loc="best")
        ax_i.legend(fontsize=8, loc="best")
        fig.suptitle(f"{results['suite']} / {pname}: {prob['description']}", fontsize=10)
        path = out_dir / f"{_safe_name(pname)}.png"
        fig.savefig(path, dpi=110)
        written.append(path)
    return written
