"""Suite ``smoke``: one tiny Lasso (n=30, p=20) that checks the harness end to end in seconds.

optsuite's ``fista`` and ``prox_grad`` against scikit-learn's ``Lasso`` only (the peers that
need compiling at first use are left out to stay fast); target ``1e-6 * gap(0)``; BLAS limited
to one thread as in ``quick``.
"""
from __future__ import annotations

import numpy as np

DESCRIPTION = "tiny Lasso (n=30, p=20), optsuite vs scikit-learn: checks the harness in seconds"


def tiny_lasso(n=30, p=20, seed=0):
    """A tiny Lasso problem at ``alpha_max / 10`` (used by the tests too).

    Parameters
    ----------
    n, p, seed : int

    Returns
    -------
    benchmarks.harness.Problem
    """
    from ..lasso import alpha_max, lasso_problem

    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[:4] = [1.0, -2.0, 0.5, 1.5]
    y = X @ w + 0.1 * rng.standard_normal(n)
    return lasso_problem(f"tiny{n}x{p}", X, y, alpha_max(X, y) / 10,
                         f"Gaussian design n={n}, p={p}, 4-sparse truth; alpha = alpha_max/10")


def build(quick=False):
    """Build the suite (``quick`` only lowers the repeats to 2).

    Returns
    -------
    benchmarks.harness.Suite
    """
    from ..harness import Suite
    from ..lasso import fista_spec, peer_specs, prox_grad_spec

    peers, notes = peer_specs(("sklearn",))
    return Suite(name="smoke", description=DESCRIPTION, problems=[tiny_lasso()],
                 solvers=[fista_spec(), prox_grad_spec()] + peers, target_rel=1e-6,
                 repeat=2 if quick else 3, notes=notes, curve_time_budget=2.0, threads=1)
