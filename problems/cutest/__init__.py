"""CUTEst-named test problems written natively, and a pycutest adapter.

Each unconstrained problem is the SIF file's objective with exact gradient and Hessian
(sparse for the scalable problems), the SIF starting point, the SIF dimension parameter where
the file has one, and the optimal value where it is established in the literature::

    import problems
    f = problems.cutest.load("GENROSE", n=100)
    f.value(f.x0), f.grad(f.x0), f.hess(f.x0), f.f_star
    problems.cutest.names()                 # every native problem
    problems.cutest.load("ROSENBR", source="pycutest")   # needs pycutest and CUTEst

References: N. I. M. Gould, D. Orban, Ph. L. Toint, "CUTEst: a Constrained and Unconstrained
Testing Environment with safe threads for mathematical optimization", Comput. Optim. Appl.
60:545-557, 2015; J. J. More, B. S. Garbow, K. E. Hillstrom, "Testing unconstrained
optimization software", ACM TOMS 7(1):17-41, 1981.
"""
from __future__ import annotations

from ._base import CUTEstProblem, parameters, registry
from ._equality_base import EqualityCUTEstProblem

__all__ = ["CUTEstProblem", "EqualityCUTEstProblem", "load", "names", "parameters"]

_loaded = False


def _ensure_loaded():
    global _loaded
    if not _loaded:
        from . import _mgh, _scalable  # noqa: F401  (they register their classes)
        from . import _equality_hs, _equality_ne  # noqa: F401
        _loaded = True


def names(kind=None):
    """Sorted names of the native problems, optionally only those of one ``kind``
    (``"unconstrained"`` or ``"equality"``)."""
    _ensure_loaded()
    return sorted(k for k, cls in registry().items() if kind is None or cls.kind == kind)


def load(name, source="native", **params):
    """Build the CUTEst problem ``name``.

    Parameters
    ----------
    name : str
        CUTEst name (case-insensitive), e.g. ``"ROSENBR"``; see :func:`names`.
    source : {"native", "pycutest"}, default "native"
        ``"native"``: the problem written in this package. ``"pycutest"``: compile the SIF
        file through pycutest (needs pycutest, CUTEst and the SIF collection installed).
    **params
        SIF parameters, e.g. ``n=1000`` for the scalable problems (see :func:`parameters`).

    Returns
    -------
    CUTEstProblem
        A smooth part (``value``, ``grad``, ``value_and_grad``, ``hess``, ``hvp``) with
        ``name``, ``n``, ``x0``, ``f_star``.
    """
    if source == "pycutest":
        from ._pycutest import PycutestEqualityProblem, PycutestProblem
        try:
            return PycutestProblem(name, **params)
        except ValueError as exc:
            if "constraints" not in str(exc) or "no constraints" in str(exc):
                raise
            return PycutestEqualityProblem(name, **params)
    if source != "native":
        raise ValueError(f"source must be 'native' or 'pycutest', got {source!r}")
    _ensure_loaded()
    key = str(name).upper()
    cls = registry().get(key)
    if cls is None:
        raise ValueError(f"unknown CUTEst problem {name!r}; problems.cutest.names() lists the "
                         f"{len(registry())} native problems, source='pycutest' loads any SIF file")
    allowed = parameters(key)
    bad = sorted(set(params) - set(allowed))
    if bad:
        raise TypeError(f"{key} has no parameter {bad[0]!r}; its SIF parameters are "
                        f"{allowed or 'none'}")
    return cls(**params)
