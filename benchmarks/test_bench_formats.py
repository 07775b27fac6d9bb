"""Each national format against the same declarations as WCO XML: read into models
(`read`), and checked on the one path the command line takes (`read_columns`, screened,
every finding built).

The inputs are the example trigger files (every US, Mexican and Canadian golden case the
format can carry), repeated to about 10,000 items: a CBP entry summary (CATAIR AE), a
pedimento file and a CBSA CAD, each beside the same declarations written as WCO XML.
`report.py` prints items/s and the ratio of each format to WCO XML from one run.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from alcheck.formats import (
    read,
    read_columns,
    write_carm,
    write_catair,
    write_pedimento,
    write_wco_xml,
)
from alcheck.gateway import ScreenedBatch, Screening
from alcheck.model import Declaration

ROOT = Path(__file__).resolve().parent.parent
TARGET_ITEMS = 10_000


def _write_carm_text(decls: list[Declaration], out: io.StringIO) -> None:
    binary = io.BytesIO()
    write_carm(decls, binary)
    out.write(binary.getvalue().decode("utf-8"))


SOURCES = {
    "catair": ("us-triggers.ae", write_catair),
    "pedimento": ("mx-triggers.val", write_pedimento),
    "carm": ("ca-triggers.cad.xml", _write_carm_text),
}


def _inputs(kind: str) -> tuple[bytes, bytes, int]:
    """Return (the national file, the same declarations as WCO XML, their item count)."""
    name, write = SOURCES[kind]
    one = list(read(ROOT / "examples" / name))
    per = sum(len(d.items) for d in one)
    decls: list[Declaration] = []
    for _ in range(max(1, TARGET_ITEMS // per)):
        decls.extend(one)
    text = io.StringIO(newline="")
    write(decls, text)
    xml = io.BytesIO()
    write_wco_xml(decls, xml)
    return text.getvalue().encode("utf-8"), xml.getvalue(), sum(len(d.items) for d in decls)


@pytest.fixture(scope="module", params=sorted(SOURCES))
def inputs(request: pytest.FixtureRequest) -> tuple[str, bytes, bytes, int]:
    return (request.param, *_inputs(request.param))


def _read_all(data: bytes) -> int:
    return sum(len(d.items) for d in read(io.BytesIO(data)))


def test_read_national(benchmark: Any, inputs: tuple[str, bytes, bytes, int]) -> None:
    kind, national, _, items = inputs
    benchmark.extra_info.update(items=items, format=kind)
    assert benchmark.pedantic(_read_all, args=(national,), rounds=5, iterations=1) == items


def test_read_same_as_wco_xml(benchmark: Any, inputs: tuple[str, bytes, bytes, int]) -> None:
    kind, _, xml, items = inputs
    benchmark.extra_info.update(items=items, format=f"{kind} as WCO XML")
    assert benchmark.pedantic(_read_all, args=(xml,), rounds=5, iterations=1) == items


def _check_all(path: Path, screening: Screening) -> int:
    """Check a file as `alcheck check` does; return the number of findings."""
    n = 0
    for batch in read_columns(path):
        n += sum(1 for _ in ScreenedBatch(batch, screening).findings())
    return n


def test_check_national(
    benchmark: Any, inputs: tuple[str, bytes, bytes, int], tmp_path: Path
) -> None:
    kind, national, _, items = inputs
    path = tmp_path / f"national.{kind}"
    path.write_bytes(national)
    screening = Screening.of_call(None, None, None, "en", (), (), None)
    benchmark.extra_info.update(items=items, format=kind)
    assert benchmark.pedantic(_check_all, args=(path, screening), rounds=3, iterations=1) > 0


def test_check_same_as_wco_xml(
    benchmark: Any, inputs: tuple[str, bytes, bytes, int], tmp_path: Path
) -> None:
    kind, _, xml, items = inputs
    path = tmp_path / "same.xml"
    path.write_bytes(xml)
    screening = Screening.of_call(None, None, None, "en", (), (), None)
    benchmark.extra_info.update(items=items, format=f"{kind} as WCO XML")
    assert benchmark.pedantic(_check_all, args=(path, screening), rounds=3, iterations=1) > 0
