"""Aluminum declarations (US, CA, MX) give exactly the expected pack rule ids on both kernels.

Each scenario is a declaration written for these tests; the expected ids are those of the
rule packs (built-in SYN-/CAT-/STR- checks are left out). A finding that could not be
evaluated (no exchange rate) is written "ID?". The HMRC CDS corpus (jurisdiction GB) may
raise risk flags but never a US-, CA- or MX- rule.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import alcheck
import alcheck.engine
import alcheck.ruleset
from alcheck import Finding, InputError, Severity
from alcheck.model import lenient_declaration
from alcheck.rules import load_bundled
from alcheck.rules.golden import case_declaration
from alcheck.rules.schema import GoldenCase

BUILTIN = ("SYN-", "CAT-", "STR-")


@pytest.fixture
def engine_kernel(kernel: ModuleType, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Run the engine (and the encoder, where it uses the kernel) on one kernel."""
    monkeypatch.setattr(alcheck.engine, "kernel", kernel)
    monkeypatch.setattr(alcheck.ruleset, "kernel", kernel, raising=False)
    return kernel


def pack_ids(findings: Iterable[Finding]) -> set[str]:
    """Return the pack rule ids of findings; "ID?" for a finding that was not evaluated."""
    return {
        f.rule_id + ("" if f.evaluated else "?")
        for f in findings
        if not f.rule_id.startswith(BUILTIN)
    }


def _decl(base: dict[str, Any], item: dict[str, Any], **header: Any) -> dict[str, Any]:
    data = copy.deepcopy(base)
    data.update(header)
    data["items"] = [{**data["items"][0], **item}]
    return data


US = {
    "id": "US-1",
    "jurisdiction": "US",
    "declaration_type": "01",
    "regime": "consumption",
    "entry_date": "2025-09-01",
    "importer": {"name": "Great Lakes Metals Inc.", "id": "US-IMP-1"},
    "items": [
        {
            "line": 1,
            "description": "Aluminium alloy sheet 3003-H14, 1.5 mm, coils",
            "tariff_declared": "7606.12.3090",
            "origin": "CA",
            "export_country": "CA",
            "smelt1": "CA",
            "cast": "CA",
            "net_mass_kg": "20000",
            "value": "76000",
            "currency": "USD",
            "additional_codes": ["9903.85.02"],
            "documents": [{"type": "AIM", "id": "AIM-2025-0001"}, {"type": "COA", "id": "MTC-1"}],
        }
    ],
}

CA = {
    "id": "CA-1",
    "jurisdiction": "CA",
    "declaration_type": "CAD",
    "regime": "consumption",
    "entry_date": "2026-11-02",
    "importer": {"name": "Laurentian Metals Inc.", "id": "123456789RM0001"},
    "exchange_rates": [{"currency": "USD", "to_currency": "CAD", "rate": "1.3889"}],
    "items": [
        {
            "line": 1,
            "description": "Aluminium alloy sheet 5052-H32, 2 mm, coils",
            "tariff_declared": "7606.12.00.20",
            "origin": "DE",
            "export_country": "DE",
            "smelt1": "NO",
            "cast": "DE",
            "net_mass_kg": "20000",
            "value": "84000",
            "currency": "CAD",
            "documents": [{"type": "GIP", "id": "83"}, {"type": "COA", "id": "MTC-1"}],
        }
    ],
}

MX = {
    "id": "MX-1",
    "jurisdiction": "MX",
    "declaration_type": "A1",
    "regime": "consumption",
    "entry_date": "2026-07-01",
    "importer": {"name": "Laminados del Bajío, S.A. de C.V.", "id": "LBA010101AB1"},
    "exchange_rates": [{"currency": "USD", "to_currency": "MXN", "rate": "18.20"}],
    "items": [
        {
            "line": 1,
            "description": "Lámina de aleación de aluminio 3003-H14, 1.5 mm, en rollos",
            "tariff_declared": "7606.12.99.00",
            "origin": "CA",
            "export_country": "CA",
            "smelt1": "CA",
            "cast": "CA",
            "net_mass_kg": "20000",
            "value": "1400000",
            "currency": "MXN",
            "documents": [{"type": "AVA", "id": "AVA-2026-000123"}, {"type": "COA", "id": "MTC-1"}],
        }
    ],
}

CN_METAL = {"origin": "CN", "export_country": "CN", "smelt1": "CN", "cast": "CN"}

