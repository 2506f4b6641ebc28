"""Polynomial preconditioning suite: ``solvers.poly_precond`` (gradient method, fast gradient
method and the adaptive Krylov step, Doikov and Rodomanov, ICML 2023) against the plain
gradient and fast gradient methods, SciPy's L-BFGS-B and, on the quadratics, SciPy's conjugate
gradient.

Conventions (as in the other suites, see :mod:`benchmarks.harness` and
:mod:`benchmarks.newton_bench`):

* **Same process, same data.** Every method runs in this process on the very same arrays.
  Each run builds its smooth part from them inside the timed region (``Ridge(LeastSquares(X,
  y), alpha)`` or ``Ridge(Logistic(X, y), alpha)``, well under a millisecond), so that the
  set-up a method needs -- the Lipschitz constant of GM and FGM (cached on ``f``), the
  spectrum of the curvature bound ``B`` and its Gram matrix for ``poly_precond`` -- is paid in
  every timed run, as the harness's ``Problem.factory`` does.
* **One shared optimality measure**: the Euclidean gradient norm ``||grad f(x)||`` of the
  returned ``x``, recomputed after the timed region by :func:`benchmarks.newton_bench.grad_norm`
  (the function the ``newton`` suite uses) on a separately built ``f`` over the same arrays,
  never a solver's claim. A target counts as reached when it is ``<= target * 1.0001``.
* **Tolerances.** optsuite's methods stop on the measure itself (``tol = target``):
  ``poly_precond`` on ``||grad f||`` at the point it returns, ``prox_grad`` (``measure=
  "prox_grad_norm"``, no penalty) on ``||grad f(x_k)||``, ``fista`` on ``||grad f(y_k)||`` at
  its extrapolated point and returns ``x_{k+1} = y_k - grad f(y_k) / L``, whose gradient is
  no larger (co-coercivity). SciPy's rules are on other scales: L-BFGS-B stops on the
  max-norm of the projected gradient (``gtol``; ``ftol = 0``), CG on its recursively updated
  residual (``rtol = target / ||b||``, ``atol = 0``); both start at the target and are
  *calibrated* during the warm-up as the harness does: divided by 10 (at most
  :data:`MAX_CALIBRATION` times) while the shared measure misses the target and the run ended
  on its own tolerance test (a tighter tolerance cannot help a run that stalled). The
  tolerance finally used is reported.
* **Warm-up first, then medians of interleaved repeats**: every method runs once untimed
  (with calibration), then ``repeat`` timed rounds go round-robin over the methods of a
  problem (:func:`time.perf_counter`, garbage collector off); medians are reported. A method
  whose first timed run shows that ``repeat`` runs would exceed ``time_budget`` seconds gets
  fewer (at least one; the notes say so).
* **Caps.** ``max_iter`` iterations and a wall-time guard per run (a per-iteration callback
  raising StopIteration, given to every method alike). A method whose warm-up run does not
  reach the target is not run again: its row shows "no", the iterations and the final
  shared ``||grad||`` of that run, and its wall time marked as a lower bound (``>=``; ``t``:
  stopped by the time guard, ``c``: by ``max_iter``). Such rows get no ratios.
* **Ratios.** ``it / FGM``: iterations divided by those of plain FGM (``solvers.fista``,
  fixed step ``1 / f.lipschitz``); ``<`` when FGM itself missed the target (its count is then
  a lower bound, so the true ratio is smaller). ``it / FGM-ad``: the same against ``FGM
  adaptive (tau=0)``, ``poly_precond(tau=0, accelerated=True, backtracking=True)``, the fast
  gradient method with the same adaptive ``L`` as the FGM-P_tau rows (equal footing).
  ``time / L-BFGS-B``: median time divided by L-BFGS-B's (``*``: L-BFGS-B missed the target,
  its time is to its own stop).

Costs per iteration differ between rows: GM/FGM one gradient (FGM adds a function value);
GM-P_tau one gradient and ``tau`` products with ``B``; FGM-P_tau ``tau`` products, one gradient
at the extrapolated point and one value per backtracking trial; Krylov ``tau + 1`` products,
one value-and-gradient per trial. ``B`` products are cheap when ``d^2 <= nnz(X)`` (a dense
``d x d`` Gram matrix, formed once per run) and otherwise cost about a gradient.
"""
from __future__ import annotations

import gc
import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .harness import thin_indices
from .newton_bench import (Counted, TimeGuard, _plt, grad_norm, md_table, reached,
                           record_timed_run, recorded_call, versions)

