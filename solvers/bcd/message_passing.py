"""Exact block solves on forest blocks by message passing (Gaussian elimination on trees).

When the variables of a block ``b`` induce a forest in the graph of ``Q`` (``i ~ j`` iff
``Q_ij != 0``), the block system ``Q_bb x_b = r`` is solved exactly in ``O(|b|)`` arithmetic
(plus one scan of the rows of ``b`` in ``Q``) by eliminating leaves into their parents and
back-substituting from the roots: Gaussian belief propagation, which is exact on trees.
Nutini, Laradji & Schmidt (2022) use it to make matrix (Newton) block updates affordable for
huge blocks in sparse problems such as label propagation, where block coordinate descent with
forest blocks beats small dense blocks by many orders of magnitude.

Elimination, for each tree with BFS order ``v_0 (root), v_1, ...`` and parents ``p(v)``:

1. up (leaves to root): for ``v`` in reverse BFS order, with pivot ``d_v`` (``Q_vv`` minus
   the contributions of its already-eliminated children),
   ``d_p -= Q_pv Q_vp / d_v`` and ``h_p -= Q_pv h_v / d_v`` (``h`` starts at ``r``);
2. down (root to leaves): ``x_root = h_root / d_root``, ``x_v = (h_v - Q_vp x_p) / d_v``.

The pivots are the Schur complements of the block, so they are positive when ``Q_bb`` is
positive definite; the solve needs only that ``Q_bb`` is nonsingular with nonzero pivots.

References
----------
J. Nutini, I. Laradji, M. Schmidt, "Let's Make Block Coordinate Descent Converge Faster:
Faster Greedy Rules, Message-Passing, Active-Set Complexity, and Superlinear Convergence",
JMLR 23(131), 2022, arXiv:1712.08859 (section on message passing for huge blocks).
Y. Weiss, W. T. Freeman, "Correctness of belief propagation in Gaussian graphical models of
arbitrary topology", Neural Computation 13(10), 2001 (exactness on trees).
"""
from __future__ import annotations

import math

import numba
import numpy as np
import scipy.sparse as sp

__all__ = ["solve_forest_block"]

_JIT = dict(cache=True)

#: status codes of :func:`_forest_solve_kernel`
OK, NOT_A_FOREST, ZERO_PIVOT = 0, 1, 2


@numba.njit(**_JIT)
def _forest_solve_kernel(indptr, indices, data, nodes, pos, rhs, out,
                         parent, order, piv, h, a_up, a_down):
    """Solve ``Q[nodes][:, nodes] x = rhs`` when ``nodes`` induce a forest in ``Q``'s graph.

    Signature (all plain arrays, no allocation inside)::

        status = _forest_solve_kernel(indptr, indices, data, nodes, pos, rhs, out,
                                      parent, order, piv, h, a_up, a_down)

    Parameters
    ----------
    indptr, indices, data : arrays
        CSR arrays of ``Q`` (n x n). The sparsity pattern must be symmetric (values may be
        non-symmetric); duplicate entries are summed; explicit zeros are not edges; entries
        of columns outside the block are ignored.
    nodes : int array (nb)
        The block's global indices (distinct).
    pos : int array (n)
        ``pos[i]`` = local index of node ``i`` in ``nodes`` (so ``pos[nodes[a]] == a``) or -1
        for nodes outside the block. Filled by the caller, read only here (a caller that
        reuses it resets ``pos[nodes] = -1`` afterwards: ``O(nb)``).
    rhs : float array (nb)
        Right-hand side in local order. Not modified.
    out : float array (nb)
        Receives the solution in local order. May be the same array as ``rhs``.
    parent, order : int64 arrays (>= nb)
        Work space: BFS parent (local, -1 for roots) and BFS order of the forest.
    piv, h, a_up, a_down : float64 arrays (>= nb)
        Work space: pivots, eliminated right-hand side, ``Q[parent, v]`` and ``Q[v, parent]``.

    Returns
    -------
    status : int
        0 on success; 1 when ``nodes`` do not induce a forest (a cycle was found; ``out`` is
        not written); 2 when a pivot is zero or not finite (``Q_bb`` singular or bad data;
        ``out`` is not written).

    Notes
    -----
    Cost ``O(nb + nnz of the rows of nodes)``: one breadth-first traversal that reads the
    diagonal and the tree edges, one upward elimination sweep and one downward substitution.
    """
    nb = nodes.shape[0]
    for a in range(nb):
        parent[a] = -2  # unvisited
    head = 0
    tail = 0
    for s in range(nb):
        if parent[s] != -2:
            continue
        parent[s] = -1
        order[tail] = s
        tail += 1
        while head < tail:
            a = order[head]
            head += 1
            u = nodes[a]
            p = parent[a]
            diag = 0.0
            down = 0.0
            for e in range(indptr[u], indptr[u + 1]):
                v = indices[e]
                w = data[e]
                if v == u:
                    diag += w
                    continue
                b = pos[v]
                if b < 0 or w == 0.0:
                    continue
                if b == p:
                    down += w
                elif parent[b] == -2:
                    parent[b] = a
                    a_up[b] = w
                    order[tail] = b
                    tail += 1
                elif parent[b] == a:
                    a_up[b] += w  # duplicate entry of a tree edge
                else:
                    return 1
            piv[a] = diag
            h[a] = rhs[a]
            a_down[a] = down
    for k in range(nb - 1, -1, -1):
        a = order[k]
        d = piv[a]
        if d == 0.0 or not math.isfinite(d):
            return 2
        p = parent[a]
        if p >= 0:
            piv[p] -= a_up[a] * a_down[a] / d
            h[p] -= a_up[a] * h[a] / d
    for k in range(nb):
        a = order[k]
        p = parent[a]
        if p >= 0:
            out[a] = (h[a] - a_down[a] * out[p]) / piv[a]
        else:
            out[a] = h[a] / piv[a]
    return 0


