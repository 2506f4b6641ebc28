"""Sparse LDL^T factorization of quasi-definite KKT matrices for :func:`solvers.admm.admm_qp`.

The OSQP iteration solves, at every step, a linear system with the quasi-definite matrix
``K = [[P + sigma I, A^T], [A, -diag(1/rho)]]`` (Stellato et al. 2020, section 3.1). A
quasi-definite matrix is strongly factorizable: for *every* symmetric permutation ``Q`` the
factorization ``Q K Q^T = L D L^T`` with unit lower triangular ``L`` and diagonal ``D`` exists
without pivoting (R. J. Vanderbei, "Symmetric quasi-definite matrices", SIAM J. Optim. 5(1),
1995). So the ordering can be chosen for sparsity alone, once, and every change of ``rho`` is
a numeric refactorization with the same pattern.

Everything here is numba-compiled over plain CSC arrays (int64 indices):

* :func:`amd_order` -- a fill-reducing ordering by the approximate minimum degree method
  (P. R. Amestoy, T. A. Davis, I. S. Duff, "An approximate minimum degree ordering
  algorithm", SIAM J. Matrix Anal. Appl. 17(4), 1996): quotient graph of elements and
  variables, approximate external degrees, element absorption (also aggressive),
  supervariables found by hashing, mass elimination, dense rows ordered last, and a stop as
  soon as the remaining variables form a clique (any order of a clique fills the same). It is
  written from the paper; it returns a valid permutation or falls back to the identity.
* :class:`LDLFactor` -- symbolic analysis (elimination tree and column counts, J. W. H. Liu,
  "The role of elimination trees in sparse factorization", SIAM J. Matrix Anal. Appl. 11(1),
  1990) done once per pattern, then an up-looking numeric factorization that only needs new
  values, and forward/diagonal/backward solves. When the trailing columns of L are at least
  half full (the root front, which for random and other poorly separable patterns holds most
  of the fill and nearly all the flops) that block is handled densely: its Schur complement
  is formed by the sparse sweep and factored by block Cholesky (definite and negative
  definite parts, LAPACK above a small size), and solves sweep it with contiguous loops.
  This is the supernodal idea restricted to the one front where it pays most.
"""
from __future__ import annotations

import math

import numba
import numpy as np

from ..backend.threads import single_thread_blas

_JIT = dict(cache=True)

_VAR, _ELEM, _DEAD, _DENSE = 0, 1, 2, 3


# --------------------------------------------------------------------------------------------
# patterns
# --------------------------------------------------------------------------------------------
@numba.njit(**_JIT)
def _symmetric_adjacency(n, Up, Ui):
    """Adjacency lists (both triangles, diagonal dropped) of the symmetric matrix whose upper
    triangle is the CSC pattern ``(Up, Ui)``."""
    cnt = np.zeros(n + 1, np.int64)
    for j in range(n):
        for p in range(Up[j], Up[j + 1]):
            i = Ui[p]
            if i != j:
                cnt[i + 1] += 1
                cnt[j + 1] += 1
    for j in range(n):
        cnt[j + 1] += cnt[j]
    Sp = cnt.copy()
    Si = np.empty(cnt[n], np.int64)
    pos = cnt[:n].copy()
    for j in range(n):
        for p in range(Up[j], Up[j + 1]):
            i = Ui[p]
            if i != j:
                Si[pos[i]] = j
                pos[i] += 1
                Si[pos[j]] = i
                pos[j] += 1
    return Sp, Si


@numba.njit(**_JIT)
def _permute_upper(n, Up, Ui, pinv):
    """Upper triangle of ``Q K Q^T`` from the upper triangle of ``K`` (pattern only).

    Returns ``(Cp, Ci, where)``: ``where[p]`` is the position in ``Ci`` of entry ``p`` of
    ``Ui``, so the values follow with ``Cx[where] = Ux``.
    """
    cnt = np.zeros(n + 1, np.int64)
    for j in range(n):
        for p in range(Up[j], Up[j + 1]):
            a = pinv[Ui[p]]
            b = pinv[j]
            c = a if a > b else b
            cnt[c + 1] += 1
    for j in range(n):
        cnt[j + 1] += cnt[j]
    pos = cnt[:n].copy()
    Ci = np.empty(cnt[n], np.int64)
    where = np.empty(Up[n], np.int64)
    for j in range(n):
        for p in range(Up[j], Up[j + 1]):
            a = pinv[Ui[p]]
            b = pinv[j]
            if a > b:
                c, r = a, b
            else:
                c, r = b, a
            Ci[pos[c]] = r
            where[p] = pos[c]
            pos[c] += 1
    return cnt, Ci, where


