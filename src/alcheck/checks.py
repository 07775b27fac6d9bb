"""The built-in syntax, catalogue and structure checks that run before any rule pack:
their ids, messages and findings (`builtin_finding`). They run on the columns, with the
rules (`gateway.ScreenedBatch`; one declaration model: `gateway.builtin_findings`).

Stable public ids: SYN-VALUE, SYN-UNKNOWN, CAT-COUNTRY, CAT-CURRENCY, CAT-TARIFF,
STR-REQUIRED, STR-UNDATED (the entry date could not be read: no rule is evaluated, the
declaration is judged on no date). Messages exist in English, French and Spanish.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._version import __version__
from .codes.tariff import PROBLEMS, parse_tariff, shapes_for
from .findings import CheckClass, Finding, Severity, item_field
from .i18n import LANGS
from .i18n import translated as _
from .model import EXPECTED_TYPE, Location


@dataclass(frozen=True)
class BuiltinRule:
    """A built-in check's id, grading, messages, hint and summary (each by language)."""

    id: str
    severity: Severity
    check_class: CheckClass
    messages: dict[str, str]
    hint: dict[str, str]
    summary: dict[str, str]

    @classmethod
    def translated(
        cls, rule_id: str, severity: Severity, check_class: CheckClass, *english: str
    ) -> BuiltinRule:
        """Return the check with its English message, hint and summary in every language."""
        message, hint, summary = ({lang: _(text, lang) for lang in LANGS} for text in english)
        return cls(rule_id, severity, check_class, message, hint, summary)


BUILTIN_RULES: dict[str, BuiltinRule] = {
    r.id: r
    for r in (
        BuiltinRule.translated(
            "SYN-VALUE",
            Severity.ERROR,
            CheckClass.SYNTAX,
            "{field}: {value!r} is not {expected}",
            "Correct the value in the source system and re-export the file.",
            "a value of the wrong type (a mass that is not a number, a date that is not a date)",
        ),
        BuiltinRule.translated(
            "SYN-UNKNOWN",
            Severity.WARNING,
            CheckClass.SYNTAX,
            "{field}: alcheck does not read this input; it was not checked",
            "Check the field name against the documented format.",
            "input alcheck does not model (an unknown key or column)",
        ),
        BuiltinRule.translated(
            "CAT-COUNTRY",
            Severity.ERROR,
            CheckClass.CATALOGUE,
            "{field}: {value!r} is not an ISO 3166-1 country code",
            "Use the ISO 3166-1 alpha-2 code (smelt and cast also allow UN and N/A).",
            "a country code that is not ISO 3166-1 (or UN / N/A for smelt and cast)",
        ),
        BuiltinRule.translated(
            "CAT-CURRENCY",
            Severity.ERROR,
            CheckClass.CATALOGUE,
            "{field}: {value!r} is not an ISO 4217 currency code",
            "Use the three-letter ISO 4217 code, e.g. USD, CAD, MXN, EUR.",
            "a currency code that is not ISO 4217",
        ),
        BuiltinRule.translated(
            "CAT-TARIFF",
            Severity.ERROR,
            CheckClass.CATALOGUE,
            "tariff code {value!r}: {problem}",
            "Declare the full national code; its first six digits must be an HS 2022 subheading.",
            "a malformed tariff code for the jurisdiction, or an HS-6 part not in HS 2022",
        ),
        BuiltinRule.translated(
            "STR-REQUIRED",
            Severity.ERROR,
            CheckClass.STRUCTURE,
            "{field} is required but missing",
            "Add the missing data to the declaration.",
            "a required field is missing",
        ),
        BuiltinRule.translated(
            "STR-UNDATED",
            Severity.WARNING,
            CheckClass.STRUCTURE,
            (
                "no rule was evaluated: the entry date {value!r} could not be read, and every rule "
                "depends on the date"
            ),
            "Give the entry date as YYYY-MM-DD, or judge the file on a date (--as-of).",
            "rules not evaluated: the entry date could not be read",
        ),
    )
}


def builtin_finding(
    rule_id: str,
    lang: str,
    field: str,
    value: str | None,
    *,
    declaration_id: str | None,
    item_line: int | None,
    location: Location | None,
    in_item: bool,
    item_position: int = 0,
    **extra: str,
) -> Finding:
    """Return the finding of a built-in check on `field` (of an item when `in_item`).

    item_position: the item's 1-based position in its declaration, which names it when
    its line number is missing (see `findings.item_field`).
    """
    rule = BUILTIN_RULES[rule_id]
    lang = lang if lang in LANGS else "en"
    base = field.split("[", 1)[0]
    expected = _(EXPECTED_TYPE.get(base, "of the expected type"), lang)
    message = rule.messages[lang].format(field=field, value=value, expected=expected, **extra)
    return Finding(
        rule_id=rule_id,
        severity=rule.severity,
        check_class=rule.check_class,
        message=message,
        declaration_id=declaration_id,
        item_line=item_line,
        field=item_field(item_line, item_position, field) if in_item else field,
        location=location,
        value=value,
        hint=rule.hint[lang],
        pack="builtin",
        pack_version=__version__,
    )


def tariff_problem(declared: str, jurisdiction: str | None, lang: str) -> str | None:
    """Return what is wrong with a declared tariff code, in `lang`, or None."""
    parsed = parse_tariff(declared, jurisdiction)
    if parsed.kind is None:
        return parsed.problem
    detail = dict(parsed.detail)
    if "where" in detail and jurisdiction is None:
        detail["where"] = _(detail["where"], lang)
    if parsed.kind == "length":
        shapes = shapes_for(jurisdiction).items()
        detail["lengths"] = ", ".join(f"{n} ({_(what, lang)})" for n, what in shapes)
    return _(PROBLEMS[parsed.kind], lang).format(**detail)
