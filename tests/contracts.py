"""The JSON shapes other tools rely on (CLI --json, the API): fields are added, never renamed."""

RESULT_KEYS = {
    "id", "title", "type", "year", "genres", "emotions", "emojis", "score", "why", "pitch", "tagline",
    "imdb_id", "fits",
}  # fmt: skip


def problem_text(response) -> str:
    """The words of an error answer: a 422's ``detail`` is a list of ``{"loc", "msg", "type"}``,
    every other error's a string."""
    detail = response.json()["detail"]
    return " | ".join(e["msg"] for e in detail) if isinstance(detail, list) else detail
