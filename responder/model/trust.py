"""Whose input the responder may act on.

A guard returns a verdict, never an exception: "could not decide" is a
refusal. Only authors with at least `trust.min_permission` on the repository
get automation; everyone else is queued for a person.
"""

from __future__ import annotations

from dataclasses import dataclass

PERMISSION_RANK = {"none": 0, "read": 1, "triage": 2, "write": 3, "maintain": 4, "admin": 5}

# What an author_association can at best stand for, when the permission API
# is out of reach (--offline). MEMBER and COLLABORATOR may hold less than
# write in reality; the spec accepts them as collaborators offline.
_ASSOCIATION_PERMISSION = {"OWNER": "admin", "MEMBER": "write", "COLLABORATOR": "write"}

# Associations that can never come with write access: no API call needed.
NON_COLLABORATOR_ASSOCIATIONS = frozenset({
    "NONE", "CONTRIBUTOR", "FIRST_TIMER", "FIRST_TIME_CONTRIBUTOR", "MANNEQUIN",
})


@dataclass(frozen=True)
class TrustVerdict:
    trusted: bool
    login: str
    basis: str  # permission | author_association | error | approval
    detail: str

    def to_json(self) -> dict[str, object]:
        return {"trusted": self.trusted, "login": self.login, "basis": self.basis, "detail": self.detail}


def rank(permission: str | None) -> int:
    return PERMISSION_RANK.get((permission or "none").lower(), 0)


def from_permission(login: str, permission: str | None, min_permission: str) -> TrustVerdict:
    """Verdict from the collaborator permission the API reported."""
    shown = permission or "none"
    if rank(permission) >= rank(min_permission):
        return TrustVerdict(True, login, "permission", f"{shown} permission (needs {min_permission})")
    return TrustVerdict(False, login, "permission", f"{shown} permission (needs {min_permission})")


def from_association(login: str, association: str | None, min_permission: str) -> TrustVerdict:
    """Verdict from the payload's author_association alone."""
    shown = (association or "NONE").upper()
    implied = _ASSOCIATION_PERMISSION.get(shown)
    trusted = implied is not None and rank(implied) >= rank(min_permission)
    return TrustVerdict(trusted, login, "author_association", f"author_association {shown}")


def from_error(login: str, error: str) -> TrustVerdict:
    return TrustVerdict(False, login, "error", f"could not verify permission: {error}")


def needs_permission_lookup(association: str | None) -> bool:
    """False when the payload already proves the author is no collaborator."""
    return (association or "NONE").upper() not in NON_COLLABORATOR_ASSOCIATIONS
