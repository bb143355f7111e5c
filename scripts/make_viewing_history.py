"""Write data/viewing_history.csv: a dozen sample viewers with distinct tastes.

Deterministic (fixed seed, titles picked from data/netflix_titles.csv by genre and vote
count), so re-running gives the same file. Each viewer has a taste (genres they love
and rate 4-5, genres they dislike and rate 1-2) and a way of watching (completion of
films, number of episodes of shows), which yields the documented viewer types.

    .venv/bin/python scripts/make_viewing_history.py [--catalog CSV] [--output CSV]
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

from moodreel.catalog import load_catalog
from moodreel.profiles.matching import normalize_title
from moodreel.records import Title

ROOT = Path(__file__).resolve().parents[1]
SEED = 20240501
# user_id: (loved genres, disliked genres, type wanted, n loved, n disliked, n neutral, completion range)
VIEWERS = {
    "horror_fan": (["horror"], ["comedy", "romance"], "MOVIE", 14, 4, 2, (0.9, 1.0)),
    "comedy_lover": (["comedy"], ["horror", "war"], "MOVIE", 14, 3, 3, (0.85, 1.0)),
    "doc_buff": (["documentation"], ["fantasy", "horror"], None, 16, 3, 2, (0.8, 1.0)),
    "series_binger": (["drama", "crime"], ["reality"], "SHOW", 14, 2, 2, (0.7, 1.0)),
    "romance_reader": (["romance"], ["horror", "action"], "MOVIE", 12, 3, 3, (0.85, 1.0)),
    "action_junkie": (["action"], ["romance", "documentation"], "MOVIE", 15, 3, 2, (0.85, 1.0)),
    "scifi_nerd": (["scifi"], ["romance", "reality"], None, 13, 3, 3, (0.8, 1.0)),
    "family_night": (["family", "animation"], ["horror", "crime"], "MOVIE", 12, 2, 4, (0.8, 1.0)),
    "true_crime": (["crime"], ["family", "animation"], None, 13, 3, 2, (0.8, 1.0)),
    "history_war": (["war", "history"], ["comedy", "reality"], "MOVIE", 11, 3, 3, (0.85, 1.0)),
    "explorer": ([], [], None, 0, 0, 22, (0.8, 1.0)),
    "casual_surfer": (["comedy", "reality"], ["drama"], None, 6, 3, 3, (0.1, 0.45)),
}
SHOW_EPISODES = 8


def popular(titles: list[Title], genres: list[str], type_: str | None, exclude: set[str]) -> list[Title]:
    picked = [
        t
        for t in titles
        if t.id not in exclude
        and (not genres or genres[0] in t.genres or set(genres) & set(t.genres[:1]))
        and (type_ is None or t.type == type_)
        and t.runtime
    ]
    return sorted(picked, key=lambda t: (-(t.imdb_votes or 0), t.id))[:120]


def rows_for(user: str, spec: tuple, titles: list[Title], rng: random.Random) -> list[dict]:
    loved, disliked, type_, n_love, n_dislike, n_neutral, (lo, hi) = spec
    used: set[str] = set()
    chosen: list[tuple[Title, float]] = []
    for genres, n, ratings in ((loved, n_love, (4, 5, 5)), (disliked, n_dislike, (1, 1, 2))):
        if not n:
            continue
        pool = popular(titles, genres, type_, used)
        for t in rng.sample(pool, min(n, len(pool))):
            used.add(t.id)
            chosen.append((t, rng.choice(ratings)))
    if n_neutral:
        pool = [t for t in titles if t.id not in used and t.runtime and (t.imdb_votes or 0) > 50_000]
        pool.sort(key=lambda t: t.id)
        if user == "explorer":  # one or two titles from each of many genres
            by_genre: dict[str, list[Title]] = {}
            for t in pool:
                if t.genres:
                    by_genre.setdefault(t.genres[0], []).append(t)
            picks = [rng.choice(v) for _, v in sorted(by_genre.items())]
            rng.shuffle(picks)
            pool = picks + rng.sample(pool, 10)
        else:
            pool = rng.sample(pool, min(len(pool), n_neutral * 3))
        for t in pool:
            if len(chosen) >= n_love + n_dislike + n_neutral:
                break
            if t.id not in used:
                used.add(t.id)
                chosen.append((t, rng.choice((3, 3, 4, 2, 4)) if user == "explorer" else 3))
    rows = []
    for t, rating in chosen:
        full = (t.runtime or 90) * (SHOW_EPISODES if t.type == "SHOW" else 1)
        minutes = round(full * rng.uniform(lo, hi))
        rows.append(
            {"user_id": user, "content_name": t.title, "rating": rating, "watch_time_minutes": minutes}
        )
    rng.shuffle(rows)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=ROOT / "data" / "netflix_titles.csv")
    parser.add_argument("--output", type=Path, default=ROOT / "data" / "viewing_history.csv")
    args = parser.parse_args()
    catalog = load_catalog(args.catalog)
    # titles whose normalized name occurs once in the catalog, so the sample history matches cleanly
    counts: dict[str, int] = {}
    for t in catalog.titles:
        key = normalize_title(t.title)[0]
        counts[key] = counts.get(key, 0) + 1
    titles = [t for t in catalog.titles if counts[normalize_title(t.title)[0]] == 1]
    rng = random.Random(SEED)
    rows = [row for user, spec in VIEWERS.items() for row in rows_for(user, spec, titles, rng)]
    with args.output.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["user_id", "content_name", "rating", "watch_time_minutes"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} rows for {len(VIEWERS)} viewers -> {args.output}")


if __name__ == "__main__":
    main()
