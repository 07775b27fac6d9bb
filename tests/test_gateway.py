"""The gateway fast path equals the model path: columns equal the models' values, and
`screen_xml` gives the findings of `validate(read(path))`, locations and paths included."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import alcheck
from alcheck import gateway
from alcheck.errors import AlcheckError, HostileInputError
from alcheck.formats import write_wco_xml
from alcheck.formats.wco_columns import WcoColumns, read_wco_columns
from alcheck.gateway import screen_xml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared/corpora/hmrc-cds/examples/annotated_XML_samples"
sys.path.insert(0, str(ROOT / "benchmarks"))
from workload import RATES, wco_declarations  # noqa: E402

CORPUS_FILES = sorted(CORPUS.rglob("*.xml")) if CORPUS.is_dir() else []

EDGES = """<?xml version="1.0" encoding="UTF-8"?>
<alc:Declarations xmlns:alc="urn:alcheck:declarations:1">
<md:MetaData xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
    xmlns="urn:wco:datamodel:WCO:DEC-DMS:2" xmlns:p1="urn:wco:datamodel:WCO:Declaration_DS:DMS:2">
  <md:ResponsibleCountryCode>usa</md:ResponsibleCountryCode>
  <Declaration>
    <FunctionalReferenceID>EDGE-1</FunctionalReferenceID>
    <AcceptanceDateTime><p1:DateTimeString formatCode="304">20250301120000Z</p1:DateTimeString>
    </AcceptanceDateTime>
    <TypeCode>IMA</TypeCode>
    <AdditionalInformation><StatementCode>REGIME</StatementCode>
      <StatementDescription>Bonded</StatementDescription></AdditionalInformation>
    <CurrencyExchange><CurrencyTypeCode>CAD</CurrencyTypeCode><RateNumeric>0.7</RateNumeric>
    </CurrencyExchange>
    <CurrencyExchange><CurrencyTypeCode>XQZ</CurrencyTypeCode><RateNumeric>2</RateNumeric>
    </CurrencyExchange>
    <GoodsShipment>
      <ExportCountry><ID>CAN</ID></ExportCountry>
      <GovernmentAgencyGoodsItem>
        <SequenceNumeric>1</SequenceNumeric>
        <Commodity>
          <Description>aluminium plate</Description>
          <Classification><ID>76061230</ID><IdentificationTypeCode>TSP</IdentificationTypeCode>
          </Classification>
          <Classification><ID>90</ID><IdentificationTypeCode>TRC</IdentificationTypeCode>
          </Classification>
          <Classification><ID>9903.85.67</ID><IdentificationTypeCode>GN</IdentificationTypeCode>
          </Classification>
          <GoodsMeasure><NetNetWeightMeasure unitCode="TNE">1.5</NetNetWeightMeasure>
            <GrossMassMeasure unitCode="LBR">3</GrossMassMeasure>
            <TariffQuantity>x</TariffQuantity></GoodsMeasure>
        </Commodity>
        <CustomsValueAmount currencyID="cad">-5</CustomsValueAmount>
        <Origin><CountryCode> </CountryCode><TypeCode>1</TypeCode></Origin>
        <Origin><CountryCode>CHN</CountryCode></Origin>
        <Origin><CountryCode>ZN</CountryCode><TypeCode>2</TypeCode></Origin>
        <Origin><CountryCode>un</CountryCode><TypeCode>CLS</TypeCode></Origin>
        <Origin><CountryCode>XX</CountryCode><TypeCode>CRC</TypeCode></Origin>
      </GovernmentAgencyGoodsItem>
      <GovernmentAgencyGoodsItem>
        <SequenceNumeric>two</SequenceNumeric>
        <AdditionalDocument><ID>A-1</ID><TypeCode>AIM</TypeCode></AdditionalDocument>
        <Commodity><Classification><ID>7606.12</ID>
          <IdentificationTypeCode>TSP</IdentificationTypeCode></Classification>
          <InvoiceLine><ItemChargeAmount currencyID="EURO">abc</ItemChargeAmount></InvoiceLine>
        </Commodity>
        <ExportCountry><ID>MX</ID></ExportCountry>
        <GovernmentProcedure><CurrentCode>40</CurrentCode><PreviousCode>00</PreviousCode>
        </GovernmentProcedure>
      </GovernmentAgencyGoodsItem>
    </GoodsShipment>
  </Declaration>
