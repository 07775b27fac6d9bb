"""Declaration models as one column batch: how models join the one screening path.

A reader that makes models (CSV, JSON, the North American formats, a caller's own) gives
them to `check`, which lays them out as the columns the WCO XML reader fills and screens
them the same way. Each declaration keeps its model in the batch, so built-in checks and
locations come from the model, as before.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from decimal import Decimal

from .formats._wcoitem_py import NOT_READ, SOURCE_FIELDS
from .formats.wco_columns import WcoColumns
from .model import Declaration, Party

_NO_SOURCES = array("i", [NOT_READ] * len(SOURCE_FIELDS))


def _named(party: Party | None) -> bool:
    return party is not None and bool(party.name or party.id)


def _float(number: Decimal | None) -> float:
    return math.nan if number is None else float(number)


def declaration_columns(decls: Sequence[Declaration], file: str = "") -> WcoColumns:
    """Return declarations as one column batch; each keeps its model (`WcoColumns.model`)."""
    b = WcoColumns(file)
    for decl in decls:
        b.decl_line.append(decl.location.line if decl.location else None)
        b.decl_id.append(decl.id)
        b.jurisdiction.append(decl.jurisdiction)
        b.entry_date.append(decl.entry_date)
        b.declaration_type.append(decl.declaration_type)
        b.regime.append(decl.regime.value if decl.regime is not None else None)
        b.procedure_code.append(decl.procedure_code)
        b.decl_documents.append(tuple((d.type, d.id) for d in decl.documents))
        b.exchange_rates.append(
            tuple((r.currency, r.to_currency, r.rate) for r in decl.exchange_rates)
        )
        b.importer.append(_named(decl.importer))
        b.exporter.append(_named(decl.exporter))
        b.manufacturer.append(_named(decl.manufacturer))
        b.decl_invalid.append(dict(decl.invalid))
        b.decl_sources.append({})
        b.model.append(decl)
        b.locators.append(None)
        for item in decl.items:
            b.item_line.append(item.location.line if item.location else None)
            b.line.append(item.line)
            b.description.append(item.description)
            b.tariff.append(item.tariff_declared)
            b.additional_codes.append(tuple(item.additional_codes))
            b.origin.append(item.origin)
            b.preferential_origin.append(item.preferential_origin)
            b.export_country.append(item.export_country)
            b.smelt1.append(item.smelt1)
            b.smelt2.append(item.smelt2)
            b.cast.append(item.cast)
            b.currency.append(item.currency)
            b.documents.append(tuple((d.type, d.id) for d in item.documents))
            b.item_invalid.append(dict(item.invalid) or None)
            b.item_lines.extend(_NO_SOURCES)
            for column, floats, number in (
                (b.net_mass_kg, b.net_mass_float, item.net_mass_kg),
                (b.gross_mass_kg, b.gross_mass_float, item.gross_mass_kg),
                (b.supplementary_quantity, b.supplementary_float, item.supplementary_quantity),
                (b.value, b.value_float, item.value),
            ):
                column.append(number)
                floats.append(_float(number))
        b.first.append(len(b.item_line))
    return b
