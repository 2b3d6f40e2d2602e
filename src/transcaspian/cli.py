"""The ``transcaspian`` command: a thin click layer over the API.

Data goes to stdout, messages to stderr. Errors are one line on stderr and
an exit status: 2 for usage errors, 1 for bad data or a failed check.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import TranscaspianError, UsageError

# Each command imports its stages when it runs: geopandas, pyogrio and folium take
# a second to load, which --help, --version and usage errors need not wait for.

geodata_option = click.option(
    "--geodata",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Geodata directory to read instead of the curated copy shipped with the package.",
)
out_option = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("outputs"),
    show_default=True,
    help="Folder the outputs are written to.",
)


def fail(error: TranscaspianError) -> None:
    """Print an error as one line per problem on stderr and exit."""
    for line in str(error).splitlines():
        click.echo(f"transcaspian: error: {line}", err=True)
    sys.exit(error.exit_code)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Turn library errors, click's usage errors and Ctrl-C into one line on stderr.

    click would print a usage banner, a hint and a blank line before its own
    message; a user (or a script reading stderr) gets one line naming the
    problem and where to look instead. A bare ``transcaspian`` still prints
    the help.
    """
    try:
        yield
    except TranscaspianError as error:
        fail(error)
    except KeyboardInterrupt:
        # Every output is renamed into place whole, so no file is left half-written.
        click.echo("transcaspian: interrupted", err=True)
        sys.exit(130)
    except click.exceptions.NoArgsIsHelpError:
        raise
    except click.ClickException as error:
        message = " ".join(error.format_message().split())
        ctx = getattr(error, "ctx", None)
        if ctx is not None:
            message = f"{message.rstrip('.')}; see '{ctx.command_path} --help'"
        click.echo(f"transcaspian: error: {message}", err=True)
        sys.exit(error.exit_code)


class Group(click.Group):
    """A click group whose errors are one-line messages and exit statuses."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any) -> click.Context:
        # The group's own options are parsed here, before invoke.
        with one_line_errors():
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with one_line_errors(), warnings.catch_warnings():
            # catch_warnings restores showwarning afterwards.
            warnings.showwarning = show_warning
            return super().invoke(ctx)


def show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None, line: str | None = None) -> None:
    """Print a warning as one line on stderr, without Python's source excerpt."""
    text = " ".join(str(message).split())
    click.echo(f"transcaspian: warning: {text}", err=True)


@click.group(cls=Group)
@click.version_option(__version__, prog_name="transcaspian")
def main() -> None:
    """Measured, source-checked maps of the links across the Caspian."""


@main.command()
@geodata_option
@out_option
@click.option(
    "--offline",
    is_flag=True,
    help="Make each map one self-contained HTML file (Leaflet inlined, Natural Earth basemap, no network requests).",
)
def build(geodata: Path | None, out: Path, offline: bool) -> None:
    """Build every layer, report and map under --out."""
    from .pipeline import run_build
    from .report import summary_table

    measured = run_build(geodata, out, offline=offline)
    click.echo(summary_table(measured.legs, measured.routes), nl=False)
    click.echo(f"wrote outputs to {out}", err=True)


@main.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE [FILE ...]")
@click.option(
    "--format",
    "fmt",
    default="table",
    show_default=True,
    metavar="table|json|csv|geojson",
    help="table for people; json or csv per feature; geojson writes the features back with length_km added.",
)
@click.option("--by-country", is_flag=True, help="Split each length by country (shipped Natural Earth boundaries of the Caspian region).")
@click.option("--id-field", metavar="NAME", help="Attribute that names features in the output and in messages (default: the id field if there is one, else the position #1, #2, ...).")
@click.option("--layer", metavar="NAME", help="Layer to read, for files with several (GeoPackage).")
@click.option("--assume-crs", metavar="CRS", help="CRS of files that declare none, e.g. EPSG:4326 or EPSG:32639.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here (atomically) instead of stdout.")
def measure(
    files: tuple[str, ...],
    fmt: str,
    by_country: bool,
    id_field: str | None,
    layer: str | None,
    assume_crs: str | None,
    output: Path | None,
) -> None:
    """Geodesic length (km, WGS84) of every line or polygon feature of FILEs.

    Any vector file GDAL reads (GeoJSON, GeoPackage, FlatGeobuf, Shapefile,
    ...) or GeoParquet, in any CRS. Lines: their length; polygons: their
    perimeter (all rings, holes included); points have no length and are
    listed as not measured. Features without geometry are skipped with a
    warning. Large files are read in batches, in bounded memory.
    """
    from .measurefile import FORMATS, atomic_open, write_measurements
    from .userfiles import open_vector, parse_crs

    if fmt not in FORMATS:
        raise UsageError(f"--format '{fmt}' is not one of {', '.join(FORMATS)}")
    crs = parse_crs(assume_crs) if assume_crs else None
    # Open (and check) every file before writing anything.
    sources = [open_vector(f, layer=layer, assume_crs=crs, id_field=id_field) for f in files]
    with atomic_open(output) as stream:
        summaries = write_measurements(sources, stream, fmt, by_country=by_country, progress_stream=sys.stderr)
    if fmt != "table" or output is not None:
        measured = sum(s.measured for s in summaries)
        total = sum(s.length_km for s in summaries)
        where = f"wrote {output}: " if output is not None else ""
        click.echo(f"{where}{measured:,} feature{'s' if measured != 1 else ''} measured, total {total:,.3f} km", err=True)


