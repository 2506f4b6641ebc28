"""Selection rules, update rules and forest blocks of block coordinate descent.

Writes ``docs/_static/bcd_rules.png``. Run from the repository root::

    python docs/plots/bcd_rules.py

Two panels, both showing f(x_k) - f* against the number of block updates k:

* left -- least squares ``||X x - y||^2 / (2n)`` with n = 300 samples, p = 100 features whose
  columns are scaled by exp(U(-2, 2)) (so the coordinate Lipschitz constants L_i spread
  over about four orders of magnitude), numpy seed 0; blocks of 5 coordinates from the
  "sorted" partition (blocks of similar L_i), 300 iterations of the rules cyclic, random,
  lipschitz, gs, gsl, gsq with the gradient update 1/L_b, and gsl with the matrix update;
  the general engine (``working_set=False``), ``tol=0``;
* right -- the label-propagation quadratic on a 20 x 20 lattice with 40 labelled nodes
  (``problems.lattice_quadratic(20, n_labeled=40, random_state=0)``), 200 iterations of the
  GS rule with single-coordinate gradient steps, and of exact block solves (message passing)
  on the red-black partition, the two-forest partition and greedy variable forest blocks.
"""
import os
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, ROOT)

import problems  # noqa: E402
import solvers  # noqa: E402

OUT = os.path.join(ROOT, "docs", "_static", "bcd_rules.png")


def scaled_least_squares(n=300, p=100, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * np.exp(rng.uniform(-2.0, 2.0, size=p))
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    f = problems.LeastSquares(X, y)
    f_star = f.value(np.linalg.lstsq(X, y, rcond=None)[0])
    return f, f_star


def suboptimality(res, f_star):
    """``f - f*`` per history row, with values at or below the rounding floor masked."""
    d = np.asarray(res.history.objective) - f_star
    return np.asarray(res.history.nit), np.where(d > 0, d, np.nan)


def left_panel(ax):
    f, f_star = scaled_least_squares()
    common = dict(block_size=5, partition="sorted", working_set=False, tol=0.0, max_iter=300,
                  random_state=0)
    runs = [(rule, dict(rule=rule)) for rule in
            ("cyclic", "random", "lipschitz", "gs", "gsl", "gsq")]
    runs.append(('gsl, update="matrix"', dict(rule="gsl", update="matrix")))
    for label, opts in runs:
        res = solvers.bcd(f, **common, **opts)
        k, d = suboptimality(res, f_star)
        ls = "--" if opts["rule"] in ("cyclic", "random", "lipschitz") else "-"
        ls = ":" if label == "gsq" else ls  # gsq nearly coincides with gsl here
        ax.semilogy(k, d, ls, lw=1.4, label=label)
        print(f"left   {label:24s} f-f* = {np.nanmin(d):.2e}   {res.message}")
    ax.set_title("least squares, n=300, p=100, column scales exp(U(-2,2))\n"
                 'blocks of 5, partition="sorted"', fontsize=9)


def right_panel(ax):
    f = problems.lattice_quadratic(20, n_labeled=40, random_state=0)
    f_star = f.f_star
    common = dict(tol=0.0, max_iter=200)
    runs = [
        ("gs, gradient, block_size=1", dict(rule="gs", update="gradient", block_size=1)),
        ('gs, "red_black", exact', dict(rule="gs", partition="red_black", update="exact")),
        ('gs, "two_forest", exact', dict(rule="gs", partition="two_forest", update="exact")),
        ('gs, blocks="forest", exact', dict(rule="gs", blocks="forest", block_size=None,
                                             update="exact")),
    ]
    for label, opts in runs:
        res = solvers.bcd(f, **common, **opts)
        k, d = suboptimality(res, f_star)
        ax.semilogy(k, d, "-", lw=1.4, label=label)
        print(f"right  {label:28s} f-f* = {np.nanmin(d):.2e}   {res.message}")
    ax.set_title(f"label propagation, 20 x 20 lattice, 40 labels (n={f.n})\n"
                 "message passing on forest blocks", fontsize=9)


def main():
    t0 = time.perf_counter()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11.0, 4.2), dpi=110)
    left_panel(ax1)
    right_panel(ax2)
    for ax in (ax1, ax2):
        ax.set_xlabel("block updates k")
        ax.set_ylabel(r"$f(x_k) - f^\star$")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT)
    print("wrote", OUT, os.path.getsize(OUT), "bytes", f"in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
