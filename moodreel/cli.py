"""The `moodreel` command: store statistics, mood parsing, recommendations, the server.

Errors from inside become one red line and a non-zero exit here, nowhere else.
"""

from __future__ import annotations

import json
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


def main() -> None:
    app(prog_name="moodreel")


if __name__ == "__main__":
    main()
