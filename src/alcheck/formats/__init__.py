"""Readers and writers of declaration formats; `read` picks the reader by content.

Formats: WCO DEC-DMS XML with alcheck's profile (`wco_xml`), alcheck CSV (`csv_format`),
alcheck JSON (`alcheck_json`), the CBP ACE entry summary (CATAIR AE, `catair`), Mexico's
pedimento validation file (`pedimento`) and Canada's CARM accounting declaration (CBSA
profile of WCO XML, `carm`). docs/formats.md describes each and the detection.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib import import_module
from pathlib import Path, PurePath
from typing import IO, TYPE_CHECKING, Any

from .._lazy import lazy_getattr
from ..errors import AlcheckError, InputError, NotADeclarationError

if TYPE_CHECKING:  # imported when used: the compiled kernels load this package first
    from ..model import Declaration
    from ._xmlsafe import HeadThenRest
    from .alcheck_json import read_json, read_json_text, write_json
    from .carm import read_carm, write_carm
    from .catair import read_catair, write_catair
    from .csv_format import read_csv, write_csv
    from .pedimento import read_pedimento, write_pedimento
    from .wco_columns import WcoColumns
    from .wco_xml import read_wco_xml, read_wco_xml_bytes, write_wco_xml

# Each format's reader and writer is imported on first use (PEP 562), here and in the
# functions below: checking a WCO XML file loads no CSV, JSON or national reader.
_EXPORTS = {
    "read_json": ".alcheck_json", "read_json_text": ".alcheck_json",
    "write_json": ".alcheck_json",
    "read_carm": ".carm", "write_carm": ".carm",
    "read_catair": ".catair", "write_catair": ".catair",
    "read_csv": ".csv_format", "write_csv": ".csv_format",
    "read_pedimento": ".pedimento", "write_pedimento": ".pedimento",
    "read_wco_xml": ".wco_xml", "read_wco_xml_bytes": ".wco_xml", "write_wco_xml": ".wco_xml",
}  # fmt: skip


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())


__all__ = [
    "FORMATS",
    "detect_format",
    "Reading",
    "read",
    "model_batches",
    "read_carm",
    "read_catair",
    "read_columns",
    "read_csv",
    "read_json",
    "read_json_text",
    "read_paths",
    "read_pedimento",
    "read_wco_xml",
    "read_wco_xml_bytes",
    "search_folder",
    "write_carm",
    "write_catair",
    "write_csv",
    "write_json",
    "write_pedimento",
    "write_wco_xml",
]

FORMATS = ("xml", "csv", "json", "catair", "pedimento", "carm")
# Suffixes `read_paths` picks from a directory (compared case-insensitively): .ae for CBP
# entry summaries, .val for pedimento validation files (any file named is read by content).
SUFFIXES = (".xml", ".csv", ".json", ".jsonl", ".ae", ".val")
_PEEK = 64 * 1024
# Leading blanks read before giving up telling the format.
_BLANK_LIMIT = 1 << 20


def detect_format(head: bytes) -> str | None:
    """Name the format of input starting with `head`: one of FORMATS, or None."""
    from .carm import looks_like_carm  # a CBSA CAD is XML: every XML input is asked

    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "carm" if looks_like_carm(head) else "xml"  # UTF-16 is only ever XML here
    if looks_like_carm(head):
        return "carm"  # WCO XML under the CBSA's CAD profile, before the generic XML
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<"):
        return "xml"
    if text.startswith((b"{", b"[")):
        return "json"
    from .catair import looks_like_catair
    from .csv_format import looks_like_csv_header
    from .pedimento import looks_like_pedimento

    if looks_like_catair(head):
        return "catair"
    if looks_like_pedimento(head):
        return "pedimento"
    first_line = re.split(rb"\r\n?|\n", text, maxsplit=1)[0].decode("utf-8", errors="replace")
    return "csv" if looks_like_csv_header(first_line) else None


def _read_stream(
    stream: IO[bytes], name: str, format: str | None, schema: str | Path | None
) -> Iterator[Declaration]:
    head = stream.read(_PEEK)
    # Blanks only (a BOM at most) so far: read on until something else, or the end.
    while not head.removeprefix(b"\xef\xbb\xbf").strip() and len(head) < _BLANK_LIMIT:
        chunk = stream.read(_PEEK)
        if not chunk:
            raise NotADeclarationError("empty input", file=name, line=1)
        head += chunk
    chosen = format or detect_format(head)
    if chosen is None:
        raise NotADeclarationError(
            "cannot tell the format (not XML, not JSON, not a CBP entry summary or a pedimento "
            "file, no CSV header with alcheck columns); pass format= one of "
            + ", ".join(repr(f) for f in FORMATS),
            file=name,
            line=1,
        )
    if chosen not in FORMATS:
        raise InputError(f"unknown format {chosen!r}; known: {', '.join(FORMATS)}", file=name)
    if schema is not None and chosen != "xml":
        raise InputError("a schema applies to XML input only", file=name)
    from ._xmlsafe import HeadThenRest

    yield from _read_as(chosen, HeadThenRest(head, stream), name, schema)


def _read_as(
    chosen: str, rest: HeadThenRest, name: str, schema: str | Path | None
) -> Iterator[Declaration]:
    """Yield the declarations of input in a known format, with the reader of that format."""
    if chosen == "xml":
        from .wco_xml import read_wco_xml_stream

        yield from read_wco_xml_stream(rest, name, schema=schema)  # type: ignore[arg-type]
    elif chosen == "csv":
        from .csv_format import read_csv_stream

        yield from read_csv_stream(rest, name)  # type: ignore[arg-type]
    elif chosen == "carm":
        from .carm import read_carm_stream

        yield from read_carm_stream(rest, name)  # type: ignore[arg-type]
    elif chosen == "catair":
        from .catair import read_catair_stream

        yield from read_catair_stream(rest, name)
    elif chosen == "pedimento":
        from .pedimento import read_pedimento_stream

        yield from read_pedimento_stream(rest, name)  # type: ignore[arg-type]
    else:
        from .alcheck_json import read_json_bytes

        yield from read_json_bytes(rest.read(), name)


def _open(path: str) -> IO[bytes]:
    """Open a file to read; a named pipe without a writer reads as empty, never waits."""
    nonblock = getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, os.O_RDONLY | nonblock)
    try:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if nonblock:
            os.set_blocking(fd, True)  # reads wait for a writer that is there
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read(
    source: str | Path | IO[bytes],
    *,
    format: str | None = None,
    schema: str | Path | None = None,
) -> Reading:
    """Yield the declarations in a file, "-" (standard input) or a binary stream.

    The format is detected from the content unless `format` (one of FORMATS: "xml", "csv",
    "json", "catair", "pedimento", "carm") is given; `schema` is an XSD to validate XML against.
    Raises InputError (or its subclasses NotADeclarationError, HostileInputError) for input
    that cannot be read. Nothing is read until the first declaration is asked for; checking
    a file not yet read (`validate(read(path))`) reads it as columns and makes no model.
    """
    return Reading(source, format, schema)


class Reading(Iterator["Declaration"]):
    """The declarations of one input (`read`), each made when it is asked for."""

    __slots__ = ("_format", "_models", "_schema", "_source")

    def __init__(
        self, source: str | Path | IO[bytes], format: str | None, schema: str | Path | None
    ) -> None:
        self._source, self._format, self._schema = source, format, schema
        self._models: Iterator[Declaration] | None = None

    def __next__(self) -> Declaration:
        if self._models is None:
            self._models = _read_models(self._source, self._format, self._schema)
        return next(self._models)

    def close(self) -> None:
        """Stop reading and close the input (as a generator's `close`)."""
        models, self._models = self._models, iter(())
        if models is not None:
            models.close()  # type: ignore[attr-defined]

    def column_batches(self, batch_items: int = 4096) -> Iterator[WcoColumns] | None:
        """Return the input as column batches (`read_columns`) when nothing was read yet,
        it is a file or "-", and no schema is asked for; else None (read the models).

        From then on the reading is the batches': asking this for models reads nothing.
        """
        if self._models is not None or self._schema is not None:
            return None
        if not isinstance(self._source, str | Path):
            return None
        self._models = iter(())
        return read_columns(self._source, format=self._format, batch_items=batch_items)


def _read_models(
    source: str | Path | IO[bytes], format: str | None, schema: str | Path | None
) -> Iterator[Declaration]:
    if isinstance(source, str | Path):
        name = str(source)
        if name == "-":
            yield from _reading(sys.stdin.buffer, "<stdin>", format, schema)
            return
        try:
            stream = _open(name)
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", file=name) from None
        with stream:
            yield from _reading(stream, name, format, schema)
        return
    name = str(getattr(source, "name", "<stream>"))
    yield from _reading(source, name, format, schema)


def read_columns(
    source: str | Path, *, format: str | None = None, batch_items: int = 4096
) -> Iterator[WcoColumns]:
    """Yield an input as column batches of whole declarations: what every check screens.

    A WCO XML file is read straight into columns (`read_wco_columns`). An alcheck JSON,
    CBP entry summary, pedimento or CBSA CAD file is read by its reader into the loose
    data its models are made of, laid out as columns without them (`loose_columns`). CSV,
    and standard input ("-"), is read through its model reader (`model_batches`).
    Raises what `read` raises, after the batches read before the error.
    """
    from .wco_columns import read_wco_columns

    name = str(source)
    sniffed = _sniff(name) if name != "-" and format in (None, *_LOOSE_READERS) else None
    if name != "-" and (format == "xml" or (format is None and sniffed == "xml")):
        yield from read_wco_columns(name, batch_items=batch_items)
    elif sniffed in _LOOSE_READERS and format in (None, sniffed):
        # What detection tells apart only: any other input is `read`'s to refuse.
        yield from model_batches(_read_loose(name, sniffed), name, batch_items)
    else:
        # Models held in a batch are long-lived objects the garbage collector keeps
        # scanning: smaller batches of them cost a third less (catair, measured).
        yield from model_batches(read(source, format=format), name, min(batch_items, 1024))


def model_batches(
    declarations: Iterable[Declaration | dict[str, Any]], file: str = "", batch_items: int = 4096
) -> Iterator[WcoColumns]:
    """Yield declarations as column batches of about `batch_items` goods items.

    A declaration is a model, or the loose data a national reader makes its model of
    (`loose_catair_stream`, …), laid out as the model would hold it (`loose_columns`).
    When `declarations` raises (a reader meeting input it cannot read), the declarations
    it gave before are yielded first, then the error is raised: nothing read is dropped
    with the batch it was waiting in.
    """
    from .loose_columns import loose_batches

    yield from loose_batches(declarations, file, batch_items)


# The readers whose loose data a check lays out as columns without models, by format:
# (module, function), imported when a file of that format is read.
_LOOSE_READERS = {
    "catair": (".catair", "loose_catair_stream"),
    "pedimento": (".pedimento", "loose_pedimento_stream"),
    "carm": (".carm", "loose_carm_stream"),
    "json": (".alcheck_json", "loose_json_stream"),
}


def _read_loose(name: str, format: str) -> Iterator[dict[str, Any]]:
    """Yield a national file's declarations as its reader reads them, before the models
    (`read` makes these into Declarations); errors as `read` raises them."""
    try:
        stream = _open(name)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=name) from None
    module, function = _LOOSE_READERS[format]
    reader: Callable[[IO[bytes], str], Iterator[dict[str, Any]]]
    reader = getattr(import_module(module, __name__), function)
    with stream:
        try:
            yield from reader(stream, name)
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", file=name) from None


