"""Rollback as a remedy: only a bad rollout, a healthy previous tag, an image pinned in git, opted in, once."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from responder.config.guardrails import Policy
from responder.config.investigation import InvestigationSettings
from responder.config.loader import Config, Service, TerraformTarget
from responder.investigate.diagnosis import diagnose
from responder.investigate.remedies import RemedyChoice, choose
from responder.investigate.rollback import RollbackFacts, image_tag
from responder.investigate.rollouts import recent_rollouts
from responder.model.cluster import parse_list
from responder.model.commits import Commit, PinnedValue
from tests.support.cluster_objects import NOW, SCENARIOS, SNAPSHOTS

SERVICE_OF = {s.name: s.service for s in SCENARIOS}
ON = InvestigationSettings(rollback=True)


def pinned(*values: str | None) -> tuple[PinnedValue, ...]:
    """The image variable through the vars file's history, newest first."""
    return tuple(PinnedValue(Commit(f"{index:02d}" + "ab12cd34ef" * 4, f"2026-11-2{3 - index}T10:00:00Z", "alice",
                                    f"change {index}"), value) for index, value in enumerate(values))


def decide(config: Config, snapshot: str, history: tuple[PinnedValue, ...] | None, *,
           settings: InvestigationSettings = ON, service: Service | None = None, guardrails: Policy | None = None,
           tried_at: str | None = None, edit: Any = None) -> RemedyChoice:
    service = service or config.service(SERVICE_OF[snapshot])
    assert service is not None and service.kubernetes is not None
    data = json.loads((SNAPSHOTS / f"{snapshot}.json").read_text())
    if edit is not None:
        edit(data)
    view = parse_list(data, snapshot)
    found = diagnose(view, service.kubernetes, NOW)
    rollouts = recent_rollouts(view, service.kubernetes.namespace, found.deployment, NOW, timedelta(hours=4))
    facts = RollbackFacts(view, rollouts, history, tried_at=tried_at)
    return choose(found, service, settings, cluster_writable=False, guardrails=guardrails or Policy(),
                  rollback=facts)


def test_a_recreate_rollout_with_a_missing_tag_is_rolled_back_to_the_tag_git_had_before(
        example_config: Config) -> None:
    result = decide(example_config, "image-pull-backoff", pinned("v1.999.0", "v1.121.0", "v1.120.2"))
    assert result.remedy is not None and result.remedy.code == "rollback"
    assert result.remedy.summary == "roll back immich from v1.999.0 to v1.121.0"
    change = result.remedy.change
    assert change is not None
    assert (change.kind, change.key, change.value, change.replaces, change.commit_type, change.rollback) == (
        "image_tag", "image_tag", "v1.121.0", "v1.999.0", "fix", True)
    # Its old pods are gone (Recreate): the Deployment's own availability shows the old tag served.
    assert "the Deployment was Available until the rollout began at 13:54 UTC" in result.reasons[0]
    assert result.reasons[0].endswith("→ rollback: roll back immich from v1.999.0 to v1.121.0")


def test_a_rolling_update_whose_new_pod_crashes_is_rolled_back_while_the_old_pods_serve(
        example_config: Config) -> None:
    result = decide(example_config, "rollout-crashloop", pinned("30.0.3-apache", "30.0.2-apache"))
    assert result.remedy is not None and result.remedy.summary == "roll back nextcloud from 30.0.3-apache to " \
                                                                  "30.0.2-apache"
    assert "the previous ReplicaSet nextcloud-" in result.reasons[0] and "still has 2 ready pods" in result.reasons[0]


def test_the_image_variable_is_the_services_own(example_config: Config) -> None:
    immich = example_config.service("immich")
    assert immich is not None and immich.terraform is not None
    renamed = replace(immich, terraform=replace(immich.terraform, image_var="server_tag"))
    result = decide(example_config, "image-pull-backoff", pinned("v1.999.0", "v1.121.0"), service=renamed)
    assert result.remedy is not None and result.remedy.change is not None
    assert result.remedy.change.key == "server_tag"


def why_not(result: RemedyChoice) -> str:
    assert result.remedy is None or result.remedy.code != "rollback"
    return next(reason for reason in result.reasons if "but no rollback" in reason)


