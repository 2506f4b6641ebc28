"""Successive over-relaxation (SOR) for sparse linear systems ``A x = b``.

x_i <- (1 - omega) x_i + omega (b_i - sum_{j != i} a_ij x_j) / a_ii, row by row with the newest
values (omega = 1 is Gauss-Seidel). In matrix form, with ``A = D + L + U``, a forward sweep is
``x+ = (D + omega L)^{-1} (omega b - (omega U + (omega - 1) D) x)``; it converges for every
x0 when ``A`` is symmetric positive definite and ``0 < omega < 2`` (Ostrowski-Reich), at the
rate of the spectral radius of its iteration matrix (Young, "Iterative solution of large linear
systems", 1971; Saad, "Iterative methods for sparse linear systems", 2nd ed., section 4.1).

The sequential sweep is a numba kernel on the CPU; on the GPU ``sor`` runs the multicolor sweep
of :mod:`solvers.linear.multicolor` instead (rows of one color do not couple, so each color is
one vectorized update).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..backend import is_gpu_array, resolve_backend
from ..backend._select import to_host
from ..core.monitor import Monitor
from ..core.result import DIVERGED
from ..core.validation import (
    check_callback_and_seed, check_matrix, check_option, check_scalar, check_vector,
)
from ._kernels import DIVERGENCE_FACTOR, residual_norm, sweeps_and_residual

SWEEPS = ("forward", "backward", "symmetric")


def check_square(A, name="A", *, allow_gpu=False, nonzero_diagonal=True):
    """Validate a square matrix; return ``(A_csr, diag)`` as float64 host arrays.

    The caller's ``A`` is never modified (a CSR float64 ``A`` is used as is). GPU (cupy)
    input raises a TypeError unless ``allow_gpu``, in which case it is copied to the host.
    ``nonzero_diagonal``: a zero on the diagonal is a ValueError (SOR divides by it).
    """
    if allow_gpu:
        A = to_host(A)
    if not sp.issparse(A):
        if is_gpu_array(A) or hasattr(A, "__cuda_array_interface__"):
            raise TypeError(f"{name} must be a scipy sparse matrix or a numpy array on the CPU "
                            "(the sequential sweep has no GPU version)")
        A = sp.csr_matrix(check_matrix(A, name))
    A = check_matrix(A, name)
    n, m = A.shape
    if n != m:
        raise ValueError(f"{name} must be square, got shape {A.shape}")
    A = A.tocsr().astype(np.float64, copy=False)
    diag = A.diagonal()
    zero = np.flatnonzero(diag == 0) if nonzero_diagonal else ()
    if len(zero):
        raise ValueError(f"{name} has a zero on the diagonal (row {int(zero[0])}"
                         f"{f' and {len(zero) - 1} more' if len(zero) > 1 else ''}); SOR "
                         "divides by the diagonal")
    return A, diag


def check_system(A, b, name="A", *, allow_gpu=False):
    """Validate a square CSR system with a nonzero diagonal and a matching right-hand side
    (see :func:`check_square`); returns ``(A_csr, diag, b)`` as float64 host arrays."""
    A, diag = check_square(A, name, allow_gpu=allow_gpu)
    if allow_gpu:
        b = to_host(b)
    if is_gpu_array(b):
        raise TypeError("b must be a numpy array on the CPU (the sequential sweep has no GPU "
                        "version)")
    b = check_vector(b, "b", size=A.shape[0], dtype=np.float64)
    return A, diag, np.asarray(b, dtype=np.float64)


def check_options(solver, omega, tol, max_iter, callback, backend, *, gpu=False):
    """The options the linear solvers share; returns ``(omega, tol, max_iter)``.

    ``gpu=False``: the solver has no GPU version, and ``backend="gpu"`` raises
    NotImplementedError (``gpu=True``: the caller resolves the backend itself).
    """
    omega = check_scalar(omega, "omega", lower=0.0, upper=2.0, lower_inclusive=False,
                         upper_inclusive=False)
    tol = check_scalar(tol, "tol", lower=0.0)
    max_iter = check_scalar(max_iter, "max_iter", lower=0, integer=True)
    check_callback_and_seed(callback, None)
    check_option(backend, "backend", ("auto", "cpu", "gpu"))
    if backend == "gpu" and not gpu:
        raise NotImplementedError(f"{solver} runs the sequential SOR sweep on the CPU; a "
                                  f"multicolor GPU version of {solver} is not implemented yet: "
                                  "use backend='cpu' (solvers.sor and multicolor_sor do run "
                                  "on the GPU)")
    return omega, tol, max_iter


def starting_point(x0, n):
    """A float64 copy of ``x0`` (zeros when None), never the caller's array."""
    if x0 is None:
        return np.zeros(n)
    return np.array(check_vector(to_host(x0), "x0", size=n, dtype=np.float64), dtype=np.float64)


