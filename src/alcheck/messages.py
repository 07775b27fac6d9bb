"""Fill a rule's message for a finding: one filler for every path, in three languages."""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from .i18n import LANGS
from .i18n import translated as _
from .ruleset import CompiledRule

# English msgids of the catalogue (`i18n`), looked up in the report language.
_NOT_EVALUATED = "not evaluated: {reason}"
_REASONS = {
    "rate": "no exchange rate from {currency} to {needed}",
    "number": "the value, currency or net mass it needs is missing",
}
_CHECK = "{reason} (the check: {summary})"
# What a message says where a value it names is missing: never a bare "none", which reads
# as a value ("smelt2 none") or as a verdict. A list it names ("declared: {additional_codes}")
# is empty rather than undeclared.
_MISSING = "not declared"
_EMPTY = "nothing"
_LISTS = frozenset({"additional_codes", "documents"})


_NONE = {lang: _(_MISSING, lang) for lang in LANGS}
_NOTHING = {lang: _(_EMPTY, lang) for lang in LANGS}


class _Formatter(string.Formatter):
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        value = kwargs.get(str(key))
        return missing_word(self.lang, str(key)) if value is None else value


FORMATTERS = {lang: _Formatter(lang) for lang in LANGS}


@lru_cache(maxsize=4096)  # a run fills a few hundred templates, millions of times
def template_pieces(template: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """Return a template as its literal texts and the names between them, in order (one
    literal more than names); None when a placeholder is not a bare name (a format spec,
    a conversion, a positional, dotted or indexed field): `fill` then uses the general
    formatter.

    `literals[0] + format(v1) + literals[1] + ...` is `template.format_map(values)`
    without parsing the template again for every finding.
    """
    literals, names = [""], []
    for text, name, spec, conversion in string.Formatter().parse(template):
        literals[-1] += text
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            return None
        names.append(name)
        literals.append("")
    return tuple(literals), tuple(names)


def missing_word(lang: str, name: str = "") -> str:
    """Return the words a message uses for a value `name` an item does not have."""
    return _NOTHING[lang] if name in _LISTS else _NONE[lang]


def fill(template: str, values: Mapping[str, Any], params: Mapping[str, str], lang: str) -> str:
    """Return a message template filled from `params`, then `values`; missing: `missing_word`.

    Same result as the general formatter over `values | params`, with one lookup per
    placeholder: messages are filled once per finding, millions of times at a gateway, and
    `values` may compute each value only when asked for it.
    """
    split = template_pieces(template)
    if split is None:
        return FORMATTERS[lang].format(template, **{**values, **params})
    literals, names = split
    parts = [literals[0]]
    for name, literal in zip(names, literals[1:], strict=True):
        value = params[name] if name in params else values.get(name)
        if value is None:
            value = missing_word(lang, name)
        parts.append(value if type(value) is str else format(value))
        parts.append(literal)
    return "".join(parts)


def citation_text(rule: CompiledRule) -> str:
    """Return a rule's citation as a finding states it."""
    c = rule.citation
    text = c.instrument + (f", {c.section}" if c.section else "") + f" <{c.url}>"
    return text + (f" (caveat: {c.caveat})" if c.caveat else "")


def not_evaluated_message(reason: str, summary: str, lang: str) -> str:
    """Return a not-evaluated finding's message: why, and which check (never its verdict)."""
    return _(_CHECK, lang).format(reason=reason, summary=summary)


def not_evaluated(rule: CompiledRule, currency: str | None, has_value: bool, lang: str) -> str:
    """Return why a rule could not be evaluated on an item (the start of its message)."""
    needed = next(
        (n.currency for n in rule.when.numbers if n.currency and n.currency != currency), None
    )
    kind = "rate" if needed and currency and has_value else "number"
    reason = _(_REASONS[kind], lang).format(currency=currency, needed=needed)
    return _(_NOT_EVALUATED, lang).format(reason=reason)
