"""Compiled graph kernels for multicoloring (numba, over CSR index arrays).

The graph is the adjacency graph of a square sparse matrix: vertices are rows, and ``i`` and
``j != i`` are adjacent when ``a_ij != 0`` or ``a_ji != 0`` (explicitly stored zeros do not
couple rows and are ignored). Every kernel is one or two passes over the index arrays.
"""
import numba
import numpy as np

_JIT = dict(cache=True)


@numba.njit(**_JIT)
def symmetric_pattern(n, indptr, indices, data):
    """The adjacency lists of the pattern of ``A + A^T`` without the diagonal.

    Returns ``(ptr, adj)`` in CSR form (int64), each list free of duplicates, in the order
    the entries were met (not sorted).
    """
    ptr = np.zeros(n + 1, np.int64)
    for i in range(n):
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            if j != i and data[p] != 0:
                ptr[i + 1] += 1
                ptr[j + 1] += 1
    for i in range(n):
        ptr[i + 1] += ptr[i]
    fill = ptr[:n].copy()
    adj = np.empty(ptr[n], np.int64)
    for i in range(n):
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            if j != i and data[p] != 0:
                adj[fill[i]] = j
                fill[i] += 1
                adj[fill[j]] = i
                fill[j] += 1
    # drop duplicates (a_ij and a_ji both stored, or duplicate CSR entries), compacting in
    # place: the write position never passes the read position
    mark = np.full(n, -1, np.int64)
    out = np.zeros(n + 1, np.int64)
    w = 0
    for i in range(n):
        for p in range(ptr[i], ptr[i + 1]):
            j = adj[p]
            if mark[j] != i:
                mark[j] = i
                adj[w] = j
                w += 1
        out[i + 1] = w
    return out, adj[:w]


@numba.njit(**_JIT)
def two_color(n, ptr, adj):
    """Breadth-first 2-coloring, one search per connected component (its first vertex in
    natural order gets color 0).

    Returns ``(colors, u, v)``: ``u = v = -1`` when the graph is bipartite, else an edge
    ``(u, v)`` whose ends got the same color (it closes an odd cycle).
    """
    color = np.full(n, -1, np.int64)
    queue = np.empty(n, np.int64)
    for s in range(n):
        if color[s] >= 0:
            continue
        color[s] = 0
        queue[0] = s
        head, tail = 0, 1
        while head < tail:
            u = queue[head]
            head += 1
            cu = color[u]
            for p in range(ptr[u], ptr[u + 1]):
                v = adj[p]
                if color[v] < 0:
                    color[v] = 1 - cu
                    queue[tail] = v
                    tail += 1
                elif color[v] == cu:
                    return color, u, v
    return color, -1, -1


@numba.njit(**_JIT)
def greedy_color(n, ptr, adj, order):
    """First-fit coloring visiting the vertices in ``order``: each takes the smallest color
    none of its already colored neighbors has (so at most ``degree + 1`` colors)."""
    color = np.full(n, -1, np.int64)
    forbidden = np.full(n + 1, -1, np.int64)  # forbidden[c] == u: c is taken around u
    for k in range(n):
        u = order[k]
        for p in range(ptr[u], ptr[u + 1]):
            c = color[adj[p]]
            if c >= 0:
                forbidden[c] = u
        c = 0
        while forbidden[c] == u:
            c += 1
        color[u] = c
    return color


@numba.njit(**_JIT)
def find_conflict(n, indptr, indices, data, colors):
    """The first stored ``a_ij != 0`` (``i != j``) with ``colors[i] == colors[j]``, as
    ``(i, j)``; ``(-1, -1)`` when the coloring is valid."""
    for i in range(n):
        ci = colors[i]
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            if j != i and data[p] != 0 and colors[j] == ci:
                return i, j
    return -1, -1
