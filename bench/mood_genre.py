"""Genre-fit precision of mood search: ours next to the prototype's method, a synopsis
search and random picks, on the same store and embedder.

    python bench/mood_genre.py [--moods bench/moods.jsonl] [--db URI] [--parser classifier|llm]
                               [--limit N] [--json] [--save]

Each line of the mood file is {"mood": ..., "ok": [genres], "avoid": [genres]} (genres as
in the catalog, any case; "avoid" optional). A result
fits when it has at least one "ok" genre and no "avoid" genre; precision@k is the mean
fraction of fitting titles in the top k. Methods:
- ours: the product's recommender (the request reader's ``MoodQuery``: feelings, plot and
  genre prior fused per request into one vector, inferred filters, re-ranking, the
  quality floor; ``Recommender.recommend``).
- prototype: the method this product grew from, re-implemented on our embedder and
  store: one embedding of each title's joined emotion string ("joy, hope, ..."), the
  query is the joined mood emotions (our parser's, standing in for its LLM), cosine top
  10. The prototype then showed one of its top 3 at random, so its P@3 is the expected
  fit of what a user saw.
- synopsis search: embed every synopsis, the query is the mood sentence itself.
- random: 10 titles drawn from the same store (seeded) for every mood.
``--json`` prints {"precision_at_10": <ours>, ...}.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np

from common import finish, make_parser, table

K = 10


def load_moods(path: Path) -> list[dict]:
    if not path.exists():
        raise SystemExit(f"mood file {path} not found")
    moods = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            moods.append(
                {
                    "mood": str(item["mood"]),
                    "ok": {str(g).lower() for g in item["ok"]},
                    "avoid": {str(g).lower() for g in item.get("avoid") or []},
                }
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise SystemExit(f"{path}: line {number}: expected {{'mood', 'ok', 'avoid'}} ({exc})") from None
    if not moods:
        raise SystemExit(f"mood file {path} has no moods")
    return moods


def fits(genres, ok: set[str], avoid: set[str]) -> bool:
    g = set(genres)
    return bool(g & ok) and not (g & avoid)


def precision(genre_lists, item: dict, k: int) -> float:
    return sum(fits(g, item["ok"], item["avoid"]) for g in list(genre_lists)[:k]) / k


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--moods", type=Path, default=Path(__file__).with_name("moods.jsonl"))
    parser.add_argument("--db", default=None, help="Milvus URI (default: the app's store)")
    parser.add_argument("--parser", choices=["classifier", "llm"], default=None)
    parser.add_argument("--limit", type=int, default=None, help="only the first N moods")
    args = parser.parse_args()

    from moodreel.embedding import embed_cached
    from moodreel.errors import MoodreelError
    from moodreel.search.recommender import Recommender
    from moodreel.services import build_services
    from moodreel.settings import Settings

    moods = load_moods(args.moods)[: args.limit]
    updates = {k: v for k, v in {"milvus_uri": args.db, "mood_parser": args.parser}.items() if v}
    services = build_services(Settings(**updates))
    recommender = Recommender.from_services(services)
    mood_parser = recommender.queries.parser
    titles = services.store.all_titles(["id", "title", "type", "genres", "description", "emotions"])
    if not titles:
        raise SystemExit(f"the store {services.settings.store_uri} is empty: run `python -m ingest` first")
    genres = [t.genres for t in titles]
    cache = services.settings.state_dir / "bench"
    embedder = services.embedder
    emotion_strings = embed_cached(embedder, [", ".join(t.emotions) for t in titles], cache)
    synopses = embed_cached(embedder, [f"{t.title}. {t.description}" for t in titles], cache)
    rng = random.Random(7)

    def top(matrix: np.ndarray, query: np.ndarray) -> list:
        return [genres[i] for i in np.argsort(-(matrix @ query))[:K]]

    methods = ("ours", "prototype", "synopsis search", "random")
    rows = []
    for item in moods:
        try:
            result = recommender.recommend(item["mood"], K)
        except MoodreelError as exc:
            rows.append({"mood": item["mood"], "error": str(exc), **{m: (0.0, 0.0) for m in methods}})
            continue
        mood_emotions = mood_parser.parse(item["mood"]).emotions
        ranked = {
            "ours": [r.genres for r in result.results],
            "prototype": top(emotion_strings, embedder.embed([", ".join(mood_emotions)])[0]),
            "synopsis search": top(synopses, embedder.embed([item["mood"]])[0]),
            "random": rng.sample(genres, min(K, len(genres))),
        }
        rows.append(
            {
                "mood": item["mood"],
                "emotions": result.emotions,
                **{m: (precision(ranked[m], item, K), precision(ranked[m], item, 3)) for m in methods},
            }
        )
    n = len(rows)
    mean = {
        m: (round(sum(r[m][0] for r in rows) / n, 3), round(sum(r[m][1] for r in rows) / n, 3))
        for m in methods
    }
    summary = {
        "precision_at_10": mean["ours"][0],
        "precision_at_3": mean["ours"][1],
        "prototype_precision_at_10": mean["prototype"][0],
        "prototype_precision_at_3": mean["prototype"][1],
        "synopsis_precision_at_10": mean["synopsis search"][0],
        "random_precision_at_10": mean["random"][0],
        "moods": n,
        "errors": sum("error" in r for r in rows),
        "parser": mood_parser.name,
        "store_titles": len(titles),
    }
    tables = [
        table(
            f"Genre-fit precision on {n} moods ({args.moods.name}), {len(titles):,} titles, parser {summary['parser']}",
            ["method", "precision@10", "precision@3"],
            [[m, *mean[m]] for m in methods],
            "prototype: joined-emotion-string embeddings (its single shown pick is one of its top 3 at random: "
            "P@3 is that pick's expected fit); synopsis search: the mood sentence against synopsis embeddings.",
        ),
        table(
            "Per mood, precision@10",
            ["mood", "search words", *methods],
            [
                [r["mood"][:60], ", ".join(r.get("emotions", []))[:40], *(r[m][0] for m in methods)]
                for r in rows
            ],
        ),
    ]
    finish("mood_genre", args, summary, tables)


if __name__ == "__main__":
    main()
