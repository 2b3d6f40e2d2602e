"""``measure --engine dask``: the same measurements, on a dask cluster.

For layers that outgrow one machine (every power line or railway of a
continent from OpenStreetMap, as a folder of GeoParquet parts), the
partitions are read and measured by dask workers through dask-geopandas,
each with the very functions the in-process engine uses
(:func:`transcaspian.userdata.measuring.measure_batch`, the same border
grid), and the results are streamed back in partition order into the same
writers. The output equals the in-process engine's for the same features.

A local cluster (one single-threaded worker process per core) is started
when no scheduler address is given; with ``--scheduler tcp://host:8786`` the
work goes to an existing cluster, whose workers must have transcaspian (and
read access to the files) installed.

The dask packages are an optional extra: ``pip install 'transcaspian[dask]'``.
"""

from __future__ import annotations

import collections
import dataclasses
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
from pyproj import CRS

from transcaspian.errors import DataError, UsageError
from transcaspian.userdata.batches import Batch, VectorSource
from transcaspian.userdata.measure_files import default_jobs, rows_from_results
from transcaspian.userdata.measuring import BatchLengths, lonlat_extent, measure_batch, shipped_countries
from transcaspian.userdata.opening import crs_name
from transcaspian.userdata.writers import WRITERS, FileSummary


def _require_dask() -> Any:
    try:
        import dask_geopandas
        import distributed  # noqa: F401
    except ImportError:
        raise UsageError("--engine dask needs dask-geopandas and distributed: pip install 'transcaspian[dask]'") from None
    return dask_geopandas


def _parquet_parts(path: Path) -> list[Path]:
    if path.is_dir():
        parts = sorted(p for p in path.rglob("*.parquet") if p.is_file() and not p.is_symlink())
        if not parts:
            raise DataError("is a folder without .parquet files; --engine dask reads GeoParquet (one file or a folder of parts)", file=str(path))
        return parts
    if path.is_file():
        with open(path, "rb") as handle:
            if handle.read(4) == b"PAR1":
                return [path]
    raise DataError(
        "is not GeoParquet; --engine dask reads GeoParquet (one file or a folder of parts): convert it with ogr2ogr -f Parquet out.parquet in.gpkg",
        file=str(path),
    )


def dataset_info(path: Path) -> tuple[CRS, tuple[float, float, float, float] | None, list[str]]:
    """CRS, longitude/latitude box (if every part says) and columns of a GeoParquet file or folder."""
    import pyarrow.parquet as pq

    crs: CRS | None = None
    boxes = []
    fields: list[str] = []
    for part in _parquet_parts(path):
        schema = pq.read_schema(part)
        try:
            geo = json.loads((schema.metadata or {})[b"geo"])
            spec = geo["columns"][geo["primary_column"]]
        except (KeyError, ValueError, TypeError):
            raise DataError("has no GeoParquet metadata ('geo' key); write it with geopandas.to_parquet", file=str(part)) from None
        part_crs = CRS.from_user_input(spec["crs"]) if spec.get("crs") else CRS.from_user_input("OGC:CRS84")
        if crs is not None and not part_crs.equals(crs):
            raise DataError(f"is in {crs_name(part_crs)}, other parts in {crs_name(crs)}; write every part in one CRS", file=str(part))
        crs = part_crs
        boxes.append(spec.get("bbox"))
        fields = [n for n in schema.names if n != geo["primary_column"]]
    assert crs is not None
    bounds = None
    if all(b is not None and len(b) == 4 for b in boxes):
        b = np.array(boxes, dtype=float)
        bounds = (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max()))
    return crs, bounds, fields


def measure_partition(frame: Any, name: str, crs_wkt: str, id_field: str | None, by_country: bool, extent: tuple[float, float, float, float] | None) -> BatchLengths:
    """Measure one partition (a GeoDataFrame) on a worker, as one in-process batch.

    With ``by_country`` the worker builds the border grid for ``extent``
    once (it is cached per process) rather than receiving it. The
    geometries are dropped from the result: only lengths (and the
    per-country matrix) travel back to the client.
    """
    grid = shipped_countries(extent) if by_country else None
    crs = CRS.from_wkt(crs_wkt)
    source = VectorSource(path=Path(name), name=name, layer=Path(name).stem, driver="GeoParquet", crs=crs, fields=(), n_features=None)
    geometries = np.asarray(frame.geometry.values, dtype=object)
    ids = None
    if id_field is not None:
        ids = np.array([None if v is None or (isinstance(v, float) and np.isnan(v)) else str(int(v) if isinstance(v, float) and v.is_integer() else v) for v in frame[id_field]], dtype=object)
    batch = Batch(start=0, geometries=geometries, ids=ids, size=len(frame))
    result = measure_batch(batch, source, countries=grid)
    return dataclasses.replace(result, batch=Batch(start=0, geometries=None, ids=ids, size=len(frame)))


