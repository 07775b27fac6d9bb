"""The compiled goods-item reader equals its pure-Python twin, column for column.

`formats/_wcoitem.pyx` reads libxml2's nodes where `formats/_wcoitem_py.py` reads lxml's
elements; the batches `read_wco_columns` builds with each must be equal, on the corpus,
on hand-written edge cases, on a file longer than 65,535 lines (where libxml2 keeps
source lines elsewhere) and on generated goods items.
"""

from __future__ import annotations

import importlib
import io
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import alcheck.formats.wco_columns as wco_columns
from alcheck.errors import AlcheckError
from alcheck.formats import write_wco_xml
from alcheck.formats.wco_columns import WcoColumns, read_wco_columns

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from test_gateway import (  # noqa: E402
    EDGES,
    _assert_columns_equal_models,
    _assert_same_findings,
    jurisdictions_file,
)
from workload import declarations, wco_declarations, wco_writable  # noqa: E402

pytestmark = pytest.mark.cython


@pytest.fixture(scope="module")
def kernels() -> tuple[ModuleType, ModuleType]:
    """Return the compiled item reader and its twin."""
    compiled = importlib.import_module("alcheck.formats._wcoitem")
    twin = importlib.import_module("alcheck.formats._wcoitem_py")
    return compiled, twin


@contextmanager
def _reading_with(kernel: ModuleType) -> Iterator[None]:
    """Make the column reader use one kernel for the duration."""
    saved = wco_columns.item_kernel
    wco_columns.item_kernel = kernel
    try:
        yield
    finally:
        wco_columns.item_kernel = saved


def _columns(path: Path, kernel: ModuleType, batch_items: int = 4096) -> list[WcoColumns] | str:
    """Read a file with one item reader; an error becomes its type and message."""
    with _reading_with(kernel):
        try:
            return list(read_wco_columns(path, batch_items=batch_items))
        except AlcheckError as exc:
            return f"{type(exc).__name__}: {exc}"


def _same_columns(
    path: Path, kernels: tuple[ModuleType, ModuleType], **kw: Any
) -> list[WcoColumns] | str:
    """Return what both kernels read from a file, checking they read it alike."""
    compiled, twin = kernels
    got, expected = _columns(path, compiled, **kw), _columns(path, twin, **kw)
    assert got == expected
    return got


def _assert_same(path: Path, kernels: tuple[ModuleType, ModuleType], **kw: Any) -> int:
    got = _same_columns(path, kernels, **kw)
    return 0 if isinstance(got, str) else sum(len(b) for b in got)


def test_the_corpus(corpus_dir: Path, kernels: tuple[ModuleType, ModuleType]) -> None:
    files = sorted(p for p in corpus_dir.rglob("*") if p.suffix.lower() == ".xml")
    assert len(files) > 800
    items = sum(_assert_same(path, kernels) for path in files)
    assert items == 338


def test_edge_cases(tmp_path: Path, kernels: tuple[ModuleType, ModuleType]) -> None:
    path = tmp_path / "edges.xml"
    path.write_text(EDGES, encoding="utf-8")
    assert _assert_same(path, kernels) == 3


def test_jurisdiction_layouts(tmp_path: Path, kernels: tuple[ModuleType, ModuleType]) -> None:
    """Where codes and declarations sit (`ancestry`, `holds`): both readers read alike."""
    path = jurisdictions_file(tmp_path / "jurisdictions.xml")
    for batch_items in (1, 4096):
        assert _assert_same(path, kernels, batch_items=batch_items) == 0


def test_ancestry_and_holds(tmp_path: Path, kernels: tuple[ModuleType, ModuleType]) -> None:
    """Every element's ancestry, and every pair's holding, as an obvious reference says."""
    from lxml import etree

    from alcheck.formats.wco_xml import DECLARATION_TAG

    tree = etree.parse(str(jurisdictions_file(tmp_path / "jurisdictions.xml")))
    elements = list(tree.iter())
    for elem in elements:
        parents = []
        parent = elem.getparent()
        while parent is not None:
            parents.append(parent)
            parent = parent.getparent()
        expected = (any(p.tag == DECLARATION_TAG for p in parents), 1 + len(parents))
        for kernel in kernels:
            assert kernel.ancestry(elem) == expected, (kernel.__name__, elem.sourceline)
        for other in elements[::7]:
            for kernel in kernels:
                assert kernel.holds(other, elem) == any(p is other for p in parents)
    assert sum(kernels[0].ancestry(e)[0] for e in elements) > 10


