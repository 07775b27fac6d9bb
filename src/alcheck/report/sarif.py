"""SARIF 2.1.0: rule metadata with help text and citation URLs, results with file and line."""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any

from .. import __version__
from ..checks import BUILTIN_RULES
from ..findings import Severity
from ..rules.schema import in_language
from ..ruleset import RuleSet
from .run import RunReport

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


def sarif_document(report: RunReport, rules: RuleSet) -> dict[str, Any]:
    """Return the SARIF 2.1.0 log of a run as plain data."""
    ids = list(dict.fromkeys(f.rule_id for _, _, f in report.findings()))
    index = {rid: i for i, rid in enumerate(ids)}
    results: list[dict[str, Any]] = []
    for file, decl, f in report.findings():
        loc = f.location
        region = {"startLine": loc.line} if loc is not None and loc.line and loc.line > 0 else None
        physical: dict[str, Any] = {
            "artifactLocation": {"uri": _uri(loc.file if loc and loc.file else file.name)}
        }
        if region:
            physical["region"] = region
        location: dict[str, Any] = {"physicalLocation": physical}
        if f.field:
            location["logicalLocations"] = [
                {"fullyQualifiedName": f"{decl.id or '(no id)'}/{f.field}", "kind": "member"}
            ]
        results.append(
            {
                "ruleId": f.rule_id,
                "ruleIndex": index[f.rule_id],
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
                    "judgedOn": (f.judged_on or decl.judged_on).isoformat(),
                    "evaluated": f.evaluated,
                    "citation": f.citation,
                },
            }
        )
    unreadable = [
        {
            "level": "error",
            "message": {"text": f"{file.name}: {file.error}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(file.name)}}}],
        }
        for file in report.files
        if file.error is not None
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "alcheck",
                "version": __version__,
                "rules": [_rule_descriptor(rid, rules, report.lang) for rid in ids],
            }
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "packs": [{"name": p.name, "version": p.version} for p in report.packs],
            "asOf": report.as_of.isoformat() if report.as_of else None,
        },
    }
    if unreadable:
        run["invocations"] = [
            {"executionSuccessful": False, "toolExecutionNotifications": unreadable}
        ]
    else:
        run["invocations"] = [{"executionSuccessful": True}]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render_sarif(report: RunReport, rules: RuleSet) -> str:
    """Return the SARIF 2.1.0 log of a run as text."""
    return json.dumps(sarif_document(report, rules), ensure_ascii=False, indent=2) + "\n"
