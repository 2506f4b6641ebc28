"""Randomized iterative sketching (sketch-and-project) for the Newton / KKT system ``K z = b``.

For a square nonsingular ``K`` and sketches ``S`` drawn at random, sketch-and-project with the
Euclidean norm (Gower and Richtarik 2015) is

    z <- z + K^T S (S^T K K^T S)^+ S^T (b - K z),

the projection of ``z`` onto the solutions of the sketched system ``S^T K z = S^T b``. It
converges linearly in expectation, ``E ||z_j - z*||^2 <= (1 - lambda_min(E[P]))^j ||z_0 -
z*||^2``, for any nonsingular ``K`` (indefinite KKT matrices included). Sketches here:

* ``"kaczmarz"``: ``S = e_i`` with ``P(i) ∝ ||K_i||^2`` (randomized Kaczmarz, Strohmer and
  Vershynin 2009): ``z <- z + (b_i - K_i z) / ||K_i||^2 K_i^T``;
* ``"gaussian"``: ``S`` a standard normal vector: ``u = K^T s``,
  ``z <- z + s^T (b - K z) / ||u||^2 u``;
* ``"block"``: ``S`` selects ``q`` rows at random (uniformly without replacement): a least
  squares solve with the ``q x q`` Gram matrix of those rows (randomized block Kaczmarz,
  Needell and Tropp 2014).

No step needs the whole residual (a Kaczmarz step reads one row of ``K``; a Gaussian step uses
``s^T K z = (K^T s)^T z``); the kernels compute ``||b - K z||`` every ``check_every`` steps
and stop once it is below the target, so the test is exact. Dense ``K`` (C-ordered) and CSR
``K`` (indptr, indices, data) each have their kernels; ``K`` must be symmetric (a KKT
matrix), which lets ``K^T s`` be computed as ``K s``.
"""
from __future__ import annotations

import math

import numba
import numpy as np

KACZMARZ, GAUSSIAN, BLOCK = 0, 1, 2


@numba.njit(cache=True)
def _pick(cum, u):
    """Index ``i`` with ``cum[i-1] <= u < cum[i]`` (binary search)."""
    lo, hi = 0, cum.shape[0] - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] <= u:
            lo = mid + 1
        else:
            hi = mid
    return lo


@numba.njit(cache=True)
def _norm(v):
    return math.sqrt(np.dot(v, v))


@numba.njit(cache=True)
def _dense_residual(K, b, z):
    return b - np.dot(K, z)


@numba.njit(cache=True)
def sketch_dense(kind, K, b, z, target, max_steps, check_every, block, seed):
    """Sketch-and-project on a dense symmetric ``K`` from ``z`` (updated in place); stops when
    ``||b - K z|| <= target`` (checked every ``check_every`` steps) or after ``max_steps``.
    Returns ``(steps, ||b - K z||)``."""
    np.random.seed(seed)
    N = K.shape[0]
    row_sq = np.empty(N)
    for i in range(N):
        row_sq[i] = np.dot(K[i], K[i])
    cum = np.cumsum(row_sq)
    total = cum[N - 1]
    res = _norm(_dense_residual(K, b, z))
    steps = 0
    while steps < max_steps and res > target:
        for _ in range(check_every):
            if kind == KACZMARZ:
                i = _pick(cum, np.random.random() * total)
                if row_sq[i] > 0.0:
                    z += (b[i] - np.dot(K[i], z)) / row_sq[i] * K[i]
            elif kind == GAUSSIAN:
                s = np.random.standard_normal(N)
                u = np.dot(K.T, s)
                uu = np.dot(u, u)
                if uu > 0.0:   # s^T (b - K z) = s^T b - u^T z
                    z += (np.dot(s, b) - np.dot(u, z)) / uu * u
            else:
                rows = np.random.permutation(N)[:block]
                KB = K[rows]                       # (q, N)
                rb = b[rows] - np.dot(KB, z)
                y = np.linalg.lstsq(np.dot(KB, KB.T), rb)[0]
                z += np.dot(KB.T, y)
            steps += 1
            if steps >= max_steps:
                break
        res = _norm(_dense_residual(K, b, z))
    return steps, res


@numba.njit(cache=True)
def _csr_row_sq(indptr, data):
    N = indptr.shape[0] - 1
    out = np.zeros(N)
    for i in range(N):
        s = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            s += data[k] * data[k]
        out[i] = s
    return out


@numba.njit(cache=True)
def _csr_matvec(indptr, indices, data, v, out):
    for i in range(indptr.shape[0] - 1):
        s = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            s += data[k] * v[indices[k]]
        out[i] = s


