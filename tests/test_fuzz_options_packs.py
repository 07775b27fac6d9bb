"""Random command lines and random rule packs: a result or a clear error, never a traceback.

Properties (the adversarial campaign's): whatever options the command line is given, it
ends with an exit code (0, 1 or 2; argparse's own usage errors are 2) and any error is one
`alcheck:` line or argparse's usage message; whatever TOML a pack holds, loading it gives
a pack or a RulePackError naming the file, and a loaded pack's golden cases run.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alcheck.cli import main
from alcheck.errors import RulePackError
from alcheck.rules import load_pack_text
from alcheck.rules.golden import run_golden_cases
from alcheck.ruleset import RuleSet

ROOT = Path(__file__).resolve().parent.parent
INPUTS = [str(ROOT / "examples" / n) for n in ("us-clean.json", "ca-clean.csv", "mx-clean.val")]
VALUES = [
    "", " ", "-", "US", "us-232", "US-232,US-AIM", "=error", "US=fatal", "US-232=warning",
    "2026-13-40", "2026-04-06", "0", "-1", "99999999999999999999", "1e999999999", "json",
    "sarif", "csv", "text", "xml", "catair", "pedimento", "fr", "xx", "never", "warning",
    "/nonexistent/dir/x", "\x1b[2J", "é", "None",
]  # fmt: skip
OPTIONS = [
    "--select", "--ignore", "--severity", "--format", "--input-format", "--lang", "--jobs",
    "--fail-on", "--as-of", "--rates", "-o", "--pack",
]  # fmt: skip
FLAGS = ["--no-color", "--force-jobs", "--bogus"]


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    argv = ["check"]
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.booleans()):
            argv += [draw(st.sampled_from(OPTIONS)), draw(st.sampled_from(VALUES))]
        else:
            argv.append(draw(st.sampled_from(FLAGS)))
    argv += draw(st.lists(st.sampled_from([*INPUTS, "-", "/nonexistent"]), max_size=2))
    return argv


def run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    code: int | str | None
    # In a folder of its own: `-o sarif` must not leave a file in the repository.
    with (
        tempfile.TemporaryDirectory() as folder,
        contextlib.chdir(folder),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(err),
    ):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: usage errors and --help
            code = exc.code
    assert isinstance(code, int), (argv, code)
    return code, err.getvalue()


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(command_lines())
def test_any_command_line_ends_with_an_exit_code_and_no_traceback(argv: list[str]) -> None:
    code, err = run(argv)
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err
    if code == 2 and err:
        first = err.splitlines()[0]
        assert first.startswith(("alcheck:", "usage:")), (argv, err)


PACK = """
[pack]
name = "fuzz"
version = "1"
jurisdiction = "US"
title = "t"

[[rules]]
id = "FUZZ-ONE"
severity = "warning"
class = "risk"
summary = "s"
field = "origin"
message = { en = "m {tariff}", fr = "m", es = "m" }
hint = { en = "h", fr = "h", es = "h" }
citation = { instrument = "i", url = "https://example.org" }
when.origin = ["CN"]

[[rules.entries]]
valid_from = 2026-01-01
when.tariff = ["7604"]
cases = [
  { expect = "fire", note = "f", declaration = { entry_date = "2026-02-01" }, item = { tariff_declared = "7604.10.1000", origin = "CN" } },
  { expect = "pass", note = "p", declaration = { entry_date = "2026-02-01" }, item = { tariff_declared = "7604.10.1000", origin = "CA" } },
]
"""
# Lines a mutation may put in place of one of the pack's lines.
NOISE = [
    "", "[[rules]]", "[[rules.entries]]", "valid_from = 2027-01-01", "valid_to = 2020-01-01",
    'when.tariff = ["@nolist"]', 'when.origin = "CN"', "when.origin = [1, 2]",
    'message.en = "{tariff:>99999999}"', 'message.en = "{0}"', "severity = 3",
    'id = "bad id"', "cases = 5", 'cases = [{ expect = "fire", note = "x", item = 3 }]',
    "x = " + "[" * 300 + "]" * 300, 'when.numbers = [{ field = "value", op = "<", amount = 1 }]',
    '[lists.l]\nfile = "nofile.csv"', "[sets]\na = [", 'params = { tariff = 1 }', "\x00",
]  # fmt: skip


@st.composite
def pack_texts(draw: st.DrawFn) -> str:
    lines = PACK.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines)))
        how = draw(st.sampled_from(["replace", "insert", "delete"]))
        if how == "delete" and at < len(lines):
            del lines[at]
        elif how == "replace" and at < len(lines):
            lines[at] = draw(st.sampled_from(NOISE))
        else:
            lines.insert(at, draw(st.sampled_from(NOISE)))
    return "\n".join(lines)


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(pack_texts())
def test_any_pack_text_loads_or_is_a_named_pack_problem(text: str) -> None:
    try:
        pack = load_pack_text(text, "fuzz.toml")
    except RulePackError as exc:
        assert exc.problems and all(p.startswith("fuzz.toml") for p in exc.problems)
        return
    try:
        rules = RuleSet.compile([pack])
    except RulePackError as exc:
        assert exc.problems
        return
    assert isinstance(run_golden_cases(pack, rules), list)
