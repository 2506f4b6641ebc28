"""SCAD, MCP and group L1 penalties: prox against brute force, splitting, bad input."""
import numpy as np
import pytest

import problems


def _brute_prox(pen, v, step):
    lo, hi = -abs(v) - 1.0, abs(v) + 1.0
    u = np.linspace(lo, hi, 100_001)
    obj = (u - v) ** 2 / (2 * step) + pen._p(np.abs(u), np)
    return u[np.argmin(obj)], (hi - lo) / 100_000


@pytest.mark.parametrize("pen", [problems.SCAD(0.7, a=3.7), problems.SCAD(1.3, a=2.5),
                                 problems.MCP(0.7, gamma=3.0), problems.MCP(1.1, gamma=1.5)],
                         ids=repr)
@pytest.mark.parametrize("frac", [0.05, 0.3, 0.6, 0.95])
def test_prox_matches_brute_force_across_the_step_range(pen, frac):
    step = frac * pen.max_step
    vs = np.concatenate([np.linspace(-6, 6, 61), [pen.alpha * (1 + step), pen.alpha * step]])
    got = pen.prox(vs, step)
    for v, g in zip(vs, got):
        ref, h = _brute_prox(pen, v, step)
        assert abs(g - ref) <= 2 * h, (v, g, ref)
        assert pen.prox_1d(v, step) == pytest.approx(g, abs=1e-15)


@pytest.mark.parametrize("pen", [problems.SCAD(0.7, a=3.7), problems.SCAD(1.3, a=2.5),
                                 problems.MCP(0.7, gamma=3.0), problems.MCP(1.1, gamma=1.5)],
                         ids=repr)
def test_global_prox_is_the_global_minimizer_for_any_step(pen):
    """Above ``max_step`` the one-coordinate problem is nonconvex: ``prox_global`` must attain
    the minimum over a fine grid; below it, it is ``prox`` exactly. One step per coordinate
    (an array) gives the same as each step alone."""
    r = np.random.default_rng(7)
    vs = np.concatenate([r.uniform(-6, 6, 40), [0.0, pen.alpha, -pen.alpha * 2.2]])
    for frac in (0.3, 0.999, 1.0, 1.7, 12.0):
        step = frac * pen.max_step
        got = pen.prox_global(vs, step)
        if frac < 1:
            np.testing.assert_array_equal(got, pen.prox(vs, step))
        for v, t in zip(vs, got):
            ref, h = _brute_prox(pen, v, step)
            q = (t - v) ** 2 / (2 * step) + pen._p(abs(t), np)
            q_ref = (ref - v) ** 2 / (2 * step) + pen._p(abs(ref), np)
            assert q <= q_ref + 1e-12, (v, t, ref)
            assert t == 0.0 or np.sign(t) == np.sign(v)
    steps = pen.max_step * np.exp(r.uniform(-3, 3, vs.size))
    each = [float(pen.prox_global(np.array([v]), s)[0]) for v, s in zip(vs, steps)]
    np.testing.assert_array_equal(pen.prox_global(vs, steps), each)
    with pytest.raises(ValueError, match="> 0"):
        pen.prox_global(vs, 0.0)
    # float32 stays float32 on both sides of max_step; an infinite v is returned as prox does
    v32 = np.array([np.inf, -np.inf, 0.5, -3.0], dtype=np.float32)
    for step in (0.5 * pen.max_step, 4 * pen.max_step):
        out = pen.prox_global(v32, step)
        assert out.dtype == np.float32 and out[0] == np.inf and out[1] == -np.inf


@pytest.mark.parametrize("pen", [problems.SCAD(0.5), problems.MCP(0.5)], ids=repr)
def test_steps_outside_the_valid_range_are_rejected(pen):
    with pytest.raises(ValueError, match="step <"):
        pen.prox(np.ones(3), pen.max_step)
    with pytest.raises(ValueError, match="step <"):
        pen.prox_1d(1.0, 2 * pen.max_step)
    with pytest.raises(ValueError, match="> 0"):
        pen.prox(np.ones(3), 0.0)


@pytest.mark.parametrize("pen", [problems.SCAD(0.4, a=3.7), problems.MCP(0.4, gamma=2.0)],
                         ids=repr)
def test_splitting_into_l1_plus_smooth_concave_part(pen):
    r = np.random.default_rng(0)
    x = 3 * r.standard_normal(200)
    assert pen.value(x) == pytest.approx(pen.l1_part * np.abs(x).sum()
                                         + pen.concave_part_value(x))
    # gradient of h by central differences (away from the kinks at 0, alpha, a*alpha)
    e = 1e-6
    t = np.abs(x)
    kinks = np.array([0.0, pen.alpha, getattr(pen, "a", 0) * pen.alpha,
                      getattr(pen, "gamma", 0) * pen.alpha])
    ok = np.min(np.abs(t[:, None] - kinks[None, :]), axis=1) > 1e-3
    num = np.array([(pen.concave_part_value(np.array([xi + e]))
                     - pen.concave_part_value(np.array([xi - e]))) / (2 * e) for xi in x])
    np.testing.assert_allclose(pen.concave_part_grad(x)[ok], num[ok], atol=1e-6)
    # h is concave with a (1 / max_step)-Lipschitz gradient
    s = np.sort(x)
    gh = pen.concave_part_grad(s)
    assert np.all(np.diff(gh) <= 1e-12)
    slopes = np.abs(np.diff(gh)) / np.diff(s)
    assert slopes.max() <= pen.concave_part_lipschitz * (1 + 1e-9)


