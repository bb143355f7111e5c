"""Viewer profiles: history checks, title matching, profiles, pseudonyms, feedback, personal ranking."""

import json
import os
import random
import stat

import numpy as np
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from moodreel.application import Moodreel
from moodreel.profiles.history import HistoryError, parse_history, read_history
from moodreel.profiles.matching import TitleMatcher, normalize_title
from moodreel.profiles.profile import WatchedTitle, build_profile, completion, viewer_type
from moodreel.profiles.store import SECRET_FILE
from moodreel.records import StoredTitle, Title
from moodreel.search.describe import MIN_WORDS, top_up
from moodreel.search.recommender import Recommender
from moodreel.services import build_services
from moodreel.settings import Settings
from tests.contracts import problem_text
from tests.fakes import DictStore, FixedMoodParser, HashEmbedder, PlainWords, QueueChatModel, index_titles


def make_recommender(services):
    return Recommender.from_services(services, FixedMoodParser(MOOD), PlainWords())


# ---- history ----------------------------------------------------------------------------


def write(tmp_path, text, name="history.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("u1,Alien,7,100", "rating 7 is outside 0..5"),
        ("u1,Alien,-1,100", "rating -1 is outside 0..5"),
        ("u1,Alien,five,100", "rating 'five' is not a number"),
        ("u1,Alien,4,-3", "watch_time_minutes -3 is negative"),
        ("u1,Alien,4,", "watch_time_minutes is missing"),
        (",Alien,4,100", "user_id is missing"),
        ("u1,,4,100", "content_name is missing"),
    ],
)
def test_bad_rows_are_reported_with_line_numbers_and_skipped(tmp_path, row, message):
    path = write(
        tmp_path, f"user_id,content_name,rating,watch_time_minutes\nu1,Jaws,5,120\n{row}\nu1,Heat,4,90\n"
    )
    history = read_history(path)
    assert [r.content_name for r in history.rows] == ["Jaws", "Heat"]
    assert [str(p) for p in history.problems] == [f"line 3: {message} (row skipped)"]


def test_missing_column_names_the_column_and_the_file(tmp_path):
    path = write(tmp_path, "user_id,content_name,rating\nu1,Jaws,5\n")
    with pytest.raises(HistoryError, match=r"history\.csv has no column 'watch_time_minutes'"):
        read_history(path)
    with pytest.raises(HistoryError, match="no usable rows for viewer 'nobody'"):
        parse_history([], "x").for_user("nobody")


# ---- matching ---------------------------------------------------------------------------


def st(id_, title, year=None, type_="MOVIE", genres=(), emotions=(), runtime=100):
    return StoredTitle(
        id=id_,
        title=title,
        type=type_,
        release_year=year,
        genres=list(genres),
        emotions=list(emotions),
        runtime=runtime,
    )


MATCH_CATALOG = [
    st("m1", "The Shining", 1980),
    st("m2", "Amélie", 2001),
    st("m3", "The Ring", 2002),
    st("m4", "Ring", 1998),
    st("m5", "Spider-Man: Into the Spider-Verse", 2018),
    st("m6", "Monty Python and the Holy Grail", 1975),
    st("m7", "Heat", 1995),
    st("m8", "Heat", 2013),
    st("m9", "Train to Busan", 2016),
]


def test_normalize_title_folds_case_punctuation_the_and_year():
    assert normalize_title("The Shining (1980)") == ("shining", 1980)
    assert normalize_title("  SPIDER-MAN: into the Spider-Verse ") == (
        "spider man into the spider verse",
        None,
    )
    assert normalize_title("Amélie") == ("amelie", None)
    assert normalize_title("Monty Python & the Holy Grail")[0] == "monty python and the holy grail"


@pytest.mark.parametrize(
    ("name", "status", "id_"),
    [
        ("The Shining", "exact", "m1"),
        ("shining (1980)", "exact", "m1"),
        ("AMELIE", "exact", "m2"),
        ("Monty Python & the Holy Grail", "exact", "m6"),
        ("Spiderman: Into the Spiderverse", "fuzzy", "m5"),
        ("Train to Busann", "fuzzy", "m9"),
        ("Heat", "ambiguous", None),  # two films named Heat and no year: not guessed
        ("Heat (2013)", "exact", "m8"),
        ("The Ring (1998)", "exact", "m4"),  # "The" dropped: Ring and The Ring collide; the year picks
        ("The Ring", "ambiguous", None),
        ("Completely Unknown Film", "unmatched", None),
    ],
)
def test_matcher(name, status, id_):
    result = TitleMatcher(MATCH_CATALOG).match(name)
    assert (result.status, result.id) == (status, id_), str(result)
    if status == "ambiguous":
        assert len(result.candidates) >= 2


