"""What the general BCD engine needs from a smooth part, in three shapes.

* :class:`GLMOracle` -- data fits over a design matrix (``glm_loss``, ``state``,
  ``grad_from_state``...): keeps ``z = X x``; a block step costs O(nnz of the block's
  columns) plus one gradient product.
* :class:`QuadraticOracle` -- quadratics with an explicit (sparse) ``Q``: keeps the gradient
  and updates it from the block's columns of ``Q`` only, so on sparse dependency graphs
  (lattices, label propagation) a step costs O(degree), as in the paper.
* :class:`GeneralOracle` -- anything with ``value``/``grad``: full gradient per step.

All work on flat vectors with ``xp`` (numpy or cupy).
"""
from __future__ import annotations

import numpy as np


def _dense(A, xp):
    return A.toarray() if hasattr(A, "toarray") else xp.asarray(A)


class GLMOracle:
    """Oracle over ``z = X x`` for data fits that expose the coordinate-state protocol."""

    exact_quadratic = False

    def __init__(self, f, x, bk):
        self.f, self.bk, self.xp = f, bk, bk.xp
        self.X = f.X
        self.n = f.n_samples
        self.z = f.state(x)
        self.exact_quadratic = f.glm_loss == "squared"
        self.factor = float(getattr(f, "loss_curvature_bound", 1.0))
        self._grad = f.grad_from_state(self.z)

    def value(self):
        return float(self.f.value_from_state(self.z))

    def value_at(self, b, delta):
        """``f`` after adding ``delta`` to block ``b`` (nothing is changed)."""
        return float(self.f.value_from_state(self.z + self.X[:, b] @ delta))

    @property
    def grad(self):
        return self._grad

    def apply(self, b, delta):
        self.z = self.z + self.X[:, b] @ delta
        self._grad = self.f.grad_from_state(self.z)

    def refresh(self, x):
        self.z = self.f.state(x)
        self._grad = self.f.grad_from_state(self.z)

    def block_hessian(self, b):
        Xb = _dense(self.X[:, b], self.xp)
        w = self.f.curvature_weights(self.z)
        return Xb.T @ (w[:, None] * Xb) / self.n

    def block_bound(self, b):
        Xb = _dense(self.X[:, b], self.xp)
        return self.factor * (Xb.T @ Xb) / self.n

    def coordinate_lipschitz(self):
        return self.xp.asarray(self.f.coordinate_lipschitz)

    def hess_rowsum(self):
        xp = self.xp
        A = abs(self.X)
        return self.factor * xp.asarray(A.T @ (A @ xp.ones(self.X.shape[1]))).ravel() / self.n

    def dual(self):
        return self.f.dual_from_state(self.z)


class QuadraticOracle:
    """Oracle for ``x^T Q x / 2 - b^T x`` with explicit ``Q``: incremental gradient."""

    exact_quadratic = True

    def __init__(self, f, x, bk):
        self.f, self.bk, self.xp = f, bk, bk.xp
        Q = f.Q
        self.Q = Q.tocsc() if bk.issparse(Q) and Q.format != "csc" else Q
        self.b = f.b
        self.x = x
        self._grad = self.Q @ x - self.b

    def value(self):
        return float(self.x @ (self._grad - self.b)) / 2 + float(getattr(self.f, "c", 0.0))

    def value_at(self, b, delta):
        # f(x + e_b delta) = f(x) + g_b^T delta + delta^T Q_bb delta / 2
        Qbb = self.block_hessian(b)
        return self.value() + float(self._grad[b] @ delta) + float(delta @ (Qbb @ delta)) / 2

    @property
    def grad(self):
        return self._grad

    def apply(self, b, delta):
        # x is the engine's iterate, already updated in place; only the gradient moves here
        self._grad = self._grad + self.Q[:, b] @ delta

    def refresh(self, x):
        self.x = x
        self._grad = self.Q @ x - self.b

    def block_hessian(self, b):
        return _dense(self.Q[b][:, b], self.xp)

    block_bound = block_hessian

    def coordinate_lipschitz(self):
        return self.xp.asarray(self.Q.diagonal())

    def hess_rowsum(self):
        xp = self.xp
        return xp.asarray(abs(self.Q) @ xp.ones(self.Q.shape[0])).ravel()


