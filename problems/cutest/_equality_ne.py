"""Nonlinear-equation (NE) and other equality-constrained problems of CUTEst, written natively (see :class:`EqualityCUTEstProblem`).

Every class is its CUTEst SIF file written natively: the same groups, elements, constants,
SIF default parameters and SIF starting point (no file here sets starting multipliers, so
``lam0`` is zero). The SIF conventions are those of SIFDecode/CUTEst:

* a constraint is ``c_i(x) = (group value - constant) / SCALE``: SIFDecode stores
  ``GSCALE = 1 / SCALE`` for every group, objective or constraint, and CUTEst evaluates
  ``c_i = GSCALE * group`` (so e.g. RSNBRNE has ``c_1 = 10 (x_2 - x_1^2)``, the Rosenbrock
  residual);
* constraints are numbered in the order their groups are declared;
* a do-loop index keeps its last executed value after ``ND`` (SIFDecode's mock do-loop),
  which matters for MOREBVNE.

A nonlinear-equations problem (classification ``N...``) has the constant objective
``f = 0``; its ``f_star`` is 0 when the system is consistent (checked numerically for every
problem here). Derivatives are exact and analytic (BA-L1 uses a small second-order forward
jet); the scalable problems (TRIGON1NE, MOREBVNE, INTEQNE, MANCINONE) and BA-L1SP return
scipy CSR Jacobians and constraint Hessians and are vectorised over ``n``.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._base import register
from ._equality_base import EqualityCUTEstProblem

__all__ = [
    "SINVALNE", "BOOTH", "WAYSEA1NE", "RSNBRNE", "CUBENE", "ZANGWIL3", "TRIGON1NE", "BA_L1SP",
    "HELIXNE", "ORTHREGB", "GOTTFR", "HIMMELBE", "MOREBVNE", "WAYSEA2NE", "DENSCHNCNE",
    "DENSCHNFNE", "HIMMELBC", "PRICE4NE", "INTEQNE", "BA_L1", "MANCINONE",
]


# ----------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------

def _check_n(name, n, *, minimum):
    """Validate a SIF dimension parameter: an integer >= ``minimum``."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise ValueError(f"{name}: n must be an integer, got {n!r}")
    n = int(n)
    if n < minimum:
        raise ValueError(f"{name} needs n >= {minimum}, got n = {n}")
    return n


class _NE(EqualityCUTEstProblem):
    """A nonlinear-equations problem: constant objective ``f = 0``, ``f_star = 0``."""

    f_star = 0.0

    def _value(self, x):
        return 0.0

    def _grad(self, x):
        return np.zeros(self.n)

    def _hess(self, x):
        if self.sparse_jacobian:
            return sp.csr_matrix((self.n, self.n))
        return np.zeros((self.n, self.n))


class _SmallNE(_NE):
    """A small NE problem written through ``_eqs(x, order)``.

    ``_eqs`` returns ``c`` (order 0), ``(c, J)`` (order 1) or ``(c, J, T)`` (order 2) with
    ``J`` the dense (m, n) Jacobian and ``T`` the (m, n, n) stack of constraint Hessians.
    """

    def _eqs(self, x, order):  # pragma: no cover - abstract
        raise NotImplementedError

    def _cons(self, x):
        return self._eqs(x, 0)

    def _jac(self, x):
        return self._eqs(x, 1)[1]

    def _cons_hess(self, x, lam):
        return np.einsum("i,ijk->jk", lam, self._eqs(x, 2)[2])


def _out(order, c, J=None, T=None):
    if order == 0:
        return np.asarray(c, dtype=np.float64)
    if order == 1:
        return np.asarray(c, dtype=np.float64), np.asarray(J, dtype=np.float64)
    return (np.asarray(c, dtype=np.float64), np.asarray(J, dtype=np.float64),
            np.asarray(T, dtype=np.float64))


# ----------------------------------------------------------------------------------------
# small fixed-size nonlinear-equation problems
# ----------------------------------------------------------------------------------------

@register("SINVALNE", kind="equality")
class SINVALNE(_SmallNE):
    """Trigonometric variant of the Rosenbrock valley, as nonlinear equations (CUTEst SINVALNE).

    .. math::

        c_1 = (x_2 - \\sin x_1) / 0.1, \\qquad c_2 = x_1 / 2

    (groups ``G1 = x_2 - sin x_1`` with ``'SCALE'`` 0.1 and ``G2 = x_1`` with ``'SCALE'``
    2; nonlinear-equation version of SINEVAL).

    n = 2, m = 2, f = 0. SIF x0 = (4.712389, -1). f_star = 0 at the unique root (0, 0).

    Source: problem 4.2 in Y. Xiao and F. Zhou, "Non-monotone trust region methods with
    curvilinear path in unconstrained optimization", Computing 48:303-317, 1992. SIF input:
    F. Facchinei, M. Roma and Ph. Toint, June 1994 (classification NOR2-AN-2-2).

    Note: the SIF file itself is not in the public collections searched; the group scales
    (0.1 and 2) are taken from a secondary transcription of it and are the one uncertain
    item of this module.
    """

    def __init__(self):
        super().__init__(2, 2, [4.712389, -1.0])

    def _eqs(self, x, order):
        s, c = np.sin(x[0]), np.cos(x[0])
        r = [10.0 * (x[1] - s), 0.5 * x[0]]
        if order == 0:
            return _out(0, r)
        J = [[-10.0 * c, 10.0], [0.5, 0.0]]
        T = np.zeros((2, 2, 2))
        T[0, 0, 0] = 10.0 * s
        return _out(order, r, J, T)


@register("BOOTH", kind="equality")
class BOOTH(_SmallNE):
    """Booth's quadratic problem as two linear equations (CUTEst BOOTH).

    .. math::

        c_1 = x_1 + 2 x_2 - 7, \\qquad c_2 = 2 x_1 + x_2 - 5

    n = 2, m = 2, f = 0. SIF x0 = (0, 0) (no START POINT section). f_star = 0 at (1, 3)
    (SIF ``SOLTN`` 0).

    Source: problem 36 in A. R. Buckley, "Test functions for unconstrained minimization",
    TR 1989CS-3, Dalhousie University, 1989. SIF input: Ph. Toint, Dec 1989 (NLR2-AN-2-2).
    """

    _A = np.array([[1.0, 2.0], [2.0, 1.0]])
    _b = np.array([7.0, 5.0])

    def __init__(self):
        super().__init__(2, 2, [0.0, 0.0])

    def _eqs(self, x, order):
        return _out(order, self._A @ x - self._b, self._A, np.zeros((2, 2, 2)))


@register("WAYSEA1NE", kind="equality")
class WAYSEA1NE(_SmallNE):
    """SciPy global-optimisation benchmark WayburnSeader01 as equations (CUTEst WAYSEA1NE).

    .. math::

        c_1 = x_1^6 + x_2^4 - 17, \\qquad c_2 = 2 x_1 + x_2 - 4

    n = 2, m = 2, f = 0. SIF x0 = (1, 5). f_star = 0, e.g. at (1, 2).

    Source: the SciPy benchmark set (benchmarks/go_benchmark_functions). SIF input:
    N. Gould, Jan 2020 (NOR2-MN-2-2).
    """

    def __init__(self):
        super().__init__(2, 2, [1.0, 5.0])

    def _eqs(self, x, order):
        r = [x[0] ** 6 + x[1] ** 4 - 17.0, 2.0 * x[0] + x[1] - 4.0]
        if order == 0:
            return _out(0, r)
        J = [[6.0 * x[0] ** 5, 4.0 * x[1] ** 3], [2.0, 1.0]]
        T = np.zeros((2, 2, 2))
        T[0, 0, 0] = 30.0 * x[0] ** 4
        T[0, 1, 1] = 12.0 * x[1] ** 2
        return _out(order, r, J, T)


