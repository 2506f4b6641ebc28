"""Scikit-learn estimators solved by greedy block coordinate descent.

:class:`Lasso`, :class:`ElasticNet` and :class:`SparseLogisticRegression` follow the
scikit-learn estimator API (``fit`` / ``predict`` / ``score``, ``get_params`` /
``set_params``, cloning, pickling) and scikit-learn's objective conventions, and solve with
:func:`solvers.bcd` on :class:`problems.LeastSquares` / :class:`problems.Logistic` with the
:class:`problems.L1` / :class:`problems.ElasticNet` penalties, i.e. the greedy block coordinate
descent of Nutini, Laradji and Schmidt (JMLR 2022): greedy Gauss-Southwell rules (GS-q by
default), working sets, and Newton steps on the identified active set.

This module imports scikit-learn; ``import solvers`` does not (``solvers.interfaces`` loads it
on first access to one of the estimators).

Notes
-----
The intercept is never penalized. It is handled exactly, in one of two ways:

* least squares on dense ``X``: ``X`` and ``y`` are centered (copies; the caller's arrays are
  never modified), the centered problem is solved, and ``b = mean(y) - mean(X) @ w``. The
  centered problem *is* the joint problem in ``(w, b)`` with ``b`` minimized out, so its
  duality gap is the joint gap.
* sparse least squares (centering would densify ``X``) and logistic regression (whose
  dense ``X`` is centered first too: ``X w + b = (X - mean) w + (b + mean @ w)`` is the same
  model and leaves the intercept nearly decoupled from ``w``): the intercept is *profiled
  out*. For a fixed intercept ``b`` the coefficients ``w(b)`` are found by :func:`solvers.bcd`
  with ``b`` held in the smooth part's ``offset`` (warm-started from the previous round), and
  ``T(b)`` is the best intercept for ``w(b)`` (``mean(y - X w)`` for least squares, a
  safeguarded 1-D Newton solve for the logistic loss). The joint solution is the fixed point
  ``T(b) = b``. For least squares ``h(b) = T(b) - b`` is nonincreasing with slope in [-1, 0]
  (the fitted values are a firmly nonexpansive function of the response), and so it is
  locally for the logistic loss; a secant iteration on ``h`` with its slope clipped to that
  range, a trust length and bisection once the root is bracketed finds it in a few rounds
  (typically 4 to 8). Each round is certified by the duality gap of the joint problem at
  ``(w(b), T(b))``: with the intercept optimal for ``w`` the dual point sums to zero, so the
  gap of the ``w``-problem at offset ``T(b)`` equals the joint gap.

References
----------
J. Nutini, I. Laradji, M. Schmidt, "Let's Make Block Coordinate Descent Converge Faster:
Faster Greedy Rules, Message-Passing, Active-Set Complexity, and Superlinear Convergence",
Journal of Machine Learning Research 23(131):1-74, 2022.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted

import problems

from ..bcd import bcd
from ..core.optimality import duality_gap

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _validate_data
except ImportError:  # pragma: no cover - older scikit-learn
    def _validate_data(estimator, *args, **kwargs):
        return estimator._validate_data(*args, **kwargs)

__all__ = ["ElasticNet", "Lasso", "SparseLogisticRegression"]

_ACCEPT_SPARSE = ("csr", "csc")
# Intercept rounds (sparse least squares, logistic): the bracketing secant on h(b) = T(b) - b
# stops long before this; reaching it means the inner solves are too inexact to progress.
_MAX_ROUNDS = 100
# Inner solves at offset b run to this fraction of the requested gap.
_INNER_TOL_FACTOR = 0.1


# --------------------------------------------------------------------------------------------
# parameter validation
# --------------------------------------------------------------------------------------------

def _check_real(est, name, *, lower=None, upper=None):
    value = getattr(est, name)
    cls = type(est).__name__
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{cls}: {name} must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{cls}: {name} must be finite, got {value}")
    if lower is not None and value < lower:
        raise ValueError(f"{cls}: {name} must be >= {lower:g}, got {value:g}")
    if upper is not None and value > upper:
        raise ValueError(f"{cls}: {name} must be <= {upper:g}, got {value:g}")
    return value


def _check_bool(est, name):
    value = getattr(est, name)
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{type(est).__name__}: {name} must be True or False, got {value!r}")
    return bool(value)


def _check_max_iter(est):
    value = est.max_iter
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{type(est).__name__}: max_iter must be a positive int or None, "
                        f"got {value!r}")
    if value < 1:
        raise ValueError(f"{type(est).__name__}: max_iter must be >= 1 (or None for the solver's "
                         f"default budget), got {value}")
    return int(value)


def _check_common(est):
    return dict(
        alpha=_check_real(est, "alpha", lower=0.0),
        fit_intercept=_check_bool(est, "fit_intercept"),
        warm_start=_check_bool(est, "warm_start"),
        tol=_check_real(est, "tol", lower=0.0),
        max_iter=_check_max_iter(est),
    )


# --------------------------------------------------------------------------------------------
# the intercept: profiled out by a bracketing secant on h(b) = T(b) - b
# --------------------------------------------------------------------------------------------

class _Budget:
    """Coordinate updates left to spend over all rounds (None: bcd's default per round)."""

    def __init__(self, max_iter):
        self.max_iter = max_iter
        self.used = 0

    def left(self):
        return None if self.max_iter is None else self.max_iter - self.used

    def spend(self, nit):
        self.used += int(nit)


def _fit_profiled(solve, best_intercept, b0, w0, tol, budget):
    """Minimize ``F(w, b)`` jointly, ``b`` unpenalized, by rounds over the intercept.

    Round ``k`` solves for ``w(b_k)`` at the fixed intercept ``b_k`` and evaluates
    ``h(b_k) = T(b_k) - b_k``, ``T(b)`` the best intercept for ``w(b)``. ``h`` is nonincreasing
    with slope in [-1, 0], so its root is at least ``|h|`` away in the direction of ``h``: the
    next intercept is the secant step with its slope clipped to [-1, 0), limited to a trust
    length (``4 |h|``, doubling while the sign of ``h`` stays) until a sign change brackets the
    root, then kept inside the bracket (bisection when the secant leaves it).

    Parameters
    ----------
    solve : callable ``(b, w0, max_iter) -> Result``
        :func:`solvers.bcd` on ``w`` with the intercept fixed at ``b``.
    best_intercept : callable ``w -> (b, gap)``
        The intercept minimizing ``F(w, .)`` and the joint duality gap at ``(w, b)``.
    b0, w0 : float, array
        Starting intercept and coefficients.
    tol : float
        Target joint gap.
    budget : _Budget

    Returns
    -------
    w, b, gap, converged, reason
    """
    b, w = float(b0), w0
    prev = None                      # (b, h) of the previous round
    lo = hi = None                   # bracket: h(lo) > 0 > h(hi), so lo < b* < hi
    trust = 4.0
    failures = 0
    best = None                      # (gap, w, b) with the smallest gap seen
    reason = f"{_MAX_ROUNDS} intercept rounds"
    for _ in range(_MAX_ROUNDS):
        left = budget.left()
        if left is not None and left < 1:
            reason = "max_iter coordinate updates"
            break
        res = solve(b, w, left)
        budget.spend(res.nit)
        w = np.asarray(res.x, dtype=np.float64)
        b_new, gap = best_intercept(w)
        if best is None or gap < best[0]:
            best = (gap, w, b_new)
        if gap <= tol:
            return w, b_new, gap, True, ""
        failures = 0 if res.success else failures + 1
        if failures >= 3:
            reason = f"the coefficient solve failing three rounds in a row ({res.message})"
            break
        h = b_new - b
        if h == 0.0:
            reason = "the intercept reaching a fixed point before the gap reached tol"
            break
        if h > 0:
            lo = b if lo is None else max(lo, b)
        else:
            hi = b if hi is None else min(hi, b)
        if prev is not None and b != prev[0]:
            slope = min(max((h - prev[1]) / (b - prev[0]), -1.0), -1e-12)
            step = -h / slope
        else:
            step = h                 # the plain alternating step, b <- T(b)
        if lo is None or hi is None:
            if prev is not None and np.sign(prev[1]) == np.sign(h):
                trust *= 2.0
            step = float(np.sign(h)) * min(abs(step), trust * abs(h))
            b_next = b + step
        else:
            b_next = b + step
            if not lo < b_next < hi:
                b_next = 0.5 * (lo + hi)
        prev = (b, h)
        b = b_next
    gap, w, b = best
    return w, b, gap, False, reason


def _warn_not_converged(est, gap, tol, reason):
    warnings.warn(
        f"{type(est).__name__} did not converge: duality gap {gap:.3e} > tolerance {tol:.3e} "
        f"after {est.n_iter_} coordinate updates (stopped by {reason}). Increase max_iter, "
        "loosen tol, or scale the features.",
        ConvergenceWarning, stacklevel=3,
    )


# --------------------------------------------------------------------------------------------
# least squares with an unpenalized intercept
# --------------------------------------------------------------------------------------------

def _fit_least_squares(est, X, y, penalty, *, fit_intercept, tol, max_iter, bcd_kwargs,
                       coef_init, intercept_init):
    """Fit ``||y - X w - b||^2 / (2n) + penalty(w)``; returns ``(w, b, gap, n_iter)`` and
    warns when the gap did not reach ``tol * ||y - mean(y)||^2 / n``."""
    n, p = X.shape
    y_mean = float(y.mean()) if fit_intercept else 0.0
    yc = y - y_mean
    scale = float(yc @ yc) / n
    tol_abs = tol * scale if scale > 0 else tol
    budget = _Budget(max_iter)
    w0 = coef_init

    if not fit_intercept or not sp.issparse(X):
        if fit_intercept:
            x_mean = np.asarray(X.mean(axis=0)).ravel()
            Xs = X - x_mean
        else:
            x_mean, Xs = None, X
        f = problems.LeastSquares(Xs, yc)
        res = bcd(f, penalty, x0=w0, tol=tol_abs, max_iter=max_iter, random_state=0,
                  **bcd_kwargs)
        budget.spend(res.nit)
        w = np.asarray(res.x, dtype=np.float64)
        gap = duality_gap(f, penalty, w)
        b = y_mean - float(x_mean @ w) if fit_intercept else 0.0
        converged = gap <= tol_abs
        reason = "" if converged else res.message
    else:
        # sparse X: keep it sparse, profile the intercept out (module docstring)
        def solve(b, w_start, left):
            f = problems.LeastSquares(X, y, offset=b)
            return bcd(f, penalty, x0=w_start, tol=_INNER_TOL_FACTOR * tol_abs, max_iter=left,
                       random_state=0, **bcd_kwargs)

        def best_intercept(w):
            b = float(np.mean(y - X @ w))
            return b, duality_gap(problems.LeastSquares(X, y, offset=b), penalty, w)

        b0 = y_mean if intercept_init is None else intercept_init
        w, b, gap, converged, reason = _fit_profiled(solve, best_intercept, b0, w0, tol_abs,
                                                     budget)
    est.n_iter_ = max(budget.used, 1)
    est.dual_gap_ = float(gap)
    if not converged:
        _warn_not_converged(est, gap, tol_abs, reason)
    return w, b


def _linear_predict(est, X):
    check_is_fitted(est)
    X = _validate_data(est, X, accept_sparse=_ACCEPT_SPARSE, dtype=np.float64, reset=False)
    return np.asarray(X @ est.coef_).ravel() + est.intercept_


class _BCDRegressor(RegressorMixin, BaseEstimator):
    """Shared ``fit`` / ``predict`` of the least-squares estimators."""

    def _penalty(self, params):
        raise NotImplementedError

    def _bcd_kwargs(self):
        raise NotImplementedError

    def fit(self, X, y):
        """Fit the model by greedy block coordinate descent.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; CSR/CSC matrices stay sparse and are never centered.
        y : array-like of shape (n_samples,)
            Target values.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        params = _check_common(self)
        penalty = self._penalty(params)
        X, y = _validate_data(self, X, y, accept_sparse=_ACCEPT_SPARSE, dtype=np.float64,
                              y_numeric=True, multi_output=False)
        y = np.asarray(y, dtype=np.float64)
        coef_init = intercept_init = None
        if params["warm_start"] and getattr(self, "coef_", None) is not None \
                and np.shape(self.coef_) == (X.shape[1],):
            coef_init = np.array(self.coef_, dtype=np.float64)
            intercept_init = float(self.intercept_) if params["fit_intercept"] else None
        w, b = _fit_least_squares(
            self, X, y, penalty, fit_intercept=params["fit_intercept"], tol=params["tol"],
            max_iter=params["max_iter"], bcd_kwargs=self._bcd_kwargs(), coef_init=coef_init,
            intercept_init=intercept_init)
        self.coef_ = w
        self.intercept_ = float(b)
        return self

    def predict(self, X):
        """Predict with the linear model ``X @ coef_ + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The predicted values.
        """
        return _linear_predict(self, X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _more_tags(self):  # scikit-learn < 1.6
        return {"multioutput": False}


class Lasso(_BCDRegressor):
    """Lasso (L1-penalized least squares) solved by greedy block coordinate descent.

    Minimizes, as :class:`sklearn.linear_model.Lasso` does,

        ``||y - X w - b||_2^2 / (2 n_samples) + alpha * ||w||_1``

    over ``w`` (and the unpenalized intercept ``b`` when ``fit_intercept``), with
    :func:`solvers.bcd` on :class:`problems.LeastSquares` and :class:`problems.L1`.

    Parameters
    ----------
    alpha : float, default 1.0
        Strength of the L1 penalty, >= 0 (0 is allowed, but the duality gap then certifies
        only an exact least-squares fit; use :class:`sklearn.linear_model.LinearRegression`).
    fit_intercept : bool, default True
        Fit an unpenalized intercept (exactly: see the module notes on intercepts).
    positive : bool, default False
        Constrain the coefficients to be non-negative.
    tol : float, default 1e-8
        Stop when the duality gap of the (joint) problem is at most
        ``tol * ||y - mean(y)||^2 / n_samples`` (``||y||^2 / n_samples`` without intercept),
        scikit-learn's scaling of the gap.
    max_iter : int, optional
        Budget of coordinate updates over the whole fit (default: ``solvers.bcd``'s,
        ``1000 * n_features`` per solve).
    rule : str, default "gs-q"
        Block selection rule of :func:`solvers.bcd` (``"gs-q"``, ``"gs-s"``, ``"gs-r"``,
        ``"gsl"``, ``"cyclic"``, ``"random"`` ...).
    active_set_newton : bool, default True
        Newton steps on the identified support (finite termination for least squares).
    warm_start : bool, default False
        Start from the previous ``coef_`` / ``intercept_`` when refitting.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Present when ``X`` has string feature names.
    n_iter_ : int
        Coordinate updates made by :func:`solvers.bcd`, summed over the solves of the fit
        (at least 1: a first optimality check that finds the start optimal counts as one).
    dual_gap_ : float
        Duality gap of the joint problem at the solution (not rescaled by ``tol``'s scale).

    See Also
    --------
    ElasticNet : L1 plus squared L2 penalty.
    sklearn.linear_model.Lasso : The same model, cyclic coordinate descent.

    Notes
    -----
    With sparse ``X`` and ``fit_intercept=True`` the intercept is profiled out by a secant
    iteration over warm-started solves at a fixed offset, so ``X`` is never densified.

    References
    ----------
    J. Nutini, I. Laradji, M. Schmidt, "Let's Make Block Coordinate Descent Converge Faster:
    Faster Greedy Rules, Message-Passing, Active-Set Complexity, and Superlinear
    Convergence", Journal of Machine Learning Research 23(131):1-74, 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from solvers.interfaces import Lasso
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]); y = np.array([0.0, 1.0, 2.0])
    >>> reg = Lasso(alpha=0.1).fit(X, y)
    >>> np.round(reg.coef_, 6), round(reg.intercept_, 6)
    (array([0.85, 0.  ]), 0.15)
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, positive=False, tol=1e-8,
                 max_iter=None, rule="gs-q", active_set_newton=True, warm_start=False):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.positive = positive
        self.tol = tol
        self.max_iter = max_iter
        self.rule = rule
        self.active_set_newton = active_set_newton
        self.warm_start = warm_start

    def _penalty(self, params):
        return problems.L1(params["alpha"], positive=_check_bool(self, "positive"))

    def _bcd_kwargs(self):
        return dict(rule=self.rule, active_set_newton=_check_bool(self, "active_set_newton"))