def test_lines_beyond_65535(tmp_path: Path, kernels: tuple[ModuleType, ModuleType]) -> None:
    """libxml2 keeps lines above 65,535 in text nodes; the compiled reader finds them."""
    path = tmp_path / "long.xml"
    with path.open("wb") as out:
        write_wco_xml(wco_declarations(2500, 5), out)
    assert _assert_same(path, kernels, batch_items=1000) == 2500
    compiled, _ = kernels
    batches = _columns(path, compiled)
    assert not isinstance(batches, str)
    lines = [line for b in batches for r in range(len(b)) for line in b.item_sources(r).values()]
    assert max(lines) > 65535  # type: ignore[type-var]
    assert None not in lines


# Goods items put together from random parts: values split by comments, in CDATA, with
# entities and blanks; elements in other namespaces; odd units and type codes.
_NS = "urn:wco:datamodel:WCO:DEC-DMS:2"
VALUE = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    | st.sampled_from(" \t\n"),
    max_size=8,
)


@st.composite
def text(draw: st.DrawFn, values: st.SearchStrategy[str] = VALUE) -> str:
    """Return element content for a value, written one of several equivalent ways."""
    value = draw(values)
    form = draw(st.sampled_from(["plain", "comment", "cdata", "pad", "pi"]))
    cut = draw(st.integers(0, len(value)))
    head, tail = escape(value[:cut]), escape(value[cut:])
    if form == "comment":
        return f"{head}<!-- c -->{tail}"
    if form == "pi":
        return f"{head}<?p x?>{tail}"
    if form == "cdata" and "]]>" not in value:
        return f"<![CDATA[{value}]]>"
    if form == "pad":
        return f"\n  {head}{tail} "
    return head + tail


TYPE_CODES = ["1", "2", "CLS", "c2s", "CRC", " crc ", "", "X", "TSP", "TRC", "GN"]
TYPE_CODES += ["TRA", "tsp", "MFR", "REGIME", "KGM", " kgm", "TNE", "GRM", "LBR"]
# Codes only Python's str.upper() reads right ("ſ" upper-cases to "S"): the compiled
# reader's ASCII fast path must hand them over.
TYPE_CODES += ["CLſ", "tſp", "c2ſ", "gn", "Tra", "crc\t", "1 "]
CODES = st.sampled_from(TYPE_CODES)
NUMBERS = ["12.5", " 3 ", "1 000", "-4", "abc", "1e3", "0", "", "NaN"]
# Texts whose float the compiled reader parses itself (libc's strtod for plain ASCII);
# the twin takes float(Decimal). Then hard cases for a float parser: the smallest
# denormal, the largest double and just past it, a value on a rounding boundary.
NUMBERS += ["1_000", "1e400", "-1e-400", "0.1", "+.5", "-0", "9" * 30, "٣"]
NUMBERS += ["5e-324", "1.7976931348623157e308", "1.7976931348623159e308"]
NUMBERS += ["2.2250738585072011e-308", "9007199254740993", "0.1e1", "1.", "00012", "1e"]
NUMBERS += ["1.5e+3", "-.5E-2"]
# Edges of the compiled reader's plain-number syntax (a Decimal made only when read):
# the longest exponent it takes and one digit more, no digit, two points, leading zeros.
NUMBERS += ["1e123456789", "1e-1234567890", ".e1", "1.2.3", "-0001.5000", "1e+"]
NUMBER = st.sampled_from(NUMBERS)
COUNTRY = st.sampled_from(["US", "usa", "CN", "ZN", "UN", "n/a", " ", "CAN", "XX"])


@st.composite
def element(draw: st.DrawFn, name: str, children: list[str]) -> str:
    """Return an element, sometimes under another prefix or namespace, with attributes."""
    prefix = draw(st.sampled_from(["", "", "o:"]))
    return f"<{prefix}{name}>{''.join(children)}</{prefix}{name}>"


