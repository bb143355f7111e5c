"""``python -m moodreel.llm.llama_server ARGS``: ``python -m llama_cpp.server ARGS`` with
llama.cpp's extra weight buffers off where the CPU needs it (``moodreel.llm.cpu_quirks``).
``MOODREEL_LLM_EXTRA_BUFFERS=true``/``false`` forces them on or off (the settings' field)."""

from __future__ import annotations

import runpy


def main() -> None:
    from moodreel.llm.cpu_quirks import prepare_llama_cpp
    from moodreel.settings import Settings

    prepare_llama_cpp(Settings().llm_extra_buffers)
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
