"""How a check is run: the language, which rules count and how severe, the date judged on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict

from .errors import UsageError
from .findings import Finding, Severity
from .i18n import LANGS
from .rates import Rates, check_rates
from .ruleset import RuleSet


@dataclass(frozen=True, slots=True)
class Options:
    """How findings are selected and graded (see `validate`)."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] | None = None

    @classmethod
    def of_call(
        cls, lang: str, select: Sequence[str], ignore: Sequence[str],
        severity: Mapping[str, Severity | str] | None, rates: Rates | None = None,
    ) -> Options:  # fmt: skip
        """Return the options of a `check`-like call; refuse what it cannot mean.

        A language alcheck lacks, a string where a list of rule ids is expected (it would be
        read letter by letter), an empty id (it would match every rule), a severity that is
        not one, or an exchange rate that is not a positive finite number: UsageError.
        """
        if lang not in LANGS:
            raise UsageError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
        for name, ids in (("select", select), ("ignore", ignore)):
            _check_ids(name, ids)
        grades: dict[str, Severity] | None = None
        if severity:
            if not isinstance(severity, Mapping):
                raise UsageError("severity takes a mapping {rule id or prefix: level}")
            _check_ids("severity", list(severity))
            try:
                grades = {k: Severity(v) for k, v in severity.items()}
            except ValueError as exc:
                raise UsageError(f"severity: {exc}; levels are error, warning, info") from None
        if rates is not None:
            check_rates(rates)
        return cls(tuple(select), tuple(ignore), grades)

    def keep(self, rule_id: str) -> bool:
        """Tell whether a rule id passes select (prefixes; empty = all) and ignore."""
        if self.select and not any(rule_id.startswith(p) for p in self.select):
            return False
        return not any(rule_id.startswith(p) for p in self.ignore)

    def grade(self, rule_id: str, severity: Severity) -> Severity:
        """Return a rule's severity after the override of its exact id or longest id prefix."""
        if not self.severity:
            return severity
        best = max((p for p in self.severity if rule_id.startswith(p)), key=len, default=None)
        return severity if best is None else self.severity[best]

    def regrade(self, finding: Finding) -> Finding:
        """Apply a severity override to a finding (see `grade`)."""
        severity = self.grade(finding.rule_id, finding.severity)
        if severity is finding.severity:
            return finding
        return finding.model_copy(update={"severity": severity})


def _check_ids(name: str, ids: object) -> None:
    if isinstance(ids, str | bytes):
        raise UsageError(f"{name} takes a list of rule ids or prefixes, not the string {ids!r}")
    for rid in ids:  # type: ignore[attr-defined]
        if not isinstance(rid, str) or not rid.strip():
            raise UsageError(f"{name}: {rid!r} is not a rule id or prefix (it would match all)")


def today() -> dt.date:
    """Return the date a declaration with neither `as_of` nor an entry date is judged on.

    Every path asks here (tests fix the date by replacing this one function).
    """
    return dt.date.today()


class CheckOptions(TypedDict, total=False):
    """The keywords every check takes (`validate`, `findings_table`, `alcheck.dask`...).

    rules: a RuleSet (default: every bundled pack); as_of: a date that overrides entry
    dates; rates: {("EUR", "USD"): Decimal("1.08")}; lang: "en", "fr" or "es"; select /
    ignore: rule ids or id prefixes; severity: {rule id or prefix: level}.
    """

    rules: RuleSet | None
    as_of: dt.date | None
    rates: Rates | None
    lang: str
    select: Sequence[str]
    ignore: Sequence[str]
    severity: Mapping[str, Severity | str] | None
