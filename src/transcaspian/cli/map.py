"""``transcaspian map``: a user's vector files on one interactive map, or as an image."""

from __future__ import annotations

from pathlib import Path

import click

from transcaspian.cli.group import log
from transcaspian.cli.options import OutputPath, allow_vrt_option, assume_crs_option, id_field_option, lang_option, layer_option, offline_option, tiles_option


@click.command(name="map")
@click.argument("files", nargs=-1, required=True, metavar="FILE [FILE ...]")
@click.option(
    "-o",
    "--output",
    required=True,
    type=OutputPath(dir_okay=False, path_type=Path),
    help="File to write (atomically): HTML, or the image of --format.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "png", "svg"]),
    default="html",
    show_default=True,
    help="html: the interactive map; png: a 1200×630 image (social card); svg: a print-ready image.",
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
@tiles_option
@allow_vrt_option
def map_command(
    files: tuple[str, ...],
    output: Path,
    fmt: str,
    offline: bool,
    title: str | None,
    layer: str | None,
    id_field: str | None,
    assume_crs: str | None,
    lang: str,
    tiles: str | None,
    simplify: float | None = None,
    allow_vrt: bool = False,
) -> None:
    """Render FILEs as one interactive map (or image): same styles, controls and safe popups.

    Any vector file GDAL reads (GeoJSON, GeoPackage, FlatGeobuf, Shapefile,
    ...) or GeoParquet, in any CRS (reprojected to WGS84). Each file is one
    toggleable layer; popups list its attributes as text.
    """
    from transcaspian.api import make_map
    from transcaspian.files import atomic_write, refuse_overwriting_inputs
    from transcaspian.userdata.reading import read_vector
    from transcaspian.web.biglayer import simplify_frame
    from transcaspian.web.page import DEFAULT_TILES, map_html, tile_provider

    refuse_overwriting_inputs(output, files)
    if tiles is not None:
        try:
            tile_provider(tiles)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--tiles") from None
    # Read (and check) every file before writing anything.
    frames = []
    for file in files:
        frame = read_vector(file, layer=layer, assume_crs=assume_crs, id_field=id_field, allow_vrt=allow_vrt)
        if simplify:
            frame = simplify_frame(frame, simplify)
        frame.attrs["name"] = Path(file).name
        frames.append(frame)
    if fmt == "html":
        # make_map refuses a page that would freeze the browser, saying what to do instead.
        data: str | bytes = map_html(make_map(*frames, title=title, offline=offline, lang=lang, tiles=tiles or DEFAULT_TILES))
    else:
        from transcaspian.web.staticmap import static_image
        from transcaspian.web.userpayload import user_payload

        data = static_image(user_payload([(f.attrs["name"], f) for f in frames], title=title, lang=lang), fmt=fmt)
    atomic_write(output, data)
    log.info(f"wrote {output}")
