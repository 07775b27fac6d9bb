"""Screen column batches and build their findings: the one path every entry point takes.

`screen_xml` gives the findings `validate(read(path))` gives (the same path), built
only where a check or rule matched; `scan_xml` gives the same file as `ScreenedBatch`es
in which every finding is known and the rule findings are built only on request;
`engine.check` screens models laid out as the same columns (`model_columns`).
A finding's location is worked out only for the items a finding names: from the model
where the batch keeps one, else from the declaration's elements (`WcoLocator`).
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, overload

from . import options as run_options
from ._match import ItemFindings, plain_model
from .checks import builtin_finding, tariff_problem
from .codes.countries import is_country, is_metal_country
from .codes.currencies import is_currency
from .codes.hs import hs_description, is_hs6
from .errors import UsageError
from .findings import CheckClass, Finding, Severity
from .formats.wco_columns import WcoColumns, read_wco_columns
from .messages import (
    citation_text,
    fill,
    missing_word,
    not_evaluated,
    not_evaluated_message,
    template_pieces,
)
from .model import Declaration, GoodsItem, Location, tariff_digits, unit_value_text
from .options import CheckOptions, Options
from .rates import Rates
from .rules.schema import in_language
from .ruleset import CompiledRule, RuleSet
from .screening import ScreenResult, screen

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
    """Yield the findings of a WCO XML file, as `validate(read(path))` does (one path).

    Keywords as for `validate`. Reads the file in batches of about `batch_items` goods items.
    """
    for batch in scan_xml(
        path, rules=rules, as_of=as_of, rates=rates, lang=lang, select=select, ignore=ignore,
        severity=severity, batch_items=batch_items,
    ):  # fmt: skip
        yield from batch.findings()


def scan_xml(
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
) -> Iterator[ScreenedBatch]:
    """Yield a WCO XML file in screened batches: every finding known, built on request.

    Keywords as for `screen_xml`. Each `ScreenedBatch` knows which rules held on which goods
    items and holds the built-in checks' findings (rare); the rule findings, with their
    messages and citations, are built by `ScreenedBatch.findings()` only when asked, so a
    gateway pays for them only on the lines it shows.
    """
    screening = Screening.of_call(rules, as_of, rates, lang, select, ignore, severity)
    for batch in read_wco_columns(path, batch_items=batch_items):
        yield ScreenedBatch(batch, screening)


def builtin_findings(decl: Declaration, lang: str = "en") -> list[Finding]:
    """Return the built-in checks' findings of one declaration model, as a check gives
    them before its rules' (without STR-UNDATED: only a check's date decides that)."""
    screening = Screening.of_call(_no_rules(), None, None, lang, (), (), None)
    return list(ScreenedBatch(WcoColumns.from_models([decl]), screening)._builtin(0))


@cache
def _no_rules() -> RuleSet:
    return RuleSet.compile([])


_Slot = tuple[str | None, str | None, bool, "_Getter | None", str]


@dataclass(frozen=True, slots=True)
class _Prepared:
    """What every finding of one rule entry shares, in one language and one grading."""

    rule: CompiledRule
    template: str
    params: dict[str, str]
    severity: Severity
    column: str | None
    citation: str
    hint: str
    # The message template's literal texts (None: a template only `fill` fills) and,
    # between them, each placeholder's slot: its parameter's text, else the batch column
    # holding it (and whether the declaration's) or the getter working it out (none of
    # these: a name no item has), and what it says when the item has no value.
    pieces: tuple[str, ...] | None
    slots: tuple[_Slot, ...]
    summary: str  # what the rule checks, in the language (said when it could not be judged)
    # The rule's own values each finding repeats, read once (`rule.pack.name`, ...).
    rule_id: str
    check_class: CheckClass
    field: str
    pack: str
    pack_version: str | None
    variant: int


def _prepare(rule: CompiledRule, lang: str, options: Options) -> _Prepared | None:
    """Return a rule's shared finding data, or None when the rule is not selected."""
    if not options.keep(rule.id):
        return None
    template, params = getattr(rule.message, lang), dict(rule.params)
    split = template_pieces(template)
    pieces, names = (None, ()) if split is None else split
    slots = tuple(_value_slot(n, params, lang) for n in names)
    return _Prepared(
        rule, template, params, options.grade(rule.id, rule.severity),
        _RULE_FIELDS.get(rule.field), citation_text(rule), getattr(rule.hint, lang), pieces,
        slots,
        in_language(rule.summary, lang), rule.id, rule.check_class, rule.field, rule.pack.name,
        rule.pack.version, rule.variant,
    )  # fmt: skip


