"""The pedimento validation file (SAAI M3): mapping, round trips, findings, fuzzing."""

from __future__ import annotations

import datetime as dt
import io
import random
import tracemalloc
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import alcheck
from alcheck import (
    Declaration,
    Document,
    ExchangeRate,
    GoodsItem,
    InputError,
    Location,
    NotADeclarationError,
    Party,
    Regime,
    UsageError,
)
from alcheck.formats import pedimento as pedimento_format
from alcheck.formats.pedimento import (
    CLAVE_REGIMES,
    MAX_JUNK,
    MAX_RECORD,
    looks_like_pedimento,
    parse_date,
    read_pedimento,
    read_pedimento_stream,
    read_pedimento_text,
    write_pedimento,
)
from alcheck.gateway import builtin_findings

DATA = Path(__file__).parent / "data" / "pedimento"
PROFILES = DATA / "profiles-cn-a1.val"
TWO = DATA / "immex-and-a1-aaaammdd.val"
ERRORS = DATA / "field-errors.val"
SAMPLES = [PROFILES, TWO, ERRORS]


def plain(decl: Declaration) -> dict[str, Any]:
    """A declaration without where its values were read."""
    return decl.model_dump(
        exclude={"location": True, "sources": True, "items": {"__all__": {"location", "sources"}}}
    )


def written(decls: list[Declaration]) -> str:
    out = io.StringIO()
    write_pedimento(decls, out)
    return out.getvalue()


def line_of(path: Path, prefix: str, nth: int = 1) -> int:
    """The number of the nth line of a file that starts with `prefix`."""
    hits = [n for n, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(prefix)]
    return hits[nth - 1]


def field(path: Path, line: int, n: int) -> str:
    """Field n (the record type being 1) of a line of a file."""
    return path.read_text().splitlines()[line - 1].split("|")[n - 1]


def places(decl: Declaration) -> Iterator[Location]:
    """Every location a declaration records."""
    owners: list[Declaration | GoodsItem] = [decl, *decl.items]
    for owner in owners:
        if owner.location is not None:
            yield owner.location
        yield from owner.sources.values()


# ---------------------------------------------------------------------------------------
# Mapping


def test_the_profiles_sample_maps_to_the_model() -> None:
    (decl,) = read_pedimento(PROFILES)
    header = line_of(PROFILES, "501|")
    assert decl.jurisdiction == "MX"
    # YY AA PPPP NNNNNNN: the year of the pago date, aduana 40(0), patente, número.
    year = parse_date(field(PROFILES, line_of(PROFILES, "506|", 2), 4))
    assert year is not None
    assert decl.id == (
        f"{year.year % 100} {field(PROFILES, header, 4)[:2]} "
        f"{field(PROFILES, header, 2)} {field(PROFILES, header, 3)}"
    )
    assert decl.entry_date == year  # 506 type 2 (pago), not type 1 (entrada)
    assert decl.declaration_type == field(PROFILES, header, 6) == "A1"
    assert decl.regime is Regime.CONSUMPTION
    assert decl.importer == Party(name=field(PROFILES, header, 22), id=field(PROFILES, header, 9))
    invoice = line_of(PROFILES, "505|")
    assert decl.exporter == Party(
        name=field(PROFILES, invoice, 12), id=field(PROFILES, invoice, 11)
    )
    assert decl.exchange_rates == (
        ExchangeRate(currency="USD", to_currency="MXN", rate=Decimal(field(PROFILES, header, 11))),
    )
    first, second = decl.items
    partida = line_of(PROFILES, "551|")
    assert first.tariff_declared == field(PROFILES, partida, 3) + field(PROFILES, partida, 5)
    assert first.tariff_code == "7604290200"
    assert (first.origin, first.export_country) == ("CN", "CN")  # CHN, CHN
    assert (second.origin, second.export_country) == ("CN", "VN")  # CHN, VNM
    assert first.net_mass_kg == Decimal(field(PROFILES, partida, 13))  # UMT 1 = kilo
    assert (first.value, first.currency) == (Decimal(field(PROFILES, partida, 10)), "USD")
    aviso = line_of(PROFILES, "553|")
    duty = line_of(PROFILES, "557|6000587|76042902|1|2|")
    assert first.documents == (
        Document(type="AVA", id=field(PROFILES, aviso, 7)),
        Document(type="CC", id=field(PROFILES, duty, 7)),
    )
    assert second.documents == ()


