"""Checking claims against a GeoDataFrame: the notebook's ``transcaspian.check(claims, gdf)``.

The same measuring and judging as a user's file (:mod:`transcaspian.claims.userlayer`),
on features already in memory.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np

from transcaspian.claims.judge import CheckResult, check_claims
from transcaspian.claims.parsing import read_claims
from transcaspian.claims.spreads import spreads
from transcaspian.claims.userlayer import ACCURACY_FIELD, LayerFeature, layer_context, measure_layer_claims
from transcaspian.errors import DataError, UsageError
from transcaspian.geo.countries import CountryIndex
from transcaspian.geo.geodesy import line_length_km
from transcaspian.network.loading import load_sources
from transcaspian.network.records import ROUTE_ACCURACIES


def feature_ids(frame: gpd.GeoDataFrame, id_field: str | None) -> list[str]:
    """The id of every feature as text ("" for none), checked unique.

    ``id_field`` names a column or the index (by its name, e.g. ``fid``);
    by default the ``id`` column, else the index.
    """
    if id_field is None:
        values = frame["id"] if "id" in frame.columns else frame.index
    elif id_field in frame.columns:
        values = frame[id_field]
    elif id_field == frame.index.name:
        values = frame.index
    else:
        raise UsageError(f"id_field '{id_field}' is neither a column nor the index of the layer (columns: {', '.join(map(str, frame.columns))})")
    ids = ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values]
    seen: set[str] = set()
    for ident in ids:
        if ident and ident in seen:
            raise DataError(f"id '{ident}' is used by two features; claims need unique ids: choose another id_field", record="layer")
        seen.add(ident)
    return ids


def check_frame(frame: gpd.GeoDataFrame, claims: Path, id_field: str | None) -> CheckResult:
    """:func:`transcaspian.claims.userlayer.check_layer` on a GeoDataFrame in WGS84 longitude/latitude.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The features, geometry in longitude/latitude degrees.
    claims : Path
        The claims about them (TOML).
    id_field : str, optional
        See :func:`feature_ids`.
    """
    ids = feature_ids(frame, id_field)
    geoms = frame.geometry.values
    features: dict[str, LayerFeature] = {}
    accuracy = frame[ACCURACY_FIELD] if ACCURACY_FIELD in frame.columns else None
    for i, (ident, geom) in enumerate(zip(ids, geoms)):
        if not ident or geom is None or geom.is_empty:
            continue
        value = None if accuracy is None else accuracy.iloc[i]
        if value is not None and value not in ROUTE_ACCURACIES:
            raise DataError(f"is {value!r}; use one of {', '.join(ROUTE_ACCURACIES)}", record=f"feature '{ident}'", field=ACCURACY_FIELD)
        length = line_length_km(geom)
        if length > 0:
            features[ident] = LayerFeature(ident, geom, length, value or "traced")
    register = read_claims(claims, layer_context([i for i in ids if i], load_sources()))
    lengths = register.length_claims()
    countries = CountryIndex.shipped() if any(c.subject is not None and c.subject.country for c in lengths) else None
    checks = check_claims(lengths, measure_layer_claims(lengths, features, countries), register.sources)
    return CheckResult(register, tuple(checks), tuple(spreads(checks)))
