"""Linear solvers: successive over-relaxation (SOR / SSOR sweeps on CSR matrices),
SSOR-preconditioned conjugate gradients, and the omega comparators (Young's formula, the
instance-optimal search)."""
from .omega import instance_optimal_omega, young_omega
from .sor import sor
from .ssor_pcg import ssor_pcg

__all__ = ["instance_optimal_omega", "sor", "ssor_pcg", "young_omega"]
