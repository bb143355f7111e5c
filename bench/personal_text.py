"""Personalized text: baseline vs steered (β) vs fine-tuned descriptions, per sample viewer.

    python bench/personal_text.py [--db URI] [--viewers 4] [--titles 1] [--betas 0,0.5,1,2]
                                  [--adapter DIR] [--dump] [--json] [--save]

The way the user-embedding prototype evaluates: for each sample viewer of
data/viewing_history.csv, the ``--holdout`` titles they rated highest are held out of their
profile, and the synopses of those titles are the viewer's reference text. The profile is
built from the rest; its mood-free picks (held-out titles excluded) are described by the
local LLM (``moodreel describe``) as the product does:
- baseline: β = 0 (no steering);
- steered: ``--steer β`` for each β of ``--betas``;
- fine-tuned: the same model with the LoRA adapter ``--adapter`` (a ``moodreel finetune``
  output), unsteered; skipped without ``--adapter``.

Figures per variant, averaged over (viewer, title) pairs:
- ROUGE-1 F and ROUGE-L F against the reference (``rouge-score``, Porter stemming);
- METEOR against the reference: nltk's ``meteor_score`` with exact and stem matching only
  (no WordNet synonyms: WordNet is a download we do not make);
- taste alignment: cosine of the text's MiniLM embedding with the viewer vector (the unit sum
  of the profile's vibe and plot taste, what steering pushes toward);
- fluency: repeated-trigram rate (share of word trigrams that occur earlier in the same text)
  and the rate of texts that do not end on a full sentence;
- seconds per description.
With ``--adapter``, the run's ``finetune.json`` gives the fine-tuning figures (device,
seconds per epoch, held-out loss before/after); ``--time-steps N`` times N training steps
of the packaged model on the sample file (minutes per epoch on this machine).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from common import ROOT, finish, make_parser, table

SAMPLE = ROOT / "data" / "finetune_sample.jsonl"


class NoWordNet:
    """Stands in for WordNet in nltk's METEOR: no synonyms, so only exact and stem matches count."""

    @staticmethod
    def synsets(*args, **kwargs) -> list:
        return []


def meteor(reference: str, text: str) -> float:
    from nltk.translate.meteor_score import meteor_score

    return float(meteor_score([reference.lower().split()], text.lower().split(), wordnet=NoWordNet()))


def repeated_trigrams(text: str) -> float:
    words = text.lower().split()
    grams = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
    if not grams:
        return 0.0
    return round(1 - len(set(grams)) / len(grams), 3)


