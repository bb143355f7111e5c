"""Issue 14's measures: more like this, mood journeys, watching together, on the real store.

    python bench/features.py [--db URI] [--history data/viewing_history.csv] [--seeds 30] [--json] [--save]

- more like this: for the 30 best-known titles (most IMDb votes), the share of each one's
  top 10 that shares a genre with it; the same with the steer "but funnier" (and the
  share of comedies it brings); five lists printed in full to judge by eye.
- journey: for 10 (from, to) mood pairs, 4 steps each: the share of journeys in which the
  cosine of each step (its stored fused vector) with the target mood rises at every
  step; no title twice. The target is the wanted mood as the journey reads it (its
  feelings: ``journey.as_feelings``), and, for comparison, the mood search's own query
  vector for the same words (the journey does not aim at that one).
- together: for pairs of sample viewers with opposite tastes (``--history``), three moods
  each: picks that one of them disliked (must be 0), and the share of picks whose taste
  score (cosine with the viewer's taste vector) is above that viewer's median over the
  whole catalog, for both viewers at once.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from common import ROOT, finish, make_parser, table

K = 10
SEEDS = 30
STEER = "but funnier"
JOURNEY_STEPS = 4
JOURNEYS = [
    ("anxious and wired", "calm and sleepy"),
    ("heartbroken and sad", "happy and hopeful"),
    ("bored and restless", "excited and thrilled"),
    ("angry and frustrated", "peaceful and content"),
    ("lonely", "loved and warm"),
    ("stressed after work", "relaxed and amused"),
    ("scared and tense", "safe and cosy"),
    ("numb and tired", "inspired and moved"),
    ("nostalgic and melancholic", "cheerful and light"),
    ("grumpy", "laughing out loud"),
]
PAIRS = [
    ("horror_fan", "romance_reader"),
    ("comedy_lover", "doc_buff"),
    ("action_junkie", "family_night"),
    ("scifi_nerd", "true_crime"),
    ("history_war", "comedy_lover"),
]
TOGETHER_MOODS = ["something good to watch tonight", "make me laugh", "something exciting"]
BY_EYE = ["Inception", "Forrest Gump", "Stranger Things", "Breaking Bad", "Life of Brian"]


def unit(v: np.ndarray) -> np.ndarray:
    return v / (float(np.linalg.norm(v)) or 1.0)


def more_like(app, seeds) -> tuple[dict, list, list]:
    rows, shares, steered_shares, comedy_plain, comedy_steered = [], [], [], [], []
    primary: list[float] = []  # a stricter reading: the seed's first-listed genre
    jaccard: list[float] = []
    for seed in seeds:
        plain = app.like(title_id=seed.id, k=K)
        steered = app.like(title_id=seed.id, k=K, mood=STEER)
        share = np.mean([bool(set(r.genres) & set(seed.genres)) for r in plain.results])
        primary.append(np.mean([seed.genres[0] in r.genres for r in plain.results]))
        jaccard.append(np.mean([len(set(r.genres) & set(seed.genres)) / len(set(r.genres) | set(seed.genres))
                                for r in plain.results]))  # fmt: skip
        s_share = np.mean([bool(set(r.genres) & set(seed.genres)) for r in steered.results])
        shares.append(share)
        steered_shares.append(s_share)
        comedy_plain.append(np.mean(["comedy" in r.genres for r in plain.results]))
        comedy_steered.append(np.mean(["comedy" in r.genres for r in steered.results]))
        rows.append([seed.title, ", ".join(seed.genres), round(float(share), 2), round(float(s_share), 2)])
    summary = {
        "seeds": len(seeds),
        "genre_share_at_10": round(float(np.mean(shares)), 3),
        "genre_share_at_10_steered": round(float(np.mean(steered_shares)), 3),
        "first_genre_share_at_10": round(float(np.mean(primary)), 3),
        "genre_jaccard_at_10": round(float(np.mean(jaccard)), 3),
        "comedy_share_plain": round(float(np.mean(comedy_plain)), 3),
        "comedy_share_steered": round(float(np.mean(comedy_steered)), 3),
        "seeds_all_10_share_a_genre": int(sum(s == 1.0 for s in shares)),
    }
    eye = []
    for name in BY_EYE:
        found = app.like(name, k=K)
        eye.append(
            [
                f"{found.seed.title} ({', '.join(found.seed.genres)})",
                "; ".join(r.title for r in found.results),
            ]
        )
    return summary, rows, eye


def journeys(app) -> tuple[dict, list]:
    from moodreel.search.journey import as_feelings

    rec = app.recommender
    rows, monotone, monotone_search, distinct = [], 0, 0, 0

    def rises(cos: list[float]) -> bool:
        return len(cos) == JOURNEY_STEPS and all(b > a for a, b in zip(cos, cos[1:]))

    for start, end in JOURNEYS:
        found = app.journey(start, end, JOURNEY_STEPS)
        query = rec.understand(end)
        target = unit(as_feelings(query).vector(rec.layout))
        search_target = unit(query.vector(rec.layout))
        vectors = rec.store.vectors([s.id for s in found.steps])
        cos = [float(unit(vectors[s.id]) @ target) for s in found.steps]
        cos_search = [float(unit(vectors[s.id]) @ search_target) for s in found.steps]
        monotone += rises(cos)
        monotone_search += rises(cos_search)
        distinct += len({s.id for s in found.steps}) == len(found.steps)
        path = " → ".join(s.title for s in found.steps)
        rows.append(
            [f"{start} → {end}", path, " ".join(f"{c:.3f}" for c in cos), "yes" if rises(cos) else "no"]
        )
    summary = {
        "journeys": len(JOURNEYS),
        "steps": JOURNEY_STEPS,
        "monotone_share": round(monotone / len(JOURNEYS), 3),
        "monotone_share_vs_search_vector": round(monotone_search / len(JOURNEYS), 3),
        "no_title_twice_share": round(distinct / len(JOURNEYS), 3),
    }
    return summary, rows


def together(app, history_path: Path) -> tuple[dict, list]:
    from moodreel.profiles.history import read_history

    rec = app.recommender
    read = read_history(history_path)
    users = sorted({u for pair in PAIRS for u in pair} & set(read.users()))
    built = app.viewers_from_history(read, users)
    profiles = {u: built[u].profile for u in users if built[u].profile.taste is not None}
    pairs = [(a, b) for a, b in PAIRS if a in profiles and b in profiles]  # both with a taste
    ids = [t.id for t in rec.store.all_titles(["id", "title", "type"])]
    vectors = {}
    for i in range(0, len(ids), 500):
        vectors.update(rec.store.vectors(ids[i : i + 500]))
    matrix = np.stack([unit(vectors[i]) for i in ids])
    index = {i: n for n, i in enumerate(ids)}
    scores = {u: matrix @ unit(np.asarray(p.taste, dtype=np.float32)) for u, p in profiles.items()}
    medians = {u: float(np.median(s)) for u, s in scores.items()}
    rows, picks, disliked_picks, above_both = [], 0, 0, 0
    for a, b in pairs:
        disliked = {r.id for u in (a, b) for r in profiles[u].disliked}
        for mood in TOGETHER_MOODS:
            result = app.recommend_together(mood, {a: profiles[a], b: profiles[b]}, K)
            got = [r.id for r in result.results]
            bad = sum(i in disliked for i in got)
            above = sum(all(scores[u][index[i]] > medians[u] for u in (a, b)) for i in got)
            picks += len(got)
            disliked_picks += bad
            above_both += above
            rows.append([f"{a} + {b}", mood, len(got), bad, round(above / max(1, len(got)), 2),
                         "; ".join(r.title for r in result.results[:4])])  # fmt: skip
    summary = {
        "pairs": len(pairs),
        "moods": len(TOGETHER_MOODS),
        "picks": picks,
        "disliked_picks": disliked_picks,
        "above_median_for_both_share": round(above_both / max(1, picks), 3),
        "median_taste_score": {u: round(m, 3) for u, m in sorted(medians.items())},
    }
    return summary, rows


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--db", default=None, help="Milvus URI (default: the store `make run` builds)")
    parser.add_argument("--history", type=Path, default=ROOT / "data" / "viewing_history.csv")
    parser.add_argument("--seeds", type=int, default=SEEDS, help="best-known titles for more like this")
    args = parser.parse_args()

    from moodreel.application import Moodreel
    from moodreel.services import build_services, quiet_libraries
    from moodreel.settings import Settings

    quiet_libraries()
    with tempfile.TemporaryDirectory() as state:  # profiles land here, not in the app's state
        updates = {"cache_dir": Path(state)} | ({"milvus_uri": args.db} if args.db else {})
        app = Moodreel(build_services(Settings(**updates)))
        known = app.recommender.store.all_titles(["id", "title", "type", "genres", "imdb_votes"])
        seeds = sorted((t for t in known if t.genres), key=lambda t: (-(t.imdb_votes or 0), t.id))[
            : args.seeds
        ]
        like_summary, like_rows, eye = more_like(app, seeds)
        journey_summary, journey_rows = journeys(app)
        together_summary, together_rows = together(app, args.history)
    summary = {"more_like_this": like_summary, "journey": journey_summary, "together": together_summary}
    tables = [
        table(
            f"More like this: {like_summary['seeds']} best-known titles, share of the top {K} sharing a genre with the seed",
            ["measure", "value"],
            [[k, v] for k, v in like_summary.items()],
            note=f'"steered": with the mood "{STEER}".',
        ),
        table("More like this, per seed", ["seed", "genres", "share", f"share, {STEER}"], like_rows),
        table("More like this, by eye", ["seed", f"top {K}"], eye),
        table(
            f"Mood journeys: {len(JOURNEYS)} pairs, {JOURNEY_STEPS} steps; cosine of each step with the target mood",
            ["from → to", "path", "cosines", "rises every step"],
            journey_rows,
            note=f"monotone in {journey_summary['monotone_share']:.0%} of journeys (goal ≥ 90%); against the "
            f"mood search's vector for the same words: {journey_summary['monotone_share_vs_search_vector']:.0%}.",
        ),
        table(
            "Watching together: opposite sample viewers",
            ["viewers", "mood", "picks", "disliked picks", "above both medians", "first picks"],
            together_rows,
            note=f"disliked picks: {together_summary['disliked_picks']} of {together_summary['picks']}; "
            f"above both viewers' catalog medians: {together_summary['above_median_for_both_share']:.0%}.",
        ),
    ]
    finish("features", args, summary, tables)


if __name__ == "__main__":
    main()
