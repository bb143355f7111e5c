"""Fine-tuning (issue 15), the fast part: the training file's checks (a bad line named by
number, nothing written), the held-out split, the GGUF LoRA layout llama.cpp reads, and where
the adapter setting is refused. Training and llama.cpp loading the adapter:
tests/test_finetune_integration.py."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from moodreel.errors import ConfigurationError
from moodreel.llm.finetune import Example, ExamplesError, adapter_file, read_examples, split
from moodreel.llm.gguf_export import write_lora_gguf
from moodreel.settings import PROJECT_ROOT, Settings

GOOD = json.dumps({"prompt": "Title: Seinfeld", "completion": "A show about nothing, for you."})


@pytest.mark.parametrize(
    "bad, message",
    [
        ("not json", "line 2: not JSON (Expecting value, column 1)"),
        ('["a", "b"]', "line 2: expected an object with prompt and completion"),
        ('{"prompt": "x"}', "line 2: completion: Field required"),
        ('{"prompt": "x", "completion": "  "}', "line 2: completion: Value error, must not be empty"),
        ('{"prompt": 3, "completion": "y"}', "line 2: prompt: Input should be a valid string"),
        ('{"prompt": "x", "completion": "y", "extra": 1}', "line 2: extra: Extra inputs are not permitted"),
    ],
)
def test_a_bad_line_is_named_by_number(tmp_path, bad, message):
    path = tmp_path / "train.jsonl"
    path.write_text(f"{GOOD}\n{bad}\n\n{GOOD}\n", encoding="utf-8")
    with pytest.raises(ExamplesError) as err:
        read_examples(path)
    assert f"{path} {message}" in str(err.value)


def test_whole_file_problems(tmp_path):
    with pytest.raises(ExamplesError, match="no such file"):
        read_examples(tmp_path / "missing.jsonl")
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes('{"prompt": "café"}'.encode("latin-1"))
    with pytest.raises(ExamplesError, match="not UTF-8"):
        read_examples(latin)
    one = tmp_path / "one.jsonl"
    one.write_text(GOOD + "\n")
    with pytest.raises(ExamplesError, match="1 example"):
        read_examples(one)


def test_the_shipped_sample_is_valid_and_about_thirty_examples():
    examples = read_examples(PROJECT_ROOT / "data" / "finetune_sample.jsonl")
    assert 25 <= len(examples) <= 40
    assert all("Title:" in e.prompt and len(e.completion.split()) >= 8 for e in examples)


def test_cli_names_the_bad_line_and_writes_nothing(tmp_path):
    from moodreel.cli import app

    data = tmp_path / "train.jsonl"
    data.write_text(f"{GOOD}\n{GOOD}\n{{broken\n", encoding="utf-8")
    out = tmp_path / "adapter"
    result = CliRunner().invoke(app, ["finetune", "--data", str(data), "--output", str(out), "--epochs", "1"])
    assert result.exit_code != 0 and "line 3: not JSON" in result.output
    assert not out.exists()


def test_split_holds_out_a_fixed_slice():
    examples = [Example(prompt=f"p{i}", completion=f"c{i}") for i in range(30)]
    train, held = split(examples, 0.1, seed=0)
    assert len(held) == 3 and len(train) == 27 and not {e.prompt for e in held} & {e.prompt for e in train}
    assert split(examples, 0.1, seed=0) == (train, held)
    train, held = split(examples[:2], 0.5, seed=0)
    assert len(train) == len(held) == 1


def test_lora_gguf_has_the_names_shapes_and_keys_llama_cpp_reads(tmp_path):
    import gguf

    rng = np.random.default_rng(0)
    tensors = {
        "base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight": rng.normal(size=(4, 64)),
        "base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight": rng.normal(size=(64, 4)),
        "base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight": rng.normal(size=(4, 64)),
        "base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight": rng.normal(size=(32, 4)),
    }
    path = write_lora_gguf(tensors, 16.0, "Qwen2ForCausalLM", 2, tmp_path / "a.gguf")
    reader = gguf.GGUFReader(str(path))
    fields = {k: f.contents() for k, f in reader.fields.items() if not k.startswith("GGUF.")}
    assert fields["general.type"] == "adapter" and fields["adapter.type"] == "lora"
    assert fields["general.architecture"] == "qwen2" and fields["adapter.lora.alpha"] == 16.0
    shapes = {t.name: list(reversed(t.shape.tolist())) for t in reader.tensors}
    assert shapes == {
        "blk.0.attn_v.weight.lora_a": [4, 64],
        "blk.0.attn_v.weight.lora_b": [32, 4],
        "blk.1.attn_q.weight.lora_a": [4, 64],
        "blk.1.attn_q.weight.lora_b": [64, 4],
    }
    got = next(t for t in reader.tensors if t.name == "blk.1.attn_q.weight.lora_b")
    assert np.allclose(
        np.asarray(got.data), tensors["base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight"]
    )
    with pytest.raises(ConfigurationError, match="has only lora_A"):
        write_lora_gguf(dict(list(tensors.items())[:1]), 16.0, "Qwen2ForCausalLM", 2, tmp_path / "b.gguf")
    with pytest.raises(ConfigurationError, match="cannot write a GGUF for architecture 'GPT2'"):
        write_lora_gguf(tensors, 16.0, "GPT2", 2, tmp_path / "c.gguf")


def test_adapter_setting_is_checked_where_it_is_used(tmp_path):
    from moodreel.llm.factory import make_chat_model

    with pytest.raises(ConfigurationError, match="no LoRA adapter at .*adapter.gguf"):
        adapter_file(tmp_path)
    (tmp_path / "adapter.gguf").write_bytes(b"GGUF")
    assert adapter_file(tmp_path) == tmp_path / "adapter.gguf"
    with pytest.raises(ConfigurationError, match="vLLM: --enable-lora --lora-modules"):
        make_chat_model(Settings(llm_backend="openai", llm_adapter=tmp_path))


def test_finetune_refuses_to_overwrite_a_directory_it_did_not_write(tmp_path):
    from moodreel.llm.finetune import finetune

    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    examples = [Example(prompt="p", completion="c")] * 2
    with pytest.raises(ConfigurationError, match="is not a `moodreel finetune` output"):
        finetune(examples, tmp_path / "no-base", out)
    assert (out / "notes.txt").read_text() == "keep me"
