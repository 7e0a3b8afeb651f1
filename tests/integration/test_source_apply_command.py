"""`raas source apply FILE.xml` as an operator runs it: a summary, or one line naming the element's line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import new_ssin
from tests.integration.test_source_feed import canceled, feed, person_changed, replaced


def raas(database_url: str, *args: str) -> subprocess.CompletedProcess:
    command = Path(sys.executable).with_name("raas")
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([str(command), *args], env=env, capture_output=True, text=True, timeout=60)


def test_a_feed_is_applied_and_summarised(engine, database_url, world, tmp_path):
    old, new = world.person(), new_ssin()
    path = tmp_path / "feed.xml"
    path.write_text(feed(person_changed(new), replaced(old, new), canceled(world.person())))
    done = raas(database_url, "source", "apply", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("3 records applied: 1 persons created, 0 changed, 0 unchanged, 1 SSINs replaced")
    assert "1 canceled" in done.stdout


def test_a_refused_feed_exits_1_with_one_line_naming_the_line_and_applies_nothing(
    engine, database_url, world, tmp_path
):
    unknown = new_ssin()
    path = tmp_path / "feed.xml"
    path.write_text(feed(person_changed(new_ssin()), canceled(unknown)))
    done = raas(database_url, "source", "apply", str(path))
    assert done.returncode == 1
    assert done.stderr == f"raas: {path}: line 4: ssinCanceled: {unknown} is not known; nothing was applied\n"
    assert done.stdout == ""
