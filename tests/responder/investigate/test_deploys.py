"""Deploy history: Helm revisions (metadata, and release data when asked) and Argo CD syncs, against the start."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from responder.config.loader import Config
from responder.investigate.deploys import DeployHistory, decode_release, deploy_history, report_start
from responder.investigate.diagnosis import diagnose
from responder.model.cluster import ARGO_APPLICATIONS, HELM_RELEASES, NOT_INSTALLED, parse_list
from responder.model.commits import Commit
from tests.support.cluster_objects import NOW, SNAPSHOTS

FILED = "2026-11-23T14:05:00Z"
WINDOW = timedelta(hours=4)


@pytest.mark.parametrize(("when", "at", "basis"), [
    ("14:00 UTC", "2026-11-23T14:00:00", "the report says 14:00 UTC"),
    ("since about 13:40", "2026-11-23T13:40:00", "the report says 13:40, taken as UTC"),
    ("23:50 UTC", "2026-11-22T23:50:00", "the report says 23:50 UTC"),  # later than the filing: the day before
    ("20 minutes ago", "2026-11-23T13:45:00", "the report says 20 minutes ago"),
    ("2 hours ago", "2026-11-23T12:05:00", "the report says 2 hours ago"),
    ("2026-11-23T13:30Z", "2026-11-23T13:30:00", "the report says 2026-11-23T13:30Z"),
    ("since this morning", "2026-11-23T14:05:00", "when the report was filed"),
    (None, "2026-11-23T14:05:00", "when the report was filed"),
])
def test_the_outage_start_is_read_from_the_report(when: str | None, at: str, basis: str) -> None:
    start = report_start(when, FILED)
    assert start is not None
    assert (start.at, start.basis) == (datetime.fromisoformat(at).replace(tzinfo=UTC), basis)


def history_of(config: Config, snapshot: str, service: str, *, data: dict[str, Any] | None = None,
               release_data: bool = False, commits: tuple[Commit, ...] = (),
               unread: dict[str, str] | None = None) -> DeployHistory:
    raw = data or json.loads((SNAPSHOTS / f"{snapshot}.json").read_text())
    view = parse_list(raw, snapshot, release_data=release_data, unread=unread)
    found = config.service(service)
    assert found is not None and found.kubernetes is not None
    deployment = diagnose(view, found.kubernetes, NOW).deployment
    return deploy_history(view, found.kubernetes.namespace, deployment, service, NOW, WINDOW, commits)


def test_a_helm_revision_before_the_outage_is_named_with_the_image_its_replicaset_changed(
        example_config: Config) -> None:
    history = history_of(example_config, "image-pull-backoff", "immich")
    [deploy] = history.deploys
    start = report_start("14:00 UTC", FILED)
    assert deploy.describe(start) == (
        "Helm release immich-server revision 4 (deployed) at 13:53 UTC, 6 min before the outage began: new "
        "ReplicaSet immich-server-q67kbqwd7n: image ghcr.io/immich-app/immich-server:v1.121.0 → "
        "ghcr.io/immich-app/immich-server:v1.999.0.")
    assert history.looked == (HELM_RELEASES, ARGO_APPLICATIONS)


def test_without_release_data_helm_says_what_it_cannot_see(example_config: Config) -> None:
    [deploy] = history_of(example_config, "rollout-stuck", "immich").deploys
    assert deploy.describe(None) == ("Helm release immich-server revision 4 (failed) at 13:38 UTC (after 3; what "
                                     "changed is not visible without the release data).")


def test_an_argo_cd_sync_names_the_git_revisions_and_the_matching_commit(example_config: Config) -> None:
    history = history_of(example_config, "not-ready", "grafana")
    [deploy] = history.deploys
    commit = Commit(deploy.revision + "0" * 30, "2026-11-23T13:20:00Z", "alice", "grafana: add the Loki datasource")
    [matched] = history_of(example_config, "not-ready", "grafana", commits=(commit,)).deploys
    assert matched.describe(None) == (
        f"Argo CD application grafana sync of {deploy.revision} (Synced, Degraded) at 13:22 UTC: git revision "
        f"{deploy.previous} → {deploy.revision}; running docker.io/grafana/grafana:11.3.1; commit “grafana: add the "
        "Loki datasource” by alice.")


def test_nothing_deployed_in_the_window(example_config: Config) -> None:
    history = history_of(example_config, "healthy", "nextcloud")
    assert history.deploys == () and history.looked == (HELM_RELEASES, ARGO_APPLICATIONS)


def test_what_could_not_be_read_is_said_and_an_absent_argo_cd_is_a_note(example_config: Config) -> None:
    history = history_of(example_config, "image-pull-backoff", "immich",
                         unread={HELM_RELEASES: "403 secrets is forbidden", ARGO_APPLICATIONS: NOT_INSTALLED})
    assert history.deploys == () and history.looked == ()
    assert history.problems == ("Helm releases could not be read: 403 secrets is forbidden",)
    assert history.notes == ("Argo CD Applications: not installed in this cluster",)


def release(revision: int, chart: str, image: str, values: dict[str, Any]) -> str:
    """Helm's `release` key as the Secret's data holds it: base64 of Helm's base64 of gzipped JSON."""
    document = {"name": "immich-server", "namespace": "immich", "version": revision,
                "info": {"status": "deployed", "description": "Upgrade complete"},
                "chart": {"metadata": {"name": "immich", "version": chart, "appVersion": "v1.121.0"}},
                "config": values,
                "manifest": f"---\n# Source: immich/templates/deployment.yaml\nspec:\n  template:\n    spec:\n"
                            f"      containers:\n        - name: server\n          image: \"{image}\"\n"}
    helm = base64.b64encode(gzip.compress(json.dumps(document).encode(), mtime=0))
    return base64.b64encode(helm).decode()


