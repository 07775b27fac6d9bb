"""The packaged HS 2022 table is exactly what scripts/build_hs_table.py makes from ../shared."""

from __future__ import annotations

import csv
import importlib.util
import io
from importlib.resources import files
from pathlib import Path
from types import ModuleType

from alcheck.codes.hs import hs6_codes, hs_description, is_hs6

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "build_hs_table.py"


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_hs_table", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _packaged() -> str:
    return files("alcheck.codes").joinpath("data/hs2022.csv").read_text(encoding="utf-8")


def test_packaged_table_is_built_from_the_shared_csv(shared_dir: Path) -> None:
    built = _builder().build(shared_dir / "data" / "hs2022.csv")
    assert _packaged() == built


def test_packaged_table_has_every_hs2022_subheading() -> None:
    rows = list(csv.DictReader(io.StringIO(_packaged())))
    six = [r["code"] for r in rows if len(r["code"]) == 6]
    assert len(six) == len(set(six)) == 5612
    assert len([c for c in six if c.startswith("76")]) == 35
    assert len(hs6_codes()) == 5612
    assert all(r["code"].isdigit() and len(r["code"]) in (2, 4, 6) for r in rows)


def test_lookups_read_the_table() -> None:
    assert is_hs6("760612")
    assert not is_hs6("999999") and not is_hs6("76")
    assert hs_description("76") is not None and "luminium" in (hs_description("76") or "")
    assert hs_description("760899") is None
