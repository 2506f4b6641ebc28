"""Bandit learners (solvers.linear.bandits) and the omega tuner (solvers.OmegaTuner)."""
import math

import numpy as np
import pytest
import scipy.sparse as sp

import solvers
from problems.linear_systems import (HeatEquationSequence, ShiftedLaplacianSequence,
                                     laplacian_2d)
from solvers.linear import instance_optimal_omega
from solvers.linear._kernels import sor_iterations
from solvers.linear.bandits import ChebCB, TsallisINF, TsallisINFCB, UnimodalUCB


def play(learner, loss_of, T, contexts=None):
    """Run ``learner`` for T rounds; ``loss_of(t, arm)`` gives the observed loss. Returns the
    arms played."""
    arms = np.empty(T, dtype=int)
    for t in range(T):
        arm = learner.select(None if contexts is None else contexts[t])
        learner.update(loss_of(t, arm))
        arms[t] = arm
    return arms


# ----------------------------------------------------------------------------- Tsallis-INF
def test_tsallis_weights_follow_the_closed_form():
    learner = TsallisINF(4, scale=1.0, random_state=0)
    assert np.allclose(learner.probabilities(), 0.25)
    learner.estimates[:] = [3.0, 1.0, 0.5, 7.0]
    learner.t = 9
    p = learner.probabilities()
    eta = 2.0 / math.sqrt(10)
    # w_i = 4 / (eta (L_i - x))^2 for one x below min L: recover x from the largest weight
    x = 0.5 - 2.0 / (eta * math.sqrt(p[2]))
    assert np.allclose(p, 4.0 / (eta * (learner.estimates - x)) ** 2, rtol=1e-10)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.argmax(p) == 2 and np.argmin(p) == 3


def stochastic_regret(learner_factory, means, T, seed):
    rng = np.random.default_rng(seed)
    draws = rng.random((T, len(means))) < np.asarray(means)
    arms = play(learner_factory(seed), lambda t, a: float(draws[t, a]), T)
    return float(np.sum(np.asarray(means)[arms] - min(means)))


