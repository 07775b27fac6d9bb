"""Build the plain tables the matching kernels read (see `_fastmatch_py.py`)."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
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


@dataclass(frozen=True, slots=True)
class ItemBatch:
    """Items encoded for the kernels: codes, judged dates, atoms, values and masses.

    Item i has atoms atoms[atom_start[i]:atom_start[i + 1]]; its value converted into
    currency slot s is values[i * n_slots + s] (NaN when unknown); its net mass is
    masses[i] (NaN when unknown).
    """

    codes: list[str | None]
    dates: array[int]
    atom_start: array[int]
    atoms: array[int]
    values: array[float]
    masses: array[float]


NUM_FIELDS = {"value": 0, "net_mass": 1, "unit_value": 2}
NUM_OPS = {"<": 0, "<=": 1, ">": 2, ">=": 3}
STATUS_FIRED = 1
STATUS_NOT_EVALUATED = 2
