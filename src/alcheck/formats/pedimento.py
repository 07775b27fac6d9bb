"""The Mexican pedimento validation file (archivo de validación, SAAI M3): read and write.

One record a line, fields separated by `|` (a trailing `|` ends each record), the record
type first; field numbers count the record type as field 1. A file holds pedimentos, each
from its 500 record to the next 500; 801 closes the file. docs/formats-pedimento.md has
the mapping and what each part of it rests on.

Reading is lenient and loses nothing: a value of the wrong type is kept in `invalid`; a
record of the layout that alcheck does not read, and the fields of a read record that it
does not read, in `kept` (no finding); a record outside the layout, or a line that is not
a record, in `unread` (SYN-UNKNOWN). Reading is streamed one pedimento
at a time, and no line longer than `MAX_RECORD` characters is held: such a line, like the
lines past `MAX_JUNK` in one pedimento that are not records, is passed over and raised as
an `InputError` naming its line once every declaration was yielded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import pycountry

from .._match import plain_model
from ..errors import InputError, NotADeclarationError, UsageError
from ..model import (
    NUMBER_CONTEXT,
    Declaration,
    Document,
    GoodsItem,
    Location,
    Regime,
    as_decimal,
    lenient_declaration,
)
from .loose_columns import RecordPlaces, resolved

__all__ = [
    "AD_DOCUMENT",
    "AVISO_DOCUMENT",
    "CLAVE_REGIMES",
    "IDENTIFIER",
    "MAX_JUNK",
    "MAX_RECORD",
    "PERMIT",
    "country_alpha2",
    "country_key",
    "looks_like_pedimento",
    "parse_date",
    "read_pedimento",
    "read_pedimento_stream",
    "read_pedimento_text",
    "write_pedimento",
]

# The longest line read, in characters without its end. The longest record of the layout
# (501, 35 fields) is well under 1,500 characters.
MAX_RECORD = 4096
# Lines that are not records kept in one pedimento; past them a file is not a pedimento.
MAX_JUNK = 1000
_CHUNK = 64 * 1024

# Fields a record has, the record type included (Lineamientos VOCE-SAAI M3 v9.0 as
# transcribed; confirmed by a real 2026 file). Only the records alcheck reads are checked.
# Records of the official layout (M1/M3): one that alcheck does not read is kept as given
# (`kept`, not a finding); any other record is unexpected (`unread`, SYN-UNKNOWN).
LAYOUT_RECORDS = frozenset(
    {str(c) for c in (*range(500, 521), *range(551, 561))} | {"301", "601", "701", "800", "801"}
)
ARITY: dict[str, int] = {
    "500": 6,
    "501": 35,
    "505": 17,
    "506": 4,
    "551": 26,
    "553": 9,
    "554": 8,
    "557": 7,
    "801": 5,
}
# Partida records: field 3 is the fracción and field 4 the partida of their 551.
_PARTIDA_RECORDS = frozenset(str(code) for code in range(552, 561))

# Clave de pedimento (Anexo 22 Apéndice 2) -> regime. A1 and IN are in the facts and the
# mx pack; C1 (definitive import into the border strip or region) is inferred. Any other
# clave gives no regime. An export (501 field 5 = 2) is regime `other` whatever its clave.
CLAVE_REGIMES: dict[str, Regime] = {
    "A1": Regime.CONSUMPTION,
    "C1": Regime.CONSUMPTION,
    "IN": Regime.TEMPORARY,
}
# The clave written for a declaration that has a regime and no clave.
_CLAVE_OF_REGIME = {Regime.CONSUMPTION: "A1", Regime.TEMPORARY: "IN"}
_IMPORT, _EXPORT = "1", "2"

# Documents: the aluminum aviso (Apéndice 9 permit key AL, medium-low confidence) is the
# profile's AVA; a cuota compensatoria (557 contribution 2) is CC with the amount as its
# id; other permits and the Apéndice 8 identifiers keep their key as the type, told apart
# by their category.
AVISO_PERMIT = "AL"
AVISO_DOCUMENT = "AVA"
AD_CONTRIBUTION = "2"
AD_DOCUMENT = "CC"
PERMIT = "permiso"
IDENTIFIER = "identificador"

# Apéndice 7 units read as net mass: 1 kilo, 14 tonelada (x 1000).
_KILO, _TONNE = "1", "14"
_DATE_PAGO, _DATE_ENTRADA = "2", "1"
_USD, _MXN = "USD", "MXN"

# A pedimento as read: what `lenient_declaration` validates into its `Declaration`.
Loose = dict[str, Any]
_ID = re.compile(r"(?:[0-9]{2} )?([0-9]{2}) ([0-9]{4}) ([0-9]{7})")
_RAW_KEY = re.compile(r"record ([0-9]{3})(?: \(([0-9]+)\))?")
_FIELDS_KEY = re.compile(r"record ([0-9]{3}) fields(?: \(([0-9]+)\))?")


def _key(base: str, ordinal: int) -> str:
    """The `unread` key of the n-th entry of a kind: `base`, then `base (2)`, ..."""
    return base if ordinal == 1 else f"{base} ({ordinal})"


# ---------------------------------------------------------------------------------------
# Countries: Apéndice 4 keys are three letters, ISO 3166-1 alpha-3 for the common cases.


@lru_cache(maxsize=1024)
def _alpha2_of(code: str) -> str | None:
    country = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
    return None if country is None else str(country.alpha_2)


@lru_cache(maxsize=1024)
def _alpha3_of(code: str) -> str | None:
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    return None if country is None else str(country.alpha_3)


def country_alpha2(key: str) -> str:
    """Return the ISO alpha-2 code of an Apéndice 4 country key, or the key as given."""
    return _alpha2_of(key.upper()) or key


def country_key(alpha2: str) -> str:
    """Return the Apéndice 4 (alpha-3) key of an ISO alpha-2 code, or the code as given."""
    return _alpha3_of(alpha2.upper()) or alpha2


# ---------------------------------------------------------------------------------------
# Dates: 8 digits, DDMMAAAA in a real 2026 file and AAAAMMDD in the transcribed layout.


def parse_date(text: str) -> dt.date | None:
    """Return the date of DDMMAAAA or AAAAMMDD text, or None.

    The two cannot both hold for a year from 1900 on: AAAAMMDD would need a month of 19
    or more where DDMMAAAA has its year.
    """
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        return None
    for year, month, day in ((text[4:], text[2:4], text[:2]), (text[:4], text[4:6], text[6:])):
        if 1900 <= int(year) <= 2099:
            try:
                return dt.date(int(year), int(month), int(day))
            except ValueError:
                continue
    return None


# `parse_date` for the reader: a file holds a few dates, each worked out once.
_date_of = lru_cache(maxsize=4096)(parse_date)


def _date_text(date: dt.date) -> str:
    return f"{date.day:02d}{date.month:02d}{date.year:04d}"


# ---------------------------------------------------------------------------------------
# Lines


def _decode(raw: bytes) -> str:
    """UTF-8, else Latin-1 (the files are ASCII in practice; accents come either way)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _text_lines(text: str) -> Iterator[tuple[int, str | None]]:
    """Yield (line number, line) of text split on LF; None for a line too long to read."""
    start, number, size = 0, 0, len(text)
    while start < size:
        end = text.find("\n", start)
        end = size if end < 0 else end
        number += 1
        # A line end's "\r" is not counted; a longer line is never copied.
        yield number, text[start:end] if end - start <= MAX_RECORD + 1 else None
        start = end + 1