#: Target on the shared ``||grad f(x)||``.
TARGET = 1e-8
#: Ridge strength of every problem.
ALPHA = 1e-4
#: Iteration cap of every method.
MAX_ITER = 20_000
#: Degrees of the preconditioners.
TAUS = (1, 2, 3, 4)
#: Largest number of times a peer's tolerance is divided by 10 during the warm-up.
MAX_CALIBRATION = 3
#: LIBSVM data sets of the full suite.
DATASETS = ("a9a", "w6a", "mushrooms", "dna.scale")
#: Top eigenvalues of ``X^T X / n`` of the generated "separated" problems.
SEPARATED_TOP = (1000.0, 300.0, 100.0, 30.0)
#: Range of the log-spaced tail of the "separated" spectrum.
SEPARATED_TAIL = (1e-2, 1e-1)
#: Range of the uniform spectrum of the "flat" problems.
FLAT_RANGE = (0.1, 1.0)
#: Class of dna.scale taken as +1 (class 3 vs rest; also its most frequent class).
DNA_POSITIVE_CLASS = 3.0


# --------------------------------------------------------------------------- problems
def load_binary(name, data_home=None):
    """LIBSVM data ``name`` with labels in {-1, +1}.

    Labels go through :func:`problems.datasets.normalize_labels` (``"binary"``); a data set
    with more classes (dna.scale: 1, 2, 3) is reduced to one class against the rest, class
    :data:`DNA_POSITIVE_CLASS` for dna.scale (else the most frequent class).

    Returns
    -------
    (X, y, note) : sparse matrix, ndarray, str or None
    """
    import problems as P

    X, y_raw = P.datasets.load_libsvm(name, data_home=data_home, download=False,
                                      task="regression")  # raw labels
    try:
        return X, P.datasets.normalize_labels(y_raw, "binary"), None
    except ValueError:
        classes, counts = np.unique(y_raw, return_counts=True)
        pos = DNA_POSITIVE_CLASS if (name.startswith("dna") and DNA_POSITIVE_CLASS in classes) \
            else float(classes[np.argmax(counts)])
        y = np.where(y_raw == pos, 1.0, -1.0)
        note = (f"{name}: {classes.size} classes {', '.join(f'{c:g}' for c in classes)}; "
                f"binary labels are class {pos:g} (+1, {int((y > 0).sum())} samples) vs rest "
                f"(-1, {int((y < 0).sum())})")
        return X, y, note


def spectrum_spec(kind, d, seed=0):
    """Eigenvalues of ``X^T X / n`` of a generated problem (descending).

    ``"separated"``: :data:`SEPARATED_TOP` followed by ``d - 4`` values log-spaced in
    :data:`SEPARATED_TAIL`; ``"flat"``: ``d`` values uniform in :data:`FLAT_RANGE` (seeded).
    """
    if kind == "separated":
        tail = np.logspace(math.log10(SEPARATED_TAIL[1]), math.log10(SEPARATED_TAIL[0]),
                           d - len(SEPARATED_TOP))
        return np.concatenate([SEPARATED_TOP, tail])
    if kind == "flat":
        rng = np.random.default_rng(seed + 1000)
        return np.sort(rng.uniform(*FLAT_RANGE, size=d))[::-1]
    raise ValueError(f"unknown spectrum kind {kind!r}")


def generated(kind, n=2000, d=500, seed=0, noise=0.5):
    """Dense ``X = U diag(s) V^T`` (``U``: n x d orthonormal columns, ``V`` orthogonal, both
    from QR of Gaussian matrices) with ``s^2 / n`` = :func:`spectrum_spec`, and labels
    ``sign(z / std(z) + noise e)``, ``z = X w``, ``w ~ N(0, I / d)``, ``e ~ N(0, I)``.

    Returns
    -------
    (X, y, eigenvalues)
    """
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.standard_normal((n, d)))
    V, _ = np.linalg.qr(rng.standard_normal((d, d)))
    ev = spectrum_spec(kind, d, seed)
    X = np.ascontiguousarray((U * np.sqrt(n * ev)) @ V.T)
    z = X @ (rng.standard_normal(d) / math.sqrt(d))
    y = np.sign(z / z.std() + noise * rng.standard_normal(n))
    y[y == 0] = 1.0
    return X, y, ev


@dataclass
class PrecondProblem:
    """One problem: ``Ridge(LeastSquares(X, y), alpha)`` (``loss="ls"``) or
    ``Ridge(Logistic(X, y), alpha)`` (``loss="logistic"``) over fixed arrays."""

    name: str
    source: str
    loss: str
    X: object
    y: np.ndarray
    alpha: float = ALPHA
    info: dict = field(default_factory=dict)

    def make(self):
        """A freshly built smooth part over the same arrays."""
        import problems as P

        base = P.LeastSquares(self.X, self.y) if self.loss == "ls" else P.Logistic(self.X,
                                                                                     self.y)
        return P.Ridge(base, self.alpha)

    @property
    def shape(self):
        return tuple(int(s) for s in self.X.shape)

    @property
    def nnz(self):
        return int(self.X.nnz) if hasattr(self.X, "nnz") else int(np.count_nonzero(self.X))


