"""The built-in syntax, catalogue and structure checks that run before any rule pack.

Stable public ids: SYN-VALUE, SYN-UNKNOWN, CAT-COUNTRY, CAT-CURRENCY, CAT-TARIFF,
STR-REQUIRED, STR-UNDATED (the entry date could not be read: no rule is evaluated, the
declaration is judged on no date). Messages exist in English, French and Spanish.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ._version import __version__
from .codes.countries import is_country, is_metal_country
from .codes.currencies import is_currency
from .codes.tariff import parse_tariff
from .findings import CheckClass, Finding, Severity, item_field
from .model import EXPECTED_TYPE, Declaration, GoodsItem, Location

LANGUAGES = ("en", "fr", "es")


@dataclass(frozen=True)
class BuiltinRule:
    """A built-in check's id, grading, messages, hint and summary (each by language)."""

    id: str
    severity: Severity
    check_class: CheckClass
    messages: dict[str, str]
    hint: dict[str, str]
    summary: dict[str, str]


BUILTIN_RULES: dict[str, BuiltinRule] = {
    r.id: r
    for r in (
        BuiltinRule(
            "SYN-VALUE",
            Severity.ERROR,
            CheckClass.SYNTAX,
            {
                "en": "{field}: {value!r} is not {expected}",
                "fr": "{field} : {value!r} n'est pas {expected}",
                "es": "{field}: {value!r} no es {expected}",
            },
            {
                "en": "Correct the value in the source system and re-export the file.",
                "fr": (
                    "Corrigez la valeur dans le système source et exportez de nouveau le fichier."
                ),
                "es": "Corrija el valor en el sistema de origen y vuelva a exportar el archivo.",
            },
            {
                "en": (
                    "a value of the wrong type (a mass that is not a number, "
                    "a date that is not a date)"
                ),
                "fr": (
                    "une valeur du mauvais type (une masse qui n'est pas un nombre, "
                    "une date qui n'est pas une date)"
                ),
                "es": (
                    "un valor del tipo equivocado (una masa que no es un número, "
                    "una fecha que no es una fecha)"
                ),
            },
        ),
        BuiltinRule(
            "SYN-UNKNOWN",
            Severity.WARNING,
            CheckClass.SYNTAX,
            {
                "en": "{field}: alcheck does not read this input; it was not checked",
                "fr": "{field} : alcheck ne lit pas cette donnée ; elle n'a pas été vérifiée",
                "es": "{field}: alcheck no lee este dato; no se ha verificado",
            },
            {
                "en": "Check the field name against the documented format.",
                "fr": "Vérifiez le nom du champ dans la description du format.",
                "es": "Compruebe el nombre del campo en la descripción del formato.",
            },
            {
                "en": "input alcheck does not model (an unknown key or column)",
                "fr": "une donnée qu'alcheck ne modélise pas (clé ou colonne inconnue)",
                "es": "un dato que alcheck no modela (una clave o columna desconocida)",
            },
        ),
        BuiltinRule(
            "CAT-COUNTRY",
            Severity.ERROR,
            CheckClass.CATALOGUE,
            {
                "en": "{field}: {value!r} is not an ISO 3166-1 country code",
                "fr": "{field} : {value!r} n'est pas un code de pays ISO 3166-1",
                "es": "{field}: {value!r} no es un código de país ISO 3166-1",
            },
            {
                "en": "Use the ISO 3166-1 alpha-2 code (smelt and cast also allow UN and N/A).",
                "fr": (
                    "Utilisez le code alpha-2 ISO 3166-1 "
                    "(fonte et coulée admettent aussi UN et N/A)."
                ),
                "es": (
                    "Use el código alfa-2 ISO 3166-1 "
                    "(fundición y vertido admiten también UN y N/A)."
                ),
            },
            {
                "en": "a country code that is not ISO 3166-1 (or UN / N/A for smelt and cast)",
                "fr": (
                    "un code de pays qui n'est pas ISO 3166-1 "
                    "(ou UN / N/A pour la fonte et la coulée)"
                ),
                "es": (
                    "un código de país que no es ISO 3166-1 "
                    "(o UN / N/A para la fundición y el vertido)"
                ),
            },
        ),
        BuiltinRule(
            "CAT-CURRENCY",
            Severity.ERROR,
            CheckClass.CATALOGUE,
            {
                "en": "{field}: {value!r} is not an ISO 4217 currency code",
                "fr": "{field} : {value!r} n'est pas un code de devise ISO 4217",
                "es": "{field}: {value!r} no es un código de moneda ISO 4217",
            },
            {
                "en": "Use the three-letter ISO 4217 code, e.g. USD, CAD, MXN, EUR.",
                "fr": "Utilisez le code ISO 4217 à trois lettres, p. ex. USD, CAD, MXN, EUR.",
                "es": "Use el código ISO 4217 de tres letras, p. ej. USD, CAD, MXN, EUR.",
            },
            {
                "en": "a currency code that is not ISO 4217",
                "fr": "un code de devise qui n'est pas ISO 4217",
                "es": "un código de moneda que no es ISO 4217",
            },
        ),
        BuiltinRule(
            "CAT-TARIFF",
            Severity.ERROR,
            CheckClass.CATALOGUE,
            {
                "en": "tariff code {value!r}: {problem}",
                "fr": "code tarifaire {value!r} : {problem}",
                "es": "código arancelario {value!r}: {problem}",
            },
            {
                "en": (
                    "Declare the full national code; "
                    "its first six digits must be an HS 2022 subheading."
                ),
                "fr": (
                    "Déclarez le code national complet ; "
                    "ses six premiers chiffres doivent être une sous-position du SH 2022."
                ),
                "es": (
                    "Declare el código nacional completo; "
                    "sus seis primeros dígitos deben ser una subpartida del SA 2022."
                ),
            },
            {
                "en": (
                    "a malformed tariff code for the jurisdiction, or an HS-6 part not in HS 2022"
                ),
                "fr": (
                    "un code tarifaire mal formé pour la juridiction, "
                    "ou dont les six premiers chiffres ne sont pas dans le SH 2022"
                ),
                "es": (
                    "un código arancelario mal formado para la jurisdicción, "
                    "o cuyos seis primeros dígitos no están en el SA 2022"
                ),
            },
        ),
        BuiltinRule(
            "STR-REQUIRED",
            Severity.ERROR,
            CheckClass.STRUCTURE,
            {
                "en": "{field} is required but missing",
                "fr": "{field} est obligatoire mais absent",
                "es": "{field} es obligatorio pero falta",
            },
            {
                "en": "Add the missing data to the declaration.",
                "fr": "Ajoutez la donnée manquante à la déclaration.",
                "es": "Agregue el dato faltante a la declaración.",
            },
            {
                "en": "a required field is missing",
                "fr": "une donnée obligatoire est absente",
                "es": "falta un dato obligatorio",
            },
        ),
        BuiltinRule(
            "STR-UNDATED",
            Severity.WARNING,
            CheckClass.STRUCTURE,
            {
                "en": "no rule was evaluated: the entry date {value!r} could not be read, and "
                "every rule depends on the date",
                "fr": "aucune règle n'a été évaluée : la date d'entrée {value!r} est illisible, "
                "et chaque règle dépend de la date",
                "es": "no se evaluó ninguna regla: la fecha de entrada {value!r} no se pudo "
                "leer, y cada regla depende de la fecha",
            },
            {
                "en": "Give the entry date as YYYY-MM-DD, or judge the file on a date (--as-of).",
                "fr": "Indiquez la date d'entrée au format AAAA-MM-JJ, ou jugez le fichier à une "
                "date (--as-of).",
                "es": "Indique la fecha de entrada como AAAA-MM-DD, o juzgue el archivo en una "
                "fecha (--as-of).",
            },
            {
                "en": "rules not evaluated: the entry date could not be read",
                "fr": "règles non évaluées : la date d'entrée est illisible",
                "es": "reglas no evaluadas: la fecha de entrada no se pudo leer",
            },
        ),
    )
}

