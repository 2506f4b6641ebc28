"""Scikit-learn estimators with the folded concave penalties MCP and SCAD, solved by the
nonconvex accelerated gradient of Ghadimi and Lan with the damping of Yang, Asgharian and
Bhatnagar (:func:`solvers.nonconvex_ag`).

:class:`MCPRegression` and :class:`SCADRegression` minimize
``||y - X w - b||^2 / (2 n) + P(w)``, :class:`MCPLogisticRegression` minimizes
``(1/n) sum_i log(1 + exp(-y_i (x_i^T w + b))) + P(w)`` with labels mapped to -1/+1; the
intercept ``b`` is never penalized. It is an extra coordinate of the iterate, left out of
the penalty, so dense and sparse ``X`` are handled alike and never centered or densified
(working sets copy the columns they use).

The problems are nonconvex: the estimators return a stationary point (the largest KKT
distance below ``tol``) reached from ``w = 0`` (or from the previous fit with
``warm_start``). By default they solve on working sets (``working_set=True``), which on
problems with more features than samples reach sparse stationary points of much lower
objective than the full-gradient method from zero.
"""
from __future__ import annotations

import functools
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import check_classification_targets, type_of_target

import problems

from ..proximal.nonconvex_ag import DAMPINGS, nonconvex_ag
from .sklearn import (
    _ACCEPT_SPARSE, _BinaryLinearClassifier, _check_bool, _check_max_iter, _check_real,
    _linear_predict, _validate_data,
)

__all__ = ["MCPLogisticRegression", "MCPRegression", "SCADRegression"]


class _JointFit:
    """The data fit over ``v = [w, b]`` (or ``v = w`` without intercept).

    ``lipschitz`` bounds that of the gradient by ``sup loss'' (||X||_2^2 + n) / n`` (the
    intercept adds a column of ones to X). For working sets, the intercept is in every set
    (``working_set_keep``) and :meth:`restrict` gives the fit on the chosen columns of X plus
    a column of ones, as a :class:`problems.LeastSquares` / :class:`problems.Logistic` (so the
    compiled inner solver and the warm Lipschitz estimate apply).
    """

    def __init__(self, X, y, loss, fit_intercept):
        self.X, self.y, self.loss = X, y, loss
        self.n, p = X.shape
        self.fit_intercept = fit_intercept
        self.shape = (p + 1,) if fit_intercept else (p,)

    @property
    def _fit_class(self):
        return problems.LeastSquares if self.loss == "squared" else problems.Logistic

    @functools.cached_property
    def lipschitz(self):
        """Computed on first use only: working sets never ask the whole fit for it."""
        curvature = 1.0 if self.loss == "squared" else 0.25
        extra = curvature if self.fit_intercept else 0.0
        return float(self._fit_class(self.X, self.y).lipschitz) + extra

    def gram_design(self):
        """``(X, y, n, intercept)`` for the working sets' Gram cache (least squares only):
        the restricted fits then take the Gram form ``v^T G v / 2 - c^T v`` with the
        intercept's row of column means."""
        return (self.X, self.y, self.n, self.fit_intercept) if self.loss == "squared" else None

    @property
    def working_set_keep(self):
        """The intercept's index, which every working set contains."""
        return np.array([self.X.shape[1]]) if self.fit_intercept else None

    def restrict(self, columns):
        """The fit on ``v[columns]`` (sorted; the intercept, index ``n_features``, last), the
        other coordinates held at zero: the chosen columns of X (a copy; X is never modified
        or densified) plus a column of ones for the intercept."""
        cols = np.asarray(columns)
        p = self.X.shape[1]
        has_b = self.fit_intercept and cols.size > 0 and int(cols[-1]) == p
        XW = self.X[:, cols[:-1] if has_b else cols]
        if has_b:
            ones = np.ones((self.n, 1))
            XW = sp.hstack([XW, sp.csc_matrix(ones)], format="csc") if sp.issparse(XW) \
                else np.hstack([XW, ones])
        return self._fit_class(XW, self.y)

    def _split(self, v):
        return (v[:-1], float(v[-1])) if self.fit_intercept else (v, 0.0)

    def value_and_grad(self, v):
        w, b = self._split(v)
        z = np.asarray(self.X @ w).ravel() + b
        if self.loss == "squared":
            r = z - self.y
            val = 0.5 * float(r @ r) / self.n
            d = r / self.n
        else:
            m = -self.y * z
            val = float(np.logaddexp(0.0, m).sum()) / self.n
            d = -self.y * expit(m) / self.n
        gw = np.asarray(self.X.T @ d).ravel()
        return val, (np.append(gw, d.sum()) if self.fit_intercept else gw)

    def value(self, v):
        return self.value_and_grad(v)[0]

    def grad(self, v):
        return self.value_and_grad(v)[1]


