"""The streaming plan reader reads what a whole-document json.load reads, whatever the JSON's layout."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from responder.changes.plan_document import PlanDocument, parse_plan
from tests.support.infra import Infra, copy_of, plan_json

BENCH = Path(__file__).resolve().parents[3] / "bench"


@pytest.fixture(scope="module")
def plans(infra_template: Infra, tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, str]:
    """Real plans of the fixture stacks (tests/fixtures/terraform), and a generated one of every shape."""
    infra = copy_of(infra_template, tmp_path_factory.mktemp("plans"))
    sys.path.insert(0, str(BENCH))
    try:
        from plans import deployments_plan, small_resources_plan
    finally:
        sys.path.remove(str(BENCH))
    return {
        "update": plan_json(infra, "app", replicas=3),
        "delete": plan_json(infra, "workers", replicas=0),
        "replace": plan_json(infra, "jobs", image_tag="v1.1.0"),
        "empty": plan_json(infra, "app"),
        "sensitive": plan_json(infra, "app", image_tag="2.5.0"),
        "vault": plan_json(infra, "vault"),
        "deployments": json.dumps(deployments_plan(40)),
        "small resources": json.dumps(small_resources_plan(40)),
    }


def summary(change: Mapping[str, Any]) -> tuple[str, str, tuple[str, ...]]:
    return change["address"], change["type"], tuple(change["change"]["actions"])


@pytest.mark.parametrize("name", ["update", "delete", "replace", "empty", "sensitive", "vault", "deployments",
                                  "small resources"])
def test_the_reader_reads_what_json_load_reads(plans: Mapping[str, str], name: str) -> None:
    text = plans[name]
    raw = json.loads(text)
    plan = parse_plan(text)
    assert isinstance(plan, PlanDocument)
    assert (plan.format_version, plan.terraform_version) == (raw["format_version"], raw["terraform_version"])
    assert (plan.errored, plan.complete, plan.applyable) == (raw.get("errored", False), raw.get("complete"),
                                                             raw.get("applyable"))
    assert [(r.address, r.type, r.actions) for r in plan.resources] == [
        summary(change) for change in raw.get("resource_changes") or []]
    assert [(r.address, r.type, r.actions) for r in plan.drift] == [
        summary(change) for change in raw.get("resource_drift") or []]
    assert [o.name for o in plan.outputs] == list(raw.get("output_changes") or {})
    # However it is laid out (indented, every non-ASCII character escaped, bytes), the plan reads the same.
    for layout in (json.dumps(raw, indent=2), json.dumps(raw, ensure_ascii=True), text.encode("utf-8")):
        again = parse_plan(layout)
        assert again == plan
        assert again.sensitive_values == plan.sensitive_values


def test_the_reader_collects_every_sensitive_value_json_load_finds(plans: Mapping[str, str]) -> None:
    raw = json.loads(plans["small resources"])
    marked = {change["change"]["before"]["input"]["env"]["ADMIN_PASSWORD"]
              for change in raw["resource_changes"] if change["change"]["before"]}
    assert marked <= parse_plan(plans["small resources"]).sensitive_values


@pytest.mark.parametrize(("damage", "message"), [
    # The first list has every change; a reader that keeps the first would see them, msgspec keeps the last.
    (lambda text: text.replace('"resource_changes":[', '"resource_changes":[],"resource_changes":[', 1),
     "the plan JSON has 'resource_changes' twice (tampered?)"),
    (lambda text: text.replace('"resource_changes":[', '"errored":true,"resource_changes":[', 1),
     "the plan JSON has 'errored' twice (tampered?)"),
    # Written escaped, the name is the same to every reader: the colons still count it.
    (lambda text: text.replace('{"format_version":', '{"form\\u0061t_version":"1.2","format_version":', 1),
     "the plan JSON has one of its members twice (tampered?)"),
    (lambda text: text.replace('{"format_version":', '{"a:b":1,"format_version":', 1),
     "the plan JSON has a member named 'a:b', which no terraform plan has"),
    (lambda text: text.replace('{"format_version":', '{"prior_state":{"values":[]},"format_version":', 1),
     "the plan's prior_state is not a terraform state"),
    (lambda text: text.replace('"resource_changes":[', '"resource_changes":{"a":[', 1).replace(
        '],"configuration"', ']},"configuration"', 1), "the plan's resource_changes is not a list"),
])
def test_a_member_given_twice_or_of_the_wrong_kind_is_refused(plans: Mapping[str, str], damage: Any,
                                                              message: str) -> None:
    from responder.changes.plan_document import PlanError

    text = plans["small resources"].replace(", ", ",").replace(": ", ":")  # terraform's own compact layout
    damaged = damage(text)
    assert damaged != text
    for written in (damaged, damaged + "\n", " " + damaged):  # as `terraform show -json > plan.json` ends it
        with pytest.raises(PlanError) as caught:
            parse_plan(written)
        assert message in caught.value.message


def test_a_key_given_twice_in_a_change_names_the_change(plans: Mapping[str, str]) -> None:
    from responder.changes.plan_document import PlanError

    raw = json.loads(plans["small resources"])
    text = json.dumps(raw, separators=(",", ":"))
    third = json.dumps(raw["resource_changes"][2], separators=(",", ":"))
    damaged = text.replace(third, third.replace('"mode":', '"type":"kubernetes_secret","mode":', 1), 1)
    with pytest.raises(PlanError) as caught:
        parse_plan(damaged)
    assert caught.value.message.startswith("the plan JSON has the key 'type' twice in one object in "
                                           "resource_changes[2]")


WRONG_KINDS: list[Any] = [None, True, 5, 1.5, "s", "", [], {}, [1], [None], [[]], [{}], {"a": 1}, {"a": {}}, ["update"]]


def every_path(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        found += every_path(child, (*path, key))
    return found


def test_any_one_value_of_the_wrong_kind_is_read_or_bad_input_never_an_internal_error(
        plans: Mapping[str, str]) -> None:
    from responder.changes.guardrails import evaluate
    from responder.changes.plan_document import PlanError
    from responder.config.guardrails import Policy

    # A plan that has every member the reader reads: drift, deferred changes, outputs, sensitive
    # variables and the prior state's outputs, besides two resource changes.
    plan = json.loads(plans["small resources"])
    changes = plan["resource_changes"][:2]
    plan.update(resource_changes=changes, resource_drift=[changes[0]],
                deferred_changes=[{"reason": "provider_config_unknown", "resource_change": changes[1]}],
                output_changes={"url": {"actions": ["update"], "before": "a", "after": "b", "after_unknown": False,
                                        "before_sensitive": False, "after_sensitive": False}},
                variables={"token": {"value": "secret"}},
                configuration={"root_module": {"variables": {"token": {"sensitive": True}}}},
                prior_state={"values": {"outputs": {"url": {"sensitive": True, "value": "a"}}}})
    refused = 0
    for path in every_path(plan):
        for wrong in WRONG_KINDS:
            damaged = json.loads(json.dumps(plan))
            parent = damaged
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = wrong
            try:
                json.dumps(evaluate(parse_plan(json.dumps(damaged)), Policy()).to_json())
            except PlanError:
                refused += 1
            except Exception as exc:  # the test names the damage that broke the reader
                pytest.fail(f"{'.'.join(map(str, path))} = {wrong!r}: {type(exc).__name__}: {exc}")
    assert refused > 100  # the damage that matters is refused; the rest reads as a plan
