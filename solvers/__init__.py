"""optsuite solvers: classical numerical optimization on one backend switch.

Every solver takes ``backend="auto" | "cpu" | "gpu"`` and returns a :class:`~solvers.Result`
(a :class:`scipy.optimize.OptimizeResult`) with a per-iteration :class:`History`.
"""
from .admm import (admm, admm_group_lasso, admm_lasso, admm_logistic_l1, admm_qp, admm_tv1d,
                   admm_tv2d, consensus_admm, federated_wls)
from .backend import get_backend
from .bcd import bcd
from .constrained import exact_al
from .core import History, Result
from .linear import OmegaTuner, multicolor_sor, sor, ssor_pcg
from .monotone import eag, extragradient, halpern, vr_eg, vr_halpern
from .newton import damped_newton, lazy_newton
from .path import alpha_grid, path
from .precond import poly_precond
from .proximal import fista, nonconvex_ag, prox_grad

__version__ = "0.1.0.dev0"

__all__ = [
    "History", "OmegaTuner", "Result", "admm", "admm_group_lasso", "admm_lasso", "admm_logistic_l1",
    "admm_qp", "admm_tv1d", "admm_tv2d", "alpha_grid", "bcd", "consensus_admm", "damped_newton", "exact_al",
    "federated_wls", "fista", "get_backend", "lazy_newton", "multicolor_sor", "nonconvex_ag", "path", "poly_precond",
    "prox_grad", "sor", "ssor_pcg",
    "eag", "extragradient", "halpern", "vr_eg", "vr_halpern",
]
