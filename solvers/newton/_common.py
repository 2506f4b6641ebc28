"""Setup shared by the Newton-type solvers: the starting point, oracles and counts."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..backend import resolve_backend
from ..core.validation import check_x0, require


def initial_point(f, x0, backend):
    """Resolve the backend and return ``(bk, x, on_gpu)``; ``x0=None`` takes ``f.x0`` (the
    CUTEst problems carry their SIF starting point) or zeros of ``f.shape``."""
    bk = resolve_backend(backend, x0, f)
    if x0 is None:
        x0 = getattr(f, "x0", None)
    shape = getattr(f, "shape", None)
    if shape is None:
        n = getattr(f, "n", None)
        shape = (n,) if n is not None else None
    if shape is None:
        if x0 is None:
            raise TypeError(f"x0 is required: {type(f).__name__} has neither `x0` nor `shape`")
        shape = np.shape(x0)
    x = check_x0(x0, shape, dtype=np.float64, backend=bk)
    if x.ndim != 1:
        raise ValueError(f"x0 must be a vector, got shape {x.shape}")
    return bk, x, bk.name == "gpu"


class Oracle:
    """Counts the calls a Newton solver makes to ``f``: values, gradients, Hessians, hvps."""

    def __init__(self, f):
        require(f, "value", "smooth part f")
        require(f, "grad", "smooth part f")
        self.f = f
        self._vg = getattr(f, "value_and_grad", None)
        self.nfev = self.njev = self.nhev = 0

    def value(self, x):
        self.nfev += 1
        return float(self.f.value(x))

    def value_and_grad(self, x):
        self.nfev += 1
        self.njev += 1
        if self._vg is not None:
            v, g = self._vg(x)
            return float(v), g
        return float(self.f.value(x)), self.f.grad(x)

    def hess(self, x):
        self.nhev += 1
        return require(self.f, "hess", "smooth part f")(x)

    def hvp(self, x, v):
        self.nhev += 1
        return self.f.hvp(x, v)


def choose_linsolve(linsolve, f, n, H=None):
    """Resolve ``linsolve="auto"``: ``"sparse"`` for a sparse Hessian of dimension above 200
    with at most 10% nonzeros, ``"cholesky"`` for the others (a sparse Hessian is then
    converted to a dense array), ``"cg"`` when ``f`` has ``hvp`` but no ``hess``."""
    if linsolve != "auto":
        if linsolve == "cg":
            require(f, "hvp", "smooth part f (linsolve='cg')")
        else:
            require(f, "hess", f"smooth part f (linsolve={linsolve!r})")
        return linsolve
    if getattr(f, "hess", None) is None:
        if getattr(f, "hvp", None) is None:
            raise TypeError(f"smooth part f of type {type(f).__name__} has neither `hess` nor "
                            "`hvp`, one of which a Newton method needs")
        return "cg"
    if H is not None and sp.issparse(H):
        n = H.shape[0]
        # a small or dense-ish sparse Hessian is cheaper to factor densely
        return "sparse" if n > 200 and H.nnz <= 0.1 * n * n else "cholesky"
    if H is not None and not hasattr(H, "shape"):
        raise ValueError(f"f.hess returned {type(H).__name__}, expected an (n, n) matrix")
    return "cholesky"
