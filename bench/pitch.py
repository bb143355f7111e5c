"""Pitch quality and speed with the configured LLM: complete, short, grounded, in tone.

    python bench/pitch.py [--db URI] [--moods 4] [--top 6] [--limit PAIRS] [--dump] [--json] [--save]

For each of the first --moods moods (bench/latency.py's list), the top --top titles from
the real store get a pitch from ``moodreel.search.pitch.stream_pitch``, one after the other,
as the page streams them. Figures per pitch:
- complete: the shown text ends on a full sentence; words p50/max and within 45 words.
- drafts with ...: the checks (``moodreel.search.pitch_check``) caught invented names, claims
  (awards, praise), a contradicting tone or genre label, a synopsis copy, or an unusable
  form (cut off, too long, empty) in a draft, before anything was shown.
- final text failing the checks: the checks run again on what was shown (0 unless the
  template itself trips them); regenerated and template fallback rates.
- first text: seconds until the first sentence is shown; pitch: until it is done.
``--dump`` prints every pitch verbatim, with its title, genres and what the checks found.
"""

from __future__ import annotations

import statistics
import time

from latency import MOODS

from common import finish, make_parser, table

DRAFT_KINDS = [
    ("invented names", {"name"}),
    ("invented claims (awards, praise)", {"claim"}),
    ("tone or genre contradictions", {"tone"}),
    ("synopsis copies", {"copy"}),
    ("talk about the task (meta)", {"meta"}),
    ("cut off, too long or empty", {"incomplete", "length", "empty"}),
]


def draft_key(found: set[str]) -> str:
    return f"draft_{'_'.join(sorted(found))}_rate"


def rate(flags: list[bool]) -> float:
    return round(sum(flags) / len(flags), 3) if flags else 0.0


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--db", default=None)
    parser.add_argument("--moods", type=int, default=4, help="moods from bench/latency.py's list")
    parser.add_argument("--top", type=int, default=6, help="titles per mood (a search's cards)")
    parser.add_argument("--limit", type=int, default=None, help="at most this many (mood, title) pairs")
    parser.add_argument("--dump", action="store_true", help="print every pitch verbatim")
    args = parser.parse_args()

    from moodreel.search.pitch import pitch_facts, stream_pitch
    from moodreel.search.pitch_check import check_pitch, kinds
    from moodreel.search.pitch_text import MAX_WORDS, split_sentences, words
    from moodreel.search.recommender import Recommender
    from moodreel.services import build_services
    from moodreel.settings import Settings

    settings = Settings(**({"milvus_uri": args.db} if args.db else {}))
    services = build_services(settings)
    recommender = Recommender.from_services(services)
    model, prompt, credits_index = services.chat_model, services.prompt("pitch"), services.credits
    pairs = []
    for mood in MOODS[: args.moods]:
        result = recommender.recommend(mood, args.top)
        stored = {t.id: t for t in services.store.get([r.id for r in result.results])}
        pairs += [(mood, result.emotions, stored[r.id]) for r in result.results if r.id in stored]
    pairs = pairs[: args.limit] if args.limit else pairs
    model.invoke("Say OK.", max_tokens=1)  # load the model; no warm-up pitch in the prefix cache

    rows = []
    for mood, emotions, title in pairs:
        credits = credits_index.get(title.id)
        start = time.perf_counter()
        first, chunks = None, []
        for chunk in stream_pitch(
            model, prompt, title, mood, emotions, credits, timeout_s=settings.pitch_timeout_s
        ):
            if chunk.text and first is None:
                first = time.perf_counter() - start
            chunks.append(chunk)
        seconds = time.perf_counter() - start
        text, last = "".join(c.text for c in chunks).strip(), chunks[-1]
        rows.append(
            {
                "mood": mood,
                "id": title.id,
                "title": title.title,
                "genres": title.genres,
                "text": text,
                "words": words(text),
                "complete": bool(text) and not split_sentences(text)[1],
                "attempts": last.attempts,
                "fallback": last.fallback,
                "notice": last.notice,
                "violations": [str(v) for v in last.violations],
                "draft_kinds": sorted(kinds(last.violations)),
                "final_kinds": sorted(kinds(check_pitch(text, pitch_facts(title, credits, mood)))),
                "first_text_s": round(first if first is not None else seconds, 2),
                "seconds": round(seconds, 2),
            }
        )
        if args.dump:
            r = rows[-1]
            flags = [f"{r['words']} words", f"{r['seconds']:.1f} s", f"attempts {r['attempts']}"]
            flags += ["TEMPLATE"] if r["fallback"] else []
            print(f"\n### {mood} -> {title.title} ({', '.join(title.genres)})\n{text}")
            print(
                f"[{'; '.join(flags)}]"
                + (f" caught: {' | '.join(r['violations'])}" if r["violations"] else "")
            )

    if not rows:
        raise SystemExit("no (mood, title) pairs: is the store empty? (python -m ingest --extractor fast)")
    n = len(rows)
    word_counts = [r["words"] for r in rows]
    summary = {
        "pairs": n,
        "llm_backend": settings.llm_backend,
        "complete_rate": rate([r["complete"] for r in rows]),
        "words_p50": statistics.median(word_counts),
        "words_max": max(word_counts),
        "within_budget_rate": rate([r["words"] <= MAX_WORDS for r in rows]),
        **{draft_key(ks): rate([bool(ks & set(r["draft_kinds"])) for r in rows]) for _, ks in DRAFT_KINDS},
        "final_name_rate": rate(["name" in r["final_kinds"] for r in rows]),
        "final_tone_rate": rate(["tone" in r["final_kinds"] for r in rows]),
        "final_any_rate": rate([bool(r["final_kinds"]) for r in rows]),
        "regenerated_rate": rate([r["attempts"] > 1 for r in rows]),
        "fallback_rate": rate([r["fallback"] for r in rows]),
        "first_text_p50_s": round(statistics.median(r["first_text_s"] for r in rows), 2),
        "pitch_p50_s": round(statistics.median(r["seconds"] for r in rows), 2),
        "pitch_max_s": round(max(r["seconds"] for r in rows), 2),
        "pitches": rows,
    }
    lines = [
        ("complete (ends on a full sentence)", f"{summary['complete_rate']:.0%}"),
        ("words p50 / max", f"{summary['words_p50']:g} / {summary['words_max']}"),
        (f"within {MAX_WORDS} words", f"{summary['within_budget_rate']:.0%}"),
    ]
    lines += [(f"drafts with {label}", f"{summary[draft_key(ks)]:.0%}") for label, ks in DRAFT_KINDS]
    lines += [
        ("shown text with invented names", f"{summary['final_name_rate']:.0%}"),
        ("shown text with a tone contradiction", f"{summary['final_tone_rate']:.0%}"),
        ("shown text failing any check", f"{summary['final_any_rate']:.0%}"),
        ("regenerated", f"{summary['regenerated_rate']:.0%}"),
        ("template fallback", f"{summary['fallback_rate']:.0%}"),
        ("first text p50 (s)", summary["first_text_p50_s"]),
        ("pitch p50 / max (s)", f"{summary['pitch_p50_s']} / {summary['pitch_max_s']}"),
    ]
    note = (
        f"{n} (mood, title) pairs: {args.moods} moods x top {args.top}, one pitch after the other, "
        f"LLM backend {settings.llm_backend}, {settings.llm_threads} threads"
    )
    finish("pitch", args, summary, [table("Pitches", ["figure", "value"], lines, note)])


if __name__ == "__main__":
    main()
