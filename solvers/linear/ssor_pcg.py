"""Conjugate gradients preconditioned by symmetric SOR (SSOR-PCG).

The preconditioner is one symmetric SOR sweep from zero on ``A z = r``:
``z = M^{-1} r`` with ``M^{-1} = omega (2 - omega) (D + omega U)^{-1} D (D + omega L)^{-1}``,
symmetric positive definite for a symmetric positive definite ``A`` and ``0 < omega < 2``, so
preconditioned CG applies (Saad, "Iterative methods for sparse linear systems", 2nd ed.,
sections 9.2 and 10.2; Axelsson, "Iterative solution methods", 1994, chapter 7).
"""
from __future__ import annotations

import numpy as np

from ..core.monitor import Monitor
from ..core.result import NUMERICAL_ERROR
from ._kernels import max_asymmetry, pcg_iteration, ssor_apply
from .sor import check_options, check_system, starting_point


def ssor_pcg(A, b, *, omega, x0=None, tol=1e-8, max_iter=10_000, callback=None, verbose=False,
             backend="auto"):
    """Solve a symmetric positive definite ``A x = b`` by CG preconditioned with SSOR.

    Parameters
    ----------
    A : sparse matrix or array of shape (n, n)
        Symmetric positive definite with a nonzero diagonal (symmetry is checked); never
        modified.
    b : array of shape (n,)
    omega : float in (0, 2)
        SSOR relaxation parameter (1: symmetric Gauss-Seidel).
    x0 : array of shape (n,), optional
        Starting point (default zeros); never modified.
    tol : float, default 1e-8
        Stop when ``||b - A x|| / ||b|| <= tol`` (measure ``rel_residual``, from the CG
        recurrence of the residual).
    max_iter : int, default 10000
        CG iterations (each: one product with ``A`` and one symmetric sweep).
    callback, verbose
        As everywhere.
    backend : {"auto", "cpu"}, default "auto"
        CPU only for now (``"gpu"`` raises NotImplementedError).

    Returns
    -------
    Result
        ``x``, ``nit``, ``measure`` and ``history`` (rel_residual, time). A nonpositive
        curvature ``p^T A p`` ends the run with status 2 and a message saying that ``A`` is
        not positive definite.

    References
    ----------
    Y. Saad, *Iterative Methods for Sparse Linear Systems*, 2nd ed., SIAM 2003.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp, solvers
    >>> A = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(50, 50), format="csr")
    >>> res = solvers.ssor_pcg(A, np.ones(50), omega=1.5, tol=1e-10)
    >>> res.success, res.nit < 50
    (True, True)
    """
    omega, tol, max_iter = check_options("ssor_pcg", omega, tol, max_iter, callback, backend)
    A, diag, b = check_system(A, b)
    if not A.has_canonical_format:
        A = A.copy()
        A.sum_duplicates()
    asym = max_asymmetry(A.indptr, A.indices, A.data) if A.nnz else 0.0
    if asym > 1e-10 * max(float(np.abs(A.data).max()) if A.nnz else 0.0, 1e-300):
        raise ValueError(f"A must be symmetric for ssor_pcg; max |A - A^T| = {asym:.3e} (use "
                         "solvers.sor for nonsymmetric systems)")
    n = A.shape[0]
    x = starting_point(x0, n)
    bnorm = float(np.linalg.norm(b)) or 1.0
    mon = Monitor("ssor_pcg", tol=tol, max_iter=max_iter, measure_name="rel_residual",
                  callback=callback, verbose=verbose)
    r = b - A @ x
    stop = mon.record(0, x, None, float(np.linalg.norm(r)) / bnorm)
    z = np.empty(n)
    w = omega / diag
    ssor_apply(A.indptr, A.indices, A.data, w, r, z, omega)
    p = z.copy()
    Ap = np.empty(n)
    rz = float(r @ z)
    not_pd = False
    for k in range(1, max_iter + 1):
        if stop:
            break
        # one compiled call: A p, the CG updates, the SSOR sweeps and the new direction
        rnorm, rz, curvature = pcg_iteration(A.indptr, A.indices, A.data, w, omega, x, r,
                                             z, p, Ap, rz)
        if not curvature > 0:
            mon.stop_with(NUMERICAL_ERROR)
            not_pd = True
            break
        stop = mon.record(k, x, None, rnorm / bnorm)
    out = mon.result(x, float("nan"))
    if not_pd:
        out.message = (f"ssor_pcg stopped at iteration {mon.nit}: A is not positive definite "
                       "(p^T A p <= 0)")
    return out
