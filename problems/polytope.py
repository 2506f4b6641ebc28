"""Polytope feasibility ``f(x) = sum_i max(0, a_i^T x - b_i)^p``, a test function of the damped
Newton papers (Hanzely, Abdukhakimov, Takac 2024)."""
from __future__ import annotations

import numpy as np

from solvers.core.validation import check_matrix, check_scalar, check_vector


class PolytopeFeasibility:
    """``f(x) = sum_i max(0, a_i^T x - b_i)^p``: zero exactly on the polytope
    ``{x : A x <= b}`` and convex; its Hessian is only Holder continuous (of order ``p - 2``
    for ``2 < p < 3``), which makes it a test of the smoothness-adaptive Newton stepsizes.

    The Hessian ``p (p - 1) A^T diag(max(0, r)^{p-2}) A`` (``r = A x - b``) is singular away
    from the violated constraints, so Newton methods must regularize it (the damped Newton
    solver does; see its ``linsolve`` notes).

    Parameters
    ----------
    A : (m, n) array or sparse matrix
    b : (m,) array
    p : float >= 2, default 3
        Power of the violations (p = 2: piecewise quadratic, Hessian discontinuous; p > 2:
        twice continuously differentiable).

    Attributes
    ----------
    x0 : ndarray
        Zeros (the origin is infeasible for the instances built by :meth:`random`).
    f_star : float
        0 whenever the polytope is non-empty.
    """

    def __init__(self, A, b, p=3.0):
        self.A = check_matrix(A, "A")
        m, n = self.A.shape
        self.b = check_vector(b, "b", size=m, dtype=np.float64)
        self.p = check_scalar(p, "p", lower=2.0)
        self.n = n
        self.f_star = 0.0

    @classmethod
    def random(cls, m, n, p=3.0, random_state=None):
        """A random non-empty instance: Gaussian ``A``, a feasible point ``x_f`` with
        ``b = A x_f + u``, ``u ~ U(0, 1)``, and ``x_f`` drawn away from the origin so that
        ``x0 = 0`` violates about half the constraints."""
        rng = np.random.default_rng(random_state)
        A = rng.standard_normal((m, n))
        x_feas = rng.standard_normal(n) * 3.0
        b = A @ x_feas + rng.uniform(0.0, 1.0, m)
        out = cls(A, b, p)
        out.x_feasible = x_feas
        return out

    @property
    def x0(self):
        """The origin (a fresh array)."""
        return np.zeros(self.n)

    @property
    def shape(self):
        return (self.n,)

    @property
    def dtype(self):
        return np.dtype(np.float64)

    def _viol(self, x):
        return np.maximum(self.A @ x - self.b, 0.0)

    def value(self, x):
        return float((self._viol(x) ** self.p).sum())

    def grad(self, x):
        return self.A.T @ (self.p * self._viol(x) ** (self.p - 1.0))

    def value_and_grad(self, x):
        v = self._viol(x)
        return float((v ** self.p).sum()), self.A.T @ (self.p * v ** (self.p - 1.0))

    def _weights(self, x):
        v = self._viol(x)
        if self.p == 2.0:
            return 2.0 * (v > 0)
        return self.p * (self.p - 1.0) * v ** (self.p - 2.0)

    def hvp(self, x, v):
        return self.A.T @ (self._weights(x) * (self.A @ v))

    def hess(self, x):
        w = self._weights(x)
        if hasattr(self.A, "tocsr"):
            import scipy.sparse as sp
            return (self.A.T @ sp.diags(w) @ self.A).tocsr()
        return self.A.T @ (w[:, None] * self.A)

    def __repr__(self):
        return f"PolytopeFeasibility(m={self.A.shape[0]}, n={self.n}, p={self.p:g})"
