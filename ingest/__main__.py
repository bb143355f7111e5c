"""`python -m ingest`: the door to the ingest command (moodreel/ingestion/cli.py)."""

from moodreel.ingestion.cli import main

main()
