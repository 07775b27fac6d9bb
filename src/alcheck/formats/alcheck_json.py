"""alcheck's own JSON: one declaration, a list of them, or JSON Lines (one per line).

Nothing given is dropped and nothing given is taken for something alcheck works out
itself:
- an array is read one entry at a time, so the entries before a syntax error are read
  (and checked) before the error is raised; an entry that is not an object is an error
  on its line, raised after the entries after it were read;
- JSON Lines are split on "\\n" only (a U+2028 in a string is text), each line read on
  its own: a bad line is an error naming it, raised after every other line was read;
- a key given twice keeps its first value, and each later one is kept in `unread` as
  `KEY (repeated)`, reported (SYN-UNKNOWN), never silently last-wins;
- `location` and `sources` are where alcheck read a value, never taken from the input:
  given ones are kept in `unread` (SYN-UNKNOWN);
- a number with more digits than Python converts to an int is kept as its digits (then
  reported as a value of the wrong type), nesting deeper than `MAX_DEPTH` and strings
  with unpaired surrogates are errors on their line;
- each value of a declaration and of its goods items is kept in `sources` with the line
  of its key and its JSON pointer (RFC 6901: `/0/items/2/origin`; in JSON Lines the line
  is the record's and the pointer starts `#N`, the record's line), so that a finding
  names the value it is about; the keys of a given `unread` or `invalid` map too. A
  declaration that is the whole document is at pointer "" (RFC 6901's whole document).

The `loose_json_*` readers yield what is read as the loose data `lenient_declaration`
makes each `Declaration` of (`read_json_*`), as the national readers do: a check can lay
it out as columns without the models (`loose_columns`), making a value's `Location` only
when a finding names it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from ..errors import InputError, NotADeclarationError
from ..model import Declaration, lenient_declaration

# A declaration is 6 levels deep (array, declaration, items, item, documents, document);
# values alcheck does not read may nest further, but not without bound.
MAX_DEPTH = 64
# The other input errors of a file named in the error's message, at most.
_MORE_SHOWN = 5

_WS = re.compile(r"[ \t\n\r]*")


def _skip_blanks(text: str, pos: int = 0) -> int:
    """Return the position of the first character at or after `pos` that is not JSON's blank."""
    match = _WS.match(text, pos)
    return pos if match is None else match.end()


# JSON's brackets outside strings, for finding where nesting gets too deep.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
# An escaped UTF-16 surrogate: only then can a decoded string hold an unpaired one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _integer(text: str) -> int | Decimal:
    """An integer as `int`, or, past Python's int-string limit, as an exact Decimal."""
    try:
        return int(text)
    except ValueError:
        return Decimal(text)


def _unique_names(keys: list[str]) -> list[str]:
    """Name an object's keys: a repeated key's later ones `KEY (repeated)`, `(repeated 2)`…"""
    names: list[str] = []
    seen: set[str] = set()
    for key in keys:
        name, n = key, 1
        if name in seen:
            name = f"{key} (repeated)"
            while name in seen:
                n += 1
                name = f"{key} (repeated {n})"
        seen.add(name)
        names.append(name)
    return names


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object; a repeated key keeps its first value, each later one kept aside."""
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    return dict(zip(_unique_names([k for k, _ in pairs]), [v for _, v in pairs], strict=True))


_DECODER = json.JSONDecoder(object_pairs_hook=_object, parse_int=_integer)


class _Problems:
    """The input errors of one file, raised together once everything else was read."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found: list[tuple[int, str]] = []

    def add(self, line: int, message: str) -> None:
        self.found.append((line, message))

    def error(self, stop: InputError | None = None) -> InputError | None:
        """Return the error to raise, naming the lines of the others: the one that stopped
        reading (`stop`) when there is one, else the first problem."""
        found = sorted(self.found)
        if stop is not None:
            found.insert(0, (stop.line or 0, stop.reason))
        if not found:
            return None
        line, message = found[0]
        others = sorted({n for n, _ in found[1:]})
        if others:
            shown = ", ".join(map(str, others[:_MORE_SHOWN]))
            more = f" and {len(others) - _MORE_SHOWN} more" if len(others) > _MORE_SHOWN else ""
            message += f" (further problems on line(s) {shown}{more})"
        return InputError(message, file=self.name, line=line or None)


