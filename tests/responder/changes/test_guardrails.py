"""The guardrail verdict on real plans, made by the real terraform binary."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from responder.changes.guardrails import evaluate
from responder.changes.plan_document import PlanError, parse_plan
from responder.config.guardrails import (
    DEFAULT_PROTECTED_MANIFEST_KINDS,
    DEFAULT_PROTECTED_RESOURCE_TYPES,
    DEFAULT_PROTECTED_STACKS,
    Policy,
)
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
                                "forget": 0, "import": 0, "move": 0}
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


# ---------------------------------------------------------------- what the guard cannot see fully is refused


@pytest.fixture(scope="module")
def state_plans(tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, str]:
    """Real plans with an import block and a moved block, from a scratch terraform_data stack."""
    from tests.support.infra import terraform

    stack = tmp_path_factory.mktemp("state-plans")
    (stack / "main.tf").write_text('resource "terraform_data" "old" {\n  input = "x"\n}\n')
    terraform(stack, "init", "-input=false", "-no-color")
    terraform(stack, "apply", "-input=false", "-no-color", "-auto-approve")
    out = {}
    for name, config in (
        ("import", 'resource "terraform_data" "old" {\n  input = "x"\n}\nresource "terraform_data" "adopted" {}\n'
                   'import {\n  to = terraform_data.adopted\n  id = "pvc-0b7e"\n}\n'),
        ("move", 'resource "terraform_data" "new" {\n  input = "x"\n}\n'
                 'moved {\n  from = terraform_data.old\n  to   = terraform_data.new\n}\n'),
    ):
        (stack / "main.tf").write_text(config)
        terraform(stack, "plan", "-input=false", "-no-color", "-out=test.tfplan")
        out[name] = terraform(stack, "show", "-json", "test.tfplan").stdout
    return out


def test_imports_and_moves_are_changes_even_when_nothing_else_changes(state_plans: Mapping[str, str]) -> None:
    imported = verdict(state_plans["import"])
    [adopted] = [c for c in imported["changes"] if c["address"] == "terraform_data.adopted"]
    assert (adopted["action"], adopted["importing"]) == ("no-op", True)
    assert imported["counts"]["import"] == 1
    assert imported["notes"] == ["the plan imports 1 existing object into the state: terraform_data.adopted"]
    moved = verdict(state_plans["move"])
    assert [(c["address"], c["previous_address"]) for c in moved["changes"]] == [
        ("terraform_data.new", "terraform_data.old")]
    assert moved["counts"]["move"] == 1
    assert moved["notes"] == ["the plan moves 1 resource to a new address: terraform_data.old to terraform_data.new"]
    assert (imported["outcome"], moved["outcome"]) == ("ready", "ready")


@pytest.mark.parametrize("which", ["import", "move"])
def test_an_import_or_move_of_a_protected_type_is_blocked(state_plans: Mapping[str, str], which: str) -> None:
    # Before, a no-op import or move was not a change: not judged, not counted.
    def retype(raw: dict[str, Any]) -> None:
        for change in raw["resource_changes"]:
            if change["change"].get("importing") or change.get("previous_address"):
                change["type"] = "kubernetes_persistent_volume_claim_v1"

    result = verdict(rewritten(state_plans[which], retype))
    address = "terraform_data.adopted" if which == "import" else "terraform_data.new"
    assert result["outcome"] == "blocked"
    assert result["reasons"] == ["the plan changes 1 resource of a protected type (guardrails.protected_resource_types)"
                                 f": {address} (kubernetes_persistent_volume_claim_v1)"]


def test_a_move_out_of_a_protected_type_is_blocked(state_plans: Mapping[str, str]) -> None:
    def from_a_secret(raw: dict[str, Any]) -> None:
        raw["resource_changes"][0]["previous_address"] = 'module.app.kubernetes_secret_v1.db["main"]'

    result = verdict(rewritten(state_plans["move"], from_a_secret))
    assert result["reasons"] == ["the plan changes 1 resource of a protected type (guardrails.protected_resource_types)"
                                 ": terraform_data.new (kubernetes_secret_v1)"]


def test_imports_and_moves_count_toward_max_changes(state_plans: Mapping[str, str]) -> None:
    assert verdict(state_plans["import"], policy=Policy(max_changes=1))["allowed"] is True

    def both(raw: dict[str, Any]) -> None:
        [old] = [c for c in raw["resource_changes"] if c["address"] == "terraform_data.old"]
        old["previous_address"] = "terraform_data.before"

    result = verdict(rewritten(state_plans["import"], both), policy=Policy(max_changes=1))
    assert result["reasons"] == ["the plan changes 2 resources, more than guardrails.max_changes (1)"]


def manifest(kind: str | None, unknown: bool = False) -> Any:
    def edit(raw: dict[str, Any]) -> None:
        change = raw["resource_changes"][0]
        change["type"] = "kubernetes_manifest"
        body = {"apiVersion": "v1", "kind": kind, "metadata": {"name": "db", "namespace": "app"}}
        change["change"]["before"] = {"manifest": {**body, "kind": "ConfigMap"}, "object": None}
        change["change"]["after"] = {"manifest": None if unknown else body, "object": None}
        change["change"]["after_unknown"] = {"manifest": True} if unknown else {"object": True}
        change["change"]["before_sensitive"] = change["change"]["after_sensitive"] = {}
    return edit


@pytest.mark.parametrize("kind", ["Secret", "PersistentVolumeClaim", "Namespace", "secret"])
def test_a_kubernetes_manifest_of_a_protected_kind_is_blocked(plans: Mapping[str, str], kind: str) -> None:
    result = verdict(rewritten(plans["update"], manifest(kind)))
    assert result["outcome"] == "blocked"
    assert result["reasons"] == ["the plan changes 1 Kubernetes manifest of a protected kind "
                                 "(guardrails.protected_manifest_kinds): terraform_data.deployment "
                                 f"({kind.title() if kind == 'secret' else kind})"]


def test_protected_manifest_kinds_come_from_the_config(plans: Mapping[str, str]) -> None:
    policy = Policy.from_section({"protected_manifest_kinds": ["Certificate"]})
    assert verdict(rewritten(plans["update"], manifest("Secret")), policy=policy)["allowed"] is True
    allowed = verdict(rewritten(plans["update"], manifest("ConfigMap")))
    assert allowed["allowed"] is True
    assert "no Kubernetes manifest of a protected kind is touched" in allowed["reasons"]


def test_a_manifest_whose_kind_is_known_only_after_apply_is_blocked(plans: Mapping[str, str]) -> None:
    result = verdict(rewritten(plans["update"], manifest(None, unknown=True)))
    assert result["reasons"] == ["what 1 resource would install is only known after apply, so the guardrails cannot "
                                 "check it: terraform_data.deployment (its manifest kind)"]


def helm_create(chart: str | None) -> Any:
    def edit(raw: dict[str, Any]) -> None:
        change = raw["resource_changes"][0]
        change["type"] = "helm_release"
        change["change"].update(actions=["create"], before=None, before_sensitive=False, after_sensitive={},
                                after={"name": "db", "namespace": "app", "repository": None, "version": "16.4.1",
                                       **({"chart": chart} if chart else {})},
                                after_unknown={"chart": True} if chart is None else {"status": True})
    return edit


@pytest.mark.parametrize(("chart", "entry"), [
    ("postgresql", "helm_release:*postgres*"),
    ("oci://registry-1.docker.io/bitnamicharts/postgresql", "helm_release:*postgres*"),
    ("hashicorp/vault", "helm_release:vault"),
    ("https://helm.releases.hashicorp.com/vault-0.29.1.tgz", "helm_release:vault"),
    ("oci://ghcr.io/cloudnative-pg/charts/cloudnative-pg", "helm_release:cloudnative-pg"),
    ("cockroachdb/cockroachdb", "helm_release:*cockroach*"),
])
def test_a_helm_release_of_a_database_chart_is_blocked_however_the_chart_is_named(
        plans: Mapping[str, str], chart: str, entry: str) -> None:
    result = verdict(rewritten(plans["update"], helm_create(chart)))
    assert result["reasons"] == ["the plan changes 1 resource of a protected type (guardrails.protected_resource_types)"
                                 f": terraform_data.deployment ({entry})"]


def test_a_helm_release_whose_chart_is_known_only_after_apply_is_blocked(plans: Mapping[str, str]) -> None:
    result = verdict(rewritten(plans["update"], helm_create(None)))
    assert result["reasons"] == ["what 1 resource would install is only known after apply, so the guardrails cannot "
                                 "check it: terraform_data.deployment (its chart)"]
    assert verdict(rewritten(plans["update"], helm_create("nextcloud")))["allowed"] is True
    # With no chart rule left, there is nothing to check the chart against.
    assert verdict(rewritten(plans["update"], helm_create(None)),
                   policy=Policy(protected_resource_types=("kubernetes_secret",)))["allowed"] is True


@pytest.mark.parametrize(("damage", "message"), [
    (lambda text: text.replace('"actions":["update"]', '"actions":["delete"],"actions":["update"]', 1),
     "the plan JSON has the key 'actions' twice in one object in resource_changes[0]: terraform never writes that"),
    (lambda text: text.replace('"after":{', '"after":{"input":null,', 1),
     "the plan JSON has the key 'input' twice in one object in resource_changes[0]"),
    (lambda text: text.replace('"output_changes":{', '"output_changes":{"admin_password":{},', 1),
     "the plan JSON has the key 'admin_password' twice in one object"),
])
def test_a_key_given_twice_is_refused_not_read_as_the_last_one(plans: Mapping[str, str], damage: Any,
                                                               message: str) -> None:
    with pytest.raises(PlanError) as caught:
        parse_plan(damage(plans["update"]))
    assert message in caught.value.message


def test_deferred_changes_are_refused_even_when_the_plan_says_it_is_complete(plans: Mapping[str, str]) -> None:
    def deferred(raw: dict[str, Any]) -> None:
        later = json.loads(json.dumps(raw["resource_changes"][0]))
        later["address"] = "helm_release.database"
        raw["deferred_changes"] = [{"reason": "resource_config_unknown", "resource_change": later}]

    result = verdict(rewritten(plans["update"], deferred))
    assert result["outcome"] == "blocked"
    assert result["reasons"] == ["terraform deferred 1 change to a later plan (resource_config_unknown), so this "
                                 "plan is not all that would happen: helm_release.database"]


def test_a_plan_that_does_not_say_it_is_complete_is_refused(plans: Mapping[str, str]) -> None:
    def silent(raw: dict[str, Any]) -> None:  # terraform 1.8 and newer write both, always
        raw.pop("complete", None)
        raw["applyable"] = True

    assert verdict(rewritten(plans["update"], silent))["reasons"] == [
        "the plan does not say whether it is complete, though terraform always does next to applyable: it cannot "
        "be judged as it is"]

    def older(raw: dict[str, Any]) -> None:  # terraform before 1.8 and OpenTofu write neither
        raw.pop("complete", None)
        raw.pop("applyable", None)

    assert verdict(rewritten(plans["update"], older))["allowed"] is True


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


@pytest.mark.parametrize("password", ["hunter2", "7"])
def test_a_short_sensitive_value_is_masked_wherever_it_appears(infra: Infra, password: str) -> None:
    # The app runs with a short admin password; terraform_data copies it into its unmarked output.
    from tests.support.infra import terraform

    terraform(infra.stack("app"), "apply", "-input=false", "-auto-approve", f"-var=admin_password={password}")
    text = plan_json(infra, "app", admin_password=password, image_tag="2.5.0")
    assert f'"ADMIN_PASSWORD":"{password}"' in text  # terraform writes it in clear, unmarked in the output
    plan = parse_plan(text)
    result = evaluate(plan, Policy(), "stacks/app").to_json()
    attributes = {a["path"]: a for a in result["changes"][0]["attributes"]}
    assert attributes["output"]["before"] == "(sensitive)"
    shown = [a[side] for a in attributes.values() for side in ("before", "after")]
    assert not any(password in value for value in shown)
    assert result["notes"] == ["values were masked: the plan has very short sensitive values, and every value that "
                               "contains one reads (sensitive), so some ordinary values read (sensitive) too"]
    if password == "7":  # so short that ordinary values go too: the note says why
        assert attributes["input.image"] == {"path": "input.image", "before": '"registry.example.org/app:2.4.1"',
                                             "after": '"registry.example.org/app:2.5.0"'}
    assert result["allowed"] is True


def test_a_value_cut_short_never_shows_part_of_a_sensitive_value(plans: Mapping[str, str]) -> None:
    # The shown value is cut at 80 characters; a sensitive value straddling the cut is masked too.
    def long_value(raw: dict[str, Any]) -> None:
        change = raw["resource_changes"][0]["change"]
        change["before"]["input"]["image"] = "x" * 70 + "correct-horse-battery-staple"

    result = verdict(rewritten(plans["sensitive"], long_value))
    attributes = {a["path"]: a for a in result["changes"][0]["attributes"]}
    assert attributes["input.image"]["before"] == "(sensitive)"
    assert "correct-" not in json.dumps(result)


@pytest.mark.parametrize(("damage", "message"), [
    (lambda text: text[: len(text) // 2], "the plan is not valid JSON (corrupt or truncated?)"),
    (lambda text: text.rstrip()[:-1],
     "the plan is not valid JSON (corrupt or truncated?): it ends before the JSON does (truncated)"),
    (lambda text: text.replace('"resource_changes":[', '"resource_changes":[[', 1),
     "the plan is not valid JSON (corrupt or truncated?): expected ',' or ']' at byte "),
    (lambda text: text.replace('"resource_changes":[', '"resource_changes":[[],', 1), "resource_changes[0] is not"),
    (lambda text: text.replace('"format_version":"1.2"', '"format_version":"2.0"', 1),
     "plan format_version 2.0 is not supported (this responder reads 1.x)"),
    (lambda text: text.replace('"format_version":"1.2",', "", 1), "the plan JSON has no format_version"),
    (lambda text: "[" + text + "]", "the plan JSON is not an object"),
    (lambda text: "", "the plan JSON is not an object"),
    (lambda text: text.replace('"actions":["update"]', '"actions":"update"', 1),
     "resource_changes[0].change.actions is not a list of actions"),
    (lambda text: text.replace('"actions":["update"]', '"actions":["update"],"replace_paths":5', 1),
     "resource_changes[0].change.replace_paths is not a list of paths"),
    (lambda text: text.replace('"output_changes":{', '"output_changes":{"url":{"actions":[["update"]]},', 1),
     "output_changes.url lacks actions"),
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
    from responder.config.loader import schema

    section = schema()["properties"]["guardrails"]["properties"]
    assert tuple(section["protected_stacks"]["default"]) == DEFAULT_PROTECTED_STACKS
    assert tuple(section["protected_resource_types"]["default"]) == DEFAULT_PROTECTED_RESOURCE_TYPES
    assert tuple(section["protected_manifest_kinds"]["default"]) == DEFAULT_PROTECTED_MANIFEST_KINDS
    assert tuple(section["protected_services"]["default"]) == Policy().protected_services
    assert section["max_changes"]["default"] == Policy().max_changes


def test_the_policy_comes_from_the_guardrails_section() -> None:
    policy = Policy.from_section({"protected_stacks": ["payments-*"], "protected_resource_types": ["random_*"],
                                  "max_changes": 2})
    assert policy.protected_stack("stacks/payments-eu") == "payments-*"
    assert policy.protected_stack("stacks/vault") is None
    assert Policy.from_section({}).protected_stack("stacks/vault") == "vault"