class Screening:
    """What every batch of one check shares: rules, language, options and prepared rules."""

    def __init__(
        self, rs: RuleSet, lang: str, options: Options, rates: Rates | None,
        as_of: dt.date | None,
    ) -> None:  # fmt: skip
        self.rs, self.lang, self.options, self.rates, self.as_of = rs, lang, options, rates, as_of
        self.prepared: dict[int, _Prepared | None] = {}
        # The message of a rule not evaluated on an item, by (rule entry, the item's
        # currency, whether it has a value): all it depends on, and a file repeats them.
        self.unjudged: dict[tuple[int, str | None, bool], str] = {}
        self.tariff_problems: dict[tuple[str, str | None], str | None] = {}
        self.today = run_options.today()  # once a check: every batch judged alike
        self.items = ItemFindings(Finding, Severity.INFO, _FINDING_GIVEN)

    @classmethod
    def of_options(cls, options: CheckOptions) -> Screening:
        """Return the screening of a call's `CheckOptions` (see `of_call`)."""
        return cls.of_call(
            options.get("rules"), options.get("as_of"), options.get("rates"),
            options.get("lang", "en"), options.get("select", ()), options.get("ignore", ()),
            options.get("severity"),
        )  # fmt: skip

    @classmethod
    def of_call(
        cls, rules: RuleSet | None, as_of: dt.date | None, rates: Rates | None, lang: str,
        select: Sequence[str], ignore: Sequence[str],
        severity: Mapping[str, Severity | str] | None,
    ) -> Screening:  # fmt: skip
        """Return the screening of a `check`-like call; refuse what it cannot mean
        (`Options.of_call`). rules: default, every bundled pack."""
        options = Options.of_call(lang, select, ignore, severity, rates)
        if as_of is not None and not isinstance(as_of, dt.date):
            raise UsageError(f"as_of takes a datetime.date, not {as_of!r}")
        if rules is not None and not isinstance(rules, RuleSet):
            raise UsageError(f"rules takes a RuleSet (RuleSet.compile), not {rules!r}")
        rs = rules if rules is not None else RuleSet.default()
        return cls(rs, lang, options, rates, as_of)

    def tariff_problem(self, tariff: str, jurisdiction: str | None) -> str | None:
        """Return `checks.tariff_problem` in the check's language, once per code and
        jurisdiction (a file repeats a few codes)."""
        key = (tariff, jurisdiction)
        if key not in self.tariff_problems:
            self.tariff_problems[key] = tariff_problem(tariff, jurisdiction, self.lang)
        return self.tariff_problems[key]

    def rule(self, r: int) -> _Prepared | None:
        """Return rule entry r prepared for findings, or None when it is not selected."""
        if r not in self.prepared:
            self.prepared[r] = _prepare(self.rs.rules[r], self.lang, self.options)
        return self.prepared[r]