@register("RSNBRNE", kind="equality")
class RSNBRNE(_SmallNE):
    """Rosenbrock's banana valley as nonlinear equations (CUTEst RSNBRNE).

    .. math::

        c_1 = (x_2 - x_1^2) / 0.1, \\qquad c_2 = x_1 - 1

    n = 2, m = 2, f = 0. SIF x0 = (-1.2, 1). f_star = 0 at (1, 1).

    Source: problem 1 in J. J. More, B. S. Garbow and K. E. Hillstrom, "Testing
    unconstrained optimization software", ACM TOMS 7(1):17-41, 1981. SIF input: Ph. Toint,
    Nov 2002 (NOR2-AN-2-2).
    """

    def __init__(self):
        super().__init__(2, 2, [-1.2, 1.0])

    def _eqs(self, x, order):
        r = [10.0 * (x[1] - x[0] ** 2), x[0] - 1.0]
        if order == 0:
            return _out(0, r)
        J = [[-20.0 * x[0], 10.0], [1.0, 0.0]]
        T = np.zeros((2, 2, 2))
        T[0, 0, 0] = -20.0
        return _out(order, r, J, T)


@register("CUBENE", kind="equality")
class CUBENE(_SmallNE):
    """A cubic variant of Rosenbrock's function as nonlinear equations (CUTEst CUBENE).

    .. math::

        c_1 = x_1 - 1, \\qquad c_2 = (x_2 - x_1^3) / 0.1

    n = 2 (SIF N = 2), m = 2, f = 0. SIF x0 = (-1.2, 1). f_star = 0 at (1, 1).

    Source: problem 5 (p. 89) in A. R. Buckley, "Test functions for unconstrained
    minimization", TR 1989CS-3, Dalhousie University, 1989. SIF input: Ph. Toint, Dec 1989
    (NOR2-AN-2-2).
    """

    def __init__(self):
        super().__init__(2, 2, [-1.2, 1.0])

    def _eqs(self, x, order):
        r = [x[0] - 1.0, 10.0 * (x[1] - x[0] ** 3)]
        if order == 0:
            return _out(0, r)
        J = [[1.0, 0.0], [-30.0 * x[0] ** 2, 10.0]]
        T = np.zeros((2, 2, 2))
        T[1, 0, 0] = -60.0 * x[0]
        return _out(order, r, J, T)


@register("ZANGWIL3", kind="equality")
class ZANGWIL3(_SmallNE):
    """Zangwill's problem in 3 variables: three homogeneous linear equations (CUTEst ZANGWIL3).

    .. math::

        c_1 = x_1 - x_2 + x_3, \\quad c_2 = -x_1 + x_2 + x_3, \\quad c_3 = x_1 + x_2 - x_3

    n = 3, m = 3, f = 0. SIF x0 = (100, -1, 2.5). f_star = 0 at the unique root x = 0.

    Source: problem 13 (p. 103) in A. R. Buckley, "Test functions for unconstrained
    minimization", TR 1989CS-3, Dalhousie University, 1989. SIF input: Ph. Toint, Dec 1989
    (NLR2-AN-3-3).
    """

    _A = np.array([[1.0, -1.0, 1.0], [-1.0, 1.0, 1.0], [1.0, 1.0, -1.0]])

    def __init__(self):
        super().__init__(3, 3, [100.0, -1.0, 2.5])

    def _eqs(self, x, order):
        return _out(order, self._A @ x, self._A, np.zeros((3, 3, 3)))


_TWOPII = 0.15915494   # the SIF's rounded 1 / (2 pi)


@register("HELIXNE", kind="equality")
class HELIXNE(_SmallNE):
    """The helix problem as nonlinear equations (CUTEst HELIXNE).

    .. math::

        c_1 = (x_3 - 10\\,\\theta) / 0.1, \\quad c_2 = (\\sqrt{x_1^2 + x_2^2} - 1) / 0.1,
        \\quad c_3 = x_3, \\qquad \\theta = 0.15915494 \\operatorname{atan2}(x_2, x_1)

    (0.15915494 is the SIF's rounded 1 / (2 pi)).

    n = 3, m = 3, f = 0. SIF x0 = (-1, 0, 0), which lies on the branch cut of ``atan2``
    (``theta`` jumps there; the derivatives returned are those of the branch
    ``atan2 in (-pi, pi]``). f_star = 0 at (1, 0, 0).

    Source: problem 7 in J. J. More, B. S. Garbow and K. E. Hillstrom, "Testing
    unconstrained optimization software", ACM TOMS 7(1):17-41, 1981 (see also Buckley #12).
    SIF input: Ph. Toint, Dec 1989; nonlinear-equation version N. Gould, Oct 2015
    (NOR2-AN-3-3).
    """

    def __init__(self):
        super().__init__(3, 3, [-1.0, 0.0, 0.0])

    def _eqs(self, x, order):
        x1, x2, x3 = x
        r2 = x1 * x1 + x2 * x2
        r = np.sqrt(r2)
        k = 100.0 * _TWOPII
        c = [10.0 * x3 - k * np.arctan2(x2, x1), 10.0 * (r - 1.0), x3]
        if order == 0:
            return _out(0, c)
        J = [[k * x2 / r2, -k * x1 / r2, 10.0],
             [10.0 * x1 / r, 10.0 * x2 / r, 0.0],
             [0.0, 0.0, 1.0]]
        T = np.zeros((3, 3, 3))
        r4, r3 = r2 * r2, r2 * r
        # hessian of atan2(x2, x1)
        ha = np.array([[2.0 * x1 * x2 / r4, (x2 * x2 - x1 * x1) / r4],
                       [(x2 * x2 - x1 * x1) / r4, -2.0 * x1 * x2 / r4]])
        T[0, :2, :2] = -k * ha
        T[1, :2, :2] = 10.0 * np.array([[x2 * x2 / r3, -x1 * x2 / r3],
                                        [-x1 * x2 / r3, x1 * x1 / r3]])
        return _out(order, c, J, T)


