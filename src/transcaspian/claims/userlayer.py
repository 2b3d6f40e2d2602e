"""Check a user's claims against a user's layer (``transcaspian check --layer``).

The claims file has the format of the curated register (see
:mod:`transcaspian.claims`); a claim's ``subject`` is a feature id of the
user's layer (the value of ``--id-field``, by default the ``id`` field), a
list of feature ids (their lengths summed), and may take ``country`` for the
part of a feature inside one country. Sections (``from``/``to``) need named
places, which a user's layer does not have.

Each subject is measured exactly as ``transcaspian measure`` measures it
(geodesic length on WGS84; polygons by their perimeter) and judged by the
same engine as the curated check (:func:`transcaspian.claims.judge.check_claims`),
so verdicts and exit codes are the same. A feature's ``route_accuracy``
attribute (``traced``, ``schematic``, ``illustrative``), when the layer has
one, sets its default tolerance as for curated legs; otherwise it counts as
traced.

The layer is read twice, in batches: once for the ids (to validate the
claims), once to measure only the features the claims name, so memory does
not grow with the layer.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from transcaspian.claims.judge import CheckResult, Measurement, check_claims, ends_km, spreads
from transcaspian.claims.model import Claim, ClaimContext, Register
from transcaspian.claims.parsing import read_claims
from transcaspian.errors import DataError
from transcaspian.geo.countries import CountryIndex
from transcaspian.network.loading import load_sources
from transcaspian.network.records import ROUTE_ACCURACIES, Source, worst_accuracy
from transcaspian.userdata.batches import DEFAULT_ID_FIELD, VectorSource
from transcaspian.userdata.measuring import linear_paths, measure_batch
from transcaspian.userdata.opening import open_vector
from transcaspian.userdata.reading import Skipped, no_geometry_error

#: Attribute that says how a user's feature was drawn.
ACCURACY_FIELD = "route_accuracy"


@dataclass(frozen=True)
class LayerFeature:
    """A claimed feature of a user's layer, measured.

    Attributes
    ----------
    id : str
        Its id.
    geometry : shapely geometry
        In WGS84 longitude/latitude degrees.
    length_km : float
        Geodesic length (perimeter for polygons), km.
    route_accuracy : str
        ``traced``, ``schematic`` or ``illustrative``.
    """

    id: str
    geometry: shapely.Geometry
    length_km: float
    route_accuracy: str = "traced"


def id_field_for(source: VectorSource, id_field: str | None) -> str:
    """The field whose values are feature ids, or a DataError saying how to name one.

    Parameters
    ----------
    source : VectorSource
        The layer.
    id_field : str, optional
        What the user asked for (``--id-field``).
    """
    if id_field:
        return id_field
    if source.n_features == 0:
        raise no_geometry_error(source, 0)
    if DEFAULT_ID_FIELD in source.fields:
        return DEFAULT_ID_FIELD
    listed = ", ".join(source.fields) if source.fields else "none"
    raise DataError(
        f"has no 'id' field to name its features by (its fields: {listed}); "
        "choose the field claims name features by with --id-field",
        file=source.name,
    )


def feature_ids(source: VectorSource) -> tuple[str, ...]:
    """Ids of the layer's features, read without geometry, checked unique.

    Features without an id cannot be named by a claim and are left out.

    Raises
    ------
    DataError
        When two features share an id (naming both), or no feature has one.
    """
    if not source.id_field:
        raise ValueError("the source must be opened with an id_field")
    seen: dict[str, int] = {}
    n_features = 0
    for batch in source.batches(geometry=False):
        n_features += batch.size
        for i, ident in enumerate(batch.id_array):
            if ident in (None, ""):
                continue
            if ident in seen:
                raise DataError(
                    f"id '{ident}' is used by features #{seen[ident] + 1} and #{batch.start + i + 1}; "
                    f"claims need unique ids: fix the '{source.id_field}' field or choose another with --id-field",
                    file=source.name,
                )
            seen[ident] = batch.start + i
    if n_features == 0:
        raise no_geometry_error(source, 0)
    if not seen:
        raise DataError(f"no feature has a value in field '{source.id_field}'; choose another with --id-field", file=source.name)
    return tuple(seen)


def layer_context(ids: Iterable[str], sources: Mapping[str, Source]) -> ClaimContext:
    """What a claims file about a user's layer may name: its feature ids.

    Features have no named places along them, so no section can be claimed.
    """
    return ClaimContext({i: () for i in ids}, frozenset(), frozenset(), dict(sources), user_layer=True)


def claimed_ids(claims: Iterable[Claim]) -> set[str]:
    """Feature ids that some length claim is about."""
    return {i for c in claims if c.is_length and c.subject is not None for i in c.subject.ids}


def read_features(source: VectorSource, wanted: set[str]) -> dict[str, LayerFeature]:
    """Measure the features whose id is in ``wanted``, keeping only those.

    Every feature is measured (vectorised, as ``measure`` does), so bad
    coordinates anywhere in the layer are reported, and a layer with nothing
    to measure is an error; only the wanted ones are kept. Features without
    geometry are skipped with a :class:`~transcaspian.userdata.batches.UserFileWarning`.

    Raises
    ------
    DataError
        For bad coordinates (see :func:`transcaspian.userdata.reading.check_lonlat`),
        a bad ``route_accuracy`` value, or no line or polygon in the layer.
    """
    accuracy_column = [ACCURACY_FIELD] if ACCURACY_FIELD in source.fields else []
    out: dict[str, LayerFeature] = {}
    skipped = Skipped()
    n_features = n_measured = 0
    for batch in source.batches(attributes=accuracy_column):
        result = measure_batch(batch, source, keep_lonlat=True)
        skipped.add(batch, ~result.has_geometry)
        n_features += batch.size
        n_measured += int(result.measured.sum())
        picked = np.array([ident in wanted for ident in batch.id_array], dtype=np.bool_)
        if not picked.any():
            continue
        accuracy = batch.table.column(ACCURACY_FIELD).to_pylist() if accuracy_column and batch.table is not None else None
        for i in np.flatnonzero(picked & result.measured):
            ident = str(batch.id_array[i])
            value = accuracy[i] if accuracy is not None else None
            if value is not None and value not in ROUTE_ACCURACIES:
                raise DataError(
                    f"is {value!r}; use one of {', '.join(ROUTE_ACCURACIES)} (or leave it empty for traced)",
                    file=source.name,
                    record=batch.label(int(i)),
                    field=ACCURACY_FIELD,
                )
            out[ident] = LayerFeature(ident, result.lonlat_array[i], float(result.length_km[i]), value or "traced")
    if n_measured == 0:
        raise no_geometry_error(source, n_features, "lines or polygons to measure")
    skipped.warn(source.name)
    return out


def _paths_lonlat(geometry: shapely.Geometry) -> list[np.ndarray]:
    paths, _ = linear_paths(np.array([geometry], dtype=object))
    return [shapely.get_coordinates(p) for p in paths]


def measure_layer_claims(
    claims: Iterable[Claim],
    features: Mapping[str, LayerFeature],
    countries: CountryIndex | None,
) -> dict[str, Measurement]:
    """Measure the subject of every length claim on the user's features.

    A subject whose feature has no length (a point, no geometry) is left
    out, so its claims are judged ``not_checkable``.

    Raises
    ------
    DataError
        When a claim names a country its feature does not enter.
    """
    out: dict[str, Measurement] = {}
    for claim in claims:
        subject = claim.subject
        if not claim.is_length or subject is None or claim.subject_key in out:
            continue
        if any(i not in features for i in subject.ids):
            continue
        parts = [features[i] for i in subject.ids]
        if subject.country:
            if countries is None:
                raise ValueError("country parts need a CountryIndex")
            # cut as the curated check cuts a leg, path by path for multi-part features
            m = Measurement.country_part(_paths_lonlat(parts[0].geometry), subject.country, countries, parts[0].route_accuracy)
            if m.length_km <= 0:
                raise DataError(
                    f"feature '{subject.ids[0]}' does not enter {subject.country}; name a country it crosses",
                    file=claim.file or None,
                    record=claim.record,
                    field="country",
                )
        else:
            pieces = [p for f in parts for p in _paths_lonlat(f.geometry)]
            m = Measurement(
                sum(f.length_km for f in parts),
                ends_km(pieces),
                worst_accuracy(f.route_accuracy for f in parts),
                False,
            )
        out[claim.subject_key] = m
    return out


def check_layer(source: VectorSource, register: Register, countries: CountryIndex | None) -> CheckResult:
    """Judge every length claim of ``register`` against ``source``'s features.

    Parameters
    ----------
    source : VectorSource
        The user's layer, opened with its id field.
    register : Register
        Claims read with :func:`layer_context` (so their subjects are ids of
        this layer).
    countries : CountryIndex, optional
        Needed when a claim is about a country part.

    Returns
    -------
    CheckResult
        As the curated check returns it.
    """
    lengths = register.length_claims()
    features = read_features(source, claimed_ids(lengths))
    checks = check_claims(lengths, measure_layer_claims(lengths, features, countries), register.sources)
    return CheckResult(register, tuple(checks), tuple(spreads(checks)))


def run_layer_check(
    layer_file: str | os.PathLike[str],
    claims_file: str | os.PathLike[str],
    *,
    layer: str | None = None,
    id_field: str | None = None,
    assume_crs: str | None = None,
) -> CheckResult:
    """``transcaspian check --file FILE --claims CLAIMS``: read, measure, judge.

    Parameters
    ----------
    layer_file : str or PathLike
        The user's vector file (any format :func:`~transcaspian.userdata.opening.open_vector` reads).
    claims_file : str or PathLike
        The claims about it (TOML, as :func:`transcaspian.claims.read_claims`
        reads); it may cite the curated sources or carry its own.
    layer, id_field, assume_crs : str, optional
        As for ``transcaspian measure``; ``id_field`` defaults to ``id``.

    Returns
    -------
    CheckResult

    Raises
    ------
    DataError
        For a bad layer file (as ``measure``), duplicate or missing feature
        ids, or a bad claims file (naming its record and field).
    UsageError
        When ``assume_crs`` is not a CRS.
    """
    source = open_vector(layer_file, layer=layer, assume_crs=assume_crs, id_field=id_field)
    source = dataclasses.replace(source, id_field=id_field_for(source, id_field))
    ids = feature_ids(source)
    register = read_claims(Path(claims_file), layer_context(ids, load_sources()))
    needs_countries = any(c.subject is not None and c.subject.country for c in register.length_claims())
    countries = CountryIndex.shipped() if needs_countries else None
    return check_layer(source, register, countries)