@numba.njit(cache=True)
def _csr_residual(indptr, indices, data, b, z):
    r = np.empty(b.shape[0])
    _csr_matvec(indptr, indices, data, z, r)
    return b - r


@numba.njit(cache=True)
def sketch_csr(kind, indptr, indices, data, b, z, target, max_steps, check_every, block,
               seed):
    """:func:`sketch_dense` for a symmetric CSR ``K``: a Kaczmarz step costs the nonzeros of
    one row; a Gaussian step two products with ``K``; a block step ``q`` rows scattered
    densely and a ``q x q`` least-squares solve."""
    np.random.seed(seed)
    N = indptr.shape[0] - 1
    row_sq = _csr_row_sq(indptr, data)
    cum = np.cumsum(row_sq)
    total = cum[N - 1]
    res = _norm(_csr_residual(indptr, indices, data, b, z))
    u = np.empty(N)
    steps = 0
    while steps < max_steps and res > target:
        for _ in range(check_every):
            if kind == KACZMARZ:
                i = _pick(cum, np.random.random() * total)
                if row_sq[i] > 0.0:
                    ri = b[i]
                    for k in range(indptr[i], indptr[i + 1]):
                        ri -= data[k] * z[indices[k]]
                    t = ri / row_sq[i]
                    for k in range(indptr[i], indptr[i + 1]):
                        z[indices[k]] += t * data[k]
            elif kind == GAUSSIAN:
                s = np.random.standard_normal(N)
                _csr_matvec(indptr, indices, data, s, u)   # K^T s = K s
                uu = np.dot(u, u)
                if uu > 0.0:
                    z += (np.dot(s, b) - np.dot(u, z)) / uu * u
            else:
                rows = np.random.permutation(N)[:block]
                q = rows.shape[0]
                KB = np.zeros((q, N))
                rb = np.empty(q)
                for a in range(q):
                    i = rows[a]
                    acc = b[i]
                    for k in range(indptr[i], indptr[i + 1]):
                        KB[a, indices[k]] = data[k]
                        acc -= data[k] * z[indices[k]]
                    rb[a] = acc
                y = np.linalg.lstsq(np.dot(KB, KB.T), rb)[0]
                z += np.dot(KB.T, y)
            steps += 1
            if steps >= max_steps:
                break
        res = _norm(_csr_residual(indptr, indices, data, b, z))
    return steps, res


def sketch_xp(kind, K, b, z, target, max_steps, check_every, block, rng):
    """Sketch-and-project written with array operations, for the GPU (cupy; numpy runs the
    same code): the same three sketches as :func:`sketch_dense`, with ``K`` a dense array or
    a CSR matrix of the array's library. Each step is a few vectorized operations, so the block
    sketch (``q`` rows per step) is the one that uses a GPU well; row indices and Gaussian
    vectors are drawn on the host from ``rng`` (a numpy Generator) and moved to the device.
    ``z`` is updated in place. Returns ``(steps, ||b - K z||)``."""
    from ..backend import array_namespace

    xp = array_namespace(b)
    N = b.shape[0]
    sparse = hasattr(K, "tocsr")
    if sparse:
        row_sq = xp.asarray(K.multiply(K).sum(axis=1)).ravel()
    else:
        row_sq = (K * K).sum(axis=1)
    host_sq = np.asarray(row_sq.get() if hasattr(row_sq, "get") else row_sq, dtype=np.float64)
    cum = np.cumsum(host_sq)

    def residual_norm():
        return float(xp.linalg.norm(b - K @ z))

    def rows_of(idx):
        R = K[idx]
        return R.toarray() if sparse else R

    res = residual_norm()
    steps = 0
    while steps < max_steps and res > target:
        for _ in range(min(check_every, max_steps - steps)):
            if kind == KACZMARZ:
                i = min(int(np.searchsorted(cum, rng.random() * cum[-1], side="right")), N - 1)
                if host_sq[i] > 0.0:
                    Ki = rows_of(np.array([i]))[0]
                    z += (b[i] - Ki @ z) / host_sq[i] * Ki
            elif kind == GAUSSIAN:
                s = xp.asarray(rng.standard_normal(N))
                u = K.T @ s
                uu = float(u @ u)
                if uu > 0.0:
                    z += (float(s @ b) - float(u @ z)) / uu * u
            else:
                idx = rng.permutation(N)[:block]
                KB = rows_of(idx)
                rb = b[xp.asarray(idx)] - KB @ z
                y = xp.linalg.lstsq(KB @ KB.T, rb, rcond=None)[0]
                z += KB.T @ y
            steps += 1
        res = residual_norm()
    return steps, res
