"""Shared machinery of the monotone-inclusion solvers.

The solvers find x with 0 in F(x) + G(x), where F = (1/n) sum_i F_i is given by a
finite-sum operator (DESIGN section 3) and G is the normal cone of a closed convex set C
(``op.project`` is Proj_C) or zero. This module holds what every solver needs:

* :func:`setup` validates the operator, the starting point and the common options, and
  places the iterate on the backend;
* :class:`Oracle` evaluates F and counts component evaluations exactly (a full evaluation
  counts n, ``batch(idx, x)`` counts ``len(idx)``), keeping the evaluations made only for
  the stopping measure on a separate tally;
* :func:`natural_residual` is the stopping measure ``||x - Proj_C(x - F(x))||``;
* :class:`Checkpoints` decides when a variance-reduced solver measures (about once per epoch)
  and :class:`Restarter` implements the adaptive anchor restarts of the Halpern solvers.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..backend import is_gpu_array, resolve_backend
from ..core.validation import (
    check_callback_and_seed, check_option, check_scalar, check_x0, require,
)

#: Name of the optimality measure in every history of this family.
MEASURE_NAME = "natural_residual"

RESTARTS = (None, "adaptive")


# --------------------------------------------------------------------------------------
# validation and setup
# --------------------------------------------------------------------------------------
def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        try:
            if float(value) != int(value):
                raise ValueError
            value = int(value)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a positive integer, got {value!r}") from None
    value = int(value)
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return value


def operator_constant(op, member, *, required=True):
    """``op.<member>`` as a positive float, or None when absent and not ``required``.

    A missing required constant raises a TypeError naming it (DESIGN section 3); a
    non-positive or non-finite one raises a ValueError.
    """
    val = getattr(op, member, None)
    if val is None:
        if required:
            require(op, member, "operator")
        return None
    return check_scalar(val, f"op.{member}", lower=0.0, lower_inclusive=False)


class Problem:
    """A validated operator, its sizes and where its arrays live.

    Attributes
    ----------
    op : operator (the user's object)
    n, d : int
        ``op.n_components`` and ``op.dim``.
    bk : Backend
    xp : module (numpy or cupy)
    project : callable
        ``op.project`` or the identity when the problem is unconstrained.
    constrained : bool
    on_gpu : bool
        Whether the result goes back to the GPU.
    """

    def __init__(self, op, bk, on_gpu):
        self.op = op
        self.n = _positive_int(op.n_components, "op.n_components")
        self.d = _positive_int(op.dim, "op.dim")
        self.bk = bk
        self.xp = bk.xp
        proj = getattr(op, "project", None)
        if proj is not None and not callable(proj):
            raise TypeError(f"op.project must be callable or None, got {type(proj).__name__}")
        self.constrained = proj is not None
        self.project = proj if proj is not None else (lambda z: z)
        self.on_gpu = on_gpu

    def indices(self, idx):
        """Host index array -> an index array on the operator's device."""
        return self.xp.asarray(idx) if self.bk.name == "gpu" else idx

    def finish(self, x):
        """The final iterate on the device the caller's input was on."""
        if self.bk.name == "gpu" and not self.on_gpu:
            return self.bk.to_host(x)
        return x


def setup(op, x0, *, backend, tol, max_iter, callback, random_state=None, members=()):
    """Validate what every solver of the family receives.

    Returns ``(prob, x, tol, max_iter)`` with ``x`` a fresh copy of the starting point:
    ``x0``, else ``op.x0``, else zeros. Missing protocol members raise TypeError naming them.
    """
    for member in ("n_components", "dim", "full", *members):
        require(op, member, "operator")
    for member in ("full", *[m for m in members if m in ("batch", "component")]):
        if not callable(getattr(op, member)):
            raise TypeError(f"operator member `{member}` must be callable")
    tol = check_scalar(tol, "tol", lower=0.0)
    max_iter = check_scalar(max_iter, "max_iter", lower=0, integer=True)
    check_callback_and_seed(callback, random_state)
    start, name = (x0, "x0") if x0 is not None else (getattr(op, "x0", None), "op.x0")
    bk = resolve_backend(backend, start, op)
    on_gpu = is_gpu_array(start) or getattr(getattr(op, "backend", None), "name", "cpu") == "gpu"
    prob = Problem(op, bk, on_gpu)
    dtype = np.float64
    if start is not None and getattr(start, "dtype", None) == np.float32:
        dtype = np.float32
    x = check_x0(start, (prob.d,), dtype=dtype, backend=bk, name=name)
    return prob, x, tol, max_iter


def check_step(step, name="step"):
    """A user step: None (use the default) or a positive finite float."""
    if step is None:
        return None
    return check_scalar(step, name, lower=0.0, lower_inclusive=False)


def check_batch_size(batch_size, n, default):
    """Batch size in [1, n] (``default`` when None)."""
    if batch_size is None:
        return int(min(max(1, default), n))
    return check_scalar(batch_size, "batch_size", lower=1, upper=n, integer=True)


def check_restart(restart, restart_factor):
    check_option(restart, "restart", RESTARTS)
    factor = check_scalar(restart_factor, "restart_factor", lower=0.0, upper=1.0,
                          lower_inclusive=False, upper_inclusive=False)
    return restart, factor


def resolve_variant(variant, op, allowed=("auto", "cocoercive", "lipschitz")):
    """``"auto"`` becomes ``"cocoercive"`` when ``op.cocoercivity`` is set, else
    ``"lipschitz"``."""
    check_option(variant, "variant", allowed)
    if variant == "auto":
        return "cocoercive" if getattr(op, "cocoercivity", None) is not None else "lipschitz"
    return variant


def cocoercivity_or_raise(op, step, solver):
    """``op.cocoercivity`` for the cocoercive variant; a ValueError when it is None and no
    step was given (the default step and the theory need it)."""
    if getattr(op, "cocoercivity", None) is None:
        if step is None:
            raise ValueError(
                f"{solver}(variant='cocoercive') needs op.cocoercivity, but it is None (the "
                "operator is only known to be monotone); use variant='lipschitz' (or 'auto'), "
                "or pass step= if you know F is cocoercive"
            )
        return None
    return operator_constant(op, "cocoercivity")


# --------------------------------------------------------------------------------------
# oracle and measure
# --------------------------------------------------------------------------------------
class Oracle:
    """Evaluates F and counts component evaluations.

    ``nfev`` counts the evaluations the algorithm uses (a full evaluation counts n,
    ``batch(idx, x)`` counts ``len(idx)``). Evaluations made only to compute the stopping
    measure are not oracle calls of the method: they are tallied in ``n_measure`` instead.
    A full evaluation can be made first and charged later (:meth:`peek_full`,
    :meth:`charge`, :meth:`charge_measure`) when the same F(x) serves both the measure and
    the next step.
    """

    def __init__(self, prob):
        self.prob = prob
        self.op = prob.op
        self.n = prob.n
        self.nfev = 0
        self.n_measure = 0

    def full(self, x):
        self.nfev += self.n
        return self.op.full(x)

    def peek_full(self, x):
        """F(x) without charging it (charge it with :meth:`charge` or
        :meth:`charge_measure` once its use is known)."""
        return self.op.full(x)

    def charge(self, count=None):
        self.nfev += self.n if count is None else int(count)

    def charge_measure(self, count=None):
        self.n_measure += self.n if count is None else int(count)

    def batch(self, idx, x):
        self.nfev += len(idx)
        return self.op.batch(self.prob.indices(idx), x)

    def batch_diff(self, idx, x, y):
        """mean_{i in idx} (F_i(x) - F_i(y)), counted as 2 len(idx) evaluations."""
        self.nfev += 2 * len(idx)
        dev_idx = self.prob.indices(idx)
        return self.op.batch(dev_idx, x) - self.op.batch(dev_idx, y)

    @property
    def epochs(self):
        return self.nfev / self.n


def natural_residual(prob, x, Fx):
    """``||x - Proj_C(x - F(x))||`` (``||F(x)||`` when unconstrained), as a float.

    It is zero exactly at the solutions of 0 in F(x) + N_C(x).
    """
    xp = prob.xp
    if not prob.constrained:
        return float(xp.linalg.norm(Fx))
    return float(xp.linalg.norm(x - prob.project(x - Fx)))


def record(mon, oracle, k, x, measure, **extra):
    """One history row: measure, nfev, epochs (time is added by the Monitor)."""
    return mon.record(k, x, None, measure, nfev=oracle.nfev, epochs=oracle.epochs, **extra)


class Checkpoints:
    """When a variance-reduced solver evaluates its measure: each time ``nfev`` has grown
    by another ``check_every * n`` component evaluations since the last check (about once
    per epoch with the default ``check_every=1``)."""

    def __init__(self, check_every, n):
        self.every = check_scalar(check_every, "check_every", lower=0.0, lower_inclusive=False)
        self.n = n
        self.next = 0.0

    def due(self, nfev):
        return nfev >= self.next

    def done(self, nfev):
        self.next = nfev + self.every * self.n


def check_max_epochs(max_epochs):
    if max_epochs is None:
        return math.inf
    return check_scalar(max_epochs, "max_epochs", lower=0.0, lower_inclusive=False)


class Restarter:
    """Adaptive anchor restarts for Halpern-type methods.

    With ``restart="adaptive"``, the anchor moves to the current iterate when the measure
    has fallen to ``restart_factor`` times its value at the current anchor (a "sufficient
    decay" rule, as in restarted Halpern / PDHG solvers for linear programming).
    """

    def __init__(self, restart, factor):
        self.on = restart == "adaptive"
        self.factor = factor
        self.anchor_measure = None
        self.count = 0

    def set_anchor(self, measure):
        self.anchor_measure = measure

    def should_restart(self, measure):
        if not self.on or self.anchor_measure is None:
            return False
        if measure <= self.factor * self.anchor_measure:
            self.anchor_measure = measure
            self.count += 1
            return True
        return False


def finish(mon, prob, oracle, x, *, max_epochs_hit=False, max_epochs=None, **extra):
    """Build the Result; ``nfev`` is the oracle count of the returned iterate."""
    res = mon.result(prob.finish(x), math.nan, nfev=oracle.nfev, njev=0, nhev=0,
                     epochs=oracle.epochs, n_measure_evals=oracle.n_measure, **extra)
    if max_epochs_hit and not res.success and mon.status == 1:
        res.message = (f"{mon.solver} stopped at max_epochs={max_epochs:g} "
                       f"({oracle.epochs:.2f} epochs, {mon.nit} iterations): {MEASURE_NAME} "
                       f"{mon.last_measure:.3e} > tol {mon.tol:.1e}")
    return res


def make_rng(random_state):
    """A numpy Generator from None, an int or a Generator (the same Generator is used)."""
    return np.random.default_rng(random_state)