def build_problems(datasets, gen_size, data_home=None, say=print,
                   kinds=("separated", "flat")):
    """The problems: each LIBSVM data set and each generated spectrum in ``kinds``
    ("separated", "flat") of size ``gen_size = (n, d)`` (None: none) as ridge least squares
    and ridge logistic. Returns ``(problems, notes)``."""
    probs, notes = [], []
    sources = []
    for name in datasets:
        try:
            X, y, note = load_binary(name, data_home)
        except (FileNotFoundError, OSError, ValueError) as exc:
            notes.append(f"data set {name} skipped: {exc}")
            say(f"    {name}: skipped ({exc})")
            continue
        if note:
            notes.append(note)
        sources.append((name, X, y, {"kind": "libsvm"}))
    if gen_size is not None:
        n, d = gen_size
        for kind in kinds:
            X, y, ev = generated(kind, n, d)
            spec = ({"top": list(SEPARATED_TOP), "tail": list(SEPARATED_TAIL)}
                    if kind == "separated" else {"uniform": list(FLAT_RANGE)})
            sources.append((f"gen-{kind}", X, y, {"kind": "generated", "spectrum": kind,
                                                  "n": n, "d": d, **spec}))
    for name, X, y, info in sources:
        for loss in ("ls", "logistic"):
            probs.append(PrecondProblem(name=f"{name} {loss}", source=name, loss=loss, X=X,
                                        y=y, info=dict(info)))
    return probs, notes


def spectrum_row(prob):
    """Exact eigenvalues of ``B = f.curvature_bound`` (:meth:`GramOperator.eigenvalues`) and
    the effective condition numbers ``kappa_tau`` (tau = 0..4) of the preconditioned GM."""
    from solvers.precond import effective_condition_number

    lam = np.asarray(prob.make().curvature_bound.eigenvalues(), dtype=float)
    kap = [float(effective_condition_number(lam, t)) for t in range(0, max(TAUS) + 1)]
    top = lam[::-1][:6]
    return {"problem": prob.name, "shape": list(prob.shape), "nnz": prob.nnz,
            "lambda_max": float(lam[-1]), "lambda_min": float(lam[0]),
            "cond": float(lam[-1] / lam[0]), "trace": float(lam.sum()),
            "top": top.tolist(), "kappa": kap,
            # FGM's iterations scale as sqrt(condition number): plain FGM has lambda_max /
            # lambda_min, FGM-P_tau kappa_tau
            "predicted_fgm_ratio": [math.sqrt(k / (lam[-1] / lam[0])) for k in kap]}


# --------------------------------------------------------------------------- methods
@dataclass
class Method:
    """A method as this suite sees it.

    ``run(f, tol, max_iter, callback) -> dict`` with ``x``, ``nit``, ``nfev``, ``njev``,
    ``n_bprod`` (products with ``B``; None when not used), ``status``, ``message``,
    ``success`` and ``own_stop`` (the run ended on its own tolerance test). ``callback(x)``
    is called once per iteration and may raise StopIteration. ``losses``: the losses it runs
    on; ``calibrate``: the tolerance is calibrated during the warm-up (peers).
    """

    name: str
    family: str
    library: str
    run: Callable
    tau: int | None = None
    settings: dict = field(default_factory=dict)
    ours: bool = True
    calibrate: bool = False
    losses: tuple = ("ls", "logistic")

    def describe(self):
        return {"family": self.family, "tau": self.tau, "library": self.library,
                "ours": self.ours, "calibrate": self.calibrate, "losses": list(self.losses),
                "settings": dict(self.settings)}


def _ours_out(res):
    n_bprod = res.get("n_bprod")
    return {"x": np.asarray(res.x, dtype=np.float64), "nit": int(res.nit),
            "nfev": int(res.nfev), "njev": int(res.njev),
            "n_bprod": None if n_bprod is None else int(n_bprod),
            "status": int(res.status), "message": str(res.message),
            "success": bool(res.success), "own_stop": bool(res.success)}


def _cb(callback):
    return None if callback is None else (lambda r: callback(r.x))


def gm_method():
    """``solvers.prox_grad(f, measure="prox_grad_norm")``: fixed step ``1 / f.lipschitz``."""
    def run(f, tol, max_iter, callback=None):
        from solvers import prox_grad

        return _ours_out(prox_grad(f, measure="prox_grad_norm", tol=tol, max_iter=max_iter,
                                   callback=_cb(callback)))

    return Method("GM", "GM", "optsuite", run,
                  settings={"solver": "prox_grad", "step": "1/f.lipschitz",
                            "measure": "prox_grad_norm"})


