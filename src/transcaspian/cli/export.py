"""``transcaspian export``: the measured layers in one format."""

from __future__ import annotations

from pathlib import Path

import click

from transcaspian.cli.options import geodata_option, out_option


def _split_layers(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    # --layers fiber --layers places and --layers fiber,places mean the same.
    return tuple(name.strip() for item in value for name in item.split(",") if name.strip())


@click.command()
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
@click.option("--force", is_flag=True, help="Write into a non-empty folder that no build of transcaspian wrote (files with output names are replaced).")
def export(fmt: str, layers: tuple[str, ...], out: Path, geodata: Path | None, force: bool) -> None:
    """Write the measured layers in one format under --out.

    `transcaspian build` writes every format, the data dictionary,
    metadata.json and SHA256SUMS; this writes one format only (and leaves
    SHA256SUMS alone). The paths written go to stdout, one per line.
    """
    from transcaspian.measured import check_measured, measure_geodata
    from transcaspian.outputs.export import export_format, source_date
    from transcaspian.outputs.folder import check_target, record_written

    date = source_date()
    # Never write over files the tool did not write: a user's own folder needs --force.
    check_target(out, force=force)
    # The same measured and checked frames as `build`, so the columns match.
    measured = check_measured(measure_geodata(geodata), geodata)
    written = export_format(measured, out, fmt, layers or None, date=date)
    record_written(out, written)
    for path in written:
        click.echo(str(path))
