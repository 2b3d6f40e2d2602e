"""``transcaspian build``: every layer, report and map."""

from __future__ import annotations

from pathlib import Path

import click

from transcaspian.cli.options import geodata_option, out_option


@click.command()
@geodata_option
@out_option
@click.option(
    "--offline",
    is_flag=True,
    help="Make each map one self-contained HTML file (Leaflet inlined, Natural Earth basemap, no network requests).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Build into a non-empty folder that no earlier build wrote (its other files are kept; files with output names are replaced).",
)
def build(geodata: Path | None, out: Path, offline: bool, force: bool) -> None:
    """Build every layer, report and map under --out.

    The outputs are built in a hidden folder beside --out and swapped into
    place whole; --out must be new, empty or an earlier build's folder.
    """
    from transcaspian.pipeline import run_build
    from transcaspian.report.markdown import summary_table

    measured = run_build(geodata, out, offline=offline, force=force)
    click.echo(summary_table(measured.legs, measured.routes), nl=False)
    click.echo(f"wrote outputs to {out}", err=True)
