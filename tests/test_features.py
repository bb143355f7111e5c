"""Issue 14: more like this, mood journeys, watching together, 👍/👎 with undo, IMDb links.

Fast tier: a fake catalog whose genres have distinct feeling words (``HashEmbedder``: a
word's vector is its own), a parser that reads the feeling words in the text, the dict
store. The CLI and the API are driven through their runners, bad input included.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from moodreel.application import Moodreel, TitleNotFound
from moodreel.mood.base import MoodError, MoodParse, clean_mood_text
from moodreel.profiles.history import HistoryError, parse_history
from moodreel.records import Title
from moodreel.search.journey import pick_path
from moodreel.search.recommender import Recommender
from moodreel.services import build_services
from moodreel.settings import Settings
from tests.contracts import problem_text
from tests.fakes import DictStore, HashEmbedder, PlainWords, QueueChatModel, index_titles

POOLS = {
    "horror": ["dread", "fear", "terror", "unease"],
    "comedy": ["amusement", "joy", "laughter", "silliness"],
    "romance": ["love", "longing", "warmth", "tenderness"],
    "drama": ["calm", "serenity", "peace", "sleepy"],
}


class WordsParser:
    """Reads the pools' feeling words that occur in the text (the text is validated)."""

    name = "words"

    def parse(self, text: str) -> MoodParse:
        words = [w for w in clean_mood_text(text).lower().replace(",", " ").split() if w.isalpha()]
        known = [w for w in words if any(w in pool for pool in POOLS.values())]
        if not known:
            raise MoodError("no feeling words")
        return MoodParse(emotions=known, parser=self.name)


def fake_catalog(per_genre: int = 12) -> list[tuple[Title, list[str]]]:
    out = []
    for genre, pool in POOLS.items():
        for i in range(per_genre):
            title = Title(
                id=f"{genre[0]}{i:02d}", title=f"{genre.title()} Story {i}", type="MOVIE", genres=(genre,),
                release_year=2000 + i, runtime=100, imdb_id=f"tt{1000000 + i}" if genre == "comedy" else None,
                description=f"A {genre} tale number {i}.",
            )  # fmt: skip
            out.append((title, [pool[(i + j) % len(pool)] for j in range(3)]))
    # an accented title and two of the same name (a remake), for the forgiving lookup
    out.append(
        (Title(id="x01", title="Amélie", type="MOVIE", genres=("romance", "comedy"), release_year=2001),
         ["joy", "love", "warmth"])
    )  # fmt: skip
    out.append(
        (Title(id="x02", title="The Ring", type="MOVIE", genres=("horror",), release_year=2002), ["dread"])
    )
    out.append(
        (Title(id="x03", title="The Ring", type="MOVIE", genres=("horror",), release_year=1998), ["fear"])
    )
    return out


def make_app(tmp_path, personalization: float = 0.5) -> Moodreel:
    embedder = HashEmbedder()
    store = DictStore()
    index_titles(store, embedder, fake_catalog())
    settings = Settings(data_dir=tmp_path, cache_dir=tmp_path / "state", personalization=personalization)
    services = build_services(settings, embedder=embedder, store=store, chat_model=QueueChatModel())
    return Moodreel(services, Recommender.from_services(services, WordsParser(), PlainWords()))


def history(user: str, liked: str, disliked: str, n: int = 6) -> list[dict]:
    rows = [
        {
            "user_id": user,
            "content_name": f"{liked.title()} Story {i}",
            "rating": 5,
            "watch_time_minutes": 100,
        }
        for i in range(n)
    ]
    rows += [
        {
            "user_id": user,
            "content_name": f"{disliked.title()} Story {i}",
            "rating": 1,
            "watch_time_minutes": 100,
        }
        for i in range(n)
    ]
    return rows


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


# ---- more like this ------------------------------------------------------------------------


