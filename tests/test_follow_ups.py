"""Follow-ups that edit a search ("less violent", "only movies", "more like the second one"),
Undo, and "Not interested" through the page, the CLI and the API."""

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from moodreel.application import Moodreel
from moodreel.query.feeling_genres import FeelingGenres
from moodreel.query.refine import FollowUpError, refine, start
from moodreel.query.understanding import read_request
from moodreel.records import StoredTitle, Title
from moodreel.search.recommender import Recommender
from moodreel.services import build_services
from moodreel.settings import Settings
from tests.fakes import DictStore, FixedMoodParser, HashEmbedder, PlainWords, QueueChatModel, index_titles

# Thrillers of five kinds; the first three carry violence in their feelings.
KINDS = {
    "action": ["excitement", "tension", "violence", "adrenaline"],
    "horror": ["dread", "fear", "violence", "cruelty"],
    "crime": ["tension", "menace", "violence", "revenge"],
    "drama": ["tension", "curiosity", "suspense", "unease"],
    "scifi": ["tension", "wonder", "curiosity", "suspense"],
}
VIOLENT = {"action", "horror", "crime"}


def catalog():
    out = []
    for kind, feelings in KINDS.items():
        for i in range(10):
            genres = ("thriller", kind) + (("animation",) if kind == "scifi" and i < 3 else ())
            title = Title(
                id=f"{kind[:2]}{i}", title=f"{kind.title()} Thriller {i}", type="MOVIE" if i % 2 else "SHOW",
                genres=genres, release_year=1975 + 5 * i, runtime=60 + 10 * i,
                description=f"A tense {kind} story number {i}.",
            )  # fmt: skip
            out.append((title, feelings))
    return out


def make_app(tmp_path) -> Moodreel:
    embedder, store = HashEmbedder(), DictStore()
    index_titles(store, embedder, catalog())
    settings = Settings(data_dir=tmp_path, cache_dir=tmp_path / "state", personalization=0.3)
    services = build_services(settings, embedder=embedder, store=store, chat_model=QueueChatModel())
    return Moodreel(services, Recommender.from_services(services, FixedMoodParser(["tension"]), PlainWords()))


def violent(results) -> int:
    return sum(bool(VIOLENT & set(r.genres)) for r in results)


def card_ids(page: str) -> list[str]:
    return [part.split('"')[0] for part in page.split('class="mr-card" data-id="')[1:]]


def stored(i, year=2000, runtime=100, type_="MOVIE"):
    return StoredTitle(id=f"t{i}", title=f"Card {i}", type=type_, release_year=year, runtime=runtime)


# ---- the edits, on their own ---------------------------------------------------------------------


def test_each_follow_up_edits_the_understanding_it_names():
    thriller = start(read_request("a tense thriller"))
    shown = [stored(i, 1990 + 4 * i, 90 + 10 * i) for i in range(5)]  # median year 1998, runtime 110
    less = refine(thriller, "less violent", shown)
    assert "avoid: violent" in less.chips() and "violence" in less.understood.avoid_feelings
    assert {"crime", "horror"} <= set(less.understood.soft_avoid_genres)
    assert less.understood.genres == ["thriller"] and less.said == ["less violent"]
    assert refine(thriller, "only movies", shown).understood.type == "MOVIE"
    assert refine(thriller, "just series").understood.type == "SHOW"
    assert refine(thriller, "no series").understood.type == "MOVIE"
    older = refine(thriller, "older", shown).understood
    assert older.max_year == 1997 and "era: before 1998" in older.chips()
    assert refine(thriller, "newer", shown).understood.min_year == 1999
    shorter = refine(thriller, "shorter", shown).understood
    assert shorter.max_runtime == 80 and shorter.type == "MOVIE"  # 3/4 of 110; films stay films
    anime = refine(start(read_request("an anime adventure")), "not anime").understood
    assert "animation" in anime.avoid_genres and "animation" not in anime.required_genres
    funnier = refine(thriller, "funnier")
    assert funnier.understood.feelings[0] == "laughter" and funnier.chips()[0] == "feel: laughter"
    near = refine(thriller, "more like the second one", shown)
    assert near.near == ["t1"] and "like: Card 1" in near.chips()
    assert refine(thriller, "like #5", shown).near == ["t4"]
    other = refine(thriller, "something else", shown)
    assert other.exclude == [t.id for t in shown] and "not the 5 shown" in other.chips()
    both = refine(thriller, "only movies and less gory", shown)
    assert both.understood.type == "MOVIE" and "avoid: gory" in both.chips()


