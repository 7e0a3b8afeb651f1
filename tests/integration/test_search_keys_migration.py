"""Migration 0003 keys the persons stored before it, with the domain's own function."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from alembic import command
from sqlalchemy import create_engine, make_url, text

from register.adapters import schema
from register.domain.phonetic import person_keys
from tests.conftest import new_ssin


@pytest.fixture
def fresh_url(migrated_engine):
    """A database of its own on the test server, dropped after the test."""
    url = migrated_engine.url
    name = f"raas_backfill_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(url.render_as_string(hide_password=False)).set(database=name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_persons_stored_before_the_search_keys_get_them(fresh_url):
    engine = create_engine(fresh_url)
    try:
        config = schema._config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0001")
        persons = [(new_ssin(), "Van den Broeck", "Jean-Pierre"), (new_ssin(), "D'Hondt", "Marie")]
        with engine.begin() as conn:
            for ssin, last_name, first_name in persons:
                conn.execute(
                    text(
                        "INSERT INTO person (ssin, kind, last_name, first_name, birth_date, last_name_key,"
                        " first_name_key) VALUES (:s, 'NR', :l, :f, '1985-07-30', 'x', 'y')"
                    ),
                    {"s": ssin, "l": last_name, "f": first_name},
                )
        schema.upgrade(engine)
        with engine.connect() as conn:
            stored = {
                r.ssin: (r.last_name_phonetic, r.first_name_phonetic, r.search_keys)
                for r in conn.execute(text("SELECT * FROM person"))
            }
        assert stored == {ssin: person_keys(last, first, "1985-07-30") for ssin, last, first in persons}
    finally:
        engine.dispose()
