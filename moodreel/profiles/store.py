"""Profiles and feedback on disk, under pseudonyms: nothing here ever holds a raw user id.

``pid = HMAC-SHA256(secret, user_id)``; the secret is made once, kept in
``state_dir/viewer_secret.key`` with mode 0600. Profiles live in
``state_dir/profiles/<pid>.json``, 👍/👎 in ``state_dir/profiles/feedback/<pid>.json``, the
titles marked "Not interested" beside them in ``feedback/<pid>.hidden.json``, saved searches
in ``feedback/<pid>.saved.json``.
``forget`` removes all of them, and any half-written ``<pid>.tmp`` left by a crash.

What a profile file holds (``ViewerProfile``): the matched catalog titles with the rating and
completion the history gave each (and the catalog's year, countries, runtime and votes of
each), the 👍/👎 votes, and what is derived from them (genre scores, favourite feelings, liked
and disliked titles, viewer type, taste vector, habits). Not the
user id, not the names that matched no title, not watch minutes, not the uploaded file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from moodreel.errors import ProfileLimitError
from moodreel.profiles.profile import ViewerProfile

SECRET_FILE = "viewer_secret.key"


class ProfileStore:
    """Viewers' profiles and votes, one file each, named by a pseudonym. At most
    ``max_profiles`` viewers are kept (None: no limit): any client can send new user ids, and
    each would otherwise leave a file for good."""

    def __init__(self, state_dir: Path, max_profiles: int | None = None) -> None:
        self.state_dir = Path(state_dir)
        self.root = self.state_dir / "profiles"
        self.max_profiles = max_profiles
        self._secret: bytes | None = None

    @property
    def secret(self) -> bytes:
        if self._secret is None:
            path = self.state_dir / SECRET_FILE
            if not path.exists():
                self.state_dir.mkdir(parents=True, exist_ok=True)
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                except FileExistsError:  # another process made it first
                    pass
                else:
                    with os.fdopen(fd, "w") as f:
                        f.write(secrets.token_hex(32))
            self._secret = bytes.fromhex(path.read_text().strip())
        return self._secret

    def pid(self, user_id: str) -> str:
        return hmac.new(self.secret, user_id.encode("utf-8"), hashlib.sha256).hexdigest()

    def _profile_path(self, pid: str) -> Path:
        return self.root / f"{pid}.json"

    def _feedback_path(self, pid: str) -> Path:
        return self.root / "feedback" / f"{pid}.json"

    def load(self, pid: str) -> ViewerProfile | None:
        path = self._profile_path(pid)
        if not path.exists():
            return None
        try:
            return ViewerProfile.model_validate_json(path.read_text(encoding="utf-8"))
        except ValueError:  # an old or damaged cache entry is rebuilt, not trusted
            return None

    def save(self, profile: ViewerProfile) -> None:
        path = self._profile_path(profile.pid)
        if self.max_profiles is not None and not path.exists():
            kept = sum(1 for _ in self.root.glob("*.json")) if self.root.is_dir() else 0
            if kept >= self.max_profiles:
                raise ProfileLimitError(
                    f"this server keeps at most {self.max_profiles:,} viewers and has {kept:,}: forget some "
                    "(moodreel forget-user) or raise MOODREEL_MAX_PROFILES"
                )
        _write(path, profile.model_dump_json())

    def feedback(self, pid: str) -> dict[str, int]:
        path = self._feedback_path(pid)
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def save_feedback(self, pid: str, votes: dict[str, int]) -> None:
        _write(self._feedback_path(pid), json.dumps(votes, sort_keys=True))

    def _hidden_path(self, pid: str) -> Path:
        return self.root / "feedback" / f"{pid}.hidden.json"

    def hidden(self, pid: str) -> list[str]:
        """The ids this viewer marked "Not interested", oldest first."""
        path = self._hidden_path(pid)
        return list(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else []

    def save_hidden(self, pid: str, ids: list[str]) -> None:
        _write(self._hidden_path(pid), json.dumps(list(dict.fromkeys(ids))))

    def _saved_path(self, pid: str) -> Path:
        return self.root / "feedback" / f"{pid}.saved.json"

    def saved(self, pid: str) -> dict:
        """The viewer's saved searches as stored (``query.saved.SavedSearches``' JSON), or {}."""
        path = self._saved_path(pid)
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def save_saved(self, pid: str, data: dict) -> None:
        _write(self._saved_path(pid), json.dumps(data, ensure_ascii=False))

    def forget(self, user_id: str) -> list[Path]:
        """Delete everything kept about this viewer; returns what was removed."""
        pid = self.pid(user_id)
        removed = []
        for folder in (self.root, self.root / "feedback"):
            for path in sorted(folder.glob(f"{pid}.*")):  # .json, .hidden.json, a .tmp a crash left
                path.unlink()
                removed.append(path)
        return removed


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)
