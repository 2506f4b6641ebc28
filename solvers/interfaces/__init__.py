"""Adapters to other ecosystems (scikit-learn estimators, scipy.optimize methods); the only
part of ``solvers`` allowed to import concrete problems.

The scikit-learn estimators (:class:`~solvers.interfaces.sklearn.Lasso`,
:class:`~solvers.interfaces.sklearn.ElasticNet`,
:class:`~solvers.interfaces.sklearn.SparseLogisticRegression` by block coordinate descent;
:class:`~solvers.interfaces.sklearn_nonconvex.MCPRegression`,
:class:`~solvers.interfaces.sklearn_nonconvex.SCADRegression`,
:class:`~solvers.interfaces.sklearn_nonconvex.MCPLogisticRegression` by the nonconvex
accelerated gradient) are loaded on first access, so importing ``solvers`` never imports
scikit-learn.
"""
_SKLEARN_ESTIMATORS = ("ElasticNet", "Lasso", "SparseLogisticRegression")
_NONCONVEX_ESTIMATORS = ("MCPLogisticRegression", "MCPRegression", "SCADRegression")

__all__ = list(_SKLEARN_ESTIMATORS + _NONCONVEX_ESTIMATORS)


def __getattr__(name):
    if name in _SKLEARN_ESTIMATORS or name in _NONCONVEX_ESTIMATORS:
        try:
            if name in _SKLEARN_ESTIMATORS:
                from . import sklearn as _sklearn_interface
            else:
                from . import sklearn_nonconvex as _sklearn_interface
        except ImportError as exc:
            if (exc.name or "").partition(".")[0] != "sklearn":
                raise
            raise ImportError(
                f"solvers.interfaces.{name} needs scikit-learn: pip install 'optsuite[sklearn]'"
            ) from exc
        return getattr(_sklearn_interface, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(__all__))
