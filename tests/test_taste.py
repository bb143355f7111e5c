"""Habits and popularity in a viewer's picks (issue 22): films or series, era, fame; the request still wins."""

import json

import numpy as np
import pytest

from moodreel.profiles.habits import CatalogShares, Habits, learn_habits, log_ratios, watch_weight
from moodreel.profiles.history import parse_history
from moodreel.profiles.profile import PROFILE_VERSION, ViewerProfile
from moodreel.profiles.taste import TasteRanker, fame, lean
from moodreel.records import StoredTitle, Title
from moodreel.search.recommender import Recommender
from moodreel.services import build_services
from moodreel.settings import Settings
from moodreel.signals import Layout
from moodreel.store import MilvusStore
from tests.fakes import DictStore, FixedMoodParser, HashEmbedder, PlainWords, QueueChatModel, index_titles

OPEN = "something good to watch tonight"
POOLS = {
    "horror": ["dread", "fear", "terror", "suspense", "shock", "unease"],
    "comedy": ["amusement", "joy", "laughter", "silliness", "cheer", "delight"],
    "drama": ["awe", "curiosity", "sadness", "wonder", "calm", "nostalgia"],
}


def catalog():
    """Per genre: 12 films of the 90s, 12 of the 2010s and 12 series of the 2010s. The series
    rate best (8.6 against 7.0), so without a viewer an open request leans to series."""
    out = []
    for genre, pool in POOLS.items():
        for kind, type_, first, score in (("n", "MOVIE", 1990, 7.0), ("m", "MOVIE", 2010, 7.0),
                                          ("s", "SHOW", 2010, 8.6)):  # fmt: skip
            for i in range(12):
                title = Title(
                    id=f"{genre[0]}{kind}{i:02d}", title=f"{genre.title()} {kind.upper()} {i}", type=type_,
                    genres=(genre,), release_year=first + i % 10, runtime=100 if type_ == "MOVIE" else 45,
                    imdb_score=score, imdb_votes=2_000 * (i + 1) ** 2, production_countries=("US",),
                )  # fmt: skip
                emotions = [pool[(i + j) % len(pool)] for j in range(3)] + ["excitement"]
                out.append((title, emotions))
    return out


def services_for(tmp_path, personalization=0.5, store_kind="dict"):
    """``store_kind``: "dict" (the in-memory fake) or "milvus_lite" (a real Milvus Lite file, its
    filters and inner-product search)."""
    embedder = HashEmbedder()
    if store_kind == "milvus_lite":
        store = MilvusStore.open(
            str(tmp_path / "lite.db"), collection="taste_titles", dimension=Layout(embedder.dimension).size
        )
        store.ensure_collection()
    else:
        store = DictStore()
    index_titles(store, embedder, catalog())
    store.flush()
    settings = Settings(data_dir=tmp_path, cache_dir=tmp_path / "state", personalization=personalization)
    return build_services(settings, embedder=embedder, store=store, chat_model=QueueChatModel())


def recommender_for(services, feelings=("excitement",)):
    return Recommender.from_services(services, FixedMoodParser(list(feelings)), PlainWords())


def rows(user, names_and_ratings):
    records = [{"user_id": user, "content_name": n, "rating": r, "watch_time_minutes": 100}
               for n, r in names_and_ratings]  # fmt: skip
    return parse_history(records, "test").for_user(user)


def films_of(genre, kind, n, rating=5):
    return [(f"{genre.title()} {kind.upper()} {i}", rating) for i in range(n)]


# ---- habits --------------------------------------------------------------------------------


def test_log_ratios_follow_a_clear_pattern_and_stay_near_zero_on_little_evidence():
    cat = CatalogShares(shares={"type": {"MOVIE": 0.5, "SHOW": 0.5}})
    films = learn_habits([({"type": "MOVIE"}, 1.0)] * 20)
    one = learn_habits([({"type": "MOVIE"}, 1.0)])
    strong = log_ratios(films, cat, {"type": "SHOW"})["type"]
    weak = log_ratios(one, cat, {"type": "SHOW"})["type"]
    assert strong < -1.5 and -0.5 < weak < 0 and log_ratios(films, cat, {"type": "MOVIE"})["type"] > 0.5
    assert log_ratios(films, cat, {"type": "SHOW"}, skip=["type"]) == {}  # the request decides
    assert watch_weight(5, -1) == 0 and watch_weight(1, 1) == 1 and watch_weight(1, None) == 0.5
    assert learn_habits([({"type": "MOVIE"}, 0.0)]) is None


