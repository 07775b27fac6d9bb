"""Explain a rule: what it checks, when, on what authority — in English, French or Spanish."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .checks import BUILTIN_RULES
from .errors import UsageError
from .findings import CheckClass, Severity
from .i18n import LANGS, translation
from .rules.schema import ChangelogEntry, in_language
from .ruleset import RuleSet

# The labels of `Explanation.text`: English msgids of the translation catalogue.
_LABELS = {
    "pack": "pack", "always": "always", "open": "open", "in force": "in force",
    "when": "when", "message": "message", "hint": "hint", "citation": "citation",
    "caveat": "caveat", "changes": "changes", "lists": "code lists", "rows": "rows",
    "rules": "rules", "gaps": "known gaps",
}  # fmt: skip


def _labels(lang: str) -> dict[str, str]:
    words = translation(lang)
    return {key: words.gettext(text) for key, text in _LABELS.items()}


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
    lang: str = "en"
    changes: tuple[ChangelogEntry, ...] = ()

    def text(self) -> str:
        """Return the explanation as plain text for a terminal, labelled in its language."""
        say = _labels(self.lang)
        version = f" {self.pack_version}" if self.pack_version else ""
        lines = [f"{self.rule_id} ({self.check_class.value}; {say['pack']} {self.pack}{version})"]
        for n, e in enumerate(self.entries, start=1):
            window = f"{e.valid_from or say['always']} – {e.valid_to or say['open']}"
            head = f"[{n}] " if len(self.entries) > 1 else ""
            lines.append(f"{head}{e.severity.value}, {say['in force']} {window}: {e.summary}")
            if e.conditions:
                conds = "; ".join(f"{k} = {v}" for k, v in e.conditions.items())
                lines.append(f"    {say['when']}: {conds}")
            lines.append(f"    {say['message']}: {e.message}")
            lines.append(f"    {say['hint']}: {e.hint}")
            if e.citation:
                lines.append(f"    {say['citation']}: {e.citation}")
            if e.caveat:
                lines.append(f"    {say['caveat']}: {e.caveat}")
        if self.changes:
            lines.append(f"{say['changes']}:")
            lines.extend(f"  {_change_line(c)}" for c in self.changes)
        return "\n".join(lines) + "\n"


def _change_line(c: ChangelogEntry) -> str:
    """Return one changelog entry as a line (changelogs are written in English)."""
    return f"{c.date} ({c.version}): {c.change} Why: {c.why} [{c.instrument}]"


def explain(rule_id: str, rules: RuleSet | None = None, lang: str = "en") -> Explanation:
    """Return what `rule_id` checks, its windows, messages and citations (built-in or pack)."""
    if lang not in LANGS:
        raise UsageError(f"lang must be en, fr or es, not {lang!r}")
    builtin = BUILTIN_RULES.get(rule_id)
    if builtin is not None:
        entry = Entry(
            builtin.severity, None, None, builtin.summary[lang], {}, builtin.messages[lang],
            builtin.hint[lang], None, None, None,
        )  # fmt: skip
        return Explanation(rule_id, builtin.check_class, "builtin", None, (entry,), lang)
    rs = rules if rules is not None else RuleSet.default()
    found = rs.entries(rule_id)
    if not found:
        raise UsageError(f"no rule {rule_id!r}; known: {', '.join([*BUILTIN_RULES, *rs.ids()])}")
    entries = tuple(
        Entry(
            r.severity,
            r.valid_from,
            r.valid_to,
            in_language(r.summary, lang),
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
    return Explanation(
        rule_id, first.check_class, first.pack.name, first.pack.version, entries, lang,
        tuple(rs.changes(rule_id)),
    )  # fmt: skip


def describe_pack(name: str, rules: RuleSet | None = None, lang: str = "en") -> str:
    """Return a loaded pack's version, rules, code lists (with sources) and changelog as text."""
    if lang not in LANGS:
        raise UsageError(f"lang must be en, fr or es, not {lang!r}")
    rs = rules if rules is not None else RuleSet.default()
    meta = next((p for p in rs.packs if p.name == name), None)
    if meta is None:
        raise UsageError(f"no pack {name!r} loaded; loaded: {', '.join(p.name for p in rs.packs)}")
    say = _labels(lang)
    ids = [rid for rid in rs.ids() if rs.entries(rid)[0].pack.name == name]
    lines = [f"{say['pack']} {name} {meta.version} ({meta.jurisdiction})"]
    lines.append(f"{say['rules']}: {', '.join(ids)}")
    lists = [(n, cl) for n, cl in rs.code_lists.items() if rs.list_owners.get(n) == name]
    if lists:
        lines.append(f"{say['lists']}:")
        for list_name, cl in lists:
            lines.append(f"  @{list_name}: {cl.title} ({say['rows']}: {len(cl.rows)}; {cl.path})")
            if cl.provenance:
                lines.append(f"      {cl.provenance}")
    changes = sorted((c for p, c in rs.changelog if p == name), key=lambda c: c.date, reverse=True)
    if changes:
        lines.append(f"{say['changes']}:")
        lines.extend(f"  {c.rule}: {_change_line(c)}" for c in changes)
    return "\n".join(lines) + "\n"
