"""Small problem factories shared by the tests."""
import numpy as np


def make_regression(n=60, p=40, seed=0, sparse=False, density=0.3):
    """A small random regression problem (dense or CSR)."""
    import scipy.sparse as sp

    r = np.random.default_rng(seed)
    if sparse:
        X = sp.random(n, p, density=density, format="csr", random_state=seed, data_rvs=r.standard_normal)
        w = np.zeros(p)
        w[: max(1, p // 5)] = r.standard_normal(max(1, p // 5))
        y = X @ w + 0.1 * r.standard_normal(n)
    else:
        X = r.standard_normal((n, p))
        w = np.zeros(p)
        w[: max(1, p // 5)] = r.standard_normal(max(1, p // 5))
        y = X @ w + 0.1 * r.standard_normal(n)
    return X, y
