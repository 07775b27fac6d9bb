# cython: language_level=3, boundscheck=False, wraparound=False
"""Compiled declaration and goods-item reader: a faithful fast copy of `_wcoitem_py.py`
(the reference).

It walks libxml2's nodes under lxml's element instead of creating an lxml proxy per
child: a goods item has about 25 elements, a declaration a dozen more, and the proxies
were most of the reader's time. Text, attributes and source lines are read as lxml reads them (`_Element.text`,
`.get`, `.sourceline`). Plain texts (one ASCII text node, no blank at either end: nearly
every code, number and line number) are read in C, through a memo of normalized codes,
strtod, and a number's text kept for its Decimal (`DecimalColumn`); every other text
goes through the same Python helpers as the twin.
"""

from cpython cimport array as carray
from cpython.ref cimport Py_INCREF, PyObject
from cpython.unicode cimport PyUnicode_DecodeASCII
from libc.math cimport NAN
from libc.stdlib cimport strtod
from libc.string cimport memcmp, memcpy, strcmp, strlen

cimport lxml.includes.etreepublic as cetree
from lxml.includes.tree cimport xmlAttr, xmlNode

from ._xmlnodes cimport (
    CDATA_NODE, COMMENT_NODE, ELEMENT_NODE, ENTITY_REF_NODE, PI_NODE, TEXT_NODE, XINCLUDE_END,
    XINCLUDE_START, _ascii_space, _text, _text_or_skip,
)

from .._plain import plain_model
from ..model import Location, as_decimal, as_int, tariff_digits
from ._wco_names import WCO_NAMES
from ._wcoitem_py import NOT_READ, ORIGIN_FIELDS, PLACE, SOURCE_FIELDS, SOURCE_INDEX
from .wco_xml import DEC_NS, PROCEDURE_REGIMES, WcoLocator, mass_text

cetree.import_lxml__etree()

# The node fields lxml's declarations leave out: `psvi` holds a text node's line when
# the line does not fit in `line` (libxml2's XML_PARSE_BIG_LINES, which lxml sets).
cdef extern from "libxml/tree.h":
    ctypedef struct _LineNode "xmlNode":
        int type
        _LineNode* children
        _LineNode* parent
        _LineNode* next
        _LineNode* prev
        unsigned short line
        void* psvi

cdef long _line_no(_LineNode* node, int depth) noexcept:
    # libxml2's xmlGetLineNoInternal (tree.c), which lxml's `sourceline` calls.
    cdef long result = -1
    if depth >= 5 or node is NULL:
        return -1
    cdef int kind = node.type
    if kind == ELEMENT_NODE or kind == TEXT_NODE or kind == COMMENT_NODE or kind == PI_NODE:
        if node.line == 65535:
            if kind == TEXT_NODE and node.psvi is not NULL:
                result = <long> node.psvi
            elif kind == ELEMENT_NODE and node.children is not NULL:
                result = _line_no(node.children, depth + 1)
            elif node.next is not NULL:
                result = _line_no(node.next, depth + 1)
            elif node.prev is not NULL:
                result = _line_no(node.prev, depth + 1)
        if result == -1 or result == 65535:
            result = node.line
    elif node.prev is not NULL and (
        node.prev.type == ELEMENT_NODE or node.prev.type == TEXT_NODE
        or node.prev.type == COMMENT_NODE or node.prev.type == PI_NODE
    ):
        result = _line_no(node.prev, depth + 1)
    elif node.parent is not NULL and node.parent.type == ELEMENT_NODE:
        result = _line_no(node.parent, depth + 1)
    return result


cdef object _sourceline(xmlNode* node):
    cdef long line = _line_no(<_LineNode*> node, 0)
    return line if line > 0 else None


cdef inline bint _named(xmlNode* node, const char* name) noexcept:
    return node.type == ELEMENT_NODE and strcmp(<const char*> node.name, name) == 0


cdef xmlNode* _first(xmlNode* elem, const char* name) noexcept:
    """`first_child`: the first element child with local name `name`, or NULL."""
    cdef xmlNode* child
    if elem is NULL:
        return NULL
    child = elem.children
    while child is not NULL:
        if _named(child, name):
            return child
        child = child.next
    return NULL


cdef object _attribute(xmlNode* elem, const char* name):
    """`elem.get(name)` for an attribute in no namespace."""
    return cetree.attributeValueFromNsName(elem, NULL, <const unsigned char*> name)


cdef const char* _NOT_PLAIN = b"\x01"  # _plain_attribute: read the value with lxml


cdef const char* _plain_attribute(xmlNode* elem, const char* name) noexcept:
    # The value of the attribute `name` in no namespace when it is one text node (what
    # lxml's `get` returns then, libxml2's xmlGetNoNsProp), "" when it has no node, NULL
    # when there is no such attribute, _NOT_PLAIN otherwise (entity nodes and the like).
    cdef xmlAttr* attr = elem.properties
    while attr is not NULL:
        if attr.ns is NULL and strcmp(<const char*> attr.name, name) == 0:
            if attr.children is NULL:
                return b""
            if attr.children.next is NULL and attr.children.type == TEXT_NODE:
                return <const char*> attr.children.content
            return _NOT_PLAIN
        attr = attr.next
    return NULL


