"""Popup rows of legs, routes, places and user features, as plain text data.

Rows are ``{"key", "label", "text", "links"?, "items"?, "note"?, "detail"?}``;
map.js renders them with ``textContent``. ``detail`` rows sit behind a
disclosure, so a popup is short by default.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from transcaspian.geo.geodesy import GEOD
from transcaspian.web.display import human, is_http_url, km_text, make_row, missing, number
from transcaspian.web.i18n import text

#: Attribute rows shown at most in a user feature's popup.
MAX_POPUP_ROWS = 60
#: Longest attribute value shown, in characters.
MAX_VALUE_CHARS = 500

# ---------------------------------------------------------------------------
# Popups


def _capacity_text(row: Mapping[str, Any]) -> str:
    if not missing(row.get("capacity")):
        return str(row["capacity"])
    parts = []
    if not missing(row.get("capacity_mw")):
        parts.append(f"{number(row['capacity_mw'])} MW")
    if not missing(row.get("capacity_tbps")):
        parts.append(f"{number(row['capacity_tbps'])} Tbps")
    return ", ".join(parts)


def _cite(publisher: Any, title: Any, url: Any, date: Any = "") -> dict[str, str] | None:
    """A short source link: publisher (and date) as text, the title on hover."""
    if not is_http_url(url):
        return None
    text = str(publisher) if not missing(publisher) else str(url)
    if not missing(date):
        text += f", {date}"
    link = {"text": text, "href": str(url)}
    if not missing(title):
        link["title"] = str(title)
    return link


def _source_items(sources: Any) -> list[dict[str, Any]]:
    """One line per source of a leg or route (its ``sources`` column)."""
    items = []
    if isinstance(sources, (list, tuple, np.ndarray)):
        for source in sources:
            if isinstance(source, Mapping):
                link = _cite(source.get("publisher"), source.get("title"), source.get("url"), source.get("date"))
                if link:
                    items.append({"text": "", "links": [link]})
    return items


def _source_link(source: Any, sources: Mapping[str, Any] | None) -> dict[str, str] | None:
    """A link to a source given by id (looked up in ``sources``) or by URL."""
    if missing(source):
        return None
    found = (sources or {}).get(str(source))
    if found is not None:
        return _cite(getattr(found, "publisher", ""), getattr(found, "title", ""), getattr(found, "url", None), getattr(found, "date", ""))
    if is_http_url(source):
        return {"text": str(source), "href": str(source)}
    return None


def claims_about(checks: Iterable[Any], feature_id: str) -> list[Any]:
    """The checks of every length claim about a feature: the whole feature,
    a country part of it (``id@AZE``), a section (``id:a..b``) or a chain of
    legs it belongs to (``a+id+b``). Ordered by stated length."""
    fid = str(feature_id)
    found = [c for c in checks if fid in re.split(r"[+@:]", str(getattr(c, "subject", "")))]
    return sorted(found, key=lambda c: (str(c.subject) != fid, str(c.subject), float(c.claim.stated_km()[0]), str(c.claim.id)))


def _claim_item(check: Any, fid: str, sources: Mapping[str, Any] | None, lang: str) -> dict[str, Any]:
    """One line per claim: figure, part, verdict (ratio), source link."""
    low, high = check.claim.stated_km()
    figure = f"{number(low)} km" if low == high or high == float("inf") else f"{number(low)}–{number(high)} km"
    subject = str(check.subject)
    part = "" if subject == fid else f" ({subject.split('@', 1)[1]})" if "@" in subject else f" ({subject.replace('+', ' + ')})"
    verdict = text(lang, str(check.verdict))
    if check.ratio is not None:
        verdict += f", {text(lang, 'ratio')} {float(check.ratio):.2f}"
    link = _source_link(check.claim.source, sources)
    return {"text": f"{figure}{part}: {verdict}", "links": [link] if link else []}


def line_popup_rows(
    row: Mapping[str, Any],
    sources: Mapping[str, Any] | None = None,
    *,
    claims: Sequence[Any] = (),
    lang: str = "en",
) -> list[dict[str, Any]]:
    """Popup rows of a leg or route: short first, the rest as details.

    Parameters
    ----------
    row : mapping
        A row of ``Measured.legs`` or ``Measured.routes``: ``mode``,
        ``status``, ``route_accuracy``, ``operator``, capacity columns,
        ``length_km``, ``country_lengths_km``, ``sources``, ``notes``; and,
        when the check has run, ``stated_length_km``, ``stated_source``,
        ``length_ratio``, ``check`` and ``facts``.
    sources : mapping of str to sources.Source, optional
        Sources by id, to link ``stated_source`` and the facts' sources.
    claims : sequence of claims.judge.Check
        Every checked length claim about the feature (:func:`claims_about`),
        listed with its verdict in the details, disputed ones included.
    lang : str
        Language of labels and category values (:mod:`~transcaspian.web.i18n`).

    Returns
    -------
    list of dict
        ``{"key", "label", "text", "links"?, "items"?, "note"?, "detail"?}``,
        plain text only; map.js renders them with ``textContent``. The short
        part: status and course, measured and stated length, the verdict.
    """
    t = functools.partial(text, lang)
    rows = []
    status = [t(str(row[k])) for k in ("status", "route_accuracy") if not missing(row.get(k))]
    if status:
        rows.append(make_row("status", t("status"), " · ".join(status)))
    if not missing(row.get("length_km")):
        rows.append(make_row("length_km", t("measured_length"), km_text(row["length_km"]), note=t("geodesic_note")))
    if not missing(row.get("stated_length_km")):
        link = _source_link(row.get("stated_source"), sources)
        stated = f"{number(row['stated_length_km'])} km"
        if link is None and not missing(row.get("stated_source")):
            stated += f" ({row['stated_source']})"
        rows.append(make_row("stated_length_km", t("stated").capitalize(), stated, links=[link] if link else []))
    if not missing(row.get("check")):
        verdict = t(str(row["check"]))
        if not missing(row.get("length_ratio")):
            verdict += f" · {t('ratio')} {float(row['length_ratio']):.2f}"
        rows.append(make_row("check", t("verdict"), verdict))
    if not missing(row.get("mode")):
        rows.append(make_row("mode", t("mode"), t(str(row["mode"])), detail=True))
    if not missing(row.get("operator")):
        rows.append(make_row("operator", t("operator"), str(row["operator"]), detail=True))
    capacity = _capacity_text(row)
    if capacity:
        rows.append(make_row("capacity", t("capacity"), capacity, detail=True))
    by_country = row.get("country_lengths_km")
    if isinstance(by_country, Mapping) and len(by_country) > 1:
        parts = " · ".join(f"{code} {km_text(km)}" for code, km in sorted(by_country.items(), key=lambda kv: -kv[1]))
        rows.append(make_row("country_lengths_km", t("by_country"), parts, detail=True))
    fid = str(row.get("id", ""))
    items = [_claim_item(c, fid, sources, lang) for c in claims]
    facts = row.get("facts")
    if isinstance(facts, (list, tuple, np.ndarray)):
        items += [
            {
                "text": f"{human(fact.get('metric') or 'figure').capitalize()}: {fact['text']}",
                "links": [_source_link(fact.get("source"), sources)],
            }
            for fact in facts
            if isinstance(fact, Mapping) and not missing(fact.get("text"))
        ]
    if items:
        rows.append(make_row("facts", t("claims"), items=items, detail=True))
    source_items = _source_items(row.get("sources"))
    if source_items:
        rows.append(make_row("sources", t("sources"), items=source_items, detail=True))
    if not missing(row.get("notes")):
        rows.append(make_row("notes", t("notes"), str(row["notes"]), detail=True))
    return rows


def place_popup_rows(row: Mapping[str, Any], country_names: Mapping[str, str] | None = None, *, lang: str = "en") -> list[dict[str, Any]]:
    """Popup rows of a place: kind and country; coordinates and their source as details."""
    t = functools.partial(text, lang)
    rows = []
    if not missing(row.get("kind")):
        rows.append(make_row("kind", t("kind"), t(str(row["kind"]))))
    code = row.get("country")
    if not missing(code):
        name = (country_names or {}).get(str(code))
        rows.append(make_row("country", t("country"), f"{name} ({code})" if name else str(code)))
    geom = row.get("geometry")
    if isinstance(geom, BaseGeometry) and geom.geom_type == "Point":
        lat, lon = geom.y, geom.x
        where = f"{abs(lat):.4f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.4f}° {'E' if lon >= 0 else 'W'}"
        rows.append(make_row("coordinates", t("location"), where, detail=True))
    source = row.get("source")
    if not missing(source):
        if is_http_url(source):
            rows.append(make_row("source", t("located_by"), links=[{"text": str(source), "href": str(source)}], detail=True))
        else:
            rows.append(make_row("source", t("located_by"), str(source), detail=True))
    return rows


def value_text(value: Any, limit: int = MAX_VALUE_CHARS) -> str:
    """One attribute value as popup text: numbers exactly, dates ISO, nested values as JSON, at most ``limit`` characters."""
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, (np.floating,)):
        text = repr(float(value))
    elif isinstance(value, (np.integer,)):
        text = str(int(value))
    elif isinstance(value, (datetime, date, pd.Timestamp)):
        text = value.isoformat()
    elif isinstance(value, (bytes, bytearray, memoryview)):
        text = f"<{len(bytes(value))} bytes>"
    elif isinstance(value, (Mapping, list, tuple, np.ndarray)):
        try:
            text = json.dumps(value.tolist() if isinstance(value, np.ndarray) else value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = str(value)
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def attribute_popup_rows(row: Mapping[str, Any], *, geometry_column: str = "geometry") -> list[dict[str, Any]]:
    """Popup rows listing a user feature's attributes, as text.

    Keys and values are shown as they are (as text, never markup); http(s)
    URL values become links; missing values are left out; lines get their
    geodesic length measured on the full-resolution geometry.
    """
    rows = []
    geom = row.get(geometry_column)
    if isinstance(geom, BaseGeometry) and not geom.is_empty and geom.geom_type in ("LineString", "MultiLineString"):
        km = GEOD.geometry_length(shapely.force_2d(geom)) / 1000.0
        rows.append(make_row("_measured_length_km", "Measured length", km_text(km), note="WGS84 geodesic"))
    for key, value in row.items():
        if key == geometry_column or isinstance(value, BaseGeometry) or missing(value):
            continue
        if len(rows) >= MAX_POPUP_ROWS:
            rows.append(make_row("_more", "…", f"{len(row) - MAX_POPUP_ROWS} more attributes not shown"))
            break
        text = value_text(value)
        if is_http_url(value):
            rows.append(make_row(str(key), str(key), links=[{"text": text, "href": str(value).strip()}]))
        else:
            rows.append(make_row(str(key), str(key), text))
    return rows
