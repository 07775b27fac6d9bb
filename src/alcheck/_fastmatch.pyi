from array import array
from collections.abc import Sequence

from .tables import ItemBatch, RuleTables

def match_prefixes(
    children: array[int], starts: array[int], groups: array[int], codes: Sequence[str | None]
) -> list[tuple[int, ...]]: ...
def match(t: RuleTables, b: ItemBatch) -> list[tuple[int, int, int]]: ...
