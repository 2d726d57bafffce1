"""Tokens never appear in anything the responder writes."""

from __future__ import annotations

import pytest

from responder.render.redaction import REDACTED, Redactor, redact

SECRETS = [
    "ghp_" + "x" * 36,
    "github_pat_11ABCDEFG0" + "y" * 50,
    "ghs_" + "z" * 36,
    "hvs.CAESIJx9" + "q" * 40,
    "AKIAIOSFODNN7EXAMPLE",
    "xoxb-123456789012-abcdefghijkl",
    "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlLXZhbHVl",
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
]


@pytest.mark.parametrize("secret", SECRETS)
def test_known_token_shapes_are_redacted(secret: str) -> None:
    out = redact(f"before {secret} after")
    assert secret not in out
    assert REDACTED in out
    assert out.startswith("before ") and out.endswith(" after")


@pytest.mark.parametrize(("text", "expected"), [
    ("password=hunter2hunter2", f"password={REDACTED}"),
    ('"db_password": "s3cr3t-value"', f'"db_password": "{REDACTED}"'),
    ("API_KEY: abcd1234efgh", f"API_KEY: {REDACTED}"),
    ("Authorization: Bearer abcdefghijklmnopqrstuvwxyz", f"Authorization: Bearer {REDACTED}"),
    ("the token expired", "the token expired"),
    ("password reset page is slow", "password reset page is slow"),
])
def test_secret_assignments_are_redacted_but_prose_is_not(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_exact_values_of_this_run_are_redacted() -> None:
    redactor = Redactor(["short", "my-very-own-token-value"])
    assert redactor("use my-very-own-token-value now, short") == f"use {REDACTED} now, short"
