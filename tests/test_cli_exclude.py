"""Folders are searched as a CI maintainer expects (issue 19, item 1): hidden folders and
node_modules are passed over, and `--exclude GLOB` passes over more."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from alcheck.cli import main

EX = Path(__file__).resolve().parent.parent / "examples"


def _tree(root: Path) -> Path:
    for rel in ("a.xml", "sub/b.csv", "sub/old/c.xml", ".git/d.xml", "node_modules/x/e.json",
                ".hidden.xml"):  # fmt: skip
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(EX / ("us-clean.csv" if rel.endswith(".csv") else "us-clean.xml"), path)
    (root / "node_modules" / "x" / "e.json").write_text('{"name": "pkg"}', encoding="utf-8")
    return root


def _inputs(tmp_path: Path, *args: str) -> list[str]:
    out = tmp_path / "r.json"
    assert main(["check", "--format", "json", "-o", str(out), *args]) == 0
    doc: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return [Path(i["file"]).relative_to(tmp_path / "in").as_posix() for i in doc["inputs"]]


def test_hidden_folders_and_node_modules_are_passed_over(tmp_path: Path) -> None:
    root = _tree(tmp_path / "in")
    assert _inputs(tmp_path, str(root)) == ["a.xml", "sub/b.csv", "sub/old/c.xml"]


def test_exclude_by_name_or_by_path(tmp_path: Path) -> None:
    root = _tree(tmp_path / "in")
    assert _inputs(tmp_path, "--exclude", "old", str(root)) == ["a.xml", "sub/b.csv"]
    assert _inputs(tmp_path, "--exclude", "*.csv", "--exclude", "sub/old/*", str(root)) == ["a.xml"]


def test_a_file_named_is_checked_even_when_hidden(tmp_path: Path) -> None:
    root = _tree(tmp_path / "in")
    assert _inputs(tmp_path, str(root / ".git" / "d.xml")) == [".git/d.xml"]
