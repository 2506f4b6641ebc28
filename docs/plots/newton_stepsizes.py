"""Gradient norm per iteration of the damped Newton stepsizes and lazy Newton on ridge
logistic regression started far from the solution (x0 = 10 z, z standard normal), where full
Newton does not converge.

Writes ``docs/_static/newton_stepsizes.png``. Run from the repository root::

    python docs/plots/newton_stepsizes.py
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

OUT = os.path.join(ROOT, "docs", "_static", "newton_stepsizes.png")


def main():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 10))
    y = np.sign(X @ rng.standard_normal(10) + 0.5 * rng.standard_normal(200))
    f = problems.Ridge(problems.Logistic(X, y), 1e-2)
    x0 = 10 * rng.standard_normal(10)
    runs = [
        ("full Newton", dict(stepsize="full")),
        ("AICN, L = 1", dict(stepsize="aicn", L=1.0)),
        ("root q = 2, M = 1", dict(stepsize="root", q=2, L=1.0)),
        ("root q = 3, M = 1", dict(stepsize="root", q=3, L=1.0)),
        ("root q = 4, M = 1", dict(stepsize="root", q=4, L=1.0)),
        ("universal (q = 4)", dict(stepsize="universal")),
        ("greedy", dict(stepsize="greedy")),
        ("Armijo", dict(stepsize="armijo")),
    ]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for label, kw in runs:
        res = solvers.damped_newton(f, x0, tol=1e-12, max_iter=60, **kw)
        axes[0].semilogy(res.history.grad_norm, label=label)
    for m in (1, 5, 10):
        res = solvers.lazy_newton(f, np.zeros(10), m=m, tol=1e-12, max_iter=200)
        axes[1].semilogy(np.cumsum(res.history.snapshot), res.history.grad_norm, ".-",
                         label=f"lazy Newton, m = {m}")
    axes[0].set(xlabel="iteration", ylabel=r"$\|\nabla f(x_k)\|$",
                title="damped Newton from a far start")
    axes[1].set(xlabel="Hessians computed", ylabel=r"$\|\nabla f(x_k)\|$",
                title="lazy Newton from 0: Hessians used")
    axes[0].set_ylim(1e-13, 1e2)
    for ax in axes:
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(OUT, dpi=120)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
