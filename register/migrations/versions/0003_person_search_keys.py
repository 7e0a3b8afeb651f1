"""person search keys

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

The phonetic search (register.domain.phonetic, register.adapters.person_search)
looks persons up by a GIN index on ``search_keys`` (the last name's phonetic
and spelling keys and their one-deletion keys, each with the birth decade) and
a btree on ``birth_date`` (the span of decades stored), both over ACTIVE
persons only, since only they are ever searched.
The keys are computed in Python (register.domain.phonetic.person_keys), so
persons stored before this revision are keyed here, with a frozen copy of the
rules as they were at this revision (below): a migration imports nothing that
later code may change. A later change of the key rules needs a revision of its
own that re-keys the stored persons with a copy of the new rules.
"""

import functools
import re
import unicodedata

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

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
        "UPDATE person SET last_name_phonetic = :lp, first_name_phonetic = :fp, search_keys = :keys WHERE ssin = :ssin"
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


# --- FROZEN: the search-key rules as of this revision (2026-11-26) -----------------------------
# A copy of register.domain.names.normalise and of register.domain.phonetic.person_keys with what
# it calls, as they were when this revision was written. Do not edit to follow the live rules:
# this is what persons stored before the revision were keyed with.

_LETTERS = {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
_IGNORED = "-\u2010'\u2019\u2018\u02bc`"
_TABLE = str.maketrans({**_LETTERS, **dict.fromkeys(_IGNORED, "")})

_PARTICLES = frozenset(
    {"van", "von", "de", "den", "der", "del", "della", "di", "da", "du", "des", "le", "la", "les", "l", "d",
     "vande", "vanden", "vander", "ter", "ten", "t", "op", "in", "het"}
)  # fmt: skip
_RULES = [
    (re.compile(p), r)
    for p, r in (
        ("[^a-z]", ""), ("ph", "f"), ("th", "t"), ("gh", "g"), ("ck", "k"), ("qu", "k"), ("q", "k"), ("x", "ks"),
        ("ch", "x"), ("c(?=[eiy])", "s"), ("c", "k"), ("dt", "t"), ("d$", "t"), ("z", "s"), ("ij", "i"),
        ("y", "i"), ("ei", "i"), ("ie", "i"), ("ae", "a"), ("eau", "o"), ("au", "o"), ("oe", "u"), ("ou", "u"),
        ("h", ""), (r"(.)\1+", r"\1"),
    )
]  # fmt: skip
_NOT_LETTERS = re.compile("[^a-z]")
_SPELLING = "="
_MIN_DELETION_LENGTH = 4


def _normalise(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(letters.translate(_TABLE).split())


@functools.lru_cache(maxsize=1 << 16)
def _phonetic(name: str) -> str:
    key = _normalise(name)
    for pattern, replacement in _RULES:
        key = pattern.sub(replacement, key)
    return key


def _without_particles(name: str) -> str:
    words = re.split(r"[\s\-'\u2019\u2018\u02bc`]+", name.strip())
    rest = list(words)
    while len(rest) > 1 and _normalise(rest[0]) in _PARTICLES:
        rest.pop(0)
    return " ".join(rest) if rest and len(rest) < len(words) else name


def _deletions(key: str) -> set[str]:
    if len(key) < _MIN_DELETION_LENGTH:
        return set()
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


@functools.lru_cache(maxsize=1 << 16)
def _name_keys(last_name: str) -> tuple[str, ...]:
    key = _phonetic(last_name)
    spelling = _NOT_LETTERS.sub("", _normalise(last_name))
    keys = {key, *_deletions(key), *(_SPELLING + k for k in (spelling, *_deletions(spelling)))}
    bare = _without_particles(last_name)
    if bare != last_name:
        keys.add(_phonetic(bare))
    keys.discard("")
    keys.discard(_SPELLING)
    return tuple(sorted(keys))


def person_keys(last_name: str, first_name: str, birth_date: str) -> tuple:
    """(last_name_phonetic, first_name_phonetic, search_keys), as register.domain.phonetic computed them."""
    decade = int(birth_date[:4]) // 10
    return _phonetic(last_name), _phonetic(first_name), [f"{k}@{decade}" for k in _name_keys(last_name)]
