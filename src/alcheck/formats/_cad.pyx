# cython: language_level=3, boundscheck=False, wraparound=False
"""Compiled plain CBSA CAD reader: a faithful fast copy of `_cad_py.py` (the reference).

It walks libxml2's nodes under lxml's declaration element instead of making an lxml proxy
per element and a dict of its children per element (`_parts`): a one-item declaration
has about forty elements, and the proxies and dicts were most of the CAD reader's time.
The children an element has by name are C slots (`Part`), a repeated child its first
node and count. Texts and attributes are read as lxml reads them (`_Element.text`,
`.get`); values are turned into the loose data by the same Python helpers as the twin's
(`document_of`, `mass_text`, `wco_date`), and elements kept whole (rare) are made lxml
elements and kept by the twin's `keep_whole`.
"""

from cpython.tuple cimport PyTuple_New, PyTuple_SET_ITEM
from cpython.ref cimport Py_INCREF
from libc.string cimport strcmp, strlen

cimport lxml.includes.etreepublic as cetree
from lxml.includes.tree cimport xmlNode

from ._xmlnodes cimport (
    CDATA_NODE, COMMENT_NODE, ELEMENT_NODE, ENTITY_REF_NODE, PI_NODE, TEXT_NODE, XINCLUDE_END,
    XINCLUDE_START, _ascii_space, _text, _text_or_skip,
)

from ._cad_py import (
    AMOUNT_PARTS, CLASSIFICATION_PARTS, COMMODITY_MANY_PARTS, COMMODITY_ONE_PARTS,
    DECL_MANY_PARTS, DECL_ONE_PARTS, DOC_PARTS, EIGHT_DIGITS, FEE_PARTS, ID_PARTS,
    ITEM_MANY_PARTS, ITEM_ONE_PARTS, KEEPABLE, MASS_UNITS, MEASURE_PARTS, ORIGIN_KINDS,
    ORIGIN_PARTS, PARTY_PARTS, RATE_PARTS, SHIPMENT_MANY_PARTS, SHIPMENT_ONE_PARTS,
    STATUS_PARTS, TYPE_REGIMES, Irregular, document_of, keep_whole,
)
from .wco_xml import mass_text, wco_date

cetree.import_lxml__etree()

cdef extern from "Python.h":
    # A dict with room for `minused` keys: the loose data's dicts, made at their size
    # instead of grown twice (same keys, same order).
    dict _PyDict_NewPresized(Py_ssize_t minused)

# The twin's tables, typed: looked up in C.
cdef dict _ORIGIN_KIND_OF = ORIGIN_KINDS
cdef dict _REGIME_OF = TYPE_REGIMES
cdef frozenset _KEPT_NAMES = KEEPABLE
cdef tuple _MASS_UNIT_CODES = MASS_UNITS

# Texts, as `_wcoitem.pyx` reads them (`_text`, the twin's `element_text`, is `_xmlnodes.pxd`'s)

cdef inline bint _is_element(xmlNode* node) noexcept:
    # lxml's _isElement: what `len(elem)` counts and `for child in elem` gives.
    return (node.type == ELEMENT_NODE or node.type == COMMENT_NODE
            or node.type == ENTITY_REF_NODE or node.type == PI_NODE)


cdef object _leaf_text(xmlNode* elem):
    """`_leaf_text`: the text of a value element (None for none); raises `Irregular` when
    it holds elements."""
    cdef xmlNode* child
    if elem is NULL:
        return None
    child = elem.children
    while child is not NULL:
        if _is_element(child):
            raise Irregular
        child = child.next
    return _text(elem)


cdef object _attribute(xmlNode* elem, const char* name):
    """`elem.get(name)` for an attribute in no namespace."""
    return cetree.attributeValueFromNsName(elem, NULL, <const unsigned char*> name)


cdef object _first_text(xmlNode* elem, const char* name):
    """`element_text(child_named(elem, name))`: the first element child named `name`."""
    cdef xmlNode* child = elem.children
    while child is not NULL:
        if child.type == ELEMENT_NODE and strcmp(<const char*> child.name, name) == 0:
            return _text(child)
        child = child.next
    return None


# Where values are: `At`s -----------------------------------------------------------------


