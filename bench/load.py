"""Load on a real server: many clients at once against `moodreel serve` on the bundled store.

    python bench/load.py [--db URI] [--requests 200] [--concurrency 50,200] [--pitch-requests 4]
                         [--soak-minutes 0] [--json] [--save]

Starts the real app (``python -m moodreel.cli serve``) on a free port over a copy of the
store (Milvus Lite allows one process per file, so the copy leaves a running app alone),
waits until it answers, then:

- search: ``--requests`` POST /api/recommend (k=10, no pitch, 20 different moods),
  ``--concurrency`` of them in flight at any time, once per level given (``50,200``), with
  the server's resident memory sampled every 0.5 s (peak per level);
- search + pitch: ``--pitch-requests`` requests with ``"pitch": true`` and k=1, all at once
  (each pitch is an LLM call: a few seconds each on CPU, one at a time in-process);
- hostile: the same number of oversized or invalid bodies (a 2 MB body, 300,000 genres,
  NaN), in flight alongside normal searches: they must be refused fast (413/422) and must
  not slow the others down;

- soak (``--soak-minutes M``): for M minutes, searches (4 in flight) and searches with
  pitches (k=1, 2 in flight: the two LLM contexts) mixed, the server's memory sampled every
  10 s (resident, and of it anonymous = heap, file = mapped model and libraries): where it
  settles, and whether it still grows in the second half (MB per minute);

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
import threading
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


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Milvus Lite runs its server as a child process)."""
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(proc.name))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo += children.get(current, [])
    return out


def memory_mb(pid: int) -> dict[str, float]:
    """Resident memory now of the process and its children (summed), and its anonymous (heap)
    and file-backed (mapped files) parts."""
    out: dict[str, float] = {}
    for member in _tree(pid):
        try:
            lines = Path(f"/proc/{member}/status").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                out[key] = round(out.get(key, 0.0) + int(value.split()[0]) / 1024, 1)
    return out