def test_tsallis_regret_is_sublinear_on_stochastic_losses():
    means = [0.2, 0.5, 0.5, 0.5, 0.5]
    K, T = len(means), 4000
    regrets = {n: np.mean([stochastic_regret(lambda s: TsallisINF(K, scale=1.0, random_state=s),
                                             means, n, s) for s in range(3)])
               for n in (T // 4, T)}
    # the bound 4 sqrt(K T) + 1 (Zimmert & Seldin, Theorem 1) holds, and the average regret
    # falls: a uniform learner would pay 0.24 T = 960 here
    assert regrets[T] <= 4 * math.sqrt(K * T) + 1
    assert regrets[T] / T < 0.5 * regrets[T // 4] / (T // 4)
    uniform = stochastic_regret(lambda s: TsallisINF(K, scale=1e12, random_state=s), means, T, 0)
    assert uniform > 4 * math.sqrt(K * T) + 1


def adversarial_losses(T, rng):
    """Oblivious adversary: arms 0 and 1 swap between 0.3 and 0.9 halfway, arm 2 is a constant
    0.55 (the best fixed arm in hindsight), arm 3 is Bernoulli(0.7)."""
    half = np.arange(T) < T // 2
    return np.column_stack([np.where(half, 0.3, 0.9), np.where(half, 0.9, 0.3),
                            np.full(T, 0.55), (rng.random(T) < 0.7).astype(float)])


@pytest.mark.parametrize("T", [1500, 6000])
def test_tsallis_regret_bound_holds_on_adversarial_losses(T):
    regrets = []
    for seed in range(3):
        losses = adversarial_losses(T, np.random.default_rng(seed))
        arms = play(TsallisINF(4, scale=1.0, random_state=seed), lambda t, a: losses[t, a], T)
        regrets.append(losses[np.arange(T), arms].sum() - losses.sum(axis=0).min())
    assert np.mean(regrets) <= 4 * math.sqrt(4 * T) + 1
    # follow-the-leader would sit on arm 0 until past the middle, then pay 0.9 per round
    assert np.mean(regrets) / T < 0.06


def test_tsallis_scales():
    for scale in ("mean", "max", 2.0):
        learner = TsallisINF(3, scale=scale, random_state=1)
        play(learner, lambda t, a: 10.0 + a, 50)
        assert learner.t == 50
    learner = TsallisINF(3, scale="max", random_state=1)
    play(learner, lambda t, a: 5.0 * (a + 1), 30)
    assert learner._scale() == 15.0


# ----------------------------------------------------------------------------- UnimodalUCB
def test_unimodal_ucb_concentrates_on_the_best_arm_with_log_regret():
    K = 20
    means = 40.0 + 1.0 * (np.arange(K) - 13.0) ** 2  # unimodal, best arm 13
    rng = np.random.default_rng(0)
    noise = rng.standard_normal((8000, K)) * 8.0
    learner = UnimodalUCB(K)
    arms = play(learner, lambda t, a: max(means[a] + noise[t, a], 0.0), 8000)
    assert list(arms[:K]) == list(range(K))  # one round per arm first
    assert learner.leader() == 13
    assert np.mean(arms[4000:] == 13) > 0.8
    regret = np.cumsum(means[arms] - means.min())
    # log-like growth: the second 4000 rounds cost much less than the first
    assert regret[-1] - regret[3999] < 0.5 * regret[3999]


def test_unimodal_ucb_is_deterministic_and_validates():
    a, b = UnimodalUCB(5), UnimodalUCB(5, random_state=3)
    loss = lambda t, k: float((k - 2) ** 2 + t % 3)  # noqa: E731
    assert np.array_equal(play(a, loss, 200), play(b, loss, 200))
    with pytest.raises(ValueError, match="confidence"):
        UnimodalUCB(5, confidence=-1)


# ----------------------------------------------------------------------------- contextual
def contextual_costs(T, K, seed):
    rng = np.random.default_rng(seed)
    c = rng.random(T)
    centers = np.linspace(0, 1, K)
    costs = np.exp(1.0 + 4.0 * (c[:, None] - centers[None, :]) ** 2)
    costs *= np.exp(0.02 * rng.standard_normal((T, K)))
    return c, costs


def test_chebcb_approaches_the_per_context_best_arm():
    T, K = 3000, 10
    c, costs = contextual_costs(T, K, seed=0)
    learner = ChebCB(K, context_bounds=(0, 1), random_state=0)
    arms = play(learner, lambda t, a: costs[t, a], T, contexts=c)
    late = slice(2000, None)
    paid = costs[np.arange(T), arms][late].sum()
    per_context = costs[late].min(axis=1).sum()
    best_fixed = costs[late].sum(axis=0).min()
    assert paid <= 1.03 * per_context
    assert best_fixed > 1.3 * per_context  # the context matters
    # the paper's setting (scaled costs, per-arm fits) learns too
    paper = ChebCB(K, context_bounds=(0, 1), fit="cost", shrinkage=0.0, random_state=0)
    arms = play(paper, lambda t, a: costs[t, a], T, contexts=c)
    assert costs[np.arange(T), arms][late].sum() <= 1.1 * per_context


def test_tsallis_inf_cb_beats_the_best_fixed_arm_per_bin():
    T, K = 6000, 10
    c, costs = contextual_costs(T, K, seed=1)
    learner = TsallisINFCB(K, context_bounds=(0, 1), n_bins=5, scale="max", random_state=0)
    arms = play(learner, lambda t, a: costs[t, a], T, contexts=c)
    late = slice(4000, None)
    paid = costs[np.arange(T), arms][late].sum()
    assert paid < costs[late].sum(axis=0).min()
    assert learner.bin_of(-5.0) == 0 and learner.bin_of(0.5) == 2 and learner.bin_of(9) == 4


def test_learner_protocol_errors():
    learner = TsallisINF(3)
    with pytest.raises(RuntimeError, match="select"):
        learner.update(1.0)
    learner.select()
    with pytest.raises(ValueError, match="cost"):
        learner.update(-1.0)
    with pytest.raises(ValueError, match="n_arms"):
        TsallisINF(0)
    with pytest.raises(ValueError, match="scale"):
        TsallisINF(3, scale="median")
    with pytest.raises(ValueError, match="context_bounds"):
        ChebCB(3, context_bounds=None)
    with pytest.raises(ValueError, match="low < high"):
        TsallisINFCB(3, context_bounds=(1.0, 0.0))
    with pytest.raises(ValueError, match="contextual"):
        ChebCB(3, context_bounds=(0, 1)).select()
    with pytest.raises(ValueError, match="fit"):
        ChebCB(3, context_bounds=(0, 1), fit="sqrt")
    with pytest.raises(TypeError, match="random_state"):
        UnimodalUCB(3, random_state="seed")


# ----------------------------------------------------------------------------- kernel
def test_sor_iterations_kernel_counts_what_sor_records():
    seq = ShiftedLaplacianSequence(nx=6, T=6, random_state=2)
    for inst, omega in zip(seq, [1.0, 1.3, 1.6, 1.9, 0.5, 1.99]):
        A = inst.A
        for max_iter in (10_000, 25):
            res = solvers.sor(A, inst.b, omega=omega, max_iter=max_iter)
            x = np.zeros(A.shape[0])
            k = sor_iterations(A.indptr, A.indices, A.data, A.diagonal(), inst.b, x, omega,
                               True, False, 1e-8, max_iter)
            assert k == (res.nit if res.success else max_iter + 1)
            assert np.allclose(x, res.x, rtol=0, atol=1e-14)


# ----------------------------------------------------------------------------- OmegaTuner
def test_tuner_costs_are_the_solver_iterations():
    seq = ShiftedLaplacianSequence(nx=8, T=40, law="low", random_state=0)
    tuner = solvers.OmegaTuner(random_state=0)
    for inst in seq:
        res = tuner.solve(inst.A, inst.b)
        assert res.success and res.cost == res.nit
        assert res.omega == tuner.omegas[res.arm]
        direct = solvers.sor(inst.A, inst.b, omega=res.omega)
        assert direct.nit == res.nit
        assert np.allclose(inst.A @ res.x, inst.b, atol=1e-7 * np.linalg.norm(inst.b))
    stats = tuner.statistics()
    assert stats["n_solves"] == 40 and stats["counts"].sum() == 40
    assert stats["cumulative_cost"] == tuner.cumulative_cost_ == sum(tuner.costs_)
    played = stats["counts"] > 0
    assert np.all(np.isfinite(stats["mean_costs"][played]))
    assert np.all(np.isnan(stats["mean_costs"][~played]))


def test_tuner_driven_by_a_cost_table_equals_the_solver_run():
    """The learners see only the chosen cost, so replaying a tabulated cost matrix gives the
    same choices as solving (what the benchmark relies on)."""
    seq = ShiftedLaplacianSequence(nx=6, T=60, law="high", random_state=3)
    grid = np.linspace(1, 1.95, 20)
    table = np.empty((len(seq), grid.size), dtype=int)
    for t, inst in enumerate(seq):
        A = inst.A
        for k, w in enumerate(grid):
            table[t, k] = sor_iterations(A.indptr, A.indices, A.data, A.diagonal(), inst.b,
                                         np.zeros(A.shape[0]), w, True, False, 1e-8, 10_000)
    for learner, options in [("unimodal-ucb", {}), ("tsallis-inf", {}),
                             ("chebcb", {"context_bounds": seq.context_bounds})]:
        tuner = solvers.OmegaTuner(learner=learner, random_state=5, **options)
        for inst in seq:
            tuner.solve(inst.A, inst.b, context=inst.context)
        if learner == "chebcb":
            replay = ChebCB(20, context_bounds=seq.context_bounds, random_state=5)
        elif learner == "tsallis-inf":
            replay = TsallisINF(20, random_state=5)
        else:
            replay = UnimodalUCB(20)
        arms = play(replay, lambda t, a: table[t, a], len(seq), contexts=seq.contexts)
        assert list(arms) == tuner.arms_
        assert tuner.costs_ == list(table[np.arange(len(seq)), arms])


def test_fixed_and_instance_optimal_learners():
    seq = ShiftedLaplacianSequence(nx=6, T=5, random_state=1)
    fixed = solvers.OmegaTuner(learner="fixed", omega=1.4)
    best = solvers.OmegaTuner(learner="instance-optimal")
    for inst in seq:
        res = fixed.solve(inst.A, inst.b)
        assert res.nit == solvers.sor(inst.A, inst.b, omega=1.4).nit and res.arm == -1
        res = best.solve(inst.A, inst.b)
        w, iters, _ = instance_optimal_omega(inst.A, inst.b, lo=1.0, hi=1.95)
        assert res.omega == w and res.cost == iters
        assert res.cost <= min(solvers.sor(inst.A, inst.b, omega=v).nit
                               for v in (1.0, 1.5, 1.95))
    assert best.search_solves_ >= 5 * 10
    assert fixed.statistics()["counts"].sum() == 0


def test_warm_start_and_ssor_pcg_on_the_heat_sequence():
    # warm: x0=None, the tuner itself supplies the previous solution; it must act exactly as
    # a cold tuner handed that solution as x0. (Whether it saves iterations depends on the
    # sequence: on this Crank-Nicolson one the stiff modes flip sign from step to step, the
    # previous solution is about as far from the next as zero is, and the totals differ by
    # a few iterations either way with the rounding of the platform.)
    runs = {}
    for warm in (True, False):
        seq = HeatEquationSequence(nx=12, T=15)
        tuner = solvers.OmegaTuner(solver="ssor_pcg", learner="chebcb",
                                   context_bounds=seq.context_bounds, warm_start=warm,
                                   random_state=0)
        prev = None
        for inst in seq:
            x0 = None if warm or prev is None else prev
            res = tuner.solve(inst.A, inst.b, context=inst.context, x0=x0)
            assert res.success
            prev = res.x
            seq.advance(res.x)
        runs[warm] = (tuner.costs_, tuner.omegas_)
    assert runs[True] == runs[False]
    # an explicit x0 wins over the warm start
    A = laplacian_2d(5)
    b = np.ones(25)
    tuner = solvers.OmegaTuner(learner="fixed", omega=1.2, solver="ssor_pcg", warm_start=True)
    x = tuner.solve(A, b).x
    assert tuner.solve(A, b).cost == 0  # warm: already solved
    assert tuner.solve(A, b, x0=np.zeros(25)).cost > 0
    assert np.allclose(A @ x, b)


def test_tuner_leaves_inputs_alone():
    A = laplacian_2d(4).tocsr()
    b = np.arange(16.0)
    A0, b0 = A.copy(), b.copy()
    x0 = np.ones(16)
    solvers.OmegaTuner(random_state=0).solve(A, b, x0=x0)
    assert (A != A0).nnz == 0 and np.array_equal(b, b0) and np.array_equal(x0, np.ones(16))


def test_tuner_bad_input():
    with pytest.raises(ValueError, match="learner must be one of"):
        solvers.OmegaTuner(learner="ucb")
    with pytest.raises(ValueError, match=r"open interval \(0, 2\)"):
        solvers.OmegaTuner(omegas=[0.5, 2.0])
    with pytest.raises(ValueError, match="sorted"):
        solvers.OmegaTuner(omegas=[1.5, 1.2])
    with pytest.raises(ValueError, match="needs omega"):
        solvers.OmegaTuner(learner="fixed")
    with pytest.raises(ValueError, match="only for learner='fixed'"):
        solvers.OmegaTuner(omega=1.2)
    with pytest.raises(ValueError, match="context_bounds"):
        solvers.OmegaTuner(learner="chebcb")
    with pytest.raises(ValueError, match="contextual learners"):
        solvers.OmegaTuner(context_bounds=(0, 1))
    with pytest.raises(ValueError, match="no learner_options"):
        solvers.OmegaTuner(learner="fixed", omega=1.0, learner_options={"scale": 1})
    with pytest.raises(ValueError, match="sweep applies"):
        solvers.OmegaTuner(solver="ssor_pcg", sweep="symmetric")
    with pytest.raises(ValueError, match="solver must be one of"):
        solvers.OmegaTuner(solver="jacobi")
    tuner = solvers.OmegaTuner(learner="tsallis-inf-cb", context_bounds=(0, 1))
    A = sp.identity(3, format="csr") * 2.0
    with pytest.raises(ValueError, match="needs the context"):
        tuner.solve(A, np.ones(3))
    with pytest.raises(ValueError, match="zero on the diagonal"):
        solvers.OmegaTuner().solve(sp.csr_matrix((3, 3)), np.ones(3))