def test_values_and_stationarity_measure():
    scad, mcp = problems.SCAD(1.0, a=3.0), problems.MCP(1.0, gamma=2.0)
    x = np.array([0.5, 2.0, 4.0])
    # SCAD: 0.5; (2*3*2 - 4 - 1) / 4 = 1.75; (a + 1) / 2 = 2
    assert scad.value(x) == pytest.approx(0.5 + 1.75 + 2.0)
    # MCP: 0.5 - 0.0625; 2 - 1 = 1 (= gamma alpha^2 / 2 at the threshold); 1
    assert mcp.value(x) == pytest.approx(0.4375 + 1.0 + 1.0)
    g = np.array([-1.0, 0.0, 0.3])
    # p'(0.5) = 1 for SCAD: |-1 + 1| = 0; p'(2) = (3 - 2)/2 = 0.5; p'(4) = 0
    np.testing.assert_allclose(scad.subdiff_distance(x, g), [0.0, 0.5, 0.3])
    np.testing.assert_allclose(scad.subdiff_distance(np.zeros(3), np.array([0.5, -1.5, 1.0])),
                               [0.0, 0.5, 0.0])
    assert mcp.alpha_max(np.array([0.3, -2.0])) == 2.0


@pytest.mark.parametrize("bad", [lambda: problems.MCP(1.0, gamma=1.0),
                                 lambda: problems.MCP(1.0, gamma=0.5),
                                 lambda: problems.SCAD(1.0, a=2.0),
                                 lambda: problems.SCAD(-0.1),
                                 lambda: problems.MCP(-1.0),
                                 lambda: problems.GroupL1(-1.0, 2, n_features=4)])
def test_bad_parameters(bad):
    with pytest.raises(ValueError):
        bad()


def test_group_l1_prox_value_gap_pieces():
    pen = problems.GroupL1(0.5, [[0, 1], [2], [3, 4, 5]], weights=[1.0, 2.0, 1.0])
    x = np.array([3.0, 4.0, 0.4, 0.1, 0.0, 0.1])
    assert pen.value(x) == pytest.approx(0.5 * (5.0 + 2 * 0.4 + np.sqrt(0.02)))
    p = pen.prox(x, 1.0)
    np.testing.assert_allclose(p[:2], x[:2] * (1 - 0.5 / 5.0))
    np.testing.assert_allclose(p[2:], 0.0)  # 0.4 <= 1.0 and sqrt(0.02) <= 0.5
    # prox against a generic minimization of one group
    from scipy.optimize import minimize
    v = np.array([1.0, -2.0])
    pen2 = problems.GroupL1(0.7, 2, n_features=2)
    ref = minimize(lambda u: (u - v) @ (u - v) / (2 * 0.8) + 0.7 * np.linalg.norm(u),
                   v, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14}).x
    np.testing.assert_allclose(pen2.prox(v, 0.8), ref, atol=1e-6)
    grad = np.array([0.1, -0.2, 3.0, 0.2, 0.1, 0.0])
    d = pen.subdiff_distance(np.zeros(6), grad)
    assert np.linalg.norm(d[2:3]) == pytest.approx(2.0)  # 3 - alpha * w = 3 - 1
    assert np.linalg.norm(d[:2]) == 0.0 and np.linalg.norm(d[3:]) == 0.0
    assert pen.alpha_max(grad) == pytest.approx(max(np.hypot(0.1, 0.2), 1.5, np.hypot(0.2, 0.1)))
    assert pen.dual_scale(grad) == pytest.approx(0.5 / 1.5)
    assert pen.conjugate(pen.dual_scale(grad) * grad) == 0.0
    assert pen.conjugate(grad) == np.inf


@pytest.mark.parametrize("groups, msg", [([[0, 1], [1, 2]], "disjoint"),
                                          ([[0, 1], [3]], "cover"),
                                          ([[0, 5]], "lie in"),
                                          ("abc", "int, a label array")])
def test_groups_must_partition_the_features(groups, msg):
    with pytest.raises((ValueError, TypeError), match=msg):
        problems.GroupL1(1.0, groups, n_features=4)


def test_group_l1_from_labels_and_size():
    a = problems.GroupL1(1.0, np.array([2, 2, 7, 7, 7]))
    b = problems.GroupL1(1.0, [[0, 1], [2, 3, 4]])
    x = np.arange(5.0)
    assert a.value(x) == b.value(x)
    c = problems.GroupL1(1.0, 2, n_features=5)
    assert c.n_groups == 3
    d = problems.GroupL1(1.0, [2, 2, 7, 7, 7])  # a plain list of labels, not index arrays
    np.testing.assert_array_equal(d.labels, a.labels)
    with pytest.raises(TypeError, match="integers"):
        problems.GroupL1(1.0, np.array([0.0, 0.0, 1.0]))
    for bad in (0.0, -1.0):
        with pytest.raises(ValueError, match="step must be > 0"):
            a.prox(x, bad)
