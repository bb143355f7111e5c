"""LoRA fine-tuning of the description model on ``{"prompt", "completion"}`` JSONL examples.

``read_examples`` validates every line first (a bad line is named by file and line number,
and nothing is written); ``finetune`` trains a peft LoRA on the base model (a Hugging Face
directory, or a GGUF file that transformers dequantizes: the packaged Qwen2.5 by default),
measures the loss of a held-out slice before and after, and writes the output directory:

- ``adapter_config.json`` + ``adapter_model.safetensors``: the peft adapter (vLLM serves it
  with ``--lora-modules``);
- ``adapter.gguf``: the same adapter for llama.cpp (``MOODREEL_LLM_ADAPTER=DIR``);
- ``finetune.json``: the run's summary (``FinetuneResult``).

Each example is trained as the chat the describe prompt makes: the pitch prompt's system
message, the example's prompt as the user turn, its completion as the answer (the loss is on
the answer only). It runs on a GPU when torch sees one, on the CPU otherwise.
Deliberately not here: quantized training, batching (examples are short and few).
"""

from __future__ import annotations

import json
import math
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from moodreel.errors import ConfigurationError, MoodreelError

ADAPTER_GGUF = "adapter.gguf"
SUMMARY = "finetune.json"
TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj"]
MAX_TOKENS = 768


class ExamplesError(MoodreelError):
    """A training file that cannot be used; the message names the file and each bad line."""