# --------------------------------------------------------------------------------------------
# approximate minimum degree ordering
# --------------------------------------------------------------------------------------------
@numba.njit(**_JIT)
def _dl_insert(i, d, head, nxt, prv):
    h = head[d]
    nxt[i] = h
    prv[i] = -1
    if h != -1:
        prv[h] = i
    head[d] = i


@numba.njit(**_JIT)
def _dl_remove(i, d, head, nxt, prv):
    a = prv[i]
    b = nxt[i]
    if a != -1:
        nxt[a] = b
    else:
        head[d] = b
    if b != -1:
        prv[b] = a


@numba.njit(**_JIT)
def _compact(iw, pe, ln, kind, n):
    """Garbage collection: move the lists of live variables and elements to the front."""
    live = np.empty(n, np.int64)
    nl = 0
    for i in range(n):
        if kind[i] == _VAR or kind[i] == _ELEM:
            live[nl] = i
            nl += 1
    live = live[:nl]
    starts = np.empty(nl, np.int64)
    for t in range(nl):
        starts[t] = pe[live[t]]
    idx = np.argsort(starts)
    dst = 0
    for t in range(nl):
        i = live[idx[t]]
        src = pe[i]
        L = ln[i]
        for s in range(L):
            iw[dst + s] = iw[src + s]
        pe[i] = dst
        dst += L
    return dst


