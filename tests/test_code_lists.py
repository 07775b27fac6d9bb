"""Code lists as data: built from ../shared, read with their rows' windows, replaceable by name."""

from __future__ import annotations

import datetime as dt
import importlib.util
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from types import ModuleType

import pytest

import alcheck
import alcheck.screening
from alcheck.errors import RulePackError
from alcheck.rules import bundled_pack_names, load_bundled, load_pack, load_pack_text
from alcheck.rules.loader import read_code_list
from alcheck.ruleset import RuleSet

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "build_code_lists.py"
PACKS = files("alcheck").joinpath("rules/packs")


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_code_lists", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def engine_kernel(kernel: ModuleType, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setattr(alcheck.screening, "kernel", kernel)
    return kernel


# The bundled lists --------------------------------------------------------------------------


def test_bundled_lists_are_built_from_the_shared_official_lists(shared_dir: Path) -> None:
    built = _builder().build(shared_dir / "data")
    assert built, "no list built"
    for relative, text in built.items():
        assert PACKS.joinpath(relative).read_text(encoding="utf-8") == text, relative


def test_every_bundled_list_is_declared_by_a_pack_and_loads_whole() -> None:
    declared = {
        cl.path: (name, len(cl.rows))
        for pack in map(load_bundled, bundled_pack_names())
        for name, cl in pack.lists.items()
    }
    # Row counts as ../shared/data/SOURCES-lists.md gives them.
    assert {path: rows for path, (_, rows) in declared.items()} == {
        "us/note19_g.csv": 8, "us/note19_i.csv": 6, "us/note19_j.csv": 24,
        "us/note19_k.csv": 225, "us/note16_c_i.csv": 9, "us/note16_c_ii.csv": 17,
        "us/note16_c_vi.csv": 106, "us/note16_c_ix.csv": 18, "us/proc11021_annex_ii.csv": 120,
        "ca/sor2025_95_schedule_1.csv": 2, "ca/sor2025_95_schedule_1_1.csv": 27,
    }  # fmt: skip
    for pack in map(load_bundled, bundled_pack_names()):
        for name, cl in pack.lists.items():
            assert cl.provenance and "SOURCES-lists.md" in cl.provenance, name
            assert cl.instrument and cl.title, name


def test_list_rows_keep_the_windows_of_their_source() -> None:
    rows = {r.code: r for r in load_bundled("us").lists["note19_k"].rows}
    assert rows["9401.99.9081"].valid_to == dt.date(2025, 6, 30)
    assert rows["9401.99.9030"].valid_from == dt.date(2025, 7, 1)
    assert rows["2203.00.00"].valid_from == dt.date(2025, 4, 4)
    assert sum(r.valid_from == dt.date(2025, 8, 18) for r in rows.values()) == 118
    vi = load_bundled("us").lists["note16_c_vi"].rows
    plates = [r for r in vi if r.code.startswith("3701.30")]
    assert [(r.valid_from, r.valid_to) for r in plates] == [(dt.date(2026, 6, 8), None)]


# Row windows in the engine --------------------------------------------------------------------

LOCAL = """
[pack]
name = "house"
version = "1"
jurisdiction = "US"
title = "House rules"

[lists.watch]
file = "watch.csv"
title = "Codes on watch"
instrument = "House notice 1"

[[rules]]
id = "HOUSE-WATCH"
severity = "warning"
class = "risk"
summary = "A watched code"
field = "tariff_declared"
message = { en = "HTS {tariff} is watched ({why})", fr = "HTS {tariff} surveillé ({why})", es = "HTS {tariff} vigilado ({why})" }
hint = { en = "Review.", fr = "Revoir.", es = "Revisar." }
citation = { instrument = "House notice 1", url = "https://example.org/notice" }
when.origin_not = ["US"]

[[rules.entries]]
valid_from = 2026-01-01
when.tariff = ["@watch"]
params = { why = "list" }
cases = [
  { expect = "fire", note = "row in force", declaration = { entry_date = "2026-03-01" }, item = { tariff_declared = "7604.10.1000", origin = "CN" } },
  { expect = "pass", note = "row ended", declaration = { entry_date = "2026-04-01" }, item = { tariff_declared = "7604.10.1000", origin = "CN" } },
]

[[rules.entries]]
valid_from = 2026-01-01
when.tariff = ["@note16_c_ix"]
params = { why = "bundled list (ix)" }
cases = [
  { expect = "fire", note = "a (ix) code", declaration = { entry_date = "2026-05-01" }, item = { tariff_declared = "8424.89.9000", origin = "CN" } },
]
"""
WATCH = "code,heading,valid_from,valid_to,note\n7604.10,,2026-02-01,2026-03-31,one quarter\n"


def _local(tmp_path: Path, watch: str = WATCH, text: str = LOCAL) -> Path:
    (tmp_path / "watch.csv").write_text(watch, encoding="utf-8")
    (tmp_path / "house.toml").write_text(text, encoding="utf-8")
    return tmp_path / "house.toml"


