"""Federated weighted least squares by consensus ADMM over noisy links with random client
scheduling: the noise-robust variant with the dual variable eliminated, and standard
consensus ADMM as the baseline.

References
----------
E. Lari, R. Arablouei, V. C. Gogineni, S. Werner, "Noise-robust and resource-efficient
ADMM-based federated learning" (arXiv:2409.13451, 2024): federated WLS, dual variable
eliminated so each client uses one noisy global model per update, random client scheduling,
local updates continuing at unscheduled clients.
S. Boyd et al., "Distributed optimization and statistical learning via the alternating
direction method of multipliers", Found. Trends Mach. Learn. 3(1), 2011, section 7.1.
"""
from __future__ import annotations


import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from ..core.monitor import Monitor
from ..core.validation import check_matrix, check_option, check_scalar, check_vector, check_x0
from ..core.validation import check_callback_and_seed
from ._common import check_data_parts
from .consensus import check_cpu_backend

__all__ = ["federated_wls"]

VARIANTS = ("robust", "standard")


def _check_clients(clients):
    """Per client ``(H_k, b_k, c_k)`` with ``H_k = X_k^T W_k X_k``, ``b_k = X_k^T W_k y_k``,
    ``c_k = y_k^T W_k y_k``; and ``d``."""
    out, d = [], None
    for k, X, y, rest in check_data_parts(clients, "clients", "federated_wls", idx="k",
                                          with_weights=True):
        d, n = X.shape[1], X.shape[0]
        W = rest[0] if rest else None
        if W is None:
            WX, Wy = X, y
        elif np.ndim(W) == 1:
            W = check_vector(W, f"clients[{k}][2] (w)", size=n, dtype=np.float64,
                             backend="cpu")
            if (W < 0).any():
                raise ValueError(f"clients[{k}][2] (w) has negative weights; WLS weights must "
                                 "be >= 0")
            WX = sp.diags(W) @ X if sp.issparse(X) else W[:, None] * X
            Wy = W * y
        else:
            W = check_matrix(W, f"clients[{k}][2] (W)", backend="cpu", accept_sparse=False)
            if W.shape != (n, n):
                raise ValueError(f"clients[{k}][2] (W) has shape {W.shape}; expected ({n}, {n})")
            if not np.allclose(W, W.T, rtol=1e-10, atol=1e-12 * float(np.abs(W).max())):
                raise ValueError(f"clients[{k}][2] (W) must be symmetric")
            WX = W @ X if not sp.issparse(X) else np.asarray((X.T @ W).T)
            Wy = W @ y
        H = X.T @ WX
        H = H.toarray() if sp.issparse(H) else np.asarray(H)
        b = np.asarray(X.T @ Wy).ravel()
        c = float(y @ Wy)
        out.append((0.5 * (H + H.T), b, c))
    return out, d


def _noise_pair(noise_std):
    if isinstance(noise_std, (tuple, list)):
        if len(noise_std) != 2:
            raise ValueError("noise_std must be a float or a pair (uplink_std, downlink_std), "
                             f"got {noise_std!r}")
        up = check_scalar(noise_std[0], "noise_std[0] (uplink)", lower=0.0)
        down = check_scalar(noise_std[1], "noise_std[1] (downlink)", lower=0.0)
        return up, down
    s = check_scalar(noise_std, "noise_std", lower=0.0)
    return s, s