cdef tuple _down(tuple at, Py_ssize_t i):
    """`(*at, i)`."""
    cdef Py_ssize_t n = len(at), k
    cdef tuple out = PyTuple_New(n + 1)
    for k in range(n):
        item = at[k]
        Py_INCREF(item)
        PyTuple_SET_ITEM(out, k, item)
    item = i
    Py_INCREF(item)
    PyTuple_SET_ITEM(out, n, item)
    return out


# The children of an element by name (`_parts`) ---------------------------------------------


cdef struct Part:
    xmlNode* node  # the child (the first of a repeated one), NULL when there is none
    Py_ssize_t index  # its index among its parent's children (lxml's)
    Py_ssize_t count  # how many there are


cdef enum:
    MAX_NAMES = 9

# Each element's children `_parts` takes, in slots: the singles, then the repeated ones
# (the twin's frozensets, checked at import). A slot's name is its enum's.
cdef enum:
    D_ID, D_TYPE, D_IMPORTER, D_EXPORTER, D_STATUS, D_RATE, D_DOC, D_FEE, D_SHIPMENT, D_N
cdef const char* _DECL_NAMES[9]
_DECL_NAMES[:] = [
    b"ID", b"TypeCode", b"Importer", b"Exporter", b"Status",
    b"CurrencyExchange", b"AdditionalDocument", b"DutyTaxFee", b"GoodsShipment",
]
cdef enum:
    P_NAME, P_ID, P_N
cdef const char* _PARTY_NAMES[2]
_PARTY_NAMES[:] = [b"Name", b"ID"]
cdef enum:
    ST_WHEN, ST_N
cdef const char* _STATUS_NAMES[1]
_STATUS_NAMES[:] = [b"ReleaseDateTime"]
cdef enum:
    R_CURRENCY, R_RATE, R_N
cdef const char* _RATE_NAMES[2]
_RATE_NAMES[:] = [b"CurrencyTypeCode", b"RateNumeric"]
cdef enum:
    DOC_TYPE, DOC_ID, DOC_CATEGORY, DOC_N
cdef const char* _DOC_NAMES[3]
_DOC_NAMES[:] = [b"TypeCode", b"ID", b"CategoryCode"]
cdef enum:
    F_TYPE, F_REGIME, F_N
cdef const char* _FEE_NAMES[2]
_FEE_NAMES[:] = [b"TypeCode", b"DutyRegimeCode"]
cdef enum:
    SH_EXPORT, SH_ITEM, SH_DOC, SH_FEE, SH_N
cdef const char* _SHIPMENT_NAMES[4]
_SHIPMENT_NAMES[:] = [
    b"ExportCountry", b"GovernmentAgencyGoodsItem", b"AdditionalDocument", b"DutyTaxFee",
]
cdef enum:
    I_LINE, I_COMMODITY, I_EXPORT, I_ORIGIN, I_DOC, I_FEE, I_N
cdef const char* _ITEM_NAMES[6]
_ITEM_NAMES[:] = [
    b"SequenceNumeric", b"Commodity", b"ExportCountry",
    b"Origin", b"AdditionalDocument", b"DutyTaxFee",
]
cdef enum:
    C_DESCRIPTION, C_MEASURE, C_COUNT, C_INVOICE, C_CLASSIFICATION, C_N
cdef const char* _COMMODITY_NAMES[5]
_COMMODITY_NAMES[:] = [
    b"Description", b"GoodsMeasure", b"CountQuantity", b"InvoiceLine", b"Classification",
]
cdef enum:
    CL_ID, CL_KIND, CL_N
cdef const char* _CLASSIFICATION_NAMES[2]
_CLASSIFICATION_NAMES[:] = [b"ID", b"IdentificationTypeCode"]
cdef enum:
    M_NET, M_GROSS, M_COUNT, M_N
cdef const char* _MEASURE_NAMES[3]
_MEASURE_NAMES[:] = [
    b"NetNetWeightMeasure", b"GrossMassMeasure", b"CountQuantity",
]
cdef enum:
    O_COUNTRY, O_KIND, O_N
cdef const char* _ORIGIN_NAMES[2]
_ORIGIN_NAMES[:] = [b"CountryCode", b"TypeCode"]
cdef const char* _ID_NAMES[1]
_ID_NAMES[:] = [b"ID"]
cdef const char* _AMOUNT_NAMES[1]
_AMOUNT_NAMES[:] = [b"ItemChargeAmount"]


