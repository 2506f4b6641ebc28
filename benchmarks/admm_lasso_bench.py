"""ADMM suite, section 1a: the Lasso by ``solvers.admm.admm_lasso`` against OSQP (the Lasso
written as a QP) and scikit-learn's coordinate descent.

Every solver is judged by one shared measure, the relative duality gap of the Lasso
(:func:`lasso_gaps`: :func:`problems.duality_gap` over ``gap(0)``), at its returned point. ADMM and OSQP run
at ``eps_abs = eps_rel = 1e-6`` (each its own residual rule: Boyd et al.'s for ADMM,
OSQP's for OSQP; Boyd's rule at 1e-6 is the looser of the two on these problems, so ADMM
is also run at 1e-8, which reaches OSQP's gap or better); scikit-learn gets the tolerance that makes its own gap rule stop at the
relative gap ADMM reached (``tol = target * gap(0) * n / ||y||^2``), so the times compare
runs of equal accuracy. Timed runs are interleaved round-robin and the median is reported.

OSQP's form of the Lasso (Stellato et al. 2020, section 7.2), variables ``(x, r, t)``:
``min r^T r / (2 n) + alpha 1^T t`` s.t. ``X x - r = y``, ``-t <= x <= t``.
"""
from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from .harness import library_version

EPS = 1e-6
#: OSQP is not run when the QP's constraint matrix has more nonzeros (dense designs).
OSQP_MAX_NNZ = 5_000_000
#: Seconds above which a solver's warm-up run is its only timed run.
SLOW = 10.0


def lasso_gaps(X, y, alpha):
    """``rel_gap(x) = gap(x) / gap(0)`` of the Lasso on ``(X, y, alpha)``, with the smooth
    part built and ``gap(0)`` computed once; ``rel_gap.gap0`` is ``gap(0)``."""
    import problems

    Xc = X.tocsc() if sp.issparse(X) else X
    f, g = problems.LeastSquares(Xc, y), problems.L1(alpha)
    gap0 = problems.duality_gap(f, g, np.zeros(X.shape[1]))

    def rel_gap(x):
        return float(problems.duality_gap(f, g, np.asarray(x, dtype=float))) / gap0

    rel_gap.gap0 = gap0
    return rel_gap


def lasso_as_qp(X, y, alpha):
    """``(P, q, A, l, u)`` of the Lasso in OSQP's form; ``x`` is the first ``p`` entries."""
    n, p = X.shape
    Xs = sp.csc_matrix(X)
    I_p, I_n = sp.identity(p, format="csc"), sp.identity(n, format="csc")
    Z_np, Z_pn, Z_pp = (sp.csc_matrix((n, p)), sp.csc_matrix((p, n)), sp.csc_matrix((p, p)))
    P = sp.block_diag([Z_pp, I_n / n, Z_pp], format="csc")
    q = np.concatenate([np.zeros(p + n), np.full(p, alpha)])
    A = sp.bmat([[Xs, -I_n, Z_np], [I_p, Z_pn, -I_p], [I_p, Z_pn, I_p]], format="csc")
    lo = np.concatenate([y, np.full(p, -np.inf), np.zeros(p)])
    hi = np.concatenate([y, np.zeros(p), np.full(p, np.inf)])
    return P, q, A, lo, hi


def _run_admm(X, y, alpha, eps=EPS):
    from solvers.admm import admm_lasso

    res = admm_lasso(X, y, alpha, abstol=eps, reltol=eps, max_iter=100_000)
    return np.asarray(res.x), int(res.nit), bool(res.success)


def _run_osqp(X, y, alpha, qp):
    import osqp

    P, q, A, lo, hi = qp
    solver = osqp.OSQP()
    solver.setup(sp.triu(P, format="csc"), q, A, lo, hi, eps_abs=EPS, eps_rel=EPS,
                 max_iter=100_000, polishing=False, verbose=False)
    res = solver.solve(raise_error=False)
    x = np.asarray(res.x[:X.shape[1]]) if res.x is not None else np.zeros(X.shape[1])
    return x, int(res.info.iter), res.info.status == "solved"


def _run_sklearn(X, y, alpha, tol):
    from sklearn.linear_model import Lasso

    est = Lasso(alpha=alpha, fit_intercept=False, tol=tol, max_iter=100_000).fit(X, y)
    return est.coef_.copy(), int(est.n_iter_), True


def lasso_section(problems_, repeat=5, say=print):
    """Rows ``{problem, method, time, iterations, rel_gap, converged}`` (median times).

    ``problems_``: list of ``(name, X, y, alpha)``."""
    rows = []
    for name, X, y, alpha in problems_:
        dense_nnz = X.nnz if sp.issparse(X) else X.size
        qp = lasso_as_qp(X, y, alpha) if dense_nnz <= OSQP_MAX_NNZ else None
        # the target of scikit-learn: the gap ADMM reaches (warm-up run, also compiles)
        rel_gap = lasso_gaps(X, y, alpha)
        x0, _, _ = _run_admm(X, y, alpha)
        target = max(rel_gap(x0), 1e-14)
        sk_tol = target * rel_gap.gap0 * X.shape[0] / float(y @ y)
        runs = {"optsuite admm_lasso": lambda: _run_admm(X, y, alpha),
                "optsuite admm_lasso eps 1e-8": lambda: _run_admm(X, y, alpha, 1e-8),
                "OSQP (Lasso as QP)": lambda: _run_osqp(X, y, alpha, qp),
                "scikit-learn Lasso": lambda: _run_sklearn(X, y, alpha, sk_tol)}
        if qp is None:
            del runs["OSQP (Lasso as QP)"]
            say(f"    {name}: OSQP not run (the QP's constraint matrix would hold {dense_nnz} "
                "nonzeros of X; on the dense 10000 x 2000 design it did not finish in 10 "
                "minutes)")
        times = {k: [] for k in runs}
        out = {}
        for k, fn in runs.items():  # warm-up; a solver slower than SLOW s is timed once
            t0 = time.perf_counter()
            out[k] = fn()
            if time.perf_counter() - t0 > SLOW:
                times[k].append(time.perf_counter() - t0)
        for _ in range(repeat):
            for k, fn in runs.items():
                if len(times[k]) and times[k][0] > SLOW:
                    continue
                t0 = time.perf_counter()
                out[k] = fn()
                times[k].append(time.perf_counter() - t0)
        t_ref = float(np.median(times["optsuite admm_lasso"]))
        for k in runs:
            x, nit, ok = out[k]
            t = float(np.median(times[k]))
            row = {"problem": name, "method": k, "time": t, "iterations": nit,
                   "rel_gap": rel_gap(x), "converged": ok,
                   "ratio_vs_admm": t / t_ref}
            rows.append(row)
            say(f"    {name:28s} {k:22s} {t * 1e3:9.1f} ms  it {nit:6d}  rel gap "
                f"{row['rel_gap']:.1e}  {'ok' if ok else 'NOT CONVERGED'}")
    return rows


def versions():
    return {"osqp": library_version("osqp"), "scikit-learn": library_version("scikit-learn")}
