"""Wire settings to the long-lived objects every front end needs.

Heavy things (embedding model, LLM, Milvus client) are made once, on first use.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property

from langchain_core.language_models import BaseChatModel

from moodreel.embedding import Embedder, SentenceTransformerEmbedder, VibeEncoder
from moodreel.prompts import Prompt, load_prompt
from moodreel.settings import Settings
from moodreel.store import MilvusStore
from moodreel.vibes.cache import VibesCache, read_vibes_jsonl

log = logging.getLogger(__name__)


def quiet_libraries() -> None:
    """pymilvus logs a warning per query iterator on Milvus Lite; keep the console readable."""
    for name in ("pymilvus", "milvus_lite", "httpx", "sentence_transformers", "grpc._server"):
        logging.getLogger(name).setLevel(logging.ERROR)


@dataclass
class Services:
    settings: Settings
    _overrides: dict = field(default_factory=dict)
    _prompts: dict[str, Prompt] = field(default_factory=dict)

    @cached_property
    def embedder(self) -> Embedder:
        if "embedder" in self._overrides:
            return self._overrides["embedder"]
        s = self.settings
        return SentenceTransformerEmbedder(s.embedding_model, s.embedding_device, s.embedding_batch_size)

    @cached_property
    def encoder(self) -> VibeEncoder:
        return VibeEncoder(self.embedder)

    @cached_property
    def store(self) -> MilvusStore:
        if "store" in self._overrides:
            return self._overrides["store"]
        s = self.settings
        return MilvusStore.open(
            s.store_uri, s.collection, self.embedder.dimension, s.milvus_token.get_secret_value()
        )

    @cached_property
    def chat_model(self) -> BaseChatModel:
        if "chat_model" in self._overrides:
            return self._overrides["chat_model"]
        from moodreel.llm.factory import make_chat_model

        return make_chat_model(self.settings)

    @cached_property
    def credits(self):
        from moodreel.credits import CreditsIndex

        return CreditsIndex(self.settings.credits_file)

    def prompt(self, name: str) -> Prompt:
        """A prompt from the configured directory, read once per process."""
        if name not in self._prompts:
            self._prompts[name] = load_prompt(name, self.settings.prompts_dir)
        return self._prompts[name]

    def vibes_cache(self, seed: bool = True) -> VibesCache:
        cache = VibesCache(self.settings.state_dir / "vibes.sqlite")
        if seed and self.settings.vibes_file.exists():
            added = cache.put_many(read_vibes_jsonl(self.settings.vibes_file))
            log.debug("seeded vibes cache from %s (%d records)", self.settings.vibes_file, added)
        return cache


def build_services(settings: Settings | None = None, **overrides) -> Services:
    quiet_libraries()
    return Services(settings or Settings(), overrides)
