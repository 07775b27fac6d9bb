"""`validate(read(path))` checks a file as columns, without models, and finds what the
models would: `read` returns a `Reading` that `validate` and `iter_findings` check as
column batches when nothing has been read from it yet."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

import alcheck
from alcheck import AlcheckError
from alcheck.formats import Reading

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix != ".toml")


def _comparable(finding: alcheck.Finding) -> dict[str, Any]:
    data = finding.model_dump()
    data["fields set"] = finding.model_fields_set
    return data


def _by_models(path: Path, **options: Any) -> list[dict[str, Any]] | AlcheckError:
    try:
        return [_comparable(f) for f in alcheck.validate(list(alcheck.read(path)), **options)]
    except AlcheckError as exc:
        return exc


def _by_columns(path: Path, **options: Any) -> list[dict[str, Any]] | AlcheckError:
    reading = alcheck.read(path)
    try:
        return [_comparable(f) for f in alcheck.validate(reading, **options)]
    except AlcheckError as exc:
        return exc
    finally:
        assert list(reading) == []  # checking it read the file: no model is left to make


def _assert_same(path: Path, **options: Any) -> int:
    models, columns = _by_models(path, **options), _by_columns(path, **options)
    if isinstance(models, AlcheckError):
        assert type(columns) is type(models) and str(columns) == str(models)
        return 0
    assert columns == models
    return len(models)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_as_columns_equal_models(path: Path) -> None:
    _assert_same(path)
    _assert_same(path, lang="es", as_of=dt.date(2025, 7, 1), ignore=("CAT",))


def test_hmrc_corpus_as_columns_equal_models(corpus_dir: Path) -> None:
    files = sorted((corpus_dir / "examples" / "annotated_XML_samples").rglob("*.[xX][mM][lL]"))
    assert len(files) >= 800
    assert sum(_assert_same(path) for path in files) > 100


def test_errors_are_those_of_the_models(tmp_path: Path) -> None:
    cut = tmp_path / "cut.xml"
    text = (ROOT / "examples" / "us-triggers.xml").read_text(encoding="utf-8")
    cut.write_text(text[: len(text) * 2 // 3], encoding="utf-8")
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    for path in (cut, empty, tmp_path / "missing.xml", tmp_path):
        assert isinstance(_by_models(path), AlcheckError)
        _assert_same(path)


def test_a_reading_begun_is_checked_from_its_models() -> None:
    path = ROOT / "examples" / "us-triggers.xml"
    decls = list(alcheck.read(path))
    reading = alcheck.read(path)
    assert next(reading) == decls[0]
    assert reading.column_batches() is None
    rest = [_comparable(f) for f in alcheck.validate(reading)]
    assert rest == [_comparable(f) for f in alcheck.validate(decls[1:])]
    assert rest and all(f["declaration_id"] != decls[0].id for f in rest)


def test_streams_and_schemas_are_read_as_models(tmp_path: Path) -> None:
    data = (ROOT / "examples" / "us-triggers.xml").read_bytes()
    expected = [_comparable(f) for f in alcheck.validate(list(alcheck.read(io.BytesIO(data))))]
    stream = alcheck.read(io.BytesIO(data))
    assert stream.column_batches() is None
    assert [_comparable(f) for f in alcheck.validate(stream)] == expected != []
    path = ROOT / "examples" / "us-triggers.xml"
    assert alcheck.read(path, schema=tmp_path / "any.xsd").column_batches() is None


def test_read_is_a_lazy_iterator_of_models(tmp_path: Path) -> None:
    reading = alcheck.read(tmp_path / "missing.xml")  # nothing read yet: no error yet
    assert isinstance(reading, Reading) and iter(reading) is reading
    with pytest.raises(alcheck.InputError, match="cannot read"):
        next(reading)
    begun = alcheck.read(ROOT / "examples" / "us-triggers.xml")
    next(begun)
    begun.close()
    assert list(begun) == []


def test_unknown_keywords_are_refused_as_for_models() -> None:
    with pytest.raises(TypeError):
        alcheck.validate(alcheck.read(ROOT / "examples" / "us-clean.xml"), colour="red")