class ScreenedBatch:
    """One batch of a WCO XML file, screened: its matches and built-in findings, no messages.

    columns: the batch as read (declarations and their goods items as parallel lists).
    matches: the rule entries that held on each goods item (rows index the items; rules
    not selected are included, see `rule_matches`).
    builtin: per declaration, the built-in checks' findings, built when read (each time:
    a batch keeps none, so a scan's memory does not grow with its findings).
    """

    def __init__(self, columns: WcoColumns, shared: Screening) -> None:
        self.columns = self.b = columns
        self.shared = shared
        self.rs, self.lang = shared.rs, shared.lang
        self.clean: list[bool] | None = None
        self.decl_of: list[int] = []
        for k in range(columns.n_declarations):
            self.decl_of.extend([k] * (columns.first[k + 1] - columns.first[k]))
        self.days = [shared.as_of or d or shared.today for d in columns.entry_date]
        # A declaration whose entry date cannot be read is judged on no date: every rule
        # depends on the date, so none is evaluated on it (STR-UNDATED says so).
        self.undated = [
            shared.as_of is None and "entry_date" in invalid for invalid in columns.decl_invalid
        ]
        self.jurisdiction_rows = [columns.jurisdiction[k] for k in self.decl_of]
        self.matches = self._screen()
        if any(self.undated):
            self.matches = self._without_undated(self.matches)
        self.builtin_total: int | None = None

    def _without_undated(self, found: ScreenResult) -> ScreenResult:
        keep = [i for i, row in enumerate(found.rows) if not self.undated[self.decl_of[row]]]
        return ScreenResult(
            array("i", (found.rows[i] for i in keep)), array("i", (found.rules[i] for i in keep)),
            array("b", (found.status[i] for i in keep)), found.ruleset,
        )  # fmt: skip

    def judged(self, k: int) -> tuple[dt.date | None, str]:
        """Return the date declaration k is judged on and why: as_of, entry_date or today;
        (None, "unreadable") when its entry date cannot be read."""
        if self.undated[k]:
            return None, "unreadable"
        if self.shared.as_of is not None:
            return self.shared.as_of, "as_of"
        if self.b.entry_date[k] is not None:
            return self.days[k], "entry_date"
        return self.days[k], "today"

    @property
    def builtin(self) -> Sequence[tuple[Finding, ...]]:
        """Per declaration, its built-in findings: built when read, one declaration at a
        time, and not kept, so the memory of a scan stays flat however many findings its
        batches have. (Made afresh each time: a batch referring to it would be a cycle,
        kept with all its models until the garbage collector runs.)"""
        return _Builtin(self)

    def builtin_of(self, k: int) -> tuple[Finding, ...]:
        """Return declaration k's built-in findings, selected and graded (built each call)."""
        options = self.shared.options
        if self._quiet(k):
            return ()
        found: Iterable[Finding] = self._builtin(k)
        if self.undated[k]:
            found = (*found, self._undated_finding(k))
        return tuple(options.regrade(f) for f in found if options.keep(f.rule_id))

    def _undated_finding(self, k: int) -> Finding:
        return builtin_finding(
            "STR-UNDATED", self.lang, "entry_date", self.b.decl_invalid[k]["entry_date"],
            declaration_id=self.b.decl_id[k], item_line=None,
            location=self.decl_where(k, "entry_date"), in_item=False,
        )  # fmt: skip

    def _screen(self) -> ScreenResult:
        b, rs, decl_of, days = self.b, self.rs, self.decl_of, self.days
        if not (len(b) and rs.rules):
            return ScreenResult(array("i"), array("i"), array("b"), rs)
        lookups = rs.tables.lookups

        def rows(column: Sequence[Any], needed: bool) -> list[Any] | None:
            # A declaration's value for each of its items, or None when no rule reads it.
            return [column[k] for k in decl_of] if needed else None

        return screen(
            b.tariff,
            self.jurisdiction_rows,
            b.origin,
            b.export_country,
            b.smelt1,
            b.smelt2,
            b.cast,
            b.value_float,
            b.currency,
            b.net_mass_float,
            [days[k] for k in decl_of],
            description=b.description,
            regime=rows(b.regime, "regime" in lookups),
            declaration_type=rows(b.declaration_type, "dtype" in lookups),
            documents=[
                docs + b.decl_documents[k] if docs else b.decl_documents[k]
                for docs, k in zip(b.documents, decl_of, strict=True)
            ]
            if rs.tables.doc_atoms
            else None,
            additional_codes=b.additional_codes,
            rules=rs,
            rates=self.shared.rates,
            gross_mass=b.gross_mass_float,
            supplementary_quantity=b.supplementary_float,
            importer=rows(b.importer, "present:importer" in lookups),
            exporter=rows(b.exporter, "present:exporter" in lookups),
            manufacturer=rows(b.manufacturer, "present:manufacturer" in lookups),
            declaration_rates=rows(b.exchange_rates, bool(rs.currencies)),
            normalized=True,
        )

    def rule_matches(self) -> Iterator[tuple[int, str, Severity]]:
        """Yield (item row, rule id, severity) of each rule finding, in `findings` order.

        The severity is the rule's after overrides, or info where the rule could not be
        evaluated (a missing rate or number). Rules not selected are left out.
        """
        shared = self.shared
        for row, r, status in zip(
            self.matches.rows, self.matches.rules, self.matches.status, strict=True
        ):
            p = shared.rule(r)
            if p is not None:
                yield row, p.rule.id, p.severity if status == 1 else Severity.INFO

    def count(self) -> int:
        """Return how many findings `findings()` would yield, without building them."""
        options = self.shared.options
        if options.select or options.ignore:
            matched = sum(1 for _ in self.rule_matches())
        else:
            matched = len(self.matches)
        if self.builtin_total is None:  # built once to be counted, not kept
            self.builtin_total = sum(len(found) for found in self.builtin)
        return self.builtin_total + matched

    def where(self, row: int, k: int, field: str) -> Location | None:
        """Return where goods item `row` (of declaration k) read `field`, else where the item
        is, else where the declaration is: what its model's `where` says. Worked out only
        for the items a finding names (the `_rule_findings` kernel's `where`)."""
        location: Location | None = self.shared.items.where(self, row, k, field)
        return location

    def decl_where(self, k: int, field: str) -> Location | None:
        """Return where declaration k read `field`, else where it is (as its model says)."""
        b = self.b
        model = b.model[k]
        if model is not None:
            return model.where(field) or model.location
        if (locator := b.locators[k] if k < len(b.locators) else None) is not None:
            return locator.where(field)
        return self.line_location(b.decl_sources[k].get(field, b.decl_line[k]))

    def line_location(self, line: int | None) -> Location:
        """Return the Location of a line of the batch's file (no path: columns made by hand)."""
        return plain_model(
            Location, {"file": self.b.file, "line": line, "path": None, "column": None}, _LOCATION
        )

    def findings(self) -> Iterator[Finding]:
        """Yield the batch's findings, as `validate` orders them: per declaration, its
        built-in findings, then each item's rule findings in rule order."""
        for _, found in self.by_declaration():
            yield from found

    def by_declaration(self) -> Iterator[tuple[int, list[Finding]]]:
        """Yield each declaration's index in the batch and its findings (`findings` order)."""
        b, days = self.b, self.days
        rows, rules, status = self.matches.rows, self.matches.rules, self.matches.status
        i, n = 0, len(rows)
        for k in range(b.n_declarations):
            found = list(self.builtin_of(k))
            end = b.first[k + 1]
            while i < n and rows[i] < end:
                row, j = rows[i], i
                while j < n and rows[j] == row:
                    j += 1
                # One rule on an item is the common case: nothing to order.
                matched = (
                    [(rules[i], status[i])] if j == i + 1
                    else sorted(zip(rules[i:j], status[i:j], strict=True))
                )  # fmt: skip
                found.extend(self.rule_findings(row, k, days[k], matched))
                i = j
            yield k, found

    def rule_findings(
        self, row: int, k: int, day: dt.date, found: list[tuple[int, int]]
    ) -> list[Finding]:
        """Return the findings of the rule entries that matched one item, in entry order
        (built by the `_rule_findings` kernel)."""
        out: list[Finding] = []
        self.shared.items.add(self, out, row, k, day, found)
        return out

    def unjudged_message(self, p: _Prepared, key: tuple[int, str | None, bool]) -> str:
        """Return (and remember for the check) the message of rule entry `key[0]` not
        evaluated on an item whose currency is key[1] and that has a value (key[2])."""
        reason = not_evaluated(p.rule, key[1], key[2], self.lang)
        message = self.shared.unjudged[key] = not_evaluated_message(reason, p.summary, self.lang)
        return message

    def filled(self, p: _Prepared, row: int, k: int, day: dt.date) -> str:
        """Return rule `p`'s message for goods item `row`, its values computed on demand,
        only those it names (`messages.fill`)."""
        return fill(p.template, _ItemValues(self, row, k, day), p.params, self.lang)

    def documents(self, row: int, k: int) -> str | None:
        """Return goods item `row`'s documents and its declaration's, as a finding shows them."""
        return _documents(self, row, k)

    def model_value(self, row: int, k: int, field: str) -> Any:
        """Return goods item `row`'s value of a field the columns lack, from its model."""
        model = self.b.model[k]
        if model is None or field not in GoodsItem.model_fields:
            return None
        return getattr(model.items[row - self.b.first[k]], field, None)

    def _quiet(self, k: int) -> bool:
        """Tell, cheaply, that `_builtin(k)` yields nothing (most declarations do not)."""
        b = self.b
        if b.decl_invalid[k] or b.decl_id[k] is None or b.entry_date[k] is None:
            return False
        if (model := b.model[k]) is not None and model.unread:
            return False
        jur = b.jurisdiction[k]
        if jur is None or (jur != "EU" and not is_country(jur)) or b.exchange_rates[k]:
            return False
        first, end = b.first[k], b.first[k + 1]
        return first < end and all(self.clean_items()[first:end])

    def _builtin(self, k: int) -> Iterator[Finding]:
        """Yield the built-in checks' findings of declaration k: the declaration's values
        wrong, unread, missing or unknown, then its items' (`item_builtin`)."""
        b, lang = self.b, self.lang
        decl_id = b.decl_id[k]

        def decl_finding(rule_id: str, name: str, value: str | None, **extra: str) -> Finding:
            return builtin_finding(
                rule_id, lang, name, value, declaration_id=decl_id, item_line=None,
                location=self.decl_where(k, name.split("[", 1)[0]), in_item=False,
                item_position=0, **extra,
            )  # fmt: skip

        invalid = b.decl_invalid[k]
        for name, raw in invalid.items():
            yield decl_finding("SYN-VALUE", name, raw)
        for name, raw in _unread(b.model[k]).items():
            yield decl_finding("SYN-UNKNOWN", name, raw)
        required = {"id": decl_id, "jurisdiction": b.jurisdiction[k], "entry_date": b.entry_date[k]}
        for name, present in required.items():
            if present is None and name not in invalid:
                yield decl_finding("STR-REQUIRED", name, None)
        if b.first[k] == b.first[k + 1] and "items" not in invalid:
            yield decl_finding("STR-REQUIRED", "items", None)
        jur = b.jurisdiction[k]
        if jur is not None and jur != "EU" and not is_country(jur):
            yield decl_finding("CAT-COUNTRY", "jurisdiction", jur)
        for i, (currency, to_currency, _) in enumerate(b.exchange_rates[k]):
            for code in (currency, to_currency):
                if not is_currency(code):
                    yield decl_finding("CAT-CURRENCY", f"exchange_rates[{i}]", code)
        clean = self.clean_items()
        for row in range(b.first[k], b.first[k + 1]):
            if not clean[row]:
                yield from self.item_builtin(row, k)

    def clean_items(self) -> list[bool]:
        """Return, per item, whether no built-in check can fire on it (most items).

        Each condition of `item_builtin` is looked for down a whole column (C-level loops);
        an item any of them holds on is checked in full.
        """
        if self.clean is not None:
            return self.clean
        b = self.b
        dirty: set[int] = {i for i, v in enumerate(b.item_invalid) if v is not None}
        for k, model in enumerate(b.model):  # input only a model holds: not read
            if model is not None:
                first = b.first[k]
                dirty.update(first + i for i, item in enumerate(model.items) if item.unread)
        for column in (b.tariff, b.description, b.origin):
            if None in column:
                dirty.update(i for i, v in enumerate(column) if v is None)
        # A negative number too small for a float reads as -0.0: zero is looked at too.
        numbers = zip(b.net_mass_float, b.gross_mass_float, b.value_float, strict=True)
        dirty.update(i for i, (m, g, v) in enumerate(numbers) if m <= 0 or g <= 0 or v <= 0)
        codes = (
            (b.origin, is_country), (b.preferential_origin, is_country),
            (b.export_country, is_country), (b.smelt1, is_metal_country),
            (b.smelt2, is_metal_country), (b.cast, is_metal_country), (b.currency, is_currency),
        )  # fmt: skip
        for column, valid in codes:
            bad = {c for c in set(column) if c is not None and not valid(c)}
            if bad:
                dirty.update(i for i, c in enumerate(column) if c in bad)
        pairs = list(zip(b.tariff, self.jurisdiction_rows, strict=True))
        wrong = {
            (t, j) for t, j in set(pairs)
            if t is not None and self.shared.tariff_problem(t, j) is not None
        }  # fmt: skip
        if wrong:
            dirty.update(i for i, pair in enumerate(pairs) if pair in wrong)
        self.clean = [True] * len(b)
        for i in dirty:
            self.clean[i] = False
        return self.clean

    def item_builtin(self, row: int, k: int) -> Iterator[Finding]:
        b, lang = self.b, self.lang
        line = b.line[row]
        decl_id = b.decl_id[k]

        def item_finding(rule_id: str, name: str, value: str | None, **extra: str) -> Finding:
            return builtin_finding(
                rule_id, lang, name, value, declaration_id=decl_id, item_line=line,
                location=self.where(row, k, name.split("[", 1)[0]), in_item=True,
                item_position=row - b.first[k] + 1, **extra,
            )  # fmt: skip

        invalid = b.item_invalid[row] or {}
        for name, raw in invalid.items():
            yield item_finding("SYN-VALUE", name, raw)
        model = b.model[k]
        if model is not None:
            for name, raw in model.items[row - b.first[k]].unread.items():
                yield item_finding("SYN-UNKNOWN", name, raw)
        for name, given in (
            ("tariff_declared", b.tariff[row]), ("description", b.description[row]),
            ("origin", b.origin[row]),
        ):  # fmt: skip
            if given is None and name not in invalid:
                yield item_finding("STR-REQUIRED", name, None)
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
            problem = self.shared.tariff_problem(tariff, b.jurisdiction[k])
            if problem is not None:
                yield item_finding("CAT-TARIFF", "tariff_declared", tariff, problem=problem)