cdef bint _plain_number(const char* text) noexcept:
    # Whether the text is [+-]digits[.digits][(e|E)[+-]digits] with a digit before or
    # after the point, at most 40 characters and an exponent of at most 2 digits: then
    # `as_decimal(text)` is Decimal(text) (a number, its magnitude between 1e-140 and
    # 1e140 or zero, well inside a double's range) and float(Decimal(text)) is
    # strtod(text), both correctly rounded.
    cdef Py_ssize_t k = 0, digits = 0, exponent = 0
    if text[k] == 43 or text[k] == 45:
        k += 1
    while 48 <= text[k] <= 57:
        k += 1
        digits += 1
    if text[k] == 46:
        k += 1
        while 48 <= text[k] <= 57:
            k += 1
            digits += 1
    if digits == 0:
        return False
    if text[k] == 101 or text[k] == 69:
        k += 1
        if text[k] == 43 or text[k] == 45:
            k += 1
        while 48 <= text[k] <= 57:
            k += 1
            exponent += 1
        if exponent == 0 or exponent > 2:
            return False
    return text[k] == 0 and k <= 40


cdef bint _strtod_whole(const char* text, double* out) noexcept:
    # strtod over the whole text; False when it stops early (a locale whose decimal point
    # is not "."), and the caller then reads the number the twin's way.
    cdef char* end
    out[0] = strtod(text, &end)
    if end[0] == 0:
        return True
    out[0] = NAN
    return False


cdef long long _digits(const char* text) noexcept:
    # int(text) when the text is 1 to 18 ASCII digits (then str.isdecimal holds and the
    # value fits), else -1.
    cdef long long value = 0
    cdef Py_ssize_t k = 0
    while 48 <= <unsigned char> text[k] <= 57:
        if k == 18:
            return -1
        value = value * 10 + (text[k] - 48)
        k += 1
    if k == 0 or text[k] != 0:
        return -1
    return value


# A memo from a code's plain text to what its normalizer gives for it (the twin's value),
# one table per normalizer; a tariff code's is the identity. A goods item has about nine
# codes, and a string and a dict lookup for each were much of the reader's time.
# Normalizing is a pure function of the text, so the tables serve every file; they stop
# growing at half their slots, and hold only the GIL's protection: an entry is written
# after its normalizer returns, in a slot looked up again then.
cdef enum:
    CODE_SLOTS = 4096  # a power of two
    CODE_BYTES = 16  # longest code kept: CODE_BYTES - 1 bytes

cdef struct _CodeSlot:
    char key[CODE_BYTES]
    PyObject* value  # NULL: free

cdef struct _CodeTable:
    _CodeSlot slots[CODE_SLOTS]
    int used

cdef _CodeTable _COUNTRIES, _METALS, _CURRENCIES, _TARIFFS, _ADDITIONAL_CODES


def _as_given(code):
    return code


def _additional_code(code):
    # As the twin appends an additional code: its digits, or the text when not digits.
    return tariff_digits(code) or code


cdef _CodeSlot* _slot_of(_CodeTable* table, const char* text, size_t n) noexcept:
    # The slot holding the text, or the free slot where it would go (FNV-1a, linear).
    cdef size_t h = 2166136261
    cdef size_t k
    cdef _CodeSlot* slot
    for k in range(n):
        h = (h ^ <unsigned char> text[k]) * 16777619
    while True:
        slot = &table.slots[h & (CODE_SLOTS - 1)]
        if slot.value is NULL or (memcmp(slot.key, text, n) == 0 and slot.key[n] == 0):
            return slot
        h += 1


cdef object _normalized(_CodeTable* table, xmlNode* elem, normalize):
    """`normalize(_text(elem))`, None when there is no text, through the table."""
    cdef const char* plain = _plain(elem)
    if plain is NULL:
        raw = _text(elem)
        return None if raw is None else normalize(raw)
    return _normalized_plain(table, plain, normalize)


cdef object _normalized_plain(_CodeTable* table, const char* plain, normalize):
    """`normalize(plain)` for a text `_plain_text` accepts, through the table."""
    cdef size_t n = strlen(plain)
    cdef _CodeSlot* slot
    if n >= CODE_BYTES:
        return normalize(PyUnicode_DecodeASCII(plain, n, NULL))
    slot = _slot_of(table, plain, n)
    if slot.value is not NULL:
        return <object> slot.value
    out = normalize(PyUnicode_DecodeASCII(plain, n, NULL))
    slot = _slot_of(table, plain, n)  # another thread may have filled it meanwhile
    if slot.value is NULL and table.used < CODE_SLOTS // 2:
        memcpy(slot.key, plain, n)
        slot.key[n] = 0
        Py_INCREF(out)
        slot.value = <PyObject*> out
        table.used += 1
    return out


# Indexes into an item's source lines: `SOURCE_FIELDS` order (checked at import).
cdef enum:
    S_LINE = 0
    S_DESCRIPTION = 1
    S_TARIFF = 2
    S_ADDITIONAL = 3
    S_ORIGIN = 4
    S_EXPORT = 6
    S_NET = 10
    S_CURRENCY = 14
    N_SOURCES = 15

if SOURCE_FIELDS.index("export_country") != S_EXPORT or len(SOURCE_FIELDS) != N_SOURCES:
    raise ImportError("_wcoitem.pyx is out of step with _wcoitem_py.SOURCE_FIELDS")
# origin, preferential_origin, smelt1, smelt2, cast: slots 0-4, source indexes 4,5,7,8,9.
cdef int[5] _SLOT_SOURCE = [4, 5, 7, 8, 9]
_SLOTS = {"origin": 0, "preferential_origin": 1, "smelt1": 2, "smelt2": 3, "cast": 4}
for _name, _slot in _SLOTS.items():
    if SOURCE_FIELDS.index(_name) != _SLOT_SOURCE[_slot]:
        raise ImportError("_wcoitem.pyx is out of step with _wcoitem_py.SOURCE_FIELDS")


