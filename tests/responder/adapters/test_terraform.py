"""The terraform adapter against the real terraform binary."""

from __future__ import annotations

import json
import logging
import subprocess
import time
from pathlib import Path

import pytest

from responder.adapters.terraform import StateLocked, Terraform, TerraformError, UnsafeCommand, refuse_unsafe
from tests.support.infra import Infra, binary


def adapter(infra: Infra, stack: str = "app", **options: object) -> Terraform:
    return Terraform(infra.stack(stack), binary=binary(), lock_timeout="1s", label=f"stacks/{stack}",
                     **options)  # type: ignore[arg-type]


def test_plan_show_and_apply_exactly_that_plan_file(infra: Infra, tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "responder.adapters.terraform")
    tf = adapter(infra)
    tf.init()
    vars_path = infra.stack("app") / "app.auto.tfvars.json"
    vars_path.write_text(infra.vars_text("app").replace('"replicas": 2', '"replicas": 4'))
    plan_file = tmp_path / "change.tfplan"
    run = tf.plan(plan_file)
    assert run.has_changes
    assert run.summary == "Plan: 0 to add, 1 to change, 0 to destroy."
    shown = json.loads(tf.show_json(plan_file))
    assert shown["resource_changes"][0]["change"]["actions"] == ["update"]
    applied = tf.apply(plan_file)
    assert applied.summary == "Apply complete! Resources: 0 added, 1 changed, 0 destroyed."
    assert infra.state("app")["terraform_data.deployment"]["input"]["replicas"] == 4
    commands = [r.getMessage() for r in caplog.records if r.name == "responder.adapters.terraform"]
    name = binary()
    assert commands == [
        f"{name} init -no-color -input=false -backend=true (in stacks/app)",
        f"{name} plan -no-color -input=false -out={plan_file} -lock=true -lock-timeout=1s -refresh=true "
        "-detailed-exitcode (in stacks/app)",
        f"{name} show -json -no-color {plan_file} (in stacks/app)",
        f"{name} apply -no-color -input=false -lock=true -lock-timeout=1s -auto-approve=false {plan_file} "
        "(in stacks/app)",
    ]
    # python-terraform's temporary -var-file and -reconfigure are switched off.
    assert not any("-var-file" in c or "-reconfigure" in c for c in commands)


def test_an_unchanged_stack_plans_no_changes(infra: Infra, tmp_path: Path) -> None:
    run = adapter(infra).plan(tmp_path / "none.tfplan")
    assert not run.has_changes
    assert run.summary.startswith("No changes.")


def test_nothing_is_applied_without_an_existing_plan_file(infra: Infra, tmp_path: Path) -> None:
    with pytest.raises(UnsafeCommand, match=r"the plan file .* does not exist"):
        adapter(infra).apply(tmp_path / "missing.tfplan")


