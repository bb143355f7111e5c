"""Filters, ranking, explanations, cards and the API over fakes."""

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from moodreel.application import Moodreel
from moodreel.embedding import VibeEncoder
from moodreel.mood.base import MoodParse, clean_mood_text
from moodreel.records import Hit, StoredTitle, Title, TitleVibes
from moodreel.filters import SearchFilters
from moodreel.search.ranking import explain, quality, rank
from moodreel.search.recommender import Recommender
from moodreel.services import build_services
from moodreel.settings import Settings
from moodreel.store import to_row
from moodreel.webapp import render_cards, search_handler
from tests.fakes import DictStore, HashEmbedder, QueueChatModel

# The CLI/API contract for one result (issue 3): other tools rely on exactly these keys.
RESULT_KEYS = {"id", "title", "type", "year", "genres", "emotions", "emojis", "score", "why", "pitch"}


class FixedMoodParser:
    name = "fixed"

    def __init__(self, emotions):
        self.emotions = emotions

    def parse(self, text):
        clean_mood_text(text)
        return MoodParse(emotions=self.emotions, parser=self.name)


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
    expr = f.expression()
    assert 'type == "SHOW"' in expr
    assert 'array_contains_any(genres, ["comedy", "drama"])' in expr
    assert 'not array_contains_any(genres, ["horror"])' in expr
    assert "release_year >= 1990" in expr and "release_year <= 2000" in expr
    assert (
        "runtime <= 60" in expr and 'age_certification in ["TV-14"]' in expr and "imdb_score >= 7.0" in expr
    )
    assert SearchFilters().expression() == ""


@pytest.mark.parametrize(
    "kwargs",
    [
        {"genres": ['comedy"] or id != "']},
        {"exclude_genres": ["drama) or (1 == 1"]},
        {"type": "MOVIE or 1==1"},
        {"age_certifications": ['R" or "']},
        {"min_year": 1995, "max_year": 1990},
        {"min_year": "1990; drop"},
        {"unknown": 1},
    ],
)
def test_bad_filter_values_are_rejected_not_pasted(kwargs):
    with pytest.raises(ValidationError):
        SearchFilters(**kwargs)


def stored(i: int, score: float | None = None, votes: int | None = None) -> StoredTitle:
    return StoredTitle(id=f"t{i}", title=f"T{i}", type="MOVIE", imdb_score=score, imdb_votes=votes)


def test_rank_is_deterministic_and_quality_only_breaks_near_ties():
    hits = [
        Hit(title=stored(1, 6.0, 100), similarity=0.80),
        Hit(title=stored(2, 9.0, 10**6), similarity=0.79),
        Hit(title=stored(3, 9.0, 10**6), similarity=0.60),
        Hit(title=stored(4), similarity=0.80),
    ]
    order = [h.title.id for h, _ in rank(hits, 4)]
    assert order == ["t2", "t1", "t4", "t3"]  # t2's quality lifts it past a 0.01 gap, not past 0.2
    assert order == [h.title.id for h, _ in rank(list(reversed(hits)), 4)]
    assert quality(Hit(title=stored(5), similarity=0.5)) == 0.0


def test_explain_pairs_title_emotions_with_mood_emotions():
    encoder = VibeEncoder(HashEmbedder())
    why = explain(["dread", "warmth", "awe"], ["dread", "joy"], encoder)
    assert why == ["dread = your dread"]  # hash vectors: only exact words are similar


