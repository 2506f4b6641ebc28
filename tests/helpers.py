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
    e = np.asarray(errors, dtype=float)
    sel = e > floor * e[0]
    k = np.arange(len(e))[sel]
    half = len(k) // 2
    return float(np.exp(np.polyfit(k[half:], np.log(e[sel][half:]), 1)[0]))


def random_spd(n=30, seed=0, density=0.2):
    """A random sparse symmetric positive definite CSR matrix ``M M^T + 0.05 n I`` (sorted
    indices) and a random right-hand side."""
    import scipy.sparse as sp

    r = np.random.default_rng(seed)
    M = sp.random(n, n, density=density, random_state=seed, data_rvs=r.standard_normal)
    A = (M @ M.T + n * 0.05 * sp.identity(n)).tocsr()
    A.sort_indices()
    return A, r.standard_normal(n)


def sparse_signal_design(n, p, density, seed=5, signal_scale=1.0):
    """A CSR design with standard normal entries at the given density and a coefficient
    vector with 10 nonzero entries (for the sparse working-set kernel tests)."""
    import scipy.sparse as sp

    r = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, format="csr", random_state=seed,
                  data_rvs=r.standard_normal)
    w = np.zeros(p)
    w[:10] = signal_scale * r.standard_normal(10)
    return X, w, r
