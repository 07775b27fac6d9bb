"""Canada's CARM accounting declaration (CBSA profile of WCO XML): mapping, detection,
CA findings, hostile and damaged input, and the round trip through alcheck's WCO XML."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import alcheck
from alcheck import Declaration, HostileInputError, InputError, NotADeclarationError
from alcheck.formats import FORMATS, detect_format, read_wco_xml_bytes, write_wco_xml
from alcheck.formats.carm import looks_like_carm, read_carm, read_carm_stream
from alcheck.gateway import builtin_findings
from alcheck.model import lenient_declaration

DATA = Path(__file__).parent / "data" / "carm"
EXAMPLES = Path(__file__).parent.parent / "examples"
CLEAN = DATA / "gip83-clean.xml"
US = DATA / "us-7601-surtax.xml"
SMELT = DATA / "smelt-cast-no-gip.xml"
EXTRA = DATA / "extra-elements.xml"
SAMPLES = [CLEAN, US, SMELT, EXTRA]


def line_of(path: Path, text: str, nth: int = 1) -> int:
    """The number of the nth line of a file that holds `text`."""
    hits = [n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line]
    return hits[nth - 1]


def one(path: Path) -> Declaration:
    (decl,) = read_carm(path)
    return decl


def ca(decls: list[Declaration]) -> list[tuple[Any, ...]]:
    return sorted(
        (f.rule_id, f.severity, f.item_line, f.message)
        for f in alcheck.validate(decls)
        if f.rule_id.startswith("CA-")
    )


# ---------------------------------------------------------------------------------------
# Mapping


def test_the_clean_sample_maps_to_the_model() -> None:
    decl = one(CLEAN)
    assert decl.jurisdiction == "CA"
    assert decl.id == "12345000012347"
    assert decl.declaration_type == "AB" and decl.regime == alcheck.Regime.CONSUMPTION
    assert decl.entry_date == dt.date(2026, 11, 2)
    assert decl.importer is not None and decl.importer.id == "123456789RM0001"
    assert decl.importer.name == "Laurentian Metals Inc."
    assert [(r.currency, r.to_currency, r.rate) for r in decl.exchange_rates] == [
        ("USD", "CAD", Decimal("1.3889"))
    ]
    (item,) = decl.items
    assert item.line == 1
    assert item.tariff_code == "7606120020"
    assert (item.origin, item.export_country) == ("DE", "DE")
    assert (item.smelt1, item.smelt2, item.cast) == ("NO", None, "DE")
    assert (item.value, item.currency) == (Decimal(84000), "CAD")
    assert item.net_mass_kg == Decimal(20000)
    assert [(d.type, d.id) for d in item.documents] == [("GIP", "83"), ("COA", "MTC-1")]
    assert not decl.unread and not item.unread and not decl.invalid and not item.invalid


def test_every_value_keeps_its_line_and_xpath() -> None:
    decl = one(CLEAN)
    (item,) = decl.items
    where = {k: (v.file, v.line, v.path) for k, v in decl.sources.items()}
    assert where["id"] == (str(CLEAN), line_of(CLEAN, "<ID>12345000012347"), "//Declaration[1]/ID")
    assert where["entry_date"][1:] == (
        line_of(CLEAN, "<ReleaseDateTime>"),
        "//Declaration[1]/Status/ReleaseDateTime",
    )
    assert where["jurisdiction"][1] == line_of(CLEAN, "ResponsibleCountryCode")
    assert where["importer"][1] == line_of(CLEAN, "<Importer>")
    item_path = "//Declaration[1]/GoodsShipment/GovernmentAgencyGoodsItem"
    expected = {
        "tariff_declared": ("<ID>7606120020", f"{item_path}/Commodity/Classification/ID"),
        "origin": ("<CountryCode>DE", f"{item_path}/Origin[1]/CountryCode"),
        "smelt1": ("<CountryCode>NO", f"{item_path}/Origin[2]/CountryCode"),
        "value": ("ItemChargeAmount", f"{item_path}/Commodity/InvoiceLine/ItemChargeAmount"),
        "currency": ("ItemChargeAmount", f"{item_path}/Commodity/InvoiceLine/ItemChargeAmount"),
        "net_mass_kg": ("CountQuantity", f"{item_path}/Commodity/GoodsMeasure/CountQuantity"),
        "documents[0]": ("<ID>83<", f"{item_path}/AdditionalDocument[1]"),
        "export_country": ("<ID>DE", "//Declaration[1]/GoodsShipment/ExportCountry/ID"),
    }
    for field, (text, path) in expected.items():
        loc = item.sources[field]
        assert (loc.file, loc.path) == (str(CLEAN), path), field
        assert loc.line == line_of(CLEAN, text) or (
            text == "<ID>83<" and loc.line == line_of(CLEAN, "<AdditionalDocument>")
        ), field
    assert item.sources["cast"].line == line_of(CLEAN, "<CountryCode>DE", 2)


def test_the_profile_s_other_elements_are_kept_quietly() -> None:
    decl = one(CLEAN)
    (item,) = decl.items
    assert decl.kept["ReleaseLocation[1]"] == "0497"
    assert decl.kept["Declarant[1]"] == "987654321RM0001"
    assert decl.kept["//AgencyAssignedCustomizationCode"] == "CAD"
    assert decl.kept["//FunctionalDefinition"] == "CAD-IN"
    assert decl.kept["GoodsShipment/Invoice[1]"] == "INV-4471 380"
    assert item.kept == {
        "DestinationRegionID[1]": "QC",
        "DutyTaxFee[1]": "CUD 2",
        "DutyTaxFee[2]": "TOT 84000",
    }
    assert decl.sources["ReleaseLocation[1]"].line == line_of(CLEAN, "<ReleaseLocation>")
    assert not list(builtin_findings(decl))


def test_chapter_99_and_a_gip_83_citation_in_the_authority_field() -> None:
    (item,) = one(US).items
    assert item.tariff_code == "7601100020"
    assert item.additional_codes == ("99710000",)
    assert item.sources["additional_codes[0]"].path.endswith("Classification[2]/ID")
    assert [(d.type, d.id, d.category) for d in item.documents] == [("GIP", "83", "AUT GIP 83")]
    assert item.net_mass_kg == Decimal(25000)  # 25 TNE
    assert (item.value, item.currency) == (Decimal(70000), "USD")
    assert item.kept["Origin[1]/RegionID[1]"] == "NY"  # the US state of origin


def test_smelt_and_cast_qualifiers_and_sima_duties() -> None:
    first, second = one(SMELT).items
    assert (first.smelt1, first.smelt2, first.cast) == ("IN", "AU", "CN")
    assert (second.smelt1, second.smelt2, second.cast) == ("IN", None, "IN")
    assert [(d.type, d.id, d.category) for d in first.documents] == [("ADC", "S1379", "ADD")]
    assert first.sources["smelt2"].line == line_of(SMELT, "<CountryCode>AU")
    assert first.export_country == "VN" and second.export_country == "IN"


def test_elements_outside_the_profile_are_reported_others_kept() -> None:
    decl = one(EXTRA)
    (item,) = decl.items
    assert decl.unread == {"BrokerNote[1]": "rush", "//SenderRole": "HN"}
    assert item.unread == {"Commodity/Classification/Grade[1]": "AA8030", "Orgin[1]": "NO CLS"}
    assert item.sources["Orgin[1]"].line == line_of(EXTRA, "<Orgin>")
    assert "PreviousDocument[1]" in decl.kept and "BorderTransportMeans[1]" in decl.kept
    assert "Commodity/BindingTariffReferenceID[1]" in item.kept
    assert item.kept["AdditionalInformation[1]"] == "MIF"
    assert decl.invalid == {"entry_date": "2026-13-40"}
    assert item.invalid == {"net_mass_kg": "5 000 kg"}
    found = alcheck.validate(decl)
    unknown = sorted(f.message.split(":")[0] for f in found if f.rule_id == "SYN-UNKNOWN")
    assert unknown == [
        "//SenderRole",
        "BrokerNote[1]",
        "Commodity/Classification/Grade[1]",
        "Orgin[1]",
    ]
    bad = {
        (f.field, f.location.line if f.location else None)
        for f in found
        if f.rule_id == "SYN-VALUE"
    }
    assert bad == {
        ("entry_date", line_of(EXTRA, "ReleaseDateTime")),
        ("items[1].net_mass_kg", line_of(EXTRA, "CountQuantity")),
    }


def test_a_second_tariff_classification_and_a_repeated_origin_are_reported() -> None:
    text = US.read_text().replace("<ID>9971.00.00</ID>", "<ID>7601200010</ID>")
    text = text.replace("<TypeCode>CRC</TypeCode>", "<TypeCode>CLS</TypeCode>")
    (decl,) = read_carm_stream(io.BytesIO(text.encode()), "two.xml")
    (item,) = decl.items
    assert item.tariff_code == "7601100020" and item.cast is None
    assert set(item.unread) == {"Commodity/Classification[2]", "Origin[3]"}


def test_several_shipments_and_declarations_are_all_read() -> None:
    body = CLEAN.read_text().split("<Declaration>", 1)[1].split("</Declaration>")[0]
    body = body.replace("<GoodsShipment>", "<GoodsShipment><Seller><ID>S</ID></Seller>", 1)
    two_shipments = body.replace(
        "</GoodsShipment>", "</GoodsShipment><GoodsShipment>" + body.split("<GoodsShipment>")[1]
    )
    head = CLEAN.read_text().split("<Declaration>", 1)[0]
    text = head + f"<Declaration>{two_shipments}</Declaration>" * 2 + "</md:DocumentMetaData>"
    decls = list(read_carm_stream(io.BytesIO(text.encode()), "many.xml"))
    assert [len(d.items) for d in decls] == [2, 2]
    assert decls[1].location is not None and decls[1].location.path == "//Declaration[2]"
    assert "GoodsShipment[1]/Seller[1]" in decls[0].kept
    assert not decls[0].unread


def test_a_country_other_than_canada_is_reported() -> None:
    text = CLEAN.read_text().replace(
        ">CA</md:ResponsibleCountryCode>", ">US</md:ResponsibleCountryCode>"
    )
    (decl,) = read_carm_stream(io.BytesIO(text.encode()), "us.xml")
    assert decl.jurisdiction == "CA"
    assert decl.unread["//ResponsibleCountryCode"] == "US"


# ---------------------------------------------------------------------------------------
# Detection


CAD_EXAMPLES = sorted(EXAMPLES.glob("*.cad.xml"))


@pytest.mark.parametrize("path", SAMPLES + CAD_EXAMPLES, ids=lambda p: p.name)
def test_samples_are_detected_by_content(path: Path) -> None:
    data = path.read_bytes()
    assert looks_like_carm(data[:65536])
    assert detect_format(data) == "carm"
    assert detect_format(data.decode().encode("utf-16")) == "carm"
    assert [d.id for d in alcheck.read(io.BytesIO(data))] == [d.id for d in read_carm(path)]
    assert "carm" in FORMATS


@pytest.mark.parametrize(
    "path", sorted(set(EXAMPLES.glob("*.xml")) - set(CAD_EXAMPLES)), ids=lambda p: p.name
)
def test_ordinary_wco_files_are_not_carm(path: Path) -> None:
    assert not looks_like_carm(path.read_bytes()[:65536])
    assert detect_format(path.read_bytes()) == "xml"


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"ID,tariff\n",
        b'<Declaration xmlns="urn:wco:datamodel:WCO:DEC-DMS:2"><TypeCode>CAD</TypeCode>',
        b'<x xmlns="urn:wco:datamodel:WCO:Declaration:1"/>',  # no CBSA metadata
        b"ResponsibleAgencyName>CBSA< urn:wco:datamodel:WCO:Declaration:1",  # not XML
    ],
)
def test_other_input_is_not_carm(head: bytes) -> None:
    assert not looks_like_carm(head)


# ---------------------------------------------------------------------------------------
# CA rules


def test_the_clean_entry_gives_no_finding() -> None:
    assert alcheck.validate(one(CLEAN)) == []


def test_us_unwrought_aluminum_on_2026_09_08_owes_the_50_percent_surtax() -> None:
    found = [f for f in alcheck.validate(one(US)) if f.rule_id.startswith("CA-")]
    assert [f.rule_id for f in found] == ["CA-SURTAX-US"]
    assert "50%" in found[0].message and "2026-09-08" in found[0].message
    assert found[0].location is not None
    assert found[0].location.line == line_of(US, "<CountryCode>US</CountryCode>")


def test_gip_83_passes_when_cited_and_fires_when_not() -> None:
    assert not [f for f in alcheck.validate(one(US)) if f.rule_id == "CA-GIP83"]
    fired = [f for f in alcheck.validate(one(SMELT)) if f.rule_id == "CA-GIP83"]
    assert [f.item_line for f in fired] == [1, 2]
    uncited = US.read_text().replace("<ID>GIP 83</ID>", "<ID>OIC-2019-1234</ID>")
    (decl,) = read_carm_stream(io.BytesIO(uncited.encode()), "uncited.xml")
    assert [f.rule_id for f in alcheck.validate(decl) if f.rule_id == "CA-GIP83"] == ["CA-GIP83"]


def test_chinese_cast_is_read_for_the_china_metal_surtax() -> None:
    found = {(f.rule_id, f.item_line) for f in alcheck.validate(one(SMELT))}
    assert ("CA-SURTAX-CN-METAL", 1) in found  # cast in China, CAD 12,000
    assert ("CA-SURTAX-CN-METAL", 2) not in found  # Indian metal, CAD 3,000


# ---------------------------------------------------------------------------------------
# Round trip through alcheck's WCO XML


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_written_as_wco_xml_and_read_back_gives_the_same_ca_findings(path: Path) -> None:
    decls = list(read_carm(path))
    out = io.BytesIO()
    write_wco_xml(decls, out)
    again = list(read_wco_xml_bytes(out.getvalue(), "again.xml"))
    assert [(f[0], f[1], f[2], f[3]) for f in ca(again)] == ca(decls)
    if path != EXTRA:  # the extra sample's findings are about what WCO XML does not keep
        assert ca(decls) or path == CLEAN


# ---------------------------------------------------------------------------------------
# Unreadable and hostile input


def test_not_well_formed_xml_names_file_and_line() -> None:
    text = CLEAN.read_text().replace("</Importer>", "</Importr>", 1)
    with pytest.raises(InputError) as err:
        list(read_carm_stream(io.BytesIO(text.encode()), "broken.xml"))
    assert err.value.file == "broken.xml"
    assert err.value.line == line_of(CLEAN, "</Importer>")


def test_a_doctype_is_refused_unread() -> None:
    evil = (
        b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        + CLEAN.read_bytes().split(b"?>", 1)[1]
    )
    with pytest.raises(HostileInputError):
        list(read_carm_stream(io.BytesIO(evil), "evil.xml"))
    with pytest.raises(HostileInputError):
        list(alcheck.read(io.BytesIO(evil)))


def test_metadata_without_a_declaration_is_not_a_declaration() -> None:
    text = CLEAN.read_text().split("<Declaration>")[0] + "</md:DocumentMetaData>"
    with pytest.raises(NotADeclarationError):
        list(read_carm_stream(io.BytesIO(text.encode()), "empty.xml"))


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        list(read_carm(tmp_path / "nope.xml"))
    assert err.value.file == str(tmp_path / "nope.xml")


def test_a_large_file_is_streamed() -> None:
    """Many declarations are yielded one by one: the first comes before the end is read."""
    head, rest = CLEAN.read_bytes().split(b"<Declaration>", 1)
    body = b"<Declaration>" + rest.split(b"</md:DocumentMetaData>")[0]

    class Endless:
        """A file that never ends: the envelope, then declarations without end."""

        def __init__(self) -> None:
            self.pending = head

        def read(self, size: int = -1) -> bytes:
            assert size > 0, "the reader asked for the whole stream"
            while len(self.pending) < size:
                self.pending += body
            chunk, self.pending = self.pending[:size], self.pending[size:]
            return chunk

    source: Any = Endless()
    decls = read_carm_stream(source, "endless.xml")
    for _, decl in zip(range(300), decls, strict=False):
        assert decl.items[0].tariff_code == "7606120020"


# ---------------------------------------------------------------------------------------
# Fuzzing: findings or an InputError naming file and line, never another exception


def consume(data: bytes) -> None:
    try:
        for decl in read_carm_stream(io.BytesIO(data), "fuzz.xml"):
            list(builtin_findings(decl))
            alcheck.validate(decl)
    except NotADeclarationError as exc:
        assert exc.file == "fuzz.xml"
    except InputError as exc:
        assert exc.file == "fuzz.xml"
        assert exc.line is not None and exc.line >= 1, exc


def mutate(lines: list[str], rnd: random.Random) -> str:
    lines = list(lines)
    for _ in range(rnd.randint(1, 4)):
        i = rnd.randrange(len(lines))
        kind = rnd.choice(["delete", "duplicate", "swap", "truncate", "garble"])
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = rnd.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "truncate":
            lines = lines[: i + 1]
            lines[-1] = lines[-1][: rnd.randrange(len(lines[-1]) + 1)]
        else:
            at = rnd.randrange(len(lines[i]) + 1)
            lines[i] = (
                lines[i][:at] + rnd.choice(["x", "1", "<", "&", ">", "-13", ""]) + lines[i][at:]
            )
        if not lines:
            return ""
    return "\n".join(lines)


@settings(max_examples=300, deadline=None)
@given(
    which=st.sampled_from(SAMPLES),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    tail=st.binary(max_size=40),
)
def test_mutated_samples_give_findings_or_a_clear_input_error(
    which: Path, seed: int, tail: bytes
) -> None:
    rnd = random.Random(seed)
    text = mutate(which.read_text().splitlines(), rnd)
    consume(text.encode())
    consume(which.read_bytes() + tail)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2000))
def test_random_bytes_never_crash(data: bytes) -> None:
    consume(data)
    consume(CLEAN.read_bytes()[:400] + data)


# ---------------------------------------------------------------------------------------
# The writer: read(write(x)) == x for what a CAD can state

TEXT = st.text(alphabet="ABCXYZabcxyz0123456789-./ ", min_size=1, max_size=12).map(str.strip)
TEXT = TEXT.filter(bool)
AMOUNT = st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False)
COUNTRY = st.sampled_from(["CA", "US", "CN", "DE", "RU", "ZN"])
METAL = st.sampled_from(["CA", "RU", "UN", "N/A", "ZU"])
OTHER_DOCS = st.builds(
    alcheck.Document,
    type=st.sampled_from(["COA", "AIM", "N935", "PERMIT"]),
    id=st.none() | st.sampled_from(["MTC-1", "A-1", "X 9"]),
    category=st.none() | st.sampled_from(["C", "N"]),
) | st.just(alcheck.Document(type="GIP", id="83"))
SIMA = st.builds(
    alcheck.Document,
    type=st.just("ADC"),
    id=st.none() | st.sampled_from(["A-570-967", "C-570-968"]),
    category=st.sampled_from(["ADD", "CVD"]),
)
DOCUMENTS = st.tuples(st.lists(OTHER_DOCS, max_size=2), st.lists(SIMA, max_size=1)).map(
    lambda parts: tuple(parts[0] + parts[1])
)


@st.composite
def cad_item(draw: st.DrawFn) -> alcheck.GoodsItem:
    counted = draw(st.booleans())
    value = draw(st.none() | AMOUNT)
    return alcheck.GoodsItem(
        line=draw(st.integers(1, 999)),
        description=draw(st.none() | TEXT),
        tariff_declared=draw(st.none() | st.from_regex(r"7[0-9]{7,9}", fullmatch=True)),
        additional_codes=tuple(
            draw(st.lists(st.sampled_from(["99038567", "9903.85.68"]), max_size=2))
        ),
        origin=draw(st.none() | COUNTRY),
        export_country=draw(st.none() | COUNTRY),
        smelt1=draw(st.none() | METAL),
        smelt2=draw(st.none() | METAL),
        cast=draw(st.none() | METAL),
        net_mass_kg=None if counted else draw(st.none() | AMOUNT),
        gross_mass_kg=draw(st.none() | AMOUNT),
        supplementary_quantity=draw(AMOUNT) if counted else None,
        supplementary_unit=draw(st.sampled_from(["NAR", "LTR"])) if counted else None,
        value=value,
        currency=None if value is None else draw(st.none() | st.sampled_from(["CAD", "USD"])),
        documents=draw(DOCUMENTS),
    )


@st.composite
def cad_declaration(draw: st.DrawFn) -> Declaration:
    regular = draw(st.booleans())
    party = st.none() | st.builds(alcheck.Party, name=st.none() | TEXT, id=st.none() | TEXT)
    rate = st.builds(
        alcheck.ExchangeRate, currency=st.sampled_from(["USD", "EUR"]), to_currency=st.just("CAD"),
        rate=st.decimals(min_value=Decimal("0.001"), max_value=100, places=4),
    )  # fmt: skip
    return Declaration(
        id=draw(st.from_regex(r"[0-9]{14}", fullmatch=True)),
        jurisdiction="CA",
        declaration_type="AB" if regular else None,
        regime=alcheck.Regime.CONSUMPTION if regular else None,
        entry_date=draw(st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31))),
        importer=draw(party),
        exporter=draw(party),
        documents=draw(DOCUMENTS),
        exchange_rates=tuple(draw(st.lists(rate, max_size=2))),
        items=tuple(draw(st.lists(cad_item(), max_size=3))),
    )


def _plain(decl: Declaration) -> dict[str, Any]:
    """A declaration without where its values were read, nor the envelope's metadata the
    reader keeps on it (`kept`: the CAD's own, not the declaration's)."""
    return decl.model_dump(
        exclude={
            "location": True, "sources": True, "kept": True,
            "items": {"__all__": {"location", "sources"}},
        }
    )  # fmt: skip


@settings(deadline=None, max_examples=80)
@given(decls=st.lists(cad_declaration(), min_size=1, max_size=3))
def test_write_then_read_is_the_identity(decls: list[Declaration]) -> None:
    from alcheck.formats.carm import write_carm

    out = io.BytesIO()
    write_carm(decls, out)
    assert detect_format(out.getvalue()[:65536]) == "carm"
    back = list(read_carm_stream(io.BytesIO(out.getvalue()), "written.xml"))
    assert [_plain(d) for d in back] == [_plain(d) for d in decls]


@pytest.mark.parametrize(
    "change",
    [
        {"jurisdiction": "US"},
        {"procedure_code": "4000"},
        {"regime": alcheck.Regime.WAREHOUSE, "declaration_type": "AB"},
        {"items": (alcheck.GoodsItem(preferential_origin="MX"),)},
    ],
)
def test_what_a_cad_cannot_state_is_refused_not_lost(change: dict[str, Any]) -> None:
    from alcheck.formats.carm import write_carm

    decl = one(CLEAN).model_copy(update=change)
    with pytest.raises(alcheck.UsageError, match="cannot state"):
        write_carm([decl], io.BytesIO())


# ---------------------------------------------------------------------------------------
# The plain reader (one visit of each element) reads what the full reader reads


def _as_fields(data: Any) -> Any:
    """Loose data with each `Location` as the fields given (what the full reader gives)."""
    if isinstance(data, alcheck.Location):
        return data.model_dump(exclude_unset=True)
    if isinstance(data, dict):
        return {k: _as_fields(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_as_fields(v) for v in data]
    return data


def _both_readers(data: bytes) -> tuple[int, int]:
    """Read each declaration of a CAD with `PlainCad` (where it reads it) and with
    `_CadReader`: the same loose data, locations resolved; the XPath of every element of
    the declaration as the full reader gives it. Return (declarations, read plainly)."""
    from lxml import etree

    from alcheck.formats import carm
    from alcheck.formats._xmlsafe import safe_parser_options
    from alcheck.formats.loose_columns import resolved

    # As the reader parses (`safe_iterparse`): no comments, processing instructions or blanks.
    parser = etree.XMLParser(
        remove_comments=True, remove_pis=True, remove_blank_text=True, **safe_parser_options()
    )
    root = etree.fromstring(data, parser)
    decls = [
        d
        for d in root.iter("{*}Declaration")
        if next(d.iterancestors("{*}Declaration"), None) is None
    ]
    where = ("CA", {"file": "f", "line": 1, "path": "//ResponsibleCountryCode"})
    plain = 0
    for k, decl in enumerate(decls, start=1):
        places = carm._CadPlaces("f", decl, k)  # noqa: SLF001
        full = resolved(carm._CadReader("f", decl, k, where).declaration())  # noqa: SLF001
        try:
            fast = carm.PlainCad(places, where).declaration()  # noqa: SLF001
        except carm.Irregular:  # noqa: SLF001
            continue
        plain += 1
        assert _as_fields(resolved(fast)) == _as_fields(full)
        assert lenient_declaration(resolved(fast)) == lenient_declaration(full)
        reader = carm._CadReader("f", decl, k, where)  # noqa: SLF001
        for elem in decl.iter():
            at: list[int] = []
            node = elem
            while node is not decl:
                at.insert(0, node.getparent().index(node))
                node = node.getparent()
            location = places.locate(tuple(at))
            assert location is not None
            assert location.model_dump(exclude_unset=True) == reader.loc(elem).fields()
            assert places.line_of(tuple(at)) == elem.sourceline
    return len(decls), plain


@pytest.mark.parametrize("path", SAMPLES + CAD_EXAMPLES, ids=lambda p: p.name)
def test_the_plain_reader_reads_as_the_full_reader(path: Path) -> None:
    n, plain = _both_readers(path.read_bytes())
    if path == EXTRA:
        assert plain == 0  # input not read: read in full
    else:
        assert plain == n  # all read or kept: read the fast way


@settings(max_examples=300, deadline=None)
@given(which=st.sampled_from(SAMPLES + CAD_EXAMPLES), seed=st.integers(0, 2**32 - 1))
def test_the_plain_reader_reads_mutated_samples_as_the_full_reader(which: Path, seed: int) -> None:
    from lxml import etree

    text = mutate(which.read_text().splitlines(), random.Random(seed))
    try:
        _both_readers(text.encode())
    except etree.XMLSyntaxError:
        pass


@settings(deadline=None, max_examples=80)
@given(decls=st.lists(cad_declaration(), min_size=1, max_size=3))
def test_the_plain_reader_reads_written_cads_as_the_full_reader(decls: list[Declaration]) -> None:
    from alcheck.formats.carm import write_carm

    out = io.BytesIO()
    write_carm(decls, out)
    assert _both_readers(out.getvalue()) == (len(decls), len(decls))


def test_an_envelope_element_before_a_wrapped_declaration_is_not_lost() -> None:
    head, rest = CLEAN.read_text().split("<Declaration>", 1)
    body = "<Declaration>" + rest.split("</Declaration>")[0] + "</Declaration>"
    text = head + "<Wrapper><Note>n</Note>" + body + "</Wrapper></md:DocumentMetaData>"
    (decl,) = read_carm_stream(io.BytesIO(text.encode()), "wrapped.xml")
    assert decl.unread == {"//Note": "n"}
    assert decl.sources["//Note"].line == line_of(CLEAN, "<Declaration>")


def test_a_declaration_read_before_a_syntax_error_is_given_first() -> None:
    head, rest = CLEAN.read_text().split("<Declaration>", 1)
    body = "<Declaration>" + rest.split("</Declaration>")[0] + "</Declaration>"
    text = head + body + body.replace("</Importer>", "</Importr>") + "</md:DocumentMetaData>"
    got: list[Declaration] = []
    with pytest.raises(InputError) as err:
        for decl in read_carm_stream(io.BytesIO(text.encode()), "broken.xml"):
            got.append(decl)
    assert [d.id for d in got] == [one(CLEAN).id]
    assert err.value.line is not None


def test_the_plain_reader_locates_in_a_shipment_of_many_items() -> None:
    """More goods items than `_FEW`: their siblings are counted once, not for each."""
    text = SMELT.read_text()
    start = text.index("<GovernmentAgencyGoodsItem>")
    end = text.index("</GovernmentAgencyGoodsItem>") + len("</GovernmentAgencyGoodsItem>")
    many = text[:start] + text[start:end] * 40 + text[end:]
    n, plain = _both_readers(many.encode())
    assert plain == n == 1


def test_elements_outside_declarations_are_freed_as_read_and_kept_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Many elements around the declarations (many parser reads): each is taken with
    the declaration after it (the last keeps those after it), the responsible country
    given between them holds from there on, and the tree never holds them all."""
    from alcheck.formats import carm

    head, rest = CLEAN.read_text().split("<Declaration>", 1)
    body = "<Declaration>" + rest.split("</Declaration>")[0] + "</Declaration>"

    def junk(n: int, tag: str) -> str:
        return "".join(f"<{tag}>v{i}<x>{i}</x></{tag}>" for i in range(n))

    us = "<md:ResponsibleCountryCode>US</md:ResponsibleCountryCode>"
    text = head + junk(20000, "A") + body + junk(20000, "B") + us + body + junk(20000, "C")
    text += "</md:DocumentMetaData>"
    widest = [0]
    prune = carm._Envelope.prune  # noqa: SLF001

    def watched(self: Any) -> None:
        prune(self)
        if self.root is not None:
            widest[0] = max(widest[0], len(self.root))

    monkeypatch.setattr(carm._Envelope, "prune", watched)  # noqa: SLF001
    first, second = read_carm_stream(io.BytesIO(text.encode()), "wide.xml")
    assert len(first.unread) == 20000 and set(first.unread) >= {"//A", "//A[20000]"}
    assert first.jurisdiction == "CA" and "//ResponsibleCountryCode" not in first.unread
    assert len(second.unread) == 20000 + 1 + 20000
    assert {"//B[20000]", "//C", "//C[20000]"} <= set(second.unread)
    assert second.unread["//ResponsibleCountryCode"] == "US"
    assert second.sources["//C[20000]"].path == "//C"
    # Freed as read: at most what a few of the parser's reads hold, not all 60,000.
    assert 0 < widest[0] < 5000
