"""Largest eigenvalue of ``G`` or ``X^T X`` by Lanczos with full reorthogonalization, compiled.

Working sets need the Lipschitz constant of every restricted fit; the sets change little
between rounds, so a Lanczos run started from the previous round's leading eigenvector
converges in a few products. Compiled whole, it avoids the per-product Python overhead of
ARPACK (``scipy.sparse.linalg.eigsh``), which dominated the rounds of small problems.
"""
from __future__ import annotations

import math

import numba
import numpy as np

#: The products: with the symmetric matrix itself, or with ``X^T X`` for a design ``X``.
GRAM, DESIGN = 0, 1


@numba.njit(cache=True)
def _product(form, A, v):
    if form == GRAM:
        return np.dot(A, v)
    return np.dot(A.T, np.dot(A, v))


@numba.njit(cache=True)
def largest_eigenpair(form, A, v0, tol, max_steps):
    """``(theta, y)``: the largest eigenvalue of ``A`` (``form = GRAM``) or ``A^T A``
    (``form = DESIGN``) and its unit eigenvector, stopped when the residual
    ``||M y - theta y||`` is at most ``tol * theta`` (ARPACK's test) or the Krylov space is
    invariant. ``v0`` is the (nonzero) starting vector."""
    m = v0.shape[0]
    steps = min(max_steps, m)
    Q = np.zeros((steps + 1, m))
    alphas = np.zeros(steps)
    betas = np.zeros(steps)
    q = v0 / math.sqrt(np.dot(v0, v0))
    Q[0] = q
    theta = 0.0
    y = q.copy()
    for j in range(steps):
        w = _product(form, A, Q[j])
        alphas[j] = np.dot(Q[j], w)
        for _ in range(2):  # full reorthogonalization, twice for stability
            for i in range(j + 1):
                w -= np.dot(Q[i], w) * Q[i]
        beta = math.sqrt(np.dot(w, w))
        betas[j] = beta
        T = np.zeros((j + 1, j + 1))
        for i in range(j + 1):
            T[i, i] = alphas[i]
            if i < j:
                T[i, i + 1] = betas[i]
                T[i + 1, i] = betas[i]
        vals, vecs = np.linalg.eigh(T)
        theta = vals[j]
        s = vecs[:, j]
        if beta * abs(s[j]) <= tol * abs(theta) or beta <= 1e-300 or j == steps - 1:
            y = np.dot(s, Q[:j + 1])
            y /= math.sqrt(np.dot(y, y))
            return theta, y
        Q[j + 1] = w / beta
    return theta, y
