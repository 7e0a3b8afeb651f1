"""What the SQL sources own in a database, read from PostgreSQL's catalogue, and a readable diff of two.

The drift test (test_sql_drift.py) compares a database built by the migrations with one
built from the source alone. Each section maps a key (an object's name) to what defines it;
privileges are exploded and sorted, so the order in which grants were made does not count.
"""

from __future__ import annotations

import difflib
import json

from sqlalchemy import Connection, text

# grantee's name, PUBLIC for 0
_GRANTEE = "CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END"

SECTIONS = {
    "extensions": "SELECT extname AS key, '' AS value FROM pg_extension",
    # every function of schema public that is not an extension's member
    "functions": f"""
        SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS key,
               json_build_object(
                 'definition', pg_get_functiondef(p.oid),
                 'security_definer', p.prosecdef,
                 'config', p.proconfig,
                 'acl', ARRAY(SELECT {_GRANTEE} || ':' || a.privilege_type
                              FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a ORDER BY 1)
               )::text AS value
        FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT FROM pg_depend d
                          WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
    """,
    "triggers": """
        SELECT c.relname || '.' || t.tgname AS key, pg_get_triggerdef(t.oid) AS value
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
    """,
    "policies": """
        SELECT tablename || '.' || policyname AS key,
               json_build_object('permissive', permissive, 'roles', roles, 'cmd', cmd,
                                 'using', qual, 'check', with_check)::text AS value
        FROM pg_policies WHERE schemaname = 'public'
    """,
    "row_level_security": """
        SELECT relname AS key,
               json_build_object('enabled', relrowsecurity, 'forced', relforcerowsecurity)::text AS value
        FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')
    """,
    # privileges of anyone but the owner, on tables, views and sequences
    "table_grants": f"""
        SELECT c.relname AS key,
               array_to_string(ARRAY(SELECT {_GRANTEE} || ':' || a.privilege_type FROM aclexplode(c.relacl) a
                                     WHERE a.grantee <> c.relowner ORDER BY 1), ' ') AS value
        FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
    """,
    "column_grants": f"""
        SELECT c.relname || '.' || t.attname AS key,
               array_to_string(ARRAY(SELECT {_GRANTEE} || ':' || a.privilege_type FROM aclexplode(t.attacl) a
                                     WHERE a.grantee <> c.relowner ORDER BY 1), ' ') AS value
        FROM pg_attribute t JOIN pg_class c ON c.oid = t.attrelid
        WHERE c.relnamespace = 'public'::regnamespace AND t.attacl IS NOT NULL
    """,
    "schema_grants": f"""
        SELECT {_GRANTEE} || ':' || a.privilege_type AS key, '' AS value
        FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname = 'public'
    """,
}


def snapshot(conn: Connection) -> dict[str, dict[str, str]]:
    """Section -> object -> its definition."""
    return {section: {row.key: row.value for row in conn.execute(text(query))} for section, query in SECTIONS.items()}


def differences(migrated: dict, source: dict) -> str:
    """Empty when equal; else, per section, what only one side has and a diff of what both define apart."""
    lines: list[str] = []
    for section in SECTIONS:
        ours, theirs = migrated.get(section, {}), source.get(section, {})
        for key in sorted(ours.keys() - theirs.keys()):
            lines.append(f"{section}: {key} only in the migrated database")
        for key in sorted(theirs.keys() - ours.keys()):
            lines.append(f"{section}: {key} only in the database built from the source")
        for key in sorted(ours.keys() & theirs.keys()):
            if ours[key] != theirs[key]:
                lines.append(f"{section}: {key} differs (- migrated, + source):")
                lines.extend(
                    difflib.unified_diff(_lines(ours[key]), _lines(theirs[key]), "migrated", "source", lineterm="", n=2)
                )
    return "\n".join(lines)


def _lines(value: str) -> list[str]:
    """A JSON value's fields one per line, a function's definition line by line."""
    try:
        fields = json.loads(value)
    except ValueError:
        return value.splitlines()
    if not isinstance(fields, dict):
        return value.splitlines()
    out = []
    for name, field in fields.items():
        if isinstance(field, str) and "\n" in field:
            out.append(f"{name}:")
            out.extend("  " + line for line in field.splitlines())
        else:
            out.append(f"{name}: {json.dumps(field)}")
    return out
