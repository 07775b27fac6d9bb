"""The US rules across 2018-2026: which US rule ids fire, and which heading they name.

Behaviour tests written apart from the pack's golden cases: each builds a declaration of
its own, runs `alcheck.validate` on both kernels and checks the US findings (rule id,
severity, and the chapter 99 heading a message tells the broker to use). The last tests
walk every bundled US code list row by row, and check every heading US-232-DUTY names
against the chapter 99 headings file in ../shared.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import alcheck
import alcheck.screening
from alcheck import Finding, Severity
from alcheck.rules import load_bundled
from alcheck.rules.schema import CodeListRow
from alcheck.ruleset import RuleSet

DUTY = "US-232-DUTY"
CN = {"origin": "CN", "export_country": "CN", "smelt1": "CN", "cast": "CN"}
UK = {"origin": "GB", "export_country": "GB", "smelt1": "GB", "cast": "GB"}
HEADING = re.compile(r"9903\.\d\d\.\d\d")
USE = re.compile(r"\b(?:report|use)\b")


@pytest.fixture
def engine_kernel(kernel: ModuleType, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setattr(alcheck.screening, "kernel", kernel)
    return kernel


def declaration(day: str, **item: Any) -> alcheck.Declaration:
    """Return a one-line consumption entry of `day`: Chinese sheet unless `item` says else."""
    line: dict[str, Any] = {
        "line": 1,
        "tariff_declared": "7606.12.3090",
        "description": "Aluminium alloy sheet 3003-H14",
        **CN,
        "net_mass_kg": "10000",
        "value": "40000",
        "currency": "USD",
        "additional_codes": [],
        "documents": [{"type": "AIM", "id": "AIM-1"}, {"type": "COA", "id": "COA-1"}],
    }
    line.update(item)
    return alcheck.Declaration.model_validate(
        {
            "id": "PERIODS-1",
            "jurisdiction": "US",
            "declaration_type": "01",
            "regime": "consumption",
            "entry_date": day,
            "items": [line],
        }
    )


def us_findings(day: str, **item: Any) -> dict[str, list[Finding]]:
    """Return the US findings of a one-line entry, by rule id."""
    found: dict[str, list[Finding]] = {}
    for f in alcheck.validate(declaration(day, **item)):
        if f.rule_id.startswith("US-"):
            found.setdefault(f.rule_id, []).append(f)
    return found


def duty(day: str, **item: Any) -> list[str]:
    """Return the messages of the US-232-DUTY findings of a one-line entry."""
    return [f.message for f in us_findings(day, **item).get(DUTY, [])]


def only_duty(day: str, **item: Any) -> str:
    """Return the one US-232-DUTY message of a one-line entry (fail if not exactly one)."""
    messages = duty(day, **item)
    assert len(messages) == 1, messages
    return messages[0]


def named_heading(message: str) -> list[str]:
    """Return the chapter 99 headings a message tells to report or use (not those declared)."""
    head = message.split("declared:")[0]
    verbs = list(USE.finditer(head))
    return HEADING.findall(head[verbs[-1].start() :]) if verbs else []


# --- Proclamation 9704 / 9980 (2018-2025) -------------------------------------------------


def test_7616_99_51_90_was_never_a_2018_article(engine_kernel: ModuleType) -> None:
    assert duty("2019-08-01", tariff_declared="7616.99.5190") == []
    message = only_duty("2019-08-01", tariff_declared="7616.99.5160")
    assert "9903.85.01" in named_heading(message) and "10%" in message


def test_canada_owes_the_article_duty_until_2019_05_19_only(engine_kernel: ModuleType) -> None:
    canada = {"origin": "CA", "export_country": "CA", "smelt1": "CA", "cast": "CA"}
    assert named_heading(only_duty("2019-05-19", **canada)) == ["9903.85.01"]
    assert duty("2019-05-20", **canada) == []
    assert duty("2018-09-01", **{**canada, "origin": "AU", "export_country": "AU"}) == []


@pytest.mark.parametrize(
    ("day", "origin", "fires"),
    [
        ("2020-02-07", "CN", False),  # derivatives covered from 2020-02-08
        ("2020-02-08", "CN", True),
        ("2021-12-31", "DE", True),  # EU excluded from 2022-01-01
        ("2022-01-01", "DE", False),
        ("2022-02-15", "DE", False),
        ("2022-05-31", "GB", True),  # UK excluded from 2022-06-01
        ("2022-06-01", "GB", False),
        ("2024-01-15", "MX", False),
        ("2025-03-11", "CN", True),
    ],
)
def test_proclamation_9980_derivatives_by_date_and_origin(
    engine_kernel: ModuleType, day: str, origin: str, fires: bool
) -> None:
    messages = duty(day, tariff_declared="7614.10.5000", origin=origin, export_country=origin)
    assert bool(messages) is fires, messages
    if fires:
        assert [named_heading(m) for m in messages] == [["9903.85.03"]]


def test_eu_quota_headings_count_only_from_2022_01_01(engine_kernel: ModuleType) -> None:
    german = {"origin": "DE", "export_country": "DE", "additional_codes": ["9903.85.27"]}
    assert named_heading(only_duty("2021-12-31", **german)) == ["9903.85.01"]
    assert duty("2022-01-01", **german) == []


def test_mexico_articles_and_derivatives_have_their_own_headings(engine_kernel: ModuleType) -> None:
    mexican = {"origin": "MX", "export_country": "MX", "smelt1": "CN", "cast": "MX"}
    wire = us_findings(
        "2024-08-15", tariff_declared="7614.10.5000", additional_codes=["9903.85.72"], **mexican
    )
    assert "US-232-MEXICO" not in wire and DUTY not in wire
    sheet = us_findings("2024-08-15", additional_codes=["9903.85.72"], **mexican)
    assert [named_heading(f.message) for f in sheet["US-232-MEXICO"]] == [["9903.85.71"]]
    # From 2025-03-12 Mexico has no special treatment: the general heading is asked for.
    later = us_findings("2025-03-12", additional_codes=["9903.85.71"], **mexican)
    assert "US-232-MEXICO" not in later and named_heading(later[DUTY][0].message) == ["9903.85.02"]


def test_a_2025_or_2026_heading_before_2025_03_12_names_the_old_one(
    engine_kernel: ModuleType,
) -> None:
    message = only_duty("2024-01-15", additional_codes=["9903.85.02"])
    assert named_heading(message) == ["9903.85.01"] and "2025-03-12" in message
    message = only_duty(
        "2024-01-15", tariff_declared="7614.10.5000", additional_codes=["9903.82.02"]
    )
    assert named_heading(message) == ["9903.85.03"] and "2026-04-06" in message


# --- Proclamations 10895 / 10947: U.S. note 19 (2025-03-12 to 2026-04-05) ----------------


@pytest.mark.parametrize(
    ("day", "rate"), [("2025-03-12", "25%"), ("2025-06-03", "25%"), ("2025-06-04", "50%")]
)
def test_note_19_rate_changes_on_2025_06_04(engine_kernel: ModuleType, day: str, rate: str) -> None:
    message = only_duty(day)
    assert named_heading(message) == ["9903.85.02"] and f"duty of {rate}" in message


@pytest.mark.parametrize(
    ("tariff", "general", "uk"),
    [
        ("7606.12.3090", "9903.85.02", "9903.85.12"),  # 19(g) articles
        ("7614.10.5000", "9903.85.04", "9903.85.13"),  # 19(i) Proclamation 9980 derivatives
        ("7610.90.0080", "9903.85.07", "9903.85.14"),  # 19(j) chapter 76 derivatives
        ("8302.41.6015", "9903.85.08", "9903.85.15"),  # 19(k) other derivatives
    ],
)
def test_uk_goods_use_their_own_headings_from_2025_06_04(
    engine_kernel: ModuleType, tariff: str, general: str, uk: str
) -> None:
    assert duty("2025-07-01", tariff_declared=tariff, additional_codes=[uk], **UK) == []
    message = only_duty("2025-07-01", tariff_declared=tariff, additional_codes=[general], **UK)
    assert named_heading(message) == [uk] and "25%" in message
    # Before 2025-06-04 the UK heading is not in force and the UK pays under the general one.
    assert duty("2025-06-03", tariff_declared=tariff, additional_codes=[general], **UK) == []
    early = only_duty("2025-06-03", tariff_declared=tariff, additional_codes=[uk], **UK)
    assert named_heading(early) == [general] and "2025-06-04" in early
    # Goods of other origins under the UK heading are asked for the general one.
    assert named_heading(
        only_duty("2025-07-01", tariff_declared=tariff, additional_codes=[uk])
    ) == [general]


def test_us_smelted_metal_heading_only_on_note_19_j_and_k(engine_kernel: ModuleType) -> None:
    us_metal = {"smelt1": "US", "cast": "US", "additional_codes": ["9903.85.09"]}
    assert duty("2025-09-01", tariff_declared="7610.90.0080", **us_metal) == []
    assert duty("2025-09-01", tariff_declared="8302.41.6015", **us_metal) == []
    assert named_heading(only_duty("2025-09-01", tariff_declared="7614.10.5000", **us_metal)) == [
        "9903.85.04"
    ]
    assert named_heading(only_duty("2025-09-01", **us_metal)) == ["9903.85.02"]


def test_auto_parts_heading_displaces_the_aluminum_heading(engine_kernel: ModuleType) -> None:
    stampings = {"tariff_declared": "8708.29.2150", "description": "Body stampings of aluminium"}
    assert named_heading(only_duty("2025-09-01", **stampings)) == ["9903.85.04"]
    assert duty("2025-09-01", additional_codes=["9903.94.06"], **stampings) == []


def test_a_9903_82_heading_before_2026_04_06_names_the_note_19_heading(
    engine_kernel: ModuleType,
) -> None:
    message = only_duty("2025-09-01", additional_codes=["9903.82.02"])
    assert named_heading(message)[0] == "9903.85.02" and "2026-04-06" in message
    assert duty("2026-04-06", additional_codes=["9903.82.02"]) == []


@pytest.mark.parametrize(
    ("tariff", "added"),
    [
        ("8418.10.0010", "2025-08-18"),
        ("7612.90.1000", "2025-04-04"),
        ("2203.00.0060", "2025-04-04"),
    ],
)
def test_a_note_19_code_counts_from_the_day_it_was_added(
    engine_kernel: ModuleType, tariff: str, added: str
) -> None:
    before = (dt.date.fromisoformat(added) - dt.timedelta(days=1)).isoformat()
    on_day = us_findings(added, tariff_declared=tariff, smelt1="")
    day_before = us_findings(before, tariff_declared=tariff, smelt1="")
    assert "US-232-METAL-ORIGIN" in on_day and DUTY in on_day
    assert "US-232-METAL-ORIGIN" not in day_before and DUTY not in day_before


def test_seat_parts_9401_99_90_81_leave_note_19_k_after_2025_06_30(
    engine_kernel: ModuleType,
) -> None:
    assert named_heading(only_duty("2025-06-30", tariff_declared="9401.99.9081")) == ["9903.85.08"]
    assert duty("2025-07-01", tariff_declared="9401.99.9081") == []
    assert duty("2025-06-30", tariff_declared="9401.99.9030") == []
    assert duty("2025-07-01", tariff_declared="9401.99.9030")


# --- Proclamation 11021 / 11032: U.S. note 16 (from 2026-04-06) --------------------------


@pytest.mark.parametrize(
    ("tariff", "old", "new"),
    [
        ("7606.12.3090", "9903.85.02", "9903.82.02"),  # (i)
        ("7610.90.0080", "9903.85.07", "9903.82.02"),  # (ii)
        ("8302.41.6015", "9903.85.08", "9903.82.09"),  # (vi)
        ("8504.90.9610", "9903.85.08", "9903.82.10"),  # (ix)
    ],
)
def test_a_terminated_heading_after_2026_04_06_names_the_note_16_heading(
    engine_kernel: ModuleType, tariff: str, old: str, new: str
) -> None:
    message = only_duty("2026-05-01", tariff_declared=tariff, additional_codes=[old])
    assert "terminated" in message and named_heading(message)[0] == new
    assert duty("2026-04-05", tariff_declared=tariff, additional_codes=[old]) == []


def test_a_chinese_sheet_in_may_2026_under_9903_85_02(engine_kernel: ModuleType) -> None:
    found = us_findings("2026-05-01", additional_codes=["9903.85.02"])
    (finding,) = found[DUTY]
    assert finding.severity is Severity.ERROR
    assert "9903.82.02" in finding.message and "terminated" in finding.message


def test_russia_headings_survive_2026_04_06_but_not_69_and_70(engine_kernel: ModuleType) -> None:
    russian = {"origin": "RU", "export_country": "RU", "smelt1": "RU", "cast": "RU"}
    assert us_findings("2026-04-06", additional_codes=["9903.85.67"], **russian) == {}
    found = us_findings("2026-04-06", additional_codes=["9903.85.69"], **russian)
    assert "terminated" in found[DUTY][0].message
    assert named_heading(found["US-232-RUSSIA"][0].message) == ["9903.85.67"]
    hinges = us_findings(
        "2026-05-01", tariff_declared="8302.41.6015", additional_codes=["9903.85.67"], **russian
    )
    assert named_heading(hinges["US-232-RUSSIA"][0].message) == ["9903.85.68"]


def test_uk_2026_headings_need_uk_smelt_or_cast(engine_kernel: ModuleType) -> None:
    assert duty("2026-05-01", additional_codes=["9903.82.04"], **UK) == []
    cast_in_uk = {**UK, "smelt1": "NO"}
    assert duty("2026-05-01", additional_codes=["9903.82.04"], **cast_in_uk) == []
    neither = {**UK, "smelt1": "NO", "cast": "DE"}
    message = only_duty("2026-05-01", additional_codes=["9903.82.04"], **neither)
    assert named_heading(message)[0] == "9903.82.02"
    message = only_duty(
        "2026-05-01", tariff_declared="8302.41.6015", additional_codes=["9903.82.05"]
    )
    assert named_heading(message)[0] == "9903.82.09"


def test_usmca_quota_heading_from_2026_04_23_for_canada_and_mexico(
    engine_kernel: ModuleType,
) -> None:
    canada = {"origin": "CA", "export_country": "CA", "smelt1": "CA", "cast": "CA"}
    message = only_duty("2026-04-22", additional_codes=["9903.82.19"], **canada)
    assert named_heading(message)[0] == "9903.82.02" and "2026-04-23" in message
    assert duty("2026-04-23", additional_codes=["9903.82.19"], **canada) == []
    assert duty("2026-04-23", additional_codes=["9903.82.19"])  # Chinese sheet
    # List (i) only: stranded wire (list (ii)) is asked for the general heading.
    assert named_heading(
        only_duty(
            "2026-05-01", tariff_declared="7614.10.5000", additional_codes=["9903.82.19"], **canada
        )
    ) == ["9903.82.02"]


def test_proclamation_11032_moves_codes_on_2026_06_08(engine_kernel: ModuleType) -> None:
    plates = {"tariff_declared": "3701.30.0000", "description": "Aluminium printing plates"}
    assert duty("2026-06-07", **plates) == []  # Annex II: out of Section 232
    assert named_heading(only_duty("2026-06-08", **plates)) == ["9903.82.09"]
    assert named_heading(only_duty("2026-06-07", tariff_declared="8708.29.2130")) == ["9903.82.09"]
    assert named_heading(only_duty("2026-06-08", tariff_declared="8708.29.2130"))[0] == "9903.82.10"
    assert duty("2026-06-08", tariff_declared="8708.29.2150") == []
    parts = {"tariff_declared": "8415.90.8010", "additional_codes": ["9903.82.09"]}
    assert duty("2026-06-07", **parts) == []
    assert named_heading(only_duty("2026-06-08", **parts))[0] == "9903.82.10"


def test_chapter_76_goods_cannot_claim_the_no_metal_headings(engine_kernel: ModuleType) -> None:
    pans = {"tariff_declared": "7615.10.7130", "description": "Aluminium cooking pans"}
    for code in ("9903.82.01", "9903.82.03"):
        assert named_heading(only_duty("2026-05-01", additional_codes=[code], **pans))[0] == (
            "9903.82.09"
        )
    assert duty("2026-05-01", tariff_declared="8302.41.6015", additional_codes=["9903.82.03"]) == []


def test_unknown_metal_needs_the_200_percent_heading(engine_kernel: ModuleType) -> None:
    assert "US-232-UNKNOWN" in us_findings(
        "2025-06-27", smelt1="UN", additional_codes=["9903.85.67"]
    )
    assert "US-232-UNKNOWN" not in us_findings(
        "2025-06-28", smelt1="UN", additional_codes=["9903.85.02", "9903.85.67"]
    )
    assert "US-232-UNKNOWN" not in us_findings(
        "2026-05-01", smelt1="UN", additional_codes=["9903.85.68"]
    )
    assert "US-232-UNKNOWN" in us_findings(
        "2026-05-01", smelt1="UN", additional_codes=["9903.85.69"]
    )


# --- AIM licence and AD/CVD --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "needs"), [("2499.99", False), ("2500", False), ("2500.01", True)]
)
def test_an_informal_line_of_2500_dollars_needs_no_aim_licence(
    engine_kernel: ModuleType, value: str, needs: bool
) -> None:
    found = us_findings("2025-09-01", value=value, documents=[{"type": "COA", "id": "C"}])
    assert ("US-AIM-LICENSE" in found) is needs


def test_chinese_foil_completed_in_korea_or_thailand_is_a_warning(
    engine_kernel: ModuleType,
) -> None:
    foil = {"tariff_declared": "7607.11.9030", "description": "Aluminium foil 0.009 mm"}
    korean = {"origin": "KR", "export_country": "KR", "smelt1": "CN", "cast": "CN"}
    found = us_findings("2024-01-15", **foil, **korean)["US-ADCVD"]
    assert [f.severity for f in found] == [Severity.WARNING]
    assert "A-570-053" in found[0].message and "certification" in found[0].hint
    assert "US-ADCVD" not in us_findings("2024-01-15", **foil, **{**korean, "cast": "KR"})
    thai = {**korean, "origin": "TH", "export_country": "TH"}
    assert "US-ADCVD" not in us_findings("2022-07-17", **foil, **thai)
    assert "US-ADCVD" in us_findings("2022-07-18", **foil, **thai)


# --- every row of every bundled list ------------------------------------------------------

US_PACK = load_bundled("us")
SCOPE_LISTS = [name for name in US_PACK.lists if name != "proc11021_annex_ii"]


def _code(row: CodeListRow) -> str:
    """Return a ten-digit code under the row's code (a heading or subheading is padded)."""
    return row.digits.ljust(10, "0")


