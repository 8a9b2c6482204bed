"""The package's layers: each imports only the layers below it.

The order is the one of ``simulation/__init__.py``'s docstring. Imports are read
with ``ast`` from every module, those inside functions included, so a lazy import
cannot hide an upward dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "simulation"

# bottom to top; names in one entry form one layer
LAYERS: list[set[str]] = [
    {"errors", "rng"},
    {"scenario"},
    {"market"},
    {"engine"},
    {"runs"},
    {"analysis"},
    {"explore"},
    {"report"},
    {"cli"},
    {"__init__", "__main__", "study"},   # the public face
]
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(path: Path, root: Path = PACKAGE) -> list[tuple[int, str]]:
    """``(line, absolute module)`` of every import in ``path``, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = module_name(path, root)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if node.level and not node.module:      # "from . import x": x may be a module
                found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, target))
    return found


def layer_of(module: str) -> str | None:
    """The top-level entry of ``simulation`` that ``module`` lives in (None: not ours)."""
    parts = module.split(".")
    if parts[0] != "simulation":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def upward_imports(root: Path = PACKAGE) -> list[str]:
    """Every import of a layer above the importing module's own, as readable lines."""
    bad = []
    for path in sorted(root.rglob("*.py")):
        own = path.relative_to(root).parts[0].removesuffix(".py")
        for line, target in imported_modules(path, root):
            other = layer_of(target)
            if other is None or other == own:
                continue
            if other not in RANK:
                bad.append(f"{path.relative_to(root.parent)}:{line}: imports {target}, which is in no layer")
            elif RANK[other] > RANK[own]:
                bad.append(f"{path.relative_to(root.parent)}:{line}: {own} imports {target} from the layer above")
    return bad


def test_every_top_level_entry_has_a_layer():
    entries = {p.name.removesuffix(".py") for p in PACKAGE.iterdir()
               if (p.suffix == ".py" or (p / "__init__.py").is_file())}
    assert entries == set(RANK), "update LAYERS (and simulation/__init__.py's docstring) for a new entry"


def test_no_layer_imports_a_layer_above_it():
    assert upward_imports() == []


def test_the_check_sees_an_upward_import(tmp_path):
    """A deliberately upward import (market -> engine, lazily) is caught."""
    import shutil

    copy = tmp_path / "simulation"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "market" / "sneaky.py").write_text("def f():\n    from ..engine.model import PresaleModel\n")
    assert upward_imports(copy) == [
        "simulation/market/sneaky.py:2: market imports simulation.engine.model from the layer above"]


@pytest.mark.parametrize("layer", ["errors", "rng", "scenario", "market"])
def test_the_domain_never_imports_mesa(layer):
    paths = [PACKAGE / f"{layer}.py"] if (PACKAGE / f"{layer}.py").exists() else list((PACKAGE / layer).rglob("*.py"))
    for path in paths:
        assert not any(m.split(".")[0] == "mesa" for _, m in imported_modules(path)), path


def test_nothing_below_the_command_line_prints_or_exits():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] in {"cli", "__main__.py"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            call = node.func if isinstance(node, ast.Call) else None
            name = (call.id if isinstance(call, ast.Name) else
                    f"{getattr(call.value, 'id', '')}.{call.attr}" if isinstance(call, ast.Attribute) else "")
            if name in {"print", "exit", "sys.exit", "os._exit", "typer.echo", "typer.Exit"}:
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {name}()")
        offenders += [f"{path.relative_to(PACKAGE.parent)}:{line}: imports {m}"
                      for line, m in imported_modules(path) if m.split(".")[0] in {"typer", "click"}]
    assert offenders == []
