"""Command line of the ingest pipeline (`python -m ingest --help`; ``ingest/`` is only its door).

Validates the catalog before anything is opened or written: an unusable catalog exits
non-zero and leaves the store as it was.
"""

from __future__ import annotations

import json
import logging
import sys
from enum import Enum
from pathlib import Path

import typer
from tqdm import tqdm

from moodreel.catalog import load_catalog
from moodreel.console import fail
from moodreel.errors import MoodreelError
from moodreel.settings import Settings

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_show_locals=False,
    help="Read a catalog CSV, extract vibes, embed and upsert into Milvus.",
)


class ExtractorOption(str, Enum):
    llm = "llm"
    fast = "fast"


class OrderOption(str, Enum):
    file = "file"
    votes = "votes"


@app.command()
def run(
    catalog: Path = typer.Option(None, "--catalog", help="Catalog CSV (default: data/netflix_titles.csv)."),
    db: str = typer.Option(None, "--db", help="Milvus URI: a Lite file path or http://host:19530."),
    limit: int = typer.Option(None, "--limit", min=1, help="Only the first N valid titles."),
    extractor: ExtractorOption = typer.Option(
        ExtractorOption.llm, "--extractor", help="llm (the configured LLM) or fast (no LLM)."
    ),
    rebuild: bool = typer.Option(False, "--rebuild", help="Drop the collection and write every title again."),
    export_vibes: Path = typer.Option(None, "--export-vibes", help="Write each title's vibes as JSONL."),
    order: OrderOption = typer.Option(
        OrderOption.file, "--order", help="file order, or most IMDb votes first."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Ingest the catalog; unchanged titles are skipped, so re-runs are cheap."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )
    overrides: dict = {}
    if catalog is not None:
        overrides["catalog_path"] = catalog
    if db is not None:
        overrides["milvus_uri"] = db
    settings = Settings(**overrides)
    try:
        parsed = load_catalog(settings.catalog_file)
    except MoodreelError as exc:
        fail(str(exc))
    for problem in parsed.problems:
        typer.secho(f"{parsed.path}: {problem}", fg=typer.colors.YELLOW, err=True)
    if not parsed.titles:
        fail(f"{parsed.path}: no valid titles to ingest ({parsed.skipped} bad rows)")

    from moodreel.services import build_services

    titles = parsed.titles
    if order is OrderOption.votes:
        titles = sorted(titles, key=lambda t: -(t.imdb_votes or 0))
    try:
        services = build_services(settings)
        store = services.store
        if rebuild:
            store.drop()

        ingestor = services.ingestor(extractor.value)
        total = min(len(titles), limit) if limit else len(titles)
        with tqdm(
            total=total, unit="title", desc=f"ingest ({extractor.value})", file=sys.stderr, disable=None
        ) as bar:
            summary = ingestor.run(parsed, extractor.value, limit, export_vibes, bar.update, titles=titles)
    except MoodreelError as exc:
        fail(str(exc))
    for failure in summary.failures:
        typer.secho(f"failed: {failure}", fg=typer.colors.YELLOW, err=True)
    if as_json:
        typer.echo(json.dumps(summary.as_dict()))
    else:
        typer.echo(
            f"{summary.total} titles: {summary.new} new, {summary.updated} updated, "
            f"{summary.unchanged} unchanged, {summary.failed} failed, {summary.skipped} skipped rows "
            f"(vibes by extractor: {summary.by_extractor}; LLM calls: {summary.llm_calls})"
        )
        typer.echo(f"store: {settings.store_uri} now holds {store.count()} titles")


def main() -> None:
    app(prog_name="python -m ingest")
