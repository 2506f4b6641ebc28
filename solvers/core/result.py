"""The Result object every solver returns, its History, and status codes."""
from __future__ import annotations

import time

import numpy as np
from scipy.optimize import OptimizeResult

#: Status codes shared by every solver (``Result.status``).
CONVERGED = 0
MAX_ITER = 1
NUMERICAL_ERROR = 2
LINESEARCH_FAILED = 3
DIVERGED = 4
STALLED = 5
PRIMAL_INFEASIBLE = 6
DUAL_INFEASIBLE = 7
SINGULAR = 8
CALLBACK_STOP = 99

STATUS_NAMES = {
    CONVERGED: "converged",
    MAX_ITER: "max_iter reached",
    NUMERICAL_ERROR: "non-finite value",
    LINESEARCH_FAILED: "line search failed",
    DIVERGED: "diverged",
    STALLED: "stalled (no further progress in floating point)",
    PRIMAL_INFEASIBLE: "primal infeasible (certificate in prim_inf_cert)",
    DUAL_INFEASIBLE: "dual infeasible, i.e. unbounded (certificate in dual_inf_cert)",
    SINGULAR: "singular system (e.g. a rank-deficient constraint Jacobian)",
    CALLBACK_STOP: "stopped by callback",
}


class History:
    """Per-iteration record of a run, read back as numpy arrays.

    Every solver records at least ``objective``, ``measure`` (its optimality measure, whose
    name is in ``measure_name``), ``time`` (seconds since the start, excluding the cost of
    recording) and the oracle counts ``nfev`` / ``njev``. Solvers add their own columns
    (``step``, ``restart``, ``support_size``, ...). Each column is an attribute; the measure
    is also reachable under its own name (``history.gap`` when ``measure_name == "gap"``).

    Parameters
    ----------
    measure_name : str
        Name of the optimality measure stored in the ``measure`` column.
    """

    def __init__(self, measure_name="measure"):
        self.measure_name = measure_name
        self._cols: dict[str, list] = {}
        self._n = 0

    def append(self, **values):
        """Add one row; columns missing from this row are filled with NaN."""
        for key in values:
            if key not in self._cols:
                self._cols[key] = [np.nan] * self._n
        for key, col in self._cols.items():
            col.append(values.get(key, np.nan))
        self._n += 1

    def __len__(self):
        return self._n

    @property
    def columns(self):
        """Names of the recorded columns, in the order they first appeared."""
        return list(self._cols)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        cols = self.__dict__.get("_cols", {})
        if name in cols:
            return np.asarray(cols[name])
        if name == self.__dict__.get("measure_name") and "measure" in cols:
            return np.asarray(cols["measure"])
        raise AttributeError(f"History has no column {name!r}; columns are {list(cols)}")

    def __getitem__(self, name):
        return getattr(self, name)

    def as_dict(self):
        """All columns as a dict of numpy arrays (convenient for pandas or JSON)."""
        return {k: np.asarray(v) for k, v in self._cols.items()}

    def __repr__(self):
        return f"History({self._n} rows; measure={self.measure_name!r}; columns={self.columns})"


class Result(OptimizeResult):
    """Outcome of a solver run; a :class:`scipy.optimize.OptimizeResult`.

    Attributes
    ----------
    x : ndarray
        The final iterate, on the device the input was on.
    fun : float
        Objective value at ``x``.
    success : bool
        True only when the optimality measure reached ``tol``.
    status : int
        0 converged, 1 max_iter reached, 2 non-finite value, 3 line search failed,
        4 diverged, 5 stalled (no step changes the iterate: the measure is at its rounding
        floor above ``tol``), 6 primal infeasible and 7 dual infeasible (the problem has no
        feasible point / is unbounded below; solvers that detect it return a certificate,
        e.g. ``prim_inf_cert`` / ``dual_inf_cert``), 99 stopped by the callback.
    message : str
        What stopped the run, naming the measure and where it ended.
    nit, nfev, njev, nhev : int
        Iterations and oracle counts (function values, gradients, Hessians or
        Hessian-vector products).
    measure : float
        Final value of the optimality measure; its name is ``history.measure_name``.
    history : History
        Per-iteration record.
    """


class Clock:
    """Wall-clock timer that can exclude bookkeeping (pause/resume)."""

    def __init__(self):
        self._start = time.perf_counter()
        self._paused_total = 0.0
        self._pause_at = None

    def pause(self):
        self._pause_at = time.perf_counter()

    def resume(self):
        if self._pause_at is not None:
            self._paused_total += time.perf_counter() - self._pause_at
            self._pause_at = None

    def elapsed(self):
        now = self._pause_at if self._pause_at is not None else time.perf_counter()
        return now - self._start - self._paused_total
