"""Hock-Schittkowski, BT and other small equality-constrained problems of CUTEst, written natively (see :class:`EqualityCUTEstProblem`).

Each class is the CUTEst SIF file of the same name (S2MPJ copy of the CUTEst/Mastsif SIF
collection): the same objective and constraint groups, elements and constants, the SIF
starting point and zero starting multipliers (none of these SIF files gives any). The SIF
conventions are kept: a group's constant is subtracted from its linear part, a group
``'SCALE'`` s divides the group function, and a constraint group ``E`` is ``c_i(x) = 0``.
``f_star`` is the optimal value of the SIF ``SOLTN`` comment (the HS book's value for the HS
problems), checked and refined to about 12 digits by a tight Newton solve of the KKT
conditions, started from the point that SLSQP reaches from the SIF starting point, with the
derivatives of this module; the docstrings give the solution ``x*``, the SIF value and any
disagreement (BT3, BT6, BT11 and MWRIGHT: see their docstrings). For the nonconvex problems
``f_star`` is the value at the local minimiser that the literature gives, which is also the one
reached from the SIF start; other local minima may exist.

References: W. Hock, K. Schittkowski, "Test Examples for Nonlinear Programming Codes",
Lecture Notes in Economics and Mathematical Systems 187, Springer, 1981 (HS below);
P. T. Boggs, J. W. Tolle, "A strategy for global convergence in a sequential quadratic
programming algorithm", SIAM J. Numer. Anal. 26(3):600-623, 1989 (BT below).
"""
from __future__ import annotations

import numpy as np

from ._base import register
from ._equality_base import EqualityCUTEstProblem

__all__ = [
    "HS6", "BT5", "BT9", "HS28", "BT10", "HIMMELBA", "BT12", "HS40", "BT3", "BT6", "BT11",
    "HS7", "GENHS28", "HS51", "HS52", "HS47", "HS48", "HS50", "HS77", "HS78", "HS56", "HS42",
    "HS79", "HS100LNP", "BT2", "MWRIGHT",
]

_RT2 = np.sqrt(2.0)


# ---------------------------------------------------------------------------------------------
# helpers: objectives made of powers of affine terms, linear constraints
# ---------------------------------------------------------------------------------------------
#
# A "power term" is (idx, coef, b, p, w): it contributes w * u^p with u = sum_k coef_k x_idx_k - b
# (indices 0-based).  Its gradient is w p u^(p-1) a and its Hessian w p (p-1) u^(p-2) a a^T.

def _terms_value(terms, x):
    total = 0.0
    for idx, coef, b, p, w in terms:
        u = float(np.dot(coef, x[list(idx)])) - b
        total += w * u ** p
    return total


def _terms_grad(terms, x):
    g = np.zeros(x.size)
    for idx, coef, b, p, w in terms:
        idx = list(idx)
        u = float(np.dot(coef, x[idx])) - b
        g[idx] += w * p * u ** (p - 1) * np.asarray(coef, dtype=float)
    return g


def _terms_hess(terms, x):
    H = np.zeros((x.size, x.size))
    for idx, coef, b, p, w in terms:
        if p < 2:
            continue
        idx = list(idx)
        a = np.asarray(coef, dtype=float)
        u = float(np.dot(a, x[idx])) - b
        H[np.ix_(idx, idx)] += w * p * (p - 1) * u ** (p - 2) * np.outer(a, a)
    return H


def _diff(i, j, b, p, w=1.0):
    """The term w (x_i - x_j - b)^p."""
    return ((i, j), (1.0, -1.0), b, p, w)


def _single(i, b, p, w=1.0):
    """The term w (x_i - b)^p."""
    return ((i,), (1.0,), b, p, w)


class _PowerObjective(EqualityCUTEstProblem):
    """An objective that is a sum of power terms ``_terms`` (see the helpers above)."""

    _terms: tuple = ()

    def _value(self, x):
        return _terms_value(self._terms, x)

    def _grad(self, x):
        return _terms_grad(self._terms, x)

    def _hess(self, x):
        return _terms_hess(self._terms, x)


class _LinearConstraints:
    """Mixin: linear constraints ``c(x) = A x - b`` from class attributes ``_A``, ``_b``."""

    _A = np.zeros((0, 0))
    _b = np.zeros(0)

    def _cons(self, x):
        return self._A @ x - self._b

    def _jac(self, x):
        return self._A.copy()

    def _cons_hess(self, x, lam):
        return np.zeros((self.n, self.n))


# ---------------------------------------------------------------------------------------------
# Hock-Schittkowski problems
# ---------------------------------------------------------------------------------------------

@register("HS6", kind="equality")
class HS6(_PowerObjective):
    """HS problem 6 (SIF HS6, classification QQR2-AN-2-1).

    min (1 - x1)^2  s.t.  10 (x2 - x1^2) = 0   (the SIF group ``x2 - x1^2`` has scale 0.1).

    n = 2, m = 1; SIF x0 = (-1.2, 1), lam0 = 0; f* = 0 at x* = (1, 1) (HS; SIF SOLTN 0.0).

    Source: HS problem 6; SIF input A. R. Conn, March 1990.
    """

    f_star = 0.0
    _terms = (_single(0, 1.0, 2),)

    def __init__(self):
        super().__init__(2, 1, [-1.2, 1.0])

    def _cons(self, x):
        return np.array([10.0 * (x[1] - x[0] ** 2)])

    def _jac(self, x):
        return np.array([[-20.0 * x[0], 10.0]])

    def _cons_hess(self, x, lam):
        return np.array([[-20.0 * lam[0], 0.0], [0.0, 0.0]])


@register("HS7", kind="equality")
class HS7(EqualityCUTEstProblem):
    """HS problem 7 (SIF HS7, classification OOR2-AN-2-1).

    min ln(1 + x1^2) - x2  s.t.  (1 + x1^2)^2 + x2^2 - 4 = 0.

    n = 2, m = 1; SIF x0 = (2, 2), lam0 = 0; f* = -sqrt(3) = -1.7320508... at
    x* = (0, sqrt(3)) (HS; SIF SOLTN -1.73205).

    Source: HS problem 7; SIF input A. R. Conn, March 1990.
    """

    f_star = -float(np.sqrt(3.0))

    def __init__(self):
        super().__init__(2, 1, [2.0, 2.0])

    def _value(self, x):
        return np.log1p(x[0] ** 2) - x[1]

    def _grad(self, x):
        return np.array([2.0 * x[0] / (1.0 + x[0] ** 2), -1.0])

    def _hess(self, x):
        t = 1.0 + x[0] ** 2
        return np.array([[2.0 / t - 4.0 * x[0] ** 2 / t ** 2, 0.0], [0.0, 0.0]])

    def _cons(self, x):
        return np.array([(1.0 + x[0] ** 2) ** 2 + x[1] ** 2 - 4.0])

    def _jac(self, x):
        return np.array([[4.0 * x[0] * (1.0 + x[0] ** 2), 2.0 * x[1]]])

    def _cons_hess(self, x, lam):
        return lam[0] * np.array([[4.0 + 12.0 * x[0] ** 2, 0.0], [0.0, 2.0]])


