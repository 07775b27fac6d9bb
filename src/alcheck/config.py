"""Settings for `alcheck check` from `alcheck.toml` or `[tool.alcheck]` in pyproject.toml.

Looked for from the current folder up to the root, as ruff does: in each folder an
`alcheck.toml` first, then a `pyproject.toml` with a `[tool.alcheck]` table; the first
found is used (none: the built-in defaults). Options given on the command line replace
the file's. Keys are the long options without dashes (`fail-on` or `fail_on`).
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UsageError
from .i18n import LANGS

# key -> (kind, allowed values or None)
KEYS: dict[str, tuple[type, tuple[str, ...] | None]] = {
    "select": (list, None),
    "ignore": (list, None),
    "exclude": (list, None),
    "pack": (list, None),
    "severity": (dict, None),
    "fail-on": (str, ("error", "warning", "never")),
    "lang": (str, LANGS),
    "format": (str, ("text", "concise", "json", "sarif", "csv", "github", "parquet")),
    "input-format": (str, ("xml", "csv", "json", "catair", "pedimento", "carm")),
}


@dataclass(frozen=True)
class Config:
    """The settings a file gave (`values`, by key) and the file they came from."""

    source: Path | None = None
    values: dict[str, Any] = field(default_factory=dict)


def find_config(start: Path | None = None) -> Config:
    """Return the settings of the nearest alcheck.toml or [tool.alcheck], if any."""
    folder = (start or Path.cwd()).resolve()
    for here in (folder, *folder.parents):
        own = here / "alcheck.toml"
        if own.is_file():
            return load_config(own, table=None)
        project = here / "pyproject.toml"
        if project.is_file():
            found = load_config(project, table=("tool", "alcheck"))
            if found.source is not None:
                return found
    return Config()


def load_config(path: Path, table: tuple[str, ...] | None) -> Config:
    """Read and check a settings file; UsageError names the file and what is wrong."""
    try:
        data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: not a readable TOML file: {exc}") from None
    for key in table or ():
        data = data.get(key) if isinstance(data, dict) else None
        if data is None:
            return Config()
    if not isinstance(data, dict):
        raise UsageError(f"{path}: [{'.'.join(table or ())}] must be a table")
    values: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = raw_key.replace("_", "-")
        if key not in KEYS:
            close = difflib.get_close_matches(key, list(KEYS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UsageError(f"{path}: unknown setting {raw_key!r}{hint}")
        kind, allowed = KEYS[key]
        if kind is list and isinstance(value, str):
            value = [value]
        if not _of_kind(value, kind) or (allowed is not None and value not in allowed):
            expected = f"one of {', '.join(allowed)}" if allowed else f"a {kind.__name__}"
            raise UsageError(f"{path}: {raw_key} must be {expected}, not {value!r}")
        values[key] = value
    return Config(path, values)


def _of_kind(value: Any, kind: type) -> bool:
    if isinstance(value, list):
        return kind is list and all(isinstance(v, str) for v in value)
    if isinstance(value, dict):
        return kind is dict and all(isinstance(v, str) for v in value.values())
    return isinstance(value, kind)