def test_closest_suggests_catalog_names():
    assert "Train to Busan (2016)" in TitleMatcher(MATCH_CATALOG).closest("Train to Bussan")


# ---- profiles ---------------------------------------------------------------------------


def watched(id_, rating, genres, type_="MOVIE", done=1.0, emotions=()):
    return WatchedTitle(
        id=id_,
        title=id_.upper(),
        type=type_,
        genres=list(genres),
        emotions=list(emotions),
        rating=rating,
        completion=done,
    )


def test_completion_caps_and_counts_show_episodes():
    assert completion(50, 100, "MOVIE") == 0.5
    assert completion(500, 100, "MOVIE") == 1.0
    assert completion(200, 50, "SHOW") == 0.5  # 8 episodes of 50 minutes make a full show
    assert completion(10, None, "MOVIE") == 1.0


def test_profile_genres_emotions_likes_and_taste():
    titles = [
        watched("h1", 5, ["horror"], emotions=["dread", "fear"]),
        watched("h2", 4, ["horror", "thriller"], emotions=["dread"]),
        watched("c1", 1, ["comedy"], emotions=["joy"]),
    ]
    vectors = {"h1": np.array([1.0, 0, 0]), "h2": np.array([0.8, 0.6, 0]), "c1": np.array([0, 0, 1.0])}
    p = build_profile("pid", titles, {}, vectors)
    assert p.top_genres == ["horror", "thriller"] and p.genres["comedy"] < 0
    assert p.emotions[0] == "dread" and "joy" not in p.emotions
    assert [r.id for r in p.liked] == ["h1", "h2"] and [r.id for r in p.disliked] == ["c1"]
    taste = np.array(p.taste)
    assert abs(np.linalg.norm(taste) - 1) < 1e-5 and taste[0] > 0.8 and taste[2] < 0
    assert "u1" not in p.summary() and "H1" in p.summary()


def test_viewer_type_rules():
    focused = [watched(f"h{i}", 5, ["horror"]) for i in range(6)]
    assert viewer_type(focused, {"horror": 6}) == "enthusiast"
    shows = [watched(f"s{i}", 4, ["drama"], "SHOW", 0.9) for i in range(6)]
    assert viewer_type(shows, {"drama": 4}) == "binge watcher"
    dabbler = [watched(f"c{i}", 4, ["comedy"], done=0.2) for i in range(6)]
    assert viewer_type(dabbler, {"comedy": 1}) == "casual viewer"
    spread = {g: 1.0 for g in ["a", "b", "c", "d", "e"]}
    assert viewer_type(focused, spread) == "explorer"


# ---- a fake catalog where genres have distinct vibes ---------------------------------------

POOLS = {
    "horror": ["dread", "fear", "terror", "suspense", "shock", "unease"],
    "comedy": ["amusement", "joy", "laughter", "silliness", "cheer", "delight"],
    "drama": ["awe", "curiosity", "sadness", "wonder", "calm", "nostalgia"],
}
MOOD = ["excitement"]  # "something good to watch tonight": a feeling every genre has


def catalog(per_genre=25):
    rng = random.Random(7)
    out = []
    for genre, pool in POOLS.items():
        for i in range(per_genre):
            emotions = rng.sample(pool, 3) + (["excitement"] if i % 2 == 0 else [])
            title = Title(
                id=f"{genre[0]}{i:02d}", title=f"{genre.title()} Story {i}", type="MOVIE", genres=(genre,),
                release_year=2000 + i, runtime=100,
            )  # fmt: skip
            out.append((title, emotions))
    return out


def make_services(tmp_path, personalization=0.3):
    embedder = HashEmbedder()
    store = DictStore()
    index_titles(store, embedder, catalog())
    settings = Settings(data_dir=tmp_path, cache_dir=tmp_path / "state", personalization=personalization)
    return build_services(settings, embedder=embedder, store=store, chat_model=QueueChatModel())


