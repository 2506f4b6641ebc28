"""Suite ``bcd``: block coordinate descent (``solvers.bcd``) -- paper reproduction, race, memory.

1. **Paper reproduction** (extra ``paper``; :mod:`benchmarks.bcd_paper`): ``f - f*`` against
   block updates (500, ``working_set=False``, ``tol=0``) for selection rules x partitions x
   updates on the problems of Nutini, Laradji & Schmidt (JMLR 2022) -- least squares,
   non-negative L1 least squares, logistic, 50-class softmax (1000 x 10000 / 1000 x 1000
   synthetic designs), multinomial logistic on LIBSVM dna.scale and pendigits, label
   propagation on the 50 x 50 lattice and on the two-moons 5-NN graph. One PNG per problem
   (``paper_<problem>.png``) and a table of final ``f - f*`` per configuration.
2. **Race** (the harness's problems): Lasso and L1-logistic regression at
   ``alpha_max / 10`` and ``alpha_max / 100`` on LIBSVM a9a, w6a, mushrooms and a generated
   text-like sparse problem of 10,000 x 50,000 (about 75 nonzeros per row;
   :func:`benchmarks.bcd_race.make_sparse_text_like`). Target: shared duality gap
   ``<= 1e-8 x gap(0)``. optsuite's ``bcd`` with ``rule="gs-q", active_set_newton=True`` and
   with its defaults (for the logistic loss both with ``update="newton"``) against
   scikit-learn (``Lasso``; ``LogisticRegression`` liblinear and saga with
   ``C = 1/(n alpha)``), skglm (``Lasso``, ``SparseLogisticRegression``) and celer
   (``Lasso``, ``LogisticRegression``), all without intercept. Peers' tolerances are
   converted where their rule is a gap on another scale and calibrated (divided by 10 while
   the shared gap misses the target; see :mod:`benchmarks.harness`).
3. **Memory** (extra ``memory``): peak memory traced by tracemalloc around one solve of each
   solver on the generated sparse problem, against the bytes of ``X``.

``--quick``: the race on a9a at ``alpha_max / 10`` only (Lasso and logistic, memory measured
there; celer's LogisticRegression left out, see the note it prints), the reproduction at
200 x 1000 sizes with fewer configurations, 3 repeats; about one minute.

Budgets: saga gets 1000 epochs (300 with ``--quick``); a solver whose first timed run shows
that its repeats would take more than 30 s (10 s quick) is timed fewer times (at least once;
the notes say so). The full run takes about 15 minutes on two cores, half of it the
reproduction (the 50-class softmax through the general engine costs about 12 s per
configuration).

Threads: BLAS/OpenMP limited to one thread (``--threads 0`` lifts it), as in ``quick``: the
peers are sequential coordinate descent, and so is ``bcd`` on the CPU.
"""
from __future__ import annotations

from . import data_home


DESCRIPTION = ("BCD (Nutini et al. 2022): paper reproduction (f - f* per block update), "
               "Lasso / L1-logistic race vs sklearn, skglm, celer on LIBSVM + 10k x 50k sparse, "
               "memory")

TARGET_REL = 1e-8
DIVISORS = (10, 100)
DATASETS = ("a9a", "w6a", "mushrooms")
#: Shape of the generated sparse problem (and of its quick/tiny stand-ins).
SPARSE_SHAPE = (10_000, 50_000)


def race_problems(datasets=DATASETS, divisors=DIVISORS, sparse_shape=SPARSE_SHAPE,
                  memory_on="generated"):
    """The race's problems: Lasso and L1-logistic at ``alpha_max / d`` for each data set.

    Parameters
    ----------
    datasets : sequence of str
        LIBSVM names (missing files are skipped with a note).
    divisors : sequence of int
        ``alpha = alpha_max / d``.
    sparse_shape : tuple or None
        Shape of the generated text-like problem (None: none).
    memory_on : {"generated", "all"}
        Which problems the memory extra measures.

    Returns
    -------
    problems : list of benchmarks.harness.Problem
    notes : list of str
    """
    import problems as P

    from ..bcd_race import make_sparse_text_like
    from ..lasso import alpha_max, lasso_problem
    from ..logistic import l1_logistic_problem, logistic_alpha_max

    notes, sets = [], []
    home = data_home()
    for name in datasets:
        try:
            X, y = P.datasets.load_libsvm(name, data_home=home, download=False)
        except (FileNotFoundError, OSError, ValueError) as exc:
            notes.append(f"data set {name} skipped: {exc}")
            continue
        y_reg = y.astype(float)  # the +-1 labels as regression targets for the Lasso
        sets.append((name, X, y_reg, y.astype(float), f"LIBSVM {name}", {"dataset": name}))
    if sparse_shape is not None:
        n, p = sparse_shape
        X, y_reg, y_cls, _ = make_sparse_text_like(n, p, random_state=0)
        sets.append((f"sparse{n}x{p}", X, y_reg, y_cls,
                     f"generated text-like sparse {n}x{p} (nnz {X.nnz}, Zipf feature "
                     "frequencies, tf-idf, unit rows, 100 informative, SNR 3)",
                     {"generated": True, "n_samples": n, "n_features": p, "nnz": int(X.nnz),
                      "random_state": 0}))
    out = []
    for name, X, y_reg, y_cls, what, info in sets:
        mem = memory_on == "all" or info.get("generated", False)
        amax = alpha_max(X, y_reg)
        for d in divisors:
            meta = dict(info, alpha_max_divisor=d, memory=mem)
            out.append(lasso_problem(f"{name}-lasso-amax/{d}", X, y_reg, amax / d,
                                     f"Lasso on {what}; alpha = alpha_max/{d}", info=meta))
        amax = logistic_alpha_max(X, y_cls)
        for d in divisors:
            meta = dict(info, alpha_max_divisor=d, memory=mem)
            out.append(l1_logistic_problem(f"{name}-logreg-amax/{d}", X, y_cls, amax / d,
                                           f"L1 logistic on {what}; alpha = alpha_max/{d}",
                                           info=meta))
    return out, notes


