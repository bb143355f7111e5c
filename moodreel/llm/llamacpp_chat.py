"""A langchain chat model over an in-process llama.cpp model (llama-cpp-python).

Why our own small class: it must pass llama.cpp's schema-constrained JSON mode
(``response_format={"type": "json_object", "schema": ...}``) straight through, stream
tokens, and lend each call its own llama.cpp context (one context is not thread-safe;
``contexts`` of them, ``moodreel.llm.context_pool``), and read a prompt ahead into a free
context (``read_ahead``) so that the call which follows starts writing at once. Two optional extras:
a LoRA adapter (``adapter_path``, a GGUF LoRA from ``moodreel finetune``) loaded with the
model, per call ``steering=`` (``moodreel.llm.steering.Steering``), a logits processor, and
per call ``word_guard=`` (``moodreel.llm.word_guard.WordGuardSpec``): only the words a
vocabulary allows (``guards_words`` says the model takes it). ``prompt_lookup`` > 0 drafts
that many tokens per step from the prompt (llama.cpp's prompt-lookup decoding).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from moodreel.errors import ConfigurationError
from moodreel.llm.context_pool import ContextPool
from moodreel.llm.word_guard import TokenTexts

log = logging.getLogger(__name__)

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def prompt_key(messages: list[dict[str, str]]) -> str:
    """The messages as one string: equal keys, equal prompts; a shared start, shared tokens."""
    return "\x00".join(f"{m['role']}\x01{m['content']}" for m in messages)


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
    contexts: int = 1  # llama.cpp contexts over the one model: 2 lets one read ahead while one writes
    temperature: float = 0.2
    max_tokens: int = 256
    repeat_penalty: float = 1.15
    seed: int = 7
    adapter_path: str | None = None
    prompt_lookup: int = 0  # tokens drafted from the prompt per step (0: off)
    extra_buffers: bool | None = None  # llama.cpp's extra weight buffers; None: by the CPU (cpu_quirks)
    guards_words: bool = True  # takes ``word_guard=``: it has the logits

    _pool: ContextPool | None = PrivateAttr(default=None)
    _texts: TokenTexts | None = PrivateAttr(default=None)
    _pool_lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

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

    def _contexts(self) -> ContextPool:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ContextPool(self._new_context, max(1, self.contexts))
            return self._pool

    def _new_context(self) -> Any:
        try:
            from llama_cpp import Llama
        except ImportError:
            raise ConfigurationError(
                "the local LLM needs llama-cpp-python: pip install llama-cpp-python "
                "(or set MOODREEL_LLM_BACKEND=openai)"
            ) from None
        from moodreel.llm.cpu_quirks import prepare_llama_cpp

        prepare_llama_cpp(self.extra_buffers)
        draft = None
        if self.prompt_lookup > 0:
            from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

            draft = LlamaPromptLookupDecoding(num_pred_tokens=self.prompt_lookup)
        return Llama(
            model_path=self.model_path,
            n_threads=self.n_threads,
            n_threads_batch=os.cpu_count() or self.n_threads,
            n_ctx=self.n_ctx,
            seed=self.seed,
            lora_path=self.adapter_path,
            draft_model=draft,
            # llama-cpp-python 0.3.36 sizes its logits buffer by this argument, yet a draft model
            # writes every drafted token's logits: without it the first draft overflows the buffer
            logits_all=draft is not None,
            verbose=False,
        )

    def expected_wait_s(self) -> float | None:
        """Seconds a call made now would wait for a free context (``ContextPool.expected_wait_s``);
        None before any context is built or while nothing says how long calls take."""
        pool = self._pool
        return None if pool is None else pool.expected_wait_s()

    def _client(self) -> Any:
        """A context for tokenizing; calls are lent their own (``_lend``)."""
        return self._contexts().first()

    @contextmanager
    def _lend(self, messages: list[dict[str, str]], ahead: bool = False) -> Iterator[Any]:
        """A context for one call (``None`` for ``ahead`` when none is idle). Reading a prompt
        is a short burst: on all cores when it is the only work, else on the cores the other
        contexts leave it (decoding keeps ``n_threads``, so the app stays responsive)."""
        pool = self._contexts()
        key = prompt_key(messages)
        with pool.lend_if_idle(key) if ahead else pool.lend(key) as llama:
            if llama is not None:
                decode, batch = self._threads(pool.others_busy(llama))
                llama_cpp_set_threads(llama, decode, batch)
            yield llama

    def _threads(self, others_busy: int) -> tuple[int, int]:
        """(decoding, prompt-reading) threads for a call while ``others_busy`` contexts work.
        Each context decodes on at most its share of the cores, so two writers never ask for
        more threads than there are cores (llama.cpp's spinning threads collapse when they do)."""
        cores = os.cpu_count() or self.n_threads
        decode = max(1, min(self.n_threads, cores // max(1, self.contexts)))
        return decode, max(1, cores - others_busy * decode)

    def warm_up(self, messages: list[BaseMessage]) -> None:
        """Build every context and read ``messages``' prompt into each: later prompts that
        share its start (every pitch's instructions) read only the rest, on any context."""
        openai_messages = to_openai_messages(messages)
        self._contexts().fill(prompt_key(openai_messages), lambda llama: self._read(llama, openai_messages))

    def read_ahead(self, messages: list[BaseMessage]) -> bool:
        """Read ``messages``' prompt into an idle context, in the background, so that the call
        with these messages that follows only reads its last token. False (nothing done)
        when no context is idle: with one context, while it writes."""
        openai_messages = to_openai_messages(messages)
        with ExitStack() as lent:
            try:
                llama = lent.enter_context(self._lend(openai_messages, ahead=True))
            except Exception as exc:  # only a head start is lost: the call itself will say what failed
                log.warning("reading a prompt ahead failed: %s", exc)
                return False
            if llama is None:
                return False
            held = lent.pop_all()  # the reading thread gives the context back

        def read() -> None:
            with held:
                try:
                    self._read(llama, openai_messages)
                except Exception as exc:
                    log.warning("reading a prompt ahead failed: %s", exc)

        threading.Thread(target=read, name="llm-read-ahead", daemon=True).start()
        return True

    def _read(self, llama: Any, messages: list[dict[str, str]]) -> None:
        """Have ``llama`` read the prompt of ``messages`` (and write one token)."""
        llama.create_chat_completion(messages=messages, max_tokens=1, seed=self.seed)

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
        processors: list[Any] = []
        steering = kwargs.pop("steering", None)
        if steering is not None:
            processors.append(steering.processor(self.model_id, self._client().detokenize))
        guard = kwargs.pop("word_guard", None)
        if guard is not None:  # last: its vetoes are final
            processors.append(guard.processor(self.token_texts()))
        if processors:
            from llama_cpp import LogitsProcessorList

            params["logits_processor"] = LogitsProcessorList(processors)
        return params

    def token_texts(self) -> TokenTexts:
        """Each token's text, decoded once (for the word guard)."""
        client = self._client()  # takes the pool lock itself
        with self._pool_lock:
            if self._texts is None:
                self._texts = TokenTexts(client.detokenize)
            return self._texts

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        params = self._params(stop, dict(kwargs))
        openai_messages = to_openai_messages(messages)
        with self._lend(openai_messages) as llama:
            result = llama.create_chat_completion(messages=openai_messages, **params)
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
        openai_messages = to_openai_messages(messages)
        with self._lend(openai_messages) as llama:
            # an empty first chunk: the request has a context now (callers time the writing
            # from here, not the wait behind other requests)
            yield ChatGenerationChunk(message=AIMessageChunk(content=""))
            stream = llama.create_chat_completion(messages=openai_messages, stream=True, **params)
            for part in stream:
                delta = part["choices"][0].get("delta", {}).get("content")
                if not delta:
                    continue
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                if run_manager:
                    run_manager.on_llm_new_token(delta, chunk=chunk)
                yield chunk


def llama_cpp_set_threads(llama: Any, n_threads: int, n_threads_batch: int) -> None:
    """Set a ``llama_cpp.Llama``'s decoding and prompt-reading threads for its next calls."""
    import llama_cpp

    llama_cpp.llama_set_n_threads(llama.ctx, n_threads, n_threads_batch)
