"""Write docs/rules-us.md from the US pack, so the page always says what the pack does.

Run from the repository root: python scripts/make_rule_docs.py
tests/test_docs.py checks that the page is current.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alcheck.rules import load_bundled
from alcheck.rules.schema import in_language

ROOT = Path(__file__).resolve().parent.parent

INTRO = """# United States rules (pack `us`)

Generated from `src/alcheck/rules/packs/us.toml` by `scripts/make_rule_docs.py`; do not
edit by hand. Facts come from `../shared/docs/regulations.md` §1–2; a fact marked there
[P] (partly verified) or [R] (unconfirmed) carries that mark in the rule's caveat below.
Windows are inclusive; "open" means no end date. An id can have several entries
(versions over time, or variants such as one per AD/CVD order); each entry that holds
gives its own finding.

## Known gaps
- The AIM licence's ACE field and number format were not found: the profile carries it
  as document type `AIM`; licence quantity, validity (75 days, [P]) and party matching
  (indicator I5) are not checked.
- Section 232 scope is Proclamation 9704 articles and Proclamation 9980 derivatives; the
  2025 derivative lists (Proclamation 10895 Annex I, 104 codes on metal content; BIS
  inclusions of 2025-08-18, 407 codes) are not encoded, nor is the metal-content split.
- UK goods from 2022-06-01 (TRQ chapter 99 numbers not found) are not checked by
  US-232-DUTY until 2025-06-04, when a warning-level entry assumes 9903.85.02/.04 ([R]).
- General approved exclusions and product exclusions are not modelled.
- AD/CVD: the written scope decides, not the HTS number; case numbers of the 2021 CAAS
  and foil orders (except Bahrain and Russia) were not captured, so any `ADC` document
  satisfies those entries.
"""


def render() -> str:
    """Return the page's text."""
    pack = load_bundled("us")
    lines = [INTRO, f"## Rules (pack version {pack.pack.version})", ""]
    seen: list[str] = []
    for rule in pack.rules:
        if rule.id not in seen:
            seen.append(rule.id)
    for rid in seen:
        entries = [r for r in pack.rules if r.id == rid]
        lines.append(f"### {rid}")
        lines.append("")
        lines.append("| severity | window | checks | citation | caveat |")
        lines.append("|---|---|---|---|---|")
        for r in entries:
            window = f"{r.valid_from} – {r.valid_to or 'open'}"
            cite = r.citation.instrument + (f", {r.citation.section}" if r.citation.section else "")
            cite = f"[{cite}]({r.citation.url})".replace("|", "\\|")
            caveat = (r.citation.caveat or "").replace("|", "\\|")
            summary = in_language(r.summary, "en")
            lines.append(f"| {r.severity.value} | {window} | {summary} | {cite} | {caveat} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    (ROOT / "docs" / "rules-us.md").write_text(render(), encoding="utf-8")
    sys.stdout.write("wrote docs/rules-us.md\n")
