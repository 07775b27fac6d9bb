"""The command line's garbage collection: tuned for a batch run, in its own process only.

A check makes a `Finding` (a pydantic model, with its `Location`) for every finding and
keeps a declaration's findings until its report lines are written: thousands of young
objects at a time, which made Python's collector run often and traverse the whole heap
(the modules, the compiled rules) again and again; on the 60 x 999 workload that was
about a third of the time spent building findings. The library never changes the
collector (it runs in its caller's process); the command line, whose process it is, does.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Objects made before a young-generation collection; Python's default is 700.
YOUNG = 10_000


@contextmanager
def batch_collection() -> Iterator[None]:
    """Collect less often while checking, and never traverse what start-up made (the
    modules, the compiled rule set: none of it is garbage); restore both after."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
