"""The compiled loose-data layout equals its pure-Python twin and the models' layout.

`formats/_loose.pyx` and `formats/_loose_py.py` lay a national reader's loose declaration
out as columns (`loose_columns.LooseLayout`). On generated loose data at the model's
edges (blanks, values that do not parse, values of a type only the model takes, kept and
unread input, documents, exchange rates, parties, locations) both must give the same
batch, locators included, and that batch must be the one the models give
(`WcoColumns.from_models`), declaration by declaration.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import alcheck.formats.loose_columns as loose_columns
from alcheck.formats.loose_columns import LooseLayout, SourcesLocator, resolved
from alcheck.formats.wco_columns import WcoColumns
from alcheck.model import Document, Location, Party, Regime, lenient_declaration

COMPILED, TWIN = "alcheck.formats._loose", "alcheck.formats._loose_py"
KERNELS = [pytest.param(COMPILED, marks=pytest.mark.cython), TWIN]


@contextmanager
def _laying_out_with(kernel: ModuleType) -> Iterator[None]:
    """Make `LooseLayout` use one kernel for the duration."""
    saved = loose_columns.loose_kernel
    loose_columns.loose_kernel = kernel
    try:
        yield
    finally:
        loose_columns.loose_kernel = saved


def _laid_out(decls: list[dict[str, Any]], kernel: str) -> WcoColumns | str:
    """Lay declarations out with one kernel, in one layout (its memos shared); an error
    becomes its type and message."""
    layout = LooseLayout("f")
    with _laying_out_with(importlib.import_module(kernel)):
        try:
            for decl in copy.deepcopy(decls):
                layout.append(decl)
        except Exception as exc:  # noqa: BLE001 (the kernels must fail alike)
            return f"{type(exc).__name__}: {exc}"
    return layout.batch


def _modelled(decls: list[dict[str, Any]]) -> WcoColumns | str:
    """Lay declarations out through their models, as `read` makes them."""
    try:
        models = [lenient_declaration(resolved(d)) for d in copy.deepcopy(decls)]
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"
    return WcoColumns.from_models(models, "f")


# Generated loose data ------------------------------------------------------------------


def _where(line: int) -> dict[str, Any]:
    return {"file": "f", "line": line, "path": f"{line}-record"}


def _either(plain: list[Any], edgy: list[Any]) -> tuple[Any, Any]:
    """Return a value strategy for plain data (the kernel lays it out) and one for data
    at the model's edges (plain values too, and values only the model takes)."""
    return st.sampled_from(plain), st.sampled_from(plain + edgy)