def time_finetune(steps: int, out: Path) -> dict:
    """A short LoRA run of the packaged model on the sample file: seconds per step and per epoch."""
    from moodreel.llm.finetune import finetune, read_examples
    from moodreel.llm.local_model import ensure_model_file
    from moodreel.prompts import load_prompt
    from moodreel.settings import Settings

    settings = Settings()
    examples = read_examples(SAMPLE)
    system = load_prompt("pitch", settings.prompts_dir).system.strip()
    result = finetune(examples, ensure_model_file(settings.model_dir), out, system, epochs=1, max_steps=steps)
    return json.loads((out / "finetune.json").read_text()) | {"timed_steps": result.steps}


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--db", default=None)
    parser.add_argument("--history", type=Path, default=ROOT / "data" / "viewing_history.csv")
    parser.add_argument("--viewers", type=int, default=4, help="sample viewers (in file order)")
    parser.add_argument("--titles", type=int, default=1, help="described picks per viewer")
    parser.add_argument("--holdout", type=int, default=2, help="top-rated titles held out as the reference")
    parser.add_argument("--betas", default="0,0.5,1,2", help="steering strengths (0 = the baseline)")
    parser.add_argument("--adapter", type=Path, default=None, help="a `moodreel finetune` output directory")
    parser.add_argument(
        "--time-steps", type=int, default=0, help="time N fine-tuning steps of the packaged model"
    )
    parser.add_argument("--dump", action="store_true", help="print every description")
    args = parser.parse_args()

    import numpy as np
    from rouge_score import rouge_scorer

    from moodreel.application import Moodreel
    from moodreel.llm.steering import viewer_vector
    from moodreel.profiles.history import History, read_history
    from moodreel.profiles.matching import normalize_title
    from moodreel.services import build_services
    from moodreel.settings import Settings

    betas = [float(b) for b in args.betas.split(",")]
    state = Path(tempfile.mkdtemp(prefix="personal-text-"))
    base = Settings(**({"milvus_uri": args.db} if args.db else {}))
    # profiles of this run stay out of data/; a slow shared CPU must not turn texts into templates
    settings = base.model_copy(update={"cache_dir": state, "pitch_timeout_s": 600.0})
    services = build_services(settings)
    app = Moodreel(services)
    tuned = None
    if args.adapter:
        tuned_settings = settings.model_copy(update={"llm_adapter": args.adapter})
        tuned = Moodreel(build_services(tuned_settings, embedder=services.embedder, store=services.store))
    scorer = rouge_scorer.RougeScorer(["rouge1", "rougeL"], use_stemmer=True)

    history = read_history(args.history)
    variants = [(f"steer β={b:g}" if b else "baseline (β=0)", b, app) for b in betas]
    if tuned is not None:
        variants.append(("fine-tuned (LoRA)", 0.0, tuned))
    rows: dict[str, list[dict]] = {name: [] for name, _, _ in variants}
    skipped = []
    for uid in history.users()[: args.viewers]:
        rows_of = history.for_user(uid)
        built = app.viewer_from_history(history, uid)
        liked = sorted(built.profile.liked, key=lambda r: (-r.rating, r.id))[: args.holdout]
        held_ids = {r.id for r in liked}
        held_names = {normalize_title(r.title) for r in liked}
        if not held_ids:
            skipped.append(uid)
            continue
        kept = [r for r in rows_of if normalize_title(r.content_name) not in held_names]
        profile = app.viewer_from_history(History(rows=kept, source=str(args.history)), uid).profile
        vector = viewer_vector(profile.taste, services.embedder.dimension)
        if vector is None:
            skipped.append(uid)
            continue
        reference = " ".join(t.description for t in services.store.get(sorted(held_ids)))
        picks = [
            t for t in app.picks_for_viewer(profile, args.titles + len(held_ids)) if t.id not in held_ids
        ]
        for title in picks[: args.titles]:
            for name, beta, runner in variants:
                start = time.perf_counter()
                text = runner.describe(title, profile, beta)
                seconds = time.perf_counter() - start
                scores = scorer.score(reference, text)
                emb = services.embedder.embed([text])[0]
                rows[name].append(
                    {
                        "viewer": uid,
                        "title": title.title,
                        "text": text,
                        "rouge1": scores["rouge1"].fmeasure,
                        "rougeL": scores["rougeL"].fmeasure,
                        "meteor": meteor(reference, text),
                        "alignment": float(np.dot(emb / np.linalg.norm(emb), vector)),
                        "repeat3": repeated_trigrams(text),
                        "incomplete": not text.rstrip().endswith((".", "!", "?", '"', "”")),
                        "seconds": seconds,
                    }
                )
                if args.dump:
                    print(f"\n### {uid} -> {title.title} [{name}]\n{text}")

    if not any(rows.values()):
        raise SystemExit(
            "no viewer could be evaluated: is the store empty? (python -m ingest --extractor fast)"
        )

    def mean(name: str, key: str) -> float:
        values = [float(r[key]) for r in rows[name]]
        return round(statistics.fmean(values), 3) if values else float("nan")

    keys = ["rouge1", "rougeL", "meteor", "alignment", "repeat3", "incomplete", "seconds"]
    summary: dict = {
        "viewers": len({r["viewer"] for rs in rows.values() for r in rs}),
        "pairs": len(next(iter(rows.values()))),
        "skipped_viewers": skipped,
        "variants": {name: {k: mean(name, k) for k in keys} for name in rows},
        "texts": rows,
    }
    table_rows = [
        [
            name,
            *(summary["variants"][name][k] for k in keys[:-1]),
            round(summary["variants"][name]["seconds"], 1),
        ]
        for name in rows
    ]
    tables = [
        table(
            "Personalized text: baseline vs steered vs fine-tuned",
            [
                "variant",
                "ROUGE-1",
                "ROUGE-L",
                "METEOR*",
                "taste alignment",
                "repeated 3-grams",
                "unfinished",
                "s/text",
            ],
            table_rows,
            f"{summary['pairs']} (viewer, title) pairs from {summary['viewers']} sample viewers; reference = synopses of "
            f"each viewer's {args.holdout} top-rated titles, held out of the profile. *METEOR with exact and stem "
            "matches only (no WordNet synonyms).",
        )
    ]
    tuning = None
    if args.time_steps:
        tuning = time_finetune(args.time_steps, state / "timed-adapter")
    elif args.adapter and (args.adapter / "finetune.json").exists():
        tuning = json.loads((args.adapter / "finetune.json").read_text())
    if tuning:
        summary["finetune"] = tuning
        tables.append(
            table(
                "Fine-tuning run",
                ["base", "device", "steps", "min/epoch", "held-out loss before", "after"],
                [
                    [
                        Path(tuning["base"]).name,
                        tuning["device"],
                        tuning["steps"],
                        round(tuning["seconds_per_epoch"] / 60, 1),
                        tuning["heldout_loss_before"],
                        tuning["heldout_loss_after"],
                    ]
                ],
                "min/epoch extrapolated from the steps run; the sample file has "
                f"{sum(1 for line in SAMPLE.read_text().splitlines() if line.strip())} examples.",
            )
        )
    finish("personal_text", args, summary, tables)


if __name__ == "__main__":
    main()
