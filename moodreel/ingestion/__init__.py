"""Catalog -> vibes -> vectors -> store: the pipeline (``pipeline.py``) and its command (``cli.py``,
run as ``python -m ingest``)."""