class Sampler:
    """Samples ``memory_mb(pid)`` every ``every_s`` seconds in a thread while in a ``with``."""

    def __init__(self, pid: int, every_s: float) -> None:
        self.pid, self.every_s = pid, every_s
        self.samples: list[tuple[float, dict[str, float]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        started = time.monotonic()
        while True:
            self.samples.append((time.monotonic() - started, memory_mb(self.pid)))
            if self._stop.wait(self.every_s):
                return

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self, key: str = "VmRSS") -> float | None:
        values = [m[key] for _, m in self.samples if key in m]
        return max(values) if values else None


async def soak(base: str, minutes: float, timeout_s: float) -> dict[str, Result]:
    """Searches (4 in flight) and searches with a pitch (2 in flight) until ``minutes`` pass."""
    import httpx

    deadline = time.monotonic() + 60 * minutes
    latencies: dict[str, list[float]] = {"soak search": [], "soak search + pitch": []}
    statuses: dict[str, Counter] = {label: Counter() for label in latencies}
    errors: Counter = Counter()
    async with httpx.AsyncClient(base_url=base, timeout=timeout_s) as client:

        async def worker(label: str, offset: int, k: int, pitch: bool) -> None:
            i = offset
            while time.monotonic() < deadline:
                body = {"mood": MOODS[i % len(MOODS)], "k": k, "pitch": pitch}
                i += 7
                started = time.perf_counter()
                try:
                    response = await client.post("/api/recommend", json=body)
                except httpx.HTTPError as exc:
                    statuses[label][type(exc).__name__] += 1
                    errors[label] += 1
                    continue
                statuses[label][response.status_code] += 1
                if response.status_code == 200:
                    latencies[label].append(time.perf_counter() - started)
                else:
                    errors[label] += 1

        started = time.perf_counter()
        await asyncio.gather(
            *(worker("soak search", i, 10, False) for i in range(4)),
            *(worker("soak search + pitch", 3 * i + 1, 1, True) for i in range(2)),
        )
        wall = time.perf_counter() - started
    return {label: (latencies[label], statuses[label], errors[label], wall) for label in latencies}


def memory_trend(samples: list[tuple[float, dict[str, float]]]) -> dict:
    """Where the memory settles and how fast it still moves: the least-squares slope (MB per
    minute) over the second half of the run, per kind."""
    out: dict = {}
    half = samples[len(samples) // 2 :]
    for key, name in (("VmRSS", "rss"), ("RssAnon", "anon"), ("RssFile", "file")):
        points = [(t / 60, m[key]) for t, m in half if key in m]
        values = [m[key] for _, m in samples if key in m]
        if len(points) < 3:
            continue
        mean_t = sum(t for t, _ in points) / len(points)
        mean_v = sum(v for _, v in points) / len(points)
        var = sum((t - mean_t) ** 2 for t, _ in points)
        slope = sum((t - mean_t) * (v - mean_v) for t, v in points) / var if var else 0.0
        out[name] = {
            "start_mb": values[0], "max_mb": max(values), "end_mb": values[-1],
            "second_half_mean_mb": round(mean_v, 1), "second_half_slope_mb_per_min": round(slope, 2),
        }  # fmt: skip
    return out


_CONTEXT_COST = """
import json, os, sys
from pathlib import Path
from moodreel.llm.factory import make_chat_model
from moodreel.settings import Settings

def memory():
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile"):
            out[key] = round(int(value.split()[0]) / 1024, 1)
    return out

contexts = int(sys.argv[1])
chat = make_chat_model(Settings(llm_backend="local", llm_contexts=contexts))
out, kept = [dict(contexts=0, **memory())], []
for n in range(1, contexts + 1):
    kept.append(chat._new_context())  # what the app's pool builds for each context
    kept[-1].create_chat_completion([dict(role="user", content="Say hi.")], max_tokens=8)
    out.append(dict(contexts=n, **memory()))
print(json.dumps(out))
"""


def context_cost(contexts: int = 3) -> list[dict]:
    """This process's memory as llama.cpp contexts over the packaged model are built one by
    one (``LlamaCppChat._new_context``, as the app's pool builds them), each then answering
    once; in a subprocess, so nothing else this bench loaded is counted."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _CONTEXT_COST, str(contexts)], capture_output=True, text=True, env=env, cwd=ROOT,
        timeout=900,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"context cost failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


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
    parser.add_argument(
        "--concurrency", default="50,200", help="searches in flight at once (levels, comma-separated)"
    )
    parser.add_argument(
        "--soak-minutes", type=float, default=0, help="minutes of mixed searches and pitches (0: skip)"
    )
    parser.add_argument(
        "--context-cost", type=int, default=0, help="measure memory per LLM context, up to N (0: skip)"
    )
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
            summary = {
                "titles": titles,
                "startup_s": round(startup, 1),
                "memory_after_start_mb": memory_mb(proc.pid),
            }
            rows: list[list] = []
            levels = [int(c) for c in str(args.concurrency).split(",") if c.strip()]
            summary["search_by_concurrency"] = {}
            for level in levels:  # searches only, at each level; "search" is the first level's
                with Sampler(proc.pid, 0.5) as sampler:
                    bodies = searches("search", args.requests, 10, False)
                    result = asyncio.run(run_load(base, bodies, min(level, len(bodies)), args.timeout))[
                        "search"
                    ]
                line, figures = row("search", min(level, args.requests), result)
                figures["server_peak_rss_mb"] = sampler.peak()
                summary["search_by_concurrency"][str(level)] = figures
                summary.setdefault("search", figures)
                rows.append(line)
            concurrency = levels[0]
            runs = []
            if args.pitch_requests:
                runs.append(searches("search + pitch", args.pitch_requests, 1, True))
            hostile = [("hostile (413/422)", *HOSTILE[i % len(HOSTILE)]) for i in range(args.requests)]
            others = searches("search beside hostile", args.requests, 10, False)
            runs.append([b for pair in zip(hostile, others) for b in pair])
            for bodies in runs:
                for name, result in asyncio.run(
                    run_load(base, bodies, min(concurrency, len(bodies)), args.timeout)
                ).items():
                    line, summary[name] = row(name, min(concurrency, len(bodies)), result)
                    rows.append(line)
            if args.soak_minutes:
                with Sampler(proc.pid, 10.0) as sampler:
                    soaked = asyncio.run(soak(base, args.soak_minutes, args.timeout))
                for name, result in soaked.items():
                    line, summary[name] = row(name, 4 if name == "soak search" else 2, result)
                    rows.append(line)
                summary["soak"] = {
                    "minutes": args.soak_minutes,
                    "trend": memory_trend(sampler.samples),
                    "samples": [{"t_s": round(t, 1), **m} for t, m in sampler.samples],
                }
            summary["server_peak_rss_mb"] = peak_rss_mb(proc.pid)
            summary["memory_at_end_mb"] = memory_mb(proc.pid)
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
        f"{summary['server_peak_rss_mb']} MB (VmHWM of the app's process; Milvus Lite's child process not "
        f"included); after SIGTERM it stopped in {summary['sigterm_stop_s']} s."
    )
    tables = [
        table(
            f"Load against a real server: searches at {args.concurrency} in flight, the other runs at "
            f"{str(args.concurrency).split(',')[0]}",
            ["run", "requests", "in flight", "answers", "errors", "p50 ms", "p95 ms", "max ms", "req/s"],
            rows,
            note,
        ),
        table(
            "Searches in flight and the server's memory",
            ["in flight", "requests", "errors", "p50 ms", "p95 ms", "req/s", "server peak RSS MB"],
            [
                [
                    c,
                    f["requests"],
                    f["errors"],
                    f["p50_ms"],
                    f["p95_ms"],
                    f["throughput_rps"],
                    f["server_peak_rss_mb"],
                ]
                for c, f in summary["search_by_concurrency"].items()
            ],  # fmt: skip
            "RSS sampled every 0.5 s during each level (searches only, no pitches): the app's process and its "
            "children (Milvus Lite runs as one).",
        ),
    ]
    if "soak" in summary:
        trend = summary["soak"]["trend"]
        tables.append(
            table(
                f"Memory soak: {args.soak_minutes:g} minutes of searches (4 in flight) and pitches (2 in flight)",
                [
                    "memory",
                    "after start MB",
                    "soak start MB",
                    "max MB",
                    "end MB",
                    "2nd-half mean MB",
                    "2nd-half slope MB/min",
                ],  # fmt: skip
                [
                    [
                        name,
                        summary["memory_after_start_mb"].get(key),
                        t["start_mb"],
                        t["max_mb"],
                        t["end_mb"],
                        t["second_half_mean_mb"],
                        t["second_half_slope_mb_per_min"],
                    ]
                    for name, key in (("rss", "VmRSS"), ("anon", "RssAnon"), ("file", "RssFile"))
                    if (t := trend.get(name))
                ],  # fmt: skip
                "Sampled every 10 s from /proc/PID/status of the app's process and its children (Milvus Lite): rss = VmRSS, anon = RssAnon (heap: Python, torch, "
                "llama.cpp's contexts), file = RssFile (mapped model weights and libraries, shared with the page "
                "cache). Slope: least squares over the second half.",
            )
        )
    if args.context_cost:
        costs = summary["context_cost"] = context_cost(args.context_cost)
        tables.append(
            table(
                "Memory of each llama.cpp context over the packaged 1.5B model",
                ["contexts", "RSS MB", "anon MB", "file MB", "anon added MB"],
                [
                    [
                        c["contexts"],
                        c.get("VmRSS"),
                        c.get("RssAnon"),
                        c.get("RssFile"),
                        round(c["RssAnon"] - costs[i - 1]["RssAnon"], 1) if i else None,
                    ]
                    for i, c in enumerate(costs)
                ],  # fmt: skip
                "A fresh process: the app's chat model, then each context built as the app's pool builds it "
                "and asked for one short answer. anon = the context's own buffers (KV cache, compute); file = "
                "the mapped weights (each context maps the same GGUF: the file pages are shared, so RSS counts "
                "them once per mapping while the machine holds them once).",
            )
        )
    finish("load", args, summary, tables)


if __name__ == "__main__":
    main()
