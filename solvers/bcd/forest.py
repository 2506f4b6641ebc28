"""Forest blocks: sets of variables whose induced dependency graph has no cycle.

For a quadratic (or any smooth part with a sparse Hessian) the variables form a graph: ``i``
and ``j`` are adjacent when ``Q_ij != 0``. If a block ``b`` induces a forest in that graph, the
block system ``Q_bb d = r`` is solved exactly in ``O(|b|)`` operations by Gaussian elimination
along the trees (:mod:`solvers.bcd.message_passing`), so block coordinate descent can update
huge blocks at the cost of a gradient step. Nutini, Laradji & Schmidt (2022) propose

- fixed partitions of lattices into two colour classes (red-black: independent sets) or into
  two forests ("two-forest" partitions: every node in one of two trees),
- greedy variable forests: each iteration, visit the variables by decreasing score (e.g.
  ``|grad_i|``) and add a variable when the block stays acyclic,
- general partitions of a graph into forests (repeated greedy forests).

The graph is given as its adjacency pattern (a scipy sparse matrix; values other than zero
mean an edge, the diagonal is ignored). The public functions check and canonicalise it
(``O(nnz)``); hot loops should call the numba kernels ``_greedy_forest_kernel`` and
``_forest_partition_kernel`` directly on a checked CSR pattern, as their docstrings describe.

References
----------
J. Nutini, I. Laradji, M. Schmidt, "Let's Make Block Coordinate Descent Converge Faster:
Faster Greedy Rules, Message-Passing, Active-Set Complexity, and Superlinear Convergence",
JMLR 23(131), 2022, arXiv:1712.08859 (section on message passing for huge blocks).
"""
from __future__ import annotations

import numbers

import numba
import numpy as np
import scipy.sparse as sp

__all__ = [
    "forest_partition",
    "greedy_forest",
    "is_forest",
    "red_black_partition",
    "two_forest_partition",
]

_JIT = dict(cache=True)


# ---------------------------------------------------------------------------- numba kernels
@numba.njit(**_JIT)
def _find(parent, u):
    """Root of ``u`` in a union-find forest, with path halving."""
    while parent[u] != u:
        parent[u] = parent[parent[u]]
        u = parent[u]
    return u


@numba.njit(**_JIT)
def _union(parent, size, ra, rb):
    """Join two distinct roots by size; returns the new root."""
    if size[ra] < size[rb]:
        ra, rb = rb, ra
    parent[rb] = ra
    size[ra] += size[rb]
    return ra


@numba.njit(**_JIT)
def _induced_forest_kernel(indptr, indices, nodes, pos, parent, size):
    """Whether ``nodes`` induce a forest in the CSR pattern (``indptr``, ``indices``).

    ``pos[i]`` is the local index of node ``i`` in ``nodes`` or -1; ``parent`` and ``size``
    are int work arrays of length ``len(nodes)``. The pattern must be symmetric without
    duplicate entries; self-loops are ignored. Each edge is seen once, from its endpoint with
    the smaller local index. Cost ``O(|nodes| + nnz of their rows)``.
    """
    nb = nodes.shape[0]
    for a in range(nb):
        parent[a] = a
        size[a] = 1
    for a in range(nb):
        u = nodes[a]
        for e in range(indptr[u], indptr[u + 1]):
            b = pos[indices[e]]
            if b > a:
                ra = _find(parent, a)
                rb = _find(parent, b)
                if ra == rb:
                    return False
                _union(parent, size, ra, rb)
    return True


@numba.njit(**_JIT)
def _roots_distinct(indptr, indices, u, member, tag, parent, stamp):
    """Whether the in-set neighbours of ``u`` lie in pairwise different trees.

    A neighbour ``v`` is in the set when ``member[v] == tag``. ``stamp`` (length n) must be -1
    everywhere on entry and is left so.
    """
    ok = True
    for e in range(indptr[u], indptr[u + 1]):
        v = indices[e]
        if v == u or member[v] != tag:
            continue
        r = _find(parent, v)
        if stamp[r] == u:
            ok = False
            break
        stamp[r] = u
    for e in range(indptr[u], indptr[u + 1]):
        v = indices[e]
        if v == u or member[v] != tag:
            continue
        stamp[_find(parent, v)] = -1
    return ok


