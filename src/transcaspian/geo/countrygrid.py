"""Per-country lengths of many lines at once: cut only where a border is near.

The exact method (:func:`country_lengths_km`) densifies every line along the
geodesic to :data:`SPLIT_SPACING_KM` and cuts it with every country polygon
it meets. Most segments of a user's layer never come near a border, so this
module sorts segments first and cuts only the few that may cross one:

1. The boundaries (every polygon ring, and the edge of the region they
   cover) are rasterised once onto a grid of a few million cells; a
   summed-area table then answers "does any boundary pass through this
   rectangle?" for any segment in constant time, vectorised over all
   segments of a batch.
2. A segment whose box, widened by how far its geodesic can bulge away from
   the straight line in longitude/latitude (:func:`geodesic_lat_margin_deg`),
   meets no boundary cell lies wholly in one country (or the sea, or outside
   the region): its whole geodesic length goes there, with no cutting. The
   country of each such cell is found once, by a point query, and cached.
3. The other segments, runs of them at a time, are densified and cut exactly
   as the exact method does, against the polygons split into small tiles so
   that each intersection is cheap.

The answer is the exact method's answer (the same densified geometry is cut
where anything is cut), which the tests check on real data.
"""

from __future__ import annotations

import threading

import numpy as np
import shapely
from shapely.strtree import STRtree

from transcaspian.geo.antimeridian import split_line
from transcaspian.geo.geodesy import GEOD, SPLIT_SPACING_KM

#: Largest number of grid cells (the summed-area table holds int32 per cell).
GRID_CELLS = 4_000_000
#: Largest number of vertices of one tile of a country polygon.
TILE_VERTICES = 64
#: Segments spanning more longitude than this (degrees), or reaching closer
#: to a pole than :data:`POLAR_LAT`, are always cut: the bulge bound below is
#: for short segments away from the poles.
MAX_SAFE_DLON = 20.0
POLAR_LAT = 85.0
# Tile splits are offset from round numbers so that a line drawn exactly
# along a meridian or parallel does not run along a tile edge (where it
# would be counted in both tiles).
_SPLIT_OFFSET = 0.0123456789


def geodesic_lat_margin_deg(dlon_deg: np.ndarray) -> np.ndarray:
    """How far (degrees of latitude) a geodesic may bulge past its end points.

    Longitude is monotonic along a geodesic that does not pass a pole, so
    only latitude can leave the box of the two end points: by about
    ``dlon**2 * sin(2 lat) / 16`` radians on the sphere. Four times that
    (``dlon**2 / 4``) bounds it on the ellipsoid for segments spanning up to
    :data:`MAX_SAFE_DLON`, with a floor of 1e-9 degrees for rounding.

    Parameters
    ----------
    dlon_deg : numpy.ndarray
        Longitude span of each segment, degrees.

    Returns
    -------
    numpy.ndarray
        Margin in degrees of latitude.
    """
    dlon = np.radians(np.abs(dlon_deg))
    return np.degrees(dlon * dlon / 4.0) + 1e-9


def _split_small(geometry: shapely.Geometry, limit: int) -> list[shapely.Geometry]:
    """Cut a polygon into pieces of at most ``limit`` vertices (quadtree)."""
    if shapely.get_num_coordinates(geometry) <= limit:
        return [geometry]
    x0, y0, x1, y1 = shapely.bounds(geometry)
    if x1 - x0 >= y1 - y0:
        mid = (x0 + x1) / 2 + _SPLIT_OFFSET * (x1 - x0) / 2
        halves = [shapely.box(x0 - 1, y0 - 1, mid, y1 + 1), shapely.box(mid, y0 - 1, x1 + 1, y1 + 1)]
    else:
        mid = (y0 + y1) / 2 + _SPLIT_OFFSET * (y1 - y0) / 2
        halves = [shapely.box(x0 - 1, y0 - 1, x1 + 1, mid), shapely.box(x0 - 1, mid, x1 + 1, y1 + 1)]
    out: list[shapely.Geometry] = []
    for half in halves:
        part = shapely.intersection(geometry, half)
        polys = [p for p in shapely.get_parts(part) if shapely.get_type_id(p) == 3 and not p.is_empty]
        for poly in polys:
            out.extend(_split_small(poly, limit))
    return out


