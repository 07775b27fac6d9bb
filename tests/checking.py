"""What the "nothing lost" tests share: check one input as the command line does."""

from __future__ import annotations

from alcheck.checking import check_file
from alcheck.gateway import Screening
from alcheck.report import CheckedFile
from alcheck.ruleset import RuleSet

BUILTIN_ONLY = RuleSet.compile([])


def checked(name: str) -> CheckedFile:
    """Return an input checked as `alcheck check` checks it, built-in checks only."""
    screening = Screening.of_call(BUILTIN_ONLY, None, None, "en", (), (), None)
    return check_file(name, screening)
