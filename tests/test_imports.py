"""History exports of other services (Netflix, Letterboxd, IMDb, Trakt): detected, read, matched.

Every fixture in tests/fixtures/exports is written in the real column layout of its
export, over titles of the small fixture catalog plus a few it does not hold.
"""

import json
import shutil

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from moodreel.application import Moodreel
from moodreel.catalog import load_catalog
from moodreel.profiles.imports import ExportError, detect, read_export
from moodreel.profiles.imports.base import EPISODE_MINUTES, UNRATED
from moodreel.profiles.imports.netflix import series_of
from moodreel.profiles.profile import LIKED_MIN
from moodreel.search.recommender import Recommender
from moodreel.services import build_services
from moodreel.settings import Settings
from tests.conftest import FIXTURES
from tests.fakes import DictStore, FixedMoodParser, HashEmbedder, PlainWords, QueueChatModel, index_titles

EXPORTS = FIXTURES / "exports"


def make_app(tmp_path) -> Moodreel:
    embedder, store = HashEmbedder(), DictStore()
    titles = load_catalog(FIXTURES / "catalog_small.csv").titles
    index_titles(store, embedder, [(t, ["tension", "joy", "awe"]) for t in titles])
    settings = Settings(data_dir=tmp_path, cache_dir=tmp_path / "state")
    services = build_services(settings, embedder=embedder, store=store, chat_model=QueueChatModel())
    return Moodreel(services, Recommender.from_services(services, FixedMoodParser(["tension"]), PlainWords()))


def rows_by_name(history):
    return {r.content_name: r for r in history.rows}


def watched(viewer):
    return {w.title: w for w in viewer.profile.watched}


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("NetflixViewingHistory.csv", "netflix"),
        ("ViewingActivity.csv", "netflix-activity"),
        ("ratings.csv", "letterboxd"),
        ("diary.csv", "letterboxd"),
        ("watched.csv", "letterboxd"),
        ("imdb_ratings.csv", "imdb"),
        ("watched-movies.json", "trakt"),
        ("watched-shows.json", "trakt"),
        ("ratings-movies.json", "trakt"),
        ("ratings-shows.json", "trakt"),
    ],
)
def test_each_export_is_told_by_its_header(name, kind):
    path = EXPORTS / name
    assert detect(path, path.read_text(encoding="utf-8")) == kind


def test_netflix_titles_roll_episodes_up_to_their_series():
    assert series_of("The Crown: Season 1: Wolferton Splash") == ("The Crown", True)
    assert series_of("Stranger Things: Stranger Things 2: Chapter One: MADMAX") == ("Stranger Things", True)
    assert series_of("Our Planet: Limited Series: One Planet") == ("Our Planet", True)
    assert series_of("Mission: Impossible - Ghost Protocol") == (
        "Mission: Impossible - Ghost Protocol",
        False,
    )
    assert series_of("Black Mirror: Bandersnatch") == ("Black Mirror: Bandersnatch", False)
    assert series_of("D.B. Cooper: Where Are You?!: Season 1: Episode 2") == (
        "D.B. Cooper: Where Are You?!",
        True,
    )
    assert series_of("Chef's Table: Volume 2: Grant Achatz") == ("Chef's Table", True)


def test_netflix_viewing_history_end_to_end(tmp_path):
    app = make_app(tmp_path)
    (viewer,) = app.import_history(EXPORTS / "NetflixViewingHistory.csv", "sam").viewers
    seen = watched(viewer)
    assert set(seen) == {
        "Breaking Bad",
        "Stranger Things",
        "Inception",
        "Mission: Impossible - Ghost Protocol",
    }
    assert all(w.rating == UNRATED == LIKED_MIN for w in seen.values())  # watched alone: a mild like
    # three episodes of a 48-minute series: 3 * 41 minutes of 8 * 48
    assert seen["Breaking Bad"].completion == pytest.approx(3 * EPISODE_MINUTES / (8 * 48))
    assert seen["Inception"].completion == 1.0
    assert sorted(m.name for m in viewer.unmatched) == ["Black Mirror: Bandersnatch", "Our Planet"]
    assert [str(p) for p in viewer.problems] == ["line 11: Title is empty (row skipped)"]
    assert {r.title for r in viewer.profile.liked} == set(seen)
    with pytest.raises(ExportError, match="names no viewer: say whose it is"):
        app.import_history(EXPORTS / "NetflixViewingHistory.csv")


