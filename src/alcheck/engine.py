"""Apply the built-in checks and a compiled rule set to declarations; collect findings.

The date a declaration is judged on: the caller's `as_of` when given, else the
declaration's entry date, else today. Every finding records it (`judged_on`).
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._match import kernel
from .checks import builtin_findings
from .codes.hs import hs_description
from .errors import UsageError
from .findings import Finding, Severity, item_field
from .model import Declaration, GoodsItem, Location, unit_value_text
from .rates import check_rates
from .ruleset import CompiledRule, Rates, RuleSet, encode

LANGS: tuple[str, ...] = ("en", "fr", "es")
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


@dataclass(frozen=True, slots=True)
class Options:
    """How findings are selected and graded (see `validate`)."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] | None = None

    @classmethod
    def of_call(
        cls, lang: str, select: Sequence[str], ignore: Sequence[str],
        severity: Mapping[str, Severity | str] | None, rates: Rates | None = None,
    ) -> Options:  # fmt: skip
        """Return the options of a `check`-like call; refuse what it cannot mean.

        A language alcheck lacks, a string where a list of rule ids is expected (it would be
        read letter by letter), an empty id (it would match every rule), a severity that is
        not one, or an exchange rate that is not a positive finite number: UsageError.
        """
        if lang not in LANGS:
            raise UsageError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
        for name, ids in (("select", select), ("ignore", ignore)):
            _check_ids(name, ids)
        grades: dict[str, Severity] | None = None
        if severity:
            if not isinstance(severity, Mapping):
                raise UsageError("severity takes a mapping {rule id or prefix: level}")
            _check_ids("severity", list(severity))
            try:
                grades = {k: Severity(v) for k, v in severity.items()}
            except ValueError as exc:
                raise UsageError(f"severity: {exc}; levels are error, warning, info") from None
        if rates is not None:
            check_rates(rates)
        return cls(tuple(select), tuple(ignore), grades)

    def keep(self, rule_id: str) -> bool:
        """Tell whether a rule id passes select (prefixes; empty = all) and ignore."""
        if self.select and not any(rule_id.startswith(p) for p in self.select):
            return False
        return not any(rule_id.startswith(p) for p in self.ignore)

    def grade(self, rule_id: str, severity: Severity) -> Severity:
        """Return a rule's severity after the override of its exact id or longest id prefix."""
        if not self.severity:
            return severity
        best = max((p for p in self.severity if rule_id.startswith(p)), key=len, default=None)
        return severity if best is None else self.severity[best]

    def regrade(self, finding: Finding) -> Finding:
        """Apply a severity override to a finding (see `grade`)."""
        severity = self.grade(finding.rule_id, finding.severity)
        if severity is finding.severity:
            return finding
        return finding.model_copy(update={"severity": severity})


def _check_ids(name: str, ids: object) -> None:
    if isinstance(ids, str | bytes):
        raise UsageError(f"{name} takes a list of rule ids or prefixes, not the string {ids!r}")
    for rid in ids:  # type: ignore[attr-defined]
        if not isinstance(rid, str) or not rid.strip():
            raise UsageError(f"{name}: {rid!r} is not a rule id or prefix (it would match all)")


@dataclass(frozen=True, slots=True)
class DeclarationResult:
    """The findings of one declaration and the date it was judged on (and why that date)."""

    declaration: Declaration
    judged_on: dt.date
    date_source: str
    findings: tuple[Finding, ...]


# What a message says where a value it names is missing.
_NONE = {"en": "none", "fr": "aucun", "es": "ninguno"}


class _Formatter(string.Formatter):
    def __init__(self, missing: str) -> None:
        self.missing = missing

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        value = kwargs.get(str(key))
        return self.missing if value is None else value


_FORMAT = {lang: _Formatter(word) for lang, word in _NONE.items()}


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
        return _FORMAT[lang].format(template, **{**values, **params})
    missing = _NONE[lang]
    data: dict[str, Any] = {}
    for name in fields:
        value = params[name] if name in params else values.get(name)
        data[name] = missing if value is None else value
    return template.format_map(data)