def _line_at(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _too_deep_at(text: str, start: int, end: int) -> int | None:
    """Return the position where nesting passes MAX_DEPTH in text[start:end], if it does."""
    depth = 0
    for match in _TOKEN.finditer(text, start, end):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return match.start()
        elif token in "]}":
            depth -= 1
    return None


def _depth_exceeds(value: Any, depth: int = 1) -> bool:
    """Tell whether a decoded value nests deeper than MAX_DEPTH (without recursion).

    depth: the value's own depth (1: the whole document or an array's entry).
    """
    stack: list[tuple[Any, int]] = [(value, depth)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, dict | list))
    return False


def _decode_at(text: str, pos: int, name: str) -> tuple[Any, int]:
    """Decode the JSON value starting at `pos`; return it and the position after it."""
    try:
        value, end = _DECODER.raw_decode(text, pos)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", file=name, line=exc.lineno
        ) from None
    except RecursionError:
        at = _too_deep_at(text, pos, len(text))
        raise InputError(
            f"not read: JSON nested more than {MAX_DEPTH} levels deep",
            file=name,
            line=_line_at(text, pos if at is None else at),
        ) from None
    if _depth_exceeds(value):
        at = _too_deep_at(text, pos, end)
        raise InputError(
            f"not read: JSON nested more than {MAX_DEPTH} levels deep",
            file=name,
            line=_line_at(text, pos if at is None else at),
        )
    if _SURROGATE_ESCAPE.search(text, pos, end) is not None:
        try:
            json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(
                "not read: a string holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff)",
                file=name,
                line=_line_at(text, pos),
            ) from None
    return value, end


# A member: the "," before it (none before the first), its key (group 1, as written: no
# control character; escapes undone only where there is a backslash) and its colon; or
# the object's end (group 1 None). Likewise an array's next entry, or its end.
_FIRST_MEMBER = re.compile(r'[ \t\n\r]*(?:\}|"((?:[^"\\\x00-\x1f]|\\.)*)"[ \t\n\r]*:[ \t\n\r]*)')
_NEXT_MEMBER = re.compile(
    r'[ \t\n\r]*(?:\}|,[ \t\n\r]*"((?:[^"\\\x00-\x1f]|\\.)*)"[ \t\n\r]*:[ \t\n\r]*)'
)
_FIRST_ENTRY = re.compile(r"[ \t\n\r]*(\])?")
_NEXT_ENTRY = re.compile(r"[ \t\n\r]*(?:(\])|,[ \t\n\r]*)")
# A place: where a value was read, as the loose data its model is made of holds it.
Place = dict[str, Any]
# A declaration as read: what `lenient_declaration` makes its model of.
Loose = dict[str, Any]
# Members read member by member: of a declaration its items; of a declaration or an item,
# a given `unread` or `invalid` map, whose keys are reported by name (each names its place).
_MAPS = ("unread", "invalid")
_ITEM_WALK = frozenset(_MAPS)
_DECLARATION_WALK = frozenset({*_MAPS, "items"})
_NO_WALK: frozenset[str] = frozenset()
_CONTAINERS = (dict, list)


class _Irregular(Exception):
    """What the member-by-member reader does not read: `_decode_at` then says what is wrong."""


def _escape(key: str) -> str:
    """Return a key as a JSON pointer's reference token (RFC 6901: "~" is "~0", "/" is "~1")."""
    if "~" in key or "/" in key:
        return key.replace("~", "~0").replace("/", "~1")
    return key


class _Where:
    """Where an object read member by member is: the line it starts on, the place of each
    member by the name the object holds it under, the places of a given `unread` or
    `invalid` map's keys (`maps`), and of a declaration's items (None: not an object)."""

    __slots__ = ("items", "line", "maps", "places")

    def __init__(self, line: int) -> None:
        self.line = line
        self.places: dict[str, Place] = {}
        self.maps: dict[str, dict[str, Place]] = {}
        self.items: list[_Where | None] | None = None


def _key_at(text: str, needle: str, at: int, end: int) -> tuple[int, int]:
    """Return where `needle` (a key in quotes) is next a key in text[at:end], and the
    position after its colon; (-1, at) when it is not.

    For text with no backslash, whose nested values before `at` were skipped: a quote is
    then never inside a string, and a string followed by a colon is a key.
    """
    found = text.find(needle, at, end)
    while found >= 0:
        colon = _skip_blanks(text, found + len(needle))
        if text.startswith(":", colon):
            return found, colon + 1
        found = text.find(needle, found + 1, end)
    return -1, at


