"""Small fixed-dimension CUTEst problems (most from More, Garbow and Hillstrom 1981).

Each class is the objective of the CUTEst SIF file of the same name (same groups, elements,
constants and group scalings; a SIF group ``SCALE`` s divides the group function, i.e. the
squared group is multiplied by 1/s), with the SIF starting point.  The least-squares problems
``f = sum_i w_i r_i(x)^2`` are written through their residual vector ``r``, its Jacobian ``J``
and the residual Hessians, so that ``grad f = 2 J^T W r`` and
``hess f = 2 (J^T W J + sum_i w_i r_i hess r_i)``.

Reference: J. J. More, B. S. Garbow, K. E. Hillstrom, "Testing unconstrained optimization
software", ACM Trans. Math. Software 7(1):17-41, 1981 (MGH below).
"""
from __future__ import annotations

import numpy as np

from ._base import CUTEstProblem, register


@register("ROSENBR")
class ROSENBR(CUTEstProblem):
    """Rosenbrock's function, f = 100 (x2 - x1^2)^2 + (1 - x1)^2 (MGH problem 1).

    SIF x0 = (-1.2, 1), f* = 0 at (1, 1).
    """

    f_star = 0.0

    def __init__(self):
        super().__init__(2, [-1.2, 1.0])

    def _value(self, x):
        return 100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2

    def _grad(self, x):
        t = x[1] - x[0] ** 2
        return np.array([-400.0 * x[0] * t - 2.0 * (1.0 - x[0]), 200.0 * t])

    def _hess(self, x):
        return np.array([[1200.0 * x[0] ** 2 - 400.0 * x[1] + 2.0, -400.0 * x[0]],
                         [-400.0 * x[0], 200.0]])


# ---------------------------------------------------------------------------------------------
# shared least-squares machinery
# ---------------------------------------------------------------------------------------------

class _LeastSquares(CUTEstProblem):
    """``f(x) = sum_i w_i r_i(x)^2`` from the residuals, their Jacobian and Hessians.

    Subclasses implement ``_residuals(x, order)`` returning ``r`` (order 0), ``(r, J)``
    (order 1) or ``(r, J, T)`` (order 2), with ``J`` the (m, n) Jacobian and ``T`` the
    (m, n, n) stack of residual Hessians; ``_weights`` is None (all ones) or a length-m array
    (the reciprocals of the SIF group scales).
    """

    _weights = None

    def _residuals(self, x, order):  # pragma: no cover - abstract
        raise NotImplementedError

    def _wr(self, r):
        return r if self._weights is None else self._weights * r

    def _value(self, x):
        r = self._residuals(x, 0)
        return float(np.dot(self._wr(r), r))

    def _grad(self, x):
        r, J = self._residuals(x, 1)
        return 2.0 * (J.T @ self._wr(r))

    def _hess(self, x):
        r, J, T = self._residuals(x, 2)
        WJ = J if self._weights is None else self._weights[:, None] * J
        H = J.T @ WJ + np.einsum("i,ijk->jk", self._wr(r), T)
        H = H + H.T          # = 2 * (symmetric part)
        return H


def _pexp_terms(x, t, terms, m, n, order):
    """Sum of terms ``s * x[a] * exp(-t * x[z])`` over ``terms = [(s, a, z), ...]``.

    Returns the values (length m) and, as requested, the Jacobian (m, n) and the residual
    Hessian stack (m, n, n) of the sum.
    """
    val = np.zeros(m)
    J = np.zeros((m, n)) if order >= 1 else None
    T = np.zeros((m, n, n)) if order >= 2 else None
    for s, a, z in terms:          # a handful of terms, vectorized over the data points
        e = np.exp(-t * x[z])
        val += s * x[a] * e
        if order >= 1:
            J[:, a] += s * e
            J[:, z] += -s * t * x[a] * e
        if order >= 2:
            T[:, a, z] += -s * t * e
            T[:, z, a] += -s * t * e
            T[:, z, z] += s * t * t * x[a] * e
    return val, J, T


def _pack(order, r, J, T):
    if order == 0:
        return r
    if order == 1:
        return r, J
    return r, J, T


def _check_int(name, arg, value, lo, hi=None):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name}: {arg} must be an integer, got {value!r}")
    if value < lo or (hi is not None and value > hi):
        rng = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
        raise ValueError(f"{name}: {arg} must be {rng}, got {value}")
    return int(value)


# ---------------------------------------------------------------------------------------------
# MGH / CUTEst problems
# ---------------------------------------------------------------------------------------------

@register("BEALE")
class BEALE(_LeastSquares):
    """Beale's function (MGH problem 5; SIF BEALE).

    f = sum_{k=1}^{3} (c_k - x1 (1 - x2^k))^2, c = (1.5, 2.25, 2.625).

    SIF x0 = (1, 1); f* = 0 at (3, 0.5).

    Source: More, Garbow, Hillstrom 1981, problem 5 (Buckley #89).
    """

    f_star = 0.0
    _k = np.array([1.0, 2.0, 3.0])
    _c = np.array([1.5, 2.25, 2.625])

    def __init__(self):
        super().__init__(2, [1.0, 1.0])

    def _residuals(self, x, order):
        k = self._k
        p = x[1] ** k                                   # x2^k
        r = x[0] * (1.0 - p) - self._c
        if order == 0:
            return r
        pm1 = x[1] ** (k - 1.0)                         # x2^(k-1)
        J = np.column_stack([1.0 - p, -k * x[0] * pm1])
        if order == 1:
            return r, J
        pm2 = np.where(k >= 2.0, x[1] ** np.maximum(k - 2.0, 0.0), 0.0)
        T = np.zeros((3, 2, 2))
        T[:, 0, 1] = T[:, 1, 0] = -k * pm1
        T[:, 1, 1] = -k * (k - 1.0) * x[0] * pm2
        return r, J, T