def _whole_lines(chunk: bytes) -> int:
    """Return where the lines after the first in a chunk begin, when at least one more
    line ends in it; else 0 (the chunk is read line by line)."""
    first = chunk.find(b"\n") + 1
    return first if 0 < first <= chunk.rfind(b"\n") else 0


def _chunk_lines(block: bytes) -> list[str | None]:
    """Return the lines of `block` (whole lines, without the last line end) as
    `_stream_lines` reads each: decoded, None for a line too long to read."""
    limit = 4 * MAX_RECORD + 1
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:  # each line as it decodes alone
        return [_decode(line) if len(line) <= limit else None for line in block.split(b"\n")]
    # A line of UTF-8 text decodes alone as it does in the block ("\n" is no part of a
    # multibyte character); one of more than MAX_RECORD characters may be over the limit.
    lines: list[str | None] = [*text.split("\n")]
    if len(block) > limit:
        for k, line in enumerate(lines):
            if line is not None and len(line) > MAX_RECORD and len(line.encode()) > limit:
                lines[k] = None
    return lines


def _stream_lines(stream: IO[bytes]) -> Iterator[tuple[int, str | None]]:
    """Yield (line number, line) of a binary stream; None for a line too long to read.

    At most `limit` bytes of a line are held: a longer line is read past, not kept.
    """
    limit = 4 * MAX_RECORD + 1  # UTF-8 takes up to 4 bytes a character; then a "\r"
    number = 0
    pending = bytearray()
    skipping = False
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        start = _whole_lines(chunk)
        if start:
            # The lines whole in the chunk were read at once (`_chunk_lines`); the one
            # pending ended in it.
            number += 1
            line = None if skipping else bytes(pending + chunk[: start - 1])
            yield number, None if line is None or len(line) > limit else _decode(line)
            pending.clear()
            skipping = False
            end = chunk.rfind(b"\n")
            for line_text in _chunk_lines(chunk[start:end]):
                number += 1
                yield number, line_text
            start = end + 1
        while True:
            at = chunk.find(b"\n", start)
            if at < 0:
                if not skipping:
                    pending += chunk[start:]
                    if len(pending) > limit:
                        pending.clear()
                        skipping = True
                break
            number += 1
            if skipping:
                skipping = False
                yield number, None
            else:
                pending += chunk[start:at]
                yield number, _decode(bytes(pending)) if len(pending) <= limit else None
                pending.clear()
            start = at + 1
    if skipping:
        yield number + 1, None
    elif pending:
        yield number + 1, _decode(bytes(pending))


# ---------------------------------------------------------------------------------------
# Records and pedimentos


# Fields past a record's end read as "": `_Record.padded` gives at least this many.
_PADDING = [""] * 24


# The field numbers a record type does not read, by (fields read, field count): a few
# record layouts make nearly every record.
_UNUSED: dict[tuple[Collection[int], int], tuple[int, ...]] = {}


def _unused(used: Collection[int], n_fields: int) -> tuple[int, ...]:
    """Return the numbers 2..n_fields (field 1 is the record type) not in `used`."""
    try:
        return _UNUSED[used, n_fields]
    except KeyError:
        if len(_UNUSED) >= 1024:
            _UNUSED.clear()
        found = _UNUSED[used, n_fields] = tuple(n for n in range(2, n_fields + 1) if n not in used)
        return found
    except TypeError:  # a set: not hashable, not memoized
        return tuple(n for n in range(2, n_fields + 1) if n not in used)


class _Record:
    """One record: its line, fields, and the counts the 801 is checked against."""

    __slots__ = ("code", "fields", "line", "pedimentos", "raw", "records")

    def __init__(self, line: int, text: str, pedimentos: int, records: int) -> None:
        """Read a record from its line, `text`, stripped of white space at both ends."""
        parts = text.split("|")
        # A field has white space to strip only next to a "|" (`text` has none at its
        # ends), and any white space but " " is not printable: nearly no record has any.
        spaced = " |" in text or "| " in text or not text.isprintable()
        if not parts[-1] and len(parts) > 1:
            parts.pop()  # the trailing "|" that ends every record
            text = text[:-1]
        self.line = line
        # fields[0] is the record type.
        self.fields = fields = list(map(str.strip, parts)) if spaced else parts
        self.raw = text  # the record as given, without its trailing "|"
        self.pedimentos = pedimentos  # pedimentos begun so far, this one included (801)
        self.records = records  # records before this one, 801 not counted (801)
        self.code = fields[0]  # the record type: read for every record

    def get(self, n: int) -> str:
        """Field n (1-based, the record type being 1), "" when the record is shorter."""
        return self.fields[n - 1] if n <= len(self.fields) else ""

    def padded(self) -> list[str]:
        """Return the fields, field n at n - 1 for n up to 24 at least ("" past the end);
        not to be changed (the fields themselves when there are as many)."""
        fields = self.fields
        return fields if len(fields) >= 24 else fields + _PADDING


