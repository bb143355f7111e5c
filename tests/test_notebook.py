"""notebooks/demo.ipynb: committed without outputs, and runs top to bottom offline (nbclient)."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import PROJECT

NOTEBOOK = PROJECT / "notebooks" / "demo.ipynb"


def test_committed_notebook_has_no_outputs():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, "the notebook has no code cells"
    for cell in code:
        assert cell["outputs"] == [] and cell["execution_count"] is None, (
            "strip the outputs before committing (Jupyter: Edit > Clear Outputs of All Cells, then save)"
        )
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert "widgets" not in nb["metadata"]


def test_notebook_uses_the_public_api_only():
    """No private names of the package (``_something``) and no copied-in internals."""
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    source = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "import moodreel" in source or "from moodreel" in source
    for line in source.splitlines():
        if line.startswith(("from moodreel", "from ingest", "import moodreel")):
            assert " _" not in line and "._" not in line, line
    assert "._" not in source.replace("__", ""), "the notebook reaches into a private attribute"


@pytest.mark.integration
@pytest.mark.timeout(600)
def test_notebook_runs_top_to_bottom(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))  # the notebook's temporary directory lands here
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    started = time.monotonic()
    client.execute()  # raises CellExecutionError, with the cell and traceback, if a cell fails
    elapsed = time.monotonic() - started

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    data = [o["data"] for o in outputs if o.output_type in ("display_data", "execute_result")]
    assert '"extractor": "llm"' in text  # the LLM's vibes, shown as JSON
    assert "'by_extractor': {'llm': 2, 'fast':" in text  # the slice ingested, two with LLM vibes
    assert "horror share of the picks" in text
    assert sum("text/html" in d for d in data) >= 5  # the tables
    assert any("image/png" in d for d in data)  # the plot
    assert not list(scratch.glob("moodreel-demo-*")), "the notebook left its temporary directory behind"
    print(f"notebook ran in {elapsed:.0f} s")  # ~75 s on a quiet 2-core CPU; the timeout above is the budget
