"""The pure-Python matching kernel: the reference for `_fastmatch.pyx`'s semantics.

The kernel works on plain tables (tuples and `array.array`s of ints) built by
`alcheck.tables`, so the Cython twin can read exactly the same objects.

Tariff-prefix trie: node 0 is the root; `children[node * 10 + digit]` is the child node or
-1; `starts[node]:starts[node + 1]` slices `groups` to the ids of the prefix groups that
end at that node. A code matches a group when any of the group's prefixes is a prefix of
the code.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence


def match_prefixes(
    children: array[int], starts: array[int], groups: array[int], codes: Sequence[str | None]
) -> list[tuple[int, ...]]:
    """Return, for each code, the sorted ids of the prefix groups one of whose prefixes it has.

    A code that is None or holds a non-digit matches nothing beyond the groups that end at
    the root (the empty prefix).
    """
    out: list[tuple[int, ...]] = []
    for code in codes:
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
        out.append(tuple(sorted(hits)))
    return out