@numba.njit(**_JIT)
def _amd(n, Sp, Si, dense_alpha):
    """Approximate minimum degree ordering of the symmetric pattern ``(Sp, Si)`` (adjacency
    lists without the diagonal). Returns ``(order, ok)``; ``order[k]`` is the node eliminated
    k-th."""
    nnz = Sp[n]
    iwlen = 2 * nnz + 4 * n + 16
    iw = np.empty(iwlen, np.int64)
    pe = np.empty(n, np.int64)
    ln = np.empty(n, np.int64)
    elen = np.zeros(n, np.int64)
    nv = np.ones(n, np.int64)
    kind = np.zeros(n, np.int8)
    degree = np.empty(n, np.int64)
    head = np.full(n + 1, -1, np.int64)
    nxt = np.full(n, -1, np.int64)
    prv = np.full(n, -1, np.int64)
    w = np.zeros(n, np.int64)
    wstamp = np.full(n, -1, np.int64)
    mark = np.full(n, -1, np.int64)
    chain_next = np.full(n, -1, np.int64)
    chain_tail = np.arange(n)
    tmp = np.empty(n + 1, np.int64)
    hsh = np.empty(n, np.int64)
    hval = np.empty(n, np.int64)
    bhead = np.full(n, -1, np.int64)
    bnext = np.full(n, -1, np.int64)
    btouched = np.empty(n, np.int64)
    order = np.empty(n, np.int64)
    nord = 0

    dense = max(16.0, dense_alpha * math.sqrt(n))
    ndense = 0
    for i in range(n):
        if Sp[i + 1] - Sp[i] > dense:
            kind[i] = _DENSE
            ndense += 1
    pfree = 0
    for i in range(n):
        pe[i] = pfree
        if kind[i] == _DENSE:
            ln[i] = 0
            continue
        c = 0
        for p in range(Sp[i], Sp[i + 1]):
            j = Si[p]
            if kind[j] != _DENSE:
                iw[pfree + c] = j
                c += 1
        ln[i] = c
        pfree += c
    mindeg = n
    for i in range(n):
        if kind[i] == _VAR:
            degree[i] = ln[i]
            _dl_insert(i, ln[i], head, nxt, prv)
            if ln[i] < mindeg:
                mindeg = ln[i]
    nactive = n - ndense
    k = 0
    step = 0
    stamp = 0
    while k < nactive:
        step += 1
        while mindeg < n and head[mindeg] == -1:
            mindeg += 1
        if mindeg >= n:
            return order, False
        p = head[mindeg]
        _dl_remove(p, degree[p], head, nxt, prv)
        npiv = nv[p]
        nv[p] = -npiv
        # ---- construct the new element Lp in fresh space ----
        sz = ln[p] - elen[p]
        for t in range(elen[p]):
            e = iw[pe[p] + t]
            if kind[e] == _ELEM:
                sz += ln[e]
        if pfree + sz > iwlen:
            pfree = _compact(iw, pe, ln, kind, n)
            if pfree + sz > iwlen:
                newlen = 2 * iwlen + sz
                iw2 = np.empty(newlen, np.int64)
                iw2[:pfree] = iw[:pfree]
                iw = iw2
                iwlen = newlen
        start = pfree
        cnt = 0
        degme = 0
        for t in range(elen[p]):
            e = iw[pe[p] + t]
            if kind[e] != _ELEM:
                continue
            for s in range(pe[e], pe[e] + ln[e]):
                i = iw[s]
                if kind[i] == _VAR and nv[i] > 0:
                    degme += nv[i]
                    nv[i] = -nv[i]
                    iw[start + cnt] = i
                    cnt += 1
                    _dl_remove(i, degree[i], head, nxt, prv)
            kind[e] = _DEAD
        for s in range(pe[p] + elen[p], pe[p] + ln[p]):
            i = iw[s]
            if kind[i] == _VAR and nv[i] > 0:
                degme += nv[i]
                nv[i] = -nv[i]
                iw[start + cnt] = i
                cnt += 1
                _dl_remove(i, degree[i], head, nxt, prv)
        pfree += cnt
        pe[p] = start
        ln[p] = cnt
        elen[p] = 0
        kind[p] = _ELEM
        # emit the pivot (with its supervariable members)
        j = p
        while j != -1:
            order[nord] = j
            nord += 1
            j = chain_next[j]
        if degme == nactive - k - npiv:
            # Lp holds every remaining variable: they form a clique, any order of them gives
            # the same (dense) fill, so emit them all and stop
            for t in range(start, start + cnt):
                j = iw[t]
                while j != -1:
                    order[nord] = j
                    nord += 1
                    j = chain_next[j]
            k = nactive
            break
        # ---- |Le \ Lp| for the elements next to Lp ----
        for t in range(start, start + cnt):
            i = iw[t]
            nvi = -nv[i]
            for s in range(pe[i], pe[i] + elen[i]):
                e = iw[s]
                if kind[e] != _ELEM:
                    continue
                if wstamp[e] == step:
                    w[e] -= nvi
                else:
                    wstamp[e] = step
                    w[e] = degree[e] - nvi
        # ---- prune the lists of Lp, approximate degrees, mass elimination ----
        nh = 0
        for t in range(start, start + cnt):
            i = iw[t]
            nvi = -nv[i]
            ps = pe[i]
            le = elen[i]
            L = ln[i]
            c = 0
            tmp[c] = p
            c += 1
            deg = 0
            h = p
            for s in range(ps, ps + le):
                e = iw[s]
                if kind[e] == _ELEM:
                    we = w[e]
                    if we > 0:
                        deg += we
                        tmp[c] = e
                        c += 1
                        h += e
                    else:  # aggressive absorption: Le is inside Lp
                        kind[e] = _DEAD
            ne = c
            for s in range(ps + le, ps + L):
                j = iw[s]
                if kind[j] == _VAR and nv[j] > 0:
                    deg += nv[j]
                    tmp[c] = j
                    c += 1
                    h += j
            if c == 1:
                # mass elimination: i is adjacent to Lp through p only
                kind[i] = _DEAD
                nv[i] = 0
                npiv += nvi
                degme -= nvi
                j = i
                while j != -1:
                    order[nord] = j
                    nord += 1
                    j = chain_next[j]
                continue
            if c > L:
                if pfree + c > iwlen:
                    return order, False
                ps = pfree
                pe[i] = ps
                pfree += c
            for s in range(c):
                iw[ps + s] = tmp[s]
            elen[i] = ne
            ln[i] = c
            d = degree[i]
            if deg < d:
                d = deg
            degree[i] = d  # min(old degree, |A_i \ Lp| + sum |Le \ Lp|); |Lp \ i| added below
            hsh[nh] = i
            hval[nh] = h + 7 * c + ne
            nh += 1
        # ---- supervariables: indistinguishable variables of Lp (same hash, same lists) ----
        if nh > 1:
            nb = 0
            for t in range(nh):
                i = hsh[t]
                b = hval[t] % n
                if bhead[b] == -1:
                    btouched[nb] = b
                    nb += 1
                bnext[i] = bhead[b]
                bhead[b] = i
            for tb in range(nb):
                b = btouched[tb]
                i = bhead[b]
                while i != -1:
                    if nv[i] != 0 and bnext[i] != -1:
                        stamp += 1
                        for s in range(pe[i], pe[i] + ln[i]):
                            mark[iw[s]] = stamp
                        j = bnext[i]
                        while j != -1:
                            if (nv[j] != 0 and ln[j] == ln[i] and elen[j] == elen[i]):
                                same = True
                                for s in range(pe[j], pe[j] + ln[j]):
                                    if mark[iw[s]] != stamp:
                                        same = False
                                        break
                                if same:
                                    nv[i] += nv[j]  # both negative while in Lp
                                    nv[j] = 0
                                    kind[j] = _DEAD
                                    chain_next[chain_tail[i]] = j
                                    chain_tail[i] = chain_tail[j]
                            j = bnext[j]
                    i = bnext[i]
                bhead[b] = -1
        # ---- final degrees, back into the degree lists; compact Lp ----
        k += npiv
        nleft = nactive - k
        c2 = 0
        for t in range(start, start + cnt):
            i = iw[t]
            if kind[i] == _VAR and nv[i] < 0:
                nv[i] = -nv[i]
                nvi = nv[i]
                d = degree[i] + degme - nvi
                if d > nleft - nvi:
                    d = nleft - nvi
                if d < 0:
                    d = 0
                degree[i] = d
                _dl_insert(i, d, head, nxt, prv)
                if d < mindeg:
                    mindeg = d
                iw[start + c2] = i
                c2 += 1
        ln[p] = c2
        degree[p] = degme
        nv[p] = npiv
        if c2 == 0:
            kind[p] = _DEAD
    for i in range(n):
        if kind[i] == _DENSE:
            order[nord] = i
            nord += 1
    return order, nord == n


