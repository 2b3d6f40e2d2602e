"""One GeoPackage with every layer, the claims and events tables and QGIS default styles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from transcaspian.network.records import MODES, PLACE_KINDS, ROUTE_ACCURACIES, STATUSES
from transcaspian.outputs.columns import EXTRA_TITLES, GPKG_GEOMETRY_COLUMN, GPKG_TIME, STYLES_TABLE, file_timestamp, geometry_type
from transcaspian.outputs.gdal import gdal_config, gdal_errors, publish, staging, write_frame
from transcaspian.outputs.qml import LINE_KEYS, line_layer_qml, point_layer_qml


def layer_title(name: str, titles: Mapping[str, tuple[str, str]]) -> tuple[str, str]:
    return titles.get(name) or EXTRA_TITLES.get(name) or (name, "")


def layer_qml(name: str, frame: pd.DataFrame) -> str | None:
    """The QGIS default style of one exported layer, or None if it has none.

    Line layers get a rule per (mode, status, route_accuracy) they hold, in
    the colour of their network layer (``routes`` in the routes colour);
    ``places`` gets a category per kind. Non-spatial tables get no style.
    """
    if isinstance(frame, gpd.GeoDataFrame) and "kind" in frame.columns and geometry_type(frame) == "Point":
        present = set(frame["kind"].dropna())
        return point_layer_qml([k for k in PLACE_KINDS if k in present] + sorted(present - set(PLACE_KINDS)))
    if isinstance(frame, gpd.GeoDataFrame) and all(k in frame.columns for k in LINE_KEYS):
        combos = {tuple(str(v) for v in row) for row in frame[list(LINE_KEYS)].itertuples(index=False)}
        order = (MODES + ("multimodal",), STATUSES + ("mixed",), ROUTE_ACCURACIES)

        def rank(combo: Sequence[str]) -> tuple[tuple[int, str], ...]:
            return tuple((vocab.index(v) if v in vocab else len(vocab), v) for v, vocab in zip(combo, order))

        return line_layer_qml("routes" if name == "routes" else name, sorted(combos, key=rank))
    return None


def layer_styles_frame(frames: Mapping[str, pd.DataFrame], date: datetime | None = None) -> pd.DataFrame:
    """Rows of the QGIS ``layer_styles`` table: one default style per styled layer.

    The columns are those QGIS itself creates when it saves a style into a
    GeoPackage; ``useAsDefault`` is true, so QGIS applies the style when the
    layer is added.

    Parameters
    ----------
    frames : mapping of str to DataFrame
        Exported layers by name (flat frames).
    date : datetime, optional
        ``update_time`` of every row; 1970-01-01 UTC when omitted.
    """
    rows = []
    for name, frame in frames.items():
        qml = layer_qml(name, frame)
        if qml is None:
            continue
        rows.append(
            {
                "f_table_catalog": "",
                "f_table_schema": "",
                "f_table_name": name,
                "f_geometry_column": GPKG_GEOMETRY_COLUMN,
                "styleName": name,
                "styleQML": qml,
                "styleSLD": "",
                "useAsDefault": True,
                "description": "transcaspian default style: colour by layer, width by mode, dashes by status and route accuracy, as on the web maps",
                "owner": "",
                "ui": None,
                "update_time": pd.Timestamp(file_timestamp(date)),
            }
        )
    columns = ["f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName", "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time"]
    styles = pd.DataFrame(rows, columns=columns)
    styles["useAsDefault"] = styles["useAsDefault"].astype(bool)
    styles["ui"] = styles["ui"].astype(object)
    styles["update_time"] = pd.to_datetime(styles["update_time"], utc=True)
    return styles


def write_gpkg(
    path: str | Path,
    frames: Mapping[str, gpd.GeoDataFrame],
    tables: Mapping[str, pd.DataFrame] | None = None,
    *,
    titles: Mapping[str, tuple[str, str]] = {},
    date: datetime | None = None,
    styles: bool = True,
) -> Path:
    """Write one GeoPackage with every layer, non-spatial tables and QGIS styles.

    Parameters
    ----------
    path : str or Path
        Target ``.gpkg``; replaced atomically (written to a staging folder
        beside it, then renamed).
    frames : mapping of str to GeoDataFrame
        Spatial layers by name, flat (see :func:`flat_frames`), EPSG:4326.
    tables : mapping of str to DataFrame, optional
        Non-spatial tables by name (the claims), flat columns.
    titles : mapping of str to (title, description), optional
        Written to ``gpkg_contents.identifier`` and ``description``.
    date : datetime, optional
        ``gpkg_contents.last_change`` and ``layer_styles.update_time`` of every
        row (GDAL would use the current time); 1970-01-01 UTC when omitted,
        so that two builds are byte-identical.
    styles : bool
        Write the ``layer_styles`` table (one QML default style per layer).

    Returns
    -------
    Path
        The written file.
    """
    path = Path(path)
    stamp = file_timestamp(date).strftime(GPKG_TIME)
    # SQLite's own fsync after every layer made this the slowest output (8 layers, 0.1 s each):
    # the file is staged and renamed into place whole, like every other output, none of which
    # is fsynced either, so SQLite's synchronous mode buys nothing here.
    with staging(path.parent) as tmp, gdal_errors(path), gdal_config({"OGR_CURRENT_DATE": stamp, "OGR_SQLITE_SYNCHRONOUS": "OFF"}):
        staged = tmp / path.name
        created = False

        def write(frame: pd.DataFrame, name: str, **options: str) -> None:
            nonlocal created
            title, description = layer_title(name, titles)
            write_frame(
                frame,
                staged,
                layer=name,
                driver="GPKG",
                # GeoPackage 1.2 opens without warnings in GIS releases whose
                # GDAL predates 1.4 (QGIS 3.22 LTR, for one); nothing here needs more.
                dataset_options=None if created else {"VERSION": "1.2"},
                # The GeoPackage spec wants DATETIME values with milliseconds.
                layer_options={"IDENTIFIER": title, "DESCRIPTION": description, "DATETIME_PRECISION": "MILLISECOND", **options},
                **({"geometry_type": geometry_type(frame)} if isinstance(frame, gpd.GeoDataFrame) else {}),
            )
            created = True

        for name, frame in frames.items():
            write(frame, name, GEOMETRY_NAME=GPKG_GEOMETRY_COLUMN, SPATIAL_INDEX="YES")
        for name, table in (tables or {}).items():
            write(pd.DataFrame(table).reset_index(drop=True), name)
        rows = layer_styles_frame(frames, date) if styles else pd.DataFrame()
        if len(rows):
            # QGIS names the key of its layer_styles table "id".
            write(rows, STYLES_TABLE, FID="id")
        return publish(staged, path)
