"""The ``transcaspian`` command: a thin click layer over the API (:mod:`transcaspian.api`).

One module per command, as rasterio's ``rio`` does; options shared by
several commands are defined once in :mod:`transcaspian.cli.options`, and
:mod:`transcaspian.cli.group` turns every error into one line on stderr and
an exit status (2 usage, 1 bad data or a failed check, 130/143 interrupted).

Each command imports its stages when it runs: geopandas, pyogrio and folium
take a second to load, which --help, --version and usage errors need not
wait for.
"""

from __future__ import annotations

import gc
import logging

import click

from transcaspian.cli.build import build
from transcaspian.cli.check import check
from transcaspian.cli.check_text import check_text
from transcaspian.cli.export import export
from transcaspian.cli.group import Group, set_verbosity
from transcaspian.cli.map import map_command
from transcaspian.cli.measure import measure
from transcaspian.cli.versions import show_versions
from transcaspian.version import __version__


@click.group(cls=Group)
@click.version_option(__version__, prog_name="transcaspian")
@click.option(
    "--show-versions",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=show_versions,
    help="Print the versions of transcaspian, Python, GDAL, PROJ, GEOS and the libraries (for bug reports) and exit.",
)
@click.option("-v", "--verbose", is_flag=True, help="Also say what each step does (debug messages on stderr).")
@click.option("-q", "--quiet", is_flag=True, help="No progress or 'wrote ...' lines on stderr; warnings and errors only.")
def main(verbose: bool, quiet: bool) -> None:
    """Measured, source-checked maps of the links across the Caspian."""
    set_verbosity(logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO)


for _command in (build, check, check_text, export, map_command, measure):
    main.add_command(_command)


def run() -> None:
    """The ``transcaspian`` program: run one command, then exit.

    Before the interpreter exits, every object still alive is frozen
    (:func:`gc.freeze`): its last full collection then skips the million
    objects of geopandas, folium and the build, all about to be freed with
    the process, a tenth of a second of every run. Files are written and
    closed by then, and exit handlers and module teardown still run. Only the
    program does this; :data:`main`, run in-process (a test, a notebook),
    leaves the collector as it found it.
    """
    try:
        main(prog_name="transcaspian")
    finally:
        gc.freeze()
