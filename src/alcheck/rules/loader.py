"""Load rule packs from TOML: merge entries, read code lists, expand sets, validate, lint.

Every problem names the file and line it comes from: a rule by the line of its entry's
header, a code list row by its CSV line.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import json
import re
import tomllib
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import RulePackError, UsageError
from .schema import CodeListRow, Pack

_RULE_HEADER = re.compile(r"^\s*\[\[\s*rules\s*\]\]\s*(#.*)?$")
_ENTRY_HEADER = re.compile(r"^\s*\[\[\s*rules\s*\.\s*entries\s*\]\]\s*(#.*)?$")
_PACKS = "rules/packs"
# Keys an entry merges into its rule's (one level deep); any other key replaces.
_MERGED = ("when", "citation", "params", "summary", "message", "hint")
# Conditions that may name a code list ("@note16_c_vi"); lists keep their rows' windows.
LIST_CONDITIONS = ("tariff", "tariff_not")
LIST_COLUMNS = ("code", "heading", "valid_from", "valid_to", "note")

ReadText = Callable[[str], str]


def _headers(text: str) -> list[tuple[int, list[int]]]:
    """Return each `[[rules]]` header's line with the lines of its `[[rules.entries]]`."""
    found: list[tuple[int, list[int]]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if "[[" not in line:  # neither header: most lines, passed over without a regex
            continue
        if _RULE_HEADER.match(line):
            found.append((n, []))
        elif _ENTRY_HEADER.match(line) and found:
            found[-1][1].append(n)
    return found


def _expand(
    values: Any, sets: dict[str, list[str]], where: str, problems: list[str], lists: Any = ()
) -> Any:
    """Replace each "@name" in a list by the members of the named set.

    A name in `lists` (or, where lists are allowed, any name that is not a set) stays as
    "@name": it is a code list, resolved when rule sets are compiled.
    """
    if not isinstance(values, list):
        return values
    out: list[Any] = []
    for v in values:
        if isinstance(v, str) and v.startswith("@"):
            if v[1:] in sets:
                out.extend(sets[v[1:]])
            elif lists is None or v[1:] in lists:
                out.append(v)
            else:
                problems.append(f"{where}: unknown set {v!r}")
        else:
            out.append(v)
    return out


def _merge(table: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    merged = dict(table)
    for key, value in entry.items():
        if key in _MERGED and isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _flatten(
    raw_rules: list[Any], headers: list[tuple[int, list[int]]], source: str, problems: list[str]
) -> tuple[list[Any], list[int], list[int]]:
    """Return one rule dict per entry, with each entry's header line and its table's."""
    rules: list[Any] = []
    entry_lines: list[int] = []
    table_lines: list[int] = []
    for i, table in enumerate(raw_rules):
        line, lines = headers[i] if i < len(headers) else (0, [])
        if not isinstance(table, dict) or "entries" not in table:
            rules.append(table)
            entry_lines.append(line)
            table_lines.append(line)
            continue
        entries = table["entries"]
        base = {k: v for k, v in table.items() if k != "entries"}
        rid = base.get("id", f"#{i + 1}")
        head = f"{source}:{line}" if line else source
        if "cases" in base:
            problems.append(f"{head}: rule {rid}: golden cases go in its entries, not the table")
        if not isinstance(entries, list) or not entries:
            problems.append(f"{head}: rule {rid}: entries must be [[rules.entries]] tables")
            continue
        for j, entry in enumerate(entries):
            where = lines[j] if j < len(lines) else line
            if not isinstance(entry, dict):
                problems.append(f"{source}:{where}: rule {rid}: an entry must be a table")
                continue
            if "id" in entry:
                problems.append(f"{source}:{where}: rule {rid}: an entry cannot change the id")
            rules.append(_merge(base, entry))
            entry_lines.append(where)
            table_lines.append(line)
    return rules, entry_lines, table_lines


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text.strip())


def read_code_list(text: str, source: str) -> tuple[tuple[CodeListRow, ...], list[str]]:
    """Parse a code list's CSV (code, valid_from; optional heading, valid_to, note).

    Return the rows and every problem, each naming the file, line and column.
    """
    problems: list[str] = []
    rows: list[CodeListRow] = []
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = reader.fieldnames or []
    missing = [c for c in ("code", "valid_from") if c not in header]
    if missing:
        return (), [f"{source}:1: the header needs the columns {missing} (has {header})"]
    for record in reader:
        line = reader.line_num
        if None in record:
            problems.append(f"{source}:{line}: more cells than the header has columns")
            continue
        code = (record.get("code") or "").strip()
        digits = code.replace(".", "").replace(" ", "")
        if not (digits.isascii() and digits.isdigit()):
            problems.append(f"{source}:{line}: code: {code!r} is not a tariff code")
            continue
        try:
            start = _date(record.get("valid_from") or "")
        except ValueError:
            problems.append(
                f"{source}:{line}: valid_from: {record.get('valid_from')!r} is not a date "
                "(YYYY-MM-DD)"
            )
            continue
        end_text = (record.get("valid_to") or "").strip()
        try:
            end = _date(end_text) if end_text else None
        except ValueError:
            problems.append(f"{source}:{line}: valid_to: {end_text!r} is not a date (YYYY-MM-DD)")
            continue
        if end is not None and end < start:
            problems.append(f"{source}:{line}: valid_to {end} is before valid_from {start}")
            continue
        rows.append(
            CodeListRow(
                code=code,
                heading=(record.get("heading") or "").strip() or None,
                valid_from=start,
                valid_to=end,
                note=(record.get("note") or "").strip() or None,
                line=line,
            )
        )
    if not rows and not problems:
        problems.append(f"{source}: the list has no rows")
    return tuple(rows), problems


def _lists(
    raw: Any, source: str, read_text: ReadText | None, problems: list[str]
) -> dict[str, Any]:
    """Return the pack's `[lists]` with each list's rows read from its CSV file."""
    if not isinstance(raw, dict):
        problems.append(f"{source}: [lists] must map names to tables")
        return {}
    out: dict[str, Any] = {}
    for name, spec in raw.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("file"), str):
            problems.append(f'{source}: list {name}: needs file = "NAME.csv"')
            continue
        if read_text is None:
            problems.append(f"{source}: list {name}: a pack read from text cannot name files")
            continue
        try:
            text, path = read_text(spec["file"]), spec["file"]
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{source}: list {name}: cannot read {spec['file']}: {exc}")
            continue
        rows, bad = read_code_list(text, path)
        problems.extend(bad)
        out[name] = {**spec, "rows": rows, "path": path}
    return out


