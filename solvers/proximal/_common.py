"""Setup shared by the proximal solvers: backend placement, validation, the measure."""
from __future__ import annotations

import math

import numpy as np

from ..backend import get_backend, is_gpu_array, resolve_backend
from ..core.optimality import duality_gap, prox_grad_mapping_norm, supports_duality_gap
from ..core.validation import check_option, check_scalar, check_x0, require

MEASURES = ("auto", "gap", "prox_grad_norm")


def place_on_backend(f, backend, x0):
    """Resolve the backend and move ``f`` there (``f.to``) when it lives elsewhere.

    Returns ``(bk, f, return_on_gpu)``: results go back to the device the input was on.
    """
    bk = resolve_backend(backend, x0, f)
    f_bk = getattr(f, "backend", None)
    on_gpu = is_gpu_array(x0) or (f_bk is not None and getattr(f_bk, "name", "cpu") == "gpu")
    if f_bk is not None and f_bk != bk:
        mover = getattr(f, "to", None)
        if mover is None:
            raise TypeError(
                f"smooth part {type(f).__name__} lives on {f_bk.name} and has no `to(backend)` "
                f"to move it to {bk.name}; build it from data on that device"
            )
        f = mover(bk)
    return bk, f, on_gpu


def setup(f, g, x0, backend, measure):
    """Validate the common inputs of a proximal solver.

    Returns ``(bk, f, x, measure_name, on_gpu)`` with ``x`` a fresh copy of ``x0`` (zeros if
    None) on the chosen backend.
    """
    require(f, "value", "smooth part f")
    require(f, "grad", "smooth part f")
    if g is not None:
        require(g, "prox", "penalty g")
        require(g, "value", "penalty g")
    check_option(measure, "measure", MEASURES)
    bk, f, on_gpu = place_on_backend(f, backend, x0)
    x = initial_point(f, x0, bk)
    return bk, f, x, resolve_measure(measure, f, g), on_gpu


def initial_point(f, x0, bk):
    """A fresh, validated copy of ``x0`` (zeros of ``f.shape`` if None) on backend ``bk``."""
    shape = getattr(f, "shape", None)
    if shape is None:
        if x0 is None:
            raise TypeError(f"x0 is required: {type(f).__name__} has no `shape` to build zeros from")
        shape = np.shape(x0)
    dtype = getattr(f, "dtype", np.float64)
    dtype = dtype if dtype in (np.float32, np.float64) else np.float64
    return check_x0(x0, shape, dtype=dtype, backend=bk)


def resolve_measure(measure, f, g):
    """``"auto"`` becomes the duality gap when ``f`` and ``g`` provide one, else the
    prox-gradient mapping norm; asking for a gap that does not exist is an error."""
    gap_ok = g is not None and supports_duality_gap(f, g)
    if measure == "auto":
        return "gap" if gap_ok else "prox_grad_norm"
    if measure == "gap" and not gap_ok:
        raise ValueError(
            f"measure='gap' needs a duality gap, which {type(f).__name__} + {type(g).__name__} "
            "does not provide; use measure='prox_grad_norm'"
        )
    return measure


def initial_lipschitz(f, x, grad_x, step, L0, g=None):
    """Initial curvature estimate L and whether to backtrack.

    ``step="auto"`` uses ``1 / f.lipschitz`` when ``f`` has it, else backtracks;
    ``"backtracking"`` backtracks from ``L0`` (or from a secant estimate at ``x``); a float
    is a fixed step size. Automatic and backtracking estimates are raised to
    :func:`curvature_floor` of ``g``.
    """
    L, backtrack = _initial_lipschitz(f, x, grad_x, step, L0)
    return max(L, curvature_floor(g, step)), backtrack


def _initial_lipschitz(f, x, grad_x, step, L0):
    if isinstance(step, str):
        check_option(step, "step", ("auto", "backtracking"))
        lip = getattr(f, "lipschitz", None) if step == "auto" else None
        if lip is not None and float(lip) > 0:
            return float(lip), False
        if L0 is not None:
            return check_scalar(L0, "L0", lower=0.0, lower_inclusive=False), True
        return secant_estimate(f, x, grad_x), True
    s = check_scalar(step, "step", lower=0.0, lower_inclusive=False)
    return 1.0 / s, False


def curvature_floor(g, step):
    """Smallest curvature estimate ``L`` the prox of ``g`` accepts (``step = 1/L``).

    Weakly convex penalties (SCAD, MCP) have a closed-form prox only for steps below
    ``g.max_step``; automatic and backtracking steps are kept just under it. A fixed step
    the user chose (a float ``step``) is left alone: the prox rejects it if it is too long.
    """
    if not isinstance(step, str):
        return 0.0
    return weak_convexity_floor(g)


def weak_convexity_floor(g):
    """``1 / (0.99 g.max_step)`` for a weakly convex penalty (SCAD, MCP), else 0: the
    smallest curvature whose step ``1/L`` the penalty's prox accepts."""
    max_step = getattr(g, "max_step", None)
    return 0.0 if max_step is None else 1.0 / (0.99 * float(max_step))


def secant_estimate(f, x, grad_x):
    """A local curvature estimate ``||grad f(x + d) - grad f(x)|| / ||d||``."""
    from ..backend import array_namespace

    xp = array_namespace(x)
    gnorm = float(xp.linalg.norm(grad_x.ravel()))
    scale = max(float(xp.linalg.norm(x.ravel())), 1.0)
    d = grad_x * (1e-3 * scale / gnorm) if gnorm > 0 else xp.full(x.shape, 1e-3, dtype=x.dtype)
    dn = float(xp.linalg.norm(d.ravel()))
    L = float(xp.linalg.norm((f.grad(x + d) - grad_x).ravel())) / dn
    return L if math.isfinite(L) and L > 0 else 1.0


def make_measure(name, f, g):
    """Return ``measure(x, F, grad_x, L, theta)`` computing the optimality measure at x
    (``theta`` is the dual point when the evaluator produced one, else None)."""
    if name == "gap":
        def measure(x, F, grad_x, L, theta=None):
            return duality_gap(f, g, x, grad=grad_x, primal=F, theta=theta)
    else:
        def measure(x, F, grad_x, L, theta=None):
            return prox_grad_mapping_norm(g, x, grad_x, 1.0 / L)
    return measure


def make_evaluators(f, measure_name):
    """Oracles ``(value_and_grad, value_grad_dual)`` of ``f``.

    ``value_grad_dual(x)`` returns ``(f(x), grad f(x), theta)`` where ``theta`` is the dual
    point when the measure is the gap and ``f`` can produce it from the same products
    (``f.value_grad_dual``), else None.
    """
    vg = getattr(f, "value_and_grad", None) or (lambda z: (f.value(z), f.grad(z)))
    vgd = getattr(f, "value_grad_dual", None) if measure_name == "gap" else None
    if vgd is None:
        def vgd(z):
            fz, gz = vg(z)
            return fz, gz, None
    return vg, vgd


def penalty_value(g, x):
    return 0.0 if g is None else float(g.value(x))


def finish_x(x, bk, on_gpu):
    """Return the iterate on the device the caller's input was on."""
    return x if on_gpu else get_backend("cpu").to_device(x) if bk.name == "gpu" else x