@register("JENSMP")
class JENSMP(_LeastSquares):
    """Jennrich and Sampson function (MGH problem 6; SIF JENSMP).

    f = sum_{i=1}^{m} (exp(i x1) + exp(i x2) - (2 + 2 i))^2, m = 10 by default.

    SIF x0 = (0.3, 0.4); f* = 124.362 (m = 10, at x1 = x2 = 0.2578; SIF SOLTN 124.362; the
    tight solve gives 124.36218236); f* is None for other ``m``.

    Source: More, Garbow, Hillstrom 1981, problem 6.

    Parameters
    ----------
    m : int, default 10
        Number of residuals (SIF ``M``), m >= 2.
    """

    f_star = 124.36218236

    def __init__(self, *, m=10):
        m = _check_int("JENSMP", "m", m, 2)
        super().__init__(2, [0.3, 0.4], {"m": m})
        self._i = np.arange(1, m + 1, dtype=float)
        if m != 10:
            self.f_star = None

    def _residuals(self, x, order):
        i = self._i
        e1, e2 = np.exp(i * x[0]), np.exp(i * x[1])
        r = e1 + e2 - (2.0 + 2.0 * i)
        if order == 0:
            return r
        J = np.column_stack([i * e1, i * e2])
        if order == 1:
            return r, J
        T = np.zeros((i.size, 2, 2))
        T[:, 0, 0] = i * i * e1
        T[:, 1, 1] = i * i * e2
        return r, J, T


@register("HELIX")
class HELIX(_LeastSquares):
    """Helical valley function (MGH problem 7; SIF HELIX).

    f = 100 (x3 - 10 theta)^2 + 100 (sqrt(x1^2 + x2^2) - 1)^2 + x3^2, where
    theta = c * atan2(x2, x1) with the SIF constant c = 0.15915494 (~ 1 / (2 pi)).
    (The SIF groups are (x3 - 10 theta) and (r - 1) with scale 0.01, and x3.)

    SIF x0 = (-1, 0, 0); f* = 0 at (1, 0, 0).

    Source: More, Garbow, Hillstrom 1981, problem 7 (Buckley #12).

    Notes
    -----
    As in the SIF file, theta uses ``atan2`` (range (-pi, pi]), so f jumps across the half
    line x1 < 0, x2 = 0, on which x0 lies (x0 uses the branch atan2(0, -1) = pi).
    MGH uses arctan(x2/x1) + pi for x1 < 0 instead, which differs in the quadrant x1, x2 < 0.
    """

    f_star = 0.0
    _c = 0.15915494
    _weights = np.array([100.0, 100.0, 1.0])

    def __init__(self):
        super().__init__(3, [-1.0, 0.0, 0.0])

    def _residuals(self, x, order):
        x1, x2, x3 = x
        c = self._c
        r2 = x1 * x1 + x2 * x2
        rad = np.sqrt(r2)
        theta = c * np.arctan2(x2, x1)
        r = np.array([x3 - 10.0 * theta, rad - 1.0, x3])
        if order == 0:
            return r
        dth = c * np.array([-x2, x1]) / r2
        drad = np.array([x1, x2]) / rad
        J = np.array([[-10.0 * dth[0], -10.0 * dth[1], 1.0],
                      [drad[0], drad[1], 0.0],
                      [0.0, 0.0, 1.0]])
        if order == 1:
            return r, J
        T = np.zeros((3, 3, 3))
        hd = 2.0 * x1 * x2
        off = x2 * x2 - x1 * x1
        Hth = c * np.array([[hd, off], [off, -hd]]) / (r2 * r2)
        Hrad = np.array([[x2 * x2, -x1 * x2], [-x1 * x2, x1 * x1]]) / (r2 * rad)
        T[0, :2, :2] = -10.0 * Hth
        T[1, :2, :2] = Hrad
        return r, J, T


@register("BARD")
class BARD(_LeastSquares):
    """Bard function (MGH problem 8; SIF BARD).

    f = sum_{i=1}^{15} (x1 + u_i / (v_i x2 + w_i x3) - y_i)^2 with u_i = i, v_i = 16 - i,
    w_i = min(u_i, v_i) and the 15 tabulated y_i.

    SIF x0 = (1, 1, 1); f* = 8.21487e-3 (MGH; SIF SOLTN 8.2149e-3; tight solve
    8.2148773e-3). MGH also lists a local value 17.4286 at (0.8406, -inf, -inf).

    Source: More, Garbow, Hillstrom 1981, problem 8 (Buckley #16).
    """

    f_star = 8.2148773e-3
    _y = np.array([0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96,
                   1.34, 2.10, 4.39])
    _u = np.arange(1, 16, dtype=float)
    _v = 16.0 - _u
    _w = np.minimum(_u, _v)

    def __init__(self):
        super().__init__(3, [1.0, 1.0, 1.0])

    def _residuals(self, x, order):
        u, v, w = self._u, self._v, self._w
        d = v * x[1] + w * x[2]
        r = x[0] + u / d - self._y
        if order == 0:
            return r
        d2 = d * d
        J = np.column_stack([np.ones_like(u), -u * v / d2, -u * w / d2])
        if order == 1:
            return r, J
        d3 = 2.0 * u / (d2 * d)
        T = np.zeros((u.size, 3, 3))
        T[:, 1, 1] = d3 * v * v
        T[:, 1, 2] = T[:, 2, 1] = d3 * v * w
        T[:, 2, 2] = d3 * w * w
        return r, J, T


