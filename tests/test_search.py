"""Filters, the fused search, explanations, cards and the API over fakes."""

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from moodreel.application import Moodreel
from moodreel.filters import SearchFilters
from moodreel.records import Title
from moodreel.search.recommender import Recommender
from moodreel.services import build_services
from moodreel.settings import Settings
from moodreel.signals import Layout, quality_score, title_vector
from moodreel.store import filter_expression
from moodreel.webapp import CardText, render_cards, search_handler

# The CLI/API contract for one result (issue 3): other tools rely on exactly these keys.
from tests.contracts import RESULT_KEYS, problem_text
from tests.fakes import DictStore, FixedMoodParser, HashEmbedder, QueueChatModel, index_titles


def test_filters_build_a_safe_expression():
    f = SearchFilters(
        type="show",
        genres=["Comedy", "drama"],
        exclude_genres=["horror"],
        min_year=1990,
        max_year=2000,
        max_runtime=60,
        age_certifications=["tv-14"],
        min_imdb_score=7,
    )
    expr = filter_expression(f)
    assert 'type == "SHOW"' in expr
    assert 'array_contains_any(genres, ["comedy", "drama"])' in expr
    assert 'not array_contains_any(genres, ["horror"])' in expr
    assert "release_year >= 1990" in expr and "release_year <= 2000" in expr
    assert (
        "runtime <= 60" in expr and 'age_certification in ["TV-14"]' in expr and "imdb_score >= 7.0" in expr
    )
    assert filter_expression(SearchFilters()) == "" and filter_expression(None) == ""
    more = filter_expression(
        SearchFilters(required_genres=["animation"], exclude_certifications=["r"], countries=["kr", "jp"])
    )
    assert 'array_contains(genres, "animation")' in more
    assert 'not (age_certification in ["R"])' in more
    assert 'array_contains_any(production_countries, ["JP", "KR"])' in more


def test_explicit_filters_win_over_inferred_ones():
    explicit = SearchFilters(genres=["horror"], min_year=2010)
    inferred = SearchFilters(exclude_genres=["horror", "war"], min_year=1980, max_year=1989, type="SHOW")
    merged = explicit.merge(inferred)
    assert merged.exclude_genres == ["war"]  # asked-for horror is never excluded
    assert merged.min_year == 2010 and merged.max_year is None  # 2010..1989 is empty: explicit kept
    assert merged.type == "SHOW"  # what the viewer left open is filled in


@pytest.mark.parametrize(
    "kwargs",
    [
        {"genres": ['comedy"] or id != "']},
        {"exclude_genres": ["drama) or (1 == 1"]},
        {"type": "MOVIE or 1==1"},
        {"age_certifications": ['R" or "']},
        {"countries": ["KOR"]},
        {"required_genres": ["x) or (1"]},
        {"min_year": 1995, "max_year": 1990},
        {"min_year": "1990; drop"},
        {"unknown": 1},
    ],
)
def test_bad_filter_values_are_rejected_not_pasted(kwargs):
    with pytest.raises(ValidationError):
        SearchFilters(**kwargs)


def test_quality_counts_score_above_five_times_vote_confidence():
    assert quality_score(None, 10**6) == 0.0
    assert quality_score(9.0, 10**6) > quality_score(9.0, 100) > 0
    assert quality_score(4.0, 10**6) == 0.0 and quality_score(10.0, 10**6) == 1.0


def test_fused_vector_inner_product_is_the_weighted_sum_of_signals():
    from moodreel.signals import Weights, query_vector, split_scores

    layout = Layout(8)
    rng = np.random.default_rng(0)
    unit = [v / np.linalg.norm(v) for v in rng.normal(size=(4, 8))]
    title = title_vector(layout, unit[0], unit[1], ["comedy", "drama"], 8.0, 10**5)
    prior = np.zeros(layout.genres.stop - layout.genres.start, dtype=np.float32)
    prior[2] = 1.0  # comedy
    weights = Weights(vibe=0.5, plot=0.3, genre=0.2, quality=0.1, known=0.1)
    query = query_vector(layout, weights, unit[2], unit[3], prior)
    parts = split_scores(layout, title, unit[2], unit[3], prior)
    expected = (
        0.5 * parts.vibe + 0.3 * parts.plot + 0.2 * parts.genre
        + 0.1 * quality_score(8.0, 10**5) + 0.1 * 1.0
    )  # fmt: skip
    assert float(title @ query) == pytest.approx(expected, abs=1e-5)
    assert parts.genre == pytest.approx(1 / np.sqrt(2), abs=1e-6)
    junk = title_vector(layout, unit[0], unit[1], [], 8.0, 10)  # no genres: below the floor
    assert junk[layout.known] == 0.0 and title[layout.known] == 1.0


def _services(tmp_path, titles):
    embedder = HashEmbedder()
    store = DictStore()
    index_titles(store, embedder, titles)
    settings = Settings(data_dir=tmp_path, pitch_timeout_s=5)
    return build_services(settings, embedder=embedder, store=store, chat_model=QueueChatModel())


