"""llama.cpp's extra weight buffers go off on a CPU with AMX tiles, and only there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from moodreel.llm.cpu_quirks import extra_buffers_wanted, has_amx_tiles, prepare_llama_cpp

XEON = "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Platinum 8481C\nflags\t\t: fpu avx512f amx_bf16 amx_tile amx_int8\n"
EPYC = "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu avx2 avx512f\nbugs\t\t: amx_tile_is_not_a_flag_here\n"


def cpuinfo(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cpuinfo"
    path.write_text(text)
    return path


def fake_low_level() -> SimpleNamespace:
    """The one function of ``llama_cpp.llama_cpp`` the quirk wraps: a fresh params record per call."""
    return SimpleNamespace(
        llama_model_default_params=lambda: SimpleNamespace(use_extra_bufts=True, n_gpu_layers=0)
    )


def test_amx_tiles_are_read_from_the_flags_line_only(tmp_path):
    assert has_amx_tiles(cpuinfo(tmp_path, XEON))
    assert not has_amx_tiles(cpuinfo(tmp_path, EPYC))
    assert not has_amx_tiles(tmp_path / "missing")


def test_the_setting_wins_over_the_cpu(tmp_path):
    xeon, epyc = cpuinfo(tmp_path, XEON), tmp_path / "epyc"
    epyc.write_text(EPYC)
    assert extra_buffers_wanted(None, xeon) is False
    assert extra_buffers_wanted(None, epyc) is True
    assert extra_buffers_wanted(True, xeon) is True
    assert extra_buffers_wanted(False, epyc) is False


def test_on_an_amx_cpu_every_later_model_loads_without_extra_buffers(tmp_path):
    low_level = fake_low_level()
    assert prepare_llama_cpp(None, cpuinfo(tmp_path, XEON), low_level) is False
    first, second = low_level.llama_model_default_params(), low_level.llama_model_default_params()
    assert first.use_extra_bufts is False and second.use_extra_bufts is False
    assert first is not second and first.n_gpu_layers == 0  # the rest of the defaults kept
    wrapped = low_level.llama_model_default_params
    prepare_llama_cpp(None, cpuinfo(tmp_path, XEON), low_level)  # twice: wrapped once
    assert low_level.llama_model_default_params is wrapped


def test_elsewhere_the_defaults_are_left_alone(tmp_path):
    low_level = fake_low_level()
    original = low_level.llama_model_default_params
    assert prepare_llama_cpp(None, cpuinfo(tmp_path, EPYC), low_level) is True
    assert low_level.llama_model_default_params is original
    assert low_level.llama_model_default_params().use_extra_bufts is True


def test_the_real_llama_cpp_defaults_get_switched_off_in_a_fresh_process():
    """Against the installed llama-cpp-python: the field exists and the wrapper reaches it."""
    pytest.importorskip("llama_cpp")
    code = (
        "import llama_cpp.llama_cpp as ll\n"
        "from moodreel.llm.cpu_quirks import switch_off_extra_buffers\n"
        "assert ll.llama_model_default_params().use_extra_bufts\n"
        "assert switch_off_extra_buffers()\n"
        "assert not switch_off_extra_buffers()\n"
        "print(ll.llama_model_default_params().use_extra_bufts)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
