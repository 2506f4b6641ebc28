"""Pieces every ADMM variant shares: option validation, Boyd's stopping tolerances and the
adaptive penalty rules.

References
----------
S. Boyd, N. Parikh, E. Chu, B. Peleato, J. Eckstein, "Distributed optimization and statistical
learning via the alternating direction method of multipliers", Foundations and Trends in
Machine Learning 3(1), 2011: section 3.3 (stopping), section 3.4.1 (residual balancing).
B. Stellato, G. Banjac, P. Goulart, A. Bemporad, S. Boyd, "OSQP: an operator splitting solver
for quadratic programs", Mathematical Programming Computation 12, 2020: section 5.2 (rho).
"""
from __future__ import annotations

import math

from ..core.validation import check_option, check_scalar

#: ``adaptive_rho`` values: fixed penalty, residual balancing, OSQP's square-root rule.
RHO_RULES = (None, "balance", "osqp")


def check_admm_options(rho, alpha, abstol, reltol, adaptive_rho, rho_interval):
    """Validate the options shared by the ADMM solvers; return them normalized.

    ``rho > 0``; over-relaxation ``alpha`` in ``(0, 2)``; ``abstol, reltol >= 0`` (not both
    zero); ``adaptive_rho`` in :data:`RHO_RULES`; ``rho_interval >= 1`` iterations.
    """
    rho = check_scalar(rho, "rho", lower=0.0, lower_inclusive=False)
    alpha = check_scalar(alpha, "alpha", lower=0.0, upper=2.0, lower_inclusive=False,
                         upper_inclusive=False)
    abstol = check_scalar(abstol, "abstol", lower=0.0)
    reltol = check_scalar(reltol, "reltol", lower=0.0)
    if abstol == 0.0 and reltol == 0.0:
        raise ValueError("abstol and reltol cannot both be 0: the stopping rule would never "
                         "hold; give a positive abstol or reltol")
    check_option(adaptive_rho, "adaptive_rho", RHO_RULES)
    rho_interval = check_scalar(rho_interval, "rho_interval", lower=1, integer=True)
    return rho, alpha, abstol, reltol, adaptive_rho, rho_interval


def boyd_tolerances(n_constraints, n_primal, abstol, reltol, ax_norm, bz_norm, c_norm,
                    aty_norm):
    """Primal and dual tolerances of Boyd et al. (2011), eq. (3.12).

    ``eps_pri = sqrt(p) abstol + reltol max(||Ax||, ||Bz||, ||c||)`` with ``p`` the number of
    constraint rows, and ``eps_dual = sqrt(n) abstol + reltol ||A^T y||`` with ``n`` the
    dimension of ``x`` and ``y = rho u`` the unscaled dual variable.
    """
    eps_pri = math.sqrt(n_constraints) * abstol + reltol * max(ax_norm, bz_norm, c_norm)
    eps_dual = math.sqrt(n_primal) * abstol + reltol * aty_norm
    return eps_pri, eps_dual


def balanced_rho(rho, r_norm, s_norm, mu=10.0, tau=2.0):
    """Residual balancing (Boyd et al. 2011, eq. (3.13)): multiply ``rho`` by ``tau`` when the
    primal residual exceeds ``mu`` times the dual one, divide it by ``tau`` in the opposite
    case, else keep it."""
    if r_norm > mu * s_norm:
        return rho * tau
    if s_norm > mu * r_norm:
        return rho / tau
    return rho


#: OSQP's ``adaptive_rho_tolerance``: rho changes only when the rule moves it by more than
#: this factor (each change costs a refactorization).
OSQP_RHO_TOLERANCE = 5.0


def osqp_rho(rho, r_norm, s_norm, r_scale, s_scale, bounds=(1e-6, 1e6),
             tolerance=OSQP_RHO_TOLERANCE):
    """OSQP's rule (Stellato et al. 2020, section 5.2):
    ``rho * sqrt((||r|| / r_scale) / (||s|| / s_scale))`` where the scales are the quantities
    the tolerances are relative to (``max(||Ax||, ||Bz||, ||c||)`` and ``||A^T y||``), clipped
    to ``bounds``, and applied only when it differs from ``rho`` by more than ``tolerance``
    in either direction. Returns ``rho`` unchanged when a residual or scale is zero."""
    if r_norm <= 0 or s_norm <= 0 or r_scale <= 0 or s_scale <= 0:
        return rho
    new = rho * math.sqrt((r_norm / r_scale) / (s_norm / s_scale))
    new = min(max(new, bounds[0]), bounds[1])
    return new if (new > tolerance * rho or new < rho / tolerance) else rho


def updated_rho(rule, rho, r_norm, s_norm, r_scale, s_scale):
    """The next ``rho`` under ``rule`` (one of :data:`RHO_RULES`)."""
    if rule is None:
        return rho
    if rule == "balance":
        return balanced_rho(rho, r_norm, s_norm)
    return osqp_rho(rho, r_norm, s_norm, r_scale, s_scale)
