# cython: language_level=3
# libxml2 node helpers the compiled readers share (`_wcoitem.pyx`, `_cad.pyx`): node types,
# and an element's text read as lxml reads it. Inline, so each reader compiles its own copy.

from libc.string cimport strlen
from lxml.includes.tree cimport xmlNode

cdef enum:
    ELEMENT_NODE = 1
    TEXT_NODE = 3
    CDATA_NODE = 4
    ENTITY_REF_NODE = 5
    PI_NODE = 7
    COMMENT_NODE = 8
    XINCLUDE_START = 19
    XINCLUDE_END = 20


cdef inline xmlNode* _text_or_skip(xmlNode* node) noexcept:
    # lxml's _textNodeOrSkip: text and CDATA count, XInclude markers are skipped.
    while node is not NULL:
        if node.type == TEXT_NODE or node.type == CDATA_NODE:
            return node
        if node.type == XINCLUDE_START or node.type == XINCLUDE_END:
            node = node.next
            continue
        return NULL
    return NULL


cdef inline bint _ascii_space(unsigned char c) noexcept:
    # The ASCII characters str.strip() removes (str.isspace): \t \n \v \f \r, 0x1c-0x1f, space.
    return c == 32 or 9 <= c <= 13 or 28 <= c <= 31


cdef inline object _text(xmlNode* elem):
    # The element's leading text (lxml's `.text`), stripped; None if blank: the twins'
    # `text_of` / `element_text`.
    cdef xmlNode* first
    cdef xmlNode* node
    cdef bytes joined
    cdef str text
    cdef const char* content
    cdef size_t n
    cdef unsigned char head, tail
    if elem is NULL:
        return None
    first = _text_or_skip(elem.children)
    if first is NULL:
        return None
    if _text_or_skip(first.next) is NULL:
        content = <const char*> first.content
        n = strlen(content)
        if n == 0:
            return None
        head, tail = <unsigned char> content[0], <unsigned char> content[n - 1]
        if head < 128 and tail < 128 and not _ascii_space(head) and not _ascii_space(tail):
            return content[:n].decode("utf-8")  # nothing to strip
        text = content[:n].decode("utf-8")
    else:
        joined = b""
        node = first
        while node is not NULL:
            joined += (<const char*> node.content)[:strlen(<const char*> node.content)]
            node = _text_or_skip(node.next)
        text = joined.decode("utf-8")
    text = text.strip()
    return text or None
