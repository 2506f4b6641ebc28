"""Smooth parts ``f``: data fits over a design matrix and quadratics.

Each class implements the smooth-part protocol of DESIGN section 3: ``value``, ``grad``,
``value_and_grad``, ``hvp``, ``hess``, ``lipschitz`` and ``coordinate_lipschitz``. The data
fits (least squares, logistic, multinomial) also expose the members of the Fenchel duality
gap (``dual_point``, ``loss_conjugate``, ``design_rmatvec``; see
:func:`solvers.core.duality_gap`). All of them accept dense numpy/cupy arrays and CSR/CSC
sparse matrices (scipy or cupyx) and compute on the device the data lives on; ``to(backend)``
returns a copy on another device. The caller's arrays are never modified.
"""
from __future__ import annotations

import functools

import numpy as np

from solvers.backend import get_backend, resolve_backend
from solvers.core.validation import check_matrix, check_vector

from ._linalg import GramOperator, largest_eigenvalue, spectral_norm_sq


class _DesignFit:
    """Shared parts of the losses ``(1/n) sum_i loss_i((X x)_i)`` over a design ``X``."""

    _lipschitz_factor = 1.0  # sup of loss'' (1 for squares, 1/4 for logistic)

    def __init__(self, X, y, backend="auto", *, offset=None):
        bk = resolve_backend(backend, X, y)
        self.backend = bk
        self.X = check_matrix(X, "X", backend=bk)
        self.n_samples, self.n_features = self.X.shape
        self.y = self._check_labels(y)
        self.offset = self._check_offset(offset)

    def _check_offset(self, offset):
        """``None`` (no offset), or a finite scalar / vector of length ``n_samples`` kept as a
        vector on the data's device."""
        if offset is None:
            return None
        if np.ndim(offset) == 0:
            value = float(offset)
            if not np.isfinite(value):
                raise ValueError(f"offset must be finite, got {value}")
            return self.backend.xp.full(self.n_samples, value, dtype=self.X.dtype)
        return check_vector(offset, "offset", size=self.n_samples, dtype=self.X.dtype,
                            backend=self.backend)

    def _linear(self, x):
        """The linear predictor ``X x + offset``."""
        z = self.X @ x
        return z if self.offset is None else z + self.offset

    def _check_labels(self, y):
        return check_vector(y, "y", size=self.n_samples, dtype=self.X.dtype, backend=self.backend)

    @property
    def shape(self):
        """Shape of the variable ``x``."""
        return (self.n_features,)

    @property
    def dtype(self):
        return self.X.dtype

    def to(self, backend):
        """A copy of this smooth part with its data on ``backend`` ("cpu" or "gpu")."""
        bk = get_backend(backend)
        if bk == self.backend:
            return self
        kwargs = self._init_kwargs()
        if self.offset is not None:
            kwargs["offset"] = bk.to_device(self.backend.to_host(self.offset))
        return type(self)(bk.to_device(self.X), bk.to_device(self.y), **kwargs)

    def _init_kwargs(self):
        return {}

    def restrict(self, columns):
        """The same fit on the features ``columns`` only (``X[:, columns]``, same ``y`` and
        offset): ``f`` at a point that is zero off ``columns``, as working-set methods use.
        """
        cols = self.backend.xp.asarray(columns)
        kwargs = self._init_kwargs()
        if self.offset is not None:
            kwargs["offset"] = self.offset
        return type(self)(self.X[:, cols], self.y, backend=self.backend, **kwargs)

    def _offset_conjugate(self, theta):
        """The offset's share of ``(1/n) sum_i loss_i^*(-theta_i)``: with
        ``loss_i(z) = l(z + o_i)``, ``loss_i^*(-t) = l^*(-t) + t o_i``."""
        if self.offset is None:
            return 0.0
        return float(theta @ self.offset) / self.n_samples

    def design_rmatvec(self, theta):
        """``X^T theta / n`` (flattened), the map from dual to primal space."""
        return (self.X.T @ theta).ravel() / self.n_samples

    @functools.cached_property
    def _col_sq_norms(self):
        return self.backend.kernels.col_sq_norms(self.X)

    @functools.cached_property
    def lipschitz(self):
        """Global Lipschitz constant of ``grad f``: ``sup loss'' * ||X||_2^2 / n``."""
        return self._lipschitz_factor * spectral_norm_sq(self.X, self.backend) / self.n_samples

    @property
    def coordinate_lipschitz(self):
        """Lipschitz constants of the partial derivatives: ``sup loss'' * ||X_j||^2 / n``."""
        return self._lipschitz_factor * self._col_sq_norms / self.n_samples

    def value_and_grad(self, x):
        """``(f(x), grad f(x))`` sharing the product ``X x``."""
        return self.value(x), self.grad(x)

    # Coordinate-method state (DESIGN section 3): the linear predictor ``z = X x + offset``.
    # A coordinate step on ``x_j`` changes it by ``delta * X[:, j]``, so one step costs
    # O(nnz of column j); the loss derivatives below are functions of ``z`` alone.
    def state(self, x):
        """The linear predictor ``z = X x + offset`` that coordinate methods keep up to date."""
        return self._linear(x)

    def value_from_state(self, z):
        """``f(x)`` from the state ``z``."""
        return float(self._loss(z).sum()) / self.n_samples

    def grad_from_state(self, z):
        """``grad f(x) = X^T loss'(z) / n`` from the state ``z``."""
        return self.X.T @ self._dloss(z) / self.n_samples

    def dual_from_state(self, z):
        """The dual point ``theta = -loss'(z)`` (so ``grad f(x) = -X^T theta / n``)."""
        return -self._dloss(z)

    def _gram_curvature_bound(self):
        """``X^T X * sup loss'' / n`` as a :class:`GramOperator` (never formed)."""
        return GramOperator(self.X, self._lipschitz_factor / self.n_samples, 0.0, self.backend)

    @property
    def loss_curvature_bound(self):
        """``sup loss''``: ``X^T X * loss_curvature_bound / n`` bounds the Hessian."""
        return self._lipschitz_factor

    def __repr__(self):
        kind = "sparse" if self.backend.issparse(self.X) else "dense"
        return (f"{type(self).__name__}(n_samples={self.n_samples}, n_features={self.n_features}, "
                f"{kind}, backend={self.backend.name!r})")


