"""Wall-clock limit for one benchmark call that cannot be interrupted from Python.

A peer's compiled solver (numba, C) does not check for signals, so a slow fit cannot be
stopped by an alarm in the same process. :func:`call_with_time_limit` runs the call in a forked
child instead and kills the child when the limit passes. Forking copies the parent's memory,
so whatever the parent compiled before (a warm-up fit) is not compiled again in the child.
"""
from __future__ import annotations

import math
import multiprocessing
import os
import traceback


class TimeLimitExceeded(Exception):
    """Raised by :func:`call_with_time_limit` when the call ran past its limit (the child
    that ran it has been killed)."""


def call_with_time_limit(fn, limit, *args, **kwargs):
    """``fn(*args, **kwargs)``, run in a forked child that is killed after ``limit`` seconds.

    Parameters
    ----------
    fn : callable
        Its result must be picklable (it travels back through a pipe).
    limit : float or None
        Seconds. None runs ``fn`` in this process, without a limit.

    Returns
    -------
    The result of ``fn``.

    Raises
    ------
    TimeLimitExceeded
        When ``fn`` did not return within ``limit`` seconds.
    Exception
        What ``fn`` raised in the child (re-raised here).
    """
    if limit is None or limit == math.inf:
        return fn(*args, **kwargs)
    if not limit > 0:
        raise ValueError(f"limit must be positive seconds or None, got {limit!r}")
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)

    def child():
        try:
            try:
                send.send((True, fn(*args, **kwargs)))
            except BaseException as exc:  # noqa: BLE001 (sent to the parent, raised there)
                text = traceback.format_exc()
                try:
                    send.send((False, exc))
                except Exception:  # an exception that cannot be pickled: its text instead
                    send.send((False, RuntimeError(f"in the child process:\n{text}")))
        finally:
            send.close()
            os._exit(0)  # no atexit handlers or buffered output of the parent's copy

    proc = ctx.Process(target=child, daemon=True)
    proc.start()
    send.close()
    try:
        if not recv.poll(limit):
            raise TimeLimitExceeded(f"{getattr(fn, '__name__', fn)!s} ran past {limit:g} s")
        ok, value = recv.recv()
    except EOFError:
        proc.join(5.0)
        raise RuntimeError("the child process died without a result "
                           f"(exit code {proc.exitcode})") from None
    except TimeLimitExceeded:
        raise
    except Exception as exc:  # the result or exception came back but cannot be rebuilt
        raise RuntimeError(f"the child's answer could not be unpickled: {exc!r}") from exc
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        recv.close()
    if not ok:
        raise value
    return value
