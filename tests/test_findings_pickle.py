"""Findings cross processes (`--jobs`, Dask) in a compact pickle: it gives back equal
findings, with the fields they were given, of every kind the checks make."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from alcheck import check, read
from alcheck.findings import CheckClass, Finding, Severity
from alcheck.formats import read_columns
from alcheck.gateway import ScreenedBatch, Screening
from alcheck.model import Location

ROOT = Path(__file__).resolve().parents[1]

_text = st.text(max_size=40)
_maybe_text = st.none() | _text
_locations = st.none() | st.builds(
    Location,
    file=_maybe_text,
    line=st.none() | st.integers(1, 10**6),
    path=_maybe_text,
    column=st.none() | st.integers(1, 80),
)
_findings = st.builds(
    Finding,
    rule_id=_text,
    severity=st.sampled_from(Severity),
    check_class=st.sampled_from(CheckClass),
    message=_text,
    declaration_id=_maybe_text,
    item_line=st.none() | st.integers(0, 10**6),
    field=_maybe_text,
    location=_locations,
    value=_maybe_text,
    citation=_maybe_text,
    hint=_maybe_text,
    pack=_text,
    pack_version=_maybe_text,
    variant=st.integers(0, 50),
    evaluated=st.booleans(),
    judged_on=st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)),
)


def _same(a: Finding, b: Finding) -> None:
    assert b == a
    assert b.model_fields_set == a.model_fields_set
    assert type(b.severity) is Severity and type(b.check_class) is CheckClass
    if a.location is not None:
        assert b.location is not None
        assert b.location.model_fields_set == a.location.model_fields_set
    assert b.model_dump_json() == a.model_dump_json()


@given(_findings)
def test_a_finding_pickles_to_an_equal_finding(finding: Finding) -> None:
    _same(finding, pickle.loads(pickle.dumps(finding)))


@given(_text, st.sampled_from(Severity), st.sampled_from(CheckClass))
def test_a_finding_given_few_fields_keeps_its_unset_fields_unset(
    rule_id: str, severity: Severity, check_class: CheckClass
) -> None:
    finding = Finding(rule_id=rule_id, severity=severity, check_class=check_class, message="m")
    again = pickle.loads(pickle.dumps(finding))
    _same(finding, again)
    assert again.model_dump(exclude_unset=True) == finding.model_dump(exclude_unset=True)


def test_the_findings_of_the_examples_pickle_to_equal_findings() -> None:
    """Both builders: on models (`check`) and on columns (what `--jobs` workers send)."""
    screening = Screening.of_call(None, None, None, "en", (), (), None)
    examples = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix != ".toml")
    found = [f for path in examples for r in check(list(read(path))) for f in r.findings]
    found += [
        f
        for path in examples
        for batch in read_columns(path)
        for f in ScreenedBatch(batch, screening).findings()
    ]
    assert len(found) > 100
    again = pickle.loads(pickle.dumps(found))
    assert len(again) == len(found)
    for a, b in zip(found, again, strict=True):
        _same(a, b)
