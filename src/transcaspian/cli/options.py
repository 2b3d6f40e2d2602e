"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path

import click

class OutputPath(click.Path):
    """A click path that refuses the empty string.

    click turns ``--out ""`` into ``Path("")``, which is the current folder:
    a build would then write into (and hash) wherever the user stands.
    """

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if isinstance(value, str) and not value.strip():
            self.fail("is empty; give a path to write to", param, ctx)
        return super().convert(value, param, ctx)


geodata_option = click.option(
    "--geodata",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Geodata directory to read instead of the curated copy shipped with the package.",
)
out_option = click.option(
    "--out",
    type=OutputPath(file_okay=False, path_type=Path),
    default=Path("outputs"),
    show_default=True,
    help="Folder the outputs are written to.",
)
allow_vrt_option = click.option(
    "--allow-vrt",
    is_flag=True,
    help="Read GDAL VRT files (refused by default, whatever their extension: a VRT makes GDAL read the files it names). "
    "/vsi paths and VRTs naming URLs stay refused.",
)
