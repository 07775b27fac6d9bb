"""The JSON line kernel: both implementations write a finding's line exactly as pydantic's
`Finding.model_dump_json()` does, whatever its text, and remember only so many parts."""

from __future__ import annotations

import importlib
import pickle
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import alcheck
from alcheck import CheckClass, Finding, Location, Severity

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix != ".toml")
SAMPLES = ROOT.parent / "shared" / "corpora" / "hmrc-cds" / "examples" / "annotated_XML_samples"


@pytest.fixture(
    scope="module",
    params=[pytest.param("alcheck._finding_json", marks=pytest.mark.cython), "python"],
)
def writer(request: pytest.FixtureRequest) -> ModuleType:
    return importlib.import_module(
        "alcheck._finding_json_py" if request.param == "python" else request.param
    )


# Any text, control characters, quotes, backslashes and non-ASCII letters included.
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_OPTIONAL = st.none() | _TEXT
_NUMBER = st.none() | st.integers(0, 10**9)


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    location = draw(st.none() | st.builds(
        Location, file=_OPTIONAL, line=_NUMBER, path=_OPTIONAL, column=_NUMBER
    ))  # fmt: skip
    return Finding(
        rule_id=draw(_TEXT), severity=draw(st.sampled_from(Severity)),
        check_class=draw(st.sampled_from(CheckClass)), message=draw(_TEXT),
        declaration_id=draw(_OPTIONAL), item_line=draw(_NUMBER), field=draw(_OPTIONAL),
        location=location, value=draw(_OPTIONAL), citation=draw(_OPTIONAL),
        hint=draw(_OPTIONAL), pack=draw(_TEXT), pack_version=draw(_OPTIONAL),
        variant=draw(st.integers(0, 9)), evaluated=draw(st.booleans()),
        judged_on=draw(st.none() | st.dates()),
    )  # fmt: skip


@given(st.lists(findings(), max_size=6))
def test_a_line_is_pydantics_json(writer: ModuleType, drawn: list[Finding]) -> None:
    lines = writer.FindingJson()
    for finding in drawn * 2:  # the second time from the parts it kept
        assert lines.line(finding) == finding.model_dump_json()


def _found(path: Path) -> list[Finding]:
    try:
        return alcheck.validate(alcheck.read(path))
    except alcheck.AlcheckError:
        return []


def test_every_finding_of_the_examples_and_corpus_is_written_as_pydantic_does(
    writer: ModuleType, shared_dir: Path
) -> None:
    corpus = sorted(SAMPLES.rglob("*.[xX][mM][lL]"))
    assert len(corpus) > 10, f"no HMRC samples under {SAMPLES}"
    found = [f for path in EXAMPLES + corpus for f in _found(path)]
    assert len({f.rule_id for f in found}) > 20
    lines = writer.FindingJson()
    assert [lines.line(f) for f in found] == [f.model_dump_json() for f in found]


def test_parts_kept_are_bounded(writer: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = writer.FindingJson()
    base: dict[str, Any] = {
        "rule_id": "R", "severity": Severity.ERROR, "check_class": CheckClass.RISK,
        "message": "m", "pack": "p",
    }  # fmt: skip
    for i in range(writer.MAX_KEPT + 50):
        finding = Finding(**base, hint=f"hint {i}")
        assert lines.line(finding) == finding.model_dump_json()
    assert writer.kept(lines) == (1, writer.MAX_KEPT, 1)


def test_a_writer_pickles_as_a_new_one(writer: ModuleType) -> None:
    lines = writer.FindingJson()
    finding = Finding(rule_id="R", severity="info", check_class="risk", message="m")
    lines.line(finding)
    copy = pickle.loads(pickle.dumps(lines))
    assert type(copy) is type(lines) and writer.kept(copy) == (0, 0, 0)
    assert copy.line(finding) == finding.model_dump_json()
