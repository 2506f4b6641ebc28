"""SOR iteration counts over the omega grid and the online tuners on the paper's
high-variance shifted-Laplacian sequence (Khodak et al., ICLR 2024). Left: iterations to
1e-8 against omega for a few shifts c (unimodal in omega; the best omega moves toward 2 as
the system nears singularity). Right: total iterations of each learner relative to the best
fixed omega in hindsight over the first 2000 systems (seed 0), with omega = 1 and the
per-system best grid omega for reference.

Writes ``docs/_static/sor_tuning.png``. Run from the repository root::

    python docs/plots/sor_tuning.py
"""
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, ROOT)

from problems.linear_systems import ShiftedLaplacianSequence, laplacian_2d  # noqa: E402
from benchmarks.sor_bench import GRID, drive, kernel_cost  # noqa: E402
from solvers.linear.bandits import ChebCB, TsallisINF, UnimodalUCB  # noqa: E402

OUT = os.path.join(ROOT, "docs", "_static", "sor_tuning.png")


def iterations(A, b, omega):
    return kernel_cost(A, A.diagonal(), b, omega)


def table(seq):
    return np.array([[iterations(inst.A, inst.b, w) for w in GRID] for inst in seq])


def replay(learner, costs, contexts):
    return np.cumsum(drive(learner, costs, contexts)[1])


def main():
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    L = laplacian_2d(10)
    b = np.random.default_rng(0).standard_normal(100)
    fine = np.linspace(1.0, 1.98, 80)
    for c in (-0.14, -0.1, 0.0, 0.2, 0.45):
        A = (L + c * sp.identity(100, format="csr")).tocsr()
        left.plot(fine, [iterations(A, b, w) for w in fine], label=f"c = {c:g}")
    left.set_yscale("log")
    left.set_xlabel("omega")
    left.set_ylabel("SOR iterations to 1e-8")
    left.set_title("A = L + c I, 10x10 Laplacian")
    left.legend()

    seq = ShiftedLaplacianSequence(nx=10, T=2000, law="high", random_state=0)
    costs = table(seq)
    best = np.cumsum(costs[:, np.argmin(costs.sum(axis=0))])
    t = np.arange(1, len(costs) + 1)
    curves = {
        "unimodal-ucb (default)": replay(UnimodalUCB(20), costs, seq.contexts),
        "tsallis-inf": replay(TsallisINF(20, random_state=0), costs, seq.contexts),
        "chebcb (context c)": replay(ChebCB(20, context_bounds=seq.context_bounds,
                                            random_state=0), costs, seq.contexts),
        "omega = 1": np.cumsum(costs[:, 0]),
        "instance-optimal (grid)": np.cumsum(costs.min(axis=1)),
    }
    for name, cum in curves.items():
        right.plot(t, cum / best, label=name)
    right.axhline(1.0, color="k", lw=0.8, ls=":")
    right.set_ylim(0.4, 2.0)
    right.set_xlabel("system t")
    right.set_ylabel("cumulative iterations / best fixed omega")
    right.set_title("high-variance shifts, seed 0")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT, dpi=120)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
