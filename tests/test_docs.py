"""The docs and deployment files say what is true.

- docker-compose.yml: Milvus standalone (v2.5+) with etcd and MinIO, health checks, named
  volumes, port 19530, and the app built from the Dockerfile and pointed at the milvus service.
- .env.example and the compose file name only real settings.
- README: the listed sections in order, the configuration table generated from the settings
  class, and every command in its ```bash blocks known: the fast ones run as written in a
  fresh-clone sandbox (integration), the rest at least parse.
- docs/architecture.md names modules that exist.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from moodreel.settings import Settings, env_vars, settings_table
from tests.conftest import FIXTURES, PROJECT

README = PROJECT / "README.md"
COMPOSE = PROJECT / "docker-compose.yml"
SETTINGS = env_vars()  # MOODREEL_X -> field


def readme() -> str:
    return README.read_text(encoding="utf-8")


# ---- docker-compose.yml ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _default(value: object) -> str:
    """``${VAR:-default}`` -> default (what compose uses when VAR is unset)."""
    text = str(value)
    match = re.fullmatch(r"\$\{(\w+)(?::?-(.*))?\}", text)
    return (match.group(2) or "") if match else text


def _ports(service: dict) -> list[tuple[str, str]]:
    """(host port, container port) of each published port."""
    out = []
    for spec in service.get("ports", []):
        parts = str(spec).split(":")
        out.append((parts[-2], parts[-1]))
    return out


def test_compose_has_milvus_standalone_with_etcd_and_minio(compose):
    services = compose["services"]
    assert {"milvus", "etcd", "minio", "app"} <= set(services)
    milvus = services["milvus"]
    image, _, tag = milvus["image"].partition(":")
    assert image == "milvusdb/milvus"
    version = re.match(r"v(\d+)\.(\d+)", tag)
    assert version and (int(version[1]), int(version[2])) >= (2, 5), tag
    assert "standalone" in milvus["command"]
    assert ("19530", "19530") in _ports(milvus)
    assert milvus["environment"]["ETCD_ENDPOINTS"] == "etcd:2379"
    assert milvus["environment"]["MINIO_ADDRESS"] == "minio:9000"
    for dependency in ("etcd", "minio"):
        assert milvus["depends_on"][dependency]["condition"] == "service_healthy"


def test_compose_images_are_pinned_and_ports_are_the_documented_ones(compose):
    services = compose["services"]
    expected = {"etcd": "quay.io/coreos/etcd", "minio": "minio/minio", "milvus": "milvusdb/milvus"}
    for name, image in expected.items():
        repository, _, tag = services[name]["image"].rpartition(":")
        assert repository == image, services[name]["image"]
        assert tag and tag != "latest", f"{name}: pin a version, not {tag or 'no tag'}"
    assert ("9091", "9091") in _ports(services["milvus"])  # the health endpoint the check polls
    assert "9091/healthz" in " ".join(services["milvus"]["healthcheck"]["test"])
    # the page is published on the host's loopback only (MOODREEL_AUTH is off by default)
    assert [str(p) for p in services["app"]["ports"]] == ["127.0.0.1:7860:7860"]
    assert "image" not in services["app"] and services["app"]["build"]


def test_architecture_says_how_to_move_to_a_cluster_with_the_same_uri_setting():
    text = (PROJECT / "docs" / "architecture.md").read_text(encoding="utf-8")
    scale = re.search(r"^## Scale\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert scale, "docs/architecture.md lost its Scale section"
    body = scale.group(1)
    for needed in (
        "Milvus Operator",
        "Helm",
        "MOODREEL_MILVUS_URI",
        "MOODREEL_MILVUS_TOKEN",
        "bench/scale.py",
    ):
        assert needed in body, needed


def test_compose_services_have_health_checks_and_named_volumes(compose):
    declared = set(compose.get("volumes") or {})
    for name in ("etcd", "minio", "milvus", "app"):
        service = compose["services"][name]
        assert service["healthcheck"]["test"], f"{name} has no health check"
        named = [str(v).split(":")[0] for v in service.get("volumes", [])]
        assert named and all(v in declared for v in named), f"{name}: volumes {named} not all named"
    used = {str(v).split(":")[0] for s in compose["services"].values() for v in s.get("volumes", [])}
    assert used <= declared


def test_compose_app_is_built_here_and_points_at_the_milvus_service(compose):
    app = compose["services"]["app"]
    context = PROJECT / (app["build"] if isinstance(app["build"], str) else app["build"]["context"])
    assert (context / "Dockerfile").exists()
    env = {k: str(v) for k, v in app["environment"].items()}
    uri = urlparse(env["MOODREEL_MILVUS_URI"])
    assert (uri.scheme, uri.hostname, uri.port) == ("http", "milvus", 19530)
    assert app["depends_on"]["milvus"]["condition"] == "service_healthy"
    unknown = [k for k in env if k not in SETTINGS]
    assert not unknown, f"not settings: {unknown}"
    # compose's defaults make a valid configuration
    settings = Settings(**{SETTINGS[k]: _default(v) for k, v in env.items()})
    assert settings.host == "0.0.0.0"
    assert str(settings.port) in {container for _, container in _ports(app)}
    # the optional LLM service: the app's default endpoint is that service
    llm = urlparse(_default(env["MOODREEL_OPENAI_BASE_URL"]))
    assert llm.hostname in compose["services"]
    assert compose["services"][llm.hostname].get("profiles"), "the LLM service is optional"


def test_dockerfile_serves_the_app_and_the_image_leaves_local_state_out():
    dockerfile = (PROJECT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^CMD .*moodreel.*serve", dockerfile, re.M)
    assert "EXPOSE 7860" in dockerfile
    ignored = (PROJECT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", ".env", ".git", "data/*.db", "data/cache"} <= set(ignored)


def test_env_example_names_only_real_settings():
    text = (PROJECT / ".env.example").read_text(encoding="utf-8")
    found = dict(re.findall(r"^#?\s*(MOODREEL_\w+)=(.*)$", text, re.M))
    assert found
    unknown = sorted(set(found) - set(SETTINGS))
    assert not unknown, f".env.example names unknown settings: {unknown}"
    Settings(**{SETTINGS[k]: v for k, v in found.items()})  # and its example values are valid


# ---- README: sections, table, links ---------------------------------------------------------
SECTIONS = [  # the order; other sections may sit in between
    "Two commands",
    "What happens on the first run",
    "Configuration",
    "Using an LLM endpoint or a Milvus server",
    "Ingesting your own catalog",
    "HTTP API",
    "Privacy",
    "Benchmarks",
]


def sections() -> dict[str, str]:
    parts = re.split(r"^## (.+)$", readme(), flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def test_readme_sections_in_order():
    text = readme()
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert set(SECTIONS) <= set(headings), set(SECTIONS) - set(headings)
    positions = [headings.index(name) for name in SECTIONS]
    assert positions == sorted(positions), f"README sections out of order: {headings}"
    # "what it is", with a screenshot, comes before the first section
    intro = text[: text.index("\n## ")]
    assert "![" in intro and (PROJECT / "docs" / "screenshot.png").exists()
    body = sections()
    for name in ("OpenAI", "vLLM", "Ollama", "llama.cpp", "Milvus", "docker compose"):
        assert name in body["Using an LLM endpoint or a Milvus server"], name
    assert "forget-user" in body["Privacy"]
    assert "(bench/RESULTS.md)" in body["Benchmarks"]
    assert "seconds" in body["What happens on the first run"]


def test_readme_configuration_table_is_generated_from_the_settings():
    block = re.search(r"<!-- settings table.*?-->\n(.*?)<!-- end of settings table -->", readme(), re.S)
    assert block, "README lost the settings table markers"
    assert block.group(1) == settings_table(), (
        "README's settings table is stale: replace it with the output of "
        "`.venv/bin/python -m moodreel.settings`"
    )
    listed = re.findall(r"^\| `(MOODREEL_\w+)` \|", block.group(1), re.M)
    assert listed == list(SETTINGS)


def test_readme_and_architecture_links_exist():
    for doc in (README, PROJECT / "docs" / "architecture.md"):
        for target in re.findall(r"\]\(([^)#]+)\)", doc.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://")):
                continue
            if target == "bench/RESULTS.md":  # written by the benchmark scripts (bench/)
                continue
            assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"


def test_architecture_names_real_modules_and_every_stage():
    text = (PROJECT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert "```mermaid" in text
    paths = set(re.findall(r"\b((?:moodreel|ingest|notebooks)/[\w/]*(?:\.\w+)?)", text))
    assert len(paths) > 20
    missing = sorted(p for p in paths if not (PROJECT / p).exists())
    assert not missing, f"docs/architecture.md names missing files: {missing}"
    for stage in ("Ingest", "Store", "Search", "Rank", "Pitch"):
        assert re.search(rf"^## {stage}$", text, re.M), stage


# ---- README commands ------------------------------------------------------------------------
def readme_commands() -> list[list[str]]:
    """Every command in the README's ```bash blocks, as argv lists (``a && b`` is two)."""
    commands = []
    for block in re.findall(r"^```(?:bash|sh|shell)\n(.*?)^```", readme(), re.M | re.S):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            while words:
                end = words.index("&&") if "&&" in words else len(words)
                commands.append(words[:end])
                words = words[end + 1 :]
    return [c for c in commands if c]