class _Group:
    """The lines of one pedimento, from its 500 record (or first record) to the next."""

    __slots__ = ("junk", "lost", "lost_more", "number", "records")

    def __init__(self) -> None:
        self.records: list[_Record] = []
        self.junk: list[tuple[int, str]] = []  # (line, text kept)
        self.lost: tuple[int, str] | None = None  # the first line not kept, and why
        self.lost_more = 0
        self.number: str | None = None  # the 7-digit número de pedimento, once seen

    def set_aside(self, line: int, text: str | None) -> bool:
        """Keep a line that is not a record; False when it could not be kept."""
        if text is not None and len(self.junk) < MAX_JUNK:
            self.junk.append((line, text))
            return True
        if self.lost is None:
            self.lost = (
                line,
                f"a line of more than {MAX_RECORD} characters"
                if text is None
                else f"more than {MAX_JUNK} lines of one pedimento that are not records",
            )
        else:
            self.lost_more += 1
        return False

    def take(self, other: _Group) -> None:
        """Take, into this new group, what was set aside before the first pedimento."""
        self.records, self.junk = other.records, other.junk
        self.lost, self.lost_more = other.lost, other.lost_more


def _seven_digits(text: str) -> bool:
    return len(text) == 7 and text.isascii() and text.isdigit()


def _begins_pedimento(group: _Group | None, rec: _Record) -> bool:
    """Tell whether a record begins a pedimento: a 500; a 501 with another número de
    pedimento than the current one's (its 500 was lost); any record but 801 first."""
    code = rec.code
    if code == "500":
        return True
    if group is None:
        return code != "801"
    if code != "501" or group.number is None:
        return False
    number = rec.get(3)
    return number != group.number and _seven_digits(number)


def _pedimentos(lines: Iterable[tuple[int, str | None]], name: str) -> Iterator[Loose]:
    """Group lines into pedimentos and yield each as soon as it ends, as the loose data
    `lenient_declaration` makes its Declaration of."""
    group: _Group | None = None
    before = _Group()  # lines before the first record that begins a pedimento
    pedimentos = records = 0
    problem: tuple[int, str] | None = None
    more_problems = 0
    for number, text in lines:
        target = group if group is not None else before
        if text is not None:
            if number == 1:
                text = text.removeprefix("\ufeff")
            text = text.removesuffix("\r")
            if len(text) > MAX_RECORD:
                text = None
        line = text.strip() if text is not None else None
        if line == "":
            continue
        if line is None or line[3:4] != "|" or not (line[:3].isdigit() and line[:3].isascii()):
            if not target.set_aside(number, text):
                if problem is None:
                    problem = target.lost
                else:
                    more_problems += 1
            continue
        rec = _Record(number, line, pedimentos, records)
        code = rec.code
        if (code == "500" or code == "501" or group is None) and _begins_pedimento(group, rec):
            if group is not None:
                yield _declaration(group, name)
            group = _Group()
            if pedimentos == 0:
                group.take(before)
            pedimentos += 1
            rec.pedimentos = pedimentos
        if code != "801":
            records += 1
        if group is None:  # an 801 before any pedimento
            before.records.append(rec)
            continue
        if group.number is None and (code == "500" or code == "501"):
            candidate = rec.get(4 if code == "500" else 3)
            group.number = candidate if _seven_digits(candidate) else None
        group.records.append(rec)
    if group is None:
        raise _no_pedimento(before, name)
    yield _declaration(group, name)
    if problem is not None:
        raise _lines_lost(problem, more_problems, name)


def _no_pedimento(before: _Group, name: str) -> NotADeclarationError:
    """Return the error for input without a record that begins a pedimento, at the first
    line set aside (else line 1)."""
    first = before.junk[0][0] if before.junk else 1
    return NotADeclarationError(
        "not a pedimento validation file: no pedimento record (a line such as 500|… "
        "that starts with a three-digit record type and '|')",
        file=name,
        line=first,
    )


def _lines_lost(problem: tuple[int, str], more_problems: int, name: str) -> InputError:
    """Return the error for lines that could not be kept: raised once every pedimento
    was read, at the first such line."""
    more = f" ({more_problems} more such lines)" if more_problems else ""
    return InputError(
        f"{problem[1]}: not read{more}; the pedimentos around it were read and checked",
        file=name,
        line=problem[0],
    )


# ---------------------------------------------------------------------------------------
# Building the model


@lru_cache(maxsize=4096)
def _field_path(code: str, n: int) -> str:
    """Return the `Location.path` of field n of a record: made once, not per value."""
    return f"{code} field {n}"


# Where a value was read: (line, record type, field number), made a `Location` only when
# a finding asks (`_Places.locate`). No field number for a whole record; no record type
# for a line that is not a record.
_Where = tuple[int, str | None, int | None]
# The fields a location's `Location` is given (its `model_fields_set`).
_GIVEN = frozenset({"file", "line", "path"})


