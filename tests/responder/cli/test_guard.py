"""`responder guard`: the verdict on a plan file, with exit codes scripts can rely on."""

from __future__ import annotations

import contextlib
import io
import json
import os
import pty
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from responder.cli.main import main
from tests.support.infra import Infra, copy_of, plan_json

RESPONDER = str(Path(sys.executable).parent / "responder")


@pytest.fixture(scope="module")
def plan_files(infra_template: Infra, tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, Path]:
    base = tmp_path_factory.mktemp("guard")
    infra = copy_of(infra_template, base / "infra")
    files = {}
    for name, stack, values in (("update", "app", {"replicas": 3}), ("delete", "workers", {"replicas": 0}),
                                ("empty", "app", {})):
        files[name] = base / f"{name}.json"
        files[name].write_text(plan_json(infra, stack, **values))
    files["truncated"] = base / "truncated.json"
    files["truncated"].write_text(files["update"].read_text()[:500])
    return files


def guard(*args: str) -> tuple[int, Any, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["guard", *args], env={}, stdout=out, stderr=err)
    return code, json.loads(out.getvalue()) if out.getvalue() else None, err.getvalue()


def test_an_allowed_plan_exits_0(plan_files: Mapping[str, Path], infra: Infra) -> None:
    code, verdict, _ = guard("--plan-json", str(plan_files["update"]), "--stack", "stacks/app",
                             "--config", str(infra.config_path))
    assert code == 0
    assert verdict["allowed"] is True and verdict["stack"] == "stacks/app"


def test_a_blocked_plan_exits_3(plan_files: Mapping[str, Path], infra: Infra) -> None:
    code, verdict, _ = guard("--plan-json", str(plan_files["delete"]), "--config", str(infra.config_path))
    assert code == 3
    assert verdict["reasons"] == ["the plan would delete 1 resource: terraform_data.worker[0]"]


def test_an_empty_plan_exits_3_there_is_nothing_to_apply(plan_files: Mapping[str, Path], infra: Infra) -> None:
    code, verdict, _ = guard("--plan-json", str(plan_files["empty"]), "--config", str(infra.config_path))
    assert (code, verdict["outcome"]) == (3, "no-op")


def test_a_protected_stack_exits_3_whatever_the_plan(plan_files: Mapping[str, Path], infra: Infra) -> None:
    code, verdict, _ = guard("--plan-json", str(plan_files["update"]), "--stack", str(infra.stack("vault")),
                             "--config", str(infra.config_path))
    assert code == 3
    assert verdict["stack"] == "stacks/vault"  # relative to the repository: its parents never match
    assert verdict["reasons"][0].startswith("stack stacks/vault is protected")


def test_a_stack_linked_into_a_protected_stack_is_judged_where_it_leads(plan_files: Mapping[str, Path],
                                                                        infra: Infra) -> None:
    # The same function as the change engine's: both names are shown, and the real one is protected.
    infra.stack("secrets-ui").symlink_to("vault")
    code, verdict, _ = guard("--plan-json", str(plan_files["update"]), "--stack", str(infra.stack("secrets-ui")),
                             "--config", str(infra.config_path))
    assert code == 3
    assert verdict["stack"] == "stacks/secrets-ui -> stacks/vault"
    assert verdict["reasons"][0] == ("stack stacks/secrets-ui -> stacks/vault is protected "
                                     "(guardrails.protected_stacks: vault): changes there always need a person")


def _import_of_a_claim(raw: dict[str, Any]) -> None:
    change = raw["resource_changes"][0]
    change["type"] = "kubernetes_persistent_volume_claim_v1"
    change["change"].update(actions=["no-op"], importing={"id": "app/data"})
    change["change"]["before"] = change["change"]["after"] = {"metadata": [{"name": "data"}]}


