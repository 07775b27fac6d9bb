"""`[tool.alcheck]` in pyproject.toml, or alcheck.toml, sets the options of `alcheck check`
as ruff's settings do (issue 19, item 1); the command line wins."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alcheck.cli import main

EX = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    cwd = Path.cwd()
    (tmp_path / "sub").mkdir()
    os.chdir(tmp_path / "sub")  # settings are found from here up
    try:
        yield tmp_path
    finally:
        os.chdir(cwd)


def _rule_ids(out: Path) -> set[str]:
    doc: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return {f["rule_id"] for i in doc["inputs"] for d in i["declarations"] for f in d["findings"]}


def test_pyproject_settings_apply_and_the_command_line_wins(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "broker"\n\n[tool.alcheck]\nselect = ["US-AIM"]\n'
        'format = "json"\nfail_on = "never"\n',
        encoding="utf-8",
    )
    out = project / "r.json"
    assert main(["check", "-o", str(out), str(EX / "us-triggers.xml")]) == 0
    assert _rule_ids(out) == {"US-AIM-LICENSE"}
    assert main(["check", "-o", str(out), "--select", "US-232", str(EX / "us-triggers.xml")]) == 0
    assert _rule_ids(out) and all(r.startswith("US-232") for r in _rule_ids(out))
    assert main(["check", "--no-config", "-o", str(out), str(EX / "us-triggers.xml")]) == 1


def test_alcheck_toml_comes_first_and_a_wrong_key_is_named(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.alcheck]\nselect = ["US-232"]\n')
    (project / "alcheck.toml").write_text('selct = ["US-AIM"]\n', encoding="utf-8")
    assert main(["check", str(EX / "us-clean.xml")]) == 2
    err = capsys.readouterr().err
    assert "alcheck.toml: unknown setting 'selct'; did you mean 'select'?" in err
    (project / "alcheck.toml").write_text('fail-on = "sometimes"\n', encoding="utf-8")
    assert main(["check", str(EX / "us-clean.xml")]) == 2
    assert "fail-on must be one of error, warning, never" in capsys.readouterr().err