def _unread(model: Declaration | None) -> dict[str, str]:
    """Return the input a declaration holds unread (only its model, where kept, knows)."""
    return model.unread if model is not None else {}


class _Builtin(Sequence[tuple[Finding, ...]]):
    """`ScreenedBatch.builtin`: per declaration, its built-in findings, built when read."""

    __slots__ = ("batch",)

    def __init__(self, batch: ScreenedBatch) -> None:
        self.batch = batch

    def __len__(self) -> int:
        return self.batch.b.n_declarations

    @overload
    def __getitem__(self, index: int) -> tuple[Finding, ...]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[Finding, ...]]: ...

    def __getitem__(self, index: int | slice) -> tuple[Finding, ...] | list[tuple[Finding, ...]]:
        n = len(self)
        if isinstance(index, slice):
            return [self.batch.builtin_of(k) for k in range(n)[index]]
        if not -n <= index < n:
            raise IndexError("declaration index out of range")
        return self.batch.builtin_of(index % n)

    def __iter__(self) -> Iterator[tuple[Finding, ...]]:
        return (self.batch.builtin_of(k) for k in range(len(self)))


def _hs6(batch: ScreenedBatch, row: int) -> str | None:
    tariff = batch.b.tariff[row]
    digits = tariff_digits(tariff) if tariff is not None else None
    return digits[:6] if digits and len(digits) >= 6 and is_hs6(digits[:6]) else None


