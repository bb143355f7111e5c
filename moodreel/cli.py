"""The `moodreel` command: store statistics, mood parsing, recommendations, the server.

Errors from inside become one red line and a non-zero exit here, nowhere else.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import NoReturn

import typer

from moodreel.errors import MoodreelError
from moodreel.settings import Settings

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_show_locals=False,
    help="moodreel: films and shows that match how you feel.",
)


def fail(message: str, code: int = 2) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@app.callback()
def root() -> None:
    """moodreel: films and shows that match how you feel."""


def settings_for(db: str | None) -> Settings:
    return Settings(milvus_uri=db) if db else Settings()


@app.command()
def stats(
    db: str = typer.Option(None, "--db", help="Milvus URI (default: the store `make run` builds)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """How many titles the store holds, by extractor and type."""
    from moodreel.services import quiet_libraries
    from moodreel.store import MilvusStore

    quiet_libraries()
    s = settings_for(db)
    try:
        store = MilvusStore.open(s.store_uri, s.collection, token=s.milvus_token.get_secret_value())
        result = store.stats()
    except MoodreelError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result))
        return
    typer.echo(f"{result['titles']} titles in {result['collection']} at {result['uri']}")
    for name, count in result["by_extractor"].items():
        typer.echo(f"  vibes by {name}: {count}")
    for name, count in result["by_type"].items():
        typer.echo(f"  {name.lower()}s: {count}")


class TypeOption(str, Enum):
    MOVIE = "MOVIE"
    SHOW = "SHOW"


class ParserOption(str, Enum):
    classifier = "classifier"
    llm = "llm"


def _recommender(db: str | None, parser: ParserOption | None):
    from moodreel.search.recommender import Recommender
    from moodreel.services import build_services

    settings = settings_for(db)
    if parser is not None:
        settings = settings.model_copy(update={"mood_parser": parser.value})
    return Recommender(build_services(settings))


@app.command()
def mood(
    text: str = typer.Argument(..., help="How you feel, in your own words."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    parser: ParserOption = typer.Option(None, "--parser", help="Mood parser (default from settings)."),
) -> None:
    """Turn a mood into emotions."""
    try:
        parsed = _recommender(None, parser).parse_mood(text)
    except MoodreelError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps({"emotions": parsed.emotions}))
    else:
        typer.echo(", ".join(parsed.emotions))


@app.command()
def recommend(
    text: str = typer.Argument(..., help="How you feel, in your own words."),
    k: int = typer.Option(10, "--k", min=1, max=100, help="How many titles."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    no_pitch: bool = typer.Option(False, "--no-pitch", help="Skip the LLM pitches."),
    db: str = typer.Option(None, "--db", help="Milvus URI (default: the store `make run` builds)."),
    type_: TypeOption = typer.Option(None, "--type", help="MOVIE or SHOW."),
    genre: list[str] = typer.Option(None, "--genre", help="Keep titles with this genre (repeatable)."),
    exclude_genre: list[str] = typer.Option(
        None, "--exclude-genre", help="Drop titles with this genre (repeatable)."
    ),
    min_year: int = typer.Option(None, "--min-year"),
    max_year: int = typer.Option(None, "--max-year"),
    max_runtime: int = typer.Option(None, "--max-runtime", help="Minutes."),
    parser: ParserOption = typer.Option(None, "--parser", help="Mood parser (default from settings)."),
) -> None:
    """Films and shows that match a mood, best first."""
    from pydantic import ValidationError

    from moodreel.search.filters import SearchFilters

    try:
        filters = SearchFilters(
            type=type_.value if type_ else None, genres=genre or [], exclude_genres=exclude_genre or [],
            min_year=min_year, max_year=max_year, max_runtime=max_runtime,
        )  # fmt: skip
    except ValidationError as exc:
        fail("; ".join(e["msg"] for e in exc.errors()))
    try:
        recommender = _recommender(db, parser)
        result = recommender.recommend(text, k, filters)
        if not no_pitch:
            for rec in result.results:
                rec.pitch = recommender.pitch(rec, result.mood, result.emotions)
    except MoodreelError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(result.model_dump_json())
        return
    typer.echo(f"Feelings: {', '.join(result.emotions)}")
    for i, rec in enumerate(result.results, 1):
        year = f" ({rec.year})" if rec.year else ""
        typer.echo(
            f"{i:2d}. {rec.title}{year} {rec.emojis}  [{', '.join(rec.genres)}]  score {rec.score:.3f}"
        )
        if rec.why:
            typer.echo(f"    why: {'; '.join(rec.why)}")
        if rec.pitch:
            typer.echo(f"    {rec.pitch}")


@app.command()
def serve(
    host: str = typer.Option(None, "--host", help="Bind address (default 127.0.0.1)."),
    port: int = typer.Option(None, "--port"),
    ingest_if_empty: bool = typer.Option(
        False, "--ingest-if-empty", help="Ingest the bundled catalog first if the store is empty."
    ),
) -> None:
    """Serve the web app at / and the JSON API at /api (docs at /docs)."""
    from moodreel.server import run_server

    settings = Settings()
    updates = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    try:
        run_server(settings.model_copy(update=updates), ingest_if_empty=ingest_if_empty)
    except MoodreelError as exc:
        fail(str(exc))


def main() -> None:
    app(prog_name="moodreel")


if __name__ == "__main__":
    main()