class _Places(RecordPlaces):
    """Where a pedimento is (its first record) and where each of its values is (a
    `_Where`): a value's `Location` is made only when a finding asks for it
    (`loose_columns.Places`)."""

    __slots__ = ("code",)

    def __init__(self, name: str, rec: _Record) -> None:
        super().__init__(name, rec.line)
        self.code = rec.code

    def fields(self) -> dict[str, Any]:
        """Return the fields of the pedimento's `Location`."""
        return {"file": self.name, "line": self.line, "path": self.code}

    def fields_of(self, where: _Where) -> dict[str, Any]:
        """Return the fields of the `Location` of a `_Where`."""
        line, code, n = where
        path = code if n is None or code is None else _field_path(code, n)
        return {"file": self.name, "line": line, "path": path}

    def located(self, found: Any) -> Location:
        values = self.fields() if found is self else self.fields_of(found)
        values["column"] = None
        return plain_model(Location, values, _GIVEN)  # a str, an int, a str or None


class _Owner:
    """A declaration or goods item being built: values, their places, what is set aside."""

    __slots__ = ("counts", "data", "documents", "invalid", "kept", "sources", "unread")

    def __init__(self, location: _Places | _Where) -> None:
        self.data: dict[str, Any] = {"location": location}
        self.sources: dict[str, _Where] = {}
        # Made when a first entry is kept.
        self.unread: dict[str, str] | None = None
        self.kept: dict[str, str] | None = None
        self.invalid: dict[str, str] | None = None
        self.documents: list[dict[str, Any]] = []
        self.counts: dict[str, int] | None = None

    def ordinal(self, base: str) -> int:
        counts = self.counts
        if counts is None:
            counts = self.counts = {}
        counts[base] = count = counts.get(base, 0) + 1
        return count

    def put(self, key: str, value: Any, rec: _Record, n: int) -> None:
        if value is None or value == "":
            return
        self.data[key] = value
        self.sources[key] = (rec.line, rec.code, n)

    def bad(self, key: str, value: str, rec: _Record, n: int | None = None) -> None:
        if self.invalid is None:
            self.invalid = {}
        self.invalid[key] = value
        self.sources[key] = (rec.line, rec.code, n)

    def document(self, doc: dict[str, Any], rec: _Record, n: int) -> None:
        self.sources[f"documents[{len(self.documents)}]"] = (rec.line, rec.code, n)
        self.documents.append(doc)

    def keep_record(self, rec: _Record, *, expected: bool = True) -> None:
        """Keep a record alcheck does not read, as given: quietly if it is one the layout
        has where it stands, else as unexpected input (a finding)."""
        key = _key(f"record {rec.code}", self.ordinal(f"record {rec.code}"))
        if expected and rec.code in LAYOUT_RECORDS:
            self.keep(key, rec.raw)
        else:
            self.set_aside(key, rec.raw)
        self.sources[key] = (rec.line, rec.code, None)

    def keep(self, key: str, text: str) -> None:
        """Keep text as given, quietly (`kept`)."""
        if self.kept is None:
            self.kept = {}
        self.kept[key] = text

    def set_aside(self, key: str, text: str) -> None:
        """Keep text as given, as unexpected input (`unread`: a finding)."""
        if self.unread is None:
            self.unread = {}
        self.unread[key] = text

    def keep_line(self, line: int, text: str) -> None:
        key = f"line {line}"
        self.set_aside(key, text)
        self.sources[key] = (line, None, None)

    def keep_rest(
        self, rec: _Record, used: Collection[int], links: dict[int, str], ordinal: int = 1
    ) -> None:
        """Keep the fields of a read record that were not read, as `N=value|...`: those
        not `used` and not a link field equal to what it links to. A record whose field
        count is not the layout's is a finding."""
        fields = rec.fields
        rest = [
            f"{n}={value}"
            for n in _unused(used, len(fields))
            if (value := fields[n - 1]) and links.get(n) != value
        ]
        if rest:
            key = _key(f"record {rec.code} fields", ordinal)
            self.keep(key, "|".join(rest))
            self.sources[key] = (rec.line, rec.code, None)
        arity = ARITY.get(rec.code)
        if arity is not None and len(rec.fields) != arity:
            base = f"record {rec.code} field count"
            self.bad(
                _key(base, self.ordinal(base)),
                f"{len(rec.fields)} fields; the layout has {arity}",
                rec,
            )

    def finish(self) -> dict[str, Any]:
        data = self.data
        if self.documents:
            data["documents"] = self.documents
        data["sources"] = self.sources
        if self.unread:
            data["unread"] = self.unread
        if self.kept:
            data["kept"] = self.kept
        if self.invalid:
            data["invalid"] = self.invalid
        return data


def _well_formed(aduana: str, patente: str, numero: str) -> bool:
    digits = aduana + patente + numero
    return (
        len(aduana) == 3
        and len(patente) == 4
        and len(numero) == 7
        and digits.isascii()
        and digits.isdigit()
    )


def _pedimento_id(aduana: str, patente: str, numero: str, date: dt.date | None) -> str | None:
    """YY AA PPPP NNNNNNN: the year of validation (the latest year up to the date's that
    ends in the número's first digit; left out without a date), the aduana's first two
    digits, the patente and the número. Parts that are not of that shape are joined."""
    if not _well_formed(aduana, patente, numero):
        return " ".join(p for p in (aduana, patente, numero) if p) or None
    head = f"{aduana[:2]} {patente} {numero}"
    if date is None:
        return head
    year = date.year - (date.year - int(numero[0])) % 10
    return f"{year % 100:02d} {head}"


def _choose_date(records: list[_Record]) -> _Record | None:
    """The 506 that dates the declaration: the first pago (type 2), else the first entrada."""
    dated = [r for r in records if r.code == "506" and r.get(4)]
    for kind in (_DATE_PAGO, _DATE_ENTRADA):
        for rec in dated:
            if rec.get(3) == kind:
                return rec
    return None


def _link(
    rec: _Record, position: int, partidas: dict[str, list[tuple[int, _Owner, _Record]]]
) -> tuple[_Owner, _Record] | None:
    """The item a partida record belongs to, by its partida (field 4): the nearest 551
    with that partida before it, else the first after it."""
    candidates = partidas.get(rec.get(4))
    if not candidates:
        return None
    if len(candidates) == 1:  # nearly always: one 551 of that partida
        return candidates[0][1], candidates[0][2]
    before = [c for c in candidates if c[0] < position]
    chosen = before[-1] if before else candidates[0]
    return chosen[1], chosen[2]


