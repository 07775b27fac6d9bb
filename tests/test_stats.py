"""Import-monitoring stats: the numbers, the four renderers, the command, the HMRC corpus."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from alcheck.cli_stats import add_stats_command, run_stats
from alcheck.formats import read_paths
from alcheck.model import Declaration, lenient_declaration
from alcheck.report.stats_render import (
    render_stats_csv,
    render_stats_html,
    render_stats_json,
    render_stats_text,
)
from alcheck.rules.loader import bundled_pack_names, load_bundled
from alcheck.ruleset import RuleSet
from alcheck.stats import CONCERN_COUNTRIES, Group, Stats, compute_stats, display_cell

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT / "examples" / "us-clean.json"


def _item(**fields: Any) -> dict[str, Any]:
    return fields


# Six lines in three declarations, worked out by hand below.
DECLARATIONS: list[dict[str, Any]] = [
    {
        "id": "A",
        "jurisdiction": "US",
        "items": [
            _item(line=1, tariff_declared="7606.12.3090", origin="CA", smelt1="CA",
                  smelt2="N/A", cast="CA", net_mass_kg="1000", value="5000", currency="USD"),
            _item(line=2, tariff_declared="7604.10.1000", origin="MX", smelt1="CN",
                  smelt2="N/A", cast="MX", net_mass_kg="500", value="2000", currency="EUR"),
            _item(line=3, tariff_declared="7601.10.6000", origin="CA", smelt1="UN",
                  cast="CA", net_mass_kg="200", value="800", currency="USD"),
        ],
    },
    {
        "id": "B",
        "jurisdiction": "CA",
        "exchange_rates": [{"currency": "CAD", "to_currency": "USD", "rate": "0.75"}],
        "items": [
            _item(line=1, tariff_declared="7606.11.00", origin="VN", cast="VN",
                  net_mass_kg="300"),
            _item(line=2, tariff_declared="7608.20.00", origin="VN", smelt1="IN",
                  smelt2="RU", cast="VN", value="100", currency="USD"),
            _item(line=3, smelt1="NO", cast="DE", net_mass_kg="100", value="50",
                  currency="CAD"),
        ],
    },
    {"id": "C"},
]  # fmt: skip


def _decls() -> Iterator[Declaration]:
    # A generator: compute_stats must read its input once, lazily.
    return (lenient_declaration(d) for d in DECLARATIONS)


@pytest.fixture(scope="module")
def stats() -> Stats:
    return compute_stats(_decls())


def _keys(groups: tuple[Group, ...]) -> list[tuple[str, int, Decimal]]:
    return [(g.key, g.lines, g.net_kg) for g in groups]


def test_totals(stats: Stats) -> None:
    assert stats.declarations == 3
    assert stats.currency == "USD"
    t = stats.total
    assert (t.lines, t.net_kg, t.lines_without_net_mass) == (6, Decimal("2100"), 1)
    # USD 5000 + 800 + 100, CAD 50 at the declaration's own 0.75; EUR has no rate and
    # line B1 has no value: both are counted, not guessed.
    assert t.value == Decimal("5937.5")
    assert t.value_not_converted == 2


def test_groups_are_summed_and_ordered_by_net_kg_then_key(stats: Stats) -> None:
    assert _keys(stats.by_jurisdiction) == [("US", 3, 1700), ("CA", 3, 400)]
    assert _keys(stats.by_heading) == [
        ("7606", 2, 1300), ("7604", 1, 500), ("7601", 1, 200), ("", 1, 100), ("7608", 1, 0),
    ]  # fmt: skip
    assert _keys(stats.by_origin) == [("CA", 2, 1200), ("MX", 1, 500), ("VN", 2, 300), ("", 1, 100)]
    assert _keys(stats.by_smelt1) == [
        ("CA", 1, 1000), ("CN", 1, 500), ("", 1, 300), ("UN", 1, 200), ("NO", 1, 100),
        ("IN", 1, 0),
    ]  # fmt: skip
    assert _keys(stats.by_cast) == [("CA", 2, 1200), ("MX", 1, 500), ("VN", 2, 300), ("DE", 1, 100)]
    by_heading = {g.key: g for g in stats.by_heading}
    assert (
        by_heading["7606"].label == "Aluminium; plates, sheets and strip, thickness exceeding 0.2mm"
    )
    assert by_heading[""].label == "not reported"
    assert by_heading["7608"].lines_without_net_mass == 1
    assert by_heading["7606"].value_not_converted == 1
    us = stats.by_jurisdiction[0]
    assert (us.value, us.value_not_converted) == (Decimal("5800"), 1)
    labels = {g.key: g.label for g in stats.by_smelt1}
    assert labels["UN"] == "unknown" and labels[""] == "not reported" and labels["CN"] == "China"


def test_concern_share_with_unknown_and_not_reported(stats: Stats) -> None:
    rows = {s.key: (s.lines, s.net_kg, round(s.share_pct or 0, 2)) for s in stats.concern}
    assert rows == {
        "concern": (2, 500, Decimal("23.81")),  # CN smelt1 (500 kg), RU smelt2 (no mass)
        "unknown": (1, 200, Decimal("9.52")),  # smelt1 UN
        "not_reported": (1, 300, Decimal("14.29")),  # smelt1 missing
        "other": (2, 1100, Decimal("52.38")),
    }
    assert [s.key for s in stats.concern] == ["other", "concern", "not_reported", "unknown"]
    countries = [(s.key, s.lines, s.net_kg) for s in stats.concern_countries]
    assert countries == [("CN", 1, 500), ("BY", 0, 0), ("IR", 0, 0), ("RU", 1, 0)]


def test_origin_cross_tables(stats: Stats) -> None:
    smelt = [(c.origin, c.metal, c.lines, c.net_kg) for c in stats.origin_smelt1]
    assert smelt == [
        ("CA", "CA", 1, 1000), ("MX", "CN", 1, 500), ("VN", "", 1, 300), ("CA", "UN", 1, 200),
        ("", "NO", 1, 100), ("VN", "IN", 1, 0),
    ]  # fmt: skip
    ca_ca = stats.origin_smelt1[0]
    assert round(ca_ca.share_of_origin_pct or 0, 2) == Decimal("83.33")
    cast = [(c.origin, c.metal, c.net_kg) for c in stats.origin_cast]
    assert cast == [("CA", "CA", 1200), ("MX", "MX", 500), ("VN", "VN", 300), ("", "DE", 100)]


def test_conversion_with_a_caller_rate_and_its_inverse() -> None:
    direct = compute_stats(_decls(), rates={("EUR", "USD"): Decimal("1.1")})
    assert direct.total.value == Decimal("8137.5")  # + EUR 2000 * 1.1
    assert direct.total.value_not_converted == 1  # only the line without a value
    inverse = compute_stats(_decls(), rates={("USD", "EUR"): Decimal("0.5")})
    assert inverse.total.value == Decimal("9937.5")  # + EUR 2000 / 0.5
    in_eur = compute_stats(_decls(), rates={("EUR", "USD"): Decimal("1.25")}, currency="eur")
    assert in_eur.currency == "EUR"
    # USD 5900 / 1.25 + EUR 2000; CAD has only a CAD->USD rate, so it is not converted.
    assert in_eur.total.value == Decimal("6720")
    assert in_eur.total.value_not_converted == 2


def test_empty_input() -> None:
    empty = compute_stats([])
    assert (empty.declarations, empty.total.lines, empty.total.net_kg) == (0, 0, 0)
    assert all(s.share_pct is None for s in empty.concern)
    text = render_stats_text(empty)
    assert "(no lines)" in text
    _check_html(render_stats_html(empty), render_stats_csv(empty), empty)


def test_invalid_codes_are_kept_as_given() -> None:
    decl = lenient_declaration(
        {"items": [{"tariff_declared": "76O6", "origin": "XX", "smelt1": "ZZ", "net_mass_kg": 5}]}
    )
    stats = compute_stats([decl])
    assert [(g.key, g.label) for g in stats.by_heading] == [("76O6", "not a tariff code")]
    assert [(g.key, g.label) for g in stats.by_origin] == [("XX", "XX")]
    assert [(g.key, g.label) for g in stats.by_jurisdiction] == [("", "not reported")]
    assert {s.key: s.lines for s in stats.concern}["other"] == 0
    assert {s.key: s.lines for s in stats.concern}["not_reported"] == 1  # cast missing


def test_memory_does_not_grow_with_input() -> None:
    """Peak memory for 4,000 declarations stays near that for 400: nothing is kept per line."""

    def stream(n: int) -> Iterator[Declaration]:
        for i in range(n):
            yield lenient_declaration(DECLARATIONS[i % 2])

    def peak(n: int) -> int:
        tracemalloc.start()
        try:
            compute_stats(stream(n))
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    compute_stats(stream(10))  # warm caches (country and HS tables)
    small, large = peak(400), peak(4000)
    assert large < small * 2


# --- renderers ------------------------------------------------------------------------


def _csv_tables(text: str) -> dict[str, tuple[list[str], list[list[str]]]]:
    tables: dict[str, tuple[list[str], list[list[str]]]] = {}
    header: list[str] = []
    for row in csv.reader(io.StringIO(text)):
        if row[0] == "table":
            header = row[1:]
            continue
        tables.setdefault(row[0], (header, []))[1].append(row[1:])
    return tables


def _html_tables(page: str) -> dict[str, list[list[str]]]:
    """Each table's cells: a number's exact CSV string (`data-value`), a text as shown."""
    doc = lxml_html.document_fromstring(page)
    return {
        t.get("data-table"): [
            [td.get("data-value", td.text_content()) for td in tr.findall("td")]
            for tr in t.findall("tbody/tr")
        ]
        for t in doc.iter("table")
    }


def _check_html(page: str, csv_text: str, stats: Stats) -> None:
    assert page.startswith("<!DOCTYPE html>")
    doc = lxml_html.document_fromstring(page)
    names = [t.name for t in stats.tables()]
    sections = doc.findall(".//section")
    assert [s.get("id") for s in sections] == names
    for section in sections:
        assert len(section.findall(".//svg")) == 1, section.get("id")
        assert len(section.findall(".//table")) == 1
    assert len(list(doc.iter("svg"))) == len(names)
    assert not list(doc.iter("script"))
    lowered = page.lower()
    for needle in ("<script", "javascript:", "@import", "url(", "<link", "@font-face"):
        assert needle not in lowered
    for element in doc.iter():
        for attr, value in element.attrib.items():
            assert not attr.lower().startswith("on"), attr
            if attr.lower() in ("src", "href", "xlink:href", "action"):
                assert not value.lower().startswith(("http:", "https:", "//")), value
    # The HTML tables hold exactly the CSV's cells, table by table (numbers in data-value)
    # and show each number as English writes it: the same digits, thousands separated.
    from_csv = _csv_tables(csv_text)
    from_html = _html_tables(page)
    assert list(from_html) == names
    for name in names:
        rows = from_csv.get(name, ([], []))[1]
        assert from_html[name] == rows, name
    for td in doc.iterfind(".//td[@data-value]"):
        exact, shown = td.get("data-value"), td.text_content()
        assert shown.replace(",", "") == exact
        whole = exact.split(".")[0]
        assert shown.startswith(f"{int(whole):,}" if whole else ""), (exact, shown)


def test_html_is_self_contained_with_one_chart_per_table_and_the_csv_numbers(
    stats: Stats,
) -> None:
    page = render_stats_html(stats)
    _check_html(page, render_stats_csv(stats), stats)
    # html.parser agrees that the page is well-formed enough to walk.
    from html.parser import HTMLParser

    HTMLParser().feed(page)


def test_html_escapes_text() -> None:
    decl = lenient_declaration(
        {"jurisdiction": "US", "items": [{"origin": "<script>alert(1)</script>", "smelt1": "CN",
                                          "net_mass_kg": 1}]}
    )  # fmt: skip
    stats = compute_stats([decl])
    page = render_stats_html(stats, title="<b>&</b>", errors=['bad "file" <x>'])
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    doc = lxml_html.document_fromstring(page)
    assert doc.findtext(".//h1") == "<b>&</b>"
    _check_html(page, render_stats_csv(stats), stats)


def test_display_cell_writes_numbers_as_the_language_does() -> None:
    kg, money = Decimal("1234567.5"), Decimal("74800")
    assert [display_cell(v, k) for v, k in ((1234, "count"), (kg, "kg"), (money, "money"))] == [
        "1,234", "1,234,567.500", "74,800.00"
    ]  # fmt: skip
    assert display_cell(kg, "kg", "fr") == "1\u202f234\u202f567,500"
    assert display_cell(Decimal("23.809"), "percent", "es") == "23,81"
    assert display_cell(Decimal("1234.5"), "money", "es") == "1.234,50"
    assert display_cell(None, "kg", "fr") == "" and display_cell("CN", "text", "fr") == "CN"


def test_html_shows_the_run_marks_concern_and_reads_in_french(stats: Stats) -> None:
    packs = RuleSet.default().packs
    day = dt.date(2026, 12, 3)
    kwargs: dict[str, Any] = {"run_date": day, "inputs": ["a.xml", "b/"], "packs": packs}
    doc = lxml_html.document_fromstring(render_stats_html(stats, **kwargs))
    assert doc.find(".//time").get("datetime") == "2026-12-03"
    assert doc.find(".//time").text == "Dec 3, 2026"
    assert [c.text for c in doc.findall(".//ul[@class='inline inputs']//code")] == ["a.xml", "b/"]
    shown = [li.text_content() for li in doc.findall(".//ul[@class='inline packs']/li")]
    assert shown == [f"{p.name} {p.version}" for p in packs]
    # Countries of concern are marked where they are keys (by_origin has none: MX, CA, VN).
    marked = {
        t: sorted(
            td.text for td in doc.iterfind(f".//table[@data-table='{t}']//td[@class='concern']")
        )
        for t in ("by_smelt1", "concern_countries", "by_origin")
    }
    assert marked == {"by_smelt1": ["CN"], "concern_countries": sorted(CONCERN_COUNTRIES),
                      "by_origin": []}  # fmt: skip
    legend = doc.get_element_by_id("legend").text_content()
    assert all(f"({c})" in legend for c in CONCERN_COUNTRIES)
    bars = doc.findall(".//section[@id='by_smelt1']//svg//*[@class='bar concern']")
    assert [b.findtext("text/tspan") for b in bars] == ["▲"]

    fr = lxml_html.document_fromstring(render_stats_html(stats, lang="fr", **kwargs))
    assert fr.get("lang") == "fr" and fr.find(".//time").text == "3 déc. 2026"
    assert fr.findtext(".//h1") == "alcheck : surveillance des importations"
    assert fr.findtext(".//section[@id='by_origin']/h2") == "Par origine déclarée"
    # Keys and exact numbers are the same in every language; names are translated.
    fr_rows = _html_tables(render_stats_html(stats, lang="fr"))["by_smelt1"]
    en_rows = _html_tables(render_stats_html(stats))["by_smelt1"]
    assert [r[:1] + r[2:] for r in fr_rows] == [r[:1] + r[2:] for r in en_rows]
    assert ["CN", "Chine"] in [r[:2] for r in fr_rows]
    assert fr.find(".//td[@data-value='2100.000']").text == "2\u202f100,000"


def test_text_in_french_and_machine_formats_in_every_language(stats: Stats) -> None:
    text = render_stats_text(stats, lang="fr", errors=["gone.xml"])
    assert "Par pays de la plus grande fonte (fonte1)" in text and "2\u202f100,000" in text
    assert "Chine" in text and "non déclaré" in text
    assert text.rstrip().endswith("non lu : gone.xml")
    assert render_stats_text(stats, lang="en") == render_stats_text(stats)


def test_countries_of_concern_are_the_rule_packs_set() -> None:
    # The stats and the page use CONCERN_COUNTRIES; the rules use each pack's `concern` set.
    sets = {name: load_bundled(name).sets.get("concern") for name in bundled_pack_names()}
    assert {name: s for name, s in sets.items() if s} == {
        name: list(CONCERN_COUNTRIES) for name, s in sets.items() if s
    }
    assert sets["risk"], "the risk pack defines the countries of concern"


def test_csv_layout(stats: Stats) -> None:
    text = render_stats_csv(stats)
    tables = _csv_tables(text)
    assert list(tables) == [t.name for t in stats.tables()]
    header, rows = tables["totals"]
    assert header == [
        "declarations", "lines", "net_kg", "lines_without_net_mass", "value",
        "value_not_converted", "currency",
    ]  # fmt: skip
    assert rows == [["3", "6", "2100.000", "1", "5937.50", "2", "USD"]]
    header, rows = tables["concern_share"]
    assert header == ["category", "description", "lines", "net_kg", "share_pct"]
    assert [r[0] for r in rows] == ["other", "concern", "not_reported", "unknown"]
    assert rows[1][2:] == ["2", "500.000", "23.81"]
    header, rows = tables["origin_by_smelt1"]
    assert header[:4] == ["origin", "origin_name", "smelt1", "smelt1_name"]
    assert rows[0] == ["CA", "Canada", "CA", "Canada", "1", "1000.000", "83.33"]


def test_json_is_versioned_and_matches_the_tables(stats: Stats) -> None:
    doc = json.loads(render_stats_json(stats, errors=["x.xml: cannot read"]))
    assert doc["schema_version"] == "1"
    assert doc["currency"] == "USD"
    assert doc["errors"] == ["x.xml: cannot read"]
    assert [t["name"] for t in doc["tables"]] == [t.name for t in stats.tables()]
    totals = doc["tables"][0]["rows"][0]
    assert totals == {
        "declarations": 3, "lines": 6, "net_kg": 2100.0, "lines_without_net_mass": 1,
        "value": 5937.5, "value_not_converted": 2, "currency": "USD",
    }  # fmt: skip
    concern = {r["category"]: r for r in doc["tables"][6]["rows"]}
    assert concern["concern"]["share_pct"] == 23.81
    empty = json.loads(render_stats_json(compute_stats([])))
    assert empty["tables"][6]["rows"][0]["share_pct"] is None
    # Every number equals the CSV's string read as a number.
    from_csv = _csv_tables(render_stats_csv(stats))
    for table in doc["tables"]:
        columns = [c["name"] for c in table["columns"]]
        for row, csv_row in zip(table["rows"], from_csv[table["name"]][1], strict=True):
            for column, cell in zip(columns, csv_row, strict=True):
                value = row[column]
                if isinstance(value, float):
                    assert value == float(cell), (table["name"], column)
                else:
                    assert ("" if value is None else str(value)) == cell, (table["name"], column)


def test_text_report(stats: Stats) -> None:
    text = render_stats_text(stats, errors=["gone.xml: cannot read"])
    assert "By country of largest smelt (smelt1)" in text
    assert "2100.000" in text and "5937.50" in text and "23.81" in text
    assert text.rstrip().endswith("not read: gone.xml: cannot read")


def test_stats_is_immutable(stats: Stats) -> None:
    with pytest.raises(AttributeError):
        stats.currency = "EUR"  # type: ignore[misc]


# --- command line ---------------------------------------------------------------------


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="alcheck")
    add_stats_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    assert args.handler is run_stats
    return run_stats(args)


def _write_decls(path: Path) -> Path:
    path.write_text(json.dumps(DECLARATIONS), encoding="utf-8")
    return path


def test_cli_json_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _write_decls(tmp_path / "decls.json")
    assert _run(["stats", str(data), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["tables"][0]["rows"][0]["lines"] == 6


def test_cli_rates_output_file_and_currency(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _write_decls(tmp_path / "decls.json")
    rates = tmp_path / "rates.json"
    rates.write_text('{"eur/usd": 1.1}', encoding="utf-8")
    out = tmp_path / "out.csv"
    assert _run(["stats", str(data), "--format", "csv", "-o", str(out), "--rates", str(rates)]) == 0
    assert capsys.readouterr().out == ""
    totals = _csv_tables(out.read_text(encoding="utf-8"))["totals"][1][0]
    assert totals[4:6] == ["8137.50", "1"]


def test_cli_html_file(tmp_path: Path) -> None:
    data = _write_decls(tmp_path / "decls.json")
    out = tmp_path / "stats.html"
    assert _run(["stats", str(data), "--format", "html", "-o", str(out)]) == 0
    stats = compute_stats(_decls())
    page = out.read_text(encoding="utf-8")
    _check_html(page, render_stats_csv(stats), stats)
    doc = lxml_html.document_fromstring(page)
    assert doc.find(".//time").get("datetime") == dt.date.today().isoformat()
    assert doc.findtext(".//ul[@class='inline inputs']//code") == str(data)
    assert {li.get("data-pack") for li in doc.iterfind(".//ul[@class='inline packs']/li")} == set(
        bundled_pack_names()
    )


def test_cli_lang(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _write_decls(tmp_path / "decls.json")
    for fmt in ("csv", "json"):  # machine formats: the same in every language
        outputs = []
        for lang in ("en", "fr", "es"):
            assert _run(["stats", str(data), "--format", fmt, "--lang", lang]) == 0
            outputs.append(capsys.readouterr().out)
        assert outputs[0] == outputs[1] == outputs[2], fmt
    assert _run(["stats", str(data), "--lang", "es"]) == 0
    assert "Por origen declarado" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        _run(["stats", str(data), "--lang", "de"])


def test_cli_unreadable_input_still_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _write_decls(tmp_path / "decls.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    missing = tmp_path / "missing.xml"
    code = _run(["stats", str(data), str(broken), str(missing), "--format", "json"])
    assert code == 2
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["tables"][0]["rows"][0]["lines"] == 6
    assert len(doc["errors"]) == 2
    assert str(broken) in captured.err and str(missing) in captured.err


def test_cli_bad_rates_and_currency(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _write_decls(tmp_path / "decls.json")
    rates = tmp_path / "rates.json"
    rates.write_text('{"EUR-USD": 1.1}', encoding="utf-8")
    assert _run(["stats", str(data), "--rates", str(rates)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert str(rates) in captured.err and "EUR-USD" in captured.err
    assert _run(["stats", str(data), "--currency", "DOLLARS"]) == 2
    assert "DOLLARS" in capsys.readouterr().err


def test_python_m_cli_stats(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "alcheck.cli_stats", str(CLEAN), "--format", "csv"],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    totals = _csv_tables(result.stdout)["totals"][1][0]
    assert totals == ["1", "1", "18450.000", "0", "74800.00", "0", "USD"]


# --- the HMRC CDS corpus --------------------------------------------------------------


def test_hmrc_corpus(corpus_dir: Path) -> None:
    samples = corpus_dir / "examples" / "annotated_XML_samples"
    errors: list[Exception] = []
    seen = {"declarations": 0, "items": 0}

    def counted() -> Iterator[Declaration]:
        for decl in read_paths(samples, on_error=errors.append):
            seen["declarations"] += 1
            seen["items"] += len(decl.items)
            yield decl

    stats = compute_stats(counted(), currency="GBP")
    assert seen["items"] > 300 and errors  # the folder holds notifications and broken files
    assert stats.declarations == seen["declarations"]
    assert stats.total.lines == seen["items"]
    for groups in (stats.by_jurisdiction, stats.by_heading, stats.by_origin, stats.by_smelt1,
                   stats.by_cast):  # fmt: skip
        assert sum(g.lines for g in groups) == seen["items"]
        assert sum(g.net_kg for g in groups) == stats.total.net_kg
    assert sum(s.lines for s in stats.concern) == seen["items"]
    csv_text = render_stats_csv(stats)
    _check_html(render_stats_html(stats), csv_text, stats)
    json.loads(render_stats_json(stats))
