"""The command line tunes the garbage collector while it checks, and only then: a caller
running `main` in its own process gets its collector back as it was."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

import alcheck.cli
from alcheck.cli import main
from alcheck.cli_gc import YOUNG

ROOT = Path(__file__).resolve().parents[1]


def test_collector_tuned_while_checking_then_restored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[tuple[tuple[int, ...], int]] = []
    real = alcheck.cli.check_input

    def spying(*args: Any, **kwargs: Any) -> Any:
        seen.append((gc.get_threshold(), gc.get_freeze_count()))
        return real(*args, **kwargs)

    monkeypatch.setattr(alcheck.cli, "check_input", spying)
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    out = tmp_path / "report.json"
    argv = ["check", "--format", "json", "--fail-on", "never", "-o", str(out)]
    assert main([*argv, str(ROOT / "examples" / "us-triggers.xml")]) == 0
    assert seen and all(t[0] == YOUNG and t[1:] == before[1:] and n > 0 for t, n in seen)
    assert (gc.get_threshold(), gc.get_freeze_count()) == (before, frozen)
    assert '"US-AIM-LICENSE"' in out.read_text(encoding="utf-8")
