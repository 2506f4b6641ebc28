"""Newton suite: ``solvers.damped_newton`` and ``solvers.lazy_newton`` against SciPy's
second-order and quasi-Newton methods (:func:`scipy.optimize.minimize`).

Conventions (as in the other suites, see :mod:`benchmarks.harness`):

* **Same process, same data.** Every method runs in this process on the very same problem
  object (the same arrays).
* **One shared optimality measure**: the Euclidean gradient norm ``||grad f(x)||`` of the
  returned ``x``, recomputed by :func:`grad_norm` after the timed region -- never a solver's
  claim. A target counts as reached when ``grad_norm(f, x) <= target * 1.0001``.
* **Warm-up first**: every method runs once, untimed, before any timed run.
* **Median of interleaved repeats** (sections ``logistic`` and ``lazy``): ``repeat`` timed runs
  (:func:`time.perf_counter`, garbage collector off), round-robin over the methods of a
  problem; the median is reported. Section ``cutest`` times each (method, problem) once, after
  a warm-up of every method on ROSENBR.
* **Counts.** optsuite's solvers report the calls their oracle made (``nfev``: value or
  value-and-gradient calls, ``njev`` gradients, ``nhev`` Hessians). SciPy's methods get the
  problem through :class:`Counted`, which counts the calls itself: ``fun`` returns value and
  gradient together (``jac=True``, one call = one nfev and one njev), ``hess`` calls
  (trust-exact) and ``hessp`` calls (Newton-CG, trust-krylov: Hessian-vector products,
  reported separately from full Hessians).
* **SciPy's tolerances** are set so that their own stopping rule can reach the target:
  ``gtol = target`` for trust-exact / trust-krylov (Euclidean norm) and BFGS (``norm=2``);
  ``gtol = target / sqrt(n)`` and ``ftol = 0`` for L-BFGS-B (its test is on the max-norm of
  the projected gradient); Newton-CG has no gradient test, only ``xtol`` on the mean step,
  set to 1e-14. trust-krylov solves its subproblems accurately (``inexact=False``): the
  default inexact mode needs hundreds of iterations at tight tolerances.
"""
from __future__ import annotations

import gc
import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import scipy
import scipy.sparse as sp

from .harness import REACHED_SLACK, library_version

#: Newton-CG's only stopping rule (mean absolute step), for every section.
NEWTON_CG_XTOL = 1e-14


# --------------------------------------------------------------------------- the measure
def grad_norm(f, x):
    """The shared optimality measure: the Euclidean norm of ``f.grad(x)``.

    Parameters
    ----------
    f : smooth part (``grad``)
    x : array

    Returns
    -------
    float
    """
    g = f.grad(np.asarray(x, dtype=np.float64).ravel())
    return float(np.linalg.norm(np.asarray(g, dtype=np.float64)))


def reached(gnorm, target):
    """Whether a shared gradient norm reaches ``target`` (``<= target * 1.0001``)."""
    return bool(np.isfinite(gnorm) and gnorm <= target * REACHED_SLACK)


def versions():
    """Versions of the libraries compared (recorded in the JSON)."""
    return {"scipy": scipy.__version__, "numpy": np.__version__,
            "optsuite": library_version("optsuite")}


# --------------------------------------------------------------------------- methods
class Counted:
    """The oracle of a smooth part ``f`` for :func:`scipy.optimize.minimize`, counting calls.

    ``fun(x) -> (f(x), grad f(x))`` (use with ``jac=True``), ``hess(x)`` (dense: a sparse
    Hessian is converted with ``toarray``) and ``hessp(x, p)`` (``f.hvp``).
    """

    def __init__(self, f):
        self.f = f
        self.nfev = self.njev = self.nhev = self.nhvp = 0

    def fun(self, x):
        self.nfev += 1
        self.njev += 1
        v, g = self.f.value_and_grad(x)
        return float(v), np.asarray(g, dtype=np.float64)

    def hess(self, x):
        self.nhev += 1
        H = self.f.hess(x)
        return H.toarray() if sp.issparse(H) else np.asarray(H, dtype=np.float64)

    def hessp(self, x, p):
        self.nhvp += 1
        return np.asarray(self.f.hvp(x, p), dtype=np.float64)


