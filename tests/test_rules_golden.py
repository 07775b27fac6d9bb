"""Every bundled rule's golden cases hold, on both kernels, beside every other bundled pack."""

from __future__ import annotations

from types import ModuleType

import pytest

import alcheck.screening
from alcheck.findings import Severity
from alcheck.rules import bundled_pack_names, load_bundled
from alcheck.rules.golden import run_golden_cases
from alcheck.ruleset import RuleSet


@pytest.fixture
def engine_kernel(kernel: ModuleType, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setattr(alcheck.screening, "kernel", kernel)
    return kernel


@pytest.mark.parametrize("name", bundled_pack_names())
def test_golden_cases_hold(name: str, engine_kernel: ModuleType) -> None:
    assert run_golden_cases(load_bundled(name), RuleSet.default()) == []


def test_bundled_packs_include_the_public_us_ids() -> None:
    ids = set(RuleSet.default().ids())
    us = {
        "US-AIM-LICENSE", "US-232-METAL-ORIGIN", "US-232-UNKNOWN", "US-232-RUSSIA",
        "US-232-MEXICO", "US-232-DUTY", "US-ADCVD", "US-METAL-CONTENT",
    }  # fmt: skip
    assert us <= ids


@pytest.mark.parametrize("name", bundled_pack_names())
def test_every_rule_id_has_a_fire_and_a_pass_case(name: str) -> None:
    pack = load_bundled(name)
    for rid in {r.id for r in pack.rules}:
        expects = [c.expect for r in pack.rules if r.id == rid for c in r.cases]
        assert "fire" in expects and "pass" in expects, rid


def test_a_golden_runner_notices_a_wrong_expectation() -> None:
    pack = load_bundled("us")
    rule = pack.rules[0]
    flipped = [
        c.model_copy(update={"expect": "pass" if c.expect == "fire" else "fire"})
        for c in rule.cases
    ]
    broken = pack.model_copy(update={"rules": [rule.model_copy(update={"cases": flipped})]})
    problems = run_golden_cases(broken, RuleSet.default())
    assert len(problems) == len(rule.cases)


def test_us_aim_licence_finding_is_explained_and_located() -> None:
    pack = load_bundled("us")
    from alcheck.model import lenient_declaration
    from alcheck.rules.golden import case_declaration

    case = pack.rules[0].cases[0]
    data = case_declaration(pack, case)
    data["items"][0]["location"] = {"file": "entry.xml", "line": 42, "path": "/x"}
    found = [
        f for f in alcheck.validate(lenient_declaration(data)) if f.rule_id == "US-AIM-LICENSE"
    ]
    assert len(found) == 1
    f = found[0]
    assert f.severity is Severity.ERROR
    assert f.pack == "us" and f.pack_version == pack.pack.version
    assert f.citation is not None and "19 CFR Part 361" in f.citation and "https://" in f.citation
    assert "7606.12.3090" in f.message and "consumption" in f.message
    assert f.location is not None and f.location.line == 42
    assert f.judged_on is not None and f.judged_on.isoformat() == "2021-06-28"
