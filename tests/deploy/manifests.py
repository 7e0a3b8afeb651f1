"""The Kubernetes manifests in deploy/kubernetes, and checks of what OpenShift's restricted-v2 SCC enforces."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import yaml

FOLDER = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes"


def documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def all_documents() -> list[tuple[Path, dict]]:
    return [(path, doc) for path in sorted(FOLDER.glob("*.yaml")) for doc in documents(path)]


def resources() -> list[tuple[Path, dict]]:
    """Every Kubernetes object (the kustomization is kustomize's, not the API's)."""
    return [(path, doc) for path, doc in all_documents() if doc.get("kind") != "Kustomization"]


def by_kind(kind: str) -> list[dict]:
    return [doc for _, doc in resources() if doc["kind"] == kind]


def pod_template(doc: dict) -> dict | None:
    kind = doc["kind"]
    if kind in ("Deployment", "Job", "StatefulSet", "DaemonSet"):
        return doc["spec"]["template"]
    if kind == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]
    return None


def containers(pod_spec: dict) -> Iterator[dict]:
    yield from pod_spec.get("initContainers", [])
    yield from pod_spec["containers"]


def _walk(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}", key, item
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def restricted_violations(doc: dict) -> list[str]:
    """What OpenShift's restricted-v2 SCC (and Kubernetes' restricted Pod Security Standard) would refuse."""
    template = pod_template(doc)
    if template is None:
        return []
    name = f"{doc['kind']}/{doc['metadata']['name']}"
    spec = template["spec"]
    found = []
    for where, key, value in _walk(spec):
        if key in ("runAsUser", "runAsGroup", "fsGroup", "supplementalGroups"):
            found.append(f"{name}: {where} fixes an id; OpenShift assigns one from the project's range")
        if key in ("hostNetwork", "hostPID", "hostIPC") and value:
            found.append(f"{name}: {where} shares the host's namespaces")
        if key in ("hostPath", "hostPort"):
            found.append(f"{name}: {where} reaches into the host")
        if key == "privileged" and value:
            found.append(f"{name}: {where} is privileged")
        if key == "add" and value and ".capabilities" in where:
            found.append(f"{name}: {where} adds capabilities")
    pod_security = spec.get("securityContext", {})
    if pod_security.get("runAsNonRoot") is not True:
        found.append(f"{name}: the pod does not require runAsNonRoot")
    if pod_security.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        found.append(f"{name}: the pod's seccomp profile is not RuntimeDefault")
    if spec.get("automountServiceAccountToken") is not False:
        found.append(f"{name}: a service account token is mounted (the pods never call the API)")
    for container in containers(spec):
        cname = f"{name} container {container['name']}"
        security = container.get("securityContext", {})
        if security.get("allowPrivilegeEscalation") is not False:
            found.append(f"{cname}: allowPrivilegeEscalation is not false")
        if security.get("capabilities", {}).get("drop") != ["ALL"]:
            found.append(f"{cname}: does not drop ALL capabilities")
        if security.get("readOnlyRootFilesystem") is not True:
            found.append(f"{cname}: the root filesystem is writable")
        if security.get("runAsNonRoot") is not True:
            found.append(f"{cname}: runAsNonRoot is not set")
        if security.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            found.append(f"{cname}: seccomp is not RuntimeDefault")
        resources = container.get("resources", {})
        for bound in ("requests", "limits"):
            if set(resources.get(bound, {})) < {"cpu", "memory"}:
                found.append(f"{cname}: no {bound} for cpu and memory")
        if not any(m["mountPath"] == "/tmp" for m in container.get("volumeMounts", [])):
            found.append(f"{cname}: /tmp is not a writable volume (the root filesystem is read-only)")
    return found