cdef inline int _line(xmlNode* node) noexcept:
    # As item_lines keeps a line: 0 where `sourceline` is None.
    cdef long line = _line_no(<_LineNode*> node, 0)
    return <int> line if line > 0 else 0


cdef const char* _plain(xmlNode* elem) noexcept:
    # The element's text when it is one text node of ASCII with no blank at either end
    # (what a code almost always is), else NULL: then the text is read the twin's way.
    cdef xmlNode* first
    if elem is NULL:
        return NULL
    first = _text_or_skip(elem.children)
    if first is NULL or _text_or_skip(first.next) is not NULL:
        return NULL
    return _plain_text(<const char*> first.content)


cdef const char* _plain_text(const char* text) noexcept:
    # The text when it is ASCII, not empty, with no blank at either end (so str.strip()
    # keeps it whole), else NULL.
    cdef const unsigned char* c = <const unsigned char*> text
    cdef Py_ssize_t n = 0
    if c is NULL:
        return NULL
    while c[n] != 0:
        if c[n] >= 128:
            return NULL
        n += 1
    if n == 0 or _ascii_space(c[0]) or _ascii_space(c[n - 1]):
        return NULL
    return text


cdef bint _upper_is(const char* text, const char* upper) noexcept:
    # text.upper() == upper, for ASCII text.
    cdef unsigned char c
    cdef Py_ssize_t k = 0
    while True:
        c = <unsigned char> text[k]
        if 97 <= c <= 122:
            c -= 32
        if c != <unsigned char> upper[k]:
            return False
        if c == 0:
            return True
        k += 1


cdef int _plain_index(xmlNode* type_elem, tuple upper_codes) except -3:
    # The index in `upper_codes` of the element's text, upper-cased, when that text is
    # plain ASCII (-1 when it is none of them); -2 when it is not plain (read it in Python).
    cdef const char* plain = _plain(type_elem)
    cdef Py_ssize_t k
    if plain is NULL:
        return -2
    for k in range(len(upper_codes)):
        if _upper_is(plain, <bytes> upper_codes[k]):
            return <int> k
    return -1


_ORIGIN_CODES = ("1", "2", "CLS", "C2S", "CRC")  # ORIGIN_FIELDS's, in slot order
_CLASSIFICATION_CODES = ("TSP", "TRC", "GN", "TRA")
if [_SLOTS[ORIGIN_FIELDS[code]] for code in _ORIGIN_CODES] != [0, 1, 2, 3, 4]:
    raise ImportError("_wcoitem.pyx is out of step with _wcoitem_py.ORIGIN_FIELDS")
cdef tuple _ORIGIN_BYTES = tuple(code.encode() for code in _ORIGIN_CODES)
cdef tuple _CLASSIFICATION_BYTES = tuple(code.encode() for code in _CLASSIFICATION_CODES)


cdef int _origin_slot(xmlNode* type_elem) except -3:
    # ORIGIN_FIELDS's slot (0-4) for an Origin's TypeCode ("1" when blank), -1 for none.
    cdef int slot = _plain_index(type_elem, _ORIGIN_BYTES)
    if slot == -2:
        code = (_text(type_elem) or "1").upper()
        slot = _ORIGIN_CODES.index(code) if code in ORIGIN_FIELDS else -1
    return slot


cdef int _classification_kind(xmlNode* type_elem) except -3:
    # A Classification's IdentificationTypeCode: 1 TSP, 2 TRC, 3 GN or TRA, 0 other.
    cdef int k = _plain_index(type_elem, _CLASSIFICATION_BYTES)
    if k == -2:
        code = (_text(type_elem) or "").upper()
        k = _CLASSIFICATION_CODES.index(code) if code in _CLASSIFICATION_CODES else -1
    return 0 if k < 0 else 3 if k >= 2 else k + 1


cdef inline int _push(carray.array column, double x) except -1:
    cdef Py_ssize_t n = len(column)
    carray.resize_smart(column, n + 1)
    column.data.as_doubles[n] = x
    return 0


cdef class _Batch:
    """The batch's item columns and the file's normalization caches, looked up once."""

    cdef list item_line, line, description, tariff, additional_codes, origin
    cdef list preferential_origin, export_country, smelt1, smelt2, cast, net_mass_kg
    cdef list gross_mass_kg, supplementary_quantity, value, currency, documents
    cdef list item_invalid
    cdef object batch
    cdef carray.array item_lines, item_nodes
    cdef carray.array net_mass_float, gross_mass_float, supplementary_float, value_float
    cdef dict country_seen, currency_seen
    cdef object normalize_country, normalize_metal, normalize_currency

    def __init__(self, state):
        batch = self.batch = state.batch
        self.item_line = batch.item_line
        self.line = batch.line
        self.description = batch.description
        self.tariff = batch.tariff
        self.additional_codes = batch.additional_codes
        self.origin = batch.origin
        self.preferential_origin = batch.preferential_origin
        self.export_country = batch.export_country
        self.smelt1 = batch.smelt1
        self.smelt2 = batch.smelt2
        self.cast = batch.cast
        # A DecimalColumn's list: a plain number goes in as its text (see DecimalColumn).
        self.net_mass_kg = batch.net_mass_kg.values
        self.gross_mass_kg = batch.gross_mass_kg.values
        self.supplementary_quantity = batch.supplementary_quantity.values
        self.value = batch.value.values
        self.currency = batch.currency
        self.documents = batch.documents
        self.item_invalid = batch.item_invalid
        self.item_lines = batch.item_lines
        self.item_nodes = batch.item_nodes
        self.net_mass_float = batch.net_mass_float
        self.gross_mass_float = batch.gross_mass_float
        self.supplementary_float = batch.supplementary_float
        self.value_float = batch.value_float
        self.country_seen = state.country.seen
        self.currency_seen = state.currency.seen
        self.normalize_country = state.country
        self.normalize_metal = state.metal
        self.normalize_currency = state.currency

    cdef object country(self, code):
        if code is None:
            return None
        out = self.country_seen.get(code)
        return self.normalize_country(code) if out is None else out


