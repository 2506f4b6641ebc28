"""ADMM: general two-block splitting with adaptive penalty, built-in problems, OSQP-form QPs,
and consensus ADMM distributed on Dask."""
from .admm import admm
from .builtins import admm_group_lasso, admm_lasso, admm_logistic_l1
from .tv import admm_tv1d, admm_tv2d
from .consensus import consensus_admm
from .federated import federated_wls
from .qp import admm_qp  # noqa: E402,F401
from .consensus import ShardLostError  # noqa: E402,F401
