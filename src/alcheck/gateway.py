"""The gateway fast path: WCO XML to findings through columns, with no declaration models.

`screen_xml` gives the findings `validate(read(path))` gives, in the same order, built
only where a check or rule matched. Differences, by design (docs/api.md):
- a finding's `location` has the file and the line of the element that holds the value
  (as the engine's), but no `path`;
- an amount or mass beyond the float range (above about 1.8e308) counts as unknown for
  the rules, as in `screen`;
- a rule whose `field` is `supplementary_unit` reports no value (the unit is not read).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from .checks import builtin_finding, builtin_findings, tariff_problem
from .codes.countries import is_country, is_metal_country
from .codes.currencies import is_currency
from .codes.hs import hs_description, is_hs6
from .engine import LANGS, Options, rule_finding
from .errors import UsageError
from .findings import Finding, Severity
from .formats.wco_columns import WcoColumns, read_wco_columns
from .model import Location, tariff_digits
from .ruleset import Rates, RuleSet
from .screen import screen

_NAN = math.nan
# GoodsItem fields a rule may name, and the batch column that holds each.
_RULE_FIELDS = {
    "line": "line", "description": "description", "tariff_declared": "tariff",
    "additional_codes": "additional_codes", "origin": "origin",
    "preferential_origin": "preferential_origin", "export_country": "export_country",
    "smelt1": "smelt1", "smelt2": "smelt2", "cast": "cast", "net_mass_kg": "net_mass_kg",
    "gross_mass_kg": "gross_mass_kg", "supplementary_quantity": "supplementary_quantity",
    "value": "value", "currency": "currency",
}  # fmt: skip


def screen_xml(
    path: str | Path,
    *,
    rules: RuleSet | None = None,
    as_of: dt.date | None = None,
    rates: Rates | None = None,
    lang: str = "en",
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    severity: Mapping[str, Severity | str] | None = None,
    batch_items: int = 4096,
) -> Iterator[Finding]:
    """Yield the findings of a WCO XML file, as `validate(read(path))` would, but faster.

    Keywords as for `validate`. Reads the file in batches of about `batch_items` goods items.
    """
    if lang not in LANGS:
        raise UsageError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    rs = rules if rules is not None else RuleSet.default()
    options = Options(
        tuple(select), tuple(ignore),
        {k: Severity(v) for k, v in severity.items()} if severity else None,
    )  # fmt: skip
    for batch in read_wco_columns(path, batch_items=batch_items):
        yield from _Batch(batch, rs, lang).findings(options, rates, as_of)


def _floats(values: Sequence[Decimal | None]) -> list[float]:
    return [_NAN if v is None else float(v) for v in values]


class _Batch:
    """The findings of one column batch."""

    def __init__(self, batch: WcoColumns, rs: RuleSet, lang: str) -> None:
        self.b = batch
        self.rs = rs
        self.lang = lang
        self.locations: dict[int | None, Location] = {}
        self.decl_of: list[int] = []
        for k in range(batch.n_declarations):
            self.decl_of.extend([k] * (batch.first[k + 1] - batch.first[k]))

    def loc(self, line: int | None) -> Location:
        where = self.locations.get(line)
        if where is None:
            where = self.locations[line] = Location(file=self.b.file, line=line)
        return where

    def findings(
        self, options: Options, rates: Rates | None, as_of: dt.date | None
    ) -> Iterator[Finding]:
        b, rs, decl_of = self.b, self.rs, self.decl_of
        today = dt.date.today()
        days = [as_of or d or today for d in b.entry_date]
        matches: dict[int, list[tuple[int, int]]] = {}
        if len(b) and rs.rules:
            result = screen(
                b.tariff,
                [b.jurisdiction[k] for k in decl_of],
                b.origin,
                b.export_country,
                b.smelt1,
                b.smelt2,
                b.cast,
                _floats(b.value),
                b.currency,
                _floats(b.net_mass_kg),
                [days[k] for k in decl_of],
                description=b.description,
                regime=[b.regime[k] for k in decl_of],
                declaration_type=[b.declaration_type[k] for k in decl_of],
                documents=[
                    docs + b.decl_documents[k] for docs, k in zip(b.documents, decl_of, strict=True)
                ],
                additional_codes=b.additional_codes,
                rules=rs,
                rates=rates,
                gross_mass=_floats(b.gross_mass_kg),
                supplementary_quantity=_floats(b.supplementary_quantity),
                importer=[b.importer[k] for k in decl_of],
                exporter=[b.exporter[k] for k in decl_of],
                manufacturer=[b.manufacturer[k] for k in decl_of],
                declaration_rates=[b.exchange_rates[k] for k in decl_of],
            )
            for row, r, status in zip(result.rows, result.rules, result.status, strict=True):
                matches.setdefault(row, []).append((r, status))
        for k in range(b.n_declarations):
            model = b.model[k]
            if model is None:
                builtin: Iterator[Finding] = self.builtin(k)
            else:
                builtin = (self.pathless(f) for f in builtin_findings(model, self.lang))
            for f in builtin:
                if options.keep(f.rule_id):
                    yield options.regrade(f)
            for row in range(b.first[k], b.first[k + 1]):
                found = matches.get(row)
                if not found:
                    continue
                values = self.values(row, k, days[k])
                for r, status in sorted(found):
                    rule = rs.rules[r]
                    if not options.keep(rule.id):
                        continue
                    column = _RULE_FIELDS.get(rule.field)
                    raw = getattr(b, column)[row] if column is not None else None
                    f = rule_finding(
                        rule, values, raw, evaluated=status == 1, lang=self.lang,
                        currency=b.currency[row], has_value=b.value[row] is not None,
                        location=self.loc(b.item_sources[row].get(rule.field, b.item_line[row])),
                        declaration_id=b.decl_id[k], item_line=b.line[row], judged_on=days[k],
                    )  # fmt: skip
                    yield options.regrade(f) if status == 1 else f

    def pathless(self, f: Finding) -> Finding:
        if f.location is None or f.location.path is None:
            return f
        return f.model_copy(update={"location": self.loc(f.location.line)})

    def values(self, row: int, k: int, judged_on: dt.date) -> dict[str, Any]:
        """Return the message values of an item, as `engine._item_values` does."""
        b = self.b
        tariff = b.tariff[row]
        digits = tariff_digits(tariff) if tariff is not None else None
        hs6 = digits[:6] if digits and len(digits) >= 6 and is_hs6(digits[:6]) else None
        value, mass = b.value[row], b.net_mass_kg[row]
        documents = (*b.documents[row], *b.decl_documents[k])
        return {
            "id": b.decl_id[k], "line": b.line[row], "tariff": tariff, "hs6": hs6,
            "description": b.description[row], "origin": b.origin[row],
            "export_country": b.export_country[row], "smelt1": b.smelt1[row],
            "smelt2": b.smelt2[row], "cast": b.cast[row], "value": value,
            "currency": b.currency[row], "net_mass": mass,
            "unit_value": f"{value / mass:.4f}" if value is not None and mass else None,
            "regime": b.regime[k], "declaration_type": b.declaration_type[k],
            "judged_on": judged_on.isoformat(), "jurisdiction": b.jurisdiction[k],
            "additional_codes": ", ".join(b.additional_codes[row]) or None,
            "documents": ", ".join(t + (f":{i}" if i else "") for t, i in documents) or None,
            "hs_description": hs_description(hs6) if hs6 else None,
        }  # fmt: skip

    def builtin(self, k: int) -> Iterator[Finding]:
        """Yield the built-in checks' findings of declaration k, in `builtin_findings` order."""
        b, lang = self.b, self.lang
        decl_id = b.decl_id[k]
        sources = b.decl_sources[k]
        decl_line = b.decl_line[k]

        def decl_finding(rule_id: str, name: str, value: str | None, **extra: str) -> Finding:
            line = sources.get(name.split("[", 1)[0], decl_line)
            return builtin_finding(
                rule_id, lang, name, value, declaration_id=decl_id, item_line=None,
                location=self.loc(line), in_item=False, **extra,
            )  # fmt: skip

        invalid = b.decl_invalid[k]
        for name, raw in invalid.items():
            yield decl_finding("SYN-VALUE", name, raw)
        required = {"id": decl_id, "jurisdiction": b.jurisdiction[k], "entry_date": b.entry_date[k]}
        for name, present in required.items():
            if present is None and name not in invalid:
                yield decl_finding("STR-REQUIRED", name, None)
        if b.first[k] == b.first[k + 1]:
            yield decl_finding("STR-REQUIRED", "items", None)
        jur = b.jurisdiction[k]
        if jur is not None and jur != "EU" and not is_country(jur):
            yield decl_finding("CAT-COUNTRY", "jurisdiction", jur)
        for i, (currency, to_currency, _) in enumerate(b.exchange_rates[k]):
            for code in (currency, to_currency):
                if not is_currency(code):
                    yield decl_finding("CAT-CURRENCY", f"exchange_rates[{i}]", code)
        for row in range(b.first[k], b.first[k + 1]):
            yield from self.item_builtin(row, k)

    def item_builtin(self, row: int, k: int) -> Iterator[Finding]:
        b, lang = self.b, self.lang
        item_sources = b.item_sources[row]
        item_line = b.item_line[row]
        line = b.line[row]
        decl_id = b.decl_id[k]

        def item_finding(rule_id: str, name: str, value: str | None, **extra: str) -> Finding:
            return builtin_finding(
                rule_id, lang, name, value, declaration_id=decl_id, item_line=line,
                location=self.loc(item_sources.get(name, item_line)), in_item=True, **extra,
            )  # fmt: skip

        invalid = b.item_invalid[row] or {}
        for name, raw in invalid.items():
            yield item_finding("SYN-VALUE", name, raw)
        if b.tariff[row] is None:
            yield item_finding("STR-REQUIRED", "tariff_declared", None)
        if b.description[row] is None:
            yield item_finding("STR-REQUIRED", "description", None)
        if b.origin[row] is None:
            yield item_finding("STR-REQUIRED", "origin", None)
        for name, numbers in (
            ("net_mass_kg", b.net_mass_kg), ("gross_mass_kg", b.gross_mass_kg), ("value", b.value)
        ):  # fmt: skip
            number = numbers[row]
            if number is not None and number < 0:
                yield item_finding("SYN-VALUE", name, str(number))
        for name, codes in (
            ("origin", b.origin), ("preferential_origin", b.preferential_origin),
            ("export_country", b.export_country),
        ):  # fmt: skip
            code = codes[row]
            if code is not None and not is_country(code):
                yield item_finding("CAT-COUNTRY", name, code)
        for name, codes in (("smelt1", b.smelt1), ("smelt2", b.smelt2), ("cast", b.cast)):
            code = codes[row]
            if code is not None and not is_metal_country(code):
                yield item_finding("CAT-COUNTRY", name, code)
        currency = b.currency[row]
        if currency is not None and not is_currency(currency):
            yield item_finding("CAT-CURRENCY", "currency", currency)
        tariff = b.tariff[row]
        if tariff is not None:
            problem = _tariff_problem(tariff, b.jurisdiction[k], lang)
            if problem is not None:
                yield item_finding("CAT-TARIFF", "tariff_declared", tariff, problem=problem)


_problems: dict[tuple[str, str | None, str], str | None] = {}


def _tariff_problem(tariff: str, jurisdiction: str | None, lang: str) -> str | None:
    """Memoize `checks.tariff_problem` (a file repeats a few codes)."""
    key = (tariff, jurisdiction, lang)
    if key not in _problems:
        if len(_problems) > 65536:
            _problems.clear()
        _problems[key] = tariff_problem(tariff, jurisdiction, lang)
    return _problems[key]
