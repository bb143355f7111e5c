"""The `moodreel` command: store statistics, mood parsing, recommendations (and follow-ups),
viewer profiles (import, describe, generate, not-interested, forget-user), fine-tuning the
description model, the server.

Errors from inside become one red line and a non-zero exit here, nowhere else.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

import typer

from moodreel.console import fail, note
from moodreel.errors import MoodreelError
from moodreel.settings import Settings

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_show_locals=False,
    help="moodreel: films and shows that match how you feel.",
)


@app.callback()
def root() -> None:
    """moodreel: films and shows that match how you feel."""


def settings_for(db: str | None) -> Settings:
    return Settings(milvus_uri=db) if db else Settings()


@app.command()
def stats(
    db: str = typer.Option(None, "--db", help="Milvus URI (default: the store `make run` builds)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """How many titles the store holds, by extractor and type."""
    from moodreel.services import quiet_libraries
    from moodreel.store import MilvusStore

    quiet_libraries()
    s = settings_for(db)
    try:
        store = MilvusStore.open(s.store_uri, s.collection, token=s.milvus_token.get_secret_value())
        result = store.stats()
    except MoodreelError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result))
        return
    typer.echo(f"{result['titles']} titles in {result['collection']} at {result['uri']}")
    for name, count in result["by_extractor"].items():
        typer.echo(f"  vibes by {name}: {count}")
    for name, count in result["by_type"].items():
        typer.echo(f"  {name.lower()}s: {count}")
    if result.get("advice"):
        typer.echo(f"note: {result['advice']}", err=True)


class TypeOption(str, Enum):
    MOVIE = "MOVIE"
    SHOW = "SHOW"


class OutputFormat(str, Enum):
    json = "json"
    finetune = "finetune"


class ParserOption(str, Enum):
    classifier = "classifier"
    llm = "llm"


def _app(db: str | None, parser: ParserOption | None):
    from moodreel.application import Moodreel
    from moodreel.services import build_services

    settings = settings_for(db)
    if parser is not None:
        settings = settings.model_copy(update={"mood_parser": parser.value})
    return Moodreel(build_services(settings))


def _report(problems: list, unmatched: list, limit: int = 10) -> None:
    """Skipped rows and unmatched titles go to stderr: reported, never guessed."""
    lines = [str(p) for p in problems] + [f"not matched: {m}" for m in unmatched]
    for line in lines[:limit]:
        note(line)
    if len(lines) > limit:
        note(f"... and {len(lines) - limit} more")


def _viewer(app, user: str, history: Path | None):
    """The viewer's profile: built from ``history`` when given, else the one kept on disk."""
    from moodreel.profiles.history import read_history

    if history is None:
        return app.load_viewer(user)
    built = app.viewer_from_history(read_history(history), user)
    _report(built.problems, built.unmatched)
    return built.profile


@app.command()
def mood(
    text: str = typer.Argument(..., help="How you feel, in your own words."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    parser: ParserOption = typer.Option(None, "--parser", help="Mood parser (default from settings)."),
) -> None:
    """Turn a mood into emotions, and say what the request asks for."""
    try:
        moodreel = _app(None, parser)
        parsed = moodreel.parse_mood(text)
        understood = moodreel.understand(text)
    except MoodreelError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps({"emotions": parsed.emotions, "understood": understood.model_dump()}))
    else:
        typer.echo(", ".join(parsed.emotions))
        typer.echo("understood: " + ("; ".join(understood.chips()) or "nothing specific"))


