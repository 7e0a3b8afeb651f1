"""The operator's documents name what the code has: every metric, every setting."""

from __future__ import annotations

import re
from pathlib import Path

from prometheus_client import Counter, Gauge, Histogram

from register.observability import metrics

ROOT = Path(__file__).resolve().parents[2]


def test_every_metric_is_documented_with_its_exposed_name():
    operations = (ROOT / "docs" / "OPERATIONS.md").read_text()
    declared = [value for value in vars(metrics).values() if isinstance(value, (Counter, Gauge, Histogram))]
    assert len(declared) >= 7
    for metric in declared:
        exposed = metric._name + ("_total" if isinstance(metric, Counter) else "")
        assert f"| `{exposed}` |" in operations, exposed


def test_every_setting_the_code_reads_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, re.M))
    read = set(re.findall(r"\b((?:RAAS|DATABASE)_[A-Z_]+)\b", (ROOT / "register" / "config.py").read_text()))
    read |= set(re.findall(r"environ\.get\(\"([A-Z_]+)\"", (ROOT / "deploy" / "gunicorn.conf.py").read_text()))
    assert read <= documented, read - documented
