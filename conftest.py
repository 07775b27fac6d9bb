"""Root pytest configuration: the shared data folder and the two kernel implementations."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

SHARED = Path(__file__).resolve().parent.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--no-cython",
        action="store_true",
        help="deselect tests of the compiled kernel (by default a missing extension fails)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--no-cython"):
        return
    keep = [i for i in items if "cython" not in i.keywords]
    config.hook.pytest_deselected(items=[i for i in items if "cython" in i.keywords])
    items[:] = keep


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """Return ../shared; fail (never skip) when it is missing, as CI must."""
    if not (SHARED / "data" / "hs2022.csv").is_file():
        pytest.fail(f"the shared data folder is missing: {SHARED} (clone beside ../shared)")
    return SHARED


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    """Return the HMRC CDS sample corpus folder."""
    return shared_dir / "corpora" / "hmrc-cds"


@pytest.fixture(
    scope="session",
    params=[pytest.param("cython", marks=pytest.mark.cython), "python"],
)
def kernel(request: pytest.FixtureRequest) -> ModuleType:
    """Yield each matching kernel in turn: the compiled extension and the pure-Python twin."""
    if request.param == "cython":
        return importlib.import_module("alcheck._fastmatch")
    return importlib.import_module("alcheck._fastmatch_py")