@register("GAUSSIAN")
class GAUSSIAN(_LeastSquares):
    """Gaussian function (MGH problem 9; SIF GAUSSIAN).

    f = sum_{i=1}^{15} (x1 exp(-x2 (t_i - x3)^2 / 2) - y_i)^2, t_i = (8 - i) / 2, with the 15
    tabulated y_i.

    SIF x0 = (0.4, 1, 0); f* = 1.12793e-8 (MGH; tight solve 1.1279327696e-8).

    Source: More, Garbow, Hillstrom 1981, problem 9 (Buckley #28).
    """

    f_star = 1.1279327696e-8
    _y = np.array([0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989, 0.3521,
                   0.2420, 0.1295, 0.0540, 0.0175, 0.0044, 0.0009])
    _t = (8.0 - np.arange(1, 16, dtype=float)) * 0.5

    def __init__(self):
        super().__init__(3, [0.4, 1.0, 0.0])

    def _residuals(self, x, order):
        s = self._t - x[2]
        q = -0.5 * s * s
        E = np.exp(x[1] * q)
        F = x[0] * E
        r = F - self._y
        if order == 0:
            return r
        J = np.column_stack([E, q * F, x[1] * s * F])
        if order == 1:
            return r, J
        T = np.zeros((s.size, 3, 3))
        T[:, 0, 1] = T[:, 1, 0] = q * E
        T[:, 0, 2] = T[:, 2, 0] = x[1] * s * E
        T[:, 1, 1] = q * q * F
        T[:, 1, 2] = T[:, 2, 1] = (1.0 + q * x[1]) * s * F
        T[:, 2, 2] = (x[1] * x[1] * s * s - x[1]) * F
        return r, J, T


@register("MEYER3")
class MEYER3(_LeastSquares):
    """Meyer function (MGH problem 10; SIF MEYER3).

    f = sum_{i=1}^{16} (x1 exp(x2 / (t_i + x3)) - y_i)^2, t_i = 45 + 5 i, with the 16
    tabulated y_i.

    SIF x0 = (0.02, 4000, 250); f* = 87.9458 (MGH; SIF SOLTN 87.9458; tight solve
    87.945855171). (The SIF variable scalings do not change the problem.)

    Source: More, Garbow, Hillstrom 1981, problem 10 (Buckley #29).
    """

    f_star = 87.945855171
    _y = np.array([34780.0, 28610.0, 23650.0, 19630.0, 16370.0, 13720.0, 11540.0, 9744.0,
                   8261.0, 7030.0, 6005.0, 5147.0, 4427.0, 3820.0, 3307.0, 2872.0])
    _t = 45.0 + 5.0 * np.arange(1, 17, dtype=float)

    def __init__(self):
        super().__init__(3, [0.02, 4000.0, 250.0])

    def _residuals(self, x, order):
        d = self._t + x[2]
        E = np.exp(x[1] / d)
        F = x[0] * E
        r = F - self._y
        if order == 0:
            return r
        J = np.column_stack([E, F / d, -x[1] * F / (d * d)])
        if order == 1:
            return r, J
        d2 = d * d
        T = np.zeros((d.size, 3, 3))
        T[:, 0, 1] = T[:, 1, 0] = E / d
        T[:, 0, 2] = T[:, 2, 0] = -x[1] * E / d2
        T[:, 1, 1] = F / d2
        T[:, 1, 2] = T[:, 2, 1] = -F / d2 - x[1] * F / (d2 * d)
        T[:, 2, 2] = x[1] * x[1] * F / (d2 * d2) + 2.0 * x[1] * F / (d2 * d)
        return r, J, T


@register("GULF")
class GULF(_LeastSquares):
    """Gulf research and development function (MGH problem 11; SIF GULF).

    f = sum_{i=1}^{m} (exp(-|y_i - x2|^x3 / x1) - t_i)^2, t_i = i / 100,
    y_i = 25 + (-50 ln t_i)^(2/3); m = 99 by default.

    SIF x0 = (5, 2.5, 0.15); f* = 0 at (50, 25, 1.5) for every m.

    Source: More, Garbow, Hillstrom 1981, problem 11 (Buckley #27).

    Parameters
    ----------
    m : int, default 99
        Number of residuals (SIF ``M``), 3 <= m <= 100.
    """

    f_star = 0.0

    def __init__(self, *, m=99):
        m = _check_int("GULF", "m", m, 3, 100)
        super().__init__(3, [5.0, 2.5, 0.15], {"m": m})
        self._t = np.arange(1, m + 1, dtype=float) * 0.01
        self._y = 25.0 + (-50.0 * np.log(self._t)) ** (2.0 / 3.0)

    def _residuals(self, x, order):
        x1, x2, x3 = x
        u = self._y - x2
        au = np.abs(u)
        A = au ** x3 / x1
        E = np.exp(-A)
        r = E - self._t
        if order == 0:
            return r
        L = np.log(au)
        dA = np.column_stack([-A / x1, -x3 * A / u, A * L])
        J = -E[:, None] * dA
        if order == 1:
            return r, J
        HA = np.empty((u.size, 3, 3))
        HA[:, 0, 0] = 2.0 * A / (x1 * x1)
        HA[:, 0, 1] = HA[:, 1, 0] = x3 * A / (u * x1)
        HA[:, 0, 2] = HA[:, 2, 0] = -A * L / x1
        HA[:, 1, 1] = x3 * (x3 - 1.0) * A / (u * u)
        HA[:, 1, 2] = HA[:, 2, 1] = -A * (1.0 + x3 * L) / u
        HA[:, 2, 2] = A * L * L
        T = E[:, None, None] * (dA[:, :, None] * dA[:, None, :] - HA)
        return r, J, T