def _unit_value(batch: ScreenedBatch, row: int) -> str | None:
    return unit_value_text(batch.b.value[row], batch.b.net_mass_kg[row])


def _documents(batch: ScreenedBatch, row: int, k: int) -> str | None:
    documents = (*batch.b.documents[row], *batch.b.decl_documents[k])
    return ", ".join(t + (f":{i}" if i else "") for t, i in documents) or None


def _hs_description(batch: ScreenedBatch, row: int) -> str | None:
    hs6 = _hs6(batch, row)
    return hs_description(hs6) if hs6 else None


_Getter = Callable[[ScreenedBatch, int, int, dt.date], Any]
# The message values of an item a rule's message may name that its batch holds: the
# column and whether it is the declaration's (indexed by declaration, not by item).
_COLUMN_VALUES: dict[str, tuple[str, bool]] = {
    "id": ("decl_id", True), "line": ("line", False), "tariff": ("tariff", False),
    "description": ("description", False), "origin": ("origin", False),
    "export_country": ("export_country", False), "smelt1": ("smelt1", False),
    "smelt2": ("smelt2", False), "cast": ("cast", False), "value": ("value", False),
    "currency": ("currency", False), "net_mass": ("net_mass_kg", False),
    "regime": ("regime", True), "declaration_type": ("declaration_type", True),
    "jurisdiction": ("jurisdiction", True),
}  # fmt: skip
# ... and those worked out from the batch's values.
_DERIVED_VALUES: dict[str, _Getter] = {
    "hs6": lambda s, row, k, day: _hs6(s, row),
    "unit_value": lambda s, row, k, day: _unit_value(s, row),
    "judged_on": lambda s, row, k, day: day.isoformat(),
    "additional_codes": lambda s, row, k, day: ", ".join(s.b.additional_codes[row]) or None,
    "documents": lambda s, row, k, day: _documents(s, row, k),
    "hs_description": lambda s, row, k, day: _hs_description(s, row),
}


