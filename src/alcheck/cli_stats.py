"""The `alcheck stats` command: import-monitoring tables over declaration files."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import AlcheckError, NotADeclarationError, UsageError
from .i18n import LANGS
from .report.escape import terminal_text

# The tables, their pages and the readers are imported when `stats` runs: the command
# line registers the command on every start, `check` included.
if TYPE_CHECKING:
    from .model import Declaration
    from .stats import Stats

EXIT_OK, EXIT_USAGE = 0, 2
FORMATS = ("text", "csv", "json", "html")


def add_stats_command(subparsers: Any) -> None:
    """Register `stats PATH... [--format] [-o FILE] [--rates FILE] [--currency] [--lang]`."""
    stats = subparsers.add_parser(
        "stats",
        help="import-monitoring totals by jurisdiction, heading, origin, smelt and cast",
        description="Total lines, net kg and value of declarations by jurisdiction, HS "
        "heading, origin, smelt and cast; the share of metal from countries of concern.",
    )
    stats.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to read")
    stats.add_argument("--format", choices=FORMATS, default="text")
    stats.add_argument("-o", "--output", metavar="FILE", help="write here, not to stdout")
    stats.add_argument(
        "--rates", metavar="FILE", help='JSON exchange rates, e.g. {"EUR/USD": 1.08}'
    )
    stats.add_argument("--currency", default="USD", help="currency of values (default USD)")
    stats.add_argument(
        "--lang", choices=LANGS, default="en",
        help="language of the text and HTML reports (default en); CSV and JSON are the same "
        "in every language",
    )  # fmt: skip
    stats.add_argument(
        "--declarations-parquet", metavar="FILE",
        help="also write the declarations read as a Parquet table, which stats reads back "
        "(a .parquet file or a folder of them as PATH); needs alcheck[dask]",
    )  # fmt: skip
    stats.set_defaults(handler=run_stats)


def _render(args: argparse.Namespace, stats: Stats, errors: list[str]) -> str:
    from .report.stats_render import (
        render_stats_csv,
        render_stats_html,
        render_stats_json,
        render_stats_text,
    )
    from .ruleset import RuleSet

    fmt, lang = args.format, args.lang
    if fmt == "csv":
        return render_stats_csv(stats)
    if fmt == "json":
        return render_stats_json(stats, errors=errors)
    if fmt == "html":
        # The page says which run it shows: today, the paths as given, and the bundled
        # packs (the rule set `alcheck check` applies by default; the countries of
        # concern it marks are their `concern` set, tests/test_stats.py keeps them equal).
        packs = RuleSet.default().packs
        return render_stats_html(
            stats, errors=errors, lang=lang, run_date=dt.date.today(), inputs=args.paths,
            packs=packs,
        )  # fmt: skip
    return render_stats_text(stats, errors=errors, lang=lang)


def run_stats(args: argparse.Namespace) -> int:
    """Compute and write the stats; return 0, or 2 when input or arguments were unusable.

    Files that hold no declaration (notifications and the like) are noted on standard
    error and skipped; a file that cannot be read is named there and makes the exit code
    2, but the report of everything readable is still written.
    """
    from .codes.currencies import normalize_currency
    from .rates import Rates, load_rates
    from .stats import compute_stats

    currency = normalize_currency(args.currency)
    if currency is None:
        sys.stderr.write(f"alcheck stats: --currency {args.currency!r} is not ISO 4217\n")
        return EXIT_USAGE
    rates: Rates | None = None
    if args.rates is not None:
        try:
            rates = load_rates(args.rates)
        except AlcheckError as exc:
            sys.stderr.write(f"alcheck stats: {terminal_text(str(exc))}\n")
            return EXIT_USAGE
    errors: list[str] = []
    skipped = 0

    def on_error(exc: AlcheckError) -> None:
        nonlocal skipped
        if isinstance(exc, NotADeclarationError):
            skipped += 1
            return
        errors.append(str(exc))
        sys.stderr.write(f"alcheck stats: {terminal_text(str(exc))}\n")

    try:
        declarations = _declarations(args.paths, on_error, args.declarations_parquet)
        stats = compute_stats(declarations, rates=rates, currency=currency)
    except AlcheckError as exc:
        sys.stderr.write(f"alcheck stats: {terminal_text(str(exc))}\n")
        return EXIT_USAGE
    if skipped:
        sys.stderr.write(f"alcheck stats: skipped {skipped} file(s) holding no declaration\n")
    try:
        text = _render(args, stats, errors)
    except AlcheckError as exc:
        sys.stderr.write(f"alcheck stats: {terminal_text(str(exc))}\n")
        return EXIT_USAGE
    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                out.write(text)
        except OSError as exc:
            where = terminal_text(f"{args.output}: {exc.strerror}")
            sys.stderr.write(f"alcheck stats: cannot write {where}\n")
            return EXIT_USAGE
    return EXIT_USAGE if errors else EXIT_OK


def _is_parquet(path: str) -> bool:
    from .formats import search_folder

    p = Path(path)
    if p.suffix.lower() == ".parquet":
        return True
    return p.is_dir() and any(p.rglob("*.parquet")) and not any(search_folder(p))


def _declarations(
    paths: Sequence[str], on_error: Callable[[AlcheckError], None], save: str | None
) -> Iterator[Declaration]:
    """Yield the declarations of every path: declarations Parquet tables read back, other
    files read by content; with `save`, each declaration read from a file is also written
    to that Parquet table (in row groups, as it is read)."""
    from .formats import read_paths

    writer = None
    if save is not None:
        from .arrow import DeclarationsTable, declarations_schema, require_pyarrow

        require_pyarrow()
        import pyarrow.parquet as pq

        try:
            writer = pq.ParquetWriter(save, declarations_schema())
        except OSError as exc:
            raise UsageError(f"cannot write {save}: {exc.strerror or exc}") from None
        rows = DeclarationsTable()
    try:
        for path in paths:
            if _is_parquet(path):
                from .arrow import read_declarations_table

                try:
                    yield from read_declarations_table(path)
                except AlcheckError as exc:
                    on_error(exc)
                continue
            for decl in read_paths([path], on_error=on_error):
                if writer is not None:
                    where = decl.location.file if decl.location else None
                    rows.add(where or path, decl)
                    if len(rows) >= 65_536:
                        writer.write_table(rows.take())
                yield decl
        if writer is not None and len(rows):
            writer.write_table(rows.take())
    finally:
        if writer is not None:
            writer.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run `stats` on its own: `python -m alcheck.cli_stats PATH...`."""
    parser = argparse.ArgumentParser(prog="alcheck")
    add_stats_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["stats", *(sys.argv[1:] if argv is None else argv)])
    return run_stats(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
