"""Backend objects and the switch that picks one."""
from __future__ import annotations

import functools
import sys

import numpy as np
import scipy.sparse as sp

_GPU_INSTALL_HINT = (
    "install cupy for your CUDA version, e.g. `pip install optsuite[gpu]` "
    "(cupy-cuda12x), and make sure a CUDA device is visible"
)


class GPUUnavailableError(RuntimeError):
    """Raised when the GPU backend is requested but cupy or a CUDA device is missing."""


class Backend:
    """An array namespace plus its sparse module and compiled kernels.

    Attributes
    ----------
    name : {"cpu", "gpu"}
        Which device the arrays live on.
    xp : module
        ``numpy`` or ``cupy``.
    sparse : module
        ``scipy.sparse`` or ``cupyx.scipy.sparse``.
    kernels : module
        The compiled kernels of this backend (numba functions on the CPU, cupy kernels on
        the GPU); each exposes the same names.
    """

    def __init__(self, name, xp, sparse, kernels):
        self.name = name
        self.xp = xp
        self.sparse = sparse
        self.kernels = kernels

    def __repr__(self):
        return f"Backend({self.name!r})"

    def __eq__(self, other):
        return isinstance(other, Backend) and other.name == self.name

    def __hash__(self):
        return hash(self.name)

    def issparse(self, a):
        """Whether ``a`` is a sparse matrix of this backend."""
        return bool(self.sparse.issparse(a))

    def to_device(self, a, dtype=None):
        """Move a dense or sparse array to this backend (a no-op when already there)."""
        if a is None:
            return None
        if self.name == "cpu":
            return to_host(a) if dtype is None else to_host(a).astype(dtype, copy=False)
        if is_gpu_array(a):
            return a if dtype is None else a.astype(dtype, copy=False)
        if sp.issparse(a):
            a = a if dtype is None else a.astype(dtype)
            fmt = a.format if a.format in ("csr", "csc", "coo") else "csr"
            return getattr(self.sparse, f"{fmt}_matrix")(a.asformat(fmt))
        return self.xp.asarray(a, dtype=dtype)

    def to_host(self, a):
        """Return ``a`` as a numpy array (or scipy.sparse matrix)."""
        return to_host(a)


def is_gpu_array(a) -> bool:
    """True when ``a`` is a cupy array or a cupyx sparse matrix (cupy is not imported)."""
    mod = type(a).__module__
    return mod.startswith("cupy") or mod.startswith("cupyx")


def to_host(a):
    """Return a numpy array or scipy.sparse matrix holding the values of ``a``."""
    if a is None or not is_gpu_array(a):
        return a
    if hasattr(a, "get") and not hasattr(a, "tocsr"):
        return a.get()
    return a.get()  # cupyx sparse .get() returns the scipy.sparse counterpart


def array_namespace(*arrays):
    """``cupy`` if any argument lives on the GPU, else ``numpy``."""
    for a in arrays:
        if a is not None and is_gpu_array(a):
            return sys.modules["cupy"]
    return np


@functools.lru_cache(maxsize=None)
def _cpu_backend() -> Backend:
    from . import cpu_kernels

    return Backend("cpu", np, sp, cpu_kernels)


@functools.lru_cache(maxsize=None)
def _gpu_backend() -> Backend:
    try:
        import cupy
        import cupyx.scipy.sparse as cusparse
    except ImportError as exc:  # pragma: no cover - depends on the machine
        raise GPUUnavailableError(
            f"the GPU backend needs cupy, which could not be imported ({exc}); "
            + _GPU_INSTALL_HINT
        ) from exc
    try:
        n_dev = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # pragma: no cover - depends on the machine
        raise GPUUnavailableError(
            f"cupy is installed but no CUDA device could be opened ({exc}); " + _GPU_INSTALL_HINT
        ) from exc
    if n_dev < 1:  # pragma: no cover
        raise GPUUnavailableError("cupy found no CUDA device; " + _GPU_INSTALL_HINT)
    from . import gpu_kernels

    return Backend("gpu", cupy, cusparse, gpu_kernels)


def gpu_available() -> bool:
    """Whether the GPU backend can be created on this machine."""
    try:
        _gpu_backend()
    except GPUUnavailableError:
        return False
    return True


def get_backend(spec="auto") -> Backend:
    """Return the backend named by ``spec``.

    Parameters
    ----------
    spec : {"cpu", "gpu", "auto"}, Backend or array, default "auto"
        ``"cpu"``: numpy + numba. ``"gpu"``: cupy (raises :class:`~solvers.backend.GPUUnavailableError` when
        cupy or a CUDA device is missing). ``"auto"``: the CPU, since no array was given to
        say otherwise. An array (dense or sparse) selects the device it lives on.

    Returns
    -------
    Backend

    Examples
    --------
    >>> from solvers.backend import get_backend
    >>> get_backend("cpu").xp.__name__
    'numpy'
    """
    if isinstance(spec, Backend):
        return spec
    if isinstance(spec, str):
        key = spec.lower()
        if key in ("cpu", "numpy", "auto"):
            return _cpu_backend()
        if key in ("gpu", "cuda", "cupy"):
            return _gpu_backend()
        raise ValueError(f"backend must be 'cpu', 'gpu', 'auto' or an array, got {spec!r}")
    if is_gpu_array(spec):
        return _gpu_backend()
    if isinstance(spec, np.ndarray) or sp.issparse(spec) or np.isscalar(spec) or spec is None:
        return _cpu_backend()
    raise TypeError(f"cannot infer a backend from an object of type {type(spec).__name__}")


def resolve_backend(spec, *objects) -> Backend:
    """Pick the backend for a solver call.

    ``spec`` other than ``"auto"`` is obeyed. With ``"auto"``, the GPU is chosen when any of
    ``objects`` is a GPU array or carries ``backend.name == "gpu"`` (problems do), else the CPU.
    """
    if not (isinstance(spec, str) and spec.lower() == "auto"):
        return get_backend(spec)
    for obj in objects:
        if obj is None:
            continue
        if is_gpu_array(obj):
            return _gpu_backend()
        bk = getattr(obj, "backend", None)
        if isinstance(bk, Backend) and bk.name == "gpu":
            return bk
    return _cpu_backend()
