"""Stub of the compiled loose-data layout; the twin `_loose_py.py` documents it."""

from typing import Any

def append_declaration(layout: Any, data: Any) -> None: ...
