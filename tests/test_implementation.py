"""The implementation switch, the compiled extension, and the two kernels agreeing."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import alcheck
from alcheck import _match
from alcheck.tables import build_trie

# A meta-path hook that makes a compiled extension look absent, as on a failed build.
BLOCK_EXTENSION = """
import sys

class _BlockExtension:
    def find_spec(self, name, path=None, target=None):
        if name == {blocked!r}:
            raise ModuleNotFoundError("blocked by the test", name=name)
        return None

sys.meta_path.insert(0, _BlockExtension())
"""
EXTENSIONS = (
    "alcheck._fastmatch", "alcheck.formats._wcoitem", "alcheck.formats._cad",
    "alcheck.formats._loose", "alcheck._plain", "alcheck._rule_findings",
    "alcheck._finding_json",
)  # fmt: skip
PRINT_IMPLEMENTATION = "import alcheck; print(alcheck.IMPLEMENTATION)"


def run_python(
    code: str, switch: str | None, cwd: Path, *, block: bool | str = False
) -> subprocess.CompletedProcess[str]:
    """Run code in a fresh interpreter; block: an extension to hide (True: the matcher)."""
    env = {k: v for k, v in os.environ.items() if k != "ALCHECK_IMPLEMENTATION"}
    if switch is not None:
        env["ALCHECK_IMPLEMENTATION"] = switch
    blocked = EXTENSIONS[0] if block is True else block
    source = (BLOCK_EXTENSION.format(blocked=blocked) if blocked else "") + code
    return subprocess.run(
        [sys.executable, "-c", source],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def loaded(switch: str | None, cwd: Path, *, block: bool | str = False) -> str:
    result = run_python(PRINT_IMPLEMENTATION, switch, cwd, block=block)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# The switch ----------------------------------------------------------------------------------


def test_python_loads_the_twin(tmp_path: Path) -> None:
    assert loaded("python", tmp_path) == "python"
    assert loaded(" Python ", tmp_path) == "python"


@pytest.mark.cython
def test_cython_loads_the_extension(tmp_path: Path) -> None:
    assert loaded("cython", tmp_path) == "cython"


@pytest.mark.cython
def test_unset_prefers_the_extension(tmp_path: Path) -> None:
    assert loaded(None, tmp_path) == "cython"
    assert loaded("", tmp_path) == "cython"


@pytest.mark.parametrize("blocked", EXTENSIONS)
def test_unset_falls_back_to_the_twins_without_an_extension(tmp_path: Path, blocked: str) -> None:
    assert loaded(None, tmp_path, block=blocked) == "python"
    assert loaded("python", tmp_path, block=blocked) == "python"
    code = (
        "from alcheck import _match\n"
        "print(_match.kernel.__name__, _match.item_kernel.__name__,"
        " _match.cad_kernel.__name__, _match.loose_kernel.__name__,"
        " _match.plain_kernel.__name__, _match.findings_kernel.__name__,"
        " _match.json_kernel.__name__)"
    )
    result = run_python(code, None, tmp_path, block=blocked)
    assert result.stdout.split() == [name + "_py" for name in EXTENSIONS]


@pytest.mark.parametrize("blocked", EXTENSIONS)
def test_cython_without_an_extension_is_an_implementation_error(
    tmp_path: Path, blocked: str
) -> None:
    result = run_python(PRINT_IMPLEMENTATION, "cython", tmp_path, block=blocked)
    assert result.returncode != 0
    assert "alcheck.errors.ImplementationError" in result.stderr
    assert "ALCHECK_IMPLEMENTATION=cython" in result.stderr
    others = [name for name in EXTENSIONS if name != blocked]
    assert f"extension {blocked} cannot" in result.stderr
    assert not any(other in result.stderr for other in others)


def test_a_bogus_switch_is_an_implementation_error(tmp_path: Path) -> None:
    result = run_python(PRINT_IMPLEMENTATION, "fortran", tmp_path)
    assert result.returncode != 0
    assert "alcheck.errors.ImplementationError" in result.stderr
    assert "ALCHECK_IMPLEMENTATION" in result.stderr and "'fortran'" in result.stderr


@pytest.mark.parametrize(
    "command",
    [["-m", "alcheck"], ["-c", "from alcheck.console import main; raise SystemExit(main())"]],
)
def test_the_command_line_names_a_bogus_switch_in_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    env = {**os.environ, "ALCHECK_IMPLEMENTATION": "cyton"}
    result = subprocess.run(
        [sys.executable, *command, "rules", "list"], env=env, cwd=tmp_path,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        "alcheck: ALCHECK_IMPLEMENTATION must be 'cython', 'python' or unset, not 'cyton'\n"
    )


def test_the_package_root_loads_names_on_first_use(tmp_path: Path) -> None:
    code = (
        "import sys, alcheck\n"
        "print('alcheck._match' in sys.modules)\n"
        "import alcheck.gateway, alcheck.explanation\n"  # submodules share no exported name
        "from alcheck import RuleSet, validate\n"
        "print(callable(alcheck.screen), callable(alcheck.explain), alcheck.RuleSet is RuleSet)\n"
        "print(sorted(set(alcheck.__all__) - set(dir(alcheck))))\n"
    )
    result = run_python(code, "python", tmp_path)
    assert result.stdout.split("\n")[:3] == ["False", "True True True", "[]"], result.stderr


def test_the_error_is_both_alcheck_error_and_import_error(tmp_path: Path) -> None:
    code = (
        "try:\n"
        "    from alcheck import IMPLEMENTATION\n"
        "except ImportError as exc:\n"
        "    from alcheck.errors import AlcheckError, ImplementationError\n"
        "    print(isinstance(exc, ImplementationError), isinstance(exc, AlcheckError))\n"
    )
    result = run_python(code, "cython", tmp_path, block=True)
    assert result.stdout.split() == ["True", "True"], result.stderr


def test_the_dispatcher_exposes_the_kernel_it_loaded() -> None:
    assert alcheck.IMPLEMENTATION in ("cython", "python")
    expected = (
        "alcheck._fastmatch" if alcheck.IMPLEMENTATION == "cython" else "alcheck._fastmatch_py"
    )
    assert _match.kernel.__name__ == expected
    suffix = "" if alcheck.IMPLEMENTATION == "cython" else "_py"
    assert _match.item_kernel.__name__ == "alcheck.formats._wcoitem" + suffix
    assert _match.cad_kernel.__name__ == "alcheck.formats._cad" + suffix
    assert _match.loose_kernel.__name__ == "alcheck.formats._loose" + suffix
    assert _match.plain_kernel.__name__ == "alcheck._plain" + suffix
    assert _match.findings_kernel.__name__ == "alcheck._rule_findings" + suffix
    assert _match.json_kernel.__name__ == "alcheck._finding_json" + suffix


# Packaging -----------------------------------------------------------------------------------


@pytest.mark.cython
def test_the_installed_package_has_the_compiled_extension() -> None:
    import alcheck._fastmatch as compiled

    assert compiled.__file__ is not None
    assert compiled.__file__.endswith(".so")
    assert any(compiled.__file__.endswith(suffix) for suffix in EXTENSION_SUFFIXES)


# The kernels ---------------------------------------------------------------------------------


def naive_match(prefix_groups: list[list[str]], codes: list[str | None]) -> list[tuple[int, ...]]:
    """The obvious definition: group g matches a code when one of its prefixes starts it."""
    return [
        tuple(
            g
            for g, prefixes in enumerate(prefix_groups)
            if any(p == "" or (code is not None and code.startswith(p)) for p in prefixes)
        )
        for code in codes
    ]


# A small alphabet makes shared prefixes, and so matches, common.
digits = st.one_of(st.text(alphabet="0176", max_size=6), st.text(alphabet="0123456789", max_size=6))
prefix_groups = st.lists(st.lists(digits, max_size=4), max_size=8)
codes = st.lists(
    st.one_of(
        st.none(),
        st.text(alphabet="0176", max_size=10),
        st.text(alphabet="0176.x ", max_size=10),
        st.text(max_size=10),
    ),
    max_size=8,
)


@settings(deadline=None)
@given(prefix_groups, codes)
def test_match_prefixes_agrees_with_the_naive_reference(
    kernel: ModuleType, groups: list[list[str]], items: list[str | None]
) -> None:
    trie = build_trie(groups)
    got = kernel.match_prefixes(trie.children, trie.starts, trie.groups, items)
    assert got == naive_match(groups, items)


@pytest.mark.cython
@settings(deadline=None)
@given(prefix_groups, codes)
def test_both_kernels_agree(groups: list[list[str]], items: list[str | None]) -> None:
    import alcheck._fastmatch as compiled
    import alcheck._fastmatch_py as twin

    trie = build_trie(groups)
    args = (trie.children, trie.starts, trie.groups, items)
    assert compiled.match_prefixes(*args) == twin.match_prefixes(*args)


def test_match_prefixes_on_aluminum_headings(kernel: ModuleType) -> None:
    trie = build_trie([["76"], ["7606", "7607"], ["760612"], [""]])
    got = kernel.match_prefixes(
        trie.children, trie.starts, trie.groups, ["7606123090", "7608100", None, "76O6", ""]
    )
    assert got == [(0, 1, 2, 3), (0, 3), (3,), (0, 3), (3,)]


@settings(deadline=None)
@given(prefix_groups)
def test_prefix_trie_pickles_to_an_equal_trie(groups: list[list[str]]) -> None:
    trie = build_trie(groups)
    again = pickle.loads(pickle.dumps(trie))
    assert again == trie
    assert (again.children, again.starts, again.groups) == (trie.children, trie.starts, trie.groups)


@pytest.mark.parametrize("bad", ["7a", "-1", "７６", " 76"])
def test_build_trie_rejects_a_prefix_with_a_non_digit(bad: str) -> None:
    with pytest.raises(ValueError, match="digits only"):
        build_trie([[bad]])
