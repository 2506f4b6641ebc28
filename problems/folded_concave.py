"""Folded concave penalties: SCAD and MCP.

Both are ``g(x) = sum_j p(|x_j|)`` with ``p`` concave on ``[0, inf)``, ``p'(0+) = alpha`` (so
small coefficients are shrunk as by the lasso) and ``p' = 0`` beyond a threshold (so large
ones are left unbiased). They are weakly convex: ``p(|t|) + t^2 / (2 rho)`` is convex for
``rho = a - 1`` (SCAD) and ``rho = gamma`` (MCP), hence

* the prox ``argmin_u (u - v)^2 / (2 step) + g(u)`` is single-valued, continuous and has a
  closed form exactly when ``step < rho`` (:attr:`max_step`); a larger step is rejected with
  a ValueError (the 1-D problem is then nonconvex and its minimizer jumps), except by
  ``prox_global``, which returns a global minimizer for any step (coordinate descent's exact
  step on a coordinate of small curvature);
* the split ``g(x) = alpha ||x||_1 + h(x)`` has a smooth concave ``h`` whose gradient is
  ``1 / rho``-Lipschitz (:meth:`concave_part_grad`): the splitting of Yang, Asgharian and
  Bhatnagar, which moves ``h`` into the smooth part so that the prox is soft-thresholding.

Optimality for these nonconvex problems is stationarity, measured by the distance of
``-grad f(x)`` to the (Clarke) subdifferential of ``g`` (:meth:`subdiff_distance`) or by the
norm of the prox-gradient mapping (:func:`solvers.core.prox_grad_mapping_norm`).

References
----------
J. Fan and R. Li, "Variable selection via nonconcave penalized likelihood and its oracle
properties", JASA 96(456), 2001 (SCAD, eq. 2.7 and the thresholding rule 2.8).
C.-H. Zhang, "Nearly unbiased variable selection under minimax concave penalty", Annals of
Statistics 38(2), 2010 (MCP, eq. 2.1 and the firm thresholding of section 2.1).
K. Yang, M. Asgharian, S. Bhatnagar, "Accelerated gradient methods for sparse statistical
learning with nonconvex penalties", Statistics and Computing 34, 2024.
"""
from __future__ import annotations

import numpy as np

from solvers.backend import array_namespace, get_backend
from solvers.core.validation import check_scalar


def _piece_min(a, s, lo, hi, c1, c2, xp):
    """Minimizer over ``u`` in ``[lo, hi]`` of ``(u - a)^2 / (2 s) + c1 u + c2 u^2 / 2``,
    elementwise (``hi`` finite; a concave or flat piece has it at an end)."""
    curv = 1.0 / s + c2
    safe = xp.where(curv > 0, curv, 1.0)
    inner = xp.clip((a / s - c1) / safe, lo, hi)

    def q(u):
        return (u - a) ** 2 / (2 * s) + c1 * u + 0.5 * c2 * u * u

    end = xp.where(q(lo) <= q(hi), lo, hi)
    return xp.where(curv > 0, inner, end)


