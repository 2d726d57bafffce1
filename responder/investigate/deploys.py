"""Deploy history: Helm revisions and Argo CD syncs of a service, set against when the outage began.

Pure: the cluster view (Helm's release Secrets, Argo CD's Applications,
the service's ReplicaSets), the report's start and the window in; `Deploy`
records out, newest first, each saying what changed as far as the
responder could see.

Helm: a release's history is its Secrets, `sh.helm.release.v1.NAME.vREVISION`.
Their labels say the name, the revision (`version`), the status
(deployed, superseded, failed, pending-upgrade...) and when it was
modified (`modifiedAt`, seconds since the epoch). That is all the
responder reads by default. With investigation.helm_release_data, Helm's
`release` key is decoded too (base64 of a gzipped JSON document) for the
chart version, the images in the rendered manifest and a digest of the
user-supplied values: the values themselves are hashed, never kept or
shown.

Argo CD: an Application's `status.history` lists each sync (git revision,
time, source); `status.summary.images` the images it runs now,
`status.sync` and `status.health` where it stands.

The report's start comes from its "When did it start?" answer when it can
be read (`14:00 UTC`, an ISO time, `20 minutes ago`), else from when the
report was filed.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from responder.investigate.rollouts import recent_rollouts
from responder.model.cluster import (
    ARGO_APPLICATIONS,
    HELM_RELEASES,
    NOT_IN_SNAPSHOT,
    NOT_INSTALLED,
    ClusterView,
    Obj,
    annotations_of,
    labels_of,
    name_of,
    namespace_of,
    parse_time,
)
from responder.model.commits import Commit
from responder.model.timestamps import iso_utc, parse_utc

HELM = "helm"
ARGOCD = "argocd"
# How close a new ReplicaSet must be to a deploy to be the pods that deploy made.
_SAME_DEPLOY = timedelta(minutes=5)


# ---------------------------------------------------------------- the report's start


@dataclass(frozen=True)
class ReportStart:
    at: datetime
    basis: str  # how it was found, for people: "the report says 14:00 UTC", "when the report was filed"


_CLOCK = re.compile(r"\b(?P<h>[01]?\d|2[0-3])[:.h](?P<m>[0-5]\d)\s*(?P<zone>UTC|GMT|Z)?\b", re.IGNORECASE)
_AGO = re.compile(r"\b(?P<n>\d{1,3})\s*(?P<unit>min(?:ute)?s?|h(?:ou)?rs?|hours?)\s+ago\b", re.IGNORECASE)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?")


def report_start(when: str | None, filed_at: str | None) -> ReportStart | None:
    """When the outage began, as well as the report lets us tell; None without even a filing time."""
    filed = parse_utc(filed_at)
    text = (when or "").strip()
    if text:
        iso = _ISO.search(text)
        if iso is not None and (moment := parse_utc(iso.group(0).replace(" ", "T"))) is not None:
            return ReportStart(moment, f"the report says {iso.group(0)}")
        if filed is not None:
            ago = _AGO.search(text)
            if ago is not None:
                minutes = int(ago["n"]) * (60 if ago["unit"].lower().startswith("h") else 1)
                return ReportStart(filed - timedelta(minutes=minutes), f"the report says {ago.group(0)}")
            clock = _CLOCK.search(text)
            if clock is not None:
                moment = filed.replace(hour=int(clock["h"]), minute=int(clock["m"]), second=0, microsecond=0)
                if moment > filed + timedelta(minutes=5):
                    moment -= timedelta(days=1)  # "23:50" in a report filed at 00:10 is yesterday
                zone = "" if clock["zone"] else ", taken as UTC"
                return ReportStart(moment, f"the report says {clock.group(0).strip()}{zone}")
    if filed is None:
        return None
    return ReportStart(filed, "when the report was filed")


# ---------------------------------------------------------------- deploys


@dataclass(frozen=True)
class Deploy:
    tool: str  # helm | argocd
    name: str  # the release or the Application
    revision: str  # Helm's revision number, or the git revision Argo CD synced (short)
    at: datetime
    status: str  # Helm's status label, or Argo CD's sync and health
    changes: tuple[str, ...] = ()  # what changed against the deploy before it, in words
    previous: str | None = None  # the revision before it
    chart: str | None = None  # name-version, from release data
    images: tuple[str, ...] = ()
    values_digest: str | None = None
    commit: Commit | None = None  # the commit of the infrastructure repository it deployed, when one matches

    @property
    def label(self) -> str:
        if self.tool == HELM:
            return f"Helm release {self.name} revision {self.revision}"
        return f"Argo CD application {self.name} sync of {self.revision}"

    def describe(self, start: ReportStart | None) -> str:
        when = f"at {self.at.strftime('%H:%M UTC')}"
        if start is not None:
            delta = int((start.at - self.at).total_seconds() // 60)
            when += (f", {delta} min before the outage began" if delta >= 0 else
                     f", {-delta} min after the outage began")
        text = f"{self.label} ({self.status}) {when}"
        if self.changes:
            text += ": " + "; ".join(self.changes)
        elif self.previous is not None:
            text += f" (after {self.previous}; what changed is not visible without the release data)" \
                if self.tool == HELM else f" (after {self.previous})"
        return text + "."

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"tool": self.tool, "name": self.name, "revision": self.revision,
                               "at": iso_utc(self.at), "status": self.status, "changes": list(self.changes)}
        if self.previous is not None:
            out["previous"] = self.previous
        if self.chart:
            out["chart"] = self.chart
        if self.values_digest:
            out["values_digest"] = self.values_digest
        if self.commit is not None:
            out["commit"] = self.commit.sha
        return out


@dataclass(frozen=True)
class DeployHistory:
    deploys: tuple[Deploy, ...]  # in the window, newest first
    looked: tuple[str, ...]  # what was read: "Helm releases", "Argo CD Applications"
    problems: tuple[str, ...] = ()  # what could not be read, and why
    notes: tuple[str, ...] = ()  # facts without a deploy: "no Argo CD in this cluster"


def deploy_history(view: ClusterView, namespace: str, deployment: str, service: str, now: datetime,
                   window: timedelta, commits: Sequence[Commit] = ()) -> DeployHistory:
    """Helm revisions and Argo CD syncs of the service within the window before `now`, newest first."""
    owner = view.deployment(namespace, deployment)
    deploys: list[Deploy] = []
    looked: list[str] = []
    problems: list[str] = []
    notes: list[str] = []
    for words, reader in ((HELM_RELEASES, _helm), (ARGO_APPLICATIONS, _argocd)):
        why = view.unread.get(words)
        if why in (NOT_INSTALLED, NOT_IN_SNAPSHOT):
            notes.append(f"{words}: {NOT_INSTALLED} in this cluster" if why == NOT_INSTALLED else f"{words}: {why}")
            continue
        if why is not None:
            problems.append(f"{words} could not be read: {why}")
            continue
        looked.append(words)
        deploys.extend(reader(view, namespace, deployment, service, owner))
    recent = [d for d in deploys if now - window <= d.at <= now + timedelta(minutes=5)]
    recent = [_with_commit(_with_rollout(d, view, namespace, deployment), commits) for d in recent]
    recent.sort(key=lambda d: d.at, reverse=True)
    return DeployHistory(tuple(recent), tuple(looked), tuple(problems), tuple(notes))


# ---------------------------------------------------------------- Helm


def _helm(view: ClusterView, namespace: str, deployment: str, service: str, owner: Obj | None) -> list[Deploy]:
    names = _release_names(owner, deployment, service)
    releases: dict[str, list[tuple[int, Obj]]] = {}
    for secret in view.releases:
        labels = labels_of(secret)
        name, version = str(labels.get("name") or ""), str(labels.get("version") or "")
        if namespace_of(secret) != namespace or name not in names or not version.isdigit():
            continue
        releases.setdefault(name, []).append((int(version), secret))
    out = []
    for name, revisions in releases.items():
        revisions.sort(key=lambda item: item[0])
        before: _ReleaseFacts | None = None
        for index, (revision, secret) in enumerate(revisions):
            facts = _release_facts(secret)
            at = _modified(secret)
            if at is not None:
                out.append(Deploy(HELM, name, str(revision), at, str(labels_of(secret).get("status") or "unknown"),
                                  changes=_helm_changes(before, facts),
                                  previous=str(revisions[index - 1][0]) if index else None,
                                  chart=facts.chart if facts else None, images=facts.images if facts else (),
                                  values_digest=facts.values_digest if facts else None))
            before = facts
    return out


def _release_names(owner: Obj | None, deployment: str, service: str) -> set[str]:
    """The Helm release that owns the Deployment: its annotation says so; else its instance label or name."""
    names = {service, deployment}
    if owner is not None:
        release = annotations_of(owner).get("meta.helm.sh/release-name")
        if release:
            return {str(release)}
        instance = labels_of(owner).get("app.kubernetes.io/instance")
        if instance:
            names.add(str(instance))
    return names


def _modified(secret: Obj) -> datetime | None:
    value = str(labels_of(secret).get("modifiedAt") or "")
    if value.isdigit():
        return datetime.fromtimestamp(int(value), UTC)
    return parse_time((secret.get("metadata") or {}).get("creationTimestamp"))


@dataclass(frozen=True)
class _ReleaseFacts:
    chart: str | None
    images: tuple[str, ...]
    values_digest: str | None


_IMAGE = re.compile(r"^\s*-?\s*image:\s*[\"']?(?P<image>[^\s\"'#]+)", re.MULTILINE)


def _release_facts(secret: Obj) -> _ReleaseFacts | None:
    """Chart, images and a values digest from Helm's `release` key; None without it (the default)."""
    encoded = (secret.get("data") or {}).get("release")
    if not isinstance(encoded, str):
        return None
    release = decode_release(encoded)
    if release is None:
        return _ReleaseFacts(None, (), None)
    metadata = (release.get("chart") or {}).get("metadata") or {}
    chart = f"{metadata.get('name')}-{metadata.get('version')}" if metadata.get("name") else None
    images = tuple(dict.fromkeys(m["image"] for m in _IMAGE.finditer(str(release.get("manifest") or ""))))
    values = json.dumps(release.get("config") or {}, sort_keys=True, separators=(",", ":"))
    return _ReleaseFacts(chart, images, hashlib.sha256(values.encode()).hexdigest()[:12])


