"""responder.yml: every problem reported at once, each naming the file, the key path and what was expected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from responder.config.loader import SCHEMA_PATH, load_config
from responder.errors import ConfigError
from responder.model.severity_levels import Severity
from tests.conftest import EXAMPLE_CONFIG


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "responder.yml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return list(caught.value.problems)


def test_the_example_config_is_complete_and_valid() -> None:
    config = load_config(EXAMPLE_CONFIG)
    assert len(config.services) == 11
    assert {s.tier for s in config.services} == {"core", "critical", "standard", "low"}
    nextcloud = config.service("nextcloud")
    assert nextcloud is not None
    assert nextcloud.expect.status == (200,)
    assert nextcloud.expect.slow_ms == 2500
    assert nextcloud.kubernetes is not None and nextcloud.kubernetes.deployment == "nextcloud"
    assert nextcloud.terraform is not None and nextcloud.terraform.vars_file == "nextcloud.auto.tfvars.json"
    assert nextcloud.depends_on == ("traefik", "authentik", "postgres")
    assert config.service_by_title("immich (PHOTOS)") is config.service("immich")
    assert config.min_permission == "write"
    assert config.assignees == ("vbarzin",)
    assert config.labels["needs-human"] == "needs-human"
    assert config.labels.severity(Severity.SEV2) == "sev2"
    assert [r.id for r in config.severity.rules][-1] == "mail-down"
    assert config.statuspage_url == "https://status.acme-homelab.org"


def test_minimal_config_gets_sensible_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "services:\n  - {name: web, title: Website, tier: standard}\n"))
    assert config.min_permission == "write"
    assert config.bot_login == "github-actions[bot]"
    assert config.assignees == ()
    assert config.severity.default is Severity.SEV3
    assert config.services[0].expect.timeout_seconds == 5.0
    assert config.root == tmp_path


def test_every_shape_problem_is_listed_with_its_path(tmp_path: Path) -> None:
    path = write(tmp_path, """\
services:
  - name: nextcloud
    title: Nextcloud
    tier: crit
    url: cloud.example.org
    expect: {status: 999}
  - title: Immich
    tier: critical
    depend_on: [nextcloud]
trust: {min_permission: owner}
escalation: {assignees: ["not a login!"]}
labels: {needs-humans: help}
slo: 99
""")
    assert problems_of(path) == [
        f"{path}: escalation.assignees[0]: expected a GitHub login, got 'not a login!'",
        f"{path}: labels.needs-humans: unknown key (did you mean 'needs-human'?)",
        f"{path}: services[0].expect.status: expected an HTTP status code or a list of them, got 999",
        f"{path}: services[0].tier: expected one of core, critical, standard, low, got 'crit'",
        f"{path}: services[0].url: expected an http:// or https:// URL, got 'cloud.example.org'",
        f"{path}: services[1]: missing required key 'name'",
        f"{path}: services[1].depend_on: unknown key (did you mean 'depends_on'?)",
        f"{path}: slo: unknown key (expected one of: agent, bot, detection, escalation, guardrails, investigation, "
        "labels, metrics, notify, platform, postmortem, repository, secrets, services, severity, statuspage, "
        "templates_dir, "
        "trust, "
        "version)",
        f"{path}: trust.min_permission: expected one of read, triage, write, maintain, admin, got 'owner'",
    ]


def test_rules_a_schema_cannot_say_are_checked_too(tmp_path: Path) -> None:
    path = write(tmp_path, """\
services:
  - {name: web, title: Website, tier: standard, depends_on: [db, web]}
  - {name: web, title: website, tier: low}
  - {name: db, title: Other / not sure, tier: core, depends_on: [api]}
  - {name: api, title: API, tier: critical, depends_on: [db, cache]}
labels: {needs-human: incident}
severity:
  rules:
    core-dwon: {level: SEV2}
    night-shift: {level: SEV2, when: {error_type: [Kaputt], scope: [Some], service: [ghost]}}
