"""What `alcheck check` pays before reading a file: the bundled packs loaded without their
golden cases, and no module imported that the check of a WCO XML file does not use."""

from __future__ import annotations

import pytest

from alcheck.rules import bundled_pack_names, load_bundled
from alcheck.rules.lint import lint_pack


@pytest.mark.parametrize("name", bundled_pack_names())
def test_a_bundled_pack_lints_clean(name: str) -> None:
    """A check loads the bundled packs unlinted (`load_bundled(cases=False)`): they ship clean."""
    assert lint_pack(load_bundled(name)) == []


@pytest.mark.parametrize("name", bundled_pack_names())
def test_a_bundled_pack_loads_the_same_rules_without_its_cases(name: str) -> None:
    """Blanking the golden cases leaves every rule, line and list as the full load has them."""
    full = load_bundled(name)
    assert sum(len(r.cases) for r in full.rules) > 0
    without = full.model_copy(
        update={"rules": [r.model_copy(update={"cases": []}) for r in full.rules]}
    )
    assert load_bundled(name, cases=False) == without