class _FoldedConcave:
    """Shared members of SCAD and MCP (``p``, ``p'`` and the prox come from subclasses)."""

    #: ``1 / max_step`` is the weak-convexity modulus of ``p``.
    max_step: float

    def value(self, x):
        xp = array_namespace(x)
        return float(self._p(xp.abs(x), xp).sum())

    def elementwise_value(self, x):
        """``p(|x_j|)`` for every coordinate (the penalty is their sum)."""
        xp = array_namespace(x)
        return self._p(xp.abs(x), xp)

    def derivative(self, t):
        """``p'(t)`` for ``t >= 0`` (array), with ``p'(0) = alpha``."""
        return self._dp(t, array_namespace(t))

    def _check_step(self, step):
        step = float(step)
        if not step > 0:
            raise ValueError(f"prox step must be > 0, got {step!r}")
        if step >= self.max_step:
            raise ValueError(
                f"{type(self).__name__} prox needs step < {self.max_step:g} (the inverse of its "
                f"weak-convexity modulus) for a unique, continuous solution; got step={step:g}. "
                "Take a smaller step (a larger Lipschitz estimate).")
        return step

    def prox(self, x, step):
        """Closed-form prox, valid for ``0 < step < max_step`` (else ValueError)."""
        step = self._check_step(step)
        return self._prox(x, step, array_namespace(x))

    def prox_1d(self, value, step, j=None):
        """Prox of one coordinate (``j`` unused: the penalty is separable and uniform)."""
        step = self._check_step(step)
        return float(self._prox(np.asarray(float(value)), step, np)[()])

    def piece_curvature(self, t):
        """``(piece, p'')`` at ``t >= 0`` (array): the index of the quadratic piece of ``p``
        holding each ``t`` (0 at the origin; boundaries belong to the lower piece) and the
        second derivative of ``p`` there. Coordinate descent scores a move that stays in one
        piece by its exact decrease ``(L + p'') d^2 / 2``."""
        return self._pieces(t, array_namespace(t))

    def prox_global(self, v, step):
        """A global minimizer of ``(u - v_j)^2 / (2 step_j) + p(|u|)`` for every coordinate and
        any ``step > 0`` (scalar or one per coordinate).

        Equal to :meth:`prox` for ``step < max_step``. For larger steps the one-coordinate
        problem is nonconvex; its minimizer is the best of the minimizers over the quadratic
        pieces of ``p`` (the smallest ``|u|`` on ties). This is the exact coordinate step of
        coordinate descent when a coordinate's curvature is below the weak-convexity
        modulus ``1 / max_step``.
        """
        xp = array_namespace(v)
        if not bool(xp.all(xp.asarray(step) > 0)):
            raise ValueError("prox step must be > 0")
        s = step + xp.zeros_like(v)
        inside = s < self.max_step
        closed = self._prox(v, xp.where(inside, s, 0.5 * self.max_step), xp)
        if bool(xp.all(inside)):
            return closed
        av = xp.abs(v)
        best, qbest = None, None
        with np.errstate(invalid="ignore"):  # (inf - inf for an infinite v, replaced below)
            for u in self._piece_minimizers(av, s, xp):  # in increasing order of u
                q = (u - av) ** 2 / (2 * s) + self._p(u, xp)
                if best is None:
                    best, qbest = u, q
                else:
                    better = q < qbest
                    best, qbest = xp.where(better, u, best), xp.where(better, q, qbest)
        best = xp.where(xp.isinf(av), av, best)  # (the flat piece: v itself, as prox gives)
        out = xp.where(inside, closed, xp.sign(v) * best)
        return out.astype(v.dtype, copy=False) if v.dtype.kind == "f" else out

    def subdiff_distance(self, x, grad):
        """Distance of ``-grad`` to the Clarke subdifferential of ``g`` at ``x``, per
        coordinate: ``|grad_j + p'(|x_j|) sign(x_j)|`` off zero, ``(|grad_j| - alpha)_+`` at
        zero."""
        xp = array_namespace(x)
        slope = self._dp(xp.abs(x), xp) * xp.sign(x)
        return xp.where(x != 0, xp.abs(grad + slope),
                        xp.maximum(xp.abs(grad) - self.alpha, 0.0))

    def generalized_support(self, x):
        """Boolean mask of the nonzero coordinates."""
        return x != 0

    def alpha_max(self, grad_at_zero):
        """Smallest alpha for which 0 is stationary: ``||grad f(0)||_inf`` (as for the
        lasso, since ``p'(0+) = alpha``)."""
        xp = array_namespace(grad_at_zero)
        return float(xp.abs(grad_at_zero).max())

    # The splitting g = alpha ||.||_1 + h with h smooth and concave.
    @property
    def l1_part(self):
        """``alpha``: the weight of the L1 part in ``g = alpha ||x||_1 + h(x)``."""
        return self.alpha

    def split_prox(self, v, step):
        """Prox of the L1 part, ``alpha ||.||_1``: soft-thresholding at ``alpha * step``
        (any step)."""
        return get_backend(v).kernels.soft_threshold(v, self.alpha * step)

    def concave_part_value(self, x):
        """``h(x) = g(x) - alpha ||x||_1`` (<= 0, concave, smooth)."""
        xp = array_namespace(x)
        t = xp.abs(x)
        return float((self._p(t, xp) - self.alpha * t).sum())

    def concave_part_grad(self, x):
        """``grad h(x) = (p'(|x|) - alpha) sign(x)``, Lipschitz with constant
        :attr:`concave_part_lipschitz`."""
        xp = array_namespace(x)
        return (self._dp(xp.abs(x), xp) - self.alpha) * xp.sign(x)

    @property
    def folded_concave_params(self):
        """``(kind, alpha, shape)``: ``("scad", alpha, a)`` or ``("mcp", alpha, gamma)``, what
        compiled solver loops need to evaluate ``p'`` without calling back into Python."""
        return self._kind, self.alpha, self.a if self._kind == "scad" else self.gamma

    @property
    def concave_part_lipschitz(self):
        """``1 / max_step``: the Lipschitz constant of ``grad h``."""
        return 1.0 / self.max_step