</md:MetaData>
<md:MetaData xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
    xmlns="urn:wco:datamodel:WCO:DEC-DMS:2" xmlns:p1="urn:wco:datamodel:WCO:Declaration_DS:DMS:2">
  <md:ResponsibleCountryCode>ZZ</md:ResponsibleCountryCode>
  <Declaration>
    <IssueDateTime><p1:DateTimeString formatCode="102">20251340</p1:DateTimeString></IssueDateTime>
    <AdditionalDocument><ID>X</ID></AdditionalDocument>
    <Exporter><Name>Smelter</Name></Exporter>
    <CurrencyExchange><CurrencyTypeCode>EUR</CurrencyTypeCode><RateNumeric>1,1</RateNumeric>
    </CurrencyExchange>
    <GoodsShipment>
      <GovernmentAgencyGoodsItem>
        <AdditionalDocument><ID>Y</ID></AdditionalDocument>
        <Commodity><GoodsMeasure><NetNetWeightMeasure>0</NetNetWeightMeasure></GoodsMeasure>
          <InvoiceLine><ItemChargeAmount currencyID="USD">10</ItemChargeAmount></InvoiceLine>
        </Commodity>
      </GovernmentAgencyGoodsItem>
    </GoodsShipment>
  </Declaration>
</md:MetaData>
<md:MetaData xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
    xmlns="urn:wco:datamodel:WCO:DEC-DMS:2">
  <Declaration><TypeCode>IMA</TypeCode></Declaration>
