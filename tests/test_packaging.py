"""The build honours ALCHECK_IMPLEMENTATION: optional extension, required, or skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _build(tmp_path: Path, mode: str, cc: str | None) -> tuple[int, list[str], str]:
    """Build a wheel from a copy of the sources; return (exit code, wheel members, output)."""
    src = tmp_path / "src-copy"
    shutil.copytree(
        ROOT / "src", src / "src", ignore=shutil.ignore_patterns("*.so", "*.c", "__pycache__")
    )
    for name in ("setup.py", "pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md"):
        shutil.copy(ROOT / name, src / name)
    env = dict(os.environ)
    env.pop("ALCHECK_IMPLEMENTATION", None)
    if mode:
        env["ALCHECK_IMPLEMENTATION"] = mode
    if cc is not None:
        env["CC"] = cc
    out = tmp_path / "wheels"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation", "-q", "-w", str(out)],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    wheels = list(out.glob("*.whl"))
    members = zipfile.ZipFile(wheels[0]).namelist() if wheels else []
    return done.returncode, members, done.stdout + done.stderr


_EXTENSIONS = (
    "alcheck/_fastmatch", "alcheck/formats/_wcoitem", "alcheck/formats/_cad",
    "alcheck/formats/_loose", "alcheck/_plain", "alcheck/_rule_findings",
    "alcheck/_finding_json",
)  # fmt: skip


def _extensions(members: list[str]) -> set[str]:
    """Return which compiled extensions a wheel holds."""
    return {
        name for name in _EXTENSIONS for m in members
        if m.startswith(name + ".") and m.endswith((".so", ".pyd"))
    }  # fmt: skip


def _has_extension(members: list[str]) -> bool:
    return bool(_extensions(members))


def test_without_a_compiler_the_build_falls_back_to_the_twin(tmp_path: Path) -> None:
    code, members, output = _build(tmp_path, "", "/bin/false")
    assert code == 0, output
    assert "alcheck/_fastmatch_py.py" in members and not _has_extension(members)
    assert "alcheck/formats/_wcoitem_py.py" in members
    assert "alcheck/formats/_cad_py.py" in members
    assert "alcheck/formats/_loose_py.py" in members


def test_cython_mode_makes_a_failed_extension_build_an_error(tmp_path: Path) -> None:
    code, members, _ = _build(tmp_path, "cython", "/bin/false")
    assert code != 0 and members == []


def test_python_mode_skips_the_extension(tmp_path: Path) -> None:
    code, members, output = _build(tmp_path, "python", None)
    assert code == 0, output
    assert not _has_extension(members) and not any(m.endswith(".c") for m in members)
    assert "alcheck/py.typed" in members and "alcheck/rules/packs/us.toml" in members


def test_a_bogus_mode_is_refused(tmp_path: Path) -> None:
    code, _, output = _build(tmp_path, "fortran", None)
    assert code != 0 and "ALCHECK_IMPLEMENTATION" in output


def test_a_default_build_has_every_extension_and_its_sources(tmp_path: Path) -> None:
    code, members, output = _build(tmp_path, "", None)
    assert code == 0, output
    assert _extensions(members) == set(_EXTENSIONS)
    assert {"alcheck/formats/_wcoitem.pyx", "alcheck/formats/_wcoitem.pyi"} <= set(members)
    assert {"alcheck/formats/_cad.pyx", "alcheck/formats/_cad.pyi"} <= set(members)
    assert {"alcheck/formats/_loose.pyx", "alcheck/formats/_loose.pyi"} <= set(members)
    assert not any(m.endswith(".c") for m in members)


@pytest.mark.cython
def test_the_installed_package_has_the_compiled_extensions() -> None:
    import alcheck._fastmatch as compiled
    import alcheck.formats._cad as cad
    import alcheck.formats._loose as loose
    import alcheck.formats._wcoitem as items

    for module in (compiled, items, cad, loose):
        assert module.__file__ is not None and module.__file__.endswith((".so", ".pyd"))


def test_the_wheel_and_the_sdist_hold_what_a_user_needs_and_no_tests(tmp_path: Path) -> None:
    """From a clean copy: the schemas, packs, code lists, py.typed and the licence are in
    the wheel; the sdist builds the same package; neither holds the tests."""
    code, members, output = _build(tmp_path, "python", None)
    assert code == 0, output
    names = set(members)
    assert {
        "alcheck/py.typed", "alcheck/schemas/declaration.schema.json",
        "alcheck/schemas/report.schema.json", "alcheck/rules/packs/us.toml",
        "alcheck/rules/packs/ca.toml", "alcheck/rules/packs/us.rules.json",
        "alcheck/codes/data/hs2022.csv",
        "alcheck/locale/fr/LC_MESSAGES/alcheck.mo", "alcheck/locale/es/LC_MESSAGES/alcheck.mo",
    } <= names  # fmt: skip
    assert any(m.startswith("alcheck/rules/packs/") and m.endswith(".csv") for m in names)
    assert any(m.endswith(".dist-info/licenses/LICENSE") for m in names)
    assert not any(m.startswith("tests/") or "/tests/" in m or "conftest" in m for m in names)
    sdist_dir = tmp_path / "sdist"
    done = subprocess.run(
        [sys.executable, "-c", "from setuptools import build_meta as b; import sys; "
         "print(b.build_sdist(sys.argv[1]))", str(sdist_dir)],
        cwd=tmp_path / "src-copy", capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    import tarfile

    (archive,) = sdist_dir.glob("alcheck-*.tar.gz")
    with tarfile.open(archive) as tar:
        inside = {m.split("/", 1)[1] for m in tar.getnames() if "/" in m}
    required = {
        "pyproject.toml", "setup.py", "LICENSE", "src/alcheck/schemas/report.schema.json",
        "src/alcheck/rules/packs/us.toml", "src/alcheck/formats/_wcoitem.pyx",
        "src/alcheck/formats/_cad.pyx", "src/alcheck/formats/_loose.pyx",
        "src/alcheck/formats/_xmlnodes.pxd",
        "src/alcheck/rules/packs/us.rules.json", "src/alcheck/locale/fr/LC_MESSAGES/alcheck.po",
    }  # fmt: skip
    assert required <= inside, required - inside
    assert not any(m.startswith("tests/") for m in inside)


def test_schemas_are_reachable_from_the_installed_package() -> None:
    import json
    from importlib.resources import files

    for name, schema_id in (("declaration", "urn:alcheck:declaration:1"),
                            ("report", "urn:alcheck:report:1")):  # fmt: skip
        data = json.loads(files("alcheck.schemas").joinpath(f"{name}.schema.json").read_text())
        assert data["$id"] == schema_id and data["$schema"].endswith("2020-12/schema")


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        (
            "linux",
            {"manylinux_x86_64", "manylinux_aarch64", "musllinux_x86_64", "musllinux_aarch64"},
        ),
        ("macos", {"macosx_x86_64", "macosx_arm64"}),
        ("windows", {"win_amd64"}),
    ],
)
def test_cibuildwheel_builds_wheels_for_every_platform_brokers_use(
    platform: str, expected: set[str]
) -> None:
    """Issue 19, item 6: the wheels a broker on Linux, macOS or Windows installs carry the
    compiled kernels; cibuildwheel reads the project's configuration as CI would."""
    import tomllib

    tool = shutil.which("cibuildwheel", path=str(Path(sys.executable).parent))
    assert tool is not None, "cibuildwheel is in the test extra"
    done = subprocess.run(
        [tool, "--print-build-identifiers", "--platform", platform, str(ROOT)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    ids = done.stdout.split()
    assert {i.split("-", 1)[1] for i in ids} == expected, ids
    assert {i.split("-", 1)[0] for i in ids} == {"cp311", "cp312", "cp313"}, ids
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["cibuildwheel"]
    assert config["environment"]["ALCHECK_IMPLEMENTATION"] == "cython"
    assert "IMPLEMENTATION != 'cython'" in config["test-command"]
    per_os = config.get(platform, {})
    if "environment" in per_os:  # an OS table replaces the environment: it must keep it
        assert per_os["environment"]["ALCHECK_IMPLEMENTATION"] == "cython"