class _Scanner:
    """Read the objects of a declaration member by member, noting where each member is.

    Each value is decoded by the json module, as `_decode_at` decodes it; only the
    declaration, its items and their `unread` and `invalid` maps are walked here, and each
    member's place (the line of its key, its JSON pointer) kept as a `Location`'s fields.
    Anything but plain JSON raises (`_Irregular`, or the json module's errors): the caller
    then decodes the whole value again, which says what is wrong.
    """

    def __init__(self, text: str, file: str, first_line: int = 1) -> None:
        self.text, self.file = text, file
        self.line, self.counted = first_line, 0
        self.keys: dict[str, tuple[str, int, str]] = {}  # see `key`

    def line_at(self, pos: int) -> int:
        """Return the line of `pos`; positions are asked in the text's order."""
        self.line += self.text.count("\n", self.counted, pos)
        self.counted = pos
        return self.line

    def obj(
        self, pos: int, depth: int, walk: frozenset[str], pointer: str
    ) -> tuple[dict[str, Any], int, _Where]:
        """Read the object at `pos` (text[pos] is "{"), `depth` levels deep (a declaration
        is 1), whose pointer is `pointer`; members named in `walk` are read member by
        member too. Return it, the position after it, and where its members are."""
        text, file = self.text, self.file
        where = _Where(self.line_at(pos))
        obj: dict[str, Any] = {}
        places = where.places
        member = _FIRST_MEMBER.match(text, pos + 1)
        while True:
            if member is None:
                raise _Irregular
            key = member.group(1)
            if key is None:
                return obj, member.end(), where
            start, pos = member.start(1), member.end()
            self.line += text.count("\n", self.counted, start)
            self.counted = start
            if "\\" in key:
                key = _DECODER.raw_decode(text, start - 1)[0]
            name = key if key not in obj else _unique_names([*obj, key])[-1]
            path = f"{pointer}/{_escape(key)}"
            places[name] = {"file": file, "line": self.line, "path": path}
            # By name: a repeated `items` (kept aside) is not the items.
            if name in walk and text.startswith("[" if name == "items" else "{", pos):
                obj[name], pos = self.walked(where, name, pos, depth + 1, path)
            else:
                obj[name], pos = self.value(pos, depth + 1)
            member = _NEXT_MEMBER.match(text, pos)

    def walked(self, where: _Where, name: str, pos: int, depth: int, path: str) -> tuple[Any, int]:
        """Read a member named in a walk (the items, a map); keep where its parts are."""
        if name == "items":
            entries, pos, where.items = self.items(pos, depth, path)
            return entries, pos
        value, pos, inner = self.obj(pos, depth, _NO_WALK, path)
        where.maps[name] = inner.places
        return value, pos

    def value(self, pos: int, depth: int) -> tuple[Any, int]:
        """Decode the value at `pos`, `depth` levels deep (the declaration is 1)."""
        text = self.text
        value, end = _DECODER.raw_decode(text, pos)
        # Nesting needs a bracket a level: only a value with that many is looked into.
        if text[pos] in "[{" and (
            depth - 1 + text.count("[", pos, end) + text.count("{", pos, end) > MAX_DEPTH
        ):
            if _depth_exceeds(value, depth):
                raise _Irregular
        return value, end

    def item(self, pos: int, depth: int, pointer: str) -> tuple[dict[str, Any], int, _Where]:
        """Read the item object at `pos` as `obj` does, faster: decoded whole by the json
        module, then its keys found in order, each nested value skipped. An item with a
        backslash (a key may have an escape) or a key not found so is read as `obj` does."""
        value, end = self.value(pos, depth)
        text, file, keys = self.text, self.file, self.keys
        if text.find("\\", pos, end) >= 0:
            return self.obj(pos, depth, _ITEM_WALK, pointer)
        where = _Where(self.line_at(pos))
        places = where.places
        line, counted, at = self.line, pos, pos + 1
        for name, member in value.items():
            known = keys.get(name) or self.key(name)
            start = -1
            if known is not None:  # else a repeated key's name, not as written
                needle, size, token = known
                start = text.find(needle, at, end)
                if start >= 0 and text.startswith(":", start + size):
                    at = start + size + 1
                else:
                    start, at = _key_at(text, needle, at, end)
            if start < 0:
                self.line, self.counted = where.line, pos
                return self.obj(pos, depth, _ITEM_WALK, pointer)
            line += text.count("\n", counted, start)
            counted = start
            places[name] = {"file": file, "line": line, "path": pointer + token}
            if isinstance(member, _CONTAINERS):
                at = _skip_blanks(text, at)
                if name in _ITEM_WALK and isinstance(member, dict):
                    self.line, self.counted = line, counted
                    _, at, inner = self.obj(at, depth + 1, _NO_WALK, pointer + token)
                    where.maps[name] = inner.places
                    line, counted = self.line, self.counted
                else:
                    at = _DECODER.raw_decode(text, at)[1]  # its keys are not the item's
        self.line, self.counted = line, counted
        return value, end, where

    def key(self, name: str) -> tuple[str, int, str] | None:
        """Return a key as `item` looks for it: in quotes, the length of that, its pointer
        token; None for a name that may not be as written (`KEY (repeated)`)."""
        if name.endswith(")"):
            return None
        needle = f'"{name}"'
        self.keys[name] = known = (needle, len(needle), "/" + _escape(name))
        return known

    def items(
        self, pos: int, depth: int, pointer: str
    ) -> tuple[list[Any], int, list[_Where | None]]:
        """Read the items array at `pos`, each object member by member."""
        text = self.text
        values: list[Any] = []
        wheres: list[_Where | None] = []
        entry = _FIRST_ENTRY.match(text, pos + 1)
        while entry is not None and entry.group(1) is None:
            pos = entry.end()
            if text.startswith("{", pos):
                value, pos, where = self.item(pos, depth + 1, f"{pointer}/{len(values)}")
                wheres.append(where)
            else:
                value, pos = self.value(pos, depth + 1)
                wheres.append(None)
            values.append(value)
            entry = _NEXT_ENTRY.match(text, pos)
        if entry is None:
            raise _Irregular
        return values, entry.end(), wheres