def text_of(elem):
    return None if elem is None else _text((<cetree._Element?> elem)._c_node)


cdef bytes _DEC_NS = DEC_NS.encode("utf-8")


def ancestry(cetree._Element elem not None):
    cdef bint inside = False
    cdef long depth = 1
    cdef xmlNode* parent = elem._c_node.parent
    cdef const char* dec_ns = _DEC_NS
    while parent is not NULL and parent.type == ELEMENT_NODE:
        depth += 1
        if (not inside and parent.ns is not NULL and parent.ns.href is not NULL
                and _named(parent, b"Declaration")
                and strcmp(<const char*> parent.ns.href, dec_ns) == 0):
            inside = True
        parent = parent.parent
    return inside, depth


# The names of WCO_NAMES in a table of C strings (FNV-1a, linear probing): a lookup per
# element of a declaration costs a hash of its name, not a Python string and a set lookup.
cdef enum:
    NAME_SLOTS = 1024  # a power of two, well over twice len(WCO_NAMES)

cdef const char* _NAME_SLOTS[NAME_SLOTS]
cdef list _NAMES_KEPT = []  # the bytes the slots point into, kept alive


cdef size_t _name_hash(const char* name) noexcept:
    cdef size_t h = 2166136261
    cdef size_t k = 0
    while name[k] != 0:
        h = (h ^ <unsigned char> name[k]) * 16777619
        k += 1
    return h


cdef bint _known_name(const char* name) noexcept:
    cdef size_t h = _name_hash(name)
    while _NAME_SLOTS[h & (NAME_SLOTS - 1)] is not NULL:
        if strcmp(_NAME_SLOTS[h & (NAME_SLOTS - 1)], name) == 0:
            return True
        h += 1
    return False


cdef void _add_name(bytes name):
    cdef size_t h = _name_hash(name)
    _NAMES_KEPT.append(name)
    while _NAME_SLOTS[h & (NAME_SLOTS - 1)] is not NULL:
        h += 1
    _NAME_SLOTS[h & (NAME_SLOTS - 1)] = <const char*> name


if len(WCO_NAMES) * 2 > NAME_SLOTS:
    raise ImportError("_wcoitem.pyx: NAME_SLOTS is too small for WCO_NAMES")
for _wco_name in sorted(WCO_NAMES):
    _add_name(_wco_name.encode("utf-8"))


cdef bint _is_unknown(const char* name) noexcept:
    # `wco_xml.is_unknown` of a local name.
    return strcmp(name, b"Declaration") == 0 or not _known_name(name)


cdef bint _has_unknown(xmlNode* root) noexcept:
    # `has_unknown`: an element below `root` whose name `_is_unknown`, depth first.
    cdef xmlNode* node = root.children
    while node is not NULL:
        if node.type == ELEMENT_NODE:
            if _is_unknown(<const char*> node.name):
                return True
            if node.children is not NULL:
                node = node.children
                continue
        while node.next is NULL:
            node = node.parent
            if node is NULL or node == root:
                return False
        node = node.next
    return False


def has_unknown(cetree._Element decl not None):
    return _has_unknown(decl._c_node)


def holds(cetree._Element elem not None, cetree._Element inner not None):
    cdef xmlNode* parent = inner._c_node.parent
    while parent is not NULL and parent.type == ELEMENT_NODE:
        if parent is elem._c_node:
            return True
        parent = parent.parent
    return False


cdef int _read_info(xmlNode* child, dict found) except -1:
    # `read_info`: a GovernmentProcedure's CPC, an AdditionalInformation's statement.
    cdef xmlNode* current
    cdef xmlNode* desc
    if _named(child, b"GovernmentProcedure"):
        current = _first(child, b"CurrentCode")
        code = _text(current)
        if "procedure" in found or code is None or len(code) == 3:
            return 0
        previous = _text(_first(child, b"PreviousCode")) or ""
        found["procedure"] = (code + previous, _sourceline(current))
    elif _named(child, b"AdditionalInformation"):
        code = (_text(_first(child, b"StatementCode")) or "").upper()
        if code in ("MFR", "REGIME") and code not in found:
            desc = _first(child, b"StatementDescription")
            found[code] = (_text(desc), None if desc is NULL else _sourceline(desc))
    return 0


cdef bint _document(xmlNode* elem, list out) except -1:
    # `_document`: an AdditionalDocument as (type, id); False when it has no type.
    kind = _text(_first(elem, b"TypeCode"))
    if kind is None:
        return False
    out.append((kind, _text(_first(elem, b"ID"))))
    return True


cdef object _put(xmlNode* elem, str key, dict sources):
    text = _text(elem)
    if text is not None:
        sources[key] = _sourceline(elem)
    return text


cdef bint _party(xmlNode* elem) except -1:
    return elem is not NULL and (
        _text(_first(elem, b"Name")) is not None or _text(_first(elem, b"ID")) is not None
    )


cdef inline bint _named_value(found) except -1:
    # `_named`: a statement found, with a text.
    return found is not None and found[0] is not None


cdef _Batch _batch_of(state):
    # The item columns of `state.batch`, looked up once per batch, not once per declaration.
    cached = state.kernel_batch
    if isinstance(cached, _Batch) and (<_Batch> cached).batch is state.batch:
        return <_Batch> cached
    b = _Batch(state)
    state.kernel_batch = b
    return b


