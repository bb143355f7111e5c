"""The embedder's batches are sized for its device unless a size is set."""

from __future__ import annotations

import sentence_transformers

from moodreel.embedding import BATCH_BY_DEVICE, SentenceTransformerEmbedder


class _Model:
    def __init__(self, path: str, device: str) -> None:
        self.device = device

    def get_embedding_dimension(self) -> int:
        return 384


def test_batch_size_by_device_unless_set(monkeypatch):
    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", _Model)
    assert SentenceTransformerEmbedder("m", device="cpu").batch_size == 32 == BATCH_BY_DEVICE["cpu"]
    assert SentenceTransformerEmbedder("m", device="cuda").batch_size == 256
    assert SentenceTransformerEmbedder("m", device="cuda:1").batch_size == 256
    assert SentenceTransformerEmbedder("m", device="cpu", batch_size=64).batch_size == 64
