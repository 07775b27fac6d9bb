"""Rule ids on the command line are checked against the packs loaded (issue 19, item 1):
any case, comma lists, and an id that names no rule is a usage error that says which
ids are near."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from alcheck.cli import main

EX = Path(__file__).resolve().parent.parent / "examples"


def _ids(tmp_path: Path, *options: str) -> list[str]:
    out = tmp_path / "r.json"
    code = main(["check", "--format", "json", "--fail-on", "never", "-o", str(out), *options,
                 str(EX / "us-triggers.xml")])  # fmt: skip
    assert code == 0
    doc: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return [f["rule_id"] for i in doc["inputs"] for d in i["declarations"] for f in d["findings"]]


def test_any_case_selects_the_same_rules(tmp_path: Path) -> None:
    upper = _ids(tmp_path, "--select", "US-232")
    assert upper and all(r.startswith("US-232") for r in upper)
    assert _ids(tmp_path, "--select", "us-232") == upper


def test_a_comma_list_is_the_option_given_twice(tmp_path: Path) -> None:
    listed = _ids(tmp_path, "--select", "US-232,us-aim-license")
    assert listed == _ids(tmp_path, "--select", "US-232", "--select", "US-AIM-LICENSE")
    assert {"US-AIM-LICENSE"} < set(listed)


@pytest.mark.parametrize(
    ("option", "value", "near"),
    [
        ("--select", "US-232-DUTIES", "US-232-DUTY"),
        ("--ignore", "US-AIM-LICENCE", "US-AIM-LICENSE"),
        ("--severity", "US-AIM-LICENCE=info", "US-AIM-LICENSE"),
        ("--select", "US-232,NOPE", None),
    ],
)
def test_an_id_that_names_no_rule_is_a_usage_error(
    option: str, value: str, near: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", option, value, str(EX / "us-clean.xml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("alcheck: ") and "is no rule id nor the start of one" in err
    if near is not None:
        assert f"did you mean {near}" in err


def test_severity_takes_any_case(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    main(["check", "--format", "json", "--fail-on", "never", "-o", str(out), "--severity",
          "us-aim-license=info", str(EX / "us-triggers.xml")])  # fmt: skip
    doc = json.loads(out.read_text(encoding="utf-8"))
    levels = {f["severity"] for i in doc["inputs"] for d in i["declarations"]
              for f in d["findings"] if f["rule_id"] == "US-AIM-LICENSE"}  # fmt: skip
    assert levels == {"info"}
