"""Make declaration text safe to show: in a spreadsheet cell and on a terminal.

Declarations come from outside, and their text (ids, values, descriptions, file names)
reaches the reports. Two renderers need it disarmed (docs/output.md):

- `spreadsheet_text`: a CSV cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
  return is read by spreadsheets as a formula (CSV injection, OWASP), so such a cell gets
  a leading single quote; so does a cell that starts with a quote, so that removing one
  leading quote always gives the text back.
  `csv_row` writes the cells (RFC 4180), quoting any that holds a comma, a double quote,
  a carriage return or a newline (Python 3.11's `csv.writer`, with "\\n" as its line
  terminator, leaves a carriage return unquoted: a row break in a spreadsheet).
- `terminal_text`: control characters would drive the terminal (colours, cursor moves,
  a carriage return that hides what came before, a bell) and bidirectional overrides
  would reorder what is shown, so they are shown escaped, as in Python (`\\x1b`,
  `\\u202e`); letters, accents and other ordinary text are kept as they are.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

__all__ = ["FORMULA_START", "QUOTE", "csv_row", "spreadsheet_text", "terminal_text", "unquote"]

QUOTE = "'"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_QUOTED_START = (*FORMULA_START, QUOTE)

# Unicode categories shown escaped: controls (C0, DEL, C1), format characters (bidi
# embeddings, overrides, isolates and marks, zero-width spaces, byte order marks, tags),
# lone surrogates (which no terminal encoding can write) and the line and paragraph
# separators. The zero-width non-joiner and joiner are format characters that ordinary
# text needs (Persian, Indic scripts, emoji sequences): kept.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_KEPT = frozenset({"\u200c", "\u200d"})


def spreadsheet_text(text: str) -> str:
    """Return text as a CSV cell that a spreadsheet never reads as a formula.

    A text that starts with one of `FORMULA_START` or with a single quote gets one
    leading single quote; `unquote` gives the text back.
    """
    return QUOTE + text if text.startswith(_QUOTED_START) else text


def unquote(cell: str) -> str:
    """Return the text a CSV text cell holds: without the quote `spreadsheet_text` added."""
    return cell[1:] if cell.startswith(QUOTE) else cell


def _csv_field(cell: str | int) -> str:
    text = str(cell)
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_row(cells: Iterable[str | int]) -> str:
    """Return one CSV row ending in a newline; cells are written as given (RFC 4180).

    A cell holding a comma, a double quote, a carriage return or a newline is quoted,
    its double quotes doubled. Pass text cells through `spreadsheet_text` first.
    """
    return ",".join(_csv_field(cell) for cell in cells) + "\n"


def _escaped(ch: str) -> str:
    if ch in _KEPT or unicodedata.category(ch) not in _ESCAPED_CATEGORIES:
        return ch
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def terminal_text(text: str) -> str:
    """Return text with its control and format characters shown as escapes (`\\x1b`).

    A newline or a tab in the text is escaped too (`\\x0a`, `\\x09`): the line breaks a
    report writes itself are the only ones in it.
    """
    if text.isprintable():  # nothing to escape (the common case, checked in C)
        return text
    return "".join(_escaped(ch) for ch in text)
