"""Reading claims files: validation with errors that name the file, the record and the field.

The record format is documented in :mod:`transcaspian.claims.model`. Every
record of a file is checked, so a file with several problems gets all of
them in one run (one line each, up to :data:`~transcaspian.claims.model.MAX_PROBLEMS`);
a key a claim does not take is an error with the nearest valid key; and for
a user's layer (:attr:`ClaimContext.user_layer`) messages speak of its
features.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from transcaspian.claims.model import (
    CLAIM_KEYS,
    CLAIMS_FILE,
    LENGTH,
    LENGTH_UNITS,
    MAX_PROBLEMS,
    QUALIFIERS,
    ROLES,
    Claim,
    ClaimContext,
    Correction,
    Register,
    Subject,
    Tolerance,
)
from transcaspian.errors import DataError
from transcaspian.network.loading import Record, default_geodata, parse_source, read_toml
from transcaspian.network.records import ISO3, PathLike, Source


def _value(rec: Record, metric: str) -> float | str:
    value = rec.table.get("value")
    if value is None:
        raise rec.error("is missing; add the figure as published", "value")
    if isinstance(value, str):
        if metric == LENGTH:
            raise rec.error(f"must be a number for a length claim, got {value!r}", "value")
        if not value.strip():
            raise rec.error("must not be empty", "value")
        return value
    number = rec.number("value")
    assert number is not None
    if metric == LENGTH and number <= 0:
        raise rec.error(f"{number:g} is not a length; give a positive number", "value")
    return value  # as published: 1768 stays an int in JSON


def did_you_mean(word: str, choices: Any, n: int = 3) -> list[str]:
    """The choices nearest ``word`` (difflib's ratio), best first; none when nothing is close."""
    return difflib.get_close_matches(word, [str(c) for c in choices], n=n, cutoff=0.6)


def _nearest_text(word: str, choices: Any, n: int = 1) -> str:
    near = did_you_mean(word, choices, n)
    return f"did you mean {' or '.join(repr(c) for c in near)}?" if near else ""


def _unknown_subject(rec: Record, ctx: ClaimContext, raw: str) -> DataError:
    if ctx.user_layer:
        near = did_you_mean(raw, ctx.lines, 5)
        ids = sorted(ctx.lines)
        shown = ", ".join(repr(i) for i in (near or ids[:8])) + ("" if near or len(ids) <= 8 else ", ...")
        lead = "the nearest feature ids" if near else "the layer's feature ids"
        return rec.error(f"no feature of the layer has id {raw!r}; {lead}: {shown} (ids come from --id-field)", "subject")
    known = "a leg, route" + (" or layer" if ctx.layers else "")
    hint = _nearest_text(raw, list(ctx.lines) + list(ctx.layers))
    return rec.error(f"unknown subject {raw!r}; use the id of {known}" + (f" ({hint})" if hint else ""), "subject")


def _subject(rec: Record, ctx: ClaimContext, metric: str, checkable: bool) -> Subject | None:
    raw = rec.table.get("subject")
    start, end = rec.str("from", required=False), rec.str("to", required=False)
    country = rec.str("country", required=False)
    if raw is None:
        if metric == LENGTH:
            raise rec.error("is missing; name the leg, route or list of legs the length is of", "subject")
        if start or end or country:
            raise rec.error("is missing; from, to and country need a subject", "subject")
        return None
    if isinstance(raw, list):
        if len(raw) < 2 or not all(isinstance(i, str) for i in raw):
            raise rec.error("a list subject must name at least two leg ids", "subject")
        for lid in raw:
            if lid not in ctx.lines or lid in ctx.routes:
                if ctx.user_layer:
                    raise _unknown_subject(rec, ctx, lid)
                raise rec.error(f"{lid!r} is not a leg id; a list subject sums legs", "subject")
        if len(set(raw)) != len(raw):
            raise rec.error("names a leg twice", "subject")
        if start or end or country:
            raise rec.error("a list of legs cannot be cut; name one leg or route to use from/to or country", "subject")
        return Subject("legs", tuple(raw))
    if not isinstance(raw, str) or not raw:
        raise rec.error(f"must be a leg, route or layer id, or a list of leg ids, got {raw!r}", "subject")
    if raw in ctx.layers and raw not in ctx.lines:
        if start or end or country:
            raise rec.error("a layer is a network, not a line; name a leg or route to cut it", "subject")
        return Subject("layer", (raw,))
    if raw not in ctx.lines:
        raise _unknown_subject(rec, ctx, raw)
    kind = "route" if raw in ctx.routes else "leg"
    if bool(start) != bool(end):
        raise rec.error("a section needs both from and to", "from" if not start else "to")
    if start and country:
        raise rec.error("give either a section (from/to) or a country, not both", "country")
    places = ctx.lines[raw]
    if start and ctx.user_layer and not places:
        raise rec.error(
            f"feature {raw!r} has no named places to cut it at (a layer's features have none): "
            "drop from/to to check the whole feature, or give country for its part in one country",
            "from",
        )
    for name, place in (("from", start), ("to", end)):
        if place and place not in places:
            shown = ", ".join(places) if len(places) <= 12 else ", ".join(places[:12]) + ", ..."
            raise rec.error(f"place {place!r} is not on {raw!r}; use one of {shown}", name)
    if start and start == end:
        raise rec.error("from and to are the same place; a section needs two", "to")
    if country and not ISO3.match(country):
        raise rec.error(f"{country!r} is not an ISO 3166 alpha-3 code (e.g. AZE)", "country")
    return Subject(kind, (raw,), start, end, country)


def _tolerance(rec: Record) -> Tolerance | None:
    raw = rec.table.get("tolerance")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise rec.error("must be a table: { short_pct = 8, long_pct = 3, why = \"...\" }", "tolerance")
    parts = []
    for name in ("short_pct", "long_pct"):
        value = raw.get(name)
        if value is None:
            raise rec.error(f"needs {name} (percent of the stated figure)", "tolerance")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise rec.error(f"{name} must be a number of percent, got {value!r}", "tolerance")
        if value < 0 or (name == "short_pct" and value >= 100):
            raise rec.error(f"{name} {value:g} is out of range; use 0 or more (short_pct below 100)", "tolerance")
        parts.append(float(value))
    why = raw.get("why", "")
    if not isinstance(why, str):
        raise rec.error("why must be text", "tolerance")
    return Tolerance(parts[0], parts[1], why or "stated in the claim")


def _correction(rec: Record, sources: Mapping[str, Source]) -> Correction | None:
    raw = rec.table.get("correction")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise rec.error('must be a table: { value = 504, source = "...", evidence = "..." }', "correction")
    value, source, evidence = raw.get("value"), raw.get("source"), raw.get("evidence")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)) or (isinstance(value, float) and not math.isfinite(value)):
        raise rec.error(f"value must be the corrected figure, got {value!r}", "correction")
    if not isinstance(source, str) or source not in sources:
        raise rec.error(f"source {source!r} is not a known source id; name the source that shows the correction", "correction")
    if not isinstance(evidence, str) or not evidence.strip():
        raise rec.error("evidence is missing; quote what shows the figure is a misprint", "correction")
    return Correction(value, source, evidence)


