"""deploy/k8s: every overlay renders (deploy/k8s/render.py, kustomize's semantics for what
the manifests use) and every object passes the Kubernetes schemas, strictly (an unknown
field is an error). Then what an operator relies on: probes that mean different things,
one beat, the migration Job's canary, Secrets by name only, and so on."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import kubernetes_validate
import pytest

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = sorted(path.name for path in (K8S / "overlays").iterdir() if path.is_dir())
KUBERNETES_VERSION = "1.31.0"

_spec = importlib.util.spec_from_file_location("k8s_render", K8S / "render.py")
render_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(render_module)
render = render_module.render


def rendered(overlay: str) -> dict[tuple[str, str], dict]:
    return {(o["kind"], o["metadata"]["name"]): o for o in render(K8S / "overlays" / overlay)}


def containers(obj: dict) -> list[dict]:
    return obj["spec"]["template"]["spec"]["containers"]


def test_there_are_dev_and_prod_overlays():
    assert {"dev", "prod"} <= set(OVERLAYS)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_manifest_is_valid_kubernetes(overlay):
    objects = render(K8S / "overlays" / overlay)

    assert len(objects) > 15
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{overlay} {obj['kind']}/{obj['metadata']['name']}: {exc.message}")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_workloads_an_operator_relies_on(overlay):
    objects = rendered(overlay)
    web = objects[("Deployment", "rental-web")]
    (web_container,) = containers(web)

    # Liveness only asks whether the process answers; readiness asks PostgreSQL and Redis.
    assert web_container["livenessProbe"]["httpGet"]["path"] == "/healthz/live"
    assert web_container["readinessProbe"]["httpGet"]["path"] == "/healthz/ready"
    beat = objects[("Deployment", "rental-beat")]
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"]["type"] == "Recreate"
    assert containers(objects[("Deployment", "rental-worker")])[0]["args"][0] == "worker"
    pinned_args = containers(objects[("Deployment", "rental-worker-pinned")])[0]["args"]
    assert "--tenants" in pinned_args
    job = objects[("Job", "rental-migrate")]
    (migrate,) = containers(job)
    assert migrate["args"] == ["migrate"]
    assert {"name": "MIGRATE_CANARY", "value": "20"} in migrate["env"]
    assert job["spec"]["backoffLimit"] == 0
    for kind in ("HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy", "Service"):
        assert any(k == kind for k, _ in objects), kind
    config = objects[("ConfigMap", "rental-config")]["data"]
    assert config["RUN_MIGRATIONS"] == "0"  # the Job migrates, web pods only serve
    assert config["PROMETHEUS_MULTIPROC_DIR"] == "/tmp/prometheus"  # noqa: S108  (an emptyDir)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_images_are_released_ones_and_namespaced(overlay):
    objects = render(K8S / "overlays" / overlay)

    namespaces = {obj["metadata"].get("namespace") for obj in objects}
    assert len(namespaces) == 1
    assert None not in namespaces
    for obj in objects:
        for container in containers(obj) if "template" in obj.get("spec", {}) else []:
            if "redis" not in container["image"]:
                assert container["image"].startswith("registry.example.com/rental-platform:")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_are_referenced_by_name_only(overlay):
    objects = render(K8S / "overlays" / overlay)

    assert not [obj for obj in objects if obj["kind"] == "Secret"]
    text = "\n".join(str(obj) for obj in objects)
    for secret_name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "DATABASE_URL", "METRICS_TOKEN"):
        assert secret_name not in text  # not even as a ConfigMap key
    for key, obj in rendered(overlay).items():
        if key[0] == "Deployment" or key[0] == "Job":
            for container in containers(obj):
                if "redis" in container["image"]:
                    continue
                refs = [
                    ref["secretRef"]["name"] for ref in container["envFrom"] if "secretRef" in ref
                ]
                assert refs == ["rental-secrets"], key


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_select_pods_that_exist(overlay):
    objects = rendered(overlay)
    pod_labels = [
        obj["spec"]["template"]["metadata"]["labels"]
        for obj in objects.values()
        if "template" in obj.get("spec", {})
    ]

    for (kind, name), obj in objects.items():
        if kind == "Service":
            selector = obj["spec"]["selector"].items()
            assert any(selector <= labels.items() for labels in pod_labels), name
        if kind == "HorizontalPodAutoscaler":
            assert ("Deployment", obj["spec"]["scaleTargetRef"]["name"]) in objects


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_ingress_serves_the_wildcard_and_custom_domains_with_certificates(overlay):
    objects = rendered(overlay)
    wildcard = objects[("Ingress", "rental-web")]
    custom = objects[("Ingress", "rental-custom-domains")]

    hosts = [rule["host"] for rule in wildcard["spec"]["rules"]]
    assert any(host.startswith("*.") for host in hosts)
    assert set(hosts) == set(wildcard["spec"]["tls"][0]["hosts"])
    for ingress in (wildcard, custom):
        assert "cert-manager.io/cluster-issuer" in ingress["metadata"]["annotations"]
        assert ingress["spec"]["tls"][0]["secretName"]
    platform_domain = objects[("ConfigMap", "rental-config")]["data"]["PLATFORM_DOMAIN"]
    assert f"*.{platform_domain}" in hosts


def test_redis_keeps_the_broker_on_disk_and_never_evicts_queues():
    objects = rendered("prod")
    (redis,) = containers(objects[("StatefulSet", "rental-redis")])

    args = redis["args"]
    assert args[args.index("--appendonly") + 1] == "yes"
    assert args[args.index("--maxmemory-policy") + 1] == "volatile-lru"


def test_a_patch_merges_containers_by_name_and_replaces_plain_lists():
    base = {"spec": {"containers": [{"name": "a", "image": "x", "args": ["1", "2"]}]}}
    patch = {"spec": {"containers": [{"name": "a", "args": ["3"]}, {"name": "b"}]}}

    merged = render_module.merge(base, patch)

    assert merged["spec"]["containers"] == [
        {"name": "a", "image": "x", "args": ["3"]},
        {"name": "b"},
    ]


def test_a_kustomization_feature_the_renderer_lacks_fails_loudly(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources: []\nnamePrefix: x-\n")

    with pytest.raises(render_module.KustomizeError, match="namePrefix"):
        render(tmp_path)
