# cython: language_level=3, boundscheck=False, wraparound=False
"""Compiled loose-data layout: a faithful fast copy of `_loose_py.py` (the reference).

The same functions in the same order, appending exactly the same values. What differs
is how: the batch's columns and the layout's memos are looked up once per batch
(`_Columns`), types are tested exactly in C, blanks are found without stripping, a
memo is one dict look-up, and the columns are appended to directly.
"""

from cpython cimport array as carray
from cpython.dict cimport PyDict_GetItem
from cpython.ref cimport PyObject
from cpython.unicode cimport Py_UNICODE_ISSPACE

import datetime as dt
from decimal import Decimal

from ..model import Document, Location, Party, Regime, as_date, as_decimal, as_int, as_regime
from ..model import tariff_digits
from ._loose_py import (
    DECLARATION_KEYS,
    DECLARATION_TEXTS,
    DOCUMENT_KEYS,
    ITEM_KEYS,
    ITEM_TEXTS,
    LOCATION_KEYS,
    MEMO_MAX,
    NO_SOURCES,
    NUMBERS,
    PARTY_KEYS,
    RATE_KEYS,
    NeedsModel,
)

cdef frozenset _DECLARATION_KEYS = DECLARATION_KEYS
cdef frozenset _ITEM_KEYS = ITEM_KEYS
cdef frozenset _PARTY_KEYS = PARTY_KEYS
cdef frozenset _DOCUMENT_KEYS = DOCUMENT_KEYS
cdef frozenset _RATE_KEYS = RATE_KEYS
cdef frozenset _LOCATION_KEYS = LOCATION_KEYS
cdef tuple _DECLARATION_TEXTS = DECLARATION_TEXTS
cdef tuple _ITEM_TEXTS = ITEM_TEXTS
cdef tuple _NUMBERS = NUMBERS
cdef Py_ssize_t _MEMO_MAX = MEMO_MAX
cdef carray.array _NO_SOURCES = NO_SOURCES
cdef type _Decimal = Decimal
cdef type _date = dt.date
cdef object _Regime = Regime
cdef double _NAN = float("nan")
cdef tuple _NO_NUMBER = (None, _NAN)


cdef class _Columns:
    """The batch's columns and the layout's memos and normalizers, looked up once."""

    cdef object batch, locator
    cdef list first, decl_line, decl_id, jurisdiction, entry_date, declaration_type
    cdef list regime, procedure_code, decl_documents, exchange_rates, importer, exporter
    cdef list manufacturer, decl_invalid, decl_sources, model, locators
    cdef list item_line, line, description, tariff, additional_codes, origin
    cdef list preferential_origin, export_country, smelt1, smelt2, cast, currency
    cdef list documents, item_invalid, net_mass_kg, gross_mass_kg, supplementary_quantity
    cdef list value, item_locations, item_sources
    cdef carray.array item_lines, net_mass_float, gross_mass_float, supplementary_float
    cdef carray.array value_float
    cdef dict numbers, lines, dates, regimes, codes, rates
    cdef dict country_seen, metal_seen, currency_seen
    cdef object country, metal, currency_of

    def __init__(self, layout):
        # Not the layout itself: it keeps this view (`kernel_columns`), and a cycle would
        # keep the last batch alive until the garbage collector ran.
        b = self.batch = layout.batch
        self.locator = layout.locator
        self.first, self.decl_line, self.decl_id = b.first, b.decl_line, b.decl_id
        self.jurisdiction, self.entry_date = b.jurisdiction, b.entry_date
        self.declaration_type, self.regime = b.declaration_type, b.regime
        self.procedure_code, self.decl_documents = b.procedure_code, b.decl_documents
        self.exchange_rates, self.importer = b.exchange_rates, b.importer
        self.exporter, self.manufacturer = b.exporter, b.manufacturer
        self.decl_invalid, self.decl_sources = b.decl_invalid, b.decl_sources
        self.model, self.locators = b.model, b.locators
        self.item_line, self.line, self.description = b.item_line, b.line, b.description
        self.tariff, self.additional_codes = b.tariff, b.additional_codes
        self.origin, self.preferential_origin = b.origin, b.preferential_origin
        self.export_country, self.smelt1, self.smelt2 = b.export_country, b.smelt1, b.smelt2
        self.cast, self.currency, self.documents = b.cast, b.currency, b.documents
        self.item_invalid = b.item_invalid
        # A DecimalColumn's list: what `append` appends to.
        self.net_mass_kg = b.net_mass_kg.values
        self.gross_mass_kg = b.gross_mass_kg.values
        self.supplementary_quantity = b.supplementary_quantity.values
        self.value = b.value.values
        self.item_lines = b.item_lines
        self.net_mass_float, self.gross_mass_float = b.net_mass_float, b.gross_mass_float
        self.supplementary_float, self.value_float = b.supplementary_float, b.value_float
        self.item_locations, self.item_sources = layout.item_locations, layout.item_sources
        self.numbers, self.lines, self.dates = layout.numbers, layout.lines, layout.dates
        self.regimes, self.codes, self.rates = layout.regimes, layout.codes, layout.rates
        self.country, self.metal, self.currency_of = layout.country, layout.metal, layout.currency
        self.country_seen = layout.country.seen
        self.metal_seen = layout.metal.seen
        self.currency_seen = layout.currency.seen


