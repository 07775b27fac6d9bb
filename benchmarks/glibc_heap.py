"""Settle glibc's heap between benchmark steps, so each step pays for its own frees.

glibc defers part of `free`: chunks of up to 128 bytes go on "fast" lists unmerged, and
the next request of 1,008 bytes or more first merges every one of them
(`malloc_consolidate`). A 25 MB lxml tree is freed as about a million such chunks, so
whatever runs next in the process pays for merging them (about 55 ms here, measured by
`heap_state.py`). `settle()` makes that request, so that work is done where it is timed.
Benchmark harness only: alcheck itself never touches the allocator.
"""

from __future__ import annotations

import ctypes
import ctypes.util

_LIBC_NAME = ctypes.util.find_library("c")
_libc = ctypes.CDLL(_LIBC_NAME) if _LIBC_NAME else None
GLIBC = _libc is not None and hasattr(_libc, "malloc_trim")
if GLIBC:
    _libc.malloc.restype = ctypes.c_void_p
    _libc.malloc.argtypes = [ctypes.c_size_t]
    _libc.free.argtypes = [ctypes.c_void_p]


def settle() -> None:
    """Merge the chunks glibc's `free` left unmerged (a no-op where libc is not glibc)."""
    if GLIBC:
        # Past the thread cache (1,032 bytes) and the small bins: glibc consolidates first.
        _libc.free(_libc.malloc(4096))


def trim() -> None:
    """Consolidate and hand free memory back to the system (glibc's `malloc_trim(0)`)."""
    if GLIBC:
        _libc.malloc_trim(0)
