"""The JSON shapes other tools rely on (CLI --json, the API): fields are added, never renamed."""

RESULT_KEYS = {
    "id", "title", "type", "year", "genres", "emotions", "emojis", "score", "why", "pitch", "tagline",
    "imdb_id", "fits",
}  # fmt: skip
