"""Check one input on the one path: read as column batches, screen, build the findings.

What the command line, `alcheck.arrow` and `alcheck.dask` run for each input file.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from .errors import AlcheckError, InputError, NotADeclarationError
from .formats import read_columns
from .gateway import ScreenedBatch, Screening
from .report import CheckedDeclaration, CheckedFile


class Part:
    """Which batches of an input to check: every one (`WHOLE`), or those whose index is
    `share` modulo `shares`; `done(index)` is called after each batch checked."""

    __slots__ = ("done", "share", "shares")

    def __init__(self, share: int = 0, shares: int = 1, done: Callable[[int], object] = id) -> None:
        self.share, self.shares, self.done = share, shares, done

    def takes(self, index: int) -> bool:
        """Tell whether batch `index` (from 0) is this part's."""
        return index % self.shares == self.share


WHOLE = Part()

# alcheck logs what a vendor may want to trace, and is silent until the application
# configures logging (a NullHandler on the package's logger, alcheck/__init__.py).
log = logging.getLogger("alcheck.checking")


def check_input(
    name: str, screening: Screening, input_format: str | None,
    emit: Callable[[CheckedDeclaration], None], part: Part = WHOLE,
) -> CheckedFile:  # fmt: skip
    """Read and check one input, giving each declaration to `emit` as it is checked;
    return how the input ended (its error or note; its declarations are not kept).

    Whatever goes wrong, the declarations read before it are kept: an error alcheck did
    not foresee is that file's error too (named as one), never the end of the run.
    part: check only some of the input's batches (a `--jobs` worker's share); the input
    ends as it does read whole.
    """
    started = time.perf_counter()
    counts = [0, 0]  # declarations, findings

    def counted(decl: CheckedDeclaration) -> None:
        counts[0] += 1
        counts[1] += len(decl.findings)
        emit(decl)

    end = _check_input(name, screening, input_format, counted, part)
    log.debug(
        "checked %s: %d declaration(s), %d finding(s) in %.3f s%s", name, counts[0],
        counts[1], time.perf_counter() - started,
        f"; {end.error or end.note}" if end.error or end.note else "",
    )  # fmt: skip
    return end


def _check_input(
    name: str, screening: Screening, input_format: str | None,
    emit: Callable[[CheckedDeclaration], None], part: Part,
) -> CheckedFile:  # fmt: skip
    read_any = False
    try:
        for index, batch in enumerate(read_columns(name, format=input_format)):
            if not part.takes(index):
                read_any = read_any or batch.n_declarations > 0
                continue
            screened = ScreenedBatch(batch, screening)
            for k, found in screened.by_declaration():
                day, source = screened.judged(k)
                emit(
                    CheckedDeclaration(
                        batch.decl_id[k], batch.decl_line[k], day, source, tuple(found),
                        batch.jurisdiction[k], batch.entry_date[k],
                    )
                )  # fmt: skip
                read_any = True
            del screened, batch  # its declarations' elements go before the next are read
            part.done(index)
    except NotADeclarationError as exc:
        if read_any:  # declarations were read: what stopped the reading is an error
            return CheckedFile(name, error=exc.reason, error_line=exc.line)
        return CheckedFile(name, note=f"holds no declaration: {exc.reason}")
    except InputError as exc:
        return CheckedFile(name, error=exc.reason, error_line=exc.line)
    except AlcheckError as exc:
        return CheckedFile(name, error=str(exc))
    except Exception as exc:  # reported as this file's error, with what was read
        log.exception("alcheck failed on %s", name)
        return CheckedFile(
            name,
            error=f"not read to the end: alcheck failed on it ({type(exc).__name__}: {exc}); "
            "please report this with the file",
        )  # fmt: skip
    return CheckedFile(name)


def check_file(name: str, screening: Screening, input_format: str | None = None) -> CheckedFile:
    """Read and check one input; return it whole: its declarations and how it ended."""
    decls: list[CheckedDeclaration] = []
    end = check_input(name, screening, input_format, decls.append)
    return CheckedFile(name, tuple(decls), end.error, end.error_line, end.note)
