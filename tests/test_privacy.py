"""A viewer's traces (issue 13, item 6): an uploaded watch history is deleted once read and never
served back; forget-user removes every file kept about the viewer; a profile file holds what
the README says and nothing more."""

from __future__ import annotations

import json
from pathlib import Path

import gradio as gr
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from moodreel.application import Moodreel
from moodreel.server import create_api
from tests.test_profiles import horror_fan_rows, make_recommender, make_services

HEADER = "user_id,content_name,rating,watch_time_minutes\n"


def upload(folder: Path, text: str) -> Path:
    """A file where the page's upload puts it: a folder of its own under the upload folder."""
    path = folder / "5f1e2d" / "history.csv"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


def history_csv(user: str = "alice@example.com") -> str:
    rows = [f"{user},Horror Story {i},5,100" for i in range(8)] + [f"{user},Nothing Like It,4,30"]
    return HEADER + "\n".join(rows) + "\n"


def test_an_uploaded_history_is_deleted_once_read(tmp_path):
    from moodreel.webapp import viewer_handler

    app = Moodreel(make_services(tmp_path), None)
    path = upload(tmp_path / "uploads", history_csv())
    uid, status = viewer_handler(app, None, tmp_path / "uploads")(None, str(path), "alice@example.com")
    assert uid == "alice@example.com" and "1 titles not matched" in status
    assert not path.exists() and not path.parent.exists()
    assert app.load_viewer(uid).seen_ids  # the profile was kept; the file was not


def test_an_unusable_upload_is_deleted_too(tmp_path):
    from moodreel.webapp import viewer_handler

    app = Moodreel(make_services(tmp_path), None)
    path = upload(tmp_path / "uploads", "user_id,title\nalice,Jaws\n")
    with pytest.raises(gr.Error, match="no column 'content_name'"):
        viewer_handler(app, None, tmp_path / "uploads")(None, str(path), "alice")
    assert not path.exists()


def test_the_upload_folder_is_never_served(tmp_path, monkeypatch):
    folder = tmp_path / "gradio-uploads"
    folder.mkdir()
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(folder))
    services = make_services(tmp_path)
    client = TestClient(create_api(Moodreel(services, make_recommender(services)), services.settings))
    path = upload(folder, history_csv())
    for url in (
        f"/gradio_api/file={path}",
        f"/gradio_api/file={str(path).replace('/', '%2F')}",
        f"/gradio_api/file={tmp_path}/elsewhere/../gradio-uploads/5f1e2d/history.csv",
        f"/file={path}",
        "/gradio_api/file=/tmp/%00nul",
    ):
        response = client.get(url)
        assert response.status_code == 404 and "alice" not in response.text, url
        assert response.json() == {"detail": "not found"}  # the guard's answer, not gradio's 403
    assert client.get("/").status_code == 200  # the page itself is served


def test_forget_user_removes_every_file_kept_about_the_viewer(tmp_path):
    from moodreel.cli import app as cli

    services = make_services(tmp_path)
    viewers = services.viewers
    alice = viewers.build("alice@example.com", horror_fan_rows())[0]
    viewers.vote("alice@example.com", "d01", 1)
    bob_rows = [r.model_copy(update={"user_id": "bob"}) for r in horror_fan_rows()[:3]]
    bob = viewers.build("bob", bob_rows)[0]
    state = services.settings.state_dir
    crashed = state / "profiles" / f"{alice.pid}.tmp"  # a write a crash left half done
    crashed.write_text("{}")
    mine = [p for p in state.rglob("*") if p.is_file() and alice.pid in p.name]
    assert len(mine) == 3
    result = CliRunner().invoke(
        cli, ["forget-user", "alice@example.com"], env={"MOODREEL_CACHE_DIR": str(state)}
    )
    assert result.exit_code == 0 and "removed 3 file(s)" in result.output
    assert not [p for p in state.rglob("*") if alice.pid in p.name]
    assert viewers.load("bob") == bob  # nobody else's


def test_a_profile_file_holds_only_what_the_readme_says(tmp_path):
    services = make_services(tmp_path)
    rows = horror_fan_rows()
    rows[0] = rows[0].model_copy(update={"content_name": "My Secret Home Video", "watch_time_minutes": 4321})
    profile = services.viewers.build("alice@example.com", rows)[0]
    files = [p for p in (services.settings.state_dir / "profiles").rglob("*.json")]
    assert len(files) == 1
    text = files[0].read_text()
    assert "alice" not in text and "My Secret Home Video" not in text and "4321" not in text
    data = json.loads(text)
    assert set(data) == {
        "pid", "source", "watched", "feedback", "genres", "emotions", "liked", "disliked", "viewer_type", "taste",
        "habits", "version",
    }  # fmt: skip
    assert set(data["watched"][0]) == {"id", "title", "type", "genres", "emotions", "rating", "completion",
                                       "year", "countries", "runtime", "votes"}  # fmt: skip
    assert set(data["habits"]) == {"titles", "counts"}
    assert profile.pid == data["pid"]
