"""The pure-Python matching kernel: the reference for `_fastmatch.pyx`'s semantics.

The kernel works on plain tables (`alcheck.tables.RuleTables`, `ItemColumns`,
`ItemBatch`: arrays of ints and floats, and a few dicts), so the Cython twin reads
exactly the same objects. `encode_columns` turns item columns into a batch (each item's
tariff code as digits and the atoms it has), `match` applies the rules to a batch and
returns the matches as three parallel arrays (`alcheck.tables.Matches`).

Tariff-prefix trie: node 0 is the root; `children[node * 10 + digit]` is the child node or
-1; `starts[node]:starts[node + 1]` slices `groups` to the ids of the prefix groups that
end at that node. A code matches a group when any of the group's prefixes is a prefix of
the code. `match` finds a code's rows in the rule set's `TariffIndex` instead: one walk
down its trie, then a binary search for the item's date among the segments of the node
the walk ends on.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .tables import SYMBOL_OTHER, SYMBOL_SPACE, ItemBatch, Matches, check_columns
from .text import normalize_words

if TYPE_CHECKING:
    from .tables import ItemColumns, KeywordAutomaton, RuleTables, TariffIndex


def _code_digits(code: str | None) -> list[int]:
    """Return a code's characters as digits: 0-9 for a digit, -1 for anything else."""
    if code is None:
        return []
    return [ord(ch) - 48 if "0" <= ch <= "9" else -1 for ch in code]


def _walk(
    children: array[int], starts: array[int], groups: array[int], digits: Sequence[int]
) -> set[int]:
    hits: set[int] = set(groups[starts[0] : starts[1]])
    node = 0
    for digit in digits:
        if digit < 0:
            break
        node = children[node * 10 + digit]
        if node < 0:
            break
        hits.update(groups[starts[node] : starts[node + 1]])
    return hits


def match_prefixes(
    children: array[int], starts: array[int], groups: array[int], codes: Sequence[str | None]
) -> list[tuple[int, ...]]:
    """Return, for each code, the sorted ids of the prefix groups one of whose prefixes it has.

    A code that is None or holds a non-digit matches nothing beyond the groups that end at
    the root (the empty prefix).
    """
    return [tuple(sorted(_walk(children, starts, groups, _code_digits(code)))) for code in codes]


def _candidates(index: TariffIndex, digits: Sequence[int], start: int, end: int, day: int) -> int:
    """Return the row list (see `TariffIndex`) of the code digits[start:end] on `day`."""
    node = owner = 0
    for p in range(start, end):
        if digits[p] < 0:
            break
        node = index.children[node * 10 + digits[p]]
        if node < 0:
            break
        if index.node_seg[node] < index.node_seg[node + 1]:
            owner = node
    # The owner's last segment that starts on or before `day` (the first starts on DAY_MIN).
    lo, hi = index.node_seg[owner], index.node_seg[owner + 1]
    return index.seg_list[bisect_right(index.seg_day, day, lo + 1, hi) - 1]


def _mask(atoms: Sequence[int], start: int, end: int) -> int:
    """Return the 64-bit mask of atoms[start:end]: bit a % 64 for each atom a.

    Two masks that share no bit mean two sets of atoms that share no atom, so that most
    condition groups are decided without looking at their atoms.
    """
    m = 0
    for k in range(start, end):
        m |= 1 << (atoms[k] & 63)
    return m


def _compare(x: float, op: int, amount: float) -> bool:
    if op == 0:
        return x < amount
    if op == 1:
        return x <= amount
    if op == 2:
        return x > amount
    return x >= amount


