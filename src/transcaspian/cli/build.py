"""``transcaspian build``: every layer, report and map."""

from __future__ import annotations

from pathlib import Path

import click

from transcaspian.cli.options import geodata_option, lang_option, out_option, tiles_option


@click.command()
@geodata_option
@out_option
@click.option(
    "--offline",
    is_flag=True,
    help="Make each map one self-contained HTML file (Leaflet inlined, Natural Earth basemap, no network requests).",
)
@lang_option
@tiles_option
@click.option(
    "--force",
    is_flag=True,
    help="Build into a non-empty folder that no earlier build wrote (its other files are kept; files with output names are replaced).",
)
def build(geodata: Path | None, out: Path, offline: bool, lang: str, tiles: str | None, force: bool = False) -> None:
    """Build every layer, report and map under --out.

    The outputs are built in a hidden folder beside --out and swapped into
    place whole; --out must be new, empty or an earlier build's folder.
    """
    from transcaspian.pipeline import run_build
    from transcaspian.report.markdown import summary_table

    if tiles is not None:
        _check_tiles(tiles)
    measured = run_build(geodata, out, offline=offline, lang=lang, tiles=tiles, force=force)
    click.echo(summary_table(measured.legs, measured.routes), nl=False)
    click.echo(f"wrote outputs to {out}", err=True)


def _check_tiles(name: str) -> None:
    """A usage error (exit 2) for an unknown provider, before anything is built."""
    from transcaspian.web.page import tile_provider

    try:
        tile_provider(name)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--tiles") from None
