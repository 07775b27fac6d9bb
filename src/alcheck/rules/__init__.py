"""The rule language: packs of rules as TOML data validated with pydantic; the bundled packs."""

from .loader import bundled_pack_names, load_bundled, load_pack, load_pack_text
from .schema import Citation, Condition, GoldenCase, NumberCondition, Pack, Rule

__all__ = [
    "Citation",
    "Condition",
    "GoldenCase",
    "NumberCondition",
    "Pack",
    "Rule",
    "bundled_pack_names",
    "load_bundled",
    "load_pack",
    "load_pack_text",
]