@register("HS28", kind="equality")
class HS28(_LinearConstraints, _PowerObjective):
    """HS problem 28 (SIF HS28, classification SLR2-AY-3-1).

    min (x1 + x2)^2 + (x2 + x3)^2  s.t.  x1 + 2 x2 + 3 x3 - 1 = 0.

    n = 3, m = 1; SIF x0 = (-4, 1, 1), lam0 = 0; f* = 0 at x* = (0.5, -0.5, 0.5) (HS; SIF
    SOLTN 0.0).

    Source: HS problem 28; SIF input A. R. Conn, April 1990.
    """

    f_star = 0.0
    _terms = (((0, 1), (1.0, 1.0), 0.0, 2, 1.0), ((1, 2), (1.0, 1.0), 0.0, 2, 1.0))
    _A = np.array([[1.0, 2.0, 3.0]])
    _b = np.array([1.0])

    def __init__(self):
        super().__init__(3, 1, [-4.0, 1.0, 1.0])


@register("GENHS28", kind="equality")
class GENHS28(_PowerObjective):
    """A multi-dimensional extension of HS problem 28 (SIF GENHS28, classification
    QLR2-AY-10-8).

    min sum_{i=1}^{n-1} (x_i + x_{i+1})^2  s.t.  x_i + 2 x_{i+1} + 3 x_{i+2} - 1 = 0,
    i = 1, ..., n-2.

    n = 10 (SIF default ``N``), m = n - 2 = 8; SIF x0 = (-4, 1, 1, ..., 1), lam0 = 0.
    f* = 0.927173693766 for n = 10: the SIF ``SOLTN`` comment (0.0) is only the trivial lower
    bound and is not attained (for n > 3 the constraints exclude ``x_i = -x_{i+1}``). The
    problem is a convex QP with a unique solution, so ``f_star`` is computed exactly (to
    rounding) for every n from its KKT linear system.

    Source: Hock & Schittkowski problem 28 generalised; SIF input N. Gould, December 1991.

    Parameters
    ----------
    n : int, default 10
        Number of variables (SIF ``N``), n >= 3.
    """

    def __init__(self, *, n=10):
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
            raise ValueError(f"GENHS28: n must be an integer, got {n!r}")
        n = int(n)
        if n < 3:
            raise ValueError(f"GENHS28 needs n >= 3, got n = {n}")
        x0 = np.ones(n)
        x0[0] = -4.0
        super().__init__(n, n - 2, x0, params={"n": n})
        self._terms = tuple(((i, i + 1), (1.0, 1.0), 0.0, 2, 1.0) for i in range(n - 1))
        A = np.zeros((n - 2, n))
        for i in range(n - 2):
            A[i, i:i + 3] = (1.0, 2.0, 3.0)
        self._A = A
        self._b = np.ones(n - 2)
        self.f_star = self._solve_kkt()[1]

    def _solve_kkt(self):
        """The unique solution of the convex QP and its value (KKT linear system)."""
        n, m = self.n, self.m
        H = self._hess(np.zeros(n))          # constant Hessian; grad f(x) = H x
        K = np.block([[H, self._A.T], [self._A, np.zeros((m, m))]])
        sol = np.linalg.solve(K, np.concatenate([np.zeros(n), self._b]))
        xs = sol[:n]
        return xs, float(self._value(xs))

    def _cons(self, x):
        return self._A @ x - self._b

    def _jac(self, x):
        return self._A.copy()

    def _cons_hess(self, x, lam):
        return np.zeros((self.n, self.n))


@register("HS40", kind="equality")
class HS40(EqualityCUTEstProblem):
    """HS problem 40 (SIF HS40, classification OOR2-AN-4-3).

    min -x1 x2 x3 x4  s.t.  x1^3 + x2^2 - 1 = 0,  x1^2 x4 - x3 = 0,  x4^2 - x2 = 0.

    n = 4, m = 3; SIF x0 = (0.8, 0.8, 0.8, 0.8), lam0 = 0; f* = -0.25 at
    x* = (2^(-1/3), 2^(-1/2), 2^(-11/12), 2^(-1/4)) (HS; SIF SOLTN -0.25).

    Source: HS problem 40; SIF input A. R. Conn, April 1990.
    """

    f_star = -0.25

    def __init__(self):
        super().__init__(4, 3, np.full(4, 0.8))

    def _value(self, x):
        return -x[0] * x[1] * x[2] * x[3]

    def _grad(self, x):
        return -np.array([x[1] * x[2] * x[3], x[0] * x[2] * x[3], x[0] * x[1] * x[3],
                          x[0] * x[1] * x[2]])

    def _hess(self, x):
        H = np.zeros((4, 4))
        for i in range(4):
            for j in range(i + 1, 4):
                k, l = [t for t in range(4) if t not in (i, j)]
                H[i, j] = H[j, i] = -x[k] * x[l]
        return H

    def _cons(self, x):
        return np.array([x[0] ** 3 + x[1] ** 2 - 1.0, x[0] ** 2 * x[3] - x[2],
                         x[3] ** 2 - x[1]])

    def _jac(self, x):
        return np.array([[3.0 * x[0] ** 2, 2.0 * x[1], 0.0, 0.0],
                         [2.0 * x[0] * x[3], 0.0, -1.0, x[0] ** 2],
                         [0.0, -1.0, 0.0, 2.0 * x[3]]])

    def _cons_hess(self, x, lam):
        H = np.zeros((4, 4))
        H[0, 0] = 6.0 * x[0] * lam[0] + 2.0 * x[3] * lam[1]
        H[1, 1] = 2.0 * lam[0]
        H[0, 3] = H[3, 0] = 2.0 * x[0] * lam[1]
        H[3, 3] = 2.0 * lam[2]
        return H


@register("HS42", kind="equality")
class HS42(_PowerObjective):
    """HS problem 42 (SIF HS42, classification SQR2-AN-4-2).

    min sum_{i=1}^{4} (x_i - i)^2  s.t.  x1 - 2 = 0,  x3^2 + x4^2 - 2 = 0.

    n = 4, m = 2; SIF x0 = (1, 1, 1, 1), lam0 = 0; f* = 28 - 10 sqrt(2) = 13.8578643...
    at x* = (2, 2, 0.6 sqrt(2), 0.8 sqrt(2)) (HS; SIF SOLTN 13.857864).

    Source: HS problem 42; SIF input A. R. Conn, April 1990.
    """

    f_star = 28.0 - 10.0 * float(_RT2)
    _terms = tuple(_single(i, i + 1.0, 2) for i in range(4))

    def __init__(self):
        super().__init__(4, 2, np.ones(4))

    def _cons(self, x):
        return np.array([x[0] - 2.0, x[2] ** 2 + x[3] ** 2 - 2.0])

    def _jac(self, x):
        return np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 2.0 * x[2], 2.0 * x[3]]])

    def _cons_hess(self, x, lam):
        return np.diag([0.0, 0.0, 2.0 * lam[1], 2.0 * lam[1]])