def _services(tmp_path, titles):
    embedder = HashEmbedder()
    store = DictStore()
    encoder = VibeEncoder(embedder)
    rows = []
    for t, emotions in titles:
        v = TitleVibes(
            id=t.id, content_hash=t.content_hash(), emotions=emotions, emojis="🎬🌙", extractor="fast"
        )
        rows.append(to_row(t, v, encoder.encode([emotions])[0]))
    store.upsert(rows)
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
    rec = Recommender(_services(tmp_path, CATALOG), FixedMoodParser(["amusement", "joy"]))
    result = rec.recommend("make me laugh", k=2)
    assert result.emotions[:2] == ["amusement", "joy"]  # then the nearest vibe words of the text
    assert [r.id for r in result.results][0] == "c1"
    top = result.results[0]
    assert top.why[:2] == ["amusement = your amusement", "joy = your joy"]
    assert top.pitch is None and top.emojis == "🎬🌙"
    assert set(top.model_dump()) == RESULT_KEYS


def test_pitch_streams_and_falls_back_to_a_template_on_failure(tmp_path):
    services = _services(tmp_path, CATALOG)
    rec = Recommender(services, FixedMoodParser(["fear"]))
    result = rec.recommend("scare me", k=1)
    services.chat_model.enqueue("A night you will not forget.")
    assert rec.pitch(result.results[0], result.mood, result.emotions) == "A night you will not forget."
    prompt = services.chat_model.seen[0][-1].content
    assert "Night Terror" in prompt and "scare me" in prompt
    # no answer queued: the fake raises, the card gets a template and a notice
    chunks = list(rec.stream_pitch(result.results[0], result.mood, result.emotions))
    assert chunks[-1].fallback and "unavailable" in chunks[-1].notice
    assert "Night Terror" in chunks[-1].text


def test_cards_escape_everything(tmp_path):
    rec = Recommender(_services(tmp_path, CATALOG), FixedMoodParser(["love"]))
    result = rec.recommend("<script>alert(1)</script>", k=3)
    page = render_cards(result, {"r1": ("<img src=x onerror=alert(1)>", "")}, None)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>Love</b>" not in page and "&lt;b&gt;Love&lt;/b&gt;" in page
    assert "<img" not in page


def test_search_handler_yields_cards_before_pitches(tmp_path):
    services = _services(tmp_path, CATALOG)
    services.chat_model.enqueue("Pitch one.")
    handler = search_handler(
        Moodreel(services, Recommender(services, FixedMoodParser(["fear"]))), pitch_count=1
    )
    pages = list(handler("scare me", 3, "Any", [], [], None, None, None))
    assert "Night Terror" in pages[0] and "writing a pitch" in pages[0]
    assert "Pitch one." in pages[-1]


def test_search_handler_turns_errors_into_messages(tmp_path):
    import gradio as gr

    services = _services(tmp_path, CATALOG)
    handler = search_handler(
        Moodreel(services, Recommender(services, FixedMoodParser(["fear"]))), pitch_count=0
    )
    with pytest.raises(gr.Error, match="empty"):
        list(handler("   ", 3, "Any", [], [], None, None, None))
    with pytest.raises(gr.Error, match="filters"):
        list(handler("x", 3, "Any", [], [], 2000, 1990, None))


def test_api_recommend_validates_and_answers(tmp_path):
    from moodreel.server import create_api

    services = _services(tmp_path, CATALOG)
    app = Moodreel(services, Recommender(services, FixedMoodParser(["dread"])))
    api = create_api(app, services.settings, with_ui=False)
    client = TestClient(api)
    ok = client.post("/api/recommend", json={"mood": "scare me", "k": 2, "filters": {"genres": ["horror"]}})
    assert ok.status_code == 200
    body = ok.json()
    assert body["emotions"][0] == "dread" and body["results"][0]["id"] == "h1"
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
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    assert np.isfinite(body["results"][0]["score"])


def test_vibe_words_keep_informative_emotions_and_add_nearest_lexicon_words():
    from moodreel.mood.vibe_words import VibeWords

    words = VibeWords(HashEmbedder()).query_words("dread", ["desire", "fear", "neutral"])
    assert words[0] == "fear"  # parser's informative emotion first
    assert words[1] == "dread"  # the lexicon word identical to the text is nearest
    assert "desire" not in words and "neutral" not in words and len(words) <= 8
