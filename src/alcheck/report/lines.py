"""One line a finding: `--format concise` for people and editors, `--format github` for
GitHub Actions workflow annotations (errors and warnings shown on the pull request)."""

from __future__ import annotations

from typing import IO, Any

from ..findings import Finding, Severity
from ..i18n import translation
from .escape import terminal_text
from .run import CheckedDeclaration, CheckedFile, ReportWriter, RunHeader
from .text import counts_text

_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _where(f: Finding, name: str) -> tuple[str, int | None, int | None]:
    loc = f.location
    file = loc.file if loc is not None and loc.file else name
    return file, loc.line if loc is not None else None, loc.column if loc is not None else None


def concise_lines(decl: CheckedDeclaration, name: str) -> str:
    """Return a declaration's lines of the concise report: one a finding."""
    lines = []
    for f in decl.findings:
        file, line, column = _where(f, name)
        place = file + (f":{line}" if line else "") + (f":{column}" if line and column else "")
        lines.append(terminal_text(f"{place}: {f.severity.value} {f.rule_id}: {f.message}") + "\n")
    return "".join(lines)


class ConciseReport(ReportWriter):
    """`file:line[:col]: severity RULE-ID: message`, one line a finding, then the summary."""

    def __init__(self, out: IO[str], header: RunHeader) -> None:
        super().__init__(out, header)
        self.body = concise_lines

    def write(self, body: Any) -> None:
        self.out.write(body)

    def end_file(self, end: CheckedFile) -> None:
        super().end_file(end)
        if end.error is not None:
            place = end.name + (f":{end.error_line}" if end.error_line else "")
            self.out.write(terminal_text(f"{place}: error INPUT-ERROR: {end.error}") + "\n")

    def close(self) -> None:
        # Finding lines stay in the form editors parse; the summary is for people.
        lang = self.header.lang
        text = translation(lang).gettext(
            "{error} error(s), {warning} warning(s), {info} info in "
            "{declarations} declaration(s), {inputs} input(s)"
        )
        self.out.write(text.format(**counts_text(self.tally, lang)) + "\n")


def _escape_data(text: str) -> str:
    # GitHub's workflow command escaping: the message ends at a newline.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_commands(decl: CheckedDeclaration, name: str) -> str:
    """Return a declaration's workflow commands: one a finding."""
    lines = []
    for f in decl.findings:
        file, line, column = _where(f, name)
        props = [f"file={_escape_property(file)}"]
        if line:
            props.append(f"line={line}")
            if column:
                props.append(f"col={column}")
        props.append(f"title={_escape_property(f.rule_id)}")
        level = _GITHUB_LEVEL[f.severity]
        lines.append(f"::{level} {','.join(props)}::{_escape_data(f.message)}\n")
    return "".join(lines)


class GithubReport(ReportWriter):
    """GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=RULE::message`."""

    def __init__(self, out: IO[str], header: RunHeader) -> None:
        super().__init__(out, header)
        self.body = github_commands

    def write(self, body: Any) -> None:
        self.out.write(body)

    def end_file(self, end: CheckedFile) -> None:
        super().end_file(end)
        if end.error is not None:
            props = [f"file={_escape_property(end.name)}"]
            if end.error_line:
                props.append(f"line={end.error_line}")
            props.append("title=INPUT-ERROR")
            self.out.write(f"::error {','.join(props)}::{_escape_data(end.error)}\n")