class GeneralOracle:
    """Any smooth part with ``value``/``grad`` (and optionally ``hess``/``hvp``,
    ``coordinate_lipschitz``, ``curvature_bound``); full gradient after each block step."""

    exact_quadratic = False

    def __init__(self, f, x, bk):
        self.f, self.bk, self.xp = f, bk, bk.xp
        self.shape = tuple(getattr(f, "shape", x.shape))
        self.x = x
        self._grad = self._g(x)

    def _g(self, x):
        return self.xp.asarray(self.f.grad(x.reshape(self.shape))).ravel()

    def value(self):
        return float(self.f.value(self.x.reshape(self.shape)))

    def value_at(self, b, delta):
        xt = self.x.copy()
        xt[b] += delta
        return float(self.f.value(xt.reshape(self.shape)))

    @property
    def grad(self):
        return self._grad

    def apply(self, b, delta):
        self._grad = self._g(self.x)

    def refresh(self, x):
        self.x = x
        self._grad = self._g(x)

    def _hess_block(self, H, b):
        if H is None:
            return None
        return _dense(H[b][:, b] if hasattr(H, "tocsr") else H[np.ix_(b, b)], self.xp)

    def block_hessian(self, b):
        f, xp = self.f, self.xp
        hess = getattr(f, "hess", None)
        hvp = getattr(f, "hvp", None)
        # the full Hessian only for small problems; otherwise |b| Hessian-vector products
        if hess is not None and (hvp is None or self.x.size <= FULL_HESSIAN_MAX):
            return self._hess_block(_flat_hess(hess(self.x.reshape(self.shape)), self.x.size), b)
        if hvp is None:
            raise TypeError(f"update='newton' needs `hess` or `hvp` from {type(f).__name__}")
        cols = []
        for j in b:
            e = xp.zeros(self.x.size)
            e[j] = 1.0
            cols.append(xp.asarray(hvp(self.x.reshape(self.shape), e.reshape(self.shape))).ravel()[b])
        return xp.stack(cols, axis=1)

    def block_bound(self, b):
        B = getattr(self.f, "curvature_bound", None)
        if B is None:
            raise TypeError(
                f"update='matrix' needs `curvature_bound` (a matrix B >= hess f) from "
                f"{type(self.f).__name__}; use update='newton' or 'gradient'"
            )
        return self._hess_block(_flat_hess(B, self.x.size), b)

    def coordinate_lipschitz(self):
        L = getattr(self.f, "coordinate_lipschitz", None)
        if L is None:
            return None
        return self.xp.asarray(L).ravel()

    def hess_rowsum(self):
        hess = getattr(self.f, "curvature_bound", None)
        if hess is None and getattr(self.f, "hess", None) is not None \
                and self.x.size <= FULL_HESSIAN_MAX:
            hess = self.f.hess(self.x.reshape(self.shape))
        if hess is None:
            return None
        H = _flat_hess(hess, self.x.size)
        return self.xp.asarray(abs(H).sum(axis=1)).ravel()


#: Largest variable size for which the general oracle forms the full Hessian.
FULL_HESSIAN_MAX = 2000


def _flat_hess(H, m):
    if H.shape != (m, m):
        raise ValueError(f"Hessian has shape {H.shape}; expected ({m}, {m}) for the flat variable")
    return H


def make_oracle(f, x, bk):
    """Pick the cheapest oracle ``f`` supports."""
    if getattr(f, "glm_loss", None) is not None and getattr(f, "grad_from_state", None) is not None:
        return GLMOracle(f, x, bk)
    if getattr(f, "Q", None) is not None and getattr(f, "b", None) is not None:
        return QuadraticOracle(f, x, bk)
    return GeneralOracle(f, x, bk)
