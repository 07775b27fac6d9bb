"""Property tests: write -> read is the identity for XML, CSV and JSON; junk never crashes."""

from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alcheck import AlcheckError, Declaration, Document, ExchangeRate, GoodsItem, Party, Regime
from alcheck.formats import read, write_csv, write_json, write_wco_xml
from alcheck.formats.wco_xml import PROCEDURE_REGIMES, national_currency
from alcheck.gateway import builtin_findings

WORD = st.text(alphabet="ABCXYZabcxyz0123456789-./ ", min_size=1, max_size=12).map(str.strip)
TEXT = WORD.filter(bool)
COUNTRY = st.sampled_from(["US", "CA", "MX", "GB", "DE", "CN", "RU", "ZN"])
METAL = st.sampled_from(["US", "CA", "RU", "UN", "N/A", "ZU"])
AMOUNT = st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False)
CURRENCY = st.sampled_from(["USD", "CAD", "MXN", "GBP", "EUR"])


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


DOCUMENT = st.builds(
    Document,
    type=st.sampled_from(["AIM", "GIP", "AVA", "COA", "ADC", "N935"]),
    id=optional(TEXT),
    category=optional(st.sampled_from(["C", "N", "1"])),
)

ITEM = st.builds(
    GoodsItem,
    line=st.integers(min_value=1, max_value=999),
    description=optional(TEXT),
    tariff_declared=optional(st.from_regex(r"[0-9]{6,10}", fullmatch=True) | st.just("7601.10")),
    additional_codes=st.lists(st.sampled_from(["99038567", "9903.85.68", "C601"]), max_size=2).map(
        tuple
    ),
    origin=optional(COUNTRY),
    preferential_origin=optional(COUNTRY),
    export_country=optional(COUNTRY),
    smelt1=optional(METAL),
    smelt2=optional(METAL),
    cast=optional(METAL),
    net_mass_kg=optional(AMOUNT),
    gross_mass_kg=optional(AMOUNT),
    supplementary_quantity=optional(AMOUNT),
    supplementary_unit=optional(st.sampled_from(["NAR", "KGM", "LTR"])),
    value=optional(AMOUNT),
    currency=optional(CURRENCY),
    documents=st.lists(DOCUMENT, max_size=3).map(tuple),
)


@st.composite
def declaration(draw: st.DrawFn, index: int = 0) -> Declaration:
    jurisdiction = draw(st.sampled_from(["US", "CA", "MX", "GB", "DE"]))
    procedure = draw(optional(st.sampled_from(["4000", "4200", "5100", "5300", "7100", "4400"])))
    regime = draw(optional(st.sampled_from(list(Regime))))
    if regime is None and procedure is not None:
        # The procedure code implies a regime; "no regime" cannot be written beside it.
        regime = PROCEDURE_REGIMES.get(procedure[:2])
    to_currency = national_currency(jurisdiction)
    assert to_currency is not None
    rates = draw(
        st.lists(
            st.builds(
                ExchangeRate, currency=CURRENCY, to_currency=st.just(to_currency), rate=AMOUNT
            ),
            max_size=2,
        )
    )
    return Declaration(
        id=f"D{index}-" + draw(TEXT).replace(" ", ""),
        jurisdiction=jurisdiction,
        declaration_type=draw(optional(st.sampled_from(["IMA", "IMZ", "01"]))),
        regime=regime,
        procedure_code=procedure,
        entry_date=draw(optional(st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)))),
        importer=draw(optional(st.builds(Party, name=TEXT, id=optional(TEXT)))),
        exporter=draw(optional(st.builds(Party, name=TEXT, id=optional(TEXT)))),
        manufacturer=draw(optional(st.builds(Party, name=TEXT))),
        documents=tuple(draw(st.lists(DOCUMENT, max_size=2))),
        exchange_rates=tuple(rates),
        items=tuple(draw(st.lists(ITEM, max_size=3))),
    )


@st.composite
def declarations(draw: st.DrawFn) -> list[Declaration]:
    count = draw(st.integers(min_value=1, max_value=3))
    return [draw(declaration(i)) for i in range(count)]


