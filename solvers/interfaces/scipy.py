"""The Newton methods as ``scipy.optimize.minimize`` methods.

Pass the functions themselves as ``method``::

    from scipy.optimize import minimize
    from solvers.interfaces.scipy import damped_newton, lazy_newton

    res = minimize(fun, x0, jac=grad, hess=hess, method=damped_newton,
                   options={"stepsize": "aicn", "L": 1.0})
    res = minimize(fun_and_grad, x0, jac=True, hessp=hessp, method=damped_newton)

They take scipy's arguments (``args``, ``jac`` callable or True, ``hess``, ``hessp``,
``callback`` in either of scipy's forms, ``tol``) and options (scipy's ``maxiter``, ``gtol``,
``disp`` and the solver's own keywords), honour ``StopIteration`` raised by the callback
(status 99) and return an ``OptimizeResult`` with ``x, fun, jac, nit, nfev, njev, nhev,
status, success, message`` (and the optsuite ``history``). They can also be called directly
with the same signature.
"""
from __future__ import annotations

import inspect
import warnings

import numpy as np
from scipy.optimize import OptimizeWarning

from ..newton import damped_newton as _damped_newton
from ..newton import lazy_newton as _lazy_newton

__all__ = ["damped_newton", "lazy_newton"]

_SCIPY_OPTION_NAMES = {"maxiter": "max_iter", "gtol": "tol", "disp": "verbose"}


class _ScipyObjective:
    """The smooth-part protocol over scipy's ``fun`` / ``jac`` / ``hess`` / ``hessp``."""

    def __init__(self, fun, x0, args, jac, hess, hessp):
        if not callable(fun):
            raise TypeError(f"fun must be callable, got {type(fun).__name__}")
        self._fun, self._args = fun, tuple(args)
        self._jac_true = jac is True
        if not (self._jac_true or callable(jac)):
            raise ValueError("the Newton methods need the gradient: pass jac as a callable or "
                             f"jac=True (fun returns (f, g)); got jac={jac!r}")
        if hess is not None and not callable(hess):
            raise TypeError(f"hess must be a callable returning the Hessian matrix, got "
                            f"{type(hess).__name__} (quasi-Newton update strategies are not "
                            "supported by these methods)")
        if hessp is not None and not callable(hessp):
            raise TypeError(f"hessp must be callable, got {type(hessp).__name__}")
        self._jac = jac
        self._hess_fn, self._hessp_fn = hess, hessp
        self.shape = np.shape(x0)
        self.dtype = np.dtype(np.float64)
        if hess is None:
            self.hess = None
        if hessp is None and hess is None:
            self.hvp = None

    def value(self, x):
        out = self._fun(x, *self._args)
        return float(out[0] if self._jac_true else out)

    def grad(self, x):
        if self._jac_true:
            return np.asarray(self._fun(x, *self._args)[1], dtype=np.float64)
        return np.asarray(self._jac(x, *self._args), dtype=np.float64)

    def value_and_grad(self, x):
        if self._jac_true:
            f, g = self._fun(x, *self._args)
            return float(f), np.asarray(g, dtype=np.float64)
        return float(self._fun(x, *self._args)), np.asarray(self._jac(x, *self._args),
                                                           dtype=np.float64)

    def hess(self, x):
        H = self._hess_fn(x, *self._args)
        return H if hasattr(H, "tocsr") else np.asarray(H, dtype=np.float64)

    def hvp(self, x, v):
        if self._hessp_fn is not None:
            return np.asarray(self._hessp_fn(x, v, *self._args), dtype=np.float64)
        return self.hess(x) @ v


def _wrap_callback(callback):
    """Accept ``callback(intermediate_result)`` and the legacy ``callback(xk)`` (scipy's
    rule: a single parameter named ``intermediate_result`` gets the OptimizeResult)."""
    if callback is None or hasattr(callback, "stop_iteration"):  # already scipy-wrapped
        return callback
    try:
        params = set(inspect.signature(callback).parameters)
    except (TypeError, ValueError):
        params = set()
    if params == {"intermediate_result"}:
        return lambda res: callback(intermediate_result=res)
    return lambda res: callback(np.copy(res.x))


def _solver_options(options, tol, allowed):
    opts = {}
    unknown = []
    for key, val in options.items():
        name = _SCIPY_OPTION_NAMES.get(key, key)
        if name in allowed:
            opts[name] = val
        else:
            unknown.append(key)
    if unknown:
        warnings.warn(f"Unknown solver options: {', '.join(sorted(unknown))}", OptimizeWarning,
                      stacklevel=3)
    if tol is not None:
        opts.setdefault("tol", tol)
    return opts


