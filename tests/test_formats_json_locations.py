"""alcheck JSON: each value read is placed at the line of its key and its JSON pointer
(RFC 6901), and every finding about it names that place, in the API and the reports.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import alcheck
from alcheck.errors import InputError
from alcheck.formats import model_batches
from alcheck.formats.alcheck_json import MAX_DEPTH, loose_json_bytes, read_json_bytes
from alcheck.gateway import ScreenedBatch, Screening
from checking import BUILTIN_ONLY

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# The alcheck these tests import, for the command line run in a child process.
PACKAGE_ROOT = Path(alcheck.__file__).resolve().parent.parent


def resolve(doc: Any, pointer: str) -> Any:
    """Return the value a JSON pointer (RFC 6901) names in a parsed document."""
    if pointer == "":
        return doc
    assert pointer.startswith("/"), pointer
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        doc = doc[int(token)] if isinstance(doc, list) else doc[token]
    return doc


def line_of(text: str, snippet: str, nth: int = 0) -> int:
    """Return the line of the nth occurrence of `snippet` in `text`."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(snippet, at + 1)
    return text.count("\n", 0, at) + 1


def read(text: str, name: str = "x.json") -> list[alcheck.Declaration]:
    return list(read_json_bytes(text.encode("utf-8"), name))


def item(**values: Any) -> dict[str, Any]:
    good = {
        "line": 1, "tariff_declared": "7606.12.3090", "description": "sheet", "origin": "CA",
        "net_mass_kg": "100", "value": "400", "currency": "USD",
    }  # fmt: skip
    return good | values


def declaration(ident: str, *items: dict[str, Any], **values: Any) -> dict[str, Any]:
    head = {"id": ident, "jurisdiction": "US", "entry_date": "2026-01-05"}
    return head | values | {"items": list(items)}


# A broker's file: two declarations, findings on different items and lines.
BROKER = [
    declaration("A", item(origin="ZZ"), item(line=2, net_mass_kg="abc", tariff_declared="7608100")),
    declaration("B", item(export_country="QQ"), entry_date="soon"),
]


def test_findings_on_different_items_name_their_own_lines_and_pointers() -> None:
    text = json.dumps(BROKER, indent=2)
    decls = read(text, "broker.json")
    found = {
        (f.rule_id, f.declaration_id, f.field): f.location
        for decl in decls
        for f in alcheck.validate(decl, rules=BUILTIN_ONLY)
    }
    expected = {
        ("CAT-COUNTRY", "A", "items[1].origin"): ("/0/items/0/origin", '"origin": "ZZ"'),
        ("SYN-VALUE", "A", "items[2].net_mass_kg"): ("/0/items/1/net_mass_kg", '"abc"'),
        ("CAT-TARIFF", "A", "items[2].tariff_declared"): ("/0/items/1/tariff_declared", "7608100"),
        ("CAT-COUNTRY", "B", "items[1].export_country"): ("/1/items/0/export_country", '"QQ"'),
        ("SYN-VALUE", "B", "entry_date"): ("/1/entry_date", '"soon"'),
        ("STR-UNDATED", "B", "entry_date"): ("/1/entry_date", '"soon"'),
    }
    assert set(found) == set(expected)
    parsed = json.loads(text)
    for key, (pointer, snippet) in expected.items():
        place = found[key]
        assert place is not None and place.file == "broker.json", key
        assert (place.line, place.path) == (line_of(text, snippet), pointer), key
        assert resolve(parsed, pointer) is not None
    assert len({p.line for p in found.values() if p is not None}) == len(expected) - 1
    assert resolve(parsed, "/0/items/1/net_mass_kg") == "abc"


def test_an_item_without_a_finding_keeps_the_place_of_each_value() -> None:
    text = json.dumps(BROKER, indent=2)
    (first, _) = read(text)
    second = first.items[1]
    assert second.location is not None
    assert (second.location.line, second.location.path) == (line_of(text, "{", 2), "/0/items/1")
    assert second.sources["value"].line == line_of(text, '"value": "400"', 1)
    assert second.where("hs6") == second.location  # not read: where the item is


def test_rule_findings_name_the_line_and_pointer_of_their_field() -> None:
    path = EXAMPLES / "us-bad-codes.json"
    text = path.read_text(encoding="utf-8")
    parsed = json.loads(text)
    (decl,) = read(text, str(path))
    ruled = [f for f in alcheck.validate(decl) if f.pack != "builtin"]
    assert ruled, "the bundled packs find something in us-bad-codes.json"
    for f in ruled:
        head, name = (f.field or "").split(".", 1)  # items[N].FIELD
        position = int(head.removeprefix("items[").removesuffix("]")) - 1
        assert f.location is not None
        assert f.location.path == f"/items/{position}/{name}"
        value = resolve(parsed, f.location.path)
        assert f.location.line == line_of(text, f'"{name}": {json.dumps(value)}')


