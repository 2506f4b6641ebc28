"""Tests for problems.datasets: LIBSVM reader, labels, registry/loader, synthetic generators."""
import bz2
import gzip
import os
import pathlib

import numpy as np
import pytest
import scipy.sparse as sp

from problems import datasets
from problems.datasets import (
    DATASETS, DatasetInfo, get_data_home, list_datasets, load_libsvm, make_correlated_design,
    make_sparse_classification, make_sparse_regression, normalize_labels, read_libsvm,
)

# --------------------------------------------------------------------------------------------
# Reader
# --------------------------------------------------------------------------------------------
TOY = (
    "# a header comment\n"
    "+1 1:0.5 3:-2 4:1e-3\n"
    "\n"
    "-1 2:4.25   5:7 # trailing comment\n"
    "   \t\n"
    "+1\n"
    "-1 1:3.0\t2:-0.125 3:2.5 4:1 5:-1\r\n"
    "+1 2:0 5:12345678901234567890.5\n"
)
TOY_DENSE = np.array([
    [0.5, 0.0, -2.0, 1e-3, 0.0],
    [0.0, 4.25, 0.0, 0.0, 7.0],
    [0.0, 0.0, 0.0, 0.0, 0.0],
    [3.0, -0.125, 2.5, 1.0, -1.0],
    [0.0, 0.0, 0.0, 0.0, 12345678901234567890.5],
])
TOY_Y = np.array([1.0, -1.0, 1.0, -1.0, 1.0])


def _write(tmp_path, text, name="data.svm"):
    p = tmp_path / name
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return p


def _check_toy(X, y):
    assert sp.isspmatrix_csr(X)
    assert X.dtype == np.float64
    assert X.shape == (5, 5)
    assert X.has_sorted_indices
    np.testing.assert_array_equal(X.indptr, [0, 3, 5, 5, 10, 12])
    np.testing.assert_array_equal(X.indices, [0, 2, 3, 1, 4, 0, 1, 2, 3, 4, 1, 4])
    np.testing.assert_array_equal(X.toarray(), TOY_DENSE)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y, TOY_Y)


def test_read_toy_exact(tmp_path):
    X, y = read_libsvm(_write(tmp_path, TOY))
    _check_toy(X, y)
    # explicit zero is kept as a stored entry
    assert X.nnz == 12


def test_read_matches_sklearn(tmp_path):
    skd = pytest.importorskip("sklearn.datasets")
    rng = np.random.default_rng(3)
    lines = []
    for i in range(200):
        cols = np.sort(rng.choice(40, size=rng.integers(0, 12), replace=False)) + 1
        vals = rng.standard_normal(cols.size) * 10.0 ** rng.integers(-5, 5, cols.size)
        feats = " ".join(f"{c}:{v!r}" for c, v in zip(cols, vals.tolist()))
        lines.append(f"{rng.integers(1, 4)} {feats}" + (" # c" if i % 7 == 0 else ""))
        if i % 13 == 0:
            lines.append("")
    p = _write(tmp_path, "\n".join(lines) + "\n")
    X, y = read_libsvm(p, n_features=40)
    X2, y2 = skd.load_svmlight_file(str(p), n_features=40)
    X2.sort_indices()
    assert X.shape == X2.shape == (200, 40)
    np.testing.assert_array_equal(X.indptr, X2.indptr)
    np.testing.assert_array_equal(X.indices, X2.indices)
    np.testing.assert_array_equal(X.data, X2.data)
    np.testing.assert_array_equal(y, y2)
    # and on the toy file
    X, y = read_libsvm(_write(tmp_path, TOY, "toy"))
    X2, y2 = skd.load_svmlight_file(str(tmp_path / "toy"))
    np.testing.assert_array_equal(X.toarray(), X2.toarray())
    np.testing.assert_array_equal(y, y2)


@pytest.mark.parametrize("compress", [bz2.compress, gzip.compress])
def test_read_compressed(tmp_path, compress):
    p = _write(tmp_path, compress(TOY.encode()), "toy.compressed")
    X, y = read_libsvm(p)
    _check_toy(X, y)


def test_read_exact_floats(tmp_path):
    rng = np.random.default_rng(0)
    xs = (rng.standard_normal(300) * 10.0 ** rng.integers(-300, 300, 300)).tolist()
    toks = [repr(x) for x in xs] + [f"{x:.6f}" for x in xs[:50]] + [f"{x:.20e}" for x in xs[:50]]
    toks += ["1e22", "1e23", "9007199254740993", "0.1234567890123456789012", "1e-400", "-0",
             ".5", "5.", "+2E+3", "9826996785221726208.000000", "9.82726419990891520000e+18",
             "9885748075027408.0000000000000000000000000", "123456789012345678901234"]
    p = _write(tmp_path, "".join(f"{t} 1:{t}\n" for t in toks))
    X, y = read_libsvm(p)
    expected = np.array([float(t) for t in toks])
    np.testing.assert_array_equal(y, expected)
    np.testing.assert_array_equal(X.toarray()[:, 0], expected)


