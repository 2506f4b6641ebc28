"""L1-regularized logistic regression problems and the peers that compete on them.

The objective is ``(1/n) sum_i log(1 + exp(-y_i x_i^T w)) + alpha ||w||_1`` with labels
``y_i in {-1, +1}`` and no intercept (:class:`problems.Logistic` + :class:`problems.L1`).
Each peer is given the same problem in its own scaling, and the tolerance its own stopping rule
needs so that the *shared* duality gap (:func:`problems.duality_gap`) reaches the target:

* scikit-learn ``LogisticRegression`` minimizes ``C sum_i loss_i + ||w||_1``, i.e. ``n C``
  times ours for ``C = 1 / (n alpha)``. ``solver="liblinear"`` (newGLMNET, a proximal Newton
  method with coordinate descent inner solves) stops on the norm of the minimum-norm
  subgradient relative to its value at the start; ``solver="saga"`` stops when the largest
  change of a coefficient over an epoch, relative to the largest coefficient, is below
  ``tol``. Neither is a duality gap, so both start at ``tol = 1e-6`` and the harness
  calibrates (tol / 10 steps, stopping when a run uses its whole iteration budget).
* skglm ``SparseLogisticRegression`` (working sets, Anderson-accelerated proximal Newton /
  coordinate descent) has exactly our scaling and stops on the KKT violation (largest
  distance of ``-grad`` to the subdifferential); it starts at ``10 * target`` and is
  calibrated.
* celer ``LogisticRegression`` (working sets, proximal Newton, dual extrapolation) minimizes
  ``sum_i loss_i + ||w||_1 / C`` and stops when *its* gap on that scale is
  ``<= tol * n * log 2`` (``celer/PN_logreg.pyx``). That gap is ``n`` times a gap on our
  scale, so ``tol = target / log 2``; its dual point is extrapolated, so the harness calibrates.

``alpha_max = ||X^T y||_inf / (2 n)`` is the smallest ``alpha`` for which ``w = 0`` is optimal.
"""
from __future__ import annotations

import inspect
import math

import numpy as np
import scipy.sparse as sp
from scipy.optimize import OptimizeResult

from .harness import Problem, SolverSpec

__all__ = [
    "celer_logreg", "is_logistic", "l1_logistic_problem", "logistic_alpha_max", "peer_specs",
    "skglm_logreg", "sklearn_logreg",
]


def logistic_alpha_max(X, y):
    """Smallest ``alpha`` for which ``w = 0`` solves the L1 logistic problem.

    ``||grad f(0)||_inf = ||X^T y||_inf / (2 n)``.

    Parameters
    ----------
    X : array or sparse matrix of shape (n, p)
    y : array of shape (n,), labels -1/+1

    Returns
    -------
    float
    """
    return float(np.abs(np.asarray(X.T @ y).ravel()).max()) / (2 * X.shape[0])


def is_logistic(problem):
    """Whether ``problem`` is an L1-logistic problem (``info["loss"] == "logistic"``)."""
    return problem.info.get("loss") == "logistic"