@dataclass
class _Name:
    """The records that name a pedimento and the parts of the name they give."""

    head: _Record | None  # the 500 (a 500 begins a group)
    header: _Record | None  # the first 501
    source: _Record | None = None  # the one the name is read from: the 501, else the 500
    aduana: str = ""  # aduana-sección
    patente: str = ""
    numero: str = ""


def _name_of(firsts: dict[str, _Record]) -> _Name:
    """Return what names the pedimento (`firsts`: the first record of each type):
    aduana-sección, patente, número."""
    head, header = firsts.get("500"), firsts.get("501")
    if header is not None:
        return _Name(head, header, header, header.get(4), header.get(2), header.get(3))
    if head is not None:
        return _Name(head, header, head, head.get(5), head.get(3), head.get(4))
    return _Name(head, header)


def _declaration(group: _Group, name: str) -> Loose:
    """Read a pedimento's records into the loose data `lenient_declaration` takes."""
    records = group.records
    firsts: dict[str, _Record] = {}  # the first record of each type
    for rec in reversed(records):
        firsts[rec.code] = rec
    named = _name_of(firsts)
    decl = _Owner(_Places(name, named.head or records[0]))
    decl.data["jurisdiction"] = "MX"
    dated = _choose_date(records)
    date = _read_date(decl, dated)
    id_used = _read_id(decl, named, date)
    items: dict[int, _Owner] = {}  # position of its 551 -> item
    partidas: dict[str, list[tuple[int, _Owner, _Record]]] = {}
    for position, rec in enumerate(records):
        if rec.code == "551":
            items[position] = _Owner((rec.line, rec.code, None))
            partidas.setdefault(rec.get(4), []).append((position, items[position], rec))
    _read_records(decl, records, named, id_used, dated, items, partidas, firsts.get("505"))
    for line, text in group.junk:
        decl.keep_line(line, text)
    if group.lost is not None:
        line, why = group.lost
        more = f" and {group.lost_more} more" if group.lost_more else ""
        decl.keep_line(line, f"(not read: {why}; this line{more})")
    decl.data["items"] = [item.finish() for item in items.values()]
    return decl.finish()


def _read_date(decl: _Owner, dated: _Record | None) -> dt.date | None:
    """Read the entry date from the 506 that dates the pedimento; return it if valid."""
    if dated is None:
        return None
    date = _date_of(dated.get(4))
    if date is None:
        decl.bad("entry_date", dated.get(4), dated, 4)
    else:
        decl.put("entry_date", date, dated, 4)
    return date


def _read_id(decl: _Owner, named: _Name, date: dt.date | None) -> set[int]:
    """Read the id; return the fields of the record naming the pedimento read into it."""
    source, header = named.source, named.header
    aduana, patente, numero = named.aduana, named.patente, named.numero
    if source is None:
        return set()
    decl.put("id", _pedimento_id(aduana, patente, numero, date), source, 3 if header else 4)
    if not _well_formed(aduana, patente, numero):
        return set()
    first = 2 if source is header else 3  # patente; número and aduana follow
    return {first, first + 1} | ({first + 2} if aduana[2] == "0" else set())


def _read_records(
    decl: _Owner, records: list[_Record], named: _Name, id_used: set[int],
    dated: _Record | None, items: dict[int, _Owner],
    partidas: dict[str, list[tuple[int, _Owner, _Record]]], first_505: _Record | None,
) -> None:  # fmt: skip
    """Read each record into the declaration or its item, or keep it as given."""
    head, header, source = named.head, named.header, named.source
    aduana, patente, numero = named.aduana, named.patente, named.numero
    links = {2: numero}
    for position, rec in enumerate(records):
        code = rec.code
        if rec is head:
            same = {3: patente, 4: numero, 5: aduana}
            used = id_used if source is head else set()
            if rec.get(2) == _IMPORT:
                used = used | {2}
            decl.keep_rest(rec, used, same if source is header else {})
        elif rec is header:
            _read_501(decl, rec, id_used)
        elif rec is first_505:
            decl.put("exporter", _party(rec.get(12), rec.get(11)), rec, 12 if rec.get(12) else 11)
            decl.keep_rest(rec, {11, 12}, links)
        elif rec is dated:
            decl.keep_rest(rec, _USED_DATE, links)
        elif code == "551":
            _read_551(items[position], rec, links)
        elif code in _PARTIDA_RECORDS:
            linked = _link(rec, position, partidas)
            if linked is None:  # names no partida of this pedimento
                decl.keep_record(rec, expected=False)
            else:
                _read_partida_record(linked[0], rec, {**links, 3: linked[1].get(3)})
        elif code == "801":
            _read_801(decl, rec)
        elif code == "999":
            same = {2: patente, 3: numero, 4: aduana}
            decl.keep_rest(rec, (), same, decl.ordinal("record 999 fields"))
        else:
            decl.keep_record(rec)


# The fields of the 506 that dates the pedimento read (type and date).
_USED_DATE = frozenset({3, 4})


def _party(name: str, ident: str) -> dict[str, str] | None:
    if not name and not ident:
        return None
    party: dict[str, str] = {}
    if name:
        party["name"] = name
    if ident:
        party["id"] = ident
    return party