@register("GOTTFR", kind="equality")
class GOTTFR(_SmallNE):
    """The GOTTFR problem from Sisser: two quadratic equations (CUTEst GOTTFR).

    .. math::

        c_1 = x_1 - 0.1136 (x_1 + 3 x_2)(1 - x_1), \\qquad
        c_2 = x_2 + 7.5 (2 x_1 - x_2)(1 - x_2)

    n = 2, m = 2, f = 0. SIF x0 = (0.5, 0.5). The SIF gives no solution; f_star = 0 (the
    system is consistent, e.g. x = (0, 0) is a root).

    Source: problem 208 (p. 56) in A. R. Buckley, "Test functions for unconstrained
    minimization", TR 1989CS-3, Dalhousie University, 1989. SIF input: Ph. Toint, Dec 1989
    (NQR2-AN-2-2).
    """

    def __init__(self):
        super().__init__(2, 2, [0.5, 0.5])

    def _eqs(self, x, order):
        x1, x2 = x
        c = [x1 - 0.1136 * (x1 + 3.0 * x2) * (1.0 - x1),
             x2 + 7.5 * (2.0 * x1 - x2) * (1.0 - x2)]
        if order == 0:
            return _out(0, c)
        J = [[1.0 - 0.1136 * (1.0 - 2.0 * x1 - 3.0 * x2), -0.3408 * (1.0 - x1)],
             [15.0 * (1.0 - x2), 1.0 + 7.5 * (2.0 * x2 - 2.0 * x1 - 1.0)]]
        T = np.array([[[0.2272, 0.3408], [0.3408, 0.0]],
                      [[0.0, -15.0], [-15.0, 15.0]]])
        return _out(order, c, J, T)


@register("HIMMELBE", kind="equality")
class HIMMELBE(_SmallNE):
    """A 3-variable problem by Himmelblau: three equations (CUTEst HIMMELBE).

    .. math::

        c_1 = \\tfrac14 (x_1 + x_2)^2 - x_3, \\quad c_2 = 1 - x_1, \\quad c_3 = 1 - x_2

    n = 3, m = 3, f = 0. SIF x0 = (-1.2, 2, 0). f_star = 0 at the unique root (1, 1, 1).

    Source: problem 30 in D. H. Himmelblau, "Applied nonlinear programming", McGraw-Hill,
    1972 (see Buckley #88). SIF input: Ph. Toint, Dec 1989 (NQR2-AY-3-3).

    Note: the SIF file is not in the public collections searched; the equations (and their
    signs) are taken from a transcription checked against pycutest.
    """

    def __init__(self):
        super().__init__(3, 3, [-1.2, 2.0, 0.0])

    def _eqs(self, x, order):
        s = x[0] + x[1]
        c = [0.25 * s * s - x[2], 1.0 - x[0], 1.0 - x[1]]
        if order == 0:
            return _out(0, c)
        J = [[0.5 * s, 0.5 * s, -1.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]]
        T = np.zeros((3, 3, 3))
        T[0, :2, :2] = 0.5
        return _out(order, c, J, T)


@register("WAYSEA2NE", kind="equality")
class WAYSEA2NE(_SmallNE):
    """SciPy global-optimisation benchmark WayburnSeader02 as equations (CUTEst WAYSEA2NE).

    .. math::

        c_1 = -4 x_1^2 - 4 x_2^2 + 2.5 x_1 + 13 x_2 - 9.340125, \\qquad c_2 = x_2 - 1

    n = 2, m = 2, f = 0. SIF x0 = (1, 5). f_star = 0 at the SIF ``SOLUTION``
    (0.424861025, 1) (the other root has x_1 = 0.200138975).

    Source: the SciPy benchmark set (benchmarks/go_benchmark_functions). SIF input:
    N. Gould, Jan 2020 (NOR2-MN-2-2).
    """

    def __init__(self):
        super().__init__(2, 2, [1.0, 5.0])

    def _eqs(self, x, order):
        c = [2.5 * x[0] + 13.0 * x[1] - 4.0 * x[0] ** 2 - 4.0 * x[1] ** 2 - 9.340125,
             x[1] - 1.0]
        if order == 0:
            return _out(0, c)
        J = [[2.5 - 8.0 * x[0], 13.0 - 8.0 * x[1]], [0.0, 1.0]]
        T = np.zeros((2, 2, 2))
        T[0] = -8.0 * np.eye(2)
        return _out(order, c, J, T)


@register("DENSCHNCNE", kind="equality")
class DENSCHNCNE(_SmallNE):
    """Dennis and Schnabel's example (p. 98) as nonlinear equations (CUTEst DENSCHNCNE).

    .. math::

        c_1 = x_1^2 + x_2^2 - 2, \\qquad c_2 = e^{x_1 - 1} + x_2^3 - 2

    n = 2, m = 2, f = 0. SIF x0 = (2, 3). f_star = 0 at (1, 1).

    Source: J. E. Dennis and R. B. Schnabel, "Numerical Methods for Unconstrained
    Optimization and Nonlinear Equations", Prentice-Hall, 1983, p. 98. SIF input: Ph. Toint,
    Nov 1990; NE version N. Gould, Jan 2020 (the file's classification line, SUR2-AN-2-0, is
    copied from DENSCHNC; the groups are equations).
    """

    def __init__(self):
        super().__init__(2, 2, [2.0, 3.0])

    def _eqs(self, x, order):
        e = np.exp(x[0] - 1.0)
        c = [x[0] ** 2 + x[1] ** 2 - 2.0, e + x[1] ** 3 - 2.0]
        if order == 0:
            return _out(0, c)
        J = [[2.0 * x[0], 2.0 * x[1]], [e, 3.0 * x[1] ** 2]]
        T = np.zeros((2, 2, 2))
        T[0] = 2.0 * np.eye(2)
        T[1, 0, 0] = e
        T[1, 1, 1] = 6.0 * x[1]
        return _out(order, c, J, T)


@register("DENSCHNFNE", kind="equality")
class DENSCHNFNE(_SmallNE):
    """Dennis and Schnabel's example (p. 107) as nonlinear equations (CUTEst DENSCHNFNE).

    .. math::

        c_1 = 2 (x_1 + x_2)^2 + (x_1 - x_2)^2 - 8, \\qquad c_2 = 5 x_1^2 + (x_2 - 3)^2 - 9

    n = 2, m = 2, f = 0. SIF x0 = (2, 0). f_star = 0, e.g. at (1, 1).

    Source: J. E. Dennis and R. B. Schnabel, "Numerical Methods for Unconstrained
    Optimization and Nonlinear Equations", Prentice-Hall, 1983, p. 107. SIF input:
    Ph. Toint, Nov 1990; NE version N. Gould, Jan 2020 (NOR2-AY-2-2).
    """

    def __init__(self):
        super().__init__(2, 2, [2.0, 0.0])

    def _eqs(self, x, order):
        p, q = x[0] + x[1], x[0] - x[1]
        c = [2.0 * p * p + q * q - 8.0, 5.0 * x[0] ** 2 + (x[1] - 3.0) ** 2 - 9.0]
        if order == 0:
            return _out(0, c)
        J = [[4.0 * p + 2.0 * q, 4.0 * p - 2.0 * q], [10.0 * x[0], 2.0 * (x[1] - 3.0)]]
        T = np.array([[[6.0, 2.0], [2.0, 6.0]], [[10.0, 0.0], [0.0, 2.0]]])
        return _out(order, c, J, T)


