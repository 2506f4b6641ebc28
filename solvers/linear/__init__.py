"""Linear solvers: successive over-relaxation (SOR / SSOR sweeps on CSR matrices, and the
multicolor sweep that runs on the GPU), SSOR-preconditioned conjugate gradients, the omega
comparators (Young's formula, the instance-optimal search) and the online tuner of omega
across sequences of systems with its bandit learners."""
from . import bandits
from .multicolor import MulticolorSplitting, coloring, multicolor_sor
from .omega import instance_optimal_omega, young_omega
from .sor import sor
from .ssor_pcg import ssor_pcg
from .tuner import OmegaTuner

__all__ = ["MulticolorSplitting", "OmegaTuner", "bandits", "coloring", "instance_optimal_omega",
           "multicolor_sor", "sor", "ssor_pcg", "young_omega"]
