"""Load on a real server: many clients at once against `moodreel serve` on the bundled store.

    python bench/load.py [--db URI] [--requests 200] [--concurrency 50] [--pitch-requests 4] [--json] [--save]

Starts the real app (``python -m moodreel.cli serve``) on a free port over a copy of the
store (Milvus Lite allows one process per file, so the copy leaves a running app alone),
waits until it answers, then:

- search: ``--requests`` POST /api/recommend (k=10, no pitch, 20 different moods),
  ``--concurrency`` of them in flight at any time;
- search + pitch: ``--pitch-requests`` requests with ``"pitch": true`` and k=1, all at once
  (each pitch is an LLM call: a few seconds each on CPU, one at a time in-process);
- hostile: the same number of oversized or invalid bodies (a 2 MB body, 300,000 genres,
  NaN), in flight alongside normal searches: they must be refused fast (413/422) and must
  not slow the others down;

and reports per run: answers by status, errors (anything not the expected status, or no
answer), p50/p95/max latency, throughput; then stops the server with SIGTERM and reports
how long it took and the server's peak memory.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import ROOT, finish, make_parser, p50_p95_ms, table

MOODS = [
    "I want to laugh", "I want to be scared out of my mind", "heartbroken, I want to cry it out",
    "cozy evening with my kids", "I need an adrenaline rush", "tense and clever mystery",
    "feeling nostalgic and sentimental", "I want to escape into a magical world",
    "angry at injustice", "lonely tonight, something warm",
    "bored, surprise me", "I need hope after a rough week", "date night, sweet and a bit silly",
    "curious about how the world works", "wired and restless, can't sleep",
    "grieving, want something gentle", "proud of my team, want an underdog story",
    "spooky but not gory", "I want to feel inspired to travel", "stressed, need to switch off",
]  # fmt: skip
HOSTILE = [  # (body, expected status)
    (json.dumps({"mood": "x" * 2_000_000}), 413),
    (json.dumps({"mood": "x", "filters": {"genres": ["g"] * 300_000}}), 413),
    ('{"mood": "x", "filters": {"min_imdb_score": NaN}}', 422),
    (json.dumps({"mood": "x", "filters": {"genres": ["drama"] * 51}}), 422),
]


def copy_store(uri: str, into: Path) -> str:
    """A copy of a Milvus Lite store (file or folder) under ``into``; a server URI is used as is."""
    source = Path(uri)
    if uri.startswith(("http://", "https://", "tcp://")) or not source.exists():
        return uri
    target = into / source.name
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copy2(source, target)
    return str(target)


def start_server(db: str, port: int, log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "MOODREEL_MILVUS_URI": db, "PYTHONPATH": str(ROOT)}
    env.pop("MOODREEL_AUTH", None)
    with log_path.open("w") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "moodreel.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def wait_ready(proc: subprocess.Popen, base: str, log_path: Path, timeout_s: float = 600) -> float:
    import httpx

    started = time.monotonic()
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited ({proc.returncode}): {log_path.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        if time.monotonic() - started > timeout_s:
            proc.kill()
            raise SystemExit(f"the server did not answer within {timeout_s:.0f} s; see {log_path}")
        time.sleep(0.5)


Body = tuple[str, str, int]  # (label, JSON body, expected status)
Result = tuple[list[float], Counter, int, float]  # latencies, answers by status, errors, wall seconds


async def run_load(base: str, bodies: list[Body], concurrency: int, timeout_s: float) -> dict[str, Result]:
    """POST every body with at most ``concurrency`` in flight; results per label (latencies
    of the answers with the expected status)."""
    import httpx

    gate = asyncio.Semaphore(concurrency)
    latencies: dict[str, list[float]] = {label: [] for label, _, _ in bodies}
    statuses: dict[str, Counter] = {label: Counter() for label in latencies}
    errors: Counter = Counter()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=timeout_s, limits=limits) as client:

        async def one(label: str, body: str, expected: int) -> None:
            async with gate:
                started = time.perf_counter()
                try:
                    response = await client.post(
                        "/api/recommend", content=body, headers={"content-type": "application/json"}
                    )
                except httpx.HTTPError as exc:
                    statuses[label][type(exc).__name__] += 1
                    errors[label] += 1
                    return
                statuses[label][response.status_code] += 1
                if response.status_code == expected:
                    latencies[label].append(time.perf_counter() - started)
                else:
                    errors[label] += 1

        started = time.perf_counter()
        await asyncio.gather(*(one(*body) for body in bodies))
        wall = time.perf_counter() - started
    return {label: (latencies[label], statuses[label], errors[label], wall) for label in latencies}


def searches(label: str, n: int, k: int, pitch: bool) -> list[Body]:
    return [
        (label, json.dumps({"mood": MOODS[i % len(MOODS)], "k": k, "pitch": pitch}), 200) for i in range(n)
    ]


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def row(name: str, concurrency: int, result: Result) -> tuple[list, dict]:
    latencies, statuses, errors, wall = result
    total = sum(statuses.values())
    p50, p95 = p50_p95_ms(latencies) if latencies else (float("nan"), float("nan"))
    top = 1000 * max(latencies) if latencies else float("nan")
    answers = ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items(), key=lambda p: str(p[0])))
    throughput = total / wall if wall else 0.0
    summary = {
        "requests": total,
        "concurrency": concurrency,
        "answers": {str(s): n for s, n in statuses.items()},
        "errors": errors,
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(top, 1),
        "throughput_rps": round(throughput, 2),
        "wall_s": round(wall, 1),
    }
    return [name, total, concurrency, answers, errors, p50, p95, top, throughput], summary


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--db", default=None, help="store to copy (default: the app's store)")
    parser.add_argument("--requests", type=int, default=200, help="searches without pitches")
    parser.add_argument("--concurrency", type=int, default=50, help="requests in flight at once")
    parser.add_argument("--pitch-requests", type=int, default=4, help="searches with a pitch (0: skip)")
    parser.add_argument("--timeout", type=float, default=600, help="client timeout per request, seconds")
    args = parser.parse_args()

    import httpx

    from moodreel.local_server import free_port
    from moodreel.settings import Settings

    settings = Settings()
    source = args.db or settings.store_uri
    work = Path(tempfile.mkdtemp(prefix="moodreel-load-"))
    try:
        db = copy_store(source, work)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log_path = work / "server.log"
        proc = start_server(db, port, log_path)
        try:
            startup = wait_ready(proc, base, log_path)
            titles = httpx.get(f"{base}/api/health", timeout=10).json()["titles"]
            asyncio.run(run_load(base, searches("warm", 5, 10, False), 5, args.timeout))
            rows, summary = [], {"titles": titles, "startup_s": round(startup, 1)}
            runs = [searches("search", args.requests, 10, False)]
            if args.pitch_requests:
                runs.append(searches("search + pitch", args.pitch_requests, 1, True))
            hostile = [("hostile (413/422)", *HOSTILE[i % len(HOSTILE)]) for i in range(args.requests)]
            others = searches("search beside hostile", args.requests, 10, False)
            runs.append([b for pair in zip(hostile, others) for b in pair])
            for bodies in runs:
                concurrency = min(args.concurrency, len(bodies))
                for name, result in asyncio.run(run_load(base, bodies, concurrency, args.timeout)).items():
                    line, summary[name] = row(name, concurrency, result)
                    rows.append(line)
            summary["server_peak_rss_mb"] = peak_rss_mb(proc.pid)
            stopping = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=120)
            summary["sigterm_stop_s"] = round(time.monotonic() - stopping, 1)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    note = (
        f"A real `moodreel serve` over a copy of {source} ({titles:,} titles), started in "
        f"{summary['startup_s']} s; clients are httpx (asyncio) in this process. Latency is per answered "
        "request with the expected status (200; 413/422 for the hostile bodies, sent interleaved with as many "
        "normal searches); req/s counts the whole run. Errors = wrong status or no answer. Server peak RSS "
        f"{summary['server_peak_rss_mb']} MB; after SIGTERM it stopped in {summary['sigterm_stop_s']} s."
    )
    tables = [
        table(
            f"Load: {args.concurrency} clients at once against a real server",
            ["run", "requests", "in flight", "answers", "errors", "p50 ms", "p95 ms", "max ms", "req/s"],
            rows,
            note,
        )
    ]
    finish("load", args, summary, tables)


if __name__ == "__main__":
    main()