def amd_order(n, Up, Ui, dense_alpha=10.0):
    """Fill-reducing ordering of the symmetric matrix whose upper triangle has the CSC
    pattern ``(Up, Ui)`` (approximate minimum degree; rows with more than
    ``max(16, dense_alpha sqrt(n))`` entries are ordered last).

    Returns ``perm`` with ``perm[k]`` the original index of the k-th pivot. Falls back to the
    identity if the ordering is not a permutation (never expected).
    """
    Sp, Si = _symmetric_adjacency(n, Up, Ui)
    order, ok = _amd(n, Sp, Si, float(dense_alpha))
    if ok:
        chk = np.zeros(n, np.int64)
        np.add.at(chk, order, 1)
        ok = bool((chk == 1).all())
    if not ok:  # pragma: no cover - defensive
        return np.arange(n, dtype=np.int64)
    return order


# --------------------------------------------------------------------------------------------
# LDL^T
# --------------------------------------------------------------------------------------------
@numba.njit(**_JIT)
def _etree_counts(n, Cp, Ci):
    """Elimination tree and column counts of L for the upper-triangular CSC pattern."""
    parent = np.full(n, -1, np.int64)
    flag = np.full(n, -1, np.int64)
    lnz = np.zeros(n, np.int64)
    for k in range(n):
        flag[k] = k
        for p in range(Cp[k], Cp[k + 1]):
            i = Ci[p]
            if i < k:
                while flag[i] != k:
                    if parent[i] == -1:
                        parent[i] = k
                    lnz[i] += 1
                    flag[i] = k
                    i = parent[i]
    Lp = np.zeros(n + 1, np.int64)
    for k in range(n):
        Lp[k + 1] = Lp[k] + lnz[k]
    return parent, Lp


@numba.njit(**_JIT)
def _ldl_numeric(n, t, Cp, Ci, Cx, parent, Lp, Li, Lx, D, Dinv, y, pattern, flag, lnz, S):
    """Up-looking LDL^T of the leading ``t`` pivots: row k of L from a sparse triangular
    solve along the elimination tree. Rows ``k >= t`` give the entries of L in columns
    ``< t`` and the dense Schur complement ``S`` (upper triangle, row-major) of the trailing
    block. Returns the number of positive pivots among the first ``t``, or -1 at a zero or
    non-finite pivot."""
    npos = 0
    for k in range(n):
        y[k] = 0.0
        top = n
        flag[k] = k
        if k < t:
            lnz[k] = 0
        for p in range(Cp[k], Cp[k + 1]):
            i = Ci[p]
            y[i] += Cx[p]
            if i >= t:
                continue
            ln_ = 0
            while i < t and flag[i] != k:
                pattern[ln_] = i
                ln_ += 1
                flag[i] = k
                i = parent[i]
            while ln_ > 0:
                top -= 1
                ln_ -= 1
                pattern[top] = pattern[ln_]
        dk = y[k]
        y[k] = 0.0
        for q in range(top, n):
            i = pattern[q]
            yi = y[i]
            y[i] = 0.0
            p0 = Lp[i]
            p1 = p0 + lnz[i]
            for p in range(p0, p1):
                y[Li[p]] -= Lx[p] * yi
            lki = yi * Dinv[i]
            dk -= lki * yi
            Li[p1] = k
            Lx[p1] = lki
            lnz[i] += 1
        if k < t:
            if dk == 0.0 or not np.isfinite(dk):
                return -1
            D[k] = dk
            Dinv[k] = 1.0 / dk
            if dk > 0.0:
                npos += 1
        else:
            kk = k - t
            S[kk, kk] = dk
            for r in range(t, k):
                v = y[r]
                S[r - t, kk] = v
                S[kk, r - t] = v
                y[r] = 0.0
    return npos


