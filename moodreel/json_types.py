"""Numbers as JSON Schema means them, for values that come from outside (API bodies, filters):
a count is a JSON number (``5`` or ``5.0``), never the text ``"5"`` nor ``true``. Pydantic's
lax mode turns both into numbers; its strict mode refuses ``5.0``, which JSON Schema calls an
integer. Neither matches the schema the API documents, so these sit in between."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError


def _not_text_or_bool(kind: str, message: str):
    def check(value: object) -> object:
        if isinstance(value, bool | str | bytes):
            raise PydanticCustomError(kind, message)
        return value

    return BeforeValidator(check)


def json_number(value: object) -> object:
    """A ``mode="before"`` field validator for optional numbers: the same refusal as below."""
    if isinstance(value, bool | str | bytes):
        raise PydanticCustomError("number_type", "Input should be a JSON number")
    return value


Whole = Annotated[int, _not_text_or_bool("int_type", "Input should be a valid integer")]
Number = Annotated[float, _not_text_or_bool("float_type", "Input should be a valid number")]
