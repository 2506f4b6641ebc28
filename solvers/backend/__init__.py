"""Where arrays live and which compiled kernels run.

``get_backend("cpu" | "gpu" | "auto" | array)`` returns a :class:`Backend`. The CPU backend
is numpy + scipy.sparse with numba-compiled kernels; the GPU backend is cupy +
cupyx.scipy.sparse with cupy kernels, imported only when it is asked for.
"""
from ._select import (
    Backend,
    GPUUnavailableError,
    array_namespace,
    get_backend,
    is_gpu_array,
    resolve_backend,
)

__all__ = [
    "Backend",
    "GPUUnavailableError",
    "array_namespace",
    "get_backend",
    "is_gpu_array",
    "resolve_backend",
]