@register("HS47", kind="equality")
class HS47(_PowerObjective):
    """HS problem 47 (SIF HS47, classification OOR2-AY-5-3).

    min (x1 - x2)^2 + (x2 - x3)^3 + (x3 - x4)^4 + (x4 - x5)^4
    s.t. x1 + x2^2 + x3^3 - 3 = 0,  x2 - x3^2 + x4 - 1 = 0,  x1 x5 - 1 = 0.

    n = 5, m = 3; SIF x0 = (2, sqrt(2), -1, 2 - sqrt(2), 0.5), lam0 = 0; f* = 0 at
    x* = (1, 1, 1, 1, 1) (HS; SIF SOLTN 0.0). The objective is not bounded below on the
    feasible set away from x* (the cubic term), so x* is a local minimiser.

    Source: HS problem 47; SIF input A. R. Conn, April 1990, updated N. Gould, Oct 2003.
    """

    f_star = 0.0
    _terms = (_diff(0, 1, 0.0, 2), _diff(1, 2, 0.0, 3), _diff(2, 3, 0.0, 4),
              _diff(3, 4, 0.0, 4))

    def __init__(self):
        super().__init__(5, 3, [2.0, _RT2, -1.0, 2.0 - _RT2, 0.5])

    def _cons(self, x):
        return np.array([x[0] + x[1] ** 2 + x[2] ** 3 - 3.0,
                         x[1] + x[3] - x[2] ** 2 - 1.0,
                         x[0] * x[4] - 1.0])

    def _jac(self, x):
        return np.array([[1.0, 2.0 * x[1], 3.0 * x[2] ** 2, 0.0, 0.0],
                         [0.0, 1.0, -2.0 * x[2], 1.0, 0.0],
                         [x[4], 0.0, 0.0, 0.0, x[0]]])

    def _cons_hess(self, x, lam):
        H = np.zeros((5, 5))
        H[1, 1] = 2.0 * lam[0]
        H[2, 2] = 6.0 * x[2] * lam[0] - 2.0 * lam[1]
        H[0, 4] = H[4, 0] = lam[2]
        return H


@register("HS48", kind="equality")
class HS48(_LinearConstraints, _PowerObjective):
    """HS problem 48 (SIF HS48, classification SLR2-AY-5-2).

    min (x1 - 1)^2 + (x2 - x3)^2 + (x4 - x5)^2
    s.t. x1 + x2 + x3 + x4 + x5 - 5 = 0,  x3 - 2 x4 - 2 x5 + 3 = 0.

    n = 5, m = 2; SIF x0 = (3, 5, -3, 2, -2), lam0 = 0; f* = 0 at x* = (1, 1, 1, 1, 1) (HS;
    SIF SOLTN 0.0).

    Source: HS problem 48; SIF input A. R. Conn, April 1990.
    """

    f_star = 0.0
    _terms = (_single(0, 1.0, 2), _diff(1, 2, 0.0, 2), _diff(3, 4, 0.0, 2))
    _A = np.array([[1.0, 1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 1.0, -2.0, -2.0]])
    _b = np.array([5.0, -3.0])

    def __init__(self):
        super().__init__(5, 2, [3.0, 5.0, -3.0, 2.0, -2.0])


@register("HS50", kind="equality")
class HS50(_LinearConstraints, _PowerObjective):
    """HS problem 50 (SIF HS50, classification OLR2-AY-5-3).

    min (x1 - x2)^2 + (x2 - x3)^2 + (x3 - x4)^4 + (x4 - x5)^2
    s.t. x_i + 2 x_{i+1} + 3 x_{i+2} - 6 = 0, i = 1, 2, 3.

    n = 5, m = 3; SIF x0 = (35, -31, 11, 5, -5), lam0 = 0; f* = 0 at x* = (1, 1, 1, 1, 1)
    (HS; SIF SOLTN 0.0).

    Source: HS problem 50; SIF input A. R. Conn, April 1990, updated N. Gould, Oct 2003.
    """

    f_star = 0.0
    _terms = (_diff(0, 1, 0.0, 2), _diff(1, 2, 0.0, 2), _diff(2, 3, 0.0, 4),
              _diff(3, 4, 0.0, 2))
    _A = np.array([[1.0, 2.0, 3.0, 0.0, 0.0], [0.0, 1.0, 2.0, 3.0, 0.0],
                   [0.0, 0.0, 1.0, 2.0, 3.0]])
    _b = np.array([6.0, 6.0, 6.0])

    def __init__(self):
        super().__init__(5, 3, [35.0, -31.0, 11.0, 5.0, -5.0])


@register("HS51", kind="equality")
class HS51(_LinearConstraints, _PowerObjective):
    """HS problem 51 (SIF HS51, classification QLR2-AY-5-3).

    min (x1 - x2)^2 + (x2 + x3 - 2)^2 + (x4 - 1)^2 + (x5 - 1)^2
    s.t. x1 + 3 x2 - 4 = 0,  x3 + x4 - 2 x5 = 0,  x2 - x5 = 0.

    n = 5, m = 3; SIF x0 = (2.5, 0.5, 2, -1, 0.5), lam0 = 0; f* = 0 at x* = (1, 1, 1, 1, 1)
    (HS; SIF SOLTN 0.0).

    Source: HS problem 51; SIF input A. R. Conn, April 1990.
    """

    f_star = 0.0
    _terms = (_diff(0, 1, 0.0, 2), ((1, 2), (1.0, 1.0), 2.0, 2, 1.0), _single(3, 1.0, 2),
              _single(4, 1.0, 2))
    _A = np.array([[1.0, 3.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0, -2.0],
                   [0.0, 1.0, 0.0, 0.0, -1.0]])
    _b = np.array([4.0, 0.0, 0.0])

    def __init__(self):
        super().__init__(5, 3, [2.5, 0.5, 2.0, -1.0, 0.5])


