"""Relevance of the top 10 as a user feels it: genre fit, topic fit, asked-for constraints,
junk, for the product and for each signal and fusion step on its own (the ablation).

    python bench/relevance.py [--moods bench/relevance_moods.jsonl ...] [--split dev|test|all]
                              [--db URI] [--limit N] [--methods a,b] [--show N] [--picks FILE]
                              [--json] [--save]

``--split``: each case is in "dev" (tune on it) or "test" (read only at the end) by a seeded
hash of its sentence; with "all" (the default) both halves are also reported side by side.
``--moods`` takes several sets (bench/relevance_typed.jsonl: 246 requests as people type
them, by eight writers' styles). ``--picks FILE`` writes each case's top 10 for "ours".

The mood set (bench/relevance_metrics.py says the format) holds sentences of nine kinds:
pure feelings, felt-vs-wanted, negations, topics, audience, format, era, language, named
genres. Metrics, each a share of the top 10 averaged over moods:
- genre-fit: has an "ok" genre and no "avoid" genre;
- topic-fit (moods that name a topic): title+synopsis matches the mood's regex;
- expect-fit (moods that state a constraint): type, runtime, years, country, family-safe;
- junk: no genres or fewer than 100 IMDb votes.
Methods (same store, embedder and parser):
- old product: the mood parser's emotions + nearest feeling words of the whole text, vibe
  vector only (what the product did before this work);
- plot only / genre prior only / vibe only: one signal of the understood request, no
  filters, no re-ranking;
- fixed mix: the three signals at equal weight, with filters and re-ranking;
- RRF: one search per signal (with filters), fused by reciprocal rank (k=60), as Milvus'
  ``hybrid_search`` with an ``RRFRanker`` over three vector fields would;
- ours without filters / without re-ranking / without the quality floor;
- ours: per-request weights, inferred filters, re-ranking, quality floor.
``--show N`` prints the top 5 titles of the first N moods for reading by eye.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from relevance_metrics import KINDS, load_cases, score_top_k

from common import finish, make_parser, table

K = 10


def _record(rec) -> dict:
    t = rec.stored
    return {
        "id": t.id, "title": t.title, "description": t.description, "genres": t.genres, "imdb_votes": t.imdb_votes,
        "type": t.type, "runtime": t.runtime, "year": t.release_year,
        "production_countries": t.production_countries, "age_certification": t.age_certification,
    }  # fmt: skip


def methods(recommender):
    """name -> function(mood text) -> list of Recommendation."""
    from moodreel.filters import SearchFilters
    from moodreel.query.understanding import Understood
    from moodreel.signals import Weights

    def with_weights(weights, filters=True, adjust=True):
        def run(mood: str):
            q = recommender.understand(mood)
            q = replace(q, weights=weights or q.weights, filters=q.filters if filters else SearchFilters())
            return recommender.search_query(q, K, adjust=adjust)

        return run

    def old_product(mood: str):
        q = recommender.understand(mood)
        parser, words = recommender.queries.parser, recommender.queries.vibe_words
        feelings = words.query_words(q.text, parser.parse(q.text).emotions)
        q = replace(
            q,
            understood=Understood(feelings=feelings),
            vibe=recommender.encoder.encode([feelings])[0],
            weights=Weights(vibe=1.0, plot=0.0, genre=0.0, quality=0.03, known=0.0),
            filters=SearchFilters(),
        )
        return recommender.search_query(q, K, adjust=False)

    def rrf(mood: str, c: int = 60):
        """What hybrid_search with an RRF ranker over three vector fields would return: one
        ranked list per signal (same filters), fused by reciprocal rank."""
        q = recommender.understand(mood)
        lists = [
            recommender.search_query(replace(q, weights=w), 60, adjust=False)
            for w in (
                Weights(1.0, 0.0, 0.0, 0.0, 0.0),
                Weights(0.0, 1.0, 0.0, 0.0, 0.0),
                Weights(0.0, 0.0, 1.0, 0.0, 0.0),
            )
        ]
        score, recs = {}, {}
        for ranked in lists:
            for rank, rec in enumerate(ranked):
                score[rec.id] = score.get(rec.id, 0.0) + 1.0 / (c + rank + 1)
                recs[rec.id] = rec
        return [recs[i] for i in sorted(score, key=lambda i: (-score[i], i))[:K]]

    def ours_without_literal(mood: str):
        q = recommender.understand(mood)
        return recommender.search_query(q, K, topic_bonus=0.0)

    def ours_without_floor(mood: str):
        q = recommender.understand(mood)
        return recommender.search_query(replace(q, weights=replace(q.weights, known=0.0, quality=0.0)), K)

    return {
        "old product (vibe words only)": old_product,
        "plot only": with_weights(Weights(0.0, 1.0, 0.0, 0.0, 0.0), filters=False, adjust=False),
        "genre prior only": with_weights(Weights(0.0, 0.0, 1.0, 0.0, 0.0), filters=False, adjust=False),
        "vibe only": with_weights(Weights(1.0, 0.0, 0.0, 0.0, 0.0), filters=False, adjust=False),
        "fixed mix (1/3 each)": with_weights(Weights(1 / 3, 1 / 3, 1 / 3)),
        "RRF of the three signals (hybrid_search)": rrf,
        "ours without filters": with_weights(None, filters=False),
        "ours without re-ranking": with_weights(None, adjust=False),
        "ours without quality floor": ours_without_floor,
        "ours without the literal topic boost": ours_without_literal,
        "ours": with_weights(None),
    }


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument(
        "--moods", type=Path, nargs="+", default=[Path(__file__).with_name("relevance_moods.jsonl")]
    )
    parser.add_argument("--split", choices=["dev", "test", "all"], default="all")
    parser.add_argument("--picks", type=Path, default=None, help="write ours' top 10 per case (JSON)")
    parser.add_argument("--db", default=None, help="Milvus URI (default: the app's store)")
    parser.add_argument("--parser", choices=["classifier", "llm"], default=None)
    parser.add_argument(
        "--feelings", choices=["auto", "classifier", "feedback"], default=None,
        help="who reads the wanted feelings: the mood parser, or the feelings of the first titles found",
    )  # fmt: skip
    parser.add_argument("--limit", type=int, default=None, help="only the first N moods")
    parser.add_argument("--methods", default=None, help="comma-separated method names (default: all)")
    parser.add_argument("--show", type=int, default=0, help="print the top 5 of the first N moods")
    args = parser.parse_args()

    from moodreel.search.recommender import Recommender
    from moodreel.services import build_services
    from moodreel.settings import Settings

    cases = [case for path in args.moods for case in load_cases(path, args.split)][: args.limit]
    updates = {k: v for k, v in {"milvus_uri": args.db, "mood_parser": args.parser}.items() if v}
    services = build_services(Settings(**updates))
    if services.store.count() == 0:
        raise SystemExit(f"the store {services.settings.store_uri} is empty: run `python -m ingest` first")
    recommender = Recommender.from_services(services)
    if args.feelings:
        recommender.feelings_reader = args.feelings
    chosen = methods(recommender)
    if args.methods:
        names = [m.strip() for m in args.methods.split(",")]
        unknown = [m for m in names if m not in chosen]
        if unknown:
            raise SystemExit(f"unknown methods {unknown}; known: {list(chosen)}")
        chosen = {m: chosen[m] for m in names}

    scores, shown, by_split = {}, [], {}
    for name, run in chosen.items():
        results = [[_record(r) for r in run(case.mood)] for case in cases]
        scores[name] = score_top_k(cases, results, K)
        for split in ("dev", "test"):
            part = [(c, r) for c, r in zip(cases, results) if c.split == split]
            if part:
                by_split.setdefault(name, {})[split] = score_top_k(*zip(*part), K)["overall"]
        if name == "ours":
            shown = list(zip(cases, results))[: args.show]
            if args.picks:
                args.picks.write_text(
                    json.dumps(
                        [{"mood": c.mood, "split": c.split, "picks": r} for c, r in zip(cases, results)],
                        indent=1,
                    )
                )
    for case, results in shown:
        print(f"\n{case.mood}  [{case.kind}; ok {', '.join(case.ok)}]")
        for r in results[:5]:
            print(f"   {r['title'][:40]:40} {', '.join(r['genres'])[:40]}")

    def row(name: str, s: dict) -> list:
        o = s["overall"]
        return [name, o["genre_fit"], o["topic_fit"], o["expect_fit"], o["junk"]]

    names = ", ".join(p.name for p in args.moods)
    main_table = table(
        f"Relevance of the top {K} on {len(cases)} moods ({names}, split {args.split}), "
        f"{services.store.count():,} titles, parser {services.settings.mood_parser}",
        ["method", "genre-fit@10", "topic-fit@10", "expect-fit@10", "junk"],
        [row(name, s) for name, s in scores.items()],
        "topic-fit over moods that name a topic, expect-fit over moods that state a constraint; "
        "junk = no genres or < 100 IMDb votes.",
    )
    tables = [main_table]
    if args.split == "all" and by_split:
        measures = ("genre_fit", "topic_fit", "expect_fit", "junk")
        tables.append(
            table(
                "dev and test halves (tune on dev; a gap above 0.02 means the method fits its cases)",
                ["method", *(f"{m} {s}" for m in measures for s in ("dev", "test"))],
                [
                    [name, *(parts.get(s, {}).get(m) for m in measures for s in ("dev", "test"))]
                    for name, parts in by_split.items()
                ],
            )
        )
    if "ours" in scores:
        per_kind = scores["ours"]["per_kind"]
        tables.append(
            table(
                "ours, by kind of mood",
                ["kind", "moods", "genre-fit@10", "topic-fit@10", "expect-fit@10", "junk"],
                [
                    [
                        kind,
                        per_kind[kind]["n"],
                        per_kind[kind]["genre_fit"],
                        per_kind[kind]["topic_fit"],
                        per_kind[kind]["expect_fit"],
                        per_kind[kind]["junk"],
                    ]
                    for kind in KINDS
                    if kind in per_kind
                ],  # fmt: skip
            )
        )
    summary = {name: {**s["overall"], "by_split": by_split.get(name, {})} for name, s in scores.items()}
    finish("relevance", args, summary, tables)


if __name__ == "__main__":
    main()
