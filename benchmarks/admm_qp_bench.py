"""ADMM suite, section 1b: random sparse QPs by ``solvers.admm_qp`` against the OSQP C
library on the same problem with the same settings.

Problems (:func:`random_qp`): ``P = M M^T + 1e-2 I`` with ``M`` sparse (about 2 nonzeros
per column), ``q`` Gaussian, ``A`` of ``m = 2n`` rows with about 5 nonzeros per row (capped
at 15 % density), bounds ``l`` in ``[-1, 0]``, ``u`` in ``[0, 1]``: feasible (``x = 0``),
strictly convex. Both solvers run at ``eps_abs = eps_rel = 1e-6`` with polishing, OSQP with
its defaults otherwise (``rho = 0.1``, ``sigma = 1e-6``, ``alpha = 1.6``, adaptive rho,
10 Ruiz passes). Each returned ``(x, y)`` is judged by one shared measure
(:func:`kkt_residual`): the larger of the primal residual ``||Ax - Pi_[l,u](Ax)||_inf`` and
the dual residual ``||Px + q + A^T y||_inf``. Timed runs are interleaved round-robin
(setup and factorization included for both); the median is reported.
"""
from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from .harness import library_version

EPS = 1e-6


def random_qp(n, seed=0, m_factor=2, nnz_row=5, p_nnz=2):
    """A feasible, strictly convex sparse QP ``(P, q, A, l, u)`` (P full symmetric, CSC)."""
    rng = np.random.default_rng(seed)
    m = m_factor * n
    M = sp.random(n, n, density=min(0.15, p_nnz / n), random_state=rng,
                  data_rvs=rng.standard_normal)
    P = (M @ M.T + 1e-2 * sp.identity(n)).tocsc()
    A = sp.random(m, n, density=min(0.15, nnz_row / n), random_state=rng,
                  data_rvs=rng.standard_normal).tocsc()
    q = rng.standard_normal(n)
    return P, q, A, -rng.random(m), rng.random(m)


def kkt_residual(P, q, A, l, u, x, y):
    """Shared optimality measure of a QP point: ``max(||Ax - Pi(Ax)||_inf,
    ||Px + q + A^T y||_inf)``."""
    Ax = A @ x
    r_prim = float(np.abs(Ax - np.clip(Ax, l, u)).max()) if Ax.size else 0.0
    r_dual = float(np.abs(P @ x + q + A.T @ y).max())
    return max(r_prim, r_dual)


def _run_ours(qp):
    from solvers import admm_qp

    P, q, A, l, u = qp
    res = admm_qp(P, q, A, l, u, eps_abs=EPS, eps_rel=EPS, max_iter=100_000)
    return np.asarray(res.x), np.asarray(res.y), int(res.nit), res.status == 0


def _run_osqp(qp):
    import osqp

    P, q, A, l, u = qp
    solver = osqp.OSQP()
    solver.setup(sp.triu(P, format="csc"), q, A, l, u, eps_abs=EPS, eps_rel=EPS,
                 max_iter=100_000, polishing=True, verbose=False)
    res = solver.solve(raise_error=False)
    return np.asarray(res.x), np.asarray(res.y), int(res.info.iter), res.info.status == "solved"


def qp_section(sizes, repeat=5, seeds=(0,), say=print):
    """Rows ``{problem, method, time, iterations, kkt, objective, converged, ratio}``."""
    rows = []
    for n in sizes:
        for seed in seeds:
            qp = random_qp(n, seed=seed)
            P, q, A, l, u = qp
            name = f"QP n={n} m={A.shape[0]} seed={seed}"
            runs = {"optsuite admm_qp": lambda: _run_ours(qp), "OSQP": lambda: _run_osqp(qp)}
            out = {k: fn() for k, fn in runs.items()}  # warm-up (compiles)
            reps = repeat if n <= 2000 else max(1, repeat // 3)
            times = {k: [] for k in runs}
            for _ in range(reps):
                for k, fn in runs.items():
                    t0 = time.perf_counter()
                    out[k] = fn()
                    times[k].append(time.perf_counter() - t0)
            t_osqp = float(np.median(times["OSQP"]))
            for k in runs:
                x, y, nit, ok = out[k]
                t = float(np.median(times[k]))
                obj = float(0.5 * x @ (P @ x) + q @ x)
                row = {"problem": name, "method": k, "time": t, "iterations": nit,
                       "kkt": kkt_residual(P, q, A, l, u, x, y), "objective": obj,
                       "converged": ok, "ratio_vs_osqp": t / t_osqp, "repeats": reps}
                rows.append(row)
                say(f"    {name:28s} {k:18s} {t * 1e3:9.1f} ms  it {nit:6d}  kkt "
                    f"{row['kkt']:.1e}  ratio {row['ratio_vs_osqp']:.2f}")
    return rows


def versions():
    return {"osqp": library_version("osqp")}