cdef _Columns _columns_of(layout):
    # The columns of `layout.batch`, looked up once per batch, not once per declaration.
    cached = layout.kernel_columns
    if type(cached) is _Columns and (<_Columns> cached).batch is layout.batch:
        return <_Columns> cached
    c = _Columns(layout)
    layout.kernel_columns = c
    return c


cdef inline object _normalized(dict seen, normalize, code):
    # `CodeNormalizer.__call__`: its memo, else the normalizer.
    if code is None:
        return None
    cdef PyObject* hit = PyDict_GetItem(seen, code)
    return normalize(code) if hit is NULL else <object> hit


cdef inline int _push(carray.array column, double x) except -1:
    cdef Py_ssize_t n = len(column)
    carray.resize_smart(column, n + 1)
    column.data.as_doubles[n] = x
    return 0


cdef inline bint _blank(str text) noexcept:
    # `not text.strip()`, without making the stripped text.
    cdef Py_UCS4 ch
    if len(text) and not Py_UNICODE_ISSPACE(text[0]):
        return False  # nearly every text
    for ch in text:
        if not Py_UNICODE_ISSPACE(ch):
            return False
    return True


cdef bint _keys_within(dict data, frozenset keys) except -1:
    # `data.keys() <= keys`.
    for key in data:
        if key not in keys:
            return False
    return True


def append_declaration(layout, data):
    if type(data) is not dict:
        raise NeedsModel
    cdef dict d = <dict> data
    cdef _Columns c = _columns_of(layout)
    items = d.get("items")
    if type(items) is not list:
        raise NeedsModel
    places = places_of(d.get("location"))
    line_of = None if places is None else places.line_of
    cdef Py_ssize_t first = len(c.item_locations)
    for item in <list> items:
        append_item(c, item, line_of)
    append_header(layout, c, d, first)


cdef object places_of(location):
    if location is None or type(location) is dict:
        return None
    return location if callable(getattr(location, "locate", None)) else None


cdef int append_header(layout, _Columns c, dict data, Py_ssize_t first) except -1:
    if not _keys_within(data, _DECLARATION_KEYS) or texts(data.get("unread")):
        raise NeedsModel
    texts(data.get("kept"))
    cdef dict invalid = dict(texts(data.get("invalid")))
    raw = given(data, "entry_date")
    entry_date = checked(raw, date_of(c, raw), "entry_date", invalid)
    raw = given(data, "regime")
    regime = checked(raw, regime_of(c, raw), "regime", invalid)
    decl_id, jurisdiction, declaration_type, procedure = texts_of(data, _DECLARATION_TEXTS)
    if jurisdiction is not None:
        upper = jurisdiction.strip().upper()
        jurisdiction = "EU" if upper == "EU" else _normalized(
            c.country_seen, c.country, jurisdiction
        )
    location = data.get("location")
    line = location_line(location)
    docs = documents(data)
    rates = exchange_rates(layout, c, data)
    importer = named(given(data, "importer"))
    exporter = named(given(data, "exporter"))
    manufacturer = named(given(data, "manufacturer"))
    sources = data.get("sources", {})
    if type(sources) is not dict:
        raise NeedsModel
    c.decl_line.append(line)
    c.decl_id.append(decl_id)
    c.jurisdiction.append(jurisdiction)
    c.entry_date.append(entry_date)
    c.declaration_type.append(declaration_type)
    c.regime.append(regime)
    c.procedure_code.append(procedure)
    c.decl_documents.append(docs)
    c.exchange_rates.append(rates)
    c.importer.append(importer)
    c.exporter.append(exporter)
    c.manufacturer.append(manufacturer)
    c.decl_invalid.append(invalid)
    c.decl_sources.append({})
    c.model.append(None)
    c.first.append(len(c.item_line))
    c.locators.append(c.locator(location, sources, c.item_locations, c.item_sources, first))
    return 0


