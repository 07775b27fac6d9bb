"""Build the bundled packs' code lists from the official lists in ../shared/data.

Run from the repository root: python scripts/build_code_lists.py
Each list is a CSV beside its pack (src/alcheck/rules/packs/<pack>/<name>.csv) with the
columns code, heading, valid_from, valid_to, note; every row keeps the window its source
row gives. tests/test_code_lists.py rebuilds them from ../shared and compares.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
PACKS = ROOT / "src" / "alcheck" / "rules" / "packs"
COLUMNS = ("code", "heading", "valid_from", "valid_to", "note")

Row = dict[str, str]
NOTE19 = "us232/us_s232_aluminum_2025_note19_codes.csv"
NOTE16 = "us232/us_s232_aluminum_2026_note16_codes.csv"
CA_SURTAX = "ca/ca_us_surtax_aluminum_sor2025-95_as_amended_2026-09-08.csv"


def _note(*parts: str) -> str:
    return "; ".join(p.strip() for p in parts if p.strip())


def _note19(subdivision: str) -> Callable[[Row], Row | None]:
    def pick(row: Row) -> Row | None:
        if not row["note19_subdivision"].startswith(f"19({subdivision})"):
            return None
        return {
            "code": row["code"],
            "heading": row["heading_or_measure"],
            "valid_from": row["valid_from"],
            "valid_to": row["valid_to"],
            "note": _note(f"UK: {row['uk_heading']}", row["added_by"]),
        }

    return pick


def _note16(prefix: str) -> Callable[[Row], Row | None]:
    def pick(row: Row) -> Row | None:
        if not row["note16_list"].startswith(prefix):
            return None
        heading = row["heading_or_measure"].split(" (")[0].replace(" / ", "/")
        return {
            "code": row["code"],
            "heading": "" if heading.startswith("NONE") else heading,
            "valid_from": row["valid_from"],
            "valid_to": row["valid_to"],
            "note": _note(row["proclamation_11021_annex"], row["note"]),
        }

    return pick


def _ca_schedule(schedule: str) -> Callable[[Row], Row | None]:
    def pick(row: Row) -> Row | None:
        measure = row["heading_or_measure"]
        if f"Schedule {schedule} " not in measure:
            return None
        return {
            "code": row["code"],
            "heading": measure.rsplit(": ", 1)[-1],
            "valid_from": row["valid_from"],
            "valid_to": row["valid_to"],
            "note": row["origin_scope"],
        }

    return pick


# (pack, list name) -> (source file, row picker)
LISTS: dict[tuple[str, str], tuple[str, Callable[[Row], Row | None]]] = {
    ("us", "note19_g"): (NOTE19, _note19("g")),
    ("us", "note19_i"): (NOTE19, _note19("i")),
    ("us", "note19_j"): (NOTE19, _note19("j")),
    ("us", "note19_k"): (NOTE19, _note19("k")),
    ("us", "note16_c_i"): (NOTE16, _note16("16(c)(i) ")),
    ("us", "note16_c_ii"): (NOTE16, _note16("16(c)(ii) ")),
    ("us", "note16_c_vi"): (NOTE16, _note16("16(c)(vi) ")),
    ("us", "note16_c_ix"): (NOTE16, _note16("16(c)(ix) ")),
    ("us", "proc11021_annex_ii"): (NOTE16, _note16("(none) removed")),
    ("ca", "sor2025_95_schedule_1"): (CA_SURTAX, _ca_schedule("1")),
    ("ca", "sor2025_95_schedule_1_1"): (CA_SURTAX, _ca_schedule("1.1")),
}


def _rows(source: Path, pick: Callable[[Row], Row | None]) -> Iterator[Row]:
    with source.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if (picked := pick(row)) is not None:
                yield picked


def build(shared: Path = SHARED) -> dict[str, str]:
    """Return each bundled list's CSV text by its path under the packs folder."""
    out: dict[str, str] = {}
    for (pack, name), (file, pick) in LISTS.items():
        text = io.StringIO()
        writer = csv.DictWriter(text, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(_rows(shared / file, pick))
        out[f"{pack}/{name}.csv"] = text.getvalue()
    return out


if __name__ == "__main__":
    for relative, content in build().items():
        target = PACKS / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        sys.stdout.write(f"wrote {target.relative_to(ROOT)}\n")
