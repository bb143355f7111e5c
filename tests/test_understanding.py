"""Reading a mood request (no model), re-ranking, loosening constraints, removing chips."""

import pytest

from moodreel.filters import SearchFilters
from moodreel.query.fusion import rerank
from moodreel.query.mood_query import inferred_filters, weights_for
from moodreel.query.understanding import read_request
from moodreel.records import Hit, StoredTitle, Title
from moodreel.search.recommender import Recommender
from moodreel.services import build_services
from moodreel.settings import Settings
from tests.fakes import DictStore, FixedMoodParser, HashEmbedder, QueueChatModel, index_titles


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "heartbroken after a breakup, cheer me up",
            {"felt": ["heartbroken", "breakup"], "genres": ["comedy"]},
        ),
        (
            "anxious, need something calm, soothing and gentle, absolutely nothing scary",
            {
                "avoid": ["scary"],
                "avoid_genres": ["horror"],
                "soft_avoid_genres": ["thriller", "war"],  # asking to be soothed: war too
                "felt": ["anxious"],
            },
        ),
        # only soothing feelings asked: horror, thriller and war are pushed down (not filtered)
        (
            "calm and sleepy",
            {
                "feelings": ["serenity", "comfort", "contentment"],
                "soft_avoid_genres": ["horror", "thriller", "war"],
            },
        ),
        ("a cozy thriller", {"genres": ["thriller"], "soft_avoid_genres": ["horror", "war"]}),  # named: kept
        ("something warm and exciting", {"soft_avoid_genres": []}),  # not only soothing
        # a negation without its apostrophe
        (
            "anxious about exams, need a distraction that isnt stressful",
            {"avoid": ["stressful"], "soft_avoid_genres": ["thriller", "horror"]},
        ),
        (
            "in the mood for a clever heist, con artists double-crossing each other",
            {"topics": ["heist con artists", "double-crossing"]},
        ),
        ("no romance please, I want action", {"avoid_genres": ["romance"], "genres": ["action"]}),
        ("a comedy that is NOT a romcom", {"avoid_genres": ["romance"], "genres": ["comedy"]}),
        ("i like scary stuff but no gore", {"avoid_genres": [], "avoid": ["gore"]}),
        (
            "something to watch with my kids, 7 and 10",
            {"audience": "kids", "avoid_genres": ["horror", "war", "crime", "thriller"]},
        ),
        ("a korean drama to binge", {"countries": ["KR"], "type": "SHOW", "genres": ["drama"]}),
        (
            "an 80s action movie under 100 minutes",
            {"min_year": 1980, "max_year": 1989, "max_runtime": 100, "type": "MOVIE", "topics": []},
        ),
        ("classic old films from before the 80s", {"min_year": None, "max_year": 1979}),
        ("modern horror, nothing older than 2015", {"min_year": 2015, "max_year": None}),
        ("cowboys and the old west", {"min_year": None, "max_year": None, "genres": ["western"]}),
        ("an animated movie", {"required_genres": ["animation"], "type": "MOVIE"}),
        ("not in the mood for anything dark or violent, keep it light", {"avoid": ["dark", "violent"]}),
        ("something good to watch tonight", {"topics": [], "feelings": [], "genres": []}),
        # a genre word typed in two parts is the genre, never two topics
        ("a rom com", {"genres": ["romance", "comedy"], "topics": []}),
        ("some sci fi or a k drama", {"genres": ["scifi", "drama"], "topics": []}),
        ("rom coms, no horror", {"genres": ["romance", "comedy"], "avoid_genres": ["horror"]}),
        ("a docu series about space", {"genres": ["documentation"]}),
        ("from com to dot com", {"genres": []}),  # two words that spell no genre stay words
    ],
)
def test_read_request(text, expected):
    understood = read_request(text)
    for key, value in expected.items():
        assert getattr(understood, key) == value, (key, understood)


def test_felt_words_and_names_are_not_the_request():
    u = read_request("Ugh, rough week at work, I want something cozy that makes me laugh")
    assert "rough" not in u.request and "cozy" in u.request
    assert "comfort" in u.feelings and u.topics == []
    assert read_request("something good to watch tonight").is_open
    assert not read_request("I want to laugh").is_open


def test_inferred_filters_turn_constraints_into_filters():
    f = inferred_filters(read_request("an 80s korean show for my kids"))
    assert (f.min_year, f.max_year, f.type, f.countries) == (1980, 1989, "SHOW", ["KR"])
    assert {"R", "TV-MA", "PG-13"} <= set(f.exclude_certifications) and "horror" in f.exclude_genres


def test_weights_follow_the_kind_of_request():
    topic, genre, feeling = (weights_for(read_request(t)) for t in ("a heist", "a comedy", "cheer me up"))
    assert topic.plot > topic.vibe and topic.plot > topic.genre
    assert genre.genre > genre.plot
    assert weights_for(read_request("a series to binge"), has_content=False).plot == 0.0
    assert feeling.vibe >= feeling.plot


