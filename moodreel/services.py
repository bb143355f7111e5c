"""The composition root: settings in, the long-lived objects out, each built once.

``build_services(settings)`` makes nothing yet; the heavy things (embedding model, Milvus
client, LLM) are made on first use and then shared. Tests and benchmarks hand in their own
embedder, store or chat model by keyword (a misspelled one is a ``TypeError``). Objects built
here get their collaborators through their constructors (``Viewers(store, profiles)``,
``Ingestor(store=..., encoder=...)``), never this object: only the front ends' application
layer (``moodreel.application``) holds it.

Deliberately not here: anything from ``moodreel.search`` (the recommender is built by the
application layer, which sits above both).
"""

from __future__ import annotations

import logging
from functools import cached_property
from typing import TYPE_CHECKING

from langchain_core.language_models import BaseChatModel

from moodreel.credits import CreditsIndex
from moodreel.embedding import Embedder, SentenceTransformerEmbedder, VibeEncoder
from moodreel.llm.steering import TokenVectorCache
from moodreel.poster.images import ImageEndpoint
from moodreel.poster.maker import PosterMaker
from moodreel.profiles.store import ProfileStore
from moodreel.profiles.viewers import Viewers
from moodreel.prompts import Prompt, load_prompt
from moodreel.settings import Settings
from moodreel.signals import Layout
from moodreel.store import MilvusStore
from moodreel.vibes.cache import VibesCache, read_vibes_jsonl

if TYPE_CHECKING:
    from moodreel.ingestion.pipeline import ExtractorChoice, Ingestor

log = logging.getLogger(__name__)


def quiet_libraries() -> None:
    """pymilvus logs a warning per query iterator on Milvus Lite; keep the console readable."""
    for name in ("pymilvus", "milvus_lite", "httpx", "sentence_transformers", "grpc._server"):
        logging.getLogger(name).setLevel(logging.ERROR)


class Services:
    """The shared objects of one process; given ones are used as they are, the rest built from settings."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        store: MilvusStore | None = None,
        chat_model: BaseChatModel | None = None,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._store = store
        self._chat_model = chat_model
        self._prompts: dict[str, Prompt] = {}

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            s = self.settings
            self._embedder = SentenceTransformerEmbedder(
                s.embedding_model, s.embedding_device, s.embedding_batch_size
            )
        return self._embedder

    @cached_property
    def encoder(self) -> VibeEncoder:
        return VibeEncoder(self.embedder)

    @cached_property
    def layout(self) -> Layout:
        """Where vibe, plot, genres and quality sit in a stored vector (``signals``)."""
        return Layout(self.embedder.dimension)

    @property
    def store(self) -> MilvusStore:
        if self._store is None:
            s = self.settings
            # lazy: a command that never reads the store (moodreel mood) leaves it closed
            self._store = MilvusStore.open(
                s.store_uri,
                s.collection,
                self.layout.size,
                s.milvus_token.get_secret_value(),
                lazy=True,
                kept_rows=s.store_kept_rows,
            )
        return self._store

    def loaded_chat_model(self) -> BaseChatModel | None:
        """The chat model if it is built already (None: not yet; nothing is loaded for asking)."""
        return self._chat_model

    @property
    def chat_model(self) -> BaseChatModel:
        if self._chat_model is None:
            from moodreel.llm.factory import make_chat_model

            self._chat_model = make_chat_model(self.settings)
        return self._chat_model

    @cached_property
    def token_vectors(self) -> TokenVectorCache:
        """Embeddings of the LLM's vocabulary tokens, for steering (kept under the state directory)."""
        return TokenVectorCache(self.embedder, self.settings.state_dir / "token_vectors")

    @cached_property
    def credits(self) -> CreditsIndex:
        return CreditsIndex(self.settings.credits_file)

    @cached_property
    def viewers(self) -> Viewers:
        return Viewers(self.store, ProfileStore(self.settings.state_dir, self.settings.max_profiles))

    @cached_property
    def posters(self) -> PosterMaker:
        s = self.settings
        endpoint = None
        if s.image_base_url:
            endpoint = ImageEndpoint(
                s.image_base_url, s.image_model, s.image_api_key.get_secret_value(), s.image_size
            )
        return PosterMaker(s.state_dir / "posters", endpoint)

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

    def ingestor(self, extractor: ExtractorChoice) -> Ingestor:
        """The ingest pipeline on this process's store client and embedder (LLM made only if needed)."""
        from moodreel.ingestion.pipeline import FAST_CHUNK, Ingestor
        from moodreel.vibes.fast_extractor import FastExtractor
        from moodreel.vibes.llm_extractor import LLMExtractor

        settings = self.settings
        endpoint = settings.llm_backend == "openai"
        concurrency = settings.llm_concurrency if endpoint else 1

        def llm_factory() -> LLMExtractor:
            # an endpoint's failures are often passing (a restart, a full queue): try again
            retries = settings.llm_max_retries if endpoint else 0
            return LLMExtractor(self.chat_model, self.prompt("extract_vibes"), concurrency, retries)

        return Ingestor(
            store=self.store,
            encoder=self.encoder,
            cache=self.vibes_cache(),
            fast=FastExtractor(self.embedder),
            llm_factory=llm_factory if extractor == "llm" else None,
            # LLM chunks hold a few requests per slot, so one slow answer does not idle the rest
            chunk_size=max(8, 4 * concurrency) if extractor == "llm" else FAST_CHUNK,
            layout=self.layout,
        )


def build_services(
    settings: Settings | None = None,
    *,
    embedder: Embedder | None = None,
    store: MilvusStore | None = None,
    chat_model: BaseChatModel | None = None,
) -> Services:
    quiet_libraries()
    return Services(settings or Settings(), embedder=embedder, store=store, chat_model=chat_model)