@register("HS52", kind="equality")
class HS52(_LinearConstraints, _PowerObjective):
    """HS problem 52 (SIF HS52, classification QLR2-AY-5-3).

    min (4 x1 - x2)^2 + (x2 + x3 - 2)^2 + (x4 - 1)^2 + (x5 - 1)^2
    s.t. x1 + 3 x2 = 0,  x3 + x4 - 2 x5 = 0,  x2 - x5 = 0.

    n = 5, m = 3; SIF x0 = (2, 2, 2, 2, 2), lam0 = 0; f* = 1859/349 = 5.32664756...
    at x* = (-33, 11, 180, -158, 11)/349 (HS; SIF SOLTN 5.326643, which is HS's rounded value).

    Source: HS problem 52; SIF input A. R. Conn, April 1990.
    """

    f_star = 1859.0 / 349.0
    _terms = (((0, 1), (4.0, -1.0), 0.0, 2, 1.0), ((1, 2), (1.0, 1.0), 2.0, 2, 1.0),
              _single(3, 1.0, 2), _single(4, 1.0, 2))
    _A = np.array([[1.0, 3.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0, -2.0],
                   [0.0, 1.0, 0.0, 0.0, -1.0]])
    _b = np.array([0.0, 0.0, 0.0])

    def __init__(self):
        super().__init__(5, 3, np.full(5, 2.0))


@register("HS56", kind="equality")
class HS56(EqualityCUTEstProblem):
    """HS problem 56 (SIF HS56, classification OOR2-AN-7-4).

    min -x1 x2 x3
    s.t. x_i - 4.2 sin^2(x_{i+3}) = 0 (i = 1, 2, 3),  x1 + 2 x2 + 2 x3 - 7.2 sin^2(x7) = 0.

    n = 7, m = 4; SIF x0 = (1, 1, 1, a, a, a, b) with a = 0.50973968 = arcsin(sqrt(1/4.2))
    and b = 0.98511078 = arcsin(sqrt(5/7.2)) (as typed in the SIF file, which corrects a typo
    of HS), lam0 = 0; f* = -3.456 at x* = (2.4, 1.2, 1.2, arcsin(sqrt(4/7)),
    arcsin(sqrt(2/7)), arcsin(sqrt(2/7)), pi/2) (HS; SIF SOLTN -3.456).

    Source: HS problem 56; SIF input A. R. Conn, April 1990.
    """

    f_star = -3.456
    _P = np.array([4.2, 4.2, 4.2, 7.2])

    def __init__(self):
        a = 0.50973968
        super().__init__(7, 4, [1.0, 1.0, 1.0, a, a, a, 0.98511078])

    def _value(self, x):
        return -x[0] * x[1] * x[2]

    def _grad(self, x):
        g = np.zeros(7)
        g[:3] = -np.array([x[1] * x[2], x[0] * x[2], x[0] * x[1]])
        return g

    def _hess(self, x):
        H = np.zeros((7, 7))
        H[0, 1] = H[1, 0] = -x[2]
        H[0, 2] = H[2, 0] = -x[1]
        H[1, 2] = H[2, 1] = -x[0]
        return H

    def _cons(self, x):
        s2 = self._P * np.sin(x[3:]) ** 2
        return np.array([x[0] - s2[0], x[1] - s2[1], x[2] - s2[2],
                         x[0] + 2.0 * x[1] + 2.0 * x[2] - s2[3]])

    def _jac(self, x):
        J = np.zeros((4, 7))
        J[0, 0] = J[1, 1] = J[2, 2] = 1.0
        J[3, :3] = (1.0, 2.0, 2.0)
        d = -self._P * np.sin(2.0 * x[3:])
        for i in range(4):
            J[i, 3 + i] = d[i]
        return J

    def _cons_hess(self, x, lam):
        H = np.zeros((7, 7))
        d2 = -2.0 * self._P * np.cos(2.0 * x[3:])
        H[3:, 3:] = np.diag(lam * d2)
        return H


class _HS77Like(_PowerObjective):
    """Shared by HS77 and BT6: the objective
    (x1 - 1)^2 + (x1 - x2)^2 + (x3 - 1)^2 + (x4 - 1)^4 + (x5 - 1)^6 and the first constraint
    x1^2 x4 + sin(x4 - x5) - 2 sqrt(2) = 0; the second constraint is ``_c2`` (value,
    gradient, Hessian)."""

    _terms = (_single(0, 1.0, 2), _diff(0, 1, 0.0, 2), _single(2, 1.0, 2), _single(3, 1.0, 4),
              _single(4, 1.0, 6))

    def __init__(self):
        super().__init__(5, 2, np.full(5, 2.0))

    def _c2(self, x, order):  # pragma: no cover - abstract
        raise NotImplementedError

    def _cons(self, x):
        return np.array([x[0] ** 2 * x[3] + np.sin(x[3] - x[4]) - 2.0 * _RT2,
                         self._c2(x, 0)])

    def _jac(self, x):
        cs = np.cos(x[3] - x[4])
        return np.array([[2.0 * x[0] * x[3], 0.0, 0.0, x[0] ** 2 + cs, -cs],
                         self._c2(x, 1)])

    def _cons_hess(self, x, lam):
        H = np.zeros((5, 5))
        sn = np.sin(x[3] - x[4])
        H[0, 0] = 2.0 * x[3]
        H[0, 3] = H[3, 0] = 2.0 * x[0]
        H[3, 3] += -sn
        H[4, 4] += -sn
        H[3, 4] += sn
        H[4, 3] += sn
        return lam[0] * H + lam[1] * self._c2(x, 2)


@register("HS77", kind="equality")
class HS77(_HS77Like):
    """HS problem 77 (SIF HS77, classification OOR2-AY-5-2).

    min (x1 - 1)^2 + (x1 - x2)^2 + (x3 - 1)^2 + (x4 - 1)^4 + (x5 - 1)^6
    s.t. x1^2 x4 + sin(x4 - x5) - 2 sqrt(2) = 0,  x2 + x3^4 x4^2 - 8 - sqrt(2) = 0.

    n = 5, m = 2; SIF x0 = (2, 2, 2, 2, 2), lam0 = 0; f* = 0.241505128790 at
    x* = (1.16617218971, 1.1821113888, 1.38025704315, 1.50603627362, 0.610920196043) (HS:
    0.24150513 at (1.166172, 1.182111, 1.380257, 1.506036, 0.6109203); SIF SOLTN 0.24150513;
    refined by the KKT solve).

    Source: HS problem 77; SIF input A. Conn and Ph. Toint, March 1991.
    """

    f_star = 0.241505128790

    def _c2(self, x, order):
        x2, x3, x4 = x[1], x[2], x[3]
        if order == 0:
            return x2 + x3 ** 4 * x4 ** 2 - 8.0 - _RT2
        if order == 1:
            return np.array([0.0, 1.0, 4.0 * x3 ** 3 * x4 ** 2, 2.0 * x3 ** 4 * x4, 0.0])
        H = np.zeros((5, 5))
        H[2, 2] = 12.0 * x3 ** 2 * x4 ** 2
        H[2, 3] = H[3, 2] = 8.0 * x3 ** 3 * x4
        H[3, 3] = 2.0 * x3 ** 4
        return H


