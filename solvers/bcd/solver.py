"""``solvers.bcd``: block coordinate descent with greedy rules (public entry point)."""
from __future__ import annotations

import numpy as np

from ..core.monitor import Monitor
from ..core.validation import check_option, check_scalar, require
from ..proximal._common import finish_x, initial_point, place_on_backend, resolve_measure
from . import glm_engine
from .generic import (
    ForestGrower, forest_partition_for, make_forest_solver, solve_generic,
)
from .oracles import make_oracle
from .partitions import PARTITIONS, make_partition
from .rules import GREEDY, RANDOMIZED, RULES
from .updates import UPDATES

BLOCKS = ("fixed", "variable", "forest")
GRAPH_PARTITIONS = ("red_black", "two_forest", "forest")
PROXIMAL_RULES = ("gs-s", "gs-r", "gs-q")


def bcd(f, g=None, x0=None, *, rule="gsl", blocks="fixed", block_size=1, partition="sorted",
        update="gradient", working_set="auto", active_set_newton=False, measure="auto",
        tol=1e-8, max_iter=None, callback=None, verbose=False, backend="auto",
        random_state=None):
    """Minimize ``f(x) + g(x)`` by block coordinate descent with greedy selection rules.

    Implements the method of Nutini, Laradji and Schmidt: a *partition* into blocks, a
    *selection rule* that picks the block to update, and an *update rule* for the chosen
    block, including message passing on forest-structured blocks and Newton steps on the
    identified active set.

    Parameters
    ----------
    f : smooth part
        Needs ``value`` and ``grad``. Data fits over a design matrix that expose the
        coordinate-state protocol (``glm_loss``, ``state``, ``grad_from_state``, as
        :class:`problems.LeastSquares` and :class:`problems.Logistic` do) run on compiled
        kernels at O(nnz of a column) per coordinate step; quadratics with an explicit sparse
        ``Q`` (:class:`problems.Quadratic`, :class:`problems.LabelPropagation`) keep their
        gradient up to date from the updated block's columns of ``Q``.
    g : penalty, optional
        Separable penalty (needs ``prox`` / ``subdiff_distance``). The compiled paths run
        ``cd_params`` penalties (L1, L2, elastic net, non-negative L1) and the folded concave
        SCAD and MCP (``folded_concave_params``); for these, a coordinate whose curvature
        bound ``L_j`` is below the penalty's weak-convexity modulus has a nonconvex
        one-coordinate model, which both engines minimize globally (the compiled kernels,
        and the generic engine through the penalty's ``prox_global``). The iterates
        converge to stationary points, measured by the prox-gradient mapping norm with a
        step kept inside the penalty's prox range.
    x0 : array, optional
        Starting point (default zeros). Never modified.
    rule : str, default "gsl"
        ``"cyclic"``, ``"random"`` (uniform), ``"lipschitz"`` (probability proportional to
        ``L_b``), or a greedy Gauss-Southwell rule: ``"gs"`` (largest ``||grad_b||``),
        ``"gsl"`` (largest ``||grad_b||^2 / L_b``), ``"gsd"`` (largest
        ``sum_b grad_i^2 / d_i`` with ``d_i = sum_j |H_ij|``), ``"gsq"`` (largest
        ``grad_b^T M_b^{-1} grad_b``); proximal rules ``"gs-s"`` (distance to the
        subdifferential), ``"gs-r"`` (length of the prox step), ``"gs-q"`` (decrease of the
        quadratic model plus penalty). With a nonsmooth ``g`` the smooth rules score the
        minimum-norm subgradient (the GS-s generalization).
    blocks : {"fixed", "variable", "forest"}, default "fixed"
        Fixed partition (see ``partition``); variable blocks of the ``block_size``
        best-scoring coordinates each iteration (greedy rules only); or a variable forest
        grown greedily by score in the graph ``f.adjacency`` (solved by message passing).
    block_size : int, default 1
        Coordinates per block (for ``blocks="forest"``: the largest forest size, or None).
    partition : str, default "sorted"
        For fixed blocks: ``"contiguous"``, ``"random"``, ``"sorted"`` (by ``L_i``),
        ``"average"`` (interleaved ``L_i``), ``"sorted_hess"``, ``"average_hess"`` (by Hessian
        row sums), or graph partitions into forests ``"red_black"``, ``"two_forest"`` (lattices
        with ``f.grid_shape``) and ``"forest"`` (greedy forests of ``f.adjacency``).
    update : {"gradient", "matrix", "newton", "exact"}, default "gradient"
        Gradient step ``1/L_b``; matrix step with a fixed curvature bound ``M_b``
        (``X_b^T X_b / n`` times ``sup loss''``); Newton step with the block Hessian and an
        Armijo line search; exact block minimization of a quadratic (message passing when the
        blocks are forests of a sparse ``Q``).
    working_set : {"auto", True, False}, default "auto"
        For greedy rules on single coordinates of a design-matrix fit: restrict each round to
        the support plus the best-scoring coordinates under the same rule, and run the greedy
        rule there with the gradient kept up to date through the working-set Gram matrix (see
        docs/bcd.md). "auto" is True for those problems on the CPU.
    active_set_newton : bool, default False
        Once the support has stopped changing, take Newton steps on it with the signs fixed
        (superlinear convergence; finite for quadratics). Needs a convex penalty (a
        ValueError for SCAD and MCP).
    measure : {"auto", "gap", "prox_grad_norm"}, default "auto"
        The duality gap when ``f`` and ``g`` provide one, else the prox-gradient mapping norm
        with step ``1 / max_i L_i``.
    tol : float, default 1e-8
        Stop when the measure is <= tol.
    max_iter : int, optional
        Budget of block updates (default ``1000 * n_blocks``).
    callback : callable, optional
        ``callback(intermediate_result)``; raise StopIteration to stop.
    verbose : bool, default False
    backend : {"auto", "cpu", "gpu"}, default "auto"
    random_state : int or numpy.random.Generator, optional
        Seeds the random rules and partitions.

    Returns
    -------
    Result
        ``history`` holds per row the objective, the measure, the time, the support size
        and the selected block (``block``: the block id, -1 for variable blocks) or, on the
        working-set path, the working-set size and the coordinate updates of the round;
        ``nit`` counts block updates. ``identified_at`` is the first iteration after which
        the support never changed.

    References
    ----------
    J. Nutini, I. Laradji, M. Schmidt, "Let's Make Block Coordinate Descent Converge Faster:
    Faster Greedy Rules, Message-Passing, Active-Set Complexity, and Superlinear
    Convergence", JMLR 23(131), 2022.
    P. Breheny, J. Huang, "Coordinate descent algorithms for nonconvex penalized regression,
    with applications to biological feature selection", Annals of Applied Statistics 5(1),
    2011 (coordinate descent for SCAD and MCP).

    Examples
    --------
    >>> import numpy as np, problems, solvers
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 20)); y = X[:, 0] - X[:, 1]
    >>> res = solvers.bcd(problems.LeastSquares(X, y), problems.L1(0.01), rule="gs-q")
    >>> res.success
    True
    """
    check_option(rule, "rule", RULES)
    check_option(blocks, "blocks", BLOCKS)
    check_option(update, "update", UPDATES)
    check_option(measure, "measure", ("auto", "gap", "prox_grad_norm"))
    check_option(partition, "partition", PARTITIONS + GRAPH_PARTITIONS)
    if working_set not in ("auto", True, False):
        raise ValueError(f"working_set must be 'auto', True or False, got {working_set!r}")
    if not isinstance(active_set_newton, (bool, np.bool_)):
        raise TypeError(f"active_set_newton must be True or False, got {active_set_newton!r}")
    tol = check_scalar(tol, "tol", lower=0.0)
    require(f, "value", "smooth part f")
    require(f, "grad", "smooth part f")
    if g is not None:
        require(g, "value", "penalty g")
        require(g, "subdiff_distance", "penalty g (coordinate rules score its subdifferential)")
        if getattr(g, "cd_params", None) is None:
            require(g, "prox_1d", "penalty g (coordinate updates need a separable prox)")
    if blocks == "variable" and rule in RANDOMIZED:
        raise ValueError(f"blocks='variable' picks the best-scoring coordinates and needs a greedy "
                         f"rule, got rule={rule!r}; use one of {GREEDY}")
    rng = np.random.default_rng(random_state)

    bk, f, on_gpu = place_on_backend(f, backend, x0)
    x0_checked = initial_point(f, x0, bk)
    shape = x0_checked.shape
    x = x0_checked.ravel().copy()
    n = x.size

    if blocks == "forest":
        if block_size is not None:
            block_size = int(check_scalar(block_size, "block_size", lower=1, upper=n))
    else:
        if isinstance(block_size, bool) or not isinstance(block_size, (int, np.integer)):
            raise TypeError(f"block_size must be an int, got {block_size!r}")
        if not 1 <= block_size <= n:
            raise ValueError(f"block_size must be in [1, {n}] (the number of variables), "
                             f"got {block_size}")
    measure = resolve_measure(measure, f, g)

    glm = getattr(f, "glm_loss", None) in glm_engine.K.LOSS_CODES and \
        getattr(f, "grad_from_state", None) is not None and len(shape) == 1
    if update == "exact":
        quad = (glm and f.glm_loss == "squared") or (getattr(f, "Q", None) is not None)
        if not quad:
            raise ValueError(f"update='exact' minimizes quadratics exactly; {type(f).__name__} is "
                             "not one: use update='newton'")
    sep = g is None or getattr(g, "cd_params", None) is not None
    pen = glm_engine.compiled_penalty(g)
    if active_set_newton and pen is not None and pen[0] != 0:
        raise ValueError(f"active_set_newton=True takes Newton steps on the support with the "
                         f"signs fixed, where an L1-type penalty is smooth; {g!r} is not: use "
                         f"active_set_newton=False")
    if update in ("matrix", "newton", "exact") and not sep and not (block_size == 1 and blocks == "fixed"):
        raise ValueError(f"update={update!r} on blocks needs a penalty with `cd_params` "
                         f"(L1, L2, ElasticNet), got {type(g).__name__}")
    if rule in PROXIMAL_RULES and g is not None and getattr(g, "prox", None) is None:
        raise ValueError(f"rule={rule!r} needs `prox` from the penalty {type(g).__name__}")

    fast = (glm and bk.name == "cpu" and pen is not None and blocks == "fixed"
            and block_size == 1 and (update != "exact" or f.glm_loss == "squared"))
    if working_set is True and not (fast and rule in GREEDY):
        raise ValueError("working_set=True needs a greedy rule, single-coordinate fixed blocks, a "
                         "design-matrix fit with `glm_loss` and a penalty the compiled kernels "
                         "run (L1, L2, ElasticNet, SCAD, MCP), on the CPU")
    use_ws = fast and rule in GREEDY and working_set in ("auto", True)
    use_epochs = fast and rule in RANDOMIZED and not active_set_newton

    monitor = Monitor("bcd", tol=tol, max_iter=max_iter if max_iter is not None else 0,
                      measure_name=measure, callback=callback, verbose=verbose,
                      to_host=bk.to_host)
    if use_ws or use_epochs:
        st = glm_engine.GLMState(f, g, x, pen, measure)
        budget = max_iter if max_iter is not None else 1000 * n
        monitor.max_iter = budget
        if use_ws:
            F, counts = glm_engine.solve_greedy_ws(
                st, monitor, rule=rule, update=update, max_iter=budget, ws_start=None,
                ws_growth=2, active_set_newton=active_set_newton)
        else:
            F, counts = glm_engine.solve_epochs(st, monitor, rule=rule, max_iter=budget, rng=rng)
        x = st.x
    else:
        oracle = make_oracle(f, x, bk)
        adjacency = getattr(f, "adjacency", None)
        forest_solver = None
        part = None
        if blocks == "fixed":
            if partition in GRAPH_PARTITIONS:
                if adjacency is None:
                    raise TypeError(f"partition={partition!r} needs `adjacency` (the variable "
                                    f"graph) from {type(f).__name__}")
                part = forest_partition_for(partition, f, adjacency)
            else:
                L = oracle.coordinate_lipschitz()
                Lh = None if L is None else bk.to_host(L)
                hs = bk.to_host(oracle.hess_rowsum()) if partition.endswith("_hess") else None
                part = make_partition(partition, n, block_size, lipschitz=Lh, hess_rowsum=hs,
                                      rng=rng)
        elif blocks == "forest":
            if adjacency is None:
                raise TypeError(f"blocks='forest' needs `adjacency` (the variable graph) from "
                                f"{type(f).__name__}")
            adjacency = ForestGrower(adjacency)
        if update == "exact" and (blocks == "forest" or partition in GRAPH_PARTITIONS):
            forest_solver = make_forest_solver(oracle, bk)
        n_blocks = part.n_blocks if part is not None else max(1, n // max(block_size or 1, 1))
        budget = max_iter if max_iter is not None else 1000 * n_blocks
        monitor.max_iter = budget
        F, counts = solve_generic(
            f, g, x, oracle, monitor, rule=rule, blocks=blocks, block_size=block_size,
            part=part, update=update, max_iter=budget, rng=rng, measure_name=measure,
            active_set_newton=active_set_newton, forest_solver=forest_solver,
            adjacency=adjacency)
    res = monitor.result(finish_x(x.reshape(shape), bk, on_gpu), F, **counts)
    res["identified_at"] = _identified_at(res.history)
    return res


def _identified_at(history):
    """First recorded iteration after which the support size never changed (None if the
    history has no support column or the support was still changing at the end)."""
    try:
        s = np.asarray(history.support)
        it = np.asarray(history.nit) if "nit" in history.columns else np.arange(s.size)
    except (AttributeError, KeyError):
        return None
    if s.size < 2:
        return None
    changed = np.flatnonzero(s[1:] != s[:-1])
    k = 0 if changed.size == 0 else int(changed[-1]) + 1
    return int(it[k]) if k < s.size - 1 else None
