"""Import monitoring: totals of lines, net mass and value by group, and where the metal came from.

The 2024 industry letter asks for import monitoring and origin transparency: where the
metal was smelted and cast, not only the declared origin. `compute_stats` reads
declarations once, keeping one small accumulator per group key (memory grows with the
number of distinct countries and headings, not with the input), and returns an immutable
`Stats`. `Stats.tables()` gives every renderer the same named tables (docs/stats.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext

from .codes.countries import METAL_UNKNOWN, country_name
from .codes.hs import hs_description
from .model import NUMBER_CONTEXT, Declaration, GoodsItem
from .ruleset import Rates, convert

CONCERN_COUNTRIES = ("CN", "RU", "BY", "IR")
NOT_REPORTED = "not reported"
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
    """A table column: `kind` is text, count, kg, money or percent (it decides the format)."""

    name: str
    title: str
    kind: str


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


def _country_label(code: str) -> str:
    if not code:
        return NOT_REPORTED
    if code == "EU":
        return "European Union"
    return country_name(code)


def _heading(item: GoodsItem) -> tuple[str, str]:
    if item.tariff_code is not None and len(item.tariff_code) >= 4:
        heading = item.tariff_code[:4]
        return heading, hs_description(heading) or "not an HS 2022 heading"
    if item.tariff_declared is None:
        return "", NOT_REPORTED
    return item.tariff_declared, "not a tariff code"


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

    def tables(self) -> list[Table]:
        """Return the named tables, in the order renderers show them."""
        cur = self.currency
        amounts = (
            Column("lines", "lines", "count"),
            Column("net_kg", "net kg", "kg"),
            Column("lines_without_net_mass", "lines without net mass", "count"),
            Column("value", f"value ({cur})", "money"),
            Column("value_not_converted", "value not converted", "count"),
        )

        def grouped(name: str, title: str, key: str, label: str, rows: tuple[Group, ...]) -> Table:
            columns = (Column(key, key, "text"), Column(label, label, "text"), *amounts)
            cells = tuple(
                (g.key, g.label, g.lines, g.net_kg, g.lines_without_net_mass, g.value,
                 g.value_not_converted)
                for g in rows
            )  # fmt: skip
            return Table(name, title, columns, cells, "bars", "net_kg")

        def shares(name: str, title: str, key: str, rows: tuple[Share, ...]) -> Table:
            columns = (
                Column(key, key, "text"),
                Column("description", "description", "text"),
                Column("lines", "lines", "count"),
                Column("net_kg", "net kg", "kg"),
                Column("share_pct", "share of net kg (%)", "percent"),
            )
            cells = tuple((s.key, s.label, s.lines, s.net_kg, s.share_pct) for s in rows)
            return Table(name, title, columns, cells, "bars", "net_kg")

        def crossed(name: str, title: str, metal: str, rows: tuple[Cross, ...]) -> Table:
            columns = (
                Column("origin", "origin", "text"),
                Column("origin_name", "origin name", "text"),
                Column(metal, metal, "text"),
                Column(f"{metal}_name", f"{metal} name", "text"),
                Column("lines", "lines", "count"),
                Column("net_kg", "net kg", "kg"),
                Column("share_of_origin_pct", "share of origin's net kg (%)", "percent"),
            )
            cells = tuple(
                (c.origin, c.origin_label, c.metal, c.metal_label, c.lines, c.net_kg,
                 c.share_of_origin_pct)
                for c in rows
            )  # fmt: skip
            return Table(name, title, columns, cells, "grid", "net_kg")

        t = self.total
        total = Table(
            "totals",
            "Totals",
            (
                Column("declarations", "declarations", "count"),
                *amounts,
                Column("currency", "currency", "text"),
            ),
            ((self.declarations, t.lines, t.net_kg, t.lines_without_net_mass, t.value,
              t.value_not_converted, cur),),
            "columns",
            "lines",
            ("lines", "lines_without_net_mass", "value_not_converted"),
        )  # fmt: skip
        return [
            total,
            grouped("by_jurisdiction", "By jurisdiction (importing country)", "jurisdiction",
                    "name", self.by_jurisdiction),
            grouped("by_heading", "By HS heading", "heading", "description", self.by_heading),
            grouped("by_origin", "By declared origin", "origin", "name", self.by_origin),
            grouped("by_smelt1", "By country of largest smelt (smelt1)", "smelt1", "name",
                    self.by_smelt1),
            grouped("by_cast", "By country of cast", "cast", "name", self.by_cast),
            shares("concern_share", "Metal from countries of concern (share of net kg)",
                   "category", self.concern),
            shares("concern_countries",
                   "Each country of concern in smelt1, smelt2 or cast (a line may count twice)",
                   "country", self.concern_countries),
            crossed("origin_by_smelt1", "Declared origin by country of largest smelt",
                    "smelt1", self.origin_smelt1),
            crossed("origin_by_cast", "Declared origin by country of cast", "cast",
                    self.origin_cast),
        ]  # fmt: skip


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
        Cross(o, _country_label(o), m, _country_label(m), acc.lines, acc.net_kg,
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
    count = 0
    total = _Acc()
    jur: dict[str, _Acc] = {}
    heading: dict[str, _Acc] = {}
    heading_text: dict[str, str] = {}
    origin: dict[str, _Acc] = {}
    smelt1: dict[str, _Acc] = {}
    cast: dict[str, _Acc] = {}
    concern = {key: _Acc() for key in _CATEGORY_TEXT}
    concern_country = {key: _Acc() for key in CONCERN_COUNTRIES}
    origin_smelt1: dict[tuple[str, str], _Acc] = {}
    origin_cast: dict[tuple[str, str], _Acc] = {}
    for decl in declarations:
        count += 1
        # Sums in alcheck's context (NUMBER_CONTEXT); the caller's iterator keeps its own.
        with localcontext(NUMBER_CONTEXT):
            for item in decl.items:
                mass = item.net_mass_kg
                value = _converted(item, currency, rates, decl)
                o, s, c = item.origin or "", item.smelt1 or "", item.cast or ""
                head, text = _heading(item)
                heading_text.setdefault(head, text)
                targets = [
                    total,
                    jur.setdefault(decl.jurisdiction or "", _Acc()),
                    heading.setdefault(head, _Acc()),
                    origin.setdefault(o, _Acc()),
                    smelt1.setdefault(s, _Acc()),
                    cast.setdefault(c, _Acc()),
                    concern[_category(item)],
                    origin_smelt1.setdefault((o, s), _Acc()),
                    origin_cast.setdefault((o, c), _Acc()),
                ]
                metal = {item.smelt1, item.smelt2, item.cast}
                targets.extend(concern_country[k] for k in CONCERN_COUNTRIES if k in metal)
                for acc in targets:
                    acc.add(mass, value)
    whole = total.net_kg
    with localcontext(NUMBER_CONTEXT):
        return Stats(
            currency=currency,
            declarations=count,
            total=total.group("", "all"),
            by_jurisdiction=_groups(jur, _country_label),
            by_heading=_groups(heading, heading_text.__getitem__),
            by_origin=_groups(origin, _country_label),
            by_smelt1=_groups(smelt1, _country_label),
            by_cast=_groups(cast, _country_label),
            concern=_shares(concern, _CATEGORY_TEXT.__getitem__, whole),
            concern_countries=_shares(concern_country, _country_label, whole),
            origin_smelt1=_crosses(origin_smelt1, origin),
            origin_cast=_crosses(origin_cast, origin),
        )
