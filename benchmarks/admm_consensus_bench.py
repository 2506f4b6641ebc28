"""ADMM suite, sections 3 and 4: consensus ADMM on Dask against dask-glm, and federated
weighted least squares under communication noise.

**Consensus.** L2-regularized logistic regression ``(1/N) sum log(1 + exp(-y x^T w)) +
(lam/2) ||w||^2`` (``lam = 1e-4``) on LIBSVM a9a, split into 4 row shards on a
``LocalCluster`` of 2 single-threaded worker processes started once for both libraries.
``solvers.consensus_admm`` (``rho = 0.1``, OSQP's adaptive rule, Boyd's tolerances
``abstol = 1e-6, reltol = 1e-4``) against ``dask_glm.algorithms.admm`` (``regularizer="l2"``,
``lamduh = lam N`` in its unnormalized scaling, its own ``abstol = 1e-4``/``reltol = 1e-2``
stopping rule, at most 250 iterations, L-BFGS local solves, ``rho = 0.01 N``). Reported:
median wall time, iterations, and the gap ``F(w) - F*`` to the centralized solution
(scikit-learn ``LogisticRegression`` with ``tol = 1e-12``), computed by one function for
both; optsuite is timed twice, to its own tolerances and until it reaches dask-glm's gap
(a callback that computes the gap and stops; its cost is included).

**Federated WLS.** 20 clients with 50 samples each in dimension 10, random positive sample
weights; ``solvers.federated_wls`` with ``variant="robust"`` and ``"standard"`` on the same
schedule (half of the clients per iteration) and the same additive Gaussian noise draws
(std 1e-2 on uplink and downlink), ``rho = 50`` (about the curvature of a client's
``X_k^T W_k X_k``: 50 samples with mean weight 1.25); median over seeds of the mean-square error to the
centralized WLS solution per iteration.
"""
from __future__ import annotations

import time

import numpy as np

from .harness import library_version

LAM = 1e-4


def _objective(X, y, lam, w):
    return float(np.mean(np.logaddexp(0.0, -y * (X @ w))) + 0.5 * lam * w @ w)


def consensus_section(data_home=None, repeat=3, say=print, n_shards=4, n_workers=2):
    """Time ``consensus_admm`` and dask-glm's ``admm`` on a9a; returns an Extra dict."""
    import problems as P
    from sklearn.linear_model import LogisticRegression

    from solvers import consensus_admm

    X, y = P.datasets.load_libsvm("a9a", data_home=data_home, download=False)
    X = X.tocsr()
    y = np.where(y > 0, 1.0, -1.0)
    N, d = X.shape
    ref = LogisticRegression(C=1.0 / (LAM * N), fit_intercept=False, tol=1e-12,
                             max_iter=10_000).fit(X, y)
    F_star = _objective(X, y, LAM, ref.coef_.ravel())
    cut = np.linspace(0, N, n_shards + 1).astype(int)
    shards = [(X[a:b], y[a:b]) for a, b in zip(cut[:-1], cut[1:])]

    import distributed

    cluster = distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                       processes=True, dashboard_address=":0")
    client = distributed.Client(cluster)
    rows, notes = [], []

    def ours(callback=None):
        return consensus_admm(shards, loss="logistic", penalty=("l2", LAM), client=client,
                              rho=0.1, adaptive_rho="osqp", abstol=1e-6, reltol=1e-4,
                              max_iter=1000, callback=callback)

    def timed(fn, reps):
        times, out = [], None
        for _ in range(reps):
            t0 = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t0)
        return float(np.median(times)), out

    try:
        ours()  # warm-up: imports and compilation on the workers
        t, res = timed(ours, repeat)
        rows.append({"method": "optsuite consensus_admm (to its tolerances)", "time": t,
                     "iterations": int(res.nit), "converged": bool(res.success),
                     "gap": _objective(X, y, LAM, np.asarray(res.x)) - F_star})
        say(f"    consensus_admm   {t:.2f} s  it {res.nit}  gap {rows[-1]['gap']:.1e}")
        try:
            import dask.array as da
            from dask_glm.algorithms import admm as dg_admm
        except Exception as exc:  # dask-glm missing or broken with this dask
            notes.append(f"dask-glm not run: {type(exc).__name__}: {exc}")
        else:
            Xd = da.from_array(X.toarray(), chunks=(int(np.ceil(N / n_shards)), d))
            yd = da.from_array((y > 0).astype(float), chunks=int(np.ceil(N / n_shards)))
            Xd, yd = client.persist([Xd, yd])
            distributed.wait([Xd, yd])
            # dask-glm's rho is on the unnormalized (sum) loss: rho 0.01 N is its best of
            # {1, 0.01 N} here; its default rho = 1 needs minutes for a worse gap
            dg_rho = 0.01 * N

            def theirs(max_iter=250):
                return np.asarray(dg_admm(Xd, yd, regularizer="l2", lamduh=LAM * N,
                                          rho=dg_rho, max_iter=max_iter, abstol=1e-4,
                                          reltol=1e-2))

            theirs(max_iter=2)
            t_dg, w = timed(theirs, 1)
            gap_dg = _objective(X, y, LAM, w) - F_star
            rows.append({"method": f"dask-glm {library_version('dask-glm')} admm (rho = 0.01 N)",
                         "time": t_dg, "iterations": None, "converged": None, "gap": gap_dg})
            say(f"    dask-glm admm    {t_dg:.2f} s  gap {gap_dg:.1e}")

            def stop_at_gap(info):
                if _objective(X, y, LAM, np.asarray(info.x)) - F_star <= gap_dg:
                    raise StopIteration

            t, res = timed(lambda: ours(stop_at_gap), repeat)
            rows.append({"method": "optsuite consensus_admm (to dask-glm's gap)", "time": t,
                         "iterations": int(res.nit), "converged": None,
                         "gap": _objective(X, y, LAM, np.asarray(res.x)) - F_star})
            say(f"    consensus_admm to dask-glm's gap {t:.2f} s  it {res.nit}")
    finally:
        client.close()
        cluster.close()
    t0 = rows[0]["time"]
    for r in rows:
        r["ratio_vs_optsuite"] = r["time"] / t0
    lines = ["| method | time [s] | time / optsuite | iterations | F - F* |", "|---|---|---|---|---|"]
    for r in rows:
        it = "-" if r["iterations"] is None else str(r["iterations"])
        lines.append(f"| {r['method']} | {r['time']:.2f} | {r['ratio_vs_optsuite']:.2f} | {it} | "
                     f"{r['gap']:.1e} |")
    return {"markdown": "\n".join(lines) + "\n",
            "data": {"rows": rows, "F_star": F_star, "lam": LAM, "n_shards": n_shards,
                     "n_workers": n_workers, "distributed": library_version("distributed")},
            "notes": notes}


