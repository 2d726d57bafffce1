"""Remove secrets from text before anyone can read it.

Applied to everything the responder writes to a comment, a log line or the
job summary. Known secret values (the tokens this process holds) are
replaced exactly; well-known token shapes are replaced by pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "[REDACTED]"

_PATTERNS: tuple[re.Pattern[str], ...] = (
    # GitHub tokens: classic, fine-grained, OAuth, app installation, refresh.
    re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{40,255})\b"),
    # Vault / OpenBao service and batch tokens.
    re.compile(r"\b(?:hv[sb]|s|b)\.[A-Za-z0-9_-]{20,}\b"),
    # AWS access key ids, Slack tokens, Google API keys.
    re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"),
    re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),
    re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    # JSON Web Tokens (Kubernetes service-account tokens among them).
    re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    # PEM private keys.
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.DOTALL),
)
# key=value and "key": "value" pairs whose key says secret. The responder's own validation messages
# ("secrets.github_token: expected env:NAME ...") name such keys too; they never carry the value.
_ASSIGNMENT = re.compile(
    r"(?P<key>\b[\w.-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)[\w.-]*"
    r"[\"']?\s*[:=]\s*)(?!(?:expected|unknown key|missing required key)\b)(?P<quote>[\"']?)(?P<value>[^\s\"',;]{4,})",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?P<key>\b(?:Bearer|token|Basic)\s+)(?P<value>[A-Za-z0-9._~+/=-]{16,})")


class Redactor:
    """Holds the exact secret values of this run, and redacts them and known shapes."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        # Short values would redact ordinary words; real tokens are long.
        if secret and len(secret) >= 8:
            self._secrets.add(secret)

    def __call__(self, text: str) -> str:
        return redact(text, self._secrets)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    if not text:
        return text
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    text = _ASSIGNMENT.sub(lambda m: f"{m['key']}{m['quote']}{REDACTED}", text)
    text = _BEARER.sub(lambda m: f"{m['key']}{REDACTED}", text)
    return text


# One redactor per process: adapters register the tokens they are given.
process_redactor = Redactor()