def _check_keys(rec: Record) -> None:
    for key in rec.table:
        if key not in CLAIM_KEYS:
            hint = _nearest_text(str(key), CLAIM_KEYS)
            raise rec.error(
                f"unknown key {key!r}; " + (hint if hint else f"a claim takes {', '.join(CLAIM_KEYS)}"),
                str(key),
            )


def _parse_claim(rec: Record, ctx: ClaimContext) -> Claim:
    cid = rec.id()
    _check_keys(rec)
    # a claims file is mostly lengths: metric may be left out for them
    metric = rec.str("metric", required=False) or LENGTH
    if metric == "length_km":
        raise rec.error("write metric = \"length\" and give the unit in unit", "metric")
    checkable = rec.table.get("checkable", True)
    if not isinstance(checkable, bool):
        raise rec.error(f"must be true or false, got {checkable!r}", "checkable")
    reason = rec.str("reason", required=False)
    if not checkable and not reason:
        raise rec.error("is missing; say why the figure cannot be checked", "reason")
    value = _value(rec, metric)
    unit = rec.str("unit")
    if metric == LENGTH and unit not in LENGTH_UNITS:
        raise rec.error(f"is {unit!r}; a length takes one of {', '.join(LENGTH_UNITS)}", "unit")
    qualifier = rec.str("qualifier", required=False, choices=QUALIFIERS) or "about"
    value_max = rec.number("value_max", required=False)
    if qualifier == "range":
        if value_max is None:
            raise rec.error("is missing; a range needs value_max", "value_max")
        if isinstance(value, str) or value_max <= value:
            raise rec.error(f"{value_max:g} must be larger than value", "value_max")
    elif value_max is not None:
        raise rec.error("only a range takes value_max; set qualifier = \"range\"", "value_max")
    source = rec.str("source")
    if source not in ctx.sources:
        raise rec.error(f"unknown source {source!r}; add it to sources/ or as a [[source]] in this file", "source")
    return Claim(
        id=cid,
        subject=_subject(rec, ctx, metric, checkable),
        metric=metric,
        value=value,
        unit=unit,
        # a figure is a variant unless the file says it is the one the geometry is held to
        role=rec.str("role", required=False, choices=ROLES) or "variant",
        source=source,
        qualifier=qualifier,
        value_max=value_max,
        tolerance=_tolerance(rec),
        says=rec.str("says", required=False),
        attributed_to=rec.str("attributed_to", required=False),
        checkable=checkable,
        reason=reason,
        notes=rec.str("notes", required=False),
        file=rec.file,
        parts=rec.str_list("parts"),
        correction=_correction(rec, ctx.sources),
    )


