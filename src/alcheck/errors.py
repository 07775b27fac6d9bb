"""The errors alcheck raises; every public error subclasses `AlcheckError`.

A finding is how alcheck reports a problem *in* a declaration. These exceptions are
only for input that cannot be read at all, for bad rule packs and for bad arguments.
"""

from __future__ import annotations


class AlcheckError(Exception):
    """Base of every error alcheck raises on purpose."""


class InputError(AlcheckError, ValueError):
    """Input that cannot be read as declarations; names the file and, where known, the line."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        self.file = file
        self.line = line
        self.reason = message
        where = file or "<input>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}")


class NotADeclarationError(InputError):
    """A well-formed file that holds no declaration (a notification, an inventory message, …)."""


class HostileInputError(InputError):
    """XML that asks for a DTD, entity expansion or an external resource; refused unread."""


class RulePackError(AlcheckError, ValueError):
    """A rule pack that cannot be compiled; `problems` lists every error found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class ImplementationError(AlcheckError, ImportError):
    """ALCHECK_IMPLEMENTATION asks for a kernel that cannot be loaded."""


class UsageError(AlcheckError, ValueError):
    """A caller passed arguments that make no sense (unknown pack name, bad date, …)."""


class RuleSetError(AlcheckError, ValueError):
    """A compiled rule set whose tables do not hold together: corrupted or tampered with.

    Raised when such tables are built or unpickled, before a matching kernel reads them.
    """
