"""Choose the compiled kernels or their pure-Python twins, all together.

Seven kernels: the rule matcher (`_fastmatch.pyx`, twin `_fastmatch_py.py`), the WCO
declaration and goods-item reader of the gateway path (`formats/_wcoitem.pyx`, twin
`formats/_wcoitem_py.py`), the plain CBSA CAD declaration reader (`formats/_cad.pyx`, twin
`formats/_cad_py.py`), the layout of the national readers' loose declarations
(`formats/_loose.pyx`, twin `formats/_loose_py.py`), the maker of findings' and
locations' models (`_plain.pyx`, twin `_plain_py.py`), the builder of goods items' rule
findings (`_rule_findings.pyx`, twin `_rule_findings_py.py`), and the writer of a
finding's line of the JSON report (`_finding_json.pyx`, twin `_finding_json_py.py`).
ALCHECK_IMPLEMENTATION=cython requires every extension (an absent one is an error),
=python uses the twins, and unset uses the extensions when all import and the twins
otherwise, so that `IMPLEMENTATION` names what every kernel runs.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import TYPE_CHECKING, cast

from .errors import ImplementationError

# The plain-model kernel first: the item reader and the findings builder import it, and
# a missing one must be named as itself, not as the kernel that imports it.
_COMPILED = (
    "alcheck._plain", "alcheck._fastmatch", "alcheck.formats._wcoitem",
    "alcheck.formats._cad", "alcheck.formats._loose", "alcheck._rule_findings",
    "alcheck._finding_json",
)  # fmt: skip
_TWINS = (
    "alcheck._plain_py", "alcheck._fastmatch_py", "alcheck.formats._wcoitem_py",
    "alcheck.formats._cad_py", "alcheck.formats._loose_py", "alcheck._rule_findings_py",
    "alcheck._finding_json_py",
)  # fmt: skip


def _load() -> tuple[ModuleType | str, ...]:
    mode = os.environ.get("ALCHECK_IMPLEMENTATION", "").strip().lower()
    if mode not in ("", "cython", "python"):
        raise ImplementationError(
            f"ALCHECK_IMPLEMENTATION must be 'cython', 'python' or unset, not {mode!r}"
        )
    if mode != "python":
        try:
            return (*(importlib.import_module(name) for name in _COMPILED), "cython")
        except ImportError as exc:
            if mode == "cython":
                missing = exc.name if exc.name in _COMPILED else " or ".join(_COMPILED)
                raise ImplementationError(
                    f"ALCHECK_IMPLEMENTATION=cython but the compiled extension {missing} "
                    f"cannot be imported: {exc}"
                ) from exc
    return (*(importlib.import_module(name) for name in _TWINS), "python")


_loaded = _load()
plain_kernel, kernel, item_kernel, cad_kernel, loose_kernel, findings_kernel, json_kernel = (
    cast(ModuleType, module) for module in _loaded[:-1]
)
IMPLEMENTATION = cast(str, _loaded[-1])

# The kernel names called across the package, typed by their twins.
if TYPE_CHECKING:
    from ._finding_json_py import FindingJson as FindingJson
    from ._plain_py import plain_model as plain_model
    from ._rule_findings_py import ItemFindings as ItemFindings
else:
    plain_model = plain_kernel.plain_model
    ItemFindings = findings_kernel.ItemFindings
    FindingJson = json_kernel.FindingJson