class LeastSquares(_DesignFit):
    """Least squares ``f(x) = ||X x + offset - y||^2 / (2 n)``.

    Parameters
    ----------
    X : array or sparse matrix of shape (n_samples, n_features)
    y : array of shape (n_samples,)
    backend : {"auto", "cpu", "gpu"}
        Where the data is kept; "auto" keeps it where it is.
    offset : float or array of shape (n_samples,), optional
        A fixed term added to the linear predictor (an intercept held fixed, or a GLM
        offset); default none. For least squares it is the same as fitting ``y - offset``.

    Notes
    -----
    The 1/(2n) scaling matches scikit-learn's Lasso and ElasticNet, so ``alpha`` means the same.
    The dual point is the residual ``theta = y - X x``.

    Examples
    --------
    >>> import numpy as np, problems
    >>> f = problems.LeastSquares(np.eye(2), np.array([1.0, 2.0]))
    >>> f.value(np.zeros(2))
    1.25
    """

    def value(self, x):
        r = self._linear(x) - self.y
        return float(r @ r) / (2 * self.n_samples)

    def grad(self, x):
        return self.X.T @ (self._linear(x) - self.y) / self.n_samples

    def value_and_grad(self, x):
        r = self._linear(x) - self.y
        return float(r @ r) / (2 * self.n_samples), self.X.T @ r / self.n_samples

    def hvp(self, x, v):
        """Hessian-vector product ``X^T X v / n`` (independent of ``x``)."""
        return self.X.T @ (self.X @ v) / self.n_samples

    def hess(self, x=None):
        """Hessian ``X^T X / n`` (sparse when ``X`` is)."""
        H = self.X.T @ self.X
        return H / self.n_samples

    @property
    def curvature_bound(self):
        """``B = X^T X / n`` (the Hessian itself) as a :class:`~problems._linalg.GramOperator`:
        ``B @ v`` costs one product with ``X`` and one with ``X^T``."""
        return self._gram_curvature_bound()

    glm_loss = "squared"

    def _loss(self, z):
        r = z - self.y
        return r * r / 2

    def _dloss(self, z):
        return z - self.y

    def curvature_weights(self, z):
        """``loss''(z)``: the Hessian is ``X^T diag(w) X / n`` (all ones here)."""
        return self.backend.xp.ones_like(z)

    def dual_point(self, x):
        return self.y - self._linear(x)

    def value_grad_dual(self, x):
        """``(f(x), grad f(x), dual_point(x))`` from one product with X and one with X^T."""
        r = self._linear(x) - self.y
        return float(r @ r) / (2 * self.n_samples), self.X.T @ r / self.n_samples, -r

    def loss_conjugate(self, theta):
        # (1/n) sum_i loss_i^*(-theta_i) with loss_i(z) = (z - y_i)^2 / 2
        return ((float(theta @ theta) / 2 - float(theta @ self.y)) / self.n_samples
                + self._offset_conjugate(theta))