</md:MetaData>
</alc:Declarations>
"""


def _comparable(finding: alcheck.Finding) -> dict[str, Any]:
    """A finding as data, with the fields it was built with."""
    data = finding.model_dump()
    data["fields set"] = finding.model_fields_set
    return data


def _assert_same_findings(path: Path, **kwargs: Any) -> int:
    try:
        expected = [_comparable(f) for f in alcheck.validate(list(alcheck.read(path)), **kwargs)]
    except AlcheckError as exc:
        with pytest.raises(type(exc)) as raised:
            list(screen_xml(path, **kwargs))
        assert str(raised.value) == str(exc)
        return 0
    findings = list(screen_xml(path, **kwargs))
    for f in findings:
        _assert_as_validated(f)
    got = [_comparable(f) for f in findings]
    assert got == expected
    return len(got)


def _assert_as_validated(model: BaseModel) -> None:
    """The gateway builds findings and locations unvalidated: they must equal validated ones."""
    again = type(model).model_validate({k: getattr(model, k) for k in model.model_fields_set})
    assert again == model and repr(again) == repr(model) and hash(again) == hash(model)
    assert again.model_fields_set == model.model_fields_set
    for name in type(model).model_fields:
        value, expected = getattr(model, name), getattr(again, name)
        assert type(value) is type(expected), (name, value)
        if isinstance(value, BaseModel):
            _assert_as_validated(value)


def _lines(sources: dict[str, Any]) -> dict[str, int | None]:
    return {k: loc.line for k, loc in sources.items()}


def _assert_columns_equal_models(path: Path, batch_items: int = 4096) -> int:
    decls = list(alcheck.read(path))
    batches = list(read_wco_columns(path, batch_items=batch_items))
    assert sum(b.n_declarations for b in batches) == len(decls)
    pairs: list[tuple[WcoColumns, int]] = [(b, k) for b in batches for k in range(b.n_declarations)]
    n_items = 0
    for decl, (b, k) in zip(decls, pairs, strict=True):
        regime = decl.regime.value if decl.regime is not None else None
        assert (b.decl_id[k], b.jurisdiction[k], b.entry_date[k]) == (
            decl.id, decl.jurisdiction, decl.entry_date,
        )  # fmt: skip
        assert (b.declaration_type[k], b.regime[k], b.procedure_code[k]) == (
            decl.declaration_type, regime, decl.procedure_code,
        )  # fmt: skip
        assert b.decl_documents[k] == tuple((d.type, d.id) for d in decl.documents)
        assert b.exchange_rates[k] == tuple(
            (r.currency, r.to_currency, r.rate) for r in decl.exchange_rates
        )
        for name in ("importer", "exporter", "manufacturer"):
            party = getattr(decl, name)
            assert getattr(b, name)[k] == bool(party is not None and (party.name or party.id))
        assert b.decl_line[k] == (decl.location.line if decl.location else None)
        model_sources = _lines(decl.sources)
        assert all(model_sources[key] == line for key, line in b.decl_sources[k].items())
        if b.model[k] is None:  # no value set aside by the models: same invalid map
            assert b.decl_invalid[k] == decl.invalid
        else:
            assert b.model[k] == decl
        rows = range(b.first[k], b.first[k + 1])
        assert len(rows) == len(decl.items)
        for row, item in zip(rows, decl.items, strict=True):
            n_items += 1
            for field in (
                "line", "description", "additional_codes", "origin", "preferential_origin",
                "export_country", "smelt1", "smelt2", "cast", "net_mass_kg", "gross_mass_kg",
                "supplementary_quantity", "value", "currency",
            ):  # fmt: skip
                assert getattr(b, field)[row] == getattr(item, field), field
            assert b.tariff[row] == item.tariff_declared
            assert b.documents[row] == tuple((d.type, d.id) for d in item.documents)
            assert b.item_line[row] == (item.location.line if item.location else None)
            item_sources = _lines(item.sources)
            assert all(item_sources[key] == line for key, line in b.item_sources(row).items())
            missing = set(item_sources) - set(b.item_sources(row))
            assert all("[" in key or key == "supplementary_unit" for key in missing)
            if b.model[k] is None:
                assert (b.item_invalid[row] or {}) == item.invalid
    return n_items


@pytest.fixture(scope="module")
def edges(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gateway") / "edges.xml"
    path.write_text(EDGES, encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=[3, 17, 2026])
def workload_file(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gateway") / f"workload-{request.param}.xml"
    with path.open("wb") as out:
        write_wco_xml(wco_declarations(1500, request.param), out)
    return path


def test_edge_cases_columns_and_findings(edges: Path) -> None:
    assert _assert_columns_equal_models(edges) == 3
    fields = [f.field or "" for f in screen_xml(edges)]
    assert "items[#2].line" in fields and not any("None" in f for f in fields)
    found = _assert_same_findings(edges)
    rule_ids = {f.rule_id for f in screen_xml(edges)}
    assert {"SYN-VALUE", "CAT-COUNTRY", "CAT-CURRENCY", "STR-REQUIRED"} <= rule_ids
    assert found > 10
    for lang in ("fr", "es"):
        _assert_same_findings(edges, lang=lang, as_of=dt.date(2025, 9, 1))


def test_workload_columns_equal_models(workload_file: Path) -> None:
    assert _assert_columns_equal_models(workload_file, batch_items=500) == 1500


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"rates": RATES, "lang": "fr"},
        {"as_of": dt.date(2025, 6, 1), "lang": "es", "ignore": ("CAT",)},
        {"select": ("US", "SYN"), "severity": {"US-232": "info", "SYN": "warning"}},
    ],
)
def test_workload_findings_equal_validate(workload_file: Path, kwargs: dict[str, Any]) -> None:
    assert _assert_same_findings(workload_file, **kwargs) > 0


def test_small_batches_give_the_same_findings(workload_file: Path) -> None:
    whole = [_comparable(f) for f in screen_xml(workload_file)]
    assert [_comparable(f) for f in screen_xml(workload_file, batch_items=7)] == whole


@pytest.mark.skipif(not CORPUS_FILES, reason="the HMRC corpus is not checked out beside the repo")
def test_hmrc_corpus() -> None:
    findings = items = 0
    for path in CORPUS_FILES:
        findings += _assert_same_findings(path)
        try:
            items += _assert_columns_equal_models(path)
        except AlcheckError:
            with pytest.raises(AlcheckError):
                list(read_wco_columns(path))
    assert items >= 332 and findings > 0


@pytest.mark.parametrize("name", ["us-triggers.xml", "ca-triggers.xml", "mx-triggers.xml"])
def test_examples(name: str) -> None:
    path = ROOT / "examples" / name
    assert _assert_same_findings(path) > 0
    _assert_columns_equal_models(path)


def test_findings_point_at_the_element_line(edges: Path) -> None:
    lines = EDGES.splitlines()
    for f in screen_xml(edges):
        assert f.location is not None and f.location.file == str(edges)
        assert f.location.line is not None and f.location.path is not None
        if f.rule_id == "CAT-COUNTRY" and f.field == "items[1].cast":
            assert "<CountryCode>XX</CountryCode>" in lines[f.location.line - 1]


def test_hostile_and_empty_input(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.xml"
    hostile.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    with pytest.raises(HostileInputError):
        list(screen_xml(hostile))
    notice = tmp_path / "notice.xml"
    notice.write_text('<md:MetaData xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"/>')
    with pytest.raises(alcheck.NotADeclarationError) as raised:
        list(screen_xml(notice))
    with pytest.raises(alcheck.NotADeclarationError) as expected:
        list(alcheck.read(notice))
    assert str(raised.value) == str(expected.value)
    with pytest.raises(alcheck.UsageError):
        list(screen_xml(notice, lang="de"))


def test_items_passed_over_as_clean_have_no_builtin_finding(
    edges: Path, workload_file: Path
) -> None:
    """`clean_items` lets the gateway skip the built-in item checks: it must never hide one."""
    from alcheck.gateway import ScreenedBatch, Screening
    from alcheck.options import Options

    rules = alcheck.RuleSet.default()
    paths = [edges, workload_file, *CORPUS_FILES[:60]]
    dirty = 0
    for path in paths:
        try:
            batches = list(read_wco_columns(path))
        except AlcheckError:
            continue
        for batch in batches:
            for lang in ("en", "fr"):
                checker = ScreenedBatch(batch, Screening(rules, lang, Options(), None, None))
                clean = checker.clean_items()
                for k in range(batch.n_declarations):
                    for row in range(batch.first[k], batch.first[k + 1]):
                        found = list(checker.item_builtin(row, k))
                        assert not (clean[row] and found), (path, row, found)
                        dirty += not clean[row]
    assert dirty > 10


@pytest.mark.parametrize("kwargs", [{}, {"select": ["US-", "CAT-"], "severity": {"US-": "info"}}])
def test_scan_xml_knows_every_finding_before_building_it(
    workload_file: Path, kwargs: dict[str, Any]
) -> None:
    """`scan_xml` batches count and locate the findings `screen_xml` yields, unbuilt."""
    batches = list(alcheck.scan_xml(workload_file, batch_items=500, **kwargs))
    assert len(batches) > 1
    findings = list(screen_xml(workload_file, batch_items=500, **kwargs))
    assert sum(b.count() for b in batches) == len(findings)
    built = [f for b in batches for f in b.findings()]
    assert [_comparable(f) for f in built] == [_comparable(f) for f in findings]
    builtin_ids = {f.rule_id for b in batches for found in b.builtin for f in found}
    rule_findings = [f for f in findings if f.rule_id not in builtin_ids]
    matches = [
        (b.columns.line[row], rule_id, severity) for b in batches
        for row, rule_id, severity in b.rule_matches()
    ]  # fmt: skip
    assert matches == [(f.item_line, f.rule_id, f.severity) for f in rule_findings]
    assert len(matches) > 100


_MD = 'xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"'
_DEC = 'xmlns="urn:wco:datamodel:WCO:DEC-DMS:2"'


def _decl(ident: str, inner: str = "") -> str:
    return f"<Declaration {_DEC}><FunctionalReferenceID>{ident}</FunctionalReferenceID>{inner}</Declaration>"


def _rcc(code: str, inner: str = "") -> str:
    return f"<md:ResponsibleCountryCode>{code}{inner}</md:ResponsibleCountryCode>"


# Codes, envelopes and declarations laid out every way the jurisdiction rules tell apart.
JURISDICTION_LAYOUTS = [
    f"<md:MetaData {_MD}>{_rcc('US')}{_decl('A')}{_decl('B')}{_rcc('CA')}{_decl('C')}</md:MetaData>",
    f"<md:MetaData {_MD}>{_decl('D')}{_rcc('MX')}</md:MetaData>",  # code after: none
    f"<md:MetaData {_MD}>{_rcc('CA')}{_rcc(' ')}{_decl('E')}</md:MetaData>",  # blank: kept CA
    f"<md:MetaData {_MD}>{_rcc('US')}{_decl('F', _rcc('MX'))}</md:MetaData>",  # inside: no
    f"<md:MetaData {_MD}>{_rcc('US')}"
    f"{_decl('G', f'<md:MetaData>{_rcc(chr(77) + chr(88))}</md:MetaData>')}"
    f"{_decl('H')}</md:MetaData>",  # a MetaData inside G starts afresh, for H too
    f"<md:MetaData {_MD}>{_rcc('CA', _decl('I'))}{_decl('J')}</md:MetaData>",  # I inside
    _decl("K", _decl("K2")),  # nested: one declaration
    f"<md:MetaData {_MD}>{_rcc('US')}</md:MetaData>{_decl('L')}",  # code persists
    # A Declaration of another namespace, or of none, is no declaration: its code counts.
    f"<md:MetaData {_MD}><Declaration xmlns='urn:other'>{_rcc('CA')}</Declaration>"
    f"{_decl('M')}</md:MetaData>",
    f"<md:MetaData {_MD}><Declaration>{_rcc('MX')}</Declaration>{_decl('N')}</md:MetaData>",
]


def jurisdictions_file(path: Path) -> Path:
    """Write the jurisdiction layouts as one file."""
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<alc:Declarations '
        'xmlns:alc="urn:alcheck:declarations:1">\n' + "\n".join(JURISDICTION_LAYOUTS)
        + "\n</alc:Declarations>\n",
        encoding="utf-8",
    )  # fmt: skip
    return path


def test_jurisdictions_as_the_model_reader_sees_them(tmp_path: Path) -> None:
    """The column reader reads a declaration once the next one starts (not at its end); the
    jurisdiction each gets is still the one the model reader gives, however codes, envelopes
    and declarations are laid out."""
    path = jurisdictions_file(tmp_path / "jurisdictions.xml")
    for batch_items in (1, 4096):
        _assert_columns_equal_models(path, batch_items=batch_items)
    (batch,) = read_wco_columns(path)
    got = dict(zip(batch.decl_id, batch.jurisdiction, strict=True))
    assert got == {
        "A": "US", "B": "US", "C": "CA", "D": None, "E": "CA", "F": "US", "G": None,
        "H": None, "I": None, "J": "CA", "K": "CA", "L": "US", "M": "CA", "N": "MX",
    }  # fmt: skip


def test_rules_on_declaration_fields_and_parties(workload_file: Path) -> None:
    """Rules on what the gateway passes only when a rule reads it (declaration type, regime,
    parties, documents, values in another currency) find what `validate` finds."""
    from alcheck.rules.schema import Pack

    text = {"en": "{id} {line} {value} {currency}", "fr": "m", "es": "m"}
    # A parameter, a name no item has, every value's name; and a field only the general
    # formatter reads (positional), which makes the whole message go its way.
    names = " ".join(f"{{{n}}}" for n in (*gateway._COLUMN_VALUES, *gateway._DERIVED_VALUES))
    texts = {
        "G-DTYPE": {"en": "{limit} {nosuch} {unit_value!r:>12} " + names, "fr": "m", "es": "m"},
        "G-TRANSIT": {"en": "{0} {id} {nosuch} {limit}", "fr": "m", "es": "m"},
    }

    def rule(rule_id: str, **when: Any) -> dict[str, Any]:
        return {
            "id": rule_id, "severity": "warning", "class": "risk", "valid_from": "2000-01-01",
            "summary": "s", "when": when, "message": texts.get(rule_id, text), "hint": text,
            "citation": {"instrument": "i", "url": "https://example.org"},
            "params": {"limit": "5 t"},
        }  # fmt: skip

    pack = Pack.model_validate({
        "pack": {"name": "g", "version": "1", "jurisdiction": "*", "title": "t"},
        "rules": [
            rule("G-DTYPE", declaration_type=["IM"]), rule("G-NOT-IM", declaration_type_not=["IM"]),
            rule("G-TRANSIT", regime=["transit"]),
            rule("G-PARTIES", present_all=["importer"], missing_any=["exporter"]),
            rule("G-MAKER", present_all=["manufacturer"]), rule("G-AIM", documents_any=["AIM"]),
            rule("G-VALUE", numbers=[
                {"field": "value", "op": ">", "amount": 5000, "currency": "USD"}
            ]),
        ],
    })  # fmt: skip
    rs = alcheck.RuleSet.compile([pack])
    assert {"dtype", "regime", "present:importer", "present:exporter"} <= set(rs.tables.lookups)
    assert _assert_same_findings(workload_file, rules=rs) > 0
    found = list(screen_xml(workload_file, rules=rs))
    assert {"G-DTYPE", "G-TRANSIT", "G-PARTIES", "G-AIM", "G-VALUE"} <= {f.rule_id for f in found}
    message = next(f.message for f in found if f.rule_id == "G-TRANSIT")
    assert message.startswith("not declared ") and message.endswith(" not declared 5 t")
    message = next(f.message for f in found if f.rule_id == "G-DTYPE")
    assert message.startswith("5 t not declared ") and "'" in message
