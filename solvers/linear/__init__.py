"""Linear solvers: successive over-relaxation (SOR / SSOR sweeps on CSR matrices)."""
from .sor import sor

__all__ = ["sor"]