@numba.njit(fastmath=True, **_JIT)
def dense_solve(Lx_, Lxdinv, W, Lz, Lzdinv, ix, iz, v, bx, bz):
    """Overwrite ``v`` with ``S^{-1} v`` from the block factors of :func:`_dense_factor`:
    ``S = R^T J R`` with ``R = [[Lx^T, W], [0, Lz^T]]`` (``Lx``, ``Lz`` lower triangular,
    row-major) and ``J = diag(I, -I)`` in the order ``(ix, iz)``."""
    sx = ix.shape[0]
    sz = iz.shape[0]
    for a in range(sx):
        bx[a] = v[ix[a]]
    for a in range(sz):
        bz[a] = v[iz[a]]
    # R^T w = b
    for i in range(sx):
        s = bx[i]
        for j in range(i):
            s -= Lx_[i, j] * bx[j]
        s *= Lxdinv[i]
        bx[i] = s
        for j in range(sz):
            bz[j] -= W[i, j] * s
    for i in range(sz):
        s = bz[i]
        for j in range(i):
            s -= Lz[i, j] * bz[j]
        bz[i] = s * Lzdinv[i]
    # R v = J w
    for i in range(sz):
        bz[i] = -bz[i]
    for i in range(sz - 1, -1, -1):
        vi = bz[i] * Lzdinv[i]
        bz[i] = vi
        for j in range(i):
            bz[j] -= Lz[i, j] * vi
    for i in range(sx):
        s = bx[i]
        for j in range(sz):
            s -= W[i, j] * bz[j]
        bx[i] = s
    for i in range(sx - 1, -1, -1):
        vi = bx[i] * Lxdinv[i]
        bx[i] = vi
        for j in range(i):
            bx[j] -= Lx_[i, j] * vi
    for a in range(sx):
        v[ix[a]] = bx[a]
    for a in range(sz):
        v[iz[a]] = bz[a]


@numba.njit(**_JIT)
def ldl_solve_permuted(n, t, Lp, Li, Lx, Dinv, Dx, Dxdinv, W, Dz, Dzdinv, ix, iz, x, bx, bz):
    """Overwrite ``x`` (already permuted) with ``K^{-1} x`` from the factors."""
    for j in range(t):
        xj = x[j]
        if xj != 0.0:
            for p in range(Lp[j], Lp[j + 1]):
                x[Li[p]] -= Lx[p] * xj
    for j in range(t):
        x[j] *= Dinv[j]
    if t < n:
        dense_solve(Dx, Dxdinv, W, Dz, Dzdinv, ix, iz, x[t:], bx, bz)
    for j in range(t - 1, -1, -1):
        s = x[j]
        for p in range(Lp[j], Lp[j + 1]):
            s -= Lx[p] * x[Li[p]]
        x[j] = s


@numba.njit(**_JIT)
def _dense_start(n, Lp, min_dense, density):
    """Start ``t`` of the trailing block whose columns of L are all at least ``density``
    full (a dense root front); ``n`` when that block is smaller than ``min_dense``."""
    t = n
    for j in range(n - 1, -1, -1):
        below = n - 1 - j
        if below > 0 and (Lp[j + 1] - Lp[j]) < density * below:
            break
        t = j
    if n - t < min_dense:
        return n
    return t


@numba.njit(**_JIT)
def _gather_blocks(S, ix, iz):
    """``S_xx`` (Fortran order), ``S_xz`` (Fortran order) and ``S_zz`` of ``S``."""
    sx = ix.shape[0]
    sz = iz.shape[0]
    Sxx = np.empty((sx, sx)).T
    Sxz = np.empty((sz, sx)).T
    Szz = np.empty((sz, sz))
    for a in range(sx):
        ra = ix[a]
        for b in range(sx):
            Sxx[b, a] = S[ix[b], ra]
        for b in range(sz):
            Sxz[a, b] = S[ra, iz[b]]
    for a in range(sz):
        for b in range(sz):
            Szz[a, b] = S[iz[a], iz[b]]
    return Sxx, Sxz, Szz