def _check_unsupported(bounds, constraints, name):
    if bounds is not None:
        raise ValueError(f"{name} is an unconstrained method; bounds are not supported")
    if constraints is not None and len(constraints) > 0 if hasattr(constraints, "__len__") \
            else constraints:
        raise ValueError(f"{name} is an unconstrained method; constraints are not supported")


def _run(solver, allowed, fun, x0, args, jac, hess, hessp, bounds, constraints, callback, tol,
         options, name):
    _check_unsupported(bounds, constraints, name)
    x0 = np.asarray(x0)
    if np.iscomplexobj(x0):
        raise TypeError(f"x0 must be real, got dtype {x0.dtype}")
    x0 = np.atleast_1d(x0.astype(np.float64))
    if x0.ndim > 1:
        raise ValueError(f"x0 must be 1-D, got shape {x0.shape}")
    f = _ScipyObjective(fun, x0, args, jac, hess, hessp)
    opts = _solver_options(options, tol, allowed)
    res = solver(f, x0, callback=_wrap_callback(callback), **opts)
    if res.status == 99:
        res["message"] = "`callback` raised `StopIteration`."
    return res


_DAMPED_OPTIONS = ("stepsize", "q", "L", "rho", "linsolve", "max_cg", "measure", "c1", "tol",
                   "max_iter", "verbose")
_LAZY_OPTIONS = ("m", "variant", "M", "rho", "tol", "max_iter", "verbose")


def damped_newton(fun, x0, args=(), jac=None, hess=None, hessp=None, bounds=None,
                  constraints=(), callback=None, tol=None, **options):
    """:func:`solvers.damped_newton` as a ``scipy.optimize.minimize`` method.

    Parameters
    ----------
    fun, x0, args, jac, hess, hessp, callback, tol
        As in :func:`scipy.optimize.minimize`; ``jac`` is required (callable or True), and
        one of ``hess`` / ``hessp`` (``hessp`` alone runs the Hessian-free CG solve).
    bounds, constraints
        Not supported (ValueError when given).
    **options
        ``maxiter``, ``gtol`` (the gradient-norm tolerance; ``tol`` sets it too), ``disp``,
        and the keywords of :func:`solvers.damped_newton`: ``stepsize``, ``q``, ``L``,
        ``rho``, ``linsolve``, ``max_cg``, ``measure``, ``c1``.

    Returns
    -------
    OptimizeResult
        ``x, fun, jac, nit, nfev, njev, nhev, status, success, message, history``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.optimize import minimize, rosen, rosen_der, rosen_hess
    >>> from solvers.interfaces.scipy import damped_newton
    >>> res = minimize(rosen, np.array([-1.2, 1.0]), jac=rosen_der, hess=rosen_hess,
    ...                method=damped_newton, options={"gtol": 1e-10})
    >>> res.success, np.allclose(res.x, 1.0)
    (True, True)
    """
    if hess is None and hessp is not None:
        options.setdefault("linsolve", "cg")
    return _run(_damped_newton, _DAMPED_OPTIONS, fun, x0, args, jac, hess, hessp, bounds,
                constraints, callback, tol, options, "damped_newton")


def lazy_newton(fun, x0, args=(), jac=None, hess=None, hessp=None, bounds=None,
                constraints=(), callback=None, tol=None, **options):
    """:func:`solvers.lazy_newton` as a ``scipy.optimize.minimize`` method.

    ``hess`` is required (the method decomposes one Hessian per ``m`` steps); options are
    ``maxiter``, ``gtol``, ``disp`` and the keywords of :func:`solvers.lazy_newton`: ``m``,
    ``variant``, ``M``, ``rho``. Returns an ``OptimizeResult`` as :func:`damped_newton` does.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.optimize import minimize, rosen, rosen_der, rosen_hess
    >>> from solvers.interfaces.scipy import lazy_newton
    >>> res = minimize(rosen, np.array([-1.2, 1.0]), jac=rosen_der, hess=rosen_hess,
    ...                method=lazy_newton, options={"m": 2, "gtol": 1e-9})
    >>> res.success, res.nhev < res.nit
    (True, True)
    """
    if hess is None:
        raise ValueError("lazy_newton needs hess (a callable returning the Hessian matrix)")
    return _run(_lazy_newton, _LAZY_OPTIONS, fun, x0, args, jac, hess, hessp, bounds,
                constraints, callback, tol, options, "lazy_newton")