def _entries_naming(rules: RuleSet, name: str) -> set[int]:
    return {r.variant for r in rules.entries(DUTY) if f"@{name}" in (r.when.tariff or [])}


def _row_findings(row: CodeListRow, day: dt.date) -> list[Finding]:
    decl = declaration(day.isoformat(), tariff_declared=_code(row), description="Aluminium goods")
    return [f for f in alcheck.validate(decl) if f.rule_id == DUTY]


@pytest.mark.parametrize("name", SCOPE_LISTS)
def test_a_list_code_is_in_scope_on_its_row_dates_only(
    engine_kernel: ModuleType, name: str
) -> None:
    rules = RuleSet.default()
    mine = _entries_naming(rules, name)
    assert mine, f"no US-232-DUTY entry names @{name}"
    one_day = dt.timedelta(days=1)
    for row in US_PACK.lists[name].rows:
        inside = [row.valid_from] + ([row.valid_to] if row.valid_to else [])
        for day in inside:
            found = _row_findings(row, day)
            general = (row.heading or "").split("/")[0]
            assert any(general in f.message for f in found), (name, row.code, day, found)
        outside = [row.valid_from - one_day] + ([row.valid_to + one_day] if row.valid_to else [])
        for day in outside:
            found = _row_findings(row, day)
            assert not [f for f in found if f.variant in mine], (name, row.code, day)