def match(t: RuleTables, b: ItemBatch) -> Matches:
    """Return (item, rule, status) for every rule that holds on every item, ordered.

    Status 1: the rule fired. Status 2: every other condition holds but a number it needs
    (a value with no exchange rate, a missing mass) is unknown, so it was not evaluated.
    """
    out = Matches(array("i"), array("i"), array("b"))
    n_slots = t.n_slots
    index = t.tariff_index
    group_mask = [
        _mask(t.group_atoms, t.atom_start[g], t.atom_start[g + 1]) for g in range(len(t.group_kind))
    ]
    for i in range(len(b.dates)):
        have = set(b.atoms[b.atom_start[i] : b.atom_start[i + 1]])
        item_mask = _mask(b.atoms, b.atom_start[i], b.atom_start[i + 1])
        day = b.dates[i]
        listed = _candidates(index, b.digits, b.code_start[i], b.code_start[i + 1], day)
        for c in range(index.list_start[listed], index.list_start[listed + 1]):
            r = index.rows[c]
            # A segment can hold rows in force on only some of its days.
            if not (t.date_from[r] <= day <= t.date_to[r]):
                continue
            ok = True
            for g in range(t.group_start[r], t.group_start[r + 1]):
                hit = False
                if group_mask[g] & item_mask:
                    atoms = t.group_atoms[t.atom_start[g] : t.atom_start[g + 1]]
                    hit = any(a in have for a in atoms)
                if hit == (t.group_kind[g] == 1):
                    ok = False
                    break
            if not ok:
                continue
            status = 1
            for k in range(t.num_start[r], t.num_start[r + 1]):
                field = t.num_field[k]
                mass = b.masses[i]
                if field == 1:
                    x = mass
                else:
                    x = b.values[i * n_slots + t.num_slot[k]]
                    if field == 2:
                        x = x / mass if mass > 0 else math.nan
                if math.isnan(x):
                    status = 2
                elif not _compare(x, t.num_op[k], t.num_amount[k]):
                    ok = False
                    break
            if ok:
                out.items.append(i)
                out.rules.append(r)
                out.status.append(status)
    return out


def keyword_atoms(k: KeywordAutomaton, description: str | None) -> set[int]:
    """Return the atoms of the keywords that occur as whole words in a description.

    Nothing is found in a missing or empty description.
    """
    found: set[int] = set()
    if not description:
        return found
    state = 0
    for ch in f" {normalize_words(description)} ":
        sym = SYMBOL_SPACE if ch == " " else k.symbols.get(ch, SYMBOL_OTHER)
        state = k.delta[state * k.n_symbols + sym]
        found.update(k.out_atoms[k.out_start[state] : k.out_start[state + 1]])
    return found


def encode_columns(t: RuleTables, c: ItemColumns) -> ItemBatch:
    """Return the batch of items given as columns: codes as digits, atoms sorted, numbers.

    An item's code becomes its digits (see `ItemBatch`). It has, for each lookup (values,
    if_none, otherwise) of `t.lookups`, the atoms values[v] of its value v in that column
    (if_none when v is None, otherwise when v is not a key); the atom of each of its
    documents; the atom of each additional-code prefix one of its additional codes starts
    with; and the atoms of the keywords in its description. Its value in currency slot s
    is amounts[i] times or divided by the rate of its conversion row (NaN for op 0).
    Columns that do not fit the tables raise `RuleSetError` (`check_columns`).
    """
    check_columns(t, c)
    n_items = len(c.codes)
    n_slots = t.n_slots
    add = t.additional_trie
    digits = array("b")
    code_start = array("i", [0])
    atom_start = array("i", [0])
    atoms = array("i")
    values = array("d")
    for i in range(n_items):
        digits.extend(_code_digits(c.codes[i]))
        code_start.append(len(digits))
        found: set[int] = set()
        for name, (lut, if_none, otherwise) in t.lookups.items():
            v = c.columns[name][i]
            if v is None:
                found.update(if_none)
            else:
                found.update(lut.get(v, otherwise))  # type: ignore[call-overload]
        if c.documents is not None:
            for key in c.documents[i]:
                if (a := t.doc_atoms.get(key)) is not None:
                    found.add(a)
        if c.additional_codes is not None:
            for code in c.additional_codes[i]:
                for g in _walk(add.children, add.starts, add.groups, _code_digits(code)):
                    found.add(t.additional_atoms[g])
        if c.descriptions is not None:
            found |= keyword_atoms(t.keywords, c.descriptions[i])
        atoms.extend(sorted(found))
        atom_start.append(len(atoms))
        row = c.conversion[i] * n_slots
        for s in range(n_slots):
            op = c.conv_ops[row + s]
            if op == 1:
                values.append(c.amounts[i] * c.conv_rates[row + s])
            elif op == 2:
                values.append(c.amounts[i] / c.conv_rates[row + s])
            else:
                values.append(math.nan)
    return ItemBatch(digits, code_start, c.dates, atom_start, atoms, values, c.masses)