def test_unknown_repeated_and_given_keys_name_their_own_lines() -> None:
    data = declaration("K", item(colour="red", **{"a/b~c": 1}, unread={"shade": "blue"}))
    data["location"] = {"file": "elsewhere.json", "line": 9}
    text = json.dumps(data, indent=2).replace(
        '"origin": "CA",', '"origin": "CA",\n      "origin": "RU",'
    )
    (decl,) = read(text)
    unknown = {
        f.field: f.location
        for f in alcheck.validate(decl, rules=BUILTIN_ONLY)
        if f.rule_id == "SYN-UNKNOWN"
    }
    expected = {
        "location": ("/location", '"location"'),
        "items[1].colour": ("/items/0/colour", '"colour"'),
        "items[1].a/b~c": ("/items/0/a~1b~0c", '"a/b~c"'),
        "items[1].origin (repeated)": ("/items/0/origin", '"origin": "RU"'),
        "items[1].shade": ("/items/0/unread/shade", '"shade"'),
    }
    assert set(unknown) == set(expected)
    for field, (pointer, snippet) in expected.items():
        place = unknown[field]
        assert place is not None and (place.line, place.path) == (line_of(text, snippet), pointer)
    assert resolve(json.loads(text), "/items/0/a~1b~0c") == 1


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_keys_and_values_with_escapes_are_placed_too(ensure_ascii: bool) -> None:
    weird = item(description='a "quoted" \\ déjà vu\n', origin="ZZ", **{"clé\t": "x"})
    text = json.dumps([declaration("E", weird)], indent=2, ensure_ascii=ensure_ascii)
    (decl,) = read(text)
    places = decl.items[0].sources
    assert places["origin"].line == line_of(text, '"origin"')
    assert places["clé\t"].line == line_of(text, json.dumps("clé\t", ensure_ascii=ensure_ascii))
    assert resolve(json.loads(text), places["clé\t"].path or "") == "x"


def test_json_lines_place_values_on_their_record_line() -> None:
    records = [declaration("L1", item()), declaration("L2", item(), item(origin="ZZ"))]
    text = "\n".join(json.dumps(r) for r in records) + "\n"
    decls = read(text, "x.jsonl")
    (bad,) = [f for f in alcheck.validate(decls[1], rules=BUILTIN_ONLY)]
    assert bad.location is not None and (bad.location.line, bad.location.path) == (
        2,
        "#2/items/1/origin",
    )
    assert decls[0].sources["id"].line == 1 and decls[0].sources["id"].path == "#1/id"


def test_a_single_object_is_the_whole_document() -> None:
    text = "\n\n" + json.dumps(declaration("S", item(origin="ZZ")), indent=2)
    (decl,) = read(text)
    assert decl.location is not None and (decl.location.line, decl.location.path) == (3, "")
    assert decl.items[0].sources["origin"].path == "/items/0/origin"
    assert decl.items[0].sources["origin"].line == line_of(text, '"origin"')


def test_placed_models_equal_validated_ones_and_pickle() -> None:
    for decl in read(json.dumps(BROKER, indent=2)):
        assert alcheck.Declaration.model_validate(decl.model_dump()) == decl
        assert pickle.loads(pickle.dumps(decl)) == decl
        assert decl.items[0].model_fields_set >= {"sources", "location"}


def _screened(batches: Any) -> list[alcheck.Finding]:
    screening = Screening.of_call(None, dt.date(2026, 6, 1), None, "en", (), (), None)
    return [f for batch in batches for f in ScreenedBatch(batch, screening).findings()]


@pytest.mark.parametrize("case", ["broker", "unknown", "example"])
def test_the_loose_data_laid_out_as_columns_names_the_places_the_models_do(case: str) -> None:
    if case == "example":
        text = (EXAMPLES / "us-bad-codes.json").read_text(encoding="utf-8")
    elif case == "unknown":
        text = json.dumps([declaration("U", item(colour="red"), item(origin="ZZ"))], indent=2)
    else:
        text = json.dumps(BROKER, indent=2)
    raw = text.encode("utf-8")
    from_models = _screened(model_batches(read_json_bytes(raw, "x.json"), "x.json"))
    from_loose = _screened(model_batches(loose_json_bytes(raw, "x.json"), "x.json"))
    assert from_loose == from_models and len(from_models) >= 3
    assert all(f.location is not None and f.location.path for f in from_models)


# Bad input: an InputError naming the file and the line, as before.


def test_a_syntax_error_inside_an_item_names_its_line() -> None:
    text = json.dumps(BROKER, indent=2).replace('"origin": "ZZ",', '"origin": "ZZ"')
    with pytest.raises(InputError) as caught:
        read(text, "broken.json")
    error = caught.value
    assert error.file == "broken.json" and error.line == line_of(text, '"origin": "ZZ"') + 1
    assert "not valid JSON" in error.reason


