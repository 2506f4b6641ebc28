"""LIBSVM data sets: a fast reader, a registry, a loader, and synthetic generators.

The LIBSVM (svmlight) text format stores one sample per line::

    label index:value index:value ...   # optional comment

with 1-based, strictly increasing feature indices; features that are not written are zero.
The format and the benchmark collection it is used for are described in

    C.-C. Chang and C.-J. Lin, "LIBSVM: a library for support vector machines",
    ACM Transactions on Intelligent Systems and Technology 2(3), 27:1--27:27, 2011.
    Data sets: https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/

Contents
--------
:func:`read_libsvm`
    Parse one file (plain, ``.bz2`` or ``.gz``) into a CSR matrix and the raw labels. The
    parser is a numba kernel over the file's bytes; malformed files raise ``ValueError``
    naming the file, the line and the offending token.
:func:`load_libsvm`
    Load a file by path or a registered data set by name from :func:`get_data_home`
    (downloading it from the LIBSVM site when it is missing), with labels normalized for the
    task by :func:`normalize_labels` (+-1 for binary, 0..K-1 for multiclass).
:data:`DATASETS`, :func:`list_datasets`
    The registry of known data sets (:class:`DatasetInfo`).
:func:`make_correlated_design`, :func:`make_sparse_regression`, :func:`make_sparse_classification`
    Synthetic sparse problems over a Gaussian design with Toeplitz correlation.

This module depends on numpy, scipy and numba only (scikit-learn is not needed).
"""
from __future__ import annotations

import bz2
import dataclasses
import gzip
import http.client
import numbers
import os
import pathlib
import shutil
import urllib.error
import urllib.request
import zlib

import numba
import numpy as np
import scipy.signal
import scipy.sparse as sp

__all__ = [
    "DATASETS", "DatasetInfo", "get_data_home", "list_datasets", "load_libsvm",
    "make_correlated_design", "make_sparse_classification", "make_sparse_regression",
    "normalize_labels", "read_libsvm",
]

TASKS = ("binary", "multiclass", "regression")
_ENV_VAR = "OPTSUITE_DATA"
_DOWNLOAD_TIMEOUT = 30.0
# Task inference for files read by path: integer labels forming a consecutive run of at most
# this many values (and more than two) are taken as classes; anything else is regression.
_MAX_INFERRED_CLASSES = 100


# --------------------------------------------------------------------------------------------
# Data home
# --------------------------------------------------------------------------------------------
def get_data_home(data_home=None) -> pathlib.Path:
    """Return the folder where LIBSVM data sets are looked for (and downloaded to).

    Parameters
    ----------
    data_home : str or path-like, optional
        Folder to use. When None, the ``OPTSUITE_DATA`` environment variable is used if it
        is set and not empty, else ``~/optsuite_data``.

    Returns
    -------
    pathlib.Path
        The folder, with ``~`` expanded. It is not created and need not exist.

    Examples
    --------
    >>> get_data_home("/tmp/libsvm")
    PosixPath('/tmp/libsvm')
    """
    if data_home is None:
        data_home = os.environ.get(_ENV_VAR) or os.path.join("~", "optsuite_data")
    return pathlib.Path(os.path.expanduser(os.fspath(data_home)))


# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------
_LIBSVM_URL = "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets"


@dataclasses.dataclass(frozen=True)
class DatasetInfo:
    """Description of a registered LIBSVM data set.

    Attributes
    ----------
    name : str
        Registry name (what :func:`load_libsvm` accepts).
    task : {"binary", "multiclass", "regression"}
        How labels are normalized on load.
    n_samples : int
        Number of rows.
    n_features : int
        Number of columns of the data set (may exceed the largest index written in the file,
        e.g. ``a1a`` writes indices up to 119 of 123; loading pads to ``n_features``).
    n_classes : int or None
        Number of classes (None for regression).
    url : str
        Download address on the LIBSVM data sets site.
    filename : str
        File name at that address (and in the data home after a download).
    """

    name: str
    task: str
    n_samples: int
    n_features: int
    n_classes: int | None
    url: str
    filename: str


def _entry(name, task, n_samples, n_features, n_classes, filename=None):
    filename = name if filename is None else filename
    folder = {"binary": "binary", "multiclass": "multiclass", "regression": "regression"}[task]
    return DatasetInfo(name, task, n_samples, n_features, n_classes,
                       f"{_LIBSVM_URL}/{folder}/{filename}", filename)


