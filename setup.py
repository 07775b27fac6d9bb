"""Build the optional Cython matcher; ALCHECK_IMPLEMENTATION decides whether it must exist.

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

        ext = Extension("alcheck._fastmatch", ["src/alcheck/_fastmatch.pyx"])
        ext_modules = cythonize([ext], language_level=3, quiet=True)
        # cythonize returns new Extension objects; mark them optional afterwards so that
        # without a working compiler the build warns and the package uses the twin.
        for built in ext_modules:
            built.optional = mode != "cython"
    except ImportError:
        if mode == "cython":
            raise

setup(ext_modules=ext_modules)
