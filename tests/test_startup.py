"""What `alcheck check` pays before reading a file: the bundled packs loaded without their
golden cases, and no module imported that the check of a WCO XML file does not use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from alcheck.rules import bundled_pack_names, load_bundled, loader
from alcheck.rules.lint import lint_pack


@pytest.mark.parametrize("name", bundled_pack_names())
def test_a_bundled_pack_lints_clean(name: str) -> None:
    """A check loads the bundled packs unlinted (`load_bundled(cases=False)`): they ship clean."""
    assert lint_pack(load_bundled(name)) == []


@pytest.mark.parametrize("name", bundled_pack_names())
def test_a_bundled_pack_loads_the_same_rules_without_its_cases(name: str) -> None:
    """Blanking the golden cases leaves every rule, line and list as the full load has them."""
    full = load_bundled(name)
    assert sum(len(r.cases) for r in full.rules) > 0
    without = full.model_copy(
        update={"rules": [r.model_copy(update={"cases": []}) for r in full.rules]}
    )
    fast = load_bundled(name, cases=False)
    assert all(not r.cases for r in fast.rules), "write golden cases as `cases = [` ... `]` lines"
    assert fast == without


ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", bundled_pack_names())
def test_a_bundled_pack_ships_its_rules_as_current_json(name: str) -> None:
    """The JSON a check loads is what the TOML makes now (scripts/export_packs.py), in the
    source tree and in the installed package, and it is the JSON that is loaded."""
    made = loader.bundled_rules_json(name)
    committed = ROOT / "src" / "alcheck" / "rules" / "packs" / f"{name}.rules.json"
    assert committed.read_text(encoding="utf-8") == made, "run: python scripts/export_packs.py"
    shipped = loader._shipped_rules(name)
    assert shipped is not None, "the installed package lacks the JSON, or it is stale"
    assert shipped == loader._bundled_from_toml(name, cases=False)


def test_a_pack_changed_since_its_json_is_read_from_its_toml(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    toml = loader._bundled_from_toml("us", cases=False)
    monkeypatch.setattr(loader, "_digest", lambda data: "changed")
    assert loader._shipped_rules("us") is None
    assert load_bundled("us", cases=False) == toml


# Modules a check of a WCO XML file never uses: the other formats' readers, the other
# reports' writers, the stats page, explanations, golden cases, lint, Arrow, Dask, pools.
DEFERRED = frozenset(
    {
        "alcheck.formats.alcheck_json", "alcheck.formats.catair", "alcheck.formats.csv_format",
        "alcheck.formats.pedimento", "alcheck.formats.loose_columns",
        "alcheck.report.csv_report", "alcheck.report.lines", "alcheck.report.parquet",
        "alcheck.report.stats_render", "alcheck.stats", "alcheck.explanation",
        "alcheck.rules.golden", "alcheck.rules.lint", "alcheck.arrow", "alcheck.dask",
        "pyarrow", "dask", "distributed", "pandas", "numpy", "multiprocessing", "tqdm",
    }
)  # fmt: skip
# What the report of each format loads (SARIF is JSON, indented by the JSON report's
# helper); a run loads no other report's writer.
WRITERS = {
    "json": {"alcheck.report.json_report"},
    "text": {"alcheck.report.text"},
    "sarif": {"alcheck.report.sarif", "alcheck.report.json_report"},
}
ALL_WRITERS = set().union(*WRITERS.values())
ROOT = Path(__file__).resolve().parent.parent


def _modules_after(code: str, *args: str) -> set[str]:
    """Return the modules loaded by running `code` in a fresh interpreter."""
    script = code + "\nimport sys; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=ROOT, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_importing_alcheck_loads_neither_models_nor_readers() -> None:
    loaded = _modules_after("import alcheck")
    assert loaded & {"pydantic", "lxml", "tomllib", "alcheck.model", "alcheck.formats"} == set()


def test_importing_the_command_line_loads_no_deferred_module() -> None:
    loaded = _modules_after("import alcheck.cli, alcheck.formats, alcheck.report")
    assert loaded & (DEFERRED | ALL_WRITERS) == set()


@pytest.mark.parametrize("report", sorted(WRITERS))
def test_checking_a_wco_file_loads_no_deferred_module(report: str, tmp_path: Path) -> None:
    """The whole check: bundled packs compiled, a WCO XML file read, its report written."""
    code = (
        "import sys\nfrom alcheck.console import main\n"
        "assert main(['check', sys.argv[1], '--no-config', '--format', sys.argv[2], "
        "'-o', sys.argv[3]]) == 1"
    )
    out = tmp_path / f"report.{report}"
    loaded = _modules_after(code, "examples/us-triggers.xml", report, str(out))
    assert out.stat().st_size > 0
    assert WRITERS[report] <= loaded
    assert loaded & (DEFERRED | ALL_WRITERS - WRITERS[report]) == set()