@register("HS78", kind="equality")
class HS78(EqualityCUTEstProblem):
    """HS problem 78 (SIF HS78, classification OOR2-AN-5-3).

    min x1 x2 x3 x4 x5
    s.t. sum_i x_i^2 - 10 = 0,  x2 x3 - 5 x4 x5 = 0,  x1^3 + x2^3 + 1 = 0.

    n = 5, m = 3; SIF x0 = (-2, 1.5, 2, -1, -1), lam0 = 0; f* = -2.91970040896 at
    x* = (-1.71714357039, 1.59570969018, 1.82724575293, -0.763643078184, -0.763643078184)
    (HS: -2.91970041 at (-1.717143, 1.595709, 1.827247, -0.7636413, -0.7636450); SIF SOLTN
    -2.91970041; refined by the KKT solve).

    Source: HS problem 78; SIF input B. Debarsy, Jan 1990.
    """

    f_star = -2.91970040896

    def __init__(self):
        super().__init__(5, 3, [-2.0, 1.5, 2.0, -1.0, -1.0])

    def _value(self, x):
        return float(np.prod(x))

    def _grad(self, x):
        return np.array([np.prod(np.delete(x, i)) for i in range(5)])

    def _hess(self, x):
        H = np.zeros((5, 5))
        for i in range(5):
            for j in range(i + 1, 5):
                H[i, j] = H[j, i] = np.prod(np.delete(x, [i, j]))
        return H

    def _cons(self, x):
        return np.array([np.dot(x, x) - 10.0, x[1] * x[2] - 5.0 * x[3] * x[4],
                         x[0] ** 3 + x[1] ** 3 + 1.0])

    def _jac(self, x):
        return np.array([2.0 * x,
                         [0.0, x[2], x[1], -5.0 * x[4], -5.0 * x[3]],
                         [3.0 * x[0] ** 2, 3.0 * x[1] ** 2, 0.0, 0.0, 0.0]])

    def _cons_hess(self, x, lam):
        H = 2.0 * lam[0] * np.eye(5)
        H[1, 2] = H[2, 1] = lam[1]
        H[3, 4] = H[4, 3] = -5.0 * lam[1]
        H[0, 0] += 6.0 * x[0] * lam[2]
        H[1, 1] += 6.0 * x[1] * lam[2]
        return H


class _HS79Like(_PowerObjective):
    """Shared by HS79, BT11 and MWRIGHT: the constraints
    x1 + x2^2 + x3^q - c1 = 0,  x2 - x3^2 + x4 - c2 = 0,  x1 * x5 - c3 = 0  (HS79, MWRIGHT) or
    x1 - x5 - c3 = 0 (BT11, ``_prod3 = False``), with q = ``_q`` and c = ``_c``."""

    _q = 3
    _c = (0.0, 0.0, 0.0)
    _prod3 = True

    def _cons(self, x):
        c1, c2, c3 = self._c
        third = x[0] * x[4] if self._prod3 else x[0] - x[4]
        return np.array([x[0] + x[1] ** 2 + x[2] ** self._q - c1,
                         x[1] - x[2] ** 2 + x[3] - c2,
                         third - c3])

    def _jac(self, x):
        q = self._q
        row3 = [x[4], 0.0, 0.0, 0.0, x[0]] if self._prod3 else [1.0, 0.0, 0.0, 0.0, -1.0]
        return np.array([[1.0, 2.0 * x[1], q * x[2] ** (q - 1), 0.0, 0.0],
                         [0.0, 1.0, -2.0 * x[2], 1.0, 0.0],
                         row3])

    def _cons_hess(self, x, lam):
        q = self._q
        H = np.zeros((5, 5))
        H[1, 1] = 2.0 * lam[0]
        H[2, 2] = q * (q - 1) * x[2] ** (q - 2) * lam[0] - 2.0 * lam[1]
        if self._prod3:
            H[0, 4] = H[4, 0] = lam[2]
        return H


@register("HS79", kind="equality")
class HS79(_HS79Like):
    """HS problem 79 (SIF HS79, classification OOR2-AY-5-3).

    min (x1 - 1)^2 + (x1 - x2)^2 + (x2 - x3)^2 + (x3 - x4)^4 + (x4 - x5)^4
    s.t. x1 + x2^2 + x3^3 - 2 - 3 sqrt(2) = 0,  x2 - x3^2 + x4 + 2 - 2 sqrt(2) = 0,
    x1 x5 - 2 = 0.

    n = 5, m = 3; SIF x0 = (2, 2, 2, 2, 2), lam0 = 0; f* = 0.0787768208711 at
    x* = (1.19112745631, 1.36260316496, 1.47281793151, 1.63501661917, 1.67908143617) (HS:
    0.0787768209 at (1.191127, 1.362603, 1.472818, 1.635017, 1.679081); SIF SOLTN 0.0787768;
    refined by the KKT solve).

    Source: HS problem 79; SIF input B. Debarsy, Apr 1990.
    """

    f_star = 0.0787768208711
    _terms = (_diff(0, 1, 0.0, 2), _diff(1, 2, 0.0, 2), _single(0, 1.0, 2),
              _diff(2, 3, 0.0, 4), _diff(3, 4, 0.0, 4))
    _q = 3
    _c = (2.0 + 3.0 * _RT2, 2.0 * _RT2 - 2.0, 2.0)

    def __init__(self):
        super().__init__(5, 3, np.full(5, 2.0))


