"""Run bookkeeping shared by every solver: history, stopping, callbacks and progress."""
from __future__ import annotations

import math

from scipy.optimize import OptimizeResult

from .result import (
    CALLBACK_STOP,
    CONVERGED,
    MAX_ITER,
    NUMERICAL_ERROR,
    STALLED,
    STATUS_NAMES,
    Clock,
    History,
    Result,
)


class _Progress:
    """A progress bar showing the optimality measure: tqdm when installed, else a line
    printed every few iterations."""

    def __init__(self, total, desc, measure_name):
        self.measure_name = measure_name
        self.every = max(1, total // 20)
        try:
            from tqdm.auto import tqdm
        except ImportError:
            self.bar = None
            print(f"{desc}: up to {total} iterations")
        else:
            self.bar = tqdm(total=total, desc=desc, leave=True)

    def update(self, nit, measure):
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix({self.measure_name: f"{measure:.3e}"}, refresh=False)
        elif nit % self.every == 0:
            print(f"  iter {nit:6d}  {self.measure_name} = {measure:.3e}")

    def close(self, message):
        if self.bar is not None:
            self.bar.close()
        print(message)


class Monitor:
    """Collects a solver's run and decides when it stops.

    A solver calls :meth:`record` once before the first iteration (``nit=0``) and once after
    each iteration; ``record`` returns True when the run must stop (the measure reached
    ``tol``, a value is not finite, or the callback raised ``StopIteration``). Then
    :meth:`result` builds the :class:`~solvers.Result`.

    Parameters
    ----------
    solver : str
        Name shown in messages and progress output.
    tol : float
        Tolerance on the optimality measure.
    max_iter : int
        Iteration budget.
    measure_name : str
        Name of the optimality measure (e.g. ``"gap"``, ``"prox_grad_norm"``).
    callback : callable or None
        Called as ``callback(intermediate_result)`` with an OptimizeResult holding ``x``,
        ``fun``, ``nit`` and ``measure``; raising ``StopIteration`` ends the run cleanly.
    verbose : bool
        Show a progress bar with the current measure.
    to_host : callable
        Converts the iterate for the callback (identity on the CPU).
    """

    def __init__(self, solver, *, tol, max_iter, measure_name, callback=None, verbose=False,
                 to_host=None):
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.measure_name = measure_name
        self.callback = callback
        self.history = History(measure_name)
        self.clock = Clock()
        self.status = MAX_ITER
        self.nit = 0
        self.last_measure = math.inf
        self.last_fun = math.inf
        self._to_host = to_host or (lambda a: a)
        self._progress = _Progress(max_iter, solver, measure_name) if verbose else None

    def record(self, nit, x, fun, measure, **extra):
        """Record one row; return True when the run must stop. ``fun=None``: the solver
        has no objective to report (recorded as NaN, not an error)."""
        self.clock.pause()
        no_fun = fun is None
        fun = math.nan if no_fun else float(fun)
        measure = float(measure)
        self.nit = nit
        self.last_fun, self.last_measure = fun, measure
        self.history.append(objective=fun, measure=measure, time=self.clock.elapsed(), nit=nit,
                            **extra)
        stop = False
        if not ((no_fun or math.isfinite(fun)) and math.isfinite(measure)):
            self.status, stop = NUMERICAL_ERROR, True
        elif measure <= self.tol:
            self.status, stop = CONVERGED, True
        elif self.callback is not None and nit > 0:
            info = OptimizeResult(x=self._to_host(x), fun=fun, nit=nit, measure=measure)
            try:
                self.callback(info)
            except StopIteration:
                self.status, stop = CALLBACK_STOP, True
        if self._progress is not None and nit > 0:
            self._progress.update(nit, measure)
        self.clock.resume()
        return stop

    def stop_with(self, status):
        """Force the final status (e.g. a failed line search)."""
        self.status = status

    def message(self):
        m, tol, name = self.last_measure, self.tol, self.measure_name
        if self.status == CONVERGED:
            return f"{self.solver} converged: {name} {m:.3e} <= tol {tol:.1e} after {self.nit} iterations"
        if self.status == MAX_ITER:
            return (f"{self.solver} stopped at max_iter={self.max_iter}: {name} {m:.3e} "
                    f"> tol {tol:.1e}")
        if self.status == NUMERICAL_ERROR:
            return (f"{self.solver} stopped at iteration {self.nit}: non-finite objective or "
                    f"{name} ({self.last_fun!r}, {m!r}); check the data scaling and step size")
        if self.status == STALLED:
            return (f"{self.solver} stalled at iteration {self.nit}: no step changes the iterate, "
                    f"{name} {m:.3e} > tol {tol:.1e} is at its rounding floor; use a larger tol")
        return f"{self.solver} {STATUS_NAMES.get(self.status, 'stopped')} at iteration {self.nit}: {name} {m:.3e}"

    def result(self, x, fun, **counts):
        """Build the Result; ``counts`` holds nfev/njev/nhev and any extra fields."""
        msg = self.message()
        if self._progress is not None:
            self._progress.close(msg)
        out = Result(
            x=x,
            fun=float(fun),
            success=self.status == CONVERGED,
            status=self.status,
            message=msg,
            nit=self.nit,
            nfev=0,
            njev=0,
            nhev=0,
            measure=self.last_measure,
            history=self.history,
        )
        out.update(counts)
        return out