def test_follow_ups_stack_and_chips_come_off_again():
    state = start(read_request("a tense thriller"))
    shown = [stored(i) for i in range(3)]
    state = refine(state, "less violent", shown)
    state = refine(state, "only movies", shown)
    state = refine(state, "more like the third one", shown)
    assert state.said == ["less violent", "only movies", "more like the third one"]
    assert {"avoid: violent", "type: movie", "like: Card 2"} <= set(state.chips())
    back = state.without(["type: movie", "like: Card 2"])
    assert back.understood.type is None and back.near == [] and "avoid: violent" in back.chips()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("more like the ninth one", "there is no card 9 on screen"),
        ("", "say how to change the results"),
        ("less the", "could not tell what to leave out"),
    ],
)
def test_a_follow_up_that_cannot_apply_says_why(text, message):
    with pytest.raises(FollowUpError, match=message):
        refine(start(read_request("a thriller")), text, [stored(1)])


def test_less_of_a_feeling_pushes_down_the_genres_that_carry_it():
    titles = [StoredTitle(id=f"{k}{i}", title="x", type="MOVIE", genres=[k], emotions=f) for k, f in KINDS.items()
              for i in range(25)]  # fmt: skip
    genres = FeelingGenres(titles)
    assert genres.carrying(["violence", "cruelty"]) == ["action", "crime", "horror"]  # lift 5/3 each
    state = refine(start(read_request("a tense thriller")), "less violent", genres_for=genres.carrying)
    assert "action" in state.understood.soft_avoid_genres


# ---- searches ------------------------------------------------------------------------------------


def test_less_violent_after_a_thriller_search_drops_the_violent_picks(tmp_path):
    app = make_app(tmp_path)
    first = app.recommend("a tense thriller", k=6)
    assert violent(first.results) >= 3
    less = app.follow_up("a tense thriller", ["less violent"], k=6, state=start(first.understood),
                         shown=[r.id for r in first.results])  # fmt: skip
    assert violent(less.results) == 0, [r.genres for r in less.results]
    assert "avoid: violent" in less.follow_up.chips() and less.understood.avoid == ["violent"]
    movies = app.follow_up("a tense thriller", ["less violent", "only movies"], k=6)
    assert movies.results and all(r.type == "MOVIE" for r in movies.results)
    assert violent(movies.results) == 0
    other = app.follow_up("a tense thriller", ["something else"], k=6)
    assert not {r.id for r in other.results} & {r.id for r in first.results}


def test_more_like_the_second_one_searches_near_that_card(tmp_path):
    app = make_app(tmp_path)
    first = app.follow_up("a tense thriller", ["less violent"], k=6)  # dramas and sci-fi
    seed = first.results[1]
    near = app.follow_up("a tense thriller", ["more like the second one"], k=6, state=first.follow_up,
                         shown=[r.id for r in first.results])  # fmt: skip
    assert near.follow_up.near == [seed.id] and seed.id not in {r.id for r in near.results}
    assert "avoid: violent" in near.follow_up.chips()  # the request is kept, not replaced
    vectors = app._services.store.vectors([seed.id] + [r.id for r in first.results + near.results])

    def closeness(results):
        unit = {i: v / np.linalg.norm(v) for i, v in vectors.items()}
        return np.mean([float(unit[r.id] @ unit[seed.id]) for r in results if r.id != seed.id])

    def of_its_kind(results):
        kind = set(seed.genres) - {"thriller", "animation"}
        return sum(bool(kind & set(r.genres)) for r in results if r.id != seed.id)

    assert closeness(near.results) > closeness(first.results)
    assert of_its_kind(near.results) >= 5 > of_its_kind(first.results)


