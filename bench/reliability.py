"""kill -9 during ingest: are rows lost or duplicated, and does a re-run finish the job?

    python bench/reliability.py [--rows 2000] [--trials 4] [--seed 13] [--json] [--save]

Makes a catalog of ``--rows`` titles from the bundled one under new ids (so neither the store
nor the vibes cache knows them), then runs ``python -m ingest --extractor fast`` as a user
would and kills it with SIGKILL at a random moment: after a random number of titles has
reached the vibes cache (a file that can be read while ingest runs), plus a random 0-3 s, so
the kill lands in any phase (extract, embed, write). Each kill is followed by a re-run.

Trials alternate two modes:

* ``fresh``: an empty store; the re-run (no flags) must complete it.
* ``rebuild``: a complete store, killed during ``--rebuild``; the previous store must still be
  whole right after the kill, and the re-run ``--rebuild`` must complete it.

For each trial: rows expected (valid titles), rows stored right after the kill, rows stored
after the re-run, duplicates (stored rows minus distinct ids) and lost rows (expected ids
missing). The kill itself is what is measured, so no part of this is a timed test.
"""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, finish, make_parser, table


def make_catalog(source: Path, rows: int, target: Path) -> int:
    """``rows`` titles cycled from ``source`` under new ids; returns how many are valid."""
    with source.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = list(reader.fieldnames or [])
        originals = [row for row in reader if row.get("title", "").strip()]
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for i in range(rows):
            row = dict(originals[i % len(originals)])
            row["id"] = f"r{i:06d}-{row['id']}"[:64]
            writer.writerow(row)
    from moodreel.catalog import load_catalog

    return len(load_catalog(target).titles)


def cached_titles(cache: Path) -> int:
    """Titles whose vibes the running ingest has cached so far (0 before the file exists)."""
    if not cache.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{cache}?mode=ro", uri=True, timeout=1) as db:
            return int(db.execute("SELECT COUNT(*) FROM vibes").fetchone()[0])
    except sqlite3.Error:
        return 0


def ingest(catalog: Path, db: Path, cache_dir: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "MOODREEL_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(ROOT)}
    env["MOODREEL_VIBES_PATH"] = str(cache_dir / "no-shipped-vibes.jsonl")  # every title is new
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", "--catalog", str(catalog), "--db", str(db), "--extractor", "fast", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )  # fmt: skip


def kill_partway(
    proc: subprocess.Popen, cache: Path, at_titles: int, extra_s: float
) -> tuple[float, int, bool]:
    """SIGKILL once ``at_titles`` titles are cached (+ ``extra_s``); (seconds, cached, finished first)."""
    start = time.perf_counter()
    while proc.poll() is None and cached_titles(cache) < at_titles:
        time.sleep(0.2)
    deadline = time.perf_counter() + extra_s
    while proc.poll() is None and time.perf_counter() < deadline:
        time.sleep(0.05)
    finished = proc.poll() is not None
    if not finished:
        proc.send_signal(signal.SIGKILL)
    proc.communicate()
    return time.perf_counter() - start, cached_titles(cache), finished


def complete(proc: subprocess.Popen) -> None:
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"the re-run failed ({proc.returncode}):\n{err[-2000:]}")


