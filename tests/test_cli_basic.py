"""The command line on the bundled examples: JSON report, exit codes, unreadable files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CLEAN = EXAMPLES / "us-clean.json"
BAD_CODES = EXAMPLES / "us-bad-codes.json"


def _entry_point() -> list[str]:
    """Return the installed `alcheck` script beside this interpreter."""
    script = Path(sys.executable).parent / ("alcheck.exe" if os.name == "nt" else "alcheck")
    assert script.is_file(), f"the alcheck entry point is not installed: {script}"
    return [str(script)]


def alcheck(*args: str | Path, cwd: Path, module: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "alcheck"] if module else _entry_point()
    return subprocess.run(
        [*command, *map(str, args)], cwd=cwd, capture_output=True, text=True, check=False
    )


def report(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """Return the JSON report with two conveniences: every finding, and every input error."""
    doc: dict[str, Any] = json.loads(result.stdout)
    doc["findings"] = [f for i in doc["inputs"] for d in i["declarations"] for f in d["findings"]]
    doc["input_errors"] = [
        f"{i['file']}:{i['error_line']}: {i['error']}" for i in doc["inputs"] if i["error"]
    ]
    doc["declarations"] = doc["summary"]["declarations"]
    return doc


@pytest.mark.parametrize("module", [False, True], ids=["entry-point", "python-m"])
def test_bad_codes_are_listed_with_rule_severity_message_and_location(
    tmp_path: Path, module: bool
) -> None:
    result = alcheck("check", BAD_CODES, "--format", "json", cwd=tmp_path, module=module)
    assert result.returncode == 1, result.stderr
    doc = report(result)
    assert doc["declarations"] == 1 and doc["input_errors"] == []
    # The rule packs may add their own findings; the built-in checks find exactly these.
    builtin = [f for f in doc["findings"] if f["pack"] == "builtin"]
    found = {(f["rule_id"], f["severity"], f["field"]) for f in builtin}
    assert found == {
        ("CAT-TARIFF", "error", "items[1].tariff_declared"),
        ("SYN-VALUE", "error", "items[1].net_mass_kg"),
        ("CAT-COUNTRY", "error", "items[2].origin"),
    }
    for finding in doc["findings"]:
        assert finding["message"]
        assert finding["location"]["file"] == str(BAD_CODES)
        assert finding["declaration_id"] == "US-ENT-2026-000418"


def test_a_clean_file_exits_zero(tmp_path: Path) -> None:
    result = alcheck("check", CLEAN, "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    doc = report(result)
    assert doc["declarations"] == 1 and doc["findings"] == [] and doc["input_errors"] == []


def test_the_text_report_names_rules_and_counts(tmp_path: Path) -> None:
    result = alcheck("check", CLEAN, BAD_CODES, cwd=tmp_path)
    assert result.returncode == 1
    for rule_id in ("CAT-TARIFF", "SYN-VALUE", "CAT-COUNTRY"):
        assert rule_id in result.stdout
    assert "2 declaration(s) in 2 input(s)" in result.stdout


def test_fail_on_never_exits_zero_despite_errors(tmp_path: Path) -> None:
    assert alcheck("check", "--fail-on", "never", BAD_CODES, cwd=tmp_path).returncode == 0


def test_an_unreadable_file_exits_two_and_the_good_files_are_still_reported(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "id": "X",\n  "items": [oops]\n}\n', encoding="utf-8")
    result = alcheck("check", BAD_CODES, broken, CLEAN, "--format", "json", cwd=tmp_path)
    assert result.returncode == 2
    assert f"{broken}:3" in result.stderr
    doc = report(result)
    assert len(doc["input_errors"]) == 1 and f"{broken}:3" in doc["input_errors"][0]
    assert doc["declarations"] == 2
    assert {f["rule_id"] for f in doc["findings"] if f["pack"] == "builtin"} == {
        "CAT-TARIFF",
        "SYN-VALUE",
        "CAT-COUNTRY",
    }


def test_a_missing_file_exits_two(tmp_path: Path) -> None:
    result = alcheck("check", tmp_path / "nowhere.json", cwd=tmp_path)
    assert result.returncode == 2
    assert "nowhere.json" in result.stderr


def test_the_examples_can_be_checked_from_a_copy(tmp_path: Path) -> None:
    copy = tmp_path / "us-bad-codes.json"
    shutil.copy(BAD_CODES, copy)
    result = alcheck("check", "us-bad-codes.json", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    assert {f["location"]["file"] for f in report(result)["findings"]} == {"us-bad-codes.json"}