class Logistic(_DesignFit):
    """Binary logistic loss ``f(x) = (1/n) sum_i log(1 + exp(-y_i (x_i^T x + offset_i)))``.

    Parameters
    ----------
    X : array or sparse matrix of shape (n_samples, n_features)
    y : array of shape (n_samples,)
        Labels in {-1, +1} (see :func:`problems.datasets.normalize_labels`).
    backend : {"auto", "cpu", "gpu"}
    offset : float or array of shape (n_samples,), optional
        A fixed term added to the linear predictor, e.g. an unpenalized intercept held
        fixed while the coefficients are solved for (default none).

    Notes
    -----
    ``loss'' <= 1/4`` gives ``lipschitz = ||X||_2^2 / (4 n)``. The dual point is
    ``theta_i = y_i sigma(-y_i z_i)`` with ``z = X x + offset``, and
    ``loss^*(-theta_i) = p log p + (1 - p) log(1 - p) + theta_i offset_i`` with
    ``p = y_i theta_i in [0, 1]``.
    """

    _lipschitz_factor = 0.25

    def _check_labels(self, y):
        y = super()._check_labels(y)
        xp = self.backend.xp
        bad = xp.abs(y) != 1
        if bool(bad.any()):
            found = np.unique(self.backend.to_host(y))[:5]
            raise ValueError(
                f"y must hold labels -1 and +1 for Logistic, found {found.tolist()}; "
                "map them with problems.datasets.normalize_labels(y, 'binary')"
            )
        return y

    def _margins(self, x):
        return self.y * self._linear(x)

    def value(self, x):
        m = self._margins(x)
        return float(self.backend.kernels.log1pexp(-m).sum()) / self.n_samples

    def grad(self, x):
        m = self._margins(x)
        return -(self.X.T @ (self.y * self.backend.kernels.expit(-m))) / self.n_samples

    def value_and_grad(self, x):
        m = self._margins(x)
        k = self.backend.kernels
        val = float(k.log1pexp(-m).sum()) / self.n_samples
        return val, -(self.X.T @ (self.y * k.expit(-m))) / self.n_samples

    def _weights(self, x):
        s = self.backend.kernels.expit(self._linear(x))
        return s * (1 - s)

    def hvp(self, x, v):
        """``X^T diag(sigma(z)(1 - sigma(z))) X v / n``."""
        return self.X.T @ (self._weights(x) * (self.X @ v)) / self.n_samples

    #: Up to this many features the Hessian of a sparse design is returned dense.
    DENSE_HESSIAN_MAX_FEATURES = 4096

    def hess(self, x):
        """Hessian ``X^T D X / n``, ``D = diag(sigma(z)(1 - sigma(z)))``: a dense array, also
        for a sparse ``X`` with at most ``DENSE_HESSIAN_MAX_FEATURES`` columns (computed row
        by row by a compiled kernel, without a sparse-sparse product); sparse above that."""
        d = self._weights(x) / self.n_samples
        if self.backend.issparse(self.X):
            if self.n_features <= self.DENSE_HESSIAN_MAX_FEATURES:
                return self.backend.kernels.weighted_gram(self.X, d)
            D = self.backend.sparse.diags(d)
            return (self.X.T @ D @ self.X)
        return self.X.T @ (d[:, None] * self.X)

    @property
    def curvature_bound(self):
        """``B = X^T X / (4 n)``, a bound on every Hessian (``loss'' <= 1/4``), as a
        :class:`~problems._linalg.GramOperator`."""
        return self._gram_curvature_bound()

    glm_loss = "logistic"

    def _loss(self, z):
        return self.backend.kernels.log1pexp(-self.y * z)

    def _dloss(self, z):
        return -self.y * self.backend.kernels.expit(-self.y * z)

    def curvature_weights(self, z):
        """``loss''(z) = sigma(z)(1 - sigma(z))``: the Hessian is ``X^T diag(w) X / n``."""
        s = self.backend.kernels.expit(z)
        return s * (1 - s)

    def dual_point(self, x):
        return self.y * self.backend.kernels.expit(-self._margins(x))

    def value_grad_dual(self, x):
        """``(f(x), grad f(x), dual_point(x))`` from one product with X and one with X^T."""
        m = self._margins(x)
        k = self.backend.kernels
        theta = self.y * k.expit(-m)
        val = float(k.log1pexp(-m).sum()) / self.n_samples
        return val, -(self.X.T @ theta) / self.n_samples, theta

    def loss_conjugate(self, theta):
        ent = self.backend.kernels.neg_entropy_sum(self.y * theta)
        return ent / self.n_samples + self._offset_conjugate(theta)