def _finding_ids(rules: RuleSet, day: str, tariff: str) -> list[tuple[str, int]]:
    decl = alcheck.Declaration.model_validate(
        {
            "id": "E-1", "jurisdiction": "US", "entry_date": day, "regime": "consumption",
            "items": [{"line": 1, "tariff_declared": tariff, "origin": "CN", "smelt1": "CN",
                       "cast": "CN", "value": "100", "currency": "USD", "net_mass_kg": "10"}],
        }
    )  # fmt: skip
    return [(f.rule_id, f.variant) for f in alcheck.validate(decl, rules=rules)]


@pytest.mark.parametrize(
    ("day", "fires"),
    [("2026-01-31", False), ("2026-02-01", True), ("2026-03-31", True), ("2026-04-01", False)],
)
def test_a_list_row_counts_only_on_its_own_dates(
    tmp_path: Path, engine_kernel: ModuleType, day: str, fires: bool
) -> None:
    rules = RuleSet.compile([*bundled_pack_names(), load_pack(_local(tmp_path))])
    assert (("HOUSE-WATCH", 0) in _finding_ids(rules, day, "7604.10.5000")) is fires


def test_a_local_pack_uses_and_replaces_bundled_lists_by_name(
    tmp_path: Path, engine_kernel: ModuleType
) -> None:
    local = load_pack(_local(tmp_path))
    rules = RuleSet.compile([*bundled_pack_names(), local])
    assert ("HOUSE-WATCH", 1) in _finding_ids(rules, "2026-05-01", "8424.89.9000")
    # The house pack now replaces (ix) with its own file: the bundled code is gone.
    (tmp_path / "ix.csv").write_text(
        "code,heading,valid_from,valid_to,note\n8425.11,,2026-01-01,,\n", encoding="utf-8"
    )
    replacing = LOCAL + (
        '\n[lists.note16_c_ix]\nfile = "ix.csv"\ntitle = "(ix), house copy"\n'
        'instrument = "HTSUS chapter 99, U.S. note 16(c)(ix)"\n'
    )
    rules = RuleSet.compile([*bundled_pack_names(), load_pack(_local(tmp_path, text=replacing))])
    assert ("HOUSE-WATCH", 1) not in _finding_ids(rules, "2026-05-01", "8424.89.9000")
    assert ("HOUSE-WATCH", 1) in _finding_ids(rules, "2026-05-01", "8425.11.0000")
    assert rules.list_owners["note16_c_ix"] == "house"
    assert rules.code_lists["note16_c_ix"].title == "(ix), house copy"


def test_the_golden_cases_of_a_pack_with_lists_hold(
    tmp_path: Path, engine_kernel: ModuleType
) -> None:
    from alcheck.rules.golden import run_golden_cases

    local = load_pack(_local(tmp_path))
    assert run_golden_cases(local, RuleSet.compile([*bundled_pack_names(), local])) == []


def test_a_rule_naming_a_list_no_pack_declares_is_refused(tmp_path: Path) -> None:
    text = LOCAL.replace('["@note16_c_ix"]', '["@note16_c_xi"]')
    local = load_pack(_local(tmp_path, text=text))
    with pytest.raises(RulePackError, match=r"house\.toml: rule HOUSE-WATCH: no pack names"):
        RuleSet.compile([*bundled_pack_names(), local])


