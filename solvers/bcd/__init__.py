"""Block coordinate descent with greedy rules, variable and forest blocks, message passing
and active-set Newton steps (Nutini, Laradji, Schmidt, JMLR 2022)."""
from .forest import forest_partition, greedy_forest, is_forest, red_black_partition, two_forest_partition
from .message_passing import solve_forest_block
from .partitions import Partition, make_partition
from .solver import bcd

__all__ = ["Partition", "bcd", "forest_partition", "greedy_forest", "is_forest",
           "make_partition", "red_black_partition", "solve_forest_block", "two_forest_partition"]