def parse_claims(doc: Mapping[str, Any], label: str, ctx: ClaimContext) -> Register:
    """Validate the ``[[source]]`` and ``[[claim]]`` records of a parsed file.

    Parameters
    ----------
    doc : mapping
        The parsed TOML document.
    label : str
        The file name used in error messages.
    ctx : ClaimContext
        The legs, routes, layers and sources claims may name.

    Returns
    -------
    Register
        The claims in file order, and the context's sources plus the file's own.

    Raises
    ------
    DataError
        When records are bad: one line per problem, each naming the file, the
        record and the field, up to :data:`MAX_PROBLEMS` (then how many more).
    """
    known = sorted(set(doc) - {"source", "claim"})
    if known:
        hint = _nearest_text(str(known[0]), ("claim", "source"))
        raise DataError(
            f"unknown top-level key {known[0]!r}; a claims file holds [[claim]] and [[source]] tables" + (f" ({hint})" if hint else ""),
            file=label,
        )
    for kind in ("source", "claim"):
        if not isinstance(doc.get(kind, []), list):
            raise DataError(f"'{kind}' must be an array of tables, written [[{kind}]]", file=label)
    problems: list[DataError] = []
    sources = dict(ctx.sources)
    for i, table in enumerate(doc.get("source", [])):
        try:
            rec = Record(table, label, "source", i)
            src = parse_source(rec)
            if src.id in sources and sources[src.id] != src:
                raise rec.error("duplicate id: a source with this id already exists; choose another id", "id")
            sources[src.id] = src
        except DataError as error:
            problems.append(error)
    ctx = ClaimContext(ctx.lines, ctx.routes, ctx.layers, sources, ctx.user_layer)
    claims: list[Claim] = []
    seen: set[str] = set()
    canonical: dict[str, str] = {}
    for i, table in enumerate(doc.get("claim", [])):
        # every record is checked, so a file with several problems gets them all in one run
        try:
            rec = Record(table, label, "claim", i)
            claim = _parse_claim(rec, ctx)
            if claim.id in seen:
                raise rec.error("duplicate id; claim ids must be unique", "id")
            seen.add(claim.id)
            if claim.is_length and claim.role == "canonical":
                # one canonical figure per subject: it is the one put on the feature
                other = canonical.setdefault(claim.subject_key, claim.id)
                if other != claim.id:
                    raise rec.error(f"{claim.subject_key!r} already has canonical claim {other!r}; make one a variant", "role")
            claims.append(claim)
        except DataError as error:
            problems.append(error)
    if problems:
        if len(problems) == 1:
            raise problems[0]
        lines = [str(p) for p in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            lines.append(f"{label}: ... and {len(problems) - MAX_PROBLEMS} more problems; fix these and run again")
        raise DataError("\n".join(lines))
    by_id = {c.id: c for c in claims}
    for claim in claims:
        for part in claim.parts:
            part_claim = by_id.get(part)
            if part_claim is None or not part_claim.is_length or not claim.is_length or isinstance(part_claim.value, str):
                raise DataError(
                    f"part {part!r} is not a length claim of this file; list the claims that give the parts of the figure",
                    file=label, record=claim.record, field="parts",
                )
    return Register(tuple(claims), sources, label)


def read_claims(path: PathLike, ctx: ClaimContext, label: str | None = None, *, shipped: bool = False) -> Register:
    """Read and validate a claims file.

    Parameters
    ----------
    path : str, Path or Traversable
        The TOML file.
    ctx : ClaimContext
        What subjects and sources may be named.
    label : str, optional
        Name used in errors; the path when omitted.
    shipped : bool
        The file is the package's own ``claims.toml`` (parsed faster, see
        :func:`transcaspian.network.loading.read_toml`).

    Raises
    ------
    DataError
        When the file cannot be read, is not TOML, holds no claim, or a record
        is bad.
    """
    node: Path | Traversable = Path(path) if isinstance(path, str) else path
    label = label or str(path)
    if not node.is_file():
        raise DataError("no such claims file; check the path", file=label)
    doc = read_toml(node, label, shipped=shipped)
    if not doc.get("claim"):
        # An empty file would check nothing and pass: say so instead of exiting 0.
        raise DataError("holds no [[claim]] records; add the published figures to check", file=label)
    return parse_claims(doc, label, ctx)


def load_curated_claims(directory: PathLike | None, ctx: ClaimContext) -> Register:
    """The register ``claims.toml`` of a geodata directory (empty if it has none).

    Parameters
    ----------
    directory : str, Path or Traversable, optional
        A geodata directory; the curated copy shipped with the package when
        omitted.
    ctx : ClaimContext
        Built from the same geodata (:meth:`ClaimContext.from_network`).
    """
    root: Path | Traversable = default_geodata() if directory is None else (
        Path(directory) if isinstance(directory, str) else directory
    )
    node = root / CLAIMS_FILE
    if not node.is_file():
        return Register((), dict(ctx.sources), CLAIMS_FILE)
    return read_claims(node, ctx, CLAIMS_FILE, shipped=directory is None)

