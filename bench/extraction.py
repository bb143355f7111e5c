"""Title extraction against a hosted model's emotions, next to frequency baselines.

    python bench/extraction.py [--reference ../shared/data/reference_emotions_dev.csv]
                               [--limit N] [--llm-limit 12] [--json] [--save]

The reference (``title,description,genres,emotions,emojis``, 500 titles whose 8 emotions
a large hosted LLM wrote) is read from ../shared, never copied into the repo (no licence).
Each reference title is matched to the catalog (title + synopsis, else title). Extractors:
- llm: the local LLM extractor. Answers come from the vibes cache (data/vibes.jsonl and
  earlier runs); up to --llm-limit uncached titles are extracted now (~15 s each on CPU)
  and cached, so every run grows the sample.
- fast: the fast extractor (synopsis-nearest feeling words + genre leanings).
- most frequent 8: the 8 emotions the reference uses most, for every title.
- most frequent 8 for its genres: per title, the reference's emotions summed over the
  title's genres, counted on the *other* titles (leave-one-out).
Figures:
- overlap@8: shared emotion words / reference words (exact, lower-cased).
- soft overlap: for each reference emotion, the best cosine with one of ours (MiniLM),
  averaged: near-synonyms ("fear" / "dread") count part-way.
- specificity: split-half self-retrieval. The mean vector of a title's odd-position
  emotions queries the even-position vectors of every title sharing a genre with it;
  a hit when its own title is in the top 10 (ties counted against it). A labeller that
  gives every thriller the same words cannot find its own title; specific vibes can.
"""

from __future__ import annotations

import ast
import csv
from collections import Counter
from pathlib import Path

import numpy as np

from common import SHARED_DATA, finish, make_parser, table

DEFAULT_REFERENCE = SHARED_DATA / "reference_emotions_dev.csv"
K = 8


def parse_words(raw: str) -> list[str]:
    """'[a, b]', "['a', 'b']" or 'a, b' -> ['a', 'b'] (lower-case, stripped, no duplicates)."""
    text = raw.strip()
    if text.startswith("["):
        try:
            value = ast.literal_eval(text)
            if isinstance(value, list):
                return list(dict.fromkeys(str(v).strip().lower() for v in value if str(v).strip()))
        except (ValueError, SyntaxError):
            text = text.strip("[]")
    return list(dict.fromkeys(w.strip(" '\"").lower() for w in text.split(",") if w.strip(" '\"")))


def load_reference(path: Path) -> list[dict]:
    if not path.exists():
        raise SystemExit(
            f"reference file {path} not found: it lives in ../shared/data/ (not shipped with the repo); "
            "pass --reference PATH"
        )
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"title", "description", "genres", "emotions"} - set(reader.fieldnames or [])
        if missing:
            raise SystemExit(f"{path}: missing column(s) {sorted(missing)}")
        for line, row in enumerate(reader, start=2):
            emotions = parse_words(row["emotions"])
            if not emotions:
                raise SystemExit(f"{path}: line {line}: field 'emotions' is empty")
            rows.append({"title": row["title"], "description": row["description"], "emotions": emotions})
    return rows


def overlap(ours: list[str], ref: list[str]) -> float:
    return len(set(ours) & set(ref)) / len(ref)


def soft_overlap(ours: list[str], ref: list[str], vectors: dict[str, np.ndarray]) -> float:
    if not ours:
        return 0.0
    mine = np.stack([vectors[w] for w in ours])
    return float(np.mean([max(0.0, float((mine @ vectors[w]).max())) for w in ref]))


