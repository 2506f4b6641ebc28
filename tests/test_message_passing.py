"""Forest blocks and exact message-passing solves on them."""
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

import problems
from solvers.bcd import forest
from solvers.bcd.message_passing import _forest_solve_kernel, _workspace, solve_forest_block


# ------------------------------------------------------------------------------ helpers
def _grid_adjacency(n_rows, n_cols):
    idx = np.arange(n_rows * n_cols).reshape(n_rows, n_cols)
    a = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    b = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    n = n_rows * n_cols
    A = sp.csr_matrix((np.ones(a.size), (a, b)), shape=(n, n))
    return (A + A.T).tocsr()


def _is_forest_reference(adjacency, nodes):
    """Forest iff #edges == #nodes - #components of the induced subgraph."""
    nodes = np.asarray(nodes)
    if nodes.size == 0:
        return True
    S = sp.csr_matrix(adjacency)[nodes][:, nodes].tolil()
    S.setdiag(0)
    S = sp.csr_matrix(S)
    S.eliminate_zeros()
    S = ((S != 0) + (S != 0).T).astype(bool)
    n_edges = S.nnz // 2
    n_comp, _ = connected_components(S, directed=False)
    return n_edges == nodes.size - n_comp


def _random_tree_system(nb, n_extra, seed, sym=True):
    """SPD-ish Q on nb + n_extra nodes whose first nb nodes (shuffled) form a random tree.

    Extra nodes are joined to the block and among themselves, so rows of the block hold
    entries outside the block that the solver has to ignore.
    """
    r = np.random.default_rng(seed)
    n = nb + n_extra
    perm = r.permutation(n)
    block = perm[:nb]
    rows, cols, vals = [], [], []
    for k in range(1, nb):  # random tree: attach node k to an earlier one
        p = r.integers(0, k)
        w = r.uniform(-1, 1)
        rows += [block[k], block[p]]
        cols += [block[p], block[k]]
        vals += [w, w if sym else r.uniform(-1, 1)]
    outside = perm[nb:]
    for _ in range(3 * n_extra):
        i = r.choice(block) if r.random() < 0.5 else r.choice(outside)
        j = r.choice(outside)
        if i != j:
            w = r.uniform(-1, 1)
            rows += [i, j]
            cols += [j, i]
            vals += [w, w]
    Q = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))
    Q.sum_duplicates()
    diag = np.asarray(abs(Q).sum(axis=1)).ravel() + r.uniform(0.1, 1.0, n)
    Q = (Q + sp.diags(diag)).tocsr()
    return Q, block, r.standard_normal(nb)


def _dense_block_solve(Q, nodes, rhs):
    Qbb = Q[nodes][:, nodes].toarray()
    return np.linalg.solve(Qbb, rhs)


# ------------------------------------------------------------------------------ forests
def test_is_forest_detects_cycles():
    A = _grid_adjacency(3, 3)
    square = [0, 1, 3, 4]
    assert not forest.is_forest(A, square)
    assert forest.is_forest(A, [0, 1, 3])
    assert forest.is_forest(A, [])
    assert forest.is_forest(A, [0, 4, 8])  # no edges at all
    # a 4-cycle given in scrambled order and with weighted, asymmetric storage
    W = sp.triu(A.multiply(np.arange(1, 82).reshape(9, 9) % 7 + 1)).tocsr()
    assert not forest.is_forest(W, [4, 0, 3, 1])
    r = np.random.default_rng(0)
    G = sp.random(40, 40, density=0.06, random_state=0)
    G = (G + G.T).tocsr()
    for _ in range(30):
        nodes = r.choice(40, r.integers(1, 25), replace=False)
        assert forest.is_forest(G, nodes) == _is_forest_reference(G, nodes)


def test_is_forest_bad_nodes():
    A = _grid_adjacency(2, 2)
    with pytest.raises(ValueError, match="repeated"):
        forest.is_forest(A, [0, 0, 1])
    with pytest.raises(ValueError, match="must lie in"):
        forest.is_forest(A, [0, 7])
    with pytest.raises(ValueError, match="square"):
        forest.is_forest(A[:, :3], [0])


@pytest.mark.parametrize("seed", range(4))
def test_greedy_forest_is_a_maximal_forest(seed):
    r = np.random.default_rng(seed)
    G = sp.random(60, 60, density=0.08, random_state=seed)
    G = (G + G.T).tocsr()
    order = r.permutation(60)
    block = forest.greedy_forest(G, order)
    assert _is_forest_reference(G, block)
    assert np.unique(block).size == block.size
    # order kept: the block is a subsequence of `order`
    rank = np.empty(60, int)
    rank[order] = np.arange(60)
    assert np.all(np.diff(rank[block]) > 0)
    # maximal: every rejected node would close a cycle
    for u in np.setdiff1d(np.arange(60), block):
        assert not _is_forest_reference(G, np.append(block, u))
    small = forest.greedy_forest(G, order, max_size=7)
    np.testing.assert_array_equal(small, block[:7])


