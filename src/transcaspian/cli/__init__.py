"""The ``transcaspian`` command: a thin click layer over the API.

One module per command, as rasterio's ``rio`` does; options shared by
several commands are defined once in :mod:`transcaspian.cli.options`, and
:mod:`transcaspian.cli.group` turns every error into one line on stderr and
an exit status (2 usage, 1 bad data or a failed check, 130/143 interrupted).

Each command imports its stages when it runs: geopandas, pyogrio and folium
take a second to load, which --help, --version and usage errors need not
wait for.
"""

from __future__ import annotations

import click

from transcaspian import __version__
from transcaspian.cli.build import build
from transcaspian.cli.check import check
from transcaspian.cli.check_text import check_text
from transcaspian.cli.export import export
from transcaspian.cli.group import Group
from transcaspian.cli.map import map_command
from transcaspian.cli.measure import measure


@click.group(cls=Group)
@click.version_option(__version__, prog_name="transcaspian")
def main() -> None:
    """Measured, source-checked maps of the links across the Caspian."""


for _command in (build, check, check_text, export, map_command, measure):
    main.add_command(_command)