@register("HIMMELBC", kind="equality")
class HIMMELBC(_SmallNE):
    """Himmelblau's 2-variable problem as two equations (CUTEst HIMMELBC).

    .. math::

        c_1 = x_1^2 + x_2 - 11, \\qquad c_2 = x_1 + x_2^2 - 7

    n = 2, m = 2, f = 0. SIF x0 = (1, 1). f_star = 0 at (3, 2) (and three other roots).

    Source: problem 28 in D. H. Himmelblau, "Applied nonlinear programming", McGraw-Hill,
    1972 (see Buckley #6). SIF input: Ph. Toint, Dec 1989 (NQR2-AN-2-2).
    """

    def __init__(self):
        super().__init__(2, 2, [1.0, 1.0])

    def _eqs(self, x, order):
        c = [x[0] ** 2 + x[1] - 11.0, x[0] + x[1] ** 2 - 7.0]
        if order == 0:
            return _out(0, c)
        J = [[2.0 * x[0], 1.0], [1.0, 2.0 * x[1]]]
        T = np.zeros((2, 2, 2))
        T[0, 0, 0] = 2.0
        T[1, 1, 1] = 2.0
        return _out(order, c, J, T)


@register("PRICE4NE", kind="equality")
class PRICE4NE(_SmallNE):
    """SciPy global-optimisation benchmark Price04 as equations (CUTEst PRICE4NE).

    .. math::

        c_1 = 2 x_1^3 x_2 - x_2^3, \\qquad c_2 = 6 x_1 - x_2^2 + x_2

    n = 2, m = 2, f = 0. SIF x0 = (1, 5). f_star = 0, e.g. at (0, 0).

    Source: the SciPy benchmark set (benchmarks/go_benchmark_functions). SIF input:
    N. Gould, Jan 2020 (NOR2-MN-2-2).
    """

    def __init__(self):
        super().__init__(2, 2, [1.0, 5.0])

    def _eqs(self, x, order):
        x1, x2 = x
        c = [2.0 * x1 ** 3 * x2 - x2 ** 3, 6.0 * x1 - x2 ** 2 + x2]
        if order == 0:
            return _out(0, c)
        J = [[6.0 * x1 ** 2 * x2, 2.0 * x1 ** 3 - 3.0 * x2 ** 2], [6.0, 1.0 - 2.0 * x2]]
        T = np.array([[[12.0 * x1 * x2, 6.0 * x1 ** 2], [6.0 * x1 ** 2, -6.0 * x2]],
                      [[0.0, 0.0], [0.0, -2.0]]])
        return _out(order, c, J, T)


# ----------------------------------------------------------------------------------------
# scalable nonlinear-equation problems (sparse CSR Jacobians and constraint Hessians)
# ----------------------------------------------------------------------------------------

class _ScalableNE(_NE):
    sparse_jacobian = True


@register("TRIGON1NE", kind="equality")
class TRIGON1NE(_ScalableNE):
    """SciPy global-optimisation benchmark Trigonometric01 as equations (CUTEst TRIGON1NE).

    .. math::

        c_i = \\sum_{j=1}^{n} \\cos x_j + i (\\cos x_i + \\sin x_i) - (n + i),
        \\qquad i = 1, \\dots, n

    Parameters
    ----------
    n : int, default 10
        Number of variables and equations, ``n >= 1`` (SIF N; options 10, 100, 1000; SIF
        default 10).

    Notes
    -----
    m = n, f = 0. SIF x0 = (0.1, ..., 0.1). f_star = 0 at x = 0. The Jacobian is dense
    (each equation involves every ``cos x_j``; returned as CSR) and the constraint-Hessian
    term is diagonal.

    Source: the SciPy benchmark set (benchmarks/go_benchmark_functions). SIF input:
    N. Gould, Jan 2020 (NOR2-MN-V-V).
    """

    def __init__(self, *, n=10):
        n = _check_n("TRIGON1NE", n, minimum=1)
        super().__init__(n, n, np.full(n, 0.1), params={"n": n})
        self._i = np.arange(1, n + 1, dtype=np.float64)

    def _cons(self, x):
        c, s = np.cos(x), np.sin(x)
        return c.sum() + self._i * (c + s) - (self.n + self._i)

    def _jac(self, x):
        c, s = np.cos(x), np.sin(x)
        J = np.tile(-s, (self.n, 1))
        J[np.diag_indices(self.n)] += self._i * (c - s)
        return sp.csr_matrix(J)

    def _cons_hess(self, x, lam):
        c, s = np.cos(x), np.sin(x)
        return sp.diags(-c * lam.sum() - lam * self._i * (c + s), format="csr")


@register("MOREBVNE", kind="equality")
class MOREBVNE(_ScalableNE):
    """The discrete boundary value problem as nonlinear equations (CUTEst MOREBVNE).

    With ``h = 1 / (n + 1)``, ``t_i = i h`` and ``e_i = (x_i + t_i + 1)^3``:

    .. math::

        c_1 = 2 x_1 - x_2 + \\tfrac{h^2}{2} e_1, \\qquad
        c_i = -x_{i-1} + 2 x_i - x_{i+1} + \\tfrac{h^2}{2} e_i \\; (1 < i < n), \\qquad
        c_n = x_{n-1} + \\tfrac{h^2}{2} e_n \\; (n \\ge 3).

    The last equation is what the SIF file defines, not MGH's ``-x_{n-1} + 2 x_n + ...``:
    its card ``XE G(N) X(N-1) -1.0 X(I) 2.0`` uses the loop index I after the loop
    ``DO I 2 N-1``, where SIFDecode leaves I = N-1, so the two coefficients add up to +1 on
    ``x_{n-1}`` and ``x_n`` enters ``c_n`` through ``e_n`` only (for n = 2 the index is left
    at 2 by the VARIABLES loop and ``c_2 = -x_1 + 2 x_2 + h^2 e_2 / 2``).

    Parameters
    ----------
    n : int, default 10
        Number of variables and equations, ``n >= 2`` (SIF N; options 10, 50, 100, 500,
        1000, 5000; SIF default 10).

    Notes
    -----
    m = n, f = 0. SIF x0: ``x_i = t_i (t_i - 1)``. f_star = 0 (the system is consistent;
    no ``SOLTN`` is given; a Newton solve from x0 finds a root). Tridiagonal Jacobian,
    diagonal constraint-Hessian term.

    Source: problem 28 in J. J. More, B. S. Garbow and K. E. Hillstrom, "Testing
    unconstrained optimization software", ACM TOMS 7(1):17-41, 1981 (see Buckley #17). SIF
    input: Ph. Toint, Dec 1989 and N. Gould, Oct 1992; NE version N. Gould, Oct 2015
    (NOR2-MN-V-V).
    """

    def __init__(self, *, n=10):
        n = _check_n("MOREBVNE", n, minimum=2)
        h = 1.0 / (n + 1)
        t = np.arange(1, n + 1) * h
        super().__init__(n, n, t * (t - 1.0), params={"n": n})
        self._h2 = h * h
        self._b = t + 1.0
        # the linear part, as the SIF file assembles it
        main = np.full(n, 2.0)
        lower = np.full(n - 1, -1.0)
        if n >= 3:
            main[-1] = 0.0
            lower[-1] = 1.0
        self._L = sp.diags([lower, main, np.full(n - 1, -1.0)], [-1, 0, 1], format="csr")

    def _cons(self, x):
        return self._L @ x + 0.5 * self._h2 * (x + self._b) ** 3

    def _jac(self, x):
        return sp.csr_matrix(self._L + sp.diags(1.5 * self._h2 * (x + self._b) ** 2))

    def _cons_hess(self, x, lam):
        return sp.diags(3.0 * self._h2 * lam * (x + self._b), format="csr")