CATALOG = [
    (
        Title(id="h1", title="Night Terror", type="MOVIE", genres=("horror",), release_year=2001),
        ["dread", "terror", "fear"],
    ),
    (
        Title(id="c1", title="Big Laughs", type="MOVIE", genres=("comedy",), release_year=2005),
        ["amusement", "joy", "laughter"],
    ),
    (
        Title(id="r1", title="<b>Love</b> & Rain", type="SHOW", genres=("romance",)),
        ["love", "longing", "warmth"],
    ),
]


def test_recommender_ranks_by_vibe_and_fills_records(tmp_path):
    rec = Recommender.from_services(_services(tmp_path, CATALOG), FixedMoodParser(["amusement", "joy"]))
    result = rec.recommend("make me laugh", k=2)
    # "make me laugh" asks for laughter (the remedy's feelings come first), and a comedy
    assert result.emotions[:2] == ["laughter", "amusement"] and "joy" in result.emotions
    assert result.understood.genres == ["comedy"]
    assert [r.id for r in result.results][0] == "c1"
    top = result.results[0]
    assert top.why == ["feels like: amusement, joy, laughter", "a comedy, as you asked"]
    assert top.pitch is None and top.emojis == "🎬🌙"
    assert set(top.model_dump()) == RESULT_KEYS


def test_pitch_streams_and_falls_back_to_a_template_on_failure(tmp_path):
    services = _services(tmp_path, CATALOG)
    rec = Recommender.from_services(services, FixedMoodParser(["fear"]))
    result = rec.recommend("scare me", k=1)
    services.chat_model.enqueue("A night of dread and terror for you.")  # words its facts support
    assert (
        rec.pitch(result.results[0], result.mood, result.emotions) == "A night of dread and terror for you."
    )
    prompt = services.chat_model.seen[0][-1].content
    assert "Night Terror" in prompt and "scare me" in prompt
    # no answer queued: the fake raises, the card gets a template and a notice
    chunks = list(rec.stream_pitch(result.results[0], result.mood, result.emotions))
    assert chunks[-1].fallback and "unavailable" in chunks[-1].notice
    assert "Night Terror" in chunks[-1].text


def test_cards_escape_everything(tmp_path):
    rec = Recommender.from_services(_services(tmp_path, CATALOG), FixedMoodParser(["love"]))
    result = rec.recommend("<script>alert(1)</script>", k=3)
    evil = CardText(tagline="<b>Love</b>", pitch="<img src=x onerror=alert(1)>", notice="<i>", done=True)
    page = render_cards(result, {"r1": evil}, None)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;i&gt;" in page
    assert "<b>Love</b>" not in page and "&lt;b&gt;Love&lt;/b&gt;" in page
    assert "<img" not in page


def test_search_handler_yields_cards_before_pitches_then_pitches_every_card(tmp_path):
    services = _services(tmp_path, CATALOG)
    services.chat_model.enqueue(
        "Tagline: A night of dread\nPitch: A night of dread and terror for you.",
        "Tagline: Fear, up close\nPitch: You will keep the lights on after this one.",
    )
    handler = search_handler(
        Moodreel(services, Recommender.from_services(services, FixedMoodParser(["fear"]))), pitch_count=20
    )
    pages = list(handler("scare me", 2, "Any", [], [], None, None, None))
    assert "Night Terror" in pages[0] and "writing a pitch" in pages[0]
    assert "mr-tagline" not in pages[0] and "<img" not in pages[0]
    last = pages[-1]
    assert last.count('class="mr-card"') == 2 and last.count('class="mr-pitch"') == 2
    assert "A night of dread and terror for you." in last
    assert '<div class="mr-tagline">A night of dread</div>' in last
    # every card pitched: the second card got the second answer (a template tagline if it failed)
    assert last.count('class="mr-tagline"') == 2
    # a poster thumbnail per finished card, linking to the poster API with the mood
    assert last.count("<img") == 2 and "/api/poster/" in last and "mood=scare+me" in last


class BusyChatModel(QueueChatModel):
    """The fake chat model, with the local backend's ``expected_wait_s``."""

    wait: float = 8.4

    def expected_wait_s(self) -> float:
        return self.wait


@pytest.mark.parametrize("wait,said", [(8.4, "your pitches start in ~8 s"), (0.5, "writing a pitch…")])
def test_the_first_card_says_how_long_its_pitch_waits_for_the_llm(tmp_path, wait, said):
    services = _services(tmp_path, CATALOG)
    services._chat_model = BusyChatModel(wait=wait).enqueue(
        "Tagline: A night of dread\nPitch: A night of dread and terror for you."
    )
    handler = search_handler(
        Moodreel(services, Recommender.from_services(services, FixedMoodParser(["fear"]))), pitch_count=1
    )
    pages = list(handler("scare me", 2, "Any", [], [], None, None, None))
    assert said in pages[0]
    assert "your pitches start" not in pages[-1]  # gone once the pitch is written


