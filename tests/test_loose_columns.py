"""A national file read as loose data into columns equals its models laid out as columns.

`read_columns` reads a CBP entry summary, a pedimento file or a CBSA CAD into the loose
data its models are made of and lays that out without the models (`loose_columns`). The
batches, and the findings screened from them (locations included), must be those of the
models (`WcoColumns.from_models(read(path))`), on the examples, on hand-made loose data
at every edge of the model's validation, and on files a reader stops in.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
from array import array
from dataclasses import fields
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import alcheck
from alcheck.errors import AlcheckError
from alcheck.formats import catair, read_columns
from alcheck.formats.loose_columns import LooseLayout, SourcesLocator, loose_batches
from alcheck.formats.wco_columns import WcoColumns
from alcheck.gateway import ScreenedBatch, Screening
from alcheck.model import Declaration, Location, Party, Regime, lenient_declaration

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = sorted(
    str(p.relative_to(ROOT))
    for pattern in ("*.ae", "*.val", "*.cad.xml")
    for p in (ROOT / "examples").glob(pattern)
)


def _same(a: object, b: object) -> bool:
    if isinstance(a, array) and isinstance(b, array):
        return a.typecode == b.typecode and a.tobytes() == b.tobytes()
    return a == b


def _assert_same_columns(got: WcoColumns, expected: WcoColumns) -> None:
    """Every compared column equal; a declaration keeps its model only where it must."""
    for f in fields(WcoColumns):
        if f.compare and f.name != "model":
            assert _same(getattr(got, f.name), getattr(expected, f.name)), f.name
    for k, model in enumerate(got.model):
        assert model is None or model == expected.model[k]


def _findings(batches: list[WcoColumns]) -> list[dict[str, Any]]:
    screening = Screening.of_call(None, None, None, "en", (), (), None)
    found = [f for b in batches for f in ScreenedBatch(b, screening).findings()]
    for f in found:
        assert f.location is None or type(f.location) is Location
    return [f.model_dump() for f in found]


@pytest.mark.parametrize("name", NATIONAL)
def test_the_columns_and_findings_are_the_models(name: str) -> None:
    path = ROOT / name
    decls = list(alcheck.read(path))
    batches = list(read_columns(path, batch_items=10**9))
    assert len(batches) == 1 and batches[0].models_only
    assert all(m is None for m in batches[0].model)  # no example needs its model
    expected = WcoColumns.from_models(decls, str(path))
    _assert_same_columns(batches[0], expected)
    assert _findings(batches) == _findings([expected])
    # Any batch size: the same declarations, in order.
    small = list(read_columns(path, batch_items=3))
    assert [d for b in small for d in b.decl_id] == [d.id for d in decls]
    assert _findings(small) == _findings([expected])


def _loose(**extra: Any) -> dict[str, Any]:
    """Loose data of one declaration with two items, as the national readers give it."""
    where = {"file": "f", "line": 3, "path": "10-record cols 4-16", "column": 4}
    item: dict[str, Any] = {
        "location": {"file": "f", "line": 4, "path": "40-record"},
        "sources": {"origin": {"file": "f", "line": 4, "path": "40-record cols 9-10"}},
        "line": "001", "description": "ALUMINIUM PLATES", "tariff_declared": "7606.12.3090",
        "origin": "CN", "export_country": "cn", "smelt1": "UN", "smelt2": "N/A",
        "cast": "RU", "net_mass_kg": Decimal("1000"), "gross_mass_kg": "1050.5",
        "supplementary_quantity": "7", "supplementary_unit": "NO", "value": "12000",
        "currency": "usd", "additional_codes": ["9903.85.03"],
        "documents": [{"type": "AIM", "id": "A1"}, {"type": "ADC", "category": "A"}],
    }  # fmt: skip
    data: dict[str, Any] = {
        "location": {"file": "f", "line": 3, "path": "10-record"},
        "sources": {"id": where, "entry_date": where},
        "id": "ABC-1234567-8", "jurisdiction": "US", "declaration_type": "01",
        "regime": Regime.CONSUMPTION, "entry_date": dt.date(2026, 3, 1),
        "importer": Party(id="12-3456789"), "exporter": {"name": ""},
        "manufacturer": {"name": "M", "id": None},
        "exchange_rates": [{"currency": "EUR", "to_currency": "USD", "rate": "1.0850"}],
        "documents": [{"type": "EXCL", "id": None}],
        "kept": {"20-record (line 5)": "20..."},
        "items": [item, copy.deepcopy(item) | {"line": "002", "origin": "DEU"}],
    }  # fmt: skip
    return data | extra


def _with_item(**changes: Any) -> dict[str, Any]:
    data = _loose()
    data["items"][1] = data["items"][1] | changes
    return data


# Each edge: the loose data, and whether the model must be kept (only it lays it out).
EDGES: dict[str, tuple[dict[str, Any], bool]] = {
    "plain": (_loose(), False),
    "blanks are no value": (_with_item(description="  ", origin="", value=" "), False),
    "numbers and lines that are not": (
        _with_item(net_mass_kg="abc", value="1e999999", line="x1", gross_mass_kg=Decimal("NaN")),
        False,
    ),
    "a value given as invalid already": (
        _with_item(value="abc", invalid={"value": "given", "other": "x"}),
        False,
    ),
    "dates and regimes that are not": (
        _loose(entry_date="2026-02-30", regime="duty free", invalid={"regime": "r"}),
        False,
    ),
    "EU and codes not in the tables": (
        _loose(jurisdiction=" eu ") | {"items": [_loose()["items"][0] | {"origin": "XX"}]},
        False,
    ),
    "a declaration with no item": (_loose(items=[]), False),
    "an integer line": (_with_item(line=7), False),
    "a declaration-level blank": (_loose(id=" ", procedure_code=""), False),
    "a rate that is not one": (_loose(exchange_rates=[{"currency": "EUR", "rate": "x"}]), True),
    "a document without a type": (_with_item(documents=[{"id": "X"}]), True),
    "input not read (an item)": (_with_item(unread={"X[1]": "?"}), True),
    "input not read (the declaration)": (_loose(unread={"//X[1]": "?"}), True),
    "a key no model has": (_with_item(colour="blue"), True),
    "a text that is not text": (_with_item(description=5), True),
    "a number of a type the model names": (_with_item(value=1.5), True),
    "codes that are not a list": (_with_item(additional_codes="9903"), True),
    "a bool line": (_with_item(line=True), True),
    "a party that is not one": (_loose(importer={"name": "I", "vat": "1"}), True),
}


@pytest.mark.parametrize("edge", sorted(EDGES))
def test_loose_data_at_the_model_edges(edge: str) -> None:
    data, keeps_model = EDGES[edge]
    model = lenient_declaration(copy.deepcopy(data))
    layout = LooseLayout("f")
    layout.append(Declaration.model_validate({"id": "before", "items": [{"line": 1}]}))
    layout.append(copy.deepcopy(data))
    layout.append(_loose(id="after"))  # a batch goes on whole after a declaration taken back
    before = Declaration.model_validate({"id": "before", "items": [{"line": 1}]})
    after = lenient_declaration(_loose(id="after"))
    expected = WcoColumns.from_models([before, model, after], "f")
    _assert_same_columns(layout.batch, expected)
    assert (layout.batch.model[1] is not None) == keeps_model
    assert layout.batch.model[2] is None
    if not keeps_model:
        locator = layout.batch.locators[1]
        assert isinstance(locator, SourcesLocator)
        for name in ("id", "entry_date", "regime", "items"):
            assert locator.where(name) == (model.where(name) or model.location)
        for position, item in enumerate(model.items):
            for name in ("origin", "value", "documents[0]", "line"):
                expected_where = item.where(name) or model.location
                assert locator.item_where(position, name) == expected_where


def _broken_catair() -> bytes:
    text = (ROOT / "examples" / "us-triggers.ae").read_bytes()
    lines = text.splitlines(keepends=True)
    tens = [k for k, line in enumerate(lines) if line.startswith(b"10")]
    lines[tens[5] + 1] = b"11\x01 not text\n"  # spoils the sixth entry summary
    return b"".join(lines)


@pytest.mark.parametrize("format", [None, "catair"])
def test_a_reader_that_stops_gives_what_it_read_then_its_error(
    tmp_path: Path, format: str | None
) -> None:
    path = tmp_path / "broken.ae"
    path.write_bytes(_broken_catair())
    read_before: list[Declaration] = []
    with pytest.raises(AlcheckError) as expected:
        for decl in alcheck.read(path):
            read_before.append(decl)
    got: list[WcoColumns] = []
    with pytest.raises(type(expected.value)) as raised:
        for batch in read_columns(path, format=format, batch_items=50):
            got.append(batch)
    assert str(raised.value) == str(expected.value)
    assert len(read_before) > 50
    assert [d for b in got for d in b.decl_id] == [d.id for d in read_before]


def test_a_format_the_content_is_not_is_reads_refusal(tmp_path: Path) -> None:
    """Named a pedimento but a CATAIR file: `read`'s model path says what is wrong."""
    path = tmp_path / "us.val"
    path.write_bytes((ROOT / "examples" / "us-clean.ae").read_bytes())
    with pytest.raises(AlcheckError) as expected:
        list(alcheck.read(path, format="pedimento"))
    with pytest.raises(type(expected.value)) as raised:
        list(read_columns(path, format="pedimento"))
    assert str(raised.value) == str(expected.value)


