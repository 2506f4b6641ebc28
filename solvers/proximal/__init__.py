"""Proximal gradient methods: proximal gradient, FISTA and the nonconvex accelerated
gradient of Ghadimi and Lan."""
from .fista import fista
from .nonconvex_ag import nonconvex_ag
from .prox_grad import prox_grad

__all__ = ["fista", "nonconvex_ag", "prox_grad"]
