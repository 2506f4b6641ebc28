"""Graph-structured quadratics: label propagation, the lattice problem, the two-moons graph."""
import numpy as np
import pytest
import scipy.sparse as sp

import problems
from problems.graphs import LabelPropagation


def _random_graph(n=30, density=0.15, seed=0):
    r = np.random.default_rng(seed)
    A = sp.random(n, n, density=density, random_state=seed, data_rvs=lambda k: r.uniform(0.1, 2, k))
    W = sp.triu(A, 1)
    W = (W + W.T).tocsr()
    # a path through all nodes keeps the graph connected
    path = sp.diags([np.ones(n - 1), np.ones(n - 1)], [1, -1], shape=(n, n))
    return (W + path).tocsr()


def _labels(n, n_lab=5, seed=0):
    r = np.random.default_rng(seed)
    y = np.zeros(n)
    idx = r.choice(n, n_lab, replace=False)
    y[idx] = np.where(r.random(n_lab) < 0.5, -1.0, 1.0)
    return y


def _criterion(W, y_full, x, lam):
    Wd = W.toarray()
    d = y_full[:, None] - y_full[None, :]
    return 0.25 * float((Wd * d * d).sum()) + 0.5 * lam * float(x @ x)


@pytest.mark.parametrize("lam", [0.0, 0.5])
def test_value_is_the_labelling_criterion(lam):
    W = _random_graph()
    y = _labels(W.shape[0])
    f = LabelPropagation(W, y, lam=lam)
    x = np.random.default_rng(1).standard_normal(f.n)
    y_full = f.full_labels(x)
    assert np.array_equal(y_full[y != 0], y[y != 0])
    assert f.value(x) == pytest.approx(_criterion(f.W, y_full, x, lam), rel=1e-12)


