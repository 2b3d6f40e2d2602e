"""transcaspian: measured, source-checked maps of the links across the Caspian.

The public API, for notebooks and scripts (each function documented in
:mod:`transcaspian.api`):

- :func:`layers`, :func:`places`, :func:`routes`: the curated network as
  GeoDataFrames (EPSG:4326) with every measured column;
- :func:`geodesic_length`, :func:`country_lengths`: WGS84 geodesic lengths
  (km) of any GeoDataFrame, in any CRS, whole or per country;
- :func:`check`: published lengths held against the geometry;
- :func:`make_map`: the styled, safe folium map;
- :func:`build`: every output.

``import transcaspian`` loads none of geopandas, pyogrio or folium: the API
is imported the first time one of its names is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from transcaspian.errors import CoordinateError, DataError, OutputError, TranscaspianError, UsageError
from transcaspian.version import __version__

if TYPE_CHECKING:
    from transcaspian.api import build, check, country_lengths, geodesic_length, layers, make_map, places, routes

_API = ("layers", "places", "routes", "geodesic_length", "country_lengths", "check", "make_map", "build")

__all__ = [
    "__version__",
    "layers",
    "places",
    "routes",
    "geodesic_length",
    "country_lengths",
    "check",
    "make_map",
    "build",
    "TranscaspianError",
    "DataError",
    "CoordinateError",
    "UsageError",
    "OutputError",
]


def __getattr__(name: str) -> Any:
    # PEP 562: the API (and geopandas with it) is imported on first use.
    if name in _API:
        from transcaspian import api

        return getattr(api, name)
    raise AttributeError(f"module 'transcaspian' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
