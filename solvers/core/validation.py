"""Input validation at the public boundary.

Every helper raises ``TypeError`` or ``ValueError`` with a message naming the argument and
what to do about it. None of them modifies its input; arrays are copied only when a dtype or
format change is needed.
"""
from __future__ import annotations

import numbers

import numpy as np
import scipy.sparse as sp

from ..backend import array_namespace, get_backend, is_gpu_array

_FLOATS = (np.float32, np.float64)


def check_scalar(value, name, *, lower=None, upper=None, lower_inclusive=True,
                 upper_inclusive=True, integer=False):
    """Validate a real (or integer) scalar parameter and return it as float (or int).

    Raises
    ------
    TypeError
        If ``value`` is not a real number (or not an integer when ``integer=True``).
    ValueError
        If it is not finite or lies outside the stated range.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        kind = "an integer" if integer else "a real number"
        raise TypeError(f"{name} must be {kind}, got {type(value).__name__} {value!r}")
    if integer:
        if not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an integer, got {value!r}")
        value = int(value)
    else:
        value = float(value)
        if not np.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value}")
    if lower is not None and (value < lower or (value == lower and not lower_inclusive)):
        op = ">=" if lower_inclusive else ">"
        raise ValueError(f"{name} must be {op} {lower}, got {value}")
    if upper is not None and (value > upper or (value == upper and not upper_inclusive)):
        op = "<=" if upper_inclusive else "<"
        raise ValueError(f"{name} must be {op} {upper}, got {value}")
    return value


def check_option(value, name, allowed):
    """Validate a string option against its allowed values."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {sorted(map(str, allowed))}, got {value!r}")
    return value


def _float_dtype(dtype, name):
    if dtype in _FLOATS:
        return dtype
    if np.issubdtype(dtype, np.integer) or np.issubdtype(dtype, np.bool_) or np.issubdtype(dtype, np.floating):
        return np.float64
    raise TypeError(f"{name} must hold real numbers, got dtype {dtype}")


def _all_finite(a):
    xp = array_namespace(a)
    return bool(xp.isfinite(a).all())


def check_matrix(X, name="X", *, backend=None, accept_sparse=True):
    """Validate a design or system matrix.

    Dense input becomes a C-contiguous float array; sparse input stays sparse (CSR or CSC,
    other formats are converted to CSR). float32 is kept, other numeric types become float64.
    NaN or inf entries, a number of dimensions other than 2, or an empty matrix raise.

    Returns
    -------
    X : array or sparse matrix on the requested backend (the input's own when None)
    """
    bk = get_backend(X if backend is None else backend)
    gpu = is_gpu_array(X)
    is_sparse = bk.issparse(X) if gpu else sp.issparse(X)
    if is_sparse:
        if not accept_sparse:
            raise TypeError(f"{name} must be a dense array here; got a sparse matrix")
        if X.format not in ("csr", "csc"):
            X = X.tocsr()
        dt = _float_dtype(X.dtype, name)
        if X.dtype != dt:
            X = X.astype(dt)
        if X.ndim != 2:
            raise ValueError(f"{name} must be 2-dimensional")
        if not _all_finite(X.data):
            raise ValueError(f"{name} contains NaN or inf entries; remove or impute them first")
    else:
        if hasattr(X, "__array_function__") or hasattr(X, "__array__") or isinstance(X, (list, tuple)):
            xp = array_namespace(X)
            X = xp.asarray(X)
        else:
            raise TypeError(f"{name} must be an array or a sparse matrix, got {type(X).__name__}")
        if X.ndim != 2:
            raise ValueError(f"{name} must be 2-dimensional, got shape {X.shape}")
        dt = _float_dtype(X.dtype, name)
        xp = array_namespace(X)
        X = xp.ascontiguousarray(X, dtype=dt)
        if not _all_finite(X):
            raise ValueError(f"{name} contains NaN or inf entries; remove or impute them first")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {X.shape})")
    return bk.to_device(X)


def check_vector(y, name="y", *, size=None, dtype=None, backend=None):
    """Validate a finite 1-D real vector (optionally of a given length)."""
    if y is None:
        raise TypeError(f"{name} must be an array, got None")
    bk = get_backend(y if backend is None else backend)
    xp = array_namespace(y)
    y = xp.asarray(y)
    if y.ndim != 1:
        if y.ndim == 2 and 1 in y.shape:
            raise ValueError(f"{name} must be 1-dimensional, got shape {y.shape}; use .ravel()")
        raise ValueError(f"{name} must be 1-dimensional, got shape {y.shape}")
    dt = dtype or _float_dtype(y.dtype, name)
    y = y.astype(dt, copy=False)
    if size is not None and y.shape[0] != size:
        raise ValueError(f"{name} has length {y.shape[0]} but {size} was expected")
    if not _all_finite(y):
        raise ValueError(f"{name} contains NaN or inf entries")
    return bk.to_device(y)


def check_x0(x0, shape, *, dtype=np.float64, backend, name="x0"):
    """Return a fresh float copy of ``x0`` on ``backend`` (zeros when ``x0`` is None).

    The copy guarantees that the solver never writes into the caller's array.
    """
    bk = get_backend(backend)
    if x0 is None:
        return bk.xp.zeros(shape, dtype=dtype)
    xp = array_namespace(x0)
    arr = xp.asarray(x0)
    if arr.shape != tuple(shape):
        if arr.size == int(np.prod(shape)) and arr.ndim == 1:
            arr = arr.reshape(shape)
        else:
            raise ValueError(f"{name} has shape {arr.shape} but the problem expects {tuple(shape)}")
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if not _all_finite(arr):
        raise ValueError(f"{name} contains NaN or inf entries")
    out = bk.to_device(arr).astype(dtype, copy=True)
    return out


def require(obj, member, role):
    """Return ``getattr(obj, member)`` or raise a TypeError that names the missing member.

    Solvers use this to state which protocol member they need (DESIGN section 3).
    """
    val = getattr(obj, member, None)
    if val is None:
        raise TypeError(
            f"{role} of type {type(obj).__name__} has no `{member}`, which this solver needs"
        )
    return val


def check_callback_and_seed(callback, random_state):
    """``callback`` must be callable or None; ``random_state`` None, an int or a numpy
    Generator (TypeError naming the argument otherwise)."""
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, got {type(callback).__name__}")
    if random_state is not None and not isinstance(random_state, (numbers.Integral,
                                                                  np.random.Generator)):
        raise TypeError(f"random_state must be None, an int or a numpy Generator, got "
                        f"{random_state!r}")