@register("BOX3")
class BOX3(_LeastSquares):
    """Box three-dimensional function (MGH problem 12; SIF BOX3).

    f = sum_{i=1}^{m} (exp(-t_i x1) - exp(-t_i x2) - x3 (exp(-t_i) - exp(-10 t_i)))^2,
    t_i = 0.1 i; m = 10 by default.

    SIF x0 = (0, 10, 1) (MGH uses (0, 10, 20)); f* = 0 at (1, 10, 1), (10, 1, -1) and on the
    line x1 = x2, x3 = 0, for every m.

    Source: More, Garbow, Hillstrom 1981, problem 12 (Buckley BOX663).

    Parameters
    ----------
    m : int, default 10
        Number of residuals (SIF ``M``), m >= 3.
    """

    f_star = 0.0

    def __init__(self, *, m=10):
        m = _check_int("BOX3", "m", m, 3)
        super().__init__(3, [0.0, 10.0, 1.0], {"m": m})
        i = np.arange(1, m + 1, dtype=float)
        self._t = 0.1 * i
        self._c = np.exp(-i) - np.exp(-self._t)       # the SIF coefficient of x3

    def _residuals(self, x, order):
        t = self._t
        e1, e2 = np.exp(-t * x[0]), np.exp(-t * x[1])
        r = e1 - e2 + self._c * x[2]
        if order == 0:
            return r
        J = np.column_stack([-t * e1, t * e2, self._c])
        if order == 1:
            return r, J
        T = np.zeros((t.size, 3, 3))
        T[:, 0, 0] = t * t * e1
        T[:, 1, 1] = -t * t * e2
        return r, J, T


@register("KOWOSB")
class KOWOSB(_LeastSquares):
    """Kowalik and Osborne function (MGH problem 15; SIF KOWOSB).

    f = sum_{i=1}^{11} (x1 (u_i^2 + u_i x2) / (u_i^2 + u_i x3 + x4) - y_i)^2 with the 11
    tabulated (u_i, y_i).

    SIF x0 = (0.25, 0.39, 0.415, 0.39); f* = 3.0780094673e-4 (tight solve from x0, at
    x ~ (0.1928, 0.1915, 0.1232, 0.1362)).

    Source: More, Garbow, Hillstrom 1981, problem 15.

    Notes
    -----
    The SIF data has u_11 = 0.0624 where MGH has 0.0625; with 0.0625 the minimum is the MGH
    value 3.07505e-4 (reproduced by the tight solve: 3.0750560385e-4), with the SIF data it is
    3.0780094673e-4, which is stored here. The SIF file's SOLTN comment, 1.02734e-3, is the
    MGH value at infinity (x1 -> +inf, x2 = -14.07..., x3, x4 -> -inf), not the minimum.
    """

    f_star = 3.0780094673e-4
    _u = np.array([4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0624])
    _y = np.array([0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323,
                   0.0235, 0.0246])

    def __init__(self):
        super().__init__(4, [0.25, 0.39, 0.415, 0.39])

    def _residuals(self, x, order):
        u = self._u
        N = u * u + u * x[1]
        D = u * u + u * x[2] + x[3]
        r = x[0] * N / D - self._y
        if order == 0:
            return r
        D2 = D * D
        J = np.column_stack([N / D, x[0] * u / D, -x[0] * N * u / D2, -x[0] * N / D2])
        if order == 1:
            return r, J
        D3 = D2 * D
        T = np.zeros((u.size, 4, 4))
        T[:, 0, 1] = T[:, 1, 0] = u / D
        T[:, 0, 2] = T[:, 2, 0] = -N * u / D2
        T[:, 0, 3] = T[:, 3, 0] = -N / D2
        T[:, 1, 2] = T[:, 2, 1] = -x[0] * u * u / D2
        T[:, 1, 3] = T[:, 3, 1] = -x[0] * u / D2
        T[:, 2, 2] = 2.0 * x[0] * N * u * u / D3
        T[:, 2, 3] = T[:, 3, 2] = 2.0 * x[0] * N * u / D3
        T[:, 3, 3] = 2.0 * x[0] * N / D3
        return r, J, T


