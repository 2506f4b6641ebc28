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
            raise ValueError(f"{name} has {self._p.m} constraints; the adapter wraps "
                             "unconstrained problems")
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
