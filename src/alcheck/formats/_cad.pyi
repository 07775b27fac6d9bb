"""Stub of the compiled plain CBSA CAD reader; the twin `_cad_py.py` documents it."""

from typing import Any

from lxml import etree

from ._cad_py import Places

def plain_declaration(places: Places, jurisdiction: tuple[str, Any]) -> dict[str, Any]: ...
def top_declaration(elem: etree._Element) -> bool: ...
def nothing_before(decl: etree._Element) -> bool: ...
