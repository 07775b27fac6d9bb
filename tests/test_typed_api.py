"""The API is typed and says what is wrong in its own errors (issue 19, item 5)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

import alcheck
from alcheck import UsageError

ROOT = Path(__file__).resolve().parent.parent
DECL = alcheck.Declaration(id="D", jurisdiction="US", entry_date=dt.date(2026, 1, 5))


def test_a_misspelt_keyword_is_refused() -> None:
    with pytest.raises(TypeError, match="lnag"):
        alcheck.validate(DECL, lnag="fr")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"as_of": "2020-01-01"}, "as_of takes a datetime.date"),
        ({"rules": "us"}, "rules takes a RuleSet"),
        ({"select": "US-232"}, "not the string"),
        ({"lang": "de"}, "lang must be one of"),
    ],
)
def test_a_value_of_the_wrong_kind_is_a_usage_error(kwargs: dict[str, object], says: str) -> None:
    with pytest.raises(UsageError, match=says):
        alcheck.validate(DECL, **kwargs)  # type: ignore[arg-type]


def test_mypy_catches_both_mistakes(tmp_path: Path) -> None:
    snippet = tmp_path / "use.py"
    snippet.write_text(
        "import alcheck\n"
        "alcheck.validate([], lnag='fr')\n"
        "alcheck.validate([], as_of='2020-01-01')\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(snippet)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert 'Unexpected keyword argument "lnag"' in done.stdout, done.stdout
    assert 'Argument "as_of"' in done.stdout, done.stdout


def test_an_unknown_pack_name_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"no bundled pack named 'uss'.*did you mean 'us'"):
        alcheck.RuleSet.compile(["uss"])


def test_alcheck_logs_to_its_logger_and_is_silent_by_default(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    import logging

    from alcheck.checking import check_file
    from alcheck.gateway import Screening

    assert any(isinstance(h, logging.NullHandler) for h in logging.getLogger("alcheck").handlers)
    screening = Screening.of_call(None, None, None, "en", (), (), None)
    check_file(str(ROOT / "examples" / "us-clean.xml"), screening)
    assert capsys.readouterr() == ("", "")  # nothing printed by the library
    with caplog.at_level(logging.DEBUG, logger="alcheck"):
        alcheck.RuleSet.compile(["us"])
        check_file(str(ROOT / "examples" / "us-triggers.xml"), screening)
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("alcheck")]
    assert any(m.startswith("compiled us: ") for m in messages), messages
    assert any(
        re.search(r"us-triggers\.xml: \d+ declaration\(s\), \d+ finding", m) for m in messages
    )
