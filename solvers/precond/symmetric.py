"""Elementary symmetric polynomials of a spectrum and the polynomial preconditioner P_tau.

For a PSD matrix ``B`` with eigenvalues ``lambda_1 >= ... >= lambda_n >= 0`` let ``sigma_k``
be the k-th elementary symmetric polynomial of the eigenvalues (``sigma_0 = 1``,
``sigma_1 = tr B``, ``sigma_n = det B``). The preconditioner of degree ``tau`` is

    P_tau = sum_{i=0..tau} (-1)^i sigma_{tau-i} B^i.

Splitting ``sigma_k(lambda) = sigma_k(lambda without j) + lambda_j sigma_{k-1}(lambda without
j)`` and unrolling gives its eigenvalue on the j-th eigenvector,
``p_tau(lambda_j) = sigma_tau(lambda without lambda_j) >= 0``, hence
``lambda_j p_tau(lambda_j) = sigma_{tau+1} - sigma_{tau+1}(lambda without j) <= sigma_{tau+1}``:
``B <= sigma_{tau+1} P_tau^{-1}``, so a function whose curvature is bounded by ``B`` is
1-smooth in the metric ``G_tau = sigma_{tau+1} P_tau^{-1}`` and the gradient step in that
metric is ``x+ = x - P_tau grad f(x) / sigma_{tau+1}``.

N. Doikov and A. Rodomanov, "Polynomial preconditioning for gradient methods", ICML 2023
(arXiv:2301.13194), section 3.
"""
from __future__ import annotations

import numpy as np

from ..core.validation import check_scalar


def _spectrum(eigenvalues):
    lam = np.asarray(eigenvalues, dtype=np.float64).ravel()
    if lam.size == 0 or not np.all(np.isfinite(lam)):
        raise ValueError("eigenvalues must be a non-empty array of finite numbers")
    if lam.min() < 0:
        raise ValueError(f"eigenvalues must be >= 0 (a PSD spectrum), got min {lam.min():.3e}")
    return lam


def elementary_symmetric(eigenvalues, k):
    """``[sigma_0, ..., sigma_k]`` of a nonnegative spectrum.

    Computed by the product recurrence ``e_j <- e_j + lambda e_{j-1}`` over the eigenvalues,
    which only adds nonnegative numbers and so is accurate to rounding (unlike Newton's
    identities, which subtract). ``sigma_j = 0`` for ``j > n``.

    Parameters
    ----------
    eigenvalues : array_like of shape (n,)
        Nonnegative eigenvalues.
    k : int >= 0
        Highest order.

    Returns
    -------
    ndarray of shape (k + 1,)
    """
    lam = _spectrum(eigenvalues)
    k = check_scalar(k, "k", lower=0, integer=True)
    e = np.zeros(k + 1)
    e[0] = 1.0
    for value in lam:
        e[1:] = e[1:] + value * e[:-1]
    return e


def elementary_symmetric_from_traces(traces):
    """``[sigma_0, ..., sigma_k]`` from the power traces ``t_i = tr(B^i)``, i = 1..k, by
    Newton's identities ``j sigma_j = sum_{i=1..j} (-1)^(i-1) sigma_{j-i} t_i``.

    The sums alternate in sign, so the relative error of ``sigma_j`` grows with the ratio of
    the largest term to the result; exact spectra should go through
    :func:`elementary_symmetric` instead.

    Parameters
    ----------
    traces : array_like of shape (k,)
        ``[tr B, tr B^2, ..., tr B^k]``.
    """
    t = np.asarray(traces, dtype=np.float64).ravel()
    if not np.all(np.isfinite(t)):
        raise ValueError("traces must be finite")
    sigma = np.zeros(t.size + 1)
    sigma[0] = 1.0
    for j in range(1, t.size + 1):
        signs = (-1.0) ** np.arange(j)  # (-1)^(i-1) for i = 1..j
        sigma[j] = float(np.dot(signs * sigma[j - 1::-1], t[:j])) / j
    return sigma


