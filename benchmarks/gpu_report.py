"""GPU against CPU on the same problems, for the device checks of the ADMM and nonconvex
issues: ``python -m benchmarks.gpu_report`` (needs cupy and a CUDA device).

Prints median wall times (after a warm-up run) of the same solver call with the data on the
host and on the device, and the ratio CPU / GPU:

* ``nonconvex_ag`` (optimal damping, SCAD, fixed 500 iterations) on the simulation of Yang
  et al. at N = 3000, p = 2050, tau = 0.9;
* ``admm_lasso`` on a generated dense 10,000 x 2,000 problem at alpha_max / 10;
* ``admm_qp`` on a random sparse QP (when it runs on the device).
"""
from __future__ import annotations

import sys
import time

import numpy as np


def _median_time(fn, repeat=3):
    fn()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return float(np.median(out))


def main():
    import cupy as cp

    import problems
    import solvers
    from solvers.admm import admm_lasso

    from .lasso import alpha_max, make_sparse_regression
    from .nonconvex_sim import simulate

    def sync(fn):
        def go():
            r = fn()
            cp.cuda.Device().synchronize()
            return r
        return go

    rows = []

    def guarded(label, section):
        try:
            section()
        except Exception as exc:  # report and go on with the next section
            rows.append((f"{label}: {type(exc).__name__}: {exc}"[:160],
                         float("nan"), float("nan"), float("nan")))

    guarded("nonconvex_ag", lambda: _nonconvex(rows, sync, cp, problems, solvers, simulate))
    guarded("admm_lasso", lambda: _lasso(rows, sync, cp, admm_lasso, alpha_max,
                                         make_sparse_regression))
    guarded("admm_qp", lambda: _qp(rows, sync, cp))
    print(f"device: {cp.cuda.runtime.getDeviceProperties(0)['name'].decode()}, "
          f"cupy {cp.__version__}")
    print("| problem | CPU (s) | GPU (s) | CPU / GPU | agreement |")
    print("|---|---|---|---|---|")
    for name, tc, tg, agree in rows:
        print(f"| {name} | {tc:.3f} | {tg:.3f} | {tc / tg:.2f} | {agree:.1e} |")
    return 0


def _nonconvex(rows, sync, cp, problems, solvers, simulate):
    X, y, _ = simulate(3000, 0.9, "linear", seed=3000)
    g = problems.SCAD(0.2)
    f_cpu = problems.LeastSquares(X, y)
    f_gpu = problems.LeastSquares(cp.asarray(X), cp.asarray(y))
    runs = {}
    for name, f in (("cpu", f_cpu), ("gpu", f_gpu)):
        runs[name] = sync(lambda f=f: solvers.nonconvex_ag(f, g, tol=0.0, max_iter=500))
    t = {k: _median_time(v) for k, v in runs.items()}
    r_c, r_g = runs["cpu"](), runs["gpu"]()
    agree = abs(r_c.fun - r_g.fun) / abs(r_c.fun)
    rows.append(("nonconvex_ag SCAD N=3000 p=2050, 500 it", t["cpu"], t["gpu"], agree))


def _lasso(rows, sync, cp, admm_lasso, alpha_max, make_sparse_regression):
    X, y, _ = make_sparse_regression(10_000, 2_000, random_state=0)
    a = alpha_max(X, y) / 10
    Xg, yg = cp.asarray(X), cp.asarray(y)
    runs = {"cpu": sync(lambda: admm_lasso(X, y, a, abstol=1e-6, reltol=1e-6)),
            "gpu": sync(lambda: admm_lasso(Xg, yg, a, abstol=1e-6, reltol=1e-6))}
    t = {k: _median_time(v) for k, v in runs.items()}
    r_c, r_g = runs["cpu"](), runs["gpu"]()
    agree = float(np.abs(np.asarray(r_c.x) - cp.asnumpy(r_g.x)).max())
    rows.append((f"admm_lasso 10000x2000 ({r_c.nit} / {r_g.nit} it)", t["cpu"], t["gpu"], agree))


def _qp(rows, sync, cp):
    import scipy.sparse as sp

    from solvers.admm import admm_qp
    import cupyx.scipy.sparse as csp

    rng = np.random.default_rng(0)
    n, m = 2000, 4000
    M = sp.random(n, n, density=5.0 / n, random_state=1, format="csc")
    P = (M @ M.T + 1e-2 * sp.identity(n)).tocsc()
    A = sp.random(m, n, density=5.0 / n, random_state=2, format="csc")
    q = rng.standard_normal(n)
    lo, hi = -rng.random(m), rng.random(m)
    runs = {"cpu": sync(lambda: admm_qp(P, q, A, lo, hi, eps_abs=1e-6, eps_rel=1e-6)),
            "gpu": sync(lambda: admm_qp(csp.csc_matrix(P), cp.asarray(q),
                                        csp.csc_matrix(A), cp.asarray(lo), cp.asarray(hi),
                                        eps_abs=1e-6, eps_rel=1e-6))}
    t = {k: _median_time(v) for k, v in runs.items()}
    r_c, r_g = runs["cpu"](), runs["gpu"]()
    agree = abs(r_c.fun - float(r_g.fun)) / max(abs(r_c.fun), 1.0)
    rows.append((f"admm_qp n={n} m={m} ({r_c.nit} / {r_g.nit} it)", t["cpu"], t["gpu"],
                 agree))


if __name__ == "__main__":
    sys.exit(main())
