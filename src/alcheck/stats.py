"""Import monitoring: totals of lines, net mass and value by group, and where the metal came from.

The 2024 industry letter asks for import monitoring and origin transparency: where the
metal was smelted and cast, not only the declared origin. `compute_stats` reads
declarations once, keeping one small accumulator per group key (memory grows with the
number of distinct countries and headings, not with the input), and returns an immutable
`Stats`. `Stats.tables()` gives every renderer the same named tables (docs/stats.md).
"""

from __future__ import annotations

import gettext
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import cache

import pycountry
from babel.numbers import format_decimal

from .codes.countries import METAL_NOT_APPLICABLE, METAL_UNKNOWN, country_name
from .codes.hs import hs_description
from .i18n import number, translation
from .model import NUMBER_CONTEXT, Declaration, GoodsItem
from .rates import Rates, convert

# The `concern` set of the bundled rule packs (risk, us, ca: Proclamation 10782's list),
# kept here so that stats need not load a pack; tests/test_stats.py keeps them equal.
CONCERN_COUNTRIES = ("CN", "RU", "BY", "IR")
NOT_REPORTED = "not reported"
NOT_HS = "not an HS 2022 heading"
NOT_TARIFF = "not a tariff code"
_ZERO = Decimal(0)
_HUNDRED = Decimal(100)

# Concern categories, each line in exactly one (checked in this order).
CONCERN = "concern"
UNKNOWN = "unknown"
MISSING = "not_reported"
OTHER = "other"
_CATEGORY_TEXT = {
    CONCERN: "CN, RU, BY or IR in smelt1, smelt2 or cast",
    UNKNOWN: "no country of concern; UN (unknown) in smelt1, smelt2 or cast",
    MISSING: "no country of concern, none unknown; smelt1 or cast not reported",
    OTHER: "smelt1 and cast reported, none of concern, none unknown",
}

Cell = str | int | Decimal | None


@dataclass(frozen=True, slots=True)
class Group:
    """The totals of one group: its key ("" when not reported) and a readable label."""

    key: str
    label: str
    lines: int
    net_kg: Decimal
    lines_without_net_mass: int
    value: Decimal
    value_not_converted: int


@dataclass(frozen=True, slots=True)
class Share:
    """Net mass of one category as a percentage of all net mass (None when that is 0)."""

    key: str
    label: str
    lines: int
    net_kg: Decimal
    share_pct: Decimal | None


