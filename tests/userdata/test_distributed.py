"""``measure --engine dask``: a LocalCluster over a partitioned GeoParquet dataset gives the in-process answer."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import numpy as np
import pytest
import shapely

pytest.importorskip("dask_geopandas", reason="the dask extra is not installed (pip install 'transcaspian[dask]')")
distributed = pytest.importorskip("distributed")

from transcaspian.userdata.distributed import write_measurements_dask  # noqa: E402
from transcaspian.userdata.measure_files import write_measurements  # noqa: E402
from transcaspian.userdata.opening import open_vector  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as local:
        yield local


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """The same features as one GeoParquet file and as a folder of three parts."""
    rng = np.random.default_rng(11)
    n = 900
    start = rng.uniform([40.0, 37.0], [56.0, 46.0], size=(n, 1, 2))
    coords = np.concatenate([start, start + np.cumsum(rng.normal(0, 0.08, size=(n, 14, 2)), axis=1)], axis=1)
    geoms = list(shapely.linestrings(coords))
    geoms[5] = shapely.buffer(shapely.Point(49.8, 40.4), 0.3, quad_segs=4)  # a polygon: its perimeter
    geoms[6] = shapely.Point(49.0, 40.0)  # no length
    frame = gpd.GeoDataFrame({"id": [f"f{i}" for i in range(n)], "kind": ["x"] * n}, geometry=geoms, crs=4326)
    folder = tmp_path_factory.mktemp("dataset")
    single = folder / "all.parquet"
    frame.to_parquet(single)
    parts = folder / "parts"
    parts.mkdir()
    for k, chunk in enumerate(np.array_split(np.arange(n), 3)):
        frame.iloc[chunk].to_parquet(parts / f"part-{k}.parquet")
    return single, parts


def _local(path, fmt, by_country):
    stream = io.StringIO()
    write_measurements([open_vector(path)], stream, fmt, by_country=by_country, jobs=1)
    return stream.getvalue()


def _dask(path, fmt, by_country, cluster):
    stream = io.StringIO()
    write_measurements_dask([str(path)], stream, fmt, by_country=by_country, scheduler=cluster.scheduler_address)
    return stream.getvalue()


@pytest.mark.parametrize("by_country", [False, True])
def test_engine_dask__equals_the_in_process_engine(dataset, cluster, by_country):
    single, parts = dataset
    local = json.loads(_local(single, "json", by_country))
    remote = json.loads(_dask(parts, "json", by_country, cluster))
    for doc in (local, remote):
        for row in doc["features"]:
            row.pop("file")
        for summary in doc["files"]:
            summary.pop("file"), summary.pop("layer")
    assert remote == local
    assert local["totals"]["measured"] == 899 and local["totals"]["not_measured"] == 1
    if by_country:
        assert {"AZE", "IRN", "RUS", "sea"} <= set(local["totals"]["country_lengths_km"])


def test_engine_dask__csv_through_the_command(dataset, cluster, tmp_path):
    from click.testing import CliRunner

    from transcaspian.cli import main

    single, parts = dataset
    outputs = []
    for args in (["measure", str(single)], ["measure", str(parts), "--engine", "dask", "--scheduler", cluster.scheduler_address]):
        out = tmp_path / f"out{len(outputs)}.csv"
        result = CliRunner().invoke(main, [*args, "--format", "csv", "--by-country", "-o", str(out)])
        assert result.exit_code == 0, result.output
        outputs.append([line.split(",", 1)[1] for line in out.read_text().splitlines()])  # drop the file column
    assert outputs[0] == outputs[1]


def test_engine_dask__refuses_what_it_cannot_read(tmp_path, cluster):
    from click.testing import CliRunner

    from transcaspian.cli import main

    path = tmp_path / "lines.geojson"
    path.write_text('{"type":"FeatureCollection","features":[]}')
    result = CliRunner().invoke(main, ["measure", str(path), "--engine", "dask", "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 1 and "GeoParquet" in result.output and len(result.output.strip().splitlines()) == 1
    result = CliRunner().invoke(main, ["measure", str(path), "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2 and "--engine dask" in result.output
