"""Duality gap per iteration of prox_grad and FISTA (plain and restarted) on a Lasso problem.

Writes ``docs/_static/proximal_rates.png``. Run from the repository root::

    python docs/plots/proximal_rates.py

The problem is generated with numpy (no data files): a Gaussian design with n = 200 samples
and p = 500 features whose columns are AR(1)-correlated (corr(X_j, X_k) = 0.9^|j-k|, which
makes the problem ill-conditioned, as real designs often are), a 10-sparse ground truth plus
noise, and alpha = alpha_max / 10.
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

OUT = os.path.join(ROOT, "docs", "_static", "proximal_rates.png")


def make_lasso(n=200, p=500, k=10, rho=0.9, noise=0.1, seed=0):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, p))
    X = np.empty_like(Z)  # AR(1) columns: X_j = rho X_{j-1} + sqrt(1 - rho^2) Z_j
    X[:, 0] = Z[:, 0]
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * Z[:, j]
    w = np.zeros(p)
    w[rng.choice(p, k, replace=False)] = rng.standard_normal(k)
    y = X @ w + noise * rng.standard_normal(n)
    f = problems.LeastSquares(X, y)
    alpha_max = problems.L1(1.0).alpha_max(f.grad(np.zeros(p)))
    return f, problems.L1(alpha_max / 10)


def main():
    f, g = make_lasso()
    opts = dict(tol=1e-12, max_iter=1500)
    runs = {
        "prox_grad  (O(1/k))": solvers.prox_grad(f, g, **opts),
        "fista, restart=None  (O(1/k²))": solvers.fista(f, g, restart=None, **opts),
        'fista, restart="gradient"': solvers.fista(f, g, restart="gradient", **opts),
    }
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=110)
    styles = ["-", "--", "-"]
    for (label, res), ls in zip(runs.items(), styles):
        gap = res.history.gap
        ax.semilogy(np.arange(gap.size), gap, ls, lw=1.6, label=label)
        print(f"{label:34s} {res.message}")
    ax.set_xlabel("iteration k")
    ax.set_ylabel("duality gap")
    ax.set_title(r"Lasso, n=200, p=500, AR(1) design ($\rho$=0.9), $\alpha = \alpha_{max}/10$",
                 fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.set_ylim(bottom=1e-12 / 3)
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(OUT)
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
