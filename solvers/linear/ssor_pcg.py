"""Conjugate gradients preconditioned by symmetric SOR (SSOR-PCG).

The preconditioner is one symmetric SOR sweep from zero on ``A z = r``:
``z = M^{-1} r`` with ``M^{-1} = omega (2 - omega) (D + omega U)^{-1} D (D + omega L)^{-1}``,
symmetric positive definite for a symmetric positive definite ``A`` and ``0 < omega < 2``, so
preconditioned CG applies (Saad, "Iterative methods for sparse linear systems", 2nd ed.,
sections 9.2 and 10.2; Axelsson, "Iterative solution methods", 1994, chapter 7).

It is implemented in Eisenstat's form (S. C. Eisenstat, "Efficient implementation of a class
of preconditioned conjugate gradient methods", SIAM J. Sci. Stat. Comput. 2(1), 1981): CG on
``E^{-1} A F^{-1}`` with ``E = D/omega + L``, ``F = D/omega + U``, whose product with a vector
is two triangular solves with the halves of ``A``; the iterates are those of the textbook
form, at about a third of its memory traffic per iteration.
"""
from __future__ import annotations

import numpy as np

from ..core.monitor import Monitor
from ..core.result import NUMERICAL_ERROR
from ._kernels import (eisenstat_iteration, max_asymmetry, split_triangles, triangular_multiply,
                       triangular_solve)
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
    # Eisenstat's form: CG on B = E^{-1} A F^{-1} (E = D/omega + L, F = D/omega + U = E^T)
    # preconditioned by D/omega, in y = F x; the same iterates as PCG on A with
    # M = E (D/omega)^{-1} F, at two triangular solves per iteration and no product with A
    lp, li, lv, up, ui, uv = split_triangles(A.indptr, A.indices, A.data)
    w = omega / diag
    dw = diag / omega
    kdiag = diag - 2.0 * dw
    y = np.empty(n)
    triangular_multiply(up, ui, uv, dw, x, y)
    rb = np.empty(n)
    triangular_solve(lp, li, lv, w, r, rb, True)
    p = dw * rb
    rz = float(rb @ p)
    q, t, u = np.empty(n), np.empty(n), np.empty(n)
    not_pd = False
    for k in range(1, max_iter + 1):
        if stop:
            break
        rnorm, rz, curvature = eisenstat_iteration(lp, li, lv, up, ui, uv, w, dw, kdiag, y, rb,
                                                   p, q, t, u, rz)
        if not curvature > 0:
            mon.stop_with(NUMERICAL_ERROR)
            not_pd = True
            break
        if callback is not None:
            triangular_solve(up, ui, uv, w, y, x, False)
        stop = mon.record(k, x, None, rnorm / bnorm)
    triangular_solve(up, ui, uv, w, y, x, False)
    out = mon.result(x, float("nan"))
    if not_pd:
        out.message = (f"ssor_pcg stopped at iteration {mon.nit}: A is not positive definite "
                       "(p^T A p <= 0)")
    return out
