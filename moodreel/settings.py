"""The one settings object. Only this module reads the environment.

Every field can be set by an environment variable named ``MOODREEL_<FIELD>`` (upper
case) or a line in ``.env``; tests build ``Settings(...)`` explicitly.

``python -m moodreel.settings`` prints every setting, its variable and default as the
Markdown table in the README ("Configuration"); a test keeps the two equal. A default
that is computed (from ``data_dir``, the machine...) is named in the description as a
trailing "(default: ...)".
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
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
    catalog_path: Path | None = Field(None, description="Catalog CSV (default: data_dir/netflix_titles.csv).")
    credits_path: Path | None = Field(
        None,
        description="Credits CSV: directors and cast for pitches (default: data_dir/netflix_credits.csv).",
    )
    vibes_path: Path | None = Field(
        None, description="Shipped extraction JSONL, loaded into the cache (default: data_dir/vibes.jsonl)."
    )
    cache_dir: Path | None = Field(
        None, description="Extraction cache, viewer profiles and other local state (default: data_dir/cache)."
    )
    model_dir: Path = Field(
        Path.home() / ".cache" / "moodreel" / "models",
        description="Where the local GGUF model is assembled once.",
    )
    prompts_dir: Path = Field(PROJECT_ROOT / "prompts", description="Prompt templates.")

    # --- vector store ------------------------------------------------------------------
    milvus_uri: str = Field(
        "",
        description="Milvus Lite file path, or http://host:19530 for a server (default: data_dir/moodreel.db).",
    )
    milvus_token: SecretStr = Field(SecretStr(""), description="Milvus token (user:password), if any.")
    collection: str = Field("titles", description="Milvus collection name.")
    store_kept_rows: int = Field(
        20_000,
        ge=0,
        description=(
            "Stored titles kept in memory for searches, each checked against the store's version on "
            "every hit (~6 kB each; 0: every search reads its rows from Milvus)."
        ),
    )

    # --- embeddings --------------------------------------------------------------------
    embedding_model: str = Field(
        "", description="Sentence-transformers model path or name (default: the packaged all-MiniLM-L6-v2)."
    )
    embedding_device: str = Field("auto", description="auto (CUDA when available), cpu, cuda, mps.")
    embedding_batch_size: int = Field(
        0,
        ge=0,
        description="Embedding batch size; 0: by device (32 on CPU, the fastest on 2 cores; 256 on CUDA).",
    )

    # --- LLM ---------------------------------------------------------------------------
    llm_backend: Literal["local", "openai"] = Field(
        "local", description="local (llama.cpp in-process) or openai (any OpenAI-compatible endpoint)."
    )
    llm_threads: int = Field(
        default_factory=default_threads, ge=1, description="llama.cpp threads (default: all cores but one)."
    )
    llm_context: int = Field(2048, ge=512, description="llama.cpp context length.")
    llm_contexts: int = Field(
        2,
        ge=1,
        le=8,
        description=(
            "llama.cpp contexts over the local model: with 2, the next pitch's prompt is read while "
            "one is written (later pitches start at once) and two visitors are served side by side; "
            "each extra one costs about 0.7 GB."
        ),
    )
    llm_extra_buffers: bool | None = Field(
        None,
        description=(
            "llama.cpp's extra weight buffers (repacked or AMX weights); unset: on, except on a CPU "
            "with AMX tiles, where decoding with them crashed (moodreel.llm.cpu_quirks)."
        ),
    )
    llm_prompt_lookup: int = Field(
        0,
        ge=0,
        le=32,
        description=(
            "Prompt-lookup decoding for the local LLM: tokens drafted from the prompt per step "
            "(llama.cpp speculative decoding; 0 = off)."
        ),
    )
    llm_adapter: Path | None = Field(
        None,
        description=(
            "LoRA adapter for the local LLM: a `moodreel finetune` output directory or a GGUF LoRA file "
            "(local backend only; an endpoint serves its own adapters)."
        ),
    )
    llm_temperature: float = Field(
        0.2,
        ge=0,
        le=2,
        description="Sampling temperature for extraction and LLM mood parsing.",
    )
    pitch_temperature: float = Field(
        0.7,
        ge=0,
        le=2,
        description="Sampling temperature for pitches and descriptions (some variety reads better).",
    )
    openai_base_url: str | None = Field(
        None,
        description="Base URL of an OpenAI-compatible endpoint, e.g. http://localhost:8000/v1 for vLLM; unset = api.openai.com.",
    )
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
        0.5,
        ge=0,
        le=1,
        description=(
            "Weight w of the viewer's taste added to a specific mood's score (w × taste similarity; an open "
            "request uses 1.0); 0 = pure mood."
        ),
    )
    pitches_per_search: int = Field(
        20, ge=0, le=20, description="Cards that get a streamed LLM pitch in the page (20: every card)."
    )
    pitch_timeout_s: float = Field(
        60.0,
        gt=0,
        description="A pitch whose writing takes longer than this ends (time waiting for a busy LLM not counted).",
    )

    # --- posters -------------------------------------------------------------------------
    image_base_url: str | None = Field(
        None,
        description=(
            "OpenAI-compatible images endpoint for generated posters (e.g. https://api.openai.com/v1, or a "
            "local Stable Diffusion server); unset = offline poster cards."
        ),
    )
    image_model: str = Field("gpt-image-1", description="Image model name at the images endpoint.")
    image_api_key: SecretStr = Field(SecretStr("not-needed"), description="API key for the images endpoint.")
    image_size: str = Field("1024x1024", description="Size asked of the images endpoint.")

    # --- app -----------------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Address the app binds.")
    port: int = Field(7860, ge=0, le=65535, description="Port the app binds.")
    auth: SecretStr | None = Field(
        None,
        description=(
            "Optional login, as user:password: then every route (page, API, docs) asks for it (HTTP Basic)."
        ),
    )
    max_request_bytes: int = Field(
        1_048_576, ge=1024, description="Largest request body the app reads (bigger gets 413)."
    )
    max_profiles: int = Field(
        10_000, ge=1, description="Most viewers kept on disk; a new one past it gets 507 (forget some first)."
    )

    @field_validator("auth")
    @classmethod
    def _auth_pair(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            user, sep, password = value.get_secret_value().partition(":")
            if not sep or not user or not password:
                raise ValueError("MOODREEL_AUTH must be user:password, both non-empty")
        return value

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
    def login(self) -> tuple[str, str] | None:
        """(user, password) from ``auth``, or None when the app is open."""
        if self.auth is None:
            return None
        user, _, password = self.auth.get_secret_value().partition(":")
        return user, password

    @property
    def store_uri(self) -> str:
        return self.milvus_uri or str(self.data_dir / "moodreel.db")


# ---- documentation ------------------------------------------------------------------------
_DEFAULT_NOTE = re.compile(r"\s*\(default: (?P<default>.+)\)(?P<end>\.?)$")


def env_var(field: str) -> str:
    """The environment variable that sets ``field``."""
    return f"{Settings.model_config['env_prefix']}{field.upper()}"


def env_vars() -> dict[str, str]:
    """Every setting's environment variable -> field name."""
    return {env_var(name): name for name in Settings.model_fields}


def _shown_default(value: object) -> str:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value is None:
        return "none"
    if value == "":
        return "empty"
    if isinstance(value, Path):
        text = str(value)
        for root, name in ((str(PROJECT_ROOT), "<repo>"), (str(Path.home()), "~")):
            if text == root or text.startswith(root + os.sep):
                text = name + text[len(root) :]
                break
        return f"`{text}`"
    return f"`{value}`"


def settings_rows() -> list[tuple[str, str, str]]:
    """(variable, default, meaning) for every setting, in declaration order."""
    rows = []
    for name, info in Settings.model_fields.items():
        if not info.description:
            raise ValueError(f"setting {name!r} has no description")
        meaning = info.description
        note = _DEFAULT_NOTE.search(meaning)
        if note:
            default = note["default"]
            meaning = meaning[: note.start()] + (note["end"] or "")
        elif info.default_factory is not None:
            raise ValueError(f"setting {name!r} has a computed default: name it as '(default: ...)'")
        else:
            default = _shown_default(info.default)
        rows.append((env_var(name), default, meaning))
    return rows


def settings_table() -> str:
    """The README's configuration table (Markdown)."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    lines += [f"| `{var}` | {default} | {meaning} |" for var, default, meaning in settings_rows()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(settings_table(), end="")
