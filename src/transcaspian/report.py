"""Human-readable tables of the measurements."""

from __future__ import annotations

import geopandas as gpd


def summary_table(legs: gpd.GeoDataFrame, routes: gpd.GeoDataFrame) -> str:
    """Fixed-width table: layer, leg or route id, geodesic length in km.

    Returns
    -------
    str
        The table, one line per leg then per route, ending in a newline.
    """
    rows = [(r.layer, r.id, f"{r.length_km:,.1f}") for r in legs.itertuples()]
    rows += [(r.layer, f"route:{r.id}", f"{r.length_km:,.1f}") for r in routes.itertuples()]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(("layer", "leg", "km"))]
    lines = [f"{'layer':<{widths[0]}}  {'leg':<{widths[1]}}  {'km':>{widths[2]}}"]
    lines += [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:>{widths[2]}}" for a, b, c in rows]
    return "\n".join(lines) + "\n"
