"""Write a finding as the JSON report's line: pure-Python twin of `_finding_json.pyx`.

The line is the one pydantic's `Finding.model_dump_json()` writes, byte for byte (tests
compare them); most of it is a rule's own words (citation, hint), the same in every
finding of the rule, so those parts are encoded once per rule and reused.
"""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Any

# A report's distinct rules are few; past this many, parts are encoded afresh each time,
# so that findings whose words vary (a built-in check's hint naming a value) cannot grow
# the memory of a long run.
MAX_KEPT = 4096


def _text(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def _number(value: int | None) -> str:
    return "null" if value is None else str(value)


class FindingJson:
    """Write findings as JSON lines (`line`), remembering the parts findings share."""

    def __init__(self) -> None:
        self.heads: dict[tuple[Any, ...], str] = {}
        self.tails: dict[tuple[Any, ...], str] = {}
        self.dates: dict[Any, str] = {}

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        """Pickle as a new writer: `--jobs` workers are sent one and fill their own parts."""
        return FindingJson, ()

    def line(self, finding: Any) -> str:
        """Return `finding.model_dump_json()`, written from the parts findings share."""
        values = finding.__dict__
        key = (values["rule_id"], values["severity"], values["check_class"])
        head = self.heads.get(key)
        if head is None:
            head = (
                f'{{"rule_id":{encode_basestring(key[0])},"severity":"{key[1].value}",'
                f'"check_class":"{key[2].value}","message":'
            )
            if len(self.heads) < MAX_KEPT:
                self.heads[key] = head
        rule = (
            values["citation"], values["hint"], values["pack"], values["pack_version"],
            values["variant"],
        )  # fmt: skip
        tail = self.tails.get(rule)
        if tail is None:
            tail = (
                f',"citation":{_text(rule[0])},"hint":{_text(rule[1])},'
                f'"pack":{encode_basestring(rule[2])},"pack_version":{_text(rule[3])},'
                f'"variant":{rule[4]},"evaluated":'
            )
            if len(self.tails) < MAX_KEPT:
                self.tails[rule] = tail
        day = values["judged_on"]
        judged = self.dates.get(day)
        if judged is None:
            judged = "null}" if day is None else f'"{day.isoformat()}"}}'
            if len(self.dates) < MAX_KEPT:
                self.dates[day] = judged
        return "".join((
            head, encode_basestring(values["message"]),
            ',"declaration_id":', _text(values["declaration_id"]),
            ',"item_line":', _number(values["item_line"]),
            ',"field":', _text(values["field"]),
            ',"location":', _location(values["location"]),
            ',"value":', _text(values["value"]),
            tail, "true" if values["evaluated"] else "false", ',"judged_on":', judged,
        ))  # fmt: skip


def kept(lines: FindingJson) -> tuple[int, int, int]:
    """Return how many rule heads, rule tails and dates `lines` keeps (tests bound them)."""
    return len(lines.heads), len(lines.tails), len(lines.dates)


def _location(location: Any) -> str:
    if location is None:
        return "null"
    where = location.__dict__
    return "".join((
        '{"file":', _text(where["file"]), ',"line":', _number(where["line"]),
        ',"path":', _text(where["path"]), ',"column":', _number(where["column"]), "}",
    ))  # fmt: skip
