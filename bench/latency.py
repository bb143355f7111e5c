"""Latency of the product's steps on this machine, p50/p95.

    python bench/latency.py [--db URI] [--runs 20] [--pitches 3] [--json]

- mood -> cards: parse the mood (default parser) + embed + Milvus search + rank + why
- search step alone: embed the emotions + Milvus search + rank + why
- first pitch token / full pitch: the configured LLM, streaming
Peak RSS of this process is reported at the end (it holds what the app holds).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from moodreel.search.recommender import Recommender  # noqa: E402
from moodreel.services import build_services  # noqa: E402
from moodreel.settings import Settings  # noqa: E402

MOODS = [
    "I want to laugh", "I want to be scared out of my mind", "heartbroken, I want to cry it out",
    "cozy evening with my kids", "I need an adrenaline rush", "tense and clever mystery",
    "feeling nostalgic and sentimental", "I want to escape into a magical world",
    "angry at injustice", "lonely tonight, something warm",
]  # fmt: skip


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summarize(values: list[float]) -> dict:
    return {
        "p50_ms": round(1000 * statistics.median(values), 1),
        "p95_ms": round(1000 * pct(values, 0.95), 1),
        "n": len(values),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default=None)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--pitches", type=int, default=3, help="pitches to time (0: skip the LLM)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    settings = Settings(**({"milvus_uri": args.db} if args.db else {}))
    recommender = Recommender(build_services(settings))
    recommender.recommend(MOODS[0], 10)  # load models, warm caches: the app does this at start

    cards, search = [], []
    for i in range(args.runs):
        mood = MOODS[i % len(MOODS)]
        start = time.perf_counter()
        result = recommender.recommend(mood, 10)
        cards.append(time.perf_counter() - start)
        start = time.perf_counter()
        recommender.search(result.emotions, 10)
        search.append(time.perf_counter() - start)
    report = {
        "mood_to_cards": summarize(cards),
        "search_step": summarize(search),
        "store_titles": recommender.services.store.count(),
        "mood_parser": recommender.mood_parser.name,
    }

    if args.pitches:
        first, full = [], []
        result = recommender.recommend(MOODS[0], args.pitches)
        recommender.pitch(result.results[0], result.mood, result.emotions)  # load the LLM
        for rec in result.results[: args.pitches]:
            start = time.perf_counter()
            seen_first = False
            for _chunk in recommender.stream_pitch(rec, result.mood, result.emotions):
                if not seen_first:
                    first.append(time.perf_counter() - start)
                    seen_first = True
            full.append(time.perf_counter() - start)
        report["first_pitch_token"] = summarize(first)
        report["full_pitch"] = summarize(full)
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    if args.json:
        print(json.dumps(report))
        return
    print(f"Latency on {report['store_titles']} titles, mood parser {report['mood_parser']}")
    print(f"| {'step':<22} | {'p50 ms':>9} | {'p95 ms':>9} | {'n':>3} |")
    print(f"|{'-' * 24}|{'-' * 11}|{'-' * 11}|-----|")
    for key in ("mood_to_cards", "search_step", "first_pitch_token", "full_pitch"):
        if key in report:
            r = report[key]
            print(f"| {key:<22} | {r['p50_ms']:>9} | {r['p95_ms']:>9} | {r['n']:>3} |")
    print(f"peak RSS: {report['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
