"""Text normalization for keyword matching: case- and accent-insensitive whole words."""

from __future__ import annotations

import unicodedata


def normalize_words(text: str) -> str:
    """Return `text` casefolded, without accents, with runs of non-alphanumerics as one space.

    Whole-word matching is then a substring test with a space on each side of both texts.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    out: list[str] = []
    space = True
    for ch in decomposed:
        if unicodedata.combining(ch):
            continue
        if ch.isalnum():
            out.append(ch)
            space = False
        elif not space:
            out.append(" ")
            space = True
    return "".join(out).strip()
