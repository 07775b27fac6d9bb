"""The monitoring page in a real browser: Debian's headless Chromium renders the page of
the example files, screenshots it, and dumps its DOM after layout.

The browser is required, never skipped: CI installs it (.ci/run). The checks need a
layout engine: what a chart shows, whether a label sticks out of its chart, which mark a
country of concern gets from the style sheet.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import html as lxml_html

from alcheck.cli_stats import main as stats_main
from alcheck.errors import NotADeclarationError
from alcheck.formats import read_paths
from alcheck.i18n import date_text
from alcheck.ruleset import RuleSet
from alcheck.stats import CONCERN_COUNTRIES, Stats, compute_stats

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CHROMIUM = Path("/usr/bin/chromium")
WIDTH, HEIGHT = 1280, 2000
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    f"--window-size={WIDTH},{HEIGHT}",
]  # fmt: skip

# Added to the test's copy of the page only (the page itself has no script): after layout,
# write into <body> the SVG texts that stick out of their chart's box, and the mark the
# style sheet puts before a country of concern in a table.
MEASURE = """<script>
(() => {
  const out = [];
  for (const svg of document.querySelectorAll("svg")) {
    const box = svg.viewBox.baseVal;
    for (const text of svg.querySelectorAll("text")) {
      const b = text.getBBox();
      if (b.x < box.x - 0.5 || b.y < box.y - 0.5 || b.x + b.width > box.x + box.width + 0.5
          || b.y + b.height > box.y + box.height + 0.5) {
        out.push(text.textContent);
      }
    }
  }
  document.body.dataset.outside = JSON.stringify(out);
  const cell = document.querySelector("td.concern");
  document.body.dataset.mark = cell ? getComputedStyle(cell, "::before").content : "";
})();
</script>"""


def _chromium(user_data: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={user_data}", *args],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _render(folder: Path, lang: str) -> tuple[Path, Path]:
    """Write the page of the examples through the command, and its measured copy."""
    page, measured = folder / f"{lang}.html", folder / f"{lang}-measured.html"
    assert stats_main([str(EXAMPLES), "--format", "html", "--lang", lang, "-o", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    measured.write_text(text.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    return page, measured


class Browsed:
    """What the browser made of the English and French pages: a screenshot, two DOMs."""

    def __init__(self, folder: Path) -> None:
        if not CHROMIUM.is_file():
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (CI: .ci/run does)")
        self.screenshot = folder / "page.png"
        self.dom: dict[str, lxml_html.HtmlElement] = {}
        # Browsers start as soon as their page is written, each with its own profile, and
        # run side by side: the test stays a few seconds.
        runs: dict[str, subprocess.Popen[bytes]] = {}
        try:
            for lang in ("en", "fr"):
                page, measured = _render(folder, lang)
                if lang == "en":
                    shot = f"--screenshot={self.screenshot}"
                    runs["shot"] = _chromium(folder / "shot", shot, page.as_uri())
                runs[lang] = _chromium(folder / lang, "--dump-dom", measured.as_uri())
            for name, run in runs.items():
                out, _ = run.communicate(timeout=120)
                assert run.returncode == 0, f"chromium ({name}) exited {run.returncode}"
                if name != "shot":
                    self.dom[name] = lxml_html.document_fromstring(out)
        finally:
            for run in runs.values():
                if run.poll() is None:
                    run.kill()
                    run.wait()


@pytest.fixture(scope="module")
def browsed(tmp_path_factory: pytest.TempPathFactory) -> Browsed:
    return Browsed(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def stats() -> Stats:
    errors: list[Exception] = []
    result = compute_stats(read_paths([EXAMPLES], on_error=errors.append))
    assert not [e for e in errors if not isinstance(e, NotADeclarationError)]
    return result


def _en(value: Decimal | int, places: int) -> str:
    """English with thousands separators, by Python's format (not Babel's)."""
    return f"{value:,.{places}f}"


def _fr(value: Decimal | int, places: int) -> str:
    """French: narrow no-break spaces between thousands, a decimal comma."""
    return _en(value, places).replace(",", "\u202f").replace(".", ",")


def _cells(dom: lxml_html.HtmlElement, table: str) -> Iterator[lxml_html.HtmlElement]:
    return dom.iterfind(f".//table[@data-table='{table}']/tbody/tr")


def test_screenshot_is_a_png_of_the_window(browsed: Browsed) -> None:
    data = browsed.screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (WIDTH, HEIGHT)
    # A blank page of this size compresses to under 10 kB; this one has charts and tables.
    assert len(data) > 50_000


def test_every_table_and_chart_with_numbers_written_in_full(browsed: Browsed, stats: Stats) -> None:
    dom = browsed.dom["en"]
    names = [t.name for t in stats.tables()]
    assert [s.get("id") for s in dom.iterfind(".//section")] == names
    for section in dom.iterfind(".//section"):
        assert len(section.findall(".//svg")) == 1 and len(section.findall(".//table")) == 1
    totals = [td.text for td in next(_cells(dom, "totals")).iterfind("td")]
    total = stats.total
    assert totals == [
        _en(stats.declarations, 0), _en(total.lines, 0), _en(total.net_kg, 3),
        _en(total.lines_without_net_mass, 0), _en(total.value, 2),
        _en(total.value_not_converted, 0), stats.currency,
    ]  # fmt: skip
    assert total.net_kg >= 1000 and "," in totals[2]  # the examples need a separator
    # Each bar shows its figure, in full, beside it (not only on hover).
    origin_bars = dom.findall(".//section[@id='by_origin']//svg//text[@class='value']")
    assert [t.text for t in origin_bars] == [_en(g.net_kg, 3) for g in stats.by_origin]
    # Each grid cell with lines shows its figure in short (7.5M); the full one is in the table.
    cells = dom.findall(".//section[@id='origin_by_cast']//svg/g")
    with_lines = [g for g in cells if g.find("rect").get("fill") != "#f4f6f8"]
    figures = [g.findtext("text") for g in with_lines]
    assert len(cells) > len(with_lines) > 10
    assert all(re.fullmatch(r"\d+(\.\d)?[KMB]?", f or "") for f in figures), figures


def test_the_run_date_inputs_and_rule_packs(browsed: Browsed) -> None:
    dom = browsed.dom["en"]
    time = dom.find(".//header//time")
    today = dt.date.today()
    assert (time.get("datetime"), time.text) == (today.isoformat(), date_text(today, "en"))
    assert [c.text for c in dom.iterfind(".//ul[@class='inline inputs']//code")] == [str(EXAMPLES)]
    shown = [li.text_content() for li in dom.iterfind(".//ul[@class='inline packs']/li")]
    assert shown == [f"{p.name} {p.version}" for p in RuleSet.default().packs]
    assert len(shown) >= 4


def test_countries_of_concern_are_marked(browsed: Browsed, stats: Stats) -> None:
    dom = browsed.dom["en"]
    for row in _cells(dom, "by_origin"):
        key = row.find("td")
        concern = key.text in CONCERN_COUNTRIES
        assert (key.get("class") == "concern") is concern, key.text
        assert (row.get("class") == "concern") is concern
    assert {"CN", "RU"} <= {g.key for g in stats.by_origin}  # the examples hold both
    assert dom.body.get("data-mark") == '"\u25b2\u00a0"'  # the style sheet's mark, drawn
    bars = dom.findall(".//section[@id='by_origin']//svg/g")
    marked = [b.findtext("text[@class='label']/tspan") == "▲" for b in bars]
    assert marked == [g.key in CONCERN_COUNTRIES for g in stats.by_origin]
    assert all("concern" in b.get("class") for b, m in zip(bars, marked, strict=True) if m)
    grid = dom.find(".//section[@id='origin_by_smelt1']//svg")
    assert {t.text_content() for t in grid.iterfind(".//text[@class='col']")} >= {"▲ CN"}
    legend = dom.get_element_by_id("legend").text_content()
    for code in CONCERN_COUNTRIES:
        assert f"({code})" in legend


def test_no_label_sticks_out_of_its_chart(browsed: Browsed) -> None:
    for lang, dom in browsed.dom.items():
        assert dom.body.get("data-outside") == "[]", lang


def test_the_french_page(browsed: Browsed, stats: Stats) -> None:
    dom = browsed.dom["fr"]
    assert dom.get("lang") == "fr"
    assert dom.findtext(".//h1") == "alcheck : surveillance des importations"
    headings = [h.text for h in dom.iterfind(".//section/h2")]
    assert headings == [t.title for t in stats.tables("fr")]
    assert headings[:4] == [
        "Totaux", "Par juridiction (pays importateur)", "Par position du SH",
        "Par origine déclarée",
    ]  # fmt: skip
    assert not set(headings) & {t.title for t in stats.tables()}  # none left in English
    assert [term.text for term in dom.iterfind(".//dl[@class='run']/dt")] == [
        "Date d'exécution", "Entrées", "Paquets de règles",
    ]  # fmt: skip
    totals = [td.text for td in next(_cells(dom, "totals")).iterfind("td")]
    assert totals[2] == _fr(stats.total.net_kg, 3) and totals[4] == _fr(stats.total.value, 2)
    names = {row.find("td").text: row.findall("td")[1].text for row in _cells(dom, "by_origin")}
    assert names["CN"] == "Chine"