# What is wrong with a tariff code, in French and Spanish (English comes from parse_tariff).
_TARIFF_PROBLEMS = {
    "fr": {
        "chars": "un code tarifaire ne contient que des chiffres, des points et des espaces",
        "length": "{n} chiffres ; {where} attend {expected} chiffres",
        "hs6": "{hs6} n'est pas une sous-position du SH 2022",
    },
    "es": {
        "chars": "un código arancelario solo contiene dígitos, puntos y espacios",
        "length": "{n} dígitos; {where} espera {expected} dígitos",
        "hs6": "{hs6} no es una subpartida del SA 2022",
    },
}

_DECLARATION_REQUIRED = ("id", "jurisdiction", "entry_date")
_ITEM_REQUIRED = ("tariff_declared", "description", "origin")


def _finding(
    rule_id: str,
    lang: str,
    decl: Declaration,
    item: GoodsItem | None,
    field: str,
    value: str | None,
    position: int = 0,
    **extra: str,
) -> Finding:
    owner = item if item is not None else decl
    return builtin_finding(
        rule_id,
        lang,
        field,
        value,
        declaration_id=decl.id,
        item_line=item.line if item is not None else None,
        location=owner.where(field.split("[", 1)[0]) or decl.location,
        in_item=item is not None,
        item_position=position,
        **extra,
    )


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
    lang = lang if lang in LANGUAGES else "en"
    base = field.split("[", 1)[0]
    message = rule.messages[lang].format(
        field=field, value=value, expected=EXPECTED_TYPE.get(base, "of the expected type"), **extra
    )
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
    problem = parsed.problem
    if problem is not None and parsed.kind is not None and lang in _TARIFF_PROBLEMS:
        detail = dict(parsed.detail)
        if jurisdiction is None:
            detail["where"] = {"fr": "cette juridiction", "es": "esta jurisdicción"}[lang]
        problem = _TARIFF_PROBLEMS[lang][parsed.kind].format(**detail)
    return problem