def fgm_method():
    """``solvers.fista(f)``: fixed step ``1 / f.lipschitz``, gradient restart."""
    def run(f, tol, max_iter, callback=None):
        from solvers import fista

        return _ours_out(fista(f, measure="prox_grad_norm", tol=tol, max_iter=max_iter,
                               callback=_cb(callback)))

    return Method("FGM", "FGM", "optsuite", run,
                  settings={"solver": "fista", "step": "1/f.lipschitz", "restart": "gradient",
                            "measure": "prox_grad_norm (at y_k)"})


def poly_method(name, family, tau, **kw):
    """``solvers.poly_precond(f, tau=tau, **kw)`` as a :class:`Method`."""
    def run(f, tol, max_iter, callback=None):
        from solvers import poly_precond

        return _ours_out(poly_precond(f, tau=tau, tol=tol, max_iter=max_iter,
                                      callback=_cb(callback), **kw))

    return Method(name, family, "optsuite", run, tau=tau,
                  settings={"solver": "poly_precond", "tau": tau, "traces": "exact", **kw})


def lbfgsb_method():
    """``scipy.optimize.minimize(method="L-BFGS-B")`` with ``jac=True`` on
    ``f.value_and_grad``, ``gtol`` calibrated from the target, ``ftol = 0``, ``maxcor = 10``."""
    def run(f, tol, max_iter, callback=None):
        from scipy.optimize import minimize

        c = Counted(f)
        cb = None
        if callback is not None:
            def cb(intermediate_result):  # the name scipy looks for (new-style callback)
                callback(intermediate_result.x)
        x0 = np.zeros(f.shape)
        res = minimize(c.fun, x0, jac=True, method="L-BFGS-B", callback=cb,
                       options={"gtol": tol, "ftol": 0.0, "maxcor": 10, "maxiter": max_iter,
                                "maxfun": max(15000, 20 * max_iter)})
        msg = str(res.message)
        return {"x": np.asarray(res.x, dtype=np.float64), "nit": int(res.nit),
                "nfev": c.nfev, "njev": c.njev, "n_bprod": None, "status": int(res.status),
                "message": msg, "success": bool(res.success),
                "own_stop": "PROJECTED GRADIENT" in msg.upper()}

    return Method("scipy L-BFGS-B", "L-BFGS-B", "scipy", run, ours=False, calibrate=True,
                  settings={"jac": "f.value_and_grad", "gtol": "target, calibrated",
                            "ftol": 0, "maxcor": 10, "maxfun": "max(15000, 20 max_iter)"})


def cg_method():
    """``scipy.sparse.linalg.cg`` on the normal equations ``B w = X^T y / n`` with
    ``B = f.curvature_bound.aslinearoperator()`` (the Hessian of ridge least squares),
    ``b = -grad f(0)``, ``rtol = tol / ||b||`` (calibrated), ``atol = 0``; iterations counted
    by the callback, products with ``B`` by a counting wrapper."""
    def run(f, tol, max_iter, callback=None):
        from scipy.sparse.linalg import LinearOperator, cg

        op = f.curvature_bound.aslinearoperator()
        b = -np.asarray(f.grad(np.zeros(op.shape[0])), dtype=np.float64)
        count = [0]

        def mv(v):
            count[0] += 1 if v.ndim == 1 else v.shape[1]
            return op.matvec(v)

        A = LinearOperator(op.shape, matvec=mv, dtype=np.float64)
        nit = [0]
        last = [np.zeros(op.shape[0])]

        def cgcb(xk):
            nit[0] += 1
            last[0] = xk
            if callback is not None:
                callback(xk)

        bnorm = float(np.linalg.norm(b))
        try:
            x, info = cg(A, b, rtol=tol / bnorm if bnorm > 0 else 0.0, atol=0.0,
                         maxiter=max_iter, callback=cgcb)
            msg = "converged" if info == 0 else f"cg info={info} (maxiter reached)"
        except StopIteration:
            x, info, msg = np.array(last[0], copy=True), -1, "stopped by the time guard"
        return {"x": np.asarray(x, dtype=np.float64), "nit": nit[0], "nfev": 0, "njev": 1,
                "n_bprod": count[0], "status": int(info), "message": msg,
                "success": info == 0, "own_stop": info == 0}

    return Method("scipy CG (normal eq.)", "CG", "scipy", run, ours=False, calibrate=True,
                  losses=("ls",),
                  settings={"A": "f.curvature_bound.aslinearoperator()", "b": "X^T y / n",
                            "rtol": "target / ||b||, calibrated", "atol": 0})