def _read_value(
    scanner: _Scanner, pos: int, name: str, pointer: str
) -> tuple[Any, int, _Where | None]:
    """Decode the JSON value at `pos`, whose JSON pointer is `pointer`; an object is read
    member by member (`_Scanner`) and where its members are is returned too (None when it
    was decoded whole). Errors as `_decode_at` raises them."""
    text = scanner.text
    if not text.startswith("{", pos):
        return (*_decode_at(text, pos, name), None)
    try:
        value, end, where = scanner.obj(pos, 1, _DECLARATION_WALK, pointer)
    except (_Irregular, json.JSONDecodeError, RecursionError):
        # Not plain JSON (or deeper than allowed): decoded whole, which says what is wrong.
        return (*_decode_at(text, pos, name), None)
    if _SURROGATE_ESCAPE.search(text, pos, end) is not None:
        _decode_at(text, pos, name)  # raises for an unpaired surrogate
    return value, end, where


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def _aside(data: dict[str, Any], given: dict[str, Any]) -> dict[str, str]:
    """Keep values that alcheck must not take from the input in `data`'s `unread`; return
    the name each is kept under, by its key."""
    if not given:
        return {}
    unread = data.get("unread")
    kept: dict[str, Any] = dict(unread) if isinstance(unread, dict) else {}
    if unread is not None and not isinstance(unread, dict):
        kept["unread"] = unread
    slots: dict[str, str] = {}
    for key, value in given.items():
        slot = key
        while slot in kept:
            slot += " (given)"
        kept[slot] = value
        slots[key] = slot
    data["unread"] = kept
    return slots


def _own_places(data: dict[str, Any]) -> dict[str, Any]:
    """Take `location` and `sources` out of an object read from the input."""
    return {key: data.pop(key) for key in ("location", "sources") if key in data}


def _places(where: _Where, slots: dict[str, str]) -> dict[str, Place]:
    """Return where each member of an object is, by the name its model gives it.

    slots: members kept under another name (`_aside`). The keys of a given `unread` or
    `invalid` map name their own place, unless a member of the object has that name.
    """
    places = where.places
    for key, slot in slots.items():
        if key in places:
            places[slot] = places.pop(key)
    for kind in _MAPS:
        for member, place in where.maps.get(kind, {}).items():
            places.setdefault(member, place)
    return places


