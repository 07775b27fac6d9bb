"""Encode goods items for the matching kernel: the atoms and columns rules test them by.

`item_atoms` says, for one item, which atoms of a compiled `RuleSet` it has; `columns`
lays out a batch of (declaration, item, judged date) rows as the kernel's input and
`encode` turns those columns into its batch arrays. Both give the same atoms. Checking
lays out its own columns (`alcheck.screening`); these, from `Declaration` models, are
the reference the kernel tests and the matcher benchmarks use.
"""

from __future__ import annotations

import datetime as dt
import math
from array import array
from collections.abc import Iterable, Sequence

from ._match import kernel
from .codes.countries import is_country, is_metal_country
from .model import Declaration, Document, GoodsItem
from .rates import Rates, conversion, rate_pairs
from .ruleset import RuleSet
from .tables import CONV_NAN, ItemBatch, ItemColumns
from .text import normalize_words


def _code_atom_value(code: str | None, metal: bool) -> str:
    """Return the atom value of a country slot: the code, "MISSING" or "INVALID"."""
    if code is None:
        return "MISSING"
    if is_metal_country(code) if metal else is_country(code):
        return code
    return "INVALID"


# The field names present_all/missing_any test, and the GoodsItem attribute of each.
PRESENCE = {
    "description": "description", "tariff": "tariff_declared", "origin": "origin",
    "export_country": "export_country", "smelt1": "smelt1", "smelt2": "smelt2", "cast": "cast",
    "net_mass": "net_mass_kg", "gross_mass": "gross_mass_kg", "value": "value",
    "currency": "currency", "supplementary_quantity": "supplementary_quantity",
}  # fmt: skip


def item_atoms(rs: RuleSet, decl: Declaration, item: GoodsItem) -> list[int]:
    """Return the ids of the atoms an item has under a rule set (what its groups test)."""
    atoms = rs.atoms
    found: list[int] = []

    def add(kind: str, value: str | None) -> None:
        if value is not None and (a := atoms.get((kind, value))) is not None:
            found.append(a)

    add("jur", decl.jurisdiction)
    add("origin", _code_atom_value(item.origin, False))
    add("export", _code_atom_value(item.export_country, False))
    for slot in ("smelt1", "smelt2", "cast"):
        value = _code_atom_value(getattr(item, slot), True)
        add(slot, value)
        add("metal", value)
    add("regime", decl.regime.value if decl.regime is not None else "MISSING")
    add("dtype", decl.declaration_type)
    for doc in (*item.documents, *decl.documents):
        kind = doc.type.strip().upper()
        add("doc", kind)
        if doc.id is not None:
            add("doc", f"{kind}:{doc.id.strip()}")
    for prefix, a in rs.additional_prefixes:
        if any(code.startswith(prefix) for code in item.additional_codes):
            found.append(a)
    if rs.keywords and item.description:
        text = f" {normalize_words(item.description)} "
        for kw, a in rs.keywords:
            if f" {kw} " in text:
                found.append(a)
    for name, attr in PRESENCE.items():
        add("present" if getattr(item, attr) is not None else "absent", name)
    for name in ("importer", "exporter", "manufacturer"):
        party = getattr(decl, name)
        add("present" if party is not None and (party.name or party.id) else "absent", name)
    return found


def encode(
    rs: RuleSet, rows: Sequence[tuple[Declaration, GoodsItem, dt.date]], rates: Rates | None
) -> ItemBatch:
    """Encode (declaration, item, judged date) rows into the kernel's batch arrays.

    The result is the batch `item_atoms` describes; the per-item work is done by the
    kernel's `encode_columns` over the rows' columns.
    """
    batch: ItemBatch = kernel.encode_columns(rs.tables, columns(rs, rows, rates))
    return batch


# The lookup columns read straight off a GoodsItem attribute, by lookup name.
_ITEM_COLUMNS = {
    "origin": "origin", "export": "export_country", "smelt1": "smelt1", "smelt2": "smelt2",
    "cast": "cast", **{f"present:{k}": v for k, v in PRESENCE.items()},
}  # fmt: skip


def _party(decl: Declaration, name: str) -> bool | None:
    """Return True when the declaration names the party (by name or id), else None."""
    party = getattr(decl, name)
    return True if party is not None and (party.name or party.id) else None


def columns(
    rs: RuleSet, rows: Sequence[tuple[Declaration, GoodsItem, dt.date]], rates: Rates | None
) -> ItemColumns:
    """Return the columns of (declaration, item, judged date) rows (see `ItemColumns`)."""
    t = rs.tables
    items = [item for _, item, _ in rows]
    cols: dict[str, Sequence[object]] = {}
    for name in t.lookups:
        if (attr := _ITEM_COLUMNS.get(name)) is not None:
            cols[name] = [getattr(item, attr) for item in items]
        elif name == "jur":
            cols[name] = [decl.jurisdiction for decl, _, _ in rows]
        elif name == "regime":
            cols[name] = [d.regime.value if d.regime is not None else None for d, _, _ in rows]
        elif name == "dtype":
            cols[name] = [decl.declaration_type for decl, _, _ in rows]
        else:  # present:importer, exporter, manufacturer
            cols[name] = [_party(decl, name[8:]) for decl, _, _ in rows]
    documents = None
    if t.doc_atoms:
        documents = [document_keys((*item.documents, *decl.documents)) for decl, item, _ in rows]
    nan = math.nan
    # One conversion row per (declaration rates, currency) pair met.
    conv_ops, conv_rates = (
        array("b", [CONV_NAN] * len(rs.currencies)),
        array("d", [nan] * len(rs.currencies)),
    )
    conv_ids: dict[tuple[int, str], int] = {}
    pair_sets: dict[int, dict[tuple[str, str], float]] = {}
    conversion_col = array("i", bytes(4 * len(rows)))
    if rs.currencies:
        for i, (decl, item, _) in enumerate(rows):
            if item.currency is None or item.value is None:
                continue
            ctx = id(decl.exchange_rates) if decl.exchange_rates else 0
            key = (ctx, item.currency)
            if (cid := conv_ids.get(key)) is None:
                if (pairs := pair_sets.get(ctx)) is None:
                    pairs = pair_sets[ctx] = rate_pairs(decl, rates)
                cid = conv_ids[key] = len(conv_ids) + 1
                for cur in rs.currencies:
                    op, rate = conversion(item.currency, cur, pairs)
                    conv_ops.append(op)
                    conv_rates.append(rate)
            conversion_col[i] = cid
    return ItemColumns(
        codes=[item.tariff_code for item in items],
        dates=array("i", [day.toordinal() for _, _, day in rows]),
        columns=cols,
        documents=documents,
        additional_codes=[it.additional_codes for it in items] if t.additional_atoms else None,
        descriptions=[it.description for it in items] if t.keywords.out_atoms else None,
        amounts=array("d", [nan if it.value is None else float(it.value) for it in items]),
        conversion=conversion_col,
        conv_ops=conv_ops,
        conv_rates=conv_rates,
        masses=array(
            "d", [nan if it.net_mass_kg is None else float(it.net_mass_kg) for it in items]
        ),
    )


def document_keys(documents: Iterable[Document]) -> list[str]:
    """Return the keys rules test documents by: "TYPE" and, with an id, "TYPE:ID"."""
    keys: list[str] = []
    for doc in documents:
        kind = doc.type.strip().upper()
        keys.append(kind)
        if doc.id is not None:
            keys.append(f"{kind}:{doc.id.strip()}")
    return keys
