"""Polynomial preconditioning for the gradient and fast gradient methods, and the adaptive
Krylov variant (Doikov and Rodomanov, ICML 2023)."""
from .poly import poly_precond
from .symmetric import (
    apply_polynomial, effective_condition_number, elementary_symmetric,
    elementary_symmetric_from_traces, leave_one_out_symmetric, preconditioner_coefficients,
    predicted_rate,
)
from .traces import exact_traces_sparse, hutchinson_traces

__all__ = [
    "apply_polynomial", "effective_condition_number", "elementary_symmetric",
    "elementary_symmetric_from_traces", "exact_traces_sparse", "hutchinson_traces",
    "leave_one_out_symmetric", "poly_precond", "preconditioner_coefficients", "predicted_rate",
]