def prepared_copy(geometries: np.ndarray) -> np.ndarray:
    """New, prepared geometries with the same coordinates (bit for bit) as ``geometries``.

    GEOS builds a prepared geometry's indexes lazily, on its first query, and
    two threads doing that at once for the same geometry crash the process;
    so each thread queries copies of its own (see :meth:`CountryGrid.prepared`).
    """
    copies = shapely.from_wkb(shapely.to_wkb(geometries))
    shapely.prepare(copies)
    return copies


class _Prepared(threading.local):
    """One thread's prepared copies of a grid's polygons (see :meth:`CountryGrid.prepared`).

    A :class:`threading.local`: one object, whose ``__init__`` runs again (with
    the same arguments) in each thread that uses it, so each thread copies and
    prepares the polygons for itself.
    """

    def __init__(self, parts: np.ndarray, region_box: shapely.Geometry) -> None:
        self.parts = prepared_copy(parts)
        self.region_box = prepared_copy(np.array([region_box], dtype=object))[0]
        #: Part -> its tiles, prepared, in the order of the shared tiles' tree.
        self.tiles: dict[int, np.ndarray] = {}


class CountryGrid:
    """The boundaries of a set of countries, indexed for :func:`split_paths_km`.

    Parameters
    ----------
    codes : sequence of str
        Country codes, one per polygon.
    polygons : sequence of shapely (Multi)Polygons
        Longitude/latitude degrees.
    region : tuple of 4 floats
        (xmin, ymin, xmax, ymax) the polygons cover; length outside it is
        kept apart (the caller names it).

    Attributes
    ----------
    keys : list of str
        The column names of :func:`split_paths_km`'s result: the distinct
        codes sorted, then ``"sea"``, then the outside key.

    Notes
    -----
    Threads may share one grid (``measure --jobs``): the geometries and
    trees they share are only read, and the prepared geometries that the
    predicates query are per thread (:meth:`prepared`, :meth:`tiles`).
    """

    def __init__(
        self,
        codes: list[str],
        polygons: list[shapely.Geometry],
        region: tuple[float, float, float, float],
        *,
        sea: str,
        outside: str,
        extent: tuple[float, float, float, float] | None = None,
    ) -> None:
        distinct = sorted(set(codes))
        self.keys = [*distinct, sea, outside]
        self.sea = len(distinct)
        self.outside = len(distinct) + 1
        column = {code: i for i, code in enumerate(distinct)}
        parts, owner = shapely.get_parts(np.asarray(polygons, dtype=object), return_index=True)
        self.parts = parts
        self.part_key = np.array([column[codes[i]] for i in owner], dtype=np.int64)
        # Built on its first query (clip below), before any thread shares it.
        self.tree = STRtree(self.parts)
        # Each part is cut into tiles when a line first comes near it: tiling
        # every country of the world up front would take seconds.
        self._tiles: dict[int, tuple[np.ndarray, STRtree]] = {}
        self._tiles_lock = threading.Lock()
        self.region = tuple(float(v) for v in region)
        self.region_box = shapely.box(*self.region)
        self._prepared: _Prepared | None = None
        # The grid covers the extent of the data (when known) within the region,
        # so that its cells are fine where the lines are.
        box = self.region if extent is None else _overlap(self.region, extent)
        self.extent = box if box is not None else self.region
        xmin, ymin, xmax, ymax = self.extent
        self.cell = max(np.sqrt(max(xmax - xmin, 1e-6) * max(ymax - ymin, 1e-6) / GRID_CELLS), 1e-6)
        self.nx = max(int(np.ceil((xmax - xmin) / self.cell)), 1)
        self.ny = max(int(np.ceil((ymax - ymin) / self.cell)), 1)
        boundary = np.zeros((self.ny, self.nx), dtype=bool)
        pad = 2 * self.cell
        clip = (xmin - pad, ymin - pad, xmax + pad, ymax + pad)
        near = self.tree.query(shapely.box(*clip))
        rings = shapely.get_rings(self.parts[np.sort(near)])
        rings = np.append(rings, shapely.get_exterior_ring(self.region_box))
        rings = shapely.get_parts(shapely.clip_by_rect(rings, *clip))
        # Pieces no longer than a cell: each marks the cells of its end points,
        # and so every cell it passes through.
        dense = shapely.segmentize(rings, self.cell / 2)
        xy, ring = shapely.get_coordinates(dense, return_index=True)
        ix, iy = self._cells(xy[:, 0], xy[:, 1])
        same = ring[1:] == ring[:-1]
        for a, b in ((ix[:-1], iy[:-1]), (ix[1:], iy[1:]), (ix[:-1], iy[1:]), (ix[1:], iy[:-1])):
            ok = same & (a >= 0) & (a < self.nx) & (b >= 0) & (b < self.ny)
            boundary[b[ok], a[ok]] = True
        self.summed = np.zeros((self.ny + 1, self.nx + 1), dtype=np.int32)
        self.summed[1:, 1:] = boundary.cumsum(axis=0, dtype=np.int32).cumsum(axis=1, dtype=np.int32)
        # Along a row, free cells between two boundary cells lie in one country
        # (no boundary passes between neighbours that are both free), so one
        # point query per such run of cells, made when first needed, names them all.
        free = ~boundary
        starts = free.copy()
        starts[:, 1:] &= boundary[:, :-1]
        self.run_start = np.flatnonzero(starts)
        run = np.cumsum(starts, dtype=np.int32).reshape(starts.shape) - 1
        run[boundary] = -1
        self.run_of_cell = run
        #: Column of each run of free cells; -1 until first asked for.
        self.run_key = np.full(len(self.run_start), -1, dtype=np.int16)

    def _cells(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        xmin, ymin = self.extent[0], self.extent[1]
        ix = np.floor((np.asarray(x) - xmin) / self.cell)
        iy = np.floor((np.asarray(y) - ymin) / self.cell)
        big = max(self.nx, self.ny) + 2  # clip before casting: far away is just "outside"
        return np.clip(ix, -2, big).astype(np.int64), np.clip(iy, -2, big).astype(np.int64)

    def prepared(self) -> _Prepared:
        """The calling thread's prepared copies of :attr:`parts` and :attr:`region_box`.

        Made on a thread's first call (a copy of every part: a few MB for
        the shipped boundaries); the shared ones are never prepared, so no
        two threads ever build the same GEOS index at once.
        """
        if self._prepared is None:
            with self._tiles_lock:
                if self._prepared is None:
                    self._prepared = _Prepared(self.parts, self.region_box)
        return self._prepared

    def key_at_cells(self, ix: np.ndarray, iy: np.ndarray) -> np.ndarray:
        """Column of each boundary-free cell (a cached point query per run of free cells).

        The cache is shared by threads without a lock: a run's column is the
        same whichever thread finds it, so two threads writing it at once
        write the same value.
        """
        runs = self.run_of_cell[iy, ix]
        keys = self.run_key[runs]
        unknown = keys < 0
        if unknown.any():
            todo = np.unique(runs[unknown])
            uy, ux = np.divmod(self.run_start[todo], self.nx)
            cx = self.extent[0] + (ux + 0.5) * self.cell
            cy = self.extent[1] + (uy + 0.5) * self.cell
            # Boxes from the tree, then the prepared parts decide (faster than a predicate query).
            point_idx, part_idx = self.tree.query(shapely.points(cx, cy))
            hit = shapely.intersects_xy(self.prepared().parts[part_idx], cx[point_idx], cy[point_idx])
            point_idx, part_idx = point_idx[hit], part_idx[hit]
            found = np.full(len(todo), self.sea, dtype=np.int16)
            first = np.unique(point_idx, return_index=True)[1]
            found[point_idx[first]] = self.part_key[part_idx[first]]
            self.run_key[todo] = found
            keys = self.run_key[runs]
        return keys

    def tiles(self, part: int) -> tuple[np.ndarray, STRtree]:
        """Part ``part`` cut into pieces of at most :data:`TILE_VERTICES` vertices, and their index.

        The pieces are cut once and shared, with their tree; the pieces
        returned are the calling thread's prepared copies of them.
        """
        found = self._tiles.get(part)
        if found is None:
            with self._tiles_lock:
                found = self._tiles.get(part)
                if found is None:
                    pieces = np.array(_split_small(self.parts[part], TILE_VERTICES), dtype=object)
                    tree = STRtree(pieces)
                    tree.query(pieces[:1])  # the tree is built on its first query: before any thread shares it
                    found = self._tiles[part] = (pieces, tree)
        mine = self.prepared().tiles
        if part not in mine:
            mine[part] = prepared_copy(found[0])
        return mine[part], found[1]

    def classify(self, x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray) -> np.ndarray:
        """Column of each segment lying wholly in one country, sea or outside; -1 to cut.

        Parameters
        ----------
        x0, y0, x1, y1 : numpy.ndarray
            Segment end points, longitude/latitude degrees.
        """
        dlon = np.abs(x1 - x0)
        margin = geodesic_lat_margin_deg(dlon)
        lo_x, hi_x = np.minimum(x0, x1), np.maximum(x0, x1)
        lo_y, hi_y = np.minimum(y0, y1) - margin, np.maximum(y0, y1) + margin
        result = np.full(len(x0), -1, dtype=np.int64)
        xmin, ymin, xmax, ymax = self.region
        outside = (hi_x < xmin) | (lo_x > xmax) | (hi_y < ymin) | (lo_y > ymax)
        result[outside] = self.outside
        i0, j0 = self._cells(lo_x, lo_y)
        i1, j1 = self._cells(hi_x, hi_y)
        inside = (i0 >= 0) & (j0 >= 0) & (i1 < self.nx) & (j1 < self.ny)
        risky = (dlon > MAX_SAFE_DLON) | (np.maximum(np.abs(y0), np.abs(y1)) > POLAR_LAT)
        candidates = np.flatnonzero(inside & ~risky)
        a0, b0, a1, b1 = i0[candidates], j0[candidates], i1[candidates] + 1, j1[candidates] + 1
        s = self.summed
        crossed = s[b1, a1] - s[b0, a1] - s[b1, a0] + s[b0, a0]
        free = candidates[crossed == 0]
        result[free] = self.key_at_cells(i0[free], j0[free])
        return result


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, float, float, float] | None:
    box = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return box if box[0] < box[2] and box[1] < box[3] else None