def test_every_value_keeps_its_line_and_field() -> None:
    (decl,) = read_pedimento(PROFILES)
    name = str(PROFILES)
    partida = line_of(PROFILES, "551|")
    item = decl.items[0]
    assert item.location == Location(file=name, line=partida, path="551")
    assert item.sources["origin"] == Location(file=name, line=partida, path="551 field 21")
    assert item.sources["tariff_declared"] == Location(file=name, line=partida, path="551 field 3")
    assert item.sources["documents[0]"].line == line_of(PROFILES, "553|")
    assert item.sources["documents[1]"] == Location(
        file=name, line=line_of(PROFILES, "557|6000587|76042902|1|2|"), path="557 field 5"
    )
    assert decl.sources["entry_date"] == Location(
        file=name, line=line_of(PROFILES, "506|", 2), path="506 field 4"
    )
    assert decl.location == Location(file=name, line=1, path="500")


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_no_line_of_a_sample_is_dropped(path: Path) -> None:
    decls = list(read_pedimento(path))
    seen = {loc.line for decl in decls for loc in places(decl)}
    # A 999 only repeats the pedimento's patente, número and aduana: read, nothing to keep.
    lines = path.read_text().splitlines()
    kept = [n for n, text in enumerate(lines, 1) if text.strip() and not text.startswith("999|")]
    assert set(kept) <= seen


