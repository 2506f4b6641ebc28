"""Graph-structured quadratics: semi-supervised label propagation and lattice quadratics.

These are the sparse quadratics on which block coordinate descent with message passing is
studied in J. Nutini, I. Laradji, M. Schmidt, "Let's Make Block Coordinate Descent Converge
Faster: Faster Greedy Rules, Message-Passing, Active-Set Complexity, and Superlinear
Convergence", JMLR 23(131), 2022 (arXiv:1712.08859), section on message passing for huge
blocks and its label-propagation experiments (a 50 x 50 lattice and a two-moons 5-NN graph).

The quadratic labelling criterion (Zhu, Ghahramani and Lafferty 2003; Bengio, Delalleau and
Le Roux 2006) over a graph with symmetric nonnegative weights ``w_ij`` asks for node values
``y`` that agree with the known labels ``y_i, i in S`` and vary little along heavy edges:

    min over {y_i : i not in S} of  (1/2) sum_i sum_j w_ij (y_i - y_j)^2 .

The unknowns are the unlabelled nodes only. Writing ``y = (x, y_S)`` with ``x`` the
unlabelled values, ``D = diag(sum_j w_ij)`` and ``L = D - W`` the graph Laplacian, the criterion
is ``y^T L y``; :class:`LabelPropagation` minimises one half of it plus a ridge term, a
quadratic in ``x`` whose Hessian ``Q = L_UU + lam I`` has the sparsity of the graph. That
sparsity is what message passing exploits: a block whose nodes induce a forest in the graph is
solved exactly in linear time (see :mod:`solvers.bcd.message_passing`).

Everything follows the smooth-part protocol of DESIGN section 3 (like
:class:`problems.Quadratic`), plus the graph members ``adjacency``, ``grid_shape`` and
``grid_index`` that the forest partitions in :mod:`solvers.bcd.forest` read.
"""
from __future__ import annotations

import copy
import functools
import numbers

import numpy as np
import scipy.sparse as sp

from solvers.backend import get_backend, resolve_backend
from solvers.backend._select import to_host
from solvers.core.validation import check_matrix, check_scalar

from ._linalg import largest_eigenvalue

__all__ = ["LabelPropagation", "lattice_quadratic", "two_moons_graph"]

_PAPER = ("Nutini, Laradji & Schmidt, 'Let's Make Block Coordinate Descent Converge Faster', "
          "JMLR 23(131), 2022, arXiv:1712.08859")


def _check_int(value, name, low, high=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value}")
    return value


def _check_weights(W):
    """Validate ``W`` and return it as a canonical host CSR float64 matrix with zero diagonal."""
    if W is None:
        raise TypeError("W must be a sparse (or dense) square weight matrix, got None")
    W = check_matrix(to_host(W), "W", backend="cpu")
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be square (one row and column per node), got shape {W.shape}")
    W = sp.csr_matrix(W, dtype=np.float64, copy=True)
    W.sum_duplicates()
    if W.nnz and float(W.data.min()) < 0.0:
        raise ValueError(
            f"W must hold nonnegative weights, found {float(W.data.min()):.3e}; "
            "label propagation needs w_ij >= 0 (use |W| or shift the similarities)")
    if W.nnz:
        asym = abs(W - W.T)
        asym_max = float(asym.max()) if asym.nnz else 0.0
        if asym_max > 1e-12 * float(W.data.max()):
            raise ValueError(
                f"W must be symmetric (an undirected graph); max |W - W^T| = {asym_max:.3e}. "
                "Symmetrize it first, e.g. W = W.maximum(W.T) or (W + W.T) / 2")
    # self-loops contribute w_ii (y_i - y_i)^2 = 0 to the criterion: drop them
    return _drop_diagonal(W)


def _drop_diagonal(W):
    """CSR copy of ``W`` without diagonal entries and explicit zeros, indices sorted."""
    C = W.tocoo()
    keep = (C.row != C.col) & (C.data != 0)
    out = sp.csr_matrix((C.data[keep], (C.row[keep], C.col[keep])), shape=W.shape)
    out.sum_duplicates()
    out.sort_indices()
    return out


