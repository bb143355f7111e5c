"""Reading requests as people type them: negation in every person, who is watching and the
certification ceiling it implies, era phrases, side watching, the catalog's own vocabulary
deciding what a topic is, and pseudo-relevance feedback for the wanted feelings."""

import numpy as np
import pytest

from moodreel.query.feedback import feedback_feelings
from moodreel.query.mood_query import inferred_filters
from moodreel.query.understanding import read_request
from moodreel.query.vocabulary import build_vocabulary


@pytest.mark.parametrize(
    ("text", "genre"),
    [
        ("date night with my girlfriend, she doesn't like horror or sad endings", "horror"),
        ("my boyfriend hates anything animated", "animation"),
        ("he won't watch anything romantic", "romance"),
        ("not a fan of westerns", "western"),
        ("no more comedies please", "comedy"),
        ("not in the mood for a documentary", "documentation"),
    ],
)
def test_a_negation_in_any_person_drops_the_genre(text, genre):
    assert genre in read_request(text).avoid_genres


def test_wont_stress_me_out_is_a_negation():
    u = read_request("anxious and overwhelmed, I need something calm that won't stress me out")
    assert "stress" in u.avoid and {"tension", "anxiety"} <= set(u.avoid_feelings)
    assert "tension" not in u.feelings


@pytest.mark.parametrize(
    ("text", "audience", "ceiling"),
    [
        ("my grandma is visiting, she hates swearing and violence", "seniors", "PG"),
        ("watching with my 5 year old", "kids", "G"),
        ("something for my kids, 8 and 11", "kids", "PG"),
        ("my teenage kids (14 and 16) are bored", "teens", "PG-13"),
        ("my little sister is 12 and loves horses", "kids", "PG"),
        ("my mom wants something romantic but nothing with sex scenes", None, "PG-13"),
        ("date night tonight", "date", None),
    ],
)
def test_who_is_watching_sets_a_certification_ceiling(text, audience, ceiling):
    u = read_request(text)
    assert (u.audience, u.max_certification) == (audience, ceiling)
    excluded = set(inferred_filters(u).exclude_certifications)
    if ceiling == "PG":
        assert {"PG-13", "TV-14", "R", "TV-MA", "NC-17"} <= excluded and "PG" not in excluded
    if ceiling is None:
        assert not excluded & {"R", "TV-MA"}


def test_hating_violence_drops_crime_action_and_horror():
    u = read_request("my grandma is visiting, she hates swearing and violence")
    assert {"crime", "action", "horror", "war"} <= set(u.avoid_genres)
    assert "rated PG or lower" in u.chips() and "audience: seniors" in u.chips()


def test_the_ceiling_chip_can_be_unticked_alone_or_with_its_audience():
    u = read_request("something for my 5 year old, nothing with swearing")
    assert u.max_certification == "G"
    assert u.without(["rated G or lower"]).max_certification is None
    # without the audience, the stated sensibility (no swearing) still caps at PG
    assert u.without(["audience: kids"]).max_certification == "PG"


def test_an_age_in_their_70s_is_not_an_era():
    u = read_request("my parents are in town, they're in their 70s, they like gentle british stuff")
    assert u.era is None and u.audience == "seniors" and u.countries == ["GB"]


def test_the_strictest_era_word_wins():
    u = read_request("an old black and white classic")
    assert u.max_year == 1965 and not {"black", "white"} & set(u.topics)


def test_no_subtitles_means_english_language_titles():
    u = read_request("not in the mood for subtitles, just a dumb comedy")
    assert "US" in u.countries and "GB" in u.countries and "comedy" in u.genres


def test_side_watching_is_light_adult_watching_not_preschool():
    u = read_request("something I can put on in the background while folding laundry")
    assert u.audience == "adults" and "comedy" in u.genres and u.topics == []
    assert {"TV-Y", "TV-Y7"} <= set(inferred_filters(u).exclude_certifications)


def test_longing_for_something_is_a_want_not_a_feeling():
    u = read_request("I feel nostalgic for the old west, cowboys and dusty towns")
    assert "western" in u.genres and "old west" in u.request


def _catalog():
    """Synopses on three subjects (each with its own direction in a toy plot space) that
    all use the filler words "world" and "set"."""
    rng = np.random.default_rng(0)
    subjects = {
        "heist": "a crew plans a daring heist of the vault in new york",
        "cowboy": "a lone cowboy rides into a dusty frontier town",
        "chef": "a young chef opens a restaurant in paris",
    }
    texts, vectors = [], []
    for i, line in enumerate(subjects.values()):
        direction = np.zeros(16)
        direction[i] = 1.0
        for j in range(12):
            filler = " in a world set apart" if j % 2 else " the world is set to change"
            texts.append(line + filler)
            vectors.append(direction + 0.3 * rng.normal(size=16))
    return texts, np.array(vectors)


def test_the_catalog_vocabulary_keeps_content_words_and_drops_fillers():
    vocabulary = build_vocabulary(*_catalog())
    assert vocabulary.is_content("heist") and vocabulary.is_content("cowboys")  # plural of a seen word
    assert not vocabulary.is_content("world") and not vocabulary.is_content("set")
    assert not vocabulary.is_content("enjoy")  # no synopsis uses it: left to the plot vector
    assert "new york" in vocabulary.phrases
    u = read_request("a heist set in new york, a world of crime", vocabulary)
    assert set(u.topics) == {"new york", "heist"}


