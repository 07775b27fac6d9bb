"""Folders and CSV: every entry searched or named, no hang, nothing read twice as slow as
it should be (items 5 and 9 of "Nothing lost, no traceback, no hang").
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import alcheck
from alcheck import cli
from alcheck.errors import AlcheckError, InputError
from alcheck.formats import read, read_paths
from checking import checked

ROOT = Path(__file__).resolve().parent.parent
EX = ROOT / "examples"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alcheck", *args], capture_output=True, text=True, timeout=120,
        cwd=cwd,
    )  # fmt: skip


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder with good files, and entries that cannot be read as files."""
    root = tmp_path / "entries"
    (root / "sub").mkdir(parents=True)
    shutil.copy(EX / "us-clean.json", root / "a.json")
    shutil.copy(EX / "us-clean.xml", root / "sub" / "b.xml")
    os.mkfifo(root / "pipe.xml")
    (root / "dangling.json").symlink_to(tmp_path / "nowhere.json")
    (root / "loop1.xml").symlink_to("loop2.xml")
    (root / "loop2.xml").symlink_to("loop1.xml")
    (root / "sub" / "up").symlink_to("..")
    (root / "notes.txt").write_text("not a declaration", encoding="utf-8")
    return root


PROBLEMS = {
    "dangling.json": "points to nothing",
    "loop1.xml": "loops",
    "loop2.xml": "loops",
    "pipe.xml": "named pipe",
    "up": "symbolic link loop",
}


def test_the_command_line_names_every_entry_it_cannot_read(folder: Path) -> None:
    done = run("check", str(folder), "--format", "json")
    assert done.returncode == 2, done.stderr
    doc = json.loads(done.stdout)
    by_name = {Path(i["file"]).name: i for i in doc["inputs"]}
    assert by_name["a.json"]["declarations"] and by_name["b.xml"]["declarations"]
    for name, words in PROBLEMS.items():
        assert words in by_name[name]["error"], (name, by_name[name])
        assert f"{name}: " in done.stderr
    assert "notes.txt" not in by_name


def test_read_paths_hands_each_problem_to_on_error(folder: Path) -> None:
    errors: list[AlcheckError] = []
    decls = list(read_paths([folder], on_error=errors.append))
    assert len(decls) == 2
    assert sorted(Path(e.file or "").name for e in errors if isinstance(e, InputError)) == sorted(
        PROBLEMS
    )


