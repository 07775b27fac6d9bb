"""The plain-model kernel: both implementations make the model pydantic would validate; the
compiled one also keeps it off the garbage collector's lists, and it is freed all the same."""

from __future__ import annotations

import datetime as dt
import gc
import importlib
import weakref
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alcheck import CheckClass, Finding, Location, Severity

FINDING_FIELDS = frozenset(Finding.model_fields)
PLACE = frozenset({"file", "line", "path"})


@pytest.fixture(
    scope="module", params=[pytest.param("alcheck._plain", marks=pytest.mark.cython), "python"]
)
def plain(request: pytest.FixtureRequest) -> ModuleType:
    return importlib.import_module(
        "alcheck._plain_py" if request.param == "python" else request.param
    )


_TEXT = st.text(max_size=12)
_OPTIONAL_TEXT = st.none() | _TEXT
_LINE = st.none() | st.integers(1, 10**7)


@st.composite
def finding_values(draw: st.DrawFn) -> dict[str, Any]:
    """Values of every Finding field, each of its field's type, in field order."""
    location = draw(st.none() | st.fixed_dictionaries({
        "file": _OPTIONAL_TEXT, "line": _LINE, "path": _OPTIONAL_TEXT, "column": st.none(),
    }))  # fmt: skip
    return {
        "rule_id": draw(_TEXT), "severity": draw(st.sampled_from(Severity)),
        "check_class": draw(st.sampled_from(CheckClass)), "message": draw(_TEXT),
        "declaration_id": draw(_OPTIONAL_TEXT), "item_line": draw(_LINE),
        "field": draw(_OPTIONAL_TEXT), "location": location, "value": draw(_OPTIONAL_TEXT),
        "citation": draw(_OPTIONAL_TEXT), "hint": draw(_OPTIONAL_TEXT), "pack": draw(_TEXT),
        "pack_version": draw(_OPTIONAL_TEXT), "variant": draw(st.integers(0, 9)),
        "evaluated": draw(st.booleans()), "judged_on": draw(st.none() | st.dates()),
    }  # fmt: skip


def _make(plain: ModuleType, values: dict[str, Any]) -> Finding:
    values = dict(values)
    if values["location"] is not None:  # in field order, as its makers give it
        where = {name: values["location"][name] for name in Location.model_fields}
        values["location"] = plain.plain_model(Location, where, PLACE)
    finding: Finding = plain.plain_model(Finding, values, FINDING_FIELDS)
    return finding


@settings(deadline=None, max_examples=200)
@given(values=finding_values())
def test_the_model_pydantic_would_validate(plain: ModuleType, values: dict[str, Any]) -> None:
    made = _make(plain, values)
    validated = Finding.model_validate(
        values | {"location": None if values["location"] is None else
                  Location.model_validate({k: values["location"][k] for k in PLACE})}
    )  # fmt: skip
    assert made == validated and repr(made) == repr(validated) and hash(made) == hash(validated)
    assert made.model_fields_set == validated.model_fields_set == FINDING_FIELDS
    assert made.model_dump_json() == validated.model_dump_json()
    copy = made.model_copy(update={"severity": Severity.INFO})
    assert copy.severity is Severity.INFO and made.severity is values["severity"]


def test_both_kernels_make_equal_models() -> None:
    compiled = pytest.importorskip("alcheck._plain")
    twin = importlib.import_module("alcheck._plain_py")
    values = {
        "rule_id": "US-232", "severity": Severity.ERROR, "check_class": CheckClass.NORMATIVE,
        "message": "m", "declaration_id": "D", "item_line": 1, "field": "items[1].origin",
        "location": {"file": "f.xml", "line": 3, "path": "//Declaration[1]", "column": None},
        "value": "CN", "citation": "c", "hint": "h", "pack": "us", "pack_version": "1",
        "variant": 0, "evaluated": True, "judged_on": dt.date(2026, 12, 1),
    }  # fmt: skip
    a, b = _make(compiled, values), _make(twin, values)
    assert a == b and repr(a) == repr(b) and a.model_dump_json() == b.model_dump_json()


@pytest.mark.cython
def test_compiled_models_are_untracked_and_still_freed() -> None:
    compiled = importlib.import_module("alcheck._plain")
    made = _make(compiled, _values_with_location())
    for obj in (made, made.__dict__, made.model_fields_set, made.location):
        assert not gc.is_tracked(obj)
    gone = weakref.ref(made)
    del made
    assert gone() is None  # reference counting frees it, no collection needed


def test_the_twin_leaves_the_collector_alone() -> None:
    twin = importlib.import_module("alcheck._plain_py")
    made = _make(twin, _values_with_location())
    assert gc.is_tracked(made) and gc.is_tracked(made.model_fields_set)


def _values_with_location() -> dict[str, Any]:
    return {
        "rule_id": "X", "severity": Severity.INFO, "check_class": CheckClass.RISK,
        "message": "m", "declaration_id": None, "item_line": None, "field": None,
        "location": {"file": "f", "line": 1, "path": None, "column": None}, "value": None,
        "citation": None, "hint": None, "pack": "p", "pack_version": None, "variant": 0,
        "evaluated": True, "judged_on": None,
    }  # fmt: skip