def _env_prefix(argv: list[str]) -> tuple[dict[str, str], list[str]]:
    env = {}
    while argv and re.fullmatch(r"[A-Z_]+=.*", argv[0]):
        key, _, value = argv[0].partition("=")
        env[key] = value
        argv = argv[1:]
    return env, argv


def _click_parse(app, prog: str, args: list[str]) -> None:
    """Parse ``args`` as the CLI would, without running anything (a bad option or command raises)."""
    import typer.main

    command = typer.main.get_command(app)
    try:
        if hasattr(command, "resolve_command") and not args[0].startswith("-"):  # `moodreel <command> ...`
            ctx = command.context_class(command, info_name=prog)
            sub = command.get_command(ctx, args[0])
            assert sub is not None, f"{prog}: no command {args[0]!r}"
            sub.make_context(args[0], list(args[1:]), parent=ctx)
        else:
            command.make_context(prog, list(args))
    except Exception as exc:  # typer's own (vendored) click exceptions
        if type(exc).__name__ == "Exit" and getattr(exc, "exit_code", 1) == 0:
            return  # --help
        raise


INPUT_OPTIONS = ("--history", "--catalog")
EXTERNAL_TOOLS = {"vllm", "ollama"}  # documented servers, not part of this project


def classify(argv: list[str]) -> str:
    """What a README command is; raise if the test does not know it."""
    argv = _env_prefix(argv)[1]
    tool = argv[0]
    if tool == "make":
        return "make"
    if tool == "export":
        return "export"
    if tool == "docker" and argv[1] == "compose":
        return "compose"
    if tool == "curl":
        return "curl"
    if tool in EXTERNAL_TOOLS:
        return "external"
    if tool == ".venv/bin/moodreel":
        return "moodreel"
    if tool == ".venv/bin/python" and argv[1:3] == ["-m", "ingest"]:
        return "ingest"
    if tool == ".venv/bin/python" and argv[1:] == ["-m", "moodreel.settings"]:
        return "settings"
    if tool == ".venv/bin/python" and argv[1:3] == ["-m", "llama_cpp.server"]:
        return "external"  # needs the llama-cpp-python[server] extra the README installs first
    if tool == ".venv/bin/pip" and argv[1] == "install":
        return "pip"
    if tool in (".venv/bin/jupyter-execute", ".venv/bin/jupyter"):
        return "notebook"  # tests/test_notebook.py runs the notebook itself
    raise AssertionError(f"README command not known to tests/test_docs.py: {shlex.join(argv)}")