def plain(decl: Declaration) -> dict[str, Any]:
    """Dump a declaration without where its values were read, which differs by format."""
    return decl.model_dump(
        exclude={
            "location": True,
            "sources": True,
            "items": {"__all__": {"location", "sources"}},
        }
    )


def write(kind: str, decls: list[Declaration]) -> bytes:
    if kind == "xml":
        buffer = io.BytesIO()
        write_wco_xml(decls, buffer)
        return buffer.getvalue()
    text = io.StringIO(newline="")
    (write_csv if kind == "csv" else write_json)(decls, text)
    return text.getvalue().encode("utf-8")


@pytest.mark.parametrize("kind", ["xml", "csv", "json"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(decls=declarations())
def test_write_then_read_is_the_identity(kind: str, decls: list[Declaration]) -> None:
    data = write(kind, decls)
    detected = list(read(io.BytesIO(data)))
    forced = list(read(io.BytesIO(data), format=kind))
    assert [plain(d) for d in detected] == [plain(d) for d in decls]
    assert [plain(d) for d in forced] == [plain(d) for d in decls]


def test_invalid_values_survive_a_round_trip() -> None:
    item = GoodsItem(line=1, invalid={"net_mass_kg": "12 LBR"})
    decl = Declaration(id="X", jurisdiction="US", items=(item,), invalid={"entry_date": "tomorrow"})
    for kind in ("xml", "csv", "json"):
        (back,) = read(io.BytesIO(write(kind, [decl])))
        assert back.invalid == {"entry_date": "tomorrow"}, kind
        assert back.items[0].invalid == {"net_mass_kg": "12 LBR"}, kind


def consume(data: bytes, format: str | None = None) -> None:
    """Read and validate; only declarations, findings or alcheck errors may come out."""
    try:
        decls = list(read(io.BytesIO(data), format=format))
    except AlcheckError:
        return
    for decl in decls:
        # The built-in checks, not the rule packs: this tests the readers' output.
        list(builtin_findings(decl))


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2000), format=st.sampled_from([None, "xml", "csv", "json"]))
def test_arbitrary_bytes_never_crash(data: bytes, format: str | None) -> None:
    consume(data, format)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet='<>/="; ,\n{}[]:abcDeclarationItem0123456789', max_size=400),
    prefix=st.sampled_from(["", "<", "{", "declaration_id,origin\n", "item_line;net_kg\n"]),
)
def test_structured_junk_never_crashes(text: str, prefix: str) -> None:
    consume((prefix + text).encode("utf-8"))


class Files(list[bytes]):
    """Corpus file contents with a short repr, so failing examples stay readable."""

    def __repr__(self) -> str:
        return f"<{len(self)} corpus files>"


@pytest.fixture(scope="module")
def corpus_files(corpus_dir: Path) -> Files:
    root = corpus_dir / "examples" / "annotated_XML_samples"
    names = [
        "TT_IM039b/Step1_TT_IM039b.xml",
        "TT_IM022a/TT_IM022a.xml",
        "TT_IM184a/Step1_TT_IM184a.xml",
        "TT_IM095a/Step1_TT_IM095a.xml",
        "Example_DMS_notifications/13_DMSTAX.xml",
    ]
    return Files((root / n).read_bytes() for n in names)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    which=st.integers(min_value=0, max_value=4),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    edits=st.integers(min_value=1, max_value=20),
)
def test_mutated_corpus_files_never_crash(
    corpus_files: Files, which: int, seed: int, edits: int
) -> None:
    rng = random.Random(seed)
    data = bytearray(corpus_files[which])
    for _ in range(edits):
        if not data:
            data = bytearray(b"<")
        at = rng.randrange(len(data))
        action = rng.randrange(4)
        if action == 0:
            data[at] = rng.randrange(256)
        elif action == 1:
            del data[at : at + rng.randrange(1, 40)]
        elif action == 2:
            data[at:at] = rng.choice([b"<", b">", b"&", b"ZZ", b"-1", b"\xff", b"<X>", b"</"])
        else:
            data = data[:at]
    consume(bytes(data))
