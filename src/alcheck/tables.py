"""Build the plain tables the matching kernels read (see `_fastmatch_py.py`).

The tables are checked whenever they are built or unpickled (`RuleTables`, `PrefixTrie`,
`TariffIndex`, `KeywordAutomaton`): every offset, rule, group, atom, node, segment, state
and currency slot they hold is within bounds and the lengths of their arrays agree, so the
compiled kernel never reads outside an array. Tables that do not hold together raise
`RuleSetError`. Their arrays must not be changed in place afterwards.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, fields
from itertools import pairwise
from typing import Any

from .errors import RuleSetError

# The kernels hold ids and offsets in C ints.
_C_INT_MAX = 2**31 - 1


@dataclass(frozen=True, slots=True)
class PrefixTrie:
    """A digit trie over prefix groups, as flat int arrays; immutable once built."""

    children: array[int]
    starts: array[int]
    groups: array[int]

    def __post_init__(self) -> None:
        _check_trie("trie", self, _C_INT_MAX)

    def __setstate__(self, state: object) -> None:
        _set_state(self, state)
        _check_trie("trie", self, _C_INT_MAX)

    def __reduce__(self) -> tuple[object, tuple[bytes, bytes, bytes]]:
        return (
            _trie_from_bytes,
            (self.children.tobytes(), self.starts.tobytes(), self.groups.tobytes()),
        )


def _trie_from_bytes(children: bytes, starts: bytes, groups: bytes) -> PrefixTrie:
    return PrefixTrie(
        _int_array("trie.children", children),
        _int_array("trie.starts", starts),
        _int_array("trie.groups", groups),
    )


def build_trie(prefix_groups: Sequence[Sequence[str]]) -> PrefixTrie:
    """Build a trie where group i ends at the node of each of its (digit-only) prefixes."""
    children: list[int] = [-1] * 10
    ends: list[set[int]] = [set()]
    # Code lists put the same prefixes in many groups (an entry's stretches): walk each
    # distinct prefix once.
    node_of: dict[str, int] = {}
    for group_id, prefixes in enumerate(prefix_groups):
        for prefix in prefixes:
            node = node_of.get(prefix, -1)
            if node < 0:
                if not prefix.isascii() or not (prefix.isdigit() or prefix == ""):
                    raise ValueError(f"a tariff prefix has digits only, not {prefix!r}")
                node = 0
                for ch in prefix:
                    slot = node * 10 + (ord(ch) - 48)
                    if children[slot] < 0:
                        children[slot] = len(ends)
                        children.extend([-1] * 10)
                        ends.append(set())
                    node = children[slot]
                node_of[prefix] = node
            ends[node].add(group_id)
    starts = [0]
    flat: list[int] = []
    for node_ends in ends:
        flat.extend(sorted(node_ends))
        starts.append(len(flat))
    return PrefixTrie(array("i", children), array("i", starts), array("i", flat))


# A segment of a tariff index that starts before any date: a node's first segment.
DAY_MIN = -(2**31)
# Date segments a node of a tariff index holds at most: more exact segments are merged,
# so that rules with many short windows cannot grow the index without bound.
MAX_SEGMENTS = 32


@dataclass(frozen=True, slots=True)
class TariffIndex:
    """The kernel rows an item may meet, by its tariff code and its date; flat arrays.

    A digit trie over every include and exclude prefix (node 0 the root,
    `children[node * 10 + digit]` the child or -1). A code walks down it as far as its
    digits go; the last node on the way with segments (node_seg[n] < node_seg[n + 1]; the
    root always has one) holds the code's candidates: the rows one of whose include
    prefixes it has (or with no tariff condition) and none of whose exclude prefixes.
    They are split by date: segment k of node_seg[n]:node_seg[n + 1] covers the days
    from seg_day[k] (the first on DAY_MIN, then ascending) to the next one's start, and
    lists rows[list_start[seg_list[k]]:list_start[seg_list[k] + 1]], ascending: the
    candidates whose window meets one of those days. Immutable once built.
    """

    children: array[int]
    node_seg: array[int]
    seg_day: array[int]
    seg_list: array[int]
    list_start: array[int]
    rows: array[int]

    def __post_init__(self) -> None:
        _check_index("tariff_index", self, _C_INT_MAX)

    def __setstate__(self, state: object) -> None:
        _set_state(self, state)
        _check_index("tariff_index", self, _C_INT_MAX)

    def __reduce__(self) -> tuple[object, tuple[bytes, ...]]:
        return (_index_from_bytes, tuple(getattr(self, f.name).tobytes() for f in fields(self)))


def _index_from_bytes(*data: bytes) -> TariffIndex:
    names = [f.name for f in fields(TariffIndex)]
    if len(data) != len(names):
        raise _broken(f"the pickled TariffIndex does not hold its {len(names)} arrays")
    return TariffIndex(
        *(_int_array(f"tariff_index.{name}", d) for name, d in zip(names, data, strict=True))
    )


def build_tariff_index(
    include: PrefixTrie,
    exclude: PrefixTrie,
    always: Sequence[int],
    date_from: Sequence[int],
    date_to: Sequence[int],
) -> TariffIndex:
    """Build the index of the rows' include and exclude tries and windows (`TariffIndex`).

    A node gets segments only where its candidates differ from its parent's; they are
    exact (each lists the rows in force on every one of its days) up to `MAX_SEGMENTS`
    a node, merged beyond. Equal row lists are stored once.
    """
    # Sets of rows are bit masks (bit r: row r) here, to compare and intersect them fast.
    children, candidates = _union_trie(include, exclude, always)
    stretches = _stretches(date_from, date_to)
    node_seg, seg_day, seg_list = array("i", [0]), array("i"), array("i")
    list_start, rows = array("i", [0]), array("i")
    list_of: dict[int, int] = {}
    segments_of: dict[int, list[tuple[int, int]]] = {}
    for cand in candidates:
        if cand is not None:
            if (segments := segments_of.get(cand)) is None:
                segments = segments_of[cand] = _segments(cand, stretches)
            for day, listed in segments:
                if (k := list_of.get(listed)) is None:
                    k = list_of[listed] = len(list_of)
                    rows.extend(_members(listed))
                    list_start.append(len(rows))
                seg_day.append(day)
                seg_list.append(k)
        node_seg.append(len(seg_day))
    return TariffIndex(array("i", children), node_seg, seg_day, seg_list, list_start, rows)


def _mask(ids: Iterable[int]) -> int:
    m = 0
    for r in ids:
        m |= 1 << r
    return m


def _members(mask: int) -> list[int]:
    """Return the rows of a mask, ascending."""
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def _union_trie(
    include: PrefixTrie, exclude: PrefixTrie, always: Sequence[int]
) -> tuple[list[int], list[int | None]]:
    """Return the children of a trie over both tries' nodes, and each node's candidates.

    A node's candidates are None when they are its parent's.
    """
    children: list[int] = [-1] * 10
    candidates: list[int | None] = [None]
    # (node, include node, exclude node, rows included, rows excluded, parent's candidates)
    stack = [(0, 0, 0, _mask(always), 0, -1)]
    while stack:
        node, inc, exc, inc_acc, exc_acc, parent = stack.pop()
        if inc >= 0:
            inc_acc |= _mask(include.groups[include.starts[inc] : include.starts[inc + 1]])
        if exc >= 0:
            exc_acc |= _mask(exclude.groups[exclude.starts[exc] : exclude.starts[exc + 1]])
        cand = inc_acc & ~exc_acc
        candidates[node] = None if cand == parent else cand
        for digit in range(9, -1, -1):
            ci = include.children[inc * 10 + digit] if inc >= 0 else -1
            ce = exclude.children[exc * 10 + digit] if exc >= 0 else -1
            if ci >= 0 or ce >= 0:
                child = children[node * 10 + digit] = len(candidates)
                children.extend([-1] * 10)
                candidates.append(None)
                stack.append((child, ci, ce, inc_acc, exc_acc, cand))
    return children, candidates


def _stretches(date_from: Sequence[int], date_to: Sequence[int]) -> list[tuple[int, int]]:
    """Return (first day, rows in force) per stretch of days on which no window starts or
    ends, the first from DAY_MIN."""
    days = {DAY_MIN, *date_from, *(d + 1 for d in date_to if d < _C_INT_MAX)}
    starts = sorted(days)
    enter: dict[int, int] = {}
    leave: dict[int, int] = {}
    for r, (first, last) in enumerate(zip(date_from, date_to, strict=True)):
        if first <= last:
            enter[first] = enter.get(first, 0) | 1 << r
            if last < _C_INT_MAX:
                leave[last + 1] = leave.get(last + 1, 0) | 1 << r
    out = []
    live = 0
    for day in starts:
        live = (live & ~leave.get(day, 0)) | enter.get(day, 0)
        out.append((day, live))
    return out


def _segments(cand: int, stretches: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return (first day, rows) per date segment of the candidates `cand`.

    Exact segments join the stretches on which the same candidates are in force; beyond
    MAX_SEGMENTS, evenly chosen runs of them are merged, each listing the rows in force
    on any of its days.
    """
    exact: list[tuple[int, int]] = []
    for day, live in stretches:
        listed = cand & live
        if not exact or exact[-1][1] != listed:
            exact.append((day, listed))
    if len(exact) <= MAX_SEGMENTS:
        return exact
    cuts = [k * len(exact) // MAX_SEGMENTS for k in range(MAX_SEGMENTS + 1)]
    merged = []
    for a, b in pairwise(cuts):
        listed = 0
        for _, rows in exact[a:b]:
            listed |= rows
        merged.append((exact[a][0], listed))
    return merged


@dataclass(frozen=True, slots=True)
class KeywordAutomaton:
    """An Aho–Corasick automaton (as a full DFA) for whole-word keywords over symbols.

    A description is read as the symbols of f" {normalize_words(description)} ": symbol 0
    is the space, `symbols[ch]` the symbol of a character some keyword has, and 1 any
    other character. Keyword k is the pattern f" {k} ", so a pattern occurs exactly when
    the keyword occurs as whole words. From state s, symbol c leads to
    `delta[s * n_symbols + c]`; reaching state s finds the atoms
    `out_atoms[out_start[s]:out_start[s + 1]]` (those of every pattern ending there).
    """

    n_symbols: int
    symbols: Mapping[str, int]
    delta: array[int]
    out_start: array[int]
    out_atoms: array[int]

    def __post_init__(self) -> None:
        _check_automaton("keywords", self, _C_INT_MAX)

    def __setstate__(self, state: object) -> None:
        _set_state(self, state)
        _check_automaton("keywords", self, _C_INT_MAX)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (
            _automaton_from_bytes,
            (
                self.n_symbols,
                dict(self.symbols),
                self.delta.tobytes(),
                self.out_start.tobytes(),
                self.out_atoms.tobytes(),
            ),
        )


def _automaton_from_bytes(
    n_symbols: int, symbols: dict[str, int], delta: bytes, out_start: bytes, out_atoms: bytes
) -> KeywordAutomaton:
    return KeywordAutomaton(
        n_symbols,
        symbols,
        _int_array("keywords.delta", delta),
        _int_array("keywords.out_start", out_start),
        _int_array("keywords.out_atoms", out_atoms),
    )


SYMBOL_SPACE = 0
SYMBOL_OTHER = 1


def build_automaton(keywords: Sequence[tuple[str, int]]) -> KeywordAutomaton:
    """Build the automaton finding each (normalized keyword, atom id) as whole words."""
    symbols: dict[str, int] = {}
    for kw, _ in keywords:
        for ch in kw:
            if ch != " " and ch not in symbols:
                symbols[ch] = len(symbols) + 2
    n_symbols = len(symbols) + 2
    goto: list[dict[int, int]] = [{}]
    outputs: list[set[int]] = [set()]
    for kw, atom in keywords:
        state = 0
        for ch in f" {kw} ":
            sym = SYMBOL_SPACE if ch == " " else symbols[ch]
            nxt = goto[state].get(sym)
            if nxt is None:
                nxt = goto[state][sym] = len(goto)
                goto.append({})
                outputs.append(set())
            state = nxt
        outputs[state].add(atom)
    delta = array("i", [0]) * (len(goto) * n_symbols)
    fail = [0] * len(goto)
    for sym, nxt in goto[0].items():
        delta[sym] = nxt
    queue = deque(goto[0].values())
    while queue:
        state = queue.popleft()
        outputs[state] |= outputs[fail[state]]
        for sym in range(n_symbols):
            nxt = goto[state].get(sym)
            if nxt is None:
                delta[state * n_symbols + sym] = delta[fail[state] * n_symbols + sym]
            else:
                fail[nxt] = delta[fail[state] * n_symbols + sym]
                delta[state * n_symbols + sym] = nxt
                queue.append(nxt)
    out_start = array("i", [0])
    out_atoms = array("i")
    for found in outputs:
        out_atoms.extend(sorted(found))
        out_start.append(len(out_atoms))
    return KeywordAutomaton(n_symbols, symbols, delta, out_start, out_atoms)


# How a categorical column becomes atoms: (atoms by value, atoms when the value is None,
# atoms for any other value).
Lookup = tuple[Mapping[str, tuple[int, ...]], tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class RuleTables:
    """A compiled rule set as flat arrays: what the kernels read for every item.

    Rule r holds on an item when the item's date is within [date_from[r], date_to[r]],
    its tariff code matches one of r's include prefixes (or r has none: tariff_any[r])
    and none of its exclude prefixes, every one of r's condition groups holds, and every
    number condition holds. Groups are sets of atom ids: an "any" group (kind 0) holds
    when the item has at least one of its atoms, a "none" group (kind 1) when it has none.
    The kernels find the rows a code can match on a date in `tariff_index`, built from
    the two tries, `always` and the windows (`build_tariff_index`), and check the
    window of each.

    Built or unpickled, the tables are checked (`RuleSetError` when they do not hold
    together): rule r's groups are group_start[r]:group_start[r + 1] and its number
    conditions num_start[r]:num_start[r + 1]; group g's atoms are
    group_atoms[atom_start[g]:atom_start[g + 1]]; `always` lists, in ascending order, the
    rules r with tariff_any[r]; every atom id is below n_atoms, which is one more than the
    largest used; every currency slot of a value or unit-value condition is below n_slots,
    which is one more than the largest used; each entry of `additional_atoms` is a group
    of `additional_trie`.
    """

    n_rules: int
    n_atoms: int
    n_slots: int
    date_from: array[int]
    date_to: array[int]
    tariff_any: array[int]
    always: array[int]
    include_trie: PrefixTrie
    exclude_trie: PrefixTrie
    tariff_index: TariffIndex
    group_start: array[int]
    group_kind: array[int]
    atom_start: array[int]
    group_atoms: array[int]
    num_start: array[int]
    num_field: array[int]
    num_op: array[int]
    num_amount: array[float]
    num_slot: array[int]
    lookups: Mapping[str, Lookup]
    doc_atoms: Mapping[str, int]
    additional_trie: PrefixTrie
    additional_atoms: array[int]
    keywords: KeywordAutomaton

    def __post_init__(self) -> None:
        _check_tables(self)

    def __setstate__(self, state: object) -> None:
        _set_state(self, state)
        _check_tables(self)


@dataclass(frozen=True, slots=True)
class ItemColumns:
    """Items as columns, for `encode_columns`; every sequence has one entry per item.

    codes: tariff codes (digits; None when missing). dates: judged dates as ordinals
    (array "i"). columns: by the name of each of the rule set's lookups (see
    `RuleTables.lookups`), the item's value. documents: per item, document keys ("AIM",
    "ADC:A-570-967"). additional_codes: per item, its additional codes. descriptions: the
    goods descriptions. amounts: values (array "d", NaN when unknown) converted with
    conversion row conversion[i] (array "i") of `conv_ops` / `conv_rates` (n_slots
    entries a row: op 0 gives NaN, 1 multiplies by the rate, 2 divides by it). masses:
    net masses (array "d", NaN when unknown).
    """

    codes: Sequence[str | None]
    dates: array[int]
    columns: Mapping[str, Sequence[object]]
    documents: Sequence[Sequence[str]] | None
    additional_codes: Sequence[Sequence[str]] | None
    descriptions: Sequence[str | None] | None
    amounts: array[float]
    conversion: array[int]
    conv_ops: array[int]
    conv_rates: array[float]
    masses: array[float]


@dataclass(frozen=True, slots=True)
class ItemBatch:
    """Items encoded for the kernels: codes, judged dates, atoms, values and masses.

    Item i's tariff code is digits[code_start[i]:code_start[i + 1]] (array "b": 0-9 per
    digit, -1 for any other character; empty when missing), converted once here rather
    than on every `match`. It has atoms atoms[atom_start[i]:atom_start[i + 1]]; its
    value converted into currency slot s is values[i * n_slots + s] (NaN when unknown);
    its net mass is masses[i] (NaN when unknown).
    """

    digits: array[int]
    code_start: array[int]
    dates: array[int]
    atom_start: array[int]
    atoms: array[int]
    values: array[float]
    masses: array[float]


@dataclass(frozen=True, slots=True)
class Matches:
    """The output of `match`: parallel arrays, ordered by item then rule.

    Item items[k] held rule rules[k] (arrays "i") with status[k] (array "b"):
    `STATUS_FIRED`, or `STATUS_NOT_EVALUATED` when a number the rule needs is unknown.
    """

    items: array[int]
    rules: array[int]
    status: array[int]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[tuple[int, int, int]]:
        """Yield (item, rule, status) for every match."""
        return zip(self.items, self.rules, self.status, strict=True)


NUM_FIELDS = {"value": 0, "net_mass": 1, "unit_value": 2}
NUM_OPS = {"<": 0, "<=": 1, ">": 2, ">=": 3}
STATUS_FIRED = 1
STATUS_NOT_EVALUATED = 2
CONV_NAN = 0
CONV_MULTIPLY = 1
CONV_DIVIDE = 2


# Checking tables ------------------------------------------------------------------------------


def _broken(what: str, subject: str = "rule tables") -> RuleSetError:
    return RuleSetError(f"{subject}: {what} (the rule set is corrupted or was tampered with)")


def _set_state(obj: Any, state: object) -> None:
    """Set a frozen dataclass's fields from its pickled state (the list of their values)."""
    names = [f.name for f in fields(obj)]
    if not isinstance(state, list | tuple) or len(state) != len(names):
        raise _broken(f"the pickled {type(obj).__name__} does not hold its {len(names)} fields")
    for name, value in zip(names, state, strict=True):
        object.__setattr__(obj, name, value)


def _int_array(name: str, data: object) -> array[int]:
    if not isinstance(data, bytes) or len(data) % array("i").itemsize:
        raise _broken(f"{name} is not the bytes of an int array")
    return array("i", data)


def _array(name: str, value: object, typecode: str) -> array[Any]:
    if not isinstance(value, array) or value.typecode != typecode:
        raise _broken(f"{name} is not an array of typecode {typecode!r}")
    return value


def _count(name: str, value: object, low: int = 0) -> int:
    if type(value) is not int or not low <= value <= _C_INT_MAX:
        raise _broken(f"{name} is {value!r}, not a whole number from {low} to {_C_INT_MAX}")
    return value


def _length(name: str, values: Sized, n: int) -> None:
    if len(values) != n:
        raise _broken(f"{name} has {len(values)} entries, not {n}")


def _within(name: str, values: array[int], low: int, high: int) -> None:
    """Check that every value is in [low, high)."""
    if values and (min(values) < low or max(values) >= high):
        bad = next(v for v in values if not low <= v < high)
        raise _broken(f"{name} holds {bad}, outside {low}..{high - 1}")


def _offsets(name: str, starts: array[int], n: int, total: int) -> None:
    """Check that starts has n + 1 entries rising from 0 to total (slice k: [k]:[k + 1])."""
    _length(name, starts, n + 1)
    if starts[0] != 0 or starts[-1] != total or any(a > b for a, b in pairwise(starts)):
        raise _broken(f"{name} does not rise from 0 to {total}")


def _atom_ids(name: str, ids: object, n_atoms: int) -> int:
    """Check a tuple of atom ids; return the largest (-1 for none)."""
    if type(ids) is not tuple or not all(type(a) is int and 0 <= a < n_atoms for a in ids):
        raise _broken(f"{name} is not a tuple of atom ids below {n_atoms}")
    return max(ids, default=-1)


def _check_trie(name: str, trie: object, n_groups: int) -> None:
    if not isinstance(trie, PrefixTrie):
        raise _broken(f"{name} is not a PrefixTrie")
    children = _array(f"{name}.children", trie.children, "i")
    starts = _array(f"{name}.starts", trie.starts, "i")
    groups = _array(f"{name}.groups", trie.groups, "i")
    n_nodes, rest = divmod(len(children), 10)
    if n_nodes == 0 or rest:
        raise _broken(f"{name}.children has {len(children)} entries, not 10 per node")
    _within(f"{name}.children", children, -1, n_nodes)
    _offsets(f"{name}.starts", starts, n_nodes, len(groups))
    _within(f"{name}.groups", groups, 0, n_groups)


def _check_index(name: str, index: object, n_rules: int) -> None:
    if not isinstance(index, TariffIndex):
        raise _broken(f"{name} is not a TariffIndex")
    children = _array(f"{name}.children", index.children, "i")
    node_seg = _array(f"{name}.node_seg", index.node_seg, "i")
    seg_day = _array(f"{name}.seg_day", index.seg_day, "i")
    seg_list = _array(f"{name}.seg_list", index.seg_list, "i")
    list_start = _array(f"{name}.list_start", index.list_start, "i")
    rows = _array(f"{name}.rows", index.rows, "i")
    n_nodes, rest = divmod(len(children), 10)
    if n_nodes == 0 or rest:
        raise _broken(f"{name}.children has {len(children)} entries, not 10 per node")
    _within(f"{name}.children", children, -1, n_nodes)
    _offsets(f"{name}.node_seg", node_seg, n_nodes, len(seg_day))
    if node_seg[1] == 0:
        raise _broken(f"{name}.node_seg gives the root no segment")
    _length(f"{name}.seg_list", seg_list, len(seg_day))
    for n in range(n_nodes):
        days = seg_day[node_seg[n] : node_seg[n + 1]]
        if days and (days[0] != DAY_MIN or any(a >= b for a, b in pairwise(days))):
            raise _broken(f"{name}.seg_day does not rise from {DAY_MIN} within node {n}")
    _offsets(f"{name}.list_start", list_start, len(list_start) - 1, len(rows))
    _within(f"{name}.seg_list", seg_list, 0, len(list_start) - 1)
    if len(set(seg_list)) != len(list_start) - 1:
        raise _broken(f"{name}.list_start has a list that no segment uses")
    _within(f"{name}.rows", rows, 0, n_rules)


def _check_automaton(name: str, k: object, n_atoms: int) -> None:
    if not isinstance(k, KeywordAutomaton):
        raise _broken(f"{name} is not a KeywordAutomaton")
    n_symbols = _count(f"{name}.n_symbols", k.n_symbols, SYMBOL_OTHER + 1)
    delta = _array(f"{name}.delta", k.delta, "i")
    out_start = _array(f"{name}.out_start", k.out_start, "i")
    out_atoms = _array(f"{name}.out_atoms", k.out_atoms, "i")
    n_states, rest = divmod(len(delta), n_symbols)
    if n_states == 0 or rest:
        raise _broken(f"{name}.delta has {len(delta)} entries, not {n_symbols} per state")
    _within(f"{name}.delta", delta, 0, n_states)
    _offsets(f"{name}.out_start", out_start, n_states, len(out_atoms))
    _within(f"{name}.out_atoms", out_atoms, 0, n_atoms)
    symbols = k.symbols
    if not isinstance(symbols, Mapping) or not all(
        type(ch) is str and len(ch) == 1 and ch != " " and type(s) is int
        and SYMBOL_OTHER < s < n_symbols
        for ch, s in symbols.items()
    ):  # fmt: skip
        raise _broken(f"{name}.symbols does not map characters to symbols 2..{n_symbols - 1}")


def _check_tables(t: RuleTables) -> None:
    """Raise RuleSetError unless the tables hold together (see `RuleTables`).

    Checks run in a fixed order, so that the same damage is always reported the same way.
    """
    n_rules = _count("n_rules", t.n_rules)
    n_atoms = _count("n_atoms", t.n_atoms)
    n_slots = _count("n_slots", t.n_slots)
    _check_rules(t, n_rules)
    top = _check_groups(t, n_rules, n_atoms)
    _check_numbers(t, n_rules, n_slots)
    top = max(top, _check_lookups(t, n_atoms))
    top = max(top, _check_text_matchers(t, n_atoms))
    if n_atoms != top + 1:
        raise _broken(f"n_atoms is {n_atoms}, but the largest atom id used is {top}")


def _check_rules(t: RuleTables, n_rules: int) -> None:
    """Check the per-rule arrays: dates, tariff_any and always, the tries and the index."""
    _length("date_from", _array("date_from", t.date_from, "i"), n_rules)
    _length("date_to", _array("date_to", t.date_to, "i"), n_rules)
    tariff_any = _array("tariff_any", t.tariff_any, "b")
    _length("tariff_any", tariff_any, n_rules)
    _within("tariff_any", tariff_any, 0, 2)
    always = _array("always", t.always, "i")
    if always.tolist() != [r for r, any_tariff in enumerate(tariff_any) if any_tariff]:
        raise _broken("always does not list, in order, the rules with tariff_any set")
    _check_trie("include_trie", t.include_trie, n_rules)
    _check_trie("exclude_trie", t.exclude_trie, n_rules)
    _check_index("tariff_index", t.tariff_index, n_rules)


def _check_groups(t: RuleTables, n_rules: int, n_atoms: int) -> int:
    """Check the condition groups; return the largest atom id they use (-1 for none)."""
    group_kind = _array("group_kind", t.group_kind, "b")
    group_atoms = _array("group_atoms", t.group_atoms, "i")
    _offsets("group_start", _array("group_start", t.group_start, "i"), n_rules, len(group_kind))
    _within("group_kind", group_kind, 0, 2)
    _offsets("atom_start", _array("atom_start", t.atom_start, "i"), len(group_kind),
             len(group_atoms))  # fmt: skip
    _within("group_atoms", group_atoms, 0, n_atoms)
    return max(group_atoms, default=-1)


def _check_numbers(t: RuleTables, n_rules: int, n_slots: int) -> None:
    """Check the number conditions, and that n_slots is what their currency slots use."""
    num_field = _array("num_field", t.num_field, "b")
    n_numbers = len(num_field)
    _offsets("num_start", _array("num_start", t.num_start, "i"), n_rules, n_numbers)
    _within("num_field", num_field, 0, len(NUM_FIELDS))
    num_op = _array("num_op", t.num_op, "b")
    _length("num_op", num_op, n_numbers)
    _within("num_op", num_op, 0, len(NUM_OPS))
    _length("num_amount", _array("num_amount", t.num_amount, "d"), n_numbers)
    num_slot = _array("num_slot", t.num_slot, "i")
    _length("num_slot", num_slot, n_numbers)
    mass = NUM_FIELDS["net_mass"]
    for field, slot in zip(num_field, num_slot, strict=True):
        if not (-1 if field == mass else 0) <= slot < n_slots:
            raise _broken(f"num_slot holds {slot}, not a currency slot below {n_slots}")
    if n_slots != max(num_slot, default=-1) + 1:
        raise _broken(f"n_slots is {n_slots}, but the largest currency slot used is "
                      f"{max(num_slot, default=-1)}")  # fmt: skip


def _check_lookups(t: RuleTables, n_atoms: int) -> int:
    """Check the lookups and doc_atoms; return the largest atom id they give (-1: none)."""
    top = -1
    if not isinstance(t.lookups, Mapping):
        raise _broken("lookups is not a mapping")
    for name, lookup in t.lookups.items():
        if not (
            type(name) is str and type(lookup) is tuple and len(lookup) == 3
            and isinstance(lookup[0], dict)
        ):  # fmt: skip
            raise _broken(f"lookup {name!r} is not (atoms by value, if none, otherwise)")
        values, if_none, otherwise = lookup
        top = max(top, _atom_ids(f"lookup {name}", if_none, n_atoms))
        top = max(top, _atom_ids(f"lookup {name}", otherwise, n_atoms))
        for value, ids in values.items():
            if type(value) is not str:
                raise _broken(f"lookup {name!r} has a key {value!r} that is not text")
            top = max(top, _atom_ids(f"lookup {name}[{value!r}]", ids, n_atoms))
    if not isinstance(t.doc_atoms, Mapping):
        raise _broken("doc_atoms is not a mapping")
    for key, a in t.doc_atoms.items():
        if type(key) is not str or type(a) is not int or not 0 <= a < n_atoms:
            raise _broken(f"doc_atoms maps {key!r} to {a!r}, not an atom id below {n_atoms}")
        top = max(top, a)
    return top


def _check_text_matchers(t: RuleTables, n_atoms: int) -> int:
    """Check the additional-code trie and the keyword automaton; return their largest atom."""
    additional_atoms = _array("additional_atoms", t.additional_atoms, "i")
    _within("additional_atoms", additional_atoms, 0, n_atoms)
    _check_trie("additional_trie", t.additional_trie, len(additional_atoms))
    if len(set(t.additional_trie.groups)) != len(additional_atoms):
        raise _broken("additional_atoms has an entry that no group of additional_trie uses")
    _check_automaton("keywords", t.keywords, n_atoms)
    return max(max(additional_atoms, default=-1), max(t.keywords.out_atoms, default=-1))


def check_columns(t: RuleTables, c: ItemColumns) -> None:
    """Check that item columns fit the tables; both kernels call it before encoding them.

    The columns are built from a rule set (its lookups, its currencies); columns that do
    not fit its tables mean that the rule set is corrupted or was tampered with, and
    raise `RuleSetError` rather than be read out of bounds.
    """
    subject = "item columns"
    n = len(c.codes)
    for name, value, typecode in (
        ("dates", c.dates, "i"),
        ("amounts", c.amounts, "d"),
        ("conversion", c.conversion, "i"),
        ("masses", c.masses, "d"),
    ):
        if not isinstance(value, array) or value.typecode != typecode or len(value) != n:
            raise _broken(f"{name} is not an array of typecode {typecode!r} for {n} items", subject)
    for name in t.lookups:
        column = c.columns.get(name)
        if column is None or len(column) != n:
            raise _broken(f"no column of {n} values for the lookup {name!r}", subject)
    for name, per_item in (
        ("documents", c.documents),
        ("additional_codes", c.additional_codes),
        ("descriptions", c.descriptions),
    ):
        if per_item is not None and len(per_item) != n:
            raise _broken(f"{name} has {len(per_item)} entries for {n} items", subject)
    ops, rates = c.conv_ops, c.conv_rates
    if not (isinstance(ops, array) and ops.typecode == "b" and isinstance(rates, array)
            and rates.typecode == "d" and len(ops) == len(rates)):  # fmt: skip
        raise _broken("conv_ops and conv_rates are not arrays of one length", subject)
    if t.n_slots:
        n_rows, rest = divmod(len(ops), t.n_slots)
        if rest:
            raise _broken(f"conv_ops does not hold rows of {t.n_slots} currency slots", subject)
        if n and (min(c.conversion) < 0 or max(c.conversion) >= n_rows):
            raise _broken(f"conversion names a row outside 0..{n_rows - 1}", subject)
