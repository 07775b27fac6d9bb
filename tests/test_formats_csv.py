"""The CSV reader: columns, grouping, delimiters, BOM, unknown columns, encodings."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from alcheck import InputError, NotADeclarationError
from alcheck.formats import read, read_csv
from alcheck.gateway import builtin_findings

CSV = (
    "declaration_id,jurisdiction,entry_date,regime,importer,item_line,tariff_code,origin,"
    "smelt1,net_kg,value,currency,documents,additional_codes,colour\n"
    "A,US,2026-03-01,consumption,Imp,1,7601.10.00,CA,CA,1000,5000,USD,AIM:123;COA[X]:M1,"
    "99038567;9903.85.68,red\n"
    "B,CA,2026-03-02,,Other,1,76011000,US,UN,12,,,GIP:83,,blue\n"
    "A,US,2026-03-01,consumption,Imp,2,76012000,CN,RU,abc,7,USD,,,green\n"
)


def test_rows_group_by_declaration_in_first_seen_order(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(CSV, encoding="utf-8")
    a, b = read_csv(path)
    assert (a.id, b.id) == ("A", "B")
    assert [i.line for i in a.items] == [1, 2] and [i.line for i in b.items] == [1]
    first = a.items[0]
    assert first.tariff_declared == "7601.10.00" and first.tariff_code == "76011000"
    assert first.additional_codes == ("99038567", "99038568")
    assert [(d.type, d.id, d.category) for d in first.documents] == [
        ("AIM", "123", None),
        ("COA", "M1", "X"),
    ]
    assert first.net_mass_kg == Decimal(1000) and first.smelt1 == "CA"
    assert a.items[1].invalid == {"net_mass_kg": "abc"}
    assert b.items[0].smelt1 == "UN" and b.documents == ()
    assert first.unread == {"colour": "red"}
    where = a.items[1].sources["net_mass_kg"]
    assert (where.file, where.line, where.path) == (str(path), 4, "row 4, column net_kg")
    findings = {f.rule_id for f in builtin_findings(a)}
    assert {"SYN-UNKNOWN", "SYN-VALUE"} <= findings


def test_semicolons_bom_and_quoted_newlines() -> None:
    text = CSV.replace(",", ";").replace(";AIM:123;COA[X]:M1;", ';"AIM:123;COA[X]:M1";')
    text = text.replace('"AIM', '"AIM').replace("99038567;9903.85.68", '"99038567;9903.85.68"')
    text = text.replace("GIP:83;", "GIP:83;")
    data = ("\ufeff" + text).encode("utf-8")
    a, b = read(io.BytesIO(data))
    assert a.items[0].additional_codes == ("99038567", "99038568")
    assert [d.type for d in a.items[0].documents] == ["AIM", "COA"]
    multi = b'declaration_id,description,origin\nX,"two\nlines",US\nX,plain,ZN\n'
    (decl,) = read(io.BytesIO(multi))
    assert decl.items[0].description == "two\nlines"
    assert decl.items[1].sources["origin"].line == 4  # the physical line, after the break
    assert any(f.rule_id == "CAT-COUNTRY" for f in builtin_findings(decl))


def test_not_utf8_names_the_line() -> None:
    data = CSV.encode("utf-8") + "C,US,,,Müller,1\n".encode("latin-1")
    with pytest.raises(InputError) as info:
        list(read(io.BytesIO(data), format="csv"))
    assert info.value.line == 5


def test_header_without_known_columns_is_not_a_declaration() -> None:
    with pytest.raises(NotADeclarationError):
        list(read(io.BytesIO(b"a,b,c\n1,2,3\n"), format="csv"))
    with pytest.raises(NotADeclarationError):
        list(read(io.BytesIO(b"declaration_id,origin\n"), format="csv"))


def test_rows_without_id_are_declarations_of_their_own() -> None:
    data = b"declaration_id,item_line,origin\n,1,US\n,2,CA\n"
    decls = list(read(io.BytesIO(data)))
    assert [[i.line for i in d.items] for d in decls] == [[1], [2]]


def test_extra_cells_beyond_the_header_are_reported() -> None:
    data = b"declaration_id,item_line\nA,1,surprise\n"
    (decl,) = read(io.BytesIO(data))
    assert decl.items[0].unread == {"column 3": "surprise"}
