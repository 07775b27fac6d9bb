"""CBP ACE CATAIR entry summary (AE): reader, writer, round trips, fuzzing, rule parity.

The samples in tests/data/catair/ are annotated in tests/data/catair/README.md. Expected
positions are worked out from the sample files themselves (the line holding a record,
the columns the layout gives), never copied from a run.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import string
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from alcheck import (
    Declaration,
    Document,
    GoodsItem,
    InputError,
    NotADeclarationError,
    Party,
    Regime,
    UsageError,
    validate,
)
from alcheck.formats.catair import (
    ENTRY_TYPE_REGIMES,
    MAX_LINE,
    RECORD_LENGTH,
    _implied,
    _Invalid,
    _number,
    _whole_text,
    entry_check_digit,
    looks_like_catair,
    read_catair,
    read_catair_stream,
    read_catair_text,
    write_catair,
)
from alcheck.gateway import builtin_findings

DATA = Path(__file__).resolve().parent / "data" / "catair"
SAMPLES = sorted(DATA.glob("*.ae"))
CLEAN = [DATA / "two-entries.ae", DATA / "cn-sheet-2026.ae"]
ERRORS = DATA / "field-errors.ae"


def plain(decl: Declaration) -> dict[str, Any]:
    """A declaration without where its values were read (locations are compared apart), nor
    the valid records it keeps as given by line (`kept`: the writer does not write them)."""
    return decl.model_dump(
        exclude={
            "location": True,
            "sources": True,
            "kept": True,
            "items": {"__all__": {"location", "sources"}},
        }
    )


_LINE_KEY = re.compile(r" \(line \d+\)")


def unplaced(decl: Declaration) -> dict[str, Any]:
    """`plain`, with the line numbers taken out of the keys of `invalid` and `unread`
    (which name the line of a record), for comparing files whose lines moved."""

    def strip(data: dict[str, Any]) -> None:
        for key in ("invalid", "unread"):
            data[key] = {_LINE_KEY.sub("", k): v for k, v in data[key].items()}

    data = plain(decl)
    strip(data)
    for item in data["items"]:
        strip(item)
    return data


def write(decls: list[Declaration]) -> str:
    out = io.StringIO()
    write_catair(decls, out)
    return out.getvalue()


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def outcome(data: bytes, name: str = "fuzz.ae") -> tuple[list[Declaration], InputError | None]:
    """Read `data`: the declarations yielded and the input error raised after them, if
    any. Any other exception fails the test that calls it."""
    decls: list[Declaration] = []
    try:
        for decl in read_catair_stream(io.BytesIO(data), name):
            decls.append(decl)
    except InputError as exc:
        assert exc.file == name
        assert isinstance(exc.line, int) and exc.line >= 1
        return decls, exc
    return decls, None


# ---------------------------------------------------------------------------------------
# Entry numbers (Appendix E)


def test_check_digit_of_the_appendix_e_example() -> None:
    # Appendix E works B76 0324527 through to check digit 8 (B converts to 2).
    assert entry_check_digit("B76", "0324527") == 8
    assert entry_check_digit("276", "0324527") == 8


def test_letters_convert_as_appendix_e_says() -> None:
    table = {"AJ": 1, "BKS": 2, "CLT": 3, "DMU": 4, "ENV": 5, "FOW": 6, "GPX": 7, "HQY": 8}
    table["IRZ"] = 9
    for letters, digit in table.items():
        for letter in letters:
            assert entry_check_digit(f"{letter}00", "1234567") == entry_check_digit(
                f"{digit}00", "1234567"
            )


@given(
    filer=st.from_regex(r"[A-Z0-9]{3}", fullmatch=True),
    transaction=st.from_regex(r"[0-9]{7}", fullmatch=True),
    position=st.integers(0, 6),
    delta=st.integers(1, 9),
)
def test_a_changed_digit_changes_the_check_digit(
    filer: str, transaction: str, position: int, delta: int
) -> None:
    check = entry_check_digit(filer, transaction)
    assert check is not None and 0 <= check <= 9
    digit = (int(transaction[position]) + delta) % 10
    changed = transaction[:position] + str(digit) + transaction[position + 1 :]
    assert entry_check_digit(filer, changed) != check


_APPENDIX_E = {
    letter: digit
    for digit, letters in enumerate(
        ["", "AJ", "BKS", "CLT", "DMU", "ENV", "FOW", "GPX", "HQY", "IRZ"]
    )
    for letter in letters
}


def _check_digit_by_the_letter(filer: str, transaction: str) -> int | None:
    """Appendix E as written: each character of the upper-cased filer code converted, then
    the digits weighted from the right."""
    if len(filer) != 3 or len(transaction) != 7:
        return None
    if not (transaction.isascii() and transaction.isdigit()):
        return None
    converted = []
    for char in filer.upper():
        if char in "0123456789":
            converted.append(int(char))
        elif char in _APPENDIX_E:
            converted.append(_APPENDIX_E[char])
        else:
            return None
    total = 0
    for position, digit in enumerate(reversed(converted + [int(c) for c in transaction]), 1):
        total += sum(divmod(digit * 2, 10)) if position % 2 else digit
    return (10 - total % 10) % 10


@given(
    filer=st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz-ßé ", max_size=4),
    transaction=st.from_regex(r"[0-9]{7}", fullmatch=True),
)
def test_the_check_digit_table_is_appendix_e(filer: str, transaction: str) -> None:
    """The table the reader converts filer codes with (any case) is Appendix E; a code it
    does not hold (ß upper-cases to two letters) takes the letter-by-letter path."""
    assert entry_check_digit(filer, transaction) == _check_digit_by_the_letter(filer, transaction)


def test_a_wrong_check_digit_is_kept_and_reported() -> None:
    text = write([Declaration(id="B76-0324527-8", declaration_type="01")])
    wrong = text.replace("03245278", "03245279")
    (decl,) = read_catair_text(wrong, "wrong.ae")
    assert decl.id == "B76-0324527-9"
    assert decl.invalid["id"] == "B76-0324527-9"
    found = [f for f in builtin_findings(decl) if f.rule_id == "SYN-VALUE" and f.field == "id"]
    assert found and found[0].location is not None
    assert (
        found[0].location.line
        == wrong.splitlines().index(
            next(line for line in wrong.splitlines() if line.startswith("10"))
        )
        + 1
    )
    (good,) = read_catair_text(text, "good.ae")
    assert "id" not in good.invalid


# ---------------------------------------------------------------------------------------
# The samples


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_every_sample_is_detected_and_read(path: Path) -> None:
    assert looks_like_catair(path.read_bytes()[:65536])
    decls = list(read_catair(path))
    assert len(decls) == sum(1 for line in lines_of(path) if line.startswith("10"))
    for decl in decls:
        assert decl.jurisdiction == "US"
        assert decl.location is not None and decl.location.file == str(path)


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_every_location_points_at_its_record_and_columns(path: Path) -> None:
    """Each source names a line of the file holding that record, and columns on it."""
    lines = lines_of(path)
    for decl in read_catair(path):
        owners: list[Declaration | GoodsItem] = [decl, *decl.items]
        for owner in owners:
            for field, where in owner.sources.items():
                assert where.file == str(path)
                assert where.line is not None and 1 <= where.line <= len(lines), field
                if where.path is None or " cols " not in where.path:
                    continue
                record, _, cols = where.path.partition("-record cols ")
                line = lines[where.line - 1]
                assert line.startswith(record), (field, where)
                first, last = (int(n) for n in cols.split("-"))
                assert 1 <= first <= last <= RECORD_LENGTH
                text = line.ljust(RECORD_LENGTH)[first - 1 : last].strip()
                value = getattr(owner, field, None) if field in type(owner).model_fields else None
                if field == "id":
                    assert isinstance(owner, Declaration) and owner.id is not None
                    assert text.replace(" ", "") == owner.id.replace("-", "")
                elif field in owner.invalid:
                    assert owner.invalid[field].strip() in text or "length" in field
                elif field in ("tariff_declared", "origin", "export_country", "cast"):
                    assert text == value
                elif field == "additional_codes":
                    assert isinstance(owner, GoodsItem) and text == owner.additional_codes[0]


def test_the_clean_samples_have_no_syntax_findings() -> None:
    for path in CLEAN:
        for decl in read_catair(path):
            found = [f for f in builtin_findings(decl) if f.rule_id.startswith(("SYN", "STR"))]
            assert found == [], [(f.rule_id, f.field, f.message) for f in found]


def test_valid_records_not_modelled_are_kept_not_reported() -> None:
    path = DATA / "two-entries.ae"
    lines = lines_of(path)
    first = next(d for d in read_catair(path))
    # The first entry summary holds one 20-, 31- and 90-record (see the README): each is
    # kept as given under its record type and line, and none makes a finding.
    for record in ("20", "31", "90"):
        number = next(i for i, line in enumerate(lines, 1) if line.startswith(record))
        assert first.kept[f"{record}-record (line {number})"] == lines[number - 1].rstrip()
    assert not first.unread and all(not item.unread for item in first.items)
    assert not [f for f in builtin_findings(first) if f.rule_id == "SYN-UNKNOWN"]


def test_the_field_errors_are_findings_at_their_lines_and_columns() -> None:
    lines = lines_of(ERRORS)
    (decl,) = read_catair(ERRORS)

    def line_of(prefix: str) -> int:
        return next(i for i, line in enumerate(lines, 1) if line.startswith(prefix))

    found = {(f.rule_id, f.field): f for f in validate(decl)}

    def at(rule: str, field: str) -> tuple[int | None, str | None]:
        location = found[(rule, field)].location
        assert location is not None and location.file == str(ERRORS)
        return location.line, location.path

    assert at("SYN-VALUE", "id") == (line_of("10"), "10-record cols 4-16")
    assert at("SYN-VALUE", "entry_date") == (line_of("11"), "11-record cols 42-47")
    assert at("SYN-VALUE", "items[1].gross_mass_kg") == (line_of("40"), "40-record cols 42-51")
    main = next(
        i for i, line in enumerate(lines, 1) if line.startswith("50") and line[24:34].strip()
    )
    assert at("SYN-VALUE", "items[1].value") == (main, "50-record cols 25-34")
    assert at("SYN-VALUE", "items[1].smelt1") == (line_of("5407"), "54-record cols 5-9")
    short = next(i for i, line in enumerate(lines, 1) if len(line) != RECORD_LENGTH)
    assert at("SYN-VALUE", f"items[1].52-record length (line {short})")[0] == short
    unknown = line_of("QQ")
    assert at("SYN-UNKNOWN", f"unknown record type (line {unknown})")[0] == unknown
    early = line_of("50")
    assert at("SYN-UNKNOWN", f"50-record before any 40-record (line {early})")[0] == early
    # What is right on those records is still read.
    assert decl.items[0].smelt2 == lines[line_of("5407") - 1][12:14]
    assert decl.items[0].documents[0].type == "AIM"


def test_the_samples_round_trip() -> None:
    for path in CLEAN:
        decls = list(read_catair(path))
        again = list(read_catair_text(write(decls), "again.ae"))
        assert [plain(d) for d in again] == [plain(d) for d in decls]


def test_the_field_errors_round_trip_as_given() -> None:
    """Values kept in `invalid` are written back as given; record-level problems (an
    unknown record, a misplaced one, a record's length) have no place and are not."""
    (decl,) = read_catair(ERRORS)
    (again,) = read_catair_text(write([decl]), "again.ae")

    def fields(d: Declaration) -> dict[str, Any]:
        data = plain(d)
        data["unread"] = {}
        for item in data["items"]:
            item["invalid"] = {k: v for k, v in item["invalid"].items() if "record" not in k}
        return data

    assert fields(again) == fields(decl)


def test_crlf_and_a_bom_read_like_lf() -> None:
    for path in CLEAN:
        data = path.read_bytes()
        crlf = b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")
        assert [plain(d) for d in outcome(crlf)[0]] == [plain(d) for d in read_catair(path)]
        text = crlf.decode("utf-8")
        assert [plain(d) for d in read_catair_text(text)] == [plain(d) for d in read_catair(path)]


def test_entry_types_give_the_regime() -> None:
    # AE Table 2 (rev. 109) and type 13 (rev. 111): every code the AE transaction takes.
    ae_table_2 = "01 02 03 06 07 11 12 13 21 22 23 31 32 34 38 51 52".split()
    assert set(ae_table_2) <= set(ENTRY_TYPE_REGIMES)
    expected = {"01": "consumption", "06": "ftz", "11": "informal", "21": "warehouse"}
    expected |= {"23": "temporary", "31": "consumption", "61": "transit"}
    sample = (DATA / "two-entries.ae").read_text(encoding="utf-8")
    for kind, regime in expected.items():
        text = sample.replace("    0111 X", f"    {kind}11 X")
        decl = next(read_catair_text(text))
        assert (decl.declaration_type, decl.regime) == (kind, Regime(regime))
    decl = next(read_catair_text(sample.replace("    0111 X", "    ZZ11 X")))
    assert decl.declaration_type is None and decl.regime is None
    assert decl.invalid["declaration_type"] == "ZZ"


def test_envelope_problems_are_findings_on_the_entry_summary_nearby() -> None:
    lines = lines_of(DATA / "two-entries.ae")
    truncated = list(read_catair_text("\n".join(lines[:-2])))
    assert [plain(d) for d in truncated[:1]] == [plain(d) for d in read_catair(CLEAN[0])][:1]
    (key,) = truncated[-1].unread
    assert key.startswith("Y-record missing") and truncated[-1].sources[key].line == len(lines) - 2
    no_block = [line for line in lines if not line.startswith(("B", "Y"))]
    first, second = read_catair_text("\n".join(no_block))
    assert any(k.startswith("10-record") for k in first.unread)
    assert any(k.startswith("10-record") for k in second.unread)
    delete = "\n".join(line.replace("10AB76", "10DB76") for line in lines)
    assert all(any("action" in k for k in d.unread) for d in read_catair_text(delete))


def test_malformed_records_kept_are_bounded() -> None:
    lines = lines_of(DATA / "cn-sheet-2026.ae")
    junk = ["QQ" + str(n).rjust(78) for n in range(3000)]
    (decl,) = read_catair_text("\n".join(lines[:-2] + junk + lines[-2:]))
    assert 1000 <= len(decl.unread) <= 1001
    assert any(k.startswith("more problems") for k in decl.unread)
    assert decl.items[0].tariff_declared == "7606123090"


# ---------------------------------------------------------------------------------------
# Rule parity: a CATAIR entry and the same entry built as a model


def test_a_catair_entry_gives_the_us_findings_of_the_same_model() -> None:
    """Chinese aluminum sheet, 2026, no AIM licence, smelt and cast unknown (UN)."""
    (read_decl,) = read_catair(DATA / "cn-sheet-2026.ae")
    direct = Declaration(
        id="B76-0324529-4",
        jurisdiction="US",
        declaration_type="01",
        regime="consumption",
        entry_date=dt.date(2026, 9, 15),
        importer=Party(id="38-7654321"),
        items=(
            GoodsItem(
                line=1,
                description="ALUMINUM ALLOY SHEET 5052-H32, 2 MM, FLAT",
                tariff_declared="7606123090",
                additional_codes=("99038202",),
                origin="CN",
                export_country="CN",
                smelt1="UN",
                smelt2="N/A",
                cast="UN",
                net_mass_kg=Decimal("30000"),
                gross_mass_kg=Decimal("30900"),
                value=Decimal("120000"),
                currency="USD",
            ),
        ),
    )

    def us(decl: Declaration) -> list[tuple[str, str, str | None, str]]:
        found = validate(decl, select=["US-"])
        return sorted((f.rule_id, f.message, f.field, f.severity.value) for f in found)

    from_file = us(read_decl)
    assert from_file == us(direct)
    assert any(rule.startswith("US-AIM") for rule, *_ in from_file)
    assert any("UN" in message for _, message, *_ in from_file)
    assert list(builtin_findings(read_decl)) == []


# ---------------------------------------------------------------------------------------
# write -> read is the identity, within what the format carries

WORD = st.text(alphabet=string.ascii_uppercase + string.digits + ",.-/&'", min_size=1, max_size=20)
COUNTRY = st.sampled_from(["US", "CA", "MX", "CN", "RU", "DE", "GB", "IN", "**"])
METAL = st.sampled_from([None, "CA", "CN", "RU", "BH", "UN", "N/A"])
CAST = st.sampled_from([None, "CA", "CN", "RU", "UN"])
LICENCE_TYPES = sorted({f"{n:02d}" for n in range(1, 32)} - {"28"})


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def documents(draw: st.DrawFn) -> tuple[Document, ...]:
    docs: list[Document] = []
    licence_id = optional(st.from_regex(r"[A-Z0-9]{1,9}", fullmatch=True))
    kind = draw(st.sampled_from([None, "AIM", "LIC"]))
    if kind == "AIM":
        docs.append(Document(type="AIM", id=draw(licence_id)))
    elif kind == "LIC":
        category = draw(st.sampled_from(LICENCE_TYPES))
        docs.append(Document(type="LIC", id=draw(licence_id), category=category))
    for _ in range(draw(st.integers(0, 2))):
        case = draw(st.from_regex(r"[AC]-[0-9]{3}-[0-9]{3}", fullmatch=True))
        suffix = draw(optional(st.from_regex(r"[0-9]{3}", fullmatch=True)))
        docs.append(Document(type="ADC", id=case, category=suffix))
    for _ in range(draw(st.integers(0, 2))):
        exclusion = draw(optional(st.from_regex(r"(ALU|APR)[0-9]{6}", fullmatch=True)))
        docs.append(Document(type="EXCL", id=exclusion))
    return tuple(docs)


@st.composite
def items(draw: st.DrawFn) -> GoodsItem:
    value = draw(optional(st.integers(0, 10**10 - 1)))
    return GoodsItem(
        line=draw(optional(st.integers(0, 999))),
        description=draw(optional(st.lists(WORD, min_size=1, max_size=12).map(" ".join))),
        tariff_declared=draw(optional(st.from_regex(r"[0-8][0-9]{7}([0-9]{2})?", fullmatch=True))),
        additional_codes=tuple(
            draw(st.lists(st.from_regex(r"9[89][0-9]{6}([0-9]{2})?", fullmatch=True), max_size=3))
        ),
        origin=draw(optional(COUNTRY)),
        export_country=draw(optional(COUNTRY)),
        smelt1=draw(METAL),
        smelt2=draw(METAL),
        cast=draw(CAST),
        net_mass_kg=draw(optional(st.integers(0, 10**12 - 1).map(lambda n: Decimal(n) / 100))),
        gross_mass_kg=draw(optional(st.integers(1, 10**10 - 1).map(Decimal))),
        supplementary_quantity=draw(
            optional(st.integers(0, 10**12 - 1).map(lambda n: Decimal(n).scaleb(-2)))
        ),
        supplementary_unit=draw(optional(st.sampled_from(["NO", "M2", "T", "L", "X", "DOZ"]))),
        value=None if value is None else Decimal(value),
        currency=None if value is None else "USD",
        documents=draw(documents()),
    )


@st.composite
def declarations(draw: st.DrawFn) -> list[Declaration]:
    decls = []
    for _ in range(draw(st.integers(1, 3))):
        filer = draw(st.from_regex(r"[A-Z0-9]{3}", fullmatch=True))
        transaction = draw(st.from_regex(r"[0-9]{7}", fullmatch=True))
        kind = draw(st.sampled_from(sorted(ENTRY_TYPE_REGIMES)))
        importer = draw(
            optional(st.from_regex(r"[A-Z0-9](?:[A-Z0-9 -]{0,10}[A-Z0-9])?", fullmatch=True))
        )
        decls.append(
            Declaration(
                id=f"{filer}-{transaction}-{entry_check_digit(filer, transaction)}",
                jurisdiction="US",
                declaration_type=kind,
                regime=ENTRY_TYPE_REGIMES[kind],
                entry_date=draw(optional(st.dates(dt.date(1969, 1, 1), dt.date(2068, 12, 31)))),
                importer=None if importer is None else Party(id=importer),
                items=tuple(draw(st.lists(items(), max_size=4))),
            )
        )
    return decls


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(decls=declarations())
def test_write_then_read_is_the_identity(decls: list[Declaration]) -> None:
    text = write(decls)
    assert all(len(line) == RECORD_LENGTH for line in text.splitlines())
    again = list(read_catair_text(text, "generated.ae"))
    assert [plain(d) for d in again] == [plain(d) for d in decls]
    for decl in again:
        assert not decl.invalid and not decl.unread
        assert all(not item.invalid and not item.unread for item in decl.items)


def test_the_writer_refuses_what_it_would_change() -> None:
    base = Declaration(id="B76-0324527-8", declaration_type="01")
    refused = [
        base.model_copy(update={"items": (GoodsItem(value=Decimal("2500.01"), currency="USD"),)}),
        base.model_copy(update={"items": (GoodsItem(value=Decimal("2500"), currency="EUR"),)}),
        base.model_copy(update={"items": (GoodsItem(net_mass_kg=Decimal("1.005")),)}),
        base.model_copy(update={"items": (GoodsItem(cast="N/A"),)}),
        base.model_copy(update={"items": (GoodsItem(description="line\nbreak"),)}),
        base.model_copy(update={"items": (GoodsItem(tariff_declared="9903.85.67"),)}),
        base.model_copy(update={"items": (GoodsItem(additional_codes=("C601",)),)}),
        base.model_copy(update={"items": (GoodsItem(supplementary_unit="KG"),)}),
        base.model_copy(update={"id": "not an entry number"}),
        base.model_copy(update={"regime": Regime.WAREHOUSE}),
    ]
    for decl in refused:
        with pytest.raises(UsageError):
            write([decl])


# ---------------------------------------------------------------------------------------
# Input that cannot be read: an InputError naming the file and line, nothing else


def test_not_catair_is_an_input_error_on_line_1() -> None:
    for text in ("declaration_id,tariff_code\nX,7601\n", "<Declaration/>", "hello"):
        with pytest.raises(InputError) as info:
            list(read_catair_text(text, "other.txt"))
        assert info.value.file == "other.txt" and info.value.line == 1


def test_empty_input_and_other_applications_are_not_declarations() -> None:
    with pytest.raises(NotADeclarationError):
        list(read_catair_text("\n\n", "empty.ae"))
    sample = (DATA / "two-entries.ae").read_text(encoding="utf-8")
    other = sample.replace("     AE ", "     SE ", 1)
    with pytest.raises(NotADeclarationError, match="'SE'") as info:
        list(read_catair_text(other, "cargo.ae"))
    assert info.value.line == 1
    no_entries = "\n".join(line for line in sample.splitlines() if line[:1] in "ABYZ")
    with pytest.raises(NotADeclarationError, match="no entry summary"):
        list(read_catair_text(no_entries, "none.ae"))


def test_an_unreadable_line_spoils_only_its_own_entry_summary() -> None:
    sample = (DATA / "two-entries.ae").read_text(encoding="utf-8")
    decls = list(read_catair_text(sample))
    lines = sample.splitlines()
    tens = [i for i, line in enumerate(lines) if line.startswith("10")]
    for k, start in enumerate(tens):
        broken = list(lines)
        broken[start + 2] = broken[start + 2][:20] + "\x00" + broken[start + 2][21:]
        got, error = outcome("\n".join(broken).encode("utf-8"), "broken.ae")
        assert error is not None and error.line == start + 3
        assert [plain(d) for d in got] == [plain(d) for i, d in enumerate(decls) if i != k]


def test_another_application_later_in_the_file_is_an_error_after_the_rest() -> None:
    sample = (DATA / "two-entries.ae").read_text(encoding="utf-8")
    lines = sample.splitlines()
    other = [
        line.replace("     AE ", "     SE ", 1) if line.startswith("A") else line for line in lines
    ]
    text = "\n".join(lines + other) + "\n"
    got, error = outcome(text.encode("utf-8"), "two-batches.ae")
    assert error is not None and error.line == len(lines) + 1
    assert [plain(d) for d in got] == [plain(d) for d in read_catair_text(sample)]


class _Endless:
    """A binary stream holding `header` and then one line of `size` bytes, made lazily."""

    def __init__(self, header: bytes, size: int) -> None:
        self.header = header
        self.left = size
        self.block = b"X" * 65536

    def read(self, size: int = -1) -> bytes:
        if self.header:
            chunk, self.header = self.header, b""
            return chunk
        if self.left <= 0:
            return b""
        chunk = self.block[: min(len(self.block), self.left, size if size > 0 else self.left)]
        self.left -= len(chunk)
        return chunk


def test_a_1_gib_line_is_an_error_read_in_bounded_memory() -> None:
    head = b"".join(
        line + b"\n" for line in (DATA / "two-entries.ae").read_bytes().splitlines()[:3]
    )
    tracemalloc.start()
    try:
        got, error = outcome_stream(_Endless(head, 1 << 30), "huge.ae")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error is not None and error.line == 4 and str(MAX_LINE) in error.reason
    assert got == []  # the one entry summary holds the line: it is not yielded
    assert peak < 8 * 1024 * 1024


def outcome_stream(stream: Any, name: str) -> tuple[list[Declaration], InputError | None]:
    decls: list[Declaration] = []
    try:
        decls.extend(read_catair_stream(stream, name))
    except InputError as exc:
        assert exc.file == name
        return decls, exc
    return decls, None


def test_a_long_line_in_text_is_an_error_naming_it() -> None:
    sample = (DATA / "two-entries.ae").read_text(encoding="utf-8").splitlines()
    sample[5] = "X" * (10 * MAX_LINE)
    with pytest.raises(InputError) as info:
        list(read_catair_text("\n".join(sample), "long.ae"))
    assert info.value.line == 6


def test_reading_streams_one_entry_summary_at_a_time() -> None:
    sample = (DATA / "two-entries.ae").read_bytes().splitlines(keepends=True)
    body = [line for line in sample if line[:1] not in (b"A", b"B", b"Y", b"Z")]
    copies = 2000
    data = b"".join(sample[:2] + body * copies + sample[-2:])

    class Counting(io.BytesIO):
        consumed = 0

        def read(self, size: int | None = -1) -> bytes:
            chunk = super().read(size)
            Counting.consumed += len(chunk)
            return chunk

    reader = read_catair_stream(Counting(data), "many.ae")
    next(reader)
    assert Counting.consumed < len(data) // 4
    assert sum(1 for _ in reader) == 2 * copies - 1


# ---------------------------------------------------------------------------------------
# Fuzzing: findings or a clear InputError, never another exception


def _findings_never_raise(decls: list[Declaration]) -> None:
    """Whatever was read is checked by the built-in checks and every bundled pack."""
    validate(decls)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    decls, _ = outcome(data)
    _findings_never_raise(decls)


@settings(max_examples=150, deadline=None)
@given(head=st.sampled_from(CLEAN), tail=st.binary(max_size=600))
def test_a_valid_start_then_random_bytes(head: Path, tail: bytes) -> None:
    decls, _ = outcome(head.read_bytes()[:400] + tail)
    _findings_never_raise(decls)


MUTATION = st.one_of(
    st.tuples(
        st.just("flip"),
        st.integers(0, 10**6),
        st.integers(0, 85),
        st.sampled_from(list(string.printable) + ["\x00", "\xff", "\t", "é"]),
    ),
    st.tuples(st.just("truncate"), st.integers(0, 10**6), st.integers(0, 85)),
    st.tuples(st.just("duplicate"), st.integers(0, 10**6)),
    st.tuples(st.just("delete"), st.integers(0, 10**6)),
    st.tuples(st.just("swap"), st.integers(0, 10**6), st.integers(0, 10**6)),
    st.tuples(st.just("pad"), st.integers(0, 10**6), st.integers(1, 40)),
)


def mutate(lines: list[str], mutation: tuple[Any, ...], allowed: range, keep: int = 0) -> list[str]:
    """Apply one mutation to a line in `allowed`; a flip leaves the first `keep` columns."""
    if not allowed:
        return lines
    kind, index = mutation[0], allowed[mutation[1] % len(allowed)]
    lines = list(lines)
    if kind == "flip":
        if len(lines[index]) <= keep:
            return lines
        column = keep + (mutation[2] - keep) % (len(lines[index]) - keep)
        lines[index] = lines[index][:column] + mutation[3] + lines[index][column + 1 :]
    elif kind == "truncate":
        lines[index] = lines[index][: mutation[2]]
    elif kind == "duplicate":
        lines.insert(index, lines[index])
    elif kind == "delete":
        del lines[index]
    elif kind == "swap":
        other = allowed[mutation[2] % len(allowed)]
        lines[index], lines[other] = lines[other], lines[index]
    else:
        lines[index] = lines[index] + " " * mutation[2]
    return lines


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(SAMPLES),
    mutations=st.lists(MUTATION, min_size=1, max_size=5),
    cut=optional(st.integers(0, 3000)),
)
def test_mutated_files_give_findings_or_an_input_error(
    path: Path, mutations: list[tuple[Any, ...]], cut: int | None
) -> None:
    lines = lines_of(path)
    for mutation in mutations:
        lines = mutate(lines, mutation, range(len(lines)))
    data = "\n".join(lines).encode("utf-8", errors="surrogateescape")
    if cut is not None:
        data = data[:cut]
    decls, _ = outcome(data)
    _findings_never_raise(decls)


