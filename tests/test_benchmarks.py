"""Tests of the benchmark harness and CLI (fast: tiny problems, few repeats, no timing checks)."""
import json
import os
import time
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")

import problems  # noqa: E402
from benchmarks import cli, suites  # noqa: E402
from benchmarks.harness import (  # noqa: E402
    REACHED_SLACK, SolverSpec, Suite, convergence_curve, geometric_budgets, markdown_table,
    run_suite, thin_indices, time_interleaved, time_to_target,
)
from benchmarks.lasso import (  # noqa: E402
    alpha_max, fista_spec, lasso_problem, make_sparse_regression, prox_grad_spec, sklearn_lasso,
)
from benchmarks.suites.smoke import tiny_lasso  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULT_KEYS = {"median_time", "times", "final_gap", "gaps", "nit", "reached", "target", "tol",
               "library", "version", "settings", "curve", "ratio", "iter_unit", "ours"}


# --------------------------------------------------------------------------- CLI
def test_cli_list_prints_the_suites(capsys):
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "quick" in out and "smoke" in out
    assert suites.describe()["quick"] in out


def test_cli_unknown_suite_exits_2_and_lists_the_suites(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", "no-such-suite"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "unknown suite 'no-such-suite'" in err
    assert "quick" in err


def test_cli_rejects_a_nonpositive_repeat(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", "smoke", "--repeat", "0"])
    assert exc.value.code == 2
    assert "--repeat" in capsys.readouterr().err


def test_thread_limit_is_applied_and_recorded(tmp_path):
    pytest.importorskip("threadpoolctl")
    prob = tiny_lasso()
    suite = Suite(name="t", description="threads", problems=[prob], solvers=[fista_spec()],
                  repeat=1, curves=False)
    res = run_suite(suite, tmp_path, plots=False, verbose=False, threads=1)
    assert res["thread_limit"] == 1
    assert all(p["num_threads"] == 1 for p in res["machine"].get("threadpools", []))
    assert "limited to 1 thread" in (tmp_path / "table.md").read_text()
    suite.threads = 1
    assert run_suite(suite, tmp_path, plots=False, verbose=False, threads=0)["thread_limit"] is None


def test_python_dash_m_benchmarks_list():
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "list"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "quick" in proc.stdout


def test_registry_get_unknown_names_the_suites():
    with pytest.raises(KeyError, match="quick"):
        suites.get("nope")


# --------------------------------------------------------------------------- end to end
@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    """`python -m benchmarks run smoke` (in process) on the tiny n=30, p=20 Lasso."""
    out = tmp_path_factory.mktemp("smoke")
    assert cli.main(["run", "smoke", "--out", str(out), "--repeat", "2"]) == 0
    return out


def test_results_json_has_the_documented_keys(smoke_run):
    res = json.loads((smoke_run / "results.json").read_text())
    assert {"suite", "date", "machine", "repeat", "target_rel", "problems", "solvers"} <= set(res)
    assert res["suite"] == "smoke" and res["repeat"] == 2
    assert res["thread_limit"] == 1  # the suite's default
    assert {"platform", "cpu_count", "numpy", "scipy", "numba"} <= set(res["machine"])
    (pname, prob), = res["problems"].items()
    assert prob["shape"] == [30, 20]
    assert prob["target"] == pytest.approx(res["target_rel"] * prob["gap0"])
    assert set(prob["solvers"]) == {"fista", "prox_grad", "sklearn Lasso"}
    for name, r in prob["solvers"].items():
        assert RESULT_KEYS <= set(r), name
        assert len(r["times"]) == 2
        assert r["median_time"] == pytest.approx(float(np.median(r["times"])))
        assert r["reached"] is True
        assert r["final_gap"] <= r["target"] * REACHED_SLACK
        assert len(r["curve"]["time"]) == len(r["curve"]["gap"]) == len(r["curve"]["iteration"])
        assert r["curve"]["gap"][0] == pytest.approx(prob["gap0"])
    assert prob["solvers"]["fista"]["library"] == "optsuite"
    assert prob["solvers"]["sklearn Lasso"]["library"] == "scikit-learn"
    assert prob["solvers"]["sklearn Lasso"]["ratio"] == pytest.approx(1.0)
    t_peer = prob["solvers"]["sklearn Lasso"]["median_time"]
    assert prob["solvers"]["fista"]["ratio"] == pytest.approx(
        prob["solvers"]["fista"]["median_time"] / t_peer)


def test_reported_gaps_equal_the_shared_measure_on_the_returned_x(smoke_run):
    res = json.loads((smoke_run / "results.json").read_text())
    sol = np.load(smoke_run / "solutions.npz")
    prob = tiny_lasso()  # same data, rebuilt independently
    X, y, alpha = prob.data["X"], prob.data["y"], prob.data["alpha"]
    f, g = problems.LeastSquares(X, y), problems.L1(alpha)
    (pname, p), = res["problems"].items()
    assert p["gap0"] == pytest.approx(problems.duality_gap(f, g, np.zeros(20)), rel=1e-12)
    for name, r in p["solvers"].items():
        x = sol[f"{pname}/{name}"]
        assert r["final_gap"] == pytest.approx(problems.duality_gap(f, g, x), rel=1e-9, abs=1e-15)


def test_table_has_one_row_per_solver(smoke_run):
    table = (smoke_run / "table.md").read_text()
    rows = [line for line in table.splitlines() if line.startswith("| tiny30x20 |")]
    assert len(rows) == 3
    assert {r.split("|")[2].strip() for r in rows} == {"fista", "prox_grad", "sklearn Lasso"}
    header = next(line for line in table.splitlines() if line.startswith("| problem"))
    for col in ("solver", "library (version)", "median time [s]", "gap reached", "iterations",
                "ratio vs. best peer"):
        assert col in header


def test_plots_are_written(smoke_run):
    pytest.importorskip("matplotlib")
    pngs = list(smoke_run.glob("*.png"))
    assert len(pngs) == 1
    assert pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- harness pieces
def _small_lasso(n=40, p=60, div=10, seed=3):
    X, y, _ = make_sparse_regression(n_samples=n, n_features=p, n_informative=5, rho=0.5,
                                     snr=3.0, random_state=seed)
    return lasso_problem(f"small{n}x{p}", X, y, alpha_max(X, y) / div, "small test Lasso")


def test_sklearn_tol_conversion_reaches_the_target():
    prob = _small_lasso(div=20)
    target = 1e-6 * prob.gap_at_zero()
    spec = sklearn_lasso()
    y = prob.data["y"]
    tol = spec.solver_tol(prob, target)
    assert tol == pytest.approx(target * y.size / (y @ y))
    out = spec.run(prob, tol, 100_000)  # no calibration: the conversion alone must do it
    assert prob.measure(out.x) <= target * REACHED_SLACK
    # sklearn's own reported gap is the shared gap (same formula, same scaling)
    from sklearn.linear_model import Lasso

    est = Lasso(alpha=prob.data["alpha"], fit_intercept=False, tol=tol, max_iter=100_000)
    est.fit(prob.data["X"], y)
    assert est.dual_gap_ == pytest.approx(prob.measure(est.coef_), rel=1e-6)


def test_time_to_target_repeats_and_measures_outside():
    prob = _small_lasso()
    target = 1e-6 * prob.gap_at_zero()
    r = time_to_target(fista_spec(), prob, target, repeat=3)
    assert len(r["times"]) == 3 and len(r["gaps"]) == 3
    assert r["median_time"] == np.median(r["times"])
    assert r["reached"] and r["nit"] > 0
    assert r["final_gap"] == pytest.approx(prob.measure(r["x"]))


def test_interleaved_timing_alternates_solvers_and_honours_the_budget():
    prob = _small_lasso()
    target = 1e-6 * prob.gap_at_zero()
    order = []

    def tagged(name, base, pause=0.0):
        def run(p, tol, max_iter):
            order.append(name)
            time.sleep(pause)
            return base.run(p, tol, max_iter)
        return SolverSpec(name=name, library="optsuite", run=run)

    a = tagged("a", fista_spec())
    b = tagged("b", prox_grad_spec(), pause=0.05)
    out = time_interleaved([a, b], prob, target, repeat=4, time_budget=0.12)
    kb = len(out["b"]["times"])
    assert kb == max(1, int(0.12 // out["b"]["times"][0])) < 4
    # after the warm-ups: a b, a b, ... while b is in the rotation, then a alone
    assert order[-(4 + kb):] == ["a", "b"] * kb + ["a"] * (4 - kb)
    assert len(out["a"]["times"]) == 4
    assert any("timed run(s) only" in w for w in out["b"]["warnings"])
    for r in out.values():
        assert r["reached"] and r["median_time"] == np.median(r["times"])


def test_calibration_tightens_a_loose_tolerance():
    prob = _small_lasso()
    target = 1e-6 * prob.gap_at_zero()
    base = fista_spec()
    loose = SolverSpec(name="loose", library="optsuite", run=base.run,
                       tol_for=lambda p, t: 1e3 * t, calibrate=True)
    r = time_to_target(loose, prob, target, repeat=1)
    assert r["calibration_steps"] >= 1
    assert r["tol"] == pytest.approx(1e3 * target / 10 ** r["calibration_steps"])
    assert r["reached"]


def test_a_missed_target_is_marked(tmp_path):
    prob = _small_lasso()
    capped = SolverSpec(name="capped", library="optsuite", run=prox_grad_spec().run,
                        ours=True, max_iter=2)
    suite = Suite(name="t", description="missed target", problems=[prob],
                  solvers=[capped, sklearn_lasso()], repeat=1, curves=False)
    res = run_suite(suite, tmp_path, plots=False, verbose=False)
    r = res["problems"][prob.name]["solvers"]["capped"]
    assert r["reached"] is False and r["final_gap"] > r["target"]
    assert "(missed)" in markdown_table(res)
    assert json.loads((tmp_path / "results.json").read_text())["problems"]


def test_peer_curve_is_a_geometric_grid_down_to_the_target():
    prob = _small_lasso()
    target = 1e-6 * prob.gap_at_zero()
    c = convergence_curve(sklearn_lasso(), prob, target)
    assert c["kind"] == "grid" and c["iteration"][:3] == [0, 1, 2]
    assert c["gap"][-1] <= target * REACHED_SLACK
    assert c["gap"][0] == pytest.approx(prob.gap_at_zero())


def test_small_helpers():
    assert geometric_budgets(10) == [1, 2, 4, 8, 10]
    idx = thin_indices(10_000, 100)
    assert idx[0] == 0 and idx[-1] == 9_999 and len(idx) <= 102
    assert np.all(np.diff(idx) > 0)


def test_local_generator_matches_the_documented_model():
    from benchmarks.lasso import _local_sparse_regression

    X, y, w = _local_sparse_regression(200, 30, n_informative=4, rho=0.5, snr=3.0,
                                       random_state=0)
    assert X.shape == (200, 30) and y.shape == (200,)
    assert set(np.abs(w[w != 0])) == {1.0} and np.count_nonzero(w) == 4
    assert np.linalg.norm(X @ w) / np.linalg.norm(y - X @ w) == pytest.approx(3.0)


# --------------------------------------------------------------------------- bcd suite
def test_bcd_suite_is_registered_and_builds():
    from benchmarks.suites import bcd

    assert "bcd" in suites.names()
    suite = bcd.build(tiny=True)
    names = {s.name for s in suite.solvers}
    assert {"bcd gs-q+ASN", "bcd default", "sklearn Lasso", "sklearn liblinear"} <= names
    assert {e.name for e in suite.extras} == {"paper", "memory"}
    losses = {p.info["loss"] for p in suite.problems}
    assert losses == {"lasso", "logistic"}
    for p in suite.problems:  # each problem gets its own peers, and both bcd configurations
        runs = {s.name for s in suite.solvers if s.applies(p)}
        assert {"bcd gs-q+ASN", "bcd default"} <= runs
        assert ("sklearn Lasso" in runs) == (p.info["loss"] == "lasso")
        assert ("sklearn liblinear" in runs) == (p.info["loss"] == "logistic")


def test_bcd_suite_tiny_run(tmp_path):
    """The tiny form end to end: race on a 300 x 1000 sparse problem per loss, a small paper
    reproduction (least squares, lattice) with its PNGs and tables, and the memory table."""
    pytest.importorskip("matplotlib")
    pytest.importorskip("skglm")
    from benchmarks.suites import bcd

    suite = bcd.build(tiny=True)
    res = run_suite(suite, tmp_path, verbose=False)
    assert len(res["problems"]) == 2
    for pname, prob in res["problems"].items():
        assert prob["target"] == pytest.approx(bcd.TARGET_REL * prob["gap0"])
        for name, r in prob["solvers"].items():
            assert r["reached"], (pname, name, r["final_gap"], r["target"])
    paper = res["extras"]["paper"]["data"]
    assert [p["name"] for p in paper] == ["ls", "lattice"]
    for p in paper:
        for r in p["runs"]:
            assert r["error"] is None, r["error"]
            assert r["final"] >= -max(1e-9, p["fstar_certificate"]) * max(1.0, abs(p["fstar"]))
            assert r["final"] < p["f0_minus_fstar"]  # every configuration made progress
    mem = res["extras"]["memory"]["data"]
    assert {m["solver"] for m in mem} == {"bcd gs-q+ASN", "bcd default"}
    assert all(m["peak_bytes"] > 0 and m["X_bytes"] > 0 for m in mem)
    table = (tmp_path / "table.md").read_text()
    assert "## Paper reproduction" in table and "## Memory" in table
    assert "| configuration | ls | lattice |" in table
    for name in ("paper_ls.png", "paper_lattice.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((tmp_path / "results.json").read_text())["extras"]["paper"]["title"]


def test_nonconvex_simulation_design_and_methods():
    from benchmarks import nonconvex_sim as S

    X, y, beta = S.simulate(400, 0.9, "linear", p=30, seed=0)
    assert X.shape == (400, 30) and np.count_nonzero(beta) == 10  # only block 0 fits in p=30
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1)
    c = np.corrcoef(X[:, 10], X[:, 12])[0, 1]
    assert abs(c - 0.81) < 0.1  # tau^2
    ppv, f1, err = S.recovery(np.where(beta != 0, beta, 0) + (np.arange(30) == 20), beta)
    assert ppv == pytest.approx(10 / 11) and f1 == pytest.approx(2 * (10 / 11) / (1 + 10 / 11))
    out = S.run_methods(X, y, beta, "linear", "SCAD", max_iter=3000)
    assert {"AG optimal", "AG Ghadimi-Lan", "prox_grad", "FISTA monotone"} <= set(out)
    ag = out["AG optimal"]
    assert ag["it_paper"] is not None and ag["it_tol"] is not None and ag["f1"] > 0.5
    assert json.loads(json.dumps(out)) == out  # storable by the replication cache
    assert all(r["t_total"] > 0 for r in out.values())
    if "skglm" in out:  # converged by its own KKT criterion on this easy problem
        assert out["skglm"]["t_tol"] == out["skglm"]["t_total"]
        # skglm was compiled by an untimed warm-up fit, not inside its timed fit
        assert any(k[:2] == ("linear", "SCAD") for k in S._SKGLM_WARM)
    Xl, yl, _ = S.simulate(300, 0.5, "logistic", p=30, seed=1)
    assert set(np.unique(yl)) == {-1.0, 1.0}


def test_nonconvex_replication_cache_resumes_and_checks_settings(tmp_path):
    from benchmarks import nonconvex_sim as S

    # a record of run_methods' shape, with the numpy scalar types its fields can carry
    rec = {"AG optimal": {"F_final": np.float64(1.5), "it_paper": 12, "t_paper": 0.01,
                          "it_tol": None, "t_tol": None, "ppv": 0.5, "f1": np.float64(0.25),
                          "error": 3.0}}
    path = tmp_path / S.CACHE_NAME
    cache = S.ReplicationCache(path, tol=1e-8, max_iter=500)
    key = ("linear", "MCP", 0.5, 300, 0)
    assert cache.get(key) is None
    cache.put(key, rec)
    again = S.ReplicationCache(path, tol=1e-8, max_iter=500)
    assert again.get(key) == rec  # a JSON round trip keeps every field
    assert again.get(("linear", "MCP", 0.5, 300, 1)) is None
    assert S.ReplicationCache(path, tol=1e-6, max_iter=500).get(key) is None
    # a peer fit killed at 600 s is reused by runs with that limit (or any, to summarize),
    # recomputed by runs with another limit or none
    killed = {**rec, "skglm": {"F_final": None, "t_total": 600.0, "timed_out": True}}
    cache.put(key, killed)
    for limit, reused in ((600.0, True), (1200.0, False), (None, False)):
        got = S.ReplicationCache(path, tol=1e-8, max_iter=500, peer_time_limit=limit).get(key)
        assert (got == killed) if reused else got is None
    assert S.ReplicationCache(path, tol=1e-8, max_iter=500).get(key) == killed
    cache.put(key, rec)  # nothing killed: reused whatever the limit
    assert S.ReplicationCache(path, tol=1e-8, max_iter=500, peer_time_limit=None).get(key) == rec


def test_call_with_time_limit_returns_raises_and_kills():
    from benchmarks.time_limit import TimeLimitExceeded, call_with_time_limit

    assert call_with_time_limit(lambda a, b=0: a + b, 30, 2, b=3) == 5
    assert call_with_time_limit(os.getpid, None) == os.getpid()  # no limit: in this process
    assert call_with_time_limit(os.getpid, 30) != os.getpid()  # a limit: in a child
    t0 = time.perf_counter()
    with pytest.raises(TimeLimitExceeded, match="past 0.3 s"):
        call_with_time_limit(time.sleep, 0.3, 30)
    assert time.perf_counter() - t0 < 10  # killed, not waited for

    def bad():
        raise KeyError("from the child")

    with pytest.raises(KeyError, match="from the child"):
        call_with_time_limit(bad, 30)

    def unpicklable():
        import threading

        err = RuntimeError("holds a lock")
        err.lock = threading.Lock()
        raise err

    with pytest.raises(RuntimeError, match="holds a lock"):  # its traceback text comes back
        call_with_time_limit(unpicklable, 30)
    with pytest.raises(ValueError, match="positive"):
        call_with_time_limit(os.getpid, 0)
    assert call_with_time_limit(os.getpid, float("inf")) == os.getpid()


def test_nonconvex_peer_killed_at_the_time_limit_is_recorded_and_summarized(monkeypatch):
    pytest.importorskip("skglm")
    from benchmarks import nonconvex_sim as S

    X, y, beta = S.simulate(200, 0.5, "linear", p=30, seed=2)
    monkeypatch.setattr(S, "_warm_up_skglm", lambda f, g: None)
    monkeypatch.setattr(S, "skglm_fit", lambda f, g, tol: time.sleep(60))
    rec = S.run_methods(X, y, beta, "linear", "MCP", max_iter=300, peer_time_limit=0.5)
    sk = rec["skglm"]
    assert sk["timed_out"] and sk["t_total"] == 0.5
    assert sk["F_final"] is None and sk["t_tol"] is None and sk["f1"] is None
    assert json.loads(json.dumps(rec)) == rec
    rows = {r["method"]: r for r in S.setting_rows(("linear", "MCP", 0.5, 200), [rec, rec])}
    assert rows["skglm"]["timed_out"] == 2 and rows["skglm"]["F_rel_median"] is None
    assert rows["skglm"]["t_total"] == 0.5 and rows["AG optimal"]["timed_out"] == 0
    assert rows["AG optimal"]["F_rel_median"] is not None  # best among the fits that ended
    md = S.compact_markdown(list(rows.values()), 2)
    assert "| - [0] (2 timed out) |" in md
    assert "| 0.5 (2 timed out) | - | - | - | - |" in S._markdown(list(rows.values()), 2,
                                                                   1e-8, 300)


def test_nonconvex_summarize_merges_worker_records_and_lists_unfinished(tmp_path, capsys):
    from benchmarks import nonconvex_sim as S
    from benchmarks.cli import main

    def rec(F_ws, F_sk, t_ws, t_sk):
        base = {"it_paper": 10, "t_paper": 0.01, "ppv": 1.0, "f1": 1.0, "error": 0.1}
        return {"AG optimal": {**base, "F_final": 2.0, "it_tol": 50, "t_tol": 0.5},
                "AG optimal + WS": {**base, "F_final": F_ws, "it_tol": 40, "t_tol": t_ws},
                "skglm": {**base, "F_final": F_sk, "it_paper": None, "t_paper": None,
                          "it_tol": None, "t_tol": t_sk}}

    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    ca = S.ReplicationCache(a / S.CACHE_NAME, tol=1e-8, max_iter=5000)
    cb = S.ReplicationCache(b / S.CACHE_NAME, tol=1e-8, max_iter=5000)
    setting, other = ("linear", "SCAD", 0.9, 200), ("linear", "MCP", 0.9, 200)
    ca.put((*setting, 0), rec(1.0, 1.1, 0.2, 0.4))  # replications split over two workers
    cb.put((*setting, 1), rec(1.0, 1.3, 0.4, 0.4))
    cb.put((*setting, 2), rec(1.2, 1.0, 0.3, 0.6))
    cb.put((*other, 0), rec(1.0, 1.0, 0.1, 0.1))
    # a record made with another tolerance is not used
    S.ReplicationCache(tmp_path / S.CACHE_NAME, tol=1e-6, max_iter=5000).put(
        (*other, 1), rec(1.0, 1.0, 0.1, 0.1))
    md, rows, missing = S.summarize([a, b, tmp_path], [setting, other], 3)
    assert missing == [(other, 1)]
    got = {r["method"]: r for r in rows}
    assert got["AG optimal + WS"]["t_tol"] == pytest.approx(0.3)  # median of 0.2, 0.4, 0.3
    assert got["skglm"]["t_tol"] == pytest.approx(0.4)
    assert got["AG optimal + WS"]["F_rel_median"] == 0.0  # best in two of three
    assert got["skglm"]["F_rel_median"] == pytest.approx(0.1)  # +10%, +30%, 0
    line = next(ln for ln in md.splitlines() if ln.startswith("| linear | SCAD"))
    assert "| 0.300 s [3] | 0.400 s [3] | 0.75 | best | +10% |" in line
    assert "MCP tau=0.9 N=200 (1)" in md
    md, _, _ = S.summarize([a, b], [setting, other], 3, partial=True)
    assert "Unfinished: linear MCP 0.9 200, over the 1 replications done (indices 0)" in md
    assert md.count("| linear | MCP | 0.9 | 200 |") == 1
    assert S._ranges([0, 1, 2, 7, 9, 10]) == "0-2, 7, 9-10"
    assert main(["summarize", "nonconvex", "--out", str(a), "--out", str(b)]) == 0
    assert "Not finished" in capsys.readouterr().out  # the full study's 48 settings
    assert main(["summarize", "nonconvex", "--out", str(a), "--out", str(b), "--partial"]) == 0
    assert "Unfinished: linear SCAD 0.9 200, over the 3 replications" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["summarize", "smoke"])  # keeps no records
    with pytest.raises(SystemExit):
        main(["summarize", "nonconvex", "--out", str(tmp_path / "absent")])


def test_nonconvex_plot_draws_the_papers_counts_beside_ours(tmp_path):
    pytest.importorskip("matplotlib")
    from benchmarks import nonconvex_sim as S

    assert set(S.PAPER_ITERATIONS[("linear", "SCAD", 0.9)]) == set(S.PAPER_METHODS)
    rows = [{"model": "linear", "penalty": kind, "tau": 0.9, "n": n, "method": m,
             "it_paper": it} for kind in ("SCAD", "MCP") for n in (200, 500)
            for m, it in (("AG optimal", 37), ("prox_grad", None))]
    path = Path(S._plot(rows, tmp_path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_nonconvex_estimator_section_scores_both_fits_alike(monkeypatch):
    from benchmarks import nonconvex_estimators as E
    from benchmarks.suites import nonconvex

    # a small design (p = 300: block 0 only, 10 signals) keeps the test fast
    real = E.simulate
    monkeypatch.setattr(E, "simulate", lambda n, tau, model, seed: real(n, tau, model,
                                                                          p=300, seed=seed))
    rec = E.compare("MCP", 0.9, 80, seed=3, runs=1)
    ours = rec["optsuite"]
    assert ours["converged"] and ours["time"] > 0 and 0 < ours["nnz"] <= 300
    if "skglm" in rec:
        # both scored by the one objective; ours no worse than skglm's (7.6% lower here)
        assert ours["F"] <= 1.05 * rec["skglm"]["F"]
    out = E.estimator_extra([("SCAD", 0.5, 60)], reps=1, runs=1).run({"say": lambda s: None})
    assert "| SCAD | 0.5 | 60 |" in out["markdown"]
    assert out["data"]["rows"][0]["optsuite"]["converged"] == 1
    names = [x.name for x in nonconvex.build(quick=True).extras]
    assert names == ["estimators", "coordinate descent", "separable logistic", "simulation"]


def test_nonconvex_bcd_section_scores_every_method_alike(monkeypatch):
    from benchmarks import nonconvex_bcd as B

    rec = B.compare("linear", "MCP", 0.5, 80, seed=3, p=300)
    assert {"bcd gs-q", "bcd gsl", "nonconvex_ag WS"} <= set(rec)
    f, g = B._problem("linear", "MCP", 0.5, 80, seed=3, p=300)
    for name, r in rec.items():
        assert r["time"] > 0 and 0 < r["nnz"] <= 300
        # one objective and one measure for all: recomputed from a run's point, they agree
        assert np.isfinite(r["F"]) and r["kkt"] >= 0
    x = __import__("solvers").bcd(f, g, rule="gsl", tol=B.TOL).x
    assert rec["bcd gsl"]["F"] == pytest.approx(float(f.value(x) + g.value(x)), rel=1e-12)
    assert rec["bcd gsl"]["kkt"] <= B.TOL
    out = B.bcd_extra([("linear", "SCAD", 0.5, 60)], reps=1, p=300).run({"say": lambda s: None})
    assert "| linear | SCAD | 0.5 | 60 |" in out["markdown"]
    row = out["data"]["rows"][0]
    assert min(row[m]["F_rel"] for m in B.METHODS if m in row) == 0.0
    # the separable-logistic section: the chosen methods only (N = 60 < p = 300: separable)
    two = ("nonconvex_ag WS", "skglm")
    out = B.bcd_extra([("logistic", "MCP", 0.5, 60)], reps=1, p=300, methods=two,
                      name="separable logistic", title=B.SEPARABLE_TITLE).run(
        {"say": lambda s: None})
    row = out["data"]["rows"][0]
    assert set(B.METHODS) & set(row) <= set(two) and "nonconvex_ag WS" in row
    assert row["nonconvex_ag WS"]["reached"] == 1  # 1e-8 within WS_MAX_ITER


def test_admm_suite_sections_on_tiny_problems(tmp_path):
    from benchmarks import admm_consensus_bench as C
    from benchmarks import admm_lasso_bench as L
    from benchmarks import admm_qp_bench as Q
    from benchmarks.suites import get

    assert {e.name for e in get("admm").build(quick=True).extras} == {"lasso", "qp", "federated"}
    P, q, A, lo, hi = Q.random_qp(30, seed=0)
    assert A.shape == (60, 30) and np.all(lo <= 0) and np.all(hi >= 0)
    rows = Q.qp_section([30], repeat=1, say=lambda *a: None)
    assert {r["method"] for r in rows} == {"optsuite admm_qp", "OSQP"}
    ours, osqp = rows
    assert ours["kkt"] < 1e-5 and osqp["kkt"] < 1e-5
    assert ours["objective"] == pytest.approx(osqp["objective"], rel=1e-6, abs=1e-8)
    # the Lasso written as OSQP's QP has the Lasso's solution in its first p entries
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 8)), rng.standard_normal(40)
    alpha = 0.1 * float(np.abs(X.T @ y).max()) / 40
    rows = L.lasso_section([("tiny", X, y, alpha)], repeat=1, say=lambda *a: None)
    gaps = {r["method"]: r["rel_gap"] for r in rows}
    assert gaps["OSQP (Lasso as QP)"] < 1e-4 and gaps["optsuite admm_lasso eps 1e-8"] < 1e-6
    out = C.federated_section(tmp_path, plots=False, n_seeds=1, max_iter=30, say=lambda *a: None)
    last = out["data"]["rows"][-1]
    assert last["robust"] < last["standard"]  # the noise-robust variant ends closer to w*


# --------------------------------------------------------------------------- precond suite
def test_precond_suite_tiny_run(tmp_path):
    """The tiny form end to end (generated separated spectrum, 200 x 40, ridge LS and ridge
    logistic, tau = 4): every row's ||grad|| is the shared measure of its returned x, CG runs
    on least squares only, the ratios follow from the rows, the spectra are the exact
    effective condition numbers, and the table, target lines and plot are written."""
    pytest.importorskip("matplotlib")
    from benchmarks.newton_bench import grad_norm
    from benchmarks.precond_bench import TARGET, PrecondProblem, generated
    from benchmarks.suites import precond
    from solvers.precond import effective_condition_number

    assert "precond" in suites.names()
    assert [e.name for e in precond.build(quick=True).extras] == ["spectra", "race"]
    res = run_suite(precond.build(tiny=True), tmp_path, verbose=False)
    race = res["extras"]["race"]["data"]
    rows = race["rows"]
    by = {(r["problem"], r["method"]): r for r in rows}
    assert {p for p, _ in by} == {"gen-separated ls", "gen-separated logistic"}
    methods = {"GM", "FGM", "FGM adaptive (tau=0)", "GM-P4", "FGM-P4", "Krylov 4",
               "Krylov+mem 4", "scipy L-BFGS-B"}
    assert {m for p, m in by if p == "gen-separated logistic"} == methods
    assert {m for p, m in by if p == "gen-separated ls"} == methods | {"scipy CG (normal eq.)"}
    X, y, _ = generated("separated", 200, 40)
    sol = np.load(tmp_path / "precond_solutions.npz")
    for (pname, mname), r in by.items():
        assert r["error"] is None, (pname, mname, r["error"])
        f = PrecondProblem(pname, "gen-separated", pname.split()[-1], X, y).make()
        assert r["grad_norm"] == pytest.approx(grad_norm(f, sol[f"{pname}/{mname}"]),
                                               rel=1e-9, abs=1e-300)
        assert r["reached"] == (r["timed"] and r["grad_norm"] <= TARGET * REACHED_SLACK)
    for pname in ("gen-separated ls", "gen-separated logistic"):
        fgm4 = by[(pname, "FGM-P4")]
        assert fgm4["reached"] and fgm4["n_bprod"] >= 4 * fgm4["nit"]
        ad = by[(pname, "FGM adaptive (tau=0)")]
        if ad["reached"]:
            assert fgm4["it_vs_fgm_ad"] == pytest.approx(fgm4["nit"] / ad["nit"])
        assert race["verdicts"][pname]["best"] is not None
    cg = by[("gen-separated ls", "scipy CG (normal eq.)")]
    assert cg["reached"] and cg["n_bprod"] >= cg["nit"]
    for s in res["extras"]["spectra"]["data"]["spectra"]:
        f = PrecondProblem(s["problem"], "gen-separated", s["problem"].split()[-1], X, y).make()
        lam = f.curvature_bound.eigenvalues()
        assert s["kappa"] == pytest.approx([effective_condition_number(lam, t)
                                            for t in range(5)], rel=1e-12)
        assert all(a >= b for a, b in zip(s["kappa"], s["kappa"][1:]))
    table = (tmp_path / "table.md").read_text()
    assert "## Spectra of B" in table and "| kappa_4 |" in table
    assert "| it / FGM | it / FGM-ad | time / L-BFGS-B |" in table and "**Targets**" in table
    assert (tmp_path / "precond_grad_norm.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- sor suite
def test_sor_suite_tiny_run(tmp_path):
    """The tiny form end to end (shifted Laplacians, law "high", T = 100; heat nx = 20,
    T = 20; small kernels): the suite is registered, the tables have the expected rows and
    columns, the tabulated costs are the public solver's, the golden section over the kernel
    is instance_optimal_omega's and the closed-form Young omega young_omega's, the
    table-driven learner pays what OmegaTuner pays end to end (same seed), every heat method
    solves the same sequence, and one sweep of ours equals one of pyamg's."""
    import importlib.util

    import solvers
    from benchmarks.sor_bench import (COMPARATORS, GOLDEN_XTOL, GRID, LEARNERS, kernel_cost,
                                      young_closed_form)
    from benchmarks.suites import sor as sor_suite
    from problems.linear_systems import ShiftedLaplacianSequence
    from solvers.linear import instance_optimal_omega, young_omega
    from solvers.linear.omega import golden_section_min

    assert "sor" in suites.names()
    assert [e.name for e in sor_suite.build(quick=True).extras] == ["shifted", "heat", "kernel"]
    res = run_suite(sor_suite.build(tiny=True), tmp_path, verbose=False)
    ext = res["extras"]
    for name in ("shifted", "heat", "kernel"):
        assert not ext[name]["markdown"].startswith("**failed**"), ext[name]["markdown"]

    # shifted Laplacians: rows, comparators, checks
    sh = ext["shifted"]["data"]
    by = {r["method"]: r for r in sh["rows"]}
    assert set(by) == set(COMPARATORS) | {label for label, _, _ in LEARNERS}
    assert all(r["law"] == "high" and r["T"] == 100 for r in by.values())
    assert by["best fixed omega (hindsight)"]["vs_best"]["mean"] == 1.0
    assert by["instance-optimal (grid)"]["vs_grid"]["mean"] == 1.0
    assert by["instance-optimal (golden section)"]["vs_golden"]["mean"] == 1.0
    for r in by.values():  # nothing beats the grid optimum per system
        assert r["kind"] == "comparator" or r["vs_grid"]["min"] >= 1.0
    assert [(e["learner"], e["n"], e["equal"]) for e in sh["end_to_end"]] == [
        ("unimodal-ucb", 100, True), ("chebcb", 100, True)]
    assert all(c["golden_equal"] for c in sh["checks"]["high"])
    assert max(c["young_rel_diff"] for c in sh["checks"]["high"]) < 1e-12

    tables = np.load(tmp_path / "sor_costs.npz")
    cost = tables["high/seed0/cost"]
    assert cost.shape == (100, len(GRID))
    best = int(np.argmin(cost.sum(axis=0)))
    assert by["best fixed omega (hindsight)"]["total"]["mean"] == cost[:, best].sum()
    assert by["instance-optimal (grid)"]["total"]["mean"] == cost.min(axis=1).sum()
    seq = ShiftedLaplacianSequence(nx=10, T=100, law="high", random_state=0)
    for t in (3, 57):  # the table is the public solver's iteration count
        inst = seq[t]
        for k in (0, 9, 19):
            assert solvers.sor(inst.A, inst.b, omega=float(GRID[k])).nit == cost[t, k]
    for t in (0, 11):  # the golden section over the kernel is instance_optimal_omega
        inst = seq[t]
        d = inst.A.diagonal()
        mine = golden_section_min(lambda w: kernel_cost(inst.A, d, inst.b, w), 1.0, 1.95,
                                  GOLDEN_XTOL)
        assert mine == instance_optimal_omega(inst.A, inst.b, lo=1.0, hi=1.95)
        assert mine[:2] == (tables["high/seed0/golden_omega"][t],
                            tables["high/seed0/golden_cost"][t])
        assert young_closed_form(inst.context, 10) == pytest.approx(young_omega(inst.A),
                                                                     rel=1e-12)
    # the table-driven learner pays what OmegaTuner pays through the solver (same seed)
    arms = tables["high/seed0/tsallis-inf (scale mean, paper)/r0/arms"]
    tuner = solvers.OmegaTuner(learner="tsallis-inf", random_state=0, warm_start=False)
    for inst in seq:
        tuner.solve(inst.A, inst.b)
    assert tuner.arms_ == arms.tolist()
    assert tuner.costs_ == cost[np.arange(100), arms].tolist()
    assert by["tsallis-inf (scale mean, paper)"]["total"]["mean"] == sum(tuner.costs_)

    # heat equation: every method, converged, the same final state as CG
    heat = ext["heat"]["data"]["rows"]
    assert [r["method"] for r in heat] == [
        "scipy cg", "ssor_pcg omega=1", "ssor_pcg omega=1.5", "ssor_pcg omega=1.75",
        "OmegaTuner(ssor_pcg, unimodal-ucb)", "OmegaTuner(ssor_pcg, tsallis-inf)",
        "OmegaTuner(ssor_pcg, chebcb)"]
    for r in heat:
        assert (r["nx"], r["T"], r["missed"]) == (20, 20, 0)
        assert r["iterations"] > 0 and r["final_diff"] < 1e-6
    assert heat[0]["it_vs_cg"] == 1.0 and heat[0]["final_diff"] == 0.0

    # kernel speed: one sweep of ours = one of pyamg's; the multicolor line is there
    kern = ext["kernel"]["data"]
    assert len(kern["rows"]) == 2 and all(r["ours_sweeps_per_s"] > 0 for r in kern["rows"])
    if importlib.util.find_spec("pyamg") is not None:
        assert all(r["same_x"] and r["one_sweep_rel_diff"] <= 1e-12 for r in kern["rows"])
        assert all(r["ours_vs_pyamg"] > 0 for r in kern["rows"])
    assert kern["multicolor"]["cpu_sweeps_per_s"] > 0
    assert kern["multicolor"]["gpu"] in ("run", "not run: no GPU") \
        or kern["multicolor"]["gpu"].startswith("failed")
    assert set(kern["versions"]) >= {"numpy", "scipy", "numba", "pyamg"}

    table = (tmp_path / "table.md").read_text()
    assert "## Shifted Laplacians" in table and "### law 'high'" in table
    assert ("| method | runs | total iterations, mean [min-max] | / best fixed | "
            "/ inst.-opt. (grid) | / inst.-opt. (golden) | most played omega |") in table
    assert "| it / CG |" in table and "| time / CG |" in table and "| ours / pyamg |" in table
    assert "**Targets**" in table
    if importlib.util.find_spec("matplotlib") is not None:
        png = (tmp_path / "sor_cumulative_cost.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- halpern suite
def test_halpern_suite_tiny_run(tmp_path):
    """The tiny form end to end: registered, three sections without failure, the paper
    table covers every method on both experiments, the scaling and restart tables have
    their rows, and the versions are recorded."""
    from benchmarks.halpern_bench import PAPER_METHODS, SCALING_METHODS, fit_exponent
    from benchmarks.suites import halpern as halpern_suite

    assert "halpern" in suites.names()
    res = run_suite(halpern_suite.build(tiny=True), tmp_path, verbose=False)
    ext = res["extras"]
    assert list(ext) == ["paper", "scaling", "restart"]
    for name in ext:
        assert not ext[name]["markdown"].startswith("**failed**"), ext[name]["markdown"]
    rows = ext["paper"]["data"]["rows"]
    assert [(r["problem"], r["method"]) for r in rows] == [
        (p, m) for p in ("bilinear", "policeman") for m in PAPER_METHODS]
    assert all(0 < r["final_rel"] < 10 for r in rows)
    assert [r["method"] for r in ext["scaling"]["data"]["qp"]["rows"][::2]] == list(
        SCALING_METHODS)
    assert fit_exponent([10, 100], [5.0, 50.0]) == pytest.approx(1.0)
    assert {r["method"] for r in ext["restart"]["data"]["rows"]} >= {
        "extragradient", "halpern (restarted)", "vr_halpern (restarted)"}
    assert set(ext["paper"]["data"]["versions"]) == {"numpy", "scipy", "optsuite"}
    assert "## Paper experiments" in (tmp_path / "table.md").read_text()
