"""Scalable CUTEst problems (dimension parameter ``n``), with sparse Hessians.

Every class is the objective of its CUTEst SIF file written natively: the same groups,
constants (subtracted from the group's linear part) and group scalings (the group function
divided by its ``'SCALE'``), the SIF starting point and the SIF dimension parameter, exposed
as the keyword-only ``n``. Gradients and Hessians are exact and analytic; Hessians are
assembled in O(nnz) with vectorised numpy and returned as symmetric scipy CSR matrices.

Four problems have a dense Hessian (diagonal plus low rank: PENALTY1, PENALTY2, VARDIM,
BROWNAL). For them ``hess`` returns the exact Hessian as a fully stored CSR matrix (n^2
entries, only sensible for moderate ``n``) and ``hvp`` is overridden with an O(n) formula.

Default dimensions are the CUTEst SIF defaults (the S2MPJ copies of the SIF files replace
them by tiny "S2X test" values; the line they replace is the CUTEst default). ``f_star``
is the established optimal value: a constant where it is the same for every ``n``, else
tabulated per ``n`` (the SIF ``SOLTN`` comments, confirmed to all shown digits by a tight
Newton solve from the SIF starting point with the derivatives of this module) and None for
an ``n`` that is not tabulated.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._base import CUTEstProblem, register

__all__ = [
    "GENROSE", "EXTROSNB", "FREUROTH", "POWELLSG", "WOODS", "PENALTY1", "PENALTY2",
    "VARDIM", "BROWNAL", "ARWHEAD", "BDQRTIC", "CHAINWOO", "NONDIA", "QUARTC", "SROSENBR",
    "TRIDIA", "ENGVAL1", "FLETCHCR", "DIXMAANA",
]


# ----------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------

def _check_n(name, n, *, minimum, multiple=1):
    """Validate the dimension ``n``: an integer >= ``minimum`` and a multiple of ``multiple``."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise ValueError(f"{name}: n must be an integer, got {n!r}")
    n = int(n)
    rule = f"n >= {minimum}" + (f" and n a multiple of {multiple}" if multiple > 1 else "")
    if n < minimum or n % multiple:
        raise ValueError(f"{name} needs {rule}, got n = {n}")
    return n


def _coo_sym(n, rows, cols, vals):
    """CSR matrix from triplets listing BOTH triangles (duplicates are summed)."""
    rows = np.concatenate(rows)
    cols = np.concatenate(cols)
    vals = np.concatenate(vals)
    return sp.coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()


def _sym_entries(pairs):
    """Expand ``[(i, j, v, off), ...]`` (index arrays, values) into COO triplets.

    Entries with ``off`` False are given once (diagonal); with ``off`` True they are also
    mirrored to ``(j, i)``.
    """
    rows, cols, vals = [], [], []
    for i, j, v, off in pairs:
        v = np.broadcast_to(np.asarray(v, dtype=np.float64), np.shape(i))
        rows.append(np.asarray(i))
        cols.append(np.asarray(j))
        vals.append(v)
        if off:
            rows.append(np.asarray(j))
            cols.append(np.asarray(i))
            vals.append(v)
    return rows, cols, vals


def _dense_csr(H):
    """A dense (n, n) array as a fully stored CSR matrix, built in O(n^2) without scanning."""
    n = H.shape[0]
    indptr = np.arange(0, n * n + 1, n, dtype=np.int64)
    indices = np.tile(np.arange(n, dtype=np.int64), n)
    return sp.csr_matrix((np.ascontiguousarray(H).ravel(), indices, indptr), shape=(n, n))


def _tridiag(d, off):
    """Symmetric tridiagonal CSR matrix with diagonal ``d`` and off-diagonal ``off``."""
    return sp.diags([off, d, off], [-1, 0, 1], format="csr")


# ----------------------------------------------------------------------------------------
# Rosenbrock-type chains
# ----------------------------------------------------------------------------------------

@register("GENROSE")
class GENROSE(CUTEstProblem):
    """The generalized Rosenbrock function (CUTEst GENROSE).

    .. math::

        f(x) = 1 + \\sum_{i=2}^{n} \\left[ 100 (x_i - x_{i-1}^2)^2 + (x_i - 1)^2 \\right]

    (the constant 1 is the SIF objective group ``OBJ`` with constant -1; the groups
    ``Q(i)`` have ``'SCALE'`` 0.01).

    Parameters
    ----------
    n : int, default 500
        Number of variables, ``n >= 2`` (SIF options 5, 10, 100, 500; CUTEst default 500).

    Notes
    -----
    SIF x0: ``x_i = i / (n + 1)``. f* = 1 at ``x = (1, ..., 1)`` for every ``n``
    (SIF ``SOLTN`` 1.0); a Newton solve from x0 reaches it.

    Source: problem 5 in S. Nash, "Newton-type minimization via the Lanczos process",
    SIAM J. Num. Anal. 21 (1984) 770-788; SIF input N. Gould, Oct 1992 (GENROSE.SIF).
    """

    f_star = 1.0
    sparse_hessian = True

    def __init__(self, *, n=500):
        n = _check_n("GENROSE", n, minimum=2)
        super().__init__(n, np.arange(1, n + 1) / (n + 1.0), {"n": n})

    def _value(self, x):
        t = x[1:] - x[:-1] ** 2
        u = x[1:] - 1.0
        return 1.0 + 100.0 * (t @ t) + u @ u

    def _grad(self, x):
        t = x[1:] - x[:-1] ** 2
        g = np.zeros_like(x)
        g[1:] += 200.0 * t + 2.0 * (x[1:] - 1.0)
        g[:-1] -= 400.0 * t * x[:-1]
        return g

    def _hess(self, x):
        t = x[1:] - x[:-1] ** 2
        d = np.zeros(self.n)
        d[1:] += 202.0
        d[:-1] += -400.0 * t + 800.0 * x[:-1] ** 2
        return _tridiag(d, -400.0 * x[:-1])


@register("EXTROSNB")
class EXTROSNB(CUTEstProblem):
    """The extended Rosenbrock function, nonseparable version (CUTEst EXTROSNB).

    .. math::

        f(x) = (x_1 - 1)^2 + \\sum_{i=2}^{n} 100 (x_i - x_{i-1}^2)^2

    (groups ``SQ(i)`` with ``'SCALE'`` 0.01).

    Parameters
    ----------
    n : int, default 1000
        Number of variables, ``n >= 2`` (SIF options 5, 10, 100, 1000).

    Notes
    -----
    SIF x0: ``x_i = -1``. f* = 0 at ``x = (1, ..., 1)`` for every ``n`` (SIF ``SOLTN`` 0).

    Source: problem 10 in Ph. L. Toint, "Test problems for partially separable optimization
    and results for the routine PSPMIN", Report 83/4, FUNDP Namur, 1983; Buckley #116;
    SIF input Ph. Toint, Dec 1989 (EXTROSNB.SIF).
    """

    f_star = 0.0
    sparse_hessian = True

    def __init__(self, *, n=1000):
        n = _check_n("EXTROSNB", n, minimum=2)
        super().__init__(n, -np.ones(n), {"n": n})

    def _value(self, x):
        t = x[1:] - x[:-1] ** 2
        return (x[0] - 1.0) ** 2 + 100.0 * (t @ t)

    def _grad(self, x):
        t = x[1:] - x[:-1] ** 2
        g = np.zeros_like(x)
        g[0] += 2.0 * (x[0] - 1.0)
        g[1:] += 200.0 * t
        g[:-1] -= 400.0 * t * x[:-1]
        return g

    def _hess(self, x):
        t = x[1:] - x[:-1] ** 2
        d = np.zeros(self.n)
        d[0] += 2.0
        d[1:] += 200.0
        d[:-1] += -400.0 * t + 800.0 * x[:-1] ** 2
        return _tridiag(d, -400.0 * x[:-1])


