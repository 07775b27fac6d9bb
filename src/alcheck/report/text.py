"""The text report: findings grouped by file and declaration, then a summary line."""

from __future__ import annotations

from collections.abc import Sequence

from ..findings import Finding, Severity


def _where(f: Finding) -> str:
    if f.location is None:
        return "<input>"
    return str(f.location)


def render_text(findings: Sequence[Finding], *, declarations: int) -> str:
    """Return the text report of `findings` over `declarations` declarations."""
    lines: list[str] = []
    current: tuple[str | None, str | None] | None = None
    for f in findings:
        key = (f.location.file if f.location else None, f.declaration_id)
        if key != current:
            current = key
            lines.append(f"{key[0] or '<input>'} — declaration {key[1] or '(no id)'}")
        lines.append(f"  {_where(f)}: {f.severity.value} {f.rule_id}: {f.message}")
        if f.hint:
            lines.append(f"    hint: {f.hint}")
    counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    lines.append(
        f"{declarations} declaration(s) checked: {counts[Severity.ERROR]} error(s), "
        f"{counts[Severity.WARNING]} warning(s), {counts[Severity.INFO]} info"
    )
    return "\n".join(lines) + "\n"