def test_records_not_read_are_kept_as_given() -> None:
    (decl,) = read_pedimento(PROFILES)
    text = PROFILES.read_text().splitlines()
    assert decl.kept["record 507"] == text[line_of(PROFILES, "507|") - 1].removesuffix("|")
    assert decl.kept["record 506"] == text[line_of(PROFILES, "506|") - 1].removesuffix("|")
    item = decl.items[0]
    assert item.kept["record 556"] == text[line_of(PROFILES, "556|") - 1].removesuffix("|")
    # Fields of read records that alcheck does not read: field number = value.
    assert "7=45.50" in item.kept["record 551 fields"].split("|")
    assert decl.kept["record 801 fields"] == "2=m3362001.205|5=011"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("23072026", dt.date(2026, 7, 23)), ("20260723", dt.date(2026, 7, 23))]
    + [(t, None) for t in ("31022026", "2026072", "2026-07-23", "00000000", "１２３４５６７８")],
)
def test_dates_in_either_order(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


def pedimento(
    *partida_records: str,
    clave: str = "A1",
    operation: str = "1",
    origin: str = "CHN",
    umt: str = "1",
) -> str:
    """A one-partida pedimento; partida records are given after `551`'s key fields."""
    n, f = "6000587", "76042902"
    lines = [
        "500|1|3362|6000587|400||",
        f"501|3362|{n}|400|{operation}|{clave}|400||RFC010101AB1||18.2|" + "|" * 24,
        f"506|{n}|2|01072026|",
        f"551|{n}|{f}|1|00|PERFILES|||||||1000|{umt}|||||||{origin}|{origin}|||||",
        *(f"{code}|{n}|{f}|1|{rest}|" for code, rest in (r.split("|", 1) for r in partida_records)),
    ]
    return "\n".join(lines) + "\n"


def test_a_pedimento_built_here_is_well_formed() -> None:
    (decl,) = read_pedimento_text(pedimento())
    assert not decl.invalid
    assert not decl.items[0].invalid


@pytest.mark.parametrize(
    ("clave", "operation", "regime"),
    [(c, "1", r) for c, r in CLAVE_REGIMES.items()]
    + [("A1", "2", Regime.OTHER), ("IN", "2", Regime.OTHER), ("V1", "1", None), ("", "1", None)],
)
def test_the_regime_comes_from_the_clave(clave: str, operation: str, regime: Regime | None) -> None:
    (decl,) = read_pedimento_text(pedimento(clave=clave, operation=operation))
    assert decl.regime == regime
    assert decl.declaration_type == (clave or None)


@pytest.mark.parametrize(
    ("key", "alpha2"), [("CHN", "CN"), ("VNM", "VN"), ("USA", "US"), ("CAN", "CA"), ("XXX", "XXX")]
)
def test_three_letter_countries(key: str, alpha2: str) -> None:
    (decl,) = read_pedimento_text(pedimento(origin=key))
    assert decl.items[0].origin == alpha2


def test_an_unknown_country_is_a_finding_on_its_field() -> None:
    (decl,) = read_pedimento_text(pedimento(origin="XXX"), "p.val")
    found = {f.field: f for f in builtin_findings(decl) if f.rule_id == "CAT-COUNTRY"}
    assert found.keys() == {"items[1].origin", "items[1].export_country"}
    assert found["items[1].origin"].value == "XXX"
    assert found["items[1].origin"].location == Location(file="p.val", line=4, path="551 field 21")


@pytest.mark.parametrize(("umt", "mass"), [("1", Decimal(1000)), ("14", Decimal(1000000))])
def test_mass_in_kilos_or_tonnes(umt: str, mass: Decimal) -> None:
    (decl,) = read_pedimento_text(pedimento(umt=umt))
    assert decl.items[0].net_mass_kg == mass


def test_another_tariff_unit_is_a_supplementary_quantity() -> None:
    (decl,) = read_pedimento_text(pedimento(umt="6"))  # 6 = pieza
    item = decl.items[0]
    assert (item.net_mass_kg, item.supplementary_quantity, item.supplementary_unit) == (
        None,
        Decimal(1000),
        "6",
    )


def test_the_ad_duty_is_a_document_other_contributions_are_kept() -> None:
    (decl,) = read_pedimento_text(pedimento("557|2|0|15500", "557|3|0|2480", "556|2|1.55|2"))
    item = decl.items[0]
    assert item.documents == (Document(type="CC", id="15500"),)
    assert item.kept["record 557"] == "557|6000587|76042902|1|3|0|2480"
    assert item.kept["record 556"] == "556|6000587|76042902|1|2|1.55|2"
    assert item.kept["record 557 fields"] == "6=0"  # forma de pago


def test_permits_and_identifiers() -> None:
    records = ("553|AL||AV-1|||", "553|NM||NOM-050|||", "554|AL|X||", "554|EA|||")
    (decl,) = read_pedimento_text(pedimento(*records))
    assert decl.items[0].documents == (
        Document(type="AVA", id="AV-1"),  # Apéndice 9 key AL: the aluminum aviso
        Document(type="NM", id="NOM-050", category="permiso"),
        Document(type="AL", id="X", category="identificador"),  # Apéndice 8 AL is ALADI
        Document(type="EA", category="identificador"),
    )


def test_partida_records_join_their_551_by_partida_number() -> None:
    text = pedimento().replace("551|", "553|6000587|76042902|1|AL||AV-9|||\n551|", 1)
    (decl,) = read_pedimento_text(text + "553|6000587|76042902|9|AL||AV-X|||\n")
    assert decl.items[0].documents == (Document(type="AVA", id="AV-9"),)
    # No partida 9: an unexpected record, kept as given and reported (SYN-UNKNOWN).
    assert decl.unread["record 553"] == "553|6000587|76042902|9|AL||AV-X||"


def test_a_record_of_another_pedimento_keeps_its_number() -> None:
    (decl,) = read_pedimento_text(pedimento().replace("506|6000587|", "506|6000999|"))
    assert decl.entry_date == dt.date(2026, 7, 1)
    assert decl.kept["record 506 fields"] == "2=6000999"


def test_a_lost_500_still_begins_the_next_pedimento() -> None:
    text = PROFILES.read_text() + TWO.read_text().replace("500|1|3362|6000589|240|C9D4E7F0|\n", "")
    ids = [d.id for d in read_pedimento_text(text)]
    assert ids == ["26 40 3362 6000587", "26 24 3362 6000588", "26 24 3362 6000589"]


def test_the_file_and_stream_readers_agree(tmp_path: Path) -> None:
    for path in SAMPLES:
        text = path.read_text()
        from_text = list(read_pedimento_text(text, str(path)))
        assert list(read_pedimento(path)) == from_text
        crlf = tmp_path / "crlf.val"
        crlf.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
        assert [plain(d) for d in read_pedimento(crlf)] == [plain(d) for d in from_text]


def test_latin1_text_is_read() -> None:
    data = pedimento().replace("PERFILES", "PERFILES DE ALUMINIO Ñ").encode("latin-1")
    (decl,) = read_pedimento_stream(io.BytesIO(data))
    assert decl.items[0].description == "PERFILES DE ALUMINIO Ñ"


# ---------------------------------------------------------------------------------------
# Findings, never exceptions, for field errors


def test_field_errors_are_findings_at_their_lines() -> None:
    decls = list(read_pedimento(ERRORS))
    findings = alcheck.validate(decls)
    got = {(f.rule_id, f.field, f.location.line if f.location else None) for f in findings}
    partida = line_of(ERRORS, "551|")
    expected = {
        ("SYN-VALUE", "entry_date", line_of(ERRORS, "506|")),  # 31 February
        ("SYN-VALUE", "exchange_rates", line_of(ERRORS, "501|")),  # letter O in the rate
        ("SYN-VALUE", "items[1].net_mass_kg", partida),
        ("SYN-VALUE", "items[1].value", partida),
        ("SYN-VALUE", "items[1].record 553 field count", line_of(ERRORS, "553|")),
        ("CAT-COUNTRY", "items[1].origin", partida),
        ("SYN-UNKNOWN", "record 590", line_of(ERRORS, "590|")),  # not in the layout
        ("SYN-UNKNOWN", "record 553", line_of(ERRORS, "553|", 2)),  # no partida 7
        ("SYN-UNKNOWN", "line 7", 7),  # not a record
    }
    assert expected <= got
    # The 801's counts are wrong (SYN-VALUE); its file name and prevalidador are kept quietly.
    assert {f[0] for f in got if f[2] == line_of(ERRORS, "801|")} == {"SYN-VALUE"}


def test_a_line_too_long_is_passed_over_then_named() -> None:
    long_line = "558|" + "X" * (MAX_RECORD + 1)
    text = PROFILES.read_text().replace("800|", long_line + "\n800|") + TWO.read_text()
    got: list[Declaration] = []
    with pytest.raises(InputError) as info:
        for decl in read_pedimento_text(text, "long.val"):
            got.append(decl)
    assert [d.id for d in got] == ["26 40 3362 6000587", "26 24 3362 6000588", "26 24 3362 6000589"]
    assert (info.value.file, info.value.line) == ("long.val", line_of(PROFILES, "800|"))
    assert "more than 4096 characters" in got[0].unread[f"line {info.value.line}"]


class _Huge:
    """A binary stream: a pedimento, one line of `size` bytes, then another pedimento."""

    def __init__(self, size: int) -> None:
        self.parts = [PROFILES.read_bytes(), b"558|"]
        self.left = size
        self.tail = b"\n" + TWO.read_bytes()

    def read(self, size: int = -1) -> bytes:
        if self.parts:
            return self.parts.pop(0)
        if self.left > 0:
            n = min(size, self.left)
            self.left -= n
            return b"Y" * n
        chunk, self.tail = self.tail, b""
        return chunk


def test_a_huge_line_is_not_held_in_memory() -> None:
    tracemalloc.start()
    got: list[str | None] = []
    try:
        with pytest.raises(InputError) as info:
            for decl in read_pedimento_stream(_Huge(256 * 1024 * 1024), "huge.val"):  # type: ignore[arg-type]
                got.append(decl.id)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got == ["26 40 3362 6000587", "26 24 3362 6000588", "26 24 3362 6000589"]
    assert info.value.line == len(PROFILES.read_text().splitlines()) + 1
    assert peak < 16 * 1024 * 1024


def test_a_flood_of_lines_that_are_not_records_is_bounded() -> None:
    text = PROFILES.read_text() + "NOT A RECORD\n" * (MAX_JUNK + 5) + TWO.read_text()
    got: list[Declaration] = []
    with pytest.raises(InputError) as info:
        for decl in read_pedimento_text(text, "flood.val"):
            got.append(decl)
    first_lost = len(PROFILES.read_text().splitlines()) + MAX_JUNK + 1
    assert (info.value.file, info.value.line) == ("flood.val", first_lost)
    assert "4 more" in str(info.value)
    assert len(got) == 3
    assert len([k for k in got[0].unread if k.startswith("line ")]) == MAX_JUNK + 1


@pytest.mark.parametrize("text", ["", "\n\n", "hello\nworld\n", "801|x|0|0|011|\n"])
def test_text_without_a_pedimento_is_not_a_declaration(text: str) -> None:
    with pytest.raises(NotADeclarationError) as info:
        list(read_pedimento_text(text, "x.val"))
    assert info.value.file == "x.val"
    assert info.value.line == 1


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        list(read_pedimento(tmp_path / "none.val"))
    assert info.value.file == str(tmp_path / "none.val")


# ---------------------------------------------------------------------------------------
# Detection


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_samples_are_detected(path: Path) -> None:
    assert looks_like_pedimento(path.read_bytes()[:64])
    assert looks_like_pedimento(b"\xef\xbb\xbf\r\n  " + path.read_bytes()[:64])


@pytest.mark.parametrize(
    "head",
    [b"<Declaration/>", b'{"id": 1}', b"declaration_id,origin\n", b"501|3362|", b"5001|", b""],
)
def test_other_input_is_not_a_pedimento(head: bytes) -> None:
    assert not looks_like_pedimento(head)


# ---------------------------------------------------------------------------------------
# Rules read a pedimento as they read the model


def profiles_as_a_model() -> Declaration:
    """The profiles sample's declaration, built by hand from what the file says."""
    item = {
        "description": "PERFILES DE ALEACION DE ALUMINIO 6063-T5",
        "tariff_declared": "7604290200",
        "origin": "CN",
        "currency": "USD",
    }
    return Declaration(
        id="26 40 3362 6000587",
        jurisdiction="MX",
        declaration_type="A1",
        regime=Regime.CONSUMPTION,
        entry_date=dt.date(2026, 7, 23),
        importer=Party(name="PERFILES DEL NORTE SA DE CV", id="PNO050505AB1"),
        exporter=Party(name="FOSHAN ALU PROFILE CO LTD", id="91440600MA4X"),
        exchange_rates=(ExchangeRate(currency="USD", to_currency="MXN", rate=Decimal("18.20000")),),
        items=(
            GoodsItem(
                **item,
                line=1,
                export_country="CN",
                net_mass_kg=Decimal("10000.000"),
                value=Decimal("25000.00"),
                documents=(
                    Document(type="AVA", id="AAIA2026000123"),
                    Document(type="CC", id="282100"),
                ),
            ),
            GoodsItem(
                **{**item, "description": "PERFILES DE ALUMINIO PARA VENTANA"},
                line=2,
                export_country="VN",
                net_mass_kg=Decimal("8200.000"),
                value=Decimal("20500.00"),
            ),
        ),
    )


@pytest.mark.parametrize("lang", ["en", "es"])
def test_mx_rules_judge_the_file_as_the_model(lang: str) -> None:
    def mx(decls: list[Declaration]) -> list[tuple[Any, ...]]:
        found = alcheck.validate(decls, lang=lang)
        return sorted(
            (f.rule_id, f.severity, f.field, f.item_line, f.message)
            for f in found
            if f.rule_id.startswith("MX-")
        )

    from_file = mx(list(read_pedimento(PROFILES)))
    assert from_file  # the profiles duty, the aviso and the smelt and cast warnings
    assert from_file == mx([profiles_as_a_model()])


# ---------------------------------------------------------------------------------------
# Writing


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_golden_round_trip(path: Path) -> None:
    decls = list(read_pedimento(path))
    again = list(read_pedimento_text(written(decls)))
    expected = [plain(d) for d in decls]
    if path == ERRORS:
        # The writer writes records of the layout's length and its own 801 (with the
        # right counts), and no line that is not a record; the rest is the same.
        for decl in [expected[0], *expected[0]["items"]]:
            decl["invalid"] = {
                k: v for k, v in decl["invalid"].items() if not k.startswith("record ")
            }
            decl["unread"] = {k: v for k, v in decl["unread"].items() if not k.startswith("line ")}
    assert [plain(d) for d in again] == expected
    assert written(again) == written(decls)


def test_a_written_file_keeps_the_sample_records() -> None:
    """What the writer reorders is the header's 506s, the partida's documents first."""
    text = written(list(read_pedimento(PROFILES)))
    assert sorted(text.splitlines()) == sorted(PROFILES.read_text().splitlines())


def test_a_declaration_level_document_is_written_on_every_partida() -> None:
    (decl,) = read_pedimento(PROFILES)
    aviso = Document(type="AVA", id="AV-ALL")
    (back,) = read_pedimento_text(written([decl.model_copy(update={"documents": (aviso,)})]))
    assert all(aviso in item.documents for item in back.items)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"jurisdiction": "US"}, "not MX"),
        ({"regime": Regime.WAREHOUSE}, "regime warehouse"),
        ({"exchange_rates": (ExchangeRate(currency="CAD", to_currency="MXN", rate=1),)}, "USD"),
        ({"importer": Party(name="A|B")}, "'|'"),
        ({"items": (GoodsItem(line=1, value=Decimal(1), currency="EUR"),)}, "EUR"),
        ({"items": (GoodsItem(line=1, value=Decimal(1)),)}, "no currency"),
        ({"items": (GoodsItem(line=1, description="a\nb"),)}, "line break"),
        ({"items": (GoodsItem(line=1, description="X" * MAX_RECORD),)}, "more than 4096"),
    ],
)
def test_what_a_pedimento_would_misstate_is_refused(change: dict[str, Any], why: str) -> None:
    (decl,) = read_pedimento(PROFILES)
    out = io.StringIO()
    with pytest.raises(UsageError, match=why):
        write_pedimento([decl, decl.model_copy(update=change)], out)
    assert out.getvalue() == written([decl])[: len(out.getvalue())]
    assert "801|" not in out.getvalue()


