"""What a check run produced, in the shape every report renders: files, declarations, findings.

Reports are written as the run goes (`ReportWriter`): a file's declarations one by one as
they are checked, then how the file ended; the run keeps only counts (`Tally`).
`RunReport` holds a whole run for `render_*`, which replay it through the same writers.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from ..findings import Finding, Severity
from ..ruleset import PackMeta


@dataclass(frozen=True, slots=True)
class CheckedDeclaration:
    """One declaration's findings and the date it was judged on."""

    id: str | None
    line: int | None
    judged_on: dt.date | None  # None: the entry date could not be read
    date_source: str
    findings: tuple[Finding, ...]
    jurisdiction: str | None = None
    entry_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """One input: its declarations, or why it could not be read (`error`), or a note."""

    name: str
    declarations: tuple[CheckedDeclaration, ...] = ()
    error: str | None = None
    error_line: int | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class RunReport:
    """Everything a report shows: inputs, the packs used, the options, the findings."""

    files: tuple[CheckedFile, ...]
    packs: tuple[PackMeta, ...]
    lang: str
    as_of: dt.date | None
    options: dict[str, object] = field(default_factory=dict)

    def findings(self) -> list[tuple[CheckedFile, CheckedDeclaration, Finding]]:
        """Return every finding with its file and declaration, in input order."""
        return [(f, d, x) for f in self.files for d in f.declarations for x in d.findings]

    def counts(self) -> dict[str, int]:
        """Return the number of findings per severity, plus declarations and unreadable inputs."""
        out = {s.value: 0 for s in Severity}
        for _, _, f in self.findings():
            out[f.severity.value] += 1
        out["declarations"] = sum(len(f.declarations) for f in self.files)
        out["unreadable"] = sum(1 for f in self.files if f.error is not None)
        return out


# What a report writes one declaration from, made from the declaration and the input's
# name: a module-level function (or a partial of one), so that `--jobs` workers can be
# sent it and render the declarations they check.
Body = Callable[[CheckedDeclaration, str], Any]


@dataclass(frozen=True, slots=True)
class Rendered:
    """One declaration as a report writes it: its findings' counts by severity, and the
    writer's `body` of it (its text, mostly). Made where it was checked, written in order."""

    error: int
    warning: int
    info: int
    body: Any


def render(body: Body, decl: CheckedDeclaration, name: str) -> Rendered:
    """Return a declaration of input `name` rendered by a writer's `body`."""
    error = warning = 0
    for f in decl.findings:
        if f.severity is Severity.ERROR:
            error += 1
        elif f.severity is Severity.WARNING:
            warning += 1
    info = len(decl.findings) - error - warning
    return Rendered(error, warning, info, body(decl, name))


def _nothing(decl: CheckedDeclaration, name: str) -> None:
    return None


@dataclass(slots=True)
class Tally:
    """What a run keeps of its findings: counts, as the reports' summaries give them."""

    error: int = 0
    warning: int = 0
    info: int = 0
    declarations: int = 0
    unreadable: int = 0
    inputs: int = 0

    def add(self, done: Rendered) -> None:
        """Count one declaration and its findings."""
        self.declarations += 1
        self.error += done.error
        self.warning += done.warning
        self.info += done.info

    def at_least(self, level: Severity) -> bool:
        """Tell whether any finding is at `level` or above."""
        return any(getattr(self, s.value) for s in Severity if s.rank >= level.rank)

    def counts(self) -> dict[str, int]:
        """Return the summary counts (`RunReport.counts`)."""
        out = {s.value: getattr(self, s.value) for s in Severity}
        return out | {"declarations": self.declarations, "unreadable": self.unreadable}


@dataclass(frozen=True, slots=True)
class RunHeader:
    """What a report says about the run before its inputs: packs, language, date, options."""

    packs: tuple[PackMeta, ...]
    lang: str
    as_of: dt.date | None
    options: dict[str, object] = field(default_factory=dict)


class ReportWriter:
    """Write a report as the run goes: `start_file`, its `declaration`s, `end_file`, then
    `close`. Subclasses write one format; this one keeps the tally.

    A declaration is rendered (`body`, which needs none of the writer's state) and then
    written (`emit`, in input order): `--jobs` workers render, the writer emits.
    """

    def __init__(self, out: IO[str], header: RunHeader) -> None:
        self.out, self.header = out, header
        self.tally = Tally()
        self.name = ""
        self.body: Body = _nothing

    def start_file(self, name: str) -> None:
        """Begin an input."""
        self.name = name
        self.tally.inputs += 1

    def declaration(self, decl: CheckedDeclaration) -> None:
        """Write one declaration's findings."""
        self.emit(render(self.body, decl, self.name))

    def emit(self, done: Rendered) -> None:
        """Write one rendered declaration of the current input."""
        self.tally.add(done)
        self.write(done.body)

    def write(self, body: Any) -> None:
        """Write a declaration's `body` (nothing here)."""

    def end_file(self, end: CheckedFile) -> None:
        """End the input: `end` says whether it was read to the end (its declarations,
        already written, are not looked at)."""
        if end.error is not None:
            self.tally.unreadable += 1

    def close(self) -> None:
        """End the report."""


def replay(report: RunReport, writer: ReportWriter) -> None:
    """Write a whole run through a writer, as the command line does while it runs."""
    for file in report.files:
        writer.start_file(file.name)
        for decl in file.declarations:
            writer.declaration(decl)
        writer.end_file(file)
    writer.close()


def rendered(report: RunReport, make: type[ReportWriter], **options: object) -> str:
    """Return the text a writer class writes for a whole run."""
    out = io.StringIO()
    header = RunHeader(report.packs, report.lang, report.as_of, report.options)
    replay(report, make(out, header, **options))
    return out.getvalue()
