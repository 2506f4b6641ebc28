"""Total-variation denoising by ADMM: 1-D signals and (anisotropic) 2-D images.

``min_x (1/2)||x - y||^2 + lam ||D x||_1`` with ``D`` the forward-difference operator, split
as ``f(x) = (1/2)||x - y||^2``, ``g(z) = lam ||z||_1``, ``D x - z = 0``. The x-update solves
``(I + rho D^T D) x = y + rho D^T v`` exactly: a tridiagonal LDL^T sweep (O(n), numba) in 1-D,
and a 2-D DCT-II diagonalization in 2-D (``D^T D`` is the Neumann grid Laplacian, whose
eigenvectors are the DCT-II basis: O(N log N) per solve and no refactorization when ``rho``
changes). The z-update is soft-thresholding.

References
----------
S. Boyd et al., "Distributed optimization and statistical learning via the alternating
direction method of multipliers", Found. Trends Mach. Learn. 3(1), 2011, section 6.4.1
(generalized lasso, total variation).
L. Rudin, S. Osher, E. Fatemi, "Nonlinear total variation based noise removal algorithms",
Physica D 60, 1992.
G. Strang, "The discrete cosine transform", SIAM Review 41(1), 1999 (DCT-II diagonalizes
the Neumann Laplacian).
"""
from __future__ import annotations

import numba
import numpy as np
import scipy.fft
import scipy.sparse as sp

from ..backend import get_backend, is_gpu_array
from ..core.validation import check_matrix, check_scalar, check_vector, check_x0
from .admm import LinearMap
from .builtins import _placement, admm_options, run_builtin, soft_thresholder

__all__ = ["admm_tv1d", "admm_tv2d", "difference_map", "difference_matrix"]


def difference_matrix(shape):
    """The forward-difference operator ``D`` as a CSR matrix.

    For ``shape = (n,)``: ``(n - 1) x n`` with rows ``x[i+1] - x[i]``. For ``(m, n)`` (a
    row-major flattened image): horizontal differences ``x[i, j+1] - x[i, j]`` stacked over
    vertical ones ``x[i+1, j] - x[i, j]``, of shape ``(m (n-1) + (m-1) n) x mn``; then
    ``||D x||_1`` is the anisotropic total variation.
    """
    def d1(k):
        return sp.diags([-np.ones(k - 1), np.ones(k - 1)], [0, 1], shape=(k - 1, k), format="csr")

    if len(shape) == 1:
        return d1(shape[0])
    m, n = shape
    Dh = sp.kron(sp.eye(m), d1(n), format="csr")
    Dv = sp.kron(d1(m), sp.eye(n), format="csr")
    return sp.vstack([Dh, Dv], format="csr")


def _returner(*inputs):
    """Results go back to the GPU when an input was there (the solve itself is on the host)."""
    if any(is_gpu_array(a) for a in inputs if a is not None):
        return get_backend("gpu").to_device
    return lambda a: a


def _tv_common(rho, relaxation, adaptive_rho, rho_interval, abstol, reltol, tol, max_iter,
               lam):
    opts = admm_options(rho, relaxation, adaptive_rho, rho_interval, abstol, reltol, tol,
                        max_iter)
    lam = check_scalar(lam, "lam", lower=0.0)
    return opts, lam


def _run_tv(name, y, Dmap, tv, x_update, x0, u0, lam, opts, callback, verbose, reshape):
    """Run the D x - z = 0 splitting; ``y`` is the flattened data (host), ``tv(x)`` the
    total variation ``||D x||_1``."""
    N = y.size
    n_c = Dmap.shape[0]
    x = check_x0(x0, (N,), backend="cpu", name="x0")
    u = check_x0(u0, (n_c,), backend="cpu", name="u0")
    soft = soft_thresholder(get_backend("cpu"))

    def z_update(w, rho_):
        return soft(-w, lam / rho_)

    def objective(x_, z_):
        d = x_ - y
        return 0.5 * float(d @ d) + lam * tv(x_)

    mon, x, z, u, rho_f, fun, nit = run_builtin(
        name, x_update, z_update, Dmap, Dmap.mv(x), u, opts, objective=objective,
        solution=lambda x_, z_: reshape(x_), xp=np, x_shape=(N,), z_shape=(n_c,), n_c=n_c,
        callback=callback, verbose=verbose, to_host=lambda a: a, x=x)
    fun = objective(x, z)
    return mon, x, z, u, rho_f, fun, nit


@numba.njit(cache=True)
def _tridiag_factor(rho, n):
    """LDL^T of ``I + rho D^T D`` (diagonal ``1 + rho deg``, off-diagonal ``-rho``):
    returns the subdiagonal multipliers ``l`` and ``1 / d``."""
    lo = np.zeros(n)
    dinv = np.empty(n)
    d = 1.0 + rho
    dinv[0] = 1.0 / d
    for i in range(1, n):
        lo[i] = -rho / d
        diag = 1.0 + (rho if i == n - 1 else 2.0 * rho)
        d = diag - rho * rho / d
        dinv[i] = 1.0 / d
    return lo, dinv


