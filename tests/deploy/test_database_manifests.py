"""deploy/kubernetes/database: the CloudNativePG cluster is what `make test-ha` measured on Patroni (three
instances, synchronous and strict, remote_apply), and the service's URLs reach it through its Services.
The probes and the PodDisruptionBudget are checked against a real failover by tests/ha."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest

from register.adapters import database
from tests.deploy import manifests

FOLDER = manifests.FOLDER / "database"


def _docs() -> dict[str, dict]:
    return {doc["kind"]: doc for path in sorted(FOLDER.glob("*.yaml")) for doc in manifests.documents(path)}


def _secret_url(key: str) -> str:
    [secret] = manifests.documents(manifests.FOLDER / "secret.example.yaml")
    return secret["stringData"][key]


def test_the_database_kustomization_applies_every_manifest_of_its_folder():
    kustomization = _docs()["Kustomization"]
    assert set(kustomization["resources"]) == {p.name for p in FOLDER.glob("*.yaml")} - {"kustomization.yaml"}


def test_three_instances_synchronous_strict_remote_apply_failing_over_at_once():
    spec = _docs()["Cluster"]["spec"]
    assert spec["instances"] == 3
    assert spec["postgresql"]["synchronous"] == {"method": "any", "number": 1, "dataDurability": "required"}
    assert spec["postgresql"]["parameters"]["synchronous_commit"] == "remote_apply"
    assert spec["failoverDelay"] == 0 and spec["enablePDB"] is True
    assert spec["affinity"]["podAntiAffinityType"] == "required"


def test_the_instances_service_is_headless_over_every_instance():
    service = _docs()["Service"]
    kubernetes_validate.validate(service, "1.28.0", strict=True)
    assert service["spec"]["clusterIP"] == "None"
    assert service["spec"]["selector"] == {"cnpg.io/cluster": _docs()["Cluster"]["metadata"]["name"]}


def test_database_url_names_the_primary_service_then_every_instance_and_asks_for_the_primary():
    info = dict(part.split("=", 1) for part in database.conninfo(_secret_url("DATABASE_URL")).split())
    cluster = _docs()["Cluster"]["metadata"]["name"]
    assert info["host"].split(",") == [f"{cluster}-rw", _docs()["Service"]["metadata"]["name"]]
    assert info["target_session_attrs"] == "read-write"
    assert int(info["connect_timeout"]) <= 5  # a dead host must not use a probe's whole budget


@pytest.mark.parametrize("key", ["DATABASE_URL", "DATABASE_READ_URL"])
def test_the_deployment_takes_both_urls_from_the_secret_the_read_url_optional(key):
    [deployment] = manifests.by_kind("Deployment")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    [ref] = [e["valueFrom"]["secretKeyRef"] for e in container["env"] if e["name"] == key]
    assert ref["name"] == "raas-database"
    assert ref.get("optional", False) is (key == "DATABASE_READ_URL")


def test_liveness_never_asks_the_database_readiness_does():
    [deployment] = manifests.by_kind("Deployment")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"


def test_the_example_secret_explains_the_read_url():
    assert "DATABASE_READ_URL" in Path(manifests.FOLDER / "secret.example.yaml").read_text()
