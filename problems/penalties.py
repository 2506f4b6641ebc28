"""Convex penalties ``g``: L1, L2, elastic net, group L1 and box constraints.

Each class implements the penalty protocol of DESIGN section 3: ``value``, ``prox``,
``prox_1d``, ``subdiff_distance``, ``generalized_support`` and, where it exists,
``alpha_max``; the convex ones with a finite conjugate also give ``conjugate`` and
``dual_scale`` for the Fenchel duality gap (:func:`solvers.core.duality_gap`). Penalties hold
scalars only (Box holds its bounds, moved to the iterate's device on use), so one instance
works on both backends.
"""
from __future__ import annotations

import numpy as np

from solvers.backend import array_namespace, get_backend
from solvers.core.validation import check_scalar

# The conjugate of a norm-ball indicator is evaluated after dual rescaling, which lands on the
# ball's boundary up to rounding; this relative slack keeps it finite there.
_BALL_SLACK = 1e-10


def _kernels(x):
    return get_backend(x).kernels


class L1:
    """L1 penalty ``g(x) = alpha * ||x||_1``, optionally restricted to ``x >= 0``.

    Parameters
    ----------
    alpha : float
        Regularization strength, >= 0.
    positive : bool, default False
        Add the constraint ``x >= 0`` (the non-negative lasso of Nutini et al. 2022, and
        scikit-learn's ``positive=True``).

    Examples
    --------
    >>> import numpy as np, problems
    >>> problems.L1(1.0).prox(np.array([-3.0, 0.5, 2.0]), 1.0)
    array([-2.,  0.,  1.])
    """

    def __init__(self, alpha, positive=False):
        self.alpha = check_scalar(alpha, "alpha", lower=0.0)
        if not isinstance(positive, (bool, np.bool_)):
            raise TypeError(f"positive must be True or False, got {positive!r}")
        self.positive = bool(positive)

    def __repr__(self):
        extra = ", positive=True" if self.positive else ""
        return f"L1(alpha={self.alpha:g}{extra})"

    def with_alpha(self, alpha):
        """The same penalty with strength ``alpha`` (for regularization paths)."""
        return L1(alpha, positive=self.positive)

    @property
    def cd_params(self):
        """``(l1, l2, positive)``: the separable form ``l1 |x_j| + l2 x_j^2 / 2`` (+ ``x_j >= 0``)
        that the compiled coordinate kernels know."""
        return self.alpha, 0.0, self.positive

    def value(self, x):
        xp = array_namespace(x)
        if self.positive and bool((x < 0).any()):
            return np.inf
        return self.alpha * float(xp.abs(x).sum())

    def prox(self, x, step):
        """Soft thresholding at ``alpha * step`` (then clipping at 0 when ``positive``)."""
        if self.positive:
            xp = array_namespace(x)
            return xp.maximum(x - self.alpha * step, 0.0)
        return _kernels(x).soft_threshold(x, self.alpha * step)

    def prox_1d(self, value, step, j=None):
        """Prox of one coordinate (``j`` is unused: the penalty is separable and uniform)."""
        t = self.alpha * step
        if self.positive:
            return value - t if value > t else 0.0
        return value - t if value > t else (value + t if value < -t else 0.0)

    def subdiff_distance(self, x, grad):
        """Per-coordinate distance of ``-grad`` to the subdifferential of ``g`` at ``x``."""
        xp = array_namespace(x)
        if self.positive:
            return xp.where(x > 0, xp.abs(grad + self.alpha), xp.maximum(-grad - self.alpha, 0.0))
        return xp.where(x != 0, xp.abs(grad + self.alpha * xp.sign(x)),
                        xp.maximum(xp.abs(grad) - self.alpha, 0.0))

    def generalized_support(self, x):
        """Boolean mask of the nonzero coordinates."""
        return x != 0

    def alpha_max(self, grad_at_zero):
        """Smallest alpha for which 0 is a solution: ``||grad f(0)||_inf``
        (``max(-grad f(0))_+`` when ``positive``)."""
        xp = array_namespace(grad_at_zero)
        if self.positive:
            return max(float((-grad_at_zero).max()), 0.0)
        return float(xp.abs(grad_at_zero).max())

    def _vmax(self, v):
        xp = array_namespace(v)
        if not v.size:
            return 0.0
        return float(v.max()) if self.positive else float(xp.abs(v).max())

    def conjugate(self, v):
        """Indicator of ``{||v||_inf <= alpha}`` (of ``{v <= alpha}`` when ``positive``)."""
        return 0.0 if self._vmax(v) <= self.alpha * (1 + _BALL_SLACK) else np.inf

    def dual_scale(self, v):
        """Largest ``c`` in (0, 1] with ``c v`` in the conjugate's domain."""
        vmax = self._vmax(v)
        return 1.0 if vmax <= self.alpha else self.alpha / vmax


