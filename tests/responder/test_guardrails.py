"""The guardrail verdict on real plans, made by the real terraform binary."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from responder.guardrails import DEFAULT_PROTECTED_RESOURCE_TYPES, DEFAULT_PROTECTED_STACKS, Policy, evaluate
from responder.plan_document import PlanError, parse_plan
from tests.support.infra import Infra, copy_of, plan_json


@pytest.fixture(scope="module")
def plans(infra_template: Infra, tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, str]:
    infra = copy_of(infra_template, tmp_path_factory.mktemp("plans"))
    return {
        "update": plan_json(infra, "app", replicas=3),
        "delete": plan_json(infra, "workers", replicas=0),
        "replace": plan_json(infra, "jobs", image_tag="v1.1.0"),
        "too-many": plan_json(infra, "workers", replicas=7),
        "empty": plan_json(infra, "app"),
        "sensitive": plan_json(infra, "app", image_tag="2.5.0"),
    }


def verdict(text: str, stack: str | None = "stacks/app", policy: Policy | None = None) -> dict[str, Any]:
    return evaluate(parse_plan(text), policy or Policy(), stack).to_json()


def rewritten(text: str, edit: Any) -> str:
    raw = json.loads(text)
    edit(raw)
    return json.dumps(raw)


def test_an_in_place_update_is_allowed(plans: Mapping[str, str]) -> None:
    result = verdict(plans["update"])
    assert result["allowed"] is True
    assert result["outcome"] == "ready"
    assert result["reasons"] == [
        "no resource would be deleted or replaced",
        "1 resource would change (at most 5)",
        "no resource of a protected type is touched",
        "stack stacks/app is not protected",
    ]
    assert result["counts"] == {"create": 0, "update": 1, "delete": 0, "replace": 0, "no_op": 0, "read": 0,
                                "forget": 0}
    [change] = result["changes"]
    assert (change["address"], change["type"], change["action"]) == ("terraform_data.deployment", "terraform_data",
                                                                     "update")
    assert {"path": "input.replicas", "before": "2", "after": "3"} in change["attributes"]


def test_a_delete_is_blocked(plans: Mapping[str, str]) -> None:
    result = verdict(plans["delete"], "stacks/workers")
    assert (result["allowed"], result["outcome"]) == (False, "blocked")
    assert result["reasons"] == ["the plan would delete 1 resource: terraform_data.worker[0]"]
    assert result["counts"]["delete"] == 1


def test_a_replace_is_blocked(plans: Mapping[str, str]) -> None:
    result = verdict(plans["replace"], "stacks/jobs")
    assert result["outcome"] == "blocked"
    assert result["reasons"] == ["the plan would replace (destroy and re-create) 1 resource: "
                                 "terraform_data.migration_job"]
    [replaced] = [c for c in result["changes"] if c["action"] == "replace"]
    assert replaced["actions"] == ["delete", "create"]
    assert replaced["replace_paths"] == ["triggers_replace"]


def test_more_changes_than_the_limit_are_blocked(plans: Mapping[str, str]) -> None:
    result = verdict(plans["too-many"], "stacks/workers")
    assert result["outcome"] == "blocked"
    assert result["reasons"] == ["the plan changes 6 resources, more than guardrails.max_changes (5)"]
    assert verdict(plans["too-many"], "stacks/workers", Policy(max_changes=6))["allowed"] is True


def test_an_empty_plan_is_a_no_op_and_never_allowed(plans: Mapping[str, str]) -> None:
    result = verdict(plans["empty"])
    assert (result["allowed"], result["outcome"]) == (False, "no-op")
    assert result["reasons"] == ["the plan changes nothing: there is nothing to apply"]
    assert result["counts"]["no_op"] == 1


@pytest.mark.parametrize("stack", ["stacks/vault", "vault", "infra/stacks/dbaas", "stacks/Traefik", "authentik/prod"])
def test_a_protected_stack_is_blocked_whatever_the_plan(plans: Mapping[str, str], stack: str) -> None:
    result = verdict(plans["update"], stack)
    assert result["outcome"] == "blocked"
    assert result["reasons"][0].startswith(f"stack {stack} is protected (guardrails.protected_stacks: ")


@pytest.mark.parametrize("kind", ["kubernetes_persistent_volume_claim_v1", "kubernetes_secret", "aws_db_instance",
                                  "aws_s3_bucket_lifecycle_configuration", "google_sql_database_instance",
                                  "google_storage_bucket", "azurerm_key_vault_secret", "kubernetes_namespace_v1"])
def test_a_protected_resource_type_is_blocked(plans: Mapping[str, str], kind: str) -> None:
    # A real plan, with the resource's type rewritten: no provider download needed.
    def retype(raw: dict[str, Any]) -> None:
        raw["resource_changes"][0]["type"] = kind

    result = verdict(rewritten(plans["update"], retype))
    assert result["outcome"] == "blocked"
    assert result["reasons"] == [f"the plan changes 1 resource of a protected type "
                                 f"(guardrails.protected_resource_types): terraform_data.deployment "
                                 f"({next(p for p in DEFAULT_PROTECTED_RESOURCE_TYPES if _matches(kind, p))})"]


def _matches(kind: str, pattern: str) -> bool:
    from fnmatch import fnmatchcase

    return fnmatchcase(kind, pattern)


def test_a_helm_release_is_protected_by_its_chart(plans: Mapping[str, str]) -> None:
    def helm(chart: str) -> Any:
        def edit(raw: dict[str, Any]) -> None:
            change = raw["resource_changes"][0]
            change["type"] = "helm_release"
            for side in ("before", "after"):
                change["change"][side]["chart"] = chart
        return edit

    blocked = verdict(rewritten(plans["update"], helm("postgresql")))
    assert blocked["reasons"][0].endswith("terraform_data.deployment (helm_release:*postgres*)")
    assert verdict(rewritten(plans["update"], helm("nextcloud")))["allowed"] is True


def test_a_no_op_on_a_protected_type_is_not_a_change(plans: Mapping[str, str]) -> None:
    def retype(raw: dict[str, Any]) -> None:
        raw["resource_changes"][0]["type"] = "kubernetes_secret_v1"

    assert verdict(rewritten(plans["empty"], retype))["outcome"] == "no-op"


def test_drift_outside_the_change_is_reported_not_blocking(plans: Mapping[str, str]) -> None:
    # terraform_data never drifts; the entry has the documented resource_drift shape.
    def drifted(raw: dict[str, Any]) -> None:
        entry = json.loads(json.dumps(raw["resource_changes"][0]))
        entry["address"] = entry["name"] = "terraform_data.cache"
        raw["resource_drift"] = [entry]

    result = verdict(rewritten(plans["update"], drifted))
    assert result["allowed"] is True
    assert result["notes"] == ["1 resource changed outside Terraform and is not part of this change: "
                               "terraform_data.cache"]
    assert [d["address"] for d in result["drift"]] == ["terraform_data.cache"]


@pytest.mark.parametrize(("actions", "reason"), [
    (["forget"], "the plan would remove from the state without destroying 1 resource: terraform_data.deployment"),
    (["update", "delete"], "the plan has actions this responder does not know (update+delete): "
                           "terraform_data.deployment"),
    (["create", "delete"], "the plan would replace (destroy and re-create) 1 resource: terraform_data.deployment"),
])
def test_unusual_actions_are_refused(plans: Mapping[str, str], actions: list[str], reason: str) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["resource_changes"][0]["change"]["actions"] = actions

    result = verdict(rewritten(plans["update"], edit))
    assert result["outcome"] == "blocked"
    assert result["reasons"] == [reason]


@pytest.mark.parametrize(("key", "value", "reason"), [
    ("errored", True, "terraform reported errors while planning: the plan is incomplete"),
    ("complete", False, "the plan is incomplete (terraform deferred some changes to a later plan)"),
    ("applyable", False, "terraform says this plan cannot be applied"),
])
def test_plans_terraform_itself_distrusts_are_blocked(plans: Mapping[str, str], key: str, value: bool,
                                                       reason: str) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw[key] = value

    assert verdict(rewritten(plans["update"], edit))["reasons"] == [reason]


def test_sensitive_values_never_reach_the_verdict(plans: Mapping[str, str]) -> None:
    plan = parse_plan(plans["sensitive"])
    assert "correct-horse-battery-staple" in plans["sensitive"]  # terraform writes it in clear
    assert "correct-horse-battery-staple" in plan.sensitive_values
    text = json.dumps(evaluate(plan, Policy(), "stacks/app").to_json())
    assert "correct-horse-battery-staple" not in text
    attributes = {a["path"]: a for a in evaluate(plan, Policy()).to_json()["changes"][0]["attributes"]}
    assert attributes["input.image"] == {"path": "input.image", "before": '"registry.example.org/app:2.4.1"',
                                         "after": '"registry.example.org/app:2.5.0"'}
    assert "input.env.ADMIN_PASSWORD" not in attributes  # unchanged, and marked sensitive anyway
    # terraform_data copies the input, password included, into an unmarked output: masked all the same.
    assert attributes["output"]["before"] == "(sensitive)"
    assert evaluate(plan, Policy()).to_json()["outputs"] == [
        {"name": "admin_password", "action": "no-op", "sensitive": True}]


@pytest.mark.parametrize(("damage", "message"), [
    (lambda text: text[: len(text) // 2], "the plan is not valid JSON (corrupt or truncated?)"),
    (lambda text: text.rstrip()[:-1],
     "the plan is not valid JSON (corrupt or truncated?): expected ',' or '}' at the end"),
    (lambda text: text.replace('"resource_changes":[', '"resource_changes":[[', 1), "resource_changes[0]"),
    (lambda text: text.replace('"format_version":"1.2"', '"format_version":"2.0"', 1),
     "plan format_version 2.0 is not supported (this responder reads 1.x)"),
    (lambda text: text.replace('"format_version":"1.2",', "", 1), "the plan JSON has no format_version"),
    (lambda text: "[" + text + "]", "the plan JSON is not an object"),
    (lambda text: "", "the plan JSON is not an object"),
    (lambda text: text.replace('"actions":["update"]', '"actions":"update"', 1),
     "resource_changes[0].change.actions is not a list of actions"),
    (lambda text: text.replace('{"format_version":"1.2",', '{"format_version":"1.2","format_version":"1.2",', 1),
     "the plan JSON has 'format_version' twice"),
    (lambda text: text + "garbage", "extra data after the plan"),
])
def test_a_damaged_plan_is_bad_input_never_allowed(plans: Mapping[str, str], damage: Any, message: str) -> None:
    with pytest.raises(PlanError) as caught:
        parse_plan(damage(plans["update"]))
    assert message in caught.value.message
    assert caught.value.exit_code == 2


def test_a_state_file_is_not_a_plan(infra_template: Infra, tmp_path: Path) -> None:
    from tests.support.infra import terraform

    state = terraform(infra_template.stack("app"), "show", "-json").stdout
    with pytest.raises(PlanError, match="the JSON is not a plan"):
        parse_plan(state)


def test_the_schema_defaults_are_the_policy_defaults() -> None:
    from responder.config import schema

    section = schema()["properties"]["guardrails"]["properties"]
    assert tuple(section["protected_stacks"]["default"]) == DEFAULT_PROTECTED_STACKS
    assert tuple(section["protected_resource_types"]["default"]) == DEFAULT_PROTECTED_RESOURCE_TYPES
    assert section["max_changes"]["default"] == Policy().max_changes


def test_the_policy_comes_from_the_guardrails_section() -> None:
    policy = Policy.from_section({"protected_stacks": ["payments-*"], "protected_resource_types": ["random_*"],
                                  "max_changes": 2})
    assert policy.protected_stack("stacks/payments-eu") == "payments-*"
    assert policy.protected_stack("stacks/vault") is None
    assert Policy.from_section({}).protected_stack("stacks/vault") == "vault"
