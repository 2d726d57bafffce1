"""A read of the cluster as raw Kubernetes objects, and how to pick a service's share of it.

Both ways of reading the cluster end here: `--cluster-snapshot FILE` (the
JSON List `kubectl get {kinds} -A -o json` prints, see SNAPSHOT_COMMAND) and
the live API (kube.py fetches the same objects and wraps them in the same
List). `parse_list` is the one code path; the diagnosis only ever sees plain
dicts, exactly as the API returned them.

Helm keeps its release history in Secrets. Of those, only Helm's release
Secrets are kept, and only their metadata: the labels name, version
(the revision), status and modifiedAt. Their `data` (the release, values
included) is dropped on reading unless `release_data` asks for Helm's
`release` key, which investigation.helm_release_data switches on. Any
other Secret in a snapshot is dropped whole.

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from responder.errors import InputError
from responder.model.timestamps import parse_utc as parse_time

Obj = Mapping[str, Any]

# kind -> the attribute of ClusterView that holds it
_KINDS = {
    "Pod": "pods",
    "Deployment": "deployments",
    "ReplicaSet": "replicasets",
    "Event": "events",
    "Node": "nodes",
    "PersistentVolumeClaim": "pvcs",
    "HorizontalPodAutoscaler": "hpas",
    "Job": "jobs",
    "CronJob": "cronjobs",
    "Ingress": "ingresses",
    "Endpoints": "endpoints",
    "Secret": "releases",
    "Application": "applications",
}
SNAPSHOT_KINDS = "pods,deployments,replicasets,events,nodes,pvc,hpa,jobs,cronjobs,ingresses,endpoints"
SNAPSHOT_COMMAND = f"kubectl get {SNAPSHOT_KINDS} -A -o json > cluster.json"
# What people call the kinds a read may miss, as ClusterView.unread names them.
HELM_RELEASES = "Helm releases"
ARGO_APPLICATIONS = "Argo CD Applications"
NOT_INSTALLED = "not installed"  # the reason recorded for an API the cluster does not serve
NOT_IN_SNAPSHOT = "not in the snapshot"  # the reason recorded for a kind a snapshot file does not hold
HELM_RELEASE_TYPE = "helm.sh/release.v1"
HELM_RELEASE_PREFIX = "sh.helm.release.v1."


@dataclass(frozen=True)
class ClusterView:
    """Raw objects, as dicts. Events are core/v1 Events (what `kubectl get events` lists)."""

    pods: tuple[Obj, ...] = ()
    deployments: tuple[Obj, ...] = ()
    replicasets: tuple[Obj, ...] = ()
    events: tuple[Obj, ...] = ()
    nodes: tuple[Obj, ...] = ()
    pvcs: tuple[Obj, ...] = ()
    hpas: tuple[Obj, ...] = ()
    jobs: tuple[Obj, ...] = ()
    cronjobs: tuple[Obj, ...] = ()
    ingresses: tuple[Obj, ...] = ()
    endpoints: tuple[Obj, ...] = ()
    releases: tuple[Obj, ...] = ()  # Helm's release Secrets: metadata only (see the module's notes)
    applications: tuple[Obj, ...] = ()  # Argo CD Applications, from any namespace
    source: str = ""  # where it came from, for people: "snapshot oomkilled.json", "live API (context prod)"
    # When the objects were read. A snapshot is judged at the time it was taken; None: now.
    observed_at: datetime | None = None
    # Kinds that could not be read, and why ("Argo CD Applications": "not installed"): said, never guessed.
    unread: Mapping[str, str] = field(default_factory=dict)

    def in_namespace(self, namespace: str) -> ClusterView:
        def keep(items: tuple[Obj, ...]) -> tuple[Obj, ...]:
            return tuple(item for item in items if namespace_of(item) == namespace)

        # Nodes are cluster-wide, and an Argo CD Application lives in Argo CD's namespace, not its app's.
        return replace(self, pods=keep(self.pods), deployments=keep(self.deployments),
                       replicasets=keep(self.replicasets), events=keep(self.events), pvcs=keep(self.pvcs),
                       hpas=keep(self.hpas), jobs=keep(self.jobs), cronjobs=keep(self.cronjobs),
                       ingresses=keep(self.ingresses), endpoints=keep(self.endpoints),
                       releases=keep(self.releases))

    def named(self, kind: str, namespace: str, name: str) -> Obj | None:
        """One object of a kind held here ("pvcs", "endpoints"...), by namespace and name."""
        for item in getattr(self, kind):
            if namespace_of(item) == namespace and name_of(item) == name:
                return item
        return None

    def deployment(self, namespace: str, name: str) -> Obj | None:
        for item in self.deployments:
            if namespace_of(item) == namespace and name_of(item) == name:
                return item
        return None

    def node(self, name: str) -> Obj | None:
        for item in self.nodes:
            if name_of(item) == name:
                return item
        return None

    def events_for(self, kind: str, name: str, namespace: str | None = None) -> tuple[Obj, ...]:
        """Events about one object, most recent last."""
        found = [
            event for event in self.events
            if (event.get("involvedObject") or {}).get("kind") == kind
            and (event.get("involvedObject") or {}).get("name") == name
            and (namespace is None or namespace_of(event) == namespace)
        ]
        return tuple(sorted(found, key=event_time))


def parse_list(data: Any, source: str, *, release_data: bool = False,
               unread: Mapping[str, str] | None = None) -> ClusterView:
    """A kubectl/API `List` of objects -> ClusterView. Raises InputError for anything else.

    Secrets are cut down here, before anything else sees them: Helm's release Secrets keep their
    metadata (and, with `release_data`, Helm's `release` key alone); every other Secret is dropped.
    """
    if not isinstance(data, Mapping) or data.get("kind") != "List" or not isinstance(data.get("items"), list):
        kind = data.get("kind") if isinstance(data, Mapping) else type(data).__name__
        raise InputError(
            f"{source}: expected the JSON List that kubectl prints, got {kind!r}",
            hint=f"Create one with: {SNAPSHOT_COMMAND}",
        )
    buckets: dict[str, list[Obj]] = {name: [] for name in _KINDS.values()}
    for index, item in enumerate(data["items"]):
        if not isinstance(item, Mapping) or not isinstance(item.get("metadata"), Mapping):
            raise InputError(f"{source}: items[{index}] is not a Kubernetes object")
        kind = str(item.get("kind"))
        if kind == "Application" and not str(item.get("apiVersion") or "").startswith("argoproj.io/"):
            continue  # another project's Application kind
        if kind == "Secret":
            release = helm_release_metadata(item, keep_release=release_data)
            if release is not None:
                buckets["releases"].append(release)
            continue
        bucket = _KINDS.get(kind)
        if bucket is not None:
            buckets[bucket].append(item)
    kept = {name: tuple(items) for name, items in buckets.items()}
    return ClusterView(
        pods=kept["pods"], deployments=kept["deployments"], replicasets=kept["replicasets"], events=kept["events"],
        nodes=kept["nodes"], pvcs=kept["pvcs"], hpas=kept["hpas"], jobs=kept["jobs"], cronjobs=kept["cronjobs"],
        ingresses=kept["ingresses"], endpoints=kept["endpoints"], releases=kept["releases"],
        applications=kept["applications"], source=source, unread=dict(unread or {}),
    )


def helm_release_metadata(secret: Obj, *, keep_release: bool = False) -> Obj | None:
    """A Helm release Secret cut down to its metadata (and Helm's `release` key when asked); None for any
    other Secret. The API's metadata-only answer (PartialObjectMetadata) has no `type`: the name and the
    owner label say it is Helm's."""
    metadata = secret.get("metadata") or {}
    labels = labels_of(secret)
    helm = secret.get("type") == HELM_RELEASE_TYPE or (
        labels.get("owner") == "helm" and str(metadata.get("name") or "").startswith(HELM_RELEASE_PREFIX))
    if not helm:
        return None
    kept: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret", "type": HELM_RELEASE_TYPE,
                            "metadata": {key: metadata[key] for key in
                                         ("name", "namespace", "labels", "creationTimestamp", "uid")
                                         if key in metadata}}
    data = secret.get("data")
    if keep_release and isinstance(data, Mapping) and isinstance(data.get("release"), str):
        kept["data"] = {"release": data["release"]}
    return kept


def as_list(kind_items: Iterable[tuple[str, str, Sequence[Obj]]]) -> dict[str, Any]:
    """Wrap API list answers into the List kubectl prints.

    The API leaves `kind` and `apiVersion` out of list items; kubectl fills
    them in, and so does this, so both sources look the same afterwards.
    """
    items: list[Obj] = []
    for kind, api_version, objects in kind_items:
        for obj in objects:
            # A metadata-only answer names its items PartialObjectMetadata: they are still the kind asked for.
            body = {key: value for key, value in obj.items() if key not in ("kind", "apiVersion")}
            items.append({"apiVersion": api_version, "kind": kind, **body})
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items}