# Generated declarations over what the format carries.
TEXT = (
    st.text(alphabet="ABCXYZ0123456789-./ ÑÉ", min_size=1, max_size=14).map(str.strip).filter(bool)
)
AMOUNT = st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False)
COUNTRY = st.sampled_from(["CN", "VN", "US", "CA", "MX", "KR", "ZN", "XXX"])


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def documents(draw: st.DrawFn) -> tuple[list[Document], dict[str, str]]:
    """An item's documents, and the fields of their records that are not read."""
    docs = draw(
        st.lists(
            st.one_of(
                st.builds(Document, type=st.just("AVA"), id=optional(TEXT)),
                st.builds(Document, type=st.just("CC"), id=optional(AMOUNT.map(str))),
                st.builds(
                    Document,
                    type=st.sampled_from(["NM", "C1", "AV"]),
                    id=optional(TEXT),
                    category=st.just("permiso"),
                ),
                st.builds(
                    Document,
                    type=st.sampled_from(["EA", "TL", "AL", "IM"]),
                    id=optional(TEXT),
                    category=st.just("identificador"),
                ),
            ),
            max_size=4,
        )
    )
    rest: dict[str, str] = {}
    duties = sum(d.type == "CC" and d.category is None for d in docs)
    for k in range(1, duties + 1):
        if draw(st.booleans()):
            rest["record 557 fields" if k == 1 else f"record 557 fields ({k})"] = "6=0"
    return docs, rest


