# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled matching kernel: a faithful fast copy of `_fastmatch_py.py` (the reference).

Docstrings and semantics live in the twin and `_fastmatch.pyi`. The per-item loop runs
without the GIL, so threads can share one compiled rule set.
"""

from cpython.array cimport array
from libc.math cimport NAN
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memset


def match_prefixes(array children, array starts, array groups, codes):
    cdef int[:] ch = children
    cdef int[:] st = starts
    cdef int[:] gr = groups
    cdef Py_ssize_t node, digit, k
    cdef Py_UCS4 c
    cdef list out = []
    cdef set hits
    for code in codes:
        hits = set()
        for k in range(st[0], st[1]):
            hits.add(gr[k])
        node = 0
        if code is not None:
            for c in <str>code:
                digit = <Py_ssize_t>c - 48
                if digit < 0 or digit > 9:
                    break
                node = ch[node * 10 + digit]
                if node < 0:
                    break
                for k in range(st[node], st[node + 1]):
                    hits.add(gr[k])
        out.append(tuple(sorted(hits)))
    return out


cdef struct Out:
    int *data
    Py_ssize_t n
    Py_ssize_t cap


cdef int _push(Out *o, int i, int r, int status) noexcept nogil:
    cdef int *grown
    if o.n + 3 > o.cap:
        o.cap = o.cap * 2 + 48
        grown = <int *>realloc(o.data, o.cap * sizeof(int))
        if grown == NULL:
            return -1
        o.data = grown
    o.data[o.n] = i
    o.data[o.n + 1] = r
    o.data[o.n + 2] = status
    o.n += 3
    return 0


cdef inline Py_ssize_t _walk(
    const int[:] ch, const int[:] st, const int[:] gr, const signed char *digits,
    Py_ssize_t start, Py_ssize_t end, int *found, Py_ssize_t nfound, signed char *mark,
) noexcept nogil:
    """Append to `found` the groups matched by digits[start:end]; mark them; return the count."""
    cdef Py_ssize_t node = 0, k, p
    cdef int g
    for k in range(st[0], st[1]):
        g = gr[k]
        if not mark[g]:
            mark[g] = 1
            found[nfound] = g
            nfound += 1
    for p in range(start, end):
        if digits[p] < 0:
            break
        node = ch[node * 10 + digits[p]]
        if node < 0:
            break
        for k in range(st[node], st[node + 1]):
            g = gr[k]
            if not mark[g]:
                mark[g] = 1
                found[nfound] = g
                nfound += 1
    return nfound


cdef inline bint _compare(double x, int op, double amount) noexcept nogil:
    if op == 0:
        return x < amount
    if op == 1:
        return x <= amount
    if op == 2:
        return x > amount
    return x >= amount


def match(t, b):
    cdef Py_ssize_t n_items = len(b.codes)
    cdef Py_ssize_t n_rules = t.n_rules, n_atoms = t.n_atoms, n_slots = t.n_slots
    cdef const int[:] date_from = t.date_from
    cdef const int[:] date_to = t.date_to
    cdef const int[:] always = t.always
    cdef const int[:] ich = t.include_trie.children
    cdef const int[:] ist = t.include_trie.starts
    cdef const int[:] igr = t.include_trie.groups
    cdef const int[:] ech = t.exclude_trie.children
    cdef const int[:] est = t.exclude_trie.starts
    cdef const int[:] egr = t.exclude_trie.groups
    cdef const int[:] group_start = t.group_start
    cdef const signed char[:] group_kind = t.group_kind
    cdef const int[:] atom_start = t.atom_start
    cdef const int[:] group_atoms = t.group_atoms
    cdef const int[:] num_start = t.num_start
    cdef const signed char[:] num_field = t.num_field
    cdef const signed char[:] num_op = t.num_op
    cdef const double[:] num_amount = t.num_amount
    cdef const int[:] num_slot = t.num_slot
    cdef const int[:] dates = b.dates
    cdef const int[:] item_atom_start = b.atom_start
    cdef const int[:] item_atoms = b.atoms
    cdef const double[:] values = b.values
    cdef const double[:] masses = b.masses

    # Codes become one flat buffer of digits (-1 for anything else) before the GIL is let go.
    cdef Py_ssize_t total = 0, i, p
    for code in b.codes:
        if code is not None:
            total += len(<str>code)
    cdef signed char *digits = <signed char *>malloc(total + 1)
    cdef Py_ssize_t *code_start = <Py_ssize_t *>malloc((n_items + 1) * sizeof(Py_ssize_t))
    cdef signed char *have = <signed char *>malloc(n_atoms + 1)
    cdef signed char *inc_mark = <signed char *>malloc(n_rules + 1)
    cdef signed char *exc_mark = <signed char *>malloc(n_rules + 1)
    cdef int *inc_found = <int *>malloc((n_rules + 1) * sizeof(int))
    cdef int *exc_found = <int *>malloc((n_rules + 1) * sizeof(int))
    cdef int *cand = <int *>malloc((2 * n_rules + 1) * sizeof(int))
    cdef Out out
    out.data = NULL
    out.n = 0
    out.cap = 0
    cdef Py_ssize_t pos = 0
    cdef Py_UCS4 uc
    cdef str text
    if (digits == NULL or code_start == NULL or have == NULL or inc_mark == NULL
            or exc_mark == NULL or inc_found == NULL or exc_found == NULL or cand == NULL):
        free(digits); free(code_start); free(have); free(inc_mark); free(exc_mark)
        free(inc_found); free(exc_found); free(cand)
        raise MemoryError()
    i = 0
    for code in b.codes:
        code_start[i] = pos
        if code is not None:
            text = <str>code
            for uc in text:
                digits[pos] = <signed char>(<int>uc - 48) if 48 <= <int>uc <= 57 else -1
                pos += 1
        i += 1
    code_start[n_items] = pos
    memset(have, 0, n_atoms + 1)
    memset(inc_mark, 0, n_rules + 1)
    memset(exc_mark, 0, n_rules + 1)

    cdef Py_ssize_t n_inc, n_exc, n_cand, a, q, g, k, n_always = always.shape[0]
    cdef int r, day, status, field, tmp
    cdef bint ok, hit
    cdef double x, mass
    cdef int failed = 0
    with nogil:
        for i in range(n_items):
            for k in range(item_atom_start[i], item_atom_start[i + 1]):
                have[item_atoms[k]] = 1
            n_inc = _walk(ich, ist, igr, digits, code_start[i], code_start[i + 1], inc_found, 0, inc_mark)
            n_exc = _walk(ech, est, egr, digits, code_start[i], code_start[i + 1], exc_found, 0, exc_mark)
            # Candidates in ascending rule order: `always` is sorted; sort the trie hits
            # (few) by insertion, then merge the two.
            for a in range(1, n_inc):
                tmp = inc_found[a]
                q = a - 1
                while q >= 0 and inc_found[q] > tmp:
                    inc_found[q + 1] = inc_found[q]
                    q -= 1
                inc_found[q + 1] = tmp
            n_cand = 0
            a = 0
            q = 0
            while a < n_always or q < n_inc:
                if q >= n_inc or (a < n_always and always[a] < inc_found[q]):
                    r = always[a]
                    a += 1
                elif a >= n_always or inc_found[q] < always[a]:
                    r = inc_found[q]
                    q += 1
                else:
                    r = always[a]
                    a += 1
                    q += 1
                if not exc_mark[r]:
                    cand[n_cand] = r
                    n_cand += 1
            day = dates[i]
            mass = masses[i]
            for a in range(n_cand):
                r = cand[a]
                if not (date_from[r] <= day <= date_to[r]):
                    continue
                ok = True
                for g in range(group_start[r], group_start[r + 1]):
                    hit = False
                    for k in range(atom_start[g], atom_start[g + 1]):
                        if have[group_atoms[k]]:
                            hit = True
                            break
                    if hit == (group_kind[g] == 1):
                        ok = False
                        break
                if not ok:
                    continue
                status = 1
                for k in range(num_start[r], num_start[r + 1]):
                    field = num_field[k]
                    if field == 1:
                        x = mass
                    else:
                        x = values[i * n_slots + num_slot[k]]
                        if field == 2:
                            x = x / mass if mass > 0 else NAN
                    if x != x:
                        status = 2
                    elif not _compare(x, num_op[k], num_amount[k]):
                        ok = False
                        break
                if ok:
                    if _push(&out, <int>i, r, status) != 0:
                        failed = 1
                        break
            for k in range(item_atom_start[i], item_atom_start[i + 1]):
                have[item_atoms[k]] = 0
            for a in range(n_inc):
                inc_mark[inc_found[a]] = 0
            for a in range(n_exc):
                exc_mark[exc_found[a]] = 0
            if failed:
                break
    free(digits); free(code_start); free(have); free(inc_mark); free(exc_mark)
    free(inc_found); free(exc_found); free(cand)
    if failed:
        free(out.data)
        raise MemoryError()
    cdef list result = [None] * (out.n // 3)
    for k in range(0, out.n, 3):
        result[k // 3] = (out.data[k], out.data[k + 1], out.data[k + 2])
    free(out.data)
    return result