def test_page_follow_up_changes_the_chips_and_undo_restores_the_cards(tmp_path):
    from moodreel.webapp import SearchForm, first_step, refine_handler, undo_handler

    app = make_app(tmp_path)
    first = app.recommend("a tense thriller", k=6)
    thread = first_step(first)
    form = SearchForm("a tense thriller", 6, "Any", [], [], None, None, None)
    page, thread = list(refine_handler(app, 0)("less violent", thread, form))[-1]
    assert len(thread) == 2 and "avoid: violent" in thread[-1][0].chips()
    assert "Action Thriller" not in page and "Horror Thriller" not in page
    page, thread = list(refine_handler(app, 0)("only movies", thread, form))[-1]
    assert thread[-1][0].understood.type == "MOVIE" and "avoid: violent" in thread[-1][0].chips()
    page, thread = undo_handler()(thread)
    page, thread = undo_handler()(thread)
    assert len(thread) == 1
    assert card_ids(page) == [r.id for r in first.results]


def test_api_refines_the_previous_understanding(tmp_path):
    from moodreel.server import create_api

    app = make_app(tmp_path)
    client = TestClient(create_api(app, app._services.settings, with_ui=False))
    first = client.post("/api/recommend", json={"mood": "a tense thriller", "k": 6}).json()
    assert first["follow_up"] is None
    body = {"mood": "a tense thriller", "k": 6, "refine": "less violent", "understood": first["understood"],
            "shown": [r["id"] for r in first["results"]]}  # fmt: skip
    less = client.post("/api/recommend", json=body)
    assert less.status_code == 200, less.text
    got = less.json()
    assert "violent" in got["understood"]["avoid"] and got["follow_up"]["said"] == ["less violent"]
    assert not any(VIOLENT & set(r["genres"]) for r in got["results"])
    then = client.post("/api/recommend", json={**body, "refine": ["more like the first one"],
                                               "follow_up": got["follow_up"],
                                               "shown": [r["id"] for r in got["results"]]})  # fmt: skip
    assert then.json()["follow_up"]["near"] == [got["results"][0]["id"]]
    assert "violent" in then.json()["understood"]["avoid"]
    bad = client.post("/api/recommend", json={**body, "refine": ["like the ninth one"]})
    assert bad.status_code == 422 and "no card 9 on screen" in bad.text
    forged = {**first["understood"], "genres": ["thriller", "<script>"]}
    bad = client.post("/api/recommend", json={**body, "understood": forged})
    assert bad.status_code == 422 and "not a catalog genre: '<script>'" in bad.text
    many = {**first["understood"], "feelings": [f"word{i}" for i in range(40)]}
    capped = client.post("/api/recommend", json={**body, "understood": many})
    assert capped.status_code == 200 and len(capped.json()["understood"]["feelings"]) <= 8


def test_cli_refine_is_repeatable(tmp_path, monkeypatch):
    from moodreel.cli import app as cli

    moodreel = make_app(tmp_path)
    monkeypatch.setattr("moodreel.cli._app", lambda db, parser: moodreel)
    args = ["recommend", "a tense thriller", "--no-pitch", "--k", "6", "--refine", "less violent"]
    out = CliRunner().invoke(cli, [*args, "--refine", "only movies"])
    assert out.exit_code == 0, out.output
    assert "Understood: " in out.stdout and "avoid: violent" in out.stdout and "type: movie" in out.stdout
    out = CliRunner().invoke(cli, [*args, "--refine", "only movies", "--json"])
    got = json.loads(out.stdout)
    assert got["follow_up"]["said"] == ["less violent", "only movies"]
    assert all(r["type"] == "MOVIE" for r in got["results"])


