"""The public API: everything a notebook needs, re-exported by ``import transcaspian``.

Each function is what one CLI command runs (the commands are thin click
layers over them): ``layers``/``places``/``routes`` load the curated network
as GeoDataFrames, :func:`geodesic_length` and :func:`country_lengths` measure
any GeoDataFrame, :func:`check` holds published lengths against geometry,
:func:`make_map` returns the styled, safe folium map, :func:`build` writes
everything. Errors are the package's own (:mod:`transcaspian.errors`), which
subclass ``ValueError`` or ``OSError``.
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from transcaspian.errors import CoordinateError, UsageError
from transcaspian.geo.countries import SEA, CountryIndex
from transcaspian.geo.geodesy import check_lonlat_degrees, line_length_km
from transcaspian.network.records import PathLike

if TYPE_CHECKING:  # folium is imported when a map is made, not with the package
    import folium

    from transcaspian.claims.judge import CheckResult
    from transcaspian.measured import Measured

# The claims, measuring, build and output stages are imported by the functions
# that use them: ``transcaspian map`` then loads half as many modules.

log = logging.getLogger(__name__)

#: What the measuring functions take: features with a geometry column, or geometries.
GeoData: TypeAlias = "gpd.GeoDataFrame | gpd.GeoSeries"
#: A file or folder given by the caller.
FilePath: TypeAlias = "str | os.PathLike[str]"


def _measured(geodata: PathLike | None) -> Measured:
    from transcaspian.measured import check_measured, measure_geodata

    if geodata is None:
        return _curated()
    return check_measured(measure_geodata(geodata), geodata)


@functools.lru_cache(maxsize=1)
def _curated() -> Measured:
    # The curated copy ships with the package and cannot change while it runs:
    # measured once per process, so a notebook's layers(), routes(), check()
    # and make_map() do not each take seconds. Callers get copies of the frames.
    from transcaspian.measured import check_measured, measure_geodata

    return check_measured(measure_geodata(None), None)


def _copies(frames: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    return {name: frame.copy() for name, frame in frames.items()}


def layers(geodata: PathLike | None = None) -> dict[str, gpd.GeoDataFrame]:
    """The curated layers, measured and checked, as GeoDataFrames.

    Parameters
    ----------
    geodata : str or Path, optional
        A geodata directory to read instead of the curated copy shipped with
        the package (same layout: ``places/``, ``layers/``, ``routes.toml``...).

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        The network layers in display order (``middle_corridor``, ``fiber``,
        ...), then ``places`` and ``routes``; CRS EPSG:4326, index = feature
        id. Line layers carry ``length_km`` (WGS84 geodesic, km),
        ``country_lengths_km`` (ISO alpha-3 or ``sea`` to km) and the check
        columns ``stated_length_km``, ``length_ratio``, ``check``, ``facts``.

    Raises
    ------
    DataError
        On bad geodata (the message names the file, record and field).

    Examples
    --------
    >>> frames = layers()
    >>> frames["fiber"].crs.to_epsg(), "length_km" in frames["fiber"]
    (4326, True)
    """
    return _copies(_measured(geodata).layer_frames())


def places(geodata: PathLike | None = None) -> gpd.GeoDataFrame:
    """The curated places (ports, stations, landfalls) as points, EPSG:4326.

    Examples
    --------
    >>> places().loc["aktau_port", "country"]
    'KAZ'
    """
    from transcaspian.network.lines import places_frame
    from transcaspian.network.loading import load_geodata

    return places_frame(load_geodata(geodata))


def routes(geodata: PathLike | None = None) -> gpd.GeoDataFrame:
    """The curated routes (legs chained end to end), measured and checked, EPSG:4326.

    Columns as the line layers of :func:`layers`, plus ``legs`` (leg ids in
    order); lengths in km.

    Examples
    --------
    >>> frame = routes()
    >>> bool((frame["length_km"] > 0).all())
    True
    """
    return _measured(geodata).routes.copy()


def _series(data: GeoData) -> gpd.GeoSeries:
    if isinstance(data, gpd.GeoDataFrame):
        return data.geometry
    if isinstance(data, gpd.GeoSeries):
        return data
    raise UsageError(f"expected a GeoDataFrame or GeoSeries, got {type(data).__name__}")


def _lonlat(data: GeoData) -> gpd.GeoSeries:
    """Geometries in WGS84 longitude/latitude degrees, or a CoordinateError saying why not."""
    series = _series(data)
    if series.crs is None:
        coords = shapely.get_coordinates(series.values)
        try:
            check_lonlat_degrees(coords[:, 0], coords[:, 1])
        except CoordinateError as error:
            raise CoordinateError(f"the data has no CRS and {error}; set the CRS first, e.g. gdf.set_crs('EPSG:32639')") from error
        return series
    if series.crs.to_epsg() == 4326:
        return series
    # Projected or another geographic CRS: longitude/latitude on WGS84 first.
    return series.to_crs(4326)


def geodesic_length(data: GeoData) -> pd.Series:
    """Geodesic length (km) of every feature on the WGS84 ellipsoid, in any CRS.

    Parameters
    ----------
    data : geopandas.GeoDataFrame or geopandas.GeoSeries
        Features in any CRS: projected coordinates (a UTM zone, say) are
        reprojected to longitude/latitude first, never measured in the plane.
        Without a CRS the coordinates must be longitude/latitude degrees.

    Returns
    -------
    pandas.Series
        Kilometres, same index as ``data``, named ``length_km``. Lines: their
        length; polygons: their perimeter (every ring, holes included);
        multi-part geometries and collections: the sum of their parts; points
        and empty geometries: 0. Only a missing geometry (None) gives NaN.

    Raises
    ------
    CoordinateError
        When ``data`` has no CRS and its coordinates are not degrees.

    Examples
    --------
    One degree of latitude from the equator on the 51st meridian (the central
    meridian of UTM zone 39N) is 110.574 km long:

    >>> line = gpd.GeoSeries([shapely.LineString([(51, 0), (51, 1)])], crs=4326).to_crs(32639)
    >>> geodesic_length(line).round(3).tolist()
    [110.574]
    """
    series = _lonlat(data)
    values = [np.nan if geom is None else line_length_km(geom) for geom in series.values]
    return pd.Series(values, index=series.index, name="length_km", dtype="float64")


def country_lengths(data: GeoData) -> pd.DataFrame:
    """Geodesic length (km) of every feature in each country it crosses, the rest as ``sea``.

    Lines are densified along the geodesic and cut by the shipped Natural
    Earth boundaries; what lies in no country is ``sea``, and what lies
    beyond the region those boundaries cover is ``outside_region``.

    Parameters
    ----------
    data : geopandas.GeoDataFrame or geopandas.GeoSeries
        Features in any CRS (see :func:`geodesic_length`).

    Returns
    -------
    pandas.DataFrame
        One row per feature (same index), one column per ISO 3166 alpha-3
        code met (sorted), then ``sea`` and ``outside_region`` when present;
        km, 0.0 where a feature does not enter; NaN for a missing geometry.
        Each row sums to :func:`geodesic_length` to within metres.

    Examples
    --------
    A line from Baku across the Caspian to Aktau:

    >>> line = gpd.GeoSeries([shapely.LineString([(49.87, 40.37), (51.15, 43.65)])], crs=4326)
    >>> parts = country_lengths(line).round(0)
    >>> sorted(parts.columns), bool(parts.loc[0, "sea"] > 300)
    (['AZE', 'KAZ', 'sea'], True)
    """
    from transcaspian.userdata.measuring import OUTSIDE, country_split_km, shipped_region

    series = _lonlat(data)
    index = CountryIndex.shipped()
    region = shipped_region(index)
    rows = [None if geom is None else country_split_km(geom, index, region) for geom in series.values]
    keys = {key for row in rows if row for key in row}
    columns = sorted(keys - {SEA, OUTSIDE}) + [k for k in (SEA, OUTSIDE) if k in keys]
    table = [[np.nan] * len(columns) if row is None else [row.get(k, 0.0) for k in columns] for row in rows]
    return pd.DataFrame(table, index=series.index, columns=columns, dtype="float64")


def _checks_frame(result: CheckResult) -> pd.DataFrame:
    from transcaspian.claims.judge import RECORD_FIELDS

    frame = pd.DataFrame([c.as_record() for c in result.checks], columns=list(RECORD_FIELDS))
    return frame.set_index("claim", drop=False)


def check_result(
    claims: FilePath | None = None,
    layer: GeoData | FilePath | None = None,
    id_field: str | None = None,
    *,
    geodata: PathLike | None = None,
    layer_name: str | None = None,
    assume_crs: str | None = None,
) -> CheckResult:
    """What :func:`check` tabulates, as the objects ``transcaspian check`` renders.

    Parameters as :func:`check`; ``layer_name`` and ``assume_crs`` apply when
    ``layer`` is a file (``--layer`` and ``--assume-crs`` of the command).
    """
    from transcaspian.claims.frame import check_frame
    from transcaspian.claims.userlayer import run_layer_check
    from transcaspian.pipeline import run_check

    if layer is None:
        if id_field is not None:
            raise UsageError("id_field goes with layer")
        if geodata is None and claims is None:
            checks = _curated().checks
            assert checks is not None  # check_measured sets it
            return checks
        return run_check(geodata, None if claims is None else Path(claims))
    if claims is None:
        raise UsageError("a layer is checked against claims about its features: pass claims=")
    if isinstance(layer, (gpd.GeoDataFrame, gpd.GeoSeries)):
        frame = layer if isinstance(layer, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=layer)
        return check_frame(frame.set_geometry(_lonlat(frame)), Path(claims), id_field)
    return run_layer_check(os.fspath(layer), claims, layer=layer_name, id_field=id_field, assume_crs=assume_crs)


def check(
    claims: FilePath | None = None,
    layer: GeoData | FilePath | None = None,
    id_field: str | None = None,
    *,
    geodata: PathLike | None = None,
) -> pd.DataFrame:
    """The verdict table: published lengths held against the measured geometry.

    Parameters
    ----------
    claims : str or Path, optional
        A claims file (TOML, ``[[claim]]`` and optional ``[[source]]``
        records). Default: the curated register.
    layer : GeoDataFrame, or str or Path of a vector file, optional
        A user's layer to check ``claims`` against instead of the curated
        network (any CRS); claim subjects are its feature ids.
    id_field : str, optional
        With ``layer``: the column (or the index, by its name, e.g. ``fid``)
        holding feature ids. Default: the ``id`` column, else the index.
    geodata : str or Path, optional
        A geodata directory instead of the curated copy (without ``layer``).

    Returns
    -------
    pandas.DataFrame
        One row per length claim, index = claim id, the columns of
        ``transcaspian check --format csv``: ``stated_km``, ``measured_km``
        (km), ``ratio`` (measured / stated), ``verdict`` (``consistent``,
        ``trace_short``, ``trace_long``, ``impossible``, ``not_checkable``),
        ``reason``, the tolerance and the source.

    Raises
    ------
    DataError
        On bad geodata, a bad claims file or a bad layer.
    UsageError
        When ``layer`` is given without ``claims``.

    Examples
    --------
    >>> table = check()
    >>> set(table["verdict"]) <= {"consistent", "trace_short", "trace_long", "impossible", "not_checkable"}
    True
    """
    return _checks_frame(check_result(claims, layer, id_field, geodata=geodata))


def _check_lang(lang: str) -> None:
    from transcaspian.web.i18n import LANGUAGES

    if lang not in LANGUAGES:
        raise UsageError(f"lang '{lang}' is not available; choose one of {', '.join(LANGUAGES)}")


def _named_frames(items: tuple[Any, ...]) -> list[tuple[str, gpd.GeoDataFrame]]:
    from transcaspian.userdata.reading import read_vector

    out = []
    for i, item in enumerate(items):
        if isinstance(item, (str, os.PathLike)):
            out.append((Path(item).name, read_vector(item)))
            continue
        frame = item if isinstance(item, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=_series(item))
        name = str(frame.attrs.get("name") or (f"layer {i + 1}" if len(items) > 1 else "layer"))
        _lonlat(frame)  # raises when coordinates without a CRS are not degrees
        out.append((name, frame.set_crs(4326) if frame.crs is None else frame.to_crs(4326)))
    return out


def make_map(*data: GeoData | FilePath, title: str | None = None, offline: bool = False, lang: str = "en", tiles: str | None = None) -> folium.Map:
    """The styled, safe interactive map, as ``transcaspian map`` and ``build`` make it.

    Parameters
    ----------
    *data : GeoDataFrame, GeoSeries, or str or Path of a vector file
        Layers to draw, one toggleable overlay each, in any CRS; popups list
        the attributes as text (never markup). A frame's ``attrs["name"]``
        names its layer. With none, the map of the curated network.
    title : str, optional
        Title of the map (default: the layer names, or the network's title).
    offline : bool
        One self-contained page: Leaflet inlined, Natural Earth basemap, no
        network requests.
    lang : str
        Language of the interface, legend, popups and basemap names: ``en``,
        ``ru``, ``az``, ``kk`` or ``tr``.
    tiles : str, optional
        Online maps: an xyzservices tile provider name (default
        Esri.WorldGrayCanvas); ignored offline.

    Returns
    -------
    folium.Map
        Show it in a notebook or ``.save("map.html")``.

    Examples
    --------
    >>> cable = gpd.GeoDataFrame({"name": ["cable"]}, geometry=[shapely.LineString([(49.9, 40.4), (51.2, 43.6)])], crs=4326)
    >>> type(make_map(cable, title="A cable")).__name__
    'Map'
    """
    _check_lang(lang)
    from transcaspian.web.page import DEFAULT_TILES
    from transcaspian.web.render import make_map as render_map
    from transcaspian.web.render import network_payload, user_payload

    if not data:
        return render_map(network_payload(_measured(None), title=title, lang=lang, detail=offline), offline=offline, tiles=tiles or DEFAULT_TILES)
    from transcaspian.web.biglayer import check_page_size

    named = _named_frames(data)
    check_page_size(named)  # a page that would freeze the browser is refused with what to do instead
    # Online, the page drops the basemap's finer levels (tiles draw the land): not clipped for nothing.
    return render_map(user_payload(named, title=title, lang=lang, detail=offline), offline=offline, tiles=tiles or DEFAULT_TILES)


def build(out: FilePath, geodata: PathLike | None = None, offline: bool = False, lang: str = "en", tiles: str | None = None, force: bool = False) -> Measured:
    """Build every output: layers in every GIS format, report, checks, maps, checksums.

    Parameters
    ----------
    out : str or Path
        Output folder: new, empty, or an earlier build's. The build is made
        in a hidden folder beside it and swapped into place whole.
    geodata : str or Path, optional
        A geodata directory instead of the curated copy.
    offline : bool
        Self-contained maps (see :func:`make_map`).
    lang : str
        Language of the maps (see :func:`make_map`).
    tiles : str, optional
        Tile provider of the online maps (see :func:`make_map`).
    force : bool
        Build into a non-empty folder no earlier build wrote (its other
        files are kept; files with output names are replaced).

    Returns
    -------
    Measured
        What was built: ``.legs``, ``.routes``, ``.places`` (GeoDataFrames)
        and ``.checks``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     built = build(Path(tmp) / "out")
    ...     (Path(tmp) / "out" / "SHA256SUMS").is_file()
    True
    """
    _check_lang(lang)
    log.debug(f"building {'offline ' if offline else ''}outputs under {out} from {geodata or 'the curated geodata'}")
    from transcaspian.pipeline import run_build

    return run_build(geodata, Path(out), offline=offline, lang=lang, tiles=tiles, force=force)