def test_like_returns_neighbours_of_the_seed_never_itself(app):
    result = app.like("comedy story 3", k=5)
    assert result.seed.id == "c03" and result.seed.genres == ["comedy"]
    ids = [r.id for r in result.results]
    assert "c03" not in ids and len(ids) == 5
    assert sum("comedy" in r.genres for r in result.results) >= 4
    assert any(w.startswith("like Comedy Story 3: comedy") for w in result.results[0].why)
    body = json.loads(result.model_dump_json())
    assert set(body) == {"seed", "mood", "results"} and body["seed"]["title"] == "Comedy Story 3"
    assert set(body["results"][0]) >= {"id", "title", "genres", "score", "why", "imdb_id"}


def test_like_by_id_and_a_steering_mood_moves_the_list(app):
    plain = app.like(title_id="d02", k=6)
    steered = app.like(title_id="d02", k=6, mood="laughter and silliness")
    assert (
        plain.seed.title == steered.seed.title == "Drama Story 2" and steered.mood == "laughter and silliness"
    )
    mood = app.recommender.understand("laughter and silliness").vector(app.recommender.layout)
    vectors = app.recommender.store.vectors([r.id for r in plain.results + steered.results])

    def fit(result):  # how well the picks match the steering mood, on average
        return float(np.mean([vectors[r.id] @ mood for r in result.results]))

    assert fit(steered) > fit(plain) and [r.id for r in steered.results] != [r.id for r in plain.results]
    assert "d02" not in {r.id for r in steered.results}


@pytest.mark.parametrize(
    "name, seed_id",
    [("AMELIE", "x01"), ("amélie!", "x01"), ("The Ring (1998)", "x03"), ("ring 2002", "x02"),
     ("Comedy-Story 4", "c04")],
)  # fmt: skip
def test_title_lookup_forgives_case_accents_punctuation_and_a_year(app, name, seed_id):
    assert app.like(name, k=2).seed.id == seed_id


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"title": "The Ring"}, "'The Ring' could be several titles: The Ring (1998); The Ring (2002)"),
        (
            {"title": "Amelie Poulain"},
            "no title 'Amelie Poulain' in the catalog; closest: Amélie (2001)",
        ),
        ({"title_id": "zz9"}, "no title with id 'zz9' in the catalog"),
        ({"title": "  "}, "say which title"),
    ],
)
def test_like_bad_titles_say_what_is_wrong(app, kwargs, message):
    with pytest.raises(TitleNotFound) as err:
        app.like(k=3, **kwargs)
    assert message in str(err.value)


# ---- mood journeys -------------------------------------------------------------------------


def test_journey_walks_from_the_current_mood_to_the_wanted_one(app):
    result = app.journey("dread and fear and terror", "joy and laughter and amusement", steps=4)
    steps = result.steps
    assert len(steps) == 4 and len({s.id for s in steps}) == 4
    assert "horror" in steps[0].genres and "comedy" in steps[-1].genres
    assert steps[0].why[0].startswith('step 1 of 4: meets you where you are ("dread and fear and terror")')
    assert steps[-1].why[0].startswith('step 4 of 4: where you want to be ("joy and laughter and amusement")')
    # each step is closer to the wanted mood than the one before
    target = app.recommender.understand("joy and laughter and amusement").vector(app.recommender.layout)
    vectors = app.recommender.store.vectors([s.id for s in steps])
    cos = [
        float(vectors[s.id] @ target / np.linalg.norm(vectors[s.id]) / np.linalg.norm(target)) for s in steps
    ]
    assert all(b > a for a, b in zip(cos, cos[1:])), cos
    body = json.loads(result.model_dump_json(by_alias=True))
    assert set(body) == {"from", "to", "steps"} and body["from"] == "dread and fear and terror"


