"""One step of the adaptive polynomial preconditioning: the minimizer of the quadratic upper
model ``<g, h> + (L / 2) <B h, h>`` over the Krylov space ``span{g, B g, ..., B^tau g}``.

The space contains every step ``-P g / c`` of a polynomial preconditioner ``P`` of degree
``<= tau``, so at equal ``L`` its model decrease is at least theirs (Doikov and Rodomanov,
ICML 2023, section 6). An orthonormal Lanczos basis (with full reorthogonalization, cheap for
``tau + 1`` vectors) keeps the small dense problem well conditioned, unlike the power basis.
"""
from __future__ import annotations

import numpy as np


def _host(a):
    get = getattr(a, "get", None)
    return np.asarray(get() if get is not None else a, dtype=np.float64)


def krylov_model_step(g, matvec, degree, xp):
    """Minimizer of ``<g, h> + <B h, h> / 2`` over ``span{g, ..., B^degree g}``.

    Returns ``(h, decrease)`` with ``decrease = -<g, h> = <B h, h>`` (>= 0); for a curvature
    estimate ``L`` the minimizer is ``h / L`` and the model value ``-decrease / (2 L)``. The
    basis stops early at an invariant subspace; directions of zero curvature are dropped
    (pseudo-inverse). Costs ``degree + 1`` products with ``B``.
    """
    gnorm = float(xp.linalg.norm(g))
    V = [g / gnorm]
    BV = []
    for j in range(degree + 1):
        w = matvec(V[j])
        BV.append(w)
        if j == degree:
            break
        basis = xp.stack(V, axis=1)
        u = w
        for _ in range(2):  # classical Gram-Schmidt twice
            u = u - basis @ (basis.T @ u)
        beta = float(xp.linalg.norm(u))
        if not beta > 1e-12 * float(xp.linalg.norm(w)):
            break
        V.append(u / beta)
    basis, bbasis = xp.stack(V, axis=1), xp.stack(BV, axis=1)
    T = _host(basis.T @ bbasis)
    T = (T + T.T) / 2
    w, U = np.linalg.eigh(T)
    keep = w > 1e-12 * max(float(w.max()), 0.0)
    if not keep.any():
        return None, 0.0
    rhs = gnorm * U[0, keep]  # U^T (V^T g), V^T g = ||g|| e_1
    c = -(U[:, keep] @ (rhs / w[keep]))
    decrease = float(rhs @ (rhs / w[keep]))
    return basis @ xp.asarray(c, dtype=g.dtype), decrease