def _sniff(name: str) -> str | None:
    """Return the format of a regular file by its content; None when it cannot tell (a
    pipe is never read twice; `read` then reads it and says what is wrong)."""
    try:
        if not stat.S_ISREG(os.stat(name).st_mode):
            return None
        with open(name, "rb") as stream:
            head = stream.read(_PEEK)
    except OSError:
        return None
    return detect_format(head)


def _reading(
    stream: IO[bytes], name: str, format: str | None, schema: str | Path | None
) -> Iterator[Declaration]:
    """`_read_stream`, with a failing read (an I/O error) an InputError naming the file."""
    try:
        yield from _read_stream(stream, name, format, schema)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=name) from None


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _maybe_declarations(name: str) -> bool:
    """Tell whether an entry's name may hold declarations: a declaration suffix, or none
    (a folder, when a link to one is broken)."""
    suffix = PurePath(name).suffix.lower()
    return suffix in SUFFIXES or not suffix


def search_folder(
    folder: str | Path, exclude: Sequence[str] = ()
) -> Iterator[tuple[Path, str | None]]:
    """Yield, in sorted order and recursively, each declaration file in a folder as
    (path, None), and each entry that cannot be searched or read as (path, problem).

    Declaration files are regular files named .xml, .csv, .json, .jsonl, .ae or .val (any
    case), links to them included. Hidden entries (a name starting with ".") and
    `node_modules` folders are passed over, as is every entry matching a glob of `exclude`
    (matched against the entry's name and its path from `folder`, `/`-separated).
    Problems: a subfolder that cannot be listed, a symbolic link to nothing or one that
    loops, a link back to a folder that holds it, and a named pipe, socket or device with a
    declaration's name (never opened, so never waited on). Other files are not
    declarations and are passed over.
    """
    root = Path(folder)
    yield from _search(root, set(), root, tuple(exclude))