def test_deep_nesting_inside_an_item_names_the_line_it_goes_too_deep() -> None:
    deep = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    text = json.dumps(BROKER, indent=2).replace('"origin": "ZZ"', f'"origin": \n{deep}')
    with pytest.raises(InputError) as caught:
        read(text, "deep.json")
    assert caught.value.line == line_of(text, deep) and "nested" in caught.value.reason


def test_an_unpaired_surrogate_in_an_item_is_an_error() -> None:
    text = json.dumps(BROKER, indent=2).replace('"ZZ"', '"\\udc00"')
    with pytest.raises(InputError) as caught:
        read(text, "s.json")
    assert caught.value.line is not None and "surrogate" in caught.value.reason


# Properties: the line is where json.dumps(indent=2) put the key; the pointer names it.

_SPECIAL = {"location", "sources", "unread", "invalid", "kept", "items"}
_keys = st.one_of(
    st.sampled_from(["origin", "net_mass_kg", "line", "documents", "currency", "x/y", "~0"]),
    st.text(max_size=6),
).filter(lambda k: k not in _SPECIAL)
_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.text(max_size=8),
    st.floats(allow_nan=False, allow_infinity=False),
)  # fmt: skip
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
    max_leaves=6,
)
_items = st.lists(st.dictionaries(_keys, _values, max_size=6), max_size=4)
_heads = st.dictionaries(_keys, _values, max_size=4)
SENTINEL = "\x00sentinel\x00"


def _dumped_line(doc: Any, where: list[Any], ensure_ascii: bool) -> int:
    """Return the line json.dumps(indent=2) puts the key at `where` on: the line its value
    starts on, found by putting a sentinel there."""
    copy = json.loads(json.dumps(doc))
    holder = copy
    for step in where[:-1]:
        holder = holder[step]
    holder[where[-1]] = SENTINEL
    text = json.dumps(copy, indent=2, ensure_ascii=ensure_ascii)
    return text.count("\n", 0, text.index(json.dumps(SENTINEL)[1:-1])) + 1


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(head=_heads, items=_items, ensure_ascii=st.booleans(), in_array=st.booleans())
def test_each_value_is_placed_where_json_dumps_put_its_key(
    head: dict[str, Any], items: list[dict[str, Any]], ensure_ascii: bool, in_array: bool
) -> None:
    data = {**head, "items": items}
    doc: Any = [data] if in_array else data
    text = json.dumps(doc, indent=2, ensure_ascii=ensure_ascii)
    (decl,) = read(text)
    root: list[Any] = [0] if in_array else []
    prefix = "/0" if in_array else ""
    parsed = json.loads(text)
    for key in data:
        place = decl.sources[key]
        assert place.path == f"{prefix}/{_escape(key)}"
        assert place.line == _dumped_line(doc, [*root, key], ensure_ascii)
        assert resolve(parsed, place.path) == data[key]
    assert len(decl.items) == len(items)
    for i, (got, given_item) in enumerate(zip(decl.items, items, strict=True)):
        assert got.location is not None and got.location.path == f"{prefix}/items/{i}"
        assert set(got.sources) == set(given_item)
        for key, place in got.sources.items():
            assert place.path == f"{prefix}/items/{i}/{_escape(key)}"
            assert place.line == _dumped_line(doc, [*root, "items", i, key], ensure_ascii)
            assert resolve(parsed, place.path) == given_item[key]


# The command line's reports.


def _run(path: Path, fmt: str) -> str:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE_ROOT), env.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, "-m", "alcheck", "check", str(path), "--format", fmt, "--fail-on", "never"],
        capture_output=True, text=True, check=False, cwd=path.parent, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_command_line_reports_name_each_findings_line_and_pointer(tmp_path: Path) -> None:
    path = tmp_path / "broker.json"
    text = json.dumps(BROKER, indent=2)
    path.write_text(text, encoding="utf-8")
    expected = {
        ("A", "items[1].origin"): (line_of(text, '"ZZ"'), "/0/items/0/origin"),
        ("A", "items[2].net_mass_kg"): (line_of(text, '"abc"'), "/0/items/1/net_mass_kg"),
        ("B", "entry_date"): (line_of(text, '"soon"'), "/1/entry_date"),
    }
    report = json.loads(_run(path, "json"))
    found = {
        (f["declaration_id"], f["field"]): (f["location"]["line"], f["location"]["path"])
        for entry in report["inputs"]
        for d in entry["declarations"]
        for f in d["findings"]
    }
    assert {k: found.get(k) for k in expected} == expected
    lines = {line for line, _ in expected.values()}
    sarif = json.loads(_run(path, "sarif"))
    starts = {
        loc["physicalLocation"]["region"]["startLine"]
        for result in sarif["runs"][0]["results"]
        for loc in result["locations"]
    }
    assert lines <= starts
    rows = list(csv.reader(io.StringIO(_run(path, "csv").lstrip("\ufeff"))))
    assert lines <= {int(row[1]) for row in rows[1:] if row[1]}
    concise = _run(path, "concise")
    assert all(f"broker.json:{line}: " in concise for line in lines)
