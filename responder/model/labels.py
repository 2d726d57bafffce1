"""The labels the responder reads and writes.

Roles are fixed (what a label means to the responder); names are the
defaults below unless responder.yml renames them. Colours and descriptions
are what `responder labels sync` creates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from responder.model.severity_levels import Severity


@dataclass(frozen=True)
class LabelSpec:
    role: str
    color: str
    description: str


# Role -> colour and description. The role is also the default name.
LABEL_SPECS: tuple[LabelSpec, ...] = (
    LabelSpec("user-report", "1d76db", "Outage report filed through the issue form"),
    LabelSpec("feature-request", "0e8a16", "Change request filed through the issue form"),
    LabelSpec("incident", "b60205", "Confirmed incident; shown on the status page"),
    LabelSpec("sev1", "b60205", "SEV1: critical, several services or core down, data or security at risk"),
    LabelSpec("sev2", "d93f0b", "SEV2: major, one important service down or everyone affected"),
    LabelSpec("sev3", "fbca04", "SEV3: minor, limited impact, a workaround exists"),
    LabelSpec("sev4", "c2e0c6", "SEV4: cosmetic, no user impact"),
    LabelSpec("postmortem-required", "5319e7", "SEV1/SEV2: a post-mortem must be written"),
    LabelSpec("postmortem-done", "c5def5", "The post-mortem is written and linked"),
    LabelSpec("needs-human", "e99695", "The responder escalated: a person must look"),
    LabelSpec("needs-triage", "ededed", "From an author without write access: queued for review"),
    LabelSpec("needs-info", "fef2c0", "The form is incomplete or invalid: please edit the issue"),
    LabelSpec("duplicate", "cfd3d7", "Another open incident covers the same service"),
    LabelSpec("cannot-reproduce", "d4c5f9", "The checks found it healthy: waiting for the reporter's new evidence"),
    LabelSpec("maintenance", "0052cc", "Scheduled maintenance window"),
    LabelSpec("auto-detected", "1d76db", "Opened by the responder's watch round: a service failed every check"),
    LabelSpec("platform-request", "006b75", "Self-service platform request (namespace, access, DNS, monitor) filed "
                                            "through the issue form"),
)

ROLES: tuple[str, ...] = tuple(spec.role for spec in LABEL_SPECS)


@dataclass(frozen=True)
class LabelNames:
    """Maps each label role to the name used in this repository."""

    names: Mapping[str, str]

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, str] | None) -> LabelNames:
        names = {role: role for role in ROLES}
        names.update(overrides or {})
        return cls(names=names)

    def __getitem__(self, role: str) -> str:
        return self.names[role]

    def severity(self, level: Severity) -> str:
        return self.names[level.label_role]

    def severity_names(self) -> frozenset[str]:
        return frozenset(self.names[level.label_role] for level in Severity)

    def role_of(self, name: str) -> str | None:
        for role, value in self.names.items():
            if value == name:
                return role
        return None