def _declaration(
    data: dict[str, Any], name: str, line: int, pointer: str, where: _Where | None
) -> dict[str, Any]:
    """Return an object decoded from the input (the caller's own: it is changed) as the
    loose data of its declaration, with where it and its items are, and where each of
    their values is (`where`; none when it was decoded whole)."""
    slots = _aside(data, _own_places(data))
    data["location"] = {"file": name, "line": line, "path": pointer}
    if where is not None:
        data["sources"] = _places(where, slots)
    entries = where.items if where is not None else None
    items = data.get("items")
    if isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict):
                item_slots = _aside(item, _own_places(item))
                spot = entries[i] if entries is not None else None
                item["location"] = {
                    "file": name, "line": line if spot is None else spot.line,
                    "path": f"{pointer}/items/{i}",
                }  # fmt: skip
                if spot is not None:
                    item["sources"] = _places(spot, item_slots)
    return data


def _array(text: str, start: int, name: str) -> Iterator[Loose]:
    """Yield the declarations of the array at `start`, one entry at a time."""
    problems = _Problems(name)
    scanner = _Scanner(text, name)
    pos = _skip_blanks(text, start + 1)
    index = 0
    try:
        if text.startswith("]", pos):
            end = pos + 1
        else:
            while True:
                line = scanner.line_at(pos)
                value, pos, where = _read_value(scanner, pos, name, f"/{index}")
                if isinstance(value, dict):
                    yield _declaration(value, name, line, f"/{index}", where)
                else:
                    problems.add(
                        line, f"entry /{index} is {_kind(value)}, not a declaration object"
                    )
                index += 1
                pos = _skip_blanks(text, pos)
                if text.startswith(",", pos):
                    pos = _skip_blanks(text, pos + 1)
                    continue
                if text.startswith("]", pos):
                    end = pos + 1
                    break
                raise InputError(
                    "not valid JSON: expected ',' or ']' after an array entry",
                    file=name,
                    line=_line_at(text, pos),
                )
        rest = _skip_blanks(text, end)
        if rest < len(text):
            raise InputError(
                "not valid JSON: more data after the array", file=name, line=_line_at(text, rest)
            )
    except InputError as exc:
        raise (problems.error(exc) or exc) from None
    error = problems.error()
    if error is not None:
        raise error
    if index == 0:
        raise NotADeclarationError("an empty JSON array: no declaration", file=name, line=1)


def _json_lines(text: str, name: str) -> Iterator[Loose]:
    """Yield the declarations of JSON Lines, each line on its own; bad lines raise last."""
    problems = _Problems(name)
    for n, line in enumerate(text.split("\n"), start=1):
        pos = _skip_blanks(line)
        if pos == len(line):
            continue
        try:
            value, end, where = _read_value(_Scanner(line, name, n), pos, name, f"#{n}")
            if _skip_blanks(line, end) != len(line):
                raise InputError("not valid JSON: more data after the value", file=name)
        except InputError as exc:
            problems.add(n, exc.reason)
            continue
        if isinstance(value, dict):
            yield _declaration(value, name, n, f"#{n}", where)
        else:
            problems.add(n, f"line {n} is {_kind(value)}, not a declaration object")
    error = problems.error()
    if error is not None:
        raise error


def _whole(line: str) -> Any:
    """Return the one JSON value a line holds, or raise ValueError."""
    try:
        value, end = _DECODER.raw_decode(line, _skip_blanks(line))
    except (json.JSONDecodeError, RecursionError):
        raise ValueError(line) from None
    if _skip_blanks(line, end) != len(line):
        raise ValueError(line)
    return value


def _broken_json_lines(text: str, start: int) -> bool:
    """Tell, of text that is not one JSON document, whether it is JSON Lines whose first
    line is broken: that line alone is no value, and the next non-blank line is an object."""
    first_end = text.find("\n", start)
    if first_end < 0:
        return False
    try:
        _whole(text[start:first_end])
    except ValueError:
        pass
    else:
        return False
    rest = text[first_end + 1 :].lstrip(" \t\r\n")
    try:
        return isinstance(_whole(rest.split("\n", 1)[0]), dict)
    except ValueError:
        return False