@dataclass(frozen=True, slots=True)
class Cross:
    """Net mass declared with one origin and one metal country (smelt1 or cast)."""

    origin: str
    origin_label: str
    metal: str
    metal_label: str
    lines: int
    net_kg: Decimal
    share_of_origin_pct: Decimal | None


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: `kind` is text, count, kg, money or percent (it decides the format).

    `concern` lists the values of this column that stand for metal from countries of
    concern (`CONCERN_COUNTRIES` in a country column, the `concern` category); a renderer
    for people marks them.
    """

    name: str
    title: str
    kind: str
    concern: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Table:
    """A named table every renderer shows alike.

    `chart` says how to draw it: "bars" (one bar per row of the `measure` column), "grid"
    (a heat grid: first key column by the third, shaded by `measure`) or "columns" (one
    bar per column named in `chart_columns`, from the first row).
    """

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    chart: str
    measure: str
    chart_columns: tuple[str, ...] = ()


def format_cell(value: Cell, kind: str) -> str:
    """Format a cell as every text renderer (text, CSV, HTML) shows it."""
    if value is None:
        return ""
    with localcontext(NUMBER_CONTEXT):  # rounding, whatever the caller's thread has set
        if kind == "kg":
            return f"{Decimal(value):.3f}"
        if kind in ("money", "percent"):
            return f"{Decimal(value):.2f}"
    return str(value)


# Babel patterns with the decimals `format_cell` rounds to: `i18n.number` drops trailing
# zeros (12.5), and a money or kg column reads best with fixed decimals (12.50).
_PATTERNS = {"kg": "#,##0.000", "money": "#,##0.00", "percent": "#,##0.00"}


def display_cell(value: Cell, kind: str, lang: str = "en") -> str:
    """Format a cell for people to read: `format_cell`'s rounding, written as `lang` does.

    Thousands separators and the decimal mark of the language (1,234.50 / 1 234,50 /
    1.234,50); text is returned as it is. `lang` is "en", "fr" or "es".
    """
    if value is None:
        return ""
    if kind == "count" and isinstance(value, int):
        return number(value, lang)
    if kind in _PATTERNS and isinstance(value, int | Decimal):
        return str(format_decimal(Decimal(format_cell(value, kind)), _PATTERNS[kind], lang))
    return str(value)


class _Acc:
    __slots__ = ("lines", "net_kg", "no_mass", "value", "not_converted")

    def __init__(self) -> None:
        self.lines = 0
        self.net_kg = _ZERO
        self.no_mass = 0
        self.value = _ZERO
        self.not_converted = 0

    def add(self, net_kg: Decimal | None, value: Decimal | None) -> None:
        self.lines += 1
        if net_kg is None:
            self.no_mass += 1
        else:
            self.net_kg += net_kg
        if value is None:
            self.not_converted += 1
        else:
            self.value += value

    def group(self, key: str, label: str) -> Group:
        return Group(
            key, label, self.lines, self.net_kg, self.no_mass, self.value, self.not_converted
        )


def _order(net_kg: Decimal, key: str | tuple[str, ...]) -> tuple[Decimal, str | tuple[str, ...]]:
    return (net_kg.copy_negate(), key)  # exact, unlike unary minus


@cache
def _iso3166(lang: str) -> gettext.NullTranslations:
    # pycountry ships the ISO 3166 names translated: the same names, in `lang`.
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, [lang], fallback=True)


def country_label(code: str, lang: str = "en") -> str:
    """Return the name a stats table gives a country code, in `lang` ("en", "fr", "es").

    The ISO 3166 short name; "not reported" for "", and the words for `EU`, `UN`
    (unknown) and `N/A`; a code that is not ISO 3166 is its own label.
    """
    _ = translation(lang).gettext
    if code in ("", "EU", METAL_UNKNOWN, METAL_NOT_APPLICABLE):
        words = {
            "": _("not reported"),
            "EU": _("European Union"),
            METAL_UNKNOWN: _("unknown"),
            METAL_NOT_APPLICABLE: _("not applicable"),
        }
        return words[code]
    name = country_name(code)
    return name if lang == "en" else _iso3166(lang).gettext(name)


def _heading(item: GoodsItem) -> tuple[str, str]:
    if item.tariff_code is not None and len(item.tariff_code) >= 4:
        heading = item.tariff_code[:4]
        return heading, hs_description(heading) or NOT_HS
    if item.tariff_declared is None:
        return "", NOT_REPORTED
    return item.tariff_declared, NOT_TARIFF


def _category(item: GoodsItem) -> str:
    metal = (item.smelt1, item.smelt2, item.cast)
    if any(m in CONCERN_COUNTRIES for m in metal):
        return CONCERN
    if METAL_UNKNOWN in metal:
        return UNKNOWN
    if item.smelt1 is None or item.cast is None:
        return MISSING
    return OTHER


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    return part * _HUNDRED / whole if whole else None


@dataclass(frozen=True, slots=True)
class Stats:
    """Import-monitoring totals; build with `compute_stats`. Values are in `currency`."""

    currency: str
    declarations: int
    total: Group
    by_jurisdiction: tuple[Group, ...]
    by_heading: tuple[Group, ...]
    by_origin: tuple[Group, ...]
    by_smelt1: tuple[Group, ...]
    by_cast: tuple[Group, ...]
    concern: tuple[Share, ...]
    concern_countries: tuple[Share, ...]
    origin_smelt1: tuple[Cross, ...]
    origin_cast: tuple[Cross, ...]

    def tables(self, lang: str = "en") -> list[Table]:
        """Return the named tables, in the order renderers show them.

        Titles and alcheck's own labels (country names, "not reported", the concern
        categories) are in `lang` ("en", "fr" or "es"); table and column names, keys and
        numbers are the same in every language. HS descriptions stay English.
        """
        _ = translation(lang).gettext
        amounts = _amount_columns(_, self.currency)

        def country(g: Group | Share) -> str:
            return country_label(g.key, lang)

        def heading(g: Group | Share) -> str:
            return _(g.label) if g.label in _HEADING_WORDS else g.label

        def category(g: Group | Share) -> str:
            return _(_CATEGORY_TEXT[g.key])

        name = Column("name", _("name"), "text")
        return [
            _totals_table(self, _, amounts),
            _group_table("by_jurisdiction", _("By jurisdiction (importing country)"),
                         Column("jurisdiction", _("jurisdiction"), "text"), name,
                         self.by_jurisdiction, country, amounts),
            _group_table("by_heading", _("By HS heading"),
                         Column("heading", _("heading"), "text"),
                         Column("description", _("description"), "text"),
                         self.by_heading, heading, amounts),
            _group_table("by_origin", _("By declared origin"),
                         _country_column("origin", _("origin")), name, self.by_origin,
                         country, amounts),
            _group_table("by_smelt1", _("By country of largest smelt (smelt1)"),
                         _country_column("smelt1", _("smelt1")), name, self.by_smelt1,
                         country, amounts),
            _group_table("by_cast", _("By country of cast"),
                         _country_column("cast", _("cast")), name, self.by_cast, country,
                         amounts),
            _share_table("concern_share", _("Metal from countries of concern (share of net kg)"),
                         Column("category", _("category"), "text", (CONCERN,)), self.concern,
                         category, _),
            _share_table("concern_countries",
                         _("Each country of concern in smelt1, smelt2 or cast "
                           "(a line may count twice)"),
                         _country_column("country", _("country")), self.concern_countries,
                         country, _),
            _cross_table("origin_by_smelt1", _("Declared origin by country of largest smelt"),
                         _country_column("smelt1", _("smelt1")),
                         Column("smelt1_name", _("smelt1 name"), "text"),
                         self.origin_smelt1, lang),
            _cross_table("origin_by_cast", _("Declared origin by country of cast"),
                         _country_column("cast", _("cast")),
                         Column("cast_name", _("cast name"), "text"), self.origin_cast, lang),
        ]  # fmt: skip


_Gettext = Callable[[str], str]
_HEADING_WORDS = (NOT_REPORTED, NOT_HS, NOT_TARIFF)


def _country_column(name: str, title: str) -> Column:
    """A column of country codes where metal from a country of concern is marked."""
    return Column(name, title, "text", CONCERN_COUNTRIES)


def _amount_columns(_: _Gettext, currency: str) -> tuple[Column, ...]:
    return (
        Column("lines", _("lines"), "count"),
        Column("net_kg", _("net kg"), "kg"),
        Column("lines_without_net_mass", _("lines without net mass"), "count"),
        Column("value", _("value ({currency})").format(currency=currency), "money"),
        Column("value_not_converted", _("value not converted"), "count"),
    )


def _totals_table(stats: Stats, _: _Gettext, amounts: tuple[Column, ...]) -> Table:
    t = stats.total
    columns = (
        Column("declarations", _("declarations"), "count"),
        *amounts,
        Column("currency", _("currency"), "text"),
    )
    row = (stats.declarations, t.lines, t.net_kg, t.lines_without_net_mass, t.value,
           t.value_not_converted, stats.currency)  # fmt: skip
    chart = ("lines", "lines_without_net_mass", "value_not_converted")
    return Table("totals", _("Totals"), columns, (row,), "columns", "lines", chart)


def _group_table(
    name: str,
    title: str,
    key: Column,
    label: Column,
    rows: tuple[Group, ...],
    label_of: Callable[[Group | Share], str],
    amounts: tuple[Column, ...],
) -> Table:
    cells = tuple(
        (g.key, label_of(g), g.lines, g.net_kg, g.lines_without_net_mass, g.value,
         g.value_not_converted)
        for g in rows
    )  # fmt: skip
    return Table(name, title, (key, label, *amounts), cells, "bars", "net_kg")


def _share_table(
    name: str,
    title: str,
    key: Column,
    rows: tuple[Share, ...],
    label_of: Callable[[Group | Share], str],
    _: _Gettext,
) -> Table:
    columns = (
        key,
        Column("description", _("description"), "text"),
        Column("lines", _("lines"), "count"),
        Column("net_kg", _("net kg"), "kg"),
        Column("share_pct", _("share of net kg (%)"), "percent"),
    )
    cells = tuple((s.key, label_of(s), s.lines, s.net_kg, s.share_pct) for s in rows)
    return Table(name, title, columns, cells, "bars", "net_kg")


def _cross_table(
    name: str, title: str, metal: Column, metal_name: Column, rows: tuple[Cross, ...], lang: str
) -> Table:
    _ = translation(lang).gettext
    columns = (
        _country_column("origin", _("origin")),
        Column("origin_name", _("origin name"), "text"),
        metal,
        metal_name,
        Column("lines", _("lines"), "count"),
        Column("net_kg", _("net kg"), "kg"),
        Column("share_of_origin_pct", _("share of origin's net kg (%)"), "percent"),
    )
    cells = tuple(
        (c.origin, country_label(c.origin, lang), c.metal, country_label(c.metal, lang),
         c.lines, c.net_kg, c.share_of_origin_pct)
        for c in rows
    )  # fmt: skip
    return Table(name, title, columns, cells, "grid", "net_kg")


def _groups(accs: dict[str, _Acc], label: Callable[[str], str]) -> tuple[Group, ...]:
    rows = [acc.group(key, label(key)) for key, acc in accs.items()]
    return tuple(sorted(rows, key=lambda g: _order(g.net_kg, g.key)))


def _shares(
    accs: dict[str, _Acc], label: Callable[[str], str], whole: Decimal
) -> tuple[Share, ...]:
    rows = [
        Share(key, label(key), acc.lines, acc.net_kg, _pct(acc.net_kg, whole))
        for key, acc in accs.items()
    ]
    return tuple(sorted(rows, key=lambda s: _order(s.net_kg, s.key)))


def _crosses(accs: dict[tuple[str, str], _Acc], origins: dict[str, _Acc]) -> tuple[Cross, ...]:
    rows = [
        Cross(o, country_label(o), m, country_label(m), acc.lines, acc.net_kg,
              _pct(acc.net_kg, origins[o].net_kg))
        for (o, m), acc in accs.items()
    ]  # fmt: skip
    return tuple(sorted(rows, key=lambda c: _order(c.net_kg, (c.origin, c.metal))))


def _converted(
    item: GoodsItem, currency: str, rates: Rates | None, decl: Declaration
) -> Decimal | None:
    if item.value is None or item.currency is None:
        return None
    if item.currency == currency:
        return item.value  # exact: no float round trip
    amount = convert(item.value, item.currency, currency, rates, decl)
    return None if math.isnan(amount) else Decimal(repr(amount))


def compute_stats(
    declarations: Iterable[Declaration], *, rates: Rates | None = None, currency: str = "USD"
) -> Stats:
    """Total lines, net kg and value by group, reading `declarations` once.

    Values are converted to `currency` with `rates` ({("EUR", "USD"): 1.08}) or the
    declaration's own exchange rates; a line whose value is missing or has no rate is
    counted as "value not converted", never guessed.
    """
    currency = currency.strip().upper()
    sums = _Sums()
    for decl in declarations:
        sums.declarations += 1
        # Sums in alcheck's context (NUMBER_CONTEXT); the caller's iterator keeps its own.
        with localcontext(NUMBER_CONTEXT):
            for item in decl.items:
                sums.add(decl, item, _converted(item, currency, rates, decl))
    with localcontext(NUMBER_CONTEXT):
        return sums.stats(currency)


class _Sums:
    """The running sums of `compute_stats`: one accumulator per group a table shows."""

    def __init__(self) -> None:
        self.declarations = 0
        self.total = _Acc()
        self.jur: dict[str, _Acc] = {}
        self.heading: dict[str, _Acc] = {}
        self.heading_text: dict[str, str] = {}
        self.origin: dict[str, _Acc] = {}
        self.smelt1: dict[str, _Acc] = {}
        self.cast: dict[str, _Acc] = {}
        self.concern = {key: _Acc() for key in _CATEGORY_TEXT}
        self.concern_country = {key: _Acc() for key in CONCERN_COUNTRIES}
        self.origin_smelt1: dict[tuple[str, str], _Acc] = {}
        self.origin_cast: dict[tuple[str, str], _Acc] = {}

    def add(self, decl: Declaration, item: GoodsItem, value: Decimal | None) -> None:
        """Add one goods item (its value already converted, or None) to every group."""
        o, s, c = item.origin or "", item.smelt1 or "", item.cast or ""
        head, text = _heading(item)
        self.heading_text.setdefault(head, text)
        targets = [
            self.total,
            self.jur.setdefault(decl.jurisdiction or "", _Acc()),
            self.heading.setdefault(head, _Acc()),
            self.origin.setdefault(o, _Acc()),
            self.smelt1.setdefault(s, _Acc()),
            self.cast.setdefault(c, _Acc()),
            self.concern[_category(item)],
            self.origin_smelt1.setdefault((o, s), _Acc()),
            self.origin_cast.setdefault((o, c), _Acc()),
        ]
        metal = {item.smelt1, item.smelt2, item.cast}
        targets.extend(self.concern_country[k] for k in CONCERN_COUNTRIES if k in metal)
        for acc in targets:
            acc.add(item.net_mass_kg, value)

    def stats(self, currency: str) -> Stats:
        """Return the tables of the sums."""
        whole = self.total.net_kg
        return Stats(
            currency=currency,
            declarations=self.declarations,
            total=self.total.group("", "all"),
            by_jurisdiction=_groups(self.jur, country_label),
            by_heading=_groups(self.heading, self.heading_text.__getitem__),
            by_origin=_groups(self.origin, country_label),
            by_smelt1=_groups(self.smelt1, country_label),
            by_cast=_groups(self.cast, country_label),
            concern=_shares(self.concern, _CATEGORY_TEXT.__getitem__, whole),
            concern_countries=_shares(self.concern_country, country_label, whole),
            origin_smelt1=_crosses(self.origin_smelt1, self.origin),
            origin_cast=_crosses(self.origin_cast, self.origin),
        )
