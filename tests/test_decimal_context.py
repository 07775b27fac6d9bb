"""alcheck's results do not depend on the decimal context the calling thread has set.

A host application may lower the precision, change the rounding or clear the traps of
its thread's context; unit values in messages, statistics and what counts as a number
must come out as under Python's default context.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import alcheck
from alcheck.report.stats_render import render_stats_text
from alcheck.stats import compute_stats

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = decimal.Context(prec=3, rounding=decimal.ROUND_DOWN, traps=[])


def _foil(tmp_path: Path) -> Path:
    """The Mexican foil example, with a unit value of many digits (3.3322… USD/kg)."""
    xml = (ROOT / "examples" / "mx-triggers.xml").read_text(encoding="utf-8")
    xml = xml.replace(
        '<NetNetWeightMeasure unitCode="KGM">10000</NetNetWeightMeasure>',
        '<NetNetWeightMeasure unitCode="KGM">9003</NetNetWeightMeasure>',
    )
    path = tmp_path / "foil.xml"
    path.write_text(xml, encoding="utf-8")
    return path


def _both(run: Callable[[], Any]) -> tuple[Any, Any]:
    with decimal.localcontext(decimal.Context()):
        expected = run()
    with decimal.localcontext(HOSTILE):
        got = run()
    return got, expected


def test_unit_values_in_messages(tmp_path: Path) -> None:
    path = _foil(tmp_path)
    for run in (
        lambda: [f.message for f in alcheck.validate(alcheck.read(path))],
        lambda: [f.message for f in alcheck.screen_xml(path)],
    ):
        got, expected = _both(run)
        assert got == expected
        assert any("3.3322 USD/kg" in message for message in expected)


def test_statistics(tmp_path: Path) -> None:
    paths = [_foil(tmp_path), *sorted((ROOT / "examples").glob("*.xml"))]

    def run() -> str:
        return render_stats_text(compute_stats(d for p in paths for d in alcheck.read(p)))

    got, expected = _both(run)
    assert got == expected


def test_what_counts_as_a_number() -> None:
    """With InvalidOperation not trapped, Decimal("abc") is NaN instead of an error."""
    item = {"line": 1, "tariff_declared": "7601.10", "net_mass_kg": "abc", "value": "1e999"}

    def run() -> Any:
        decl = alcheck.model.lenient_declaration({"id": "D", "items": [item]})
        return decl.items[0].invalid, decl.items[0].net_mass_kg, decl.items[0].value

    got, expected = _both(run)
    assert got == expected == ({"net_mass_kg": "abc", "value": "1e999"}, None, None)
