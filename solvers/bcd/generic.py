"""General block coordinate descent engine: any partition, rule and update, on any backend.

One iteration selects one block, updates it and records a history row. Array work is done
with ``xp`` (numpy or cupy) over all coordinates or blocks at once; on the GPU, variable
blocks of the ``block_size`` best-scoring coordinates updated together with a safe block step
(``1 / L_b`` with ``L_b`` a bound on the block's curvature) are the parallel counterpart of
the sequential greedy rule.
"""
from __future__ import annotations

import numpy as np

from ..core.optimality import duality_gap, prox_grad_mapping_norm
from ..core.result import LINESEARCH_FAILED, STALLED
from ..backend._select import to_host as _to_host
from . import updates as U
from .oracles import QuadraticOracle
from .partitions import Partition
from ..proximal._common import weak_convexity_floor
from .rules import RANDOMIZED, block_scores, coordinate_scores


class BlockSetup:
    """Quantities fixed for a run: coordinate and block curvature bounds, partition."""

    def __init__(self, oracle, part, xp, rule, need_d, g=None):
        self.part = part
        L = oracle.coordinate_lipschitz()
        # a weakly convex penalty (SCAD, MCP) has a closed-form prox only for steps below
        # its max_step; with prox_global a coordinate whose curvature bound is smaller takes
        # the exact (global) minimizer of its nonconvex model, otherwise it takes the floor
        # (a larger bound still majorizes f, so every step still descends)
        floor = 0.0 if getattr(g, "prox_global", None) is not None else weak_convexity_floor(g)
        if L is not None and floor > 0:
            L = xp.maximum(L, floor)
        # a coordinate with L_i = 0 (a zero column, a zero row of Q): f is linear along it, so
        # any positive curvature majorizes f there; take the largest one (the step 1 / L_i is
        # then finite and the coordinate moves towards the penalty's minimizer)
        fill = 1.0
        if L is not None:
            fill = float(_to_host(L).max()) or 1.0
            L = xp.where(L > 0, L, fill)
        self.L = L
        self.d = oracle.hess_rowsum() if need_d else None
        self.Lb = None
        self.Mb_inv = None
        if part is None:
            return
        nb, width = part.index.shape
        mats = None
        if width > 1:
            try:
                mats = np.stack([_pad(_to_host(oracle.block_bound(part.block(i))), width)
                                 for i in range(nb)])
            except TypeError:  # no curvature bound: fall back to sums of L_i below
                mats = None
        if mats is not None:
            # zero padding leaves the largest eigenvalue of each (PSD) block unchanged
            top = np.maximum(np.linalg.eigvalsh(mats)[:, -1], floor)
            self.Lb = xp.asarray(np.where(top > 0, top, fill))  # (an all-zero block)
            if rule == "gsq":
                self.Mb_inv = xp.asarray(np.linalg.pinv(mats, hermitian=True))
        elif L is not None:
            Lh = _to_host(L)
            Lpad = np.where(part.index >= 0, Lh[np.maximum(part.index, 0)], 0)
            self.Lb = xp.asarray(Lpad[:, 0] if width == 1 else Lpad.sum(1))


def _any_coordinate_moves(g, x, oracle, L, xp, update):
    """Whether some coordinate's gradient step is nonzero (a randomized rule can draw only
    settled coordinates for a long streak while one still moves). Without coordinate
    gradient steps: True can't be shown, False."""
    if update != "gradient" or L is None:
        return False
    Ls = xp.where(L > 0, L, 1.0)  # a coordinate with L_i = 0 has a zero column: it can't move
    return bool(((U.gradient_step(g, x, oracle.grad, Ls, xp) != 0) & (L > 0)).any())


def _pad(M, width):
    out = np.zeros((width, width))
    out[:M.shape[0], :M.shape[0]] = M
    return out


def measure_fn(name, f, g, oracle, L):
    """``measure(x, F)`` for the engine: duality gap from the oracle's dual point, or the
    prox-gradient mapping norm with step ``1 / max_i L_i``."""
    shape = getattr(oracle, "shape", None)
    if name == "gap" and shape is not None:
        def m(x, F):
            return duality_gap(f, g, x.reshape(shape), grad=oracle.grad.reshape(shape), primal=F)
        return m
    if name == "gap":
        def m(x, F):
            return duality_gap(f, g, x, grad=oracle.grad, primal=F, theta=oracle.dual())
        return m
    Lmax = float(_to_host(L).max()) if L is not None else 1.0
    # (the mapping's prox step stays inside SCAD / MCP's prox range)
    Lmax = max(Lmax, weak_convexity_floor(g))
    step = 1.0 / Lmax if Lmax > 0 else 1.0

    def m(x, F):
        return prox_grad_mapping_norm(g, x, oracle.grad, step)
    return m


