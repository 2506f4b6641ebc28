"""Suite ``quick``: the Lasso on generated and small real data, no downloads.

Problems (all ``||Xx - y||^2 / (2n) + alpha ||x||_1``, scikit-learn's scaling):

* two generated sparse regressions (Gaussian design, AR(1)-correlated columns with
  ``rho = 0.5``, 20 informative features, SNR 3): a wide one (n=500, p=2000) and a tall one
  (n=2000, p=500), each at ``alpha = alpha_max / 10`` and ``alpha_max / 100`` with
  ``alpha_max = ||X^T y||_inf / n``;
* scikit-learn's diabetes data (n=442, p=10), columns standardized (mean 0, variance 1) and
  ``y`` centered (there is no intercept), at ``alpha = alpha_max / 100``.

Target: every solver must bring the shared duality gap to ``1e-6 * gap(0)``, where ``gap(0)``
is the gap at ``x = 0``; for the Lasso it equals ``(1 - alpha / alpha_max)^2 ||y||^2 / (2n)``
(the dual point ``y`` rescaled by ``alpha / alpha_max``), so the target is relative to the
scale of the data, like scikit-learn's ``tol``.

Solvers: optsuite's ``fista`` (gradient restart) and ``prox_grad`` against scikit-learn's
``Lasso``, and skglm's and celer's ``Lasso`` when importable. Five timed runs each (three with
``--quick``, which also halves the generated problems and keeps only ``alpha_max / 10`` for
them). Runs in well under two minutes on two cores.

Threads: the run limits BLAS/OpenMP to one thread (``--threads 0`` lifts the limit). The
peers' Lasso solvers are sequential coordinate descent on one core, so one thread compares
the algorithms on equal resources; it also keeps timings stable on shared machines, where
OpenBLAS's spinning threads were seen to slow dense matrix-vector products down 10-50x when
another process held a core.
"""
from __future__ import annotations


DESCRIPTION = ("Lasso: optsuite fista/prox_grad vs scikit-learn, skglm, celer on generated "
               "sparse regressions and sklearn's diabetes data (no downloads, 1 thread, < 2 min)")

TARGET_REL = 1e-6


def _diabetes():
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True, scaled=False)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X, y - y.mean()


def build(quick=False):
    """Build the suite.

    Parameters
    ----------
    quick : bool, default False
        Smaller generated problems, only ``alpha_max / 10`` for them, three repeats.

    Returns
    -------
    benchmarks.harness.Suite
    """
    from ..harness import Suite
    from ..lasso import (alpha_max, fista_spec, lasso_problem, make_sparse_regression,
                         peer_specs, prox_grad_spec)

    scale = 2 if quick else 1
    divisors = (10,) if quick else (10, 100)
    problems = []
    for n, p, seed in ((500, 2000, 0), (2000, 500, 1)):
        n, p = n // scale, p // scale
        X, y, _ = make_sparse_regression(n_samples=n, n_features=p, n_informative=20,
                                         rho=0.5, snr=3.0, random_state=seed)
        amax = alpha_max(X, y)
        for div in divisors:
            problems.append(lasso_problem(
                f"sim{n}x{p}-amax/{div}", X, y, amax / div,
                f"generated sparse regression n={n}, p={p}, rho=0.5, 20 informative, SNR 3; "
                f"alpha = alpha_max/{div}",
                info={"n_samples": n, "n_features": p, "rho": 0.5, "n_informative": 20,
                      "snr": 3.0, "random_state": seed, "alpha_max_divisor": div}))
    X, y = _diabetes()
    problems.append(lasso_problem(
        "diabetes-amax/100", X, y, alpha_max(X, y) / 100,
        "sklearn diabetes (442x10), standardized columns, centered y; alpha = alpha_max/100",
        info={"alpha_max_divisor": 100}))

    peers, notes = peer_specs()
    specs = [fista_spec(), prox_grad_spec()] + peers
    notes.append(f"target gap = {TARGET_REL:g} x gap(0), gap(0) = shared duality gap at x = 0")
    return Suite(name="quick", description=DESCRIPTION, problems=problems, solvers=specs,
                 target_rel=TARGET_REL, repeat=3 if quick else 5, notes=notes,
                 curve_time_budget=10.0, threads=1)