@register("INTEQNE", kind="equality")
class INTEQNE(_ScalableNE):
    """The discrete integral equation problem without fixed variables (CUTEst INTEQNE).

    With the SIF parameter N, ``h = 1 / (N + 1)``, ``t_j = j h`` and
    ``e_j = (x_j + t_j + 1)^3``, the variables are ``x_0, ..., x_{N+1}`` and

    .. math::

        c_0 = x_0, \\qquad c_{N+1} = x_{N+1}, \\qquad
        c_i = x_i + \\tfrac{h}{2} \\Big[ (1 - t_i) \\sum_{j \\le i} t_j e_j
        + t_i \\sum_{j > i} (1 - t_j) e_j \\Big] \\quad (1 \\le i \\le N).

    Parameters
    ----------
    n : int, default 50
        The SIF parameter N (number of interior discretisation points), ``n >= 1``; the
        problem has **n + 2 variables and n + 2 equations** (options 10, 50, 100, 500; the
        CUTEst default is 50, i.e. 52 variables).

    Notes
    -----
    f = 0. SIF x0: ``x_0 = x_{N+1} = 0``, ``x_i = t_i (t_i - 1)``. f_star = 0 (consistent
    system; a Newton solve from x0 finds the root). The Jacobian is dense in its interior
    block (CSR) and the constraint-Hessian term is diagonal.

    Source: problem 29 in J. J. More, B. S. Garbow and K. E. Hillstrom, "Testing
    unconstrained optimization software", ACM TOMS 7(1):17-41, 1981. SIF input: Ph. Toint,
    Feb 1990; fixed variables removed N. Gould, Oct 2015 (NOR2-AN-V-V).
    """

    def __init__(self, *, n=50):
        N = _check_n("INTEQNE", n, minimum=1)
        h = 1.0 / (N + 1)
        t = np.arange(1, N + 1) * h
        x0 = np.zeros(N + 2)
        x0[1:-1] = t * (t - 1.0)
        super().__init__(N + 2, N + 2, x0, params={"n": N})
        self._N = N
        self._b = t + 1.0
        i = np.arange(N)
        lower = i[:, None] >= i[None, :]          # j <= i
        self._W = 0.5 * h * np.where(lower, np.outer(1.0 - t, t), np.outer(t, 1.0 - t))

    def _cons(self, x):
        c = x.copy()
        c[1:-1] += self._W @ (x[1:-1] + self._b) ** 3
        return c

    def _jac(self, x):
        J = np.eye(self.n)
        J[1:-1, 1:-1] += self._W * (3.0 * (x[1:-1] + self._b) ** 2)[None, :]
        return sp.csr_matrix(J)

    def _cons_hess(self, x, lam):
        d = np.zeros(self.n)
        d[1:-1] = 6.0 * (x[1:-1] + self._b) * (self._W.T @ lam[1:-1])
        return sp.diags(d, format="csr")


@register("MANCINONE", kind="equality")
class MANCINONE(_ScalableNE):
    """Mancino's function as nonlinear equations (CUTEst MANCINONE).

    With ``alpha = 5``, ``beta = 14``, ``gamma = 3``, ``v_{ij} = \\sqrt{x_j^2 + i / j}``,
    ``s_{ij} = \\sin \\log v_{ij}`` and ``c_{ij} = \\cos \\log v_{ij}``:

    .. math::

        c_i = \\beta n x_i + \\sum_{j \\ne i} v_{ij} (s_{ij}^\\alpha + c_{ij}^\\alpha)
        - (i - n/2)^\\gamma, \\qquad i = 1, \\dots, n.

    Parameters
    ----------
    n : int, default 100
        Number of variables and equations, ``n >= 2`` (SIF N; options 10, 20, 30, 50, 100;
        CUTEst default 100).

    Notes
    -----
    m = n, f = 0. SIF x0: ``x_i = a (H_i + (i - n/2)^3)`` with
    ``H_i = sum_{j != i} v_{ij}(0) (s_{ij}(0)^5 + c_{ij}(0)^5)`` and
    ``a = -beta n / (beta^2 n^2 - (alpha + 1)^2 (n - 1)^2)`` -- the current CUTEst file
    (with the May 2024 correction by S. Gratton and Ph. Toint: older copies multiply by an
    empty field, dropping the ``j > i`` terms of ``H_i``). f_star = 0 (consistent; SIF
    ``SOLTN`` 0). Dense Jacobian (CSR), diagonal constraint-Hessian term.

    Source: E. Spedicato, "Computational experience with quasi-Newton algorithms for
    minimization problems of moderate size", Report N-175, CISE, Milano, 1975 (see Buckley
    #51, Schittkowski #391). SIF input: Ph. Toint, Dec 1989, corrected Ph. Shott, Jan 1995;
    NE version N. Gould, Jan 2019 (NOR2-AN-V-V).
    """

    _alpha, _beta, _gamma = 5, 14.0, 3

    def __init__(self, *, n=100):
        n = _check_n("MANCINONE", n, minimum=2)
        i = np.arange(1, n + 1, dtype=np.float64)
        self._R = i[:, None] / i[None, :]                       # i / j
        self._off = ~np.eye(n, dtype=bool)
        self._ci = (i - 0.5 * n) ** self._gamma
        self._bn = self._beta * n
        a, b = self._alpha, self._beta
        A = -b * n / (b * b * n * n - (a + 1.0) ** 2 * (n - 1.0) ** 2)
        E0 = self._elements(np.zeros(n), 0)
        super().__init__(n, n, A * (E0.sum(axis=1) + self._ci), params={"n": n})

    def _elements(self, x, order):
        """Element values ``e_ij(x_j)`` (zero on the diagonal) and their x_j-derivatives."""
        a = self._alpha
        X = np.broadcast_to(x[None, :], self._R.shape)
        V2 = X * X + self._R
        V = np.sqrt(V2)
        L = np.log(V)
        s, c = np.sin(L), np.cos(L)
        S = s ** a + c ** a
        if order == 0:
            return np.where(self._off, V * S, 0.0)
        S1 = a * (s ** (a - 1) * c - c ** (a - 1) * s)          # dS/dlog v
        B = S + S1
        E1 = np.where(self._off, X * B / V, 0.0)
        if order == 1:
            return E1
        S2 = a * ((a - 1) * s ** (a - 2) * c * c - s ** a
                  + (a - 1) * c ** (a - 2) * s * s - c ** a)
        V3 = V2 * V
        E2 = B / V - X * X * B / V3 + X * X * (S1 + S2) / V3
        return np.where(self._off, E2, 0.0)

    def _cons(self, x):
        return self._bn * x + self._elements(x, 0).sum(axis=1) - self._ci

    def _jac(self, x):
        J = self._elements(x, 1)
        J[np.diag_indices(self.n)] = self._bn
        return sp.csr_matrix(J)

    def _cons_hess(self, x, lam):
        return sp.diags(lam @ self._elements(x, 2), format="csr")


# ----------------------------------------------------------------------------------------
# orthogonal regression
# ----------------------------------------------------------------------------------------

def _orthregb_points():
    a, b, c, cx, cy, cz = 9.0, 6.0, 7.0, 0.5, 0.5, 0.5
    return np.array([[cx + a, cy + a, cz], [cx + b, cy - b, cz], [cx - a, cy - a, cz],
                     [cx - b, cy + b, cz], [cx, cy, cz + c], [cx, cy, cz - c]])