def _fd_grad(f, x, h=1e-6):
    g = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f.value(x + e) - f.value(x - e)) / (2 * h)
    return g


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_grad_and_hvp_match_finite_differences(seed):
    W = _random_graph(seed=seed)
    f = LabelPropagation(W, _labels(W.shape[0], seed=seed), lam=0.3)
    r = np.random.default_rng(seed)
    x, v = r.standard_normal(f.n), r.standard_normal(f.n)
    g = f.grad(x)
    np.testing.assert_allclose(g, _fd_grad(f, x), rtol=1e-6, atol=1e-6)
    val, g2 = f.value_and_grad(x)
    assert val == pytest.approx(f.value(x), rel=1e-14) and np.allclose(g2, g)
    h = 1e-6
    fd = (f.grad(x + h * v) - f.grad(x - h * v)) / (2 * h)
    np.testing.assert_allclose(f.hvp(x, v), fd, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(f.hess(x) @ v, f.hvp(x, v), rtol=1e-13)


def test_Q_members_are_consistent():
    W = _random_graph(40, seed=3)
    y = _labels(40, 6, seed=3)
    f = LabelPropagation(W, y, lam=0.0)
    Q = f.Q
    assert sp.issparse(Q) and Q.format == "csr" and Q.has_canonical_format
    Qd = Q.toarray()
    np.testing.assert_array_equal(Qd, Qd.T)
    ev = np.linalg.eigvalsh(Qd)
    assert ev[0] > 0
    assert f.lipschitz == pytest.approx(ev[-1], rel=1e-10)
    np.testing.assert_allclose(f.coordinate_lipschitz, np.diag(Qd))
    U = np.flatnonzero(y == 0)
    deg = np.asarray(f.W.sum(axis=1)).ravel()
    np.testing.assert_allclose(np.diag(Qd), deg[U])
    # adjacency: the 0/1 pattern of the off-diagonal of Q
    off = (Qd != 0) & ~np.eye(f.n, dtype=bool)
    np.testing.assert_array_equal(f.adjacency.toarray() != 0, off)
    assert set(np.unique(f.adjacency.data)) <= {1.0}
    # b from the labelled neighbours, c makes f the criterion exactly
    L = np.flatnonzero(y != 0)
    np.testing.assert_allclose(f.b, f.W.toarray()[np.ix_(U, L)] @ y[L])
    xs = f.solution()
    assert np.linalg.norm(f.grad(xs)) < 1e-10 * np.linalg.norm(f.b)
    assert f.f_star == pytest.approx(f.value(xs), rel=1e-10, abs=1e-12)


def test_lipschitz_by_eigsh_on_a_larger_problem():
    f = problems.lattice_quadratic(16, weight=1.0, n_labeled=10, random_state=0)
    assert f.n > 200  # the Lanczos path
    assert f.lipschitz == pytest.approx(np.linalg.eigvalsh(f.Q.toarray())[-1], rel=1e-8)


def test_label_conventions_agree():
    W = _random_graph(seed=4)
    y0 = _labels(W.shape[0], seed=4)
    y_nan = np.where(y0 == 0, np.nan, y0)
    f0, f1 = LabelPropagation(W, y0), LabelPropagation(W, y_nan)
    np.testing.assert_array_equal(f0.unlabeled, f1.unlabeled)
    np.testing.assert_allclose(f0.b, f1.b)
    # an explicit mask allows a labelled node with value 0
    mask = y0 != 0
    mask[np.flatnonzero(~mask)[0]] = True
    f2 = LabelPropagation(W, y0, labeled=mask)
    assert f2.n == f0.n - 1


def test_inputs_are_not_modified():
    W = _random_graph(seed=5)
    W = (W + sp.eye(W.shape[0])).tocsr()  # a self-loop, ignored by the criterion
    y = _labels(W.shape[0], seed=5)
    W0, y0 = W.copy(), y.copy()
    f = LabelPropagation(W, y)
    assert (abs(W - W0)).nnz == 0 and np.array_equal(y, y0)
    assert f.W.diagonal().max() == 0.0


@pytest.mark.parametrize("make, match", [
    (lambda W, y: (sp.csr_matrix(np.triu(W.toarray())), y), "W must be symmetric"),
    (lambda W, y: (-W, y), "W must hold nonnegative"),
    (lambda W, y: (W, y[:-1]), "labels has length"),
    (lambda W, y: (W[:, :-1], y), "W must be square"),
    (lambda W, y: (W, np.where(y == 0, 0.0, np.inf)), "labels contains inf"),
    (lambda W, y: (W, np.ones_like(y)), "every node as labelled"),
])
def test_bad_input_errors(make, match):
    W = _random_graph(12, seed=6)
    y = _labels(12, 3, seed=6)
    Wb, yb = make(W, y)
    with pytest.raises(ValueError, match=match):
        LabelPropagation(Wb, yb)


def test_nan_in_weights_and_bad_lam():
    W = _random_graph(12, seed=7)
    y = _labels(12, 3, seed=7)
    Wn = W.copy()
    Wn.data[0] = np.nan
    with pytest.raises(ValueError, match="W contains NaN"):
        LabelPropagation(Wn, y)
    with pytest.raises(ValueError, match="lam must be >= 0"):
        LabelPropagation(W, y, lam=-1.0)
    with pytest.raises(ValueError, match="labeled must be a boolean mask"):
        LabelPropagation(W, y, labeled=np.ones(3, dtype=bool))


def test_unanchored_component_needs_a_ridge():
    # two disconnected edges, a label only on the first
    W = sp.csr_matrix(np.array([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], float))
    y = np.array([1.0, 0, 0, 0])
    with pytest.raises(ValueError, match="singular"):
        LabelPropagation(W, y, lam=0.0)
    f = LabelPropagation(W, y, lam=1e-3)
    assert np.linalg.eigvalsh(f.Q.toarray())[0] > 0


def test_lattice_quadratic_is_the_papers_problem():
    f = problems.lattice_quadratic(random_state=0)
    assert f.grid_shape == (50, 50) and f.n == 2400 and f.n_nodes == 2500
    np.testing.assert_array_equal(f.grid_index, f.unlabeled)
    row_nnz = np.diff(f.Q.indptr)
    assert row_nnz.max() <= 5
    assert set(np.unique(f.W.data)) == {1e5}
    gap0 = f.value(np.zeros(f.n)) - f.f_star
    assert 1e8 < gap0 < 1e10  # the paper's curves start near 1e9
    assert np.linalg.norm(f.grad(f.solution())) < 1e-8 * np.linalg.norm(f.b)
    g = problems.lattice_quadratic(random_state=0)
    np.testing.assert_array_equal(f.b, g.b)


def test_lattice_quadratic_small_and_errors():
    f = problems.lattice_quadratic(4, n_labeled=2, weight=2.0, random_state=1)
    assert f.n == 14 and f.grid_shape == (4, 4)
    # every lattice edge between unknowns is in Q with weight -2
    r, c = np.divmod(f.grid_index, 4)
    Qd = f.Q.toarray()
    for a in range(f.n):
        for b in range(f.n):
            if abs(r[a] - r[b]) + abs(c[a] - c[b]) == 1:
                assert Qd[a, b] == -2.0
            elif a != b:
                assert Qd[a, b] == 0.0
    with pytest.raises(ValueError, match="n_labeled"):
        problems.lattice_quadratic(3, n_labeled=9)
    with pytest.raises(ValueError, match="weight"):
        problems.lattice_quadratic(3, weight=0.0)


def test_two_moons_graph():
    W, labels, X, y = problems.two_moons_graph(400, n_neighbors=5, n_labeled=20, random_state=0,
                                               return_points=True)
    assert W.shape == (400, 400) and X.shape == (400, 2)
    assert abs(W - W.T).max() == 0 and W.data.min() > 0 and W.diagonal().max() == 0
    assert np.diff(W.indptr).min() >= 5
    assert set(np.unique(W.data)) == {1.0}
    lab = labels != 0
    assert lab.sum() == 20 and (labels[lab] == 1).sum() == 10
    np.testing.assert_array_equal(labels[lab], y[lab])
    # label propagation recovers the moons
    f = problems.LabelPropagation(W, labels, lam=1e-6)
    pred = np.sign(f.full_labels(f.solution()))
    assert (pred == y).mean() > 0.95
    Wg, _ = problems.two_moons_graph(400, weights="gaussian", random_state=0)
    assert 0 < Wg.data.min() and Wg.data.max() <= 1.0 and abs(Wg - Wg.T).max() < 1e-15
    W2, l2 = problems.two_moons_graph(400, n_neighbors=5, n_labeled=20, random_state=0)
    assert (abs(W2 - W)).nnz == 0 and np.array_equal(l2, labels)
    with pytest.raises(ValueError, match="weights"):
        problems.two_moons_graph(200, weights="cosine")


def test_to_cpu_is_identity():
    f = problems.lattice_quadratic(5, n_labeled=3, random_state=0)
    assert f.to("cpu") is f


@pytest.mark.gpu
def test_gpu_copy_matches_cpu():
    import cupy as cp

    f = problems.lattice_quadratic(8, n_labeled=4, weight=1.0, random_state=0)
    fg = f.to("gpu")
    x = np.random.default_rng(0).standard_normal(f.n)
    xg = cp.asarray(x)
    assert fg.value(xg) == pytest.approx(f.value(x), rel=1e-12)
    np.testing.assert_allclose(cp.asnumpy(fg.grad(xg)), f.grad(x), rtol=1e-12, atol=1e-12)
    assert fg.lipschitz == pytest.approx(f.lipschitz)
