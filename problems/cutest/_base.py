"""The base class and registry of the native CUTEst-named problems."""
from __future__ import annotations

import inspect

import numpy as np
import scipy.sparse as sp

_REGISTRY: dict = {}


def register(name, *, kind="unconstrained"):
    """Class decorator adding a problem class to the registry under its CUTEst ``name``.

    The class's ``__init__`` keyword arguments (with their defaults) are the SIF parameters
    that :func:`problems.cutest.load` accepts (for example ``n`` for the scalable problems).
    """
    def deco(cls):
        if name in _REGISTRY:
            raise RuntimeError(f"CUTEst problem {name} registered twice")
        cls.name = name
        cls.kind = kind
        _REGISTRY[name] = cls
        return cls
    return deco


def registry():
    """The registry dict ``{name: class}`` (read-only use)."""
    return _REGISTRY


def parameters(name):
    """The SIF parameters of problem ``name`` and their defaults, as a dict."""
    cls = _REGISTRY[name]
    sig = inspect.signature(cls.__init__)
    return {k: p.default for k, p in sig.parameters.items()
            if k != "self" and p.kind is inspect.Parameter.KEYWORD_ONLY}


class CUTEstProblem:
    """A CUTEst-named problem written natively: the smooth-part protocol plus metadata.

    Subclasses set ``n``, ``x0`` (the SIF starting point), ``f_star`` (the established
    optimal value, or None) and implement ``_value``, ``_grad`` and ``_hess`` (a dense array
    for the small problems, a scipy sparse matrix for the scalable ones); ``_hvp`` may be
    overridden when it is cheaper than forming the Hessian. The public methods check the
    point's shape and never modify it.

    Attributes
    ----------
    name : str
        The CUTEst name.
    n : int
        Number of variables.
    x0 : ndarray
        The SIF starting point (a fresh copy on each access).
    f_star : float or None
        Established optimal value (local minimum value for nonconvex problems, as tabulated
        in the literature cited by the SIF file), None when none is established.
    kind : str
        ``"unconstrained"``.
    params : dict
        The SIF parameter values used to build this instance.
    source : str
        ``"native"``.
    """

    name = "?"
    kind = "unconstrained"
    source = "native"
    f_star = None
    #: Whether ``hess`` returns a scipy sparse matrix.
    sparse_hessian = False
    lipschitz = None

    def __init__(self, n, x0, params=None):
        self.n = int(n)
        self._x0 = np.asarray(x0, dtype=np.float64).reshape(self.n)
        self.params = dict(params or {})

    @property
    def x0(self):
        return self._x0.copy()

    @property
    def shape(self):
        return (self.n,)

    @property
    def dtype(self):
        return np.dtype(np.float64)

    def _check(self, x):
        x = np.asarray(x, dtype=np.float64)
        if x.shape != (self.n,):
            if x.size == self.n:
                x = x.reshape(self.n)
            else:
                raise ValueError(f"{self.name}: x has shape {x.shape}, the problem has n = {self.n}")
        return x

    def value(self, x):
        """Objective value ``f(x)``."""
        return float(self._value(self._check(x)))

    def grad(self, x):
        """Gradient of ``f`` at ``x`` (a new array)."""
        return np.asarray(self._grad(self._check(x)), dtype=np.float64)

    def value_and_grad(self, x):
        """``(f(x), grad f(x))``."""
        x = self._check(x)
        return float(self._value(x)), np.asarray(self._grad(x), dtype=np.float64)

    def hess(self, x):
        """Hessian of ``f`` at ``x``: dense ndarray, or scipy CSR for the scalable problems."""
        H = self._hess(self._check(x))
        return sp.csr_matrix(H) if sp.issparse(H) else np.asarray(H, dtype=np.float64)

    def hvp(self, x, v):
        """Hessian-vector product ``hess(x) @ v``."""
        return np.asarray(self._hvp(self._check(x), np.asarray(v, dtype=np.float64)),
                          dtype=np.float64)

    def _hvp(self, x, v):
        return self._hess(x) @ v

    def __repr__(self):
        extra = "".join(f", {k}={v}" for k, v in self.params.items())
        return f"problems.cutest.load({self.name!r}{extra})  # n={self.n}, f*={self.f_star}"