@register("ORTHREGB", kind="equality")
class ORTHREGB(EqualityCUTEstProblem):
    """Orthogonal regression: fit a quadric surface to 6 points in 3D (CUTEst ORTHREGB).

    Variables (in SIF order): ``H11, H12, H13, H22, H23, H33, G1, G2, G3`` and the
    projections ``(X_i, Y_i, Z_i)``, i = 1..6. With ``p_i = (X_i, Y_i, Z_i)``, the symmetric
    ``H`` and ``g = (G1, G2, G3)``:

    .. math::

        \\min \\sum_{i=1}^6 \\|p_i - d_i\\|^2 \\quad \\text{s.t.} \\quad
        p_i^T H p_i - 2 g^T p_i - 1 = 0, \\; i = 1, \\dots, 6,

    with the data points ``d_i = (0.5, 0.5, 0.5) + {(9, 9, 0), (6, -6, 0), (-9, -9, 0),
    (-6, 6, 0), (0, 0, 7), (0, 0, -7)}`` (SIF parameters A = 9, B = 6, C = 7,
    CX = CY = CZ = 0.5). Constraint i is the SIF group E(i).

    n = 27, m = 6. SIF x0: ``H = I``, ``g = 0``, ``p_i = d_i`` (f(x0) = 0 but x0 is
    infeasible). f_star = 0 (SIF ``SOLTN`` 0.0: "the points are compatible with the
    constraint", i.e. a quadric of this form passes through all six points; confirmed
    numerically).

    Source: M. Gulliksson, "Algorithms for nonlinear least-squares with applications to
    orthogonal regression", UMINF-178.90, University of Umea, 1990. SIF input: Ph. Toint,
    June 1990, correction by Ph. Shott, Jan 1995 (QQR2-AN-27-6).
    """

    f_star = 0.0
    _D = _orthregb_points()
    _NP = 6

    def __init__(self):
        x0 = np.concatenate([[1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0], self._D.ravel()])
        super().__init__(27, 6, x0)

    @staticmethod
    def _split(x):
        h11, h12, h13, h22, h23, h33 = x[:6]
        M = np.array([[h11, h12, h13], [h12, h22, h23], [h13, h23, h33]])
        return M, x[6:9], x[9:].reshape(6, 3)

    def _value(self, x):
        r = x[9:] - self._D.ravel()
        return float(r @ r)

    def _grad(self, x):
        g = np.zeros(27)
        g[9:] = 2.0 * (x[9:] - self._D.ravel())
        return g

    def _hess(self, x):
        H = np.zeros((27, 27))
        H[9:, 9:] = 2.0 * np.eye(18)
        return H

    def _cons(self, x):
        M, g, P = self._split(x)
        return np.einsum("ia,ab,ib->i", P, M, P) - 2.0 * P @ g - 1.0

    def _jac(self, x):
        M, g, P = self._split(x)
        X, Y, Z = P.T
        J = np.zeros((6, 27))
        J[:, :9] = np.column_stack([X * X, 2 * X * Y, 2 * X * Z, Y * Y, 2 * Y * Z, Z * Z,
                                    -2 * X, -2 * Y, -2 * Z])
        i = np.arange(6)
        cols = 9 + 3 * i[:, None] + np.arange(3)[None, :]
        J[i[:, None], cols] = 2.0 * (P @ M) - 2.0 * g
        return J

    def _cons_hess(self, x, lam):
        M, g, P = self._split(x)
        H = np.zeros((27, 27))
        for i in range(self._NP):                  # the 6 data points of the SIF file
            X, Y, Z = P[i]
            s = slice(9 + 3 * i, 12 + 3 * i)
            H[s, s] += 2.0 * lam[i] * M
            Dm = 2.0 * np.array([[X, 0, 0], [Y, X, 0], [Z, 0, X], [0, Y, 0], [0, Z, Y],
                                 [0, 0, Z], [-1, 0, 0], [0, -1, 0], [0, 0, -1]])
            H[:9, s] += lam[i] * Dm
            H[s, :9] += lam[i] * Dm.T
        return H


# ----------------------------------------------------------------------------------------
# bundle adjustment (Ladybug data set, one point seen in six images)
# ----------------------------------------------------------------------------------------
_BAL1SP_ROWS = (  # group C_k: ((variable, coefficient), ...) in SIF order
    (  # C1
        (4, -283.5120115), (5, -1296.338862), (6, -320.6033515), (1, 545.11792729),
        (2, -5.058282413), (3, -478.0666573), (7, 551.17734728), (8, 0.00020463888),
        (9, -471.0948965), (10, -409.2809619), (11, -490.2705298), (12, -0.8547064923),
    ),
    (  # C2
        (4, 1234.7454956), (5, 227.79935236), (6, -347.0888335), (1, 2.44930593),
        (2, 556.94489983), (3, 368.0324789), (7, 0.00020463888), (8, 551.17743945),
        (9, 376.80482466), (10, 327.36300527), (11, 392.14243755), (12, 0.68363621076),
    ),
    (  # C3
        (13, -107.0193513), (14, -758.7948959), (15, -207.8248083), (1, 350.08946365),
        (2, 0.39982371752), (3, -186.7535887), (16, 354.69032045), (17, 5.7520864E-5),
        (18, -177.8608216), (19, -87.5738398), (20, -38.04282609), (21, -0.5014538225),
    ),
    (  # C4
        (13, 740.42840621), (14, 92.188824988), (15, -222.1616016), (1, 0.52655531437),
        (2, 356.88663624), (3, 145.9511661), (16, 5.7520864E-5), (17, 354.69033883),
        (18, 151.71150127), (19, 74.698624396), (20, 32.449722244), (21, 0.42772945465),
    ),
    (  # C5
        (22, -168.2771917), (23, -958.0774748), (24, -249.6325723), (1, 424.98400393),
        (2, -3.679913168), (3, -285.9919818), (25, 430.9113597), (26, 9.5401875E-5),
        (27, -277.0049802), (28, -176.6544282), (29, -121.2420785), (30, -0.6428351473),
    ),
    (  # C6
        (22, 921.07415044), (23, 136.05794576), (24, -271.6835835), (1, 4.2853403082),
        (2, 434.04620563), (3, 218.70892251), (25, 9.5401875E-5), (26, 430.9113995),
        (27, 225.18412985), (28, 143.60670941), (29, 98.560653819), (30, 0.52257642872),
    ),
    (  # C7
        (31, -144.7289642), (32, -770.5881534), (33, -272.9493307), (1, 257.01763205),
        (2, -10.17665712), (3, -485.335462), (34, 543.87077184), (35, 1.1685922E-6),
        (36, 76.920229468), (37, 2.0869983072), (38, 0.07566110172), (39, 0.14143107787),
    ),
    (  # C8
        (31, 620.43380046), (32, 194.45316484), (33, -289.1623446), (1, 70.320803231),
        (2, 179.34148777), (3, 15.269871971), (34, 1.1685922E-6), (35, 543.8707716),
        (36, 69.331903641), (37, 1.8811119849), (38, 0.06819699123), (39, 0.12747863508),
    ),
    (  # C9
        (40, -32.98148952), (41, -1001.73529), (42, -309.2254094), (1, 422.1912571),
        (2, -8.291703599), (3, -366.5398322), (43, 484.30591161), (44, 2.2083578E-6),
        (45, 279.48782165), (46, 79.76578597), (47, 27.161405788), (48, 0.57708943686),
    ),
    (  # C10
        (40, 536.26711278), (41, 204.18278149), (42, -250.6380806), (1, 44.828047187),
        (2, 152.76507038), (3, 6.0272627364), (43, 2.2083578E-6), (44, 484.30589721),
        (45, 41.892546625), (46, 11.956127062), (47, 4.0712344877), (48, 0.08650017735),
    ),
    (  # C11
        (49, 5.7198974673), (50, -1082.833992), (51, -318.8938606), (1, 480.66081245),
        (2, -9.700408082), (3, -321.955117), (52, 458.16637265), (53, 2.2305592E-6),
        (54, 353.36608051), (55, 187.06511552), (56, 112.10170813), (57, 0.77126151439),
    ),
    (  # C12
        (49, 499.62967221), (50, 205.63088192), (51, -232.6571585), (1, 35.371625137),
        (2, 141.48851847), (3, 3.9687026816), (52, 2.2305592E-6), (53, 458.16634697),
        (54, 30.465184316), (55, 16.127674776), (56, 9.6647623772), (57, 0.06649371711),
    ),
)
_BAL1SP_CONST = (
    9.020224572, -11.194618482, 1.83322914, -5.254740578, 4.332320525, -6.9705186587,
    0.5632735813, 220.0023398, 3.969211949, 202.2580513, 5.392772211, 194.2376052,
)


