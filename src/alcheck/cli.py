"""The command line: `alcheck check FILE...`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .engine import iter_findings
from .errors import AlcheckError
from .findings import Finding, Severity
from .formats import read
from .report import render_json, render_text

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="alcheck", description="Check aluminum import declarations.")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check declaration files and report findings")
    check.add_argument("paths", nargs="+", metavar="FILE")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--lang", choices=("en", "fr", "es"), default="en")
    check.add_argument(
        "--fail-on", choices=("error", "warning", "never"), default="error",
        help="exit 1 when a finding reaches this severity (default: error)",
    )
    return parser


def _check(args: argparse.Namespace) -> int:
    findings: list[Finding] = []
    errors: list[str] = []
    count = 0
    for path in args.paths:
        try:
            for decl in read(path):
                count += 1
                findings.extend(iter_findings(decl, lang=args.lang))
        except AlcheckError as exc:
            errors.append(str(exc))
            sys.stderr.write(f"alcheck: {exc}\n")
    if args.format == "json":
        sys.stdout.write(render_json(findings, declarations=count, errors=errors))
    else:
        sys.stdout.write(render_text(findings, declarations=count))
    if errors:
        return EXIT_USAGE
    if args.fail_on != "never":
        level = Severity(args.fail_on).rank
        if any(f.severity.rank >= level for f in findings):
            return EXIT_FINDINGS
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "check":
        return _check(args)
    return EXIT_USAGE  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
