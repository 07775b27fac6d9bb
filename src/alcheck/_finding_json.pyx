# cython: language_level=3
"""Compiled twin of `_finding_json_py.py`: the same line, typed; that file documents it."""

from json.encoder import encode_basestring

from alcheck._finding_json_py import MAX_KEPT
cdef Py_ssize_t _MAX_KEPT = MAX_KEPT


cdef inline str _text(value):
    return "null" if value is None else encode_basestring(value)


cdef inline str _number(value):
    return "null" if value is None else str(value)


cdef class FindingJson:
    cdef dict heads, tails, dates

    def __init__(self):
        self.heads, self.tails, self.dates = {}, {}, {}

    def __reduce__(self):
        return FindingJson, ()

    cpdef str line(self, finding):
        cdef dict values = finding.__dict__
        key = (values["rule_id"], values["severity"], values["check_class"])
        head = self.heads.get(key)
        if head is None:
            head = (
                f'{{"rule_id":{encode_basestring(key[0])},"severity":"{key[1].value}",'
                f'"check_class":"{key[2].value}","message":'
            )
            if len(self.heads) < _MAX_KEPT:
                self.heads[key] = head
        rule = (
            values["citation"], values["hint"], values["pack"], values["pack_version"],
            values["variant"],
        )
        tail = self.tails.get(rule)
        if tail is None:
            tail = (
                f',"citation":{_text(rule[0])},"hint":{_text(rule[1])},'
                f'"pack":{encode_basestring(rule[2])},"pack_version":{_text(rule[3])},'
                f'"variant":{rule[4]},"evaluated":'
            )
            if len(self.tails) < _MAX_KEPT:
                self.tails[rule] = tail
        day = values["judged_on"]
        judged = self.dates.get(day)
        if judged is None:
            judged = "null}" if day is None else f'"{day.isoformat()}"}}'
            if len(self.dates) < _MAX_KEPT:
                self.dates[day] = judged
        return "".join((
            head, encode_basestring(values["message"]),
            ',"declaration_id":', _text(values["declaration_id"]),
            ',"item_line":', _number(values["item_line"]),
            ',"field":', _text(values["field"]),
            ',"location":', _location(values["location"]),
            ',"value":', _text(values["value"]),
            tail, "true" if values["evaluated"] else "false", ',"judged_on":', judged,
        ))


def kept(FindingJson lines not None):
    return len(lines.heads), len(lines.tails), len(lines.dates)


cdef str _location(location):
    if location is None:
        return "null"
    cdef dict where = location.__dict__
    return "".join((
        '{"file":', _text(where["file"]), ',"line":', _number(where["line"]),
        ',"path":', _text(where["path"]), ',"column":', _number(where["column"]), "}",
    ))
