"""``transcaspian --show-versions``: what a bug report needs to say."""

from __future__ import annotations

import platform
import sys
from importlib.metadata import PackageNotFoundError, version

import click

from transcaspian.version import __version__

#: Libraries whose version changes results or files.
LIBRARIES = ("click", "folium", "geopandas", "numpy", "pandas", "pillow", "pyarrow", "pyogrio", "pyproj", "resvg-py", "shapely")


def versions() -> dict[str, str]:
    """Versions of transcaspian, Python, the C libraries (GDAL, PROJ, GEOS) and the Python libraries.

    Examples
    --------
    >>> sorted(versions())[:3]
    ['GDAL', 'GEOS', 'PROJ']
    """
    import pyogrio
    import pyproj
    import shapely

    out = {
        "transcaspian": __version__,
        "Python": sys.version.split()[0],
        "platform": platform.platform(),
        "GDAL": pyogrio.__gdal_version_string__,
        "PROJ": pyproj.proj_version_str,
        "GEOS": shapely.geos_version_string,
    }
    for name in LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def show_versions(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """Click callback: print :func:`versions`, one ``name: version`` per line, and exit."""
    if not value or ctx.resilient_parsing:
        return
    for name, text in versions().items():
        click.echo(f"{name}: {text}")
    ctx.exit()
