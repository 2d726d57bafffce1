"""The command line: exit codes that mean something, one readable line per error, no tracebacks."""

from __future__ import annotations

import argparse
import importlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from postmortem.cli import COMMANDS as POSTMORTEM_COMMANDS
from postmortem.cli import main as postmortem_main
from responder.cli.main import COMMANDS as RESPONDER_COMMANDS
from responder.cli.main import main
from statuspage.cli import COMMANDS as STATUSPAGE_COMMANDS
from statuspage.cli import main as statuspage_main
from tests.conftest import EXAMPLE_CONFIG, FIXTURES, ROOT


def run(*argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), env=env or {}, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_parse_prints_only_the_answers_on_stdout(tmp_path: Path) -> None:
    code, out, err = run("parse", "--template", str(ROOT / ".github/ISSUE_TEMPLATE/outage-report.yml"),
                         "--body-file", str(FIXTURES / "issues/outage-edited.md"))
    assert code == 0
    assert json.loads(out)["service"] == ["Mail"]
    assert err == "warning: scope (Who is affected?): extra text after the answer was left out of the value\n"


def test_parse_exits_1_and_lists_problems_when_the_form_is_invalid() -> None:
    code, out, err = run("parse", "--template", str(ROOT / ".github/ISSUE_TEMPLATE/outage-report.yml"),
                         "--body-file", str(FIXTURES / "issues/outage-invalid-options.md"))
    assert code == 1
    assert json.loads(out)["service"] == ["Jellyfin"]
    assert err.splitlines() == [
        'error: service (Which service is affected?): "Jellyfin" is not one of the options',
        'error: error_type (What kind of error?): "It is broken @everyone <img src=x onerror=alert(1)>" '
        "is not one of the options",
    ]


def test_parse_without_a_template_keys_by_heading_text() -> None:
    code, out, _ = run("parse", "--body-file", str(FIXTURES / "issues/not-a-form.md"))
    assert code == 0
    assert json.loads(out) == {"Details": "The link points to an old Headscale URL."}


def test_parse_reads_a_template_without_ids_like_githubs_parser(tmp_path: Path) -> None:
    template = tmp_path / "form.yml"
    template.write_text("name: x\ndescription: x\nbody:\n  - type: input\n"
                        "    attributes: {label: The Name of the Thing}\n"
                        "  - type: checkboxes\n    id: ok\n    attributes:\n      label: Agree?\n"
                        "      options: [{label: Yes}, {label: No}]\n")
    body = tmp_path / "body.md"
    body.write_text("### The Name of the Thing\n\nthis-thing\n\n### Agree?\n\n- [x] Yes\n- [ ] No\n")
    code, out, _ = run("parse", "--template", str(template), "--body-file", str(body))
    assert code == 0
    assert json.loads(out) == {"the_name_of_the_thing": "this-thing", "ok": {"selected": ["Yes"], "unselected": ["No"]}}


def test_a_config_error_exits_2_with_the_message(tmp_path: Path) -> None:
    config = tmp_path / "responder.yml"
    config.write_text("services:\n  - {name: web, title: Web, tier: crit}\n")
    code, out, err = run("check-config", "--config", str(config))
    assert code == 2
    assert out == ""
    assert err == (f"responder: error: {config} is invalid (1 problem):\n"
                   f"  - {config}: services[0].tier: expected one of core, critical, standard, low, got 'crit'\n"
                   "responder: hint: `responder config-schema` prints the schema; point your editor at it.\n")


def test_config_is_accepted_before_or_after_the_command() -> None:
    assert run("--config", str(EXAMPLE_CONFIG), "check-config")[0] == 0
    code, out, _ = run("check-config", "--config", str(EXAMPLE_CONFIG))
    assert code == 0
    assert out == f"{EXAMPLE_CONFIG}: OK: 11 services (4 core, 3 critical, 2 standard, 2 low)\n"


