"""``transcaspian map``: a user's vector files on one interactive map."""

from __future__ import annotations

from pathlib import Path

import click

from transcaspian.cli.group import log
from transcaspian.cli.options import assume_crs_option, id_field_option, lang_option, layer_option, offline_option


@click.command(name="map")
@click.argument("files", nargs=-1, required=True, metavar="FILE [FILE ...]")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file to write (atomically).",
)
@offline_option
@click.option("--title", metavar="TEXT", help="Title of the map (default: the file names).")
@layer_option
@id_field_option
@assume_crs_option
@click.option(
    "--simplify",
    type=click.FloatRange(min=0, min_open=True),
    metavar="METRES",
    help="Simplify every line and polygon to this tolerance (metres) before drawing: for layers too big to draw in full on one page.",
)
@lang_option
def map_command(
    files: tuple[str, ...],
    output: Path,
    offline: bool,
    title: str | None,
    layer: str | None,
    id_field: str | None,
    assume_crs: str | None,
    simplify: float | None,
    lang: str,
) -> None:
    """Render FILEs as one interactive map: same styles, controls and safe popups.

    Any vector file GDAL reads (GeoJSON, GeoPackage, FlatGeobuf, Shapefile,
    ...) or GeoParquet, in any CRS (reprojected to WGS84). Each file is one
    toggleable layer; popups list its attributes as text.
    """
    from transcaspian.api import make_map
    from transcaspian.files import atomic_write
    from transcaspian.userdata.opening import read_vector
    from transcaspian.web.biglayer import simplify_frame
    from transcaspian.web.render import map_html

    # Read (and check) every file before writing anything.
    frames = []
    for file in files:
        frame = read_vector(file, layer=layer, assume_crs=assume_crs, id_field=id_field)
        if simplify:
            frame = simplify_frame(frame, simplify)
        frame.attrs["name"] = Path(file).name
        frames.append(frame)
    # make_map refuses a page that would freeze the browser, saying what to do instead.
    atomic_write(output, map_html(make_map(*frames, title=title, offline=offline, lang=lang)))
    log.info(f"wrote {output}")
