"""The curvature bound ``B`` as the preconditioned methods see it: validated, on the solver's
backend, counted, with its spectrum summarized by ``sigma_0..sigma_k``."""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..core.validation import check_option
from .symmetric import elementary_symmetric, elementary_symmetric_from_traces
from .traces import DEFAULT_PROBES, exact_traces_sparse, hutchinson_traces

TRACES = ("exact", "hutchinson")
#: largest dimension for which an operator without ``eigenvalues()`` is formed column by column
#: for exact traces
EXACT_OPERATOR_MAX_DIM = 2000
_SYM_RTOL = 1e-8


class CurvatureBound:
    """Wraps ``B`` (dense, sparse, or an object with ``@`` and ``shape``).

    Checks cheaply that it is square of the variable's size, finite, symmetric and PSD (the
    diagonal of an explicit matrix, ``z^T B z`` on two probes of an operator; exact spectra are
    checked in full) and counts products in ``n_products`` (a block of m vectors counts m).
    """

    def __init__(self, B, n, bk, rng):
        self.bk = bk
        self.n = n
        self.rng = rng
        self.n_products = 0
        self.eigenvalues = None  # exact spectrum (host, ascending) when computed
        shape = getattr(B, "shape", None)
        if shape is None or len(shape) != 2:
            raise TypeError(f"B must be a square matrix or a linear operator with a shape, got "
                            f"{type(B).__name__}")
        if tuple(shape) != (n, n):
            raise ValueError(f"B has shape {tuple(shape)} but the variable has {n} entries; "
                             f"B must be ({n}, {n})")
        self.kind = ("sparse" if bk.issparse(B) or hasattr(B, "tocsr") else
                     "dense" if hasattr(B, "__array__") or hasattr(B, "__cuda_array_interface__")
                     else "operator")
        if self.kind != "operator":
            B = bk.to_device(B)
            if B.dtype.kind not in "fc":
                B = B.astype(np.float64)
            self._check_explicit(B)
        self.B = B
        if self.kind == "operator":
            self._check_operator()

    def _check_explicit(self, B):
        xp = self.bk.xp
        data = B.data if self.kind == "sparse" else B
        if not bool(xp.isfinite(data).all()):
            raise ValueError("B contains NaN or inf entries")
        asym = abs(B - B.T).max() if self.kind == "sparse" else xp.abs(B - B.T).max()
        scale = abs(B).max() if self.kind == "sparse" else xp.abs(B).max()
        if float(asym) > 1e-10 * max(float(scale), 1e-300):
            raise ValueError(f"B must be symmetric; max |B - B^T| = {float(asym):.3e}")
        if bool((B.diagonal() < 0).any()):
            raise ValueError("B must be positive semidefinite but has a negative diagonal entry")

    def _check_operator(self):
        xp = self.bk.xp
        U = xp.asarray(self.rng.standard_normal((self.n, 2)))
        BU = self.matvec(U)
        if not bool(xp.isfinite(BU).all()):
            raise ValueError("B @ v is not finite for a random v")
        u, v, Bu, Bv = U[:, 0], U[:, 1], BU[:, 0], BU[:, 1]
        uBv, vBu = float(u @ Bv), float(v @ Bu)
        if abs(uBv - vBu) > _SYM_RTOL * (float(xp.linalg.norm(u) * xp.linalg.norm(Bv)) +
                                         float(xp.linalg.norm(v) * xp.linalg.norm(Bu))):
            raise ValueError(f"B must be symmetric: u^T B v = {uBv:.6e} but v^T B u = {vBu:.6e}")
        if float(u @ Bu) < 0 or float(v @ Bv) < 0:
            raise ValueError("B must be positive semidefinite: z^T B z < 0 for a random z")

    def matvec(self, v):
        self.n_products += 1 if v.ndim == 1 else v.shape[1]
        return self.B @ v

    # -- spectrum -------------------------------------------------------------------------
    def spectrum(self):
        """Exact eigenvalues (host float64, ascending) when ``B`` gives them cheaply: a dense
        matrix, an operator with ``eigenvalues()``, or a small operator formed by columns;
        None for a sparse matrix (its exact traces come from sparse powers)."""
        if self.eigenvalues is not None:
            return self.eigenvalues
        if self.kind == "sparse":
            return None
        if self.kind == "dense":
            lam = np.linalg.eigvalsh(np.asarray(self.bk.to_host(self.B), dtype=np.float64))
        elif callable(getattr(self.B, "eigenvalues", None)):
            lam = np.asarray(self.B.eigenvalues(), dtype=np.float64)
        elif self.n <= EXACT_OPERATOR_MAX_DIM:
            dense = self.matvec(self.bk.xp.eye(self.n))
            lam = np.linalg.eigvalsh(np.asarray(self.bk.to_host(dense), dtype=np.float64))
        else:
            raise ValueError(
                f"traces='exact' needs B's spectrum, but B is a {self.n} x {self.n} operator "
                f"without eigenvalues() (above {EXACT_OPERATOR_MAX_DIM}); use "
                "traces='hutchinson'"
            )
        lam = np.sort(lam)
        if lam[0] < -1e-10 * max(lam[-1], 1e-300):
            raise ValueError(f"B must be positive semidefinite; its smallest eigenvalue is "
                             f"{lam[0]:.3e}")
        self.eigenvalues = np.clip(lam, 0.0, None)
        return self.eigenvalues

    def sigmas(self, k, traces="exact", n_probes=None):
        """``(sigma_hat, s, info)``: ``sigma_0..sigma_k`` of ``B / s`` with ``s = tr(B) / n``
        the mean eigenvalue (so that high orders neither overflow nor underflow;
        ``sigma_j(B) = s^j sigma_hat_j``) and how they were obtained (``info["method"]``, and
        for estimates the traces and their standard errors)."""
        check_option(traces, "traces", TRACES)
        if traces == "exact":
            lam = self.spectrum()
            if lam is not None:
                s = _mean_eigenvalue(float(lam.sum()), self.n)
                return elementary_symmetric(lam / s, k), s, {"method": "eigenvalues"}
            t = exact_traces_sparse(self.B, k)
            info = {"method": "sparse traces", "traces": t}
        else:
            n_probes = DEFAULT_PROBES if n_probes is None else n_probes
            t, est = hutchinson_traces(self.matvec, self.n, k, n_probes=n_probes, rng=self.rng,
                                       xp=self.bk.xp, dtype=np.float64)
            info = {"method": "hutchinson", "traces": t, "stderr": est["stderr"]}
        s = _mean_eigenvalue(float(t[0]), self.n)
        t_hat = t / s ** np.arange(1, k + 1)
        return elementary_symmetric_from_traces(t_hat), s, info

    def largest_eigenvalue(self, iters=100):
        """``lambda_max(B)``: exact from the spectrum when known, else a power iteration
        inflated by 1 %."""
        if self.eigenvalues is not None:
            return float(self.eigenvalues[-1])
        xp = self.bk.xp
        v = xp.asarray(self.rng.standard_normal(self.n))
        lam = 0.0
        for _ in range(iters):
            w = self.matvec(v / float(xp.linalg.norm(v)))
            lam_new = float(xp.linalg.norm(w))
            if lam_new == 0 or abs(lam_new - lam) <= 1e-6 * lam_new:
                lam = lam_new
                break
            v, lam = w, lam_new
        return 1.01 * lam