def test_the_command_line_loads_a_replacement_list(tmp_path: Path) -> None:
    local = _local(tmp_path)
    entry = tmp_path / "entry.json"
    entry.write_text(
        '[{"id": "E-1", "jurisdiction": "US", "entry_date": "2026-03-01", "items": [{"line": 1, '
        '"tariff_declared": "7604.10.5000", "origin": "CN", "export_country": "CN"}]}]',
        encoding="utf-8",
    )
    run = [sys.executable, "-m", "alcheck"]
    out = subprocess.run(
        [*run, "check", "--pack", str(local), "--select", "HOUSE", str(entry)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "HOUSE-WATCH" in out.stdout and "7604.10.5000 is watched (list)" in out.stdout
    shown = subprocess.run(
        [*run, "rules", "show", "house", "--pack", str(local)], capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    assert "@watch: Codes on watch (rows: 1; watch.csv)" in shown.stdout
    lint = subprocess.run([*run, "rules", "lint", str(local)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr


# Bad lists and packs: every problem named with its file and line --------------------------


@pytest.mark.parametrize(
    ("csv_text", "problem"),
    [
        ("code,valid_from\n76O4,2026-01-01\n", "watch.csv:2: code: '76O4' is not a tariff code"),
        ("code,valid_from\n7604,01/02/2026\n", "watch.csv:2: valid_from: '01/02/2026' is not a date"),
        ("code,valid_from,valid_to\n7604,2026-01-01,2025-01-01\n", "watch.csv:2: valid_to 2025-01-01 is before"),
        ("code,valid_from,valid_to\n7604,2026-01-01,soon\n", "watch.csv:2: valid_to: 'soon' is not a date"),
        ("tariff,from\n7604,2026-01-01\n", "watch.csv:1: the header needs the columns ['code', 'valid_from']"),
        ("code,valid_from\n7604,2026-01-01,extra\n", "watch.csv:2: more cells than the header"),
        ("code,valid_from\n", "watch.csv: the list has no rows"),
    ],
)  # fmt: skip
def test_a_bad_list_row_is_named_by_file_line_and_column(
    tmp_path: Path, csv_text: str, problem: str
) -> None:
    with pytest.raises(RulePackError) as info:
        load_pack(_local(tmp_path, watch=csv_text))
    assert any(problem in p for p in info.value.problems), info.value.problems


def test_a_missing_list_file_is_a_pack_problem(tmp_path: Path) -> None:
    path = _local(tmp_path)
    (tmp_path / "watch.csv").unlink()
    with pytest.raises(RulePackError, match="list watch: cannot read watch.csv"):
        load_pack(path)


def test_a_pack_read_from_text_cannot_name_list_files() -> None:
    with pytest.raises(RulePackError, match="a pack read from text cannot name files"):
        load_pack_text(LOCAL)


def test_read_code_list_accepts_a_bom_and_optional_columns() -> None:
    rows, problems = read_code_list("\ufeffcode,valid_from\n7604.10,2026-01-01\n", "x.csv")
    assert problems == []
    assert rows[0].digits == "760410" and rows[0].valid_to is None and rows[0].line == 2


# Rules written once, with entries under them --------------------------------------------------


def test_entries_merge_into_their_table_and_name_their_own_lines(tmp_path: Path) -> None:
    pack = load_pack(_local(tmp_path))
    first, second = pack.rules
    assert first.when.origin_not == second.when.origin_not == ["US"]
    assert (first.params, second.params) == ({"why": "list"}, {"why": "bundled list (ix)"})
    lines = LOCAL.splitlines()
    entry_lines = [n for n, line in enumerate(lines, start=1) if line == "[[rules.entries]]"]
    assert pack.rule_lines == entry_lines
    assert pack.table_lines == [lines.index("[[rules]]") + 1] * 2


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("[[rules.entries]]\nvalid_from = 2026-01-01\nwhen.tariff", "[[rules.entries]]\nid = \"X\"\nvalid_from = 2026-01-01\nwhen.tariff"), "an entry cannot change the id"),
        (('when.origin_not = ["US"]', 'when.origin_not = ["US"]\ncases = []'), "golden cases go in its entries"),
        (('params = { why = "list" }', 'params = { why = "list" }\nmessage.en = "HTS {tariff:>9}"'), "placeholders take no format spec"),
    ],
)  # fmt: skip
def test_entry_mistakes_are_refused_with_their_line(
    tmp_path: Path, change: tuple[str, str], problem: str
) -> None:
    old, new = change
    assert old in LOCAL
    with pytest.raises(RulePackError) as info:
        load_pack(_local(tmp_path, text=LOCAL.replace(old, new, 1)))
    assert any(problem in p and "house.toml:" in p for p in info.value.problems), (
        info.value.problems
    )


def test_a_changelog_entry_must_name_a_rule_or_list_of_the_pack(tmp_path: Path) -> None:
    entry = (
        '\n[[changelog]]\ndate = 2026-12-02\nversion = "1"\nrule = "{rule}"\n'
        'change = "c"\nwhy = "w"\ninstrument = "i"\n'
    )
    ok = load_pack(_local(tmp_path, text=LOCAL + entry.format(rule="HOUSE-WATCH")))
    assert ok.changelog[0].rule == "HOUSE-WATCH"
    with pytest.raises(RulePackError, match="'HOUSE-WACTH' is not a rule id or list"):
        load_pack(_local(tmp_path, text=LOCAL + entry.format(rule="HOUSE-WACTH")))


def test_every_bundled_rule_id_is_written_once() -> None:
    for name in bundled_pack_names():
        pack = load_bundled(name)
        tables: dict[str, set[int]] = {}
        for rule, line in zip(pack.rules, pack.table_lines, strict=True):
            tables.setdefault(rule.id, set()).add(line)
        assert {rid: ls for rid, ls in tables.items() if len(ls) > 1} == {}, name


def test_every_bundled_pack_has_a_version_and_a_changelog_naming_its_rules() -> None:
    for name in bundled_pack_names():
        pack = load_bundled(name)
        assert pack.changelog, name
        newest = max(pack.changelog, key=lambda c: c.date)
        assert newest.version == pack.pack.version, name


def test_rules_show_gives_a_rule_its_changes_and_a_pack_its_lists() -> None:
    from alcheck.explanation import describe_pack

    rules = RuleSet.default()
    changed = {c.rule for _, c in rules.changelog} & set(rules.ids())
    assert changed
    rid = sorted(changed)[0]
    text = alcheck.explain(rid, rules).text()
    assert "changes:" in text and str(rules.changes(rid)[0].date) in text
    page = describe_pack("us", rules)
    assert "@note19_k" in page and "(rows: 225; us/note19_k.csv)" in page
    assert "SOURCES-lists.md" in page