def _item_values(decl: Declaration, item: GoodsItem, judged_on: dt.date) -> dict[str, Any]:
    unit = unit_value_text(item.value, item.net_mass_kg)
    return {
        "id": decl.id, "line": item.line, "tariff": item.tariff_declared, "hs6": item.hs6,
        "description": item.description, "origin": item.origin,
        "export_country": item.export_country, "smelt1": item.smelt1, "smelt2": item.smelt2,
        "cast": item.cast, "value": item.value, "currency": item.currency,
        "net_mass": item.net_mass_kg, "unit_value": unit,
        "regime": decl.regime.value if decl.regime else None,
        "declaration_type": decl.declaration_type, "judged_on": judged_on.isoformat(),
        "jurisdiction": decl.jurisdiction,
        "additional_codes": ", ".join(item.additional_codes) or None,
        "documents": ", ".join(
            d.type + (f":{d.id}" if d.id else "") for d in (*item.documents, *decl.documents)
        ) or None,
        "hs_description": hs_description(item.hs6) if item.hs6 else None,
    }  # fmt: skip


def citation_text(rule: CompiledRule) -> str:
    """Return a rule's citation as a finding states it."""
    c = rule.citation
    text = c.instrument + (f", {c.section}" if c.section else "") + f" <{c.url}>"
    return text + (f" (caveat: {c.caveat})" if c.caveat else "")


def _rule_finding(
    rule: CompiledRule, decl: Declaration, item: GoodsItem, position: int, judged_on: dt.date,
    evaluated: bool, lang: str,
) -> Finding:  # fmt: skip
    values = _item_values(decl, item, judged_on)
    attr = rule.field
    raw = getattr(item, attr, None) if attr in GoodsItem.model_fields else None
    return rule_finding(
        rule, values, raw, evaluated=evaluated, lang=lang, currency=item.currency,
        has_value=item.value is not None, location=item.where(attr) or decl.location,
        declaration_id=decl.id, item_line=item.line, item_position=position,
        judged_on=judged_on,
    )  # fmt: skip


def not_evaluated(rule: CompiledRule, currency: str | None, has_value: bool, lang: str) -> str:
    """Return why a rule could not be evaluated on an item (the start of its message)."""
    needed = next(
        (n.currency for n in rule.when.numbers if n.currency and n.currency != currency), None
    )
    kind = "rate" if needed and currency and has_value else "number"
    reason = _REASONS[kind][lang].format(currency=currency, needed=needed)
    return _NOT_EVALUATED[lang].format(reason=reason)


def rule_finding(
    rule: CompiledRule, values: Mapping[str, Any], raw: Any, *, evaluated: bool, lang: str,
    currency: str | None, has_value: bool, location: Location | None,
    declaration_id: str | None, item_line: int | None, judged_on: dt.date,
    item_position: int = 0,
) -> Finding:  # fmt: skip
    """Return a rule's finding on one item, given the item's message values (`_item_values`).

    raw: the value of the rule's field on the item (None when it has no such field).
    item_position: the item's 1-based position in its declaration (`findings.item_field`).
    """
    params = dict(rule.params)
    message = fill(getattr(rule.message, lang), values, params, lang)
    if not evaluated:
        message = not_evaluated(rule, currency, has_value, lang) + " — " + message
    attr = rule.field
    if attr == "documents":
        raw = params.get("documents", values["documents"])
    return Finding(
        rule_id=rule.id,
        severity=rule.severity if evaluated else Severity.INFO,
        check_class=rule.check_class,
        message=message,
        declaration_id=declaration_id,
        item_line=item_line,
        field=item_field(item_line, item_position, attr),
        location=location,
        value=None
        if raw is None
        else str(raw)
        if not isinstance(raw, tuple)
        else ", ".join(map(str, raw)),
        citation=citation_text(rule),
        hint=getattr(rule.hint, lang),
        pack=rule.pack.name,
        pack_version=rule.pack.version,
        variant=rule.variant,
        evaluated=evaluated,
        judged_on=judged_on,
    )