def _xlogx(p, xp):
    """``p log p`` with ``0 log 0 = 0``."""
    safe = xp.where(p > 0, p, 1.0)
    return xp.where(p > 0, p * xp.log(safe), 0.0)


class Multinomial(_DesignFit):
    """Multinomial (softmax) logistic loss over K classes.

    ``f(W) = (1/n) sum_i [logsumexp(x_i^T W) - x_i^T w_{y_i}]`` for ``W`` of shape
    (n_features, K), handled by the solvers as the flat vector ``W.ravel()`` (C order).

    Parameters
    ----------
    X : array or sparse matrix of shape (n_samples, n_features)
    y : array of shape (n_samples,)
        Integer labels in 0..K-1.
    n_classes : int, optional
        K (default: ``max(y) + 1``).
    backend : {"auto", "cpu", "gpu"}

    Notes
    -----
    The Hessian of log-sum-exp is bounded by I/2 (Böhning, 1992), so
    ``lipschitz = ||X||_2^2 / (2 n)``; the diagonal entries are at most 1/4, so
    ``coordinate_lipschitz = ||X_j||^2 / (4 n)`` for each (feature, class).
    """

    _lipschitz_factor = 0.5

    def __init__(self, X, y, n_classes=None, backend="auto"):
        self._n_classes_arg = n_classes
        super().__init__(X, y, backend=backend)

    def _init_kwargs(self):
        return {"n_classes": self.n_classes}

    def _check_labels(self, y):
        y = check_vector(y, "y", size=self.n_samples, backend=self.backend)
        xp = self.backend.xp
        yi = y.astype(np.int64)
        if bool((yi != y).any()) or bool((yi < 0).any()):
            found = np.unique(self.backend.to_host(y))[:5]
            raise ValueError(
                f"y must hold integer class labels 0..K-1 for Multinomial, found {found.tolist()}; "
                "map them with problems.datasets.normalize_labels(y, 'multiclass')"
            )
        k_max = int(yi.max()) + 1
        K = k_max if self._n_classes_arg is None else int(self._n_classes_arg)
        if K < 2 or K < k_max:
            raise ValueError(f"n_classes={K} must be >= 2 and > max(y)={k_max - 1}")
        self.n_classes = K
        Y = xp.zeros((self.n_samples, K), dtype=self.X.dtype)
        Y[xp.arange(self.n_samples), yi] = 1.0
        self._Y = Y
        return yi

    @property
    def shape(self):
        return (self.n_features * self.n_classes,)

    @property
    def coordinate_lipschitz(self):
        return self.backend.xp.repeat(self._col_sq_norms, self.n_classes) / (4 * self.n_samples)

    def to(self, backend):
        bk = get_backend(backend)
        if bk == self.backend:
            return self
        return Multinomial(bk.to_device(self.X), bk.to_device(self.y), n_classes=self.n_classes)

    def _scores(self, x):
        return self.X @ x.reshape(self.n_features, self.n_classes)

    def _softmax(self, Z):
        xp = self.backend.xp
        Zs = Z - Z.max(axis=1, keepdims=True)
        E = xp.exp(Zs)
        s = E.sum(axis=1, keepdims=True)
        return E / s, Zs, s

    def value(self, x):
        Z = self._scores(x)
        _, Zs, s = self._softmax(Z)
        xp = self.backend.xp
        lse = xp.log(s).ravel()
        return float((lse - (Zs * self._Y).sum(axis=1)).sum()) / self.n_samples

    def grad(self, x):
        S, _, _ = self._softmax(self._scores(x))
        return (self.X.T @ (S - self._Y)).ravel() / self.n_samples

    def value_and_grad(self, x):
        Z = self._scores(x)
        S, Zs, s = self._softmax(Z)
        xp = self.backend.xp
        val = float((xp.log(s).ravel() - (Zs * self._Y).sum(axis=1)).sum()) / self.n_samples
        return val, (self.X.T @ (S - self._Y)).ravel() / self.n_samples

    def hvp(self, x, v):
        """``X^T [S * (X V) - S * rowsum(S * X V)] / n`` with ``S`` the softmax probabilities."""
        S, _, _ = self._softmax(self._scores(x))
        XV = self.X @ v.reshape(self.n_features, self.n_classes)
        SXV = S * XV
        out = SXV - S * SXV.sum(axis=1, keepdims=True)
        return (self.X.T @ out).ravel() / self.n_samples

    def hess(self, x):
        """Dense Hessian of size (p K, p K) (for small problems and tests)."""
        xp = self.backend.xp
        d = self.n_features * self.n_classes
        eye = xp.eye(d, dtype=self.X.dtype)
        return xp.stack([self.hvp(x, eye[i]) for i in range(d)], axis=1)

    def dual_point(self, x):
        S, _, _ = self._softmax(self._scores(x))
        return self._Y - S

    def value_grad_dual(self, x):
        """``(f(x), grad f(x), dual_point(x))`` from one product with X and one with X^T."""
        S, Zs, s = self._softmax(self._scores(x))
        xp = self.backend.xp
        val = float((xp.log(s).ravel() - (Zs * self._Y).sum(axis=1)).sum()) / self.n_samples
        theta = self._Y - S
        return val, -(self.X.T @ theta).ravel() / self.n_samples, theta

    def design_rmatvec(self, theta):
        return (self.X.T @ theta).ravel() / self.n_samples

    def loss_conjugate(self, theta):
        xp = self.backend.xp
        q = xp.clip(self._Y - theta, 0.0, 1.0)
        return float(_xlogx(q, xp).sum()) / self.n_samples