@dataclass
class Method:
    """A method as this benchmark sees it.

    ``run(f, x0, tol, max_iter, callback) -> dict`` with ``x``, ``nit``, ``nfev``, ``njev``,
    ``nhev`` (full Hessians), ``nhvp`` (Hessian-vector products), ``status``, ``message``,
    ``success`` and (optsuite) ``history``. ``callback(x)`` is called once per iteration
    and may raise StopIteration. ``applies(n)`` says whether it runs at dimension ``n``.
    """

    name: str
    library: str
    run: Callable
    settings: dict = field(default_factory=dict)
    applies: Callable | None = None
    ours: bool = False

    def applies_to(self, n):
        return self.applies is None or bool(self.applies(n))

    def describe(self):
        return {"library": self.library, "ours": self.ours, "settings": dict(self.settings)}


def _ours_out(res):
    return {"x": np.asarray(res.x, dtype=np.float64), "nit": int(res.nit),
            "nfev": int(res.nfev), "njev": int(res.njev), "nhev": int(res.nhev), "nhvp": 0,
            "status": int(res.status), "message": str(res.message),
            "success": bool(res.success), "history": res.history,
            "linsolve": res.get("linsolve")}


def damped(stepsize, **kw):
    """``solvers.damped_newton(f, x0, stepsize=stepsize, **kw)`` as a :class:`Method`."""
    def run(f, x0, tol, max_iter, callback=None):
        from solvers import damped_newton

        cb = None if callback is None else (lambda r: callback(r.x))
        return _ours_out(damped_newton(f, x0, stepsize=stepsize, tol=tol, max_iter=max_iter,
                                       callback=cb, **kw))

    settings = {"stepsize": stepsize, **kw}
    if stepsize in ("root", "aicn") and "L" not in kw:
        settings["L"] = "None (backtracking)"
    return Method(name=f"damped_newton {stepsize}", library="optsuite", run=run,
                  settings=settings, ours=True)


def lazy(m=None, label=None, variant="regularized"):
    """``solvers.lazy_newton(f, x0, m=m, variant=variant)`` as a :class:`Method`; ``m`` may be
    a callable of the dimension."""
    def run(f, x0, tol, max_iter, callback=None):
        from solvers import lazy_newton

        mm = m(np.size(x0)) if callable(m) else m
        cb = None if callback is None else (lambda r: callback(r.x))
        return _ours_out(lazy_newton(f, x0, m=mm, variant=variant, tol=tol, max_iter=max_iter,
                                     callback=cb))

    name = label or ("lazy_newton" + ("" if m is None else f" m={m}"))
    return Method(name=name, library="optsuite", run=run, ours=True,
                  settings={"variant": variant, "m": "d (default)" if m is None else
                            (label or str(m))})


