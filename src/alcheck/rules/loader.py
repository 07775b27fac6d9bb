"""Load rule packs from TOML: expand named sets, validate, lint, and name every problem's line."""

from __future__ import annotations

import re
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import RulePackError
from .lint import lint_pack
from .schema import Pack

_RULE_HEADER = re.compile(r"^\s*\[\[\s*rules\s*\]\]\s*(#.*)?$")
_PACKS = "rules/packs"


def _rule_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if _RULE_HEADER.match(line)]


def _expand(values: Any, sets: dict[str, list[str]], where: str, problems: list[str]) -> Any:
    """Replace each "@name" in a list by the members of the named set."""
    if not isinstance(values, list):
        return values
    out: list[Any] = []
    for v in values:
        if isinstance(v, str) and v.startswith("@"):
            if v[1:] not in sets:
                problems.append(f"{where}: unknown set {v!r}")
                continue
            out.extend(sets[v[1:]])
        else:
            out.append(v)
    return out


def _where(source: str, lines: list[int], raw_rules: list[Any], index: int) -> str:
    line = lines[index] if index < len(lines) else None
    rule = raw_rules[index] if index < len(raw_rules) else None
    rid = rule.get("id") if isinstance(rule, dict) else None
    head = f"{source}:{line}" if line else source
    return f"{head}: rule {rid or f'#{index + 1}'}"


def load_pack_text(text: str, source: str = "<pack>") -> Pack:
    """Parse, validate and lint a pack's TOML text; raise RulePackError listing every problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulePackError([f"{source}: not valid TOML: {exc}"]) from None
    lines = _rule_lines(text)
    problems: list[str] = []
    sets = raw.get("sets", {})
    if not isinstance(sets, dict) or not all(isinstance(v, list) for v in sets.values()):
        problems.append(f"{source}: [sets] must map names to lists")
        sets = {}
    # Sets may name other sets ("@concern") once defined above them.
    sets = {
        name: _expand(members, sets, f"{source}: set {name}", problems)
        for name, members in sets.items()
    }
    raw_rules = raw.get("rules", [])
    if isinstance(raw_rules, list):
        for i, rule in enumerate(raw_rules):
            if isinstance(rule, dict) and isinstance(rule.get("when"), dict):
                where = _where(source, lines, raw_rules, i)
                rule["when"] = {
                    k: _expand(v, sets, where, problems) for k, v in rule["when"].items()
                }
    raw["sets"] = sets
    raw["source"] = source
    raw["rule_lines"] = lines
    try:
        pack = Pack.model_validate(raw)
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
    problems.extend(lint_pack(pack))
    if problems:
        raise RulePackError(problems)
    return pack


def load_pack(path: str | Path) -> Pack:
    """Load a pack from a TOML file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulePackError([f"{p}: cannot read: {exc}"]) from None
    return load_pack_text(text, str(p))


def bundled_pack_names() -> list[str]:
    """Return the names of the packs shipped with alcheck."""
    folder = files("alcheck").joinpath(_PACKS)
    return sorted(e.name[: -len(".toml")] for e in folder.iterdir() if e.name.endswith(".toml"))


def load_bundled(name: str) -> Pack:
    """Load a bundled pack by name (e.g. "us")."""
    if name not in bundled_pack_names():
        raise RulePackError(
            [f"no bundled pack named {name!r}; bundled: {', '.join(bundled_pack_names())}"]
        )
    text = files("alcheck").joinpath(f"{_PACKS}/{name}.toml").read_text(encoding="utf-8")
    return load_pack_text(text, f"alcheck:{_PACKS}/{name}.toml")