def _read_501(decl: _Owner, rec: _Record, id_used: set[int]) -> None:
    f = rec.padded()  # field n is f[n - 1]
    operation, clave, importer_id, rate, importer_name = f[4], f[5], f[8], f[10], f[21]
    decl.put("declaration_type", clave, rec, 6)
    regime = Regime.OTHER if operation == _EXPORT else CLAVE_REGIMES.get(clave.upper())
    if regime is not None:
        decl.put("regime", regime, rec, 5 if operation == _EXPORT else 6)
    decl.put("importer", _party(importer_name, importer_id), rec, 22 if importer_name else 9)
    if rate:
        number = _rate(rate)
        if number is None:
            decl.bad("exchange_rates", rate, rec, 11)
        else:
            decl.data["exchange_rates"] = [{"currency": _USD, "to_currency": _MXN, "rate": number}]
            where = (rec.line, rec.code, 11)
            decl.sources["exchange_rates"] = decl.sources["exchange_rates[0]"] = where
    used = id_used | _USED_501 | (_OPERATION if operation in (_IMPORT, _EXPORT) else _NONE)
    decl.keep_rest(rec, used, {})


# The fields of a 501 read into the declaration (besides those of its name).
_USED_501, _OPERATION, _NONE = frozenset({6, 9, 11, 22}), frozenset({5}), frozenset[int]()


@lru_cache(maxsize=1024)
def _rate(text: str) -> Decimal | None:
    """Return an exchange rate's number: a file holds a few rates, each read once."""
    return as_decimal(text)


def _read_551(item: _Owner, rec: _Record, links: dict[int, str]) -> None:
    f = rec.padded()  # field n is f[n - 1]
    data, sources, line = item.data, item.sources, rec.line
    tariff, partida, description = f[2] + f[4], f[3], f[5]  # fracción + NICO
    if tariff:
        data["tariff_declared"] = tariff
        sources["tariff_declared"] = (line, "551", 3)
    if partida:
        data["line"] = partida
        sources["line"] = (line, "551", 4)
    if description:
        data["description"] = description
        sources["description"] = (line, "551", 6)
    value_field = 10 if f[9] else 9 if f[8] else None
    if value_field is not None:
        data["value"] = f[value_field - 1]
        data["currency"] = _USD if value_field == 10 else _MXN
        sources["value"] = sources["currency"] = (line, "551", value_field)
    quantity, unit = f[12], f[13]
    used = _USED_551[value_field, bool(quantity)]
    if quantity:
        if unit == _KILO:
            item.put("net_mass_kg", quantity, rec, 13)
        elif unit == _TONNE:
            tonnes = as_decimal(quantity)
            if tonnes is not None:
                with localcontext(NUMBER_CONTEXT):
                    item.put("net_mass_kg", tonnes * 1000, rec, 13)
            else:
                item.put("net_mass_kg", quantity, rec, 13)
        else:
            item.put("supplementary_quantity", quantity, rec, 13)
            item.put("supplementary_unit", unit, rec, 14)
    if f[20]:
        data["origin"] = _country(f[20])
        sources["origin"] = (line, "551", 21)
    if f[21]:
        data["export_country"] = _country(f[21])
        sources["export_country"] = (line, "551", 22)
    item.keep_rest(rec, used, links)


# The fields of a 551 read, by the value's field (None: no value) and whether it has a
# quantity (fields 13 and 14).
_USED_551 = {
    (value, quantity): frozenset(
        {3, 4, 5, 6, 21, 22} | ({value} if value else set()) | ({13, 14} if quantity else set())
    )
    for value in (None, 9, 10)
    for quantity in (False, True)
}


@lru_cache(maxsize=1024)
def _country(key: str) -> str:
    """Return `country_alpha2(key)`: a file names a few countries, each worked out once."""
    return country_alpha2(key)


# The fields of a 553 (permit) or 557 (contribution), and of a 554 (identifier), read.
_USED_PERMIT, _USED_IDENTIFIER = frozenset({4, 5, 7}), frozenset({4, 5, 6})


def _read_partida_record(item: _Owner, rec: _Record, links: dict[int, str]) -> None:
    code, key = rec.code, rec.get(5)
    if code == "553" and key:
        doc_id = rec.get(7) or None
        if key == AVISO_PERMIT:
            doc = {"type": AVISO_DOCUMENT, "id": doc_id}
        else:
            doc = {"type": key, "id": doc_id, "category": PERMIT}
        item.document(doc, rec, 5)
        item.keep_rest(rec, _USED_PERMIT, links, item.ordinal("record 553 fields"))
    elif code == "554" and key:
        item.document({"type": key, "id": rec.get(6) or None, "category": IDENTIFIER}, rec, 5)
        item.keep_rest(rec, _USED_IDENTIFIER, links, item.ordinal("record 554 fields"))
    elif code == "557" and key == AD_CONTRIBUTION:
        item.document({"type": AD_DOCUMENT, "id": rec.get(7) or None}, rec, 5)
        item.keep_rest(rec, _USED_PERMIT, links, item.ordinal("record 557 fields"))
    else:
        item.keep_record(rec)


def _read_801(decl: _Owner, rec: _Record) -> None:
    """The end of the file: its counts are checked against what was read before it."""
    for n, what, counted in (
        (3, "pedimentos", rec.pedimentos),
        (4, "records before it", rec.records),
    ):
        given = rec.get(n)
        if given and not (given.isascii() and given.isdigit() and int(given) == counted):
            decl.bad(f"record 801 field {n} (the number of {what}; {counted} read)", given, rec, n)
    decl.keep_rest(rec, {3, 4}, {}, decl.ordinal("record 801 fields"))


# ---------------------------------------------------------------------------------------
# Public reading API


def read_pedimento_text(text: str, name: str = "<input>") -> Iterator[Declaration]:
    """Yield the declarations of pedimento validation file text, one per pedimento."""
    yield from _models(_pedimentos(_text_lines(text), name))


def read_pedimento_stream(stream: IO[bytes], name: str = "<input>") -> Iterator[Declaration]:
    """Yield the declarations of a pedimento validation file read from a binary stream."""
    yield from _models(loose_pedimento_stream(stream, name))


def _models(loose: Iterable[Loose]) -> Iterator[Declaration]:
    """Yield the `Declaration` of each pedimento read, its locations made `Location`s."""

    for data in loose:
        yield lenient_declaration(resolved(data))


