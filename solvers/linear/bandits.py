"""Online learners that pick one of K arms (a grid of relaxation parameters) from costs.

Every learner has the same two-call protocol: ``arm = learner.select(context)`` before a
round and ``learner.update(cost)`` after it, where ``cost`` is what the chosen arm cost in that
round (for :class:`solvers.OmegaTuner`, the iteration count of one solve). Only the chosen
arm's cost is observed (bandit feedback). The learners:

- :class:`TsallisINF`: 1/2-Tsallis-INF (Zimmert & Seldin 2021), the learner of Khodak et al.
  (ICLR 2024); regret O(sqrt(K T)) against any sequence of costs in [0, scale].
- :class:`TsallisINFCB`: one Tsallis-INF per bin of a scalar context.
- :class:`ChebCB`: inverse-gap weighting over per-arm least-squares fits of the cost on
  Chebyshev features of a scalar context (Khodak et al., after Foster & Rakhlin's SquareCB).
- :class:`UnimodalUCB`: OSUB (Combes & Proutiere 2014), which exploits a mean cost that is
  unimodal in the arm index (the cost of SOR in omega is); regret grows with the gaps of the
  leader's neighbours only, not with K.
"""
from __future__ import annotations

import math

import numpy as np

from ..core.validation import check_callback_and_seed, check_scalar

__all__ = ["ChebCB", "TsallisINF", "TsallisINFCB", "UnimodalUCB"]


def _rng(random_state):
    check_callback_and_seed(None, random_state)
    return np.random.default_rng(random_state)  # a Generator passes through unchanged


