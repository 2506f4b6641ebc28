"""Shared test configuration: data location, GPU skipping, small problem factories."""
import os
import pathlib

import numpy as np
import pytest

_SHARED = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "libsvm"
if "OPTSUITE_DATA" not in os.environ and _SHARED.is_dir():
    os.environ["OPTSUITE_DATA"] = str(_SHARED)


def _gpu_ok():
    try:
        from solvers.backend._select import gpu_available
    except ImportError:
        return False
    return gpu_available()


def pytest_collection_modifyitems(config, items):
    if any("gpu" in item.keywords for item in items) and not _gpu_ok():
        skip = pytest.mark.skip(reason="needs cupy and a CUDA device")
        for item in items:
            if "gpu" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
