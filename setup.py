"""Build the optional Cython kernels; ALCHECK_IMPLEMENTATION decides whether they must exist.

Two extensions: the rule matcher and the WCO goods-item reader, which reads lxml's
libxml2 nodes through lxml's public C API (headers from `lxml.get_include()`).

cython: the extension is required and a build failure is an error.
python: the extension is not built.
unset:  the extension is tried; if it cannot be built the pure-Python twin is used.
"""

import os

from setuptools import setup

mode = os.environ.get("ALCHECK_IMPLEMENTATION", "").strip().lower()
if mode not in ("", "cython", "python"):
    raise SystemExit(f"ALCHECK_IMPLEMENTATION must be cython, python or unset, not {mode!r}")

ext_modules = []
if mode != "python":
    try:
        from Cython.Build import cythonize
        from setuptools import Extension

        import lxml

        exts = [
            Extension("alcheck._fastmatch", ["src/alcheck/_fastmatch.pyx"]),
            Extension(
                "alcheck.formats._wcoitem",
                ["src/alcheck/formats/_wcoitem.pyx"],
                include_dirs=lxml.get_include(),
            ),
        ]
        ext_modules = cythonize(exts, language_level=3, quiet=True)
        # cythonize returns new Extension objects; mark them optional afterwards so that
        # without a working compiler the build warns and the package uses the twin.
        for built in ext_modules:
            built.optional = mode != "cython"
    except ImportError:
        if mode == "cython":
            raise

setup(ext_modules=ext_modules)