cdef int append_item(_Columns c, data, line_of) except -1:
    if type(data) is not dict or not _keys_within(<dict> data, _ITEM_KEYS):
        raise NeedsModel
    cdef dict d = <dict> data
    unread, kept = d.get("unread"), d.get("kept")
    if unread is not None or kept is not None:
        if texts(unread):
            raise NeedsModel  # input not read: only its model's checks report it
        texts(kept)
    sources = d.get("sources", {})
    if type(sources) is not dict:
        raise NeedsModel
    given_invalid = d.get("invalid")
    cdef dict invalid = {} if given_invalid is None else dict(texts(given_invalid))
    cdef double floats[4]
    cdef tuple numbers = numbers_of(c, d, invalid, floats)
    raw = given(d, "line")
    line = checked(raw, line_number(c, raw), "line", invalid)
    description, tariff, unit, currency, origin, preferential, export, smelt1, smelt2, cast = (
        texts_of(d, _ITEM_TEXTS)
    )
    codes = additional_codes(c, d.get("additional_codes", ()))
    location = d.get("location")
    line_of_item = location_line(location) if line_of is None else line_of(location)
    docs = documents(d)
    c.item_line.append(line_of_item)
    c.line.append(line)
    c.description.append(description)
    c.tariff.append(tariff)
    c.additional_codes.append(codes)
    c.origin.append(_normalized(c.country_seen, c.country, origin))
    c.preferential_origin.append(_normalized(c.country_seen, c.country, preferential))
    c.export_country.append(_normalized(c.country_seen, c.country, export))
    c.smelt1.append(_normalized(c.metal_seen, c.metal, smelt1))
    c.smelt2.append(_normalized(c.metal_seen, c.metal, smelt2))
    c.cast.append(_normalized(c.metal_seen, c.metal, cast))
    c.currency.append(_normalized(c.currency_seen, c.currency_of, currency))
    c.documents.append(docs)
    c.item_invalid.append(invalid or None)
    carray.extend(c.item_lines, _NO_SOURCES)
    append_numbers(c, numbers, floats)
    c.item_locations.append(location)
    c.item_sources.append(sources)
    return 0


cdef int append_numbers(_Columns c, tuple numbers, double* floats) except -1:
    c.net_mass_kg.append(numbers[0])
    _push(c.net_mass_float, floats[0])
    c.gross_mass_kg.append(numbers[1])
    _push(c.gross_mass_float, floats[1])
    c.supplementary_quantity.append(numbers[2])
    _push(c.supplementary_float, floats[2])
    c.value.append(numbers[3])
    _push(c.value_float, floats[3])
    return 0


cdef tuple numbers_of(_Columns c, dict data, dict invalid, double* floats):
    cdef list out = []
    cdef tuple number
    cdef Py_ssize_t k
    for k in range(4):
        name = _NUMBERS[k]
        raw = data.get(name)
        if type(raw) is str and _blank(<str> raw):
            raw = None  # a blank is no value
        if raw is None:
            number = _NO_NUMBER
        elif type(raw) is _Decimal:
            number = _number(raw)
        elif type(raw) is not str:
            raise NeedsModel  # the model says what it was
        else:
            number = <tuple> memo(c.numbers, raw, _number)
        if number[0] is None and raw is not None:
            checked(raw, None, name, invalid)
        out.append(number[0])
        floats[k] = <double> number[1]
    return tuple(out)


def _number(raw):
    parsed = as_decimal(raw)
    return _NO_NUMBER if parsed is None else (parsed, float(parsed))


cdef tuple exchange_rates(layout, _Columns c, dict data):
    if "exchange_rates" not in data:
        return ()
    rates = data["exchange_rates"]
    if not isinstance(rates, (list, tuple)):
        raise NeedsModel
    cdef list out = []
    cdef PyObject* hit
    for rate in rates:
        if type(rate) is not dict or not _keys_within(<dict> rate, _RATE_KEYS):
            raise NeedsModel
        for v in (<dict> rate).values():
            if not (type(v) is str or type(v) is _Decimal or v is None):
                raise NeedsModel
        given_rate = (<dict> rate).get("rate")
        key = (
            (<dict> rate).get("currency"), (<dict> rate).get("to_currency"), type(given_rate),
            str(given_rate),
        )
        hit = PyDict_GetItem(c.rates, key)
        held = layout.exchange_rate(key, rate) if hit is NULL else <object> hit
        if held is None:
            raise NeedsModel  # the model sets it aside
        out.append(held)
    return tuple(out)


