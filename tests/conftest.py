"""Shared fixtures. Every test runs with its data, cache and store paths in tmp_path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
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


# make test runs the suite on two workers (pytest-xdist, --dist loadgroup): the tests that share
# one expensive process (the Milvus server, the local LLM, a browser) stay on one worker, so it
# starts once, not once a worker; timing-sensitive tests are marked `serial` and run after.
XDIST_GROUPS = {"milvus_server": "milvus", "local_chat_model": "llm", "browser": "browser"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        group = next((g for f, g in XDIST_GROUPS.items() if f in fixtures), None)
        if group is None and item.get_closest_marker("e2e"):
            group = "browser"
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def real_embedder():
    from moodreel.embedding import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def local_chat_model():
    from moodreel.llm.factory import make_chat_model
    from moodreel.settings import Settings

    return make_chat_model(Settings())


def wait_until_ready(proc, ready, timeout_s: float, log_path: Path, kill) -> None:
    """``local_server.wait_until_ready``, failing the test instead of raising."""
    from moodreel.local_server import ServerStartError
    from moodreel.local_server import wait_until_ready as wait

    try:
        wait(proc, ready, timeout_s, log_path, kill)
    except ServerStartError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def milvus_server(tmp_path_factory):
    """A real Milvus 2.3 standalone server (PyPI package `milvus`, installed by `make test`)."""
    from moodreel.local_server import ServerStartError, milvus_server

    try:
        with milvus_server(tmp_path_factory.mktemp("milvus-server")) as uri:
            yield uri
    except ServerStartError as exc:
        pytest.fail(str(exc))


def run_module(*args: str, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run `python -m ...` in a subprocess, the way a user would."""
    return subprocess.run(
        [sys.executable, "-m", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


# ---- the real app in a real browser (tests/test_e2e_*.py) ----------------------------------------
CHROMIUM = "/usr/bin/chromium"


@contextmanager
def served_app(root: Path, env: dict[str, str], auth: tuple[str, str] | None = None) -> Iterator[str]:
    """``moodreel serve`` over the small fixture catalog in ``root`` (plus ``env``); yields its
    URL once it answers, and stops it with SIGTERM (it must be gone within 30 s)."""
    import httpx

    from moodreel.local_server import free_port

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    data = root / "data"
    data.mkdir(exist_ok=True)
    shutil.copy(FIXTURES / "catalog_small.csv", data / "netflix_titles.csv")
    shutil.copy(PROJECT / "data" / "netflix_credits.csv", data / "netflix_credits.csv")
    port = free_port()
    env = {
        **os.environ,
        "MOODREEL_DATA_DIR": str(data),
        "MOODREEL_PORT": str(port),
        "MOODREEL_CACHE_DIR": str(root / "cache"),
        **env,
    }
    with (root / "server.log").open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moodreel.cli", "serve", "--ingest-if-empty"],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        wait_until_ready(
            proc, lambda: httpx.get(url + "/api/health", auth=auth, timeout=2).status_code == 200, 300,
            root / "server.log", proc.kill,
        )  # fmt: skip
        yield url
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--disable-component-update",
            ],
        )
        yield b
        b.close()
