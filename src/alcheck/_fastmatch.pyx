# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled matching kernel: a faithful fast copy of `_fastmatch_py.py` (the reference).

Docstrings and semantics live in the twin and `_fastmatch.pyi`. The per-item loop runs
without the GIL, so threads can share one compiled rule set.
"""

from cpython.array cimport array, resize
from libc.math cimport NAN
from libc.stdint cimport uint64_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcpy, memset

from .tables import ItemBatch, Matches, check_columns


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


cdef inline Py_ssize_t _candidates(
    const int[::1] children, const int[::1] node_seg, const int[::1] seg_day,
    const int[::1] seg_list, const signed char *digits, Py_ssize_t start, Py_ssize_t end,
    int day,
) noexcept nogil:
    cdef Py_ssize_t node = 0, owner = 0, p, lo, hi, mid
    for p in range(start, end):
        if digits[p] < 0:
            break
        node = children[node * 10 + digits[p]]
        if node < 0:
            break
        if node_seg[node] < node_seg[node + 1]:
            owner = node
    # bisect_right over seg_day[lo + 1:hi], less one.
    lo = node_seg[owner] + 1
    hi = node_seg[owner + 1]
    while lo < hi:
        mid = (lo + hi) >> 1
        if day < seg_day[mid]:
            hi = mid
        else:
            lo = mid + 1
    return seg_list[lo - 1]


cdef inline uint64_t _mask(const int[::1] atoms, Py_ssize_t start, Py_ssize_t end) noexcept nogil:
    cdef uint64_t m = 0
    cdef Py_ssize_t k
    for k in range(start, end):
        m |= (<uint64_t>1) << (atoms[k] & 63)
    return m


cdef inline bint _compare(double x, int op, double amount) noexcept nogil:
    if op == 0:
        return x < amount
    if op == 1:
        return x <= amount
    if op == 2:
        return x > amount
    return x >= amount


def match(t, b):
    cdef Py_ssize_t n_items = len(b.dates)
    cdef Py_ssize_t n_atoms = t.n_atoms, n_slots = t.n_slots
    cdef const int[::1] date_from = t.date_from
    cdef const int[::1] date_to = t.date_to
    index = t.tariff_index
    cdef const int[::1] children = index.children
    cdef const int[::1] node_seg = index.node_seg
    cdef const int[::1] seg_day = index.seg_day
    cdef const int[::1] seg_list = index.seg_list
    cdef const int[::1] list_start = index.list_start
    cdef const int[::1] index_rows = index.rows
    cdef const int[::1] group_start = t.group_start
    cdef const signed char[::1] group_kind = t.group_kind
    cdef const int[::1] atom_start = t.atom_start
    cdef const int[::1] group_atoms = t.group_atoms
    cdef const int[::1] num_start = t.num_start
    cdef const signed char[::1] num_field = t.num_field
    cdef const signed char[::1] num_op = t.num_op
    cdef const double[::1] num_amount = t.num_amount
    cdef const int[::1] num_slot = t.num_slot
    cdef const signed char[::1] digits = b.digits
    cdef const int[::1] code_start = b.code_start
    cdef const int[::1] dates = b.dates
    cdef const int[::1] item_atom_start = b.atom_start
    cdef const int[::1] item_atoms = b.atoms
    cdef const double[::1] values = b.values
    cdef const double[::1] masses = b.masses

    cdef Py_ssize_t i, n_groups = group_kind.shape[0]
    cdef const signed char *code_digits = &digits[0] if digits.shape[0] else NULL
    cdef signed char *have = <signed char *>malloc(n_atoms + 1)
    cdef uint64_t *group_mask = <uint64_t *>malloc((n_groups + 1) * sizeof(uint64_t))
    cdef uint64_t item_mask
    cdef Out out
    out.data = NULL
    out.n = 0
    out.cap = 0
    if have == NULL or group_mask == NULL:
        free(have); free(group_mask)
        raise MemoryError()
    memset(have, 0, n_atoms + 1)

    cdef Py_ssize_t listed, c, g, k
    cdef int r, day, status, field
    cdef bint ok, hit
    cdef double x, mass
    cdef int failed = 0
    with nogil:
        for g in range(n_groups):
            group_mask[g] = _mask(group_atoms, atom_start[g], atom_start[g + 1])
        for i in range(n_items):
            for k in range(item_atom_start[i], item_atom_start[i + 1]):
                have[item_atoms[k]] = 1
            item_mask = _mask(item_atoms, item_atom_start[i], item_atom_start[i + 1])
            day = dates[i]
            mass = masses[i]
            listed = _candidates(children, node_seg, seg_day, seg_list, code_digits,
                                 code_start[i], code_start[i + 1], day)
            for c in range(list_start[listed], list_start[listed + 1]):
                r = index_rows[c]
                if not (date_from[r] <= day <= date_to[r]):
                    continue
                ok = True
                for g in range(group_start[r], group_start[r + 1]):
                    hit = False
                    if group_mask[g] & item_mask:
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
            if failed:
                break
    free(have)
    free(group_mask)
    if failed:
        free(out.data)
        raise MemoryError()
    cdef Py_ssize_t n_out = out.n // 3
    cdef array items_out = array("i"), rules_out = array("i"), status_out = array("b")
    try:
        resize(items_out, n_out)
        resize(rules_out, n_out)
        resize(status_out, n_out)
        for k in range(n_out):
            items_out.data.as_ints[k] = out.data[3 * k]
            rules_out.data.as_ints[k] = out.data[3 * k + 1]
            status_out.data.as_schars[k] = <signed char>out.data[3 * k + 2]
    finally:
        free(out.data)
    return Matches(items_out, rules_out, status_out)



# Encoding -----------------------------------------------------------------------------------

cdef struct IntBuf:
    int *data
    Py_ssize_t n
    Py_ssize_t cap


cdef int _grow(IntBuf *b, Py_ssize_t need) noexcept nogil:
    cdef int *grown
    cdef Py_ssize_t cap
    if b.n + need <= b.cap:
        return 0
    cap = b.cap * 2 + need + 64
    grown = <int *>realloc(b.data, cap * sizeof(int))
    if grown == NULL:
        return -1
    b.data = grown
    b.cap = cap
    return 0


cdef inline int _put(IntBuf *b, int v) except -1:
    if b.n >= b.cap and _grow(b, 1) != 0:
        raise MemoryError()
    b.data[b.n] = v
    b.n += 1
    return 0


cdef inline int _put_ids(IntBuf *b, tuple ids) except -1:
    cdef object a
    for a in ids:
        _put(b, <int>a)
    return 0


# Non-ASCII character -> what `normalize_words` makes of it, with " " for a separator.
# Filled on demand (under the GIL); normalize_words works character by character, because
# case folding and compatibility decomposition do and the combining marks that canonical
# reordering could move are all dropped. Bounded: its keys come from the input, and all of
# Unicode would hold a million entries for the life of the process.
cdef dict _FRAGMENTS = {}
cdef Py_ssize_t _FRAGMENTS_MAX = 65536


def _fragment(str ch):
    import unicodedata

    parts = []
    for d in unicodedata.normalize("NFKD", ch.casefold()):
        if unicodedata.combining(d):
            continue
        parts.append(d if d.isalnum() else " ")
    return "".join(parts)


cdef int _symbols_of(str text, dict symbols, const int *ascii_sym, IntBuf *out) except -1:
    """Append the symbols of f" {normalize_words(text)} " (-1 marks a separator run)."""
    cdef Py_UCS4 uc, fc
    cdef bint pending = False, started = False
    cdef int sym
    cdef str frag
    _put(out, 0)
    for uc in text:
        if uc < 128:
            sym = ascii_sym[uc]
            if sym < 0:
                pending = True
                continue
            if pending and started:
                _put(out, 0)
            _put(out, sym)
            pending = False
            started = True
            continue
        frag = <str>_FRAGMENTS.get(uc)
        if frag is None:
            frag = _fragment(chr(uc))
            if len(_FRAGMENTS) >= _FRAGMENTS_MAX:
                _FRAGMENTS.clear()
            _FRAGMENTS[chr(uc)] = frag
        for fc in frag:
            if fc == 32:
                pending = True
                continue
            # Already normalized: NFKD after casefolding can give uppercase ASCII
            # ("𝕬" -> "A"), which `ascii_sym` would wrongly lowercase.
            sym = <int>symbols.get(chr(fc), 1)
            if pending and started:
                _put(out, 0)
            _put(out, sym)
            pending = False
            started = True
    _put(out, 0)
    return 0


cdef void _ascii_symbols(dict symbols, int *ascii_sym):
    cdef int k
    for k in range(128):
        ch = chr(k)
        ascii_sym[k] = <int>symbols.get(ch.lower(), 1) if ch.isalnum() else -1


def keyword_atoms(k, description):
    cdef set found = set()
    if not description:
        return found
    cdef dict symbols = dict(k.symbols)
    cdef int ascii_sym[128]
    _ascii_symbols(symbols, ascii_sym)
    cdef IntBuf syms
    syms.data = NULL
    syms.n = syms.cap = 0
    cdef Py_ssize_t n_symbols = k.n_symbols, p, q
    cdef const int[:] delta = k.delta
    cdef const int[:] out_start = k.out_start
    cdef const int[:] out_atoms = k.out_atoms
    cdef int state = 0
    try:
        _symbols_of(<str>description, symbols, ascii_sym, &syms)
        for p in range(syms.n):
            state = delta[state * n_symbols + syms.data[p]]
            for q in range(out_start[state], out_start[state + 1]):
                found.add(out_atoms[q])
    finally:
        free(syms.data)
    return found


def encode_columns(t, c):
    check_columns(t, c)
    cdef Py_ssize_t n_items = len(c.codes)
    cdef Py_ssize_t n_atoms = t.n_atoms, n_slots = t.n_slots
    cdef list lookups = list(t.lookups.items())
    cdef Py_ssize_t n_lookups = len(lookups)
    cdef list cols = [c.columns[name] for name, _ in lookups]
    cdef list luts = [lk[0] for _, lk in lookups]
    cdef list if_none = [lk[1] for _, lk in lookups]
    cdef list otherwise = [lk[2] for _, lk in lookups]
    cdef dict doc_atoms = dict(t.doc_atoms)
    cdef object documents = c.documents
    cdef object additional = c.additional_codes
    cdef object descriptions = c.descriptions
    cdef const int[:] ach = t.additional_trie.children
    cdef const int[:] ast = t.additional_trie.starts
    cdef const int[:] agr = t.additional_trie.groups
    cdef const int[:] add_atoms = t.additional_atoms
    kw = t.keywords
    cdef dict symbols = dict(kw.symbols)
    cdef Py_ssize_t n_symbols = kw.n_symbols
    cdef const int[:] delta = kw.delta
    cdef const int[:] out_start = kw.out_start
    cdef const int[:] out_atoms = kw.out_atoms
    cdef bint use_keywords = descriptions is not None and out_atoms.shape[0] > 0
    cdef const double[:] amounts = c.amounts
    cdef const int[:] conversion = c.conversion
    cdef const signed char[:] conv_ops = c.conv_ops
    cdef const double[:] conv_rates = c.conv_rates

    cdef int ascii_sym[128]
    cdef int k
    _ascii_symbols(symbols, ascii_sym)

    cdef IntBuf raw, syms, outb
    raw.data = NULL
    raw.n = raw.cap = 0
    syms.data = NULL
    syms.n = syms.cap = 0
    outb.data = NULL
    outb.n = outb.cap = 0
    cdef int failed = 0
    cdef Py_ssize_t *raw_start = <Py_ssize_t *>malloc((n_items + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t *sym_start = <Py_ssize_t *>malloc((n_items + 1) * sizeof(Py_ssize_t))
    cdef signed char *mark = <signed char *>malloc(n_atoms + 1)
    cdef int *found = <int *>malloc((n_atoms + 1) * sizeof(int))
    cdef array atom_start_out = array("i")
    cdef array values_out = array("d")
    cdef array digits_out = array("b")
    cdef array code_start_out = array("i")
    cdef array atoms_out
    cdef Py_ssize_t i, j, p, node, q, nf, g
    cdef Py_UCS4 uc
    cdef object v, a
    cdef tuple ids
    cdef int tmp, state, op
    cdef int[:] atom_start_view
    cdef double[:] values_view
    cdef object codes = c.codes
    cdef Py_ssize_t n_digits = 0
    try:
        if raw_start == NULL or sym_start == NULL or mark == NULL or found == NULL:
            raise MemoryError()
        # Codes become one flat array of digits (-1 for anything else), once per batch.
        for v in codes:
            if v is not None:
                n_digits += len(<str>v)
        resize(digits_out, n_digits)
        resize(code_start_out, n_items + 1)
        p = 0
        i = 0
        for v in codes:
            code_start_out.data.as_ints[i] = <int>p
            if v is not None:
                for uc in <str>v:
                    digits_out.data.as_schars[p] = <signed char>(<int>uc - 48) if 48 <= uc <= 57 else -1
                    p += 1
            i += 1
        code_start_out.data.as_ints[n_items] = <int>p
        # Under the GIL: the atoms of lookups, documents and additional codes, and the
        # symbols of descriptions, into flat buffers.
        for i in range(n_items):
            raw_start[i] = raw.n
            sym_start[i] = syms.n
            for j in range(n_lookups):
                v = (<list>cols[j])[i] if type(cols[j]) is list else cols[j][i]
                if v is None:
                    ids = <tuple>if_none[j]
                else:
                    ids = <tuple>(<dict>luts[j]).get(v, otherwise[j])
                _put_ids(&raw, ids)
            if documents is not None:
                for v in documents[i]:
                    a = doc_atoms.get(v)
                    if a is not None:
                        _put(&raw, <int>a)
            if additional is not None:
                for v in additional[i]:
                    node = 0
                    for q in range(ast[0], ast[1]):
                        _put(&raw, add_atoms[agr[q]])
                    for uc in <str>v:
                        if uc < 48 or uc > 57:
                            break
                        node = ach[node * 10 + (<int>uc - 48)]
                        if node < 0:
                            break
                        for q in range(ast[node], ast[node + 1]):
                            _put(&raw, add_atoms[agr[q]])
            if use_keywords:
                v = descriptions[i]
                if v is not None and len(<str>v) > 0:
                    _symbols_of(<str>v, symbols, ascii_sym, &syms)
        raw_start[n_items] = raw.n
        sym_start[n_items] = syms.n

        resize(atom_start_out, n_items + 1)
        resize(values_out, n_items * n_slots)
        atom_start_view = atom_start_out
        values_view = values_out
        memset(mark, 0, n_atoms + 1)
        # Without the GIL: keywords, then each item's atoms deduplicated and sorted, and
        # its value in each currency slot.
        with nogil:
            atom_start_view[0] = 0
            for i in range(n_items):
                nf = 0
                for p in range(raw_start[i], raw_start[i + 1]):
                    k = raw.data[p]
                    if not mark[k]:
                        mark[k] = 1
                        found[nf] = k
                        nf += 1
                state = 0
                for p in range(sym_start[i], sym_start[i + 1]):
                    state = delta[state * n_symbols + syms.data[p]]
                    for q in range(out_start[state], out_start[state + 1]):
                        k = out_atoms[q]
                        if not mark[k]:
                            mark[k] = 1
                            found[nf] = k
                            nf += 1
                for p in range(1, nf):
                    tmp = found[p]
                    q = p - 1
                    while q >= 0 and found[q] > tmp:
                        found[q + 1] = found[q]
                        q -= 1
                    found[q + 1] = tmp
                if _grow(&outb, nf) != 0:
                    failed = 1
                    break
                for p in range(nf):
                    mark[found[p]] = 0
                    outb.data[outb.n] = found[p]
                    outb.n += 1
                atom_start_view[i + 1] = <int>outb.n
                g = conversion[i] * n_slots
                for p in range(n_slots):
                    op = conv_ops[g + p]
                    if op == 1:
                        values_view[i * n_slots + p] = amounts[i] * conv_rates[g + p]
                    elif op == 2:
                        values_view[i * n_slots + p] = amounts[i] / conv_rates[g + p]
                    else:
                        values_view[i * n_slots + p] = NAN
        if failed:
            raise MemoryError()
        atoms_out = array("i")
        resize(atoms_out, outb.n)
        if outb.n:
            memcpy(atoms_out.data.as_ints, outb.data, outb.n * sizeof(int))
    finally:
        free(raw.data)
        free(syms.data)
        free(outb.data)
        free(raw_start)
        free(sym_start)
        free(mark)
        free(found)
    return ItemBatch(
        digits_out, code_start_out, c.dates, atom_start_out, atoms_out, values_out, c.masses
    )
