"""Pitches read by a person against their synopses, and how the automatic check agrees.

    python bench/pitch_judged.py --judged bench/pitch_judged.jsonl [--json] [--save]

Each line of the labels file is one pitch as written (by ``bench/pitch.py --dump --save``)
with what its reader found: ``label`` is ``faithful``, ``invents`` (a fact the synopsis does
not have: a character, a relation, an event, praise) or ``misstates`` (the kind of title or
its tone: a documentary pitched as the show, a comedy called chilling); ``note`` says what.
``role`` is ``shown`` (what the card showed: an LLM pitch that passed the check, or the
template) or ``draft`` (a first draft the check refused, read to measure the check).

Figures: the shown pitches' judged rates (the target: at most 5% invent or misstate), the
template's share, and the check's precision and recall on every LLM text read (drafts and
shown), where the check "flags" a text when ``check_pitch`` finds a content problem in it
(words or names the facts do not support, story elements, claims, tone, meta talk; a copy
of the synopsis or a cut-off sentence is a form problem, not a false fact). The check is
run anew on each text, so a changed check is measured on the same read pitches. No LLM.
The check's agreement is also given per half (``split_of``: by a hash of the title's id):
change the check looking at the dev half only, and judge the change on the test half.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from common import finish, make_parser, table

LABELS = ("faithful", "invents", "misstates")
CONTENT_KINDS = {"unsupported", "name", "plot", "claim", "tone", "meta", "link", "echo"}


def _title(row: dict):
    from moodreel.records import StoredTitle

    return StoredTitle(
        id=row["id"],
        title=row["title"],
        type=row.get("type", "MOVIE"),
        description=row.get("synopsis", ""),
        genres=row.get("genres", []),
        release_year=row.get("release_year"),
        runtime=row.get("runtime"),
        age_certification=row.get("age_certification"),
        emotions=row.get("title_emotions", []),
    )


def flags(row: dict, credits) -> set[str]:
    """The content problems the check finds in the row's text today."""
    from moodreel.search.pitch import pitch_facts
    from moodreel.search.pitch_check import check_pitch, kinds

    facts = pitch_facts(_title(row), credits.get(row["id"]), row["mood"], "", row.get("emotions", []))
    return kinds(check_pitch(row["text"], facts)) & CONTENT_KINDS


def split_of(title_id: str) -> str:
    """'dev' or 'test', fixed per title by a hash of its id (a title's drafts stay together)."""
    return "dev" if int(hashlib.sha1(title_id.encode()).hexdigest(), 16) % 2 == 0 else "test"


def _agreement(flagged: list[bool], wrong: list[bool]) -> tuple[int, int, int]:
    """True positives, false positives and false negatives of the check against the reading."""
    pairs = list(zip(flagged, wrong, strict=True))
    return (
        sum(f and w for f, w in pairs),
        sum(f and not w for f, w in pairs),
        sum(w and not f for f, w in pairs),
    )


def _rate(n: int, d: int) -> float:
    return round(n / d, 3) if d else 0.0


def report(path: str) -> tuple[dict, list]:
    from moodreel.credits import CreditsIndex
    from moodreel.settings import Settings

    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    bad = [r for r in rows if r.get("label") not in LABELS]
    if bad:
        raise SystemExit(f"{len(bad)} rows without a label in {LABELS}: first {bad[0].get('title')!r}")
    credits = CreditsIndex(Settings().credits_file)
    shown = [r for r in rows if r["role"] == "shown"]
    llm = [r for r in rows if not r.get("fallback")]
    flagged = [bool(flags(r, credits)) for r in llm]
    wrong = [r["label"] != "faithful" for r in llm]
    tp, fp, fn = _agreement(flagged, wrong)
    halves = {}  # a change to the check is tuned on the dev half and judged on the test half
    for half in ("dev", "test"):
        picked = [i for i, r in enumerate(llm) if split_of(r["id"]) == half]
        h_tp, h_fp, h_fn = _agreement([flagged[i] for i in picked], [wrong[i] for i in picked])
        halves[half] = {
            "texts": len(picked),
            "precision": _rate(h_tp, h_tp + h_fp),
            "recall": _rate(h_tp, h_tp + h_fn),
        }
    count = {label: sum(r["label"] == label for r in shown) for label in LABELS}
    summary = {
        "read": len(rows),
        "shown": len(shown),
        "shown_faithful_rate": _rate(count["faithful"], len(shown)),
        "shown_invents_rate": _rate(count["invents"], len(shown)),
        "shown_misstates_rate": _rate(count["misstates"], len(shown)),
        "shown_wrong_rate": _rate(count["invents"] + count["misstates"], len(shown)),
        "shown_template_rate": _rate(sum(bool(r.get("fallback")) for r in shown), len(shown)),
        "llm_texts_read": len(llm),
        "llm_texts_wrong": sum(wrong),
        "check_flagged": sum(flagged),
        "check_precision": _rate(tp, tp + fp),
        "check_recall": _rate(tp, tp + fn),
        "check_by_half": halves,
        "shown_wrong": [
            {"title": r["title"], "label": r["label"], "note": r.get("note", ""), "text": r["text"]}
            for r in shown
            if r["label"] != "faithful"
        ],
    }
    lines = [
        ("pitches read (shown + refused drafts)", summary["read"]),
        ("shown pitches read", summary["shown"]),
        ("shown: faithful", f"{summary['shown_faithful_rate']:.0%}"),
        ("shown: invents a fact", f"{summary['shown_invents_rate']:.0%}"),
        ("shown: misstates the kind or tone", f"{summary['shown_misstates_rate']:.0%}"),
        ("shown: template", f"{summary['shown_template_rate']:.0%}"),
        (
            "LLM texts read / judged wrong / flagged by the check",
            f"{len(llm)} / {sum(wrong)} / {sum(flagged)}",
        ),
        ("check precision (flagged that were wrong)", f"{summary['check_precision']:.0%}"),
        ("check recall (wrong that were flagged)", f"{summary['check_recall']:.0%}"),
        *(
            (
                f"check precision / recall, {half} half ({h['texts']} texts)",
                f"{h['precision']:.0%} / {h['recall']:.0%}",
            )
            for half, h in halves.items()
        ),
    ]
    note = f"labels read by hand in {path}; the check is run anew on every LLM text"
    return summary, [table("Pitches read against their synopses", ["figure", "value"], lines, note)]


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--judged", default="bench/pitch_judged.jsonl")
    args = parser.parse_args()
    summary, tables = report(args.judged)
    finish("pitch_judged", args, summary, tables)


if __name__ == "__main__":
    main()