@st.composite
def item(draw: st.DrawFn, numero: str, line: int) -> GoodsItem:
    fraccion = draw(st.from_regex(r"76[0-9]{6}", fullmatch=True))
    tariff = (
        fraccion + draw(st.sampled_from(["", "00", "01"])) if draw(st.booleans()) else "7604.29"
    )
    data: dict[str, Any] = {
        "line": line,
        "tariff_declared": tariff,
        "description": draw(optional(TEXT)),
        "origin": draw(optional(COUNTRY)),
        "export_country": draw(optional(COUNTRY)),
    }
    mass = draw(st.sampled_from(["none", "net", "bad", "supplementary"]))
    if mass == "net":
        data["net_mass_kg"] = draw(AMOUNT)
    elif mass == "bad":
        data["net_mass_kg"] = "12O0"
    elif mass == "supplementary":
        data["supplementary_quantity"] = draw(AMOUNT)
        data["supplementary_unit"] = draw(optional(st.sampled_from(["6", "3", "20"])))
    money = draw(st.sampled_from(["none", "USD", "MXN", "bad"]))
    if money != "none":
        data["currency"] = "USD" if money == "bad" else money
        data["value"] = "1O5" if money == "bad" else draw(AMOUNT)
    docs, unread = draw(documents())
    data["documents"] = tuple(docs)
    partida = tariff[:8] if len(tariff) == 10 else tariff
    kept = {
        "record 556": f"556|{numero}|{partida}|{line}|2|1.55|2",
        "record 557": f"557|{numero}|{partida}|{line}|3|0|1480",
        "record 558": f"558|{numero}|{partida}|{line}|1|OBSERVACION",
        "record 551 fields": "7=45.50|16=0|17=1",
    }
    for key in draw(st.lists(st.sampled_from(sorted(kept)), unique=True)):
        unread[key] = kept[key]
    data["kept"] = unread  # records and fields of the layout that alcheck does not read
    return GoodsItem(**data)


