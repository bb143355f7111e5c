"""Regenerate bench/RESULTS.md (and its PNG plots) from bench/results/*.json.

    python bench/report.py [--results-dir bench/results] [--out bench/RESULTS.md]

Every bench script writes its results file with ``--save``; ``make bench`` runs them all
and then this. Each section names the command, machine and date of its run.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from common import RESULTS_DIR, markdown

# Sections assembled from several runs (each table names its command) live as Markdown here.
SECTIONS = Path(__file__).with_name("sections")

ORDER = [
    ("goemotions", "Mood parsing (GoEmotions)"),
    ("mood_genre", "Recommendation quality (genre fit)"),
    ("relevance", "Relevance: genre fit, topic fit, junk, and the ablation"),
    ("typed_requests", "Requests as people type them: dev/test, graded reading, feeling readers"),
    ("extraction", "Title extraction"),
    ("latency", "Speed"),
    ("pitch", "Pitch quality and speed"),
    ("pitch_judged", "Pitches read against their synopses: judged rates and the check's precision/recall"),
    ("ingest", "Ingest throughput"),
    ("ingest_endpoint", "Ingest: the LLM extractor over an OpenAI-compatible endpoint"),
    ("personalization", "Personalization"),
    ("scale", "Scale: Milvus Lite, a Milvus server, numpy and FAISS"),
    (
        "scale_indexes",
        "Scale: HNSW, IVF_FLAT and IVF_SQ8 on the Milvus server; Milvus Lite at 200,000 titles",
    ),
    ("scale_1m", "Scale: one million titles on the Milvus 2.3.5 server (HNSW)"),
    ("features", "More like this, mood journeys, watching together"),
    ("follow_ups", "Follow-ups: refining a search in words"),
    ("load", "Load: searches in flight, a memory soak, hostile bodies, SIGTERM"),
    ("reliability", "Reliability: kill -9 during ingest"),
    ("personal_text", "Personalized text: steering and fine-tuning"),
]


def load(results_dir: Path) -> dict[str, dict]:
    found = {}
    for path in sorted(results_dir.glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise SystemExit(f"{path}: not valid JSON ({exc})") from None
        found[record.get("bench", path.stem)] = record
    return found


def machine_line(m: dict) -> str:
    parts = [f"{m.get('cpu', '?')}, {m.get('cores', '?')} cores", f"{m.get('memory_gib', '?')} GiB"]
    parts.append(f"GPU {m['gpu']}" if m.get("gpu") else "no GPU")
    parts.append(f"{m.get('os', '')}, Python {m.get('python', '')}, torch {m.get('torch', '')}")
    return "; ".join(parts)


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend (no display here)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_scale(record: dict, out_dir: Path) -> str | None:
    rows = record["summary"]["results"]
    if len({r["rows"] for r in rows}) < 2:
        return None
    plt = pyplot()

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, key, title in (
        (axes[0], "search_p50_ms", "no filter"),
        (axes[1], "filtered_p50_ms", "with a filter"),
    ):
        label = lambda r: " ".join(filter(None, (r["backend"], r.get("index"))))  # noqa: E731
        for name in dict.fromkeys(label(r) for r in rows):
            points = sorted((r["rows"], r[key]) for r in rows if label(r) == name)
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=name)
        ax.set(xscale="log", yscale="log", xlabel="titles", title=f"search p50, k=10, {title}")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("ms")
    axes[1].legend()
    fig.tight_layout()
    path = out_dir / "scale_latency.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path.name


def plot_per_label(record: dict, out_dir: Path) -> str | None:
    summary = record["summary"]
    systems = [s for s in ("classifier", "zero-shot") if s in summary and "per_label" in summary[s]]
    if not systems:
        return None
    plt = pyplot()
    import numpy as np

    labels = sorted(summary[systems[0]]["per_label"], key=lambda k: -summary[systems[0]]["per_label"][k])
    x = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(11, 4))
    width = 0.8 / len(systems)
    for i, system in enumerate(systems):
        ax.bar(x + i * width, [summary[system]["per_label"][k] for k in labels], width, label=system)
    ax.set_xticks(x + width * (len(systems) - 1) / 2, labels, rotation=60, ha="right")
    ax.set(ylabel="F1", title="GoEmotions per-label F1")
    ax.legend()
    fig.tight_layout()
    path = out_dir / "goemotions_per_label.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path.name


PLOTS = {"scale": plot_scale, "goemotions": plot_per_label}


def render(records: dict[str, dict], out_dir: Path) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Generated by `python bench/report.py` from `bench/results/*.json` (`make bench` runs every",
        "script with `--save`, then this). Each section says how to re-run it and where it ran.",
        "",
    ]
    for name, heading in ORDER:
        record = records.get(name)
        lines += [f"## {heading}", ""]
        written = SECTIONS / f"{name}.md"
        if record is None and written.exists():  # several runs' tables, each with its command
            lines += [written.read_text(encoding="utf-8").strip(), ""]
            continue
        if record is None:
            lines += [f"Not run yet: `python bench/{name}.py --save`.", ""]
            continue
        lines += [
            f"`{record['command']}` on {record['date']}, {record.get('seconds', '?')} s",
            "",
            f"Machine: {machine_line(record.get('machine', {}))}",
            "",
        ]
        for t in record["tables"]:
            lines += [f"**{t['title']}**", "", markdown(t), ""]
            if t.get("note"):
                lines += [t["note"], ""]
        plot = PLOTS.get(name)
        image = plot(record, out_dir) if plot else None
        if image:
            lines += [f"![{heading}]({image})", ""]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    args = parser.parse_args()
    records = load(args.results_dir)
    if not records:
        raise SystemExit(
            f"no results in {args.results_dir}: run the bench scripts with --save (or `make bench`)"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(records, args.out.parent), encoding="utf-8")
    print(f"wrote {args.out} from {len(records)} results files")


if __name__ == "__main__":
    main()