def today() -> dt.date:
    """Return the date a declaration with neither `as_of` nor an entry date is judged on.

    Every path asks here (tests fix the date by replacing this one function).
    """
    return dt.date.today()


def _judged(decl: Declaration, as_of: dt.date | None) -> tuple[dt.date, str]:
    if as_of is not None:
        return as_of, "as_of"
    if decl.entry_date is not None:
        return decl.entry_date, "entry_date"
    return today(), "today"


def check(
    declarations: Declaration | Iterable[Declaration],
    *,
    rules: RuleSet | None = None,
    as_of: dt.date | None = None,
    rates: Rates | None = None,
    lang: str = "en",
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    severity: Mapping[str, Severity | str] | None = None,
    batch_items: int = 4096,
) -> Iterator[DeclarationResult]:
    """Yield each declaration's result in input order, judging items in kernel batches.

    When `declarations` raises (a reader meeting input it cannot read), the declarations
    it gave before are judged and yielded first, then the error is raised: nothing read
    is dropped with the batch it was waiting in.
    """
    options = Options.of_call(lang, select, ignore, severity, rates)
    ruleset = rules if rules is not None else RuleSet.default()
    if isinstance(declarations, Declaration):
        declarations = (declarations,)
    pending: list[tuple[Declaration, dt.date, str]] = []
    n_items = 0
    source = iter(declarations)
    while True:
        try:
            decl = next(source)
        except StopIteration:
            break
        except Exception:
            if pending:
                yield from _run(ruleset, pending, options, lang, rates)
            raise
        pending.append((decl, *_judged(decl, as_of)))
        n_items += len(decl.items)
        if n_items >= batch_items:
            yield from _run(ruleset, pending, options, lang, rates)
            pending, n_items = [], 0
    if pending:
        yield from _run(ruleset, pending, options, lang, rates)


def _run(
    rs: RuleSet, pending: list[tuple[Declaration, dt.date, str]], options: Options, lang: str,
    rates: Rates | None,
) -> Iterator[DeclarationResult]:  # fmt: skip
    rows = [(decl, item, day) for decl, day, _ in pending for item in decl.items]
    matches = kernel.match(rs.tables, encode(rs, rows, rates)) if rows and rs.rules else []
    by_item: dict[int, list[tuple[int, int]]] = {}
    for i, r, status in matches:
        by_item.setdefault(i, []).append((r, status))
    row = 0
    for decl, day, source in pending:
        found = [
            options.regrade(f) for f in builtin_findings(decl, lang) if options.keep(f.rule_id)
        ]
        for position, item in enumerate(decl.items, 1):
            for r, status in sorted(by_item.get(row, ())):
                rule = rs.rules[r]
                if options.keep(rule.id):
                    f = _rule_finding(rule, decl, item, position, day, status == 1, lang)
                    found.append(options.regrade(f) if status == 1 else f)
            row += 1
        yield DeclarationResult(decl, day, source, tuple(found))


def iter_findings(
    declarations: Declaration | Iterable[Declaration], **kwargs: Any
) -> Iterator[Finding]:
    """Yield every finding of one declaration or of many, in input order (see `check`)."""
    for result in check(declarations, **kwargs):
        yield from result.findings


def validate(declarations: Declaration | Iterable[Declaration], **kwargs: Any) -> list[Finding]:
    """Return every finding of one declaration or of many, in input order.

    Keyword arguments: rules (a RuleSet; default: every bundled pack), as_of (a date that
    overrides entry dates), rates ({("EUR", "USD"): 1.08}), lang ("en", "fr", "es"),
    select / ignore (rule id prefixes), severity ({rule id or prefix: level}).
    """
    return list(iter_findings(declarations, **kwargs))