class L2:
    """Squared L2 (ridge) penalty ``g(x) = alpha / 2 * ||x||_2^2``.

    Parameters
    ----------
    alpha : float
        Regularization strength, >= 0.
    """

    def __init__(self, alpha):
        self.alpha = check_scalar(alpha, "alpha", lower=0.0)

    def __repr__(self):
        return f"L2(alpha={self.alpha:g})"

    def with_alpha(self, alpha):
        """The same penalty with strength ``alpha``."""
        return L2(alpha)

    @property
    def cd_params(self):
        """``(l1, l2, positive)`` for the compiled coordinate kernels."""
        return 0.0, self.alpha, False

    def value(self, x):
        return 0.5 * self.alpha * float((x * x).sum())

    def prox(self, x, step):
        """Shrinkage ``x / (1 + alpha * step)``."""
        return x / (1.0 + self.alpha * step)

    def prox_1d(self, value, step, j=None):
        return value / (1.0 + self.alpha * step)

    def subdiff_distance(self, x, grad):
        xp = array_namespace(x)
        return xp.abs(grad + self.alpha * x)

    def generalized_support(self, x):
        return x != 0

    def conjugate(self, v):
        """``||v||^2 / (2 alpha)`` (indicator of {0} when alpha = 0)."""
        sq = float((v * v).sum())
        if self.alpha == 0:
            return 0.0 if sq == 0 else np.inf
        return sq / (2 * self.alpha)

    def dual_scale(self, v):
        if self.alpha > 0:
            return 1.0
        xp = array_namespace(v)
        return 1.0 if float(xp.abs(v).max()) == 0 else 0.0


class ElasticNet:
    """Elastic net ``g(x) = alpha * (l1_ratio ||x||_1 + (1 - l1_ratio) / 2 ||x||_2^2)``.

    The parametrization is scikit-learn's ElasticNet.

    Parameters
    ----------
    alpha : float
        Overall strength, >= 0.
    l1_ratio : float, default 0.5
        Mix in [0, 1]; 1 is the lasso, 0 ridge.
    """

    def __init__(self, alpha, l1_ratio=0.5):
        self.alpha = check_scalar(alpha, "alpha", lower=0.0)
        self.l1_ratio = check_scalar(l1_ratio, "l1_ratio", lower=0.0, upper=1.0)
        self._l1 = self.alpha * self.l1_ratio
        self._l2 = self.alpha * (1.0 - self.l1_ratio)

    def __repr__(self):
        return f"ElasticNet(alpha={self.alpha:g}, l1_ratio={self.l1_ratio:g})"

    def with_alpha(self, alpha):
        """The same penalty with strength ``alpha`` (and the same ``l1_ratio``)."""
        return ElasticNet(alpha, self.l1_ratio)

    @property
    def cd_params(self):
        """``(l1, l2, positive)`` for the compiled coordinate kernels."""
        return self._l1, self._l2, False

    def value(self, x):
        xp = array_namespace(x)
        return self._l1 * float(xp.abs(x).sum()) + 0.5 * self._l2 * float((x * x).sum())

    def prox(self, x, step):
        return _kernels(x).soft_threshold(x, self._l1 * step) / (1.0 + self._l2 * step)

    def prox_1d(self, value, step, j=None):
        t = self._l1 * step
        v = value - t if value > t else (value + t if value < -t else 0.0)
        return v / (1.0 + self._l2 * step)

    def subdiff_distance(self, x, grad):
        xp = array_namespace(x)
        gs = grad + self._l2 * x
        return xp.where(x != 0, xp.abs(gs + self._l1 * xp.sign(x)),
                        xp.maximum(xp.abs(gs) - self._l1, 0.0))

    def generalized_support(self, x):
        return x != 0

    def alpha_max(self, grad_at_zero):
        """Smallest alpha with 0 a solution: ``||grad f(0)||_inf / l1_ratio``."""
        if self.l1_ratio == 0:
            raise ValueError("alpha_max is infinite for l1_ratio = 0 (ridge)")
        xp = array_namespace(grad_at_zero)
        return float(xp.abs(grad_at_zero).max()) / self.l1_ratio

    def conjugate(self, v):
        """``sum_j (|v_j| - alpha l1_ratio)_+^2 / (2 alpha (1 - l1_ratio))``."""
        xp = array_namespace(v)
        if self._l2 == 0:
            vmax = float(xp.abs(v).max()) if v.size else 0.0
            return 0.0 if vmax <= self._l1 * (1 + _BALL_SLACK) else np.inf
        excess = xp.maximum(xp.abs(v) - self._l1, 0.0)
        return float((excess * excess).sum()) / (2 * self._l2)

    def dual_scale(self, v):
        if self._l2 > 0:
            return 1.0
        xp = array_namespace(v)
        vmax = float(xp.abs(v).max()) if v.size else 0.0
        return 1.0 if vmax <= self._l1 else (self._l1 / vmax if vmax > 0 else 1.0)


