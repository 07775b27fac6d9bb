"""The text report: findings grouped by file and declaration, then a summary line.

Declaration text (ids, messages, values, file names) may hold control characters; they
are shown escaped (`terminal_text`), so the only control characters the report holds
are its own line breaks and, with `colour`, its own colour codes.
"""

from __future__ import annotations

from ..findings import Finding, Severity
from .escape import terminal_text as _t
from .run import RunReport

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_RESET, _BOLD, _DIM = "\033[0m", "\033[1m", "\033[2m"


def _paint(text: str, code: str, colour: bool) -> str:
    return f"{code}{text}{_RESET}" if colour else text


def _finding_lines(f: Finding, colour: bool) -> list[str]:
    where = _t(str(f.location)) if f.location is not None else "<input>"
    level = _paint(f.severity.value, _COLOURS[f.severity], colour)
    lines = [f"  {where}: {level} {_paint(_t(f.rule_id), _BOLD, colour)}: {_t(f.message)}"]
    if f.value is not None:
        lines.append(f"      value: {f.value!r}" + (f" ({_t(f.field)})" if f.field else ""))
    if f.hint:
        lines.append(_paint(f"      hint: {_t(f.hint)}", _DIM, colour))
    return lines


def render_text(report: RunReport, *, colour: bool = False) -> str:
    """Return the text report; `colour` adds ANSI colours (for a terminal only)."""
    lines: list[str] = []
    for file in report.files:
        name = _t(file.name)
        if file.error is not None:
            where = name + (f":{file.error_line}" if file.error_line else "")
            lines.append(
                f"{where}: {_paint('unreadable', _COLOURS[Severity.ERROR], colour)}: "
                f"{_t(file.error)}"
            )
            continue
        if file.note is not None:
            lines.append(f"{name}: {_t(file.note)}")
        for decl in file.declarations:
            if not decl.findings:
                continue
            head = f"{name} — declaration {_t(decl.id or '(no id)')} (judged on {decl.judged_on})"
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
