"""Limiting the BLAS thread pool around memory-bound CPU work."""
from __future__ import annotations

import contextlib

_CONTROLLER = []


def single_thread_blas():
    """A context limiting BLAS to one thread (threadpoolctl, when installed; otherwise a
    no-op). Used around loops of matrix-vector products and small factorizations, which a
    multithreaded BLAS does not speed up but slows down many times over when the machine's
    cores are busy (oversubscription), and which then run the same kernels as on
    single-threaded Dask workers."""
    try:
        if not _CONTROLLER:
            from threadpoolctl import ThreadpoolController

            _CONTROLLER.append(ThreadpoolController())
        return _CONTROLLER[0].limit(limits=1, user_api="blas")
    except Exception:  # pragma: no cover - threadpoolctl missing or unusable
        return contextlib.nullcontext()
