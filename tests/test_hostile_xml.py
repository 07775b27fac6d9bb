"""Hostile XML is refused unread: no entity is expanded, no DTD or URL is fetched."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from alcheck import HostileInputError
from alcheck.formats import read, read_wco_xml, read_wco_xml_bytes

DECL = '<Declaration xmlns="urn:wco:datamodel:WCO:DEC-DMS:2">{body}</Declaration>'
MD = "urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
DEC = "urn:wco:datamodel:WCO:DEC-DMS:2"

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
""" + DECL.format(body="<FunctionalReferenceID>&lol9;</FunctionalReferenceID>")

QUADRATIC = (
    '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "'
    + "x" * 100_000
    + '">]>\n'
    + DECL.format(body="<FunctionalReferenceID>" + "&a;" * 50_000 + "</FunctionalReferenceID>")
)

FILE_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
""" + DECL.format(body="<FunctionalReferenceID>&xxe;</FunctionalReferenceID>")

URL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "http://example.invalid/secret">]>
""" + DECL.format(body="<FunctionalReferenceID>&xxe;</FunctionalReferenceID>")

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE Declaration SYSTEM "http://example.invalid/evil.dtd">
""" + DECL.format(body="<FunctionalReferenceID>A</FunctionalReferenceID>")

PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY % remote SYSTEM "file:///etc/passwd"> %remote;]>
""" + DECL.format(body="<FunctionalReferenceID>A</FunctionalReferenceID>")

CASES = {
    "billion_laughs": BILLION_LAUGHS,
    "quadratic_blowup": QUADRATIC,
    "external_entity_local_file": FILE_ENTITY,
    "external_entity_url": URL_ENTITY,
    "external_dtd": EXTERNAL_DTD,
    "parameter_entity": PARAMETER_ENTITY,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_from_a_file(tmp_path: Path, case: str) -> None:
    path = tmp_path / f"{case}.xml"
    path.write_text(CASES[case], encoding="utf-8")
    with pytest.raises(HostileInputError) as info:
        list(read_wco_xml(path))
    assert info.value.file == str(path)
    assert "DOCTYPE" in str(info.value)
    assert "root:" not in str(info.value)  # nothing of /etc/passwd leaks into the message


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_through_detection_and_streams(case: str) -> None:
    data = CASES[case].encode("utf-8")
    with pytest.raises(HostileInputError):
        list(read(io.BytesIO(data)))
    with pytest.raises(HostileInputError):
        list(read_wco_xml_bytes(data, "x.xml"))


def test_refused_in_utf16_and_after_a_bom() -> None:
    with pytest.raises(HostileInputError):
        list(read(io.BytesIO(FILE_ENTITY.replace('<?xml version="1.0"?>\n', "").encode("utf-16"))))
    with pytest.raises(HostileInputError):
        list(read(io.BytesIO(b"\xef\xbb\xbf" + EXTERNAL_DTD.encode())))


def test_refused_after_a_prolog_longer_than_the_scanned_head() -> None:
    """A DOCTYPE beyond the scanned head is still refused, by the parser's own view."""
    prolog = "<!--" + "c" * (2 * 1024 * 1024) + "-->\n"
    data = ('<?xml version="1.0"?>\n' + prolog + FILE_ENTITY.split("\n", 1)[1]).encode()
    with pytest.raises(HostileInputError):
        list(read_wco_xml_bytes(data, "long.xml"))


def test_entity_reference_without_doctype_is_plain_bad_xml() -> None:
    from alcheck import InputError

    with pytest.raises(InputError) as info:
        list(read_wco_xml_bytes(DECL.format(body="&xxe;").encode(), "x.xml"))
    assert not isinstance(info.value, HostileInputError)
    assert info.value.line == 1


def test_distinct_tags_do_not_grow_memory(tmp_path: Path) -> None:
    """A declaration whose children each have their own namespace (as many tags as
    elements) leaves the readers' tag memo bounded."""
    from alcheck.formats import _wcoitem_py
    from alcheck.formats.wco_columns import read_wco_columns

    children = "".join(f'<x:Part{i} xmlns:x="urn:n{i}">v</x:Part{i}>' for i in range(20_000))
    path = tmp_path / "tags.xml"
    path.write_text(DECL.format(body="<FunctionalReferenceID>T</FunctionalReferenceID>"
                                + children), encoding="utf-8")  # fmt: skip
    (batch,) = read_wco_columns(path)
    assert batch.decl_id == ["T"]
    assert len(_wcoitem_py._LOCAL_NAMES) <= 4096  # noqa: SLF001
    assert len(list(read(path))) == 1


def _peak_rss_checking(path: Path) -> int:
    """Return the peak RSS, in KiB, of a fresh process that checks `path` on the one path."""
    probe = (
        "import resource, sys\n"
        "from alcheck.formats import read_columns\n"
        "n = sum(len(b) for b in read_columns(sys.argv[1]))\n"
        "print(n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True
    )
    items, peak = map(int, done.stdout.split())
    assert items == 2
    return peak


def test_elements_between_declarations_do_not_grow_memory(tmp_path: Path) -> None:
    """A file with a million elements between its two declarations is read in the memory
    of one with a thousand: the column reader frees what it is done with as it reads."""
    decl = "<Declaration><GoodsShipment><GovernmentAgencyGoodsItem/></GoodsShipment></Declaration>"

    def envelope(junk: int) -> str:
        return (
            f'<md:MetaData xmlns:md="{MD}" xmlns="{DEC}"><md:ResponsibleCountryCode>US'
            f"</md:ResponsibleCountryCode>{decl}{'<md:Note>x</md:Note>' * junk}{decl}"
            "</md:MetaData>"
        )

    small, big = tmp_path / "small.xml", tmp_path / "big.xml"
    small.write_text(envelope(1_000), encoding="utf-8")
    big.write_text(envelope(1_000_000), encoding="utf-8")
    assert big.stat().st_size > 20_000_000
    # Before the reader freed them, the million elements held about 250 MiB.
    assert _peak_rss_checking(big) - _peak_rss_checking(small) < 40 * 1024