def loose_pedimento_stream(stream: IO[bytes], name: str = "<input>") -> Iterator[Loose]:
    """Yield the pedimentos of a binary stream as read: each the loose data
    `lenient_declaration` makes its `Declaration` of (`read_pedimento_stream`), which a
    check lays out as columns without the model (`loose_columns`). Raises as
    `read_pedimento_stream` does."""
    yield from _pedimentos(_stream_lines(stream), name)


def read_pedimento(path: str | Path) -> Iterator[Declaration]:
    """Yield the declarations of a pedimento validation file ("-" reads standard input).

    The same as `alcheck.read(path, format="pedimento")`, which opens files for every format.
    """
    from . import read  # the package imports this module

    yield from read(path, format="pedimento")


def looks_like_pedimento(head: bytes) -> bool:
    """Tell whether input starting with `head` is a pedimento validation file: its first
    line that is not blank (after an optional UTF-8 BOM) starts with `500|`."""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"500|")


# ---------------------------------------------------------------------------------------
# Writing


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.date):
        return _date_text(value)
    return str(value)


def _given(owner: Declaration | GoodsItem, name: str) -> str:
    """A field's text as written: its value, else the value kept as given in `invalid`."""
    value = getattr(owner, name)
    return _text(value) if value is not None else owner.invalid.get(name, "")


def _rest(text: str | None) -> dict[int, str]:
    """Parse a `N=value|...` entry of `kept` (fields of a record that were not read)."""
    fields: dict[int, str] = {}
    for part in (text or "").split("|"):
        n, sep, value = part.partition("=")
        if sep and n.isascii() and n.isdigit() and 2 <= int(n) <= MAX_RECORD:
            fields[int(n)] = value
    return fields


class _Writer:
    """Makes the records of one declaration, refusing what the file would misstate."""

    def __init__(self, decl: Declaration) -> None:
        self.decl = decl

    def refuse(self, why: str) -> UsageError:
        return UsageError(f"declaration {self.decl.id!r} cannot be written as a pedimento: {why}")

    def record(self, values: dict[int, str], arity: int | None = None) -> str:
        """The record holding `values` (field number -> text), at least `arity` long."""
        width = max([arity or 0, *values])
        fields = [values.get(n, "") for n in range(1, width + 1)]
        for n, value in enumerate(fields, start=1):
            if "|" in value or "\n" in value or "\r" in value:
                raise self.refuse(
                    f"{values[1]} field {n} ({value!r}) holds '|' or a line break, "
                    "which no pedimento field can hold"
                )
        return self.raw("|".join(fields))

    def raw(self, text: str) -> str:
        """A record kept as given, or made by `record`."""
        if "\n" in text or "\r" in text:
            raise self.refuse(f"a record kept as given holds a line break: {text!r}")
        if len(text) + 1 > MAX_RECORD:
            raise self.refuse(f"a record of more than {MAX_RECORD} characters: {text[:40]!r}…")
        return text + "|"


def _held(model: Declaration | GoodsItem) -> dict[str, str]:
    """What the reader set aside: records and fields kept as given, and unexpected ones."""
    return {**model.kept, **model.unread}


def _with(values: dict[int, str], rest: str | None) -> dict[int, str]:
    """A record's fields with its kept fields (`N=value|...` in `kept`) put back."""
    return {**values, **_rest(rest)}


def _raw_records(unread: dict[str, str]) -> list[tuple[str, int, str]]:
    """The records kept as given (`record NNN (k)`), as (type, ordinal, text), in order.

    500 and 801 are left out (a 500 would begin another pedimento; the writer writes the
    801), as are texts that are not a record of their type.
    """
    found: list[tuple[str, int, str]] = []
    for key, text in unread.items():
        match = _RAW_KEY.fullmatch(key)
        if match is None:
            continue
        code = match.group(1)
        if code in ("500", "551", "801", "999") or not text.startswith(code + "|"):
            continue
        found.append((code, int(match.group(2) or 1), text))
    return sorted(found)


def _ordinals(unread: dict[str, str], code: str) -> int:
    """The highest k of the `record CODE fields (k)` entries."""
    top = 0
    for key in unread:
        match = _FIELDS_KEY.fullmatch(key)
        if match is not None and match.group(1) == code:
            top = max(top, int(match.group(2) or 1))
    return top


def _document_record(doc: Document) -> tuple[str, int, int] | None:
    """(record, field of the key, field of the id) a document is written to, or None."""
    if doc.category is None and doc.type == AVISO_DOCUMENT:
        return "553", 5, 7
    if doc.category == PERMIT:
        return "553", 5, 7
    if doc.category == IDENTIFIER:
        return "554", 5, 6
    if doc.category is None and doc.type == AD_DOCUMENT:
        return "557", 5, 7
    return None


def _write_header(w: _Writer, decl: Declaration, lines: list[str]) -> dict[int, str]:
    """Make the 500 and the 501; return the 501's fields."""
    if decl.jurisdiction not in (None, "MX"):
        raise w.refuse(f"its jurisdiction is {decl.jurisdiction}, not MX")
    match = _ID.fullmatch(decl.id or "")
    if match is not None:
        aduana, patente, numero = match.group(1) + "0", match.group(2), match.group(3)
    else:
        aduana, patente, numero = "", "", decl.id or ""
    clave = decl.declaration_type
    if clave is None and decl.regime is not None:
        clave = _CLAVE_OF_REGIME.get(decl.regime)
    implied = CLAVE_REGIMES.get((clave or "").strip().upper())
    if decl.regime is None or decl.regime == implied:
        operation = _IMPORT
    elif decl.regime == Regime.OTHER:
        operation = _EXPORT
    else:
        raise w.refuse(
            f"regime {decl.regime.value} with clave {clave!r}: a pedimento tells the regime "
            "by its clave (A1, C1 consumption; IN temporary) or as an export (other)"
        )
    rates = decl.exchange_rates
    if len(rates) > 1 or (rates and (rates[0].currency, rates[0].to_currency) != (_USD, _MXN)):
        raise w.refuse("a pedimento holds one exchange rate, US dollars to pesos (USD to MXN)")
    rate = _text(rates[0].rate) if rates else decl.invalid.get("exchange_rates", "")
    importer = decl.importer
    values = {
        1: "501",
        2: patente,
        3: numero,
        4: aduana,
        5: operation,
        6: clave or "",
        9: (importer.id if importer else None) or "",
        11: rate,
        22: (importer.name if importer else None) or "",
    }
    header = _with(values, _held(decl).get("record 501 fields"))
    head = {1: "500", 2: _IMPORT, 3: header.get(2, ""), 4: header.get(3, ""), 5: header.get(4, "")}
    lines.append(w.record(_with(head, _held(decl).get("record 500 fields")), ARITY["500"]))
    lines.append(w.record(header, ARITY["501"]))
    return header


