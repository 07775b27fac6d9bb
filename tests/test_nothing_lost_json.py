"""alcheck JSON: every entry and line read, bad ones named by their line, nothing taken
from the input that alcheck works out itself (items 3, 4, 6 of "Nothing lost, no
traceback, no hang").
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import alcheck
from alcheck.errors import AlcheckError, InputError, NotADeclarationError
from alcheck.formats import read, write_json
from alcheck.formats.alcheck_json import read_json_bytes
from checking import BUILTIN_ONLY, checked


def declaration(ident: str, **item: Any) -> dict[str, Any]:
    good = {
        "line": 1, "tariff_declared": "7606.12.3090", "description": "sheet", "origin": "CA",
        "net_mass_kg": "100", "value": "400", "currency": "USD",
    }  # fmt: skip
    return {
        "id": ident, "jurisdiction": "US", "entry_date": "2026-01-05", "regime": "consumption",
        "items": [good | item],
    }  # fmt: skip


def read_all(text: str, name: str = "t.json") -> tuple[list[alcheck.Declaration], Exception | None]:
    """Read JSON text: the declarations given before an error, and the error."""
    got: list[alcheck.Declaration] = []
    try:
        for decl in read_json_bytes(text.encode("utf-8"), name):
            got.append(decl)
    except AlcheckError as exc:
        return got, exc
    return got, None


def findings(decl: alcheck.Declaration) -> list[tuple[str, str | None, str | None]]:
    return [(f.rule_id, f.field, f.value) for f in alcheck.validate(decl, rules=BUILTIN_ONLY)]


# 3. Arrays, JSON Lines and their line numbers.


def test_a_non_object_entry_is_an_error_and_both_neighbours_are_read() -> None:
    text = "[\n" + json.dumps(declaration("A")) + ",\n5,\n" + json.dumps(declaration("C")) + "\n]"
    got, error = read_all(text)
    assert [d.id for d in got] == ["A", "C"]
    assert isinstance(error, InputError) and not isinstance(error, NotADeclarationError)
    assert error.line == 3 and "entry /1 is a number" in error.reason
    assert [d.location.line for d in got if d.location] == [2, 4]


def test_a_syntax_error_in_an_array_keeps_the_entries_before_it() -> None:
    text = "[\n" + json.dumps(declaration("A")) + ',\n{"id": }\n]'
    got, error = read_all(text)
    assert [d.id for d in got] == ["A"]
    assert isinstance(error, InputError) and error.line == 3


def test_a_garbage_line_in_json_lines_is_named_and_the_others_read() -> None:
    lines = [json.dumps(declaration("L1")), "garbage", json.dumps(declaration("L3")), "[1]"]
    got, error = read_all("\n".join(lines), "t.jsonl")
    assert [d.id for d in got] == ["L1", "L3"]
    assert isinstance(error, InputError) and error.line == 2
    assert "line(s) 4" in error.reason


def test_json_lines_whose_first_line_is_garbage() -> None:
    lines = ['{"id": broken', json.dumps(declaration("L2")), json.dumps(declaration("L3"))]
    got, error = read_all("\n".join(lines))
    assert [d.id for d in got] == ["L2", "L3"]
    assert isinstance(error, InputError) and error.line == 1


def test_a_multi_line_object_whose_lines_start_with_a_brace_is_one_declaration() -> None:
    text = '{"id": "M", "jurisdiction": "US", "importer":\n{"name": "Acme", "id": "I-1"}}\n'
    got, error = read_all(text)
    assert error is None and [d.id for d in got] == ["M"]
    assert got[0].importer is not None and got[0].importer.name == "Acme"


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1c"])
def test_json_lines_split_on_newlines_only(separator: str) -> None:
    first = declaration("S1")
    first["items"][0]["description"] = f"sheet{separator}coil"
    lines = [json.dumps(first, ensure_ascii=False), json.dumps(declaration("S2"))]
    got, error = read_all("\n".join(lines))
    assert error is None and [d.id for d in got] == ["S1", "S2"]
    assert got[0].items[0].description == f"sheet{separator}coil"
    assert [d.location.line for d in got if d.location] == [1, 2]


def test_empty_input_and_an_empty_array_hold_no_declaration() -> None:
    for text in ("", "  \n", "\ufeff", "[]", " [ ]\n"):
        got, error = read_all(text)
        assert got == [] and isinstance(error, NotADeclarationError), repr(text)
    # Detected, not forced: the same.
    for data in (b"", b"\n\n", b"[]"):
        with pytest.raises(NotADeclarationError):
            list(read(io.BytesIO(data)))


def test_the_command_line_notes_empty_files_as_the_docs_say(tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "array.json").write_text("[]\n", encoding="utf-8")
    for name in ("empty.json", "array.json"):
        result = checked(str(tmp_path / name))
        assert result.error is None and result.note is not None and not result.declarations


# 4. Duplicate keys and forged locations.


def test_a_repeated_key_is_a_finding_not_last_wins() -> None:
    text = json.dumps(declaration("D")).replace('"origin": "CA"', '"origin": "CA", "origin": "RU"')
    (decl,) = read_all(text)[0]
    assert decl.items[0].origin == "CA"
    assert decl.items[0].unread == {"origin (repeated)": "RU"}
    assert ("SYN-UNKNOWN", "items[1].origin (repeated)", "RU") in findings(decl)


def test_a_repeated_declaration_key_is_a_finding() -> None:
    text = json.dumps(declaration("D")).replace('"id": "D"', '"id": "D", "id": "E"')
    (decl,) = read_all(text)[0]
    assert decl.id == "D" and decl.unread == {"id (repeated)": "E"}


def test_location_and_sources_come_from_where_alcheck_read_them() -> None:
    data = declaration("F")
    data["location"] = {"file": "elsewhere.xml", "line": 999, "path": "/x"}
    data["sources"] = {"id": {"file": "elsewhere.xml", "line": 7}}
    data["items"][0]["location"] = {"file": "elsewhere.xml", "line": 5}
    data["items"][0]["sources"] = {"origin": {"file": "elsewhere.xml", "line": 6}}
    data["items"][0]["origin"] = "ZZ"
    (decl,) = read_all("\n\n" + json.dumps(data), "real.json")[0]
    assert decl.location is not None and decl.location.file == "real.json"
    # The places of the values are the reader's own (the line and pointer of each key).
    assert decl.location.line == 3 and decl.sources["id"].path == "/id"
    item = decl.items[0]
    assert item.location is not None and item.location.file == "real.json"
    assert item.sources["origin"].path == "/items/0/origin"
    assert item.sources["sources"].path == "/items/0/sources"
    places = [*decl.sources.values(), *item.sources.values()]
    assert {(p.file, p.line) for p in places} == {("real.json", 3)}
    assert set(decl.unread) == {"location", "sources"} and set(item.unread) == {
        "location",
        "sources",
    }
    found = alcheck.validate(decl, rules=BUILTIN_ONLY)
    assert all(f.location is not None and f.location.file == "real.json" for f in found)
    assert {f.field for f in found if f.rule_id == "SYN-UNKNOWN"} == {
        "location", "sources", "items[1].location", "items[1].sources",
    }  # fmt: skip


def test_alcheck_json_does_not_write_where_values_were_read() -> None:
    (decl,) = read(Path(__file__).resolve().parent.parent / "examples" / "us-clean.json")
    out = io.StringIO()
    write_json([decl], out)
    assert '"location"' not in out.getvalue() and '"sources"' not in out.getvalue()
    (back,) = read_all(out.getvalue())[0]
    assert back.unread == {} and back.items[0].unread == {}


# 6. Wrong-typed kept maps, deep nesting, numbers past the digit limit.


@pytest.mark.parametrize(
    "kept",
    [5, "text", [1, 2], {"net_mass_kg": 5}, {"a": {"b": [1]}}, None, {"x": None}, True],
)
def test_wrong_typed_invalid_and_unread_are_reported(kept: Any) -> None:
    for key in ("invalid", "unread"):
        for where in ("declaration", "item"):
            data = declaration("W")
            (data if where == "declaration" else data["items"][0])[key] = kept
            (decl,) = read_all(json.dumps(data))[0]
            list(alcheck.validate(decl, rules=BUILTIN_ONLY))
            held = decl if where == "declaration" else decl.items[0]
            if kept is not None:
                assert held.invalid or held.unread, (key, where, kept)
            # With a value of the wrong type and an unknown key beside it.
            (data if where == "declaration" else data["items"][0]).update(
                {"net_mass_kg": "abc", "entry_date": "soon", "colour": "red"}
            )
            (decl,) = read_all(json.dumps(data))[0]
            held = decl if where == "declaration" else decl.items[0]
            assert "colour" in held.unread and held.invalid, (key, where, kept)
            list(alcheck.validate(decl, rules=BUILTIN_ONLY))


def test_deep_nesting_is_an_error_naming_its_line() -> None:
    from alcheck.formats.alcheck_json import MAX_DEPTH

    deep = "[" * (MAX_DEPTH + 10) + "]" * (MAX_DEPTH + 10)
    text = '{"id": "N",\n"extra":\n' + deep + "}"
    got, error = read_all(text)
    assert got == [] and isinstance(error, InputError) and error.line == 3
    assert "nested more than" in error.reason


def test_very_deep_nesting_is_an_error_not_a_recursion_error() -> None:
    deep = "[" * 200_000 + "]" * 200_000
    for text in ('{"id": "N", "x": ' + deep + "}", "[" + deep + "]", deep):
        got, error = read_all(text)
        assert got == [] and isinstance(error, InputError), text[:40]


def test_an_unpaired_surrogate_is_an_error_on_its_line() -> None:
    text = (
        json.dumps(declaration("A"))
        + "\n"
        + json.dumps(declaration("B")).replace('"sheet"', '"sh\\ud800eet"')
    )
    got, error = read_all(text)
    assert [d.id for d in got] == ["A"]
    assert isinstance(error, InputError) and error.line == 2 and "surrogate" in error.reason


@pytest.mark.parametrize("field", ["line", "net_mass_kg", "value", "id", "description"])
def test_integers_past_the_digit_limit_are_kept_as_given(field: str) -> None:
    data = declaration("I")
    target = data if field == "id" else data["items"][0]
    target[field] = "__BIG__"
    text = json.dumps(data).replace('"__BIG__"', "1" * 5000)
    (decl,) = read_all(text)[0]
    held = decl if field == "id" else decl.items[0]
    assert "1" * 5000 in held.invalid.values()
    assert any(f.rule_id == "SYN-VALUE" for f in alcheck.validate(decl, rules=BUILTIN_ONLY))


# The property: findings or a clear error naming file and line, and every readable
# declaration reported.

ENTRY = st.one_of(
    st.builds(lambda k: ("ok", declaration(f"E{k}")), st.integers(0, 10**6)),
    st.sampled_from(
        [
            ("bad", "5"),
            ("bad", '"text"'),
            ("bad", "null"),
            ("bad", "[1, 2]"),
            ("bad", "true"),
            ("junk", "{"),
            ("junk", '{"id": }'),
            ("junk", "garbage"),
            ("junk", '{"a": 1 x}'),
        ]
    ),  # fmt: skip
)


def _text_of(entry: tuple[str, Any]) -> str:
    return json.dumps(entry[1]) if entry[0] == "ok" else str(entry[1])


def _value(line: str) -> tuple[bool, Any]:
    try:
        return True, json.loads(line)
    except ValueError:
        return False, None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=st.lists(ENTRY, min_size=1, max_size=8), blank=st.booleans())
def test_json_lines_every_readable_line_reported(
    entries: list[tuple[str, Any]], blank: bool
) -> None:
    lines = [_text_of(e) for e in entries]
    if blank:
        lines.insert(len(lines) // 2, "")
    text = "\n".join(lines) + "\n"
    got, error = read_all(text, "p.jsonl")
    given_lines = [line for line in lines if line]
    first_is_value, _ = _value(given_lines[0])
    second = _value(given_lines[1]) if len(given_lines) > 1 else (False, None)
    as_lines = len(given_lines) > 1 and (
        first_is_value or (second[0] and isinstance(second[1], dict))
    )  # the documented rule (docs/formats.md)
    if not as_lines:
        # One document: its declaration, or an error on a line; nothing else read.
        if entries[0][0] == "ok" and len(given_lines) == 1:
            assert [d.id for d in got] == [entries[0][1]["id"]] and error is None
        else:
            assert got == [] and isinstance(error, InputError) and error.file == "p.jsonl"
            assert error.line is not None and 1 <= error.line <= len(lines) + 1  # the end
        return
    wanted = [e[1]["id"] for e in entries if e[0] == "ok"]
    bad_lines = [n for n, line in enumerate(lines, 1) if line and not line.startswith('{"id": "E')]
    assert [d.id for d in got] == wanted
    if bad_lines:
        assert isinstance(error, InputError) and error.file == "p.jsonl"
        assert error.line == bad_lines[0], (lines, error)
    else:
        assert error is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=st.lists(ENTRY, max_size=8), pretty=st.booleans())
def test_json_arrays_every_entry_before_a_syntax_error_reported(
    entries: list[tuple[str, Any]], pretty: bool
) -> None:
    sep = ",\n" if pretty else ", "
    text = "[" + ("\n" if pretty else "") + sep.join(_text_of(e) for e in entries) + "]"
    got, error = read_all(text, "p.json")
    junk = next((k for k, e in enumerate(entries) if e[0] == "junk"), len(entries))
    wanted = [e[1]["id"] for e in entries[:junk] if e[0] == "ok"]
    assert [d.id for d in got] == wanted
    if junk < len(entries) or any(e[0] == "bad" for e in entries):
        assert isinstance(error, InputError) and error.file == "p.json"
        assert error.line is not None and error.line >= 1
    elif not entries:
        assert isinstance(error, NotADeclarationError)
    else:
        assert error is None
