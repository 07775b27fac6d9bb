"""Build the plain tables the matching kernels read (see `_fastmatch_py.py`)."""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PrefixTrie:
    """A digit trie over prefix groups, as flat int arrays; immutable once built."""

    children: array[int]
    starts: array[int]
    groups: array[int]

    def __reduce__(self) -> tuple[object, tuple[bytes, bytes, bytes]]:
        return (
            _trie_from_bytes,
            (self.children.tobytes(), self.starts.tobytes(), self.groups.tobytes()),
        )


def _trie_from_bytes(children: bytes, starts: bytes, groups: bytes) -> PrefixTrie:
    return PrefixTrie(array("i", children), array("i", starts), array("i", groups))


def build_trie(prefix_groups: Sequence[Sequence[str]]) -> PrefixTrie:
    """Build a trie where group i ends at the node of each of its (digit-only) prefixes."""
    children: list[int] = [-1] * 10
    ends: list[set[int]] = [set()]
    for group_id, prefixes in enumerate(prefix_groups):
        for prefix in prefixes:
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
            ends[node].add(group_id)
    starts = [0]
    flat: list[int] = []
    for node_ends in ends:
        flat.extend(sorted(node_ends))
        starts.append(len(flat))
    return PrefixTrie(array("i", children), array("i", starts), array("i", flat))


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
        n_symbols, symbols, array("i", delta), array("i", out_start), array("i", out_atoms)
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