def _entries(lines: list[str]) -> list[range]:
    """The line ranges of each entry summary: from its 10-record to the next 10 or Y."""
    starts = [i for i, line in enumerate(lines) if line.startswith("10")]
    spans = []
    for start in starts:
        end = start + 1
        while end < len(lines) and lines[end][:1] not in ("Y", "Z", "A", "B"):
            if lines[end].startswith("10"):
                break
            end += 1
        spans.append(range(start, end))
    return spans


def _several() -> list[str]:
    """The clean samples' entry summaries in one block, then the field errors."""
    two = lines_of(DATA / "two-entries.ae")
    cn = lines_of(DATA / "cn-sheet-2026.ae")
    errors = lines_of(ERRORS)
    return two[:-2] + cn[2:-2] + errors[2:]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.integers(0, 3), mutations=st.lists(MUTATION, min_size=1, max_size=4))
def test_other_entry_summaries_survive_a_damaged_one(
    target: int, mutations: list[tuple[Any, ...]]
) -> None:
    """Damage the records of one entry summary (never its 10-record, never a record
    type): every other entry summary is still yielded, exactly as before."""
    lines = _several()
    original = list(read_catair_text("\n".join(lines)))
    spans = _entries(lines)
    assume(len(spans) == len(original) == 4)
    span = spans[target]
    inner = range(span.start + 1, span.stop)
    for mutation in mutations:
        if mutation[0] == "flip":  # a line break would make a record of its own
            char = "#" if mutation[3] == "\n" else mutation[3]
            mutation = (*mutation[:3], char)
        if mutation[0] == "truncate":
            mutation = (*mutation[:2], max(mutation[2], 4))
        before = len(lines)
        # Flips spare the record type (columns 1-4): a 'Y' there would end the block, and
        # max(column, 4) alone wrapped round to column 1 on an 80-character record.
        lines = mutate(lines, mutation, inner, keep=4)
        inner = range(inner.start, inner.stop + len(lines) - before)
    data = "\n".join(lines).encode("utf-8", errors="surrogateescape")
    decls, _ = outcome(data)
    _findings_never_raise(decls)
    expected = [unplaced(d) for i, d in enumerate(original) if i != target]
    got = [unplaced(d) for d in decls if d.id != original[target].id]
    assert got == expected


