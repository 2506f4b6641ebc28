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

import numpy as np
import scipy.sparse as sp

from ..backend import is_gpu_array
from ..core.validation import check_matrix, check_option, check_scalar, check_vector

#: ``adaptive_rho`` values: fixed penalty, residual balancing, OSQP's square-root rule.
RHO_RULES = (None, "balance", "osqp")


def check_admm_options(rho, alpha, abstol, reltol, adaptive_rho, rho_interval, tol=None,
                       max_iter=0, alpha_name="alpha"):
    """Validate the options shared by the ADMM solvers; return them normalized.

    ``rho > 0``; over-relaxation ``alpha`` in ``(0, 2)`` (named ``alpha_name`` in messages:
    the built-ins call it ``relaxation``); ``abstol, reltol >= 0`` (not both zero), both
    replaced by ``tol`` when it is given (the shorthand, ``> 0``); ``adaptive_rho`` in
    :data:`RHO_RULES`; ``rho_interval >= 1``; ``max_iter >= 0``. Returns
    ``(rho, alpha, abstol, reltol, adaptive_rho, rho_interval, max_iter)``.
    """
    rho = check_scalar(rho, "rho", lower=0.0, lower_inclusive=False)
    alpha = check_scalar(alpha, alpha_name, lower=0.0, upper=2.0, lower_inclusive=False,
                         upper_inclusive=False)
    abstol = check_scalar(abstol, "abstol", lower=0.0)
    reltol = check_scalar(reltol, "reltol", lower=0.0)
    if abstol == 0.0 and reltol == 0.0:
        raise ValueError("abstol and reltol cannot both be 0: the stopping rule would never "
                         "hold; give a positive abstol or reltol")
    check_option(adaptive_rho, "adaptive_rho", RHO_RULES)
    rho_interval = check_scalar(rho_interval, "rho_interval", lower=1, integer=True)
    if tol is not None:
        abstol = reltol = check_scalar(tol, "tol", lower=0.0, lower_inclusive=False)
    max_iter = check_scalar(max_iter, "max_iter", lower=0, integer=True)
    return rho, alpha, abstol, reltol, adaptive_rho, rho_interval, max_iter


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


def check_data_parts(parts, name, solver, *, idx="i", with_weights=False):
    """Validate a list of data parts ``(X, y)`` (or ``(X, y, w)`` when ``with_weights``) as
    the shards of :func:`consensus_admm` and the clients of :func:`federated_wls` take them.

    Yields ``(k, X, y, rest)`` per part: ``X`` float64 (sparse stays sparse), ``y`` a
    float64 vector of matching length, ``rest`` the remaining items; every part must have
    the same number of columns. Errors name the part, e.g. ``shards[1][0] (X)``.
    """
    form = f"(X_{idx}, y_{idx})" + (f" or (X_{idx}, y_{idx}, w_{idx}) tuples" if with_weights
                                    else " pairs")
    arities = (2, 3) if with_weights else (2,)
    if sp.issparse(parts) or isinstance(parts, (np.ndarray, str, bytes)):
        raise TypeError(f"{name} must be a list of {form}, got {type(parts).__name__}")
    try:
        items = list(parts)
    except TypeError:
        raise TypeError(f"{name} must be a list of {form}, got {type(parts).__name__}") from None
    if not items:
        raise ValueError(f"{name} is empty: give at least one (X_{idx}, y_{idx}) pair")
    unit = name.rstrip("s")
    d = None
    for k, item in enumerate(items):
        if not isinstance(item, (tuple, list)) or len(item) not in arities:
            what = f"(X_{idx}, y_{idx}) or (X_{idx}, y_{idx}, w_{idx})" if with_weights \
                else f"a pair (X_{idx}, y_{idx})"
            raise TypeError(f"{name}[{k}] must be {what}, got {type(item).__name__}")
        X, y, rest = item[0], item[1], tuple(item[2:])
        if any(is_gpu_array(a) for a in (X, y) + rest):
            raise TypeError(f"{name}[{k}] holds GPU arrays; {solver} computes on the CPU (pass "
                            "numpy arrays or scipy.sparse matrices)")
        X = check_matrix(X, f"{name}[{k}][0] (X)", backend="cpu")
        if X.dtype != np.float64:
            X = X.astype(np.float64)
        if d is None:
            d = X.shape[1]
        elif X.shape[1] != d:
            raise ValueError(f"{name}[{k}][0] (X) has {X.shape[1]} features but {name}[0] has "
                             f"{d}: every {unit} must have the same columns")
        y = check_vector(y, f"{name}[{k}][1] (y)", dtype=np.float64, backend="cpu")
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"{name}[{k}][1] (y) has length {y.shape[0]} but {name}[{k}][0] "
                             f"(X) has {X.shape[0]} rows")
        yield k, X, y, rest
