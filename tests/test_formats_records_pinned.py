"""The CBP entry summary and pedimento readers' exact output, pinned.

The loose data each reader gives (`loose_catair_stream`, `loose_pedimento_stream`), every
location made a `Location`, and the error raised after it are digested for a corpus of
inputs: the samples and seeded mutations of them (flipped, cut, padded, doubled, swapped
and dropped lines, control bytes, over-long lines, CRLF, a BOM, other applications). The
digests in tests/data/records-pinned.json were made by the readers before their records
were read with precomputed handlers and lazy locations: any change to what is read, where,
or what is raised shows here.

A location may be the reader's own handle, made a `Location` only when a finding asks
(`loose_columns.Places`); those tests check the handles against the locations they stand
for.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alcheck.errors import InputError
from alcheck.formats.catair import MAX_LINE, loose_catair_stream
from alcheck.formats.loose_columns import resolved
from alcheck.formats.pedimento import MAX_RECORD, _Record, loose_pedimento_stream
from alcheck.model import Location

ROOT = Path(__file__).resolve().parents[1]
PINNED = ROOT / "tests" / "data" / "records-pinned.json"
SAMPLES = {
    "catair": [
        *sorted((ROOT / "examples").glob("*.ae")),
        *sorted((ROOT / "tests" / "data" / "catair").glob("*.ae")),
    ],
    "pedimento": [
        *sorted((ROOT / "examples").glob("*.val")),
        *sorted((ROOT / "tests" / "data" / "pedimento").glob("*.val")),
    ],
}
READERS: dict[str, Callable[[io.BytesIO, str], Iterator[dict[str, Any]]]] = {
    "catair": loose_catair_stream,
    "pedimento": loose_pedimento_stream,
}
# Mutated inputs per format; lines past this many in a sample are cut before mutating.
CASES = 300
_MAX_LINES = 120
_LONG = {"catair": MAX_LINE, "pedimento": MAX_RECORD}
_JUNK = ["", " ", "\t", "\x00", "\x7f", "é", "\xff", "|", "Z", "10", "40", "500|", "551|"]


def _mutate(rng: random.Random, lines: list[str], kind: str) -> list[str]:
    """Apply one random change to a random line (or the file's ends)."""
    lines = list(lines) or [""]
    i = rng.randrange(len(lines))
    op = rng.randrange(11)
    line = lines[i]
    if op == 0 and line:  # flip a character
        c = rng.randrange(len(line))
        lines[i] = line[:c] + rng.choice(_JUNK + list("0123456789AXY |")) + line[c + 1 :]
    elif op == 1:
        lines[i] = line[: rng.randrange(len(line) + 1)]
    elif op == 2:
        lines[i] = line + " " * rng.randrange(1, 30)
    elif op == 3:
        lines.insert(i, line)
    elif op == 4 and len(lines) > 1:
        del lines[i]
    elif op == 5:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], line
    elif op == 6:
        lines.insert(i, rng.choice(_JUNK) * rng.randrange(1, 4))
    elif op == 7:
        lines[i] = line + "X" * (_LONG[kind] + rng.randrange(-3, 4) - len(line))
    elif op == 8 and kind == "catair":  # a record with fields blanked or of another type
        start = rng.randrange(80)
        lines[i] = (line.ljust(80)[:start] + " " * rng.randrange(1, 15) + line[start + 14 :])[:90]
    elif op == 8:  # a pedimento record with a field dropped or added
        parts = line.split("|")
        k = rng.randrange(len(parts))
        if rng.random() < 0.5:
            del parts[k]
        else:
            parts.insert(k, rng.choice(["", "0", "X", "2", "AL", "1", "14", "MEX", "99999999"]))
        lines[i] = "|".join(parts)
    elif op == 9:
        lines[i] = line + "\r"
    else:
        lines[i] = rng.choice(["A", "B", "Y", "Z", "500|1|", "801|", "999|"]) + line[1:]
    return lines


def _cases(kind: str) -> list[tuple[str, bytes]]:
    """Return the corpus of a format: (name, bytes), the samples first."""
    out = [(p.name, p.read_bytes()) for p in SAMPLES[kind]]
    rng = random.Random(f"pinned {kind}")
    for n in range(CASES):
        sample = rng.choice(SAMPLES[kind])
        lines = sample.read_text(encoding="utf-8").split("\n")[:_MAX_LINES]
        for _ in range(rng.randrange(1, 5)):
            lines = _mutate(rng, lines, kind)
        data = "\n".join(lines).encode("utf-8", errors="surrogatepass")
        if rng.random() < 0.1:
            data = b"\xef\xbb\xbf" + data
        if rng.random() < 0.1:
            data = data[: rng.randrange(len(data) + 1)]
        out.append((f"{sample.name} mutation {n}", data))
    return out


