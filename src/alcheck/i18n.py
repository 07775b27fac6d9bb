"""Translate alcheck's own words and format numbers and dates for a report language.

alcheck's interface texts (report headings, summaries, built-in check messages, "not
evaluated" reasons, the stats page) are English in the code and translated through one
gettext catalogue per language: `alcheck/locale/<lang>/LC_MESSAGES/alcheck.po`, compiled
to `alcheck.mo` when the package is built. A text missing from a catalogue is shown in
English. Rule texts come from the rule packs, not from here. Numbers and dates are
formatted by the language's locale with Babel.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_decimal

LANGS: tuple[str, ...] = ("en", "fr", "es")
DOMAIN = "alcheck"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

__all__ = ["DOMAIN", "LANGS", "LOCALE_DIR", "date_text", "number", "translated", "translation"]


@cache
def translation(lang: str) -> gettext.NullTranslations:
    """Return the catalogue of `lang` ("en", "fr" or "es"); English is the source text.

    Catalogues are read once and only read afterwards, so one may serve every thread.
    """
    if lang == "en":
        return gettext.NullTranslations()
    if lang not in LANGS:
        raise ValueError(f"no catalogue for language {lang!r}; expected one of {LANGS}")
    mo = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if mo.is_file():
        with mo.open("rb") as stream:
            return gettext.GNUTranslations(stream)
    # A source checkout has only the .po files (the build compiles them).
    return gettext.GNUTranslations(io.BytesIO(compile_po(mo.with_suffix(".po"))))


def translated(text: str, lang: str) -> str:
    """Return an English text of the catalogue in `lang` (itself where it has none)."""
    return translation(lang).gettext(text)


def compile_po(po: Path) -> bytes:
    """Return the .mo bytes of the catalogue `po`; fuzzy and untranslated texts left out."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as stream:
        catalog = read_po(stream, domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def number(value: int | float | Decimal, lang: str) -> str:
    """Return a number as the language writes it (1,234.5 / 1 234,5 / 1234,5)."""
    return str(format_decimal(value, locale=lang))


def date_text(value: dt.date, lang: str) -> str:
    """Return a date as the language writes it in a sentence (Dec 3, 2026 / 3 déc. 2026)."""
    return str(format_date(value, format="medium", locale=lang))
