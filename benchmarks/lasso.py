"""Lasso problems and the solvers that compete on them (optsuite and its peers).

The Lasso is ``min_x ||X x - y||^2 / (2 n) + alpha ||x||_1``, scikit-learn's scaling, so
``alpha`` means the same for every library here. Each peer gets the tolerance that its own
stopping rule needs so that the *shared* duality gap (:func:`problems.duality_gap`) reaches
the target:

* scikit-learn ``Lasso`` (coordinate descent) stops when its duality gap on the unnormalized
  objective ``||y - X w||^2 / 2 + n alpha ||w||_1`` is ``<= tol * ||y||^2``
  (``sklearn/linear_model/_cd_fast.pyx``: ``tol *= dot(y, y)``; the gap is the same
  dual-rescaled Fenchel gap, times ``n``). Hence ``tol = target * n / ||y||^2``.
* celer ``Lasso`` stops when its gap on the ``1/(2n)`` objective is ``<= tol * ||y||^2 / n``
  (``celer/lasso_fast.pyx``), so the same conversion; its dual point is extrapolated, so the
  shared gap can be larger than celer's own, and the harness calibrates (tol / 10 steps).
* skglm ``Lasso`` (Anderson-accelerated working-set coordinate descent) stops when the
  largest distance of ``-grad`` to the subdifferential is ``<= tol``, a KKT violation, not a
  gap; the starting tolerance is ``10 * target`` and the harness calibrates it.
"""
from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
from scipy.optimize import OptimizeResult

from .harness import Problem, SolverSpec

__all__ = [
    "alpha_max", "celer_lasso", "fista_spec", "lasso_problem", "make_sparse_regression",
    "peer_specs", "prox_grad_spec", "sklearn_lasso", "skglm_lasso",
]


# --------------------------------------------------------------------------- data
def _local_sparse_regression(n_samples, n_features, n_informative=10, rho=0.5, snr=3.0,
                             random_state=0):
    """Gaussian design with AR(1)-correlated columns, a sparse truth and noise at ``snr``."""
    rng = np.random.default_rng(random_state)
    Z = rng.standard_normal((n_samples, n_features))
    X = np.empty_like(Z)  # corr(X_j, X_k) = rho^|j - k|
    X[:, 0] = Z[:, 0]
    s = np.sqrt(1.0 - rho**2)
    for j in range(1, n_features):
        X[:, j] = rho * X[:, j - 1] + s * Z[:, j]
    w = np.zeros(n_features)
    support = rng.choice(n_features, size=min(n_informative, n_features), replace=False)
    w[support] = rng.choice([-1.0, 1.0], size=support.size)
    signal = X @ w
    noise = rng.standard_normal(n_samples)
    if snr is not None and np.isfinite(snr) and snr > 0:
        noise *= np.linalg.norm(signal) / (snr * np.linalg.norm(noise))
    else:
        noise[:] = 0.0
    return X, signal + noise, w


def make_sparse_regression(n_samples, n_features, n_informative=10, rho=0.5, snr=3.0,
                           random_state=0):
    """A sparse regression problem ``(X, y, w_true)``.

    Uses :func:`problems.datasets.make_sparse_regression` when the library provides it, and
    otherwise a local generator of the same model (not the same random draws): Gaussian rows
    with AR(1)-correlated columns (``corr(X_j, X_k) = rho^|j - k|``), ``n_informative``
    coefficients equal to +-1, and Gaussian noise scaled so that ``||X w|| / ||noise|| = snr``.

    Parameters
    ----------
    n_samples, n_features, n_informative : int
    rho : float
        Correlation between neighbouring columns, in [0, 1).
    snr : float
        Signal-to-noise ratio.
    random_state : int

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    w_true : ndarray of shape (n_features,)
    """
    try:
        from problems.datasets import make_sparse_regression as lib_make
    except ImportError:
        lib_make = None
    if lib_make is not None:
        return lib_make(n_samples=n_samples, n_features=n_features,
                        n_informative=n_informative, rho=rho, snr=snr,
                        random_state=random_state)
    return _local_sparse_regression(n_samples, n_features, n_informative, rho, snr,
                                    random_state)


def alpha_max(X, y):
    """Smallest ``alpha`` for which ``x = 0`` solves the Lasso: ``||X^T y||_inf / n``.

    Parameters
    ----------
    X : array of shape (n, p)
    y : array of shape (n,)

    Returns
    -------
    float
    """
    return float(np.abs(np.asarray(X.T @ y).ravel()).max()) / X.shape[0]