def decode_release(encoded: str) -> Mapping[str, Any] | None:
    """Helm's release document: the Secret's base64, then Helm's own base64 of gzipped JSON."""
    try:
        raw = base64.b64decode(base64.b64decode(encoded, validate=True))
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        document = json.loads(raw)
    except (binascii.Error, ValueError, OSError, EOFError):
        return None
    return document if isinstance(document, Mapping) else None


def _helm_changes(before: _ReleaseFacts | None, now: _ReleaseFacts | None) -> tuple[str, ...]:
    if before is None or now is None:
        return ()
    out = []
    if before.chart and now.chart and before.chart != now.chart:
        out.append(f"chart {before.chart} → {now.chart}")
    gone = [image for image in before.images if image not in now.images]
    new = [image for image in now.images if image not in before.images]
    if new or gone:
        out.append("image " + ", ".join(gone or ["(none)"]) + " → " + ", ".join(new or ["(none)"]))
    if before.values_digest and now.values_digest and before.values_digest != now.values_digest:
        out.append(f"values digest {before.values_digest} → {now.values_digest}")
    if not out and now.chart:
        out.append(f"chart {now.chart}, images and values unchanged")
    return tuple(out)


# ---------------------------------------------------------------- Argo CD


def _argocd(view: ClusterView, namespace: str, deployment: str, service: str, owner: Obj | None) -> list[Deploy]:
    out = []
    for app in view.applications:
        if not _manages(app, namespace, deployment, service):
            continue
        status = app.get("status") or {}
        sync = str((status.get("sync") or {}).get("status") or "Unknown")
        health = str((status.get("health") or {}).get("status") or "Unknown")
        history = sorted((entry for entry in status.get("history") or () if isinstance(entry, Mapping)),
                         key=lambda entry: str(entry.get("deployedAt") or ""))
        images = tuple(str(image) for image in (status.get("summary") or {}).get("images") or ())
        for index, entry in enumerate(history):
            at = parse_time(entry.get("deployedAt"))
            if at is None:
                continue
            revision = str(entry.get("revision") or "")
            previous = str(history[index - 1].get("revision") or "") if index else None
            latest = index == len(history) - 1
            changes = []
            if previous and previous != revision:
                changes.append(f"git revision {previous[:10]} → {revision[:10]}")
            source, before_source = entry.get("source") or {}, (history[index - 1].get("source") or {}) if index \
                else {}
            if before_source and source and before_source != source:
                changes.append("source " + _source_text(before_source) + " → " + _source_text(source))
            if latest and images:
                changes.append("running " + ", ".join(images))
            out.append(Deploy(ARGOCD, name_of(app), revision[:10], at,
                              f"{sync}, {health}" if latest else "synced", changes=tuple(changes),
                              previous=previous[:10] if previous else None, images=images if latest else ()))
    return out


