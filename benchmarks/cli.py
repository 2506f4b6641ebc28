"""Command line: ``python -m benchmarks list`` and ``python -m benchmarks run SUITE``.

``run`` options: ``--quick`` (the suite's reduced form), ``--out DIR`` (default
``benchmarks/results/SUITE/``), ``--repeat N`` (timed runs per solver and problem),
``--threads N`` (limit BLAS/OpenMP threads; 0: no limit; default: the suite's setting),
``--no-plots``. ``python -m benchmarks SUITE`` is short for ``run SUITE``.
``python -m benchmarks summarize SUITE --out DIR [--out DIR ...]`` prints the table of what
earlier runs of a resumable suite (one that keeps its finished work, e.g. ``nonconvex``) have
finished, computing nothing.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import suites

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Run optsuite's benchmark suites against peer libraries.",
    )
    sub = parser.add_subparsers(dest="command", metavar="{list,run,summarize}")
    sub.add_parser("list", help="list the suites with a one-line description")
    run = sub.add_parser("run", help="run a suite; print a table, write JSON, table and plots")
    run.add_argument("suite", help="suite name (see `list`)")
    run.add_argument("--quick", action="store_true", help="run the suite's reduced form")
    run.add_argument("--out", metavar="DIR", default=None,
                     help="output directory (default: benchmarks/results/SUITE/)")
    run.add_argument("--repeat", metavar="N", type=int, default=None,
                     help="timed runs per solver and problem (default: the suite's)")
    run.add_argument("--threads", metavar="N", type=int, default=None,
                     help="limit BLAS/OpenMP threads to N for the whole run; 0: no limit "
                          "(default: the suite's setting, see `list`)")
    run.add_argument("--no-plots", action="store_true", help="do not write PNG plots")
    summ = sub.add_parser("summarize", help="table of the finished work of a resumable suite's "
                                            "earlier runs (computes nothing)")
    summ.add_argument("suite", help="suite name (see `list`)")
    summ.add_argument("--out", metavar="DIR", action="append", default=None,
                      help="output directory of a run (repeatable; default: "
                           "benchmarks/results/SUITE/)")
    summ.add_argument("--repeat", metavar="N", type=int, default=None,
                      help="replications that make a setting finished (default: the suite's)")
    summ.add_argument("--partial", action="store_true",
                      help="also summarize unfinished settings over the replications done")
    return parser


def _suite_list():
    return "\n".join(f"  {name:<8s} {desc}" for name, desc in suites.describe().items())


def main(argv=None):
    """Entry point of ``python -m benchmarks``.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status (0 on success). Usage errors, an unknown suite included, exit with
        status 2 through :meth:`argparse.ArgumentParser.error`.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and not argv[0].startswith("-") and argv[0] not in ("list", "run", "summarize"):
        argv.insert(0, "run")  # `python -m benchmarks quick` == `... run quick`
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command in (None, "list"):
        print("suites:")
        print(_suite_list())
        return 0
    if args.suite not in suites.names():
        parser.error(f"unknown suite {args.suite!r}; available suites:\n{_suite_list()}")
    if args.command == "summarize":
        return _summarize(parser, args)
    if args.repeat is not None and args.repeat < 1:
        parser.error(f"--repeat must be >= 1, got {args.repeat}")
    if args.threads is not None and args.threads < 0:
        parser.error(f"--threads must be >= 0, got {args.threads}")

    from .harness import run_suite

    suite = suites.get(args.suite).build(quick=args.quick)
    out = Path(args.out) if args.out else RESULTS_DIR / args.suite
    run_suite(suite, out, repeat=args.repeat, quick=args.quick, plots=not args.no_plots,
              threads=args.threads)
    return 0


def _summarize(parser, args):
    module = suites.get(args.suite)
    if not hasattr(module, "summarize"):
        parser.error(f"suite {args.suite!r} keeps no records of finished work to summarize")
    if args.repeat is not None and args.repeat < 1:
        parser.error(f"--repeat must be >= 1, got {args.repeat}")
    dirs = [Path(d) for d in (args.out or [RESULTS_DIR / args.suite])]
    absent = [str(d) for d in dirs if not d.is_dir()]
    if absent:
        parser.error(f"no such output directory: {', '.join(absent)}")
    print(module.summarize(dirs, args.repeat, partial=args.partial))
    return 0
