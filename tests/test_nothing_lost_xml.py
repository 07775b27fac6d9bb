"""WCO XML: nothing in a declaration passed over without a word, on both reading paths,
and reading a big declaration in linear time (items 4, 6 and 9 of "Nothing lost, no
traceback, no hang").
"""

from __future__ import annotations

import cProfile
import importlib
import io
import pstats
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import alcheck
import alcheck.formats.wco_columns as wco_columns
from alcheck.errors import InputError
from alcheck.formats import write_wco_xml
from alcheck.formats.wco_columns import read_wco_columns
from alcheck.model import lenient_declaration
from checking import BUILTIN_ONLY, checked

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from test_gateway import _assert_columns_equal_models, _assert_same_findings  # noqa: E402

HEAD = (
    '<md:MetaData xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2" '
    'xmlns="urn:wco:datamodel:WCO:DEC-DMS:2">'
    "<md:ResponsibleCountryCode>US</md:ResponsibleCountryCode>"
)


def item(seq: int | str, inner: str = "", origins: str = "") -> str:
    origins = origins or "<Origin><CountryCode>CA</CountryCode><TypeCode>1</TypeCode></Origin>"
    return (
        f"<GovernmentAgencyGoodsItem><SequenceNumeric>{seq}</SequenceNumeric>"
        "<Commodity><Description>sheet</Description><Classification><ID>7606123090</ID>"
        "<IdentificationTypeCode>TSP</IdentificationTypeCode></Classification></Commodity>"
        f"{origins}{inner}</GovernmentAgencyGoodsItem>"
    )


def declaration(ident: str, items: str, header: str = "", after: str = "") -> str:
    return (
        f"{HEAD}<Declaration><FunctionalReferenceID>{ident}</FunctionalReferenceID>{header}"
        f"<GoodsShipment>{items}</GoodsShipment>{after}</Declaration></md:MetaData>"
    )


def write(path: Path, *decls: str) -> Path:
    body = "\n".join(decls)
    path.write_text(f'<?xml version="1.0"?>\n<Batch>\n{body}\n</Batch>\n', encoding="utf-8")
    return path


def unknown_findings(path: Path) -> list[tuple[str | None, str | None, int | None]]:
    found = alcheck.validate(alcheck.read(path), rules=BUILTIN_ONLY, select=["SYN-UNKNOWN"])
    return [(f.field, f.value, f.location.line if f.location else None) for f in found]


def both_paths_agree(path: Path) -> None:
    """The gateway's findings and columns equal the models', with every rule pack too."""
    _assert_same_findings(path)
    _assert_same_findings(path, rules=BUILTIN_ONLY)
    _assert_columns_equal_models(path)


# 4. What the XML holds is read or reported.


def test_a_later_smelt_of_the_same_kind_is_reported_on_both_paths(tmp_path: Path) -> None:
    origins = (
        "<Origin><CountryCode>CA</CountryCode><TypeCode>1</TypeCode></Origin>"
        "<Origin><CountryCode>CA</CountryCode><TypeCode>CLS</TypeCode></Origin>"
        "<Origin><CountryCode>RU</CountryCode><TypeCode>CLS</TypeCode></Origin>"
    )
    path = write(tmp_path / "smelt.xml", declaration("S", item(1, origins=origins)))
    (decl,) = alcheck.read(path)
    assert decl.items[0].smelt1 == "CA"
    assert decl.items[0].unread == {"Origin[3]": "RU CLS"}
    assert unknown_findings(path) == [("items[1].Origin[3]", "RU CLS", 3)]
    both_paths_agree(path)


