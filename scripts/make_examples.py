"""Write examples/ from the bundled packs' golden cases: clean entries and rule triggers.

Run from the repository root: python scripts/make_examples.py
For each jurisdiction pack (us, ca, mx) it writes, in the WCO XML profile and in CSV:
  <pack>-clean.xml / .csv      the pack's clean default entry (no pack finding)
  <pack>-triggers.xml / .csv   one declaration per golden "fire" case of the pack, whose
                               id names the rule it triggers (every bundled rule fires)
The monitoring pack's (risk) triggers go to risk-triggers.xml / .csv.
The US entries also go to us-clean.ae / us-triggers.ae (a CBP ACE entry summary, CATAIR AE)
the Mexican ones to mx-clean.val / mx-triggers.val (a pedimento validation file) and the
Canadian ones to ca-clean.cad.xml / ca-triggers.cad.xml (a CBSA CARM accounting declaration):
each declaration those formats can carry, renumbered as an entry, pedimento or transaction
number.
tests/test_examples.py checks that the files are current and trigger what they say.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from alcheck.errors import UsageError
from alcheck.formats import write_catair, write_csv, write_pedimento, write_wco_xml
from alcheck.formats.carm import write_carm
from alcheck.formats.catair import entry_check_digit
from alcheck.model import Declaration, Document, lenient_declaration
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


def _entry_number(n: int, decl: Declaration) -> str:
    transaction = f"{n:07d}"
    return f"B76-{transaction}-{entry_check_digit('B76', transaction)}"


def _as_ace(decl: Declaration) -> Declaration:
    """Return the declaration with its AIM licence numbers as ACE carries them (at most 9
    letters and digits, [P] regulations.md §9.1): "AIM-2025-0001" becomes "A20250001"."""

    def licence(doc: Document) -> Document:
        if doc.type != "AIM" or doc.id is None:
            return doc
        compact = "".join(c for c in doc.id if c.isalnum())
        return doc.model_copy(update={"id": compact[:1] + compact[-8:]})

    items = tuple(
        item.model_copy(update={"documents": tuple(map(licence, item.documents))})
        for item in decl.items
    )
    return decl.model_copy(
        update={"items": items, "documents": tuple(map(licence, decl.documents))}
    )


def _pedimento_number(n: int, decl: Declaration) -> str:
    year = decl.entry_date.year if decl.entry_date else 2026
    return f"{year % 100:02d} 40 3362 {year % 10}{n:06d}"


def _transaction_number(n: int, decl: Declaration) -> str:
    return f"12345{n:09d}"  # 14 digits, as a CAD's transaction number


def _as_cad(decl: Declaration) -> Declaration:
    """Return the declaration as a CAD states it: a consumption entry is type AB."""
    if decl.regime is not None and decl.regime.value == "consumption":
        return decl.model_copy(update={"declaration_type": "AB"})
    return decl


def _write_cad(decls: list[Declaration], out: io.StringIO) -> None:
    binary = io.BytesIO()
    write_carm(decls, binary)
    out.write(binary.getvalue().decode("utf-8"))


# The national formats, by jurisdiction: suffix, writer, how a declaration is renumbered.
NATIONAL = {
    "US": ("ae", write_catair, _entry_number),
    "MX": ("val", write_pedimento, _pedimento_number),
    "CA": ("cad.xml", _write_cad, _transaction_number),
}


def national(decls: list[Declaration], jurisdiction: str) -> str:
    """Return the declarations that the jurisdiction's own format can carry, written in it.

    Each is renumbered (n-th declaration: entry or pedimento number n); one the format
    cannot state (a value in euros in an entry summary, say) is left out.
    """
    _, write, number = NATIONAL[jurisdiction]
    carried = []
    for n, decl in enumerate(decls, start=1):
        renumbered = decl.model_copy(update={"id": number(n, decl)})
        if jurisdiction == "US":
            renumbered = _as_ace(renumbered)
        elif jurisdiction == "CA":
            renumbered = _as_cad(renumbered)
        try:
            write([renumbered], io.StringIO(newline=""))
        except UsageError:
            continue
        carried.append(renumbered)
    out = io.StringIO(newline="")
    write(carried, out)  # one file: one envelope and trailer around them all
    return out.getvalue()


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
            if pack.pack.jurisdiction in NATIONAL:
                suffix = NATIONAL[pack.pack.jurisdiction][0]
                text = national(decls, pack.pack.jurisdiction)
                files[f"{name}-{kind}.{suffix}"] = text.encode("utf-8")
    return files


if __name__ == "__main__":
    for fname, content in expected_files().items():
        (EXAMPLES / fname).write_bytes(content)
        sys.stdout.write(f"wrote examples/{fname}\n")