cdef bint _in_step(const char** names, Py_ssize_t singles, Py_ssize_t n, one, many) except -1:
    # Whether C slots name the twin's singles and repeated children.
    got = [names[k].decode() for k in range(n)]
    return set(got[:singles]) == one and set(got[singles:]) == many and len(set(got)) == n


_NONE = frozenset()
if not (
    _in_step(_DECL_NAMES, D_RATE, D_N, DECL_ONE_PARTS, DECL_MANY_PARTS)
    and _in_step(_PARTY_NAMES, P_N, P_N, PARTY_PARTS, _NONE)
    and _in_step(_STATUS_NAMES, ST_N, ST_N, STATUS_PARTS, _NONE)
    and _in_step(_RATE_NAMES, R_N, R_N, RATE_PARTS, _NONE)
    and _in_step(_DOC_NAMES, DOC_N, DOC_N, DOC_PARTS, _NONE)
    and _in_step(_FEE_NAMES, F_N, F_N, FEE_PARTS, _NONE)
    and _in_step(_SHIPMENT_NAMES, SH_ITEM, SH_N, SHIPMENT_ONE_PARTS, SHIPMENT_MANY_PARTS)
    and _in_step(_ITEM_NAMES, I_ORIGIN, I_N, ITEM_ONE_PARTS, ITEM_MANY_PARTS)
    and _in_step(_COMMODITY_NAMES, C_CLASSIFICATION, C_N, COMMODITY_ONE_PARTS, COMMODITY_MANY_PARTS)
    and _in_step(_CLASSIFICATION_NAMES, CL_N, CL_N, CLASSIFICATION_PARTS, _NONE)
    and _in_step(_MEASURE_NAMES, M_N, M_N, MEASURE_PARTS, _NONE)
    and _in_step(_ORIGIN_NAMES, O_N, O_N, ORIGIN_PARTS, _NONE)
    and _in_step(_ID_NAMES, 1, 1, ID_PARTS, _NONE)
    and _in_step(_AMOUNT_NAMES, 1, 1, AMOUNT_PARTS, _NONE)
):
    raise ImportError("_cad.pyx is out of step with _cad_py's children by name")


# A repeated child as its parts are walked: the child, and its index.
cdef struct Many:
    xmlNode* node
    Py_ssize_t index


cdef inline Many _many(Part* part) noexcept:
    """The first of a repeated child (`node` NULL when there is none)."""
    cdef Many many
    many.node, many.index = part.node, part.index
    return many


cdef xmlNode* _next(Many* many) noexcept:
    """Move on to the next sibling of the child's name; NULL after the last."""
    cdef xmlNode* node = many.node
    cdef const char* name = <const char*> node.name
    node = node.next
    while node is not NULL:
        if node.type == ELEMENT_NODE:  # `parts` found nothing else counted among them
            many.index += 1
            if strcmp(<const char*> node.name, name) == 0:
                many.node = node
                return node
        node = node.next
    many.node = NULL
    return NULL


