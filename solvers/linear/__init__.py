"""Linear solvers: successive over-relaxation (SOR / SSOR sweeps on CSR matrices) and
SSOR-preconditioned conjugate gradients."""
from .sor import sor
from .ssor_pcg import ssor_pcg

__all__ = ["sor", "ssor_pcg"]
