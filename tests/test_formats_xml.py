"""The WCO XML reader: alcheck's North American profile, envelopes, streaming, schemas."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

import alcheck
from alcheck import InputError, NotADeclarationError, Regime
from alcheck.formats import read, read_paths, read_wco_xml, read_wco_xml_bytes
from alcheck.gateway import builtin_findings

DATA = Path(__file__).parent / "data"

PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<md:MetaData xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
    xmlns="urn:wco:datamodel:WCO:DEC-DMS:2" xmlns:p1="urn:wco:datamodel:WCO:Declaration_DS:DMS:2">
  <md:ResponsibleCountryCode>CA</md:ResponsibleCountryCode>
  <Declaration>
    <FunctionalReferenceID>CA-1</FunctionalReferenceID>
    <IssueDateTime>
      <p1:DateTimeString formatCode="304">20260305104545+01</p1:DateTimeString>
    </IssueDateTime>
    <TypeCode>IMA</TypeCode>
    <AdditionalDocument><ID>83</ID><TypeCode>GIP</TypeCode></AdditionalDocument>
    <AdditionalInformation><StatementCode>MFR</StatementCode>
      <StatementDescription>Aluminerie X</StatementDescription></AdditionalInformation>
    <AdditionalInformation><StatementCode>REGIME</StatementCode>
      <StatementDescription>warehouse</StatementDescription></AdditionalInformation>
    <CurrencyExchange><CurrencyTypeCode>USD</CurrencyTypeCode><RateNumeric>1.37</RateNumeric></CurrencyExchange>
    <Exporter><Name>Smelter Inc.</Name><ID>EX1</ID></Exporter>
    <GoodsShipment>
      <ExportCountry><ID>US</ID></ExportCountry>
      <GovernmentAgencyGoodsItem>
        <SequenceNumeric>1</SequenceNumeric>
        <AdditionalDocument><CategoryCode>X</CategoryCode><ID>MTC-9</ID><TypeCode>COA</TypeCode></AdditionalDocument>
        <Commodity>
          <Description>Aluminium plates</Description>
          <Classification><ID>76061200</ID><IdentificationTypeCode>TSP</IdentificationTypeCode></Classification>
          <Classification><ID>9903.85.67</ID><IdentificationTypeCode>GN</IdentificationTypeCode></Classification>
          <GoodsMeasure>
            <GrossMassMeasure unitCode="TNE">2.5</GrossMassMeasure>
            <NetNetWeightMeasure unitCode="GRM">2000000</NetNetWeightMeasure>
            <TariffQuantity unitCode="NAR">12</TariffQuantity>
          </GoodsMeasure>
        </Commodity>
        <StatisticalValueAmount currencyID="USD">5000</StatisticalValueAmount>
        <GovernmentProcedure><CurrentCode>40</CurrentCode><PreviousCode>00</PreviousCode></GovernmentProcedure>
        <Origin><CountryCode>CN</CountryCode><TypeCode>1</TypeCode></Origin>
        <Origin><CountryCode>CA</CountryCode><TypeCode>2</TypeCode></Origin>
        <Origin><CountryCode>RU</CountryCode><TypeCode>CLS</TypeCode></Origin>
        <Origin><CountryCode>UN</CountryCode><TypeCode>C2S</TypeCode></Origin>
        <Origin><CountryCode>N/A</CountryCode><TypeCode>CRC</TypeCode></Origin>
      </GovernmentAgencyGoodsItem>
      <GovernmentAgencyGoodsItem>
        <SequenceNumeric>2</SequenceNumeric>
        <Commodity>
          <GoodsMeasure><NetNetWeightMeasure unitCode="LBR">10</NetNetWeightMeasure></GoodsMeasure>
        </Commodity>
        <ExportCountry><ID>MX</ID></ExportCountry>
      </GovernmentAgencyGoodsItem>
      <Importer><Name>Importer Ltd</Name><ID>IM1</ID></Importer>
    </GoodsShipment>
  </Declaration>
</md:MetaData>
"""