codes = st.sampled_from(["US", "cn", " DEU ", "XX", "UN", "N/A", "usd", "EUR", "076", "Ü"])
plain_texts = st.one_of(
    codes, codes, st.sampled_from(["", "  ", "\t", "A1", None]), st.text(max_size=4)
)
TEXT = (
    plain_texts,
    st.one_of(plain_texts, plain_texts, st.sampled_from([5, 1.5, True, b"x", ["x"]])),
)
plain_numbers = st.one_of(
    st.sampled_from(["1000", " 1050.5 ", "7", "", " ", "abc", "1e999999", "1 000", "-0", "NaN"]),
    st.sampled_from([Decimal("1000"), Decimal("0.5"), Decimal("NaN"), Decimal("Infinity")]),
    st.none(),
    st.text(alphabet="0123456789.-eE ", max_size=5),
)
NUMBER = (plain_numbers, st.one_of(plain_numbers, st.sampled_from([7, 1.5, True])))
LINE = _either(["001", "1", " 2 ", "", " ", "x1", "٣", 7, -1, None], [True, 1.0])
DATE = _either(
    [dt.date(2026, 3, 1), "2026-03-01", " 2026-03-01 ", "2026-02-30", "", None],
    [dt.datetime(2026, 3, 1, 12), 20260301],
)
REGIME = _either(
    [Regime.CONSUMPTION, Regime.FTZ, "consumption", " Warehouse ", "duty free", "", None], [5]
)
# Not None: the layout takes a map given as None for no map, where the model sets it aside
# (no reader gives one).
plain_maps = st.one_of(
    st.just({}),
    st.dictionaries(st.sampled_from(["value", "line", "x"]), st.sampled_from(["a", ""])),
)
MAP = (plain_maps, st.one_of(plain_maps, st.sampled_from([{"a": 5}, "text", {5: "a"}])))
# Input not read: only the model lays it out, whatever else the declaration holds.
UNREAD = (st.just({}), MAP[1])
PARTY = _either(
    [None, "", " ", {"name": "I"}, {"id": "1"}, {"name": "", "id": None}, {}, Party(id="x")],
    [{"name": "I", "vat": "1"}, {"name": 5}, "I"],
)
DOCUMENT = _either(
    [{"type": "AIM", "id": "A1"}, {"type": "ADC", "category": "A"}, {"type": "COA"},
     Document(type="GIP", id="83")],
    [{"id": "X"}, {"type": 5}, {"type": "AIM", "id": 5}, {"type": "X", "colour": "1"}, "AIM"],
)  # fmt: skip
DOCUMENTS = tuple(
    st.one_of(st.lists(doc, max_size=3), st.lists(doc, max_size=2).map(tuple)) for doc in DOCUMENT
)
RATE = _either(
    [{"currency": "EUR", "to_currency": "USD", "rate": "1.0850"},
     {"currency": "USD", "to_currency": "MXN", "rate": Decimal("18.20")},
     {"currency": "eur", "to_currency": " usd", "rate": " 1.1 "}],
    [{"currency": "EUR", "rate": "x"}, {"currency": "EUR", "to_currency": "USD", "rate": 1.5},
     {"currency": "EUR", "to_currency": "USD", "rate": "1", "date": "x"},
     {"currency": None, "to_currency": "USD", "rate": "1"}],
)  # fmt: skip
RATES = tuple(st.lists(r, max_size=2) for r in RATE)
LOCATION = _either(
    [None, _where(3), _where(4) | {"column": 9}, Location(file="f", line=5)],
    [{"file": "f", "line": "3"}, {"file": "f", "colour": 1}, {"line": True}, "here"],
)
ADDITIONAL = (
    st.lists(st.sampled_from(["9903.85.03", "99038503", " 9903 8503 ", "x", ""]), max_size=2),
    st.sampled_from([("9903.85.03",), (), "9903", [5], None]),
)
ADDITIONAL = (ADDITIONAL[0], st.one_of(ADDITIONAL))
plain_sources = st.dictionaries(
    st.sampled_from(["id", "origin", "value", "line", "documents[0]", "entry_date"]),
    st.integers(1, 9).map(_where),
    max_size=3,
)
SOURCES = (plain_sources, st.one_of(plain_sources, st.just("text")))
KEY = (st.nothing(), st.just("blue"))  # a key no model has
ITEM_FIELDS = {
    "line": LINE, "description": TEXT, "tariff_declared": TEXT, "supplementary_unit": TEXT,
    "currency": TEXT, "origin": TEXT, "preferential_origin": TEXT, "export_country": TEXT,
    "smelt1": TEXT, "smelt2": TEXT, "cast": TEXT, "net_mass_kg": NUMBER,
    "gross_mass_kg": NUMBER, "supplementary_quantity": NUMBER, "value": NUMBER,
    "additional_codes": ADDITIONAL, "documents": DOCUMENTS, "invalid": MAP, "kept": MAP,
    "unread": UNREAD, "location": LOCATION, "sources": SOURCES, "colour": KEY,
}  # fmt: skip
DECLARATION_FIELDS = {
    "id": TEXT, "jurisdiction": TEXT, "declaration_type": TEXT, "procedure_code": TEXT,
    "entry_date": DATE, "regime": REGIME, "importer": PARTY, "exporter": PARTY,
    "manufacturer": PARTY, "documents": DOCUMENTS, "exchange_rates": RATES, "invalid": MAP,
    "kept": MAP, "unread": UNREAD, "location": LOCATION, "sources": SOURCES, "colour": KEY,
}  # fmt: skip