DATASETS: dict[str, DatasetInfo] = {
    info.name: info for info in [
        # binary classification
        _entry("a1a", "binary", 1605, 123, 2),
        _entry("a5a", "binary", 6414, 123, 2),
        _entry("a9a", "binary", 32561, 123, 2),
        _entry("a9a.t", "binary", 16281, 123, 2),
        _entry("w6a", "binary", 12292, 300, 2),
        _entry("w8a", "binary", 49749, 300, 2),
        _entry("mushrooms", "binary", 8124, 112, 2),
        _entry("heart", "binary", 270, 13, 2, "heart_scale"),
        _entry("breast-cancer", "binary", 683, 10, 2),
        _entry("german.numer_scale", "binary", 1000, 24, 2),
        _entry("rcv1.binary", "binary", 20242, 47236, 2, "rcv1_train.binary.bz2"),
        _entry("news20.binary", "binary", 19996, 1355191, 2, "news20.binary.bz2"),
        _entry("real-sim", "binary", 72309, 20958, 2, "real-sim.bz2"),
        _entry("covtype.binary", "binary", 581012, 54, 2, "covtype.libsvm.binary.bz2"),
        _entry("ijcnn1", "binary", 49990, 22, 2, "ijcnn1.bz2"),
        _entry("leu", "binary", 38, 7129, 2, "leu.bz2"),
        # multiclass classification
        _entry("dna.scale", "multiclass", 2000, 180, 3),
        _entry("dna.scale.t", "multiclass", 1186, 180, 3),
        _entry("pendigits", "multiclass", 7494, 16, 10),
        # regression
        _entry("housing_scale", "regression", 506, 13, None),
        _entry("abalone_scale", "regression", 4177, 8, None),
    ]
}


def _check_task(task, allow_none=False):
    if task is None and allow_none:
        return None
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}{' or None' if allow_none else ''}, "
                         f"got {task!r}")
    return task


def list_datasets(task=None):
    """Return the sorted names of the registered data sets.

    Parameters
    ----------
    task : {"binary", "multiclass", "regression"}, optional
        Keep only the data sets of this task.

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        If ``task`` is not one of the known tasks.

    Examples
    --------
    >>> list_datasets("multiclass")
    ['dna.scale', 'dna.scale.t', 'pendigits']
    """
    _check_task(task, allow_none=True)
    return sorted(name for name, info in DATASETS.items() if task is None or info.task == task)


# --------------------------------------------------------------------------------------------
# Parser: numba kernel over the file's bytes
# --------------------------------------------------------------------------------------------
_OK = 0
_ERR_LABEL = 1
_ERR_LABEL_NONFINITE = 2
_ERR_COLON = 3
_ERR_QID = 4
_ERR_INDEX = 5
_ERR_INDEX_NONPOS = 6
_ERR_INDEX_RANGE = 7
_ERR_VALUE = 8
_ERR_VALUE_NONFINITE = 9
_ERR_ORDER = 10

# number parser status
_NUM_FAST = 0      # parsed exactly in the kernel
_NUM_SLOW = 1      # valid decimal literal, to be converted by Python's float()
_NUM_BAD = 2       # not a decimal literal
_NUM_NONFINITE = 3  # inf / nan literal

_POW10 = np.array([10.0 ** k for k in range(23)])  # exact doubles 1e0 .. 1e22
_MAX_INDEX = 10 ** 17  # larger indices are rejected (and cannot overflow int64)
_INFINITY = np.frombuffer(b"infinity", dtype=np.uint8).copy()


@numba.njit(cache=True, inline="always")
def _is_delim(c):
    # space, \t, \n, \v, \f, \r, '#'
    return c == 32 or (9 <= c <= 13) or c == 35


@numba.njit(cache=True, inline="always")
def _is_blank(c):
    # whitespace other than newline
    return c == 32 or c == 9 or c == 11 or c == 12 or c == 13


