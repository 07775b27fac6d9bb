"""The text report: findings grouped by file and declaration, then a summary line.

Declaration text (ids, messages, values, file names) may hold control characters; they
are shown escaped (`terminal_text`), so the only control characters the report holds
are its own line breaks and, with `colour`, its own colour codes. The report's own words,
numbers and dates are in the run's language (`alcheck.i18n`); rule ids and file
locations are not translated.
"""

from __future__ import annotations

from functools import partial
from gettext import NullTranslations
from typing import IO, Any

from ..findings import Finding, Severity
from ..i18n import date_text, number, translation
from .escape import terminal_text as _t
from .run import (
    CheckedDeclaration,
    CheckedFile,
    ReportWriter,
    RunHeader,
    RunReport,
    Tally,
    rendered,
)

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_RESET, _BOLD, _DIM = "\033[0m", "\033[1m", "\033[2m"


def _paint(text: str, code: str, colour: bool) -> str:
    return f"{code}{text}{_RESET}" if colour else text


# Severity words as the report shows them (English msgids of the catalogue).
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}


def _finding_lines(f: Finding, colour: bool, words: NullTranslations) -> list[str]:
    _ = words.gettext
    where = _t(str(f.location)) if f.location is not None else _("<input>")
    level = _paint(_(_LEVELS[f.severity]), _COLOURS[f.severity], colour)
    lines = [f"  {where}: {level} {_paint(_t(f.rule_id), _BOLD, colour)}: {_t(f.message)}"]
    if f.value is not None:
        field = f" ({_t(f.field)})" if f.field else ""
        lines.append("      " + _("value: {value}").format(value=repr(f.value)) + field)
    if f.hint:
        lines.append(_paint("      " + _("hint: {hint}").format(hint=_t(f.hint)), _DIM, colour))
    return lines


def _declaration_text(decl: CheckedDeclaration, name: str, *, lang: str, colour: bool) -> str:
    """Return a declaration's part of the text report: nothing when it has no findings."""
    if not decl.findings:
        return ""
    words = translation(lang)
    _ = words.gettext
    ident = _t(decl.id) if decl.id else _("(no id)")
    when = (
        _("judged on {date}").format(date=date_text(decl.judged_on, lang))
        if decl.judged_on
        else _("judged on no date")
    )
    head = _("{file} — declaration {id} ({when})").format(file=_t(name), id=ident, when=when)
    lines = [_paint(head, _BOLD, colour)]
    for f in decl.findings:
        lines.extend(_finding_lines(f, colour, words))
    return "\n".join(lines) + "\n"


class TextReport(ReportWriter):
    """Write the text report; `colour` adds ANSI colours (for a terminal only)."""

    def __init__(self, out: IO[str], header: RunHeader, *, colour: bool = False) -> None:
        super().__init__(out, header)
        self.colour = colour
        self.words = translation(header.lang)
        self.body = partial(_declaration_text, lang=header.lang, colour=colour)

    def write(self, body: Any) -> None:
        self.out.write(body)

    def end_file(self, end: CheckedFile) -> None:
        super().end_file(end)
        name = _t(end.name)
        if end.error is not None:
            where = name + (f":{end.error_line}" if end.error_line else "")
            word = self.words.gettext("unreadable")
            unreadable = _paint(word, _COLOURS[Severity.ERROR], self.colour)
            self.out.write(f"{where}: {unreadable}: {_t(end.error)}\n")
        elif end.note is not None:
            self.out.write(f"{name}: {_t(end.note)}\n")

    def close(self) -> None:
        self.out.write(summary(self.tally, self.header.lang) + "\n")


def counts_text(c: Tally, lang: str) -> dict[str, str]:
    """Return the run's counts (`Tally.counts` and inputs) as `lang` writes numbers."""
    return {k: number(v, lang) for k, v in (c.counts() | {"inputs": c.inputs}).items()}


def summary(c: Tally, lang: str) -> str:
    """Return the text report's summary line of a run, in `lang`."""
    words, counts = translation(lang), counts_text(c, lang)
    text = words.gettext(
        "{declarations} declaration(s) in {inputs} input(s): "
        "{error} error(s), {warning} warning(s), {info} info"
    ).format(**counts)
    if c.unreadable:
        text += words.gettext("; {unreadable} unreadable input(s)").format(**counts)
    return text


def render_text(report: RunReport, *, colour: bool = False) -> str:
    """Return the text report of a whole run (`TextReport`)."""
    return rendered(report, TextReport, colour=colour)