@numba.njit(fastmath=True, **_JIT)
def _chol_rowmajor(A, L):
    """Lower Cholesky factor (row-major) of the symmetric positive definite ``A`` into
    ``L``; False when ``A`` is not positive definite."""
    s = A.shape[0]
    for i in range(s):
        for j in range(i + 1):
            acc = A[i, j]
            for k in range(j):
                acc -= L[i, k] * L[j, k]
            if i == j:
                if not acc > 0.0 or not np.isfinite(acc):
                    return False
                L[i, i] = np.sqrt(acc)
            else:
                L[i, j] = acc / L[j, j]
    return True


@numba.njit(fastmath=True, **_JIT)
def _dense_factor_small(S, ix, iz):
    """:func:`_dense_factor` in compiled loops, for small blocks (no LAPACK call overhead)."""
    sx = ix.shape[0]
    sz = iz.shape[0]
    A = np.empty((sx, sx))
    for a in range(sx):
        for b in range(sx):
            A[a, b] = S[ix[a], ix[b]]
    Lx = np.zeros((sx, sx))
    W = np.zeros((sx, sz))
    Lz = np.zeros((sz, sz))
    if not _chol_rowmajor(A, Lx):
        return Lx, W, Lz, False
    for i in range(sx):
        for c in range(sz):
            W[i, c] = S[ix[i], iz[c]]
        for k in range(i):
            lik = Lx[i, k]
            if lik != 0.0:
                for c in range(sz):
                    W[i, c] -= lik * W[k, c]
        d = 1.0 / Lx[i, i]
        for c in range(sz):
            W[i, c] *= d
    T = np.empty((sz, sz))
    for a in range(sz):
        for b in range(sz):
            T[a, b] = -S[iz[a], iz[b]]
    for i in range(sx):
        for a in range(sz):
            wa = W[i, a]
            if wa != 0.0:
                for b in range(sz):
                    T[a, b] += wa * W[i, b]
    if not _chol_rowmajor(T, Lz):
        return Lx, W, Lz, False
    return Lx, W, Lz, True


def _dense_factor(S, ix, iz):
    """Block Cholesky factors of the symmetric quasi-definite ``S`` whose rows ``ix`` span
    its positive definite block and ``iz`` its negative definite one:
    ``S_xx = Lx Lx^T``, ``W = Lx^-1 S_xz``, ``W^T W - S_zz = Lz Lz^T`` (positive definite
    because the Schur complement ``S_zz - S_zx S_xx^-1 S_xz`` of a quasi-definite matrix is
    negative definite). ``Lx``, ``Lz`` are returned lower triangular in row-major order.
    Returns ``(Lx, W, Lz, ok)``; ``ok`` is False when a block is not definite (wrong
    inertia)."""
    from scipy.linalg import lapack

    sx, sz = ix.size, iz.size
    Sxx, Sxz, Szz = _gather_blocks(S, ix, iz)
    Lx = np.zeros((sx, sx))
    W = np.zeros((sx, sz))
    Lz = np.zeros((sz, sz))
    if sx:
        # Fortran-ordered upper factor U = its transpose read row-major: Lx = U^T
        U, info = lapack.dpotrf(Sxx, lower=0, clean=1, overwrite_a=1)
        if info != 0:
            return Lx, W, Lz, False
        Lx = U.T
        if sz:
            Wf, info = lapack.dtrtrs(U, Sxz, lower=0, trans=1, overwrite_b=1)
            if info != 0:
                return Lx, W, Lz, False
            W = np.ascontiguousarray(Wf)
    if sz:
        T = W.T @ W
        T -= Szz
        U, info = lapack.dpotrf(np.asfortranarray(T), lower=0, clean=1, overwrite_a=1)
        if info != 0:
            return Lx, W, Lz, False
        Lz = U.T
    return (np.ascontiguousarray(Lx), np.ascontiguousarray(W), np.ascontiguousarray(Lz),
            True)


