"""Check declarations: the entry point for models, and for files read (`read`), onto
the one screening path.

Declarations are laid out as columns (`model_columns`), screened and turned into findings
by `gateway.ScreenedBatch`, as a WCO XML file's columns are. The date a declaration is
judged on: the caller's `as_of` when given, else the declaration's entry date, else today
(`options.today`). Every finding records it (`judged_on`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Unpack, cast

from .findings import Finding, Severity
from .formats import Reading, model_batches
from .gateway import ScreenedBatch, Screening
from .model import Declaration
from .options import CheckOptions
from .rates import Rates
from .ruleset import RuleSet


@dataclass(frozen=True, slots=True)
class DeclarationResult:
    """The findings of one declaration and the date it was judged on (and why that date)."""

    declaration: Declaration
    judged_on: dt.date | None  # None: the entry date could not be read (date_source "unreadable")
    date_source: str
    findings: tuple[Finding, ...]


def check(
    declarations: Declaration | Iterable[Declaration],
    *,
    rules: RuleSet | None = None,
    as_of: dt.date | None = None,
    rates: Rates | None = None,
    lang: str = "en",
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    severity: Mapping[str, Severity | str] | None = None,
    batch_items: int = 1024,
) -> Iterator[DeclarationResult]:
    """Yield each declaration's result in input order, judging items in batches.

    When `declarations` raises (a reader meeting input it cannot read), the declarations
    it gave before are judged and yielded first, then the error is raised: nothing read
    is dropped with the batch it was waiting in.
    """
    screening = Screening.of_call(rules, as_of, rates, lang, select, ignore, severity)
    if isinstance(declarations, Declaration):
        declarations = (declarations,)
    for batch in model_batches(declarations, batch_items=batch_items):
        screened = ScreenedBatch(batch, screening)
        for k, found in screened.by_declaration():
            day, source = screened.judged(k)
            model = cast(Declaration, batch.model[k])  # a model batch keeps every model
            yield DeclarationResult(model, day, source, tuple(found))


def iter_findings(
    declarations: Declaration | Iterable[Declaration], **options: Unpack[CheckOptions]
) -> Iterator[Finding]:
    """Yield every finding of one declaration or of many, in input order (see `check`).

    A file not yet read (`read(path)`) is checked as columns, as the command line checks
    it: no model is made (the findings are the same).
    """
    batches = None
    # A keyword `check` does not take is its to refuse (TypeError), as for models.
    if isinstance(declarations, Reading) and options.keys() <= _KEYWORDS:
        batches = declarations.column_batches()
    if batches is None:
        for result in check(declarations, **options):
            yield from result.findings
        return
    screening = Screening.of_options(options)
    for batch in batches:
        yield from ScreenedBatch(batch, screening).findings()


_KEYWORDS = CheckOptions.__optional_keys__


def validate(
    declarations: Declaration | Iterable[Declaration], **options: Unpack[CheckOptions]
) -> list[Finding]:
    """Return every finding of one declaration or of many, in input order.

    Keywords (`options.CheckOptions`): rules (a RuleSet; default: every bundled pack),
    as_of (a date that overrides entry dates), rates ({("EUR", "USD"): Decimal("1.08")}),
    lang ("en", "fr", "es"), select / ignore (rule ids or id prefixes), severity ({rule id
    or prefix: level}). A value of the wrong kind raises UsageError.
    """
    return list(iter_findings(declarations, **options))