@numba.njit(cache=True)
def _parse_number(buf, s, e, pow10):
    """Parse buf[s:e] as a decimal float. Returns (status, value).

    Exact (correctly rounded) fast path when the significand has at most 18 digits, is at
    most 2**53, and the decimal exponent is within [-22, 22] (Clinger's fast path); other
    valid literals are reported as slow and converted by Python.
    """
    i = s
    if i >= e:
        return _NUM_BAD, 0.0
    neg = False
    c = buf[i]
    if c == 43 or c == 45:  # + -
        neg = c == 45
        i += 1
        if i >= e:
            return _NUM_BAD, 0.0
    c = buf[i]
    if (c | 32) == 105 or (c | 32) == 110:  # i / n: inf, infinity, nan (any case)?
        n = e - i
        if n == 3 and (c | 32) == 110:
            if (buf[i + 1] | 32) == 97 and (buf[i + 2] | 32) == 110:
                return _NUM_NONFINITE, 0.0
        elif n == 3 or n == 8:
            ok = True
            for j in range(n):
                if (buf[i + j] | 32) != _INFINITY[j]:
                    ok = False
                    break
            if ok:
                return _NUM_NONFINITE, 0.0
        return _NUM_BAD, 0.0
    mant = np.int64(0)
    nd = 0
    exp10 = 0
    slow = False
    ndigits = 0
    while i < e and 48 <= buf[i] <= 57:
        d = np.int64(buf[i] - 48)
        ndigits += 1
        if mant == 0 and d == 0:
            pass
        elif nd < 18:
            mant = mant * 10 + d
            nd += 1
        else:
            exp10 += 1
            if d != 0:
                slow = True
        i += 1
    if i < e and buf[i] == 46:  # '.'
        i += 1
        while i < e and 48 <= buf[i] <= 57:
            d = np.int64(buf[i] - 48)
            ndigits += 1
            if mant == 0 and d == 0:
                exp10 -= 1
            elif nd < 18:
                mant = mant * 10 + d
                nd += 1
                exp10 -= 1
            elif d != 0:
                slow = True
            i += 1
    if ndigits == 0:
        return _NUM_BAD, 0.0
    if i < e and (buf[i] == 101 or buf[i] == 69):  # e E
        i += 1
        eneg = False
        if i < e and (buf[i] == 43 or buf[i] == 45):
            eneg = buf[i] == 45
            i += 1
        nexp = 0
        ev = 0
        while i < e and 48 <= buf[i] <= 57:
            if ev < 100000:
                ev = ev * 10 + (buf[i] - 48)
            nexp += 1
            i += 1
        if nexp == 0:
            return _NUM_BAD, 0.0
        exp10 += -ev if eneg else ev
    if i != e:
        return _NUM_BAD, 0.0
    if mant == 0:
        return _NUM_FAST, -0.0 if neg else 0.0
    if slow or mant > 9007199254740992 or exp10 > 22 or exp10 < -22:
        return _NUM_SLOW, 0.0
    v = float(mant)
    if exp10 >= 0:
        v = v * pow10[exp10]
    else:
        v = v / pow10[-exp10]
    return _NUM_FAST, -v if neg else v


@numba.njit(cache=True)
def _push_slow(slow, nslow, start, end, target, line):
    """Append (start, end, target, line) to the flat int64 buffer ``slow``, growing it."""
    j = 4 * nslow
    if j + 4 > slow.shape[0]:
        grown = np.empty(2 * slow.shape[0], dtype=np.int64)
        for i in range(j):
            grown[i] = slow[i]
        slow = grown
    slow[j] = start
    slow[j + 1] = end
    slow[j + 2] = target
    slow[j + 3] = line
    return slow


