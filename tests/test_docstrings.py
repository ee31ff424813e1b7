"""Every public function and class of ``lbpnet`` has a docstring.

Public: neither the module's path nor the name starts with an underscore, and the name is
defined in that module (classes, functions, and the methods and nested classes of public
classes; imported names belong to their own module). Dunder methods are exempt. The check
reads the source with :mod:`ast`, so nothing is imported and it runs in well under a second.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lbpnet"


def public_modules() -> list[Path]:
    """Source files of ``lbpnet`` whose path has no part starting with an underscore."""
    return [p for p in sorted(PACKAGE.rglob("*.py"))
            if not any(part.startswith("_") and part != "__init__.py"
                       for part in p.relative_to(ROOT).parts)]


def undocumented(source: str, filename: str = "<string>") -> list[tuple[int, str]]:
    """``(line, qualified name)`` of the public definitions in ``source`` without a docstring."""
    missing = []

    def walk(body, prefix: str) -> None:
        for node in body:
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if node.name.startswith("_"):
                continue
            if ast.get_docstring(node) is None:
                missing.append((node.lineno, prefix + node.name))
            if isinstance(node, ast.ClassDef):
                walk(node.body, f"{prefix}{node.name}.")

    walk(ast.parse(source, filename=filename).body, "")
    return missing


def test_the_check_finds_a_missing_docstring_and_ignores_private_names():
    source = ('def documented():\n    """Yes."""\n\ndef bare():\n    pass\n\n'
              'def _private():\n    pass\n\nclass Thing:\n    """A thing."""\n'
              '    def method(self):\n        return 1\n    def __len__(self):\n        return 0\n')
    assert undocumented(source) == [(4, "bare"), (12, "Thing.method")]


def test_every_public_function_and_class_has_a_docstring():
    modules = public_modules()
    assert len(modules) > 50, "lbpnet's modules were not found"
    missing = [f"{path.relative_to(ROOT)}:{line} {name}"
               for path in modules
               for line, name in undocumented(path.read_text(encoding="utf-8"), str(path))]
    assert not missing, (f"{len(missing)} public functions/classes without a docstring (say "
                         "what it is, with shapes and units for arrays):\n" + "\n".join(missing))