def horror_fan_rows():
    rows = [
        {
            "user_id": "alice@example.com",
            "content_name": f"Horror Story {i}",
            "rating": 5,
            "watch_time_minutes": 100,
        }
        for i in range(8)
    ]
    rows += [
        {
            "user_id": "alice@example.com",
            "content_name": f"comedy story {i}",
            "rating": 1,
            "watch_time_minutes": 20,
        }
        for i in range(5)
    ]
    return parse_history(rows, "test").for_user("alice@example.com")


def horror_count(results):
    return sum("horror" in r.genres for r in results)


def check_horror_fan_acceptance(services):
    """Issue 4's scenario: 8 horror films rated 5, 5 comedies rated 1, a mood-less evening."""
    recommender = make_recommender(services)
    plain = recommender.recommend("something good to watch tonight", k=10)
    profile, unmatched = services.viewers.build("alice@example.com", horror_fan_rows())
    assert unmatched == [] and len(profile.watched) == 13
    personal = recommender.recommend("something good to watch tonight", k=10, viewer=profile)
    assert horror_count(personal.results) >= horror_count(plain.results) + 3
    assert not {r.id for r in personal.results} & profile.seen_ids
    return recommender, profile, plain, personal


def test_acceptance_horror_fan_gets_more_horror_and_nothing_watched(tmp_path):
    recommender, profile, plain, personal = check_horror_fan_acceptance(make_services(tmp_path))
    assert any(w.startswith("taste match ") and ": like Horror Story" in w for w in personal.results[0].why)
    kept = recommender.recommend("x", k=40, viewer=profile, include_watched=True)
    assert {r.id for r in kept.results} & profile.seen_ids
    # personalization 0 is pure mood (watched titles still dropped)
    zero = make_recommender(make_services(tmp_path / "z", 0.0))
    pure = zero.recommend("something good to watch tonight", k=10, viewer=profile)
    unseen = [r.id for r in plain.results if r.id not in profile.seen_ids]
    assert [r.id for r in pure.results][: len(unseen)] == unseen
    assert not any("taste match" in w for r in pure.results for w in r.why)


def test_many_viewers_are_built_with_one_store_read(tmp_path, monkeypatch):
    """build_many gives each viewer the profile build gives them alone, reading the store once."""
    alice = horror_fan_rows()
    bob = [r.model_copy(update={"user_id": "bob", "rating": 6 - r.rating}) for r in alice[4:]]
    alone = {user: make_services(tmp_path / user).viewers.build(user, rows)[0] for user, rows in
             (("alice@example.com", alice), ("bob", bob))}  # fmt: skip
    services = make_services(tmp_path / "batch")
    reads = []
    for name in ("get", "vectors"):
        original = getattr(services.store, name)
        monkeypatch.setattr(services.store, name, lambda ids, f=original, n=name: reads.append(n) or f(ids))
    viewers = services.viewers
    built = viewers.build_many({"alice@example.com": alice, "bob": bob})
    assert reads == ["get", "vectors"]
    for user, profile in alone.items():
        got = built[user][0]
        assert got.top_genres == profile.top_genres and got.viewer_type == profile.viewer_type
        assert np.allclose(got.taste, profile.taste)
    assert built["bob"][0].top_genres[0] != built["alice@example.com"][0].top_genres[0]
    reads.clear()
    assert viewers.build_many({"bob": bob})["bob"][0] == built["bob"][0] and reads == []  # kept profile


def test_mood_free_recommendations_follow_the_taste(tmp_path):
    services = make_services(tmp_path)
    profile, _ = services.viewers.build("alice@example.com", horror_fan_rows())
    result = make_recommender(services).recommend_for_viewer(profile, k=10)
    assert horror_count(result.results) == 10 and result.mood == ""
    assert all(r.why and r.why[0].startswith("taste match") for r in result.results)