def test_annex_ii_codes_are_out_of_section_232_on_their_row_dates(
    engine_kernel: ModuleType,
) -> None:
    for row in US_PACK.lists["proc11021_annex_ii"].rows:
        for day in [row.valid_from] + ([row.valid_to] if row.valid_to else []):
            assert _row_findings(row, day) == [], (row.code, day)


def _heading_windows(shared_dir: Path) -> dict[str, list[tuple[dt.date, dt.date]]]:
    windows: dict[str, list[tuple[dt.date, dt.date]]] = {}
    path = shared_dir / "data" / "us232" / "us_ch99_aluminum_headings.csv"
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            start = dt.date.fromisoformat(row["valid_from"]) if row["valid_from"] else dt.date.min
            end = dt.date.fromisoformat(row["valid_to"]) if row["valid_to"] else dt.date.max
            windows.setdefault(row["code"], []).append((start, end))
    return windows


def test_every_heading_us_232_duty_names_is_in_force_on_its_entry_dates(
    shared_dir: Path,
) -> None:
    windows = _heading_windows(shared_dir)
    for entry in RuleSet.default().entries(DUTY):
        days = [entry.valid_from] + ([entry.valid_to] if entry.valid_to else [])
        params = dict(entry.params)
        for heading in HEADING.findall(params.get("number", "")):
            assert heading in windows, heading
            for day in days:
                assert any(a <= day <= b for a, b in windows[heading]), (heading, day, entry.when)