cdef class Decl:
    """`Decl`: one declaration as it is read, its elements as libxml2's nodes."""

    cdef xmlNode* elem
    cdef xmlNode* ident
    cdef xmlNode* dtype
    cdef xmlNode* stamps[2]
    cdef xmlNode* shipment
    cdef xmlNode* exporter
    cdef xmlNode* importer
    cdef xmlNode* export
    cdef list docs, rate_keys
    cdef dict sources, invalid, header, ship_info
    cdef bint ok
    cdef object entry_date, shipment_export


cdef Decl _new_decl(xmlNode* elem):
    cdef Decl d = Decl.__new__(Decl)
    d.elem = elem
    d.stamps[0] = d.stamps[1] = NULL
    d.docs, d.rate_keys = [], []
    d.sources, d.invalid, d.header, d.ship_info = {}, {}, {}, {}
    d.ok = True
    return d


def append_declaration(state, cetree._Element decl not None, index, jurisdiction):
    cdef _Batch items = _batch_of(state)
    cdef Decl d = _new_decl(decl._c_node)
    declaration_children(d)
    d.entry_date = entry_date(state, d)
    if d.shipment is not NULL:
        shipment_children(d)
    found = [d.header, d.ship_info]
    if d.shipment is not NULL:
        d.ok &= append_items(items, d.shipment, d.shipment_export, found)
    push_declaration(state, items, d, found, jurisdiction)
    if d.ok and _has_unknown(d.elem):
        d.ok = False
    items.batch.model.append(None if d.ok else state.lenient_model(decl, index, jurisdiction))


cdef int declaration_children(Decl d) except -1:
    # `declaration_children`: the first of each child read once, documents, rates.
    cdef xmlNode* child = d.elem.children
    while child is not NULL:
        if child.type != ELEMENT_NODE:
            pass
        elif _named(child, b"FunctionalReferenceID"):
            if d.ident is NULL:
                d.ident = child
        elif _named(child, b"TypeCode"):
            if d.dtype is NULL:
                d.dtype = child
        elif _named(child, b"IssueDateTime"):
            if d.stamps[0] is NULL:
                d.stamps[0] = child
        elif _named(child, b"AcceptanceDateTime"):
            if d.stamps[1] is NULL:
                d.stamps[1] = child
        elif _named(child, b"GoodsShipment"):
            if d.shipment is not NULL:
                d.ok = False  # a second GoodsShipment: the models keep it unread
            else:
                d.shipment = child
        elif _named(child, b"Exporter"):
            if d.exporter is NULL:
                d.exporter = child
        elif _named(child, b"Importer"):
            if d.importer is NULL:
                d.importer = child
        elif _named(child, b"AdditionalDocument"):
            d.ok &= _document(child, d.docs)
        elif _named(child, b"CurrencyExchange"):
            d.rate_keys.append((
                _text(_first(child, b"CurrencyTypeCode")), _text(_first(child, b"RateNumeric"))
            ))
        else:
            _read_info(child, d.header)
        child = child.next
    return 0


cdef object entry_date(state, Decl d):
    # `entry_date`: the date of issue, else of acceptance.
    cdef xmlNode* when
    cdef int k
    for k in range(2):
        when = _first(d.stamps[k], b"DateTimeString")
        raw = _text(when)
        if raw is not None:
            d.sources["entry_date"] = _sourceline(when)
            iso, day = state.date(raw, _attribute(when, b"formatCode"))
            if day is None:
                d.invalid["entry_date"] = iso
            return day
    return None


cdef int shipment_children(Decl d) except -1:
    # `shipment_children`: the shipment's export country, parties, documents, statements.
    cdef xmlNode* child = d.shipment.children
    cdef xmlNode* export_id
    while child is not NULL:
        if child.type != ELEMENT_NODE or _named(child, b"GovernmentAgencyGoodsItem"):
            pass
        elif _named(child, b"ExportCountry"):
            if d.export is NULL:
                d.export = child
        elif _named(child, b"Exporter"):
            if d.exporter is NULL:
                d.exporter = child
        elif _named(child, b"Importer"):
            if d.importer is NULL:
                d.importer = child
        elif _named(child, b"AdditionalDocument"):
            d.ok &= _document(child, d.docs)
        else:
            _read_info(child, d.ship_info)
        child = child.next
    export_id = _first(d.export, b"ID")
    value = _text(export_id)
    if value is not None:
        d.shipment_export = (value, _sourceline(export_id), <size_t> export_id)
    return 0


cdef int push_declaration(state, _Batch items, Decl d, list found, jurisdiction) except -1:
    # `push_declaration`: what the declaration read, into the batch's columns.
    cdef dict sources = d.sources
    batch = items.batch
    batch.first.append(len(items.item_line))
    batch.decl_line.append(_sourceline(d.elem))
    batch.decl_id.append(_put(d.ident, "id", sources))
    batch.declaration_type.append(_put(d.dtype, "declaration_type", sources))
    batch.entry_date.append(d.entry_date)
    jur = None
    if jurisdiction is not None:
        jur, sources["jurisdiction"] = jurisdiction
    batch.jurisdiction.append(
        None if jur is None else "EU" if jur.upper() == "EU" else items.normalize_country(jur)
    )
    batch.importer.append(_party(d.importer))
    batch.exporter.append(_party(d.exporter))
    manufacturer, procedure, stated = statements(found)
    batch.manufacturer.append(manufacturer)
    batch.procedure_code.append(None if procedure is None else procedure[0])
    batch.regime.append(regime(state, d, procedure, stated))
    batch.decl_documents.append(tuple(d.docs))
    rates = ()
    if d.rate_keys:
        rates, rates_ok = state.exchange_rates(d.rate_keys, jur)
        d.ok &= <bint> rates_ok
    batch.exchange_rates.append(rates)
    batch.decl_invalid.append(d.invalid)
    batch.decl_sources.append(sources)
    return 0