def methods(taus=TAUS):
    """Every method of the suite, in table order."""
    out = [gm_method(), fgm_method(),
           poly_method("FGM adaptive (tau=0)", "FGM-ad", 0, accelerated=True,
                       backtracking=True)]
    out += [poly_method(f"GM-P{t}", "GM-P", t) for t in taus]
    out += [poly_method(f"FGM-P{t}", "FGM-P", t, accelerated=True, backtracking=True)
            for t in taus]
    out += [poly_method(f"Krylov {t}", "Krylov", t, krylov=True) for t in taus]
    out += [poly_method(f"Krylov+mem {t}", "Krylov+mem", t, krylov=True, memory=1)
            for t in taus]
    out += [lbfgsb_method(), cg_method()]
    return out


POLY_FAMILIES = ("GM-P", "FGM-P", "Krylov", "Krylov+mem")


# --------------------------------------------------------------------------- running
def run_once(method, prob, tol, max_iter, guard_s=None):
    """One run on a freshly built ``f`` (built inside the timed region); errors and warnings
    caught. Returns ``(out, seconds)``; ``out`` holds the method's dict plus ``error``,
    ``warnings`` and ``timed_out``."""
    guard = TimeGuard(guard_s) if guard_s else None

    def run():
        f = prob.make()
        if guard is not None:
            guard.t0 = time.perf_counter()
        return method.run(f, tol, max_iter, guard)

    out, err, elapsed, log = recorded_call(run)
    if out is None:
        out = {"x": None, "nit": None, "nfev": None, "njev": None, "n_bprod": None,
               "status": None, "message": err, "success": False, "own_stop": False}
    out["error"] = err
    out["warnings"] = log
    out["timed_out"] = bool(guard is not None and guard.fired)
    return out, elapsed


def _measure(f_meas, out):
    return grad_norm(f_meas, out["x"]) if out["x"] is not None else math.nan


def time_methods(meths, prob, target=TARGET, repeat=3, max_iter=MAX_ITER, guard_s=10.0,
                 time_budget=15.0, say=None):
    """Warm-up (with calibration) of every method, then ``repeat`` interleaved timed rounds
    of those whose warm-up reached the target; medians. See the module docstring.

    Returns
    -------
    dict
        ``{name: row}``.
    """
    f_meas = prob.make()
    state = {}
    for m in meths:
        tol, steps, cal_log = target, 0, []
        out, t = run_once(m, prob, tol, max_iter, guard_s)
        gn = _measure(f_meas, out)
        while (m.calibrate and out["error"] is None and not reached(gn, target)
               and out["own_stop"] and steps < MAX_CALIBRATION):
            tol /= 10.0
            steps += 1
            out, t = run_once(m, prob, tol, max_iter, guard_s)
            gn = _measure(f_meas, out)
        if m.calibrate and not reached(gn, target) and out["error"] is None:
            cal_log.append(f"calibration stopped at tol {tol:.1e} after {steps} step(s): "
                           f"{'run did not end on its own test: ' if not out['own_stop'] else ''}"
                           f"{out['message'][:80]}")
        ok = out["error"] is None and reached(gn, target)
        state[m.name] = {"method": m, "out": out, "gn": gn, "warm_time": t, "tol": tol,
                         "steps": steps, "times": [], "gnorms": [], "repeat": repeat,
                         "timed": ok, "warnings": list(out["warnings"]) + cal_log}
    gc.collect()  # once: the timed runs run with the collector off
    for k in range(repeat):
        for st in state.values():
            if not st["timed"] or k >= st["repeat"]:
                continue
            out, t = run_once(st["method"], prob, st["tol"], max_iter, guard_s)
            record_timed_run(st, out, t, _measure(f_meas, out), k == 0, repeat, time_budget)
    rows = {}
    for name, st in state.items():
        m, out = st["method"], st["out"]
        gns = st["gnorms"] or [st["gn"]]
        times = st["times"] or [st["warm_time"]]
        stop = None  # why the (last) run that missed the target stopped
        if out["error"] or not all(reached(g, target) for g in gns):
            stop = ("error" if out["error"] else "t" if out["timed_out"]
                    else "c" if out["nit"] is not None and out["nit"] >= max_iter else "s")
        rows[name] = {
            "problem": prob.name, "method": name, "family": m.family, "tau": m.tau,
            "library": m.library, "ours": m.ours,
            "median_time": float(np.median(times)), "times": [float(t) for t in times],
            "timed": st["timed"], "n_timed": len(st["times"]), "stop": stop,
            "grad_norm": float(gns[-1]), "grad_norms": [float(g) for g in gns],
            "reached": bool(st["timed"] and all(reached(g, target) for g in gns)),
            "nit": out["nit"], "nfev": out["nfev"], "njev": out["njev"],
            "n_bprod": out["n_bprod"], "status": out["status"], "message": out["message"],
            "error": out["error"], "timed_out": out["timed_out"], "tol": st["tol"],
            "calibration_steps": st["steps"], "warnings": st["warnings"], "x": out["x"],
        }
        if say is not None:
            r = rows[name]
            flag = "ok" if r["reached"] else "MISSED" + (f" ({stop})" if stop else "")
            say(f"    {name:24s} {r['median_time']:8.4f} s  ||g|| {r['grad_norm']:.2e} "
                f"[{flag}]  nit {r['nit']}  B-prod {r['n_bprod']}  runs {len(times)}"
                + (f"  tol {r['tol']:.1e}" if m.calibrate else "")
                + (f"  ERROR {r['error']}" if r["error"] else ""))
    _ratios(rows)
    return rows


