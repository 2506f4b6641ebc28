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


def observed_contraction(errors, floor=1e-11):
    """Asymptotic per-iteration contraction factor of an error sequence: the exponential of
    the slope of log(error) over the second half of the iterations above ``floor`` times the
    first error."""
    import numpy as np

    e = np.asarray(errors, dtype=float)
    sel = e > floor * e[0]
    k = np.arange(len(e))[sel]
    half = len(k) // 2
    return float(np.exp(np.polyfit(k[half:], np.log(e[sel][half:]), 1)[0]))
