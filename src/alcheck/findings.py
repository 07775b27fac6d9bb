"""Findings: what alcheck reports about a declaration, each explained, located and cited."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from ._match import plain_model
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

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickle as plain values: findings cross processes (`--jobs`, Dask) by the
        hundred thousand, and pydantic's own pickling took about 65 us a finding."""
        values = self.__dict__
        loc = values["location"]
        where = None if loc is None else (*loc.__dict__.values(), _mask(loc, _LOCATION_BITS))
        plain = [values[name] for name in _FINDING_FIELDS]
        plain[1], plain[2] = str(plain[1]), str(plain[2])  # severity, check class
        return _unpickle_finding, (tuple(plain), where, _mask(self, _FINDING_BITS))


_FINDING_FIELDS = tuple(Finding.model_fields)
_LOCATION_FIELDS = tuple(Location.model_fields)
_FINDING_BITS = {name: 1 << i for i, name in enumerate(_FINDING_FIELDS)}
_LOCATION_BITS = {name: 1 << i for i, name in enumerate(_LOCATION_FIELDS)}
_SEVERITIES = {str(s): s for s in Severity}
_CLASSES = {str(c): c for c in CheckClass}


def _mask(model: BaseModel, bits: dict[str, int]) -> int:
    """Return the fields `model` was given (`model_fields_set`) as bits, in field order."""
    return sum(bits[name] for name in model.model_fields_set)


@cache
def _given(mask: int, names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(name for i, name in enumerate(names) if mask >> i & 1)


def _unpickle_finding(plain: tuple[Any, ...], where: tuple[Any, ...] | None, mask: int) -> Finding:
    """Return the Finding `Finding.__reduce__` pickled (its values are of their types)."""
    values = dict(zip(_FINDING_FIELDS, plain, strict=True))
    values["severity"] = _SEVERITIES[plain[1]]
    values["check_class"] = _CLASSES[plain[2]]
    if where is not None:
        *loc, loc_mask = where
        values["location"] = plain_model(
            Location, dict(zip(_LOCATION_FIELDS, loc, strict=True)),
            _given(loc_mask, _LOCATION_FIELDS),
        )  # fmt: skip
    return plain_model(Finding, values, _given(mask, _FINDING_FIELDS))


def item_field(line: int | None, position: int, name: str) -> str:
    """Return how a finding names a goods item's field: by its line, else by its position.

    `items[3].origin` is the item whose line number is 3; `items[#2].origin` is the second
    item of its declaration, for an item whose line number is missing or invalid.
    """
    return f"items[{line if line is not None else f'#{position}'}].{name}"
