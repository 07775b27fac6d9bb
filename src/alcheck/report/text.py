"""The text report: findings grouped by file and declaration, then a summary line.

Declaration text (ids, messages, values, file names) may hold control characters; they
are shown escaped (`terminal_text`), so the only control characters the report holds
are its own line breaks and, with `colour`, its own colour codes.
"""

from __future__ import annotations

from typing import IO

from ..findings import Finding, Severity
from .escape import terminal_text as _t
from .run import CheckedDeclaration, CheckedFile, ReportWriter, RunHeader, RunReport, rendered

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


class TextReport(ReportWriter):
    """Write the text report; `colour` adds ANSI colours (for a terminal only)."""

    def __init__(self, out: IO[str], header: RunHeader, *, colour: bool = False) -> None:
        super().__init__(out, header)
        self.colour = colour

    def declaration(self, decl: CheckedDeclaration) -> None:
        super().declaration(decl)
        if not decl.findings:
            return
        head = f"{_t(self.name)} — declaration {_t(decl.id or '(no id)')} "
        when = f"judged on {decl.judged_on}" if decl.judged_on else "judged on no date"
        lines = [_paint(head + f"({when})", _BOLD, self.colour)]
        for f in decl.findings:
            lines.extend(_finding_lines(f, self.colour))
        self.out.write("\n".join(lines) + "\n")

    def end_file(self, end: CheckedFile) -> None:
        super().end_file(end)
        name = _t(end.name)
        if end.error is not None:
            where = name + (f":{end.error_line}" if end.error_line else "")
            unreadable = _paint("unreadable", _COLOURS[Severity.ERROR], self.colour)
            self.out.write(f"{where}: {unreadable}: {_t(end.error)}\n")
        elif end.note is not None:
            self.out.write(f"{name}: {_t(end.note)}\n")

    def close(self) -> None:
        c = self.tally
        summary = (
            f"{c.declarations} declaration(s) in {c.inputs} input(s): "
            f"{c.error} error(s), {c.warning} warning(s), {c.info} info"
        )
        if c.unreadable:
            summary += f"; {c.unreadable} unreadable input(s)"
        self.out.write(summary + "\n")


def render_text(report: RunReport, *, colour: bool = False) -> str:
    """Return the text report of a whole run (`TextReport`)."""
    return rendered(report, TextReport, colour=colour)