def lasso_problem(name, X, y, alpha, description, info=None):
    """A :class:`~benchmarks.harness.Problem` for the Lasso on ``(X, y)``.

    Parameters
    ----------
    name : str
    X : array or sparse matrix of shape (n, p)
        Dense data is stored C-ordered; sparse data as CSR in ``data["X"]``, and optsuite's
        smooth part is built on a CSC copy made once here (peers convert through
        :meth:`Problem.cached`, outside the timed region).
    y : array of shape (n,)
    alpha : float
        Penalty level (scikit-learn's scaling).
    description : str
    info : dict, optional
        Extra metadata; ``loss`` ("lasso"), ``alpha`` and ``alpha_max`` are added.

    Returns
    -------
    Problem
    """
    import problems

    y = np.ascontiguousarray(y, dtype=np.float64)
    if sp.issparse(X):
        X = sp.csr_matrix(X, dtype=np.float64)
        Xcol = X.tocsc()  # optsuite's coordinate kernels read columns; converted once
    else:
        X = Xcol = np.ascontiguousarray(X, dtype=np.float64)

    def factory():
        return problems.LeastSquares(Xcol, y), problems.L1(alpha)

    f, g = factory()
    meta = {"loss": "lasso", "alpha": float(alpha), "alpha_max": alpha_max(X, y)}
    meta.update(info or {})
    return Problem(name=name, description=description, f=f, g=g,
                   data={"X": X, "y": y, "alpha": float(alpha)}, factory=factory, info=meta)


def _sklearn_style_tol(problem, target):
    """``target * n / ||y||^2``: the tol giving ``gap <= target`` in sklearn's and celer's rule."""
    y = problem.data["y"]
    return target * y.shape[0] / float(y @ y)


# --------------------------------------------------------------------------- optsuite
def _optsuite_spec(name, method, include_setup, **options):
    def solve(problem, tol, max_iter):
        f, g = problem.fresh() if include_setup else (problem.f, problem.g)
        return method(f, g, tol=tol, max_iter=max_iter, measure="gap", **options)

    def history(problem, tol, max_iter):
        t0 = time.perf_counter()
        f, g = problem.fresh() if include_setup else (problem.f, problem.g)
        getattr(f, "lipschitz", None)  # computed (and cached on f) here, as in a timed run
        setup = time.perf_counter() - t0
        res = method(f, g, tol=tol, max_iter=max_iter, measure="gap", **options)
        h = res.history
        return {"time": h.time, "gap": h.measure, "iteration": np.arange(len(h)),
                "setup_time": setup}

    settings = {"measure": "gap", "step": "1/L (L = ||X||_2^2 / n)", **options,
                "tol": "target", "max_iter": 20_000,
                "set-up in timing": ("yes: fresh LeastSquares per run, L computed each time"
                                     if include_setup else "no: L cached on the problem")}
    return SolverSpec(name=name, library="optsuite", run=solve, settings=settings, ours=True,
                      max_iter=20_000, history=history, iter_unit="iterations")


def fista_spec(include_setup=True, restart="gradient"):
    """optsuite's FISTA (gradient restart by default), stopped on the duality gap.

    Parameters
    ----------
    include_setup : bool, default True
        Build the smooth part afresh in each timed run, so that the Lipschitz constant is
        part of the measured time (as a peer's ``fit`` includes its own set-up).
    restart : {"gradient", "function", None}

    Returns
    -------
    SolverSpec
    """
    import solvers

    return _optsuite_spec("fista", solvers.fista, include_setup, restart=restart)


def prox_grad_spec(include_setup=True):
    """optsuite's proximal gradient method, stopped on the duality gap.

    Parameters
    ----------
    include_setup : bool, default True
        As in :func:`fista_spec`.

    Returns
    -------
    SolverSpec
    """
    import solvers

    return _optsuite_spec("prox_grad", solvers.prox_grad, include_setup)


# --------------------------------------------------------------------------- peers
def _fortran_X(problem):
    """The design in the layout coordinate descent peers want: a Fortran-ordered copy of a
    dense ``X``, a CSC copy of a sparse one (made once, during the warm-up)."""
    X = problem.data["X"]
    if sp.issparse(X):
        return problem.cached("X_csc", lambda: sp.csc_matrix(X))
    return problem.cached("X_fortran", lambda: np.asfortranarray(X))


