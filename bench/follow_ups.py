"""Follow-ups on the real store: does each one change the results the way it says, and how fast?

    python bench/follow_ups.py [--db URI] [--limit N] [--json] [--save]

For every (mood, follow-up) case a search of 10 is made, then the follow-up refines it
(``Moodreel.follow_up`` with the first search's understanding and cards, no pitches: the
path of the page's Refine box and of ``POST /api/recommend`` with ``"refine"``). Each
case measures what its follow-up should move, before -> after:

- less violent: share of picks in action, crime, horror or war (should fall);
- only movies: share of films (should be 1); not anime: share of animation (should be 0);
- older: median year (should fall); shorter: median runtime (should fall);
- funnier: share of comedies (should rise);
- more like the second one: mean cosine of the picks to that card (should rise);
- something else: picks shared with the first search (should be 0).

The follow-up's time (p50/p95) is the issue's budget: under 150 ms p50 without pitches; the
same ask typed as one new search ("a gripping thriller, less violent") is timed beside it.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from common import finish, make_parser, p50_p95_ms, peak_rss_mb, table

VIOLENT = {"action", "crime", "horror", "war"}
CASES = [
    ("a gripping thriller", "less violent"),
    ("something tense and dark tonight", "less violent"),
    ("an adrenaline rush", "less violent"),
    ("a gripping thriller", "only movies"),
    ("something to binge this weekend", "only movies"),
    ("an epic adventure", "not anime"),
    ("epic battles and heroes", "not anime"),
    ("feeling nostalgic", "older"),
    ("a clever mystery", "older"),
    ("a feel-good story", "shorter"),
    ("a clever mystery", "shorter"),
    ("a tense crime story", "funnier"),
    ("something romantic", "funnier"),
    ("a gripping thriller", "more like the second one"),
    ("I want to be amazed", "more like the second one"),
    ("a gripping thriller", "something else"),
    ("cozy evening with my kids", "something else"),
]
GOALS = {
    "less violent": "violent share falls",
    "only movies": "film share = 1",
    "not anime": "animation share = 0",
    "older": "median year falls",
    "shorter": "median runtime falls",
    "funnier": "comedy share rises",
    "more like the second one": "closeness to card 2 rises",
    "something else": "shared picks = 0",
}


def share(results, test) -> float:
    return round(sum(bool(test(r)) for r in results) / len(results), 2) if results else 0.0


def measure(follow_up: str, before, after, vectors) -> tuple[float, float, bool]:
    if follow_up == "less violent":
        b, a = (share(x, lambda r: VIOLENT & set(r.genres)) for x in (before, after))
        return b, a, a < b or a == 0
    if follow_up == "only movies":
        b, a = (share(x, lambda r: r.type == "MOVIE") for x in (before, after))
        return b, a, a == 1.0
    if follow_up == "not anime":
        b, a = (share(x, lambda r: "animation" in r.genres) for x in (before, after))
        return b, a, a == 0.0
    if follow_up == "older":
        b, a = (statistics.median([r.year or 0 for r in x]) for x in (before, after))
        return b, a, a < b
    if follow_up == "shorter":
        b, a = (statistics.median([r.runtime or 0 for r in x]) for x in (before, after))
        return b, a, a < b
    if follow_up == "funnier":
        b, a = (share(x, lambda r: "comedy" in r.genres) for x in (before, after))
        return b, a, a > b
    if follow_up == "more like the second one":
        seed = before[1].id
        unit = {i: v / (np.linalg.norm(v) or 1.0) for i, v in vectors.items()}

        def closeness(x):
            return round(float(np.mean([unit[r.id] @ unit[seed] for r in x if r.id != seed])), 3)

        b, a = closeness(before), closeness(after)
        return b, a, a > b
    shared = len({r.id for r in before} & {r.id for r in after})
    return float(len(before)), float(shared), shared == 0


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--db", default=None)
    parser.add_argument("--limit", type=int, default=len(CASES), help="cases to run (from the top)")
    args = parser.parse_args()

    from moodreel.application import Moodreel
    from moodreel.query.refine import start
    from moodreel.services import build_services
    from moodreel.settings import Settings

    settings = Settings(**({"milvus_uri": args.db} if args.db else {}))
    app = Moodreel(build_services(settings))
    app.warm_up()
    app.follow_up("something to watch", ["less violent"], 10)  # reads the catalog's feelings once

    rows, timings, typed, held = [], [], [], 0
    cases = CASES[: args.limit]
    for mood, follow_up in cases:
        first = app.recommend(mood, 10)
        t0 = time.perf_counter()
        after = app.follow_up(
            mood, [follow_up], 10, state=start(first.understood), shown=[r.id for r in first.results]
        )
        timings.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        app.recommend(f"{mood}, {follow_up}", 10)  # the same ask typed as a new search, for comparison
        typed.append(time.perf_counter() - t0)
        ids = [r.id for r in first.results + after.results]
        vectors = app._services.store.vectors(ids) if follow_up.startswith("more like") else {}
        before_value, after_value, ok = measure(follow_up, first.results, after.results, vectors)
        held += ok
        chips = "; ".join(c for c in after.follow_up.chips() if c not in first.understood.chips())
        rows.append(
            [mood, follow_up, GOALS[follow_up], before_value, after_value, "yes" if ok else "NO", chips]
        )
    p50, p95 = p50_p95_ms(timings)
    typed50, typed95 = p50_p95_ms(typed)
    summary = {
        "typed_again_ms": {"p50": round(typed50, 1), "p95": round(typed95, 1), "n": len(typed)},
        "cases": len(cases),
        "held": held,
        "follow_up_ms": {"p50": round(p50, 1), "p95": round(p95, 1), "n": len(timings)},
        "budget_p50_ms": 150,
        "within_budget": p50 <= 150,
        "peak_rss_mb": peak_rss_mb(),
    }
    tables = [
        table(
            "Follow-ups on the real store: before -> after (10 picks each)",
            ["mood", "follow-up", "should", "before", "after", "held", "new chips"],
            rows,
            note=f"{held}/{len(cases)} held; a follow-up takes p50 {p50:.0f} ms, p95 {p95:.0f} ms "
            f"(no pitches; budget p50 < 150 ms); the same ask typed as a new search ('MOOD, FOLLOW-UP') "
            f"p50 {typed50:.0f} ms, p95 {typed95:.0f} ms. A follow-up that sets a genre filter ('not anime') "
            "pays Milvus Lite's filtered scan, as the typed search does.",
        )
    ]
    finish("follow_ups", args, summary, tables)


if __name__ == "__main__":
    main()
