"""Stub of the compiled goods-item reader; the twin `_wcoitem_py.py` documents it."""

from typing import Any

def append_item(
    state: Any, elem: Any, shipment_export: tuple[str, int | None] | None, found: dict[str, Any]
) -> bool: ...
def shipment_parts(shipment: Any) -> list[Any]: ...
def append_items(
    state: Any,
    shipment: Any,
    shipment_export: tuple[str, int | None] | None,
    found: list[dict[str, Any]],
) -> bool: ...
