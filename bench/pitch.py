"""Pitch quality and speed with the configured LLM: complete, short, grounded, in tone.

    python bench/pitch.py [--db URI] [--moods 5] [--top 10] [--limit PAIRS] [--extra PAIRS.jsonl]
                          [--dump] [--json] [--save]
    python bench/pitch.py --judged bench/pitch_judged.jsonl   (no LLM: the read pitches)

For each of the first --moods moods (bench/latency.py's list), the top --top titles from
the real store get a tagline and a pitch from ``moodreel.search.pitch.stream_pitch``, one
after the other in page order, as the page streams them (50 pairs by default). The LLM is
warmed up as the server does (``warm_up_pitches``). Figures per pitch:
- complete: the shown text ends on a full sentence; words p50/max and within 45 words.
- drafts with ...: the checks (``moodreel.search.pitch_check``) caught invented names, claims
  (awards, praise), a contradicting tone or genre label, a synopsis copy, or an unusable
  form (cut off, too long, empty) in a draft, before anything was shown.
- final text failing the checks: the checks run again on what was shown (0 unless the
  template itself trips them); regenerated and template fallback rates.
- tagline: written by the LLM (else a template), words p50/max, shown taglines failing checks.
- first token: seconds from asking for the pitch to the LLM's first token, for the 1st
  pitch of a search and for the later ones (they reuse the prompt's shared start); first
  text: until the tagline or first sentence is shown; pitch: until it is done.
- all 6 done: seconds from the first pitch's start until the first 6 pitches of a search
  are done (the page's default six cards), per search.
``--dump`` prints every pitch verbatim, with its title, genres and what the checks found.
``--extra`` adds (mood, title id) pairs of one's choosing (documentaries about other titles,
stand-up specials, children's shows), pitched after the searches (not in the speed figures).
``--judged`` reports on pitches read by a person against their synopses (``pitch_judged``):
how many of the shown ones invent a fact or misstate the kind or tone, and the automatic
check's precision and recall against those labels.
"""

from __future__ import annotations

import statistics
import time

from latency import MOODS

from common import finish, make_parser, table

DRAFT_KINDS = [
    ("words the facts do not support", {"unsupported"}),
    ("invented names", {"name"}),
    ("invented story elements", {"plot"}),
    ("invented claims (awards, praise)", {"claim"}),
    ("tone or genre contradictions", {"tone"}),
    ("synopsis copies", {"copy"}),
    ("the viewer's words parroted", {"echo"}),
    ("talk about the task (meta)", {"meta"}),
    ("cut off, too long or empty", {"incomplete", "length", "empty"}),
]


def draft_key(found: set[str]) -> str:
    return f"draft_{'_'.join(sorted(found))}_rate"


class FirstToken:
    """The chat model, noting when the first non-empty token of each stream arrives."""

    def __init__(self, model) -> None:
        self.model = model
        self.first: float | None = None

    def __getattr__(self, name: str):  # what the model can do (guards_words, read_ahead) stays visible
        return getattr(self.model, name)

    def stream(self, *args, **kwargs):
        stream = self.model.stream(*args, **kwargs)
        try:
            for chunk in stream:
                if chunk.content and self.first is None:
                    self.first = time.perf_counter()
                yield chunk
        finally:
            stream.close()


