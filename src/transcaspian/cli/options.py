"""Options shared by several commands, defined once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from transcaspian.errors import DataError


class OutputPath(click.Path):
    """A click path that refuses the empty string.

    click turns ``--out ""`` into ``Path("")``, which is the current folder:
    a build would then write into (and hash) wherever the user stands.
    """

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if isinstance(value, str) and not value.strip():
            self.fail("is empty; give a path to write to", param, ctx)
        return super().convert(value, param, ctx)


#: Exit status of `check` and `check-text` when an input cannot be read or is invalid, so a
#: CI pipeline tells it from a failed check (1) and a usage error (2).
BAD_INPUT_EXIT = 3


@contextmanager
def bad_input_exits_3() -> Iterator[None]:
    """Give bad or unreadable input its own exit status (:data:`BAD_INPUT_EXIT`)."""
    try:
        yield
    except DataError as error:
        error.exit_code = BAD_INPUT_EXIT
        raise

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

lang_option = click.option(
    "--lang",
    type=click.Choice(["en", "ru", "az", "kk", "tr"]),
    default="en",
    show_default=True,
    help="Language of the maps: interface, legend, popups, and place, country and sea names (English where a name is missing).",
)
tiles_option = click.option(
    "--tiles",
    metavar="NAME",
    default=None,
    help="Online maps: tile provider, an xyzservices name such as OpenTopoMap (default Esri.WorldGrayCanvas); "
    "the built-in basemap is shown when tiles cannot load.",
)