@st.composite
def declaration(draw: st.DrawFn, index: int, last: bool) -> Declaration:
    date = draw(optional(st.dates(dt.date(2020, 1, 1), dt.date(2029, 12, 31))))
    bad_date = date is None and draw(st.booleans())
    first = str(date.year % 10) if date else draw(st.sampled_from("0123456789"))
    numero = first + f"{index:06d}"
    aduana, patente = draw(st.from_regex(r"[0-9]{2}", fullmatch=True)), "3362"
    ident = f"{aduana} {patente} {numero}"
    ident = f"{date.year % 100:02d} {ident}" if date else ident
    clave = draw(st.sampled_from(["A1", "C1", "IN", "V1", "K1"]))
    export = draw(st.booleans())
    unread: dict[str, str] = {}
    rest_501 = []
    section = draw(st.sampled_from("0012"))
    if section != "0":
        rest_501.append(f"4={aduana}{section}")
    if draw(st.booleans()):
        rest_501.append("7=400|17=18650.000")
    if rest_501:
        unread["record 501 fields"] = "|".join(rest_501)
    if draw(st.booleans()):
        unread["record 500 fields"] = draw(st.sampled_from(["6=A7K2Q9X1", "2=3", "2=3|6=X"]))
    kept = {
        "record 507": f"507|{numero}|ED|0170260000123||",
        "record 507 (2)": f"507|{numero}|CF|X",
        "record 510": f"510|{numero}|1|0|1087",
        "record 800": f"800|{numero}|0001|FIRMA|",
        "record 505 fields": "3=15072026|6=USD",
        "record 999 fields": "5=X",
    }
    for key in draw(st.lists(st.sampled_from(sorted(kept)), unique=True)):
        if key != "record 507 (2)" or "record 507" in unread:
            unread[key] = kept[key]
    if last and draw(st.booleans()):
        unread["record 801 fields"] = "2=m3362001.205|5=011"
    rates = draw(st.sampled_from(["none", "rate", "bad"]))
    invalid = {"exchange_rates": "18.2O"} if rates == "bad" else {}
    count = draw(st.integers(min_value=0, max_value=3))
    return Declaration(
        id=ident,
        jurisdiction="MX",
        declaration_type=clave,
        regime=Regime.OTHER if export else CLAVE_REGIMES.get(clave),
        entry_date="32132026" if bad_date else date,
        importer=draw(optional(st.builds(Party, name=TEXT, id=optional(TEXT)))),
        exporter=draw(optional(st.builds(Party, name=optional(TEXT), id=TEXT))),
        exchange_rates=(
            (ExchangeRate(currency="USD", to_currency="MXN", rate=draw(AMOUNT)),)
            if rates == "rate"
            else ()
        ),
        items=tuple(draw(item(numero, line)) for line in range(1, count + 1)),
        kept=unread,
        invalid=invalid,
    )


