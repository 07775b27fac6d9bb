"""Write docs/rules-<pack>.md for every bundled pack, so each page says what its pack does.

Run from the repository root: python scripts/make_rule_docs.py
tests/test_docs.py checks that every page is current.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alcheck.rules import bundled_pack_names, load_bundled
from alcheck.rules.schema import Pack, Rule, in_language

ROOT = Path(__file__).resolve().parent.parent

HEAD = """# {title} (pack `{name}`)

Generated from `src/alcheck/rules/packs/{name}.toml` by `scripts/make_rule_docs.py`; do not
edit by hand. Pack version **{version}**, jurisdiction `{jurisdiction}`. A fact marked
[P] (partly verified) or [R] (unconfirmed) in `../shared/docs/regulations.md` carries that
mark in the caveat of the rule or list that uses it. Windows are inclusive and judged on
the declaration's entry date (or `as_of`); "open" means no end date. A rule id has one or
more entries (windows or variants); each entry that holds gives its own finding.
"""


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _scope(rule: Rule) -> str:
    """Return the entry's code lists and what it says about the heading or rate."""
    lists = [v for v in (*(rule.when.tariff or ()), *(rule.when.tariff_not or ())) if v[:1] == "@"]
    parts = [f"`{v}`" for v in lists]
    parts.extend(f"{k}: {v}" for k, v in rule.params.items())
    return "; ".join(parts)


def _lists(pack: Pack) -> list[str]:
    if not pack.lists:
        return []
    lines = [
        "## Code lists",
        "",
        "Each list is a CSV file beside the pack, built from `../shared/data` by",
        "`scripts/build_code_lists.py`; every row counts only inside its own window. A local",
        "pack can replace a list by name (see [the rule language](rules.md#code-lists)).",
        "",
        "| list | what | instrument | rows | codes | source, completeness, caveat |",
        "|---|---|---|---|---|---|",
    ]
    for name, cl in pack.lists.items():
        link = f"[{_cell(cl.instrument)}]({cl.url})" if cl.url else _cell(cl.instrument)
        source = " ".join(s for s in (cl.provenance, cl.caveat) if s)
        codes = len({row.digits for row in cl.rows})
        lines.append(
            f"| `@{name}` (`{cl.path}`) | {_cell(cl.title)} | {link} | {len(cl.rows)} | "
            f"{codes} | {_cell(source)} |"
        )
    return [*lines, ""]


def _rules(pack: Pack) -> list[str]:
    lines = ["## Rules", ""]
    for rid in dict.fromkeys(r.id for r in pack.rules):
        entries = [r for r in pack.rules if r.id == rid]
        lines += [f"### {rid}", "", in_language(entries[0].summary, "en"), ""]
        lines.append("| severity | window | checks | lists and parameters | citation | caveat |")
        lines.append("|---|---|---|---|---|---|")
        for r in entries:
            window = f"{r.valid_from} – {r.valid_to or 'open'}"
            cite = r.citation.instrument + (f", {r.citation.section}" if r.citation.section else "")
            lines.append(
                f"| {r.severity.value} | {window} | {_cell(in_language(r.summary, 'en'))} | "
                f"{_cell(_scope(r))} | [{_cell(cite)}]({r.citation.url}) | "
                f"{_cell(r.citation.caveat)} |"
            )
        lines.append("")
    return lines


def _changelog(pack: Pack) -> list[str]:
    if not pack.changelog:
        return []
    lines = [
        "## Changes",
        "",
        "| date | version | rule or list | what changed | why | instrument |",
        "|---|---|---|---|---|---|",
    ]
    for c in sorted(pack.changelog, key=lambda c: c.date, reverse=True):
        lines.append(
            f"| {c.date} | {c.version} | {c.rule} | {_cell(c.change)} | {_cell(c.why)} | "
            f"{_cell(c.instrument)} |"
        )
    return [*lines, ""]


def render(name: str) -> str:
    """Return the page of bundled pack `name`."""
    pack = load_bundled(name)
    info = pack.pack
    lines = [HEAD.format(**info.model_dump())]
    if info.about:
        lines += [info.about.strip(), ""]
    if info.known_gaps:
        lines += ["## Known gaps", "", *(f"- {gap}" for gap in info.known_gaps), ""]
    lines += _lists(pack) + _rules(pack) + _changelog(pack)
    return "\n".join(lines).rstrip("\n") + "\n"


def pages() -> dict[str, str]:
    """Return every generated page's text by its file name under docs/."""
    return {f"rules-{name}.md": render(name) for name in bundled_pack_names()}


if __name__ == "__main__":
    for fname, text in pages().items():
        (ROOT / "docs" / fname).write_text(text, encoding="utf-8")
        sys.stdout.write(f"wrote docs/{fname}\n")
