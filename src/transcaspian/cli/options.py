"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path

import click

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