@pytest.mark.parametrize(("case", "words"), [
    ("off", "roll back immich from v1.999.0 to v1.121.0 would be the remedy, but rollbacks are switched off "
            "(investigation.rollback: false)"),
    ("protected", "immich is protected (guardrails.protected_services: immich): it is never rolled back"),
    ("tried", "a rollback was already tried for this incident at 2026-11-23T14:02:00Z; it runs at most once"),
    ("not pinned", "the failing pods run ghcr.io/immich-app/immich-server:v1.999.0, but immich.auto.tfvars.json pins "
                   "image_tag = v1.120.2: the rollout did not come from that file"),
    ("no earlier", "immich.auto.tfvars.json's git history has no earlier image_tag to go back to"),
    ("other tag", "the previous ReplicaSet ran ghcr.io/immich-app/immich-server:v1.121.0, but immich.auto.tfvars.json "
                  "held v1.120.2 before: which one was healthy is not certain"),
    ("no history", "the history of immich.auto.tfvars.json could not be read"),
    ("no vars file", "immich has no terraform.vars_file"),
    ("unavailable before", "the Deployment was already unavailable at 13:50 UTC, before the rollout at 13:54 UTC"),
])
def test_no_rollback_unless_every_condition_holds(example_config: Config, case: str, words: str) -> None:
    immich = example_config.service("immich")
    assert immich is not None and immich.terraform is not None
    history: tuple[PinnedValue, ...] | None = pinned("v1.999.0", "v1.121.0")
    kwargs: dict[str, Any] = {}
    if case == "off":
        kwargs["settings"] = InvestigationSettings()
    elif case == "protected":
        kwargs["guardrails"] = Policy(protected_services=("immich",))
    elif case == "tried":
        kwargs["tried_at"] = "2026-11-23T14:02:00Z"
    elif case == "not pinned":
        history = pinned("v1.120.2", "v1.119.0")
    elif case == "no earlier":
        history = pinned("v1.999.0", "v1.999.0")
    elif case == "other tag":
        history = pinned("v1.999.0", "v1.120.2")
    elif case == "no history":
        history = None
    elif case == "no vars file":
        kwargs["service"] = replace(immich, terraform=TerraformTarget(stack="stacks/immich", vars_file=None))
    elif case == "unavailable before":
        def edit(data: dict[str, Any]) -> None:
            for item in data["items"]:
                if item["kind"] == "Deployment" and item["metadata"]["name"] == "immich-server":
                    item["status"]["conditions"][0]["lastTransitionTime"] = "2026-11-23T13:50:00Z"
        kwargs["edit"] = edit
    result = decide(example_config, "image-pull-backoff", history, **kwargs)
    assert words in why_not(result), result.reasons
    # The diagnosis's own reason for a person stays first.
    assert "the image reference or the pull secret has to be fixed in the stack" in result.reasons[0]


def test_a_rollout_that_kept_the_image_is_not_a_tag_rollback(example_config: Config) -> None:
    # rollout-stuck: a configuration change to Immich whose new pod never gets ready.
    result = decide(example_config, "rollout-stuck", pinned("v1.121.0", "v1.120.2"))
    assert "the rollout kept the image (ghcr.io/immich-app/immich-server:v1.121.0)" in why_not(result)
    assert "a rollout restart would be the remedy" in result.reasons[0]  # as before (a snapshot: read-only)


@pytest.mark.parametrize("snapshot", ["crashloop-exit-1", "oomkilled", "healthy", "pending-taints"])
def test_without_a_recent_rollout_the_other_remedies_decide_alone(example_config: Config, snapshot: str) -> None:
    with_facts = decide(example_config, snapshot, pinned("v1", "v0"))
    service = example_config.service(SERVICE_OF[snapshot])
    assert service is not None and service.kubernetes is not None
    view = parse_list(json.loads((SNAPSHOTS / f"{snapshot}.json").read_text()), snapshot)
    alone = choose(diagnose(view, service.kubernetes, NOW), service, ON, cluster_writable=False)
    assert with_facts == alone


@pytest.mark.parametrize(("image", "tag"), [
    ("ghcr.io/immich-app/immich-server:v1.121.0", "v1.121.0"),
    ("registry.acme-homelab.org:5000/app:2.1@sha256:" + "ab" * 32, "2.1"),
    ("registry.acme-homelab.org:5000/app", None),
    ("nginx", None),
])
def test_image_tags_are_read_from_references(image: str, tag: str | None) -> None:
    assert image_tag(image) == tag