class LDLFactor:
    """``L D L^T`` factorization of a symmetric quasi-definite matrix given by its upper
    triangle in CSC form, with a fill-reducing ordering computed once.

    The leading pivots are factored by the sparse up-looking method; when the ordering ends
    in a block whose columns of ``L`` are at least half full (the root front of random and
    other poorly separable patterns, which holds most of the fill and of the flops), that
    block's Schur complement is formed densely and factored by a block Cholesky
    factorization of its positive and negative definite parts (LAPACK), and solves with it
    run as dense triangular sweeps.

    Parameters
    ----------
    n : int
        Order of the matrix.
    Up, Ui : int64 arrays
        CSC pattern of the upper triangle (diagonal included, every diagonal entry present).
    positive : bool array
        Which rows belong to the positive definite block (the others to the negative
        definite one); the expected inertia.
    perm : int64 array, optional
        Ordering; approximate minimum degree when None.
    dense : bool, default True
        Allow the dense trailing block.

    Notes
    -----
    :meth:`factor` takes the values aligned with ``Ui`` and can be called again with new
    values of the same pattern (numeric refactorization only).
    """

    MIN_DENSE = 48
    DENSITY = 0.5
    SMALL_DENSE = 160

    def __init__(self, n, Up, Ui, positive, perm=None, dense=True):
        self.n = n
        if perm is None:
            perm = amd_order(n, Up, Ui)
        self.perm = np.ascontiguousarray(perm, dtype=np.int64)
        pinv = np.empty(n, np.int64)
        pinv[self.perm] = np.arange(n, dtype=np.int64)
        self.Cp, self.Ci, self.where = _permute_upper(n, Up, Ui, pinv)
        self.Cx = np.empty(self.Ci.shape[0])
        self.parent, Lp = _etree_counts(n, self.Cp, self.Ci)
        self.t = int(_dense_start(n, Lp, self.MIN_DENSE, self.DENSITY)) if dense else n
        self.Lp = Lp
        nnz = int(Lp[self.t])
        self.Li = np.empty(nnz, np.int64)
        self.Lx = np.empty(nnz)
        self.D = np.empty(n)
        self.Dinv = np.empty(n)
        s = n - self.t
        self._S = np.zeros((s, s))
        self._pos_tail = np.asarray(positive, dtype=bool)[self.perm[self.t:]]
        self._n_pos_tail = int(self._pos_tail.sum())
        sx = self._n_pos_tail
        self.dense = (np.zeros((sx, sx)), np.ones(sx), np.zeros((sx, s - sx)),
                      np.zeros((s - sx, s - sx)), np.ones(s - sx),
                      np.flatnonzero(self._pos_tail).astype(np.int64),
                      np.flatnonzero(~self._pos_tail).astype(np.int64))
        self._bx = np.empty(sx)
        self._bz = np.empty(s - sx)
        self._y = np.zeros(n)
        self._pattern = np.empty(n, np.int64)
        self._flag = np.empty(n, np.int64)
        self._lnz = np.empty(n, np.int64)
        self._work = np.empty(n)
        self.n_positive = -1
        self.Li32 = None

    @property
    def nnz(self):
        """Stored entries of ``L`` below the diagonal (sparse part plus the dense block's
        triangle)."""
        s = self.n - self.t
        return int(self.Lp[self.t]) + s * (s - 1) // 2

    def factor(self, Ux):
        """Numeric factorization with the values ``Ux`` of the upper triangle. Returns the
        number of positive pivots, or -1 on a zero or non-finite pivot, or -2 when the
        trailing block does not have the expected inertia."""
        self.Cx[self.where] = Ux
        first = self.Li32 is None  # no successful factorization yet (failures leave -1 or -2)
        npos = _ldl_numeric(self.n, self.t, self.Cp, self.Ci, self.Cx, self.parent, self.Lp,
                            self.Li, self.Lx, self.D, self.Dinv, self._y, self._pattern,
                            self._flag, self._lnz, self._S)
        if npos >= 0 and self.t < self.n:
            ix, iz = self.dense[5], self.dense[6]
            if self.n - self.t <= self.SMALL_DENSE:
                Lx, W, Lz, ok = _dense_factor_small(self._S, ix, iz)
            else:
                with single_thread_blas():
                    Lx, W, Lz, ok = _dense_factor(self._S, ix, iz)
            if ok:
                self.dense = (Lx, 1.0 / np.diagonal(Lx), W, Lz, 1.0 / np.diagonal(Lz), ix, iz)
            npos = npos + self._n_pos_tail if ok else -2
        if first and npos >= 0:
            # the pattern of L is fixed: unsigned 32-bit row indices for the solves (no
            # negative-index handling in the compiled loops, less memory traffic)
            self.Li32 = self.Li.astype(np.uint32)
        self.n_positive = npos
        return npos

    def solve(self, b, out=None):
        """Return ``K^{-1} b`` (``b`` float64, length n)."""
        if out is None:
            out = np.empty(self.n)
        w = self._work
        w[:] = np.asarray(b, dtype=np.float64)[self.perm]
        ldl_solve_permuted(self.n, self.t, self.Lp, self.Li32, self.Lx, self.Dinv, *self.dense,
                           w, self._bx, self._bz)
        out[self.perm] = w
        return out