# ---- not interested ------------------------------------------------------------------------------


def viewer(app, user="sam"):
    from moodreel.profiles.history import parse_history

    rows = [{"user_id": user, "content_name": "Drama Thriller 0", "rating": 5, "watch_time_minutes": 60}]
    return app.viewer_from_history(parse_history(rows, "test"), user).profile


def test_not_interested_never_returns_in_the_page_and_is_undone(tmp_path):
    from moodreel.webapp import action_handler, search_handler

    app = make_app(tmp_path)
    viewer(app)
    page = list(search_handler(app, 0)("a tense thriller", 6, "Any", [], [], None, None, None, "sam"))[-1]
    first_id = card_ids(page)[0]
    assert 'data-mr-act="hide"' in page
    _, notice = action_handler(app)(f"hide:{first_id}:123", "sam", 6)
    assert "Hidden for good" in notice and 'data-mr-act="unhide"' in notice
    for k in (6, 50):
        page = list(search_handler(app, 0)("a tense thriller", k, "Any", [], [], None, None, None, "sam"))[-1]
        assert f'data-id="{first_id}"' not in page
    assert first_id not in {r.id for r in app.follow_up("a tense thriller", ["something else"], 40, None,
                                                        app.load_viewer("sam")).results}  # fmt: skip
    action_handler(app)(f"unhide:{first_id}:124", "sam", 6)
    page = list(search_handler(app, 0)("a tense thriller", 6, "Any", [], [], None, None, None, "sam"))[-1]
    assert f'data-id="{first_id}"' in page


def test_not_interested_through_the_cli_and_api_and_forget_user_removes_it(tmp_path, monkeypatch):
    from moodreel.cli import app as cli
    from moodreel.server import create_api

    app = make_app(tmp_path)
    profile = viewer(app)
    monkeypatch.setattr("moodreel.cli._app", lambda db, parser: app)
    monkeypatch.setenv("MOODREEL_CACHE_DIR", str(tmp_path / "state"))  # forget-user reads Settings()
    runner = CliRunner()
    out = runner.invoke(cli, ["not-interested", "Action Thriller 3", "--user", "sam"])
    assert out.exit_code == 0 and "not interested: Action Thriller 3; 1 title(s) hidden for sam" in out.stdout
    client = TestClient(create_api(app, app._services.settings, with_ui=False))
    got = client.post("/api/not-interested", json={"user_id": "sam", "id": "ho1"})
    assert got.status_code == 200 and got.json()["hidden"] == ["ac3", "ho1"]
    assert client.post("/api/not-interested", json={"user_id": "sam", "id": "nope"}).status_code == 404
    for include in (False, True):
        res = client.post("/api/recommend", json={"mood": "a tense thriller", "user_id": "sam", "k": 50,
                                                  "include_watched": include}).json()  # fmt: skip
        ids = {r["id"] for r in res["results"]}
        assert ids and not ids & {"ac3", "ho1"} and (("dr0" in ids) == include)
    out = runner.invoke(
        cli, ["recommend", "a tense thriller", "--user", "sam", "--k", "50", "--no-pitch", "--json"]
    )
    assert not {r["id"] for r in json.loads(out.stdout)["results"]} & {"ac3", "ho1"}
    state = app._services.settings.state_dir
    assert (state / "profiles" / "feedback" / f"{profile.pid}.hidden.json").exists()
    out = runner.invoke(cli, ["forget-user", "sam"])
    assert out.exit_code == 0, out.output
    assert not list(state.rglob(f"{profile.pid}*"))


# ---- saved searches ------------------------------------------------------------------------------


