"""Fit empirical convergence rates to a run's history, for convergence-rate tests.

``fit_linear_rate`` fits ``e_k ~ C q^k`` (log-linear least squares) and returns the
contraction factor q. ``fit_sublinear_rate`` fits ``e_k ~ C k^p`` (log-log least squares)
and returns the exponent p (about -1 for an O(1/k) method, -2 for O(1/k^2)).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RateFit:
    """A fitted rate.

    Attributes
    ----------
    rate : float
        Contraction factor q (linear fit) or exponent p (sublinear fit).
    constant : float
        The fitted constant C.
    r2 : float
        Coefficient of determination of the fit in log space.
    n_points : int
        Number of points used.
    """

    rate: float
    constant: float
    r2: float
    n_points: int


def _prepare(errors, iterations, start, stop, min_value):
    e = np.asarray(errors, dtype=float).ravel()
    k = np.arange(e.size, dtype=float) if iterations is None else np.asarray(iterations, float).ravel()
    if k.shape != e.shape:
        raise ValueError(f"iterations has {k.size} entries but errors has {e.size}")
    sel = slice(start, stop)
    e, k = e[sel], k[sel]
    keep = np.isfinite(e) & (e > min_value)
    e, k = e[keep], k[keep]
    if e.size < 3:
        raise ValueError(
            f"need at least 3 positive finite errors above {min_value:g} to fit a rate, got {e.size}"
        )
    return k, e


def _lstsq(a, b):
    A = np.vstack([a, np.ones_like(a)]).T
    coef, *_ = np.linalg.lstsq(A, b, rcond=None)
    pred = A @ coef
    ss_res = float(np.sum((b - pred) ** 2))
    ss_tot = float(np.sum((b - b.mean()) ** 2))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    return coef[0], coef[1], r2


def fit_linear_rate(errors, iterations=None, *, start=0, stop=None, min_value=0.0):
    """Fit ``errors[k] ~ C * q**k`` and return the contraction factor q.

    Parameters
    ----------
    errors : array_like
        A nonnegative error sequence (suboptimality, distance, residual).
    iterations : array_like, optional
        Iteration numbers of the errors (default 0, 1, 2, ...).
    start, stop : int
        Slice of the sequence used for the fit (drop a transient or a floor).
    min_value : float
        Errors at or below this value (e.g. the rounding floor) are ignored.

    Returns
    -------
    RateFit
        ``rate`` is q; q < 1 means linear convergence.
    """
    k, e = _prepare(errors, iterations, start, stop, min_value)
    slope, icpt, r2 = _lstsq(k, np.log(e))
    return RateFit(float(np.exp(slope)), float(np.exp(icpt)), float(r2), int(e.size))


def fit_sublinear_rate(errors, iterations=None, *, start=1, stop=None, min_value=0.0):
    """Fit ``errors[k] ~ C * k**p`` and return the exponent p.

    Parameters
    ----------
    errors : array_like
        A nonnegative error sequence.
    iterations : array_like, optional
        Iteration numbers (default 0, 1, 2, ...; k = 0 is skipped by ``start=1``).
    start, stop : int
        Slice of the sequence used for the fit.
    min_value : float
        Errors at or below this value are ignored.

    Returns
    -------
    RateFit
        ``rate`` is p: about -1 for O(1/k), -2 for O(1/k^2).
    """
    k, e = _prepare(errors, iterations, start, stop, min_value)
    if np.any(k <= 0):
        raise ValueError("iterations must be positive for a sublinear fit (use start >= 1)")
    slope, icpt, r2 = _lstsq(np.log(k), np.log(e))
    return RateFit(float(slope), float(np.exp(icpt)), float(r2), int(e.size))


def fit_convergence_order(errors, *, start=0, stop=None, min_value=0.0):
    """Fit ``errors[k+1] ~ C * errors[k]**q`` and return the order q.

    q = 1 with C < 1 is linear convergence, q > 1 superlinear (q = 2 quadratic, as for
    Newton's method near a nondegenerate solution).

    Parameters
    ----------
    errors : array_like
        A positive error sequence (e.g. the tail of a suboptimality or gap history).
    start, stop : int
        Slice of the sequence used for the fit.
    min_value : float
        Errors at or below this value (the rounding floor) end the sequence used.

    Returns
    -------
    RateFit
        ``rate`` is q, ``constant`` is C.
    """
    e = np.asarray(errors, dtype=float).ravel()[slice(start, stop)]
    bad = np.flatnonzero(~np.isfinite(e) | (e <= min_value))
    if bad.size:
        e = e[: bad[0]]
    if e.size < 3:
        raise ValueError(
            f"need at least 3 positive finite errors above {min_value:g} to fit an order, got {e.size}"
        )
    q, icpt, r2 = _lstsq(np.log(e[:-1]), np.log(e[1:]))
    return RateFit(float(q), float(np.exp(icpt)), float(r2), int(e.size))
