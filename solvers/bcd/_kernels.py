"""Compiled coordinate kernels for block coordinate descent (CPU, numba).

Penalties reach these kernels as a tuple ``pen = (kind, l1, l2, pos, shape)`` (see
:func:`solvers.bcd.glm_engine.compiled_penalty`):

* ``kind = 0``: the separable convex form ``l1 |t| + l2 t^2 / 2`` plus, when ``pos`` is set,
  the constraint ``t >= 0`` (``penalty.cd_params``: L1, L2, elastic net);
* ``kind = 1``: SCAD with ``alpha = l1`` and ``a = shape`` (Fan and Li 2001);
* ``kind = 2``: MCP with ``alpha = l1`` and ``gamma = shape`` (Zhang 2010).

The folded concave penalties are weakly convex, so the coordinate problem
``min_t (t - v)^2 / (2 step) + p(|t|)`` is convex only for ``step < a - 1`` (SCAD) or
``step < gamma`` (MCP), where its minimizer is the continuous closed-form thresholding rule.
A coordinate with a smaller curvature ``1 / step`` (a column of small norm, or any column of
a logistic fit, whose bound is ``||X_j||^2 / 4n``) gets the global minimizer of the
nonconvex one-dimensional problem, found by comparing the minimizers of the penalty's
quadratic pieces: an exact coordinate minimization of the model, so every step still
descends (cf. Breheny and Huang, Ann. Appl. Stat. 5(1), 2011, and Mazumder, Friedman and
Hastie, JASA 106(495), 2011, on the discontinuous thresholding rules that then arise).

Data fits reach the kernels as a loss code over the linear predictor ``z = X x``: 0 squared
``(z - y)^2 / 2``, 1 logistic ``log(1 + exp(-y z))``.

Selection rules are coded as integers (see ``RULE_CODES``): the greedy scores follow
Nutini, Laradji and Schmidt (JMLR 2022), section 2 and 5; with a nonsmooth penalty the smooth
rules GS / GSL / GSD score the distance of ``-grad_j`` to the (Clarke) subdifferential of
``g_j`` (the minimum-norm subgradient), which is the GS-s rule.
"""
from __future__ import annotations

import numba
import numpy as np

from ..proximal._ag_kernels import MCP, SCAD, folded_concave_slope

_JIT = dict(cache=True)

RULE_CODES = {"gs": 0, "gsl": 1, "gsd": 2, "gsq": 3, "gs-s": 4, "gs-r": 5, "gs-q": 6}
LOSS_CODES = {"squared": 0, "logistic": 1}
#: ``pen[0]``; the folded concave codes are the nonconvex AG kernels', whose ``p'`` is shared.
PENALTY_CODES = {"convex": 0, "scad": SCAD, "mcp": MCP}


def convex_penalty(l1=0.0, l2=0.0, pos=False):
    """``pen`` for ``l1 |t| + l2 t^2 / 2`` (and ``t >= 0`` if ``pos``)."""
    return (0, float(l1), float(l2), bool(pos), 0.0)


@numba.njit(inline="always", **_JIT)
def _fc_piece_min(a, s, lo, hi, c1, c2):
    """Minimizer over ``u`` in ``[lo, hi]`` of ``(u - a)^2 / (2 s) + c1 u + c2 u^2 / 2``
    (one quadratic piece of a folded concave penalty; ``hi`` may be inf)."""
    curv = 1.0 / s + c2
    if curv > 0.0:
        u = (a / s - c1) / curv
        return lo if u < lo else (hi if u > hi else u)
    # concave or flat in u: an end of the interval (hi is finite for these pieces)
    qlo = (lo - a) ** 2 / (2.0 * s) + c1 * lo + 0.5 * c2 * lo * lo
    qhi = (hi - a) ** 2 / (2.0 * s) + c1 * hi + 0.5 * c2 * hi * hi
    return lo if qlo <= qhi else hi


@numba.njit(inline="always", **_JIT)
def _fc_objective(u, a, s, pen):
    return (u - a) ** 2 / (2.0 * s) + pen_value(u, pen)


