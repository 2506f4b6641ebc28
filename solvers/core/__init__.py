"""Shared solver machinery: Result/History, run monitoring (stopping, callbacks, progress),
line searches, input validation, optimality measures and convergence-rate fits."""
from . import rates
from .linesearch import armijo, prox_backtracking
from .monitor import Monitor
from .optimality import duality_gap, prox_grad_mapping_norm, supports_duality_gap
from .rates import RateFit, fit_convergence_order, fit_linear_rate, fit_sublinear_rate
from .result import (
    CALLBACK_STOP,
    CONVERGED,
    DIVERGED,
    LINESEARCH_FAILED,
    MAX_ITER,
    NUMERICAL_ERROR,
    SINGULAR,
    STALLED,
    History,
    Result,
)
from .validation import check_matrix, check_option, check_scalar, check_vector, check_x0, require

__all__ = [
    "CALLBACK_STOP", "CONVERGED", "DIVERGED", "LINESEARCH_FAILED", "MAX_ITER", "NUMERICAL_ERROR", "SINGULAR", "STALLED",
    "History", "Monitor", "RateFit", "Result", "armijo", "check_matrix", "check_option",
    "check_scalar", "check_vector", "check_x0", "duality_gap", "fit_convergence_order",
    "fit_linear_rate",
    "fit_sublinear_rate", "prox_backtracking", "prox_grad_mapping_norm", "rates", "require",
    "supports_duality_gap",
]
