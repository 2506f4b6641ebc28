"""Power traces ``t_i = tr(B^i)`` of a PSD curvature bound: exact and Hutchinson estimates.

Exact traces of a sparse ``B`` come from sparse powers up to ``ceil(k / 2)`` and
``tr(B^a B^b) = sum(B^a * B^b)`` (``B`` symmetric). Estimates use Hutchinson's estimator with a
deflated low-rank part (Hutch++): the range of ``B`` applied to a third of the probes is
handled exactly and Rademacher probes estimate the rest, so a spectrum with a few separated top
eigenvalues, where polynomial preconditioning pays, is estimated to a small relative error.

M. F. Hutchinson, Comm. Statist. Simul. Comput. 19(2), 1990; R. A. Meyer, C. Musco, C. Musco,
D. P. Woodruff, "Hutch++: optimal stochastic trace estimation", SOSA 2021.
"""
from __future__ import annotations

import math

import numpy as np

from ..backend._select import to_host

#: default number of probe vectors of :func:`hutchinson_traces`
DEFAULT_PROBES = 60


def _sum_products(blocks_a, blocks_b):
    """``sum(A * B)`` on the host, for dense device blocks."""
    return float((blocks_a * blocks_b).sum())


def exact_traces_sparse(B, k):
    """``[tr B, ..., tr B^k]`` of a symmetric sparse matrix from sparse powers (O(fill-in of
    ``B^ceil(k/2)``)); the matrix is not modified."""
    powers = [None, B]
    for _ in range(2, (k + 1) // 2 + 1):
        powers.append(powers[-1] @ B)
    t = []
    for i in range(1, k + 1):
        a, b = (i + 1) // 2, i // 2
        if b == 0:
            t.append(float(B.diagonal().sum()))
        else:
            t.append(float(powers[a].multiply(powers[b]).sum()))
    return np.array(t)


def hutchinson_traces(matvec, n, k, *, n_probes=DEFAULT_PROBES, rng, xp=np, dtype=np.float64):
    """Estimates of ``[tr B, ..., tr B^k]`` for a symmetric PSD ``B`` known by products.

    A third of the probes (at least one) sketch the top of the range, ``Q = orth(B S)``; the
    traces of ``Q^T B^i Q`` are computed exactly and the remaining ``m`` Rademacher probes ``z``,
    projected off ``Q``, estimate the rest: ``t_i ~ tr(Q^T B^i Q) + mean(z'^T B^i z')``. For
    each ``i`` the residual term has standard deviation at most
    ``sqrt(2 / m) ||(I - Q Q^T) B^i (I - Q Q^T)||_F``; the returned ``stderr`` is its sample
    estimate. When ``n`` is at most the sketch size the traces are exact.

    Parameters
    ----------
    matvec : callable
        ``matvec(V)`` returns ``B @ V`` for a block ``V`` of shape (n, m).
    n : int
        Dimension.
    k : int
        Highest power.
    n_probes : int, default 60
        Total probe vectors (the cost is about ``n_probes * (ceil(k/2) + 1)`` products).
    rng : numpy.random.Generator
    xp : array namespace of the products

    Returns
    -------
    traces : ndarray of shape (k,)
    info : dict
        ``stderr`` (shape (k,)), ``Q`` (the deflation basis, on the device), ``n_products``.
    """
    half = (k + 1) // 2
    n_sketch = max(1, n_probes // 3)
    n_res = max(0, n_probes - n_sketch)
    n_prod = 0

    def powers(V):
        out = [V]
        for _ in range(half):
            out.append(matvec(out[-1]))
        return out

    def signs(m):
        return xp.asarray(rng.choice(np.array([-1.0, 1.0]), size=(n, m)), dtype=dtype)

    if n <= n_sketch:
        Q = xp.eye(n, dtype=dtype)
    else:
        Y = matvec(signs(n_sketch))
        n_prod += n_sketch
        Q, _ = xp.linalg.qr(Y)
    W = powers(Q)
    n_prod += half * Q.shape[1]
    t = np.array([_sum_products(W[(i + 1) // 2], W[i // 2]) for i in range(1, k + 1)])
    stderr = np.zeros(k)
    if n > n_sketch and n_res > 0:
        Z = signs(n_res)
        Z = Z - Q @ (Q.T @ Z)
        V = powers(Z)
        n_prod += half * n_res
        for i in range(1, k + 1):
            per_probe = np.asarray(to_host((V[(i + 1) // 2] * V[i // 2]).sum(axis=0)), dtype=np.float64)
            t[i - 1] += per_probe.mean()
            stderr[i - 1] = per_probe.std(ddof=1) / math.sqrt(n_res) if n_res > 1 else math.inf
    return t, {"stderr": stderr, "Q": Q, "n_products": n_prod}