def builtin_findings(decl: Declaration, lang: str = "en") -> Iterator[Finding]:
    """Yield the syntax, catalogue and structure findings of one declaration."""
    for name, raw in decl.invalid.items():
        yield _finding("SYN-VALUE", lang, decl, None, name, raw)
    for name in decl.unread:
        yield _finding("SYN-UNKNOWN", lang, decl, None, name, decl.unread[name])
    for name in _DECLARATION_REQUIRED:
        if getattr(decl, name) is None and name not in decl.invalid:
            yield _finding("STR-REQUIRED", lang, decl, None, name, None)
    if not decl.items and "items" not in decl.invalid:
        yield _finding("STR-REQUIRED", lang, decl, None, "items", None)
    if decl.jurisdiction is not None and decl.jurisdiction != "EU":
        if not is_country(decl.jurisdiction):
            yield _finding("CAT-COUNTRY", lang, decl, None, "jurisdiction", decl.jurisdiction)
    for i, rate in enumerate(decl.exchange_rates):
        for code in (rate.currency, rate.to_currency):
            if not is_currency(code):
                yield _finding("CAT-CURRENCY", lang, decl, None, f"exchange_rates[{i}]", code)
    for position, item in enumerate(decl.items, 1):
        yield from _item_findings(decl, item, lang, position)


def _item_findings(
    decl: Declaration, item: GoodsItem, lang: str, position: int
) -> Iterator[Finding]:
    for name, raw in item.invalid.items():
        yield _finding("SYN-VALUE", lang, decl, item, name, raw, position)
    for name, raw in item.unread.items():
        yield _finding("SYN-UNKNOWN", lang, decl, item, name, raw, position)
    for name in _ITEM_REQUIRED:
        if getattr(item, name) is None and name not in item.invalid:
            yield _finding("STR-REQUIRED", lang, decl, item, name, None, position)
    for name in ("net_mass_kg", "gross_mass_kg", "value"):
        number = getattr(item, name)
        if number is not None and number < 0:
            yield _finding("SYN-VALUE", lang, decl, item, name, str(number), position)
    for name in ("origin", "preferential_origin", "export_country"):
        code = getattr(item, name)
        if code is not None and not is_country(code):
            yield _finding("CAT-COUNTRY", lang, decl, item, name, code, position)
    for name in ("smelt1", "smelt2", "cast"):
        code = getattr(item, name)
        if code is not None and not is_metal_country(code):
            yield _finding("CAT-COUNTRY", lang, decl, item, name, code, position)
    if item.currency is not None and not is_currency(item.currency):
        yield _finding("CAT-CURRENCY", lang, decl, item, "currency", item.currency, position)
    if item.tariff_declared is not None:
        problem = tariff_problem(item.tariff_declared, decl.jurisdiction, lang)
        if problem is not None:
            yield _finding(
                "CAT-TARIFF",
                lang,
                decl,
                item,
                "tariff_declared",
                item.tariff_declared,
                position,
                problem=problem,
            )
