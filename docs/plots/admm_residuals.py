"""Primal and dual residuals of admm_lasso per iteration: fixed rho, residual balancing and
OSQP's rule, on a generated 2000 x 400 lasso at alpha_max / 10.

Writes ``docs/_static/admm_residuals.png``. Run from the repository root::

    python docs/plots/admm_residuals.py
"""
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, ROOT)

from benchmarks.lasso import alpha_max, make_sparse_regression  # noqa: E402
from solvers.admm import admm_lasso  # noqa: E402

OUT = os.path.join(ROOT, "docs", "_static", "admm_residuals.png")


def main():
    X, y, _ = make_sparse_regression(2000, 400, random_state=0)
    alpha = alpha_max(X, y) / 10
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for rule, style in ((None, "-"), ("balance", "--"), ("osqp", ":")):
        res = admm_lasso(X, y, alpha, rho=10.0, adaptive_rho=rule, abstol=1e-10, reltol=1e-10,
                         max_iter=400)
        h = res.history
        label = f"rho={'fixed' if rule is None else rule} ({res.nit} it)"
        axes[0].semilogy(h.nit, h.r_norm, style, label=label)
        axes[1].semilogy(h.nit, h.s_norm, style, label=label)
    axes[0].set_title("primal residual ||x - z||")
    axes[1].set_title("dual residual rho ||z - z_old||")
    for ax in axes:
        ax.set_xlabel("iteration")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(OUT, dpi=110)
    print("wrote", OUT)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
