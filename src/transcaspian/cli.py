"""The ``transcaspian`` command: a thin click layer over the API.

Data goes to stdout, messages to stderr. Errors are one line on stderr and
an exit status: 2 for usage errors, 1 for bad data or a failed check.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import TranscaspianError

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


class Group(click.Group):
    """A click group that turns library errors into one-line messages."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except TranscaspianError as error:
            fail(error)


@click.group(cls=Group)
@click.version_option(__version__, prog_name="transcaspian")
def main() -> None:
    """Measured, source-checked maps of the links across the Caspian."""


@main.command()
@geodata_option
@out_option
def build(geodata: Path | None, out: Path) -> None:
    """Build every layer, report and map under --out."""
    from .pipeline import run_build
    from .report import summary_table

    measured = run_build(geodata, out)
    click.echo(summary_table(measured.legs, measured.routes), nl=False)
    click.echo(f"wrote outputs to {out}", err=True)