@st.composite
def declarations(draw: st.DrawFn) -> list[Declaration]:
    count = draw(st.integers(min_value=1, max_value=3))
    return [draw(declaration(i, i == count - 1)) for i in range(count)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(decls=declarations())
def test_write_then_read_is_the_identity(decls: list[Declaration]) -> None:
    text = written(decls)
    assert [plain(d) for d in read_pedimento_text(text)] == [plain(d) for d in decls]
    stream = read_pedimento_stream(io.BytesIO(text.encode("utf-8")))
    assert [plain(d) for d in stream] == [plain(d) for d in decls]


# ---------------------------------------------------------------------------------------
# Fuzzing: findings or an InputError naming file and line, never another exception


def consume(decls: Iterator[Declaration]) -> tuple[list[Declaration], InputError | None]:
    got: list[Declaration] = []
    try:
        for decl in decls:
            got.append(decl)
            list(builtin_findings(decl))
    except InputError as exc:
        assert exc.file == "fuzz.val"
        assert exc.line is not None and exc.line >= 1
        return got, exc
    return got, None


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=3000))
def test_random_bytes_never_crash(data: bytes) -> None:
    consume(read_pedimento_stream(io.BytesIO(data), "fuzz.val"))
    consume(read_pedimento_stream(io.BytesIO(b"500|1|3362|6000587|400||\n" + data), "fuzz.val"))


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="5016|\n\r 23479AL.X", max_size=600))
def test_record_shaped_junk_never_crashes(text: str) -> None:
    got, _ = consume(read_pedimento_text("500|" + text, "fuzz.val"))
    assert got


class Corpus(list[str]):
    """The lines of the fuzzing base file, with a short repr."""

    def __repr__(self) -> str:
        return f"<{len(self)} lines>"


@pytest.fixture(scope="module")
def base() -> tuple[Corpus, list[Declaration], list[int]]:
    """Three pedimentos in one file, their declarations, and the line each begins on."""
    decls = [*read_pedimento(PROFILES), *read_pedimento(TWO)]
    lines = Corpus(written(decls).splitlines())
    starts = [i for i, line in enumerate(lines) if line.startswith("500|")]
    return lines, list(read_pedimento_text("\n".join(lines) + "\n")), starts


