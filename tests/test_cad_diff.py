"""The compiled plain CAD reader equals its pure-Python twin, and both the full reader.

`formats/_cad.pyx` walks libxml2's nodes where `formats/_cad_py.py` walks lxml's
elements; for every declaration they must give the same loose data (values, `At`
sources, key order) or both refuse it as irregular (`Irregular`, read by `_CadReader`
then), on the samples, the examples, generated declarations and declarations edited
into every shape the plain reader must either read or refuse.
"""

from __future__ import annotations

import importlib
import io
import random
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import alcheck._match as match
from alcheck import Declaration
from alcheck.formats import carm
from alcheck.formats._cad_py import PROFILE_NAMES, Irregular
from alcheck.formats._xmlsafe import safe_parser_options
from alcheck.formats.loose_columns import resolved
from test_formats_carm import CAD_EXAMPLES, SAMPLES, _as_fields, cad_declaration, mutate

pytestmark = pytest.mark.cython

IRREGULAR = "irregular"
WHERE = ("CA", {"file": "f", "line": 1, "path": "//ResponsibleCountryCode"})
# As the reader parses (`safe_iterparse`), and a parser that keeps what it drops.
READER = etree.XMLParser(
    remove_comments=True, remove_pis=True, remove_blank_text=True, **safe_parser_options()
)
RAW = etree.XMLParser(strip_cdata=False, **safe_parser_options())


@pytest.fixture(scope="module")
def kernels() -> tuple[ModuleType, ModuleType]:
    """Return the compiled plain reader and its twin."""
    return importlib.import_module("alcheck.formats._cad"), importlib.import_module(
        "alcheck.formats._cad_py"
    )


def _ordered(data: Any) -> Any:
    """Loose data with every dict as its items in order: equal only in the same order."""
    if isinstance(data, dict):
        return [(k, _ordered(v)) for k, v in data.items()]
    if isinstance(data, list):
        return [_ordered(v) for v in data]
    return data


def _outcome(kernel: ModuleType, places: Any) -> Any:
    """The loose data one kernel reads, IRREGULAR, or the exception it raises."""
    try:
        return _ordered(kernel.plain_declaration(places, WHERE))
    except Irregular:
        return IRREGULAR
    except Exception as exc:  # noqa: BLE001 - compared, never expected
        return (type(exc).__name__, str(exc))


def _declarations(root: etree._Element) -> list[etree._Element]:
    return [
        d
        for d in root.iter("{*}Declaration")
        if next(d.iterancestors("{*}Declaration"), None) is None
    ]


def _both_kernels(root: etree._Element, kernels: tuple[ModuleType, ModuleType]) -> list[Any]:
    """Read each declaration with both kernels: the same outcome; where plain, the full
    reader's loose data too. Both tell alike where declarations are. Return the outcomes."""
    compiled, twin = kernels
    for elem in root.iter(etree.Element):
        assert compiled.top_declaration(elem) == twin.top_declaration(elem)
        assert compiled.nothing_before(elem) == twin.nothing_before(elem)
    outcomes = []
    for k, decl in enumerate(_declarations(root), start=1):
        places = carm._CadPlaces("f", decl, k)  # noqa: SLF001
        got, expected = _outcome(compiled, places), _outcome(twin, places)
        assert got == expected
        if got != IRREGULAR:
            assert not isinstance(got, tuple), got
            full = carm._CadReader("f", decl, k, WHERE).declaration()  # noqa: SLF001
            fast = compiled.plain_declaration(places, WHERE)
            assert _as_fields(resolved(fast)) == _as_fields(resolved(full))
        outcomes.append(got)
    return outcomes


@pytest.mark.parametrize("path", SAMPLES + CAD_EXAMPLES, ids=lambda p: p.name)
@pytest.mark.parametrize("parser", [READER, RAW], ids=["reader", "raw"])
def test_both_kernels_read_every_sample_alike(
    kernels: tuple[ModuleType, ModuleType], path: Path, parser: etree.XMLParser
) -> None:
    outcomes = _both_kernels(etree.fromstring(path.read_bytes(), parser), kernels)
    plain = [o for o in outcomes if o != IRREGULAR]
    if parser is READER:  # the blanks the raw parser keeps are text the reader never sees
        assert len(plain) == (0 if path.name == "extra-elements.xml" else len(outcomes))