def test_profiles_are_pseudonymous_cached_and_forgotten(tmp_path):
    services = make_services(tmp_path)
    viewers = services.viewers
    profile, _ = viewers.build("alice@example.com", horror_fan_rows())
    viewers.vote("alice@example.com", "d01", 1)
    state = services.settings.state_dir
    secret = state / SECRET_FILE
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
    files = [p for p in state.rglob("*") if p.is_file()]
    assert len(files) == 3  # secret, profile, feedback
    for path in files:
        assert b"alice" not in path.read_bytes() and "alice" not in str(path)
    assert viewers.build("alice@example.com", horror_fan_rows())[0].feedback == {"d01": 1}  # cache + feedback
    assert viewers.profiles.pid("alice@example.com") == profile.pid != viewers.profiles.pid("bob")
    result = CliRunner().invoke(
        _cli(), ["forget-user", "alice@example.com"], env={"MOODREEL_CACHE_DIR": str(state)}
    )
    assert result.exit_code == 0 and "removed 2 file(s)" in result.output
    assert [p for p in state.rglob("*") if p.is_file()] == [secret]
    with pytest.raises(HistoryError, match="no profile kept"):
        viewers.load("alice@example.com")


def test_feedback_changes_the_next_ranking(tmp_path):
    services = make_services(tmp_path)
    viewers = services.viewers
    recommender = make_recommender(services)
    profile, _ = viewers.build("alice@example.com", horror_fan_rows())
    before = recommender.recommend("tonight", k=10, viewer=profile).results
    top = before[0].id
    for rec in before[:5]:
        viewers.vote("alice@example.com", rec.id, -1)
    for i in range(10, 16):
        viewers.vote("alice@example.com", f"d{i:02d}", 1)
    after_profile = viewers.load("alice@example.com")
    after = recommender.recommend("tonight", k=10, viewer=after_profile).results
    assert top not in {r.id for r in after}  # rated titles are not shown again
    assert sum("drama" in r.genres for r in after) > sum("drama" in r.genres for r in before)


def test_pitch_and_description_get_the_summary_never_the_user_id(tmp_path):
    services = make_services(tmp_path)
    profile, _ = services.viewers.build("alice@example.com", horror_fan_rows())
    recommender = make_recommender(services)
    rec = recommender.recommend("tonight", k=1, viewer=profile).results[0]
    services.chat_model.enqueue("You will love it.")
    recommender.pitch(rec, "tonight", MOOD, profile.summary())
    prompt = services.chat_model.seen[0][-1].content
    assert "About this viewer:" in prompt and "Horror Story" in prompt and "alice" not in prompt
    system = " ".join(services.chat_model.seen[0][0].content.split())  # the prompt file wraps lines
    assert "only when the facts given make that link true" in system
    title = services.store.get([rec.id])[0]
    text = top_up("Short.", title, profile)
    assert len(text.split()) >= MIN_WORDS or title.description == ""


# ---- edges: CLI, API, web handlers --------------------------------------------------------


def _cli():
    from moodreel.cli import app

    return app


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    services = make_services(tmp_path)
    monkeypatch.setattr(
        "moodreel.cli._app",
        lambda db, parser: Moodreel(services, make_recommender(services)),
    )
    lines = ["user_id,content_name,rating,watch_time_minutes"]
    lines += [f"alice,Horror Story {i},5,100" for i in range(8)] + [
        f"alice,Comedy Story {i},1,10" for i in range(5)
    ]
    lines += ["bob,Drama Story 1,5,100", "bob,Drama Story 2,4,90", "bob,Nope,9,1"]
    path = write(tmp_path, "\n".join(lines) + "\n")
    return services, path


def test_cli_describe_generate_and_recommend(cli_env, tmp_path):
    services, path = cli_env
    runner = CliRunner()
    services.chat_model.enqueue("A tense little shocker for you.")
    out = runner.invoke(
        _cli(),
        ["describe", "--content", "horror story 20", "--user", "alice", "--history", str(path), "--json"],
    )
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout.strip().splitlines()[-1])
    assert (
        body["id"] == "h20" and body["user_id"] == "alice" and len(body["description"].split()) >= MIN_WORDS
    )
    out = runner.invoke(
        _cli(), ["describe", "--content", "Horor Storee 99", "--user", "alice", "--history", str(path)]
    )
    assert out.exit_code == 2 and "no title 'Horor Storee 99' in the catalog; closest:" in out.output
    output = tmp_path / "descriptions.json"
    out = runner.invoke(_cli(), ["generate", "--history", str(path), "--output", str(output), "--limit", "3"])
    assert out.exit_code == 0, out.output
    items = json.loads(output.read_text())
    assert [i["user_id"] for i in items] == ["alice"] * 3 + ["bob"] * 3
    assert set(items[0]) == {"user_id", "id", "title", "description"}
    assert "line 17: rating 9 is outside 0..5" in out.output
    out = runner.invoke(
        _cli(), ["recommend", "tonight", "--user", "alice", "--history", str(path), "--no-pitch", "--json"]
    )
    assert out.exit_code == 0, out.output
    ids = {r["id"] for r in json.loads(out.stdout)["results"]}
    assert not ids & {f"h{i:02d}" for i in range(8)}


