"""Online tuning of the SOR relaxation parameter across a sequence of linear systems."""
from __future__ import annotations

import numpy as np

from ..core.validation import check_option, check_scalar
from .bandits import ChebCB, TsallisINF, TsallisINFCB, UnimodalUCB
from .omega import instance_optimal_omega
from .sor import SWEEPS, sor
from .ssor_pcg import ssor_pcg

LEARNERS = ("unimodal-ucb", "tsallis-inf", "tsallis-inf-cb", "chebcb", "fixed",
            "instance-optimal")
CONTEXTUAL = ("tsallis-inf-cb", "chebcb")
LEARNER_CLASSES = {"unimodal-ucb": UnimodalUCB, "tsallis-inf": TsallisINF,
                   "tsallis-inf-cb": TsallisINFCB, "chebcb": ChebCB}


class OmegaTuner:
    """Pick the relaxation parameter of SOR or SSOR-PCG for each system of a sequence,
    learning from the iteration counts of the previous solves.

    Each :meth:`solve` asks the learner for an omega on the grid ``omegas``, solves, and feeds
    the iteration count back as the cost of that omega (bandit feedback: only the chosen
    omega's cost is seen). Over T systems the total cost of a no-regret learner approaches that
    of the best fixed omega in hindsight; a contextual learner, given a scalar feature of each
    system (e.g. a diagonal shift or a diffusion coefficient), approaches the best omega per
    context (Khodak et al., ICLR 2024).

    Parameters
    ----------
    omegas : array of floats in (0, 2), default ``np.linspace(1, 1.95, 20)``
        The grid of relaxation parameters (sorted, distinct).
    learner : str, default "unimodal-ucb"
        - ``"unimodal-ucb"``: OSUB (:class:`~solvers.linear.bandits.UnimodalUCB`), which uses
          that the mean cost is unimodal in omega; the best available non-contextual learner
          on the paper's sequences (within 1-4% of the best fixed omega at T = 5000, ``python
          -m benchmarks run sor``).
        - ``"tsallis-inf"``: 1/2-Tsallis-INF (:class:`~solvers.linear.bandits.TsallisINF`),
          the paper's learner, with a regret bound against any (adversarial) sequence.
        - ``"tsallis-inf-cb"``: Tsallis-INF per context bin; needs ``context_bounds``.
        - ``"chebcb"``: :class:`~solvers.linear.bandits.ChebCB`, regression on Chebyshev
          features of the context; needs ``context_bounds``.
        - ``"fixed"``: always ``omega``.
        - ``"instance-optimal"``: for every system a golden-section search for the omega
          with the fewest iterations in ``[min(omegas), max(omegas)]``
          (:func:`~solvers.linear.instance_optimal_omega`); the hindsight comparator, costing
          about 15 extra solves per system (counted in ``search_solves_``, not in the costs).
    solver : {"sor", "ssor_pcg"}, default "sor"
    omega : float, optional
        The omega of ``learner="fixed"`` (required there, rejected elsewhere).
    context_bounds : (float, float), optional
        Range of the context, for the contextual learners.
    warm_start : bool, default False
        Start each solve from the previous solution when no ``x0`` is given and the sizes
        match (for sequences of related systems, such as time steps).
    tol, max_iter :
        Passed to the solver. A solve that does not converge costs ``max_iter + 1``.
    sweep : {"forward", "backward", "symmetric"}, default "forward"
        SOR sweep (``solver="sor"`` only).
    learner_options : dict, optional
        Keyword arguments of the learner's class (e.g. ``{"scale": "max"}`` for Tsallis-INF,
        ``{"degree": 8}`` for ChebCB).
    random_state : int, Generator or None
    backend : {"auto", "cpu"}, default "auto"
        Passed to the solver.

    Attributes
    ----------
    learner_ : object
        The learner (``select`` / ``update``), None for "fixed" and "instance-optimal".
    arms_, omegas_, costs_, contexts_ : lists
        Per solve: the grid index chosen (-1 off the grid), the omega used, the iteration
        count, the context.
    cumulative_cost_ : int
        Sum of ``costs_``.
    search_solves_ : int
        Extra solves spent by ``"instance-optimal"``.

    References
    ----------
    M. Khodak, E. Chow, M.-F. Balcan, A. Talwalkar, "Learning to relax: setting solver
    parameters across a sequence of linear system instances", ICLR 2024.

    Examples
    --------
    >>> import numpy as np, solvers
    >>> from problems.linear_systems import ShiftedLaplacianSequence
    >>> tuner = solvers.OmegaTuner(random_state=0)
    >>> for inst in ShiftedLaplacianSequence(nx=6, T=30, random_state=0):
    ...     res = tuner.solve(inst.A, inst.b)
    >>> len(tuner.costs_), res.success
    (30, True)
    """

    def __init__(self, omegas=None, learner="unimodal-ucb", solver="sor", *, omega=None,
                 context_bounds=None, warm_start=False, tol=1e-8, max_iter=10_000,
                 sweep="forward", learner_options=None, random_state=None, backend="auto"):
        grid = np.linspace(1.0, 1.95, 20) if omegas is None else np.asarray(omegas, float)
        if grid.ndim != 1 or grid.size == 0:
            raise ValueError("omegas must be a non-empty 1-D array")
        if not np.all(np.isfinite(grid)) or grid.min() <= 0 or grid.max() >= 2:
            raise ValueError("every omega must lie in the open interval (0, 2)")
        if np.any(np.diff(grid) <= 0):
            raise ValueError("omegas must be sorted increasingly and distinct (the unimodal "
                             "learner and the neighbour pooling of ChebCB use the order)")
        self.omegas = grid
        check_option(learner, "learner", LEARNERS)
        check_option(solver, "solver", ("sor", "ssor_pcg"))
        check_option(sweep, "sweep", SWEEPS)
        if solver == "ssor_pcg" and sweep != "forward":
            raise ValueError("sweep applies to solver='sor' only (ssor_pcg always sweeps "
                             "symmetrically)")
        self.learner = learner
        self.solver = solver
        self.sweep = sweep
        if learner == "fixed":
            if omega is None:
                raise ValueError("learner='fixed' needs omega=")
            omega = check_scalar(omega, "omega", lower=0.0, upper=2.0, lower_inclusive=False,
                                 upper_inclusive=False)
        elif omega is not None:
            raise ValueError(f"omega= is only for learner='fixed' (learner={learner!r} "
                             "chooses omega itself)")
        self.omega = omega
        self.tol = check_scalar(tol, "tol", lower=0.0)
        self.max_iter = int(check_scalar(max_iter, "max_iter", lower=0, integer=True))
        self.warm_start = bool(warm_start)
        self.backend = backend
        self.context_bounds = context_bounds
        options = dict(learner_options or {})
        cls = LEARNER_CLASSES.get(learner)
        if cls is None:
            if options:
                raise ValueError(f"learner={learner!r} takes no learner_options")
            self.learner_ = None
        else:
            if learner in CONTEXTUAL:
                options["context_bounds"] = context_bounds
            self.learner_ = cls(grid.size, random_state=random_state, **options)
        if learner not in CONTEXTUAL and context_bounds is not None:
            raise ValueError(f"context_bounds is for the contextual learners {CONTEXTUAL}")
        self.arms_, self.omegas_, self.costs_, self.contexts_ = [], [], [], []
        self.search_solves_ = 0
        self._previous = None

    @property
    def cumulative_cost_(self):
        return int(sum(self.costs_))

    def _run(self, A, b, omega, x0):
        kw = dict(omega=omega, x0=x0, tol=self.tol, max_iter=self.max_iter,
                  backend=self.backend)
        if self.solver == "sor":
            return sor(A, b, sweep=self.sweep, **kw)
        return ssor_pcg(A, b, **kw)

    def _starting_point(self, x0, n):
        if x0 is not None:
            return x0
        if self.warm_start and self._previous is not None and self._previous.shape == (n,):
            return self._previous
        return None

    def solve(self, A, b, context=None, x0=None):
        """Solve ``A x = b`` with the omega the learner picks, and learn from its cost.

        Parameters
        ----------
        A : sparse matrix of shape (n, n)
        b : array of shape (n,)
        context : float, optional
            Scalar feature of this system; required by the contextual learners.
        x0 : array of shape (n,), optional
            Starting point; default: the previous solution (``warm_start``) or zeros.

        Returns
        -------
        Result
            The solver's result, with ``omega``, ``arm`` and ``cost`` added.
        """
        if self.learner in CONTEXTUAL and context is None:
            raise ValueError(f"learner={self.learner!r} needs the context of every system: "
                             "solve(A, b, context=...)")
        if context is not None:
            context = check_scalar(context, "context")
        x0 = self._starting_point(x0, np.shape(b)[0] if np.ndim(b) else -1)
        if self.learner == "fixed":
            arm, omega = -1, self.omega
        elif self.learner == "instance-optimal":
            omega, _, evaluations = instance_optimal_omega(
                A, b, solver=self.solver, lo=self.omegas[0], hi=self.omegas[-1], tol=self.tol,
                max_iter=self.max_iter, x0=x0, sweep=self.sweep)
            self.search_solves_ += evaluations
            arm = -1
        else:
            arm = self.learner_.select(context)
            omega = float(self.omegas[arm])
        res = self._run(A, b, omega, x0)
        cost = res.nit if res.success else self.max_iter + 1
        if self.learner_ is not None:
            self.learner_.update(cost)
        self._previous = res.x.copy()  # stays on the solver's device (numpy or cupy)
        self.arms_.append(arm)
        self.omegas_.append(omega)
        self.costs_.append(cost)
        self.contexts_.append(context)
        res.omega, res.arm, res.cost = omega, arm, cost
        return res

    def statistics(self):
        """Per-arm summary: how often each omega was chosen and its mean cost.

        Returns
        -------
        dict
            ``omegas`` (the grid), ``counts`` and ``mean_costs`` per grid point (NaN where never
            chosen), ``n_solves`` and ``cumulative_cost``.
        """
        k = self.omegas.size
        arms = np.asarray(self.arms_, dtype=int)
        costs = np.asarray(self.costs_, dtype=float)
        on_grid = arms >= 0
        counts = np.bincount(arms[on_grid], minlength=k)
        sums = np.bincount(arms[on_grid], weights=costs[on_grid], minlength=k)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
        return {"omegas": self.omegas.copy(), "counts": counts, "mean_costs": means,
                "n_solves": len(self.costs_), "cumulative_cost": self.cumulative_cost_}
