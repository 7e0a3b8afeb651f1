"""Imports run one way (docs/ARCHITECTURE.md): the contracts of pyproject.toml hold and no module
imports itself back through others; migrations import nothing of the package."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_no_module_imports_itself_back():
    graph = grimp.build_graph("register", cache_dir=None)
    cycles = {
        tuple(sorted((module, imported)))
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if graph.chain_exists(importer=imported, imported=module)
    }
    assert cycles == set()


def test_the_layers_contract_fails_on_an_upward_import(tmp_path):
    """The check can fail: a copy of the package with an adapter importing a service is refused."""
    copy = tmp_path / "register"
    shutil.copytree(ROOT / "register", copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "adapters" / "upward.py").write_text("from register.services import register\n")
    done = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode != 0
    assert "register.adapters.upward -> register.services.register" in done.stdout


def test_migrations_import_nothing_of_the_package():
    """A revision runs years after it was written: it must not import code that may change since."""
    versions = sorted((ROOT / "register" / "migrations" / "versions").glob("*.py"))
    assert versions
    offending = {
        path.name: sorted(module for module in imported_modules(path) if module.split(".")[0] == "register")
        for path in versions
    }
    assert {name: modules for name, modules in offending.items() if modules} == {}


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found