def _read_with(kernel: ModuleType, data: bytes, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Read a CAD file with one kernel: its declarations, or the error it raises."""
    monkeypatch.setattr(match, "cad_kernel", kernel)
    try:
        return list(carm.read_carm_stream(io.BytesIO(data), "f.xml"))
    except Exception as exc:  # noqa: BLE001 - compared
        return (type(exc).__name__, str(exc))


@pytest.mark.parametrize("path", SAMPLES + CAD_EXAMPLES, ids=lambda p: p.name)
def test_reading_a_file_with_either_kernel_gives_the_same_declarations(
    kernels: tuple[ModuleType, ModuleType], path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled, twin = kernels
    got = _read_with(compiled, path.read_bytes(), monkeypatch)
    assert got == _read_with(twin, path.read_bytes(), monkeypatch)
    assert got and all(isinstance(d, Declaration) for d in got)


# Edits: every shape a declaration's elements can take ------------------------------------

# Names the plain reader reads, names of the profile it keeps, names outside the profile.
READ = ["ID", "TypeCode", "Status", "ReleaseDateTime", "DateTimeString", "Importer", "Name",
        "AdditionalDocument", "CategoryCode", "DutyTaxFee", "DutyRegimeCode", "CurrencyExchange",
        "GoodsShipment", "GovernmentAgencyGoodsItem", "Commodity", "Origin", "CountryCode",
        "ExportCountry", "InvoiceLine", "ItemChargeAmount", "Classification", "GoodsMeasure",
        "CountQuantity", "NetNetWeightMeasure", "IdentificationTypeCode", "SequenceNumeric",
        "AdValoremTaxBaseAmount", "Description", "GrossMassMeasure", "RateNumeric"]  # fmt: skip
KEPT = ["ReleaseLocation", "VersionID", "Agent", "Buyer", "AccessCode", "Amendment"]
OTHER = ["Declaration", "Orgin", "TypCode", "Ünïcode"]
NAMES = st.sampled_from(READ + KEPT + OTHER)
# Texts, and markup put in place of a mark after the edited tree is written.
MARKUP = {
    "@CDATA@": "a<![CDATA[ b ]]>c",
    "@CDATA-ONLY@": "<![CDATA[ 7606.12 ]]>",
    "@COMMENT@": "x<!-- c -->y",
    "@PI@": "<?pi x?>AB",
    "@REF@": "&#65;&amp;B",
}
TEXTS = st.sampled_from(
    ["", "  ", " DE ", "ADD", "cvd", "TOT", "tot", "99038567", "9 903.85", "99", "9.", "GIP 83",
     "gip-083", "GIP 830", "20190901", "2019-09-01", "2019090", "\u0662\u0660\u0661\u0669\u0660"
     "\u0669\u0660\u0661", "\ufb01", "\u00a0x\u00a0", "CLS", "c2s", " CRC", "1", "12.5", "1e3",
     "abc", *MARKUP]
)  # fmt: skip
ATTRIBUTES = st.sampled_from(["unitCode", "currencyID", "formatCode", "other"])
ATTRIBUTE_VALUES = st.sampled_from(["KGM", "tne", " GRM ", "LBR", "NAR", "", "USD", "102", "304"])
EDIT = st.one_of(
    st.tuples(st.just("insert"), NAMES, TEXTS),
    st.tuples(st.just("insert"), st.sampled_from(KEPT), TEXTS),
    st.tuples(st.just("duplicate")),
    st.tuples(st.just("delete")),
    st.tuples(st.just("text"), TEXTS),
    st.tuples(st.just("attribute"), ATTRIBUTES, ATTRIBUTE_VALUES),
    st.tuples(st.just("rename"), NAMES),
    st.tuples(st.just("namespace"), st.sampled_from(["urn:other", ""])),
    st.tuples(st.just("comment")),
)


def _edit(decl: etree._Element, where: int, edit: tuple[Any, ...]) -> None:
    """Apply one edit to the `where`th element (by document order) of a declaration."""
    kind = edit[0]
    elems = list(decl.iter(etree.Element))
    if kind == "insert" and edit[1] in KEPT:  # kept where the reader looks: not in a leaf
        elems = [e for e in elems if len(e)] or elems
    elem = elems[where % len(elems)]
    parent = elem.getparent()
    if kind == "insert":
        child = etree.SubElement(elem, f"{{{carm.CAD_NS}}}{edit[1]}")
        child.text = edit[2] or None
        elem.insert(where % (len(elem) + 1), child)
    elif kind == "duplicate" and parent is not None:
        parent.insert(parent.index(elem), etree.fromstring(etree.tostring(elem)))
    elif kind == "delete" and parent is not None:
        parent.remove(elem)
    elif kind == "text":
        elem.text = edit[1]
    elif kind == "attribute":
        elem.set(edit[1], edit[2])
    elif kind == "rename":
        elem.tag = f"{{{carm.CAD_NS}}}{edit[1]}"
    elif kind == "namespace":
        local = etree.QName(elem).localname
        elem.tag = f"{{{edit[1]}}}{local}" if edit[1] else local
    elif kind == "comment":
        elem.insert(where % (len(elem) + 1), etree.Comment(" c "))


def _edited(decls: list[Declaration], edits: list[tuple[int, tuple[Any, ...]]]) -> bytes:
    """Write declarations as a CAD, edit them, and write the edited file out."""
    out = io.BytesIO()
    carm.write_carm(decls, out)
    root = etree.fromstring(out.getvalue(), RAW)
    found = _declarations(root)
    for k, (where, edit) in enumerate(edits):
        _edit(found[k % len(found)], where, edit)
    text = etree.tostring(root, encoding="unicode")
    for mark, markup in MARKUP.items():
        text = text.replace(mark, markup)
    return text.encode()


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    decls=st.lists(cad_declaration(), min_size=1, max_size=2),
    edits=st.lists(st.tuples(st.integers(0, 200), EDIT), max_size=4),
    raw=st.booleans(),
)
def test_both_kernels_read_edited_declarations_alike(
    kernels: tuple[ModuleType, ModuleType],
    decls: list[Declaration],
    edits: list[tuple[int, tuple[Any, ...]]],
    raw: bool,
) -> None:
    data = _edited(decls, edits)
    _both_kernels(etree.fromstring(data, RAW if raw else READER), kernels)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(which=st.sampled_from(SAMPLES + CAD_EXAMPLES), seed=st.integers(0, 2**32 - 1))
def test_both_kernels_read_mutated_samples_alike(
    kernels: tuple[ModuleType, ModuleType], which: Path, seed: int
) -> None:
    text = mutate(which.read_text().splitlines(), random.Random(seed))
    try:
        root = etree.fromstring(text.encode(), READER)
    except etree.XMLSyntaxError:
        return
    _both_kernels(root, kernels)


# Hand-made cases: each shape read, or refused, as the twin reads or refuses it -----------

CLEAN_ITEM = (
    "<SequenceNumeric>1</SequenceNumeric><Commodity><Description>Sheet</Description>"
    "<Classification><ID>7606.12.00.20</ID></Classification>{commodity}</Commodity>{item}"
)


def _cad(decl: str = "", item: str = "", commodity: str = "") -> bytes:
    body = CLEAN_ITEM.format(item=item, commodity=commodity)
    return (
        f'<DocumentMetaData xmlns="{carm.CAD_NS}"><Declaration><ID>1</ID><TypeCode>AB</TypeCode>'
        f"{decl}<GoodsShipment><GovernmentAgencyGoodsItem>{body}</GovernmentAgencyGoodsItem>"
        "</GoodsShipment></Declaration></DocumentMetaData>"
    ).encode()


CASES = {
    "clean": (_cad(), True),
    "kept at the declaration": (_cad(decl="<VersionID>3</VersionID>"), True),
    "kept in an item": (_cad(item="<Agent><Name>x</Name></Agent>"), True),
    "kept holding input not read": (_cad(item="<Agent><Nme>x</Nme></Agent>"), False),
    "an unknown element": (_cad(item="<Orgin><CountryCode>DE</CountryCode></Orgin>"), False),
    "a comment": (_cad(item="<!-- c -->"), False),
    "a processing instruction": (_cad(decl="<?pi x?>"), False),
    "a single given twice": (_cad(decl="<ID>2</ID>"), False),
    "a leaf holding an element": (_cad(decl="<Status><ReleaseDateTime>2019<X/></ReleaseDateTime></Status>"), False),
    "a value for duty without a value": (_cad(item="<DutyTaxFee><TypeCode>TOT</TypeCode></DutyTaxFee>"), False),
    "a value for duty kept": (_cad(item="<DutyTaxFee><TypeCode>tot</TypeCode></DutyTaxFee>", commodity="<InvoiceLine><ItemChargeAmount>5</ItemChargeAmount></InvoiceLine>"), True),
    "an AD duty": (_cad(item="<DutyTaxFee><TypeCode> add </TypeCode><DutyRegimeCode>A-1</DutyRegimeCode></DutyTaxFee>"), True),
    "an AD duty's type holding an element": (_cad(item="<DutyTaxFee><TypeCode>ADD<ID/></TypeCode></DutyTaxFee>"), False),
    "documents citing GIP 83 or not": (_cad(item="".join(f"<AdditionalDocument><TypeCode>{t}</TypeCode><ID>{i}</ID></AdditionalDocument>" for t, i in [("AUTH", "gip 83"), ("AUTH", "\u00a0GIP-083"), ("GIP", "83"), ("AUTH", "Gipsy 83"), ("AUTH", "83 GIP"), ("PERMIT", "\tGIP 83 "), ("X", "\u0127")])), True),
    "dates in other formats": (_cad(decl='<Status><ReleaseDateTime formatCode="304">20190901</ReleaseDateTime></Status>'), True),
    "texts in pieces": (_cad(item="<Origin><CountryCode> D<![CDATA[E]]> </CountryCode></Origin>"), True),
    "a second tariff number": (_cad(commodity="<Classification><ID>7606.12</ID></Classification>"), False),
    "chapter 99 codes": (_cad(commodity="<Classification><ID>9 9.03</ID></Classification><Classification><ID>.99</ID></Classification>"), True),
    "a count in kilograms": (_cad(commodity='<GoodsMeasure><CountQuantity unitCode=" tne ">2</CountQuantity></GoodsMeasure>'), True),
    "two counts": (_cad(commodity="<GoodsMeasure><CountQuantity>2</CountQuantity></GoodsMeasure><CountQuantity>3</CountQuantity>"), False),
    "another namespace": (_cad(decl='<Importer><Name xmlns="urn:x">N</Name></Importer>'), True),
    "a unicode date": (_cad(decl="<Status><ReleaseDateTime>\u0662\u0660\u0661\u0669\u0660\u0669\u0660\u0661</ReleaseDateTime></Status>"), True),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("parser", [READER, RAW], ids=["reader", "raw"])
def test_both_kernels_read_or_refuse_each_shape_alike(
    kernels: tuple[ModuleType, ModuleType], name: str, parser: etree.XMLParser
) -> None:
    data, plain = CASES[name]
    (outcome,) = _both_kernels(etree.fromstring(data, parser), kernels)
    dropped = parser is READER and name in ("a comment", "a processing instruction")
    assert (outcome != IRREGULAR) == (plain or dropped)


def test_where_declarations_are_is_told_alike(kernels: tuple[ModuleType, ModuleType]) -> None:
    """Declarations one after another, wrapped, nested, after other elements, in other
    namespaces: which to read, and whether anything but declarations precedes one."""
    text = (
        f'<M xmlns="{carm.CAD_NS}"><Declaration/><Declaration><Declaration/></Declaration>'
        '<x:Declaration xmlns:x="urn:x"/><Note/><Declaration/><W><Declaration/><!-- c -->'
        "<Declaration/></W><Declaration><GoodsShipment/><ID/></Declaration></M>"
    )
    root = etree.fromstring(text, RAW)
    compiled, twin = kernels
    elems = list(root.iter(etree.Element))
    got = [(compiled.top_declaration(e), compiled.nothing_before(e)) for e in elems]
    assert got == [(twin.top_declaration(e), twin.nothing_before(e)) for e in elems]
    assert [e for e in elems if compiled.top_declaration(e)] == [
        root[0],
        root[1],
        root[2],
        root[4],
        root[5][0],
        root[5][2],
        root[6],
    ]
    assert [compiled.nothing_before(d) for d in root.iter("{*}Declaration")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]


def test_the_edits_reach_names_of_the_profile_only_where_meant() -> None:
    """The edit pools: read and kept names of the profile, other names outside it."""
    assert set(READ + KEPT) <= PROFILE_NAMES
    assert not (set(OTHER) - {"Declaration"}) & PROFILE_NAMES
