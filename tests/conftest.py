"""Shared fixtures. Every test runs with its data, cache and store paths in tmp_path."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def isolated_paths(tmp_path, monkeypatch):
    """No test touches the real data/ store or cache; the model cache stays shared (read-only use)."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("MOODREEL_DATA_DIR", str(data))
    monkeypatch.setenv("MOODREEL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MOODREEL_MILVUS_URI", raising=False)
    monkeypatch.delenv("MOODREEL_CATALOG_PATH", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    return data


@pytest.fixture
def small_catalog(tmp_path) -> Path:
    target = tmp_path / "catalog.csv"
    shutil.copy(FIXTURES / "catalog_small.csv", target)
    return target


@pytest.fixture(scope="session")
def real_embedder():
    from moodreel.embedding import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def local_chat_model():
    from moodreel.llm.factory import make_chat_model
    from moodreel.settings import Settings

    return make_chat_model(Settings())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_ready(proc, ready, timeout_s: float, log_path: Path, kill) -> None:
    """Poll ``ready()`` until it returns True; fail (and ``kill()``) if the process dies or time runs out."""
    deadline = time.time() + timeout_s
    while True:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
        try:
            if ready():
                return
        except Exception:  # not listening yet
            pass
        if time.time() > deadline:
            kill()
            pytest.fail(f"server did not answer within {timeout_s:.0f} s; see {log_path}")
        time.sleep(1)


MILVUS_SERVER = PROJECT / ".venv-milvus" / "bin" / "milvus-server"


@pytest.fixture(scope="session")
def milvus_server(tmp_path_factory):
    """A real Milvus 2.3 standalone server (PyPI package `milvus`, installed by `make test`)."""
    if not MILVUS_SERVER.exists():
        pytest.fail(f"{MILVUS_SERVER} is missing: run `make test` (it installs the milvus server package)")
    data = tmp_path_factory.mktemp("milvus-server")
    ports = {
        name: _free_port()
        for name in ("proxy", "etcd", "root", "query", "index", "data", "qnode", "inode", "dnode", "pint")
    }
    args = [
        str(MILVUS_SERVER), "--data", str(data),
        "--proxy-port", str(ports["proxy"]), "--etcd-port", str(ports["etcd"]),
        "--root-coord-port", str(ports["root"]), "--query-coord-port", str(ports["query"]),
        "--index-coord-port", str(ports["index"]), "--data-coord-port", str(ports["data"]),
        "--query-node-port", str(ports["qnode"]), "--index-node-port", str(ports["inode"]),
        "--data-node-port", str(ports["dnode"]), "--proxy-internal-port", str(ports["pint"]),
    ]  # fmt: skip
    log = (data / "server.log").open("w")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    uri = f"http://127.0.0.1:{ports['proxy']}"
    from pymilvus import MilvusClient

    def answers() -> bool:
        MilvusClient(uri=uri, timeout=5).list_collections()
        return True

    wait_until_ready(proc, answers, 180, data / "server.log", lambda: os.killpg(proc.pid, signal.SIGKILL))
    yield uri
    # the launcher starts the real server binary from a copy under the data dir, and it can
    # outlive its process group: end both, or its fixed etcd ports block the next run
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    subprocess.run(["pkill", "-f", str(data)], check=False)
    log.close()


def run_module(*args: str, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run `python -m ...` in a subprocess, the way a user would."""
    return subprocess.run(
        [sys.executable, "-m", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