def test_cult_viewers_lean_less_on_popularity():
    cult = Habits(titles=10, counts={"fame": {"<1k": 8, "1k-10k": 2}})
    mainstream = Habits(titles=10, counts={"fame": {"500k+": 8, "100k-500k": 2}})
    catalog = CatalogShares(shares={"fame": {"<1k": 0.3, "10k-100k": 0.4, "500k+": 0.3}})
    typical = Habits(titles=10, counts={"fame": {"<1k": 3, "10k-100k": 4, "500k+": 3}})
    assert lean(cult, catalog) == 0.0 and lean(typical, catalog) < 0.01  # no more than a random pick
    assert 0.8 < lean(mainstream, catalog) <= 1.0 and lean(None, catalog) == 1.0
    assert lean(cult) < lean(mainstream) / 2  # against an empty catalog: the plain mean fame
    assert fame(None) == 0 and abs(fame(10**6) - 1.0) < 1e-6 and 0 < fame(1000) < fame(100_000) < 1
    assert fame(2_500_000) > fame(10**6)  # not capped: the most-voted titles still differ
    titles = [
        StoredTitle(id=i, title=i, type="MOVIE", imdb_votes=v) for i, v in (("a", 900_000), ("b", 2_000))
    ]
    ranker = TasteRanker(lambda: CatalogShares(shares={}), habit={"open": 0.0})
    for habits in (cult, mainstream):
        viewer = ViewerProfile(pid="p", habits=habits)
        extra = ranker.extra(titles, viewer, "open")
        assert extra["a"] > extra["b"]
    gap = {
        name: (lambda e: e["a"] - e["b"])(ranker.extra(titles, ViewerProfile(pid="p", habits=h), "open"))
        for name, h in (("cult", cult), ("mainstream", mainstream))
    }
    assert gap["cult"] < gap["mainstream"] / 2


# ---- the acceptance ----------------------------------------------------------------
# On the in-memory store and on a real Milvus Lite file (its search, filters and ordering).
STORES = pytest.mark.parametrize(
    "store_kind", ["dict", pytest.param("milvus_lite", marks=pytest.mark.integration)]
)


@STORES
def test_a_film_only_history_gets_mostly_films_for_an_open_request(tmp_path, store_kind):
    services = services_for(tmp_path, store_kind=store_kind)
    recommender = recommender_for(services)
    plain = recommender.recommend(OPEN, k=10).results
    assert sum(r.type == "SHOW" for r in plain) >= 6  # the catalog alone leans to series
    history = films_of("drama", "m", 6) + films_of("comedy", "m", 6, 4) + films_of("horror", "n", 5, 4)
    profile, unmatched = services.viewers.build("film-fan", rows("film-fan", history))
    assert unmatched == [] and profile.habits is not None
    personal = recommender.recommend(OPEN, k=10, viewer=profile).results
    assert sum(r.type == "MOVIE" for r in personal) >= 8
    assert any("you mostly watch films" in w for r in personal for w in r.why)
    # an explicit request for a series still gets series, and no "films" habit is claimed
    series = recommender.recommend("a series to binge", k=5, viewer=profile).results
    assert series and all(r.type == "SHOW" for r in series)
    assert not any("films" in w for r in series for w in r.why)


@STORES
def test_a_90s_heavy_history_shifts_an_open_request_toward_the_90s(tmp_path, store_kind):
    services = services_for(tmp_path, store_kind=store_kind)
    recommender = recommender_for(services)
    history = films_of("drama", "n", 6) + films_of("comedy", "n", 6) + films_of("horror", "m", 2, 4)
    profile, _ = services.viewers.build("nineties", rows("nineties", history))
    film_fan, _ = services.viewers.build("film-fan", rows("film-fan", films_of("drama", "m", 6) +
                                                           films_of("comedy", "m", 6) + films_of("horror", "m", 2, 4)))  # fmt: skip

    def nineties(results):
        return sum(1990 <= (r.year or 0) < 2000 for r in results)

    plain = recommender.recommend(OPEN, k=10).results
    personal = recommender.recommend(OPEN, k=10, viewer=profile).results
    recent = recommender.recommend(OPEN, k=10, viewer=film_fan).results
    assert nineties(personal) >= max(nineties(plain), nineties(recent)) + 4
    assert any(w.startswith("you mostly watch films from the 90s") for r in personal for w in r.why)