def test_pick_path_never_repeats_and_says_when_it_cannot_get_closer():
    from moodreel.records import Hit, StoredTitle

    def hit(id_, vec):
        return Hit(title=StoredTitle(id=id_, title=id_, type="MOVIE"), similarity=0.0, vector=np.array(vec))

    target = np.array([1.0, 0.0])
    a, b = hit("a", [0.5, 0.5]), hit("b", [0.1, 0.9])
    path = pick_path([[a, b], [a, b]], target)  # a is the best-ranked for both steps
    assert [s.hit.title.id for s in path] == ["b", "a"] and all(s.closer for s in path)
    path = pick_path([[a], [b]], target)  # the only later title is farther from the target
    assert [s.hit.title.id for s in path] == ["a", "b"]
    assert path[0].closer and not path[1].closer  # said, not hidden


@pytest.mark.parametrize(
    "start, end, steps, message",
    [("", "calm", 3, "the mood is empty"), ("dread", "   ", 3, "the mood is empty"),
     ("dread", "calm", 0, "1 to 8 steps")],
)  # fmt: skip
def test_journey_bad_input(app, start, end, steps, message):
    with pytest.raises(Exception) as err:
        app.journey(start, end, steps)
    assert message in str(err.value)


# ---- watching together ---------------------------------------------------------------------


def together_app(tmp_path):
    app = make_app(tmp_path)
    rows = history("hana", "horror", "romance") + history("rex", "romance", "horror")
    read = parse_history(rows, "test")
    built = app.viewers_from_history(read, ["hana", "rex"])
    return app, {u: b.profile for u, b in built.items()}


def test_together_picks_nothing_either_viewer_disliked_and_says_whom_it_fits(tmp_path):
    app, viewers = together_app(tmp_path)
    result = app.recommend_together("joy", viewers, k=10, include_watched=True)
    disliked = {r.id for p in viewers.values() for r in p.disliked}
    assert disliked and not {r.id for r in result.results} & disliked
    assert all(set(r.fits) == {"hana", "rex"} for r in result.results)
    # what each one disliked is the other's favourite genre, so neither genre's disliked titles appear
    assert not any(r.id in disliked for r in result.results)
    fits = [w for r in result.results for w in r.why if w.startswith("fits ")]
    assert fits and all("hana" in w or "rex" in w for w in fits)


def test_together_one_viewer_is_a_personal_search_and_none_is_an_error(tmp_path):
    app, viewers = together_app(tmp_path)
    solo = app.recommend_together("joy", {"hana": viewers["hana"]}, k=5)
    assert solo.results == app.recommend("joy", 5, viewer=viewers["hana"]).results
    with pytest.raises(HistoryError, match="at least one viewer"):
        app.recommend_together("joy", {}, k=5)


# ---- 👍/👎 with undo ------------------------------------------------------------------------


def test_vote_updates_the_profile_at_once_and_undo_restores_it(tmp_path):
    app, _ = together_app(tmp_path)
    before = app.recommend("joy", 5, viewer=app.load_viewer("hana"))
    top = before.results[0].id
    after_down = app.vote("hana", top, -1)
    assert top in after_down.seen_ids and top in {r.id for r in after_down.disliked}
    again = app.recommend("joy", 5, viewer=app.load_viewer("hana"))
    assert top not in {r.id for r in again.results}
    restored = app.vote("hana", top, 0)
    assert top not in restored.feedback and top not in restored.seen_ids
    assert app.recommend("joy", 5, viewer=app.load_viewer("hana")).results[0].id == top
    with pytest.raises(TitleNotFound, match="no title with id 'nope'"):
        app.vote("hana", "nope", 1)
    with pytest.raises(HistoryError, match=r"\+1 \(👍\), -1 \(👎\) or 0 \(undo\), not 2"):
        app.vote("hana", top, 2)


def test_records_carry_the_imdb_id(app):
    result = app.like("comedy story 1", k=12)
    comedy = [r for r in result.results if r.id.startswith("c")]
    assert comedy and all(r.imdb_id == f"tt{1000000 + int(r.id[1:])}" for r in comedy)
    assert all(r.imdb_id is None for r in result.results if r.id.startswith("h"))