def _hit(i, description, emotions=(), genres=("drama",), similarity=0.5):
    title = StoredTitle(id=f"t{i}", title=f"T{i}", type="MOVIE", description=description,
                        emotions=list(emotions), genres=list(genres))  # fmt: skip
    return Hit(title=title, similarity=similarity)


def test_rerank_rewards_literal_topics_and_pushes_avoided_things_down():
    hits = [
        _hit(1, "A quiet family saga.", similarity=0.52),
        _hit(2, "A crew plans one last heist in Madrid.", similarity=0.50),
        _hit(3, "A concert tour goes wrong.", similarity=0.51),  # "con" must not match "concert"
        _hit(4, "Zombies overrun a town.", similarity=0.55),
        _hit(5, "A calm tale.", emotions=("dread", "terror"), genres=("thriller",), similarity=0.56),
    ]
    u = read_request("a heist with con artists, no zombies, nothing scary")
    ranked = rerank(hits, u, 5)
    assert ranked[0].hit.title.id == "t2" and "heist" in ranked[0].topic_match
    assert [r.hit.title.id for r in ranked][-2:] == ["t5", "t4"]
    assert next(r for r in ranked if r.hit.title.id == "t3").topic_match is None
    assert [r.hit.title.id for r in rerank(list(reversed(hits)), u, 5)] == [r.hit.title.id for r in ranked]


CATALOG = [
    (Title(id="k1", title="Kid Cartoon", type="MOVIE", genres=("animation", "family"), age_certification="G",
           release_year=2010, description="A puppy learns to fly."), ["joy", "wonder"]),
    (Title(id="a1", title="Adult Cartoon", type="MOVIE", genres=("animation", "comedy"), age_certification="R",
           release_year=2012, description="A puppy swears a lot."), ["amusement"]),
    (Title(id="h1", title="Night Terror", type="MOVIE", genres=("horror",), release_year=1985,
           description="A ghost haunts a house."), ["dread", "terror"]),
    (Title(id="c1", title="Big Laughs", type="SHOW", genres=("comedy",), release_year=2005,
           description="Roommates bicker."), ["amusement", "joy"]),
]  # fmt: skip


@pytest.fixture()
def recommender(tmp_path):
    embedder, store = HashEmbedder(), DictStore()
    index_titles(store, embedder, CATALOG)
    services = build_services(
        Settings(data_dir=tmp_path), embedder=embedder, store=store, chat_model=QueueChatModel()
    )
    return Recommender.from_services(services, FixedMoodParser(["joy"]))


def test_hard_constraints_filter_and_explicit_filters_win(recommender):
    kids = recommender.recommend("something fun for my kids", k=4)
    assert [r.id for r in kids.results][0] == "k1"
    assert not {"a1", "h1"} & {r.id for r in kids.results}  # R-rated and horror titles are filtered out
    assert "rated G: fine for the family" in kids.results[0].why
    horror = recommender.recommend("nothing scary", k=4, filters=SearchFilters(genres=["horror"]))
    assert [r.id for r in horror.results] == ["h1"]  # the viewer's own filter wins over the negation
    assert kids.understood.audience == "kids" and horror.understood.avoid == ["scary"]


def test_too_tight_constraints_are_loosened_and_said(recommender):
    result = recommender.recommend("a korean show from the 80s", k=3)
    assert result.relaxed == ["era", "country", "type"]  # one show only: the type goes too
    assert [r.id for r in result.results][0] == "c1"  # what meets more of the ask comes first
    strict = recommender.recommend("an 80s movie", k=3)
    assert [r.id for r in strict.results][0] == "h1" and strict.relaxed[:1] == ["era"]


def test_removed_chips_are_not_applied(recommender):
    full = recommender.recommend("an animated movie, nothing scary", k=2)
    assert "format: animation" in full.understood.chips() and "avoid: scary" in full.understood.chips()
    assert {r.id for r in full.results} == {"k1", "a1"} and full.relaxed == []
    loose = recommender.recommend(
        "an animated movie, nothing scary", k=4, drop=["format: animation", "avoid: scary"]
    )
    assert "h1" in {r.id for r in loose.results} and loose.understood.avoid == []


def test_only_a_request_with_nothing_in_it_is_open(recommender):
    assert recommender.understand("something good to watch tonight").open
    assert not recommender.understand("I want to be scared out of my mind").open
    assert not recommender.understand("a quiet story about lighthouse keepers").open  # unknown words count


def test_removing_chips_keeps_the_rest_of_the_reading():
    u = read_request("heartbroken after a breakup, something for my kids, nothing scary")
    assert u.felt_text and u.audience == "kids" and "horror" in u.avoid_genres
    kept = u.without(["audience: kids"])
    assert kept.felt_text == u.felt_text  # what the viewer only feels is still not searched
    assert kept.audience is None and "family" not in kept.genres
    assert "horror" in kept.avoid_genres and "war" not in kept.avoid_genres  # "nothing scary" stays


def test_a_phrase_topic_matches_only_whole():
    from moodreel.query.fusion import _pattern

    pattern = _pattern(["new york", "heist", "coming of age"])
    assert pattern.search("a diner in New York City") and pattern.search("a coming of age story")
    assert pattern.search("two heists") and not pattern.search("a rustic New Zealand inn")