def solve_generic(f, g, x, oracle, monitor, *, rule, blocks, block_size, part, update, max_iter,
                  rng, measure_name, active_set_newton, forest_solver=None, adjacency=None,
                  patience=5):
    """Run the general engine; returns ``(F, counts)``."""
    xp = oracle.xp
    n = x.shape[0]
    need_d = rule == "gsd" or (rule == "gsq" and part is not None and part.index.shape[1] > 1)
    setup = BlockSetup(oracle, part, xp, rule, need_d, g)
    if need_d and setup.d is None and not (rule == "gsq" and g is None and setup.Mb_inv is not None):
        raise TypeError(
            f"rule={rule!r} needs the diagonal curvature bound d_i = sum_j |H_ij|: give "
            f"{type(f).__name__} a `curvature_bound` matrix (or `hess` on small problems), or "
            "use rule='gsl'")
    L = setup.L
    if L is None and update == "gradient":
        raise TypeError(f"update='gradient' needs coordinate_lipschitz from {type(f).__name__}")
    measure = measure_fn(measure_name, f, g, oracle, L)
    pen = (lambda v: 0.0) if g is None else (lambda v: float(g.value(v)))
    F = oracle.value() + pen(x)
    counts = dict(nfev=1, njev=1, nhev=0)
    supp = x != 0
    if monitor.record(0, x, F, measure(x, F), support=int(supp.sum()), block=-1):
        return F, counts
    stable = idle = 0
    n_blocks = part.n_blocks if part is not None else max(1, n // max(block_size or 1, 1))
    for it in range(1, max_iter + 1):
        b, b_id = _select(rule, blocks, block_size, part, setup, g, x, oracle, rng, it, xp,
                          forest_solver, adjacency)
        grad_b = oracle.grad[b]
        x_b = x[b]
        Lb = _block_L(setup, b, b_id, oracle, xp) if update == "gradient" else None
        t = 1.0
        if update == "gradient":
            delta = U.gradient_step(g, x_b, grad_b, Lb, xp)
        elif update == "matrix":
            delta = U.model_solve(oracle.block_bound(b), grad_b, x_b, g, xp)
        elif update == "exact" and forest_solver is not None and g is None:
            delta = forest_solver(b, -grad_b)
        elif update == "exact":
            delta = U.model_solve(oracle.block_hessian(b), grad_b, x_b, g, xp)
        else:  # newton
            H = oracle.block_hessian(b)
            counts["nhev"] += 1
            H = H + 1e-12 * float(xp.abs(xp.diag(H)).max() + 1.0) * xp.eye(H.shape[0])
            delta = U.model_solve(H, grad_b, x_b, g, xp)
            if not oracle.exact_quadratic:
                t, ev = U.armijo_block(oracle, g, b, x_b, grad_b, delta, F, xp)
                counts["nfev"] += ev
                if t == 0.0:
                    monitor.stop_with(LINESEARCH_FAILED)
                    break
        if t != 1.0:
            delta = t * delta
        if not bool((delta != 0).any()):
            idle += 1
            # a greedy rule picks the block with the best score: if its step is zero no
            # block can move; for randomized rules wait for a full pass of zero steps
            if rule not in RANDOMIZED or (idle >= 2 * n_blocks + 10
                                          and not _any_coordinate_moves(g, x, oracle, L, xp,
                                                                        update)):
                monitor.stop_with(STALLED)
                break
        else:
            idle = 0
        x[b] = x_b + delta
        oracle.apply(b, delta)
        counts["njev"] += 1
        new_supp = x != 0
        stable = stable + 1 if bool((new_supp == supp).all()) else 0
        supp = new_supp
        if active_set_newton and stable >= patience and bool(supp.any()):
            ok, ev = _support_newton(oracle, g, x, supp, xp, F)
            counts["nfev"] += ev
            counts["nhev"] += 1
        if it % 1000 == 0:
            oracle.refresh(x)
        F = oracle.value() + pen(x)
        counts["nfev"] += 1
        if monitor.record(it, x, F, measure(x, F), support=int(supp.sum()), block=b_id):
            break
    return F, counts


def _block_L(setup, b, b_id, oracle, xp):
    if setup.Lb is not None and b_id >= 0:
        return float(setup.Lb[b_id])
    if b.size == 1 and setup.L is not None:
        return float(setup.L[b[0]])
    try:
        M = _to_host(oracle.block_bound(b))
        return float(np.linalg.eigvalsh(M)[-1])
    except TypeError:
        return float(setup.L[b].sum())


def _select(rule, blocks, block_size, part, setup, g, x, oracle, rng, it, xp, forest_solver,
            adjacency):
    """Return ``(indices, block_id)``; ``block_id`` is -1 for variable blocks."""
    n = x.shape[0]
    if blocks == "fixed":
        nb = part.n_blocks
        if rule == "cyclic":
            i = (it - 1) % nb
        elif rule == "random":
            i = int(rng.integers(nb))
        elif rule == "lipschitz":
            Lb = _to_host(setup.Lb)
            i = int(rng.choice(nb, p=Lb / Lb.sum()))
        else:
            s = block_scores(rule, part, g, x, oracle.grad, setup.L, setup.d, setup.Lb,
                             setup.Mb_inv, xp)
            i = int(xp.argmax(s))
        return xp.asarray(part.block(i)), i
    s = coordinate_scores(rule, g, x, oracle.grad, setup.L, setup.d, xp)
    if blocks == "forest":
        sh = _to_host(s)
        order = np.argsort(-sh, kind="stable")
        order = order[sh[order] > 0] if bool((sh > 0).any()) else order[:1]
        return xp.asarray(np.sort(adjacency.grow(order, block_size))), -1
    k = min(block_size, n)
    idx = xp.argpartition(-s, k - 1)[:k] if k < n else xp.arange(n)
    return xp.sort(idx), -1


def _support_newton(oracle, g, x, supp, xp, F):
    """Newton step on the identified support with the signs fixed (Nutini et al. §6).

    For L1-type penalties the objective is smooth on the orthant of the current support, so
    this is a Newton step for a smooth problem there; it is taken only if it keeps every sign
    and passes an Armijo test. Returns ``(accepted, evaluations)``."""
    params = getattr(g, "cd_params", None) if g is not None else (0.0, 0.0, False)
    if params is None:
        return False, 0
    l1, l2, _ = params
    S = xp.flatnonzero(supp)
    xs = x[S]
    sgn = xp.sign(xs)
    H = oracle.block_hessian(S) + l2 * xp.eye(S.size)
    rhs = -(oracle.grad[S] + l1 * sgn + l2 * xs)
    try:
        d = xp.linalg.solve(H, rhs)
    except Exception:  # singular block Hessian: skip the step
        return False, 0
    if not bool((xp.sign(xs + d) == sgn).all()) or not bool(xp.isfinite(d).all()):
        return False, 0
    t, ev = U.armijo_block(oracle, g, S, xs, oracle.grad[S], d, F, xp)
    if t == 0.0:
        return False, ev
    x[S] = xs + t * d
    oracle.apply(S, t * d)
    return True, ev


class ForestGrower:
    """Greedy forest blocks of a fixed graph, with the graph's pattern and work arrays kept
    between iterations (see :func:`solvers.bcd.forest.greedy_forest`)."""

    def __init__(self, adjacency):
        from .forest import _as_pattern
        self.indptr, self.indices, n = _as_pattern(adjacency)
        self.shape = (n, n)
        self.member = np.zeros(n, dtype=np.int8)
        self.parent = np.empty(n, dtype=np.int64)
        self.size = np.empty(n, dtype=np.int64)
        self.stamp = np.full(n, -1, dtype=np.int64)
        self.out = np.empty(n, dtype=np.int64)

    def grow(self, order, max_size=None):
        from .forest import _greedy_forest_kernel
        order = np.ascontiguousarray(order, dtype=np.int64)
        m = order.size if max_size is None else min(int(max_size), order.size)
        count = _greedy_forest_kernel(self.indptr, self.indices, order, m, self.member,
                                      self.parent, self.size, self.stamp, self.out)
        return self.out[:count].copy()


def forest_partition_for(kind, f, adjacency):
    """Partition from the graph: "red_black" (checkerboard of ``f.grid_shape``) or "forest"
    (greedy forests covering all nodes)."""
    from . import forest as fo
    n = adjacency.shape[0]
    if kind == "red_black":
        shape = getattr(f, "grid_shape", None)
        if shape is None:
            raise TypeError("partition='red_black' needs `grid_shape` from the smooth part")
        return Partition(fo.red_black_partition(shape, getattr(f, "grid_index", None)), n)
    if kind == "two_forest":
        shape = getattr(f, "grid_shape", None)
        if shape is None:
            raise TypeError("partition='two_forest' needs `grid_shape` from the smooth part")
        return Partition(fo.two_forest_partition(shape, getattr(f, "grid_index", None)), n)
    return Partition(fo.forest_partition(adjacency), n)


def make_forest_solver(oracle, bk):
    """Exact block solves ``Q_bb d = r`` by message passing (CPU, sparse Q)."""
    if not isinstance(oracle, QuadraticOracle) or not bk.issparse(oracle.Q) or bk.name != "cpu":
        return None
    from .message_passing import solve_forest_block
    Qr = oracle.Q.tocsr()

    def solve(b, rhs):
        return np.asarray(solve_forest_block(Qr, np.asarray(b), np.asarray(rhs)))
    return solve
