"""The base class of the native equality-constrained CUTEst problems, ``min f(x) s.t.
c(x) = 0``."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._base import CUTEstProblem


class EqualityCUTEstProblem(CUTEstProblem):
    """A CUTEst-named problem ``min f(x)`` subject to ``c(x) = 0`` written natively.

    The object is its own smooth part (``value``, ``grad``, ``hess``, ``hvp`` of ``f``) and
    adds the members of the equality-constrained protocol (DESIGN section 3): ``f`` (itself),
    ``c``, ``jac``, ``hess_lagrangian``, ``hvp_lagrangian``, ``m`` and ``lam0``. The
    Lagrangian is ``L(x, lam) = f(x) + lam^T c(x)``.

    Subclasses set ``n``, ``m``, ``x0`` (the SIF starting point), ``lam0`` (the SIF starting
    multipliers, zeros when the file gives none) and ``f_star`` (the established optimal value,
    or None), and implement ``_value``, ``_grad``, ``_hess`` (of ``f``), ``_cons`` (``c``, a
    length-``m`` array), ``_jac`` (the ``(m, n)`` Jacobian, dense, or scipy sparse for the
    scalable problems) and ``_cons_hess(x, lam)`` (``sum_i lam_i hess c_i(x)``). A nonlinear
    equations problem (SIF name ending in ``NE``) has ``f = 0``.

    Attributes
    ----------
    name, n, x0, f_star, params, source
        As for :class:`CUTEstProblem`.
    m : int
        Number of equality constraints.
    lam0 : ndarray
        Starting multipliers (a fresh copy on each access).
    kind : str
        ``"equality"``.
    """

    kind = "equality"
    #: Whether ``jac`` returns a scipy sparse matrix.
    sparse_jacobian = False

    def __init__(self, n, m, x0, lam0=None, params=None):
        super().__init__(n, x0, params)
        self.m = int(m)
        lam0 = np.zeros(self.m) if lam0 is None else lam0
        self._lam0 = np.asarray(lam0, dtype=np.float64).reshape(self.m)

    @property
    def lam0(self):
        return self._lam0.copy()

    @property
    def f(self):
        """The smooth part: the problem itself."""
        return self

    def _check_lam(self, lam):
        lam = np.asarray(lam, dtype=np.float64)
        if lam.shape != (self.m,):
            raise ValueError(f"{self.name}: lam has shape {lam.shape}, the problem has "
                             f"m = {self.m} constraints")
        return lam

    def c(self, x):
        """The constraint values ``c(x)`` (length ``m``, a new array)."""
        return np.asarray(self._cons(self._check(x)), dtype=np.float64).reshape(self.m)

    def jac(self, x):
        """The ``(m, n)`` Jacobian of ``c``: dense ndarray, or scipy CSR when
        :attr:`sparse_jacobian`."""
        J = self._jac(self._check(x))
        if sp.issparse(J):
            return sp.csr_matrix(J)
        return np.asarray(J, dtype=np.float64).reshape(self.m, self.n)

    def hess_lagrangian(self, x, lam):
        """``hess f(x) + sum_i lam_i hess c_i(x)`` (dense, or sparse for scalable problems)."""
        x, lam = self._check(x), self._check_lam(lam)
        H, C = self._hess(x), self._cons_hess(x, lam)
        if sp.issparse(H) or sp.issparse(C):
            return sp.csr_matrix(sp.csr_matrix(H) + sp.csr_matrix(C))
        return np.asarray(H, dtype=np.float64) + np.asarray(C, dtype=np.float64)

    def hvp_lagrangian(self, x, lam, v):
        """``hess_lagrangian(x, lam) @ v``."""
        return np.asarray(self.hess_lagrangian(x, lam) @ np.asarray(v, dtype=np.float64),
                          dtype=np.float64)

    def _cons_hess(self, x, lam):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self):
        extra = "".join(f", {k}={v}" for k, v in self.params.items())
        return (f"problems.cutest.load({self.name!r}{extra})  # n={self.n}, m={self.m}, "
                f"f*={self.f_star}")
