"""The rule-findings kernel: both implementations fill messages as `str.format_map` does and
build the same findings, equal to those `validate` gives, on every example and corpus file."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import alcheck
from alcheck import Finding, Severity
from alcheck.formats import read_columns
from alcheck.gateway import ScreenedBatch, Screening
from alcheck.messages import template_pieces

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix == ".xml")
SAMPLES = ROOT.parent / "shared" / "corpora" / "hmrc-cds" / "examples" / "annotated_XML_samples"
CORPUS = sorted(SAMPLES.rglob("*.[xX][mM][lL]"))
NAMES = ("tariff", "origin", "id", "value", "judged_on", "other")


@pytest.fixture(
    scope="module",
    params=[pytest.param("alcheck._rule_findings", marks=pytest.mark.cython), "python"],
)
def builder(request: pytest.FixtureRequest) -> ModuleType:
    return importlib.import_module(
        "alcheck._rule_findings_py" if request.param == "python" else request.param
    )


class _Columns:
    """A batch's columns as `fill_pieces` reads them: one value per name, at every row."""

    def __init__(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            setattr(self, name, [value] * 3)


class _Batch:
    def __init__(self, values: dict[str, Any]) -> None:
        self.b = _Columns(values)


_LITERAL = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
_VALUE = st.none() | st.text(max_size=6) | st.integers() | st.decimals(allow_nan=False) | st.dates()


@given(
    st.lists(st.tuples(_LITERAL, st.sampled_from(NAMES)), max_size=5), _LITERAL,
    st.fixed_dictionaries({name: _VALUE for name in NAMES}), st.dictionaries(
        st.sampled_from(NAMES), st.text(max_size=5), max_size=2),
)  # fmt: skip
def test_fill_pieces_is_format_map(
    builder: ModuleType, parts: list[tuple[str, str]], tail: str, values: dict[str, Any],
    params: dict[str, str],
) -> None:  # fmt: skip
    escape = str.maketrans({"{": "{{", "}": "}}"})
    template = "".join(f"{text.translate(escape)}{{{name}}}" for text, name in parts)
    template += tail.translate(escape)
    split = template_pieces(template)
    assert split is not None
    pieces, names = split
    assert len(pieces) == len(names) + 1
    # Where an item has no value, the message says the missing word ("not declared").
    slots = tuple(
        (params[n], None, False, None, "") if n in params
        else (None, n, n == "id", None, "MISSING")
        for n in names
    )  # fmt: skip
    shown = {n: params.get(n, "MISSING" if values[n] is None else values[n]) for n in NAMES}
    filled = builder.fill_pieces(pieces, slots, _Batch(values), 1, 2, dt.date(2026, 12, 3))
    assert filled == template.format_map(shown)


def test_fill_pieces_works_out_derived_values(builder: ModuleType) -> None:
    pieces, names = template_pieces("on {judged_on}: {hs6}")  # type: ignore[misc]
    derive = {
        "judged_on": lambda batch, row, k, day: day.isoformat(),
        "hs6": lambda batch, row, k, day: None,
    }
    slots = tuple((None, None, False, derive[n], "none") for n in names)
    day = dt.date(2026, 12, 3)
    assert builder.fill_pieces(pieces, slots, _Batch({}), 0, 0, day) == "on 2026-12-03: none"


@pytest.mark.parametrize("template", ["{value:.2f}", "{value!r}", "{0}", "{a.b}", "{a[0]}"])
def test_templates_with_more_than_names_are_left_to_fill(template: str) -> None:
    assert template_pieces(template) is None


def _findings(builder: ModuleType, path: Path) -> list[Finding]:
    screening = Screening.of_call(None, None, None, "en", (), (), None)
    screening.items = builder.ItemFindings(Finding, Severity.INFO, frozenset(Finding.model_fields))
    out: list[Finding] = []
    for batch in read_columns(path):
        for _, found in ScreenedBatch(batch, screening).by_declaration():
            out.extend(found)
    return out


@pytest.mark.parametrize("path", EXAMPLES + CORPUS, ids=lambda p: p.name)
def test_both_kernels_build_the_findings_validate_gives(builder: ModuleType, path: Path) -> None:
    try:
        expected = alcheck.validate(alcheck.read(path))
    except alcheck.AlcheckError as exc:  # not a declaration (a response message): the same
        with pytest.raises(type(exc)):
            _findings(builder, path)
        return
    built = _findings(builder, path)
    # Each finding is the one pydantic validates from its values (the kernel skips that),
    # and the findings are those of `validate`, whichever kernel it ran on.
    assert [Finding.model_validate(f.model_dump()) for f in built] == built
    assert [(f, f.model_fields_set) for f in built] == [(f, f.model_fields_set) for f in expected]


def test_the_files_compared_are_there(shared_dir: Path) -> None:
    """The comparison above runs on the corpus and finds rule findings in the examples."""
    assert len(CORPUS) > 10, f"no HMRC samples under {SAMPLES}"
    twin = importlib.import_module("alcheck._rule_findings_py")
    assert sum(f.pack != "builtin" for p in EXAMPLES for f in _findings(twin, p)) > 10
