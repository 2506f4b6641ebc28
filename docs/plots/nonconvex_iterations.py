"""Median iterations to the paper's target on the simulation of Yang, Asgharian and
Bhatnagar (linear model, SCAD and MCP, tau = 0.9, N = 200 / 500 / 1000, 3 replications).

Writes ``docs/_static/nonconvex_iterations.png``. Run from the repository root::

    python docs/plots/nonconvex_iterations.py

The data are generated (``benchmarks.nonconvex_sim.simulate``), no files needed; the full
study is ``python -m benchmarks run nonconvex``.
"""
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, ROOT)

from benchmarks.nonconvex_sim import simulation_extra  # noqa: E402

OUT = os.path.join(ROOT, "docs", "_static", "nonconvex_iterations.png")


def main():
    settings = [("linear", k, 0.9, n) for k in ("SCAD", "MCP") for n in (200, 500, 1000)]
    extra = simulation_extra(settings, max_iter=3000)
    with tempfile.TemporaryDirectory() as tmp:
        out = extra.run({"say": print, "out_dir": Path(tmp), "results": {"repeat": 3},
                         "plots": True})
        shutil.copy(out["files"][0], OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
