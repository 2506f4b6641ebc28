"""The registry of benchmark suites.

A suite is a module with a one-line ``DESCRIPTION`` and a function
``build(quick: bool) -> benchmarks.harness.Suite``. Register it in :data:`SUITES`
(name -> module path); modules are imported only when needed, and heavy imports belong inside
``build``.
"""
from __future__ import annotations

import importlib
import os

#: Suite name -> module implementing it.
SUITES = {
    "quick": "benchmarks.suites.quick",
    "smoke": "benchmarks.suites.smoke",
    "bcd": "benchmarks.suites.bcd",
    "nonconvex": "benchmarks.suites.nonconvex",
    "admm": "benchmarks.suites.admm",
    "newton": "benchmarks.suites.newton",
    "precond": "benchmarks.suites.precond",
    "sor": "benchmarks.suites.sor",
    "constrained": "benchmarks.suites.constrained",
    "halpern": "benchmarks.suites.halpern",
}


def data_home():
    """Where the suites read LIBSVM files: ``OPTSUITE_DATA``, else the project notes'
    ``shared/datasets/libsvm`` next to the checkout when it exists, else None (the loader's
    own default).

    Returns
    -------
    str or None
    """
    home = os.environ.get("OPTSUITE_DATA")
    if home:
        return home
    shared = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "datasets",
                          "libsvm")
    return shared if os.path.isdir(shared) else None


def names():
    """Names of the registered suites, in registration order.

    Returns
    -------
    list of str
    """
    return list(SUITES)


def get(name):
    """The module of suite ``name``.

    Parameters
    ----------
    name : str

    Returns
    -------
    module
        With ``DESCRIPTION`` and ``build(quick)``.

    Raises
    ------
    KeyError
        When no suite has that name (the message lists the suites).
    """
    if name not in SUITES:
        raise KeyError(f"unknown suite {name!r}; available suites: {', '.join(SUITES)}")
    return importlib.import_module(SUITES[name])


def describe():
    """``{name: one-line description}`` for every registered suite.

    Returns
    -------
    dict
    """
    return {name: get(name).DESCRIPTION for name in SUITES}