@st.composite
def leaf(draw: st.DrawFn, name: str, values: st.SearchStrategy[str] = VALUE) -> str:
    attrs = ""
    for attr in ("unitCode", "currencyID"):
        if draw(st.booleans()):
            value = draw(CODES | st.sampled_from(["USD", " cad ", "EURO", ""]))
            attrs += f" {draw(st.sampled_from(['', 'o:']))}{attr}={quoteattr(value)}"
    if draw(st.integers(0, 5)) == 0:
        return f"<{name}{attrs}/>"
    return f"<{name}{attrs}>{draw(text(values))}</{name}>"


@st.composite
def goods_item(draw: st.DrawFn) -> str:
    parts: list[str] = []
    kinds = draw(st.lists(st.sampled_from(list(_PARTS)), max_size=9))
    for kind in kinds:
        parts.append(draw(_PARTS[kind]()))
    return draw(element("GovernmentAgencyGoodsItem", parts))


def _pair(outer: str, *leaves: tuple[str, st.SearchStrategy[str]]) -> Any:
    return lambda: st.lists(
        st.sampled_from(leaves).flatmap(lambda spec: leaf(*spec)), max_size=3
    ).flatmap(lambda kids: element(outer, kids))


_PARTS: dict[str, Any] = {
    "seq": lambda: leaf("SequenceNumeric", NUMBER | VALUE),
    "origin": _pair("Origin", ("CountryCode", COUNTRY), ("TypeCode", CODES)),
    "document": _pair("AdditionalDocument", ("TypeCode", CODES | VALUE), ("ID", VALUE)),
    "export": _pair("ExportCountry", ("ID", COUNTRY)),
    "customs": lambda: leaf("CustomsValueAmount", NUMBER),
    "statistical": lambda: leaf("StatisticalValueAmount", NUMBER),
    "procedure": _pair("GovernmentProcedure", ("CurrentCode", NUMBER), ("PreviousCode", NUMBER)),
    "information": _pair(
        "AdditionalInformation", ("StatementCode", CODES), ("StatementDescription", VALUE)
    ),
    "other": lambda: leaf("Unknown", VALUE),
    "commodity": lambda: st.lists(
        st.sampled_from(["description", "classification", "measure", "invoice"]).flatmap(
            lambda kind: _COMMODITY[kind]()
        ),
        max_size=5,
    ).flatmap(lambda kids: element("Commodity", kids)),
}
_COMMODITY: dict[str, Any] = {
    "description": lambda: leaf("Description", VALUE),
    "classification": _pair(
        "Classification",
        ("ID", st.sampled_from(["7601", "7604.10", "9903.85.67", "76", "x"]) | VALUE),
        ("IdentificationTypeCode", CODES),
    ),
    "measure": _pair(
        "GoodsMeasure",
        ("NetNetWeightMeasure", NUMBER),
        ("GrossMassMeasure", NUMBER),
        ("TariffQuantity", NUMBER),
    ),
    "invoice": _pair("InvoiceLine", ("ItemChargeAmount", NUMBER)),
}


def _document(items: list[str]) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Declaration xmlns="{_NS}" xmlns:o="urn:other">\n'
        "<FunctionalReferenceID>G-1</FunctionalReferenceID>\n"
        "<GoodsShipment>\n<ExportCountry><ID>CA</ID></ExportCountry>\n"
        + "\n".join(items)
        + "\n</GoodsShipment>\n</Declaration>\n"
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(goods_item(), min_size=1, max_size=4))
def test_generated_goods_items(
    tmp_path_factory: pytest.TempPathFactory,
    kernels: tuple[ModuleType, ModuleType],
    items: list[str],
) -> None:
    path = tmp_path_factory.mktemp("items") / "generated.xml"
    path.write_bytes(_document(items).encode("utf-8"))
    got = _same_columns(path, kernels)
    assert isinstance(got, str) or sum(len(b) for b in got) == len(items)


