"""Euclidean projections onto simple sets: simplex, box and ball.

All three work on the device the input lives on (numpy or cupy, through
:func:`solvers.backend.array_namespace`), never modify their input, and act on the last axis,
so a 2-D array is projected row by row. The public functions validate their arguments; the
operators of this package call the unchecked ``_..._unchecked`` kernels on their hot paths.
"""
from __future__ import annotations

import numbers

import numpy as np

from solvers.backend import array_namespace
from solvers.core.validation import check_scalar

__all__ = ["project_ball", "project_box", "project_simplex"]


def _check_points(v, name="v", *, max_ndim=2):
    """``v`` as a finite float array (1-D or 2-D) of its own device; never a view that could
    be written through (callers only read it)."""
    if v is None or isinstance(v, (str, bytes)):
        raise TypeError(f"{name} must be an array of real numbers, got {type(v).__name__}")
    xp = array_namespace(v)
    arr = xp.asarray(v)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number)
                                   or np.issubdtype(arr.dtype, np.bool_)):
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if arr.ndim < 1 or arr.ndim > max_ndim:
        raise ValueError(f"{name} must be 1-dimensional or 2-dimensional (one point per row), "
                         f"got shape {arr.shape}")
    if arr.shape[-1] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    if not bool(xp.isfinite(arr).all()):
        raise ValueError(f"{name} contains NaN or inf entries")
    return arr, xp


# ---------------------------------------------------------------------------------------------
# kernels (no validation; xp-generic)
# ---------------------------------------------------------------------------------------------
def _simplex_unchecked(v, radius=1.0):
    """Projection of each row (last axis) of ``v`` onto ``{x >= 0, sum x = radius}``.

    The sort-based method (Held, Wolfe & Crowder 1974; Duchi et al. 2008): with ``u`` the
    entries sorted in decreasing order and ``c_j = sum_{k<=j} u_k - radius``, the largest ``j``
    with ``u_j > c_j / j`` gives the threshold ``tau = c_j / j`` and the projection
    ``max(v - tau, 0)``. O(d log d) per row.
    """
    xp = array_namespace(v)
    d = v.shape[-1]
    u = xp.flip(xp.sort(v, axis=-1), axis=-1)
    css = xp.cumsum(u, axis=-1) - radius
    ks = xp.arange(1, d + 1, dtype=v.dtype)
    active = u * ks > css                       # u_j > c_j / j, without the division
    rho = xp.max(xp.where(active, ks, 0), axis=-1, keepdims=True)   # >= 1 always
    tau = xp.take_along_axis(css, rho.astype(np.int64) - 1, axis=-1) / rho
    return xp.maximum(v - tau, 0)


def _box_unchecked(v, lo, hi):
    xp = array_namespace(v)
    return xp.minimum(xp.maximum(v, lo), hi)


def _ball_unchecked(v, radius, center=None):
    xp = array_namespace(v)
    w = v if center is None else v - center
    nrm = xp.linalg.norm(w, axis=-1, keepdims=True)
    scale = xp.where(nrm > radius, radius / xp.maximum(nrm, np.finfo(v.dtype).tiny), 1.0)
    out = w * scale.astype(v.dtype, copy=False)
    return out if center is None else out + center


# ---------------------------------------------------------------------------------------------
# public functions
# ---------------------------------------------------------------------------------------------
def project_simplex(v, radius=1.0):
    """Euclidean projection onto the simplex ``{x : x >= 0, sum(x) = radius}``.

    Parameters
    ----------
    v : array of shape (d,) or (k, d)
        A point, or ``k`` points as the rows of a 2-D array (each row is projected).
    radius : float > 0, default 1
        The sum of the entries of the projection (1: probability vectors).

    Returns
    -------
    array of the same shape and device as ``v`` (a new array; ``v`` is not modified)

    Notes
    -----
    Sort-based, O(d log d) per point: the projection is ``max(v - tau, 0)`` with the threshold
    ``tau`` read off the sorted entries (Held, Wolfe & Crowder, Math. Programming 1974;
    Duchi, Shalev-Shwartz, Singer & Chandra, ICML 2008, Fig. 1). Rows are processed together
    with array operations only, so the same code runs on numpy and cupy.

    Examples
    --------
    >>> import numpy as np
    >>> from problems.operators import project_simplex
    >>> project_simplex(np.array([0.5, 2.0, -1.0])).tolist()
    [0.0, 1.0, 0.0]
    """
    arr, _ = _check_points(v, "v")
    radius = check_scalar(radius, "radius", lower=0.0, lower_inclusive=False)
    return _simplex_unchecked(arr, radius)


