import hashlib

import pytest

from moodreel.errors import ModelIntegrityError
from moodreel.llm import local_model


def make_parts(tmp_path, chunks):
    paths = []
    for i, chunk in enumerate(chunks):
        p = tmp_path / f"part{i:02d}.bin"
        p.write_bytes(chunk)
        paths.append(p)
    return paths


def test_assembles_parts_in_order_and_verifies(tmp_path):
    parts = make_parts(tmp_path, [b"GGUF", b"-two", b"-three"])
    whole = b"GGUF-two-three"
    target = local_model.assemble(
        parts, tmp_path / "m" / "model.gguf", hashlib.sha256(whole).hexdigest(), len(whole)
    )
    assert target.read_bytes() == whole
    assert target.with_suffix(".verified").read_text() == hashlib.sha256(whole).hexdigest()


def test_refuses_a_mismatch_and_leaves_nothing(tmp_path):
    parts = make_parts(tmp_path, [b"GGUF", b"-tampered"])
    target = tmp_path / "m" / "model.gguf"
    with pytest.raises(ModelIntegrityError, match="sha256"):
        local_model.assemble(parts, target, "0" * 64, 13)
    assert not target.exists() and list(target.parent.iterdir()) == []


def test_ensure_model_file_rechecks_an_unverified_file(tmp_path, monkeypatch):
    whole = b"GGUF-data"
    sha = hashlib.sha256(whole).hexdigest()
    (tmp_path / local_model.FILE_NAME).write_bytes(b"GGUF-dat!")  # corrupt, no marker
    monkeypatch.setattr(local_model, "part_paths", lambda: make_parts(tmp_path, [whole]))
    path = local_model.ensure_model_file(tmp_path, sha, len(whole))
    assert path.read_bytes() == whole