def test_search_handler_turns_errors_into_messages(tmp_path):
    import gradio as gr

    services = _services(tmp_path, CATALOG)
    handler = search_handler(
        Moodreel(services, Recommender.from_services(services, FixedMoodParser(["fear"]))), pitch_count=0
    )
    with pytest.raises(gr.Error, match="empty"):
        list(handler("   ", 3, "Any", [], [], None, None, None))
    with pytest.raises(gr.Error, match="filters"):
        list(handler("x", 3, "Any", [], [], 2000, 1990, None))


def test_api_recommend_validates_and_answers(tmp_path):
    from moodreel.server import create_api

    services = _services(tmp_path, CATALOG)
    app = Moodreel(services, Recommender.from_services(services, FixedMoodParser(["dread"])))
    api = create_api(app, services.settings, with_ui=False)
    client = TestClient(api)
    ok = client.post("/api/recommend", json={"mood": "scare me", "k": 2, "filters": {"genres": ["horror"]}})
    assert ok.status_code == 200
    body = ok.json()
    assert "dread" in body["emotions"] and body["results"][0]["id"] == "h1"
    assert {"feelings", "avoid", "topics"} <= set(body["understood"])
    for bad in (
        {"k": 2},
        {"mood": "x", "k": 0},
        {"mood": "x", "filters": {"genres": ['a" or "']}},
        {"mood": "x", "zzz": 1},
    ):
        response = client.post("/api/recommend", json=bad)
        assert response.status_code == 422, bad
        assert response.json()["detail"]
    empty = client.post("/api/recommend", json={"mood": "   "})
    assert empty.status_code == 422 and "empty" in problem_text(empty)
    assert np.isfinite(body["results"][0]["score"])


def test_vibe_words_keep_informative_emotions_and_add_nearest_lexicon_words():
    from moodreel.mood.vibe_words import VibeWords

    words = VibeWords(HashEmbedder()).query_words("dread", ["desire", "fear", "neutral"])
    assert words[0] == "fear"  # parser's informative emotion first
    assert words[1] == "dread"  # the lexicon word identical to the text is nearest
    assert "desire" not in words and "neutral" not in words and len(words) <= 8


def test_nearest_feeling_words_count_only_when_the_request_is_near_one():
    from moodreel.mood.vibe_words import VibeWords

    words = VibeWords(HashEmbedder(dimension=512), min_similarity=0.3)
    # hashed texts are near no feeling word (cosines below ~0.2 in 512-d): none is made up for them
    assert words.nearest("romcom", floor=0.3) == [] and words.query_words("romcom", ["approval"]) == []
    assert words.query_words("dread", ["fear"])[:2] == ["fear", "dread"]  # a known word still counts
    assert VibeWords(HashEmbedder(dimension=512), min_similarity=0.0).query_words("romcom", []) != []


def test_auto_feelings_come_from_the_titles_found_when_the_classifier_is_unsure(tmp_path):
    services = _services(tmp_path, CATALOG)
    rec = Recommender.from_services(services, FixedMoodParser(["approval"]))  # says nothing of feelings
    assert rec.feelings_reader == "auto"
    rec.queries.vibe_words.min_similarity = 0.9  # above any hashed text's cosine to a feeling word
    auto = rec.understand("a romcom")
    assert auto.understood.genres == ["romance", "comedy"]
    found = {w for _, emotions in CATALOG for w in emotions}
    # the feelings of the romance and comedy titles the first pass finds, not none
    assert auto.feelings and set(auto.feelings) <= found
    assert set(auto.feelings) & {"love", "longing", "warmth", "amusement", "joy", "laughter"}
    rec.feelings_reader = "classifier"
    assert rec.understand("a romcom").feelings == []
    rec.feelings_reader = "auto"
    said = rec.understand("a romcom that makes me laugh")  # feelings said in words: no feedback
    assert said.feelings[0] == "laughter"


def test_a_weak_zero_shot_genre_guess_does_not_outweigh_the_genres_named():
    from moodreel.query.mood_query import GenrePrior
    from moodreel.query.understanding import read_request
    from moodreel.vibes.lexicon import GENRES

    class BasisEmbedder:
        """Each genre's line is its own axis; a request is what the test says it is."""

        dimension = len(GENRES)

        def embed(self, texts):
            return np.eye(len(GENRES), dtype=np.float32)[: len(texts)]

    prior = GenrePrior(BasisEmbedder())
    noise = np.zeros(len(GENRES), np.float32)
    noise[GENRES.index("animation")], noise[GENRES.index("romance")] = 0.06, -0.04  # "romcom": near nothing
    named = prior.prior(noise, read_request("romcom"))
    top = {GENRES[i] for i in np.argsort(-named)[:2]}
    assert top == {"romance", "comedy"}
    assert named[GENRES.index("animation")] < named[GENRES.index("romance")]
    strong = np.zeros(len(GENRES), np.float32)
    strong[GENRES.index("western")] = 0.6  # "cowboys and outlaws": a clear zero-shot lean
    alone = prior.prior(strong, read_request("cowboys and outlaws"))
    assert GENRES[int(np.argmax(alone))] == "western"
    assert alone[GENRES.index("western")] > 0.9