class Quadratic:
    """Quadratic ``f(x) = x^T Q x / 2 - b^T x`` with ``Q`` symmetric positive semidefinite.

    Parameters
    ----------
    Q : array or sparse matrix of shape (n, n)
        Symmetric PSD matrix (symmetry is checked; definiteness is the caller's promise,
        checked cheaply through the diagonal).
    b : array of shape (n,), optional
        Linear term (default zero).
    backend : {"auto", "cpu", "gpu"}
    """

    def __init__(self, Q, b=None, backend="auto"):
        bk = resolve_backend(backend, Q, b)
        self.backend = bk
        Q = check_matrix(Q, "Q", backend=bk)
        n = Q.shape[0]
        if Q.shape != (n, n):
            raise ValueError(f"Q must be square, got shape {Q.shape}")
        xp = bk.xp
        asym = abs(Q - Q.T).max() if bk.issparse(Q) else xp.abs(Q - Q.T).max()
        scale = abs(Q).max() if bk.issparse(Q) else xp.abs(Q).max()
        if float(asym) > 1e-10 * max(float(scale), 1.0):
            raise ValueError(f"Q must be symmetric; max |Q - Q^T| = {float(asym):.3e}")
        diag = Q.diagonal()
        if bool((diag < 0).any()):
            raise ValueError("Q must be positive semidefinite but has a negative diagonal entry")
        self.Q = Q
        self.n = n
        self.b = xp.zeros(n, dtype=Q.dtype) if b is None else check_vector(b, "b", size=n, backend=bk)
        self._diag = diag

    @property
    def shape(self):
        return (self.n,)

    @property
    def dtype(self):
        return self.Q.dtype

    def to(self, backend):
        bk = get_backend(backend)
        if bk == self.backend:
            return self
        return Quadratic(bk.to_device(self.Q), bk.to_device(self.b))

    def value(self, x):
        return float(x @ (self.Q @ x)) / 2 - float(self.b @ x)

    def grad(self, x):
        return self.Q @ x - self.b

    def value_and_grad(self, x):
        Qx = self.Q @ x
        return float(x @ Qx) / 2 - float(self.b @ x), Qx - self.b

    def hvp(self, x, v):
        return self.Q @ v

    def hess(self, x=None):
        return self.Q

    @functools.cached_property
    def lipschitz(self):
        """Largest eigenvalue of Q."""
        return largest_eigenvalue(self.Q, self.backend)

    @property
    def coordinate_lipschitz(self):
        """Diagonal of Q."""
        return self._diag

    @property
    def curvature_bound(self):
        """``Q`` itself (the Hessian)."""
        return self.Q

    def __repr__(self):
        return f"Quadratic(n={self.n}, backend={self.backend.name!r})"