def test_netflix_viewing_activity_is_one_viewer_per_profile_with_durations(tmp_path):
    app = make_app(tmp_path)
    built = {v.user_id: v for v in app.import_history(EXPORTS / "ViewingActivity.csv").viewers}
    assert set(built) == {"Sam", "Kid"}
    sam = watched(built["Sam"])
    assert set(sam) == {"Inception", "Breaking Bad", "The Conjuring"}
    assert sam["Breaking Bad"].completion == pytest.approx((47.2 + 46 + 5 / 60) / (8 * 48))
    assert sam["The Conjuring"].completion == pytest.approx(12.5 / 112)
    problems = [str(p) for p in built["Sam"].problems]
    assert "line 5: a trailer, not a viewing (row skipped)" in problems
    assert "line 7: Duration '45 min' is not HH:MM:SS (row skipped)" in problems
    assert "line 10: a hook, not a viewing (row skipped)" in problems
    kid = watched(built["Kid"])
    assert set(kid) == {"Attack on Titan", "Mean Girls"} and kid["Mean Girls"].completion == 1.0
    (only,) = app.import_history(EXPORTS / "ViewingActivity.csv", "Kid").viewers
    assert set(watched(only)) == {"Attack on Titan", "Mean Girls"}
    with pytest.raises(ExportError, match="has no profile 'Nobody'; its profiles: Kid, Sam"):
        app.import_history(EXPORTS / "ViewingActivity.csv", "Nobody")


def test_letterboxd_ratings_diary_and_watched(tmp_path):
    app = make_app(tmp_path)
    (rated,) = app.import_history(EXPORTS / "ratings.csv", "lb").viewers
    seen = watched(rated)
    assert {n: w.rating for n, w in seen.items()} == {
        "Se7en": 4.5, "Titanic": 2.0, "GoodFellas": 5.0, "Love Actually": 0.5,
    }  # fmt: skip
    assert [m.name for m in rated.unmatched] == ["Paddington 2 (2017)"]
    assert [str(p) for p in rated.problems] == ["line 7: Rating 6 is outside 0.5..5 (row skipped)"]
    assert {r.title for r in rated.profile.disliked} == {"Titanic", "Love Actually"}
    (diary,) = app.import_history(EXPORTS / "diary.csv", "lb2").viewers
    seen = watched(diary)
    assert seen["Inception"].rating == 5.0 and seen["The Departed"].rating == 4.0  # the later entry rates it
    assert [str(p) for p in diary.problems] == ["line 5: Rating 'three' is not a number (row skipped)"]
    (plain,) = app.import_history(EXPORTS / "watched.csv", "lb3").viewers
    assert {n: w.rating for n, w in watched(plain).items()} == {
        "Argo": UNRATED,
        "Dunkirk": UNRATED,
        "Troy": UNRATED,
    }
    with pytest.raises(ExportError, match="watchlist .* not a history"):
        app.import_history(EXPORTS / "watchlist.csv", "lb4")


def test_imdb_ratings_match_by_id_then_by_name(tmp_path):
    app = make_app(tmp_path)
    history = read_export(EXPORTS / "imdb_ratings.csv", "imdb-fan").history
    assert rows_by_name(history)["Se7en (1995)"].imdb_id == "tt0114369"
    (viewer,) = app.import_history(EXPORTS / "imdb_ratings.csv", "imdb-fan").viewers
    seen = watched(viewer)
    assert {n: w.rating for n, w in seen.items()} == {
        "Se7en": 4.5,
        "Breaking Bad": 5.0,
        "Titanic": 1.5,
        "Life of Brian": 3.0,
    }  # fmt: skip  (Life of Brian's id is wrong in the file: found by name and year)
    (moonlight,) = viewer.unmatched
    assert "tt4975722 is not in the catalog, nor is the name" in str(moonlight)
    problems = [str(p) for p in viewer.problems]
    assert problems == [
        "line 4: 'Breaking Bad: Pilot' is a rating of one episode; IMDb does not say of which series (row skipped)",
        "line 8: Your Rating 'eleven' is not a number (row skipped)",
    ]


def test_trakt_watched_and_ratings(tmp_path):
    app = make_app(tmp_path)
    (movies,) = app.import_history(EXPORTS / "watched-movies.json", "tr").viewers
    assert {n: w.rating for n, w in watched(movies).items()} == {
        "Inception": UNRATED,
        "Nightcrawler": UNRATED,
    }
    assert [m.name for m in movies.unmatched] == ["Paddington 2 (2017)"]
    (shows,) = app.import_history(EXPORTS / "watched-shows.json", "tr2").viewers
    peaky = watched(shows)["Peaky Blinders"]
    assert peaky.completion == pytest.approx(3 * EPISODE_MINUTES / (8 * 58))
    assert [m.name for m in shows.unmatched] == ["The Bear (2022)"]
    (rated,) = app.import_history(EXPORTS / "ratings-movies.json", "tr3").viewers
    assert {n: w.rating for n, w in watched(rated).items()} == {"Dunkirk": 5.0, "Hancock": 1.0}
    assert [str(p) for p in rated.problems] == [
        "line 3: rating 11 is not a number from 1 to 10 (row skipped)"
    ]
    (show_ratings,) = app.import_history(EXPORTS / "ratings-shows.json", "tr4").viewers
    assert {n: w.rating for n, w in watched(show_ratings).items()} == {
        "Black Mirror": 4.5,
        "Grey's Anatomy": 2.0,
    }


