"""Every automated change needs a configured bound, and stays within it."""

from __future__ import annotations

import pytest

from responder.changes.limits import check_against_current, check_request
from responder.config.loader import Config
from responder.model.changes import ChangeRequest


def check(config: Config, service: str, kind: str, value: str):  # type: ignore[no-untyped-def]
    return check_request(ChangeRequest(service, kind, value, "why"), config.service(service))


@pytest.mark.parametrize(("service", "kind", "value", "shown"), [
    ("nextcloud", "replicas", "3", "3"),
    ("nextcloud", "replicas", " 4 ", "4"),
    ("nextcloud", "replicas", "1", "1"),
    ("nextcloud", "memory_limit", "4Gi", "4Gi"),
    ("nextcloud", "memory_limit", "4096Mi", "4096Mi"),
    ("nextcloud", "memory_request", "512Mi", "512Mi"),
    ("nextcloud", "cpu_limit", "1500m", "1500m"),
    ("nextcloud", "cpu_limit", "2", "2"),
    ("nextcloud", "image_tag", "29.0.6-apache", "29.0.6-apache"),
    ("immich", "memory_limit", "6Gi", "6Gi"),
])
def test_in_bounds_requests_pass(example_config: Config, service: str, kind: str, value: str, shown: str) -> None:
    result = check(example_config, service, kind, value)
    assert result.ok, result.reasons
    assert result.shown == shown


def test_replicas_are_written_as_a_number(example_config: Config) -> None:
    assert check(example_config, "nextcloud", "replicas", "3").value == 3


@pytest.mark.parametrize(("service", "kind", "value", "problem", "reason"), [
    ("nextcloud", "replicas", "9", "out-of-bounds",
     "9 replicas is above the maximum of 4 for nextcloud (terraform.limits.replicas: [1, 4])"),
    ("nextcloud", "replicas", "0", "out-of-bounds",
     "0 replicas is below the minimum of 1 for nextcloud (terraform.limits.replicas: [1, 4])"),
    ("nextcloud", "memory_limit", "4097Mi", "out-of-bounds",
     "memory limit 4097Mi is above the maximum of 4Gi for nextcloud (terraform.limits.memory_max)"),
    ("nextcloud", "memory_limit", "4.5Gi", "out-of-bounds",
     "memory limit 4.5Gi is above the maximum of 4Gi for nextcloud (terraform.limits.memory_max)"),
    ("nextcloud", "memory_request", "256Mi", "out-of-bounds",
     "memory request 256Mi is below the minimum of 512Mi for nextcloud (terraform.limits.memory_min)"),
    ("nextcloud", "cpu_limit", "2001m", "out-of-bounds",
     "cpu limit 2001m is above the maximum of 2 for nextcloud (terraform.limits.cpu_max)"),
    ("nextcloud", "image_tag", "latest", "out-of-bounds",
     r"image tag latest does not match the pattern 29\.[0-9]+\.[0-9]+-apache for nextcloud "
     "(terraform.limits.image_tag_pattern)"),
    ("nextcloud", "replicas", "three", "invalid", "'three' is not a whole number of replicas"),
    ("nextcloud", "replicas", "3; rm -rf /", "invalid", "'3; rm -rf /' is not a whole number of replicas"),
    ("nextcloud", "memory_limit", "lots", "invalid",
     "memory limit: 'lots' is not a memory quantity (expected e.g. 512Mi, 1.5Gi or 2G)"),
    ("nextcloud", "image_tag", "$(curl evil)", "invalid",
     "'$(curl evil)' is not a valid image tag (letters, digits, '.', '_' and '-', at most 128)"),
    ("immich", "image_tag", "v1.121.0", "not-configured",
     "immich sets no bound for this change (terraform.limits.image_tag_pattern); automated changes need one"),
    ("mail", "replicas", "2", "not-configured",
     "mail sets no bound for this change (terraform.limits.replicas); automated changes need one"),
    ("traefik", "replicas", "2", "not-configured",
     "traefik has no Terraform stack and vars file in responder.yml (services[].terraform.stack and vars_file)"),
    ("uptime-kuma", "replicas", "2", "not-configured",
     "uptime-kuma has no Terraform stack and vars file in responder.yml (services[].terraform.stack and vars_file)"),
    ("nextcloud", "storage_size", "10Gi", "unsupported", "'storage_size' is not a change the responder can make"),
])
def test_requests_out_of_bounds_or_unbounded_are_not_automatic(
        example_config: Config, service: str, kind: str, value: str, problem: str, reason: str) -> None:
    result = check(example_config, service, kind, value)
    assert not result.ok
    assert result.problem == problem
    assert result.reasons == (reason,)


def test_an_unknown_service_is_not_automatic(example_config: Config) -> None:
    result = check_request(ChangeRequest("gitea", "replicas", "2", "why"), None)
    assert (result.ok, result.problem) == (False, "not-configured")


@pytest.mark.parametrize(("kind", "value", "current", "conflict"), [
    ("memory_request", "2Gi", {"memory_limit": "1Gi"},
     "memory request 2Gi would be above the memory limit 1Gi, which Kubernetes refuses"),
    ("memory_limit", "256Mi", {"memory_request": "512Mi"},
     "memory limit 256Mi would be below the memory request 512Mi, which Kubernetes refuses"),
    ("cpu_request", "1500m", {"cpu_limit": "1"},
     "cpu request 1500m would be above the cpu limit 1, which Kubernetes refuses"),
    ("memory_limit", "2Gi", {"memory_request": "512Mi"}, None),
    ("memory_limit", "2Gi", {}, None),
    ("replicas", 3, {"memory_limit": "1Gi"}, None),
])
def test_a_request_may_not_pass_its_limit(kind: str, value: object, current: dict[str, str],
                                          conflict: str | None) -> None:
    assert check_against_current(kind, value, current) == ((conflict,) if conflict else ())