def _ratios(rows):
    """Fill ``it_vs_fgm``, ``it_vs_fgm_ad`` and ``time_vs_lbfgs`` (None where not
    meaningful) and whether the references reached the target."""
    fgm = rows.get("FGM")
    fgm_ad = rows.get("FGM adaptive (tau=0)")
    lb = rows.get("scipy L-BFGS-B")
    for r in rows.values():
        ok = r["reached"] and r["nit"] is not None
        for key, ref in (("it_vs_fgm", fgm), ("it_vs_fgm_ad", fgm_ad)):
            if ok and ref is not None and ref["nit"]:
                r[key] = r["nit"] / ref["nit"]
                r[key + "_ref_reached"] = bool(ref["reached"])
            else:
                r[key], r[key + "_ref_reached"] = None, None
        if ok and lb is not None and lb["median_time"] > 0 and lb["error"] is None:
            r["time_vs_lbfgs"] = r["median_time"] / lb["median_time"]
            r["lbfgs_reached"] = bool(lb["reached"])
        else:
            r["time_vs_lbfgs"], r["lbfgs_reached"] = None, None


def verdict(rows):
    """The issue's targets on one problem: the best polynomial variant (fewest iterations
    among GM-P, FGM-P, Krylov and Krylov+mem rows that reached the target) needs at most a third of plain
    FGM's iterations, and its median time is at or below L-BFGS-B's. Also the fastest
    polynomial variant."""
    rs = list(rows.values())
    poly = [r for r in rs if r["family"] in POLY_FAMILIES and r["reached"]]
    out = {"best": None, "fastest": None}
    if not poly:
        return out
    best = min(poly, key=lambda r: (r["nit"], r["median_time"]))
    fastest = min(poly, key=lambda r: r["median_time"])
    out["best"] = {"method": best["method"], "nit": best["nit"],
                   "it_vs_fgm": best["it_vs_fgm"],
                   "fgm_reached": best["it_vs_fgm_ref_reached"],
                   "it_vs_fgm_ad": best["it_vs_fgm_ad"],
                   "time_vs_lbfgs": best["time_vs_lbfgs"],
                   "lbfgs_reached": best["lbfgs_reached"],
                   "iter_target": (None if best["it_vs_fgm"] is None
                                   else bool(best["it_vs_fgm"] <= 1 / 3)),
                   "time_target": (None if best["time_vs_lbfgs"] is None
                                   else bool(best["time_vs_lbfgs"] <= 1.0))}
    out["fastest"] = {"method": fastest["method"], "median_time": fastest["median_time"],
                      "time_vs_lbfgs": fastest["time_vs_lbfgs"]}
    return out


def trace(method, prob, tol, max_iter, guard_s):
    """``||grad f||`` (shared function) at every iterate of one untimed run (callback), from
    ``x0 = 0``; the time guard excludes the callback's own time. Returns
    ``{"iteration": [...], "grad_norm": [...]}``."""
    f_meas = prob.make()
    gs = [grad_norm(f_meas, np.zeros(prob.shape[1]))]
    spent = [0.0]
    t0 = [0.0]

    def cb(x):
        t_in = time.perf_counter()
        gs.append(grad_norm(f_meas, x))
        spent[0] += time.perf_counter() - t_in
        if time.perf_counter() - t0[0] - spent[0] > guard_s:
            raise StopIteration

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0[0] = time.perf_counter()
        try:
            method.run(prob.make(), tol, max_iter, cb)
        except Exception:  # noqa: BLE001 - a failing method just has a shorter curve
            pass
    keep = thin_indices(len(gs), 600)
    return {"iteration": keep.tolist(), "grad_norm": np.asarray(gs)[keep].tolist()}


