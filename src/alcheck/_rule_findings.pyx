# cython: language_level=3
"""Compiled twin of `_rule_findings_py.py`: the same steps, typed; that file documents them."""

from alcheck._plain import plain_model


cdef class ItemFindings:
    cdef object finding, info, given

    def __init__(self, finding, info, given):
        self.finding, self.info, self.given = finding, info, given

    def add(self, batch, list out not None, Py_ssize_t row, Py_ssize_t k, day, list found not None):
        cdef object b = batch.b
        cdef object shared = batch.shared
        cdef dict unjudged = shared.unjudged
        # Typed as lists where the columns are lists (checked on assignment): indexed in C.
        cdef list currencies = b.currency
        cdef object line = (<list?>b.line)[row]
        cdef object decl_id = (<list?>b.decl_id)[k]
        cdef str named, message, field
        cdef bint evaluated
        cdef Py_ssize_t r, status
        if line is not None:
            named = f"items[{line}]."
        else:
            named = f"items[#{row - (<list?>b.first)[k] + 1}]."
        for r, status in found:
            p = shared.rule(r)
            if p is None:
                continue
            evaluated = status == 1
            if not evaluated:
                key = (r, currencies[row], b.value[row] is not None)
                message = unjudged.get(key, "")
                if not message:
                    message = batch.unjudged_message(p, key)
            elif p.pieces is None:
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
            else:
                raw = batch.model_value(row, k, field)
            if raw is None:
                value = None
            elif isinstance(raw, tuple):
                value = ", ".join(map(str, raw))
            else:
                value = str(raw)
            out.append(plain_model(self.finding, {
                "rule_id": p.rule_id, "severity": p.severity if evaluated else self.info,
                "check_class": p.check_class, "message": message,
                "declaration_id": decl_id, "item_line": line, "field": named + field,
                "location": self.where(batch, row, k, field), "value": value,
                "citation": p.citation, "hint": p.hint, "pack": p.pack,
                "pack_version": p.pack_version, "variant": p.variant,
                "evaluated": evaluated, "judged_on": day,
            }, self.given))

    cpdef where(self, batch, Py_ssize_t row, Py_ssize_t k, str field):
        cdef object b = batch.b
        model = b.model[k]
        cdef Py_ssize_t position = row - (<list?>b.first)[k]
        if model is not None:
            return model.items[position].where(field) or model.location
        cdef list locators = b.locators
        locator = locators[k] if k < len(locators) else None
        if locator is not None:
            return b.item_location(row, k, field) or locator.item_where(position, field)
        return batch.line_location(b.item_source(row, field, b.item_line[row]))


cpdef str fill_pieces(tuple pieces, tuple slots, batch, Py_ssize_t row, Py_ssize_t k, day):
    cdef object columns = batch.b
    cdef list parts = [pieces[0]]
    cdef Py_ssize_t i
    cdef tuple slot
    for i in range(len(slots)):
        slot = <tuple?>slots[i]
        text, column, derive = slot[0], slot[1], slot[3]
        if text is not None:
            value = text
        elif column is not None:
            value = getattr(columns, column)[k if slot[2] else row]
        elif derive is not None:
            value = derive(batch, row, k, day)
        else:
            value = None
        if value is None:
            value = slot[4]
        parts.append(value if type(value) is str else format(value))
        parts.append(pieces[i + 1])
    return "".join(parts)