def test_a_second_shipment_commodity_and_a_nested_declaration_are_reported(
    tmp_path: Path,
) -> None:
    second_commodity = "<Commodity><Description>other</Description></Commodity>"
    nested = "<Declaration><FunctionalReferenceID>INNER</FunctionalReferenceID></Declaration>"
    path = write(
        tmp_path / "dropped.xml",
        declaration(
            "D",
            item(1, second_commodity) + item(2, nested),
            after=f"<GoodsShipment>{item(3)}</GoodsShipment>",
        ),  # fmt: skip
    )
    (decl,) = alcheck.read(path)
    assert [i.line for i in decl.items] == [1, 2]
    assert decl.unread == {"GoodsShipment[2]": "3 sheet 7606123090 TSP CA 1"}
    assert decl.items[0].unread == {"Commodity[2]": "other"}
    assert decl.items[1].unread == {"Declaration[1]": "INNER"}
    assert [f for f, _, _ in unknown_findings(path)] == [
        "GoodsShipment[2]", "items[1].Commodity[2]", "items[2].Declaration[1]",
    ]  # fmt: skip
    both_paths_agree(path)


def test_unknown_elements_are_reported_where_they_are(tmp_path: Path) -> None:
    origins = "<Origin><CountryCode>RU</CountryCode><Typecode>CLS</Typecode></Origin>"
    path = write(
        tmp_path / "unknown.xml",
        declaration(
            "U",
            item(1, "<SmeltCountry>RU</SmeltCountry>", origins),
            header="<Remark>see <b>annex</b></Remark>",
        ),  # fmt: skip
    )
    (decl,) = alcheck.read(path)
    assert decl.unread == {"Remark[1]": "see annex"}
    assert decl.items[0].unread == {"Origin/Typecode[1]": "CLS", "SmeltCountry[1]": "RU"}
    # The misspelt TypeCode made the Origin a country of origin: reported, not silent.
    assert decl.items[0].origin == "RU"
    assert {f for f, _, _ in unknown_findings(path)} == {
        "Remark[1]", "items[1].Origin/Typecode[1]", "items[1].SmeltCountry[1]",
    }  # fmt: skip
    both_paths_agree(path)


def test_the_vocabulary_holds_what_alcheck_writes(tmp_path: Path) -> None:
    """alcheck's own XML has nothing it does not read: no SYN-UNKNOWN on a round trip."""
    from alcheck.formats._wco_names import WCO_NAMES

    (decl,) = alcheck.read(ROOT / "examples" / "us-clean.json")
    out = io.BytesIO()
    write_wco_xml([decl], out)
    path = tmp_path / "own.xml"
    path.write_bytes(out.getvalue())
    assert unknown_findings(path) == []
    assert {"Origin", "TypeCode", "SequenceNumeric", "DateTimeString"} <= WCO_NAMES


@pytest.mark.cython
def test_the_compiled_reader_sees_the_same(tmp_path: Path) -> None:
    compiled = importlib.import_module("alcheck.formats._wcoitem")
    twin = importlib.import_module("alcheck.formats._wcoitem_py")
    origins = (
        "<Origin><CountryCode>CA</CountryCode><TypeCode>CLS</TypeCode></Origin>"
        "<Origin><CountryCode>RU</CountryCode><TypeCode>cls</TypeCode></Origin>"
    )
    cases = {
        "clean": declaration("C", item(1)),
        "origin": declaration("O", item(1, origins=origins)),
        "commodity": declaration("M", item(1, "<Commodity/>")),
        "unknown": declaration("U", item(1, "<X><Y/></X>")),
        "deep": declaration("P", item(1, "<Commodity><A>1</A></Commodity>")),
        "header": declaration("H", item(1), header="<Zzz/>"),
        "shipment": declaration("S", item(1), after="<GoodsShipment/>"),
        "nested": declaration("N", item(1), after="<Declaration/>"),
    }
    for name, text in cases.items():
        path = write(tmp_path / f"{name}.xml", text)
        got = [_read_with(compiled, path), _read_with(twin, path)]
        assert got[0] == got[1], name
        has_model = got[0][0].model[0] is not None
        assert has_model == (name != "clean"), name
        assert compiled.has_unknown is not None


