"""Does taste help, on the same signals as the mood? Simulated viewers drawn from the real
store, the sample viewers, the issue's horror lover, and profile-building speed.

    python bench/personalization.py [--limit N] [--seed 10] [--history data/viewing_history.csv]
                                    [--db URI] [--rows 10000] [--json] [--save]

Simulated viewers (``--limit``, default 200; deterministic for a ``--seed``), from the
store's known titles (genres and >= 100 IMDb votes, named as "Title (year)" so the
product's matcher finds exactly that title):
- genre tastes (half): 1-2 favourite genres, 8 titles with one of them rated 4-5, 5
  titles of 1-2 disliked genres (and no favourite one) rated 1-2; 3 more titles of the
  favourite genres are liked but held out of the history;
- neighbourhood tastes (half): a seed title and 10 of its 20 nearest titles (cosine of
  the stored fused vectors) liked, 3 of those held out; 5 of the farthest quarter of the
  store rated 1-2. Their liked genres: those of at least half of their liked titles.
Histories are ``HistoryRow``s made into profiles by ``services.viewers`` (the product's
path: matching, profile, taste vector in the fused title space). Each viewer is scored
with an open mood (``OPEN``) and a specific one (``SPECIFIC``), for:
- mood only: ``recommend(mood, 10)`` without the viewer (one list for everyone);
- mood + taste: ``recommend(mood, 10, viewer=profile)``;
- taste only: ``recommend_for_viewer(profile, 10)`` (no mood).
Figures: hit-rate@10 (a held-out liked title in the top 10), share of the top 10 in the
viewer's liked genres, in the genre-taste viewers' disliked genres, and in the specific
mood's genre (comedy).

Popularity-biased viewers (``taste_viewers.py``: they pick well-known titles more often,
half of them watch films only, some favour an era or a country): ``--real`` viewers drawn
with ``--test-seed`` are reported for the issue's four requests, rows mood only, mood +
taste, taste only and "most-voted, not yet seen" (titles already in the history left out
everywhere), hit-rate@10, recall@10 and nDCG@10 with 95% bootstrap intervals over viewers,
and the share of series shown to film-only viewers. ``--tune`` instead searches the
weights of ``moodreel.profiles.taste`` on viewers drawn with ``--dev-seed`` (never the test
seed) and prints what each setting scores there. Feedback: viewers who 👎 three horror
titles, horror in their top 10 before and after (the voted titles are left out of both).

Also: the sample viewers of ``--history`` (each one's two highest-rated titles held
out, open mood), the issue's acceptance case (eight horror films rated 5, five comedies
rated 1: horror titles in the top 10 for the open mood, comedies for the specific one,
with and without the history), and profile building timed on a ``--rows``-row history
(the sample rows repeated under new user ids).
"""

from __future__ import annotations

import random
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from taste_viewers import HELD as HELD_REAL
from taste_viewers import HISTORY as HISTORY_REAL
from taste_viewers import REQUESTS, ROWS, evaluate, feedback, simulate_real, summarize

from common import ROOT, finish, make_parser, table

OPEN = "something good to watch tonight"
SPECIFIC = "make me laugh"
SPECIFIC_GENRE = "comedy"
K = 10
LIKED, HELD, DISLIKED = 8, 3, 5
NEIGHBOURS = 20
KNOWN_VOTES = 100
# The horror lover of issue 10: eight horror films 5/5, five comedies 1/5.
HORROR_FILMS, COMEDIES = 8, 5
METHODS = (("mood_only", "mood only"), ("mood_taste", "mood + taste"))


