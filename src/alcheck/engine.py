"""Apply checks to declarations and collect findings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .checks import builtin_findings
from .findings import Finding
from .model import Declaration


def iter_findings(
    declarations: Declaration | Iterable[Declaration], *, lang: str = "en"
) -> Iterator[Finding]:
    """Yield the findings of each declaration in input order."""
    if isinstance(declarations, Declaration):
        declarations = (declarations,)
    for decl in declarations:
        yield from builtin_findings(decl, lang)


def validate(
    declarations: Declaration | Iterable[Declaration], *, lang: str = "en"
) -> list[Finding]:
    """Return every finding of one declaration or of many, in input order."""
    return list(iter_findings(declarations, lang=lang))
