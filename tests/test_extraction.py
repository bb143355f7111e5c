import json

import pytest

from moodreel.errors import ExtractionError, PromptError
from moodreel.prompts import list_prompts, load_prompt
from moodreel.records import Title, VibesAnswer
from moodreel.vibes.llm_extractor import LLMExtractor, parse_answer
from tests.fakes import QueueChatModel

TITLE = Title(
    id="tm1", title="Jaws", description="A shark terrorises a beach town.", type="MOVIE", genres=("thriller",)
)
GOOD = json.dumps(
    {
        "emotions": ["dread", "suspense", "terror", "panic", "thrill", "awe", "relief", "courage"],
        "emojis": "🦈🏖️🚤",
    }
)


def test_every_prompt_renders_with_its_variables():
    names = list_prompts()
    assert "extract_vibes" in names
    for name in names:
        prompt = load_prompt(name)
        messages = prompt.render(**{v: f"<{v}>" for v in prompt.variables})
        assert all("$" not in str(m.content) for m in messages)


def test_missing_prompt_variable_is_an_error():
    with pytest.raises(PromptError, match="description"):
        load_prompt("extract_vibes").render(title="x", type="movie", genres="drama")


def test_prompt_version_changes_with_text(tmp_path):
    (tmp_path / "p.txt").write_text("[system]\nA\n[user]\n$x\n")
    v1 = load_prompt("p", tmp_path).version
    (tmp_path / "p.txt").write_text("[system]\nB\n[user]\n$x\n")
    assert load_prompt("p", tmp_path).version != v1


@pytest.mark.parametrize(
    "answer,message",
    [
        ("no json here", "not a JSON object"),
        ('{"emotions": ["joy"], "emojis": "😀😀"}', "at least 3"),
        ('{"emotions": ["pure joy", "fear", "awe"], "emojis": "😀😀"}', "single lower-case words"),
        ('{"emotions": ["joy", "fear", "awe"], "emojis": "taxi 🚕"}', "only emoji"),
        ('{"emotions": ["joy", "fear", "awe"], "emojis": "😀"}', "2 to 5"),
        ('{"emotions": ["joy", "fear", "awe"]}', "emojis"),
        ('{"emotions": ["joy", "fear", "awe"], "emojis": "😀😀", "x": 1}', "Extra inputs"),
    ],
)
def test_parse_answer_rejects_junk_with_reason(answer, message):
    with pytest.raises(ValueError, match=message):
        parse_answer(answer)


def test_parse_answer_cleans_fences_case_and_duplicates():
    answer = parse_answer(
        '```json\n{"emotions": ["Dread", "dread", "Awe", "joy"], "emojis": "🦈🏖️🚤🦈😱🎬"}\n```'
    )
    assert answer.emotions == ["dread", "awe", "joy"]
    assert answer.emojis == "🦈🏖️🚤🦈😱"


def test_extractor_returns_tagged_vibes_and_asks_for_json():
    model = QueueChatModel().enqueue(GOOD)
    vibes = LLMExtractor(model, load_prompt("extract_vibes")).extract_one(TITLE)
    assert vibes.extractor == "llm" and vibes.model == "fake-llm"
    assert vibes.emotions[0] == "dread" and vibes.emojis == "🦈🏖️🚤"
    assert vibes.content_hash == TITLE.content_hash()
    assert "Jaws" in model.seen[0][-1].content


def test_extractor_retries_once_with_the_validation_error():
    model = QueueChatModel().enqueue('{"emotions": ["joy"], "emojis": "x"}', GOOD)
    vibes = LLMExtractor(model, load_prompt("extract_vibes")).extract_one(TITLE)
    assert vibes.emotions[0] == "dread"
    retry = model.seen[1]
    assert "invalid" in retry[-1].content and "at least 3" in retry[-1].content


def test_extractor_gives_up_after_one_retry():
    model = QueueChatModel().enqueue("junk", "still junk")
    with pytest.raises(ExtractionError) as err:
        LLMExtractor(model, load_prompt("extract_vibes")).extract_one(TITLE)
    assert err.value.title_id == "tm1" and "not a JSON object" in str(err.value)
    assert len(model.seen) == 2


def test_schema_for_constrained_decoding_is_derived_from_the_validator():
    import re

    from pydantic import ValidationError

    from moodreel.llm.structured import json_schema

    schema = json_schema(VibesAnswer)
    emotions = schema["properties"]["emotions"]
    assert set(schema["required"]) == {"emotions", "emojis"}
    words = [
        "joy",
        "awe",
        "hope",
        "dread",
        "grief",
        "wit",
        "love",
        "fear",
        "rage",
        "calm",
        "glee",
        "pity",
        "zeal",
    ]
    for n in (emotions["minItems"], emotions["maxItems"]):  # the schema's bounds are the validator's
        VibesAnswer(emotions=words[:n], emojis="🎬🌙")
    for n in (emotions["minItems"] - 1, emotions["maxItems"] + 1):
        with pytest.raises(ValidationError):
            VibesAnswer(emotions=words[:n], emojis="🎬🌙")
    assert re.fullmatch(emotions["items"]["pattern"], "dread") and not re.fullmatch(
        emotions["items"]["pattern"], "Dread!"
    )
    assert re.fullmatch(schema["properties"]["emojis"]["pattern"], "🎬🌙") and not re.fullmatch(
        schema["properties"]["emojis"]["pattern"], "taxi 🚕"
    )


def test_llm_mood_parser_retries_once_then_gives_a_user_message():
    from moodreel.mood.base import MoodError
    from moodreel.mood.llm_parser import LLMMoodParser

    model = QueueChatModel().enqueue("no idea", '{"emotions": ["Joy", "comfort", "joy"]}')
    parser = LLMMoodParser(model, load_prompt("parse_mood"))
    assert parser.parse("rough week, cheer me up").emotions == ["joy", "comfort"]
    assert "Invalid (not a JSON object)" in model.seen[1][-1].content
    model.enqueue("junk", "junk")
    with pytest.raises(MoodError, match="Could not read emotions"):
        parser.parse("rough week")
    with pytest.raises(MoodError, match="unavailable"):  # queue empty: the backend fails
        parser.parse("rough week")


def test_fast_extractor_emoji_names_match_emojize(small_catalog):
    """The name table (built once, for speed) resolves each synopsis word exactly as
    ``emoji.emojize(":word:", language="alias")`` does, misses included."""
    import re

    import emoji

    from moodreel.catalog import load_catalog
    from moodreel.vibes.fast_extractor import emoji_names

    words = {"dog", "ship", "heart", "ghost", "not_an_emoji_name", "thumbsup", "flight_departure"}
    for title in load_catalog(small_catalog).titles:
        words |= set(re.findall("[a-z]+", title.description.lower()))
    names = emoji_names()
    found = 0
    for word in sorted(words):
        glyph = emoji.emojize(f":{word}:", language="alias")
        expected = None if glyph == f":{word}:" else glyph
        assert names.get(f":{word}:") == expected, word
        found += expected is not None
    assert found >= 20  # the check covers hits, not only misses