def _workspace(nb):
    """Work arrays for :func:`_forest_solve_kernel` on blocks of at most ``nb`` nodes.

    Returns ``(parent, order, piv, h, a_up, a_down)``.
    """
    iw = np.empty((2, nb), dtype=np.int64)
    fw = np.empty((4, nb), dtype=np.float64)
    return iw[0], iw[1], fw[0], fw[1], fw[2], fw[3]


def solve_forest_block(Q_csr, nodes, rhs):
    """Solve ``Q_bb x_b = rhs`` exactly when the block ``b = nodes`` induces a forest.

    Gaussian elimination from the leaves to the roots of each tree, then back-substitution
    (Gaussian belief propagation, exact on trees), in ``O(|b|)`` plus one scan of the rows of
    ``b`` in ``Q``. This is the message-passing block update of Nutini, Laradji & Schmidt
    (2022): with ``rhs = -grad_b f(x)`` it returns the exact Newton / matrix step on the block
    of a quadratic.

    Parameters
    ----------
    Q_csr : scipy.sparse matrix or array of shape (n, n)
        Matrix with a symmetric sparsity pattern (CSR is used as is; other formats are
        converted). Only the entries ``Q[i, j]`` with ``i, j`` in the block are used.
    nodes : int array of shape (nb,)
        Distinct indices of the block.
    rhs : array of shape (nb,)
        Right-hand side, in the order of ``nodes``.

    Returns
    -------
    x_b : numpy.ndarray of shape (nb,), float64
        The solution, in the order of ``nodes``.

    Raises
    ------
    ValueError
        If ``nodes`` do not induce a forest in the graph of ``Q`` (there is a cycle), if they
        are out of range or repeated, or if the shapes do not match or ``rhs`` is not finite.
    numpy.linalg.LinAlgError
        If a pivot is zero (``Q_bb`` singular); a subclass of ValueError.

    References
    ----------
    J. Nutini, I. Laradji, M. Schmidt, JMLR 23(131), 2022, arXiv:1712.08859.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> Q = sp.csr_matrix(np.array([[2., -1, 0], [-1, 2, -1], [0, -1, 2]]))
    >>> solve_forest_block(Q, [0, 1, 2], np.ones(3)).round(12).tolist()
    [1.5, 2.0, 1.5]
    """
    from ..backend._select import to_host
    from .forest import _as_nodes

    Q = to_host(Q_csr)
    if not sp.issparse(Q):
        Q = np.asarray(Q)
        if Q.ndim != 2:
            raise ValueError(f"Q_csr must be a 2-D (sparse) matrix, got shape {Q.shape}")
        Q = sp.csr_matrix(Q)
    if Q.format != "csr":
        Q = Q.tocsr()
    if Q.shape[0] != Q.shape[1]:
        raise ValueError(f"Q_csr must be square, got shape {Q.shape}")
    n = Q.shape[0]
    nodes = _as_nodes(nodes, n)
    r = np.asarray(to_host(rhs))
    if r.ndim != 1 or r.shape[0] != nodes.size:
        raise ValueError(f"rhs must have shape ({nodes.size},) like nodes, got {r.shape}")
    if not np.issubdtype(r.dtype, np.number) or np.issubdtype(r.dtype, np.complexfloating):
        raise TypeError(f"rhs must hold real numbers, got dtype {r.dtype}")
    r = r.astype(np.float64)
    if not np.isfinite(r).all():
        raise ValueError("rhs contains NaN or inf entries")
    data = Q.data if Q.data.dtype == np.float64 else Q.data.astype(np.float64)
    pos = np.full(n, -1, dtype=np.int64)
    pos[nodes] = np.arange(nodes.size)
    out = np.empty(nodes.size, dtype=np.float64)
    status = _forest_solve_kernel(Q.indptr, Q.indices, data, nodes, pos, r, out,
                                  *_workspace(nodes.size))
    if status == NOT_A_FOREST:
        raise ValueError("nodes do not induce a forest in the graph of Q (found a cycle); "
                         "use solvers.bcd.forest.greedy_forest or a forest partition to pick "
                         "the block")
    if status == ZERO_PIVOT:
        raise np.linalg.LinAlgError("Q_bb is singular: a zero (or non-finite) pivot appeared "
                                    "in the elimination along the forest")
    return out
