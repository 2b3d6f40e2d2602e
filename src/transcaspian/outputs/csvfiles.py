"""CSV files with WKT geometry, .csvt types and .prj beside them; text cells safe in spreadsheets."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd

from transcaspian.outputs.columns import rewrite_text_cells
from transcaspian.outputs.gdal import gdal_errors, publish, staging, write_frame
from transcaspian.values import FORMULA_STARTS, spreadsheet_text


def spreadsheet_safe_frame(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` with text cells that cannot run as spreadsheet formulas (numbers untouched).

    Only text columns change: a value starting with ``=``, ``+``, ``-``,
    ``@``, tab or CR gets a leading ``'`` (:func:`values.spreadsheet_text`,
    OWASP's advice), so LibreOffice and Excel show it as text; numeric
    columns keep their type and their ``.csvt`` type. A copy when a cell
    changes, ``frame`` itself when none does.
    """
    return rewrite_text_cells(frame, spreadsheet_text, lambda text: text.startswith(FORMULA_STARTS))


def write_csv_layers(out: str | Path, frames: Mapping[str, gpd.GeoDataFrame]) -> list[Path]:
    """Write ``<out>/csv/<layer>.csv``: attributes, with the geometry as WKT.

    Written by GDAL's CSV driver: the first column, ``WKT``, holds the
    geometry; a ``.csvt`` beside each file gives the column types (QGIS and
    GDAL read it) and a ``.prj`` the CRS. UTF-8, LF line ends, no BOM. Text
    cells are neutralised against formulas (:func:`spreadsheet_safe_frame`).

    Returns
    -------
    list of Path
        Every file written: each ``.csv`` followed by its ``.csvt`` and ``.prj``.
    """
    folder = Path(out) / "csv"
    written = []
    with staging(folder) as tmp:
        for name, frame in frames.items():
            target = folder / f"{name}.csv"
            with gdal_errors(target):
                write_frame(
                    spreadsheet_safe_frame(frame),
                    tmp / target.name,
                    layer=name,
                    driver="CSV",
                    layer_options={"GEOMETRY": "AS_WKT", "CREATE_CSVT": "YES", "LINEFORMAT": "LF", "WRITE_BOM": "NO"},
                )
            # The .csvt and .prj go into place first, so a .csv is never without its types and CRS;
            # all three are listed (`export --format csv` prints every file it writes).
            sides = [publish(tmp / f"{name}{suffix}", folder / f"{name}{suffix}") for suffix in (".csvt", ".prj") if (tmp / f"{name}{suffix}").exists()]
            written += [publish(tmp / target.name, target), *sides]
    return written
