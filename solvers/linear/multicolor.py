"""Multicolor SOR: the parallel form of the SOR sweep, on the CPU (numpy) or the GPU (cupy).

The rows are colored so that no two rows of one color are coupled (``a_ij = a_ji = 0`` for
``i != j`` of the same color). Then the SOR updates of all rows of one color use only values
of the other colors and can be done at once, as one sparse product: with ``R_c`` the rows of
color ``c``,

    x[R_c] <- (1 - omega) x[R_c] + omega (b[R_c] - sum_{j not in R_c} A[R_c, j] x_j) / d[R_c].

Sweeping the colors ``0, 1, ..., k-1`` is exactly sequential SOR on the symmetrically permuted
system ``P A P^T`` whose rows are sorted by color (Saad, "Iterative methods for sparse linear
systems", 2nd ed., SIAM 2003, section 12.4; Adams and Jordan, "Is SOR color-blind?", SIAM J.
Sci. Stat. Comput. 7(2), 1986).

The coloring is a graph computation on the host (numba kernels in ``_coloring``): a
breadth-first 2-coloring (red-black) when the adjacency graph is bipartite, as for the 5-point
and 7-point stencils, else a greedy first-fit coloring.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..backend import get_backend, is_gpu_array, resolve_backend
from ..backend._select import to_host
from ..core.monitor import Monitor
from ..core.result import DIVERGED
from ..core.validation import check_option
from . import _coloring
from ._kernels import DIVERGENCE_FACTOR
from .sor import SWEEPS, check_options, check_square, check_system, starting_point

METHODS = ("auto", "red-black", "greedy", "largest-first")


def _color_csr(A, method):
    n = A.shape[0]
    ptr, adj = _coloring.symmetric_pattern(n, A.indptr, A.indices, A.data)
    if method in ("auto", "red-black"):
        colors, u, v = _coloring.two_color(n, ptr, adj)
        if u < 0:
            return colors
        if method == "red-black":
            raise ValueError(
                f"the adjacency graph of A is not bipartite (rows {u} and {v} are coupled and "
                "close a cycle of odd length), so no red-black (2-color) ordering exists; use "
                "method='greedy' or 'auto'")
    if method == "largest-first":
        order = np.argsort(-np.diff(ptr), kind="stable")
    else:
        order = np.arange(n)
    return _coloring.greedy_color(n, ptr, adj, order)


def coloring(A, method="auto"):
    """Color the rows of ``A`` so that coupled rows get different colors.

    Rows ``i != j`` are coupled when ``a_ij != 0`` or ``a_ji != 0`` (the pattern of
    ``A + A^T``; stored zeros do not count, the diagonal is ignored, ``A`` is never densified).

    Parameters
    ----------
    A : sparse matrix or array of shape (n, n)
        Only the pattern is used; numpy, scipy or cupy (copied to the host) input.
    method : {"auto", "red-black", "greedy", "largest-first"}, default "auto"
        ``"red-black"``: 2 colors by breadth-first search (the first row of each connected
        component is red, 0); exists exactly when the graph is bipartite, e.g. the 5-point
        (2-D) and 7-point (3-D) Laplacians. ``"greedy"``: first-fit in natural row order.
        ``"largest-first"``: first-fit visiting the rows by decreasing degree (ties in
        natural order). Both greedy orders use at most ``max degree + 1`` colors.
        ``"auto"``: red-black when the graph is bipartite, else ``"greedy"``.

    Returns
    -------
    ndarray of int64, shape (n,)
        The color of each row, in ``0, ..., k-1`` (every color is used).

    Raises
    ------
    ValueError
        ``method="red-black"`` on a graph that is not bipartite (the message names an edge of
        an odd cycle), a non-square ``A``, an unknown method.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from solvers.linear.multicolor import coloring
    >>> coloring(sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(5, 5))).tolist()
    [0, 1, 0, 1, 0]
    """
    check_option(method, "method", METHODS)
    return _color_csr(check_square(A, allow_gpu=True, nonzero_diagonal=False)[0], method)


def check_colors(colors, A):
    """Validate a user coloring of the CSR host matrix ``A``.

    Returns the colors relabeled to ``0, ..., k-1`` (order of the labels kept, as int64).
    """
    n = A.shape[0]
    c = np.asarray(to_host(colors))
    if c.ndim != 1 or c.shape[0] != n:
        raise ValueError(f"colors must be a 1-D array of length n = {n}, got shape {c.shape}")
    if c.dtype == np.bool_ or not np.issubdtype(c.dtype, np.integer):
        raise TypeError(f"colors must hold integers, got dtype {c.dtype}")
    compact = np.unique(c, return_inverse=True)[1].astype(np.int64)
    i, j = _coloring.find_conflict(n, A.indptr, A.indices, A.data, compact)
    if i >= 0:
        raise ValueError(f"colors is not a valid coloring: rows {i} and {j} both have color "
                         f"{c[i]} but a[{i}, {j}] = {A[i, j]:.6g} couples them (rows of one "
                         "color must not be coupled)")
    return compact


def _labels(A, colors):
    """The coloring asked for by ``colors`` (None or a method name: computed; an array:
    validated) of the validated CSR host ``A``, labels ``0, ..., k-1``."""
    if colors is None or isinstance(colors, str):
        method = "auto" if colors is None else check_option(colors, "colors", METHODS)
        return _color_csr(A, method)
    return check_colors(colors, A)


def _off_diagonal(A):
    """``A`` without its diagonal entries (CSR, same entry order otherwise)."""
    n = A.shape[0]
    counts = np.diff(A.indptr)
    rows = np.repeat(np.arange(n, dtype=A.indices.dtype), counts)
    keep = A.indices != rows
    indptr = np.zeros(n + 1, dtype=A.indptr.dtype)
    np.cumsum(np.bincount(rows[keep], minlength=n), out=indptr[1:])
    off = sp.csr_matrix((A.data[keep], A.indices[keep], indptr), shape=A.shape)
    off.has_sorted_indices = A.has_sorted_indices
    return off


class MulticolorSplitting:
    """The per-color pieces of ``A`` that one multicolor SOR sweep needs, on one backend.

    Parameters
    ----------
    A : sparse matrix or array of shape (n, n)
        Square with a nonzero diagonal; never modified.
    colors : array of int of shape (n,) or str, optional
        A valid coloring (see :func:`coloring`), or the ``method`` to compute one (default
        ``"auto"``).
    backend : {"cpu", "gpu"} or Backend, default "cpu"
        Where the pieces live: numpy / scipy.sparse or cupy / cupyx.scipy.sparse.

    Attributes
    ----------
    colors : ndarray of int64, shape (n,)
        The coloring on the host, relabeled to ``0, ..., k-1``.
    n_colors : int
    permutation : ndarray of int64, shape (n,)
        The rows sorted by color (stable): ``P A P^T = A[permutation][:, permutation]`` is
        the color-blocked ordering in which a multicolor sweep is a sequential sweep.
    rows : list of k index arrays
        ``rows[c]``: the rows of color ``c``, increasing, on the backend.
    blocks : list of k CSR matrices
        ``blocks[c] = A[rows[c], :]`` without its diagonal entries (shape ``(n_c, n)``), so
        ``blocks[c] @ x = A[rows[c], :] @ x - d[rows[c]] * x[rows[c]]``, summed over the same
        entries as the sequential kernel.
    diag : list of k arrays
        ``diag[c] = d[rows[c]]``, the diagonal of ``A`` on the rows of color ``c``.
    """

    def __init__(self, A, colors=None, *, backend="cpu"):
        A, d = check_square(A, allow_gpu=True)
        self._build(A, d, _labels(A, colors), get_backend(backend))

    @classmethod
    def from_validated(cls, A, diag, labels, bk):
        """Build from a validated CSR float64 host ``A``, its diagonal and a valid coloring
        with labels ``0, ..., k-1`` (no checks)."""
        self = cls.__new__(cls)
        self._build(A, diag, labels, bk)
        return self

    def _build(self, A, diag, labels, bk):
        self.backend = bk
        self.n = A.shape[0]
        self.colors = np.asarray(labels, dtype=np.int64)
        self.n_colors = int(self.colors.max()) + 1 if self.n else 0
        self.permutation = np.argsort(self.colors, kind="stable")
        bounds = np.zeros(self.n_colors + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.colors, minlength=self.n_colors), out=bounds[1:])
        off = _off_diagonal(A)
        self.rows, self.blocks, self.diag = [], [], []
        for c in range(self.n_colors):
            r = self.permutation[bounds[c]:bounds[c + 1]]
            self.rows.append(bk.to_device(r))
            self.blocks.append(bk.to_device(off[r, :].tocsr()))
            self.diag.append(bk.to_device(np.ascontiguousarray(diag[r])))

    def __repr__(self):
        sizes = [int(r.shape[0]) for r in self.rows]
        return (f"MulticolorSplitting(n={self.n}, n_colors={self.n_colors}, sizes={sizes}, "
                f"backend={self.backend.name!r})")

    def split(self, v):
        """``[v[rows[0]], ..., v[rows[k-1]]]`` for a vector ``v`` on the backend."""
        return [v[r] for r in self.rows]

    def sweep_color(self, x, b_parts, omega, c):
        """Update the rows of color ``c`` of ``x`` in place (``b_parts = split(b)``)."""
        r, d = self.rows[c], self.diag[c]
        s = self.blocks[c] @ x
        x[r] = (1.0 - omega) * x[r] + omega * (b_parts[c] - s) / d

    def sweep(self, x, b, omega, direction="forward"):
        """One multicolor SOR sweep on ``x`` in place.

        Parameters
        ----------
        x : array of shape (n,) on the backend, float64
            Updated in place.
        b : array of shape (n,) on the backend, or the list ``split(b)``
            Passing ``split(b)`` saves the gathers when sweeping many times.
        omega : float in (0, 2)
        direction : {"forward", "backward", "symmetric"}, default "forward"
            Colors ``0..k-1``, ``k-1..0``, or forward then backward.

        Returns
        -------
        x
        """
        check_option(direction, "direction", SWEEPS)
        parts = b if isinstance(b, (list, tuple)) else self.split(b)
        k = self.n_colors
        if direction in ("forward", "symmetric"):
            for c in range(k):
                self.sweep_color(x, parts, omega, c)
        if direction in ("backward", "symmetric"):
            for c in range(k - 1, -1, -1):
                self.sweep_color(x, parts, omega, c)
        return x


def solve_multicolor(solver, A, b, *, x0, omega, tol, max_iter, sweep, colors, callback,
                     verbose, bk):
    """The multicolor SOR loop shared by :func:`multicolor_sor` and ``sor`` on the GPU
    (options already checked, backend ``bk`` resolved)."""
    on_gpu = any(is_gpu_array(a) for a in (A, b, x0))
    A, diag, b = check_system(A, b, allow_gpu=True)
    n = A.shape[0]
    split = MulticolorSplitting.from_validated(A, diag, _labels(A, colors), bk)
    x = bk.to_device(starting_point(x0, n))
    b = bk.to_device(b)
    A = bk.to_device(A)
    b_parts = split.split(b)
    xp = bk.xp
    bnorm = float(xp.linalg.norm(b)) or 1.0

    def residual(z):
        return float(xp.linalg.norm(b - A @ z)) / bnorm

    name = f"{solver}[{sweep}]" if solver == "multicolor_sor" else f"{solver}[{sweep}, multicolor]"
    mon = Monitor(name, tol=tol, max_iter=max_iter, measure_name="rel_residual",
                  callback=callback, verbose=verbose, to_host=bk.to_host)
    r0 = residual(x)
    stop = mon.record(0, x, None, r0)
    for k in range(1, max_iter + 1):
        if stop:
            break
        split.sweep(x, b_parts, omega, sweep)
        r = residual(x)
        stop = mon.record(k, x, None, r)
        if not stop and r > DIVERGENCE_FACTOR * max(r0, 1e-300):
            mon.stop_with(DIVERGED)
            break
    x_out = x if (bk.name == "cpu" or on_gpu) else bk.to_host(x)
    return mon.result(x_out, float("nan"), n_colors=split.n_colors)


def multicolor_sor(A, b, *, omega, x0=None, tol=1e-8, max_iter=10_000, sweep="forward",
                   colors=None, callback=None, verbose=False, backend="auto"):
    """Solve ``A x = b`` by multicolor SOR (the parallel, vectorized SOR sweep).

    The rows are split into colors such that rows of one color are not coupled; a sweep
    updates one color at a time, all its rows at once, from the newest values of the others:
    ``x[R_c] <- (1 - omega) x[R_c] + omega (b[R_c] - (A x)[R_c] + d[R_c] x[R_c]) / d[R_c]``.
    This is sequential SOR on the permuted system ``P A P^T`` (rows sorted by color), so it has
    the same fixed point ``A^{-1} b``, and the same convergence theory: it converges for every
    ``x0`` when ``A`` is symmetric positive definite and ``0 < omega < 2`` (Ostrowski-Reich),
    at the rate of the spectral radius of its own iteration matrix. That rate depends on the
    ordering: for the red-black ordering of a consistently ordered matrix (the 5-point and
    7-point Laplacians) it equals that of natural-order SOR for every ``omega`` (Young's
    theory, so Young's optimal omega applies); in general the iterates differ from those of
    the sequential sweep (and the rate may be somewhat worse with many colors, Adams and
    Jordan 1986) but converge to the same solution.

    Parameters
    ----------
    A : sparse matrix or array of shape (n, n)
        Square with a nonzero diagonal (symmetric positive definite for the convergence
        guarantee); scipy / numpy, or cupyx / cupy on the GPU. Never modified.
    b : array of shape (n,)
    omega : float in (0, 2)
        Relaxation parameter (1: multicolor Gauss-Seidel).
    x0 : array of shape (n,), optional
        Starting point (default zeros); never modified.
    tol : float, default 1e-8
        Stop when the relative residual ``||b - A x|| / ||b||`` is <= tol (the measure
        ``rel_residual``; ``||b||`` is replaced by 1 when b = 0).
    max_iter : int, default 10000
        Number of sweeps (a symmetric sweep, forward then backward, counts as one).
    sweep : {"forward", "backward", "symmetric"}, default "forward"
        Color order: ``0..k-1``, ``k-1..0``, or both in turn (multicolor SSOR).
    colors : array of int of shape (n,) or str, optional
        A precomputed coloring (any integer labels; the colors are swept in increasing label
        order), checked to be valid, or the ``method`` of :func:`coloring` (default
        ``"auto"``: red-black when possible, else greedy). The coloring is computed on the host.
    callback : callable, optional
        ``callback(intermediate_result)`` after each sweep (``x`` on the host); raise
        StopIteration to stop.
    verbose : bool, default False
    backend : {"auto", "cpu", "gpu"}, default "auto"
        ``"auto"``: the GPU when ``A``, ``b`` or ``x0`` is a cupy array, else the CPU (numpy and
        scipy.sparse, one sparse product per color). The result ``x`` is on the GPU only when
        the run was there and the input was on the GPU.

    Returns
    -------
    Result
        ``x``, ``nit`` (sweeps), ``measure`` (relative residual), ``n_colors``, ``history``
        with columns objective (NaN), rel_residual, time. A residual that grows beyond 1e12
        times its start ends the run with status ``DIVERGED``.

    Raises
    ------
    ValueError
        ``omega`` outside (0, 2), a non-square ``A``, a zero on its diagonal, ``b``, ``x0`` or
        ``colors`` of the wrong size, NaN or inf entries, an invalid coloring (the message
        names two coupled rows of one color).
    TypeError
        ``colors`` not of an integer dtype.
    solvers.backend.GPUUnavailableError
        ``backend="gpu"`` without cupy or a CUDA device.

    See Also
    --------
    solvers.sor : the sequential sweep in natural order (multicolor on the GPU).
    coloring, MulticolorSplitting

    References
    ----------
    Y. Saad, *Iterative Methods for Sparse Linear Systems*, 2nd ed., SIAM 2003, section 12.4
    (multicoloring).
    L. M. Adams and H. F. Jordan, "Is SOR color-blind?", *SIAM J. Sci. Stat. Comput.* 7(2),
    490-506, 1986.
    D. M. Young, *Iterative Solution of Large Linear Systems*, Academic Press 1971.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from solvers.linear.multicolor import multicolor_sor
    >>> T = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(10, 10))
    >>> A = (sp.kron(sp.identity(10), T) + sp.kron(T, sp.identity(10))).tocsr()
    >>> res = multicolor_sor(A, np.ones(100), omega=1.5, tol=1e-10)
    >>> res.success, res.n_colors, bool(np.allclose(A @ res.x, 1.0))
    (True, 2, True)
    """
    check_option(sweep, "sweep", SWEEPS)
    omega, tol, max_iter = check_options("multicolor_sor", omega, tol, max_iter, callback,
                                         backend, gpu=True)
    bk = resolve_backend(backend, A, b, x0)
    return solve_multicolor("multicolor_sor", A, b, x0=x0, omega=omega, tol=tol,
                            max_iter=max_iter, sweep=sweep, colors=colors, callback=callback,
                            verbose=verbose, bk=bk)
