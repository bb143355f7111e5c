"""The one small family of exceptions raised inside moodreel.

Edges (CLI, UI, API) turn these into messages; nothing inside prints or exits.
"""

from __future__ import annotations


class MoodreelError(Exception):
    """Base class: anything moodreel raises on purpose."""


class ConfigurationError(MoodreelError):
    """A setting, a missing optional package or a missing model file."""


class CatalogError(MoodreelError):
    """The catalog file cannot be used at all (missing file, column, encoding)."""


class ExtractionError(MoodreelError):
    """The LLM gave no valid vibes for a title, even after one retry."""

    def __init__(self, title_id: str, message: str) -> None:
        super().__init__(f"{title_id}: {message}")
        self.title_id = title_id


class ModelIntegrityError(ConfigurationError):
    """An assembled model file does not have the pinned size or hash."""


class StoreError(MoodreelError):
    """The vector store cannot be reached or does not have the expected shape."""


class StoreInUseError(StoreError):
    """A Milvus Lite file is held by another process (Lite allows one process per file)."""


class PromptError(MoodreelError):
    """A prompt file is missing or was rendered with missing variables."""


class ProfileLimitError(MoodreelError):
    """Keeping one more viewer would pass ``MOODREEL_MAX_PROFILES``."""
