"""Nonlinear-equation (NE) and other equality-constrained problems of CUTEst, written natively (see :class:`EqualityCUTEstProblem`)."""
from __future__ import annotations

import numpy as np

from ._base import register
from ._equality_base import EqualityCUTEstProblem
