"""A langchain chat model over an in-process llama.cpp model (llama-cpp-python).

Why our own small class: it must pass llama.cpp's schema-constrained JSON mode
(``response_format={"type": "json_object", "schema": ...}``) straight through, stream
tokens, and serialize calls (one llama.cpp context is not thread-safe). Two optional extras:
a LoRA adapter (``adapter_path``, a GGUF LoRA from ``moodreel finetune``) loaded with the
model, and per call ``steering=`` (``moodreel.llm.steering.Steering``), a logits processor.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from moodreel.errors import ConfigurationError

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def to_openai_messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
    out = []
    for message in messages:
        role = _ROLES.get(message.type)
        if role is None:
            raise ValueError(f"unsupported message type for llama.cpp: {message.type}")
        out.append({"role": role, "content": str(message.content)})
    return out


class LlamaCppChat(BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    model_id: str = "local"
    n_threads: int = 1
    n_ctx: int = 2048
    temperature: float = 0.2
    max_tokens: int = 256
    repeat_penalty: float = 1.15
    seed: int = 7
    adapter_path: str | None = None

    _llama: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "n_ctx": self.n_ctx,
            "temperature": self.temperature,
            "adapter": self.adapter_path,
        }

    def _client(self) -> Any:
        if self._llama is None:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise ConfigurationError(
                    "the local LLM needs llama-cpp-python: pip install llama-cpp-python "
                    "(or set MOODREEL_LLM_BACKEND=openai)"
                ) from None
            self._llama = Llama(
                model_path=self.model_path,
                n_threads=self.n_threads,
                # prompt prefill is a short burst: every core (first pitch token 4.0 -> 2.3 s
                # on 2 cores); decoding keeps n_threads so the app stays responsive
                n_threads_batch=os.cpu_count() or self.n_threads,
                n_ctx=self.n_ctx,
                seed=self.seed,
                lora_path=self.adapter_path,
                verbose=False,
            )
        return self._llama

    def _params(self, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {
            "temperature": kwargs.pop("temperature", self.temperature),
            "max_tokens": kwargs.pop("max_tokens", self.max_tokens),
            "seed": kwargs.pop("seed", self.seed),
            "repeat_penalty": kwargs.pop("repeat_penalty", self.repeat_penalty),
        }
        if stop:
            params["stop"] = stop
        if "response_format" in kwargs:
            params["response_format"] = kwargs.pop("response_format")
        steering = kwargs.pop("steering", None)
        if steering is not None:
            from llama_cpp import LogitsProcessorList

            steerer = steering.processor(self.model_id, self._client().detokenize)
            params["logits_processor"] = LogitsProcessorList([steerer])
        return params

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        params = self._params(stop, dict(kwargs))
        with self._lock:
            result = self._client().create_chat_completion(messages=to_openai_messages(messages), **params)
        choice = result["choices"][0]
        usage = result.get("usage") or {}
        message = AIMessage(
            content=choice["message"].get("content") or "",
            response_metadata={"finish_reason": choice.get("finish_reason"), "model": self.model_id},
            usage_metadata={
                "input_tokens": usage.get("prompt_tokens", 0),
                "output_tokens": usage.get("completion_tokens", 0),
                "total_tokens": usage.get("total_tokens", 0),
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        params = self._params(stop, dict(kwargs))
        with self._lock:
            # an empty first chunk: the request has the model now (callers time the writing
            # from here, not the wait behind other requests)
            yield ChatGenerationChunk(message=AIMessageChunk(content=""))
            stream = self._client().create_chat_completion(
                messages=to_openai_messages(messages), stream=True, **params
            )
            for part in stream:
                delta = part["choices"][0].get("delta", {}).get("content")
                if not delta:
                    continue
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                if run_manager:
                    run_manager.on_llm_new_token(delta, chunk=chunk)
                yield chunk
