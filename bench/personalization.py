"""Does taste help? Hold-out hit-rate@10 per sample viewer, and profile-building speed.

    python bench/personalization.py [--history data/viewing_history.csv] [--db URI] [--json]

For each viewer, the two highest-rated titles are held out of the history; the profile
is built from the rest. A viewer scores a hit when a held-out title is in the top 10 of:
- mood only (personalization 0, mood "something good to watch tonight", no viewer);
- mood + taste (the default personalization weight, same mood, with the viewer);
- taste only (mood-free: the viewer's taste vector is the query).
Profile building is timed on a synthetic 10,000-row history (the sample rows repeated
under new user ids), against the same store.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from moodreel.profiles.history import HistoryRow, read_history  # noqa: E402
from moodreel.profiles.viewers import Viewers  # noqa: E402
from moodreel.search.recommender import Recommender  # noqa: E402
from moodreel.services import build_services  # noqa: E402
from moodreel.settings import PROJECT_ROOT, Settings  # noqa: E402

MOOD = "something good to watch tonight"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--history", type=Path, default=PROJECT_ROOT / "data" / "viewing_history.csv")
    parser.add_argument("--db", default=None)
    parser.add_argument("--rows", type=int, default=10_000, help="rows for the profile-building timing")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as state:
        updates = {"cache_dir": Path(state)} | ({"milvus_uri": args.db} if args.db else {})
        settings = Settings(**updates)
        services = build_services(settings)
        recommender = Recommender(services)
        viewers = Viewers(services)
        history = read_history(args.history)
        rows_out = []
        for user in history.users():
            rows = history.for_user(user)
            held = sorted(rows, key=lambda r: (-r.rating, -r.watch_time_minutes, r.content_name))[:2]
            kept = [r for r in rows if r not in held]
            profile, _ = viewers.build(user, kept)
            held_ids = {m.id for m in (viewers.matcher.match(r.content_name) for r in held) if m.id}
            mood_only = recommender.recommend(MOOD, 10)
            blended = recommender.recommend(MOOD, 10, viewer=profile)
            taste = recommender.recommend_for_viewer(profile, 10) if profile.taste is not None else None

            def hit(result, held_ids=held_ids) -> int:
                return int(result is not None and bool(held_ids & {r.id for r in result.results}))

            rows_out.append(
                {
                    "user": user,
                    "type": profile.viewer_type,
                    "mood_only": hit(mood_only),
                    "mood_taste": hit(blended),
                    "taste_only": hit(taste),
                }
            )

        big = []
        while len(big) < args.rows:
            for user in history.users():
                for r in history.for_user(user):
                    big.append(
                        HistoryRow(
                            user_id=f"{user}-{len(big) // 200}",
                            content_name=r.content_name,
                            rating=r.rating,
                            watch_time_minutes=r.watch_time_minutes,
                            line=r.line,
                        )
                    )
        big = big[: args.rows]
        by_user: dict[str, list[HistoryRow]] = {}
        for r in big:
            by_user.setdefault(r.user_id, []).append(r)
        start = time.perf_counter()
        for user, rows in by_user.items():
            viewers.build(user, rows)
        build_s = time.perf_counter() - start

    n = max(1, len(rows_out))
    summary = {
        "viewers": len(rows_out),
        "hit_rate_at_10_mood_only": round(sum(r["mood_only"] for r in rows_out) / n, 3),
        "hit_rate_at_10_mood_taste": round(sum(r["mood_taste"] for r in rows_out) / n, 3),
        "hit_rate_at_10_taste_only": round(sum(r["taste_only"] for r in rows_out) / n, 3),
        "personalization": settings.personalization,
        "profile_rows": len(big), "profile_users": len(by_user), "profile_build_s": round(build_s, 2),
    }  # fmt: skip
    if args.json:
        print(json.dumps(summary))
        return
    print(f"Hold-out hit-rate@10, {summary['viewers']} viewers, mood {MOOD!r}")
    print(
        f"| {'viewer':<12} | {'type':<14} | mood only | mood+taste (w={settings.personalization}) | taste only |"
    )
    print(f"|{'-' * 14}|{'-' * 16}|-----------|{'-' * 24}|------------|")
    for r in rows_out:
        print(
            f"| {r['user']:<12} | {r['type']:<14} | {r['mood_only']:>9} | {r['mood_taste']:>22} | {r['taste_only']:>10} |"
        )
    print(
        f"| {'hit-rate':<12} | {'':<14} | {summary['hit_rate_at_10_mood_only']:>9} | "
        f"{summary['hit_rate_at_10_mood_taste']:>22} | {summary['hit_rate_at_10_taste_only']:>10} |"
    )
    print(
        f"profile building: {summary['profile_rows']} rows, {summary['profile_users']} viewers in "
        f"{summary['profile_build_s']} s"
    )


if __name__ == "__main__":
    main()
