"""Write each bundled pack's rules as JSON beside its TOML (rules/packs/NAME.rules.json).

Run from the repository root, with alcheck importable (PYTHONPATH=src or installed):
python scripts/export_packs.py. A check loads the JSON instead of parsing the TOML (a
tenth of the time) while the files it was made from are unchanged; tests/test_startup.py
fails when a committed file is not current, so rerun this script whenever a pack or one
of its code lists changes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alcheck.rules.loader import bundled_pack_names, bundled_rules_json

ROOT = Path(__file__).resolve().parent.parent
PACKS = ROOT / "src" / "alcheck" / "rules" / "packs"


if __name__ == "__main__":
    for name in bundled_pack_names():
        target = PACKS / f"{name}.rules.json"
        target.write_text(bundled_rules_json(name), encoding="utf-8")
        sys.stdout.write(f"wrote {target.relative_to(ROOT)}\n")
