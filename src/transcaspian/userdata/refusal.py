"""What a user's file may not make GDAL do: read a VRT, a /vsi path, a URL or a service."""

from __future__ import annotations

import os
import re
from pathlib import Path

from transcaspian.errors import DataError
from transcaspian.userdata.batches import FORMATS

#: Features per batch: small enough that a batch of 100-vertex lines takes
#: about 15 MB, large enough that per-batch overhead is negligible (the
#: benchmark runs as fast with 512 as with 8192).

# -- opening -------------------------------------------------------------------

#: GDAL drivers that read other files or the network on the data's say: an XML
#: file that names its sources (VRT), or a service description (WFS, OGC API,
#: WMS, ...). Refused whatever the file is called; VRT only with ``allow_vrt``.
_VIRTUAL_DRIVERS = {"OGR_VRT", "VRT"}
_NETWORK_DRIVERS = {
    "WFS", "OAPIF", "WMS", "WMTS", "CSW", "ESRIC", "NGW", "PLSCENES", "EEDA", "EEDAI", "Elasticsearch",
    "CARTO", "AmigoCloud", "DAAS", "OGCAPI", "STACIT", "STACTA", "GMLAS", "PostgreSQL", "MySQL",
    "MSSQLSpatial", "ODBC", "OCI", "MongoDBv3", "HANA", "ADBC", "XODR",
}
#: Root elements of XML files whose driver reads what they name (checked before GDAL opens them).
_VIRTUAL_XML = re.compile(rb"<\s*(OGRVRTDataSource|VRTDataset|OGRWFSDataSource|GDAL_WMS|WFS_Capabilities|GDAL_WMTS|OGRAPISpy)\b", re.I)
#: What marks a VRT that reaches beyond the local disk (refused even with ``allow_vrt``).
_REMOTE = re.compile(rb"/vsi|[a-z][a-z0-9+.-]*://", re.I)
#: Largest VRT read in full to look for network sources.
_VRT_MAX_BYTES = 1 << 20
#: A GDAL connection string ("PG:dbname=...", "WFS:https://...", "GPKG:file:layer").
_CONNECTION = re.compile(r"^[A-Za-z][A-Za-z0-9_]*:")


def refuse_virtual_path(name: str) -> None:
    """Refuse GDAL virtual file systems and connection strings before anything is opened."""
    if "/vsi" in name.lower():
        raise DataError(
            "is a GDAL virtual file system path (/vsi...): they read archives, other files and the network, "
            "so transcaspian refuses them; extract or download the file and give its local path",
            file=name,
        )
    if _CONNECTION.match(name) and not os.path.lexists(name):
        raise DataError(
            "is a GDAL connection string, not a file: transcaspian reads local files only; export the layer to a file "
            f"({FORMATS}) and give its path",
            file=name,
        )


def refuse_virtual_content(path: Path, name: str, head: bytes, allow_vrt: bool) -> None:
    """Refuse a VRT or service description whatever it is called (``cables.gpkg`` holding VRT XML)."""
    match = _VIRTUAL_XML.search(head)
    if not match:
        return
    kind = match.group(1).decode("ascii", "replace")
    if kind.lower() in ("ogrvrtdatasource", "vrtdataset") and allow_vrt:
        with open(path, "rb") as handle:
            text = handle.read(_VRT_MAX_BYTES + 1)
        if len(text) > _VRT_MAX_BYTES or _REMOTE.search(text):
            raise DataError(
                "is a GDAL VRT that names a /vsi path or a URL (or is too large to check); even with --allow-vrt "
                "transcaspian reads local files only: point its sources at local files",
                file=name,
            )
        return
    if kind.lower() in ("ogrvrtdatasource", "vrtdataset"):
        raise DataError(
            f"is a GDAL VRT (XML <{kind}>), whatever its extension: a VRT makes GDAL read the other files "
            "(or URLs) it names, so it is refused; give the data file itself, or pass --allow-vrt if you trust this VRT",
            file=name,
        )
    raise DataError(
        f"is a GDAL service description (XML <{kind}>): it makes GDAL fetch data from the network, which transcaspian "
        f"never does; download the data and give the file ({FORMATS})",
        file=name,
    )


def refuse_driver(driver: str, name: str, allow_vrt: bool) -> None:
    """The check on the driver GDAL picked (not the extension) after it opened the file."""
    if driver in _VIRTUAL_DRIVERS and not allow_vrt:
        raise DataError(
            f"GDAL reads it as a VRT (driver {driver}), whatever its extension: a VRT reads the other files or URLs "
            "it names, so it is refused; give the data file itself, or pass --allow-vrt if you trust this VRT",
            file=name,
        )
    if driver in _NETWORK_DRIVERS:
        raise DataError(
            f"GDAL reads it with its {driver} driver, which fetches data from a server or database; transcaspian reads "
            f"local files only: export the data to a file ({FORMATS})",
            file=name,
        )
