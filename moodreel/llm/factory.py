"""One factory: settings -> a langchain chat model, plus how to ask it for JSON.

Backends: ``local`` (llama.cpp in-process, offline default) and ``openai`` (any
OpenAI-compatible endpoint: OpenAI, vLLM, Ollama, llama.cpp server).
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel

from moodreel.errors import ConfigurationError
from moodreel.settings import Settings


def make_chat_model(settings: Settings, **overrides: Any) -> BaseChatModel:
    if settings.llm_backend == "local":
        from moodreel.llm.llamacpp_chat import LlamaCppChat
        from moodreel.llm.local_model import MODEL_ID, ensure_model_file

        path = ensure_model_file(settings.model_dir)
        return LlamaCppChat(
            model_path=str(path),
            model_id=MODEL_ID,
            n_threads=settings.llm_threads,
            n_ctx=settings.llm_context,
            temperature=settings.llm_temperature,
            **overrides,
        )
    if settings.llm_backend == "openai":
        try:
            from langchain_openai import ChatOpenAI
        except ImportError:
            raise ConfigurationError("the openai backend needs: pip install langchain-openai") from None
        return ChatOpenAI(
            model=settings.openai_model,
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key,
            temperature=settings.llm_temperature,
            max_retries=settings.llm_max_retries,
            timeout=settings.llm_timeout_s,
            **overrides,
        )
    raise ConfigurationError(f"unknown llm_backend {settings.llm_backend!r}: use local or openai")


def model_id(model: BaseChatModel) -> str:
    """A stable name for cache keys: which model produced an answer."""
    for attr in ("model_id", "model_name", "model"):
        value = getattr(model, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(model).__name__


def json_response_format(model: BaseChatModel, schema: dict) -> dict | None:
    """The backend's JSON mode: schema-constrained on llama.cpp, JSON object on OpenAI-compatible
    endpoints, none for any other model (told by its class, not by a private name)."""
    from moodreel.llm.llamacpp_chat import LlamaCppChat

    if isinstance(model, LlamaCppChat):
        return {"type": "json_object", "schema": schema}
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:  # then no model here can be one
        return None
    if isinstance(model, ChatOpenAI):
        return {"type": "json_object"}
    return None
