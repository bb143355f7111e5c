"""Ask a chat model for structured output: parse the answer, and on a bad one ask once more.

The second request carries the model's bad answer and the parser's complaint, so a small
model can correct itself (the instructor pattern). Callers turn the two failures below
into their own errors: the backend failed, or the answer stayed invalid.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import BaseModel

from moodreel.errors import MoodreelError

T = TypeVar("T")


class LLMCallError(MoodreelError):
    """The backend itself failed (timeout, HTTP error, model not loaded)."""


class InvalidAnswer(MoodreelError):
    """The answer did not parse, even after one retry; the message is the last complaint."""


def ask_with_retry(
    model: BaseChatModel,
    messages: list[BaseMessage],
    parse: Callable[[str], T],
    correction: Callable[[str], str],
    response_format: dict | None = None,
    **kwargs: Any,
) -> T:
    """``parse`` raises ``ValueError`` for a bad answer; ``correction`` words the retry request."""
    if response_format:
        kwargs["response_format"] = response_format
    error = ""
    for attempt in range(2):
        try:
            text = str(model.invoke(messages, **kwargs).content)
        except Exception as exc:  # the backend's own errors end the request
            raise LLMCallError(str(exc)) from exc
        try:
            return parse(text)
        except ValueError as exc:  # json.JSONDecodeError and pydantic's errors are ValueErrors
            error = str(exc)
            if attempt == 0:
                messages = [*messages, AIMessage(content=text), HumanMessage(content=correction(error))]
    raise InvalidAnswer(error)


def json_schema(model: type[BaseModel]) -> dict:
    """The JSON schema for constrained decoding, derived from the pydantic model that also
    validates the answer: one source of truth. Titles and descriptions are dropped (the
    grammar needs only the shape)."""

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k not in ("title", "description")}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    schema = strip(model.model_json_schema(mode="validation"))
    schema.pop("additionalProperties", None)
    return schema
