"""Renders a kustomization the way `kubectl kustomize` does, for the features these
manifests use, so CI can check them without kubectl:

* `resources`: files (one or more YAML documents) and folders holding a kustomization;
* `namespace`: set on every namespaced object;
* `labels` (`pairs`, with `includeSelectors: false`): added to every object's labels;
* `images`: `newName` / `newTag` for containers whose image is `name`;
* `replicas`: `count` for the named workloads;
* `patches` with `path`: strategic merge patches matched by kind and name. Maps merge;
  lists merge by Kubernetes' patch merge key where it has one (containers, env, volumes by
  `name`; volumeMounts by `mountPath`; container ports by `containerPort`) and are
  replaced otherwise (e.g. an Ingress's rules), as kustomize does.

Anything else in a kustomization is an error, so a manifest using a feature this file
doesn't know fails loudly instead of rendering wrong.

    python deploy/k8s/render.py deploy/k8s/overlays/prod > prod.yaml
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import yaml

KNOWN_KEYS = {
    "apiVersion", "kind", "resources", "namespace", "labels", "images", "replicas", "patches",
}  # fmt: skip
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "ClusterIssuer"}
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "envFrom": None,  # no merge key: replaced
    "volumes": "name",
    "volumeMounts": "mountPath",
    "ports": "containerPort",
    "imagePullSecrets": "name",
}
SCALABLE = {"Deployment", "StatefulSet", "ReplicaSet"}  # what kustomize's `replicas` sets
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"}


class KustomizeError(ValueError):
    pass


def _documents(path: Path) -> list[dict]:
    with path.open() as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


def merge(base, patch, field: str = ""):
    """Strategic merge of `patch` into `base` (see the module docstring)."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = merge(base[key], value, key) if key in base else copy.deepcopy(value)
        return merged
    key = MERGE_KEYS.get(field)
    if isinstance(base, list) and isinstance(patch, list) and key:
        merged = [copy.deepcopy(item) for item in base]
        for item in patch:
            index = next((i for i, old in enumerate(merged) if old.get(key) == item.get(key)), None)
            if index is None:
                merged.append(copy.deepcopy(item))
            else:
                merged[index] = merge(merged[index], item)
        return merged
    return copy.deepcopy(patch)


def _pod_spec(obj: dict) -> dict | None:
    if obj.get("kind") not in WORKLOADS:
        return None
    return obj.get("spec", {}).get("template", {}).get("spec")


def _key(obj: dict) -> tuple[str, str]:
    return obj["kind"], obj["metadata"]["name"]


def render(folder: Path | str) -> list[dict]:
    folder = Path(folder)
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    unknown = set(kustomization) - KNOWN_KEYS
    if unknown:
        raise KustomizeError(f"{folder}: render.py doesn't implement {sorted(unknown)}")
    objects: list[dict] = []
    for resource in kustomization.get("resources", []):
        path = folder / resource
        objects += render(path) if path.is_dir() else _documents(path)
    seen = [_key(obj) for obj in objects]
    if len(seen) != len(set(seen)):
        raise KustomizeError(f"{folder}: the same object is defined twice")

    by_key = {_key(obj): i for i, obj in enumerate(objects)}
    for patch_entry in kustomization.get("patches", []):
        if set(patch_entry) != {"path"}:
            raise KustomizeError(f"{folder}: only patches with a path are implemented")
        for patch in _documents(folder / patch_entry["path"]):
            index = by_key.get(_key(patch))
            if index is None:
                raise KustomizeError(f"{folder}: patch target {_key(patch)} not found")
            objects[index] = merge(objects[index], patch)

    for entry in kustomization.get("replicas", []):
        matches = [
            o for o in objects if o["metadata"]["name"] == entry["name"] and o["kind"] in SCALABLE
        ]
        if not matches:
            raise KustomizeError(f"{folder}: replicas for unknown {entry['name']}")
        for obj in matches:
            obj["spec"]["replicas"] = entry["count"]

    for image in kustomization.get("images", []):
        for obj in objects:
            spec = _pod_spec(obj)
            for container in (spec or {}).get("containers", []) + (spec or {}).get(
                "initContainers", []
            ):
                name, _, tag = container["image"].partition(":")
                if name == image["name"]:
                    new_name = image.get("newName", name)
                    new_tag = image.get("newTag", tag)
                    container["image"] = f"{new_name}:{new_tag}" if new_tag else new_name

    for label_set in kustomization.get("labels", []):
        if label_set.get("includeSelectors", False) or label_set.get("includeTemplates"):
            raise KustomizeError(f"{folder}: only labels with includeSelectors: false")
        for obj in objects:
            obj["metadata"].setdefault("labels", {}).update(label_set["pairs"])

    if namespace := kustomization.get("namespace"):
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj["metadata"]["namespace"] = namespace
    return objects


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    yaml.safe_dump_all(render(argv[1]), sys.stdout, sort_keys=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
