"""person search keys

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

The phonetic search (register.domain.phonetic, register.adapters.person_search)
looks persons up by a GIN index on ``search_keys`` (the last name's phonetic
and spelling keys and their one-deletion keys, each with the birth decade) and
a btree on ``birth_date`` (the span of decades stored), both over ACTIVE
persons only, since only they are ever searched.
The keys are computed in Python by the domain module, so persons stored before
this revision are keyed here with the same function; a later change of the key
rules needs a revision that re-keys the same way.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from register.domain.phonetic import person_keys

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_BATCH = 5_000
COLUMNS = ("last_name_phonetic", "first_name_phonetic", "search_keys")


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")  # levenshtein: pre-ranks candidates in SQL
    op.add_column("person", sa.Column("last_name_phonetic", sa.Text(), nullable=True))
    op.add_column("person", sa.Column("first_name_phonetic", sa.Text(), nullable=True))
    op.add_column("person", sa.Column("search_keys", postgresql.ARRAY(sa.Text()), nullable=True))
    _backfill(op.get_bind())
    for column in COLUMNS:
        op.alter_column("person", column, nullable=False)
    op.create_index(
        "ix_person_search_keys",
        "person",
        ["search_keys"],
        postgresql_using="gin",
        postgresql_where=sa.text("status = 'ACTIVE'"),
    )
    op.create_index("ix_person_birth_date", "person", ["birth_date"], postgresql_where=sa.text("status = 'ACTIVE'"))


def _backfill(conn) -> None:
    """Key the persons already stored, in batches read by keyset (a demo database has thousands)."""
    update = sa.text(
        "UPDATE person SET last_name_phonetic = :lp, first_name_phonetic = :fp, search_keys = :keys"
        " WHERE ssin = :ssin"
    )
    after = ""
    while True:
        rows = conn.execute(
            sa.text(
                "SELECT ssin, last_name, first_name, birth_date FROM person WHERE ssin > :after ORDER BY ssin LIMIT :n"
            ),
            {"after": after, "n": _BATCH},
        ).all()
        if not rows:
            return
        params = []
        for ssin, last_name, first_name, birth_date in rows:
            lp, fp, keys = person_keys(last_name, first_name, birth_date)
            params.append({"ssin": ssin, "lp": lp, "fp": fp, "keys": keys})
        conn.execute(update, params)
        after = rows[-1].ssin


def downgrade() -> None:
    op.drop_index("ix_person_birth_date", table_name="person")
    op.drop_index("ix_person_search_keys", table_name="person")
    for column in reversed(COLUMNS):
        op.drop_column("person", column)