def _bal1sp_matrix():
    A = np.zeros((12, 57))
    for k, row in enumerate(_BAL1SP_ROWS):
        for j, a in row:
            A[k, j - 1] = a
    return A


@register("BA-L1SP", kind="equality")
class BA_L1SP(_NE):
    """A small underdetermined set of quadratic equations from a bundle adjustment
    subproblem (CUTEst BA-L1SP).

    With ``a_k`` the coefficients of group ``C_k`` (12 nonzeros each: the point variables
    x_1..x_3 and the 9 variables of one camera) and the SIF elements ``P(i,i) = x_i^2 / 2``
    and ``P(i,j) = x_i x_j`` (i < j), the group uses give ``C_k`` the element ``P(i,j)``
    with weight ``a_{k,i}`` for every i in the support of ``a_k`` and every j >= i, so

    .. math::

        c_k(x) = \\sum_i a_{k,i} \\Big( x_i + \\tfrac12 x_i^2 + x_i \\sum_{j > i} x_j \\Big)
        - b_k, \\qquad k = 1, \\dots, 12.

    (The element pattern was checked against the whole 191,136-character SIF file: it
    reproduces the file's length and the positions of sampled lines exactly.)

    n = 57, m = 12, f = 0. SIF x0 = 0 (no START POINT section). f_star = 0 (the system is
    consistent: a least-squares solve from x0 drives ``||c||`` to rounding level; the SIF
    gives no solution value). ``jac`` returns CSR (the Jacobian is in fact dense) and the
    constraint-Hessian term ``M_ij = (A^T lam)_{min(i,j)}`` is returned as CSR.

    The data are the linear model of BA-L1 at its start: ``-b`` and ``A`` equal BA-L1's
    residuals and Jacobian at the BA-L1 x0 (so ``x`` here is a displacement from it).

    Source: data from the "Bundle Adjustment in the Large" project
    (http://grail.cs.washington.edu/projects/bal/), Ladybug data set. SIF input: N. Gould,
    Nov 2016 (NOR2-MN-57-12).
    """

    sparse_jacobian = True
    _A = _bal1sp_matrix()
    _b = np.array(_BAL1SP_CONST)

    def __init__(self):
        super().__init__(57, 12, np.zeros(57))

    @staticmethod
    def _tail(x):
        """``s_i = sum_{j > i} x_j``."""
        return np.concatenate([np.cumsum(x[::-1])[::-1][1:], [0.0]])

    def _cons(self, x):
        return self._A @ (x + 0.5 * x * x + x * self._tail(x)) - self._b

    def _jac(self, x):
        Ax = self._A * x[None, :]
        J = self._A * (1.0 + x + self._tail(x))[None, :] + (np.cumsum(Ax, axis=1) - Ax)
        return sp.csr_matrix(J)

    def _cons_hess(self, x, lam):
        w = self._A.T @ lam
        i = np.arange(self.n)
        return sp.csr_matrix(w[np.minimum.outer(i, i)])


class _Jet:
    """Second-order forward jet: value ``v`` (k,), gradient ``g`` (k, d), Hessian ``H``
    (k, d, d), vectorised over k independent evaluations."""

    __slots__ = ("v", "g", "H")

    def __init__(self, v, g, H):
        self.v, self.g, self.H = v, g, H

    @staticmethod
    def variables(values):
        k, d = values.shape
        g = np.broadcast_to(np.eye(d), (k, d, d))
        return [_Jet(values[:, i], g[:, i, :].copy(), np.zeros((k, d, d))) for i in range(d)]

    def _lift(self, other):
        if isinstance(other, _Jet):
            return other
        v = np.broadcast_to(np.asarray(other, dtype=np.float64), self.v.shape)
        return _Jet(v, np.zeros_like(self.g), np.zeros_like(self.H))

    def __add__(self, other):
        o = self._lift(other)
        return _Jet(self.v + o.v, self.g + o.g, self.H + o.H)

    __radd__ = __add__

    def __neg__(self):
        return _Jet(-self.v, -self.g, -self.H)

    def __sub__(self, other):
        return self + (-self._lift(other))

    def __rsub__(self, other):
        return self._lift(other) - self

    def __mul__(self, other):
        if not isinstance(other, _Jet):
            s = np.asarray(other, dtype=np.float64)
            return _Jet(self.v * s, self.g * s[..., None], self.H * s[..., None, None])
        o = other
        og = np.einsum("ki,kj->kij", self.g, o.g)
        return _Jet(self.v * o.v, self.g * o.v[:, None] + o.g * self.v[:, None],
                    self.H * o.v[:, None, None] + o.H * self.v[:, None, None]
                    + og + og.transpose(0, 2, 1))

    __rmul__ = __mul__

    def unary(self, f, f1, f2):
        return _Jet(f, self.g * f1[:, None],
                    self.H * f1[:, None, None] + f2[:, None, None]
                    * np.einsum("ki,kj->kij", self.g, self.g))

    def recip(self):
        return self.unary(1.0 / self.v, -1.0 / self.v ** 2, 2.0 / self.v ** 3)

    def __truediv__(self, other):
        return self * (other.recip() if isinstance(other, _Jet) else 1.0 / np.asarray(other))

    def __rtruediv__(self, other):
        return self.recip() * other

    def sqrt(self):
        r = np.sqrt(self.v)
        return self.unary(r, 0.5 / r, -0.25 / (r * self.v))

    def sin(self):
        s, c = np.sin(self.v), np.cos(self.v)
        return self.unary(s, c, -s)

    def cos(self):
        s, c = np.sin(self.v), np.cos(self.v)
        return self.unary(c, -s, -c)

    @staticmethod
    def where(mask, a, b):
        return _Jet(np.where(mask, a.v, b.v), np.where(mask[:, None], a.g, b.g),
                    np.where(mask[:, None, None], a.H, b.H))