def _canon(value: Any) -> Any:
    """Return a value as JSON can hold it, its type kept where JSON would lose it."""
    kind = type(value)
    if kind is dict:
        return {str(k): _canon(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_canon(v) for v in value]
    if value is None or kind in (str, int, bool):
        return value
    return f"{kind.__name__}:{value!r}"


def _where(found: Any) -> Any:
    """Return a location the model would hold, dumped (a dict of fields, or a Location)."""
    if found is None:
        return None
    location = found if isinstance(found, Location) else Location.model_validate(found)
    return location.model_dump()


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """Return loose data with its locations (`resolved`) dumped as `Location`s."""
    out = resolved(data)
    for owner in (out, *out.get("items", ())):
        if "location" in owner:
            owner["location"] = _where(owner["location"])
        if "sources" in owner:
            owner["sources"] = {k: _where(v) for k, v in owner["sources"].items()}
    return out


def outcome(kind: str, data: bytes) -> dict[str, Any]:
    """Return what a reader makes of `data`: its loose data (locations resolved) and the
    input error raised after it, if any."""
    read: list[Any] = []
    error = None
    try:
        for decl in READERS[kind](io.BytesIO(data), "pinned.in"):
            read.append(_plain(decl))
    except InputError as exc:
        error = [type(exc).__name__, str(exc), exc.file, exc.line]
    return {"read": _canon(read), "error": error}


def digest(kind: str, data: bytes) -> str:
    text = json.dumps(outcome(kind, data), sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def pinned() -> dict[str, dict[str, str]]:
    """Return the digests of every case of both formats (what the pinned file holds)."""
    return {kind: {name: digest(kind, data) for name, data in _cases(kind)} for kind in READERS}


@pytest.mark.parametrize("kind", sorted(READERS))
def test_the_loose_output_is_the_pinned_one(kind: str) -> None:
    expected = json.loads(PINNED.read_text(encoding="utf-8"))[kind]
    cases = _cases(kind)
    assert [name for name, _ in cases] == list(expected)
    changed = [name for name, data in cases if digest(kind, data) != expected[name]]
    assert not changed, f"{len(changed)} of {len(cases)} differ, first: {changed[:5]}"


def _handles(data: dict[str, Any]) -> Iterator[Any]:
    """Yield every location of loose data as the reader gave it."""
    for owner in (data, *data["items"]):
        yield owner["location"]
        yield from owner["sources"].values()


@pytest.mark.parametrize("kind", sorted(READERS))
def test_each_location_is_made_when_asked_as_its_fields_say(kind: str) -> None:
    seen = 0
    for _, data in _cases(kind)[:60]:
        try:
            decls = list(READERS[kind](io.BytesIO(data), "pinned.in"))
        except InputError:
            continue
        for decl in decls:
            places = decl["location"]
            assert places.line == places.locate(places).line
            assert places.fields() == places.locate(places).model_dump(exclude_unset=True)
            for found in _handles(decl):
                located = places.locate(found)
                fields = places.fields() if found is places else places.fields_of(found)
                validated = Location.model_validate(fields)
                assert type(located) is Location
                assert located == validated
                assert located.model_fields_set == validated.model_fields_set
                assert places.line_of(found) == located.line
                seen += 1
    assert seen > 1000


def test_white_space_other_than_a_space_is_not_printable() -> None:
    """What `_Record` rests on to strip fields only when a record has white space by a
    separator: true of the Unicode database of the Python that runs the tests."""
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    assert [c for c in spaces if c != " " and c.isprintable()] == []


_FIELD = st.text(
    st.sampled_from([" ", "\t", "\x1c", "\xa0", "\u2003", "\u3000", "\x85", "a", "é", "9", "|"])
    | st.characters(),
    max_size=6,
)


@given(code=st.sampled_from(["500", "501", "551", "553"]), fields=st.lists(_FIELD, max_size=8))
def test_a_record_s_fields_are_its_parts_stripped(code: str, fields: list[str]) -> None:
    text = "|".join([code, *fields]).strip()
    parts = text.split("|")
    if not parts[-1] and len(parts) > 1:
        parts.pop()
    assert _Record(1, text, 0, 0).fields == [part.strip() for part in parts]
