"""Only collaborators with enough permission get automation; doubt means no."""

from __future__ import annotations

import pytest

from responder.model.trust import from_association, from_error, from_permission, needs_permission_lookup


@pytest.mark.parametrize(("permission", "minimum", "trusted"), [
    ("admin", "write", True),
    ("maintain", "write", True),
    ("write", "write", True),
    ("triage", "write", False),
    ("read", "write", False),
    ("none", "write", False),
    (None, "read", False),
    ("write", "admin", False),
    ("triage", "triage", True),
    ("WRITE", "write", True),
    ("security-manager", "read", False),
])
def test_permission_ranks(permission: str | None, minimum: str, trusted: bool) -> None:
    assert from_permission("alice", permission, minimum).trusted is trusted


@pytest.mark.parametrize(("association", "minimum", "trusted"), [
    ("OWNER", "write", True),
    ("MEMBER", "write", True),
    ("COLLABORATOR", "write", True),
    ("CONTRIBUTOR", "write", False),
    ("FIRST_TIME_CONTRIBUTOR", "read", False),
    ("NONE", "read", False),
    (None, "write", False),
    ("COLLABORATOR", "admin", False),
    ("OWNER", "admin", True),
])
def test_offline_trust_comes_from_author_association(association: str | None, minimum: str, trusted: bool) -> None:
    verdict = from_association("bob", association, minimum)
    assert verdict.trusted is trusted
    assert verdict.basis == "author_association"


def test_errors_are_untrusted() -> None:
    verdict = from_error("carol", "GitHub GET /x failed: 502")
    assert not verdict.trusted
    assert verdict.detail == "could not verify permission: GitHub GET /x failed: 502"


def test_payloads_that_prove_no_collaboration_need_no_lookup() -> None:
    assert not needs_permission_lookup("NONE")
    assert not needs_permission_lookup("FIRST_TIMER")
    assert needs_permission_lookup("MEMBER")
    assert needs_permission_lookup("COLLABORATOR")
