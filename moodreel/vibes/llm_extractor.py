"""Title -> TitleVibes with an LLM: constrained JSON, validated, retried once.

The answer is parsed into ``VibesAnswer``; if it does not validate, the model is asked
once more with the validation error in the conversation; after that the title raises
``ExtractionError`` (the pipeline reports it and tries again on the next run).

Over an endpoint, ``extract_many`` keeps at most ``concurrency`` requests in flight and hands
each result on as it finishes (so it is cached at once, whatever order the answers come in);
a backend failure (timeout, connection refused, 5xx after the client's own retries) is tried
again ``retries`` times with exponential back-off and jitter (tenacity), which rides out an
endpoint restart instead of failing every title in flight.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from langchain_core.language_models import BaseChatModel
from pydantic import ValidationError
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter
from tenacity.wait import wait_base

from moodreel.errors import ExtractionError
from moodreel.llm.factory import json_response_format, model_id
from moodreel.llm.structured import InvalidAnswer, LLMCallError, ask_with_retry, json_schema
from moodreel.prompts import Prompt
from moodreel.records import Title, TitleVibes, VibesAnswer

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)
_MAX_DESCRIPTION = 600


def parse_answer(text: str) -> VibesAnswer:
    """JSON text -> VibesAnswer; raises ValueError with a message fit to send back to the model."""
    cleaned = _FENCE.sub("", text.strip())
    start, end = cleaned.find("{"), cleaned.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("the answer was not a JSON object")
    try:
        data = json.loads(cleaned[start : end + 1])
    except json.JSONDecodeError as exc:
        raise ValueError(f"the answer was not valid JSON ({exc.msg})") from None
    try:
        return VibesAnswer.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg']}" for e in exc.errors())
        raise ValueError(problems) from None


class LLMExtractor:
    name = "llm"

    def __init__(
        self,
        model: BaseChatModel,
        prompt: Prompt,
        concurrency: int = 1,
        retries: int = 0,
        backoff: wait_base | None = None,
    ) -> None:
        """``retries``: extra attempts after a backend failure (not after an invalid answer,
        which gets its own corrected retry); ``backoff``: tenacity's wait between them
        (default: exponential from 1 s to 30 s with jitter)."""
        self.model = model
        self.prompt = prompt
        self.model_id = model_id(model)
        self.prompt_version = prompt.version
        self.concurrency = max(1, concurrency)
        self.retries = max(0, retries)
        self._backoff = backoff if backoff is not None else wait_exponential_jitter(initial=1, max=30)
        self._format = json_response_format(model, json_schema(VibesAnswer))

    def extract_one(self, title: Title) -> TitleVibes:
        description = title.description or "(no synopsis; judge from the title and genres)"
        if len(description) > _MAX_DESCRIPTION:
            description = description[:_MAX_DESCRIPTION].rsplit(" ", 1)[0] + "…"
        messages = self.prompt.render(
            title=title.title,
            type="movie" if title.type == "MOVIE" else "TV show",
            genres=", ".join(title.genres) or "unknown genre",
            description=description,
        )
        retrying = Retrying(
            retry=retry_if_exception_type(LLMCallError),
            stop=stop_after_attempt(1 + self.retries),
            wait=self._backoff,
            reraise=True,
        )
        try:
            answer = retrying(
                ask_with_retry,
                self.model,
                messages,
                parse_answer,
                lambda error: (
                    f"That answer is invalid: {error}. Reply again with JSON only, "
                    'in the form {"emotions": [8 single words], "emojis": "2-5 emojis"}.'
                ),
                self._format,
                max_tokens=120,
            )
        except LLMCallError as exc:
            raise ExtractionError(title.id, f"LLM call failed: {exc}") from exc
        except InvalidAnswer as exc:
            raise ExtractionError(title.id, f"invalid answer after one retry: {exc}") from None
        return TitleVibes(
            id=title.id,
            content_hash=title.content_hash(),
            emotions=answer.emotions,
            emojis=answer.emojis,
            extractor="llm",
            model=self.model_id,
            prompt_version=self.prompt_version,
        )

    def extract_many(
        self, titles: Sequence[Title], on_done: Callable[[Title, TitleVibes | ExtractionError], None]
    ) -> None:
        """Extract each title, calling ``on_done`` (in this thread) as each finishes, with at
        most ``concurrency`` requests in flight."""

        def work(title: Title) -> tuple[Title, TitleVibes | ExtractionError]:
            try:
                return title, self.extract_one(title)
            except ExtractionError as exc:
                return title, exc

        if self.concurrency == 1:
            for title in titles:
                on_done(*work(title))
            return
        pending = iter(titles)
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            running: set[Future] = set()
            while True:
                while len(running) < self.concurrency and (title := next(pending, None)) is not None:
                    running.add(pool.submit(work, title))
                if not running:
                    return
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    on_done(*future.result())
