"""Write the declaration model's JSON Schema to src/alcheck/schemas/declaration.schema.json.

Run from the repository root, with alcheck installed: python scripts/export_schema.py
tests/test_model.py fails when the committed file differs from the model, so rerun this
script whenever model.py changes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from alcheck.model import declaration_json_schema

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src" / "alcheck" / "schemas" / "declaration.schema.json"


def render() -> str:
    """Return the schema as the committed file holds it: sorted keys, two-space indent."""
    return (
        json.dumps(declaration_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {TARGET.relative_to(ROOT)}\n")