def leave_one_out_symmetric(eigenvalues, k):
    """``sigma_k`` of the spectrum with each eigenvalue removed in turn: entry j is
    ``sigma_k(lambda without lambda_j)``, the eigenvalue of ``P_k`` on eigenvector j.

    Prefix and suffix recurrences combined by a convolution: O(n k^2), no subtraction.
    """
    lam = _spectrum(eigenvalues)
    k = check_scalar(k, "k", lower=0, integer=True)
    n = lam.size
    prefix = np.zeros((n + 1, k + 1))
    suffix = np.zeros((n + 1, k + 1))
    prefix[0, 0] = suffix[n, 0] = 1.0
    for i in range(n):
        prefix[i + 1] = prefix[i]
        prefix[i + 1, 1:] += lam[i] * prefix[i, :-1]
    for i in range(n - 1, -1, -1):
        suffix[i] = suffix[i + 1]
        suffix[i, 1:] += lam[i] * suffix[i + 1, :-1]
    # sigma_k(without j) = sum_a prefix_j[a] * suffix_{j+1}[k - a]
    return np.einsum("ja,ja->j", prefix[:n], suffix[1:, ::-1])


def preconditioner_coefficients(sigma, tau):
    """Coefficients ``c_i = (-1)^i sigma_{tau-i}`` of ``P_tau = sum_i c_i B^i``, i = 0..tau."""
    tau = check_scalar(tau, "tau", lower=0, integer=True)
    sigma = np.asarray(sigma, dtype=np.float64)
    if sigma.size < tau + 1:
        raise ValueError(f"need sigma_0..sigma_{tau}, got {sigma.size} values")
    return np.array([(-1.0) ** i * sigma[tau - i] for i in range(tau + 1)])


def apply_polynomial(coefficients, matvec, v):
    """``sum_i c_i B^i v`` by Horner's scheme: ``len(c) - 1`` products with ``B``."""
    c = [float(ci) for ci in coefficients]  # Python floats: no numpy scalar meets a cupy array
    out = c[-1] * v
    for ci in c[-2::-1]:
        out = matvec(out) + ci * v
    return out


def effective_condition_number(eigenvalues, tau):
    """Condition number that the preconditioned gradient method attains on a quadratic with
    Hessian ``B``: ``sigma_{tau+1} / min_j lambda_j sigma_tau(lambda without j)``
    ``= sigma_{tau+1}(lambda) / (lambda_min sigma_tau(lambda without lambda_min))``.

    Its linear rate is ``1 - 1 / kappa_tau``; the fast gradient method's is
    ``1 - 1 / sqrt(kappa_tau)``. ``kappa_0 = tr B / lambda_min``; ``kappa_tau`` decreases in
    ``tau`` (Newton's inequalities make ``sigma_{k+1} / sigma_k`` decrease) and
    ``kappa_{n-1} = 1`` (``P_{n-1} B = det(B) I``). Infinite for a singular ``B``.

    Parameters
    ----------
    eigenvalues : array_like of shape (n,)
    tau : int, 0 <= tau <= n - 1
    """
    lam = _spectrum(eigenvalues)
    tau = check_scalar(tau, "tau", lower=0, upper=lam.size - 1, integer=True)
    sig = elementary_symmetric(lam, tau + 1)[tau + 1]
    low = float(np.min(lam * leave_one_out_symmetric(lam, tau)))
    return np.inf if low <= 0 else sig / low


def predicted_rate(eigenvalues, tau):
    """Asymptotic contraction factor per iteration of the preconditioned gradient method on
    a quadratic with Hessian ``B``: ``1 - 1 / kappa_tau`` (``effective_condition_number``),
    which equals ``sigma_{tau+1}(lambda without lambda_min) / sigma_{tau+1}(lambda)``."""
    return 1.0 - 1.0 / effective_condition_number(eigenvalues, tau)