def test_feedback_feelings_are_the_most_shared_by_the_first_titles():
    ranked = [["joy", "warmth", "hope"], ["warmth", "joy"], ["warmth", "fear"], ["dread"]]
    assert feedback_feelings(ranked, n=2) == ["warmth", "joy"]
    assert "fear" not in feedback_feelings(ranked, n=5, leave_out=["fear"])


@pytest.mark.parametrize(
    ("text", "genres"),
    [
        ("my roommate is super into true crime, i'd like to surprise her with a good one", {"crime"}),
        ("my dad loves westerns, something for him", {"western"}),
        ("she's really into comedies lately, any ideas", {"comedy"}),
    ],
)
def test_what_someone_else_likes_is_the_request_not_how_the_viewer_feels(text, genres):
    u = read_request(text)
    assert genres <= set(u.genres) and not genres & set(u.avoid_genres)
    assert not {"crime", "westerns", "comedies"} & set(u.felt)


def test_who_watches_implies_genres_only_when_the_request_names_nothing():
    teen = read_request("my teenage son wants explosions but nothing too gory")
    assert teen.audience == "teens" and teen.max_certification == "PG-13"
    assert not {"romance", "comedy", "drama", "fantasy"} & set(teen.genres)  # an action request, for a teen
    kids = read_request("something to watch with my kids on a rainy sunday")
    assert {"family", "animation"} <= set(kids.genres)  # nothing named: the audience leads
    space = read_request("something for my teenage kids about space")
    assert "romance" not in space.genres


def test_an_age_is_not_an_era():
    assert read_request("something for my 5 year old").era is None


def _with_titles(names: dict[str, str]):
    return build_vocabulary(*_catalog(), titles=names)


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("like queer eye, makeovers and crying", "queer eye"),
        ("a show like Stranger Things but less gory", "stranger things"),
        ("something in the spirit of the crown", "the crown"),
        ("queer eye vibes", "queer eye"),
        ("movies similar to squid game", "squid game"),
    ],
)
def test_a_catalog_title_named_as_a_model_is_a_seed(text, reference):
    vocabulary = _with_titles(
        {
            "Queer Eye": "ts1",
            "Stranger Things": "ts2",
            "The Crown": "ts3",
            "Squid Game": "ts4",
            "Heist": "tm9",
        }
    )
    u = read_request(text, vocabulary)
    assert u.references[:1] == [reference] and len(u.like_titles) == 1
    assert f"like: {reference}" in u.chips() and not u.is_open
    assert not set(reference.split()) & set(u.topics)
    assert u.without([f"like: {reference}"]).like_titles == []


def test_a_name_the_catalog_lacks_is_never_a_literal_topic():
    vocabulary = _with_titles({"Queer Eye": "ts1"})
    u = read_request("something like harry potter for grownups", vocabulary)
    assert u.references == ["harry potter"] and u.like_titles == [] and "harry" not in u.topics
    assert "harry potter" in u.content  # the vectors may still know it
    assert not any(c.startswith("like: ") for c in u.chips())


@pytest.mark.parametrize(
    "text",
    [
        "i like slow burn thrillers",
        "wanna feel like a kid again",
        "something like a heist",
        "i'd like a heist",
    ],
)
def test_like_as_a_verb_or_before_plain_words_is_no_reference(text):
    u = read_request(text, _with_titles({"Heist": "tm9", "A Kid Again": "tm8"}))
    assert u.like_titles == [] or u.references != []
    assert "heist" not in u.references


@pytest.mark.parametrize(
    ("text", "feeling", "genre"),
    [
        ("stranger things but less scary", "fear", "horror"),
        ("a thriller, less violent please", "violence", "crime"),
        ("something not as dark as breaking bad", "dread", "horror"),
    ],
)
def test_less_of_something_pushes_it_down_without_ruling_it_out(text, feeling, genre):
    u = read_request(text)
    assert feeling in u.avoid_feelings
    assert genre in u.soft_avoid_genres and genre not in u.avoid_genres
    assert not inferred_filters(u).exclude_genres  # nothing filtered out, only ranked lower


def test_a_softened_word_keeps_its_chip_and_stays_soft_when_another_chip_goes():
    u = read_request("a thriller, less violent and no gore")
    assert "avoid: less violent" in u.chips()
    assert "thriller" in u.genres  # the genre asked for is kept
    kept = u.without(["avoid: gore"])
    assert kept.avoid == ["less violent"]
    assert "crime" in kept.soft_avoid_genres and "crime" not in kept.avoid_genres
    assert "violence" in kept.avoid_feelings
    assert "crime" not in u.without(["avoid: less violent"]).soft_avoid_genres


def test_less_than_a_number_is_a_limit_not_a_softened_word():
    u = read_request("a comedy less than 90 minutes")
    assert u.max_runtime == 90 and not u.avoid


def test_a_genre_phrase_in_the_plural_names_the_genre_and_no_topic():
    u = read_request("it's our anniversary and my wife loves period pieces with big dresses")
    assert "history" in u.genres
    assert "pieces" not in u.topics and "period" not in u.topics


def test_like_before_feelings_is_no_reference_even_where_a_title_bears_the_name():
    vocabulary = _with_titles({"Awe": "tm1", "Heat": "tm2"})
    u = read_request("something that makes me feel small, like awe and wonder", vocabulary)
    assert not u.like_titles and not u.references
    assert read_request("something like heat but funnier", vocabulary).like_titles