def sklearn_lasso(max_iter=100_000):
    """scikit-learn's ``Lasso`` (cyclic coordinate descent with gap-safe screening).

    Parameters
    ----------
    max_iter : int
        Epoch budget of timed runs.

    Returns
    -------
    SolverSpec

    Raises
    ------
    ImportError
        When scikit-learn is not installed.
    """
    from sklearn.linear_model import Lasso

    def solve(problem, tol, max_iter):
        est = Lasso(alpha=problem.data["alpha"], fit_intercept=False, tol=tol,
                    max_iter=max_iter, selection="cyclic")
        est.fit(_fortran_X(problem), problem.data["y"])
        return OptimizeResult(x=est.coef_, nit=est.n_iter_)

    settings = {"fit_intercept": False, "selection": "cyclic", "precompute": False,
                "tol": "target * n / ||y||^2 (its rule: n * gap <= tol * ||y||^2)",
                "max_iter": max_iter,
                "X": "Fortran-ordered copy, CSC when sparse (made outside the timing)"}
    return SolverSpec(name="sklearn Lasso", library="scikit-learn", run=solve,
                      settings=settings, tol_for=_sklearn_style_tol, calibrate=True,
                      max_iter=max_iter, iter_unit="epochs")


def celer_lasso(max_iter=100, max_epochs=50_000):
    """celer's ``Lasso`` (working sets, coordinate descent, dual extrapolation).

    Parameters
    ----------
    max_iter : int
        Budget of outer (working-set) iterations.
    max_epochs : int
        Epoch budget of each inner solve.

    Returns
    -------
    SolverSpec

    Raises
    ------
    ImportError
        When celer is not installed.
    """
    from celer import Lasso

    def solve(problem, tol, max_iter):
        est = Lasso(alpha=problem.data["alpha"], fit_intercept=False, tol=tol,
                    max_iter=max_iter, max_epochs=max_epochs, verbose=0)
        est.fit(_fortran_X(problem), problem.data["y"])
        return OptimizeResult(x=est.coef_, nit=est.n_iter_)

    settings = {"fit_intercept": False, "max_epochs": max_epochs, "max_iter": max_iter,
                "tol": "target * n / ||y||^2 (its rule: gap <= tol * ||y||^2 / n), "
                       "divided by 10 while the shared gap misses the target",
                "X": "Fortran-ordered copy (CSC when sparse)"}
    return SolverSpec(name="celer Lasso", library="celer", run=solve, settings=settings,
                      tol_for=_sklearn_style_tol, calibrate=True, max_iter=max_iter,
                      iter_unit="outer iterations")


def skglm_lasso(max_iter=100, max_epochs=50_000):
    """skglm's ``Lasso`` (Anderson-accelerated working-set coordinate descent).

    Parameters
    ----------
    max_iter : int
        Budget of outer (working-set) iterations.
    max_epochs : int
        Epoch budget of each inner solve.

    Returns
    -------
    SolverSpec

    Raises
    ------
    ImportError
        When skglm is not installed.
    """
    from skglm import Lasso

    def solve(problem, tol, max_iter):
        est = Lasso(alpha=problem.data["alpha"], fit_intercept=False, tol=tol,
                    max_iter=max_iter, max_epochs=max_epochs)
        est.fit(_fortran_X(problem), problem.data["y"])
        return OptimizeResult(x=est.coef_, nit=getattr(est, "n_iter_", None))

    settings = {"fit_intercept": False, "ws_strategy": "subdiff", "max_epochs": max_epochs,
                "max_iter": max_iter,
                "tol": "KKT violation (max subdifferential distance); starts at 10 * target, "
                       "divided by 10 while the shared gap misses the target",
                "curve runs": "tol = 1e-3 * target (its inner loop stalls at tol = 0)",
                "X": "Fortran-ordered copy (CSC when sparse)"}
    return SolverSpec(name="skglm Lasso", library="skglm", run=solve, settings=settings,
                      tol_for=lambda problem, target: 10.0 * target, calibrate=True,
                      curve_tol=lambda problem, target: 1e-3 * target,
                      max_iter=max_iter, iter_unit="outer iterations")


def peer_specs(names=("sklearn", "skglm", "celer")):
    """The Lasso peers that are importable, and a note for each one that is not.

    Parameters
    ----------
    names : sequence of {"sklearn", "skglm", "celer"}

    Returns
    -------
    specs : list of SolverSpec
    notes : list of str
    """
    factories = {"sklearn": sklearn_lasso, "skglm": skglm_lasso, "celer": celer_lasso}
    specs, notes = [], []
    for name in names:
        try:
            specs.append(factories[name]())
        except ImportError as exc:
            notes.append(f"peer {name} skipped: not importable ({exc})")
    return specs, notes