cdef class PlainCad:
    """`PlainCad`: one plain declaration as it is read, its elements libxml2's nodes."""

    cdef object places, jurisdiction
    cdef list kept
    cdef cetree._Document doc

    def __cinit__(self, places, jurisdiction):
        self.places, self.jurisdiction = places, jurisdiction
        self.kept = []
        self.doc = (<cetree._Element?> places.decl)._doc

    cdef int parts(
        self, xmlNode* elem, const char** names, Py_ssize_t singles, Py_ssize_t n,
        Part* out, tuple at,
    ) except -1:
        """`_parts` into `out` (a slot for each of `names`), what to keep of it noted."""
        cdef xmlNode* child = elem.children
        cdef Py_ssize_t i = 0, k
        cdef const char* name
        for k in range(n):
            out[k].node, out[k].index, out[k].count = NULL, 0, 0
        while child is not NULL:
            if child.type == ELEMENT_NODE:
                name = <const char*> child.name
                k = 0  # a first letter told apart here: strcmp only for a likely match
                while k < n and (name[0] != names[k][0] or strcmp(name, names[k]) != 0):
                    k += 1
                if k < n:
                    if k < singles and out[k].count:
                        raise Irregular
                    if not out[k].count:
                        out[k].node, out[k].index = child, i
                    out[k].count += 1
                elif name.decode("utf-8") in _KEPT_NAMES:
                    self.kept.append((cetree.elementFactory(self.doc, child), _down(at, i)))
                else:
                    raise Irregular
                i += 1
            elif _is_element(child):
                raise Irregular  # a comment, a processing instruction, an entity
            child = child.next
        return 0

    cdef int keep(self, dict data, dict sources, tuple owner) except -1:
        """Keep the elements noted (`kept`) on `data` (`keep_whole`)."""
        kept, self.kept = self.kept, []
        if kept:
            keep_whole(self.places, kept, data, sources, owner)
        return 0

    cdef dict declaration(self):
        """Return the declaration as `_CadReader.declaration` does."""
        cdef Part parts[D_N]
        cdef Part given[MAX_NAMES]
        cdef Many many
        cdef xmlNode* decl = (<cetree._Element> self.places.decl)._c_node
        cdef tuple at
        self.parts(decl, _DECL_NAMES, D_RATE, D_N, parts, ())
        data = _PyDict_NewPresized(10)
        data["location"] = self.places
        sources = _PyDict_NewPresized(10)
        data["jurisdiction"], sources["jurisdiction"] = self.jurisdiction
        _plain(data, sources, "id", &parts[D_ID], ())
        _plain(data, sources, "declaration_type", &parts[D_TYPE], ())
        regime = _REGIME_OF.get((data.get("declaration_type") or "").upper())
        if regime is not None:
            data["regime"], sources["regime"] = regime, sources["declaration_type"]
        if parts[D_STATUS].node is not NULL:
            at = (parts[D_STATUS].index,)
            self.parts(parts[D_STATUS].node, _STATUS_NAMES, ST_N, ST_N, given, at)
            self.release_date(data, sources, &given[ST_WHEN], at)
        for role, slot in (("importer", D_IMPORTER), ("exporter", D_EXPORTER)):
            if parts[<int> slot].node is not NULL:
                at = (parts[<int> slot].index,)
                self.parts(parts[<int> slot].node, _PARTY_NAMES, P_N, P_N, given, at)
                entry = {}
                if (party_name := _leaf_text(given[P_NAME].node)) is not None:
                    entry["name"] = party_name
                if (party_id := _leaf_text(given[P_ID].node)) is not None:
                    entry["id"] = party_id
                data[role], sources[role] = entry, at
        shipments = self.shipments(&parts[D_SHIPMENT])
        items = []
        for shipment in shipments:
            self.items(<_Shipment> shipment, items)
        data["items"] = items
        docs = []
        self.documents(&parts[D_DOC], &parts[D_FEE], (), docs, sources, True)
        for shipment in shipments:
            (<_Shipment> shipment).documents(self, docs, sources)
        if docs:
            data["documents"] = docs
        rates = []
        many = _many(&parts[D_RATE])
        j = 0
        while many.node is not NULL:
            at = (many.index,)
            self.parts(many.node, _RATE_NAMES, R_N, R_N, given, at)
            currency = _leaf_text(given[R_CURRENCY].node)
            rate = _leaf_text(given[R_RATE].node)
            rates.append({"currency": currency, "rate": rate, "to_currency": "CAD"})
            sources[_indexed(_RATE_KEYS, "exchange_rates", j)] = at
            j += 1
            _next(&many)
        if rates:
            data["exchange_rates"] = rates
        data["sources"] = sources
        self.keep(data, sources, ())
        return data

    cdef list shipments(self, Part* found):
        """The GoodsShipments' children by name (`_parts` of each), in document order."""
        cdef Many many = _many(found)
        cdef _Shipment shipment
        out = []
        while many.node is not NULL:
            shipment = _Shipment.__new__(_Shipment)
            shipment.at = (many.index,)
            self.parts(many.node, _SHIPMENT_NAMES, SH_ITEM, SH_N, shipment.parts, shipment.at)
            out.append(shipment)
            _next(&many)
        return out

    cdef int release_date(self, dict data, dict sources, Part* when, tuple at) except -1:
        """Read the entry date: YYYYMMDD (CBSA), or an ISO date; else as given (invalid)."""
        raw = _leaf_text(when.node)
        if when.node is not NULL and raw is not None:
            code = _attribute(when.node, b"formatCode") or "102"
            data["entry_date"] = _entry_date(raw, code) if _eight_digits(raw) else raw
            sources["entry_date"] = _down(at, when.index)
        return 0

    cdef int items(self, _Shipment shipment, list out) except -1:
        """Add a shipment's goods items to `out`; an item without an export country takes
        the shipment's."""
        cdef Part found[1]
        cdef Part* country = &shipment.parts[SH_EXPORT]
        cdef tuple at = shipment.at
        cdef tuple country_at
        cdef Many many
        export = None
        if country.node is not NULL:
            country_at = _down(at, country.index)
            self.parts(country.node, _ID_NAMES, 1, 1, found, country_at)
            value = _leaf_text(found[0].node)
            if found[0].node is NULL or value is None:
                raise Irregular  # not read: kept
            export = (value, _down(country_at, found[0].index))
        many = _many(&shipment.parts[SH_ITEM])
        while many.node is not NULL:
            out.append(self.item(many.node, _down(at, many.index), export))
            _next(&many)
        return 0

    cdef int documents(
        self, Part* additional, Part* fees, tuple at, list docs, dict sources, bint valued
    ) except -1:
        """Add a holder's AdditionalDocuments, then its AD/CVD duty lines, to `docs`; other
        duty lines are kept. valued: False for an item without a value, whose value for
        duty (TOT) the full reader reads."""
        cdef Part given[MAX_NAMES]
        cdef Many many = _many(additional)
        cdef tuple where
        while many.node is not NULL:
            where = _down(at, many.index)
            self.parts(many.node, _DOC_NAMES, DOC_N, DOC_N, given, where)
            kind, doc_id = _leaf_text(given[DOC_TYPE].node), _leaf_text(given[DOC_ID].node)
            sources[_indexed(_DOCUMENT_KEYS, "documents", len(docs))] = where
            docs.append(_plain_document(kind, doc_id, _leaf_text(given[DOC_CATEGORY].node)))
            _next(&many)
        many = _many(fees)
        while many.node is not NULL:
            where = _down(at, many.index)
            kind = (_first_text(many.node, b"TypeCode") or "").upper()
            if kind not in ("ADD", "CVD"):
                if kind == "TOT" and not valued:
                    raise Irregular  # the value for duty
                self.kept.append((cetree.elementFactory(self.doc, many.node), where))
                _next(&many)
                continue
            self.parts(many.node, _FEE_NAMES, F_N, F_N, given, where)
            _leaf_text(given[F_TYPE].node)  # what it holds the full reader keeps
            sima = {"type": "ADC", "category": kind}
            if (code := _leaf_text(given[F_REGIME].node)) is not None:
                sima["id"] = code
            sources[_indexed(_DOCUMENT_KEYS, "documents", len(docs))] = where
            docs.append(sima)
            _next(&many)
        return 0

    cdef dict item(self, xmlNode* elem, tuple at, export):
        """Return a goods item as `_CadReader.cad_item` does."""
        cdef Part parts[I_N]
        cdef Part goods[C_N]
        cdef Part given[MAX_NAMES]
        cdef Part line_parts[1]
        cdef Many many
        cdef tuple goods_at = at, origin_at, country_at, where
        cdef Py_ssize_t k
        outer, self.kept = self.kept, []  # what the item holds is kept on it
        self.parts(elem, _ITEM_NAMES, I_ORIGIN, I_N, parts, at)
        data = _PyDict_NewPresized(16)
        data["location"] = at
        sources = _PyDict_NewPresized(16)
        _plain(data, sources, "line", &parts[I_LINE], at)
        for k in range(C_N):
            goods[k].node, goods[k].index, goods[k].count = NULL, 0, 0
        if parts[I_COMMODITY].node is not NULL:
            goods_at = _down(at, parts[I_COMMODITY].index)
            self.parts(
                parts[I_COMMODITY].node, _COMMODITY_NAMES, C_CLASSIFICATION, C_N, goods, goods_at
            )
        _plain(data, sources, "description", &goods[C_DESCRIPTION], goods_at)
        self.classifications(data, sources, &goods[C_CLASSIFICATION], goods_at)
        many = _many(&parts[I_ORIGIN])
        while many.node is not NULL:
            origin_at = _down(at, many.index)
            self.parts(many.node, _ORIGIN_NAMES, O_N, O_N, given, origin_at)
            field = _ORIGIN_KIND_OF.get((_leaf_text(given[O_KIND].node) or "").upper())
            if field is None or field in data or _leaf_text(given[O_COUNTRY].node) is None:
                raise Irregular  # unread
            _plain(data, sources, field, &given[O_COUNTRY], origin_at)
            _next(&many)
        if parts[I_EXPORT].node is not NULL:
            country_at = _down(at, parts[I_EXPORT].index)
            self.parts(parts[I_EXPORT].node, _ID_NAMES, 1, 1, given, country_at)
            if given[0].node is NULL:
                raise Irregular  # kept
            _plain(data, sources, "export_country", &given[0], country_at)
        if "export_country" not in data and export is not None:
            data["export_country"], sources["export_country"] = export
        self.measures(data, sources, goods, goods_at)
        if goods[C_INVOICE].node is not NULL:
            where = _down(goods_at, goods[C_INVOICE].index)
            self.parts(goods[C_INVOICE].node, _AMOUNT_NAMES, 1, 1, line_parts, where)
            value = _leaf_text(line_parts[0].node)
            if line_parts[0].node is NULL or value is None:
                raise Irregular  # kept
            data["value"] = value
            sources["value"] = where = _down(where, line_parts[0].index)
            if currency := (_attribute(line_parts[0].node, b"currencyID") or "").strip():
                data["currency"], sources["currency"] = currency, where
        docs = []
        self.documents(&parts[I_DOC], &parts[I_FEE], at, docs, sources, "value" in data)
        if docs:
            data["documents"] = docs
        data["sources"] = sources
        self.keep(data, sources, at)
        self.kept = outer
        return data

    cdef int classifications(self, dict data, dict sources, Part* found, tuple at) except -1:
        """Read the tariff number and the chapter 99 additional codes."""
        cdef Part given[CL_N]
        cdef Many many = _many(found)
        cdef tuple cls_at, where
        extra = []
        while many.node is not NULL:
            cls_at = _down(at, many.index)
            self.parts(many.node, _CLASSIFICATION_NAMES, CL_N, CL_N, given, cls_at)
            code = _leaf_text(given[CL_ID].node)
            _leaf_text(given[CL_KIND].node)
            if code is None:
                raise Irregular  # kept
            where = _down(cls_at, given[CL_ID].index)
            if _chapter_99(code):
                sources[_indexed(_CODE_KEYS, "additional_codes", len(extra))] = where
                sources.setdefault("additional_codes", where)
                extra.append(code)
            elif "tariff_declared" not in data:
                data["tariff_declared"], sources["tariff_declared"] = code, where
            else:
                raise Irregular  # a second tariff classification: unread
            _next(&many)
        if extra:
            data["additional_codes"] = extra
        return 0

    cdef int measures(self, dict data, dict sources, Part* goods, tuple at) except -1:
        """Read the masses in kg, and the CountQuantity: a net mass or the quantity."""
        cdef Part given[M_N]
        cdef Part* count
        cdef Part* mass
        cdef tuple measure_at = at, count_at
        cdef Py_ssize_t k
        for k in range(M_N):
            given[k].node, given[k].index, given[k].count = NULL, 0, 0
        if goods[C_MEASURE].node is not NULL:
            measure_at = _down(at, goods[C_MEASURE].index)
            self.parts(goods[C_MEASURE].node, _MEASURE_NAMES, M_N, M_N, given, measure_at)
        for key, slot in (("net_mass_kg", M_NET), ("gross_mass_kg", M_GROSS)):
            mass = &given[<int> slot]
            if mass.node is not NULL and (raw := _leaf_text(mass.node)) is not None:
                sources[key] = _down(measure_at, mass.index)
                data[key] = _mass(raw, _attribute(mass.node, b"unitCode"))
        count, count_at = &given[M_COUNT], measure_at
        if count.node is NULL:
            count, count_at = &goods[C_COUNT], at
        elif goods[C_COUNT].node is not NULL:
            raise Irregular  # a second one: kept
        raw = _leaf_text(count.node)
        if count.node is NULL or raw is None:
            return 0
        where = _down(count_at, count.index)
        unit = (_attribute(count.node, b"unitCode") or "").strip().upper()
        if unit in _MASS_UNIT_CODES and "net_mass_kg" not in data:
            data["net_mass_kg"], sources["net_mass_kg"] = _mass(raw, unit), where
            return 0
        data["supplementary_quantity"], sources["supplementary_quantity"] = raw, where
        if unit:
            data["supplementary_unit"], sources["supplementary_unit"] = unit, where
        return 0


