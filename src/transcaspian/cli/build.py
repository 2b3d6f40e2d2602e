"""``transcaspian build``: every layer, report and map."""

from __future__ import annotations

from pathlib import Path

import click

from transcaspian.cli.group import log
from transcaspian.cli.options import geodata_option, lang_option, offline_option, out_option


@click.command()
@geodata_option
@out_option
@offline_option
@lang_option
def build(geodata: Path | None, out: Path, offline: bool, lang: str) -> None:
    """Build every layer, report and map under --out.

    Prints the measured length of every leg and route (km); the ids are the
    ones the maps' deep links take (maps/index.html#ID).
    """
    from transcaspian.api import build as build_all
    from transcaspian.report.markdown import summary_table

    measured = build_all(out, geodata, offline=offline, lang=lang)
    click.echo(summary_table(measured.legs, measured.routes), nl=False)
    log.info(f"wrote outputs to {out}")
