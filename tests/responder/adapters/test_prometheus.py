"""The Prometheus adapter against a real Prometheus (backfilled series, queried at fixed times), and the
answers a real one gives when it refuses: auth, bad PromQL, range vectors, an unreachable server."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

import pytest
import responses

from responder.adapters.prometheus import (
    NOT_CONFIGURED,
    PrometheusClient,
    PrometheusError,
    metrics_for,
    open_prometheus,
)
from responder.config.loader import load_config
from responder.config.metrics import PrometheusSettings
from responder.config.secrets import EnvReference
from tests.support.http_services import closed_port_url
from tests.support.prometheus import ERROR_RATE, INCIDENT, LATENCY_P99, NOW, Prometheus


def test_an_instant_query_is_answered_at_the_time_given(prometheus: Prometheus) -> None:
    client = PrometheusClient(prometheus.url)
    (now,) = client.instant(ERROR_RATE % ("nextcloud", "nextcloud"), NOW)
    (before,) = client.instant(ERROR_RATE % ("nextcloud", "nextcloud"), INCIDENT - timedelta(minutes=10))
    assert now.labels == () and now.value == pytest.approx(0.08)
    assert before.value == pytest.approx(0.01)
    (p99,) = client.instant(LATENCY_P99 % "nextcloud", NOW)
    assert p99.value == pytest.approx(4.5)
    assert client.requests == 3


def test_a_query_with_several_series_keeps_their_labels(prometheus: Prometheus) -> None:
    samples = PrometheusClient(prometheus.url).instant('sum by (app) (rate(http_requests_total{code="500"}[5m]))', NOW)
    assert sorted((s.labels, round(s.value, 3)) for s in samples) == [
        ((("app", "mail"),), 0.1), ((("app", "nextcloud"),), 8.0)]


def test_a_range_query_gives_the_last_hour_at_the_step_asked(prometheus: Prometheus) -> None:
    (series,) = PrometheusClient(prometheus.url).range(ERROR_RATE % ("nextcloud", "nextcloud"),
                                                       NOW - timedelta(hours=1), NOW, 60)
    assert len(series.points) == 61
    assert series.points[0] == (pytest.approx((NOW - timedelta(hours=1)).timestamp()), pytest.approx(0.01))
    assert series.points[-1][1] == pytest.approx(0.08)


def test_no_traffic_is_not_a_number_and_no_series_is_nothing(prometheus: Prometheus) -> None:
    client = PrometheusClient(prometheus.url)
    (empty,) = client.instant('sum(rate(http_requests_total{app="nextcloud"}[5m])) * 0 / 0', NOW)
    assert math.isnan(empty.value) and not empty.known
    assert client.instant('http_requests_total{app="nobody"}', NOW) == ()


@pytest.mark.parametrize(("query", "message"), [
    ("sum(rate(http_requests_total[5m]", "the query was refused (bad_data): "),
    ("http_requests_total[5m]", "the query gives a range vector, not a value: wrap it in a function such as rate() "
                                "or max_over_time()"),
])
def test_a_query_prometheus_refuses_says_why(prometheus: Prometheus, query: str, message: str) -> None:
    with pytest.raises(PrometheusError) as caught:
        PrometheusClient(prometheus.url).instant(query, NOW)
    assert caught.value.message.startswith(message)


def test_an_unreachable_prometheus_is_one_line() -> None:
    url = closed_port_url().rstrip("/")
    with pytest.raises(PrometheusError) as caught:
        PrometheusClient(url, timeout=2).instant("up", NOW)
    assert caught.value.message == f"{url} could not be reached: connection refused"


@responses.activate
def test_the_token_is_sent_as_a_bearer_token_and_a_refusal_names_it() -> None:
    responses.get("http://prometheus.test/api/v1/query", status=401, body="Unauthorized")
    with pytest.raises(PrometheusError) as caught:
        PrometheusClient("http://prometheus.test", token="s3cret-prometheus-token").instant("up", NOW)
    assert caught.value.message == ("http://prometheus.test refused the request (HTTP 401): check "
                                    "metrics.prometheus.token")
    request = responses.calls[0].request
    assert request.headers["Authorization"] == "Bearer s3cret-prometheus-token"
    assert request.url == f"http://prometheus.test/api/v1/query?query=up&time={NOW.timestamp():.3f}"


@responses.activate
def test_an_answer_that_is_not_prometheus_is_refused() -> None:
    responses.get("http://grafana.test/api/v1/query", status=200, body="<html>login</html>")
    with pytest.raises(PrometheusError) as caught:
        PrometheusClient("http://grafana.test").instant("up", NOW)
    assert caught.value.message == "http://grafana.test answered HTTP 200 without JSON: is this Prometheus's API?"


def test_without_a_prometheus_section_there_is_no_source_and_the_reason_says_so() -> None:
    access = open_prometheus(None)
    assert access.source is None and access.problem == NOT_CONFIGURED


def test_the_token_reference_is_resolved_and_an_unset_one_is_the_reason(tmp_path: Path, prometheus: Prometheus) -> None:
    path = tmp_path / "responder.yml"
    path.write_text(f"""\
metrics:
  prometheus: {{url: "{prometheus.url}", token: "env:PROMETHEUS_TOKEN"}}
services:
  - {{name: web, title: Web, tier: standard}}
""", encoding="utf-8")
    config = load_config(path)
    assert config.metrics.prometheus is not None
    assert config.metrics.prometheus.token == EnvReference("PROMETHEUS_TOKEN")
    missing = metrics_for(config, {})
    assert missing.source is None
    assert missing.problem == "the Prometheus token could not be read: not set (env:PROMETHEUS_TOKEN is empty)"
    found = metrics_for(config, {"PROMETHEUS_TOKEN": "t0ken"})
    assert isinstance(found.source, PrometheusClient)
    # Prometheus itself takes no token: the header is simply ignored, and the query answers.
    assert found.source.instant("vector(1)", NOW)[0].value == 1.0


def test_settings_without_a_token_need_no_reader() -> None:
    access = open_prometheus(PrometheusSettings("http://prometheus.test"))
    assert isinstance(access.source, PrometheusClient) and access.problem is None
