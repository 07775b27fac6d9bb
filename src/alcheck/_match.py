"""Choose the matching kernel: the Cython extension or its pure-Python twin.

ALCHECK_IMPLEMENTATION=cython requires the extension (its absence is an error), =python
uses the twin, and unset tries the extension and falls back to the twin. `IMPLEMENTATION`
says which one loaded.
"""

from __future__ import annotations

import os
from types import ModuleType

from .errors import ImplementationError


def _load() -> tuple[ModuleType, str]:
    mode = os.environ.get("ALCHECK_IMPLEMENTATION", "").strip().lower()
    if mode not in ("", "cython", "python"):
        raise ImplementationError(
            f"ALCHECK_IMPLEMENTATION must be 'cython', 'python' or unset, not {mode!r}"
        )
    if mode != "python":
        try:
            from . import _fastmatch

            return _fastmatch, "cython"
        except ImportError as exc:
            if mode == "cython":
                raise ImplementationError(
                    "ALCHECK_IMPLEMENTATION=cython but the compiled extension "
                    f"alcheck._fastmatch cannot be imported: {exc}"
                ) from exc
    from . import _fastmatch_py

    return _fastmatch_py, "python"


kernel, IMPLEMENTATION = _load()