cdef tuple statements(list found):
    # `statements`: a manufacturer named?, the first procedure, the first stated regime.
    cdef bint manufacturer = False
    procedure = stated = None
    for info in found:
        if info:
            manufacturer = manufacturer or _named_value(info.get("MFR"))
            if procedure is None:
                procedure = info.get("procedure")
            if stated is None and _named_value(info.get("REGIME")):
                stated = info["REGIME"]
    return manufacturer, procedure, stated


cdef object regime(state, Decl d, procedure, stated):
    # `regime`: the regime stated, else the procedure's.
    found = None
    if procedure is not None:
        proc_regime = PROCEDURE_REGIMES.get(procedure[0][:2])
        if proc_regime:
            found = proc_regime.value
            d.sources["regime"] = procedure[1]
    if stated is not None:
        d.sources["regime"] = stated[1]
        parsed = state.regime(stated[0])
        found = None if parsed is None else parsed.value
        if parsed is None:
            d.invalid["regime"] = stated[0]
    return found


cdef bint append_items(_Batch b, xmlNode* shipment, shipment_export, list found) except -1:
    # `append_items`: a GoodsShipment's goods items in order.
    cdef bint ok = True
    cdef xmlNode* child = shipment.children
    info = {}
    while child is not NULL:
        if _named(child, b"GovernmentAgencyGoodsItem"):
            ok &= append_item(b, child, shipment_export, info)
            if info:
                found.append(info)
                info = {}
        child = child.next
    return ok


cdef class Item:
    """`Item`: one goods item as it is read, its elements as libxml2's nodes."""

    cdef xmlNode* elem
    cdef xmlNode* seq
    cdef xmlNode* commodity
    cdef xmlNode* export
    cdef xmlNode* customs
    cdef xmlNode* statistical
    cdef xmlNode* description_elem
    cdef xmlNode* measure
    cdef xmlNode* invoice
    cdef xmlNode* amount
    cdef object tsp, trc, description, tariff, currency, line, export_code
    cdef list origins, docs, codes, numbers
    cdef dict invalid
    cdef bint ok
    cdef double floats[4]
    cdef int lines[N_SOURCES]
    cdef size_t nodes[N_SOURCES + 1]

    cdef inline void source(self, int k, xmlNode* elem) noexcept:
        self.lines[k] = _line(elem)
        self.nodes[k] = <size_t> elem

    cdef int bad(self, str key, raw) except -1:
        if self.invalid is None:
            self.invalid = {}
        self.invalid[key] = raw
        return 0


cdef Item _new_item(xmlNode* elem):
    cdef Item item = Item.__new__(Item)
    cdef int k
    item.elem = elem
    item.origins = [None, None, None, None, None]
    item.docs = []
    item.codes = []
    item.numbers = [None, None, None, None]
    item.ok = True
    for k in range(4):
        item.floats[k] = NAN
    for k in range(N_SOURCES):
        item.lines[k] = NOT_READ
        item.nodes[k] = 0
    item.nodes[N_SOURCES] = <size_t> elem
    return item


cdef bint append_item(_Batch b, xmlNode* elem, shipment_export, dict found) except -1:
    # `append_item`: one goods item; False when it holds a value only the models report.
    cdef Item item = _new_item(elem)
    item_children(b, item, found)
    if item.commodity is not NULL:
        commodity(b, item)
    numbers(b, item)
    item.currency = currency(b, item)
    item.line = sequence(item)
    item.export_code = export_country(b, item, shipment_export)
    push_item(b, item)
    return item.ok


cdef int item_children(_Batch b, Item item, dict found) except -1:
    # `item_children`: the first of each child read once, the origins and documents.
    cdef xmlNode* child = item.elem.children
    while child is not NULL:
        if child.type != ELEMENT_NODE:
            pass
        elif _named(child, b"Commodity"):
            if item.commodity is not NULL:
                item.ok = False  # a second Commodity: the models keep it unread
            else:
                item.commodity = child
        elif _named(child, b"Origin"):
            origin(b, item, child)
        elif _named(child, b"SequenceNumeric"):
            if item.seq is NULL:
                item.seq = child
        elif _named(child, b"AdditionalDocument"):
            item.ok &= _document(child, item.docs)
        elif _named(child, b"ExportCountry"):
            if item.export is NULL:
                item.export = child
        elif _named(child, b"CustomsValueAmount"):
            if item.customs is NULL:
                item.customs = child
        elif _named(child, b"StatisticalValueAmount"):
            if item.statistical is NULL:
                item.statistical = child
        else:
            _read_info(child, found)
        child = child.next
    return 0


cdef int origin(_Batch b, Item item, xmlNode* elem) except -1:
    # `origin`: an Origin into its slot (origin, preference, smelting, casting).
    cdef int slot = _origin_slot(_first(elem, b"TypeCode"))
    cdef xmlNode* part
    if slot < 0 or item.origins[slot] is not None:
        item.ok = False  # a kind not read, or one an earlier Origin gave: the models keep it
        return 0
    part = _first(elem, b"CountryCode")
    if slot < 2:
        code = _normalized(&_COUNTRIES, part, b.normalize_country)
    else:
        code = _normalized(&_METALS, part, b.normalize_metal)
    if code is not None:
        item.origins[slot] = code
        item.source(_SLOT_SOURCE[slot], part)
    return 0


