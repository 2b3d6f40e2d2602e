"""KML that stays valid whatever the text: ``]]>`` handling and a read-back check.

GDAL's LIBKML driver writes a text value that holds markup characters
(``<``, ``&`` ...) as ``<![CDATA[value]]>`` without looking for ``]]>`` in
the value, which ends the section early: the file is no longer XML, and
when the next layer is appended LIBKML cannot parse it and silently starts
over, so whole layers vanished from ``transcaspian.kml`` (issue 9).

The fix keeps the text exactly as it was: before writing, every ``]]>`` in
a value is replaced by :data:`MARKER` + ``1`` (a private-use character that
is not markup; the character itself in the data becomes :data:`MARKER` +
``0``, so any text round-trips); after writing, each ``]]>`` marker is
turned into what stands for ``]]>`` where it sits: ``]]]]><![CDATA[>``
inside a CDATA section (the standard split), ``]]&gt;`` elsewhere. Every
reader then gets ``]]>`` back.

:func:`verify_kml` then reads the file back (an XML parse and GDAL) and
fails loudly unless every layer has as many placemarks as it had features.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyogrio
import pyogrio.errors

from transcaspian.errors import OutputError
from transcaspian.outputs.columns import rewrite_text_cells

#: Escape character while LIBKML writes (private use: never markup, never CDATA-quoted):
#: MARKER + "1" stands for "]]>", MARKER + "0" for MARKER itself.
MARKER = "\U0010fffd"
_CDATA_END_CODE = MARKER + "1"
_MARKER_CODE = MARKER + "0"
_CDATA_OPEN = "<![CDATA["
_CDATA_CLOSE = "]]>"
_KML_NS = "{http://www.opengis.net/kml/2.2}"
_CODE = re.compile(MARKER + "([01])")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: Anything :func:`protect_text` changes.
_TO_PROTECT = re.compile(f"{_NOT_XML.pattern}|{re.escape(_CDATA_CLOSE)}|{MARKER}")


def protect_text(value: Any) -> Any:
    """``value`` with each ``]]>`` (and :data:`MARKER`) encoded; non-strings unchanged.

    Characters XML 1.0 cannot hold at all (C0 controls but tab, newline and
    CR; U+FFFE, U+FFFF) are dropped: LIBKML would write them raw and make
    the file unreadable. Every other character comes back as it was.
    """
    if not isinstance(value, str):
        return value
    value = _NOT_XML.sub("", value)
    if _CDATA_CLOSE not in value and MARKER not in value:
        return value
    return value.replace(MARKER, _MARKER_CODE).replace(_CDATA_CLOSE, _CDATA_END_CODE)


def protect_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with :func:`protect_text` applied to every text cell (a copy; ``frame`` itself when no cell needs it)."""
    return rewrite_text_cells(frame, protect_text, _TO_PROTECT.search)


def _decode(text: str, cdata_end: str) -> str:
    return _CODE.sub(lambda m: cdata_end if m.group(1) == "1" else MARKER, text)


def restore_markers(text: str) -> str:
    """Replace each :data:`MARKER` by the XML for ``]]>`` that is valid where it sits.

    Walks the document once, tracking CDATA sections (the markers contain no
    markup, so LIBKML's sections are intact while this runs).
    """
    if MARKER not in text:
        return text
    out: list[str] = []
    pos = 0
    inside = False
    while pos < len(text):
        if inside:
            end = text.find(_CDATA_CLOSE, pos)
            end = len(text) if end < 0 else end
            out.append(_decode(text[pos:end], "]]]]><![CDATA[>"))
            out.append(text[end : end + len(_CDATA_CLOSE)])
            pos = end + len(_CDATA_CLOSE)
            inside = False
        else:
            start = text.find(_CDATA_OPEN, pos)
            start = len(text) if start < 0 else start
            out.append(_decode(text[pos:start], "]]&gt;"))
            out.append(text[start : start + len(_CDATA_OPEN)])
            pos = start + len(_CDATA_OPEN)
            inside = True
    return "".join(out)


def restore_file(path: Path) -> None:
    """Apply :func:`restore_markers` to a written KML file in place (it is still staged)."""
    text = path.read_text(encoding="utf-8")
    if MARKER in text:
        path.write_text(restore_markers(text), encoding="utf-8", newline="")