class SCAD(_FoldedConcave):
    """Smoothly clipped absolute deviation penalty (Fan and Li, 2001).

    ``p(t) = alpha t`` for ``t <= alpha``, ``(2 a alpha t - t^2 - alpha^2) / (2 (a - 1))``
    for ``alpha < t <= a alpha`` and ``alpha^2 (a + 1) / 2`` beyond.

    Parameters
    ----------
    alpha : float
        Regularization strength (>= 0).
    a : float, default 3.7
        Shape (> 2); the value recommended by Fan and Li.

    Notes
    -----
    The prox with step ``s < a - 1`` (:attr:`max_step`) is, for ``v`` with ``|v|``:
    ``<= alpha (1 + s)``: soft-thresholding at ``s alpha``; in ``(alpha (1 + s), a alpha]``:
    ``((a - 1) v - sign(v) s a alpha) / (a - 1 - s)``; beyond: ``v``. For ``s = 1`` this is
    Fan and Li's thresholding rule (their eq. 2.8).

    Examples
    --------
    >>> import numpy as np, problems
    >>> problems.SCAD(1.0).prox(np.array([0.5, 1.5, 3.0, 5.0]), 1.0)
    array([0.        , 0.5       , 2.58823529, 5.        ])
    """

    _kind = "scad"

    def __init__(self, alpha, a=3.7):
        self.alpha = check_scalar(alpha, "alpha", lower=0.0)
        a = check_scalar(a, "a")
        if not a > 2:
            raise ValueError(f"SCAD needs a > 2, got a={a!r}")
        self.a = a
        self.max_step = a - 1.0

    def __repr__(self):
        return f"SCAD(alpha={self.alpha:g}, a={self.a:g})"

    def with_alpha(self, alpha):
        """The same shape ``a`` with strength ``alpha`` (for regularization paths)."""
        return SCAD(alpha, a=self.a)

    def _p(self, t, xp):
        lam, a = self.alpha, self.a
        mid = (2 * a * lam * t - t * t - lam * lam) / (2 * (a - 1))
        return xp.where(t <= lam, lam * t, xp.where(t <= a * lam, mid, lam * lam * (a + 1) / 2))

    def _dp(self, t, xp):
        lam, a = self.alpha, self.a
        return xp.where(t <= lam, lam, xp.maximum(a * lam - t, 0.0) / (a - 1))

    def _pieces(self, t, xp):
        lam, a = self.alpha, self.a
        piece = xp.where(t <= lam, 0, xp.where(t <= a * lam, 1, 2))
        return piece, xp.where(piece == 1, -1.0 / (a - 1), 0.0)

    def _piece_minimizers(self, av, s, xp):
        lam, a = self.alpha, self.a
        return (_piece_min(av, s, 0.0, lam, lam, 0.0, xp),
                _piece_min(av, s, lam, a * lam, a * lam / (a - 1), -1.0 / (a - 1), xp),
                xp.maximum(av, a * lam))

    def _prox(self, v, s, xp):
        lam, a = self.alpha, self.a
        av = xp.abs(v)
        sg = xp.sign(v)
        soft = sg * xp.maximum(av - s * lam, 0.0)
        mid = ((a - 1) * v - sg * s * a * lam) / (a - 1 - s)
        return xp.where(av <= lam * (1 + s), soft, xp.where(av <= a * lam, mid, v))


class MCP(_FoldedConcave):
    """Minimax concave penalty (Zhang, 2010).

    ``p(t) = alpha t - t^2 / (2 gamma)`` for ``t <= gamma alpha`` and ``gamma alpha^2 / 2``
    beyond.

    Parameters
    ----------
    alpha : float
        Regularization strength (>= 0).
    gamma : float, default 3.0
        Concavity (> 1); ``gamma -> inf`` gives the lasso.

    Notes
    -----
    The prox with step ``s < gamma`` (:attr:`max_step`) is firm thresholding: 0 for
    ``|v| <= s alpha``, ``sign(v) (|v| - s alpha) / (1 - s / gamma)`` for
    ``s alpha < |v| <= gamma alpha``, and ``v`` beyond.

    Examples
    --------
    >>> import numpy as np, problems
    >>> problems.MCP(1.0, gamma=3.0).prox(np.array([0.5, 2.0, 4.0]), 1.0)
    array([0. , 1.5, 4. ])
    """

    _kind = "mcp"

    def __init__(self, alpha, gamma=3.0):
        self.alpha = check_scalar(alpha, "alpha", lower=0.0)
        gamma = check_scalar(gamma, "gamma")
        if not gamma > 1:
            raise ValueError(f"MCP needs gamma > 1, got gamma={gamma!r}")
        self.gamma = gamma
        self.max_step = gamma

    def __repr__(self):
        return f"MCP(alpha={self.alpha:g}, gamma={self.gamma:g})"

    def with_alpha(self, alpha):
        """The same ``gamma`` with strength ``alpha`` (for regularization paths)."""
        return MCP(alpha, gamma=self.gamma)

    def _p(self, t, xp):
        lam, g = self.alpha, self.gamma
        return xp.where(t <= g * lam, lam * t - t * t / (2 * g), g * lam * lam / 2)

    def _dp(self, t, xp):
        return xp.maximum(self.alpha - t / self.gamma, 0.0)

    def _pieces(self, t, xp):
        piece = xp.where(t <= self.gamma * self.alpha, 0, 1)
        return piece, xp.where(piece == 0, -1.0 / self.gamma, 0.0)

    def _piece_minimizers(self, av, s, xp):
        lam, g = self.alpha, self.gamma
        return (_piece_min(av, s, 0.0, g * lam, lam, -1.0 / g, xp), xp.maximum(av, g * lam))

    def _prox(self, v, s, xp):
        lam, g = self.alpha, self.gamma
        av = xp.abs(v)
        firm = xp.sign(v) * xp.maximum(av - s * lam, 0.0) / (1 - s / g)
        return xp.where(av <= g * lam, firm, v)