@register("BROWNDEN")
class BROWNDEN(_LeastSquares):
    """Brown and Dennis function (MGH problem 16; SIF BROWNDEN).

    f = sum_{i=1}^{m} ((x1 + t_i x2 - exp(t_i))^2 + (x3 + x4 sin t_i - cos t_i)^2)^2,
    t_i = i / 5; m = 20 by default.

    SIF x0 = (25, 5, -5, -1); f* = 85822.2 (m = 20; MGH 85822.2, SIF SOLTN 85822.2; tight
    solve 85822.201626); f* is None for other ``m``.

    Source: More, Garbow, Hillstrom 1981, problem 16 (Buckley #30).

    Parameters
    ----------
    m : int, default 20
        Number of residuals (SIF ``M``), m >= 4.
    """

    f_star = 85822.201626

    def __init__(self, *, m=20):
        m = _check_int("BROWNDEN", "m", m, 4)
        super().__init__(4, [25.0, 5.0, -5.0, -1.0], {"m": m})
        self._t = np.arange(1, m + 1, dtype=float) / 5.0
        self._et, self._st, self._ct = np.exp(self._t), np.sin(self._t), np.cos(self._t)
        if m != 20:
            self.f_star = None

    def _residuals(self, x, order):
        t, s = self._t, self._st
        a = x[0] + t * x[1] - self._et
        b = x[2] + x[3] * s - self._ct
        r = a * a + b * b
        if order == 0:
            return r
        J = 2.0 * np.column_stack([a, a * t, b, b * s])
        if order == 1:
            return r, J
        T = np.zeros((t.size, 4, 4))
        T[:, 0, 0] = 2.0
        T[:, 0, 1] = T[:, 1, 0] = 2.0 * t
        T[:, 1, 1] = 2.0 * t * t
        T[:, 2, 2] = 2.0
        T[:, 2, 3] = T[:, 3, 2] = 2.0 * s
        T[:, 3, 3] = 2.0 * s * s
        return r, J, T


@register("OSBORNEA")
class OSBORNEA(_LeastSquares):
    """Osborne 1 function (MGH problem 17; SIF OSBORNEA).

    f = sum_{i=1}^{33} (x1 + x2 exp(-t_i x4) + x3 exp(-t_i x5) - y_i)^2, t_i = 10 (i - 1),
    with the 33 tabulated y_i.

    SIF x0 = (0.5, 1.5, -1, 0.01, 0.02); f* = 5.46489e-5 (MGH; SIF SOLTN 5.46489e-5; tight
    solve 5.4648946976e-5).

    Source: More, Garbow, Hillstrom 1981, problem 17 (Buckley #32).
    """

    f_star = 5.4648946976e-5
    _y = np.array([0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784,
                   0.751, 0.718, 0.685, 0.658, 0.628, 0.603, 0.580, 0.558, 0.538, 0.522,
                   0.506, 0.490, 0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.420,
                   0.414, 0.411, 0.406])
    _t = 10.0 * np.arange(33, dtype=float)
    _terms = ((1.0, 1, 3), (1.0, 2, 4))

    def __init__(self):
        super().__init__(5, [0.5, 1.5, -1.0, 0.01, 0.02])

    def _residuals(self, x, order):
        v, J, T = _pexp_terms(x, self._t, self._terms, 33, 5, order)
        r = x[0] + v - self._y
        if order >= 1:
            J[:, 0] = 1.0
        return _pack(order, r, J, T)


@register("BIGGS6")
class BIGGS6(_LeastSquares):
    """Biggs EXP6 function (MGH problem 18; SIF BIGGS6).

    f = sum_{i=1}^{m} (x3 exp(-t_i x1) - x4 exp(-t_i x2) + x6 exp(-t_i x5) - y_i)^2,
    t_i = 0.1 i, y_i = exp(-t_i) - 5 exp(-10 t_i) + 3 exp(-4 t_i); m = 13 by default.

    SIF x0 = (1, 2, 1, 1, 1, 1); f* = 0 (global, e.g. at (1, 10, 1, 5, 4, 3), for every m).

    Source: More, Garbow, Hillstrom 1981, problem 18; Buckley 1989, problem 21.

    Parameters
    ----------
    m : int, default 13
        Number of residuals (SIF ``M``), m >= 6.

    Notes
    -----
    MGH also lists the local minimum value 5.65565e-3 (m = 13). From x0, Newton-type
    solvers (scipy trust-exact) reach the global value 0 on this formulation; other solvers
    may stop at the local value.
    """

    f_star = 0.0
    _terms = ((1.0, 2, 0), (-1.0, 3, 1), (1.0, 5, 4))

    def __init__(self, *, m=13):
        m = _check_int("BIGGS6", "m", m, 6)
        super().__init__(6, [1.0, 2.0, 1.0, 1.0, 1.0, 1.0], {"m": m})
        self._m = m
        t = 0.1 * np.arange(1, m + 1, dtype=float)
        self._t = t
        self._y = np.exp(-t) - 5.0 * np.exp(-10.0 * t) + 3.0 * np.exp(-4.0 * t)

    def _residuals(self, x, order):
        v, J, T = _pexp_terms(x, self._t, self._terms, self._m, 6, order)
        return _pack(order, v - self._y, J, T)