cdef class _Shipment:
    """A GoodsShipment as `PlainCad.declaration` holds it: its children by name."""

    cdef Part parts[SH_N]
    cdef tuple at

    cdef int documents(self, PlainCad reader, list docs, dict sources) except -1:
        return reader.documents(
            &self.parts[SH_DOC], &self.parts[SH_FEE], self.at, docs, sources, True
        )


cdef int _plain(dict data, dict sources, key, Part* part, tuple at) except -1:
    """Store the text of a value element (a child of the element at `at`) under `key`."""
    value = _leaf_text(part.node)
    if value is not None:
        data[key] = value
        sources[key] = _down(at, part.index)
    return 0


cdef bint _chapter_99(str code) except -1:
    # code.replace(".", "").replace(" ", "").startswith("99")
    cdef Py_UCS4 c
    cdef int nines = 0
    for c in code:
        if c == u"." or c == u" ":
            continue
        if c != u"9":
            return False
        nines += 1
        if nines == 2:
            return True
    return False


# Values turned into loose data ------------------------------------------------------------


cdef bint _eight_digits(str raw) except -1:
    """`EIGHT_DIGITS.fullmatch(raw) is not None`, in C for ASCII text."""
    cdef Py_UCS4 c
    if not raw.isascii():
        return EIGHT_DIGITS.fullmatch(raw) is not None
    if len(raw) != 8:
        return False
    for c in raw:
        if not u"0" <= c <= u"9":
            return False
    return True