def _secret_manifest(raw: dict[str, Any]) -> None:
    change = raw["resource_changes"][0]
    change["type"] = "kubernetes_manifest"
    change["change"]["before"] = change["change"]["after"] = {"manifest": {"kind": "Secret"}}


def _database_chart_known_after_apply(raw: dict[str, Any]) -> None:
    change = raw["resource_changes"][0]
    change["type"] = "helm_release"
    change["change"].update(actions=["create"], before=None, after={"name": "db"}, after_unknown={"chart": True})


def _deferred(raw: dict[str, Any]) -> None:
    raw["deferred_changes"] = [{"reason": "provider_config_unknown", "resource_change": raw["resource_changes"][0]}]


@pytest.mark.parametrize(("edit", "reason"), [
    (_import_of_a_claim, "of a protected type (guardrails.protected_resource_types)"),
    (_secret_manifest, "of a protected kind (guardrails.protected_manifest_kinds)"),
    (_database_chart_known_after_apply, "only known after apply"),
    (_deferred, "terraform deferred 1 change to a later plan"),
])
def test_what_the_guard_cannot_see_fully_exits_3(plan_files: Mapping[str, Path], tmp_path: Path, edit: Any,
                                                  reason: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no responder.yml: the default policy
    raw = json.loads(plan_files["update"].read_text())
    edit(raw)
    (tmp_path / "plan.json").write_text(json.dumps(raw))
    code, verdict, _ = guard("--plan-json", str(tmp_path / "plan.json"), "--stack", "stacks/app")
    assert code == 3
    assert any(reason in line for line in verdict["reasons"]), verdict["reasons"]


def test_a_key_given_twice_is_bad_input(plan_files: Mapping[str, Path], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = plan_files["update"].read_text()
    twice = text.replace('"actions":["update"]', '"actions":["delete"],"actions":["update"]', 1)
    (tmp_path / "plan.json").write_text(twice)
    code, verdict, err = guard("--plan-json", str(tmp_path / "plan.json"))
    assert code == 2
    assert verdict["outcome"] == "bad-input"
    assert err.splitlines()[1] == ("responder: error: the plan JSON has the key 'actions' twice in one object in "
                                   "resource_changes[0]: terraform never writes that, so the plan was edited "
                                   "(tampered?)")


def test_a_short_sensitive_value_never_reaches_the_output(infra: Infra, tmp_path: Path) -> None:
    from tests.support.infra import terraform

    terraform(infra.stack("app"), "apply", "-input=false", "-auto-approve", "-var=admin_password=hunter2")
    (tmp_path / "plan.json").write_text(plan_json(infra, "app", admin_password="hunter2", image_tag="2.5.0"))
    code, verdict, _ = guard("--plan-json", str(tmp_path / "plan.json"), "--config", str(infra.config_path))
    assert code == 0
    assert "hunter2" not in json.dumps(verdict)
    assert verdict["notes"][0].startswith("values were masked: ")


def test_a_truncated_plan_is_bad_input(plan_files: Mapping[str, Path], infra: Infra) -> None:
    code, verdict, err = guard("--plan-json", str(plan_files["truncated"]), "--config", str(infra.config_path))
    assert code == 2
    assert verdict["allowed"] is False and verdict["outcome"] == "bad-input"
    assert err.startswith("responder: error: the plan is not valid JSON (corrupt or truncated?)")
    assert "Traceback" not in err


def test_a_missing_file_is_bad_input(tmp_path: Path, infra: Infra) -> None:
    code, _, err = guard("--plan-json", str(tmp_path / "nope.json"), "--config", str(infra.config_path))
    assert code == 2
    assert err == f"responder: error: plan file {tmp_path / 'nope.json'}: no such file\n"


def test_the_policy_comes_from_the_config(plan_files: Mapping[str, Path], infra: Infra) -> None:
    strict = infra.root / "strict.yml"
    strict.write_text(infra.config_path.read_text().replace("guardrails:\n", "guardrails:\n  max_changes: 1\n"
                                                            "  protected_resource_types: [terraform_data]\n"))
    code, verdict, _ = guard("--plan-json", str(plan_files["update"]), "--config", str(strict))
    assert code == 3
    assert verdict["reasons"] == ["the plan changes 1 resource of a protected type "
                                  "(guardrails.protected_resource_types): terraform_data.deployment "
                                  "(terraform_data)"]


def test_without_a_config_the_default_policy_applies(plan_files: Mapping[str, Path], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, verdict, err = guard("--plan-json", str(plan_files["update"]), "--stack", "stacks/dbaas")
    assert code == 3
    assert verdict["reasons"][0].startswith("stack stacks/dbaas is protected (guardrails.protected_stacks: dbaas)")
    assert err == "responder: no responder.yml here: using the default guardrails\n"


def test_an_invalid_guardrails_section_is_reported_in_full(plan_files: Mapping[str, Path], infra: Infra) -> None:
    broken = infra.root / "broken.yml"
    broken.write_text(infra.config_path.read_text().replace(
        "guardrails:\n", "guardrails:\n  max_changes: 0\n  lock_timout: 5m\n").replace(
        "binary: terraform", "binary: terraformm").replace("lock_timeout: 2s", "lock_timeout: 2 minutes"))
    code, _, err = guard("--plan-json", str(plan_files["update"]), "--config", str(broken))
    assert code == 2
    assert err.splitlines()[1:-1] == [
        f"  - {broken}: guardrails.binary: expected one of terraform, tofu, got 'terraformm'",
        f"  - {broken}: guardrails.lock_timeout: expected a duration such as 90s, 5m or 1h30m, got '2 minutes'",
        f"  - {broken}: guardrails.lock_timout: unknown key (did you mean 'lock_timeout'?)",
        f"  - {broken}: guardrails.max_changes: expected a number at least 1, got 0",
    ]


def test_a_plan_nested_too_deeply_is_bad_input_not_an_internal_error(tmp_path: Path) -> None:
    plan = tmp_path / "deep.json"
    plan.write_text('{"format_version": "1.2", "x": ' + "[" * 60_000 + "]" * 60_000 + "}")
    code, verdict, err = guard("--plan-json", str(plan))
    assert code == 2 and verdict["outcome"] == "bad-input"
    assert verdict["reasons"] == ["the plan JSON is nested too deeply to be a terraform plan (crafted?)"]
    assert "internal error" not in err


def test_a_script_gets_the_verdict_on_one_line(plan_files: Mapping[str, Path], tmp_path: Path) -> None:
    # The console script in a process of its own, its stdout a pipe: written as bytes, after the note
    # about the default guardrails went to stderr.
    done = subprocess.run([RESPONDER, "guard", "--plan-json", str(plan_files["delete"])], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 3
    assert done.stderr == "responder: no responder.yml here: using the default guardrails\n"
    assert json.loads(done.stdout)["reasons"] == ["the plan would delete 1 resource: terraform_data.worker[0]"]
    assert done.stdout.startswith('{"allowed":false,"outcome":"blocked",') and done.stdout.count("\n") == 1


def test_a_terminal_gets_the_verdict_indented(plan_files: Mapping[str, Path], tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run([RESPONDER, "guard", "--plan-json", str(plan_files["delete"])], cwd=tmp_path,
                              stdout=terminal, stderr=subprocess.DEVNULL, check=False)
        os.close(terminal)
        shown = b""
        with contextlib.suppress(OSError):  # the terminal is closed once all is read
            while chunk := os.read(controller, 65536):
                shown += chunk
    finally:
        os.close(controller)
    text = shown.decode().replace("\r\n", "\n")
    assert done.returncode == 3
    assert text.startswith('{\n  "allowed": false,\n  "outcome": "blocked",\n') and text.endswith("\n}\n")
    assert json.loads(text)["outcome"] == "blocked"
