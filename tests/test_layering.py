"""Data flows one way (docs/design.md): no sub-package of lbpnet imports a higher one.

Read from the source (every ``import``, lazy ones inside functions too), so a violation is
found whether or not a test happens to run the line.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "lbpnet"

# Lower number = lower layer. A sub-package may import only strictly lower layers.
LAYER = {
    "_top": 0,          # errors, atomic, hashing, numbers, config_dir
    "recording": 1,
    "qc": 2, "preprocess": 2, "datasets": 2,
    "windows": 3, "features": 3,
    "models": 4, "cohort": 4,
    "tasks": 5,
    "explain": 6,
    "monitoring": 7, "curation": 7,
    "audit": 8,
    "reports": 9,
    "cli": 10,
}


def _layer_of_file(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else "_top"


def _imported_layers(path: Path) -> list[tuple[int, str]]:
    """(line, imported layer) of every lbpnet import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    own = _layer_of_file(path)
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                names = [node.module]
            elif node.level == 1:
                names = [f"lbpnet.{own}"] if own != "_top" else ["lbpnet"]
            elif node.level >= 2 and node.module:
                names = [f"lbpnet.{node.module}"]
        for name in names:
            bits = name.split(".")
            if bits[0] != "lbpnet":
                continue
            target = bits[1] if len(bits) > 1 and bits[1] in LAYER else "_top"
            found.append((node.lineno, target))
    return found


def test_every_sub_package_has_a_layer():
    sub_packages = {p.name for p in PACKAGE.iterdir()
                    if p.is_dir() and (p / "__init__.py").exists()}
    assert sub_packages <= set(LAYER), (
        f"new sub-package(s) {sorted(sub_packages - set(LAYER))}: give them a layer in "
        "tests/test_layering.py and docs/design.md")


@pytest.mark.parametrize("layer", sorted(set(LAYER) - {"_top"}))
def test_no_layer_imports_a_higher_one(layer):
    root = PACKAGE / layer
    bad = []
    for path in sorted(root.rglob("*.py")):
        for line, target in _imported_layers(path):
            if target != layer and LAYER[target] >= LAYER[layer]:
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports lbpnet.{target}")
    assert not bad, "imports against the one-way data flow:\n" + "\n".join(bad)


def test_the_check_sees_a_lazy_upward_import(tmp_path, monkeypatch):
    fake = tmp_path / "lbpnet"
    (fake / "recording").mkdir(parents=True)
    (fake / "recording" / "__init__.py").write_text("")
    (fake / "recording" / "bad.py").write_text("def f():\n    from lbpnet.cli import train\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    assert _imported_layers(fake / "recording" / "bad.py") == [(2, "cli")]
