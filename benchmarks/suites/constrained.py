"""Suite ``constrained``: the exact augmented Lagrangian method with randomized sketching
(``solvers.exact_al``; Hong, Na, Mahoney, Kolar, ICML 2023) against SciPy's
``trust-constr`` and ``SLSQP`` (:mod:`benchmarks.constrained_bench`).

1. **CUTEst** (extra ``cutest``): every native equality-constrained CUTEst problem
   (``problems.cutest.names(kind="equality")``) from its SIF starting point, with the four
   solvers of ``exact_al`` (Kaczmarz, Gaussian and block sketches, and the direct solve) and
   the two SciPy methods: solved count (shared KKT residual <= 1e-6), mean outer iterations,
   median time, and performance profiles (``constrained_profiles.png``).

Targets (from the issue): every problem solved to KKT <= 1e-6 with a mean of at most 7 outer
iterations; a solved count at least that of each SciPy method.

``--quick``: the same problems, one timed run each.
"""
from __future__ import annotations

DESCRIPTION = ("Equality-constrained: exact_al (sketched Newton on the exact augmented "
               "Lagrangian) vs SciPy trust-constr and SLSQP on CUTEst problems")


def build(quick=False):
    """Build the suite (everything is in its sections).

    Parameters
    ----------
    quick : bool, default False

    Returns
    -------
    benchmarks.harness.Suite
    """
    from ..constrained_bench import cutest_extra
    from ..harness import Suite

    def names():
        import problems as P

        return P.cutest.names(kind="equality")

    return Suite(name="constrained", description=DESCRIPTION, problems=[], solvers=[],
                 repeat=1 if quick else 3, curves=False, threads=1,
                 notes=["one shared KKT measure (least-squares multipliers at the returned x)",
                        "BLAS limited to one thread"],
                 extras=[cutest_extra(names, repeat=1 if quick else 3)])
