"""Explain a rule: what it checks, when, on what authority — in English, French or Spanish."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .checks import BUILTIN_RULES
from .errors import UsageError
from .findings import CheckClass, Severity
from .ruleset import RuleSet


@dataclass(frozen=True, slots=True)
class Entry:
    """One version or variant of a rule."""

    severity: Severity
    valid_from: dt.date | None
    valid_to: dt.date | None
    summary: str
    conditions: dict[str, object]
    message: str
    hint: str
    citation: str | None
    caveat: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class Explanation:
    """A rule id with its class, the pack that defines it, and each of its entries."""

    rule_id: str
    check_class: CheckClass
    pack: str
    pack_version: str | None
    entries: tuple[Entry, ...]

    def text(self) -> str:
        """Return the explanation as plain text for a terminal."""
        version = f" {self.pack_version}" if self.pack_version else ""
        lines = [f"{self.rule_id} ({self.check_class.value}; pack {self.pack}{version})"]
        for n, e in enumerate(self.entries, start=1):
            window = f"{e.valid_from or 'always'} – {e.valid_to or 'open'}"
            head = f"[{n}] " if len(self.entries) > 1 else ""
            lines.append(f"{head}{e.severity.value}, in force {window}: {e.summary}")
            if e.conditions:
                conds = "; ".join(f"{k} = {v}" for k, v in e.conditions.items())
                lines.append(f"    when: {conds}")
            lines.append(f"    message: {e.message}")
            lines.append(f"    hint: {e.hint}")
            if e.citation:
                lines.append(f"    citation: {e.citation}")
            if e.caveat:
                lines.append(f"    caveat: {e.caveat}")
        return "\n".join(lines) + "\n"


def explain(rule_id: str, rules: RuleSet | None = None, lang: str = "en") -> Explanation:
    """Return what `rule_id` checks, its windows, messages and citations (built-in or pack)."""
    if lang not in ("en", "fr", "es"):
        raise UsageError(f"lang must be en, fr or es, not {lang!r}")
    builtin = BUILTIN_RULES.get(rule_id)
    if builtin is not None:
        entry = Entry(
            builtin.severity, None, None, builtin.summary, {}, builtin.messages[lang],
            builtin.hint[lang], None, None, None,
        )  # fmt: skip
        return Explanation(rule_id, builtin.check_class, "builtin", None, (entry,))
    rs = rules if rules is not None else RuleSet.default()
    found = rs.entries(rule_id)
    if not found:
        raise UsageError(f"no rule {rule_id!r}; known: {', '.join([*BUILTIN_RULES, *rs.ids()])}")
    entries = tuple(
        Entry(
            r.severity,
            r.valid_from,
            r.valid_to,
            r.summary,
            r.when.model_dump(exclude_defaults=True),
            getattr(r.message, lang),
            getattr(r.hint, lang),
            f"{r.citation.instrument}" + (f", {r.citation.section}" if r.citation.section else ""),
            r.citation.caveat,
            r.citation.url,
        )
        for r in found
    )
    first = found[0]
    return Explanation(rule_id, first.check_class, first.pack.name, first.pack.version, entries)
