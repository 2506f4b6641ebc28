"""VR-FoRB: the variance-reduced forward-reflected-backward inner solver of Algorithm 2.

It approximates the resolvent ``J_{eta(F+G)}(u)``, i.e. solves the strongly monotone
inclusion ``0 in B(v) + G(v)`` with ``B(v) = eta F(v) + v - u`` (1-strongly monotone,
(1 + eta L)-Lipschitz on average), by the loopless-SVRG forward-reflected-backward method of
Alacaoglu, Malitsky and Cevher (Comput. Optim. Appl. 80:321-346, 2021, Algorithm 1):

    vbar_j    = alpha v_j + (1 - alpha) w_j
    v_{j+1}   = Proj_C(vbar_j - gamma [B(w_j) + B_S(v_j) - B_S(w_{j-1})])
    w_{j+1}   = v_{j+1} with probability p, else w_j

with ``alpha = 1 - p``, ``B_S`` the minibatch mean over S (i.i.d. uniform indices; the
identity part of B is exact) and ``v_0 = w_0 = w_{-1} = u``.
"""
from __future__ import annotations


def vr_forb_resolvent(prob, oracle, u, Fu, *, eta, gamma, p, batch_size, n_steps, rng):
    """Approximate ``J_{eta(F+G)}(u)`` by ``n_steps`` VR-FoRB steps from ``v = u``.

    ``Fu`` is F(u), already charged by the caller (it is B(w_0) / eta). Each step costs
    ``2 batch_size`` component evaluations plus, with probability ``p``, a full evaluation
    at the new snapshot.
    """
    alpha = 1.0 - p
    n = prob.n
    v = w = w_prev = u
    Bw = eta * Fu
    for _ in range(n_steps):
        idx = rng.integers(0, n, size=batch_size)
        vbar = alpha * v + (1.0 - alpha) * w if alpha > 0 else w
        g = Bw + eta * oracle.batch_diff(idx, v, w_prev) + (v - w_prev)
        v = prob.project(vbar - gamma * g)
        w_prev = w
        if rng.random() < p:
            w = v
            Bw = eta * oracle.full(w) + (w - u)
    return v
