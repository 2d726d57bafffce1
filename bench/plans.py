"""Generated `terraform show -json` plans for the benchmarks, in terraform's real format.

- deployments_plan: Kubernetes-sized Deployments (resource changes, drift, outputs, planned values,
  prior state and configuration); 10,000 of them are 47 MB of JSON.
- small_resources_plan: small resources shaped like the test stacks' terraform_data (an image, a
  replica count and a sensitive password each); 10,000 of them are about 6.8 MB.

Both are deterministic (seeded), so every run of every benchmark reads the same bytes.
"""

from __future__ import annotations

import random
from typing import Any

RESOURCES = 10_000
ACTIONS = [["update"]] * 60 + [["create"]] * 20 + [["no-op"]] * 15 + [["delete"]] * 3 + [["delete", "create"]] * 2


def deployment(index: int, replicas: int, memory: str) -> dict[str, Any]:
    name = f"app-{index:05d}"
    return {
        "id": f"apps/{name}",
        "metadata": [{"name": name, "namespace": f"team-{index % 40}", "generation": 7,
                      "labels": {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "platform"},
                      "annotations": {"deployment.kubernetes.io/revision": "12"}, "resource_version": "918273",
                      "uid": f"0b7e{index:08x}-5b1c-4c6f-9f0e-2a1d9c3e7f10"}],
        "spec": [{"replicas": str(replicas), "revision_history_limit": 10, "progress_deadline_seconds": 600,
                  "selector": [{"match_labels": {"app.kubernetes.io/name": name}}],
                  "strategy": [{"type": "RollingUpdate",
                                "rolling_update": [{"max_surge": "25%", "max_unavailable": "25%"}]}],
                  "template": [{"spec": [{"container": [{
                      "name": "app", "image": f"registry.example.org/{name}:1.{index % 30}.0",
                      "image_pull_policy": "IfNotPresent",
                      "port": [{"container_port": 8080, "name": "http", "protocol": "TCP"}],
                      "resources": [{"limits": {"memory": memory, "cpu": "1"},
                                     "requests": {"memory": "256Mi", "cpu": "100m"}}],
                      "env": [{"name": "LOG_LEVEL", "value": "info"},
                              {"name": "DATABASE_PASSWORD", "value": f"s3cr3t-{index:05d}-value"}]}]}]}]}],
        "wait_for_rollout": True,
    }


def sensitive_mask() -> dict[str, Any]:
    return {"spec": [{"template": [{"spec": [{"container": [{"env": [{}, {"value": True}]}]}]}]}]}


def deployments_plan(count: int = RESOURCES) -> dict[str, Any]:
    rng = random.Random(42)
    changes, planned, prior = [], [], []
    for index in range(count):
        actions = rng.choice(ACTIONS)
        address = f'module.team_{index % 40}.kubernetes_deployment_v1.app["app-{index:05d}"]'
        before = None if actions == ["create"] else deployment(index, 2, "512Mi")
        after = None if actions == ["delete"] else deployment(index, 3 if actions != ["no-op"] else 2,
                                                              "1Gi" if actions != ["no-op"] else "512Mi")
        base = {"address": address, "module_address": f"module.team_{index % 40}", "mode": "managed",
                "type": "kubernetes_deployment_v1", "name": "app", "index": f"app-{index:05d}",
                "provider_name": "registry.terraform.io/hashicorp/kubernetes"}
        changes.append({**base, "change": {
            "actions": actions, "before": before, "after": after,
            "after_unknown": {"metadata": [{"resource_version": True}]} if after else False,
            "before_sensitive": sensitive_mask() if before else False,
            "after_sensitive": sensitive_mask() if after else False}})
        if after is not None:
            planned.append({**base, "schema_version": 1, "values": after, "sensitive_values": sensitive_mask()})
        if before is not None:
            prior.append({**base, "schema_version": 1, "values": before, "sensitive_values": sensitive_mask()})
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "variables": {"environment": {"value": "production"}},
        "planned_values": {"root_module": {"child_modules": [{"address": "module.all", "resources": planned}]}},
        "resource_drift": [changes[7]],
        "resource_changes": changes,
        "output_changes": {"deployments": {"actions": ["update"], "before": count, "after": count,
                                           "after_unknown": False, "before_sensitive": False,
                                           "after_sensitive": False}},
        "prior_state": {"format_version": "1.0", "terraform_version": "1.11.4",
                        "values": {"root_module": {"child_modules": [{"address": "module.all", "resources": prior}]}}},
        "configuration": {"provider_config": {"kubernetes": {
            "name": "kubernetes", "full_name": "registry.terraform.io/hashicorp/kubernetes"}}, "root_module": {}},
        "timestamp": "2026-11-23T10:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def small_resources_plan(count: int = RESOURCES) -> dict[str, Any]:
    rng = random.Random(42)
    changes, planned = [], []
    mask = {"input": {"env": {"ADMIN_PASSWORD": True}}}
    for index in range(count):
        actions = rng.choice(ACTIONS)
        name = f"app-{index:05d}"

        def values(replicas: int, name: str = name, index: int = index) -> dict[str, Any]:
            return {"id": f"0b7e{index:08x}-5b1c",
                    "input": {"image": f"registry.example.org/{name}:1.{index % 30}.0", "replicas": replicas,
                              "env": {"ADMIN_PASSWORD": f"s3cr3t-{index:05d}"}},
                    "output": None}

        before = None if actions == ["create"] else values(2)
        after = None if actions == ["delete"] else values(2 if actions == ["no-op"] else 3)
        base = {"address": f'terraform_data.app["{name}"]', "mode": "managed", "type": "terraform_data",
                "name": "app", "index": name, "provider_name": "terraform.io/builtin/terraform"}
        changes.append({**base, "change": {
            "actions": actions, "before": before, "after": after,
            "after_unknown": {"output": True} if after else False,
            "before_sensitive": mask if before else False, "after_sensitive": mask if after else False}})
        if after is not None:
            planned.append({"address": base["address"]})
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {"provider_config": {}, "root_module": {}},
        "timestamp": "2026-11-23T10:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }
