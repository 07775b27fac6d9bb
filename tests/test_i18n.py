"""Issue 19, item 3: alcheck's own words come from one catalogue per language, with English
as the source and fallback; numbers and dates follow the language; house packs may be
English only; no message says "none" for a value that is missing."""

from __future__ import annotations

import datetime as dt
import gettext
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import alcheck
from alcheck import cli
from alcheck.i18n import date_text, number, translation
from alcheck.messages import fill, missing_word, template_pieces
from alcheck.model import lenient_declaration
from alcheck.report.run import Tally
from alcheck.report.text import summary
from alcheck.rules import bundled_pack_names, load_bundled, load_pack
from alcheck.rules.golden import case_declaration

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SRC_LOCALE = ROOT / "src" / "alcheck" / "locale"


def _catalogue(lang: str) -> dict[object, object]:
    with (SRC_LOCALE / lang / "LC_MESSAGES" / "alcheck.po").open("rb") as stream:
        catalog = read_po(stream)
    return {m.id: m.string for m in catalog if m.id}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_french_and_spanish_catalogues_translate_the_same_texts_with_the_same_placeholders() -> (
    None
):
    fr, es = _catalogue("fr"), _catalogue("es")
    assert fr.keys() == es.keys()
    for catalogue in (fr, es):
        for msgid, msgstr in catalogue.items():
            ids = msgid if isinstance(msgid, tuple) else (msgid,)
            texts = msgstr if isinstance(msgstr, tuple) else (msgstr,)
            assert all(t for t in texts), f"untranslated: {msgid!r}"
            # A translation may drop a placeholder (French says "{n} chiffres" without the
            # list of lengths) but never name one the code does not fill.
            allowed = set().union(*(_fields(i) for i in ids))
            for text in texts:
                assert _fields(text) <= allowed, (msgid, text)


def test_the_installed_catalogue_is_the_source_catalogue() -> None:
    """The package reads what the .po files say (compiled .mo in a wheel, else the .po)."""
    for lang in ("fr", "es"):
        words = translation(lang)
        for msgid, msgstr in _catalogue(lang).items():
            if isinstance(msgid, tuple):
                assert isinstance(msgstr, tuple)
                assert words.ngettext(msgid[0], msgid[1], 1) == msgstr[0]
            else:
                assert words.gettext(msgid) == msgstr, msgid


def test_english_is_the_source_text_and_the_fallback() -> None:
    assert translation("en").gettext("judged on no date") == "judged on no date"
    assert translation("fr").gettext("a text no catalogue has") == "a text no catalogue has"
    with pytest.raises(ValueError, match="no catalogue"):
        translation("de")


def _recorded(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Record every text asked of a non-English catalogue from now on."""
    asked: set[str] = set()
    plain, plural = gettext.GNUTranslations.gettext, gettext.GNUTranslations.ngettext

    def record(self: gettext.GNUTranslations, message: str) -> str:
        asked.add(message)
        return plain(self, message)

    def record_plural(self: gettext.GNUTranslations, one: str, many: str, n: int) -> str:
        asked.add(one)
        return plural(self, one, many, n)

    monkeypatch.setattr(gettext.GNUTranslations, "gettext", record)
    monkeypatch.setattr(gettext.GNUTranslations, "ngettext", record_plural)
    return asked


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_every_text_the_command_line_asks_for_is_in_the_catalogue(
    lang: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked = _recorded(monkeypatch)
    files = [str(EXAMPLES / n) for n in ("us-triggers.xml", "us-bad-codes.json", "ca-clean.csv")]
    for argv in (
        ["check", *files, "--lang", lang, "--fail-on", "never"],
        ["check", *files, "--lang", lang, "--format", "concise", "--fail-on", "never"],
        ["rules", "list", "--lang", lang],
        ["explain", "US-AIM-LICENSE", "--lang", lang],
        ["explain", "us", "--lang", lang],
    ):
        assert cli.main(argv) == 0
    capsys.readouterr()
    catalogue = {m if isinstance(m, str) else m[0] for m in _catalogue(lang)}
    assert asked, "the run asked the catalogue for nothing"
    assert asked <= catalogue, sorted(asked - catalogue)


def test_the_text_report_speaks_french_numbers_and_dates_included(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli.main(["check", str(EXAMPLES / "us-triggers.xml"), "--lang", "fr", "--fail-on", "never"])
    out = capsys.readouterr().out
    assert "— déclaration " in out and "(jugée au 18 juil. 2022)" in out
    assert re.search(r"^  \S+: erreur US-232-DUTY: Le code HTS", out, re.M)
    assert "    conseil : " in out and "    valeur : " in out
    assert "judged on" not in out and " error(s)" not in out
    last = out.rstrip("\n").rsplit("\n", 1)[-1]
    assert re.fullmatch(
        r"271 déclaration\(s\) dans 1 fichier\(s\) : \d+ erreur\(s\), "
        r"\d+ avertissement\(s\), \d+ info",
        last,
    ), last


def test_counts_and_dates_are_written_as_each_language_writes_them() -> None:
    tally = Tally(error=1234, warning=2, info=0, declarations=1500, inputs=3)
    assert summary(tally, "en").startswith("1,500 declaration(s) in 3 input(s): 1,234 error(s)")
    assert summary(tally, "fr").startswith("1\u202f500 déclaration(s) dans 3 fichier(s)")
    assert "1.234 error(es)" in summary(tally, "es")
    assert number(1234.5, "es") == "1234,5" or number(1234.5, "es") == "1.234,5"
    assert date_text(dt.date(2026, 12, 3), "en") == "Dec 3, 2026"
    assert date_text(dt.date(2026, 12, 3), "fr") == "3 déc. 2026"


def _templates() -> Iterator[tuple[str, str, str]]:
    for name in bundled_pack_names():
        for rule in load_bundled(name).rules:
            entries = [rule, *getattr(rule, "entries", ())]
            for entry in entries:
                message = getattr(entry, "message", None)
                if message is None:
                    continue
                for lang in ("en", "fr", "es"):
                    yield rule.id, lang, getattr(message, lang)


# The words a message used for a missing value before issue 19; a message may still use
# them in its own text ("aucun certificat n'est cité"), never in place of a value.
_OLD_MISSING = {"en": "none", "fr": "aucun", "es": "ninguno"}


def _count(word: str, text: str) -> int:
    return len(re.findall(rf"\b{word}\b", text, re.I))


def test_every_bundled_message_renders_with_every_value_missing_without_none() -> None:
    seen = 0
    for rule_id, lang, template in _templates():
        split = template_pieces(template)
        assert split is not None, (rule_id, template)
        fields = split[1]
        text = fill(template, {}, {}, lang)
        seen += 1
        assert "{" not in text and "}" not in text, (rule_id, lang, text)
        assert "None" not in text.replace("None", "", template.count("None")), (rule_id, text)
        old = _OLD_MISSING[lang]
        assert _count(old, text) == _count(old, template), (rule_id, lang, text)
        if fields:
            assert any(missing_word(lang, f) in text for f in fields), (rule_id, lang, text)
    assert seen > 300


def test_a_house_pack_may_be_english_only(tmp_path: Path) -> None:
    source = (EXAMPLES / "local-pack.toml").read_text(encoding="utf-8")
    english = "\n".join(
        line for line in source.splitlines() if not re.match(r"\s*\w+\.(fr|es)\s*=", line)
    )
    assert english != source
    pack = tmp_path / "house.toml"
    pack.write_text(english, encoding="utf-8")
    rules = alcheck.RuleSet.compile([*bundled_pack_names(), pack])
    assert all(r.message.fr == r.message.en for r in rules.entries("ACME-EXTRUSION-REVIEW"))
    loaded = load_pack(pack)
    case = next(c for r in loaded.rules for c in r.cases if c.expect == "fire")
    decl = lenient_declaration(case_declaration(loaded, case))
    house = [
        f for f in alcheck.validate(decl, rules=rules, lang="fr")
        if f.rule_id == "ACME-EXTRUSION-REVIEW"
    ]  # fmt: skip
    assert house, "the house pack's rule did not fire on the example"
    (english,) = {r.hint.en for r in rules.entries("ACME-EXTRUSION-REVIEW")}
    assert all(f.hint == english for f in house)
