"""Fill a rule's message for a finding: one filler for every path, in three languages."""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from typing import Any

from .ruleset import CompiledRule

_NOT_EVALUATED = {
    "en": "not evaluated: {reason}",
    "fr": "non évaluée : {reason}",
    "es": "no evaluada: {reason}",
}
_REASONS = {
    "rate": {
        "en": "no exchange rate from {currency} to {needed}",
        "fr": "aucun taux de change de {currency} en {needed}",
        "es": "no hay tipo de cambio de {currency} a {needed}",
    },
    "number": {
        "en": "the value, currency or net mass it needs is missing",
        "fr": "la valeur, la devise ou la masse nette nécessaire manque",
        "es": "falta el valor, la moneda o la masa neta que necesita",
    },
}


# What a message says where a value it names is missing.
_NONE = {"en": "none", "fr": "aucun", "es": "ninguno"}


class _Formatter(string.Formatter):
    def __init__(self, missing: str) -> None:
        self.missing = missing

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        value = kwargs.get(str(key))
        return self.missing if value is None else value


FORMATTERS = {lang: _Formatter(word) for lang, word in _NONE.items()}


# The placeholder names of each message template seen; None: a field that is not a plain
# name (positional, dotted, indexed), which only the general formatter fills.
_TEMPLATE_FIELDS: dict[str, tuple[str, ...] | None] = {}


def template_fields(template: str) -> tuple[str, ...] | None:
    """Return the placeholder names of a message template; None if one is not a name."""
    fields = _TEMPLATE_FIELDS.get(template, ())
    if fields == ():
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
        plain = all(n.isidentifier() for n in names)
        fields = _TEMPLATE_FIELDS[template] = tuple(sorted(names)) if plain else None
    return fields


def missing_word(lang: str) -> str:
    """Return the word a message uses for a value an item does not have ("none")."""
    return _NONE[lang]


def fill(template: str, values: Mapping[str, Any], params: Mapping[str, str], lang: str) -> str:
    """Return a message template filled from `params`, then `values`; missing: "none".

    Same result as the general formatter over `values | params`, with one lookup per
    placeholder: messages are filled once per finding, millions of times at a gateway, and
    `values` may compute each value only when asked for it.
    """
    fields = template_fields(template)
    if fields is None:
        return FORMATTERS[lang].format(template, **{**values, **params})
    missing = _NONE[lang]
    data: dict[str, Any] = {}
    for name in fields:
        value = params[name] if name in params else values.get(name)
        data[name] = missing if value is None else value
    return template.format_map(data)


def citation_text(rule: CompiledRule) -> str:
    """Return a rule's citation as a finding states it."""
    c = rule.citation
    text = c.instrument + (f", {c.section}" if c.section else "") + f" <{c.url}>"
    return text + (f" (caveat: {c.caveat})" if c.caveat else "")


_CHECK = {
    "en": "{reason} (the check: {summary})",
    "fr": "{reason} (le contrôle : {summary})",
    "es": "{reason} (el control: {summary})",
}


def not_evaluated_message(reason: str, summary: str, lang: str) -> str:
    """Return a not-evaluated finding's message: why, and which check (never its verdict)."""
    return _CHECK[lang].format(reason=reason, summary=summary)


def not_evaluated(rule: CompiledRule, currency: str | None, has_value: bool, lang: str) -> str:
    """Return why a rule could not be evaluated on an item (the start of its message)."""
    needed = next(
        (n.currency for n in rule.when.numbers if n.currency and n.currency != currency), None
    )
    kind = "rate" if needed and currency and has_value else "number"
    reason = _REASONS[kind][lang].format(currency=currency, needed=needed)
    return _NOT_EVALUATED[lang].format(reason=reason)