# --------------------------------------------------------------------------------------------
# KKT assembly and products with the problem data
# --------------------------------------------------------------------------------------------
@numba.njit(**_JIT)
def csc_transpose(nrow, ncol, Ap, Ai, Ax):
    """CSR arrays ``(Rp, Rj, Rx)`` of the CSC matrix ``(Ap, Ai, Ax)`` (``nrow x ncol``)."""
    cnt = np.zeros(nrow + 1, np.int64)
    for p in range(Ap[ncol]):
        cnt[Ai[p] + 1] += 1
    for i in range(nrow):
        cnt[i + 1] += cnt[i]
    pos = cnt[:nrow].copy()
    Rj = np.empty(Ap[ncol], np.int64)
    Rx = np.empty(Ap[ncol])
    for j in range(ncol):
        for p in range(Ap[j], Ap[j + 1]):
            i = Ai[p]
            Rj[pos[i]] = j
            Rx[pos[i]] = Ax[p]
            pos[i] += 1
    return cnt, Rj, Rx


@numba.njit(**_JIT)
def build_kkt(n, Pp, Pi, Px, sigma, rows, Rp, Rj, Rx, neg_diag):
    """Upper triangle (CSC) of ``[[P + sigma I, A_r^T], [A_r, -diag(neg_diag)]]`` where
    ``A_r`` holds the rows ``rows`` of A (CSR arrays ``Rp, Rj, Rx``) and P is given by its
    upper triangle. Returns ``(Kp, Ki, Kx, dpos)``; ``dpos[i]`` is the position of the
    ``-neg_diag[i]`` entry (so a new ``rho`` only rewrites ``Kx[dpos]``)."""
    mr = rows.shape[0]
    N = n + mr
    Kp = np.zeros(N + 1, np.int64)
    for j in range(n):
        c = 0
        for p in range(Pp[j], Pp[j + 1]):
            if Pi[p] < j:
                c += 1
        Kp[j + 1] = c + 1
    for r in range(mr):
        i = rows[r]
        Kp[n + r + 1] = Rp[i + 1] - Rp[i] + 1
    for k in range(N):
        Kp[k + 1] += Kp[k]
    Ki = np.empty(Kp[N], np.int64)
    Kx = np.empty(Kp[N])
    dpos = np.empty(mr, np.int64)
    for j in range(n):
        q = Kp[j]
        dval = sigma
        for p in range(Pp[j], Pp[j + 1]):
            i = Pi[p]
            if i < j:
                Ki[q] = i
                Kx[q] = Px[p]
                q += 1
            elif i == j:
                dval += Px[p]
        Ki[q] = j
        Kx[q] = dval
    for r in range(mr):
        i = rows[r]
        q = Kp[n + r]
        for p in range(Rp[i], Rp[i + 1]):
            Ki[q] = Rj[p]
            Kx[q] = Rx[p]
            q += 1
        Ki[q] = n + r
        Kx[q] = -neg_diag[r]
        dpos[r] = q
    return Kp, Ki, Kx, dpos


@numba.njit(**_JIT)
def sym_upper_matvec(n, Pp, Pi, Px, x, out):
    """``out = P x`` for symmetric P given by its upper triangle (CSC)."""
    for j in range(n):
        out[j] = 0.0
    for j in range(n):
        xj = x[j]
        acc = 0.0
        for p in range(Pp[j], Pp[j + 1]):
            i = Pi[p]
            v = Px[p]
            out[i] += v * xj
            if i != j:
                acc += v * x[i]
        out[j] += acc


@numba.njit(**_JIT)
def csc_matvec(m, ncol, Ap, Ai, Ax, x, out):
    """``out = A x`` (A in CSC, ``m x ncol``)."""
    for i in range(m):
        out[i] = 0.0
    for j in range(ncol):
        xj = x[j]
        if xj != 0.0:
            for p in range(Ap[j], Ap[j + 1]):
                out[Ai[p]] += Ax[p] * xj


@numba.njit(**_JIT)
def csc_rmatvec(ncol, Ap, Ai, Ax, y, out):
    """``out = A^T y`` (A in CSC)."""
    for j in range(ncol):
        acc = 0.0
        for p in range(Ap[j], Ap[j + 1]):
            acc += Ax[p] * y[Ai[p]]
        out[j] = acc