def l1_logistic_problem(name, X, y, alpha, description, info=None):
    """A :class:`~benchmarks.harness.Problem` for L1 logistic regression on ``(X, y)``.

    ``X`` is kept as given in ``data["X"]`` (CSR when sparse, for the row-wise peers);
    optsuite's solvers are built on a CSC copy (their coordinate kernels read columns), made
    once outside the timed region, like the peers' own layout conversions.

    Parameters
    ----------
    name : str
    X : array or sparse matrix of shape (n, p)
    y : array of shape (n,), labels -1/+1
    alpha : float
    description : str
    info : dict, optional
        Extra metadata; ``loss``, ``alpha`` and ``alpha_max`` are added.

    Returns
    -------
    Problem
    """
    import problems

    X = sp.csr_matrix(X, dtype=np.float64) if sp.issparse(X) else \
        np.ascontiguousarray(X, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    Xcol = X.tocsc() if sp.issparse(X) else np.asfortranarray(X)

    def factory():
        return problems.Logistic(Xcol, y), problems.L1(alpha)

    f, g = factory()
    meta = {"loss": "logistic", "alpha": float(alpha), "alpha_max": logistic_alpha_max(X, y)}
    meta.update(info or {})
    return Problem(name=name, description=description, f=f, g=g,
                   data={"X": X, "y": y, "alpha": float(alpha)}, factory=factory, info=meta)


def _C(problem):
    return 1.0 / (problem.data["y"].shape[0] * problem.data["alpha"])


def _nit(est):
    n = getattr(est, "n_iter_", None)
    return None if n is None else int(np.max(n))


def _l1_kwargs(cls):
    """``l1_ratio=1`` where ``penalty`` is deprecated (scikit-learn >= 1.8), else ``penalty``."""
    default = inspect.signature(cls.__init__).parameters["penalty"].default
    return {"l1_ratio": 1.0} if default == "deprecated" else {"penalty": "l1"}


def sklearn_logreg(solver="liblinear", max_iter=None):
    """scikit-learn's ``LogisticRegression`` with an L1 penalty, no intercept.

    Parameters
    ----------
    solver : {"liblinear", "saga"}
    max_iter : int, optional
        Iteration budget of timed runs (liblinear: outer Newton iterations, default 1000;
        saga: epochs, default 1000).

    Returns
    -------
    SolverSpec

    Raises
    ------
    ImportError
        When scikit-learn is not installed.
    """
    from sklearn.linear_model import LogisticRegression

    if solver not in ("liblinear", "saga"):
        raise ValueError(f"solver must be 'liblinear' or 'saga', got {solver!r}")
    max_iter = int(max_iter or 1000)
    l1 = _l1_kwargs(LogisticRegression)

    def solve(problem, tol, max_iter):
        est = LogisticRegression(C=_C(problem), solver=solver, fit_intercept=False, tol=tol,
                                 max_iter=max_iter, random_state=0, **l1)
        est.fit(problem.data["X"], problem.data["y"])
        return OptimizeResult(x=est.coef_.ravel(), nit=_nit(est))

    rule = ("norm of the minimum-norm subgradient relative to the start (newGLMNET)"
            if solver == "liblinear" else
            "max coefficient change per epoch / max coefficient")
    settings = {"solver": solver, **l1, "C": "1 / (n alpha)", "fit_intercept": False,
                "max_iter": max_iter, "random_state": 0,
                "tol": f"starts at 1e-6 ({rule}), divided by 10 while the shared gap misses "
                       "the target", "X": "CSR as loaded"}
    return SolverSpec(name=f"sklearn {solver}", library="scikit-learn", run=solve,
                      settings=settings, tol_for=lambda problem, target: 1e-6, calibrate=True,
                      curve_tol=lambda problem, target: 1e-12,
                      max_iter=max_iter,
                      iter_unit="epochs" if solver == "saga" else "outer iterations",
                      applies_to=is_logistic)


def _csc(problem):
    X = problem.data["X"]
    if sp.issparse(X):
        return problem.cached("X_csc", lambda: sp.csc_matrix(X))
    return problem.cached("X_fortran", lambda: np.asfortranarray(X))


def skglm_logreg(max_iter=100, max_epochs=50_000):
    """skglm's ``SparseLogisticRegression`` (our scaling, no intercept).

    Parameters
    ----------
    max_iter : int
        Budget of outer (working-set) iterations.
    max_epochs : int
        Budget of each inner solve.

    Returns
    -------
    SolverSpec

    Raises
    ------
    ImportError
        When skglm is not installed.
    """
    from skglm import SparseLogisticRegression

    def solve(problem, tol, max_iter):
        est = SparseLogisticRegression(alpha=problem.data["alpha"], tol=tol, max_iter=max_iter,
                                       max_epochs=max_epochs, fit_intercept=False)
        est.fit(_csc(problem), problem.data["y"])
        return OptimizeResult(x=np.asarray(est.coef_).ravel(), nit=_nit(est))

    settings = {"alpha": "alpha", "fit_intercept": False, "max_iter": max_iter,
                "max_epochs": max_epochs,
                "tol": "KKT violation; starts at 10 * target, divided by 10 while the shared "
                       "gap misses the target",
                "curve runs": "tol = 1e-3 * target", "X": "CSC copy"}
    return SolverSpec(name="skglm SparseLogReg", library="skglm", run=solve, settings=settings,
                      tol_for=lambda problem, target: 10.0 * target, calibrate=True,
                      curve_tol=lambda problem, target: 1e-3 * target, max_iter=max_iter,
                      iter_unit="outer iterations", applies_to=is_logistic)


def celer_logreg(max_iter=20, max_epochs=50_000):
    """celer's ``LogisticRegression`` (L1, ``C = 1 / (n alpha)``, no intercept).

    Parameters
    ----------
    max_iter : int, default 20
        Budget of outer (working-set) iterations (celer's default is 50). celer certifies
        with an extrapolated dual point, much better than the residual-based one of the
        shared gap, so reaching a shared gap of ``1e-8 gap(0)`` can take a tolerance below
        what celer's own gap can resolve in floating point; it then runs all ``max_iter``
        outer iterations (about 0.7 s each on a9a), which the smaller budget bounds.
    max_epochs : int
        Budget of each inner solve.

    Returns
    -------
    SolverSpec

    Raises
    ------
    ImportError
        When celer is not installed.
    """
    from celer import LogisticRegression

    def solve(problem, tol, max_iter):
        est = LogisticRegression(C=_C(problem), penalty="l1", tol=tol, max_iter=max_iter,
                                 max_epochs=max_epochs, fit_intercept=False)
        est.fit(_csc(problem), problem.data["y"])
        return OptimizeResult(x=np.asarray(est.coef_).ravel(), nit=_nit(est))

    settings = {"C": "1 / (n alpha)", "penalty": "l1", "solver": "celer-pn",
                "fit_intercept": False, "max_iter": max_iter, "max_epochs": max_epochs,
                "tol": "target / log 2 (its rule: gap on the sum scale <= tol n log 2), divided "
                       "by 10 while the shared gap misses the target", "X": "CSC copy"}
    return SolverSpec(name="celer LogReg", library="celer", run=solve, settings=settings,
                      tol_for=lambda problem, target: target / math.log(2), calibrate=True,
                      max_iter=max_iter, iter_unit="outer iterations", applies_to=is_logistic)


def peer_specs(names=("liblinear", "saga", "skglm", "celer"), saga_max_iter=None):
    """The L1-logistic peers that are importable, and a note for each one that is not.

    Parameters
    ----------
    names : sequence of {"liblinear", "saga", "skglm", "celer"}
    saga_max_iter : int, optional
        Epoch budget of saga.

    Returns
    -------
    specs : list of SolverSpec
    notes : list of str
    """
    factories = {"liblinear": lambda: sklearn_logreg("liblinear"),
                 "saga": lambda: sklearn_logreg("saga", max_iter=saga_max_iter),
                 "skglm": skglm_logreg, "celer": celer_logreg}
    specs, notes = [], []
    for name in names:
        try:
            specs.append(factories[name]())
        except ImportError as exc:
            notes.append(f"logistic peer {name} skipped: not importable ({exc})")
    return specs, notes
