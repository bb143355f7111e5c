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

import tempfile
import time
from pathlib import Path

from common import ROOT, finish, make_parser, table

MOOD = "something good to watch tonight"


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--history", type=Path, default=ROOT / "data" / "viewing_history.csv")
    parser.add_argument("--db", default=None)
    parser.add_argument("--rows", type=int, default=10_000, help="rows for the profile-building timing")
    parser.add_argument(
        "--limit", type=int, default=0, help="only the first N viewers for the hit-rate (0: all)"
    )
    args = parser.parse_args()

    from moodreel.profiles.history import HistoryRow, read_history
    from moodreel.profiles.viewers import Viewers
    from moodreel.search.recommender import Recommender
    from moodreel.services import build_services
    from moodreel.settings import Settings

    with tempfile.TemporaryDirectory() as state:
        updates = {"cache_dir": Path(state)} | ({"milvus_uri": args.db} if args.db else {})
        settings = Settings(**updates)
        services = build_services(settings)
        recommender = Recommender(services)
        viewers = Viewers(services)
        history = read_history(args.history)
        rows_out = []
        for user in history.users()[: args.limit or None]:
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
        viewers.build_many(by_user)
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
    w = settings.personalization
    tables = [
        table(
            f"Hold-out hit-rate@10, {summary['viewers']} sample viewers, mood {MOOD!r}",
            ["viewer", "type", "mood only", f"mood + taste (w={w})", "taste only"],
            [[r["user"], r["type"], r["mood_only"], r["mood_taste"], r["taste_only"]] for r in rows_out]
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
            [[summary["profile_rows"], summary["profile_users"], summary["profile_build_s"]]],
        ),
    ]
    finish("personalization", args, summary, tables)


if __name__ == "__main__":
    main()
