"""``f(x) + (alpha / 2) ||x||^2``: a smooth part plus a ridge term, itself a smooth part."""
from __future__ import annotations

import numpy as np

from solvers.core.validation import check_scalar, require

from ._linalg import shifted_operator


class Ridge:
    """The smooth part ``f(x) + (alpha / 2) ||x||^2`` (for instance ridge-regularized logistic
    regression, ``Ridge(Logistic(X, y), alpha)``, the test problem of the damped Newton papers).

    Every member of ``f`` that the ridge term changes in closed form is provided: ``value``,
    ``grad``, ``value_and_grad``, ``hvp``, ``hess`` (dense or sparse like ``f.hess``),
    ``curvature_bound``, ``lipschitz`` and ``coordinate_lipschitz`` (each plus ``alpha``);
    members ``f`` lacks raise the usual TypeError naming them.

    Parameters
    ----------
    f : smooth part
        Needs ``value`` and ``grad``; ``hess`` / ``hvp`` for Newton methods.
    alpha : float >= 0
        Ridge strength.

    Examples
    --------
    >>> import numpy as np, problems
    >>> X = np.array([[1.0, 2.0], [0.5, -1.0], [-1.0, 0.3]]); y = np.array([1.0, -1.0, 1.0])
    >>> f = problems.Ridge(problems.Logistic(X, y), alpha=0.1)
    >>> round(f.value(np.zeros(2)), 6)
    0.693147
    """

    def __init__(self, f, alpha):
        require(f, "value", "smooth part f")
        require(f, "grad", "smooth part f")
        self.f = f
        self.alpha = check_scalar(alpha, "alpha", lower=0.0)

    @property
    def shape(self):
        return self.f.shape

    @property
    def dtype(self):
        return getattr(self.f, "dtype", np.float64)

    @property
    def x0(self):
        """``f.x0`` when ``f`` has a starting point (a CUTEst problem), else None."""
        x0 = getattr(self.f, "x0", None)
        return None if x0 is None else x0.copy()

    @property
    def backend(self):
        return getattr(self.f, "backend", None)

    def to(self, backend):
        """A copy with ``f`` moved to ``backend``."""
        return Ridge(require(self.f, "to", "smooth part f")(backend), self.alpha)

    def value(self, x):
        return float(self.f.value(x)) + 0.5 * self.alpha * float(x @ x)

    def grad(self, x):
        return self.f.grad(x) + self.alpha * x

    def value_and_grad(self, x):
        vg = getattr(self.f, "value_and_grad", None)
        v, g = vg(x) if vg is not None else (self.f.value(x), self.f.grad(x))
        return float(v) + 0.5 * self.alpha * float(x @ x), g + self.alpha * x

    def hvp(self, x, v):
        return require(self.f, "hvp", "smooth part f")(x, v) + self.alpha * v

    def hess(self, x):
        return shifted_operator(require(self.f, "hess", "smooth part f")(x), self.alpha)

    @property
    def curvature_bound(self):
        """``f.curvature_bound + alpha I`` (a :class:`~problems._linalg.GramOperator` keeps its
        form with a larger shift)."""
        return shifted_operator(require(self.f, "curvature_bound", "smooth part f"), self.alpha)

    @property
    def lipschitz(self):
        return float(require(self.f, "lipschitz", "smooth part f")) + self.alpha

    @property
    def coordinate_lipschitz(self):
        return require(self.f, "coordinate_lipschitz", "smooth part f") + self.alpha

    def __repr__(self):
        return f"Ridge({self.f!r}, alpha={self.alpha:g})"