""")
    assert problems_of(path) == [
        f"{path}: services[1].name: 'web' is already used by services[0]",
        f"{path}: services[1].title: 'website' is already used by services[0]; titles must differ so the "
        "form's dropdown is unambiguous",
        f"{path}: services[2].title: 'Other / not sure' is reserved by the issue form",
        f"{path}: services[0].depends_on[1]: a service cannot depend on itself",
        f"{path}: services[3].depends_on[1]: unknown service 'cache'",
        f"{path}: services: depends_on has a cycle: db -> api -> db",
        f"{path}: labels.needs-human: 'incident' is also the name for 'incident'",
        f"{path}: severity.rules.core-dwon: a new rule needs both 'level' and 'when' "
        "(did you mean the built-in rule 'core-down'?)",
        f"{path}: severity.rules.night-shift.when.error_type: 'Kaputt' is not an error type of the outage form",
        f"{path}: severity.rules.night-shift.when.scope: expected one of Just me, Multiple people affected, "
        "Everyone, Not sure, got 'Some'",
        f"{path}: severity.rules.night-shift.when.service: unknown service 'ghost'",
    ]


@pytest.mark.parametrize(("text", "message"), [
    ("", "the file is empty"),
    ("- just\n- a list\n", "expected a mapping at the top level, got a list"),
    ("services:\n  - name: a\n    name: b\n", "not valid YAML (line 3, column 5): duplicate key 'name'"),
    ("services: [\n  {name: a\n", "not valid YAML (line 3, column 1)"),
])
def test_unreadable_files_get_one_clear_message(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: {message}")
    assert caught.value.exit_code == 2


def test_a_missing_file_says_how_to_point_at_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.yml")
    assert str(caught.value) == f"{tmp_path / 'nope.yml'}: no such file"
    assert caught.value.hint is not None and "--config" in caught.value.hint


def test_the_error_message_lists_all_problems_under_a_count(tmp_path: Path) -> None:
    path = write(tmp_path, "services:\n  - {name: Bad_Name, title: '', tier: core}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = str(caught.value)
    assert text.splitlines()[0] == f"{path} is invalid (2 problems):"
    assert f"  - {path}: services[0].title: must not be empty" in text


def test_severity_overrides_relevel_disable_and_add_rules(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, """\
services:
  - {name: web, title: Website, tier: standard}
severity:
  default: SEV2
  rules:
    core-down: {level: SEV2}
    everyone-affected: {enabled: false}
    web-slow: {level: SEV2, when: {service: [web], state: [degraded]}, explain: "Website slow = lost sales"}
"""))
    rules = {rule.id: rule for rule in config.severity.rules}
    assert rules["core-down"].level is Severity.SEV2
    assert rules["everyone-affected"].enabled is False
    assert rules["web-slow"].explain == "Website slow = lost sales"
    assert config.severity.default is Severity.SEV2


def test_the_shipped_schema_is_valid_json_schema() -> None:
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(json.loads(SCHEMA_PATH.read_text()))


def test_the_example_config_validates_against_the_printed_schema(tmp_path: Path) -> None:
    """What an editor would do with `responder config-schema`."""
    import yaml
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_PATH.read_text())
    raw = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    assert list(Draft202012Validator(schema).iter_errors(raw)) == []


@pytest.mark.parametrize(("limits", "problem"), [
    ("{memory_min: 2Gi, memory_max: 1Gi}", "services[0].terraform.limits.memory_min: 2Gi is more than memory_max 1Gi"),
    ("{memory_max: 500m}", "services[0].terraform.limits.memory_max: '500m' is not a whole number of bytes "
                           "(expected e.g. 512Mi, 1.5Gi or 2G)"),
    ("{cpu_max: 2Gi}", "services[0].terraform.limits.cpu_max: '2Gi' is not a CPU amount (expected cores or "
                       "millicores, e.g. 2, 0.5 or 500m)"),
    ("{image_tag_pattern: 'v[0-9'}", "services[0].terraform.limits.image_tag_pattern: not a valid regular "
                                     "expression: unterminated character set at position 1"),
])
def test_terraform_limits_are_checked_beyond_the_schema(tmp_path: Path, limits: str, problem: str) -> None:
    config = tmp_path / "responder.yml"
    config.write_text("services:\n  - name: app\n    title: App\n    tier: low\n"
                      f"    terraform: {{stack: stacks/app, vars_file: app.auto.tfvars.json, limits: {limits}}}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert caught.value.problems == (f"{config}: {problem}",)


def test_one_pass_reports_the_later_stages_sections_with_the_schema_problems(tmp_path: Path) -> None:
    """What `statuspage build` would refuse is refused when the config is loaded, next to every other problem."""
    path = write(tmp_path, """\
services:
  - {name: web, title: Website, tier: crit}
  - {name: db, title: Database, tier: core}
investigation: {rollout_restart_exclude: [dbb]}
statuspage:
  sources:
    - {type: uptime-kuma, url: "https://kuma.example", slug: home, monitors: {Web: web, Cloud: nextcloud}}
postmortem: {severities: [SEV9]}
""")
    assert problems_of(path) == [
        f"{path}: postmortem.severities[0]: expected one of SEV1, SEV2, SEV3, SEV4, got 'SEV9'",
        f"{path}: services[0].tier: expected one of core, critical, standard, low, got 'crit'",
        f"{path}: investigation.rollout_restart_exclude[0]: unknown service 'dbb' (did you mean 'db'?)",
        f"{path}: statuspage.sources[0].monitors.Cloud: unknown service 'nextcloud'",
    ]


def test_check_config_refuses_what_statuspage_build_would_refuse(tmp_path: Path) -> None:
    import io

    from responder.cli.main import main

    path = write(tmp_path, """\
services:
  - {name: web, title: Website, tier: standard, slo: 200}
statuspage:
  sources: [{type: uptime-kuma, url: "https://kuma.example", slug: home, monitors: {Website: webb}}]