def test_profile_fields() -> None:
    (decl,) = read_wco_xml_bytes(PROFILE.encode(), "p.xml")
    assert decl.id == "CA-1" and decl.jurisdiction == "CA" and decl.declaration_type == "IMA"
    assert decl.entry_date is not None and decl.entry_date.isoformat() == "2026-03-05"
    assert decl.regime is Regime.WAREHOUSE  # the REGIME statement wins over CPC 40
    assert decl.procedure_code == "4000"
    assert decl.manufacturer is not None and decl.manufacturer.name == "Aluminerie X"
    assert decl.exporter is not None and decl.exporter.id == "EX1"
    assert decl.importer is not None and decl.importer.name == "Importer Ltd"
    assert [(d.type, d.id) for d in decl.documents] == [("GIP", "83")]
    (rate,) = decl.exchange_rates
    assert (rate.currency, rate.to_currency, rate.rate) == ("USD", "CAD", Decimal("1.37"))
    first, second = decl.items
    assert first.tariff_declared == "76061200" and first.additional_codes == ("99038567",)
    assert (first.origin, first.preferential_origin) == ("CN", "CA")
    assert (first.smelt1, first.smelt2, first.cast) == ("RU", "UN", "N/A")
    assert first.net_mass_kg == Decimal(2000) and first.gross_mass_kg == Decimal(2500)
    assert (first.supplementary_quantity, first.supplementary_unit) == (Decimal(12), "NAR")
    assert (first.value, first.currency) == (Decimal(5000), "USD")
    assert first.export_country == "US" and second.export_country == "MX"
    assert [(d.type, d.id, d.category) for d in first.documents] == [("COA", "MTC-9", "X")]
    assert second.net_mass_kg is None and second.invalid == {"net_mass_kg": "10 LBR"}
    assert (
        first.sources["smelt1"].line
        == PROFILE.splitlines().index(next(ln for ln in PROFILE.splitlines() if ">RU<" in ln)) + 1
    )
    assert first.sources["smelt1"].path is not None
    assert first.sources["smelt1"].path.endswith("Origin[3]/CountryCode")
    assert "documents[0]" in first.sources and "net_mass_kg" in second.sources
    rules = {f.rule_id for f in builtin_findings(decl)}
    assert "SYN-VALUE" in rules  # the mass in pounds is reported, not converted or dropped


@pytest.mark.parametrize(
    ("code", "regime"),
    [
        ("40", "consumption"),
        ("42", "consumption"),
        ("61", "consumption"),
        ("63", "consumption"),
        ("51", "other"),
        ("53", "temporary"),
        ("71", "warehouse"),
        ("10", None),
    ],
)
def test_procedure_codes_map_to_regimes(code: str, regime: str | None) -> None:
    xml = PROFILE.replace("<CurrentCode>40</CurrentCode>", f"<CurrentCode>{code}</CurrentCode>")
    xml = xml.replace("<StatementDescription>warehouse</StatementDescription>", "")
    xml = xml.replace("<StatementCode>REGIME</StatementCode>", "")
    (decl,) = read_wco_xml_bytes(xml.encode())
    assert decl.regime == (Regime(regime) if regime else None)


def test_dates_and_bad_values_are_kept_as_given() -> None:
    xml = PROFILE.replace('formatCode="304">20260305104545+01', 'formatCode="102">20261301')
    xml = xml.replace(
        "<SequenceNumeric>2</SequenceNumeric>", "<SequenceNumeric>two</SequenceNumeric>"
    )
    xml = xml.replace("<RateNumeric>1.37</RateNumeric>", "<RateNumeric>abc</RateNumeric>")
    (decl,) = read_wco_xml_bytes(xml.encode())
    assert decl.entry_date is None and decl.invalid["entry_date"] == "20261301"
    assert decl.items[1].invalid["line"] == "two"
    assert "exchange_rates[0]" in decl.invalid


def test_numbers_a_double_cannot_hold_are_reported_not_raised(tmp_path: Path) -> None:
    """Masses and amounts past a double's range, or made zero by it, are kept as given and
    reported by both paths. They raised decimal.Overflow: 1e999999 tonnes in kilograms,
    and an amount of 1e999999 over a mass of 1e-999999 kg in a message's unit value."""
    xml = PROFILE.replace(">2.5</GrossMassMeasure>", ">1e999999</GrossMassMeasure>")
    xml = xml.replace(
        '<NetNetWeightMeasure unitCode="GRM">2000000</NetNetWeightMeasure>',
        '<NetNetWeightMeasure unitCode="KGM">1e-999999</NetNetWeightMeasure>',
    )
    xml = xml.replace(">5000</StatisticalValueAmount>", ">1e999999</StatisticalValueAmount>")
    (decl,) = read_wco_xml_bytes(xml.encode())
    item = decl.items[0]
    assert (item.gross_mass_kg, item.net_mass_kg, item.value) == (None, None, None)
    assert item.invalid == {
        "gross_mass_kg": "1e999999 TNE", "net_mass_kg": "1e-999999", "value": "1e999999"
    }  # fmt: skip
    path = tmp_path / "huge.xml"
    path.write_text(xml, encoding="utf-8")
    slow = [(f.rule_id, f.field, f.value) for f in alcheck.validate(list(alcheck.read(path)))]
    fast = [(f.rule_id, f.field, f.value) for f in alcheck.screen_xml(path)]
    assert fast == slow
    assert ("SYN-VALUE", "items[1].value", "1e999999") in slow
    assert ("SYN-VALUE", "items[1].gross_mass_kg", "1e999999 TNE") in slow


def test_acceptance_date_when_no_issue_date() -> None:
    xml = PROFILE.replace("IssueDateTime>", "AcceptanceDateTime>").replace(
        'formatCode="304">20260305104545+01', 'formatCode="102">20251231'
    )
    (decl,) = read_wco_xml_bytes(xml.encode())
    assert decl.entry_date is not None and decl.entry_date.isoformat() == "2025-12-31"