def _check_bound(b, name, arr):
    xp = array_namespace(arr)
    if isinstance(b, numbers.Real) and not isinstance(b, bool):
        val = float(b)
        if np.isnan(val):
            raise ValueError(f"{name} must not be NaN")
        return val
    if b is None:
        return -np.inf if name == "lo" else np.inf
    bb = xp.asarray(b)
    if not (np.issubdtype(bb.dtype, np.number)) or np.issubdtype(bb.dtype, np.complexfloating):
        raise TypeError(f"{name} must be a real scalar or array, got dtype {bb.dtype}")
    bb = bb.astype(arr.dtype if arr.dtype in (np.float32, np.float64) else np.float64)
    if bool(xp.isnan(bb).any()):
        raise ValueError(f"{name} contains NaN entries")
    try:
        np.broadcast_shapes(bb.shape, arr.shape)
    except ValueError:
        raise ValueError(f"{name} has shape {bb.shape}, which does not broadcast against v of "
                         f"shape {arr.shape}") from None
    return bb


def project_box(v, lo, hi):
    """Euclidean projection onto the box ``{x : lo <= x <= hi}`` (entrywise clipping).

    Parameters
    ----------
    v : array of shape (d,) or (k, d)
    lo, hi : float or array broadcastable to ``v``
        Bounds; ``-inf`` / ``inf`` (or None) leave a side open. ``lo <= hi`` everywhere.

    Returns
    -------
    array of the same shape and device as ``v`` (new)

    Examples
    --------
    >>> import numpy as np
    >>> from problems.operators import project_box
    >>> project_box(np.array([-2.0, 0.5, 3.0]), 0.0, 1.0).tolist()
    [0.0, 0.5, 1.0]
    """
    arr, xp = _check_points(v, "v")
    lo_, hi_ = _check_bound(lo, "lo", arr), _check_bound(hi, "hi", arr)
    if bool(xp.any(xp.asarray(lo_) > xp.asarray(hi_))):
        raise ValueError("lo must be <= hi everywhere (the box is empty otherwise)")
    return _box_unchecked(arr, lo_, hi_)


def project_ball(v, radius, center=None):
    """Euclidean projection onto the ball ``{x : ||x - center||_2 <= radius}``.

    Parameters
    ----------
    v : array of shape (d,) or (k, d)
    radius : float >= 0
    center : array of shape (d,), optional
        Default the origin.

    Returns
    -------
    array
        Same shape and device as ``v`` (a new array):
        ``center + (v - center) * min(1, radius / ||v - center||)``.

    Examples
    --------
    >>> import numpy as np
    >>> from problems.operators import project_ball
    >>> project_ball(np.array([3.0, 4.0]), 10.0).tolist()     # inside: unchanged
    [3.0, 4.0]
    >>> np.round(project_ball(np.array([3.0, 4.0]), 1.0), 12).tolist()
    [0.6, 0.8]
    """
    arr, xp = _check_points(v, "v")
    radius = check_scalar(radius, "radius", lower=0.0)
    if center is not None:
        c, _ = _check_points(center, "center", max_ndim=1)
        if c.shape[0] != arr.shape[-1]:
            raise ValueError(f"center has length {c.shape[0]} but v has {arr.shape[-1]} "
                             "entries per point")
        center = xp.asarray(c, dtype=arr.dtype)
    return _ball_unchecked(arr, radius, center)
