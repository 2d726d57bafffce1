"""The catalogue of changes the responder can carry out through Terraform.

The feature-request form offers exactly these, plus "Something else".
"""

from __future__ import annotations

from dataclasses import dataclass

SOMETHING_ELSE = "Something else"


@dataclass(frozen=True)
class ChangeKind:
    key: str  # also the key in the service's *.auto.tfvars.json
    option: str  # the text in the form's dropdown
    value_hint: str


CHANGE_KINDS: tuple[ChangeKind, ...] = (
    ChangeKind("replicas", "Replica count", "a whole number, e.g. 3"),
    ChangeKind("memory_limit", "Memory limit", "a quantity, e.g. 1Gi"),
    ChangeKind("memory_request", "Memory request", "a quantity, e.g. 512Mi"),
    ChangeKind("cpu_limit", "CPU limit", "cores or millicores, e.g. 2 or 500m"),
    ChangeKind("cpu_request", "CPU request", "cores or millicores, e.g. 250m"),
    ChangeKind("image_tag", "Image tag", "a tag, e.g. 1.27.3"),
)


def change_kind_for_option(option: str) -> ChangeKind | None:
    for kind in CHANGE_KINDS:
        if kind.option == option:
            return kind
    return None


@dataclass(frozen=True)
class ChangeRequest:
    """One change to a service's Terraform vars, from a feature request or a remedy.

    Pure data: the guarded Terraform flow decides whether and how it runs.
    """

    service: str  # a service name from the catalogue
    kind: str  # a ChangeKind.key
    value: str  # the requested value as text: "3", "1Gi", "500m", "1.27.3"
    reason: str  # why, in plain words, for the comment and the commit
    commit_type: str = "feat"  # feat: a request carried out | fix: an incident remedy