class Pool:
    """The store's titles a simulated viewer may have seen, with their vectors."""

    def __init__(self, services) -> None:
        from moodreel.profiles.matching import display

        titles = services.store.all_titles(
            ["id", "title", "type", "genres", "imdb_votes", "release_year", "runtime", "production_countries"]
        )
        known = [t for t in titles if t.genres and (t.imdb_votes or 0) >= KNOWN_VOTES]
        if len(known) < 40:  # a tiny test store: titles with genres will do
            known = [t for t in titles if t.genres]
        matcher = services.viewers.matcher
        self.titles = sorted((t for t in known if matcher.match(display(t)).id == t.id), key=lambda t: t.id)
        self.names = {t.id: display(t) for t in self.titles}
        ids = [t.id for t in self.titles]
        found: dict[str, np.ndarray] = {}
        for first in range(0, len(ids), 1000):
            found.update(services.store.vectors(ids[first : first + 1000]))
        self.titles = [t for t in self.titles if t.id in found]
        matrix = np.stack([found[t.id] for t in self.titles]) if self.titles else np.zeros((0, 1))
        self.unit = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)
        self.by_genre: dict[str, list[int]] = {}
        for i, t in enumerate(self.titles):
            for g in t.genres:
                self.by_genre.setdefault(g, []).append(i)


def watch_minutes(title) -> float:
    runtime = title.runtime or 90
    return float(runtime * (8 if title.type == "SHOW" else 1))


def genre_viewer(pool: Pool, rng: random.Random) -> dict | None:
    need = LIKED + HELD
    genres = sorted(g for g, idx in pool.by_genre.items() if len(idx) >= need)
    if len(genres) < 2:
        return None
    favourite = set(rng.sample(genres, rng.choice((1, 2))))
    likeable = sorted({i for g in favourite for i in pool.by_genre[g]})
    others = [g for g in genres if g not in favourite]
    disliked_genres = set(rng.sample(others, min(len(others), rng.choice((1, 2)))))
    likeable = [i for i in likeable if not set(pool.titles[i].genres) & disliked_genres]
    dislikeable = sorted(
        {i for g in disliked_genres for i in pool.by_genre[g] if not set(pool.titles[i].genres) & favourite}
    )
    if len(likeable) < need or len(dislikeable) < DISLIKED:
        return None
    liked = rng.sample(likeable, need)
    return {
        "kind": "genre",
        "liked": liked[:LIKED],
        "held": liked[LIKED:],
        "disliked": rng.sample(dislikeable, DISLIKED),
        "liked_genres": favourite,
        "disliked_genres": disliked_genres,
    }


