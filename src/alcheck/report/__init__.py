"""Render findings for people (text) and for programs (JSON)."""

from .json_report import render_json
from .text import render_text

__all__ = ["render_json", "render_text"]