@numba.njit(**_JIT)
def _attach(indptr, indices, u, member, tag, parent, size):
    """Add ``u`` to the set ``member == tag`` and join it with its in-set neighbours."""
    parent[u] = u
    size[u] = 1
    r = u
    for e in range(indptr[u], indptr[u + 1]):
        v = indices[e]
        if v == u or member[v] != tag:
            continue
        rv = _find(parent, v)
        if rv != r:
            r = _union(parent, size, r, rv)
    member[u] = tag


@numba.njit(**_JIT)
def _greedy_forest_kernel(indptr, indices, order, max_size, member, parent, size, stamp, out):
    """Greedy forest: scan ``order`` and keep each node whose addition leaves no cycle.

    Parameters
    ----------
    indptr, indices : int arrays
        CSR pattern of the graph on ``n`` nodes: symmetric, no duplicate entries (self-loops
        are ignored).
    order : int array
        Candidate nodes in decreasing priority (e.g. ``argsort(-|grad|)``); may be any subset
        of ``0..n-1``; repeated nodes are skipped.
    max_size : int
        Stop once the forest has this many nodes.
    member : int8 array (n)
        Must be all 0 on entry; left all 0 on exit.
    parent, size : int64 arrays (n)
        Union-find work space; any content on entry (only entries of chosen nodes are used).
    stamp : int64 array (n)
        Must be all -1 on entry; left all -1 on exit.
    out : int64 array (>= min(len(order), max_size))
        Receives the chosen nodes, in the order they were added.

    Returns
    -------
    count : int
        Number of chosen nodes (``out[:count]``).

    Notes
    -----
    A node joins when its neighbours already in the forest lie in pairwise different trees
    (union-find with path halving and union by size). Cost ``O(sum over scanned nodes of
    their degree * alpha(n))``, independent of ``n`` beyond the work arrays.
    """
    count = 0
    for k in range(order.shape[0]):
        if count >= max_size:
            break
        u = order[k]
        if member[u] == 1:
            continue
        if not _roots_distinct(indptr, indices, u, member, 1, parent, stamp):
            continue
        _attach(indptr, indices, u, member, 1, parent, size)
        out[count] = u
        count += 1
    for k in range(count):
        member[out[k]] = 0
    return count


@numba.njit(**_JIT)
def _forest_partition_kernel(indptr, indices, order, label, parent, size, stamp):
    """Partition the nodes of ``order`` into forests by repeated greedy passes.

    Pass ``t`` scans ``order`` and puts every still-unassigned node into forest ``t`` when that
    keeps forest ``t`` acyclic; the first unassigned node always joins, so each pass makes
    progress. ``label`` (int64, length n) must be -1 on entry for the nodes of ``order`` (which
    must be distinct) and receives their forest number; ``parent``, ``size`` are int64 work
    arrays of length n, ``stamp`` int64 of length n all -1 (left so). The pattern must be
    symmetric without duplicates. Returns the number of forests. Cost ``O(passes * (|order| +
    nnz of their rows))``.
    """
    n_left = order.shape[0]
    t = 0
    while n_left > 0:
        for k in range(order.shape[0]):
            u = order[k]
            if label[u] != -1:
                continue
            if not _roots_distinct(indptr, indices, u, label, t, parent, stamp):
                continue
            _attach(indptr, indices, u, label, t, parent, size)
            n_left -= 1
        t += 1
    return t


