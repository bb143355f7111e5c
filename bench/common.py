"""What every bench script shares: the machine it ran on, the --json / --save flags, the
results file, and a markdown table printer.

``--save`` writes ``bench/results/<name>.json``: ``{"bench", "command", "date", "machine",
"seconds", "summary", "tables"}``; ``bench/report.py`` turns those files into RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = Path(__file__).resolve().with_name("results")
SHARED_DATA = ROOT.parent / "shared" / "data"
STARTED = time.perf_counter()

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def make_parser(doc: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument(
        "--save", action="store_true", help=f"also write the results to {RESULTS_DIR.relative_to(ROOT)}/"
    )
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR, help=argparse.SUPPRESS)
    return parser


def read_jsonl(path: Path) -> Iterator[tuple[str, dict]]:
    """(``file:line``, object) for each non-blank line of a JSON-lines file; a line that is not
    a JSON object exits naming its file and line."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"{where}: not valid JSON: {exc.msg} (column {exc.colno})") from None
        if not isinstance(row, dict):
            raise SystemExit(f"{where}: expected a JSON object")
        yield where, row


def machine() -> dict:
    """CPU model and cores, memory, OS, Python and torch versions, GPU if any."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        memory_gib = None
    info = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }
    try:
        import torch

        info["torch"] = torch.__version__
        info["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    except ImportError:
        pass
    return info


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


Table = dict  # {"title": str, "columns": [str], "rows": [[cell, ...]], "note": str}


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence], note: str = "") -> Table:
    return {"title": title, "columns": list(columns), "rows": [list(r) for r in rows], "note": note}


def cell(value) -> str:
    if isinstance(value, float):
        if abs(value) <= 1:
            return f"{value:.3f}"
        return f"{value:.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def markdown(t: Table) -> str:
    lines = [
        "| " + " | ".join(t["columns"]) + " |",
        "|" + "|".join("---" for _ in t["columns"]) + "|",
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in t["rows"]]
    return "\n".join(lines)


def finish(name: str, args: argparse.Namespace, summary: dict, tables: Sequence[Table]) -> None:
    """Print (JSON or tables) and, with --save, write the results file."""
    if args.save:
        args.results_dir.mkdir(parents=True, exist_ok=True)
        record = {
            "bench": name,
            "command": "python " + " ".join([f"bench/{name}.py", *sys.argv[1:]]).replace(" --save", ""),
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "seconds": round(time.perf_counter() - STARTED, 1),
            "summary": summary,
            "tables": list(tables),
        }
        path = args.results_dir / f"{name}.json"
        path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    for t in tables:
        print(f"\n{t['title']}\n")
        print(markdown(t))
        if t.get("note"):
            print(f"\n{t['note']}")


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def p50_p95_ms(seconds: Sequence[float]) -> tuple[float, float]:
    """Median and 95th percentile of timings in seconds, as milliseconds."""
    return 1000 * statistics.median(seconds), 1000 * percentile(seconds, 0.95)
