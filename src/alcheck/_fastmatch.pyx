# cython: language_level=3, boundscheck=False, wraparound=False
"""Compiled matching kernel; a faithful fast copy of `_fastmatch_py.py` (the reference)."""

from cpython.array cimport array


def match_prefixes(array children, array starts, array groups, codes):
    cdef int[:] ch = children
    cdef int[:] st = starts
    cdef int[:] gr = groups
    cdef Py_ssize_t node, digit, k
    cdef Py_UCS4 c
    cdef list out = []
    cdef set hits
    for code in codes:
        hits = set()
        for k in range(st[0], st[1]):
            hits.add(gr[k])
        node = 0
        if code is not None:
            for c in <str>code:
                digit = <Py_ssize_t>c - 48
                if digit < 0 or digit > 9:
                    break
                node = ch[node * 10 + digit]
                if node < 0:
                    break
                for k in range(st[node], st[node + 1]):
                    hits.add(gr[k])
        out.append(tuple(sorted(hits)))
    return out
