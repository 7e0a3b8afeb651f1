"""deploy/Dockerfile against hadolint-like rules (docker build cannot run on this machine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deploy.dockerfile_rules import parse, violations

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
DOCKERFILE = (DEPLOY / "Dockerfile").read_text()
IGNORE = (DEPLOY / "Dockerfile.dockerignore").read_text()


def test_the_dockerfile_breaks_no_rule():
    assert violations(DOCKERFILE, IGNORE) == []


def test_the_final_image_is_a_pinned_python_313_slim_running_raas_as_a_numeric_user_in_group_0():
    final = parse(DOCKERFILE).stages[-1]
    assert final.image.startswith("python:3.13.") and "-slim" in final.image
    assert final.all("USER")[-1].args == "10001:0"
    assert final.all("ENTRYPOINT")[-1].exec_form() == ["raas"]
    assert final.all("CMD")[-1].exec_form() == [
        "serve",
        "--bind",
        "0.0.0.0:8080",
        "--config",
        "/app/deploy/gunicorn.conf.py",
    ]


def test_the_writable_paths_belong_to_group_0_and_are_group_writable():
    final = parse(DOCKERFILE).stages[-1]
    env = " ".join(i.args for i in final.all("ENV"))
    run = " ".join(i.args for i in final.all("RUN"))
    for path in ("/var/lib/raas", "/run/raas"):
        assert path in env
        assert "chgrp -R 0 /var/lib/raas /run/raas" in run and "chmod -R g=u /var/lib/raas /run/raas" in run


def test_the_build_context_lets_in_only_the_application():
    allowed = {line for line in IGNORE.splitlines() if line.startswith("!")}
    assert IGNORE.splitlines()[2] == "*"  # everything out, then the allow-list
    assert {"!register/", "!pyproject.toml", "!deploy/requirements.txt", "!deploy/build-requirements.txt"} <= allowed
    assert not any(name in line for line in allowed for name in (".venv", "var", ".git", "tests"))


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (lambda d: d.replace("python:3.13.9-slim-bookworm", "python:3.13-slim"), "DL3006"),
        (lambda d: d.replace("python:3.13.9-slim-bookworm", "python:latest"), "DL3006"),
        (lambda d: d.replace("USER 10001:0", "USER raas"), "RAAS-8"),
        (lambda d: d.replace("USER 10001:0", "USER 0"), "DL3002"),
        (lambda d: d.replace("USER 10001:0\n", ""), "DL3002"),
        (lambda d: d.replace("USER 10001:0", "USER 10001:10001"), "RAAS-9"),
        (lambda d: d.replace('ENTRYPOINT ["raas"]', "ENTRYPOINT raas"), "RAAS-11"),
        (
            lambda d: d.replace("COPY --from=build /opt/raas /opt/raas", "ADD https://example.org/raas.tgz /opt/raas"),
            "DL3020",
        ),
        (
            lambda d: d.replace(
                "COPY --from=build /opt/raas /opt/raas",
                "COPY --from=build /opt/raas /opt/raas\nRUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*",
            ),
            "RAAS-6",
        ),
        (lambda d: d.replace("pip install --no-deps --require-hashes -r", "pip install -r"), "DL3013"),
        (lambda d: d.replace("--require-hashes", ""), "RAAS-17"),
        (
            lambda d: d.replace("pip install --no-deps --no-index /wheels/*.whl", "pip install --no-deps -e /src"),
            "RAAS-16",
        ),
        (lambda d: d.replace("pip wheel --no-deps --no-build-isolation -w /wheels .", "true"), "RAAS-16"),
        (
            lambda d: d.replace("HEALTHCHECK", "# HEALTHCHECK").replace(
                '    CMD ["python", "-c", "import urllib', '#    CMD ["python", "-c", "import urllib'
            ),
            "RAAS-14",
        ),
        (lambda d: d.replace("EXPOSE 8080", "EXPOSE 9000"), "RAAS-12"),
        (lambda d: d.replace('"0.0.0.0:8080"', '"127.0.0.1:8080"'), "RAAS-13"),
        (
            lambda d: d[d.index("# --- runtime") :].replace("COPY --from=build /opt/raas /opt/raas", "COPY . /app"),
            "RAAS-1",
        ),
        (lambda d: d.replace("ENV PATH=", "ENV DATABASE_URL=postgresql://u:p@h/db PATH="), "RAAS-5"),
        (lambda d: d.replace('ENTRYPOINT ["raas"]', 'RUN touch /tmp/x\nENTRYPOINT ["raas"]'), "RAAS-10"),
    ],
)
def test_a_broken_rule_is_reported(change, rule):
    changed = change(DOCKERFILE)
    assert changed != DOCKERFILE
    assert any(rule in v for v in violations(changed, IGNORE)), violations(changed, IGNORE)


def test_a_context_without_the_package_is_reported():
    assert any("register/" in v for v in violations(DOCKERFILE, IGNORE.replace("!register/\n", "")))