cdef int commodity(_Batch b, Item item) except -1:
    # `commodity`: the classifications, description, measures and invoice line.
    cdef xmlNode* child = item.commodity.children
    while child is not NULL:
        if _named(child, b"Classification"):
            classification(b, item, child)
        elif _named(child, b"Description"):
            if item.description_elem is NULL:
                item.description_elem = child
        elif _named(child, b"GoodsMeasure"):
            if item.measure is NULL:
                item.measure = child
        elif _named(child, b"InvoiceLine"):
            if item.invoice is NULL:
                item.invoice = child
        child = child.next
    if item.tsp is not None or item.trc is not None:
        item.tariff = (item.tsp or "") + (item.trc or "")
    item.description = _text(item.description_elem)
    if item.description is not None:
        item.source(S_DESCRIPTION, item.description_elem)
    return 0


cdef int classification(_Batch b, Item item, xmlNode* elem) except -1:
    # `classification`: the tariff (TSP, then its TRC suffix) or an additional code.
    cdef int kind = _classification_kind(_first(elem, b"IdentificationTypeCode"))
    cdef xmlNode* part = _first(elem, b"ID")
    if kind == 3:
        code = _normalized(&_ADDITIONAL_CODES, part, _additional_code)
    else:
        code = _normalized(&_TARIFFS, part, _as_given) if kind else None
    if code is None:
        return 0
    if kind == 1 and item.tsp is None:
        item.tsp = code
        item.source(S_TARIFF, part)
    elif kind == 2 and item.trc is None:
        item.trc = code
        if item.lines[S_TARIFF] == NOT_READ:
            item.source(S_TARIFF, part)
    elif kind == 3:
        if item.lines[S_ADDITIONAL] == NOT_READ:
            item.source(S_ADDITIONAL, part)
        item.codes.append(code)
    return 0


cdef int numbers(_Batch b, Item item) except -1:
    # `numbers`: net and gross mass (kg), supplementary quantity, value.
    cdef xmlNode* holders[4]
    cdef int k
    if item.invoice is not NULL:
        item.amount = _first(item.invoice, b"ItemChargeAmount")
    if item.amount is NULL:
        item.amount = item.customs if item.customs is not NULL else item.statistical
    holders[0] = _first(item.measure, b"NetNetWeightMeasure")
    holders[1] = _first(item.measure, b"GrossMassMeasure")
    holders[2] = _first(item.measure, b"TariffQuantity")
    holders[3] = item.amount
    for k in range(4):
        if not _plain_number_of(item, k, holders[k]):
            _number_of(item, k, holders[k])
    return 0


cdef bint _plain_number_of(Item item, int k, xmlNode* holder) except -1:
    # A plain number in kilograms (no unit, or KGM as lxml would read it), read in C: its
    # text is the value, and its Decimal is made when the value is read (DecimalColumn).
    cdef const char* plain = _plain(holder)
    cdef const char* unit_code
    if plain is NULL or not _plain_number(plain):
        return False
    unit_code = _plain_attribute(holder, b"unitCode") if k < 2 else NULL
    if unit_code is not NULL and strcmp(unit_code, b"KGM") != 0:
        return False
    if not _strtod_whole(plain, &item.floats[k]):  # it leaves NaN
        return False
    item.source(S_NET + k, holder)
    item.numbers[k] = PyUnicode_DecodeASCII(plain, strlen(plain), NULL)
    return True


cdef int _number_of(Item item, int k, xmlNode* holder) except -1:
    # The twin's way, for any other text.
    raw = _text(holder)
    if raw is None:
        return 0
    item.source(S_NET + k, holder)
    if k < 2:
        unit = _attribute(holder, b"unitCode")
        # mass_text keeps the text as given in kilograms; skip its Decimal parse then.
        if unit is not None and unit != "KGM":
            raw = mass_text(raw, unit)
    # `as_decimal`, without the twin's memo (amounts seldom repeat).
    number = as_decimal(raw)
    item.numbers[k] = number
    if number is None:
        item.bad(SOURCE_FIELDS[S_NET + k], raw)
    else:
        item.floats[k] = float(number)
    return 0


cdef object currency(_Batch b, Item item):
    # `currency`: the value's currency, normalized.
    cdef xmlNode* amount = item.amount
    cdef const char* plain
    if amount is NULL:
        return None
    plain = _plain_attribute(amount, b"currencyID")
    if plain is not NULL and plain is not _NOT_PLAIN and _plain_text(plain) is not NULL:
        item.source(S_CURRENCY, amount)
        return _normalized_plain(&_CURRENCIES, plain, b.normalize_currency)
    if plain is NULL:
        return None
    given = (_attribute(amount, b"currencyID") or "").strip()
    if not given:
        return None
    item.source(S_CURRENCY, amount)
    found = b.currency_seen.get(given)
    return b.normalize_currency(given) if found is None else found


cdef object sequence(Item item):
    # `sequence`: the item's line number; a text that is not one is kept.
    cdef const char* plain = _plain(item.seq)
    cdef long long number = _digits(plain) if plain is not NULL else -1
    if number >= 0:
        item.source(S_LINE, item.seq)
        return number
    line_text = _text(item.seq)
    if line_text is None:
        return None
    item.source(S_LINE, item.seq)
    # `as_int`: a number past Python's int-string limit is not a line number.
    line = as_int(line_text)
    if line is None:
        item.bad("line", line_text)
    return line


