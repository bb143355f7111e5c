"""The ``openai`` LLM backend end to end (issue 13, item 9): extraction, LLM mood parsing and a
streamed pitch through ``langchain_openai.ChatOpenAI`` against a real OpenAI-compatible server
(``python -m llama_cpp.server`` on the packaged GGUF model), plus a server that is down and one
that is too slow: each ends in a clear error or a fallback, never a traceback.

One server for the module; a handful of short calls (the 1.5B model takes seconds each on 2 cores).
"""

from __future__ import annotations

import os

import pytest

from moodreel.credits import Credits
from moodreel.errors import ExtractionError
from moodreel.llm.factory import make_chat_model
from moodreel.llm.local_model import ensure_model_file
from moodreel.local_server import ServerStartError, free_port, llama_cpp_server
from moodreel.mood.base import MoodError
from moodreel.mood.llm_parser import LLMMoodParser
from moodreel.prompts import load_prompt
from moodreel.records import StoredTitle, Title
from moodreel.search.pitch import stream_pitch
from moodreel.search.pitch_text import words
from moodreel.settings import Settings
from moodreel.vibes.llm_extractor import LLMExtractor
from tests.conftest import run_module

pytestmark = pytest.mark.integration

ALIAS = "moodreel-local"
TITLE = Title(
    id="t1",
    title="The Last Laugh Bakery",
    type="MOVIE",
    description="Two friends open a bakery in Lyon and fight over the recipe for the perfect croissant.",
    genres=("comedy", "family"),
    release_year=2005,
)
STORED = StoredTitle(
    id="t1",
    title=TITLE.title,
    type="MOVIE",
    description=TITLE.description,
    genres=list(TITLE.genres),
    release_year=2005,
    emotions=["amusement", "joy", "warmth"],
)
CREDITS = Credits(directors=("Jane Doe",), cast=("Ann Lee",))


def openai_settings(base_url: str, **overrides) -> Settings:
    values = dict(
        llm_backend="openai",
        openai_base_url=base_url,
        openai_model=ALIAS,
        openai_api_key="not-needed",
        llm_max_retries=0,
        llm_timeout_s=120,
    )
    return Settings(**{**values, **overrides})


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    model = ensure_model_file(Settings().model_dir)
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    try:
        with llama_cpp_server(model, log, alias=ALIAS, n_threads=max(1, (os.cpu_count() or 2) - 1)) as url:
            yield url
    except ServerStartError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def chat(server_url):
    return make_chat_model(openai_settings(server_url))


def test_extraction_through_the_openai_backend(chat):
    vibes = LLMExtractor(chat, load_prompt("extract_vibes")).extract_one(TITLE)
    assert vibes.extractor == "llm" and vibes.model == ALIAS  # cached under the endpoint's model
    assert 3 <= len(vibes.emotions) <= 12 and all(w.isalpha() and w.islower() for w in vibes.emotions)
    assert vibes.emojis


def test_llm_mood_parsing_through_the_openai_backend(chat):
    parsed = LLMMoodParser(chat, load_prompt("parse_mood")).parse("rough week, I just want to laugh")
    assert parsed.parser == "llm" and 1 <= len(parsed.emotions) <= 5
    assert all(w.isalpha() and w.islower() for w in parsed.emotions)


def test_a_pitch_streams_through_the_openai_backend(server_url):
    chat = make_chat_model(openai_settings(server_url), streaming=True)
    seen = []
    original = type(chat)._stream

    def counting(self, *args, **kwargs):  # the tokens arrive as a stream, not one answer
        for chunk in original(self, *args, **kwargs):
            seen.append(chunk)
            yield chunk

    type(chat)._stream = counting
    try:
        chunks = list(
            stream_pitch(
                chat,
                load_prompt("pitch"),
                STORED,
                "make me laugh",
                ["amusement"],
                CREDITS,
                timeout_s=90,
                max_tokens=80,
            )
        )
    finally:
        type(chat)._stream = original
    text, last = "".join(c.text for c in chunks).strip(), chunks[-1]
    assert last.done and text and words(text) <= 45
    assert len(seen) > 5, "the answer did not stream"
    assert "unavailable" not in last.notice, last.notice  # the endpoint answered


def test_a_server_that_is_down_gives_clear_errors_and_fallbacks(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    chat = make_chat_model(openai_settings(dead))
    with pytest.raises(ExtractionError, match=r"t1: LLM call failed: Connection error"):
        LLMExtractor(chat, load_prompt("extract_vibes")).extract_one(TITLE)
    with pytest.raises(MoodError, match=r"mood reader is unavailable right now \(Connection error"):
        LLMMoodParser(chat, load_prompt("parse_mood")).parse("make me laugh")
    chunks = list(stream_pitch(chat, load_prompt("pitch"), STORED, "make me laugh", ["amusement"], CREDITS))
    assert len(chunks) == 1 and chunks[0].fallback and "AI pitch unavailable" in chunks[0].notice
    assert "Connection error" in chunks[0].notice and STORED.title in chunks[0].text
    # the CLI says so in one line, without a traceback
    env = {
        "MOODREEL_LLM_BACKEND": "openai",
        "MOODREEL_OPENAI_BASE_URL": dead,
        "MOODREEL_OPENAI_MODEL": ALIAS,
        "MOODREEL_LLM_MAX_RETRIES": "0",
    }
    out = run_module("moodreel.cli", "mood", "make me laugh", "--parser", "llm", env=env, timeout=300)
    assert out.returncode != 0
    assert "mood reader is unavailable right now" in out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr


def test_a_server_too_slow_times_out_into_errors_and_fallbacks(server_url):
    chat = make_chat_model(openai_settings(server_url, llm_timeout_s=0.05))
    with pytest.raises(MoodError, match=r"unavailable right now \(Request timed out"):
        LLMMoodParser(chat, load_prompt("parse_mood")).parse("make me laugh")
    with pytest.raises(ExtractionError, match=r"LLM call failed: Request timed out"):
        LLMExtractor(chat, load_prompt("extract_vibes")).extract_one(TITLE)
    streaming = make_chat_model(openai_settings(server_url, llm_timeout_s=0.05), streaming=True)
    chunks = list(
        stream_pitch(streaming, load_prompt("pitch"), STORED, "make me laugh", ["amusement"], CREDITS)
    )
    assert chunks[-1].fallback and "unavailable" in chunks[-1].notice and "timed out" in chunks[-1].notice