@register("HS100LNP", kind="equality")
class HS100LNP(EqualityCUTEstProblem):
    """HS problem 100 with its inactive inequalities removed and its active ones made
    equalities (SIF HS100LNP, classification OOR2-AN-7-2).

    min (x1 - 10)^2 + 5 (x2 - 12)^2 + x3^4 + w (x4 - 11)^2 + 10 x5^6 + 7 x6^2 + x7^4
        - 4 x6 x7 - 10 x6 - 8 x7
    s.t. 127 - 2 x1^2 - 3 x2^4 - x3 - 4 x4^2 - 5 x5 = 0,
         -4 x1^2 - x2^2 + 3 x1 x2 - 2 x3^2 - 5 x6 + 11 x7 = 0,

    with w = 1 / 0.33333333333 (the SIF group scale, i.e. HS's 3 up to 1e-11; likewise the
    weight 5 is 1 / 0.2).

    n = 7, m = 2; SIF x0 = (1, 2, 0, 4, 0, 1, 1), lam0 = 0; f* = 680.630057376 at
    x* = (2.33049937288, 1.95137237289, -0.477541392392, 4.36572623367, -0.624486970528,
    1.03813101861, 1.59422671161) (HS problem 100: 680.6300573 at (2.330499, 1.951372,
    -0.4775414, 4.365726, -0.6244870, 1.038131, 1.594227), its constraints 1 and 4 being the
    active ones; SIF SOLTN 680.6300573; refined by the KKT solve).

    Source: HS problem 100, modified by T. Plantenga, Oct 1992; SIF input Ph. Toint, April
    1991 and T. Plantenga, October 1992.
    """

    f_star = 680.630057376
    _W4 = 1.0 / 0.33333333333

    def __init__(self):
        super().__init__(7, 2, [1.0, 2.0, 0.0, 4.0, 0.0, 1.0, 1.0])

    def _value(self, x):
        x1, x2, x3, x4, x5, x6, x7 = x
        return ((x1 - 10.0) ** 2 + 5.0 * (x2 - 12.0) ** 2 + x3 ** 4
                + self._W4 * (x4 - 11.0) ** 2 + 10.0 * x5 ** 6 + 7.0 * x6 ** 2 + x7 ** 4
                - 4.0 * x6 * x7 - 10.0 * x6 - 8.0 * x7)

    def _grad(self, x):
        x1, x2, x3, x4, x5, x6, x7 = x
        return np.array([2.0 * (x1 - 10.0), 10.0 * (x2 - 12.0), 4.0 * x3 ** 3,
                         2.0 * self._W4 * (x4 - 11.0), 60.0 * x5 ** 5,
                         14.0 * x6 - 4.0 * x7 - 10.0, 4.0 * x7 ** 3 - 4.0 * x6 - 8.0])

    def _hess(self, x):
        H = np.diag([2.0, 10.0, 12.0 * x[2] ** 2, 2.0 * self._W4, 300.0 * x[4] ** 4, 14.0,
                     12.0 * x[6] ** 2])
        H[5, 6] = H[6, 5] = -4.0
        return H

    def _cons(self, x):
        x1, x2, x3, x4, x5, x6, x7 = x
        return np.array([127.0 - 2.0 * x1 ** 2 - 3.0 * x2 ** 4 - x3 - 4.0 * x4 ** 2 - 5.0 * x5,
                         -4.0 * x1 ** 2 - x2 ** 2 + 3.0 * x1 * x2 - 2.0 * x3 ** 2 - 5.0 * x6
                         + 11.0 * x7])

    def _jac(self, x):
        x1, x2, x3, x4 = x[:4]
        return np.array([[-4.0 * x1, -12.0 * x2 ** 3, -1.0, -8.0 * x4, -5.0, 0.0, 0.0],
                         [-8.0 * x1 + 3.0 * x2, -2.0 * x2 + 3.0 * x1, -4.0 * x3, 0.0, 0.0,
                          -5.0, 11.0]])

    def _cons_hess(self, x, lam):
        H = np.zeros((7, 7))
        H[0, 0] = -4.0 * lam[0] - 8.0 * lam[1]
        H[1, 1] = -36.0 * x[1] ** 2 * lam[0] - 2.0 * lam[1]
        H[0, 1] = H[1, 0] = 3.0 * lam[1]
        H[2, 2] = -4.0 * lam[1]
        H[3, 3] = -8.0 * lam[0]
        return H


# ---------------------------------------------------------------------------------------------
# Boggs-Tolle problems
# ---------------------------------------------------------------------------------------------

@register("BT2", kind="equality")
class BT2(_PowerObjective):
    """BT problem 2 (SIF BT2, classification QQR2-AY-3-1).

    min (x1 - 1)^2 + (x1 - x2)^2 + (x2 - x3)^4  s.t.  x1 (1 + x2^2) + x3^4 - 8.2426407 = 0
    (the SIF constant 8.2426407, i.e. 4 + 3 sqrt(2) rounded to 8 digits, as in the file).

    n = 3, m = 1; SIF x0 = (10, 10, 10), lam0 = 0; f* = 0.0325682003932 (SIF SOLTN
    0.032568200, refined by the KKT solve) at x* = (1.10485901998, 1.19667418276,
    1.53526226109).

    Source: BT problem 2; SIF input Ph. Toint, June 1993.
    """

    f_star = 0.0325682003932
    _terms = (_single(0, 1.0, 2), _diff(0, 1, 0.0, 2), _diff(1, 2, 0.0, 4))

    def __init__(self):
        super().__init__(3, 1, np.full(3, 10.0))

    def _cons(self, x):
        return np.array([x[0] * (1.0 + x[1] ** 2) + x[2] ** 4 - 8.2426407])

    def _jac(self, x):
        return np.array([[1.0 + x[1] ** 2, 2.0 * x[0] * x[1], 4.0 * x[2] ** 3]])

    def _cons_hess(self, x, lam):
        H = np.zeros((3, 3))
        H[0, 1] = H[1, 0] = 2.0 * x[1]
        H[1, 1] = 2.0 * x[0]
        H[2, 2] = 12.0 * x[2] ** 2
        return lam[0] * H


@register("BT3", kind="equality")
class BT3(_LinearConstraints, _PowerObjective):
    """BT problem 3 (SIF BT3, classification SLR2-AY-5-3); a convex QP.

    min (x1 - x2)^2 + (x2 + x3 - 2)^2 + (x4 - 1)^2 + (x5 - 1)^2
    s.t. x1 + 3 x2 = 0,  x3 + x4 - 2 x5 = 0,  x2 - x5 = 0.

    n = 5, m = 3; SIF x0 = (20, 20, 20, 20, 20), lam0 = 0; f* = 176/43 = 4.09302325581... at
    x* = (-33, 11, 27, -5, 11)/43, the exact solution of this convex QP. The SIF SOLTN
    comment says 4.09301056, which differs from the exact value in the 6th digit (relative
    3e-6); ``f_star`` is the exact value.

    Source: BT problem 3; SIF input Ph. Toint, June 1993.
    """

    f_star = 176.0 / 43.0
    _terms = (_diff(0, 1, 0.0, 2), ((1, 2), (1.0, 1.0), 2.0, 2, 1.0), _single(3, 1.0, 2),
              _single(4, 1.0, 2))
    _A = np.array([[1.0, 3.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0, -2.0],
                   [0.0, 1.0, 0.0, 0.0, -1.0]])
    _b = np.array([0.0, 0.0, 0.0])

    def __init__(self):
        super().__init__(5, 3, np.full(5, 20.0))