@numba.njit(cache=True)
def _parse_libsvm(buf, max_rows, max_nnz, pow10):
    """Parse a LIBSVM buffer.

    Returns ``(labels, indptr, indices, data, n_rows, nnz, max_index, slow, nslow,
    err, err_line, err_start, err_colon, err_end)``. Slow tokens are records
    ``(start, end, target, line)``; target ``k >= 0`` is ``data[k]``, target
    ``-(r + 1)`` is ``labels[r]``, stored flat in ``slow[4 * i: 4 * i + 4]``.
    """
    n = buf.shape[0]
    labels = np.empty(max_rows, dtype=np.float64)
    indptr = np.zeros(max_rows + 1, dtype=np.int64)
    indices = np.empty(max_nnz, dtype=np.int64)
    data = np.empty(max_nnz, dtype=np.float64)
    slow = np.empty(64, dtype=np.int64)
    nslow = 0
    pos = 0
    line = 0
    row = 0
    k = 0
    max_index = 0
    while pos < n:
        line += 1
        while pos < n and _is_blank(buf[pos]):
            pos += 1
        if pos >= n:
            break
        c = buf[pos]
        if c == 10:
            pos += 1
            continue
        if c == 35:
            while pos < n and buf[pos] != 10:
                pos += 1
            pos += 1
            continue
        # label
        s = pos
        while pos < n and not _is_delim(buf[pos]):
            pos += 1
        st, v = _parse_number(buf, s, pos, pow10)
        if st == _NUM_BAD:
            return (labels, indptr, indices, data, row, k, max_index, slow, nslow,
                    _ERR_LABEL, line, s, -1, pos)
        if st == _NUM_NONFINITE:
            return (labels, indptr, indices, data, row, k, max_index, slow, nslow,
                    _ERR_LABEL_NONFINITE, line, s, -1, pos)
        if st == _NUM_SLOW:
            slow = _push_slow(slow, nslow, s, pos, -(row + 1), line)
            nslow += 1
        labels[row] = v
        last = 0
        # features
        while True:
            while pos < n and _is_blank(buf[pos]):
                pos += 1
            if pos >= n:
                break
            c = buf[pos]
            if c == 10:
                pos += 1
                break
            if c == 35:
                while pos < n and buf[pos] != 10:
                    pos += 1
                continue
            s = pos
            colon = -1
            while pos < n and not _is_delim(buf[pos]):
                if buf[pos] == 58 and colon < 0:
                    colon = pos
                pos += 1
            if colon < 0:
                return (labels, indptr, indices, data, row, k, max_index, slow, nslow,
                        _ERR_COLON, line, s, colon, pos)
            if (colon - s == 3 and (buf[s] | 32) == 113 and (buf[s + 1] | 32) == 105
                    and (buf[s + 2] | 32) == 100):  # qid
                return (labels, indptr, indices, data, row, k, max_index, slow, nslow,
                        _ERR_QID, line, s, colon, pos)
            # index: [+-]digits
            i = s
            ineg = False
            if i < colon and (buf[i] == 43 or buf[i] == 45):
                ineg = buf[i] == 45
                i += 1
            if i >= colon:
                return (labels, indptr, indices, data, row, k, max_index, slow, nslow,
                        _ERR_INDEX, line, s, colon, pos)
            idx = np.int64(0)
            big = False
            while i < colon:
                d = buf[i]
                if d < 48 or d > 57:
                    return (labels, indptr, indices, data, row, k, max_index, slow, nslow,
                            _ERR_INDEX, line, s, colon, pos)
                if idx > _MAX_INDEX:
                    big = True
                else:
                    idx = idx * 10 + (d - 48)
                i += 1
            if ineg or idx == 0:
                return (labels, indptr, indices, data, row, k, max_index, slow, nslow,
                        _ERR_INDEX_NONPOS, line, s, colon, pos)
            if big or idx > _MAX_INDEX:
                return (labels, indptr, indices, data, row, k, max_index, slow, nslow,
                        _ERR_INDEX_RANGE, line, s, colon, pos)
            if idx <= last:
                return (labels, indptr, indices, data, row, k, max_index, slow, nslow,
                        _ERR_ORDER, line, s, colon, pos)
            st, v = _parse_number(buf, colon + 1, pos, pow10)
            if st == _NUM_BAD:
                return (labels, indptr, indices, data, row, k, max_index, slow, nslow,
                        _ERR_VALUE, line, s, colon, pos)
            if st == _NUM_NONFINITE:
                return (labels, indptr, indices, data, row, k, max_index, slow, nslow,
                        _ERR_VALUE_NONFINITE, line, s, colon, pos)
            if st == _NUM_SLOW:
                slow = _push_slow(slow, nslow, colon + 1, pos, k, line)
                nslow += 1
            indices[k] = idx - 1
            data[k] = v
            k += 1
            last = idx
            if idx > max_index:
                max_index = idx
        row += 1
        indptr[row] = k
    return (labels, indptr, indices, data, row, k, max_index, slow, nslow,
            _OK, line, 0, -1, 0)


def _read_bytes(path):
    """Return the (decompressed) content of ``path`` as bytes."""
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        if raw[:3] == b"BZh":
            return bz2.decompress(raw)
        if raw[:2] == b"\x1f\x8b":
            return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"cannot decompress LIBSVM file '{path}': {exc}") from exc
    return raw


def _token(buf, start, end):
    return bytes(buf[start:end]).decode("utf-8", errors="replace")


def _format_error(path, buf, err, line, start, colon, end):
    where = f"invalid LIBSVM file '{path}', line {line}"
    tok = _token(buf, start, end)
    if err == _ERR_LABEL:
        why = f"non-numeric label {tok!r}"
    elif err == _ERR_LABEL_NONFINITE:
        why = f"non-finite label {tok!r}"
    elif err == _ERR_COLON:
        why = f"missing colon in feature {tok!r} (expected index:value)"
    elif err == _ERR_QID:
        why = f"qid tokens (ranking data) are not supported: {tok!r}"
    elif err == _ERR_INDEX:
        why = (f"non-integer feature index {_token(buf, start, colon)!r} in {tok!r}")
    elif err == _ERR_INDEX_NONPOS:
        why = (f"feature index must be >= 1 (indices are 1-based), got "
               f"{_token(buf, start, colon)!r} in {tok!r}")
    elif err == _ERR_INDEX_RANGE:
        why = f"feature index too large in {tok!r}"
    elif err == _ERR_VALUE:
        why = f"non-numeric value {_token(buf, colon + 1, end)!r} in {tok!r}"
    elif err == _ERR_VALUE_NONFINITE:
        why = f"non-finite value {_token(buf, colon + 1, end)!r} in {tok!r}"
    elif err == _ERR_ORDER:
        why = (f"feature indices must be strictly increasing within a line (no duplicates), "
               f"got {tok!r} after a larger or equal index")
    else:  # pragma: no cover - defensive
        why = f"parse error {err} at {tok!r}"
    return f"{where}: {why}"


