"""Suite ``admm``: ADMM against OSQP, scikit-learn and dask-glm.

1. **Lasso** (extra ``lasso``; :mod:`benchmarks.admm_lasso_bench`): ``admm_lasso`` at
   ``eps_abs = eps_rel = 1e-6`` against OSQP (the Lasso as a QP, same tolerances) and
   scikit-learn's ``Lasso`` (tolerance matched to the gap ADMM reached), on LIBSVM a9a and
   w6a (labels as targets) and a generated dense 10,000 x 2,000 problem, at
   ``alpha_max / 10``; shared measure: the relative duality gap.
2. **QP** (extra ``qp``; :mod:`benchmarks.admm_qp_bench`): ``admm_qp`` against OSQP on random
   sparse QPs with ``n`` from 100 to 5,000, both at ``eps = 1e-6`` with polishing; shared
   measure: the KKT residual of the returned primal-dual pair. Target: time ratio <= 1.
3. **Consensus** (extra ``consensus``; :mod:`benchmarks.admm_consensus_bench`): L2-logistic
   regression on a9a in 4 shards on a 2-worker LocalCluster, ``consensus_admm`` against
   dask-glm's ``admm`` (when installed): time, and the objective gap of the result to the
   centralized solution.
4. **Federated WLS** (extra ``federated``): mean-square error against iteration under
   communication noise, the robust variant against standard consensus ADMM.

``--quick``: a9a lasso, QPs with n in {100, 1000}, federated only (about a minute).
"""
from __future__ import annotations

from . import data_home


DESCRIPTION = ("ADMM: lasso vs OSQP and scikit-learn, random sparse QPs vs OSQP, consensus "
               "logistic on Dask vs dask-glm, federated WLS under noise")


def _table(rows, cols):
    head = "| " + " | ".join(c for c, _ in cols) + " |"
    sep = "|" + "---|" * len(cols)
    body = ["| " + " | ".join(fmt(r) for _, fmt in cols) + " |" for r in rows]
    return "\n".join([head, sep] + body) + "\n"


def _lasso_extra(quick):
    from ..harness import Extra

    def run(ctx):
        import problems as P

        from ..admm_lasso_bench import lasso_section, versions
        from ..lasso import alpha_max, make_sparse_regression

        notes, probs = [], []
        for name in ("a9a",) if quick else ("a9a", "w6a"):
            try:
                X, y = P.datasets.load_libsvm(name, data_home=data_home(), download=False)
            except (FileNotFoundError, OSError, ValueError) as exc:
                notes.append(f"data set {name} skipped: {exc}")
                continue
            y = y.astype(float)
            probs.append((f"{name} amax/10", X, y, alpha_max(X, y) / 10))
        if not quick:
            X, y, _ = make_sparse_regression(10_000, 2_000, random_state=0)
            probs.append(("generated 10000x2000 amax/10", X, y, alpha_max(X, y) / 10))
        rows = lasso_section(probs, repeat=int(ctx["results"]["repeat"]), say=ctx["say"])
        md = _table(rows, [
            ("problem", lambda r: r["problem"]), ("method", lambda r: r["method"]),
            ("time [s]", lambda r: f"{r['time']:.3f}"),
            ("time / admm_lasso", lambda r: f"{r['ratio_vs_admm']:.2f}"),
            ("iterations", lambda r: str(r["iterations"])),
            ("rel. gap", lambda r: f"{r['rel_gap']:.1e}"),
            ("converged", lambda r: "yes" if r["converged"] else "no")])
        return {"markdown": md, "data": {"rows": rows, "versions": versions()},
                "notes": notes}

    return Extra(name="lasso", title="Lasso: admm_lasso vs OSQP and scikit-learn", run=run)


def _qp_extra(quick):
    from ..harness import Extra

    def run(ctx):
        from ..admm_qp_bench import qp_section, versions

        sizes = (100, 1000) if quick else (100, 500, 1000, 2000, 5000)
        rows = qp_section(sizes, repeat=int(ctx["results"]["repeat"]), say=ctx["say"])
        md = _table(rows, [
            ("problem", lambda r: r["problem"]), ("method", lambda r: r["method"]),
            ("time [s]", lambda r: f"{r['time']:.4f}"),
            ("time / OSQP", lambda r: f"{r['ratio_vs_osqp']:.2f}"),
            ("iterations", lambda r: str(r["iterations"])),
            ("KKT residual", lambda r: f"{r['kkt']:.1e}"),
            ("objective", lambda r: f"{r['objective']:.10g}")])
        return {"markdown": md, "data": {"rows": rows, "versions": versions()}}

    return Extra(name="qp", title="Random sparse QPs: admm_qp vs OSQP", run=run)


def _consensus_extra():
    from ..harness import Extra

    def run(ctx):
        from ..admm_consensus_bench import consensus_section

        return consensus_section(data_home=data_home(), repeat=int(ctx["results"]["repeat"]),
                                 say=ctx["say"])

    return Extra(name="consensus", title="Consensus L2-logistic on a9a: Dask vs dask-glm",
                 run=run)


def _federated_extra(quick):
    from ..harness import Extra

    def run(ctx):
        from ..admm_consensus_bench import federated_section

        return federated_section(ctx["out_dir"], plots=ctx.get("plots", True),
                                 n_seeds=3 if quick else 10, say=ctx["say"])

    return Extra(name="federated", title="Federated WLS under communication noise", run=run)


def build(quick=False):
    """Build the suite (every section is an extra: the races here are not gap-to-target).

    Parameters
    ----------
    quick : bool, default False

    Returns
    -------
    benchmarks.harness.Suite
    """
    from ..harness import Suite

    extras = [_lasso_extra(quick), _qp_extra(quick)]
    if not quick:
        extras.append(_consensus_extra())
    extras.append(_federated_extra(quick))
    notes = ["timed runs interleaved round-robin, medians; setup/factorization included",
             "BLAS limited to one thread (the peers are single-threaded C / Cython)"]
    return Suite(name="admm", description=DESCRIPTION, problems=[], solvers=[],
                 repeat=3 if quick else 5, notes=notes, curves=False, threads=1,
                 extras=extras)
