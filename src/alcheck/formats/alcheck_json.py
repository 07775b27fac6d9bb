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
  with unpaired surrogates are errors on their line.
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


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object; a repeated key keeps its first value, each later one kept aside."""
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key not in obj:
            obj[key] = value
            continue
        n = 1
        again = f"{key} (repeated)"
        while again in obj:
            n += 1
            again = f"{key} (repeated {n})"
        obj[again] = value
    return obj


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


def _depth_exceeds(value: Any) -> bool:
    """Tell whether a decoded value nests deeper than MAX_DEPTH (without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
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


def _aside(data: dict[str, Any], given: dict[str, Any]) -> None:
    """Keep values that alcheck must not take from the input in `data`'s `unread`."""
    if not given:
        return
    unread = data.get("unread")
    kept: dict[str, Any] = dict(unread) if isinstance(unread, dict) else {}
    if unread is not None and not isinstance(unread, dict):
        kept["unread"] = unread
    for key, value in given.items():
        slot = key
        while slot in kept:
            slot += " (given)"
        kept[slot] = value
    data["unread"] = kept


def _own_places(data: dict[str, Any]) -> dict[str, Any]:
    """Take `location` and `sources` out of an object read from the input."""
    return {key: data.pop(key) for key in ("location", "sources") if key in data}


def _declaration(data: dict[str, Any], name: str, line: int, pointer: str) -> Declaration:
    data = dict(data)
    _aside(data, _own_places(data))
    data["location"] = {"file": name, "line": line, "path": pointer or "/"}
    items = data.get("items")
    if isinstance(items, list):
        fixed: list[Any] = []
        for i, item in enumerate(items):
            if isinstance(item, dict):
                item = dict(item)
                _aside(item, _own_places(item))
                item["location"] = {"file": name, "line": line, "path": f"{pointer}/items/{i}"}
            fixed.append(item)
        data["items"] = fixed
    return lenient_declaration(data)


def _array(text: str, start: int, name: str) -> Iterator[Declaration]:
    """Yield the declarations of the array at `start`, one entry at a time."""
    problems = _Problems(name)
    pos = _skip_blanks(text, start + 1)
    index = 0
    line, counted = 1, 0
    try:
        if text.startswith("]", pos):
            end = pos + 1
        else:
            while True:
                line += text.count("\n", counted, pos)
                counted = pos
                value, pos = _decode_at(text, pos, name)
                if isinstance(value, dict):
                    yield _declaration(value, name, line, f"/{index}")
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


def _json_lines(text: str, name: str) -> Iterator[Declaration]:
    """Yield the declarations of JSON Lines, each line on its own; bad lines raise last."""
    problems = _Problems(name)
    for n, line in enumerate(text.split("\n"), start=1):
        pos = _skip_blanks(line)
        if pos == len(line):
            continue
        try:
            value, end = _decode_at(line, pos, name)
            if _skip_blanks(line, end) != len(line):
                raise InputError("not valid JSON: more data after the value", file=name)
        except InputError as exc:
            problems.add(n, exc.reason)
            continue
        if isinstance(value, dict):
            yield _declaration(value, name, n, f"#{n}")
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
        value, end = _decode_at(body, start, name)
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
    yield _declaration(value, name, first_line, "")


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
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 (byte {exc.start})", file=name, line=line) from None
    yield from read_json_text(text, name)


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
