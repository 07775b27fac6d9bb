"""The command line: check declarations, list and explain rules, lint packs, monitor imports.

Exit codes of `check`: 0 nothing at or above the --fail-on level, 1 findings at or above
it, 2 a usage error or an unreadable input (every readable input is still checked).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import difflib
import fnmatch
import glob
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from ._version import __version__
from .checking import check_input
from .checks import BUILTIN_RULES
from .cli_progress import Progress
from .cli_stats import add_stats_command, run_stats
from .errors import AlcheckError, RulePackError, UsageError
from .findings import Severity
from .formats import FORMATS, SUFFIXES
from .gateway import Screening
from .i18n import LANGS, date_text, translation
from .report import CheckedFile, ReportWriter, RunHeader
from .report.escape import terminal_text
from .report.run import Body, Rendered, render
from .rules import bundled_pack_names, load_pack
from .rules.schema import in_language
from .ruleset import RuleSet

# What a check does not use is imported where it is used: each report's writer, the
# explanations, the golden-case runner, worker processes, Dask.

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 1, 2, 130, 141


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alcheck", description="Check customs import declarations for aluminum products."
    )
    parser.add_argument("--version", action="version", version=f"alcheck {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="check declaration files and report findings")
    _add_check_inputs(c)
    _add_check_selection(c)
    _add_check_output(c)
    _add_check_run(c)
    _add_rules_commands(sub)
    add_stats_command(sub)
    return parser


def _add_check_inputs(c: argparse.ArgumentParser) -> None:
    """What `check` reads: paths, packs, the date, exchange rates."""
    c.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="files, directories, globs, or - for standard input",
    )
    c.add_argument(
        "--pack", action="append", default=None, metavar="NAME|FILE",
        help="a bundled pack by name (replaces the default: all bundled packs) or a TOML file "
        "layered on top; repeatable",
    )  # fmt: skip
    c.add_argument(
        "--as-of", metavar="DATE", help="judge every declaration on this date (YYYY-MM-DD)"
    )
    c.add_argument("--rates", metavar="FILE", help='exchange rates, JSON: {"EUR/USD": 1.08, ...}')


def _add_check_selection(c: argparse.ArgumentParser) -> None:
    """Which rules `check` runs and how it grades them."""
    c.add_argument(
        "--select",
        action="append",
        default=None,
        metavar="ID",
        help="only these rule ids or id prefixes",
    )
    c.add_argument(
        "--ignore",
        action="append",
        default=None,
        metavar="ID",
        help="drop these rule ids or id prefixes",
    )
    c.add_argument(
        "--severity",
        action="append",
        default=None,
        metavar="ID=LEVEL",
        help="re-grade a rule id or prefix",
    )


def _add_check_output(c: argparse.ArgumentParser) -> None:
    """What `check` reads and writes: formats, exclusions, the report file."""
    c.add_argument(
        "--format", default=None,
        choices=("text", "concise", "json", "sarif", "csv", "github", "parquet"),
        help="parquet: findings as DIR/findings.parquet (-o DIR; needs alcheck[dask])",
    )  # fmt: skip
    c.add_argument("--input-format", choices=FORMATS, default=None, help="skip content detection")
    c.add_argument(
        "--exclude", action="append", default=None, metavar="GLOB",
        help="pass over files and folders matching GLOB in folders searched (repeatable); "
        "hidden entries and node_modules are passed over always",
    )  # fmt: skip


def _add_check_run(c: argparse.ArgumentParser) -> None:
    """How `check` runs: language, processes, Dask, settings file, exit level, hook mode."""
    c.add_argument("--lang", choices=LANGS, default=None)
    c.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="worker processes (results stay in input order); at most the CPU count",
    )
    c.add_argument(
        "--scheduler", metavar="ADDRESS",
        help="check the inputs on this Dask cluster (tcp://host:8786); needs alcheck[dask]",
    )  # fmt: skip
    c.add_argument(
        "--dask-workers", type=int, metavar="N",
        help="check the inputs on a local Dask cluster of N worker processes",
    )  # fmt: skip
    c.add_argument(
        "--force-jobs",
        action="store_true",
        help="allow --jobs above the CPU count",
    )
    c.add_argument("--fail-on", choices=("error", "warning", "never"), default=None)
    c.add_argument(
        "--config", metavar="FILE",
        help="settings from this TOML file (default: the nearest alcheck.toml, or "
        "[tool.alcheck] in pyproject.toml)",
    )  # fmt: skip
    c.add_argument("--no-config", action="store_true", help="use no settings file")
    c.add_argument(
        "-o", "--output", metavar="FILE", help="write the report here instead of standard output"
    )
    c.add_argument("--no-color", action="store_true", help="never colour the text report")
    c.add_argument(
        "--hook", action="store_true",
        help="pre-commit mode: pass over files that hold no declaration (package.json, a "
        "CSV of something else) instead of noting them",
    )  # fmt: skip
    c.add_argument(
        "--excel", action="store_true",
        help="start a CSV report on standard output with a UTF-8 byte order mark, as one "
        "written to a file (-o) always starts",
    )  # fmt: skip


def _add_rules_commands(sub: Any) -> None:
    """`rules list|show|lint` and `explain`."""
    r = sub.add_parser("rules", help="list, show or lint rules")
    rsub = r.add_subparsers(dest="rules_command", required=True)
    rl = rsub.add_parser("list", help="list every rule id")
    rl.add_argument("--pack", action="append", default=[], metavar="NAME|FILE")
    rl.add_argument("--lang", choices=LANGS, default="en")
    rs = rsub.add_parser(
        "show",
        help="a rule's windows, citation and changes, or a pack's code lists and changelog",
    )
    rs.add_argument("rule_id", metavar="ID|PACK")
    rs.add_argument("--pack", action="append", default=[], metavar="NAME|FILE")
    rs.add_argument("--lang", choices=LANGS, default="en")
    lint = rsub.add_parser("lint", help="load a pack, lint it and run its golden cases")
    lint.add_argument("files", nargs="+", metavar="FILE")

    e = sub.add_parser("explain", help="what a rule checks, its window and citation")
    e.add_argument("rule_id", metavar="ID")
    e.add_argument("--pack", action="append", default=[], metavar="NAME|FILE")
    e.add_argument("--lang", choices=LANGS, default="en")


def _ruleset(packs: Sequence[str]) -> RuleSet:
    """Compile the bundled packs (or those named) with any pack files layered on top."""
    names = [p for p in packs if not (p.endswith(".toml") or os.sep in p or "/" in p)]
    files = [p for p in packs if p not in names]
    unknown = [n for n in names if n not in bundled_pack_names()]
    if unknown:
        raise UsageError(
            f"no bundled pack {', '.join(unknown)}; bundled: {', '.join(bundled_pack_names())}"
        )
    return RuleSet.compile([*(names or bundled_pack_names()), *(load_pack(f) for f in files)])


def _expand(paths: Sequence[str], exclude: Sequence[str] = ()) -> Iterator[tuple[str, str | None]]:
    """Yield (input name, problem) for each file named, found in a directory or by a glob.

    A folder is searched by `formats.search_folder` (hidden entries, `node_modules` and
    `exclude` globs passed over): each entry it cannot search or read (an unreadable
    subfolder, a broken or looping link, a named pipe) is yielded with its problem, never
    passed over. A glob's matches are filtered by `exclude` too; a file named is always
    checked. A file found twice is checked once.
    """
    from .formats import search_folder

    seen: set[str] = set()

    def named(raw: str) -> Iterator[tuple[str, str | None]]:
        try:
            yield from found_at(raw)
        except OSError as exc:  # a name too long, say: that input's problem
            yield raw, f"cannot read: {exc.strerror or exc}"

    def found_at(raw: str) -> Iterator[tuple[str, str | None]]:
        p = Path(raw)
        if p.is_dir():
            found = list(search_folder(p, exclude))
            if not found:
                kinds = ", ".join(SUFFIXES[:-1]) + " or " + SUFFIXES[-1]
                yield raw, f"the folder holds no {kinds} file"
            for f, problem in found:
                yield str(f), problem
        elif p.exists():
            yield raw, None
        elif p.is_symlink():
            yield raw, "not read: a symbolic link to nothing, or one that loops"
        else:
            yield raw, "no such file or folder"

    for raw in paths:
        if raw == "-":
            found: Iterator[tuple[str, str | None]] = iter([("-", None)])
        elif glob.has_magic(raw) and not os.path.lexists(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            if not matches:
                found = iter([(raw, "no file matches this pattern")])
            else:
                kept = [m for m in matches if not _glob_excluded(m, exclude)]
                found = (hit for m in kept for hit in named(m))
        else:
            found = named(raw)
        for name, problem in found:
            if name in seen and name != "-":
                continue
            seen.add(name)
            yield name, problem


def _glob_excluded(match: str, exclude: Sequence[str]) -> bool:
    posix = Path(match).as_posix()
    return any(fnmatch.fnmatch(posix, g) or fnmatch.fnmatch(Path(match).name, g) for g in exclude)


def _rule_id(given: str, known: Sequence[str], option: str) -> str:
    """Return a rule id or prefix as the rules spell it (upper case); refuse one that names
    no rule, with the nearest ids ("did you mean")."""
    wanted = given.strip().upper()
    if not wanted:
        raise UsageError(f"{option}: an empty rule id (it would match every rule)")
    if not any(rid.startswith(wanted) for rid in known):
        close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UsageError(f"{option} {given.strip()!r} is no rule id nor the start of one{hint}")
    return wanted


def _rule_ids(values: Sequence[str], known: Sequence[str], option: str) -> tuple[str, ...]:
    """Return the rule ids or prefixes of a repeatable option, each value maybe a comma
    list (`--select US-232,US-AIM`), checked against the rules loaded."""
    return tuple(_rule_id(part, known, option) for value in values for part in value.split(","))


def _parse_severity(values: Sequence[str], known: Sequence[str]) -> dict[str, Severity]:
    out: dict[str, Severity] = {}
    for value in values:
        rid, sep, level = value.partition("=")
        try:
            grade = Severity(level.strip().lower())
        except ValueError:
            raise UsageError(f"--severity takes ID=error|warning|info, not {value!r}") from None
        if not sep or not rid.strip():
            raise UsageError(f"--severity takes ID=error|warning|info, not {value!r}")
        for part in rid.split(","):
            out[_rule_id(part, known, "--severity")] = grade
    return out


# What an option is when neither the command line nor a settings file gives it.
_DEFAULTS: dict[str, Any] = {
    "select": [], "ignore": [], "exclude": [], "pack": [], "severity": [],
    "fail_on": "error", "lang": "en", "format": "text", "input_format": None,
}  # fmt: skip


def _apply_config(args: argparse.Namespace) -> None:
    """Fill the options the command line left out from the settings file, then defaults."""
    from .config import find_config, load_config

    if args.no_config:
        values: dict[str, Any] = {}
    elif args.config:
        config = load_config(Path(args.config), table=None)
        if config.source is None:
            raise UsageError(f"--config {args.config}: no settings")
        values = config.values
    else:
        values = find_config().values
    for name, default in _DEFAULTS.items():
        if getattr(args, name) is not None:
            continue
        given = values.get(name.replace("_", "-"))
        if name == "severity" and given is not None:
            given = [f"{rid}={level}" for rid, level in given.items()]
        setattr(args, name, list(given) if isinstance(given, list) else given or default)


def _run_check(args: argparse.Namespace) -> int:
    _apply_config(args)
    rules = _ruleset(args.pack)
    as_of = None
    if args.as_of:
        try:
            as_of = dt.date.fromisoformat(args.as_of)
        except ValueError:
            raise UsageError(f"--as-of takes a date YYYY-MM-DD, not {args.as_of!r}") from None
    rates: dict[tuple[str, str], Decimal] = {}
    if args.rates:
        from .rates import load_rates

        rates = load_rates(args.rates)
    _check_run_options(args)
    known = sorted({*rules.ids(), *BUILTIN_RULES})
    severity = _parse_severity(args.severity, known)
    select = _rule_ids(args.select, known, "--select")
    ignore = _rule_ids(args.ignore, known, "--ignore")
    # Refused once, as a usage error, rather than as every file's error.
    screening = Screening.of_call(rules, as_of, rates, args.lang, select, ignore, severity)
    inputs = list(_expand(args.paths, args.exclude))
    if args.output:  # the report being written is not one of the inputs
        report = os.path.realpath(args.output)
        inputs = [(n, p) for n, p in inputs if n == "-" or os.path.realpath(n) != report]
    names = [name for name, problem in inputs if problem is None]
    options = {
        "select": list(select), "ignore": list(ignore),
        "severity": {k: v.value for k, v in severity.items()}, "fail_on": args.fail_on,
        "rates": args.rates,
    }  # fmt: skip
    header = RunHeader(rules.packs, args.lang, as_of, options)
    if args.format == "parquet":
        if not args.output:
            raise UsageError("--format parquet writes a folder: name it with -o DIR")
        from .report.parquet import ParquetReport

        writer: ReportWriter = ParquetReport(sys.stdout, header, folder=args.output)
        errors = _check_inputs(args, inputs, names, screening, writer)
        writer.close()
    else:
        with _report_output(args.output) as out:
            writer = _writer(args, out, header, rules)
            errors = _check_inputs(args, inputs, names, screening, writer)
            writer.close()
    for line in errors:
        sys.stderr.write(terminal_text(line) + "\n")
    if errors:
        return EXIT_USAGE
    if args.fail_on != "never" and writer.tally.at_least(Severity(args.fail_on)):
        return EXIT_FINDINGS
    return EXIT_OK


def _check_run_options(args: argparse.Namespace) -> None:
    """Refuse process counts, cluster options and inputs that cannot work together."""
    if args.jobs < 1:
        raise UsageError("--jobs takes a number of processes, 1 or more")
    if args.dask_workers is not None and args.dask_workers < 1:
        raise UsageError("--dask-workers takes a number of processes, 1 or more")
    if args.scheduler and args.dask_workers:
        raise UsageError("--scheduler and --dask-workers: name a cluster or start one, not both")
    cpus = os.cpu_count() or 1
    if args.jobs > cpus and not args.force_jobs:
        raise UsageError(
            f"--jobs {args.jobs} is more than the {cpus} CPUs here; add --force-jobs to insist"
        )
    if list(args.paths).count("-") > 1:
        raise UsageError("standard input (-) can be named once only")


def _writer(
    args: argparse.Namespace, out: IO[str], header: RunHeader, rules: RuleSet
) -> ReportWriter:
    if args.format == "json":
        from .report.json_report import JsonReport

        return JsonReport(out, header)
    if args.format == "sarif":
        from .report.sarif import SarifReport

        return SarifReport(out, header, rules=rules)
    if args.format == "csv":
        from .report.csv_report import CsvReport

        return CsvReport(out, header, bom=args.excel or bool(args.output))
    if args.format in ("concise", "github"):
        from .report.lines import ConciseReport, GithubReport

        return (ConciseReport if args.format == "concise" else GithubReport)(out, header)
    colour = (
        not args.output and not args.no_color and "NO_COLOR" not in os.environ
        and sys.stdout.isatty()
    )  # fmt: skip
    from .report.text import TextReport

    return TextReport(out, header, colour=colour)


def _check_inputs(
    args: argparse.Namespace, inputs: list[tuple[str, str | None]], names: list[str],
    screening: Screening, writer: ReportWriter,
) -> list[str]:  # fmt: skip
    """Check every input in order, writing each as it is checked; return the error lines."""
    # On a terminal, unless the report itself is written to that terminal.
    to_terminal = not args.output and args.format != "parquet" and sys.stdout.isatty()
    progress = (
        Progress(sys.stderr, len(names), args.lang)
        if sys.stderr.isatty() and not to_terminal
        else None
    )
    errors: list[str] = []
    with _runners(args, names, screening, writer.body) as runner:
        for name, problem in inputs:
            if problem is not None:
                writer.start_file(name)
                end = CheckedFile(name, error=problem)
            else:
                started = False

                def emit(done: Rendered, name: str = name) -> None:
                    nonlocal started
                    if not started:  # a file that is not a declaration file may be passed over
                        writer.start_file(name)
                        started = True
                    writer.emit(done)
                    if progress is not None:
                        progress.declaration()

                end = runner(name, emit)
                if not started:
                    if args.hook and end.note is not None:
                        continue  # not a declaration file: the hook passes over it
                    writer.start_file(name)
            writer.end_file(end)
            if end.error is not None:
                where = end.name + (f":{end.error_line}" if end.error_line else "")
                errors.append(f"alcheck: {where}: {end.error}")
            if progress is not None and problem is None:
                progress.file_done()
    return errors


# Checks one input, giving each declaration rendered to `emit` in order; returns its end.
_Runner = Callable[[str, Callable[[Rendered], None]], CheckedFile]


@contextlib.contextmanager
def _runners(
    args: argparse.Namespace, names: list[str], screening: Screening, body: Body
) -> Iterator[_Runner]:
    """Yield what checks each input: this process, `--jobs` workers, or Dask."""
    if args.scheduler or args.dask_workers:
        if "-" in names:
            raise UsageError("standard input (-) cannot be checked on Dask")
        from .dask import checked_files

        # One line per problem on standard error, never a library's traceback: Dask's
        # client logs connection retries with tracebacks, which the run survives.
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
        checked = checked_files(
            names, screening, args.input_format, scheduler=args.scheduler,
            workers=args.dask_workers,
        )  # fmt: skip

        def on_dask(name: str, emit: Callable[[Rendered], None]) -> CheckedFile:
            result = next(checked)
            for decl in result.declarations:
                emit(render(body, decl, name))
            return result

        yield on_dask
        return
    if args.jobs > 1 and "-" not in names and (len(names) > 1 or _large(names)):
        from .cli_jobs import Workers

        workers = Workers(args.jobs, screening, args.input_format, body)
        try:
            plan = iter(workers.deal(names))
            yield lambda name, emit: workers.run(name, next(plan), emit)
        finally:  # an interrupt does not wait for the inputs still in workers
            workers.close()
        return

    def here(name: str, emit: Callable[[Rendered], None]) -> CheckedFile:
        return check_input(
            name, screening, args.input_format, lambda decl: emit(render(body, decl, name))
        )

    yield here


def _large(names: list[str]) -> bool:
    """Tell whether an input is large enough for `--jobs` to split it."""
    from .cli_jobs import SPLIT_BYTES

    return any(os.path.isfile(n) and os.path.getsize(n) >= SPLIT_BYTES for n in names)


@contextlib.contextmanager
def _report_output(output: str | None) -> Iterator[IO[str]]:
    """Yield where the report goes: standard output, or the file `output`; a file that
    cannot be written is a usage error naming it (a folder, a missing folder, a full
    disk), never a traceback."""
    if not output:
        yield sys.stdout
        sys.stdout.flush()
        return
    try:
        stream = open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"cannot write the report to {output}: {exc.strerror or exc}") from None
    try:
        with stream:
            yield stream
    except OSError as exc:
        raise UsageError(f"cannot write the report to {output}: {exc.strerror or exc}") from None


def _run_rules_list(args: argparse.Namespace) -> int:
    rules = _ruleset(args.pack)
    words = translation(args.lang)
    lines = []
    for rid, b in BUILTIN_RULES.items():
        lines.append(
            f"{rid:28} {b.severity.value:8} {b.check_class.value:10} builtin     "
            f"{b.summary[args.lang]}"
        )
    for rid in rules.ids():
        entries = rules.entries(rid)
        first = entries[0]
        levels = "/".join(dict.fromkeys(e.severity.value for e in entries))
        start = min(e.valid_from for e in entries)
        # "(from DATE; N entries)" after each summary.
        since = words.gettext("from")
        count = words.ngettext("{n} entry", "{n} entries", len(entries)).format(n=len(entries))
        lines.append(
            f"{rid:28} {levels:8} {first.check_class.value:10} {first.pack.name:11} "
            f"{in_language(first.summary, args.lang)} "
            f"({since} {date_text(start, args.lang)}; {count})"
        )
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def _run_explain(args: argparse.Namespace) -> int:
    from .explanation import describe_pack, explain

    rules = _ruleset(args.pack)
    if args.rule_id in {p.name for p in rules.packs}:
        sys.stdout.write(describe_pack(args.rule_id, rules, args.lang))
    else:
        sys.stdout.write(explain(args.rule_id, rules, args.lang).text())
    return EXIT_OK


def _run_lint(args: argparse.Namespace) -> int:
    from .rules.golden import run_golden_cases

    status = EXIT_OK
    for name in args.files:
        try:
            pack = load_pack(name)
            problems = run_golden_cases(pack, RuleSet.compile([*bundled_pack_names(), pack]))
        except RulePackError as exc:
            problems = exc.problems
        for p in problems:
            sys.stdout.write(p + "\n")
        if problems:
            status = EXIT_FINDINGS
        else:
            sys.stdout.write(f"{name}: ok ({len(pack.rules)} rule entries, golden cases hold)\n")
    return status


class _Terminated(Exception):
    """SIGTERM reached the command line."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so that worker processes are ended, not left waiting.
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        if args.command == "check":
            return _run_check(args)
        if args.command == "explain" or (args.command == "rules" and args.rules_command == "show"):
            return _run_explain(args)
        if args.command == "rules" and args.rules_command == "list":
            return _run_rules_list(args)
        if args.command == "rules" and args.rules_command == "lint":
            return _run_lint(args)
        if args.command == "stats":
            return run_stats(args)
    except RulePackError as exc:
        sys.stderr.write(
            "alcheck: rule pack problems:\n" + "".join(f"  {p}\n" for p in exc.problems)
        )
        return EXIT_USAGE
    except AlcheckError as exc:
        sys.stderr.write(terminal_text(f"alcheck: {exc}") + "\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("alcheck: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of the report went away (`alcheck check … | head`): stop quietly, as
        # a process ended by SIGPIPE would, without a second error when stdout is flushed.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except _Terminated:
        sys.stderr.write("alcheck: terminated\n")
        return EXIT_USAGE
    finally:
        signal.signal(signal.SIGTERM, previous)
    parser.error(f"unknown command {args.command!r}")
    return EXIT_USAGE  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
