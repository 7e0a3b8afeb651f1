"""spyne 2.14 (its last release, 2022) on Python 3.12 and 3.13, without forking or vendoring it.

Two things stop it there, and only these two (DESIGN.md, "Dependencies"):

* Its vendored ``six`` 1.14 resolves ``spyne.util.six.moves`` with a meta-path
  importer that has only the pre-3.4 ``find_module``/``load_module``, which
  Python 3.12 no longer calls: every ``from spyne.util.six.moves import ...``
  fails. Here ``spyne/util/six.py`` is loaded before spyne (under its own name,
  so spyne then finds it already imported) and its importer is given the
  ``find_spec``/``create_module``/``exec_module`` of the import system it meets.
* ``cgi`` left the standard library in 3.13: the ``legacy-cgi`` package (a
  dependency for Python >= 3.13 only, pyproject.toml) puts the same module back.

``install()`` runs when ``register`` is imported, before any spyne import; on
3.11 it does nothing.
"""

from __future__ import annotations

import importlib.util
import sys

SIX = "spyne.util.six"


def install() -> None:
    if sys.version_info < (3, 12) or SIX in sys.modules:
        return
    spyne = importlib.util.find_spec("spyne")  # locates the package without running it
    if spyne is None or not spyne.submodule_search_locations:
        return  # not installed: whoever imports spyne gets the usual error
    spec = importlib.util.spec_from_file_location(SIX, f"{spyne.submodule_search_locations[0]}/util/six.py")
    six = importlib.util.module_from_spec(spec)
    sys.modules[SIX] = six
    spec.loader.exec_module(six)  # appends its importer to sys.meta_path
    importer = six._SixMetaPathImporter
    importer.find_spec = _find_spec
    importer.create_module = _create_module
    importer.exec_module = _exec_module


def _find_spec(self, fullname, path=None, target=None):
    if fullname not in self.known_modules:
        return None
    return importlib.util.spec_from_loader(fullname, self, is_package=self.is_package(fullname))


def _create_module(self, spec):
    return self.load_module(spec.name)  # six's own loader: the moved module, resolved


def _exec_module(self, module) -> None:
    """Nothing: the module six hands over is already executed."""
