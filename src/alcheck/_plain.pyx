# cython: language_level=3
"""Compiled twin of `_plain_py.py`: the same model, kept off the collector's lists."""

cdef extern from "Python.h":
    void PyObject_GC_UnTrack(void *op)

cdef object _setattr = object.__setattr__
cdef object _new = object.__new__


def plain_model(cls, dict values not None, given):
    model = _new(cls)
    _setattr(model, "__dict__", values)
    fields = set(given)
    _setattr(model, "__pydantic_fields_set__", fields)
    _setattr(model, "__pydantic_extra__", None)
    _setattr(model, "__pydantic_private__", None)
    # A model of plain values cannot be part of a reference cycle (nothing in it refers
    # back to it), so the collector has nothing to find in it: CPython itself untracks
    # tuples and dicts of such values. Findings and their locations are made by the
    # hundred thousand and live until reported (a batch keeps its locations); tracked,
    # they had the collector traverse them again and again: about 30% of the time of
    # `validate(read(path))` on 999-item declarations. Reference counting frees them.
    PyObject_GC_UnTrack(<void*>values)
    PyObject_GC_UnTrack(<void*>fields)
    PyObject_GC_UnTrack(<void*>model)
    return model
