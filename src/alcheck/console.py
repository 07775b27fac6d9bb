"""The `alcheck` command: start the command line, or say in one line why it cannot start."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .errors import ImplementationError


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; a kernel that cannot load (ALCHECK_IMPLEMENTATION) exits 2."""
    try:
        from .cli import main as run
    except ImplementationError as exc:
        sys.stderr.write(f"alcheck: {exc}\n")
        return 2
    return run(argv)
