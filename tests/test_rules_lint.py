"""The pack loader and linter reject incomplete rules and name file, line and rule id."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alcheck.errors import RulePackError
from alcheck.rules import load_pack, load_pack_text

GOOD = """
[pack]
name = "local"
version = "1"
jurisdiction = "US"
title = "Local rules"

[sets]
mine = ["CN", "RU"]

[[rules]]
id = "LOCAL-FOIL-CN"
severity = "warning"
class = "risk"
valid_from = 2024-01-01
summary = "Chinese foil"
when = { tariff = ["7607"], origin = ["@mine"] }
message.en = "foil {tariff} from {origin}"
message.fr = "feuille {tariff} de {origin}"
message.es = "hoja {tariff} de {origin}"
hint.en = "review"
hint.fr = "examiner"
hint.es = "revisar"
citation = { instrument = "House policy", url = "https://example.org/policy" }
cases = [
  { expect = "fire", note = "foil from China", item = { tariff_declared = "7607.11.9090", origin = "CN" } },
  { expect = "pass", note = "foil from Canada", item = { tariff_declared = "7607.11.9090", origin = "CA" } },
]
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(RulePackError) as info:
        load_pack_text(text, "local.toml")
    return info.value.problems


def test_a_complete_pack_loads_and_expands_sets() -> None:
    pack = load_pack_text(GOOD, "local.toml")
    assert pack.rules[0].when.origin == ["CN", "RU"]
    assert pack.rule_lines == [GOOD.splitlines().index("[[rules]]") + 1]


def test_missing_citation_is_rejected_with_file_line_and_id() -> None:
    text = GOOD.replace(
        'citation = { instrument = "House policy", url = "https://example.org/policy" }\n', ""
    )
    problems = _problems(text)
    line = text.splitlines().index("[[rules]]") + 1
    assert any(
        p.startswith(f"local.toml:{line}: rule LOCAL-FOIL-CN: citation") for p in problems
    ), problems


def test_missing_window_is_rejected() -> None:
    problems = _problems(GOOD.replace("valid_from = 2024-01-01\n", ""))
    assert any("LOCAL-FOIL-CN: valid_from" in p for p in problems), problems


def test_an_english_message_is_required() -> None:
    problems = _problems(GOOD.replace('message.en = "foil {tariff} from {origin}"\n', ""))
    assert any("message.en" in p and "LOCAL-FOIL-CN" in p for p in problems), problems


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_a_missing_french_or_spanish_message_is_the_english_one(lang: str) -> None:
    """Issue 19: a house pack may be English only; its findings are then in English."""
    line = {
        "fr": 'message.fr = "feuille {tariff} de {origin}"\n',
        "es": 'message.es = "hoja {tariff} de {origin}"\n',
    }[lang]
    assert line in GOOD
    pack = load_pack_text(GOOD.replace(line, ""), "local.toml")
    (rule,) = [r for r in pack.rules if r.id == "LOCAL-FOIL-CN"]
    assert getattr(rule.message, lang) == rule.message.en == "foil {tariff} from {origin}"


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_an_empty_message_in_any_language_is_refused(lang: str) -> None:
    line = {
        "en": 'message.en = "foil {tariff} from {origin}"\n',
        "fr": 'message.fr = "feuille {tariff} de {origin}"\n',
        "es": 'message.es = "hoja {tariff} de {origin}"\n',
    }[lang]
    problems = _problems(GOOD.replace(line, f'message.{lang} = " "\n'))
    assert any(f"message.{lang}" in p and "LOCAL-FOIL-CN" in p for p in problems), problems


