"""The issue forms: generated from the catalogue, valid against GitHub's schema, kept in sync."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from responder.cli.main import main
from responder.forms.specs import ERROR_TYPES
from tests.conftest import EXAMPLE_CONFIG, ROOT


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or "check-jsonschema"
    return subprocess.run([exe, "--builtin-schema", schema, *map(str, files)], capture_output=True, text=True)


def generate(config: Path, out: Path) -> None:
    assert main(["templates", "--config", str(config), "--out", str(out)], env={}, stdout=io.StringIO(),
                stderr=io.StringIO()) == 0


def test_generated_forms_validate_against_githubs_schemas(tmp_path: Path) -> None:
    generate(EXAMPLE_CONFIG, tmp_path)
    forms = check_jsonschema("vendor.github-issue-forms", tmp_path / "outage-report.yml",
                             tmp_path / "feature-request.yml", tmp_path / "platform-request.yml")
    assert forms.returncode == 0, forms.stdout + forms.stderr
    config = check_jsonschema("vendor.github-issue-config", tmp_path / "config.yml")
    assert config.returncode == 0, config.stdout + config.stderr


def test_a_broken_form_is_caught_by_the_schema_check(tmp_path: Path) -> None:
    """The check above can fail: an invalid field id is rejected."""
    generate(EXAMPLE_CONFIG, tmp_path)
    form = tmp_path / "outage-report.yml"
    form.write_text(form.read_text().replace("id: error_type", "id: error type"))
    assert check_jsonschema("vendor.github-issue-forms", form).returncode != 0


def test_the_outage_form_has_the_fields_and_options_in_order(tmp_path: Path) -> None:
    generate(EXAMPLE_CONFIG, tmp_path)
    form = yaml.safe_load((tmp_path / "outage-report.yml").read_text())
    assert form["labels"] == ["user-report"]
    fields = {item["id"]: item for item in form["body"] if "id" in item}
    assert list(fields) == ["service", "description", "error_type", "scope", "when", "url"]
    assert fields["service"]["attributes"]["options"][-1] == "Other / not sure"
    assert fields["service"]["attributes"]["options"][:2] == ["DNS (Technitium)", "Ingress (Traefik)"]
    assert fields["description"]["attributes"]["label"] == "What do you see?"
    assert fields["error_type"]["attributes"]["options"] == list(ERROR_TYPES)
    assert fields["scope"]["attributes"]["options"] == ["Just me", "Multiple people affected", "Everyone", "Not sure"]
    assert [fields[f]["type"] for f in ("when", "url")] == ["input", "input"]
    assert all(fields[f].get("validations", {}).get("required") for f in ("service", "description", "error_type"))


def test_the_feature_form_offers_the_supported_changes(tmp_path: Path) -> None:
    generate(EXAMPLE_CONFIG, tmp_path)
    form = yaml.safe_load((tmp_path / "feature-request.yml").read_text())
    assert form["labels"] == ["feature-request"]
    fields = {item["id"]: item for item in form["body"] if "id" in item}
    assert list(fields) == ["service", "change", "value", "description"]
    assert fields["change"]["attributes"]["options"] == [
        "Replica count", "Memory limit", "Memory request", "CPU limit", "CPU request", "Image tag", "Something else"]


def test_the_platform_form_offers_what_the_platform_section_configures(tmp_path: Path) -> None:
    generate(EXAMPLE_CONFIG, tmp_path)
    form = yaml.safe_load((tmp_path / "platform-request.yml").read_text())
    assert form["labels"] == ["platform-request"]
    fields = {item["id"]: item for item in form["body"] if "id" in item}
    assert list(fields) == ["request", "namespace", "members", "role", "cpu", "memory", "pods", "record_name",
                            "record_type", "record_value", "url", "service_name", "title", "tier", "reason"]
    assert fields["request"]["attributes"]["options"] == [
        "New namespace", "Change a namespace quota", "Grant namespace access", "Revoke namespace access",
        "Add a DNS record", "Monitor a URL"]
    # Only the request and the reason are always needed; the parser asks for the rest per request.
    assert [f for f, item in fields.items() if item.get("validations", {}).get("required")] == ["request", "reason"]
    assert fields["cpu"]["attributes"]["description"] == "Cores or millicores, at most 8. A new namespace gets 2 " \
                                                         "by default."
    assert "apps.acme-homelab.org" in fields["record_name"]["attributes"]["description"]


def test_without_a_platform_section_there_is_no_platform_form(tmp_path: Path) -> None:
    config = tmp_path / "responder.yml"
    config.write_text("services:\n  - {name: web, title: Web, tier: standard}\n")
    generate(config, tmp_path / "forms")
    assert sorted(p.name for p in (tmp_path / "forms").iterdir()) == ["config.yml", "feature-request.yml",
                                                                      "outage-report.yml"]


def test_without_dns_the_platform_form_asks_for_no_record(tmp_path: Path) -> None:
    config = tmp_path / "responder.yml"
    config.write_text("services:\n  - {name: web, title: Web, tier: standard}\n"
                      "platform: {stack: stacks/platform, vars_file: platform.auto.tfvars.json}\n")
    generate(config, tmp_path / "forms")
    form = yaml.safe_load((tmp_path / "forms" / "platform-request.yml").read_text())
    fields = {item["id"]: item for item in form["body"] if "id" in item}
    assert "Add a DNS record" not in fields["request"]["attributes"]["options"]
    assert not {"record_name", "record_type", "record_value"} & set(fields)


def test_the_dropdown_follows_the_catalogue(tmp_path: Path) -> None:
    config = tmp_path / "responder.yml"
    config.write_text("services:\n  - {name: wiki, title: Wiki, tier: low}\nlabels: {user-report: outage}\n")
    generate(config, tmp_path / "forms")
    form = yaml.safe_load((tmp_path / "forms" / "outage-report.yml").read_text())
    assert form["body"][1]["attributes"]["options"] == ["Wiki", "Other / not sure"]
    assert form["labels"] == ["outage"]
    assert check_jsonschema("vendor.github-issue-forms", tmp_path / "forms" / "outage-report.yml").returncode == 0


def test_the_placeholder_example_comes_from_the_catalogue(tmp_path: Path) -> None:
    """No Nextcloud in the catalogue, no Nextcloud in the form: the example names an application it has."""
    config = tmp_path / "responder.yml"
    config.write_text("services:\n"
                      "  - {name: pg, title: Postgres, tier: core}\n"
                      "  - {name: gitea, title: Gitea, tier: standard, url: 'https://git.example.org/'}\n"
                      "  - {name: matrix, title: Matrix, tier: critical, url: 'https://matrix.example.org/'}\n")
    generate(config, tmp_path / "forms")
    text = (tmp_path / "forms" / "outage-report.yml").read_text()
    form = yaml.safe_load(text)
    description = next(field for field in form["body"] if field.get("id") == "description")
    assert description["attributes"]["placeholder"] == ("Gitea returns 502 Bad Gateway since about 14:00 UTC. "
                                                        "Other sites work.")
    assert "Nextcloud" not in text


def test_the_committed_forms_match_the_example_catalogue() -> None:
    err = io.StringIO()
    code = main(["templates", "--config", str(EXAMPLE_CONFIG), "--out", str(ROOT / ".github/ISSUE_TEMPLATE"),
                 "--check"], env={}, stdout=io.StringIO(), stderr=err)
    assert code == 0, err.getvalue()


def test_check_reports_a_stale_form(tmp_path: Path) -> None:
    generate(EXAMPLE_CONFIG, tmp_path)
    (tmp_path / "outage-report.yml").write_text("stale")
    err = io.StringIO()
    code = main(["templates", "--config", str(EXAMPLE_CONFIG), "--out", str(tmp_path), "--check"], env={},
                stdout=io.StringIO(), stderr=err)
    assert code == 1
    assert err.getvalue() == f"{tmp_path / 'outage-report.yml'} is out of date; run `responder templates`\n"
