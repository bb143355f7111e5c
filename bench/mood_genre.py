"""Genre-fit precision@10 of mood search, next to a random pick.

    python bench/mood_genre.py [--moods bench/moods.jsonl] [--db URI] [--parser classifier|llm] [--limit N] [--json]

Each line of the mood file is {"mood": ..., "ok": [genres], "avoid": [genres]}. A result
fits when it has at least one "ok" genre and no "avoid" genre; precision@10 is the mean
fraction of fitting titles in the top 10. "random" draws 10 titles from the same store
(seeded) for every mood.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from moodreel.errors import MoodreelError  # noqa: E402
from moodreel.search.recommender import Recommender  # noqa: E402
from moodreel.services import build_services  # noqa: E402
from moodreel.settings import Settings  # noqa: E402

K = 10


def load_moods(path: Path) -> list[dict]:
    moods = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            moods.append(
                {"mood": str(item["mood"]), "ok": set(item["ok"]), "avoid": set(item.get("avoid", []))}
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise SystemExit(f"{path}: line {number}: expected {{'mood', 'ok', 'avoid'}} ({exc})") from None
    return moods


def fits(genres: list[str], ok: set[str], avoid: set[str]) -> bool:
    g = set(genres)
    return bool(g & ok) and not (g & avoid)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--moods", type=Path, default=Path(__file__).with_name("moods.jsonl"))
    parser.add_argument("--db", default=None, help="Milvus URI (default: the app's store)")
    parser.add_argument("--parser", choices=["classifier", "llm"], default=None)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    moods = load_moods(args.moods)[: args.limit]
    updates = {k: v for k, v in {"milvus_uri": args.db, "mood_parser": args.parser}.items() if v}
    services = build_services(Settings(**updates))
    recommender = Recommender(services)
    catalog = [t.genres for t in services.store.all_titles(["id", "title", "type", "genres"])]
    rng = random.Random(7)

    rows = []
    for item in moods:
        try:
            result = recommender.recommend(item["mood"], K)
        except MoodreelError as exc:
            rows.append({"mood": item["mood"], "error": str(exc), "ours": 0.0, "random": 0.0})
            continue
        ours = sum(fits(r.genres, item["ok"], item["avoid"]) for r in result.results) / K
        sample = rng.sample(catalog, min(K, len(catalog)))
        rand = sum(fits(g, item["ok"], item["avoid"]) for g in sample) / K
        rows.append({"mood": item["mood"], "emotions": result.emotions, "ours": ours, "random": rand})
    n = max(1, len(rows))
    summary = {
        "precision_at_10": round(sum(r["ours"] for r in rows) / n, 3),
        "random_precision_at_10": round(sum(r["random"] for r in rows) / n, 3),
        "moods": len(rows),
        "parser": recommender.mood_parser.name,
    }
    if args.json:
        print(json.dumps(summary))
        return
    print(f"Genre-fit precision@10 on {summary['moods']} moods ({args.moods}), parser: {summary['parser']}")
    print(f"| {'mood':<58} | {'emotions':<34} | ours | random |")
    print(f"|{'-' * 60}|{'-' * 36}|------|--------|")
    for r in rows:
        emotions = ", ".join(r.get("emotions", []))[:34]
        print(f"| {r['mood'][:58]:<58} | {emotions:<34} | {r['ours']:.1f}  | {r['random']:.1f}    |")
    print(
        f"| {'mean':<58} | {'':<34} | {summary['precision_at_10']:.2f} | {summary['random_precision_at_10']:.2f}   |"
    )


if __name__ == "__main__":
    main()
