"""The rule language's schema: a pack, its named sets, rules, conditions and golden cases.

Every list-valued condition is a set; `x = [...]` holds when the item's value is in it,
`x_not = [...]` when it is not. For documents, additional codes, keywords and fields,
`*_any` holds when at least one listed thing is there and `*_none` when none is. All
conditions of a rule must hold (AND). A rule id may appear in several entries (versions
with other windows or variants with other conditions, such as one entry per AD/CVD
order); each entry that holds gives its own finding.

Special country values: `UN` (unknown), `N/A` (not applicable), `MISSING` (no value) and
`INVALID` (a value not in ISO 3166-1). `MISSING` is also allowed in regime sets.

A pack may name code lists kept as CSV files beside it (`[lists.NAME]`); `tariff` and
`tariff_not` refer to one as "@NAME", and each list row counts only inside its own window.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..findings import CheckClass, Severity

NUMBER_FIELDS = ("value", "net_mass", "unit_value")
OPS = ("<", "<=", ">", ">=")
PRESENCE_FIELDS = (
    "description",
    "tariff",
    "origin",
    "export_country",
    "smelt1",
    "smelt2",
    "cast",
    "net_mass",
    "gross_mass",
    "value",
    "currency",
    "supplementary_quantity",
    "importer",
    "exporter",
    "manufacturer",
)
COUNTRY_SLOTS = ("origin", "export", "smelt1", "smelt2", "cast", "metal")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Messages(_Strict):
    """A text in English, French and Spanish; a pack may give English only.

    A missing French or Spanish text is the English one: a house pack written for one
    team need not be translated, and the bundled packs are tested to carry all three.
    """

    en: str
    fr: str
    es: str

    @model_validator(mode="before")
    @classmethod
    def _english_fallback(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("en"), str):
            return {"fr": data["en"], "es": data["en"], **data}
        return data


def in_language(text: Messages | str, lang: str) -> str:
    """Return a text in `lang`; a plain string (allowed for summaries) is every language's."""
    return text if isinstance(text, str) else str(getattr(text, lang))


class Citation(_Strict):
    """The legal source of a rule, and any caveat on how well it is verified."""

    instrument: str
    section: str | None = None
    url: str
    caveat: str | None = None


class NumberCondition(_Strict):
    """`field op amount`; value and unit value are compared in `currency`."""

    field: Literal["value", "net_mass", "unit_value"]
    op: Literal["<", "<=", ">", ">="]
    amount: float
    currency: str | None = None


class Condition(_Strict):
    """What must hold for a rule to fire (all of it)."""

    tariff: list[str] | None = None
    tariff_not: list[str] | None = None
    jurisdiction: list[str] | None = Field(default=None, description="importing country in")
    jurisdiction_not: list[str] | None = None
    origin: list[str] | None = None
    origin_not: list[str] | None = None
    export: list[str] | None = None
    export_not: list[str] | None = None
    smelt1: list[str] | None = None
    smelt1_not: list[str] | None = None
    smelt2: list[str] | None = None
    smelt2_not: list[str] | None = None
    cast: list[str] | None = None
    cast_not: list[str] | None = None
    metal_any: list[str] | None = Field(default=None, description="any of smelt1/smelt2/cast in")
    metal_none: list[str] | None = Field(default=None, description="none of smelt1/smelt2/cast in")
    regime: list[str] | None = None
    regime_not: list[str] | None = None
    declaration_type: list[str] | None = None
    declaration_type_not: list[str] | None = None
    documents_any: list[str] | None = None
    documents_none: list[str] | None = None
    additional_codes_any: list[str] | None = None
    additional_codes_none: list[str] | None = None
    description_any: list[str] | None = None
    description_none: list[str] | None = None
    present_all: list[str] | None = None
    missing_any: list[str] | None = None
    numbers: list[NumberCondition] = Field(default_factory=list)


class GoldenCase(_Strict):
    """A declaration the rule must fire on, stay silent on, or be unable to evaluate.

    `rates` maps "EUR/USD" to how many USD one EUR is worth.
    """

    expect: Literal["fire", "pass", "not-evaluated"]
    note: str
    declaration: dict[str, object] = Field(default_factory=dict)
    item: dict[str, object] = Field(default_factory=dict)
    rates: dict[str, float] = Field(default_factory=dict)


class Rule(_Strict):
    """One rule entry: id, grading, window, conditions, messages, citation and golden cases."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
    severity: Severity
    class_: CheckClass = Field(alias="class")
    valid_from: dt.date
    valid_to: dt.date | None = None
    summary: Messages | str
    field: str = "tariff_declared"
    when: Condition = Condition()
    message: Messages
    hint: Messages
    citation: Citation
    params: dict[str, str] = Field(default_factory=dict)
    cases: list[GoldenCase] = Field(default_factory=list)

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class PackInfo(_Strict):
    """A pack's name, version, importing jurisdiction (or `*`), title and what it lacks."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: str
    jurisdiction: str
    title: str
    about: str | None = None
    known_gaps: list[str] = Field(default_factory=list)


class CodeListRow(_Strict):
    """One code of a list, in force from `valid_from` to `valid_to` (inclusive; open if None)."""

    code: str
    heading: str | None = None
    valid_from: dt.date
    valid_to: dt.date | None = None
    note: str | None = None
    line: int = 0

    @property
    def digits(self) -> str:
        """Return the code without dots and spaces, as rules match it."""
        return self.code.replace(".", "").replace(" ", "")

    def in_force(self, start: dt.date, end: dt.date | None) -> bool:
        """Tell whether the row is in force on every day from `start` to `end`."""
        if self.valid_from > start:
            return False
        if self.valid_to is None:
            return True
        return end is not None and self.valid_to >= end


class CodeList(_Strict):
    """A named code list: where its CSV is, what instrument it comes from, and its rows."""

    file: str
    title: str
    instrument: str
    url: str | None = None
    provenance: str | None = None
    caveat: str | None = None
    rows: tuple[CodeListRow, ...] = ()
    path: str | None = None


class ChangelogEntry(_Strict):
    """What changed in a pack, for whom it matters and on what authority."""

    date: dt.date
    version: str
    rule: str
    change: str
    why: str
    instrument: str


class Override(_Strict):
    """A change a (user) pack makes to a rule loaded before it."""

    severity: Severity | None = None
    disabled: bool = False


class CaseDefaults(_Strict):
    """What every golden case of a pack starts from."""

    declaration: dict[str, object] = Field(default_factory=dict)
    item: dict[str, object] = Field(default_factory=dict)


class Pack(_Strict):
    """A rule pack: its info, named sets and code lists, rules, overrides and changelog.

    `rules` holds one entry per window or variant: a `[[rules]]` table with
    `[[rules.entries]]` under it gives one `Rule` per entry, merged with the table.
    `rule_lines` is the line of each entry's header, `table_lines` that of its `[[rules]]`.
    """

    pack: PackInfo
    sets: dict[str, list[str]] = Field(default_factory=dict)
    lists: dict[str, CodeList] = Field(default_factory=dict)
    changelog: list[ChangelogEntry] = Field(default_factory=list)
    case_defaults: CaseDefaults = CaseDefaults()
    rules: list[Rule] = Field(default_factory=list)
    overrides: dict[str, Override] = Field(default_factory=dict)
    source: str | None = None
    rule_lines: list[int] = Field(default_factory=list)
    table_lines: list[int] = Field(default_factory=list)