def test_read_empty_and_float32(tmp_path):
    X, y = read_libsvm(_write(tmp_path, "# only a comment\n\n"))
    assert X.shape == (0, 0) and y.shape == (0,)
    X, y = read_libsvm(_write(tmp_path, TOY), dtype=np.float32)
    assert X.dtype == np.float32
    np.testing.assert_array_equal(X.toarray(), TOY_DENSE.astype(np.float32))


BAD_FILES = [
    # (content, line number, token expected in the message, words expected)
    ("1 1:2\nabc 1:3\n", 2, "'abc'", "non-numeric label"),
    ("1 1:2\n\n# c\n1 1:3 4\n", 4, "'4'", "missing colon"),
    ("1 1:2\n-1 0:1.5\n", 2, "'0:1.5'", ">= 1"),
    ("1 -3:1.5\n", 1, "'-3:1.5'", ">= 1"),
    ("1 x:1.5\n", 1, "'x:1.5'", "non-integer feature index"),
    ("1 1:2\n1 1:2 2:zz\n", 2, "'zz'", "non-numeric value"),
    ("1 1:2 2:\n", 1, "'2:'", "non-numeric value"),
    ("1 1:2\n1 2:inf\n", 2, "'inf'", "non-finite value"),
    ("1 1:nan\n", 1, "'nan'", "non-finite value"),
    ("1 1:1\n1 1:1\n1 1:1e400\n", 3, "'1e400'", "non-finite value"),
    ("1 1:2\n1 3:1 2:1\n", 2, "'2:1'", "strictly increasing"),
    ("1 1:2\n1 3:1 3:1\n", 2, "'3:1'", "strictly increasing"),
    ("1 qid:3 1:2\n", 1, "'qid:3'", "qid"),
    ("1,2 1:2\n", 1, "'1,2'", "non-numeric label"),
    ("nan 1:2\n", 1, "'nan'", "non-finite label"),
]


@pytest.mark.parametrize("content,line,token,words", BAD_FILES)
def test_read_bad_files(tmp_path, content, line, token, words):
    p = _write(tmp_path, content, "bad.svm")
    with pytest.raises(ValueError) as info:
        read_libsvm(p)
    msg = str(info.value)
    assert f"line {line}:" in msg
    assert token in msg
    assert words in msg
    assert str(p) in msg


def test_read_n_features(tmp_path):
    p = _write(tmp_path, TOY)
    X, _ = read_libsvm(p, n_features=8)
    assert X.shape == (5, 8)
    np.testing.assert_array_equal(X.toarray()[:, :5], TOY_DENSE)
    assert X[:, 5:].nnz == 0
    with pytest.raises(ValueError, match=r"n_features=4 .*largest feature index 5"):
        read_libsvm(p, n_features=4)
    with pytest.raises(FileNotFoundError):
        read_libsvm(tmp_path / "nope")


# --------------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [[0, 1, 1, 0], [1, 2, 2, 1], [2, 4, 4, 2], [-1, 1, 1, -1]])
def test_normalize_binary(raw):
    y_in = np.array(raw, dtype=float)
    out = normalize_labels(y_in, "binary")
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [-1.0, 1.0, 1.0, -1.0])
    np.testing.assert_array_equal(y_in, raw)  # input untouched


def test_normalize_multiclass_and_regression():
    out = normalize_labels([3.0, 1.0, 2.0, 3.0], "multiclass")
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, [2, 0, 1, 2])
    y = np.array([0.5, -2.0])
    out = normalize_labels(y, "regression")
    np.testing.assert_array_equal(out, y)
    assert out is not y and out.dtype == np.float64


def test_normalize_errors():
    with pytest.raises(ValueError, match=r"exactly two distinct labels, found 1: \[7\]"):
        normalize_labels([7, 7, 7], "binary")
    with pytest.raises(ValueError, match=r"found 3: \[1, 2, 3\]"):
        normalize_labels([1, 2, 3, 1], "binary")
    with pytest.raises(ValueError, match="task must be one of"):
        normalize_labels([1, 2], "ranking")
    with pytest.raises(ValueError, match="one-dimensional"):
        normalize_labels(np.ones((2, 2)), "regression")


