"""The text report: findings grouped by file and declaration, then a summary line."""

from __future__ import annotations

from ..findings import Finding, Severity
from .run import RunReport

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_RESET, _BOLD, _DIM = "\033[0m", "\033[1m", "\033[2m"


def _paint(text: str, code: str, colour: bool) -> str:
    return f"{code}{text}{_RESET}" if colour else text


def _finding_lines(f: Finding, colour: bool) -> list[str]:
    where = str(f.location) if f.location is not None else "<input>"
    level = _paint(f.severity.value, _COLOURS[f.severity], colour)
    lines = [f"  {where}: {level} {_paint(f.rule_id, _BOLD, colour)}: {f.message}"]
    if f.value is not None:
        lines.append(f"      value: {f.value!r}" + (f" ({f.field})" if f.field else ""))
    if f.hint:
        lines.append(_paint(f"      hint: {f.hint}", _DIM, colour))
    return lines


def render_text(report: RunReport, *, colour: bool = False) -> str:
    """Return the text report; `colour` adds ANSI colours (for a terminal only)."""
    lines: list[str] = []
    for file in report.files:
        if file.error is not None:
            where = file.name + (f":{file.error_line}" if file.error_line else "")
            lines.append(
                f"{where}: {_paint('unreadable', _COLOURS[Severity.ERROR], colour)}: {file.error}"
            )
            continue
        if file.note is not None:
            lines.append(f"{file.name}: {file.note}")
        for decl in file.declarations:
            if not decl.findings:
                continue
            head = f"{file.name} — declaration {decl.id or '(no id)'} (judged on {decl.judged_on})"
            lines.append(_paint(head, _BOLD, colour))
            for f in decl.findings:
                lines.extend(_finding_lines(f, colour))
    c = report.counts()
    summary = (
        f"{c['declarations']} declaration(s) in {len(report.files)} input(s): "
        f"{c['error']} error(s), {c['warning']} warning(s), {c['info']} info"
    )
    if c["unreadable"]:
        summary += f"; {c['unreadable']} unreadable input(s)"
    lines.append(summary)
    return "\n".join(lines) + "\n"