def test_loose_batches_yield_what_was_read_before_an_error() -> None:
    def reader() -> Any:
        yield _loose(id="A")
        yield lenient_declaration(_loose(id="B"))
        raise ValueError("boom")

    got: list[WcoColumns] = []
    with pytest.raises(ValueError, match="boom"):
        for batch in loose_batches(reader(), "f", batch_items=10**9):
            got.append(batch)
    assert [b.decl_id for b in got] == [["A", "B"]]


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        # input not read (SYN-UNKNOWN): the declaration keeps its model, made from
        # deferred locations resolved (a CAD's XPaths)
        (
            "ca-triggers.cad.xml",
            b"<GovernmentAgencyGoodsItem>",
            b"<GovernmentAgencyGoodsItem><Hue>x</Hue>",
        ),
        ("us-triggers.ae", b"\n50", b"\n99 an unknown record\n50"),
    ],
)
def test_a_declaration_only_its_model_lays_out_keeps_it(
    tmp_path: Path, name: str, old: bytes, new: bytes
) -> None:
    data = (ROOT / "examples" / name).read_bytes()
    assert old in data
    path = tmp_path / name
    path.write_bytes(data.replace(old, new, 1))
    decls = list(alcheck.read(path))
    assert any(d.unread or any(i.unread for i in d.items) for d in decls)
    batches = list(read_columns(path, batch_items=10**9))
    assert sum(m is not None for m in batches[0].model) == 1
    expected = WcoColumns.from_models(decls, str(path))
    _assert_same_columns(batches[0], expected)
    assert _findings(batches) == _findings([expected])


