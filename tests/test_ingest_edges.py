"""Issue 13 at the ingest edge, over fakes: a full disk, folders that cannot be written, many
bad rows, and the per-phase progress. Each ends as one line on stderr, never a traceback."""

from __future__ import annotations

import errno
import os
import sqlite3

import pytest
from typer.testing import CliRunner

from moodreel.catalog import load_catalog
from moodreel.embedding import VibeEncoder
from moodreel.errors import ConfigurationError
from moodreel.ingestion import cli as ingest_cli
from moodreel.ingestion.pipeline import Ingestor
from moodreel.llm import local_model
from moodreel.services import Services
from moodreel.vibes.cache import VibesCache
from moodreel.vibes.fast_extractor import FastExtractor
from tests.fakes import DictStore, HashEmbedder


class FullDisk(DictStore):
    """A store whose disk fills up after ``room`` writes."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    def upsert(self, items):
        if self.upserts >= self.room:
            raise OSError(errno.ENOSPC, "No space left on device", "/data/moodreel.db")
        return super().upsert(items)


def run_cli(monkeypatch, store, *args: str):
    import moodreel.services

    monkeypatch.setattr(
        moodreel.services,
        "build_services",
        lambda settings: Services(settings, embedder=HashEmbedder(), store=store),
    )
    return CliRunner().invoke(ingest_cli.app, ["--extractor", "fast", *args])


def test_a_full_disk_is_one_line_and_keeps_what_was_written(monkeypatch, small_catalog):
    monkeypatch.setattr("moodreel.ingestion.pipeline.FAST_CHUNK", 16)
    store = FullDisk(room=2)
    result = run_cli(monkeypatch, store, "--catalog", str(small_catalog))
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert lines == [
        "error: no space left on the device (/data/moodreel.db): free some space and run again "
        "(titles already stored are kept, and a re-run resumes)"
    ]
    assert "Traceback" not in result.output and store.count() == 32


def test_a_cache_folder_that_cannot_be_made_is_one_line(monkeypatch, small_catalog, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MOODREEL_CACHE_DIR", str(blocker / "cache"))
    result = run_cli(monkeypatch, DictStore(), "--catalog", str(small_catalog))
    assert result.exit_code == 2 and "Traceback" not in result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert f"cannot open the vibes cache {blocker / 'cache' / 'vibes.sqlite'}" in line
    assert "MOODREEL_CACHE_DIR must be a writable folder" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_read_only_cache_folder_is_one_line(monkeypatch, small_catalog, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    monkeypatch.setenv("MOODREEL_CACHE_DIR", str(locked / "cache"))
    result = run_cli(monkeypatch, DictStore(), "--catalog", str(small_catalog))
    assert result.exit_code == 2 and "Permission denied" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    "error,words",
    [
        (OSError(errno.ENOSPC, "No space left on device", "/x/vibes.jsonl"), "no space left on the device (/x/vibes.jsonl)"),
        (PermissionError(errno.EACCES, "Permission denied", "/ro/out.jsonl"), "cannot write (/ro/out.jsonl): Permission denied"),
        (OSError(errno.EROFS, "Read-only file system", "/ro"), "cannot write (/ro): Read-only file system"),
        (sqlite3.OperationalError("database or disk is full"), "no space left for the vibes cache"),
        (sqlite3.OperationalError("unable to open database file"), "MOODREEL_CACHE_DIR must be writable"),
    ],
)  # fmt: skip
def test_machine_errors_become_one_line(error, words):
    message = ingest_cli.machine_error(error)
    assert message is not None and words in message and "\n" not in message
    assert ingest_cli.machine_error(ValueError("a bug")) is None


def test_an_unwritable_model_folder_names_it(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    part = tmp_path / "part.bin"
    part.write_bytes(b"GGUF")
    monkeypatch.setattr(local_model, "part_paths", lambda: [part])
    with pytest.raises(ConfigurationError) as err:
        local_model.ensure_model_file(blocker / "models", "0" * 64, 4)
    assert f"cannot assemble the local model in {blocker / 'models'}" in str(err.value)
    assert "MOODREEL_MODEL_DIR" in str(err.value)


def test_a_full_disk_while_assembling_the_model_says_so(tmp_path, monkeypatch):
    def full(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(local_model, "assemble", full)
    monkeypatch.setattr(local_model, "part_paths", lambda: [])
    with pytest.raises(ConfigurationError, match="no space left on the device"):
        local_model.ensure_model_file(tmp_path / "models")


def test_thousands_of_bad_rows_print_twenty_and_a_count(monkeypatch, tmp_path):
    path = tmp_path / "junk.csv"
    junk = "\n".join(f"j{i},,x,MOVIE,[]" for i in range(3000))
    path.write_text(
        "id,title,description,type,genres\n" + junk + "\ngood,Good,a story,SHOW,[]\n", encoding="utf-8"
    )
    store = DictStore()
    result = run_cli(monkeypatch, store, "--catalog", str(path))
    assert result.exit_code == 0, result.output
    problems = [line for line in result.output.splitlines() if line.startswith(str(path))]
    assert len(problems) == ingest_cli.SHOWN_PROBLEMS + 1
    assert problems[-1].endswith("… and 2,980 more problems (3,000 rows skipped in all)")
    assert store.count() == 1


def test_each_phase_reports_every_chunk_in_order(tmp_path, small_catalog):
    embedder = HashEmbedder()
    seen: list[tuple[str, int]] = []
    ingestor = Ingestor(
        store=DictStore(),
        encoder=VibeEncoder(embedder),
        cache=VibesCache(tmp_path / "c.sqlite"),
        fast=FastExtractor(embedder),
        chunk_size=4,
    )
    catalog = load_catalog(small_catalog)
    ingestor.run(catalog, "fast", limit=10, on_phase=lambda phase, n: seen.append((phase, n)))
    assert seen == [(p, n) for n in (4, 4, 2) for p in ("extract", "embed", "write")]
    seen.clear()  # a re-run changes nothing, and still reports every title through each phase
    ingestor.run(catalog, "fast", limit=10, on_phase=lambda phase, n: seen.append((phase, n)))
    assert sum(n for p, n in seen if p == "write") == 10


def test_fast_ingest_embeds_each_synopsis_once(tmp_path, small_catalog):
    embedder = HashEmbedder()
    ingestor = Ingestor(
        store=DictStore(),
        encoder=VibeEncoder(embedder),
        cache=VibesCache(tmp_path / "c.sqlite"),
        fast=FastExtractor(embedder),
        chunk_size=16,
    )
    catalog = load_catalog(small_catalog)
    embedder.calls.clear()
    ingestor.run(catalog, "fast")
    synopses = [t.description for t in catalog.titles if t.description]
    embedded = [text for call in embedder.calls for text in call]
    assert sorted(text for text in embedded if text in set(synopses)) == sorted(synopses)
