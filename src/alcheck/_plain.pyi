"""Stub of the compiled plain-model maker; the twin `_plain_py.py` documents it."""

from typing import Any, TypeVar

from pydantic import BaseModel

_M = TypeVar("_M", bound=BaseModel)

def plain_model(cls: type[_M], values: dict[str, Any], given: frozenset[str]) -> _M: ...