@numba.njit(cache=True)
def _tv1d_x_update(y, v, rho, lo, dinv):
    """Solve ``(I + rho D^T D) x = y + rho D^T v`` with the factor of :func:`_tridiag_factor`,
    forming the right-hand side on the fly (one forward and one backward sweep)."""
    n = y.shape[0]
    x = np.empty(n)
    prev = 0.0
    for i in range(n):
        b = y[i]
        if i > 0:
            b += rho * v[i - 1]
        if i < n - 1:
            b -= rho * v[i]
        prev = b - lo[i] * prev
        x[i] = prev
    x[n - 1] *= dinv[n - 1]
    for i in range(n - 2, -1, -1):
        x[i] = x[i] * dinv[i] - lo[i + 1] * x[i + 1]
    return x


def _diff_t(v):
    """Adjoint of ``np.diff`` (1-D): ``(D^T v)_j = v_{j-1} - v_j`` with zero ends."""
    out = np.empty(v.size + 1)
    out[0] = -v[0]
    out[-1] = v[-1]
    np.subtract(v[:-1], v[1:], out=out[1:-1])
    return out


def difference_map(shape):
    """The forward differences of :func:`difference_matrix` as a
    :class:`~solvers.admm.admm.LinearMap` computed with ``np.diff`` (no sparse products)."""
    if len(shape) == 1:
        n = shape[0]
        return LinearMap.from_functions(np.diff, _diff_t, (n - 1, n))
    m, n = shape
    nh = m * (n - 1)

    def mv(x):
        X = x.reshape(m, n)
        return np.concatenate([np.diff(X, axis=1).ravel(), np.diff(X, axis=0).ravel()])

    def rmv(v):
        H = v[:nh].reshape(m, n - 1)
        V = v[nh:].reshape(m - 1, n)
        out = np.zeros((m, n))
        out[:, :-1] -= H
        out[:, 1:] += H
        out[:-1, :] -= V
        out[1:, :] += V
        return out.ravel()

    return LinearMap.from_functions(mv, rmv, (nh + (m - 1) * n, m * n))


def admm_tv1d(y, lam, *, x0=None, u0=None, rho=1.0, relaxation=1.0, adaptive_rho=None,
              rho_interval=10, abstol=1e-6, reltol=1e-4, tol=None, max_iter=1000,
              callback=None, verbose=False, backend="auto"):
    r"""1-D total-variation denoising by ADMM.

    Minimizes

    .. math:: \tfrac12\|x - y\|^2 + \lambda \sum_{i=1}^{n-1} |x_{i+1} - x_i|

    with the splitting ``D x - z = 0`` (``D`` the forward differences). The x-update solves
    the tridiagonal system ``(I + rho D^T D) x = y + rho D^T v`` exactly with an LDL^T
    factor cached until ``rho`` changes (a compiled forward/backward sweep, O(n)); the
    z-update is soft-thresholding at ``lam / rho``.

    Parameters
    ----------
    y : array of shape (n,), n >= 2
        The noisy signal.
    lam : float
        Regularization strength, >= 0.
    x0 : array of shape (n,), optional
        Warm start for the signal (``z`` starts at ``D x0``).
    u0 : array of shape (n - 1,), optional
        Warm start for the scaled dual.
    rho, relaxation, adaptive_rho, rho_interval, abstol, reltol, tol, max_iter, callback, verbose
        As in :func:`solvers.admm.admm_lasso`.
    backend : {"auto", "cpu", "gpu"}, default "auto"
        The solve runs on the CPU; GPU input is copied to the host and the result back.

    Returns
    -------
    Result
        ``x`` the denoised signal, ``fun`` its objective, ``z`` (about ``D x``), ``u``,
        ``y = rho u`` (the dual variable: ``|y_i| <= lam`` at the solution), ``rho``; the
        history records the objective at ``x``.

    References
    ----------
    S. Boyd et al., Found. Trends Mach. Learn. 3(1), 2011, section 6.4.1.
    L. Rudin, S. Osher, E. Fatemi, Physica D 60, 1992.
    """
    opts, lam = _tv_common(rho, relaxation, adaptive_rho, rho_interval, abstol, reltol, tol,
                           max_iter, lam)
    bk, _ = _placement(backend, y, x0, u0)
    yh = check_vector(bk.to_host(y), "y", dtype=np.float64, backend="cpu")
    n = yh.size
    if n < 2:
        raise ValueError(f"y must have at least 2 entries for total variation, got {n}")
    x0 = None if x0 is None else bk.to_host(x0)
    u0 = None if u0 is None else bk.to_host(u0)
    D = difference_map((n,))
    cache = {}

    def x_update(v, rho_):
        if cache.get("rho") != rho_:
            cache.update(rho=rho_, F=_tridiag_factor(rho_, n))
        return _tv1d_x_update(yh, v, rho_, *cache["F"])

    def tv(x_):
        return float(np.abs(np.diff(x_)).sum())

    mon, x, z, u, rho_f, fun, nit = _run_tv("admm_tv1d", yh, D, tv, x_update, x0, u0, lam, opts,
                                            callback, verbose, lambda a: a)
    to = _returner(y, x0, u0)
    return mon.result(to(x), fun, z=to(z), u=to(u), y=to(rho_f * u), rho=rho_f, nfev=2 * nit)