class ElasticNet(_BCDRegressor):
    """Elastic net regression solved by greedy block coordinate descent.

    Minimizes, as :class:`sklearn.linear_model.ElasticNet` does,

        ``||y - X w - b||_2^2 / (2 n_samples) + alpha * l1_ratio * ||w||_1
        + alpha * (1 - l1_ratio) / 2 * ||w||_2^2``

    with :func:`solvers.bcd` on :class:`problems.LeastSquares` and
    :class:`problems.ElasticNet` (Newton steps on the identified active set are on).

    Parameters
    ----------
    alpha : float, default 1.0
        Overall penalty strength, >= 0.
    l1_ratio : float, default 0.5
        Mix in [0, 1]: 1 is the lasso, 0 ridge.
    fit_intercept : bool, default True
        Fit an unpenalized intercept (exactly: see the module notes on intercepts).
    tol : float, default 1e-8
        Stop when the joint duality gap is at most ``tol * ||y - mean(y)||^2 / n_samples``.
    max_iter : int, optional
        Budget of coordinate updates over the whole fit (default: ``solvers.bcd``'s).
    rule : str, default "gs-q"
        Block selection rule of :func:`solvers.bcd`.
    warm_start : bool, default False
        Start from the previous ``coef_`` / ``intercept_`` when refitting.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Present when ``X`` has string feature names.
    n_iter_ : int
        Coordinate updates made by :func:`solvers.bcd` over the fit (at least 1).
    dual_gap_ : float
        Duality gap of the joint problem at the solution.

    See Also
    --------
    Lasso : The pure L1 penalty.
    sklearn.linear_model.ElasticNet : The same model, cyclic coordinate descent.

    References
    ----------
    J. Nutini, I. Laradji, M. Schmidt, "Let's Make Block Coordinate Descent Converge Faster:
    Faster Greedy Rules, Message-Passing, Active-Set Complexity, and Superlinear
    Convergence", Journal of Machine Learning Research 23(131):1-74, 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from solvers.interfaces import ElasticNet
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]]); y = np.array([0.0, 1.0, 2.0])
    >>> ElasticNet(alpha=0.1, l1_ratio=0.7).fit(X, y).predict(X).shape
    (3,)
    """

    def __init__(self, alpha=1.0, l1_ratio=0.5, *, fit_intercept=True, tol=1e-8,
                 max_iter=None, rule="gs-q", warm_start=False):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.rule = rule
        self.warm_start = warm_start

    def _penalty(self, params):
        l1_ratio = _check_real(self, "l1_ratio", lower=0.0, upper=1.0)
        return problems.ElasticNet(params["alpha"], l1_ratio)

    def _bcd_kwargs(self):
        return dict(rule=self.rule, active_set_newton=True)


