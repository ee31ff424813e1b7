"""The tutorials in ``notebooks/`` run end to end from a clean kernel, and each ``.py`` (Jupytext
percent script, the file to review) is in sync with its ``.ipynb`` (committed without outputs).

Each notebook runs on small data (one short epoch, a few simulated patients): about a minute
on two CPU cores. The kernel gets ``OMP_NUM_THREADS=1`` and ``WANDB_MODE=offline`` (figures use the
kernel's inline backend); notebooks write only into temporary folders.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
jupytext = pytest.importorskip("jupytext", reason="pip install -e '.[notebooks]'")
nbformat = pytest.importorskip("nbformat", reason="pip install -e '.[notebooks]'")


def _cells(notebook) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source.strip()) for c in notebook.cells]


def test_there_are_five_tutorials_each_with_its_ipynb():
    assert len(NOTEBOOKS) == 5, [p.name for p in NOTEBOOKS]
    for script in NOTEBOOKS:
        assert script.with_suffix(".ipynb").is_file(), f"{script.name} has no .ipynb beside it"


@pytest.mark.parametrize("script", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_ipynb_is_in_sync_with_its_script_and_has_no_outputs(script):
    paired = script.with_suffix(".ipynb")
    from_script = jupytext.read(script)
    from_ipynb = nbformat.read(paired, as_version=4)
    assert _cells(from_script) == _cells(from_ipynb), (
        f"{paired.name} differs from {script.name}: run `jupytext --sync {script}` "
        "(or `jupytext --to ipynb` and clear the outputs)")
    for cell in from_ipynb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, (
                f"{paired.name} is committed with outputs: clear them "
                "(jupyter nbconvert --clear-output --inplace)")


@pytest.mark.parametrize("script", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_notebook_says_which_data_are_real_and_which_synthetic(script):
    first = jupytext.read(script).cells[0]
    assert first.cell_type == "markdown" and "**Data:" in first.source
    assert "REAL" in first.source or "SYNTHETIC" in first.source


@pytest.mark.parametrize("script", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_notebook_runs_from_a_clean_kernel_and_draws_figures(script, tmp_path, monkeypatch):
    nbclient = pytest.importorskip("nbclient", reason="pip install -e '.[notebooks]'")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("TMPDIR", str(tmp_path))          # the notebooks' temporary folders
    notebook = jupytext.read(script)
    client = nbclient.NotebookClient(notebook, timeout=400, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()      # raises CellExecutionError naming the failing cell
    images = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    assert images, f"{script.name} drew no figure"
