"""The LLM extractor over an endpoint: bounded concurrency, results as they finish, retries.

The fake below behaves like a slow OpenAI-compatible endpoint behind langchain's chat model
interface: each call takes a while (per title), a count of calls in flight is kept, and the
first calls can fail as a refused connection does.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr
from tenacity import wait_none

from moodreel.errors import ExtractionError
from moodreel.prompts import load_prompt
from moodreel.records import Title
from moodreel.vibes.llm_extractor import LLMExtractor

GOOD = json.dumps({"emotions": ["joy", "warmth", "hope", "awe", "calm"], "emojis": "🎬🌅"})


def title(i: int) -> Title:
    return Title(
        id=f"t{i}", title=f"Title {i}", description=f"Story number {i}.", type="MOVIE", genres=("drama",)
    )


class SlowEndpoint(BaseChatModel):
    """Sleeps ``delays[title]`` seconds per call (default ``delay``); the first ``failures``
    calls raise ``ConnectionError``; records the most calls seen in flight at once."""

    model_id: str = "fake-endpoint"
    delay: float = 0.02
    delays: dict[str, float] = {}
    failures: int = 0
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _in_flight: int = PrivateAttr(0)
    _calls: int = PrivateAttr(0)
    peak: int = 0

    @property
    def _llm_type(self) -> str:
        return "fake-endpoint"

    @property
    def calls(self) -> int:
        return self._calls

    def _generate(
        self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs: Any
    ) -> ChatResult:
        text = str(messages[-1].content)
        with self._lock:
            self._calls += 1
            failing = self._calls <= self.failures
            self._in_flight += 1
            self.peak = max(self.peak, self._in_flight)
        try:
            delay = next((d for name, d in self.delays.items() if name in text), None)
            time.sleep(self.delay if delay is None else delay)
            if failing:
                raise ConnectionError("Connection refused")
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=GOOD))])
        finally:
            with self._lock:
                self._in_flight -= 1


def extractor(model: BaseChatModel, **kwargs: Any) -> LLMExtractor:
    return LLMExtractor(model, load_prompt("extract_vibes"), backoff=wait_none(), **kwargs)


def run(ex: LLMExtractor, titles: list[Title]) -> list[tuple[str, object]]:
    done: list[tuple[str, object]] = []
    ex.extract_many(titles, lambda t, result: done.append((t.id, result)))
    return done


@pytest.mark.parametrize("concurrency", [1, 3])
def test_at_most_concurrency_requests_are_in_flight_and_every_title_is_answered(concurrency):
    model = SlowEndpoint()
    done = run(extractor(model, concurrency=concurrency), [title(i) for i in range(10)])
    assert sorted(i for i, _ in done) == sorted(f"t{i}" for i in range(10))
    assert all(r.extractor == "llm" and r.emotions[0] == "joy" for _, r in done)
    assert model.peak == concurrency


def test_results_are_handed_on_as_they_finish_not_in_submission_order():
    # the first title is slow: with 3 slots the other five finish (and can be cached) before it
    model = SlowEndpoint(delay=0.01, delays={"Title 0": 0.5})
    done = run(extractor(model, concurrency=3), [title(i) for i in range(6)])
    assert done[-1][0] == "t0" and len(done) == 6


def test_concurrency_shortens_the_wall_time():
    titles = [title(i) for i in range(8)]
    started = time.perf_counter()
    run(extractor(SlowEndpoint(delay=0.1), concurrency=1), titles)
    serial = time.perf_counter() - started
    started = time.perf_counter()
    run(extractor(SlowEndpoint(delay=0.1), concurrency=4), titles)
    parallel = time.perf_counter() - started
    assert parallel < serial / 2, (serial, parallel)


def test_backend_failures_are_retried_with_back_off():
    model = SlowEndpoint(failures=2)
    vibes = extractor(model, retries=2).extract_one(title(1))
    assert vibes.emotions[0] == "joy" and model.calls == 3


def test_backend_failures_past_the_retries_fail_only_that_title():
    model = SlowEndpoint(failures=2)
    done = run(extractor(model, concurrency=1, retries=1), [title(1), title(2)])
    assert isinstance(done[0][1], ExtractionError)
    assert "LLM call failed" in str(done[0][1]) and "Connection refused" in str(done[0][1])
    assert done[1][1].emotions[0] == "joy"  # the endpoint came back: the next title is answered


def test_an_invalid_answer_is_not_a_backend_failure_and_is_not_retried_by_back_off():
    class Junk(SlowEndpoint):
        def _generate(self, messages, stop=None, run_manager=None, **kwargs):
            with self._lock:
                self._calls += 1
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content="junk"))])

    model = Junk()
    with pytest.raises(ExtractionError, match="invalid answer"):
        extractor(model, retries=3).extract_one(title(1))
    assert model.calls == 2  # the answer and its one corrected retry, no back-off retries