@register("FLETCHCR")
class FLETCHCR(CUTEstProblem):
    """The chained Rosenbrock function as given by Fletcher (CUTEst FLETCHCR).

    .. math::

        f(x) = \\sum_{i=1}^{n-1} \\left[ 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2 \\right]

    (groups ``SQ1(i)`` with ``'SCALE'`` 0.01, ``SQ2(i) = 1 - x_i``).

    Parameters
    ----------
    n : int, default 1000
        Number of variables, ``n >= 2`` (SIF options 10, 100, 1000).

    Notes
    -----
    SIF x0: ``x = 0``. f* = 0 at ``x = (1, ..., 1)`` for every ``n`` (SIF ``SOLTN`` 0).

    Source: the second problem in R. Fletcher, "An optimal positive definite update for
    sparse Hessian matrices", Report NA/145, University of Dundee, 1992; SIF input
    N. Gould, Oct 1992 (FLETCHCR.SIF).
    """

    f_star = 0.0
    sparse_hessian = True

    def __init__(self, *, n=1000):
        n = _check_n("FLETCHCR", n, minimum=2)
        super().__init__(n, np.zeros(n), {"n": n})

    def _value(self, x):
        t = x[1:] - x[:-1] ** 2
        u = 1.0 - x[:-1]
        return 100.0 * (t @ t) + u @ u

    def _grad(self, x):
        t = x[1:] - x[:-1] ** 2
        g = np.zeros_like(x)
        g[1:] += 200.0 * t
        g[:-1] += -400.0 * t * x[:-1] - 2.0 * (1.0 - x[:-1])
        return g

    def _hess(self, x):
        t = x[1:] - x[:-1] ** 2
        d = np.zeros(self.n)
        d[1:] += 200.0
        d[:-1] += -400.0 * t + 800.0 * x[:-1] ** 2 + 2.0
        return _tridiag(d, -400.0 * x[:-1])


@register("SROSENBR")
class SROSENBR(CUTEstProblem):
    """The separable extension of Rosenbrock's function (CUTEst SROSENBR; MGH 21).

    .. math::

        f(x) = \\sum_{i=1}^{n/2} \\left[ 100 (x_{2i} - x_{2i-1}^2)^2 + (1 - x_{2i-1})^2 \\right]

    Parameters
    ----------
    n : int, default 5000
        Number of variables, even, ``n >= 2`` (the SIF parameter is ``N/2``; options
        n = 10, 50, 100, 500, 1000, 5000, 10000; CUTEst default 5000).

    Notes
    -----
    x0: ``(-1.2, 1, -1.2, 1, ...)``, the starting point of MGH 21 and the "second, correct"
    starting point added to SROSENBR.SIF in Dec 2024 (the file's first START POINT section
    does not set every variable as intended). f* = 0 at ``x = (1, ..., 1)`` for every
    ``n`` (SIF ``SOLTN`` 0).

    Source: problem 21 in J. J. More, B. S. Garbow, K. E. Hillstrom, "Testing
    unconstrained optimization software", ACM TOMS 7(1) (1981) 17-41; SIF input Ph. Toint,
    Dec 1989 (SROSENBR.SIF).
    """

    f_star = 0.0
    sparse_hessian = True

    def __init__(self, *, n=5000):
        n = _check_n("SROSENBR", n, minimum=2, multiple=2)
        x0 = np.empty(n)
        x0[0::2] = -1.2
        x0[1::2] = 1.0
        super().__init__(n, x0, {"n": n})

    def _value(self, x):
        a, b = x[0::2], x[1::2]
        t = b - a ** 2
        return 100.0 * (t @ t) + (1.0 - a) @ (1.0 - a)

    def _grad(self, x):
        a, b = x[0::2], x[1::2]
        t = b - a ** 2
        g = np.empty_like(x)
        g[0::2] = -400.0 * t * a - 2.0 * (1.0 - a)
        g[1::2] = 200.0 * t
        return g

    def _hess(self, x):
        a, b = x[0::2], x[1::2]
        d = np.empty(self.n)
        d[0::2] = 1200.0 * a ** 2 - 400.0 * b + 2.0
        d[1::2] = 200.0
        off = np.zeros(self.n - 1)
        off[0::2] = -400.0 * a
        return _tridiag(d, off)


@register("NONDIA")
class NONDIA(CUTEstProblem):
    """Shanno's nondiagonal extension of Rosenbrock's function (CUTEst NONDIA).

    .. math::

        f(x) = (x_1 - 1)^2 + \\sum_{i=2}^{n} 100 (x_1 - x_{i-1}^2)^2

    (groups ``SQ(i)`` with ``'SCALE'`` 0.01; the ``i = 2`` term is ``100 (x_1 - x_1^2)^2``).
    The Hessian is an arrowhead matrix (first row/column plus diagonal).

    Parameters
    ----------
    n : int, default 5000
        Number of variables, ``n >= 2`` (SIF options 10, 20, 30, 50, 90, 100, 500, 1000,
        5000, 10000; CUTEst default 5000).

    Notes
    -----
    SIF x0: ``x_i = -1``. f* = 0 at ``x = (1, ..., 1)`` for every ``n`` (SIF ``SOLTN`` 0),
    reached from x0 by Newton-CG (n = 12) and trust-krylov (n = 5000). There is also a
    non-global local minimum, f = 0.989897 at ``x_1 = 0.0102``, ``x_k = -sqrt(x_1)``
    (singular Hessian), where trust-exact from x0 stops at n = 12.

    Source: D. Shanno, "On variable metric methods for sparse Hessians II: the new
    method", MIS Tech. Report 27, University of Arizona, 1978; Buckley #37, Toint #15;
    SIF input Ph. Toint, Dec 1989 (NONDIA.SIF).
    """

    f_star = 0.0
    sparse_hessian = True

    def __init__(self, *, n=5000):
        n = _check_n("NONDIA", n, minimum=2)
        super().__init__(n, -np.ones(n), {"n": n})

    def _value(self, x):
        t = x[0] - x[:-1] ** 2
        return (x[0] - 1.0) ** 2 + 100.0 * (t @ t)

    def _grad(self, x):
        t = x[0] - x[:-1] ** 2
        g = np.zeros_like(x)
        g[:-1] += -400.0 * t * x[:-1]
        g[0] += 2.0 * (x[0] - 1.0) + 200.0 * t.sum()
        return g

    def _hess(self, x):
        n = self.n
        y = x[:-1]
        t = x[0] - y ** 2
        k = np.arange(n - 1)
        zero = np.zeros(n - 1, dtype=np.int64)
        # each term 100 t_k^2, grad t_k = e_1 - 2 x_k e_k (k = 1 handled by summing duplicates)
        rows, cols, vals = _sym_entries([
            (k, k, 800.0 * y ** 2 - 400.0 * t, False),
            (zero, k, -400.0 * y, True),
        ])
        rows.append(np.array([0]))
        cols.append(np.array([0]))
        vals.append(np.array([2.0 + 200.0 * (n - 1)]))
        return _coo_sym(n, rows, cols, vals)


