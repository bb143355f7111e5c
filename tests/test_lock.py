"""requirements.lock is what every install uses (make run, make test, .ci/run): it must hold a
version of everything pyproject.toml asks for, at a version pyproject.toml allows, pinned
exactly, and the torch the Makefile installs first (issue 19, item 1)."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

PROJECT = Path(__file__).resolve().parents[1]


def locked() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for number, line in enumerate((PROJECT / "requirements.lock").read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        assert sep and re.fullmatch(r"[A-Za-z0-9._-]+", name), (
            f"requirements.lock line {number}: {line!r} is not name==version"
        )
        pins[canonicalize_name(name)] = Version(version)
    return pins


def wanted() -> list[Requirement]:
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]]


def test_every_requirement_is_locked_at_a_version_pyproject_allows():
    pins = locked()
    problems = []
    for requirement in wanted():
        name = canonicalize_name(requirement.name)
        if name not in pins:
            problems.append(f"{requirement} is not in requirements.lock")
        elif not requirement.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{requirement}: the lock has {pins[name]}")
    assert problems == [], "pyproject.toml and requirements.lock disagree (run `make lock`): " + "; ".join(
        problems
    )


def test_the_lock_holds_the_torch_the_makefile_installs_first():
    makefile = (PROJECT / "Makefile").read_text()
    first = re.search(r"pip install -q torch==([\w.]+)", makefile)
    assert first and locked()["torch"] == Version(first.group(1))


def test_the_install_uses_the_lock():
    makefile = (PROJECT / "Makefile").read_text()
    assert "$(STAMP): pyproject.toml requirements.lock" in makefile
    assert "-r requirements.lock" in makefile and "\nlock:" in makefile


def test_the_checker_sees_a_disagreement():
    assert not Requirement("gradio>=99").specifier.contains(locked()["gradio"])