""")
    out, err = io.StringIO(), io.StringIO()
    assert main(["check-config", "--config", str(path)], env={}, stdout=out, stderr=err) == 2
    assert out.getvalue() == ""
    assert err.getvalue().splitlines()[:3] == [
        f"responder: error: {path} is invalid (2 problems):",
        f"  - {path}: services[0].slo: expected a number at most 100, got 200",
        f"  - {path}: statuspage.sources[0].monitors.Website: unknown service 'webb' (did you mean 'web'?)",
    ]


def test_a_broken_section_is_reported_by_the_schema_alone(tmp_path: Path) -> None:
    """A rule over a section of the wrong shape would only repeat the schema's complaint."""
    path = write(tmp_path, """\
services:
  - {name: web, title: Website, tier: standard}
statuspage:
  sources: [{type: uptime-kuma, url: "https://kuma.example", monitors: {Website: webb}}]
""")
    assert problems_of(path) == [f"{path}: statuspage.sources[0]: missing required key 'slug'"]


def test_every_section_is_typed_and_read_once(tmp_path: Path) -> None:
    from responder.config.guardrails import DEFAULT_PROTECTED_STACKS, GitSettings

    config = load_config(write(tmp_path, """\
services:
  - {name: web, title: Website, tier: standard}
guardrails:
  binary: tofu
  max_changes: 2
  lock_dir: locks
  git: {remote: upstream, push: false}
investigation: {rollout_restart: false, kubernetes: {log_lines: 5}}
agent: {url: "http://agent.example/", max_budget_usd: 3}
secrets: {woodpecker_token: "env:WP"}
statuspage: {url: "https://status.example", title: Acme}
postmortem: {enabled: false, severities: [SEV1], branch: main}
"""))
    assert config.guardrails.binary == "tofu" and config.guardrails.lock_dir == tmp_path / "locks"
    assert config.guardrails.git == GitSettings(remote="upstream", branch=None, push=False)
    assert config.guardrails.policy.max_changes == 2
    assert config.guardrails.policy.protected_stacks == DEFAULT_PROTECTED_STACKS
    assert config.investigation.rollout_restart is False and config.investigation.log_lines == 5
    assert config.agent is not None and (config.agent.url, config.agent.max_budget_usd) == ("http://agent.example", 3)
    assert config.secrets.configured == frozenset({"woodpecker_token"})
    assert (config.statuspage.url, config.statuspage.title) == ("https://status.example", "Acme")
    assert config.statuspage_url == "https://status.example"
    assert (config.postmortem.enabled, config.postmortem.severities, config.postmortem.branch) == \
        (False, ("SEV1",), "main")
    assert config.postmortem.site_dir is None  # not set: the post-mortem stage uses the repository's site/
    assert config.postmortem.site_url == "https://status.example/post-mortems/"


def test_sections_left_out_keep_their_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "services:\n  - {name: web, title: Website, tier: standard}\n"))
    assert config.guardrails.binary == "terraform" and config.guardrails.lock_dir is None
    assert config.agent is None and config.secrets.configured == frozenset()
    assert config.statuspage.url is None and config.statuspage_url is None
    assert config.postmortem.enabled and config.postmortem.site_url is None


def test_a_malformed_service_does_not_hide_a_duplicate_name_or_an_unknown_dependency(tmp_path: Path) -> None:
    path = write(tmp_path, """\
services:
  - {name: a, title: A, tier: gold}
  - {name: a, title: B, tier: core, depends_on: [zz]}
""")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.located == (
        ("services[0].tier", "expected one of core, critical, standard, low, got 'gold'"),
        ("services[1].name", "'a' is already used by services[0]"),
        ("services[1].depends_on[0]", "unknown service 'zz'"),
    )


def test_check_config_reports_as_json_for_editors_and_ci(tmp_path: Path) -> None:
    import io

    from responder.cli.main import main

    bad = write(tmp_path, """\
services:
  - {name: a, title: A, tier: gold}
statuspage: {bogus: 1}
""")
    out = io.StringIO()
    assert main(["check-config", "--config", str(bad), "--format", "json"], env={}, stdout=out,
                stderr=io.StringIO()) == 2
    report = json.loads(out.getvalue())
    assert report["ok"] is False and report["config"] == str(bad)
    assert [problem["path"] for problem in report["problems"]] == ["services[0].tier", "statuspage.bogus"]
    assert report["problems"][1]["message"].startswith("unknown key")

    out = io.StringIO()
    assert main(["check-config", "--config", str(EXAMPLE_CONFIG), "--format", "json"], env={}, stdout=out,
                stderr=io.StringIO()) == 0
    good = json.loads(out.getvalue())
    assert good["ok"] is True and good["problems"] == []
    assert good["services"] == sum(good["tiers"].values()) > 0

    out = io.StringIO()
    assert main(["check-config", "--config", str(tmp_path / "missing.yml"), "--format", "json"], env={},
                stdout=out, stderr=io.StringIO()) == 2
    assert json.loads(out.getvalue())["problems"] == [{"path": None, "message": f"{tmp_path / 'missing.yml'}: "
                                                                                 "no such file"}]
