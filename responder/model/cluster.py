"""A read of the cluster as raw Kubernetes objects, and how to pick a service's share of it.

Both ways of reading the cluster end here: `--cluster-snapshot FILE` (the
JSON List `kubectl get pods,deployments,replicasets,events,nodes -A -o json`
prints) and the live API (kube.py fetches the same objects and wraps them
in the same List). `parse_list` is the one code path; the diagnosis only
ever sees plain dicts, exactly as the API returned them.

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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
}


@dataclass(frozen=True)
class ClusterView:
    """Raw objects, as dicts. Events are core/v1 Events (what `kubectl get events` lists)."""

    pods: tuple[Obj, ...] = ()
    deployments: tuple[Obj, ...] = ()
    replicasets: tuple[Obj, ...] = ()
    events: tuple[Obj, ...] = ()
    nodes: tuple[Obj, ...] = ()
    source: str = ""  # where it came from, for people: "snapshot oomkilled.json", "live API (context prod)"
    # When the objects were read. A snapshot is judged at the time it was taken; None: now.
    observed_at: datetime | None = None

    def in_namespace(self, namespace: str) -> ClusterView:
        def keep(items: tuple[Obj, ...]) -> tuple[Obj, ...]:
            return tuple(item for item in items if namespace_of(item) == namespace)

        return ClusterView(keep(self.pods), keep(self.deployments), keep(self.replicasets), keep(self.events),
                           self.nodes, self.source, self.observed_at)

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


def parse_list(data: Any, source: str) -> ClusterView:
    """A kubectl/API `List` of objects -> ClusterView. Raises InputError for anything else."""
    if not isinstance(data, Mapping) or data.get("kind") != "List" or not isinstance(data.get("items"), list):
        kind = data.get("kind") if isinstance(data, Mapping) else type(data).__name__
        raise InputError(
            f"{source}: expected the JSON List that kubectl prints, got {kind!r}",
            hint="Create one with: kubectl get pods,deployments,replicasets,events,nodes -A -o json > cluster.json",
        )
    buckets: dict[str, list[Obj]] = {name: [] for name in _KINDS.values()}
    for index, item in enumerate(data["items"]):
        if not isinstance(item, Mapping) or not isinstance(item.get("metadata"), Mapping):
            raise InputError(f"{source}: items[{index}] is not a Kubernetes object")
        bucket = _KINDS.get(str(item.get("kind")))
        if bucket is not None:
            buckets[bucket].append(item)
    return ClusterView(
        pods=tuple(buckets["pods"]),
        deployments=tuple(buckets["deployments"]),
        replicasets=tuple(buckets["replicasets"]),
        events=tuple(buckets["events"]),
        nodes=tuple(buckets["nodes"]),
        source=source,
    )


def as_list(kind_items: Iterable[tuple[str, str, Sequence[Obj]]]) -> dict[str, Any]:
    """Wrap API list answers into the List kubectl prints.

    The API leaves `kind` and `apiVersion` out of list items; kubectl fills
    them in, and so does this, so both sources look the same afterwards.
    """
    items: list[Obj] = []
    for kind, api_version, objects in kind_items:
        for obj in objects:
            items.append({"apiVersion": api_version, "kind": kind, **obj})
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