def test_an_unreadable_subfolder_is_named(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root reads any folder, so a refused listing is simulated."""
    real = os.scandir

    def scandir(path: Any) -> Any:
        if Path(path).name == "sub":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = dict(cli._expand([str(folder)]))
    assert found[str(folder / "sub")] == "cannot search the folder: Permission denied"
    assert found[str(folder / "a.json")] is None


def test_a_fifo_named_on_the_command_line_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.json")
    done = run("check", str(tmp_path / "pipe.json"), "--format", "json")
    assert done.returncode == 0 and "empty input" in done.stdout


def test_empty_input_holds_no_declaration_in_every_format(tmp_path: Path) -> None:
    """docs/formats.md: empty input is a NotADeclarationError, noted, not an error."""
    for name in ("empty.xml", "empty.csv", "empty.json", "empty.jsonl", "blank.json"):
        path = tmp_path / name
        path.write_bytes(b"\n  \n" if name.startswith("blank") else b"")
        result = checked(str(path))
        assert result.error is None and result.note == "holds no declaration: empty input", name
    done = run("check", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr


# CSV line ends: CR-only files are read, and lines are split in linear time.

CSV_ROWS = [
    "declaration_id,jurisdiction,entry_date,tariff_code,origin,description",
    "R1,US,2026-01-05,7606.12.3090,CA,sheet",
    'R2,US,2026-01-05,7606.12.3090,CA,"two\rlines"',
    "R3,US,2026-01-05,7606.12.3090,CA,coil",
]


@pytest.mark.parametrize("end", ["\r", "\r\n", "\n"])
def test_csv_with_any_line_end_is_read_row_by_row(end: str) -> None:
    data = (end.join(CSV_ROWS) + end).encode("utf-8")
    decls = list(read(io.BytesIO(data)))
    assert [d.id for d in decls] == ["R1", "R2", "R3"]
    # A lone CR in a quoted cell is a line of a CR file, not of an LF or CRLF one.
    lines = [2, 3, 5] if end == "\r" else [2, 3, 4]
    assert [d.location.line for d in decls if d.location] == lines
    assert decls[1].items[0].description == "two\rlines"


def _best_of_three(run: Any) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _read_long_line(size: int) -> None:
    data = b"declaration_id,origin\n" + b"x" * size  # one row, no line end
    with pytest.raises(InputError, match="field larger than field limit"):
        list(read(io.BytesIO(data)))


def test_a_long_line_is_read_in_linear_time() -> None:
    """A ratio of costs measured in one run at two sizes, with a generous factor: the old
    splitter copied and searched its growing buffer once a chunk (quadratic; a 200 MB
    file without line ends took 228 s)."""
    small = _best_of_three(lambda: _read_long_line(2 << 20))
    big = _best_of_three(lambda: _read_long_line(32 << 20))
    # Quadratic, 16 times the bytes cost 25 times as much a byte (6 s against 15 ms); a
    # loaded machine's page faults on fresh memory made it up to 4 times, linear.
    assert big / 16 < 8 * small + 0.002, (small, big)


@pytest.mark.parametrize("line", [b"x" * 1000, b"a,b\r", b"a,b\n"], ids=["no-end", "cr", "lf"])
def test_splitting_lines_is_linear(line: bytes) -> None:
    from alcheck.formats.csv_format import physical_lines

    def split(size: int) -> float:
        data = line * (size // len(line))
        return _best_of_three(lambda: sum(1 for _ in physical_lines(io.BytesIO(data))))

    small, big = split(1 << 20), split(8 << 20)
    assert big / 8 < 5 * small + 0.002, (small, big)  # quadratic: 8 and more


# The property: findings or an error naming file and line, every row before it read.

ROW = st.one_of(
    st.builds(lambda k: f"R{k},US,2026-01-05,7606.12.3090,CA,sheet", st.integers(0, 10**6)),
    st.sampled_from(["R\udcff,US", '"open quote,US', "\x00,US"]),
)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW, max_size=6), end=st.sampled_from(["\n", "\r\n", "\r"]))
def test_csv_rows_before_an_error_are_checked(tmp_path: Path, rows: list[str], end: str) -> None:
    header = "declaration_id,jurisdiction,entry_date,tariff_code,origin,description"
    data = (end.join([header, *rows]) + end).encode("utf-8", errors="surrogateescape")
    path = tmp_path / "p.csv"
    path.write_bytes(data)
    result = checked(str(path))
    bad = next((k for k, r in enumerate(rows) if not r.startswith("R") or "\udcff" in r), None)
    if bad is not None and "\udcff" in rows[bad]:
        read_ids = [r.split(",")[0] for r in rows[:bad]]
        assert [d.id for d in result.declarations] == list(dict.fromkeys(read_ids))
        assert result.error is not None and result.error_line == bad + 2
    assert result.error is None or "alcheck failed" not in result.error
    assert result.error is not None or result.note is not None or len(result.declarations) >= 1
    if result.error is None and result.declarations:
        for decl in result.declarations:
            assert all(f.location is not None for f in decl.findings)
    assert alcheck.IMPLEMENTATION in ("cython", "python")


def test_a_name_the_system_refuses_is_that_inputs_problem(tmp_path: Path) -> None:
    long = str(tmp_path / ("x" * 5000))
    assert list(cli._expand([long, str(EX / "us-clean.json")])) == [
        (long, "cannot read: File name too long"),
        (str(EX / "us-clean.json"), None),
    ]
    result = checked(long)
    assert result.error == "cannot read: File name too long"
