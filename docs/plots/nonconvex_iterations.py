"""Median iterations to the paper's target on the simulation of Yang, Asgharian and
Bhatnagar (linear model, SCAD and MCP, tau = 0.9), with the paper's counts for SCAD.

Writes ``docs/_static/nonconvex_iterations.png``. Run from the repository root::

    python docs/plots/nonconvex_iterations.py                      # 3 fresh replications
    python docs/plots/nonconvex_iterations.py --records DIR [DIR ...] [--repeat R]

Without ``--records`` the data are generated (``benchmarks.nonconvex_sim.simulate``, N = 200,
500, 1000, no files needed). With it, the finished settings of an earlier ``python -m
benchmarks run nonconvex --out DIR`` are plotted from its replication records (every N that
has ``R`` replications, default 20), computing nothing.
"""
import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, ROOT)

from benchmarks import nonconvex_sim  # noqa: E402

OUT = os.path.join(ROOT, "docs", "_static", "nonconvex_iterations.png")
SETTINGS = [("linear", k, 0.9, n) for k in ("SCAD", "MCP") for n in (200, 500, 1000, 3000)]


def from_records(dirs, repeat):
    _, rows, _ = nonconvex_sim.summarize(dirs, SETTINGS, repeat)
    if not rows:
        raise SystemExit(f"no setting of {SETTINGS} has {repeat} replications in {dirs}")
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(nonconvex_sim._plot(rows, Path(tmp)), OUT)


def fresh():
    settings = [s for s in SETTINGS if s[3] <= 1000]
    extra = nonconvex_sim.simulation_extra(settings, max_iter=3000)
    with tempfile.TemporaryDirectory() as tmp:
        out = extra.run({"say": print, "out_dir": Path(tmp), "results": {"repeat": 3},
                         "plots": True})
        shutil.copy(out["files"][0], OUT)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", nargs="+", metavar="DIR")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    if args.records:
        from_records(args.records, args.repeat)
    else:
        fresh()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