def _read_with(kernel: ModuleType, path: Path) -> list[wco_columns.WcoColumns]:
    saved = wco_columns.item_kernel
    wco_columns.item_kernel = kernel
    try:
        return list(read_wco_columns(path))
    finally:
        wco_columns.item_kernel = saved


# 6. A line number past Python's digit limit, on both paths.


def test_a_sequence_number_of_5000_digits_is_a_finding_on_both_paths(tmp_path: Path) -> None:
    path = write(tmp_path / "seq.xml", declaration("Q", item("9" * 5000)))
    (decl,) = alcheck.read(path)
    assert decl.items[0].line is None and decl.items[0].invalid == {"line": "9" * 5000}
    fast = [f.rule_id for f in alcheck.screen_xml(path, rules=BUILTIN_ONLY)]
    assert "SYN-VALUE" in fast
    both_paths_agree(path)


# The property: every element a generated declaration holds is read or reported, the
# gateway agrees, and a cut file reports every declaration before the cut.

PIECES = st.sampled_from([
    "", "<Colour>red</Colour>",
    "<Origin><CountryCode>RU</CountryCode><TypeCode>CLS</TypeCode></Origin>",
    "<Origin><CountryCode>CN</CountryCode><TypeCode>1</TypeCode></Origin>",
    "<Origin><CountryCode>KZ</CountryCode><TypeCode>9</TypeCode></Origin>",
    "<Commodity><Description>x</Description></Commodity>",
    "<Declaration/>", "<AdditionalDocument><TypeCode>AIM</TypeCode><ID>1</ID></AdditionalDocument>",
    "<Agent><Name>known, not read</Name></Agent>",
])  # fmt: skip


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pieces=st.lists(st.lists(PIECES, max_size=3), min_size=1, max_size=4))
def test_generated_declarations_both_paths_agree(tmp_path: Path, pieces: list[list[str]]) -> None:
    items = "".join(item(k + 1, "".join(p)) for k, p in enumerate(pieces))
    path = write(tmp_path / "gen.xml", declaration("G", items))
    both_paths_agree(path)
    (decl,) = alcheck.read(path)
    for k, given_pieces in enumerate(pieces):
        unread = decl.items[k].unread
        # The item has an origin (1) already; its first smelt (CLS) is read.
        smelts = sum(1 for p in given_pieces if "TypeCode>CLS" in p)
        wanted = max(smelts - 1, 0) + sum(
            1 for p in given_pieces
            if p.startswith(("<Colour", "<Commodity", "<Declaration"))
            or "TypeCode>1<" in p or "TypeCode>9<" in p
        )  # fmt: skip
        assert len(unread) == wanted, (given_pieces, unread)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(count=st.integers(1, 8), at=st.floats(0, 1))
def test_a_cut_file_reports_every_declaration_before_the_cut(
    tmp_path: Path, count: int, at: float
) -> None:
    decls = [lenient_declaration({"id": f"X{k}", "jurisdiction": "US"}) for k in range(count)]
    out = io.BytesIO()
    write_wco_xml(decls, out)
    data = out.getvalue()
    cut = int(len(data) * at)
    path = tmp_path / "cut.xml"
    path.write_bytes(data[:cut])
    complete = data[:cut].count(b"</Declaration>")
    result = checked(str(path))
    assert [d.id for d in result.declarations] == [f"X{k}" for k in range(complete)]
    if cut < len(data.rstrip()):
        problem = result.error or result.note
        assert problem is not None and "alcheck failed" not in problem
        if result.error is not None:
            assert result.error_line is not None and result.error_line >= 1


# 9. Reading a big declaration is linear: the work per item does not grow with the items.


def _calls(path: Path) -> int:
    profile = cProfile.Profile()
    profile.enable()
    (decl,) = alcheck.read(path)
    profile.disable()
    assert decl.items
    return pstats.Stats(profile).total_calls  # type: ignore[attr-defined, no-any-return]