def read_libsvm(path, n_features=None, dtype=np.float64):
    """Read a file in the LIBSVM / svmlight text format.

    Each non-blank line is ``label index:value index:value ...`` with 1-based, strictly
    increasing indices; ``#`` starts a comment that runs to the end of the line; blank and
    comment-only lines are skipped. Files compressed with bzip2 or gzip are recognized by
    their leading bytes and decompressed transparently. Values written explicitly as zero
    are kept as stored entries.

    Parameters
    ----------
    path : str or path-like
        The file.
    n_features : int, optional
        Number of columns of ``X``. Defaults to the largest index in the file; a larger
        value pads with zero columns (use it so that train and test splits agree).
    dtype : {numpy.float64, numpy.float32}, default numpy.float64
        Floating dtype of ``X``.

    Returns
    -------
    X : scipy.sparse.csr_matrix of shape (n_samples, n_features)
        The features, with sorted indices and no duplicates.
    y : numpy.ndarray of shape (n_samples,), float64
        The labels as written in the file (see :func:`normalize_labels`).

    Raises
    ------
    ValueError
        If the file is malformed: the message names the file, the 1-based line number and
        quotes the bad token (non-numeric or non-finite label or value, a token without a
        colon, an index that is not a positive integer, indices not strictly increasing,
        ``qid:`` tokens). Also if ``n_features`` is smaller than the largest index.
    FileNotFoundError
        If ``path`` does not exist.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "toy"
    >>> _ = p.write_text("+1 1:0.5 3:2\\n-1 2:1\\n")
    >>> X, y = read_libsvm(p)
    >>> X.toarray()
    array([[0.5, 0. , 2. ],
           [0. , 1. , 0. ]])
    >>> y
    array([ 1., -1.])
    """
    dtype = np.dtype(dtype)
    if dtype not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise TypeError(f"dtype must be float64 or float32, got {dtype}")
    if n_features is not None:
        if isinstance(n_features, bool) or not isinstance(n_features, numbers.Integral):
            raise TypeError(f"n_features must be an integer or None, got {n_features!r}")
        n_features = int(n_features)
        if n_features < 0:
            raise ValueError(f"n_features must be >= 0, got {n_features}")
    path = os.fspath(path)
    raw = _read_bytes(path)
    buf = np.frombuffer(raw, dtype=np.uint8)
    max_rows = int(np.count_nonzero(buf == 10)) + 1
    max_nnz = int(np.count_nonzero(buf == 58))
    (labels, indptr, indices, data, n_rows, nnz, max_index, slow, nslow,
     err, line, start, colon, end) = _parse_libsvm(buf, max_rows, max_nnz, _POW10)
    if err != _OK:
        raise ValueError(_format_error(path, buf, err, line, start, colon, end))
    for s, e, target, tline in slow[:4 * nslow].reshape(nslow, 4).tolist():
        tok = _token(buf, s, e)
        v = float(tok)
        if not np.isfinite(v):
            kind = "label" if target < 0 else "value"
            raise ValueError(f"invalid LIBSVM file '{path}', line {tline}: non-finite "
                             f"{kind} {tok!r} (overflows float64)")
        if target < 0:
            labels[-target - 1] = v
        else:
            data[target] = v
    if n_features is None:
        n_cols = int(max_index)
    elif n_features < max_index:
        raise ValueError(f"n_features={n_features} is smaller than the largest feature index "
                         f"{max_index} in LIBSVM file '{path}'; pass n_features >= {max_index} "
                         f"or None")
    else:
        n_cols = n_features
    idx_dtype = np.int32 if max(nnz, n_cols) < np.iinfo(np.int32).max else np.int64
    X = sp.csr_matrix(
        (data[:nnz].astype(dtype, copy=True), indices[:nnz].astype(idx_dtype),
         indptr[:n_rows + 1].astype(idx_dtype)),
        shape=(n_rows, n_cols), copy=False)
    X.has_sorted_indices = True
    y = np.array(labels[:n_rows], dtype=np.float64)
    return X, y


# --------------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------------
def _preview(values, k=10):
    vals = [f"{v:g}" for v in values[:k]]
    more = f", ... ({len(values)} in all)" if len(values) > k else ""
    return "[" + ", ".join(vals) + more + "]"


