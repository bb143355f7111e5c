"""Latency of the product's steps on this machine, p50/p95.

    python bench/latency.py [--db URI] [--limit RUNS] [--pitches 5] [--json] [--save]

- mood -> cards: ``Recommender.recommend(mood, 10)``: read the request (default parser,
  feelings, plot and genre prior embeddings: the ``MoodQuery``) + one fused-vector Milvus
  search with the inferred filters + re-ranking + why (the issue's budget on 2 cores:
  p50 <= 150 ms, p95 <= 300 ms)
- mood -> cards with a viewer: the same, for the first viewer of the shipped sample history
  (``data/viewing_history.csv``; their profile built once, before timing): taste vector,
  habits and popularity lean (``profiles.taste``) on a larger candidate pool
- understanding alone: mood text -> ``MoodQuery`` (``Recommender.understand``)
- search step alone: an understood query -> Milvus search + re-ranking + why
  (``Recommender.search_query``)
- first pitch token / full pitch: the configured LLM, streaming, one pitch after the
  other for the top --pitches cards of one search (and their total)
Peak RSS of this process is reported at the end (it holds what the app holds).
"""

from __future__ import annotations

import time

from common import finish, make_parser, p50_p95_ms, peak_rss_mb, table

# 20 distinct moods: the default 20 runs never repeat one, so no cache helps
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


WARM_UP = "something to watch"
BUDGET_P50_MS, BUDGET_P95_MS = 150, 300


def summarize(values: list[float]) -> dict:
    p50, p95 = p50_p95_ms(values)
    return {
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "n": len(values),
    }


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--db", default=None)
    parser.add_argument("--limit", "--runs", dest="runs", type=int, default=20, help="searches to time")
    parser.add_argument("--pitches", type=int, default=5, help="pitches to time (0: skip the LLM)")
    args = parser.parse_args()

    from moodreel.search.recommender import Recommender
    from moodreel.services import build_services
    from moodreel.settings import Settings

    settings = Settings(**({"milvus_uri": args.db} if args.db else {}))
    services = build_services(settings)
    recommender = Recommender.from_services(services)
    # load models, open the store, warm caches (the app does this at start), with a mood
    # outside the timed list so that no timed run repeats it
    recommender.warm_up()  # what the app does at start: parser, feeling vocabulary
    recommender.recommend(WARM_UP, 10)

    cards, understand, search = [], [], []
    for i in range(args.runs):
        mood = MOODS[i % len(MOODS)]
        start = time.perf_counter()
        result = recommender.recommend(mood, 10)
        cards.append(time.perf_counter() - start)
        if not result.results:
            raise SystemExit(
                f"no results for {mood!r}: is the store empty? (python -m ingest --extractor fast)"
            )
    for i in range(args.runs):  # the steps apart, on the same moods (now seen once: caches may help)
        mood = MOODS[i % len(MOODS)]
        start = time.perf_counter()
        query = recommender.understand(mood)
        understand.append(time.perf_counter() - start)
        start = time.perf_counter()
        recommender.search_query(query, 10)
        search.append(time.perf_counter() - start)
    viewer_cards = []
    sample = settings.data_dir / "viewing_history.csv"
    if sample.exists():
        import tempfile

        from moodreel.profiles.history import read_history
        from moodreel.profiles.store import ProfileStore
        from moodreel.profiles.viewers import Viewers

        history = read_history(sample)
        user = history.users()[0]
        with tempfile.TemporaryDirectory() as state:  # the profile is not kept in the app's state
            profile, _ = Viewers(services.store, ProfileStore(state)).build(user, history.for_user(user))
        recommender.recommend(WARM_UP, 10, viewer=profile)  # the catalog's habit shares, read once
        for i in range(args.runs):
            start = time.perf_counter()
            # " tonight": a text not searched yet, so no embedding cache helps here either
            recommender.recommend(MOODS[i % len(MOODS)] + " tonight", 10, viewer=profile)
            viewer_cards.append(time.perf_counter() - start)
    report = {
        "mood_to_cards": summarize(cards),
        "understand_step": summarize(understand),
        "search_step": summarize(search),
        "store_titles": services.store.count(),
        "mood_parser": recommender.queries.parser.name,
        "budget_ms": {"p50": BUDGET_P50_MS, "p95": BUDGET_P95_MS},
        **({"mood_to_cards_with_viewer": summarize(viewer_cards)} if viewer_cards else {}),
        "within_budget": None,
    }
    report["within_budget"] = (
        report["mood_to_cards"]["p50_ms"] <= BUDGET_P50_MS
        and report["mood_to_cards"]["p95_ms"] <= BUDGET_P95_MS
    )

    if args.pitches:
        first, full = [], []
        result = recommender.recommend(MOODS[0], args.pitches)
        # load the LLM with a one-token call: a whole warm-up pitch would leave the first timed
        # pitch's prompt in llama.cpp's prefix cache and flatter its first token
        services.chat_model.invoke("Say OK.", max_tokens=1)
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
        report["all_pitches_s"] = round(sum(full), 1)
    report["peak_rss_mb"] = peak_rss_mb()

    steps = [
        ("mood -> cards (no pitch)", "mood_to_cards"),
        ("mood -> cards with a viewer (no pitch)", "mood_to_cards_with_viewer"),
        ("  understanding alone (mood -> MoodQuery)", "understand_step"),
        ("  search step alone (MoodQuery -> cards)", "search_step"),
        ("first pitch token", "first_pitch_token"),
        ("full pitch", "full_pitch"),
    ]
    rows = [
        [label, report[key]["p50_ms"], report[key]["p95_ms"], report[key]["n"]]
        for label, key in steps
        if key in report
    ]
    verdict = "within" if report["within_budget"] else "over"
    note = (
        f"mood -> cards {verdict} the budget (p50 <= {BUDGET_P50_MS} ms, p95 <= {BUDGET_P95_MS} ms); "
        f"peak RSS {report['peak_rss_mb']:,.0f} MB"
    )
    if "all_pitches_s" in report:
        note += (
            f"; all {args.pitches} pitches of one search, one after the other: {report['all_pitches_s']} s"
        )
    tables = [
        table(
            f"Latency on {report['store_titles']:,} titles, mood parser {report['mood_parser']}, "
            f"LLM backend {settings.llm_backend}",
            ["step", "p50 ms", "p95 ms", "n"],
            rows,
            note,
        )
    ]
    finish("latency", args, report, tables)


if __name__ == "__main__":
    main()
