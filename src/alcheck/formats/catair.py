"""CBP ACE ABI CATAIR entry summary (application AE): a streaming reader and a writer.

An AE file is a batch of fixed-width 80-character records, one a line: a batch envelope
(A … Z) holding blocks (B … Y) of entry summaries, each starting at a 10-record. Each
entry summary becomes a `Declaration`; docs/formats-catair.md is the spec, saying which
positions come from the public CBP documents and which are inferred.

- Streaming: one line at a time, one entry summary held at a time. A line is never held
  past `MAX_LINE` characters, however long it is.
- Fixed-width field errors are findings, never exceptions: a value of the wrong type
  goes to `invalid` (SYN-VALUE), as does a record of the wrong length; a malformed,
  unknown or misplaced record goes to `unread` (SYN-UNKNOWN). Every value keeps its file,
  line and columns (`Location.path`, e.g. "50-record cols 25-34").
- Valid records alcheck does not model (bond, fees, totals, PGA, …) are kept as given in
  the declaration's `kept` ("20-record (line 5)": the record), so nothing is dropped
  silently and no finding is made for a valid record.
- Only input that cannot be read raises `InputError` naming the file and line: not a
  CATAIR batch, a line that is not text (control bytes), a line over `MAX_LINE`, a batch
  or block of another application. Such a line spoils only the entry summary it is in:
  every other entry summary is yielded first, then the error is raised.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Protocol

from .._match import plain_model
from ..errors import InputError, NotADeclarationError, UsageError
from ..model import Declaration, GoodsItem, Location, Regime, lenient_declaration
from .loose_columns import RecordPlaces, resolved

__all__ = [
    "ENTRY_TYPE_REGIMES",
    "MAX_LINE",
    "RECORD_LENGTH",
    "entry_check_digit",
    "looks_like_catair",
    "read_catair",
    "read_catair_stream",
    "read_catair_text",
    "write_catair",
]

RECORD_LENGTH = 80
# The longest line read; a longer one is an InputError (and is never held whole). Lines
# from 81 characters up to this bound are read as records of the wrong length (findings).
MAX_LINE = 1024
_CHUNK = 64 * 1024
# The other input errors of a file named in the error's message, at most.
_MORE_SHOWN = 5

# Entry type code (CATAIR Appendix B "Entry Type Codes"; AE Table 2 lists those an AE
# transaction accepts) -> regime. Categories follow Appendix B: 0x consumption, 1x
# informal, 2x warehouse, 3x warehouse withdrawal, 4x drawback, 5x government, 6x
# transportation. Which regime a category means is alcheck's reading (see the docs).
ENTRY_TYPE_REGIMES: dict[str, Regime] = {
    "01": Regime.CONSUMPTION,  # consumption - free and dutiable
    "02": Regime.CONSUMPTION,  # consumption - quota/visa
    "03": Regime.CONSUMPTION,  # consumption - AD/CVD
    "04": Regime.CONSUMPTION,  # appraisement
    "05": Regime.CONSUMPTION,  # vessel - repair
    "06": Regime.FTZ,  # consumption - foreign trade zone
    "07": Regime.CONSUMPTION,  # consumption - AD/CVD and quota/visa
    "08": Regime.OTHER,  # NAFTA duty deferral
    "09": Regime.OTHER,  # reconciliation summary
    "11": Regime.INFORMAL,  # informal - free and dutiable
    "12": Regime.INFORMAL,  # informal - quota/visa
    "13": Regime.INFORMAL,  # international mail shipment
    "21": Regime.WAREHOUSE,  # warehouse
    "22": Regime.WAREHOUSE,  # re-warehouse
    "23": Regime.TEMPORARY,  # temporary importation under bond (TIB)
    "24": Regime.WAREHOUSE,  # trade fair
    "25": Regime.WAREHOUSE,  # permanent exhibition
    "26": Regime.FTZ,  # warehouse - FTZ (admission)
    "31": Regime.CONSUMPTION,  # warehouse withdrawal - consumption
    "32": Regime.CONSUMPTION,  # warehouse withdrawal - quota
    "33": Regime.OTHER,  # aircraft and vessel supply (for immediate exportation)
    "34": Regime.CONSUMPTION,  # warehouse withdrawal - AD/CVD
    "38": Regime.CONSUMPTION,  # warehouse withdrawal - AD/CVD and quota/visa
    "41": Regime.OTHER,  # drawback (41-47)
    "42": Regime.OTHER,
    "43": Regime.OTHER,
    "44": Regime.OTHER,
    "45": Regime.OTHER,
    "46": Regime.OTHER,
    "47": Regime.OTHER,
    "51": Regime.OTHER,  # Defense Contract Management Agency (DCMA / DCASR)
    "52": Regime.CONSUMPTION,  # government - dutiable
    "61": Regime.TRANSIT,  # immediate transportation
    "62": Regime.TRANSIT,  # transportation and exportation
    "63": Regime.TRANSIT,  # immediate exportation
    "64": Regime.TRANSIT,  # barge movement
    "65": Regime.TRANSIT,  # permit to proceed
    "66": Regime.OTHER,  # baggage
    "86": Regime.INFORMAL,  # Section 321 (de minimis)
    "90": Regime.OTHER,  # special entry processing (not in use)
}
# The entry type the writer uses for a regime when a declaration has no entry type.
_REGIME_TYPES = {
    Regime.CONSUMPTION: "01",
    Regime.FTZ: "06",
    Regime.INFORMAL: "11",
    Regime.WAREHOUSE: "21",
    Regime.TEMPORARY: "23",
}
# Application identifier codes (Batch & Block Control, Note 3), to say what a batch is.
_APPLICATIONS = {
    "AE": "entry summary create/update",
    "AX": "CBP's response to entry summaries",
    "SE": "cargo release",
    "SX": "CBP's response to cargo release",
    "RE": "reconciliation entry summary",
    "DE": "drawback entry summary",
    "NE": "NAFTA duty deferral",
    "FT": "FTZ admission",
    "CA": "PGA correction",
    "SU": "statement update",
}

# Record types of an AE transaction (ES header, line and totals input structure maps).
_HEADER_RECORDS = frozenset(
    ["11", "20", "21", "22", "23", "30", "31", "32", "33", "34", "35", "36"]
    + ["SE13", "SE16", "SE17", "SE20", "SE30", "SE31", "SE32", "SE35", "SE36"]
)
_LINE_RECORDS = frozenset(
    ["40", "41", "42", "43", "44", "47", "50", "51", "52", "53", "54", "60", "61", "62", "63"]
    + ["SE50", "SE51", "SE52", "SE55", "SE56", "SE60", "SE61", "SE62", "SE63", "OI", "CW02"]
)
_TOTAL_RECORDS = frozenset(["88", "89", "90"])
# What each record type of an AE transaction is (a PG-record, of any number, is a line's).
_HEADER, _LINE, _TOTAL = "header", "line", "total"
_RECORD_KINDS = (
    dict.fromkeys(_HEADER_RECORDS, _HEADER)
    | dict.fromkeys(_LINE_RECORDS, _LINE)
    | dict.fromkeys(_TOTAL_RECORDS, _TOTAL)
)
# Batch and block headers and trailers; the prefixes of 4-character record types.
_CONTROL_RECORDS = frozenset("ABYZ")
_LONG_TYPES = frozenset(["SE", "PG", "CW"])
_LICENCE_TYPES = frozenset(f"{n:02d}" for n in range(1, 32))  # 52-record type codes
_DECLARATION_TYPES = frozenset(f"{n:02d}" for n in range(1, 13))  # 54-record type codes
_AIM_LICENCE = "28"
_EXCLUSION_ALUMINUM = "03"
_SMELT_CAST = "07"

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x1f\x7f]")
_CONTROL_BESIDE_NEWLINE = re.compile(rb"[\x00-\x09\x0b-\x1f\x7f]")
_DIGITS = re.compile(r" *[0-9]+")
_CASE = re.compile(r"([A-Z])([0-9]{3})([0-9]{3})(.{0,3})")
_PRINTABLE = re.compile(r"[ -~]*")
_ENTRY_ID = re.compile(r"(.{3})-?(.{7})-?(.)")
_CASE_ID = re.compile(r"([A-Z])-?([0-9]{3})-?([0-9]{3})")

# Valid records alcheck does not model, kept as given per entry summary; past this many
# they are only counted (an entry summary of millions of PGA records stays bounded).
MAX_KEPT = 10_000


# Columns of a record, as a location names them: (`Location.path`, first column), each
# made once (`_place`); a path or column may be None.
_Place = tuple[str | None, int | None]
# Where a value was read: (line, place). A tuple, not a `Location`: made for every value
# read, and only the few a finding names become Locations (`_Places.locate`).
_Where = tuple[int | None, _Place]
# An entry summary as read: what `lenient_declaration` validates into its `Declaration`.
Loose = dict[str, Any]


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


# ---------------------------------------------------------------------------------------
# Entry numbers (CATAIR Appendix E)


def _filer_digit(char: str) -> int | None:
    """Return a filer-code character as Appendix E converts it (A,J→1 … I,R→9; S→2 … Z→9)."""
    if char.isascii() and char.isdigit():
        return int(char)
    if not ("A" <= char <= "Z"):
        return None
    index = ord(char) - ord("A")
    if index < 9:
        return index + 1  # A..I -> 1..9
    if index < 18:
        return index - 8  # J..R -> 1..9
    return index - 16  # S..Z -> 2..9


# The filer-code characters `_filer_digit` converts, upper or lower case (ASCII).
_FILER_DIGITS = {
    char: digit
    for char in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    if (digit := _filer_digit(char.upper())) is not None
}


# A digit as Appendix E adds it: at an even position from the right, at an odd one (doubled).
_ONCE = {str(d): d for d in range(10)}
_TWICE = {str(d): d * 2 - 9 if d > 4 else d * 2 for d in range(10)}


@lru_cache(maxsize=1024)
def _filer_sum(filer: str) -> int | None:
    """Return what a filer code adds to an entry number's total (positions 10, 9, 8 from
    the right), None when a character of it is not one `_FILER_DIGITS` converts: a file
    holds a few filer codes, each worked out once."""
    a, b, c = (_FILER_DIGITS.get(char) for char in filer)
    if a is None or b is None or c is None:
        return None
    return a + c + (b * 2 - 9 if b > 4 else b * 2)


def entry_check_digit(filer: str, transaction: str) -> int | None:
    """Return the check digit of entry number `filer`-`transaction` (CATAIR Appendix E).

    filer: the 3-character entry filer code (letters converted: A,J→1 … I,R→9; S→2 … Z→9);
    transaction: the 7-digit transaction number. From the right-most of the 10 digits,
    every odd position is doubled (a product over 9 counts as its units digit plus 1),
    the even positions are added as they are, and the check digit is 10 minus the units
    digit of the total (0 when that is 10). None when the input is not of that form.
    """
    if len(filer) != 3 or len(transaction) != 7:
        return None
    if not (transaction.isascii() and transaction.isdigit()):
        return None
    head = _filer_sum(filer)
    if head is not None:  # nearly every entry number
        t, twice, once = transaction, _TWICE, _ONCE  # positions 7, 5, 3, 1 from the right
        total = head + twice[t[0]] + twice[t[2]] + twice[t[4]] + twice[t[6]]
        total += once[t[1]] + once[t[3]] + once[t[5]]
        return (10 - total % 10) % 10
    digits = [_filer_digit(c) for c in filer.upper()]
    if any(d is None for d in digits):
        return None
    number = [d for d in digits if d is not None] + [int(c) for c in transaction]
    total = 0
    for position, digit in enumerate(reversed(number), start=1):
        if position % 2:
            doubled = digit * 2
            total += doubled - 9 if doubled > 9 else doubled
        else:
            total += digit
    return (10 - total % 10) % 10


# ---------------------------------------------------------------------------------------
# Lines: bounded, from text or from a binary stream


class _Bad:
    """A line that cannot be read, and why."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


