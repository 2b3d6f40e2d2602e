"""``transcaspian map``: a user's vector files on one interactive map, or as an image."""

from __future__ import annotations

from pathlib import Path

import click

from transcaspian.cli.options import OutputPath, allow_vrt_option, lang_option, tiles_option


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
@click.option("--offline", is_flag=True, help="One self-contained file: Leaflet inlined, Natural Earth basemap, no network requests.")
@click.option("--title", metavar="TEXT", help="Title of the map (default: the file names).")
@click.option("--layer", metavar="NAME", help="Layer to read, for files with several (GeoPackage).")
@click.option("--assume-crs", metavar="CRS", help="CRS of files that declare none, e.g. EPSG:4326 or EPSG:32639.")
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
    from transcaspian.files import atomic_write, refuse_overwriting_inputs
    from transcaspian.userdata.opening import read_vector
    from transcaspian.web.biglayer import check_page_size, simplify_frame
    from transcaspian.web.page import DEFAULT_TILES, tile_provider

    refuse_overwriting_inputs(output, files)
    if tiles is not None:
        try:
            tile_provider(tiles)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--tiles") from None
    # Read (and check) every file before writing anything.
    layers = [(Path(f).name, read_vector(f, layer=layer, assume_crs=assume_crs, allow_vrt=allow_vrt)) for f in files]
    if simplify:
        layers = [(name, simplify_frame(frame, simplify)) for name, frame in layers]
    if fmt == "html":
        from transcaspian.web.render import user_map_html

        # A page that would freeze the browser is not written; the message says what to do instead.
        check_page_size(layers)
        data: str | bytes = user_map_html(layers, title=title, offline=offline, lang=lang, tiles=tiles or DEFAULT_TILES)
    else:
        from transcaspian.web.staticmap import static_image
        from transcaspian.web.userpayload import user_payload

        data = static_image(user_payload(layers, title=title, lang=lang), fmt=fmt)
    atomic_write(output, data)
    click.echo(f"wrote {output}", err=True)
