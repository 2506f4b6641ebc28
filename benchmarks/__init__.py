"""Runnable comparisons of optsuite's solvers against peer libraries.

``python -m benchmarks list`` lists the suites; ``python -m benchmarks run SUITE`` runs one,
prints a markdown table and writes ``results.json``, ``table.md``, ``solutions.npz`` and PNG
plots under ``benchmarks/results/SUITE/``. The methodology (warm-up, median of repeats,
one shared optimality measure, ratios against the fastest peer) is described in
:mod:`benchmarks.harness`.
"""
