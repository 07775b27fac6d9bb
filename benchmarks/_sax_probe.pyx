# cython: language_level=3, boundscheck=False, wraparound=False
"""A probe, not a reader: how fast could a C-level SAX reader pull the gateway's item fields?

It drives the expat that CPython ships, through the C API capsule `pyexpat.expat_CAPI`
(no Python call per element, unlike lxml's iterparse), and does the least work any such
reader must do for the e2e file: split names on the namespace separator, dispatch on the
local name, collect the text of value elements, parse the three numbers with strtod into
C arrays, look the codes up in a per-file table of Python strings (as a reader that keeps
Python objects only for flagged items would), and make a Python string of each
description (the keyword matcher reads those). It does not do what a faithful reader
would also have to: libxml2's source lines (the line of the end of the start tag, and
its way with lines past 65,535), "first of each name", the declaration's fields,
jurisdictions, errors. Run by `benchmarks/sax_probe.py`.
"""

from cpython.pycapsule cimport PyCapsule_Import
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdlib cimport free, malloc, realloc, strtod
from libc.string cimport memcpy, strcmp, strrchr

cdef extern from *:
    """
    /* The leading members of CPython's struct PyExpat_CAPI (Include/pyexpat.h), declared
       here so that the probe needs no expat.h. */
    typedef struct XML_ParserStruct *XML_Parser;
    typedef void (*XML_StartElementHandler)(void*, const char*, const char**);
    typedef void (*XML_EndElementHandler)(void*, const char*);
    typedef void (*XML_CharacterDataHandler)(void*, const char*, int);
    struct ProbeExpatCAPI {
        char* magic; int size; int MAJOR_VERSION; int MINOR_VERSION; int MICRO_VERSION;
        void* ErrorString; void* GetErrorCode; void* GetErrorColumnNumber;
        unsigned long (*GetErrorLineNumber)(XML_Parser);  /* = XML_GetCurrentLineNumber */
        int (*Parse)(XML_Parser, const char*, int, int);
        XML_Parser (*ParserCreate_MM)(const char*, void*, const char*);
        void (*ParserFree)(XML_Parser);
        void (*SetCharacterDataHandler)(XML_Parser, XML_CharacterDataHandler);
        void* SetCommentHandler; void* SetDefaultHandlerExpand;
        void (*SetElementHandler)(XML_Parser, XML_StartElementHandler, XML_EndElementHandler);
        void* SetNamespaceDeclHandler; void* SetProcessingInstructionHandler;
        void* SetUnknownEncodingHandler;
        void (*SetUserData)(XML_Parser, void*);
    };
    """
    ctypedef struct XML_ParserStruct
    ctypedef XML_ParserStruct* XML_Parser
    ctypedef void (*XML_StartElementHandler)(void*, const char*, const char**) noexcept
    ctypedef void (*XML_EndElementHandler)(void*, const char*) noexcept
    ctypedef void (*XML_CharacterDataHandler)(void*, const char*, int) noexcept
    struct ProbeExpatCAPI:
        unsigned long (*GetErrorLineNumber)(XML_Parser)
        int (*Parse)(XML_Parser, const char*, int, int)
        XML_Parser (*ParserCreate_MM)(const char*, void*, const char*)
        void (*ParserFree)(XML_Parser)
        void (*SetCharacterDataHandler)(XML_Parser, XML_CharacterDataHandler)
        void (*SetElementHandler)(XML_Parser, XML_StartElementHandler, XML_EndElementHandler)
        void (*SetUserData)(XML_Parser, void*)

cdef ProbeExpatCAPI* capi = <ProbeExpatCAPI*> PyCapsule_Import(b"pyexpat.expat_CAPI", 0)

cdef enum:
    F_NONE = 0
    F_SEQ = 1
    F_DESCRIPTION = 2
    F_CODE = 3
    F_NET = 4
    F_GROSS = 5
    F_AMOUNT = 6
    N_LINES = 16

cdef struct Probe:
    XML_Parser parser
    int depth
    int capture
    int item_depth
    char* text
    int n_text
    int text_size
    long items
    long declarations
    long size
    double* net
    double* gross
    double* amount
    int* lines
    int n_lines
    void* codes
    void* descriptions


cdef inline const char* _local(const char* name) noexcept:
    cdef const char* cut = strrchr(name, 1)
    return name if cut is NULL else cut + 1


cdef int _grow(Probe* p) except -1:
    p.size *= 2
    p.net = <double*> realloc(p.net, p.size * sizeof(double))
    p.gross = <double*> realloc(p.gross, p.size * sizeof(double))
    p.amount = <double*> realloc(p.amount, p.size * sizeof(double))
    p.lines = <int*> realloc(p.lines, p.size * N_LINES * sizeof(int))
    if p.net is NULL or p.gross is NULL or p.amount is NULL or p.lines is NULL:
        raise MemoryError()
    return 0