class _AllButLast:
    """A folded concave penalty on all coordinates but the last (the intercept)."""

    separable = True  # coordinate-wise: working sets may restrict it (the intercept kept last)
    unpenalized_last = True  # read by nonconvex_ag's compiled loop

    def __init__(self, base):
        self.base = base
        self.l1_part = base.l1_part
        self.concave_part_lipschitz = base.concave_part_lipschitz
        self.folded_concave_params = base.folded_concave_params

    def value(self, v):
        return self.base.value(v[:-1])

    def split_prox(self, v, step):
        return np.append(self.base.split_prox(v[:-1], step), v[-1])

    def concave_part_grad(self, v):
        return np.append(self.base.concave_part_grad(v[:-1]), 0.0)

    def subdiff_distance(self, v, grad):
        return np.append(self.base.subdiff_distance(v[:-1], grad[:-1]), abs(grad[-1]))


def _fit(est, X, y, loss, penalty, coef_shape):
    """Shared fit: validate the common parameters, solve, store the attributes."""
    fit_intercept = _check_bool(est, "fit_intercept")
    warm_start = _check_bool(est, "warm_start")
    tol = _check_real(est, "tol", lower=0.0)
    max_iter = _check_max_iter(est)
    if est.damping not in DAMPINGS:
        raise ValueError(f"{type(est).__name__}: damping must be one of {DAMPINGS}, got "
                         f"{est.damping!r}")
    working_set = _check_bool(est, "working_set")
    if working_set and not fit_intercept:  # the plain fit: Gram form for least squares
        f = problems.LeastSquares(X, y) if loss == "squared" else problems.Logistic(X, y)
    else:
        f = _JointFit(X, y, loss, fit_intercept)
    g = _AllButLast(penalty) if fit_intercept else penalty
    x0 = None
    if warm_start and getattr(est, "coef_", None) is not None \
            and np.shape(est.coef_) == coef_shape:
        w = np.asarray(est.coef_, dtype=np.float64).ravel()
        x0 = np.append(w, float(np.ravel(est.intercept_)[0])) if fit_intercept else w
    res = nonconvex_ag(f, g, x0=x0, damping=est.damping, tol=tol,
                       max_iter=10_000 if max_iter is None else max_iter,
                       working_set=working_set)
    v = np.asarray(res.x, dtype=np.float64)
    w, b = (v[:-1], float(v[-1])) if fit_intercept else (v, 0.0)
    est.n_iter_ = max(int(res.nit), 1)
    est.stationarity_ = float(res.history.measure[-1])
    if not res.success:
        warnings.warn(
            f"{type(est).__name__} did not converge: stationarity {est.stationarity_:.3e} "
            f"> tol {tol:.3e} after {est.n_iter_} iterations ({res.message}). Increase "
            "max_iter, loosen tol, or scale the features.", ConvergenceWarning, stacklevel=3)
    return w, b