@pytest.mark.parametrize("argv", [
    ["terraform", "apply"],
    ["terraform", "apply", "-auto-approve"],
    ["terraform", "apply", "-auto-approve=true", "plan.tfplan"],
    ["terraform", "apply", "-input=false", "plan.tfplan", "other.tfplan"],
    ["terraform", "destroy", "-auto-approve"],
    ["terraform", "plan", "-destroy"],
    ["terraform", "plan", "-replace=terraform_data.deployment"],
    ["terraform", "plan", "-target=terraform_data.deployment"],
    ["terraform", "state", "rm", "terraform_data.deployment"],
    ["terraform", "force-unlock", "-force", "1234"],
    ["bash", "-c", "terraform apply"],
])
def test_unsafe_commands_are_refused_on_the_final_argument_list(argv: list[str], tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.tfplan").write_bytes(b"PK")
    (tmp_path / "other.tfplan").write_bytes(b"PK")
    with pytest.raises(UnsafeCommand):
        refuse_unsafe(argv)


def test_the_commands_we_need_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.tfplan").write_bytes(b"PK")
    refuse_unsafe(["terraform", "apply", "-no-color", "-input=false", "-auto-approve=false", "plan.tfplan"])
    refuse_unsafe(["tofu", "plan", "-out=x.tfplan", "-detailed-exitcode"])


def test_a_locked_state_fails_at_once_with_who_holds_it(infra: Infra, tmp_path: Path) -> None:
    # `terraform console` holds the state lock for as long as it runs: a person at work.
    holder = subprocess.Popen([binary(), "console"], cwd=infra.stack("app"), stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        lock_info = infra.stack("app") / ".terraform.tfstate.lock.info"
        deadline = time.monotonic() + 10
        while not lock_info.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(StateLocked) as caught:
            adapter(infra).plan(tmp_path / "locked.tfplan")
        assert time.monotonic() - started < 8  # the lock timeout, not a retry loop
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
    message = caught.value.message
    assert message.startswith("the Terraform state of stacks/app is locked (id ")
    assert message.endswith("; waited 1s")
    assert caught.value.lock["ID"] in message
    assert "force-unlock" in (caught.value.hint or "")


def test_a_broken_stack_fails_with_terraforms_own_error(infra: Infra, tmp_path: Path) -> None:
    (infra.stack("app") / "broken.tf").write_text('resource "terraform_data" "x" {\n  input = \n}\n')
    with pytest.raises(TerraformError) as caught:
        adapter(infra).plan(tmp_path / "broken.tfplan")
    assert caught.value.message.startswith(f"{binary()} plan in stacks/app failed (exit 1): Error: ")


def test_a_missing_binary_says_how_to_fix_it(infra: Infra, tmp_path: Path) -> None:
    with pytest.raises(TerraformError) as caught:
        adapter(infra, env={"PATH": str(tmp_path)}).version()
    assert caught.value.message == f"{binary()} is not installed or not on PATH"


def test_only_terraform_and_tofu_are_run(infra: Infra) -> None:
    with pytest.raises(TerraformError, match=r"guardrails\.binary must be one of terraform, tofu"):
        Terraform(infra.stack("app"), binary="/bin/sh")


def test_terraform_older_than_1_5_is_refused(infra: Infra, tmp_path: Path) -> None:
    # An old terraform on PATH (a script answering `version -json` as terraform 1.4 does).
    old = tmp_path / "bin" / "terraform"
    old.parent.mkdir()
    old.write_text('#!/bin/sh\necho \'{"terraform_version": "1.4.7", "platform": "linux_amd64"}\'\n')
    old.chmod(0o755)
    with pytest.raises(TerraformError, match=r"terraform 1\.4\.7 is too old: the responder needs terraform >= 1\.5"):
        Terraform(infra.stack("app"), binary="terraform", env={"PATH": str(old.parent)}).version()


def test_the_installed_terraform_is_recent_enough(infra: Infra) -> None:
    version = adapter(infra).version()
    major, minor = (int(part) for part in version.split(".")[:2])
    assert (major, minor) >= (1, 5)


def test_show_json_is_never_logged(infra: Infra, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    tf = adapter(infra)
    (infra.stack("app") / "app.auto.tfvars.json").write_text(infra.vars_text("app").replace("2.4.1", "2.5.0"))
    tf.plan(tmp_path / "p.tfplan")
    assert "correct-horse-battery-staple" in tf.show_json(tmp_path / "p.tfplan")
    assert "correct-horse-battery-staple" not in caplog.text


def test_a_named_var_file_plans_exactly_what_the_edited_vars_file_would(infra: Infra, tmp_path: Path,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    tf = adapter(infra)
    tf.init()
    vars_path = infra.stack("app") / "app.auto.tfvars.json"
    original = vars_path.read_bytes()
    edited = original.replace(b'"replicas": 2', b'"replicas": 4').replace(b'"2.4.1"', b'"2.5.0"')
    vars_path.write_bytes(edited)
    tf.plan(tmp_path / "in-place.tfplan")
    vars_path.write_bytes(original)
    copy = tmp_path / "copy.tfvars.json"  # outside the stack: terraform reads it only because it is named
    copy.write_bytes(edited)
    caplog.set_level(logging.INFO, "responder.adapters.terraform")
    run = tf.plan(tmp_path / "named.tfplan", (copy,))
    assert run.summary == "Plan: 0 to add, 1 to change, 0 to destroy."
    in_place, named = (json.loads(tf.show_json(tmp_path / name)) for name in ("in-place.tfplan", "named.tfplan"))
    for key in ("variables", "resource_changes", "planned_values"):
        assert named[key] == in_place[key], key
    assert named["variables"]["replicas"] == {"value": 4}
    # The named plan's own log line names the copy (the in-place plan's and an init's may be captured before it,
    # depending on the log level earlier tests left).
    plans = [record.getMessage() for record in caplog.records if record.getMessage().startswith("terraform plan")]
    assert plans and f" -var-file={copy} " in plans[-1] and "named.tfplan" in plans[-1]
    assert vars_path.read_bytes() == original


def test_var_files_are_only_the_named_ones_and_only_for_a_plan(infra: Infra, tmp_path: Path) -> None:
    client = adapter(infra)._cli()
    # python-terraform turns a variables mapping into a temporary -var-file of its own: refused, and removed.
    with pytest.raises(UnsafeCommand, match="python-terraform wanted a temporary variables file"):
        client.plan(None, out=str(tmp_path / "p.tfplan"), var={"replicas": 4})
    assert client.temp_var_files.files == []
    copy = tmp_path / "copy.tfvars.json"
    copy.write_text("{}")
    (tmp_path / "p.tfplan").write_bytes(b"PK")
    with pytest.raises(UnsafeCommand, match="only a plan takes var files"):
        client.apply(str(tmp_path / "p.tfplan"), var_file=[str(copy)])
