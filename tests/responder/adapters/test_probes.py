"""HTTP probes against real services on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from responder.adapters.probes import Answer, Prober, ProbeTarget, judge
from tests.support.http_services import Services, closed_port_url, serving


@pytest.fixture
def services() -> Iterator[Services]:
    with serving() as running:
        yield running


def target(url: str, **kwargs: object) -> ProbeTarget:
    return ProbeTarget(service="svc", url=url, **kwargs)  # type: ignore[arg-type]


def test_a_healthy_service_is_ok(services: Services) -> None:
    result = Prober().probe(target(services.add("/health", body='{"installed":true}'),
                                   expect_status=(200,), expect_body='"installed":true'))
    assert result.state == "ok"
    assert result.status == 200
    assert result.attempts == 1
    assert result.detail.startswith("HTTP 200 in ")


def test_a_wrong_status_is_down_after_a_second_look(services: Services) -> None:
    url = services.add("/bad", status=502, body="Bad Gateway")
    result = Prober(retry_delay=0.05).probe(target(url))
    assert result.state == "down"
    assert result.detail == "HTTP 502"
    assert result.attempts == 2
    assert services.routes["/bad"].hits == 2


def test_a_flapping_service_is_not_called_down(services: Services) -> None:
    url = services.add("/flap", fail_first=1)
    result = Prober(retry_delay=0.05).probe(target(url))
    assert result.state == "ok"
    assert result.attempts == 2


def test_a_wrong_body_or_a_slow_answer_is_degraded(services: Services) -> None:
    wrong = Prober().probe(target(services.add("/maint", body="Maintenance mode"), expect_body="pong"))
    assert (wrong.state, wrong.detail) == ("degraded", "HTTP 200 but the body lacks the expected text")
    slow = Prober().probe(target(services.add("/slow", delay=0.3), slow_ms=100))
    assert slow.state == "degraded"
    assert "slower than 100 ms" in slow.detail


def test_connection_refused_is_down() -> None:
    result = Prober(retry_delay=0.05).probe(target(closed_port_url("/health"), timeout=2))
    assert (result.state, result.detail) == ("down", "connection refused")
    assert result.latency_ms is None


def test_a_hanging_service_is_down_after_its_timeout_without_a_retry(services: Services) -> None:
    url = services.add("/hang", delay=3)
    result = Prober().probe(target(url, timeout=0.5))
    assert result.state == "down"
    assert result.detail == "no answer within 0.5 s"
    assert result.attempts == 1


def test_expected_statuses_replace_the_2xx_rule(services: Services) -> None:
    url = services.add("/login", status=401, body="Unauthorized")
    assert Prober().probe(target(url, expect_status=(200, 401))).state == "ok"


def test_probes_run_concurrently(services: Services) -> None:
    targets = [target(services.add(f"/s{i}", delay=0.5), timeout=5) for i in range(20)]
    results = Prober().probe_all(targets)
    assert [r.state for r in results] == ["ok"] * 20
    assert [r.service for r in results] == ["svc"] * 20
    assert services.max_in_flight == 20  # all twenty were in flight together


@pytest.mark.parametrize(("answer", "state"), [
    (Answer(204, "", 10), "ok"),
    (Answer(301, "", 10), "ok"),
    (Answer(404, "", 10), "down"),
    (Answer(None, "", 10, "DNS lookup failed"), "down"),
])
def test_judge(answer: Answer, state: str) -> None:
    assert judge(target("http://x"), answer)[0] == state
