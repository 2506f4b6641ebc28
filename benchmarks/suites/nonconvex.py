"""Suite ``nonconvex``: SCAD / MCP regression by the nonconvex accelerated gradient.

The simulation of Yang, Asgharian and Bhatnagar (Statistics and Computing 2024, section 4;
:mod:`benchmarks.nonconvex_sim`): ``p = 2050`` standardized Toeplitz-correlated features
(``tau`` in {0.1, 0.5, 0.9}), 50 true signals, ``N`` in {200, 500, 1000, 3000}, SNR 5,
lambda = 0.2 (linear) / 0.02 (logistic), a = 3.7, gamma = 3. Methods: ``nonconvex_ag`` with
the optimal damping and with the Ghadimi-Lan setting, ``prox_grad``, monotone FISTA (function
restart) and skglm (``GeneralizedLinearEstimator`` with ``SCAD`` / ``MCPenalty``,
Anderson-accelerated working-set coordinate descent). Reported per setting: median
iterations and time to the paper's target and to a gradient mapping of 1e-8, final
objective, PPV / F1 of the support, estimation error. A first section
(:mod:`benchmarks.nonconvex_estimators`) compares the scikit-learn estimators
``MCPRegression`` / ``SCADRegression`` with skglm's on the same design with an intercept
(``--quick``: tau = 0.9, N = 200, 2 replications; full: tau 0.5 / 0.9, N 200 / 500 / 1000, 5).
A second section (:mod:`benchmarks.nonconvex_bcd`) compares coordinate descent
(``solvers.bcd``, GS-q and GSL rules) with the working-set ``nonconvex_ag`` and skglm
(``--quick``: linear MCP, tau = 0.5, N = 200, 2 replications; full: linear at N = 500 for
every tau, tau = 0.9 at N = 1000, logistic tau = 0.5 at N = 3000, 3 replications). A third
section times the working-set ``nonconvex_ag`` against skglm to 1e-8 on the separable logistic
fits (N = 200 and 500 < p, every tau and penalty, 3 replications; ``--quick``: MCP, tau = 0.5,
N = 200, 2), where the simulation's 5000-iteration budget stops the working sets short.

Replications are the run's ``--repeat`` (default 20; the paper used 100). ``--quick``: linear
model, tau = 0.9, N in {200, 500}, SCAD and MCP, 3 replications (about a minute). The full
study takes about 15 CPU-hours on one core; it resumes: every finished replication is kept in
``simulation_replications.json`` in the output directory, and a rerun with the same ``--out``
computes only the missing ones. ``python -m benchmarks summarize nonconvex --out DIR [--out
DIR2 ...]`` prints the table of the finished settings from those records alone (several
directories: workers run side by side with different ``--out``), computing nothing.

Departures from the paper, all for a model without intercept (the solvers' problem): the
design is centered so the linear model needs none; the logistic model's true intercept 0.5 is
left out; its loss is the mean log-likelihood (the paper halves it, which for SCAD is not a
rescaling of lambda), so lambda = 0.02 gives a somewhat sparser logistic fit than the paper's.
"""
from __future__ import annotations

DESCRIPTION = ("SCAD/MCP: nonconvex AG (optimal damping, Ghadimi-Lan) vs prox_grad, FISTA, "
               "skglm on the simulation of Yang et al. 2024 (Toeplitz designs, p = 2050)")

TAUS = (0.1, 0.5, 0.9)
NS = (200, 500, 1000, 3000)


def settings(quick=False):
    """``[(model, penalty, tau, n)]`` of the run."""
    if quick:
        return [("linear", k, 0.9, n) for k in ("SCAD", "MCP") for n in (200, 500)]
    return [(m, k, tau, n) for m in ("linear", "logistic") for k in ("SCAD", "MCP")
            for tau in TAUS for n in NS]


def estimator_settings(quick=False):
    """``[(penalty, tau, n)]`` of the estimator comparison."""
    if quick:
        return [(k, 0.9, 200) for k in ("MCP", "SCAD")]
    return [(k, tau, n) for k in ("MCP", "SCAD") for tau in (0.5, 0.9) for n in (200, 500, 1000)]


def bcd_settings(quick=False):
    """``[(model, penalty, tau, n)]`` of the coordinate-descent comparison."""
    if quick:
        return [("linear", "MCP", 0.5, 200)]
    return ([("linear", k, tau, 500) for k in ("SCAD", "MCP") for tau in TAUS]
            + [("linear", k, 0.9, 1000) for k in ("SCAD", "MCP")]
            + [("logistic", k, 0.5, 3000) for k in ("SCAD", "MCP")])


def separable_settings(quick=False):
    """``[(model, penalty, tau, n)]`` of the separable logistic comparison (N < p)."""
    if quick:
        return [("logistic", "MCP", 0.5, 200)]
    return [("logistic", k, tau, n) for n in (200, 500) for k in ("SCAD", "MCP") for tau in TAUS]


#: Seconds after which the full run kills a skglm fit of the simulation (one logistic MCP fit
#: at tau = 0.9, N = 500 ran for more than 35 minutes; its median there is 35 s).
PEER_TIME_LIMIT = 600.0


def build(quick=False):
    """Build the suite (no race problems: everything is in the simulation section).

    Parameters
    ----------
    quick : bool, default False

    Returns
    -------
    benchmarks.harness.Suite
    """
    from ..harness import Suite
    from ..nonconvex_bcd import SEPARABLE_TITLE, bcd_extra
    from ..nonconvex_estimators import estimator_extra
    from ..nonconvex_sim import simulation_extra

    notes = ["replications = --repeat (default 20 full, 3 quick)",
             "iterations for nonconvex_ag count x_md updates; F is recorded at x_md as in the "
             "paper's code, at the iterate for prox_grad and FISTA",
             "BLAS limited to one thread: the methods are sequential first-order methods"]
    return Suite(name="nonconvex", description=DESCRIPTION, problems=[], solvers=[],
                 repeat=3 if quick else 20, notes=notes, curves=False, threads=1,
                 extras=[estimator_extra(estimator_settings(quick), reps=2 if quick else 5),
                         bcd_extra(bcd_settings(quick), reps=2 if quick else 3),
                         bcd_extra(separable_settings(quick), reps=2 if quick else 3,
                                   methods=("nonconvex_ag WS", "skglm"),
                                   name="separable logistic", title=SEPARABLE_TITLE),
                         simulation_extra(settings(quick), max_iter=2000 if quick else 5000,
                                          peer_time_limit=None if quick else PEER_TIME_LIMIT)])


def summarize(dirs, repeat=None, partial=False):
    """Table of the finished settings of the full study from the replication records in
    ``dirs`` (nothing is computed; see :func:`benchmarks.nonconvex_sim.summarize`).

    Parameters
    ----------
    dirs : list of path-like
        Output directories of runs of this suite.
    repeat : int, optional
        Replications a setting needs to count as finished (default 20, the run's default).
    partial : bool, default False
        Also summarize each unfinished setting over the replications done.

    Returns
    -------
    str
        Markdown: one line per finished setting, then the unfinished ones.
    """
    from ..nonconvex_sim import summarize as _summarize

    return _summarize(dirs, settings(), 20 if repeat is None else int(repeat),
                      partial=partial)[0]