def _check_labels(labels, n_nodes, labeled):
    """Return (labeled mask, float labels) from the user's ``labels`` / ``labeled``."""
    if labels is None:
        raise TypeError("labels must be an array with one entry per node of W, got None")
    y = np.asarray(to_host(labels))
    if y.ndim != 1:
        raise ValueError(f"labels must be 1-dimensional, got shape {y.shape}")
    if y.shape[0] != n_nodes:
        raise ValueError(f"labels has length {y.shape[0]} but W has {n_nodes} nodes; "
                         "give one entry per node (0 or NaN for unlabelled nodes)")
    if not (np.issubdtype(y.dtype, np.number) or np.issubdtype(y.dtype, np.bool_)) \
            or np.issubdtype(y.dtype, np.complexfloating):
        raise TypeError(f"labels must hold real numbers, got dtype {y.dtype}")
    y = y.astype(np.float64)
    if np.isinf(y).any():
        raise ValueError("labels contains inf; use NaN (or 0) for unlabelled nodes")
    if labeled is None:
        mask = ~(np.isnan(y) | (y == 0.0))
    else:
        mask = np.asarray(to_host(labeled))
        if mask.dtype != np.bool_ or mask.shape != (n_nodes,):
            raise ValueError(f"labeled must be a boolean mask of length {n_nodes} "
                             f"(one entry per node), got dtype {mask.dtype}, shape {mask.shape}")
        if np.isnan(y[mask]).any():
            raise ValueError("labels is NaN at a node that `labeled` marks as labelled")
        mask = mask.copy()
    return mask, y