@STORES
def test_a_specific_mood_still_wins_a_horror_fan_asking_to_laugh_gets_comedies(tmp_path, store_kind):
    services = services_for(tmp_path, store_kind=store_kind)
    history = films_of("horror", "n", 10) + films_of("horror", "m", 4) + films_of("comedy", "m", 3, 1)
    profile, _ = services.viewers.build("horror-fan", rows("horror-fan", history))
    tonight = recommender_for(services).recommend(OPEN, k=10, viewer=profile).results
    assert sum("horror" in r.genres for r in tonight) >= 6
    laugh = recommender_for(services, ["amusement", "joy", "laughter"])
    result = laugh.recommend("make me laugh", k=10, viewer=profile).results
    assert sum("comedy" in r.genres for r in result) >= 8
    assert sum(r.type == "MOVIE" for r in result) >= 7  # habits still shape the format


@STORES
def test_three_thumbs_down_on_horror_mean_fewer_horror_next_time(tmp_path, store_kind):
    services = services_for(tmp_path, store_kind=store_kind)
    recommender = recommender_for(services)
    mixed = films_of("horror", "m", 7) + films_of("comedy", "m", 4) + films_of("drama", "m", 3)
    profile, _ = services.viewers.build("mixed", rows("mixed", mixed))
    before = recommender.recommend(OPEN, k=13, viewer=profile).results
    voted = [r.id for r in before if "horror" in r.genres][:3]
    assert len(voted) == 3
    for title_id in voted:
        profile = services.viewers.vote("mixed", title_id, -1)
    kept = [r for r in before if r.id not in voted][:10]  # hiding the voted titles alone is not the effect
    after = recommender.recommend(OPEN, k=10, viewer=profile).results
    assert sum("horror" in r.genres for r in kept) >= 2
    assert sum("horror" in r.genres for r in after) < sum("horror" in r.genres for r in kept)


def test_an_old_profile_file_still_loads_and_is_rebuilt_with_habits(tmp_path):
    services = services_for(tmp_path)
    viewers = services.viewers
    history = rows("old", films_of("drama", "n", 6))
    profile, _ = viewers.build("old", history)
    old = json.loads(profile.model_dump_json())
    for key in ("version", "habits"):
        del old[key]
    for entry in old["watched"]:
        for key in ("year", "countries", "runtime", "votes"):
            del entry[key]
    path = viewers.profiles.root / f"{profile.pid}.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    loaded = viewers.load("old")
    assert loaded.version == 1 and loaded.habits is None and loaded.taste == profile.taste
    rebuilt, _ = viewers.build("old", history)
    assert rebuilt.version == PROFILE_VERSION and rebuilt.habits == profile.habits
    assert np.allclose(rebuilt.taste, profile.taste)
    voted = viewers.vote("old", "cm00", 1)  # a vote on an old file completes its titles from the store
    path.write_text(json.dumps(old), encoding="utf-8")
    voted = viewers.vote("old", "cm00", 1)
    assert voted.habits is not None and voted.habits.counts["era"]["1990s"] == 6


def test_why_names_the_habits_a_title_shares_and_only_telling_countries():
    catalog = CatalogShares(
        shares={"type": {"MOVIE": 0.6, "SHOW": 0.4}, "country": {"US": 0.4, "KR": 0.05, "GB": 0.55}}
    )
    ranker = TasteRanker(lambda: catalog)

    def viewer(country, type_="SHOW", n=10):
        return ViewerProfile(pid="p", habits=learn_habits([({"type": type_, "country": country}, 1.0)] * n))

    korean = StoredTitle(id="k", title="k", type="SHOW", production_countries=["KR"])
    american = StoredTitle(id="a", title="a", type="SHOW", production_countries=["US"])
    assert ranker.why(korean, viewer("KR")) == "you mostly watch Korean series"
    assert (
        ranker.why(american, viewer("US")) == "you mostly watch series"
    )  # a third of the catalog: not telling
    assert ranker.why(american, viewer("KR", "MOVIE")) is None  # shares nothing
    assert ranker.why(korean, viewer("KR", n=2)) is None  # two titles are no pattern


def test_the_taste_pool_lets_in_only_titles_as_much_in_the_requests_genres():
    from moodreel.profiles.taste import genre_gated

    own = [1.0, 1.0, 0.7, 0.58, 1.0]  # a comedy request's own candidates: comedies (median 1.0)
    assert genre_gated([0.0, 0.45, 0.5, 0.71], own) == [False, False, True, True]
    assert genre_gated([0.0, 0.3], [0.0, 0.0, 0.0]) == [True, True]  # no genre leaning: all pass
    assert genre_gated([0.2], []) == [True]
    assert genre_gated([0.6], own, gate=0.7) == [False]  # relative to the request, not absolute