def scipy_method(method, applies=None):
    """``scipy.optimize.minimize(..., method=method)`` as a :class:`Method`, with the
    tolerances of the module docstring for a gradient-norm target ``tol``."""
    def options(n, tol, max_iter):
        if method == "Newton-CG":
            return {"xtol": NEWTON_CG_XTOL, "maxiter": max_iter}
        if method == "trust-exact":
            return {"gtol": tol, "maxiter": max_iter}
        if method == "trust-krylov":
            return {"gtol": tol, "maxiter": max_iter, "inexact": False}
        if method == "L-BFGS-B":
            return {"gtol": tol / math.sqrt(max(n, 1)), "ftol": 0.0, "maxcor": 10,
                    "maxiter": max_iter, "maxfun": max(15000, 20 * max_iter)}
        if method == "BFGS":
            return {"gtol": tol, "norm": 2, "maxiter": max_iter}
        raise ValueError(method)

    def run(f, x0, tol, max_iter, callback=None):
        from scipy.optimize import minimize

        c = Counted(f)
        kw = {}
        if method == "trust-exact":
            kw["hess"] = c.hess
        elif method in ("Newton-CG", "trust-krylov"):
            kw["hessp"] = c.hessp
        cb = None
        if callback is not None:
            def cb(intermediate_result):  # the name scipy looks for (new-style callback)
                callback(intermediate_result.x)
        x0 = np.asarray(x0, dtype=np.float64)
        res = minimize(c.fun, x0, jac=True, method=method, callback=cb,
                       options=options(x0.size, tol, max_iter), **kw)
        return {"x": np.asarray(res.x, dtype=np.float64), "nit": int(res.get("nit", -1)),
                "nfev": c.nfev, "njev": c.njev, "nhev": c.nhev, "nhvp": c.nhvp,
                "status": int(res.status), "message": str(res.message),
                "success": bool(res.success), "history": None, "linsolve": None}

    settings = {"Newton-CG": {"hessp": "f.hvp", "xtol": NEWTON_CG_XTOL},
                "trust-exact": {"hess": "dense", "gtol": "target"},
                "trust-krylov": {"hessp": "f.hvp", "gtol": "target", "inexact": False},
                "L-BFGS-B": {"gtol": "target/sqrt(n)", "ftol": 0, "maxcor": 10},
                "BFGS": {"gtol": "target", "norm": 2}}[method]
    return Method(name=f"scipy {method}", library="scipy", run=run, settings=settings,
                  applies=applies)


def newton_methods(lazy_default=True):
    """optsuite's methods of sections ``logistic`` and ``cutest``."""
    out = [damped(s) for s in ("root", "aicn", "greedy", "armijo", "full")]
    out[0].settings["q"] = 4
    if lazy_default:
        out.append(lazy())
    return out


def scipy_methods(bfgs_max_n=None, exact_max_n=None):
    """SciPy's methods; BFGS only when ``bfgs_max_n`` is given (dimension cap)."""
    out = [scipy_method("Newton-CG"),
           scipy_method("trust-exact", applies=None if exact_max_n is None
                        else (lambda n: n <= exact_max_n)),
           scipy_method("trust-krylov"),
           scipy_method("L-BFGS-B")]
    if bfgs_max_n is not None:
        out.append(scipy_method("BFGS", applies=lambda n: n <= bfgs_max_n))
    return out


# --------------------------------------------------------------------------- running
class TimeGuard:
    """Per-iteration callback stopping a run (StopIteration) after ``budget`` seconds."""

    def __init__(self, budget):
        self.budget = budget
        self.t0 = time.perf_counter()
        self.fired = False

    def __call__(self, x):
        if time.perf_counter() - self.t0 > self.budget:
            self.fired = True
            raise StopIteration


def recorded_call(run):
    """Call ``run()`` with the garbage collector off and warnings recorded.

    Returns ``(out, error, seconds, warnings)``: ``out`` is None and ``error`` names the
    exception when the call raised; ``warnings`` lists each distinct warning once.
    """
    log = []
    was = gc.isenabled()
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        gc.disable()
        try:
            t0 = time.perf_counter()
            try:
                out, err = run(), None
            except Exception as exc:  # noqa: BLE001 - recorded in the table
                out, err = None, f"{type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - t0
        finally:
            if was:
                gc.enable()
    for w in rec:
        msg = f"{w.category.__name__}: {str(w.message).splitlines()[0][:160]}"
        if msg not in log:
            log.append(msg)
    return out, err, elapsed, log


