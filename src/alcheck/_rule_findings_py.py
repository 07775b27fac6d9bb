"""Build the rule findings of a batch's goods items: pure-Python twin of `_rule_findings.pyx`.

A file's rule findings are made here, by the hundred thousand on a gateway's files; the
compiled twin runs the same steps without the interpreter's overhead. What each step
needs of the batch (its columns, prepared rules, the messages of rules not evaluated,
locations) it asks the batch (`gateway.ScreenedBatch`), as the batch's own methods would.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ._plain_py import plain_model


class ItemFindings:
    """Make the rule findings of goods items, one item at a time (`add`); one per check.

    finding: the `Finding` model class; info: `Severity.INFO`, the severity of a rule not
    evaluated; given: every field of `Finding` (each finding sets them all). Passed in,
    not imported: the kernels are loaded before the modules that define them.
    """

    def __init__(self, finding: type, info: Any, given: frozenset[str]) -> None:
        self.finding, self.info, self.given = finding, info, given

    def add(
        self, batch: Any, out: list[Any], row: int, k: int, day: dt.date,
        found: list[tuple[int, int]],
    ) -> None:  # fmt: skip
        """Append to `out` the findings of the rule entries `found` ((entry, status), in
        entry order) that matched goods item `row` of declaration k of `batch` (a
        `ScreenedBatch`), judged on `day`."""
        b, shared = batch.b, batch.shared
        line = b.line[row]
        decl_id = b.decl_id[k]
        # How findings name the item's fields: "items[3]." by its line, else "items[#2]."
        # by its position (`findings.item_field`), worked out once for the item.
        named = f"items[{line}]." if line is not None else f"items[#{row - b.first[k] + 1}]."
        for r, status in found:
            p = shared.rule(r)
            if p is None:
                continue
            evaluated = status == 1
            if not evaluated:
                # What could not be judged, and what the rule checks: never the verdict of
                # its message ("below the floor"), which was not reached.
                key = (r, b.currency[row], b.value[row] is not None)
                message = shared.unjudged.get(key, "")
                if not message:
                    message = batch.unjudged_message(p, key)
            elif p.pieces is None:  # a template only `messages.fill` fills
                message = batch.filled(p, row, k, day)
            else:
                message = fill_pieces(p.pieces, p.slots, batch, row, k, day)
            field = p.field
            if field == "documents":
                raw = p.params.get("documents")
                if raw is None:
                    raw = batch.documents(row, k)
            elif p.column is not None:
                raw = getattr(b, p.column)[row]
            else:  # a field the columns lack (supplementary_unit): the model's, if kept
                raw = batch.model_value(row, k, field)
            value = (
                None if raw is None
                else ", ".join(map(str, raw)) if isinstance(raw, tuple)
                else str(raw)
            )  # fmt: skip
            out.append(plain_model(self.finding, {
                "rule_id": p.rule_id, "severity": p.severity if evaluated else self.info,
                "check_class": p.check_class, "message": message,
                "declaration_id": decl_id, "item_line": line, "field": named + field,
                "location": self.where(batch, row, k, field), "value": value,
                "citation": p.citation, "hint": p.hint, "pack": p.pack,
                "pack_version": p.pack_version, "variant": p.variant,
                "evaluated": evaluated, "judged_on": day,
            }, self.given))  # fmt: skip

    def where(self, batch: Any, row: int, k: int, field: str) -> Any:
        """Return where goods item `row` (of declaration k) read `field`, else where the
        item is, else where the declaration is: what its model's `where` says
        (`ScreenedBatch.where`). Worked out only for the items a finding names."""
        b = batch.b
        model, position = b.model[k], row - b.first[k]
        if model is not None:
            return model.items[position].where(field) or model.location
        locators = b.locators
        locator = locators[k] if k < len(locators) else None
        if locator is not None:
            return b.item_location(row, k, field) or locator.item_where(position, field)
        # Columns made by hand: the line only.
        return batch.line_location(b.item_source(row, field, b.item_line[row]))


def fill_pieces(
    pieces: tuple[str, ...], slots: tuple[tuple[Any, ...], ...],
    batch: Any, row: int, k: int, day: dt.date,
) -> str:  # fmt: skip
    """Return a message from its template's literals and, between them, each placeholder's
    value: what `template.format_map(values)` returns (`messages.template_pieces`).

    slots: per placeholder (text, column, by_declaration, derive, missing): its parameter's
    text; else the value in the batch's `column` (at the item's row, or its declaration's);
    else `derive(batch, row, k, day)`; `missing` where that is None.
    """
    columns = batch.b
    parts = [pieces[0]]
    for i, (text, column, by_declaration, derive, missing) in enumerate(slots):
        if text is not None:
            value = text
        elif column is not None:
            value = getattr(columns, column)[k if by_declaration else row]
        elif derive is not None:
            value = derive(batch, row, k, day)
        else:
            value = None
        if value is None:
            value = missing
        parts.append(value if type(value) is str else format(value))
        parts.append(pieces[i + 1])
    return "".join(parts)