def federated_wls(clients, *, variant="robust", rho=1.0, participation=1.0, n_scheduled=None,
                  noise_std=0.0, local_updates=True, x0=None, tol=1e-8, max_iter=300,
                  callback=None, verbose=False, backend="auto", random_state=None):
    """Federated weighted least squares by consensus ADMM over noisy links with random
    client scheduling (noise-robust variant, or standard consensus ADMM as the baseline).

    Solves ``min_w sum_k (1/2) (y_k - X_k w)^T W_k (y_k - X_k w)`` over ``K`` clients that
    keep their data, and simulates the federated run: each iteration a random subset of
    clients receives the global model ``z`` over a noisy downlink, updates its local model
    and sends a message back over a noisy uplink; the server averages the latest message of
    every client. The history tracks the mean-square error of ``z`` to the centralized WLS
    solution ``w* = (sum_k X_k^T W_k X_k)^{-1} sum_k X_k^T W_k y_k``.

    Parameters
    ----------
    clients : list of (X_k, y_k) or (X_k, y_k, w_k)
        Client data: ``X_k`` an ``(n_k, d)`` array or sparse matrix, ``y_k`` of length
        ``n_k``, weights ``w_k`` a vector of ``n_k`` nonnegative weights (``W_k =
        diag(w_k)``) or a symmetric ``(n_k, n_k)`` matrix; default identity.
    variant : {"robust", "standard"}, default "robust"
        ``"robust"``: the dual variable eliminated (see Notes), one noisy global model per
        client update. ``"standard"``: consensus ADMM of Boyd et al. (2011, eq. 7.6) with the
        server averaging the local models and the duals kept at the clients.
    rho : float, default 1.0
        ADMM penalty (> 0), in the units of ``X_k^T W_k X_k``.
    participation : float, default 1.0
        Probability in (0, 1] that a client is scheduled in an iteration (independently).
    n_scheduled : int, optional
        Schedule exactly this many clients per iteration, uniformly at random, instead.
    noise_std : float or (float, float), default 0.0
        Standard deviation of the additive Gaussian noise on every transmitted vector,
        or ``(uplink_std, downlink_std)``.
    local_updates : bool, default True
        Robust variant: unscheduled clients keep updating their local model with the last
        global model they received (the "continual local updates" of Lari et al.). The
        standard variant leaves them idle either way.
    x0 : array of shape (d,), optional
        Initial global model (default zeros); every local model starts there.
    tol : float, default 1e-8
        Stop when the relative gradient norm of the pooled WLS objective at ``z``,
        ``||sum_k (H_k z - b_k)|| / max(||sum_k b_k||, 1e-300)``, is <= tol. Under noise the
        iterates reach a noise floor instead: expect ``success=False`` and read
        ``history.mse``.
    max_iter : int, default 300
    callback : callable, optional
        ``callback(intermediate_result)`` with ``x`` (= ``z``), ``fun``, ``nit``, ``measure``.
    verbose : bool, default False
    backend : {"auto", "cpu"}, default "auto"
        The simulation runs on the CPU; "gpu" raises ValueError.
    random_state : None, int or numpy Generator
        Seeds the scheduling and the noise. Both variants draw the same schedule and the
        same noise for a given seed (same draws in the same order), so they can be compared
        on one realization.

    Returns
    -------
    Result
        ``x`` the server's global model ``z``, ``fun`` the WLS objective there, ``w_star``
        the centralized solution, ``w_local`` the ``(K, d)`` local models, ``mse`` the final
        ``||z - w*||^2 / d``, ``n_uplinks`` / ``n_downlinks`` the transmissions made.
        ``history`` columns: objective, measure (``rel_grad``), time, mse, local_mse (mean
        over clients of ``||w_k - w*||^2 / d``), n_scheduled.

    Notes
    -----
    Consensus form: ``min sum_k f_k(w_k)`` s.t. ``w_k = z``, with ``f_k(w) = (1/2) w^T H_k w
    - b_k^T w + const``. Taking the global update first, ADMM with unscaled duals
    ``lambda_k`` reads::

        z^{t+1}         = (1/K) sum_k (w_k^t + lambda_k^t / rho)
        w_k^{t+1}       = (H_k + rho I)^{-1} (b_k + rho z^{t+1} - lambda_k^t)
        lambda_k^{t+1}  = lambda_k^t + rho (w_k^{t+1} - z^{t+1}).

    The optimality condition of the w-update, ``H_k w_k^{t+1} - b_k + lambda_k^t +
    rho (w_k^{t+1} - z^{t+1}) = 0``, turns the dual update into ``lambda_k^{t+1} =
    b_k - H_k w_k^{t+1} = -grad f_k(w_k^{t+1})``: the dual is a function of the local model
    and can be eliminated. Substituting it gives the robust iteration::

        client k (scheduled):  w_k <- (H_k + rho I)^{-1} (H_k w_k + rho z~),
                               uplink  s_k = w_k - (H_k w_k - b_k) / rho
        server:                z <- (1/K) sum_k s~_k  (latest message of each client)

    where ``z~`` and ``s~_k`` are the noisy received copies. Without noise and with full
    participation it is the same ADMM (same fixed point ``w_k = z = w*``, same convergence);
    but each client uses the noisy global model once, and no quantity accumulates noise:
    ``lambda_k`` is recomputed from ``w_k`` instead of being a running sum. An unscheduled
    client keeps iterating ``w_k <- (H_k + rho I)^{-1} (H_k w_k + rho z^_k)`` with the last
    model ``z^_k`` it received (``local_updates=True``).

    The standard baseline is Boyd's consensus ADMM (eqs. 7.6-7.8) in federated form: a
    scheduled client updates its dual with the received model, ``lambda_k <- lambda_k +
    rho (w_k - z~)`` and then ``w_k <- (H_k + rho I)^{-1} (b_k + rho z~ - lambda_k)`` (the
    noisy model is used twice), and sends ``w_k``; the server averages the local models,
    which relies on ``sum_k lambda_k = 0``. Channel noise makes ``sum_k lambda_k`` a random
    walk, so its error grows with the iterations; partial participation also breaks the
    identity, and the standard iteration then settles away from ``w*`` even without noise.

    Iteration 0 is an initialization round in which every client sends its first message
    (robust: ``s_k`` at ``w_k = x0``; standard: ``w_k = x0``). ``n_uplinks`` counts it.

    These update rules are derived here from the paper's description (dual elimination,
    single use of the noisy global model, scheduling, continual local updates); the paper's
    own equations may differ in details such as step-size weighting.

    Examples
    --------
    >>> import numpy as np
    >>> from solvers.admm import federated_wls
    >>> rng = np.random.default_rng(0)
    >>> clients = [(rng.standard_normal((20, 5)), rng.standard_normal(20)) for _ in range(8)]
    >>> res = federated_wls(clients, rho=10.0, max_iter=500, random_state=0)
    >>> res.success, res.mse < 1e-12
    (True, True)
    """
    check_option(variant, "variant", VARIANTS)
    rho = check_scalar(rho, "rho", lower=0.0, lower_inclusive=False)
    tol = check_scalar(tol, "tol", lower=0.0)
    max_iter = check_scalar(max_iter, "max_iter", lower=0, integer=True)
    if not isinstance(local_updates, (bool, np.bool_)):
        raise TypeError(f"local_updates must be True or False, got {local_updates!r}")
    up_std, down_std = _noise_pair(noise_std)
    check_cpu_backend(backend, "federated_wls simulates the clients on the CPU")
    check_callback_and_seed(callback, random_state)
    data, d = _check_clients(clients)
    K = len(data)
    if n_scheduled is not None:
        n_scheduled = check_scalar(n_scheduled, "n_scheduled", lower=1, upper=K, integer=True)
        if participation != 1.0:
            raise ValueError("give participation or n_scheduled, not both")
    else:
        participation = check_scalar(participation, "participation", lower=0.0, upper=1.0,
                                     lower_inclusive=False)
    rng = np.random.default_rng(random_state)
    z = check_x0(x0, (d,), backend="cpu")

    H_tot = sum(H for H, _, _ in data)
    b_tot = sum(b for _, b, _ in data)
    c_tot = sum(c for _, _, c in data)
    try:
        w_star = sla.cho_solve(sla.cho_factor(H_tot, lower=True), b_tot)
    except np.linalg.LinAlgError:
        raise ValueError("the pooled normal matrix sum_k X_k^T W_k X_k is singular: the WLS "
                         "problem has no unique solution (more samples, positive weights, or "
                         "fewer features)") from None
    b_norm = max(float(np.linalg.norm(b_tot)), 1e-300)
    facs = [sla.cho_factor(H + rho * np.eye(d), lower=True) for H, _, _ in data]

    def solve(k, q):
        return sla.cho_solve(facs[k], q)

    def objective(v):
        return 0.5 * float(v @ (H_tot @ v)) - float(b_tot @ v) + 0.5 * c_tot

    def rel_grad(v):
        return float(np.linalg.norm(H_tot @ v - b_tot)) / b_norm

    def noisy(v, std):
        return v + std * rng.standard_normal(d) if std > 0 else v

    robust = variant == "robust"
    W = np.tile(z, (K, 1))                  # local models
    lam = np.zeros((K, d))                  # standard: duals at the clients
    zhat = np.tile(z, (K, 1))               # robust: last global model each client received
    S = np.empty((K, d))                    # the server's latest message from each client
    for k, (H, b, _) in enumerate(data):    # initialization round
        msg = W[k] - (H @ W[k] - b) / rho if robust else W[k].copy()
        S[k] = noisy(msg, up_std)
    n_up, n_down = K, 0
    z = S.sum(axis=0) / K

    mon = Monitor("federated_wls", tol=tol, max_iter=max_iter, measure_name="rel_grad",
                  callback=callback, verbose=verbose)
    mse = float(np.sum((z - w_star) ** 2)) / d
    stop = mon.record(0, z, objective(z), rel_grad(z), mse=mse,
                      local_mse=float(np.sum((W - w_star) ** 2)) / (K * d), n_scheduled=K)
    for t in range(1, max_iter + 1):
        if stop:
            break
        if n_scheduled is not None:
            mask = np.zeros(K, dtype=bool)
            mask[rng.choice(K, size=n_scheduled, replace=False)] = True
        else:
            mask = rng.random(K) < participation
        for k, (H, b, _) in enumerate(data):
            if mask[k]:
                zt = noisy(z, down_std)
                n_down += 1
                if robust:
                    W[k] = solve(k, H @ W[k] + rho * zt)
                    zhat[k] = zt
                    msg = W[k] - (H @ W[k] - b) / rho
                else:
                    lam[k] += rho * (W[k] - zt)
                    W[k] = solve(k, b + rho * zt - lam[k])
                    msg = W[k]
                S[k] = noisy(msg, up_std)
                n_up += 1
            elif robust and local_updates:
                W[k] = solve(k, H @ W[k] + rho * zhat[k])
        z = S.sum(axis=0) / K
        mse = float(np.sum((z - w_star) ** 2)) / d
        stop = mon.record(t, z, objective(z), rel_grad(z), mse=mse,
                          local_mse=float(np.sum((W - w_star) ** 2)) / (K * d),
                          n_scheduled=int(mask.sum()))
    res = mon.result(z.copy(), objective(z), nfev=n_up, njev=0, nhev=0)
    res.update(w_star=w_star, w_local=W.copy(), mse=mse, n_uplinks=n_up, n_downlinks=n_down,
               variant=variant)
    return res
