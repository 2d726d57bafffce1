"""Change correlation: what changed shortly before the service broke?

Two sources: rollouts of the service's Deployment (new ReplicaSets and
revisions, from the cluster objects) and commits touching the service's
Terraform stack (from `git log` of the infrastructure checkout, done by
the git adapter). Pure: the objects and commits in, Rollouts out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from responder.model.cluster import ClusterView, Obj, annotations_of, created_at, name_of, owners_of
from responder.model.timestamps import iso_utc


@dataclass(frozen=True)
class Rollout:
    deployment: str
    replicaset: str
    revision: int | None
    at: str  # ISO 8601
    minutes_ago: int
    images: tuple[str, ...]
    previous_images: tuple[str, ...]  # of the revision before it, when known

    @property
    def image_changed(self) -> bool:
        return bool(self.previous_images) and self.images != self.previous_images

    def describe(self) -> str:
        what = f"revision {self.revision}" if self.revision is not None else f"ReplicaSet {self.replicaset}"
        text = f"{self.deployment} {what} rolled out {self.minutes_ago} min ago"
        if self.image_changed:
            text += ": image " + ", ".join(self.previous_images) + " → " + ", ".join(self.images)
        return text


def recent_rollouts(view: ClusterView, namespace: str, deployment: str, now: datetime,
                    window: timedelta) -> tuple[Rollout, ...]:
    """ReplicaSets of the deployment created within the window, newest first."""
    owned = [rs for rs in view.replicasets
             if (rs.get("metadata") or {}).get("namespace") == namespace
             and ("Deployment", deployment) in owners_of(rs)]

    def revision(rs: Obj) -> int:
        value = str(annotations_of(rs).get("deployment.kubernetes.io/revision", ""))
        return int(value) if value.isdigit() else -1

    owned.sort(key=revision)
    out = []
    for index, rs in enumerate(owned):
        made = created_at(rs)
        if made is None or now - made > window or made > now + timedelta(minutes=5):
            continue
        previous = owned[index - 1] if index > 0 else None
        rev = revision(rs)
        out.append(Rollout(
            deployment=deployment,
            replicaset=name_of(rs),
            revision=rev if rev >= 0 else None,
            at=iso_utc(made),
            minutes_ago=max(0, int((now - made).total_seconds() // 60)),
            images=_images(rs),
            previous_images=_images(previous) if previous is not None else (),
        ))
    return tuple(reversed(out))


def _images(rs: Obj) -> tuple[str, ...]:
    template = ((rs.get("spec") or {}).get("template") or {}).get("spec") or {}
    return tuple(str(c.get("image") or "") for c in template.get("containers") or ())


def window_text(hours: float) -> str:
    return f"{hours:g} h"


def describe_commits(count: int, stack: str, hours: float) -> str:
    if not count:
        return f"No commit touched {stack} in the last {window_text(hours)}."
    noun = "commit" if count == 1 else "commits"
    return f"{count} {noun} touched {stack} in the last {window_text(hours)}."
