"""llama.cpp's extra weight buffers, off on CPUs with AMX tiles.

llama-cpp-python builds llama.cpp with ``-march=native``; on a CPU with AMX tiles (Xeon
Sapphire Rapids and later) the build then keeps the weights in ggml's AMX buffer type, and
decoding with it crashed the process with a segmentation fault (llama-cpp-python 0.3.36, the
packaged Q4 GGUF, seen on a 2-core Xeon VM: in-process and in ``llama_cpp.server``). With the
extra buffer types off (llama.cpp's ``use_extra_bufts``, the ``--no-repack`` of its CLI) the
same model decodes on the plain CPU kernels. Elsewhere (AMD EPYC here) they stay on: weight
repacking is faster where it works.

``Llama()`` takes no argument for it, so ``switch_off_extra_buffers`` wraps the low-level
``llama_model_default_params`` that every ``Llama`` of the process starts from (the CPU is the
same for all of them). ``python -m moodreel.llm.llama_server`` does the same for the server.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CPUINFO = Path("/proc/cpuinfo")


def has_amx_tiles(cpuinfo: Path = CPUINFO) -> bool:
    """True when the CPU flags list ``amx_tile`` (False where the file cannot be read)."""
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return False
    return any(
        line.startswith("flags") and "amx_tile" in line.split(":", 1)[-1].split()
        for line in text.splitlines()
    )


def extra_buffers_wanted(setting: bool | None, cpuinfo: Path = CPUINFO) -> bool:
    """The setting when given, else on unless the CPU has AMX tiles."""
    return (not has_amx_tiles(cpuinfo)) if setting is None else setting


def switch_off_extra_buffers(low_level: Any = None) -> bool:
    """Make every later ``Llama`` of this process load without extra buffer types. Returns
    False when it already was (idempotent). ``low_level``: ``llama_cpp.llama_cpp`` (tests pass a fake)."""
    if low_level is None:
        import llama_cpp.llama_cpp as low_level
    defaults = low_level.llama_model_default_params
    if getattr(defaults, "moodreel_no_extra_buffers", False):
        return False

    @functools.wraps(defaults)
    def without_extra_buffers() -> Any:
        params = defaults()
        params.use_extra_bufts = False
        return params

    without_extra_buffers.moodreel_no_extra_buffers = True  # type: ignore[attr-defined]
    low_level.llama_model_default_params = without_extra_buffers
    log.info("llama.cpp: extra weight buffers off (this CPU has AMX tiles)")
    return True


def prepare_llama_cpp(setting: bool | None = None, cpuinfo: Path = CPUINFO, low_level: Any = None) -> bool:
    """Before the first ``Llama``: extra buffers off where they are not wanted. True when they are on."""
    wanted = extra_buffers_wanted(setting, cpuinfo)
    if not wanted:
        switch_off_extra_buffers(low_level)
    return wanted