# Passed over in a folder: tools' and editors' own folders, never declarations.
SKIPPED_NAMES = frozenset({"node_modules"})


def _excluded(path: Path, root: Path, exclude: tuple[str, ...]) -> bool:
    name = path.name
    if name.startswith(".") or name in SKIPPED_NAMES:
        return True
    if not exclude:
        return False
    relative = path.relative_to(root).as_posix()
    return any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(relative, g) for g in exclude)


def _search(
    folder: Path, ancestors: set[tuple[int, int]], root: Path, exclude: tuple[str, ...]
) -> Iterator[tuple[Path, str | None]]:
    try:
        info = folder.stat()
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        yield folder, f"cannot search the folder: {exc.strerror or exc}"
        return
    here = (info.st_dev, info.st_ino)
    ancestors = ancestors | {here}
    for entry in entries:
        path = Path(entry.path)
        if _excluded(path, root, exclude):
            continue
        try:
            mode = os.stat(entry.path).st_mode  # follows links
        except OSError as exc:
            if entry.is_symlink() and _maybe_declarations(entry.name):
                what = "loops" if exc.errno == errno.ELOOP else "points to nothing"
                yield path, f"not read: a symbolic link that {what} ({exc.strerror})"
            elif _maybe_declarations(entry.name):
                yield path, f"cannot read: {exc.strerror or exc}"
            continue
        if stat.S_ISDIR(mode):
            target = os.stat(entry.path)
            if (target.st_dev, target.st_ino) in ancestors:
                yield path, "not searched: a symbolic link loop (to a folder that holds it)"
                continue
            yield from _search(path, ancestors, root, exclude)
        elif PurePath(entry.name).suffix.lower() not in SUFFIXES:
            continue
        elif stat.S_ISREG(mode):
            yield path, None
        else:
            yield path, f"not read: {_kind_of(mode)}, not a regular file"


def _files(paths: str | Path | Iterable[str | Path]) -> Iterator[tuple[Path, str | None]]:
    if isinstance(paths, str | Path):
        paths = [paths]
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            yield from search_folder(path)
        else:
            yield path, None


def read_paths(
    paths: str | Path | Iterable[str | Path],
    *,
    format: str | None = None,
    on_error: Callable[[AlcheckError], None] | None = None,
) -> Iterator[Declaration]:
    """Yield the declarations of files and directories lazily, one file at a time.

    A directory is searched recursively for .xml, .csv, .json and .jsonl files (any
    case), in sorted order (`search_folder`; an entry it cannot search or read is an
    InputError naming it). Without `on_error` the first unreadable file raises; with
    it, each error is passed to `on_error` and reading goes on with the next file.
    """
    for path, problem in _files(paths):
        try:
            if problem is not None:
                raise InputError(problem, file=str(path))
            yield from read(path, format=format)
        except AlcheckError as exc:
            if on_error is None:
                raise
            on_error(exc)
