"""One step of the adaptive polynomial preconditioning: the minimizer of the quadratic upper
model ``<g, h> + (L / 2) <B h, h>`` over the Krylov space ``span{g, B g, ..., B^tau g}``.

The space contains every step ``-P g / c`` of a polynomial preconditioner ``P`` of degree
``<= tau``, so at equal ``L`` its model decrease is at least theirs (Doikov and Rodomanov,
ICML 2023, section 6). Adding the previous step to the space (``memory``) turns the method
into a sequential subspace optimization (Narkiss and Zibulevsky, 2005), which on a quadratic
whose Hessian is ``B`` behaves like a block conjugate gradient. An orthonormal Lanczos basis (with full reorthogonalization, cheap for
``tau + 1`` vectors) keeps the small dense problem well conditioned, unlike the power basis.
"""
from __future__ import annotations

import numpy as np

from ..backend._select import to_host


def krylov_model_step(g, matvec, degree, xp, memory=()):
    """Minimizer of ``<g, h> + <B h, h> / 2`` over ``span{g, ..., B^degree g}`` plus the
    directions in ``memory`` (previous steps; none in the paper's method).

    Returns ``(h, decrease)`` with ``decrease = -<g, h> = <B h, h>`` (>= 0); for a curvature
    estimate ``L`` the minimizer is ``h / L`` and the model value ``-decrease / (2 L)``. The
    basis stops early at an invariant subspace; directions of zero curvature are dropped
    (pseudo-inverse). Costs ``degree + 1 + len(memory)`` products with ``B``.
    """
    gnorm = float(xp.linalg.norm(g))
    V = [g / gnorm]
    BV = []
    for j in range(degree + 1):
        w = matvec(V[j])
        BV.append(w)
        if j == degree:
            break
        u = _orthogonalize(w, V, xp)
        if u is None:
            break
        V.append(u)
    for d in memory:  # previous steps: the subspace optimization of SESOP
        u = _orthogonalize(d, V, xp)
        if u is not None:
            V.append(u)
            BV.append(matvec(u))
    basis, bbasis = xp.stack(V, axis=1), xp.stack(BV, axis=1)
    T = np.asarray(to_host(basis.T @ bbasis), dtype=np.float64)
    T = (T + T.T) / 2
    rhs = np.asarray(to_host(basis.T @ g), dtype=np.float64)  # ||g|| e_1 up to rounding, plus the memory components
    w, U = np.linalg.eigh(T)
    keep = w > 1e-12 * max(float(w.max()), 0.0)
    if not keep.any():
        return None, 0.0
    r = U[:, keep].T @ rhs
    c = -(U[:, keep] @ (r / w[keep]))
    decrease = float(r @ (r / w[keep]))
    return basis @ xp.asarray(c, dtype=g.dtype), decrease


def _orthogonalize(w, V, xp):
    """``w`` made orthogonal to the orthonormal ``V`` (classical Gram-Schmidt twice) and
    normalized; None when nothing independent is left."""
    basis = xp.stack(V, axis=1)
    u = w
    for _ in range(2):
        u = u - basis @ (basis.T @ u)
    beta = float(xp.linalg.norm(u))
    if not beta > 1e-10 * float(xp.linalg.norm(w)):
        return None
    return u / beta