def with_release_data(data: dict[str, Any]) -> dict[str, Any]:
    secret_values = {"db": {"password": "hunter2-very-secret"}}
    for item in data["items"]:
        if item["kind"] == "Secret" and item["metadata"]["namespace"] == "immich":
            revision = int(item["metadata"]["labels"]["version"])
            chart, tag = {2: ("0.8.4", "v1.120.2"), 3: ("0.8.5", "v1.121.0"), 4: ("0.9.0", "v1.999.0")}[revision]
            values = {**secret_values, "image": {"tag": tag}}
            item["data"] = {"release": release(revision, chart, f"ghcr.io/immich-app/immich-server:{tag}", values)}
    return data


def test_release_data_names_the_chart_image_and_values_digest_but_never_the_values(example_config: Config) -> None:
    data = with_release_data(json.loads((SNAPSHOTS / "image-pull-backoff.json").read_text()))
    [deploy] = history_of(example_config, "", "immich", data=data, release_data=True).deploys
    assert deploy.chart == "immich-0.9.0"
    assert deploy.changes[0] == "chart immich-0.8.5 → immich-0.9.0"
    assert deploy.changes[1] == ("image ghcr.io/immich-app/immich-server:v1.121.0 → "
                                 "ghcr.io/immich-app/immich-server:v1.999.0")
    assert deploy.changes[2].startswith("values digest ") and len(deploy.values_digest or "") == 12
    assert "hunter2" not in json.dumps(deploy.to_json()) + deploy.describe(None)
    # Without helm_release_data the same Secrets give their labels only, whatever they hold.
    [plain] = history_of(example_config, "", "immich", data=data).deploys
    assert plain.chart is None and plain.values_digest is None


@pytest.mark.parametrize("encoded", ["not base64!", base64.b64encode(b"not base64 either").decode(),
                                     base64.b64encode(base64.b64encode(b"{not json")).decode()])
def test_release_data_that_cannot_be_decoded_is_ignored(encoded: str) -> None:
    assert decode_release(encoded) is None


def test_a_snapshot_written_without_the_deploy_history_is_not_read_as_no_deploys(example_config: Config) -> None:
    from responder.model.cluster import NOT_IN_SNAPSHOT

    history = history_of(example_config, "image-pull-backoff", "immich",
                         unread={HELM_RELEASES: NOT_IN_SNAPSHOT, ARGO_APPLICATIONS: NOT_IN_SNAPSHOT})
    assert history.looked == () and history.problems == ()
    assert history.notes == ("Helm releases: not in the snapshot", "Argo CD Applications: not in the snapshot")
