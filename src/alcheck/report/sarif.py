"""SARIF 2.1.0: rule metadata with help text and citation URLs, results with file and line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import PurePath
from typing import IO, Any

from .._version import __version__
from ..checks import BUILTIN_RULES
from ..findings import Finding, Severity
from ..rules.schema import in_language
from ..ruleset import RuleSet
from .json_report import indented_json
from .run import CheckedDeclaration, CheckedFile, ReportWriter, RunHeader, RunReport, rendered

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(name: str) -> str:
    return PurePath(name).as_posix()


def _rule_descriptor(rule_id: str, rules: RuleSet, lang: str) -> dict[str, Any]:
    builtin = BUILTIN_RULES.get(rule_id)
    if builtin is not None:
        return {
            "id": rule_id,
            "shortDescription": {"text": builtin.summary[lang]},
            "help": {"text": builtin.hint[lang]},
            "defaultConfiguration": {"level": _LEVEL[builtin.severity]},
            "properties": {"class": builtin.check_class.value, "pack": "builtin"},
        }
    entries = rules.entries(rule_id)
    first = entries[0]
    citations = []
    for e in entries:
        window = f"{e.valid_from} – {e.valid_to or 'open'}"
        text = f"[{window}] {in_language(e.summary, lang)}. {e.citation.instrument}"
        text += f", {e.citation.section}" if e.citation.section else ""
        text += f" <{e.citation.url}>"
        text += f" Caveat: {e.citation.caveat}" if e.citation.caveat else ""
        citations.append(text)
    return {
        "id": rule_id,
        "shortDescription": {"text": in_language(first.summary, lang)},
        "fullDescription": {"text": "\n".join(citations)},
        "help": {"text": getattr(first.hint, lang) + "\n\n" + "\n".join(citations)},
        "helpUri": first.citation.url,
        "defaultConfiguration": {"level": _LEVEL[first.severity]},
        "properties": {
            "class": first.check_class.value,
            "pack": first.pack.name,
            "packVersion": first.pack.version,
            "tags": list(dict.fromkeys(["aluminum", first.check_class.value, first.pack.name])),
        },
    }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _result(f: Finding, decl: CheckedDeclaration, name: str, index: int) -> dict[str, Any]:
    loc = f.location
    region = {"startLine": loc.line} if loc is not None and loc.line and loc.line > 0 else None
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": _uri(loc.file if loc and loc.file else name)}
    }
    if region:
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    if f.field:
        location["logicalLocations"] = [
            {"fullyQualifiedName": f"{decl.id or '(no id)'}/{f.field}", "kind": "member"}
        ]
    return {
        "ruleId": f.rule_id,
        "ruleIndex": index,
        "level": _LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [location],
        "properties": {
            "declarationId": decl.id,
            "itemLine": f.item_line,
            "field": f.field,
            "value": f.value,
            "pack": f.pack,
            "packVersion": f.pack_version,
            "judgedOn": _iso(f.judged_on or decl.judged_on),
            "evaluated": f.evaluated,
            "citation": f.citation,
        },
    }


def sarif_results(decl: CheckedDeclaration, name: str) -> list[tuple[str, str, str]]:
    """Return a declaration's results as the SARIF log writes them, each as (rule id, the
    text before its `ruleIndex`, the text after): the index is the log's, given as the
    results are written."""
    out = []
    for f in decl.findings:
        # One result a line, by json's C encoder (its indenting one is pure Python).
        text = json.dumps(_result(f, decl, name, 0), ensure_ascii=False)
        cut = len('{"ruleId": , "ruleIndex": ') + len(json.dumps(f.rule_id, ensure_ascii=False))
        out.append((f.rule_id, text[:cut], text[cut + 1 :]))
    return out


class SarifReport(ReportWriter):
    """Write the SARIF 2.1.0 log: the results as they come, then the rules they name."""

    def __init__(self, out: IO[str], header: RunHeader, *, rules: RuleSet) -> None:
        super().__init__(out, header)
        self.rules = rules
        self.index: dict[str, int] = {}  # rule id -> its place in the log's rules
        self.unreadable: list[dict[str, Any]] = []
        self.any_result = False
        self.body = sarif_results
        out.write(f'{{\n  "$schema": "{SARIF_SCHEMA}",\n  "version": "2.1.0",\n')
        out.write('  "runs": [\n    {\n      "results": [')

    def write(self, body: Any) -> None:
        for rule_id, before, after in body:
            index = self.index.setdefault(rule_id, len(self.index))
            self.out.write(f"{',' if self.any_result else ''}\n        {before}{index}{after}")
            self.any_result = True

    def end_file(self, end: CheckedFile) -> None:
        super().end_file(end)
        if end.error is not None:
            self.unreadable.append({
                "level": "error",
                "message": {"text": f"{end.name}: {end.error}"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(end.name)}}}],
            })  # fmt: skip

    def close(self) -> None:
        self.out.write("\n      ]" if self.any_result else "]")
        header = self.header
        rest: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": "alcheck",
                    "version": __version__,
                    "rules": [_rule_descriptor(r, self.rules, header.lang) for r in self.index],
                }
            },
            "columnKind": "unicodeCodePoints",
            "properties": {
                "packs": [{"name": p.name, "version": p.version} for p in header.packs],
                "asOf": header.as_of.isoformat() if header.as_of else None,
            },
            "invocations": [
                {"executionSuccessful": False, "toolExecutionNotifications": self.unreadable}
                if self.unreadable
                else {"executionSuccessful": True}
            ],
        }
        for key, value in rest.items():
            self.out.write(f',\n      "{key}": {indented_json(value, 6)}')
        self.out.write("\n    }\n  ]\n}\n")


def sarif_document(report: RunReport, rules: RuleSet) -> dict[str, Any]:
    """Return the SARIF 2.1.0 log of a whole run as plain data."""
    loaded: dict[str, Any] = json.loads(render_sarif(report, rules))
    return loaded


def render_sarif(report: RunReport, rules: RuleSet) -> str:
    """Return the SARIF 2.1.0 log of a whole run as text (`SarifReport`)."""
    return rendered(report, SarifReport, rules=rules)