def specificity(
    lists: list[list[str]], genres: list[tuple[str, ...]], vectors: dict[str, np.ndarray]
) -> float:
    def mean_vector(words: list[str]) -> np.ndarray:
        v = (
            np.mean([vectors[w] for w in words], axis=0)
            if words
            else np.zeros_like(next(iter(vectors.values())))
        )
        return v / (np.linalg.norm(v) or 1.0)

    odd = np.stack([mean_vector(w[0::2]) for w in lists])
    even = np.stack([mean_vector(w[1::2]) for w in lists])
    hits = 0
    for i, own in enumerate(genres):
        pool = [j for j, g in enumerate(genres) if set(g) & set(own)] or list(range(len(lists)))
        scores = even[pool] @ odd[i]
        own_score = scores[pool.index(i)]
        rank = int((scores >= own_score - 1e-6).sum())  # ties count against the title
        hits += rank <= 10
    return hits / len(lists)


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--limit", type=int, default=0, help="only the first N reference titles (0: all)")
    parser.add_argument(
        "--llm-limit", type=int, default=12, help="uncached titles to extract with the LLM now"
    )
    args = parser.parse_args()

    from moodreel.catalog import load_catalog
    from moodreel.errors import ExtractionError
    from moodreel.services import build_services
    from moodreel.settings import Settings
    from moodreel.vibes.fast_extractor import FastExtractor
    from moodreel.vibes.llm_extractor import LLMExtractor

    reference = load_reference(args.reference)[: args.limit or None]
    services = build_services(Settings())
    catalog = load_catalog(services.settings.catalog_file).titles
    by_text = {(t.title.lower(), t.description.strip()): t for t in catalog}
    by_title: dict[str, object] = {}
    for t in catalog:
        by_title.setdefault(t.title.lower(), t)
    matched = []
    for row in reference:
        title = by_text.get((row["title"].lower(), row["description"].strip())) or by_title.get(
            row["title"].lower()
        )
        if title is not None:
            matched.append((row, title))
    if not matched:
        raise SystemExit(f"{args.reference}: no title matches the catalog {services.settings.catalog_file}")
    titles = [t for _, t in matched]
    refs = [r["emotions"] for r, _ in matched]
    genres = [t.genres for t in titles]

    fast = [v.emotions for v in FastExtractor(services.embedder).extract(titles)]

    cache = services.vibes_cache()
    llm: dict[int, list[str]] = {}
    to_extract = []
    for i, t in enumerate(titles):
        cached = cache.latest_llm(t.content_hash(), t.id)
        if cached is not None:
            llm[i] = cached.emotions
        else:
            to_extract.append(i)
    to_extract = to_extract[: args.llm_limit]
    extractor = LLMExtractor(services.chat_model, services.prompt("extract_vibes")) if to_extract else None
    for i in to_extract:
        try:
            vibes = extractor.extract_one(titles[i])
        except ExtractionError:
            continue
        cache.put(vibes)
        llm[i] = vibes.emotions

    counts = Counter(w for ref in refs for w in ref)
    genre_counts: dict[str, Counter] = {}
    for ref, gs in zip(refs, genres):
        for g in gs:
            genre_counts.setdefault(g, Counter()).update(ref)
    top_overall = [w for w, _ in counts.most_common(K)]

    def top_for_genres(i: int) -> list[str]:
        total: Counter = Counter()
        for g in genres[i]:
            total.update(genre_counts[g])
            total.subtract(refs[i])  # leave the title's own words out
        ranked = [w for w, n in total.most_common() if n > 0]
        return (ranked + [w for w in top_overall if w not in ranked])[:K]

    systems = {
        "llm (local Qwen2.5 1.5B)": llm,
        "fast extractor": dict(enumerate(fast)),
        "most frequent 8": {i: top_overall for i in range(len(titles))},
        "most frequent 8 for its genres": {i: top_for_genres(i) for i in range(len(titles))},
        "reference itself": dict(enumerate(refs)),
    }
    words = sorted({w for lists in systems.values() for ws in lists.values() for w in ws})
    vectors = dict(zip(words, services.embedder.embed(words)))

    def scores(system: dict[int, list[str]], subset: list[int]) -> dict:
        if not subset:
            return {"n": 0, "overlap_at_8": None, "soft_overlap": None, "specificity_at_10": None}
        return {
            "n": len(subset),
            "overlap_at_8": round(float(np.mean([overlap(system[i], refs[i]) for i in subset])), 3),
            "soft_overlap": round(
                float(np.mean([soft_overlap(system[i], refs[i], vectors) for i in subset])), 3
            ),
            "specificity_at_10": round(
                specificity([system[i] for i in subset], [genres[i] for i in subset], vectors), 3
            ),
        }

    everyone = list(range(len(titles)))
    with_llm = sorted(llm)
    results = {name: scores(s, everyone) for name, s in systems.items() if name != "llm (local Qwen2.5 1.5B)"}
    on_llm_rows = {name: scores(s, with_llm) for name, s in systems.items()}
    summary = {
        "reference": str(args.reference),
        "titles": len(titles),
        "titles_with_llm_vibes": len(with_llm),
        "all_titles": results,
        "titles_with_llm_vibes_only": on_llm_rows,
    }
    columns = ["extractor", "titles", "overlap@8", "soft overlap", "specificity@10"]
    note = (
        "overlap@8: shared words / reference words; soft overlap: mean best cosine per reference word; "
        "specificity@10: split-half self-retrieval among same-genre titles (higher = more specific vibes). "
        "'reference itself' is the hosted model's own lists (overlap 1 by definition)."
    )
    tables = [
        table(
            f"Extraction vs the hosted model's emotions, all {len(titles)} matched reference titles",
            columns,
            [
                [n, r["n"], r["overlap_at_8"], r["soft_overlap"], r["specificity_at_10"]]
                for n, r in results.items()
            ],
            note,
        ),
        table(
            f"Same, on the {len(with_llm)} reference titles with local-LLM vibes",
            columns,
            [
                [n, r["n"], r["overlap_at_8"], r["soft_overlap"], r["specificity_at_10"]]
                for n, r in on_llm_rows.items()
            ],
        ),
    ]
    finish("extraction", args, summary, tables)


if __name__ == "__main__":
    main()