cdef inline object given(dict data, str key):
    value = data.get(key)
    return None if isinstance(value, str) and _blank(<str> value) else value


cdef object checked(raw, parsed, str name, dict invalid):
    if parsed is None and raw is not None:
        if type(raw) is str:
            as_given = raw
        elif isinstance(raw, _Decimal):
            as_given = str(raw)
        else:
            raise NeedsModel  # the model says what it was (its repr)
        if name in invalid:
            invalid[f"{name} (given)"] = invalid[name]
        invalid[name] = as_given
    return parsed


cdef object date_of(_Columns c, raw):
    if raw is None or type(raw) is _date:
        return raw
    return memo(c.dates, raw, as_date) if type(raw) is str else as_date(raw)


cdef object regime_of(_Columns c, raw):
    if raw is None:
        return None
    if type(raw) is str or type(raw) is _Regime:
        return memo(c.regimes, raw, _regime_value)
    return _regime_value(raw)


def _regime_value(raw):
    regime = as_regime(raw)
    return None if regime is None else regime.value


cdef object line_number(_Columns c, raw):
    if raw is None:
        return None
    if type(raw) is str:
        return memo(c.lines, raw, as_int)
    if type(raw) is not int:
        raise NeedsModel  # the model says what it was
    return as_int(raw)


cdef tuple additional_codes(_Columns c, codes):
    if type(codes) is not list and type(codes) is not tuple:
        raise NeedsModel
    if not codes:
        return ()
    for code in codes:
        if type(code) is not str:
            raise NeedsModel
    return tuple([memo(c.codes, code, _additional_code) for code in codes])


def _additional_code(code):
    return tariff_digits(code) or code


cdef inline object text(value):
    if value is None or type(value) is str:
        return value
    raise NeedsModel


cdef dict texts(value):
    if value is None:
        return {}
    if type(value) is not dict:
        raise NeedsModel
    for k, v in (<dict> value).items():
        if type(k) is not str or type(v) is not str:
            raise NeedsModel
    return <dict> value


cdef list texts_of(dict data, tuple names):
    cdef list values = []
    for name in names:
        value = data.get(name)
        if value is not None:
            if type(value) is not str:
                raise NeedsModel
            if _blank(<str> value):
                value = None
        values.append(value)
    return values


cdef bint named(value) except -1:
    if value is None:
        return False
    if type(value) is dict:
        if not _keys_within(<dict> value, _PARTY_KEYS):
            raise NeedsModel
        name, ident = text((<dict> value).get("name")), text((<dict> value).get("id"))
        return bool(name or ident)
    if isinstance(value, Party):
        return bool(value.name or value.id)
    raise NeedsModel


cdef tuple documents(dict data):
    if "documents" not in data:
        return ()
    docs = data["documents"]
    if not isinstance(docs, (list, tuple)):
        raise NeedsModel
    cdef list out = []
    for doc in docs:
        if type(doc) is dict:
            if not _keys_within(<dict> doc, _DOCUMENT_KEYS):
                raise NeedsModel
            kind, ident = (<dict> doc).get("type"), text((<dict> doc).get("id"))
            text((<dict> doc).get("category"))
            if type(kind) is not str:
                raise NeedsModel  # a document without a type: the model sets it aside
            out.append((kind, ident))
        elif isinstance(doc, Document):
            out.append((doc.type, doc.id))
        else:
            raise NeedsModel
    return tuple(out)


cdef object location_line(location):
    if location is None:
        return None
    if type(location) is dict:
        if not _keys_within(<dict> location, _LOCATION_KEYS):
            raise NeedsModel
        line = (<dict> location).get("line")
        if line is not None and type(line) is not int:
            raise NeedsModel
        return line
    if isinstance(location, Location):
        return location.line
    if callable(getattr(location, "fields", None)):
        return location.line
    raise NeedsModel


cdef object memo(dict seen, key, make):
    cdef PyObject* hit = PyDict_GetItem(seen, key)
    if hit is not NULL:
        return <object> hit
    if len(seen) >= _MEMO_MAX:
        seen.clear()
    out = make(key)
    seen[key] = out
    return out