cdef object _mass(str raw, unit_code):
    """`mass_text(raw, unit_code)`. In kilograms (KGM, or no unit: nearly every mass)
    that is the text as given, a number or not; in another unit, mass_text works it out."""
    if unit_code is None or unit_code == "KGM":
        return raw
    return mass_text(raw, unit_code)


# `wco_date` of a YYYYMMDD date in the default format (102), by its text: a pure function,
# and a file holds few days. Emptied when full.
cdef dict _DATES = {}


cdef object _entry_date(str raw, code):
    """`wco_date(raw, code)`, through `_DATES` for format 102."""
    if code != "102":
        return wco_date(raw, code)
    got = _DATES.get(raw)
    if got is None:
        if len(_DATES) >= 4096:
            _DATES.clear()
        got = _DATES[raw] = wco_date(raw, code)
    return got


cdef dict _plain_document(kind, doc_id, category):
    """`document_of(kind, doc_id, category)`, made here when the id cannot cite GIP 83 (it
    starts with a character that is not g, G or a blank: `GIP83_ID` cannot match)."""
    cdef Py_UCS4 head
    if doc_id is not None:
        head = (<str> doc_id)[0] if len(<str> doc_id) else 0
        if head >= 128 or head in u"gG" or head == 0 or (<str> doc_id)[:1].isspace():
            return document_of(kind, doc_id, category)
    doc = {"type": kind}
    if doc_id is not None:
        doc["id"] = doc_id
    if category is not None:
        doc["category"] = category
    return doc