class LabelPropagation:
    """Semi-supervised label propagation as a sparse quadratic over the unlabelled nodes.

    With graph weights ``w_ij`` (symmetric, nonnegative), known labels ``y_S`` and the unknown
    node values ``x = y_U`` (``U`` the unlabelled nodes, in increasing node order), the
    objective is

    .. math::

        f(x) = \\frac14 \\sum_{i,j} w_{ij} (y_i - y_j)^2 + \\frac{\\lambda}{2}\\|x\\|^2
             = \\frac12 x^T Q x - b^T x + c,

    i.e. one half of the quadratic labelling criterion ``(1/2) sum_{i,j} w_ij (y_i - y_j)^2``
    of Nutini, Laradji & Schmidt (2022) (the double sum runs over ordered pairs, so every edge
    counts twice), plus a ridge term. With ``d_i = sum_j w_ij`` the weighted degree (over all
    nodes, labelled or not):

    - ``Q = L_UU + lam I``, ``Q_ii = d_i + lam``, ``Q_ij = -w_ij`` for unlabelled ``i != j``;
    - ``b = W_US y_S`` (``b_i = sum_{j in S} w_ij y_j``);
    - ``c = y_S^T L_SS y_S / 2`` (so that ``f`` equals the criterion exactly, not up to a shift).

    The ridge term is a plain ``lam/2 ||x||^2`` (not an anchor to a prior label); it makes ``Q``
    positive definite whatever the graph. With ``lam=0`` this is exactly the paper's problem
    (the authors' experiments solve ``Q x = b`` with ``Q = L_UU``); ``Q`` is then positive
    definite if and only if every connected component of the unlabelled nodes has an edge to a
    labelled node, which is checked.

    Parameters
    ----------
    W : scipy.sparse matrix (CSR/CSC/any) or array of shape (n_nodes, n_nodes)
        Symmetric nonnegative edge weights without NaN or inf. The diagonal (self-loops) does
        not enter the criterion and is ignored. The caller's matrix is not modified.
    labels : array of shape (n_nodes,)
        Known labels and the unlabelled marker. Convention: ``0`` or ``NaN`` marks an
        unlabelled node; any other finite value is the label of a labelled node (``+1``/``-1``
        for two-class problems; real values such as the lattice problem's Gaussian labels are
        allowed). To give a labelled node the value 0, pass ``labeled``.
    lam : float, default 1.0
        Ridge weight ``lam >= 0``. Compare it with the weighted degrees: on 0/1-weight k-NN
        graphs ``lam=1`` is a noticeable shrinkage; pass ``lam=0`` for the paper's criterion.
    labeled : bool array of shape (n_nodes,), optional
        Explicit mask of labelled nodes (overrides the 0/NaN convention).
    backend : {"auto", "cpu", "gpu"}
        Where ``Q``, ``b`` and the iterates live; the graph itself (``W``, ``adjacency``) is
        kept on the host, where partitions are built.

    Attributes
    ----------
    Q : sparse matrix (n, n), CSR, symmetric positive definite, canonical (sorted, no duplicates)
    b : array (n,)
    c : float
    n : int
        Number of unknowns (unlabelled nodes).
    n_nodes : int
        Number of graph nodes.
    unlabeled : int array (n,)
        Graph node of each unknown: variable ``k`` is node ``unlabeled[k]``.
    labeled : int array
        The labelled nodes, with values ``y_labeled``.
    adjacency : scipy.sparse.csr_matrix (n, n), float64 0/1
        Pattern of the off-diagonal of ``Q`` (the graph induced on the unlabelled nodes); on
        the host.
    W : scipy.sparse.csr_matrix
        The validated weights (zero diagonal), on the host.
    grid_shape : tuple or None
        Shape of the node grid for lattice problems (see :func:`lattice_quadratic`), else None.
    grid_index : int array (n,) or None
        For lattice problems, the flat (C-order) grid position of each unknown (equal to
        ``unlabeled``), else None.

    Raises
    ------
    ValueError
        If ``W`` is not square, not symmetric, has negative/NaN/inf entries; if ``labels`` has
        the wrong length or holds inf; if no node is unlabelled; if ``lam < 0``; or if
        ``lam == 0`` and some component of unlabelled nodes is not connected to a label
        (``Q`` would be singular).

    References
    ----------
    J. Nutini, I. Laradji, M. Schmidt, "Let's Make Block Coordinate Descent Converge Faster:
    Faster Greedy Rules, Message-Passing, Active-Set Complexity, and Superlinear Convergence",
    JMLR 23(131), 2022, arXiv:1712.08859.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp, problems
    >>> W = sp.csr_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float))
    >>> f = problems.LabelPropagation(W, np.array([1.0, 0.0, -1.0]), lam=0.0)
    >>> f.n, float(f.solution()[0])
    (1, 0.0)
    """

    grid_shape = None
    grid_index = None

    def __init__(self, W, labels, *, lam=1.0, labeled=None, backend="auto"):
        bk = resolve_backend(backend, W, labels)
        lam = check_scalar(lam, "lam", lower=0.0)
        W = _check_weights(W)
        n_nodes = W.shape[0]
        mask, y = _check_labels(labels, n_nodes, labeled)
        U = np.flatnonzero(~mask)
        S = np.flatnonzero(mask)
        if U.size == 0:
            raise ValueError("labels marks every node as labelled; there is nothing to "
                             "propagate (mark unlabelled nodes with 0 or NaN)")
        y_S = y[S]
        deg = np.asarray(W.sum(axis=1)).ravel()
        W_U = W[U]
        W_UU = W_U[:, U].tocsr()
        W_US = W_U[:, S].tocsr()
        Q = (sp.diags(deg[U] + lam) - W_UU).tocsr()
        Q.sum_duplicates()
        Q.sort_indices()
        b = W_US @ y_S if S.size else np.zeros(U.size)
        if S.size:
            W_SS = W[S][:, S]
            c = 0.5 * (float(deg[S] @ (y_S * y_S)) - float(y_S @ (W_SS @ y_S)))
        else:
            c = 0.0
        if lam == 0.0:
            self._check_anchored(W_UU, W_US)
        adjacency = W_UU.copy()
        adjacency.data[:] = 1.0

        self.backend = bk
        self.lam = lam
        self.W = W
        self.n_nodes = n_nodes
        self.n = int(U.size)
        self.unlabeled = U
        self.labeled = S
        self.y_labeled = y_S
        self.c = c
        self.adjacency = adjacency
        self._Q_host = Q
        self._diag_host = Q.diagonal()
        self.Q = bk.to_device(Q)
        self.b = bk.to_device(np.asarray(b, dtype=np.float64))
        self._diag = bk.to_device(self._diag_host)

    @staticmethod
    def _check_anchored(W_UU, W_US):
        from scipy.sparse.csgraph import connected_components

        n_comp, comp = connected_components(W_UU, directed=False)
        anchor = np.asarray(W_US.sum(axis=1)).ravel() > 0
        anchored = np.zeros(n_comp, dtype=bool)
        anchored[comp[anchor]] = True
        n_bad = int((~anchored).sum())
        if n_bad:
            raise ValueError(
                f"with lam=0, Q is singular: {n_bad} connected component(s) of unlabelled nodes "
                "have no edge to a labelled node; pass lam > 0 or label a node in each component")

    # ------------------------------------------------------------------ protocol members
    @property
    def shape(self):
        """Shape of the variable ``x`` (one entry per unlabelled node)."""
        return (self.n,)

    @property
    def dtype(self):
        return self.Q.dtype

    def to(self, backend):
        """A copy of this problem with ``Q``, ``b`` on ``backend`` ("cpu" or "gpu")."""
        bk = get_backend(backend)
        if bk == self.backend:
            return self
        new = copy.copy(self)
        new.backend = bk
        new.Q = bk.to_device(self._Q_host)
        new.b = bk.to_device(to_host(self.b))
        new._diag = bk.to_device(self._diag_host)
        new.__dict__.pop("lipschitz", None)
        return new

    def value(self, x):
        """``f(x) = x^T Q x / 2 - b^T x + c``."""
        return float(x @ (self.Q @ x)) / 2 - float(self.b @ x) + self.c

    def grad(self, x):
        """``Q x - b``."""
        return self.Q @ x - self.b

    def value_and_grad(self, x):
        """``(f(x), grad f(x))`` from one product with ``Q``."""
        Qx = self.Q @ x
        return float(x @ Qx) / 2 - float(self.b @ x) + self.c, Qx - self.b

    def hvp(self, x, v):
        """Hessian-vector product ``Q v`` (independent of ``x``)."""
        return self.Q @ v

    def hess(self, x=None):
        """The (sparse CSR) Hessian ``Q``; ``x`` is ignored."""
        return self.Q

    @functools.cached_property
    def lipschitz(self):
        """Largest eigenvalue of ``Q`` (Lanczos, :func:`scipy.sparse.linalg.eigsh`)."""
        Q = self._Q_host
        if Q.shape[0] <= 200:
            return float(np.linalg.eigvalsh(Q.toarray())[-1])
        return largest_eigenvalue(Q, get_backend("cpu"))

    @property
    def coordinate_lipschitz(self):
        """Diagonal of ``Q``: ``d_i + lam`` for each unlabelled node ``i``."""
        return self._diag

    # ------------------------------------------------------------------ extras
    def solution(self):
        """The minimiser ``x* = Q^{-1} b`` by a sparse direct solve (on the host)."""
        from scipy.sparse.linalg import spsolve

        return np.asarray(spsolve(self._Q_host.tocsc(), to_host(self.b)), dtype=np.float64)

    @functools.cached_property
    def f_star(self):
        """Optimal value ``f(x*) = c - b^T x* / 2`` (from :meth:`solution`)."""
        xs = self.solution()
        return self.c - 0.5 * float(to_host(self.b) @ xs)

    def full_labels(self, x):
        """Node values ``y`` of length ``n_nodes``: the labels on ``labeled``, ``x`` elsewhere."""
        y = np.empty(self.n_nodes, dtype=np.float64)
        y[self.labeled] = self.y_labeled
        y[self.unlabeled] = to_host(x)
        return y

    def __repr__(self):
        grid = f", grid_shape={self.grid_shape}" if self.grid_shape is not None else ""
        return (f"LabelPropagation(n={self.n}, n_nodes={self.n_nodes}, nnz(Q)={self._Q_host.nnz}, "
                f"lam={self.lam:g}{grid}, backend={self.backend.name!r})")


