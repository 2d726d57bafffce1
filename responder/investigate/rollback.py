"""Rollback as a remedy: set a bad image back to the previous healthy tag, through Terraform.

Pure: the diagnosis, the cluster view, the recent rollouts and the image
variable's values in the vars file's git history in; a Remedy, or the
reasons there is none, out. It applies only when all of these hold:

1. a rollout started in the changes window (a new ReplicaSet);
2. the new pods fail: they cannot pull their image, crash-loop or never
   get ready, and nothing else (a node, a missing ConfigMap) explains it;
3. the previous tag was healthy: the previous ReplicaSet still has ready
   pods, or, for a Recreate rollout whose old pods are gone, the
   Deployment stayed Available until the rollout began;
4. the image is pinned in the service's Terraform vars
   (`services[].terraform.image_var`): the failing pods run the tag the
   vars file holds now, and the previous tag is the one its git history
   held before that change (and the previous ReplicaSet ran it);
5. investigation.rollback is on, the service is not protected, and no
   rollback was tried for this incident yet.

The change goes through the guarded Terraform path like any other
remedy, so the cluster and git agree afterwards. `kubectl rollout undo`
is never used: it would leave the stack pinning the bad tag, and the next
apply would bring it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from responder.config.investigation import InvestigationSettings
from responder.config.loader import Service
from responder.investigate import diagnosis as dx
from responder.investigate.rollouts import Rollout
from responder.model.changes import ChangeRequest
from responder.model.cluster import ClusterView, Obj, annotations_of, name_of, owners_of, parse_time
from responder.model.commits import PinnedValue
from responder.model.timestamps import parse_utc

ROLLBACK = "rollback"

# What the new pods may fail with for a rollback to answer it (issue #16: image pull, crash loop, not ready).
_NEW_PODS_FAIL = frozenset({dx.IMAGE_PULL, dx.INVALID_IMAGE, dx.CRASH_LOOP, dx.NOT_READY})
# What follows from failing new pods without being a cause of its own.
_FOLLOWS = frozenset({dx.ROLLOUT_STUCK, dx.NO_AVAILABLE, dx.FEWER_AVAILABLE, dx.RESTARTS_CLIMBING,
                      dx.NODE_CORDONED, dx.EVICTED, dx.JOB_FAILED})
# A Recreate rollout takes availability down as it starts; allow for the clocks of two controllers.
_AVAILABLE_SLACK = timedelta(minutes=1)


@dataclass(frozen=True)
class RollbackFacts:
    """What the shell gathered for the rollback check."""

    view: ClusterView
    rollouts: tuple[Rollout, ...]  # newest first
    pinned: tuple[PinnedValue, ...] | None = None  # the image variable through the vars file's history, newest first
    pinned_problem: str | None = None  # why the history could not be read
    tried_at: str | None = None  # when this incident already had a rollback


@dataclass(frozen=True)
class RollbackCheck:
    applies: bool  # a bad rollout is what broke the service (conditions 1 and 2)
    change: ChangeRequest | None  # set when every condition holds
    summary: str = ""
    answers: str = ""  # the diagnosis code it answers
    reasons: tuple[str, ...] = ()  # why it is the remedy, or why it is not


def image_tag(image: str) -> str | None:
    """The tag of an image reference: registry:5000/app:1.2@sha256:... -> 1.2; None without one."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.rsplit(":", 1)[1] or None if ":" in last else None


