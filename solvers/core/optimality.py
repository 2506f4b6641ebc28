"""Optimality measures shared by solvers and benchmarks.

``duality_gap`` is the Fenchel duality gap of a generalized linear model
``P(x) = (1/n) sum_i loss_i((X x)_i) + g(x)`` with the dual

    D(theta) = -(1/n) sum_i loss_i^*(-theta_i) - g^*(X^T theta / n),

evaluated at the rescaled generalized residual ``theta = c * theta(x)`` (c in (0, 1] makes
``g^*`` finite, as in the dual rescaling of safe screening rules; see e.g. Ndiaye, Fercoq,
Gramfort, Salmon, "Gap Safe screening rules for sparsity enforcing penalties", JMLR 18, 2017).
The gap is >= 0 and is 0 exactly at a solution, so it is a certificate of optimality.

Protocol members used (see DESIGN section 3):

- smooth part: ``dual_point(x)`` (theta with ``grad f(x) = -X^T theta / n``),
  ``loss_conjugate(theta)`` (the term ``(1/n) sum_i loss_i^*(-theta_i)``),
  ``design_rmatvec(theta)`` (``X^T theta / n``), and optionally ``value_grad_dual(x)``
  returning ``(f(x), grad f(x), dual_point(x))`` from shared products;
- penalty: ``conjugate(v)`` (g^*) and ``dual_scale(v)`` (largest c in (0, 1] with
  ``g^*(c v)`` finite).

``prox_grad_mapping_norm`` is the norm of the prox-gradient mapping
``G_t(x) = (x - prox_{t g}(x - t grad f(x))) / t``, zero exactly at stationary points; it is
the measure for problems without a duality gap, nonconvex ones included.
"""
from __future__ import annotations

from ..backend import array_namespace

_F_MEMBERS = ("dual_point", "loss_conjugate", "design_rmatvec")
_G_MEMBERS = ("conjugate", "dual_scale")


def supports_duality_gap(f, g) -> bool:
    """Whether ``f`` and ``g`` expose what :func:`duality_gap` needs."""
    return all(getattr(f, m, None) is not None for m in _F_MEMBERS) and all(
        getattr(g, m, None) is not None for m in _G_MEMBERS
    )


def duality_gap(f, g, x, *, grad=None, primal=None, theta=None):
    """Fenchel duality gap of ``f + g`` at ``x`` (a certificate: gap >= P(x) - P*).

    Parameters
    ----------
    f : smooth data fit over a design matrix (least squares, logistic, multinomial)
    g : penalty with a conjugate (L1, elastic net, L2)
    x : array
        Primal point.
    grad : array, optional
        ``grad f(x)`` if already computed (saves one product with ``X^T``).
    primal : float, optional
        ``f(x) + g(x)`` if already computed.
    theta : array, optional
        ``f.dual_point(x)`` if already computed (e.g. by ``f.value_grad_dual``).

    Returns
    -------
    float
        The duality gap, clipped at 0 from below (negative values are rounding errors).

    Raises
    ------
    TypeError
        If ``f`` or ``g`` lacks a member the gap needs.
    """
    missing = [m for m in _F_MEMBERS if getattr(f, m, None) is None]
    missing += [m for m in _G_MEMBERS if getattr(g, m, None) is None]
    if missing:
        raise TypeError(
            f"no duality gap for {type(f).__name__} + {type(g).__name__}: missing {missing}; "
            "use the prox-gradient mapping norm instead"
        )
    if theta is None:
        theta = f.dual_point(x)
    v = -grad if grad is not None else f.design_rmatvec(theta)
    c = float(g.dual_scale(v))
    dual = -float(f.loss_conjugate(c * theta)) - float(g.conjugate(c * v))
    if primal is None:
        primal = float(f.value(x)) + float(g.value(x))
    return max(float(primal) - dual, 0.0)


def prox_grad_mapping_norm(g, x, grad, step):
    """Norm of the prox-gradient mapping ``(x - prox_{step g}(x - step grad)) / step``."""
    xp = array_namespace(x)
    z = x - step * grad
    p = g.prox(z, step) if g is not None else z
    return float(xp.linalg.norm((x - p).ravel())) / step