# --------------------------------------------------------------------------------------------
# Data home, registry, loader
# --------------------------------------------------------------------------------------------
def test_get_data_home_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("OPTSUITE_DATA", str(tmp_path / "env"))
    assert get_data_home(tmp_path / "arg") == tmp_path / "arg"
    assert get_data_home() == tmp_path / "env"
    monkeypatch.delenv("OPTSUITE_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert get_data_home() == tmp_path / "home" / "optsuite_data"
    assert get_data_home("~/x") == tmp_path / "home" / "x"
    assert not (tmp_path / "home").exists()  # not created


def test_registry():
    info = DATASETS["a9a"]
    assert isinstance(info, DatasetInfo)
    assert (info.task, info.n_samples, info.n_features, info.n_classes) == ("binary", 32561, 123, 2)
    assert info.url == "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/binary/a9a"
    assert DATASETS["rcv1.binary"].url.endswith("/binary/rcv1_train.binary.bz2")
    assert DATASETS["dna.scale"].url.endswith("/multiclass/dna.scale")
    assert DATASETS["housing_scale"].url.endswith("/regression/housing_scale")
    assert DATASETS["heart"].filename == "heart_scale"
    assert list_datasets("multiclass") == ["dna.scale", "dna.scale.t", "pendigits"]
    names = list_datasets()
    assert names == sorted(names) and {"a9a", "w8a", "leu", "covtype.binary"} <= set(names)
    for info in DATASETS.values():
        assert info.task in ("binary", "multiclass", "regression")
        assert (info.n_classes is None) == (info.task == "regression")
    with pytest.raises(ValueError, match="task"):
        list_datasets("clustering")


def test_load_unknown_name(tmp_path):
    with pytest.raises(ValueError, match=r"unknown LIBSVM data set 'no-such-set'.*a1a"):
        load_libsvm("no-such-set", data_home=tmp_path)


def test_load_missing_no_download(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_libsvm("a9a", data_home=tmp_path / "empty", download=False)
    msg = str(info.value)
    assert "OPTSUITE_DATA" in msg and DATASETS["a9a"].url in msg and "empty" in msg
    assert not (tmp_path / "empty").exists()


def test_load_download_failure(tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise datasets.urllib.error.URLError("network is unreachable")

    monkeypatch.setattr(datasets.urllib.request, "urlopen", fail)
    with pytest.raises(FileNotFoundError, match="OPTSUITE_DATA.*network is unreachable"):
        load_libsvm("leu", data_home=tmp_path / "dl")
    assert list((tmp_path / "dl").iterdir()) == []  # no partial file left


def test_load_registered_from_data_home(tmp_path):
    # a registered name found under its plain name (heart's registry file is heart_scale),
    # padded to the registry's n_features, labels 0/1 -> -1/+1
    _write(tmp_path, "0 1:0.5\n1 2:1\n", "heart")
    X, y = load_libsvm("heart", data_home=tmp_path)
    assert X.shape == (2, 13)
    np.testing.assert_array_equal(y, [-1.0, 1.0])
    # name + ".bz2"
    _write(tmp_path, bz2.compress(b"1 1:1\n2 3:1\n3 2:1\n"), "dna.scale.bz2")
    X, y = load_libsvm("dna.scale", data_home=tmp_path)
    assert X.shape == (3, 180) and y.dtype == np.int64
    np.testing.assert_array_equal(y, [0, 1, 2])


def test_load_path_infers_task(tmp_path):
    p = _write(tmp_path, "2 1:1\n4 2:1\n")
    _, y = load_libsvm(p)
    np.testing.assert_array_equal(y, [-1.0, 1.0])
    _, y = load_libsvm(_write(tmp_path, "1 1:1\n3 1:1\n2 1:1\n", "mc"))
    np.testing.assert_array_equal(y, [0, 2, 1])
    _, y = load_libsvm(_write(tmp_path, "1.5 1:1\n3 1:1\n2 1:1\n", "reg"))
    np.testing.assert_array_equal(y, [1.5, 3.0, 2.0])
    _, y = load_libsvm(tmp_path / "mc", task="regression")
    np.testing.assert_array_equal(y, [1.0, 3.0, 2.0])


# --------------------------------------------------------------------------------------------
# Shared LIBSVM files (skipped unless OPTSUITE_DATA holds them)
# --------------------------------------------------------------------------------------------
def _shared_data_home():
    home = os.environ.get("OPTSUITE_DATA")
    if home and (pathlib.Path(home) / "a9a").is_file():
        return pathlib.Path(home)
    return None


needs_shared = pytest.mark.skipif(_shared_data_home() is None,
                                  reason="OPTSUITE_DATA does not point at the LIBSVM files")


@needs_shared
@pytest.mark.data
def test_shared_a9a():
    X, y = load_libsvm("a9a")
    Xt, yt = load_libsvm("a9a.t")
    assert X.shape == (32561, 123) and Xt.shape == (16281, 123)
    assert set(np.unique(y)) == {-1.0, 1.0} and set(np.unique(yt)) == {-1.0, 1.0}
    assert abs(X.nnz / (X.shape[0] * X.shape[1]) - 0.11) < 0.01
    assert isinstance(X, sp.csr_matrix) and X.dtype == np.float64


@needs_shared
@pytest.mark.data
def test_shared_labels():
    home = _shared_data_home()
    raw = read_libsvm(home / "mushrooms")[1]
    assert set(np.unique(raw)) == {1.0, 2.0}
    _, y = load_libsvm("mushrooms")
    np.testing.assert_array_equal(y, np.where(raw == 2.0, 1.0, -1.0))
    _, y = load_libsvm("dna.scale")
    assert y.dtype == np.int64 and set(np.unique(y)) == {0, 1, 2}
    _, y = load_libsvm("breast-cancer")
    assert set(np.unique(y)) == {-1.0, 1.0}


@needs_shared
@pytest.mark.data
def test_shared_shapes_match_registry():
    home = _shared_data_home()
    found = 0
    for name, info in DATASETS.items():
        if not any((home / f).is_file() for f in (info.filename, name, name + ".bz2")):
            continue
        found += 1
        X, y = load_libsvm(name)
        assert X.shape == (info.n_samples, info.n_features), name
        if info.n_classes is not None:
            assert np.unique(y).size == info.n_classes, name
    assert found >= 14


# --------------------------------------------------------------------------------------------
# Synthetic generators
# --------------------------------------------------------------------------------------------
def test_generators_shapes_and_seed():
    X, y, w = make_sparse_regression(40, 70, n_informative=6, random_state=1)
    assert X.shape == (40, 70) and y.shape == (40,) and w.shape == (70,)
    assert np.count_nonzero(w) == 6 and set(np.abs(w[w != 0])) == {1.0}
    X2, y2, w2 = make_sparse_regression(40, 70, n_informative=6, random_state=1)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    np.testing.assert_array_equal(w, w2)
    X3, _, _ = make_sparse_regression(40, 70, n_informative=6, random_state=2)
    assert not np.array_equal(X, X3)
    Xc, yc, wc = make_sparse_classification(40, 70, n_informative=6, random_state=1)
    np.testing.assert_array_equal(Xc, X)
    np.testing.assert_array_equal(wc, w)
    assert set(np.unique(yc)) <= {-1.0, 1.0} and yc.dtype == np.float64
    np.testing.assert_array_equal(yc, np.where(y >= 0, 1.0, -1.0))
    # a Generator is accepted too
    rng = np.random.default_rng(5)
    assert make_correlated_design(3, 4, random_state=rng).shape == (3, 4)


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9])
def test_correlation_structure(rho):
    X = make_correlated_design(20000, 6, rho=rho, random_state=0)
    C = np.corrcoef(X, rowvar=False)
    for lag in (1, 2):
        emp = np.mean(np.diag(C, lag))
        assert abs(emp - rho ** lag) < 0.02
    assert np.all(np.abs(X.var(axis=0) - 1.0) < 0.05)


@pytest.mark.parametrize("snr", [0.5, 3.0, 10.0])
def test_snr_achieved(snr):
    X, y, w = make_sparse_regression(50, 30, n_informative=5, snr=snr, random_state=0)
    signal = X @ w
    assert np.linalg.norm(signal) / np.linalg.norm(y - signal) == pytest.approx(snr, rel=1e-10)
    _, y0, _ = make_sparse_regression(50, 30, n_informative=5, snr=np.inf, random_state=0)
    np.testing.assert_allclose(y0, signal)


@pytest.mark.parametrize("kwargs,name", [
    (dict(n_samples=0), "n_samples"),
    (dict(n_features=0), "n_features"),
    (dict(n_informative=0), "n_informative"),
    (dict(n_features=5, n_informative=6), "n_informative"),
    (dict(rho=1.0), "rho"),
    (dict(rho=-0.1), "rho"),
    (dict(snr=0.0), "snr"),
    (dict(snr=float("nan")), "snr"),
])
@pytest.mark.parametrize("gen", [make_sparse_regression, make_sparse_classification])
def test_generator_bad_arguments(gen, kwargs, name):
    with pytest.raises(ValueError, match=name):
        gen(**kwargs)


def test_generator_bad_types():
    with pytest.raises(TypeError, match="n_samples"):
        make_sparse_regression(n_samples=2.5)
    with pytest.raises(TypeError, match="rho"):
        make_correlated_design(rho="high")