def _split_layers(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    # --layers fiber --layers places and --layers fiber,places mean the same.
    return tuple(name.strip() for item in value for name in item.split(",") if name.strip())


@main.command()
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["geojson", "gpkg", "fgb", "kml", "csv"]),
    help="geojson: layers/*.geojson; gpkg: transcaspian.gpkg (with QGIS styles and the claims table); "
    "fgb: fgb/*.fgb; kml: transcaspian.kml; csv: csv/*.csv.",
)
@click.option(
    "--layers",
    multiple=True,
    callback=_split_layers,
    metavar="NAME[,NAME...]",
    help="Layers to write (repeat or separate with commas); all when omitted. "
    "Names: the network layers, places, routes, and claims (GeoPackage only).",
)
@out_option
@geodata_option
def export(fmt: str, layers: tuple[str, ...], out: Path, geodata: Path | None) -> None:
    """Write the measured layers in one format under --out.

    `transcaspian build` writes every format, the data dictionary,
    metadata.json and SHA256SUMS; this writes one format only (and leaves
    SHA256SUMS alone). The paths written go to stdout, one per line.
    """
    from .export import export_format, source_date
    from .pipeline import check_measured, measure_geodata

    date = source_date()
    # The same measured and checked frames as `build`, so the columns match.
    measured = check_measured(measure_geodata(geodata), geodata)
    for path in export_format(measured, out, fmt, layers or None, date=date):
        click.echo(str(path))


@main.command(name="map")
@click.argument("files", nargs=-1, required=True, metavar="FILE [FILE ...]")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file to write (atomically).",
)
@click.option("--offline", is_flag=True, help="One self-contained file: Leaflet inlined, Natural Earth basemap, no network requests.")
@click.option("--title", metavar="TEXT", help="Title of the map (default: the file names).")
@click.option("--layer", metavar="NAME", help="Layer to read, for files with several (GeoPackage).")
@click.option("--assume-crs", metavar="CRS", help="CRS of files that declare none, e.g. EPSG:4326 or EPSG:32639.")
def map_command(files: tuple[str, ...], output: Path, offline: bool, title: str | None, layer: str | None, assume_crs: str | None) -> None:
    """Render FILEs as one interactive map: same styles, controls and safe popups.

    Any vector file GDAL reads (GeoJSON, GeoPackage, FlatGeobuf, Shapefile,
    ...) or GeoParquet, in any CRS (reprojected to WGS84). Each file is one
    toggleable layer; popups list its attributes as text.
    """
    from .export import atomic_write
    from .render import user_map_html
    from .userfiles import read_vector

    # Read (and check) every file before writing anything.
    layers = [(Path(f).name, read_vector(f, layer=layer, assume_crs=assume_crs)) for f in files]
    atomic_write(output, user_map_html(layers, title=title, offline=offline))
    click.echo(f"wrote {output}", err=True)


@main.command()
@geodata_option
@click.option(
    "--claims",
    "claims_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Claims file (TOML, [[claim]] and optional [[source]] records) to check instead of the curated register.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "markdown"]),
    default="table",
    show_default=True,
    help="table for people; json (stable, for pipelines) or csv, one row per claim; markdown table.",
)
@click.option(
    "--layer",
    "layer_file",
    metavar="FILE",
    help="Check --claims against your own vector file (any format GDAL reads) instead of the curated data; "
    "claim subjects are its feature ids.",
)
@click.option("--layer-name", metavar="NAME", help="With --layer: the layer to read, for files with several (GeoPackage).")
@click.option("--id-field", metavar="NAME", help="With --layer: the field holding feature ids (default: id).")
@click.option("--assume-crs", metavar="CRS", help="With --layer: CRS of a file that declares none, e.g. EPSG:32639.")
def check(
    geodata: Path | None,
    claims_file: Path | None,
    fmt: str,
    layer_file: str | None = None,
    layer_name: str | None = None,
    id_field: str | None = None,
    assume_crs: str | None = None,
) -> None:
    """Hold every published length against the measured geometry.

    Prints one row per length claim: claim id, subject, stated, measured,
    ratio (measured / stated), verdict, source. Verdicts: consistent,
    trace_short, trace_long, impossible, not_checkable.

    Exit status: 0 when every canonical claim is consistent, 1 otherwise (or
    on bad data), 2 on a usage error. Variant and headline claims never
    change it.
    """
    from .check import failed_canonical
    from .pipeline import run_check
    from .report import check_table, checks_csv, checks_json, checks_markdown

    if claims_file is not None and not claims_file.is_file():
        raise UsageError(f"--claims {claims_file}: no such file")
    if layer_file is not None:
        # A user's layer and claims: same engine, verdicts and exit status.
        from .layercheck import run_layer_check

        if claims_file is None or geodata is not None:
            raise UsageError("--layer FILE needs --claims CLAIMS (the claims about its features) and no --geodata")
        result = run_layer_check(layer_file, claims_file, layer=layer_name, id_field=id_field, assume_crs=assume_crs)
    elif layer_name or id_field or assume_crs:
        raise UsageError("--layer-name, --id-field and --assume-crs go with --layer FILE")
    else:
        result = run_check(geodata, claims_file)
    render = {"table": check_table, "json": checks_json, "csv": checks_csv, "markdown": checks_markdown}[fmt]
    click.echo(render(result), nl=False)
    failed = [c.claim.id for c in failed_canonical(result.checks)]
    if failed:
        click.echo(f"transcaspian: {len(failed)} canonical claim(s) not consistent: {', '.join(failed)}", err=True)
        sys.exit(1)
