"""What the two commands (``moodreel`` and ``python -m ingest``) print besides their results:
an error as one red line and a non-zero exit, a note as one yellow line, both on stderr."""

from __future__ import annotations

from typing import NoReturn

import typer


def fail(message: str, code: int = 2) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def note(message: str) -> None:
    typer.secho(f"note: {message}", fg=typer.colors.YELLOW, err=True)
