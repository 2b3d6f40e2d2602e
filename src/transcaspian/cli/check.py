"""``transcaspian check``: published lengths held against the measured geometry."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from transcaspian.cli.options import geodata_option
from transcaspian.errors import UsageError


@click.command()
@geodata_option
@click.option(
    "--claims",
    "claims_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Claims file (TOML, [[claim]] and optional [[source]] records) to check instead of the curated register.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "markdown"]),
    default="table",
    show_default=True,
    help="table for people; json (stable, for pipelines) or csv, one row per claim; markdown table.",
)
@click.option(
    "--layer",
    "layer_file",
    metavar="FILE",
    help="Check --claims against your own vector file (any format GDAL reads) instead of the curated data; "
    "claim subjects are its feature ids.",
)
@click.option("--layer-name", metavar="NAME", help="With --layer: the layer to read, for files with several (GeoPackage).")
@click.option("--id-field", metavar="NAME", help="With --layer: the field holding feature ids (default: id).")
@click.option("--assume-crs", metavar="CRS", help="With --layer: CRS of a file that declares none, e.g. EPSG:32639.")
def check(
    geodata: Path | None,
    claims_file: Path | None,
    fmt: str,
    layer_file: str | None = None,
    layer_name: str | None = None,
    id_field: str | None = None,
    assume_crs: str | None = None,
) -> None:
    """Hold every published length against the measured geometry.

    Prints one row per length claim: claim id, subject, stated, measured,
    ratio (measured / stated), verdict, source. Verdicts: consistent,
    trace_short, trace_long, impossible, not_checkable.

    Exit status: 0 when every canonical claim is consistent, 1 when one is
    not, 2 on a usage error, 3 when an input (claims file, layer) cannot be
    read or is invalid. A claims file with no canonical claim is judged on
    all its claims; otherwise variant and headline claims never change it.
    The claims file format, with a minimal example for your own layer:
    README.md, section "Your own claims".
    """
    from transcaspian.claims.judge import failed_canonical
    from transcaspian.cli.options import bad_input_exits_3
    from transcaspian.pipeline import run_check
    from transcaspian.report.markdown import check_table, checks_csv, checks_json, checks_markdown

    if claims_file is not None and not claims_file.is_file():
        raise UsageError(f"--claims {claims_file}: no such file")
    if layer_file is not None:
        # A user's layer and claims: same engine, verdicts and exit status.
        from transcaspian.claims.userlayer import run_layer_check

        if claims_file is None or geodata is not None:
            raise UsageError("--layer FILE needs --claims CLAIMS (the claims about its features) and no --geodata")
        with bad_input_exits_3():
            result = run_layer_check(layer_file, claims_file, layer=layer_name, id_field=id_field, assume_crs=assume_crs)
    elif layer_name or id_field or assume_crs:
        raise UsageError("--layer-name, --id-field and --assume-crs go with --layer FILE")
    else:
        with bad_input_exits_3():
            result = run_check(geodata, claims_file)
    render = {"table": check_table, "json": checks_json, "csv": checks_csv, "markdown": checks_markdown}[fmt]
    click.echo(render(result), nl=False)
    failed = [c.claim.id for c in failed_canonical(result.checks)]
    if failed:
        which = "canonical claim(s)" if any(c.decides_exit for c in result.checks) else "claim(s) (the file has no canonical claim, so all count)"
        click.echo(f"transcaspian: {len(failed)} {which} not consistent: {', '.join(failed)}", err=True)
        sys.exit(1)