class Box:
    """Indicator of the box ``lower <= x <= upper`` (projection as prox).

    Parameters
    ----------
    lower, upper : float or array
        Bounds (``-inf`` / ``inf`` allowed); ``lower <= upper`` elementwise.
    """

    def __init__(self, lower=-np.inf, upper=np.inf):
        lo = np.asarray(get_backend(lower).to_host(lower), dtype=np.float64)
        hi = np.asarray(get_backend(upper).to_host(upper), dtype=np.float64)
        if np.isnan(lo).any() or np.isnan(hi).any():
            raise ValueError("lower and upper must not contain NaN")
        if np.any(lo > hi):
            raise ValueError("lower must be <= upper elementwise")
        self.lower, self.upper = lo, hi
        self._on_device = {}

    def __repr__(self):
        return f"Box(lower={self.lower if self.lower.ndim == 0 else '...'}, upper={self.upper if self.upper.ndim == 0 else '...'})"

    def _bounds(self, x):
        bk = get_backend(x)
        if bk.name == "cpu" or self.lower.ndim == 0:
            return (self.lower, self.upper) if self.lower.ndim else (float(self.lower), float(self.upper))
        if bk.name not in self._on_device:
            self._on_device[bk.name] = (bk.to_device(self.lower), bk.to_device(self.upper))
        return self._on_device[bk.name]

    def value(self, x):
        """0 inside the box (up to 1e-12 relative), inf outside."""
        xp = array_namespace(x)
        lo, hi = self._bounds(x)
        tol = 1e-12 * (1.0 + xp.abs(x))
        inside = bool(((x >= lo - tol) & (x <= hi + tol)).all())
        return 0.0 if inside else np.inf

    def prox(self, x, step=None):
        """Projection onto the box (``step`` is irrelevant for an indicator)."""
        xp = array_namespace(x)
        lo, hi = self._bounds(x)
        return xp.minimum(xp.maximum(x, lo), hi)

    def prox_1d(self, value, step, j=None):
        lo = float(self.lower if self.lower.ndim == 0 else self.lower[j])
        hi = float(self.upper if self.upper.ndim == 0 else self.upper[j])
        return min(max(value, lo), hi)

    def subdiff_distance(self, x, grad):
        """Distance of ``-grad`` to the normal cone of the box at ``x``."""
        xp = array_namespace(x)
        lo, hi = self._bounds(x)
        at_lo = x <= lo
        at_hi = x >= hi
        d = xp.abs(grad)
        d = xp.where(at_lo & ~at_hi, xp.maximum(-grad, 0.0), d)
        d = xp.where(at_hi & ~at_lo, xp.maximum(grad, 0.0), d)
        return xp.where(at_lo & at_hi, 0.0, d)

    def generalized_support(self, x):
        """Mask of the coordinates strictly inside their bounds."""
        lo, hi = self._bounds(x)
        return (x > lo) & (x < hi)