def admm_tv2d(Y, lam, *, x0=None, u0=None, rho=1.0, relaxation=1.0, adaptive_rho=None,
              rho_interval=10, abstol=1e-6, reltol=1e-4, tol=None, max_iter=1000,
              callback=None, verbose=False, backend="auto"):
    r"""2-D (anisotropic) total-variation denoising by ADMM.

    Minimizes

    .. math:: \tfrac12\|X - Y\|_F^2 + \lambda \Bigl(\sum_{i,j} |X_{i,j+1} - X_{i,j}|
              + \sum_{i,j} |X_{i+1,j} - X_{i,j}|\Bigr)

    with the splitting ``D x - z = 0`` (``D`` = horizontal and vertical forward
    differences, :func:`difference_matrix`). The x-update
    ``(I + rho D^T D) x = y + rho D^T v`` is solved exactly in O(N log N) by the orthonormal
    2-D DCT-II, which diagonalizes the Neumann Laplacian ``D^T D`` with eigenvalues
    ``(2 - 2 cos(pi i / m)) + (2 - 2 cos(pi j / n))``: no factorization to store or redo when
    ``rho`` changes. The z-update is soft-thresholding.

    Parameters
    ----------
    Y : array of shape (m, n), m, n >= 2
        The noisy image.
    lam : float
        Regularization strength, >= 0.
    x0 : array of shape (m, n), optional
        Warm start for the image.
    u0 : array of shape (m (n-1) + (m-1) n,), optional
        Warm start for the scaled dual (horizontal differences first, row-major).
    rho, relaxation, adaptive_rho, rho_interval, abstol, reltol, tol, max_iter, callback, verbose
        As in :func:`solvers.admm.admm_lasso`. The callback sees the image.
    backend : {"auto", "cpu", "gpu"}, default "auto"
        The solve runs on the CPU; GPU input is copied to the host and the result back.

    Returns
    -------
    Result
        ``x`` the denoised image (shape (m, n)), ``fun`` its objective, ``z``, ``u``,
        ``y = rho u`` and ``rho`` as in :func:`admm_tv1d`.

    References
    ----------
    S. Boyd et al., Found. Trends Mach. Learn. 3(1), 2011, section 6.4.1.
    G. Strang, SIAM Review 41(1), 1999.
    """
    opts, lam = _tv_common(rho, relaxation, adaptive_rho, rho_interval, abstol, reltol, tol,
                           max_iter, lam)
    bk, _ = _placement(backend, Y, x0, u0)
    Yh = check_matrix(bk.to_host(Y), "Y", backend="cpu", accept_sparse=False).astype(np.float64)
    m, n = Yh.shape
    if m < 2 or n < 2:
        raise ValueError(f"Y must be at least 2 x 2 for 2-D total variation, got shape {Yh.shape}; "
                         "use admm_tv1d for a signal")
    if x0 is not None:
        x0 = np.asarray(bk.to_host(x0))
        if x0.shape != (m, n):
            raise ValueError(f"x0 has shape {x0.shape} but Y has shape {(m, n)}")
        x0 = x0.ravel()
    u0 = None if u0 is None else bk.to_host(u0)
    D = difference_map((m, n))
    yh = Yh.ravel()
    lap = ((2.0 - 2.0 * np.cos(np.pi * np.arange(m) / m))[:, None]
           + (2.0 - 2.0 * np.cos(np.pi * np.arange(n) / n))[None, :])

    def x_update(v, rho_):
        rhs = (yh + rho_ * D.rmv(v)).reshape(m, n)
        coef = scipy.fft.dctn(rhs, type=2, norm="ortho")
        coef /= 1.0 + rho_ * lap
        return scipy.fft.idctn(coef, type=2, norm="ortho").ravel()

    def tv(x_):
        X_ = x_.reshape(m, n)
        return float(np.abs(np.diff(X_, axis=1)).sum() + np.abs(np.diff(X_, axis=0)).sum())

    mon, x, z, u, rho_f, fun, nit = _run_tv("admm_tv2d", yh, D, tv, x_update, x0, u0, lam, opts,
                                            callback, verbose, lambda a: a.reshape(m, n))
    to = _returner(Y, x0, u0)
    return mon.result(to(x.reshape(m, n)), fun, z=to(z), u=to(u), y=to(rho_f * u), rho=rho_f,
                      nfev=2 * nit)
