"""Build alcheck's packaged HS 2022 table from ../shared/data/hs2022.csv.

Run from the repository root: python scripts/build_hs_table.py
Keeps chapters, headings and subheadings with their descriptions (for messages) and drops
the placeholders TOTAL, 99, 9999 and 999999, which name no goods.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "hs2022.csv"
TARGET = ROOT / "src" / "alcheck" / "codes" / "data" / "hs2022.csv"
PLACEHOLDERS = {"TOTAL", "99", "9999", "999999"}


def build(source: Path = SOURCE) -> str:
    """Return the packaged table's text built from the shared HS 2022 CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "description"])
    with source.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code = row["hscode"]
            if code in PLACEHOLDERS or not code.isdigit():
                continue
            writer.writerow([code, row["description"]])
    return out.getvalue()


if __name__ == "__main__":
    TARGET.write_text(build(), encoding="utf-8")
    sys.stdout.write(f"wrote {TARGET.relative_to(ROOT)}\n")