def test_the_work_of_reading_a_declaration_grows_linearly(tmp_path: Path) -> None:
    """Counted in function calls, not timed: the XPath of each value counted its preceding
    siblings, so 10k items took 23 s and 50k more than 600 s."""
    small = write(tmp_path / "small.xml", declaration("B", "".join(item(k) for k in range(500))))
    big = write(tmp_path / "big.xml", declaration("B", "".join(item(k) for k in range(2000))))
    per_item = _calls(small) / 500, _calls(big) / 2000
    assert per_item[1] < 1.2 * per_item[0], per_item


def test_a_reading_error_is_named_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(declaration("E", item(1)).replace("</Declaration>", "</Declaratio>"))
    with pytest.raises(InputError) as raised:
        list(alcheck.read(path))
    assert raised.value.file == str(path) and raised.value.line == 1


# 10. The gateway holds no batch's worth of findings or models.


def _peak_traced(path: Path) -> tuple[int, int]:
    import tracemalloc

    tracemalloc.start()
    try:
        count = sum(1 for _ in alcheck.screen_xml(path, rules=BUILTIN_ONLY))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_gateways_memory_does_not_grow_with_its_findings(tmp_path: Path) -> None:
    """Declarations with findings and unread input (each carrying its model): five times as
    many of them may not take five times the memory. A batch held every model and built-in
    finding of its 4,096 items (127 MiB against 9 MiB without findings)."""
    from alcheck.formats.wco_columns import MAX_MODELS

    bad = "<Colour>red</Colour><Remark>x</Remark><ExportCountry><ID>QQ</ID></ExportCountry>"
    bad += '<CustomsValueAmount currencyID="QQQ">-1</CustomsValueAmount>'
    origins = "".join(
        f"<Origin><CountryCode>ZZ</CountryCode><TypeCode>{kind}</TypeCode></Origin>"
        for kind in ("1", "2", "CLS", "C2S", "CRC")
    )
    wrong = item("x", bad, origins).replace("7606123090", "76")

    def dirty(n: int) -> Path:
        decls = (declaration(f"D{d}", wrong * 5) for d in range(n))
        return write(tmp_path / f"dirty{n}.xml", *decls)

    small, big = dirty(150), dirty(750)
    batches = list(read_wco_columns(big))
    assert all(sum(m is not None for m in b.model) <= MAX_MODELS for b in batches)
    (n_small, small_peak), (n_big, big_peak) = _peak_traced(small), _peak_traced(big)
    assert n_big == 5 * n_small and n_small >= 150 * 5 * 10
    assert big_peak < 1.5 * small_peak + (2 << 20), (small_peak >> 10, big_peak >> 10)


def test_declarations_just_before_a_syntax_error_are_given_first(tmp_path: Path) -> None:
    """A declaration read whole before a syntax error a few lines on is given before the
    error, on every XML path: models, columns, the CBSA CAD (lxml 6.2's iterparse dropped
    the events of the chunk holding the error, and the declarations they started)."""
    from alcheck.formats import read_carm

    def columns(path: Path) -> Iterator[object]:
        for batch in read_wco_columns(path):
            yield from batch.decl_id

    root = Path(__file__).resolve().parents[1] / "examples"
    for example, reader in (
        ("us-triggers.xml", alcheck.read),
        ("us-triggers.xml", columns),
        ("ca-triggers.cad.xml", read_carm),
    ):
        text = (root / example).read_text(encoding="utf-8")
        second = text.index("<Declaration>", text.index("<Declaration>") + 1)
        broken = tmp_path / f"broken-{example}"
        broken.write_text(text[:second] + "<Declaration><Oops></Declaration>" + text[second:])
        given: list[object] = []
        with pytest.raises(InputError) as err:
            for decl in reader(broken):  # type: ignore[operator]
                given.append(decl)
        assert len(given) == 1, (example, reader)
        assert err.value.line == text[:second].count("\n") + 1
