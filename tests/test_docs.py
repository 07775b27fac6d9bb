"""Every Python example in README.md and docs/*.md runs and its assertions hold."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _examples() -> list[tuple[str, int, str]]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text[: match.start()].count("\n") + 1
            found.append((page.relative_to(ROOT).as_posix(), line, match.group(1)))
    return found


EXAMPLES = _examples()


def test_the_docs_have_examples() -> None:
    assert any(page == "docs/rules.md" for page, _, _ in EXAMPLES)


@pytest.mark.parametrize(
    ("page", "line", "code"), EXAMPLES, ids=[f"{p}:{n}" for p, n, _ in EXAMPLES]
)
def test_example_runs(page: str, line: int, code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(code, f"{page}:{line}", "exec"), {"__name__": "docs_example"})  # noqa: S102
    assert os.getcwd() == str(ROOT)


def _rule_docs() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_rule_docs", ROOT / "scripts" / "make_rule_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_pack_page_is_current() -> None:
    pages = _rule_docs().pages()
    assert set(pages) == {"rules-ca.md", "rules-mx.md", "rules-risk.md", "rules-us.md"}
    for name, text in pages.items():
        assert (ROOT / "docs" / name).read_text(encoding="utf-8") == text, name


def test_the_us_page_lists_every_code_list_with_its_source_and_count() -> None:
    from alcheck.rules import load_bundled

    page = _rule_docs().render("us")
    for name, code_list in load_bundled("us").lists.items():
        row = next(line for line in page.splitlines() if line.startswith(f"| `@{name}`"))
        assert f" {len(code_list.rows)} |" in row
        assert "SOURCES-lists.md" in row