def is_fast(argv: list[str]) -> bool:
    """Commands the integration test runs as written (seconds each, no LLM)."""
    kind = classify(argv)
    if _env_prefix(argv)[0]:
        return False
    if kind == "settings" or (kind in ("moodreel", "ingest") and "--help" in argv):
        return True
    if kind == "moodreel":
        sub = argv[1]
        return sub in ("stats", "mood", "forget-user") or (
            sub == "recommend" and "--no-pitch" in argv and "--user" not in argv
        )
    if kind == "ingest":
        catalog = argv[argv.index("--catalog") + 1] if "--catalog" in argv else ""
        return "fast" in argv and catalog.startswith("tests/fixtures/")
    return False


def makefile_targets() -> set[str]:
    text = (PROJECT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([\w-]+):", text, re.M))


def test_readme_has_commands_and_the_fast_ones_include_the_basics():
    commands = readme_commands()
    assert len(commands) > 20
    fast = [shlex.join(c) for c in commands if is_fast(c)]
    for expected in ("moodreel --help", "-m ingest --help", "moodreel stats", "--json --no-pitch"):
        assert any(expected in c for c in fast), expected


@pytest.mark.parametrize("argv", readme_commands(), ids=shlex.join)
def test_readme_command_is_known_and_parses(argv, compose):
    env, argv = _env_prefix(argv)
    assert set(env) <= set(SETTINGS), env
    kind = classify(argv)
    if kind == "make":
        assert set(argv[1:]) <= makefile_targets()
    elif kind == "export":
        values = dict(word.partition("=")[::2] for word in argv[1:])
        assert set(values) <= set(SETTINGS), values
        Settings(**{SETTINGS[k]: v for k, v in values.items()})
    elif kind == "compose":
        words = argv[2:]
        profiles = {p for s in compose["services"].values() for p in s.get("profiles", [])}
        positional = []
        i = 0
        while i < len(words):
            if words[i] == "--profile":
                assert words[i + 1] in profiles
                i += 2
                continue
            if not words[i].startswith("-"):
                positional.append(words[i])
            i += 1
        sub, names = positional[0], positional[1:]
        assert sub in {"up", "down", "logs", "exec", "ps", "build", "pull", "config", "stop"}
        if sub == "exec":
            names = names[:1]  # then the command run inside the container
        assert set(names) <= set(compose["services"]), names
    elif kind == "moodreel":
        from moodreel.cli import app

        _click_parse(app, "moodreel", argv[1:])
    elif kind == "ingest":
        from moodreel.ingestion.cli import app

        _click_parse(app, "python -m ingest", argv[3:])
    elif kind == "notebook":
        assert (PROJECT / argv[-1]).exists()
    elif kind == "curl":  # test_readme_curl_calls_answer sends them
        assert urlparse(next(w for w in argv if w.startswith("http"))).path.startswith("/api/")
    for option in INPUT_OPTIONS:
        if option in argv:
            assert (PROJECT / argv[argv.index(option) + 1]).exists(), f"{option} file is missing"


def test_readme_curl_calls_answer(tmp_path):
    """The README's curl lines, sent to the API (over small fakes): right routes, valid bodies,
    the filters they pass honoured and the JSON contract kept."""
    from fastapi.testclient import TestClient

    from moodreel.application import Moodreel
    from moodreel.mood.base import MoodParse
    from moodreel.records import Title
    from moodreel.search.recommender import Recommender
    from moodreel.server import create_api
    from moodreel.services import build_services
    from tests.fakes import DictStore, HashEmbedder, QueueChatModel, index_titles

    class Amused:
        name = "fixed"

        def parse(self, text):
            return MoodParse(emotions=["amusement"], parser=self.name)

    def title(id_, type_, genres, runtime):
        return Title(id=id_, title=id_.upper(), type=type_, genres=genres, runtime=runtime, release_year=2000)

    catalog = [
        (title("short-comedy", "MOVIE", ("comedy",), 95), ["amusement", "joy", "laughter"]),
        (title("short-horror", "MOVIE", ("horror",), 90), ["dread", "fear", "terror"]),
        (title("long-comedy", "MOVIE", ("comedy",), 150), ["amusement", "joy", "laughter"]),
        (title("comedy-show", "SHOW", ("comedy",), 30), ["amusement", "joy", "laughter"]),
        (Title(id="tm92641", title="Inception", type="MOVIE", genres=("scifi",)), ["awe", "curiosity"]),
        (title("tm84618", "MOVIE", ("drama", "crime"), 114), ["loneliness", "anger", "dread"]),
    ]
    embedder, store = HashEmbedder(), DictStore()
    index_titles(store, embedder, catalog)
    settings = Settings(data_dir=tmp_path, pitch_timeout_s=5)
    services = build_services(settings, embedder=embedder, store=store, chat_model=QueueChatModel())
    app = Moodreel(services, Recommender.from_services(services, Amused()))
    api = create_api(app, services.settings, with_ui=False)
    client = TestClient(api)
    calls = [c for c in readme_commands() if c[0] == "curl"]
    assert calls
    from tests.contracts import RESULT_KEYS as result_keys

    runtimes = {t.id: (t.type, t.runtime) for t, _ in catalog}
    for argv in calls:
        url = next(w for w in argv if w.startswith("http"))
        path = urlparse(url).path
        if "-d" in argv:
            body = json.loads(argv[argv.index("-d") + 1])
            response = client.post(path, json=body)
        else:
            query = urlparse(url).query
            body, response = None, client.get(f"{path}?{query}" if query else path)
        assert response.status_code == 200, (shlex.join(argv), response.text)
        if path.startswith("/api/poster/"):
            assert response.headers["content-type"] == "image/png" and response.content[:4] == b"\x89PNG"
        if path == "/api/recommend":
            answer = response.json()
            assert {"feelings", "avoid", "topics"} <= set(answer["understood"]), answer
            results = answer["results"]
            assert results and all(set(r) == result_keys for r in results), results
            filters = body.get("filters", {})
            for r in results:  # the filters the README passes are honoured
                type_, runtime = runtimes[r["id"]]
                assert "type" not in filters or type_ == filters["type"]
                assert "max_runtime" not in filters or runtime <= filters["max_runtime"]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> tuple[Path, dict]:
    """A fresh-clone look-alike: the tracked files (linked), an empty data/ store, this .venv."""
    root = tmp_path_factory.mktemp("clone")
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT, capture_output=True, text=True, check=True
    ).stdout.split()
    for top in sorted({p.split("/")[0] for p in tracked} - {"data"}):
        (root / top).symlink_to(PROJECT / top)
    for path in (p for p in tracked if p.startswith("data/")):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).symlink_to(PROJECT / path)
    (root / ".venv").symlink_to(PROJECT / ".venv")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOODREEL_")}
    env["MOODREEL_DATA_DIR"] = str(root / "data")  # the package's own default is the real data/
    # `make run` ingests the whole bundled catalog into data/moodreel.db; a small one will do here
    done = subprocess.run(
        [".venv/bin/python", "-m", "ingest", "--catalog", str(FIXTURES / "catalog_small.csv"),
         "--extractor", "fast"], cwd=root, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return root, env


@pytest.mark.integration
def test_fast_readme_commands_run_as_written(sandbox):
    root, env = sandbox
    ran = []
    for argv in readme_commands():
        if not is_fast(argv):
            continue
        done = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{shlex.join(argv)} failed:\n{done.stderr[-2000:]}"
        if "--json" in argv:
            body = json.loads(done.stdout)
            if argv[1] == "recommend":
                assert body["results"], shlex.join(argv)
            if argv[1] == "stats":
                assert body["titles"] > 0, shlex.join(argv)
        ran.append(shlex.join(argv))
    assert len(ran) >= 8, ran
