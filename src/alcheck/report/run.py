"""What a check run produced, in the shape every report renders: files, declarations, findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..findings import Finding, Severity
from ..ruleset import PackMeta


@dataclass(frozen=True, slots=True)
class CheckedDeclaration:
    """One declaration's findings and the date it was judged on."""

    id: str | None
    line: int | None
    judged_on: dt.date
    date_source: str
    findings: tuple[Finding, ...]


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