# The first keys of numbered sources ("documents[0]"...), made once.
cdef tuple _DOCUMENT_KEYS = tuple(f"documents[{k}]" for k in range(16))
cdef tuple _RATE_KEYS = tuple(f"exchange_rates[{k}]" for k in range(16))
cdef tuple _CODE_KEYS = tuple(f"additional_codes[{k}]" for k in range(16))


cdef str _indexed(tuple keys, str name, Py_ssize_t k):
    """f"{name}[{k}]", one of `keys` where it is there."""
    return <str> keys[k] if k < 16 else f"{name}[{k}]"


def plain_declaration(places, jurisdiction):
    return PlainCad(places, jurisdiction).declaration()


# Where declarations are in the file's tree -------------------------------------------------


cdef inline bint _is_declaration(xmlNode* node) noexcept:
    return node.type == ELEMENT_NODE and strcmp(<const char*> node.name, b"Declaration") == 0


def top_declaration(cetree._Element elem not None):
    cdef xmlNode* node = elem._c_node
    if not _is_declaration(node):
        return False
    node = node.parent
    while node is not NULL and node.type == ELEMENT_NODE:
        if _is_declaration(node):
            return False
        node = node.parent
    return True


def nothing_before(cetree._Element decl not None):
    cdef xmlNode* node = decl._c_node
    cdef xmlNode* sibling
    while node.parent is not NULL and node.parent.type == ELEMENT_NODE:  # below the root
        sibling = node.prev
        while sibling is not NULL:
            if sibling.type == ELEMENT_NODE and not _is_declaration(sibling):
                return False
            sibling = sibling.prev
        node = node.parent
    return True