def _ba_residuals(V):
    """The SIF element ``BA`` (Snavely reprojection) for each row of ``V`` = local variables
    ``(r1, r2, r3, x1, x2, x3, s1, s2, s3, k1, k2, f)``; returns the jets ``(rx, ry)``.

    Written as in the SIF file's Fortran, including its rotated y coordinate
    ``cy = x2 cos t + (ez x1 - ex x3) sin t + ex p`` (the file uses ``ex`` where the
    Rodrigues formula has ``ey``; value and derivatives there are consistent with it).
    """
    r1, r2, r3, x1, x2, x3, s1, s2, s3, k1, k2, fl = _Jet.variables(V)
    tt = r1 * r1 + r2 * r2 + r3 * r3
    small = tt.v <= np.finfo(np.float64).eps
    with np.errstate(divide="ignore", invalid="ignore"):
        t = tt.sqrt()
        ct, st = t.cos(), t.sin()
        ex, ey, ez = r1 / t, r2 / t, r3 / t
        p = (ex * x1 + ey * x2 + ez * x3) * (1.0 - ct)
        cx = x1 * ct + (ey * x3 - ez * x2) * st + ex * p
        cy = x2 * ct + (ez * x1 - ex * x3) * st + ex * p
        cz = x3 * ct + (ex * x2 - ey * x1) * st + ez * p
    if np.any(small):                      # first-order rotation near w = 0
        cx = _Jet.where(small, x1 + r2 * x3 - r3 * x2, cx)
        cy = _Jet.where(small, x2 + r3 * x1 - r1 * x3, cy)
        cz = _Jet.where(small, x3 + r1 * x2 - r2 * x1, cz)
    cx, cy, cz = cx + s1, cy + s2, cz + s3
    dx, dy = -cx / cz, -cy / cz
    cc = dx * dx + dy * dy
    d = 1.0 + k1 * cc + k2 * (cc * cc)
    return fl * d * dx, fl * d * dy


# observations of point 1: images 1, 2, 4, 27, 30, 37 (variable blocks 1..6)
_BAL1_X0 = [
    -0.6120001572, 0.57175904776, -1.847081276,                       # X1, Y1, Z1
    # RX, RY, RZ, TX, TY, TZ, KA, KB, F of images 1, 2, 4, 27, 30, 37
    0.01574151594, -0.0127909362, -0.0044008498, -0.0340938396, -0.107513871, 1.1202240291,
    -3.177064e-7, 5.882049e-13, 399.75152639,
    0.01597732412, -0.0252244646, -0.0094001416, -0.0085667661, -0.1218804907, 0.7190133075,
    -3.780477e-7, 9.307431e-13, 402.01753386,
    0.01484625118, -0.0210628994, -0.001166948, -0.0249509707, -0.1139847055, 0.92166020737,
    -3.295265e-7, 6.732885e-13, 400.40175368,
    0.01991666998, -1.22433082, 0.0119988756, -1.411897512, -0.1148065151, 0.44915582738,
    5.95875e-8, -2.48391e-13, 407.03024568,
    0.02082242153, -1.238434791, 0.01389314763, -1.049686225, -0.1299513286, 0.33798380231,
    4.5673127e-8, -1.79243e-13, 405.91764962,
    0.01658816461, -1.247226838, 0.01846788123, -0.8617315756, -0.1321089362, 0.28256800868,
    4.7465711e-8, -1.50881e-13, 404.73590637,
]
# constants of the groups RX1, RY1, ..., RX6, RY6 (observed pixel coordinates)
_BAL1_OBS = [-332.65, 262.09, -199.76, 166.7, -253.06, 202.27,
             58.13, 271.89, 238.22, 237.37, 317.55, 221.15]


def _bal1_index():
    """Global variable indices of the 12 local element variables, per observation."""
    c0 = 3 + 9 * np.arange(6)[:, None]
    cam = c0 + np.arange(9)[None, :]        # RX RY RZ TX TY TZ KA KB F
    pt = np.broadcast_to(np.arange(3), (6, 3))
    return np.concatenate([cam[:, :3], pt, cam[:, 3:]], axis=1)


@register("BA-L1", kind="equality")
class BA_L1(_NE):
    """Bundle adjustment, Ladybug data set, one point seen in six images (CUTEst BA-L1).

    Variables (SIF order): the point ``X1, Y1, Z1`` and, for each of the images 1, 2, 4,
    27, 30, 37, the camera ``RX, RY, RZ`` (Rodrigues rotation), ``TX, TY, TZ``
    (translation), ``KA, KB`` (radial distortion) and ``F`` (focal length). For each
    observation the SIF element computes the camera coordinates ``c = R(w) X + t``, the
    projection ``d = -(c_x, c_y) / c_z``, the distortion ``D = 1 + KA |d|^2 + KB |d|^4`` and
    the pixel coordinates ``F D d``; the equations are

    .. math::

        c_{2k-1} = F_k D_k d_{k,x} - u_k, \\qquad c_{2k} = F_k D_k d_{k,y} - v_k,

    in the SIF group order RX1, RY1, RX2, RY2, ..., with the observed ``(u_k, v_k)`` of the
    CONSTANTS section. The rotation is evaluated exactly as in the file's Fortran (Rodrigues
    formula, first-order formula when ``|w|^2 <= eps``), including its rotated y coordinate
    ``c_y = X_2 cos t + (e_z X_1 - e_x X_3) sin t + e_x p`` -- the file has ``e_x`` where
    the Rodrigues formula has ``e_y``; this is what CUTEst evaluates. (Confirmed by
    BA-L1SP, whose constants and linear coefficients are these residuals and this Jacobian
    at x0 to all printed digits, e.g. ``c_8(x0) = -220.0023``, which the textbook formula
    would make -1.06.)

    n = 57, m = 12, f = 0. SIF x0 = START1 (the BAL data). f_star = 0 (the underdetermined
    system is consistent: a least-squares solve from x0 drives ``||c||`` to rounding level,
    although the file calls it "inconsistent" and gives no solution value).

    Source: data from the "Bundle Adjustment in the Large" project
    (http://grail.cs.washington.edu/projects/bal/), Ladybug data sets (single image
    extracted). SIF input: N. Gould, Nov 2016 (NOR2-MN-57-12).
    """

    _idx = _bal1_index()
    _obs = np.array(_BAL1_OBS)

    def __init__(self):
        super().__init__(57, 12, _BAL1_X0)

    def _jets(self, x):
        return _ba_residuals(x[self._idx])

    def _cons(self, x):
        rx, ry = self._jets(x)
        return np.column_stack([rx.v, ry.v]).ravel() - self._obs

    def _jac(self, x):
        rx, ry = self._jets(x)
        J = np.zeros((12, 57))
        k = np.arange(6)[:, None]
        J[2 * k, self._idx] = rx.g
        J[2 * k + 1, self._idx] = ry.g
        return J

    def _cons_hess(self, x, lam):
        rx, ry = self._jets(x)
        Hl = lam[0::2, None, None] * rx.H + lam[1::2, None, None] * ry.H
        H = np.zeros((57, 57))
        np.add.at(H, (self._idx[:, :, None], self._idx[:, None, :]), Hl)
        return H