class GroupL1:
    """Group lasso penalty ``g(x) = alpha * sum_g w_g ||x_g||_2`` over a partition of the
    features into groups.

    Parameters
    ----------
    alpha : float
        Regularization strength, >= 0.
    groups : int, sequence of index arrays, or integer label array
        The partition: an int ``k`` for contiguous groups of ``k`` features (the last may be
        shorter; needs ``n_features``), a list of disjoint index arrays covering
        ``0..n_features-1``, or an array (or list) of one integer group label per feature.
    weights : array, optional
        ``w_g > 0`` per group (default 1; ``sqrt(|g|)`` is the other common choice).
    n_features : int, optional
        Number of features; needed with an int ``groups``, checked otherwise.

    Notes
    -----
    The prox is block soft-thresholding, ``x_g max(0, 1 - step alpha w_g / ||x_g||)``; it is
    not separable by coordinate, so there is no coordinate prox (``prox_1d``): coordinate
    methods need blocks equal to the groups. The conjugate is the indicator of
    ``{||v_g|| <= alpha w_g for all g}``, which gives the duality gap.

    References
    ----------
    M. Yuan and Y. Lin, "Model selection and estimation in regression with grouped variables",
    J. R. Stat. Soc. B 68(1), 2006.
    """

    def __init__(self, alpha, groups, weights=None, n_features=None):
        self.alpha = check_scalar(alpha, "alpha", lower=0.0)
        labels = _group_labels(groups, n_features)
        self.labels = labels
        self.n_groups = int(labels.max()) + 1 if labels.size else 0
        self.n_features = labels.size
        self.groups = [np.flatnonzero(labels == k) for k in range(self.n_groups)]
        if weights is None:
            w = np.ones(self.n_groups)
        else:
            w = weights if isinstance(weights, np.ndarray) else \
                (get_backend(weights).to_host(weights) if hasattr(weights, "__cuda_array_interface__")
                 else weights)
            w = np.asarray(w, dtype=np.float64).ravel()
            if w.shape != (self.n_groups,):
                raise ValueError(f"weights must have one entry per group ({self.n_groups}), "
                                 f"got shape {w.shape}")
            if not np.all(np.isfinite(w)) or np.any(w <= 0):
                raise ValueError("group weights must be finite and > 0")
        self.weights = w
        self._on_device = {}

    def __repr__(self):
        return f"GroupL1(alpha={self.alpha:g}, n_groups={self.n_groups})"

    def with_alpha(self, alpha):
        """The same groups and weights with strength ``alpha``."""
        return GroupL1(alpha, self.labels, weights=self.weights)

    def _arrays(self, x):
        """``(labels, weights)`` on ``x``'s device."""
        if x.shape[0] != self.n_features:
            raise ValueError(f"GroupL1 was built for {self.n_features} features, got an "
                             f"array of length {x.shape[0]}")
        bk = get_backend(x)
        if bk.name == "cpu":
            return self.labels, self.weights
        if bk.name not in self._on_device:
            self._on_device[bk.name] = (bk.to_device(self.labels), bk.to_device(self.weights))
        return self._on_device[bk.name]

    def group_norms(self, x):
        """``||x_g||_2`` for every group."""
        xp = array_namespace(x)
        labels, _ = self._arrays(x)
        sq = xp.zeros(self.n_groups, dtype=x.dtype)
        if xp is np:
            np.add.at(sq, labels, x * x)
        else:
            sq = xp.bincount(labels, weights=x * x, minlength=self.n_groups)
        return xp.sqrt(sq)

    def value(self, x):
        _, w = self._arrays(x)
        return self.alpha * float((w * self.group_norms(x)).sum())

    def prox(self, x, step):
        """Block soft-thresholding at ``step * alpha * w_g`` (``step > 0``)."""
        if np.ndim(step) == 0 and not float(step) > 0:
            raise ValueError(f"prox step must be > 0, got {step!r}")
        xp = array_namespace(x)
        labels, w = self._arrays(x)
        norms = self.group_norms(x)
        t = step * self.alpha * w
        scale = xp.where(norms > t, 1.0 - t / xp.where(norms > 0, norms, 1.0), 0.0)
        return x * scale[labels]

    def subdiff_distance(self, x, grad):
        """Per-coordinate residual of ``-grad`` to the subdifferential, whose Euclidean norm
        over a group is that group's distance: ``grad_g + alpha w_g x_g / ||x_g||`` off zero,
        ``grad_g (1 - alpha w_g / ||grad_g||)_+`` at zero (in absolute value)."""
        xp = array_namespace(x)
        labels, w = self._arrays(x)
        xn = self.group_norms(x)
        gn = self.group_norms(grad)
        r = self.alpha * w
        on = (xn > 0)[labels]
        active = grad + (r / xp.where(xn > 0, xn, 1.0))[labels] * x
        shrink = xp.maximum(1.0 - r / xp.where(gn > 0, gn, 1.0), 0.0)
        shrink = xp.where(gn > r, shrink, 0.0)
        return xp.abs(xp.where(on, active, grad * shrink[labels]))

    def generalized_support(self, x):
        """Mask of the coordinates whose group is nonzero."""
        labels, _ = self._arrays(x)
        return (self.group_norms(x) > 0)[labels]

    def alpha_max(self, grad_at_zero):
        """Smallest alpha with 0 a solution: ``max_g ||grad_g f(0)|| / w_g``."""
        _, w = self._arrays(grad_at_zero)
        return float((self.group_norms(grad_at_zero) / w).max())

    def conjugate(self, v):
        """Indicator of ``{||v_g|| <= alpha w_g for every group}``."""
        _, w = self._arrays(v)
        ok = bool((self.group_norms(v) <= self.alpha * w * (1 + _BALL_SLACK)).all())
        return 0.0 if ok else np.inf

    def dual_scale(self, v):
        """Largest ``c`` in (0, 1] with ``c v`` in the conjugate's domain."""
        _, w = self._arrays(v)
        ratio = float((self.group_norms(v) / w).max()) if self.n_groups else 0.0
        return 1.0 if ratio <= self.alpha else self.alpha / ratio