def test_bare_declaration_root_and_custom_wrapper() -> None:
    body = PROFILE.split("<Declaration>", 1)[1].split("</Declaration>", 1)[0]
    bare = f'<Declaration xmlns="urn:wco:datamodel:WCO:DEC-DMS:2">{body}</Declaration>'
    (decl,) = read_wco_xml_bytes(bare.encode().replace(b"p1:", b""))
    assert decl.id == "CA-1" and decl.jurisdiction is None
    envelope = PROFILE.split("?>", 1)[1]
    many = "<batch>" + envelope * 3 + "</batch>"
    decls = list(read_wco_xml_bytes(many.encode()))
    assert [d.id for d in decls] == ["CA-1"] * 3
    assert [d.location.path for d in decls if d.location] == [
        "//Declaration[1]",
        "//Declaration[2]",
        "//Declaration[3]",
    ]


class CountingStream(io.BytesIO):
    """A stream that remembers how many bytes were read from it."""

    consumed = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk


def test_streaming_is_lazy() -> None:
    """The first declaration of a big file arrives before the whole file has been read."""
    envelope = PROFILE.split("?>", 1)[1]
    data = ("<batch>" + envelope * 3000 + "</batch>").encode()
    stream = CountingStream(data)
    decls = read(stream)
    first = next(decls)
    assert first.id == "CA-1"
    assert stream.consumed < len(data) // 2
    assert sum(1 for _ in decls) == 2999


def test_read_paths_is_lazy_and_reports_errors(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_text(PROFILE, encoding="utf-8")
    (tmp_path / "b.XML").write_text("<MetaData><Response/></MetaData>", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    errors: list[Exception] = []
    decls = list(read_paths(tmp_path, on_error=errors.append))
    assert [d.id for d in decls] == ["CA-1"]
    assert len(errors) == 1 and isinstance(errors[0], NotADeclarationError)
    with pytest.raises(NotADeclarationError):
        list(read_paths([tmp_path / "b.XML"]))


def test_what_is_not_a_declaration_is_named() -> None:
    cases = {
        b"<MetaData><WCOTypeName>RES</WCOTypeName><Response/></MetaData>": "DMS notification",
        b'<inventoryLinkingRequest xmlns="urn:x:inventoryLinking"/>': "inventory-linking",
        b'<FileUploadRequest xmlns="hmrc:fileupload"/>': "file-upload",
        b"<anything/>": "without a WCO DEC-DMS declaration",
    }
    for data, words in cases.items():
        with pytest.raises(NotADeclarationError, match=words):
            list(read_wco_xml_bytes(data, "n.xml"))


def test_not_well_formed_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text("<a>\n<b>\n</a>\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        list(read_wco_xml(path))
    assert info.value.file == str(path) and info.value.line == 3


def test_schema_validation(corpus_dir: Path) -> None:
    schema = DATA / "wco_dec_wrapper.xsd"
    sample = corpus_dir / "examples/annotated_XML_samples/TT_IM039b/Step1_TT_IM039b.xml"
    assert [d.id for d in read_wco_xml(sample, schema=schema)] == ["U.78477676KMUX"]
    broken = sample.read_bytes().replace(b"<TypeCode>IMA</TypeCode>", b"<Unknown>x</Unknown>")
    with pytest.raises(InputError, match="schema") as info:
        list(read(io.BytesIO(broken), schema=schema))
    assert info.value.line is not None and info.value.line > 1


def test_format_override_and_detection(tmp_path: Path) -> None:
    path = tmp_path / "decl.data"
    path.write_text("\ufeff  \n" + PROFILE.split("?>", 1)[1], encoding="utf-8")
    assert [d.id for d in read(path)] == ["CA-1"]
    assert [d.id for d in read(path, format="xml")] == ["CA-1"]
    with pytest.raises(InputError):
        list(read(path, format="json"))
    with pytest.raises(InputError, match="unknown format"):
        list(read(path, format="edifact"))
    (tmp_path / "junk").write_bytes(b"hello world\n")
    with pytest.raises(InputError, match="cannot tell the format"):
        list(read(tmp_path / "junk"))


def test_the_writer_refuses_a_rate_the_profile_would_read_as_another() -> None:
    """A WCO rate converts into the national currency: CAD→USD on a Canadian entry is refused."""
    import io

    import pytest

    from alcheck import Declaration, UsageError
    from alcheck.formats import read, write_wco_xml

    base = {"id": "R-1", "jurisdiction": "CA", "entry_date": "2026-01-05", "items": []}
    wrong = Declaration.model_validate(
        base | {"exchange_rates": [{"currency": "USD", "to_currency": "EUR", "rate": "0.9"}]}
    )
    with pytest.raises(UsageError) as refused:
        write_wco_xml([wrong], io.BytesIO())
    message = str(refused.value)
    assert "'R-1'" in message and "USD→EUR" in message and "CAD" in message
    right = Declaration.model_validate(
        base | {"exchange_rates": [{"currency": "USD", "to_currency": "CAD", "rate": "1.37"}]}
    )
    out = io.BytesIO()
    write_wco_xml([right], out)
    (back,) = read(io.BytesIO(out.getvalue()))
    assert back.exchange_rates == right.exchange_rates