# ---------------------------------------------------------------- object fields


def name_of(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def namespace_of(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("namespace") or "")


def labels_of(obj: Obj) -> Mapping[str, str]:
    labels = (obj.get("metadata") or {}).get("labels")
    return labels if isinstance(labels, Mapping) else {}


def annotations_of(obj: Obj) -> Mapping[str, str]:
    annotations = (obj.get("metadata") or {}).get("annotations")
    return annotations if isinstance(annotations, Mapping) else {}


def owners_of(obj: Obj) -> tuple[tuple[str, str], ...]:
    refs = (obj.get("metadata") or {}).get("ownerReferences") or ()
    return tuple((str(ref.get("kind")), str(ref.get("name"))) for ref in refs if isinstance(ref, Mapping))




def event_time(event: Obj) -> datetime:
    for key in ("lastTimestamp", "eventTime", "firstTimestamp"):
        value = parse_time(event.get(key))
        if value is not None:
            return value
    value = parse_time((event.get("metadata") or {}).get("creationTimestamp"))
    return value or datetime.min.replace(tzinfo=UTC)


def created_at(obj: Obj) -> datetime | None:
    return parse_time((obj.get("metadata") or {}).get("creationTimestamp"))


# ---------------------------------------------------------------- label selectors

_SET_EXPR = re.compile(r"^\s*(?P<key>[^\s!=()]+)\s+(?P<op>in|notin)\s+\((?P<values>[^)]*)\)\s*$")


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # = | != | in | notin | exists | !exists
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        value = labels.get(self.key)
        if self.op == "exists":
            return self.key in labels
        if self.op == "!exists":
            return self.key not in labels
        if self.op in ("=", "in"):
            return value is not None and value in self.values
        return value is None or value not in self.values  # != and notin match a missing label, as in Kubernetes


def parse_selector(selector: str | None) -> tuple[Requirement, ...]:
    """Kubernetes label selector syntax: `a=b,c!=d,e in (f,g),h notin (i),j,!k`."""
    if not selector or not selector.strip():
        return ()
    requirements = []
    for part in _split_selector(selector):
        part = part.strip()
        match = _SET_EXPR.match(part)
        if match:
            values = frozenset(v.strip() for v in match["values"].split(",") if v.strip())
            requirements.append(Requirement(match["key"], match["op"], values))
        elif "!=" in part:
            key, value = part.split("!=", 1)
            requirements.append(Requirement(key.strip(), "!=", frozenset({value.strip()})))
        elif "==" in part or "=" in part:
            key, value = part.split("==", 1) if "==" in part else part.split("=", 1)
            requirements.append(Requirement(key.strip(), "=", frozenset({value.strip()})))
        elif part.startswith("!"):
            requirements.append(Requirement(part[1:].strip(), "!exists"))
        else:
            requirements.append(Requirement(part, "exists"))
    return tuple(requirements)


def _split_selector(selector: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in selector:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part for part in parts if part.strip()]


def selects(selector: str | None, labels: Mapping[str, str]) -> bool:
    return all(requirement.matches(labels) for requirement in parse_selector(selector))
