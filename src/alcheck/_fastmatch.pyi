from array import array
from collections.abc import Sequence

def match_prefixes(
    children: array[int], starts: array[int], groups: array[int], codes: Sequence[str | None]
) -> list[tuple[int, ...]]: ...
