"""One factory: settings -> a langchain chat model, plus how to ask it for JSON.

Backends: ``local`` (llama.cpp in-process, offline default) and ``openai`` (any
OpenAI-compatible endpoint: OpenAI, vLLM, Ollama, llama.cpp server).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel

from moodreel.errors import ConfigurationError
from moodreel.settings import Settings


def make_chat_model(settings: Settings, **overrides: Any) -> BaseChatModel:
    if settings.llm_backend == "local":
        from moodreel.llm.llamacpp_chat import LlamaCppChat
        from moodreel.llm.local_model import MODEL_ID, ensure_model_file

        path = ensure_model_file(settings.model_dir)
        adapter, name = None, MODEL_ID
        if settings.llm_adapter is not None:
            from moodreel.llm.finetune import adapter_file

            adapter = adapter_file(settings.llm_adapter)
            # its own id: answers cached per model (extraction) must not mix base and adapter
            name = f"{MODEL_ID}+lora-{_digest(adapter)}"
        return LlamaCppChat(
            model_path=str(path),
            model_id=name,
            adapter_path=str(adapter) if adapter else None,
            n_threads=settings.llm_threads,
            n_ctx=settings.llm_context,
            contexts=settings.llm_contexts,
            extra_buffers=settings.llm_extra_buffers,
            prompt_lookup=settings.llm_prompt_lookup,
            temperature=settings.llm_temperature,
            **overrides,
        )
    if settings.llm_backend == "openai":
        if settings.llm_adapter is not None:
            raise ConfigurationError(
                "MOODREEL_LLM_ADAPTER is for the local backend; an endpoint serves its own adapters "
                "(vLLM: --enable-lora --lora-modules NAME=DIR, then MOODREEL_OPENAI_MODEL=NAME)"
            )
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


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()[:10]


def supports_steering(model: BaseChatModel) -> bool:
    """Only the in-process llama.cpp model exposes its logits (``moodreel.llm.steering``)."""
    from moodreel.llm.llamacpp_chat import LlamaCppChat

    return isinstance(model, LlamaCppChat)


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