@register("OSBORNEB")
class OSBORNEB(_LeastSquares):
    """Osborne 2 function (MGH problem 19; SIF OSBORNEB).

    f = sum_{i=1}^{65} (x1 exp(-t_i x5) + x2 exp(-(t_i - x9)^2 x6)
    + x3 exp(-(t_i - x10)^2 x7) + x4 exp(-(t_i - x11)^2 x8) - y_i)^2
    with the 65 tabulated y_i and, as in the SIF file, t_i = (i + 1) / 10
    (MGH has t_i = (i - 1) / 10).

    SIF x0 = (1.3, 0.65, 0.65, 0.7, 0.6, 3, 5, 7, 2, 4.5, 5.5).

    f* = 4.01377e-2 (MGH, SIF SOLTN 0.04013774): the SIF shift of t_i by 0.2 is absorbed by
    the centres x9, x10, x11 and the scale x1 (x1 exp(-t x5) = x1 e^{-0.2 x5} e^{-(t-0.2) x5}),
    so the minimum value is the MGH one; the tight solve from x0 gives 4.0137736294e-2.

    Source: More, Garbow, Hillstrom 1981, problem 19 (Buckley #32).
    """

    f_star = 4.0137736294e-2
    _y = np.array([1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725,
                   0.746, 0.679, 0.608, 0.655, 0.616, 0.606, 0.602, 0.626, 0.651, 0.724,
                   0.649, 0.649, 0.694, 0.644, 0.624, 0.661, 0.612, 0.558, 0.533, 0.495,
                   0.500, 0.423, 0.395, 0.375, 0.372, 0.391, 0.396, 0.405, 0.428, 0.429,
                   0.523, 0.562, 0.607, 0.653, 0.672, 0.708, 0.633, 0.668, 0.645, 0.632,
                   0.591, 0.559, 0.597, 0.625, 0.739, 0.710, 0.729, 0.720, 0.636, 0.581,
                   0.428, 0.292, 0.162, 0.098, 0.054])
    _t = 0.1 * (np.arange(1, 66, dtype=float) + 1.0)
    # (coefficient, centre, width) variable indices of the three Gaussian terms
    _gauss = ((1, 8, 5), (2, 9, 6), (3, 10, 7))

    def __init__(self):
        super().__init__(11, [1.3, 0.65, 0.65, 0.7, 0.6, 3.0, 5.0, 7.0, 2.0, 4.5, 5.5])

    def _residuals(self, x, order):
        t = self._t
        m = t.size
        v, J, T = _pexp_terms(x, t, ((1.0, 0, 4),), m, 11, order)
        r = v - self._y
        for a, z, w in self._gauss:
            s = t - x[z]
            s2 = s * s
            E = np.exp(-s2 * x[w])
            F = x[a] * E
            r += F
            if order >= 1:
                J[:, a] += E
                J[:, z] += 2.0 * s * x[w] * F
                J[:, w] += -s2 * F
            if order >= 2:
                T[:, a, z] += 2.0 * s * x[w] * E
                T[:, z, a] = T[:, a, z]
                T[:, a, w] += -s2 * E
                T[:, w, a] = T[:, a, w]
                T[:, z, z] += (4.0 * s2 * x[w] ** 2 - 2.0 * x[w]) * F
                T[:, z, w] += (2.0 * s - 2.0 * s * s2 * x[w]) * F
                T[:, w, z] = T[:, z, w]
                T[:, w, w] += s2 * s2 * F
        return _pack(order, r, J, T)


@register("WATSON")
class WATSON(_LeastSquares):
    """Watson function (MGH problem 20; SIF WATSON).

    With t_i = i / 29, for i = 1..29::

        r_i = sum_{j=2}^{n} (j - 1) x_j t_i^(j-2) - (sum_{j=1}^{12} x_j t_i^(j-1))^2 - 1,

    r_30 = x1, r_31 = x2 - x1^2 - 1, and f = sum_{i=1}^{31} r_i^2.

    SIF x0 = 0; default n = 12.

    f* (n = 12) = 4.72238e-10 (MGH); the tight solve from x0 gives 4.7223811e-10. The SIF
    file's SOLTN(12) comment, 2.27559922e-9, is not a minimum of this function (the tight
    solve goes below it).

    Source: More, Garbow, Hillstrom 1981, problem 20 (Buckley #128).

    Parameters
    ----------
    n : int, default 12
        Number of variables (SIF ``N``), 12 <= n <= 31.

    Notes
    -----
    As in the SIF file, the squared sum runs over x1..x12 only (its element has 12 fixed
    variables), so for n > 12 the variables x13..xn enter only linearly; this is the
    MGH function for n = 12 only. For n != 12, f* is None (the SIF SOLTN(31) comment,
    1.53795068e-9, is not a minimum either: the tight solve for n = 31 goes below 1e-12).
    """

    f_star = 4.7223811e-10

    def __init__(self, *, n=12):
        n = _check_int("WATSON", "n", n, 12, 31)
        super().__init__(n, np.zeros(n), {"n": n})
        t = np.arange(1, 30, dtype=float) / 29.0
        j = np.arange(1, n + 1, dtype=float)
        # linear part: A[i, j] = (j - 1) t_i^(j - 2) for j >= 2
        A = np.zeros((29, n))
        A[:, 1:] = (j[1:] - 1.0) * t[:, None] ** (j[1:] - 2.0)
        # nonlinear part: U_i = P[i] @ x with P[i, j] = t_i^(j - 1), j <= 12
        P = np.zeros((29, n))
        P[:, :12] = t[:, None] ** (j[:12] - 1.0)
        self._A, self._P = A, P
        if n != 12:
            self.f_star = None

    def _residuals(self, x, order):
        n = self.n
        U = self._P @ x
        r = np.empty(31)
        r[:29] = self._A @ x - U * U - 1.0
        r[29] = x[0]
        r[30] = x[1] - x[0] * x[0] - 1.0
        if order == 0:
            return r
        J = np.zeros((31, n))
        J[:29] = self._A - 2.0 * U[:, None] * self._P
        J[29, 0] = 1.0
        J[30, 0] = -2.0 * x[0]
        J[30, 1] = 1.0
        if order == 1:
            return r, J
        T = np.zeros((31, n, n))
        T[:29] = -2.0 * self._P[:, :, None] * self._P[:, None, :]
        T[30, 0, 0] = -2.0
        return r, J, T


