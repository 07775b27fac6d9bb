"""Build the optional Cython kernels; ALCHECK_IMPLEMENTATION decides whether they must exist.

Five extensions: the rule matcher, the WCO goods-item reader, the plain CBSA CAD reader
(both readers read lxml's libxml2 nodes through lxml's public C API, headers from
`lxml.get_include()`), the layout of the national readers' loose declarations, and the
maker of findings' and locations' models.

cython: the extension is required and a build failure is an error.
python: the extension is not built.
unset:  the extension is tried; if it cannot be built the pure-Python twin is used.

The translation catalogues (src/alcheck/locale/*/LC_MESSAGES/alcheck.po) are compiled to
.mo files beside them in the build, with Babel.
"""

import io
import os
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class build_py_with_catalogues(build_py):  # noqa: N801 (setuptools' command naming)
    """Build the Python files, then compile each gettext catalogue to its .mo file."""

    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in Path("src/alcheck/locale").glob("*/LC_MESSAGES/alcheck.po"):
            with po.open("rb") as stream:
                catalog = read_po(stream, domain="alcheck")
            out = io.BytesIO()
            write_mo(out, catalog)
            target = Path(self.build_lib, "alcheck", *po.parts[2:]).with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(out.getvalue())


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
            Extension(
                "alcheck.formats._cad",
                ["src/alcheck/formats/_cad.pyx"],
                include_dirs=lxml.get_include(),
            ),
            Extension("alcheck.formats._loose", ["src/alcheck/formats/_loose.pyx"]),
            Extension("alcheck._plain", ["src/alcheck/_plain.pyx"]),
            Extension("alcheck._rule_findings", ["src/alcheck/_rule_findings.pyx"]),
            Extension("alcheck._finding_json", ["src/alcheck/_finding_json.pyx"]),
        ]
        ext_modules = cythonize(exts, language_level=3, quiet=True)
        # cythonize returns new Extension objects; mark them optional afterwards so that
        # without a working compiler the build warns and the package uses the twin.
        for built in ext_modules:
            built.optional = mode != "cython"
    except ImportError:
        if mode == "cython":
            raise

setup(ext_modules=ext_modules, cmdclass={"build_py": build_py_with_catalogues})