def _manages(app: Obj, namespace: str, deployment: str, service: str) -> bool:
    status = app.get("status") or {}
    for resource in status.get("resources") or ():
        if isinstance(resource, Mapping) and resource.get("kind") == "Deployment" \
                and resource.get("name") == deployment and resource.get("namespace") == namespace:
            return True
    destination = (app.get("spec") or {}).get("destination") or {}
    return destination.get("namespace") == namespace and name_of(app) in (service, deployment)


def _source_text(source: Mapping[str, Any]) -> str:
    return "@".join(str(part) for part in (source.get("path") or source.get("chart") or "",
                                           source.get("targetRevision") or "") if part)


# ---------------------------------------------------------------- next to the other correlations


def _with_rollout(deploy: Deploy, view: ClusterView, namespace: str, deployment: str) -> Deploy:
    """Name the image change of the ReplicaSet that deploy created, when Helm's data did not."""
    if any(change.startswith("image ") for change in deploy.changes):
        return deploy
    for rollout in recent_rollouts(view, namespace, deployment, deploy.at + _SAME_DEPLOY, _SAME_DEPLOY * 2):
        made = parse_utc(rollout.at)
        if made is not None and abs(made - deploy.at) <= _SAME_DEPLOY and rollout.image_changed:
            change = ("new ReplicaSet " + rollout.replicaset + ": image " + ", ".join(rollout.previous_images)
                      + " → " + ", ".join(rollout.images))
            return Deploy(deploy.tool, deploy.name, deploy.revision, deploy.at, deploy.status,
                          (*[c for c in deploy.changes if not c.startswith("running ")], change), deploy.previous,
                          deploy.chart, rollout.images, deploy.values_digest, deploy.commit)
    return deploy


def _with_commit(deploy: Deploy, commits: Sequence[Commit]) -> Deploy:
    if deploy.tool != ARGOCD:
        return deploy
    for commit in commits:
        if commit.sha.startswith(deploy.revision) or deploy.revision.startswith(commit.sha[:10]):
            return Deploy(deploy.tool, deploy.name, deploy.revision, deploy.at, deploy.status,
                          (*deploy.changes, f"commit “{commit.subject}” by {commit.author}"), deploy.previous,
                          deploy.chart, deploy.images, deploy.values_digest, commit)
    return deploy
