"""Readers and writers of declaration formats; `read` picks the reader for a path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ..model import Declaration
from .alcheck_json import read_json, read_json_text, write_json

__all__ = ["read", "read_json", "read_json_text", "write_json"]


def read(path: str | Path, *, format: str | None = None) -> Iterator[Declaration]:
    """Yield the declarations in a file; `format` forces a reader ("json")."""
    chosen = format or "json"
    if chosen == "json":
        return read_json(path)
    raise InputError(f"unknown format {chosen!r}; known: json", file=str(path))
