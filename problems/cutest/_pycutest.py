"""A pycutest problem behind the same protocol as the native ones (``source="pycutest"``)."""
from __future__ import annotations

import numpy as np

from ._base import CUTEstProblem


class PycutestProblem(CUTEstProblem):
    """Wraps ``pycutest.import_problem(name, sifParams=...)``: the SIF file compiled by
    CUTEst. ``f_star`` is taken from the native registry when the problem is there with the
    same parameters, else None. Parameters are passed as SIF parameters (upper-cased names,
    e.g. ``n=1000`` becomes ``N=1000``).

    Raises
    ------
    ImportError
        When pycutest is not installed (it also needs CUTEst, SIFDecode and the SIF
        collection, see pycutest's documentation).
    ValueError
        For a constrained problem (only unconstrained problems are wrapped here).
    """

    source = "pycutest"

    def __init__(self, name, **params):
        try:
            import pycutest
        except ImportError as exc:
            raise ImportError("source='pycutest' needs pycutest with CUTEst installed: "
                              "pip install pycutest, and set CUTEST, SIFDECODE, MASTSIF") from exc
        sif = {k.upper(): v for k, v in params.items()}
        self._p = pycutest.import_problem(name.upper(), sifParams=sif or None)
        if getattr(self._p, "m", 0):
            raise ValueError(f"{name} has {self._p.m} constraints: load it with "
                             "source='pycutest' through problems.cutest.load, which returns "
                             "a PycutestEqualityProblem for equality constraints")
        self.name = name.upper()
        self.sparse_hessian = self._p.n > 1000
        super().__init__(self._p.n, self._p.x0, params)
        self.f_star = self._native_f_star(params)

    def _native_f_star(self, params):
        """The native registry's optimal value for the same problem and dimension."""
        from . import load, names, parameters
        if self.name not in names():
            return None
        kw = dict(params)
        if "n" in parameters(self.name):
            kw.setdefault("n", self.n)
        try:
            native = load(self.name, **kw)
        except (TypeError, ValueError):
            return None
        return native.f_star if native.n == self.n else None

    def _value(self, x):
        return self._p.obj(x)

    def _grad(self, x):
        return self._p.obj(x, gradient=True)[1]

    def value_and_grad(self, x):
        f, g = self._p.obj(self._check(x), gradient=True)
        return float(f), np.asarray(g, dtype=np.float64)

    def _hess(self, x):
        return self._p.sphess(x) if self.sparse_hessian else self._p.hess(x)

    def _hvp(self, x, v):
        return self._p.hprod(v, x=x)


class PycutestEqualityProblem(PycutestProblem):
    """An equality-constrained SIF problem through pycutest, with the members of
    :class:`problems.cutest.EqualityCUTEstProblem`: ``c`` (``cons``), ``jac``, the
    Lagrangian Hessian ``hess(x, v=lam)`` of ``f + lam^T c`` (pycutest's convention), ``m`` and
    ``lam0`` (pycutest's ``v0``). Problems with inequalities or bounds are rejected.
    """

    kind = "equality"

    def __init__(self, name, **params):  # noqa: D107 - documented on the class
        try:
            import pycutest
        except ImportError as exc:
            raise ImportError("source='pycutest' needs pycutest with CUTEst installed: "
                              "pip install pycutest, and set CUTEST, SIFDECODE, MASTSIF") from exc
        sif = {k.upper(): v for k, v in params.items()}
        p = pycutest.import_problem(name.upper(), sifParams=sif or None)
        if not getattr(p, "m", 0):
            raise ValueError(f"{name} has no constraints; use the unconstrained adapter")
        eq = np.asarray(getattr(p, "is_eq_cons", np.ones(p.m, dtype=bool)), dtype=bool)
        if not eq.all() or np.any(np.isfinite(getattr(p, "bl", np.array([-np.inf])))) \
                or np.any(np.isfinite(getattr(p, "bu", np.array([np.inf])))):
            raise ValueError(f"{name} has inequality constraints or bounds; only equality-"
                             "constrained problems are wrapped")
        self._p = p
        self.name = name.upper()
        self.sparse_hessian = False
        CUTEstProblem.__init__(self, p.n, p.x0, params)
        self.m = int(p.m)
        self._lam0 = np.asarray(getattr(p, "v0", np.zeros(self.m)), dtype=np.float64)
        self.f_star = None

    @property
    def f(self):
        return self

    @property
    def lam0(self):
        return self._lam0.copy()

    def c(self, x):
        return np.asarray(self._p.cons(self._check(x)), dtype=np.float64)

    def jac(self, x):
        return np.asarray(self._p.cons(self._check(x), gradient=True)[1], dtype=np.float64)

    def hess_lagrangian(self, x, lam):
        lam = np.asarray(lam, dtype=np.float64)
        if lam.shape != (self.m,):
            raise ValueError(f"{self.name}: lam has shape {lam.shape}, expected ({self.m},)")
        return np.asarray(self._p.hess(self._check(x), v=lam), dtype=np.float64)

    def hvp_lagrangian(self, x, lam, v):
        return self.hess_lagrangian(x, lam) @ np.asarray(v, dtype=np.float64)