def join_documents(texts: list[str]) -> str:
    """One KML document from single-layer ones that LIBKML wrote with the same Document options.

    The result is what LIBKML writes when the layers are appended one by one
    (checked byte for byte by the tests): the first document's head, every
    document's Schema elements, then every Folder. Each document is cut where
    nothing from the data can be yet: at its first ``<Schema`` or ``<Folder``
    (the head and the schemas hold our names and escaped field names only) and
    at its last ``</Document>``.

    Raises
    ------
    ValueError
        When a document is not laid out so (no Folder, or another head).
    """
    heads, schemas, folders, tails = [], [], [], []
    for text in texts:
        folder = _line_start(text, text.find("<Folder"))
        schema = text.find("<Schema")
        body = folder if schema < 0 else min(folder, _line_start(text, schema))
        end = _line_start(text, text.rfind("</Document>"))
        if not 0 < body <= folder < end:
            raise ValueError("a single-layer KML without its Folder, or not inside one Document")
        heads.append(text[:body])
        schemas.append(text[body:folder])
        folders.append(text[folder:end])
        tails.append(text[end:])
    if not texts or len(set(heads)) != 1 or len(set(tails)) != 1:
        raise ValueError("single-layer KML documents with different heads")
    return heads[0] + "".join(schemas) + "".join(folders) + tails[0]


def _line_start(text: str, index: int) -> int:
    return -1 if index < 0 else text.rfind("\n", 0, index) + 1


def verify_kml(path: Path, expected: Mapping[str, int], *, shown_as: Path | None = None) -> None:
    """Read a KML back; raise unless each layer (Folder) has its expected number of placemarks.

    Parameters
    ----------
    path : Path
        The KML file.
    expected : mapping of str to int
        Feature count of each layer written, by layer name.
    shown_as : Path, optional
        The path named in the error (the final place of a staged file).

    Raises
    ------
    OutputError
        When the file is not well-formed XML, or a layer is missing or has
        the wrong number of placemarks (checked with an XML parser and with
        GDAL's reader).
    """
    name = shown_as or path
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise OutputError(f"{name}: the KML written is not well-formed XML ({exc}); nothing was published") from None
    found: dict[str, int] = {}
    for folder in root.iter(f"{_KML_NS}Folder"):
        fid = folder.get("id") or ""
        found[fid] = sum(1 for _ in folder.iter(f"{_KML_NS}Placemark"))
    try:
        gdal = _gdal_counts(path, list(expected))
    except Exception as exc:  # noqa: BLE001 - any failure to read back is the same failure
        raise OutputError(f"{name}: GDAL cannot read back the KML written ({' '.join(str(exc).split())}); nothing was published") from None
    for layer, count in expected.items():
        if found.get(layer) != count or gdal.get(layer) != count:
            raise OutputError(
                f"{name}: layer '{layer}' has {found.get(layer, 0)} placemarks (GDAL reads {gdal.get(layer, 0)}) "
                f"after writing {count} features; nothing was published"
            )


def _gdal_counts(path: Path, layers: list[str]) -> dict[str, int]:
    """Each layer's feature count as GDAL reads it; a layer GDAL does not find is left out.

    One query over every layer (GDAL's SQLite dialect), so the file is opened
    once: LIBKML parses the whole file on every open, and asking layer by layer
    took twice as long. Only when a layer is missing (the query then fails)
    is each one asked on its own, to say which.
    """
    if not layers:
        return {}
    query = " UNION ALL ".join(f"SELECT {_sql_text(layer)}, COUNT(*) FROM {_sql_name(layer)}" for layer in layers)
    try:
        _, _, _, (names, counts) = pyogrio.raw.read(path, sql=query, sql_dialect="SQLITE", read_geometry=False)
    except pyogrio.errors.DataLayerError:
        found: dict[str, int] = {}
        for layer in layers:
            try:
                found[layer] = int(pyogrio.read_info(path, layer=layer)["features"])
            except pyogrio.errors.DataLayerError:
                continue  # no such layer: reported by the caller as 0 features
        return found
    return {str(layer): int(count) for layer, count in zip(names, counts, strict=True)}


def _sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