def check(diagnosis: dx.Diagnosis, service: Service, settings: InvestigationSettings, facts: RollbackFacts, *,
          protected: str | None) -> RollbackCheck:
    """`protected`: why the service must never be changed automatically (remedies.protected_by), or None."""
    if not facts.rollouts or not diagnosis.failing:
        return RollbackCheck(False, None)
    rollout = facts.rollouts[0]
    failing = diagnosis.failing
    new_pods = set(_pods_of(facts.view, diagnosis.namespace, rollout.replicaset))
    on_new = [p for p in failing if p.code in _NEW_PODS_FAIL and p.pod in new_pods]
    others = [p for p in failing if p.code not in _FOLLOWS and p not in on_new]
    if not on_new or others:
        return RollbackCheck(False, None)
    primary = on_new[0]
    what = f"{rollout.deployment} revision {rollout.revision}" if rollout.revision is not None else rollout.replicaset
    lead = f"the rollout of {what} {rollout.minutes_ago} min ago left its new pods failing ({primary.code})"

    def refuse(why: str) -> RollbackCheck:
        return RollbackCheck(True, None, answers=primary.code, reasons=(f"{lead}, but no rollback: {why}",))

    if not rollout.image_changed:
        return refuse(f"the rollout kept the image ({', '.join(rollout.images)}): going back to an earlier tag "
                      "would not undo it")
    healthy = _previous_was_healthy(facts.view, diagnosis, rollout)
    if healthy.startswith("!"):
        return refuse(healthy[1:])
    target = service.terraform
    if target is None or not target.vars_file:
        return refuse(f"{service.name} has no terraform.vars_file, so its image is not pinned where the responder "
                      "may change it")
    new_tags = {tag for tag in map(image_tag, rollout.images) if tag}
    if facts.pinned is None:
        return refuse(f"the history of {target.vars_file} could not be read"
                      + (f" ({facts.pinned_problem})" if facts.pinned_problem else ""))
    current = facts.pinned[0].value if facts.pinned else None
    if current is None:
        return refuse(f"{target.vars_file} pins no {target.image_var} (services[].terraform.image_var)")
    if current not in new_tags:
        return refuse(f"the failing pods run {', '.join(rollout.images)}, but {target.vars_file} pins "
                      f"{target.image_var} = {current}: the rollout did not come from that file")
    previous = next((pinned for pinned in facts.pinned if pinned.value not in (None, current)), None)
    if previous is None or previous.value is None:
        return refuse(f"{target.vars_file}'s git history has no earlier {target.image_var} to go back to")
    old_tags = {tag for tag in map(image_tag, rollout.previous_images) if tag}
    if old_tags and previous.value not in old_tags:
        return refuse(f"the previous ReplicaSet ran {', '.join(rollout.previous_images)}, but {target.vars_file} "
                      f"held {previous.value} before: which one was healthy is not certain")
    if protected is not None:
        return refuse(f"{service.name} is protected ({protected}): it is never rolled back automatically")
    if facts.tried_at:
        return refuse(f"a rollback was already tried for this incident at {facts.tried_at}; it runs at most once")
    summary = f"roll back {service.name} from {current} to {previous.value}"
    since = f"{previous.commit.sha[:10]} “{previous.commit.subject}”"
    if not settings.rollback:
        return refuse(f"{summary} would be the remedy, but rollbacks are switched off "
                      "(investigation.rollback: false)")
    reason = (f"{lead}; {healthy}; {target.vars_file} had {target.image_var} = {previous.value} at {since}, before "
              f"the change to {current}")
    change = ChangeRequest(service=service.name, kind="image_tag", value=previous.value, commit_type="fix",
                           reason=reason, variable=target.image_var, replaces=current, rollback=True)
    return RollbackCheck(True, change, summary, primary.code, (f"{reason} → {ROLLBACK}: {summary}",))


def _pods_of(view: ClusterView, namespace: str, replicaset: str) -> list[str]:
    return [name_of(pod) for pod in view.pods
            if (pod.get("metadata") or {}).get("namespace") == namespace
            and ("ReplicaSet", replicaset) in owners_of(pod)]


def _previous_was_healthy(view: ClusterView, diagnosis: dx.Diagnosis, rollout: Rollout) -> str:
    """Why the previous revision counts as healthy, in words; a "!" and why not, when it does not."""
    previous = _previous_replicaset(view, diagnosis.namespace, rollout)
    if previous is None:
        return "!the previous ReplicaSet is gone, so nothing shows the earlier revision was healthy"
    ready = (previous.get("status") or {}).get("readyReplicas")
    if isinstance(ready, int) and ready > 0:
        return f"the previous ReplicaSet {name_of(previous)} still has {ready} ready pod{'s' if ready != 1 else ''}"
    deployment = view.deployment(diagnosis.namespace, rollout.deployment)
    available = next((c for c in ((deployment or {}).get("status") or {}).get("conditions") or ()
                      if c.get("type") == "Available"), None)
    started = parse_utc(rollout.at)
    since = parse_time((available or {}).get("lastTransitionTime"))
    if available is not None and started is not None and since is not None:
        if available.get("status") == "True":
            return f"the Deployment has been Available since before the rollout ({since:%H:%M} UTC)"
        if since >= started - _AVAILABLE_SLACK:
            return (f"the Deployment was Available until the rollout began at {started:%H:%M} UTC (its old pods "
                    f"were stopped first; Available=False since {since:%H:%M} UTC)")
        return (f"!the Deployment was already unavailable at {since:%H:%M} UTC, before the rollout at "
                f"{started:%H:%M} UTC: the earlier revision was not known to be healthy")
    return "!the previous ReplicaSet has no ready pods and nothing shows the earlier revision was healthy"


def _previous_replicaset(view: ClusterView, namespace: str, rollout: Rollout) -> Obj | None:
    owned = [rs for rs in view.replicasets if (rs.get("metadata") or {}).get("namespace") == namespace
             and ("Deployment", rollout.deployment) in owners_of(rs) and name_of(rs) != rollout.replicaset]

    def revision(rs: Obj) -> int:
        value = str(annotations_of(rs).get("deployment.kubernetes.io/revision", ""))
        return int(value) if value.isdigit() else -1

    older = [rs for rs in owned if rollout.revision is None or revision(rs) < rollout.revision]
    return max(older, key=revision) if older else None