@register("DENSCHNA")
class DENSCHNA(_LeastSquares):
    """Dennis and Schnabel example (p. 206) (SIF DENSCHNA).

    f = x1^4 + (x1 + x2)^2 + (exp(x2) - 1)^2.

    SIF x0 = (1, 1); f* = 0 at (0, 0).

    Source: J. E. Dennis, R. B. Schnabel, "Numerical Methods for Unconstrained Optimization
    and Nonlinear Equations", Prentice-Hall, 1983, p. 206.
    """

    f_star = 0.0

    def __init__(self):
        super().__init__(2, [1.0, 1.0])

    def _residuals(self, x, order):
        e = np.exp(x[1])
        r = np.array([x[0] * x[0], x[0] + x[1], e - 1.0])
        if order == 0:
            return r
        J = np.array([[2.0 * x[0], 0.0], [1.0, 1.0], [0.0, e]])
        if order == 1:
            return r, J
        T = np.zeros((3, 2, 2))
        T[0, 0, 0] = 2.0
        T[2, 1, 1] = e
        return r, J, T


@register("DENSCHNB")
class DENSCHNB(_LeastSquares):
    """Dennis and Schnabel example (p. 201) (SIF DENSCHNB).

    f = (x1 - 2)^2 + ((x1 - 2) x2)^2 + (x2 + 1)^2.

    SIF x0 = (1, 1); f* = 0 at (2, -1).

    Source: Dennis and Schnabel 1983, p. 201.
    """

    f_star = 0.0

    def __init__(self):
        super().__init__(2, [1.0, 1.0])

    def _residuals(self, x, order):
        a = x[0] - 2.0
        r = np.array([a, a * x[1], x[1] + 1.0])
        if order == 0:
            return r
        J = np.array([[1.0, 0.0], [x[1], a], [0.0, 1.0]])
        if order == 1:
            return r, J
        T = np.zeros((3, 2, 2))
        T[1, 0, 1] = T[1, 1, 0] = 1.0
        return r, J, T


@register("DENSCHNC")
class DENSCHNC(_LeastSquares):
    """Dennis and Schnabel example (p. 98) (SIF DENSCHNC).

    f = (x1^2 + x2^2 - 2)^2 + (exp(x1 - 1) + x2^3 - 2)^2.

    SIF x0 = (2, 3); f* = 0 at (1, 1) (reached from x0).

    Source: Dennis and Schnabel 1983, p. 98.
    """

    f_star = 0.0

    def __init__(self):
        super().__init__(2, [2.0, 3.0])

    def _residuals(self, x, order):
        e = np.exp(x[0] - 1.0)
        r = np.array([x[0] ** 2 + x[1] ** 2 - 2.0, e + x[1] ** 3 - 2.0])
        if order == 0:
            return r
        J = np.array([[2.0 * x[0], 2.0 * x[1]], [e, 3.0 * x[1] ** 2]])
        if order == 1:
            return r, J
        T = np.zeros((2, 2, 2))
        T[0, 0, 0] = T[0, 1, 1] = 2.0
        T[1, 0, 0] = e
        T[1, 1, 1] = 6.0 * x[1]
        return r, J, T


@register("DENSCHND")
class DENSCHND(_LeastSquares):
    """Dennis and Schnabel example (p. 83) (SIF DENSCHND).

    f = (x1^2 + x2^3 - x3^4)^2 + (2 x1 x2 x3)^2 + (2 x1 x2 - 3 x2 x3 + x1 x3)^2.

    SIF x0 = (10, 10, 10); f* = 0 at (0, 0, 0) (a highly degenerate minimizer: Newton-type
    methods converge to it only sublinearly).

    Source: Dennis and Schnabel 1983, p. 83.
    """

    f_star = 0.0

    def __init__(self):
        super().__init__(3, [10.0, 10.0, 10.0])

    def _residuals(self, x, order):
        x1, x2, x3 = x
        r = np.array([x1 * x1 + x2 ** 3 - x3 ** 4,
                      2.0 * x1 * x2 * x3,
                      2.0 * x1 * x2 - 3.0 * x2 * x3 + x1 * x3])
        if order == 0:
            return r
        J = np.array([[2.0 * x1, 3.0 * x2 * x2, -4.0 * x3 ** 3],
                      [2.0 * x2 * x3, 2.0 * x1 * x3, 2.0 * x1 * x2],
                      [2.0 * x2 + x3, 2.0 * x1 - 3.0 * x3, -3.0 * x2 + x1]])
        if order == 1:
            return r, J
        T = np.zeros((3, 3, 3))
        T[0] = np.diag([2.0, 6.0 * x2, -12.0 * x3 * x3])
        T[1] = 2.0 * np.array([[0.0, x3, x2], [x3, 0.0, x1], [x2, x1, 0.0]])
        T[2] = np.array([[0.0, 2.0, 1.0], [2.0, 0.0, -3.0], [1.0, -3.0, 0.0]])
        return r, J, T


@register("DENSCHNE")
class DENSCHNE(_LeastSquares):
    """Dennis and Schnabel example (p. 107) (SIF DENSCHNE).

    f = x1^2 + (x2 + x2^2)^2 + (exp(x3) - 1)^2.

    SIF x0 = (2, 3, -8); f* = 0 at (0, 0, 0) (also at (0, -1, 0)).

    Source: Dennis and Schnabel 1983, p. 107.
    """

    f_star = 0.0

    def __init__(self):
        super().__init__(3, [2.0, 3.0, -8.0])

    def _residuals(self, x, order):
        e = np.exp(x[2])
        r = np.array([x[0], x[1] + x[1] ** 2, e - 1.0])
        if order == 0:
            return r
        J = np.array([[1.0, 0.0, 0.0], [0.0, 1.0 + 2.0 * x[1], 0.0], [0.0, 0.0, e]])
        if order == 1:
            return r, J
        T = np.zeros((3, 3, 3))
        T[1, 1, 1] = 2.0
        T[2, 2, 2] = e
        return r, J, T


