"""``transcaspian check-text``: find, tie and judge every length figure of an article."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from transcaspian.cli.options import bad_input_exits_3, geodata_option
from transcaspian.errors import UsageError


@click.command(name="check-text")
@click.argument("file", metavar="FILE|-")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "markdown", "html"]),
    default="table",
    show_default=True,
    help="table for people; json (stable: figures and other_figures); markdown tables; html: the article with each figure "
    "highlighted by verdict and a side note.",
)
@click.option("--input-format", type=click.Choice(["auto", "text", "markdown", "html"]), default="auto", show_default=True,
              help="How to read FILE; auto goes by the file name (.html, .md), else by its content.")
@click.option("--language", type=click.Choice(["en", "ru", "az", "tr", "kk"]), default=None,
              help="The article's language; detected per sentence when omitted.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here (atomically) instead of stdout.")
@click.option("--save-claims", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Also write the figures as claim records (the register's TOML format, the article as source); needs --source-url.")
@click.option("--source-url", metavar="URL", help="With --save-claims: the article's http(s) address, cited by every claim.")
@click.option("--publisher", metavar="NAME", help="With --save-claims: who published the article (default: the URL's host).")
@click.option("--source-date", metavar="YYYY-MM-DD", help="With --save-claims: when it was published.")
@click.option("--gazetteer", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="A curator's gazetteer (TOML, as textcheck/data/gazetteer.toml) added to the shipped one.")
@click.option("--patterns", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="A curator's patterns file (TOML, as textcheck/data/patterns.toml) merged over the shipped one.")
@geodata_option
def check_text(
    file: str,
    fmt: str,
    input_format: str,
    language: str | None,
    output: Path | None,
    save_claims: Path | None,
    source_url: str | None,
    publisher: str | None,
    source_date: str | None,
    gazetteer: Path | None,
    patterns: Path | None,
    geodata: Path | None,
) -> None:
    """Fact-check an article: every distance or length figure in FILE (or stdin), judged.

    Reads plain text, Markdown or HTML (UTF-8) in English, Russian,
    Azerbaijani, Turkish or Kazakh; finds every length figure (ranges,
    qualifiers, numbers partly in words, miles converted), ties each to the
    line it is about, and judges it with the same code and tolerances as
    `transcaspian check`, naming the register claim that gives the same
    figure. Figures that are not lengths (money, tonnes, Tbps, GW, days,
    years, %) are listed apart and compared with the register's facts.

    Exit status: 0 when every length figure with a subject is consistent,
    1 otherwise, 2 on a usage error, 3 when FILE cannot be read or is not
    UTF-8 text. Claims file format and a walkthrough: README.md, section
    "Fact-checking an article".
    """
    from transcaspian.files import atomic_write
    from transcaspian.textcheck.article import check_text as run
    from transcaspian.textcheck.article import read_article
    from transcaspian.textcheck.page import text_html
    from transcaspian.textcheck.report import claims_toml, summary, text_json, text_markdown, text_table

    if save_claims is not None:
        if not source_url or not source_url.startswith(("https://", "http://")):
            raise UsageError("--save-claims needs --source-url URL (the article's http(s) address, which every claim cites)")
        if save_claims.exists():
            raise UsageError(f"--save-claims {save_claims}: the file exists; choose a new name (it is never overwritten)")
    elif source_url or publisher or source_date:
        raise UsageError("--source-url, --publisher and --source-date go with --save-claims FILE")
    if output is not None and output.exists() and not output.is_file():
        raise UsageError(f"--output {output}: not a regular file")
    with bad_input_exits_3():
        name, text = read_article(file)
        result = run(text, name=name, fmt=input_format, language=language, geodata=geodata, gazetteer=gazetteer, patterns=patterns)
    render = {"table": text_table, "json": text_json, "markdown": text_markdown, "html": text_html}[fmt]
    report = render(result)
    if output is not None:
        atomic_write(output, report)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(report, nl=False)
    if save_claims is not None:
        atomic_write(save_claims, claims_toml(result, source_url or "", publisher or "", "", source_date or ""))
        click.echo(f"wrote {save_claims}", err=True)
    if not result.ok:
        click.echo(f"transcaspian: {summary(result)}", err=True)
        sys.exit(1)
