"""KML for Google Earth: one Folder per layer, styled placemarks with a description balloon each."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from transcaspian.outputs import kml
from transcaspian.outputs.columns import geometry_type
from transcaspian.outputs.gdal import gdal_errors, publish, staging, write_frame
from transcaspian.outputs.gpkg import layer_title
from transcaspian.styles import PLACE_STYLES, line_style
from transcaspian.values import FIELD_LABELS, LENGTH_NOTE, format_km, is_missing


def kml_description(row: Mapping[str, Any], layer_title: str = "") -> str:
    """The HTML balloon text of one Placemark.

    Every value from the data is HTML-escaped, so no attribute can become
    markup or script in Google Earth; links are made only for http(s) URLs.

    Parameters
    ----------
    row : mapping
        One feature of a flat frame (nested values as JSON text).
    layer_title : str
        Title of the feature's layer, shown first.
    """
    def esc(value: Any) -> str:
        return html.escape(str(value), quote=True)

    lines = []
    if layer_title:
        lines.append(f"<b>{esc(layer_title)}</b>")
    label = FIELD_LABELS
    for key in ("mode", "status", "route_accuracy", "operator", "capacity", "kind", "country"):
        value = row.get(key)
        if not is_missing(value, blank=True):
            lines.append(f"{label[key]}: {esc(str(value).replace('_', ' ') if key in ('mode', 'status', 'route_accuracy', 'kind') else value)}")
    if not is_missing(row.get("length_km")):
        lines.append(f"{label['length_km']}: {esc(format_km(row['length_km']))} ({LENGTH_NOTE})")
    if not is_missing(row.get("stated_length_km")):
        lines.append(f"{label['stated_length_km']}: {esc(format_km(row['stated_length_km']))}")
    if not is_missing(row.get("length_ratio")):
        lines.append(f"{label['length_ratio']}: {esc(format(float(row['length_ratio']), '.3f'))}")
    if not is_missing(row.get("check"), blank=True):
        lines.append(f"{label['check']}: {esc(str(row['check']).replace('_', ' '))}")
    if not is_missing(row.get("source"), blank=True):
        lines.append(f"{label['source']}: {esc(row['source'])}")
    facts = row.get("facts")
    if isinstance(facts, str) and facts:
        items = [
            f"<li>{esc(str(fact.get('metric', '')).replace('_', ' '))}: {esc(fact.get('text', ''))}</li>"
            for fact in json.loads(facts)
            if isinstance(fact, Mapping)
        ]
        if items:
            lines.append(f"{label['facts']}:<ul>" + "".join(items) + "</ul>")
    sources = row.get("sources")
    if isinstance(sources, str) and sources:
        items = []
        for src in json.loads(sources):
            text = esc(" – ".join(s for s in (src.get("publisher", ""), src.get("title", ""), src.get("date", "")) if s))
            url = str(src.get("url", ""))
            if url.startswith(("https://", "http://")):
                text = f'<a href="{esc(url)}">{text}</a>'
            items.append(f"<li>{text}</li>")
        if items:
            lines.append(f"{label['sources']}:<ul>" + "".join(items) + "</ul>")
    if not is_missing(row.get("notes"), blank=True):
        lines.append(f"{label['notes']}: {esc(row['notes'])}")
    return "<br/>".join(lines)


def _kml_scale(radius: float) -> float:
    # A web marker of radius 5 px is shown at KML icon scale 1.
    return radius / 5.0


def ogr_style(layer: str, row: Mapping[str, Any]) -> str:
    """The GDAL feature style string of one feature (LIBKML turns it into a KML Style).

    Lines: ``PEN`` with the colour and width of :func:`line_style` (KML has no
    dash patterns). Places: ``SYMBOL`` with the kind's colour; its size is
    chosen so that LIBKML writes an icon scale of radius / 5.
    """
    if "kind" in row and "mode" not in row:
        color, radius = PLACE_STYLES.get(str(row["kind"]), ("#666666", 3.0))
        # LIBKML converts a SYMBOL size in px to an icon scale of size * 25.4 / 72.
        size = _kml_scale(radius) * 72.0 / 25.4
        return f"SYMBOL(c:{color},s:{size:.4f}px)"
    style = line_style("routes" if layer == "routes" else layer, str(row.get("mode", "")), str(row.get("status", "")), str(row.get("route_accuracy", "")))
    return f"PEN(c:{style.color},w:{style.width:g}px)"


def kml_frame(name: str, frame: gpd.GeoDataFrame, title: str = "") -> gpd.GeoDataFrame:
    """A flat frame with the two columns LIBKML maps to KML: ``description`` and ``OGR_STYLE``."""
    records = frame.drop(columns=frame.geometry.name).to_dict("records")
    out = frame.copy()
    position = list(out.columns).index("name") + 1 if "name" in out.columns else 1
    out.insert(position, "description", pd.Series([kml_description(r, title) for r in records], index=out.index, dtype=object))
    out["OGR_STYLE"] = pd.Series([ogr_style(name, r) for r in records], index=out.index, dtype=object)
    return out.set_geometry(frame.geometry.name)


def write_kml(path: str | Path, frames: Mapping[str, gpd.GeoDataFrame], *, titles: Mapping[str, tuple[str, str]] = {}, document: str = "transcaspian") -> Path:
    """Write one KML file through GDAL's LIBKML driver, one Folder per layer.

    Each Placemark has the feature's ``id``, its ``name``, an HTML
    ``description`` (escaped values, see :func:`kml_description`), an inline
    Style made by LIBKML from :func:`ogr_style` (LineStyle colour and width;
    IconStyle colour and scale for places) and every attribute as
    ExtendedData.

    Parameters
    ----------
    path : str or Path
        Target ``.kml``; replaced atomically.
    frames : mapping of str to GeoDataFrame
        Flat layers by name, EPSG:4326.
    titles : mapping of str to (title, description), optional
        Layer titles, shown at the top of each description.
    document : str
        Name of the KML Document.
    """
    path = Path(path)
    about = {"NAME": document, "DESCRIPTION": "Measured, source-checked lines across the Caspian; see metadata.json."}
    with staging(path.parent) as tmp, gdal_errors(path):
        staged = tmp / path.name
        ready = {name: kml.protect_frame(kml_frame(name, frame, layer_title(name, titles)[0])) for name, frame in frames.items()}

        def write_layer(target: Path, name: str, document_options: dict[str, str] | None) -> None:
            write_frame(
                ready[name], target, layer=name, driver="LIBKML", geometry_type=geometry_type(frames[name]), layer_options={"FOLDER": "YES"}, dataset_options=document_options
            )

        # Each layer in a file of its own, then joined: appending a layer makes LIBKML
        # parse the whole file so far again (six layers took 100 ms, not 45).
        parts = []
        for i, name in enumerate(ready):
            part = tmp / str(i) / path.name  # under the final name, as every GDAL write here
            part.parent.mkdir()
            write_layer(part, name, about)
            parts.append(part.read_text(encoding="utf-8"))
        try:
            staged.write_text(kml.join_documents(parts), encoding="utf-8", newline="")
        except ValueError:  # not laid out as the LIBKML this was made with: let LIBKML append instead
            staged.unlink(missing_ok=True)
            for i, name in enumerate(ready):
                write_layer(staged, name, None if i else about)
        # LIBKML quotes text as CDATA without escaping "]]>": see outputs/kml.py.
        kml.restore_file(staged)
        kml.verify_kml(staged, {name: len(frame) for name, frame in frames.items()}, shown_as=path)
        return publish(staged, path)
