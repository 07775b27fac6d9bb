"""The command line's progress bar on standard error: files done, declarations checked.

With the optional extra `alcheck[progress]` the bar is tqdm's (rate, elapsed time, terminal
width); without it, a plain line. Either is redrawn at most five times a second, so a file
of 30,000 declarations shows it is moving. The command line shows it on a terminal only.
"""

from __future__ import annotations

import time
from typing import IO, Any

from .i18n import number, translation

_INTERVAL = 0.2  # seconds between redraws


class Progress:
    """Count files and declarations as they are checked and draw them on `stream`."""

    def __init__(self, stream: IO[str], total: int, lang: str = "en") -> None:
        self.stream, self.total, self.lang = stream, total, lang
        self.files = self.declarations = 0
        self.drawn = 0.0
        self.words = translation(lang)
        self.bar = _tqdm_bar(stream, total, self.words.gettext("files"))

    def declaration(self) -> None:
        """Count one declaration checked."""
        self.declarations += 1
        if time.monotonic() - self.drawn >= _INTERVAL:
            self.draw()

    def file_done(self) -> None:
        """Count one file checked (read to its end or not)."""
        self.files += 1
        if self.bar is not None:
            self.bar.update(1)
        self.draw()
        if self.files == self.total:
            if self.bar is not None:
                self.bar.close()
            else:
                self.stream.write("\n")

    def draw(self) -> None:
        """Redraw the bar now."""
        count = self.words.ngettext(
            "{n} declaration", "{n} declarations", self.declarations
        ).format(n=number(self.declarations, self.lang))
        if self.bar is not None:
            self.bar.set_postfix_str(count, refresh=True)
        else:
            width = 30
            filled = width * self.files // max(self.total, 1)
            files = self.words.gettext("files")
            self.stream.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] "
                f"{self.files}/{self.total} {files}, {count}"
            )
            self.stream.flush()
        self.drawn = time.monotonic()


def _tqdm_bar(stream: IO[str], total: int, unit: str) -> Any:
    """Return a tqdm bar on `stream`, or None when tqdm is not installed."""
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(
        total=total,
        file=stream,
        mininterval=_INTERVAL,
        dynamic_ncols=True,
        bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} " + unit + "{postfix} [{elapsed}]",
    )
