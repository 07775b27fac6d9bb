"""alcheck: check customs import declarations for aluminum products.

Read declarations (`read`), check them (`validate`), and report the findings.
`IMPLEMENTATION` says which kernels loaded: "cython" or "python".
"""

from ._match import IMPLEMENTATION
from ._version import __version__
from .engine import DeclarationResult, check, iter_findings, validate
from .errors import (
    AlcheckError,
    HostileInputError,
    ImplementationError,
    InputError,
    NotADeclarationError,
    RulePackError,
    RuleSetError,
    UsageError,
)
from .explain import Explanation, explain
from .findings import CheckClass, Finding, Severity
from .formats import read
from .gateway import ScreenedBatch, scan_xml, screen_xml
from .model import Declaration, Document, ExchangeRate, GoodsItem, Location, Party, Regime
from .ruleset import RuleSet
from .screen import ScreenResult, screen

__all__ = [
    "IMPLEMENTATION",
    "AlcheckError",
    "CheckClass",
    "Declaration",
    "DeclarationResult",
    "Document",
    "Explanation",
    "ExchangeRate",
    "Finding",
    "GoodsItem",
    "HostileInputError",
    "ImplementationError",
    "InputError",
    "Location",
    "NotADeclarationError",
    "Party",
    "Regime",
    "RulePackError",
    "RuleSetError",
    "RuleSet",
    "ScreenResult",
    "ScreenedBatch",
    "Severity",
    "UsageError",
    "__version__",
    "check",
    "explain",
    "screen",
    "scan_xml",
    "screen_xml",
    "iter_findings",
    "read",
    "validate",
]