# ---- edges: CLI and API --------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path, monkeypatch):
    app = make_app(tmp_path)
    monkeypatch.setattr("moodreel.cli._app", lambda db, parser: app)
    path = tmp_path / "history.csv"
    rows = history("hana", "horror", "romance") + history("rex", "romance", "horror")
    lines = ["user_id,content_name,rating,watch_time_minutes"]
    lines += [f"{r['user_id']},{r['content_name']},{r['rating']},{r['watch_time_minutes']}" for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return app, path


def invoke(*args: str):
    from moodreel.cli import app

    return CliRunner().invoke(app, list(args))


def test_cli_like(cli):
    out = invoke("like", "Comédie", "--json")  # no such title
    assert out.exit_code != 0 and "no title 'Comédie' in the catalog; closest:" in out.output
    out = invoke("like", "comedy story 2", "--k", "4", "--json", "--steer-mood", "love")
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert body["seed"]["id"] == "c02" and len(body["results"]) == 4 and body["mood"] == "love"
    out = invoke("like", "comedy story 2", "--k", "3")
    assert out.exit_code == 0 and out.stdout.startswith("More like Comedy Story 2 (2002) [comedy]:")
    out = invoke("like", "The Ring")
    assert out.exit_code != 0 and "could be several titles" in out.output


def test_cli_journey(cli):
    out = invoke("journey", "dread and fear", "--to", "calm and sleepy", "--steps", "3", "--json")
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert body["from"] == "dread and fear" and body["to"] == "calm and sleepy" and len(body["steps"]) == 3
    out = invoke("journey", " ", "--to", "calm")
    assert out.exit_code != 0 and "the mood is empty" in out.output
    out = invoke("journey", "dread", "--to", "calm", "--steps", "9")
    assert out.exit_code != 0 and "--steps" in out.output


def test_cli_recommend_for_two_viewers(cli):
    app, path = cli
    out = invoke("recommend", "joy", "--user", "hana", "--user", "rex", "--history", str(path),
                 "--no-pitch", "--json", "--include-watched")  # fmt: skip
    assert out.exit_code == 0, out.output
    results = json.loads(out.stdout)["results"]
    assert results and all(set(r["fits"]) == {"hana", "rex"} for r in results)
    disliked = {r.id for u in ("hana", "rex") for r in app.load_viewer(u).disliked}
    assert not {r["id"] for r in results} & disliked
    out = invoke("recommend", "joy", "--user", "hana", "--user", "zed", "--history", str(path), "--no-pitch")
    assert out.exit_code != 0 and "no usable rows for viewer 'zed'" in out.output


def test_api_like_journey_together_and_votes(tmp_path):
    from moodreel.server import create_api

    app = make_app(tmp_path)
    client = TestClient(create_api(app, app._services.settings, with_ui=False))
    ok = client.post("/api/like", json={"title": "horror story 1", "k": 3})
    assert ok.status_code == 200 and ok.json()["seed"]["id"] == "h01" and len(ok.json()["results"]) == 3
    assert client.post("/api/like", json={"id": "h01", "k": 2, "mood": "joy"}).json()["mood"] == "joy"
    unknown = client.post("/api/like", json={"title": "Horor Storee 77"})
    assert unknown.status_code == 404 and "closest:" in unknown.json()["detail"]
    neither = client.post("/api/like", json={"k": 3})
    assert neither.status_code == 422 and "title or id" in neither.text
    journey = client.post("/api/journey", json={"from": "dread", "to": "calm and sleepy", "steps": 3})
    assert journey.status_code == 200 and [len(journey.json()["steps"])] == [3]
    assert set(journey.json()) == {"from", "to", "steps"}
    empty = client.post("/api/journey", json={"from": "dread", "to": "  "})
    assert empty.status_code == 422 and "empty" in problem_text(empty)
    rows = history("hana", "horror", "romance")
    hist = [{k: v for k, v in r.items() if k != "user_id"} for r in rows]
    assert (
        client.post("/api/recommend", json={"mood": "joy", "user_id": "hana", "history": hist}).status_code
        == 200
    )
    rows = history("rex", "romance", "horror")
    hist = [{k: v for k, v in r.items() if k != "user_id"} for r in rows]
    assert (
        client.post("/api/recommend", json={"mood": "joy", "user_id": "rex", "history": hist}).status_code
        == 200
    )
    both = client.post(
        "/api/recommend", json={"mood": "joy", "users": ["hana", "rex"], "include_watched": True}
    )
    assert both.status_code == 200, both.text
    assert all(set(r["fits"]) == {"hana", "rex"} for r in both.json()["results"])
    stranger = client.post("/api/recommend", json={"mood": "joy", "users": ["hana", "zed"]})
    assert stranger.status_code == 422 and "no profile kept for viewer 'zed'" in problem_text(stranger)
    vote = client.post("/api/vote", json={"user_id": "hana", "id": "c01", "vote": 1})
    assert vote.status_code == 200 and "c01" in vote.json()["liked"]
    undo = client.post("/api/vote", json={"user_id": "hana", "id": "c01", "vote": 0})
    assert undo.status_code == 200 and "c01" not in undo.json()["liked"]
    assert client.post("/api/vote", json={"user_id": "hana", "id": "zz", "vote": 1}).status_code == 404


# ---- the page's handlers -------------------------------------------------------------------


def test_cards_end_with_actions_and_an_imdb_link_when_known(app):
    from moodreel.webapp import card_actions, render_cards

    result = app.like("comedy story 1", k=50)
    comedy = next(r for r in result.results if r.imdb_id)
    horror = next(r for r in result.results if r.id.startswith("h"))
    html = card_actions(comedy)
    assert f'href="https://www.imdb.com/title/{comedy.imdb_id}/"' in html and 'rel="noopener"' in html
    assert f'data-mr-act="like" data-id="{comedy.id}"' in html and 'data-mr-act="up"' in html
    assert "imdb.com" not in card_actions(horror) and 'data-mr-act="down"' in card_actions(horror)
    page = render_cards(app.recommend("joy", 3), {}, None)
    assert page.count('class="mr-actions"') == 3 and "Rate a result" not in page


def test_card_buttons_show_more_like_this_vote_and_undo(tmp_path):
    import gradio as gr

    from moodreel.webapp import action_handler, journey_handler

    app, _ = together_app(tmp_path)
    act = action_handler(app)
    cards, notice = act("like:c02:123", None, 4)
    assert "More like <b>Comedy Story 2</b> (2002)" in cards and cards.count('class="mr-card"') == 4
    assert 'data-id="c02"' not in cards.split("</div>", 1)[1].split('class="mr-actions"')[0]
    _, notice = act("up:c05:1", "hana", 4)
    assert "👍 noted" in notice and 'data-mr-act="undo" data-id="c05"' in notice
    assert "c05" in {r.id for r in app.load_viewer("hana").liked}
    _, notice = act("undo:c05:2", "hana", 4)
    assert "Vote undone" in notice and "c05" not in app.load_viewer("hana").seen_ids
    _, notice = act("down:c06:3", ["hana", "rex"], 4)  # watching together: both are told
    assert all("c06" in {r.id for r in app.load_viewer(u).disliked} for u in ("hana", "rex"))
    with pytest.raises(gr.Error, match="Pick a viewer first"):
        act("up:c05:4", None, 4)
    with pytest.raises(gr.Error, match="no title with id 'zz'"):
        act("like:zz:5", None, 4)
    page = journey_handler(app)("dread and fear", "joy and laughter", 3)
    assert page.count('class="mr-card"') == 3 and "A journey from <b>dread and fear</b>" in page
    with pytest.raises(gr.Error, match="the mood is empty"):
        journey_handler(app)("dread", "", 3)


def test_the_search_form_is_read_back_from_the_url():
    from moodreel.webapp import form_from_url

    params = {"mood": ["cosy <b>night</b>"], "k": ["40"], "type": ["SHOW"], "genre": ["comedy", "nope"],
              "exclude": ["horror"], "min_year": ["1990"], "max_runtime": ["x"]}  # fmt: skip
    assert form_from_url(params) == (
        "cosy <b>night</b>",
        20,
        "SHOW",
        ["comedy"],
        ["horror"],
        1990,
        None,
        None,
    )
    assert form_from_url({}) == ("", 6, "Any", [], [], None, None, None)


def test_the_viewer_picker_takes_several_sample_viewers(tmp_path):
    from moodreel.webapp import search_handler, viewer_handler

    app = make_app(tmp_path)
    samples = parse_history(history("hana", "horror", "romance") + history("rex", "romance", "horror"), "s")
    ids, status = viewer_handler(app, samples, tmp_path)(["hana", "rex"], None, None)
    assert ids == ["hana", "rex"] and "Watching together" in status
    page = list(search_handler(app, 0)("joy", 5, "Any", [], [], None, None, None, ids))[-1]
    assert "fits " in page


# ---- integration: the real Milvus Lite store and the real embedding model -------------------


@pytest.mark.integration
def test_like_journey_and_together_on_a_real_store(tmp_path, real_embedder, small_catalog):
    """The small catalog ingested (fast extractor) into Milvus Lite with MiniLM: the IMDb id
    is stored and read back, more like this, a journey and two viewers on real vectors."""
    from moodreel.catalog import load_catalog

    settings = Settings(data_dir=tmp_path, cache_dir=tmp_path / "state", milvus_uri=str(tmp_path / "it.db"))
    services = build_services(settings, embedder=real_embedder, chat_model=QueueChatModel())
    app = Moodreel(services)
    app.ingest(load_catalog(small_catalog), "fast")
    services.store.flush()
    like = app.like("inception", k=5)
    assert like.seed.id == "tm92641" and like.seed.imdb_id == "tt1375666"
    assert "tm92641" not in {r.id for r in like.results}
    assert all(r.imdb_id and r.imdb_id.startswith("tt") for r in like.results)
    assert sum(bool(set(r.genres) & {"scifi", "action", "thriller"}) for r in like.results) >= 4
    trip = app.journey("scared and tense", "happy and laughing", 3)
    assert len({s.id for s in trip.steps}) == 3
    assert all(s.why[0].startswith(f"step {i} of 3") for i, s in enumerate(trip.steps, 1))
    rows = [
        {"user_id": "hana", "content_name": t, "rating": r, "watch_time_minutes": 100}
        for t, r in [("It", 5), ("The Conjuring", 5), ("Insidious", 5), ("Titanic", 1), ("Love Actually", 1)]
    ] + [
        {"user_id": "rex", "content_name": t, "rating": r, "watch_time_minutes": 100}
        for t, r in [("Titanic", 5), ("Love Actually", 5), ("The Lake House", 5), ("It", 1), ("Insidious", 1)]
    ]
    built = app.viewers_from_history(parse_history(rows, "test"), ["hana", "rex"])
    viewers = {u: b.profile for u, b in built.items()}
    result = app.recommend_together("something good to watch tonight", viewers, k=5)
    disliked = {r.id for p in viewers.values() for r in p.disliked}
    assert result.results and not {r.id for r in result.results} & disliked
    assert all(set(r.fits) == {"hana", "rex"} for r in result.results)


def test_the_catalog_keeps_a_valid_imdb_id_and_names_a_bad_one(tmp_path):
    from moodreel.catalog import load_catalog

    path = tmp_path / "catalog.csv"
    path.write_text(
        "id,title,description,type,genres,imdb_id\n"
        "a1,Good,,MOVIE,['drama'],tt0109830\n"
        "a2,Bad,,MOVIE,['drama'],imdb:123\n"
        "a3,None,,MOVIE,['drama'],\n"
    )
    catalog = load_catalog(path)
    assert [t.imdb_id for t in catalog.titles] == ["tt0109830", None, None]
    assert [str(p) for p in catalog.problems] == [
        "line 3, field 'imdb_id': expected an IMDb id like tt0109830, got 'imdb:123' (value ignored)"
    ]
