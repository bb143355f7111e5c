"""Prompt-lookup decoding (``MOODREEL_LLM_PROMPT_LOOKUP``): the setting reaches llama.cpp, and a
drafting context has room for every drafted token's logits."""

from __future__ import annotations

from typing import Any

import pytest

from moodreel.llm.llamacpp_chat import LlamaCppChat


class RecordingLlama:
    """Stands in for ``llama_cpp.Llama``: keeps what it was built with."""

    built: list[dict[str, Any]] = []

    def __init__(self, **kwargs: Any) -> None:
        RecordingLlama.built.append(kwargs)


@pytest.fixture
def recorded(monkeypatch):
    import llama_cpp

    RecordingLlama.built = []
    monkeypatch.setattr(llama_cpp, "Llama", RecordingLlama)
    return RecordingLlama.built


def test_a_drafting_context_gets_prompt_lookup_and_a_logits_row_per_token(recorded):
    from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

    LlamaCppChat(model_path="model.gguf", prompt_lookup=10)._new_context()
    LlamaCppChat(model_path="model.gguf")._new_context()
    drafting, plain = recorded
    assert isinstance(drafting["draft_model"], LlamaPromptLookupDecoding)
    assert drafting["draft_model"].num_pred_tokens == 10
    assert drafting["logits_all"] is True
    assert plain["draft_model"] is None and plain["logits_all"] is False


def test_the_setting_reaches_the_local_model():
    from moodreel.llm.factory import make_chat_model
    from moodreel.settings import Settings

    assert make_chat_model(Settings(llm_prompt_lookup=6)).prompt_lookup == 6
    assert make_chat_model(Settings()).prompt_lookup == 0


@pytest.mark.integration
def test_the_real_model_writes_with_prompt_lookup():
    """llama-cpp-python 0.3.36 overflowed its logits buffer on the first draft past the batch's
    512 rows ("could not broadcast input array") unless the context keeps every token's logits:
    the prompt is longer than a batch, as a pitch prompt is."""
    from langchain_core.messages import HumanMessage

    from moodreel.llm.factory import make_chat_model
    from moodreel.settings import Settings

    model = make_chat_model(Settings(llm_prompt_lookup=8, llm_contexts=1, llm_temperature=0), max_tokens=24)
    synopsis = "A lonely little boy moves into a ramshackle apartment building all on his own."
    notes = " ".join(f"Note {i}: the building has {i} rooms." for i in range(50))  # > 512 tokens
    answer = model.invoke([HumanMessage(f"{notes}\n\nRepeat this sentence exactly: {synopsis}")])
    assert "lonely little boy" in answer.content.lower()