# ---------------------------------------------------------------------------- validation
def _as_pattern(adjacency):
    """Return (indptr, indices, n) of a symmetric, canonical CSR pattern without self-loops."""
    from ..backend._select import to_host

    A = to_host(adjacency)
    if not sp.issparse(A):
        A = np.asarray(A)
        if A.ndim != 2:
            raise ValueError(f"adjacency must be a 2-D (sparse) matrix, got shape {A.shape}")
        A = sp.csr_matrix(A)
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"adjacency must be square (one row per node), got shape {A.shape}")
    n = A.shape[0]
    C = sp.coo_matrix(A)
    keep = (C.row != C.col) & (C.data != 0)
    rows, cols = C.row[keep], C.col[keep]
    ones = np.ones(rows.size, dtype=np.int8)
    P = sp.csr_matrix((ones, (rows, cols)), shape=(n, n))
    P.sum_duplicates()
    if (P != P.T).nnz:
        P = P.maximum(P.T).tocsr()
    P.sort_indices()
    return P.indptr.astype(np.int64), P.indices.astype(np.int64), n


def _as_nodes(nodes, n, name="nodes", unique=True):
    arr = np.asarray(nodes)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of node indices, got shape {arr.shape}")
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if not np.issubdtype(arr.dtype, np.integer):
        if np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise TypeError(f"{name} must hold integer node indices, got dtype {arr.dtype}")
    arr = arr.astype(np.int64, copy=False)
    if arr.min() < 0 or arr.max() >= n:
        raise ValueError(f"{name} must lie in [0, {n}), got values in [{arr.min()}, {arr.max()}]")
    if unique and np.unique(arr).size != arr.size:
        raise ValueError(f"{name} contains repeated nodes; give each node once")
    return arr


def _check_grid_shape(grid_shape, ndim=None):
    if isinstance(grid_shape, numbers.Integral) and not isinstance(grid_shape, bool):
        grid_shape = (int(grid_shape),)
    try:
        shape = tuple(int(s) for s in grid_shape)
    except TypeError:
        raise TypeError(f"grid_shape must be a tuple of ints, got {grid_shape!r}") from None
    if any(int(s) != s for s in grid_shape) or any(s < 1 for s in shape) or not shape:
        raise ValueError(f"grid_shape must be a non-empty tuple of positive ints, got {grid_shape!r}")
    if ndim is not None and len(shape) != ndim:
        raise ValueError(f"grid_shape must have {ndim} entries (rows, columns), got {shape}")
    return shape


def _to_variables(blocks, grid_index, n_nodes):
    """Map node blocks to variable blocks through ``grid_index`` (variable -> grid node)."""
    if grid_index is None:
        return [b for b in blocks if b.size]
    gi = _as_nodes(grid_index, n_nodes, name="grid_index")
    var_of = np.full(n_nodes, -1, dtype=np.int64)
    var_of[gi] = np.arange(gi.size)
    out = []
    for b in blocks:
        v = var_of[b]
        v = np.sort(v[v >= 0])
        if v.size:
            out.append(v)
    return out


# ---------------------------------------------------------------------------- public API
def is_forest(adjacency, nodes):
    """Whether the subgraph induced by ``nodes`` has no cycle.

    Parameters
    ----------
    adjacency : sparse matrix or array of shape (n, n)
        The graph: ``adjacency[i, j] != 0`` is an edge (symmetrised if needed; the diagonal
        is ignored), e.g. the ``adjacency`` of :class:`problems.LabelPropagation` or the
        pattern of a Hessian.
    nodes : int array
        Distinct node indices.

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        If ``adjacency`` is not square or ``nodes`` is out of range or repeats a node.

    References
    ----------
    Nutini, Laradji & Schmidt, JMLR 23(131), 2022, arXiv:1712.08859.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> ring = sp.diags([1.0, 1.0], [1, -1], shape=(4, 4)).tolil(); ring[0, 3] = ring[3, 0] = 1
    >>> is_forest(ring, [0, 1, 2, 3]), is_forest(ring, [0, 1, 2])
    (False, True)
    """
    indptr, indices, n = _as_pattern(adjacency)
    nodes = _as_nodes(nodes, n)
    pos = np.full(n, -1, dtype=np.int64)
    pos[nodes] = np.arange(nodes.size)
    work = np.empty((2, nodes.size), dtype=np.int64)
    return bool(_induced_forest_kernel(indptr, indices, nodes, pos, work[0], work[1]))


