"""Fixed partitions of the coordinates into blocks (Nutini, Laradji, Schmidt, JMLR 2022, §3).

A partition is a :class:`Partition`: an index matrix of shape ``(n_blocks, block_size)``
padded with ``-1`` where the last block is shorter, so block-wise quantities (scores, block
Lipschitz constants, curvature blocks) are computed for all blocks at once.
"""
from __future__ import annotations

import numpy as np

PARTITIONS = ("contiguous", "random", "sorted", "average", "sorted_hess", "average_hess")


class Partition:
    """Blocks of coordinates as a padded index matrix.

    Parameters
    ----------
    blocks : list of int arrays
        The blocks; together they cover ``0..n-1`` exactly once.
    n : int
        Number of coordinates.
    """

    def __init__(self, blocks, n):
        blocks = [np.asarray(b, dtype=np.int64).ravel() for b in blocks if len(b)]
        flat = np.concatenate(blocks) if blocks else np.empty(0, np.int64)
        if flat.size != n or np.unique(flat).size != n or flat.min() < 0 or flat.max() >= n:
            raise ValueError("blocks must cover every coordinate exactly once")
        width = max(b.size for b in blocks)
        idx = np.full((len(blocks), width), -1, dtype=np.int64)
        for i, b in enumerate(blocks):
            idx[i, : b.size] = b
        self.index = idx
        self.n = n
        self.block_of = np.empty(n, dtype=np.int64)
        self.block_of[flat] = np.repeat(np.arange(len(blocks)), [b.size for b in blocks])

    @property
    def n_blocks(self):
        return self.index.shape[0]

    def block(self, i):
        """Coordinates of block ``i``."""
        b = self.index[i]
        return b[b >= 0]

    def blocks(self):
        return [self.block(i) for i in range(self.n_blocks)]

    def __repr__(self):
        return f"Partition(n={self.n}, n_blocks={self.n_blocks}, block_size={self.index.shape[1]})"


def _chunks(order, size):
    return [order[i:i + size] for i in range(0, order.size, size)]


def _interleave(order, size):
    """Blocks whose members are spread over the sorted order (similar mean value)."""
    n_blocks = -(-order.size // size)
    return [order[i::n_blocks] for i in range(n_blocks)]


def make_partition(kind, n, block_size, *, lipschitz=None, hess_rowsum=None, rng=None):
    """Build a fixed partition.

    Parameters
    ----------
    kind : {"contiguous", "random", "sorted", "average", "sorted_hess", "average_hess"}
        Contiguous in index order; a random permutation cut into blocks; sorted by coordinate
        Lipschitz constant ``L_i`` (blocks of similar ``L``); "average" interleaves large and
        small ``L_i`` so blocks have similar mean ``L``; the ``_hess`` variants use the
        Hessian row sums ``sum_j |H_ij|`` in place of ``L_i``.
    n, block_size : int
    lipschitz, hess_rowsum : arrays of shape (n,), optional
        Needed by the sorted / average kinds.
    rng : numpy.random.Generator, optional
        Needed by "random".

    Returns
    -------
    Partition
    """
    if kind == "contiguous":
        return Partition(_chunks(np.arange(n), block_size), n)
    if kind == "random":
        return Partition(_chunks(rng.permutation(n), block_size), n)
    key = lipschitz if kind in ("sorted", "average") else hess_rowsum
    if key is None:
        what = "coordinate_lipschitz" if kind in ("sorted", "average") else "a Hessian (hess)"
        raise TypeError(f"partition={kind!r} needs {what} from the smooth part")
    order = np.argsort(-np.asarray(key), kind="stable")
    if kind.startswith("sorted"):
        return Partition(_chunks(order, block_size), n)
    return Partition(_interleave(order, block_size), n)