@app.command()
def recommend(
    text: str = typer.Argument(..., help="How you feel, in your own words."),
    k: int = typer.Option(10, "--k", min=1, max=100, help="How many titles."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    no_pitch: bool = typer.Option(False, "--no-pitch", help="Skip the LLM pitches."),
    db: str = typer.Option(None, "--db", help="Milvus URI (default: the store `make run` builds)."),
    type_: TypeOption = typer.Option(None, "--type", help="MOVIE or SHOW."),
    genre: list[str] = typer.Option(None, "--genre", help="Keep titles with this genre (repeatable)."),
    exclude_genre: list[str] = typer.Option(
        None, "--exclude-genre", help="Drop titles with this genre (repeatable)."
    ),
    min_year: int = typer.Option(None, "--min-year"),
    max_year: int = typer.Option(None, "--max-year"),
    max_runtime: int = typer.Option(None, "--max-runtime", help="Minutes."),
    parser: ParserOption = typer.Option(None, "--parser", help="Mood parser (default from settings)."),
    user: list[str] = typer.Option(
        None, "--user", help="Personalize for this viewer; repeat it for viewers watching together."
    ),
    history: Path = typer.Option(None, "--history", help="Watch-history CSV (with --user)."),
    include_watched: bool = typer.Option(
        False, "--include-watched", help="Keep titles the viewer has already watched."
    ),
    steer: float = typer.Option(
        0.0,
        "--steer",
        min=0.0,
        max=10.0,
        help="Steer the LLM's words toward the viewer by β (local LLM only; 0 = off).",
    ),
    refine: list[str] = typer.Option(
        None,
        "--refine",
        help='A follow-up that edits the search ("less violent", "only movies", "more like the second '
        'one"); repeatable, applied in order.',
    ),
    save_as: str = typer.Option(
        None, "--save-as", help="Keep this search under a name for the viewer (--user); reopen with `saved`."
    ),
) -> None:
    """Films and shows that match a mood, best first (personalized with --user; several
    --user flags blend the viewers' tastes and leave out what any of them disliked;
    --refine edits the search as a follow-up would)."""
    from pydantic import ValidationError

    from moodreel.filters import SearchFilters

    try:
        filters = SearchFilters(
            type=type_.value if type_ else None, genres=genre or [], exclude_genres=exclude_genre or [],
            min_year=min_year, max_year=max_year, max_runtime=max_runtime,
        )  # fmt: skip
    except ValidationError as exc:
        fail("; ".join(e["msg"] for e in exc.errors()))
    try:
        if history is not None and not user:
            fail("--history needs --user")
        app = _app(db, parser)
        users = list(dict.fromkeys(user or []))
        if steer and len(users) != 1:
            fail("--steer needs --user: one viewer to steer toward")
        if (refine or save_as) and len(users) > 1:
            fail("--refine and --save-as work for one viewer or none, not several watching together")
        if save_as and not users:
            fail("--save-as needs --user: the viewer who keeps the search")
        if refine or save_as:
            profile = _viewer(app, users[0], history) if users else None
            result = app.follow_up(text, refine or [], k, filters, profile, include_watched)
            if save_as and result.follow_up is not None:
                ids = [r.id for r in result.results]
                app.save_search(users[0], save_as, text, result.follow_up, ids, filters, k)
                note(
                    f"saved as {save_as!r} for {users[0]}: moodreel saved --user {users[0]} --open {save_as!r}"
                )
            if not no_pitch:
                app.pitch_all(result, profile, steer=steer)
        elif len(users) > 1:
            viewers = {u: _viewer(app, u, history) for u in users}
            result = app.recommend_together(text, viewers, k, filters, include_watched)
            if not no_pitch:
                app.pitch_all(result)
        else:
            profile = _viewer(app, users[0], history) if users else None
            result = app.recommend(
                text, k, filters, profile, include_watched, pitch=not no_pitch, steer=steer
            )
    except MoodreelError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(result.model_dump_json())
        return
    typer.echo(f"Feelings: {', '.join(result.emotions)}")
    if refine and getattr(result, "follow_up", None) is not None:
        typer.echo("Understood: " + "; ".join(result.follow_up.chips()))
    _print_records(result.results)


def _print_records(records: list) -> None:
    for i, rec in enumerate(records, 1):
        year = f" ({rec.year})" if rec.year else ""
        typer.echo(
            f"{i:2d}. {rec.title}{year} {rec.emojis}  [{', '.join(rec.genres)}]  score {rec.score:.3f}"
        )
        if rec.why:
            typer.echo(f"    why: {'; '.join(rec.why)}")
        if rec.tagline:
            typer.echo(f"    » {rec.tagline}")
        if rec.pitch:
            typer.echo(f"    {rec.pitch}")


@app.command()
def like(
    title: str = typer.Argument(..., help="A title in the catalog (case, accents and a year are forgiven)."),
    k: int = typer.Option(10, "--k", min=1, max=100, help="How many titles."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    steer_mood: str = typer.Option(None, "--steer-mood", help='Nudge the picks with a mood ("but funnier").'),
    db: str = typer.Option(None, "--db", help="Milvus URI (default: the store `make run` builds)."),
) -> None:
    """More like this: the titles nearest to one title on all its signals, itself left out."""
    try:
        result = _app(db, None).like(title, k, steer_mood)
    except MoodreelError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(result.model_dump_json())
        return
    seed = result.seed
    year = f" ({seed.year})" if seed.year else ""
    steer = f", {result.mood}" if result.mood else ""
    typer.echo(f"More like {seed.title}{year} [{', '.join(seed.genres)}]{steer}:")
    _print_records(result.results)


@app.command()
def journey(
    start: str = typer.Argument(..., metavar="FROM", help="How you feel now."),
    to: str = typer.Option(..., "--to", help="How you want to feel."),
    steps: int = typer.Option(3, "--steps", min=1, max=8, help="How many titles on the way."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    db: str = typer.Option(None, "--db", help="Milvus URI (default: the store `make run` builds)."),
) -> None:
    """A mood journey: titles, in order, that walk from how you feel to how you want to feel."""
    try:
        result = _app(db, None).journey(start, to, steps)
    except MoodreelError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(result.model_dump_json(by_alias=True))
        return
    typer.echo(f"From {start!r} to {to!r}:")
    _print_records(result.steps)


@app.command()
def describe(
    content: str = typer.Option(..., "--content", help="The title to describe."),
    user: str = typer.Option(..., "--user", help="The viewer to describe it for."),
    history: Path = typer.Option(None, "--history", help="Watch-history CSV (default: the kept profile)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    db: str = typer.Option(None, "--db", help="Milvus URI (default: the store `make run` builds)."),
    steer: float = typer.Option(
        0.0,
        "--steer",
        min=0.0,
        max=10.0,
        help="Steer the LLM's words toward the viewer by β (local LLM only; 0 = off).",
    ),
) -> None:
    """One personalized description of a title for a viewer."""
    try:
        app = _app(db, None)
        profile = _viewer(app, user, history)
        title = app.find_title(content)
        text = app.describe(title, profile, steer)
    except MoodreelError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps({"user_id": user, "id": title.id, "title": title.title, "description": text}))
    else:
        typer.echo(f"{title.title}: {text}")


@app.command()
def generate(
    history: Path = typer.Option(..., "--history", help="Watch-history CSV."),
    output: Path = typer.Option(..., "--output", help="Where to write the JSON."),
    limit: int = typer.Option(5, "--limit", min=1, max=50, help="Recommendations per viewer."),
    user: str = typer.Option(None, "--user", help="Only this viewer (default: everyone in the history)."),
    db: str = typer.Option(None, "--db", help="Milvus URI (default: the store `make run` builds)."),
    steer: float = typer.Option(
        0.0,
        "--steer",
        min=0.0,
        max=10.0,
        help="Steer the LLM's words toward the viewer by β (local LLM only; 0 = off).",
    ),
    format_: OutputFormat = typer.Option(
        OutputFormat.json,
        "--format",
        help="json: descriptions by the LLM; finetune: a starter JSONL of prompt/completion pairs for "
        "`moodreel finetune` (house-style texts from the facts, no LLM; edit them).",
    ),
) -> None:
    """Mood-free personalized recommendations with descriptions, for every viewer in a history."""
    from tqdm import tqdm

    from moodreel.profiles.history import read_history
    from moodreel.search.recommender import ProfileError

    out = []
    try:
        app = _app(db, None)
        read = read_history(history)
        users = [user] if user else read.users()
        _report(read.problems, [])
        built = app.viewers_from_history(read, users)
        if format_ is OutputFormat.finetune:
            _write_finetune_starter(app, built, users, limit, output)
            return
        with tqdm(total=len(users) * limit, desc="descriptions", unit="title") as bar:
            for uid in users:
                try:
                    picks = app.describe_picks(built[uid].profile, limit, steer)
                except ProfileError as exc:
                    note(f"viewer {uid}: {exc}")
                    bar.update(limit)
                    continue
                done = 0
                for pick in picks:
                    t = pick.title
                    out.append({"user_id": uid, "id": t.id, "title": t.title, "description": pick.text})
                    bar.update(1)
                    done += 1
                bar.update(limit - done)
    except MoodreelError as exc:
        fail(str(exc))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    typer.echo(f"{len(out)} descriptions for {len(users)} viewers -> {output}")


def _write_finetune_starter(app, built: dict, users: list[str], limit: int, output: Path) -> None:
    from moodreel.search.recommender import ProfileError

    lines = []
    for uid in users:
        try:
            titles = app.picks_for_viewer(built[uid].profile, limit)
        except ProfileError as exc:
            note(f"viewer {uid}: {exc}")
            continue
        lines += [app.finetune_example(t, built[uid].profile) for t in titles]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    typer.echo(
        f"{len(lines)} training examples for {len(users)} viewers -> {output} (edit them, then moodreel finetune)"
    )


@app.command()
def finetune(
    data: Path = typer.Option(
        ..., "--data", help='JSONL training file: one {"prompt", "completion"} per line.'
    ),
    output: Path = typer.Option(
        ..., "--output", help="Directory for the adapter (peft files and adapter.gguf)."
    ),
    base: Path = typer.Option(
        None,
        "--base",
        help="Base model: a Hugging Face directory or a GGUF file (default: the packaged LLM).",
    ),
    epochs: int = typer.Option(3, "--epochs", min=1, max=100),
    lr: float = typer.Option(2e-4, "--lr", min=0.0, help="Learning rate."),
    rank: int = typer.Option(8, "--rank", min=1, max=256, help="LoRA rank."),
    layers: int = typer.Option(
        0, "--layers", min=0, help="Adapt only the last N layers (0 = all; fewer is faster)."
    ),
    max_steps: int = typer.Option(0, "--max-steps", min=0, help="Stop after N steps (0 = all; for timing)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Fine-tune the description model (LoRA) on prompt/completion examples; use it with MOODREEL_LLM_ADAPTER=DIR."""
    from tqdm import tqdm

    from moodreel.llm.finetune import finetune as train
    from moodreel.llm.finetune import read_examples

    settings = Settings()
    try:
        examples = read_examples(data)
        if base is None:
            from moodreel.llm.local_model import ensure_model_file

            base = ensure_model_file(settings.model_dir)
        from moodreel.prompts import load_prompt

        system = load_prompt("pitch", settings.prompts_dir).system.strip()
        bar = tqdm(desc="fine-tuning", unit="step")

        def progress(step: int, total: int, loss: float) -> None:
            bar.total = total
            bar.set_postfix(loss=f"{loss:.3f}")
            bar.update(1)

        with bar:
            result = train(
                examples, base, output, system, epochs=epochs, lr=lr, rank=rank, layers=layers,
                max_steps=max_steps, progress=progress,
            )  # fmt: skip
    except MoodreelError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(result.to_json())
        return
    typer.echo(
        f"{result.steps} steps on {result.examples - result.heldout} examples ({result.device}, "
        f"{result.seconds:.0f} s, {result.seconds_per_epoch / 60:.1f} min/epoch); held-out loss "
        f"{result.heldout_loss_before:.3f} -> {result.heldout_loss_after:.3f} on {result.heldout} example(s)"
    )
    typer.echo(f"adapter -> {output}; use it with MOODREEL_LLM_ADAPTER={output}")


class ImportFormat(str, Enum):
    auto = "auto"
    moodreel = "moodreel"
    netflix = "netflix"
    netflix_activity = "netflix-activity"
    letterboxd = "letterboxd"
    imdb = "imdb"
    trakt = "trakt"


@app.command("import")
def import_history(
    file: Path = typer.Argument(..., help="An export: Netflix, Letterboxd, IMDb, Trakt or moodreel's CSV."),
    user: str = typer.Option(
        None, "--user", help="Whose history it is (for a file naming several viewers: keep only this one)."
    ),
    format_: ImportFormat = typer.Option(
        ImportFormat.auto, "--format", help="The export's kind (auto: by its header)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    db: str = typer.Option(None, "--db", help="Milvus URI (default: the store `make run` builds)."),
) -> None:
    """Make (or replace) a viewer's profile from a history exported elsewhere; what could not be
    matched or read is listed on stderr, never dropped silently."""
    try:
        imported = _app(db, None).import_history(file, user, format_.value)  # type: ignore[arg-type]
    except MoodreelError as exc:
        fail(str(exc))
    for n, viewer in enumerate(imported.viewers):  # the file's skipped rows once, each viewer's unmatched
        _report(viewer.problems if n == 0 else [], viewer.unmatched, limit=20)
    if as_json:
        typer.echo(json.dumps(imported.as_dict(), ensure_ascii=False))
        return
    for viewer in imported.viewers:
        typer.echo(
            f"{viewer.user_id}: {len(viewer.profile.watched)} titles matched ({imported.format}), "
            f"{len(viewer.unmatched)} not matched, {len(viewer.problems)} rows skipped; "
            f"{viewer.profile.summary() or 'no taste yet'}"
        )


@app.command("not-interested")
def not_interested(
    title: str = typer.Argument(..., help="The title (its name, forgiving, or its catalog id)."),
    user: str = typer.Option(..., "--user", help="The viewer (with a kept profile)."),
    undo: bool = typer.Option(False, "--undo", help="Show the title to this viewer again."),
    db: str = typer.Option(None, "--db", help="Milvus URI (default: the store `make run` builds)."),
) -> None:
    """Never show a title to a viewer again (undo with --undo; forget-user removes the list)."""
    try:
        app = _app(db, None)
        try:
            found = app.find_title(title)
        except MoodreelError:
            found = None
        title_id = found.id if found is not None else title
        hidden = app.not_interested(user, title_id, undo)
    except MoodreelError as exc:
        fail(str(exc))
    name = found.title if found is not None else title_id
    typer.echo(
        f"{'shown again' if undo else 'not interested'}: {name}; {len(hidden)} title(s) hidden for {user}"
    )


@app.command()
def saved(
    user: str = typer.Option(..., "--user", help="The viewer whose saved searches to list or open."),
    open_: str = typer.Option(
        None, "--open", help="Re-run this saved search (titles not shown before first)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    db: str = typer.Option(None, "--db", help="Milvus URI (default: the store `make run` builds)."),
) -> None:
    """A viewer's saved searches (keep one with `recommend ... --user U --save-as NAME`)."""
    try:
        app = _app(db, None)
        if open_ is None:
            searches = app.saved_searches(user)
        else:
            result = app.open_saved(user, open_)
    except MoodreelError as exc:
        fail(str(exc))
    if open_ is not None:
        if as_json:
            typer.echo(result.model_dump_json())
            return
        if result.follow_up is not None:
            typer.echo("Understood: " + "; ".join(result.follow_up.chips()))
        _print_records(result.results)
        return
    if as_json:
        typer.echo(json.dumps([s.model_dump(mode="json") for s in searches], ensure_ascii=False))
        return
    for s in searches:
        said = f" + {'; '.join(s.follow_up.said)}" if s.follow_up.said else ""
        typer.echo(f"{s.name}: {s.mood}{said}")
    if not searches:
        typer.echo("no saved searches for this viewer")


@app.command("forget-user")
def forget_user(user: str = typer.Argument(..., help="The viewer's id.")) -> None:
    """Delete everything kept about a viewer (profile, feedback, "Not interested" titles, saved searches)."""
    from moodreel.profiles.store import ProfileStore

    removed = ProfileStore(Settings().state_dir).forget(user)
    typer.echo(
        f"forgot the viewer: removed {len(removed)} file(s)" if removed else "nothing kept about this viewer"
    )


@app.command()
def serve(
    host: str = typer.Option(None, "--host", help="Bind address (default 127.0.0.1)."),
    port: int = typer.Option(None, "--port"),
    ingest_if_empty: bool = typer.Option(
        False, "--ingest-if-empty", help="Ingest the bundled catalog first if the store is empty."
    ),
) -> None:
    """Serve the web app at / and the JSON API at /api (docs at /docs)."""
    from moodreel.server import run_server

    settings = Settings()
    updates = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    try:
        run_server(settings.model_copy(update=updates), ingest_if_empty=ingest_if_empty)
    except MoodreelError as exc:
        fail(str(exc))


def main() -> None:
    app(prog_name="moodreel")


if __name__ == "__main__":
    main()