def _array_then_more(text: str, start: int) -> bool:
    """Tell whether an array's first line is a whole value with more lines after it (then
    the text is JSON Lines, whose first line is an array)."""
    first_end = text.find("\n", start)
    if first_end < 0 or _skip_blanks(text, first_end) == len(text):
        return False
    try:
        _whole(text[start:first_end])
    except ValueError:
        return False
    return True


_DECLARATION_KEYS = frozenset(Declaration.model_fields)


def read_json_text(text: str, name: str = "<input>") -> Iterator[Declaration]:
    """Yield the declarations of alcheck JSON text (object, array or JSON Lines).

    JSON Lines are told from one document by content: the first value ends before the
    text does, or the text is no document, its first line no value, and its next
    non-blank line an object.
    """
    yield from map(lenient_declaration, loose_json_text(text, name))


def loose_json_text(text: str, name: str = "<input>") -> Iterator[Loose]:
    """Yield the declarations of alcheck JSON text as read: each the loose data
    `lenient_declaration` makes its `Declaration` of (`read_json_text`), which a check
    lays out as columns without the model (`loose_columns`). Raises as `read_json_text`."""
    body = text.removeprefix("\ufeff")
    start = _skip_blanks(body)
    if start == len(body):
        raise NotADeclarationError("empty input", file=name, line=1)
    if body.startswith("[", start):
        if _array_then_more(body, start):
            yield from _json_lines(body, name)
        else:
            yield from _array(body, start, name)
        return
    first_line = _line_at(body, start)
    try:
        value, end, where = _read_value(_Scanner(body, name), start, name, "")
    except InputError:
        if _broken_json_lines(body, start):
            yield from _json_lines(body, name)
            return
        raise
    if _skip_blanks(body, end) < len(body):
        yield from _json_lines(body, name)
        return
    if not isinstance(value, dict):
        raise NotADeclarationError(
            f"expected a declaration object, found {_kind(value)}", file=name, line=first_line
        )
    if value and not set(value) & _DECLARATION_KEYS:
        # A package.json, a tool's settings: JSON, but none of a declaration's fields.
        raise NotADeclarationError(
            "a JSON object with none of a declaration's fields (id, jurisdiction, items, …)",
            file=name, line=first_line,
        )  # fmt: skip
    yield _declaration(value, name, first_line, "", where)


def read_json(path: str | Path) -> Iterator[Declaration]:
    """Yield the declarations of an alcheck JSON or JSON Lines file."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=name) from None
    yield from read_json_bytes(raw, name)


def read_json_bytes(raw: bytes, name: str = "<input>") -> Iterator[Declaration]:
    """Yield the declarations of alcheck JSON bytes; non-UTF-8 input names its line."""
    yield from map(lenient_declaration, loose_json_bytes(raw, name))


def loose_json_bytes(raw: bytes, name: str = "<input>") -> Iterator[Loose]:
    """Yield the declarations of alcheck JSON bytes as `loose_json_text` does."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 (byte {exc.start})", file=name, line=line) from None
    yield from loose_json_text(text, name)


def loose_json_stream(stream: IO[bytes], name: str = "<input>") -> Iterator[Loose]:
    """Yield the declarations of alcheck JSON read from a binary stream as
    `loose_json_text` does (the whole stream is read first)."""
    yield from loose_json_bytes(stream.read(), name)


def _dump(decl: Declaration) -> dict[str, Any]:
    """A declaration as alcheck JSON: where its values were read is not written (a reader
    says where it reads them, and would report given ones as input it does not read)."""
    result: dict[str, Any] = decl.model_dump(
        mode="json",
        exclude_defaults=True,
        exclude={"location": True, "sources": True, "items": {"__all__": {"location", "sources"}}},
    )
    return result


def write_json(decls: Iterable[Declaration], out: IO[str], *, lines: bool = False) -> None:
    """Write declarations as a JSON array, or as JSON Lines when `lines` is true."""
    if lines:
        for decl in decls:
            out.write(json.dumps(_dump(decl), ensure_ascii=False, sort_keys=True) + "\n")
        return
    json.dump([_dump(d) for d in decls], out, ensure_ascii=False, indent=2, sort_keys=True)
    out.write("\n")