SCENARIOS: list[tuple[str, dict[str, Any], set[str]]] = [
    # --- United States -------------------------------------------------------------------
    ("us-clean-canadian-sheet", US, set()),
    (
        "us-mexican-extrusion-with-chinese-smelt-no-licence",
        _decl(
            US,
            {
                "description": "Aluminium alloy profiles 6063-T5",
                "tariff_declared": "7604.29.1000",
                "origin": "MX",
                "export_country": "MX",
                "smelt1": "CN",
                "cast": "MX",
                "documents": [{"type": "COA", "id": "MTC-2"}],
            },
        ),
        # US-ADCVD: the extrusions CVD third-country case C-201-995 (Mexico) is not cited.
        {"US-AIM-LICENSE", "US-ADCVD", "RISK-METAL-ORIGIN-CONCERN", "RISK-REGIONAL-MISMATCH"},
    ),
    (
        "us-chinese-pallets-as-finished-articles",
        _decl(
            US,
            {
                "description": "Aluminium pallets, welded",
                "tariff_declared": "7616.99.5190",
                **CN_METAL,
                "value": "30000",
                "additional_codes": ["9903.85.02"],
                "documents": [],
            },
        ),
        # The Perfectus pattern: extrusions orders A-570-967/C-570-968 not cited, a price
        # below the articles floor, and pallets under a finished-article heading.
        {"US-ADCVD", "RISK-METAL-ORIGIN-CONCERN", "RISK-UNIT-VALUE", "RISK-DESCRIPTION"},
    ),
    (
        "us-unknown-cast-with-the-200-percent-number",
        _decl(US, {"cast": "UN", "additional_codes": ["9903.85.02", "9903.85.67"]}),
        {"RISK-UNKNOWN-METAL-ORIGIN"},
    ),
    (
        "us-scrap-priced-like-sheet-in-eur-without-rate",
        _decl(
            US,
            {
                "description": "Aluminium scrap",
                "tariff_declared": "7602.00.0090",
                "value": "90000",
                "currency": "EUR",
                "additional_codes": [],
            },
        ),
        {"RISK-DESCRIPTION?"},
    ),
    # --- Canada --------------------------------------------------------------------------
    ("ca-clean-german-sheet", CA, set()),
    (
        "ca-us-sheet-countermeasure-surtax",
        _decl(CA, {"origin": "US", "export_country": "US", "smelt1": "US", "cast": "US"}),
        {"CA-SURTAX-US"},
    ),
    (
        "ca-chinese-hollow-profiles",
        _decl(
            CA,
            {
                "description": "Aluminium hollow profiles 6063-T5",
                "tariff_declared": "7604.21.00.10",
                **CN_METAL,
            },
        ),
        {"CA-SURTAX-CN-ORIGIN", "CA-SIMA-EXTRUSIONS", "RISK-METAL-ORIGIN-CONCERN"},
    ),
    (
        "ca-vietnamese-sheet-cast-in-china",
        _decl(CA, {"origin": "VN", "export_country": "VN", "smelt1": "IN", "cast": "CN"}),
        {"CA-SURTAX-CN-METAL", "RISK-METAL-ORIGIN-CONCERN"},
    ),
    (
        "ca-no-permit-no-smelt-no-certificate-after-2026-10-01",
        _decl(CA, {"smelt1": "", "cast": "", "documents": []}),
        {"CA-GIP83", "CA-CSC", "CA-SURTAX-CN-METAL"},
    ),
    (
        "ca-missing-smelt-before-the-production-date-is-information",
        _decl(CA, {"smelt1": ""}, entry_date="2026-09-30"),
        {"CA-CSC"},
    ),
    (
        "ca-small-vietnamese-shipment-under-cad-5000",
        _decl(
            CA,
            {
                "origin": "VN",
                "export_country": "VN",
                "smelt1": "CN",
                "cast": "VN",
                "value": "4800",
                "net_mass_kg": "1000",
            },
        ),
        {"RISK-METAL-ORIGIN-CONCERN"},
    ),
    # --- Mexico --------------------------------------------------------------------------
    ("mx-clean-canadian-sheet", MX, set()),
    (
        "mx-chinese-foil-below-the-reference-price",
        _decl(
            MX,
            {
                "description": "Papel aluminio en bobinas, 0.012 mm",
                "tariff_declared": "7607.11.01.00",
                **CN_METAL,
                "net_mass_kg": "10000",
                "value": "500000",
            },
        ),
        {"MX-AD-FOIL-CN", "RISK-METAL-ORIGIN-CONCERN"},
    ),
    (
        "mx-chinese-foil-without-an-exchange-rate",
        _decl(
            MX,
            {
                "description": "Papel aluminio en bobinas, 0.012 mm",
                "tariff_declared": "7607.11.01.00",
                **CN_METAL,
                "net_mass_kg": "10000",
                "value": "500000",
            },
            exchange_rates=[],
        ),
        {"MX-AD-FOIL-CN?", "RISK-UNIT-VALUE?", "RISK-METAL-ORIGIN-CONCERN"},
    ),
    (
        "mx-no-aviso-no-cast",
        _decl(MX, {"cast": "", "documents": [{"type": "COA", "id": "MTC-1"}]}),
        {"MX-AVISO", "MX-AVISO-METAL-ORIGIN"},
    ),
    (
        "mx-before-the-aviso-date",
        _decl(MX, {"cast": "", "documents": []}, entry_date="2026-05-24"),
        set(),
    ),
    (
        "mx-temporary-import-of-chinese-profiles",
        _decl(
            MX,
            {
                "description": "Perfiles huecos de aluminio",
                "tariff_declared": "7604.21.01.00",
                "origin": "CN",
                "export_country": "CN",
                "smelt1": "N/A",
                "cast": "MX",
                "documents": [],
            },
            regime="temporary",
            declaration_type="IN",
        ),
        {"RISK-DESCRIPTION"},
    ),
    (
        "mx-us-origin-extrusion-with-chinese-metal",
        _decl(
            MX,
            {
                "description": "Perfiles de aluminio 6063",
                "tariff_declared": "7604.29.99.00",
                "origin": "US",
                "export_country": "US",
                "smelt1": "CN",
                "cast": "CN",
            },
        ),
        {"RISK-METAL-ORIGIN-CONCERN", "RISK-REGIONAL-MISMATCH"},
    ),
]