def census(db: Path, ids: set[str]) -> dict:
    """Rows in the store, distinct ids, and expected ids missing. Read in a child process:
    Milvus Lite keeps a file locked for as long as the process that opened it lives."""
    done = subprocess.run(
        [sys.executable, __file__, "--census", str(db)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if done.returncode != 0:
        raise SystemExit(f"cannot read {db}:\n{done.stderr[-2000:]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    stored = set(found["ids"])
    return {"rows": found["rows"], "distinct": len(stored), "lost": len(ids - stored)}


def print_census(db: str) -> None:
    from moodreel.services import quiet_libraries
    from moodreel.store import MilvusStore

    quiet_libraries()
    store = MilvusStore.open(db)
    if not store.exists():
        print(json.dumps({"rows": 0, "ids": []}))
        return
    # count(*) counts a duplicated id twice; fingerprints() holds each id once.
    print(json.dumps({"rows": store.count(), "ids": sorted(store.fingerprints())}))


def main() -> None:
    if sys.argv[1:2] == ["--census"]:
        print_census(sys.argv[2])
        return
    parser = make_parser(__doc__)
    parser.add_argument(
        "--catalog", type=Path, default=None, help="source catalog (default: the bundled one)"
    )
    parser.add_argument("--rows", type=int, default=2000, help="titles in the generated catalog")
    parser.add_argument("--trials", type=int, default=4, help="kill -9 trials (fresh and rebuild alternate)")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    from moodreel.catalog import load_catalog
    from moodreel.services import quiet_libraries
    from moodreel.settings import Settings

    quiet_libraries()
    rng = random.Random(args.seed)
    trials = []
    with tempfile.TemporaryDirectory(prefix="moodreel-reliability-") as tmp:
        work = Path(tmp)
        catalog = work / "generated.csv"
        expected = make_catalog(args.catalog or Settings().catalog_file, args.rows, catalog)
        ids = {t.id for t in load_catalog(catalog).titles}
        base_db: Path | None = None  # a complete store, for the rebuild trials
        for trial in range(1, args.trials + 1):
            mode = "fresh" if trial % 2 == 1 or base_db is None else "rebuild"
            cache_dir = work / f"cache-{trial}"
            db = work / f"store-{trial}.db" if mode == "fresh" else base_db
            assert db is not None
            at = rng.randrange(0, expected)
            extra = round(rng.uniform(0, 3), 2)
            flags = ("--rebuild",) if mode == "rebuild" else ()
            killed_s, cached, finished = kill_partway(
                ingest(catalog, db, cache_dir, *flags), cache_dir / "vibes.sqlite", at, extra
            )
            after_kill = census(db, ids)
            complete(ingest(catalog, db, cache_dir, *flags))
            after = census(db, ids)
            trials.append(
                {
                    "trial": trial, "mode": mode, "kill_after_cached": at, "extra_s": extra,
                    "killed_after_s": round(killed_s, 1), "finished_before_kill": finished,
                    "cached_at_kill": cached, "expected": expected,
                    "stored_after_kill": after_kill["distinct"], "lost_after_kill": after_kill["lost"],
                    "duplicates_after_kill": after_kill["rows"] - after_kill["distinct"],
                    "stored": after["distinct"], "rows": after["rows"],
                    "duplicates": after["rows"] - after["distinct"], "lost": after["lost"],
                }
            )  # fmt: skip
            print(f"trial {trial} ({mode}): {trials[-1]}", file=sys.stderr)
            if mode == "fresh" and after["lost"] == 0:
                base_db = db

    totals = {
        "expected": sum(t["expected"] for t in trials),
        "stored": sum(t["stored"] for t in trials),
        "duplicates": sum(t["duplicates"] for t in trials),
        "lost": sum(t["lost"] for t in trials),
        "rebuild_lost_after_kill": sum(t["lost_after_kill"] for t in trials if t["mode"] == "rebuild"),
    }
    summary = {"rows": args.rows, "expected_per_trial": expected, "trials": trials, "totals": totals}
    rows = [
        [t["trial"], t["mode"], t["killed_after_s"], t["cached_at_kill"], t["stored_after_kill"],
         t["expected"], t["stored"], t["duplicates"], t["lost"]]
        for t in trials
    ]  # fmt: skip
    rows.append(
        ["all", "", "", "", "", totals["expected"], totals["stored"], totals["duplicates"], totals["lost"]]
    )
    note = (
        "stored after kill: a fresh store holds what was written before the kill; a killed --rebuild "
        f"leaves the previous complete store ({totals['rebuild_lost_after_kill']} rows missing across rebuild trials)"
    )
    finish(
        "reliability",
        args,
        summary,
        [
            table(
                f"kill -9 during ingest of {expected:,} new titles (fast extractor), then a re-run",
                [
                    "trial",
                    "mode",
                    "killed after s",
                    "vibes cached",
                    "stored after kill",
                    "expected",
                    "stored after re-run",
                    "duplicates",
                    "lost",
                ],
                rows,
                note,
            )  # fmt: skip
        ],
    )


if __name__ == "__main__":
    main()