def usable_degree(sigma, tau, method):
    """The largest degree ``<= tau`` whose ``sigma_1..sigma_{degree+1}`` are positive.

    An exact zero means ``B`` has rank ``<= tau`` (an error: there is no such preconditioner);
    estimated traces can also produce a nonpositive value by cancellation, which lowers the
    degree with a warning.
    """
    bad = [j for j in range(1, tau + 2) if not (sigma[j] > 0 and math.isfinite(sigma[j]))]
    if not bad:
        return tau
    if method != "hutchinson":
        raise ValueError(f"B has rank < {tau + 1}: sigma_{bad[0]} = {sigma[bad[0]]:.3e}, so "
                         f"P_tau is not defined for tau = {tau}; use tau <= {bad[0] - 2} or add "
                         "a ridge term")
    degree = bad[0] - 2
    if degree < 0:
        raise ValueError("the Hutchinson estimate of tr(B) is not positive; check B")
    warnings.warn(f"estimated sigma_{bad[0]} = {sigma[bad[0]]:.3e} is not positive (trace "
                  f"estimates too noisy); using tau = {degree} instead of {tau}; raise n_probes "
                  "or use traces='exact'", RuntimeWarning, stacklevel=3)
    return degree


def _mean_eigenvalue(trace, n):
    if not trace > 0 or not math.isfinite(trace):
        raise ValueError(f"B must be a nonzero PSD matrix; its trace is {trace:.3e}")
    return trace / n
