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