def make_clients(n_clients=20, n_k=50, d=10, seed=0):
    """Client data ``[(X_k, y_k, w_k)]`` of a linear model with heteroscedastic noise."""
    rng = np.random.default_rng(seed)
    w_true = rng.standard_normal(d)
    out = []
    for _ in range(n_clients):
        X = rng.standard_normal((n_k, d))
        wts = rng.uniform(0.5, 2.0, n_k)
        out.append((X, X @ w_true + rng.standard_normal(n_k) / np.sqrt(wts), wts))
    return out


def federated_section(out_dir, plots=True, n_seeds=10, say=print, noise_std=1e-2,
                      max_iter=200, rho=50.0):
    """Median MSE per iteration, robust vs standard, under noise; returns an Extra dict."""
    from solvers import federated_wls

    curves = {"robust": [], "standard": []}
    for seed in range(n_seeds):
        clients = make_clients(seed=seed)
        for variant in curves:
            res = federated_wls(clients, variant=variant, noise_std=noise_std,
                                participation=0.5, rho=rho, max_iter=max_iter, tol=0.0,
                                random_state=seed)
            curves[variant].append(np.asarray(res.history.mse, dtype=float))
    med = {k: np.median(np.vstack(v), axis=0) for k, v in curves.items()}
    rows = []
    for it in (10, 50, 100, max_iter - 1):
        rows.append({"iteration": it, **{k: float(med[k][min(it, med[k].size - 1)])
                                         for k in med}})
    for r in rows:
        say(f"    it {r['iteration']:4d}  MSE robust {r['robust']:.2e}  standard "
            f"{r['standard']:.2e}")
    lines = [f"Median over {n_seeds} seeds; noise std {noise_std:g} on both links, half the "
             f"clients scheduled per iteration, rho {rho:g}.", "",
             "| iteration | MSE robust | MSE standard |", "|---|---|---|"]
    lines += [f"| {r['iteration']} | {r['robust']:.2e} | {r['standard']:.2e} |" for r in rows]
    files = []
    if plots:
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            plots = False
    if plots:
        fig, ax = plt.subplots(figsize=(5.5, 3.6))
        for k, v in med.items():
            ax.semilogy(v, label=k)
        ax.set(xlabel="iteration", ylabel="MSE to the centralized WLS solution",
               title=f"federated WLS, noise std {noise_std:g}")
        ax.legend()
        fig.tight_layout()
        path = out_dir / "admm_federated_mse.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        files.append(str(path))
    return {"markdown": "\n".join(lines) + "\n", "data": {"rows": rows}, "files": files}