# Whole declarations from random parts, in random order and number: which of each the
# readers take (the first, or each), at the declaration's level or its shipment's, and
# what only the models can report (a document without a type, an invalid rate).
DATE = st.sampled_from(["20260324", " 20260324", "2026-03-24", "20261340", "x", ""])
_DECLARATION_PARTS: dict[str, Any] = {
    "id": lambda: leaf("FunctionalReferenceID", VALUE),
    "type": lambda: leaf("TypeCode", st.sampled_from(["IM", "EX", " im "]) | VALUE),
    "issue": lambda: st.tuples(st.sampled_from(["", "102", "304", " 102"]), DATE).map(
        lambda f: (
            f'<IssueDateTime><DateTimeString formatCode="{f[0]}">{f[1]}'
            "</DateTimeString></IssueDateTime>"
        )
    ),
    "acceptance": _pair("AcceptanceDateTime", ("DateTimeString", DATE)),
    "exporter": _pair("Exporter", ("Name", VALUE), ("ID", VALUE)),
    "importer": _pair("Importer", ("Name", VALUE), ("ID", VALUE)),
    "document": _PARTS["document"],
    "rate": _pair(
        "CurrencyExchange",
        ("CurrencyTypeCode", st.sampled_from(["CAD", "mxn", "XXX", "ZZZ", ""])),
        ("RateNumeric", NUMBER),
    ),
    "procedure": _pair(
        "GovernmentProcedure",
        ("CurrentCode", st.sampled_from(["40", "4000", "400", "71", "5100", "51"]) | VALUE),
        ("PreviousCode", st.sampled_from(["00", "000", "71"]) | VALUE),
    ),
    "information": _pair(
        "AdditionalInformation",
        ("StatementCode", st.sampled_from(["MFR", "REGIME", "regime", "X"])),
        ("StatementDescription", st.sampled_from(["ftz", "transit", "bonded", ""]) | VALUE),
    ),
    "other": _PARTS["other"],
}
# A plain aluminum goods item, so that rule packs fire too (the random items seldom let them).
_REAL_ITEM = st.tuples(
    st.sampled_from(["7604.10.1000", "7606.12.3090", "7601.10.6000", "7616.99.5190"]),
    st.sampled_from(["CN", "RU", "CA", "MX", "US", "AE"]),
    st.sampled_from(["CN", "RU", "CA", "US", ""]),
    st.sampled_from(["1000", "250000.5", "abc"]),
    st.sampled_from(["USD", "CAD", "MXN"]),
).map(
    lambda f: (
        "<GovernmentAgencyGoodsItem><SequenceNumeric>1</SequenceNumeric><Commodity>"
        "<Description>aluminum</Description><Classification><ID>" + f[0] + "</ID>"
        "<IdentificationTypeCode>TSP</IdentificationTypeCode></Classification><GoodsMeasure>"
        '<NetNetWeightMeasure unitCode="KGM">1200</NetNetWeightMeasure></GoodsMeasure>'
        f'<InvoiceLine><ItemChargeAmount currencyID="{f[4]}">{f[3]}</ItemChargeAmount>'
        f"</InvoiceLine></Commodity><Origin><CountryCode>{f[1]}</CountryCode><TypeCode>1</TypeCode>"
        "</Origin>"
        + (
            f"<Origin><CountryCode>{f[2]}</CountryCode><TypeCode>CLS</TypeCode></Origin>"
            if f[2]
            else ""
        )
        + "</GovernmentAgencyGoodsItem>"
    )
)
_SHIPMENT_PARTS: dict[str, Any] = {
    "export": _PARTS["export"],
    "exporter": _DECLARATION_PARTS["exporter"],
    "importer": _DECLARATION_PARTS["importer"],
    "document": _PARTS["document"],
    "procedure": _DECLARATION_PARTS["procedure"],
    "information": _DECLARATION_PARTS["information"],
    "item": goods_item,
    "aluminum item": lambda: _REAL_ITEM,
    "other": _PARTS["other"],
}