def normalize_labels(y, task):
    """Map raw labels to the convention of a task.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Numeric labels.
    task : {"binary", "multiclass", "regression"}
        ``"binary"``: exactly two distinct values, the smaller mapped to -1.0 and the larger
        to +1.0 (so 0/1, 1/2, 2/4 and -1/+1 all become -1/+1). ``"multiclass"``: the sorted
        distinct values mapped to 0..K-1 (int64). ``"regression"``: a float64 copy.

    Returns
    -------
    numpy.ndarray of shape (n_samples,)
        float64 for binary and regression, int64 for multiclass. ``y`` is not modified.

    Raises
    ------
    ValueError
        If ``y`` is not one-dimensional, not numeric or not finite, if ``task`` is unknown,
        or if ``task="binary"`` and ``y`` does not hold exactly two distinct values (the
        message lists the labels found).

    Examples
    --------
    >>> normalize_labels([2, 4, 4, 2], "binary")
    array([-1.,  1.,  1., -1.])
    >>> normalize_labels([3, 1, 2], "multiclass")
    array([2, 0, 1])
    """
    _check_task(task)
    try:
        y = np.array(y, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"labels y must be numeric: {exc}") from exc
    if y.ndim != 1:
        raise ValueError(f"labels y must be one-dimensional, got shape {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("labels y contain NaN or infinite values")
    if task == "regression":
        return y
    classes, inverse = np.unique(y, return_inverse=True)
    inverse = inverse.reshape(-1)
    if task == "binary":
        if classes.size != 2:
            raise ValueError(f"task='binary' needs exactly two distinct labels, found "
                             f"{classes.size}: {_preview(classes)}; use task='multiclass' "
                             f"or 'regression' for other data")
        return np.where(inverse == 1, 1.0, -1.0)
    return inverse.astype(np.int64)


def _infer_task(y):
    classes = np.unique(y)
    if classes.size == 2:
        return "binary"
    if (2 < classes.size <= _MAX_INFERRED_CLASSES and np.all(classes == np.round(classes))
            and classes[-1] - classes[0] == classes.size - 1):
        return "multiclass"
    return "regression"


# --------------------------------------------------------------------------------------------
# Loader
# --------------------------------------------------------------------------------------------
def _candidates(info, home):
    names = [info.filename, info.name, info.name + ".bz2"]
    seen = []
    for n in names:
        if n not in seen:
            seen.append(n)
    return [home / n for n in seen]


def _missing_message(info, home, candidates):
    looked = ", ".join(str(c) for c in candidates)
    return (f"LIBSVM data set {info.name!r} not found in data home '{home}' (looked for "
            f"{looked}). Download it from {info.url} into that folder, or point the "
            f"{_ENV_VAR} environment variable (or the data_home argument) at a folder that "
            f"holds it.")


def _download(info, home, candidates):
    target = home / info.filename
    part = target.with_name(target.name + ".part")
    try:
        home.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(info.url, timeout=_DOWNLOAD_TIMEOUT) as resp, \
                open(part, "wb") as fh:
            shutil.copyfileobj(resp, fh)
        os.replace(part, target)
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        try:
            part.unlink()
        except OSError:
            pass
        raise FileNotFoundError(_missing_message(info, home, candidates)
                                + f" Downloading from {info.url} failed: {exc}") from exc
    return target


def load_libsvm(name_or_path, n_features=None, data_home=None, *, task=None, download=True):
    """Load a LIBSVM data set by file path or registry name, with normalized labels.

    Parameters
    ----------
    name_or_path : str or path-like
        An existing file (read as is), or the name of a registered data set (see
        :func:`list_datasets`), looked for in :func:`get_data_home` under its registry file
        name, its plain name, and its name plus ``.bz2``.
    n_features : int, optional
        Number of columns. For registered data sets it defaults to the registry's value (so
        ``a9a`` and ``a9a.t`` both get 123 columns); for files, to the largest index.
    data_home : str or path-like, optional
        Where registered data sets live; see :func:`get_data_home`.
    task : {"binary", "multiclass", "regression"}, optional
        How labels are normalized (see :func:`normalize_labels`). Defaults to the registry's
        task for registered data sets; for files it is inferred: two distinct labels give
        ``"binary"``, a consecutive run of 3 to 100 integers gives ``"multiclass"``,
        anything else ``"regression"``. Pass it explicitly when the guess may be wrong (e.g.
        a test split in which a class is absent).
    download : bool, default True
        Download a registered data set from the LIBSVM site (into the data home, created if
        needed) when it is missing.

    Returns
    -------
    X : scipy.sparse.csr_matrix, float64
    y : numpy.ndarray
        Labels normalized for the task: -1/+1 (float64), 0..K-1 (int64) or raw (float64).

    Raises
    ------
    ValueError
        If the name is neither an existing file nor a registered data set, if the file is
        malformed (see :func:`read_libsvm`), or if the labels do not fit the task.
    FileNotFoundError
        If a registered data set is missing and ``download`` is False or the download fails;
        the message says where it looked, the URL, and that ``OPTSUITE_DATA`` or
        ``data_home`` point elsewhere.

    Examples
    --------
    >>> X, y = load_libsvm("a9a")  # doctest: +SKIP
    >>> X.shape, set(y)  # doctest: +SKIP
    ((32561, 123), {-1.0, 1.0})
    """
    _check_task(task, allow_none=True)
    if isinstance(name_or_path, (str, os.PathLike)):
        path = pathlib.Path(os.path.expanduser(os.fspath(name_or_path)))
    else:
        raise TypeError(f"name_or_path must be a str or path-like, got "
                        f"{type(name_or_path).__name__}")
    if path.is_file():
        X, y = read_libsvm(path, n_features)
        return X, normalize_labels(y, task if task is not None else _infer_task(y))
    name = os.fspath(name_or_path)
    info = DATASETS.get(name)
    if info is None:
        known = ", ".join(list_datasets()[:8])
        raise ValueError(f"unknown LIBSVM data set {name!r}: it is neither an existing file nor "
                         f"a registered name (known names include {known}, ...; see "
                         f"list_datasets())")
    home = get_data_home(data_home)
    candidates = _candidates(info, home)
    for candidate in candidates:
        if candidate.is_file():
            found = candidate
            break
    else:
        if not download:
            raise FileNotFoundError(_missing_message(info, home, candidates)
                                    + " (download=False)")
        found = _download(info, home, candidates)
    X, y = read_libsvm(found, info.n_features if n_features is None else n_features)
    return X, normalize_labels(y, info.task if task is None else task)


# --------------------------------------------------------------------------------------------
# Synthetic problems
# --------------------------------------------------------------------------------------------
def _check_int(value, name, low):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return int(value)


def _check_rho(rho):
    if isinstance(rho, bool) or not isinstance(rho, numbers.Real):
        raise TypeError(f"rho must be a real number, got {rho!r}")
    rho = float(rho)
    if not 0.0 <= rho < 1.0:
        raise ValueError(f"rho must satisfy 0 <= rho < 1, got {rho}")
    return rho


def make_correlated_design(n_samples=100, n_features=200, rho=0.5, random_state=None):
    """Gaussian design whose columns have Toeplitz correlation ``rho**|j - k|``.

    Each row is a stationary AR(1) sequence over the features: ``x_0 = z_0`` and
    ``x_j = rho * x_{j-1} + sqrt(1 - rho**2) * z_j`` with i.i.d. standard normal ``z``, so
    every entry has unit variance and ``Corr(X[:, j], X[:, k]) = rho**|j - k|``. The cost is
    O(n_samples * n_features); no covariance matrix is formed.

    Parameters
    ----------
    n_samples, n_features : int, default 100, 200
        Shape of the design (both >= 1).
    rho : float, default 0.5
        Correlation of adjacent columns, ``0 <= rho < 1``.
    random_state : int, numpy.random.Generator or None
        Seed or generator (passed to :func:`numpy.random.default_rng`).

    Returns
    -------
    X : numpy.ndarray of shape (n_samples, n_features), float64, C order

    Raises
    ------
    ValueError
        If a size is < 1 or ``rho`` is outside ``[0, 1)``.
    TypeError
        If a size is not an integer or ``rho`` not a real number.

    Examples
    --------
    >>> make_correlated_design(3, 4, rho=0.9, random_state=0).shape
    (3, 4)
    """
    n_samples = _check_int(n_samples, "n_samples", 1)
    n_features = _check_int(n_features, "n_features", 1)
    rho = _check_rho(rho)
    rng = np.random.default_rng(random_state)
    return _correlated_design(rng, n_samples, n_features, rho)


def _correlated_design(rng, n, p, rho):
    Z = rng.standard_normal((n, p))
    if rho == 0.0:
        return Z
    s = np.sqrt(1.0 - rho * rho)
    Z[:, 0] /= s  # so that the filter gives x_0 = z_0 (unit variance)
    X = scipy.signal.lfilter([s], [1.0, -rho], Z, axis=1)
    return np.ascontiguousarray(X)


def _sparse_problem(n_samples, n_features, n_informative, rho, snr, random_state):
    n_samples = _check_int(n_samples, "n_samples", 1)
    n_features = _check_int(n_features, "n_features", 1)
    n_informative = _check_int(n_informative, "n_informative", 1)
    if n_informative > n_features:
        raise ValueError(f"n_informative must be <= n_features={n_features}, "
                         f"got {n_informative}")
    rho = _check_rho(rho)
    if isinstance(snr, bool) or not isinstance(snr, numbers.Real):
        raise TypeError(f"snr must be a positive real number, got {snr!r}")
    snr = float(snr)
    if not snr > 0.0:  # also rejects NaN
        raise ValueError(f"snr must be > 0 (np.inf for no noise), got {snr}")
    rng = np.random.default_rng(random_state)
    X = _correlated_design(rng, n_samples, n_features, rho)
    w = np.zeros(n_features)
    support = rng.choice(n_features, size=n_informative, replace=False)
    w[support] = rng.choice(np.array([-1.0, 1.0]), size=n_informative)
    signal = X @ w
    noise = rng.standard_normal(n_samples)
    if np.isinf(snr):
        noise[:] = 0.0
    else:
        noise *= np.linalg.norm(signal) / (snr * np.linalg.norm(noise))
    return X, signal, noise, w


def make_sparse_regression(n_samples=100, n_features=200, n_informative=10, rho=0.5, snr=3.0,
                           random_state=None):
    """Sparse linear regression ``y = X w_true + noise``.

    ``X`` comes from :func:`make_correlated_design` (Toeplitz correlation ``rho**|j-k|``),
    ``w_true`` has ``n_informative`` entries equal to +-1, and the Gaussian noise is scaled
    so that ``||X w_true|| / ||noise|| = snr``.

    Parameters
    ----------
    n_samples : int, default 100
        Number of rows (>= 1).
    n_features : int, default 200
        Number of columns (>= 1).
    n_informative : int, default 10
        Number of nonzeros of ``w_true`` (1 <= n_informative <= n_features), at random
        positions with random signs and magnitude 1.
    rho : float, default 0.5
        Correlation of adjacent columns, ``0 <= rho < 1``
        (see :func:`make_correlated_design`).
    snr : float, default 3.0
        Signal-to-noise ratio ``||X w_true|| / ||noise||`` (> 0), attained exactly;
        ``np.inf`` gives no noise.
    random_state : int, numpy.random.Generator or None
        Seed or generator (passed to :func:`numpy.random.default_rng`).

    Returns
    -------
    X : numpy.ndarray of shape (n_samples, n_features)
    y : numpy.ndarray of shape (n_samples,)
    w_true : numpy.ndarray of shape (n_features,)

    Raises
    ------
    ValueError
        If a size is out of range, ``n_informative > n_features``, ``rho`` is outside
        ``[0, 1)`` or ``snr <= 0``; the message names the argument.
    TypeError
        If an argument has the wrong type.

    Examples
    --------
    >>> X, y, w = make_sparse_regression(50, 80, n_informative=5, random_state=0)
    >>> X.shape, y.shape, int((w != 0).sum())
    ((50, 80), (50,), 5)
    """
    X, signal, noise, w = _sparse_problem(n_samples, n_features, n_informative, rho, snr,
                                          random_state)
    return X, signal + noise, w


def make_sparse_classification(n_samples=100, n_features=200, n_informative=10, rho=0.5,
                               snr=3.0, random_state=None):
    """Sparse binary classification, ``y = sign(X w_true + noise)``.

    Same design, coefficients and noise as :func:`make_sparse_regression` (for the same
    arguments and seed the ``X`` and ``w_true`` are identical); labels are -1.0 / +1.0, with
    a zero margin mapped to +1.

    Parameters
    ----------
    n_samples : int, default 100
        Number of rows (>= 1).
    n_features : int, default 200
        Number of columns (>= 1).
    n_informative : int, default 10
        Number of nonzeros of ``w_true`` (1 <= n_informative <= n_features), at random
        positions with random signs and magnitude 1.
    rho : float, default 0.5
        Correlation of adjacent columns, ``0 <= rho < 1``
        (see :func:`make_correlated_design`).
    snr : float, default 3.0
        Signal-to-noise ratio ``||X w_true|| / ||noise||`` (> 0), attained exactly;
        ``np.inf`` gives no noise.
    random_state : int, numpy.random.Generator or None
        Seed or generator (passed to :func:`numpy.random.default_rng`).

    Returns
    -------
    X : numpy.ndarray of shape (n_samples, n_features)
    y : numpy.ndarray of shape (n_samples,), float64, values in {-1, +1}
    w_true : numpy.ndarray of shape (n_features,)

    Raises
    ------
    ValueError
        If a size is out of range, ``n_informative > n_features``, ``rho`` is outside
        ``[0, 1)`` or ``snr <= 0``; the message names the argument.
    TypeError
        If an argument has the wrong type.

    Examples
    --------
    >>> X, y, w = make_sparse_classification(50, 80, random_state=0)
    >>> sorted(set(y.tolist()))
    [-1.0, 1.0]
    """
    X, signal, noise, w = _sparse_problem(n_samples, n_features, n_informative, rho, snr,
                                          random_state)
    y = np.where(signal + noise >= 0.0, 1.0, -1.0)
    return X, y, w
