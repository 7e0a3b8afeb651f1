"""Every PostgreSQL advisory lock key the register takes, in one place.

Advisory locks are the database's named mutexes: two processes that take the
same key take turns. Fixed keys (one per kind of work) are listed here;
the SQL that takes one (register/adapters/sql/) names the same number, and a
test holds them equal. Keys derived from data (a register key, a person)
are hashed by the SQL functions themselves (``hashtextextended``) and cannot
meet these small numbers except by a one-in-2**64 chance.
"""

from __future__ import annotations

MIGRATION = 7_247_001  # `raas db upgrade`: concurrent upgrades take turns
JOURNAL = 7_247_002  # every journal writer: sequences are handed out in commit order
SOURCE_FEED = 7_247_003  # `raas source apply`: one feed at a time (each moves lines across tenants)
BATCH = 7_247_004  # `raas batch run` and `raas batch purge`: one at a time (a session lock)
