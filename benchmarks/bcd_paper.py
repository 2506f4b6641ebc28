"""Reproduction of the block coordinate descent experiments of Nutini, Laradji & Schmidt.

J. Nutini, I. Laradji, M. Schmidt, "Let's Make Block Coordinate Descent Converge Faster:
Faster Greedy Rules, Message-Passing, Active-Set Complexity, and Superlinear Convergence",
JMLR 23(131), 2022.

Every configuration (selection rule x partition x update) runs ``solvers.bcd`` for a fixed
number of *block updates* (500) with ``working_set=False`` (so one iteration is one block
update of the general engine), ``tol=0`` and ``random_state=0``; the objective after every
update comes from the run's own history. Plotted and tabulated is ``f(x_k) - f*`` against
``k``, with ``f*`` from an independent high-precision solve (or the closed form of
:class:`problems.LabelPropagation`), so that the paper's orderings can be read off: greedy
rules over random ones, GSL/GSD/GSQ over GS, matrix and Newton updates over gradient updates,
variable over fixed blocks, and on the lattice quadratic forest blocks solved exactly by
message passing driving ``f - f*`` from about 1e9 to about 1e-5 while red-black blocks stall.

Problems (sizes of the full run; ``quick`` shrinks them):

* ``ls`` -- least squares ``||X x - y||^2 / (2n)``, 1000 x 10000, with the design of the
  paper's synthetic data (from Nutini et al. 2015): Gaussian entries plus 1 (correlated
  columns), each column scaled by ``10 N(0, 1)`` (very different Lipschitz constants), each
  entry kept with probability ``10 log(n) / n``; ``y = X w + noise`` with a sparse ``w``.
* ``nnls_l1`` -- the same least squares with ``alpha ||x||_1`` and ``x >= 0``
  (``problems.L1(alpha, positive=True)``), ``alpha = alpha_max / 10``.
* ``logistic`` -- binary logistic loss on a design drawn the same way, ``y = sign(X w + e)``,
  plus the ridge ``||x||^2 / (2n)`` (lambda = 1 on the sum-of-losses scale) so that the
  minimum exists (the data are separable since p > n).
* ``softmax`` -- 50-class multinomial logistic loss, 1000 x 1000, labels
  ``argmax(X W + E)``, same ridge.
* ``dna`` / ``pendigits`` -- multinomial logistic loss on LIBSVM ``dna.scale`` (3 classes)
  and ``pendigits`` (10 classes), same ridge (skipped when the files are missing).
* ``lattice`` -- the lattice label-propagation quadratic ``problems.lattice_quadratic(50)``
  (2400 unknowns, edge weights 1e5), ``f* = LabelPropagation.f_star``.
* ``moons`` -- label propagation on the symmetrised 5-nearest-neighbour graph of 2000
  two-moons points with 100 labels (``problems.two_moons_graph``), ``lam = 0``.

Multinomial problems run through the general engine's general oracle (full gradient after
each block update). For the rules and updates that need curvature information beyond the
coordinate constants (GSD, GSQ, matrix updates, Newton blocks) they are wrapped in
:class:`BohningMultinomial`, which adds the Böhning bound ``(X^T X / n) kron (I - 11^T/K)/2``
as ``curvature_bound`` and block-wise Hessians, both evaluated lazily block by block (the
dense ``pK x pK`` matrices would not fit in memory for the 50-class problem).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

__all__ = [
    "BohningMultinomial", "PaperProblem", "paper_design", "paper_extra", "paper_problems",
    "run_paper",
]

#: Block updates per configuration (the paper's figures show 500 iterations).
N_ITER = 500


# --------------------------------------------------------------------------- data
def paper_design(n, p, rng, density=None):
    """Sparse design of the paper's synthetic experiments (Nutini et al. 2015, section 8).

    Entries ``N(0, 1) + 1`` (the shift correlates the columns), column ``j`` scaled by
    ``10 N(0, 1)`` (coordinate Lipschitz constants spread over orders of magnitude), each
    entry kept with probability ``density`` (default ``10 log(n) / n``).

    Parameters
    ----------
    n, p : int
    rng : numpy.random.Generator
    density : float, optional

    Returns
    -------
    scipy.sparse.csc_matrix of shape (n, p)
    """
    if density is None:
        density = min(1.0, 10 * math.log(n) / n)
    A = rng.standard_normal((n, p)) + 1.0
    A *= 10.0 * rng.standard_normal(p)[None, :]
    A[rng.random((n, p)) >= density] = 0.0
    return sp.csc_matrix(A)


# --------------------------------------------------------------------------- multinomial
class _BlockIndexed:
    """Shared indexing of the lazy (p K) x (p K) matrices below: an ``np.ix_`` key of flat
    indices ``j K + k`` is split into feature and class indices, and feature columns of X
    are read densely."""

    def _cols(self, j):
        Xj = self.X[:, j]
        return Xj.toarray() if sp.issparse(Xj) else np.asarray(Xj)

    def _decode(self, key):
        rows, cols = (np.asarray(k).ravel() for k in key)
        jr, kr = np.divmod(rows, self.K)
        jc, kc = np.divmod(cols, self.K)
        return jr, kr, jc, kc


class _KronBound(_BlockIndexed):
    """Lazy ``A kron C`` (``A`` p x p, ``C`` K x K) indexable by ``np.ix_`` blocks.

    ``abs(B).sum(axis=1)`` gives the row sums of ``|A| kron |C|``, what the GSD rule needs.
    """

    def __init__(self, X, n, C):
        self.X, self.n, self.C = X, n, C
        self.p, self.K = X.shape[1], C.shape[0]
        self.shape = (self.p * self.K, self.p * self.K)
        self._abs = False

    def __getitem__(self, key):
        jr, kr, jc, kc = self._decode(key)
        A = self._cols(jr).T @ self._cols(jc) / self.n
        return A * self.C[np.ix_(kr, kc)]

    def __abs__(self):
        return self

    def sum(self, axis=None):
        if axis != 1:
            raise NotImplementedError("only row sums (axis=1)")
        X = abs(self.X) if sp.issparse(self.X) else np.abs(self.X)
        a = np.asarray(X.T @ (X @ np.ones(self.p))).ravel() / self.n  # |X|^T |X| 1 >= |A| 1
        c = np.abs(self.C).sum(axis=1)
        return np.kron(a, c)


class _LazyHessian(_BlockIndexed):
    """Hessian of the multinomial loss at one point, evaluated block by block.

    ``H[(j,k), (j',l)] = (1/n) sum_i X_ij X_ij' (S_ik [k = l] - S_ik S_il)`` with ``S`` the
    softmax probabilities, indexed with ``np.ix_`` like a dense matrix.
    """

    def __init__(self, X, n, S):
        self.X, self.n, self.S = X, n, S
        self.K = S.shape[1]
        m = X.shape[1] * self.K
        self.shape = (m, m)

    def __getitem__(self, key):
        jr, kr, jc, kc = self._decode(key)
        Xr = self._cols(jr) * self.S[:, kr]
        Xc = self._cols(jc)
        H = (Xr.T @ Xc) * (kr[:, None] == kc[None, :])
        H -= Xr.T @ (Xc * self.S[:, kc])
        return H / self.n


def _bohning_class():
    import problems

    class BohningMultinomial(problems.Multinomial):
        """:class:`problems.Multinomial` with a lazy Böhning curvature bound and lazy
        block Hessians (see the module docstring); everything else is inherited."""

        @property
        def curvature_bound(self):
            K = self.n_classes
            C = (np.eye(K) - np.full((K, K), 1.0 / K)) / 2.0
            return _KronBound(self.X, self.n_samples, C)

        def hess(self, x):
            S, _, _ = self._softmax(self._scores(np.asarray(x)))
            return _LazyHessian(self.X, self.n_samples, np.asarray(S))

    return BohningMultinomial


def BohningMultinomial(X, y, n_classes=None):  # noqa: N802 - class factory
    """A :class:`problems.Multinomial` whose ``curvature_bound`` (the Böhning bound) and
    ``hess`` are lazy block-indexable objects, so that GSD/GSQ, matrix and Newton updates of
    the general engine work on problems whose dense ``pK x pK`` matrices would not fit.

    Parameters
    ----------
    X : array or sparse matrix of shape (n, p)
    y : int array of shape (n,), labels 0..K-1
    n_classes : int, optional

    Returns
    -------
    problems.Multinomial
    """
    return _bohning_class()(X, y, n_classes=n_classes)


# --------------------------------------------------------------------------- configurations
@dataclass
class Config:
    """One BCD configuration: a label, the plot panel it belongs to, and ``bcd`` options."""

    label: str
    panel: str
    opts: dict


def _c(label, panel, **opts):
    return Config(label, panel, opts)


_RULES = "selection rules (fixed sorted blocks, gradient update)"
_PARTS = "partitions (GSL, gradient update)"
_VAR = "variable blocks (gradient update)"
_UPD = "block updates (sorted blocks)"
_MP = "message passing (label propagation)"


def smooth_configs(quick=False, prox=False, quadratic=False):
    """Configurations for the design-matrix problems (blocks of 5 coordinates).

    Parameters
    ----------
    quick : bool
        A reduced set.
    prox : bool
        Add the proximal rules GS-r and GS-q (non-smooth penalty).
    quadratic : bool
        Newton updates equal matrix updates on quadratics: leave them out.

    Returns
    -------
    list of Config
    """
    if quick:
        cfgs = [_c(r, _RULES, rule=r) for r in ("random", "gs", "gsl", "gsq")]
        if prox:
            cfgs.append(_c("gs-q", _RULES, rule="gs-q"))
        cfgs += [_c("gsl / random partition", _PARTS, rule="gsl", partition="random"),
                 _c("gsl / variable", _VAR, rule="gsl", blocks="variable"),
                 _c("gsl / matrix", _UPD, rule="gsl", update="matrix")]
        return cfgs
    rules = ["cyclic", "random", "lipschitz", "gs", "gsl", "gsd", "gsq"]
    if prox:
        rules += ["gs-r", "gs-q"]
    cfgs = [_c(r, _RULES, rule=r) for r in rules]
    cfgs += [_c(f"gsl / {p} partition", _PARTS, rule="gsl", partition=p)
             for p in ("contiguous", "random", "average")]
    cfgs += [_c(f"{r} / variable", _VAR, rule=r, blocks="variable")
             for r in ("gs", "gsl", "gsq")]
    upd = ("matrix",) if quadratic else ("matrix", "newton")
    cfgs += [_c(f"{r} / {u}", _UPD, rule=r, update=u) for r in ("gsl", "gsq") for u in upd]
    return cfgs


def softmax_configs(quick=False):
    """Configurations for the 50-class softmax problem (general oracle; a reduced set)."""
    if quick:
        return smooth_configs(quick=True)
    cfgs = [_c(r, _RULES, rule=r) for r in
            ("cyclic", "random", "lipschitz", "gs", "gsl", "gsd", "gsq")]
    cfgs += [_c("gsl / random partition", _PARTS, rule="gsl", partition="random"),
             _c("gsl / variable", _VAR, rule="gsl", blocks="variable"),
             _c("gsl / matrix", _UPD, rule="gsl", update="matrix"),
             _c("gsl / newton", _UPD, rule="gsl", update="newton"),
             _c("gsq / matrix", _UPD, rule="gsq", update="matrix")]
    return cfgs


def graph_configs(quick=False, lattice=True):
    """Configurations for label propagation: coordinate and block GS against forest blocks
    solved exactly by message passing."""
    cfgs = [_c("gs / coordinate / gradient", _MP, rule="gs", block_size=1, partition="contiguous")]
    if not quick:
        cfgs += [_c("gs / sorted 5 / gradient", _MP, rule="gs", block_size=5),
                 _c("gs / sorted 5 / exact", _MP, rule="gs", block_size=5, update="exact"),
                 _c("gs / variable 5 / exact", _MP, rule="gs", blocks="variable", block_size=5,
                    update="exact")]
    if lattice:
        cfgs += [_c("gs / red-black / exact", _MP, rule="gs", partition="red_black",
                    update="exact"),
                 _c("gs / two-forest / exact", _MP, rule="gs", partition="two_forest",
                    update="exact")]
        if not quick:
            cfgs += [_c("cyclic / red-black / exact", _MP, rule="cyclic",
                        partition="red_black", update="exact"),
                     _c("cyclic / two-forest / exact", _MP, rule="cyclic",
                        partition="two_forest", update="exact")]
    cfgs += [_c("gs / forest partition / exact", _MP, rule="gs", partition="forest",
                update="exact"),
             _c("gs / greedy forest / exact", _MP, rule="gs", blocks="forest",
                block_size=None, update="exact")]
    return cfgs


# --------------------------------------------------------------------------- problems
@dataclass
class PaperProblem:
    """A problem of the reproduction: ``f``, ``g``, its configurations and how ``f*`` is
    found."""

    name: str
    description: str
    make: object  # () -> (f, g)
    configs: list
    fstar: str  # "lsqr", "bcd", "lbfgs", "closed form"
    block_size: int = 5
    info: dict = field(default_factory=dict)


def _ls_data(n, p, seed):
    rng = np.random.default_rng(seed)
    X = paper_design(n, p, rng)
    w = rng.standard_normal(p) * (rng.random(p) < 0.1)
    y = np.asarray(X @ w).ravel() + rng.standard_normal(n)
    return X, y


def paper_problems(quick=False, datasets=True):
    """The problems of the reproduction (see the module docstring).

    Parameters
    ----------
    quick : bool
        200 x 1000 designs, a 10-class 200 x 100 softmax, a 20 x 20 lattice, 500 two-moons
        points, no LIBSVM data sets, fewer configurations.
    datasets : bool
        Include the LIBSVM multinomial problems (full run only; skipped when missing).

    Returns
    -------
    list of PaperProblem
    """
    import problems

    n, p = (200, 1000) if quick else (1000, 10_000)
    ns, ps, K = (200, 100, 10) if quick else (1000, 1000, 50)
    m, n_lab = (20, 20) if quick else (50, 100)
    n_moons, moons_lab = (500, 50) if quick else (2000, 100)
    out = []

    def ls():
        X, y = _ls_data(n, p, 0)
        return problems.LeastSquares(X, y), None

    out.append(PaperProblem(
        "ls", f"least squares {n} x {p} (paper's synthetic design), blocks of 5", ls,
        smooth_configs(quick, quadratic=True), "lsqr", info={"n": n, "p": p}))

    def nnls():
        X, y = _ls_data(n, p, 0)
        f = problems.LeastSquares(X, y)
        amax = problems.L1(1.0, positive=True).alpha_max(f.grad(np.zeros(p)))
        return f, problems.L1(amax / 10, positive=True)

    out.append(PaperProblem(
        "nnls_l1", f"least squares {n} x {p} + L1 with x >= 0 (alpha = alpha_max/10), "
        "blocks of 5", nnls, smooth_configs(quick, prox=True, quadratic=True), "bcd",
        info={"n": n, "p": p}))

    def logistic():
        rng = np.random.default_rng(1)
        X = paper_design(n, p, rng)
        w = rng.standard_normal(p) * (rng.random(p) < 0.1)
        y = np.where(np.asarray(X @ w).ravel() + rng.standard_normal(n) >= 0, 1.0, -1.0)
        return problems.Logistic(X, y), problems.L2(1.0 / n)

    out.append(PaperProblem(
        "logistic", f"logistic {n} x {p} (paper's design) + ridge 1/(2n) ||x||^2, blocks of 5",
        logistic, smooth_configs(quick), "lbfgs", info={"n": n, "p": p}))

    def softmax():
        rng = np.random.default_rng(2)
        X = paper_design(ns, ps, rng)
        W = rng.standard_normal((ps, K))
        y = np.argmax(np.asarray(X @ W) + rng.standard_normal((ns, K)), axis=1)
        return BohningMultinomial(X, y, n_classes=K), problems.L2(1.0 / ns)

    out.append(PaperProblem(
        "softmax", f"{K}-class softmax {ns} x {ps} ({ps * K} variables) + ridge, blocks of 5",
        softmax, softmax_configs(quick), "lbfgs", info={"n": ns, "p": ps, "classes": K}))

    if datasets and not quick:
        for name in ("dna.scale", "pendigits"):
            def real(name=name):
                X, y = problems.datasets.load_libsvm(name, download=False)
                return (BohningMultinomial(sp.csc_matrix(X), y),
                        problems.L2(1.0 / X.shape[0]))

            out.append(PaperProblem(
                name.split(".")[0], f"multinomial logistic on LIBSVM {name} + ridge, "
                "blocks of 5", real, softmax_configs(False), "lbfgs", info={"dataset": name}))

    def lattice():
        return problems.lattice_quadratic(m, n_labeled=n_lab, random_state=0), None

    out.append(PaperProblem(
        "lattice", f"lattice label propagation {m} x {m}, weights 1e5, {n_lab} labels",
        lattice, graph_configs(quick, lattice=True), "closed form", info={"m": m}))

    def moons():
        W, labels = problems.two_moons_graph(n_moons, n_neighbors=5, n_labeled=moons_lab,
                                             random_state=0)
        return problems.LabelPropagation(W, labels, lam=0.0), None

    out.append(PaperProblem(
        "moons", f"two-moons 5-NN graph label propagation, {n_moons} points, {moons_lab} "
        "labels", moons, graph_configs(quick, lattice=False), "closed form",
        info={"n_samples": n_moons}))
    return out


# --------------------------------------------------------------------------- f*
def _objective(f, g, x):
    return float(f.value(x)) + (0.0 if g is None else float(g.value(x)))


def reference_optimum(prob, f, g):
    """``(f*, certificate, how)``: the optimal value from an independent high-precision solve
    and a bound on its error (a duality gap where one exists)."""
    import problems
    import solvers

    size = int(np.prod(f.shape))
    if prob.fstar == "closed form":
        return float(f.f_star), 0.0, "LabelPropagation.f_star (sparse direct solve)"
    if prob.fstar == "lsqr":
        from scipy.sparse.linalg import lsqr

        x = lsqr(f.X, np.asarray(f.y), atol=1e-16, btol=1e-16, iter_lim=100_000)[0]
        fx = _objective(f, g, x)
        return fx, fx, "scipy lsqr (atol = btol = 1e-16); certificate: f >= 0, so f* in [0, f(x)]"
    if prob.fstar == "bcd":
        gap0 = problems.duality_gap(f, g, np.zeros(size))
        res = solvers.bcd(f, g, rule="gs-q", active_set_newton=True, tol=1e-14 * gap0,
                          max_iter=10**9)
        gap = problems.duality_gap(f, g, res.x)
        return _objective(f, g, res.x), float(gap), \
            "bcd gs-q + active-set Newton to gap 1e-14 gap(0); certificate: duality gap"
    # smooth + ridge: L-BFGS on the sum, certified by the duality gap
    from scipy.optimize import minimize

    lam = float(g.alpha) if g is not None else 0.0

    def fun(x):
        v, gr = f.value_and_grad(x)
        return v + 0.5 * lam * float(x @ x), np.asarray(gr).ravel() + lam * x

    res = minimize(fun, np.zeros(size), jac=True, method="L-BFGS-B",
                   options={"maxiter": 50_000, "maxfun": 100_000, "ftol": 1e-16, "gtol": 1e-13,
                            "maxcor": 30})
    x = res.x
    gap = problems.duality_gap(f, g, x)
    return _objective(f, g, x), float(gap), \
        f"scipy L-BFGS-B ({res.nit} iterations); certificate: duality gap"


# --------------------------------------------------------------------------- running
class _TimeCap:
    def __init__(self, seconds):
        self.seconds, self.t0, self.hit = seconds, time.perf_counter(), False

    def __call__(self, info):
        if time.perf_counter() - self.t0 > self.seconds:
            self.hit = True
            raise StopIteration


def run_config(f, g, cfg, *, block_size, n_iter=N_ITER, time_cap=120.0):
    """Run one configuration; returns a dict with ``objective`` per recorded iteration,
    ``nit``, ``wall`` seconds and ``error`` (None when it ran)."""
    import solvers

    opts = dict(block_size=block_size, partition="sorted")
    opts.update(cfg.opts)
    cap = _TimeCap(time_cap)
    t0 = time.perf_counter()
    try:
        res = solvers.bcd(f, g, working_set=False, max_iter=n_iter, tol=0.0, random_state=0,
                          callback=cap, **opts)
    except Exception as exc:  # noqa: BLE001 - recorded and reported
        return {"label": cfg.label, "panel": cfg.panel, "opts": opts, "error":
                f"{type(exc).__name__}: {exc}", "wall": time.perf_counter() - t0}
    wall = time.perf_counter() - t0
    h = res.history
    obj = np.asarray(h.objective, dtype=float)
    nit = np.asarray(h.nit, dtype=int) if "nit" in h.columns else np.arange(obj.size)
    # the history's objective must be f + g at the returned point
    offset = _objective(f, g, np.asarray(res.x).ravel()) - float(obj[-1])
    note = None
    if abs(offset) > 1e-9 * max(1.0, abs(obj[-1])):
        note = f"history objective differs from f(x) + g(x) at the returned x by {offset:.3e}"
    return {"label": cfg.label, "panel": cfg.panel, "opts": opts, "error": None,
            "objective": obj, "nit": nit, "wall": wall, "status": int(res.status),
            "message": res.message, "capped": cap.hit, "note": note}


def run_paper(problems_list, *, say=print, n_iter=N_ITER, time_cap=120.0):
    """Run every configuration of every problem; returns a list of per-problem dicts."""
    out = []
    for prob in problems_list:
        t0 = time.perf_counter()
        try:
            f, g = prob.make()
        except (FileNotFoundError, OSError) as exc:
            say(f"    {prob.name}: skipped ({exc})")
            out.append({"name": prob.name, "description": prob.description,
                        "skipped": str(exc)})
            continue
        t_build = time.perf_counter() - t0
        t0 = time.perf_counter()
        fstar, cert, how = reference_optimum(prob, f, g)
        t_ref = time.perf_counter() - t0
        f0 = _objective(f, g, np.zeros(int(np.prod(f.shape))))
        say(f"    {prob.name}: {prob.description}; f(0) - f* = {f0 - fstar:.3e}, f* = "
            f"{fstar:.10e} (+- {cert:.1e}, {how}; {t_ref:.1f} s)")
        runs = []
        for cfg in prob.configs:
            r = run_config(f, g, cfg, block_size=prob.block_size, n_iter=n_iter,
                           time_cap=time_cap)
            if r["error"] is None:
                final = float(r["objective"][-1]) - fstar
                r["final"] = final
                extra = " (time cap)" if r["capped"] else ""
                say(f"      {cfg.label:<34s} f - f* = {final: .3e} after {int(r['nit'][-1])} "
                    f"updates, {r['wall']:.2f} s{extra}")
            else:
                say(f"      {cfg.label:<34s} ERROR {r['error'][:150]}")
            runs.append(r)
        best = min([float(r["objective"].min()) for r in runs if r["error"] is None],
                   default=np.inf)
        out.append({"name": prob.name, "description": prob.description, "info": prob.info,
                    "fstar": fstar, "fstar_certificate": cert, "fstar_method": how,
                    "fstar_time": t_ref, "build_time": t_build, "f0_minus_fstar": f0 - fstar,
                    "best_seen_minus_fstar": best - fstar, "runs": runs,
                    "size": int(np.prod(f.shape))})
    return out


# --------------------------------------------------------------------------- outputs
def _fmt(v):
    if v is None or not np.isfinite(v):
        return "-"
    return f"{v:.2e}"


def plot_problem(res, out_dir):
    """``paper_<name>.png``: ``f - f*`` (log) against block updates, one panel per group of
    configurations, one line per configuration. Returns the path or None."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None
    runs = [r for r in res["runs"] if r["error"] is None]
    if not runs:
        return None
    panels = list(dict.fromkeys(r["panel"] for r in res["runs"]))
    ref = next((r for r in runs if r["label"] == "gsl"), None)
    ncol = min(2, len(panels))
    nrow = -(-len(panels) // ncol)
    fig = Figure(figsize=(6.2 * ncol, 4.0 * nrow), layout="constrained")
    FigureCanvasAgg(fig)
    axes = np.atleast_1d(fig.subplots(nrow, ncol, squeeze=False)).ravel()
    floor = max(1e-16 * max(abs(res["fstar"]), 1.0), res["fstar_certificate"] * 1e-3, 1e-300)
    for ax, panel in zip(axes, panels):
        members = [r for r in runs if r["panel"] == panel]
        if ref is not None and panel != _RULES and ref not in members and panel != _MP:
            members = [ref] + members
        lowest = np.inf
        for k, r in enumerate(members):
            gapf = np.maximum(r["objective"] - res["fstar"], floor)
            lowest = min(lowest, float(gapf.min()))
            ls = "--" if r is ref and panel != _RULES else "-"
            # later lines thinner, so that configurations with equal curves stay visible
            ax.plot(r["nit"], gapf, ls, lw=max(0.7, 2.8 - 0.2 * k), color=f"C{k % 10}",
                    label=r["label"] + (" (ref.)" if ls == "--" else ""))
        if 0 < res["fstar_certificate"] and res["fstar_certificate"] >= 0.1 * lowest:
            ax.axhline(res["fstar_certificate"], color="0.4", lw=0.8, ls=":",
                       label="f* uncertainty")
        ax.set_yscale("log")
        ax.set_xlabel("block updates")
        ax.set_ylabel("f(x) - f*")
        ax.set_title(panel, fontsize=9)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    errs = [r["label"] for r in res["runs"] if r["error"] is not None]
    sub = f"bcd paper reproduction / {res['name']}: {res['description']}"
    if errs:
        sub += f"\nfailed: {', '.join(errs)}"
    fig.suptitle(sub, fontsize=9)
    path = out_dir / f"paper_{res['name']}.png"
    fig.savefig(path, dpi=100)
    return path


def _final(res, label):
    for r in res.get("runs", []):
        if r["label"] == label and r["error"] is None:
            return r["final"]
    return None


def _claims(res):
    """The paper's orderings as (claim, verdict text) for one problem."""
    out = []
    fin = {r["label"]: r["final"] for r in res.get("runs", []) if r["error"] is None}
    tol = max(res.get("fstar_certificate", 0.0), 1e-14 * max(abs(res.get("fstar", 0.0)), 1.0))

    def better(a, b):  # a reaches a lower f - f* than b (both at the floor counts as a tie)
        return fin[a] < fin[b] or (fin[a] <= tol and fin[b] <= tol)

    greedy = [r for r in ("gs", "gsl", "gsd", "gsq", "gs-q") if r in fin]
    if "random" in fin and greedy:
        best = min(greedy, key=lambda r: fin[r])
        out.append(("greedy beats random",
                    f"{'yes' if better(best, 'random') else 'NO'} ({best} {_fmt(fin[best])} vs "
                    f"random {_fmt(fin['random'])})"))
    if "gs" in fin:
        wins = [r for r in ("gsl", "gsd", "gsq") if r in fin]
        if wins:
            n_ok = sum(better(r, "gs") for r in wins)
            out.append(("GSL/GSD/GSQ beat GS",
                        f"{n_ok}/{len(wins)} (gs {_fmt(fin['gs'])}; "
                        + ", ".join(f"{r} {_fmt(fin[r])}" for r in wins) + ")"))
    if "gsl" in fin:
        ups = [u for u in ("gsl / matrix", "gsl / newton") if u in fin]
        if ups:
            n_ok = sum(better(u, "gsl") for u in ups)
            out.append(("matrix/Newton beat gradient (GSL)",
                        f"{n_ok}/{len(ups)} (gradient {_fmt(fin['gsl'])}; "
                        + ", ".join(f"{u.split(' / ')[1]} {_fmt(fin[u])}" for u in ups) + ")"))
        if "gsl / variable" in fin:
            out.append(("variable beats fixed blocks (GSL)",
                        f"{'yes' if better('gsl / variable', 'gsl') else 'NO'} "
                        f"({_fmt(fin['gsl / variable'])} vs {_fmt(fin['gsl'])})"))
    base = "gs / coordinate / gradient"
    if base in fin:
        forests = [k for k in fin if "forest" in k]
        if forests:
            best = min(forests, key=lambda k: fin[k])
            out.append(("forest blocks + message passing beat GS",
                        f"{'yes' if better(best, base) else 'NO'} ({best} {_fmt(fin[best])} vs "
                        f"{_fmt(fin[base])})"))
        rb = [k for k in fin if "red-black" in k]
        tf = [k for k in fin if "two-forest" in k]
        if rb and tf:
            brb = min(rb, key=lambda k: fin[k])
            btf = min(tf, key=lambda k: fin[k])
            out.append(("two-forest beats red-black",
                        f"{'yes' if better(btf, brb) else 'NO'} ({_fmt(fin[btf])} vs "
                        f"{_fmt(fin[brb])})"))
    return out


def paper_markdown(results, n_iter=N_ITER):
    """The reproduction's tables: final ``f - f*`` per configuration (rows) and problem
    (columns), the problems with their ``f*``, and the paper's orderings."""
    done = [r for r in results if "runs" in r]
    lines = [
        f"`f(x) - f*` after {n_iter} block updates (`solvers.bcd(..., working_set=False, "
        f"max_iter={n_iter}, tol=0, random_state=0)`; blocks of 5 unless the label says "
        "otherwise; `-`: not run on that problem; `err`: raised, see notes). Curves: "
        "`paper_<problem>.png`.",
        "",
    ]
    labels = list(dict.fromkeys(r["label"] for p in done for r in p["runs"]))
    lines.append("| configuration | " + " | ".join(p["name"] for p in done) + " |")
    lines.append("|---|" + "---:|" * len(done))
    lines.append("| f(0) - f* | " + " | ".join(_fmt(p["f0_minus_fstar"]) for p in done) + " |")
    for lab in labels:
        cells = []
        for p in done:
            r = next((q for q in p["runs"] if q["label"] == lab), None)
            if r is None:
                cells.append("-")
            elif r["error"] is not None:
                cells.append("err")
            else:
                cells.append(_fmt(r["final"]) + (" (cap)" if r.get("capped") else ""))
        lines.append(f"| {lab} | " + " | ".join(cells) + " |")
    lines += ["", "Seconds per configuration (wall, including set-up such as block curvature "
              "bounds):", ""]
    lines.append("| configuration | " + " | ".join(p["name"] for p in done) + " |")
    lines.append("|---|" + "---:|" * len(done))
    for lab in labels:
        cells = []
        for p in done:
            r = next((q for q in p["runs"] if q["label"] == lab), None)
            cells.append("-" if r is None else f"{r['wall']:.2f}")
        lines.append(f"| {lab} | " + " | ".join(cells) + " |")
    lines += ["", "| problem | variables | f* | f* uncertainty | how |", "|---|---:|---:|---:|---|"]
    for p in done:
        lines.append(f"| {p['name']} | {p['size']} | {p['fstar']:.12e} | "
                     f"{p['fstar_certificate']:.1e} | {p['fstar_method']} |")
    lines += ["", "The paper's orderings, checked on the final values (`NO` marks a reversal; "
              "values at or below the f* uncertainty count as ties):", "",
              "| problem | claim | verdict |", "|---|---|---|"]
    for p in done:
        for claim, verdict in _claims(p):
            lines.append(f"| {p['name']} | {claim} | {verdict} |")
    skipped = [r for r in results if "skipped" in r]
    for r in skipped:
        lines.append(f"\n- {r['name']}: skipped ({r['skipped']})")
    return "\n".join(lines) + "\n"


def _jsonable_runs(results):
    out = []
    for p in results:
        q = {k: v for k, v in p.items() if k != "runs"}
        if "runs" in p:
            q["runs"] = []
            for r in p["runs"]:
                s = {k: v for k, v in r.items() if k not in ("objective", "nit")}
                if r["error"] is None:
                    from .harness import thin_indices

                    idx = thin_indices(r["objective"].size, 200)
                    s["curve"] = {"nit": r["nit"][idx].tolist(),
                                  "f_minus_fstar": (r["objective"][idx] - p["fstar"]).tolist()}
                q["runs"].append(s)
        out.append(q)
    return out


def paper_extra(quick=False, problems_list=None, n_iter=N_ITER, time_cap=None):
    """The reproduction as a :class:`benchmarks.harness.Extra` of a suite.

    Parameters
    ----------
    quick : bool
        Small sizes and fewer configurations (see :func:`paper_problems`).
    problems_list : list of PaperProblem, optional
        Overrides the problems (tests use a tiny one).
    n_iter : int
        Block updates per configuration.
    time_cap : float, optional
        Seconds after which a configuration is stopped (default 20 quick, 120 full).

    Returns
    -------
    benchmarks.harness.Extra
    """
    from .harness import Extra

    cap = time_cap if time_cap is not None else (20.0 if quick else 120.0)

    def run(ctx):
        probs = problems_list if problems_list is not None else paper_problems(quick)
        results = run_paper(probs, say=ctx["say"], n_iter=n_iter, time_cap=cap)
        files = []
        if ctx["plots"]:
            for res in results:
                if "runs" in res:
                    path = plot_problem(res, ctx["out_dir"])
                    if path is not None:
                        files.append(path)
        notes = []
        for p in results:
            for r in p.get("runs", []):
                if r["error"] is not None:
                    notes.append(f"paper/{p['name']} / {r['label']}: {r['error']}")
                elif r.get("note"):
                    notes.append(f"paper/{p['name']} / {r['label']}: {r['note']}")
                elif r.get("capped"):
                    notes.append(f"paper/{p['name']} / {r['label']}: stopped by the "
                                 f"{cap:g} s time cap after {int(r['nit'][-1])} updates")
        return {"markdown": paper_markdown(results, n_iter), "data": _jsonable_runs(results),
                "files": files, "notes": notes}

    return Extra(name="paper", title="Paper reproduction (Nutini, Laradji & Schmidt 2022): "
                 f"f - f* after {n_iter} block updates", run=run)
