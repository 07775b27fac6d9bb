"""Reports are written as the run goes, and the streamed documents are the whole run's."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import alcheck
from alcheck.cli import main
from alcheck.report import (
    CheckedDeclaration,
    CheckedFile,
    CsvReport,
    JsonReport,
    RunHeader,
    SarifReport,
    TextReport,
)

ROOT = Path(__file__).resolve().parent.parent
EX = ROOT / "examples"
RULES = alcheck.RuleSet.default()


def _declarations(name: str) -> list[CheckedDeclaration]:
    return [
        CheckedDeclaration(r.declaration.id, 1, r.judged_on, r.date_source, r.findings)
        for r in alcheck.check(alcheck.read(EX / name), rules=RULES)
    ]


@pytest.mark.parametrize("writer", [JsonReport, SarifReport, CsvReport, TextReport])
def test_a_declarations_findings_are_written_before_the_run_ends(writer: Any) -> None:
    out = io.StringIO()
    kwargs = {"rules": RULES} if writer is SarifReport else {}
    report = writer(out, RunHeader(RULES.packs, "en", None), **kwargs)
    first = _declarations("us-triggers.xml")[0]
    report.start_file("us-triggers.xml")
    report.declaration(first)
    assert first.findings and first.findings[0].message[:40] in out.getvalue()
    report.end_file(CheckedFile("us-triggers.xml"))
    report.close()
    assert report.tally.declarations == 1 and report.tally.inputs == 1


def test_the_streamed_json_report_holds_every_input_in_order(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    names = ["us-triggers.xml", "mx-triggers.val", "us-bad-codes.json"]
    main(["check", "--format", "json", "--fail-on", "never", "-o", str(out),
          *(str(EX / n) for n in names)])  # fmt: skip
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [Path(i["file"]).name for i in doc["inputs"]] == names
    expected = sum(
        len(r.findings) for n in names for r in alcheck.check(alcheck.read(EX / n), rules=RULES)
    )
    found = [f for i in doc["inputs"] for d in i["declarations"] for f in d["findings"]]
    assert len(found) == expected > 0
    assert doc["summary"]["declarations"] == sum(len(i["declarations"]) for i in doc["inputs"])
    by_level = {k: sum(f["severity"] == k for f in found) for k in ("error", "warning", "info")}
    assert {k: doc["summary"][k] for k in by_level} == by_level


def test_a_report_inside_the_folder_checked_is_not_read_as_an_input(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EX / "us-clean.json", folder / "a.json")
    out = folder / "report.json"
    for _ in range(2):  # the second run finds the first run's report in the folder
        assert main(["check", "--format", "json", "-o", str(out), str(folder)]) == 0
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert [Path(i["file"]).name for i in doc["inputs"]] == ["a.json"]


def test_an_input_cut_short_shows_what_was_read_then_its_error(tmp_path: Path) -> None:
    good = (EX / "us-triggers.csv").read_text(encoding="utf-8").splitlines()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(("\n".join(good[:4]) + "\n").encode() + b"\xff\xfe broken\n")
    out = tmp_path / "r.txt"
    assert main(["check", "-o", str(out), str(cut)]) == 2
    text = out.read_text(encoding="utf-8")
    assert "— declaration" in text and "unreadable" in text
    assert text.index("— declaration") < text.index("unreadable")
    rows = list(csv.reader(io.StringIO(_csv_report(cut, tmp_path))))
    assert rows[-1][4] == "INPUT-ERROR" and len(rows) > 2


def _csv_report(path: Path, tmp_path: Path) -> str:
    out = tmp_path / "r.csv"
    main(["check", "--format", "csv", "-o", str(out), str(path)])
    return out.read_text(encoding="utf-8")


def test_the_date_of_each_declaration_is_kept_in_the_stream() -> None:
    out = io.StringIO()
    report = JsonReport(out, RunHeader((), "en", dt.date(2026, 1, 2)))
    report.start_file("x")
    report.declaration(CheckedDeclaration("D", 3, dt.date(2026, 1, 2), "as_of", ()))
    report.end_file(CheckedFile("x", note="n"))
    report.close()
    doc = json.loads(out.getvalue())
    assert doc["as_of"] == "2026-01-02" and doc["inputs"][0]["note"] == "n"
    assert doc["inputs"][0]["declarations"] == [
        {"id": "D", "line": 3, "judged_on": "2026-01-02", "date_source": "as_of", "findings": []}
    ]


def test_a_reader_that_goes_away_ends_the_run_quietly() -> None:
    """`alcheck check … | head -1`: no traceback when the pipe closes (exit 141, SIGPIPE's)."""
    import subprocess
    import sys

    with subprocess.Popen(
        [sys.executable, "-m", "alcheck", "check", str(EX / "us-triggers.ae")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    ) as proc:  # fmt: skip
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read().decode()
        code = proc.wait(timeout=120)
    assert "Traceback" not in err
    assert code in (0, 1, 141)  # a report that fit in the pipe's buffer ends as usual


def test_an_entry_summary_finding_points_at_line_and_column() -> None:
    found = alcheck.validate(alcheck.read(EX / "us-triggers.ae"))
    located = [f for f in found if f.location is not None and f.location.column is not None]
    assert located
    loc = located[0].location
    assert loc is not None and str(loc) == f"{loc.file}:{loc.line}:{loc.column}"
    assert loc.path is not None and f"cols {loc.column}-" in loc.path


def test_a_csv_report_file_starts_with_a_bom_for_excel(tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "r.csv"
    main(
        [
            "check",
            "--format",
            "csv",
            "--fail-on",
            "never",
            "-o",
            str(out),
            str(EX / "mx-triggers.val"),
        ]
    )
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbffile,line,")
    assert "é" in data.decode("utf-8-sig")  # the Spanish messages' accents, as UTF-8
    main(["check", "--format", "csv", "--fail-on", "never", str(EX / "us-clean.xml")])
    assert capsys.readouterr().out.startswith("file,line,")  # a pipe: no BOM
    main(["check", "--format", "csv", "--excel", "--fail-on", "never", str(EX / "us-clean.xml")])
    assert capsys.readouterr().out.startswith("\ufefffile,line,")


def test_github_annotations_and_the_concise_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "X", "items": [', encoding="utf-8")
    found = alcheck.validate(alcheck.read(EX / "us-triggers.ae"))
    main(
        ["check", "--format", "github", "--fail-on", "never", str(EX / "us-triggers.ae"), str(bad)]
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(found) + 1  # a line a finding, and the unreadable input
    first = found[0]
    assert first.location is not None
    assert lines[0] == (
        f"::error file={EX / 'us-triggers.ae'},line={first.location.line},"
        f"title={first.rule_id}::{first.message}"
    )
    assert any(",col=" in line for line in lines)  # an entry summary's column
    assert lines[-1].startswith(f"::error file={bad},") and "title=INPUT-ERROR::" in lines[-1]
    main(["check", "--format", "concise", "--fail-on", "never", str(EX / "us-triggers.ae")])
    concise = capsys.readouterr().out.splitlines()
    assert len(concise) == len(found) + 1
    assert concise[0] == f"{first.location}: error {first.rule_id}: {first.message}"
    assert concise[-1].endswith("1 input(s)")


def test_a_newline_cannot_end_a_github_annotation_early() -> None:
    from alcheck.report.lines import _escape_data, _escape_property

    assert _escape_data("a\nb%c\r") == "a%0Ab%25c%0D"
    assert _escape_property("f,x:y") == "f%2Cx%3Ay"


@pytest.mark.parametrize(("bar", "lang"), [("tqdm", "en"), ("plain", "en"), ("tqdm", "fr")])
def test_progress_on_a_terminal_counts_declarations_as_they_are_checked(
    tmp_path: Path, bar: str, lang: str
) -> None:
    """Issue 19, item 4: one large file shows progress too (declarations, not only files),
    on standard error when it is a terminal and the report goes elsewhere: tqdm's bar with
    the `progress` extra, a plain line without it, in the report's language."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    env = dict(os.environ)
    if bar == "plain":  # tqdm not installed: its import fails
        blocker = tmp_path / "no-tqdm"
        blocker.mkdir()
        (blocker / "tqdm.py").write_text("raise ImportError('not installed')\n")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(blocker), env.get("PYTHONPATH")) if p)
    master, slave = pty.openpty()
    # A terminal of 120 columns (a new pseudo-terminal has none).
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    out = tmp_path / "r.json"
    with subprocess.Popen(
        [sys.executable, "-m", "alcheck", "check", "--format", "json", "--fail-on", "never",
         "--lang", lang, "-o", str(out), str(EX / "us-triggers.xml")],
        stdout=subprocess.DEVNULL, stderr=slave, cwd=ROOT, env=env,
    ) as proc:  # fmt: skip
        os.close(slave)
        shown = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        assert proc.wait(timeout=120) == 0
    os.close(master)
    text = shown.decode()
    declarations = len(list(alcheck.read(EX / "us-triggers.xml")))
    if lang == "en":
        assert f"1/1 files, {declarations:,} declarations" in text, text
    else:
        assert f"1/1 fichiers, {declarations} déclarations" in text, text
    if bar == "tqdm":
        assert "100%|" in text, text
    else:
        assert "[" + "#" * 30 + "]" in text and "%|" not in text, text
    assert "Traceback" not in text