def test_api_personalizes_with_user_and_history(tmp_path):
    from moodreel.server import create_api

    services = make_services(tmp_path)
    app = Moodreel(services, make_recommender(services))
    api = create_api(app, services.settings, with_ui=False)
    client = TestClient(api)
    history = [
        {"content_name": f"Horror Story {i}", "rating": 5, "watch_time_minutes": 100} for i in range(8)
    ]
    ok = client.post(
        "/api/recommend", json={"mood": "tonight", "k": 10, "user_id": "alice", "history": history}
    )
    assert ok.status_code == 200, ok.text
    results = ok.json()["results"]
    assert sum("horror" in r["genres"] for r in results) >= 5
    assert not {r["id"] for r in results} & {f"h{i:02d}" for i in range(8)}
    again = client.post("/api/recommend", json={"mood": "tonight", "user_id": "alice"})  # kept profile
    assert again.status_code == 200
    bad = client.post(
        "/api/recommend",
        json={
            "mood": "x",
            "user_id": "a",
            "history": [{"content_name": "X", "rating": 8, "watch_time_minutes": 1}],
        },
    )
    assert bad.status_code == 422 and "history row 1: rating 8" in problem_text(bad)
    assert client.post("/api/recommend", json={"mood": "x", "user_id": "nobody"}).status_code == 422


def test_web_handlers_pick_a_viewer_and_take_feedback(tmp_path):
    import gradio as gr

    from moodreel.webapp import feedback_handler, search_handler, viewer_handler

    services = make_services(tmp_path)
    app = Moodreel(services, make_recommender(services))
    rows = [
        {"user_id": "<b>al</b>", "content_name": f"Horror Story {i}", "rating": 5, "watch_time_minutes": 100}
        for i in range(8)
    ]
    samples = parse_history(rows, "samples")
    uid, status = viewer_handler(app, samples, tmp_path)("<b>al</b>", None, None)
    assert uid == "<b>al</b>" and "&lt;b&gt;al&lt;/b&gt;" in status and "<b>al</b>" not in status
    handler = search_handler(app, 0)
    page = list(handler("tonight", 5, "Any", [], [], None, None, None, uid))[-1]
    assert "taste match" in page and "Horror Story 0<" not in page
    vote = feedback_handler(app)
    assert "👎 noted" in vote(uid, "h10", -1)
    assert "h10" in app.load_viewer(uid).seen_ids
    with pytest.raises(gr.Error, match="Pick a viewer"):
        vote(None, "h10", 1)


@pytest.mark.integration
def test_acceptance_on_a_real_milvus_lite_store(tmp_path):
    """The acceptance scenario with the store's real search/get/vectors/all_titles (Milvus Lite)."""
    from moodreel.signals import Layout
    from moodreel.store import MilvusStore

    embedder = HashEmbedder()
    settings = Settings(data_dir=tmp_path, cache_dir=tmp_path / "state")
    store = MilvusStore.open(
        str(tmp_path / "profiles.db"), "titles", dimension=Layout(embedder.dimension).size
    )
    store.ensure_collection()
    index_titles(store, embedder, catalog())
    store.flush()
    services = build_services(settings, embedder=embedder, store=store, chat_model=QueueChatModel())
    assert store.is_current() and store.count() == 3 * 25
    recommender, profile, *_ = check_horror_fan_acceptance(services)
    assert len(profile.taste) == services.layout.size
    assert horror_count(recommender.recommend_for_viewer(profile, k=10).results) == 10
    store.close()