def load_pack_text(text: str, source: str = "<pack>", read_text: ReadText | None = None) -> Pack:
    """Parse, validate and lint a pack's TOML text; raise RulePackError listing every problem.

    `read_text(name)` returns the text of a file the pack names (its code lists).
    """
    # On use: checking declarations with the bundled packs lints nothing (`load_bundled`).
    from .lint import lint_pack

    pack, problems = _validated(text, source, read_text)
    problems.extend(lint_pack(pack))
    if problems:
        raise RulePackError(problems)
    return pack


def _validated(text: str, source: str, read_text: ReadText | None) -> tuple[Pack, list[str]]:
    """Parse and validate a pack's TOML; return the pack and the problems found in its sets
    and code lists. Raise RulePackError with those and the schema's when it does not validate.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulePackError([f"{source}: not valid TOML: {exc}"]) from None
    except RecursionError:
        raise RulePackError(
            [f"{source}: not valid TOML: arrays or tables nested too deep"]
        ) from None
    problems: list[str] = []
    raw_rules, lines = _laid_out(raw, text, source, read_text, problems)
    try:
        return Pack.model_validate(raw), problems
    except RecursionError:
        raise RulePackError([f"{source}: values nested too deep to read"]) from None
    except ValidationError as exc:
        for err in exc.errors():
            loc = err["loc"]
            if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
                where = _where(source, lines, raw_rules, loc[1])
                field = ".".join(str(p) for p in loc[2:]) or "rule"
            else:
                where, field = source, ".".join(str(p) for p in loc)
            problems.append(f"{where}: {field}: {err['msg']}")
        raise RulePackError(problems) from None


def _laid_out(
    raw: dict[str, Any], text: str, source: str, read_text: ReadText | None, problems: list[str]
) -> tuple[list[Any], list[int]]:
    """Lay a parsed pack out as `Pack` reads it: sets expanded, code lists read, one rule
    per entry with its line. Return the rules and their lines; add problems to `problems`."""
    sets = raw.get("sets", {})
    if not isinstance(sets, dict) or not all(isinstance(v, list) for v in sets.values()):
        problems.append(f"{source}: [sets] must map names to lists")
        sets = {}
    # Sets may name other sets ("@concern") once defined above them.
    sets = {
        name: _expand(members, sets, f"{source}: set {name}", problems)
        for name, members in sets.items()
    }
    lists = _lists(raw.get("lists", {}), source, read_text, problems)
    raw_rules = raw.get("rules", [])
    lines: list[int] = []
    table_lines: list[int] = []
    if isinstance(raw_rules, list):
        raw_rules, lines, table_lines = _flatten(raw_rules, _headers(text), source, problems)
        for i, rule in enumerate(raw_rules):
            if isinstance(rule, dict) and isinstance(rule.get("when"), dict):
                where = _where(source, lines, raw_rules, i)
                rule["when"] = {
                    k: _expand(v, sets, where, problems, None if k in LIST_CONDITIONS else ())
                    for k, v in rule["when"].items()
                }
    raw["rules"] = raw_rules
    raw["sets"] = sets
    raw["lists"] = lists
    raw["source"] = source
    raw["rule_lines"] = lines
    raw["table_lines"] = table_lines
    return raw_rules, lines


def _where(source: str, lines: list[int], raw_rules: list[Any], index: int) -> str:
    line = lines[index] if index < len(lines) else None
    rule = raw_rules[index] if index < len(raw_rules) else None
    rid = rule.get("id") if isinstance(rule, dict) else None
    head = f"{source}:{line}" if line else source
    return f"{head}: rule {rid or f'#{index + 1}'}"


def load_pack(path: str | Path) -> Pack:
    """Load a pack from a TOML file; the code lists it names are read beside it."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulePackError([f"{p}: cannot read: {exc}"]) from None

    def read_text(name: str) -> str:
        return (p.parent / name).read_text(encoding="utf-8")

    return load_pack_text(text, str(p), read_text)


