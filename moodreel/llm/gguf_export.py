"""Write GGUF files llama.cpp can load: a LoRA adapter from a peft adapter, and a small base model.

A peft LoRA adapter (``adapter_model.safetensors`` + ``adapter_config.json``) becomes a GGUF
LoRA the way llama.cpp's ``convert_lora_to_gguf.py`` writes one: ``general.type=adapter``,
``adapter.type=lora``, ``adapter.lora.alpha``, and per adapted matrix two tensors
``blk.N.attn_q.weight.lora_a`` (rank × in) and ``.lora_b`` (out × rank). Tensor names come
from the ``gguf`` package's own map for the architecture, not from a table of ours.

``write_base_gguf`` writes a whole (small, float) model with the tokenizer copied from another
GGUF: the tests' tiny Qwen2 base that llama.cpp loads in a second. Deliberately not here:
quantization and architectures other than those the ``gguf`` map knows (Qwen2 is what we use).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from moodreel.errors import ConfigurationError

_ARCHES = {"Qwen2ForCausalLM": "QWEN2", "LlamaForCausalLM": "LLAMA"}


def _gguf():
    try:
        import gguf
    except ImportError:
        raise ConfigurationError("writing GGUF files needs the gguf package: pip install gguf") from None
    return gguf


def _arch(architecture: str):
    gguf = _gguf()
    name = _ARCHES.get(architecture)
    if name is None:
        raise ConfigurationError(
            f"cannot write a GGUF for architecture {architecture!r}: supported: {', '.join(_ARCHES)}"
        )
    return getattr(gguf.MODEL_ARCH, name)


def _gguf_name(tensor_map, hf_name: str) -> str:
    name = tensor_map.get_name(hf_name, try_suffixes=(".weight", ".bias"))
    if name is None:
        raise ConfigurationError(f"no GGUF name for tensor {hf_name!r}")
    return name


def write_lora_gguf(
    tensors: Mapping[str, np.ndarray],
    alpha: float,
    architecture: str,
    n_layers: int,
    path: Path,
) -> Path:
    """Write peft LoRA ``tensors`` (``...q_proj.lora_A.weight`` names) as a llama.cpp LoRA adapter."""
    gguf = _gguf()
    arch = _arch(architecture)
    tensor_map = gguf.get_tensor_name_map(arch, n_layers)
    pairs: dict[str, dict[str, np.ndarray]] = {}
    for name, value in tensors.items():
        for part in ("lora_A", "lora_B"):
            marker = f".{part}.weight"
            if name.endswith(marker):
                base = name[: -len(marker)].replace("base_model.model.", "", 1) + ".weight"
                pairs.setdefault(base, {})[part] = np.asarray(value, dtype=np.float32)
                break
        else:
            raise ConfigurationError(f"unexpected tensor {name!r} in the adapter: only LoRA A/B matrices")
    if not pairs:
        raise ConfigurationError("the adapter holds no LoRA matrices")
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(path), gguf.MODEL_ARCH_NAMES[arch])
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(alpha))
    for base, parts in sorted(pairs.items()):
        if set(parts) != {"lora_A", "lora_B"}:
            raise ConfigurationError(f"tensor {base!r} has only {', '.join(parts)} in the adapter")
        target = _gguf_name(tensor_map, base)
        writer.add_tensor(f"{target}.lora_a", parts["lora_A"])
        writer.add_tensor(f"{target}.lora_b", parts["lora_B"])
    _finish(writer)
    return path


def peft_to_gguf(adapter_dir: Path, path: Path, architecture: str, n_layers: int) -> Path:
    """A saved peft adapter directory -> a GGUF LoRA at ``path``."""
    from safetensors.numpy import load_file

    config = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    tensors = load_file(str(adapter_dir / "adapter_model.safetensors"))
    return write_lora_gguf(tensors, float(config["lora_alpha"]), architecture, n_layers, path)


def _copy_tokenizer(writer, source_gguf: Path) -> None:
    gguf = _gguf()
    reader = gguf.GGUFReader(str(source_gguf))
    for name, field in reader.fields.items():
        if not name.startswith("tokenizer."):
            continue
        kind = field.types[0]
        sub = field.types[-1] if kind == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(name, field.contents(), kind, sub_type=sub)


def write_base_gguf(
    state_dict: Mapping[str, np.ndarray],
    config: Mapping,
    tokenizer_gguf: Path,
    path: Path,
    name: str = "moodreel tiny base",
) -> Path:
    """A float Qwen2/Llama model (HF ``state_dict`` + ``config``) as a GGUF, tokenizer from ``tokenizer_gguf``."""
    gguf = _gguf()
    arch = _arch(config["architectures"][0])
    n_layers = int(config["num_hidden_layers"])
    tensor_map = gguf.get_tensor_name_map(arch, n_layers)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(path), gguf.MODEL_ARCH_NAMES[arch])
    writer.add_type(gguf.GGUFType.MODEL)
    writer.add_name(name)
    writer.add_context_length(int(config["max_position_embeddings"]))
    writer.add_embedding_length(int(config["hidden_size"]))
    writer.add_block_count(n_layers)
    writer.add_feed_forward_length(int(config["intermediate_size"]))
    writer.add_head_count(int(config["num_attention_heads"]))
    writer.add_head_count_kv(int(config["num_key_value_heads"]))
    rope = config.get("rope_theta") or (config.get("rope_parameters") or {}).get("rope_theta") or 10000.0
    writer.add_rope_freq_base(float(rope))
    writer.add_layer_norm_rms_eps(float(config["rms_norm_eps"]))
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    _copy_tokenizer(writer, tokenizer_gguf)
    for hf_name, value in state_dict.items():
        writer.add_tensor(_gguf_name(tensor_map, hf_name), np.asarray(value, dtype=np.float32))
    _finish(writer)
    return path


def _finish(writer) -> None:
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