cdef object export_country(_Batch b, Item item, shipment_export):
    # `export_country`: the item's export country, else its shipment's.
    cdef xmlNode* export_elem = _first(item.export, b"ID")
    code = _normalized(&_COUNTRIES, export_elem, b.normalize_country)
    if code is not None:
        item.source(S_EXPORT, export_elem)
        return code
    if shipment_export is None:
        return None
    code, line, node = shipment_export
    item.lines[S_EXPORT] = line or 0
    item.nodes[S_EXPORT] = node
    return b.country(code)


cdef int push_item(_Batch b, Item item) except -1:
    # `push_item`: what the item read, into the batch's item columns.
    cdef Py_ssize_t k
    b.item_line.append(_sourceline(item.elem))
    b.line.append(item.line)
    b.description.append(item.description)
    b.tariff.append(item.tariff)
    b.additional_codes.append(tuple(item.codes))
    b.origin.append(item.origins[0])
    b.preferential_origin.append(item.origins[1])
    b.export_country.append(item.export_code)
    b.smelt1.append(item.origins[2])
    b.smelt2.append(item.origins[3])
    b.cast.append(item.origins[4])
    b.net_mass_kg.append(item.numbers[0])
    b.gross_mass_kg.append(item.numbers[1])
    b.supplementary_quantity.append(item.numbers[2])
    b.value.append(item.numbers[3])
    _push(b.net_mass_float, item.floats[0])
    _push(b.gross_mass_float, item.floats[1])
    _push(b.supplementary_float, item.floats[2])
    _push(b.value_float, item.floats[3])
    b.currency.append(item.currency)
    b.documents.append(tuple(item.docs))
    b.item_invalid.append(item.invalid)
    k = len(b.item_lines)
    carray.resize_smart(b.item_lines, k + N_SOURCES)
    memcpy(&b.item_lines.data.as_ints[k], item.lines, N_SOURCES * sizeof(int))
    k = len(b.item_nodes)
    carray.resize_smart(b.item_nodes, k + N_SOURCES + 1)
    memcpy(&b.item_nodes.data.as_ulonglongs[k], item.nodes, (N_SOURCES + 1) * sizeof(size_t))
    return 0


cdef bint _same_tag(xmlNode* a, xmlNode* b) noexcept:
    if a.type != ELEMENT_NODE or strcmp(<const char*> a.name, <const char*> b.name) != 0:
        return False
    if a.ns is NULL or b.ns is NULL:
        return a.ns is b.ns
    return strcmp(<const char*> a.ns.href, <const char*> b.ns.href) == 0


cdef dict _SOURCE_INDEX = SOURCE_INDEX


def item_location(b, Py_ssize_t row, Py_ssize_t k, str name):
    """Return where goods item `row` of declaration k of batch `b` read field `name`, as
    `_wcoitem_py.item_location` does (that function documents it)."""
    slot = _SOURCE_INDEX.get(name)
    cdef list locators = b.locators
    locator = locators[k] if k < len(locators) else None
    if not isinstance(locator, WcoLocator) or (
        slot is None and (name == "supplementary_unit" or "[" in name)
    ):
        return None
    cdef Py_ssize_t base = row * (N_SOURCES + 1)
    cdef carray.array nodes = b.item_nodes
    cdef size_t node = 0 if slot is None else nodes.data.as_ulonglongs[base + <Py_ssize_t> slot]
    if node != 0:
        line = b.item_lines[row * N_SOURCES + <Py_ssize_t> slot] or None
    else:
        node, line = nodes.data.as_ulonglongs[base + N_SOURCES], b.item_line[row]
    path = node_path(locator.decl, node, locator.prefix, locator.known)
    if path is None:
        return None
    return plain_model(
        Location, {"file": b.file, "line": line, "path": path, "column": None}, PLACE
    )


def node_path(cetree._Element decl not None, size_t node, str prefix, dict known not None):
    """Return the XPath of local names from `decl` (named `prefix`) down to `node`, an
    element of `WcoColumns.item_nodes`, as the model reader writes it: a step is numbered
    when a sibling has its tag. None when `node` is not inside `decl`.

    known: (number among its siblings of its tag, path) of the elements met, kept by the
    caller for the declaration's next calls: counting every goods item's siblings for each
    finding was quadratic, and most findings share their item's path.
    """
    cdef xmlNode* top = decl._c_node
    cdef xmlNode* n = <xmlNode*> node
    cdef xmlNode* sibling
    cdef int before
    cdef bint after
    chain = []  # the elements from `node` up whose paths are not known yet
    path = prefix
    while n is not top:
        if n is NULL or n.type != ELEMENT_NODE:
            return None
        hit = known.get(<size_t> n)
        if hit is not None:
            path = (<tuple> hit)[1]
            break
        chain.append(<size_t> n)
        n = n.parent
    for address in reversed(chain):
        n = <xmlNode*> <size_t> address
        before = _before(n, known)
        after = False
        sibling = n.next
        while sibling is not NULL and not after:
            after = _same_tag(sibling, n)
            sibling = sibling.next
        name = (<const char*> n.name).decode("utf-8")
        path = f"{path}/{name}[{before + 1}]" if before or after else f"{path}/{name}"
        known[address] = (before + 1, path)
    return path


cdef int _before(xmlNode* n, dict known):
    """Return how many siblings of `n`'s tag precede it, counted on from the nearest one
    in `known`."""
    cdef xmlNode* sibling = n.prev
    cdef int before = 0
    while sibling is not NULL:
        if _same_tag(sibling, n):
            hit = known.get(<size_t> sibling)
            if hit is not None:
                return before + <int> (<tuple> hit)[0]
            before += 1
        sibling = sibling.prev
    return before


def node_column():
    """Return an empty `WcoColumns.item_nodes`: the nodes' addresses (the twin: elements)."""
    return carray.array("Q")