# --------------------------------------------------------------------------------------------
# sparse logistic regression
# --------------------------------------------------------------------------------------------

def _logistic_loss(z, y):
    return float(np.mean(np.logaddexp(0.0, -y * z)))


def _best_logistic_intercept(z, y, b):
    """``argmin_b (1/n) sum_i log(1 + exp(-y_i (z_i + b)))`` by damped 1-D Newton (the
    minimizer exists when both labels occur)."""
    b = float(b)
    for _ in range(100):
        s = expit(-y * (z + b))                  # sigma(-m_i)
        g = -float(np.mean(y * s))               # phi'(b)
        hess = float(np.mean(s * (1.0 - s)))     # phi''(b)
        if abs(g) <= 1e-15:
            break
        step = -g / max(hess, 1e-300)
        phi0 = _logistic_loss(z + b, y)
        t = 1.0
        while t > 1e-20:
            if _logistic_loss(z + b + t * step, y) <= phi0 + 1e-4 * t * g * step:
                break
            t *= 0.5
        b_new = b + t * step
        if b_new == b:
            break
        b = b_new
    return b


class _BinaryLinearClassifier:
    """Prediction side of the binary linear classifiers (``coef_`` of shape (1, p),
    ``intercept_`` of shape (1,), ``classes_`` of two labels), shared by
    :class:`SparseLogisticRegression` and the MCP logistic regression of
    :mod:`solvers.interfaces.sklearn_nonconvex`."""

    def decision_function(self, X):
        """Signed score ``X @ coef_.T + intercept_`` (positive means ``classes_[1]``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            The signed distances (in logit units) to the decision boundary.
        """
        check_is_fitted(self)
        X = _validate_data(self, X, accept_sparse=_ACCEPT_SPARSE, dtype=np.float64, reset=False)
        return np.asarray(X @ self.coef_[0]).ravel() + self.intercept_[0]

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Entries of ``classes_``.
        """
        d = self.decision_function(X)
        return self.classes_[(d > 0).astype(int)]

    def predict_proba(self, X):
        """Class probabilities ``[1 - sigma(d), sigma(d)]`` with ``d`` the decision function.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, 2)
            Columns in the order of ``classes_``.
        """
        d = self.decision_function(X)
        return np.column_stack([expit(-d), expit(d)])

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba` (computed stably).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, 2)
            Columns in the order of ``classes_``.
        """
        d = self.decision_function(X)
        return np.column_stack([-np.logaddexp(0.0, d), -np.logaddexp(0.0, -d)])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_class = False
        return tags

    def _more_tags(self):  # scikit-learn < 1.6
        return {"binary_only": True}