def test_a_saved_search_reopens_with_new_titles_first_and_is_forgotten(tmp_path, monkeypatch):
    from moodreel.cli import app as cli
    from moodreel.server import create_api

    app = make_app(tmp_path)
    profile = viewer(app)
    less = app.follow_up("a tense thriller", ["less violent"], k=6, viewer=profile)
    shown = [r.id for r in less.results]
    app.save_search("sam", "calm thrills", "a tense thriller", less.follow_up, shown[:3], k=6)
    (kept,) = app.saved_searches("sam")
    assert kept.name == "calm thrills" and kept.follow_up.said == ["less violent"]
    again = app.open_saved("sam", "calm thrills")
    assert [r.id for r in again.results] == shown[3:] + shown[:3]  # not shown when saved: first
    assert "avoid: violent" in again.follow_up.chips() and violent(again.results) == 0
    app.not_interested("sam", shown[4])
    assert shown[4] not in {r.id for r in app.open_saved("sam", "calm thrills").results}
    with pytest.raises(Exception, match="no saved search 'nope' for viewer 'sam'; saved: calm thrills"):
        app.open_saved("sam", "nope")
    client = TestClient(create_api(app, app._services.settings, with_ui=False))
    first = client.post("/api/recommend", json={"mood": "a tense thriller", "k": 6, "user_id": "sam"}).json()
    ok = client.post("/api/saved", json={"user_id": "sam", "name": "tense", "mood": "a tense thriller",
                                         "understood": first["understood"],
                                         "shown": [r["id"] for r in first["results"]]})  # fmt: skip
    assert ok.status_code == 200, ok.text
    assert [s["name"] for s in client.get("/api/saved", params={"user_id": "sam"}).json()] == [
        "calm thrills",
        "tense",
    ]
    opened = client.post("/api/saved/open", json={"user_id": "sam", "name": "tense"})
    assert opened.status_code == 200 and {r["id"] for r in opened.json()["results"]}
    monkeypatch.setattr("moodreel.cli._app", lambda db, parser: app)
    monkeypatch.setenv("MOODREEL_CACHE_DIR", str(tmp_path / "state"))
    runner = CliRunner()
    out = runner.invoke(cli, ["recommend", "a tense thriller", "--user", "sam", "--no-pitch", "--k", "6",
                              "--refine", "only movies", "--save-as", "films"])  # fmt: skip
    assert out.exit_code == 0, out.output
    listed = runner.invoke(cli, ["saved", "--user", "sam"]).stdout
    assert "films: a tense thriller + only movies" in listed and "calm thrills" in listed
    out = runner.invoke(cli, ["saved", "--user", "sam", "--open", "films", "--json"])
    assert all(r["type"] == "MOVIE" for r in json.loads(out.stdout)["results"])
    runner.invoke(cli, ["forget-user", "sam"])
    assert not list(app._services.settings.state_dir.rglob(f"{profile.pid}*"))


def test_page_saves_a_search_and_reopens_it(tmp_path):
    import gradio as gr

    from moodreel.webapp import (
        SearchForm,
        create_app,
        first_step,
        open_saved_handler,
        refine_handler,
        save_handler,
    )

    app = make_app(tmp_path)
    create_app(app, 0, posters=False)  # the page builds with the new rows
    viewer(app)
    first = app.recommend("a tense thriller", k=6, viewer=app.load_viewer("sam"))
    form = SearchForm("a tense thriller", 6, "Any", [], [], None, None, None)
    _, thread = list(refine_handler(app, 0)("only movies", first_step(first), form, "sam"))[-1]
    notice, names = save_handler(app)("  films  ", thread, "sam")
    assert "Saved as <b>films</b>" in notice and names == ["films"]
    page, steps = list(open_saved_handler(app, 0)("films", "sam"))[-1]
    assert "type: movie" in steps[-1][0].chips() and card_ids(page) == [r.id for r in thread[-1][1].results]
    with pytest.raises(gr.Error, match="Pick one viewer"):
        save_handler(app)("x", thread, None)
