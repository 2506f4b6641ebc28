"""Finite-sum monotone operators for the inclusions ``0 in F(x) + G(x)``,
``F = (1/n) sum_i F_i``, of Cai, Alacaoglu & Diakonikolas, "Variance Reduced Halpern
Iteration for Finite-Sum Monotone Inclusions", ICLR 2024 (arXiv:2310.02987).

The finite-sum operator protocol
--------------------------------
Solvers (``solvers.monotone``) use only the names below, so any object that has them works
(DESIGN section 3). The variable is always a 1-D vector.

``n_components`` : int
    The number ``n`` of components ``F_i``.
``dim`` : int
    The length ``d`` of the variable.
``x0`` : array of shape (d,)
    The default starting point; a new array at each access.
``dtype``, ``backend``
    Floating dtype of the data and the :class:`solvers.backend.Backend` it lives on.
``full(x)``
    ``F(x) = (1/n) sum_i F_i(x)``. Solvers count it as ``n`` component evaluations.
``component(i, x)``
    ``F_i(x)`` for ``0 <= i < n``.
``batch(idx, x)``
    The mean of ``F_i(x)`` over the 1-D integer array ``idx`` (a repeated index counts as
    many times as it appears), computed without a Python loop over ``idx``.
``lipschitz`` : float
    A mean-square Lipschitz constant ``L``:
    ``(1/n) sum_i ||F_i(x) - F_i(y)||^2 <= L^2 ||x - y||^2`` for all ``x, y`` (in ``C`` where
    the class says so). By Jensen's inequality it is also a Lipschitz constant of ``F``.
``cocoercivity`` : float or None
    An expected-cocoercivity constant ``L_c``:
    ``(1/n) sum_i ||F_i(x) - F_i(y)||^2 <= L_c <F(x) - F(y), x - y>`` (the assumption of
    Algorithm 1 of Cai et al.), or None when ``F`` is only monotone (min-max problems).
``project`` : callable or None
    ``project(x)`` is the projection onto the constraint set ``C`` (``G`` is the normal cone
    of ``C``, so this is the resolvent of ``G``); None when ``G = 0``.
``solution`` : array or None (optional)
    A known solution ``x*`` (for the Halpern methods started at ``x0``, the one they converge
    to where the class says so), else None.
``gap(x)``, ``value`` (optional, games)
    The duality gap at ``x`` and the value of the game, when known.
``full_lipschitz`` : float (optional)
    The Lipschitz constant of ``F`` itself, often much smaller than ``lipschitz``, for
    deterministic methods (extragradient, EAG, Halpern with full evaluations).
``to(backend)``
    A copy with its data on "cpu" or "gpu".

Built-in operators
------------------
:class:`BilinearQuadratic`
    Finite-sum bilinear-quadratic saddle points; ``hard_instance`` is the hard test problem
    (monotone, unconstrained).
:class:`MatrixGame`
    ``min_x max_y y^T A x`` over two simplices, split over the rows (and columns) of ``A``;
    ``policeman_burglar`` and ``random`` constructors (monotone, constrained).
:class:`DROLogistic`
    Chi-square distributionally robust logistic regression (monotone, constrained).
:class:`GradientSum`
    Gradients of least-squares or logistic rows (cocoercive).
:class:`QuadraticSum`
    ``F_i(x) = Q_i x + q_i`` with PSD ``Q_i``, optionally box constrained (cocoercive).

Helpers: :func:`residual` (the natural residual ``||x - Proj_C(x - F(x))||``, the solvers'
stopping measure) and the projections :func:`project_simplex`, :func:`project_box`,
:func:`project_ball`.
"""
from ._base import FiniteSumOperator, residual
from .dro import DROLogistic
from .games import BilinearQuadratic, MatrixGame
from .projections import project_ball, project_box, project_simplex
from .quadratic import GradientSum, QuadraticSum

__all__ = [
    "BilinearQuadratic", "DROLogistic", "FiniteSumOperator", "GradientSum", "MatrixGame",
    "QuadraticSum", "project_ball", "project_box", "project_simplex", "residual",
]
