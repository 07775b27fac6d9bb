"""A deterministic benchmark workload: declarations, item columns and a synthetic rule pack.

Everything is drawn from a seeded `random.Random`, so a seed always gives the same data.
The mix leans toward real aluminum trade into North America: mostly chapter 76 codes,
origins and smelt/cast countries weighted toward CA, CN, IN, AE, BH, RU, MX, US, NO, IS,
1-50 items per declaration, descriptions in English, French and Spanish.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alcheck.formats import write_wco_xml
from alcheck.formats.wco_xml import national_currency
from alcheck.model import Declaration
from alcheck.rules.schema import Pack

TARIFFS = [
    ("7601.10.3000", 8), ("7601.10.6000", 6), ("7601.20.9090", 8), ("7604.10.1000", 3),
    ("7604.21.0010", 4), ("7604.29.1010", 5), ("7605.11.0000", 3), ("7606.12.3090", 10),
    ("7606.11.3060", 6), ("7606.92.3090", 2), ("7607.11.9030", 6), ("7607.19.6000", 3),
    ("7608.20.0030", 3), ("7610.90.0080", 4), ("7612.90.1090", 2), ("7614.10.5000", 2),
    ("7616.99.5190", 6), ("7616.10.9090", 2), ("8544.49.9000", 3), ("3701.30.0000", 1),
    ("7326.90.8688", 1), ("8708.29.5060", 1), ("7602.00.0090", 2),
]  # fmt: skip
COUNTRIES = [
    ("CA", 30), ("CN", 10), ("IN", 5), ("AE", 8), ("BH", 4), ("RU", 2), ("MX", 9), ("US", 6),
    ("NO", 4), ("IS", 3), ("DE", 3), ("AU", 2), ("BR", 2), ("TR", 2), ("VN", 2), ("KR", 2),
    ("OM", 1), ("QA", 1), ("SA", 1), ("MY", 1), ("ZA", 1), ("AR", 1),
]  # fmt: skip
METAL_EXTRA = [("UN", 3), ("N/A", 4)]
JURISDICTIONS = [("US", 6), ("CA", 3), ("MX", 2)]
CURRENCY = {"US": "USD", "CA": "CAD", "MX": "MXN"}
REGIMES = [("consumption", 90), ("ftz", 4), ("warehouse", 3), ("temporary", 2), ("transit", 1)]
PRODUCTS = {
    "en": ["unwrought aluminium ingots", "aluminium alloy plate", "aluminum foil rolls",
           "aluminium extrusions, profiles", "aluminum wire and cable", "aluminium sheet coil",
           "aluminum castings for vehicles", "aluminium scrap", "lithographic printing plates"],
    "fr": ["lingots d'aluminium non allié", "tôles en alliage d'aluminium",
           "feuilles d'aluminium en rouleaux", "profilés en aluminium extrudés",
           "câbles en aluminium isolés", "bobines de tôle d'aluminium", "déchets d'aluminium"],
    "es": ["lingotes de aluminio sin alear", "chapa de aleación de aluminio",
           "hojas de aluminio en rollos", "perfiles de aluminio extruido",
           "cable de aluminio aislado", "desperdicios de aluminio", "piezas fundidas de aluminio"],
}  # fmt: skip
LANG_WEIGHTS = [("en", 6), ("fr", 2), ("es", 2)]


def _picker(rng: random.Random, table: Sequence[tuple[str, int]]) -> Callable[[], str]:
    values = [v for v, _ in table]
    cum: list[int] = []
    total = 0
    for _, w in table:
        total += w
        cum.append(total)

    def pick() -> str:
        return rng.choices(values, cum_weights=cum)[0]

    return pick


def declaration_dicts(
    n_items: int, seed: int = 2026, *, per_declaration: int | None = None
) -> list[dict[str, Any]]:
    """Return declarations (as model input dicts) holding `n_items` items in all.

    per_declaration: items in each declaration (default: 1-50, drawn at random).
    """
    rng = random.Random(seed)
    tariff = _picker(rng, TARIFFS)
    country = _picker(rng, COUNTRIES)
    metal = _picker(rng, [*COUNTRIES, *METAL_EXTRA])
    jurisdiction = _picker(rng, JURISDICTIONS)
    regime = _picker(rng, REGIMES)
    lang = _picker(rng, LANG_WEIGHTS)
    start = dt.date(2025, 1, 1).toordinal()
    out: list[dict[str, Any]] = []
    made = 0
    while made < n_items:
        k = min(per_declaration or rng.randint(1, 50), n_items - made)
        jur = jurisdiction()
        cur = CURRENCY[jur] if rng.random() < 0.7 else "USD"
        items = []
        for line in range(1, k + 1):
            origin = country()
            smelt = origin if rng.random() < 0.6 else metal()
            mass = round(rng.lognormvariate(7, 1.5), 1)
            item: dict[str, Any] = {
                "line": line,
                "tariff_declared": tariff(),
                "description": rng.choice(PRODUCTS[lang()]) + f" {rng.randint(1000, 8999)}",
                "origin": origin,
                "export_country": origin if rng.random() < 0.85 else country(),
                "smelt1": smelt,
                "smelt2": metal() if rng.random() < 0.3 else None,
                "cast": origin if rng.random() < 0.7 else metal(),
                "net_mass_kg": mass,
                "gross_mass_kg": round(mass * 1.05, 1),
                "value": round(mass * rng.uniform(2.0, 6.0), 2),
                "currency": cur,
            }
            if jur == "US" and rng.random() < 0.6:
                item["documents"] = [{"type": "AIM", "id": f"AIM{rng.randint(10**7, 10**8)}"}]
            if jur == "US" and rng.random() < 0.5:
                item["additional_codes"] = [rng.choice(["9903.85.67", "9903.85.68", "9903.85.02"])]
            items.append(item)
        decl: dict[str, Any] = {
            "id": f"D{len(out):07d}",
            "jurisdiction": jur,
            "declaration_type": "IM",
            "regime": regime(),
            "entry_date": dt.date.fromordinal(start + rng.randint(0, 600)).isoformat(),
            "importer": {"name": "Importer Inc.", "id": f"IMP{rng.randint(1, 500)}"},
            "items": items,
        }
        if cur != "USD":
            rate = RATES[(cur, "USD")]
            decl["exchange_rates"] = [{"currency": cur, "to_currency": "USD", "rate": str(rate)}]
        out.append(decl)
        made += k
    return out


def declarations(
    n_items: int, seed: int = 2026, *, per_declaration: int | None = None
) -> list[Declaration]:
    """Return validated declarations holding `n_items` items in all (see `declaration_dicts`)."""
    return [
        Declaration.model_validate(d)
        for d in declaration_dicts(n_items, seed, per_declaration=per_declaration)
    ]


def wco_declarations(n_items: int, seed: int = 2026) -> list[Declaration]:
    """Return `declarations(n_items, seed)` as WCO XML can carry them.

    A WCO exchange rate converts into the jurisdiction's national currency, so the
    CAD→USD and MXN→USD rates of Canadian and Mexican entries cannot be written (the
    writer refuses them); they are left out, and rules that need them report that they
    could not be evaluated, as they would on the same entry filed in XML.
    """
    return [wco_writable(decl) for decl in declarations(n_items, seed)]


def one_item_declarations(n_items: int, seed: int = 2026) -> list[Declaration]:
    """Return `wco_declarations(n_items, seed)` split into one declaration per item.

    The shape of a national gateway's traffic (the HMRC samples hold 1-5 items each),
    where reading each declaration, not each item, is most of the work.
    """
    return [
        decl.model_copy(update={"id": f"{decl.id}-{k}", "items": (item,)})
        for decl in wco_declarations(n_items, seed)
        for k, item in enumerate(decl.items)
    ]


def wco_xml(n_items: int, seed: int, *, one_item_each: bool = False) -> bytes:
    """Return `wco_declarations(n_items, seed)` written as one WCO XML file.

    one_item_each: write `one_item_declarations(n_items, seed)` instead.
    """
    out = io.BytesIO()
    decls = (one_item_declarations if one_item_each else wco_declarations)(n_items, seed)
    write_wco_xml(decls, out)
    return out.getvalue()


def e2e_file(
    n_items: int = 20_000, seed: int = 11, *, one_item_each: bool = False
) -> tuple[bytes, Path]:
    """Write the end-to-end benchmarks' file to a new temporary folder: (bytes, path)."""
    data = wco_xml(n_items, seed, one_item_each=one_item_each)
    path = Path(tempfile.mkdtemp()) / "e2e.xml"
    path.write_bytes(data)
    return data, path