def test_every_problem_is_reported_not_only_the_first() -> None:
    text = GOOD.replace("valid_from = 2024-01-01\n", "").replace(
        'severity = "warning"', 'severity = "fatal"'
    )
    problems = _problems(text)
    assert any("valid_from" in p for p in problems) and any("severity" in p for p in problems)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('origin = ["@mine"]', 'origin = ["@nope"]'), "unknown set '@nope'"),
        (('origin = ["@mine"]', 'origin = ["ZN"]'), "not country codes"),
        (('tariff = ["7607"]', 'tariff = ["76A7"]'), "not a code prefix"),
        (('"foil {tariff} from {origin}"', '"foil {tarif}"'), "unknown placeholders"),
        (
            ("valid_from = 2024-01-01", "valid_from = 2024-01-01\nvalid_to = 2023-01-01"),
            "is before valid_from",
        ),
        (('url = "https://example.org/policy"', 'url = "example.org"'), "web address"),
        (
            (
                '{ expect = "pass", note = "foil from Canada", item = { tariff_declared = "7607.11.9090", origin = "CA" } },',
                "",
            ),
            "needs golden cases",
        ),
        (
            (
                'when = { tariff = ["7607"], origin = ["@mine"] }',
                'when = { tariff = ["7607"], numbers = [{ field = "value", op = ">", amount = 1 }] }',
            ),
            "needs a currency",
        ),
        (('summary = "Chinese foil"', 'summary = " "'), "summary is empty"),
        (
            (
                'summary = "Chinese foil"',
                'summary.en = "Chinese foil"\nsummary.fr = ""\nsummary.es = "hoja china"',
            ),
            "summary.fr is empty",
        ),
    ],
)
def test_lint_problems(change: tuple[str, str], expected: str) -> None:
    assert change[0] in GOOD
    problems = _problems(GOOD.replace(*change))
    assert any(expected in p for p in problems), problems


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[pack\nname=", encoding="utf-8")
    with pytest.raises(RulePackError) as info:
        load_pack(path)
    assert str(path) in str(info.value) and "not valid TOML" in str(info.value)


def test_a_summary_is_one_text_or_one_per_language() -> None:
    plain = load_pack_text(GOOD, "local.toml").rules[0]
    assert plain.summary == "Chinese foil"
    three = (
        'summary.en = "Chinese foil"\nsummary.fr = "feuille chinoise"\nsummary.es = "hoja china"'
    )
    rule = load_pack_text(GOOD.replace('summary = "Chinese foil"', three), "local.toml").rules[0]
    assert not isinstance(rule.summary, str) and rule.summary.fr == "feuille chinoise"


def test_golden_cases_build_findings_linear_in_pack_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every rule of a wide pack meets every case, yet each case builds only its own rule's
    findings: 2,000 rules once took 89 s to lint."""
    from alcheck.gateway import ScreenedBatch
    from alcheck.rules.golden import run_golden_cases
    from alcheck.ruleset import RuleSet

    built = []
    real = ScreenedBatch.rule_findings

    def counted(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for finding in real(*args, **kwargs):
            built.append(1)
            yield finding

    monkeypatch.setattr(ScreenedBatch, "rule_findings", counted)
    one = GOOD.split("[[rules]]")[1].replace('tariff = ["7607"]', 'tariff = ["76"]')

    def findings_built(n: int) -> int:
        rules = "".join(
            "[[rules]]" + one.replace("LOCAL-FOIL-CN", f"LOCAL-FOIL-{i}") for i in range(n)
        )
        pack = load_pack_text(GOOD.split("[[rules]]")[0] + rules, "wide.toml")
        built.clear()
        assert run_golden_cases(pack, RuleSet.compile([pack])) == []
        return len(built)

    assert findings_built(40) == 40  # one fire case per rule, nothing built for the others
    assert findings_built(80) == 80


@pytest.mark.parametrize(
    "tail", ["x = " + "[" * 50_000 + "]" * 50_000, "x = " + "{a=" * 5_000 + "1" + "}" * 5_000]
)
def test_deeply_nested_toml_is_a_pack_problem_not_a_traceback(tail: str) -> None:
    assert _problems(GOOD + "\n" + tail + "\n") == [
        "local.toml: not valid TOML: arrays or tables nested too deep"
    ]


@pytest.mark.parametrize(
    ("item", "says"),
    [
        ('{ tariff_declared = "7607.11.9090", origin = "CN", value = nan }', "item 1 value: not a valid value: nan"),
        ('{ tariff_declared = "7607.11.9090", origin = "CN", colour = "red" }', "item 1 colour: not a field of the model"),
        ('{ tariff_declared = "7607.11.9090", origin = "CN", line = "first" }', "item 1 line: not a valid value: first"),
    ],
)  # fmt: skip
def test_a_golden_case_of_the_wrong_type_is_named_not_judged(item: str, says: str) -> None:
    from alcheck.rules.golden import run_golden_cases
    from alcheck.ruleset import RuleSet

    text = GOOD.replace(
        'item = { tariff_declared = "7607.11.9090", origin = "CN" }', f"item = {item}"
    )
    pack = load_pack_text(text, "local.toml")
    problems = run_golden_cases(pack, RuleSet.compile([pack]))
    assert len(problems) == 1
    assert "case 'foil from China': its declaration does not read cleanly" in problems[0]
    assert says in problems[0]