def test_greedy_forest_on_a_lattice_by_gradient():
    f = problems.lattice_quadratic(12, n_labeled=6, random_state=0)
    g = f.grad(np.zeros(f.n))
    block = forest.greedy_forest(f.adjacency, np.argsort(-np.abs(g)))
    assert forest.is_forest(f.adjacency, block)
    assert block.size > f.n // 2  # a forest covers well over half a lattice
    assert block[0] == np.argmax(np.abs(g))


@pytest.mark.parametrize("shape", [(1, 1), (1, 5), (5, 1), (2, 2), (3, 4), (6, 6), (7, 5)])
def test_grid_partitions_cover_and_are_forests(shape):
    A = _grid_adjacency(*shape)
    n = shape[0] * shape[1]
    for blocks in (forest.red_black_partition(shape), forest.two_forest_partition(shape)):
        allnodes = np.concatenate(blocks)
        assert np.array_equal(np.sort(allnodes), np.arange(n))  # disjoint cover
        assert len(blocks) <= 2
        for b in blocks:
            assert forest.is_forest(A, b) and _is_forest_reference(A, b)
    for b in forest.red_black_partition(shape):  # independent sets
        assert A[b][:, b].nnz == 0
    for b in forest.two_forest_partition(shape):  # each comb is even a single tree
        n_comp, _ = connected_components(A[b][:, b], directed=False)
        assert n_comp == 1


def test_grid_partitions_map_to_variables():
    f = problems.lattice_quadratic(9, n_labeled=7, random_state=2)
    for part in (forest.red_black_partition, forest.two_forest_partition):
        blocks = part(f.grid_shape, f.grid_index)
        assert np.array_equal(np.sort(np.concatenate(blocks)), np.arange(f.n))
        for b in blocks:
            assert forest.is_forest(f.adjacency, b)
    with pytest.raises(ValueError, match="grid_shape must have 2"):
        forest.two_forest_partition((3, 3, 3))
    with pytest.raises(ValueError, match="positive"):
        forest.red_black_partition((0, 3))


def test_forest_partition_of_general_graphs():
    W, labels = problems.two_moons_graph(300, n_labeled=10, random_state=0)
    f = problems.LabelPropagation(W, labels)
    blocks = forest.forest_partition(f.adjacency)
    assert np.array_equal(np.sort(np.concatenate(blocks)), np.arange(f.n))
    for b in blocks:
        assert _is_forest_reference(f.adjacency, b)
    A = _grid_adjacency(8, 8)
    order = np.random.default_rng(0).permutation(64)
    blocks = forest.forest_partition(A, order)
    assert 2 <= len(blocks) <= 4
    assert np.array_equal(np.sort(np.concatenate(blocks)), np.arange(64))
    assert all(forest.is_forest(A, b) for b in blocks)
    with pytest.raises(ValueError, match="permutation"):
        forest.forest_partition(A, order[:10])


# ------------------------------------------------------------------------------ message passing
@pytest.mark.parametrize("seed", range(6))
def test_tree_solve_matches_dense_solve(seed):
    nb = [1, 2, 5, 30, 80, 200][seed]
    Q, block, rhs = _random_tree_system(nb, 25, seed)
    x = solve_forest_block(Q, block, rhs)
    ref = _dense_block_solve(Q, block, rhs)
    np.testing.assert_allclose(x, ref, rtol=1e-10, atol=1e-12)


def test_forest_of_several_trees_and_nonsymmetric_values():
    # three trees side by side; values Q_ij != Q_ji on the same pattern
    parts = [_random_tree_system(k, 0, 10 + k, sym=False) for k in (7, 1, 12)]
    Q = sp.block_diag([p[0] for p in parts]).tocsr()
    offs = np.cumsum([0] + [p[0].shape[0] for p in parts[:-1]])
    block = np.concatenate([p[1] + o for p, o in zip(parts, offs)])
    rhs = np.concatenate([p[2] for p in parts])
    np.testing.assert_allclose(solve_forest_block(Q, block, rhs),
                               _dense_block_solve(Q, block, rhs), rtol=1e-10, atol=1e-12)


def test_lattice_forest_blocks_match_dense_solve():
    f = problems.lattice_quadratic(10, n_labeled=5, random_state=0)
    rhs_full = -f.grad(np.zeros(f.n))
    blocks = (forest.two_forest_partition(f.grid_shape, f.grid_index)
              + forest.red_black_partition(f.grid_shape, f.grid_index)
              + [forest.greedy_forest(f.adjacency, np.argsort(-np.abs(rhs_full)))])
    for b in blocks:
        x = solve_forest_block(f.Q, b, rhs_full[b])
        ref = _dense_block_solve(f.Q, b, rhs_full[b])
        np.testing.assert_allclose(x, ref, rtol=1e-10, atol=1e-10 * np.abs(ref).max())