# ----------------------------------------------------------------------------------------
# block problems
# ----------------------------------------------------------------------------------------

def _woods_block(p, q, r, s):
    """Value, gradient and Hessian pieces of the Woods block used by WOODS and CHAINWOO.

    Block: 100 (q - p^2)^2 + (1 - p)^2 + 90 (s - r^2)^2 + (1 - r)^2
    + 10 (q + s - 2)^2 + 0.1 (q - s)^2.
    """
    t1 = q - p ** 2
    t2 = s - r ** 2
    e = q + s - 2.0
    d = q - s
    val = (100.0 * (t1 @ t1) + (1.0 - p) @ (1.0 - p) + 90.0 * (t2 @ t2)
           + (1.0 - r) @ (1.0 - r) + 10.0 * (e @ e) + 0.1 * (d @ d))
    gp = -400.0 * t1 * p - 2.0 * (1.0 - p)
    gq = 200.0 * t1 + 20.0 * e + 0.2 * d
    gr = -360.0 * t2 * r - 2.0 * (1.0 - r)
    gs = 180.0 * t2 + 20.0 * e - 0.2 * d
    return val, gp, gq, gr, gs


def _woods_hess_entries(ip, iq, ir, is_, p, q, r, s):
    """Triplets (both triangles) of the Hessians of the Woods blocks at indices ip..is_."""
    return _sym_entries([
        (ip, ip, 1200.0 * p ** 2 - 400.0 * q + 2.0, False),
        (iq, iq, 220.2, False),
        (ir, ir, 1080.0 * r ** 2 - 360.0 * s + 2.0, False),
        (is_, is_, 200.2, False),
        (ip, iq, -400.0 * p, True),
        (ir, is_, -360.0 * r, True),
        (iq, is_, 19.8, True),
    ])


@register("WOODS")
class WOODS(CUTEstProblem):
    """The extended Woods function (CUTEst WOODS; MGH 14).

    With ``(p, q, r, s) = (x_{4k-3}, x_{4k-2}, x_{4k-1}, x_{4k})``:

    .. math::

        f(x) = \\sum_{k=1}^{n/4} \\Big[ 100 (q - p^2)^2 + (1 - p)^2 + 90 (s - r^2)^2
        + (1 - r)^2 + 10 (q + s - 2)^2 + 0.1 (q - s)^2 \\Big]

    (SIF groups A..F with scales 0.01, 1, 1/90, 1, 0.1, 10; the unused ``CONST`` group has
    no constant in WOODS and contributes 0).

    Parameters
    ----------
    n : int, default 4000
        Number of variables, a multiple of 4, ``n >= 4`` (the SIF parameter is ``NS = n/4``;
        options NS = 1, 25, 250, 1000, 2500; default NS = 1000).

    Notes
    -----
    SIF x0: ``x_i = -3`` for odd ``i``, ``-1`` for even ``i``. f* = 0 at ``x = (1, ..., 1)``
    for every ``n`` (SIF ``SOLTN`` 0).

    Source: problem 14 in More, Garbow, Hillstrom (1981); Toint #27, Buckley #17;
    SIF input Ph. Toint, Dec 1989 (WOODS.SIF).
    """

    f_star = 0.0
    sparse_hessian = True

    def __init__(self, *, n=4000):
        n = _check_n("WOODS", n, minimum=4, multiple=4)
        x0 = np.empty(n)
        x0[0::2] = -3.0
        x0[1::2] = -1.0
        super().__init__(n, x0, {"n": n})

    def _value(self, x):
        return _woods_block(x[0::4], x[1::4], x[2::4], x[3::4])[0]

    def _grad(self, x):
        _, gp, gq, gr, gs = _woods_block(x[0::4], x[1::4], x[2::4], x[3::4])
        g = np.empty_like(x)
        g[0::4], g[1::4], g[2::4], g[3::4] = gp, gq, gr, gs
        return g

    def _hess(self, x):
        i = np.arange(0, self.n, 4)
        rows, cols, vals = _woods_hess_entries(i, i + 1, i + 2, i + 3, x[0::4], x[1::4],
                                               x[2::4], x[3::4])
        return _coo_sym(self.n, rows, cols, vals)


@register("CHAINWOO")
class CHAINWOO(CUTEstProblem):
    """The chained Woods problem (CUTEst CHAINWOO).

    With ``(p, q, r, s) = (x_{2k-1}, x_{2k}, x_{2k+1}, x_{2k+2})`` (overlapping blocks):

    .. math::

        f(x) = 1 + \\sum_{k=1}^{(n-2)/2} \\Big[ 100 (q - p^2)^2 + (1 - p)^2
        + 90 (s - r^2)^2 + (1 - r)^2 + 10 (q + s - 2)^2 + 0.1 (q - s)^2 \\Big]

    The constant 1 is the SIF group ``CONST`` (constant 1, least-squares group type), so
    ``f >= 1``.

    Parameters
    ----------
    n : int, default 4000
        Number of variables, even, ``n >= 4`` (the SIF parameter is ``NS = (n - 2)/2``;
        CUTEst default NS = 1999, n = 4000).

    Notes
    -----
    SIF x0: ``x = (-3, -1, -3, -1, -2, -2, ..., -2)``. f* = 1 at ``x = (1, ..., 1)`` for
    every ``n`` (the SIF ``SOLTN`` comment says 0, which omits the constant group). The
    problem has other local minima: trust-region Newton from x0 reaches f* = 1 (trust-exact
    at n = 12, 100, 1000; trust-krylov at n = 4000), but a line-search Newton-CG run from x0
    at n = 4000 stops at a local minimizer with f = 1612.2277 (positive definite Hessian),
    and one trust-krylov run stopped at a stationary point with f = 16.596.

    Source: problem 8 in A. R. Conn, N. I. M. Gould, Ph. L. Toint, "Testing a class of
    methods for solving minimization problems with simple bounds on the variables",
    Math. Comp. 50 (1988) 399-430; SIF input N. Gould and Ph. Toint, Dec 1995
    (CHAINWOO.SIF).
    """

    f_star = 1.0
    sparse_hessian = True

    def __init__(self, *, n=4000):
        n = _check_n("CHAINWOO", n, minimum=4, multiple=2)
        x0 = np.full(n, -2.0)
        x0[:4] = (-3.0, -1.0, -3.0, -1.0)
        super().__init__(n, x0, {"n": n})

    @staticmethod
    def _blocks(x):
        return x[0:-2:2], x[1:-2:2], x[2::2], x[3::2]

    def _value(self, x):
        return 1.0 + _woods_block(*self._blocks(x))[0]

    def _grad(self, x):
        _, gp, gq, gr, gs = _woods_block(*self._blocks(x))
        g = np.zeros_like(x)
        g[0:-2:2] += gp
        g[1:-2:2] += gq
        g[2::2] += gr
        g[3::2] += gs
        return g

    def _hess(self, x):
        i = np.arange(0, self.n - 2, 2)
        rows, cols, vals = _woods_hess_entries(i, i + 1, i + 2, i + 3, *self._blocks(x))
        return _coo_sym(self.n, rows, cols, vals)


