"""Readers and writers of declaration formats; `read` picks the reader by content.

Formats: WCO DEC-DMS XML with alcheck's profile (`wco_xml`), alcheck CSV (`csv_format`)
and alcheck JSON (`alcheck_json`). docs/formats.md describes each and the detection.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from ..errors import AlcheckError, InputError
from ..model import Declaration
from ._xmlsafe import HeadThenRest
from .alcheck_json import read_json, read_json_bytes, read_json_text, write_json
from .csv_format import looks_like_csv_header, read_csv, read_csv_stream, write_csv
from .wco_xml import read_wco_xml, read_wco_xml_bytes, read_wco_xml_stream, write_wco_xml

__all__ = [
    "FORMATS",
    "detect_format",
    "read",
    "read_csv",
    "read_json",
    "read_json_text",
    "read_paths",
    "read_wco_xml",
    "read_wco_xml_bytes",
    "write_csv",
    "write_json",
    "write_wco_xml",
]

FORMATS = ("xml", "csv", "json")
# Suffixes `read_paths` picks from a directory (compared case-insensitively).
SUFFIXES = (".xml", ".csv", ".json", ".jsonl")
_PEEK = 64 * 1024


def detect_format(head: bytes) -> str | None:
    """Name the format of input starting with `head`: "xml", "json", "csv", or None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "xml"  # UTF-16 is only ever XML here; the XML parser reads its BOM
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<"):
        return "xml"
    if text.startswith((b"{", b"[")):
        return "json"
    first_line = text.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    return "csv" if looks_like_csv_header(first_line) else None


def _read_stream(
    stream: IO[bytes], name: str, format: str | None, schema: str | Path | None
) -> Iterator[Declaration]:
    head = stream.read(_PEEK)
    chosen = format or detect_format(head)
    if chosen is None:
        raise InputError(
            "cannot tell the format (not XML, not JSON, no CSV header with alcheck columns); "
            "pass format='xml', 'csv' or 'json'",
            file=name,
            line=1,
        )
    if chosen not in FORMATS:
        raise InputError(f"unknown format {chosen!r}; known: {', '.join(FORMATS)}", file=name)
    if schema is not None and chosen != "xml":
        raise InputError("a schema applies to XML input only", file=name)
    rest = HeadThenRest(head, stream)
    if chosen == "xml":
        yield from read_wco_xml_stream(rest, name, schema=schema)  # type: ignore[arg-type]
    elif chosen == "csv":
        yield from read_csv_stream(_LineReader(rest), name)  # type: ignore[arg-type]
    else:
        yield from read_json_bytes(rest.read(), name)


class _LineReader:
    """Iterate the lines of a `HeadThenRest`, as a binary file iterates its lines."""

    def __init__(self, source: HeadThenRest) -> None:
        self._source = source
        self._buffer = b""

    def __iter__(self) -> Iterator[bytes]:
        while True:
            newline = self._buffer.find(b"\n")
            if newline >= 0:
                line, self._buffer = self._buffer[: newline + 1], self._buffer[newline + 1 :]
                yield line
                continue
            chunk = self._source.read(_PEEK)
            if not chunk:
                if self._buffer:
                    yield self._buffer
                return
            self._buffer += chunk


def read(
    source: str | Path | IO[bytes],
    *,
    format: str | None = None,
    schema: str | Path | None = None,
) -> Iterator[Declaration]:
    """Yield the declarations in a file, "-" (standard input) or a binary stream.

    The format is detected from the content unless `format` ("xml", "csv", "json") is
    given; `schema` is an XSD to validate XML against. Raises InputError (or its
    subclasses NotADeclarationError, HostileInputError) for input that cannot be read.
    """
    if isinstance(source, str | Path):
        name = str(source)
        if name == "-":
            yield from _read_stream(sys.stdin.buffer, "<stdin>", format, schema)
            return
        try:
            stream = open(source, "rb")  # noqa: SIM115 - closed by the with below
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", file=name) from None
        with stream:
            yield from _read_stream(stream, name, format, schema)
        return
    name = str(getattr(source, "name", "<stream>"))
    yield from _read_stream(source, name, format, schema)


def _files(paths: str | Path | Iterable[str | Path]) -> Iterator[Path]:
    if isinstance(paths, str | Path):
        paths = [paths]
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                if found.is_file() and found.suffix.lower() in SUFFIXES:
                    yield found
        else:
            yield path


def read_paths(
    paths: str | Path | Iterable[str | Path],
    *,
    format: str | None = None,
    on_error: Callable[[AlcheckError], None] | None = None,
) -> Iterator[Declaration]:
    """Yield the declarations of files and directories lazily, one file at a time.

    A directory is searched recursively for .xml, .csv, .json and .jsonl files (any
    case), in sorted order. Without `on_error` the first unreadable file raises; with
    it, each error is passed to `on_error` and reading goes on with the next file.
    """
    for path in _files(paths):
        try:
            yield from read(path, format=format)
        except AlcheckError as exc:
            if on_error is None:
                raise
            on_error(exc)