_TOO_LONG = f"a line longer than {MAX_LINE} characters (CATAIR records are 80, one a line)"


def _text_line(line: str) -> str | _Bad:
    if line.endswith("\r"):
        line = line[:-1]
    if len(line) > MAX_LINE:
        return _Bad(_TOO_LONG)
    found = _CONTROL.search(line)
    if found is not None:
        return _Bad(f"not text: character {ord(found.group()):#04x} at column {found.start() + 1}")
    return line


def _text_lines(text: str) -> Iterator[tuple[int, str | _Bad]]:
    """Yield (line number, line) of a text, a line over the bound as a `_Bad`, not copied."""
    pos = 1 if text.startswith("\ufeff") else 0
    size = len(text)
    number = 0
    while pos < size:
        number += 1
        end = text.find("\n", pos, pos + MAX_LINE + 2)  # a "\r" may end the line too
        if end < 0 and size - pos > MAX_LINE + 1:
            yield number, _Bad(_TOO_LONG)
            end = text.find("\n", pos + MAX_LINE)
            if end < 0:
                return
            pos = end + 1
            continue
        if end < 0:
            end = size
        yield number, _text_line(text[pos:end])
        pos = end + 1


def _byte_line(raw: bytes, first: bool) -> str | _Bad:
    if first and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    if len(raw) > MAX_LINE:
        return _Bad(_TOO_LONG)
    found = _CONTROL_BYTES.search(raw)
    if found is not None:
        return _Bad(f"not text: byte {raw[found.start()]:#04x} at column {found.start() + 1}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Off the CATAIR character set either way (it is ASCII): kept as given, one
        # character a byte, so that the columns still line up.
        return raw.decode("latin-1")


def _stream_lines(stream: _Readable) -> Iterator[tuple[int, str | _Bad]]:
    """Yield (line number, line) of a binary stream; memory stays within a chunk and
    `MAX_LINE`, however long a line is."""
    pending = bytearray()
    too_long = False
    number = 0
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        start = 0
        size = len(chunk)
        if number and chunk.isascii() and _CONTROL_BESIDE_NEWLINE.search(chunk) is None:
            # Plain ASCII lines (nearly every chunk): what `_byte_line` makes of each line
            # whole in the chunk is its text, one decode and split for all of them.
            start = chunk.find(b"\n") + 1
            end = chunk.rfind(b"\n")
            if 0 < start <= end:
                number += 1
                first = bytes(pending + chunk[: start - 1])  # the line pending ends here
                yield number, _Bad(_TOO_LONG) if too_long else _byte_line(first, False)
                pending.clear()
                too_long = False
                for line in chunk[start:end].decode("ascii").split("\n"):
                    number += 1
                    yield number, line if len(line) <= MAX_LINE else _Bad(_TOO_LONG)
                start = end + 1
            else:
                start = 0
        while start < size:
            at = chunk.find(b"\n", start)
            stop = size if at < 0 else at
            if not too_long:
                pending += chunk[start:stop]
                if len(pending) > MAX_LINE + 4:  # room for a BOM and a "\r"
                    too_long = True
                    pending.clear()
            if at < 0:
                break
            number += 1
            yield number, _Bad(_TOO_LONG) if too_long else _byte_line(bytes(pending), number == 1)
            pending.clear()
            too_long = False
            start = at + 1
    if pending or too_long:
        number += 1
        yield number, _Bad(_TOO_LONG) if too_long else _byte_line(bytes(pending), number == 1)


# ---------------------------------------------------------------------------------------
# Fields


def _cols(rec: str, first: int, last: int) -> str:
    """Return positions first..last (1-based, inclusive) of a record."""
    return rec[first - 1 : last]


def _number(raw: str) -> int | None | str:
    """Read an N or (S)N field: an int, None when blank, or the text as given when bad."""
    if not raw.strip():
        return None
    if _DIGITS.fullmatch(raw):
        return int(raw)
    return raw.strip()


def _implied(number: int, places: int) -> Decimal:
    """Return `number` with `places` implied decimals, exactly, without trailing zeros."""
    while places and number % 10 == 0:
        number //= 10
        places -= 1
    return Decimal(f"{number}E-{places}") if places else Decimal(number)


class _Invalid:
    """A number field that is not one: its text as given (stripped)."""

    __slots__ = ("given",)

    def __init__(self, given: str) -> None:
        self.given = given


@lru_cache(maxsize=4096)
def _whole_text(raw: str, places: int = 0) -> str | None | _Invalid:
    """Read an N or (S)N field with `places` implied decimals as the text of its number
    (what `_implied` gives, as text: the model and the columns parse it), None when blank.

    The text, not a Decimal: a check's columns parse each distinct text once. Memoized:
    amounts repeat (zeros above all); an `_Invalid` is not changed once made.
    """
    if raw.isdigit() and raw.isascii():  # nearly every amount: zero-filled digits
        number = int(raw)
    else:
        read = _number(raw)
        if read is None:
            return None
        if isinstance(read, str):
            return _Invalid(read)
        number = read
    if not places:
        return str(number)
    digits = str(number).rjust(places + 1, "0")
    whole, fraction = digits[:-places], digits[-places:].rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


@lru_cache(maxsize=4096)
def _date(raw: str) -> dt.date | None | str:
    """Read a MMDDYY date: a date, None when blank, or the text as given when bad.

    Two-digit years: 69-99 are 1969-1999, 00-68 are 2000-2068 (as POSIX `%y`).
    """
    if not raw.strip():
        return None
    if len(raw) == 6 and raw.isascii() and raw.isdigit():
        year = int(raw[4:6])
        try:
            return dt.date(year + (1900 if year >= 69 else 2000), int(raw[0:2]), int(raw[2:4]))
        except ValueError:
            pass
    return raw.strip()


def _metal(flag: str, country: str) -> tuple[str | None, bool]:
    """Read an applicability flag and its country (54-record type 07): (value, is valid).

    Y + country → the country (UN allowed); N + blank → "N/A"; blank + blank → None.
    """
    code = country.strip()
    if flag == "Y" and code:
        return code, True
    if flag == "N" and not code:
        return "N/A", True
    if flag == " " and not code:
        return None, True
    return None, False


# ---------------------------------------------------------------------------------------
# The reader


# The places of a record and of its columns: a few dozen distinct ones, each made once
# rather than for every value read.
@lru_cache(maxsize=1024)
def _record_place(record: str) -> _Place:
    return f"{record}-record", None


@lru_cache(maxsize=4096)
def _place(record: str, first: int, last: int) -> _Place:
    return f"{record}-record cols {first}-{last}", first


_NO_PATH: _Place = (None, None)
_END_OF_FILE: _Place = ("end of file", None)
_TEN = _record_place("10")
_FORTY = _record_place("40")
# The fields a location's `Location` is given (its `model_fields_set`): file and line,
# and its path and column where it has them.
_GIVEN = {
    (path, column): frozenset(
        ["file", "line"] + (["path"] if path else []) + (["column"] if column else [])
    )
    for path in (False, True)
    for column in (False, True)
}


class _Places(RecordPlaces):
    """Where an entry summary is (its 10-record) and where each of its values is (a
    `_Where`): a value's `Location` is made only when a finding asks for it
    (`loose_columns.Places`)."""

    __slots__ = ()

    def fields(self) -> dict[str, Any]:
        """Return the fields of the entry summary's `Location`."""
        return self.fields_of((self.line, _TEN))

    def fields_of(self, where: _Where) -> dict[str, Any]:
        """Return the fields of the `Location` of a `_Where`: file, line, and its path and
        column where it has them."""
        path, column = where[1]
        out: dict[str, Any] = {"file": self.name, "line": where[0]}
        if path is not None:
            out["path"] = path
        if column is not None:
            out["column"] = column
        return out

    def located(self, found: Any) -> Location:
        line, (path, column) = (self.line, _TEN) if found is self else found
        # Of their fields' types already: a str, an int or None, a str or None, an int or None.
        values = {"file": self.name, "line": line, "path": path, "column": column}
        return plain_model(Location, values, _GIVEN[path is not None, column is not None])


# Malformed records kept in one declaration's or item's `unread`, at most; the others are
# counted in one more entry. Input errors remembered for the message, at most.
_MAX_KEPT = 1000
_MAX_PROBLEMS = 100


class _Owner:
    """What is read for a declaration or an item: loose data, sources, invalid, unread."""

    __slots__ = ("data", "invalid", "location", "overflow", "overflow_at", "sources", "unread")

    def __init__(self, location: _Places | _Where | None) -> None:
        self.location = location
        self.data: dict[str, Any] = {}
        self.sources: dict[str, _Where] = {}
        # Made when a first one is kept (few entry summaries have any).
        self.invalid: dict[str, str] | None = None
        self.unread: dict[str, str] | None = None
        self.overflow = 0
        self.overflow_at: _Where | None = None

    def put(self, field: str, value: Any, line: int, place: _Place) -> None:
        """Keep a value read and where: `place` is the record's columns (`_place`)."""
        self.data[field] = value
        self.sources[field] = (line, place)

    def bad(self, field: str, raw: str, where: _Where) -> None:
        """Keep a value of the wrong type (or a record of the wrong length): SYN-VALUE."""
        invalid = self.invalid
        if invalid is None:
            invalid = self.invalid = {}
        elif field not in invalid and len(invalid) >= _MAX_KEPT:
            self.more(where)
            return
        invalid[field] = raw
        self.sources[field] = where

    def keep(self, key: str, text: str, where: _Where) -> None:
        """Keep a malformed, unknown or misplaced record: SYN-UNKNOWN."""
        unread = self.unread
        if unread is None:
            unread = self.unread = {}
        elif key not in unread and len(unread) >= _MAX_KEPT:
            self.more(where)
            return
        unread[key] = text
        self.sources[key] = where

    def more(self, where: _Where) -> None:
        self.overflow += 1
        if self.overflow_at is None:
            self.overflow_at = where

    def dump(self) -> dict[str, Any]:
        """Return what was read, once it all is (what it holds is handed over, not copied)."""
        data = self.data
        data["location"] = self.location
        data["sources"] = self.sources
        if self.invalid:
            data["invalid"] = self.invalid
        unread = self.unread
        if self.overflow:
            first = self.overflow_at[0] if self.overflow_at else "?"
            key = f"more problems (from line {first})"
            if unread is None:
                unread = {}
            unread[key] = f"{self.overflow} more malformed records or values, not listed"
            if self.overflow_at is not None:
                data["sources"][key] = self.overflow_at
        if unread:
            data["unread"] = unread
        return data


class _Item(_Owner):
    __slots__ = (
        "additional", "descriptions", "documents", "main_tariff", "net_taken", "smelt_cast",
        "supplementary_taken",
    )  # fmt: skip

    def __init__(self, location: _Where) -> None:
        _Owner.__init__(self, location)
        self.main_tariff = False
        self.net_taken = False
        self.supplementary_taken = False
        self.smelt_cast = False
        self.descriptions: list[str] = []
        self.documents: list[dict[str, Any]] = []
        self.additional: list[str] = []


class _Transaction(_Owner):
    __slots__ = ("broken", "closed", "header_read", "item", "items", "not_read", "not_read_more")

    def __init__(self, location: _Places) -> None:
        _Owner.__init__(self, location)
        self.items: list[_Item] = []
        self.item: _Item | None = None
        self.header_read = False
        self.closed = False  # after its block's Y-record: no record belongs to it any more
        self.broken = False  # holds a line that cannot be read: not yielded
        self.not_read: dict[str, str] = {}
        self.not_read_more = 0


_Problem = tuple[str, str, _Where]
_Quantity = tuple[int, int, _Place, _Place]


_ENTRY_NUMBER = _place("10", 4, 16)
_ENTRY_TYPE = _place("10", 34, 35)
_IMPORTER = _place("11", 3, 14)
_ENTRY_DATES = ((42, 47, _place("11", 42, 47)), (48, 53, _place("11", 48, 53)))
_LINE_NUMBER = _place("40", 5, 7)
_ORIGIN = _place("40", 9, 10)
_EXPORT_COUNTRY = _place("40", 11, 12)
_GROSS = _place("40", 42, 51)
_DESCRIPTION = _place("44", 3, 72)
_TARIFF = _place("50", 3, 12)
_VALUE = _place("50", 25, 34)
# The quantities of a 50-record: (slot, first position, its place, its unit's place).
_QUANTITIES = tuple(
    (slot, first, _place("50", first, first + 14), _place("50", first + 12, first + 14))
    for slot, first in ((1, 36), (2, 51), (3, 66))
)
_LICENCE = _place("52", 3, 14)
_CASE_NUMBER = _place("53", 3, 12)
_EXCLUSION = _place("54", 3, 13)
_SMELTS = (("smelt1", 5, _place("54", 5, 9)), ("smelt2", 10, _place("54", 10, 14)))
# The keys of an item's first documents in its sources, made once.
_DOCUMENT_KEYS = tuple(f"documents[{n}]" for n in range(16))
_CAST = _place("54", 15, 16)


class _Parser:
    """Turn CATAIR lines into declarations, one entry summary (10-record) at a time.

    The entry summary being read is held until the next 10-record or the end of the
    input, so that a block or batch trailer after it (Y, Z) can still report on it.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.started = False  # the first batch header was read
        self.in_batch = False
        self.in_block = False
        self.skipping: str | None = None  # "batch" or "block" of another application
        self.current: _Transaction | None = None
        self.pending = _Owner(None)  # problems for the next entry summary
        self.problems: list[tuple[int, str]] = []
        self.more_problems = 0
        self.spoiled = 0  # entry summaries not yielded (a line in them cannot be read)
        self.seen = 0
        self.last_line = 0

    # -- locations and problems

    def loc(
        self, line: int, record: str, first: int | None = None, last: int | None = None
    ) -> _Where:
        if first is None or last is None:
            return line, _record_place(record)
        return line, _place(record, first, last)

    def open_transaction(self) -> _Transaction | None:
        tx = self.current
        return tx if tx is not None and not tx.closed else None

    def held(self) -> _Owner:
        """Where a problem after an entry summary goes: the one held, else the next one."""
        return self.current if self.current is not None else self.pending

    def problem(self, line: int, message: str) -> None:
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append((line, message))
        else:
            self.more_problems += 1

    def wrong_length(self, number: int, line: str, record: str) -> _Problem:
        return (
            f"{record}-record length (line {number})",
            f"{len(line)} characters, not {RECORD_LENGTH}",
            self.loc(number, record, 1, len(line)),
        )

    # -- lines

    def feed(self, number: int, line: str | _Bad) -> Loose | None:
        """Read one line; return the entry summary it completes, if any."""
        self.last_line = number
        if type(line) is not str:
            self.bad_line(number, line)
            return None
        if not self.started:
            if line.strip():
                self.start(number, line)
            return None
        kind = line[:1]
        if kind in _CONTROL_RECORDS:
            self.control(number, line, kind)
            return None
        if self.skipping is not None:
            return None
        if (not kind or kind.isspace()) and not line.strip():  # a record starts with its type
            tx = self.open_transaction()
            if tx is not None:
                tx.keep(f"blank line (line {number})", line, (number, _NO_PATH))
            return None
        record = line[:2]
        if record in _LONG_TYPES:
            record = line[:4]
        elif record == "10":
            done = self.finish_current()
            self.begin(number, line)
            return done
        self.record(number, line, record)
        return None

    def bad_line(self, number: int, line: str | _Bad) -> None:
        """Note a line that cannot be read: it spoils the entry summary it is in."""
        assert isinstance(line, _Bad)
        if not self.started:
            raise InputError(line.reason, file=self.name, line=number)
        self.problem(number, line.reason)
        tx = self.open_transaction()
        if tx is not None:
            tx.broken = True

    def start(self, number: int, line: str) -> None:
        """Read the first record, which must be a batch header (A-record) of AE data."""
        if not (line.startswith("A") and len(line) >= 27):
            raise InputError(
                "not a CATAIR file: the first record is not a batch header (A-record)",
                file=self.name,
                line=number,
            )
        application = _cols(line, 26, 27)
        if application != "AE":
            what = _APPLICATIONS.get(application, "an unknown application")
            raise NotADeclarationError(
                f"a CATAIR batch of application {application!r} ({what}), not entry summaries (AE)",
                file=self.name,
                line=number,
            )
        self.started = True
        self.in_batch = True
        if len(line) != RECORD_LENGTH:
            self.pending.bad(*self.wrong_length(number, line, "A"))

    def control(self, number: int, line: str, kind: str) -> None:
        """Read a batch or block header or trailer (A, B, Y, Z)."""
        where = self.loc(number, kind)
        key = f"{kind}-record (line {number})"
        skipped = self.skipping is not None
        if kind == "A":
            if self.in_batch and not skipped:
                self.pending.keep(key, "a batch header before the batch trailer (Z-record)", where)
            self.close_transaction()
            self.in_batch, self.in_block, self.skipping = True, False, None
            if _cols(line, 26, 27) != "AE":
                self.skip(number, "batch", _cols(line, 26, 27))
            elif len(line) != RECORD_LENGTH:
                self.pending.bad(*self.wrong_length(number, line, kind))
            return
        if kind == "B":
            if self.skipping == "batch":
                return
            if not self.in_batch:
                self.pending.keep(key, "a block header outside a batch (no A-record)", where)
            elif self.in_block and not skipped:
                self.pending.keep(key, "a block header before the block trailer (Y-record)", where)
            self.close_transaction()
            self.in_block, self.skipping = True, None
            if _cols(line, 11, 12) != "AE":
                self.skip(number, "block", _cols(line, 11, 12))
            elif len(line) != RECORD_LENGTH:
                self.pending.bad(*self.wrong_length(number, line, kind))
            return
        if kind == "Y":
            self.close_transaction()
            if self.skipping == "block":
                self.skipping = None
            elif not skipped:
                if not self.in_block:
                    self.held().keep(
                        key, "a block trailer without a block header (B-record)", where
                    )
                if len(line) != RECORD_LENGTH:
                    self.held().bad(*self.wrong_length(number, line, kind))
            self.in_block = False
            return
        self.close_transaction()
        if not skipped:
            if not self.in_batch:
                self.held().keep(key, "a batch trailer without a batch header (A-record)", where)
            elif self.in_block:
                self.held().keep(key, "a batch trailer before the block trailer (Y-record)", where)
            if len(line) != RECORD_LENGTH:
                self.held().bad(*self.wrong_length(number, line, kind))
        self.in_batch, self.in_block, self.skipping = False, False, None

    def skip(self, number: int, what: str, application: str) -> None:
        """Pass over a batch or block of another application: an input error, raised last."""
        self.skipping = what
        name = _APPLICATIONS.get(application, "an unknown application")
        self.problem(
            number,
            f"a {what} of application {application!r} ({name}), not entry summaries (AE): "
            "its records were not read",
        )

    def close_transaction(self) -> None:
        if self.current is not None:
            self.current.closed = True

    def begin(self, number: int, line: str) -> None:
        """Start an entry summary at its 10-record."""
        self.seen += 1
        tx = _Transaction(_Places(self.name, number))
        self.current = tx
        pending = self.pending
        if pending.unread or pending.invalid or pending.overflow:
            self.hand_over(tx)
        if not self.in_block:
            tx.keep(
                f"10-record (line {number})",
                "an entry summary outside a block (no B-record before it)",
                self.loc(number, "10"),
            )
        rec = line
        if len(line) != RECORD_LENGTH:
            tx.bad(*self.wrong_length(number, line, "10"))
            rec = line.ljust(RECORD_LENGTH)
        action = rec[2]
        if action != "A" and action != "R":
            where = self.loc(number, "10", 3, 3)
            if action == "D":
                tx.keep(
                    f"10-record action (line {number})",
                    "D: a request to delete the entry summary, not a declaration to check",
                    where,
                )
            else:
                tx.bad(f"10-record action (line {number})", action, where)
        self.entry_number(tx, number, rec)
        kind = rec[33:35]
        regime = ENTRY_TYPE_REGIMES.get(kind)
        if regime is not None:
            data, sources = tx.data, tx.sources
            data["declaration_type"], data["regime"] = kind, regime
            sources["declaration_type"] = sources["regime"] = (number, _ENTRY_TYPE)
        elif kind.strip():
            tx.bad("declaration_type", kind, self.loc(number, "10", 34, 35))

    def hand_over(self, tx: _Transaction) -> None:
        """Give the problems kept for the next entry summary to `tx`."""
        pending = self.pending
        for key, text in (pending.unread or {}).items():
            tx.keep(key, text, pending.sources[key])
        for key, raw in (pending.invalid or {}).items():
            tx.bad(key, raw, pending.sources[key])
        if pending.overflow:
            tx.overflow += pending.overflow
            tx.overflow_at = tx.overflow_at or pending.overflow_at
        self.pending = _Owner(None)

    def entry_number(self, tx: _Transaction, number: int, rec: str) -> None:
        filer = rec[3:6]
        digits = rec[8:16]
        if digits.isdigit() and digits.isascii():
            entry = f"{filer}-{digits[:7]}-{digits[7]}"
            tx.data["id"] = entry
            tx.sources["id"] = (number, _ENTRY_NUMBER)
            if entry_check_digit(filer, digits[:7]) != _ONCE[digits[7]]:
                # kept as the id, and reported (SYN-VALUE)
                tx.bad("id", entry, self.loc(number, "10", 4, 16))
            return
        if not filer.strip() and not digits.strip():
            return
        entry = f"{filer.strip()}-{digits.strip()}"
        tx.put("id", entry, number, _ENTRY_NUMBER)
        tx.bad("id", entry, self.loc(number, "10", 4, 16))

    def finish_current(self) -> Loose | None:
        tx = self.current
        self.current = None
        if tx is None:
            return None
        if tx.broken:
            self.spoiled += 1
            return None
        return self.build(tx)

    def build(self, tx: _Transaction) -> Loose:
        """Return an entry summary as `lenient_declaration` takes it."""
        data = tx.dump()
        data["jurisdiction"] = "US"
        items = []
        for item in tx.items:
            entry = item.dump()
            descriptions = item.descriptions
            if descriptions:
                entry["description"] = (
                    descriptions[0]
                    if len(descriptions) == 1
                    else " ".join([d for d in descriptions if d])
                )
            # Handed over, not copied: nothing is added to an item once it is built.
            if item.additional:
                entry["additional_codes"] = item.additional
            if item.documents:
                entry["documents"] = item.documents
            items.append(entry)
        data["items"] = items
        if tx.not_read:
            data["kept"] = tx.not_read
            if tx.not_read_more:
                data["kept"]["more records not modelled"] = f"{tx.not_read_more} more"
        return data

    def finish(self) -> Loose | None:
        """Read the end of the input: return the last entry summary, if any."""
        end = self.last_line
        if not self.started:
            raise NotADeclarationError(
                "empty input: no CATAIR batch header", file=self.name, line=1
            )
        if self.skipping is None and self.in_batch:
            where = (end, _END_OF_FILE)
            trailer = "Y" if self.in_block else "Z"
            inside = "a block" if self.in_block else "a batch"
            self.held().keep(
                f"{trailer}-record missing (line {end})",
                f"the file ends after line {end} inside {inside}: it may be truncated",
                where,
            )
        if self.current is not None:
            self.hand_over(self.current)
        return self.finish_current()

    def error(self, yielded: int) -> InputError | None:
        """Return the input error to raise once everything else was read, if any."""
        if self.problems:
            line, message = self.problems[0]
            others = sorted({n for n, _ in self.problems[1:]})
            count = len(others) + self.more_problems
            if count:
                shown = ", ".join(map(str, others[:_MORE_SHOWN]))
                more = f" and {count - _MORE_SHOWN} more" if count > _MORE_SHOWN else ""
                message += f" (further problems on line(s) {shown}{more})"
            if self.spoiled:
                message += (
                    f"; {self.spoiled} entry summar{'y' if self.spoiled == 1 else 'ies'} "
                    f"holding such lines not read, {yielded} read and checked"
                )
            return InputError(message, file=self.name, line=line)
        if self.seen == 0:
            return NotADeclarationError(
                "a CATAIR AE batch with no entry summary (no 10-record)", file=self.name, line=1
            )
        return None

    # -- records of an entry summary

    def not_modelled(self, tx: _Transaction, number: int, label: str, line: str) -> None:
        """Keep a valid record alcheck does not model, as given (`kept`: no finding)."""
        if len(tx.not_read) < MAX_KEPT:
            tx.not_read[f"{label} (line {number})"] = line.rstrip()
        else:
            tx.not_read_more += 1

    def record(self, number: int, line: str, record: str) -> None:
        tx = self.current
        if tx is not None and tx.closed:
            tx = None
        kind = _RECORD_KINDS.get(record)
        if kind is None and record[:2] == "PG" and record[2:].isascii() and record[2:].isdigit():
            kind = _HEADER  # a PGA record: the entry summary's, kept as given
        if tx is None or kind is None:
            self.stray(tx, number, line, record, kind is not None)
            return
        if record == "40":
            tx.item = _Item((number, _FORTY))
            tx.items.append(tx.item)
        elif kind is _TOTAL:
            tx.item = None
        item = tx.item
        rec = line
        if len(line) != RECORD_LENGTH:
            owner: _Owner = item if item is not None and kind is _LINE else tx
            owner.bad(*self.wrong_length(number, line, record))
            rec = line.ljust(RECORD_LENGTH)
        if record == "11":
            self.header_record(tx, number, line, rec)
            return
        if record == "40" and item is not None:
            self.line_header(item, number, rec)
            return
        read = _LINE_READERS.get(record)
        if read is None or item is None:
            if read is not None:
                tx.keep(
                    f"{record}-record before any 40-record (line {number})",
                    line.rstrip(),
                    self.loc(number, record),
                )
            else:
                self.not_modelled(tx, number, f"{record}-record", line)
            return
        read(self, tx, item, number, rec)

    def header_record(self, tx: _Transaction, number: int, line: str, rec: str) -> None:
        """Read the 11-record (importer, entry date); keep a second one as given."""
        if tx.header_read:
            tx.keep(f"second 11-record (line {number})", line.rstrip(), self.loc(number, "11"))
        else:
            tx.header_read = True
            self.importer(tx, number, rec)

    def description(self, tx: _Transaction, item: _Item, number: int, rec: str) -> None:
        if not item.descriptions:
            item.sources["description"] = (number, _DESCRIPTION)
        item.descriptions.append(rec[2:72].strip())

    def stray(
        self, tx: _Transaction | None, number: int, line: str, record: str, known: bool
    ) -> None:
        """Keep, as given, a record outside an entry summary (`held_or_next` takes it) or
        one of a type not known (its entry summary takes it)."""
        where = (number, (f"record type {record!r}", None))
        if tx is None:
            what = f"a {record}-record" if known else "a record of unknown type"
            self.held_or_next().keep(
                f"record outside an entry summary (line {number})",
                f"{what}: {line.rstrip()}",
                where,
            )
            return
        tx.keep(f"unknown record type (line {number})", line.rstrip(), where)

    def held_or_next(self) -> _Owner:
        """Where a record outside an entry summary goes: after a block, to the entry
        summary held (the block's last); inside a block, before its first 10-record, to
        the next one."""
        if self.current is not None and not self.in_block:
            return self.current
        return self.pending

    def importer(self, tx: _Transaction, number: int, rec: str) -> None:
        importer = rec[2:14].strip()
        if importer:
            tx.data["importer"] = {"id": importer}
            tx.sources["importer"] = (number, _IMPORTER)
        for first, last, place in _ENTRY_DATES:  # estimated entry date, else importation
            raw = rec[first - 1 : last]
            if raw.isspace():
                continue
            value = _date(raw)
            if isinstance(value, dt.date):
                tx.data["entry_date"] = value
                tx.sources["entry_date"] = (number, place)
            else:
                tx.bad("entry_date", value or raw, self.loc(number, "11", first, last))
            break

    def line_header(self, item: _Item, number: int, rec: str) -> None:
        data, sources = item.data, item.sources
        line = rec[4:7].strip()
        if line:
            data["line"] = line  # the model reads the number
            sources["line"] = (number, _LINE_NUMBER)
        origin, export = rec[8:10].strip(), rec[10:12].strip()
        if origin:
            data["origin"] = origin
            sources["origin"] = (number, _ORIGIN)
        if export:
            data["export_country"] = export
            sources["export_country"] = (number, _EXPORT_COUNTRY)
        gross = _whole_text(rec[41:51])
        if gross is None:
            return
        if isinstance(gross, _Invalid):
            item.bad("gross_mass_kg", gross.given, self.loc(number, "40", 42, 51))
        elif gross != "0":  # zero: "report zeroes if not used"
            item.put("gross_mass_kg", gross, number, _GROSS)

    def tariff(self, tx: _Transaction, item: _Item, number: int, rec: str) -> None:
        hts = rec[2:12].strip()
        if hts[:2] in ("98", "99"):
            self.additional_number(item, number, rec, hts)
            return
        if item.main_tariff:
            item.keep(
                f"second tariff number 50-record (line {number})",
                rec.rstrip(),
                self.loc(number, "50"),
            )
            return
        item.main_tariff = True
        data, sources = item.data, item.sources
        if hts:
            data["tariff_declared"] = hts
            sources["tariff_declared"] = (number, _TARIFF)
        value = _whole_text(rec[24:34])
        if value is not None:
            data["currency"] = "USD"
            sources["currency"] = where = (number, _VALUE)
            if type(value) is _Invalid:
                item.bad("value", value.given, self.loc(number, "50", 25, 34))
            else:
                data["value"] = value
                sources["value"] = where
        if rec[35:].isspace():  # no quantity: nothing for the loop below to read
            return
        for quantity in _QUANTITIES:
            first = quantity[1]
            raw, unit = rec[first - 1 : first + 11], rec[first + 11 : first + 14].strip()
            if unit or not raw.isspace():
                self.quantity(item, number, quantity, raw, unit)

    def additional_number(self, item: _Item, number: int, rec: str, hts: str) -> None:
        """Read a chapter 98/99 number of a 50-record: an additional code of its line."""
        if not item.additional:
            item.sources["additional_codes"] = (number, _TARIFF)
        item.additional.append(hts)
        # Value and quantities belong on the chapter 1-97 record; kept if given here.
        for amount in (rec[24:34], rec[35:47], rec[50:62], rec[65:77]):
            if amount.lstrip(" ").strip("0") and _number(amount) not in (None, 0):
                item.keep(
                    f"50-record amounts of {hts} (line {number})",
                    rec[24:80].rstrip(),
                    self.loc(number, "50", 25, 80),
                )
                break

    def quantity(self, item: _Item, number: int, quantity: _Quantity, raw: str, unit: str) -> None:
        """Read a quantity (12 positions, 2 implied decimals, `_QUANTITIES`) and its unit."""
        slot, first, place, unit_place = quantity
        field: str | None = None
        if unit == "KG" and not item.net_taken:
            item.net_taken = True
            field = "net_mass_kg"
        elif unit != "KG" and not item.supplementary_taken:
            item.supplementary_taken = True
            field = "supplementary_quantity"
            if unit:
                item.put("supplementary_unit", unit, number, unit_place)
        if field is None:
            item.keep(
                f"50-record quantity {slot} (line {number})",
                f"{raw.strip()} {unit}".strip(),
                self.loc(number, "50", first, first + 14),
            )
            return
        amount = _whole_text(raw, 2)
        if isinstance(amount, _Invalid):
            item.bad(field, amount.given, self.loc(number, "50", first, first + 14))
        elif amount is not None:
            item.put(field, amount, number, place)

    def document(self, item: _Item, doc: dict[str, Any], where: _Where) -> None:
        documents = item.documents
        count = len(documents)
        key = _DOCUMENT_KEYS[count] if count < len(_DOCUMENT_KEYS) else f"documents[{count}]"
        item.sources[key] = where
        documents.append(doc)

    def licence(self, tx: _Transaction, item: _Item, number: int, rec: str) -> None:
        kind = rec[2:4]
        licence = rec[4:14].strip() or None
        if kind == _AIM_LICENCE:
            self.document(item, {"type": "AIM", "id": licence}, (number, _LICENCE))
        elif kind in _LICENCE_TYPES:
            doc = {"type": "LIC", "id": licence, "category": kind}
            self.document(item, doc, (number, _LICENCE))
        else:
            item.keep(
                f"52-record of unknown type {kind!r} (line {number})",
                rec.rstrip(),
                self.loc(number, "52", 3, 4),
            )

    def case(self, tx: _Transaction, item: _Item, number: int, rec: str) -> None:
        raw = rec[2:12]
        found = _CASE.fullmatch(raw.rstrip())
        doc: dict[str, Any] = {"type": "ADC"}
        if found is not None:
            doc["id"] = f"{found[1]}-{found[2]}-{found[3]}"
            if found[4].strip():
                doc["category"] = found[4]
        elif raw.strip():
            doc["id"] = raw.strip()  # kept as given: no rule takes it for a case it is not
        self.document(item, doc, (number, _CASE_NUMBER))

    def additional_declaration(self, tx: _Transaction, item: _Item, number: int, rec: str) -> None:
        kind = rec[2:4]
        if kind == _SMELT_CAST:
            self.smelt_cast(item, number, rec)
        elif kind == _EXCLUSION_ALUMINUM:
            exclusion = rec[4:13].strip() or None
            self.document(item, {"type": "EXCL", "id": exclusion}, (number, _EXCLUSION))
        elif kind in _DECLARATION_TYPES:
            self.not_modelled(tx, number, f"54-record type {kind}", rec)
        else:
            item.keep(
                f"54-record of unknown type {kind!r} (line {number})",
                rec.rstrip(),
                self.loc(number, "54", 3, 4),
            )

    def smelt_cast(self, item: _Item, number: int, rec: str) -> None:
        if item.smelt_cast:
            item.keep(
                f"second smelt and cast 54-record (line {number})",
                rec.rstrip(),
                self.loc(number, "54"),
            )
            return
        item.smelt_cast = True
        data, sources = item.data, item.sources
        for field, first, place in _SMELTS:
            value, valid = _metal(rec[first - 1], rec[first + 2 : first + 4])
            if not valid:
                where = self.loc(number, "54", first, first + 4)
                item.bad(field, rec[first - 1 : first + 4].rstrip(), where)
            elif value is not None:
                data[field] = value
                sources[field] = (number, place)
        cast = rec[14:16].strip()
        if cast:
            data["cast"] = cast
            sources["cast"] = (number, _CAST)


# The line records a 40-record's item reads, by record type.
_LINE_READERS = {
    "44": _Parser.description,
    "50": _Parser.tariff,
    "52": _Parser.licence,
    "53": _Parser.case,
    "54": _Parser.additional_declaration,
}


def _read_lines(lines: Iterable[tuple[int, str | _Bad]], name: str) -> Iterator[Loose]:
    """Yield the entry summaries of lines as read (`loose_catair_stream`)."""
    parser = _Parser(name)
    yielded = 0
    readers = _LINE_READERS
    for number, line in lines:
        # A record of the right length in an open entry summary (nearly every line) goes
        # straight to its reader: the checks `feed` and `record` would make all pass.
        if type(line) is str and len(line) == RECORD_LENGTH:
            tx = parser.current
            if tx is not None and not tx.closed:
                record = line[:2]
                read = readers.get(record)
                if read is not None and tx.item is not None:
                    parser.last_line = number
                    read(parser, tx, tx.item, number, line)
                    continue
                if record == "40":
                    parser.last_line = number
                    tx.item = item = _Item((number, _FORTY))
                    tx.items.append(item)
                    parser.line_header(item, number, line)
                    continue
                if record == "11":
                    parser.last_line = number
                    parser.header_record(tx, number, line, line)
                    continue
                if record == "10":  # the next entry summary: the one read is done
                    parser.last_line = number
                    done = parser.finish_current()
                    parser.begin(number, line)
                    if done is not None:
                        yielded += 1
                        yield done
                    continue
        done = parser.feed(number, line)
        if done is not None:
            yielded += 1
            yield done
    last = parser.finish()
    if last is not None:
        yielded += 1
        yield last
    error = parser.error(yielded)
    if error is not None:
        raise error


def read_catair_text(text: str, name: str = "<input>") -> Iterator[Declaration]:
    """Yield the entry summaries of CATAIR AE text, one `Declaration` each, as read.

    Raises InputError (or NotADeclarationError) naming `name` and the line for input
    that cannot be read; the entry summaries not touched by it are yielded first.
    """
    yield from _models(_read_lines(_text_lines(text), name))


def read_catair_stream(stream: _Readable, name: str = "<input>") -> Iterator[Declaration]:
    """Yield the entry summaries of CATAIR AE read from a binary stream (anything with
    `read(size)`), streaming: memory holds one entry summary and one bounded line."""
    yield from _models(loose_catair_stream(stream, name))


def _models(loose: Iterable[Loose]) -> Iterator[Declaration]:
    """Yield the `Declaration` of each entry summary read, its locations made `Location`s."""

    for data in loose:
        yield lenient_declaration(resolved(data))


def loose_catair_stream(stream: _Readable, name: str = "<input>") -> Iterator[Loose]:
    """Yield the entry summaries of a binary stream as read: each the loose data
    `lenient_declaration` makes its `Declaration` of (`read_catair_stream`), which a
    check lays out as columns without the model (`loose_columns`). Raises as
    `read_catair_stream` does."""
    yield from _read_lines(_stream_lines(stream), name)


def read_catair(path: str | Path) -> Iterator[Declaration]:
    """Yield the entry summaries of a CATAIR AE file ("-" reads standard input).

    The same as `alcheck.read(path, format="catair")`, which opens files for every format.
    """
    from . import read  # the package imports this module

    yield from read(path, format="catair")


def looks_like_catair(head: bytes) -> bool:
    """Tell whether input starting with `head` is a CATAIR batch: its first line that is
    not blank is a batch header (A-record: `A` in position 1, positions 21-25 blank, an
    application identifier in 26-27, positions 28-37 blank when present)."""
    text = head.removeprefix(b"\xef\xbb\xbf")
    pos = 0
    while pos < len(text):
        end = text.find(b"\n", pos)
        line = text[pos:] if end < 0 else text[pos:end]
        line = line.removesuffix(b"\r")
        if line.strip():
            return (
                line.startswith(b"A")
                and 27 <= len(line) <= MAX_LINE
                and _PRINTABLE.fullmatch(line[:37].decode("latin-1")) is not None
                and line[20:25] == b"     "
                and line[25:27].isalnum()
                and not line[27:37].strip()
            )
        if end < 0:
            break
        pos = end + 1
    return False


# ---------------------------------------------------------------------------------------
# The writer


class _Record:
    """An 80-character record being filled in, field by field."""

    def __init__(self, kind: str, owner: str) -> None:
        self.chars = [" "] * RECORD_LENGTH
        self.owner = owner
        self.put(1, len(kind), kind)

    def put(self, first: int, last: int, text: str, field: str = "") -> None:
        width = last - first + 1
        if len(text) > width or _PRINTABLE.fullmatch(text) is None:
            raise UsageError(
                f"{self.owner}: {field or 'a field'} {text!r} does not fit CATAIR positions "
                f"{first}-{last} ({width} printable ASCII characters)"
            )
        self.chars[first - 1 : first - 1 + len(text)] = list(text)

    def number(self, first: int, last: int, value: int, field: str) -> None:
        width = last - first + 1
        if value < 0 or len(str(value)) > width:
            raise UsageError(
                f"{self.owner}: {field} {value} does not fit CATAIR positions {first}-{last} "
                f"({width} digits)"
            )
        self.put(first, last, str(value).zfill(width), field)

    def text(self) -> str:
        return "".join(self.chars)


def _whole(owner: str, field: str, value: Decimal, places: int) -> int:
    """Return `value` in units of 10**-places, exactly; refuse a value that would change."""
    problem = UsageError(
        f"{owner}: {field} {value} cannot be written: CATAIR carries it as a non-negative "
        f"number with at most {places} decimal(s)"
    )
    if not value.is_finite() or value < 0:
        raise problem
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    number = int("".join(map(str, digits)) or "0")
    if number == 0:
        return 0
    shift = exponent + places
    if shift >= 0:
        if len(digits) + shift > 20:  # wider than any CATAIR field: no huge power of ten
            raise problem
        return number * int(10**shift)
    if -shift > len(digits):  # a nonzero number below one unit
        raise problem
    divisor = int(10 ** (-shift))
    if number % divisor:
        raise problem
    return number // divisor


def _given(obj: Declaration | GoodsItem, field: str) -> str | None:
    """Return a value kept in `invalid` as given, to be written back as it was read."""
    raw = obj.invalid.get(field)
    return raw if raw is not None and _PRINTABLE.fullmatch(raw) else None


def _entry_type(decl: Declaration, owner: str) -> str:
    kind = decl.declaration_type
    if kind is None:
        given = _given(decl, "declaration_type")
        if given is not None:
            return given
        if decl.regime is None:
            return ""
        if decl.regime not in _REGIME_TYPES:
            raise UsageError(
                f"{owner}: regime {decl.regime.value!r} has no AE entry type; "
                "set declaration_type to the entry type code"
            )
        return _REGIME_TYPES[decl.regime]
    implied = ENTRY_TYPE_REGIMES.get(kind)
    if decl.regime is not None and implied is not None and implied != decl.regime:
        raise UsageError(
            f"{owner}: entry type {kind!r} means regime {implied.value!r}, not "
            f"{decl.regime.value!r}; CATAIR carries the entry type only"
        )
    return kind


def _header_records(decl: Declaration, owner: str) -> tuple[str, list[str]]:
    """Return the entry filer code and the 10- and 11-records of a declaration."""
    ten = _Record("10", owner)
    ten.put(3, 3, "A")
    filer = ""
    if decl.id is not None:
        found = _ENTRY_ID.fullmatch(decl.id)
        if found is None:
            raise UsageError(
                f"{owner}: the id is not an entry number FFF-NNNNNNN-C (filer code, "
                "transaction number, check digit), which CATAIR carries in 10-record 4-16"
            )
        filer = found[1]
        ten.put(4, 6, filer, "entry filer code")
        ten.put(9, 16, found[2] + found[3], "entry number")
    ten.put(34, 35, _entry_type(decl, owner), "entry type")
    eleven = _Record("11", owner)
    if decl.importer is not None and decl.importer.id is not None:
        eleven.put(3, 14, decl.importer.id, "importer of record number")
    if decl.entry_date is not None:
        day = decl.entry_date
        if not 1969 <= day.year <= 2068:
            raise UsageError(f"{owner}: entry date {day} is outside 1969-2068 (MMDDYY)")
        eleven.put(42, 47, day.strftime("%m%d%y"), "entry date")
    elif (given := _given(decl, "entry_date")) is not None:
        eleven.put(42, 47, given, "entry date")
    return filer, [ten.text(), eleven.text()]


def _amount(
    rec: _Record, first: int, last: int, item: GoodsItem, field: str, places: int, owner: str
) -> None:
    value = getattr(item, field)
    if value is not None:
        rec.number(first, last, _whole(owner, field, value, places), field)
    elif (given := _given(item, field)) is not None:
        rec.put(first, last, given.rjust(last - first + 1), field)


def _item_records(item: GoodsItem, owner: str) -> list[str]:
    """Return an item's records: its 40-record, 44-records (description), 50-records
    (additional numbers, then the tariff number), 52-, 53- and 54-records (documents) and
    the 54 smelt-and-cast record; raise UsageError for a value CATAIR cannot carry."""
    owner = f"{owner}, item {item.line}"
    records = [_line_record(item, owner)]
    records.extend(_description_records(item, owner))
    records.extend(_additional_records(item, owner))
    records.extend(_tariff_record(item, owner))
    records.extend(_document_records(item, owner))
    records.extend(_smelt_cast_record(item, owner))
    return records


def _line_record(item: GoodsItem, owner: str) -> str:
    """Return an item's 40-record: line, origin, export country, gross mass."""
    forty = _Record("40", owner)
    if item.line is not None:
        forty.number(5, 7, item.line, "line")
    elif (given := _given(item, "line")) is not None:
        forty.put(5, 7, given, "line")
    if item.origin is not None:
        forty.put(9, 10, item.origin, "origin")
    if item.export_country is not None:
        forty.put(11, 12, item.export_country, "export country")
    forty.number(27, 36, 0, "charges")
    if item.gross_mass_kg is not None:
        forty.number(42, 51, _whole(owner, "gross_mass_kg", item.gross_mass_kg, 0), "gross")
    else:
        forty.number(42, 51, 0, "gross_mass_kg")
        if (given := _given(item, "gross_mass_kg")) is not None:
            forty.put(42, 51, given.rjust(10), "gross_mass_kg")
    return forty.text()


def _description_records(item: GoodsItem, owner: str) -> list[str]:
    """Return the 44-records of an item's description, wrapped at 70 characters."""
    records: list[str] = []
    if item.description:
        if _PRINTABLE.fullmatch(item.description) is None:
            raise UsageError(
                f"{owner}: the description holds characters CATAIR does not carry "
                "(printable ASCII only, no line breaks)"
            )
        for piece in textwrap.wrap(item.description, 70, break_on_hyphens=False):
            forty_four = _Record("44", owner)
            forty_four.put(3, 72, piece, "description")
            records.append(forty_four.text())
    return records


def _additional_records(item: GoodsItem, owner: str) -> list[str]:
    """Return the 50-records of an item's chapter 98/99 numbers: written before the
    chapter 1-97 number's (CSMS #69668138 order)."""
    records: list[str] = []
    for code in item.additional_codes:
        if code[:2] not in ("98", "99"):
            raise UsageError(
                f"{owner}: additional code {code!r} is not a chapter 98 or 99 number, "
                "the only additional numbers a line's 50-records carry"
            )
        extra = _Record("50", owner)
        extra.put(3, 12, code, "additional code")
        extra.number(14, 23, 0, "duty")
        extra.number(25, 34, 0, "value")
        records.append(extra.text())
    return records


def _smelt_cast_record(item: GoodsItem, owner: str) -> list[str]:
    """Return the 54 smelt-and-cast record of an item, if it has a smelt or cast country
    (or one kept as given)."""
    if not (
        item.smelt1 is not None
        or item.smelt2 is not None
        or item.cast is not None
        or any(f in item.invalid for f in ("smelt1", "smelt2"))
    ):
        return []
    metal = _Record("54", owner)
    metal.put(3, 4, _SMELT_CAST)
    for field, first in (("smelt1", 5), ("smelt2", 10)):
        value = getattr(item, field)
        if value == "N/A":
            metal.put(first, first, "N")
        elif value is not None:
            metal.put(first, first, "Y")
            metal.put(first + 3, first + 4, value, field)
        elif (given := _given(item, field)) is not None:
            metal.put(first, first + 4, given, field)
    if item.cast is not None:
        if item.cast == "N/A":
            raise UsageError(f"{owner}: cast 'N/A' has no CATAIR form (54-record 15-16)")
        metal.put(15, 16, item.cast, "cast")
    return [metal.text()]


def _tariff_record(item: GoodsItem, owner: str) -> list[str]:
    supplementary = item.supplementary_quantity is not None or item.supplementary_unit is not None
    quantities = item.net_mass_kg is not None or supplementary
    invalid = any(f in item.invalid for f in ("value", "net_mass_kg", "supplementary_quantity"))
    if item.tariff_declared is None and item.value is None and not quantities and not invalid:
        return []
    if item.value is not None and item.currency != "USD":
        raise UsageError(
            f"{owner}: value {item.value} {item.currency or '(no currency)'}: CATAIR carries "
            "values in US dollars only"
        )
    if item.supplementary_unit == "KG":
        raise UsageError(f"{owner}: a supplementary unit KG would be read back as the net mass")
    main = _Record("50", owner)
    if (item.tariff_code or item.tariff_declared or "")[:2] in ("98", "99"):
        raise UsageError(
            f"{owner}: tariff number {item.tariff_declared!r} is of chapter 98 or 99, which "
            "a 50-record carries as an additional number, not as the line's classification"
        )
    if item.tariff_declared is not None:
        main.put(3, 12, item.tariff_code or item.tariff_declared, "tariff number")
    main.number(14, 23, 0, "duty")
    _amount(main, 25, 34, item, "value", 0, owner)
    slots = [(36, 48), (51, 63), (66, 78)]
    if item.net_mass_kg is not None or "net_mass_kg" in item.invalid:
        first, unit = slots.pop(0)
        _amount(main, first, first + 11, item, "net_mass_kg", 2, owner)
        main.put(unit, unit + 2, "KG")
    if supplementary or "supplementary_quantity" in item.invalid:
        first, unit = slots.pop(0)
        _amount(main, first, first + 11, item, "supplementary_quantity", 2, owner)
        main.put(unit, unit + 2, item.supplementary_unit or "", "supplementary unit")
    return [main.text()]


def _document_records(item: GoodsItem, owner: str) -> list[str]:
    """Return the 52-, 53- and 54 type 03 records of an item's documents, in that order."""
    licences: list[str] = []
    cases: list[str] = []
    exclusions: list[str] = []
    for doc in item.documents:
        if doc.type == "AIM" or (doc.type == "LIC" and doc.category in _LICENCE_TYPES):
            rec = _Record("52", owner)
            rec.put(3, 4, _AIM_LICENCE if doc.type == "AIM" else doc.category or "")
            rec.put(5, 14, doc.id or "", f"{doc.type} licence number")
            licences.append(rec.text())
        elif doc.type == "ADC":
            rec = _Record("53", owner)
            found = _CASE_ID.fullmatch(doc.id or "")
            if found is not None:
                rec.put(3, 9, found[1] + found[2] + found[3], "case number")
                rec.put(10, 12, doc.category or "", "case number suffix (category)")
            else:
                rec.put(3, 12, doc.id or "", "case number")
            rec.number(25, 34, 0, "AD/CVD value")
            rec.number(35, 46, 0, "AD/CVD quantity")
            rec.number(47, 56, 0, "AD/CVD duty")
            cases.append(rec.text())
        elif doc.type == "EXCL":
            rec = _Record("54", owner)
            rec.put(3, 4, _EXCLUSION_ALUMINUM)
            rec.put(5, 13, doc.id or "", "aluminum product exclusion")
            exclusions.append(rec.text())
    return licences + cases + exclusions


def write_catair(decls: Iterable[Declaration], out: IO[str]) -> None:
    """Write declarations as a CATAIR AE batch: one batch (A … Z), one block (B … Y).

    Written: what the reader reads (docs/formats-catair.md), values kept in `invalid`
    as given where they fit. Not written, having no place in the layout: descriptions'
    line breaks, declaration documents, exporter, manufacturer, procedure code,
    exchange rates, preferential origin, `unread`, and item documents other than AIM,
    LIC, ADC and EXCL. Envelope codes (site, sender, password, port) are spaces. A value
    the layout has a place for but cannot hold as it is (a value not in whole US dollars,
    a mass with more than 2 decimals, an id that is not an entry number, cast "N/A", a
    text too long or not printable ASCII) raises UsageError naming the declaration;
    the declarations before it are written.
    """
    batch = _Record("A", "batch header")
    batch.put(26, 27, "AE")
    out.write(batch.text() + "\n")
    filer = ""
    opened = False
    for index, decl in enumerate(decls, start=1):
        owner = f"declaration {decl.id!r}" if decl.id is not None else f"declaration {index}"
        entry_filer, records = _header_records(decl, owner)
        for item in decl.items:
            records.extend(_item_records(item, owner))
        if not opened:
            filer = entry_filer
            block = _Record("B", "block header")
            block.put(8, 10, filer, "filer code")
            block.put(11, 12, "AE")
            out.write(block.text() + "\n")
            opened = True
        out.write("".join(r + "\n" for r in records))
    if not opened:
        block = _Record("B", "block header")
        block.put(11, 12, "AE")
        out.write(block.text() + "\n")
    trailer = _Record("Y", "block trailer")
    trailer.put(8, 10, filer, "filer code")
    trailer.put(11, 12, "AE")
    out.write(trailer.text() + "\n")
    out.write(_Record("Z", "batch trailer").text() + "\n")