@register("BT5", kind="equality")
class BT5(EqualityCUTEstProblem):
    """BT problem 5 (SIF BT5, classification QQR2-AN-3-2); HS problem 63 without its bounds.

    min 1000 - x1^2 - 2 x2^2 - x3^2 - x1 x2 - x1 x3
    s.t. x1^2 + x2^2 + x3^2 - 25 = 0,  8 x1 + 14 x2 + 7 x3 - 56 = 0
    (the SIF file sets the sign of x3^2 in the first constraint to + to correct a typo of BT).

    n = 3, m = 2; SIF x0 = (2, 2, 2), lam0 = 0; f* = 961.71517213 (SIF SOLTN 961.71517219;
    HS problem 63: 961.7151721) at x* = (3.51212134187, 0.216987941515, 3.55217115483), a
    local minimiser: without HS63's bounds x >= 0 there is a lower local minimum
    (f = 952.1425 near (0.332, 4.678, -1.735)).

    Source: BT problem 5; SIF input Ph. Toint, June 1993.
    """

    f_star = 961.71517213

    def __init__(self):
        super().__init__(3, 2, np.full(3, 2.0))

    def _value(self, x):
        x1, x2, x3 = x
        return 1000.0 - x1 ** 2 - 2.0 * x2 ** 2 - x3 ** 2 - x1 * x2 - x1 * x3

    def _grad(self, x):
        x1, x2, x3 = x
        return np.array([-2.0 * x1 - x2 - x3, -4.0 * x2 - x1, -2.0 * x3 - x1])

    def _hess(self, x):
        return np.array([[-2.0, -1.0, -1.0], [-1.0, -4.0, 0.0], [-1.0, 0.0, -2.0]])

    def _cons(self, x):
        return np.array([np.dot(x, x) - 25.0, 8.0 * x[0] + 14.0 * x[1] + 7.0 * x[2] - 56.0])

    def _jac(self, x):
        return np.array([2.0 * x, [8.0, 14.0, 7.0]])

    def _cons_hess(self, x, lam):
        return 2.0 * lam[0] * np.eye(3)


@register("BT6", kind="equality")
class BT6(_HS77Like):
    """BT problem 6 (SIF BT6, classification OOR2-AY-5-2).

    min (x1 - 1)^2 + (x1 - x2)^2 + (x3 - 1)^2 + (x4 - 1)^4 + (x5 - 1)^6
    s.t. x1^2 x4 + sin(x4 - x5) - 2 sqrt(2) = 0,  x2 + x3^4 x2^2 - 8 - sqrt(2) = 0.

    Same objective and first constraint as HS77; the second constraint has x2^2 where HS77
    has x4^2.

    n = 5, m = 2; SIF x0 = (2, 2, 2, 2, 2), lam0 = 0; f* = 0.277044788768 at
    x* = (1.28693189735, 1.48023530527, 1.37945447468, 1.32194814593, 0.628718223216)
    (the KKT solve; the SIF SOLTN comment says 0.277044924, 5e-7 relative away). Other
    local minima exist (f = 4.617, 4.878, ...).

    Source: BT problem 6; SIF input Ph. Toint, June 1993.
    """

    f_star = 0.277044788768

    def _c2(self, x, order):
        x2, x3 = x[1], x[2]
        if order == 0:
            return x2 + x3 ** 4 * x2 ** 2 - 8.0 - _RT2
        if order == 1:
            return np.array([0.0, 1.0 + 2.0 * x3 ** 4 * x2, 4.0 * x3 ** 3 * x2 ** 2, 0.0, 0.0])
        H = np.zeros((5, 5))
        H[1, 1] = 2.0 * x3 ** 4
        H[1, 2] = H[2, 1] = 8.0 * x3 ** 3 * x2
        H[2, 2] = 12.0 * x3 ** 2 * x2 ** 2
        return H


@register("BT9", kind="equality")
class BT9(EqualityCUTEstProblem):
    """BT problem 9 (SIF BT9, classification LOR2-AN-4-2).

    min -x1  s.t.  x2 - x1^3 - x3^2 = 0,  x1^2 - x2 - x4^2 = 0
    (the SIF file sets the sign of x2 in the second constraint to - to correct a typo of BT).

    n = 4, m = 2; SIF x0 = (2, 2, 2, 2), lam0 = 0; f* = -1 at x* = (1, 1, 0, 0) (SIF SOLTN).

    Source: BT problem 9; SIF input Ph. Toint, June 1993.
    """

    f_star = -1.0

    def __init__(self):
        super().__init__(4, 2, np.full(4, 2.0))

    def _value(self, x):
        return -x[0]

    def _grad(self, x):
        return np.array([-1.0, 0.0, 0.0, 0.0])

    def _hess(self, x):
        return np.zeros((4, 4))

    def _cons(self, x):
        return np.array([x[1] - x[0] ** 3 - x[2] ** 2, x[0] ** 2 - x[1] - x[3] ** 2])

    def _jac(self, x):
        return np.array([[-3.0 * x[0] ** 2, 1.0, -2.0 * x[2], 0.0],
                         [2.0 * x[0], -1.0, 0.0, -2.0 * x[3]]])

    def _cons_hess(self, x, lam):
        return np.diag([-6.0 * x[0] * lam[0] + 2.0 * lam[1], 0.0, -2.0 * lam[0],
                        -2.0 * lam[1]])


@register("BT10", kind="equality")
class BT10(EqualityCUTEstProblem):
    """BT problem 10 (SIF BT10, classification LOR2-AN-2-2).

    min -x1  s.t.  x2 - x1^3 = 0,  x1^2 - x2 = 0
    (the SIF file sets the sign of x2 in the second constraint to - to correct a typo of BT).

    n = 2, m = 2; SIF x0 = (2, 2), lam0 = 0; f* = -1 at x* = (1, 1) (SIF SOLTN). The feasible
    set is {(0, 0), (1, 1)}.

    Source: BT problem 10; SIF input Ph. Toint, June 1993.
    """

    f_star = -1.0

    def __init__(self):
        super().__init__(2, 2, [2.0, 2.0])

    def _value(self, x):
        return -x[0]

    def _grad(self, x):
        return np.array([-1.0, 0.0])

    def _hess(self, x):
        return np.zeros((2, 2))

    def _cons(self, x):
        return np.array([x[1] - x[0] ** 3, x[0] ** 2 - x[1]])

    def _jac(self, x):
        return np.array([[-3.0 * x[0] ** 2, 1.0], [2.0 * x[0], -1.0]])

    def _cons_hess(self, x, lam):
        return np.array([[-6.0 * x[0] * lam[0] + 2.0 * lam[1], 0.0], [0.0, 0.0]])