@pytest.mark.parametrize("chunk", [7, 80, 81, 200, 4096])
def test_entry_summary_lines_read_whole_chunks_as_line_by_line(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """The plain-ASCII chunk path of `catair._stream_lines` gives what the line-by-line
    path gives: line numbers, texts, a first line's BOM, CRs, long lines, control bytes."""
    record = b"50" + b"7606123090".ljust(78, b" ")
    lines = [b"\xef\xbb\xbfA" + b" " * 79, record, record + b"\r", b"", b"x" * 1500]
    lines += [record] * 30 + [b"bad \x01 byte", "caf\u00e9".encode(), b"\xe9t\xe9", record]
    lines += [b"y" * 1030, record * 2, b"\r", record]
    data = b"\n".join(lines)

    def read(source: bytes) -> list[tuple[int, str]]:
        got = catair._stream_lines(io.BytesIO(source))
        return [(n, x.reason if isinstance(x, catair._Bad) else x) for n, x in got]

    monkeypatch.setattr(catair, "_CHUNK", chunk)
    for source in (data, data + b"\n", data[:-1], record + b"\n" + record + b"\n"):
        fast = read(source)
        with monkeypatch.context() as slow:
            slow.setattr(catair, "_CONTROL_BESIDE_NEWLINE", re.compile(rb"[\x00-\xff]"))
            assert fast == read(source)


def test_a_plain_cad_declaration_only_its_model_lays_out_keeps_it(tmp_path: Path) -> None:
    """A CAD declaration read the fast way (its locations index paths a `Places`
    resolves) whose exchange rate is not one: validated into its model, locations and all."""
    data = (ROOT / "examples" / "ca-triggers.cad.xml").read_bytes()
    old = b"<RateNumeric>1.3889</RateNumeric>"
    assert old in data
    path = tmp_path / "rate.cad.xml"
    path.write_bytes(data.replace(old, b"<RateNumeric>x</RateNumeric>", 1))
    decls = list(alcheck.read(path))
    batches = list(read_columns(path, batch_items=10**9))
    assert sum(m is not None for m in batches[0].model) == 1
    expected = WcoColumns.from_models(decls, str(path))
    _assert_same_columns(batches[0], expected)
    assert _findings(batches) == _findings([expected])
    (model,) = [m for m in batches[0].model if m is not None]
    assert model.items[0].sources["tariff_declared"].path is not None