class _NonconvexRegressor(RegressorMixin, BaseEstimator):
    """Shared fit / predict of the penalized least-squares estimators."""

    def _penalty(self, alpha):
        raise NotImplementedError

    def fit(self, X, y):
        """Fit the model by the nonconvex accelerated gradient method.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; CSR/CSC matrices stay sparse.
        y : array-like of shape (n_samples,)
            Target values.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        penalty = self._penalty(_check_real(self, "alpha", lower=0.0))
        X, y = _validate_data(self, X, y, accept_sparse=_ACCEPT_SPARSE, dtype=np.float64,
                              y_numeric=True, multi_output=False)
        y = np.asarray(y, dtype=np.float64)
        w, b = _fit(self, X, y, "squared", penalty, (X.shape[1],))
        self.coef_ = w
        self.intercept_ = b
        return self

    def predict(self, X):
        """Predict with the linear model ``X @ coef_ + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        return _linear_predict(self, X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class MCPRegression(_NonconvexRegressor):
    """Least squares with the minimax concave penalty (Zhang 2010).

    Minimizes ``||y - X w - b||^2 / (2 n_samples) + sum_j MCP(w_j; alpha, gamma)`` (the
    objective of ``skglm.MCPRegression``) by :func:`solvers.nonconvex_ag`.

    Parameters
    ----------
    alpha : float, default 1.0
        Penalty strength, >= 0.
    gamma : float, default 3.0
        Concavity, > 1.
    fit_intercept : bool, default True
        Fit an unpenalized intercept.
    tol : float, default 1e-6
        Stop when the stationarity measure of :func:`solvers.nonconvex_ag` (the largest KKT
        distance with working sets, else the gradient mapping) is at most ``tol``.
    max_iter : int, optional
        Iteration budget (default 10,000).
    damping : {"optimal", "ghadimi-lan"}, default "optimal"
        Parameter setting of the accelerated gradient method.
    working_set : bool, default True
        Solve on working sets (the support, the intercept and the worst KKT violators, grown
        until every coordinate is stationary; ``nonconvex_ag(working_set=True)``). With more
        features than samples this reaches sparse stationary points of much lower objective,
        like coordinate descent, where the full-gradient method from zero stops at dense
        ones; ``tol`` then bounds the largest KKT distance.
    warm_start : bool, default False
        Start from the previous solution when refitting.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_iter_ : int
    stationarity_ : float
        The final stationarity measure (largest KKT distance, or gradient mapping norm
        without working sets).
    n_features_in_ : int

    References
    ----------
    C.-H. Zhang, Annals of Statistics 38(2), 2010. K. Yang, M. Asgharian, S. Bhatnagar,
    Statistics and Computing 34, 2024.

    Examples
    --------
    >>> import numpy as np
    >>> from solvers.interfaces import MCPRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((80, 10)); y = 2 * X[:, 0] + 1
    >>> reg = MCPRegression(alpha=0.1).fit(X, y)
    >>> np.round(reg.coef_[:2], 3), round(reg.intercept_, 3)
    (array([2., 0.]), 1.0)
    """

    def __init__(self, alpha=1.0, gamma=3.0, *, fit_intercept=True, tol=1e-6, max_iter=None,
                 damping="optimal", working_set=True, warm_start=False):
        self.alpha = alpha
        self.gamma = gamma
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.damping = damping
        self.working_set = working_set
        self.warm_start = warm_start

    def _penalty(self, alpha):
        return problems.MCP(alpha, gamma=_check_real(self, "gamma"))


class SCADRegression(_NonconvexRegressor):
    """Least squares with the SCAD penalty (Fan and Li 2001).

    Minimizes ``||y - X w - b||^2 / (2 n_samples) + sum_j SCAD(w_j; alpha, a)`` by
    :func:`solvers.nonconvex_ag`.

    Parameters
    ----------
    alpha : float, default 1.0
        Penalty strength, >= 0.
    a : float, default 3.7
        Shape, > 2.
    fit_intercept : bool, default True
    tol : float, default 1e-6
        Stop when the stationarity measure (see ``working_set``) is at most ``tol``.
    max_iter : int, optional
        Iteration budget (default 10,000).
    damping : {"optimal", "ghadimi-lan"}, default "optimal"
    working_set : bool, default True
        Solve on working sets (as :class:`MCPRegression`).
    warm_start : bool, default False

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_iter_ : int
    stationarity_ : float
    n_features_in_ : int

    References
    ----------
    J. Fan and R. Li, JASA 96(456), 2001. K. Yang, M. Asgharian, S. Bhatnagar, Statistics and
    Computing 34, 2024.

    Examples
    --------
    >>> import numpy as np
    >>> from solvers.interfaces import SCADRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((80, 10)); y = 2 * X[:, 0]
    >>> np.round(SCADRegression(alpha=0.1).fit(X, y).coef_[:2], 3)
    array([2., 0.])
    """

    def __init__(self, alpha=1.0, a=3.7, *, fit_intercept=True, tol=1e-6, max_iter=None,
                 damping="optimal", working_set=True, warm_start=False):
        self.alpha = alpha
        self.a = a
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.damping = damping
        self.working_set = working_set
        self.warm_start = warm_start

    def _penalty(self, alpha):
        return problems.SCAD(alpha, a=_check_real(self, "a"))


class MCPLogisticRegression(_BinaryLinearClassifier, ClassifierMixin, BaseEstimator):
    """Binary logistic regression with the minimax concave penalty.

    Minimizes ``(1/n) sum_i log(1 + exp(-y_i (x_i^T w + b))) + sum_j MCP(w_j; alpha, gamma)``
    with ``y_i = +1`` for ``classes_[1]`` and -1 for ``classes_[0]``, by
    :func:`solvers.nonconvex_ag`.

    Parameters
    ----------
    alpha : float, default 1.0
        Penalty strength, >= 0.
    gamma : float, default 3.0
        Concavity, > 1.
    fit_intercept : bool, default True
    tol : float, default 1e-6
        Stop when the stationarity measure (see ``working_set``) is at most ``tol``.
    max_iter : int, optional
        Iteration budget (default 10,000).
    damping : {"optimal", "ghadimi-lan"}, default "optimal"
    working_set : bool, default True
        Solve on working sets (as :class:`MCPRegression`).
    warm_start : bool, default False

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    n_iter_ : int
    stationarity_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from solvers.interfaces import MCPLogisticRegression
    >>> X = np.array([[-2.0, 0.1], [-1.0, 0.3], [1.0, 0.2], [2.0, 0.0], [0.5, 0.1], [-0.5, 0.0]])
    >>> y = np.array(["no", "no", "yes", "yes", "no", "yes"])
    >>> MCPLogisticRegression(alpha=0.05).fit(X, y).predict([[3.0, 0.0]])
    array(['yes'], dtype='<U3')
    """

    def __init__(self, alpha=1.0, gamma=3.0, *, fit_intercept=True, tol=1e-6, max_iter=None,
                 damping="optimal", working_set=True, warm_start=False):
        self.alpha = alpha
        self.gamma = gamma
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.damping = damping
        self.working_set = working_set
        self.warm_start = warm_start

    def fit(self, X, y):
        """Fit the model by the nonconvex accelerated gradient method.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Labels of exactly two classes.

        Returns
        -------
        self : object
        """
        penalty = problems.MCP(_check_real(self, "alpha", lower=0.0),
                               gamma=_check_real(self, "gamma"))
        X, y = _validate_data(self, X, y, accept_sparse=_ACCEPT_SPARSE, dtype=np.float64)
        check_classification_targets(y)
        y_type = type_of_target(y, input_name="y", raise_unknown=True)
        if y_type != "binary":
            raise ValueError("Only binary classification is supported. The type of the target "
                             f"is {y_type}; {type(self).__name__} needs exactly 2 classes.")
        classes = np.unique(y)
        if classes.size != 2:
            raise ValueError(f"{type(self).__name__} needs samples of exactly 2 classes; got "
                             f"{classes.size} class: {classes.tolist()}")
        self.classes_ = classes
        ypm = np.where(y == classes[1], 1.0, -1.0)
        w, b = _fit(self, X, ypm, "logistic", penalty, (1, X.shape[1]))
        self.coef_ = w.reshape(1, -1)
        self.intercept_ = np.array([b])
        return self
