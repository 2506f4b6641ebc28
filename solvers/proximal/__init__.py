"""Proximal gradient methods: ISTA-type proximal gradient and FISTA."""
from .fista import fista
from .prox_grad import prox_grad

__all__ = ["fista", "prox_grad"]