@numba.njit(inline="always", **_JIT)
def prox_pen(v, step, pen):
    """argmin_t ``(t - v)^2 / (2 step) + penalty(t)``.

    For SCAD and MCP with ``step`` below the weak-convexity bound this is the closed-form
    thresholding rule; above it, the global minimizer of the nonconvex problem (the
    smallest one on ties)."""
    kind, l1, l2, pos, shape = pen
    if kind == 0:
        t = step * l1
        if v > t:
            r = v - t
        elif v < -t and not pos:
            r = v + t
        else:
            return 0.0
        return r / (1.0 + step * l2)
    av = abs(v)
    sg = 1.0 if v > 0.0 else -1.0
    rho = shape - 1.0 if kind == SCAD else shape
    if step < rho:
        if kind == SCAD:
            if av <= l1 * (1.0 + step):         # soft-thresholding zone
                r = av - step * l1
                return sg * r if r > 0.0 else 0.0
            if av <= shape * l1:                # the concave zone (Fan and Li's rule 2.8)
                return ((shape - 1.0) * v - sg * step * shape * l1) / (shape - 1.0 - step)
            return v
        if av <= shape * l1:                    # MCP: firm thresholding
            r = av - step * l1
            return sg * r / (1.0 - step / shape) if r > 0.0 else 0.0
        return v
    # nonconvex coordinate problem: the best of the pieces' minimizers (u = |t| >= 0)
    if kind == SCAD:
        u0 = _fc_piece_min(av, step, 0.0, l1, l1, 0.0)
        u1 = _fc_piece_min(av, step, l1, shape * l1, shape * l1 / (shape - 1.0),
                           -1.0 / (shape - 1.0))
    else:
        u0 = _fc_piece_min(av, step, 0.0, shape * l1, l1, -1.0 / shape)
        u1 = u0
    u2 = av if av > shape * l1 else shape * l1
    best = u0
    qbest = _fc_objective(u0, av, step, pen)
    q = _fc_objective(u1, av, step, pen)
    if q < qbest:
        best, qbest = u1, q
    q = _fc_objective(u2, av, step, pen)
    if q < qbest:
        best = u2
    return sg * best


@numba.njit(inline="always", **_JIT)
def pen_value(t, pen):
    """The penalty of one coordinate."""
    kind, l1, l2, _, shape = pen
    if kind == 0:
        return l1 * abs(t) + 0.5 * l2 * t * t
    a = abs(t)
    if kind == SCAD:
        if a <= l1:
            return l1 * a
        if a <= shape * l1:
            return (2.0 * shape * l1 * a - a * a - l1 * l1) / (2.0 * (shape - 1.0))
        return 0.5 * l1 * l1 * (shape + 1.0)
    if a <= shape * l1:
        return l1 * a - a * a / (2.0 * shape)
    return 0.5 * shape * l1 * l1


@numba.njit(inline="always", **_JIT)
def subdiff_dist(x, g, pen):
    """Distance of ``-g`` to the (Clarke) subdifferential of the penalty at ``x``."""
    kind, l1, l2, pos, shape = pen
    if kind != 0:
        if x != 0.0:
            s = folded_concave_slope(abs(x), kind, l1, shape)
            return abs(g + s) if x > 0.0 else abs(g - s)
        v = abs(g) - l1
        return v if v > 0.0 else 0.0
    gs = g + l2 * x
    if x > 0.0:
        return abs(gs + l1)
    if x < 0.0:
        return abs(gs - l1)
    if pos:
        v = -gs - l1
        return v if v > 0.0 else 0.0
    v = abs(gs) - l1
    return v if v > 0.0 else 0.0


@numba.njit(inline="always", **_JIT)
def coord_score(rule, x, g, L, d, pen, dist):
    """Greedy score of one coordinate (``dist`` is its subdifferential distance, ``L`` its
    curvature)."""
    if rule == 0 or rule == 4:          # GS, GS-s
        return dist
    if rule == 1:                       # GSL
        return dist * dist / L if L > 0.0 else 0.0
    if rule == 2:                       # GSD
        return dist * dist / d if d > 0.0 else 0.0
    if L <= 0.0:
        return 0.0
    t = prox_pen(x - g / L, 1.0 / L, pen)
    delta = t - x
    if rule == 5:                       # GS-r: length of the prox step
        return abs(delta)
    # GSQ / GS-q: decrease of the coordinate model g delta + L delta^2 / 2 + penalty change
    return model_decrease(x, t, g, L, pen)


