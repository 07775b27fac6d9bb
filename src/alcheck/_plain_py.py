"""Make a pydantic model of plain values without validating them: pure-Python twin.

The compiled `_plain.pyx` makes the same model and also takes it (with its field dict
and field set) off the garbage collector's lists, which Python code cannot do.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

_M = TypeVar("_M", bound=BaseModel)
_setattr = object.__setattr__
_new = object.__new__  # what BaseModel's __new__ is, without looking it up on the class


def plain_model(cls: type[_M], values: dict[str, Any], given: frozenset[str]) -> _M:
    """Return a model holding `values` (every field, each already of its field's type) as is.

    What pydantic's `model_construct` does, without its per-field Python loop: for
    findings and their locations, made by the hundred thousand from validated columns
    and compiled rules. given: the fields the caller set (`model_fields_set`).
    Only for models of plain values (text, numbers, dates, enum members, other such
    models): nothing in `values` may refer back to the model. Tests check the result
    equals the validated model.
    """
    model = _new(cls)
    _setattr(model, "__dict__", values)
    _setattr(model, "__pydantic_fields_set__", set(given))
    _setattr(model, "__pydantic_extra__", None)
    _setattr(model, "__pydantic_private__", None)
    return model
