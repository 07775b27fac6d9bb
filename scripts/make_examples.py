"""Write examples/ from the bundled packs' golden cases: clean entries and rule triggers.

Run from the repository root: python scripts/make_examples.py
For each jurisdiction pack (us, ca, mx) it writes, in the WCO XML profile and in CSV:
  <pack>-clean.xml / .csv      the pack's clean default entry (no pack finding)
  <pack>-triggers.xml / .csv   one declaration per golden "fire" case of the pack, whose
                               id names the rule it triggers (every bundled rule fires)
The monitoring pack's (risk) triggers go to risk-triggers.xml / .csv.
tests/test_examples.py checks that the files are current and trigger what they say.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from alcheck.formats import write_csv, write_wco_xml
from alcheck.model import Declaration, lenient_declaration
from alcheck.rules import bundled_pack_names, load_bundled
from alcheck.rules.golden import case_declaration
from alcheck.rules.schema import GoldenCase, Pack

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _declaration(pack: Pack, case: GoldenCase, decl_id: str) -> Declaration:
    data: dict[str, Any] = case_declaration(pack, case)
    data["id"] = decl_id
    return lenient_declaration(data)


def clean(pack: Pack) -> list[Declaration]:
    """Return the pack's clean default entry."""
    case = GoldenCase(expect="pass", note="clean default entry")
    return [_declaration(pack, case, f"{pack.pack.name.upper()}-CLEAN-1")]


def triggers(pack: Pack) -> list[Declaration]:
    """Return one declaration per golden fire case, its id naming the rule and case number."""
    out: list[Declaration] = []
    counts: dict[str, int] = {}
    for rule in pack.rules:
        for case in rule.cases:
            if case.expect != "fire" or case.rates:
                continue  # a case that needs caller rates cannot fire from a file alone
            n = counts[rule.id] = counts.get(rule.id, 0) + 1
            out.append(_declaration(pack, case, f"{rule.id}-{n}"))
    return out


def render(decls: list[Declaration]) -> tuple[bytes, str]:
    """Return the declarations as WCO XML bytes and CSV text."""
    xml = io.BytesIO()
    write_wco_xml(decls, xml)
    text = io.StringIO(newline="")
    write_csv(decls, text)
    return xml.getvalue(), text.getvalue()


def expected_files() -> dict[str, bytes]:
    """Return every generated example file's name and content."""
    files: dict[str, bytes] = {}
    for name in bundled_pack_names():
        pack = load_bundled(name)
        sets = [("triggers", triggers(pack))]
        if pack.pack.jurisdiction != "*":
            sets.append(("clean", clean(pack)))
        for kind, decls in sets:
            xml, csv_text = render(decls)
            files[f"{name}-{kind}.xml"] = xml
            files[f"{name}-{kind}.csv"] = csv_text.encode("utf-8")
    return files


if __name__ == "__main__":
    for fname, content in expected_files().items():
        (EXAMPLES / fname).write_bytes(content)
        sys.stdout.write(f"wrote examples/{fname}\n")