def _densify_runs(x: np.ndarray, y: np.ndarray, run: np.ndarray, dist_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of runs of segments densified along the geodesic.

    ``x[i], y[i] -> x[i + 1], y[i + 1]`` is a segment of run ``run[i]`` when
    ``run[i] == run[i + 1]``. Every segment gets ``ceil(length / spacing) - 1``
    evenly spaced points, as :func:`transcaspian.measure.densify` places them.

    Returns
    -------
    coords : (m, 2) numpy.ndarray
    index : (m,) numpy.ndarray of int
        The run of each vertex.
    """
    is_seg = run[1:] == run[:-1]
    seg = np.flatnonzero(is_seg)
    n_mid = np.zeros(len(x), dtype=np.int64)
    n_mid[seg] = np.maximum(np.ceil(dist_m[seg] / (SPLIT_SPACING_KM * 1000.0)).astype(np.int64) - 1, 0)
    # Each vertex is followed by its segment's intermediate points.
    counts = 1 + n_mid
    total = int(counts.sum())
    owner = np.repeat(np.arange(len(x)), counts)
    k = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)  # 0 = the vertex itself
    mid = k > 0
    out_x = x[owner].astype(np.float64)
    out_y = y[owner].astype(np.float64)
    if mid.any():
        src = owner[mid]
        with_mid = np.flatnonzero(n_mid)
        az, _, _ = GEOD.inv(x[with_mid], y[with_mid], x[with_mid + 1], y[with_mid + 1])
        az_full = np.zeros(len(x))
        az_full[with_mid] = az
        step = dist_m[src] / (n_mid[src] + 1)
        lon, lat, _ = GEOD.fwd(x[src], y[src], az_full[src], step * k[mid])
        out_x[mid] = lon
        out_y[mid] = lat
    return np.column_stack([out_x, out_y]), run[owner]


def split_paths_km(
    grid: CountryGrid,
    lon: np.ndarray,
    lat: np.ndarray,
    vertex_path: np.ndarray,
    path_feature: np.ndarray,
    dist_m: np.ndarray,
    n_features: int,
) -> np.ndarray:
    """Length of each feature in each country, the sea and outside the region.

    Parameters
    ----------
    grid : CountryGrid
        The indexed boundaries.
    lon, lat : numpy.ndarray
        Vertices of all paths (lines, polygon rings), WGS84 degrees, paths one
        after the other.
    vertex_path : numpy.ndarray of int
        Path of each vertex (non-decreasing).
    path_feature : numpy.ndarray of int
        Feature of each path.
    dist_m : numpy.ndarray
        Geodesic length (m) from each vertex to the next (any value where the
        next vertex starts another path), as :meth:`pyproj.Geod.line_lengths`.
    n_features : int
        Number of features.

    Returns
    -------
    numpy.ndarray
        (n_features, len(grid.keys)) kilometres.
    """
    out = np.zeros((n_features, len(grid.keys)))
    if lon.size < 2:
        return out
    seg = np.flatnonzero(vertex_path[1:] == vertex_path[:-1])
    key = grid.classify(lon[seg], lat[seg], lon[seg + 1], lat[seg + 1])
    feature = path_feature[vertex_path[seg]]
    safe = key >= 0
    np.add.at(out, (feature[safe], key[safe]), dist_m[seg[safe]] / 1000.0)
    cut = seg[~safe]
    if cut.size:
        _cut_segments(grid, lon, lat, cut, feature[~safe], dist_m, out)
    return out


def _cut_segments(grid: CountryGrid, lon: np.ndarray, lat: np.ndarray, cut: np.ndarray, feature: np.ndarray, dist_m: np.ndarray, out: np.ndarray) -> None:
    # Each segment is cut on its own: GEOS overlays merge overlapping
    # linework, so a run of segments that goes back over itself would lose
    # the shared stretch (see transcaspian.geo.countries._cut_lines).
    new_run = np.ones(len(cut), dtype=bool)
    run_of_seg = np.cumsum(new_run) - 1
    n_runs = int(run_of_seg[-1]) + 1
    # Vertices of the runs: each segment's start, plus the last end of each run.
    ends = np.flatnonzero(np.append(new_run[1:], True))
    vert = np.concatenate([cut, cut[ends] + 1])
    vert_run = np.concatenate([run_of_seg, run_of_seg[ends]])
    order = np.lexsort((vert, vert_run))
    vert, vert_run = vert[order], vert_run[order]
    coords, index = _densify_runs(lon[vert], lat[vert], vert_run, dist_m[vert])
    lines = shapely.linestrings(coords, indices=index)
    # A segment across the antimeridian is split there, as the exact method splits it.
    jumps = np.flatnonzero(np.abs(np.diff(coords[:, 0])) > 180.0)
    for run in np.unique(index[jumps][index[jumps] == index[jumps + 1]]):
        lines[run] = split_line(lines[run])
    run_feature = feature[new_run]
    run_km = np.bincount(run_of_seg, weights=dist_m[cut], minlength=n_runs) / 1000.0
    inside_km = np.zeros(n_runs)
    # Boxes only: a predicate on a whole country (thousands of vertices) costs
    # more than the tile queries that follow.
    run_idx, part_idx = grid.tree.query(lines)
    for part in np.unique(part_idx):
        near = run_idx[part_idx == part]
        tiles, tree = grid.tiles(int(part))
        # Boxes from the tree, then the prepared tiles decide (a predicate query
        # on the tree would not use them).
        line_idx, tile_idx = tree.query(lines[near])
        hit = shapely.intersects(tiles[tile_idx], lines[near][line_idx])
        line_idx, tile_idx = line_idx[hit], tile_idx[hit]
        if not line_idx.size:
            continue
        runs = near[line_idx]
        km = _lengths_km(shapely.intersection(lines[runs], tiles[tile_idx]))
        np.add.at(out, (run_feature[runs], np.full(len(runs), grid.part_key[part])), km)
        inside_km += np.bincount(runs, weights=km, minlength=n_runs)
    outside_km = np.zeros(n_runs)
    leaving = np.flatnonzero(~shapely.contains_properly(grid.prepared().region_box, lines))
    if leaving.size:
        outside_km[leaving] = _lengths_km(shapely.difference(lines[leaving], grid.region_box))
    np.add.at(out, (run_feature, np.full(n_runs, grid.outside)), outside_km)
    np.add.at(out, (run_feature, np.full(n_runs, grid.sea)), run_km - inside_km - outside_km)


def _lengths_km(geometries: np.ndarray) -> np.ndarray:
    """Geodesic length (km) of each geometry's lines; points count nothing."""
    parts, owner = shapely.get_parts(geometries, return_index=True)
    types = shapely.get_type_id(parts)
    lines = (types == 1) | (types == 2)
    xy, path = shapely.get_coordinates(parts[lines], return_index=True)
    out = np.zeros(len(geometries))
    if len(xy) < 2:
        return out
    dist = np.asarray(GEOD.line_lengths(xy[:, 0], xy[:, 1]))
    dist[path[1:] != path[:-1]] = 0.0
    per_part = np.bincount(path[:-1], weights=dist, minlength=int(lines.sum()))
    return np.bincount(owner[lines], weights=per_part, minlength=len(geometries)) / 1000.0
