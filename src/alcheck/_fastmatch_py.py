"""The pure-Python matching kernel: the reference for `_fastmatch.pyx`'s semantics.

The kernel works on plain tables (`alcheck.tables.RuleTables`, `ItemBatch`: arrays of
ints and floats), so the Cython twin reads exactly the same objects.

Tariff-prefix trie: node 0 is the root; `children[node * 10 + digit]` is the child node or
-1; `starts[node]:starts[node + 1]` slices `groups` to the ids of the prefix groups that
end at that node. A code matches a group when any of the group's prefixes is a prefix of
the code.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .tables import ItemBatch, RuleTables


def _walk(children: array[int], starts: array[int], groups: array[int], code: str | None) -> set[int]:
    hits: set[int] = set(groups[starts[0] : starts[1]])
    node = 0
    if code is not None:
        for ch in code:
            digit = ord(ch) - 48
            if digit < 0 or digit > 9:
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
    return [tuple(sorted(_walk(children, starts, groups, code))) for code in codes]


def _compare(x: float, op: int, amount: float) -> bool:
    if op == 0:
        return x < amount
    if op == 1:
        return x <= amount
    if op == 2:
        return x > amount
    return x >= amount


def match(t: RuleTables, b: ItemBatch) -> list[tuple[int, int, int]]:
    """Return (item, rule, status) for every rule that holds on every item, ordered.

    Status 1: the rule fired. Status 2: every other condition holds but a number it needs
    (a value with no exchange rate, a missing mass) is unknown, so it was not evaluated.
    """
    out: list[tuple[int, int, int]] = []
    n_slots = t.n_slots
    for i, code in enumerate(b.codes):
        have = set(b.atoms[b.atom_start[i] : b.atom_start[i + 1]])
        candidates = set(t.always) | _walk(t.include_trie.children, t.include_trie.starts, t.include_trie.groups, code)
        candidates -= _walk(t.exclude_trie.children, t.exclude_trie.starts, t.exclude_trie.groups, code)
        day = b.dates[i]
        for r in sorted(candidates):
            if not (t.date_from[r] <= day <= t.date_to[r]):
                continue
            ok = True
            for g in range(t.group_start[r], t.group_start[r + 1]):
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
                out.append((i, r, status))
    return out
