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
