"""Nothing lost, no traceback: one bad input is that file's error, and what was read of it
is checked (tracker issue "Nothing lost, no traceback, no hang", items 1 and 2).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import alcheck
from alcheck import cli
from alcheck.errors import InputError
from alcheck.formats import write_wco_xml
from alcheck.model import Declaration, lenient_declaration
from checking import BUILTIN_ONLY, checked

ROOT = Path(__file__).resolve().parent.parent
EX = ROOT / "examples"


def declaration(ident: str, **item: Any) -> dict[str, Any]:
    """A declaration that the built-in checks find nothing wrong with."""
    good = {
        "line": 1, "tariff_declared": "7606.12.3090", "description": "sheet", "origin": "CA",
        "net_mass_kg": "100", "value": "400", "currency": "USD",
    }  # fmt: skip
    return {
        "id": ident, "jurisdiction": "US", "entry_date": "2026-01-05", "regime": "consumption",
        "items": [good | item],
    }  # fmt: skip


def ids(result: cli.CheckedFile) -> list[str | None]:
    return [d.id for d in result.declarations]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alcheck", *args], capture_output=True, text=True, timeout=300,
        cwd=ROOT,
    )  # fmt: skip


# 1. One bad file no longer ends the run.


def test_a_json_number_of_5000_digits_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    text = json.dumps(declaration("BIG")).replace('"100"', "9" * 5000)
    (tmp_path / "big.json").write_text(text, encoding="utf-8")
    result = checked(str(tmp_path / "big.json"))
    assert result.error is None and ids(result) == ["BIG"]
    (found,) = [f for d in result.declarations for f in d.findings if f.rule_id == "SYN-VALUE"]
    assert found.field == "items[1].net_mass_kg" and found.value == "9" * 5000


def test_an_integer_line_past_the_digit_limit_is_kept_as_given() -> None:
    data = declaration("L")
    data["items"][0]["line"] = "7" * 5000
    decl = lenient_declaration(data)
    assert decl.items[0].line is None and decl.items[0].invalid == {"line": "7" * 5000}


def test_the_command_line_reports_the_good_files_when_one_is_bad(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(declaration("A")), encoding="utf-8")
    bad = json.dumps([declaration("B1"), 5, declaration("B3")])
    (tmp_path / "b.json").write_text(bad, encoding="utf-8")
    (tmp_path / "c.json").write_text(json.dumps(declaration("C")), encoding="utf-8")
    done = run("check", str(tmp_path), "--format", "json", "--fail-on", "never")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    doc = json.loads(done.stdout)
    by_name = {Path(i["file"]).name: i for i in doc["inputs"]}
    assert [d["id"] for d in by_name["b.json"]["declarations"]] == ["B1", "B3"]
    assert by_name["b.json"]["error"] and by_name["b.json"]["error_line"] == 1
    assert by_name["a.json"]["declarations"] and by_name["c.json"]["declarations"]
    assert "b.json:1: entry /1 is a number" in done.stderr


def test_an_error_alcheck_did_not_foresee_is_that_files_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever a reader raises: the file's error, with what was read before it."""
    good = tmp_path / "good.json"
    good.write_text(json.dumps(declaration("G")), encoding="utf-8")
    real_read = alcheck.formats.read  # what `read_columns` reads other formats with

    def flaky(source: Any, **kwargs: Any) -> Iterator[Declaration]:
        yield from real_read(good, **kwargs)
        if source != str(good):
            raise RuntimeError("boom")

    monkeypatch.setattr(alcheck.formats, "read", flaky)
    result = checked(str(tmp_path / "other.json"))
    assert ids(result) == ["G"]
    assert result.error is not None and "RuntimeError: boom" in result.error
    assert ids(checked(str(good))) == ["G"] and checked(str(good)).error is None


# 2. Declarations read before an input error are checked, then the error is reported.


def test_check_judges_what_was_read_before_the_reader_failed() -> None:
    def reader() -> Iterator[Declaration]:
        for k in range(5):
            yield lenient_declaration(declaration(f"D{k}"))
        raise InputError("broken", file="f.json", line=6)

    seen: list[str | None] = []
    with pytest.raises(InputError, match="f.json:6: broken"):
        for result in alcheck.check(reader(), rules=BUILTIN_ONLY):
            seen.append(result.declaration.id)
    assert seen == ["D0", "D1", "D2", "D3", "D4"]


def test_a_truncated_xml_reports_the_declarations_before_the_cut(tmp_path: Path) -> None:
    decls = [lenient_declaration(declaration(f"X{k:02d}")) for k in range(22)]
    buffer = io.BytesIO()
    write_wco_xml(decls, buffer)
    data = buffer.getvalue()
    cut = data.rindex(b"<md:MetaData")  # the 22nd declaration is cut off
    path = tmp_path / "cut.xml"
    path.write_bytes(data[: cut + 200])
    result = checked(str(path))
    assert ids(result) == [f"X{k:02d}" for k in range(21)]
    assert result.error is not None and "not well-formed" in result.error
    assert result.error_line is not None and result.error_line > 1


def test_jsonl_with_a_bad_line_6_reports_the_other_lines(tmp_path: Path) -> None:
    lines = [json.dumps(declaration(f"L{k}")) for k in range(1, 6)]
    lines += ['{"id": "L6", "items": [', json.dumps(declaration("L7"))]
    path = tmp_path / "six.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = checked(str(path))
    assert ids(result) == ["L1", "L2", "L3", "L4", "L5", "L7"]
    assert result.error is not None and result.error.startswith("not valid JSON")
    assert result.error_line == 6


def test_a_csv_with_a_bad_byte_reports_the_rows_before_it(tmp_path: Path) -> None:
    rows = [b"declaration_id,jurisdiction,tariff_code,origin,description"]
    rows += [b"C1,US,7606.12.3090,CA,sheet", b"C2,US,7606.12.3090,CA,sheet"]
    rows += [b"C3,US,7606.12.3090,C\xff,sheet", b"C4,US,7606.12.3090,CA,sheet"]
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\n".join(rows) + b"\n")
    result = checked(str(path))
    assert ids(result) == ["C1", "C2"]
    assert result.error is not None and "not UTF-8" in result.error and result.error_line == 4


def test_python_ints_past_the_digit_limit_are_kept_as_given() -> None:
    """The API takes Python ints as well: one past the int-string limit is no value."""
    big = int("7" * 4000) * 10**1000
    decl = lenient_declaration(
        {"id": "P", "entry_date": big, "items": [{"line": big, "net_mass_kg": big}]}
    )
    assert decl.entry_date is None and decl.items[0].line is None
    assert set(decl.items[0].invalid) == {"line", "net_mass_kg"}
    found = alcheck.validate(decl, rules=BUILTIN_ONLY)
    assert {f.field for f in found if f.rule_id == "SYN-VALUE"} == {
        "entry_date", "items[#1].line", "items[#1].net_mass_kg",
    }  # fmt: skip


def test_an_invalid_value_given_beside_one_found_is_kept_too() -> None:
    data = declaration("G", net_mass_kg="abc", invalid={"net_mass_kg": "12 LBR"})
    item = lenient_declaration(data).items[0]
    assert item.invalid == {"net_mass_kg": "abc", "net_mass_kg (given)": "12 LBR"}