cdef void _start(void* data, const char* name, const char** attributes) noexcept:
    cdef Probe* p = <Probe*> data
    cdef const char* local = _local(name)
    p.depth += 1
    p.capture = F_NONE
    if p.item_depth:
        if strcmp(local, b"SequenceNumeric") == 0:
            p.capture = F_SEQ
        elif strcmp(local, b"Description") == 0:
            p.capture = F_DESCRIPTION
        elif (strcmp(local, b"ID") == 0 or strcmp(local, b"TypeCode") == 0
              or strcmp(local, b"CountryCode") == 0
              or strcmp(local, b"IdentificationTypeCode") == 0):
            p.capture = F_CODE
        elif strcmp(local, b"NetNetWeightMeasure") == 0:
            p.capture = F_NET
        elif strcmp(local, b"GrossMassMeasure") == 0:
            p.capture = F_GROSS
        elif strcmp(local, b"ItemChargeAmount") == 0:
            p.capture = F_AMOUNT
        if p.capture != F_NONE:
            p.n_text = 0
            if p.n_lines < N_LINES:
                p.lines[p.items * N_LINES + p.n_lines] = capi.GetErrorLineNumber(p.parser)
                p.n_lines += 1
    elif strcmp(local, b"GovernmentAgencyGoodsItem") == 0:
        p.item_depth = p.depth
        p.n_lines = 0
        if p.items == p.size:
            _grow(p)
    elif strcmp(local, b"Declaration") == 0:
        p.declarations += 1


cdef void _characters(void* data, const char* chars, int n) noexcept:
    cdef Probe* p = <Probe*> data
    if p.capture == F_NONE:
        return
    if p.n_text + n + 1 > p.text_size:
        p.text_size = 2 * (p.n_text + n + 1)
        p.text = <char*> realloc(p.text, p.text_size)
    memcpy(p.text + p.n_text, chars, n)
    p.n_text += n


cdef void _end(void* data, const char* name) noexcept:
    cdef Probe* p = <Probe*> data
    cdef int field = p.capture
    p.capture = F_NONE
    if p.depth == p.item_depth:
        p.item_depth = 0
        p.items += 1
    p.depth -= 1
    if field == F_NONE:
        return
    p.text[p.n_text] = 0
    if field == F_NET:
        p.net[p.items] = strtod(p.text, NULL)
    elif field == F_GROSS:
        p.gross[p.items] = strtod(p.text, NULL)
    elif field == F_AMOUNT:
        p.amount[p.items] = strtod(p.text, NULL)
    elif field == F_DESCRIPTION:
        (<list> p.descriptions).append(PyUnicode_DecodeUTF8(p.text, p.n_text, NULL))
    else:
        _code(p, p.text[:p.n_text])


cdef inline void _code(Probe* p, bytes raw) noexcept:
    codes = <dict> p.codes
    if raw not in codes:
        codes[raw] = raw.decode("utf-8", "replace")


cdef void _count_start(void* data, const char* name, const char** attributes) noexcept:
    (<Probe*> data).depth += 1


cdef void _count_end(void* data, const char* name) noexcept:
    (<Probe*> data).depth -= 1


cdef void _count_characters(void* data, const char* chars, int n) noexcept:
    (<Probe*> data).n_text += n


def run(path, int mode, int block_size=1 << 20):
    """Parse the file with expat: mode 0 no handlers, 1 empty handlers, 2 the probe's reading.

    Returns (items, declarations, the sum of the item amounts, descriptions kept); the
    first three are 0 for modes 0 and 1.
    """
    cdef Probe p
    cdef list descriptions = []
    cdef dict codes = {}
    cdef bytes block
    cdef double total = 0.0
    cdef long k
    p.depth = p.capture = p.item_depth = p.n_text = p.n_lines = 0
    p.items = p.declarations = 0
    p.text_size = p.size = 1024
    p.text = <char*> malloc(p.text_size)
    p.net = <double*> malloc(p.size * sizeof(double))
    p.gross = <double*> malloc(p.size * sizeof(double))
    p.amount = <double*> malloc(p.size * sizeof(double))
    p.lines = <int*> malloc(p.size * N_LINES * sizeof(int))
    p.codes = <void*> codes
    p.descriptions = <void*> descriptions
    p.parser = capi.ParserCreate_MM(NULL, NULL, b"\x01")
    try:
        capi.SetUserData(p.parser, &p)
        if mode == 1:
            capi.SetElementHandler(p.parser, _count_start, _count_end)
            capi.SetCharacterDataHandler(p.parser, _count_characters)
        elif mode == 2:
            capi.SetElementHandler(p.parser, _start, _end)
            capi.SetCharacterDataHandler(p.parser, _characters)
        with open(path, "rb") as stream:
            while True:
                block = stream.read(block_size)
                if not capi.Parse(p.parser, block, len(block), len(block) == 0):
                    raise ValueError(f"{path}: not well-formed")
                if not block:
                    break
        for k in range(p.items):
            total += p.amount[k]
        return p.items, p.declarations, total, len(descriptions)
    finally:
        capi.ParserFree(p.parser)
        free(p.text)
        free(p.net)
        free(p.gross)
        free(p.amount)
        free(p.lines)