@st.composite
def declaration(draw: st.DrawFn) -> str:
    parts = [
        draw(_DECLARATION_PARTS[kind]())
        for kind in draw(st.lists(st.sampled_from(list(_DECLARATION_PARTS)), max_size=10))
    ]
    if draw(st.booleans()):
        shipment = [
            draw(_SHIPMENT_PARTS[kind]())
            for kind in draw(st.lists(st.sampled_from(list(_SHIPMENT_PARTS)), max_size=8))
        ]
        parts.insert(draw(st.integers(0, len(parts))), draw(element("GoodsShipment", shipment)))
    code = draw(st.sampled_from(["", "US", "eu", "EU", "usa", "CA", "MX", "DE", " "]))
    envelope = f"<md:ResponsibleCountryCode>{code}</md:ResponsibleCountryCode>" if code else ""
    return (
        f'<md:MetaData xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2">{envelope}'
        f'<Declaration xmlns="{_NS}" xmlns:o="urn:other">{"".join(parts)}</Declaration>'
        "</md:MetaData>"
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(declarations=st.lists(declaration(), min_size=1, max_size=3))
def test_generated_declarations(
    tmp_path_factory: pytest.TempPathFactory,
    kernels: tuple[ModuleType, ModuleType],
    declarations: list[str],
) -> None:
    """Both readers read generated declarations alike, and as the models read them; the
    gateway finds on them what `validate` finds."""
    path = tmp_path_factory.mktemp("declarations") / "generated.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<alc:Declarations '
        'xmlns:alc="urn:alcheck:declarations:1">' + "".join(declarations) + "</alc:Declarations>",
        encoding="utf-8",
    )
    got = _same_columns(path, kernels)
    if not isinstance(got, str):
        assert sum(b.n_declarations for b in got) == len(declarations)
        for kernel in kernels:
            with _reading_with(kernel):
                _assert_columns_equal_models(path, batch_items=1)
                _assert_same_findings(path)


def test_generated_documents_are_read(kernels: tuple[ModuleType, ModuleType]) -> None:
    """The generator's forms are read as one value (a guard on the test itself)."""
    data = _document(
        [
            "<GovernmentAgencyGoodsItem><Commodity><Description>al<!-- c -->u &amp; "
            "<![CDATA[<foil>]]></Description></Commodity>"
            '<CustomsValueAmount o:currencyID="EUR" currencyID=" cad ">1 000</CustomsValueAmount>'
            "</GovernmentAgencyGoodsItem>"
        ]
    )
    for kernel in kernels:
        with _reading_with(kernel):
            (batch,) = wco_columns._stream(io.BytesIO(data.encode()), "x.xml", 10)  # noqa: SLF001
        assert batch.description == ["alu & <foil>"]
        assert batch.currency == ["CAD"]
        assert str(batch.value[0]) == "1000"


def _items(inner: str, values: list[str]) -> list[str]:
    """Return a goods item per value: `inner` with each "{v}" the value, escaped."""
    return [
        "<GovernmentAgencyGoodsItem>"
        + inner.replace("{v}", escape(v))
        + "</GovernmentAgencyGoodsItem>"
        for v in values
    ]


def _read_alike(path: Path, items: list[str], kernels: tuple[ModuleType, ModuleType]) -> WcoColumns:
    """Write the goods items as one declaration; return its batch, read alike by both."""
    path.write_text(_document(items), encoding="utf-8")
    _assert_same(path, kernels)
    (batch,) = _columns(path, kernels[0])
    assert isinstance(batch, WcoColumns)
    return batch


def test_every_type_code(tmp_path: Path, kernels: tuple[ModuleType, ModuleType]) -> None:
    """Each origin and classification type code, in every spelling the generator has, is
    read alike: the compiled reader compares plain ASCII codes itself."""
    spellings = TYPE_CODES
    items = _items(
        "<Commodity><Classification><ID>7601</ID><IdentificationTypeCode>{v}"
        "</IdentificationTypeCode></Classification></Commodity>"
        "<Origin><CountryCode>US</CountryCode><TypeCode>{v}</TypeCode></Origin>",
        spellings,
    )
    batch = _read_alike(tmp_path / "codes.xml", items, kernels)
    assert len(batch) == len(spellings) == 27
    smelt2 = [code for code, smelt in zip(spellings, batch.smelt2, strict=True) if smelt]
    assert smelt2 == ["c2s", "c2ſ"]