def bcd_specs():
    """optsuite's two ``bcd`` configurations of the race."""
    from ..bcd_race import bcd_spec

    return [
        bcd_spec("bcd gs-q+ASN", lasso={"rule": "gs-q", "active_set_newton": True},
                 logistic={"rule": "gs-q", "active_set_newton": True, "update": "newton"},
                 description="GS-q rule, working sets, active-set Newton steps"),
        bcd_spec("bcd default", lasso={}, logistic={"update": "newton"},
                 description="defaults (GSL rule, working sets); Newton model for logistic"),
    ]


def peer_specs(saga_max_iter=1000):
    """Lasso and L1-logistic peers (each restricted to its own loss), and notes."""
    from ..lasso import peer_specs as lasso_peers
    from ..logistic import is_logistic
    from ..logistic import peer_specs as logistic_peers

    specs, notes = lasso_peers()
    for s in specs:
        s.applies_to = lambda p: not is_logistic(p)
    more, more_notes = logistic_peers(saga_max_iter=saga_max_iter)
    return specs + more, notes + more_notes


def build(quick=False, tiny=False):
    """Build the suite.

    Parameters
    ----------
    quick : bool, default False
        a9a at ``alpha_max / 10`` only; small reproduction; 3 repeats.
    tiny : bool, default False
        For tests: one generated 300 x 1000 problem per loss, a two-configuration
        reproduction on a 60 x 200 least squares and a 8 x 8 lattice, 1 repeat, no curves.

    Returns
    -------
    benchmarks.harness.Suite
    """
    from ..bcd_paper import _RULES, PaperProblem, _c, graph_configs, paper_extra
    from ..bcd_race import memory_extra
    from ..harness import Suite

    notes = []
    if tiny:
        import problems as P

        from ..bcd_paper import _ls_data

        probs, more = race_problems(datasets=(), divisors=(10,), sparse_shape=(300, 1000))

        def ls():
            X, y = _ls_data(60, 200, 0)
            return P.LeastSquares(X, y), None

        def lattice():
            return P.lattice_quadratic(8, n_labeled=5, random_state=0), None

        paper = [PaperProblem("ls", "least squares 60 x 200", ls,
                              [_c("random", _RULES, rule="random"),
                               _c("gsl", _RULES, rule="gsl")], "lsqr"),
                 PaperProblem("lattice", "lattice 8 x 8", lattice,
                              graph_configs(quick=True)[:2], "closed form")]
        extras = [paper_extra(quick=True, problems_list=paper, n_iter=50),
                  memory_extra(peers=False)]
        repeat, curves, saga = 1, False, 200
    elif quick:
        probs, more = race_problems(datasets=("a9a",), divisors=(10,), sparse_shape=None,
                                    memory_on="all")
        extras = [paper_extra(quick=True), memory_extra()]
        repeat, curves, saga = 3, True, 300
    else:
        probs, more = race_problems()
        extras = [paper_extra(quick=False), memory_extra()]
        repeat, curves, saga = 5, True, 1000
    notes += more
    peers, more = peer_specs(saga_max_iter=saga)
    notes += more
    if tiny:  # only the peers that need no compilation at first use
        peers = [s for s in peers if s.library == "scikit-learn" and s.name != "sklearn saga"]
    elif quick:
        peers = [s for s in peers if s.name != "celer LogReg"]
        notes.append("--quick leaves out celer LogisticRegression: to bring the shared gap to "
                     "1e-8 gap(0) on a9a it needs a tolerance below what its own gap resolves "
                     "and then runs its whole outer-iteration budget (about 15 s a run); the "
                     "full run includes it")
    notes.append(f"target gap = {TARGET_REL:g} x gap(0), gap(0) = shared duality gap at x = 0 "
                 "(problems.duality_gap, the function bcd's measure='gap' uses too)")
    notes.append("Lasso on LIBSVM data: the +-1 labels are the regression targets")
    return Suite(name="bcd", description=DESCRIPTION, problems=probs,
                 solvers=bcd_specs() + peers, target_rel=TARGET_REL, repeat=repeat,
                 notes=notes, curves=curves, curve_time_budget=2.0 if quick else 4.0,
                 threads=1, solver_time_budget=10.0 if quick else 30.0, extras=extras)
