"""The `metrics` section, services' thresholds, and the TLS settings: typed records and every problem with its path."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from responder.cli.main import main
from responder.config.loader import TlsPolicy, load_config
from responder.config.metrics import PrometheusSettings, Threshold
from responder.config.secrets import EnvReference, VaultReference
from responder.errors import ConfigError

NEXTCLOUD_ERRORS = ('sum(rate(http_requests_total{app="nextcloud",code=~"5.."}[5m])) '
                    '/ sum(rate(http_requests_total{app="nextcloud"}[5m]))')


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "responder.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_prometheus_thresholds_and_tls_settings_are_read_with_their_defaults(tmp_path: Path) -> None:
    (tmp_path / "ca").mkdir()
    (tmp_path / "ca" / "private.pem").write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    config = load_config(write(tmp_path, f"""\
metrics:
  prometheus: {{url: "http://prometheus.monitoring:9090/", token: "env:PROMETHEUS_TOKEN"}}
investigation: {{tls_warn_days: 21, ca_file: ca/private.pem}}
services:
  - name: nextcloud
    title: Nextcloud
    tier: critical
    url: https://cloud.example.org/status.php
    tls_warn_days: 7
    metrics:
      error_rate: {{query: '{NEXTCLOUD_ERRORS}', above: 0.05}}
      latency_p99: {{query: 'histogram_quantile(0.99, x)', above: 1500, unit: ms}}
  - {{name: mail, title: Mail, tier: critical}}
"""))
    assert config.metrics.prometheus == PrometheusSettings("http://prometheus.monitoring:9090",
                                                           EnvReference("PROMETHEUS_TOKEN"), 10.0)
    assert config.metrics.prometheus.link_base == "http://prometheus.monitoring:9090"
    nextcloud, mail = config.services
    assert nextcloud.metrics.thresholds == (Threshold("error_rate", NEXTCLOUD_ERRORS, 0.05, "ratio"),
                                            Threshold("latency_p99", "histogram_quantile(0.99, x)", 1500.0, "ms"))
    assert not mail.metrics
    assert nextcloud.tls == TlsPolicy(7, tmp_path / "ca" / "private.pem")
    assert mail.tls == TlsPolicy(21, tmp_path / "ca" / "private.pem")


def test_without_a_metrics_section_there_is_no_prometheus_and_certificates_warn_at_14_days(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "services:\n  - {name: web, title: Web, tier: standard}\n"))
    assert config.metrics.prometheus is None
    assert config.services[0].tls == TlsPolicy(14, None)


def test_every_problem_names_its_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, """\
metrics:
  prometheus: {url: "prometheus:9090", token: "hunter2-literal-token", timeout: 3}
investigation: {tls_warn_days: -1, ca_file: missing.pem}
services:
  - name: web
    title: Web
    tier: standard
    tls_warn_days: 400
    metrics:
      error_rate: {query: "", above: "5%"}
      latency_p99: {above: 2, unit: minutes}
      saturation: {query: up, above: 1}
"""))
    assert list(caught.value.located) == [
        ("investigation.tls_warn_days", "expected a number at least 0, got -1"),
        ("metrics.prometheus.timeout", "unknown key (did you mean 'timeout_seconds'?)"),
        ("metrics.prometheus.token", "expected env:NAME or vault:<kv-v2 mount>/<path>#<key>, got a value that is "
                                     "not a reference (not shown: it may be the secret itself; put it in an "
                                     "environment variable or Vault and name that here)"),
        ("metrics.prometheus.url", "expected an http:// or https:// URL, got 'prometheus:9090'"),
        ("services[0].metrics.error_rate.above", "expected a number, got a string '5%'"),
        ("services[0].metrics.error_rate.query", "must not be empty"),
        ("services[0].metrics.latency_p99", "missing required key 'query'"),
        ("services[0].metrics.latency_p99.unit", "expected one of ratio, percent, s, ms, got 'minutes'"),
        ("services[0].metrics.saturation", "unknown key (expected one of: error_rate, latency_p99)"),
        ("services[0].tls_warn_days", "expected a number at most 365, got 400"),
    ]


def test_a_missing_ca_file_and_a_vault_token_without_vault_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, """\
metrics:
  prometheus: {url: "http://prometheus:9090", token: "vault:secret/responder#prometheus"}
investigation: {ca_file: ca.pem}
services:
  - {name: web, title: Web, tier: standard}
"""))
    assert list(caught.value.located) == [
        ("metrics.prometheus.token", "a vault: reference needs a secrets.vault section (url, auth, role)"),
        ("investigation.ca_file", f"'ca.pem' is not a file (relative to {tmp_path})"),
    ]


def test_a_vault_token_is_a_reference(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, """\
secrets:
  vault: {url: "https://vault.example:8200", auth: kubernetes, role: ci}
metrics:
  prometheus: {url: "https://prometheus.example", token: "vault:secret/responder#prometheus", timeout_seconds: 3,
               external_url: "https://grafana.example/prometheus"}
services:
  - {name: web, title: Web, tier: standard}
"""))
    prometheus = config.metrics.prometheus
    assert prometheus is not None
    assert prometheus.token == VaultReference("secret", "responder", "prometheus")
    assert prometheus.timeout_seconds == 3.0
    assert prometheus.link_base == "https://grafana.example/prometheus"


def test_check_config_warns_about_thresholds_nobody_can_query(tmp_path: Path) -> None:
    path = write(tmp_path, """\
services:
  - name: web
    title: Web
    tier: standard
    metrics: {error_rate: {query: up, above: 0.05}}
""")
    out = io.StringIO()
    assert main(["check-config", "--config", str(path), "--format", "json"], stdout=out) == 0
    assert json.loads(out.getvalue())["warnings"] == [
        {"path": "services[0].metrics",
         "message": "web has metrics thresholds, but there is no metrics.prometheus to query them: the metrics "
                    "stage is skipped"}]