def test_bad_event_files_exit_2_without_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "event.json"
    broken.write_text('{"action": "opened", "issue": ')
    code, _, err = run("handle", "--config", str(EXAMPLE_CONFIG), "--event", str(broken), "--offline")
    assert code == 2
    assert err.startswith(f"responder: error: event file {broken}: not valid JSON: ")
    assert "Traceback" not in err
    code, _, err = run("handle", "--config", str(EXAMPLE_CONFIG), "--offline")
    assert code == 2
    assert "hint: Pass --event EVENT.json, or run inside GitHub Actions." in err


def test_the_event_path_comes_from_the_actions_environment(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"zen": "Keep it logically awesome.", "hook_id": 1}))
    code, out, _ = run("handle", "--config", str(EXAMPLE_CONFIG), "--offline", "--dry-run",
                       env={"GITHUB_EVENT_PATH": str(event), "GITHUB_EVENT_NAME": "ping"})
    assert code == 0
    assert json.loads(out)["outcome"] == "ignored"


def test_config_schema_prints_the_shipped_schema() -> None:
    code, out, _ = run("config-schema")
    assert code == 0
    assert json.loads(out)["title"] == "issueops-responder configuration (responder.yml)"


def test_no_command_prints_help_and_exits_2() -> None:
    code, _, err = run()
    assert code == 2
    assert "usage: responder" in err


def test_each_program_lists_every_command_in_its_help() -> None:
    for entry, commands in ((main, RESPONDER_COMMANDS), (postmortem_main, POSTMORTEM_COMMANDS),
                            (statuspage_main, STATUSPAGE_COMMANDS)):
        out = io.StringIO()
        with pytest.raises(SystemExit):
            entry(["-v", "--help", "guard"], env={}, stdout=out, stderr=io.StringIO())
        listed = [line.split()[0] for line in out.getvalue().split("COMMAND\n", 1)[1].split("\n\n")[0].splitlines()
                  if line.startswith("    ") and not line.startswith("     ")]
        assert listed == list(commands)


def test_each_command_module_registers_the_command_it_is_listed_for() -> None:
    # Only the named command's module is imported and registered: the table must name each one right.
    for commands in (RESPONDER_COMMANDS, POSTMORTEM_COMMANDS, STATUSPAGE_COMMANDS):
        for name, module in commands.items():
            sub = argparse.ArgumentParser().add_subparsers()
            importlib.import_module(module).register(sub)
            assert list(sub.choices) == [name]


def test_an_unknown_command_is_told_with_every_command_there_is() -> None:
    for argv in (["--config", "guard", "nonsense"], ["-v", "nonsense"], ["--conf", "guard", "nonsense"]):
        err = io.StringIO()
        with pytest.raises(SystemExit) as exited:
            main(argv, env={}, stdout=io.StringIO(), stderr=err)
        assert exited.value.code == 2
        assert "argument COMMAND: invalid choice: 'nonsense' (choose from 'handle', 'init'," in err.getvalue()


def test_the_command_after_the_config_path_is_the_one_run(tmp_path: Path) -> None:
    # --config takes a value, spelled out or abbreviated as argparse allows: the word after it is a path.
    for flag in ("--config", "--conf"):
        code, out, _ = run(flag, str(EXAMPLE_CONFIG), "config-schema")
        assert code == 0 and json.loads(out)["title"].startswith("issueops-responder")


def test_all_three_clis_take_config() -> None:
    for entry in (postmortem_main, statuspage_main):
        err = io.StringIO()
        assert entry(["--config", str(EXAMPLE_CONFIG)], env={}, stdout=io.StringIO(), stderr=err) == 2
        assert "--config PATH" in err.getvalue()