def mutate(line: str, rnd: random.Random) -> str:
    pipes = [i for i, c in enumerate(line) if c == "|"] or [0]
    at = rnd.choice(pipes)
    kind = rnd.choice(["drop", "double", "truncate"])
    if kind == "drop":
        return line[:at] + line[at + 1 :]
    if kind == "double":
        return line[:at] + "|" + line[at:]
    return line[: rnd.randrange(len(line) + 1)]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), edits=st.integers(1, 4))
def test_mutated_files_yield_every_readable_declaration(
    base: tuple[Corpus, list[Declaration], list[int]], seed: int, edits: int
) -> None:
    lines, clean, starts = base
    rnd = random.Random(seed)
    lines = Corpus(lines)
    k = rnd.randrange(len(starts))  # the pedimento that is damaged
    span = range(starts[k], starts[k + 1] if k + 1 < len(starts) else len(lines) - 1)
    for _ in range(edits):
        i = rnd.choice(span)
        if rnd.random() < 0.25:
            j = rnd.choice(span)
            lines[i], lines[j] = lines[j], lines[i]  # swapped records
        else:
            lines[i] = mutate(lines[i], rnd)
    text = "\n".join(lines) + "\n"
    got, _ = consume(read_pedimento_text(text, "fuzz.val"))
    # Every pedimento the damage cannot reach is read as before: not the damaged one, not
    # the one before it (which takes its records if both its 500 and 501 are lost), and
    # not the last one, whose 801 counts the records.
    reached = {k - 1, k, len(starts) - 1}
    for j, decl in enumerate(clean):
        if j not in reached:
            assert plain(decl) in [plain(d) for d in got]
    # Nothing is dropped silently: every record alcheck does not read, and every line that
    # is not a record, is kept where a finding can name its line.
    seen = {loc.line for decl in got for loc in places(decl)}
    for n, line in enumerate(lines, 1):
        if line.strip() and not line.startswith(("501|", "505|", "801|", "999|")):
            assert n in seen, (n, line)


def test_layout_records_alcheck_does_not_read_are_kept_quietly_and_others_reported() -> None:
    """A normal pedimento gives no SYN-UNKNOWN: its 507, 556, 557 … records are kept as
    given (`kept`); a record outside the layout is unexpected and reported."""
    import alcheck

    (decl,) = read_pedimento(PROFILES)
    assert "record 507" in decl.kept and "record 507" not in decl.unread
    assert not [f for f in alcheck.validate(decl) if f.rule_id == "SYN-UNKNOWN"]
    text = PROFILES.read_text()
    odd = text.replace("507|", "905|", 1)
    (bad,) = read_pedimento_text(odd, "odd.val")
    assert "record 905" in bad.unread
    found = [f for f in alcheck.validate(bad) if f.rule_id == "SYN-UNKNOWN"]
    assert len(found) == 1 and "905" in found[0].message


def _lines_one_by_one(data: bytes) -> list[tuple[int, str | None]]:
    """The lines of a stream as `_stream_lines` reads them, each alone: UTF-8 else
    Latin-1, None for one of more than 4 * MAX_RECORD + 1 bytes; a last line without its
    end when it holds anything."""
    limit = 4 * MAX_RECORD + 1
    pieces = data.split(b"\n")
    last = pieces.pop()

    def one(raw: bytes) -> str | None:
        if len(raw) > limit:
            return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("latin-1")

    lines: list[tuple[int, str | None]] = [(n, one(p)) for n, p in enumerate(pieces, 1)]
    if last:
        lines.append((len(pieces) + 1, one(last)))
    return lines


_PIECES = [b"500|1|3362|", b"\n", b"\r\n", "é€".encode(), b"\xe9", b"\xff", b"|", b"x" * 50]
_PIECES += [b"\xef\xbb\xbf", b"y" * (MAX_RECORD + 5), b"z" * (4 * MAX_RECORD), "€".encode() * 2000]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(st.sampled_from(_PIECES), max_size=30),
    chunk=st.sampled_from([1, 5, 64, 4096, 65536]),
)
def test_stream_lines_read_whole_chunks_as_line_by_line(parts: list[bytes], chunk: int) -> None:
    """The lines whole in a chunk are decoded at once: what each gives is what it gives
    read alone (its text, or None past the byte limit), whatever the chunk size."""
    data = b"".join(parts)
    pedimento_format._CHUNK, chunk_size = chunk, pedimento_format._CHUNK
    try:
        got = list(pedimento_format._stream_lines(io.BytesIO(data)))
    finally:
        pedimento_format._CHUNK = chunk_size
    assert got == _lines_one_by_one(data)