def test_moodreel_csv_still_reads_through_the_same_door(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("user_id,content_name,rating,watch_time_minutes\nann,Inception,5,148\n", encoding="utf-8")
    (viewer,) = make_app(tmp_path).import_history(path).viewers
    assert viewer.user_id == "ann" and set(watched(viewer)) == {"Inception"}


@pytest.mark.parametrize(
    ("text", "suffix", "fmt", "message"),
    [
        ("foo,bar\n1,2\n", ".csv", "auto", r"line 1 \(foo, bar\) is not the header of an export moodreel reads; "
         r"expected one of: moodreel: user_id,content_name,rating,watch_time_minutes; .*letterboxd: "
         r"Date,Name,Year,Letterboxd URI"),
        ("Date,Name,Year,Letterboxd URI\n2023-01-01,Argo,2012,x\n", ".csv", "imdb",
         r"does not read as imdb: line 1 should hold Const, Your Rating, Date Rated, Title, Title Type, Year; "
         r"it holds Date, Name, Year, Letterboxd URI \(it looks like letterboxd\)"),
        ('[{"id": 1}]', ".json", "auto", "is JSON but not a Trakt export: expected a JSON list of Trakt entries"),
        ("[1, 2", ".json", "auto", r"is not valid JSON \(line 1"),
        ("Title,Date\n", ".csv", "trakt", "is not JSON"),
    ],
)  # fmt: skip
def test_a_file_of_another_kind_says_what_was_expected(tmp_path, text, suffix, fmt, message):
    path = tmp_path / f"export{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ExportError, match=message):
        read_export(path, "someone", fmt)


def test_cli_import_then_recommend_skips_what_was_seen(tmp_path, monkeypatch):
    from moodreel.cli import app as cli

    moodreel = make_app(tmp_path)
    monkeypatch.setattr("moodreel.cli._app", lambda db, parser: moodreel)
    runner = CliRunner()
    out = runner.invoke(cli, ["import", str(EXPORTS / "NetflixViewingHistory.csv"), "--user", "sam"])
    assert out.exit_code == 0, out.output
    assert "sam: 4 titles matched (netflix)" in out.stdout
    assert "not matched: 'Our Planet' unmatched" in out.stderr
    assert "line 11: Title is empty (row skipped)" in out.stderr
    out = runner.invoke(cli, ["recommend", "tense", "--user", "sam", "--no-pitch", "--json", "--k", "40"])
    assert out.exit_code == 0, out.output
    titles = {r["title"] for r in json.loads(out.stdout)["results"]}
    assert titles and not titles & {"Breaking Bad", "Stranger Things", "Inception"}
    out = runner.invoke(
        cli, ["import", str(EXPORTS / "imdb_ratings.csv"), "--user", "x", "--format", "letterboxd"]
    )
    assert out.exit_code != 0 and "should hold Date, Name, Year, Letterboxd URI" in out.output


def test_api_viewers_takes_a_multipart_export(tmp_path):
    from moodreel.server import create_api

    app = make_app(tmp_path)
    client = TestClient(
        create_api(app, Settings(data_dir=tmp_path, cache_dir=tmp_path / "state"), with_ui=False)
    )
    with (EXPORTS / "ratings.csv").open("rb") as f:
        ok = client.post(
            "/api/viewers", files={"file": ("ratings.csv", f, "text/csv")}, data={"user_id": "lb"}
        )
    assert ok.status_code == 200, ok.text
    (body,) = ok.json()["viewers"]
    assert body["user_id"] == "lb" and body["format"] == "letterboxd" and body["matched"] == 4
    assert body["unmatched"] == ["'Paddington 2 (2017)' unmatched"]
    assert body["skipped"] == ["line 7: Rating 6 is outside 0.5..5 (row skipped)"]
    assert "who" in body["summary"]
    again = client.post("/api/recommend", json={"mood": "tense", "user_id": "lb", "k": 40})
    assert not {r["title"] for r in again.json()["results"]} & {"Se7en", "GoodFellas"}
    watchlist = shutil.copy(EXPORTS / "watchlist.csv", tmp_path / "watchlist.csv")
    with open(watchlist, "rb") as f:
        bad = client.post(
            "/api/viewers", files={"file": ("watchlist.csv", f, "text/csv")}, data={"user_id": "lb"}
        )
    assert bad.status_code == 422 and "not a history" in bad.text
    with (EXPORTS / "ratings.csv").open("rb") as f:
        wrong = client.post(
            "/api/viewers", files={"file": ("r.csv", f)}, data={"user_id": "lb", "format": "imdb"}
        )
    assert wrong.status_code == 422 and "should hold Const" in wrong.text
