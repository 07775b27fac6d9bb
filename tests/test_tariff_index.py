"""The tariff index: the rows an item meets by its code and date, and its checks.

`build_tariff_index` is tested against a direct reading of the rows (prefixes, `always`
and windows); tampered indexes must be refused when built or unpickled, and one that
loads after random changes must leave the two kernels agreeing (in a child process, so
that a crash fails the test instead of killing pytest).
"""

from __future__ import annotations

import dataclasses
import pickle
from array import array
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alcheck import RuleSet
from alcheck._fastmatch_py import _candidates, _code_digits
from alcheck.errors import RuleSetError
from alcheck.tables import (
    DAY_MIN,
    MAX_SEGMENTS,
    TariffIndex,
    build_tariff_index,
    build_trie,
)
from test_pickle_trust import (
    IMPLEMENTATIONS,
    LOAD_AND_CHECK,
    ROOT,
    ViaSetstate,
    _tampered,
    forge,
    outcomes,
    run_child,
)

PREFIXES = ["", "7", "76", "7601", "760110", "7606", "76061230", "8544"]
CODES = ["", "7", "76", "7601100000", "7606123090", "76061231", "8544490000", "7301", "76O1"]
INDEX_ARRAYS = tuple(f.name for f in dataclasses.fields(TariffIndex))


@st.composite
def rows(draw: st.DrawFn) -> list[tuple[list[str] | None, list[str], int, int]]:
    """Return rows as (include prefixes or None for any tariff, exclude prefixes, first
    day, last day); sometimes more windows than a node keeps segments."""
    many = draw(st.booleans())
    n = draw(st.integers(MAX_SEGMENTS + 1, 60) if many else st.integers(0, 8))
    out = []
    for _ in range(n):
        include = draw(st.none() | st.lists(st.sampled_from(PREFIXES), max_size=3))
        exclude = draw(st.lists(st.sampled_from(PREFIXES), max_size=2))
        first = draw(st.integers(0, 200 if many else 12))
        last = draw(st.sampled_from([first - 1, first, first + 1, first + 5, 2**31 - 1]))
        out.append((include, exclude, first, last))
    return out


def _index(drawn: list[tuple[list[str] | None, list[str], int, int]]) -> TariffIndex:
    include = build_trie([inc or [] for inc, _, _, _ in drawn])
    exclude = build_trie([exc for _, exc, _, _ in drawn])
    always = array("i", [r for r, (inc, _, _, _) in enumerate(drawn) if inc is None])
    return build_tariff_index(
        include,
        exclude,
        always,
        array("i", [first for _, _, first, _ in drawn]),
        array("i", [last for _, _, _, last in drawn]),
    )


def _starts(code: str, prefixes: list[str]) -> bool:
    return any(code.startswith(p) for p in prefixes)


@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(rows())
def test_the_index_lists_the_rows_a_code_meets_on_a_day(
    drawn: list[tuple[list[str] | None, list[str], int, int]],
) -> None:
    index = _index(drawn)
    edges = {DAY_MIN, *(d for _, _, f, t in drawn for d in (f, t + 1) if t < 2**31 - 1)}
    days = sorted({e + k for e in edges for k in (-1, 0, 1) if DAY_MIN <= e + k < 2**31})
    for code in CODES:
        digits = array("b", _code_digits(code))
        matched = {
            r
            for r, (inc, exc, _, _) in enumerate(drawn)
            if (inc is None or _starts(code, inc)) and not _starts(code, exc)
        }
        for day in days:
            k = _candidates(index, digits, 0, len(digits), day)
            listed = index.rows[index.list_start[k] : index.list_start[k + 1]].tolist()
            assert listed == sorted(set(listed))
            in_force = {r for r in matched if drawn[r][2] <= day <= drawn[r][3]}
            assert in_force <= set(listed) <= matched
            if len(edges) <= MAX_SEGMENTS:  # exact segments: only rows in force
                assert set(listed) == in_force


def test_a_node_keeps_at_most_max_segments_and_equal_lists_are_stored_once() -> None:
    # Nodes 7601 and 7606 have the same rows: their segments share their lists.
    drawn: list[tuple[list[str] | None, list[str], int, int]]
    drawn = [(["7601", "7606"], [], day, day + 3) for day in range(0, 400, 4)]
    index = _index(drawn)
    counts = [b - a for a, b in zip(index.node_seg, index.node_seg[1:], strict=False)]
    assert counts[0] == 1 and counts.count(MAX_SEGMENTS) == 2 and max(counts) == MAX_SEGMENTS
    assert len(index.list_start) - 1 == MAX_SEGMENTS + 1 == len(index.seg_list) - MAX_SEGMENTS


@pytest.fixture(scope="module")
def bundled() -> RuleSet:
    return RuleSet.default()


def _tampered_indexes(index: TariffIndex) -> list[tuple[str, TariffIndex]]:
    out = []
    for name in INDEX_ARRAYS:
        # seg_day holds days: only its length is an index into the others.
        for how, a in _tampered(getattr(index, name), name != "seg_day"):
            out.append((f"{name}:{how}", forge(index, **{name: a})))
    no_root = array("i", [0, 0, *index.node_seg[2:]])
    out.append(("node_seg:root-without-segment", forge(index, node_seg=no_root)))
    days = array("i", index.seg_day)
    days[0] = 0
    out.append(("seg_day:root-not-from-day-min", forge(index, seg_day=days)))
    first, second = index.node_seg[0], index.node_seg[1]
    if second - first > 1:
        days = array("i", index.seg_day)
        days[first + 1] = DAY_MIN
        out.append(("seg_day:not-rising", forge(index, seg_day=days)))
    return out


