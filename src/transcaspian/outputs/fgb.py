"""FlatGeobuf files with a spatial index, one per layer."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd

from transcaspian.outputs.columns import geometry_type
from transcaspian.outputs.gdal import gdal_errors, publish, staging, write_frame
from transcaspian.outputs.gpkg import layer_title


def write_fgb_layers(out: str | Path, frames: Mapping[str, gpd.GeoDataFrame], *, titles: Mapping[str, tuple[str, str]] = {}) -> list[Path]:
    """Write ``<out>/fgb/<layer>.fgb`` (FlatGeobuf with a packed R-tree index).

    Parameters
    ----------
    out : str or Path
        Output folder.
    frames : mapping of str to GeoDataFrame
        Flat layers by name, EPSG:4326.
    titles : mapping of str to (title, description), optional
        Written into each file's header.
    """
    folder = Path(out) / "fgb"
    written = []
    with staging(folder) as tmp:
        for name, frame in frames.items():
            target = folder / f"{name}.fgb"
            title, description = layer_title(name, titles)
            with gdal_errors(target):
                write_frame(
                    frame,
                    tmp / target.name,
                    layer=name,
                    driver="FlatGeobuf",
                    geometry_type=geometry_type(frame),
                    layer_options={"SPATIAL_INDEX": "YES", "TITLE": title, "DESCRIPTION": description},
                )
            written.append(publish(tmp / target.name, target))
    return written
