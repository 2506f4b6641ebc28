"""Shared machinery of the finite-sum operators: argument checks, ``to(backend)``, the residual."""
from __future__ import annotations

import copy
import numbers

import numpy as np

from solvers.backend import array_namespace, get_backend


def check_count(value, name, *, lower=1):
    """A positive integer parameter (bools rejected), with a message naming it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if value < lower:
        raise ValueError(f"{name} must be >= {lower}, got {value}")
    return value


def check_array(a, name, *, ndim, shape=None, backend, dtype=None):
    """A finite real dense array with ``ndim`` dimensions (and ``shape`` where given, None
    entries free) on ``backend``; float32 is kept, other numeric types become float64."""
    if a is None:
        raise TypeError(f"{name} must be an array, got None")
    if hasattr(a, "tocsr") or hasattr(a, "toarray"):
        raise TypeError(f"{name} must be a dense array here; got a sparse matrix")
    xp = array_namespace(a)
    arr = xp.asarray(a)
    if arr.dtype == object or np.issubdtype(arr.dtype, np.complexfloating) or not (
            np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)):
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if shape is not None:
        for k, (got, want) in enumerate(zip(arr.shape, shape)):
            if want is not None and got != want:
                raise ValueError(f"{name} has shape {arr.shape} but shape "
                                 f"{tuple('*' if s is None else s for s in shape)} was expected "
                                 f"(axis {k})")
    if 0 in arr.shape:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    dt = dtype or (arr.dtype if arr.dtype in (np.float32, np.float64) else np.float64)
    arr = arr.astype(dt, copy=False)
    if not bool(xp.isfinite(arr).all()):
        raise ValueError(f"{name} contains NaN or inf entries")
    return backend.to_device(arr)


class FiniteSumOperator:
    """Base of the built-in operators ``F = (1/n) sum_i F_i`` (see the package docstring).

    Subclasses set ``n_components``, ``dim``, ``backend`` and ``_dtype`` in ``__init__``
    (every array attribute moves with :meth:`to`), and implement ``_batch_sum(idx, x)``
    (the *sum* of ``F_i(x)`` over a validated index array) and ``_full(x)``; they may override
    ``_component`` and ``_project``. ``_constrained`` says whether ``project`` exists.
    """

    _constrained = False
    solution = None

    # ----- protocol ---------------------------------------------------------------------------
    @property
    def dtype(self):
        """Floating dtype of the operator's data (and of its outputs)."""
        return np.dtype(self._dtype)

    @property
    def x0(self):
        """The default starting point (a new array on the operator's device at each access)."""
        return self._x0()

    @property
    def project(self):
        """Projection onto the constraint set ``C`` (``G`` is the normal cone of ``C``), or
        None when the problem is unconstrained (``G = 0``)."""
        return self._project if self._constrained else None

    def full(self, x):
        """``F(x) = (1/n) sum_i F_i(x)``, computed in one pass over the data."""
        return self._full(self._check_point(x))

    def component(self, i, x):
        """``F_i(x)`` for one index ``0 <= i < n_components``."""
        i = self._check_index(i)
        x = self._check_point(x)
        return self._component(i, x)

    def batch(self, idx, x):
        """The mean of ``F_i(x)`` over the index array ``idx`` (repeated indices count as many
        times as they appear), vectorized over the selected components."""
        idx = self._check_indices(idx)
        x = self._check_point(x)
        return self._batch_sum(idx, x) / idx.shape[0]

    def _component(self, i, x):
        return self._batch_sum(self.backend.xp.asarray([i], dtype=np.int64), x)

    # ----- validation -------------------------------------------------------------------------
    def _check_point(self, x):
        xp = self.backend.xp
        if x is None:
            raise TypeError("x must be an array, got None")
        x = xp.asarray(x)
        if x.shape != (self.dim,):
            raise ValueError(f"x has shape {x.shape} but this operator acts on vectors of shape "
                             f"({self.dim},)")
        return x

    def _check_index(self, i):
        if isinstance(i, bool) or not isinstance(i, (numbers.Integral, np.integer)):
            if getattr(i, "ndim", None) == 0 and np.issubdtype(getattr(i, "dtype", object),
                                                               np.integer):
                i = int(i)
            else:
                raise TypeError(f"i must be an integer component index, got {type(i).__name__}")
        i = int(i)
        if not 0 <= i < self.n_components:
            raise ValueError(f"i = {i} is out of range: component indices run from 0 to "
                             f"{self.n_components - 1}")
        return i

    def _check_indices(self, idx):
        xp = self.backend.xp
        if idx is None:
            raise TypeError("idx must be an array of component indices, got None")
        idx = xp.asarray(idx)
        if idx.ndim != 1:
            raise ValueError(f"idx must be a 1-dimensional array of indices, got shape "
                             f"{idx.shape}")
        if idx.shape[0] == 0:
            raise ValueError("idx is empty; a batch needs at least one component index")
        if not np.issubdtype(idx.dtype, np.integer):
            raise TypeError(f"idx must hold integers, got dtype {idx.dtype}")
        lo, hi = int(idx.min()), int(idx.max())
        if lo < 0 or hi >= self.n_components:
            bad = lo if lo < 0 else hi
            raise ValueError(f"idx contains {bad}, out of range: component indices run from 0 "
                             f"to {self.n_components - 1}")
        return idx.astype(np.int64, copy=False)

    # ----- devices ----------------------------------------------------------------------------
    def to(self, backend):
        """A copy of this operator with its data on ``backend`` ("cpu" or "gpu"); the
        constants are carried over, not recomputed."""
        bk = get_backend(backend)
        if bk == self.backend:
            return self
        out = copy.copy(self)
        out.__dict__ = dict(self.__dict__)
        for name, val in self.__dict__.items():
            if _is_array(val):
                setattr(out, name, bk.to_device(self.backend.to_host(val)))
        out.backend = bk
        return out

    def _x0(self):  # pragma: no cover - every subclass overrides
        return self.backend.xp.zeros(self.dim, dtype=self._dtype)

    def __repr__(self):
        return (f"{type(self).__name__}(n_components={self.n_components}, dim={self.dim}, "
                f"constrained={self._constrained}, backend={self.backend.name!r})")


def _is_array(val):
    mod = type(val).__module__
    return isinstance(val, np.ndarray) or (mod.startswith(("cupy", "scipy.sparse", "cupyx"))
                                           and hasattr(val, "shape"))


def residual(op, x):
    """The natural residual ``||x - Proj_C(x - F(x))||_2`` of ``0 in F(x) + N_C(x)``.

    It is zero exactly at the solutions, and equals ``||F(x)||_2`` when the operator has no
    projection (``op.project`` None or missing: ``G = 0``). For a monotone ``F`` it is the
    operator-norm measure of Cai, Alacaoglu & Diakonikolas (ICLR 2024), and the stopping
    measure of the monotone-inclusion solvers.

    Parameters
    ----------
    op : object
        Any finite-sum operator (DESIGN section 3): ``full`` is used, and ``project`` when it
        is present and not None.
    x : array of shape (op.dim,)

    Returns
    -------
    float
    """
    xp = array_namespace(x)
    Fx = op.full(x)
    proj = getattr(op, "project", None)
    r = Fx if proj is None else x - proj(x - Fx)
    return float(xp.linalg.norm(r))