@register("BT11", kind="equality")
class BT11(_HS79Like):
    """BT problem 11 (SIF BT11, classification OOR2-AY-5-3).

    min (x1 - 1)^2 + (x1 - x2)^2 + (x2 - x3)^2 + (x3 - x4)^4 + (x4 - x5)^4
    s.t. x1 + x2^2 + x3^3 - (sqrt(18) - 2) = 0,  x2 - x3^2 + x4 - (sqrt(8) - 2) = 0,
    x1 - x5 - 2 = 0.

    (Like HS79 but with different constants and a linear third constraint.)

    n = 5, m = 3; SIF x0 = (2, 2, 2, 2, 2), lam0 = 0; f* = 0.824891778288 at
    x* = (1.26757595919, 0.965300461277, 0.351043815557, -0.0136415760901, -0.732424040806)
    (the KKT solve; the SIF SOLTN comment says 0.824891647, 1.6e-7 relative away).

    Source: BT problem 11; SIF input Ph. Toint, June 1993.
    """

    f_star = 0.824891778288
    _terms = (_single(0, 1.0, 2), _diff(0, 1, 0.0, 2), _diff(1, 2, 0.0, 2),
              _diff(2, 3, 0.0, 4), _diff(3, 4, 0.0, 4))
    _q = 3
    _c = (3.0 * _RT2 - 2.0, 2.0 * _RT2 - 2.0, 2.0)
    _prod3 = False

    def __init__(self):
        super().__init__(5, 3, np.full(5, 2.0))


@register("BT12", kind="equality")
class BT12(EqualityCUTEstProblem):
    """BT problem 12 (SIF BT12, classification QQR2-AN-5-3).

    min 0.01 x1^2 + x2^2
    s.t. x1 + x2 - x3^2 - 25 = 0,  x1^2 + x2^2 - x4^2 - 25 = 0,  x1 - x5^2 - 2 = 0.

    n = 5, m = 3; lam0 = 0. SIF x0 = (15.811, 1.5811, 0, 15.083, 3.7164): the SIF file sets
    the default start 2.0 and then (uncommented) overrides every component by the "solution
    proposed in the paper (infeasible)", so CUTEst's start is that point, not (2, ..., 2).
    f* = 63125/10201 = 6.18811881... at x* = (2500/101, 25/101, 0, +-24.2434795, +-4.76995548)
    (SIF SOLTN 6.18811881).

    Source: BT problem 12; SIF input Ph. Toint, June 1993.
    """

    f_star = 63125.0 / 10201.0

    def __init__(self):
        super().__init__(5, 3, [15.811, 1.5811, 0.0, 15.083, 3.7164])

    def _value(self, x):
        return 0.01 * x[0] ** 2 + x[1] ** 2

    def _grad(self, x):
        g = np.zeros(5)
        g[0] = 0.02 * x[0]
        g[1] = 2.0 * x[1]
        return g

    def _hess(self, x):
        return np.diag([0.02, 2.0, 0.0, 0.0, 0.0])

    def _cons(self, x):
        return np.array([x[0] + x[1] - x[2] ** 2 - 25.0,
                         x[0] ** 2 + x[1] ** 2 - x[3] ** 2 - 25.0,
                         x[0] - x[4] ** 2 - 2.0])

    def _jac(self, x):
        return np.array([[1.0, 1.0, -2.0 * x[2], 0.0, 0.0],
                         [2.0 * x[0], 2.0 * x[1], 0.0, -2.0 * x[3], 0.0],
                         [1.0, 0.0, 0.0, 0.0, -2.0 * x[4]]])

    def _cons_hess(self, x, lam):
        return np.diag([2.0 * lam[1], 2.0 * lam[1], -2.0 * lam[0], -2.0 * lam[1],
                        -2.0 * lam[2]])


# ---------------------------------------------------------------------------------------------
# other problems
# ---------------------------------------------------------------------------------------------

@register("HIMMELBA", kind="equality")
class HIMMELBA(EqualityCUTEstProblem):
    """Himmelblau's problem 25 (SIF HIMMELBA, classification NLR2-AN-2-2): two linear
    equations and no objective.

    f = 0  s.t.  (x1 - 5) / 0.25 = 0,  x2 - 6 = 0   (the first group has SIF scale 0.25).

    n = 2, m = 2; SIF x0 = (8, 9), lam0 = 0; f* = 0 at x* = (5, 6) (the SIF file has no
    objective group, so f is identically 0).

    Source: D. H. Himmelblau, "Applied nonlinear programming", McGraw-Hill, 1972, problem 25
    (Buckley #215); SIF input Ph. Toint, Dec 1989.
    """

    f_star = 0.0

    def __init__(self):
        super().__init__(2, 2, [8.0, 9.0])

    def _value(self, x):
        return 0.0

    def _grad(self, x):
        return np.zeros(2)

    def _hess(self, x):
        return np.zeros((2, 2))

    def _cons(self, x):
        return np.array([(x[0] - 5.0) / 0.25, x[1] - 6.0])

    def _jac(self, x):
        return np.array([[1.0 / 0.25, 0.0], [0.0, 1.0]])

    def _cons_hess(self, x, lam):
        return np.zeros((2, 2))


@register("MWRIGHT", kind="equality")
class MWRIGHT(_HS79Like):
    """An example by Margaret Wright (SIF MWRIGHT, classification OQR2-AN-5-3).

    min x1^2 + (x1 - x2)^2 + (x2 - x3)^3 + (x3 - x4)^4 + (x4 - x5)^4
    s.t. x1 + x2^2 + x3^2 - 2 - 3 sqrt(2) = 0,  x2 - x3^2 + x4 + 2 - 2 sqrt(2) = 0,
    x1 x5 - 2 = 0.

    n = 5, m = 3; SIF x0 = (-1, 2, 1, -2, -2), lam0 = 0; f* = 24.9788095318 at
    x* = (-1.2945985234, 2.46307744074, 1.212637098, -0.164161584543, -1.54488048908): the
    strict local minimiser reached from the SIF start (SLSQP, trust-constr and a KKT Newton
    solve agree). The SIF SOLTN comment says 32.851791437, but no KKT point of the problem as
    written in the SIF file has that value (a multistart KKT search finds local minima
    1.2883832 (the lowest found, near (0.863, 1.561, 1.715, 2.210, 2.317)), 24.657328,
    24.978810, 41.446488, 50.971839, 69.608089, 597.003736, and saddle points 24.81298,
    42.046073, ...), so ``f_star`` is the value reached from the SIF start.

    Source: M. H. Wright, "Numerical Methods for Nonlinearly Constrained Optimization", PhD
    thesis, Stanford, 1976, problem 4, starting point D; SIF input Ph. Toint, March 1991,
    correction Ph. Shott, January 1995.
    """

    f_star = 24.9788095318
    _terms = (_single(0, 0.0, 2), _diff(0, 1, 0.0, 2), _diff(1, 2, 0.0, 3),
              _diff(2, 3, 0.0, 4), _diff(3, 4, 0.0, 4))
    _q = 2
    _c = (2.0 + 3.0 * _RT2, 2.0 * _RT2 - 2.0, 2.0)

    def __init__(self):
        super().__init__(5, 3, [-1.0, 2.0, 1.0, -2.0, -2.0])