def sor(A, b, *, omega, x0=None, tol=1e-8, max_iter=10_000, sweep="forward", callback=None,
        verbose=False, backend="auto"):
    """Solve ``A x = b`` by successive over-relaxation.

    Parameters
    ----------
    A : sparse matrix or array of shape (n, n)
        Square with a nonzero diagonal (symmetric positive definite for the convergence
        guarantee); kept sparse (CSR), never modified.
    b : array of shape (n,)
    omega : float in (0, 2)
        Relaxation parameter (1: Gauss-Seidel).
    x0 : array of shape (n,), optional
        Starting point (default zeros); never modified.
    tol : float, default 1e-8
        Stop when the relative residual ``||b - A x|| / ||b||`` is <= tol (the measure
        ``rel_residual``; ``||b||`` is replaced by 1 when b = 0).
    max_iter : int, default 10000
        Number of sweeps (a symmetric sweep, forward then backward, counts as one).
    sweep : {"forward", "backward", "symmetric"}, default "forward"
        Row order: increasing, decreasing, or both in turn (SSOR).
    callback : callable, optional
        ``callback(intermediate_result)`` after each sweep; raise StopIteration to stop.
    verbose : bool, default False
    backend : {"auto", "cpu", "gpu"}, default "auto"
        ``"cpu"`` (and ``"auto"`` with numpy / scipy data): the sequential sweep in natural row
        order, a compiled kernel. ``"gpu"`` (and ``"auto"`` with cupy data): **multicolor SOR**
        (:func:`solvers.linear.multicolor_sor` with the automatic coloring), since the
        sequential sweep has no parallel form: the rows are colored so that rows of one color
        do not couple, and each color is updated at once. That is SOR under a color-blocked
        row ordering, so its iterates differ from the sequential ones but converge to the same
        solution (at the same rate on the 5-point and 7-point Laplacians, where the red-black
        ordering is consistently ordered). On the GPU, ``x`` stays on the GPU when the input
        was there; ``Result.n_colors`` gives the number of colors.

    Returns
    -------
    Result
        ``x``, ``nit`` (sweeps), ``measure`` (relative residual), ``history`` with columns
        objective (NaN: SOR minimizes nothing it reports), rel_residual, time. A residual that
        grows beyond 1e12 times its start ends the run with status ``DIVERGED``.

    Raises
    ------
    ValueError
        ``omega`` outside (0, 2), a non-square ``A``, a zero on its diagonal, ``b`` or ``x0``
        of the wrong size, NaN or inf entries.
    solvers.backend.GPUUnavailableError
        ``backend="gpu"`` without cupy or a CUDA device.

    See Also
    --------
    solvers.linear.multicolor_sor : the multicolor sweep on either backend, with a choice of
        coloring.

    References
    ----------
    D. M. Young, *Iterative Solution of Large Linear Systems*, Academic Press 1971.
    Y. Saad, *Iterative Methods for Sparse Linear Systems*, 2nd ed., SIAM 2003, sections 4.1
    and 12.4.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp, solvers
    >>> A = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(20, 20), format="csr")
    >>> res = solvers.sor(A, np.ones(20), omega=1.7, tol=1e-10)
    >>> res.success, bool(np.allclose(A @ res.x, 1.0))
    (True, True)
    """
    check_option(sweep, "sweep", SWEEPS)
    omega, tol, max_iter = check_options("sor", omega, tol, max_iter, callback, backend,
                                         gpu=True)
    bk = resolve_backend(backend, A, b, x0)
    if bk.name == "gpu":
        from .multicolor import solve_multicolor

        return solve_multicolor("sor", A, b, x0=x0, omega=omega, tol=tol, max_iter=max_iter,
                                sweep=sweep, colors=None, callback=callback, verbose=verbose,
                                bk=bk)
    A, diag, b = check_system(A, b, allow_gpu=True)
    x = starting_point(x0, A.shape[0])
    forward, backward = sweep != "backward", sweep != "forward"
    w = omega / diag
    bnorm = float(np.linalg.norm(b)) or 1.0
    mon = Monitor(f"sor[{sweep}]", tol=tol, max_iter=max_iter, measure_name="rel_residual",
                  callback=callback, verbose=verbose)
    r0 = residual_norm(A.indptr, A.indices, A.data, b, x) / bnorm
    stop = mon.record(0, x, None, r0)
    for k in range(1, max_iter + 1):
        if stop:
            break
        # one compiled call per iteration: the sweep(s), then ||b - A x||
        r = sweeps_and_residual(A.indptr, A.indices, A.data, w, b, x, omega, forward,
                                backward) / bnorm
        stop = mon.record(k, x, None, r)
        if not stop and r > DIVERGENCE_FACTOR * max(r0, 1e-300):
            mon.stop_with(DIVERGED)
            break
    return mon.result(x, float("nan"))
