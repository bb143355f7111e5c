"""Command line of the ingest pipeline (`python -m ingest --help`; ``ingest/`` is only its door).

Validates the catalog before anything is opened or written: an unusable catalog exits
non-zero and leaves the store as it was. ``--rebuild`` writes a new collection and swaps it
in only when the run succeeded. Errors of the machine (disk full, a folder that cannot be
written) end as one line here, the edge, not as a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import sqlite3
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


SHOWN_PROBLEMS = 20  # catalog problems printed one by one (all of them with --verbose)
PHASES = ("extract", "embed", "write")


def machine_error(exc: BaseException) -> str | None:
    """One line for an error of the machine rather than of moodreel (None: not one of those)."""
    resumes = "titles already stored are kept, and a re-run resumes"
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        if exc.errno == errno.ENOSPC:
            return f"no space left on the device{where}: free some space and run again ({resumes})"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return f"cannot write{where}: {exc.strerror}; choose a writable place (see --help)"
        return f"{exc.strerror or exc}{where}"
    if isinstance(exc, sqlite3.Error):
        text = str(exc)
        if "full" in text:
            return f"no space left for the vibes cache ({text}): free some space and run again ({resumes})"
        return f"the vibes cache cannot be used: {text} (MOODREEL_CACHE_DIR must be writable)"
    return None


@app.command()
def run(
    catalog: Path = typer.Option(None, "--catalog", help="Catalog CSV (default: data/netflix_titles.csv)."),
    db: str = typer.Option(None, "--db", help="Milvus URI: a Lite file path or http://host:19530."),
    limit: int = typer.Option(None, "--limit", min=1, help="Only the first N valid titles."),
    extractor: ExtractorOption = typer.Option(
        ExtractorOption.llm, "--extractor", help="llm (the configured LLM) or fast (no LLM)."
    ),
    rebuild: bool = typer.Option(
        False,
        "--rebuild",
        help="Write every title into a new collection; it replaces the old one only if the run succeeds.",
    ),
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
        with tqdm(unit="row", desc="read", file=sys.stderr, disable=None) as bar:
            parsed = load_catalog(settings.catalog_file, progress=bar.update)
    except MoodreelError as exc:
        fail(str(exc))
    for line in parsed.report(len(parsed.problems) if verbose else SHOWN_PROBLEMS):
        typer.secho(line, fg=typer.colors.YELLOW, err=True)
    if not parsed.titles:
        fail(f"{parsed.path}: no valid titles to ingest ({parsed.skipped} bad rows)")

    from moodreel.services import build_services
    from moodreel.store import size_advice

    titles = parsed.titles
    if order is OrderOption.votes:
        titles = sorted(titles, key=lambda t: -(t.imdb_votes or 0))
    try:
        services = build_services(settings)
        store = services.store
        ingestor = services.ingestor(extractor.value)
        total = min(len(titles), limit) if limit else len(titles)
        with contextlib.ExitStack() as stack:
            bars = {
                name: stack.enter_context(
                    tqdm(total=total, unit="title", desc=name, position=i, file=sys.stderr, disable=None)
                )
                for i, name in enumerate(PHASES)
            }
            with store.rebuilding() if rebuild else contextlib.nullcontext():
                summary = ingestor.run(
                    parsed,
                    extractor.value,
                    limit,
                    export_vibes,
                    titles=titles,
                    on_phase=lambda phase, n: bars[phase].update(n),
                )
    except MoodreelError as exc:
        fail(str(exc))
    except (OSError, sqlite3.Error) as exc:
        message = machine_error(exc)
        if message is None:  # pragma: no cover - machine_error knows both kinds
            raise
        fail(message)
    for failure in summary.failures:
        typer.secho(f"failed: {failure}", fg=typer.colors.YELLOW, err=True)
    stored = store.count()
    if as_json:
        typer.echo(json.dumps(summary.as_dict()))
    else:
        typer.echo(
            f"{summary.total} titles: {summary.new} new, {summary.updated} updated, "
            f"{summary.unchanged} unchanged, {summary.failed} failed, {summary.skipped} skipped rows "
            f"(vibes by extractor: {summary.by_extractor}; LLM calls: {summary.llm_calls})"
        )
        typer.echo(f"store: {settings.store_uri} now holds {stored} titles")
    if advice := size_advice(settings.store_uri, stored):
        typer.secho(f"note: {advice}", fg=typer.colors.YELLOW, err=True)


def main() -> None:
    app(prog_name="python -m ingest")
