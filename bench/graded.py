"""Picks graded by reading: acceptance and nDCG@6 beside genre fit, from a grades file.

    python bench/graded.py [--grades bench/graded_picks.jsonl] [--moods bench/relevance_typed.jsonl]
                           [--split test] [--db URI] [--ungraded FILE] [--json] [--save]
    python bench/graded.py --pairs bench/graded_pairs.jsonl    (side-by-side readings, tallied)

Each line of the grades file is one pick a person read: ``{"mood", "id", "title", "grade",
"note"}`` with grade 0 (would reject it at once), 1 (would accept it) or 2 (just what was
asked), judged from its synopsis, genres, year and rating against the request. This script
runs the product's top 6 again for every graded mood and reports, over the picks that
carry a grade:
- acceptance: share of the top 6 graded >= 1;
- nDCG@6: gain 2^grade - 1, the ideal order being the best graded picks of that mood;
- genre fit@6 (the mood set's ok/avoid genres) and how often genre fit agrees with the
  reader (fit == accepted), with Cohen's kappa.
Picks of the new run that nobody graded are counted and, with ``--ungraded FILE``, written
out with their synopses so that a reader can grade them (then append them to the file).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from relevance_metrics import genre_fit, load_cases

from common import finish, make_parser, read_jsonl, table

K = 6
HERE = Path(__file__).parent


def load_grades(path: Path) -> dict[str, dict[str, dict]]:
    """mood -> title id -> the grade line."""
    out: dict[str, dict[str, dict]] = {}
    for where, row in read_jsonl(path):
        if row.get("grade") not in (0, 1, 2):
            raise SystemExit(f"{where}: grade must be 0, 1 or 2")
        out.setdefault(row["mood"], {})[row["id"]] = row
    return out


def dcg(gains: list[float]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def kappa(pairs: list[tuple[bool, bool]]) -> float | None:
    if not pairs:
        return None
    n = len(pairs)
    agree = sum(a == b for a, b in pairs) / n
    pa, pb = sum(a for a, _ in pairs) / n, sum(b for _, b in pairs) / n
    chance = pa * pb + (1 - pa) * (1 - pb)
    return None if chance >= 1 else (agree - chance) / (1 - chance)


def score(cases, picks_per_case, grades) -> dict:
    """Acceptance, nDCG@6, genre fit@6 and agreement over the graded picks of each case."""
    accepted, ndcgs, fits, pairs, ungraded, moods = [], [], [], [], [], 0
    for case, picks in zip(cases, picks_per_case):
        graded = grades.get(case.mood, {})
        top = picks[:K]
        known = [(p, graded[p["id"]]["grade"]) for p in top if p["id"] in graded]
        ungraded += [(case, p) for p in top if p["id"] not in graded]
        if not known:
            continue
        moods += 1
        accepted.append(sum(g >= 1 for _, g in known) / len(known))
        ideal = sorted((r["grade"] for r in graded.values()), reverse=True)[:K]
        got = [graded[p["id"]]["grade"] if p["id"] in graded else 0 for p in top]
        ndcgs.append(dcg(got) / dcg(ideal) if dcg(ideal) else 0.0)
        fit = [genre_fit(p["genres"], case) for p, _ in known]
        fits.append(sum(fit) / len(fit))
        pairs += [(f, g >= 1) for f, (_, g) in zip(fit, known)]

    def mean(xs):
        return sum(xs) / len(xs) if xs else None

    return {
        "moods": moods,
        "picks_graded": len(pairs),
        "acceptance@6": mean(accepted),
        "all_six_accepted": mean([a == 1.0 for a in accepted]),
        "ndcg@6": mean(ndcgs),
        "genre_fit@6": mean(fits),
        "genre_fit_agrees": mean([a == b for a, b in pairs]),
        "kappa": kappa(pairs),
        "ungraded": ungraded,
    }


def load_pairs(path: Path) -> list[dict]:
    """Side-by-side readings: ``{"comparison", "a", "b", "split", "mood", "better", "note"}``
    per request whose top 6 changed between method a and method b, ``better`` being "a",
    "b" or "tie"."""
    rows = []
    for where, row in read_jsonl(path):
        missing = [k for k in ("comparison", "a", "b", "mood", "better") if k not in row]
        if missing:
            raise SystemExit(f"{where}: missing {', '.join(missing)}")
        if row["better"] not in ("a", "b", "tie"):
            raise SystemExit(f"{where}: better must be a, b or tie, not {row['better']!r}")
        rows.append(row)
    return rows


def tally_pairs(rows: list[dict]) -> list[list]:
    """One row per (comparison, a, b): requests read, b better, a better, ties."""
    out: dict[tuple[str, str, str], list[int]] = {}
    for row in rows:
        counts = out.setdefault((row["comparison"], row["a"], row["b"]), [0, 0, 0, 0])
        counts[0] += 1
        counts[{"b": 1, "a": 2, "tie": 3}[row["better"]]] += 1
    return [[*key, *counts] for key, counts in out.items()]


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--grades", type=Path, default=HERE / "graded_picks.jsonl")
    parser.add_argument("--moods", type=Path, nargs="+", default=[HERE / "relevance_typed.jsonl"])
    parser.add_argument("--split", choices=["dev", "test", "all"], default="all")
    parser.add_argument("--db", default=None)
    parser.add_argument("--feelings", choices=["auto", "classifier", "feedback"], default=None)
    parser.add_argument("--ungraded", type=Path, default=None, help="write ungraded picks here (jsonl)")
    parser.add_argument(
        "--pairs", type=Path, default=None,
        help="only tally side-by-side readings (e.g. bench/graded_pairs.jsonl); no store needed",
    )  # fmt: skip
    args = parser.parse_args()
    if args.pairs:
        rows = tally_pairs(load_pairs(args.pairs))
        title = "Side by side, read: requests whose top 6 changed between a and b"
        columns = ["comparison", "a", "b", "read", "b better", "a better", "tie"]
        finish("graded_pairs", args, {"pairs": rows}, [table(title, columns, rows, "")])
        return

    from moodreel.search.recommender import Recommender
    from moodreel.services import build_services
    from moodreel.settings import Settings

    grades = load_grades(args.grades)
    cases = [c for p in args.moods for c in load_cases(p, args.split) if c.mood in grades]
    services = build_services(Settings(**({"milvus_uri": args.db} if args.db else {})))
    recommender = Recommender.from_services(services)
    if args.feelings:
        recommender.feelings_reader = args.feelings
    picks = []
    for case in cases:
        recs = recommender.recommend(case.mood, k=K).results
        picks.append(
            [
                {
                    "id": r.id,
                    "title": r.title,
                    "genres": r.genres,
                    "year": r.year,
                    "description": r.description,
                    "certification": r.stored.age_certification if r.stored else None,
                }
                for r in recs
            ]  # fmt: skip
        )
    result = score(cases, picks, grades)
    ungraded = result.pop("ungraded")
    if args.ungraded:
        with args.ungraded.open("w", encoding="utf-8") as out:
            for case, p in ungraded:
                out.write(json.dumps({"mood": case.mood, "split": case.split, **p}) + "\n")
    result["ungraded_picks"] = len(ungraded)
    tables = [
        table(
            f"Picks graded by reading: top {K} of {result['moods']} moods ({args.split})",
            ["measure", "value"],
            [[k, v] for k, v in result.items()],
            "acceptance = share of the top 6 graded >= 1; nDCG@6 with gain 2^grade - 1; "
            "agreement = genre fit says what the reader said (kappa corrects for chance).",
        )
    ]
    finish("graded", args, result, tables)


if __name__ == "__main__":
    main()
