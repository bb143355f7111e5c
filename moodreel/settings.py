"""The one settings object. Only this module reads the environment.

Every field can be set by an environment variable named ``MOODREEL_<FIELD>`` (upper
case) or a line in ``.env``; tests build ``Settings(...)`` explicitly.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def default_threads() -> int:
    """All cores but one: with every core busy llama.cpp collapses when anything else runs."""
    return max(1, (os.cpu_count() or 1) - 1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MOODREEL_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- files -----------------------------------------------------------------------
    data_dir: Path = Field(PROJECT_ROOT / "data", description="Catalog, shipped vibes, store.")
    catalog_path: Path | None = Field(None, description="Catalog CSV (default data_dir/netflix_titles.csv).")
    credits_path: Path | None = Field(None, description="Credits CSV (default data_dir/netflix_credits.csv).")
    vibes_path: Path | None = Field(
        None, description="Shipped extraction JSONL (default data_dir/vibes.jsonl)."
    )
    cache_dir: Path | None = Field(
        None, description="Extraction cache and other local state (default data_dir/cache)."
    )
    model_dir: Path = Field(
        Path.home() / ".cache" / "moodreel" / "models",
        description="Where the local GGUF model is assembled once.",
    )
    prompts_dir: Path = Field(PROJECT_ROOT / "prompts", description="Prompt templates.")

    # --- vector store ------------------------------------------------------------------
    milvus_uri: str = Field(
        "",
        description="Milvus Lite file path, or http://host:19530 for a server (default data_dir/moodreel.db).",
    )
    milvus_token: SecretStr = Field(SecretStr(""), description="Milvus token (user:password), if any.")
    collection: str = Field("titles", description="Milvus collection name.")

    # --- embeddings --------------------------------------------------------------------
    embedding_model: str = Field(
        "", description="Sentence-transformers model path or name (default: the packaged all-MiniLM-L6-v2)."
    )
    embedding_device: str = Field("auto", description="auto (CUDA when available), cpu, cuda, mps.")
    embedding_batch_size: int = Field(256, ge=1)

    # --- LLM ---------------------------------------------------------------------------
    llm_backend: Literal["local", "openai"] = Field(
        "local", description="local (llama.cpp in-process) or openai (any OpenAI-compatible endpoint)."
    )
    llm_threads: int = Field(default_factory=default_threads, ge=1, description="llama.cpp threads.")
    llm_context: int = Field(2048, ge=512, description="llama.cpp context length.")
    llm_temperature: float = Field(0.2, ge=0, le=2)
    openai_base_url: str | None = Field(None, description="e.g. http://localhost:8000/v1 for vLLM.")
    openai_api_key: SecretStr = Field(SecretStr("not-needed"), description="API key for the endpoint.")
    openai_model: str = Field("gpt-4o-mini", description="Model name at the endpoint.")
    llm_concurrency: int = Field(4, ge=1, description="Parallel LLM requests (openai backend).")
    llm_max_retries: int = Field(3, ge=0, description="Retries with back-off per LLM request.")
    llm_timeout_s: float = Field(60.0, gt=0, description="Timeout per LLM request (openai backend).")

    # --- search ----------------------------------------------------------------------
    mood_parser: Literal["classifier", "llm"] = Field(
        "classifier", description="classifier (fast, no LLM; best on GoEmotions) or llm."
    )
    personalization: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Weight of the viewer's taste in the ranking: final = (1-w)*mood + w*taste; 0 = pure mood.",
    )
    pitches_per_search: int = Field(3, ge=0, le=20, description="Cards that get a streamed LLM pitch.")
    pitch_timeout_s: float = Field(
        60.0, gt=0, description="A pitch slower than this falls back to a template."
    )

    # --- app -----------------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Address the app binds.")
    port: int = Field(7860, ge=0, le=65535, description="Port the app binds.")
    auth: SecretStr | None = Field(None, description="Optional login for the app, as user:password.")

    # ------------------------------------------------------------------------------------
    @property
    def catalog_file(self) -> Path:
        return self.catalog_path or self.data_dir / "netflix_titles.csv"

    @property
    def credits_file(self) -> Path:
        return self.credits_path or self.data_dir / "netflix_credits.csv"

    @property
    def vibes_file(self) -> Path:
        return self.vibes_path or self.data_dir / "vibes.jsonl"

    @property
    def state_dir(self) -> Path:
        return self.cache_dir or self.data_dir / "cache"

    @property
    def store_uri(self) -> str:
        return self.milvus_uri or str(self.data_dir / "moodreel.db")
