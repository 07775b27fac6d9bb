"""The HS 2022 nomenclature, packaged from UN Comtrade's list (see scripts/build_hs_table.py)."""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib.resources import files


@cache
def _table() -> dict[str, str]:
    text = files("alcheck.codes").joinpath("data/hs2022.csv").read_text(encoding="utf-8")
    return {row["code"]: row["description"] for row in csv.DictReader(io.StringIO(text))}


def is_hs6(code: str) -> bool:
    """Tell whether `code` is one of the 5,612 HS 2022 subheadings."""
    return len(code) == 6 and code in _table()


def hs_description(code: str) -> str | None:
    """Return the HS 2022 description of a chapter, heading or subheading code."""
    return _table().get(code)


def hs6_codes() -> frozenset[str]:
    """Return every HS 2022 subheading."""
    return frozenset(c for c in _table() if len(c) == 6)
