"""Refuse hostile XML before lxml parses it: no DTD, no entities, no network, no huge trees.

Declarations never carry a DOCTYPE, so any DOCTYPE is refused: an internal subset can
declare entities (billion laughs, quadratic blowup, external entities to local files or
URLs) and an external DTD would be fetched. The check reads the prolog only, so it runs
in bounded time and memory whatever follows; `check_docinfo` is the second line of
defence for a prolog longer than the scanned head.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from ..errors import HostileInputError

# The prolog of a real file is a few hundred bytes; comments before the root are rare.
HEAD_BYTES = 1 << 20

_PROLOG_ITEM = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)


def safe_parser_options() -> dict[str, bool]:
    """Return the lxml parser options alcheck always uses."""
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "huge_tree": False,
        "dtd_validation": False,
    }


def safe_iterparse(source: Any, **options: Any) -> SafeEvents:
    """Return lxml's events over `source` with the safe options, without comments,
    processing instructions or blank text (each reader gives its events and tags)."""
    return SafeEvents(source, **options)


class SafeEvents:
    """Iterate lxml's parse events of a binary readable, as `etree.iterparse` does, but give
    every event parsed before a syntax error before raising it.

    lxml 6.2's iterparse drops the events of the chunk in which it meets the error, so the
    declarations read whole just before it were lost with it; a pull parser keeps them.
    `root` is the document's root once the events are all given.
    """

    CHUNK = 1 << 16

    def __init__(self, source: Any, **options: Any) -> None:
        self.source = source
        given: dict[str, Any] = {**safe_parser_options(), **options}
        self.parser = etree.XMLPullParser(
            remove_comments=True, remove_pis=True, remove_blank_text=True, **given
        )
        self.root: Any = None

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        parser = self.parser
        while chunk := self.source.read(self.CHUNK):
            try:
                parser.feed(chunk)
            except etree.XMLSyntaxError:
                yield from parser.read_events()  # what was parsed before the error
                raise
            yield from parser.read_events()
        # A document cut short fails here, and the events libxml2 then gives (the ends of
        # the elements left open) are not the file's: none is given.
        self.root = parser.close()
        yield from parser.read_events()


def safe_parser() -> etree.XMLParser:
    """Return a parser that never loads a DTD, expands an entity or touches the network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _decode_head(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    if head[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        return head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", errors="ignore")
    # Every ASCII-compatible encoding spells markup the same way; latin-1 never fails.
    return head.decode("latin-1")


def check_prolog(head: bytes, name: str) -> None:
    """Raise HostileInputError when the prolog in `head` holds a DOCTYPE."""
    text = _decode_head(head).lstrip("\ufeff").lstrip("ï»¿")
    pos = 0
    while pos < len(text):
        match = _PROLOG_ITEM.match(text, pos)
        if match is None or match.end() == pos:
            break
        pos = match.end()
    rest = text[pos : pos + 9]
    if rest.upper().startswith("<!DOCTYPE"):
        line = text[:pos].count("\n") + 1
        raise HostileInputError(
            "refused: the XML has a DOCTYPE (a DTD or entity declarations); "
            "alcheck never loads DTDs or expands entities",
            file=name,
            line=line,
        )


def check_docinfo(tree: etree._ElementTree, name: str) -> None:
    """Raise HostileInputError when lxml saw a DOCTYPE the prolog scan could not reach."""
    info = tree.docinfo
    if (
        getattr(info, "doctype", "")
        or info.internalDTD is not None
        or info.system_url
        or info.public_id
    ):
        raise HostileInputError(
            "refused: the XML has a DOCTYPE (a DTD or entity declarations); "
            "alcheck never loads DTDs or expands entities",
            file=name,
            line=1,
        )


class HeadThenRest:
    """A readable that returns an already-read head, then the rest of a binary stream."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        """Return up to `size` bytes (all when negative), head first."""
        if self._head:
            if size < 0 or size >= len(self._head):
                chunk, self._head = self._head, b""
                if size < 0:
                    return chunk + self._rest.read()
                return chunk
            chunk, self._head = self._head[:size], self._head[size:]
            return chunk
        return self._rest.read(size)