@settings(max_examples=200, deadline=None)
@given(cut=st.integers(0, 5000))
def test_a_truncated_file_yields_every_entry_summary_before_the_cut(cut: int) -> None:
    """An entry summary is complete once the next one's 10-record is read: cut after
    that, it is yielded as it was; the one the cut falls in is read as far as it goes."""
    lines = _several()
    text = "\n".join(lines) + "\n"
    original = list(read_catair_text(text))
    data = text.encode("utf-8")[:cut]
    decls, _ = outcome(data)
    _findings_never_raise(decls)
    done = data.count(b"\n")  # lines complete before the cut
    spans = _entries(lines)
    for i in range(len(spans) - 1):
        if spans[i + 1].start < done:
            assert plain(decls[i]) == plain(original[i])


@given(head=st.binary(max_size=300))
def test_detection_never_raises(head: bytes) -> None:
    assert looks_like_catair(head) in (True, False)


def test_detection_tells_catair_from_the_other_formats() -> None:
    for head in (b"<?xml version='1.0'?><a/>", b'{"id": 1}', b"declaration_id,tariff_code\n", b""):
        assert not looks_like_catair(head)
    sample = (DATA / "two-entries.ae").read_bytes()
    assert looks_like_catair(b"\xef\xbb\xbf\n\n" + sample.replace(b"\n", b"\r\n"))
    assert not looks_like_catair(b"  " + sample)


@given(
    digits=st.from_regex(r" {0,3}[0-9]{1,9}", fullmatch=True) | st.text(max_size=12),
    places=st.sampled_from([0, 2]),
)
def test_amounts_read_as_text_are_the_numbers_with_implied_decimals(
    digits: str, places: int
) -> None:
    """The reader gives an amount as the text of its number (the columns and the model
    parse it): the same Decimal, exponent included, as `_implied` makes of the digits;
    a field that is not a number is kept as given."""
    raw = digits.rjust(12)
    text = _whole_text(raw, places)
    given_number = _number(raw)
    if given_number is None:
        assert text is None
    elif isinstance(given_number, str):
        assert isinstance(text, _Invalid) and text.given == given_number
    else:
        assert isinstance(text, str)
        expected = _implied(given_number, places) if places else Decimal(given_number)
        assert Decimal(text).as_tuple() == expected.as_tuple()