def test_a_tampered_index_is_refused_when_built(bundled: RuleSet) -> None:
    t = bundled.tables
    accepted = []
    for name, bad in _tampered_indexes(t.tariff_index):
        try:
            dataclasses.replace(
                t, tariff_index=TariffIndex(*map(bad.__getattribute__, INDEX_ARRAYS))
            )
        except RuleSetError:
            continue
        accepted.append(name)
    assert not accepted
    # A row past the rule set's is an index of its own; the tables refuse it.
    past = array("i", t.tariff_index.rows)
    past[0] = t.n_rules
    with pytest.raises(RuleSetError, match="tariff_index.rows"):
        dataclasses.replace(t, tariff_index=dataclasses.replace(t.tariff_index, rows=past))


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_a_tampered_index_in_a_pickle_is_refused(
    bundled: RuleSet, implementation: str, tmp_path: Path
) -> None:
    t = bundled.tables
    cases = [("untouched", pickle.dumps(bundled))]
    for name, bad in _tampered_indexes(t.tariff_index):
        for how, index in (("", bad), (":via-setstate", ViaSetstate(bad))):
            tables = forge(t, tariff_index=index)
            cases.append((name + how, pickle.dumps(forge(bundled, tables=tables))))
    cases.append(
        ("not-an-index", pickle.dumps(forge(bundled, tables=forge(t, tariff_index=t.include_trie))))
    )
    path = tmp_path / "cases.pickle"
    path.write_bytes(pickle.dumps(cases))
    done = run_child(
        LOAD_AND_CHECK, implementation, str(path), implementation, str(ROOT / "examples")
    )
    found = outcomes(done)
    assert list(found) == [name for name, _ in cases]
    assert found.pop("untouched") == ("ran", "-")
    wrong = {
        n: got for n, got in found.items() if got != ("refused", "alcheck.errors.RuleSetError")
    }
    assert not wrong


# Random changes to the index, in a child: whatever loads must leave the kernels agreeing.
FUZZ_INDEX = r"""
import dataclasses
import datetime as dt
import pickle
import random
import sys
from array import array
from pathlib import Path

import alcheck
from alcheck import encode
from alcheck.errors import RuleSetError

kernels = [__import__("alcheck._fastmatch_py", fromlist=["x"])]
if sys.argv[1] == "cython":
    kernels.append(__import__("alcheck._fastmatch", fromlist=["x"]))
rs = alcheck.RuleSet.default()
t = rs.tables
rows = []
days = [dt.date(2019, 1, 1), dt.date(2025, 3, 12), dt.date(2025, 9, 1), dt.date(2026, 10, 1)]
for path in sorted(Path(sys.argv[2]).glob("*-*.*")):
    if path.suffix in (".xml", ".csv", ".json"):
        for decl in alcheck.read(path):
            for item in decl.items:
                rows.extend((decl, item, day) for day in days)
assert rows


def forge(obj, **changes):
    new = object.__new__(type(obj))
    for f in dataclasses.fields(obj):
        object.__setattr__(new, f.name, changes.get(f.name, getattr(obj, f.name)))
    return new


index = t.tariff_index
names = [f.name for f in dataclasses.fields(index)]
rng = random.Random(int(sys.argv[3]))
loaded = refused = 0
for trial in range(int(sys.argv[4])):
    name = rng.choice(names)
    a = array("i", getattr(index, name))
    values = [-2**31, -2, -1, 0, 1, 2, 9, 10, 11, len(a) - 1, len(a), len(a) + 1,
              t.n_rules - 1, t.n_rules, 2**31 - 1, *(rng.choice(a) for _ in range(4))]
    how = rng.choice(["set", "set", "set2", "swap", "shrink", "grow"])
    if how in ("set", "set2"):
        for _ in range(1 if how == "set" else 2):
            a[rng.randrange(len(a))] = rng.choice(values)
    elif how == "swap":
        i, j = rng.randrange(len(a)), rng.randrange(len(a))
        a[i], a[j] = a[j], a[i]
    elif how == "shrink":
        del a[rng.randrange(len(a))]
    else:
        a.insert(rng.randrange(len(a) + 1), rng.choice(values))
    label = f"{trial} {name} {how}"
    print(label, flush=True)
    try:
        again = pickle.loads(pickle.dumps(forge(rs, tables=forge(t, tariff_index=forge(index, **{name: a})))))
    except RuleSetError:
        refused += 1
        continue
    loaded += 1
    results = []
    for k in kernels:
        batch = k.encode_columns(again.tables, encode.columns(again, rows, None))
        results.append(list(k.match(again.tables, batch)))
    assert all(r == results[0] for r in results), label
print("done", loaded, refused)
"""


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_an_index_that_loads_after_random_changes_keeps_the_kernels_agreeing(
    implementation: str,
) -> None:
    examples = str(ROOT / "examples")
    done = run_child(FUZZ_INDEX, implementation, implementation, examples, "20261201", "300")
    lines = done.stdout.splitlines()
    assert done.returncode == 0, f"died after {lines[-1:]!r}: {done.stderr[-3000:]}"
    _, loaded, refused = lines[-1].split()
    assert int(refused) > 0 and int(loaded) > 0
