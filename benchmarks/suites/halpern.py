"""Suite ``halpern``: variance-reduced Halpern iteration (``solvers.vr_halpern``; Cai,
Alacaoglu, Diakonikolas, ICLR 2024) against deterministic Halpern, extragradient, EAG and
variance-reduced extragradient (:mod:`benchmarks.halpern_bench`).

1. **paper**: the hard bilinear-quadratic instance (n = 200) and the policeman-burglar game
   (500 x 500): relative natural residual vs epochs, table and one PNG per experiment.
2. **scaling**: component evaluations to relative residual 1e-3 / 1e-4 on
   ``QuadraticSum.random(n, 40)`` and ``MatrixGame.random(n, n)``, fitted exponent in n,
   VR-Halpern / Halpern at n = 1000.
3. **restart**: adaptive restarts vs extragradient to 1e-6 on a strongly monotone QP and a
   bilinear-quadratic saddle.

Forms: full (3 seeds for the stochastic methods), ``--quick`` (1 seed, smaller budgets and
n), tiny (tests, ``build(tiny=True)``: seconds).
"""
from __future__ import annotations

DESCRIPTION = ("Monotone inclusions: VR-Halpern (Cai-Alacaoglu-Diakonikolas 2024) vs Halpern, "
               "extragradient, EAG, VR-EG: paper experiments, scaling in n, restarts")

#: Settings of the full, quick and tiny (tests) forms.
FORMS = {
    "full": dict(seeds=(0, 1, 2), paper_epochs=1000,
                 scaling=dict(d=40, qp_ns=[100, 300, 1000, 3000, 10000],
                              game_ns=[100, 300, 1000], vr_epochs=5000, det_epochs=30000),
                 restart=dict(vr_epochs=3000, det_epochs=20000)),
    "quick": dict(seeds=(0,), paper_epochs=1000,
                  scaling=dict(d=40, qp_ns=[100, 1000], game_ns=[100, 300], vr_epochs=1000,
                               det_epochs=30000),
                  restart=dict(vr_epochs=1500, det_epochs=20000)),
    "tiny": dict(seeds=(0,), paper_epochs=20,
                 scaling=dict(d=5, qp_ns=[20, 60], game_ns=[10, 20], vr_epochs=30,
                              det_epochs=200),
                 restart=dict(vr_epochs=30, det_epochs=200)),
}


def build(quick=False, tiny=False):
    """Build the suite (three extras: ``paper``, ``scaling``, ``restart``).

    Parameters
    ----------
    quick : bool, default False
    tiny : bool, default False
        For tests: small problems and budgets (seconds).

    Returns
    -------
    benchmarks.harness.Suite
    """
    import problems  # noqa: F401
    import solvers  # noqa: F401

    from ..halpern_bench import paper_extra, restart_extra, scaling_extra
    from ..harness import Suite

    form = "tiny" if tiny else "quick" if quick else "full"
    cfg = FORMS[form]
    notes = ["measure: relative natural residual ||x - Proj_C(x - F x)|| / (same at x0) "
             "(problems.operators.residual), read from the solvers' histories",
             "cost: component evaluations (nfev), epochs = nfev / n",
             "deterministic methods get the constant of the full operator (full_lipschitz); "
             "stochastic ones the library defaults (mean-square constants)",
             f"stochastic methods: median over seeds {list(cfg['seeds'])}",
             "BLAS limited to one thread (shared machine)"]
    return Suite(name="halpern", description=DESCRIPTION, problems=[], solvers=[],
                 repeat=1, curves=False, threads=1, notes=notes,
                 extras=[paper_extra(form, cfg["paper_epochs"], cfg["seeds"]),
                         scaling_extra(form, cfg["scaling"], cfg["seeds"]),
                         restart_extra(form, cfg["restart"], cfg["seeds"])])
