"""A tiny randomly initialised Qwen2 with the real tokenizer: a base model for fine-tuning tests.

Same architecture and vocabulary as the packaged Qwen2.5 model, a few hundred thousand
weights instead of 1.5 billion, so a LoRA run on it takes seconds on a CPU and llama.cpp loads
it (as a float GGUF) in well under a second. Its text is gibberish; what the tests check is
that training lowers the loss and that the adapter changes what llama.cpp writes.

``build_tiny_base(out_dir, tokenizer_gguf)`` writes ``out_dir/hf`` (config, weights,
tokenizer: what ``moodreel finetune --base`` takes) and ``out_dir/tiny.gguf``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from moodreel.llm.gguf_export import write_base_gguf


@dataclass(frozen=True)
class TinyBase:
    hf_dir: Path
    gguf_path: Path


def build_tiny_base(
    out_dir: Path,
    tokenizer_gguf: Path,
    hidden: int = 64,
    layers: int = 2,
    heads: int = 4,
    kv_heads: int = 2,
    ffn: int = 128,
    seed: int = 0,
) -> TinyBase:
    """Write a tiny Qwen2 (HF directory and GGUF) whose tokenizer is the one in ``tokenizer_gguf``."""
    import torch
    from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM

    out_dir = Path(out_dir)
    hf_dir = out_dir / "hf"
    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_gguf.parent), gguf_file=tokenizer_gguf.name)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        intermediate_size=ffn,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=kv_heads,
        max_position_embeddings=2048,
        rope_theta=1_000_000.0,  # type: ignore[call-arg]  # transformers 5 moves it into rope_parameters
        rms_norm_eps=1e-6,
        tie_word_embeddings=False,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        architectures=["Qwen2ForCausalLM"],
    )
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config)
    model.save_pretrained(str(hf_dir))
    tokenizer.save_pretrained(str(hf_dir))
    state = {k: v.detach().float().numpy() for k, v in model.state_dict().items()}
    gguf_path = write_base_gguf(state, config.to_dict(), tokenizer_gguf, out_dir / "tiny.gguf")
    return TinyBase(hf_dir, gguf_path)