class SparseLogisticRegression(_BinaryLinearClassifier, ClassifierMixin, BaseEstimator):
    """L1-penalized binary logistic regression solved by greedy block coordinate descent.

    Minimizes

        ``(1/n) sum_i log(1 + exp(-y_i (x_i^T w + b))) + alpha * ||w||_1``

    with labels ``y_i`` in {-1, +1} (``classes_[0]`` maps to -1, ``classes_[1]`` to +1) and the
    intercept ``b`` unpenalized. It is the problem of
    ``sklearn.linear_model.LogisticRegression(l1_ratio=1.0, C=1 / (n_samples * alpha))`` (with
    the ``saga`` solver, which does not penalize the intercept). Solved with
    :func:`solvers.bcd` on :class:`problems.Logistic` and :class:`problems.L1`; the intercept
    is profiled out (module notes).

    Parameters
    ----------
    alpha : float, default 1.0
        Strength of the L1 penalty, >= 0 (the problem has no solution for alpha = 0 on
        separable data).
    fit_intercept : bool, default True
        Fit an unpenalized intercept.
    tol : float, default 1e-8
        Stop when the duality gap of the joint problem is at most ``tol`` (the objective is
        at most ``log 2`` at the start, so no rescaling is needed).
    max_iter : int, optional
        Budget of coordinate updates over the whole fit (default: ``solvers.bcd``'s).
    rule : str, default "gs-q"
        Block selection rule of :func:`solvers.bcd`.
    update : {"newton", "matrix", "gradient"}, default "newton"
        Coordinate update of :func:`solvers.bcd` (``"newton"``: proximal Newton steps on the
        working set with a line search).
    warm_start : bool, default False
        Start from the previous ``coef_`` / ``intercept_`` when refitting.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels; ``classes_[1]`` is the positive class.
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Present when ``X`` has string feature names.
    n_iter_ : int
        Coordinate updates made by :func:`solvers.bcd` over the fit (at least 1).
    dual_gap_ : float
        Duality gap of the joint problem in ``(w, b)`` at the solution.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : With ``l1_ratio=1`` and ``solver="saga"``, the
        same model.

    References
    ----------
    J. Nutini, I. Laradji, M. Schmidt, "Let's Make Block Coordinate Descent Converge Faster:
    Faster Greedy Rules, Message-Passing, Active-Set Complexity, and Superlinear
    Convergence", Journal of Machine Learning Research 23(131):1-74, 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from solvers.interfaces import SparseLogisticRegression
    >>> X = np.array([[-2.0, 0.1], [-1.0, 0.3], [1.0, 0.2], [2.0, 0.0], [0.5, 0.1], [-0.5, 0.0]])
    >>> y = np.array(["no", "no", "yes", "yes", "no", "yes"])
    >>> clf = SparseLogisticRegression(alpha=0.05).fit(X, y)
    >>> clf.predict([[3.0, 0.0]])
    array(['yes'], dtype='<U3')
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, tol=1e-8, max_iter=None,
                 rule="gs-q", update="newton", warm_start=False):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.rule = rule
        self.update = update
        self.warm_start = warm_start

    def fit(self, X, y):
        """Fit the model by greedy block coordinate descent.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; CSR/CSC matrices stay sparse.
        y : array-like of shape (n_samples,)
            Labels of exactly two classes.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        params = _check_common(self)
        X, y = _validate_data(self, X, y, accept_sparse=_ACCEPT_SPARSE, dtype=np.float64)
        check_classification_targets(y)
        y_type = type_of_target(y, input_name="y", raise_unknown=True)
        if y_type != "binary":
            raise ValueError("Only binary classification is supported. The type of the target "
                             f"is {y_type}; {type(self).__name__} needs exactly 2 classes.")
        classes = np.unique(y)
        if classes.size != 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of exactly 2 classes; got {classes.size} "
                f"class: {classes.tolist()}")
        self.classes_ = classes
        ypm = np.where(y == classes[1], 1.0, -1.0)
        n, p = X.shape
        penalty = problems.L1(params["alpha"])
        kwargs = dict(rule=self.rule, update=self.update, active_set_newton=True)
        tol = params["tol"]
        budget = _Budget(params["max_iter"])

        w0 = b0 = None
        if params["warm_start"] and getattr(self, "coef_", None) is not None \
                and np.shape(self.coef_) == (1, p):
            w0 = np.array(self.coef_, dtype=np.float64).ravel()
            b0 = float(self.intercept_[0])
        if params["fit_intercept"]:
            # Dense X is centered: X w + b = (X - mean) w + (b + mean @ w) is the same model
            # (the penalty does not see b), better conditioned and with the intercept nearly
            # decoupled from w, so the rounds below take few steps. Sparse X stays as it is.
            if sp.issparse(X):
                x_mean, Xs = np.zeros(p), X
            else:
                x_mean = X.mean(axis=0)
                Xs = X - x_mean

            def solve(b, w_start, left):
                f = problems.Logistic(Xs, ypm, offset=b)
                return bcd(f, penalty, x0=w_start, tol=_INNER_TOL_FACTOR * tol, max_iter=left,
                           random_state=0, **kwargs)

            def best_intercept(w):
                b = _best_logistic_intercept(np.asarray(Xs @ w).ravel(), ypm, b_start[0])
                b_start[0] = b
                return b, duality_gap(problems.Logistic(Xs, ypm, offset=b), penalty, w)

            if w0 is None:
                w0 = np.zeros(p)
            n_pos = float(np.sum(ypm > 0))
            b_start = [np.log(n_pos / (n - n_pos)) if b0 is None else b0 + float(x_mean @ w0)]
            b_first, _ = best_intercept(w0)
            w, b, gap, converged, reason = _fit_profiled(solve, best_intercept, b_first, w0,
                                                         tol, budget)
            b -= float(x_mean @ w)
        else:
            f = problems.Logistic(X, ypm)
            res = bcd(f, penalty, x0=w0, tol=tol, max_iter=params["max_iter"], random_state=0,
                      **kwargs)
            budget.spend(res.nit)
            w, b = np.asarray(res.x, dtype=np.float64), 0.0
            gap = duality_gap(f, penalty, w)
            converged, reason = gap <= tol, res.message
        self.coef_ = w.reshape(1, p)
        self.intercept_ = np.array([float(b)])
        self.n_iter_ = max(budget.used, 1)
        self.dual_gap_ = float(gap)
        if not converged:
            _warn_not_converged(self, gap, tol, reason)
        return self
