"""Stub of the compiled rule-findings builder; the twin `_rule_findings_py.py` documents it."""

import datetime as dt
from typing import Any

class ItemFindings:
    def __init__(self, finding: type, info: Any, given: frozenset[str]) -> None: ...
    def add(
        self,
        batch: Any,
        out: list[Any],
        row: int,
        k: int,
        day: dt.date,
        found: list[tuple[int, int]],
    ) -> None: ...
    def where(self, batch: Any, row: int, k: int, field: str) -> Any: ...

def fill_pieces(
    pieces: tuple[str, ...],
    slots: tuple[tuple[Any, ...], ...],
    batch: Any,
    row: int,
    k: int,
    day: dt.date,
) -> str: ...