def _check_bounds(bounds):
    if bounds is None:
        raise ValueError("a contextual learner needs context_bounds=(low, high), the range of "
                         "the scalar context")
    try:
        lo, hi = (float(v) for v in bounds)
    except (TypeError, ValueError):
        raise ValueError(f"context_bounds must be a pair (low, high), got {bounds!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"context_bounds must be finite with low < high, got {bounds!r}")
    return lo, hi


class _Learner:
    """Shared bookkeeping: the round counter, the pending arm and the cost checks."""

    contextual = False

    def __init__(self, n_arms, random_state):
        self.n_arms = int(check_scalar(n_arms, "n_arms", lower=1, integer=True))
        self.rng = _rng(random_state)
        self.t = 0
        self._arm = None

    def _check_context(self, context):
        if self.contextual:
            if context is None:
                raise ValueError(f"{type(self).__name__} is contextual: pass the context of "
                                 "each round to select(context)")
            return check_scalar(context, "context")
        return None

    def _take(self, arm):
        self._arm = int(arm)
        return self._arm

    def _observe(self, cost):
        if self._arm is None:
            raise RuntimeError("update(cost) needs a select() first: one update per round")
        cost = check_scalar(cost, "cost", lower=0.0)
        arm, self._arm = self._arm, None
        self.t += 1
        return arm, cost


class TsallisINF(_Learner):
    """1/2-Tsallis-INF over ``n_arms`` arms with importance-weighted cost estimates.

    Round t plays arm i with probability ``w_i = 4 / (eta_t (Lhat_i - x))^2``, where
    ``eta_t = 2 / sqrt(t)``, ``Lhat_i`` is the cumulative importance-weighted estimate of arm
    i's normalized cost (``cost / scale`` divided by the probability it was played with) and the
    normalizer ``x < min Lhat`` makes the weights sum to one (Newton's method, monotone from
    ``x = min Lhat - 2 / eta``). The expected regret against the best fixed arm is at most
    ``4 sqrt(K T) + 1`` for normalized costs in [0, 1] (Zimmert & Seldin 2021, Theorem 1).

    Parameters
    ----------
    n_arms : int
    scale : {"mean", "max"} or float, default "mean"
        What costs are divided by. ``"mean"``: the running mean cost (the choice of Khodak et
        al.'s code; the past estimates are rescaled with it), ``"max"``: the largest cost seen
        (the normalized costs then stay in [0, 1], as the bound assumes), a float: a fixed
        bound.
    random_state : int, Generator or None

    References
    ----------
    J. Zimmert, Y. Seldin, "Tsallis-INF: An optimal algorithm for stochastic and adversarial
    bandits", JMLR 22(28), 2021.
    M. Khodak, E. Chow, M.-F. Balcan, A. Talwalkar, "Learning to relax: setting solver
    parameters across a sequence of linear system instances", ICLR 2024.
    """

    def __init__(self, n_arms, *, scale="mean", random_state=None):
        super().__init__(n_arms, random_state)
        if isinstance(scale, str):
            if scale not in ("mean", "max"):
                raise ValueError(f"scale must be 'mean', 'max' or a positive float, got {scale!r}")
        else:
            scale = check_scalar(scale, "scale", lower=0.0, lower_inclusive=False)
        self.scale = scale
        self.estimates = np.zeros(self.n_arms)
        self._sum = 0.0
        self._max = 0.0

    def _scale(self):
        if not isinstance(self.scale, str):
            return self.scale
        if self.t == 0:
            return 1.0
        s = self._sum / self.t if self.scale == "mean" else self._max
        return s if s > 0 else 1.0

    def probabilities(self):
        """The distribution the next round samples from."""
        eta = 2.0 / math.sqrt(self.t + 1)
        L = self.estimates / self._scale()
        x = L.min() - 2.0 / eta
        for _ in range(100):
            w = 4.0 / (eta * (L - x)) ** 2
            excess = w.sum() - 1.0
            if abs(excess) < 1e-13:
                break
            x -= excess / (eta * np.sum(w ** 1.5))
        return w / w.sum()

    def select(self, context=None):
        """Sample the arm of this round (``context`` is ignored)."""
        self._check_context(context)
        p = self.probabilities()
        arm = self.rng.choice(self.n_arms, p=p)
        self._p = float(p[arm])
        return self._take(arm)

    def update(self, cost):
        """Feed back the cost of the arm chosen by the last :meth:`select`."""
        arm, cost = self._observe(cost)
        self._sum += cost
        self._max = max(self._max, cost)
        self.estimates[arm] += cost / self._p


class TsallisINFCB(_Learner):
    """Tsallis-INF run independently on ``n_bins`` equal bins of a scalar context.

    The contextual baseline of Khodak et al. (ICLR 2024): its regret is measured against the
    best arm per bin, so it approaches a piecewise-constant policy of the context.

    Parameters
    ----------
    n_arms : int
    context_bounds : (float, float)
        Range of the context; contexts outside it go to the nearest end bin.
    n_bins : int, default 5
    scale : see :class:`TsallisINF`
    random_state : int, Generator or None
    """

    contextual = True

    def __init__(self, n_arms, *, context_bounds, n_bins=5, scale="mean", random_state=None):
        super().__init__(n_arms, random_state)
        self.context_bounds = _check_bounds(context_bounds)
        self.n_bins = int(check_scalar(n_bins, "n_bins", lower=1, integer=True))
        self.bins = [TsallisINF(self.n_arms, scale=scale, random_state=self.rng)
                     for _ in range(self.n_bins)]
        self._bin = None

    def bin_of(self, context):
        """Index of the bin holding ``context``."""
        lo, hi = self.context_bounds
        k = int((float(context) - lo) / (hi - lo) * self.n_bins)
        return min(max(k, 0), self.n_bins - 1)

    def select(self, context=None):
        """Sample an arm from the learner of the context's bin."""
        context = self._check_context(context)
        self._bin = self.bin_of(context)
        return self._take(self.bins[self._bin].select())

    def update(self, cost):
        """Feed back the cost of the last chosen arm to its bin's learner."""
        _, cost = self._observe(cost)
        self.bins[self._bin].update(cost)


class ChebCB(_Learner):
    """Contextual bandit over a scalar context: per-arm regression on Chebyshev features and
    inverse-gap weighting.

    Each arm's cost is modeled as ``theta_i . T(z)``, with ``T(z) = (T_0(z), ..., T_m(z))`` the
    Chebyshev polynomials of the context mapped to ``z`` in [-1, 1]. Round t plays the arm with
    the lowest prediction ``yhat_*`` with the remaining probability and every other arm with
    probability ``1 / (K + eta_t (yhat_i - yhat_*))``, ``eta_t = exploration * sqrt(K t)``
    (inverse-gap weighting, Abe & Long 1999; Foster & Rakhlin 2020).

    Parameters
    ----------
    n_arms : int
    context_bounds : (float, float)
        Range of the context (contexts outside are clipped to it).
    degree : int, default 5
        Highest Chebyshev degree (``degree + 1`` features, 6 as in Khodak et al.).
    fit : {"log", "cost"}, default "log"
        Regress the log of the cost (default) or the cost divided by the running mean cost
        (Khodak et al.). Iteration counts blow up like ``1 / sqrt(lambda_min)`` near singular
        systems; their logarithm is much better approximated by a low-degree polynomial.
    shrinkage : float, default 20.0
        Ridge weight pulling each arm's coefficients toward the fit pooled over the arm and
        its two neighbours on the grid; it lends the continuity of the cost in omega to arms
        with few observations. 0 gives the per-arm least squares of Khodak et al. (with a
        1e-6 ridge for uniqueness).
    exploration : float, default 30.0
        Scale of ``eta_t``; larger explores less.
    random_state : int, Generator or None

    Notes
    -----
    The defaults ``fit="log"`` and ``shrinkage=20`` depart from the paper (which fits scaled
    costs per arm, ``fit="cost", shrinkage=0``). On its shifted-Laplacian sequences at T = 5000
    they cut the excess total cost over the best grid omega per system from about 12% to 6%
    on the high-variance law and from about 7% to 6% on the low-variance law (``python -m
    benchmarks run sor``).

    References
    ----------
    M. Khodak et al., "Learning to relax", ICLR 2024 (ChebCB).
    D. Foster, A. Rakhlin, "Beyond UCB: optimal and efficient contextual bandits with
    regression oracles", ICML 2020.
    """

    contextual = True

    def __init__(self, n_arms, *, context_bounds, degree=5, fit="log", shrinkage=20.0,
                 exploration=30.0, random_state=None):
        super().__init__(n_arms, random_state)
        self.context_bounds = _check_bounds(context_bounds)
        self.degree = int(check_scalar(degree, "degree", lower=0, integer=True))
        if fit not in ("log", "cost"):
            raise ValueError(f"fit must be 'log' or 'cost', got {fit!r}")
        self.fit = fit
        self.shrinkage = check_scalar(shrinkage, "shrinkage", lower=0.0)
        self.exploration = check_scalar(exploration, "exploration", lower=0.0,
                                        lower_inclusive=False)
        m = self.degree + 1
        self._gram = np.repeat(1e-6 * np.eye(m)[None], self.n_arms, axis=0)
        self._rhs = np.zeros((self.n_arms, m))
        self.coef = np.zeros((self.n_arms, m))
        self._sum = 0.0
        self._phi = None

    def features(self, context):
        """Chebyshev features ``T_0..T_degree`` of the (clipped, rescaled) context."""
        lo, hi = self.context_bounds
        z = min(max(2.0 * (float(context) - lo) / (hi - lo) - 1.0, -1.0), 1.0)
        return np.cos(np.arange(self.degree + 1) * math.acos(z))

    def predict(self, context):
        """Predicted cost of every arm at ``context`` (in the units of ``fit``)."""
        return self.coef @ self.features(context)

    def probabilities(self, context):
        """Inverse-gap-weighted distribution over the arms at ``context``."""
        y = self.predict(context)
        best = int(np.argmin(y))
        eta = self.exploration * math.sqrt(self.n_arms * (self.t + 1))
        p = 1.0 / (self.n_arms + eta * (y - y[best]))
        p[best] = 0.0
        p[best] = 1.0 - p.sum()
        return p

    def select(self, context=None):
        """Sample an arm for this round's context."""
        context = self._check_context(context)
        self._phi = self.features(context)
        arm = self.rng.choice(self.n_arms, p=self.probabilities(context))
        return self._take(arm)

    def update(self, cost):
        """Add the observed cost to the chosen arm's regression and refit."""
        arm, cost = self._observe(cost)
        self._sum += cost
        if self.fit == "log":
            y = math.log(max(cost, 1.0))
        else:
            y = cost
        self._gram[arm] += np.outer(self._phi, self._phi)
        self._rhs[arm] += y * self._phi
        rhs = self._rhs
        if self.shrinkage > 0:
            # prior: the fit pooled over each arm and its neighbours on the grid
            G = self._gram.copy()
            h = rhs.copy()
            G[1:] += self._gram[:-1]
            G[:-1] += self._gram[1:]
            h[1:] += rhs[:-1]
            h[:-1] += rhs[1:]
            prior = np.linalg.solve(G, h[..., None])[..., 0]
            eye = self.shrinkage * np.eye(self.degree + 1)
            coef = np.linalg.solve(self._gram + eye, (rhs + self.shrinkage * prior)[..., None])
        else:
            coef = np.linalg.solve(self._gram, rhs[..., None])
        coef = coef[..., 0]
        if self.fit == "cost":
            coef = coef / (self._sum / self.t)
        self.coef = coef


class UnimodalUCB(_Learner):
    """OSUB: optimal sampling for unimodal bandits, with Gaussian lower confidence bounds.

    The leader is the arm with the lowest mean cost so far. Every third round of a given
    leader plays the leader; the other rounds play, among the leader and its two neighbours
    on the grid, the one with the lowest bound ``mean_i - confidence * sqrt(2 s^2 log(l) /
    n_i)``, where ``l`` counts the rounds this arm has led and ``s^2`` is the variance of all
    costs seen (pooled: a conservative noise level that is defined after one round). The first
    K rounds play each arm once. When the mean cost is unimodal in the arm index, the
    leader walks to the best arm and the regret grows like ``log T`` times the neighbours'
    inverse gaps (Combes & Proutiere 2014, Theorem 4.2); the mean iteration count of SOR over a
    sequence of systems is unimodal in omega in the experiments of Khodak et al.

    Parameters
    ----------
    n_arms : int
    confidence : float, default 1.0
        Width of the bounds (1: the Gaussian bound of the analysis).
    random_state : int, Generator or None
        Unused (the learner is deterministic); accepted for a uniform interface.

    References
    ----------
    R. Combes, A. Proutiere, "Unimodal bandits: regret lower bounds and optimal algorithms",
    ICML 2014.
    """

    def __init__(self, n_arms, *, confidence=1.0, random_state=None):
        super().__init__(n_arms, random_state)
        self.confidence = check_scalar(confidence, "confidence", lower=0.0)
        self.counts = np.zeros(self.n_arms)
        self.sums = np.zeros(self.n_arms)
        self._sumsq = 0.0
        self.leads = np.zeros(self.n_arms)

    @property
    def means(self):
        """Mean observed cost of each arm (inf for arms never played)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.counts > 0, self.sums / np.maximum(self.counts, 1), np.inf)

    def leader(self):
        """The arm with the lowest mean cost so far."""
        return int(np.argmin(self.means))

    def select(self, context=None):
        """The arm of this round (deterministic)."""
        self._check_context(context)
        unplayed = np.flatnonzero(self.counts == 0)
        if unplayed.size:
            return self._take(unplayed[0])
        lead = self.leader()
        self.leads[lead] += 1
        if (self.leads[lead] - 1) % 3 == 0:
            return self._take(lead)
        nbrs = np.arange(max(lead - 1, 0), min(lead + 2, self.n_arms))
        n = self.counts.sum()
        var = max(self._sumsq / n - (self.sums.sum() / n) ** 2, 0.0)
        bound = (self.sums[nbrs] / self.counts[nbrs]
                 - self.confidence * np.sqrt(2.0 * var * math.log(self.leads[lead])
                                             / self.counts[nbrs]))
        return self._take(nbrs[int(np.argmin(bound))])

    def update(self, cost):
        """Record the cost of the last chosen arm."""
        arm, cost = self._observe(cost)
        self.counts[arm] += 1
        self.sums[arm] += cost
        self._sumsq += cost * cost