def record_timed_run(st, out, seconds, gnorm, first, repeat, time_budget):
    """Add one timed run to a method's state ``st`` (``out``, ``times``, ``warnings``,
    ``gnorms``); after the first one, lower ``st["repeat"]`` so that the repeats fit in
    ``time_budget`` seconds, and say so in the warnings."""
    st["out"] = out
    st["times"].append(seconds)
    for w in out["warnings"]:
        if w not in st["warnings"]:
            st["warnings"].append(w)
    st["gnorms"].append(gnorm)
    if first and seconds * repeat > time_budget:
        st["repeat"] = max(1, min(repeat, int(time_budget // max(seconds, 1e-9))))
        st["warnings"].append(f"{st['repeat']} timed run(s) only: one run takes "
                              f"{seconds:.1f} s (time budget {time_budget:g} s)")


def run_once(method, f, x0, tol, max_iter, time_budget=None):
    """One run (errors and warnings caught); returns ``(out, seconds)``.

    ``out`` holds the method's dict plus ``error`` (str or None), ``warnings`` (list of str)
    and ``timed_out``; ``seconds`` is the wall time of the call with the collector off.
    """
    guard = TimeGuard(time_budget) if time_budget else None

    def run():
        if guard is not None:
            guard.t0 = time.perf_counter()
        return method.run(f, np.array(x0, dtype=np.float64), tol, max_iter, guard)

    out, err, elapsed, log = recorded_call(run)
    if out is None:
        out = {"x": None, "nit": None, "nfev": None, "njev": None, "nhev": None, "nhvp": None,
               "status": None, "message": err, "success": False, "history": None,
               "linsolve": None}
    out["error"] = err
    out["warnings"] = log
    out["timed_out"] = bool(guard is not None and guard.fired)
    return out, elapsed


def time_methods(methods, f, x0, target, repeat, max_iter, time_budget=60.0, say=None):
    """Warm up every method once, then ``repeat`` timed rounds round-robin; medians.

    A method whose first timed run shows that ``repeat`` runs would exceed ``time_budget``
    seconds gets fewer timed runs (at least one). A method that raised in its warm-up is
    not timed (its error is reported).

    Returns
    -------
    dict
        ``{name: row}`` with ``median_time``, ``times``, ``grad_norm`` (shared, of the last
        run), ``grad_norms`` (one per timed run), ``reached`` (every timed run), counts,
        ``status``, ``message``, ``error``, ``warnings``, ``history`` and ``x``.
    """
    state = {}
    for m in methods:
        out, t = run_once(m, f, x0, target, max_iter)
        state[m.name] = {"method": m, "out": out, "times": [], "gnorms": [], "repeat": repeat,
                         "warm_time": t, "warnings": list(out["warnings"])}
    gc.collect()
    for k in range(repeat):
        for st in state.values():
            if st["out"]["error"] is not None or k >= st["repeat"]:
                continue
            out, t = run_once(st["method"], f, x0, target, max_iter)
            gnorm = grad_norm(f, out["x"]) if out["x"] is not None else math.nan
            record_timed_run(st, out, t, gnorm, k == 0, repeat, time_budget)
    rows = {}
    for name, st in state.items():
        out = st["out"]
        gn = st["gnorms"] or [grad_norm(f, out["x"]) if out["x"] is not None else math.nan]
        rows[name] = {
            "method": name, "library": st["method"].library, "ours": st["method"].ours,
            "median_time": float(np.median(st["times"])) if st["times"] else math.nan,
            "times": [float(t) for t in st["times"]],
            "grad_norm": float(gn[-1]), "grad_norms": [float(g) for g in gn],
            "reached": all(reached(g, target) for g in gn) and out["error"] is None,
            "nit": out["nit"], "nfev": out["nfev"], "njev": out["njev"], "nhev": out["nhev"],
            "nhvp": out["nhvp"], "status": out["status"], "message": out["message"],
            "success": out["success"], "error": out["error"], "linsolve": out["linsolve"],
            "warnings": st["warnings"], "history": out["history"], "x": out["x"],
        }
        if say is not None:
            r = rows[name]
            flag = "ok" if r["reached"] else "MISSED"
            say(f"    {name:24s} {r['median_time']:8.4f} s  ||g|| {r['grad_norm']:.2e} "
                f"[{flag}]  nit {r['nit']}  nfev {r['nfev']}  nhev {r['nhev']}"
                f"  nhvp {r['nhvp']}" + (f"  ERROR {r['error']}" if r["error"] else ""))
    return rows


def trace(method, f, x0, target, max_iter):
    """``||grad f||`` (shared function) against wall time, from one untimed run whose
    per-iteration callback computes the gradient norm; the callback's own time is
    subtracted from the clock. Returns ``{"time": [...], "grad_norm": [...]}``."""
    ts, gs = [0.0], [grad_norm(f, x0)]
    spent = [0.0]
    t0 = [0.0]

    def cb(x):
        t_in = time.perf_counter()
        ts.append(t_in - t0[0] - spent[0])
        gs.append(grad_norm(f, x))
        spent[0] += time.perf_counter() - t_in

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0[0] = time.perf_counter()
        try:
            method.run(f, np.array(x0, dtype=np.float64), target, max_iter, cb)
        except Exception:  # noqa: BLE001 - a failing method just has a shorter curve
            pass
    return {"time": ts, "grad_norm": gs}


# --------------------------------------------------------------------------- formatting
def md_table(rows, cols):
    """A markdown table of ``rows`` with ``cols = [(header, fmt(row) -> str)]``."""
    head = "| " + " | ".join(c for c, _ in cols) + " |"
    sep = "|" + "---|" * len(cols)
    body = ["| " + " | ".join(fmt(r) for _, fmt in cols) + " |" for r in rows]
    return "\n".join([head, sep] + body) + "\n"


def _g(v, spec=".2e"):
    return "-" if v is None or (isinstance(v, float) and not math.isfinite(v)) else format(v, spec)


def _i(v):
    return "-" if v is None else str(int(v))


def _plt():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    return plt


def _status_text(r):
    if r.get("error"):
        return f"error: {r['error'][:120]}"
    if r.get("timed_out"):
        return "time budget"
    msg = (r.get("message") or "").replace("|", "/")
    return msg[:120]


# --------------------------------------------------------------------------- section 1
def logistic_section(datasets, data_home, out_dir, repeat=3, plots=True, say=print,
                     target=1e-10, max_iter=1000, plot_dataset="a9a"):
    """Ridge logistic regression (alpha = 1/n_samples) on LIBSVM data; returns an Extra dict."""
    import problems as P

    methods = newton_methods() + scipy_methods()
    notes, rows, problems_info, curves = [], [], {}, {}
    for name in datasets:
        try:
            X, y = P.datasets.load_libsvm(name, data_home=data_home, download=False)
        except (FileNotFoundError, OSError, ValueError) as exc:
            notes.append(f"data set {name} skipped: {exc}")
            say(f"    {name}: skipped ({exc})")
            continue
        y = np.where(np.asarray(y) > 0, 1.0, -1.0) if set(np.unique(y)) != {-1.0, 1.0} else y
        alpha = 1.0 / X.shape[0]
        f = P.Ridge(P.Logistic(X, y), alpha)
        x0 = np.zeros(X.shape[1])
        problems_info[name] = {"shape": list(X.shape), "nnz": int(getattr(X, "nnz", X.size)),
                               "alpha": alpha, "grad_norm_x0": grad_norm(f, x0)}
        say(f"  [{name}] {X.shape[0]} x {X.shape[1]}, alpha = 1/{X.shape[0]} = {alpha:.3e}")
        res = time_methods(methods, f, x0, target, repeat, max_iter, say=say)
        peers = [r for r in res.values() if not r["ours"] and np.isfinite(r["median_time"])]
        good = [r for r in peers if r["reached"]]
        ref = min(good or peers, key=lambda r: r["median_time"]) if peers else None
        for r in res.values():
            r.pop("x")
            r.pop("history")
            r["dataset"] = name
            r["reference"] = ref["method"] if ref else None
            r["reference_reached"] = bool(good)
            r["ratio"] = (r["median_time"] / ref["median_time"]) if ref else None
            rows.append(r)
        if plots and name == plot_dataset:
            say(f"    curves on {name} (one untimed run per method)")
            curves[name] = {m.name: trace(m, f, x0, target, max_iter) for m in methods}
    files = []
    plt = _plt() if plots else None
    for name, cv in curves.items():
        if plt is None:
            break
        fig, ax = plt.subplots(figsize=(7.5, 4.6))
        for k, (mname, c) in enumerate(cv.items()):
            t = np.asarray(c["time"])
            g = np.maximum(np.asarray(c["grad_norm"]), 1e-18)
            ours = not mname.startswith("scipy")
            ax.plot(np.maximum(t, 1e-5), g, ls="-" if ours else "--", marker=".", ms=3,
                    color=f"C{k % 10}", label=mname)
        ax.axhline(target, color="0.3", lw=0.8, ls=":", label="target")
        ax.set(xscale="log", yscale="log", xlabel="wall time [s] (callback time excluded)",
               ylabel="||grad f(x)||",
               title=f"ridge logistic on {name}, alpha = 1/n, x0 = 0")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
        fig.tight_layout()
        path = out_dir / f"newton_logistic_{name}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        files.append(str(path))
    return {"rows": rows, "problems": problems_info, "notes": notes, "files": files,
            "curves": curves, "methods": {m.name: m.describe() for m in methods},
            "target": target, "max_iter": max_iter}


# --------------------------------------------------------------------------- section 2
def cutest_instance(name, cap=1000):
    """``problems.cutest.load(name)`` at its default parameters with ``n`` capped at ``cap``
    (the largest allowed ``n <= cap``: some need a multiple of 2, 3 or 4).

    Returns
    -------
    (problem, params)
    """
    import problems as P

    params = P.cutest.parameters(name)
    if "n" in params and params["n"] is not None and params["n"] > cap:
        last = None
        for n in range(cap, max(cap - 12, 1), -1):
            try:
                return P.cutest.load(name, n=n), {"n": n}
            except ValueError as exc:
                last = exc
        raise ValueError(f"{name}: no n in ({cap - 12}, {cap}] allowed: {last}")
    return P.cutest.load(name), {}


def performance_profile(metric, solved):
    """Dolan-More performance profile.

    Parameters
    ----------
    metric : dict
        ``{method: {problem: value}}`` (time or evaluations).
    solved : dict
        ``{method: {problem: bool}}``; unsolved (or missing) counts as infinite.

    Returns
    -------
    dict
        ``{"tau": [...], method: [fraction of problems with ratio <= tau, ...]}``, and
        ``"ratios"``: ``{method: {problem: ratio or None}}``.
    """
    methods = list(metric)
    probs = sorted({p for m in methods for p in metric[m]})
    ratios = {m: {} for m in methods}
    for p in probs:
        vals = {m: metric[m].get(p) for m in methods
                if solved[m].get(p) and metric[m].get(p) is not None}
        vals = {m: max(float(v), 1e-12) for m, v in vals.items()}
        best = min(vals.values()) if vals else None
        for m in methods:
            ratios[m][p] = vals[m] / best if m in vals else None
    finite = [r for m in methods for r in ratios[m].values() if r is not None]
    top = max(finite + [2.0])
    tau = np.unique(np.concatenate([[1.0], np.geomspace(1.0, top * 1.05, 200)]))
    out = {"tau": tau.tolist(), "ratios": ratios, "n_problems": len(probs)}
    for m in methods:
        r = np.array([v for v in ratios[m].values() if v is not None])
        out[m] = [float((r <= t * (1 + 1e-12)).sum() / max(len(probs), 1)) for t in tau]
    return out


def plot_performance_profiles(profiles, path, title):
    """One panel per profile (e.g. time, function evaluations) in one PNG; returns the path
    or None without matplotlib."""
    plt = _plt()
    if plt is None:
        return None
    fig, axes = plt.subplots(1, len(profiles), figsize=(6.2 * len(profiles), 4.6),
                             squeeze=False)
    for ax, (label, prof) in zip(axes[0], profiles.items()):
        methods = [k for k in prof if k not in ("tau", "ratios", "n_problems")]
        for k, m in enumerate(methods):
            ax.step(prof["tau"], prof[m], where="post", color=f"C{k % 10}",
                    ls="-" if not m.startswith("scipy") else "--", label=m)
        ax.set(xscale="log", xlabel="tau (ratio to the best method)",
               ylabel="fraction of problems solved within tau",
               title=f"{label} ({prof['n_problems']} problems)", ylim=(0, 1.02))
        ax.set_xscale("log", base=2)
        ax.grid(True, alpha=0.3)
    axes[0][-1].legend(fontsize=7, loc="lower right")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def cutest_section(names, out_dir, plots=True, say=print, tol=1e-6, max_iter=1000,
                   cap=1000, bfgs_max_n=200, exact_max_n=1000, time_budget=30.0):
    """Every named CUTEst problem from its SIF x0, each method timed once after a warm-up
    on ROSENBR; returns an Extra dict."""
    import problems as P

    methods = newton_methods() + scipy_methods(bfgs_max_n=bfgs_max_n, exact_max_n=exact_max_n)
    notes = []
    warm = P.cutest.load("ROSENBR")
    for m in methods:  # warm-up: imports, caches, first calls
        run_once(m, warm, warm.x0, tol, max_iter)
    rows = []
    for name in names:
        try:
            f, params = cutest_instance(name, cap)
        except Exception as exc:  # noqa: BLE001
            notes.append(f"CUTEst {name} not loaded: {type(exc).__name__}: {exc}")
            continue
        x0 = f.x0
        g0 = grad_norm(f, x0)
        gc.collect()  # once per problem (each run itself runs with the collector off)
        line = []
        for m in methods:
            row = {"problem": name, "n": f.n, "params": params, "method": m.name,
                   "ours": m.ours, "grad_norm_x0": g0}
            if not m.applies_to(f.n):
                row.update(applies=False, solved=False)
                rows.append(row)
                line.append("-")
                continue
            out, t = run_once(m, f, x0, tol, max_iter, time_budget=time_budget)
            gn = grad_norm(f, out["x"]) if out["x"] is not None else math.nan
            solved = (out["error"] is None and reached(gn, tol) and out["nit"] is not None
                      and out["nit"] <= max_iter and not out["timed_out"])
            fval = float(f.value(out["x"])) if out["x"] is not None else math.nan
            row.update(applies=True, solved=solved, time=t, grad_norm=gn, fun=fval,
                       f_star=f.f_star, nit=out["nit"], nfev=out["nfev"], njev=out["njev"],
                       nhev=out["nhev"], nhvp=out["nhvp"], status=out["status"],
                       message=out["message"], error=out["error"], timed_out=out["timed_out"],
                       warnings=out["warnings"], linsolve=out["linsolve"])
            rows.append(row)
            line.append("ok" if solved else ("ERR" if out["error"] else "x"))
        say(f"    {name:9s} n={f.n:5d}  " + " ".join(f"{s:>3s}" for s in line))
    solved = {m.name: {r["problem"]: r["solved"] for r in rows if r["method"] == m.name}
              for m in methods}
    tmetric = {m.name: {r["problem"]: r.get("time") for r in rows if r["method"] == m.name}
               for m in methods}
    fmetric = {m.name: {r["problem"]: r.get("nfev") for r in rows if r["method"] == m.name}
               for m in methods}
    profiles = {"time": performance_profile(tmetric, solved),
                "function evaluations (nfev)": performance_profile(fmetric, solved)}
    files = []
    if plots:
        p = plot_performance_profiles(
            profiles, out_dir / "newton_cutest_profile.png",
            f"CUTEst (native), solved = ||grad|| <= {tol:g} within {max_iter} iterations")
        if p is not None:
            files.append(str(p))
    return {"rows": rows, "profiles": profiles, "notes": notes, "files": files,
            "methods": {m.name: m.describe() for m in methods}, "tol": tol,
            "max_iter": max_iter, "time_budget": time_budget}


# --------------------------------------------------------------------------- section 3
def make_dense_logistic(n, d, seed=0, noise=0.5):
    """Dense ridge-logistic data: Gaussian features, labels ``sign(X w + noise e)`` with
    ``w ~ N(0, I/d)`` (so ``X w`` has unit variance) and ``e ~ N(0, 1)``."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w = rng.standard_normal(d) / math.sqrt(d)
    y = np.sign(X @ w + noise * rng.standard_normal(n))
    y[y == 0] = 1.0
    return X, y


def lazy_methods(d):
    """Section ``lazy``: lazy Newton (regularized with m = d, d/10, 1; cubic with m = d,
    d/10, d/25, 1) against damped Newton full / root. ``m = 1`` is the same method with a
    fresh Hessian every step (the paper's baseline)."""
    return [lazy(m=d, label="lazy_newton m=d"),
            lazy(m=max(1, d // 10), label="lazy_newton m=d/10"),
            lazy(m=1, label="lazy_newton m=1"),
            lazy(m=d, label="lazy cubic m=d", variant="cubic"),
            lazy(m=max(1, d // 10), label="lazy cubic m=d/10", variant="cubic"),
            lazy(m=max(1, d // 25), label="lazy cubic m=d/25", variant="cubic"),
            lazy(m=1, label="lazy cubic m=1", variant="cubic"),
            damped("full"), damped("root")]


def lazy_section(sizes, out_dir, repeat=3, plots=True, say=print, alpha=1e-3, target=1e-8,
                 max_iter=5000, time_budget=90.0):
    """Lazy vs full Newton on generated dense ridge-logistic problems; returns an Extra
    dict. Reference of the ratios: ``damped_newton full``."""
    import problems as P

    rows, hist = [], {}
    for n, d in sizes:
        X, y = make_dense_logistic(n, d)
        f = P.Ridge(P.Logistic(X, y), alpha)
        x0 = np.zeros(d)
        pname = f"dense {n}x{d}"
        say(f"  [{pname}] alpha = {alpha:g}")
        res = time_methods(lazy_methods(d), f, x0, target, repeat, max_iter,
                           time_budget=time_budget, say=say)
        ref = res["damped_newton full"]
        hist[pname] = {}
        for r in res.values():
            h = r.pop("history")
            r.pop("x")
            if h is not None and len(h):
                t = np.asarray(h.time, dtype=float)
                g = np.asarray(h.grad_norm if "grad_norm" in h.columns else h.measure,
                               dtype=float)
                hist[pname][r["method"]] = {"time": t.tolist(), "grad_norm": g.tolist()}
            r["problem"] = pname
            r["n"], r["d"] = n, d
            r["ratio_vs_full"] = (r["median_time"] / ref["median_time"]
                                  if ref["median_time"] > 0 else None)
            rows.append(r)
    files = []
    plt = _plt() if plots else None
    if plt is not None and hist:
        fig, axes = plt.subplots(1, len(hist), figsize=(6.0 * len(hist), 4.4), squeeze=False)
        for ax, (pname, hs) in zip(axes[0], hist.items()):
            for k, (mname, c) in enumerate(hs.items()):
                t = np.maximum(np.asarray(c["time"]), 1e-4)
                ax.plot(t, np.maximum(c["grad_norm"], 1e-18), marker=".", ms=3,
                        color=f"C{k}", label=mname)
            ax.axhline(target, color="0.3", lw=0.8, ls=":", label="target")
            ax.set(xscale="log", yscale="log", xlabel="solver time [s] (last timed run)",
                   ylabel="||grad f(x)|| (solver's record)", title=f"{pname}, alpha={alpha:g}")
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=7)
        fig.tight_layout()
        path = out_dir / "newton_lazy.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        files.append(str(path))
    return {"rows": rows, "files": files, "target": target, "alpha": alpha,
            "histories": hist}