def greedy_forest(adjacency, order, *, max_size=None):
    """Greedy forest block: add nodes in the given order while the block stays acyclic.

    This is the variable-block rule of Nutini, Laradji & Schmidt (2022) for message passing:
    visit the variables by decreasing priority (e.g. ``order = argsort(-|grad|)`` for a
    Gauss-Southwell flavour, or ``|grad_i| / sqrt(L_i)``) and keep each one whose neighbours
    already in the block lie in different trees (union-find).

    Parameters
    ----------
    adjacency : sparse matrix or array of shape (n, n)
        The graph (``!= 0`` entries are edges; symmetrised if needed; diagonal ignored).
    order : int array
        Candidate nodes, highest priority first (any subset of ``0..n-1``; repeats skipped).
    max_size : int, optional
        Largest block size (default: no limit).

    Returns
    -------
    nodes : numpy.ndarray of int64
        The block, in the order the nodes were added; it induces a forest.

    References
    ----------
    Nutini, Laradji & Schmidt, JMLR 23(131), 2022, arXiv:1712.08859.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> ring = sp.diags([1.0, 1.0], [1, -1], shape=(4, 4)).tolil(); ring[0, 3] = ring[3, 0] = 1
    >>> greedy_forest(ring, [0, 1, 2, 3]).tolist()
    [0, 1, 2]
    """
    indptr, indices, n = _as_pattern(adjacency)
    order = _as_nodes(order, n, name="order", unique=False)
    if max_size is None:
        max_size = order.size
    if isinstance(max_size, bool) or not isinstance(max_size, numbers.Integral) or max_size < 0:
        raise ValueError(f"max_size must be a nonnegative integer or None, got {max_size!r}")
    member = np.zeros(n, dtype=np.int8)
    parent = np.empty(n, dtype=np.int64)
    size = np.empty(n, dtype=np.int64)
    stamp = np.full(n, -1, dtype=np.int64)
    out = np.empty(min(order.size, int(max_size)), dtype=np.int64)
    count = _greedy_forest_kernel(indptr, indices, order, int(max_size), member, parent, size,
                                  stamp, out)
    return out[:count].copy()


def forest_partition(adjacency, order=None):
    """Partition all nodes of a graph into blocks that each induce a forest.

    Repeated greedy passes (see :func:`greedy_forest`): pass ``t`` scans the nodes in ``order``
    and puts each unassigned node into forest ``t`` when that keeps it acyclic. A graph with
    arboricity ``a`` needs at least ``a`` forests; the greedy passes use a few (2 to 4 on
    lattices and k-NN graphs).

    Parameters
    ----------
    adjacency : sparse matrix or array of shape (n, n)
        The graph (``!= 0`` entries are edges; symmetrised if needed; diagonal ignored).
    order : int array, optional
        Visiting order, a permutation of ``0..n-1`` (default: ``0, 1, ..., n-1``).

    Returns
    -------
    blocks : list of numpy.ndarray of int64
        Sorted, disjoint node sets covering ``0..n-1``; each induces a forest.

    References
    ----------
    Nutini, Laradji & Schmidt, JMLR 23(131), 2022, arXiv:1712.08859.
    """
    indptr, indices, n = _as_pattern(adjacency)
    if order is None:
        order = np.arange(n, dtype=np.int64)
    else:
        order = _as_nodes(order, n, name="order")
        if order.size != n:
            raise ValueError(f"order must be a permutation of the {n} nodes, got {order.size} "
                             "entries")
    label = np.full(n, -1, dtype=np.int64)
    parent = np.empty(n, dtype=np.int64)
    size = np.empty(n, dtype=np.int64)
    stamp = np.full(n, -1, dtype=np.int64)
    n_blocks = _forest_partition_kernel(indptr, indices, order, label, parent, size, stamp)
    srt = np.argsort(label, kind="stable")
    bounds = np.searchsorted(label[srt], np.arange(n_blocks + 1))
    return [srt[bounds[t]:bounds[t + 1]].astype(np.int64) for t in range(n_blocks)]


