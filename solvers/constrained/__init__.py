"""Equality-constrained optimization: the exact augmented Lagrangian method with randomized
iterative sketching (Hong, Na, Mahoney, Kolar, ICML 2023)."""
from .exact_al import exact_al

__all__ = ["exact_al"]