@numba.njit(inline="always", **_JIT)
def _piece_curvature(a, pen):
    """``(piece, p'')`` of the penalty at ``|t| = a``: the index of the piece of the
    piecewise quadratic ``p`` holding ``a`` (0 at the origin) and its second derivative."""
    kind, l1, l2, _, shape = pen
    if kind == 0:
        return 0, l2
    if kind == SCAD:
        if a <= l1:
            return 0, 0.0
        if a <= shape * l1:
            return 1, -1.0 / (shape - 1.0)
        return 2, 0.0
    if a <= shape * l1:
        return 0, -1.0 / shape
    return 1, 0.0


@numba.njit(inline="always", **_JIT)
def model_decrease(x, t, g, L, pen):
    """Decrease of ``g d + L d^2 / 2 + pen(x + d) - pen(x)`` at its minimizer ``t = x + d``.

    When ``t != 0`` lies in the closed orthant of ``x`` and in the same piece of the
    (piecewise quadratic) penalty, the model is a quadratic with curvature ``L + p''`` there
    and the decrease is ``(L + p'') d^2 / 2`` exactly; this form has no cancellation, so
    scores keep ordering coordinates near the solution."""
    d = t - x
    if t != 0.0 and (x == 0.0 or (x > 0.0) == (t > 0.0)):
        px, cx = _piece_curvature(abs(x), pen)
        pt, _ = _piece_curvature(abs(t), pen)
        if px == pt and L + cx > 0.0:
            return 0.5 * (L + cx) * d * d
    # the penalty change first: added to the penalty's value, a tiny model change is lost
    dpen = pen_value(t, pen) - pen_value(x, pen)
    dec = -(g * d + 0.5 * L * d * d + dpen)
    return dec if dec > 0.0 else 0.0


@numba.njit(**_JIT)
def all_scores(rule, x, g, L, d, pen, score, dist):
    """Fill ``score`` and ``dist`` for every coordinate; return ``max(dist)``."""
    m = 0.0
    for j in range(x.shape[0]):
        dj = subdiff_dist(x[j], g[j], pen)
        dist[j] = dj
        score[j] = coord_score(rule, x[j], g[j], L[j], d[j], pen, dj)
        if dj > m:
            m = dj
    return m


@numba.njit(**_JIT)
def gram_greedy_cd(H, gq, xw, dH, pen, rule, eps, max_steps):
    """Greedy coordinate descent on ``q(u) = gq0^T (u - xw0) + (u - xw0)^T H (u - xw0) / 2
    + penalty(u)`` over a working set.

    ``gq`` holds the model gradient at ``xw`` and is updated in place along with ``xw`` (one
    column of H per step, O(|W|)); each step picks the coordinate with the largest score
    under ``rule`` and minimizes the model exactly in it. Stops when the largest
    subdifferential distance is <= eps or after ``max_steps`` steps; returns the step count.
    """
    m = xw.shape[0]
    steps = 0
    while steps < max_steps:
        best = -1
        best_score = 0.0
        best_dist = 0.0
        max_dist = 0.0
        for j in range(m):
            Lj = H[j, j]
            dj = subdiff_dist(xw[j], gq[j], pen)
            if dj > max_dist:
                max_dist = dj
            if Lj <= 0.0 or dj == 0.0:
                continue
            s = coord_score(rule, xw[j], gq[j], Lj, dH[j], pen, dj)
            # ties (scores that underflow to 0 near the solution) go to the larger distance
            if s > best_score or (s == best_score and (best < 0 or dj > best_dist)):
                best_score = s
                best_dist = dj
                best = j
        if max_dist <= eps or best < 0:
            break
        Lj = H[best, best]
        old = xw[best]
        new = prox_pen(old - gq[best] / Lj, 1.0 / Lj, pen)
        delta = new - old
        if delta == 0.0:
            break
        xw[best] = new
        for i in range(m):
            gq[i] += delta * H[i, best]
        steps += 1
    return steps