def _group_labels(groups, n_features):
    """One group label per feature (0..n_groups-1), checking that ``groups`` partitions
    the features."""
    if isinstance(groups, (int, np.integer)) and not isinstance(groups, bool):
        if groups < 1:
            raise ValueError(f"group size must be >= 1, got {groups}")
        if n_features is None:
            raise ValueError("an int group size needs n_features")
        return np.arange(int(n_features)) // int(groups)
    if isinstance(groups, (list, tuple)) and groups and all(
            isinstance(g, (int, np.integer)) and not isinstance(g, bool) for g in groups):
        groups = np.asarray(groups, dtype=np.int64)  # one label per feature, not index arrays
    if isinstance(groups, np.ndarray) and groups.ndim == 1 and groups.dtype.kind == "f":
        raise TypeError("group labels must be integers (one per feature), got an array of "
                        f"dtype {groups.dtype}")
    if isinstance(groups, np.ndarray) and groups.ndim == 1 and groups.dtype.kind in "iu":
        raw = groups.astype(np.int64)
        if n_features is not None and raw.size != n_features:
            raise ValueError(f"group labels must have one entry per feature ({n_features}), "
                             f"got {raw.size}")
        _, labels = np.unique(raw, return_inverse=True)
        return labels.astype(np.int64)
    try:
        parts = [np.asarray(g, dtype=np.int64).ravel() for g in groups]
    except (TypeError, ValueError) as exc:
        raise TypeError("groups must be an int, a label array or a sequence of index "
                        "arrays") from exc
    if not parts:
        raise ValueError("groups must not be empty")
    total = sum(p.size for p in parts)
    size = int(n_features) if n_features is not None else total
    allidx = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    if allidx.size and (allidx.min() < 0 or allidx.max() >= size):
        raise ValueError(f"group indices must lie in 0..{size - 1}")
    counts = np.bincount(allidx, minlength=size)
    if np.any(counts > 1):
        raise ValueError(f"groups must be disjoint: feature(s) {np.flatnonzero(counts > 1)[:5]} "
                         "appear in more than one group")
    if np.any(counts == 0):
        raise ValueError(f"groups must cover every feature: feature(s) "
                         f"{np.flatnonzero(counts == 0)[:5]} are in no group")
    labels = np.empty(size, dtype=np.int64)
    for k, p in enumerate(parts):
        if p.size == 0:
            raise ValueError(f"group {k} is empty")
        labels[p] = k
    return labels