def lattice_quadratic(m=50, *, weight=1e5, n_labeled=100, label_scale=10.0, lam=0.0,
                      random_state=None, backend="auto"):
    """The lattice-structured label-propagation quadratic of Nutini, Laradji & Schmidt (2022).

    Nodes sit on an ``m x m`` grid, numbered in C order (node ``r * m + c`` is row ``r``,
    column ``c``), and each is joined to its 4 grid neighbours by an edge of weight ``weight``.
    ``n_labeled`` nodes chosen uniformly at random get labels drawn from
    ``N(0, label_scale**2)``; the unknowns are the other ``m*m - n_labeled`` nodes and the
    objective is the :class:`LabelPropagation` quadratic

        f(x) = (1/4) sum_{i,j} w_ij (y_i - y_j)^2 + lam/2 ||x||^2 = x^T Q x / 2 - b^T x + c,

    with ``Q = L_UU + lam I`` (at most 5 nonzeros per row). The defaults are the paper's
    experiment: a 50 x 50 lattice, ``w_ij = 1e5`` on lattice edges, 100 labelled nodes with
    labels ``10 * N(0, 1)``, no ridge (``lam=0``), hence 2400 unknowns. From ``x = 0`` the
    gap ``f - f*`` starts near 1e9; in the paper, BCD with forest blocks solved exactly by
    message passing drives it to about 1e-5 within 500 iterations (alternating the two blocks
    of :func:`solvers.bcd.forest.two_forest_partition` here reaches ~1e-6 in 500 iterations),
    while red-black blocks stall orders of magnitude higher.

    Parameters
    ----------
    m : int, default 50
        Side of the grid (``m >= 2``).
    weight : float, default 1e5
        Weight of every lattice edge (> 0).
    n_labeled : int, default 100
        Number of labelled nodes, ``1 <= n_labeled < m*m`` (0 allowed when ``lam > 0``).
    label_scale : float, default 10.0
        Standard deviation of the labels.
    lam : float, default 0.0
        Ridge weight (the paper uses none; ``Q`` is positive definite anyway since the lattice
        is connected and has a label).
    random_state : int, numpy.random.Generator or None
        Seed for the labelled nodes and their values (:func:`numpy.random.default_rng`).
    backend : {"auto", "cpu", "gpu"}

    Returns
    -------
    LabelPropagation
        With ``grid_shape = (m, m)`` and ``grid_index`` (the flat grid position of each
        unknown), which :func:`solvers.bcd.forest.red_black_partition` and
        :func:`solvers.bcd.forest.two_forest_partition` accept to map grid blocks to
        variables.

    References
    ----------
    J. Nutini, I. Laradji, M. Schmidt, JMLR 23(131), 2022, arXiv:1712.08859 (experiments on
    message passing, lattice-based quadratic).

    Examples
    --------
    >>> import problems
    >>> f = problems.lattice_quadratic(10, n_labeled=5, random_state=0)
    >>> f.n, f.grid_shape
    (95, (10, 10))
    """
    m = _check_int(m, "m", 2)
    weight = check_scalar(weight, "weight", lower=0.0, lower_inclusive=False)
    lam = check_scalar(lam, "lam", lower=0.0)
    n_nodes = m * m
    n_labeled = _check_int(n_labeled, "n_labeled", 0 if lam > 0 else 1, n_nodes - 1)
    label_scale = check_scalar(label_scale, "label_scale", lower=0.0)
    rng = np.random.default_rng(random_state)

    idx = np.arange(n_nodes).reshape(m, m)
    right = (idx[:, :-1].ravel(), idx[:, 1:].ravel())
    down = (idx[:-1, :].ravel(), idx[1:, :].ravel())
    rows = np.concatenate([right[0], down[0], right[1], down[1]])
    cols = np.concatenate([right[1], down[1], right[0], down[0]])
    W = sp.csr_matrix((np.full(rows.size, weight), (rows, cols)), shape=(n_nodes, n_nodes))

    chosen = rng.choice(n_nodes, size=n_labeled, replace=False)
    labeled = np.zeros(n_nodes, dtype=bool)
    labeled[chosen] = True
    labels = np.full(n_nodes, np.nan)
    labels[chosen] = label_scale * rng.standard_normal(n_labeled)
    f = LabelPropagation(W, labels, lam=lam, labeled=labeled, backend=backend)
    f.grid_shape = (m, m)
    f.grid_index = f.unlabeled
    return f


