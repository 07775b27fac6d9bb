"""The example files are current and each triggers exactly what it says."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

import alcheck
from alcheck.rules import bundled_pack_names, load_bundled

ROOT = Path(__file__).resolve().parent.parent


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_examples", ROOT / "scripts" / "make_examples.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_examples"] = module
    spec.loader.exec_module(module)
    return module


def test_generated_examples_are_current() -> None:
    for name, content in _script().expected_files().items():
        assert (ROOT / "examples" / name).read_bytes() == content, (
            f"run scripts/make_examples.py ({name})"
        )


@pytest.mark.parametrize("name", bundled_pack_names())
@pytest.mark.parametrize("suffix", ["xml", "csv"])
def test_triggers_fire_every_rule_of_the_pack(name: str, suffix: str) -> None:
    pack = load_bundled(name)
    decls = list(alcheck.read(ROOT / "examples" / f"{name}-triggers.{suffix}"))
    found = alcheck.validate(decls)
    for decl in decls:
        rule_id = decl.id.rsplit("-", 1)[0] if decl.id else ""
        assert any(
            f.rule_id == rule_id and f.declaration_id == decl.id and f.evaluated for f in found
        ), decl.id
    assert {r.id for r in pack.rules} <= {f.rule_id for f in found}


@pytest.mark.parametrize(
    "name", [n for n in bundled_pack_names() if load_bundled(n).pack.jurisdiction != "*"]
)
@pytest.mark.parametrize("suffix", ["xml", "csv"])
def test_clean_examples_have_no_findings(name: str, suffix: str) -> None:
    decls = list(alcheck.read(ROOT / "examples" / f"{name}-clean.{suffix}"))
    assert decls and alcheck.validate(decls) == []


def test_the_json_examples() -> None:
    assert alcheck.validate(list(alcheck.read(ROOT / "examples" / "us-clean.json"))) == []
    found = {
        f.rule_id
        for f in alcheck.validate(list(alcheck.read(ROOT / "examples" / "us-bad-codes.json")))
    }
    assert {"CAT-COUNTRY", "CAT-TARIFF", "SYN-VALUE"} <= found


NATIONAL = [
    "us-clean.ae", "us-triggers.ae", "mx-clean.val", "mx-triggers.val", "ca-clean.cad.xml",
    "ca-triggers.cad.xml",
]  # fmt: skip


@pytest.mark.parametrize("name", NATIONAL)
def test_a_national_example_gives_the_findings_of_the_same_declarations_in_wco_xml(
    name: str,
) -> None:
    """A CBP entry summary, pedimento file or CBSA CAD is judged as the same declarations
    written as WCO XML are: same rules, severities, messages, places in the declaration."""
    import io

    from alcheck.formats import write_wco_xml

    decls = list(alcheck.read(ROOT / "examples" / name))
    assert decls
    xml = io.BytesIO()
    write_wco_xml(decls, xml)
    again = list(alcheck.read(io.BytesIO(xml.getvalue())))

    def seen(found: list[alcheck.Finding]) -> list[tuple[object, ...]]:
        return [
            (f.declaration_id, f.item_line, f.rule_id, f.severity, f.message, f.evaluated)
            for f in found
        ]

    assert seen(alcheck.validate(decls)) == seen(alcheck.validate(again))


def test_the_national_trigger_files_fire_their_packs_rules() -> None:
    fired = {
        f.rule_id
        for name in ("us-triggers.ae", "mx-triggers.val", "ca-triggers.cad.xml")
        for f in alcheck.validate(list(alcheck.read(ROOT / "examples" / name)))
    }
    us = {r.id for r in load_bundled("us").rules}
    mx = {r.id for r in load_bundled("mx").rules}
    ca = {r.id for r in load_bundled("ca").rules}
    assert us <= fired and mx <= fired
    assert ca - fired == set(), "a CA rule no CAD example fires"