def bundled_pack_names() -> list[str]:
    """Return the names of the packs shipped with alcheck."""
    folder = files("alcheck").joinpath(_PACKS)
    return sorted(e.name[: -len(".toml")] for e in folder.iterdir() if e.name.endswith(".toml"))


def load_bundled(name: str, *, cases: bool = True) -> Pack:
    """Load a bundled pack by name (e.g. "us"); an unknown name is a UsageError (a
    caller's mistake, not a problem in a pack).

    With `cases=False`, the pack a check needs: its rules without their golden cases,
    which are not read, and not linted (linting needs the cases). The bundled packs ship
    as tested: tests/test_startup.py shows that they lint clean and that this loads the
    same rules.
    """
    if name not in bundled_pack_names():
        close = difflib.get_close_matches(name, bundled_pack_names(), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UsageError(
            f"no bundled pack named {name!r}; bundled: {', '.join(bundled_pack_names())}{hint}"
        )
    if not cases and (shipped := _shipped_rules(name)) is not None:
        return shipped
    return _bundled_from_toml(name, cases=cases)


def _bundled_from_toml(name: str, *, cases: bool, read: list[str] | None = None) -> Pack:
    """Load a bundled pack from its TOML; add each file read to `read`."""
    folder = files("alcheck").joinpath(_PACKS)
    text = folder.joinpath(f"{name}.toml").read_text(encoding="utf-8")
    source = f"alcheck:{_PACKS}/{name}.toml"
    if read is not None:
        read.append(f"{name}.toml")

    def read_text(file: str) -> str:
        if read is not None:
            read.append(file)
        return folder.joinpath(file).read_text(encoding="utf-8")

    if cases:
        return load_pack_text(text, source, read_text)
    pack, problems = _validated(_without_cases(text), source, read_text)
    if problems:
        raise RulePackError(problems)
    return pack


# A bundled pack's rules also ship as JSON (`packs/NAME.rules.json`, written by
# scripts/export_packs.py, kept current by tests/test_startup.py): the pack that
# `load_bundled(name, cases=False)` makes from the TOML, after a line holding the SHA-256
# of each file it was made from. Validating that JSON takes a tenth of the time of parsing
# the TOML; a file changed since (an edited pack) makes the TOML be read instead.
def bundled_rules_json(name: str) -> str:
    """Return the JSON of a bundled pack's rules as shipped, made from its TOML."""
    read: list[str] = []
    pack = _bundled_from_toml(name, cases=False, read=read)
    folder = files("alcheck").joinpath(_PACKS)
    digests = {file: _digest(folder.joinpath(file).read_bytes()) for file in sorted(read)}
    return json.dumps(digests) + "\n" + pack.model_dump_json() + "\n"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _shipped_rules(name: str) -> Pack | None:
    """Return a bundled pack's rules from its JSON, or None when there is none or a file
    it was made from has changed."""
    folder = files("alcheck").joinpath(_PACKS)
    shipped = folder.joinpath(f"{name}.rules.json")
    if not shipped.is_file():
        return None
    sources, pack = shipped.read_bytes().split(b"\n", 1)
    for file, digest in json.loads(sources).items():
        if _digest(folder.joinpath(file).read_bytes()) != digest:
            return None
    return Pack.model_validate_json(pack)


# A bundled pack's golden cases: `cases = [`, one case a line, then `]`, each at the
# start of its line (how the bundled packs are written). Cases written otherwise are
# parsed with the rest, only slower; tests/test_startup.py holds the rules to be the same.
_CASES = re.compile(r"^cases = \[\r?\n.*?^\]\r?$", re.MULTILINE | re.DOTALL)


def _without_cases(text: str) -> str:
    """Return a bundled pack's TOML with its golden cases blanked, each line kept (so
    that every rule keeps its line): parsing them is a third of loading the pack."""
    return _CASES.sub(lambda m: "\n" * m.group().count("\n"), text)
