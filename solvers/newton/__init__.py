"""Damped Newton methods with near-optimal global rates, and Newton with lazy Hessians."""
from .damped import damped_newton
from .lazy import lazy_newton

__all__ = ["damped_newton", "lazy_newton"]