def test_every_number(tmp_path: Path, kernels: tuple[ModuleType, ModuleType]) -> None:
    """Each number spelling is read alike, its float being float() of the Decimal read."""
    items = _items(
        "<Commodity><GoodsMeasure>"
        '<NetNetWeightMeasure unitCode="KGM">{v}</NetNetWeightMeasure>'
        '<GrossMassMeasure unitCode="TNE">{v}</GrossMassMeasure>'
        "</GoodsMeasure><InvoiceLine>"
        '<ItemChargeAmount currencyID="USD">{v}</ItemChargeAmount>'
        "</InvoiceLine></Commodity>",
        NUMBERS,
    )
    batch = _read_alike(tmp_path / "numbers.xml", items, kernels)
    assert len(batch) == len(NUMBERS) == 34
    for numbers, floats in (
        (batch.net_mass_kg, batch.net_mass_float), (batch.gross_mass_kg, batch.gross_mass_float),
        (batch.value, batch.value_float),
    ):  # fmt: skip
        for number, x in zip(numbers, floats, strict=True):
            assert (
                (x != x) if number is None else x == float(number) and str(x) == str(float(number))
            )
    # A number is one a double holds: past its range, or made zero by it, it is invalid.
    for text in ("1.7976931348623159e308", "1e400", "-1e-400", "1e123456789"):
        row = NUMBERS.index(text)
        assert batch.value[row] is None and batch.item_invalid[row]["value"] == text
    for text in ("1.7976931348623157e308", "5e-324", "-0"):
        assert batch.value[NUMBERS.index(text)] == Decimal(text)


SEQUENCES = ["1", "007", "+1", "1.0", " 2 ", "٣", "-3", "", "1 2", "123456789012345678"]
SEQUENCES += ["1234567890123456789", "9" * 40, "0"]


def test_every_sequence_number(tmp_path: Path, kernels: tuple[ModuleType, ModuleType]) -> None:
    """Each spelling of an item's line number is read alike: the compiled reader parses
    up to 18 ASCII digits itself and hands every other text to int()."""
    items = _items("<SequenceNumeric>{v}</SequenceNumeric>", SEQUENCES)
    batch = _read_alike(tmp_path / "lines.xml", items, kernels)
    assert batch.line == [1, 7, None, None, 2, 3, None, None, None, 123456789012345678,
                          1234567890123456789, int("9" * 40), 0]  # fmt: skip
    assert [(i or {}).get("line") for i in batch.item_invalid] == [
        None, None, "+1", "1.0", None, None, "-3", None, "1 2", None, None, None, None
    ]  # fmt: skip


UNITS = ['unitCode="KGM"', "", 'unitCode=""', 'unitCode="kgm"', 'unitCode="K&#71;M"']
UNITS += ['unitCode=" KGM"', 'unitCode="TNE"', 'o:unitCode="TNE"', 'unitCode="K&amp;G"']
CURRENCIES = ['currencyID="USD"', 'currencyID="us&#68;"', 'currencyID=" cad "', ""]
CURRENCIES += [
    'currencyID=""',
    'currencyID="€"',
    'o:currencyID="EUR"',
    'currencyID="XXXXXXXXXXXXXXXX"',
]
CURRENCIES += ['currencyID="usd"', 'currencyID="U&amp;S"', 'currencyID="\tUSD"']


def test_every_unit_and_currency_attribute(
    tmp_path: Path, kernels: tuple[ModuleType, ModuleType]
) -> None:
    """Units and currencies are read alike in every spelling: the compiled reader reads a
    plain attribute itself and hands references, blanks and other namespaces to lxml."""
    items = [
        "<GovernmentAgencyGoodsItem><Commodity><GoodsMeasure>"
        f"<NetNetWeightMeasure {unit}>2.5</NetNetWeightMeasure>"
        "</GoodsMeasure></Commodity>"
        f"<CustomsValueAmount {currency}>10</CustomsValueAmount>"
        "</GovernmentAgencyGoodsItem>"
        for unit in UNITS
        for currency in CURRENCIES
    ]
    batch = _read_alike(tmp_path / "attributes.xml", items, kernels)
    assert len(batch) == len(UNITS) * len(CURRENCIES)
    by_unit = [batch.net_mass_kg[k * len(CURRENCIES)] for k in range(len(UNITS))]
    assert by_unit[:6] == [Decimal("2.5")] * 6
    assert by_unit[6] == Decimal("2500.0")
    assert batch.currency[: len(CURRENCIES)] == [
        "USD", "USD", "CAD", None, None, "€", None, "XXXXXXXXXXXXXXXX", "USD", "U&S", "USD"
    ]  # fmt: skip


