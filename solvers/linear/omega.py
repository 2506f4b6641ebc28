"""Comparators for the relaxation parameter of SOR: Young's optimal omega and the
instance-optimal omega found by a golden-section search on the iteration count."""
from __future__ import annotations

import functools
import math

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import eigsh

from ..core.validation import check_option, check_scalar
from .sor import SWEEPS, check_square, sor

_GOLDEN = (math.sqrt(5) - 1) / 2


def young_omega(A):
    """Young's optimal relaxation ``2 / (1 + sqrt(1 - rho_J^2))``.

    ``rho_J`` is the spectral radius of the Jacobi iteration matrix ``I - D^{-1} A``, computed
    as the largest eigenvalue magnitude of the symmetric ``I - D^{-1/2} A D^{-1/2}``. The
    formula is optimal for consistently ordered matrices with real Jacobi spectrum in
    (-1, 1), e.g. the 5-point Laplacian (Young 1971, Theorem 6.2.3); for others it is a
    heuristic.

    Parameters
    ----------
    A : sparse matrix or array of shape (n, n)
        Symmetric with a positive diagonal.

    Returns
    -------
    float in [1, 2)

    Raises
    ------
    ValueError
        If the diagonal is not positive or ``rho_J >= 1`` (Jacobi does not converge, the
        formula does not apply).
    """
    A, diag = check_square(A)
    if np.any(diag <= 0):
        raise ValueError("young_omega needs a positive diagonal")
    s = 1.0 / np.sqrt(diag)
    J = sp.identity(A.shape[0], format="csr") - sp.diags(s) @ A @ sp.diags(s)
    n = A.shape[0]
    if n <= 500:
        rho = float(np.max(np.abs(np.linalg.eigvalsh(J.toarray()))))
    else:
        v0 = np.random.default_rng(0).standard_normal(n)
        rho = float(np.max(np.abs(eigsh(J, k=1, which="LM", v0=v0, tol=1e-10,
                                        return_eigenvectors=False))))
    if rho >= 1:
        raise ValueError(f"the Jacobi iteration matrix has spectral radius {rho:.6f} >= 1; "
                         "Young's formula does not apply")
    return 2.0 / (1.0 + math.sqrt(1.0 - rho * rho))


def instance_optimal_omega(A, b, *, solver="sor", lo=1.0, hi=1.99, xtol=1e-3, tol=1e-8,
                           max_iter=10_000, x0=None, sweep="forward"):
    """The omega in ``[lo, hi]`` with the fewest iterations to ``tol`` for this system, by a
    golden-section search on the iteration count (which is unimodal in omega for SOR on
    consistently ordered SPD systems; elsewhere the search returns a local minimizer).

    Returns ``(omega, iterations, evaluations)``. Each evaluation is one full solve, so this is
    the hindsight comparator of the tuning experiments, not something to call per system.
    ``sweep`` is SOR's sweep (``solver="sor"`` only).
    """
    check_option(solver, "solver", ("sor", "ssor_pcg"))
    check_option(sweep, "sweep", SWEEPS)
    if solver == "ssor_pcg" and sweep != "forward":
        raise ValueError("sweep applies to solver='sor' only")
    lo = check_scalar(lo, "lo", lower=0.0, upper=2.0, lower_inclusive=False,
                      upper_inclusive=False)
    hi = check_scalar(hi, "hi", lower=lo, upper=2.0, upper_inclusive=False)
    xtol = check_scalar(xtol, "xtol", lower=0.0, lower_inclusive=False)
    if solver == "sor":
        run = functools.partial(sor, sweep=sweep)
    else:
        from .ssor_pcg import ssor_pcg as run

    def cost(w):
        res = run(A, b, omega=w, tol=tol, max_iter=max_iter, x0=x0)
        return res.nit if res.success else max_iter + 1

    return golden_section_min(cost, lo, hi, xtol)


def golden_section_min(cost, lo, hi, xtol):
    """Golden-section search for the minimizer of ``cost`` on ``[lo, hi]`` down to an interval
    of width ``xtol``, each point evaluated once (cached). Ties go to the smaller omega.

    Returns ``(omega, cost(omega), evaluations)``: the best point evaluated.
    """
    cache = {}

    def f(w):
        if w not in cache:
            cache[w] = cost(w)
        return cache[w]

    a, c = lo, hi
    x1, x2 = c - _GOLDEN * (c - a), a + _GOLDEN * (c - a)
    while c - a > xtol:
        if f(x1) <= f(x2):
            c, x2 = x2, x1
            x1 = c - _GOLDEN * (c - a)
        else:
            a, x1 = x1, x2
            x2 = a + _GOLDEN * (c - a)
    best = min(cache, key=lambda w: (cache[w], w))
    return best, cache[best], len(cache)