def wide_files(folder: Path, n_files: int = 60, per_declaration: int = 999) -> list[Path]:
    """Write `n_files` WCO XML files of one declaration of `per_declaration` items each.

    The broker's workload of issue 16: 60 files of 999 goods items (about 58 MB).
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(n_files):
        decls = declarations(per_declaration, seed=1000 + k, per_declaration=per_declaration)
        path = folder / f"wide-{k:03d}.xml"
        with path.open("wb") as out:
            write_wco_xml([wco_writable(d) for d in decls], out)
        paths.append(path)
    return paths


def wco_writable(decl: Declaration) -> Declaration:
    """Return a declaration without the exchange rates WCO XML cannot carry."""
    national = national_currency(decl.jurisdiction)
    kept = tuple(r for r in decl.exchange_rates if r.to_currency == national)
    if kept == decl.exchange_rates:
        return decl
    return decl.model_copy(update={"exchange_rates": kept})


# The exchange rates the workload's declarations carry, for callers that pass rates.
RATES = {("CAD", "USD"): 0.73, ("MXN", "USD"): 0.055}


def screen_columns(decls: Sequence[Declaration]) -> dict[str, Any]:
    """Return the keyword arguments of `alcheck.screening.screen` for the items of `decls`."""
    rows = [(d, it) for d in decls for it in d.items]
    return {
        "tariff": [it.tariff_declared for _, it in rows],
        "jurisdiction": [d.jurisdiction for d, _ in rows],
        "origin": [it.origin for _, it in rows],
        "export": [it.export_country for _, it in rows],
        "smelt1": [it.smelt1 for _, it in rows],
        "smelt2": [it.smelt2 for _, it in rows],
        "cast": [it.cast for _, it in rows],
        "value": [float(it.value) if it.value is not None else None for _, it in rows],
        "currency": [it.currency for _, it in rows],
        "net_mass": [None if it.net_mass_kg is None else float(it.net_mass_kg) for _, it in rows],
        "date": [d.entry_date for d, _ in rows],
        "description": [it.description for _, it in rows],
        "regime": [d.regime.value if d.regime else None for d, _ in rows],
        "declaration_type": [d.declaration_type for d, _ in rows],
        "documents": [[(doc.type, doc.id) for doc in it.documents] for _, it in rows],
        "additional_codes": [list(it.additional_codes) for _, it in rows],
    }  # fmt: skip


# The synthetic pack: conditions every peer can express -------------------------------------


@dataclass(frozen=True, slots=True)
class SyntheticRule:
    """One synthetic rule in neutral form, for alcheck and for the peers."""

    id: str
    prefixes: tuple[str, ...]
    origins: tuple[str, ...]
    smelt_not: tuple[str, ...]
    min_value_usd: float
    valid_from: dt.date
    valid_to: dt.date


def synthetic_rules(n_rules: int = 1000, seed: int = 7) -> list[SyntheticRule]:
    """Return rules on tariff prefixes, origin, smelt country, USD value and a window."""
    rng = random.Random(seed)
    codes = [t.replace(".", "") for t, _ in TARIFFS]
    countries = [c for c, _ in COUNTRIES]
    rules = []
    for n in range(n_rules):
        prefixes = tuple(
            sorted(
                {rng.choice(codes)[: rng.choice([4, 6, 8, 10])] for _ in range(rng.randint(1, 3))}
            )
        )
        start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 500))
        rules.append(
            SyntheticRule(
                id=f"SYN-{n:04d}",
                prefixes=prefixes,
                origins=tuple(sorted(rng.sample(countries, rng.randint(1, 4)))),
                smelt_not=tuple(sorted(rng.sample(countries, rng.randint(0, 2)))),
                min_value_usd=float(rng.choice([0, 100, 1000, 5000, 20000])),
                valid_from=start,
                valid_to=start + dt.timedelta(days=rng.randint(30, 700)),
            )
        )
    return rules


def synthetic_pack(rules: Sequence[SyntheticRule]) -> Pack:
    """Return the synthetic rules as an alcheck pack (any jurisdiction)."""
    text = {"en": "m", "fr": "m", "es": "m"}
    entries = []
    for r in rules:
        when: dict[str, Any] = {"tariff": list(r.prefixes), "origin": list(r.origins)}
        if r.smelt_not:
            when["smelt1_not"] = list(r.smelt_not)
        when["numbers"] = [
            {"field": "value", "op": ">=", "amount": r.min_value_usd, "currency": "USD"}
        ]
        entries.append(
            {
                "id": r.id,
                "severity": "warning",
                "class": "risk",
                "valid_from": r.valid_from,
                "valid_to": r.valid_to,
                "summary": "synthetic",
                "when": when,
                "message": text,
                "hint": text,
                "citation": {"instrument": "synthetic", "url": "https://example.org"},
            }  # fmt: skip
        )
    info = {"name": "synthetic", "version": "1", "jurisdiction": "*", "title": "synthetic"}
    return Pack.model_validate({"pack": info, "rules": entries})


def usd_rows(decls: Sequence[Declaration]) -> list[dict[str, Any]]:
    """Return the items as flat records (value in USD) for the peers and the plain loop.

    Only items whose value is in USD are kept, so no peer needs exchange rates.
    """
    out = []
    for d in decls:
        assert d.entry_date is not None
        for it in d.items:
            if it.currency != "USD" or it.value is None:
                continue
            out.append(
                {
                    "tariff": it.tariff_code or "", "origin": it.origin or "",
                    "smelt1": it.smelt1 or "", "value": float(it.value),
                    "day": d.entry_date.toordinal(),
                }
            )  # fmt: skip
    return out