_STYLE = {"GM": ("0.45", "-"), "FGM": ("black", "-"), "FGM-ad": ("black", "--"),
          "L-BFGS-B": ("magenta", "-."), "CG": ("tab:purple", "-.")}
_CMAPS = {"GM-P": "Blues", "FGM-P": "Oranges", "Krylov": "Greens", "Krylov+mem": "Purples"}


def plot_traces(curves, meths, path, target):
    """One panel per problem: ``||grad f||`` against iterations (log-log)."""
    plt = _plt()
    if plt is None or not curves:
        return None
    fam = {m.name: m for m in meths}
    fig, axes = plt.subplots(1, len(curves), figsize=(7.0 * len(curves), 5.0), squeeze=False)
    for ax, (pname, cv) in zip(axes[0], curves.items()):
        for mname, c in cv.items():
            m = fam[mname]
            if m.family in _CMAPS:
                color = plt.get_cmap(_CMAPS[m.family])(0.35 + 0.65 * (m.tau or 0) / max(TAUS))
                ls = {"GM-P": ":", "FGM-P": "-", "Krylov": "--", "Krylov+mem": "-."}[m.family]
            else:
                color, ls = _STYLE[m.family]
            it = np.asarray(c["iteration"], dtype=float) + 1.0
            ax.plot(it, np.maximum(c["grad_norm"], 1e-18), color=color, ls=ls, lw=1.4,
                    label=mname)
        ax.axhline(target, color="0.3", lw=0.8, ls=":")
        ax.set(xscale="log", yscale="log", xlabel="iteration + 1",
               ylabel="||grad f(x)|| (shared measure)", title=pname)
        ax.grid(True, alpha=0.3)
    axes[0][-1].legend(fontsize=7, ncol=2, loc="lower left")
    fig.suptitle(f"polynomial preconditioning: ||grad f|| per iteration (alpha = {ALPHA:g}, "
                 f"target {target:g})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------- formatting
def _f(v, spec=".2e"):
    return "-" if v is None or (isinstance(v, float) and not math.isfinite(v)) else format(v, spec)


def _n(v):
    return "-" if v is None else str(int(v))


def _time_cell(r):
    if r["error"]:
        return "-"
    t = f"{r['median_time']:.4f}"
    if not r["timed"]:
        return f">= {t} ({r['stop']})"
    return t if r["stop"] is None else f"{t} ({r['stop']})"


def _ratio_cell(r, key, ref_key):
    v = r.get(key)
    if v is None:
        return "-"
    return ("< " if r.get(ref_key) is False else "") + f"{v:.3f}"


def race_table(rows):
    """The markdown table of the race rows."""
    def reached_cell(r):
        if r["error"]:
            return f"**error**: {r['error'][:80]}"
        return "yes" if r["reached"] else "**no**"

    def lb_cell(r):
        v = r.get("time_vs_lbfgs")
        if v is None:
            return "-"
        return f"{v:.2f}" + ("*" if r.get("lbfgs_reached") is False else "")

    def tol_cell(r):
        if r["family"] not in ("L-BFGS-B", "CG"):
            return "-"
        return f"{r['tol']:.0e}" + (f" (cal. {r['calibration_steps']})"
                                    if r["calibration_steps"] else "")

    return md_table(rows, [
        ("problem", lambda r: r["problem"]), ("method", lambda r: r["method"]),
        (f"reached {TARGET:g}", reached_cell),
        ("final ||grad||", lambda r: _f(r["grad_norm"])),
        ("iterations", lambda r: _n(r["nit"])),
        ("B products", lambda r: _n(r["n_bprod"])),
        ("gradients", lambda r: _n(r["njev"])),
        ("median time [s]", _time_cell),
        ("runs", lambda r: str(r["n_timed"])),
        ("it / FGM", lambda r: _ratio_cell(r, "it_vs_fgm", "it_vs_fgm_ref_reached")),
        ("it / FGM-ad", lambda r: _ratio_cell(r, "it_vs_fgm_ad", "it_vs_fgm_ad_ref_reached")),
        ("time / L-BFGS-B", lb_cell),
        ("peer tol", tol_cell)])


def spectra_table(specs):
    """The markdown table of the spectra and effective condition numbers."""
    taus = range(0, max(TAUS) + 1)
    cols = [("problem", lambda s: s["problem"]),
            ("X", lambda s: f"{s['shape'][0]} x {s['shape'][1]}"),
            ("lambda_max", lambda s: _f(s["lambda_max"], ".3g")),
            ("lambda_2..4", lambda s: ", ".join(_f(v, ".3g") for v in s["top"][1:4])),
            ("lambda_min", lambda s: _f(s["lambda_min"], ".3g")),
            ("lambda_max / lambda_min", lambda s: _f(s["cond"], ".3g"))]
    cols += [(f"kappa_{t}", (lambda t: lambda s: _f(s["kappa"][t], ".3g"))(t)) for t in taus]
    cols += [("sqrt(kappa_4 / cond)", lambda s: _f(s["predicted_fgm_ratio"][max(TAUS)], ".3f"))]
    return md_table(specs, cols)


def verdict_lines(verdicts, specs):
    """One line per problem on the issue's targets."""
    spec = {s["problem"]: s for s in specs}
    lines = []
    for pname, v in verdicts.items():
        b = v["best"]
        s = spec.get(pname)
        sep = (f" [lambda_1/lambda_2 = {s['top'][0] / s['top'][1]:.3g}, kappa_0/kappa_4 = "
               f"{s['kappa'][0] / s['kappa'][max(TAUS)]:.3g}]") if s else ""
        if b is None:
            lines.append(f"- **{pname}**{sep}: no polynomial variant reached the target")
            continue
        it = ("-" if b["it_vs_fgm"] is None else
              ("< " if b["fgm_reached"] is False else "") + f"{b['it_vs_fgm']:.3f}")
        it_t = ("n/a" if b["iter_target"] is None else
                "**met**" if b["iter_target"] else "**not met**")
        if b["fgm_reached"] is False and b["iter_target"]:
            it_t = "**met** (plain FGM missed the target; its count is a lower bound)"
        tm = "-" if b["time_vs_lbfgs"] is None else f"{b['time_vs_lbfgs']:.2f}"
        tm_t = ("n/a" if b["time_target"] is None else
                "**met**" if b["time_target"] else "**not met**")
        if b["lbfgs_reached"] is False:
            tm_t += " (L-BFGS-B missed the target)"
        fa = v["fastest"]
        fa_t = "-" if fa["time_vs_lbfgs"] is None else f"{fa['time_vs_lbfgs']:.2f}"
        lines.append(
            f"- **{pname}**{sep}: best polynomial variant {b['method']} ({b['nit']} it): "
            f"it / FGM = {it} (<= 1/3: {it_t}; it / FGM-ad = {_f(b['it_vs_fgm_ad'], '.3f')}), "
            f"time / L-BFGS-B = {tm} (<= 1: {tm_t}); fastest polynomial variant "
            f"{fa['method']}: time / L-BFGS-B = {fa_t}")
    return lines


# --------------------------------------------------------------------------- section
def race_section(probs, out_dir, repeat=3, plots=True, say=print, target=TARGET,
                 max_iter=MAX_ITER, guard_s=10.0, time_budget=15.0, plot_problems=(),
                 plot_guard_s=5.0, taus=TAUS):
    """Every method on every problem; returns the rows, verdicts, curves and files.

    Writes ``precond_solutions.npz`` (key ``"PROBLEM/METHOD"``: the ``x`` of the row's last
    run, on which its ``grad_norm`` was computed) and, with ``plots``,
    ``precond_grad_norm.png`` (curves on ``plot_problems``) to ``out_dir``."""
    meths = methods(taus)
    rows, verdicts, curves, solutions = [], {}, {}, {}
    for prob in probs:
        ms = [m for m in meths if prob.loss in m.losses]
        say(f"  [{prob.name}] X {prob.shape[0]} x {prob.shape[1]}, alpha = {prob.alpha:g}")
        res = time_methods(ms, prob, target, repeat, max_iter, guard_s, time_budget, say)
        verdicts[prob.name] = verdict(res)
        if plots and prob.name in plot_problems:
            say(f"    curves on {prob.name} (one untimed run per method, guard "
                f"{plot_guard_s:g} s)")
            curves[prob.name] = {m.name: trace(m, prob, res[m.name]["tol"], max_iter,
                                               plot_guard_s) for m in ms}
        for r in res.values():
            x = r.pop("x")
            if x is not None:
                solutions[f"{prob.name}/{r['method']}"] = x
            rows.append(r)
    files = []
    if solutions:  # the returned x of the last run of each row (the shared measure's input)
        path = out_dir / "precond_solutions.npz"
        np.savez_compressed(path, **solutions)
        files.append(str(path))
    if plots and curves:
        p = plot_traces(curves, meths, out_dir / "precond_grad_norm.png", target)
        if p is not None:
            files.append(str(p))
    return {"rows": rows, "verdicts": verdicts, "curves": curves, "files": files,
            "methods": {m.name: m.describe() for m in meths}, "target": target,
            "max_iter": max_iter, "guard_s": guard_s, "time_budget": time_budget,
            "versions": versions()}
