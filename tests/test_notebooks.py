"""The analyst notebooks: each runs top to bottom and matches tools/build_notebooks.py.

Every ``notebooks/*.ipynb`` is executed in a fresh kernel (the one its metadata names,
which must run this interpreter), with no stdin and whatever ``MPLBACKEND`` the
environment sets; any cell that raises fails the test. The committed files must be
exactly what ``python tools/build_notebooks.py`` writes: same cells, no outputs.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT_S = 600


def _builder():
    spec = importlib.util.spec_from_file_location("build_notebooks",
                                                  ROOT / "tools" / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _kernel_name(nb: nbformat.NotebookNode) -> str:
    return nb.metadata.get("kernelspec", {}).get("name", "")


def _execute(nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    """Run every cell of ``nb`` in a new kernel started in ``cwd``; raise on the first error."""
    client = NotebookClient(nb, kernel_name=_kernel_name(nb), timeout=CELL_TIMEOUT_S,
                            allow_errors=False, resources={"metadata": {"path": str(cwd)}})
    return client.execute()


def _images(cell: nbformat.NotebookNode) -> int:
    return sum("image/png" in out.get("data", {}) for out in cell.get("outputs", []))


def test_every_notebook_is_built_by_the_builder():
    built = set(_builder().NOTEBOOKS)
    found = {p.name for p in NOTEBOOKS}
    assert found, f"no notebooks under {NOTEBOOK_DIR}; run python tools/build_notebooks.py"
    assert found == built, (
        f"notebooks/ holds {sorted(found)} but tools/build_notebooks.py builds {sorted(built)}; "
        "add the missing ones to NOTEBOOKS there and run python tools/build_notebooks.py")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_in_sync_with_the_builder(path):
    builder = _builder()
    committed = nbformat.read(path, as_version=4)
    rebuilt = builder.build(builder.NOTEBOOKS[path.name], slug=path.stem)
    hint = f"{path.name} differs from tools/build_notebooks.py: run python tools/build_notebooks.py"
    assert [(c.cell_type, c.source) for c in committed.cells] == \
        [(c.cell_type, c.source) for c in rebuilt.cells], hint
    stale = [i for i, c in enumerate(committed.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert not stale, f"{path.name}: cells {stale} carry outputs; {hint}"
    assert path.read_text(encoding="utf-8") == builder.expected()[path], hint


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_kernel_resolves(path):
    name = _kernel_name(nbformat.read(path, as_version=4))
    spec = KernelSpecManager().get_kernel_spec(name)  # raises NoSuchKernel if it does not resolve
    assert spec.language.lower() == "python", f"kernel {name!r} runs {spec.language}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom(path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")  # as in CI; the notebook must still show its figures
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(new_code_cell("import sys; print(sys.prefix)"))
    done = _execute(nb, path.parent)
    prefix = "".join(o.get("text", "") for o in done.cells[-1].outputs).strip()
    assert prefix == sys.prefix, (
        f"kernel {_kernel_name(nb)!r} runs the Python of {prefix}, not this one ({sys.prefix})")
    blank = [i for i, c in enumerate(done.cells)
             if "figure" in c.metadata.get("tags", []) and not _images(c)]
    assert not blank, f"{path.name}: figure cells {blank} displayed no image"


def test_a_raising_cell_fails_the_run(tmp_path):
    nb = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("raise ValueError('boom')"),
                             new_code_cell("y = 2")])
    nb.metadata["kernelspec"] = {"name": _builder().KERNEL_NAME, "language": "python",
                                 "display_name": "Python 3"}
    with pytest.raises(CellExecutionError, match="boom"):
        _execute(nb, tmp_path)