def test_codes_past_the_memo_bound(tmp_path: Path, kernels: tuple[ModuleType, ModuleType]) -> None:
    """More distinct codes than the compiled reader's code memo keeps are still read as
    the twin reads them (the memo is shared by every file and stops growing)."""
    n = 5000
    items = [
        "<GovernmentAgencyGoodsItem><Commodity><Classification>"
        f"<ID>{k:04d}.{k % 97:02d}</ID><IdentificationTypeCode>TSP</IdentificationTypeCode>"
        f"</Classification><Classification><ID>99{k:06d}</ID>"
        "<IdentificationTypeCode>GN</IdentificationTypeCode></Classification></Commodity>"
        f"<CustomsValueAmount currencyID='C{k:04d}'>1</CustomsValueAmount>"
        f"<ExportCountry><ID>E{k:04d}</ID></ExportCountry>"
        f"<Origin><CountryCode>O{k:04d}</CountryCode></Origin>"
        f"<Origin><CountryCode>M{k:04d}</CountryCode><TypeCode>CLS</TypeCode></Origin>"
        "</GovernmentAgencyGoodsItem>"
        for k in range(n)
    ]
    batch = _read_alike(tmp_path / "many.xml", items, kernels)
    assert batch.origin[n - 1] == f"O{n - 1:04d}" and batch.smelt1[n - 1] == f"M{n - 1:04d}"
    assert batch.tariff[n - 1] == f"{n - 1:04d}.{(n - 1) % 97:02d}"
    assert batch.additional_codes[n - 1] == (f"99{n - 1:06d}",)
    assert len(set(batch.currency)) == len(set(batch.export_country)) == n


def test_two_threads_read_alike(tmp_path: Path, kernels: tuple[ModuleType, ModuleType]) -> None:
    """Two threads reading files at once (sharing the code memo) read what one reads."""
    path = tmp_path / "workload.xml"
    with path.open("wb") as out:
        write_wco_xml(wco_declarations(3000, 8), out)
    compiled, _ = kernels
    expected = _columns(path, compiled)
    assert not isinstance(expected, str) and sum(len(b) for b in expected) == 3000
    with _reading_with(compiled), ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: list(read_wco_columns(path)), range(4)))
    for got in results:
        assert got == expected


@pytest.fixture(scope="module")
def forty_item_declarations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("order") / "items.xml"
    with path.open("wb") as out:
        decls = declarations(120, seed=7, per_declaration=40)
        write_wco_xml([wco_writable(d) for d in decls], out)
    return path


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_item_locations_in_any_order_are_the_model_readers(
    seed: int, forty_item_declarations: Path, kernels: tuple[ModuleType, ModuleType]
) -> None:
    """`item_location` numbers each step from the siblings it met before (`known`), so the
    path of any item's field, asked in any order, is the one the model reader writes."""
    import random

    from alcheck.formats import read
    from alcheck.formats.wco_columns import SOURCE_FIELDS

    path = forty_item_declarations
    models = list(read(path))
    for kernel in kernels:
        (batch,) = _columns(path, kernel)
        asks = [
            (row, k, name)
            for k in range(batch.n_declarations)
            for row in range(batch.first[k], batch.first[k + 1])
            for name in SOURCE_FIELDS
        ]
        random.Random(seed).shuffle(asks)
        with _reading_with(kernel):  # the batch's nodes are this kernel's
            for row, k, name in asks:
                item = models[k].items[row - batch.first[k]]
                expected = item.where(name) or item.location
                got = batch.item_location(row, k, name)
                assert got == expected, (kernel.__name__, row, name)
