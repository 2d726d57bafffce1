"""`responder labels sync` as data: which labels to create or update.

Pure: given the repository's labels as GitHub lists them and the names this
configuration uses, return one change per responder label, and the
decision that carries out the creates and updates. Labels the
responder does not own are never touched, and nothing is ever deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from responder.decision.actions import Decision
from responder.decision.repository_actions import SyncLabel
from responder.model.labels import LABEL_SPECS, LabelNames, LabelSpec

CREATE, UPDATE, KEEP = "create", "update", "keep"


@dataclass(frozen=True)
class LabelChange:
    action: str  # create | update | keep
    name: str  # the name the label should have
    color: str
    description: str
    current_name: str | None = None  # the name it has now, when it exists
    differences: tuple[str, ...] = ()  # what an update changes: name, color, description

    def describe(self) -> str:
        if self.action == CREATE:
            return f"create  {self.name} (#{self.color})"
        if self.action == UPDATE:
            return f"update  {self.name}: {', '.join(self.differences)}"
        return f"ok      {self.name}"


def plan_label_sync(existing: Iterable[Mapping[str, Any]], names: LabelNames,
                    specs: tuple[LabelSpec, ...] = LABEL_SPECS) -> tuple[LabelChange, ...]:
    # GitHub treats label names case-insensitively: "SEV1" already is "sev1".
    by_folded = {str(label.get("name", "")).casefold(): label for label in existing}
    changes: list[LabelChange] = []
    for spec in specs:
        name = names[spec.role]
        color = spec.color.lower()
        current = by_folded.get(name.casefold())
        if current is None:
            changes.append(LabelChange(CREATE, name, color, spec.description))
            continue
        current_name = str(current.get("name", ""))
        differences = tuple(
            what for what, differs in (
                ("name", current_name != name),
                ("color", str(current.get("color") or "").lower() != color),
                ("description", (current.get("description") or "") != spec.description),
            ) if differs
        )
        changes.append(LabelChange(UPDATE if differences else KEEP, name, color, spec.description,
                                   current_name, differences))
    return tuple(changes)


def label_sync_decision(changes: tuple[LabelChange, ...], repository: str) -> Decision:
    """The writes the plan needs, as a decision for the executor (nothing for labels already right)."""
    actions = tuple(SyncLabel(change.name, change.color, change.description,
                              current_name=change.current_name if change.action == UPDATE else None)
                    for change in changes if change.action in (CREATE, UPDATE))
    return Decision(event="labels-sync", issue=None, kind="labels", trusted=None, severity=None,
                    outcome="synced" if actions else "done", reasons=(f"labels of {repository}",), actions=actions)
