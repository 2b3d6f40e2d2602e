"""Options shared by several commands, defined once, with their checks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from transcaspian.errors import DataError, UsageError


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


def _geodata(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    # One exit status (2, a usage error) whether the path is missing, empty or a file.
    if value is None:
        return None
    if not value.strip():
        raise UsageError('--geodata "": give the path of a geodata directory')
    path = Path(value)
    if not path.exists():
        raise UsageError(f"--geodata {value}: no such directory")
    if not path.is_dir():
        raise UsageError(f"--geodata {value}: is a file; give the geodata directory (the folder holding places/, layers/ and routes.toml)")
    return path


def _out(ctx: click.Context, param: click.Parameter, value: str) -> Path:
    if not value.strip():
        raise UsageError('--out "": give the name of the folder to write to, e.g. --out outputs')
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise UsageError(f"--out {value}: is a file; give a folder (it is created when missing)")
    return path


geodata_option = click.option(
    "--geodata",
    metavar="DIR",
    default=None,
    callback=_geodata,
    help="Geodata directory to read instead of the curated copy shipped with the package.",
)
out_option = click.option(
    "--out",
    metavar="DIR",
    default="outputs",
    show_default=True,
    callback=_out,
    help="Folder the outputs are written to.",
)
offline_option = click.option(
    "--offline",
    is_flag=True,
    help="Make each map one self-contained HTML file (Leaflet inlined, Natural Earth basemap, no network requests).",
)
layer_option = click.option("--layer", metavar="NAME", help="Layer to read, for files with several (GeoPackage).")
id_field_option = click.option(
    "--id-field",
    metavar="NAME",
    help="Attribute that holds feature ids (default: id). 'fid' takes the GeoPackage feature id, or a GeoJSON feature's top-level id.",
)
assume_crs_option = click.option("--assume-crs", metavar="CRS", help="CRS of files that declare none, e.g. EPSG:4326 or EPSG:32639.")
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
