"""Prompts are files in ``prompts/``, loaded by name and rendered strictly.

A file holds a ``[system]`` section and a ``[user]`` section; ``$name`` placeholders are
filled with ``string.Template.substitute``, so a missing variable is an error, never an
empty string. A prompt's version is the hash of its text: editing a prompt invalidates
what was cached with the old one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from moodreel.errors import PromptError
from moodreel.settings import PROJECT_ROOT

_SECTION = re.compile(r"^\[(system|user)\]\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Prompt:
    name: str
    system: str
    user: str

    @property
    def version(self) -> str:
        return hashlib.sha256((self.system + "\0" + self.user).encode()).hexdigest()[:10]

    @property
    def variables(self) -> set[str]:
        names: set[str] = set()
        for text in (self.system, self.user):
            for match in Template.pattern.finditer(text):
                name = match.group("named") or match.group("braced")
                if name:
                    names.add(name)
        return names

    def render(self, **values: object) -> list[BaseMessage]:
        missing = self.variables - values.keys()
        if missing:
            raise PromptError(f"prompt {self.name!r} is missing variables: {', '.join(sorted(missing))}")
        try:
            system = Template(self.system).substitute(values)
            user = Template(self.user).substitute(values)
        except (KeyError, ValueError) as exc:
            raise PromptError(f"prompt {self.name!r}: {exc}") from None
        return [SystemMessage(content=system), HumanMessage(content=user)]


def load_prompt(name: str, directory: Path | None = None) -> Prompt:
    path = (directory or PROJECT_ROOT / "prompts") / f"{name}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"prompt file not found: {path}") from None
    parts = _SECTION.split(text)
    sections = dict(zip(parts[1::2], (p.strip() for p in parts[2::2])))
    if "user" not in sections:
        raise PromptError(f"{path}: needs a [user] section (and optionally [system])")
    return Prompt(name=name, system=sections.get("system", ""), user=sections["user"])


def list_prompts(directory: Path | None = None) -> list[str]:
    return sorted(p.stem for p in (directory or PROJECT_ROOT / "prompts").glob("*.txt"))
