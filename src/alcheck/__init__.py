"""alcheck: check customs import declarations for aluminum products.

Read declarations (`read`), check them (`validate`), and report the findings.
`IMPLEMENTATION` says which kernels loaded: "cython" or "python".
"""

import logging
from typing import TYPE_CHECKING

from ._lazy import lazy_getattr
from ._version import __version__

# Silent by default: an application that configures logging sees alcheck's records
# (logger "alcheck": inputs checked, rule sets compiled, Dask clusters started).
logging.getLogger("alcheck").addHandler(logging.NullHandler())

# Names are imported on first use (PEP 562), so that the command line can be imported
# without loading the kernels: a bad ALCHECK_IMPLEMENTATION then reaches it as an error
# it prints in one line, not as a traceback. No submodule shares an exported name, so an
# import of a submodule cannot hide one.
_EXPORTS = {
    "IMPLEMENTATION": "._match",
    "DeclarationResult": ".engine", "check": ".engine", "iter_findings": ".engine",
    "validate": ".engine",
    "AlcheckError": ".errors", "HostileInputError": ".errors",
    "ImplementationError": ".errors", "InputError": ".errors",
    "NotADeclarationError": ".errors", "RulePackError": ".errors",
    "RuleSetError": ".errors", "UsageError": ".errors",
    "Explanation": ".explanation", "explain": ".explanation",
    "CheckClass": ".findings", "Finding": ".findings", "Severity": ".findings",
    "read": ".formats",
    "ScreenedBatch": ".gateway", "scan_xml": ".gateway", "screen_xml": ".gateway",
    "Declaration": ".model", "Document": ".model", "ExchangeRate": ".model",
    "GoodsItem": ".model", "Location": ".model", "Party": ".model", "Regime": ".model",
    "RuleSet": ".ruleset",
    "ScreenResult": ".screening", "screen": ".screening",
}  # fmt: skip

if TYPE_CHECKING:
    from ._match import IMPLEMENTATION
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
    from .explanation import Explanation, explain
    from .findings import CheckClass, Finding, Severity
    from .formats import read
    from .gateway import ScreenedBatch, scan_xml, screen_xml
    from .model import Declaration, Document, ExchangeRate, GoodsItem, Location, Party, Regime
    from .ruleset import RuleSet
    from .screening import ScreenResult, screen


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())


def __dir__() -> list[str]:
    return sorted(__all__)


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