def test_label_propagation_forest_block_matches_dense_solve():
    W, labels = problems.two_moons_graph(300, n_labeled=12, random_state=1)
    f = problems.LabelPropagation(W, labels, lam=0.1)
    x = np.random.default_rng(0).standard_normal(f.n)
    g = f.grad(x)
    b = forest.greedy_forest(f.adjacency, np.argsort(-np.abs(g)))
    d = solve_forest_block(f.Q, b, -g[b])
    np.testing.assert_allclose(d, _dense_block_solve(f.Q, b, -g[b]), rtol=1e-10, atol=1e-12)
    # the exact block step zeroes the block gradient
    x2 = x.copy()
    x2[b] += d
    assert np.abs(f.grad(x2)[b]).max() < 1e-10 * np.abs(g).max()


def test_exact_block_steps_solve_the_lattice_problem():
    f = problems.lattice_quadratic(10, n_labeled=20, weight=1.0, random_state=3)
    gaps = {}
    for name, part in [("two-forest", forest.two_forest_partition),
                       ("red-black", forest.red_black_partition)]:
        blocks = part(f.grid_shape, f.grid_index)
        x = np.zeros(f.n)
        g = [f.value(x) - f.f_star]
        for it in range(60):
            b = blocks[it % 2]
            x[b] += solve_forest_block(f.Q, b, -f.grad(x)[b])
            g.append(f.value(x) - f.f_star)
        # exact block minimisation never increases f
        assert np.all(np.diff(g) <= 1e-12 * abs(f.f_star) + 1e-12)
        gaps[name] = np.array(g)
    assert gaps["two-forest"][-1] < 1e-10 * gaps["two-forest"][0]
    # bigger forest blocks beat the independent sets of the checkerboard
    assert gaps["two-forest"][-1] < 1e-3 * gaps["red-black"][-1]


def test_non_forest_block_raises():
    A = _grid_adjacency(3, 3)
    Q = (4 * sp.eye(9) - A).tocsr()
    with pytest.raises(ValueError, match="do not induce a forest"):
        solve_forest_block(Q, [0, 1, 3, 4], np.ones(4))
    with pytest.raises(ValueError, match="rhs must have shape"):
        solve_forest_block(Q, [0, 1], np.ones(3))
    with pytest.raises(ValueError, match="repeated"):
        solve_forest_block(Q, [0, 0], np.ones(2))
    with pytest.raises(ValueError, match="NaN"):
        solve_forest_block(Q, [0, 1], np.array([1.0, np.nan]))
    S = sp.csr_matrix(np.array([[1.0, 1.0], [1.0, 1.0]]))
    with pytest.raises(np.linalg.LinAlgError, match="singular"):
        solve_forest_block(S, [0, 1], np.ones(2))


def test_noncanonical_csr_and_kernel_reuse():
    Q, block, rhs = _random_tree_system(20, 10, 42)
    ref = _dense_block_solve(Q, block, rhs)
    # split every entry into two duplicates: scipy sums them, so must the solver
    indptr = 2 * Q.indptr
    indices = np.empty(2 * Q.nnz, dtype=Q.indices.dtype)
    data = np.empty(2 * Q.nnz)
    for i in range(Q.shape[0]):
        lo, hi = Q.indptr[i], Q.indptr[i + 1]
        seg = slice(2 * lo, 2 * hi)
        indices[seg] = np.concatenate([Q.indices[lo:hi], Q.indices[lo:hi]])
        data[seg] = np.concatenate([Q.data[lo:hi], Q.data[lo:hi]]) / 2
    dup = sp.csr_matrix((data, indices, indptr), shape=Q.shape)
    assert not dup.has_canonical_format
    np.testing.assert_allclose(solve_forest_block(dup, block, rhs), ref, rtol=1e-10)
    # the raw kernel with caller-owned pos and work arrays, called twice
    n = Q.shape[0]
    pos = np.full(n, -1, dtype=np.int64)
    work = _workspace(n)
    out = np.empty(block.size)
    for _ in range(2):
        pos[block] = np.arange(block.size)
        status = _forest_solve_kernel(Q.indptr, Q.indices, Q.data, block.astype(np.int64), pos,
                                      rhs, out, *work)
        pos[block] = -1
        assert status == 0
        np.testing.assert_allclose(out, ref, rtol=1e-10)
    # out may alias rhs
    r2 = rhs.copy()
    pos[block] = np.arange(block.size)
    _forest_solve_kernel(Q.indptr, Q.indices, Q.data, block.astype(np.int64), pos, r2, r2, *work)
    np.testing.assert_allclose(r2, ref, rtol=1e-10)
