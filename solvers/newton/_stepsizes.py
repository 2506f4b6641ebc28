"""Stepsize rules of the damped Newton method ``x+ = x - alpha n``, ``n = H(x)^{-1} grad f(x)``.

All rules see the Newton decrement (local gradient norm) ``g = sqrt(grad f(x)^T n)``.

* AICN (Hanzely et al. 2022, eq. (6)): ``alpha = (-1 + sqrt(1 + 2 L g)) / (L g)`` with ``L``
  the semi-strong self-concordance constant.
* Root-Newton schedules (Hanzely, Abdukhakimov, Takac 2024): for Holder order ``q`` in
  [2, 4] with constant ``M``, ``theta = (9 M)^{1/(q-1)} g^{(q-2)/(q-1)}`` and
  ``alpha = 1 / (1 + theta)``.
* Universal backtracking for an unknown constant: ``M`` is multiplied by ``rho`` until the
  trial point ``y = x - alpha n`` satisfies
  ``<grad f(y), n> >= ||grad f(y)||*_x^2 / (2 alpha theta)`` (dual local norm at ``x``,
  computed with the factorization of ``H(x)``), then divided by ``rho`` before the next
  iteration so that the estimate can relax.
"""
from __future__ import annotations

import math


def aicn_step(L, g):
    """AICN stepsize ``(-1 + sqrt(1 + 2 L g)) / (L g)``, written as ``2 / (1 + sqrt(1 +
    2 L g))`` (the same number without cancellation; 1 when ``L g -> 0``)."""
    return 2.0 / (1.0 + math.sqrt(1.0 + 2.0 * L * g))


def root_theta(M, g, q):
    """``theta = (9 M)^{1/(q-1)} g^{(q-2)/(q-1)}`` of the root-Newton schedule."""
    if q == 2.0:
        return 9.0 * M
    return (9.0 * M) ** (1.0 / (q - 1.0)) * g ** ((q - 2.0) / (q - 1.0))


def schedule(kind, M, g, q):
    """``(alpha, theta)`` for the AICN (``kind="aicn"``) or root schedule with constant M."""
    if kind == "aicn":
        a = aicn_step(M, g)
        return a, (1.0 - a) / a
    theta = root_theta(M, g, q)
    return 1.0 / (1.0 + theta), theta


def accept_universal(gy_dot_n, gy_dual_sq, alpha, theta):
    """The universal backtracking test ``<grad f(y), n> >= ||grad f(y)||*_x^2 / (2 alpha
    theta)``; a trial point with a vanishing gradient is accepted."""
    if gy_dual_sq <= 0.0:
        return True
    if theta <= 0.0:
        return False
    return gy_dot_n >= gy_dual_sq / (2.0 * alpha * theta)