def _client(scheduler: str | None, jobs: int | None) -> Any:
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout=30)
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"--scheduler {scheduler}: cannot reach the dask scheduler ({exc}); check the address and that it is running") from None
    cluster = LocalCluster(n_workers=jobs or default_jobs(), threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster)


def dask_results(
    path: Path, client: Any, *, name: str, crs: CRS, id_field: str | None, by_country: bool, extent: tuple[float, float, float, float] | None
) -> Iterator[BatchLengths]:
    """Measure every partition of a GeoParquet file or folder on the cluster; results in partition order.

    At most two partitions per worker are in flight or waiting to be
    written, so the client's memory is bounded by the partition size.
    """
    dask_geopandas = _require_dask()
    import dask

    files = [str(p) for p in _parquet_parts(path)]
    columns = None
    if id_field:
        import pyarrow.parquet as pq

        geometry = json.loads((pq.read_schema(files[0]).metadata or {})[b"geo"])["primary_column"]
        columns = [id_field, geometry]
    frame = dask_geopandas.read_parquet(files, columns=columns)
    measure = dask.delayed(measure_partition, pure=True)
    window = 2 * max(len(client.scheduler_info().get("workers", {})), 1)
    pending: collections.deque[Any] = collections.deque()
    start = 0
    for part in frame.to_delayed():
        pending.append(client.compute(measure(part, name, crs.to_wkt(), id_field, by_country, extent)))
        if len(pending) >= window:
            result = pending.popleft().result()
            yield _shift(result, start)
            start += len(result.length_km)
    while pending:
        result = pending.popleft().result()
        yield _shift(result, start)
        start += len(result.length_km)


def _shift(result: BatchLengths, start: int) -> BatchLengths:
    return dataclasses.replace(result, batch=dataclasses.replace(result.batch, start=start))


def write_measurements_dask(
    paths: Sequence[str],
    stream: IO[str],
    fmt: str,
    *,
    by_country: bool = False,
    id_field: str | None = None,
    scheduler: str | None = None,
    jobs: int | None = None,
) -> list[FileSummary]:
    """``transcaspian measure --engine dask``: measure GeoParquet files or folders on a dask cluster.

    Parameters
    ----------
    paths : sequence of str
        GeoParquet files, or folders of GeoParquet parts (read in sorted order).
    stream : text stream
        Where the output goes.
    fmt : str
        ``table``, ``json`` or ``csv`` (GeoJSON output needs the in-process engine).
    by_country : bool
        Split each length by country, as the in-process engine does.
    id_field : str, optional
        Field naming features (default: ``id`` when there is one).
    scheduler : str, optional
        Address of a running dask scheduler; a local cluster otherwise.
    jobs : int, optional
        Workers of the local cluster (default: every core).

    Returns
    -------
    list of FileSummary
    """
    if fmt == "geojson":
        raise UsageError("--engine dask writes table, json or csv; use the in-process engine (no --engine) for geojson")
    _require_dask()
    infos = []
    for path in paths:
        crs, bounds, fields = dataset_info(Path(path))
        field = id_field if id_field is not None else ("id" if "id" in fields else None)
        if field is not None and field not in fields:
            raise DataError(f"has no field '{field}' (its fields: {', '.join(fields) or 'none'}); choose another with --id-field", file=path)
        infos.append((path, crs, bounds, field))
    grid, extent = None, None
    if by_country:
        probes = [VectorSource(path=Path(p), name=p, layer="", driver="GeoParquet", crs=c, fields=(), n_features=None, bounds=b) for p, c, b, _ in infos]
        extent = lonlat_extent(probes)
        grid = shipped_countries(extent)  # its keys name the columns the workers return
    writer = WRITERS[fmt](stream, by_country=by_country, file_width=max(len(p) for p in paths))
    summaries: list[FileSummary] = []
    client = _client(scheduler, jobs)
    try:
        for path, crs, _, field in infos:
            source = VectorSource(path=Path(path), name=path, layer=Path(path).stem, driver="GeoParquet", crs=crs, fields=(), n_features=None)
            summary = FileSummary(path, source.layer, crs_name(crs))
            summaries.append(summary)
            results = dask_results(Path(path), client, name=path, crs=crs, id_field=field, by_country=by_country, extent=extent)
            for row in rows_from_results(source, summary, results, countries=grid):
                writer.row(row)
    finally:
        cluster = getattr(client, "cluster", None)
        client.close()
        if cluster is not None and scheduler is None:
            cluster.close()
    writer.close(summaries)
    return summaries


def dask_available() -> bool:
    """Whether the optional dask packages are installed."""
    try:
        _require_dask()
    except UsageError:
        return False
    return True

