"""What optsuite solves: smooth parts, penalties, data sets and test problems.

Everything here follows the duck-typed protocols of DESIGN section 3, so solvers never import
this package; users (and ``benchmarks``) put problems and solvers together.
"""
from solvers.core.optimality import duality_gap

from . import constrained, cutest, datasets, linear_systems, operators
from .graphs import LabelPropagation, lattice_quadratic, two_moons_graph
from .folded_concave import MCP, SCAD
from .penalties import L1, L2, Box, ElasticNet, GroupL1
from .polytope import PolytopeFeasibility
from .ridge import Ridge
from .smooth import LeastSquares, Logistic, Multinomial, Quadratic

__all__ = [
    "Box", "ElasticNet", "GroupL1", "L1", "L2", "LabelPropagation", "LeastSquares", "Logistic",
    "MCP", "Multinomial", "PolytopeFeasibility", "Quadratic", "Ridge", "SCAD", "constrained", "cutest", "datasets", "duality_gap", "lattice_quadratic", "linear_systems", "operators",
    "two_moons_graph",
]
