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
import alcheck.encode
import alcheck.screening
from alcheck import Finding, InputError, Severity
from alcheck.model import lenient_declaration
from alcheck.rules import load_bundled
from alcheck.rules.golden import case_declaration
from alcheck.rules.schema import GoldenCase

BUILTIN = ("SYN-", "CAT-", "STR-")


@pytest.fixture
def engine_kernel(kernel: ModuleType, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Run the engine (and the encoder, where it uses the kernel) on one kernel."""
    monkeypatch.setattr(alcheck.screening, "kernel", kernel)
    monkeypatch.setattr(alcheck.encode, "kernel", kernel, raising=False)
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
US_METAL = {"origin": "US", "export_country": "US", "smelt1": "US", "cast": "US"}
# Canada: US aluminum in Schedule 1.1 (50%), Schedule 1 (25%) and neither (SOR/2026-187).
US_INGOT = {
    "description": "Aluminium alloy ingots A356",
    "tariff_declared": "7601.20.00.90",
    **US_METAL,
    "value": "68000",
}
US_COOKWARE = {
    "description": "Aluminium cookware sets",
    "tariff_declared": "7615.10.00.90",
    **US_METAL,
    "net_mass_kg": "4000",
    "value": "52000",
    "documents": [{"type": "COA", "id": "MTC-7"}],
}
US_WIRE_CLOTH = {
    "description": "Aluminium wire cloth",
    "tariff_declared": "7616.91.00.00",
    **US_METAL,
    "net_mass_kg": "2500",
    "value": "21000",
    "documents": [{"type": "COA", "id": "MTC-8"}],
}
# Mexico: Chinese 6063 profiles, definitive import with the aviso cited.
CN_PROFILES = {
    "description": "Perfiles de aleación de aluminio 6063-T5 para cancelería",
    "tariff_declared": "7604.29.02.00",
    **CN_METAL,
    "net_mass_kg": "18000",
    "value": "1310400",
}

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
    # Canada, December 2026: the US countermeasure surtax by schedule (SOR/2026-187).
    (
        "ca-us-unwrought-alloy-on-2026-09-08-owes-50-percent",
        _decl(CA, US_INGOT, entry_date="2026-09-08"),
        {"CA-SURTAX-US"},
    ),
    (
        "ca-us-unwrought-alloy-on-2026-09-07-owes-25-percent",
        _decl(CA, US_INGOT, entry_date="2026-09-07"),
        {"CA-SURTAX-US"},
    ),
    (
        "ca-us-cookware-on-2026-09-08-owes-25-percent",
        _decl(CA, US_COOKWARE, entry_date="2026-09-08"),
        {"CA-SURTAX-US"},
    ),
    (
        "ca-us-wire-cloth-in-neither-schedule-from-2026-09-08",
        _decl(CA, US_WIRE_CLOTH, entry_date="2026-09-08"),
        set(),
    ),
    (
        "ca-us-wire-cloth-under-the-2025-approximation-on-2026-09-07",
        _decl(CA, US_WIRE_CLOTH, entry_date="2026-09-07"),
        {"CA-SURTAX-US"},
    ),
    # Canada: unknown metal, with a certificate on file, before and from SOR/2025-154.
    (
        "ca-unknown-cast-on-2025-07-30",
        _decl(CA, {"cast": "UN"}, entry_date="2025-07-30"),
        {"RISK-UNKNOWN-METAL-ORIGIN"},
    ),
    (
        "ca-unknown-cast-on-2025-07-31",
        _decl(CA, {"cast": "UN"}, entry_date="2025-07-31"),
        {"RISK-UNKNOWN-METAL-ORIGIN"},
    ),
    (
        "ca-unknown-cast-without-certificate-on-2025-07-31-is-deemed-chinese",
        _decl(
            CA, {"cast": "UN", "documents": [{"type": "GIP", "id": "83"}]}, entry_date="2025-07-31"
        ),
        {"RISK-UNKNOWN-METAL-ORIGIN", "CA-SURTAX-CN-METAL"},
    ),
    (
        "ca-unknown-cast-without-certificate-on-2025-07-30",
        _decl(
            CA, {"cast": "UN", "documents": [{"type": "GIP", "id": "83"}]}, entry_date="2025-07-30"
        ),
        {"RISK-UNKNOWN-METAL-ORIGIN"},
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
    # Mexico, 2026: the provisional duty on Chinese profiles and bars (case AD 29-24).
    (
        "mx-chinese-profiles-7604-29-02-in-2026",
        _decl(MX, CN_PROFILES, entry_date="2026-02-16"),
        {"MX-AD-PROFILES-CN", "RISK-METAL-ORIGIN-CONCERN"},
    ),
    (
        "mx-chinese-profiles-shipped-from-vietnam",
        _decl(MX, {**CN_PROFILES, "export_country": "VN"}, entry_date="2026-08-03"),
        {"MX-AD-PROFILES-CN", "RISK-METAL-ORIGIN-CONCERN"},
    ),
    (
        "mx-chinese-profiles-on-an-immex-temporary-import",
        _decl(
            MX,
            {**CN_PROFILES, "documents": []},
            regime="temporary",
            declaration_type="IN",
        ),
        {"MX-AD-PROFILES-CN", "RISK-DESCRIPTION", "RISK-METAL-ORIGIN-CONCERN"},
    ),
    (
        "mx-chinese-profiles-the-day-before-the-preliminary-resolution",
        _decl(MX, {**CN_PROFILES, "documents": []}, entry_date="2025-12-29"),
        {"RISK-METAL-ORIGIN-CONCERN"},
    ),
    (
        "mx-chinese-hollow-profiles-are-another-case",
        _decl(MX, {**CN_PROFILES, "tariff_declared": "7604.21.01.00"}),
        {"RISK-METAL-ORIGIN-CONCERN"},
    ),
    (
        "mx-chinese-foil-after-the-five-year-term",
        _decl(
            MX,
            {
                "description": "Papel aluminio en bobinas, 0.012 mm",
                "tariff_declared": "7607.11.01.00",
                **CN_METAL,
                "net_mass_kg": "10000",
                "value": "500000",
            },
            entry_date="2026-03-02",
        ),
        {"MX-AD-FOIL-CN", "RISK-METAL-ORIGIN-CONCERN"},
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
        "CA-SIMA-EXTRUSIONS", "MX-AVISO", "MX-AVISO-METAL-ORIGIN", "MX-AD-FOIL-CN", "MX-AD-PROFILES-CN",
        "RISK-METAL-ORIGIN-CONCERN", "RISK-REGIONAL-MISMATCH", "RISK-UNKNOWN-METAL-ORIGIN",
        "RISK-UNIT-VALUE", "RISK-DESCRIPTION",
    }  # fmt: skip
    assert public <= raised


def test_canada_csc_is_a_warning_from_the_planned_production_date(
    engine_kernel: ModuleType,
) -> None:
    """The GIP 83 smelt/cast amendment is only proposed: information, then a warning."""
    before = alcheck.validate(
        lenient_declaration(_decl(CA, {"smelt1": ""}, entry_date="2026-09-30"))
    )
    after = alcheck.validate(
        lenient_declaration(_decl(CA, {"smelt1": ""}, entry_date="2026-10-01"))
    )
    assert {f.severity for f in before if f.rule_id == "CA-CSC"} == {Severity.INFO}
    [csc] = [f for f in after if f.rule_id == "CA-CSC"]
    assert csc.severity is Severity.WARNING and "proposed amendment" in csc.message
    assert Severity.ERROR not in {r.severity for r in load_bundled("ca").rules if r.id == "CA-CSC"}


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


@pytest.mark.parametrize(
    ("item", "entry_date", "rate", "schedule"),
    [
        (US_INGOT, "2026-09-07", "25%", "Schedule 1, "),
        (US_INGOT, "2026-09-08", "50%", "Schedule 1.1, "),
        (US_COOKWARE, "2026-09-08", "25%", "Schedule 1, "),
        (US_COOKWARE, "2026-09-07", "25%", "Schedule 1, "),
    ],
    ids=["7601-day-before", "7601-first-day", "7615-first-day", "7615-day-before"],
)
def test_canadian_us_surtax_states_the_rate_of_the_entry_date(
    item: dict[str, Any], entry_date: str, rate: str, schedule: str, engine_kernel: ModuleType
) -> None:
    data = _decl(CA, item, entry_date=entry_date)
    [f] = [f for f in alcheck.validate(lenient_declaration(data)) if f.rule_id == "CA-SURTAX-US"]
    assert f.severity is Severity.WARNING
    assert f"surtax of {rate} " in f.message and schedule in f.message
    assert item["tariff_declared"] in f.message and entry_date in f.message
    assert ("in transit to Canada on 2026-09-08" in f.hint) is (entry_date >= "2026-09-08")
    [fr] = [
        f
        for f in alcheck.validate(lenient_declaration(data), lang="fr")
        if f.rule_id == "CA-SURTAX-US"
    ]
    assert f"surtaxe de {rate} " in fr.message


def test_mexican_profiles_duty_is_stated_and_provisional(engine_kernel: ModuleType) -> None:
    data = _decl(MX, {**CN_PROFILES, "export_country": "VN"}, entry_date="2026-08-03")
    found = {
        lang: [
            f
            for f in alcheck.validate(lenient_declaration(data), lang=lang)
            if f.rule_id == "MX-AD-PROFILES-CN"
        ]
        for lang in ("es", "en")
    }
    [es], [en] = found["es"], found["en"]
    assert es.severity is Severity.WARNING and es.evaluated
    assert "1.55 US$ por kilogramo" in es.message and "provisional" in es.message
    assert "AD 29-24" in es.message and "7604.29.02.00" in es.message and "VN" in es.message
    assert "US$1.55 per kilogram" in en.message and "provisional" in en.message
    assert "18000" in en.message  # the declared net mass, to compute the duty
    assert en.citation is not None and "[P]" in en.citation and "contribution 2" in en.citation


UNKNOWN_METAL = [
    # (declaration, must be in the English message, must not be in it): each importing
    # country is told only its own treatment, and only from the day it applies.
    (
        _decl(US, {"smelt1": "UN"}, entry_date="2025-06-27"),
        ["does not yet accept UN", "from 2025-06-28"],
        ["on US entries", "Canada", "25% surtax"],
    ),
    (
        _decl(US, {"smelt1": "UN", "additional_codes": ["9903.85.67"]}, entry_date="2025-06-28"),
        ["is charged as Russian metal", "200%", "9903.85.67"],
        ["not yet", "Canada", "25% surtax"],
    ),
    (
        _decl(CA, {"cast": "UN"}, entry_date="2025-07-30"),
        ["Canada does not yet deem such metal Chinese", "from 2025-07-31"],
        ["Russian", "200%", "25% surtax"],
    ),
    (
        _decl(CA, {"cast": "UN"}, entry_date="2025-07-31"),
        ["deemed to contain Chinese aluminum", "25% surtax"],
        ["Russian", "200%", "not yet"],
    ),
]


@pytest.mark.parametrize(
    ("data", "present", "absent"),
    UNKNOWN_METAL,
    ids=["us-2025-06-27", "us-2025-06-28", "ca-2025-07-30", "ca-2025-07-31"],
)
def test_unknown_metal_message_says_what_it_costs_on_the_entry_date(
    data: dict[str, Any], present: list[str], absent: list[str], engine_kernel: ModuleType
) -> None:
    """Unknown metal costs 200% in the US only from 2025-06-28, 25% in Canada from 2025-07-31."""
    found = alcheck.validate(lenient_declaration(data))
    [f] = [f for f in found if f.rule_id == "RISK-UNKNOWN-METAL-ORIGIN"]
    assert f.severity is Severity.WARNING and f.pack == "risk"
    assert [p for p in present if p not in f.message] == []
    assert [a for a in absent if a in f.message] == []


def test_risk_scope_follows_the_dated_section_232_lists(engine_kernel: ModuleType) -> None:
    """Metal furniture 9403.20 was a Section 232 derivative from 2025-03-12 to 2026-04-05."""

    def flags(entry_date: str) -> set[str]:
        item = {"description": "Aluminium furniture", "tariff_declared": "9403.20.0080"}
        metal = {"origin": "VN", "export_country": "VN", "smelt1": "IN", "cast": "CN"}
        data = _decl(US, {**item, **metal}, entry_date=entry_date)
        found = alcheck.validate(lenient_declaration(data))
        return {f.rule_id for f in found if f.rule_id.startswith("RISK-")}

    assert flags("2025-03-11") == set()
    assert flags("2025-03-12") == {"RISK-METAL-ORIGIN-CONCERN"}
    assert flags("2026-04-05") == {"RISK-METAL-ORIGIN-CONCERN"}
    assert flags("2026-04-06") == set()


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