def rate(flags: list[bool]) -> float:
    return round(sum(flags) / len(flags), 3) if flags else 0.0


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--db", default=None)
    parser.add_argument("--moods", type=int, default=5, help="moods from bench/latency.py's list")
    parser.add_argument("--top", type=int, default=10, help="titles per mood (a search's cards)")
    parser.add_argument("--limit", type=int, default=None, help="at most this many (mood, title) pairs")
    parser.add_argument("--dump", action="store_true", help="print every pitch verbatim")
    parser.add_argument(
        "--no-read-ahead",
        action="store_true",
        help="do not read the next pitch's prompt while one is written (as with MOODREEL_LLM_CONTEXTS=1)",
    )
    parser.add_argument("--extra", default=None, help="jsonl of {id, mood}: more pairs to pitch")
    parser.add_argument("--judged", default=None, help="jsonl of read pitches: report on them, no LLM")
    args = parser.parse_args()
    if args.judged:  # the same as bench/pitch_judged.py --judged FILE
        from pitch_judged import report

        summary, tables = report(args.judged)
        finish("pitch_judged", args, summary, tables)
        return

    from moodreel.search.pitch import pitch_facts, read_pitch_ahead, stream_pitch
    from moodreel.search.pitch_check import check_pitch, kinds
    from moodreel.search.pitch_text import MAX_WORDS, split_sentences, words
    from moodreel.search.recommender import Recommender
    from moodreel.search.tagline import check_tagline
    from moodreel.search.title_kind import title_kind
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
        found = [stored[r.id] for r in result.results if r.id in stored]
        pairs += [(mood, result.emotions, title, i) for i, title in enumerate(found)]
    pairs = pairs[: args.limit] if args.limit else pairs
    searched = len(pairs)
    if args.extra:
        import json
        from pathlib import Path

        lines = Path(args.extra).read_text(encoding="utf-8").splitlines()
        wanted = [json.loads(line) for line in lines if line.strip()]
        stored = {t.id: t for t in services.store.get([w["id"] for w in wanted])}
        for w in wanted:
            if w["id"] in stored:
                feelings = recommender.understand(w["mood"]).feelings
                pairs.append((w["mood"], feelings, stored[w["id"]], 0))
    recommender.warm_up_pitches()  # as the server does: the model loaded, the prompt's start cached
    timed = FirstToken(model)

    rows = []
    openings: dict[str, list[str]] = {}  # per search, as the page does: no two open alike
    for index, (mood, emotions, title, position) in enumerate(pairs):
        credits = credits_index.get(title.id)
        # as the app does: the next card of the same search is read while this one is written
        following = pairs[index + 1] if index + 1 < searched and not args.no_read_ahead else None
        ahead = following if following is not None and following[3] > 0 else None
        start = time.perf_counter()
        timed.first = None
        first, chunks = None, []

        def read_next(ahead=ahead, mood=mood) -> None:
            if ahead is not None:
                _, next_emotions, next_title, _ = ahead
                read_pitch_ahead(
                    model, prompt, next_title, mood, next_emotions, credits_index.get(next_title.id)
                )

        for chunk in stream_pitch(
            timed,
            prompt,
            title,
            mood,
            emotions,
            credits,
            timeout_s=settings.pitch_timeout_s,
            temperature=settings.pitch_temperature,
            started=read_next,
            openings=openings.setdefault(mood, []) if index < searched else [],
        ):
            if (chunk.text or chunk.tagline) and first is None:
                first = time.perf_counter() - start
            chunks.append(chunk)
        seconds = time.perf_counter() - start
        first_token = (timed.first - start) if timed.first is not None else seconds
        text, last = "".join(c.text for c in chunks).strip(), chunks[-1]
        facts = pitch_facts(title, credits, mood, "", emotions)
        rows.append(
            {
                "mood": mood,
                "emotions": emotions,
                "id": title.id,
                "title": title.title,
                "type": title.type,
                "genres": title.genres,
                "release_year": title.release_year,
                "runtime": title.runtime,
                "age_certification": title.age_certification,
                "title_emotions": title.emotions,
                "synopsis": title.description,
                "kind": title_kind(title).phrase,
                "search": index < searched,
                "text": text,
                "drafts": list(last.drafts),
                "first_draft_kinds": sorted(kinds(check_pitch(last.drafts[0], facts))) if last.drafts else [],
                "words": words(text),
                "complete": bool(text) and not split_sentences(text)[1],
                "attempts": last.attempts,
                "fallback": last.fallback,
                "notice": last.notice,
                "violations": [str(v) for v in last.violations],
                "draft_kinds": sorted(kinds(last.violations)),
                "final_kinds": sorted(kinds(check_pitch(text, facts))),
                "tagline": last.tagline,
                "tagline_llm": not last.tagline_fallback,
                "tagline_violations": [str(v) for v in last.tagline_violations],
                "tagline_words": words(last.tagline),
                "tagline_final_kinds": sorted(kinds(check_tagline(last.tagline, facts))),
                "position": position,
                "first_token_s": round(first_token, 2),
                "first_text_s": round(first if first is not None else seconds, 2),
                "seconds": round(seconds, 2),
            }
        )
        if args.dump:
            r = rows[-1]
            flags = [
                f"{r['words']} words",
                f"first token {r['first_token_s']:.2f} s",
                f"{r['seconds']:.1f} s",
            ]
            flags += [f"attempts {r['attempts']}"]
            flags += ["TEMPLATE"] if r["fallback"] else []
            print(f"\n### {mood} -> {title.title} ({', '.join(title.genres)})\n> {last.tagline}\n{text}")
            print(
                f"[{'; '.join(flags)}]"
                + (f" caught: {' | '.join(r['violations'])}" if r["violations"] else "")
                + (f" tagline: {' | '.join(r['tagline_violations'])}" if r["tagline_violations"] else "")
            )

    if not rows:
        raise SystemExit("no (mood, title) pairs: is the store empty? (python -m ingest --extractor fast)")
    n = len(rows)
    timed_rows = [r for r in rows if r["search"]]
    word_counts = [r["words"] for r in rows]
    firsts = [r["first_token_s"] for r in timed_rows if r["position"] == 0]
    laters = [r["first_token_s"] for r in timed_rows if r["position"] > 0]
    searches: dict[str, list[dict]] = {}
    for r in timed_rows:
        searches.setdefault(r["mood"], []).append(r)
    six_done = [
        sum(r["seconds"] for r in sorted(rs, key=lambda r: r["position"])[:6]) for rs in searches.values()
    ]
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
        "free_of_names_and_tone_rate": rate([not {"name", "tone"} & set(r["final_kinds"]) for r in rows]),
        "tagline_llm_rate": rate([r["tagline_llm"] for r in rows]),
        "tagline_words_p50": statistics.median(r["tagline_words"] for r in rows),
        "tagline_words_max": max(r["tagline_words"] for r in rows),
        "tagline_final_any_rate": rate([bool(r["tagline_final_kinds"]) for r in rows]),
        "first_token_first_p50_s": round(statistics.median(firsts), 2) if firsts else None,
        "first_token_later_p50_s": round(statistics.median(laters), 2) if laters else None,
        "six_done_p50_s": round(statistics.median(six_done), 1),
        "six_done_max_s": round(max(six_done), 1),
        "same_opening_pairs": sum(
            len(rs) - len({r["text"].split(" ", 1)[0].lower() for r in rs}) for rs in searches.values()
        ),
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
        ("pitches of a search opening with an earlier one's word", summary["same_opening_pairs"]),
        ("regenerated", f"{summary['regenerated_rate']:.0%}"),
        ("template fallback", f"{summary['fallback_rate']:.0%}"),
        (
            "shown text free of invented names and tone contradictions",
            f"{summary['free_of_names_and_tone_rate']:.0%}",
        ),
        ("tagline written by the LLM (else template)", f"{summary['tagline_llm_rate']:.0%}"),
        ("tagline words p50 / max", f"{summary['tagline_words_p50']:g} / {summary['tagline_words_max']}"),
        ("shown taglines failing any check", f"{summary['tagline_final_any_rate']:.0%}"),
        ("first token p50, 1st pitch of a search (s)", summary["first_token_first_p50_s"]),
        ("first token p50, later pitches (s)", summary["first_token_later_p50_s"]),
        ("first text shown p50 (s)", summary["first_text_p50_s"]),
        ("pitch p50 / max (s)", f"{summary['pitch_p50_s']} / {summary['pitch_max_s']}"),
        (
            "all 6 pitches of a search done p50 / max (s)",
            f"{summary['six_done_p50_s']} / {summary['six_done_max_s']}",
        ),
    ]
    note = (
        f"{n} (mood, title) pairs: {args.moods} moods x top {args.top}, one pitch after the other, "
        f"LLM backend {settings.llm_backend}, {settings.llm_threads} threads, "
        + (
            "no reading ahead"
            if args.no_read_ahead
            else f"{settings.llm_contexts} contexts (the next prompt read ahead)"
        )
    )
    finish("pitch", args, summary, [table("Pitches", ["figure", "value"], lines, note)])


if __name__ == "__main__":
    main()
