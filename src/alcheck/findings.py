"""Findings: what alcheck reports about a declaration, each explained, located and cited."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from .model import Location


class Severity(StrEnum):
    """How serious a finding is; ordered info < warning < error."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        """Return 0 for info, 1 for warning, 2 for error."""
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class CheckClass(StrEnum):
    """The kind of check, after Mexico's SAT prevalidation classes plus risk flags."""

    SYNTAX = "syntax"
    CATALOGUE = "catalogue"
    STRUCTURE = "structure"
    NORMATIVE = "normative"
    RISK = "risk"


class Finding(BaseModel):
    """One problem or flag: which rule, where, which value, why, and how to fix it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule_id: str
    severity: Severity
    check_class: CheckClass
    message: str
    declaration_id: str | None = None
    item_line: int | None = None
    field: str | None = None
    location: Location | None = None
    value: str | None = None
    citation: str | None = None
    hint: str | None = None
    pack: str = "builtin"
    pack_version: str | None = None
    variant: int = 0
    evaluated: bool = True
    judged_on: dt.date | None = None


def item_field(line: int | None, position: int, name: str) -> str:
    """Return how a finding names a goods item's field: by its line, else by its position.

    `items[3].origin` is the item whose line number is 3; `items[#2].origin` is the second
    item of its declaration, for an item whose line number is missing or invalid.
    """
    return f"items[{line if line is not None else f'#{position}'}].{name}"
