"""The `secrets` section of responder.yml: where each token comes from, as references.

    secrets:
      vault: {url: https://vault.example:8200, auth: kubernetes, role: ci}
      github_token: "vault:secret/responder#github_token"   # KV v2 mount/path#key
      woodpecker_token: "env:WOODPECKER_TOKEN"

Pure: the references are parsed into a frozen model here. Resolving them (reading the
environment, logging in to Vault) is `responder.adapters.secrets.SecretResolver`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from responder.errors import ConfigError

# Every secret the responder knows, with where it looks when responder.yml says nothing.
DEFAULT_REFERENCES: Mapping[str, tuple[str, ...]] = {
    "github_token": ("env:GITHUB_TOKEN", "env:GH_TOKEN"),
    "woodpecker_token": ("env:WOODPECKER_TOKEN",),
    "agent_token": ("env:AGENT_SERVICE_TOKEN",),
    # No default: without it the cluster is read in-cluster or through $KUBECONFIG (adapters/kube.py).
    "kubeconfig": (),
    # Signs the state marker in the responder's comment (model/state.py StateSeal).
    "state_key": ("env:RESPONDER_STATE_KEY",),
}
SECRET_NAMES: tuple[str, ...] = tuple(DEFAULT_REFERENCES)

_ENV = re.compile(r"^env:(?P<name>[A-Za-z_][A-Za-z0-9_]*)$")
_VAULT = re.compile(r"^vault:(?P<mount>[A-Za-z0-9_.-]+)/(?P<path>[A-Za-z0-9_.@/-]+)#(?P<key>[A-Za-z0-9_.-]+)$")


@dataclass(frozen=True)
class EnvReference:
    name: str

    def __str__(self) -> str:
        return f"env:{self.name}"


@dataclass(frozen=True)
class VaultReference:
    mount: str
    path: str
    key: str

    def __str__(self) -> str:
        return f"vault:{self.mount}/{self.path}#{self.key}"


Reference = EnvReference | VaultReference


def parse_reference(text: str) -> Reference:
    """`env:NAME` or `vault:<kv-v2 mount>/<path>#<key>`; ConfigError otherwise."""
    env = _ENV.match(text)
    if env:
        return EnvReference(env["name"])
    vault = _VAULT.match(text)
    if vault and "" not in vault["path"].split("/"):
        return VaultReference(vault["mount"], vault["path"], vault["key"])
    raise ConfigError(f"{text!r} is not a secret reference",
                      hint="Write env:NAME or vault:<kv-v2 mount>/<path>#<key>.")


@dataclass(frozen=True)
class SecretsSettings:
    """The validated `secrets` section: candidate references per secret, and the Vault login."""

    references: Mapping[str, tuple[Reference, ...]]
    configured: frozenset[str] = frozenset()  # secrets named in responder.yml (not defaults)
    vault: Mapping[str, Any] | None = None  # the raw, schema-validated `secrets.vault` mapping

    @property
    def uses_vault(self) -> bool:
        return any(isinstance(ref, VaultReference) for refs in self.references.values() for ref in refs)


def settings_from_section(section: Mapping[str, Any]) -> SecretsSettings:
    """Build the model from the schema-validated `secrets` mapping (empty: defaults only).

    Raises ConfigError listing every problem; `semantic_problems` reports the same ones while
    the config is validated, so a loaded config never raises here.
    """
    settings, problems = _read(section)
    if problems:
        raise ConfigError("the secrets section is invalid:",
                          problems=tuple(f"{where}: {message}" for where, message in problems))
    return settings


def semantic_problems(raw: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """Problems of the `secrets` section a schema cannot see, as (key path, message) pairs."""
    return _read(raw.get("secrets") or {})[1]


def _read(section: Mapping[str, Any]) -> tuple[SecretsSettings, list[tuple[str, str]]]:
    references: dict[str, tuple[Reference, ...]] = {}
    configured: set[str] = set()
    problems: list[tuple[str, str]] = []
    for name in SECRET_NAMES:
        raw = section.get(name)
        if raw is None:
            references[name] = tuple(parse_reference(text) for text in DEFAULT_REFERENCES[name])
            continue
        configured.add(name)
        try:
            references[name] = (parse_reference(raw),)
        except ConfigError as exc:
            problems.append((f"secrets.{name}", exc.message))
    vault = section.get("vault")
    if any(isinstance(r, VaultReference) for refs in references.values() for r in refs) and vault is None:
        problems.append(("secrets", "a vault: reference needs a secrets.vault section (url, auth, role)"))
    if isinstance(vault, Mapping) and vault.get("auth", "kubernetes") != "token" and not vault.get("role"):
        problems.append(("secrets.vault.role", f"{vault.get('auth', 'kubernetes')} auth needs a role"))
    vault_login = vault if isinstance(vault, Mapping) else None
    return SecretsSettings(references, frozenset(configured), vault_login), problems
