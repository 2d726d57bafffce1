"""The `platform:` section of responder.yml: defaults, shapes and the rules a schema cannot say."""

from __future__ import annotations

from pathlib import Path

import pytest

from responder.config.loader import Config, load_config
from responder.config.platform import DnsSettings, build_platform, quota_from
from responder.errors import ConfigError
from responder.model.quantities import parse_cpu, parse_memory

BASE = "services:\n  - {name: web, title: Web, tier: standard}\n"


def write(tmp_path: Path, section: str) -> Path:
    path = tmp_path / "responder.yml"
    path.write_text(BASE + section)
    return path


def test_no_section_means_no_self_service(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")).platform is None


def test_the_defaults_of_a_minimal_section(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "platform: {stack: stacks/platform, vars_file: platform.auto.tfvars.json}\n"))
    platform = config.platform
    assert platform is not None
    assert platform.vars_path == "stacks/platform/platform.auto.tfvars.json"
    namespaces = platform.namespaces
    assert namespaces.name_pattern == "^[a-z][a-z0-9-]{2,30}$"
    assert "kube-system" in namespaces.reserved
    assert namespaces.quota_default.to_json() == {"cpu": "2", "memory": "4Gi", "pods": 20}
    assert namespaces.quota_max.to_json() == {"cpu": "8", "memory": "16Gi", "pods": 50}
    assert (namespaces.roles, namespaces.top_role) == (("view", "edit"), "edit")
    assert namespaces.subject("dana") == "oidc:dana"
    assert platform.dns is None
    assert platform.monitors.tiers == ("standard", "low")


def test_the_example_configures_namespaces_and_dns(example_config: Config) -> None:
    platform = example_config.platform
    assert platform is not None
    assert platform.dns == DnsSettings(stack="stacks/dns", vars_file="dns.auto.tfvars.json",
                                       zones=("apps.acme-homelab.org",), types=("A", "AAAA", "CNAME"))


def test_a_partial_quota_keeps_the_other_defaults() -> None:
    platform = build_platform({"stack": "s", "vars_file": "p.auto.tfvars.json",
                               "namespaces": {"quota_max": {"cpu": "16"}}, "dns": {
                                   "stack": "d", "vars_file": "d.auto.tfvars.json", "zones": ["Apps.Example.org."],
                                   "types": ["cname"]}})
    assert platform is not None and platform.dns is not None
    assert platform.namespaces.quota_max.to_json() == {"cpu": "16", "memory": "16Gi", "pods": 50}
    assert (platform.dns.zones, platform.dns.types) == (("apps.example.org",), ("CNAME",))


def test_quotas_compare_by_value() -> None:
    quota = quota_from({"cpu": "1500m", "memory": "1.5Gi", "pods": 3})
    assert quota.cpu == parse_cpu("1.5") and quota.memory == parse_memory("1536Mi")


PLATFORM = "platform:\n  stack: stacks/platform\n  vars_file: platform.auto.tfvars.json\n"


@pytest.mark.parametrize(("section", "problem"), [
    ("platform: {stack: stacks/platform}\n", "platform: missing required key 'vars_file'"),
    (PLATFORM + "  namespaces: {quota_default: {cpu: 16}}\n",
     "platform.namespaces.quota_default.cpu: 16 is more than quota_max.cpu 8: the default must be within the cap"),
    (PLATFORM + "  namespaces: {quota_max: {memory: 1Gi}}\n",
     "platform.namespaces.quota_default.memory: 4Gi is more than quota_max.memory 1Gi"),
    (PLATFORM + "  namespaces: {quota_max: {cpu: 2Gi}}\n",
     "platform.namespaces.quota_max.cpu: '2Gi' is not a CPU amount"),
    (PLATFORM + "  namespaces: {quota_max: {disk: 2Gi}}\n",
     "platform.namespaces.quota_max.disk: unknown key"),
    (PLATFORM + "  namespaces: {roles: [view, cluster-admin]}\n",
     "platform.namespaces.roles[1]: 'cluster-admin' is never grantable by self-service"),
    (PLATFORM + "  namespaces: {roles: [admin]}\n", "platform.namespaces.roles[0]: 'admin' is never grantable"),
    (PLATFORM + "  namespaces: {name_pattern: '[a-z'}\n",
     "platform.namespaces.name_pattern: not a valid regular expression"),
    (PLATFORM + "  namespaces: {reserved: [Kube_System]}\n",
     "platform.namespaces.reserved[0]: 'Kube_System' is not a Kubernetes namespace name"),
    (PLATFORM + "  namespaces: {identity: 'oidc:'}\n", "platform.namespaces.identity: must contain {login}"),
    (PLATFORM + "  dns: {stack: stacks/dns, vars_file: dns.auto.tfvars.json, zones: [localhost]}\n",
     "platform.dns.zones[0]: 'localhost' is not a DNS zone"),
    (PLATFORM + "  dns: {stack: stacks/dns, vars_file: dns.auto.tfvars.json, zones: [a.-b.org]}\n",
     "platform.dns.zones[0]: 'a.-b.org' is not a well-formed DNS name"),
    (PLATFORM + "  dns: {stack: stacks/dns, vars_file: dns.auto.tfvars.json, zones: [a.org], types: [TXT]}\n",
     "platform.dns.types[0]: expected one of A, AAAA, CNAME, got 'TXT'"),
    (PLATFORM + "  dns: {stack: stacks/platform, vars_file: platform.auto.tfvars.json, zones: [a.org]}\n",
     "platform.dns.vars_file: is the namespaces' vars file too"),
    (PLATFORM + "  monitors: {tiers: [urgent]}\n", "platform.monitors.tiers[0]: expected one of core, critical"),
])
def test_mistakes_are_reported_with_their_key_path(tmp_path: Path, section: str, problem: str) -> None:
    path = write(tmp_path, section)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert any(p.startswith(f"{path}: {problem}") for p in caught.value.problems), caught.value.problems


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, PLATFORM + "  namespaces: {quota_default: {pods: 90}, roles: [cluster-admin]}\n"
                                      "  dns: {stack: stacks/dns, vars_file: dns.auto.tfvars.json, zones: [org]}\n"
                                      "detection: {exclude: [nope]}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    wheres = [p.split(": ")[1] for p in caught.value.problems]
    assert sorted(wheres) == ["detection.exclude[0]", "platform.dns.zones[0]",
                              "platform.namespaces.quota_default.pods", "platform.namespaces.roles[0]"]


def test_check_config_reports_the_platforms_problems_with_the_others(tmp_path: Path) -> None:
    import io

    from responder.cli.main import main

    path = write(tmp_path, PLATFORM + "  namespaces: {quota_default: {cpu: '16'}, roles: [view, cluster-admin]}\n"
                                      "  dns: {stack: stacks/dns, vars_file: dns.auto.tfvars.json, zones: [org]}\n")
    out, err = io.StringIO(), io.StringIO()
    assert main(["check-config", "--config", str(path)], env={}, stdout=out, stderr=err) == 2
    assert err.getvalue().splitlines()[:4] == [
        f"responder: error: {path} is invalid (3 problems):",
        f"  - {path}: platform.namespaces.quota_default.cpu: 16 is more than quota_max.cpu 8: the default must be "
        "within the cap",
        f"  - {path}: platform.namespaces.roles[1]: 'cluster-admin' is never grantable by self-service: a team with "
        "it could grant itself anything",
        f"  - {path}: platform.dns.zones[0]: 'org' is not a DNS zone (expected a name such as apps.example.org)",
    ]