def _value_slot(name: str, params: Mapping[str, str], lang: str) -> _Slot:
    """Return how a message placeholder gets its text for an item (see `_Prepared.slots`)."""
    if name in params:
        return params[name], None, False, None, ""
    column, by_declaration = _COLUMN_VALUES.get(name, (None, False))
    return None, column, by_declaration, _DERIVED_VALUES.get(name), missing_word(lang, name)


def _item_value(s: ScreenedBatch, row: int, k: int, day: dt.date, name: str) -> Any:
    """Return the message value `name` of goods item `row` (of declaration k); None where
    the item has none or no item has such a value."""
    if name in _COLUMN_VALUES:
        column, by_declaration = _COLUMN_VALUES[name]
        return getattr(s.b, column)[k if by_declaration else row]
    derive = _DERIVED_VALUES.get(name)
    return None if derive is None else derive(s, row, k, day)


_FINDING_GIVEN = frozenset(Finding.model_fields)
_LOCATION = frozenset({"file", "line"})


class _ItemValues(Mapping[str, Any]):
    """The message values of one item, each computed when a message asks for it."""

    __slots__ = ("batch", "day", "k", "row")

    def __init__(self, batch: ScreenedBatch, row: int, k: int, day: dt.date) -> None:
        self.batch, self.row, self.k, self.day = batch, row, k, day

    def __getitem__(self, name: str) -> Any:
        if name not in _COLUMN_VALUES and name not in _DERIVED_VALUES:
            raise KeyError(name)
        return _item_value(self.batch, self.row, self.k, self.day, name)

    def get(self, name: str, default: Any = None) -> Any:
        """Return one value (None where the item has none); `messages.fill` asks this way."""
        value = _item_value(self.batch, self.row, self.k, self.day, name)
        return default if value is None else value

    def __iter__(self) -> Iterator[str]:
        return iter((*_COLUMN_VALUES, *_DERIVED_VALUES))

    def __len__(self) -> int:
        return len(_COLUMN_VALUES) + len(_DERIVED_VALUES)
