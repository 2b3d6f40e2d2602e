"""``transcaspian measure``: geodesic lengths of a user's vector files."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from transcaspian.cli.group import log
from transcaspian.cli.options import OutputPath, allow_vrt_option, assume_crs_option, id_field_option, layer_option
from transcaspian.errors import UsageError


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE [FILE ...]")
@click.option(
    "--format",
    "fmt",
    default="table",
    show_default=True,
    metavar="table|json|csv|geojson",
    help="table for people; json or csv per feature; geojson writes the features back with length_km added.",
)
@click.option("--by-country", is_flag=True, help="Split each length by country (shipped Natural Earth boundaries of the whole world; lines across 180° split there).")
@id_field_option
@layer_option
@assume_crs_option
@click.option("-o", "--output", type=OutputPath(dir_okay=False, path_type=Path), help="Write here (atomically) instead of stdout.")
@allow_vrt_option
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Threads measuring batches of features (default: every core). The output is the same for any N.",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Measure the valid features of a file with some bad coordinates (NaN, out of range) and list the ones left out, instead of stopping at the first.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="dask: measure GeoParquet files or folders of parts on a dask cluster (pip install 'transcaspian[dask]'); "
    "for layers too big for one machine. Output as the local engine's.",
)
@click.option("--scheduler", metavar="ADDRESS", help="With --engine dask: a running dask scheduler (tcp://host:8786) instead of a local cluster.")
def measure(
    files: tuple[str, ...],
    fmt: str,
    by_country: bool,
    id_field: str | None,
    layer: str | None,
    assume_crs: str | None,
    output: Path | None,
    allow_vrt: bool,
    jobs: int | None,
    skip_invalid: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
) -> None:
    """Geodesic length (km, WGS84) of every line or polygon feature of FILEs.

    Any vector file GDAL reads (GeoJSON, GeoPackage, FlatGeobuf, Shapefile,
    ...) or GeoParquet, in any CRS. Lines: their length; polygons: their
    perimeter (all rings, holes included); points have no length and are
    listed as not measured. Features without geometry are skipped with a
    warning. Large files are read in batches, in bounded memory.
    """
    from transcaspian.files import refuse_overwriting_inputs
    from transcaspian.userdata.batches import parse_crs
    from transcaspian.userdata.measure_files import default_jobs, write_measurements
    from transcaspian.userdata.measuring import FORMATS, atomic_open
    from transcaspian.userdata.opening import open_vector

    if fmt not in FORMATS:
        raise UsageError(f"--format '{fmt}' is not one of {', '.join(FORMATS)}")
    if scheduler and engine != "dask":
        raise UsageError("--scheduler goes with --engine dask")
    if engine == "dask":
        from transcaspian.userdata.distributed import write_measurements_dask

        if layer or assume_crs or skip_invalid:
            raise UsageError("--engine dask reads GeoParquet, which has one layer and its CRS, and stops at bad coordinates: drop --layer, --assume-crs and --skip-invalid")
        with atomic_open(output) as stream:
            summaries = write_measurements_dask(list(files), stream, fmt, by_country=by_country, id_field=id_field, scheduler=scheduler, jobs=jobs)
        _say_total(summaries, fmt, output)
        return
    crs = parse_crs(assume_crs) if assume_crs else None
    refuse_overwriting_inputs(output, files)
    # Open (and check) every file before writing anything.
    sources = [open_vector(f, layer=layer, assume_crs=crs, id_field=id_field, allow_vrt=allow_vrt) for f in files]
    with atomic_open(output) as stream:
        progress = sys.stderr if log.isEnabledFor(logging.INFO) else None
        summaries = write_measurements(sources, stream, fmt, by_country=by_country, progress_stream=progress, jobs=jobs or default_jobs(), skip_invalid=skip_invalid)
    _say_total(summaries, fmt, output)


def _say_total(summaries: list, fmt: str, output: Path | None) -> None:
    if fmt != "table" or output is not None:
        measured = sum(s.measured for s in summaries)
        total = sum(s.length_km for s in summaries)
        where = f"wrote {output}: " if output is not None else ""
        log.info(f"{where}{measured:,} feature{'s' if measured != 1 else ''} measured, total {total:,.3f} km")
