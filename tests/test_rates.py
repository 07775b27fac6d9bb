"""Rates files: {"EUR/USD": 1.08}; every error names the file and the key."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from alcheck.errors import AlcheckError, UsageError
from alcheck.rates import load_rates


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rates.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_pairs_exactly(tmp_path: Path) -> None:
    path = _file(tmp_path, '{"EUR/USD": 1.08, "cad/usd": 0.7315, "MXN / USD": 1}')
    assert load_rates(path) == {
        ("EUR", "USD"): Decimal("1.08"),
        ("CAD", "USD"): Decimal("0.7315"),
        ("MXN", "USD"): Decimal(1),
    }
    assert load_rates(_file(tmp_path, "{}")) == {}


def test_a_bom_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b'\xef\xbb\xbf{"EUR/USD": 2}')
    assert load_rates(str(path)) == {("EUR", "USD"): Decimal(2)}


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ('{"EUR-USD": 1.08}', "EUR-USD", "FROM/TO"),
        ('{"EUR/USD/GBP": 1.08}', "EUR/USD/GBP", "FROM/TO"),
        ('{"EUR/XYZ": 1.08}', "EUR/XYZ", "'XYZ' is not an ISO 4217 currency"),
        ('{"/USD": 1.08}', "/USD", "is not an ISO 4217 currency"),
        ('{"USD/usd": 1}', "USD/usd", "same currency"),
        ('{"EUR/USD": "1.08"}', "EUR/USD", "expected a number"),
        ('{"EUR/USD": true}', "EUR/USD", "expected a number"),
        ('{"EUR/USD": null}', "EUR/USD", "expected a number"),
        ('{"EUR/USD": 0}', "EUR/USD", "positive"),
        ('{"EUR/USD": -1.5}', "EUR/USD", "positive"),
        ('{"EUR/USD": 1, "EUR/USD": 2}', "EUR/USD", "given twice"),
        ('{"EUR/USD": 1, "eur/usd": 2}', "eur/usd", "again"),
    ],
)
def test_bad_entries_name_file_and_key(tmp_path: Path, text: str, key: str, reason: str) -> None:
    path = _file(tmp_path, text)
    with pytest.raises(UsageError) as info:
        load_rates(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert repr(key) in message
    assert reason in message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[1.08]", "expected a JSON object"),
        ('{"EUR/USD": 1.08', "not JSON"),
        ("", "not JSON"),
    ],
)
def test_bad_files(tmp_path: Path, text: str, reason: str) -> None:
    path = _file(tmp_path, text)
    with pytest.raises(UsageError, match=reason) as info:
        load_rates(path)
    assert str(path) in str(info.value)


def test_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(UsageError, match="cannot read rates file") as info:
        load_rates(missing)
    assert str(missing) in str(info.value)
    assert isinstance(info.value, AlcheckError) and isinstance(info.value, ValueError)
    not_utf8 = tmp_path / "latin1.json"
    not_utf8.write_bytes(b'{"EUR/USD": 1, "\xe9": 2}')
    with pytest.raises(UsageError, match="not UTF-8"):
        load_rates(not_utf8)