@register("DENSCHNF")
class DENSCHNF(_LeastSquares):
    """Dennis and Schnabel example (p. 107) (SIF DENSCHNF).

    f = (2 (x1 + x2)^2 + (x1 - x2)^2 - 8)^2 + (5 x1^2 + (x2 - 3)^2 - 9)^2.

    SIF x0 = (2, 0); f* = 0 (zero-residual solutions, e.g. (1, 1)).

    Source: Dennis and Schnabel 1983, p. 107.
    """

    f_star = 0.0

    def __init__(self):
        super().__init__(2, [2.0, 0.0])

    def _residuals(self, x, order):
        p, q = x[0] + x[1], x[0] - x[1]
        r = np.array([2.0 * p * p + q * q - 8.0, 5.0 * x[0] ** 2 + (x[1] - 3.0) ** 2 - 9.0])
        if order == 0:
            return r
        J = np.array([[4.0 * p + 2.0 * q, 4.0 * p - 2.0 * q],
                      [10.0 * x[0], 2.0 * (x[1] - 3.0)]])
        if order == 1:
            return r, J
        T = np.zeros((2, 2, 2))
        T[0] = np.array([[6.0, 2.0], [2.0, 6.0]])
        T[1] = np.array([[10.0, 0.0], [0.0, 2.0]])
        return r, J, T


@register("HIMMELBB")
class HIMMELBB(_LeastSquares):
    """Himmelblau's problem 27 (SIF HIMMELBB).

    f = (x1 x2 (1 - x1) (1 - x2 - x1 (1 - x1)^5))^2.

    SIF x0 = (-1.2, 1); f* = 0 (attained on the curves x1 = 0, x1 = 1, x2 = 0 and
    x2 = 1 - x1 (1 - x1)^5).

    Source: D. H. Himmelblau, "Applied Nonlinear Programming", McGraw-Hill, 1972,
    problem 27; Buckley #77.
    """

    f_star = 0.0

    def __init__(self):
        super().__init__(2, [-1.2, 1.0])

    def _residuals(self, x, order):
        x1, x2 = x
        w = 1.0 - x1
        g = x1 * w                       # x1 (1 - x1)
        h = 1.0 - x2 - x1 * w ** 5       # 1 - x2 - x1 (1 - x1)^5
        r = np.array([x2 * g * h])
        if order == 0:
            return r
        dg = 1.0 - 2.0 * x1
        dq = w ** 4 * (1.0 - 6.0 * x1)   # d/dx1 of x1 (1 - x1)^5
        J = np.array([[x2 * (dg * h - g * dq), g * (h - x2)]])
        if order == 1:
            return r, J
        d2q = 10.0 * w ** 3 * (3.0 * x1 - 1.0)
        h11 = x2 * (-2.0 * h - 2.0 * dg * dq - g * d2q)
        h12 = dg * h - g * dq - x2 * dg
        T = np.array([[[h11, h12], [h12, -2.0 * g]]])
        return r, J, T


@register("SINEVAL")
class SINEVAL(_LeastSquares):
    """A trigonometric variant of Rosenbrock's function (SIF SINEVAL).

    f = 1000 (x2 - sin x1)^2 + x1^2 / 4 (SIF groups x2 - sin x1 with scale 1e-3 and x1 with
    scale 4).

    SIF x0 = (4.712389, -1); f* = 0 at (0, 0).

    Source: problem 4.2 in Y. Xiao and F. Zhou, "Non-monotone trust region methods with
    curvilinear path in unconstrained optimization", Computing 48:303-317, 1992.
    """

    f_star = 0.0
    _weights = np.array([1.0e3, 0.25])

    def __init__(self):
        super().__init__(2, [4.712389, -1.0])

    def _residuals(self, x, order):
        s = np.sin(x[0])
        r = np.array([x[1] - s, x[0]])
        if order == 0:
            return r
        J = np.array([[-np.cos(x[0]), 1.0], [1.0, 0.0]])
        if order == 1:
            return r, J
        T = np.zeros((2, 2, 2))
        T[0, 0, 0] = s
        return r, J, T


@register("CUBE")
class CUBE(_LeastSquares):
    """A cubic variant of Rosenbrock's function (SIF CUBE).

    f = (x1 - 1)^2 + 100 (x2 - x1^3)^2.

    SIF x0 = (-1.2, 1); f* = 0 at (1, 1).

    Source: Buckley 1989, problem 5 (p. 89).
    """

    f_star = 0.0
    _weights = np.array([1.0, 100.0])

    def __init__(self):
        super().__init__(2, [-1.2, 1.0])

    def _residuals(self, x, order):
        r = np.array([x[0] - 1.0, x[1] - x[0] ** 3])
        if order == 0:
            return r
        J = np.array([[1.0, 0.0], [-3.0 * x[0] ** 2, 1.0]])
        if order == 1:
            return r, J
        T = np.zeros((2, 2, 2))
        T[1, 0, 0] = -6.0 * x[0]
        return r, J, T