@numba.njit(**_JIT)
def _dloss(loss, z, y):
    if loss == 0:
        return z - y
    t = -y * z
    if t >= 0.0:
        e = np.exp(-t)
        return -y / (1.0 + e)
    e = np.exp(t)
    return -y * e / (1.0 + e)


@numba.njit(**_JIT)
def cd_epoch_csc(indptr, indices, data, y, z, x, L, order, loss, n, pen):
    """One pass of coordinate steps ``x_j <- prox(x_j - grad_j / L_j)`` in ``order`` on a CSC
    design, keeping ``z = X x`` up to date. Returns the largest |change|."""
    big = 0.0
    for k in range(order.shape[0]):
        j = order[k]
        Lj = L[j]
        if Lj <= 0.0:
            continue
        gj = 0.0
        for p in range(indptr[j], indptr[j + 1]):
            i = indices[p]
            gj += data[p] * _dloss(loss, z[i], y[i])
        gj /= n
        old = x[j]
        new = prox_pen(old - gj / Lj, 1.0 / Lj, pen)
        delta = new - old
        if delta != 0.0:
            x[j] = new
            for p in range(indptr[j], indptr[j + 1]):
                z[indices[p]] += delta * data[p]
            if abs(delta) > big:
                big = abs(delta)
    return big


@numba.njit(**_JIT)
def cd_epoch_dense(X, y, z, x, L, order, loss, n, pen):
    """Dense (Fortran-ordered ``X``) counterpart of :func:`cd_epoch_csc`."""
    big = 0.0
    rows = X.shape[0]
    for k in range(order.shape[0]):
        j = order[k]
        Lj = L[j]
        if Lj <= 0.0:
            continue
        gj = 0.0
        for i in range(rows):
            gj += X[i, j] * _dloss(loss, z[i], y[i])
        gj /= n
        old = x[j]
        new = prox_pen(old - gj / Lj, 1.0 / Lj, pen)
        delta = new - old
        if delta != 0.0:
            x[j] = new
            for i in range(rows):
                z[i] += delta * X[i, j]
            if abs(delta) > big:
                big = abs(delta)
    return big


@numba.njit(**_JIT)
def abs_gram_rowsum_dense(X):
    """Dense counterpart of :func:`abs_gram_rowsum_csc`."""
    n, p = X.shape
    r = np.zeros(n)
    for i in range(n):
        s = 0.0
        for j in range(p):
            s += abs(X[i, j])
        r[i] = s
    out = np.zeros(p)
    for j in range(p):
        s = 0.0
        for i in range(n):
            s += abs(X[i, j]) * r[i]
        out[j] = s
    return out


# ---------------------------------------------------------------- indexed max-heap
@numba.njit(inline="always", **_JIT)
def _heap_swap(heap, pos, a, b):
    ia, ib = heap[a], heap[b]
    heap[a], heap[b] = ib, ia
    pos[ib], pos[ia] = a, b


@numba.njit(**_JIT)
def heap_sift(heap, pos, key, i):
    """Restore the max-heap property around heap slot ``i`` after ``key`` of its item changed."""
    m = heap.shape[0]
    while i > 0:
        parent = (i - 1) >> 1
        if key[heap[i]] > key[heap[parent]]:
            _heap_swap(heap, pos, i, parent)
            i = parent
        else:
            break
    while True:
        left = 2 * i + 1
        if left >= m:
            break
        big = left
        right = left + 1
        if right < m and key[heap[right]] > key[heap[left]]:
            big = right
        if key[heap[big]] > key[heap[i]]:
            _heap_swap(heap, pos, i, big)
            i = big
        else:
            break


