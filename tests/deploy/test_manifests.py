"""deploy/kubernetes: valid for the Kubernetes API (offline, kubernetes-validate's bundled schemas),
runnable under OpenShift's restricted-v2 SCC, and consistent with the image, the code and each other."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import kubernetes_validate
import pytest

from tests.deploy import manifests
from tests.deploy.dockerfile_rules import parse
from tests.deploy.manifests import by_kind, containers, pod_template, resources, restricted_violations

ROOT = Path(__file__).resolve().parents[2]
# OpenShift 4.15 (Kubernetes 1.28) is the oldest the manifests target; the newest the package knows too
VERSIONS = ["1.28.0", kubernetes_validate.latest_version()]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("path", "doc"), manifests.resources(), ids=lambda v: getattr(v, "name", None) or v.get("kind")
)
def test_each_manifest_is_valid_for_the_kubernetes_api(path, doc, version):
    kubernetes_validate.validate(doc, version, strict=True)  # raises ValidationError naming the field


def test_the_validator_refuses_a_misspelt_field():
    [deployment] = by_kind("Deployment")
    broken = copy.deepcopy(deployment)
    broken["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = broken["spec"]["template"]["spec"][
        "containers"
    ][0].pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, VERSIONS[0], strict=True)


def test_the_kustomization_applies_every_manifest_but_the_example_secret():
    [kustomization] = [doc for _, doc in manifests.all_documents() if doc.get("kind") == "Kustomization"]
    listed = set(kustomization["resources"])
    present = {p.name for p in manifests.FOLDER.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert listed == present
    assert [image["name"] for image in kustomization["images"]] == ["raas"]


@pytest.mark.parametrize(
    "doc", [doc for _, doc in resources() if pod_template(doc)], ids=lambda d: f"{d['kind']}-{d['metadata']['name']}"
)
def test_every_pod_runs_under_the_restricted_security_profile(doc):
    assert restricted_violations(doc) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c, s: c.__setitem__("securityContext", {**c["securityContext"], "runAsUser": 1000}), "fixes an id"),
        (lambda c, s: c["securityContext"].__setitem__("allowPrivilegeEscalation", True), "allowPrivilegeEscalation"),
        (lambda c, s: c["securityContext"]["capabilities"].__setitem__("drop", ["NET_RAW"]), "drop ALL"),
        (lambda c, s: c["securityContext"]["capabilities"].__setitem__("add", ["NET_ADMIN"]), "adds capabilities"),
        (lambda c, s: c["securityContext"].__setitem__("readOnlyRootFilesystem", False), "writable"),
        (lambda c, s: s.__setitem__("hostNetwork", True), "host's namespaces"),
        (lambda c, s: s["securityContext"].pop("seccompProfile"), "seccomp"),
        (lambda c, s: c["resources"].pop("limits"), "no limits"),
        (lambda c, s: s.__setitem__("automountServiceAccountToken", True), "token"),
    ],
)
def test_the_security_check_catches_what_the_scc_would_refuse(change, expected):
    [deployment] = by_kind("Deployment")
    broken = copy.deepcopy(deployment)
    spec = broken["spec"]["template"]["spec"]
    change(spec["containers"][0], spec)
    assert any(expected in v for v in restricted_violations(broken)), restricted_violations(broken)


def _image_env() -> dict[str, str]:
    final = parse((ROOT / "deploy" / "Dockerfile").read_text()).stages[-1]
    pairs = re.findall(r"(\w+)=(\S+)", " ".join(i.args for i in final.all("ENV")))
    return dict(pairs)


def _mounts(container) -> dict[str, dict]:
    return {m["mountPath"]: m for m in container.get("volumeMounts", [])}


def test_the_service_pods_probe_health_and_readiness_on_the_port_gunicorn_binds():
    [deployment] = by_kind("Deployment")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["args"][:3] == ["serve", "--bind", "0.0.0.0:8080"]
    assert container["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert "--config" in container["args"] and container["args"][container["args"].index("--config") + 1] == (
        "/app/deploy/gunicorn.conf.py"
    )


def test_the_writable_paths_the_image_names_are_volumes():
    env = _image_env()
    [deployment] = by_kind("Deployment")
    [service] = deployment["spec"]["template"]["spec"]["containers"]
    mounts = _mounts(service)
    metrics_dir = Path(env["RAAS_METRICS_DIR"])
    assert any(metrics_dir == Path(m) or Path(m) in metrics_dir.parents for m in mounts), "metrics dir not writable"
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    metrics_volume = next(m["name"] for p, m in mounts.items() if Path(p) in (metrics_dir, *metrics_dir.parents))
    assert volumes[metrics_volume]["emptyDir"]["medium"] == "Memory"  # memory-mapped counters: no disk I/O
    # the outbox: read by the service, written by the batch, the same claim
    assert mounts[env["RAAS_OUTBOX"]]["readOnly"] is True
    [cronjob] = by_kind("CronJob")
    [batch] = pod_template(cronjob)["spec"]["initContainers"]
    assert _mounts(batch)[env["RAAS_OUTBOX"]].get("readOnly") is not True
    claims = {
        v["persistentVolumeClaim"]["claimName"]
        for doc in (deployment, cronjob)
        for v in pod_template(doc)["spec"]["volumes"]
        if "persistentVolumeClaim" in v
    }
    [claim] = by_kind("PersistentVolumeClaim")
    assert claims == {claim["metadata"]["name"]} and claim["spec"]["accessModes"] == ["ReadWriteMany"]


def test_the_batch_never_runs_twice_at_once_and_the_upgrade_job_migrates():
    [cronjob] = by_kind("CronJob")
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    assert cronjob["spec"]["timeZone"] == "Europe/Brussels"
    [batch] = pod_template(cronjob)["spec"]["initContainers"]
    assert batch["args"] == ["batch", "run"]
    [seal] = pod_template(cronjob)["spec"]["containers"]  # (1.1) after the batch: an init container ends first
    assert seal["args"] == ["audit", "seal"]
    [job] = by_kind("Job")
    [upgrade] = pod_template(job)["spec"]["containers"]
    assert upgrade["args"] == ["db", "upgrade"]
    assert pod_template(job)["spec"]["restartPolicy"] == "Never"


def test_every_pod_runs_the_raas_image_that_kustomize_sets():
    for doc in resources():
        template = pod_template(doc[1])
        if template:
            assert {c["image"] for c in containers(template["spec"])} == {"raas"}


def test_selectors_services_and_scalers_point_at_what_exists():
    [deployment] = by_kind("Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    [service] = by_kind("Service")
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    [pdb] = by_kind("PodDisruptionBudget")
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    [hpa] = by_kind("HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "raas"}
    assert 2 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    [ingress] = by_kind("Ingress")
    paths = [p for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]]
    assert [p["path"] for p in paths] == ["/ws"]  # /metrics and the probes are not published
    assert {p["backend"]["service"]["name"] for p in paths} == {service["metadata"]["name"]}


def _documented_settings() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    return set(re.findall(r"^\| `([A-Z_]+)` \|", readme, re.M))


def test_every_setting_the_manifests_give_is_documented_and_every_secret_key_exists():
    documented = _documented_settings()
    [configmap] = by_kind("ConfigMap")
    assert set(configmap["data"]) <= documented, set(configmap["data"]) - documented
    secrets = {
        doc["metadata"]["name"]: set(doc["stringData"])
        for doc in manifests.documents(manifests.FOLDER / "secret.example.yaml")
    }
    for _, doc in resources():
        template = pod_template(doc)
        for container in containers(template["spec"]) if template else ():
            for env in container.get("env", []):
                assert env["name"] in documented, env["name"]
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref and not ref.get("optional"):  # an optional key may be left out of the Secret
                    assert ref["key"] in secrets[ref["name"]], ref
            for source in container.get("envFrom", []):
                assert source["configMapRef"]["name"] == configmap["metadata"]["name"]


def test_a_pod_stops_within_its_grace_period():
    [deployment] = by_kind("Deployment")
    spec = deployment["spec"]["template"]["spec"]
    pre_stop = spec["containers"][0]["lifecycle"]["preStop"]["exec"]["command"]
    sleep = float(re.search(r"sleep\((\d+)\)", pre_stop[-1]).group(1))
    graceful = float(
        re.search(r"^graceful_timeout = (\d+)", (ROOT / "deploy" / "gunicorn.conf.py").read_text(), re.M).group(1)
    )
    assert sleep + graceful < spec["terminationGracePeriodSeconds"]


def test_the_network_policy_lets_in_port_8080_only_and_out_dns_postgresql_and_the_pushgateway():
    [policy] = by_kind("NetworkPolicy")
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert policy["spec"]["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "raas"}
    assert {p["port"] for rule in policy["spec"]["ingress"] for p in rule["ports"]} == {8080}
    assert all(rule.get("from") for rule in policy["spec"]["ingress"])  # never "from anywhere"
    assert {p["port"] for rule in policy["spec"]["egress"] for p in rule["ports"]} == {53, 5353, 5432, 9091}
    [configmap] = by_kind("ConfigMap")
    assert configmap["data"]["RAAS_PUSHGATEWAY_URL"].endswith(":9091")
    for _, doc in resources():
        template = pod_template(doc)
        if template:
            assert template["metadata"]["labels"]["app.kubernetes.io/name"] == "raas"  # the policy covers it