def _some_of(options: dict[str, tuple[Any, Any]], edgy: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts of some of the keys, of plain or of edgy values."""
    names = sorted(k for k in options if not (k == "colour" and not edgy))
    return st.lists(st.sampled_from(names), max_size=8, unique=True).flatmap(
        lambda keys: st.fixed_dictionaries({k: options[k][edgy] for k in keys})
    )


PLAIN_ITEM = {
    "line": "001", "description": "PLATES", "tariff_declared": "7606.12.3090",
    "origin": "CN", "net_mass_kg": "1000", "value": "12000", "currency": "usd",
    "location": _where(4), "sources": {"origin": _where(4)},
}  # fmt: skip


def _declarations(edgy: bool) -> st.SearchStrategy[dict[str, Any]]:
    items = _some_of(ITEM_FIELDS, edgy).map(lambda changes: PLAIN_ITEM | changes)
    if edgy:
        items = st.one_of(items, items, st.just("an item"))
    start = st.fixed_dictionaries({"items": st.lists(items, max_size=3)})
    return start.flatmap(
        lambda d: _some_of(DECLARATION_FIELDS, edgy).map(lambda changes: d | changes)
    )


declarations = st.one_of(
    _declarations(edgy=False),
    _declarations(edgy=True),
    st.sampled_from([{"id": "no items"}, {"items": ({"line": "1"},)}, {"items": None}]),
)
files = st.lists(declarations, min_size=1, max_size=4)


# The properties ------------------------------------------------------------------------


def _assert_same(got: WcoColumns | str, expected: WcoColumns | str, *, models: bool) -> None:
    """Every compared column equal; models: a declaration keeps its model only where the
    expected one does (else exactly the same models)."""
    if isinstance(got, str) or isinstance(expected, str):
        assert got == expected
        return
    for f in fields(WcoColumns):
        if f.compare and f.name != "model":
            a, b = getattr(got, f.name), getattr(expected, f.name)
            if isinstance(a, array):  # floats bit for bit (NaN for no number)
                a, b = a.tobytes(), b.tobytes()
            assert a == b, f.name
    for k, model in enumerate(got.model):
        assert model == expected.model[k] or (models and model is None)


def _places(batch: WcoColumns) -> list[Any]:
    """Where each laid-out declaration's values were read, by its locator."""
    out: list[Any] = []
    for k, locator in enumerate(batch.locators):
        if isinstance(locator, SourcesLocator):
            n_items = batch.first[k + 1] - batch.first[k]
            names = ("id", "entry_date", "origin", "value", "line", "documents[0]", "x")
            out.append([locator.where(name) for name in names])
            out.append([locator.item_where(i, n) for i in range(n_items) for n in names])
        else:
            out.append(locator)
    return out


@pytest.mark.cython
@settings(deadline=None, max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(files)
def test_the_compiled_layout_is_its_twin(decls: list[dict[str, Any]]) -> None:
    got, expected = _laid_out(decls, COMPILED), _laid_out(decls, TWIN)
    _assert_same(got, expected, models=False)
    if isinstance(got, WcoColumns) and isinstance(expected, WcoColumns):
        assert _places(got) == _places(expected)


@pytest.mark.parametrize("kernel", KERNELS)
@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(decls=files)
def test_the_layout_is_the_models(kernel: str, decls: list[dict[str, Any]]) -> None:
    got = _laid_out(decls, kernel)
    _assert_same(got, _modelled(decls), models=True)
    if isinstance(got, WcoColumns):
        models = [m for m in (lenient_declaration(resolved(d)) for d in copy.deepcopy(decls))]
        for k, locator in enumerate(got.locators):
            if not isinstance(locator, SourcesLocator):
                continue
            model = models[k]
            for name in ("id", "entry_date", "items"):
                assert locator.where(name) == (model.where(name) or model.location)
            for position, item in enumerate(model.items):
                for name in ("origin", "value", "documents[0]", "line"):
                    expected_where = item.where(name) or model.location
                    assert locator.item_where(position, name) == expected_where


@pytest.mark.parametrize("kernel", KERNELS)
def test_a_declaration_the_model_takes_back_leaves_no_item(kernel: str) -> None:
    """An item only the model lays out, after one laid out: the declaration is its model
    and its items are the model's, once each; the next declaration is laid out."""
    bad = PLAIN_ITEM | {"value": 1.5}
    decls = [
        {"id": "A", "items": [PLAIN_ITEM, PLAIN_ITEM, bad]},
        {"id": "B", "items": [PLAIN_ITEM]},
    ]
    got = _laid_out(decls, kernel)
    assert isinstance(got, WcoColumns)
    _assert_same(got, _modelled(decls), models=True)
    assert got.first == [0, 3, 4] and got.model[0] is not None and got.model[1] is None
    assert list(got.value) == [Decimal("12000"), Decimal("12000"), Decimal("1.5"), Decimal("12000")]