def _write_item(
    w: _Writer, decl: Declaration, item: GoodsItem, numero: str, lines: list[str]
) -> None:
    tariff = item.tariff_declared or ""
    ten_digits = len(tariff) == 10 and tariff.isascii() and tariff.isdigit()
    fraccion, nico = (tariff[:8], tariff[8:]) if ten_digits else (tariff, "")
    partida = _given(item, "line")
    values = {1: "551", 2: numero, 3: fraccion, 4: partida, 5: nico, 6: item.description or ""}
    if item.value is not None or "value" in item.invalid:
        slot = {_USD: 10, _MXN: 9}.get(item.currency or "")
        if slot is None:
            raise w.refuse(
                f"item {partida}: a value in {item.currency or 'no currency'}; a partida "
                "holds US dollars (field 10) or pesos (field 9)"
            )
        values[slot] = _given(item, "value")
    if item.net_mass_kg is not None or "net_mass_kg" in item.invalid:
        values[13], values[14] = _given(item, "net_mass_kg"), _KILO
    elif item.supplementary_quantity is not None or "supplementary_quantity" in item.invalid:
        unit = item.supplementary_unit or ""
        if unit in (_KILO, _TONNE):
            raise w.refuse(f"item {partida}: supplementary unit {unit} would read as a mass")
        values[13], values[14] = _given(item, "supplementary_quantity"), unit
    for n, attr in ((21, "origin"), (22, "export_country")):
        country = getattr(item, attr)
        if country is not None:
            values[n] = country_key(country)
    values = _with(values, _held(item).get("record 551 fields"))
    lines.append(w.record(values, ARITY["551"]))
    fraccion = values.get(3, "")
    ordinals: dict[str, int] = {}
    for doc in (*item.documents, *decl.documents):
        target = _document_record(doc)
        if target is None:
            continue
        code, key_field, id_field = target
        ordinals[code] = k = ordinals.get(code, 0) + 1
        key = AVISO_PERMIT if code == "553" and doc.category is None else doc.type
        if code == "557":
            key = AD_CONTRIBUTION
        fields = {1: code, 2: numero, 3: fraccion, 4: partida, key_field: key}
        fields[id_field] = doc.id or ""
        rest = _held(item).get(_key(f"record {code} fields", k))
        lines.append(w.record(_with(fields, rest), ARITY[code]))
    lines.extend(w.raw(text) for _, _, text in _raw_records(_held(item)))


def _pedimento_lines(decl: Declaration) -> list[str]:
    """The records of one declaration, in the layout's order."""
    w = _Writer(decl)
    lines: list[str] = []
    header = _write_header(w, decl, lines)
    numero = header.get(3, "")
    unread = _held(decl)
    # The header's other records in type order, those alcheck reads before those kept.
    body: list[tuple[str, int, str]] = []
    exporter = decl.exporter
    if exporter is not None or "record 505 fields" in unread:
        values = {1: "505", 2: numero}
        if exporter is not None:
            values |= {11: exporter.id or "", 12: exporter.name or ""}
        body.append(
            ("505", 0, w.record(_with(values, unread.get("record 505 fields")), ARITY["505"]))
        )
    if decl.entry_date is not None or "entry_date" in decl.invalid:
        date = {1: "506", 2: numero, 3: _DATE_PAGO, 4: _given(decl, "entry_date")}
        body.append(
            ("506", 0, w.record(_with(date, unread.get("record 506 fields")), ARITY["506"]))
        )
    kept = _raw_records(unread)
    body += [(code, k, w.raw(text)) for code, k, text in kept if code < "551"]
    lines.extend(text for _, _, text in sorted(body))
    for item in decl.items:
        _write_item(w, decl, item, numero, lines)
    lines.extend(w.raw(text) for code, _, text in kept if code >= "551")
    for k in range(1, _ordinals(unread, "999") + 1):
        same = {1: "999", 2: header.get(2, ""), 3: numero, 4: header.get(4, "")}
        lines.append(w.record(_with(same, unread.get(_key("record 999 fields", k)))))
    return lines


def write_pedimento(decls: Iterable[Declaration], out: IO[str]) -> None:
    """Write declarations as a pedimento validation file, then its 801 record.

    Reading the file back gives the same declarations, apart from where each value was
    read and what the format cannot hold (see docs/formats-pedimento.md). A declaration
    whose data the file would misstate (another jurisdiction, a regime its clave does not
    give, a rate other than USD to MXN, a value in another currency, a field holding `|`
    or a line break) raises `UsageError` before any of its records is written.
    """
    pedimentos = records = 0
    last: Declaration | None = None
    for decl in decls:
        lines = _pedimento_lines(decl)
        out.write("".join(line + "\n" for line in lines))
        pedimentos += 1
        records += len(lines)
        last = decl
    if last is None:
        return
    trailer = {1: "801", 2: "", 3: str(pedimentos), 4: str(records), 5: ""}
    rest = _held(last).get("record 801 fields")
    out.write(_Writer(last).record(_with(trailer, rest), ARITY["801"]) + "\n")