def neighbourhood_viewer(pool: Pool, rng: random.Random) -> dict | None:
    n = len(pool.titles)
    if n < NEIGHBOURS + 4 * DISLIKED:
        return None
    seed = rng.randrange(n)
    similarity = pool.unit @ pool.unit[seed]
    order = [int(i) for i in np.argsort(-similarity, kind="stable") if int(i) != seed]
    near = rng.sample(order[:NEIGHBOURS], LIKED - 1 + HELD)
    far = order[-max(DISLIKED, n // 4) :]
    liked = [seed, *near[: LIKED - 1]]
    held = near[LIKED - 1 :]
    counts = Counter(g for i in liked + held for g in pool.titles[i].genres)
    genres = {g for g, c in counts.items() if c * 2 >= len(liked + held)} or {counts.most_common(1)[0][0]}
    return {
        "kind": "neighbourhood",
        "liked": liked,
        "held": held,
        "disliked": rng.sample(far, DISLIKED),
        "liked_genres": genres,
        "disliked_genres": set(),
    }


def simulate(pool: Pool, count: int, seed: int) -> dict[str, dict]:
    """``count`` viewers, alternately genre and neighbourhood tastes, with their history rows."""
    from moodreel.profiles.history import HistoryRow

    rng = random.Random(seed)
    viewers: dict[str, dict] = {}
    tries = 0
    while len(viewers) < count and tries < 20 * count + 20:
        tries += 1
        kind = ("genre", "neighbourhood")[len(viewers) % 2]
        spec = genre_viewer(pool, rng) if kind == "genre" else neighbourhood_viewer(pool, rng)
        if spec is None:
            continue
        user = f"sim-{kind[0]}{len(viewers):04d}"
        rated = [(i, rng.choice((4.0, 5.0))) for i in spec["liked"]]
        rated += [(i, rng.choice((1.0, 2.0))) for i in spec["disliked"]]
        rng.shuffle(rated)
        spec["rows"] = [
            HistoryRow(
                line=line,
                user_id=user,
                content_name=pool.names[pool.titles[i].id],
                rating=rating,
                watch_time_minutes=watch_minutes(pool.titles[i]),
            )
            for line, (i, rating) in enumerate(rated, start=2)
        ]
        spec["held_ids"] = {pool.titles[i].id for i in spec["held"]}
        viewers[user] = spec
    return viewers


def score(results, spec: dict) -> dict:
    top = results[:K]
    ids = {r.id for r in top}

    def share(genres: set[str]) -> float:
        return sum(bool(set(r.genres) & genres) for r in top) / K

    return {
        "hit": int(bool(spec["held_ids"] & ids)),
        "liked_genre_share": share(spec["liked_genres"]),
        "disliked_genre_share": share(spec["disliked_genres"]) if spec["disliked_genres"] else None,
        "mood_genre_share": share({SPECIFIC_GENRE}),
        "n": len(top),
    }


def aggregate(scores: list[dict], kinds: list[str]) -> dict:
    def mean(key: str, only: str | None = None) -> float | None:
        values = [s[key] for s, k in zip(scores, kinds) if (only is None or k == only) and s[key] is not None]
        return round(sum(values) / len(values), 3) if values else None

    return {
        "hit_rate_at_10": mean("hit"),
        "hit_rate_genre_tastes": mean("hit", "genre"),
        "hit_rate_neighbourhood_tastes": mean("hit", "neighbourhood"),
        "liked_genre_share": mean("liked_genre_share"),
        "disliked_genre_share": mean("disliked_genre_share"),
        "comedy_share": mean("mood_genre_share"),
    }


def horror_lover(pool: Pool, services, recommender) -> dict | None:
    """The issue's acceptance case, on the store's most-voted horror films and comedies."""
    from moodreel.profiles.history import HistoryRow

    def most_voted(genre: str, without: str, n: int) -> list:
        found = [
            t for t in pool.titles if t.type == "MOVIE" and genre in t.genres and without not in t.genres
        ]
        return sorted(found, key=lambda t: (-(t.imdb_votes or 0), t.id))[:n]

    horror = most_voted("horror", "comedy", HORROR_FILMS)
    comedies = most_voted("comedy", "horror", COMEDIES)
    if not horror or not comedies:
        return None
    rows = [
        HistoryRow(
            line=line,
            user_id="horror-lover",
            content_name=pool.names[t.id],
            rating=rating,
            watch_time_minutes=watch_minutes(t),
        )  # fmt: skip
        for line, (t, rating) in enumerate([(t, 5.0) for t in horror] + [(t, 1.0) for t in comedies], start=2)
    ]
    profile, unmatched = services.viewers.build("horror-lover", rows)

    def count(mood: str, genre: str, viewer) -> int:
        return sum(genre in r.genres for r in recommender.recommend(mood, K, viewer=viewer).results)

    return {
        "horror_films": len(horror),
        "comedies": len(comedies),
        "unmatched": len(unmatched),
        "open_horror_without": count(OPEN, "horror", None),
        "open_horror_with": count(OPEN, "horror", profile),
        "specific_comedy_without": count(SPECIFIC, SPECIFIC_GENRE, None),
        "specific_comedy_with": count(SPECIFIC, SPECIFIC_GENRE, profile),
        "specific_horror_with": count(SPECIFIC, "horror", profile),
    }


def sample_viewers(history, services, recommender, limit: int) -> list[dict]:
    """The shipped sample viewers: each one's two highest-rated titles held out, open mood."""
    viewers = services.viewers
    mood_only = recommender.recommend(OPEN, K)
    out = []
    for user in history.users()[: limit or None]:
        rows = history.for_user(user)
        held = sorted(rows, key=lambda r: (-r.rating, -r.watch_time_minutes, r.content_name))[:2]
        kept = [r for r in rows if r not in held]
        profile, _ = viewers.build(user, kept)
        held_ids = {m.id for m in (viewers.matcher.match(r.content_name) for r in held) if m.id}
        blended = recommender.recommend(OPEN, K, viewer=profile)
        taste = recommender.recommend_for_viewer(profile, K) if profile.taste is not None else None

        def hit(result, held_ids=held_ids) -> int:
            return int(result is not None and bool(held_ids & {r.id for r in result.results}))

        out.append({"user": user, "type": profile.viewer_type, "mood_only": hit(mood_only),
                    "mood_taste": hit(blended), "taste_only": hit(taste)})  # fmt: skip
    return out


def time_profile_building(history, viewers, rows: int) -> tuple[int, int, float]:
    from moodreel.profiles.history import HistoryRow

    big = []
    while len(big) < rows:
        for user in history.users():
            for r in history.for_user(user):
                big.append(
                    HistoryRow(
                        user_id=f"{user}-{len(big) // 200}",
                        content_name=r.content_name,
                        rating=r.rating,
                        watch_time_minutes=r.watch_time_minutes,
                        line=r.line,
                    )  # fmt: skip
                )
    big = big[:rows]
    by_user: dict[str, list[HistoryRow]] = {}
    for r in big:
        by_user.setdefault(r.user_id, []).append(r)
    start = time.perf_counter()
    viewers.build_many(by_user)
    return len(big), len(by_user), time.perf_counter() - start


def cell_ci(value: tuple[float, float, float]) -> str:
    mean, low, high = value
    return f"{mean:.3f} [{low:.2f}, {high:.2f}]"


def real_tables(real: dict, votes: dict) -> list:
    rows = []
    results = real["results"]
    for request, block in results.items():
        for key, label in ROWS:
            r = block[key]
            series = r["series_to_film_only"]
            rows.append([request, label, cell_ci(r["hit"]), cell_ci(r["recall"]), cell_ci(r["ndcg"]),
                         "" if series is None else series])  # fmt: skip
    diffs = []
    for request, block in results.items():
        for name, value in block.items():
            if name.startswith("mood_taste_minus_"):
                diffs.append(f"{request}: {name.replace('_', ' ')} {cell_ci(value)}")
    out = [
        table(
            f"Popularity-biased viewers (test seed {real['seed']}): {real['viewers']} viewers, "
            f"{real['films_only']} watching films only, {real['cult']} of cult titles",
            [
                "request",
                "method",
                "hit-rate@10 [95%]",
                "recall@10 [95%]",
                "nDCG@10 [95%]",
                "series shown to film-only viewers",
            ],  # fmt: skip
            rows,
            f"{HELD_REAL} held-out later likes per viewer, {HISTORY_REAL}-title histories; titles in the history "
            "left out in every row; intervals: 2.5-97.5 percentiles of 1,000 bootstrap resamples of the viewers. "
            "Paired differences of hit-rate@10: " + "; ".join(diffs) + ". Targets (issue 22): open request "
            "mood + taste >= most-voted; specific moods mood + taste >= taste only; series shown to film-only "
            "viewers <= 0.15.",
        )
    ]
    fb = votes["per_request"]
    out.append(
        table(
            f"Feedback: {votes['viewers']} viewers each 👎 three {votes['genre']} titles they were shown",
            ["request", f"{votes['genre']} in the top 10 before", "after", "change [95%]"],
            [[m, cell_ci(v["before"]), cell_ci(v["after"]), cell_ci(v["change"])] for m, v in fb.items()],
            "before: the list shown before the votes, the three voted titles taken out (a vote also hides its "
            "title; that alone is not counted); after: the next search, with the votes in the profile.",
        )
    )
    return out


class CachedSearch:
    """The store with its searches remembered: tuning changes only the re-ranking, so each
    distinct search runs once."""

    def __init__(self, store) -> None:
        self._store = store
        self._memo: dict = {}

    def __getattr__(self, name: str):
        return getattr(self._store, name)

    def search(self, vector, k, filters=None, with_vectors=False):
        key = (np.asarray(vector, dtype=np.float32).tobytes(), k,
               filters.model_dump_json() if filters is not None else "", with_vectors)  # fmt: skip
        if key not in self._memo:
            self._memo[key] = self._store.search(vector, k, filters, with_vectors=with_vectors)
        return self._memo[key]


# The grid --tune searches (round 3). Round 1 (habit 0-0.15 x popularity 0-1) found habit 0.05
# best and popularity still rising at 1.0; round 2 (habit 0.03-0.08 x popularity 1-3 x taste
# weight 0.5/1) found taste weight 1.0 better for specific moods (0.20 -> 0.27 hit-rate, their
# genre share unchanged) and habit 0.08 too weak to keep series off film-only viewers' lists.
# The product keeps taste weight 0.5: at 1.0 the horror lover's "make me laugh" got 2 horror titles.
TUNE_HABIT = (0.1, 0.15)
TUNE_POPULARITY = (1.0, 3.0, 5.0)
TUNE_TASTE = (1.0,)  # settings.personalization: the taste vector's weight for a specific mood
TUNE_LEAN = (0.0, 2.0)
# A specific mood must still win: the share of its genres in the top 10 may fall at most this
# much below mood only.
MOOD_GENRES = {REQUESTS[1]: {"comedy"}, REQUESTS[2]: {"thriller", "horror", "crime"}, REQUESTS[3]: {"drama"}}
MAX_MOOD_LOSS = 0.1


def tune(args, services, recommender, pool, catalog, count: int) -> None:
    """Grid over the taste weights per kind of request, scored on the dev viewers only."""
    from taste_viewers import metrics

    from moodreel.profiles import taste as taste_module
    from moodreel.profiles.taste import most_voted

    dev = simulate_real(pool, count, args.dev_seed, watch_minutes)
    built = services.viewers.build_many({u: s["rows"] for u, s in dev.items()})
    recommender.store = CachedSearch(services.store)
    ranker = recommender.taste_ranker
    kinds = {t.id: t.type for t in catalog}
    groups = {"open": REQUESTS[:1], "specific": REQUESTS[1:], "taste": (None,)}
    mood_share = {
        r: float(np.mean([bool(set(x.genres) & MOOD_GENRES[r]) for x in recommender.recommend(r, K).results]))
        for r in REQUESTS[1:]
    }
    popular = [
        metrics([t.id for t in most_voted(catalog, built[u][0].seen_ids, K)], s["held_ids"])["hit"]
        for u, s in dev.items()
    ]
    rows: list[list] = [
        ["most-voted, not yet seen", "", "", "", "", round(float(np.mean(popular)), 3), "", "", ""]
    ]

    def score(kind: str) -> tuple[float, float, float, float]:
        hits, ndcg, series, share = [], [], [], []
        for user, spec in dev.items():
            profile = built[user][0]
            for request in groups[kind]:
                if request is None:
                    found = recommender.recommend_for_viewer(profile, K).results if profile.taste else []
                else:
                    found = recommender.recommend(request, K, viewer=profile).results
                m = metrics([r.id for r in found], spec["held_ids"])
                hits.append(m["hit"])
                ndcg.append(m["ndcg"])
                if request in MOOD_GENRES:
                    share.append(
                        np.mean([bool(set(x.genres) & MOOD_GENRES[request]) for x in found])
                        - mood_share[request]
                    )
                if spec["format"] == "films only":
                    series.append(sum(kinds.get(r.id) == "SHOW" for r in found[:K]) / K)
        return (round(float(np.mean(hits)), 3), round(float(np.mean(ndcg)), 3),
                round(float(np.mean(series)) if series else 0.0, 3),
                round(float(np.mean(share)), 3) if share else 0.0)  # fmt: skip

    def ok(got) -> bool:
        return got[2] <= 0.15 and got[3] >= -MAX_MOOD_LOSS

    chosen = {}
    for kind in groups:
        best = None
        for taste_w in TUNE_TASTE if kind == "specific" else (recommender.personalization,):
            recommender.personalization = taste_w
            for h in TUNE_HABIT:
                for p in TUNE_POPULARITY:
                    ranker.habit[kind], ranker.popularity[kind] = h, p
                    got = score(kind)
                    rows.append([kind, h, p, taste_w, taste_module.LEAN_POWER, *got])
                    if ok(got) and (best is None or got[:2] > best[0][:2]):
                        best = (got, h, p, taste_w)
        if best is None:
            best = ((0, 0, 0, 0), taste_module.HABIT[kind], taste_module.POPULARITY[kind], 0.5)
        ranker.habit[kind], ranker.popularity[kind] = best[1], best[2]
        recommender.personalization = best[3]
        chosen[kind] = {"habit": best[1], "popularity": best[2], "taste_weight": best[3], "dev": best[0]}
    recommender.personalization = chosen["specific"]["taste_weight"]
    for lean_power in TUNE_LEAN:
        taste_module.LEAN_POWER = lean_power
        for kind in groups:
            rows.append([kind, ranker.habit[kind], ranker.popularity[kind], recommender.personalization,
                         lean_power, *score(kind)])  # fmt: skip
    taste_module.LEAN_POWER = 1.0
    ablations = ablate(ranker, recommender, score, taste_module, services.settings.personalization)
    summary = {"dev_seed": args.dev_seed, "viewers": len(dev), "chosen": chosen, "most_voted_hit": rows[0][5],
               "ablations": ablations}  # fmt: skip
    tables = [table(f"Tuning on dev viewers (seed {args.dev_seed}, {len(dev)} viewers)",
                    ["kind", "habit", "popularity", "taste weight (specific)", "lean power", "hit-rate@10",
                     "nDCG@10", "series to film-only", "mood-genre share vs mood only"],
                    rows, "best per kind: highest hit-rate (then nDCG) with series to film-only viewers <= 0.15 "
                    f"and the specific moods' genre share at most {MAX_MOOD_LOSS} below mood only"),
              table("Ablations at the product's weights (same dev viewers)",
                    ["kind", "variant", "hit-rate@10", "nDCG@10", "series to film-only",
                     "mood-genre share vs mood only"],
                    [[a["kind"], a["variant"], *a["scores"]] for a in ablations],
                    "taste pool: the taste-led search that widens a specific mood's candidates "
                    "(profiles.taste.TASTE_POOL); feature shares: the open request's habit features "
                    "weighed apart (profiles.taste.FEATURE_SHARE) or all alike")]  # fmt: skip
    finish("personalization_tune", args, summary, tables)


def ablate(ranker, recommender, score, taste_module, personalization: float) -> list[dict]:
    """The product's weights, then each of its later choices undone alone."""
    ranker.habit, ranker.popularity = dict(taste_module.HABIT), dict(taste_module.POPULARITY)
    recommender.personalization = personalization
    out = [{"kind": kind, "variant": "product", "scores": score(kind)} for kind in ("open", "specific")]
    pool, ranker.taste_pool = ranker.taste_pool, 0
    out.append({"kind": "specific", "variant": "no taste pool", "scores": score("specific")})
    ranker.taste_pool = pool
    shares, ranker.feature_share = ranker.feature_share, {}
    out.append({"kind": "open", "variant": "habit features alike", "scores": score("open")})
    ranker.feature_share = shares
    return out


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--history", type=Path, default=ROOT / "data" / "viewing_history.csv")
    parser.add_argument("--db", default=None)
    parser.add_argument("--rows", type=int, default=10_000, help="rows for the profile-building timing")
    parser.add_argument(
        "--limit",
        type=int,
        default=0,
        help="simulated viewers, and at most this many sample viewers (0: 200, all)",
    )
    parser.add_argument("--seed", type=int, default=10, help="seed of the simulated viewers")
    parser.add_argument(
        "--real", type=int, default=None, help="popularity-biased viewers (default: --limit or 200)"
    )
    parser.add_argument(
        "--test-seed", type=int, default=2002, help="seed of the reported popularity-biased viewers"
    )
    parser.add_argument("--dev-seed", type=int, default=1001, help="seed of the viewers --tune tunes on")
    parser.add_argument(
        "--tune", action="store_true", help="search the taste weights on the dev viewers, then stop"
    )
    args = parser.parse_args()

    from moodreel.profiles.history import read_history
    from moodreel.search.recommender import OPEN_TASTE_WEIGHT, Recommender
    from moodreel.services import build_services
    from moodreel.settings import Settings

    count = args.limit or 200
    with tempfile.TemporaryDirectory() as state:  # profiles land here, not in the app's state
        updates = {"cache_dir": Path(state)} | ({"milvus_uri": args.db} if args.db else {})
        settings = Settings(**updates)
        services = build_services(settings)
        if services.store.count() == 0:
            raise SystemExit(f"the store {settings.store_uri} is empty: run `python -m ingest` first")
        recommender = Recommender.from_services(services)
        pool = Pool(services)
        catalog = services.store.all_titles(["id", "title", "type", "imdb_votes"])
        real_count = args.real if args.real is not None else count
        if args.tune:
            tune(args, services, recommender, pool, catalog, real_count)
            return
        real = simulate_real(pool, real_count, args.test_seed, watch_minutes)
        start = time.perf_counter()
        real_built = services.viewers.build_many({u: s["rows"] for u, s in real.items()})
        real_s = time.perf_counter() - start
        real_per = evaluate(real, real_built, recommender, catalog)
        real_sum = summarize(real_per)
        votes = feedback(real, services, recommender, n=min(20, real_count))
        simulated = simulate(pool, count, args.seed)
        start = time.perf_counter()
        built = services.viewers.build_many({u: s["rows"] for u, s in simulated.items()})
        simulated_build_s = time.perf_counter() - start
        users = list(simulated)
        kinds = [simulated[u]["kind"] for u in users]
        unmatched = sum(len(built[u][1]) for u in users)
        no_taste = sum(built[u][0].taste is None for u in users)

        per: dict[str, list[dict]] = {}
        for label, mood in (("open", OPEN), ("specific", SPECIFIC)):
            shared = recommender.recommend(mood, K).results
            per[f"{label}_mood_only"] = [score(shared, simulated[u]) for u in users]
            per[f"{label}_mood_taste"] = [
                score(recommender.recommend(mood, K, viewer=built[u][0]).results, simulated[u]) for u in users
            ]
        per["taste_only"] = [
            score(recommender.recommend_for_viewer(built[u][0], K).results, simulated[u])
            if built[u][0].taste is not None
            else score([], simulated[u])
            for u in users
        ]
        sim = {key: aggregate(scores, kinds) for key, scores in per.items()}
        acceptance = horror_lover(pool, services, recommender)

        history = read_history(args.history)
        sample = sample_viewers(history, services, recommender, args.limit)
        rows_n, users_n, build_s = time_profile_building(history, services.viewers, args.rows)

    def lift(label: str) -> float | None:
        base, blended = (
            sim[f"{label}_mood_only"]["hit_rate_at_10"],
            sim[f"{label}_mood_taste"]["hit_rate_at_10"],
        )
        return round(blended / base, 2) if base else None

    def lift_text(label: str) -> str:
        value = lift(label)
        if value is not None:
            return f"{value}x"
        blended = sim[f"{label}_mood_taste"]["hit_rate_at_10"]
        return f"{blended} vs 0" if blended else "none (both 0)"

    n = max(1, len(sample))
    summary = {
        "viewers": len(sample),
        "hit_rate_at_10_mood_only": round(sum(r["mood_only"] for r in sample) / n, 3),
        "hit_rate_at_10_mood_taste": round(sum(r["mood_taste"] for r in sample) / n, 3),
        "hit_rate_at_10_taste_only": round(sum(r["taste_only"] for r in sample) / n, 3),
        "personalization": settings.personalization,
        "profile_rows": rows_n, "profile_users": users_n, "profile_build_s": round(build_s, 2),
        "simulated_viewers": len(users),
        "simulated_by_kind": dict(Counter(kinds)),
        "simulated_unmatched_rows": unmatched,
        "simulated_without_taste": no_taste,
        "simulated_profile_build_s": round(simulated_build_s, 2),
        "seed": args.seed,
        "pool_titles": len(pool.titles),
        "open_mood": OPEN,
        "specific_mood": SPECIFIC,
        "simulated": sim,
        "open_lift": lift("open"),
        "specific_lift": lift("specific"),
        "acceptance": acceptance,
        "real": {"viewers": len(real), "seed": args.test_seed, "films_only": sum(v["format"] == "films only" for v in real.values()),
                 "cult": sum(v["cult"] for v in real.values()), "build_s": round(real_s, 2), "results": real_sum},
        "feedback": votes,
    }  # fmt: skip
    w = settings.personalization
    method_rows = []
    for key, mood, method in (
        ("open_mood_only", OPEN, "mood only"),
        ("open_mood_taste", OPEN, f"mood + taste (w={OPEN_TASTE_WEIGHT}, open)"),
        ("specific_mood_only", SPECIFIC, "mood only"),
        ("specific_mood_taste", SPECIFIC, f"mood + taste (w={w})"),
        ("taste_only", "(none)", "taste only"),
    ):
        s = sim[key]
        method_rows.append(
            [
                mood,
                method,
                s["hit_rate_at_10"],
                s["hit_rate_genre_tastes"],
                s["hit_rate_neighbourhood_tastes"],
                s["liked_genre_share"],
                s["disliked_genre_share"],
                s["comedy_share"],
            ]  # fmt: skip
        )
    tables = [
        *real_tables(summary["real"], votes),
        table(
            f"Simulated viewers: {len(users)} ({', '.join(f'{v} {k} tastes' for k, v in Counter(kinds).items())}), "
            f"{len(pool.titles):,} titles they may have seen, seed {args.seed}",
            [
                "mood",
                "method",
                "hit-rate@10",
                "genre tastes",
                "neighbourhood tastes",
                "liked-genre share@10",
                "disliked-genre share@10",
                "comedy share@10",
            ],  # fmt: skip
            method_rows,
            f"hit-rate@10: a held-out liked title ({HELD} per viewer, not in the history) in the top {K}; "
            f"shares are of the top {K}, averaged over viewers (disliked genres: genre-taste viewers only). "
            f"Lift of mood + taste over mood only: open {lift_text('open')}, specific {lift_text('specific')} "
            "(target: at least 2x). Histories: "
            f"{LIKED} liked (4-5) and {DISLIKED} disliked (1-2) titles, matched by name "
            f"({unmatched} rows unmatched, {no_taste} viewers without a taste), profiles built by services.viewers.",
        ),
    ]
    if acceptance:
        a = acceptance
        tables.append(
            table(
                f"Acceptance: a viewer who rated {a['horror_films']} horror films 5/5 and {a['comedies']} comedies 1/5",
                ["mood", "counted in the top 10", "without the history", "with the history"],
                [
                    [OPEN, "horror titles", a["open_horror_without"], a["open_horror_with"]],
                    [SPECIFIC, "comedies", a["specific_comedy_without"], a["specific_comedy_with"]],
                    [SPECIFIC, "horror titles", "", a["specific_horror_with"]],
                ],
                "target (issue 10): at least 4 horror titles with the history for the open mood; "
                "the specific mood still wins (comedies stay high). The store's most-voted horror films "
                "(no comedy) and comedies (no horror).",
            )
        )
    tables += [
        table(
            f"Sample viewers ({args.history.name}): hold-out hit-rate@10, mood {OPEN!r}",
            ["viewer", "type", "mood only", f"mood + taste (w={OPEN_TASTE_WEIGHT}, open)", "taste only"],
            [[r["user"], r["type"], r["mood_only"], r["mood_taste"], r["taste_only"]] for r in sample]
            + [
                [
                    "hit-rate",
                    "",
                    summary["hit_rate_at_10_mood_only"],
                    summary["hit_rate_at_10_mood_taste"],
                    summary["hit_rate_at_10_taste_only"],
                ]
            ],  # fmt: skip
            "each viewer's two highest-rated titles are held out; a hit when one is in the top 10",
        ),
        table(
            "Profile building",
            ["history rows", "viewers", "seconds"],
            [
                [summary["profile_rows"], summary["profile_users"], summary["profile_build_s"]],
                [
                    sum(len(simulated[u]["rows"]) for u in users),
                    len(users),
                    summary["simulated_profile_build_s"],
                ],
            ],
            "first row: the sample rows repeated under new user ids; second: the simulated viewers",
        ),
    ]
    finish("personalization", args, summary, tables)


if __name__ == "__main__":
    main()