def test_help_does_not_import_heavy_clients() -> None:
    script = ("import sys, io\nfrom responder.cli.main import main\n"
              "try:\n    main(['--help'], env={}, stdout=io.StringIO(), stderr=io.StringIO())\n"
              "except SystemExit:\n    pass\n"
              "heavy = [m for m in ('github', 'kubernetes', 'jinja2', 'jsonschema', 'yaml', 'requests', 'apprise', "
              "'importlib.metadata', 'ijson') if m in sys.modules]\nprint(','.join(heavy))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_parsing_against_a_form_imports_only_the_yaml_reader() -> None:
    # `responder parse --template` runs once per issue in a workflow: its start-up is most of its cost.
    script = ("import sys, io\nfrom responder.cli.main import main\n"
              f"main(['parse', '--template', {str(ROOT / '.github/ISSUE_TEMPLATE/outage-report.yml')!r}, "
              f"'--body-file', {str(FIXTURES / 'issues/outage-nextcloud-502.md')!r}], env={{}}, "
              "stdout=io.StringIO(), stderr=io.StringIO())\n"
              "heavy = [m for m in ('github', 'kubernetes', 'jinja2', 'jsonschema', 'requests', 'apprise', "
              "'importlib.metadata', 'responder.config.loader', 'responder.render.redaction') if m in sys.modules]\n"
              "print(','.join(heavy))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_offline_triage_does_not_import_github_or_kubernetes(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    from tests.conftest import issue_body
    from tests.support import events

    event.write_text(json.dumps(events.issues_event(body=issue_body("outage-nextcloud-502.md"))))
    script = ("import sys, io\nfrom responder.cli.main import main\n"
              f"main(['handle', '--config', {str(EXAMPLE_CONFIG)!r}, '--event', {str(event)!r}, '--offline', "
              "'--dry-run', '--no-probe'], env={}, stdout=io.StringIO(), stderr=io.StringIO())\n"
              "print(','.join(m for m in ('github', 'kubernetes', 'requests', 'apprise', 'importlib.metadata') "
              "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_the_guard_never_imports_logging_so_nothing_can_log_unredacted(tmp_path: Path) -> None:
    # The guard sets up no log handler (logs=False): a record written on its path would reach stderr
    # without the redactor, so none may be, and without the logging module none can be.
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"format_version": "1.2", "resource_changes": [{
        "address": "terraform_data.a", "type": "terraform_data",
        "change": {"actions": ["update"], "before": {"x": 1}, "after": {"x": 2}}}]}))
    script = ("import sys, io\nfrom responder.cli.main import main\n"
              f"code = main(['guard', '--plan-json', {str(plan)!r}], env={{}}, stdout=io.StringIO(), "
              "stderr=io.StringIO())\n"
              "print(code, 'logging' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["0", "False"]


def test_log_records_go_through_the_redactor() -> None:
    token = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"
    script = ("import io, logging\nfrom responder.cli.main import main\nerr = io.StringIO()\n"
              "main(['config-schema'], env={}, stdout=io.StringIO(), stderr=err)\n"
              f"logging.getLogger('github').error('sent %s', {token!r})\nprint(err.getvalue(), end='')")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("responder: sent ") and token not in result.stdout


def test_a_literal_token_in_the_config_is_never_echoed(tmp_path: Path) -> None:
    for token in ("ghp_0123456789abcdefghijklmnopqrstuvwxyzAB", "hunter2-plain-password"):
        config = tmp_path / "responder.yml"
        config.write_text("version: 1\nrepository: a/b\nservices:\n  - {name: x, title: X, tier: core}\n"
                          f"secrets:\n  github_token: \"{token}\"\n", encoding="utf-8")
        code, out, err = run("check-config", "--config", str(config))
        assert code == 2
        assert token not in out + err
        assert "secrets.github_token: expected env:NAME or vault:<kv-v2 mount>/<path>#<key>, got a value that " \
               "is not a reference (not shown" in err


def test_error_messages_go_through_the_redactor(tmp_path: Path) -> None:
    from responder.render.redaction import process_redactor

    secret = "s3cr3t-value-of-this-run"
    process_redactor.add(secret)
    code, _, err = run("check-config", "--config", str(tmp_path / f"{secret}.yml"))
    assert code == 2 and "no such file" in err
    assert secret not in err and "[REDACTED]" in err


def test_every_program_tells_its_version() -> None:
    from importlib import metadata

    version = metadata.version("issueops-responder")
    for tool, prog in ((main, "responder"), (postmortem_main, "postmortem"), (statuspage_main, "statuspage")):
        out = io.StringIO()
        try:
            tool(["--version"], env={}, stdout=out, stderr=io.StringIO())
        except SystemExit as exit_:
            assert exit_.code == 0
        assert out.getvalue() == f"{prog} {version}\n"


def test_global_flags_are_accepted_after_the_subcommand_too(tmp_path: Path) -> None:
    code, out, err = run("check-config", "--config", str(EXAMPLE_CONFIG), "-v", "--debug")
    assert code == 0, err
    assert "OK: 11 services" in out
    code, _, err = run("check-config", "--debug", "--config", str(tmp_path / "missing.yml"))
    assert code == 2 and "no such file" in err


def test_an_output_path_that_cannot_be_used_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """A file where a directory is expected: the user's mistake, never 'internal error ... this is a bug'."""
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    export = FIXTURES / "postmortem" / "nextcloud-sev2.export.json"
    cases = [
        (main, ["templates", "--config", str(EXAMPLE_CONFIG), "--out", str(a_file / "forms")]),
        (statuspage_main, ["templates", "--config", str(EXAMPLE_CONFIG), "--out", str(a_file / "forms")]),
        (postmortem_main, ["write", "--config", str(EXAMPLE_CONFIG), "--issue-file", str(export),
                           "--site-dir", str(a_file)]),
        (statuspage_main, ["build", "--config", str(EXAMPLE_CONFIG), "--out", str(a_file / "public"),
                           "--issues-file", str(ROOT / "examples" / "statuspage" / "issues.json"), "--no-probe",
                           "--previous", "none"]),
    ]
    for tool, argv in cases:
        err = io.StringIO()
        code = tool(argv, env={}, stdout=io.StringIO(), stderr=err)
        lines = err.getvalue().strip().splitlines()
        assert code == 2, (argv, err.getvalue())
        assert lines[-1].split(": error: cannot use the path ", 1)[1].startswith(str(a_file)), lines
        assert "internal error" not in err.getvalue()


def test_without_a_token_each_command_names_only_options_it_has(tmp_path: Path) -> None:
    """The hint after 'no GitHub token' is the command's own: --offline only where it exists."""
    env = {"GITHUB_REPOSITORY": "acme-homelab/infra"}
    export = FIXTURES / "postmortem" / "nextcloud-sev2.export.json"
    cases = [
        (main, ["labels", "sync", "--dry-run"], "Labels sync reads the repository's labels, --dry-run too."),
        (main, ["sweep"], "The sweep reads the open incidents from the GitHub API, --dry-run too."),
        (main, ["export", "--issue", "7"], "The export reads the issue, its comments and events"),
        (main, ["report-failure", "--issue", "7", "--reason", "it broke"], "The failure is reported on the issue"),
        (statuspage_main, ["build", "--out", str(tmp_path / "public"), "--no-probe", "--previous", "none"],
         "or build from a saved export with --issues-file FILE."),
        (postmortem_main, ["write", "--issue", "7", "--site-dir", str(tmp_path / "site")],
         "or write from a saved export with --issue-file FILE."),
    ]
    assert export.exists()
    for tool, argv, hint in cases:
        err = io.StringIO()
        code = tool([*argv, "--config", str(EXAMPLE_CONFIG)], env=env, stdout=io.StringIO(), stderr=err)
        text = err.getvalue()
        assert code == 1, (argv, text)
        assert "error: no GitHub token" in text, (argv, text)
        assert hint in text, (argv, text)
        assert "--offline" not in text, (argv, text)