class Example(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    prompt: str
    completion: str

    @field_validator("prompt", "completion")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value


def read_examples(path: Path, max_problems: int = 10) -> list[Example]:
    """Every non-blank line of ``path`` as an ``Example``; any bad line fails the whole file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExamplesError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise ExamplesError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    examples, problems = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path} line {number}: not JSON ({exc.msg}, column {exc.colno})")
            continue
        if not isinstance(data, dict):
            problems.append(f"{path} line {number}: expected an object with prompt and completion")
            continue
        try:
            examples.append(Example.model_validate(data))
        except ValidationError as exc:
            why = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg']}" for e in exc.errors())
            problems.append(f"{path} line {number}: {why}")
    if problems:
        more = f"\n... and {len(problems) - max_problems} more" if len(problems) > max_problems else ""
        raise ExamplesError("\n".join(problems[:max_problems]) + more)
    if len(examples) < 2:
        raise ExamplesError(f"{path}: {len(examples)} example(s); need at least 2 (one is held out)")
    return examples


@dataclass(frozen=True)
class FinetuneResult:
    output: str
    base: str
    device: str
    examples: int
    heldout: int
    epochs: int
    steps: int
    lr: float
    rank: int
    heldout_loss_before: float
    heldout_loss_after: float
    train_loss_first_epoch: float
    train_loss_last_epoch: float
    seconds: float
    seconds_per_epoch: float

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def split(examples: list[Example], fraction: float, seed: int) -> tuple[list[Example], list[Example]]:
    """(train, held out): a fixed-seed shuffle, at least one held out and one trained on."""
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    n_held = min(len(examples) - 1, max(1, round(len(examples) * fraction)))
    held = [examples[i] for i in order[:n_held]]
    train = [examples[i] for i in order[n_held:]]
    return train, held


def load_base(base: Path):
    """(model, tokenizer) from a Hugging Face directory or a GGUF file (dequantized to float32)."""
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError:
        raise ConfigurationError(
            "fine-tuning needs torch and transformers: pip install transformers"
        ) from None
    base = Path(base).expanduser()
    if not base.exists():
        raise ConfigurationError(f"base model {base} does not exist")
    if base.is_file():
        kwargs = {"gguf_file": base.name}
        where = str(base.parent)
    else:
        kwargs, where = {}, str(base)
    tokenizer = AutoTokenizer.from_pretrained(where, **kwargs)
    model = AutoModelForCausalLM.from_pretrained(where, dtype=torch.float32, **kwargs)
    return model, tokenizer


def encode(tokenizer, system: str, example: Example, max_tokens: int = MAX_TOKENS) -> tuple[list[int], int]:
    """Token ids of the whole chat and where the answer starts (the loss covers the answer only)."""
    messages = [{"role": "user", "content": example.prompt}]
    if system:
        messages.insert(0, {"role": "system", "content": system})
    head = tokenizer.apply_chat_template(messages, tokenize=True, add_generation_prompt=True)
    if isinstance(head, dict) or hasattr(head, "input_ids"):
        head = head["input_ids"]
    answer = tokenizer(example.completion + "<|im_end|>", add_special_tokens=False)["input_ids"]
    ids = (list(head) + list(answer))[:max_tokens]
    return ids, min(len(head), len(ids) - 1)


def _loss(model, ids: list[int], start: int, device: str):
    import torch

    x = torch.tensor([ids], device=device)
    labels = x.clone()
    labels[:, :start] = -100
    return model(input_ids=x, labels=labels).loss


def _mean_loss(model, batch: list[tuple[list[int], int]], device: str) -> float:
    import torch

    model.eval()
    with torch.no_grad():
        losses = [float(_loss(model, ids, start, device)) for ids, start in batch]
    return sum(losses) / len(losses)


def finetune(
    examples: list[Example],
    base: Path,
    output: Path,
    system: str = "",
    epochs: int = 3,
    lr: float = 2e-4,
    rank: int = 8,
    alpha: int = 16,
    layers: int = 0,
    heldout_fraction: float = 0.1,
    seed: int = 0,
    max_steps: int = 0,
    progress: Callable[[int, int, float], None] | None = None,
) -> FinetuneResult:
    """Train a LoRA adapter and write it to ``output`` (peft files, ``adapter.gguf``, ``finetune.json``).

    ``layers``: adapt only the last N layers (0 = all; fewer is faster on a CPU). ``max_steps``:
    stop after this many steps (0 = all; for timing the real model). ``progress(step, total,
    loss)`` after each step. ``output`` is written only when training succeeded.
    """
    import torch
    from peft import LoraConfig, get_peft_model

    from moodreel.llm.gguf_export import peft_to_gguf

    output = Path(output)
    if output.exists() and (
        not output.is_dir() or (any(output.iterdir()) and not (output / SUMMARY).exists())
    ):
        raise ConfigurationError(
            f"{output} exists and is not a `moodreel finetune` output: choose another --output"
        )
    started = time.perf_counter()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(seed)
    model, tokenizer = load_base(base)
    n_layers = int(model.config.num_hidden_layers)
    architecture = (model.config.architectures or [type(model).__name__])[0]
    train, held = split(examples, heldout_fraction, seed)
    train_ids = [encode(tokenizer, system, e) for e in train]
    held_ids = [encode(tokenizer, system, e) for e in held]
    config = LoraConfig(
        r=rank,
        lora_alpha=int(alpha),
        lora_dropout=0.0,
        target_modules=TARGET_MODULES,
        layers_to_transform=list(range(n_layers - layers, n_layers)) if 0 < layers < n_layers else None,
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(model, config).to(device)
    before = _mean_loss(model, held_ids, device)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
    total = epochs * len(train_ids)
    if max_steps:
        total = min(total, max_steps)
    order = random.Random(seed)
    step, epoch_losses, train_started = 0, [], time.perf_counter()
    for _ in range(epochs):
        losses = []
        for i in order.sample(range(len(train_ids)), len(train_ids)):
            if step >= total:
                break
            model.train()
            loss = _loss(model, *train_ids[i], device)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            step += 1
            losses.append(loss.item())
            if progress:
                progress(step, total, losses[-1])
        if losses:
            epoch_losses.append(sum(losses) / len(losses))
    train_seconds = time.perf_counter() - train_started
    after = _mean_loss(model, held_ids, device)
    if not all(math.isfinite(x) for x in (before, after, *epoch_losses)):
        raise MoodreelError(f"training diverged (loss {after}); try a smaller --lr")
    staging = Path(
        tempfile.mkdtemp(prefix=".finetune-", dir=output.parent if output.parent.exists() else None)
    )
    try:
        model.save_pretrained(str(staging))
        peft_to_gguf(staging, staging / ADAPTER_GGUF, architecture, n_layers)
        result = FinetuneResult(
            output=str(output),
            base=str(base),
            device=device,
            examples=len(examples),
            heldout=len(held),
            epochs=epochs,
            steps=step,
            lr=lr,
            rank=rank,
            heldout_loss_before=round(before, 4),
            heldout_loss_after=round(after, 4),
            train_loss_first_epoch=round(epoch_losses[0], 4) if epoch_losses else float("nan"),
            train_loss_last_epoch=round(epoch_losses[-1], 4) if epoch_losses else float("nan"),
            seconds=round(time.perf_counter() - started, 1),
            seconds_per_epoch=round(train_seconds / max(step, 1) * len(train_ids), 1),
        )
        (staging / SUMMARY).write_text(result.to_json() + "\n", encoding="utf-8")
        if output.exists():
            shutil.rmtree(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staging), str(output))
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return result


def adapter_file(path: Path) -> Path:
    """The GGUF LoRA for llama.cpp: ``path`` itself if it is a file, else ``path/adapter.gguf``."""
    path = Path(path).expanduser()
    target = path / ADAPTER_GGUF if path.is_dir() else path
    if not target.is_file():
        raise ConfigurationError(
            f"no LoRA adapter at {target}: set MOODREEL_LLM_ADAPTER to a `moodreel finetune` output "
            "directory or a GGUF LoRA file"
        )
    return target
