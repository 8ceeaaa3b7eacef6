"""Data flows one way: data/ + ontology/ -> kg -> store -> api. ``kg`` never imports ``api``.

Read from the source, not from a run: an import inside a function that no test happens to call
counts as much as one at the top of a module. The commands that need the web app are registered
the other way round (api/commands.py, the ``kg.commands`` entry points).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kg.settings import PROJECT_ROOT

KG = PROJECT_ROOT / "kg"
SOURCES = sorted(KG.rglob("*.py"))


def imported_modules(source: Path) -> list[tuple[int, str]]:
    """Every module ``source`` imports, by line: import statements anywhere in the file, and
    ``importlib.import_module``/``__import__`` calls with a literal name."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"), str(source))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (isinstance(node.func, ast.Name) and node.func.id == "__import__")
            )
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def test_the_scan_finds_imports_of_every_kind(tmp_path: Path) -> None:
    """The check below can fail: it sees the forms an import of api could take."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import api\nfrom api.app import create_app\n"
        "def later():\n    from api import server\n    importlib.import_module('api.server')\n",
        encoding="utf-8",
    )
    names = sorted(name for _, name in imported_modules(sample))
    assert names == ["api", "api", "api.app", "api.server"]


@pytest.mark.parametrize("source", SOURCES, ids=[str(p.relative_to(PROJECT_ROOT)) for p in SOURCES])
def test_kg_never_imports_api(source: Path) -> None:
    offending = [
        f"line {line}: {name}"
        for line, name in imported_modules(source)
        if name == "api" or name.startswith("api.")
    ]
    assert not offending, f"{source.relative_to(PROJECT_ROOT)} imports api: {offending}"