@numba.njit(**_JIT)
def heap_build(key):
    """An indexed max-heap of ``0..m-1`` keyed by ``key``: returns ``(heap, pos)``."""
    m = key.shape[0]
    heap = np.arange(m)
    pos = np.arange(m)
    for i in range(m // 2 - 1, -1, -1):
        heap_sift(heap, pos, key, i)
    return heap, pos


@numba.njit(**_JIT)
def sparse_greedy_cd(c_indptr, c_indices, c_data, r_indptr, r_indices, r_data, wrow, gq, xw,
                     pen, rule, eps, max_steps):
    """Greedy coordinate descent on the working-set model ``H = X_W^T diag(wrow) X_W`` kept
    implicit: sparse columns and rows of ``X_W`` (CSC ``c_*`` and CSR ``r_*``, both over the
    local working-set indices, ``wrow`` already divided by n).

    After a step on coordinate j only the gradients of its neighbours in ``H`` (coordinates
    sharing a sample with j) change; they are updated through the rows of ``X_W`` and their
    scores re-keyed in an indexed max-heap, so a step costs O(sum over samples of j of their
    working-set nonzeros + neighbours * log |W|) instead of O(|W|). The largest
    subdifferential distance is checked with a full scan every |W| steps. Returns the step
    count; ``gq`` and ``xw`` are updated in place.
    """
    m = xw.shape[0]
    L = weighted_col_sq_norms_csc(c_indptr, c_indices, c_data, wrow)
    dH = weighted_abs_gram_rowsum_csc(c_indptr, c_indices, c_data, wrow, wrow.shape[0])
    key = np.empty(m)
    for j in range(m):
        dj = subdiff_dist(xw[j], gq[j], pen)
        key[j] = coord_score(rule, xw[j], gq[j], L[j], dH[j], pen, dj) \
            if L[j] > 0.0 else 0.0
    heap, hpos = heap_build(key)
    stamp = np.full(m, -1, dtype=np.int64)
    touched = np.empty(m, dtype=np.int64)
    steps = 0
    since = m
    while steps < max_steps:
        if since >= m or key[heap[0]] <= 0.0:
            max_dist = 0.0
            for j in range(m):
                if L[j] > 0.0:
                    dj = subdiff_dist(xw[j], gq[j], pen)
                    if dj > max_dist:
                        max_dist = dj
            if max_dist <= eps or key[heap[0]] <= 0.0:
                break
            since = 0
        j = heap[0]
        Lj = L[j]
        old = xw[j]
        new = prox_pen(old - gq[j] / Lj, 1.0 / Lj, pen)
        delta = new - old
        if delta == 0.0:
            key[j] = 0.0
            heap_sift(heap, hpos, key, 0)
            since += 1
            continue
        xw[j] = new
        nt = 0
        for q in range(c_indptr[j], c_indptr[j + 1]):
            i = c_indices[q]
            v = c_data[q] * wrow[i] * delta
            for t in range(r_indptr[i], r_indptr[i + 1]):
                k = r_indices[t]
                gq[k] += r_data[t] * v
                if stamp[k] != steps:
                    stamp[k] = steps
                    touched[nt] = k
                    nt += 1
        if stamp[j] != steps:
            stamp[j] = steps
            touched[nt] = j
            nt += 1
        for t in range(nt):
            k = touched[t]
            if L[k] > 0.0:
                dk = subdiff_dist(xw[k], gq[k], pen)
                key[k] = coord_score(rule, xw[k], gq[k], L[k], dH[k], pen, dk)
            heap_sift(heap, hpos, key, hpos[k])
        steps += 1
        since += 1
    return steps


@numba.njit(**_JIT)
def sparse_block_greedy_cd(c_indptr, c_indices, c_data, wrow, g0, xw, pen, rule,
                           eps, max_steps, block_frac, dH):
    """Greedy *variable blocks* on the working-set model, for sparse designs where a single
    greedy step would touch too many neighbours.

    Each round recomputes the model gradient ``g0 + X_W^T u`` of every working-set coordinate
    (``u = diag(wrow) X_W (xw - xw0)`` is kept up to date, O(nnz(X_W))), scores it with the
    rule, takes the ``ceil(block_frac * |W|)`` best-scoring coordinates as the block and
    updates them one after the other in score order, each exactly on its model coordinate
    with a fresh partial derivative (a Gauss-Seidel block update, O(nnz of the block's
    columns)). Stops when the largest subdifferential distance is <= eps; returns the number
    of coordinate steps. ``xw`` is updated in place; the final model gradient is written to
    ``g0`` in place. ``dH`` holds the row-sum bounds ``sum_k |H_jk|`` for the GSD rule.
    """
    m = xw.shape[0]
    n = wrow.shape[0]
    L = weighted_col_sq_norms_csc(c_indptr, c_indices, c_data, wrow)
    u = np.zeros(n)
    gq = g0.copy()
    score = np.zeros(m)
    B = max(1, int(np.ceil(block_frac * m)))
    steps = 0
    while steps < max_steps:
        max_dist = 0.0
        for j in range(m):
            gq[j] = g0[j] + _col_dot(c_indptr, c_indices, c_data, j, u)
            if L[j] > 0.0:
                dj = subdiff_dist(xw[j], gq[j], pen)
                if dj > max_dist:
                    max_dist = dj
                score[j] = coord_score(rule, xw[j], gq[j], L[j], dH[j], pen, dj)
            else:
                score[j] = 0.0
        if max_dist <= eps:
            break
        order = np.argsort(-score)[:B]
        moved = False
        for t in range(order.shape[0]):
            j = order[t]
            if score[j] <= 0.0:
                break
            gj = g0[j] + _col_dot(c_indptr, c_indices, c_data, j, u)
            old = xw[j]
            new = prox_pen(old - gj / L[j], 1.0 / L[j], pen)
            delta = new - old
            if delta != 0.0:
                moved = True
                xw[j] = new
                for q in range(c_indptr[j], c_indptr[j + 1]):
                    i = c_indices[q]
                    u[i] += wrow[i] * c_data[q] * delta
            steps += 1
        if not moved:
            break
    for j in range(m):
        g0[j] += _col_dot(c_indptr, c_indices, c_data, j, u)
    return steps


@numba.njit(inline="always", **_JIT)
def _col_dot(indptr, indices, data, j, u):
    """``X[:, j]^T u`` for a CSC matrix."""
    s = 0.0
    for q in range(indptr[j], indptr[j + 1]):
        s += data[q] * u[indices[q]]
    return s


@numba.njit(**_JIT)
def rows_of_columns(indptr, indices, data, cols, n_rows):
    """The rows of ``X[:, cols]`` for a CSC ``X``, as CSR arrays whose column indices are
    positions in ``cols`` (slicing and transposing in one pass, no scipy objects)."""
    cnt = np.zeros(n_rows + 1, dtype=np.int64)
    for a in range(cols.shape[0]):
        j = cols[a]
        for q in range(indptr[j], indptr[j + 1]):
            cnt[indices[q] + 1] += 1
    for i in range(n_rows):
        cnt[i + 1] += cnt[i]
    fill = cnt[:n_rows].copy()
    pos = np.empty(cnt[n_rows], dtype=np.int32)
    val = np.empty(cnt[n_rows])
    for a in range(cols.shape[0]):
        j = cols[a]
        for q in range(indptr[j], indptr[j + 1]):
            i = indices[q]
            k = fill[i]
            pos[k] = a
            val[k] = data[q]
            fill[i] = k + 1
    return cnt, pos, val


@numba.njit(**_JIT)
def gram_block_from_rows(indptr, pos, val, wrow, m, first_new):
    """``X_N^T diag(wrow) X_C`` (shape ``(m - first_new, m)``) from the rows of ``X_C`` as
    returned by :func:`rows_of_columns` (positions ascending within a row), for the columns
    ``N`` at positions ``first_new..m-1``.

    With ``first_new = 0`` this is the whole Gram of C. Only pairs ``a <= b`` are
    accumulated (the ``N x N`` part is mirrored at the end): O(sum_i r_i s_i) with ``r_i`` /
    ``s_i`` the nonzeros of row i in C / in N, far less than a sparse matrix product when
    rows are short.
    """
    k = m - first_new
    Bt = np.zeros((k, m))
    n = indptr.shape[0] - 1
    for i in range(n):
        s = indptr[i]
        e = indptr[i + 1]
        wi = wrow[i]
        for kb in range(e - 1, s - 1, -1):
            lb = pos[kb] - first_new
            if lb < 0:
                break
            vb = wi * val[kb]
            for ka in range(s, kb + 1):
                Bt[lb, pos[ka]] += val[ka] * vb
    for a in range(k):
        for b in range(a):
            Bt[b, first_new + a] = Bt[a, first_new + b]
    return Bt


@numba.njit(**_JIT)
def csc_rmatvec(indptr, indices, data, v):
    """``X^T v`` for a CSC ``X`` (one dot product per column)."""
    m = indptr.shape[0] - 1
    out = np.empty(m)
    for j in range(m):
        out[j] = _col_dot(indptr, indices, data, j, v)
    return out


@numba.njit(**_JIT)
def cols_matvec_csc(indptr, indices, data, cols, d, n_rows):
    """``X[:, cols] @ d`` for a CSC ``X`` without slicing it."""
    out = np.zeros(n_rows)
    for a in range(cols.shape[0]):
        da = d[a]
        if da == 0.0:
            continue
        j = cols[a]
        for q in range(indptr[j], indptr[j + 1]):
            out[indices[q]] += data[q] * da
    return out


@numba.njit(**_JIT)
def loss_sum_and_derivative(loss, z, y, dl):
    """``sum_i loss(z_i)`` and ``dl_i = loss'(z_i)`` in one pass (one ``exp`` per sample for
    the logistic loss)."""
    s = 0.0
    for i in range(z.shape[0]):
        if loss == 0:
            r = z[i] - y[i]
            s += 0.5 * r * r
            dl[i] = r
        else:
            t = -y[i] * z[i]
            if t > 0.0:
                e = np.exp(-t)
                s += t + np.log1p(e)
                dl[i] = -y[i] / (1.0 + e)
            else:
                e = np.exp(t)
                s += np.log1p(e)
                dl[i] = -y[i] * e / (1.0 + e)
    return s


@numba.njit(**_JIT)
def loss_change(loss, z, dz, t, y):
    """``sum_i loss(z_i + t dz_i) - loss(z_i)``, computed term by term without cancellation
    (``log1p(sigma(b) expm1(a - b))`` for the logistic loss), so line searches still see
    decreases far below the rounding error of the loss itself."""
    s = 0.0
    for i in range(z.shape[0]):
        u = t * dz[i]
        if u == 0.0:
            continue
        if loss == 0:
            s += u * (z[i] - y[i] + 0.5 * u)
            continue
        b = -y[i] * z[i]
        du = -y[i] * u
        if abs(du) < 1.0:
            sb = 1.0 / (1.0 + np.exp(-b)) if b >= 0.0 else np.exp(b) / (1.0 + np.exp(b))
            s += np.log1p(sb * np.expm1(du))
        else:
            a = b + du
            la = a + np.log1p(np.exp(-a)) if a > 0.0 else np.log1p(np.exp(a))
            lb = b + np.log1p(np.exp(-b)) if b > 0.0 else np.log1p(np.exp(b))
            s += la - lb
    return s


@numba.njit(**_JIT)
def weighted_abs_gram_rowsum_csc(indptr, indices, data, wrow, n_rows):
    """``(|X|^T diag(wrow) |X| 1)_j``, the GSD bound of the working-set model, without
    forming ``|X|``."""
    m = indptr.shape[0] - 1
    r = np.zeros(n_rows)
    for j in range(m):
        for q in range(indptr[j], indptr[j + 1]):
            r[indices[q]] += abs(data[q])
    out = np.zeros(m)
    for j in range(m):
        s = 0.0
        for q in range(indptr[j], indptr[j + 1]):
            i = indices[q]
            s += abs(data[q]) * wrow[i] * r[i]
        out[j] = s
    return out


@numba.njit(**_JIT)
def weighted_col_sq_norms_csc(indptr, indices, data, wrow):
    """``sum_i wrow_i X_ij^2`` for every column of a CSC matrix (the model's diagonal)."""
    m = indptr.shape[0] - 1
    out = np.zeros(m)
    for j in range(m):
        s = 0.0
        for q in range(indptr[j], indptr[j + 1]):
            v = data[q]
            s += wrow[indices[q]] * v * v
        out[j] = s
    return out