def _moons(n_samples, noise, rng):
    """Two interleaving half circles (the classic 'two moons'), with Gaussian noise."""
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0.0, np.pi, n_out)
    t_in = np.linspace(0.0, np.pi, n_in)
    X = np.vstack([
        np.column_stack([np.cos(t_out), np.sin(t_out)]),
        np.column_stack([1.0 - np.cos(t_in), 0.5 - np.sin(t_in)]),
    ])
    y = np.concatenate([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    if noise > 0:
        X = X + noise * rng.standard_normal(X.shape)
    return X, y


def two_moons_graph(n_samples=2000, *, n_neighbors=5, noise=0.1, n_labeled=100,
                    weights="binary", bandwidth=None, random_state=None, return_points=False):
    """Symmetrised k-nearest-neighbour graph on the two-moons data, with a few labels.

    This is the unstructured label-propagation problem of Nutini, Laradji & Schmidt (2022):
    2000 points from two interleaving half circles, each joined to its 5 nearest neighbours
    (Euclidean), weights 1, and 100 labelled points (about 1900 unknowns). Build the objective
    with ``problems.LabelPropagation(W, labels)``.

    Parameters
    ----------
    n_samples : int, default 2000
        Number of points (>= 4); the first ``n_samples // 2`` form the upper moon.
    n_neighbors : int, default 5
        ``k`` of the k-NN graph (``1 <= k < n_samples``). The graph is symmetrised by union
        (``i ~ j`` if either is among the other's ``k`` nearest), so degrees are >= k.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to the points.
    n_labeled : int, default 100
        Number of labelled points, split evenly between the two moons and drawn at random
        inside each (``2 <= n_labeled < n_samples``).
    weights : {"binary", "gaussian"}, default "binary"
        ``w_ij = 1`` on edges (the paper), or ``exp(-||p_i - p_j||^2 / (2 sigma^2))``.
    bandwidth : float, optional
        ``sigma`` of the Gaussian weights (default: median k-NN distance).
    random_state : int, numpy.random.Generator or None
        Seed for the noise and the labelled points.
    return_points : bool, default False
        Also return the points and their true classes.

    Returns
    -------
    W : scipy.sparse.csr_matrix (n_samples, n_samples)
        Symmetric nonnegative weights, zero diagonal.
    labels : numpy.ndarray (n_samples,)
        ``+1`` (upper moon) / ``-1`` (lower moon) on the labelled points, ``0`` elsewhere.
    X : numpy.ndarray (n_samples, 2), only with ``return_points``
    y : numpy.ndarray (n_samples,) of +1/-1, only with ``return_points``
        The true class of every point.

    References
    ----------
    J. Nutini, I. Laradji, M. Schmidt, JMLR 23(131), 2022, arXiv:1712.08859 (experiments on
    message passing, unstructured quadratic).

    Examples
    --------
    >>> import problems
    >>> W, labels = problems.two_moons_graph(200, n_labeled=10, random_state=0)
    >>> W.shape, int((labels != 0).sum())
    ((200, 200), 10)
    """
    from scipy.spatial import cKDTree

    n_samples = _check_int(n_samples, "n_samples", 4)
    n_neighbors = _check_int(n_neighbors, "n_neighbors", 1, n_samples - 1)
    n_labeled = _check_int(n_labeled, "n_labeled", 2, n_samples - 1)
    noise = check_scalar(noise, "noise", lower=0.0)
    if weights not in ("binary", "gaussian"):
        raise ValueError(f"weights must be 'binary' or 'gaussian', got {weights!r}")
    if bandwidth is not None:
        bandwidth = check_scalar(bandwidth, "bandwidth", lower=0.0, lower_inclusive=False)
    rng = np.random.default_rng(random_state)
    X, cls = _moons(n_samples, noise, rng)

    k = n_neighbors
    dist, ind = cKDTree(X).query(X, k=k + 1)
    rows_all = np.arange(n_samples)[:, None]
    keep = ind != rows_all
    # duplicate points can push a point out of its own neighbour list: then drop the farthest
    no_self = keep.all(axis=1)
    keep[no_self, -1] = False
    nbr = ind[keep].reshape(n_samples, k)
    d = dist[keep].reshape(n_samples, k)
    rows = np.repeat(np.arange(n_samples), k)
    if weights == "binary":
        vals = np.ones(rows.size)
    else:
        sigma = bandwidth if bandwidth is not None else float(np.median(d))
        if sigma <= 0:
            sigma = 1.0
        vals = np.exp(-(d.ravel() ** 2) / (2.0 * sigma * sigma))
    A = sp.csr_matrix((vals, (rows, nbr.ravel())), shape=(n_samples, n_samples))
    W = _drop_diagonal(A.maximum(A.T).tocsr())

    first = n_labeled // 2
    pick0 = rng.choice(np.flatnonzero(cls == 0), size=min(first, int((cls == 0).sum())),
                       replace=False)
    rest = n_labeled - pick0.size
    pick1 = rng.choice(np.flatnonzero(cls == 1), size=rest, replace=False)
    y = np.where(cls == 0, 1.0, -1.0)
    labels = np.zeros(n_samples)
    labels[pick0] = 1.0
    labels[pick1] = -1.0
    if return_points:
        return W, labels, X, y
    return W, labels
