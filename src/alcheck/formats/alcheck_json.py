"""alcheck's own JSON: one declaration, a list of them, or JSON Lines (one per line)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import InputError, NotADeclarationError
from ..model import Declaration, lenient_declaration


def _decode(text: str, name: str, first_line: int = 1) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg} (column {exc.colno})",
            file=name,
            line=first_line + exc.lineno - 1,
        ) from None


def _declaration(data: Any, name: str, line: int, pointer: str) -> Declaration:
    if not isinstance(data, dict):
        raise NotADeclarationError(
            f"expected a declaration object at {pointer or '/'}, found {type(data).__name__}",
            file=name,
            line=line,
        )
    data = dict(data)
    data.setdefault("location", {"file": name, "line": line, "path": pointer or "/"})
    items = data.get("items")
    if isinstance(items, list):
        data["items"] = [
            {"location": {"file": name, "line": line, "path": f"{pointer}/items/{i}"}, **item}
            if isinstance(item, dict)
            else item
            for i, item in enumerate(items)
        ]
    return lenient_declaration(data)


def read_json_text(text: str, name: str = "<input>") -> Iterator[Declaration]:
    """Yield the declarations of alcheck JSON text (object, array or JSON Lines)."""
    stripped = text.lstrip("\ufeff").strip()
    if not stripped:
        raise NotADeclarationError("empty input", file=name, line=1)
    lines = stripped.splitlines()
    if (
        stripped.startswith("{")
        and len(lines) > 1
        and all(ln.strip().startswith("{") for ln in lines if ln.strip())
    ):
        # JSON Lines: every non-blank line is an object of its own.
        offset = text.lstrip("\ufeff").find(stripped)
        first = text[:offset].count("\n") + 1
        for n, ln in enumerate(lines, start=first):
            if ln.strip():
                yield _declaration(_decode(ln, name, n), name, n, f"#{n}")
        return
    data = _decode(text.lstrip("\ufeff"), name)
    if isinstance(data, list):
        for i, entry in enumerate(data):
            yield _declaration(entry, name, 1, f"/{i}")
    else:
        yield _declaration(data, name, 1, "")


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
    result: dict[str, Any] = decl.model_dump(mode="json", exclude_defaults=True)
    return result


def write_json(decls: Iterable[Declaration], out: IO[str], *, lines: bool = False) -> None:
    """Write declarations as a JSON array, or as JSON Lines when `lines` is true."""
    if lines:
        for decl in decls:
            out.write(json.dumps(_dump(decl), ensure_ascii=False, sort_keys=True) + "\n")
        return
    json.dump([_dump(d) for d in decls], out, ensure_ascii=False, indent=2, sort_keys=True)
    out.write("\n")