@register("POWELLSG")
class POWELLSG(CUTEstProblem):
    """The extended Powell singular function (CUTEst POWELLSG; MGH 13).

    With ``(a, b, c, d) = (x_{4k-3}, x_{4k-2}, x_{4k-1}, x_{4k})``:

    .. math::

        f(x) = \\sum_{k=1}^{n/4} \\Big[ (a + 10 b)^2 + 5 (c - d)^2 + (b - 2 c)^4
        + 10 (a - d)^4 \\Big]

    (SIF groups with scales 1, 0.2, 1, 0.1 and group types L2, L2, L4, L4).

    Parameters
    ----------
    n : int, default 5000
        Number of variables, a multiple of 4, ``n >= 4`` (SIF options 4, 8, 16, 20, 36,
        40, 60, 80, 100, 500, 1000, 5000, 10000; CUTEst default 5000).

    Notes
    -----
    SIF x0: ``(3, -1, 0, 1)`` repeated. f* = 0 at ``x = 0`` for every ``n`` (SIF ``SOLTN``
    0); the minimizer is singular (Hessian rank n/2), so Newton converges only linearly.

    Source: problem 13 in More, Garbow, Hillstrom (1981); Toint #19, Buckley #34;
    SIF input Ph. Toint, Dec 1989 (POWELLSG.SIF).
    """

    f_star = 0.0
    sparse_hessian = True

    def __init__(self, *, n=5000):
        n = _check_n("POWELLSG", n, minimum=4, multiple=4)
        super().__init__(n, np.tile([3.0, -1.0, 0.0, 1.0], n // 4), {"n": n})

    def _value(self, x):
        a, b, c, d = x[0::4], x[1::4], x[2::4], x[3::4]
        u, v, w, z = a + 10.0 * b, c - d, b - 2.0 * c, a - d
        return u @ u + 5.0 * (v @ v) + np.sum(w ** 4) + 10.0 * np.sum(z ** 4)

    def _grad(self, x):
        a, b, c, d = x[0::4], x[1::4], x[2::4], x[3::4]
        u, v, w, z = a + 10.0 * b, c - d, b - 2.0 * c, a - d
        w3, z3 = w ** 3, z ** 3
        g = np.empty_like(x)
        g[0::4] = 2.0 * u + 40.0 * z3
        g[1::4] = 20.0 * u + 4.0 * w3
        g[2::4] = 10.0 * v - 8.0 * w3
        g[3::4] = -10.0 * v - 40.0 * z3
        return g

    def _hess(self, x):
        a, b, c, d = x[0::4], x[1::4], x[2::4], x[3::4]
        w2, z2 = (b - 2.0 * c) ** 2, (a - d) ** 2
        i = np.arange(0, self.n, 4)
        ia, ib, ic, id_ = i, i + 1, i + 2, i + 3
        rows, cols, vals = _sym_entries([
            (ia, ia, 2.0 + 120.0 * z2, False),
            (ib, ib, 200.0 + 12.0 * w2, False),
            (ic, ic, 10.0 + 48.0 * w2, False),
            (id_, id_, 10.0 + 120.0 * z2, False),
            (ia, ib, 20.0, True),
            (ia, id_, -120.0 * z2, True),
            (ib, ic, -24.0 * w2, True),
            (ic, id_, -10.0, True),
        ])
        return _coo_sym(self.n, rows, cols, vals)


# ----------------------------------------------------------------------------------------
# dense Hessians (diagonal + low rank): exact CSR Hessian, O(n) Hessian-vector product
# ----------------------------------------------------------------------------------------

@register("PENALTY1")
class PENALTY1(CUTEstProblem):
    """Penalty function I (CUTEst PENALTY1; MGH 23).

    .. math::

        f(x) = 10^{-5} \\sum_{i=1}^{n} (x_i - 1)^2 + \\Big( \\sum_{i=1}^{n} x_i^2
        - \\tfrac14 \\Big)^2

    (groups ``G(i)`` with ``'SCALE'`` 1e5 and constant 1; group ``G(n+1)`` with constant
    0.25).

    Parameters
    ----------
    n : int, default 1000
        Number of variables, ``n >= 1`` (SIF options 4, 10, 50, 100, 500, 1000).

    Notes
    -----
    SIF x0: ``x_i = i``. The Hessian ``(2e-5 + 4 (|x|^2 - 1/4)) I + 8 x x^T`` is dense:
    ``hess`` returns it exactly as a fully stored CSR matrix, ``hvp`` is O(n).

    Every stationary point has all ``x_i`` equal (``x_i (2e-5 + 4 (|x|^2 - 1/4)) = 2e-5``),
    so f* is the minimum of the scalar function ``1e-5 n (c - 1)^2 + (n c^2 - 1/4)^2``
    over the real roots of the cubic ``4 n c^3 + (2e-5 - 1) c - 2e-5 = 0``; ``_F_STAR``
    holds it (40-digit arithmetic) for the SIF values of n, and a tight trust-region Newton
    solve from x0 reaches the same values: n = 4: 2.2499775e-5, n = 10: 7.0876515e-5,
    n = 50: 4.3178500e-4, n = 100: 9.0249098e-4, n = 500: 4.7788454e-3,
    n = 1000: 9.6861754e-3; also n = 8: 5.4215187e-5 and n = 12: 8.7858105e-5.
    The SIF ``SOLTN(4)`` comment reads 2.24997D-4, ten times the
    true value (MGH give 2.24997e-5); SOLTN(10) = 7.08765D-5 agrees; n >= 50 are "???"
    in the SIF. ``f_star`` is None for other n.

    Source: problem 23 in More, Garbow, Hillstrom (1981); Buckley #181; SIF input
    Ph. Toint, Dec 1989 (PENALTY1.SIF).
    """

    sparse_hessian = True
    _F_STAR = {4: 2.249977500899937e-05, 8: 5.4215186625916459e-05,
               12: 8.7858105319646633e-05, 10: 7.0876514670903694e-05,
               50: 4.317850045986022e-04, 100: 9.0249097680429641e-04,
               500: 4.7788454346709787e-03, 1000: 9.6861754324454355e-03}

    def __init__(self, *, n=1000):
        n = _check_n("PENALTY1", n, minimum=1)
        super().__init__(n, np.arange(1.0, n + 1.0), {"n": n})
        self.f_star = self._F_STAR.get(n)

    def _value(self, x):
        u = x - 1.0
        r = x @ x - 0.25
        return 1e-5 * (u @ u) + r * r

    def _grad(self, x):
        return 2e-5 * (x - 1.0) + 4.0 * (x @ x - 0.25) * x

    def _hess(self, x):
        H = 8.0 * np.outer(x, x)
        H.flat[:: self.n + 1] += 2e-5 + 4.0 * (x @ x - 0.25)
        return _dense_csr(H)

    def _hvp(self, x, v):
        return (2e-5 + 4.0 * (x @ x - 0.25)) * v + 8.0 * (x @ v) * x


@register("PENALTY2")
class PENALTY2(CUTEstProblem):
    """Penalty function II (CUTEst PENALTY2; MGH 24).

    With ``a = 1e-5``, ``e_i = exp(x_i / 10)``, ``y_i = exp(i/10) + exp((i-1)/10)``:

    .. math::

        f(x) = (x_1 - 0.2)^2 + a \\sum_{i=2}^{n} (e_i + e_{i-1} - y_i)^2
        + a \\sum_{i=2}^{n} (e_i - e^{-1/10})^2
        + \\Big( \\sum_{j=1}^{n} (n - j + 1) x_j^2 - 1 \\Big)^2

    (the SIF groups ``G(2..2n-1)`` have ``'SCALE'`` 1/a, i.e. weight a; ``G(1)`` and
    ``G(2n)`` have scale 1/b = 1).

    Parameters
    ----------
    n : int, default 200
        Number of variables, ``n >= 2`` (SIF options 4, 10, 50, 100, 200, 500, 1000;
        CUTEst default 200).

    Notes
    -----
    SIF x0: ``x_i = 0.5``. The Hessian (tridiagonal + diagonal + rank one) is dense:
    ``hess`` returns it exactly as a fully stored CSR matrix, ``hvp`` is O(n).

    f* tabulated in the SIF file (``SOLTN``), each confirmed to all its digits by a tight
    trust-region Newton solve from x0 with these derivatives (``_F_STAR`` holds the solve's
    digits): n = 4: 9.37629e-6, n = 10: 2.93660e-4, n = 50: 4.29609813,
    n = 100: 97096.0840. For n = 200 (not tabulated in the SIF) the value is the local
    minimum reached by that solve (positive definite Hessian there), 4.71162772754646e13;
    likewise n = 8: 1.23335080e-4 and n = 12: 6.16197711e-4. ``f_star`` is None for
    other n.

    Source: problem 24 in More, Garbow, Hillstrom (1981); Buckley #112; SIF input
    Ph. Toint, Dec 1989 (PENALTY2.SIF).
    """

    sparse_hessian = True
    _A = 1e-5
    _F_STAR = {4: 9.376293007355444e-06, 8: 1.2333507986205203e-04,
               12: 6.161977108735471e-04, 10: 2.9366053745674594e-04, 50: 4.296098133861363,
               100: 97096.08395468799, 200: 47116277275464.61}

    def __init__(self, *, n=200):
        n = _check_n("PENALTY2", n, minimum=2)
        super().__init__(n, np.full(n, 0.5), {"n": n})
        i = np.arange(2, n + 1, dtype=np.float64)
        self._y = np.exp(i / 10.0) + np.exp((i - 1.0) / 10.0)
        self._w = np.arange(n, 0, -1, dtype=np.float64)        # n - j + 1
        self.f_star = self._F_STAR.get(n)

    def _parts(self, x):
        e = np.exp(0.1 * x)
        u = e[1:] + e[:-1] - self._y
        c = e[1:] - np.exp(-0.1)
        r = self._w @ (x * x) - 1.0
        return e, u, c, r

    def _value(self, x):
        e, u, c, r = self._parts(x)
        return (x[0] - 0.2) ** 2 + self._A * (u @ u + c @ c) + r * r

    def _grad(self, x):
        e, u, c, r = self._parts(x)
        de = 0.1 * e
        A = self._A
        g = 4.0 * r * self._w * x
        g[0] += 2.0 * (x[0] - 0.2)
        g[1:] += 2.0 * A * (u + c) * de[1:]
        g[:-1] += 2.0 * A * u * de[:-1]
        return g

    def _tri(self, x):
        """Diagonal and off-diagonal of the Hessian without the rank-one term."""
        e, u, c, r = self._parts(x)
        de, d2e = 0.1 * e, 0.01 * e
        A = self._A
        d = 4.0 * r * self._w
        d[0] += 2.0
        d[1:] += 2.0 * A * (de[1:] ** 2 + u * d2e[1:] + de[1:] ** 2 + c * d2e[1:])
        d[:-1] += 2.0 * A * (de[:-1] ** 2 + u * d2e[:-1])
        off = 2.0 * A * de[1:] * de[:-1]
        return d, off

    def _hess(self, x):
        d, off = self._tri(x)
        wx = self._w * x
        H = 8.0 * np.outer(wx, wx)
        H.flat[:: self.n + 1] += d
        H.flat[1:: self.n + 1] += off
        H.flat[self.n:: self.n + 1] += off
        return _dense_csr(H)

    def _hvp(self, x, v):
        d, off = self._tri(x)
        wx = self._w * x
        out = d * v + 8.0 * (wx @ v) * wx
        out[:-1] += off * v[1:]
        out[1:] += off * v[:-1]
        return out


@register("VARDIM")
class VARDIM(CUTEstProblem):
    """The variably dimensioned function (CUTEst VARDIM; MGH 25).

    With ``s(x) = \\sum_i i x_i - n (n+1)/2 = \\sum_i i (x_i - 1)``:

    .. math::

        f(x) = \\sum_{i=1}^{n} (x_i - 1)^2 + s(x)^2 + s(x)^4

    Parameters
    ----------
    n : int, default 200
        Number of variables, ``n >= 1`` (SIF options 10, 50, 100, 200; CUTEst default 200).

    Notes
    -----
    SIF x0: ``x_i = 1 - i/n``. The Hessian ``2 I + (2 + 12 s^2) w w^T`` (``w_i = i``) is
    dense: ``hess`` returns it exactly as a fully stored CSR matrix, ``hvp`` is O(n).
    f* = 0 at ``x = (1, ..., 1)`` for every ``n`` (SIF ``SOLTN`` 0).

    Source: problem 25 in More, Garbow, Hillstrom (1981); Buckley #72; SIF input
    Ph. Toint, Dec 1989 (VARDIM.SIF).
    """

    f_star = 0.0
    sparse_hessian = True

    def __init__(self, *, n=200):
        n = _check_n("VARDIM", n, minimum=1)
        self._w = np.arange(1.0, n + 1.0)
        super().__init__(n, 1.0 - self._w / n, {"n": n})

    def _s(self, x):
        return self._w @ (x - 1.0)

    def _value(self, x):
        u = x - 1.0
        s = self._s(x)
        return u @ u + s * s + s ** 4

    def _grad(self, x):
        s = self._s(x)
        return 2.0 * (x - 1.0) + (2.0 * s + 4.0 * s ** 3) * self._w

    def _hess(self, x):
        s = self._s(x)
        H = (2.0 + 12.0 * s * s) * np.outer(self._w, self._w)
        H.flat[:: self.n + 1] += 2.0
        return _dense_csr(H)

    def _hvp(self, x, v):
        s = self._s(x)
        return 2.0 * v + (2.0 + 12.0 * s * s) * (self._w @ v) * self._w


@register("BROWNAL")
class BROWNAL(CUTEstProblem):
    """Brown's almost-linear function as written in the CUTEst SIF file (BROWNAL).

    .. math::

        f(x) = \\sum_{i=1}^{n-1} \\Big( x_i + \\sum_{j=1}^{n} x_j - (n + 1) \\Big)^2
        + \\Big( \\prod_{j=1}^{10} x_j - 1 \\Big)^2

    Note the product: the SIF element ``E`` multiplies exactly the ten variables
    ``X1, ..., X10`` whatever ``N`` is (MGH 27 multiplies all n variables; the two agree
    for n = 10, the SIF's original value). This class follows the SIF file.

    Parameters
    ----------
    n : int, default 200
        Number of variables, ``n >= 10`` (the SIF element needs X10; SIF options 10, 100,
        200, 1000; CUTEst default 200).

    Notes
    -----
    SIF x0: ``x_i = 0.5``. The Hessian (diagonal + rank three + a 10x10 block) is dense:
    ``hess`` returns it exactly as a fully stored CSR matrix, ``hvp`` is O(n).
    f* = 0 at ``x = (1, ..., 1)`` for every ``n`` (SIF ``SOLTN`` 0).

    Source: problem 27 in More, Garbow, Hillstrom (1981); Buckley #79; SIF input
    Ph. Toint, Dec 1989 (BROWNAL.SIF).
    """

    f_star = 0.0
    sparse_hessian = True
    _K = 10

    def __init__(self, *, n=200):
        n = _check_n("BROWNAL", n, minimum=10)
        super().__init__(n, np.full(n, 0.5), {"n": n})
        K = self._K
        self._mask3 = (np.eye(K, dtype=bool)[:, None, :] | np.eye(K, dtype=bool)[None, :, :])

    def _prod_parts(self, x):
        """p = prod x_1..x_10, its gradient and Hessian (10x10), division-free."""
        K = self._K
        z = x[:K]
        p = np.prod(z)
        Z = np.where(np.eye(K, dtype=bool), 1.0, z[None, :])
        gp = np.prod(Z, axis=1)
        Z3 = np.where(self._mask3, 1.0, np.broadcast_to(z, (K, K, K)))
        Hp = np.prod(Z3, axis=2)
        np.fill_diagonal(Hp, 0.0)
        return p, gp, Hp

    def _lin(self, x):
        n = self.n
        return x[:-1] + x.sum() - (n + 1.0)

    def _value(self, x):
        r = self._lin(x)
        p = np.prod(x[: self._K])
        return r @ r + (p - 1.0) ** 2

    def _grad(self, x):
        r = self._lin(x)
        g = np.full(self.n, 2.0 * r.sum())
        g[:-1] += 2.0 * r
        p, gp, _ = self._prod_parts(x)
        g[: self._K] += 2.0 * (p - 1.0) * gp
        return g

    def _hess(self, x):
        n, K = self.n, self._K
        m = np.ones(n)
        m[-1] = 0.0
        one = np.ones(n)
        H = 2.0 * ((n - 1.0) * np.ones((n, n)) + np.outer(one, m) + np.outer(m, one))
        H.flat[:: n + 1] += 2.0 * m
        p, gp, Hp = self._prod_parts(x)
        H[:K, :K] += 2.0 * np.outer(gp, gp) + 2.0 * (p - 1.0) * Hp
        return _dense_csr(H)

    def _hvp(self, x, v):
        n, K = self.n, self._K
        sv = v.sum()
        mv = sv - v[-1]
        out = np.full(n, 2.0 * ((n - 1.0) * sv + mv))
        out[:-1] += 2.0 * (sv + v[:-1])
        p, gp, Hp = self._prod_parts(x)
        vk = v[:K]
        out[:K] += 2.0 * (gp @ vk) * gp + 2.0 * (p - 1.0) * (Hp @ vk)
        return out


# ----------------------------------------------------------------------------------------
# quartics with arrowhead / banded Hessians
# ----------------------------------------------------------------------------------------

@register("ARWHEAD")
class ARWHEAD(CUTEstProblem):
    """The arrowhead quartic (CUTEst ARWHEAD).

    .. math::

        f(x) = \\sum_{i=1}^{n-1} \\Big[ (x_i^2 + x_n^2)^2 - 4 x_i + 3 \\Big]

    (linear groups ``L(i) = -4 x_i`` with constant -3, least-squares groups
    ``G(i) = x_i^2 + x_n^2``). The Hessian is a (downward) arrowhead.

    Parameters
    ----------
    n : int, default 5000
        Number of variables, ``n >= 2`` (SIF options 100, 500, 1000, 5000).

    Notes
    -----
    SIF x0: ``x_i = 1``. f* = 0 at ``x = (1, ..., 1, 0)`` for every ``n`` (SIF ``SOLTN``
    0); f is convex.

    Source: problem 55 in A. R. Conn, N. I. M. Gould, M. Lescrenier, Ph. L. Toint,
    "Performance of a multifrontal scheme for partially separable optimization",
    Report 88/4, FUNDP Namur, 1988; SIF input Ph. Toint, Dec 1989 (ARWHEAD.SIF).
    """

    f_star = 0.0
    sparse_hessian = True

    def __init__(self, *, n=5000):
        n = _check_n("ARWHEAD", n, minimum=2)
        super().__init__(n, np.ones(n), {"n": n})

    def _value(self, x):
        q = x[:-1] ** 2 + x[-1] ** 2
        return q @ q - 4.0 * x[:-1].sum() + 3.0 * (self.n - 1)

    def _grad(self, x):
        y, z = x[:-1], x[-1]
        q = y ** 2 + z ** 2
        g = np.empty_like(x)
        g[:-1] = 4.0 * q * y - 4.0
        g[-1] = 4.0 * z * q.sum()
        return g

    def _hess(self, x):
        n = self.n
        y, z = x[:-1], x[-1]
        q = y ** 2 + z ** 2
        k = np.arange(n - 1)
        last = np.full(n - 1, n - 1)
        rows, cols, vals = _sym_entries([
            (k, k, 4.0 * q + 8.0 * y ** 2, False),
            (k, last, 8.0 * y * z, True),
            (np.array([n - 1]), np.array([n - 1]),
             np.array([np.sum(4.0 * q + 8.0 * z * z)]), False),
        ])
        return _coo_sym(n, rows, cols, vals)


@register("BDQRTIC")
class BDQRTIC(CUTEstProblem):
    """The banded quartic (CUTEst BDQRTIC).

    .. math::

        f(x) = \\sum_{i=1}^{n-4} \\Big[ (3 - 4 x_i)^2 + (x_i^2 + 2 x_{i+1}^2 + 3 x_{i+2}^2
        + 4 x_{i+3}^2 + 5 x_n^2)^2 \\Big]

    The Hessian is banded (bandwidth 3) plus the last row/column.

    Parameters
    ----------
    n : int, default 5000
        Number of variables, ``n >= 5`` (SIF options 100, 500, 1000, 5000).

    Notes
    -----
    SIF x0: ``x_i = 1``. f is convex, so the minimum value is unique; f* depends on n.
    SIF ``SOLTN``: n = 100: 3.78769e2, n = 500: 1.98101e3, n = 1000: 3.98382e3; a tight
    Newton solve (gradient norm < 1e-13) confirms them and gives n = 5000: 2.00062569e4
    (full digits in ``_F_STAR``), and n = 8: 10.2389734, n = 12: 26.2727664.
    ``f_star`` is None for other n.

    Source: problem 61 in Conn, Gould, Lescrenier, Toint, Report 88/4, FUNDP Namur, 1988;
    SIF input Ph. Toint, Dec 1989 (BDQRTIC.SIF).
    """

    sparse_hessian = True
    _F_STAR = {8: 10.238973421317434, 12: 26.272766396793962, 100: 378.76919180868424,
               500: 1981.0130845943959, 1000: 3983.8179505765347,
               5000: 20006.256878433607}

    def __init__(self, *, n=5000):
        n = _check_n("BDQRTIC", n, minimum=5)
        super().__init__(n, np.ones(n), {"n": n})
        self.f_star = self._F_STAR.get(n)

    def _parts(self, x):
        n = self.n
        m = n - 4
        X = np.stack([x[0:m], x[1:m + 1], x[2:m + 2], x[3:m + 3], np.full(m, x[-1])])
        c = np.array([1.0, 2.0, 3.0, 4.0, 5.0])[:, None]
        q = np.sum(c * X * X, axis=0)
        dq = 2.0 * c * X                                  # (5, m) d q_i / d var
        return X, c, q, dq

    def _value(self, x):
        m = self.n - 4
        l = 3.0 - 4.0 * x[:m]
        _, _, q, _ = self._parts(x)
        return l @ l + q @ q

    def _grad(self, x):
        n = self.n
        m = n - 4
        _, _, q, dq = self._parts(x)
        g = np.zeros_like(x)
        g[:m] += -8.0 * (3.0 - 4.0 * x[:m])
        t = 2.0 * q * dq
        for k in range(4):                                # fixed 4 band offsets, not over n
            g[k:k + m] += t[k]
        g[-1] += t[4].sum()
        return g

    def _hess(self, x):
        n = self.n
        m = n - 4
        _, c, q, dq = self._parts(x)
        i = np.arange(m)
        idx = [i, i + 1, i + 2, i + 3, np.full(m, n - 1)]
        # strict upper triangle of the 5x5 element Hessians (vectorised in i), mirrored
        # afterwards so that the result is exactly symmetric
        rows, cols, vals = [], [], []
        for a in range(5):
            for b in range(a + 1, 5):
                rows.append(idx[a])
                cols.append(idx[b])
                vals.append(2.0 * dq[a] * dq[b])
        U = sp.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(n, n)).tocsr()
        d = np.zeros(n)
        d[:m] += 32.0
        for a in range(5):
            d += np.bincount(idx[a], weights=2.0 * dq[a] ** 2 + 4.0 * q * c[a, 0], minlength=n)
        return (U + U.T + sp.diags(d, 0, format="csr")).tocsr()


@register("ENGVAL1")
class ENGVAL1(CUTEstProblem):
    """The ENGVAL1 problem (CUTEst ENGVAL1).

    .. math::

        f(x) = \\sum_{i=1}^{n-1} \\Big[ (x_i^2 + x_{i+1}^2)^2 - 4 x_i + 3 \\Big]

    (least-squares groups ``E(i)``, linear groups ``L(i) = -4 x_i`` with constant -3).

    Parameters
    ----------
    n : int, default 5000
        Number of variables, ``n >= 2`` (SIF options 2, 50, 100, 1000, 5000).

    Notes
    -----
    SIF x0: ``x_i = 2``. f is convex, so the minimum value is unique; it depends on n
    (the SIF ``SOLTN`` 0 holds only for n = 2). Values for the SIF options of n from a tight
    Newton solve (gradient norm < 1e-14; full digits in ``_F_STAR``): n = 2: 0,
    n = 50: 53.5822149, n = 100: 109.088136, n = 1000: 1108.19472, n = 5000: 5548.66842;
    also n = 8: 6.95713071 and n = 12: 11.3977142.
    ``f_star`` is None for other n.

    Source: problem 31 in Ph. L. Toint, Report 83/4, FUNDP Namur, 1983; Buckley #172;
    SIF input Ph. Toint and N. Gould, Dec 1989 (ENGVAL1.SIF).
    """

    sparse_hessian = True
    _F_STAR = {2: 0.0, 8: 6.957130710859715, 12: 11.397714160452857,
               50: 53.582214885207605, 100: 109.08813614309213,
               1000: 1108.1947187850128, 5000: 5548.668419415795}

    def __init__(self, *, n=5000):
        n = _check_n("ENGVAL1", n, minimum=2)
        super().__init__(n, np.full(n, 2.0), {"n": n})
        self.f_star = self._F_STAR.get(n)

    def _value(self, x):
        q = x[:-1] ** 2 + x[1:] ** 2
        return q @ q - 4.0 * x[:-1].sum() + 3.0 * (self.n - 1)

    def _grad(self, x):
        a, b = x[:-1], x[1:]
        q = a * a + b * b
        g = np.zeros_like(x)
        g[:-1] += 4.0 * q * a - 4.0
        g[1:] += 4.0 * q * b
        return g

    def _hess(self, x):
        a, b = x[:-1], x[1:]
        q = a * a + b * b
        d = np.zeros(self.n)
        d[:-1] += 4.0 * q + 8.0 * a * a
        d[1:] += 4.0 * q + 8.0 * b * b
        return _tridiag(d, 8.0 * a * b)


@register("FREUROTH")
class FREUROTH(CUTEstProblem):
    """The (extended) Freudenstein and Roth function (CUTEst FREUROTH; MGH 2).

    .. math::

        f(x) = \\sum_{i=1}^{n-1} \\Big[ \\big(x_i - 13 + ((5 - x_{i+1}) x_{i+1} - 2)
        x_{i+1}\\big)^2 + \\big(x_i - 29 + ((x_{i+1} + 1) x_{i+1} - 14) x_{i+1}\\big)^2
        \\Big]

    Parameters
    ----------
    n : int, default 5000
        Number of variables, ``n >= 2`` (SIF options 2, 10, 50, 100, 500, 1000, 5000).

    Notes
    -----
    SIF x0: ``x_1 = 0.5``, ``x_2 = -2`` and ``x_i = 0`` for ``i > 2`` (the SIF file sets
    only X1 and X2; the other variables take the SIF default 0).

    The problem is nonconvex with several local minima. For n = 2 the global minimum is 0
    at (5, 4) and ``f_star`` is 0; but a trust-region Newton method from x0 converges to the
    other local minimum, 48.98425368 at (11.41, -0.8968) (both listed in the SIF). For
    n > 2 the SIF ``SOLTN`` values are the best known (local) minima: n = 10: 1.0141e3,
    50: 5.8810e3, 100: 1.1965e4, 500: 6.0634e4, 1000: 1.2147e5, 5000: 6.0816e5; a tight
    trust-region Newton solve from x0 converges to a minimizer (positive definite Hessian)
    with exactly these values (full digits in ``_F_STAR``); the same solve gives
    n = 8: 770.719333 and n = 12: 1257.40881. ``f_star`` is None for other n.

    Source: problem 2 in More, Garbow, Hillstrom (1981); Toint #33, Buckley #24;
    SIF input Ph. Toint, Dec 1989 (FREUROTH.SIF).
    """

    sparse_hessian = True
    _F_STAR = {2: 0.0, 8: 770.7193331464198, 10: 1014.0640725745184, 12: 1257.4088120428905,
               50: 5880.958861943224,
               100: 11964.577348654191, 500: 60633.52524234192, 1000: 121469.7101094515,
               5000: 608159.1890463273}

    def __init__(self, *, n=5000):
        n = _check_n("FREUROTH", n, minimum=2)
        x0 = np.zeros(n)
        x0[0], x0[1] = 0.5, -2.0
        super().__init__(n, x0, {"n": n})
        self.f_star = self._F_STAR.get(n)

    @staticmethod
    def _parts(x):
        a, b = x[:-1], x[1:]
        r = a - 13.0 + ((5.0 - b) * b - 2.0) * b
        s = a - 29.0 + ((b + 1.0) * b - 14.0) * b
        rb = 10.0 * b - 3.0 * b * b - 2.0
        sb = 3.0 * b * b + 2.0 * b - 14.0
        return b, r, s, rb, sb

    def _value(self, x):
        _, r, s, _, _ = self._parts(x)
        return r @ r + s @ s

    def _grad(self, x):
        _, r, s, rb, sb = self._parts(x)
        g = np.zeros_like(x)
        g[:-1] += 2.0 * (r + s)
        g[1:] += 2.0 * (r * rb + s * sb)
        return g

    def _hess(self, x):
        b, r, s, rb, sb = self._parts(x)
        d = np.zeros(self.n)
        d[:-1] += 4.0
        d[1:] += 2.0 * (rb * rb + r * (10.0 - 6.0 * b) + sb * sb + s * (6.0 * b + 2.0))
        return _tridiag(d, 2.0 * (rb + sb))


# ----------------------------------------------------------------------------------------
# quadratic / separable problems
# ----------------------------------------------------------------------------------------

@register("QUARTC")
class QUARTC(CUTEstProblem):
    """A simple separable quartic (CUTEst QUARTC).

    .. math::

        f(x) = \\sum_{i=1}^{n} (x_i - i)^4

    Parameters
    ----------
    n : int, default 5000
        Number of variables, ``n >= 1`` (SIF options 25, 100, 500, 1000, 5000, 10000;
        CUTEst default 5000).

    Notes
    -----
    SIF x0: ``x_i = 2``. f* = 0 at ``x_i = i`` for every ``n`` (SIF ``SOLTN`` 0); the
    Hessian is diagonal and singular at the solution.

    Source: problem 157 in A. R. Buckley, "Test functions for unconstrained
    minimization", TR 1989CS-3, Dalhousie University, 1989; SIF input Ph. Toint,
    March 1991 (QUARTC.SIF).
    """

    f_star = 0.0
    sparse_hessian = True

    def __init__(self, *, n=5000):
        n = _check_n("QUARTC", n, minimum=1)
        self._c = np.arange(1.0, n + 1.0)
        super().__init__(n, np.full(n, 2.0), {"n": n})

    def _value(self, x):
        return np.sum((x - self._c) ** 4)

    def _grad(self, x):
        return 4.0 * (x - self._c) ** 3

    def _hess(self, x):
        return sp.diags(12.0 * (x - self._c) ** 2, 0, format="csr")

    def _hvp(self, x, v):
        return 12.0 * (x - self._c) ** 2 * v


@register("TRIDIA")
class TRIDIA(CUTEstProblem):
    """Shanno's tridiagonal quadratic (CUTEst TRIDIA).

    .. math::

        f(x) = (x_1 - 1)^2 + \\sum_{i=2}^{n} i\\, (2 x_i - x_{i-1})^2

    (SIF parameters alpha = 2, beta = gamma = delta = 1; group ``G(i)`` has ``'SCALE'``
    1/i).

    Parameters
    ----------
    n : int, default 5000
        Number of variables, ``n >= 2`` (SIF options 10, 20, 30, 50, 100, 500, 1000, 5000,
        10000; CUTEst default 5000).

    Notes
    -----
    SIF x0: ``x_i = 1``. f* = 0 at ``x_i = 2^{1-i}`` for every ``n`` (SIF ``SOLTN`` 0).
    The Hessian is constant and positive definite (ill-conditioned for large n).

    Source: problem 8 in Ph. L. Toint, Report 83/4, FUNDP Namur, 1983; Buckley #40;
    SIF input Ph. Toint, Dec 1989 (TRIDIA.SIF).
    """

    f_star = 0.0
    sparse_hessian = True

    def __init__(self, *, n=5000):
        n = _check_n("TRIDIA", n, minimum=2)
        self._i = np.arange(2.0, n + 1.0)
        super().__init__(n, np.ones(n), {"n": n})
        d = np.zeros(n)
        d[0] += 2.0
        d[1:] += 8.0 * self._i
        d[:-1] += 2.0 * self._i
        self._H = _tridiag(d, -4.0 * self._i)

    def _value(self, x):
        u = 2.0 * x[1:] - x[:-1]
        return (x[0] - 1.0) ** 2 + self._i @ (u * u)

    def _grad(self, x):
        u = self._i * (2.0 * x[1:] - x[:-1])
        g = np.zeros_like(x)
        g[0] += 2.0 * (x[0] - 1.0)
        g[1:] += 4.0 * u
        g[:-1] -= 2.0 * u
        return g

    def _hess(self, x):
        return self._H.copy()


@register("DIXMAANA")
class DIXMAANA(CUTEstProblem):
    """The Dixon-Maany problem, version A (CUTEst DIXMAANA / DIXMAANA1).

    With ``n = 3m``:

    .. math::

        f(x) = 1 + \\sum_{i=1}^{n} x_i^2 + \\tfrac18 \\sum_{i=1}^{2m} x_i^2 x_{i+m}^4
        + \\tfrac18 \\sum_{i=1}^{m} x_i x_{i+2m}

    (alpha = 1, beta = 0, gamma = delta = 1/8, all K exponents 0; the constant 1 is the
    group ``GA`` constant -1. The beta-group of the original DIXMAANA.SIF has weight 0;
    since Aug 2022 CUTEst ships DIXMAANA1.SIF without it: same function.)

    Parameters
    ----------
    n : int, default 3000
        Number of variables, a multiple of 3, ``n >= 3`` (the SIF parameter is
        ``M = n/3``; options M = 5, 30, 100, 500, 1000, 3000; CUTEst default M = 1000).

    Notes
    -----
    SIF x0: ``x_i = 2``. f* = 1 at ``x = 0`` for every ``n`` (SIF ``SOLTN`` 1.0).

    Source: L. C. W. Dixon, Z. Maany, "A family of test problems with sparse Hessians for
    unconstrained optimization", TR 206, Numerical Optimization Centre, Hatfield
    Polytechnic, 1988; Buckley #221; SIF input Ph. Toint, Dec 1989 (DIXMAANA1.SIF).
    """

    f_star = 1.0
    sparse_hessian = True

    def __init__(self, *, n=3000):
        n = _check_n("DIXMAANA", n, minimum=3, multiple=3)
        self.m = n // 3
        super().__init__(n, np.full(n, 2.0), {"n": n})

    def _value(self, x):
        m = self.m
        a, b = x[:2 * m], x[m:]
        return 1.0 + x @ x + 0.125 * np.sum(a * a * b ** 4) + 0.125 * (x[:m] @ x[2 * m:])

    def _grad(self, x):
        m = self.m
        a, b = x[:2 * m], x[m:]
        g = 2.0 * x
        g[:2 * m] += 0.25 * a * b ** 4
        g[m:] += 0.5 * a * a * b ** 3
        g[:m] += 0.125 * x[2 * m:]
        g[2 * m:] += 0.125 * x[:m]
        return g

    def _hess(self, x):
        n, m = self.n, self.m
        a, b = x[:2 * m], x[m:]
        ia = np.arange(2 * m)
        ic = np.arange(m)
        rows, cols, vals = _sym_entries([
            (np.arange(n), np.arange(n), 2.0, False),
            (ia, ia, 0.25 * b ** 4, False),
            (ia + m, ia + m, 1.5 * a * a * b * b, False),
            (ia, ia + m, a * b ** 3, True),
            (ic, ic + 2 * m, 0.125, True),
        ])
        return _coo_sym(n, rows, cols, vals)