@pytest.mark.parametrize(("name", "data", "expected"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_scenario_gives_exactly_the_expected_rule_ids(
    name: str, data: dict[str, Any], expected: set[str], engine_kernel: ModuleType
) -> None:
    findings = alcheck.validate(lenient_declaration(data))
    assert pack_ids(findings) == expected


def test_scenarios_cover_every_pack_rule_id(engine_kernel: ModuleType) -> None:
    """Every public id of the CA, MX and risk packs is raised by some scenario."""
    raised: set[str] = set()
    for _, data, _ in SCENARIOS:
        raised |= {i.rstrip("?") for i in pack_ids(alcheck.validate(lenient_declaration(data)))}
    public = {
        "CA-GIP83", "CA-CSC", "CA-SURTAX-CN-METAL", "CA-SURTAX-CN-ORIGIN", "CA-SURTAX-US",
        "CA-SIMA-EXTRUSIONS", "MX-AVISO", "MX-AVISO-METAL-ORIGIN", "MX-AD-FOIL-CN",
        "RISK-METAL-ORIGIN-CONCERN", "RISK-REGIONAL-MISMATCH", "RISK-UNKNOWN-METAL-ORIGIN",
        "RISK-UNIT-VALUE", "RISK-DESCRIPTION",
    }  # fmt: skip
    assert public <= raised


def test_canada_csc_grades_change_on_the_production_date(engine_kernel: ModuleType) -> None:
    before = alcheck.validate(
        lenient_declaration(_decl(CA, {"smelt1": ""}, entry_date="2026-09-30"))
    )
    after = alcheck.validate(
        lenient_declaration(_decl(CA, {"smelt1": ""}, entry_date="2026-10-01"))
    )
    assert {f.severity for f in before if f.rule_id == "CA-CSC"} == {Severity.INFO}
    assert {f.severity for f in after if f.rule_id == "CA-CSC"} == {Severity.ERROR}


def test_mexican_foil_message_states_the_duty_per_kg(engine_kernel: ModuleType) -> None:
    data = _decl(MX, {
        "description": "Papel aluminio en bobinas", "tariff_declared": "7607.11.01.00",
        **CN_METAL, "net_mass_kg": "10000", "value": "500000",
    })  # fmt: skip
    [es] = [
        f
        for f in alcheck.validate(lenient_declaration(data), lang="es")
        if f.rule_id == "MX-AD-FOIL-CN"
    ]
    assert "3.4817" in es.message and "1.1634" in es.message and "50.0000 MXN/kg" in es.message
    assert es.severity is Severity.WARNING and es.evaluated
    assert es.citation is not None and "7607.11.01" in es.citation


def test_risk_flags_are_never_errors(engine_kernel: ModuleType) -> None:
    pack = load_bundled("risk")
    assert {r.severity for r in pack.rules} <= {Severity.WARNING, Severity.INFO}
    assert {r.class_.value for r in pack.rules} == {"risk"}
    for _, data, _ in SCENARIOS:
        for f in alcheck.validate(lenient_declaration(data)):
            if f.rule_id.startswith("RISK-"):
                assert f.severity in (Severity.WARNING, Severity.INFO) and f.pack == "risk"


@pytest.mark.parametrize("name", ["us", "ca", "mx"])
def test_risk_pack_is_silent_on_each_packs_clean_default(
    name: str, engine_kernel: ModuleType
) -> None:
    pack = load_bundled(name)
    data = case_declaration(pack, GoldenCase(expect="pass", note="clean default"))
    assert pack_ids(alcheck.validate(lenient_declaration(data))) == set()


def test_a_user_pack_replaces_the_unit_value_floors(engine_kernel: ModuleType) -> None:
    from alcheck.rules import load_pack_text
    from alcheck.ruleset import RuleSet

    user = load_pack_text(
        """
[pack]
name = "local-floors"
version = "1"
jurisdiction = "*"
title = "A higher floor for semi-finished goods"

[[rules]]
id = "RISK-UNIT-VALUE"
severity = "info"
class = "risk"
valid_from = 2019-05-17
summary = "Semi-finished aluminum below US$4.00 per kg"
field = "value"
when = { tariff = ["7604", "7605", "7606", "7607", "7608", "7609"], numbers = [{ field = "unit_value", op = "<", amount = 4.0, currency = "USD" }] }
message = { en = "below {floor}", fr = "sous {floor}", es = "bajo {floor}" }
hint = { en = "check", fr = "vérifiez", es = "revise" }
citation = { instrument = "local policy", url = "https://example.org/policy" }
params = { floor = "4.00" }
cases = [
  { expect = "fire", note = "sheet at 3.80", item = { tariff_declared = "7606.12.3090", value = "76000", net_mass_kg = "20000", currency = "USD" } },
  { expect = "pass", note = "sheet at 4.50", item = { tariff_declared = "7606.12.3090", value = "90000", net_mass_kg = "20000", currency = "USD" } },
]
""",
        "local-floors.toml",
    )
    rules = RuleSet.compile(["us", "ca", "mx", "risk", user])
    assert len(rules.entries("RISK-UNIT-VALUE")) == 1
    found = [
        f
        for f in alcheck.validate(lenient_declaration(US), rules=rules)
        if f.rule_id == "RISK-UNIT-VALUE"
    ]
    assert [(f.severity, f.message) for f in found] == [(Severity.INFO, "below 4.00")]


@pytest.fixture(scope="module")
def corpus_declarations(corpus_dir: Path) -> list[alcheck.Declaration]:
    samples = corpus_dir / "examples" / "annotated_XML_samples"
    decls: list[alcheck.Declaration] = []
    for path in sorted(samples.rglob("*")):
        if path.is_file() and path.suffix.lower() == ".xml":
            try:
                decls.extend(alcheck.read(path))
            except InputError:  # NotADeclarationError is an InputError
                continue
    return decls


def test_hmrc_corpus_gets_no_us_ca_or_mx_rule(
    corpus_declarations: list[alcheck.Declaration], engine_kernel: ModuleType
) -> None:
    assert len(corpus_declarations) > 300
    findings = alcheck.validate(corpus_declarations)
    national = [f for f in findings if f.rule_id.startswith(("US-", "CA-", "MX-"))]
    assert national == []
    risk = [f for f in findings if f.rule_id.startswith("RISK-")]
    # The corpus holds three chapter-76 lines, valued in GBP with no rate to US$: the
    # semi-finished unit-value floor cannot be evaluated on them.
    assert risk and all(f.rule_id == "RISK-UNIT-VALUE" and not f.evaluated for f in risk)