def red_black_partition(grid_shape, grid_index=None):
    """Red-black (checkerboard) colouring of a lattice with nearest-neighbour edges.

    Grid points are numbered in C order; a point is black when the sum of its coordinates is
    even. With 2-D 4-neighbour (or any-dimension 2d-neighbour) edges, each colour class is an
    independent set, so its block Hessian is diagonal: the trivial forest.

    Parameters
    ----------
    grid_shape : tuple of int
        Shape of the grid, e.g. ``(m, m)``.
    grid_index : int array, optional
        Flat grid position of each variable (``problem.grid_index``, when some grid points
        are not variables, such as the labelled nodes of :func:`problems.lattice_quadratic`).
        When given, the blocks hold variable indices and grid points that are not variables
        are dropped.

    Returns
    -------
    blocks : list of numpy.ndarray of int64
        ``[black, red]``, sorted; empty blocks are omitted (e.g. for a 1 x 1 grid).

    References
    ----------
    Nutini, Laradji & Schmidt, JMLR 23(131), 2022, arXiv:1712.08859.

    Examples
    --------
    >>> [b.tolist() for b in red_black_partition((2, 3))]
    [[0, 2, 4], [1, 3, 5]]
    """
    shape = _check_grid_shape(grid_shape)
    parity = np.indices(shape).sum(axis=0).ravel() % 2
    blocks = [np.flatnonzero(parity == 0), np.flatnonzero(parity == 1)]
    return _to_variables(blocks, grid_index, int(np.prod(shape)))


def two_forest_partition(grid_shape, grid_index=None):
    """Split a 2-D 4-neighbour lattice into two trees ("combs").

    With ``(r, c)`` the row and column of a grid point (C order, node ``r * n_cols + c``), the
    first block is column 0 plus the even rows without their last column; the second is the
    rest: the last column plus the odd rows without column 0. Each block is a comb: a spine
    (column 0, resp. the last column) with teeth (the rows) that only touch the spine, so each
    induces a tree, and the two together cover the grid. Compared with red-black blocks, these
    carry most of the lattice's couplings inside the blocks, which is what makes message
    passing on them so effective.

    Parameters
    ----------
    grid_shape : (int, int)
        ``(n_rows, n_cols)``.
    grid_index : int array, optional
        Flat grid position of each variable (see :func:`red_black_partition`); blocks then hold
        variable indices and non-variable grid points are dropped (subsets of a forest are
        forests).

    Returns
    -------
    blocks : list of numpy.ndarray of int64
        Two sorted blocks (one when ``n_cols == 1``: the grid is then a path).

    References
    ----------
    Nutini, Laradji & Schmidt, JMLR 23(131), 2022, arXiv:1712.08859.

    Examples
    --------
    >>> [b.tolist() for b in two_forest_partition((3, 3))]
    [[0, 1, 3, 6, 7], [2, 4, 5, 8]]
    """
    n_rows, n_cols = _check_grid_shape(grid_shape, ndim=2)
    r, c = np.indices((n_rows, n_cols))
    first = ((c == 0) | ((r % 2 == 0) & (c < n_cols - 1))).ravel()
    blocks = [np.flatnonzero(first), np.flatnonzero(~first)]
    return _to_variables(blocks, grid_index, n_rows * n_cols)
