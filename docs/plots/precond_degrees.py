"""Gradient norm per iteration of the polynomially preconditioned gradient method (tau = 0..4),
its fast version and the Krylov variant on ridge least squares whose design has four
separated top singular values and a small tail; the plain gradient method and FISTA (step
1 / lambda_max) for reference. Left: iterations; right: products with X and X^T, the cost
that preconditioning adds.

Writes ``docs/_static/precond_degrees.png``. Run from the repository root::

    python docs/plots/precond_degrees.py
"""
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, ROOT)

import problems  # noqa: E402
import solvers  # noqa: E402

OUT = os.path.join(ROOT, "docs", "_static", "precond_degrees.png")


def design(n=1000, d=200, seed=0):
    """X = U diag(s) V^T with X^T X / n having eigenvalues 1000, 300, 100, 30 and a tail
    log-spaced in [1e-3, 1e-2]."""
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.standard_normal((n, d)))
    V, _ = np.linalg.qr(rng.standard_normal((d, d)))
    eig = np.r_[1000.0, 300.0, 100.0, 30.0, np.geomspace(1e-2, 1e-3, d - 4)]
    X = (U * np.sqrt(eig * n)) @ V.T
    return X, X @ rng.standard_normal(d) + rng.standard_normal(n)


def main():
    X, y = design()
    f = problems.Ridge(problems.LeastSquares(X, y), 1e-2)
    tol, cap = 1e-8, 5000
    runs = {"GM (1/L)": solvers.prox_grad(f, measure="prox_grad_norm", tol=tol, max_iter=cap),
            "FISTA (1/L)": solvers.fista(f, tol=tol, max_iter=cap)}
    for tau in (0, 1, 2, 4):
        runs[f"GM P_{tau}"] = solvers.poly_precond(f, tau=tau, tol=tol, max_iter=cap)
    runs["FGM P_4"] = solvers.poly_precond(f, tau=4, accelerated=True, tol=tol, max_iter=cap)
    runs["Krylov, tau=4"] = solvers.poly_precond(f, tau=4, krylov=True, tol=tol, max_iter=cap)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for name, res in runs.items():
        h = res.history
        g = h.measure if name.startswith(("GM (", "FISTA")) else h.grad_norm
        products = 2 * (np.asarray(h.njev) + np.asarray(h.n_bprod if "n_bprod" in h.columns
                                                         else 0 * h.njev))
        style = "--" if name.startswith(("GM (", "FISTA")) else "-"
        axes[0].semilogy(h.nit, g, style, label=name)
        axes[1].semilogy(products, g, style, label=name)
    axes[0].set_xlabel("iteration")
    axes[1].set_xlabel("2 x (gradients + products with B)")
    axes[0].set_ylabel("||grad f|| (prox-gradient mapping for GM/FISTA)")
    axes[0].legend(fontsize=8, loc="upper right")
    fig.suptitle("ridge least squares, X^T X / n with 4 separated top eigenvalues, alpha = 1e-2")
    fig.tight_layout()
    fig.savefig(OUT, dpi=110)
    for name, res in runs.items():
        print(f"{name:15s} nit={res.nit:5d} success={res.success}")


if __name__ == "__main__":
    main()
